/* Limits against hostile clients (docs/security.md, "Limits") over a real
 * connection: the logon timer runs until a session is authenticated, the
 * pre-auth frame cap holds until then, logons in progress per connection
 * are capped, a connection with very many sessions tears down in one pass,
 * opens per connection and waiting CHANGE_NOTIFYs are bounded. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../auth/ntlm_client.h"
#include "auth/spnego.h"
#include "base/idtable.h"
#include "base/rdwr.h"
#include "conn/conn.h"
#include "event/loop.h"
#include "harness.h"
#include "server/server.h"

#define ST_MORE_PROCESSING 0xC0000016u
#define ST_INSUFFICIENT_RESOURCES 0xC000009Au
#define ST_TOO_MANY_OPENED_FILES 0xC000011Fu
#define ST_PENDING 0x00000103u

struct client {
	struct harness *h;
	uint64_t mid;
	uint64_t sid;
	uint32_t tid;
};

/* Sends one request and returns its (final) response; interim
 * STATUS_PENDING replies are skipped unless want_interim. */
static uint8_t *call(struct client *cl, uint16_t cmd, uint64_t sid, uint32_t tid, const uint8_t *body,
		     size_t body_len, bool want_interim)
{
	uint8_t buf[4096];
	size_t l = harness_req(buf, sizeof(buf), cmd, cl->mid++, 64, sid, tid, body, body_len);
	assert_true(l > 0);
	harness_send(cl->h, buf, l);
	for (;;) {
		size_t len;
		uint8_t *r = harness_recv(cl->h, &len, 3000);
		if (!r || want_interim || rsp_status(r) != ST_PENDING || !(rsp_u32(r, 16) & 2))
			return r;
		free(r);
	}
}

static void negotiate(struct client *cl)
{
	uint8_t buf[512];
	uint16_t d = 0x0210;
	size_t l = harness_negotiate(buf, sizeof(buf), cl->mid++, &d, 1, NULL, 0, NULL, 0);
	harness_send(cl->h, buf, l);
	size_t len;
	uint8_t *r = harness_recv(cl->h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	free(r);
}

/* A SESSION_SETUP carrying `tok` (raw NTLMSSP) for session sid. */
static uint8_t *sess_setup(struct client *cl, uint64_t sid, const uint8_t *tok, size_t tok_len)
{
	uint8_t body[2048];
	struct wr w = wr_init(body, sizeof(body));
	wr_u16(&w, 25);
	wr_u8(&w, 0); /* Flags */
	wr_u8(&w, 1); /* SecurityMode: signing enabled */
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u16(&w, 64 + 24);
	wr_u16(&w, (uint16_t)tok_len);
	wr_u64(&w, 0);
	wr_bytes(&w, tok, tok_len);
	assert_false(w.bad);
	return call(cl, 1, sid, 0, body, w.pos, false);
}

/* The first NTLM leg only (what the flood sends): a session in progress. */
static uint64_t first_leg(struct client *cl, struct tc *tc, uint32_t *status)
{
	size_t neg_len;
	const uint8_t *neg = tc_negotiate(tc, &neg_len);
	uint8_t *r = sess_setup(cl, 0, neg, neg_len);
	assert_non_null(r);
	*status = rsp_status(r);
	uint64_t sid = rsp_u64(r, 40);
	free(r);
	return sid;
}

static const struct tc_opts user_opts = { .user = "root", .domain = "", .password = "pw", .workstation = "T" };

/* A full logon as the harness's test user, in SPNEGO (its last reply
 * carries a token, as Windows and Samba clients get): the final status. */
static uint32_t try_logon(struct client *cl)
{
	struct tc tc;
	tc_init(&tc, &user_opts);
	size_t neg_len, tok_len;
	const uint8_t *neg = tc_negotiate(&tc, &neg_len);
	uint8_t *tok = tc_spnego_init(0, neg, neg_len, &tok_len);
	uint8_t *r = sess_setup(cl, 0, tok, tok_len);
	free(tok);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), ST_MORE_PROCESSING);
	cl->sid = rsp_u64(r, 40);
	size_t off = rsp_u16(r, 64 + 4), blen = rsp_u16(r, 64 + 6);
	struct spnego_token t;
	assert_true(NT_OK(spnego_decode(r + off, blen, &t)));
	assert_true(t.response_token.present);
	size_t auth_len;
	uint8_t *auth = tc_authenticate(&tc, t.response_token.p, t.response_token.len, &auth_len);
	assert_non_null(auth);
	free(r);
	tok = tc_spnego_resp(auth, auth_len, NULL, 0, &tok_len);
	free(auth);
	r = sess_setup(cl, cl->sid, tok, tok_len);
	free(tok);
	assert_non_null(r);
	uint32_t st = rsp_status(r);
	free(r);
	tc_free(&tc);
	return st;
}

