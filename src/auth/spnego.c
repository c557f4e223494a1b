/* SPNEGO NegTokenInit/NegTokenResp codec (RFC 4178 4.2, [MS-SPNG] 2.2.1-2.2.2)
 * in strict minimal DER: definite lengths of at most 4 octets, single-byte
 * tags, each element exactly filling its container, a fixed schema of bounded
 * depth (at most 6 levels). Pure codec: no allocation, no logging. */
#include "auth/spnego.h"

#include "base/rdwr.h"

#include <string.h>

const uint8_t spnego_oid_ntlmssp[12] = { 0x06, 0x0a, 0x2b, 0x06, 0x01, 0x04, 0x01, 0x82, 0x37, 0x02, 0x02, 0x0a };
const uint8_t spnego_oid_spnego[8] = { 0x06, 0x06, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x02 };

#define DER_SEQUENCE 0x30
#define DER_OID 0x06
#define DER_OCTET_STRING 0x04
#define DER_ENUMERATED 0x0a
#define DER_GENERAL_STRING 0x1b
#define DER_APPLICATION_0 0x60
#define DER_CTX(n) (0xa0 | (n))

/* One TLV read from r: its tag, its contents as a sub-reader, and the whole
 * element (tag and length included) as bytes. */
struct der_elem {
	uint8_t tag;
	struct rd content;
	struct spnego_bytes whole;
};

static bool der_next(struct rd *r, struct der_elem *e)
{
	if (rd_left(r) == 0)
		return false;
	const uint8_t *start = r->p + r->pos;
	e->tag = rd_u8(r);
	uint8_t l0 = rd_u8(r);
	size_t len;
	if ((e->tag & 0x1f) == 0x1f) {
		r->bad = true; /* multi-byte tags are not used by SPNEGO */
		return false;
	}
	if (l0 < 0x80) {
		len = l0;
	} else {
		size_t n = l0 & 0x7f;
		if (n == 0 || n > 4) {
			r->bad = true; /* indefinite or absurd length */
			return false;
		}
		len = 0;
		for (size_t i = 0; i < n; i++)
			len = len << 8 | rd_u8(r);
		if (r->bad || len < 0x80 || (n > 1 && len >> (8 * (n - 1)) == 0)) {
			r->bad = true; /* DER: the shortest form only */
			return false;
		}
	}
	e->content = rd_sub(r, len);
	if (e->content.bad) {
		r->bad = true;
		return false;
	}
	e->whole = (struct spnego_bytes){ .p = start, .len = (size_t)(r->p + r->pos - start), .present = true };
	return true;
}

/* Reads exactly one element of the given tag that fills all of r. */
static bool der_only(struct rd *r, uint8_t tag, struct der_elem *e)
{
	return der_next(r, e) && e->tag == tag && rd_left(r) == 0 && !r->bad;
}

static bool take_octets(struct rd *wrapper, struct spnego_bytes *out)
{
	struct der_elem e;
	if (!der_only(wrapper, DER_OCTET_STRING, &e))
		return false;
	*out = (struct spnego_bytes){ .p = e.content.p, .len = e.content.len, .present = true };
	return true;
}

static bool take_oid(struct rd *wrapper, struct spnego_bytes *out)
{
	struct der_elem e;
	if (!der_only(wrapper, DER_OID, &e) || e.content.len == 0)
		return false;
	*out = e.whole;
	return true;
}

static bool decode_mech_types(struct rd *wrapper, struct spnego_token *t)
{
	struct der_elem seq, oid;
	if (!der_only(wrapper, DER_SEQUENCE, &seq))
		return false;
	t->mech_types = seq.whole;
	while (rd_left(&seq.content)) {
		if (!der_next(&seq.content, &oid) || oid.tag != DER_OID || oid.content.len == 0 ||
		    t->n_mechs == SPNEGO_MAX_MECHS)
			return false;
		t->mechs[t->n_mechs++] = oid.whole;
	}
	return t->n_mechs > 0 && !seq.content.bad;
}

/* NegTokenInit ::= SEQUENCE { mechTypes [0], reqFlags [1] OPTIONAL,
 * mechToken [2] OPTIONAL, mechListMIC [3] OPTIONAL } and the [MS-SPNG]
 * NegTokenInit2, where [3] is negHints and [4] the mechListMIC. */
