/* Unit tests for conn/smb2_crypto and wire/transform: known answers for the KDF,
 * session keys, signing, the encryption transform and the pre-auth hash
 * ([MS-SMB2] 3.1.4.1-3.1.4.3, 3.3.5.5.3), plus tamper, iovec-split, nonce and
 * header-decode tests. Vectors live in vectors.h (see gen_vectors.py). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <pthread.h>

#include "conn/smb2_crypto.h"
#include "wire/transform.h"

#include "vectors.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define MAX_IOV 512

/* Cuts buf into iovecs: `first` bytes, then pieces cycling through odd sizes
 * and empty entries, so boundaries land everywhere relative to AES blocks. */
static int split_iov(const uint8_t *buf, size_t len, size_t first, struct iovec *iov)
{
	static const size_t steps[] = { 1, 0, 3, 7, 2, 0, 13, 5, 17, 31, 1, 11 };
	size_t pos = 0;
	int n = 0, s = 0;

	if (first > len)
		first = len;
	iov[n++] = (struct iovec){ .iov_base = (void *)buf, .iov_len = first };
	pos = first;
	while (pos < len && n < MAX_IOV - 1) {
		size_t want = steps[s++ % ARRAY_LEN(steps)];

		if (want > len - pos)
			want = len - pos;
		iov[n++] = (struct iovec){ .iov_base = want ? (void *)(buf + pos) : NULL, .iov_len = want };
		pos += want;
	}
	if (pos < len)
		iov[n++] = (struct iovec){ .iov_base = (void *)(buf + pos), .iov_len = len - pos };
	return n;
}

static struct iovec one_iov(const void *p, size_t len)
{
	return (struct iovec){ .iov_base = (void *)p, .iov_len = len };
}

/* ---- KDF ------------------------------------------------------------------ */

static void test_kdf_vectors(void **state)
{
	static const struct {
		const uint8_t *key;
		size_t key_len;
		const uint8_t *label;
		size_t label_len;
		const uint8_t *ctx;
		size_t ctx_len;
		const uint8_t *want;
		size_t want_len;
	} v[] = {
		{ kdf_a_key, sizeof(kdf_a_key), kdf_a_label, sizeof(kdf_a_label), kdf_a_ctx, KDF_A_CTX_LEN,
		  kdf_a_out, sizeof(kdf_a_out) },
		{ kdf_b_key, sizeof(kdf_b_key), kdf_b_label, sizeof(kdf_b_label), kdf_b_ctx, KDF_B_CTX_LEN,
		  kdf_b_out, sizeof(kdf_b_out) },
		{ kdf_c_key, sizeof(kdf_c_key), kdf_c_label, sizeof(kdf_c_label), kdf_c_ctx, KDF_C_CTX_LEN,
		  kdf_c_out, sizeof(kdf_c_out) },
		{ kdf_d_key, sizeof(kdf_d_key), kdf_d_label, sizeof(kdf_d_label), kdf_d_ctx, KDF_D_CTX_LEN,
		  kdf_d_out, sizeof(kdf_d_out) },
	};
	uint8_t out[64];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		memset(out, 0xEE, sizeof(out));
		assert_true(smb2_kdf(v[i].key, v[i].key_len, v[i].label, v[i].label_len, v[i].ctx, v[i].ctx_len,
				     out, v[i].want_len));
		assert_memory_equal(out, v[i].want, v[i].want_len);
		assert_int_equal(out[v[i].want_len], 0xEE); /* nothing written past out_len */
	}
	/* the 3.0 signing key of the blog sample, through the bare KDF */
	assert_true(smb2_kdf(ms30_session_key, 16, "SMB2AESCMAC", 12, "SmbSign", 8, out, 16));
	assert_memory_equal(out, k30_signing, 16);
}

static void test_kdf_bad_args(void **state)
{
	uint8_t out[16];

	(void)state;
	assert_false(smb2_kdf(kdf_a_key, 0, "a", 1, "b", 1, out, 16));
	assert_false(smb2_kdf(NULL, 16, "a", 1, "b", 1, out, 16));
	assert_false(smb2_kdf(kdf_a_key, 16, "a", 1, "b", 1, out, 0));
	assert_false(smb2_kdf(kdf_a_key, 16, NULL, 4, "b", 1, out, 16));
	assert_false(smb2_kdf(kdf_a_key, 16, "a", 1, NULL, 4, out, 16));
}

/* ---- session keys ------------------------------------------------------------ */

static void expect_keys(const struct smb2_keys *k, const uint8_t *sign, const uint8_t *app, const uint8_t *enc,
			const uint8_t *dec, size_t klen)
{
	assert_int_equal(k->cipher_key_len, klen);
	assert_memory_equal(k->signing, sign, 16);
	assert_memory_equal(k->application, app, 16);
	assert_memory_equal(k->encrypt, enc, klen);
	assert_memory_equal(k->decrypt, dec, klen);
}

