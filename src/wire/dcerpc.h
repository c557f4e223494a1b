/* Connection-oriented DCE/RPC PDU codec (C706 chapter 12.6, [MS-RPCE] 2.2.2):
 * the common header, bind/alter_context, bind_ack/alter_context_resp,
 * bind_nak, request, response and fault. Pure codec: no state, no allocation;
 * little-endian ASCII IEEE data representation only; auth verifiers refused. */
#ifndef SMB3D_WIRE_DCERPC_H
#define SMB3D_WIRE_DCERPC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ntstatus.h"
#include "base/rdwr.h"

#define DCERPC_HDR_LEN 16      /* common header */
#define DCERPC_REQUEST_LEN 24  /* request header without object uuid */
#define DCERPC_RESPONSE_LEN 24 /* response header */
#define DCERPC_FAULT_LEN 32    /* whole fault PDU */
#define DCERPC_MIN_FRAG 1432   /* C706 12.6.3.1: the smallest max_recv_frag */

/* Caps on what a bind may carry; beyond them the bind is refused with
 * bind_nak local_limit_exceeded. */
#define DCERPC_MAX_CTX 16
#define DCERPC_MAX_TRANSFER 8

/* PTYPE (C706 12.6.4) */
enum dcerpc_ptype {
	DCERPC_PKT_REQUEST = 0,
	DCERPC_PKT_PING = 1,
	DCERPC_PKT_RESPONSE = 2,
	DCERPC_PKT_FAULT = 3,
	DCERPC_PKT_WORKING = 4,
	DCERPC_PKT_NOCALL = 5,
	DCERPC_PKT_REJECT = 6,
	DCERPC_PKT_ACK = 7,
	DCERPC_PKT_CL_CANCEL = 8,
	DCERPC_PKT_FACK = 9,
	DCERPC_PKT_CANCEL_ACK = 10,
	DCERPC_PKT_BIND = 11,
	DCERPC_PKT_BIND_ACK = 12,
	DCERPC_PKT_BIND_NAK = 13,
	DCERPC_PKT_ALTER_CONTEXT = 14,
	DCERPC_PKT_ALTER_CONTEXT_RESP = 15,
	DCERPC_PKT_AUTH3 = 16,
	DCERPC_PKT_SHUTDOWN = 17,
	DCERPC_PKT_CO_CANCEL = 18,
	DCERPC_PKT_ORPHANED = 19,
};

/* pfc_flags (C706 12.6.3.1, [MS-RPCE] 2.2.2.3) */
#define PFC_FIRST_FRAG 0x01
#define PFC_LAST_FRAG 0x02
#define PFC_PENDING_CANCEL 0x04
#define PFC_SUPPORT_HEADER_SIGN 0x04 /* same bit, bind/bind_ack only */
#define PFC_RESERVED_1 0x08
#define PFC_CONC_MPX 0x10
#define PFC_DID_NOT_EXECUTE 0x20
#define PFC_MAYBE 0x40
#define PFC_OBJECT_UUID 0x80

/* p_cont_def_result_t and p_provider_reason_t (C706 12.6.3.1, [MS-RPCE] 2.2.2.4) */
#define DCERPC_ACCEPTANCE 0
#define DCERPC_USER_REJECTION 1
#define DCERPC_PROVIDER_REJECTION 2
#define DCERPC_NEGOTIATE_ACK 3
#define DCERPC_REASON_NOT_SPECIFIED 0
#define DCERPC_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED 1
#define DCERPC_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED 2
#define DCERPC_REASON_LOCAL_LIMIT_EXCEEDED 3

/* Bind time feature negotiation bits ([MS-RPCE] 2.2.2.14) */
#define DCERPC_BIND_TIME_SECURITY_CONTEXT_MULTIPLEXING 0x0001
#define DCERPC_BIND_TIME_KEEP_CONNECTION_ON_ORPHAN 0x0002

/* p_reject_reason_t for bind_nak (C706 12.6.3.1) */
#define DCERPC_NAK_REASON_NOT_SPECIFIED 0
#define DCERPC_NAK_TEMPORARY_CONGESTION 1
#define DCERPC_NAK_LOCAL_LIMIT_EXCEEDED 2
#define DCERPC_NAK_PROTOCOL_VERSION_NOT_SUPPORTED 4
#define DCERPC_NAK_INVALID_AUTH_TYPE 8

/* Fault status codes (C706 appendix E, [MS-RPCE] 2.2.2.7) */
#define nca_s_op_rng_error 0x1C010002u
#define nca_s_unknown_if 0x1C010003u
#define nca_proto_error 0x1C01000Bu
#define nca_s_out_args_too_big 0x1C010013u
#define DCERPC_FAULT_ACCESS_DENIED 0x00000005u
#define DCERPC_FAULT_NDR 0x000006F7u /* RPC_X_BAD_STUB_DATA */

/* A UUID in its textual field order; on the wire the first three fields are
 * little-endian (NDR), the last eight bytes as they are. */
struct dcerpc_uuid {
	uint32_t time_low;
	uint16_t time_mid;
	uint16_t time_hi;
	uint8_t rest[8]; /* clock_seq_hi, clock_seq_low, node[6] */
};

/* p_syntax_id_t: an interface or transfer syntax with its version. */
struct dcerpc_syntax {
	struct dcerpc_uuid uuid;
	uint16_t ver_major;
	uint16_t ver_minor;
};

