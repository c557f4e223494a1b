/* SPNEGO DER codec: round trips and the strictness rules (definite minimal
 * lengths, containers filled exactly, field order, known tags only). */
#include "auth_test_util.h"

#include "auth/spnego.h"

#include <stdlib.h>

static NTSTATUS dec_hex(const char *hex, struct spnego_token *t)
{
	static uint8_t buf[512];
	size_t n = unhex(hex, buf, sizeof(buf));
	return spnego_decode(buf, n, t);
}

static void test_resp_round_trip(void **state)
{
	uint8_t token[300], mic[16], buf[512];
	struct spnego_token t;
	for (size_t i = 0; i < sizeof(token); i++)
		token[i] = (uint8_t)i;
	memset(mic, 0x5a, sizeof(mic));
	long n = spnego_encode_resp(buf, sizeof(buf), SPNEGO_ACCEPT_INCOMPLETE, spnego_oid_ntlmssp,
				    sizeof(spnego_oid_ntlmssp), token, sizeof(token), mic, sizeof(mic));
	assert_true(n > 0);
	assert_int_equal((size_t)n, spnego_resp_size(SPNEGO_ACCEPT_INCOMPLETE, sizeof(spnego_oid_ntlmssp),
						     sizeof(token), sizeof(mic)));
	assert_int_equal(buf[0], 0xa1);
	assert_int_equal(buf[1], 0x82); /* long-form length */
	assert_int_equal(spnego_decode(buf, (size_t)n, &t).v, STATUS_SUCCESS.v);
	assert_int_equal(t.kind, SPNEGO_NEG_TOKEN_RESP);
	assert_int_equal(t.neg_state, SPNEGO_ACCEPT_INCOMPLETE);
	assert_true(spnego_oid_equal(&t.supported_mech, spnego_oid_ntlmssp, sizeof(spnego_oid_ntlmssp)));
	assert_int_equal(t.response_token.len, sizeof(token));
	assert_memory_equal(t.response_token.p, token, sizeof(token));
	assert_int_equal(t.mech_list_mic.len, 16);
	/* Too small a buffer fails instead of truncating. */
	assert_int_equal(spnego_encode_resp(buf, (size_t)n - 1, SPNEGO_ACCEPT_INCOMPLETE, spnego_oid_ntlmssp,
					    sizeof(spnego_oid_ntlmssp), token, sizeof(token), mic, sizeof(mic)),
			 -1);
	/* accept-completed with nothing else: a1 07 30 05 a0 03 0a 01 00 */
	n = spnego_encode_resp(buf, sizeof(buf), SPNEGO_ACCEPT_COMPLETED, NULL, 0, NULL, 0, NULL, 0);
	assert_hex(buf, (size_t)n, "a107 3005 a003 0a0100");
	assert_int_equal(spnego_decode(buf, (size_t)n, &t).v, STATUS_SUCCESS.v);
	assert_int_equal(t.neg_state, SPNEGO_ACCEPT_COMPLETED);
	assert_false(t.response_token.present);
}

static void test_init_decode(void **state)
{
	struct spnego_token t;
	/* GSS framing, mechTypes [krb5, NTLMSSP], mechToken "AB". */
	assert_int_equal(dec_hex("6029 06062b0601050502 a01f 301d"
				 "a017 3015 06092a864886f712010202 060a2b06010401823702020a"
				 "a202 0400",
				 &t)
				 .v,
			 STATUS_INVALID_PARAMETER.v); /* lengths do not add up */
	assert_int_equal(dec_hex("602f 06062b0601050502 a025 3023"
				 "a019 3017 06092a864886f712010202 060a2b06010401823702020a"
				 "a206 0404 41424344",
				 &t)
				 .v,
			 STATUS_SUCCESS.v);
	assert_int_equal(t.kind, SPNEGO_NEG_TOKEN_INIT);
	assert_int_equal(t.n_mechs, 2);
	assert_true(spnego_oid_equal(&t.mechs[1], spnego_oid_ntlmssp, sizeof(spnego_oid_ntlmssp)));
	assert_int_equal(t.mech_types.len, 0x19);
	assert_int_equal(t.mech_types.p[0], 0x30);
	assert_int_equal(t.mech_token.len, 4);
	assert_memory_equal(t.mech_token.p, "ABCD", 4);
	/* Unframed [0] NegTokenInit with reqFlags and a [3] mechListMIC. */
	assert_int_equal(dec_hex("a01e 301c a00e 300c 060a2b06010401823702020a a104 03020000 a304 0402 eeff", &t).v,
			 STATUS_SUCCESS.v);
	assert_int_equal(t.mech_list_mic.len, 2);
}