static void test_keys_30(void **state)
{
	struct smb2_keys k;

	(void)state;
	for (uint16_t d = 0x0300; d <= 0x0302; d += 2) {
		/* 3.0.x always derives AES-128-CCM keys; `cipher` does not matter */
		for (int c = SMB2_CIPHER_NONE; c <= SMB2_CIPHER_AES256_GCM; c++) {
			assert_true(smb2_derive_keys(d, ms30_session_key, sizeof(ms30_session_key), NULL,
						     (enum smb2_cipher)c, &k));
			/* encrypt/decrypt from the Microsoft blog, signing/app from impacket */
			expect_keys(&k, k30_signing, k30_application, ms30_server_encrypt_key,
				    ms30_server_decrypt_key, 16);
		}
	}
}

static void test_keys_311(void **state)
{
	struct smb2_keys k, k2;

	(void)state;
	/* AES-128: the Microsoft 3.1.1 blog's cipher keys */
	assert_true(smb2_derive_keys(0x0311, ms311_session_key, 16, ms311_preauth, SMB2_CIPHER_AES128_GCM, &k));
	expect_keys(&k, k311_128_signing, k311_128_application, ms311_server_encrypt_key, ms311_server_decrypt_key,
		    16);
	assert_true(smb2_derive_keys(0x0311, ms311_session_key, 16, ms311_preauth, SMB2_CIPHER_AES128_CCM, &k));
	expect_keys(&k, k311_128_signing, k311_128_application, ms311_server_encrypt_key, ms311_server_decrypt_key,
		    16);
	/* no cipher negotiated: 128-bit cipher keys */
	assert_true(smb2_derive_keys(0x0311, ms311_session_key, 16, ms311_preauth, SMB2_CIPHER_NONE, &k));
	expect_keys(&k, k311_128_signing, k311_128_application, ms311_server_encrypt_key, ms311_server_decrypt_key,
		    16);

	/* AES-256 with a 32-byte key: cipher keys from the full key, L = 256 */
	assert_true(smb2_derive_keys(0x0311, key_full32, 32, key_preauth, SMB2_CIPHER_AES256_CCM, &k));
	expect_keys(&k, k311_256_full_signing, k311_256_full_application, k311_256_full_encrypt,
		    k311_256_full_decrypt, 32);
	assert_true(smb2_derive_keys(0x0311, key_full32, 32, key_preauth, SMB2_CIPHER_AES256_GCM, &k));
	expect_keys(&k, k311_256_full_signing, k311_256_full_application, k311_256_full_encrypt,
		    k311_256_full_decrypt, 32);
	/* ... while signing/application come from the first 16 bytes only */
	assert_true(smb2_derive_keys(0x0311, key_full32, 32, key_preauth, SMB2_CIPHER_AES128_GCM, &k2));
	expect_keys(&k2, k311_128_full_signing, k311_128_full_application, k311_128_full_encrypt,
		    k311_128_full_decrypt, 16);
	assert_memory_equal(k.signing, k2.signing, 16);
	assert_memory_not_equal(k.encrypt, k2.encrypt, 16);

	/* AES-256 with a 16-byte (NTLM) session key */
	assert_true(smb2_derive_keys(0x0311, ms311_session_key, 16, ms311_preauth, SMB2_CIPHER_AES256_GCM, &k));
	expect_keys(&k, k311_256_ntlm_signing, k311_256_ntlm_application, k311_256_ntlm_encrypt,
		    k311_256_ntlm_decrypt, 32);

	/* the pre-auth blog: final hash -> signing key */
	assert_true(smb2_derive_keys(0x0311, mspa_session_key, 16, mspa_hash4, SMB2_CIPHER_AES128_CCM, &k));
	assert_memory_equal(k.signing, mspa_signing_key, 16);
}

static void test_keys_2x(void **state)
{
	static const uint8_t zero16[16];
	uint8_t want[16] = { 0 };
	struct smb2_keys k;

	(void)state;
	assert_true(smb2_derive_keys(0x0210, sign_key, 16, NULL, SMB2_CIPHER_NONE, &k));
	assert_memory_equal(k.signing, sign_key, 16);
	assert_int_equal(k.cipher_key_len, 0);
	assert_memory_equal(k.application, zero16, 16);
	/* shorter keys are right-padded with zeros, longer ones truncated */
	assert_true(smb2_derive_keys(0x0202, sign_key, 8, NULL, SMB2_CIPHER_NONE, &k));
	memcpy(want, sign_key, 8);
	assert_memory_equal(k.signing, want, 16);
	assert_true(smb2_derive_keys(0x0210, key_full32, 32, NULL, SMB2_CIPHER_NONE, &k));
	assert_memory_equal(k.signing, key_full32, 16);
	/* 3.1.1 without a pre-auth hash is refused, and fails closed */
	assert_false(smb2_derive_keys(0x0311, ms311_session_key, 16, NULL, SMB2_CIPHER_AES128_GCM, &k));
	assert_memory_not_equal(k.signing, zero16, 16);
}

