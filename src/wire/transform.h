/* Pure codec for the 52-byte SMB2 TRANSFORM_HEADER ([MS-SMB2] 2.2.41) that
 * precedes every encrypted message, with the receive-side checks of 3.3.5.2.1.1.
 * No crypto and no allocation here; see conn/smb2_crypto for the AEAD. */
#ifndef SMB3D_WIRE_TRANSFORM_H
#define SMB3D_WIRE_TRANSFORM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define SMB2_TRANSFORM_PROTO 0x424D53FD /* 0xFD 'S' 'M' 'B' read LE */
#define SMB2_TRANSFORM_HDR_LEN 52
/* Flags (3.1.1) and EncryptionAlgorithm (3.0.x) share one field; the only
 * value either dialect defines is 1 (Encrypted / SMB2_ENCRYPTION_AES128_CCM). */
#define SMB2_TRANSFORM_FLAG_ENCRYPTED 0x0001
/* The AEAD's associated data: Nonce through SessionId, header bytes 20..51. */
#define SMB2_TRANSFORM_AAD_OFF 20
#define SMB2_TRANSFORM_AAD_LEN 32

struct smb2_transform_hdr {
	uint8_t signature[16];
	uint8_t nonce[16];
	uint32_t original_size;
	uint16_t flags;
	uint64_t session_id;
};

/* Decodes the first 52 bytes of buf. False (and *out zeroed) when buf is
 * shorter than 52 bytes, ProtocolId is not 0xFD 'S' 'M' 'B', or
 * Flags/EncryptionAlgorithm is not 0x0001 (3.3.5.2.1.1: the server MUST
 * disconnect). Reserved is ignored on receipt as 2.2.41 says; it is covered
 * by the AEAD tag anyway. */
bool wire_transform_decode(const uint8_t *buf, size_t len, struct smb2_transform_hdr *out);

/* Writes all 52 bytes: ProtocolId, the fields of h, Reserved = 0. */
void wire_transform_encode(const struct smb2_transform_hdr *h, uint8_t out[52]);

#endif
