/* Connection-oriented DCE/RPC PDU codec: C706 12.6.3 (common header,
 * presentation context lists), 12.6.4 (PDU bodies), [MS-RPCE] 2.2.2
 * (extensions: bind time feature negotiation). Pure codec over rd/wr
 * cursors; no state, no allocation. */
#include "wire/dcerpc.h"

#include <string.h>

const struct dcerpc_syntax dcerpc_ndr20_syntax = {
	{ 0x8a885d04, 0x1ceb, 0x11c9, { 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60 } }, 2, 0
};
const struct dcerpc_syntax dcerpc_ndr64_syntax = {
	{ 0x71710533, 0xbeba, 0x4937, { 0x83, 0x19, 0xb5, 0xdb, 0xef, 0x9c, 0xcc, 0x36 } }, 1, 0
};

bool dcerpc_uuid_equal(const struct dcerpc_uuid *a, const struct dcerpc_uuid *b)
{
	return a->time_low == b->time_low && a->time_mid == b->time_mid && a->time_hi == b->time_hi &&
	       memcmp(a->rest, b->rest, sizeof(a->rest)) == 0;
}

bool dcerpc_syntax_equal(const struct dcerpc_syntax *a, const struct dcerpc_syntax *b)
{
	return dcerpc_uuid_equal(&a->uuid, &b->uuid) && a->ver_major == b->ver_major && a->ver_minor == b->ver_minor;
}

bool dcerpc_bind_time_features(const struct dcerpc_syntax *s, uint16_t *features)
{
	/* [MS-RPCE] 2.2.2.14: the feature bits live in the first two bytes of
	 * the last eight (little-endian), the rest must be zero. */
	if (s->uuid.time_low != 0x6cb71c2c || s->uuid.time_mid != 0x9812 || s->uuid.time_hi != 0x4540 ||
	    s->ver_major != 1 || s->ver_minor != 0)
		return false;
	*features = (uint16_t)(s->uuid.rest[0] | s->uuid.rest[1] << 8);
	return true;
}

static void rd_uuid(struct rd *r, struct dcerpc_uuid *u)
{
	u->time_low = rd_u32(r);
	u->time_mid = rd_u16(r);
	u->time_hi = rd_u16(r);
	rd_copy(r, u->rest, sizeof(u->rest));
}

static void wr_uuid(struct wr *w, const struct dcerpc_uuid *u)
{
	wr_u32(w, u->time_low);
	wr_u16(w, u->time_mid);
	wr_u16(w, u->time_hi);
	wr_bytes(w, u->rest, sizeof(u->rest));
}

static void rd_syntax(struct rd *r, struct dcerpc_syntax *s)
{
	rd_uuid(r, &s->uuid);
	s->ver_major = rd_u16(r);
	s->ver_minor = rd_u16(r);
}

static void wr_syntax(struct wr *w, const struct dcerpc_syntax *s)
{
	wr_uuid(w, &s->uuid);
	wr_u16(w, s->ver_major);
	wr_u16(w, s->ver_minor);
}

/* Skips to a multiple of a relative to the start of the PDU. */
static void rd_align(struct rd *r, size_t a)
{
	size_t pad = (a - (r->pos & (a - 1))) & (a - 1);
	rd_skip(r, pad);
}

NTSTATUS dcerpc_hdr_decode(const uint8_t *buf, size_t len, struct dcerpc_hdr *h)
{
	struct rd r = rd_init(buf, len);
	h->rpc_vers = rd_u8(&r);
	h->rpc_vers_minor = rd_u8(&r);
	h->ptype = rd_u8(&r);
	h->pfc_flags = rd_u8(&r);
	rd_copy(&r, h->drep, 4);
	h->frag_length = rd_u16(&r);
	h->auth_length = rd_u16(&r);
	h->call_id = rd_u32(&r);
	if (r.bad || h->frag_length < DCERPC_HDR_LEN)
		return STATUS_INVALID_PARAMETER;
	/* drep[0]: integer representation in the high nibble (1 = little
	 * endian), character set in the low nibble (0 = ASCII); drep[1]:
	 * floating point (0 = IEEE). */
	if (h->rpc_vers != 5 || h->rpc_vers_minor > 1 || h->drep[0] != 0x10 || h->drep[1] != 0)
		return STATUS_NOT_SUPPORTED;
	return STATUS_SUCCESS;
}