static bool decode_init(struct rd *r, struct spnego_token *t)
{
	struct der_elem seq, f;
	int last = -1;
	if (!der_only(r, DER_SEQUENCE, &seq))
		return false;
	t->kind = SPNEGO_NEG_TOKEN_INIT;
	while (rd_left(&seq.content)) {
		if (!der_next(&seq.content, &f) || (f.tag & 0xe0) != 0xa0)
			return false;
		int n = f.tag & 0x1f;
		if (n <= last || n > 4)
			return false;
		last = n;
		struct der_elem inner;
		switch (n) {
		case 0:
			if (!decode_mech_types(&f.content, t))
				return false;
			break;
		case 1: /* reqFlags: a BIT STRING we ignore */
			if (!der_only(&f.content, 0x03, &inner))
				return false;
			break;
		case 2:
			if (!take_octets(&f.content, &t->mech_token))
				return false;
			break;
		case 3:
			if (!der_next(&f.content, &inner) || rd_left(&f.content) != 0)
				return false;
			if (inner.tag == DER_OCTET_STRING)
				t->mech_list_mic = (struct spnego_bytes){ inner.content.p, inner.content.len, true };
			else if (inner.tag != DER_SEQUENCE) /* negHints: ignored */
				return false;
			break;
		case 4:
			if (!take_octets(&f.content, &t->mech_list_mic))
				return false;
			break;
		}
	}
	return t->mech_types.present && !seq.content.bad;
}

/* NegTokenResp ::= SEQUENCE { negState [0] ENUMERATED OPTIONAL,
 * supportedMech [1] OPTIONAL, responseToken [2] OPTIONAL, mechListMIC [3] OPTIONAL } */
static bool decode_resp(struct rd *r, struct spnego_token *t)
{
	struct der_elem seq, f, e;
	int last = -1;
	if (!der_only(r, DER_SEQUENCE, &seq))
		return false;
	t->kind = SPNEGO_NEG_TOKEN_RESP;
	while (rd_left(&seq.content)) {
		if (!der_next(&seq.content, &f) || (f.tag & 0xe0) != 0xa0)
			return false;
		int n = f.tag & 0x1f;
		if (n <= last || n > 3)
			return false;
		last = n;
		switch (n) {
		case 0:
			if (!der_only(&f.content, DER_ENUMERATED, &e) || e.content.len != 1 || e.content.p[0] > 3)
				return false;
			t->neg_state = e.content.p[0];
			break;
		case 1:
			if (!take_oid(&f.content, &t->supported_mech))
				return false;
			break;
		case 2:
			if (!take_octets(&f.content, &t->response_token))
				return false;
			break;
		case 3:
			if (!take_octets(&f.content, &t->mech_list_mic))
				return false;
			break;
		}
	}
	return !seq.content.bad;
}

NTSTATUS spnego_decode(const uint8_t *buf, size_t len, struct spnego_token *t)
{
	struct rd r = rd_init(buf, len);
	struct der_elem top, e;
	memset(t, 0, sizeof(*t));
	t->neg_state = SPNEGO_NO_STATE;
	if (len == 0 || len > SPNEGO_MAX_TOKEN || !der_only(&r, buf[0], &top))
		return STATUS_INVALID_PARAMETER;
	bool ok = false;
	if (top.tag == DER_APPLICATION_0) {
		/* InitialContextToken: thisMech OID, then NegotiationToken. */
		struct spnego_bytes oid;
		if (!der_next(&top.content, &e) || e.tag != DER_OID)
			return STATUS_INVALID_PARAMETER;
		oid = e.whole;
		if (!spnego_oid_equal(&oid, spnego_oid_spnego, sizeof(spnego_oid_spnego)))
			return STATUS_INVALID_PARAMETER;
		ok = der_only(&top.content, DER_CTX(0), &e) && decode_init(&e.content, t);
	} else if (top.tag == DER_CTX(0)) {
		ok = decode_init(&top.content, t);
	} else if (top.tag == DER_CTX(1)) {
		ok = decode_resp(&top.content, t);
	}
	return ok ? STATUS_SUCCESS : STATUS_INVALID_PARAMETER;
}

bool spnego_oid_equal(const struct spnego_bytes *oid, const uint8_t *want, size_t want_len)
{
	return oid->present && oid->len == want_len && memcmp(oid->p, want, want_len) == 0;
}

/* Encoding: sizes are computed first, then the bytes written front to back. */
static size_t len_size(size_t n)
{
	if (n < 0x80)
		return 1;
	if (n < 0x100)
		return 2;
	if (n < 0x10000)
		return 3;
	if (n < 0x1000000)
		return 4;
	return 5;
}

static size_t tlv(size_t n)
{
	return 1 + len_size(n) + n;
}

