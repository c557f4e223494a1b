/* Codecs for CREATE, CLOSE, FLUSH, READ, WRITE, OPLOCK_BREAK, LOCK,
 * QUERY_DIRECTORY, CHANGE_NOTIFY, QUERY_INFO and SET_INFO ([MS-SMB2]
 * 2.2.13-2.2.27, 2.2.33-2.2.40). Request offsets are relative to the SMB2
 * header and become slices only after they are checked against the message. */
#include "wire/file.h"

#include <string.h>


#define FIXED_END(body_len) (SMB2_HDR_LEN + (body_len))

NTSTATUS wire_create_req_decode(const uint8_t *msg, size_t len, struct wire_create_req *q)
{
	struct rd r = wire_req_body(msg, len, 57);
	q->security_flags = rd_u8(&r);
	q->requested_oplock_level = rd_u8(&r);
	q->impersonation_level = rd_u32(&r);
	q->smb_create_flags = rd_u64(&r);
	rd_skip(&r, 8); /* Reserved */
	q->desired_access = rd_u32(&r);
	q->file_attributes = rd_u32(&r);
	q->share_access = rd_u32(&r);
	q->create_disposition = rd_u32(&r);
	q->create_options = rd_u32(&r);
	uint16_t name_off = rd_u16(&r);
	uint16_t name_len = rd_u16(&r);
	uint32_t ctx_off = rd_u32(&r);
	uint32_t ctx_len = rd_u32(&r);
	q->ctx.n = 0;
	if (r.bad || (name_len & 1))
		return STATUS_INVALID_PARAMETER;
	bool bad = false;
	q->name = wire_req_area(msg, len, FIXED_END(56), name_off, name_len, &bad);
	q->name_len = name_len;
	const uint8_t *ctx = wire_req_area(msg, len, FIXED_END(56), ctx_off, ctx_len, &bad);
	if (bad || (ctx && (ctx_off & 7)))
		return STATUS_INVALID_PARAMETER;
	return wire_create_ctx_parse(ctx, ctx_len, &q->ctx);
}

void wire_create_rsp_encode(struct wr *w, const struct wire_create_rsp *r, struct wire_cctx_writer *cw)
{
	memset(cw, 0, sizeof(*cw));
	cw->rsp_start = w->pos;
	wr_u16(w, 89);
	wr_u8(w, r->oplock_level);
	wr_u8(w, r->flags);
	wr_u32(w, r->create_action);
	wr_u64(w, r->creation_time);
	wr_u64(w, r->last_access_time);
	wr_u64(w, r->last_write_time);
	wr_u64(w, r->change_time);
	wr_u64(w, r->allocation_size);
	wr_u64(w, r->end_of_file);
	wr_u32(w, r->file_attributes);
	wr_u32(w, 0); /* Reserved2 */
	wr_u64(w, r->fid_persistent);
	wr_u64(w, r->fid_volatile);
	wr_u32(w, 0); /* CreateContextsOffset: patched by wire_cctx_add */
	wr_u32(w, 0); /* CreateContextsLength */
}

