/* Case-insensitive name lookup (Samba's "case sensitive = no"): each
 * component is tried exactly with one confined openat2, and only if missing
 * is its directory searched for a match under simple upper-case folding
 * (through the index of ci_cache.c).
 * Folding covers ASCII, Latin-1 Supplement, Latin Extended-A, basic Greek
 * (with tonos) and basic Cyrillic, using the 1:1 upper-case mappings of
 * UnicodeData.txt; other code points compare exactly, and there is no
 * normalisation (a precomposed and a decomposed name differ). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "vfs/vfs_int.h"

uint32_t vfs_upcase(uint32_t c)
{
	if (c < 0x80)
		return c >= 'a' && c <= 'z' ? c - 0x20 : c;
	if (c >= 0xE0 && c <= 0xFE && c != 0xF7) /* Latin-1 letters */
		return c - 0x20;
	if (c == 0xFF)
		return 0x178;
	if (c >= 0x100 && c <= 0x17F) { /* Latin Extended-A: case pairs */
		if ((c >= 0x100 && c <= 0x12F) || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
			return (c & 1) ? c - 1 : c;
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c : c - 1;
		return c; /* U+0130, U+0131, U+0138, U+0149, U+0178, U+017F */
	}
	if (c >= 0x370 && c <= 0x3FF) { /* Greek */
		if (c == 0x3AC)
			return 0x386;
		if (c >= 0x3AD && c <= 0x3AF)
			return c - 0x25;
		if (c == 0x3C2) /* final sigma */
			return 0x3A3;
		if ((c >= 0x3B1 && c <= 0x3C1) || (c >= 0x3C3 && c <= 0x3CB))
			return c - 0x20;
		if (c == 0x3CC)
			return 0x38C;
		if (c == 0x3CD || c == 0x3CE)
			return c - 0x3F;
		return c;
	}
	if (c >= 0x430 && c <= 0x44F) /* Cyrillic */
		return c - 0x20;
	if (c >= 0x450 && c <= 0x45F)
		return c - 0x50;
	return c;
}

/* Decodes one UTF-8 sequence; an invalid byte comes back as 0xDC00 + byte
 * (a lone surrogate, which valid UTF-8 never yields) and is consumed alone. */
uint32_t vfs_utf8_next(const unsigned char **pp)
{
	const unsigned char *p = *pp;
	uint32_t c = p[0];
	int n;
	uint32_t min;
	if (c < 0x80) {
		*pp = p + 1;
		return c;
	}
	if ((c & 0xE0) == 0xC0) {
		n = 1, c &= 0x1F, min = 0x80;
	} else if ((c & 0xF0) == 0xE0) {
		n = 2, c &= 0x0F, min = 0x800;
	} else if ((c & 0xF8) == 0xF0) {
		n = 3, c &= 0x07, min = 0x10000;
	} else {
		goto bad;
	}
	for (int i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			goto bad;
		c = c << 6 | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		goto bad;
	*pp = p + n + 1;
	return c;
bad:
	*pp = p + 1;
	return 0xDC00 + p[0];
}

bool vfs_name_equal_ci(const char *a, const char *b)
{
	const unsigned char *p = (const unsigned char *)a, *q = (const unsigned char *)b;
	while (*p && *q) {
		if (vfs_upcase(vfs_utf8_next(&p)) != vfs_upcase(vfs_utf8_next(&q)))
			return false;
	}
	return !*p && !*q;
}

/* Resolves one component below the on-disk prefix disk (dlen bytes): found
 * gets its spelling; *missing when it does not exist (or disk is a file). */
static NTSTATUS lookup_component(const struct vfs_root *r, char *disk, size_t dlen, const char *comp, char *found,
				 bool *missing)
{
	size_t clen = strlen(comp);
	*missing = false;
	if (dlen + 1 + clen >= PATH_MAX)
		return STATUS_OBJECT_NAME_INVALID;
	if (dlen)
		disk[dlen] = '/';
	memcpy(disk + dlen + (dlen ? 1 : 0), comp, clen + 1);
	int fd = vfs_openat2(r->fd, disk, O_PATH | O_NOFOLLOW, 0);
	disk[dlen] = '\0';
	if (fd >= 0) {
		close(fd);
		memcpy(found, comp, clen + 1);
		return STATUS_SUCCESS;
	}
	if (fd == -ENOENT)
		return vfs_ci_find(r, disk, comp, found, missing);
	if (fd == -ENOTDIR) {
		*missing = true;
		return STATUS_SUCCESS;
	}
	return vfs_errno_to_status(-fd); /* EXDEV (leaving the root): ACCESS_DENIED */
}

NTSTATUS vfs_resolve_case(const struct vfs_root *r, const char *path, char *out, size_t out_cap)
{
	char disk[PATH_MAX];
	char comp[NAME_MAX + 1], found[NAME_MAX + 1];
	size_t dlen = 0;
	bool missing = false;
	NTSTATUS s = vfs_path_check(path, false);
	if (!NT_OK(s))
		return s;
	if (out_cap == 0)
		return STATUS_BUFFER_TOO_SMALL;
	/* Usually the name exists as spelled: one open of the whole path says
	 * so (the walk below would find each component as spelled too). */
	size_t plen = strlen(path);
	if (plen) {
		int fd = vfs_openat2(r->fd, path, O_PATH | O_NOFOLLOW, 0);
		if (fd >= 0) {
			close(fd);
			if (plen + 1 > out_cap)
				return STATUS_BUFFER_TOO_SMALL;
			memcpy(out, path, plen + 1);
			return STATUS_SUCCESS;
		}
	}
	disk[0] = '\0';
	for (const char *p = path; *p;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		memcpy(comp, p, n);
		comp[n] = '\0';
		p += n + (slash ? 1 : 0);
		if (!missing) {
			s = lookup_component(r, disk, dlen, comp, found, &missing);
			if (!NT_OK(s))
				return s;
		}
		const char *use = missing ? comp : found;
		size_t ulen = strlen(use);
		if (dlen + 1 + ulen >= PATH_MAX)
			return STATUS_OBJECT_NAME_INVALID;
		if (dlen)
			disk[dlen++] = '/';
		memcpy(disk + dlen, use, ulen + 1);
		dlen += ulen;
	}
	if (dlen + 1 > out_cap)
		return STATUS_BUFFER_TOO_SMALL;
	memcpy(out, disk, dlen + 1);
	return STATUS_SUCCESS;
}
