/* Failed-logon back-off (server_logon_result, server/users.c): counters per
 * user name and per client network, release slots that make parallel
 * guesses wait in line like sequential ones, successes that wait behind the
 * failures before them, counters other users and anonymous logons cannot
 * reset, no network counter for loopback (SSH tunnels), fail-closed when
 * the table is full. And on the wire: a held reply holds every later reply
 * of its connection, so pipelining gains nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <time.h>

#include <cmocka.h>

#include "../auth/ntlm_client.h"
#include "base/ntstatus.h"
#include "conn/conn.h"
#include "harness.h"
#include "server/server.h"
#include "wire/smb2.h"

static struct sockaddr_storage v4(const char *a)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in *in = (struct sockaddr_in *)&ss;
	in->sin_family = AF_INET;
	assert_int_equal(inet_pton(AF_INET, a, &in->sin_addr), 1);
	return ss;
}

static struct sockaddr_storage v6(const char *a)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	struct sockaddr_in6 *in = (struct sockaddr_in6 *)&ss;
	in->sin6_family = AF_INET6;
	assert_int_equal(inet_pton(AF_INET6, a, &in->sin6_addr), 1);
	return ss;
}

#define FAIL(srv, addr, user) server_logon_result((srv), (addr), (user), true)
#define OK(srv, addr, user) server_logon_result((srv), (addr), (user), false)

static void test_parallel_guesses_wait_in_line(void **state)
{
	(void)state;
	struct harness *h = harness_new(NULL);
	struct sockaddr_storage a = v4("192.0.2.7");
	/* three free tries, then slots 200, 400, 800, 1600, 3200, 5000 ms apart,
	 * taken back to back as a client sending them all at once would */
	for (int i = 0; i < 3; i++)
		assert_int_equal(FAIL(h->srv, &a, "alice"), 0);
	uint32_t want = 0, gaps[] = { 200, 400, 800, 1600, 3200, 5000, 5000, 5000, 5000 };
	for (size_t i = 0; i < sizeof(gaps) / sizeof(gaps[0]); i++) {
		want += gaps[i];
		uint32_t d = FAIL(h->srv, &a, "alice");
		assert_true(d <= want && d + 50 >= want); /* the clock may tick meanwhile */
	}
	/* the next would wait past 30 s: not answered at all */
	assert_int_equal(FAIL(h->srv, &a, "alice"), SERVER_LOGON_DROP);
	/* a right guess now does not come back before the wrong ones in line */
	uint32_t d = OK(h->srv, &a, "alice");
	assert_true(d + 50 >= want && d <= want);
	harness_free(h);
}

static void test_counters_hold(void **state)
{
	(void)state;
	struct harness *h = harness_new(NULL);
	struct sockaddr_storage a = v4("198.51.100.20"), b = v4("198.51.100.21"), far = v4("203.0.113.9");
	for (int i = 0; i < 4; i++)
		FAIL(h->srv, &a, "bob");
	/* another user's success from that network waits behind its failures
	 * (else a password sprayed over many users would be answered at once
	 * when it is right), and resets nothing */
	assert_true(OK(h->srv, &a, "carol") > 0);
	assert_true(FAIL(h->srv, &a, "bob") >= 400);
	/* the next address of the same /24 shares the network's counter */
	assert_true(FAIL(h->srv, &b, "dave") > 0);
	/* and a far address still meets bob's own counter */
	assert_true(FAIL(h->srv, &far, "BOB") > 0);
	/* bob's own success resets bob's counter, not the network's */
	(void)OK(h->srv, &far, "bob");
	assert_int_equal(FAIL(h->srv, &far, "bob"), 0);
	assert_true(FAIL(h->srv, &b, "erin") > 0);
	harness_free(h);
}

static void test_networks(void **state)
{
	(void)state;
	struct harness *h = harness_new(NULL);
	/* IPv6: one /64 is one network */
	struct sockaddr_storage x = v6("2001:db8:1:2::1"), y = v6("2001:db8:1:2:ffff::9");
	for (int i = 0; i < 3; i++)
		FAIL(h->srv, &x, "u1");
	assert_true(FAIL(h->srv, &y, "u2") > 0);
	/* loopback (every SSH-tunnel client): no network counter, so one
	 * user's failures do not slow down another's logons */
	char addr[32];
	for (int i = 0; i < 8; i++) {
		snprintf(addr, sizeof(addr), "127.0.%d.%d", i, i + 1);
		struct sockaddr_storage l = v4(addr);
		FAIL(h->srv, &l, "mallory-target");
	}
	struct sockaddr_storage l = v4("127.0.0.1"), l6 = v6("::1");
	assert_int_equal(FAIL(h->srv, &l, "someone-else"), 0);
	assert_int_equal(FAIL(h->srv, &l6, "someone-else"), 0);
	/* ...while the user's own counter holds across rotating addresses */
	assert_true(FAIL(h->srv, &l, "mallory-target") > 0);
	harness_free(h);
}

