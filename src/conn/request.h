/* One SMB2 request being processed and its response under construction.
 * Command handlers (commands/cmd_*.c) receive a request with the session and
 * tree connect already resolved and checked by conn/dispatch.c, decode the
 * body with wire/, act, and encode the response body into `w`. */
#ifndef SMB3D_CONN_REQUEST_H
#define SMB3D_CONN_REQUEST_H

#include "conn/conn.h"
#include "event/offload.h"
#include "vfs/vfs.h"

struct chain;

struct smb2_req {
	struct conn *conn;
	struct smb2_hdr hdr;
	const uint8_t *msg; /* this request's message: header + body */
	size_t len;
	struct session *sess; /* NULL for NEGOTIATE / first SESSION_SETUP / ECHO w/o session */
	struct tcon *tcon;
	bool encrypted; /* arrived in a transform */
	bool was_signed;

	/* response */
	NTSTATUS status;
	uint8_t *rsp; /* header (64) + body */
	size_t rsp_cap;
	struct wr w; /* body writer over rsp, positioned after the header */
	bool has_body;
	/* zero-copy READ: splice_len bytes in splice_pipe follow the body */
	struct conn_pipe *splice_pipe;
	size_t splice_len;
	uint64_t rsp_session_id; /* SessionId to put in the response header */
	bool sign_with_session; /* sign the response even if the request was not signed */
	bool disconnect;

	/* compound context */
	struct chain *chain;
	bool related;
	bool inherit_fid; /* a related request may use prev_fid (FileId all 0xFF) */
	uint64_t prev_fid_p, prev_fid_v;
	bool set_fid; /* this request (CREATE) yields the FileId later ones inherit */
	uint64_t fid_p, fid_v;

	/* asynchronous (offloaded) part, see req_offload() */
	void (*work)(struct smb2_req *req);	/* on an offload thread */
	NTSTATUS (*done)(struct smb2_req *req); /* back on the loop: encodes the reply */
	void (*release)(struct smb2_req *req);	/* frees the command's state */
	void *cmd_state;
	struct offload_job job; /* req_offload's, no allocation per request */
	NTSTATUS work_status;
	bool went_async;
	/* parked: waiting for an event (an oplock break) rather than for work */
	bool parked;
	struct smb2_req *park_prev, *park_next;
	/* the connection closed while the request was parked or its work
	 * ran: true if it may be freed now, false if a wake-up already queued
	 * will finish it (see conn_cancel_parked, req_done_trampoline) */
	bool (*cancel)(struct smb2_req *req);
	void (*on_cancel)(struct smb2_req *req); /* SMB2 CANCEL arrived for it */
	uint64_t async_id; /* non-zero once an interim reply went out */
	uint64_t async_usage_key; /* the user whose waiting-request count it is in */
	bool cred_active;
	bool cred_from_open; /* cred is the identity of the open the request names */
	struct vfs_cred cred;
	gid_t *cred_groups;
	uint32_t delay_ms; /* hold the reply back (failed logons) */
	struct session *logoff; /* free this session once the reply is sent */
	uint8_t *preauth_rsp; /* 3.1.1: hash to extend with the final response bytes */
};

/* Prepares the response body writer with room for `body_cap` bytes.
 * Returns NULL when out of memory (the handler returns STATUS_NO_MEMORY). */
struct wr *req_body(struct smb2_req *req, size_t body_cap);

/* Whether this request's reply may carry its data by reference from a pipe
 * (req->splice_pipe): it goes out neither signed nor encrypted and alone in
 * its frame. */
bool req_reply_may_splice(const struct smb2_req *req);

typedef NTSTATUS (*smb2_handler)(struct smb2_req *req);

/* Runs work(req) on an offload thread (when smb3d runs as root: as the Unix
 * account that opened the handle the request names, else the session's),
 * then done(req) on the connection's loop, whose status and body become the
 * reply. Returns STATUS_PENDING: the handler returns that
 * straight away. Anything work() needs lives in req->cmd_state. */
NTSTATUS req_offload(struct smb2_req *req, void (*work)(struct smb2_req *), NTSTATUS (*done)(struct smb2_req *));

/* A handler or done() callback that cannot finish yet parks the request and
 * returns STATUS_PENDING; whatever it waits for later calls req_unpark() and
 * then req_resume(), req_offload() again or req_abandon(). While parked, the
 * request keeps its connection alive. Exactly one party finishes a parked
 * request: its wake-up, a CANCEL, or the connection's teardown, whichever
 * claims it first through its waiter (req->cancel / on_cancel return
 * whether they did). The teardown runs after conn_close() returns, from the
 * loop's deferred queue, so a close while the request is being dispatched
 * (its interim reply failed to send) never frees what the dispatcher holds;
 * see docs/architecture.md, "Request lifetime". */
void req_park(struct smb2_req *req);
void req_unpark(struct smb2_req *req);
/* Drops a request (and the rest of its compound) without a reply. */
void req_abandon(struct smb2_req *req);
/* Completes a parked request (after req_unpark) on its loop: done() encodes
 * the reply as in req_offload(), and the compound carries on. On a closing
 * connection it drops the request (and its compound) instead. */
void req_resume(struct smb2_req *req, NTSTATUS (*done)(struct smb2_req *));
/* A done() for a parked request that CANCEL ended: STATUS_CANCELLED. */
NTSTATUS req_reply_cancelled(struct smb2_req *req);
/* Sends an interim STATUS_PENDING reply (with a new AsyncId) for a request
 * that will take a while; false when out of memory. */
bool req_send_interim(struct smb2_req *req);

NTSTATUS cmd_negotiate(struct smb2_req *req);
NTSTATUS cmd_session_setup(struct smb2_req *req);
NTSTATUS cmd_logoff(struct smb2_req *req);
NTSTATUS cmd_tree_connect(struct smb2_req *req);
NTSTATUS cmd_tree_disconnect(struct smb2_req *req);
NTSTATUS cmd_echo(struct smb2_req *req);
NTSTATUS cmd_ioctl(struct smb2_req *req);
/* A test-hook IOCTL smbtorture sends without a session (`smb3d:torture
 * fsctls`): dispatch runs it without session and tree checks. */
bool cmd_ioctl_sessionless(const struct smb2_req *req);
NTSTATUS cmd_create(struct smb2_req *req);
NTSTATUS cmd_close(struct smb2_req *req);
NTSTATUS cmd_flush(struct smb2_req *req);
NTSTATUS cmd_read(struct smb2_req *req);
NTSTATUS cmd_write(struct smb2_req *req);
NTSTATUS cmd_query_directory(struct smb2_req *req);
NTSTATUS cmd_query_info(struct smb2_req *req);
NTSTATUS cmd_set_info(struct smb2_req *req);
NTSTATUS cmd_oplock_break(struct smb2_req *req);
NTSTATUS cmd_change_notify(struct smb2_req *req);
NTSTATUS cmd_lock(struct smb2_req *req);

/* SMB1 negotiate upgrade: fills an SMB2 NEGOTIATE response for the given
 * dialect (0x0202 or 0x02FF) without a request. */
NTSTATUS negotiate_from_smb1(struct smb2_req *req, uint16_t dialect);

#endif
