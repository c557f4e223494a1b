/* SMB2/3 message crypto on OpenSSL 3 EVP: SP800-108 KDF and session keys
 * ([MS-SMB2] 3.1.4.2, 3.3.5.5.3), signing (3.1.4.1), the encryption transform
 * (3.1.4.3, 3.3.5.2.1.1) and the pre-auth hash (3.3.5.4). No AES/SHA of our own;
 * header fields are read only through the rd/wr cursors. */
#include "conn/smb2_crypto.h"

#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "base/rdwr.h"
#include "wire/transform.h"

/* SMB2 header (2.2.1) offsets this file needs. */
#define SMB2_HDR_LEN 64
#define SMB2_HDR_COMMAND_OFF 12
#define SMB2_HDR_FLAGS_OFF 16
#define SMB2_HDR_MESSAGE_ID_OFF 24
#define SMB2_HDR_SIGNATURE_OFF 48
#define SMB2_SIG_LEN 16
#define SMB2_AEAD_TAG_LEN 16

#ifndef SMB2_FLAGS_SERVER_TO_REDIR
#define SMB2_FLAGS_SERVER_TO_REDIR 0x00000001
#endif
#ifndef SMB2_CANCEL
#define SMB2_CANCEL 0x000C
#endif

/* EVP objects fetched once and never changed afterwards; a NULL entry makes
 * every operation that needs it fail cleanly. */
static struct {
	EVP_MAC *hmac;
	EVP_MAC *cmac;
	EVP_MD *sha512;
	EVP_CIPHER *aes128_ccm;
	EVP_CIPHER *aes256_ccm;
	EVP_CIPHER *aes128_gcm;
	EVP_CIPHER *aes256_gcm;
} evp;
static pthread_once_t evp_once = PTHREAD_ONCE_INIT;

static void evp_load(void)
{
	evp.hmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_HMAC, NULL);
	evp.cmac = EVP_MAC_fetch(NULL, OSSL_MAC_NAME_CMAC, NULL);
	evp.sha512 = EVP_MD_fetch(NULL, "SHA512", NULL);
	evp.aes128_ccm = EVP_CIPHER_fetch(NULL, "AES-128-CCM", NULL);
	evp.aes256_ccm = EVP_CIPHER_fetch(NULL, "AES-256-CCM", NULL);
	evp.aes128_gcm = EVP_CIPHER_fetch(NULL, "AES-128-GCM", NULL);
	evp.aes256_gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static void evp_init(void)
{
	pthread_once(&evp_once, evp_load);
}

size_t smb2_cipher_key_len(enum smb2_cipher c)
{
	switch (c) {
	case SMB2_CIPHER_AES128_CCM:
	case SMB2_CIPHER_AES128_GCM:
		return 16;
	case SMB2_CIPHER_AES256_CCM:
	case SMB2_CIPHER_AES256_GCM:
		return 32;
	default:
		return 0;
	}
}

size_t smb2_cipher_nonce_len(enum smb2_cipher c)
{
	switch (c) {
	case SMB2_CIPHER_AES128_CCM:
	case SMB2_CIPHER_AES256_CCM:
		return 11;
	case SMB2_CIPHER_AES128_GCM:
	case SMB2_CIPHER_AES256_GCM:
		return 12;
	default:
		return 0;
	}
}

static bool cipher_is_ccm(enum smb2_cipher c)
{
	return c == SMB2_CIPHER_AES128_CCM || c == SMB2_CIPHER_AES256_CCM;
}

static const EVP_CIPHER *cipher_evp(enum smb2_cipher c)
{
	evp_init();
	switch (c) {
	case SMB2_CIPHER_AES128_CCM:
		return evp.aes128_ccm;
	case SMB2_CIPHER_AES256_CCM:
		return evp.aes256_ccm;
	case SMB2_CIPHER_AES128_GCM:
		return evp.aes128_gcm;
	case SMB2_CIPHER_AES256_GCM:
		return evp.aes256_gcm;
	default:
		return NULL;
	}
}

