/* Helpers shared by the wire codec unit tests: building SMB2 requests with a
 * writer, UTF-16LE literals, NTSTATUS assertions. Test-only; each test
 * program includes it once. */
#ifndef SMB3D_TESTS_WIRE_TEST_H
#define SMB3D_TESTS_WIRE_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

#include "base/ntstatus.h"
#include "base/rdwr.h"
#include "wire/smb2.h"

#define assert_status(got, want) assert_int_equal((got).v, (want).v)
#define assert_ok(got) assert_status((got), STATUS_SUCCESS)
#define assert_invalid(got) assert_status((got), STATUS_INVALID_PARAMETER)

/* ASCII -> UTF-16LE into out; returns the byte length. */
static inline size_t u16le(const char *s, uint8_t *out)
{
	size_t n = 0;
	for (; *s; s++) {
		out[n++] = (uint8_t)*s;
		out[n++] = 0;
	}
	return n;
}

/* Starts a request in buf: a 64-byte header for cmd; the body follows. */
static inline struct wr req_begin(uint8_t *buf, size_t cap, uint16_t cmd)
{
	struct wr w = wr_init(buf, cap);
	struct smb2_hdr h = { .command = cmd, .credits = 1, .message_id = 9 };
	uint8_t *q = wr_put(&w, SMB2_HDR_LEN);
	assert_non_null(q);
	wire_hdr_encode(&h, q);
	return w;
}

/* Reads little-endian fields of an encoded buffer. */
static inline uint16_t get16(const uint8_t *p, size_t off)
{
	return le16_at(p + off);
}

static inline uint32_t get32(const uint8_t *p, size_t off)
{
	return le32_at(p + off);
}

static inline uint64_t get64(const uint8_t *p, size_t off)
{
	return le64_at(p + off);
}

#endif