/* ---- signing ------------------------------------------------------------------ */

struct sign_vec {
	const uint8_t *msg;
	size_t len;
	const uint8_t *sig[3]; /* by enum smb2_sign_algo */
};

static const struct sign_vec sign_vecs[] = {
	{ msg_read_resp, sizeof(msg_read_resp), { msg_read_resp_hmac, msg_read_resp_cmac, msg_read_resp_gmac } },
	{ msg_cancel, sizeof(msg_cancel), { msg_cancel_hmac, msg_cancel_cmac, msg_cancel_gmac } },
	{ msg_write_req, sizeof(msg_write_req), { msg_write_req_hmac, msg_write_req_cmac, msg_write_req_gmac } },
};

static void test_sign_vectors(void **state)
{
	uint8_t buf[256], sig[16];
	struct iovec iov;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(sign_vecs); i++) {
		const struct sign_vec *v = &sign_vecs[i];

		for (int a = SMB2_SIGN_HMAC_SHA256; a <= SMB2_SIGN_AES_GMAC; a++) {
			memcpy(buf, v->msg, v->len);
			iov = one_iov(buf, v->len);
			/* the junk in the signature field is read as zeros */
			assert_true(smb2_sign((enum smb2_sign_algo)a, sign_key, &iov, 1, sig));
			assert_memory_equal(sig, v->sig[a], 16);
			assert_memory_equal(buf, v->msg, v->len); /* input untouched */
			assert_false(smb2_verify((enum smb2_sign_algo)a, sign_key, &iov, 1));
			memcpy(buf + 48, v->sig[a], 16);
			assert_true(smb2_verify((enum smb2_sign_algo)a, sign_key, &iov, 1));
		}
	}
}

static void test_sign_captured_hmac(void **state)
{
	struct iovec iov = one_iov(cap_hmac_msg, sizeof(cap_hmac_msg));
	uint8_t sig[16];

	(void)state;
	assert_true(smb2_verify(SMB2_SIGN_HMAC_SHA256, cap_hmac_key, &iov, 1));
	assert_true(smb2_sign(SMB2_SIGN_HMAC_SHA256, cap_hmac_key, &iov, 1, sig));
	assert_memory_equal(sig, cap_hmac_msg + 48, 16);
	assert_false(smb2_verify(SMB2_SIGN_AES_CMAC, cap_hmac_key, &iov, 1));
}

static void test_sign_tamper(void **state)
{
	uint8_t buf[256];
	struct iovec iov;

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(sign_vecs); i++) {
		const struct sign_vec *v = &sign_vecs[i];

		for (int a = SMB2_SIGN_HMAC_SHA256; a <= SMB2_SIGN_AES_GMAC; a++) {
			/* every single-bit flip of every byte must break it */
			for (size_t off = 0; off < v->len; off++) {
				memcpy(buf, v->msg, v->len);
				memcpy(buf + 48, v->sig[a], 16);
				buf[off] ^= (uint8_t)(1u << (off % 8));
				iov = one_iov(buf, v->len);
				assert_false(smb2_verify((enum smb2_sign_algo)a, sign_key, &iov, 1));
			}
			/* wrong key */
			memcpy(buf, v->msg, v->len);
			memcpy(buf + 48, v->sig[a], 16);
			iov = one_iov(buf, v->len);
			assert_false(smb2_verify((enum smb2_sign_algo)a, kdf_a_key, &iov, 1));
			/* truncated message */
			iov.iov_len--;
			assert_false(smb2_verify((enum smb2_sign_algo)a, sign_key, &iov, 1));
		}
	}
}

/* GMAC's nonce carries the role and CANCEL bits: same bytes, different tag. */
static void test_sign_gmac_nonce_bits(void **state)
{
	uint8_t buf[256], s0[16], s1[16], s2[16];
	struct iovec iov;

	(void)state;
	memcpy(buf, msg_read_resp, sizeof(msg_read_resp));
	iov = one_iov(buf, sizeof(msg_read_resp));
	assert_true(smb2_sign(SMB2_SIGN_AES_GMAC, sign_key, &iov, 1, s0));
	buf[16] &= (uint8_t)~1u; /* clear SMB2_FLAGS_SERVER_TO_REDIR */
	assert_true(smb2_sign(SMB2_SIGN_AES_GMAC, sign_key, &iov, 1, s1));
	assert_memory_not_equal(s0, s1, 16);
	buf[12] = 0x0C; /* Command = SMB2_CANCEL */
	assert_true(smb2_sign(SMB2_SIGN_AES_GMAC, sign_key, &iov, 1, s2));
	assert_memory_not_equal(s1, s2, 16);
}

