/* SESSION_SETUP with raw NTLMSSP (no SPNEGO wrapper), as the Linux kernel
 * client logs on, over a real connection object: the final reply carries
 * an empty security buffer and must be a well-formed 9-byte body, and the
 * session must work afterwards. A logon whose reply cannot be built (its
 * one allocation fails, through the realloc wrapper below) must not leave
 * the session valid. A request after LOGOFF in the same compound finds the
 * session gone; `restrict anonymous` keeps null sessions off the pipes (1)
 * and off IPC$ (2). */
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
static const struct tc_opts anonymous = {
	.user = "", .domain = "", .password = "", .workstation = "WS1", .response = TC_ANONYMOUS,
};

static struct harness *new_server_as(const char *conf, uint16_t d)
{
	struct harness *h = harness_new(conf);
	h->srv->is_root = false; /* the user is not mapped to a Unix account */
	h->srv->have_serve_user = true;
	snprintf(h->srv->serve_user, sizeof(h->srv->serve_user), "%s", "alice");
	assert_true(ntlm_nt_hash("Passw0rd!", h->srv->serve_nt_hash));
	uint16_t cipher = 2;
	uint8_t buf[1024];
	size_t len = harness_negotiate(buf, sizeof(buf), 0, &d, 1, &cipher, 1, NULL, 0);
	harness_send(h, buf, len);
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	free(r);
	return h;
}