/* Total length of an iovec array; false for a bad array or on overflow. */
static bool iov_total(const struct iovec *iov, int iovcnt, size_t *total)
{
	size_t sum = 0;

	if (iovcnt < 0 || (iovcnt > 0 && iov == NULL))
		return false;
	for (int i = 0; i < iovcnt; i++) {
		if (iov[i].iov_len == 0)
			continue;
		if (iov[i].iov_base == NULL || iov[i].iov_len > SIZE_MAX - sum)
			return false;
		sum += iov[i].iov_len;
	}
	*total = sum;
	return true;
}

/* ---- key derivation ---------------------------------------------------- */

bool smb2_kdf(const uint8_t *key, size_t key_len, const void *label, size_t label_len,
	      const void *context, size_t context_len, uint8_t *out, size_t out_len)
{
	static const uint8_t sep = 0x00;
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
		OSSL_PARAM_construct_end(),
	};
	uint8_t block[32], counter[4], lbits[4];
	EVP_MAC_CTX *ctx = NULL;
	struct wr w;
	size_t done = 0, blen;
	uint32_t i = 0;
	bool ok = false;

	evp_init();
	if (evp.hmac == NULL || key == NULL || key_len == 0 || out == NULL || out_len == 0 ||
	    out_len > UINT32_MAX / 8 || (label_len > 0 && label == NULL) ||
	    (context_len > 0 && context == NULL))
		return false;

	w = wr_init(lbits, sizeof(lbits));
	wr_be32(&w, (uint32_t)(out_len * 8));

	ctx = EVP_MAC_CTX_new(evp.hmac);
	if (ctx == NULL)
		goto out;
	while (done < out_len) {
		w = wr_init(counter, sizeof(counter));
		wr_be32(&w, ++i);
		if (!EVP_MAC_init(ctx, key, key_len, params) ||
		    !EVP_MAC_update(ctx, counter, sizeof(counter)) ||
		    (label_len > 0 && !EVP_MAC_update(ctx, label, label_len)) ||
		    !EVP_MAC_update(ctx, &sep, 1) ||
		    (context_len > 0 && !EVP_MAC_update(ctx, context, context_len)) ||
		    !EVP_MAC_update(ctx, lbits, sizeof(lbits)) ||
		    !EVP_MAC_final(ctx, block, &blen, sizeof(block)) || blen != sizeof(block))
			goto out;
		blen = out_len - done < sizeof(block) ? out_len - done : sizeof(block);
		memcpy(out + done, block, blen);
		done += blen;
	}
	ok = true;
out:
	EVP_MAC_CTX_free(ctx);
	OPENSSL_cleanse(block, sizeof(block));
	if (!ok)
		OPENSSL_cleanse(out, out_len);
	return ok;
}

/* Labels and contexts of 3.3.5.5.3; the terminating NUL is part of each. */
#define KDF_STR(s) s, sizeof(s)

bool smb2_derive_keys(uint16_t dialect, const uint8_t *session_key, size_t session_key_len,
		      const uint8_t preauth_hash[64], enum smb2_cipher cipher, struct smb2_keys *out)
{
	uint8_t sk[16] = { 0 }; /* Session.SessionKey */
	bool ok = false;

	memset(out, 0, sizeof(*out));
	if (session_key_len > 0 && session_key == NULL)
		goto out;
	if (session_key_len > 0)
		memcpy(sk, session_key, session_key_len < sizeof(sk) ? session_key_len : sizeof(sk));

	if (dialect < 0x0300) {
		memcpy(out->signing, sk, sizeof(sk));
		ok = true;
	} else if (dialect < 0x0311) {
		out->cipher_key_len = 16;
		ok = smb2_kdf(sk, sizeof(sk), KDF_STR("SMB2AESCMAC"), KDF_STR("SmbSign"),
			      out->signing, sizeof(out->signing)) &&
		     smb2_kdf(sk, sizeof(sk), KDF_STR("SMB2APP"), KDF_STR("SmbRpc"),
			      out->application, sizeof(out->application)) &&
		     smb2_kdf(sk, sizeof(sk), KDF_STR("SMB2AESCCM"), KDF_STR("ServerIn "),
			      out->decrypt, 16) &&
		     smb2_kdf(sk, sizeof(sk), KDF_STR("SMB2AESCCM"), KDF_STR("ServerOut"),
			      out->encrypt, 16);
	} else {
		const uint8_t *ck = sk; /* cipher key input */
		size_t ck_len = sizeof(sk);

		if (preauth_hash == NULL)
			goto out;
		out->cipher_key_len = smb2_cipher_key_len(cipher) == 32 ? 32 : 16;
		if (out->cipher_key_len == 32 && session_key_len > 0) {
			ck = session_key; /* Session.FullSessionKey */
			ck_len = session_key_len;
		}
		ok = smb2_kdf(sk, sizeof(sk), KDF_STR("SMBSigningKey"), preauth_hash, 64,
			      out->signing, sizeof(out->signing)) &&
		     smb2_kdf(sk, sizeof(sk), KDF_STR("SMBAppKey"), preauth_hash, 64,
			      out->application, sizeof(out->application)) &&
		     smb2_kdf(ck, ck_len, KDF_STR("SMBC2SCipherKey"), preauth_hash, 64,
			      out->decrypt, out->cipher_key_len) &&
		     smb2_kdf(ck, ck_len, KDF_STR("SMBS2CCipherKey"), preauth_hash, 64,
			      out->encrypt, out->cipher_key_len);
	}
out:
	OPENSSL_cleanse(sk, sizeof(sk));
	if (!ok) {
		/* Fail closed for callers that ignore the result: unknown keys
		 * make every signature and tag fail instead of being forgeable. */
		size_t klen = out->cipher_key_len;

		if (RAND_bytes((uint8_t *)out, (int)sizeof(*out)) != 1)
			memset(out, 0xA5, sizeof(*out));
		out->cipher_key_len = klen;
	}
	return ok;
}