static void test_sign_iov_split(void **state)
{
	struct iovec iov[MAX_IOV];
	uint8_t sig[16];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(sign_vecs); i++) {
		const struct sign_vec *v = &sign_vecs[i];

		for (size_t first = 64; first <= v->len; first += 3) {
			int n = split_iov(v->msg, v->len, first, iov);

			for (int a = SMB2_SIGN_HMAC_SHA256; a <= SMB2_SIGN_AES_GMAC; a++) {
				assert_true(smb2_sign((enum smb2_sign_algo)a, sign_key, iov, n, sig));
				assert_memory_equal(sig, v->sig[a], 16);
			}
		}
	}
}

static void test_sign_bad_args(void **state)
{
	struct iovec iov[2] = { one_iov(msg_read_resp, 63), one_iov(msg_read_resp + 63, 54) };
	uint8_t sig[16];

	(void)state;
	/* the header must be whole in iov[0] */
	assert_false(smb2_sign(SMB2_SIGN_AES_CMAC, sign_key, iov, 2, sig));
	assert_false(smb2_verify(SMB2_SIGN_AES_CMAC, sign_key, iov, 2));
	iov[0].iov_len = 64;
	iov[1] = one_iov(NULL, 5);
	assert_false(smb2_sign(SMB2_SIGN_AES_CMAC, sign_key, iov, 2, sig));
	assert_false(smb2_sign(SMB2_SIGN_AES_CMAC, sign_key, iov, 0, sig));
	assert_false(smb2_sign((enum smb2_sign_algo)7, sign_key, iov, 1, sig));
}

/* ---- encryption transform ------------------------------------------------------ */

struct enc_vec {
	enum smb2_cipher c;
	const uint8_t *key, *nonce, *hdr, *ct;
};

static const struct enc_vec enc_vecs[] = {
	{ SMB2_CIPHER_AES128_CCM, enc_aes128_ccm_key, enc_aes128_ccm_nonce, enc_aes128_ccm_hdr, enc_aes128_ccm_ct },
	{ SMB2_CIPHER_AES128_GCM, enc_aes128_gcm_key, enc_aes128_gcm_nonce, enc_aes128_gcm_hdr, enc_aes128_gcm_ct },
	{ SMB2_CIPHER_AES256_CCM, enc_aes256_ccm_key, enc_aes256_ccm_nonce, enc_aes256_ccm_hdr, enc_aes256_ccm_ct },
	{ SMB2_CIPHER_AES256_GCM, enc_aes256_gcm_key, enc_aes256_gcm_nonce, enc_aes256_gcm_hdr, enc_aes256_gcm_ct },
};

static void test_encrypt_vectors(void **state)
{
	uint8_t hdr[52], out[sizeof(enc_plain)];
	struct iovec iov = one_iov(enc_plain, sizeof(enc_plain));

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(enc_vecs); i++) {
		const struct enc_vec *v = &enc_vecs[i];

		assert_true(smb2_encrypt(v->c, v->key, v->nonce, ENC_SESSION_ID, &iov, 1, hdr, out));
		assert_memory_equal(hdr, v->hdr, 52);
		assert_memory_equal(out, v->ct, sizeof(out));
		assert_true(smb2_decrypt(v->c, v->key, hdr, out, sizeof(out)));
		assert_memory_equal(out, enc_plain, sizeof(out));
	}
}

/* Microsoft's SMB 3.0 AES-128-CCM sample. Its sender put non-zero bytes in the
 * nonce padding, which are part of the AAD: our encrypt (zero padding) must give
 * the same ciphertext, and our decrypt must accept the sample as sent. */
static void test_encrypt_ms30(void **state)
{
	uint8_t hdr[52], out[sizeof(ms30_req_plain)], rbuf[sizeof(ms30_resp_plain)];
	struct iovec iov = one_iov(ms30_req_plain, sizeof(ms30_req_plain));
	const uint8_t *t = ms30_req_transformed;

	(void)state;
	/* client->server: the client seals with our DecryptionKey */
	assert_true(smb2_encrypt(SMB2_CIPHER_AES128_CCM, ms30_server_decrypt_key, t + 20, MS30_SESSION_ID, &iov, 1,
				 hdr, out));
	assert_memory_equal(out, t + 52, sizeof(out));
	assert_memory_equal(hdr, t, 4);
	assert_memory_equal(hdr + 20, t + 20, 11);
	assert_memory_equal(hdr + 36, t + 36, 16);
	memcpy(out, t + 52, sizeof(out));
	assert_true(smb2_decrypt(SMB2_CIPHER_AES128_CCM, ms30_server_decrypt_key, t, out, sizeof(out)));
	assert_memory_equal(out, ms30_req_plain, sizeof(out));

	/* server->client response, sealed with our EncryptionKey */
	memcpy(rbuf, ms30_resp_transformed + 52, sizeof(rbuf));
	assert_true(smb2_decrypt(SMB2_CIPHER_AES128_CCM, ms30_server_encrypt_key, ms30_resp_transformed, rbuf,
				 sizeof(rbuf)));
	assert_memory_equal(rbuf, ms30_resp_plain, sizeof(rbuf));
	iov = one_iov(ms30_resp_plain, sizeof(ms30_resp_plain));
	assert_true(smb2_encrypt(SMB2_CIPHER_AES128_CCM, ms30_server_encrypt_key, ms30_resp_transformed + 20,
				 MS30_SESSION_ID, &iov, 1, hdr, rbuf));
	assert_memory_equal(rbuf, ms30_resp_transformed + 52, sizeof(rbuf));
}