static void logon(struct client *cl)
{
	assert_int_equal(try_logon(cl), 0);
}

static void tree_connect(struct client *cl, const char *share)
{
	char path[128];
	snprintf(path, sizeof(path), "\\\\h\\%s", share);
	uint8_t body[512];
	struct wr w = wr_init(body, sizeof(body));
	wr_u16(&w, 9);
	wr_u16(&w, 0);
	wr_u16(&w, 64 + 8);
	wr_u16(&w, (uint16_t)(strlen(path) * 2));
	for (const char *p = path; *p; p++)
		wr_u16(&w, (uint16_t)*p);
	uint8_t *r = call(cl, 3, cl->sid, 0, body, w.pos, false);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	cl->tid = rsp_u32(r, 36);
	free(r);
}

/* CREATE of `name` (FILE_OPEN_IF); returns the status, the FileId in fid. */
static uint32_t create(struct client *cl, const char *name, bool dir, uint8_t fid[16])
{
	uint8_t body[512];
	struct wr w = wr_init(body, sizeof(body));
	wr_u16(&w, 57);
	wr_u8(&w, 0);
	wr_u8(&w, 0);	 /* no oplock */
	wr_u32(&w, 2);	 /* impersonation */
	wr_zero(&w, 16); /* SmbCreateFlags, Reserved */
	wr_u32(&w, 0x12019F); /* generic read/write-ish */
	wr_u32(&w, dir ? 0x10 : 0x80);
	wr_u32(&w, 7);			    /* share all */
	wr_u32(&w, 3);			    /* FILE_OPEN_IF */
	wr_u32(&w, dir ? 1 : 0x40);	    /* DIRECTORY_FILE / NON_DIRECTORY_FILE */
	wr_u16(&w, 64 + 56);
	wr_u16(&w, (uint16_t)(strlen(name) * 2));
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	for (const char *p = name; *p; p++)
		wr_u16(&w, (uint16_t)*p);
	assert_false(w.bad);
	uint8_t *r = call(cl, 5, cl->sid, cl->tid, body, w.pos, false);
	assert_non_null(r);
	uint32_t st = rsp_status(r);
	if (st == 0 && fid)
		memcpy(fid, r + 64 + 64, 16);
	free(r);
	return st;
}

static uint32_t close_fid(struct client *cl, const uint8_t fid[16])
{
	uint8_t body[24] = { 24, 0 };
	memcpy(body + 8, fid, 16);
	uint8_t *r = call(cl, 6, cl->sid, cl->tid, body, sizeof(body), false);
	assert_non_null(r);
	uint32_t st = rsp_status(r);
	free(r);
	return st;
}

static uint32_t echo(struct client *cl)
{
	uint8_t body[4] = { 4, 0 };
	uint8_t *r = call(cl, 13, 0, 0, body, sizeof(body), false);
	if (!r)
		return UINT32_MAX;
	uint32_t st = rsp_status(r);
	free(r);
	return st;
}

static char share_dir[64];

static struct client *client_new(const char *extra_global)
{
	snprintf(share_dir, sizeof(share_dir), "/tmp/smb3d-limits.XXXXXX");
	assert_non_null(mkdtemp(share_dir));
	char conf[1024];
	snprintf(conf, sizeof(conf),
		 "[global]\n  smb ports = 4450\n  server signing = auto\n%s\n[share]\n  path = %s\n  read only = no\n",
		 extra_global ? extra_global : "", share_dir);
	struct client *cl = calloc(1, sizeof(*cl));
	assert_non_null(cl);
	cl->h = harness_new(conf);
	struct server *srv = cl->h->srv;
	srv->have_serve_user = true;
	snprintf(srv->serve_user, sizeof(srv->serve_user), "root");
	assert_true(ntlm_nt_hash("pw", srv->serve_nt_hash));
	negotiate(cl);
	return cl;
}

static void client_free(struct client *cl)
{
	harness_free(cl->h);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", share_dir);
	assert_int_equal(system(cmd), 0);
	free(cl);
}

/* Item 2: one NTLM NEGOTIATE leg, then ECHOs to look alive: the
 * connection is still closed when the logon timeout passes. */
