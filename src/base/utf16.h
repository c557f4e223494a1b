/* UTF-8 <-> UTF-16LE conversion with strict validation (no unpaired
 * surrogates, no overlong UTF-8). No dependencies. */
#ifndef SMB3D_BASE_UTF16_H
#define SMB3D_BASE_UTF16_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Converts `n` bytes of UTF-16LE into UTF-8 in dst (capacity cap, always
 * NUL-terminated on success). Returns the UTF-8 length, or -1 if the input is
 * not valid UTF-16 (odd length, unpaired surrogate) or dst is too small. */
long utf16le_to_utf8(const uint8_t *src, size_t n, char *dst, size_t cap);

/* Converts a NUL-terminated UTF-8 string into UTF-16LE (no terminator).
 * Returns the number of bytes written, or -1 on invalid UTF-8 or overflow. */
long utf8_to_utf16le(const char *src, uint8_t *dst, size_t cap);

/* The UTF-16LE byte length a UTF-8 string needs, or -1 if invalid. */
long utf8_utf16_len(const char *src);

/* Upper-cases ASCII letters of a UTF-16LE buffer in place (NTLM user names). */
void utf16le_upper_ascii(uint8_t *buf, size_t n);

#endif