/* Microsoft's SMB 3.1.1 AES-128-GCM sample: byte-exact both ways. */
static void test_encrypt_ms311(void **state)
{
	uint8_t hdr[52], out[sizeof(ms311_req_plain)], rbuf[sizeof(ms311_resp_plain)];
	struct iovec iov = one_iov(ms311_req_plain, sizeof(ms311_req_plain));

	(void)state;
	assert_true(smb2_encrypt(SMB2_CIPHER_AES128_GCM, ms311_server_decrypt_key, ms311_req_transformed + 20,
				 MS311_SESSION_ID, &iov, 1, hdr, out));
	assert_memory_equal(hdr, ms311_req_transformed, 52);
	assert_memory_equal(out, ms311_req_transformed + 52, sizeof(out));
	assert_true(smb2_decrypt(SMB2_CIPHER_AES128_GCM, ms311_server_decrypt_key, hdr, out, sizeof(out)));
	assert_memory_equal(out, ms311_req_plain, sizeof(out));

	iov = one_iov(ms311_resp_plain, sizeof(ms311_resp_plain));
	assert_true(smb2_encrypt(SMB2_CIPHER_AES128_GCM, ms311_server_encrypt_key, ms311_resp_transformed + 20,
				 MS311_SESSION_ID, &iov, 1, hdr, rbuf));
	assert_memory_equal(hdr, ms311_resp_transformed, 52);
	assert_memory_equal(rbuf, ms311_resp_transformed + 52, sizeof(rbuf));
	memcpy(rbuf, ms311_resp_transformed + 52, sizeof(rbuf));
	assert_true(smb2_decrypt(SMB2_CIPHER_AES128_GCM, ms311_server_encrypt_key, ms311_resp_transformed, rbuf,
				 sizeof(rbuf)));
	assert_memory_equal(rbuf, ms311_resp_plain, sizeof(rbuf));
}

static void test_encrypt_iov_split(void **state)
{
	struct iovec iov[MAX_IOV];
	uint8_t hdr[52], out[sizeof(enc_plain)];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(enc_vecs); i++) {
		const struct enc_vec *v = &enc_vecs[i];

		for (size_t first = 0; first <= 70; first += 5) {
			int n = split_iov(enc_plain, sizeof(enc_plain), first, iov);

			memset(out, 0, sizeof(out));
			assert_true(smb2_encrypt(v->c, v->key, v->nonce, ENC_SESSION_ID, iov, n, hdr, out));
			assert_memory_equal(hdr, v->hdr, 52);
			assert_memory_equal(out, v->ct, sizeof(out));
		}
	}
}

