/* SMB2 READ, WRITE and FLUSH ([MS-SMB2] 3.3.5.11-3.3.5.13): access checks,
 * length limits against the negotiated maximum and the request's credit
 * charge, and the I/O on an offload thread straight into (READ) or out of
 * (WRITE) the message buffers, with no copy. */
#include <stdlib.h>
#include <string.h>

#include "commands/cmd_pipe.h"
#include "conn/opens.h"
#include "fsa/fsa.h"
#include "conn/request.h"
#include "wire/file.h"

#define MAX_FILE_SIZE 0xfffffff0000ULL

struct io_state {
	struct fsa_open *open; /* first: see req_open_state() */
	uint64_t offset;
	uint32_t length;
	uint32_t minimum;
	const uint8_t *data; /* WRITE: a slice of the request frame */
	uint8_t *dst;	     /* READ: where the data goes in the reply */
	bool in_pipe;	     /* READ: the data went into req->splice_pipe */
	bool pipe_dirty;     /* READ: some data went into the pipe before splicing failed */
	size_t done;
	bool write_through;
	struct fsa_break breaks[FSA_MAX_BREAKS];
	int n_breaks;
};

/* [MS-SMB2] 3.3.5.2.5: a multi-credit request must be paid for. */
static bool charge_covers(const struct smb2_req *req, size_t payload)
{
	if (req->conn->dialect < SMB2_DIALECT_210)
		return payload <= 65536;
	uint32_t charge = req->hdr.credit_charge ? req->hdr.credit_charge : 1;
	size_t need = payload ? (payload - 1) / 65536 + 1 : 1;
	return charge >= need;
}

static NTSTATUS io_begin(struct smb2_req *req, uint64_t fid_p, uint64_t fid_v, struct io_state **out)
{
	NTSTATUS st;
	*out = req_open_state(req, fid_p, fid_v, sizeof(struct io_state), &st);
	return *out ? STATUS_SUCCESS : st;
}

/* Reads of at least this size go out zero-copy when the reply allows it. */
#define READ_SPLICE_MIN (16 * 1024)

/* Room for the reply: the fixed part, and the data unless it goes in a pipe. */
static bool read_reply_buffer(struct smb2_req *req, struct io_state *s, bool with_data)
{
	size_t fixed = 16 + (size_t)req->conn->read_body_padding;
	if (!req_body(req, wire_rsp_size(16, req->conn->read_body_padding + (with_data ? s->length : 0))))
		return false;
	s->dst = req->rsp + SMB2_HDR_LEN + fixed;
	return true;
}

static void read_work(struct smb2_req *req)
{
	struct io_state *s = req->cmd_state;
	if (req->splice_pipe) {
		req->work_status = fsa_read_to_pipe(s->open, req->splice_pipe->w, s->length, s->offset, &s->done);
		if (!NT_EQ(req->work_status, STATUS_NOT_SUPPORTED)) {
			s->in_pipe = true;
			return;
		}
		/* this file system cannot splice: copy after all, from the
		 * start (read_done closes the pipe if anything went into it) */
		s->pipe_dirty = s->done > 0;
		s->done = 0;
		if (!read_reply_buffer(req, s, true)) {
			req->work_status = STATUS_NO_MEMORY;
			return;
		}
	}
	/* after what the loop already read from the page cache, if anything */
	size_t more = 0;
	req->work_status = fsa_read(s->open, s->dst + s->done, s->length - s->done, s->offset + s->done, &more);
	s->done += more;
}

static NTSTATUS read_done(struct smb2_req *req)
{
	struct io_state *s = req->cmd_state;
	struct conn_pipe *p = req->splice_pipe;
	if (p) {
		if (s->in_pipe && NT_OK(req->work_status) && s->done >= s->minimum && s->done > 0) {
			req->splice_len = s->done; /* the reply carries the pipe (chain_finish_req) */
		} else {
			req->splice_pipe = NULL;
			conn_pipe_put(req->conn, p, !s->pipe_dirty && (!s->in_pipe || s->done == 0));
		}
	}
	if (!NT_OK(req->work_status)) {
		req->has_body = false;
		return req->work_status;
	}
	if (s->done < s->minimum || (s->done == 0 && s->length > 0)) {
		req->has_body = false; /* error body instead */
		return STATUS_END_OF_FILE;
	}
	s->open->position = s->offset + s->done; /* FilePositionInformation follows reads */
	/* The data is already at its place; write the fixed part before it. */
	req->w.pos = SMB2_HDR_LEN;
	wire_read_rsp_encode_padded(&req->w, req->conn->read_body_padding, (uint32_t)s->done, 0, 0);
	if (!req->splice_pipe)
		wire_read_rsp_data_placed(&req->w, s->done, req->conn->read_body_padding);
	return STATUS_SUCCESS;
}

