/* Server-side copy ([MS-SMB2] 3.3.5.15.5 FSCTL_SRV_REQUEST_RESUME_KEY,
 * 3.3.5.15.6 FSCTL_SRV_COPYCHUNK/_WRITE with the 3.3.3 limits) and block
 * cloning ([MS-FSCC] 2.3.8 FSCTL_DUPLICATE_EXTENTS_TO_FILE). The data moves
 * on an offload thread through fsa/ (copy_file_range, FICLONERANGE); no
 * bytes are parsed here.
 *
 * A resume key names an open of this connection: its persistent and
 * volatile ids and the connection id, 8 bytes each. A key is honoured only
 * for the session that owns the open (on any of its tree connects), so a
 * key leaked to another client is worthless, and one whose open was closed
 * no longer resolves (STATUS_OBJECT_NAME_NOT_FOUND). */
#include "commands/ioctl_int.h"
#include "conn/opens.h"

/* [MS-SMB2] 3.3.3: ServerSideCopyMaxNumberofChunks, MaxChunkSize, MaxDataSize */
#define COPYCHUNK_MAX_CHUNKS 256
#define COPYCHUNK_MAX_CHUNK_SIZE (1u << 20)
#define COPYCHUNK_MAX_DATA_SIZE (16u << 20)

static void resume_key_of(const struct smb2_req *req, const struct fsa_open *o, uint8_t key[WIRE_RESUME_KEY_LEN])
{
	wr_le64_at(key, o->persistent_id);
	wr_le64_at(key + 8, o->volatile_id);
	wr_le64_at(key + 16, req->conn->id);
}

NTSTATUS ioctl_request_resume_key(struct smb2_req *req, struct ioctl_state *s)
{
	if (s->q.max_output_response < WIRE_RESUME_KEY_RSP_LEN)
		return STATUS_INVALID_PARAMETER;
	uint8_t key[WIRE_RESUME_KEY_LEN], out[WIRE_RESUME_KEY_RSP_LEN];
	resume_key_of(req, s->open, key);
	struct wr w = wr_init(out, sizeof(out));
	wire_resume_key_rsp_encode(&w, key);
	return ioctl_reply(req, &s->q, out, w.pos, STATUS_SUCCESS);
}

/* The source open a resume key names (+1 reference), or NULL. */
static struct fsa_open *resume_key_lookup(struct smb2_req *req, const uint8_t *key)
{
	if (le64_at(key + 16) != req->conn->id)
		return NULL;
	return conn_open_lookup_session(req->conn, req->hdr.session_id, le64_at(key), le64_at(key + 8));
}

static NTSTATUS copychunk_reply(struct smb2_req *req, struct ioctl_state *s, uint32_t a, uint32_t b, uint32_t c,
				NTSTATUS st)
{
	uint8_t out[WIRE_COPYCHUNK_RSP_LEN];
	struct wr w = wr_init(out, sizeof(out));
	wire_copychunk_rsp_encode(&w, a, b, c);
	return ioctl_reply(req, &s->q, out, w.pos, st);
}

static void copychunk_work(struct smb2_req *req)
{
	struct ioctl_state *s = req->cmd_state;
	NTSTATUS st = STATUS_SUCCESS;
	for (uint32_t i = 0; i < s->u.cc.chunk_count; i++) {
		struct wire_chunk c;
		wire_copychunk_chunk(&s->u.cc, i, &c);
		st = fsa_copy_chunk(s->src, s->open, c.source_offset, c.target_offset, c.length);
		if (!NT_OK(st))
			break;
		s->chunks_written++;
		s->total_written += c.length;
	}
	if (s->total_written)
		s->n_breaks = fsa_break_level2(s->open, s->breaks, FSA_MAX_BREAKS);
	req->work_status = st;
}

static NTSTATUS copychunk_done(struct smb2_req *req)
{
	struct ioctl_state *s = req->cmd_state;
	if (s->n_breaks)
		conn_deliver_breaks(req->conn, s->breaks, s->n_breaks);
	/* on failure too: how far the copy got ([MS-SMB2] 3.3.5.15.6.2) */
	return copychunk_reply(req, s, s->chunks_written, 0, s->total_written, req->work_status);
}

NTSTATUS ioctl_copychunk(struct smb2_req *req, struct ioctl_state *s)
{
	if (s->q.max_output_response < WIRE_COPYCHUNK_RSP_LEN)
		return STATUS_INVALID_PARAMETER;
	NTSTATUS st = wire_copychunk_req_decode(s->q.in, s->q.in_len, &s->u.cc);
	if (!NT_OK(st))
		return st;
	/* the target: write, and read too for FSCTL_SRV_COPYCHUNK (checked
	 * with the code's RequiredAccess by the caller) */
	if (!fsa_has_access(s->open, FILE_WRITE_DATA))
		return STATUS_ACCESS_DENIED;
	if (s->open->is_dir)
		return STATUS_INVALID_DEVICE_REQUEST;
	s->src = resume_key_lookup(req, s->u.cc.source_key);
	if (!s->src || s->src->pipe)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (!fsa_has_access(s->src, FILE_READ_DATA) && !fsa_has_access(s->src, FILE_EXECUTE))
		return STATUS_ACCESS_DENIED;
	/* [MS-SMB2] 3.3.5.15.6.1: out of limits -> the limits themselves */
	bool bad = s->u.cc.chunk_count > COPYCHUNK_MAX_CHUNKS;
	uint64_t total = 0;
	for (uint32_t i = 0; !bad && i < s->u.cc.chunk_count; i++) {
		struct wire_chunk c;
		wire_copychunk_chunk(&s->u.cc, i, &c);
		bad = c.length == 0 || c.length > COPYCHUNK_MAX_CHUNK_SIZE;
		total += c.length;
	}
	if (bad || total > COPYCHUNK_MAX_DATA_SIZE)
		return copychunk_reply(req, s, COPYCHUNK_MAX_CHUNKS, COPYCHUNK_MAX_CHUNK_SIZE, COPYCHUNK_MAX_DATA_SIZE,
				       STATUS_INVALID_PARAMETER);
	if (s->u.cc.chunk_count == 0)
		return copychunk_reply(req, s, 0, 0, 0, STATUS_SUCCESS);
	return req_offload(req, copychunk_work, copychunk_done);
}

static void dup_work(struct smb2_req *req)
{
	struct ioctl_state *s = req->cmd_state;
	req->work_status = fsa_duplicate_extents(s->src, s->open, s->u.dup.source_offset, s->u.dup.target_offset,
						 s->u.dup.byte_count);
	if (NT_OK(req->work_status))
		s->n_breaks = fsa_break_level2(s->open, s->breaks, FSA_MAX_BREAKS);
}

NTSTATUS ioctl_duplicate_extents(struct smb2_req *req, struct ioctl_state *s)
{
	NTSTATUS st = wire_dup_extents_req_decode(s->q.in, s->q.in_len, &s->u.dup);
	if (!NT_OK(st))
		return st;
	if (s->open->is_dir)
		return STATUS_INVALID_DEVICE_REQUEST;
	s->src = conn_open_lookup_session(req->conn, req->hdr.session_id, s->u.dup.fid_persistent,
					  s->u.dup.fid_volatile);
	if (!s->src || s->src->pipe)
		return STATUS_INVALID_HANDLE;
	if (!fsa_has_access(s->src, FILE_READ_DATA))
		return STATUS_ACCESS_DENIED;
	return req_offload(req, dup_work, ioctl_finish);
}
