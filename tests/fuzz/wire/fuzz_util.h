/* Shared oracle for the wire fuzz targets: every slice a decoder returns must
 * lie inside the input, or the target aborts. Test-only. */
#ifndef SMB3D_FUZZ_WIRE_UTIL_H
#define SMB3D_FUZZ_WIRE_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

static inline void check_slice(const uint8_t *base, size_t size, const uint8_t *p, size_t n)
{
	if (!p) {
		if (n)
			abort(); /* decoders return NULL only for empty areas */
		return;
	}
	if (p < base || n > size || (size_t)(p - base) > size - n)
		abort();
}

#endif
