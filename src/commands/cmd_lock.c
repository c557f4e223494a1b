/* SMB2 LOCK ([MS-SMB2] 3.3.5.14): element validation (all unlocks or all
 * locks; blocking only for a single lock), then fsa/'s byte-range locks. A
 * blocking lock that must wait goes asynchronous (interim reply) and
 * completes when the conflicting lock goes (retried then), on CANCEL
 * (STATUS_CANCELLED), or with STATUS_RANGE_NOT_LOCKED when its handle
 * closes. Locks are in memory: everything runs on the loop thread. */
#include <stdlib.h>

#include "conn/opens.h"
#include "conn/request.h"
#include "fsa/fsa.h"
#include "wire/file.h"

struct lock_state {
	struct fsa_open *open; /* first: see req_open_state() */
	struct fsa_lock_elem e;
	struct fsa_lock_waiter waiter;
	NTSTATUS result;
	bool abandoned;
	bool locked; /* a lock (not an unlock) request */
	unsigned seq_index; /* LockSequenceIndex if 1..64 and replays count, else 0 */
	uint8_t seq_number;
};

/* [MS-SMB2] 3.3.5.14: lock sequence replay detection, for durable and
 * resilient handles on dialects after 2.0.2 (a client that lost its
 * connection resends the request it has no answer to). */
static unsigned seq_index_of(struct smb2_req *req, const struct fsa_open *o, const struct wire_lock_req *q)
{
	if (req->conn->dialect == SMB2_DIALECT_202 || !(o->durable || o->resilient))
		return 0;
	return q->lock_sequence_index >= 1 && q->lock_sequence_index <= 64 ? q->lock_sequence_index : 0;
}

static NTSTATUS lock_reply(struct smb2_req *req)
{
	struct lock_state *s = req->cmd_state;
	if (!NT_OK(s->result))
		return s->result;
	if (s->seq_index) /* done: a replay of this sequence number is answered as such */
		s->open->lock_seq[s->seq_index - 1] = 0x80 | s->seq_number;
	if (s->locked) {
		/* [MS-FSA] 2.1.5.8: a lock breaks level II oplocks, the
		 * locker's own too */
		struct fsa_break b[FSA_MAX_BREAKS];
		int nb = fsa_break_level2(s->open, b, FSA_MAX_BREAKS);
		if (nb)
			conn_deliver_breaks(req->conn, b, nb);
	}
	struct wr *w = req_body(req, 4);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_lock_rsp_encode(w);
	return STATUS_SUCCESS;
}

static void lock_wake_on_loop(struct ev_loop *loop, void *arg)
{
	struct smb2_req *req = arg;
	struct lock_state *s = req->cmd_state;
	struct conn *c = req->conn;
	if (!loop || c->closing || s->abandoned) {
		req_unpark(req);
		req_abandon(req);
		conn_release_if_idle(c);
		return;
	}
	if (s->waiter.closed) {
		s->result = STATUS_RANGE_NOT_LOCKED;
	} else {
		s->result = fsa_lock(s->open, &s->e, 1, &s->waiter);
		if (NT_EQ(s->result, STATUS_PENDING))
			return; /* still blocked: waits on */
	}
	req_unpark(req);
	req_resume(req, lock_reply);
}

static void lock_wake(void *arg)
{
	struct smb2_req *req = arg;
	if (ev_loop_post(req->conn->loop, lock_wake_on_loop, req) < 0)
		log_err("out of memory completing a byte-range lock");
}

static void lock_on_cancel(struct smb2_req *req)
{
	struct lock_state *s = req->cmd_state;
	if (!fsa_lock_cancel(s->open, &s->waiter))
		return; /* a wake-up is on its way */
	req_unpark(req);
	req_resume(req, req_reply_cancelled);
}

static bool lock_cancel_on_close(struct smb2_req *req)
{
	struct lock_state *s = req->cmd_state;
	if (fsa_lock_cancel(s->open, &s->waiter))
		return true;
	s->abandoned = true;
	return false;
}

NTSTATUS cmd_lock(struct smb2_req *req)
{
	struct wire_lock_req q;
	NTSTATUS st = wire_lock_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	struct lock_state *s = req_open_state(req, q.fid_persistent, q.fid_volatile, sizeof(*s), &st);
	if (!s)
		return st;
	struct fsa_open *o = s->open;
	if (o->is_dir)
		return STATUS_INVALID_PARAMETER;
	s->seq_index = seq_index_of(req, o, &q);
	s->seq_number = q.lock_sequence_number & 0x0f;
	if (s->seq_index) {
		uint8_t *ent = &o->lock_seq[s->seq_index - 1];
		if (*ent == (0x80 | s->seq_number)) {
			struct wr *w = req_body(req, 4);
			if (!w)
				return STATUS_NO_MEMORY;
			wire_lock_rsp_encode(w); /* already done once: not again */
			return STATUS_SUCCESS;
		}
		*ent = 0; /* a new sequence number for this bucket */
	}
	if (q.lock_count > FSA_MAX_LOCK_ELEMS)
		return STATUS_INSUFFICIENT_RESOURCES;
	struct fsa_lock_elem e[FSA_MAX_LOCK_ELEMS];
	bool unlock = wire_lock_req_element(&q, 0).flags == SMB2_LOCKFLAG_UNLOCK;
	bool blocking = false;
	size_t n = q.lock_count;
	for (uint16_t i = 0; i < n; i++) {
		struct wire_lock_element el = wire_lock_req_element(&q, i);
		uint32_t f = el.flags;
		if (unlock) {
			if (f != SMB2_LOCKFLAG_UNLOCK) {
				/* the unlocks before it happen first (their errors win) */
				s->result = fsa_unlock(o, e, i);
				return NT_OK(s->result) ? STATUS_INVALID_PARAMETER : lock_reply(req);
			}
		} else {
			switch (f) {
			case SMB2_LOCKFLAG_SHARED_LOCK:
			case SMB2_LOCKFLAG_EXCLUSIVE_LOCK:
				/* [MS-SMB2] 3.3.5.14.2: only a lone lock may wait */
				if (q.lock_count > 1)
					return STATUS_INVALID_PARAMETER;
				blocking = true;
				break;
			case SMB2_LOCKFLAG_SHARED_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY:
			case SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY:
				break;
			default:
				return STATUS_INVALID_PARAMETER;
			}
		}
		e[i] = (struct fsa_lock_elem){ .off = el.offset,
					       .len = el.length,
					       .excl = (f & SMB2_LOCKFLAG_EXCLUSIVE_LOCK) != 0 };
	}
	if (unlock) {
		s->result = fsa_unlock(o, e, n);
		return lock_reply(req);
	}
	s->locked = true;
	if (!blocking) {
		s->result = fsa_lock(o, e, q.lock_count, NULL);
		return lock_reply(req);
	}
	if (req->hdr.next_command) {
		/* a request that may wait cannot sit inside a compound */
		s->result = fsa_lock(o, e, 1, NULL);
		return lock_reply(req);
	}
	s->e = e[0];
	s->waiter.wake = lock_wake;
	s->waiter.arg = req;
	s->result = fsa_lock(o, e, 1, &s->waiter);
	if (!NT_EQ(s->result, STATUS_PENDING))
		return lock_reply(req);
	req->cancel = lock_cancel_on_close;
	req->on_cancel = lock_on_cancel;
	req_park(req);
	if (!req_send_interim(req) && fsa_lock_cancel(o, &s->waiter)) {
		req_unpark(req);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	return STATUS_PENDING;
}
