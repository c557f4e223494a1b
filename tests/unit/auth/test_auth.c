/* End-to-end server-side handshakes through auth_ctx_step() driven by the
 * test NTLMSSP client: raw NTLMSSP and SPNEGO, NTLMv2 with and without MIC and
 * KEY_EXCH, mechListMIC both ways (Samba's client behaviour), downgrade,
 * wrong password, unknown and disabled users, anonymous, NTLMv1 policy, and
 * truncated or garbled input. */
#include "auth_test_util.h"

#include "auth/auth.h"
#include "auth/spnego.h"
#include "ntlm_client.h"

#include <stdlib.h>
#include <strings.h>

static int lookups;

static int lookup(void *ctx, const char *user, uint8_t nt_hash[16])
{
	lookups++;
	if (strcasecmp(user, "alice") == 0) {
		assert_true(ntlm_nt_hash("Passw0rd!", nt_hash));
		return 0;
	}
	if (strcasecmp(user, "bob") == 0) { /* disabled */
		assert_true(ntlm_nt_hash("bob-pw", nt_hash));
		return -2;
	}
	return -1;
}

static struct auth_ctx *new_ctx(enum cfg_ntlm_auth policy)
{
	struct auth_cfg cfg = {
		.netbios_name = "FILESRV",
		.workgroup = "WORKGROUP",
		.dns_name = "filesrv.example.org",
		.dns_domain = "example.org",
		.ntlm_auth = policy,
	};
	struct auth_ctx *a = auth_ctx_new(&cfg);
	assert_non_null(a);
	return a;
}

static const struct tc_opts alice_mic = {
	.user = "alice", .domain = "WORKGROUP", .password = "Passw0rd!", .workstation = "WS1", .mic = true,
};

/* NEGOTIATE and AUTHENTICATE as raw NTLMSSP; returns the final status. */
static NTSTATUS run_raw(struct auth_ctx *a, struct tc *c, struct auth_result *res)
{
	uint8_t *out, *auth;
	size_t out_len, neg_len, auth_len;
	const uint8_t *neg = tc_negotiate(c, &neg_len);
	NTSTATUS st = auth_ctx_step(a, neg, neg_len, &out, &out_len, lookup, NULL, res);
	assert_int_equal(st.v, STATUS_MORE_PROCESSING_REQUIRED.v);
	assert_true(out_len > 48 && memcmp(out, "NTLMSSP\0\2\0\0\0", 12) == 0);
	auth = tc_authenticate(c, out, out_len, &auth_len);
	assert_non_null(auth);
	free(out);
	st = auth_ctx_step(a, auth, auth_len, &out, &out_len, lookup, NULL, res);
	assert_null(out); /* raw NTLMSSP has no final token */
	assert_int_equal(out_len, 0);
	free(auth);
	return st;
}

static void test_raw_ntlmv2_mic(void **state)
{
	struct auth_result res;
	struct tc c;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &alice_mic);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_SUCCESS.v);
	assert_int_equal(res.outcome, AUTH_OK);
	assert_string_equal(res.user, "alice");
	assert_string_equal(res.domain, "WORKGROUP");
	assert_string_equal(res.workstation, "WS1");
	assert_true(res.have_session_key);
	assert_memory_equal(res.session_key, c.exported, 16);
	/* The context is finished. */
	uint8_t *out;
	size_t out_len;
	assert_int_equal(auth_ctx_step(a, (const uint8_t *)"NTLMSSP", 8, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_INVALID_PARAMETER.v);
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_raw_ntlmv2_no_key_exch(void **state)
{
	struct auth_result res;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.no_key_exch = true;
	o.mic = false;
	o.domain = "some-other-domain"; /* the domain as sent is what counts */
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_SUCCESS.v);
	assert_int_equal(res.outcome, AUTH_OK);
	assert_memory_equal(res.session_key, c.exported, 16);
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_raw_empty_domain_and_case(void **state)
{
	struct auth_result res;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.user = "ALICE";
	o.domain = "";
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_SUCCESS.v);
	assert_string_equal(res.user, "ALICE");
	tc_free(&c);
	auth_ctx_free(a);
}

/* Like Samba, NTOWFv2 is also tried with the domain upper-cased, empty, and
 * the server's own names, whatever domain the message carries. */
