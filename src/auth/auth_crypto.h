/* The NTLM-era primitives (MD4, MD5, HMAC-MD5, RC4, DES-ECB) through OpenSSL 3
 * EVP. MD4, RC4 and DES live in OpenSSL's legacy provider: they are fetched
 * once, thread-safely, from a private library context that loads "legacy" and
 * "default", so the process-wide default context is left untouched. */
#ifndef SMB3D_AUTH_AUTH_CRYPTO_H
#define SMB3D_AUTH_AUTH_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Loads the providers and fetches the algorithms; safe to call from any
 * thread, any number of times. Returns false (after logging once why, e.g. the
 * legacy provider module is missing) if NTLM cannot work in this process. */
bool auth_crypto_init(void);

/* One-shot digests. Each returns false only if OpenSSL fails (or init did). */
bool auth_md4(const void *data, size_t len, uint8_t out[16]);
bool auth_md5(const void *data, size_t len, uint8_t out[16]);

/* A scatter list for HMAC over several parts. */
struct auth_part {
	const void *p;
	size_t len;
};
bool auth_hmac_md5(const uint8_t *key, size_t key_len, const struct auth_part *parts, size_t n_parts,
		   uint8_t out[16]);
/* HMAC_MD5 over two parts: the common case. */
bool auth_hmac_md5_2(const uint8_t *key, size_t key_len, const void *a, size_t a_len, const void *b, size_t b_len,
		     uint8_t out[16]);

/* RC4 as a stream: the state continues from call to call (the NTLMSSP
 * sealing "handle" of [MS-NLMP] 3.4.3). The key is always 16 bytes here. */
struct auth_rc4;
struct auth_rc4 *auth_rc4_new(const uint8_t key[16]);
bool auth_rc4_apply(struct auth_rc4 *h, const uint8_t *in, uint8_t *out, size_t len);
void auth_rc4_free(struct auth_rc4 *h);
/* RC4 of a fresh key over one buffer (KEY_EXCH's EncryptedRandomSessionKey). */
bool auth_rc4_once(const uint8_t key[16], const uint8_t *in, uint8_t *out, size_t len);

/* DES-ECB of one 8-byte block with a 7-byte key expanded to 8 (odd parity),
 * as used by DESL() of [MS-NLMP] 6. */
bool auth_des7_encrypt(const uint8_t key7[7], const uint8_t in[8], uint8_t out[8]);

/* Random bytes from OpenSSL's CSPRNG. */
bool auth_random(void *buf, size_t len);

/* Constant-time equality. */
bool auth_mem_equal(const void *a, const void *b, size_t len);

/* Overwrites secrets so the compiler cannot drop the store. */
void auth_wipe(void *p, size_t len);

#endif