/* ---- signing ----------------------------------------------------------- */

typedef bool (*sink_fn)(void *ctx, const uint8_t *p, size_t n);

static bool sink_mac(void *ctx, const uint8_t *p, size_t n)
{
	return n == 0 || EVP_MAC_update(ctx, p, n) == 1;
}

static bool sink_aad(void *ctx, const uint8_t *p, size_t n)
{
	while (n > 0) {
		int chunk = n > INT_MAX ? INT_MAX : (int)n;
		int outl;

		if (EVP_EncryptUpdate(ctx, NULL, &outl, p, chunk) != 1)
			return false;
		p += chunk;
		n -= (size_t)chunk;
	}
	return true;
}

/* Feeds a whole message to sink with the Signature field read as zeros. */
static bool feed_message(const struct iovec *iov, int iovcnt, sink_fn sink, void *ctx)
{
	static const uint8_t zero_sig[SMB2_SIG_LEN];
	const uint8_t *h = iov[0].iov_base;
	size_t total;

	if (!iov_total(iov, iovcnt, &total))
		return false;
	if (!sink(ctx, h, SMB2_HDR_SIGNATURE_OFF) || !sink(ctx, zero_sig, sizeof(zero_sig)) ||
	    !sink(ctx, h + SMB2_HDR_LEN, iov[0].iov_len - SMB2_HDR_LEN))
		return false;
	for (int i = 1; i < iovcnt; i++)
		if (!sink(ctx, iov[i].iov_base, iov[i].iov_len))
			return false;
	return true;
}

static bool sign_mac(EVP_MAC *mac, const char *pname, const char *pval, const uint8_t key[16],
		     const struct iovec *iov, int iovcnt, uint8_t sig[16])
{
	char val[16];
	OSSL_PARAM params[2];
	uint8_t full[32];
	size_t flen = 0;
	EVP_MAC_CTX *ctx;
	bool ok;

	if (mac == NULL)
		return false;
	snprintf(val, sizeof(val), "%s", pval);
	params[0] = OSSL_PARAM_construct_utf8_string(pname, val, 0);
	params[1] = OSSL_PARAM_construct_end();
	ctx = EVP_MAC_CTX_new(mac);
	ok = ctx != NULL && EVP_MAC_init(ctx, key, 16, params) == 1 &&
	     feed_message(iov, iovcnt, sink_mac, ctx) &&
	     EVP_MAC_final(ctx, full, &flen, sizeof(full)) == 1 && flen >= SMB2_SIG_LEN;
	if (ok)
		memcpy(sig, full, SMB2_SIG_LEN);
	EVP_MAC_CTX_free(ctx);
	OPENSSL_cleanse(full, sizeof(full));
	return ok;
}