static void test_encrypt_in_place(void **state)
{
	uint8_t hdr[52], buf[sizeof(enc_plain)];
	struct iovec iov[3];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(enc_vecs); i++) {
		const struct enc_vec *v = &enc_vecs[i];

		memcpy(buf, enc_plain, sizeof(buf));
		/* pieces of `out` itself, each at its own offset */
		iov[0] = one_iov(buf, 100);
		iov[1] = one_iov(buf + 100, 1);
		iov[2] = one_iov(buf + 101, sizeof(buf) - 101);
		assert_true(smb2_encrypt(v->c, v->key, v->nonce, ENC_SESSION_ID, iov, 3, hdr, buf));
		assert_memory_equal(hdr, v->hdr, 52);
		assert_memory_equal(buf, v->ct, sizeof(buf));
	}
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_decrypt_tamper(void **state)
{
	uint8_t hdr[52], buf[sizeof(enc_plain)];

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(enc_vecs); i++) {
		const struct enc_vec *v = &enc_vecs[i];
		enum smb2_cipher other = v->c == SMB2_CIPHER_AES128_CCM ? SMB2_CIPHER_AES128_GCM
					 : v->c == SMB2_CIPHER_AES128_GCM ? SMB2_CIPHER_AES128_CCM
					 : v->c == SMB2_CIPHER_AES256_CCM ? SMB2_CIPHER_AES256_GCM
									  : SMB2_CIPHER_AES256_CCM;

		/* every header byte from Signature on: a flip must be refused */
		for (size_t off = 4; off < 52; off++) {
			memcpy(hdr, v->hdr, 52);
			memcpy(buf, v->ct, sizeof(buf));
			hdr[off] ^= 0x01;
			assert_false(smb2_decrypt(v->c, v->key, hdr, buf, sizeof(buf)));
			assert_true(all_zero(buf, sizeof(buf))); /* nothing unauthenticated left */
		}
		/* ciphertext flips: first, middle, last byte */
		for (size_t k = 0; k < 3; k++) {
			size_t off = k == 0 ? 0 : k == 1 ? sizeof(buf) / 2 : sizeof(buf) - 1;

			memcpy(buf, v->ct, sizeof(buf));
			buf[off] ^= 0x80;
			assert_false(smb2_decrypt(v->c, v->key, v->hdr, buf, sizeof(buf)));
			assert_true(all_zero(buf, sizeof(buf)));
		}
		/* wrong key, wrong mode, wrong length */
		memcpy(buf, v->ct, sizeof(buf));
		assert_false(smb2_decrypt(v->c, k311_256_full_decrypt, v->hdr, buf, sizeof(buf)));
		memcpy(buf, v->ct, sizeof(buf));
		assert_false(smb2_decrypt(other, v->key, v->hdr, buf, sizeof(buf)));
		memcpy(buf, v->ct, sizeof(buf));
		assert_false(smb2_decrypt(v->c, v->key, v->hdr, buf, sizeof(buf) - 1));
		assert_false(smb2_decrypt(v->c, v->key, v->hdr, buf, 0));
		assert_false(smb2_decrypt(SMB2_CIPHER_NONE, v->key, v->hdr, buf, sizeof(buf)));
		/* and the untouched message still decrypts */
		memcpy(buf, v->ct, sizeof(buf));
		assert_true(smb2_decrypt(v->c, v->key, v->hdr, buf, sizeof(buf)));
		assert_memory_equal(buf, enc_plain, sizeof(buf));
	}
}

static void test_encrypt_bad_args(void **state)
{
	uint8_t hdr[52], out[16];
	struct iovec iov = one_iov(enc_plain, 16);
	struct iovec empty = one_iov(NULL, 0);

	(void)state;
	assert_false(smb2_encrypt(SMB2_CIPHER_NONE, enc_aes128_gcm_key, enc_aes128_gcm_nonce, 1, &iov, 1, hdr, out));
	assert_false(smb2_encrypt((enum smb2_cipher)9, enc_aes128_gcm_key, enc_aes128_gcm_nonce, 1, &iov, 1, hdr,
				  out));
	assert_false(smb2_encrypt(SMB2_CIPHER_AES128_GCM, enc_aes128_gcm_key, enc_aes128_gcm_nonce, 1, &empty, 1,
				  hdr, out));
	assert_false(smb2_encrypt(SMB2_CIPHER_AES128_GCM, enc_aes128_gcm_key, enc_aes128_gcm_nonce, 1, &iov, 0, hdr,
				  out));
	assert_true(all_zero(hdr, sizeof(hdr)));
}

/* Large messages (an 8 MiB READ) through several iovecs, every cipher. */
static void test_encrypt_large(void **state)
{
	const size_t len = 8u * 1024 * 1024 + 64 + 17;
	uint8_t *plain = malloc(len), *out = malloc(len), hdr[52];
	struct iovec iov[3];
	uint8_t nonce[16];
	struct smb2_nonce_gen g;

	(void)state;
	assert_non_null(plain);
	assert_non_null(out);
	for (size_t i = 0; i < len; i++)
		plain[i] = (uint8_t)(i * 2654435761u >> 13);
	iov[0] = one_iov(plain, 64 + 17);
	iov[1] = one_iov(plain + 81, 4096 + 3);
	iov[2] = one_iov(plain + 81 + 4099, len - 81 - 4099);
	smb2_nonce_init(&g);
	for (size_t i = 0; i < ARRAY_LEN(enc_vecs); i++) {
		const struct enc_vec *v = &enc_vecs[i];

		assert_true(smb2_nonce_next(&g, v->c, nonce));
		assert_true(smb2_encrypt(v->c, v->key, nonce, 7, iov, 3, hdr, out));
		assert_memory_not_equal(out, plain, 4096);
		assert_true(smb2_decrypt(v->c, v->key, hdr, out, len));
		assert_memory_equal(out, plain, len);
	}
	free(plain);
	free(out);
}

/* ---- pre-auth integrity ------------------------------------------------------------ */

