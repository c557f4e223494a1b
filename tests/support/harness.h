/* Test harness: one server object and one connection driven on the test's
 * own event loop through a socketpair, with helpers to build SMB2 requests
 * and read responses. Test-only. */
#ifndef SMB3D_TESTS_HARNESS_H
#define SMB3D_TESTS_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct server;
struct ev_loop;
struct conn;

struct harness {
	struct server *srv;
	struct ev_loop *loop;
	struct conn *conn;
	int cfd; /* the client's end */
	bool closed;
};

/* config_text: an smb.conf; NULL for a default with one share. */
struct harness *harness_new(const char *config_text);
void harness_free(struct harness *h);

/* Sends msg with a Direct TCP length prefix. */
void harness_send(struct harness *h, const void *msg, size_t len);
/* Sends bytes as they are. */
void harness_send_raw(struct harness *h, const void *bytes, size_t len);
/* Runs the server until a whole response frame arrives (returned malloc'd,
 * without the length prefix) or timeout; NULL if none. Sets h->closed when
 * the server disconnected. */
uint8_t *harness_recv(struct harness *h, size_t *len, int timeout_ms);

/* Writes a 64-byte SMB2 request header + body into buf; returns the length. */
size_t harness_req(uint8_t *buf, size_t cap, uint16_t cmd, uint64_t mid, uint16_t credits, uint64_t sid,
		   uint32_t tid, const uint8_t *body, size_t body_len);

/* An SMB2 NEGOTIATE request. With 0x0311 in the list, adds a pre-auth
 * context (SHA-512) and, if n_ciphers, an encryption context, and, if
 * n_sign, a signing context. */
size_t harness_negotiate(uint8_t *buf, size_t cap, uint64_t mid, const uint16_t *dialects, int n,
			 const uint16_t *ciphers, int n_ciphers, const uint16_t *sign, int n_sign);

/* Response accessors. */
uint32_t rsp_status(const uint8_t *r);
uint16_t rsp_u16(const uint8_t *r, size_t off);
uint32_t rsp_u32(const uint8_t *r, size_t off);
uint64_t rsp_u64(const uint8_t *r, size_t off);

#endif
