/* Per-file information classes ([MS-FSCC] 2.4) for QUERY_INFO, the SET_INFO
 * buffer decoders, and the FILE_FULL_EA_INFORMATION / FILE_GET_EA_INFORMATION
 * chains (2.4.15). Minimum sizes and truncation follow [MS-FSA] 2.1.5.12.
 * Pure codec: no state. */
#include "wire/fileinfo.h"

#include <string.h>

/* Fixed parts on the wire. */
#define BASIC_LEN 40
#define STANDARD_LEN 24
#define NETWORK_OPEN_LEN 56
#define ALL_FIXED_LEN 100 /* Basic..Alignment (96) + FileNameLength */
#define NAME_FIXED_LEN 4  /* FileNameLength */

size_t wire_file_info_min_size(uint8_t info_class)
{
	switch (info_class) {
	case FileBasicInformation:
		return BASIC_LEN;
	case FileStandardInformation:
		return STANDARD_LEN;
	case FileInternalInformation:
	case FilePositionInformation:
	case FileAttributeTagInformation:
		return 8;
	case FileEaInformation:
	case FileAccessInformation:
	case FileModeInformation:
	case FileAlignmentInformation:
		return 4;
	case FileNameInformation:
	case FileNormalizedNameInformation:
	case FileAlternateNameInformation:
		/* BlockAlign(FieldOffset(FileName) + 2, 4) */
		return 8;
	case FileAllInformation:
		/* BlockAlign(FieldOffset(NameInformation.FileName) + 2, 8) */
		return 104;
	case FileStreamInformation:
		return 32; /* sizeof(FILE_STREAM_INFORMATION) with its 8-byte padding */
	case FileCompressionInformation:
		return 16;
	case FileNetworkOpenInformation:
		return NETWORK_OPEN_LEN;
	case FileIdInformation:
		return 24;
	case FileFullEaInformation:
		return 12; /* one entry with an empty name and value, aligned */
	default:
		return 0;
	}
}

static void put_basic(struct wr *w, const struct wire_file_info *fi)
{
	wr_u64(w, fi->creation_time);
	wr_u64(w, fi->last_access_time);
	wr_u64(w, fi->last_write_time);
	wr_u64(w, fi->change_time);
	wr_u32(w, fi->attributes);
	wr_u32(w, 0);
}

static void put_standard(struct wr *w, const struct wire_file_info *fi)
{
	wr_u64(w, fi->allocation_size);
	wr_u64(w, fi->end_of_file);
	wr_u32(w, fi->nlink);
	wr_u8(w, fi->delete_pending ? 1 : 0);
	wr_u8(w, fi->directory ? 1 : 0);
	wr_u16(w, 0);
}

/* FileNameLength + as much of the name as `room` allows (an even count). */
static bool put_name(struct wr *w, const uint8_t *name, size_t name_len, size_t room)
{
	size_t avail = (room - NAME_FIXED_LEN) & ~(size_t)1;
	size_t n = name_len < avail ? name_len : avail;
	wr_u32(w, (uint32_t)name_len);
	wr_bytes(w, name, n);
	return n == name_len;
}

