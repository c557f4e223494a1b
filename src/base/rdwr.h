/* Bounds-checked little-endian cursors over byte buffers, with sticky errors.
 * The only way smb3d code reads or writes wire bytes: read many fields, check
 * `bad` once. A reader never reads past its slice; a writer never writes past
 * its capacity. No dependencies. */
#ifndef SMB3D_BASE_RDWR_H
#define SMB3D_BASE_RDWR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

struct rd {
	const uint8_t *p;
	size_t len;
	size_t pos;
	bool bad;
};

static inline struct rd rd_init(const void *p, size_t len)
{
	return (struct rd){ .p = p, .len = len, .pos = 0, .bad = false };
}

static inline size_t rd_left(const struct rd *r)
{
	return r->bad ? 0 : r->len - r->pos;
}

/* Returns a pointer to the next n bytes and advances, or NULL (and marks the
 * reader bad) if fewer than n remain. */
static inline const uint8_t *rd_take(struct rd *r, size_t n)
{
	if (r->bad || n > r->len - r->pos) {
		r->bad = true;
		return NULL;
	}
	const uint8_t *q = r->p + r->pos;
	r->pos += n;
	return q;
}

static inline void rd_skip(struct rd *r, size_t n)
{
	(void)rd_take(r, n);
}

/* Moves to an absolute position inside the buffer. */
static inline void rd_seek(struct rd *r, size_t pos)
{
	if (r->bad || pos > r->len)
		r->bad = true;
	else
		r->pos = pos;
}

static inline uint8_t rd_u8(struct rd *r)
{
	const uint8_t *q = rd_take(r, 1);
	return q ? q[0] : 0;
}

static inline uint16_t rd_u16(struct rd *r)
{
	const uint8_t *q = rd_take(r, 2);
	return q ? (uint16_t)(q[0] | q[1] << 8) : 0;
}

