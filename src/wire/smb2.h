/* SMB2 protocol constants and the 64-byte SMB2 header codec ([MS-SMB2] 2.2.1).
 * Pure codec: no I/O, no state. Constants keep the spec's spelling. */
#ifndef SMB3D_WIRE_SMB2_H
#define SMB3D_WIRE_SMB2_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/rdwr.h"

#define SMB2_PROTO 0x424D53FE /* 0xFE 'S' 'M' 'B' read as LE */
#define SMB1_PROTO 0x424D53FF /* 0xFF 'S' 'M' 'B' */
#define SMB2_HDR_LEN 64
#define SMB2_SIG_OFFSET 48

enum smb2_command {
	SMB2_NEGOTIATE = 0x00,
	SMB2_SESSION_SETUP = 0x01,
	SMB2_LOGOFF = 0x02,
	SMB2_TREE_CONNECT = 0x03,
	SMB2_TREE_DISCONNECT = 0x04,
	SMB2_CREATE = 0x05,
	SMB2_CLOSE = 0x06,
	SMB2_FLUSH = 0x07,
	SMB2_READ = 0x08,
	SMB2_WRITE = 0x09,
	SMB2_LOCK = 0x0A,
	SMB2_IOCTL = 0x0B,
	SMB2_CANCEL = 0x0C,
	SMB2_ECHO = 0x0D,
	SMB2_QUERY_DIRECTORY = 0x0E,
	SMB2_CHANGE_NOTIFY = 0x0F,
	SMB2_QUERY_INFO = 0x10,
	SMB2_SET_INFO = 0x11,
	SMB2_OPLOCK_BREAK = 0x12,
	SMB2_COMMAND_COUNT = 0x13,
};

#define SMB2_FLAGS_SERVER_TO_REDIR 0x00000001
#define SMB2_FLAGS_ASYNC_COMMAND 0x00000002
#define SMB2_FLAGS_RELATED_OPERATIONS 0x00000004
#define SMB2_FLAGS_SIGNED 0x00000008
#define SMB2_FLAGS_PRIORITY_MASK 0x00000070
#define SMB2_FLAGS_DFS_OPERATIONS 0x10000000
#define SMB2_FLAGS_REPLAY_OPERATION 0x20000000

#define SMB2_NEGOTIATE_SIGNING_ENABLED 0x0001
#define SMB2_NEGOTIATE_SIGNING_REQUIRED 0x0002

#define SMB2_GLOBAL_CAP_DFS 0x00000001
#define SMB2_GLOBAL_CAP_LEASING 0x00000002
#define SMB2_GLOBAL_CAP_LARGE_MTU 0x00000004
#define SMB2_GLOBAL_CAP_MULTI_CHANNEL 0x00000008
#define SMB2_GLOBAL_CAP_PERSISTENT_HANDLES 0x00000010
#define SMB2_GLOBAL_CAP_DIRECTORY_LEASING 0x00000020
#define SMB2_GLOBAL_CAP_ENCRYPTION 0x00000040

#define SMB2_DIALECT_202 0x0202 /* same values as config/config.h */
#define SMB2_DIALECT_210 0x0210
#define SMB2_DIALECT_300 0x0300
#define SMB2_DIALECT_302 0x0302
#define SMB2_DIALECT_311 0x0311
#define SMB2_DIALECT_WILDCARD 0x02FF

#define SMB2_PREAUTH_INTEGRITY_CAPABILITIES 0x0001
#define SMB2_ENCRYPTION_CAPABILITIES 0x0002
#define SMB2_COMPRESSION_CAPABILITIES 0x0003
#define SMB2_NETNAME_NEGOTIATE_CONTEXT_ID 0x0005
#define SMB2_TRANSPORT_CAPABILITIES 0x0006
#define SMB2_RDMA_TRANSFORM_CAPABILITIES 0x0007
#define SMB2_SIGNING_CAPABILITIES 0x0008
#define SMB2_PREAUTH_INTEGRITY_SHA512 0x0001

#define SMB2_SESSION_FLAG_BINDING 0x01
#define SMB2_SESSION_FLAG_IS_GUEST 0x0001
#define SMB2_SESSION_FLAG_IS_NULL 0x0002
#define SMB2_SESSION_FLAG_ENCRYPT_DATA 0x0004

#define SMB2_SHARE_TYPE_DISK 0x01
#define SMB2_SHARE_TYPE_PIPE 0x02
#define SMB2_SHAREFLAG_MANUAL_CACHING 0x00000000
#define SMB2_SHAREFLAG_NO_CACHING 0x00000030
#define SMB2_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM 0x00000800
#define SMB2_SHAREFLAG_ENCRYPT_DATA 0x00008000
#define SMB2_TREE_CONNECT_FLAG_EXTENSION_PRESENT 0x0004

#define FSCTL_VALIDATE_NEGOTIATE_INFO 0x00140204
#define SMB2_0_IOCTL_IS_FSCTL 0x00000001

struct smb2_hdr {
	uint16_t credit_charge;
	uint32_t status; /* ChannelSequence in 3.x requests */
	uint16_t command;
	uint16_t credits; /* CreditRequest / CreditResponse */
	uint32_t flags;
	uint32_t next_command;
	uint64_t message_id;
	uint64_t async_id; /* when SMB2_FLAGS_ASYNC_COMMAND */
	uint32_t tree_id;  /* otherwise */
	uint64_t session_id;
	uint8_t signature[16];
};

/* Decodes the header at the start of buf; false if short or not SMB2. */
bool wire_hdr_decode(const uint8_t *buf, size_t len, struct smb2_hdr *h);
/* Writes a 64-byte header (ProtocolId and StructureSize included). */
void wire_hdr_encode(const struct smb2_hdr *h, uint8_t out[SMB2_HDR_LEN]);

/* A reader over a request body, positioned after StructureSize; bad unless
 * StructureSize is `ssize`. */
struct rd wire_req_body(const uint8_t *msg, size_t len, uint16_t ssize);

/* A header-relative (off, n) area of a request, which must lie inside the
 * message at or after `min_off` (the end of the fixed part). An empty area
 * is NULL whatever its offset (clients send any offset with length 0);
 * *bad is set when the area is out of bounds. */
const uint8_t *wire_req_area(const uint8_t *msg, size_t len, size_t min_off, uint32_t off, uint32_t n, bool *bad);

/* Room for a response body whose StructureSize is odd ([MS-SMB2] 2.2: the
 * odd size counts one byte of the variable part, which is present even when
 * that part is empty): `fixed` bytes, then `var` bytes or the one pad byte.
 * Every caller that sizes such a reply before it knows whether the variable
 * part is empty uses this, so an empty buffer never overflows the reply. */
static inline size_t wire_rsp_size(size_t fixed, size_t var)
{
	return fixed + (var ? var : 1);
}

/* Error response body ([MS-SMB2] 2.2.2) with no error contexts: 9 bytes. */
void wire_error_body_encode(struct wr *w, const uint8_t *data, uint32_t len);

/* Body sizes a request must declare in its StructureSize (2.2.x), by command. */
uint16_t wire_req_structure_size(uint16_t command);

const char *smb2_command_name(uint16_t command);

#endif
