/* SESSION_SETUP with raw NTLMSSP (no SPNEGO wrapper), as the Linux kernel
 * client logs on, over a real connection object: the final reply carries
 * an empty security buffer and must be a well-formed 9-byte body, and the
 * session must work afterwards. A logon whose reply cannot be built (its
 * one allocation fails, through the realloc wrapper below) must not leave
 * the session valid. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../auth/ntlm_client.h"
#include "base/ntstatus.h"
#include "harness.h"
#include "server/server.h"
#include "wire/smb2.h"

/* --- realloc wrapper: fails new allocations of sizes in [fail_lo, fail_hi] while armed --- */

void *__real_realloc(void *p, size_t n);
void *__wrap_realloc(void *p, size_t n);

static size_t fail_lo, fail_hi;
static int failed;

void *__wrap_realloc(void *p, size_t n)
{
	if (fail_hi && n >= fail_lo && n <= fail_hi && !p) {
		failed++;
		return NULL;
	}
	return __real_realloc(p, n);
}

/* --- a logon over the harness --- */

static const struct tc_opts alice = {
	.user = "alice", .domain = "WORKGROUP", .password = "Passw0rd!", .workstation = "WS1",
};

static struct harness *new_server(void)
{
	struct harness *h = harness_new(NULL);
	h->srv->is_root = false; /* the user is not mapped to a Unix account */
	h->srv->have_serve_user = true;
	snprintf(h->srv->serve_user, sizeof(h->srv->serve_user), "%s", "alice");
	assert_true(ntlm_nt_hash("Passw0rd!", h->srv->serve_nt_hash));
	uint16_t d = 0x0311, cipher = 2;
	uint8_t buf[1024];
	size_t len = harness_negotiate(buf, sizeof(buf), 0, &d, 1, &cipher, 1, NULL, 0);
	harness_send(h, buf, len);
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	free(r);
	return h;
}

/* Sends a SESSION_SETUP with `token` as its security buffer; returns the reply. */
static uint8_t *session_setup(struct harness *h, uint64_t mid, uint64_t sid, const uint8_t *token, size_t n,
			      size_t *len)
{
	uint8_t body[1024], msg[1200];
	assert_true(24 + n <= sizeof(body));
	memset(body, 0, 24);
	body[0] = 25;			/* StructureSize */
	body[3] = 1;			/* SecurityMode: signing enabled */
	body[12] = SMB2_HDR_LEN + 24; /* SecurityBufferOffset */
	body[14] = (uint8_t)n;
	body[15] = (uint8_t)(n >> 8);
	memcpy(body + 24, token, n);
	size_t l = harness_req(msg, sizeof(msg), SMB2_SESSION_SETUP, mid, 8, sid, 0, body, 24 + n);
	assert_true(l > 0);
	harness_send(h, msg, l);
	uint8_t *r = harness_recv(h, len, 2000);
	assert_non_null(r);
	return r;
}

/* The NEGOTIATE leg; returns the new session's id and the AUTHENTICATE to send. */
static uint64_t first_leg(struct harness *h, struct tc *c, uint8_t **auth, size_t *auth_len)
{
	size_t neg_len, len;
	tc_init(c, &alice);
	const uint8_t *neg = tc_negotiate(c, &neg_len);
	uint8_t *r = session_setup(h, 1, 0, neg, neg_len, &len);
	assert_int_equal(rsp_status(r), STATUS_MORE_PROCESSING_REQUIRED.v);
	uint64_t sid = rsp_u64(r, 40);
	assert_true(sid != 0);
	uint16_t off = rsp_u16(r, 64 + 4), n = rsp_u16(r, 64 + 6);
	assert_true(off + (size_t)n <= len);
	assert_memory_equal(r + off, "NTLMSSP\0\2\0\0\0", 12); /* raw, not SPNEGO */
	*auth = tc_authenticate(c, r + off, n, auth_len);
	assert_non_null(*auth);
	free(r);
	return sid;
}

static uint32_t logoff_status(struct harness *h, uint64_t mid, uint64_t sid)
{
	uint8_t body[4] = { 4, 0, 0, 0 }, msg[128];
	size_t len, l = harness_req(msg, sizeof(msg), SMB2_LOGOFF, mid, 1, sid, 0, body, sizeof(body));
	harness_send(h, msg, l);
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	uint32_t st = rsp_status(r);
	free(r);
	return st;
}

static void test_raw_ntlmssp_reply(void **state)
{
	(void)state;
	struct harness *h = new_server();
	struct tc c;
	uint8_t *auth;
	size_t auth_len, len;
	uint64_t sid = first_leg(h, &c, &auth, &auth_len);
	uint8_t *r = session_setup(h, 2, sid, auth, auth_len, &len);
	assert_int_equal(rsp_status(r), 0);
	assert_int_equal(rsp_u64(r, 40), sid);
	/* the body: StructureSize 9, no security buffer, and the one byte it counts */
	assert_int_equal(len, SMB2_HDR_LEN + 9);
	assert_int_equal(rsp_u16(r, 64), 9);
	assert_int_equal(rsp_u16(r, 64 + 4), 0); /* SecurityBufferOffset */
	assert_int_equal(rsp_u16(r, 64 + 6), 0); /* SecurityBufferLength */
	assert_int_equal(rsp_u32(r, 16) & SMB2_FLAGS_SIGNED, SMB2_FLAGS_SIGNED); /* 3.1.1: signed */
	free(r);
	free(auth);
	tc_free(&c);
	/* the session is valid: it can be logged off (once) */
	assert_int_equal(logoff_status(h, 3, sid), 0);
	assert_int_equal(logoff_status(h, 4, sid), STATUS_USER_SESSION_DELETED.v);
	harness_free(h);
}

static void test_failed_reply_leaves_no_session(void **state)
{
	(void)state;
	struct harness *h = new_server();
	struct tc c;
	uint8_t *auth;
	size_t auth_len, len;
	uint64_t sid = first_leg(h, &c, &auth, &auth_len);
	/* the reply's buffer: header, the 9-byte body (8 before the fix) and
	 * 8 bytes of slack; error replies take 16 bytes of body */
	fail_lo = SMB2_HDR_LEN + 8 + 8;
	fail_hi = SMB2_HDR_LEN + 9 + 8;
	failed = 0;
	uint8_t *r = session_setup(h, 2, sid, auth, auth_len, &len);
	fail_hi = 0;
	assert_true(failed >= 1);
	assert_int_not_equal(rsp_status(r), 0);
	free(r);
	free(auth);
	tc_free(&c);
	assert_int_equal(logoff_status(h, 3, sid), STATUS_USER_SESSION_DELETED.v);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_ntlmssp_reply),
		cmocka_unit_test(test_failed_reply_leaves_no_session),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