static void test_domain_candidates(void **state)
{
	static const struct {
		const char *sent, *hashed;
		bool ok;
	} cases[] = {
		{ "clientdom", "CLIENTDOM", true }, { "CLIENTDOM", "", true },	   { "CLIENTDOM", "WORKGROUP", true },
		{ "CLIENTDOM", "FILESRV", true },   { "CLIENTDOM", "OTHER", false }, { "", "CLIENTDOM", false },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct auth_result res;
		struct tc c;
		struct tc_opts o = alice_mic;
		o.domain = cases[i].sent;
		o.hash_domain = cases[i].hashed;
		struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
		tc_init(&c, &o);
		NTSTATUS st = run_raw(a, &c, &res);
		if (cases[i].ok) {
			assert_int_equal(st.v, STATUS_SUCCESS.v);
			assert_memory_equal(res.session_key, c.exported, 16);
			assert_string_equal(res.domain, cases[i].sent);
		} else {
			assert_int_equal(res.outcome, AUTH_WRONG_PASSWORD);
		}
		tc_free(&c);
		auth_ctx_free(a);
	}
}

static void test_wrong_password_and_guest(void **state)
{
	struct auth_result res;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.password = "wrong";
	uint8_t *out;
	size_t out_len;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	assert_false(auth_ctx_guest_token(a, &out, &out_len)); /* not yet */
	tc_init(&c, &o);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_LOGON_FAILURE.v);
	assert_int_equal(res.outcome, AUTH_WRONG_PASSWORD);
	assert_false(res.have_session_key);
	assert_string_equal(res.user, "alice");
	assert_true(auth_ctx_guest_token(a, &out, &out_len));
	assert_null(out); /* raw NTLMSSP: nothing to send */
	assert_false(auth_ctx_guest_token(a, &out, &out_len)); /* once */
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_unknown_user(void **state)
{
	struct auth_result res;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.user = "mallory";
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	lookups = 0;
	NTSTATUS st = run_raw(a, &c, &res);
	assert_int_equal(st.v, STATUS_LOGON_FAILURE.v); /* same status as a wrong password */
	assert_int_equal(res.outcome, AUTH_NO_SUCH_USER);
	assert_int_equal(lookups, 1);
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_disabled_user(void **state)
{
	struct auth_result res;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.user = "bob";
	o.password = "bob-pw";
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_ACCOUNT_DISABLED.v);
	assert_int_equal(res.outcome, AUTH_ACCOUNT_DISABLED);
	tc_free(&c);
	auth_ctx_free(a);
	/* Without the password a disabled account looks like a wrong password. */
	o.password = "guess";
	a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_LOGON_FAILURE.v);
	assert_int_equal(res.outcome, AUTH_WRONG_PASSWORD);
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_bad_ntlmssp_mic(void **state)
{
	struct auth_result res;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.corrupt_mic = true;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_LOGON_FAILURE.v);
	assert_int_equal(res.outcome, AUTH_BAD_MESSAGE);
	assert_false(res.have_session_key);
	uint8_t *out;
	size_t out_len;
	assert_false(auth_ctx_guest_token(a, &out, &out_len)); /* never guest for tampering */
	tc_free(&c);
	auth_ctx_free(a);
}

