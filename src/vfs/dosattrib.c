/* Decoder and encoder for Samba's user.DOSATTRIB blob (see dosattrib.h).
 * Layout (NDR, little-endian, alignment relative to the blob start): a
 * NUL-terminated ASCII string; if bytes follow, a uint16 version at a 2-byte
 * boundary, the union's uint16 level (equal to the version), then the
 * version's structure at a 4-byte boundary. Pure: no syscalls, no allocation. */
#include <string.h>

#include "base/rdwr.h"
#include "vfs/dosattrib.h"

static const uint8_t CT_MAGIC[8] = { 's', 'm', 'b', '3', 'd', 'C', 'T', 0 };

static int hexval(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The old form: the whole value is "0x<hex>" (NUL-terminated or not). */
static NTSTATUS decode_hex(const uint8_t *s, size_t n, struct vfs_dosinfo *d)
{
	size_t i = 0;
	uint32_t v = 0;
	if (n >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		i = 2;
	if (i == n || n - i > 8)
		return STATUS_INVALID_PARAMETER;
	for (; i < n; i++) {
		int h = hexval(s[i]);
		if (h < 0)
			return STATUS_INVALID_PARAMETER;
		v = v << 4 | (uint32_t)h;
	}
	d->attrs = v;
	d->has_attrs = true;
	return STATUS_SUCCESS;
}

static void align(struct rd *r, size_t a)
{
	rd_seek(r, (r->pos + (a - 1)) & ~(a - 1));
}

static void set_create_time(struct vfs_dosinfo *d, uint64_t t)
{
	if (t != 0) {
		d->create_time = t;
		d->has_create_time = true;
	}
}

NTSTATUS vfs_dosattrib_decode(const uint8_t *p, size_t len, struct vfs_dosinfo *d, uint16_t *version)
{
	memset(d, 0, sizeof(*d));
	if (version)
		*version = 0;
	if (!p || len == 0)
		return STATUS_INVALID_PARAMETER;
	const uint8_t *nul = memchr(p, 0, len);
	size_t slen = nul ? (size_t)(nul - p) : len;
	if (slen + 1 >= len) {
		/* Nothing after the string: the hex-only form. */
		NTSTATUS s = decode_hex(p, slen, d);
		if (NT_OK(s) && version)
			*version = VFS_DOSATTRIB_HEX_ONLY;
		return s;
	}

	struct rd r = rd_init(p, len);
	rd_seek(&r, slen + 1);
	align(&r, 2);
	uint16_t ver = rd_u16(&r);
	uint16_t level = rd_u16(&r);
	align(&r, 4);
	if (r.bad || level != ver)
		return STATUS_INVALID_PARAMETER;

	uint32_t flags, attrib;
	uint64_t create;
	switch (ver) {
	case 1: /* attrib, ea_size, size, alloc_size, create_time, change_time */
		attrib = rd_u32(&r);
		rd_skip(&r, 4 + 8 + 8);
		create = rd_u64(&r);
		rd_skip(&r, 8);
		flags = XATTR_DOSINFO_ATTRIB | XATTR_DOSINFO_CREATE_TIME;
		break;
	case 2: /* flags, attrib, ea_size, size, alloc_size, 3 times, name:
	         * Samba takes only the attributes from this old form. */
		rd_skip(&r, 4);
		attrib = rd_u32(&r);
		rd_skip(&r, 4 + 8 + 8 + 8 + 8 + 8);
		create = 0;
		flags = XATTR_DOSINFO_ATTRIB;
		break;
	case 3: /* valid_flags, attrib, ea_size, size, alloc_size, create, change */
		flags = rd_u32(&r);
		attrib = rd_u32(&r);
		rd_skip(&r, 4 + 8 + 8);
		create = rd_u64(&r);
		rd_skip(&r, 8);
		break;
	case 4: /* valid_flags, attrib, itime, create_time */
		flags = rd_u32(&r);
		attrib = rd_u32(&r);
		rd_skip(&r, 8);
		create = rd_u64(&r);
		break;
	case 5: /* valid_flags, attrib, create_time */
		flags = rd_u32(&r);
		attrib = rd_u32(&r);
		create = rd_u64(&r);
		break;
	default:
		return STATUS_INVALID_PARAMETER;
	}
	if (r.bad)
		return STATUS_INVALID_PARAMETER;
	/* Trailing bytes are ignored, as Samba's reader does, except smb3d's
	 * own change-time trailer after a version-5 blob. */
	if (ver == 5 && rd_left(&r) >= sizeof(CT_MAGIC) + 20) {
		const uint8_t *m = rd_take(&r, sizeof(CT_MAGIC));
		if (m && !memcmp(m, CT_MAGIC, sizeof(CT_MAGIC))) {
			uint64_t ct = rd_u64(&r);
			uint64_t sec = rd_u64(&r);
			uint32_t nsec = rd_u32(&r);
			if (!r.bad && ct && nsec < 1000000000u) {
				d->change_time = ct;
				d->change_mark.tv_sec = (time_t)(int64_t)sec;
				d->change_mark.tv_nsec = (long)nsec;
				d->has_change_time = true;
			}
		}
	}
	if (flags & XATTR_DOSINFO_ATTRIB) {
		d->attrs = attrib;
		d->has_attrs = true;
	}
	if (flags & XATTR_DOSINFO_CREATE_TIME)
		set_create_time(d, create);
	if (version)
		*version = ver;
	return STATUS_SUCCESS;
}

size_t vfs_dosattrib_encode(const struct vfs_dosinfo *d, uint8_t *buf, size_t cap)
{
	struct wr w = wr_init(buf, cap);
	uint32_t flags =
	    (d->has_attrs ? XATTR_DOSINFO_ATTRIB : 0) | (d->has_create_time ? XATTR_DOSINFO_CREATE_TIME : 0);
	wr_u8(&w, 0);  /* empty attrib_hex: Samba writes none for version 5 */
	wr_u8(&w, 0);  /* pad to 2 */
	wr_u16(&w, 5); /* version */
	wr_u16(&w, 5); /* union level */
	wr_u16(&w, 0); /* pad to 4 */
	wr_u32(&w, flags);
	wr_u32(&w, d->has_attrs ? d->attrs : 0);
	wr_u64(&w, d->has_create_time ? d->create_time : 0);
	if (d->has_change_time && d->change_time) {
		uint8_t *q = wr_put(&w, sizeof(CT_MAGIC));
		if (q)
			memcpy(q, CT_MAGIC, sizeof(CT_MAGIC));
		wr_u64(&w, d->change_time);
		wr_u64(&w, (uint64_t)(int64_t)d->change_mark.tv_sec);
		wr_u32(&w, (uint32_t)d->change_mark.tv_nsec);
	}
	return w.bad ? 0 : w.pos;
}
