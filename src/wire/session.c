/* Codecs for SESSION_SETUP, LOGOFF, TREE_CONNECT/DISCONNECT, ECHO and IOCTL
 * ([MS-SMB2] 2.2.5-2.2.12, 2.2.28, 2.2.31, 2.2.32). Offsets in requests are
 * relative to the SMB2 header and validated as slices of the message. */
#include "wire/session.h"

NTSTATUS wire_sess_setup_req_decode(const uint8_t *msg, size_t len, struct sess_setup_req *q)
{
	struct rd r = wire_req_body(msg, len, 25);
	q->flags = rd_u8(&r);
	q->security_mode = rd_u8(&r);
	q->capabilities = rd_u32(&r);
	rd_skip(&r, 4); /* Channel */
	uint16_t off = rd_u16(&r);
	uint16_t n = rd_u16(&r);
	q->previous_session_id = rd_u64(&r);
	if (r.bad)
		return STATUS_INVALID_PARAMETER;
	bool bad = false;
	q->sec = wire_req_area(msg, len, SMB2_HDR_LEN + 24, off, n, &bad);
	q->sec_len = n;
	return bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_sess_setup_rsp_encode(struct wr *w, uint16_t session_flags, const uint8_t *sec, size_t sec_len)
{
	wr_u16(w, 9);
	wr_u16(w, session_flags);
	wr_u16(w, sec_len ? SMB2_HDR_LEN + 8 : 0);
	wr_u16(w, (uint16_t)sec_len);
	if (sec_len)
		wr_bytes(w, sec, sec_len);
	else
		wr_u8(w, 0);
}

NTSTATUS wire_tree_connect_req_decode(const uint8_t *msg, size_t len, struct tree_connect_req *q)
{
	struct rd r = wire_req_body(msg, len, 9);
	q->flags = rd_u16(&r);
	uint16_t off = rd_u16(&r);
	uint16_t n = rd_u16(&r);
	if (r.bad)
		return STATUS_INVALID_PARAMETER;
	bool bad = false;
	/* With the 3.1.1 extension the path offset is relative to the
	 * TREE_CONNECT_REQUEST_EXTENSION, which starts at the Buffer. */
	if (q->flags & SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT) {
		struct rd e = rd_init(msg, len);
		rd_seek(&e, off);
		rd_skip(&e, 8); /* TreeConnectContextOffset, Count, Reserved */
		uint32_t poff = rd_u32(&e);
		uint16_t plen = rd_u16(&e);
		if (e.bad)
			return STATUS_INVALID_PARAMETER;
		q->path = wire_req_area(msg, len, SMB2_HDR_LEN + 8, (uint32_t)off + poff, plen, &bad);
		q->path_len = plen;
	} else {
		q->path = wire_req_area(msg, len, SMB2_HDR_LEN + 8, off, n, &bad);
		q->path_len = n;
	}
	if (bad || (q->path_len & 1))
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}

void wire_tree_connect_rsp_encode(struct wr *w, uint8_t share_type, uint32_t share_flags, uint32_t capabilities,
				  uint32_t maximal_access)
{
	wr_u16(w, 16);
	wr_u8(w, share_type);
	wr_u8(w, 0);
	wr_u32(w, share_flags);
	wr_u32(w, capabilities);
	wr_u32(w, maximal_access);
}

NTSTATUS wire_simple_req_decode(const uint8_t *msg, size_t len)
{
	struct rd r = wire_req_body(msg, len, 4);
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_simple_rsp_encode(struct wr *w)
{
	wr_u16(w, 4);
	wr_u16(w, 0);
}

NTSTATUS wire_ioctl_req_decode(const uint8_t *msg, size_t len, struct ioctl_req *q)
{
	struct rd r = wire_req_body(msg, len, 57);
	rd_skip(&r, 2);
	q->ctl_code = rd_u32(&r);
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	uint32_t in_off = rd_u32(&r);
	uint32_t in_n = rd_u32(&r);
	q->max_input_response = rd_u32(&r);
	rd_skip(&r, 8); /* OutputOffset, OutputCount: must be zero, ignored */
	q->max_output_response = rd_u32(&r);
	q->flags = rd_u32(&r);
	rd_skip(&r, 4);
	if (r.bad)
		return STATUS_INVALID_PARAMETER;
	bool bad = false;
	q->in = wire_req_area(msg, len, SMB2_HDR_LEN + 56, in_off, in_n, &bad);
	q->in_len = in_n;
	return bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_ioctl_rsp_encode_padded(struct wr *w, uint8_t padding, uint32_t ctl_code, uint64_t fid_p, uint64_t fid_v,
				  const uint8_t *out, size_t out_len)
{
	uint32_t at = SMB2_HDR_LEN + 48 + padding;
	wr_u16(w, 49);
	wr_u16(w, 0);
	wr_u32(w, ctl_code);
	wr_u64(w, fid_p);
	wr_u64(w, fid_v);
	wr_u32(w, at); /* InputOffset */
	wr_u32(w, 0);  /* InputCount */
	wr_u32(w, out_len ? at : 0);
	wr_u32(w, (uint32_t)out_len);
	wr_u32(w, 0); /* Flags */
	wr_u32(w, 0);
	for (uint8_t i = 0; i < padding; i++)
		wr_u8(w, 0);
	if (out_len)
		wr_bytes(w, out, out_len);
	else if (!padding)
		wr_u8(w, 0); /* the byte StructureSize 49 counts */
}

void wire_ioctl_rsp_encode(struct wr *w, uint32_t ctl_code, uint64_t fid_p, uint64_t fid_v, const uint8_t *out,
			   size_t out_len)
{
	wire_ioctl_rsp_encode_padded(w, 0, ctl_code, fid_p, fid_v, out, out_len);
}
