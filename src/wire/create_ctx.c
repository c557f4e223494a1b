/* SMB2 CREATE contexts ([MS-SMB2] 2.2.13.2, 2.2.14.2): strict parsing of the
 * request chain, payload decoders and the response chain writer. Every area
 * is checked before it becomes a slice; nothing is read past it. */
#include "wire/create_ctx.h"

#include <string.h>

const uint8_t SMB2_CREATE_APP_INSTANCE_ID[16] = { 0x45, 0xBC, 0xA6, 0x6A, 0xEF, 0xA7, 0xF7, 0x4A,
						  0x90, 0x08, 0xFA, 0x46, 0x2E, 0x14, 0x4D, 0x74 };
const uint8_t SMB2_CREATE_APP_INSTANCE_VERSION[16] = { 0xB9, 0x82, 0xD0, 0xB7, 0x3B, 0x56, 0x07, 0x4F,
						       0xA0, 0x7B, 0x52, 0x4A, 0x81, 0x16, 0xA0, 0x10 };
const uint8_t SVHDX_OPEN_DEVICE_CONTEXT[16] = { 0x9C, 0xCB, 0xCF, 0x9E, 0x04, 0xC1, 0xE6, 0x43,
						0x98, 0x0E, 0x15, 0x8D, 0xA1, 0xF6, 0xEC, 0x83 };
const uint8_t SMB2_CREATE_POSIX_CONTEXT[16] = { 0x93, 0xAD, 0x25, 0x50, 0x9C, 0xB4, 0x11, 0xE7,
						0xB4, 0x23, 0x83, 0xDE, 0x96, 0x8B, 0xCD, 0x7C };

#define CCTX_HDR_LEN 16

static const struct {
	const char *tag;
	enum wire_cctx_id id;
} tags[] = {
	{ SMB2_CREATE_EA_BUFFER, WIRE_CCTX_EXTA },
	{ SMB2_CREATE_SD_BUFFER, WIRE_CCTX_SECD },
	{ SMB2_CREATE_DURABLE_HANDLE_REQUEST, WIRE_CCTX_DHNQ },
	{ SMB2_CREATE_DURABLE_HANDLE_RECONNECT, WIRE_CCTX_DHNC },
	{ SMB2_CREATE_ALLOCATION_SIZE, WIRE_CCTX_ALSI },
	{ SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST, WIRE_CCTX_MXAC },
	{ SMB2_CREATE_TIMEWARP_TOKEN, WIRE_CCTX_TWRP },
	{ SMB2_CREATE_QUERY_ON_DISK_ID, WIRE_CCTX_QFID },
	{ SMB2_CREATE_REQUEST_LEASE, WIRE_CCTX_RQLS },
	{ SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2, WIRE_CCTX_DH2Q },
	{ SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2, WIRE_CCTX_DH2C },
	{ SMB2_CREATE_AAPL, WIRE_CCTX_AAPL },
};

static enum wire_cctx_id name_id(const uint8_t *name, size_t n)
{
	if (n == 4) {
		for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
			if (memcmp(name, tags[i].tag, 4) == 0)
				return tags[i].id;
	} else if (n == 16) {
		if (memcmp(name, SMB2_CREATE_APP_INSTANCE_ID, 16) == 0)
			return WIRE_CCTX_APP_INSTANCE_ID;
		if (memcmp(name, SMB2_CREATE_APP_INSTANCE_VERSION, 16) == 0)
			return WIRE_CCTX_APP_INSTANCE_VERSION;
		if (memcmp(name, SVHDX_OPEN_DEVICE_CONTEXT, 16) == 0)
			return WIRE_CCTX_SVHDX_OPEN_DEVICE;
		if (memcmp(name, SMB2_CREATE_POSIX_CONTEXT, 16) == 0)
			return WIRE_CCTX_POSIX;
	}
	return WIRE_CCTX_UNKNOWN;
}

NTSTATUS wire_create_ctx_parse(const uint8_t *area, size_t len, struct wire_create_ctx_list *l)
{
	size_t pos = 0;

	l->n = 0;
	if (len == 0)
		return STATUS_SUCCESS;
	for (;;) {
		if (l->n == WIRE_CREATE_CTX_MAX || len - pos < CCTX_HDR_LEN)
			return STATUS_INVALID_PARAMETER;
		struct rd r = rd_init(area + pos, len - pos);
		uint32_t next = rd_u32(&r);
		uint16_t name_off = rd_u16(&r);
		uint16_t name_len = rd_u16(&r);
		rd_skip(&r, 2); /* Reserved */
		uint16_t data_off = rd_u16(&r);
		uint32_t data_len = rd_u32(&r);
		if (r.bad)
			return STATUS_INVALID_PARAMETER;
		/* Next: aligned, forward, and leaving room for another header. */
		size_t extent = len - pos;
		if (next != 0) {
			if ((next & 7) != 0 || next < CCTX_HDR_LEN || next > extent ||
			    extent - next < CCTX_HDR_LEN)
				return STATUS_INVALID_PARAMETER;
			extent = next;
		}
		if (name_len == 0 || name_off < CCTX_HDR_LEN || name_off > extent || name_len > extent - name_off)
			return STATUS_INVALID_PARAMETER;
		if (data_len != 0 && (data_off < (size_t)name_off + name_len || data_off > extent ||
				      data_len > extent - data_off))
			return STATUS_INVALID_PARAMETER;
		struct wire_create_ctx *c = &l->c[l->n++];
		c->name = area + pos + name_off;
		c->name_len = name_len;
		c->data = data_len ? area + pos + data_off : NULL;
		c->data_len = data_len;
		c->id = name_id(c->name, name_len);
		if (next == 0)
			return STATUS_SUCCESS;
		pos += next;
	}
}

