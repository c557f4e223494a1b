/* Oplock and lease break notifications and acknowledgements ([MS-SMB2]
 * 3.3.4.6, 3.3.4.7, 3.3.5.22.1, 3.3.5.22.2). fsa/ decides which opens and
 * leases must break; this delivers each notification on the loop that owns
 * the holder's connection (posting across threads when needed), and
 * handles the client's acknowledgement. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "config/config.h"
#include "conn/durable.h"
#include "conn/opens.h"
#include "conn/request.h"
#include "fsa/fsa.h"
#include "server/server.h"
#include "wire/file.h"

/* Sends one break notification on c (the holder's connection). */
static void send_break(struct conn *c, const struct fsa_break *b)
{
	if (c->closing)
		return;
	uint8_t *buf = malloc(SMB2_HDR_LEN + 44);
	if (!buf)
		return;
	struct smb2_hdr h = { .command = SMB2_OPLOCK_BREAK, .flags = SMB2_FLAGS_SERVER_TO_REDIR,
			      .message_id = UINT64_MAX };
	wire_hdr_encode(&h, buf);
	struct wr w = wr_init(buf, SMB2_HDR_LEN + 44);
	w.pos = SMB2_HDR_LEN;
	if (b->is_lease) {
		/* [MS-SMB2] 2.2.23.2 */
		struct wire_lease_break_notify n = {
			.new_epoch = b->lease_v2 ? b->lease_epoch : 0,
			.flags = b->lease_ack ? SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED : 0,
			.current_lease_state = b->lease_from,
			.new_lease_state = b->lease_to,
		};
		memcpy(n.lease_key, b->lease_key, 16);
		wire_lease_break_notify_encode(&w, &n);
	} else {
		struct wire_oplock_break ob = { .oplock_level = b->level,
						.fid_persistent = b->fid_p,
						.fid_volatile = b->fid_v };
		wire_oplock_break_encode(&w, &ob);
	}
	/* A session that must encrypt gets its notifications encrypted too. */
	struct session *s = idtable_find(&c->sessions, b->session_id);
	bool encrypt = s && s->encrypt_data && s->have_keys && c->cipher != SMB2_CIPHER_NONE;
	if (b->is_lease)
		conn_debug(c, "lease break 0x%x -> 0x%x sent", (unsigned)b->lease_from, (unsigned)b->lease_to);
	else
		conn_debug(c, "oplock break to level %u sent", b->level);
	conn_send_message(c, buf, w.pos, encrypt ? s : NULL);
	if (c->torture_unacked && !ev_timer_armed(&c->unacked_timer))
		ev_timer_start(c->loop, &c->unacked_timer, 1000);
}

struct break_post {
	struct server *srv;
	struct fsa_break b;
};

static void post_break(struct server *srv, const struct fsa_break *b);

/* On loop: sends b to its connection there, or, when that connection is
 * gone, to the alternative (a lease break: the connection of one of the
 * lease's opens). An oplock break for an open without a connection is for
 * a durable handle waiting for its client: that handle goes. */
static void deliver_on(struct server *srv, struct ev_loop *loop, struct conn *hint, const struct fsa_break *b)
{
	struct conn *c = !b->conn_id		 ? NULL
			 : hint && hint->id == b->conn_id ? hint
							  : server_find_conn(loop, b->conn_id);
	if (c) {
		send_break(c, b);
		return;
	}
	if (!b->alt_loop) {
		if (b->fid_p)
			durable_purge(srv, loop, b->fid_p); /* a durable handle waiting for its client */
		return;
	}
	struct fsa_break alt = *b;
	alt.loop = b->alt_loop;
	alt.conn_id = b->alt_conn;
	alt.session_id = b->alt_session;
	alt.alt_loop = NULL;
	if (alt.loop == (void *)loop)
		deliver_on(srv, loop, hint, &alt);
	else
		post_break(srv, &alt);
}

static void break_on_owner(struct ev_loop *loop, void *arg)
{
	struct break_post *p = arg;
	if (loop)
		deliver_on(p->srv, loop, NULL, &p->b);
	free(p);
}

/* Posts a break to its holder's loop (any thread). */
static void post_break(struct server *srv, const struct fsa_break *b)
{
	struct break_post *p = malloc(sizeof(*p));
	if (!p)
		return;
	p->srv = srv;
	p->b = *b;
	if (ev_loop_post(b->loop, break_on_owner, p) < 0)
		free(p);
}

void conn_break_sink(void *ctx, const struct fsa_break *b, int n)
{
	for (int i = 0; i < n; i++)
		if (b[i].loop)
			post_break(ctx, &b[i]);
}

void conn_deliver_breaks(struct conn *from, const struct fsa_break *b, int n)
{
	for (int i = 0; i < n; i++) {
		if (!b[i].loop)
			continue;
		if (b[i].loop == from->loop)
			deliver_on(from->srv, from->loop, from, &b[i]);
		else
			post_break(from->srv, &b[i]);
	}
}

/* --- requests waiting for breaks --- */

