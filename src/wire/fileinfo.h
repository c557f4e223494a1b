/* File and file-system information classes ([MS-FSCC] 2.4, 2.5), directory
 * entries (2.4.8-2.4.26) and change notifications (2.7.1): encoders from host
 * structs for QUERY_INFO/QUERY_DIRECTORY/CHANGE_NOTIFY, decoders for SET_INFO
 * buffers, and the FILE_FULL_EA_INFORMATION chain both ways. Pure codecs;
 * names are UTF-16LE byte strings. Implemented in fileinfo.c (file classes,
 * SET_INFO, EAs), fsinfo.c (file-system classes) and dirent.c (directory and
 * notify entries). */
#ifndef SMB3D_WIRE_FILEINFO_H
#define SMB3D_WIRE_FILEINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ntstatus.h"
#include "base/rdwr.h"

/* FILE_INFORMATION_CLASS values ([MS-FSCC] 2.4) */
enum wire_file_info_class {
	FileDirectoryInformation = 1,
	FileFullDirectoryInformation = 2,
	FileBothDirectoryInformation = 3,
	FileBasicInformation = 4,
	FileStandardInformation = 5,
	FileInternalInformation = 6,
	FileEaInformation = 7,
	FileAccessInformation = 8,
	FileNameInformation = 9,
	FileRenameInformation = 10,
	FileLinkInformation = 11,
	FileNamesInformation = 12,
	FileDispositionInformation = 13,
	FilePositionInformation = 14,
	FileFullEaInformation = 15,
	FileModeInformation = 16,
	FileAlignmentInformation = 17,
	FileAllInformation = 18,
	FileAllocationInformation = 19,
	FileEndOfFileInformation = 20,
	FileAlternateNameInformation = 21,
	FileStreamInformation = 22,
	FilePipeInformation = 23,
	FilePipeLocalInformation = 24,
	FilePipeRemoteInformation = 25,
	FileCompressionInformation = 28,
	FileQuotaInformation = 32,
	FileNetworkOpenInformation = 34,
	FileAttributeTagInformation = 35,
	FileIdBothDirectoryInformation = 37,
	FileIdFullDirectoryInformation = 38,
	FileValidDataLengthInformation = 39,
	FileShortNameInformation = 40,
	FileNormalizedNameInformation = 48,
	FileIdInformation = 59,
	FileIdExtdDirectoryInformation = 60,
	FileDispositionInformationEx = 64,
};

/* FS_INFORMATION_CLASS values ([MS-FSCC] 2.5) */
enum wire_fs_info_class {
	FileFsVolumeInformation = 1,
	FileFsLabelInformation = 2,
	FileFsSizeInformation = 3,
	FileFsDeviceInformation = 4,
	FileFsAttributeInformation = 5,
	FileFsControlInformation = 6,
	FileFsFullSizeInformation = 7,
	FileFsObjectIdInformation = 8,
	FileFsDriverPathInformation = 9,
	FileFsVolumeFlagsInformation = 10,
	FileFsSectorSizeInformation = 11,
};

