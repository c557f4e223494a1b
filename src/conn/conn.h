/* A client connection: socket I/O with Direct TCP framing, the negotiated
 * protocol state, credits, the sessions and tree connects it owns, and the
 * output queue. A connection belongs to exactly one event loop thread; only
 * that thread touches it. */
#ifndef SMB3D_CONN_CONN_H
#define SMB3D_CONN_CONN_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "base/idtable.h"
#include "base/log.h"
#include "base/ntstatus.h"
#include "base/rdwr.h"
#include "conn/smb2_crypto.h"
#include "event/loop.h"
#include "vfs/vfs.h"
#include "wire/smb2.h"

struct server;
struct config;
struct share_conf;
struct auth_ctx;

#define CONN_PREAUTH_MAX_FRAME (64 * 1024 + 1024) /* until a session is authenticated */
#define CONN_MAX_IO (8 * 1024 * 1024)		  /* max read/write/transact for 2.1+ */
#define CONN_MAX_FRAME (CONN_MAX_IO + 64 * 1024)
#define CONN_MAX_CREDITS 8192
#define CONN_OUTQ_LIMIT (64 * 1024 * 1024) /* unsent bytes before we stop reading */
/* Sessions of one connection whose logon has not finished (SESSION_SETUP
 * with SessionId 0 that got STATUS_MORE_PROCESSING_REQUIRED): a client logs
 * one user on at a time, a multi-user client (cifs.ko multiuser) a few at
 * once; more get STATUS_INSUFFICIENT_RESOURCES (docs/security.md). */
#define CONN_MAX_SESSIONS_IN_PROGRESS 8
/* All sessions of one connection, authenticated or not. */
#define CONN_MAX_SESSIONS 1024

enum conn_state {
	CONN_INITIAL,	     /* nothing yet */
	CONN_NEGOTIATE_WILD, /* answered 0x02FF; an SMB2 NEGOTIATE must follow */
	CONN_NEGOTIATED,
};

enum sess_state { SESS_IN_PROGRESS, SESS_VALID, SESS_EXPIRED };

struct tcon {
	uint32_t id;
	int refs; /* loop-thread only */
	bool dead;
	struct config *cfg; /* snapshot the share came from (ref held) */
	const struct share_conf *share;
	uint32_t maximal_access;
	bool encrypt; /* share requires encryption */
	bool is_ipc;
	bool read_only;
	bool case_insensitive;
	bool hide_dot_files;
	bool hide_unreadable;
	bool zero_copy_read; /* `use sendfile` for this client (see share_conf) */
	const char *hide_files; /* in cfg's share (the tcon holds cfg) */
	struct vfs_root root; /* the share's root directory (fd -1 for IPC$) */
	/* `force user` / `force group`: file access through this tree runs
	 * as this identity instead of the session's */
	bool forced;
	uid_t f_uid;
	gid_t f_gid;
	gid_t *f_groups;
	int f_n_groups;
};

struct session {
	uint64_t id;
	int refs; /* loop-thread only: the connection's table + requests in flight */
	struct conn *conn;
	enum sess_state state;
	bool logged_off; /* by a LOGOFF (or a failed re-authentication) earlier in this compound */
	struct auth_ctx *auth; /* while a (re)authentication is in progress */
	char user[257];
	char domain[257];
	bool guest, anonymous;
	uid_t uid;
	gid_t gid;
	gid_t *groups;
	int n_groups;
	uint8_t session_key[16];
	struct smb2_keys keys;
	bool have_keys;
	bool signing_required;
	bool encrypt_data;
	uint8_t preauth_hash[64];
	struct smb2_nonce_gen nonce;
	struct idtable tcons;
	uint32_t next_tid;
	bool counted_valid; /* counted in conn->n_sessions_valid and its user's sessions */
	uint64_t user_key;  /* server_user_key of the logged-on user (per-user limits) */
	uint64_t counted_key; /* the user whose session count it is in (a re-logon may change user_key) */
};

/* A pipe holding READ data by reference (zero-copy READ): filled from the
 * file on an offload thread with splice(2), drained into the socket the same
 * way. Each connection keeps a few for reuse (loop thread only). */
struct conn_pipe {
	struct conn_pipe *next;
	int r, w;
	size_t cap;
};

