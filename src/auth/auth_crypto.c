/* NTLM-era primitives through OpenSSL 3 EVP (see auth_crypto.h). MD4, RC4 and
 * DES come from the legacy provider, loaded once into a private library
 * context. No hand-written cryptography here: only DES key-bit spreading. */
#include "auth/auth_crypto.h"

#include "base/log.h"

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>
#include <openssl/rand.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

/* Written once under pthread_once, read-only afterwards. */
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static bool crypto_ready;
static OSSL_LIB_CTX *crypto_libctx;
static EVP_MD *md_md4, *md_md5;
static EVP_MAC *mac_hmac;
static EVP_CIPHER *ciph_rc4, *ciph_des;

static void crypto_init_once(void)
{
	OSSL_LIB_CTX *ctx = OSSL_LIB_CTX_new();
	if (!ctx) {
		log_err("auth: OpenSSL could not create a library context");
		return;
	}
	if (!OSSL_PROVIDER_load(ctx, "default")) {
		log_err("auth: the OpenSSL default provider could not be loaded");
		return;
	}
	if (!OSSL_PROVIDER_load(ctx, "legacy")) {
		log_err("auth: the OpenSSL legacy provider could not be loaded; NTLM authentication needs its MD4 "
			"and RC4. Install the provider module (legacy.so, in libssl3 on Debian) or point "
			"OPENSSL_MODULES at the directory that holds it");
		return;
	}
	md_md4 = EVP_MD_fetch(ctx, "MD4", NULL);
	md_md5 = EVP_MD_fetch(ctx, "MD5", NULL);
	mac_hmac = EVP_MAC_fetch(ctx, "HMAC", NULL);
	ciph_rc4 = EVP_CIPHER_fetch(ctx, "RC4", NULL);
	ciph_des = EVP_CIPHER_fetch(ctx, "DES-ECB", NULL);
	if (!md_md4 || !md_md5 || !mac_hmac || !ciph_rc4 || !ciph_des) {
		log_err("auth: OpenSSL lacks one of MD4, MD5, HMAC, RC4, DES-ECB even with the legacy provider");
		return;
	}
	crypto_libctx = ctx;
	crypto_ready = true;
}

bool auth_crypto_init(void)
{
	if (pthread_once(&crypto_once, crypto_init_once) != 0)
		return false;
	return crypto_ready;
}

static bool digest(bool md4, const void *data, size_t len, uint8_t out[16])
{
	unsigned int n = 0;
	if (!auth_crypto_init())
		return false;
	EVP_MD *md = md4 ? md_md4 : md_md5; /* read only after init */
	EVP_MD_CTX *c = EVP_MD_CTX_new();
	bool ok = c && EVP_DigestInit_ex2(c, md, NULL) && EVP_DigestUpdate(c, data, len) &&
		  EVP_DigestFinal_ex(c, out, &n) && n == 16;
	EVP_MD_CTX_free(c);
	return ok;
}

bool auth_md4(const void *data, size_t len, uint8_t out[16])
{
	return digest(true, data, len, out);
}

bool auth_md5(const void *data, size_t len, uint8_t out[16])
{
	return digest(false, data, len, out);
}

bool auth_hmac_md5(const uint8_t *key, size_t key_len, const struct auth_part *parts, size_t n_parts,
		   uint8_t out[16])
{
	size_t n = 0;
	bool ok;
	if (!auth_crypto_init())
		return false;
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"MD5", 0),
		OSSL_PARAM_construct_end(),
	};
	EVP_MAC_CTX *c = EVP_MAC_CTX_new(mac_hmac);
	ok = c && EVP_MAC_init(c, key, key_len, params);
	for (size_t i = 0; ok && i < n_parts; i++)
		if (parts[i].len)
			ok = EVP_MAC_update(c, parts[i].p, parts[i].len);
	ok = ok && EVP_MAC_final(c, out, &n, 16) && n == 16;
	EVP_MAC_CTX_free(c);
	return ok;
}

