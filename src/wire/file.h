/* Request/response codecs of the SMB2 file commands: CREATE, CLOSE, FLUSH,
 * READ, WRITE, OPLOCK_BREAK, LOCK, QUERY_DIRECTORY, CHANGE_NOTIFY, QUERY_INFO
 * and SET_INFO ([MS-SMB2] 2.2.13-2.2.27, 2.2.33-2.2.40). Pure codecs: request
 * slices point into the caller's message; no state, no I/O. IOCTL is in
 * wire/session.h. */
#ifndef SMB3D_WIRE_FILE_H
#define SMB3D_WIRE_FILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ntstatus.h"
#include "base/rdwr.h"
#include "wire/create_ctx.h"
#include "wire/smb2.h"

/* RequestedOplockLevel / OplockLevel ([MS-SMB2] 2.2.13) */
#define SMB2_OPLOCK_LEVEL_NONE 0x00
#define SMB2_OPLOCK_LEVEL_II 0x01
#define SMB2_OPLOCK_LEVEL_EXCLUSIVE 0x08
#define SMB2_OPLOCK_LEVEL_BATCH 0x09
#define SMB2_OPLOCK_LEVEL_LEASE 0xFF
/* ImpersonationLevel */
#define SMB2_IMPERSONATION_ANONYMOUS 0x00000000
#define SMB2_IMPERSONATION_IDENTIFICATION 0x00000001
#define SMB2_IMPERSONATION_IMPERSONATION 0x00000002
#define SMB2_IMPERSONATION_DELEGATE 0x00000003
/* CREATE response Flags (2.2.14) */
#define SMB2_CREATE_FLAG_REPARSEPOINT 0x01
/* CLOSE Flags (2.2.15) */
#define SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB 0x0001
/* READ Flags (2.2.19, 2.2.20) */
#define SMB2_READFLAG_READ_UNBUFFERED 0x01
#define SMB2_READFLAG_REQUEST_COMPRESSED 0x02
#define SMB2_READFLAG_RESPONSE_NONE 0x00000000
#define SMB2_READFLAG_RESPONSE_RDMA_TRANSFORM 0x00000001
/* Channel (2.2.19, 2.2.21) */
#define SMB2_CHANNEL_NONE 0x00000000
#define SMB2_CHANNEL_RDMA_V1 0x00000001
#define SMB2_CHANNEL_RDMA_V1_INVALIDATE 0x00000002
#define SMB2_CHANNEL_RDMA_TRANSFORM 0x00000003
/* WRITE Flags (2.2.21) */
#define SMB2_WRITEFLAG_WRITE_THROUGH 0x00000001
#define SMB2_WRITEFLAG_WRITE_UNBUFFERED 0x00000002
/* LOCK element Flags (2.2.26.1) */
#define SMB2_LOCKFLAG_SHARED_LOCK 0x00000001
#define SMB2_LOCKFLAG_EXCLUSIVE_LOCK 0x00000002
#define SMB2_LOCKFLAG_UNLOCK 0x00000004
#define SMB2_LOCKFLAG_FAIL_IMMEDIATELY 0x00000010
/* QUERY_DIRECTORY Flags (2.2.33) */
#define SMB2_RESTART_SCANS 0x01
#define SMB2_RETURN_SINGLE_ENTRY 0x02
#define SMB2_INDEX_SPECIFIED 0x04
#define SMB2_REOPEN 0x10
/* CHANGE_NOTIFY Flags and CompletionFilter (2.2.35) */
#define SMB2_WATCH_TREE 0x0001
#define FILE_NOTIFY_CHANGE_FILE_NAME 0x00000001
#define FILE_NOTIFY_CHANGE_DIR_NAME 0x00000002
#define FILE_NOTIFY_CHANGE_ATTRIBUTES 0x00000004
#define FILE_NOTIFY_CHANGE_SIZE 0x00000008
#define FILE_NOTIFY_CHANGE_LAST_WRITE 0x00000010
#define FILE_NOTIFY_CHANGE_LAST_ACCESS 0x00000020
#define FILE_NOTIFY_CHANGE_CREATION 0x00000040
#define FILE_NOTIFY_CHANGE_EA 0x00000080
#define FILE_NOTIFY_CHANGE_SECURITY 0x00000100
#define FILE_NOTIFY_CHANGE_STREAM_NAME 0x00000200
#define FILE_NOTIFY_CHANGE_STREAM_SIZE 0x00000400
#define FILE_NOTIFY_CHANGE_STREAM_WRITE 0x00000800
/* QUERY_INFO / SET_INFO InfoType (2.2.37) */
#define SMB2_0_INFO_FILE 0x01
#define SMB2_0_INFO_FILESYSTEM 0x02
#define SMB2_0_INFO_SECURITY 0x03
#define SMB2_0_INFO_QUOTA 0x04
/* QUERY_INFO Flags */
#define SL_RESTART_SCAN 0x00000001
#define SL_RETURN_SINGLE_ENTRY 0x00000002
#define SL_INDEX_SPECIFIED 0x00000004
/* Lease break notification Flags (2.2.23.2) */
#define SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED 0x00000001