NTSTATUS cmd_read(struct smb2_req *req)
{
	struct wire_read_req q;
	NTSTATUS st = wire_read_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	if (q.length > req->conn->max_io || !charge_covers(req, q.length) || q.offset > (uint64_t)INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	if (q.channel != SMB2_CHANNEL_NONE)
		return STATUS_INVALID_PARAMETER;
	struct io_state *s;
	st = io_begin(req, q.fid_persistent, q.fid_volatile, &s);
	if (!NT_OK(st))
		return st;
	if (s->open->pipe)
		return pipe_read(req, s->open, q.length);
	if (s->open->is_dir)
		return STATUS_INVALID_DEVICE_REQUEST;
	if (!fsa_has_access(s->open, FILE_READ_DATA) && !fsa_has_access(s->open, FILE_EXECUTE))
		return STATUS_ACCESS_DENIED;
	if (fsa_io_conflicts(s->open, q.offset, q.length, false))
		return STATUS_FILE_LOCK_CONFLICT;
	s->offset = q.offset;
	s->length = q.length;
	s->minimum = q.minimum_count;
	/* the request owns the pipe until its reply does (req_release) */
	if (req->tcon->zero_copy_read && q.length >= READ_SPLICE_MIN && req_reply_may_splice(req))
		req->splice_pipe = conn_pipe_get(req->conn, q.length); /* NULL: copy */
	if (!read_reply_buffer(req, s, !req->splice_pipe))
		return STATUS_NO_MEMORY;
	if (!req->splice_pipe && conn_quiet(req->conn, q.length)) {
		/* Latency: data already in the page cache is copied here (see
		 * conn_quiet); the rest (not cached) is read on an offload
		 * thread. With requests in flight the offload threads read in
		 * parallel while the loop sends. */
		bool eof;
		fsa_read_cached(s->open, s->dst, s->length, s->offset, &s->done, &eof);
		if (s->done == s->length || eof) {
			req->work_status = STATUS_SUCCESS;
			return read_done(req);
		}
	}
	return req_offload(req, read_work, read_done);
}

static void write_work(struct smb2_req *req)
{
	struct io_state *s = req->cmd_state;
	req->work_status = fsa_write(s->open, s->data, s->length, s->offset, &s->done, s->write_through);
	if (NT_OK(req->work_status))
		s->n_breaks = fsa_break_level2(s->open, s->breaks, FSA_MAX_BREAKS);
}

static NTSTATUS write_done(struct smb2_req *req)
{
	struct io_state *s = req->cmd_state;
	if (s->n_breaks)
		conn_deliver_breaks(req->conn, s->breaks, s->n_breaks);
	if (!NT_OK(req->work_status))
		return req->work_status;
	if (s->offset != UINT64_MAX)
		s->open->position = s->offset + s->done;
	struct wr *w = req_body(req, 16);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_write_rsp_encode(w, (uint32_t)s->done, 0);
	return STATUS_SUCCESS;
}

NTSTATUS cmd_write(struct smb2_req *req)
{
	struct wire_write_req q;
	NTSTATUS st = wire_write_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	if (q.data_len > req->conn->max_io || !charge_covers(req, q.data_len))
		return STATUS_INVALID_PARAMETER;
	if (q.channel != SMB2_CHANNEL_NONE)
		return STATUS_INVALID_PARAMETER;
	struct io_state *s;
	st = io_begin(req, q.fid_persistent, q.fid_volatile, &s);
	if (!NT_OK(st))
		return st;
	if (s->open->pipe)
		return pipe_write(req, s->open, q.data, q.data_len);
	if (s->open->is_dir)
		return STATUS_INVALID_DEVICE_REQUEST;
	bool append_only = !fsa_has_access(s->open, FILE_WRITE_DATA) && fsa_has_access(s->open, FILE_APPEND_DATA);
	if (!fsa_has_access(s->open, FILE_WRITE_DATA) && !append_only)
		return STATUS_ACCESS_DENIED;
	if (q.offset == UINT64_MAX && append_only) {
		s->offset = UINT64_MAX; /* end of file: fsa appends */
	} else {
		if (q.offset > (uint64_t)INT64_MAX || q.offset + q.data_len > (uint64_t)INT64_MAX)
			return STATUS_INVALID_PARAMETER;
		/* the largest file Windows (NTFS) can hold; clients test for it */
		if (q.data_len && q.offset + q.data_len > MAX_FILE_SIZE)
			return STATUS_INVALID_PARAMETER;
		s->offset = q.offset;
	}
	if (fsa_io_conflicts(s->open, s->offset == UINT64_MAX ? 0 : s->offset, q.data_len, true))
		return STATUS_FILE_LOCK_CONFLICT;
	s->data = q.data;
	s->length = (uint32_t)q.data_len;
	s->write_through = q.flags & SMB2_WRITEFLAG_WRITE_THROUGH ||
			   (s->open->create_options & FILE_WRITE_THROUGH);
	return req_offload(req, write_work, write_done);
}

static void flush_work(struct smb2_req *req)
{
	struct io_state *s = req->cmd_state;
	req->work_status = fsa_flush(s->open);
}

static NTSTATUS flush_done(struct smb2_req *req)
{
	if (!NT_OK(req->work_status))
		return req->work_status;
	struct wr *w = req_body(req, 4);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_flush_rsp_encode(w);
	return STATUS_SUCCESS;
}

NTSTATUS cmd_flush(struct smb2_req *req)
{
	struct wire_flush_req q;
	NTSTATUS st = wire_flush_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	struct io_state *s;
	st = io_begin(req, q.fid_persistent, q.fid_volatile, &s);
	if (!NT_OK(st))
		return st;
	if (!s->open->is_dir && !fsa_has_access(s->open, FILE_WRITE_DATA) &&
	    !fsa_has_access(s->open, FILE_APPEND_DATA))
		return STATUS_ACCESS_DENIED;
	return req_offload(req, flush_work, flush_done);
}