static inline uint32_t rd_u32(struct rd *r)
{
	const uint8_t *q = rd_take(r, 4);
	return q ? (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24 : 0;
}

static inline uint64_t rd_u64(struct rd *r)
{
	uint64_t lo = rd_u32(r);
	uint64_t hi = rd_u32(r);
	return lo | hi << 32;
}

static inline uint16_t rd_be16(struct rd *r)
{
	const uint8_t *q = rd_take(r, 2);
	return q ? (uint16_t)(q[0] << 8 | q[1]) : 0;
}

static inline uint32_t rd_be32(struct rd *r)
{
	const uint8_t *q = rd_take(r, 4);
	return q ? (uint32_t)q[0] << 24 | (uint32_t)q[1] << 16 | (uint32_t)q[2] << 8 | q[3] : 0;
}

/* Copies n bytes out; on short input the destination is zeroed. */
static inline void rd_copy(struct rd *r, void *dst, size_t n)
{
	const uint8_t *q = rd_take(r, n);
	if (q)
		memcpy(dst, q, n);
	else
		memset(dst, 0, n);
}

/* A sub-reader over [off, off+len) of the whole buffer r covers (absolute
 * offsets, e.g. header-relative offsets of an SMB2 message). A range that is
 * out of bounds yields a bad, empty reader; it does not affect r. */
static inline struct rd rd_slice(const struct rd *r, size_t off, size_t len)
{
	if (r->bad || off > r->len || len > r->len - off)
		return (struct rd){ .p = r->p, .len = 0, .pos = 0, .bad = true };
	return (struct rd){ .p = r->p + off, .len = len, .pos = 0, .bad = false };
}

/* Takes the next n bytes as a sub-reader. */
static inline struct rd rd_sub(struct rd *r, size_t n)
{
	const uint8_t *q = rd_take(r, n);
	if (!q)
		return (struct rd){ .p = r->p, .len = 0, .pos = 0, .bad = true };
	return rd_init(q, n);
}

struct wr {
	uint8_t *p;
	size_t cap;
	size_t pos;
	bool bad;
};

static inline struct wr wr_init(void *p, size_t cap)
{
	return (struct wr){ .p = p, .cap = cap, .pos = 0, .bad = false };
}

/* Reserves n bytes and returns a pointer to them, or NULL once the writer
 * would overflow (the writer is then bad for good). */
static inline uint8_t *wr_put(struct wr *w, size_t n)
{
	if (w->bad || n > w->cap - w->pos) {
		w->bad = true;
		return NULL;
	}
	uint8_t *q = w->p + w->pos;
	w->pos += n;
	return q;
}

static inline void wr_u8(struct wr *w, uint8_t v)
{
	uint8_t *q = wr_put(w, 1);
	if (q)
		q[0] = v;
}

static inline void wr_le16_at(uint8_t *q, uint16_t v)
{
	q[0] = (uint8_t)v;
	q[1] = (uint8_t)(v >> 8);
}

static inline void wr_le32_at(uint8_t *q, uint32_t v)
{
	q[0] = (uint8_t)v;
	q[1] = (uint8_t)(v >> 8);
	q[2] = (uint8_t)(v >> 16);
	q[3] = (uint8_t)(v >> 24);
}

static inline void wr_le64_at(uint8_t *q, uint64_t v)
{
	wr_le32_at(q, (uint32_t)v);
	wr_le32_at(q + 4, (uint32_t)(v >> 32));
}

static inline uint16_t le16_at(const uint8_t *q)
{
	return (uint16_t)(q[0] | q[1] << 8);
}

static inline uint32_t le32_at(const uint8_t *q)
{
	return (uint32_t)q[0] | (uint32_t)q[1] << 8 | (uint32_t)q[2] << 16 | (uint32_t)q[3] << 24;
}

static inline uint64_t le64_at(const uint8_t *q)
{
	return (uint64_t)le32_at(q) | (uint64_t)le32_at(q + 4) << 32;
}

static inline void wr_u16(struct wr *w, uint16_t v)
{
	uint8_t *q = wr_put(w, 2);
	if (q)
		wr_le16_at(q, v);
}

static inline void wr_u32(struct wr *w, uint32_t v)
{
	uint8_t *q = wr_put(w, 4);
	if (q)
		wr_le32_at(q, v);
}

static inline void wr_u64(struct wr *w, uint64_t v)
{
	uint8_t *q = wr_put(w, 8);
	if (q)
		wr_le64_at(q, v);
}

static inline void wr_be16(struct wr *w, uint16_t v)
{
	uint8_t *q = wr_put(w, 2);
	if (q) {
		q[0] = (uint8_t)(v >> 8);
		q[1] = (uint8_t)v;
	}
}

static inline void wr_be32(struct wr *w, uint32_t v)
{
	uint8_t *q = wr_put(w, 4);
	if (q) {
		q[0] = (uint8_t)(v >> 24);
		q[1] = (uint8_t)(v >> 16);
		q[2] = (uint8_t)(v >> 8);
		q[3] = (uint8_t)v;
	}
}

static inline void wr_bytes(struct wr *w, const void *src, size_t n)
{
	uint8_t *q = wr_put(w, n);
	if (q && n)
		memcpy(q, src, n);
}

static inline void wr_zero(struct wr *w, size_t n)
{
	uint8_t *q = wr_put(w, n);
	if (q && n)
		memset(q, 0, n);
}

/* Pads with zeros to a multiple of a (a power of two) relative to the start. */
static inline void wr_align(struct wr *w, size_t a)
{
	size_t pad = (a - (w->pos & (a - 1))) & (a - 1);
	wr_zero(w, pad);
}

/* Patches a field written earlier (offsets and lengths known only later). */
static inline void wr_patch_u16(struct wr *w, size_t at, uint16_t v)
{
	if (!w->bad && at + 2 <= w->pos)
		wr_le16_at(w->p + at, v);
	else
		w->bad = true;
}

static inline void wr_patch_u32(struct wr *w, size_t at, uint32_t v)
{
	if (!w->bad && at + 4 <= w->pos)
		wr_le32_at(w->p + at, v);
	else
		w->bad = true;
}

#endif