bool auth_hmac_md5_2(const uint8_t *key, size_t key_len, const void *a, size_t a_len, const void *b, size_t b_len,
		     uint8_t out[16])
{
	struct auth_part parts[2] = { { a, a_len }, { b, b_len } };
	return auth_hmac_md5(key, key_len, parts, 2, out);
}

struct auth_rc4 {
	EVP_CIPHER_CTX *c;
};

struct auth_rc4 *auth_rc4_new(const uint8_t key[16])
{
	if (!auth_crypto_init())
		return NULL;
	struct auth_rc4 *h = calloc(1, sizeof(*h));
	if (!h)
		return NULL;
	h->c = EVP_CIPHER_CTX_new();
	if (!h->c || !EVP_EncryptInit_ex2(h->c, ciph_rc4, key, NULL, NULL)) {
		auth_rc4_free(h);
		return NULL;
	}
	return h;
}

bool auth_rc4_apply(struct auth_rc4 *h, const uint8_t *in, uint8_t *out, size_t len)
{
	int n = 0;
	if (!h || len > 0x7fffffff)
		return false;
	if (len == 0)
		return true;
	return EVP_EncryptUpdate(h->c, out, &n, in, (int)len) && (size_t)n == len;
}

void auth_rc4_free(struct auth_rc4 *h)
{
	if (!h)
		return;
	EVP_CIPHER_CTX_free(h->c);
	free(h);
}

bool auth_rc4_once(const uint8_t key[16], const uint8_t *in, uint8_t *out, size_t len)
{
	struct auth_rc4 *h = auth_rc4_new(key);
	bool ok = h && auth_rc4_apply(h, in, out, len);
	auth_rc4_free(h);
	return ok;
}

/* Spreads 56 key bits over 8 bytes, 7 per byte in the high bits, and sets odd
 * parity in the low bit ([MS-NLMP] 6, DES()). */
static void des_expand_key(const uint8_t k7[7], uint8_t k8[8])
{
	k8[0] = (uint8_t)(k7[0] >> 1);
	k8[1] = (uint8_t)((k7[0] & 0x01) << 6 | k7[1] >> 2);
	k8[2] = (uint8_t)((k7[1] & 0x03) << 5 | k7[2] >> 3);
	k8[3] = (uint8_t)((k7[2] & 0x07) << 4 | k7[3] >> 4);
	k8[4] = (uint8_t)((k7[3] & 0x0f) << 3 | k7[4] >> 5);
	k8[5] = (uint8_t)((k7[4] & 0x1f) << 2 | k7[5] >> 6);
	k8[6] = (uint8_t)((k7[5] & 0x3f) << 1 | k7[6] >> 7);
	k8[7] = (uint8_t)(k7[6] & 0x7f);
	for (int i = 0; i < 8; i++) {
		uint8_t b = (uint8_t)(k8[i] << 1);
		b |= (uint8_t)(__builtin_parity(b) ? 0 : 1);
		k8[i] = b;
	}
}

bool auth_des7_encrypt(const uint8_t key7[7], const uint8_t in[8], uint8_t out[8])
{
	uint8_t k8[8];
	int n = 0, m = 0;
	if (!auth_crypto_init())
		return false;
	des_expand_key(key7, k8);
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	bool ok = c && EVP_EncryptInit_ex2(c, ciph_des, k8, NULL, NULL) && EVP_CIPHER_CTX_set_padding(c, 0) &&
		  EVP_EncryptUpdate(c, out, &n, in, 8) && n == 8 && EVP_EncryptFinal_ex(c, out + n, &m) && m == 0;
	EVP_CIPHER_CTX_free(c);
	auth_wipe(k8, sizeof(k8));
	return ok;
}

bool auth_random(void *buf, size_t len)
{
	return len <= 0x7fffffff && RAND_bytes(buf, (int)len) == 1;
}

bool auth_mem_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

void auth_wipe(void *p, size_t len)
{
	OPENSSL_cleanse(p, len);
}
