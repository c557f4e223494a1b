/* Test harness (see harness.h). */
#include "harness.h"

#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "base/rdwr.h"
#include "config/config.h"
#include "conn/conn.h"
#include "event/loop.h"
#include "event/offload.h"
#include "server/server.h"

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
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	h->conn = conn_new(h->srv, h->loop, sv[0], &peer, NULL);
	if (!h->conn)
		abort();
	h->cfd = sv[1];
	return h;
}

void harness_free(struct harness *h)
{
	if (!h->closed)
		conn_close(h->conn, "test done");
	ev_loop_run_once(h->loop, 0);
	close(h->cfd);
	/* Drain offloaded work first: completions land on our loop, which
	 * ev_loop_free() then runs with loop == NULL to release what they hold. */
	offload_pool_free(h->srv->offload);
	h->srv->offload = NULL;
	ev_loop_free(h->loop);
	server_free(h->srv);
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