/* NDR20 8a885d04-1ceb-11c9-9fe8-08002b104860 v2.0 */
extern const struct dcerpc_syntax dcerpc_ndr20_syntax;
/* NDR64 71710533-beba-4937-8319-b5dbef9ccc36 v1.0 */
extern const struct dcerpc_syntax dcerpc_ndr64_syntax;

bool dcerpc_uuid_equal(const struct dcerpc_uuid *a, const struct dcerpc_uuid *b);
bool dcerpc_syntax_equal(const struct dcerpc_syntax *a, const struct dcerpc_syntax *b);
/* True (and the feature bits) for a bind time feature negotiation transfer
 * syntax 6cb71c2c-9812-4540-xxxx-xxxxxxxxxxxx v1.0. */
bool dcerpc_bind_time_features(const struct dcerpc_syntax *s, uint16_t *features);

struct dcerpc_hdr {
	uint8_t rpc_vers, rpc_vers_minor;
	uint8_t ptype;
	uint8_t pfc_flags;
	uint8_t drep[4];
	uint16_t frag_length;
	uint16_t auth_length;
	uint32_t call_id;
};

struct dcerpc_ctx_elem {
	uint16_t context_id;
	uint8_t n_transfer;
	struct dcerpc_syntax abstract;
	struct dcerpc_syntax transfer[DCERPC_MAX_TRANSFER];
};

/* bind and alter_context */
struct dcerpc_bind {
	uint16_t max_xmit_frag;
	uint16_t max_recv_frag;
	uint32_t assoc_group_id;
	uint8_t n_ctx;
	struct dcerpc_ctx_elem ctx[DCERPC_MAX_CTX];
};

struct dcerpc_result {
	uint16_t result;
	uint16_t reason; /* the acknowledged feature bits for DCERPC_NEGOTIATE_ACK */
	struct dcerpc_syntax transfer;
};

/* bind_ack and alter_context_resp */
struct dcerpc_bind_ack {
	uint16_t max_xmit_frag;
	uint16_t max_recv_frag;
	uint32_t assoc_group_id;
	const char *sec_addr; /* port_spec, e.g. "\\PIPE\\srvsvc"; "" for none */
	uint8_t n_results;
	struct dcerpc_result results[DCERPC_MAX_CTX];
};

struct dcerpc_bind_nak {
	uint16_t reject_reason;
	uint8_t n_versions; /* decode: as sent; encode: always one version, 5.0 */
};

struct dcerpc_request {
	uint32_t alloc_hint;
	uint16_t context_id;
	uint16_t opnum;
	bool has_object;
	struct dcerpc_uuid object;
	const uint8_t *stub; /* slice of the PDU */
	size_t stub_len;
};

struct dcerpc_response {
	uint32_t alloc_hint;
	uint16_t context_id;
	uint8_t cancel_count;
	const uint8_t *stub;
	size_t stub_len;
};

struct dcerpc_fault {
	uint32_t alloc_hint;
	uint16_t context_id;
	uint8_t cancel_count;
	uint8_t flags;
	uint32_t status;
};

struct dcerpc_pdu {
	struct dcerpc_hdr hdr;
	union {
		struct dcerpc_bind bind;	 /* BIND, ALTER_CONTEXT */
		struct dcerpc_bind_ack bind_ack; /* BIND_ACK, ALTER_CONTEXT_RESP */
		struct dcerpc_bind_nak bind_nak;
		struct dcerpc_request request;
		struct dcerpc_response response;
		struct dcerpc_fault fault;
	} u;
};

/* Decodes the 16-byte common header from the first len bytes (len may cover
 * only the header). STATUS_INVALID_PARAMETER if short or frag_length < 16;
 * STATUS_NOT_SUPPORTED for a version other than 5.0/5.1 or a data
 * representation other than little-endian/ASCII/IEEE (the header is still
 * filled in, with frag_length read as little-endian). */
NTSTATUS dcerpc_hdr_decode(const uint8_t *buf, size_t len, struct dcerpc_hdr *h);

/* Decodes one whole PDU of exactly len bytes (len must equal frag_length).
 * Body fields of BIND, ALTER_CONTEXT, BIND_ACK, ALTER_CONTEXT_RESP, BIND_NAK,
 * REQUEST, RESPONSE and FAULT are filled in; other types decode the header
 * only. Slices point into pdu. Returns STATUS_INVALID_PARAMETER for malformed
 * PDUs, STATUS_NOT_SUPPORTED for unsupported representations or an auth
 * verifier (auth_length != 0), STATUS_INSUFFICIENT_RESOURCES for a bind beyond
 * DCERPC_MAX_CTX/DCERPC_MAX_TRANSFER. */
NTSTATUS dcerpc_pdu_decode(const uint8_t *pdu, size_t len, struct dcerpc_pdu *out);

/* Encoders write one whole PDU at w's position and patch its frag_length.
 * h supplies ptype, pfc_flags and call_id; version 5.0, little-endian drep
 * and auth_length 0 are always written. A writer that would overflow goes
 * bad (nothing is valid then). */
void dcerpc_bind_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_bind *b);
void dcerpc_bind_ack_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_bind_ack *a);
void dcerpc_bind_nak_encode(struct wr *w, const struct dcerpc_hdr *h, uint16_t reject_reason);
void dcerpc_request_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_request *q);
void dcerpc_response_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_response *r);
void dcerpc_fault_encode(struct wr *w, const struct dcerpc_hdr *h, const struct dcerpc_fault *f);

#endif
