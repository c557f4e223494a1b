/* Golden vectors: MD4 (RFC 1320), the [MS-NLMP] 4.2.2-4.2.4 examples (NTLMv1,
 * NTLMv1 with client challenge, NTLMv2: responses, keys, SEAL/MAC), and an
 * AUTHENTICATE made by impacket's independent NTLM client. */
#include "auth_test_util.h"

#include "auth/auth_crypto.h"
#include "auth/ntlm.h"
#include "auth/ntlmssp.h"
#include "base/rdwr.h"
#include "base/utf16.h"

#include <stdlib.h>

#include "data/impacket_auth.h"

/* [MS-NLMP] 4.2.1 common values. */
static const uint8_t server_chal[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
static const uint8_t client_chal[8] = { 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa, 0xaa };
static const uint8_t random_session_key[16] = { 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55,
						0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55, 0x55 };

static size_t u16(const char *s, uint8_t *out, size_t cap)
{
	long n = utf8_to_utf16le(s, out, cap);
	assert_true(n >= 0);
	return (size_t)n;
}

static void test_md4_rfc1320(void **state)
{
	uint8_t h[16];
	assert_true(auth_md4("", 0, h));
	assert_hex(h, 16, "31d6cfe0d16ae931b73c59d7e0c089c0");
	assert_true(auth_md4("abc", 3, h));
	assert_hex(h, 16, "a448017aaf21d8525fc10ae87aa6729d");
	assert_true(auth_md4("message digest", 14, h));
	assert_hex(h, 16, "d9130a8164549fe818874806e1c7014b");
}

static void test_nt_hash(void **state)
{
	uint8_t h[16];
	assert_true(ntlm_nt_hash("Password", h)); /* 4.2.2.1.2 NTOWFv1 */
	assert_hex(h, 16, "a4f49c406510bdcab6824ee7c30fd852");
	assert_true(ntlm_nt_hash("", h));
	assert_hex(h, 16, "31d6cfe0d16ae931b73c59d7e0c089c0");
	assert_true(ntlm_nt_hash("password", h));
	assert_hex(h, 16, "8846f7eaee8fb117ad06bdd830b7586c");
	assert_false(ntlm_nt_hash("\xc3\x28", h)); /* invalid UTF-8 */
}

/* 4.2.2 NTLMv1 Authentication. */
static void test_ntlmv1(void **state)
{
	uint8_t nt[16], resp[24], sbk[16], kx[16], enc[16];
	assert_true(ntlm_nt_hash("Password", nt));
	assert_true(ntlm_v1_response(nt, server_chal, resp));
	assert_hex(resp, 24, "67c43011f30298a2ad35ece64f16331c44bdbed927841f94"); /* 4.2.2.2.1 */
	assert_true(auth_md4(nt, 16, sbk));
	assert_hex(sbk, 16, "d87262b0cde4b1cb7499becccdf10784"); /* 4.2.2.1.3 */
	assert_true(ntlm_v1_kxkey(0, sbk, resp, server_chal, kx));
	assert_memory_equal(kx, sbk, 16);
	assert_true(auth_rc4_once(kx, random_session_key, enc, 16));
	assert_hex(enc, 16, "518822b1b3f350c8958682ecbb3e3cb7"); /* 4.2.2.2.3 */
}

/* 4.2.3 NTLMv1 with Client Challenge (NTLM2 session response, ESS, no KEY_EXCH). */
static void test_ntlmv1_client_challenge(void **state)
{
	const uint32_t flags = NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_VERSION |
			       NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_TARGET_TYPE_SERVER |
			       NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_SEAL |
			       NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_OEM | NTLMSSP_NEGOTIATE_UNICODE;
	uint8_t nt[16], chal[8], resp[24], sbk[16], kx[16], key[16], sig[16];
	uint8_t lm[24] = { 0 };
	memcpy(lm, client_chal, 8); /* 4.2.3.2.1 LMv1 response: ClientChallenge || Z(16) */
	assert_true(ntlm_nt_hash("Password", nt));
	assert_true(ntlm_v1_ess_challenge(server_chal, client_chal, chal));
	assert_true(ntlm_v1_response(nt, chal, resp));
	assert_hex(resp, 24, "7537f803ae367128ca458204bde7caf81e97ed2683267232"); /* 4.2.3.2.2 */
	assert_true(auth_md4(nt, 16, sbk));
	assert_true(ntlm_v1_kxkey(flags, sbk, lm, server_chal, kx));
	assert_hex(kx, 16, "eb93429a8bd952f8b89c55b87f475edc"); /* 4.2.3.1.3 */

	/* 4.2.3.4 GSS_WrapEx: ExportedSessionKey = KXKEY (no KEY_EXCH), 56-bit sealing. */
	assert_true(ntlm_seal_key(flags, kx, true, key));
	assert_hex(key, 16, "04dd7f014d8504d265a25cc86a3a7c06");
	assert_true(ntlm_sign_key(kx, true, key));
	assert_hex(key, 16, "60e799be5c72fc92922ae8ebe961fb8d");
	struct ntlm_sign client;
	uint8_t msg[18];
	assert_int_equal(u16("Plaintext", msg, sizeof(msg)), 18);
	assert_true(ntlm_sign_init(&client, flags, kx, false));
	assert_true(ntlm_seal_msg(&client, msg, sizeof(msg), sig));
	assert_hex(msg, 18, "a02372f6530273f3aa1eb90190ce5200c99d");
	assert_hex(sig, 16, "01000000ff2aeb52f681793a00000000");
	ntlm_sign_free(&client);

	/* The server unseals it with the same keys, and refuses a tampered one. */
	struct ntlm_sign server;
	assert_true(ntlm_sign_init(&server, flags, kx, true));
	uint8_t copy[18];
	memcpy(copy, msg, 18);
	assert_true(ntlm_unseal_msg(&server, copy, 18, sig, 16));
	assert_memory_equal(copy, "P\0l\0a\0i\0n\0t\0e\0x\0t\0", 18);
	ntlm_sign_free(&server);
	assert_true(ntlm_sign_init(&server, flags, kx, true));
	memcpy(copy, msg, 18);
	copy[3] ^= 1;
	assert_false(ntlm_unseal_msg(&server, copy, 18, sig, 16));
	ntlm_sign_free(&server);
}

/* 4.2.4 NTLMv2 Authentication. */
static const uint32_t v2_flags = NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_128 |
				 NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_TARGET_INFO |
				 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_TARGET_TYPE_SERVER |
				 NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_SEAL |
				 NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_OEM | NTLMSSP_NEGOTIATE_UNICODE;

static void test_ntlmv2(void **state)
{
	uint8_t nt[16], owf[16], user[16], dom[16], lm[24], proof[16], sbk[16], enc[16], key[16];
	size_t ul = u16("User", user, sizeof(user)), dl = u16("Domain", dom, sizeof(dom));
	assert_true(ntlm_nt_hash("Password", nt));
	assert_true(ntlm_ntowfv2(nt, user, ul, dom, dl, owf));
	assert_hex(owf, 16, "0c868a403bfd7a93a3001ef22ef02e3f"); /* 4.2.4.1.1 */
	assert_true(ntlm_lmv2_response(owf, server_chal, client_chal, lm));
	assert_hex(lm, 24, "86c35097ac9cec102554764a57cccc19aaaaaaaaaaaaaaaa"); /* 4.2.4.2.1 */

	/* temp = 0x01 0x01 Z(6) Time ClientChallenge Z(4) ServerName Z(4), 4.2.4.1.3 */
	uint8_t temp[128];
	size_t tl = unhex("0101000000000000 0000000000000000 aaaaaaaaaaaaaaaa 00000000"
			  "02000c0044006f006d00610069006e00 01000c00530065007200760065007200 00000000"
			  "00000000",
			  temp, sizeof(temp));
	assert_true(ntlm_v2_proof(owf, server_chal, temp, tl, proof));
	assert_hex(proof, 16, "68cd0ab851e51c96aabc927bebef6a1c"); /* 4.2.4.2.2 */
	assert_true(auth_hmac_md5_2(owf, 16, proof, 16, NULL, 0, sbk));
	assert_hex(sbk, 16, "8de40ccadbc14a82f15cb0ad0de95ca3"); /* 4.2.4.1.2 */
	assert_true(auth_rc4_once(sbk, random_session_key, enc, 16));
	assert_hex(enc, 16, "c5dad2544fc9799094ce1ce90bc9d03e"); /* 4.2.4.2.3 */

	/* 4.2.4.4 GSS_WrapEx with ExportedSessionKey = RandomSessionKey. */
	assert_true(ntlm_seal_key(v2_flags, random_session_key, true, key));
	assert_hex(key, 16, "59f600973cc4960a25480a7c196e4c58");
	assert_true(ntlm_sign_key(random_session_key, true, key));
	assert_hex(key, 16, "4788dc861b4782f35d43fd98fe1a2d39");
	struct ntlm_sign client, server;
	uint8_t msg[18], sig[16];
	u16("Plaintext", msg, sizeof(msg));
	assert_true(ntlm_sign_init(&client, v2_flags, random_session_key, false));
	assert_true(ntlm_seal_msg(&client, msg, sizeof(msg), sig));
	assert_hex(msg, 18, "54e50165bf1936dc996020c1811b0f06fb5f");
	assert_hex(sig, 16, "010000007fb38ec5c55d497600000000");
	ntlm_sign_free(&client);
	assert_true(ntlm_sign_init(&server, v2_flags, random_session_key, true));
	assert_true(ntlm_unseal_msg(&server, msg, sizeof(msg), sig, 16));
	ntlm_sign_free(&server);
}

/* Sign/check pairs in both directions with sequence numbers. */
static void test_sign_check(void **state)
{
	struct ntlm_sign c, s;
	uint8_t sig[16], sig2[16];
	const uint8_t m[] = "mechListMIC input";
	assert_true(ntlm_sign_init(&c, v2_flags, random_session_key, false));
	assert_true(ntlm_sign_init(&s, v2_flags, random_session_key, true));
	assert_true(ntlm_sign_msg(&c, m, sizeof(m), sig));
	assert_true(ntlm_check_msg(&s, m, sizeof(m), sig, 16));
	assert_true(ntlm_sign_msg(&s, m, sizeof(m), sig2));
	assert_true(ntlm_check_msg(&c, m, sizeof(m), sig2, 16));
	assert_memory_not_equal(sig, sig2, 16); /* different keys per direction */
	/* A replay has the wrong sequence number. */
	assert_false(ntlm_check_msg(&s, m, sizeof(m), sig, 16));
	assert_false(ntlm_check_msg(&s, m, sizeof(m), sig, 15));
	ntlm_sign_free(&c);
	ntlm_sign_free(&s);
	/* Without ESS there is no signing. */
	assert_false(ntlm_sign_init(&c, NTLMSSP_NEGOTIATE_SIGN, random_session_key, false));
}

static int impacket_lookup(void *ctx, const char *user, uint8_t nt_hash[16])
{
	const char *pw = ctx;
	if (strcmp(user, IMPACKET_USER) != 0)
		return -1;
	assert_true(ntlm_nt_hash(pw, nt_hash));
	return 0;
}

static struct ntlmssp_server *impacket_server(void)
{
	struct ntlmssp_server_cfg cfg = {
		.netbios_name = IMPACKET_NETBIOS,
		.workgroup = IMPACKET_WORKGROUP,
		.dns_name = IMPACKET_DNS_NAME,
		.dns_domain = "",
	};
	struct ntlmssp_server *s = ntlmssp_server_new(&cfg);
	assert_non_null(s);
	ntlmssp_server_fix_challenge(s, impacket_server_challenge, IMPACKET_TIMESTAMP);
	uint8_t *chal;
	size_t chal_len;
	NTSTATUS st = ntlmssp_server_negotiate(s, impacket_negotiate, sizeof(impacket_negotiate), &chal, &chal_len);
	assert_int_equal(st.v, STATUS_MORE_PROCESSING_REQUIRED.v);
	/* Our CHALLENGE is byte for byte what the generator built. */
	assert_int_equal(chal_len, sizeof(impacket_challenge));
	assert_memory_equal(chal, impacket_challenge, chal_len);
	free(chal);
	return s;
}

static void test_impacket_cross_check(void **state)
{
	struct ntlmssp_auth_info info;
	struct ntlmssp_server *s = impacket_server();
	NTSTATUS st = ntlmssp_server_authenticate(s, impacket_authenticate, sizeof(impacket_authenticate),
						  impacket_lookup, (void *)IMPACKET_PASSWORD, &info);
	assert_int_equal(st.v, STATUS_SUCCESS.v);
	assert_int_equal(info.outcome, AUTH_OK);
	assert_string_equal(info.user, IMPACKET_USER);
	assert_string_equal(info.domain, IMPACKET_DOMAIN);
	assert_string_equal(info.workstation, "WKSTN");
	assert_true(info.have_session_key);
	assert_memory_equal(info.session_key, impacket_session_key, 16);
	assert_true(info.can_sign);
	assert_false(info.mic_present);
	ntlmssp_server_free(s);

	s = impacket_server();
	st = ntlmssp_server_authenticate(s, impacket_authenticate, sizeof(impacket_authenticate), impacket_lookup,
					 (void *)"not the password", &info);
	assert_int_equal(st.v, STATUS_LOGON_FAILURE.v);
	assert_int_equal(info.outcome, AUTH_WRONG_PASSWORD);
	assert_false(info.have_session_key);
	ntlmssp_server_free(s);

	/* One flipped bit in NTProofStr. */
	s = impacket_server();
	uint8_t bad[sizeof(impacket_authenticate)];
	memcpy(bad, impacket_authenticate, sizeof(bad));
	uint32_t nt_off = le32_at(bad + 24);
	bad[nt_off] ^= 0x80;
	st = ntlmssp_server_authenticate(s, bad, sizeof(bad), impacket_lookup, (void *)IMPACKET_PASSWORD, &info);
	assert_int_equal(info.outcome, AUTH_WRONG_PASSWORD);
	ntlmssp_server_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_md4_rfc1320),
		cmocka_unit_test(test_nt_hash),
		cmocka_unit_test(test_ntlmv1),
		cmocka_unit_test(test_ntlmv1_client_challenge),
		cmocka_unit_test(test_ntlmv2),
		cmocka_unit_test(test_sign_check),
		cmocka_unit_test(test_impacket_cross_check),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