static void test_strictness(void **state)
{
	struct spnego_token t;
	static const char *const bad[] = {
		"",
		"a1",
		"a180",					/* indefinite length */
		"a1 80 3000 0000",			/* indefinite, BER-style */
		"a1 8105 3003 a00100",			/* non-minimal long form */
		"a1 820005 3003 a00100",		/* non-minimal long form */
		"a1 85 0000000005",			/* 5 length octets */
		"a105 3003 a001 00",			/* negState not ENUMERATED */
		"a108 3006 a004 0a020001",		/* ENUMERATED of two bytes */
		"a107 3005 a003 0a0104",		/* negState out of range */
		"a107 3005 a003 0a0100 00",		/* trailing byte */
		"a107 3005 a003 0a01",			/* truncated */
		"a10c 300a a203 040100 a003 0a0100",	/* fields out of order */
		"a10c 300a a003 0a0100 a003 0a0100",	/* duplicate field */
		"a107 3005 a403 040100",		/* [4] in NegTokenResp */
		"a106 3004 a102 0600",			/* empty OID */
		"a107 3005 a203 0c0100",		/* responseToken not OCTET STRING */
		"a108 3006 a204 04010000",		/* extra bytes inside [2] */
		"bf01 00",				/* multi-byte tag */
		"a205 3003 a00100",			/* [2] at top level */
		"6010 06062b0601050503 a006 3004 a0023000", /* not the SPNEGO OID */
		"600e 06062b0601050502 a004 3002 a000",	/* empty mechTypes */
		"600e 06062b0601050502 a004 3002 a100",	/* no mechTypes */
		"6012 06062b0601050502 a008 3006 a004 30020400", /* mech not an OID */
		"6014 06062b0601050502 a00a 3008 a006 3004 06012a", /* inner length overrun */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		NTSTATUS st = dec_hex(bad[i], &t);
		if (st.v != STATUS_INVALID_PARAMETER.v)
			fail_msg("accepted bad token #%zu: %s", i, bad[i]);
	}
	/* More than SPNEGO_MAX_MECHS mechanisms. */
	uint8_t buf[512];
	size_t n = 0, list = 17 * 3;
	buf[n++] = 0xa0;
	buf[n++] = (uint8_t)(list + 6);
	buf[n++] = 0x30;
	buf[n++] = (uint8_t)(list + 4);
	buf[n++] = 0xa0;
	buf[n++] = (uint8_t)(list + 2);
	buf[n++] = 0x30;
	buf[n++] = (uint8_t)list;
	for (int i = 0; i < 17; i++) {
		buf[n++] = 0x06;
		buf[n++] = 0x01;
		buf[n++] = (uint8_t)(0x2a + i);
	}
	assert_int_equal(spnego_decode(buf, n, &t).v, STATUS_INVALID_PARAMETER.v);
	buf[1] -= 3, buf[3] -= 3, buf[5] -= 3, buf[7] -= 3; /* 16 are fine */
	assert_int_equal(spnego_decode(buf, n - 3, &t).v, STATUS_SUCCESS.v);
	assert_int_equal(t.n_mechs, 16);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_resp_round_trip),
		cmocka_unit_test(test_init_decode),
		cmocka_unit_test(test_strictness),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
