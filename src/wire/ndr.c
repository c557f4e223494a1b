/* NDR20 marshalling helpers: C706 14.2 (primitive types, alignment),
 * 14.3.3.4 (conformant varying strings), 14.3.10-12 (pointers). Pure: no
 * allocation; strings are converted with base/utf16. */
#include "wire/ndr.h"

#include "base/utf16.h"

void ndr_rd_align(struct rd *r, size_t a)
{
	size_t pad = (a - (r->pos & (a - 1))) & (a - 1);
	rd_skip(r, pad);
}

uint16_t ndr_rd_u16(struct rd *r)
{
	ndr_rd_align(r, 2);
	return rd_u16(r);
}

uint32_t ndr_rd_u32(struct rd *r)
{
	ndr_rd_align(r, 4);
	return rd_u32(r);
}

void ndr_rd_string(struct rd *r, char *out, size_t cap)
{
	if (cap)
		out[0] = 0;
	uint32_t max = ndr_rd_u32(r);
	uint32_t offset = ndr_rd_u32(r);
	uint32_t actual = ndr_rd_u32(r);
	if (r->bad || offset != 0 || actual > max || max > NDR_MAX_STRING_CHARS) {
		r->bad = true;
		return;
	}
	const uint8_t *s = rd_take(r, (size_t)actual * 2);
	if (!s)
		return;
	size_t n = actual;
	if (n > 0 && s[2 * n - 2] == 0 && s[2 * n - 1] == 0)
		n--; /* the terminator */
	for (size_t i = 0; i < n; i++) {
		if (s[2 * i] == 0 && s[2 * i + 1] == 0) {
			r->bad = true; /* embedded NUL */
			return;
		}
	}
	if (cap == 0 || utf16le_to_utf8(s, 2 * n, out, cap) < 0) {
		if (cap)
			out[0] = 0;
		r->bad = true;
	}
}

void ndr_rd_unique_string(struct rd *r, char *out, size_t cap, bool *present)
{
	*present = ndr_rd_ptr(r) != 0;
	if (*present)
		ndr_rd_string(r, out, cap);
	else if (cap)
		out[0] = 0;
}

uint32_t ndr_rd_array_count(struct rd *r, uint32_t max)
{
	uint32_t n = ndr_rd_u32(r);
	if (n > max)
		r->bad = true;
	return r->bad ? 0 : n;
}

void ndr_wr_align(struct ndr_wr *n, size_t a)
{
	wr_align(&n->w, a);
}

void ndr_wr_u16(struct ndr_wr *n, uint16_t v)
{
	wr_align(&n->w, 2);
	wr_u16(&n->w, v);
}

void ndr_wr_u32(struct ndr_wr *n, uint32_t v)
{
	wr_align(&n->w, 4);
	wr_u32(&n->w, v);
}

void ndr_wr_ptr(struct ndr_wr *n, bool present)
{
	if (!present) {
		ndr_wr_u32(n, 0);
		return;
	}
	ndr_wr_u32(n, n->next_ref);
	n->next_ref += 4;
}

void ndr_wr_string(struct ndr_wr *n, const char *utf8)
{
	long len = utf8_utf16_len(utf8);
	if (len < 0 || (size_t)len / 2 + 1 > UINT32_MAX) {
		n->w.bad = true;
		return;
	}
	uint32_t chars = (uint32_t)(len / 2) + 1;
	ndr_wr_u32(n, chars); /* max_count */
	ndr_wr_u32(n, 0);     /* offset */
	ndr_wr_u32(n, chars); /* actual_count */
	uint8_t *q = wr_put(&n->w, (size_t)len + 2);
	if (!q)
		return;
	if (utf8_to_utf16le(utf8, q, (size_t)len) != len) {
		n->w.bad = true;
		return;
	}
	q[len] = 0;
	q[len + 1] = 0;
}

void ndr_wr_array_count(struct ndr_wr *n, uint32_t count)
{
	ndr_wr_u32(n, count);
}