/* The NTLMv2 blob must echo the server's TargetInfo (as Samba requires). */
static void test_target_info_echo(void **state)
{
	struct auth_result res;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.drop_timestamp = true;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_INVALID_PARAMETER.v);
	assert_int_equal(res.outcome, AUTH_BAD_MESSAGE);
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_anonymous(void **state)
{
	struct auth_result res;
	struct tc c;
	struct tc_opts o = { .response = TC_ANONYMOUS, .workstation = "WS1" };
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_SUCCESS.v);
	assert_int_equal(res.outcome, AUTH_ANONYMOUS);
	assert_false(res.have_session_key);
	assert_string_equal(res.user, "");
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_ntlmv1_policy(void **state)
{
	static const enum tc_response kinds[] = { TC_NTLMV1, TC_NTLM2_SESSION };
	for (size_t k = 0; k < 2; k++) {
		struct auth_result res;
		struct tc c;
		struct tc_opts o = alice_mic;
		o.mic = false;
		o.response = kinds[k];
		struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
		tc_init(&c, &o);
		assert_int_equal(run_raw(a, &c, &res).v, STATUS_LOGON_FAILURE.v);
		assert_int_equal(res.outcome, AUTH_WRONG_PASSWORD);
		tc_free(&c);
		auth_ctx_free(a);

		a = new_ctx(NTLM_AUTH_NTLMV1_PERMITTED);
		tc_init(&c, &o);
		assert_int_equal(run_raw(a, &c, &res).v, STATUS_SUCCESS.v);
		assert_int_equal(res.outcome, AUTH_OK);
		assert_memory_equal(res.session_key, c.exported, 16);
		tc_free(&c);
		auth_ctx_free(a);

		o.password = "nope";
		a = new_ctx(NTLM_AUTH_NTLMV1_PERMITTED);
		tc_init(&c, &o);
		assert_int_equal(run_raw(a, &c, &res).v, STATUS_LOGON_FAILURE.v);
		assert_int_equal(res.outcome, AUTH_WRONG_PASSWORD);
		tc_free(&c);
		auth_ctx_free(a);
	}
}

static void test_lmv2_only_refused(void **state)
{
	struct auth_result res;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.mic = false;
	o.response = TC_LMV2_ONLY;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV1_PERMITTED);
	tc_init(&c, &o);
	assert_int_equal(run_raw(a, &c, &res).v, STATUS_LOGON_FAILURE.v);
	assert_int_equal(res.outcome, AUTH_WRONG_PASSWORD);
	tc_free(&c);
	auth_ctx_free(a);
}

/* Decodes a server NegTokenResp. */
static void server_resp(const uint8_t *out, size_t len, struct spnego_token *t, int neg_state)
{
	assert_int_equal(spnego_decode(out, len, t).v, STATUS_SUCCESS.v);
	assert_int_equal(t->kind, SPNEGO_NEG_TOKEN_RESP);
	assert_int_equal(t->neg_state, neg_state);
}

/* SPNEGO like Samba's client: optimistic NEGOTIATE, then AUTHENTICATE with
 * the NTLMSSP MIC and a mechListMIC; requires the server's mechListMIC. */
static void test_spnego_samba_style(void **state)
{
	struct auth_result res;
	struct spnego_token t;
	struct tc c;
	uint8_t *out, *tok, *auth, mt[64], mic[16];
	size_t out_len, tok_len, auth_len, neg_len;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &alice_mic);
	const uint8_t *neg = tc_negotiate(&c, &neg_len);
	tok = tc_spnego_init(0, neg, neg_len, &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_MORE_PROCESSING_REQUIRED.v);
	free(tok);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_INCOMPLETE);
	assert_true(spnego_oid_equal(&t.supported_mech, spnego_oid_ntlmssp, sizeof(spnego_oid_ntlmssp)));
	assert_true(t.response_token.present);
	auth = tc_authenticate(&c, t.response_token.p, t.response_token.len, &auth_len);
	free(out);
	size_t mt_len = tc_mech_types(0, mt, sizeof(mt));
	assert_true(ntlm_sign_msg(&c.sign, mt, mt_len, mic));
	tok = tc_spnego_resp(auth, auth_len, mic, 16, &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v, STATUS_SUCCESS.v);
	assert_int_equal(res.outcome, AUTH_OK);
	assert_memory_equal(res.session_key, c.exported, 16);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_COMPLETED);
	assert_false(t.supported_mech.present); /* only in the first reply */
	assert_false(t.response_token.present);
	assert_true(t.mech_list_mic.present);
	assert_true(ntlm_check_msg(&c.sign, mt, mt_len, t.mech_list_mic.p, t.mech_list_mic.len));
	free(out);
	free(tok);
	free(auth);
	tc_free(&c);
	auth_ctx_free(a);
}

/* The client sends the NTLMSSP MIC but its mechListMIC only after the
 * server's (the accept-incomplete + mechListMIC round). */
