/* SMB2 QUERY_DIRECTORY ([MS-SMB2] 3.3.5.18, [MS-FSA] 2.1.5.6.3): the
 * enumeration runs on an offload thread and writes entries straight into the
 * reply, stopping at the client's OutputBufferLength and putting back the
 * entry that did not fit for the next call. */
#include <stdlib.h>
#include <string.h>

#include "conn/opens.h"
#include "fsa/fsa.h"
#include "conn/request.h"
#include "wire/file.h"
#include "wire/fileinfo.h"

struct qdir_state {
	struct fsa_open *open; /* first: see req_open_state() */
	struct wire_query_directory_req q;
	bool ci;
	size_t out_len;
	bool any; /* entries returned */
};

static void qdir_work(struct smb2_req *req)
{
	struct qdir_state *s = req->cmd_state;
	struct fsa_open *o = s->open;
	uint8_t cls = s->q.info_class;
	bool restart = s->q.flags & (SMB2_RESTART_SCANS | SMB2_REOPEN);
	bool first_call = o->dir == NULL || restart;
	pthread_mutex_lock(&o->dir_lock);
	NTSTATUS st = fsa_dir_begin(o, s->q.pattern, s->q.pattern_len, restart, s->ci);
	if (!NT_OK(st))
		goto out;
	struct wr w = wr_init(req->rsp + SMB2_HDR_LEN + 8, s->q.output_buffer_length);
	size_t last = (size_t)-1;
	struct fsa_dirent *e = malloc(sizeof(*e));
	if (!e) {
		st = STATUS_NO_MEMORY;
		goto out;
	}
	for (;;) {
		st = fsa_dir_next(o, e);
		if (!NT_OK(st))
			break;
		struct wire_dirent de = {
			.creation_time = e->info.creation_time,
			.last_access_time = e->info.last_access_time,
			.last_write_time = e->info.last_write_time,
			.change_time = e->info.change_time,
			.end_of_file = e->info.end_of_file,
			.allocation_size = e->info.allocation_size,
			.attributes = e->info.attributes,
			.file_id = e->info.file_id,
			.name = e->name16,
			.name_len = e->name16_len,
		};
		if (!wire_dirent_append(&w, &last, cls, &de)) {
			fsa_dir_unget(o, e);
			st = s->any ? STATUS_SUCCESS : STATUS_INFO_LENGTH_MISMATCH;
			break;
		}
		s->any = true;
		if (s->q.flags & SMB2_RETURN_SINGLE_ENTRY)
			break;
	}
	free(e);
	if (NT_EQ(st, STATUS_NO_MORE_FILES) && s->any)
		st = STATUS_SUCCESS;
	else if (NT_EQ(st, STATUS_NO_MORE_FILES) && first_call)
		st = STATUS_NO_SUCH_FILE;
	else if (NT_OK(st) && !s->any)
		st = STATUS_NO_MORE_FILES;
	s->out_len = w.pos;
out:
	pthread_mutex_unlock(&o->dir_lock);
	req->work_status = st;
}

static NTSTATUS qdir_done(struct smb2_req *req)
{
	struct qdir_state *s = req->cmd_state;
	if (!NT_OK(req->work_status)) {
		req->has_body = false;
		return req->work_status;
	}
	/* The entries are in place after the 8-byte fixed part. */
	req->w.pos = SMB2_HDR_LEN;
	wr_u16(&req->w, 9);
	wr_u16(&req->w, SMB2_HDR_LEN + 8);
	wr_u32(&req->w, (uint32_t)s->out_len);
	req->w.pos += s->out_len;
	return STATUS_SUCCESS;
}

NTSTATUS cmd_query_directory(struct smb2_req *req)
{
	struct wire_query_directory_req q;
	NTSTATUS st = wire_query_directory_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	struct qdir_state *s = req_open_state(req, q.fid_persistent, q.fid_volatile, sizeof(*s), &st);
	if (!s)
		return st;
	struct fsa_open *o = s->open;
	s->q = q;
	s->ci = req->tcon->case_insensitive;
	if (!o->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (!fsa_has_access(o, FILE_LIST_DIRECTORY))
		return STATUS_ACCESS_DENIED;
	if (wire_dirent_size(q.info_class, 0) == 0)
		return STATUS_INVALID_INFO_CLASS;
	if (q.output_buffer_length > req->conn->max_io)
		return STATUS_INVALID_PARAMETER;
	if (q.output_buffer_length < wire_dirent_size(q.info_class, 0))
		return STATUS_INFO_LENGTH_MISMATCH;
	if (!req_body(req, wire_rsp_size(8, q.output_buffer_length)))
		return STATUS_NO_MEMORY;
	/* the pattern slice points into the request frame, alive until the reply */
	return req_offload(req, qdir_work, qdir_done);
}
