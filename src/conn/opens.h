/* The open files of a connection, by FileId ([MS-SMB2] 3.3.1.10 Open):
 * insertion with new ids, lookup checked against the request's session and
 * tree connect (with related-compound FileId inheritance), and closing
 * every open of a session, tree connect or the whole connection. Loop
 * thread only; final releases that may touch the file system are offloaded. */
#ifndef SMB3D_CONN_OPENS_H
#define SMB3D_CONN_OPENS_H

#include "base/ntstatus.h"
#include "conn/conn.h"
#include "event/loop.h"
#include "fsa/fsa.h"

struct fsa_open;
struct smb2_req;

/* Takes over the caller's reference and fills o's ids; counts the open
 * against the limits (`max open files` per connection, `smb3d:max open
 * files per user`, the server's descriptor budget). On failure (the caller
 * keeps its reference): STATUS_TOO_MANY_OPENED_FILES at a limit,
 * STATUS_INSUFFICIENT_RESOURCES when out of memory. */
NTSTATUS conn_open_insert(struct conn *c, struct fsa_open *o, uint64_t session_id, uint32_t tree_id);
/* Takes an open out of the open-file counts (when it leaves the
 * connection's or the durable table for good); idempotent. */
void conn_open_uncharge(struct server *srv, struct fsa_open *o);
/* Before a CREATE does anything: STATUS_TOO_MANY_OPENED_FILES when a new
 * open of this session would be over a limit (conn_open_insert checks
 * again, for creates that were in flight together). */
NTSTATUS conn_open_precheck(struct conn *c, const struct session *s);
/* The open a request names (inheriting the previous FileId in a related
 * compound when the FileId is all ones). Returns it with a new reference
 * (release with conn_open_release) or NULL with *st set to
 * STATUS_FILE_CLOSED / STATUS_INVALID_PARAMETER. */
struct fsa_open *conn_open_lookup(struct smb2_req *req, uint64_t fid_p, uint64_t fid_v, NTSTATUS *st);
/* An open of session_id on this connection on any of its tree connects
 * (the source of a server-side copy named by a resume key), with a new
 * reference, or NULL. */
struct fsa_open *conn_open_lookup_session(struct conn *c, uint64_t session_id, uint64_t fid_p, uint64_t fid_v);
/* Takes an open out of the table (and the open-file counts): true if it
 * was there, and the caller now holds the table's reference (CLOSE). */
bool conn_open_take(struct conn *c, struct fsa_open *o);
/* Removes an open from the table; the caller holds its own ref. */
void conn_open_remove(struct conn *c, struct fsa_open *o);
/* Drops an open's last reference as the user who opened it (closing may
 * delete the file); an offload work function. */
void conn_open_put_as_opener(void *o);
/* Drops a reference from the loop thread, offloading the final close. */
void conn_open_release(struct conn *c, struct fsa_open *o);
/* Closes opens of (session_id, tree_id); 0 matches all. keep_durable (the
 * connection is lost, or its session superseded): durable and resilient
 * handles wait for their client instead (conn/durable.h). */
void conn_close_opens(struct conn *c, uint64_t session_id, uint32_t tree_id, bool keep_durable);

/* The common start of a command on an open handle: looks the FileId up and
 * allocates the command's state (size bytes, zeroed; its first member must
 * be the struct fsa_open * that receives the reference). The state and the
 * reference are released with the request (req->release, which a command
 * may replace if it frees more, calling req_open_state_release last).
 * NULL with *st set when the handle is unknown or memory is short. */
void *req_open_state(struct smb2_req *req, uint64_t fid_p, uint64_t fid_v, size_t size, NTSTATUS *st);
void req_open_state_release(struct smb2_req *req);

struct fsa_break;
/* Delivers oplock break notifications to the connections holding the opens
 * (on their own loops); from is the connection whose request caused them. */
void conn_deliver_breaks(struct conn *from, const struct fsa_break *b, int n);
/* The same from any thread (fsa_table_set_break_sink: breaks fsa/ starts
 * by itself); ctx is the struct server. */
void conn_break_sink(void *ctx, const struct fsa_break *b, int n);

/* A request waiting for oplock or lease breaks on a file (an open, a
 * rename; [MS-SMB2] 3.3.4.6/3.3.4.7): it is parked with an interim
 * STATUS_PENDING reply and the break timer (`smb3d:torture break timeout`,
 * 35 s by default), never a waiting thread. fsa/ wakes it when the breaks
 * are acknowledged, the holders close or the timer forces them; then
 * work/done run again. Lives in the command's state. */
struct break_wait {
	struct fsa_waiter waiter; /* handed to fsa/ by work() */
	struct ev_timer timer;
	struct smb2_req *req;
	struct fsa_table *table;
	void (*work)(struct smb2_req *);
	NTSTATUS (*done)(struct smb2_req *);
	bool woken;	/* woken before done() parked it: retried at once */
	bool abandoned; /* the connection closed while a wake-up was on its way */
	bool retry;	/* work() runs again after a wait */
};
void break_wait_init(struct break_wait *bw, struct smb2_req *req, void (*work)(struct smb2_req *),
		     NTSTATUS (*done)(struct smb2_req *));
/* From done() when work() left the waiter linked: parks the request and
 * returns STATUS_PENDING (or offloads work again when already woken). */
NTSTATUS break_wait_park(struct break_wait *bw);
/* For req->cancel (the connection closes): true if the request may be
 * freed now. */
bool break_wait_conn_closing(struct break_wait *bw);
/* For req->on_cancel (SMB2 CANCEL): completes with STATUS_CANCELLED. */
void break_wait_cancel(struct break_wait *bw);
/* For req->release: stops the timer. */
void break_wait_release(struct break_wait *bw);

#endif
