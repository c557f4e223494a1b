/* Codecs for the input and output buffers of the file-system controls that
 * SMB2 IOCTL carries ([MS-SMB2] 2.2.31.1-2.2.32.5, [MS-FSCC] 2.3). Input
 * decoders validate sizes and return slices into the caller's buffer; output
 * encoders write through a bounded writer. No state, no I/O. */
#ifndef SMB3D_WIRE_FSCTL_H
#define SMB3D_WIRE_FSCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ntstatus.h"
#include "base/rdwr.h"

/* Control codes ([MS-FSCC] 2.3, [MS-SMB2] 2.2.31) */
#define FSCTL_GET_COMPRESSION 0x0009003C
#define FSCTL_SET_COMPRESSION 0x0009C040
#define FSCTL_GET_OBJECT_ID 0x0009009C
#define FSCTL_GET_REPARSE_POINT 0x000900A8
#define FSCTL_CREATE_OR_GET_OBJECT_ID 0x000900C0
#define FSCTL_SET_SPARSE 0x000900C4
#define FSCTL_SET_ZERO_DATA 0x000980C8
#define FSCTL_QUERY_ALLOCATED_RANGES 0x000940CF
#define FSCTL_FILE_LEVEL_TRIM 0x00098208
#define FSCTL_DUPLICATE_EXTENTS_TO_FILE 0x00098344
#define FSCTL_PIPE_PEEK 0x0011400C
#define FSCTL_DFS_GET_REFERRALS 0x00060194
#define FSCTL_DFS_GET_REFERRALS_EX 0x000601B0
#define FSCTL_PIPE_WAIT 0x00110018
#define FSCTL_PIPE_TRANSCEIVE 0x0011C017
#define FSCTL_SRV_ENUMERATE_SNAPSHOTS 0x00144064
#define FSCTL_SRV_REQUEST_RESUME_KEY 0x00140078
#define FSCTL_SRV_COPYCHUNK 0x001440F2
#define FSCTL_SRV_COPYCHUNK_WRITE 0x001480F2
#define FSCTL_QUERY_NETWORK_INTERFACE_INFO 0x001401FC
/* The access a control code itself demands (its RequiredAccess bits):
 * FILE_READ_DATA and FILE_WRITE_DATA on the handle. */
#define FSCTL_ACCESS_READ 0x00004000
#define FSCTL_ACCESS_WRITE 0x00008000

#define COMPRESSION_FORMAT_NONE 0x0000
#define COMPRESSION_FORMAT_DEFAULT 0x0001
#define COMPRESSION_FORMAT_LZNT1 0x0002

/* [MS-SMB2] 2.2.31.1 SRV_COPYCHUNK_COPY: a 24-byte key and ChunkCount
 * 24-byte SRV_COPYCHUNK entries. */
#define WIRE_RESUME_KEY_LEN 24
#define WIRE_COPYCHUNK_RSP_LEN 12
struct wire_copychunk_req {
	const uint8_t *source_key; /* 24 bytes */
	uint32_t chunk_count;
	const uint8_t *chunks; /* chunk_count * 24 bytes */
};
struct wire_chunk {
	uint64_t source_offset, target_offset;
	uint32_t length;
};
NTSTATUS wire_copychunk_req_decode(const uint8_t *in, size_t len, struct wire_copychunk_req *q);
/* Chunk i < q->chunk_count. */
void wire_copychunk_chunk(const struct wire_copychunk_req *q, uint32_t i, struct wire_chunk *c);
/* 2.2.32.1 SRV_COPYCHUNK_RESPONSE */
void wire_copychunk_rsp_encode(struct wr *w, uint32_t chunks_written, uint32_t chunk_bytes_written,
			       uint32_t total_bytes_written);
/* 2.2.32.3 SRV_REQUEST_RESUME_KEY response: the key, ContextLength 0 and
 * four zero bytes of Context (what Windows sends): 32 bytes. */
#define WIRE_RESUME_KEY_RSP_LEN 32
void wire_resume_key_rsp_encode(struct wr *w, const uint8_t key[WIRE_RESUME_KEY_LEN]);

/* [MS-FSCC] 2.3.8 DUPLICATE_EXTENTS_DATA (40 bytes) */
struct wire_dup_extents_req {
	uint64_t fid_persistent, fid_volatile;
	uint64_t source_offset, target_offset, byte_count;
};
NTSTATUS wire_dup_extents_req_decode(const uint8_t *in, size_t len, struct wire_dup_extents_req *q);