/* Header-relative offset of the variable part of each response. */
#define WIRE_READ_DATA_OFFSET (SMB2_HDR_LEN + 16)   /* 80 */
#define WIRE_OUTPUT_BUFFER_OFFSET (SMB2_HDR_LEN + 8) /* 72: QUERY_DIRECTORY, CHANGE_NOTIFY, QUERY_INFO */
#define WIRE_CREATE_RSP_FIXED 88

/* CREATE (2.2.13) */
struct wire_create_req {
	uint8_t security_flags;
	uint8_t requested_oplock_level;
	uint32_t impersonation_level;
	uint64_t smb_create_flags;
	uint32_t desired_access;
	uint32_t file_attributes;
	uint32_t share_access;
	uint32_t create_disposition;
	uint32_t create_options;
	const uint8_t *name; /* UTF-16LE, relative to the share; NULL when empty */
	size_t name_len;     /* bytes, even */
	struct wire_create_ctx_list ctx;
};
/* Checks StructureSize 57, that the name (even length) and the context area
 * (8-byte aligned start) lie in the message after the fixed part, and parses
 * the context chain (wire_create_ctx_parse). STATUS_INVALID_PARAMETER on any
 * violation. Semantic checks (disposition, impersonation level, option
 * combinations) are the command's. */
NTSTATUS wire_create_req_decode(const uint8_t *msg, size_t len, struct wire_create_req *q);

/* CREATE response (2.2.14) */
struct wire_create_rsp {
	uint8_t oplock_level;
	uint8_t flags;
	uint32_t create_action;
	uint64_t creation_time, last_access_time, last_write_time, change_time;
	uint64_t allocation_size, end_of_file;
	uint32_t file_attributes;
	uint64_t fid_persistent, fid_volatile;
};
/* Writes the 88-byte fixed part with no contexts and sets up cw so contexts
 * can be appended with wire_cctx_add*() (wire/create_ctx.h). */
void wire_create_rsp_encode(struct wr *w, const struct wire_create_rsp *r, struct wire_cctx_writer *cw);

/* CLOSE (2.2.15, 2.2.16) */
struct wire_close_req {
	uint16_t flags; /* SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB */
	uint64_t fid_persistent, fid_volatile;
};
NTSTATUS wire_close_req_decode(const uint8_t *msg, size_t len, struct wire_close_req *q);
struct wire_close_rsp {
	uint16_t flags; /* SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB: the fields below are sent, zeros otherwise */
	uint64_t creation_time, last_access_time, last_write_time, change_time;
	uint64_t allocation_size, end_of_file;
	uint32_t file_attributes;
};
void wire_close_rsp_encode(struct wr *w, const struct wire_close_rsp *r);