static void test_preauth_chain(void **state)
{
	static const struct {
		const uint8_t *msg;
		size_t len;
		const uint8_t *hash;
	} v[] = {
		{ mspa_msg0, sizeof(mspa_msg0), mspa_hash0 }, { mspa_msg1, sizeof(mspa_msg1), mspa_hash1 },
		{ mspa_msg2, sizeof(mspa_msg2), mspa_hash2 }, { mspa_msg3, sizeof(mspa_msg3), mspa_hash3 },
		{ mspa_msg4, sizeof(mspa_msg4), mspa_hash4 },
	};
	struct iovec iov[MAX_IOV];
	uint8_t h1[64] = { 0 }, h2[64] = { 0 };

	(void)state;
	for (size_t i = 0; i < ARRAY_LEN(v); i++) {
		struct iovec one = one_iov(v[i].msg, v[i].len);
		int n = split_iov(v[i].msg, v[i].len, 7 + i, iov);

		assert_true(smb2_preauth_update(h1, &one, 1));
		assert_memory_equal(h1, v[i].hash, 64);
		assert_true(smb2_preauth_update(h2, iov, n));
		assert_memory_equal(h2, v[i].hash, 64);
	}
	/* a changed byte gives a different chain */
	{
		uint8_t msg[sizeof(mspa_msg0)], h3[64] = { 0 };
		struct iovec one = one_iov(msg, sizeof(msg));

		memcpy(msg, mspa_msg0, sizeof(msg));
		msg[100] ^= 1;
		assert_true(smb2_preauth_update(h3, &one, 1));
		assert_memory_not_equal(h3, mspa_hash0, 64);
	}
}

/* ---- nonces ------------------------------------------------------------------------- */

static int cmp_nonce(const void *a, const void *b)
{
	return memcmp(a, b, 16);
}

static void test_nonce_unique(void **state)
{
	enum { N = 20000 };
	uint8_t(*all)[16] = calloc(N, 16);
	struct smb2_nonce_gen g;

	(void)state;
	assert_non_null(all);
	smb2_nonce_init(&g);
	for (int c = SMB2_CIPHER_AES128_CCM; c <= SMB2_CIPHER_AES256_GCM; c++) {
		size_t nl = smb2_cipher_nonce_len((enum smb2_cipher)c);

		for (int i = 0; i < N; i++) {
			assert_true(smb2_nonce_next(&g, (enum smb2_cipher)c, all[i]));
			assert_true(all_zero(all[i] + nl, 16 - nl));
			assert_memory_equal(all[i] + 8, g.salt, nl - 8);
		}
		qsort(all, N, 16, cmp_nonce);
		for (int i = 1; i < N; i++)
			assert_memory_not_equal(all[i - 1], all[i], 16);
	}
	free(all);
}

static void test_nonce_exhaust(void **state)
{
	struct smb2_nonce_gen g;
	uint8_t n[16];

	(void)state;
	smb2_nonce_init(&g);
	assert_false(smb2_nonce_next(&g, SMB2_CIPHER_NONE, n));
	g.counter = UINT64_MAX - 1;
	assert_true(smb2_nonce_next(&g, SMB2_CIPHER_AES128_GCM, n));
	assert_false(smb2_nonce_next(&g, SMB2_CIPHER_AES128_GCM, n));
	assert_false(smb2_nonce_next(&g, SMB2_CIPHER_AES128_CCM, n));
	assert_true(g.counter == UINT64_MAX);
}

enum { THREADS = 4, PER_THREAD = 5000 };

struct nonce_job {
	struct smb2_nonce_gen *g;
	uint8_t (*out)[16];
	bool ok;
};

static void *nonce_worker(void *arg)
{
	struct nonce_job *j = arg;

	j->ok = true;
	for (int i = 0; i < PER_THREAD; i++)
		j->ok &= smb2_nonce_next(j->g, SMB2_CIPHER_AES256_GCM, j->out[i]);
	return NULL;
}

static void test_nonce_threads(void **state)
{
	uint8_t(*all)[16] = calloc(THREADS * PER_THREAD, 16);
	struct nonce_job jobs[THREADS];
	pthread_t tid[THREADS];
	struct smb2_nonce_gen g;

	(void)state;
	assert_non_null(all);
	smb2_nonce_init(&g);
	for (int t = 0; t < THREADS; t++) {
		jobs[t] = (struct nonce_job){ .g = &g, .out = all + t * PER_THREAD };
		assert_int_equal(pthread_create(&tid[t], NULL, nonce_worker, &jobs[t]), 0);
	}
	for (int t = 0; t < THREADS; t++) {
		assert_int_equal(pthread_join(tid[t], NULL), 0);
		assert_true(jobs[t].ok);
	}
	qsort(all, THREADS * PER_THREAD, 16, cmp_nonce);
	for (int i = 1; i < THREADS * PER_THREAD; i++)
		assert_memory_not_equal(all[i - 1], all[i], 16);
	assert_true(g.counter == THREADS * PER_THREAD);
	free(all);
}

/* ---- transform header codec ----------------------------------------------------------- */