/* AES-GMAC = AES-128-GCM with the whole message as AAD and no plaintext. */
static bool sign_gmac(const uint8_t key[16], const struct iovec *iov, int iovcnt, uint8_t sig[16])
{
	struct rd r = rd_init(iov[0].iov_base, iov[0].iov_len);
	uint8_t nonce[12], dummy[16];
	struct wr w = wr_init(nonce, sizeof(nonce));
	uint16_t command;
	uint32_t flags, bits = 0;
	uint64_t message_id;
	EVP_CIPHER_CTX *ctx;
	int outl;
	bool ok;

	rd_seek(&r, SMB2_HDR_COMMAND_OFF);
	command = rd_u16(&r);
	rd_seek(&r, SMB2_HDR_FLAGS_OFF);
	flags = rd_u32(&r);
	rd_seek(&r, SMB2_HDR_MESSAGE_ID_OFF);
	message_id = rd_u64(&r);
	if (r.bad || evp.aes128_gcm == NULL)
		return false;
	if (flags & SMB2_FLAGS_SERVER_TO_REDIR)
		bits |= 1;
	if (command == SMB2_CANCEL)
		bits |= 2;
	wr_u64(&w, message_id);
	wr_u32(&w, bits);

	ctx = EVP_CIPHER_CTX_new();
	ok = ctx != NULL && EVP_EncryptInit_ex2(ctx, evp.aes128_gcm, key, nonce, NULL) == 1 &&
	     feed_message(iov, iovcnt, sink_aad, ctx) &&
	     EVP_EncryptFinal_ex(ctx, dummy, &outl) == 1 &&
	     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, SMB2_SIG_LEN, sig) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok;
}

bool smb2_sign(enum smb2_sign_algo algo, const uint8_t key[16], const struct iovec *iov, int iovcnt,
	       uint8_t sig[16])
{
	bool ok = false;

	evp_init();
	if (key == NULL || sig == NULL || iov == NULL || iovcnt < 1 || iov[0].iov_base == NULL ||
	    iov[0].iov_len < SMB2_HDR_LEN)
		return false;
	switch (algo) {
	case SMB2_SIGN_HMAC_SHA256:
		ok = sign_mac(evp.hmac, OSSL_MAC_PARAM_DIGEST, "SHA256", key, iov, iovcnt, sig);
		break;
	case SMB2_SIGN_AES_CMAC:
		ok = sign_mac(evp.cmac, OSSL_MAC_PARAM_CIPHER, "AES-128-CBC", key, iov, iovcnt, sig);
		break;
	case SMB2_SIGN_AES_GMAC:
		ok = sign_gmac(key, iov, iovcnt, sig);
		break;
	}
	if (!ok)
		memset(sig, 0, SMB2_SIG_LEN);
	return ok;
}

bool smb2_verify(enum smb2_sign_algo algo, const uint8_t key[16], const struct iovec *iov, int iovcnt)
{
	uint8_t sig[SMB2_SIG_LEN];
	const uint8_t *got;
	struct rd r;
	bool ok;

	if (!smb2_sign(algo, key, iov, iovcnt, sig))
		return false;
	r = rd_init(iov[0].iov_base, iov[0].iov_len);
	rd_seek(&r, SMB2_HDR_SIGNATURE_OFF);
	got = rd_take(&r, SMB2_SIG_LEN);
	ok = got != NULL && CRYPTO_memcmp(sig, got, SMB2_SIG_LEN) == 0;
	OPENSSL_cleanse(sig, sizeof(sig));
	return ok;
}

/* ---- encryption transform ------------------------------------------------ */

/* CCM: OpenSSL wants the length first and the data in a single call, so the
 * message is gathered into `out` and sealed there in place. */
