/* NEGOTIATE codecs ([MS-SMB2] 2.2.3, 2.2.4, 3.3.5.3.1 SMB1 dialect strings,
 * 2.2.31.4 / 2.2.32.6 VALIDATE_NEGOTIATE_INFO). Pure: no state, no I/O. */
#include "wire/negotiate.h"

#include <string.h>

static void keep_list(struct rd *r, uint16_t count, uint16_t *out)
{
	for (unsigned i = 0; i < count; i++) {
		uint16_t v = rd_u16(r);
		if (i < NEG_MAX_LIST)
			out[i] = v;
	}
}

static NTSTATUS decode_contexts(const uint8_t *msg, size_t len, uint32_t off, uint16_t count, struct neg_req *q)
{
	struct rd all = rd_init(msg, len);
	rd_seek(&all, off);
	if (all.bad)
		return STATUS_INVALID_PARAMETER;
	for (unsigned i = 0; i < count; i++) {
		if (i > 0) {
			/* Contexts are 8-byte aligned relative to the header. */
			size_t pad = (8 - (all.pos & 7)) & 7;
			rd_skip(&all, pad);
		}
		uint16_t type = rd_u16(&all);
		uint16_t dlen = rd_u16(&all);
		rd_skip(&all, 4);
		struct rd d = rd_sub(&all, dlen);
		if (all.bad || d.bad)
			return STATUS_INVALID_PARAMETER;
		switch (type) {
		case SMB2_PREAUTH_INTEGRITY_CAPABILITIES: {
			q->n_preauth++;
			q->n_hash_algos = rd_u16(&d);
			uint16_t salt_len = rd_u16(&d);
			keep_list(&d, q->n_hash_algos, q->hash_algos);
			rd_skip(&d, salt_len);
			if (d.bad)
				return STATUS_INVALID_PARAMETER;
			break;
		}
		case SMB2_ENCRYPTION_CAPABILITIES:
			q->n_encrypt++;
			q->n_ciphers = rd_u16(&d);
			keep_list(&d, q->n_ciphers, q->ciphers);
			if (d.bad)
				return STATUS_INVALID_PARAMETER;
			break;
		case SMB2_SIGNING_CAPABILITIES:
			q->n_signing++;
			q->n_sign_algos = rd_u16(&d);
			keep_list(&d, q->n_sign_algos, q->sign_algos);
			if (d.bad)
				return STATUS_INVALID_PARAMETER;
			break;
		case SMB2_COMPRESSION_CAPABILITIES:
			q->n_compress++;
			break;
		case SMB2_NETNAME_NEGOTIATE_CONTEXT_ID:
			q->n_netname++;
			break;
		default: /* 3.3.5.4: other context types are ignored */
			break;
		}
	}
	return STATUS_SUCCESS;
}

NTSTATUS wire_neg_req_decode(const uint8_t *msg, size_t len, struct neg_req *q)
{
	memset(q, 0, sizeof(*q));
	struct rd r = rd_init(msg, len);
	rd_seek(&r, SMB2_HDR_LEN);
	if (rd_u16(&r) != 36)
		return STATUS_INVALID_PARAMETER;
	q->dialect_count = rd_u16(&r);
	q->security_mode = rd_u16(&r);
	rd_skip(&r, 2);
	q->capabilities = rd_u32(&r);
	rd_copy(&r, q->client_guid, 16);
	uint32_t ctx_off = rd_u32(&r);
	uint16_t ctx_count = rd_u16(&r);
	rd_skip(&r, 2);
	q->dialects = rd_take(&r, (size_t)q->dialect_count * 2);
	if (r.bad || q->dialect_count == 0)
		return STATUS_INVALID_PARAMETER;
	bool has_311 = false;
	for (unsigned i = 0; i < q->dialect_count; i++)
		if (neg_req_dialect(q, i) == SMB2_DIALECT_311)
			has_311 = true;
	if (has_311 && ctx_count) {
		q->context_count = ctx_count;
		return decode_contexts(msg, len, ctx_off, ctx_count, q);
	}
	return STATUS_SUCCESS;
}

static void put_ctx_hdr(struct wr *w, uint16_t type, uint16_t dlen)
{
	wr_align(w, 8);
	wr_u16(w, type);
	wr_u16(w, dlen);
	wr_u32(w, 0);
}

