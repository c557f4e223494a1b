/* Test harness (see harness.h). */
#include "harness.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "../unit/auth/ntlm_client.h"
#include "auth/ntlm.h"
#include "base/rdwr.h"
#include "base/utf16.h"
#include "config/config.h"
#include "conn/conn.h"
#include "event/loop.h"
#include "event/offload.h"
#include "server/server.h"
#include "server/worker.h"

static const char default_conf[] = "[global]\n"
				   "  smb ports = 4450\n"
				   "  server signing = auto\n"
				   "[share]\n"
				   "  path = /tmp\n"
				   "  read only = no\n";

struct harness *harness_new(const char *config_text)
{
	struct harness *h = calloc(1, sizeof(*h));
	struct config *cfg = config_load_string(config_text ? config_text : default_conf, "/tmp/harness.conf", NULL,
						NULL);
	if (!h || !cfg)
		abort();
	h->srv = server_alloc(cfg);
	h->loop = ev_loop_new();
	int sv[2];
	if (!h->srv || !h->loop || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	h->worker = calloc(1, sizeof(*h->worker));
	if (!h->worker)
		abort();
	h->worker->srv = h->srv;
	h->worker->loop = h->loop;
	ev_loop_set_data(h->loop, h->worker);
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	h->conn = conn_new(h->srv, h->loop, sv[0], &peer, &h->worker->conns);
	if (!h->conn)
		abort();
	h->cfd = sv[1];
	return h;
}

bool harness_conn_alive(const struct harness *h)
{
	for (const struct conn *c = h->worker->conns.all; c; c = c->next)
		if (c == h->conn)
			return true;
	return false;
}

void harness_reconnect(struct harness *h)
{
	if (harness_conn_alive(h))
		conn_close(h->conn, "test reconnects");
	close(h->cfd);
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	h->conn = conn_new(h->srv, h->loop, sv[0], &peer, &h->worker->conns);
	if (!h->conn)
		abort();
	h->cfd = sv[1];
	h->closed = false;
	h->next_mid = 0;
	h->session_id = 0;
	h->tree_id = 0;
}

bool harness_run_until_no_conns(struct harness *h, int timeout_ms)
{
	for (int waited = 0; h->worker->conns.all; waited += 5) {
		if (waited >= timeout_ms)
			return false;
		ev_loop_run_once(h->loop, 5);
	}
	return true;
}

struct harness *harness_second(struct harness *h)
{
	struct harness *s = calloc(1, sizeof(*s));
	int sv[2];
	if (!s || socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		abort();
	s->srv = h->srv;
	s->loop = h->loop;
	s->owner = h;
	s->worker = h->worker;
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	s->conn = conn_new(s->srv, s->loop, sv[0], &peer, &s->worker->conns);
	if (!s->conn)
		abort();
	s->cfd = sv[1];
	return s;
}

void harness_free(struct harness *h)
{
	if (harness_conn_alive(h))
		conn_close(h->conn, "test done");
	ev_loop_run_once(h->loop, 0);
	close(h->cfd);
	if (h->owner) {
		/* the owner's loop runs until this connection is gone */
		for (int i = 0; i < 1000 && harness_conn_alive(h); i++)
			ev_loop_run_once(h->loop, 5);
		free(h);
		return;
	}
	/* Drain offloaded work first: completions land on our loop, which
	 * ev_loop_free() then runs with loop == NULL to release what they hold. */
	offload_pool_free(h->srv->offload);
	h->srv->offload = NULL;
	ev_loop_free(h->loop);
	server_free(h->srv);
	free(h->worker);
	free(h);
}

void harness_send_raw(struct harness *h, const void *bytes, size_t len)
{
	const uint8_t *p = bytes;
	while (len) {
		ssize_t n = write(h->cfd, p, len);
		if (n < 0) {
			if (errno == EAGAIN) {
				ev_loop_run_once(h->loop, 10);
				continue;
			}
			return; /* the server hung up */
		}
		p += n;
		len -= (size_t)n;
		ev_loop_run_once(h->loop, 0);
	}
}

void harness_send(struct harness *h, const void *msg, size_t len)
{
	uint8_t nb[4] = { 0, (uint8_t)(len >> 16), (uint8_t)(len >> 8), (uint8_t)len };
	harness_send_raw(h, nb, 4);
	harness_send_raw(h, msg, len);
}

/* Reads exactly n bytes, pumping the server loop meanwhile. */
static bool read_full(struct harness *h, uint8_t *buf, size_t n, int timeout_ms)
{
	size_t got = 0;
	int waited = 0;
	while (got < n) {
		ssize_t r = read(h->cfd, buf + got, n - got);
		if (r > 0) {
			got += (size_t)r;
			continue;
		}
		if (r == 0) {
			h->closed = true;
			return false;
		}
		if (errno != EAGAIN) {
			h->closed = errno == ECONNRESET || errno == EPIPE;
			return false;
		}
		if (waited >= timeout_ms)
			return false;
		ev_loop_run_once(h->loop, 5);
		waited += 5;
	}
	return true;
}

uint8_t *harness_recv(struct harness *h, size_t *len, int timeout_ms)
{
	uint8_t nb[4];
	if (!read_full(h, nb, 4, timeout_ms))
		return NULL;
	size_t n = (size_t)nb[1] << 16 | (size_t)nb[2] << 8 | nb[3];
	uint8_t *buf = malloc(n ? n : 1);
	if (!buf || !read_full(h, buf, n, timeout_ms)) {
		free(buf);
		return NULL;
	}
	*len = n;
	return buf;
}

size_t harness_req(uint8_t *buf, size_t cap, uint16_t cmd, uint64_t mid, uint16_t credits, uint64_t sid,
		   uint32_t tid, const uint8_t *body, size_t body_len)
{
	struct wr w = wr_init(buf, cap);
	wr_u32(&w, 0x424D53FE);
	wr_u16(&w, 64);
	wr_u16(&w, 1); /* CreditCharge */
	wr_u32(&w, 0);
	wr_u16(&w, cmd);
	wr_u16(&w, credits);
	wr_u32(&w, 0); /* Flags */
	wr_u32(&w, 0); /* NextCommand */
	wr_u64(&w, mid);
	wr_u32(&w, 0);
	wr_u32(&w, tid);
	wr_u64(&w, sid);
	wr_zero(&w, 16);
	wr_bytes(&w, body, body_len);
	return w.bad ? 0 : w.pos;
}

size_t harness_negotiate(uint8_t *buf, size_t cap, uint64_t mid, const uint16_t *dialects, int n,
			 const uint16_t *ciphers, int n_ciphers, const uint16_t *sign, int n_sign)
{
	uint8_t body[512];
	struct wr w = wr_init(body, sizeof(body));
	bool has311 = false;
	for (int i = 0; i < n; i++)
		has311 |= dialects[i] == 0x0311;
	wr_u16(&w, 36);
	wr_u16(&w, (uint16_t)n);
	wr_u16(&w, 1); /* SecurityMode: signing enabled */
	wr_u16(&w, 0);
	wr_u32(&w, 0x7F); /* Capabilities */
	for (int i = 0; i < 16; i++)
		wr_u8(&w, (uint8_t)(0xA0 + i)); /* ClientGuid */
	size_t ctx_off_at = w.pos;
	wr_u32(&w, 0);
	size_t ctx_cnt_at = w.pos;
	wr_u16(&w, 0);
	wr_u16(&w, 0);
	for (int i = 0; i < n; i++)
		wr_u16(&w, dialects[i]);
	if (has311) {
		uint16_t cnt = 0;
		/* offsets are relative to the SMB2 header: the body starts at 64 */
		while ((64 + w.pos) & 7)
			wr_u8(&w, 0);
		wr_patch_u32(&w, ctx_off_at, (uint32_t)(64 + w.pos));
		wr_u16(&w, 1); /* PREAUTH */
		wr_u16(&w, 38);
		wr_u32(&w, 0);
		wr_u16(&w, 1);
		wr_u16(&w, 32);
		wr_u16(&w, 1);
		for (int i = 0; i < 32; i++)
			wr_u8(&w, (uint8_t)i);
		cnt++;
		if (n_ciphers) {
			while ((64 + w.pos) & 7)
				wr_u8(&w, 0);
			wr_u16(&w, 2);
			wr_u16(&w, (uint16_t)(2 + 2 * n_ciphers));
			wr_u32(&w, 0);
			wr_u16(&w, (uint16_t)n_ciphers);
			for (int i = 0; i < n_ciphers; i++)
				wr_u16(&w, ciphers[i]);
			cnt++;
		}
		if (n_sign) {
			while ((64 + w.pos) & 7)
				wr_u8(&w, 0);
			wr_u16(&w, 8);
			wr_u16(&w, (uint16_t)(2 + 2 * n_sign));
			wr_u32(&w, 0);
			wr_u16(&w, (uint16_t)n_sign);
			for (int i = 0; i < n_sign; i++)
				wr_u16(&w, sign[i]);
			cnt++;
		}
		wr_patch_u16(&w, ctx_cnt_at, cnt);
	}
	return harness_req(buf, cap, 0, mid, 1, 0, 0, body, w.pos);
}

uint32_t rsp_status(const uint8_t *r)
{
	return le32_at(r + 8);
}

uint16_t rsp_u16(const uint8_t *r, size_t off)
{
	return le16_at(r + off);
}

uint32_t rsp_u32(const uint8_t *r, size_t off)
{
	return le32_at(r + off);
}

uint64_t rsp_u64(const uint8_t *r, size_t off)
{
	return le64_at(r + off);
}

uint64_t harness_mid(struct harness *h)
{
	return h->next_mid++;
}

/* Sends one request and waits for its final reply (interim STATUS_PENDING
 * replies are skipped); NULL on timeout or disconnect. */
static uint8_t *harness_call(struct harness *h, uint16_t cmd, const uint8_t *body, size_t body_len, size_t *rlen)
{
	uint8_t buf[4096];
	size_t n = harness_req(buf, sizeof(buf), cmd, harness_mid(h), 64, h->session_id, h->tree_id, body, body_len);
	if (!n)
		return NULL;
	harness_send(h, buf, n);
	for (;;) {
		uint8_t *r = harness_recv(h, rlen, 5000);
		if (!r || *rlen < 64 || rsp_status(r) != 0x00000103)
			return r;
		free(r);
	}
}

/* SESSION_SETUP with a raw NTLMSSP token; the reply (NULL on failure). */
static uint8_t *session_setup(struct harness *h, const uint8_t *tok, size_t tok_len, size_t *rlen)
{
	uint8_t body[2048];
	struct wr w = wr_init(body, sizeof(body));
	wr_u16(&w, 25);
	wr_u8(&w, 0);  /* Flags */
	wr_u8(&w, 1);  /* SecurityMode: signing enabled */
	wr_u32(&w, 0); /* Capabilities */
	wr_u32(&w, 0); /* Channel */
	wr_u16(&w, 64 + 24);
	wr_u16(&w, (uint16_t)tok_len);
	wr_u64(&w, 0); /* PreviousSessionId */
	wr_bytes(&w, tok, tok_len);
	if (w.bad)
		return NULL;
	return harness_call(h, 1, body, w.pos, rlen);
}

uint32_t harness_logon(struct harness *h, const char *user, const char *password)
{
	struct server *srv = h->srv;
	srv->have_serve_user = true;
	snprintf(srv->serve_user, sizeof(srv->serve_user), "%s", user);
	if (!ntlm_nt_hash(password, srv->serve_nt_hash))
		return 0xC0000001;
	uint8_t buf[512];
	const uint16_t dialects[] = { 0x0210 };
	size_t n = harness_negotiate(buf, sizeof(buf), harness_mid(h), dialects, 1, NULL, 0, NULL, 0);
	harness_send(h, buf, n);
	size_t rlen;
	uint8_t *r = harness_recv(h, &rlen, 5000);
	if (!r)
		return 0xC0000001;
	uint32_t st = rsp_status(r);
	free(r);
	if (st != 0)
		return st;
	struct tc c;
	struct tc_opts o = { .user = user, .domain = "WORKGROUP", .password = password, .workstation = "HARNESS" };
	tc_init(&c, &o);
	size_t tok_len;
	const uint8_t *tok = tc_negotiate(&c, &tok_len);
	r = session_setup(h, tok, tok_len, &rlen);
	st = r ? rsp_status(r) : 0xC0000001;
	if (!r || st != 0xC0000016 || rlen < 72) {
		free(r);
		tc_free(&c);
		return st;
	}
	h->session_id = rsp_u64(r, 40);
	size_t off = rsp_u16(r, 68), len = rsp_u16(r, 70);
	uint8_t *auth = off <= rlen && len <= rlen - off ? tc_authenticate(&c, r + off, len, &tok_len) : NULL;
	free(r);
	tc_free(&c);
	if (!auth)
		return 0xC0000001;
	r = session_setup(h, auth, tok_len, &rlen);
	free(auth);
	st = r ? rsp_status(r) : 0xC0000001;
	free(r);
	return st;
}

uint32_t harness_tree_connect(struct harness *h, const char *share)
{
	char path[300];
	snprintf(path, sizeof(path), "\\\\harness\\%s", share);
	uint8_t path16[600];
	long plen = utf8_to_utf16le(path, path16, sizeof(path16));
	if (plen < 0)
		return 0xC0000001;
	uint8_t body[700];
	struct wr w = wr_init(body, sizeof(body));
	wr_u16(&w, 9);
	wr_u16(&w, 0);
	wr_u16(&w, 64 + 8);
	wr_u16(&w, (uint16_t)plen);
	wr_bytes(&w, path16, (size_t)plen);
	size_t rlen;
	uint8_t *r = harness_call(h, 3, body, w.pos, &rlen);
	if (!r)
		return 0xC0000001;
	uint32_t st = rsp_status(r);
	if (st == 0)
		h->tree_id = rsp_u32(r, 36);
	free(r);
	return st;
}

uint32_t harness_create(struct harness *h, const char *name, uint32_t access, uint32_t share, uint32_t disposition,
			uint32_t options, uint8_t fid[16])
{
	uint8_t name16[1024];
	long nlen = utf8_to_utf16le(name, name16, sizeof(name16));
	if (nlen < 0)
		return 0xC0000001;
	uint8_t body[1200];
	struct wr w = wr_init(body, sizeof(body));
	wr_u16(&w, 57);
	wr_u8(&w, 0);  /* SecurityFlags */
	wr_u8(&w, 0);  /* RequestedOplockLevel: none */
	wr_u32(&w, 2); /* ImpersonationLevel: Impersonation */
	wr_u64(&w, 0);
	wr_u64(&w, 0);
	wr_u32(&w, access);
	wr_u32(&w, 0x80); /* FILE_ATTRIBUTE_NORMAL */
	wr_u32(&w, share);
	wr_u32(&w, disposition);
	wr_u32(&w, options);
	wr_u16(&w, 64 + 56);
	wr_u16(&w, (uint16_t)nlen);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_bytes(&w, name16, (size_t)nlen);
	wr_zero(&w, 8);
	size_t rlen;
	uint8_t *r = harness_call(h, 5, body, w.pos, &rlen);
	if (!r)
		return 0xC0000001;
	uint32_t st = rsp_status(r);
	if (st == 0 && rlen >= 64 + 80)
		memcpy(fid, r + 64 + 64, 16);
	free(r);
	return st;
}