struct outmsg {
	struct outmsg *next;
	struct iovec iov[16];
	int iovcnt;
	int iov_pos; /* first iov not fully sent */
	void *owned[16]; /* buffers to free once sent */
	int n_owned;
	size_t bytes;
	struct conn_pipe *pipe; /* sent after the iovs: pipe_left bytes of it */
	size_t pipe_left;
	uint8_t hdr[4 + 52]; /* room for the Direct TCP length and a transform header */
	uint64_t release_ms; /* held (conn_send_after): not sent before then (loop clock) */
};

/* The connections of one loop (its worker's): all of them, and those
 * without an authenticated session oldest first, so that when those reach
 * their budget the oldest makes room for a new one (server/worker.c). */
struct conn_set {
	struct conn *all;
	struct conn *preauth_head, *preauth_tail;
	size_t n_preauth;
};

struct conn {
	uint64_t id;
	struct conn *next, *prev; /* in the owning worker's list */
	struct conn_set *set;
	struct conn *preauth_next, *preauth_prev;
	bool in_preauth;
	struct server *srv;
	struct config *cfg; /* snapshot taken at accept (ref held) */
	struct ev_loop *loop;
	struct ev_io io;
	int fd;
	char peer[INET6_ADDRSTRLEN + 8];
	struct sockaddr_storage peer_addr;
	bool closing;

	/* framing */
	uint8_t nbss[4];
	size_t nbss_got;
	uint8_t *frame;
	size_t frame_len, frame_got;

	/* output */
	struct outmsg *out_head, *out_tail;
	size_t out_bytes;

	/* negotiated state */
	enum conn_state state;
	uint16_t dialect; /* 0 until negotiated */
	uint16_t client_sec_mode;
	uint32_t client_caps;
	uint8_t client_guid[16];
	uint16_t client_dialects[64]; /* as sent in NEGOTIATE (for VALIDATE_NEGOTIATE_INFO) */
	uint16_t n_client_dialects;  /* may exceed 64: then validation fails */
	uint16_t server_sec_mode;
	uint32_t server_caps;
	uint16_t cipher;    /* enum smb2_cipher */
	uint16_t sign_algo; /* enum smb2_sign_algo */
	uint32_t max_io;
	uint8_t read_body_padding; /* smbtorture hook: extra bytes before READ data */
	/* smbtorture hook (FSCTL_SMBTORTURE_FORCE_UNACKED_TIMEOUT): the transport
	 * acknowledges nothing, so a break sent on it closes it a second later */
	bool torture_unacked;
	struct ev_timer unacked_timer;
	uint8_t preauth_hash[64];
	bool signing_required; /* server or client required signing at NEGOTIATE */

	/* credits: ids [seq_low, seq_low + seq_range) are valid */
	uint64_t seq_low;
	uint32_t seq_range;
	uint32_t credits_granted; /* unused credits the client holds */
	uint8_t *seq_bitmap;	  /* CONN_MAX_CREDITS * 2 bits */

	struct idtable sessions;
	/* sessions whose logon succeeded; until there is one, the logon timer
	 * runs and frames are capped at CONN_PREAUTH_MAX_FRAME */
	unsigned n_sessions_valid;
	struct idtable opens; /* volatile FileId -> struct fsa_open * (conn/opens.c) */
	struct idtable async_reqs; /* AsyncId -> struct smb2_req * with an interim reply sent */
	uint64_t next_async_id;
	struct ratelimit log_rl;
	struct ev_timer idle_timer;
	/* replies held back (a failed logon's) and every reply after them */
	struct outmsg *held_head, *held_tail;
	struct ev_timer hold_timer;
	int n_pending;		       /* offloaded or parked requests not yet completed */
	struct smb2_req *parked;       /* requests waiting for an event */
	bool free_when_idle;
	struct conn_pipe *pipes; /* idle pipes for zero-copy READ */
	int n_pipes;
	/* received frames waiting behind one being decrypted (dispatch.c) */
	struct rx_frame *rx_head, *rx_tail;
	/* one request and one chain kept for reuse (dispatch.c) */
	struct smb2_req *spare_req;
	struct chain *spare_chain;
};

/* Takes ownership of an accepted socket on `loop`. */
struct conn *conn_new(struct server *srv, struct ev_loop *loop, int fd, const struct sockaddr_storage *peer,
		      struct conn_set *set);