NTSTATUS wire_file_info_encode(struct wr *w, uint8_t info_class, const struct wire_file_info *fi, size_t max,
			       size_t *written, size_t *needed)
{
	size_t min = wire_file_info_min_size(info_class);
	size_t room = w->bad ? 0 : w->cap - w->pos;
	size_t lim = max < room ? max : room;
	size_t start = w->pos;
	bool whole = true;

	*written = 0;
	*needed = min;
	if (min == 0 || info_class == FileStreamInformation || info_class == FileFullEaInformation)
		return STATUS_INVALID_INFO_CLASS;
	if ((info_class == FileNameInformation || info_class == FileNormalizedNameInformation ||
	     info_class == FileAllInformation) &&
	    fi->name_len > UINT32_MAX)
		return STATUS_INVALID_PARAMETER;
	switch (info_class) {
	case FileBasicInformation:
		*needed = BASIC_LEN;
		break;
	case FileNameInformation:
	case FileNormalizedNameInformation:
		*needed = NAME_FIXED_LEN + fi->name_len;
		break;
	case FileAlternateNameInformation:
		*needed = NAME_FIXED_LEN + fi->short_name_len;
		break;
	case FileAllInformation:
		*needed = ALL_FIXED_LEN + fi->name_len;
		break;
	default:
		break;
	}
	if (lim < min)
		return STATUS_INFO_LENGTH_MISMATCH;

	switch (info_class) {
	case FileBasicInformation:
		put_basic(w, fi);
		break;
	case FileStandardInformation:
		put_standard(w, fi);
		break;
	case FileInternalInformation:
		wr_u64(w, fi->index_number);
		break;
	case FileEaInformation:
		wr_u32(w, fi->ea_size);
		break;
	case FileAccessInformation:
		wr_u32(w, fi->access_flags);
		break;
	case FilePositionInformation:
		wr_u64(w, fi->current_byte_offset);
		break;
	case FileModeInformation:
		wr_u32(w, fi->mode);
		break;
	case FileAlignmentInformation:
		wr_u32(w, fi->alignment_requirement);
		break;
	case FileNameInformation:
	case FileNormalizedNameInformation:
		whole = put_name(w, fi->name_utf16, fi->name_len, lim);
		break;
	case FileAlternateNameInformation:
		whole = put_name(w, fi->short_name, fi->short_name_len, lim);
		break;
	case FileAllInformation:
		put_basic(w, fi);
		put_standard(w, fi);
		wr_u64(w, fi->index_number);
		wr_u32(w, fi->ea_size);
		wr_u32(w, fi->access_flags);
		wr_u64(w, fi->current_byte_offset);
		wr_u32(w, fi->mode);
		wr_u32(w, fi->alignment_requirement);
		whole = put_name(w, fi->name_utf16, fi->name_len, lim - (ALL_FIXED_LEN - NAME_FIXED_LEN));
		break;
	case FileCompressionInformation:
		wr_u64(w, fi->compressed_size);
		wr_u16(w, fi->compression_format);
		wr_u8(w, fi->compression_unit_shift);
		wr_u8(w, fi->chunk_shift);
		wr_u8(w, fi->cluster_shift);
		wr_zero(w, 3);
		break;
	case FileNetworkOpenInformation:
		wr_u64(w, fi->creation_time);
		wr_u64(w, fi->last_access_time);
		wr_u64(w, fi->last_write_time);
		wr_u64(w, fi->change_time);
		wr_u64(w, fi->allocation_size);
		wr_u64(w, fi->end_of_file);
		wr_u32(w, fi->attributes);
		wr_u32(w, 0);
		break;
	case FileAttributeTagInformation:
		wr_u32(w, fi->attributes);
		wr_u32(w, fi->reparse_tag);
		break;
	case FileIdInformation:
		wr_u64(w, fi->volume_serial);
		wr_u64(w, fi->index_number);
		wr_u64(w, fi->index_number_hi);
		break;
	default:
		return STATUS_INVALID_INFO_CLASS;
	}
	if (w->bad)
		return STATUS_BUFFER_OVERFLOW; /* unreachable: lim bounds every write */
	*written = w->pos - start;
	return whole ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
}

bool wire_chain_reserve(struct wr *w, size_t *last, size_t align, size_t size, size_t *start)
{
	if (w->bad)
		return false;
	size_t pad = (align - (w->pos & (align - 1))) & (align - 1);
	size_t room = w->cap - w->pos;
	if (pad > room || size > room - pad)
		return false;
	size_t at = w->pos + pad;
	if (*last != WIRE_CHAIN_NONE) {
		if (*last >= at || at - *last > UINT32_MAX)
			return false;
		wr_patch_u32(w, *last, (uint32_t)(at - *last));
	}
	wr_zero(w, pad);
	*start = *last = at;
	return !w->bad;
}

bool wire_stream_append(struct wr *w, size_t *last, const struct wire_stream_entry *s)
{
	size_t start;
	if (s->name_len > UINT32_MAX - 24 || !wire_chain_reserve(w, last, 8, 24 + s->name_len, &start))
		return false;
	wr_u32(w, 0); /* NextEntryOffset: patched by the next entry */
	wr_u32(w, (uint32_t)s->name_len);
	wr_u64(w, s->size);
	wr_u64(w, s->alloc);
	wr_bytes(w, s->name, s->name_len);
	return !w->bad;
}

size_t wire_full_ea_entry_size(const struct wire_ea *e)
{
	return 8 + (size_t)e->name_len + 1 + e->value_len;
}

bool wire_full_ea_append(struct wr *w, size_t *last, const struct wire_ea *e)
{
	size_t start;
	if (!wire_chain_reserve(w, last, 4, wire_full_ea_entry_size(e), &start))
		return false;
	wr_u32(w, 0);
	wr_u8(w, e->flags);
	wr_u8(w, e->name_len);
	wr_u16(w, e->value_len);
	wr_bytes(w, e->name, e->name_len);
	wr_u8(w, 0);
	wr_bytes(w, e->value, e->value_len);
	return !w->bad;
}

/* Walks a 4-byte aligned chain of EA entries; `full` selects the
 * FILE_FULL_EA_INFORMATION layout (else FILE_GET_EA_INFORMATION). */
