/* NDR20 marshalling helpers (C706 chapter 14: 14.2 alignment and integers,
 * 14.3.3 conformant/varying arrays and strings, 14.3.10-12 pointers with
 * referent ids) on top of the rd/wr cursors. Alignment is relative to the
 * start of the cursor, which must be the start of the stub data. Readers
 * use rd's sticky error; every count taken from the input is capped. */
#ifndef SMB3D_WIRE_NDR_H
#define SMB3D_WIRE_NDR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/rdwr.h"

/* Hard cap on the characters of any string read from the input (including
 * the terminator): far above every name MS-SRVS/MS-WKST allow. */
#define NDR_MAX_STRING_CHARS 1024

/* --- reading (client requests) --- */

void ndr_rd_align(struct rd *r, size_t a);
uint16_t ndr_rd_u16(struct rd *r);
uint32_t ndr_rd_u32(struct rd *r);
/* A unique or full pointer's referent id (0 = NULL). */
static inline uint32_t ndr_rd_ptr(struct rd *r)
{
	return ndr_rd_u32(r);
}

/* A conformant varying UTF-16 string ([string] wchar_t*): max_count, offset,
 * actual_count, then the characters. Converts into UTF-8 at out (capacity
 * cap, always NUL-terminated when the reader is good). The terminating NUL
 * is optional on the wire; an embedded NUL, a nonzero offset,
 * actual_count > max_count, a count beyond NDR_MAX_STRING_CHARS, invalid
 * UTF-16 or a result that does not fit make the reader bad. */
void ndr_rd_string(struct rd *r, char *out, size_t cap);

/* A unique pointer to a string: the referent id, then the string if it is
 * not NULL. *present tells which; out is "" for NULL. */
void ndr_rd_unique_string(struct rd *r, char *out, size_t cap, bool *present);

/* The conformance (max_count) of a conformant array; the reader goes bad if
 * it exceeds max. */
uint32_t ndr_rd_array_count(struct rd *r, uint32_t max);

/* --- writing (server responses) --- */

struct ndr_wr {
	struct wr w;
	uint32_t next_ref; /* next referent id handed out */
};

static inline struct ndr_wr ndr_wr_init(void *buf, size_t cap)
{
	return (struct ndr_wr){ .w = wr_init(buf, cap), .next_ref = 0x00020000 };
}

void ndr_wr_align(struct ndr_wr *n, size_t a);
void ndr_wr_u16(struct ndr_wr *n, uint16_t v);
void ndr_wr_u32(struct ndr_wr *n, uint32_t v);
/* Writes a pointer: a fresh nonzero referent id if present, else 0. The
 * referent itself is written later by the caller (deferred). */
void ndr_wr_ptr(struct ndr_wr *n, bool present);
/* A conformant varying string with its terminating NUL, from UTF-8 (invalid
 * UTF-8 makes the writer bad). */
void ndr_wr_string(struct ndr_wr *n, const char *utf8);
/* The conformance (max_count) of a conformant array. */
void ndr_wr_array_count(struct ndr_wr *n, uint32_t count);

#endif