static void test_logon_timer_half_authenticated(void **state)
{
	(void)state;
	struct client *cl = client_new("  smb3d:logon timeout = 1");
	struct tc tc;
	tc_init(&tc, &user_opts);
	uint32_t st;
	first_leg(cl, &tc, &st);
	assert_int_equal(st, ST_MORE_PROCESSING);
	int echoes = 0;
	for (int i = 0; i < 30 && !cl->h->closed; i++) {
		if (echo(cl) == 0)
			echoes++;
		ev_loop_run_once(cl->h->loop, 100);
	}
	assert_true(echoes >= 1);
	assert_true(cl->h->closed);
	tc_free(&tc);
	client_free(cl);
}

/* The control: an authenticated connection outlives the timeout. */
static void test_logon_timer_authenticated_stays(void **state)
{
	(void)state;
	struct client *cl = client_new("  smb3d:logon timeout = 1");
	logon(cl);
	for (int i = 0; i < 15; i++)
		ev_loop_run_once(cl->h->loop, 100);
	assert_int_equal(echo(cl), 0);
	assert_false(cl->h->closed);
	client_free(cl);
}

/* Item 3: after a first leg the frame cap is still the pre-auth one; after
 * a logon a large frame is taken. */
static void test_preauth_frame_cap(void **state)
{
	(void)state;
	struct client *cl = client_new(NULL);
	struct tc tc;
	tc_init(&tc, &user_opts);
	uint32_t st;
	first_leg(cl, &tc, &st);
	assert_int_equal(st, ST_MORE_PROCESSING);
	uint8_t big_len[4] = { 0, 0x10, 0, 0 }; /* 1 MiB announced */
	harness_send_raw(cl->h, big_len, 4);
	size_t len;
	uint8_t *r = harness_recv(cl->h, &len, 1000);
	assert_null(r);
	assert_true(cl->h->closed);
	tc_free(&tc);
	client_free(cl);

	cl = client_new(NULL);
	logon(cl);
	harness_send_raw(cl->h, big_len, 4);
	r = harness_recv(cl->h, &len, 200);
	assert_null(r);
	assert_false(cl->h->closed); /* waiting for the rest of the frame */
	client_free(cl);
}

/* Item 4: SessionId 0 SESSION_SETUPs beyond the cap are refused with
 * STATUS_INSUFFICIENT_RESOURCES; the connection and a real logon go on. */
static void test_sessions_in_progress_cap(void **state)
{
	(void)state;
	struct client *cl = client_new(NULL);
	struct tc tc;
	tc_init(&tc, &user_opts);
	for (int i = 0; i < CONN_MAX_SESSIONS_IN_PROGRESS; i++) {
		uint32_t st;
		first_leg(cl, &tc, &st);
		assert_int_equal(st, ST_MORE_PROCESSING);
	}
	for (int i = 0; i < 3; i++) {
		uint32_t st;
		first_leg(cl, &tc, &st);
		assert_int_equal(st, ST_INSUFFICIENT_RESOURCES);
	}
	assert_int_equal(cl->h->conn->sessions.count, CONN_MAX_SESSIONS_IN_PROGRESS);
	assert_false(cl->h->closed);
	assert_int_equal(echo(cl), 0);
	tc_free(&tc);
	client_free(cl);
}

/* The teardown relies on this: removing the entry under the cursor leaves
 * the cursor valid, and one pass visits every entry once. */
static void test_idtable_remove_while_iterating(void **state)
{
	(void)state;
	struct idtable t;
	idtable_init(&t);
	enum { N = 5000 };
	static int seen[N + 1];
	for (uintptr_t i = 1; i <= N; i++)
		assert_true(idtable_insert(&t, i * 7919, (void *)i));
	size_t cur = 0, visits = 0;
	uint64_t id;
	void *v;
	while ((v = idtable_next(&t, &cur, &id)) != NULL) {
		assert_ptr_equal(idtable_remove(&t, id), v);
		seen[(uintptr_t)v]++;
		visits++;
	}
	assert_int_equal(visits, N);
	assert_int_equal(t.count, 0);
	for (int i = 1; i <= N; i++)
		assert_int_equal(seen[i], 1);
	idtable_free(&t);
}

/* Item 4: a connection holding 100,000 sessions tears down in one pass
 * over its tables (a restart from slot 0 after each unlink was quadratic:
 * 200,000 sessions blocked the loop for 46 s). Counted, not timed. */