static void test_table_full_fails_closed(void **state)
{
	(void)state;
	struct harness *h = harness_new(NULL);
	struct sockaddr_storage l = v4("127.0.0.1");
	char user[32];
	for (int i = 0; i < 10000; i++) {
		snprintf(user, sizeof(user), "spray%d", i);
		assert_int_equal(FAIL(h->srv, &l, user), 0);
	}
	assert_int_equal(FAIL(h->srv, &l, "one-more"), 5000);
	/* counters already there work as before */
	assert_int_equal(FAIL(h->srv, &l, "spray1"), 0);
	harness_free(h);
}

/* --- on the wire: a held reply holds what follows it --- */

static const struct tc_opts wrong = {
	.user = "alice", .domain = "WORKGROUP", .password = "not-it", .workstation = "WS1",
};

static size_t session_setup_msg(uint8_t *msg, size_t cap, uint64_t mid, uint64_t sid, const uint8_t *tok, size_t n)
{
	uint8_t body[1024];
	memset(body, 0, 24);
	body[0] = 25;
	body[3] = 1;
	body[12] = SMB2_HDR_LEN + 24;
	body[14] = (uint8_t)n;
	body[15] = (uint8_t)(n >> 8);
	memcpy(body + 24, tok, n);
	return harness_req(msg, cap, SMB2_SESSION_SETUP, mid, 8, sid, 0, body, 24 + n);
}

static uint64_t ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void test_pipelined_reply_waits(void **state)
{
	(void)state;
	struct harness *h = harness_new(NULL);
	h->srv->is_root = false;
	h->srv->have_serve_user = true;
	snprintf(h->srv->serve_user, sizeof(h->srv->serve_user), "%s", "alice");
	assert_true(ntlm_nt_hash("Passw0rd!", h->srv->serve_nt_hash));
	/* alice's counter is past its free tries: her next failure waits 200+ ms */
	for (int i = 0; i < 3; i++)
		FAIL(h->srv, &h->conn->peer_addr, "alice");
	uint16_t d = 0x0210;
	uint8_t buf[2048];
	size_t len = harness_negotiate(buf, sizeof(buf), 0, &d, 1, NULL, 0, NULL, 0);
	harness_send(h, buf, len);
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	free(r);
	struct tc c;
	tc_init(&c, &wrong);
	size_t neg_len;
	const uint8_t *neg = tc_negotiate(&c, &neg_len);
	len = session_setup_msg(buf, sizeof(buf), 1, 0, neg, neg_len);
	harness_send(h, buf, len);
	r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), STATUS_MORE_PROCESSING_REQUIRED.v);
	uint64_t sid = rsp_u64(r, 40);
	size_t auth_len;
	uint8_t *auth = tc_authenticate(&c, r + rsp_u16(r, 68), rsp_u16(r, 70), &auth_len);
	assert_non_null(auth);
	free(r);
	/* the wrong AUTHENTICATE and an ECHO in one write */
	size_t a = session_setup_msg(buf, sizeof(buf), 2, sid, auth, auth_len);
	uint8_t echo[4] = { 4, 0, 0, 0 }, msg2[128];
	size_t b = harness_req(msg2, sizeof(msg2), SMB2_ECHO, 3, 1, 0, 0, echo, sizeof(echo));
	uint8_t two[2300];
	uint8_t nb[4] = { 0, (uint8_t)(a >> 16), (uint8_t)(a >> 8), (uint8_t)a };
	memcpy(two, nb, 4);
	memcpy(two + 4, buf, a);
	uint8_t nb2[4] = { 0, 0, 0, (uint8_t)b };
	memcpy(two + 4 + a, nb2, 4);
	memcpy(two + 8 + a, msg2, b);
	uint64_t t0 = ms_now();
	harness_send_raw(h, two, 8 + a + b);
	r = harness_recv(h, &len, 3000);
	assert_non_null(r);
	/* the logon's failure comes first, after its slot, and the echo after it */
	assert_int_equal(rsp_u16(r, 12), SMB2_SESSION_SETUP);
	assert_int_equal(rsp_status(r), STATUS_LOGON_FAILURE.v);
	assert_true(ms_now() - t0 >= 190);
	free(r);
	r = harness_recv(h, &len, 3000);
	assert_non_null(r);
	assert_int_equal(rsp_u16(r, 12), SMB2_ECHO);
	free(r);
	free(auth);
	tc_free(&c);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parallel_guesses_wait_in_line),
		cmocka_unit_test(test_counters_hold),
		cmocka_unit_test(test_networks),
		cmocka_unit_test(test_table_full_fails_closed),
		cmocka_unit_test(test_pipelined_reply_waits),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