static bool seal_ccm(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *ciph, const uint8_t *key, const uint8_t *nonce,
		     const uint8_t *aad, const struct iovec *in, int iovcnt, size_t total, uint8_t *out,
		     uint8_t tag[16])
{
	uint8_t dummy[16];
	size_t pos = 0;
	int outl;

	if (EVP_EncryptInit_ex2(ctx, ciph, NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 11, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, SMB2_AEAD_TAG_LEN, NULL) != 1 ||
	    EVP_EncryptInit_ex2(ctx, NULL, key, nonce, NULL) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &outl, NULL, (int)total) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &outl, aad, SMB2_TRANSFORM_AAD_LEN) != 1)
		return false;
	for (int i = 0; i < iovcnt; i++) {
		if (in[i].iov_len == 0)
			continue;
		if (in[i].iov_base != out + pos)
			memmove(out + pos, in[i].iov_base, in[i].iov_len);
		pos += in[i].iov_len;
	}
	return EVP_EncryptUpdate(ctx, out, &outl, out, (int)total) == 1 && (size_t)outl == total &&
	       EVP_EncryptFinal_ex(ctx, dummy, &outl) == 1 &&
	       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, SMB2_AEAD_TAG_LEN, tag) == 1;
}

/* GCM streams: one update per iovec straight into `out`. */
static bool seal_gcm(EVP_CIPHER_CTX *ctx, const EVP_CIPHER *ciph, const uint8_t *key, const uint8_t *nonce,
		     const uint8_t *aad, const struct iovec *in, int iovcnt, uint8_t *out, uint8_t tag[16])
{
	uint8_t dummy[16];
	size_t pos = 0;
	int outl;

	if (EVP_EncryptInit_ex2(ctx, ciph, key, nonce, NULL) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &outl, aad, SMB2_TRANSFORM_AAD_LEN) != 1)
		return false;
	for (int i = 0; i < iovcnt; i++) {
		if (in[i].iov_len == 0)
			continue;
		if (EVP_EncryptUpdate(ctx, out + pos, &outl, in[i].iov_base, (int)in[i].iov_len) != 1 ||
		    (size_t)outl != in[i].iov_len)
			return false;
		pos += in[i].iov_len;
	}
	return EVP_EncryptFinal_ex(ctx, dummy, &outl) == 1 &&
	       EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, SMB2_AEAD_TAG_LEN, tag) == 1;
}

bool smb2_encrypt(enum smb2_cipher c, const uint8_t *key, const uint8_t *nonce, uint64_t session_id,
		  const struct iovec *in, int iovcnt, uint8_t hdr[52], uint8_t *out)
{
	const EVP_CIPHER *ciph = cipher_evp(c);
	struct smb2_transform_hdr h = { 0 };
	EVP_CIPHER_CTX *ctx = NULL;
	size_t total;
	bool ok = false;

	if (hdr == NULL)
		return false;
	memset(hdr, 0, SMB2_TRANSFORM_HDR_LEN);
	if (ciph == NULL || key == NULL || nonce == NULL || out == NULL || !iov_total(in, iovcnt, &total) ||
	    total == 0 || total > INT_MAX)
		return false;

	memcpy(h.nonce, nonce, smb2_cipher_nonce_len(c));
	h.original_size = (uint32_t)total;
	h.flags = SMB2_TRANSFORM_FLAG_ENCRYPTED;
	h.session_id = session_id;
	wire_transform_encode(&h, hdr);

	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (cipher_is_ccm(c))
		ok = seal_ccm(ctx, ciph, key, h.nonce, hdr + SMB2_TRANSFORM_AAD_OFF, in, iovcnt, total, out,
			      h.signature);
	else
		ok = seal_gcm(ctx, ciph, key, h.nonce, hdr + SMB2_TRANSFORM_AAD_OFF, in, iovcnt, out,
			      h.signature);
	if (ok)
		wire_transform_encode(&h, hdr);
out:
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		memset(hdr, 0, SMB2_TRANSFORM_HDR_LEN);
	return ok;
}