/* [MS-FSCC] 2.3.67 FILE_ZERO_DATA_INFORMATION (16 bytes) */
struct wire_zero_data_req {
	uint64_t file_offset, beyond_final_zero;
};
NTSTATUS wire_zero_data_req_decode(const uint8_t *in, size_t len, struct wire_zero_data_req *q);

/* [MS-FSCC] 2.3.52 FILE_ALLOCATED_RANGE_BUFFER (16 bytes; a longer input
 * is accepted, as Windows does). The reply is an array of the same. */
#define WIRE_RANGE_LEN 16
struct wire_range {
	uint64_t offset, length;
};
NTSTATUS wire_alloc_ranges_req_decode(const uint8_t *in, size_t len, struct wire_range *q);
void wire_range_encode(struct wr *w, const struct wire_range *r);

/* [MS-FSCC] 2.3.64 FILE_SET_SPARSE_BUFFER: optional; no buffer means set.
 * Any nonzero first byte sets (a longer buffer is accepted). */
NTSTATUS wire_set_sparse_req_decode(const uint8_t *in, size_t len, bool *sparse);

/* [MS-SMB2] 2.2.31.3 NETWORK_RESILIENCY_REQUEST: Timeout (ms) and 4
 * reserved bytes; shorter is STATUS_INVALID_PARAMETER. */
#define FSCTL_LMR_REQUEST_RESILIENCY 0x001401D4
NTSTATUS wire_resiliency_req_decode(const uint8_t *in, size_t len, uint32_t *timeout_ms);

/* [MS-FSCC] 2.3.67/2.3.14 COMPRESSION_STATE: a 2-byte format. */
NTSTATUS wire_compression_req_decode(const uint8_t *in, size_t len, uint16_t *format);
void wire_compression_rsp_encode(struct wr *w, uint16_t format);

/* [MS-FSCC] 2.3.14 FSCTL_FILE_LEVEL_TRIM: Key, NumRanges and NumRanges
 * 16-byte FILE_LEVEL_TRIM_RANGEs; the reply is NumRangesProcessed. */
struct wire_trim_req {
	uint32_t key;
	uint32_t num_ranges;
	const uint8_t *ranges;
};
NTSTATUS wire_trim_req_decode(const uint8_t *in, size_t len, struct wire_trim_req *q);
void wire_trim_range(const struct wire_trim_req *q, uint32_t i, struct wire_range *r);
void wire_trim_rsp_encode(struct wr *w, uint32_t processed);

/* [MS-FSCC] 2.1.3.1 FILE_OBJECTID_BUFFER type 1 (64 bytes). */
#define WIRE_OBJECTID_LEN 64
void wire_objectid_encode(struct wr *w, const uint8_t object_id[16], const uint8_t birth_volume_id[16],
			  const uint8_t birth_object_id[16]);

/* [MS-SMB2] 2.2.32.2 SRV_SNAPSHOT_ARRAY with no snapshots: the counts and
 * an empty MULTI_SZ (one UTF-16 NUL). */
#define WIRE_EMPTY_SNAPSHOTS_LEN 14
void wire_empty_snapshots_encode(struct wr *w);

/* [MS-SMB2] 2.2.32.5 NETWORK_INTERFACE_INFO (152 bytes each). */
#define WIRE_NET_IFACE_LEN 152
#define RSS_CAPABLE 0x00000001
#define RDMA_CAPABLE 0x00000002
struct wire_net_iface {
	uint32_t ifindex;
	uint32_t capability;
	uint64_t link_speed; /* bits per second */
	bool ipv6;
	uint8_t addr[16]; /* network order; IPv4 uses the first 4 */
	uint32_t scope_id; /* not sent ([MS-SMB2] 2.2.32.5.1.2: ScopeId 0) */
};
/* Writes n entries chained through Next (0 on the last). */
void wire_net_ifaces_encode(struct wr *w, const struct wire_net_iface *ifs, size_t n);

/* [MS-FSCC] 2.3.49 FSCTL_PIPE_WAIT request: the pipe name (UTF-16LE). */
struct wire_pipe_wait_req {
	uint64_t timeout;
	bool timeout_specified;
	const uint8_t *name;
	size_t name_len;
};
NTSTATUS wire_pipe_wait_req_decode(const uint8_t *in, size_t len, struct wire_pipe_wait_req *q);

#endif