static void test_spnego_mic_extra_round(void **state)
{
	struct auth_result res;
	struct spnego_token t;
	struct tc c;
	uint8_t *out, *tok, *auth, mt[64], mic[16];
	size_t out_len, tok_len, auth_len, neg_len;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &alice_mic);
	const uint8_t *neg = tc_negotiate(&c, &neg_len);
	tok = tc_spnego_init(0, neg, neg_len, &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_MORE_PROCESSING_REQUIRED.v);
	free(tok);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_INCOMPLETE);
	auth = tc_authenticate(&c, t.response_token.p, t.response_token.len, &auth_len);
	free(out);
	tok = tc_spnego_resp(auth, auth_len, NULL, 0, &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_MORE_PROCESSING_REQUIRED.v);
	free(tok);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_INCOMPLETE);
	size_t mt_len = tc_mech_types(0, mt, sizeof(mt));
	assert_true(t.mech_list_mic.present);
	assert_true(ntlm_check_msg(&c.sign, mt, mt_len, t.mech_list_mic.p, t.mech_list_mic.len));
	free(out);
	assert_true(ntlm_sign_msg(&c.sign, mt, mt_len, mic));
	tok = tc_spnego_resp(NULL, 0, mic, 16, &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v, STATUS_SUCCESS.v);
	assert_int_equal(res.outcome, AUTH_OK);
	assert_string_equal(res.user, "alice");
	assert_memory_equal(res.session_key, c.exported, 16);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_COMPLETED);
	assert_false(t.mech_list_mic.present);
	free(out);
	free(tok);
	free(auth);
	tc_free(&c);
	auth_ctx_free(a);
}

/* NTLMSSP without SIGN and without MIC: no mechListMIC at all. */
static void test_spnego_no_sign(void **state)
{
	struct auth_result res;
	struct spnego_token t;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.mic = false;
	o.no_sign = true;
	uint8_t *out, *tok, *auth;
	size_t out_len, tok_len, auth_len, neg_len;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	const uint8_t *neg = tc_negotiate(&c, &neg_len);
	tok = tc_spnego_init(0, neg, neg_len, &tok_len);
	auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res);
	free(tok);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_INCOMPLETE);
	auth = tc_authenticate(&c, t.response_token.p, t.response_token.len, &auth_len);
	free(out);
	tok = tc_spnego_resp(auth, auth_len, NULL, 0, &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v, STATUS_SUCCESS.v);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_COMPLETED);
	assert_false(t.mech_list_mic.present);
	assert_memory_equal(res.session_key, c.exported, 16);
	free(out);
	free(tok);
	free(auth);
	tc_free(&c);
	auth_ctx_free(a);
}

/* Kerberos first: the server asks for NTLMSSP with request-mic, and the
 * downgrade must be confirmed by mechListMICs. A wrong client MIC fails. */
static void run_downgrade(bool good_mic)
{
	struct auth_result res;
	struct spnego_token t;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.mic = false;
	uint8_t *out, *tok, *auth, mt[64], mic[16];
	size_t out_len, tok_len, auth_len, neg_len;
	static const uint8_t fake_krb5_token[] = { 0x60, 0x03, 0x01, 0x02, 0x03 };
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	tok = tc_spnego_init(1, fake_krb5_token, sizeof(fake_krb5_token), &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_MORE_PROCESSING_REQUIRED.v);
	free(tok);
	server_resp(out, out_len, &t, SPNEGO_REQUEST_MIC);
	assert_true(spnego_oid_equal(&t.supported_mech, spnego_oid_ntlmssp, sizeof(spnego_oid_ntlmssp)));
	assert_false(t.response_token.present);
	free(out);
	const uint8_t *neg = tc_negotiate(&c, &neg_len);
	tok = tc_spnego_resp(neg, neg_len, NULL, 0, &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_MORE_PROCESSING_REQUIRED.v);
	free(tok);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_INCOMPLETE);
	assert_false(t.supported_mech.present);
	auth = tc_authenticate(&c, t.response_token.p, t.response_token.len, &auth_len);
	free(out);
	size_t mt_len = tc_mech_types(1, mt, sizeof(mt));
	assert_true(ntlm_sign_msg(&c.sign, mt, mt_len, mic));
	if (!good_mic)
		mic[5] ^= 0x40;
	tok = tc_spnego_resp(auth, auth_len, mic, 16, &tok_len);
	NTSTATUS st = auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res);
	if (good_mic) {
		assert_int_equal(st.v, STATUS_SUCCESS.v);
		server_resp(out, out_len, &t, SPNEGO_ACCEPT_COMPLETED);
		assert_true(ntlm_check_msg(&c.sign, mt, mt_len, t.mech_list_mic.p, t.mech_list_mic.len));
		assert_memory_equal(res.session_key, c.exported, 16);
	} else {
		assert_int_equal(st.v, STATUS_LOGON_FAILURE.v);
		assert_int_equal(res.outcome, AUTH_BAD_MESSAGE);
		assert_null(out);
	}
	free(out);
	free(tok);
	free(auth);
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_spnego_downgrade(void **state)
{
	run_downgrade(true);
	run_downgrade(false);
}

