/* Parked requests and connection teardown (issue 14, item 1): a burst of
 * requests that park (CHANGE_NOTIFY, blocking LOCK, the async-sleep test
 * IOCTL, a CREATE waiting for an oplock break) arrives in one write, and the
 * client goes away at once, so that the interim STATUS_PENDING reply of a
 * parked request fails to send and closes the connection while the
 * dispatcher still holds that request. The server must finish each request
 * exactly once (ASan: no double free, no use after free; LSan: no leak),
 * free the connection, and go on serving. */
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/rdwr.h"
#include "conn/conn.h"
#include "event/loop.h"
#include "harness.h"
#include "server/server.h"

#define BURST 16

struct fixture {
	char dir[64];
	struct harness *h;
};

static int setup(void **state)
{
	signal(SIGPIPE, SIG_IGN);
	struct fixture *f = calloc(1, sizeof(*f));
	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/smb3d-park-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	char conf[512];
	snprintf(conf, sizeof(conf),
		 "[global]\n  smb ports = 4450\n  server signing = auto\n  smb3d:torture fsctls = yes\n"
		 "[share]\n  path = %s\n  read only = no\n",
		 f->dir);
	f->h = harness_new(conf);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	harness_free(f->h);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

/* Logs on as a user the server accepts both as root (a Unix account) and
 * not (then the server's own identity), and connects the share. */
static void logon(struct harness *h)
{
	assert_int_equal(harness_logon(h, "root", "secret"), 0);
	assert_int_equal(harness_tree_connect(h, "share"), 0);
}

/* Appends one framed request to out (a burst built up in memory). */
static size_t frame_into(uint8_t *out, size_t cap, struct harness *h, uint16_t cmd, const uint8_t *body,
			 size_t body_len)
{
	uint8_t *msg = out + 4;
	size_t n = harness_req(msg, cap - 4, cmd, harness_mid(h), 1, h->session_id, h->tree_id, body, body_len);
	assert_true(n > 0);
	out[0] = 0;
	out[1] = (uint8_t)(n >> 16);
	out[2] = (uint8_t)(n >> 8);
	out[3] = (uint8_t)n;
	return n + 4;
}

static size_t notify_body(uint8_t *b, size_t cap, const uint8_t fid[16])
{
	struct wr w = wr_init(b, cap);
	wr_u16(&w, 32);
	wr_u16(&w, 0x0001); /* WATCH_TREE */
	wr_u32(&w, 4096);
	wr_bytes(&w, fid, 16);
	wr_u32(&w, 0x17f); /* all changes */
	wr_u32(&w, 0);
	return w.pos;
}

static size_t lock_body(uint8_t *b, size_t cap, const uint8_t fid[16], uint32_t flags)
{
	struct wr w = wr_init(b, cap);
	wr_u16(&w, 48);
	wr_u16(&w, 1);
	wr_u32(&w, 0);
	wr_bytes(&w, fid, 16);
	wr_u64(&w, 0);	/* offset */
	wr_u64(&w, 10); /* length */
	wr_u32(&w, flags);
	wr_u32(&w, 0);
	return w.pos;
}

static size_t async_sleep_body(uint8_t *b, size_t cap, const uint8_t fid[16])
{
	struct wr w = wr_init(b, cap);
	wr_u16(&w, 57);
	wr_u16(&w, 0);
	wr_u32(&w, 0x83848043); /* FSCTL_SMBTORTURE_FSP_ASYNC_SLEEP */
	wr_bytes(&w, fid, 16);
	wr_u32(&w, 64 + 56); /* InputOffset */
	wr_u32(&w, 1);	     /* InputCount */
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u32(&w, 1); /* SMB2_0_IOCTL_IS_FSCTL */
	wr_u32(&w, 0);
	wr_u8(&w, 200); /* sleep 200 ms */
	return w.pos;
}

/* CREATE of name asking for a batch oplock. */
static size_t create_body(uint8_t *b, size_t cap, const char *name, uint32_t disposition)
{
	struct wr w = wr_init(b, cap);
	wr_u16(&w, 57);
	wr_u8(&w, 0);
	wr_u8(&w, 0x09); /* SMB2_OPLOCK_LEVEL_BATCH */
	wr_u32(&w, 2);
	wr_u64(&w, 0);
	wr_u64(&w, 0);
	wr_u32(&w, 0x3); /* FILE_READ_DATA | FILE_WRITE_DATA */
	wr_u32(&w, 0x80);
	wr_u32(&w, 0x7);
	wr_u32(&w, disposition);
	wr_u32(&w, 0x40); /* FILE_NON_DIRECTORY_FILE */
	wr_u16(&w, 64 + 56);
	size_t len_at = w.pos;
	wr_u16(&w, 0);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	size_t n = 0;
	for (; name[n]; n++)
		wr_u16(&w, (uint8_t)name[n]);
	wr_patch_u16(&w, len_at, (uint16_t)(2 * n));
	return w.pos;
}

/* The burst arrives in one write; how the client leaves is up to the caller. */
static void send_burst(struct harness *h, const uint8_t *buf, size_t len)
{
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(h->cfd, buf + off, len - off);
		assert_true(n > 0); /* BURST small requests fit the socket buffer */
		off += (size_t)n;
	}
}

