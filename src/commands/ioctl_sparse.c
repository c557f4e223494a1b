/* Sparse files and byte ranges ([MS-FSCC] 2.3.64 FSCTL_SET_SPARSE, 2.3.67
 * FSCTL_SET_ZERO_DATA, 2.3.51 FSCTL_QUERY_ALLOCATED_RANGES, 2.3.14
 * FSCTL_FILE_LEVEL_TRIM; [MS-FSA] 2.1.5.10): decode, access checks, the
 * file-system part offloaded to fsa/range.c, encode. */
#include <stdlib.h>

#include "commands/ioctl_int.h"
#include "conn/opens.h"

static void set_sparse_work(struct smb2_req *req)
{
	struct ioctl_state *s = req->cmd_state;
	req->work_status = fsa_set_sparse(s->open, s->u.sparse);
}

NTSTATUS ioctl_set_sparse(struct smb2_req *req, struct ioctl_state *s)
{
	/* [MS-FSA] 2.1.5.10.34: any of write data, append, write attributes */
	if (!fsa_has_access(s->open, FILE_WRITE_DATA) && !fsa_has_access(s->open, FILE_APPEND_DATA) &&
	    !fsa_has_access(s->open, FILE_WRITE_ATTRIBUTES))
		return STATUS_ACCESS_DENIED;
	NTSTATUS st = wire_set_sparse_req_decode(s->q.in, s->q.in_len, &s->u.sparse);
	if (!NT_OK(st))
		return st;
	if (s->open->is_dir)
		return STATUS_INVALID_PARAMETER;
	return req_offload(req, set_sparse_work, ioctl_finish);
}

static void zero_data_work(struct smb2_req *req)
{
	struct ioctl_state *s = req->cmd_state;
	req->work_status = fsa_zero_data(s->open, s->u.zero.file_offset, s->u.zero.beyond_final_zero);
	if (NT_OK(req->work_status))
		s->n_breaks = fsa_break_level2(s->open, s->breaks, FSA_MAX_BREAKS);
}

NTSTATUS ioctl_zero_data(struct smb2_req *req, struct ioctl_state *s)
{
	NTSTATUS st = wire_zero_data_req_decode(s->q.in, s->q.in_len, &s->u.zero);
	if (!NT_OK(st))
		return st;
	if (s->u.zero.file_offset > INT64_MAX || s->u.zero.beyond_final_zero > INT64_MAX ||
	    s->u.zero.file_offset > s->u.zero.beyond_final_zero || s->open->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (s->u.zero.file_offset == s->u.zero.beyond_final_zero)
		return ioctl_reply(req, &s->q, NULL, 0, STATUS_SUCCESS);
	return req_offload(req, zero_data_work, ioctl_finish);
}

static void ranges_work(struct smb2_req *req)
{
	struct ioctl_state *s = req->cmd_state;
	req->work_status =
		fsa_allocated_ranges(s->open, s->u.ranges.in.offset, s->u.ranges.in.length, s->u.ranges.v,
				     s->u.ranges.cap, &s->u.ranges.n);
}

static NTSTATUS ranges_done(struct smb2_req *req)
{
	struct ioctl_state *s = req->cmd_state;
	NTSTATUS st = req->work_status;
	if (NT_ERR(st))
		return ioctl_reply(req, &s->q, NULL, 0, st);
	/* more ranges than fit: as many as fit, or none fit at all */
	if (NT_EQ(st, STATUS_BUFFER_OVERFLOW) && s->u.ranges.n == 0)
		return ioctl_reply(req, &s->q, NULL, 0, STATUS_BUFFER_TOO_SMALL);
	if (!ioctl_out_alloc(s, s->u.ranges.n * WIRE_RANGE_LEN))
		return STATUS_NO_MEMORY;
	struct wr w = wr_init(s->out, s->u.ranges.n * WIRE_RANGE_LEN);
	for (size_t i = 0; i < s->u.ranges.n; i++)
		wire_range_encode(&w, &(struct wire_range){ .offset = s->u.ranges.v[i].off,
							    .length = s->u.ranges.v[i].len });
	s->out_len = w.pos;
	return ioctl_reply(req, &s->q, s->out, s->out_len, st);
}

NTSTATUS ioctl_allocated_ranges(struct smb2_req *req, struct ioctl_state *s)
{
	NTSTATUS st = wire_alloc_ranges_req_decode(s->q.in, s->q.in_len, &s->u.ranges.in);
	if (!NT_OK(st))
		return st;
	uint64_t off = s->u.ranges.in.offset, len = s->u.ranges.in.length;
	if (off > INT64_MAX || len > INT64_MAX || off + len > INT64_MAX || s->open->is_dir)
		return STATUS_INVALID_PARAMETER;
	s->u.ranges.cap = s->q.max_output_response / WIRE_RANGE_LEN; /* <= max_io / 16 */
	s->u.ranges.v = calloc(s->u.ranges.cap ? s->u.ranges.cap : 1, sizeof(struct fsa_range));
	if (!s->u.ranges.v)
		return STATUS_NO_MEMORY;
	return req_offload(req, ranges_work, ranges_done);
}

NTSTATUS ioctl_file_level_trim(struct smb2_req *req, struct ioctl_state *s)
{
	/* Trimmed ranges read back as anything; keeping the data is a valid
	 * trim, so after the checks nothing is done. */
	struct wire_trim_req t;
	NTSTATUS st = wire_trim_req_decode(s->q.in, s->q.in_len, &t);
	if (!NT_OK(st))
		return st;
	if (s->q.max_output_response < 4 || s->open->is_dir)
		return STATUS_INVALID_PARAMETER;
	for (uint32_t i = 0; i < t.num_ranges; i++) {
		struct wire_range r;
		wire_trim_range(&t, i, &r);
		if (r.offset > INT64_MAX || r.length > INT64_MAX || r.offset + r.length > INT64_MAX)
			return STATUS_INVALID_PARAMETER;
	}
	uint8_t out[4];
	struct wr w = wr_init(out, sizeof(out));
	wire_trim_rsp_encode(&w, t.num_ranges);
	return ioctl_reply(req, &s->q, out, w.pos, STATUS_SUCCESS);
}
