/* Oplock break notifications and acknowledgements ([MS-SMB2] 3.3.4.6,
 * 3.3.5.22.1). fsa/ decides which opens must break; this delivers each
 * notification on the loop that owns the holder's connection (posting
 * across threads when needed), and handles the client's acknowledgement. */
#include <stdlib.h>
#include <string.h>

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
		struct wire_lease_break_notify n = { .new_epoch = b->lease_v2 ? b->lease_epoch : 0,
						     .flags = b->lease_ack ? SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED : 0,
						     .current_lease_state = b->lease_from,
						     .new_lease_state = b->lease_to };
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
}

struct break_post {
	struct server *srv;
	struct fsa_break b;
};

static void break_on_owner(struct ev_loop *loop, void *arg)
{
	struct break_post *p = arg;
	if (loop) {
		struct conn *c = server_find_conn(loop, p->b.conn_id);
		if (c)
			send_break(c, &p->b);
	}
	free(p);
}

void conn_deliver_breaks(struct conn *from, const struct fsa_break *b, int n)
{
	for (int i = 0; i < n; i++) {
		if (!b[i].loop)
			continue;
		if (b[i].loop == from->loop) {
			struct conn *c = b[i].conn_id == from->id ? from : server_find_conn(from->loop, b[i].conn_id);
			if (c)
				send_break(c, &b[i]);
			continue;
		}
		struct break_post *p = malloc(sizeof(*p));
		if (!p)
			continue;
		p->srv = from->srv;
		p->b = b[i];
		if (ev_loop_post(b[i].loop, break_on_owner, p) < 0)
			free(p);
	}
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
		st = fsa_lease_ack(req->conn->srv->files, req->conn->client_guid, lb.lease_key, lb.lease_state);
		if (!NT_OK(st))
			return st;
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
