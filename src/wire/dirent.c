/* Directory entries for QUERY_DIRECTORY ([MS-FSCC] 2.4: FileDirectory,
 * FileFullDirectory, FileBothDirectory, FileNames, FileIdBothDirectory,
 * FileIdFullDirectory, FileIdExtdDirectory Information) and change
 * notification entries (FILE_NOTIFY_INFORMATION, 2.7.1). Each entry is
 * appended whole or not at all. Pure codec: no state. */
#include "wire/fileinfo.h"

#define COMMON_LEN 64 /* NextEntryOffset .. FileNameLength */
#define SHORT_NAME_MAX 24
#define ATTR_REPARSE_POINT 0x00000400 /* FILE_ATTRIBUTE_REPARSE_POINT */

static size_t fixed_len(uint8_t info_class)
{
	switch (info_class) {
	case FileDirectoryInformation:
		return COMMON_LEN;
	case FileFullDirectoryInformation:
		return COMMON_LEN + 4;
	case FileBothDirectoryInformation:
		return COMMON_LEN + 4 + 2 + SHORT_NAME_MAX;
	case FileNamesInformation:
		return 12;
	case FileIdBothDirectoryInformation:
		return COMMON_LEN + 4 + 2 + SHORT_NAME_MAX + 2 + 8;
	case FileIdFullDirectoryInformation:
		return COMMON_LEN + 4 + 4 + 8;
	case FileIdExtdDirectoryInformation:
		return COMMON_LEN + 4 + 4 + 16;
	default:
		return 0;
	}
}

size_t wire_dirent_size(uint8_t info_class, size_t name_len)
{
	size_t f = fixed_len(info_class);
	if (f == 0 || name_len > UINT32_MAX - f)
		return 0;
	return f + name_len;
}

static void put_short_name(struct wr *w, const struct wire_dirent *e)
{
	size_t n = e->short_name_len < SHORT_NAME_MAX ? e->short_name_len : SHORT_NAME_MAX;
	n &= ~(size_t)1;
	wr_u8(w, (uint8_t)n);
	wr_u8(w, 0); /* Reserved1 */
	wr_bytes(w, e->short_name, n);
	wr_zero(w, SHORT_NAME_MAX - n);
}

bool wire_dirent_append(struct wr *w, size_t *last_entry_pos, uint8_t info_class, const struct wire_dirent *e)
{
	size_t size = wire_dirent_size(info_class, e->name_len);
	size_t start;
	if (size == 0 || !wire_chain_reserve(w, last_entry_pos, 8, size, &start))
		return false;
	/* Classes with an EaSize report the reparse tag there for reparse points. */
	uint32_t ea = (e->attributes & ATTR_REPARSE_POINT) ? e->reparse_tag : e->ea_size;

	wr_u32(w, 0); /* NextEntryOffset: patched by the next entry */
	wr_u32(w, e->file_index);
	if (info_class == FileNamesInformation) {
		wr_u32(w, (uint32_t)e->name_len);
		wr_bytes(w, e->name, e->name_len);
		return !w->bad;
	}
	wr_u64(w, e->creation_time);
	wr_u64(w, e->last_access_time);
	wr_u64(w, e->last_write_time);
	wr_u64(w, e->change_time);
	wr_u64(w, e->end_of_file);
	wr_u64(w, e->allocation_size);
	wr_u32(w, e->attributes);
	wr_u32(w, (uint32_t)e->name_len);
	switch (info_class) {
	case FileFullDirectoryInformation:
		wr_u32(w, ea);
		break;
	case FileBothDirectoryInformation:
		wr_u32(w, ea);
		put_short_name(w, e);
		break;
	case FileIdBothDirectoryInformation:
		wr_u32(w, ea);
		put_short_name(w, e);
		wr_u16(w, 0); /* Reserved2 */
		wr_u64(w, e->file_id);
		break;
	case FileIdFullDirectoryInformation:
		wr_u32(w, ea);
		wr_u32(w, 0); /* Reserved */
		wr_u64(w, e->file_id);
		break;
	case FileIdExtdDirectoryInformation:
		wr_u32(w, e->ea_size);
		wr_u32(w, e->reparse_tag);
		wr_u64(w, e->file_id);
		wr_u64(w, e->file_id_hi);
		break;
	default: /* FileDirectoryInformation */
		break;
	}
	wr_bytes(w, e->name, e->name_len);
	return !w->bad;
}

bool wire_notify_append(struct wr *w, size_t *last, uint32_t action, const uint8_t *name, size_t name_len)
{
	size_t start;
	if (name_len > UINT32_MAX - 12 || !wire_chain_reserve(w, last, 4, 12 + name_len, &start))
		return false;
	wr_u32(w, 0);
	wr_u32(w, action);
	wr_u32(w, (uint32_t)name_len);
	wr_bytes(w, name, name_len);
	return !w->bad;
}
