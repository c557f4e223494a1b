/* File-system information classes for QUERY_INFO SMB2_0_INFO_FILESYSTEM
 * ([MS-FSCC] 2.5): volume, size, device, attribute, control, full size,
 * object id and sector size. Minimum sizes and truncation of the variable
 * names follow [MS-FSA] 2.1.5.13. Pure codec: no state. */
#include "wire/fileinfo.h"

#define VOLUME_FIXED_LEN 18
#define ATTRIBUTE_FIXED_LEN 12

size_t wire_fs_info_min_size(uint8_t fs_class)
{
	switch (fs_class) {
	case FileFsVolumeInformation:
		return 24; /* BlockAlign(FieldOffset(VolumeLabel), 8) */
	case FileFsSizeInformation:
		return 24;
	case FileFsDeviceInformation:
		return 8;
	case FileFsAttributeInformation:
		return ATTRIBUTE_FIXED_LEN; /* BlockAlign(FieldOffset(FileSystemName), 4) */
	case FileFsControlInformation:
		return 48;
	case FileFsFullSizeInformation:
		return 32;
	case FileFsObjectIdInformation:
		return 64;
	case FileFsSectorSizeInformation:
		return 28;
	default:
		return 0;
	}
}

/* Writes as much of a UTF-16 name as `avail` bytes allow (an even count). */
static bool put_str(struct wr *w, const uint8_t *s, size_t n, size_t avail)
{
	avail &= ~(size_t)1;
	size_t k = n < avail ? n : avail;
	wr_bytes(w, s, k);
	return k == n;
}

NTSTATUS wire_fs_info_encode(struct wr *w, uint8_t fs_class, const struct wire_fs_info *fs, size_t max,
			     size_t *written, size_t *needed)
{
	size_t min = wire_fs_info_min_size(fs_class);
	size_t room = w->bad ? 0 : w->cap - w->pos;
	size_t lim = max < room ? max : room;
	size_t start = w->pos;
	bool whole = true;

	*written = 0;
	*needed = min;
	if (min == 0)
		return STATUS_INVALID_INFO_CLASS;
	if (fs->label_len > UINT32_MAX || fs->fs_name_len > UINT32_MAX)
		return STATUS_INVALID_PARAMETER;
	if (fs_class == FileFsVolumeInformation)
		*needed = VOLUME_FIXED_LEN + fs->label_len;
	else if (fs_class == FileFsAttributeInformation)
		*needed = ATTRIBUTE_FIXED_LEN + fs->fs_name_len;
	if (lim < min)
		return STATUS_INFO_LENGTH_MISMATCH;

	uint32_t phys = fs->physical_bytes_per_sector ? fs->physical_bytes_per_sector : fs->bytes_per_sector;
	switch (fs_class) {
	case FileFsVolumeInformation:
		wr_u64(w, fs->volume_creation_time);
		wr_u32(w, fs->volume_serial);
		wr_u32(w, (uint32_t)fs->label_len);
		wr_u8(w, fs->supports_objects ? 1 : 0);
		wr_u8(w, 0);
		whole = put_str(w, fs->label, fs->label_len, lim - VOLUME_FIXED_LEN);
		break;
	case FileFsSizeInformation:
		wr_u64(w, fs->total_units);
		wr_u64(w, fs->caller_avail_units);
		wr_u32(w, fs->sectors_per_unit);
		wr_u32(w, fs->bytes_per_sector);
		break;
	case FileFsDeviceInformation:
		wr_u32(w, fs->device_type);
		wr_u32(w, fs->device_characteristics);
		break;
	case FileFsAttributeInformation:
		wr_u32(w, fs->fs_attributes);
		wr_u32(w, (uint32_t)fs->max_component_name_len);
		wr_u32(w, (uint32_t)fs->fs_name_len);
		whole = put_str(w, fs->fs_name, fs->fs_name_len, lim - ATTRIBUTE_FIXED_LEN);
		break;
	case FileFsControlInformation:
		wr_u64(w, fs->free_space_start_filtering);
		wr_u64(w, fs->free_space_threshold);
		wr_u64(w, fs->free_space_stop_filtering);
		wr_u64(w, fs->default_quota_threshold);
		wr_u64(w, fs->default_quota_limit);
		wr_u32(w, fs->fs_control_flags);
		wr_u32(w, 0);
		break;
	case FileFsFullSizeInformation:
		wr_u64(w, fs->total_units);
		wr_u64(w, fs->caller_avail_units);
		wr_u64(w, fs->actual_avail_units);
		wr_u32(w, fs->sectors_per_unit);
		wr_u32(w, fs->bytes_per_sector);
		break;
	case FileFsObjectIdInformation:
		wr_bytes(w, fs->object_id, 16);
		wr_zero(w, 48); /* ExtendedInfo */
		break;
	case FileFsSectorSizeInformation:
		wr_u32(w, fs->bytes_per_sector); /* LogicalBytesPerSector */
		wr_u32(w, phys);		 /* PhysicalBytesPerSectorForAtomicity */
		wr_u32(w, phys);		 /* PhysicalBytesPerSectorForPerformance */
		wr_u32(w, phys);		 /* FileSystemEffectivePhysicalBytesPerSectorForAtomicity */
		wr_u32(w, fs->sector_flags);
		wr_u32(w, 0); /* ByteOffsetForSectorAlignment */
		wr_u32(w, 0); /* ByteOffsetForPartitionAlignment */
		break;
	default:
		return STATUS_INVALID_INFO_CLASS;
	}
	if (w->bad)
		return STATUS_BUFFER_OVERFLOW; /* unreachable: lim bounds every write */
	*written = w->pos - start;
	return whole ? STATUS_SUCCESS : STATUS_BUFFER_OVERFLOW;
}