/* Disconnects (deferred free; safe inside callbacks). */
void conn_close(struct conn *c, const char *why);
/* Queues a message for sending; takes ownership of the buffers in owned[]. */
void conn_send(struct conn *c, struct outmsg *m);
struct outmsg *outmsg_new(void);
void outmsg_add(struct outmsg *m, void *buf, size_t len, bool owned);

/* An empty pipe with room for len bytes, or NULL (then copy instead). */
struct conn_pipe *conn_pipe_get(struct conn *c, size_t len);
/* Returns a pipe; one that may still hold data (!empty) is closed. */
void conn_pipe_put(struct conn *c, struct conn_pipe *p, bool empty);

/* Rate-limited, client-triggerable warning with the connection as context. */
#define conn_warn(c, fmt, ...)                                                              \
	do {                                                                                \
		if (ratelimit_ok(&(c)->log_rl))                                             \
			log_warn("conn %llu %s: " fmt, (unsigned long long)(c)->id, (c)->peer, \
				 ##__VA_ARGS__);                                            \
	} while (0)
#define conn_debug(c, fmt, ...) \
	log_debug("conn %llu %s: " fmt, (unsigned long long)(c)->id, (c)->peer, ##__VA_ARGS__)

/* Sessions and tree connects are reference counted on the loop thread:
 * the owning table holds one reference, each request in flight another. */
struct session *session_new(struct conn *c);
struct session *session_get(struct session *s);
void session_put(struct session *s);
/* Logs a session off: removes it (and its tree connects) from all tables
 * and drops the table's reference. Its opens close, except durable ones
 * when keep_durable (LOGOFF, connection lost, or superseded by
 * PreviousSessionId: as Windows and Samba do, the client may reclaim them). */
void session_unlink(struct conn *c, struct session *s, bool keep_durable);
/* A session's logon succeeded (SESS_VALID): counts it, which stops the
 * connection's logon timer and lifts the pre-auth frame cap. False (and
 * nothing changed) when its user has `smb3d:max sessions per user`. */
bool session_set_valid(struct conn *c, struct session *s);
/* Why a new session cannot be had (too many in progress or in all), or
 * NULL. */
const char *conn_session_limit(const struct conn *c);
struct tcon *tcon_get(struct tcon *t);
void tcon_put(struct tcon *t);
/* Frees a closing connection once no offloaded request refers to it. */
void conn_release_if_idle(struct conn *c);
/* Whether work on `bytes` of data that would go to an offload thread for
 * parallelism (a cached READ, the crypto of a large message) is done on the
 * loop instead, saving two thread hand-offs: when nothing of the connection
 * is in flight besides what the caller handles (no offloaded or parked
 * request, no queued received frame, no unsent reply) and nothing else was
 * ready on its loop in this round, so that the client waits for this one
 * alone and the loop has nobody else to serve; and at most 1 MiB and a
 * header (about 0.25 ms of AES-GCM here), which bounds how long another
 * connection that becomes ready meanwhile waits. */
#define CONN_QUIET_INLINE_MAX (1024 * 1024 + 4096)
static inline bool conn_quiet(const struct conn *c, size_t bytes)
{
	return bytes <= CONN_QUIET_INLINE_MAX && c->n_pending == 0 && c->rx_head == NULL && c->out_head == NULL &&
	       ev_loop_ready_now(c->loop) <= 1;
}

/* Feeds one complete frame (after the 4-byte length). Exposed for the
 * in-memory fuzz target and tests. */
void conn_process_frame(struct conn *c, uint8_t *buf, size_t len);
/* Frames and sends one SMB2 message the server originates (e.g. an oplock
 * break), encrypted for enc_sess when given; takes ownership of buf. */
void conn_send_message(struct conn *c, uint8_t *buf, size_t len, struct session *enc_sess);
/* Frees the spare request and chain (on close). */
void conn_free_spares(struct conn *c);
/* Frees the receive queue (on close). */
void conn_rx_queue_free(struct conn *c);
/* Drops a held-back reply (on close). */
/* Sends m no sooner than delay_ms from now. Until it goes, every later
 * message of the connection waits behind it (conn_send included), so a
 * client learns nothing sooner by pipelining. */
void conn_send_after(struct conn *c, struct outmsg *m, uint32_t delay_ms);
/* Cancels parked requests (on close). */
void conn_cancel_parked(struct conn *c);

#endif