static struct harness *new_server(void)
{
	return new_server_as(NULL, 0x0311);
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
static uint64_t first_leg_as(struct harness *h, const struct tc_opts *who, struct tc *c, uint8_t **auth,
			     size_t *auth_len)
{
	size_t neg_len, len;
	tc_init(c, who);
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

static uint64_t first_leg(struct harness *h, struct tc *c, uint8_t **auth, size_t *auth_len)
{
	return first_leg_as(h, &alice, c, auth, auth_len);
}

/* A whole logon; returns the session id. */
static uint64_t logon(struct harness *h, const struct tc_opts *who)
{
	struct tc c;
	uint8_t *auth;
	size_t auth_len, len;
	uint64_t sid = first_leg_as(h, who, &c, &auth, &auth_len);
	uint8_t *r = session_setup(h, 2, sid, auth, auth_len, &len);
	assert_int_equal(rsp_status(r), 0);
	free(r);
	free(auth);
	tc_free(&c);
	return sid;
}

/* A TREE_CONNECT body for \\srv\<share> into out; returns its length. */
static size_t tcon_body(uint8_t *out, const char *share)
{
	char path[64];
	snprintf(path, sizeof(path), "\\\\srv\\%s", share);
	size_t n = strlen(path);
	memset(out, 0, 8);
	out[0] = 9;
	out[4] = SMB2_HDR_LEN + 8;
	out[6] = (uint8_t)(2 * n);
	for (size_t i = 0; i < n; i++) {
		out[8 + 2 * i] = (uint8_t)path[i];
		out[9 + 2 * i] = 0;
	}
	return 8 + 2 * n;
}

static uint8_t *tree_connect(struct harness *h, uint64_t mid, uint64_t sid, const char *share, size_t *len)
{
	uint8_t body[160], msg[256];
	size_t l = harness_req(msg, sizeof(msg), SMB2_TREE_CONNECT, mid, 1, sid, 0, body, tcon_body(body, share));
	harness_send(h, msg, l);
	uint8_t *r = harness_recv(h, len, 2000);
	assert_non_null(r);
	return r;
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

/* LOGOFF, then a TREE_CONNECT and an ECHO in the same compound: the
 * session is gone for the tree connect, related or not ([MS-SMB2] 3.3.5.6). */
static void check_logoff_then(bool related)
{
	struct harness *h = new_server_as(NULL, 0x0210);
	uint64_t sid = logon(h, &alice);
	uint8_t msg[512], body[160];
	uint8_t lo[4] = { 4, 0, 0, 0 };
	size_t a = harness_req(msg, sizeof(msg), SMB2_LOGOFF, 3, 1, sid, 0, lo, sizeof(lo));
	size_t a8 = (a + 7) & ~(size_t)7;
	memset(msg + a, 0, a8 - a);
	msg[20] = (uint8_t)a8; /* NextCommand */
	size_t b = harness_req(msg + a8, sizeof(msg) - a8, SMB2_TREE_CONNECT, 4, 1, sid, 0, body,
			       tcon_body(body, "share"));
	if (related)
		msg[a8 + 16] |= 0x04; /* SMB2_FLAGS_RELATED_OPERATIONS */
	harness_send(h, msg, a8 + b);
	size_t len;
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0); /* the LOGOFF */
	uint32_t next = rsp_u32(r, 20);
	assert_true(next >= 64 && next + 64 <= len);
	assert_int_equal(rsp_u16(r, next + 12), SMB2_TREE_CONNECT);
	assert_int_equal(rsp_status(r + next), STATUS_USER_SESSION_DELETED.v);
	free(r);
	assert_int_equal(logoff_status(h, 5, sid), STATUS_USER_SESSION_DELETED.v);
	harness_free(h);
}

static void test_logoff_compound(void **state)
{
	(void)state;
	check_logoff_then(false);
	check_logoff_then(true);
}

/* A CREATE of the srvsvc pipe on tree tid; returns the status. */
static uint32_t open_srvsvc(struct harness *h, uint64_t mid, uint64_t sid, uint32_t tid)
{
	uint8_t body[128], msg[256];
	static const char name[] = "srvsvc";
	memset(body, 0, 56);
	body[0] = 57;
	body[4] = 2;				/* ImpersonationLevel */
	body[24] = 0x9F; body[25] = 0x01; body[26] = 0x12; /* DesiredAccess 0x0012019F */
	body[32] = 7;				/* ShareAccess */
	body[36] = 1;				/* FILE_OPEN */
	body[44] = SMB2_HDR_LEN + 56;		/* NameOffset */
	body[46] = 2 * (sizeof(name) - 1);
	for (size_t i = 0; i < sizeof(name) - 1; i++) {
		body[56 + 2 * i] = (uint8_t)name[i];
		body[57 + 2 * i] = 0;
	}
	size_t l = harness_req(msg, sizeof(msg), SMB2_CREATE, mid, 1, sid, tid, body, 56 + 2 * (sizeof(name) - 1));
	harness_send(h, msg, l);
	size_t len;
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	uint32_t st = rsp_status(r);
	free(r);
	return st;
}

/* restrict anonymous = n: what a null session may do on IPC$. */
static void check_restrict_anonymous(int n)
{
	char conf[256];
	snprintf(conf, sizeof(conf),
		 "[global]\n  restrict anonymous = %d\n[share]\n  path = /tmp\n  guest ok = yes\n", n);
	struct harness *h = new_server_as(conf, 0x0210);
	uint64_t sid = logon(h, &anonymous);
	size_t len;
	uint8_t *r = tree_connect(h, 3, sid, "IPC$", &len);
	if (n >= 2) {
		assert_int_equal(rsp_status(r), STATUS_ACCESS_DENIED.v);
		free(r);
		/* a guest share is not IPC$: still open to the null session */
		r = tree_connect(h, 4, sid, "share", &len);
		assert_int_equal(rsp_status(r), 0);
		free(r);
		harness_free(h);
		return;
	}
	assert_int_equal(rsp_status(r), 0);
	uint32_t tid = rsp_u32(r, 36);
	free(r);
	uint32_t st = open_srvsvc(h, 4, sid, tid);
	assert_int_equal(st, n >= 1 ? STATUS_ACCESS_DENIED.v : 0);
	harness_free(h);
}

static void test_restrict_anonymous(void **state)
{
	(void)state;
	check_restrict_anonymous(0);
	check_restrict_anonymous(1);
	check_restrict_anonymous(2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_raw_ntlmssp_reply),
		cmocka_unit_test(test_failed_reply_leaves_no_session),
		cmocka_unit_test(test_logoff_compound),
		cmocka_unit_test(test_restrict_anonymous),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