bool smb2_decrypt(enum smb2_cipher c, const uint8_t *key, const uint8_t hdr[52], uint8_t *data, size_t len)
{
	const EVP_CIPHER *ciph = cipher_evp(c);
	const uint8_t *aad;
	struct smb2_transform_hdr h;
	EVP_CIPHER_CTX *ctx = NULL;
	uint8_t dummy[16];
	int outl;
	bool ok = false;

	if (data == NULL || len == 0)
		return false;
	if (ciph == NULL || key == NULL || hdr == NULL || len > INT_MAX ||
	    !wire_transform_decode(hdr, SMB2_TRANSFORM_HDR_LEN, &h) || h.original_size != len)
		goto out;

	aad = hdr + SMB2_TRANSFORM_AAD_OFF;
	ctx = EVP_CIPHER_CTX_new();
	if (ctx == NULL)
		goto out;
	if (cipher_is_ccm(c)) {
		ok = EVP_DecryptInit_ex2(ctx, ciph, NULL, NULL, NULL) == 1 &&
		     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, 11, NULL) == 1 &&
		     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, SMB2_AEAD_TAG_LEN, h.signature) == 1 &&
		     EVP_DecryptInit_ex2(ctx, NULL, key, h.nonce, NULL) == 1 &&
		     EVP_DecryptUpdate(ctx, NULL, &outl, NULL, (int)len) == 1 &&
		     EVP_DecryptUpdate(ctx, NULL, &outl, aad, SMB2_TRANSFORM_AAD_LEN) == 1 &&
		     /* CCM checks the tag inside this single update */
		     EVP_DecryptUpdate(ctx, data, &outl, data, (int)len) == 1 && (size_t)outl == len;
	} else {
		ok = EVP_DecryptInit_ex2(ctx, ciph, key, h.nonce, NULL) == 1 &&
		     EVP_DecryptUpdate(ctx, NULL, &outl, aad, SMB2_TRANSFORM_AAD_LEN) == 1 &&
		     EVP_DecryptUpdate(ctx, data, &outl, data, (int)len) == 1 && (size_t)outl == len &&
		     EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, SMB2_AEAD_TAG_LEN, h.signature) == 1 &&
		     EVP_DecryptFinal_ex(ctx, dummy, &outl) == 1;
	}
out:
	EVP_CIPHER_CTX_free(ctx);
	if (!ok)
		OPENSSL_cleanse(data, len);
	return ok;
}

/* ---- pre-auth integrity --------------------------------------------------- */

bool smb2_preauth_update(uint8_t hash[64], const struct iovec *iov, int iovcnt)
{
	uint8_t next[EVP_MAX_MD_SIZE];
	unsigned int nlen = 0;
	EVP_MD_CTX *md = NULL;
	size_t total;
	bool ok = false;

	evp_init();
	if (hash == NULL)
		return false;
	if (evp.sha512 == NULL || !iov_total(iov, iovcnt, &total))
		goto out;
	md = EVP_MD_CTX_new();
	if (md == NULL || EVP_DigestInit_ex2(md, evp.sha512, NULL) != 1 || EVP_DigestUpdate(md, hash, 64) != 1)
		goto out;
	for (int i = 0; i < iovcnt; i++)
		if (iov[i].iov_len > 0 && EVP_DigestUpdate(md, iov[i].iov_base, iov[i].iov_len) != 1)
			goto out;
	if (EVP_DigestFinal_ex(md, next, &nlen) != 1 || nlen != 64)
		goto out;
	memcpy(hash, next, 64);
	ok = true;
out:
	EVP_MD_CTX_free(md);
	if (!ok && RAND_bytes(hash, 64) != 1)
		memset(hash, 0xA5, 64);
	return ok;
}

/* ---- nonces ---------------------------------------------------------------- */

void smb2_nonce_init(struct smb2_nonce_gen *g)
{
	if (RAND_bytes(g->salt, (int)sizeof(g->salt)) != 1)
		memset(g->salt, 0, sizeof(g->salt)); /* the counter alone keeps nonces unique */
	g->counter = 0;
}

bool smb2_nonce_next(struct smb2_nonce_gen *g, enum smb2_cipher c, uint8_t nonce[16])
{
	size_t nl = smb2_cipher_nonce_len(c);
	uint64_t cur;
	struct wr w;

	if (nl == 0)
		return false;
	cur = __atomic_load_n(&g->counter, __ATOMIC_RELAXED);
	do {
		if (cur == UINT64_MAX)
			return false; /* exhausted: the session must end before a repeat */
	} while (!__atomic_compare_exchange_n(&g->counter, &cur, cur + 1, true, __ATOMIC_RELAXED,
					      __ATOMIC_RELAXED));
	w = wr_init(nonce, 16);
	wr_u64(&w, cur);
	wr_bytes(&w, g->salt, nl - 8);
	wr_zero(&w, 16 - nl);
	return true;
}
