/* NEGOTIATE request/response codecs ([MS-SMB2] 2.2.3, 2.2.4 and the 3.1.1
 * negotiate contexts 2.2.3.1.x / 2.2.4.1.x), the SMB1 multi-protocol
 * NEGOTIATE dialect list (MS-SMB2 3.3.5.3.1), and the
 * VALIDATE_NEGOTIATE_INFO payloads (2.2.31.4, 2.2.32.6). Pure codecs. */
#ifndef SMB3D_WIRE_NEGOTIATE_H
#define SMB3D_WIRE_NEGOTIATE_H

#include "base/ntstatus.h"
#include "base/rdwr.h"
#include "wire/smb2.h"

#define NEG_MAX_LIST 32 /* cap on ciphers / hash / signing algorithms we keep */

struct neg_req {
	uint16_t dialect_count;
	const uint8_t *dialects; /* dialect_count little-endian u16s */
	uint16_t security_mode;
	uint32_t capabilities;
	uint8_t client_guid[16];
	/* 3.1.1 contexts (only when the dialect list includes 0x0311) */
	uint16_t context_count;
	int n_preauth, n_encrypt, n_signing, n_compress, n_netname;
	uint16_t hash_algos[NEG_MAX_LIST];
	uint16_t n_hash_algos; /* as declared (may exceed what is kept) */
	uint16_t ciphers[NEG_MAX_LIST];
	uint16_t n_ciphers;
	uint16_t sign_algos[NEG_MAX_LIST];
	uint16_t n_sign_algos;
};

/* Decodes a NEGOTIATE request; msg/len is the whole SMB2 message (header
 * included, offsets are header-relative). Returns STATUS_INVALID_PARAMETER for
 * what the spec says to fail that way, STATUS_SUCCESS otherwise. */
NTSTATUS wire_neg_req_decode(const uint8_t *msg, size_t len, struct neg_req *q);
static inline uint16_t neg_req_dialect(const struct neg_req *q, unsigned i)
{
	return le16_at(q->dialects + 2 * i);
}

struct neg_rsp {
	uint16_t security_mode;
	uint16_t dialect;
	uint8_t server_guid[16];
	uint32_t capabilities;
	uint32_t max_transact, max_read, max_write;
	uint64_t system_time, start_time;
	const uint8_t *sec_blob;
	size_t sec_len;
	/* 3.1.1 contexts to send (only when dialect == 0x0311) */
	uint8_t preauth_salt[32];
	bool send_encrypt_ctx;
	uint16_t cipher;
	bool send_signing_ctx;
	uint16_t sign_algo;
};

/* Encodes the response body (after the 64-byte header, which w must already
 * hold at position 0..63 so that offsets are header-relative). */
void wire_neg_rsp_encode(struct wr *w, const struct neg_rsp *s);

/* SMB1 NEGOTIATE: scans the dialect strings. Returns false if the message is
 * not a well-formed SMB1 NEGOTIATE. */
struct smb1_neg {
	bool has_smb2_002; /* "SMB 2.002" */
	bool has_smb2_wild; /* "SMB 2.???" */
};
bool wire_smb1_neg_decode(const uint8_t *msg, size_t len, struct smb1_neg *out);

struct validate_neg_req {
	uint32_t capabilities;
	uint8_t guid[16];
	uint16_t security_mode;
	uint16_t dialect_count;
	const uint8_t *dialects;
};
bool wire_validate_neg_decode(const uint8_t *buf, size_t len, struct validate_neg_req *v);
void wire_validate_neg_rsp_encode(struct wr *w, uint32_t caps, const uint8_t guid[16], uint16_t sec_mode,
				  uint16_t dialect);

#endif
