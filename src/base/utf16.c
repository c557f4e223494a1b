/* UTF-8 <-> UTF-16LE conversion (see utf16.h). No dependencies. */
#include "base/utf16.h"

#include <string.h>

/* Decodes one UTF-8 code point; returns its length or 0 if invalid. */
static size_t utf8_decode(const unsigned char *s, uint32_t *cp)
{
	unsigned c = s[0];
	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		if ((s[1] & 0xC0) != 0x80)
			return 0;
		*cp = (c & 0x1F) << 6 | (s[1] & 0x3F);
		return 2;
	}
	if (c >= 0xE0 && c <= 0xEF) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80)
			return 0;
		uint32_t v = (c & 0x0F) << 12 | (uint32_t)(s[1] & 0x3F) << 6 | (s[2] & 0x3F);
		if (v < 0x800 || (v >= 0xD800 && v <= 0xDFFF))
			return 0;
		*cp = v;
		return 3;
	}
	if (c >= 0xF0 && c <= 0xF4) {
		if ((s[1] & 0xC0) != 0x80 || (s[2] & 0xC0) != 0x80 || (s[3] & 0xC0) != 0x80)
			return 0;
		uint32_t v = (c & 0x07) << 18 | (uint32_t)(s[1] & 0x3F) << 12 | (uint32_t)(s[2] & 0x3F) << 6 |
			     (s[3] & 0x3F);
		if (v < 0x10000 || v > 0x10FFFF)
			return 0;
		*cp = v;
		return 4;
	}
	return 0;
}

long utf16le_to_utf8(const uint8_t *src, size_t n, char *dst, size_t cap)
{
	size_t o = 0;
	if (n & 1 || cap == 0)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		uint32_t cp = (uint32_t)(src[i] | src[i + 1] << 8);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (i + 4 > n)
				return -1;
			uint32_t lo = (uint32_t)(src[i + 2] | src[i + 3] << 8);
			if (lo < 0xDC00 || lo > 0xDFFF)
				return -1;
			cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			i += 2;
		} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
			return -1;
		}
		char tmp[4];
		size_t k;
		if (cp < 0x80) {
			tmp[0] = (char)cp;
			k = 1;
		} else if (cp < 0x800) {
			tmp[0] = (char)(0xC0 | cp >> 6);
			tmp[1] = (char)(0x80 | (cp & 0x3F));
			k = 2;
		} else if (cp < 0x10000) {
			tmp[0] = (char)(0xE0 | cp >> 12);
			tmp[1] = (char)(0x80 | (cp >> 6 & 0x3F));
			tmp[2] = (char)(0x80 | (cp & 0x3F));
			k = 3;
		} else {
			tmp[0] = (char)(0xF0 | cp >> 18);
			tmp[1] = (char)(0x80 | (cp >> 12 & 0x3F));
			tmp[2] = (char)(0x80 | (cp >> 6 & 0x3F));
			tmp[3] = (char)(0x80 | (cp & 0x3F));
			k = 4;
		}
		if (o + k >= cap)
			return -1;
		memcpy(dst + o, tmp, k);
		o += k;
	}
	dst[o] = 0;
	return (long)o;
}

static long utf8_to_utf16_impl(const char *src, uint8_t *dst, size_t cap)
{
	const unsigned char *s = (const unsigned char *)src;
	size_t o = 0;
	while (*s) {
		uint32_t cp;
		size_t k = utf8_decode(s, &cp);
		if (!k)
			return -1;
		s += k;
		if (cp >= 0x10000) {
			if (dst && o + 4 > cap)
				return -1;
			if (dst) {
				uint32_t v = cp - 0x10000;
				uint16_t hi = (uint16_t)(0xD800 + (v >> 10)), lo = (uint16_t)(0xDC00 + (v & 0x3FF));
				dst[o] = (uint8_t)hi;
				dst[o + 1] = (uint8_t)(hi >> 8);
				dst[o + 2] = (uint8_t)lo;
				dst[o + 3] = (uint8_t)(lo >> 8);
			}
			o += 4;
		} else {
			if (dst && o + 2 > cap)
				return -1;
			if (dst) {
				dst[o] = (uint8_t)cp;
				dst[o + 1] = (uint8_t)(cp >> 8);
			}
			o += 2;
		}
	}
	return (long)o;
}

long utf8_to_utf16le(const char *src, uint8_t *dst, size_t cap)
{
	return utf8_to_utf16_impl(src, dst, cap);
}

long utf8_utf16_len(const char *src)
{
	return utf8_to_utf16_impl(src, NULL, 0);
}

void utf16le_upper_ascii(uint8_t *buf, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		if (buf[i + 1] == 0 && buf[i] >= 'a' && buf[i] <= 'z')
			buf[i] = (uint8_t)(buf[i] - 'a' + 'A');
}
