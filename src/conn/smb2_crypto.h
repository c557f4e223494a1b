/* SMB2/3 message crypto: SP800-108 key derivation, signing (HMAC-SHA256,
 * AES-CMAC, AES-GMAC), the encryption transform (AES-CCM/GCM, 128 and 256) and
 * the 3.1.1 pre-auth integrity hash. [MS-SMB2] 3.1.4.1-3.1.4.3, 3.2.4.1.8,
 * 3.3.5.2.1.1, 3.3.5.5.3. All primitives come from OpenSSL 3 EVP; thread-safe. */
#ifndef SMB3D_CONN_SMB2_CRYPTO_H
#define SMB3D_CONN_SMB2_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/uio.h>

/* = 3.1.1 SMB2_SIGNING_CAPABILITIES SigningAlgorithmId */
enum smb2_sign_algo { SMB2_SIGN_HMAC_SHA256 = 0, SMB2_SIGN_AES_CMAC = 1, SMB2_SIGN_AES_GMAC = 2 };
/* = SMB2_ENCRYPTION_CAPABILITIES Cipher ids */
enum smb2_cipher {
	SMB2_CIPHER_NONE = 0,
	SMB2_CIPHER_AES128_CCM = 1,
	SMB2_CIPHER_AES128_GCM = 2,
	SMB2_CIPHER_AES256_CCM = 3,
	SMB2_CIPHER_AES256_GCM = 4,
};

size_t smb2_cipher_key_len(enum smb2_cipher c);   /* 16 or 32; 0 for NONE or unknown */
size_t smb2_cipher_nonce_len(enum smb2_cipher c); /* 11 for CCM, 12 for GCM; 0 otherwise */

/* SP800-108 counter mode with HMAC-SHA256, r = 32, L = out_len * 8 (3.1.4.2):
 * K(i) = HMAC(key, [i]32 || label || 0x00 || context || [L]32). The label and
 * context are used exactly as given, so SMB callers pass their terminating NUL. */
bool smb2_kdf(const uint8_t *key, size_t key_len, const void *label, size_t label_len,
	      const void *context, size_t context_len, uint8_t *out, size_t out_len);

struct smb2_keys {
	uint8_t signing[16];     /* for 2.x this is the session key itself */
	uint8_t encrypt[32];     /* server->client ("ServerOut"/"SMBS2CCipherKey"), cipher_key_len bytes used */
	uint8_t decrypt[32];     /* client->server ("ServerIn "/"SMBC2SCipherKey") */
	uint8_t application[16];
	size_t cipher_key_len;   /* 16 or 32; 0 below 3.0 */
};

/* Session keys of 3.3.5.5.3. Session.SessionKey is the first 16 bytes of
 * session_key (zero-padded when shorter) and feeds the signing and application
 * keys; with 3.1.1 and an AES-256 cipher the cipher keys come from the full
 * session_key with L = 256 (Session.FullSessionKey). Dialects 0x0300/0x0302 use
 * the 3.0 labels and AES-128-CCM keys whatever `cipher` says; 0x0311 uses the
 * 3.1.1 labels with preauth_hash as context (a NONE cipher yields 128-bit cipher
 * keys); below 0x0300 signing = SessionKey and no cipher keys. Returns false
 * only if OpenSSL fails; the keys are then random so nothing verifies. */
bool smb2_derive_keys(uint16_t dialect, const uint8_t *session_key, size_t session_key_len,
		      const uint8_t preauth_hash[64], enum smb2_cipher cipher, struct smb2_keys *out);

/* Signature of a whole SMB2 message (header + body + any compound padding, as
 * iov gives it). The 16-byte Signature field at header offset 48 counts as zero
 * whatever it holds; iov[0] must hold the whole 64-byte header. For AES-GMAC
 * the 12-byte nonce is MessageId (LE) followed by a 32-bit LE word whose bit 0
 * is SMB2_FLAGS_SERVER_TO_REDIR from the header Flags and bit 1 is set when
 * Command is SMB2_CANCEL (3.1.4.1). */
bool smb2_sign(enum smb2_sign_algo algo, const uint8_t key[16], const struct iovec *iov, int iovcnt,
	       uint8_t sig[16]);
/* Recomputes the signature and compares it, in constant time, with the one in
 * the header. */
bool smb2_verify(enum smb2_sign_algo algo, const uint8_t key[16], const struct iovec *iov, int iovcnt);

/* Encrypts the message in `in` into `out` (same total length, at most INT_MAX;
 * `out` may be the same memory as `in`) and fills the 52-byte TRANSFORM_HEADER:
 * ProtocolId, Signature = AEAD tag, Nonce (nonce_len bytes then zeros),
 * OriginalMessageSize, Reserved 0, Flags = 0x0001, SessionId. AAD = hdr[20..52).
 * GCM streams the iovecs; CCM (OpenSSL takes CCM data in one call) first
 * gathers them into `out` and encrypts there in place. */
bool smb2_encrypt(enum smb2_cipher c, const uint8_t *key, const uint8_t *nonce, uint64_t session_id,
		  const struct iovec *in, int iovcnt, uint8_t hdr[52], uint8_t *out);
/* Decrypts data[0..len) in place using the received header. False if the header
 * does not decode, OriginalMessageSize != len, len == 0, or the tag does not
 * match; on false the buffer is wiped so no unauthenticated plaintext remains. */
bool smb2_decrypt(enum smb2_cipher c, const uint8_t *key, const uint8_t hdr[52], uint8_t *data, size_t len);

/* 3.1.1 pre-auth integrity (3.3.5.4, 3.3.5.5): hash = SHA-512(hash || message).
 * Returns false only if OpenSSL fails; the hash is then randomised so keys
 * derived from it cannot match the peer's. */
bool smb2_preauth_update(uint8_t hash[64], const struct iovec *iov, int iovcnt);

/* A per-session nonce source: random salt + 64-bit counter. Nonces never repeat
 * for one generator; smb2_nonce_next may be called from several threads at once
 * (channels of one session share its keys). Layout: counter (8 bytes LE) then
 * salt (3 bytes for CCM, 4 for GCM), the rest of the 16 bytes zero. */
struct smb2_nonce_gen {
	uint8_t salt[4];
	uint64_t counter;
};
void smb2_nonce_init(struct smb2_nonce_gen *g);
bool smb2_nonce_next(struct smb2_nonce_gen *g, enum smb2_cipher c, uint8_t nonce[16]); /* false when exhausted */

#endif