/* FLUSH (2.2.17, 2.2.18) */
struct wire_flush_req {
	uint64_t fid_persistent, fid_volatile;
};
NTSTATUS wire_flush_req_decode(const uint8_t *msg, size_t len, struct wire_flush_req *q);
/* FLUSH, LOCK responses: StructureSize 4, Reserved. */
void wire_flush_rsp_encode(struct wr *w);
void wire_lock_rsp_encode(struct wr *w);

/* READ (2.2.19, 2.2.20) */
struct wire_read_req {
	uint8_t padding; /* requested data offset in the response */
	uint8_t flags;	 /* SMB2_READFLAG_* */
	uint32_t length;
	uint64_t offset;
	uint64_t fid_persistent, fid_volatile;
	uint32_t minimum_count;
	uint32_t channel;
	uint32_t remaining_bytes;
	const uint8_t *channel_info; /* ReadChannelInfo, NULL when empty */
	size_t channel_info_len;
};
NTSTATUS wire_read_req_decode(const uint8_t *msg, size_t len, struct wire_read_req *q);
/* The 16-byte fixed part only, DataOffset 80: the data_len bytes are sent
 * from another buffer right after it (no copy). */
void wire_read_rsp_encode_fixed(struct wr *w, uint32_t data_len, uint32_t data_remaining, uint32_t flags);
/* Accounts for n data bytes the caller already put after the fixed part
 * (and `padding`); when that variable part is empty, writes the one byte
 * StructureSize 17 counts ([MS-SMB2] 2.2.20). */
void wire_read_rsp_data_placed(struct wr *w, size_t n, uint8_t padding);
/* The same with `padding` zero bytes between the fixed part and the data. */
void wire_read_rsp_encode_padded(struct wr *w, uint8_t padding, uint32_t data_len, uint32_t data_remaining,
				 uint32_t flags);
/* Fixed part followed by the data. */
void wire_read_rsp_encode(struct wr *w, const uint8_t *data, uint32_t data_len, uint32_t data_remaining);

/* WRITE (2.2.21, 2.2.22) */
struct wire_write_req {
	uint64_t offset;
	uint64_t fid_persistent, fid_volatile;
	uint32_t channel;
	uint32_t remaining_bytes;
	uint32_t flags;	    /* SMB2_WRITEFLAG_* */
	const uint8_t *data; /* a slice of the message, NULL when empty */
	size_t data_len;
	const uint8_t *channel_info;
	size_t channel_info_len;
};
NTSTATUS wire_write_req_decode(const uint8_t *msg, size_t len, struct wire_write_req *q);
void wire_write_rsp_encode(struct wr *w, uint32_t count, uint32_t remaining);

/* OPLOCK_BREAK (2.2.23-2.2.25) */
struct wire_oplock_break {
	uint8_t oplock_level;
	uint64_t fid_persistent, fid_volatile;
};
struct wire_lease_break_notify {
	uint16_t new_epoch;
	uint32_t flags; /* SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED */
	uint8_t lease_key[16];
	uint32_t current_lease_state, new_lease_state;
	uint32_t break_reason, access_mask_hint, share_mask_hint;
};
struct wire_lease_break_ack { /* acknowledgment and response */
	uint32_t flags;
	uint8_t lease_key[16];
	uint32_t lease_state;
	uint64_t lease_duration;
};
/* An acknowledgment is an oplock ack (StructureSize 24: *is_lease false,
 * *ob filled) or a lease ack (StructureSize 36: *is_lease true, *lb filled). */
NTSTATUS wire_oplock_break_ack_decode(const uint8_t *msg, size_t len, bool *is_lease, struct wire_oplock_break *ob,
				      struct wire_lease_break_ack *lb);
/* The oplock break notification and response share one 24-byte layout. */
void wire_oplock_break_encode(struct wr *w, const struct wire_oplock_break *ob);
void wire_lease_break_notify_encode(struct wr *w, const struct wire_lease_break_notify *n);
void wire_lease_break_rsp_encode(struct wr *w, const struct wire_lease_break_ack *a);