static void test_transform_decode(void **state)
{
	struct smb2_transform_hdr h;
	uint8_t buf[64], again[52];

	(void)state;
	assert_true(wire_transform_decode(ms311_req_transformed, sizeof(ms311_req_transformed), &h));
	assert_memory_equal(h.signature, ms311_req_transformed + 4, 16);
	assert_memory_equal(h.nonce, ms311_req_transformed + 20, 16);
	assert_int_equal(h.original_size, sizeof(ms311_req_plain));
	assert_int_equal(h.flags, 1);
	assert_true(h.session_id == MS311_SESSION_ID);
	wire_transform_encode(&h, again);
	assert_memory_equal(again, ms311_req_transformed, 52);

	/* exactly the header is enough for the codec */
	assert_true(wire_transform_decode(ms311_req_transformed, 52, &h));
	/* too short */
	for (size_t n = 0; n < 52; n++)
		assert_false(wire_transform_decode(ms311_req_transformed, n, &h));
	assert_false(wire_transform_decode(NULL, 52, &h));
	/* wrong ProtocolId: an SMB2 header, an SMB1 one, a compression one */
	static const uint8_t bad_proto[][4] = {
		{ 0xFE, 'S', 'M', 'B' }, { 0xFF, 'S', 'M', 'B' }, { 0xFC, 'S', 'M', 'B' }, { 0xFD, 's', 'M', 'B' },
	};
	for (size_t i = 0; i < ARRAY_LEN(bad_proto); i++) {
		memcpy(buf, ms311_req_transformed, 52);
		memcpy(buf, bad_proto[i], 4);
		assert_false(wire_transform_decode(buf, 52, &h));
		assert_true(all_zero((const uint8_t *)&h.signature, 16));
	}
	/* Flags/EncryptionAlgorithm must be exactly 0x0001 */
	static const uint16_t bad_flags[] = { 0x0000, 0x0002, 0x0003, 0x0101, 0x8001, 0xFFFF };
	for (size_t i = 0; i < ARRAY_LEN(bad_flags); i++) {
		memcpy(buf, ms311_req_transformed, 52);
		buf[42] = (uint8_t)bad_flags[i];
		buf[43] = (uint8_t)(bad_flags[i] >> 8);
		assert_false(wire_transform_decode(buf, 52, &h));
	}
	/* Reserved is ignored on receipt (2.2.41); the AEAD still covers it */
	memcpy(buf, ms311_req_transformed, 52);
	buf[40] = 0x12;
	buf[41] = 0x34;
	assert_true(wire_transform_decode(buf, 52, &h));
	wire_transform_encode(&h, again);
	assert_int_equal(again[40], 0);
	assert_int_equal(again[41], 0);
}

static void test_cipher_lens(void **state)
{
	(void)state;
	assert_int_equal(smb2_cipher_key_len(SMB2_CIPHER_NONE), 0);
	assert_int_equal(smb2_cipher_key_len(SMB2_CIPHER_AES128_CCM), 16);
	assert_int_equal(smb2_cipher_key_len(SMB2_CIPHER_AES128_GCM), 16);
	assert_int_equal(smb2_cipher_key_len(SMB2_CIPHER_AES256_CCM), 32);
	assert_int_equal(smb2_cipher_key_len(SMB2_CIPHER_AES256_GCM), 32);
	assert_int_equal(smb2_cipher_key_len((enum smb2_cipher)5), 0);
	assert_int_equal(smb2_cipher_nonce_len(SMB2_CIPHER_NONE), 0);
	assert_int_equal(smb2_cipher_nonce_len(SMB2_CIPHER_AES128_CCM), 11);
	assert_int_equal(smb2_cipher_nonce_len(SMB2_CIPHER_AES128_GCM), 12);
	assert_int_equal(smb2_cipher_nonce_len(SMB2_CIPHER_AES256_CCM), 11);
	assert_int_equal(smb2_cipher_nonce_len(SMB2_CIPHER_AES256_GCM), 12);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kdf_vectors),
		cmocka_unit_test(test_kdf_bad_args),
		cmocka_unit_test(test_keys_30),
		cmocka_unit_test(test_keys_311),
		cmocka_unit_test(test_keys_2x),
		cmocka_unit_test(test_sign_vectors),
		cmocka_unit_test(test_sign_captured_hmac),
		cmocka_unit_test(test_sign_tamper),
		cmocka_unit_test(test_sign_gmac_nonce_bits),
		cmocka_unit_test(test_sign_iov_split),
		cmocka_unit_test(test_sign_bad_args),
		cmocka_unit_test(test_encrypt_vectors),
		cmocka_unit_test(test_encrypt_ms30),
		cmocka_unit_test(test_encrypt_ms311),
		cmocka_unit_test(test_encrypt_iov_split),
		cmocka_unit_test(test_encrypt_in_place),
		cmocka_unit_test(test_decrypt_tamper),
		cmocka_unit_test(test_encrypt_bad_args),
		cmocka_unit_test(test_encrypt_large),
		cmocka_unit_test(test_preauth_chain),
		cmocka_unit_test(test_nonce_unique),
		cmocka_unit_test(test_nonce_exhaust),
		cmocka_unit_test(test_nonce_threads),
		cmocka_unit_test(test_transform_decode),
		cmocka_unit_test(test_cipher_lens),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