void wire_neg_rsp_encode(struct wr *w, const struct neg_rsp *s)
{
	bool ctx = s->dialect == SMB2_DIALECT_311;
	uint16_t nctx = ctx ? (uint16_t)(1 + s->send_encrypt_ctx + s->send_signing_ctx) : 0;
	wr_u16(w, 65);
	wr_u16(w, s->security_mode);
	wr_u16(w, s->dialect);
	wr_u16(w, nctx);
	wr_bytes(w, s->server_guid, 16);
	wr_u32(w, s->capabilities);
	wr_u32(w, s->max_transact);
	wr_u32(w, s->max_read);
	wr_u32(w, s->max_write);
	wr_u64(w, s->system_time);
	wr_u64(w, s->start_time);
	wr_u16(w, SMB2_HDR_LEN + 64); /* SecurityBufferOffset */
	wr_u16(w, (uint16_t)s->sec_len);
	size_t ctx_off_at = w->pos;
	wr_u32(w, 0); /* NegotiateContextOffset, patched below */
	if (s->sec_len)
		wr_bytes(w, s->sec_blob, s->sec_len);
	else if (!ctx)
		wr_u8(w, 0); /* the body's 1-byte Buffer[] */
	if (!ctx)
		return;
	wr_align(w, 8);
	wr_patch_u32(w, ctx_off_at, (uint32_t)w->pos);
	put_ctx_hdr(w, SMB2_PREAUTH_INTEGRITY_CAPABILITIES, 38);
	wr_u16(w, 1);
	wr_u16(w, 32);
	wr_u16(w, SMB2_PREAUTH_INTEGRITY_SHA512);
	wr_bytes(w, s->preauth_salt, 32);
	if (s->send_encrypt_ctx) {
		put_ctx_hdr(w, SMB2_ENCRYPTION_CAPABILITIES, 4);
		wr_u16(w, 1);
		wr_u16(w, s->cipher);
	}
	if (s->send_signing_ctx) {
		put_ctx_hdr(w, SMB2_SIGNING_CAPABILITIES, 4);
		wr_u16(w, 1);
		wr_u16(w, s->sign_algo);
	}
}

bool wire_smb1_neg_decode(const uint8_t *msg, size_t len, struct smb1_neg *out)
{
	memset(out, 0, sizeof(*out));
	struct rd r = rd_init(msg, len);
	if (rd_u32(&r) != SMB1_PROTO || rd_u8(&r) != 0x72 /* SMB_COM_NEGOTIATE */)
		return false;
	rd_seek(&r, 32);
	uint8_t wct = rd_u8(&r);
	rd_skip(&r, (size_t)wct * 2);
	uint16_t bcc = rd_u16(&r);
	struct rd b = rd_sub(&r, bcc);
	if (r.bad)
		return false;
	while (rd_left(&b) > 0) {
		if (rd_u8(&b) != 0x02) /* BufferFormat: dialect string */
			return false;
		const uint8_t *s = b.p + b.pos;
		size_t n = rd_left(&b);
		const uint8_t *nul = memchr(s, 0, n);
		if (!nul)
			return false;
		size_t sl = (size_t)(nul - s);
		if (sl == 9 && memcmp(s, "SMB 2.002", 9) == 0)
			out->has_smb2_002 = true;
		if (sl == 9 && memcmp(s, "SMB 2.???", 9) == 0)
			out->has_smb2_wild = true;
		rd_skip(&b, sl + 1);
	}
	return !b.bad;
}

bool wire_validate_neg_decode(const uint8_t *buf, size_t len, struct validate_neg_req *v)
{
	struct rd r = rd_init(buf, len);
	v->capabilities = rd_u32(&r);
	rd_copy(&r, v->guid, 16);
	v->security_mode = rd_u16(&r);
	v->dialect_count = rd_u16(&r);
	v->dialects = rd_take(&r, (size_t)v->dialect_count * 2);
	return !r.bad && v->dialect_count > 0;
}

void wire_validate_neg_rsp_encode(struct wr *w, uint32_t caps, const uint8_t guid[16], uint16_t sec_mode,
				  uint16_t dialect)
{
	wr_u32(w, caps);
	wr_bytes(w, guid, 16);
	wr_u16(w, sec_mode);
	wr_u16(w, dialect);
}
