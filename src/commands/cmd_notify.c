/* SMB2 CHANGE_NOTIFY ([MS-SMB2] 3.3.5.19): arms the directory open's watch
 * in fsa/; with nothing queued the request goes asynchronous (interim
 * reply) and completes when a change arrives, on CANCEL (STATUS_CANCELLED),
 * or when the handle closes (STATUS_NOTIFY_CLEANUP). */
#include <stdlib.h>
#include <string.h>

#include "base/utf16.h"
#include "conn/opens.h"
#include "conn/request.h"
#include "fsa/fsa.h"
#include "wire/file.h"
#include "wire/fileinfo.h"

struct notify_state {
	struct fsa_open *open; /* first: see req_open_state() */
	struct wire_change_notify_req q;
	struct fsa_notify_waiter waiter;
	struct fsa_change *changes;
	NTSTATUS result;
	bool abandoned;
};

static void notify_release(struct smb2_req *req)
{
	struct notify_state *s = req->cmd_state;
	fsa_changes_free(s->changes);
	/* changes delivered to a request abandoned before it took them */
	fsa_changes_free(s->waiter.changes);
	req_open_state_release(req);
}

/* Encodes the queued changes as FILE_NOTIFY_INFORMATION entries. */
static NTSTATUS notify_encode(struct smb2_req *req)
{
	struct notify_state *s = req->cmd_state;
	if (!NT_EQ(s->result, STATUS_SUCCESS))
		return s->result;
	size_t max = s->q.output_buffer_length;
	struct wr *w = req_body(req, wire_rsp_size(8, max));
	if (!w)
		return STATUS_NO_MEMORY;
	size_t begin = wire_out_rsp_begin(w);
	size_t old = wire_wr_limit(w, max);
	size_t last = (size_t)-1;
	uint8_t name16[4096 * 2];
	for (struct fsa_change *c = s->changes; c; c = c->next) {
		long n = utf8_to_utf16le(c->name, name16, sizeof(name16));
		if (n < 0)
			continue;
		for (long i = 0; i < n; i += 2)
			if (name16[i] == '/' && name16[i + 1] == 0)
				name16[i] = '\\';
		if (!wire_notify_append(w, &last, c->action, name16, (size_t)n)) {
			/* more than the client can take: it must re-read the directory */
			w->cap = old;
			req->has_body = false;
			return STATUS_NOTIFY_ENUM_DIR;
		}
	}
	w->cap = old;
	wire_out_rsp_end(w, begin);
	return STATUS_SUCCESS;
}

static void notify_wake_on_loop(struct ev_loop *loop, void *arg)
{
	struct smb2_req *req = arg;
	struct notify_state *s = req->cmd_state;
	struct conn *c = req->conn;
	req_unpark(req);
	if (!loop || c->closing || s->abandoned) {
		req_abandon(req);
		conn_release_if_idle(c);
		return;
	}
	s->result = s->waiter.status;
	s->changes = s->waiter.changes;
	s->waiter.changes = NULL;
	req_resume(req, notify_encode);
}

static void notify_wake(void *arg)
{
	struct smb2_req *req = arg;
	if (ev_loop_post(req->conn->loop, notify_wake_on_loop, req) < 0)
		log_err("out of memory completing a change notification");
}

static void notify_on_cancel(struct smb2_req *req)
{
	struct notify_state *s = req->cmd_state;
	if (!fsa_notify_cancel(s->open, &s->waiter))
		return; /* already completing */
	req_unpark(req);
	req_resume(req, req_reply_cancelled);
}

static bool notify_cancel_on_close(struct smb2_req *req)
{
	struct notify_state *s = req->cmd_state;
	if (fsa_notify_cancel(s->open, &s->waiter))
		return true;
	s->abandoned = true;
	return false;
}

NTSTATUS cmd_change_notify(struct smb2_req *req)
{
	struct wire_change_notify_req q;
	NTSTATUS st = wire_change_notify_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	if (q.output_buffer_length > req->conn->max_io)
		return STATUS_INVALID_PARAMETER;
	struct notify_state *s = req_open_state(req, q.fid_persistent, q.fid_volatile, sizeof(*s), &st);
	if (!s)
		return st;
	struct fsa_open *o = s->open;
	s->q = q;
	req->release = notify_release;
	if (!o->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (!fsa_has_access(o, FILE_LIST_DIRECTORY))
		return STATUS_ACCESS_DENIED;
	if (req->hdr.next_command) {
		/* Windows does not let a request that would go asynchronous
		 * sit in the middle of a compound ([MS-SMB2] <159>, <162>) */
		return STATUS_INTERNAL_ERROR;
	}
	s->waiter.wake = notify_wake;
	s->waiter.arg = req;
	st = fsa_notify_arm(o, q.completion_filter, q.flags & SMB2_WATCH_TREE, q.output_buffer_length, &s->waiter,
			    &s->changes);
	if (!NT_EQ(st, STATUS_PENDING)) {
		s->result = st;
		return notify_encode(req);
	}
	req->cancel = notify_cancel_on_close;
	req->on_cancel = notify_on_cancel;
	req_park(req);
	if (!req_send_interim(req)) {
		/* cannot go asynchronous: answer now as if cancelled */
		if (fsa_notify_cancel(o, &s->waiter)) {
			req_unpark(req);
			return STATUS_INSUFFICIENT_RESOURCES;
		}
	}
	return STATUS_PENDING;
}