NTSTATUS wire_close_req_decode(const uint8_t *msg, size_t len, struct wire_close_req *q)
{
	struct rd r = wire_req_body(msg, len, 24);
	q->flags = rd_u16(&r);
	rd_skip(&r, 4);
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_close_rsp_encode(struct wr *w, const struct wire_close_rsp *r)
{
	bool attrs = r->flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB;
	wr_u16(w, 60);
	wr_u16(w, r->flags);
	wr_u32(w, 0);
	wr_u64(w, attrs ? r->creation_time : 0);
	wr_u64(w, attrs ? r->last_access_time : 0);
	wr_u64(w, attrs ? r->last_write_time : 0);
	wr_u64(w, attrs ? r->change_time : 0);
	wr_u64(w, attrs ? r->allocation_size : 0);
	wr_u64(w, attrs ? r->end_of_file : 0);
	wr_u32(w, attrs ? r->file_attributes : 0);
}

NTSTATUS wire_flush_req_decode(const uint8_t *msg, size_t len, struct wire_flush_req *q)
{
	struct rd r = wire_req_body(msg, len, 24);
	rd_skip(&r, 6); /* Reserved1, Reserved2 */
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

static void rsp4_encode(struct wr *w)
{
	wr_u16(w, 4);
	wr_u16(w, 0);
}

void wire_flush_rsp_encode(struct wr *w)
{
	rsp4_encode(w);
}

void wire_lock_rsp_encode(struct wr *w)
{
	rsp4_encode(w);
}

NTSTATUS wire_read_req_decode(const uint8_t *msg, size_t len, struct wire_read_req *q)
{
	struct rd r = wire_req_body(msg, len, 49);
	q->padding = rd_u8(&r);
	q->flags = rd_u8(&r);
	q->length = rd_u32(&r);
	q->offset = rd_u64(&r);
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	q->minimum_count = rd_u32(&r);
	q->channel = rd_u32(&r);
	q->remaining_bytes = rd_u32(&r);
	uint16_t ci_off = rd_u16(&r);
	uint16_t ci_len = rd_u16(&r);
	if (r.bad)
		return STATUS_INVALID_PARAMETER;
	bool bad = false;
	q->channel_info = wire_req_area(msg, len, FIXED_END(48), ci_off, ci_len, &bad);
	q->channel_info_len = ci_len;
	return bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_read_rsp_encode_padded(struct wr *w, uint8_t padding, uint32_t data_len, uint32_t data_remaining,
				 uint32_t flags)
{
	wr_u16(w, 17);
	wr_u8(w, (uint8_t)(WIRE_READ_DATA_OFFSET + padding));
	wr_u8(w, 0);
	wr_u32(w, data_len);
	wr_u32(w, data_remaining);
	wr_u32(w, flags);
	for (uint8_t i = 0; i < padding; i++)
		wr_u8(w, 0);
}

void wire_read_rsp_data_placed(struct wr *w, size_t n, uint8_t padding)
{
	if (n == 0 && padding == 0) {
		wr_u8(w, 0); /* the byte StructureSize 17 counts */
		return;
	}
	if (w->bad || n > w->cap - w->pos)
		w->bad = true;
	else
		w->pos += n;
}

void wire_read_rsp_encode_fixed(struct wr *w, uint32_t data_len, uint32_t data_remaining, uint32_t flags)
{
	wire_read_rsp_encode_padded(w, 0, data_len, data_remaining, flags);
}

void wire_read_rsp_encode(struct wr *w, const uint8_t *data, uint32_t data_len, uint32_t data_remaining)
{
	wire_read_rsp_encode_fixed(w, data_len, data_remaining, SMB2_READFLAG_RESPONSE_NONE);
	if (data_len)
		wr_bytes(w, data, data_len);
	else
		wr_u8(w, 0);
}

NTSTATUS wire_write_req_decode(const uint8_t *msg, size_t len, struct wire_write_req *q)
{
	struct rd r = wire_req_body(msg, len, 49);
	uint16_t data_off = rd_u16(&r);
	uint32_t data_len = rd_u32(&r);
	q->offset = rd_u64(&r);
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	q->channel = rd_u32(&r);
	q->remaining_bytes = rd_u32(&r);
	uint16_t ci_off = rd_u16(&r);
	uint16_t ci_len = rd_u16(&r);
	q->flags = rd_u32(&r);
	if (r.bad)
		return STATUS_INVALID_PARAMETER;
	bool bad = false;
	q->data = wire_req_area(msg, len, FIXED_END(48), data_off, data_len, &bad);
	q->data_len = data_len;
	q->channel_info = wire_req_area(msg, len, FIXED_END(48), ci_off, ci_len, &bad);
	q->channel_info_len = ci_len;
	return bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_write_rsp_encode(struct wr *w, uint32_t count, uint32_t remaining)
{
	wr_u16(w, 17);
	wr_u16(w, 0);
	wr_u32(w, count);
	wr_u32(w, remaining);
	wr_u16(w, 0); /* WriteChannelInfoOffset */
	wr_u16(w, 0); /* WriteChannelInfoLength */
}

NTSTATUS wire_oplock_break_ack_decode(const uint8_t *msg, size_t len, bool *is_lease, struct wire_oplock_break *ob,
				      struct wire_lease_break_ack *lb)
{
	struct rd r = rd_init(msg, len);
	rd_seek(&r, SMB2_HDR_LEN);
	uint16_t ssize = rd_u16(&r);
	memset(ob, 0, sizeof(*ob));
	memset(lb, 0, sizeof(*lb));
	*is_lease = false;
	if (ssize == 24) {
		ob->oplock_level = rd_u8(&r);
		rd_skip(&r, 5); /* Reserved, Reserved2 */
		ob->fid_persistent = rd_u64(&r);
		ob->fid_volatile = rd_u64(&r);
	} else if (ssize == 36) {
		*is_lease = true;
		rd_skip(&r, 2);
		lb->flags = rd_u32(&r);
		rd_copy(&r, lb->lease_key, 16);
		lb->lease_state = rd_u32(&r);
		lb->lease_duration = rd_u64(&r);
	} else {
		r.bad = true;
	}
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_oplock_break_encode(struct wr *w, const struct wire_oplock_break *ob)
{
	wr_u16(w, 24);
	wr_u8(w, ob->oplock_level);
	wr_u8(w, 0);
	wr_u32(w, 0);
	wr_u64(w, ob->fid_persistent);
	wr_u64(w, ob->fid_volatile);
}

void wire_lease_break_notify_encode(struct wr *w, const struct wire_lease_break_notify *n)
{
	wr_u16(w, 44);
	wr_u16(w, n->new_epoch);
	wr_u32(w, n->flags);
	wr_bytes(w, n->lease_key, 16);
	wr_u32(w, n->current_lease_state);
	wr_u32(w, n->new_lease_state);
	wr_u32(w, n->break_reason);
	wr_u32(w, n->access_mask_hint);
	wr_u32(w, n->share_mask_hint);
}

void wire_lease_break_rsp_encode(struct wr *w, const struct wire_lease_break_ack *a)
{
	wr_u16(w, 36);
	wr_u16(w, 0);
	wr_u32(w, a->flags);
	wr_bytes(w, a->lease_key, 16);
	wr_u32(w, a->lease_state);
	wr_u64(w, a->lease_duration);
}

#define LOCK_ELEMENT_LEN 24

NTSTATUS wire_lock_req_decode(const uint8_t *msg, size_t len, struct wire_lock_req *q)
{
	struct rd r = wire_req_body(msg, len, 48);
	q->lock_count = rd_u16(&r);
	uint32_t seq = rd_u32(&r);
	q->lock_sequence_number = (uint8_t)(seq & 0xF);
	q->lock_sequence_index = seq >> 4;
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	q->locks = rd_take(&r, (size_t)q->lock_count * LOCK_ELEMENT_LEN);
	if (r.bad || q->lock_count == 0) {
		q->locks = NULL;
		return STATUS_INVALID_PARAMETER;
	}
	return STATUS_SUCCESS;
}

struct wire_lock_element wire_lock_req_element(const struct wire_lock_req *q, unsigned i)
{
	struct wire_lock_element e = { 0 };
	if (!q->locks || i >= q->lock_count)
		return e;
	const uint8_t *p = q->locks + (size_t)i * LOCK_ELEMENT_LEN;
	e.offset = le64_at(p);
	e.length = le64_at(p + 8);
	e.flags = le32_at(p + 16);
	return e;
}

NTSTATUS wire_query_directory_req_decode(const uint8_t *msg, size_t len, struct wire_query_directory_req *q)
{
	struct rd r = wire_req_body(msg, len, 33);
	q->info_class = rd_u8(&r);
	q->flags = rd_u8(&r);
	q->file_index = rd_u32(&r);
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	uint16_t name_off = rd_u16(&r);
	uint16_t name_len = rd_u16(&r);
	q->output_buffer_length = rd_u32(&r);
	if (r.bad || (name_len & 1))
		return STATUS_INVALID_PARAMETER;
	bool bad = false;
	q->pattern = wire_req_area(msg, len, FIXED_END(32), name_off, name_len, &bad);
	q->pattern_len = name_len;
	return bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

NTSTATUS wire_change_notify_req_decode(const uint8_t *msg, size_t len, struct wire_change_notify_req *q)
{
	struct rd r = wire_req_body(msg, len, 32);
	q->flags = rd_u16(&r);
	q->output_buffer_length = rd_u32(&r);
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	q->completion_filter = rd_u32(&r);
	rd_skip(&r, 4);
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

NTSTATUS wire_query_info_req_decode(const uint8_t *msg, size_t len, struct wire_query_info_req *q)
{
	struct rd r = wire_req_body(msg, len, 41);
	q->info_type = rd_u8(&r);
	q->info_class = rd_u8(&r);
	q->output_buffer_length = rd_u32(&r);
	uint16_t in_off = rd_u16(&r);
	rd_skip(&r, 2);
	uint32_t in_len = rd_u32(&r);
	q->additional_information = rd_u32(&r);
	q->flags = rd_u32(&r);
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	if (r.bad)
		return STATUS_INVALID_PARAMETER;
	bool bad = false;
	q->input = wire_req_area(msg, len, FIXED_END(40), in_off, in_len, &bad);
	q->input_len = in_len;
	return bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

NTSTATUS wire_set_info_req_decode(const uint8_t *msg, size_t len, struct wire_set_info_req *q)
{
	struct rd r = wire_req_body(msg, len, 33);
	q->info_type = rd_u8(&r);
	q->info_class = rd_u8(&r);
	uint32_t buf_len = rd_u32(&r);
	uint16_t buf_off = rd_u16(&r);
	rd_skip(&r, 2);
	q->additional_information = rd_u32(&r);
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	if (r.bad)
		return STATUS_INVALID_PARAMETER;
	bool bad = false;
	q->buf = wire_req_area(msg, len, FIXED_END(32), buf_off, buf_len, &bad);
	q->buf_len = buf_len;
	return bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_set_info_rsp_encode(struct wr *w)
{
	wr_u16(w, 2);
}

size_t wire_out_rsp_begin(struct wr *w)
{
	size_t begin = w->pos;
	wr_u16(w, 9);
	wr_u16(w, (uint16_t)(begin + 8)); /* OutputBufferOffset: header-relative */
	wr_u32(w, 0);			  /* OutputBufferLength: patched by end */
	return begin;
}

void wire_out_rsp_end(struct wr *w, size_t begin)
{
	if (w->bad || w->pos < begin + 8) {
		w->bad = true;
		return;
	}
	size_t n = w->pos - (begin + 8);
	if (n > UINT32_MAX) {
		w->bad = true;
		return;
	}
	wr_patch_u32(w, begin + 4, (uint32_t)n);
	if (n == 0)
		wr_u8(w, 0);
}

static void out_rsp_encode(struct wr *w, const uint8_t *out, size_t out_len)
{
	size_t begin = wire_out_rsp_begin(w);
	if (out_len)
		wr_bytes(w, out, out_len);
	wire_out_rsp_end(w, begin);
}

void wire_query_directory_rsp_encode(struct wr *w, const uint8_t *out, size_t out_len)
{
	out_rsp_encode(w, out, out_len);
}

void wire_change_notify_rsp_encode(struct wr *w, const uint8_t *out, size_t out_len)
{
	out_rsp_encode(w, out, out_len);
}

void wire_query_info_rsp_encode(struct wr *w, const uint8_t *out, size_t out_len)
{
	out_rsp_encode(w, out, out_len);
}