const struct wire_create_ctx *wire_create_ctx_find(const struct wire_create_ctx_list *l, enum wire_cctx_id id,
						   unsigned *count)
{
	const struct wire_create_ctx *found = NULL;
	unsigned k = 0;
	for (unsigned i = 0; i < l->n; i++) {
		if (l->c[i].id != id)
			continue;
		if (!found)
			found = &l->c[i];
		k++;
	}
	if (count)
		*count = k;
	return found;
}

static struct rd ctx_data(const struct wire_create_ctx *c)
{
	return rd_init(c->data, c->data_len);
}

NTSTATUS wire_cctx_mxac_decode(const struct wire_create_ctx *c, bool *has_timestamp, uint64_t *timestamp)
{
	*has_timestamp = false;
	*timestamp = 0;
	if (c->data_len == 0)
		return STATUS_SUCCESS;
	if (c->data_len != 8)
		return STATUS_INVALID_PARAMETER;
	struct rd r = ctx_data(c);
	*timestamp = rd_u64(&r);
	*has_timestamp = true;
	return STATUS_SUCCESS;
}

NTSTATUS wire_cctx_u64_decode(const struct wire_create_ctx *c, uint64_t *v)
{
	*v = 0;
	if (c->data_len != 8)
		return STATUS_INVALID_PARAMETER;
	struct rd r = ctx_data(c);
	*v = rd_u64(&r);
	return STATUS_SUCCESS;
}

