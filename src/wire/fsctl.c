/* FSCTL input/output buffer codecs (see fsctl.h): [MS-SMB2] 2.2.31.1,
 * 2.2.32.1-2.2.32.5 and [MS-FSCC] 2.1.3.1, 2.3.8, 2.3.14, 2.3.49, 2.3.52,
 * 2.3.64, 2.3.67. Pure: no state, no I/O. */
#include "wire/fsctl.h"

#define CHUNK_LEN 24
#define TRIM_RANGE_LEN 16

NTSTATUS wire_copychunk_req_decode(const uint8_t *in, size_t len, struct wire_copychunk_req *q)
{
	struct rd r = rd_init(in, len);
	q->source_key = rd_take(&r, WIRE_RESUME_KEY_LEN);
	q->chunk_count = rd_u32(&r);
	rd_skip(&r, 4); /* Reserved */
	if (r.bad)
		return STATUS_INVALID_PARAMETER;
	/* the chunks must all be there; trailing bytes are ignored */
	if (q->chunk_count > rd_left(&r) / CHUNK_LEN)
		return STATUS_INVALID_PARAMETER;
	q->chunks = q->chunk_count ? rd_take(&r, (size_t)q->chunk_count * CHUNK_LEN) : NULL;
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_copychunk_chunk(const struct wire_copychunk_req *q, uint32_t i, struct wire_chunk *c)
{
	struct rd r = rd_init(q->chunks, (size_t)q->chunk_count * CHUNK_LEN);
	rd_seek(&r, (size_t)i * CHUNK_LEN);
	c->source_offset = rd_u64(&r);
	c->target_offset = rd_u64(&r);
	c->length = rd_u32(&r);
}

void wire_copychunk_rsp_encode(struct wr *w, uint32_t chunks_written, uint32_t chunk_bytes_written,
			       uint32_t total_bytes_written)
{
	wr_u32(w, chunks_written);
	wr_u32(w, chunk_bytes_written);
	wr_u32(w, total_bytes_written);
}

void wire_resume_key_rsp_encode(struct wr *w, const uint8_t key[WIRE_RESUME_KEY_LEN])
{
	wr_bytes(w, key, WIRE_RESUME_KEY_LEN);
	wr_u32(w, 0); /* ContextLength */
	wr_zero(w, 4);
}

NTSTATUS wire_dup_extents_req_decode(const uint8_t *in, size_t len, struct wire_dup_extents_req *q)
{
	struct rd r = rd_init(in, len);
	q->fid_persistent = rd_u64(&r);
	q->fid_volatile = rd_u64(&r);
	q->source_offset = rd_u64(&r);
	q->target_offset = rd_u64(&r);
	q->byte_count = rd_u64(&r);
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

NTSTATUS wire_zero_data_req_decode(const uint8_t *in, size_t len, struct wire_zero_data_req *q)
{
	struct rd r = rd_init(in, len);
	q->file_offset = rd_u64(&r);
	q->beyond_final_zero = rd_u64(&r);
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

NTSTATUS wire_alloc_ranges_req_decode(const uint8_t *in, size_t len, struct wire_range *q)
{
	struct rd r = rd_init(in, len);
	q->offset = rd_u64(&r);
	q->length = rd_u64(&r);
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_range_encode(struct wr *w, const struct wire_range *r)
{
	wr_u64(w, r->offset);
	wr_u64(w, r->length);
}

NTSTATUS wire_set_sparse_req_decode(const uint8_t *in, size_t len, bool *sparse)
{
	struct rd r = rd_init(in, len);
	*sparse = len == 0 || rd_u8(&r) != 0;
	return STATUS_SUCCESS;
}

NTSTATUS wire_resiliency_req_decode(const uint8_t *in, size_t len, uint32_t *timeout_ms)
{
	struct rd r = rd_init(in, len);
	*timeout_ms = rd_u32(&r);
	rd_u32(&r); /* Reserved */
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

NTSTATUS wire_compression_req_decode(const uint8_t *in, size_t len, uint16_t *format)
{
	struct rd r = rd_init(in, len);
	*format = rd_u16(&r);
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_compression_rsp_encode(struct wr *w, uint16_t format)
{
	wr_u16(w, format);
}

NTSTATUS wire_trim_req_decode(const uint8_t *in, size_t len, struct wire_trim_req *q)
{
	struct rd r = rd_init(in, len);
	q->key = rd_u32(&r);
	q->num_ranges = rd_u32(&r);
	if (r.bad || q->num_ranges > rd_left(&r) / TRIM_RANGE_LEN)
		return STATUS_INVALID_PARAMETER;
	q->ranges = q->num_ranges ? rd_take(&r, (size_t)q->num_ranges * TRIM_RANGE_LEN) : NULL;
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

void wire_trim_range(const struct wire_trim_req *q, uint32_t i, struct wire_range *out)
{
	struct rd r = rd_init(q->ranges, (size_t)q->num_ranges * TRIM_RANGE_LEN);
	rd_seek(&r, (size_t)i * TRIM_RANGE_LEN);
	out->offset = rd_u64(&r);
	out->length = rd_u64(&r);
}

void wire_trim_rsp_encode(struct wr *w, uint32_t processed)
{
	wr_u32(w, processed);
}

void wire_objectid_encode(struct wr *w, const uint8_t object_id[16], const uint8_t birth_volume_id[16],
			  const uint8_t birth_object_id[16])
{
	wr_bytes(w, object_id, 16);
	wr_bytes(w, birth_volume_id, 16);
	wr_bytes(w, birth_object_id, 16);
	wr_zero(w, 16); /* DomainId */
}

void wire_empty_snapshots_encode(struct wr *w)
{
	wr_u32(w, 0); /* NumberOfSnapShots */
	wr_u32(w, 0); /* NumberOfSnapShotsReturned */
	wr_u32(w, 2); /* SnapShotArraySize: the terminating NUL */
	wr_u16(w, 0);
}

#define AF_INTERNETWORK 0x0002
#define AF_INTERNETWORKV6 0x0017

void wire_net_ifaces_encode(struct wr *w, const struct wire_net_iface *ifs, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct wire_net_iface *f = &ifs[i];
		size_t start = w->pos;
		wr_u32(w, i + 1 < n ? WIRE_NET_IFACE_LEN : 0); /* Next */
		wr_u32(w, f->ifindex);
		wr_u32(w, f->capability);
		wr_u32(w, 0); /* Reserved */
		wr_u64(w, f->link_speed);
		/* SockAddr_Storage: Family and a 126-byte Buffer (2.2.32.5.1) */
		if (f->ipv6) {
			wr_u16(w, AF_INTERNETWORKV6);
			wr_u16(w, 0); /* Port */
			wr_u32(w, 0); /* FlowInfo */
			wr_bytes(w, f->addr, 16);
			wr_u32(w, 0); /* ScopeId */
		} else {
			wr_u16(w, AF_INTERNETWORK);
			wr_u16(w, 0); /* Port */
			wr_bytes(w, f->addr, 4);
			wr_zero(w, 8); /* Reserved */
		}
		if (!w->bad)
			wr_zero(w, WIRE_NET_IFACE_LEN - (w->pos - start));
	}
}

NTSTATUS wire_pipe_wait_req_decode(const uint8_t *in, size_t len, struct wire_pipe_wait_req *q)
{
	struct rd r = rd_init(in, len);
	q->timeout = rd_u64(&r);
	uint32_t name_len = rd_u32(&r);
	q->timeout_specified = rd_u8(&r) != 0;
	rd_skip(&r, 1); /* Padding */
	q->name = rd_take(&r, name_len);
	q->name_len = name_len;
	if (r.bad || (name_len & 1))
		return STATUS_INVALID_PARAMETER;
	return STATUS_SUCCESS;
}