static void test_many_sessions_teardown(void **state)
{
	(void)state;
	enum { N = 100000 };
	struct client *cl = client_new(NULL);
	struct conn *c = cl->h->conn;
	for (int i = 0; i < N; i++)
		assert_non_null(session_new(c)); /* past the protocol's cap on purpose */
	assert_int_equal(c->sessions.count, N);
	assert_int_equal(cl->h->srv->sessions.count, N);
	size_t cap = c->sessions.cap;
	conn_close(c, "test");
	cl->h->closed = true;
	uint64_t before = idtable_slots_scanned();
	ev_loop_run_once(cl->h->loop, 0); /* the deferred free: conn_free_now */
	uint64_t scanned = idtable_slots_scanned() - before;
	assert_int_equal(cl->h->srv->sessions.count, 0);
	assert_true(scanned <= 2 * cap + 1024); /* quadratic: about N * cap / 2 */
	client_free(cl);
}

/* Item 6: `max open files` bounds the opens of a connection; a close makes
 * room again. */
static void test_open_limit(void **state)
{
	(void)state;
	struct client *cl = client_new("  max open files = 4");
	logon(cl);
	tree_connect(cl, "share");
	uint8_t fids[4][16];
	char name[32];
	for (int i = 0; i < 4; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		assert_int_equal(create(cl, name, false, fids[i]), 0);
	}
	assert_int_equal(create(cl, "f0", false, NULL), ST_TOO_MANY_OPENED_FILES);
	assert_int_equal(create(cl, "new", false, NULL), ST_TOO_MANY_OPENED_FILES);
	struct stat stb;
	char path[128];
	snprintf(path, sizeof(path), "%s/new", share_dir);
	assert_int_not_equal(stat(path, &stb), 0); /* refused before it was created */
	assert_int_equal(close_fid(cl, fids[0]), 0);
	assert_int_equal(create(cl, "new", false, fids[0]), 0);
	for (int i = 0; i < 4; i++)
		assert_int_equal(close_fid(cl, fids[i]), 0);
	assert_int_equal(atomic_load(&cl->h->srv->n_opens), 0);
	client_free(cl);
}

/* CHANGE_NOTIFY on a directory handle; returns the first reply's status. */
static uint32_t notify(struct client *cl, const uint8_t fid[16])
{
	uint8_t body[32] = { 32, 0 };
	body[4] = 0; /* OutputBufferLength 4096 */
	body[5] = 0x10;
	memcpy(body + 8, fid, 16);
	body[24] = 0x17; /* CompletionFilter: names, attributes, ... */
	uint8_t *r = call(cl, 15, cl->sid, cl->tid, body, sizeof(body), true);
	assert_non_null(r);
	uint32_t st = rsp_status(r);
	free(r);
	return st;
}

/* Item 6: waiting CHANGE_NOTIFYs per connection are bounded
 * (`smb3d:max async requests`): the one past the limit gets
 * STATUS_INSUFFICIENT_RESOURCES, and a CLOSE ends the others. */
static void test_pending_notify_limit(void **state)
{
	(void)state;
	struct client *cl = client_new("  smb3d:max async requests = 20");
	logon(cl);
	tree_connect(cl, "share");
	uint8_t dir[16];
	assert_int_equal(create(cl, "", true, dir), 0);
	for (int i = 0; i < 20; i++)
		assert_int_equal(notify(cl, dir), ST_PENDING);
	assert_int_equal(cl->h->conn->async_reqs.count, 20);
	assert_int_equal(notify(cl, dir), ST_INSUFFICIENT_RESOURCES);
	assert_int_equal(notify(cl, dir), ST_INSUFFICIENT_RESOURCES);
	assert_int_equal(cl->h->conn->async_reqs.count, 20);
	assert_int_equal(server_usage_get(cl->h->srv, server_user_key("root"), USAGE_ASYNC), 20);
	/* CLOSE: the 20 complete with STATUS_NOTIFY_CLEANUP, then the CLOSE */
	uint8_t body[24] = { 24, 0 };
	memcpy(body + 8, dir, 16);
	uint8_t buf[256];
	size_t l = harness_req(buf, sizeof(buf), 6, cl->mid++, 64, cl->sid, cl->tid, body, sizeof(body));
	harness_send(cl->h, buf, l);
	for (int i = 0; i < 21; i++) {
		size_t len;
		uint8_t *r = harness_recv(cl->h, &len, 3000);
		assert_non_null(r);
		free(r);
	}
	assert_int_equal(cl->h->conn->async_reqs.count, 0);
	assert_int_equal(server_usage_get(cl->h->srv, server_user_key("root"), USAGE_ASYNC), 0);
	client_free(cl);
}

