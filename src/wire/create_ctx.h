/* SMB2 CREATE contexts ([MS-SMB2] 2.2.13.2, 2.2.14.2): the strict parser of a
 * request's context chain, decoders of the context payloads the server acts
 * on, and the writer that chains response contexts. Pure codec: no state. */
#ifndef SMB3D_WIRE_CREATE_CTX_H
#define SMB3D_WIRE_CREATE_CTX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ntstatus.h"
#include "base/rdwr.h"

/* Context names (4-byte tags as they appear on the wire). */
#define SMB2_CREATE_EA_BUFFER "ExtA"
#define SMB2_CREATE_SD_BUFFER "SecD"
#define SMB2_CREATE_DURABLE_HANDLE_REQUEST "DHnQ"
#define SMB2_CREATE_DURABLE_HANDLE_RECONNECT "DHnC"
#define SMB2_CREATE_ALLOCATION_SIZE "AlSi"
#define SMB2_CREATE_QUERY_MAXIMAL_ACCESS_REQUEST "MxAc"
#define SMB2_CREATE_TIMEWARP_TOKEN "TWrp"
#define SMB2_CREATE_QUERY_ON_DISK_ID "QFid"
#define SMB2_CREATE_REQUEST_LEASE "RqLs"
#define SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2 "DH2Q"
#define SMB2_CREATE_DURABLE_HANDLE_RECONNECT_V2 "DH2C"
#define SMB2_CREATE_AAPL "AAPL"
#define SMB2_CREATE_DURABLE_HANDLE_RESPONSE "DHnQ"
#define SMB2_CREATE_QUERY_MAXIMAL_ACCESS_RESPONSE "MxAc"
#define SMB2_CREATE_RESPONSE_LEASE "RqLs"
#define SMB2_CREATE_DURABLE_HANDLE_RESPONSE_V2 "DH2Q"
/* 16-byte GUID names, byte order as on the wire */
extern const uint8_t SMB2_CREATE_APP_INSTANCE_ID[16];
extern const uint8_t SMB2_CREATE_APP_INSTANCE_VERSION[16];
extern const uint8_t SVHDX_OPEN_DEVICE_CONTEXT[16];
extern const uint8_t SMB2_CREATE_POSIX_CONTEXT[16];

enum wire_cctx_id {
	WIRE_CCTX_UNKNOWN = 0,
	WIRE_CCTX_EXTA,
	WIRE_CCTX_SECD,
	WIRE_CCTX_DHNQ,
	WIRE_CCTX_DHNC,
	WIRE_CCTX_ALSI,
	WIRE_CCTX_MXAC,
	WIRE_CCTX_TWRP,
	WIRE_CCTX_QFID,
	WIRE_CCTX_RQLS,
	WIRE_CCTX_DH2Q,
	WIRE_CCTX_DH2C,
	WIRE_CCTX_AAPL,
	WIRE_CCTX_APP_INSTANCE_ID,
	WIRE_CCTX_APP_INSTANCE_VERSION,
	WIRE_CCTX_SVHDX_OPEN_DEVICE,
	WIRE_CCTX_POSIX,
};

/* SMB2_CREATE_REQUEST_LEASE(_V2) fields ([MS-SMB2] 2.2.13.2.8, 2.2.13.2.10) */
#define SMB2_LEASE_NONE 0x00
#define SMB2_LEASE_READ_CACHING 0x01
#define SMB2_LEASE_HANDLE_CACHING 0x02
#define SMB2_LEASE_WRITE_CACHING 0x04
#define SMB2_LEASE_FLAG_BREAK_IN_PROGRESS 0x00000002
#define SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET 0x00000004
/* SMB2_CREATE_DURABLE_HANDLE_REQUEST_V2 Flags */
#define SMB2_DHANDLE_FLAG_PERSISTENT 0x00000002

/* More contexts than this in one request is refused as malformed. */
#define WIRE_CREATE_CTX_MAX 64

struct wire_create_ctx {
	enum wire_cctx_id id;	/* WIRE_CCTX_UNKNOWN for names we do not know */
	const uint8_t *name;
	uint16_t name_len;
	const uint8_t *data;	/* NULL when data_len is 0 */
	uint32_t data_len;
};

struct wire_create_ctx_list {
	unsigned n;
	struct wire_create_ctx c[WIRE_CREATE_CTX_MAX];
};

/* Parses the CreateContextsOffset/Length area of a request. The area must
 * start 8-byte aligned in the message (header-relative), which the caller
 * checks; here every Next is a multiple of 8 and at least 16, lands inside the
 * area with room for a context header, and each context's name (non-empty)
 * and data lie inside that context. STATUS_INVALID_PARAMETER otherwise, or
 * when there are more than WIRE_CREATE_CTX_MAX contexts. */
NTSTATUS wire_create_ctx_parse(const uint8_t *area, size_t len, struct wire_create_ctx_list *l);