static NTSTATUS bind_decode(struct rd *r, struct dcerpc_bind *b)
{
	b->max_xmit_frag = rd_u16(r);
	b->max_recv_frag = rd_u16(r);
	b->assoc_group_id = rd_u32(r);
	b->n_ctx = rd_u8(r);
	rd_skip(r, 3); /* reserved, reserved2 */
	if (r->bad)
		return STATUS_INVALID_PARAMETER;
	if (b->n_ctx > DCERPC_MAX_CTX)
		return STATUS_INSUFFICIENT_RESOURCES;
	for (unsigned i = 0; i < b->n_ctx; i++) {
		struct dcerpc_ctx_elem *c = &b->ctx[i];
		c->context_id = rd_u16(r);
		c->n_transfer = rd_u8(r);
		rd_skip(r, 1);
		rd_syntax(r, &c->abstract);
		if (r->bad || c->n_transfer == 0)
			return STATUS_INVALID_PARAMETER;
		if (c->n_transfer > DCERPC_MAX_TRANSFER)
			return STATUS_INSUFFICIENT_RESOURCES;
		for (unsigned k = 0; k < c->n_transfer; k++)
			rd_syntax(r, &c->transfer[k]);
	}
	/* Anything after the list would be an auth verifier, which
	 * auth_length == 0 rules out; it is ignored like Samba does. */
	return r->bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

static NTSTATUS bind_ack_decode(struct rd *r, struct dcerpc_bind_ack *a)
{
	a->max_xmit_frag = rd_u16(r);
	a->max_recv_frag = rd_u16(r);
	a->assoc_group_id = rd_u32(r);
	uint16_t n = rd_u16(r);
	const uint8_t *s = rd_take(r, n);
	if (r->bad)
		return STATUS_INVALID_PARAMETER;
	if (n == 0) {
		a->sec_addr = "";
	} else {
		/* a NUL-terminated string with no NUL inside */
		if (s[n - 1] != 0 || memchr(s, 0, n - 1))
			return STATUS_INVALID_PARAMETER;
		a->sec_addr = (const char *)s;
	}
	rd_align(r, 4);
	a->n_results = rd_u8(r);
	rd_skip(r, 3);
	if (r->bad)
		return STATUS_INVALID_PARAMETER;
	if (a->n_results > DCERPC_MAX_CTX)
		return STATUS_INSUFFICIENT_RESOURCES;
	for (unsigned i = 0; i < a->n_results; i++) {
		a->results[i].result = rd_u16(r);
		a->results[i].reason = rd_u16(r);
		rd_syntax(r, &a->results[i].transfer);
	}
	return r->bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

NTSTATUS dcerpc_pdu_decode(const uint8_t *pdu, size_t len, struct dcerpc_pdu *out)
{
	memset(out, 0, sizeof(*out));
	NTSTATUS st = dcerpc_hdr_decode(pdu, len, &out->hdr);
	if (!NT_OK(st))
		return st;
	if (out->hdr.frag_length != len)
		return STATUS_INVALID_PARAMETER;
	if (out->hdr.auth_length != 0)
		return STATUS_NOT_SUPPORTED;
	struct rd r = rd_init(pdu, len);
	rd_skip(&r, DCERPC_HDR_LEN);

	switch (out->hdr.ptype) {
	case DCERPC_PKT_BIND:
	case DCERPC_PKT_ALTER_CONTEXT:
		return bind_decode(&r, &out->u.bind);
	case DCERPC_PKT_BIND_ACK:
	case DCERPC_PKT_ALTER_CONTEXT_RESP:
		return bind_ack_decode(&r, &out->u.bind_ack);
	case DCERPC_PKT_BIND_NAK: {
		struct dcerpc_bind_nak *n = &out->u.bind_nak;
		n->reject_reason = rd_u16(&r);
		/* the version list is optional in practice (C706 sends it
		 * only with protocol_version_not_supported) */
		if (rd_left(&r) > 0) {
			n->n_versions = rd_u8(&r);
			rd_skip(&r, 2 * (size_t)n->n_versions);
		}
		break;
	}
	case DCERPC_PKT_REQUEST: {
		struct dcerpc_request *q = &out->u.request;
		q->alloc_hint = rd_u32(&r);
		q->context_id = rd_u16(&r);
		q->opnum = rd_u16(&r);
		if (out->hdr.pfc_flags & PFC_OBJECT_UUID) {
			q->has_object = true;
			rd_uuid(&r, &q->object);
		}
		q->stub_len = rd_left(&r);
		q->stub = r.bad ? NULL : rd_take(&r, q->stub_len);
		break;
	}
	case DCERPC_PKT_RESPONSE: {
		struct dcerpc_response *p = &out->u.response;
		p->alloc_hint = rd_u32(&r);
		p->context_id = rd_u16(&r);
		p->cancel_count = rd_u8(&r);
		rd_skip(&r, 1);
		p->stub_len = rd_left(&r);
		p->stub = r.bad ? NULL : rd_take(&r, p->stub_len);
		break;
	}
	case DCERPC_PKT_FAULT: {
		struct dcerpc_fault *f = &out->u.fault;
		f->alloc_hint = rd_u32(&r);
		f->context_id = rd_u16(&r);
		f->cancel_count = rd_u8(&r);
		f->flags = rd_u8(&r);
		f->status = rd_u32(&r);
		break;
	}
	default:
		break; /* header only */
	}
	return r.bad ? STATUS_INVALID_PARAMETER : STATUS_SUCCESS;
}

/* Writes the common header; returns its offset for hdr_finish. */
static size_t hdr_begin(struct wr *w, const struct dcerpc_hdr *h)
{
	size_t start = w->pos;
	wr_u8(w, 5);
	wr_u8(w, 0);
	wr_u8(w, h->ptype);
	wr_u8(w, h->pfc_flags);
	wr_u8(w, 0x10); /* little-endian, ASCII */
	wr_u8(w, 0);	/* IEEE */
	wr_u16(w, 0);
	wr_u16(w, 0); /* frag_length, patched */
	wr_u16(w, 0); /* auth_length */
	wr_u32(w, h->call_id);
	return start;
}

static void hdr_finish(struct wr *w, size_t start)
{
	size_t n = w->pos - start;
	if (n > UINT16_MAX)
		w->bad = true;
	else
		wr_patch_u16(w, start + 8, (uint16_t)n);
}

/* Pads with zeros to a multiple of a relative to the PDU start. */
static void pdu_align(struct wr *w, size_t start, size_t a)
{
	size_t rel = w->pos - start;
	wr_zero(w, (a - (rel & (a - 1))) & (a - 1));
}

void dcerpc_bind_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_bind *b)
{
	size_t start = hdr_begin(w, h);
	wr_u16(w, b->max_xmit_frag);
	wr_u16(w, b->max_recv_frag);
	wr_u32(w, b->assoc_group_id);
	wr_u8(w, b->n_ctx);
	wr_zero(w, 3);
	for (unsigned i = 0; i < b->n_ctx && i < DCERPC_MAX_CTX; i++) {
		const struct dcerpc_ctx_elem *c = &b->ctx[i];
		unsigned nt = c->n_transfer < DCERPC_MAX_TRANSFER ? c->n_transfer : DCERPC_MAX_TRANSFER;
		wr_u16(w, c->context_id);
		wr_u8(w, (uint8_t)nt);
		wr_u8(w, 0);
		wr_syntax(w, &c->abstract);
		for (unsigned k = 0; k < nt; k++)
			wr_syntax(w, &c->transfer[k]);
	}
	hdr_finish(w, start);
}

void dcerpc_bind_ack_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_bind_ack *a)
{
	size_t start = hdr_begin(w, h);
	wr_u16(w, a->max_xmit_frag);
	wr_u16(w, a->max_recv_frag);
	wr_u32(w, a->assoc_group_id);
	/* port_spec: length includes the NUL; an empty address is length 0 */
	size_t n = a->sec_addr ? strlen(a->sec_addr) : 0;
	if (n >= UINT16_MAX) {
		w->bad = true;
		return;
	}
	wr_u16(w, n ? (uint16_t)(n + 1) : 0);
	if (n) {
		wr_bytes(w, a->sec_addr, n);
		wr_u8(w, 0);
	}
	pdu_align(w, start, 4);
	unsigned nr = a->n_results < DCERPC_MAX_CTX ? a->n_results : DCERPC_MAX_CTX;
	wr_u8(w, (uint8_t)nr);
	wr_zero(w, 3);
	for (unsigned i = 0; i < nr; i++) {
		wr_u16(w, a->results[i].result);
		wr_u16(w, a->results[i].reason);
		wr_syntax(w, &a->results[i].transfer);
	}
	hdr_finish(w, start);
}