/* FileDispositionInformationEx Flags ([MS-FSCC] 2.4.12) */
#define FILE_DISPOSITION_DO_NOT_DELETE 0x00000000
#define FILE_DISPOSITION_DELETE 0x00000001
#define FILE_DISPOSITION_POSIX_SEMANTICS 0x00000002
#define FILE_DISPOSITION_FORCE_IMAGE_SECTION_CHECK 0x00000004
#define FILE_DISPOSITION_ON_CLOSE 0x00000008
#define FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE 0x00000010
/* FILE_FULL_EA_INFORMATION Flags ([MS-FSCC] 2.4.15) */
#define FILE_NEED_EA 0x80
/* FileFsDeviceInformation ([MS-FSCC] 2.5.10) */
#define FILE_DEVICE_DISK 0x00000007
#define FILE_REMOVABLE_MEDIA 0x00000001
#define FILE_READ_ONLY_DEVICE 0x00000002
#define FILE_REMOTE_DEVICE 0x00000010
#define FILE_DEVICE_IS_MOUNTED 0x00000020
/* FileSystemAttributes ([MS-FSCC] 2.5.1) */
#define FILE_CASE_SENSITIVE_SEARCH 0x00000001
#define FILE_CASE_PRESERVED_NAMES 0x00000002
#define FILE_UNICODE_ON_DISK 0x00000004
#define FILE_PERSISTENT_ACLS 0x00000008
#define FILE_FILE_COMPRESSION 0x00000010
#define FILE_VOLUME_QUOTAS 0x00000020
#define FILE_SUPPORTS_SPARSE_FILES 0x00000040
#define FILE_SUPPORTS_REPARSE_POINTS 0x00000080
#define FILE_SUPPORTS_REMOTE_STORAGE 0x00000100
#define FILE_VOLUME_IS_COMPRESSED 0x00008000
#define FILE_SUPPORTS_OBJECT_IDS 0x00010000
#define FILE_SUPPORTS_ENCRYPTION 0x00020000
#define FILE_NAMED_STREAMS 0x00040000
#define FILE_READ_ONLY_VOLUME 0x00080000
#define FILE_SEQUENTIAL_WRITE_ONCE 0x00100000
#define FILE_SUPPORTS_TRANSACTIONS 0x00200000
#define FILE_SUPPORTS_HARD_LINKS 0x00400000
#define FILE_SUPPORTS_EXTENDED_ATTRIBUTES 0x00800000
#define FILE_SUPPORTS_OPEN_BY_FILE_ID 0x01000000
#define FILE_SUPPORTS_USN_JOURNAL 0x02000000
#define FILE_SUPPORTS_BLOCK_REFCOUNTING 0x08000000
/* FileFsSectorSizeInformation Flags ([MS-FSCC] 2.5.7) */
#define SSINFO_FLAGS_ALIGNED_DEVICE 0x00000001
#define SSINFO_FLAGS_PARTITION_ALIGNED_ON_DEVICE 0x00000002
#define SSINFO_FLAGS_NO_SEEK_PENALTY 0x00000004
#define SSINFO_FLAGS_TRIM_ENABLED 0x00000008
/* FILE_NOTIFY_INFORMATION Action ([MS-FSCC] 2.7.1) */
#define FILE_ACTION_ADDED 0x00000001
#define FILE_ACTION_REMOVED 0x00000002
#define FILE_ACTION_MODIFIED 0x00000003
#define FILE_ACTION_RENAMED_OLD_NAME 0x00000004
#define FILE_ACTION_RENAMED_NEW_NAME 0x00000005
#define FILE_ACTION_ADDED_STREAM 0x00000006
#define FILE_ACTION_REMOVED_STREAM 0x00000007
#define FILE_ACTION_MODIFIED_STREAM 0x00000008

/* Everything the per-file query classes report. */
struct wire_file_info {
	uint64_t creation_time, last_access_time, last_write_time, change_time; /* NT time */
	uint64_t allocation_size, end_of_file;
	uint32_t attributes;
	uint32_t nlink;
	bool delete_pending, directory;
	uint64_t index_number;	 /* FileInternalInformation: the 64-bit file id */
	uint64_t index_number_hi; /* high half of the 128-bit FileIdInformation id (0 on most stores) */
	uint64_t volume_serial;	 /* FileIdInformation */
	uint32_t ea_size;
	uint32_t access_flags; /* granted access */
	uint64_t current_byte_offset;
	uint32_t mode;
	uint32_t alignment_requirement;
	const uint8_t *name_utf16; /* FileName/FileAll/FileNormalizedName: "\dir\file" */
	size_t name_len;
	const uint8_t *short_name; /* FileAlternateNameInformation (8.3 name) */
	size_t short_name_len;
	uint32_t reparse_tag;
	uint64_t compressed_size; /* FileCompressionInformation */
	uint16_t compression_format;
	uint8_t compression_unit_shift, chunk_shift, cluster_shift;
};

/* The OutputBufferLength below which a query of the class fails with
 * STATUS_INFO_LENGTH_MISMATCH ([MS-FSA] 2.1.5.12), 0 for a class this codec
 * does not encode. */
size_t wire_file_info_min_size(uint8_t info_class);

/* Encodes one query class into w, at most `max` bytes (the client's
 * OutputBufferLength; also capped by w's room). Returns:
 *   STATUS_SUCCESS: *written == *needed bytes were written;
 *   STATUS_BUFFER_OVERFLOW: the fixed part fit but the name did not: the
 *     name was truncated to an even byte count, *written < *needed, and the
 *     length field still tells the whole name length ([MS-FSA] 2.1.5.12.x);
 *   STATUS_INFO_LENGTH_MISMATCH: max < wire_file_info_min_size(): nothing
 *     written;
 *   STATUS_INVALID_INFO_CLASS: not a class encoded here (FileStreamInformation
 *     and FileFullEaInformation have their own appenders below).
 * *needed is always the untruncated size. */