/* The first context with that id, or NULL; *count (optional) gets how many
 * there are (duplicates are the caller's decision). */
const struct wire_create_ctx *wire_create_ctx_find(const struct wire_create_ctx_list *l, enum wire_cctx_id id,
						   unsigned *count);

/* Payload decoders. Each returns STATUS_INVALID_PARAMETER when the data
 * length does not match the layout. */
/* MxAc: empty, or an 8-byte Timestamp. */
NTSTATUS wire_cctx_mxac_decode(const struct wire_create_ctx *c, bool *has_timestamp, uint64_t *timestamp);
/* AlSi (AllocationSize) and TWrp (Timestamp): exactly 8 bytes. */
NTSTATUS wire_cctx_u64_decode(const struct wire_create_ctx *c, uint64_t *v);

struct wire_lease {
	uint8_t key[16];
	uint32_t state;	   /* SMB2_LEASE_*_CACHING */
	uint32_t flags;	   /* SMB2_LEASE_FLAG_* */
	uint64_t duration; /* reserved: 0 */
	bool v2;	   /* the fields below are valid */
	uint8_t parent_key[16];
	uint16_t epoch;
};
/* RqLs: 32 bytes (v1) or 52 bytes (v2). */
NTSTATUS wire_cctx_rqls_decode(const struct wire_create_ctx *c, struct wire_lease *l);

struct wire_durable {
	uint64_t fid_persistent, fid_volatile; /* DHnC, DH2C */
	uint32_t timeout;		       /* DH2Q */
	uint32_t flags;			       /* DH2Q, DH2C: SMB2_DHANDLE_FLAG_PERSISTENT */
	uint8_t create_guid[16];	       /* DH2Q, DH2C */
};
/* DHnQ: 16 reserved bytes. */
NTSTATUS wire_cctx_dhnq_decode(const struct wire_create_ctx *c);
/* DHnC: 16 bytes (FileId). */
NTSTATUS wire_cctx_dhnc_decode(const struct wire_create_ctx *c, struct wire_durable *d);
/* DH2Q: 32 bytes (Timeout, Flags, Reserved, CreateGuid). */
NTSTATUS wire_cctx_dh2q_decode(const struct wire_create_ctx *c, struct wire_durable *d);
/* DH2C: 36 bytes (FileId, CreateGuid, Flags). */
NTSTATUS wire_cctx_dh2c_decode(const struct wire_create_ctx *c, struct wire_durable *d);
/* SMB2_CREATE_APP_INSTANCE_ID: StructureSize 20, Reserved, AppInstanceId. */
NTSTATUS wire_cctx_app_instance_id_decode(const struct wire_create_ctx *c, uint8_t id[16]);
/* SMB2_CREATE_APP_INSTANCE_VERSION: StructureSize 24, ..., High, Low. */
NTSTATUS wire_cctx_app_instance_version_decode(const struct wire_create_ctx *c, uint64_t *high, uint64_t *low);
/* ExtA holds a FILE_FULL_EA_INFORMATION chain: see wire_full_ea_decode() in
 * wire/fileinfo.h. SecD holds a self-relative security descriptor: see
 * wire_sd_decode() in wire/security.h. */

/* Chains response contexts after the CREATE response's fixed part. Each
 * context starts 8-byte aligned (header-relative: w covers the whole
 * response), the previous context's Next and the response's
 * CreateContextsOffset/Length are patched as contexts are added. Overflowing
 * w marks it bad (sticky), like every encoder. */
struct wire_cctx_writer {
	size_t rsp_start; /* position of the CREATE response StructureSize */
	size_t first;	  /* position of the first context */
	size_t last;	  /* position of the last context */
	unsigned n;
};

void wire_cctx_add(struct wr *w, struct wire_cctx_writer *cw, const uint8_t *name, size_t name_len,
		   const uint8_t *data, size_t data_len);
/* MxAc response: QueryStatus, MaximalAccess. */
void wire_cctx_add_mxac(struct wr *w, struct wire_cctx_writer *cw, NTSTATUS query_status, uint32_t maximal_access);
/* QFid response: DiskFileId, VolumeId, 16 reserved bytes. */
void wire_cctx_add_qfid(struct wr *w, struct wire_cctx_writer *cw, uint64_t disk_file_id, uint64_t volume_id);
/* RqLs response, v1 (32 bytes) or v2 (52 bytes) after l->v2. */
void wire_cctx_add_lease(struct wr *w, struct wire_cctx_writer *cw, const struct wire_lease *l);
/* DHnQ response: 8 reserved bytes. */
void wire_cctx_add_dhnq(struct wr *w, struct wire_cctx_writer *cw);
/* DH2Q response: Timeout, Flags. */
void wire_cctx_add_dh2q(struct wr *w, struct wire_cctx_writer *cw, uint32_t timeout, uint32_t flags);

#endif