void dcerpc_bind_nak_encode(struct wr *w, const struct dcerpc_hdr *h, uint16_t reject_reason)
{
	size_t start = hdr_begin(w, h);
	wr_u16(w, reject_reason);
	wr_u8(w, 1); /* p_rt_versions_supported: 5.0 */
	wr_u8(w, 5);
	wr_u8(w, 0);
	wr_zero(w, 3); /* pad to a multiple of 8, like Windows and Samba */
	hdr_finish(w, start);
}

void dcerpc_request_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_request *q)
{
	struct dcerpc_hdr hh = *h;
	if (q->has_object)
		hh.pfc_flags |= PFC_OBJECT_UUID;
	size_t start = hdr_begin(w, &hh);
	wr_u32(w, q->alloc_hint);
	wr_u16(w, q->context_id);
	wr_u16(w, q->opnum);
	if (q->has_object)
		wr_uuid(w, &q->object);
	wr_bytes(w, q->stub, q->stub_len);
	hdr_finish(w, start);
}

void dcerpc_response_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_response *r)
{
	size_t start = hdr_begin(w, h);
	wr_u32(w, r->alloc_hint);
	wr_u16(w, r->context_id);
	wr_u8(w, r->cancel_count);
	wr_u8(w, 0);
	wr_bytes(w, r->stub, r->stub_len);
	hdr_finish(w, start);
}

void dcerpc_fault_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_fault *f)
{
	size_t start = hdr_begin(w, h);
	wr_u32(w, f->alloc_hint);
	wr_u16(w, f->context_id);
	wr_u8(w, f->cancel_count);
	wr_u8(w, f->flags);
	wr_u32(w, f->status);
	wr_u32(w, 0); /* reserved */
	hdr_finish(w, start);
}
