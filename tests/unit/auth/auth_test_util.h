/* Small helpers shared by the auth unit tests: hex parsing and comparison. */
#ifndef SMB3D_TESTS_AUTH_TEST_UTIL_H
#define SMB3D_TESTS_AUTH_TEST_UTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <setjmp.h>
#include <cmocka.h>

/* Parses hex (spaces allowed) into out; returns the byte count. */
static inline size_t unhex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;
	for (; *s; s++) {
		int v;
		if (*s >= '0' && *s <= '9')
			v = *s - '0';
		else if (*s >= 'a' && *s <= 'f')
			v = *s - 'a' + 10;
		else if (*s >= 'A' && *s <= 'F')
			v = *s - 'A' + 10;
		else
			continue;
		if (hi < 0) {
			hi = v;
		} else {
			assert_true(n < cap);
			out[n++] = (uint8_t)(hi << 4 | v);
			hi = -1;
		}
	}
	assert_int_equal(hi, -1);
	return n;
}

/* Asserts that got[0..len) equals the hex string want. */
#define assert_hex(got, len, want)                                                                  \
	do {                                                                                        \
		uint8_t want_[256];                                                                 \
		size_t wn_ = unhex((want), want_, sizeof(want_));                                   \
		assert_int_equal((len), wn_);                                                       \
		assert_memory_equal((got), want_, wn_);                                             \
	} while (0)

#endif
