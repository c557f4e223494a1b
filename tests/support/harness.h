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
struct worker;

struct harness {
	struct server *srv;
	struct ev_loop *loop;
	struct conn *conn;
	int cfd; /* the client's end */
	bool closed;
	/* the loop's worker, as the server has one per loop: its list holds
	 * the loop's connections (conn_free_now() unlinks a freed one, so
	 * h->conn is alive exactly while harness_conn_alive() says so), and
	 * breaks for another connection find it there (server_find_conn) */
	struct worker *worker;
	/* client state of the logon helpers */
	uint64_t next_mid;
	uint64_t session_id;
	uint32_t tree_id;
	struct harness *owner; /* a second client's harness: the one owning srv and loop */
};

/* config_text: an smb.conf; NULL for a default with one share. */
struct harness *harness_new(const char *config_text);
void harness_free(struct harness *h);

/* A second client of h's server, on the same loop (free it before h). */
struct harness *harness_second(struct harness *h);

/* Whether the server has not freed h->conn yet. */
bool harness_conn_alive(const struct harness *h);
/* Replaces the connection with a new one on the same server and loop (the
 * old one is closed if still alive; its client end is closed). */
void harness_reconnect(struct harness *h);
/* Runs the loop until the server has freed every connection or timeout;
 * false on timeout. */
bool harness_run_until_no_conns(struct harness *h, int timeout_ms);

/* Makes `user` with `password` the server's one account (as `smb3d serve`
 * does), NEGOTIATEs SMB 2.1 and logs on with NTLMv2 (raw NTLMSSP); sets
 * h->session_id. As root the user must be a Unix account (e.g. "root").
 * Returns the final status of SESSION_SETUP. */
uint32_t harness_logon(struct harness *h, const char *user, const char *password);
/* TREE_CONNECT to \\server\share; sets h->tree_id; returns the status. */
uint32_t harness_tree_connect(struct harness *h, const char *share);
/* CREATE of name (UTF-8, "" for the share root) with the given access,
 * share access, disposition and options; the FileId in fid[16]. Returns
 * the status. */
uint32_t harness_create(struct harness *h, const char *name, uint32_t access, uint32_t share, uint32_t disposition,
			uint32_t options, uint8_t fid[16]);
/* The next MessageId (the helpers ask for credits generously). */
uint64_t harness_mid(struct harness *h);

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