NTSTATUS wire_file_info_encode(struct wr *w, uint8_t info_class, const struct wire_file_info *fi, size_t max,
			       size_t *written, size_t *needed);

/* Caps w at `limit` more bytes from its position (the client's output buffer
 * length); returns the previous capacity to restore with w->cap = old. */
static inline size_t wire_wr_limit(struct wr *w, size_t limit)
{
	size_t old = w->cap;
	if (!w->bad && limit < w->cap - w->pos)
		w->cap = w->pos + limit;
	return old;
}

/* Chained entries (streams, EAs, directory and notify entries): each entry
 * is aligned (8 bytes, 4 for EAs and notifications) relative to the start of
 * w's buffer, the previous entry's NextEntryOffset is patched, and *last is
 * the position of the last entry (WIRE_CHAIN_NONE before the first). An
 * entry that does not fit w's room returns false and leaves w unchanged, so
 * the caller can stop and resume later. */
#define WIRE_CHAIN_NONE SIZE_MAX

/* FILE_STREAM_INFORMATION ([MS-FSCC] 2.4, FileStreamInformation). */
struct wire_stream_entry {
	const uint8_t *name; /* "::$DATA", ":name:$DATA" */
	size_t name_len;
	uint64_t size, alloc;
};
bool wire_stream_append(struct wr *w, size_t *last, const struct wire_stream_entry *s);

/* FILE_FULL_EA_INFORMATION ([MS-FSCC] 2.4.15). */
struct wire_ea {
	uint8_t flags; /* FILE_NEED_EA */
	const uint8_t *name; /* ASCII, without the terminating NUL */
	uint8_t name_len;
	const uint8_t *value;
	uint16_t value_len;
};
bool wire_full_ea_append(struct wr *w, size_t *last, const struct wire_ea *e);
/* Size of one entry without alignment padding. */
size_t wire_full_ea_entry_size(const struct wire_ea *e);
/* Validates a whole chain: NextEntryOffset a multiple of 4 that covers the
 * entry and stays inside the buffer, name NUL-terminated with no NUL inside,
 * value inside the entry. *n gets the number of entries; the first `cap` are
 * stored in out (out may be NULL with cap 0 to count). STATUS_INVALID_PARAMETER
 * on any violation (the SET_INFO handler may report it as
 * STATUS_EA_LIST_INCONSISTENT). */
NTSTATUS wire_full_ea_decode(const uint8_t *buf, size_t len, struct wire_ea *out, size_t cap, size_t *n);
/* FILE_GET_EA_INFORMATION list of a QUERY_INFO InputBuffer ([MS-FSCC]
 * 2.4.15.1): the same rules, names only (value NULL, value_len 0). */
NTSTATUS wire_get_ea_decode(const uint8_t *buf, size_t len, struct wire_ea *out, size_t cap, size_t *n);

/* SET_INFO buffers. Each returns STATUS_INFO_LENGTH_MISMATCH when the buffer
 * is shorter than the class's fixed size and STATUS_INVALID_PARAMETER when a
 * length inside it is inconsistent. */
#define WIRE_TIME_UNCHANGED 0		       /* leave the time alone */
#define WIRE_TIME_STOP_UPDATING UINT64_MAX     /* -1: stop automatic updates */
#define WIRE_TIME_RESUME_UPDATING (UINT64_MAX - 1) /* -2: resume them */
struct wire_basic_info {
	uint64_t creation_time, last_access_time, last_write_time, change_time;
	uint32_t attributes; /* 0 = unchanged */
};
NTSTATUS wire_basic_info_decode(const uint8_t *buf, size_t len, struct wire_basic_info *b);
/* FileRenameInformation and FileLinkInformation in their SMB2 form
 * (FILE_RENAME_INFORMATION_TYPE_2 of [MS-FSCC] 2.4): ReplaceIfExists,
 * 7 reserved bytes, RootDirectory, FileNameLength and a non-empty
 * even-length name inside the buffer. */