/* The client is gone: every connection must be freed (the parked requests
 * finished exactly once), and a new client is served. */
static void assert_recovers(struct harness *h)
{
	assert_true(harness_run_until_no_conns(h, 5000));
	assert_int_equal(atomic_load(&h->srv->n_conns), 0);
	harness_reconnect(h);
	logon(h);
	uint8_t buf[128], echo[4] = { 4, 0, 0, 0 };
	size_t n = harness_req(buf, sizeof(buf), 13 /* ECHO */, harness_mid(h), 1, h->session_id, 0, echo, 4);
	harness_send(h, buf, n);
	size_t rlen;
	uint8_t *r = harness_recv(h, &rlen, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	free(r);
}

/* Closes the client end: the server reads the burst, and its first interim
 * reply fails with EPIPE. */
static void client_reset(struct harness *h)
{
	close(h->cfd);
	h->cfd = -1;
	h->closed = true;
}

static void test_notify_burst_then_reset(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	logon(h);
	uint8_t dir[16];
	assert_int_equal(harness_create(h, "", 0x1 | 0x100000, 0x7, 1, 0x1, dir), 0);
	uint8_t burst[BURST * 128], body[64];
	size_t len = 0;
	for (int i = 0; i < BURST; i++)
		len += frame_into(burst + len, sizeof(burst) - len, h, 15 /* CHANGE_NOTIFY */, body,
				  notify_body(body, sizeof(body), dir));
	send_burst(h, burst, len);
	client_reset(h);
	assert_recovers(h);
}

static void test_lock_burst_then_reset(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	logon(h);
	uint8_t a[16], b[16];
	assert_int_equal(harness_create(h, "locked", 0x3, 0x7, 3 /* FILE_OPEN_IF */, 0x40, a), 0);
	assert_int_equal(harness_create(h, "locked", 0x3, 0x7, 1, 0x40, b), 0);
	/* a holds the range; b's blocking locks must wait */
	uint8_t body[128], buf[256];
	size_t n = harness_req(buf, sizeof(buf), 10 /* LOCK */, harness_mid(h), 64, h->session_id, h->tree_id, body,
			       lock_body(body, sizeof(body), a, 0x2 | 0x10));
	harness_send(h, buf, n);
	size_t rlen;
	uint8_t *r = harness_recv(h, &rlen, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	free(r);
	uint8_t burst[BURST * 160];
	size_t len = 0;
	for (int i = 0; i < BURST; i++)
		len += frame_into(burst + len, sizeof(burst) - len, h, 10, body, lock_body(body, sizeof(body), b, 0x2));
	send_burst(h, burst, len);
	client_reset(h);
	assert_recovers(h);
}

static void test_async_ioctl_burst_then_reset(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	logon(h);
	uint8_t fid[16];
	assert_int_equal(harness_create(h, "sleepy", 0x3, 0x7, 3, 0x40, fid), 0);
	uint8_t burst[BURST * 160], body[128];
	size_t len = 0;
	for (int i = 0; i < BURST; i++)
		len += frame_into(burst + len, sizeof(burst) - len, h, 11 /* IOCTL */, body,
				  async_sleep_body(body, sizeof(body), fid));
	send_burst(h, burst, len);
	client_reset(h);
	assert_recovers(h);
}

/* A CREATE that must wait for a batch oplock's break parks after its
 * offloaded work, from the completion on the loop. The client stops reading
 * (SHUT_RD: the server's writes fail) but the server still reads the whole
 * burst, so each CREATE gets to park before the connection notices. */
static void test_create_break_burst_then_reset(void **state)
{
	struct fixture *f = *state;
	struct harness *h = f->h;
	logon(h);
	uint8_t body[256], buf[512];
	size_t n = harness_req(buf, sizeof(buf), 5, harness_mid(h), 64, h->session_id, h->tree_id, body,
			       create_body(body, sizeof(body), "batch", 3 /* FILE_OPEN_IF */));
	harness_send(h, buf, n);
	size_t rlen;
	uint8_t *r = harness_recv(h, &rlen, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	assert_int_equal(r[66], 0x09); /* the batch oplock was granted */
	free(r);
	uint8_t burst[BURST * 256];
	size_t len = 0;
	for (int i = 0; i < BURST; i++)
		len += frame_into(burst + len, sizeof(burst) - len, h, 5, body, create_body(body, sizeof(body), "batch", 1 /* FILE_OPEN */));
	send_burst(h, burst, len);
	assert_int_equal(shutdown(h->cfd, SHUT_RD), 0);
	assert_recovers(h);
}

/* A CREATE whose offloaded work started an oplock break, from a client that
 * is gone before the work comes back: the holder must still be sent the
 * break (else it is marked breaking but never asked, and every later open
 * waits out the break timeout), and the waiter the work left in fsa/ must
 * be unlinked before the request is freed. */
static void test_break_sent_when_requester_leaves(void **state)
{
	struct fixture *f = *state;
	struct harness *a = f->h;
	logon(a);
	uint8_t body[256], buf[512];
	size_t n = harness_req(buf, sizeof(buf), 5, harness_mid(a), 64, a->session_id, a->tree_id, body,
			       create_body(body, sizeof(body), "held", 3 /* FILE_OPEN_IF */));
	harness_send(a, buf, n);
	size_t rlen;
	uint8_t *r = harness_recv(a, &rlen, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	assert_int_equal(r[66], 0x09); /* batch */
	free(r);

	struct harness *b = harness_second(a);
	logon(b);
	n = harness_req(buf, sizeof(buf), 5, harness_mid(b), 64, b->session_id, b->tree_id, body,
			create_body(body, sizeof(body), "held", 1 /* FILE_OPEN */));
	harness_send(b, buf, n); /* dispatched: its work is on the offload pool */
	conn_close(b->conn, "test: the client is gone");

	r = harness_recv(a, &rlen, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_u16(r, 12), 0x12); /* OPLOCK_BREAK */
	assert_true(rsp_u64(r, 24) == UINT64_MAX);
	free(r);
	harness_free(b);
	client_reset(a);
	assert_recovers(a);
}

/* argv[1]: run only the tests matching this pattern */
int main(int argc, char **argv)
{
	if (argc > 1)
		cmocka_set_test_filter(argv[1]);
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_notify_burst_then_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock_burst_then_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_async_ioctl_burst_then_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_break_burst_then_reset, setup, teardown),
		cmocka_unit_test_setup_teardown(test_break_sent_when_requester_leaves, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