static void der_hdr(struct wr *w, uint8_t tag, size_t n)
{
	wr_u8(w, tag);
	size_t k = len_size(n);
	if (k == 1) {
		wr_u8(w, (uint8_t)n);
		return;
	}
	wr_u8(w, (uint8_t)(0x80 | (k - 1)));
	for (size_t i = k - 1; i > 0; i--)
		wr_u8(w, (uint8_t)(n >> (8 * (i - 1))));
}

/* [n] { OCTET STRING } */
static void ctx_octets(struct wr *w, int n, const uint8_t *p, size_t len)
{
	der_hdr(w, (uint8_t)DER_CTX(n), tlv(len));
	der_hdr(w, DER_OCTET_STRING, len);
	wr_bytes(w, p, len);
}

static size_t resp_inner(int neg_state, size_t mech_oid_len, size_t token_len, size_t mic_len)
{
	size_t n = 0;
	if (neg_state >= 0)
		n += tlv(tlv(1));
	if (mech_oid_len)
		n += tlv(mech_oid_len);
	if (token_len)
		n += tlv(tlv(token_len));
	if (mic_len)
		n += tlv(tlv(mic_len));
	return n;
}

size_t spnego_resp_size(int neg_state, size_t mech_oid_len, size_t token_len, size_t mic_len)
{
	return tlv(tlv(resp_inner(neg_state, mech_oid_len, token_len, mic_len)));
}

long spnego_encode_resp(uint8_t *buf, size_t cap, int neg_state, const uint8_t *mech_oid, size_t mech_oid_len,
			const uint8_t *token, size_t token_len, const uint8_t *mic, size_t mic_len)
{
	if (!mech_oid)
		mech_oid_len = 0;
	if (!token)
		token_len = 0;
	if (!mic)
		mic_len = 0;
	size_t inner = resp_inner(neg_state, mech_oid_len, token_len, mic_len);
	struct wr w = wr_init(buf, cap);
	der_hdr(&w, DER_CTX(1), tlv(inner));
	der_hdr(&w, DER_SEQUENCE, inner);
	if (neg_state >= 0) {
		der_hdr(&w, DER_CTX(0), tlv(1));
		der_hdr(&w, DER_ENUMERATED, 1);
		wr_u8(&w, (uint8_t)neg_state);
	}
	if (mech_oid_len) {
		der_hdr(&w, DER_CTX(1), mech_oid_len);
		wr_bytes(&w, mech_oid, mech_oid_len);
	}
	if (token_len)
		ctx_octets(&w, 2, token, token_len);
	if (mic_len)
		ctx_octets(&w, 3, mic, mic_len);
	return w.bad ? -1 : (long)w.pos;
}

long spnego_encode_init(uint8_t *buf, size_t cap, const uint8_t *const *mechs, const size_t *mech_lens,
			size_t n_mechs, const uint8_t *token, size_t token_len, const char *hint_name)
{
	size_t list = 0, hint_len = hint_name ? strlen(hint_name) : 0;
	for (size_t i = 0; i < n_mechs; i++)
		list += mech_lens[i];
	if (!token)
		token_len = 0;
	size_t seq = tlv(tlv(list));
	if (token_len)
		seq += tlv(tlv(token_len));
	size_t hints = tlv(tlv(hint_len)); /* SEQUENCE { [0] GeneralString } */
	if (hint_name)
		seq += tlv(tlv(hints));
	size_t body = sizeof(spnego_oid_spnego) + tlv(tlv(seq));
	struct wr w = wr_init(buf, cap);
	der_hdr(&w, DER_APPLICATION_0, body);
	wr_bytes(&w, spnego_oid_spnego, sizeof(spnego_oid_spnego));
	der_hdr(&w, DER_CTX(0), tlv(seq));
	der_hdr(&w, DER_SEQUENCE, seq);
	der_hdr(&w, DER_CTX(0), tlv(list));
	der_hdr(&w, DER_SEQUENCE, list);
	for (size_t i = 0; i < n_mechs; i++)
		wr_bytes(&w, mechs[i], mech_lens[i]);
	if (token_len)
		ctx_octets(&w, 2, token, token_len);
	if (hint_name) {
		der_hdr(&w, DER_CTX(3), tlv(hints));
		der_hdr(&w, DER_SEQUENCE, hints);
		der_hdr(&w, DER_CTX(0), tlv(hint_len));
		der_hdr(&w, DER_GENERAL_STRING, hint_len);
		wr_bytes(&w, hint_name, hint_len);
	}
	return w.bad ? -1 : (long)w.pos;
}