struct wire_rename_info {
	bool replace_if_exists;
	uint64_t root_directory;
	const uint8_t *name;
	size_t name_len;
};
NTSTATUS wire_rename_info_decode(const uint8_t *buf, size_t len, struct wire_rename_info *r);
NTSTATUS wire_disposition_info_decode(const uint8_t *buf, size_t len, bool *delete_pending);
NTSTATUS wire_disposition_ex_info_decode(const uint8_t *buf, size_t len, uint32_t *flags);
/* FilePosition, FileEndOfFile, FileAllocation, FileValidDataLength: one
 * 8-byte value. */
NTSTATUS wire_u64_info_decode(const uint8_t *buf, size_t len, uint64_t *v);
NTSTATUS wire_mode_info_decode(const uint8_t *buf, size_t len, uint32_t *mode);
/* FileShortNameInformation: FILE_NAME_INFORMATION with a non-empty even name. */
NTSTATUS wire_short_name_info_decode(const uint8_t *buf, size_t len, const uint8_t **name, size_t *name_len);
/* Encoders of the same SET_INFO buffers (clients, tests). */
void wire_basic_info_encode(struct wr *w, const struct wire_basic_info *b);
void wire_rename_info_encode(struct wr *w, const struct wire_rename_info *r);

/* File-system information ([MS-FSCC] 2.5). */
struct wire_fs_info {
	uint64_t volume_creation_time;
	uint32_t volume_serial;
	const uint8_t *label; /* UTF-16LE */
	size_t label_len;
	bool supports_objects;
	uint64_t total_units, caller_avail_units, actual_avail_units;
	uint32_t sectors_per_unit, bytes_per_sector;
	uint32_t device_type, device_characteristics;
	uint32_t fs_attributes;
	int32_t max_component_name_len;
	const uint8_t *fs_name; /* UTF-16LE, e.g. "NTFS" */
	size_t fs_name_len;
	uint8_t object_id[16];
	/* FileFsSectorSizeInformation; 0 means bytes_per_sector */
	uint32_t physical_bytes_per_sector;
	uint32_t sector_flags; /* SSINFO_FLAGS_* */
	/* FileFsControlInformation */
	uint64_t free_space_start_filtering, free_space_threshold, free_space_stop_filtering;
	uint64_t default_quota_threshold, default_quota_limit;
	uint32_t fs_control_flags;
};
size_t wire_fs_info_min_size(uint8_t fs_class);
/* Same contract as wire_file_info_encode (label and fs name truncate with
 * STATUS_BUFFER_OVERFLOW). */
NTSTATUS wire_fs_info_encode(struct wr *w, uint8_t fs_class, const struct wire_fs_info *fs, size_t max,
			     size_t *written, size_t *needed);

/* Directory entries for QUERY_DIRECTORY. */
struct wire_dirent {
	uint32_t file_index;
	uint64_t creation_time, last_access_time, last_write_time, change_time;
	uint64_t end_of_file, allocation_size;
	uint32_t attributes;
	uint32_t ea_size;     /* reparse_tag is sent instead when attributes has REPARSE_POINT */
	uint32_t reparse_tag;
	uint64_t file_id;     /* FileId of the Id* classes; low half of the 128-bit one */
	uint64_t file_id_hi;  /* high half of FileIdExtdDirectoryInformation's 128-bit id */
	const uint8_t *name;  /* UTF-16LE */
	size_t name_len;
	const uint8_t *short_name; /* UTF-16LE 8.3 name, at most 24 bytes (longer is cut) */
	size_t short_name_len;
};
/* Size of one entry of the class for a name of name_len bytes, without
 * trailing alignment; 0 for a class not supported here. With name_len 0 this
 * is the minimum OutputBufferLength ([MS-FSA] 2.1.5.6.3). */
size_t wire_dirent_size(uint8_t info_class, size_t name_len);
bool wire_dirent_append(struct wr *w, size_t *last_entry_pos, uint8_t info_class, const struct wire_dirent *e);

/* FILE_NOTIFY_INFORMATION ([MS-FSCC] 2.7.1), 4-byte aligned. */
bool wire_notify_append(struct wr *w, size_t *last, uint32_t action, const uint8_t *name, size_t name_len);

/* Shared by the chained encoders (fileinfo.c, dirent.c): makes room for an
 * entry of `size` bytes aligned to `align`, or returns false with w
 * unchanged. On success the padding is written, w->pos is the entry's start
 * (also stored in *start and *last), `size` bytes are known to fit, and the
 * previous entry's NextEntryOffset points to it. */
bool wire_chain_reserve(struct wr *w, size_t *last, size_t align, size_t size, size_t *start);

#endif