/* Back on the request's loop after the breaks it waited for ended. */
static void break_wait_wake_on_loop(struct ev_loop *loop, void *arg)
{
	struct break_wait *bw = arg;
	struct smb2_req *req = bw->req;
	struct conn *c = req->conn;
	if (!req->parked) {
		bw->woken = true; /* done() has not parked it yet: it retries */
		return;
	}
	req_unpark(req);
	if (ev_timer_armed(&bw->timer))
		ev_timer_stop(c->loop, &bw->timer);
	if (!loop || c->closing || bw->abandoned) {
		req_abandon(req);
		conn_release_if_idle(c);
		return;
	}
	NTSTATUS st = req_offload(req, bw->work, bw->done);
	if (!NT_EQ(st, STATUS_PENDING)) {
		req_abandon(req);
		conn_close(c, "out of memory retrying a request that waited for a break");
	}
}

/* Any thread: fsa/ woke the waiter. */
static void break_wait_wake(void *arg)
{
	struct break_wait *bw = arg;
	if (ev_loop_post(bw->req->conn->loop, break_wait_wake_on_loop, bw) < 0)
		log_err("out of memory waking a request that waited for a break");
}

static void break_wait_timeout(struct ev_loop *loop, struct ev_timer *t)
{
	(void)loop;
	struct break_wait *bw = t->data;
	fsa_oplock_timeout(bw->table, &bw->waiter); /* forces the breaks and wakes us */
}

void break_wait_init(struct break_wait *bw, struct smb2_req *req, void (*work)(struct smb2_req *),
		     NTSTATUS (*done)(struct smb2_req *))
{
	*bw = (struct break_wait){ .req = req, .table = req->conn->srv->files, .work = work, .done = done };
	bw->waiter.wake = break_wait_wake;
	bw->waiter.arg = bw;
	ev_timer_init(&bw->timer, break_wait_timeout, bw);
}

NTSTATUS break_wait_park(struct break_wait *bw)
{
	struct smb2_req *req = bw->req;
	struct conn *c = req->conn;
	bw->retry = true;
	if (bw->woken) {
		bw->woken = false;
		return req_offload(req, bw->work, bw->done);
	}
	req_park(req);
	ev_timer_start(c->loop, &bw->timer, c->cfg->break_timeout_ms);
	/* the client learns the request goes on (and may cancel it) */
	if (!req_send_interim(req) && fsa_waiter_cancel(bw->table, &bw->waiter)) {
		req_unpark(req);
		ev_timer_stop(c->loop, &bw->timer);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	return STATUS_PENDING;
}

bool break_wait_conn_closing(struct break_wait *bw)
{
	if (ev_timer_armed(&bw->timer))
		ev_timer_stop(bw->req->conn->loop, &bw->timer);
	if (fsa_waiter_cancel(bw->table, &bw->waiter))
		return true;
	/* Not linked. A request back from work() (not parked) that left no
	 * waiter, or whose wake-up already ran (woken), has nothing queued */
	if (!bw->req->parked && (bw->woken || !NT_EQ(bw->req->work_status, STATUS_OPLOCK_BREAK_IN_PROGRESS)))
		return true;
	bw->abandoned = true; /* a wake-up is queued: it frees the request */
	return false;
}

void break_wait_cancel(struct break_wait *bw)
{
	struct smb2_req *req = bw->req;
	if (!req->parked || !fsa_waiter_cancel(bw->table, &bw->waiter))
		return; /* not waiting, or a wake-up is on its way */
	req_unpark(req);
	if (ev_timer_armed(&bw->timer))
		ev_timer_stop(req->conn->loop, &bw->timer);
	req_resume(req, req_reply_cancelled);
}

void break_wait_release(struct break_wait *bw)
{
	if (bw->req && ev_timer_armed(&bw->timer))
		ev_timer_stop(bw->req->conn->loop, &bw->timer);
}

NTSTATUS cmd_oplock_break(struct smb2_req *req)
{
	bool is_lease;
	struct wire_oplock_break ob;
	struct wire_lease_break_ack lb;
	NTSTATUS st = wire_oplock_break_ack_decode(req->msg, req->len, &is_lease, &ob, &lb);
	if (!NT_OK(st))
		return st;
	if (is_lease) {
		/* [MS-SMB2] 3.3.5.22.2 */
		struct fsa_break next;
		int n_next;
		st = fsa_lease_ack(req->conn->srv->files, req->conn->client_guid, lb.lease_key, lb.lease_state, &next,
				   &n_next);
		if (!NT_OK(st))
			return st;
		if (n_next)
			conn_deliver_breaks(req->conn, &next, n_next); /* it must go lower still */
		struct wr *lw = req_body(req, 36);
		if (!lw)
			return STATUS_NO_MEMORY;
		lb.lease_duration = 0;
		wire_lease_break_rsp_encode(lw, &lb);
		return STATUS_SUCCESS;
	}
	struct fsa_open *o = conn_open_lookup(req, ob.fid_persistent, ob.fid_volatile, &st);
	if (o && o->pipe) {
		conn_open_release(req->conn, o);
		return STATUS_INVALID_OPLOCK_PROTOCOL; /* no oplocks on pipes */
	}
	if (!o)
		return st;
	uint8_t level;
	st = fsa_oplock_ack(o, ob.oplock_level, &level);
	conn_open_release(req->conn, o);
	if (!NT_OK(st))
		return st;
	struct wr *w = req_body(req, 24);
	if (!w)
		return STATUS_NO_MEMORY;
	ob.oplock_level = level;
	wire_oplock_break_encode(w, &ob);
	return STATUS_SUCCESS;
}