/* LOCK (2.2.26) */
struct wire_lock_element {
	uint64_t offset, length;
	uint32_t flags; /* SMB2_LOCKFLAG_* */
};
struct wire_lock_req {
	uint16_t lock_count; /* >= 1 */
	uint8_t lock_sequence_number;  /* low 4 bits of the LockSequence field */
	uint32_t lock_sequence_index;  /* high 28 bits */
	uint64_t fid_persistent, fid_volatile;
	const uint8_t *locks; /* lock_count elements of 24 bytes inside the message */
};
/* LockCount 0 or elements past the message: STATUS_INVALID_PARAMETER. */
NTSTATUS wire_lock_req_decode(const uint8_t *msg, size_t len, struct wire_lock_req *q);
/* Element i < lock_count of a decoded request. */
struct wire_lock_element wire_lock_req_element(const struct wire_lock_req *q, unsigned i);

/* QUERY_DIRECTORY (2.2.33) */
struct wire_query_directory_req {
	uint8_t info_class; /* FileIdBothDirectoryInformation ... (wire/fileinfo.h) */
	uint8_t flags;	    /* SMB2_RESTART_SCANS ... */
	uint32_t file_index;
	uint64_t fid_persistent, fid_volatile;
	const uint8_t *pattern; /* UTF-16LE search pattern, NULL when empty */
	size_t pattern_len;	/* bytes, even */
	uint32_t output_buffer_length;
};
NTSTATUS wire_query_directory_req_decode(const uint8_t *msg, size_t len, struct wire_query_directory_req *q);

/* CHANGE_NOTIFY (2.2.35) */
struct wire_change_notify_req {
	uint16_t flags; /* SMB2_WATCH_TREE */
	uint32_t output_buffer_length;
	uint64_t fid_persistent, fid_volatile;
	uint32_t completion_filter; /* FILE_NOTIFY_CHANGE_* */
};
NTSTATUS wire_change_notify_req_decode(const uint8_t *msg, size_t len, struct wire_change_notify_req *q);

/* QUERY_INFO (2.2.37) */
struct wire_query_info_req {
	uint8_t info_type;  /* SMB2_0_INFO_* */
	uint8_t info_class; /* FileInfoClass */
	uint32_t output_buffer_length;
	const uint8_t *input; /* InputBuffer, NULL when empty */
	size_t input_len;
	uint32_t additional_information;
	uint32_t flags; /* SL_* */
	uint64_t fid_persistent, fid_volatile;
};
NTSTATUS wire_query_info_req_decode(const uint8_t *msg, size_t len, struct wire_query_info_req *q);

/* SET_INFO (2.2.39, 2.2.40) */
struct wire_set_info_req {
	uint8_t info_type;
	uint8_t info_class;
	const uint8_t *buf; /* NULL when empty */
	size_t buf_len;
	uint32_t additional_information;
	uint64_t fid_persistent, fid_volatile;
};
NTSTATUS wire_set_info_req_decode(const uint8_t *msg, size_t len, struct wire_set_info_req *q);
void wire_set_info_rsp_encode(struct wr *w);

/* QUERY_DIRECTORY, CHANGE_NOTIFY and QUERY_INFO responses (2.2.34, 2.2.36,
 * 2.2.38) share one shape: StructureSize 9, OutputBufferOffset (72),
 * OutputBufferLength, Buffer. One shot: */
void wire_query_directory_rsp_encode(struct wr *w, const uint8_t *out, size_t out_len);
void wire_change_notify_rsp_encode(struct wr *w, const uint8_t *out, size_t out_len);
void wire_query_info_rsp_encode(struct wr *w, const uint8_t *out, size_t out_len);
/* Or in place: begin writes the 8 fixed bytes and returns their position; the
 * output is then written at w->pos (header offset 72), e.g. with
 * wire_dirent_append(); end patches OutputBufferLength (and writes the one
 * zero byte the Buffer needs when the output is empty). */
size_t wire_out_rsp_begin(struct wr *w);
void wire_out_rsp_end(struct wr *w, size_t begin);

#endif