static void test_spnego_wrong_password_guest_token(void **state)
{
	struct auth_result res;
	struct spnego_token t;
	struct tc c;
	struct tc_opts o = alice_mic;
	o.password = "bad";
	uint8_t *out, *tok, *auth;
	size_t out_len, tok_len, auth_len, neg_len;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	const uint8_t *neg = tc_negotiate(&c, &neg_len);
	tok = tc_spnego_init(0, neg, neg_len, &tok_len);
	auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res);
	free(tok);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_INCOMPLETE);
	auth = tc_authenticate(&c, t.response_token.p, t.response_token.len, &auth_len);
	free(out);
	tok = tc_spnego_resp(auth, auth_len, NULL, 0, &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_LOGON_FAILURE.v);
	assert_null(out);
	assert_int_equal(res.outcome, AUTH_WRONG_PASSWORD);
	assert_true(auth_ctx_guest_token(a, &out, &out_len));
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_COMPLETED);
	assert_false(t.mech_list_mic.present);
	free(out);
	free(tok);
	free(auth);
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_spnego_anonymous(void **state)
{
	struct auth_result res;
	struct spnego_token t;
	struct tc c;
	struct tc_opts o = { .response = TC_ANONYMOUS };
	uint8_t *out, *tok, *auth;
	size_t out_len, tok_len, auth_len, neg_len;
	struct auth_ctx *a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &o);
	const uint8_t *neg = tc_negotiate(&c, &neg_len);
	tok = tc_spnego_init(0, neg, neg_len, &tok_len);
	auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res);
	free(tok);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_INCOMPLETE);
	auth = tc_authenticate(&c, t.response_token.p, t.response_token.len, &auth_len);
	free(out);
	tok = tc_spnego_resp(auth, auth_len, NULL, 0, &tok_len);
	assert_int_equal(auth_ctx_step(a, tok, tok_len, &out, &out_len, lookup, NULL, &res).v, STATUS_SUCCESS.v);
	assert_int_equal(res.outcome, AUTH_ANONYMOUS);
	assert_false(res.have_session_key);
	server_resp(out, out_len, &t, SPNEGO_ACCEPT_COMPLETED);
	free(out);
	free(tok);
	free(auth);
	tc_free(&c);
	auth_ctx_free(a);
}

static void test_negotiate_hint(void **state)
{
	uint8_t buf[128];
	struct spnego_token t;
	long n = auth_negotiate_hint(buf, sizeof(buf));
	assert_int_equal(n, 74);
	assert_hex(buf, 74,
		   "604806062b0601050502a03e303ca00e300c060a2b06010401823702020a"
		   "a32a3028a0261b246e6f745f646566696e65645f696e5f524643343137384070"
		   "6c656173655f69676e6f7265");
	assert_int_equal(spnego_decode(buf, (size_t)n, &t).v, STATUS_SUCCESS.v);
	assert_int_equal(t.n_mechs, 1);
	assert_true(spnego_oid_equal(&t.mechs[0], spnego_oid_ntlmssp, sizeof(spnego_oid_ntlmssp)));
	assert_int_equal(auth_negotiate_hint(buf, 73), -1);
}

/* Every truncation of every client message, and bit flips, must fail
 * cleanly (INVALID_PARAMETER for truncations) and never crash. */