/* LOCK of [0, 10) on fid: exclusive, failing at once or waiting. */
static uint32_t lock(struct client *cl, const uint8_t fid[16], bool wait)
{
	uint8_t body[48] = { 48, 0, 1, 0 }; /* StructureSize, LockCount 1 */
	memcpy(body + 8, fid, 16);
	body[32] = 10;			    /* Length */
	body[40] = wait ? 0x02 : 0x12;	    /* EXCLUSIVE (| FAIL_IMMEDIATELY) */
	uint8_t *r = call(cl, 10, cl->sid, cl->tid, body, sizeof(body), true);
	assert_non_null(r);
	uint32_t st = rsp_status(r);
	free(r);
	return st;
}

/* Item 6: blocking locks waiting on a file are bounded the same way. */
static void test_pending_lock_limit(void **state)
{
	(void)state;
	struct client *cl = client_new("  smb3d:max async requests = 10");
	logon(cl);
	tree_connect(cl, "share");
	uint8_t a[16], b[16];
	assert_int_equal(create(cl, "locked", false, a), 0);
	assert_int_equal(create(cl, "locked", false, b), 0);
	assert_int_equal(lock(cl, a, false), 0);
	for (int i = 0; i < 10; i++)
		assert_int_equal(lock(cl, b, true), ST_PENDING);
	assert_int_equal(lock(cl, b, true), ST_INSUFFICIENT_RESOURCES);
	assert_int_equal(cl->h->conn->async_reqs.count, 10);
	/* closing b ends its waiting requests */
	uint8_t body[24] = { 24, 0 };
	memcpy(body + 8, b, 16);
	uint8_t buf[256];
	size_t l = harness_req(buf, sizeof(buf), 6, cl->mid++, 64, cl->sid, cl->tid, body, sizeof(body));
	harness_send(cl->h, buf, l);
	for (int i = 0; i < 11; i++) {
		size_t len;
		uint8_t *r = harness_recv(cl->h, &len, 3000);
		assert_non_null(r);
		free(r);
	}
	assert_int_equal(cl->h->conn->async_reqs.count, 0);
	assert_int_equal(close_fid(cl, a), 0);
	client_free(cl);
}

/* Per user: authenticated sessions (`smb3d:max sessions per user`) and
 * open files across that user's sessions (`smb3d:max open files per
 * user`). */
static void test_per_user_limits(void **state)
{
	(void)state;
	struct client *cl = client_new("  smb3d:max sessions per user = 2\n  smb3d:max open files per user = 3");
	logon(cl);
	uint64_t s1 = cl->sid;
	tree_connect(cl, "share");
	uint32_t t1 = cl->tid;
	logon(cl);
	tree_connect(cl, "share");
	uint8_t fid[3][16];
	assert_int_equal(create(cl, "a", false, fid[0]), 0);
	assert_int_equal(create(cl, "b", false, fid[1]), 0);
	uint64_t s2 = cl->sid;
	uint32_t t2 = cl->tid;
	cl->sid = s1;
	cl->tid = t1;
	assert_int_equal(create(cl, "c", false, fid[2]), 0);
	assert_int_equal(create(cl, "d", false, NULL), ST_TOO_MANY_OPENED_FILES); /* the user's 4th */
	assert_int_equal(try_logon(cl), 0xC00000D0u); /* STATUS_REQUEST_NOT_ACCEPTED: a 3rd session */
	assert_int_equal(cl->h->conn->sessions.count, 2); /* the refused one is gone */
	/* LOGOFF of the second session closes its two opens and its count */
	uint8_t body[4] = { 4, 0 };
	uint8_t *r = call(cl, 2, s2, 0, body, sizeof(body), false);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	free(r);
	(void)t2;
	cl->sid = s1; /* try_logon left the refused session's id */
	assert_int_equal(server_usage_get(cl->h->srv, server_user_key("root"), USAGE_OPENS), 1);
	assert_int_equal(server_usage_get(cl->h->srv, server_user_key("root"), USAGE_SESSIONS), 1);
	assert_int_equal(create(cl, "d", false, NULL), 0);
	logon(cl);
	client_free(cl);
}

int main(void)
{
	signal(SIGPIPE, SIG_IGN); /* writes to a connection the server closed */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_logon_timer_half_authenticated),
		cmocka_unit_test(test_logon_timer_authenticated_stays),
		cmocka_unit_test(test_preauth_frame_cap),
		cmocka_unit_test(test_sessions_in_progress_cap),
		cmocka_unit_test(test_idtable_remove_while_iterating),
		cmocka_unit_test(test_many_sessions_teardown),
		cmocka_unit_test(test_open_limit),
		cmocka_unit_test(test_pending_notify_limit),
		cmocka_unit_test(test_pending_lock_limit),
		cmocka_unit_test(test_per_user_limits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