static NTSTATUS ea_chain_decode(const uint8_t *buf, size_t len, bool full, struct wire_ea *out, size_t cap,
				size_t *n)
{
	size_t pos = 0;
	*n = 0;
	if (len == 0)
		return STATUS_SUCCESS;
	for (;;) {
		struct rd r = rd_init(buf + pos, len - pos);
		struct wire_ea e = { 0 };
		uint32_t next = rd_u32(&r);
		if (full) {
			e.flags = rd_u8(&r);
			e.name_len = rd_u8(&r);
			e.value_len = rd_u16(&r);
		} else {
			e.name_len = rd_u8(&r);
		}
		e.name = rd_take(&r, e.name_len);
		const uint8_t *nul = rd_take(&r, 1);
		e.value = e.value_len ? rd_take(&r, e.value_len) : NULL;
		if (r.bad || nul[0] != 0 || memchr(e.name, 0, e.name_len))
			return STATUS_INVALID_PARAMETER;
		if (next != 0 && ((next & 3) != 0 || next < r.pos || next >= len - pos))
			return STATUS_INVALID_PARAMETER;
		if (*n < cap)
			out[*n] = e;
		(*n)++;
		if (next == 0)
			return STATUS_SUCCESS;
		pos += next;
	}
}

NTSTATUS wire_full_ea_decode(const uint8_t *buf, size_t len, struct wire_ea *out, size_t cap, size_t *n)
{
	return ea_chain_decode(buf, len, true, out, cap, n);
}

NTSTATUS wire_get_ea_decode(const uint8_t *buf, size_t len, struct wire_ea *out, size_t cap, size_t *n)
{
	return ea_chain_decode(buf, len, false, out, cap, n);
}

NTSTATUS wire_basic_info_decode(const uint8_t *buf, size_t len, struct wire_basic_info *b)
{
	memset(b, 0, sizeof(*b));
	if (len < BASIC_LEN)
		return STATUS_INFO_LENGTH_MISMATCH;
	struct rd r = rd_init(buf, len);
	b->creation_time = rd_u64(&r);
	b->last_access_time = rd_u64(&r);
	b->last_write_time = rd_u64(&r);
	b->change_time = rd_u64(&r);
	b->attributes = rd_u32(&r);
	return STATUS_SUCCESS;
}

void wire_basic_info_encode(struct wr *w, const struct wire_basic_info *b)
{
	wr_u64(w, b->creation_time);
	wr_u64(w, b->last_access_time);
	wr_u64(w, b->last_write_time);
	wr_u64(w, b->change_time);
	wr_u32(w, b->attributes);
	wr_u32(w, 0);
}

#define RENAME_FIXED_LEN 20

NTSTATUS wire_rename_info_decode(const uint8_t *buf, size_t len, struct wire_rename_info *ri)
{
	memset(ri, 0, sizeof(*ri));
	if (len < RENAME_FIXED_LEN)
		return STATUS_INFO_LENGTH_MISMATCH;
	struct rd r = rd_init(buf, len);
	ri->replace_if_exists = rd_u8(&r) != 0;
	rd_skip(&r, 7);
	ri->root_directory = rd_u64(&r);
	uint32_t n = rd_u32(&r);
	if (n == 0 || (n & 1) || n > rd_left(&r))
		return STATUS_INVALID_PARAMETER;
	ri->name = rd_take(&r, n);
	ri->name_len = n;
	return STATUS_SUCCESS;
}

void wire_rename_info_encode(struct wr *w, const struct wire_rename_info *ri)
{
	wr_u8(w, ri->replace_if_exists ? 1 : 0);
	wr_zero(w, 7);
	wr_u64(w, ri->root_directory);
	wr_u32(w, (uint32_t)ri->name_len);
	wr_bytes(w, ri->name, ri->name_len);
}

NTSTATUS wire_disposition_info_decode(const uint8_t *buf, size_t len, bool *delete_pending)
{
	*delete_pending = false;
	if (len < 1)
		return STATUS_INFO_LENGTH_MISMATCH;
	*delete_pending = buf[0] != 0;
	return STATUS_SUCCESS;
}

NTSTATUS wire_disposition_ex_info_decode(const uint8_t *buf, size_t len, uint32_t *flags)
{
	*flags = 0;
	if (len < 4)
		return STATUS_INFO_LENGTH_MISMATCH;
	*flags = le32_at(buf);
	return STATUS_SUCCESS;
}

NTSTATUS wire_u64_info_decode(const uint8_t *buf, size_t len, uint64_t *v)
{
	*v = 0;
	if (len < 8)
		return STATUS_INFO_LENGTH_MISMATCH;
	*v = le64_at(buf);
	return STATUS_SUCCESS;
}

NTSTATUS wire_mode_info_decode(const uint8_t *buf, size_t len, uint32_t *mode)
{
	*mode = 0;
	if (len < 4)
		return STATUS_INFO_LENGTH_MISMATCH;
	*mode = le32_at(buf);
	return STATUS_SUCCESS;
}

NTSTATUS wire_short_name_info_decode(const uint8_t *buf, size_t len, const uint8_t **name, size_t *name_len)
{
	*name = NULL;
	*name_len = 0;
	if (len < NAME_FIXED_LEN)
		return STATUS_INFO_LENGTH_MISMATCH;
	uint32_t n = le32_at(buf);
	if (n == 0 || (n & 1) || n > len - NAME_FIXED_LEN)
		return STATUS_INVALID_PARAMETER;
	*name = buf + NAME_FIXED_LEN;
	*name_len = n;
	return STATUS_SUCCESS;
}