static void test_truncated_and_garbled(void **state)
{
	struct auth_result res;
	struct tc c;
	uint8_t *out, *chal, *auth;
	size_t out_len, chal_len, auth_len, neg_len;
	struct auth_ctx *a;

	/* Build one valid transcript to mutate. */
	a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	tc_init(&c, &alice_mic);
	const uint8_t *neg = tc_negotiate(&c, &neg_len);
	auth_ctx_step(a, neg, neg_len, &chal, &chal_len, lookup, NULL, &res);
	auth = tc_authenticate(&c, chal, chal_len, &auth_len);
	auth_ctx_free(a);

	for (size_t n = 0; n < neg_len; n++) {
		a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
		NTSTATUS st = auth_ctx_step(a, neg, n, &out, &out_len, lookup, NULL, &res);
		if (n < 16)
			assert_int_equal(st.v, STATUS_INVALID_PARAMETER.v);
		if (NT_EQ(st, STATUS_INVALID_PARAMETER))
			assert_int_equal(res.outcome, AUTH_BAD_MESSAGE);
		free(out);
		auth_ctx_free(a);
	}
	for (size_t n = 0; n < auth_len; n++) {
		a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
		auth_ctx_step(a, neg, neg_len, &out, &out_len, lookup, NULL, &res);
		free(out);
		NTSTATUS st = auth_ctx_step(a, auth, n, &out, &out_len, lookup, NULL, &res);
		assert_int_equal(st.v, STATUS_INVALID_PARAMETER.v);
		assert_null(out);
		auth_ctx_free(a);
	}
	/* Single-bit flips anywhere in AUTHENTICATE: never success, never a crash. */
	uint8_t *m = malloc(auth_len);
	for (size_t i = 0; i < auth_len * 8; i += 3) {
		memcpy(m, auth, auth_len);
		m[i / 8] ^= (uint8_t)(1u << (i % 8));
		a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
		auth_ctx_step(a, neg, neg_len, &out, &out_len, lookup, NULL, &res);
		free(out);
		NTSTATUS st = auth_ctx_step(a, m, auth_len, &out, &out_len, lookup, NULL, &res);
		/* The MIC covers every byte but itself: nothing may pass. */
		assert_false(NT_OK(st));
		free(out);
		auth_ctx_free(a);
	}
	free(m);
	/* An AUTHENTICATE before NEGOTIATE, garbage, and a lone SPNEGO byte. */
	a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	assert_int_equal(auth_ctx_step(a, auth, auth_len, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_INVALID_PARAMETER.v);
	auth_ctx_free(a);
	a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	assert_int_equal(auth_ctx_step(a, (const uint8_t *)"\x60", 1, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_INVALID_PARAMETER.v);
	auth_ctx_free(a);
	a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
	assert_int_equal(auth_ctx_step(a, NULL, 0, &out, &out_len, lookup, NULL, &res).v,
			 STATUS_INVALID_PARAMETER.v);
	auth_ctx_free(a);

	/* Truncated SPNEGO wrappers of a valid NEGOTIATE. */
	size_t tok_len;
	uint8_t *tok = tc_spnego_init(0, neg, neg_len, &tok_len);
	for (size_t n = 0; n < tok_len; n++) {
		a = new_ctx(NTLM_AUTH_NTLMV2_ONLY);
		assert_int_equal(auth_ctx_step(a, tok, n, &out, &out_len, lookup, NULL, &res).v,
				 STATUS_INVALID_PARAMETER.v);
		auth_ctx_free(a);
	}
	free(tok);
	free(chal);
	free(auth);
	tc_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_ntlmv2_mic),
		cmocka_unit_test(test_raw_ntlmv2_no_key_exch),
		cmocka_unit_test(test_raw_empty_domain_and_case),
		cmocka_unit_test(test_domain_candidates),
		cmocka_unit_test(test_wrong_password_and_guest),
		cmocka_unit_test(test_unknown_user),
		cmocka_unit_test(test_disabled_user),
		cmocka_unit_test(test_bad_ntlmssp_mic),
		cmocka_unit_test(test_target_info_echo),
		cmocka_unit_test(test_anonymous),
		cmocka_unit_test(test_ntlmv1_policy),
		cmocka_unit_test(test_lmv2_only_refused),
		cmocka_unit_test(test_spnego_samba_style),
		cmocka_unit_test(test_spnego_mic_extra_round),
		cmocka_unit_test(test_spnego_no_sign),
		cmocka_unit_test(test_spnego_downgrade),
		cmocka_unit_test(test_spnego_wrong_password_guest_token),
		cmocka_unit_test(test_spnego_anonymous),
		cmocka_unit_test(test_negotiate_hint),
		cmocka_unit_test(test_truncated_and_garbled),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