NTSTATUS wire_cctx_rqls_decode(const struct wire_create_ctx *c, struct wire_lease *l)
{
	memset(l, 0, sizeof(*l));
	if (c->data_len != 32 && c->data_len != 52)
		return STATUS_INVALID_PARAMETER;
	struct rd r = ctx_data(c);
	rd_copy(&r, l->key, 16);
	l->state = rd_u32(&r);
	l->flags = rd_u32(&r);
	l->duration = rd_u64(&r);
	if (c->data_len == 52) {
		l->v2 = true;
		rd_copy(&r, l->parent_key, 16);
		l->epoch = rd_u16(&r);
		rd_skip(&r, 2);
	}
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

NTSTATUS wire_cctx_dhnq_decode(const struct wire_create_ctx *c)
{
	return c->data_len == 16 ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

NTSTATUS wire_cctx_dhnc_decode(const struct wire_create_ctx *c, struct wire_durable *d)
{
	memset(d, 0, sizeof(*d));
	if (c->data_len != 16)
		return STATUS_INVALID_PARAMETER;
	struct rd r = ctx_data(c);
	d->fid_persistent = rd_u64(&r);
	d->fid_volatile = rd_u64(&r);
	return STATUS_SUCCESS;
}

NTSTATUS wire_cctx_dh2q_decode(const struct wire_create_ctx *c, struct wire_durable *d)
{
	memset(d, 0, sizeof(*d));
	if (c->data_len != 32)
		return STATUS_INVALID_PARAMETER;
	struct rd r = ctx_data(c);
	d->timeout = rd_u32(&r);
	d->flags = rd_u32(&r);
	rd_skip(&r, 8);
	rd_copy(&r, d->create_guid, 16);
	return STATUS_SUCCESS;
}

NTSTATUS wire_cctx_dh2c_decode(const struct wire_create_ctx *c, struct wire_durable *d)
{
	memset(d, 0, sizeof(*d));
	if (c->data_len != 36)
		return STATUS_INVALID_PARAMETER;
	struct rd r = ctx_data(c);
	d->fid_persistent = rd_u64(&r);
	d->fid_volatile = rd_u64(&r);
	rd_copy(&r, d->create_guid, 16);
	d->flags = rd_u32(&r);
	return STATUS_SUCCESS;
}

NTSTATUS wire_cctx_app_instance_id_decode(const struct wire_create_ctx *c, uint8_t id[16])
{
	memset(id, 0, 16);
	if (c->data_len != 20)
		return STATUS_INVALID_PARAMETER;
	struct rd r = ctx_data(c);
	if (rd_u16(&r) != 20)
		return STATUS_INVALID_PARAMETER;
	rd_skip(&r, 2);
	rd_copy(&r, id, 16);
	return STATUS_SUCCESS;
}

NTSTATUS wire_cctx_app_instance_version_decode(const struct wire_create_ctx *c, uint64_t *high, uint64_t *low)
{
	*high = *low = 0;
	if (c->data_len != 24)
		return STATUS_INVALID_PARAMETER;
	struct rd r = ctx_data(c);
	if (rd_u16(&r) != 24)
		return STATUS_INVALID_PARAMETER;
	rd_skip(&r, 6); /* Reserved, Padding */
	*high = rd_u64(&r);
	*low = rd_u64(&r);
	return STATUS_SUCCESS;
}

/* Offsets of the CreateContextsOffset/Length fields in the CREATE response. */
#define RSP_CTX_OFFSET 80
#define RSP_CTX_LENGTH 84

void wire_cctx_add(struct wr *w, struct wire_cctx_writer *cw, const uint8_t *name, size_t name_len,
		   const uint8_t *data, size_t data_len)
{
	if (name_len == 0 || name_len > 0xFFFF - CCTX_HDR_LEN || data_len > UINT32_MAX) {
		w->bad = true;
		return;
	}
	wr_align(w, 8);
	size_t start = w->pos;
	size_t data_off = (CCTX_HDR_LEN + name_len + 7) & ~(size_t)7;
	if (data_len && data_off > 0xFFFF) {
		w->bad = true;
		return;
	}
	wr_u32(w, 0); /* Next: patched when another context follows */
	wr_u16(w, CCTX_HDR_LEN);
	wr_u16(w, (uint16_t)name_len);
	wr_u16(w, 0);
	wr_u16(w, data_len ? (uint16_t)data_off : 0);
	wr_u32(w, (uint32_t)data_len);
	wr_bytes(w, name, name_len);
	if (data_len) {
		wr_zero(w, data_off - CCTX_HDR_LEN - name_len);
		wr_bytes(w, data, data_len);
	}
	if (w->bad)
		return;
	if (cw->n == 0)
		cw->first = start;
	else
		wr_patch_u32(w, cw->last, (uint32_t)(start - cw->last));
	cw->last = start;
	cw->n++;
	wr_patch_u32(w, cw->rsp_start + RSP_CTX_OFFSET, (uint32_t)cw->first);
	wr_patch_u32(w, cw->rsp_start + RSP_CTX_LENGTH, (uint32_t)(w->pos - cw->first));
}

void wire_cctx_add_mxac(struct wr *w, struct wire_cctx_writer *cw, NTSTATUS query_status, uint32_t maximal_access)
{
	uint8_t d[8];
	wr_le32_at(d, query_status.v);
	wr_le32_at(d + 4, maximal_access);
	wire_cctx_add(w, cw, (const uint8_t *)SMB2_CREATE_QUERY_MAXIMAL_ACCESS_RESPONSE, 4, d, sizeof(d));
}

void wire_cctx_add_qfid(struct wr *w, struct wire_cctx_writer *cw, uint64_t disk_file_id, uint64_t volume_id)
{
	uint8_t d[32] = { 0 };
	wr_le64_at(d, disk_file_id);
	wr_le64_at(d + 8, volume_id);
	wire_cctx_add(w, cw, (const uint8_t *)SMB2_CREATE_QUERY_ON_DISK_ID, 4, d, sizeof(d));
}

void wire_cctx_add_lease(struct wr *w, struct wire_cctx_writer *cw, const struct wire_lease *l)
{
	uint8_t d[52] = { 0 };
	memcpy(d, l->key, 16);
	wr_le32_at(d + 16, l->state);
	wr_le32_at(d + 20, l->flags);
	wr_le64_at(d + 24, l->duration);
	if (l->v2) {
		memcpy(d + 32, l->parent_key, 16);
		wr_le16_at(d + 48, l->epoch);
	}
	wire_cctx_add(w, cw, (const uint8_t *)SMB2_CREATE_RESPONSE_LEASE, 4, d, l->v2 ? 52 : 32);
}

void wire_cctx_add_dhnq(struct wr *w, struct wire_cctx_writer *cw)
{
	static const uint8_t d[8];
	wire_cctx_add(w, cw, (const uint8_t *)SMB2_CREATE_DURABLE_HANDLE_RESPONSE, 4, d, sizeof(d));
}

void wire_cctx_add_dh2q(struct wr *w, struct wire_cctx_writer *cw, uint32_t timeout, uint32_t flags)
{
	uint8_t d[8];
	wr_le32_at(d, timeout);
	wr_le32_at(d + 4, flags);
	wire_cctx_add(w, cw, (const uint8_t *)SMB2_CREATE_DURABLE_HANDLE_RESPONSE_V2, 4, d, sizeof(d));
}
