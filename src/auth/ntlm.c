/* NTLM key and response computations and ESS signing/sealing of [MS-NLMP]
 * 3.3.1, 3.3.2, 3.4.3-3.4.5 (see ntlm.h). Pure computation: no parsing, no
 * I/O; every primitive comes from auth_crypto (OpenSSL EVP). */
#include "auth/ntlm.h"

#include "auth/auth_crypto.h"
#include "base/rdwr.h"
#include "base/utf16.h"

#include <stdlib.h>
#include <string.h>

bool ntlm_nt_hash(const char *password_utf8, uint8_t out[16])
{
	long n = utf8_utf16_len(password_utf8);
	if (n < 0)
		return false;
	uint8_t *u = malloc((size_t)n + 1);
	if (!u)
		return false;
	bool ok = utf8_to_utf16le(password_utf8, u, (size_t)n + 1) == n && auth_md4(u, (size_t)n, out);
	auth_wipe(u, (size_t)n + 1);
	free(u);
	return ok;
}

bool ntlm_ntowfv2(const uint8_t nt_hash[16], const uint8_t *user16, size_t user_len, const uint8_t *dom16,
		  size_t dom_len, uint8_t out[16])
{
	uint8_t *up = malloc(user_len + 1);
	if (!up)
		return false;
	if (user_len)
		memcpy(up, user16, user_len);
	utf16le_upper_ascii(up, user_len);
	bool ok = auth_hmac_md5_2(nt_hash, 16, up, user_len, dom16, dom_len, out);
	free(up);
	return ok;
}

bool ntlm_v2_proof(const uint8_t ntowfv2[16], const uint8_t server_chal[8], const uint8_t *blob, size_t blob_len,
		   uint8_t proof[16])
{
	return auth_hmac_md5_2(ntowfv2, 16, server_chal, 8, blob, blob_len, proof);
}

bool ntlm_lmv2_response(const uint8_t ntowfv2[16], const uint8_t server_chal[8], const uint8_t client_chal[8],
			uint8_t out[24])
{
	if (!auth_hmac_md5_2(ntowfv2, 16, server_chal, 8, client_chal, 8, out))
		return false;
	memcpy(out + 16, client_chal, 8);
	return true;
}

bool ntlm_v1_response(const uint8_t nt_hash[16], const uint8_t chal[8], uint8_t out[24])
{
	/* DESL(K, D): K padded to 21 bytes, three DES keys of 7 bytes each. */
	uint8_t k21[21] = { 0 };
	memcpy(k21, nt_hash, 16);
	bool ok = auth_des7_encrypt(k21, chal, out) && auth_des7_encrypt(k21 + 7, chal, out + 8) &&
		  auth_des7_encrypt(k21 + 14, chal, out + 16);
	auth_wipe(k21, sizeof(k21));
	return ok;
}

bool ntlm_v1_ess_challenge(const uint8_t server_chal[8], const uint8_t client_chal[8], uint8_t out[8])
{
	uint8_t both[16], h[16];
	memcpy(both, server_chal, 8);
	memcpy(both + 8, client_chal, 8);
	if (!auth_md5(both, sizeof(both), h))
		return false;
	memcpy(out, h, 8);
	return true;
}

bool ntlm_v1_kxkey(uint32_t flags, const uint8_t session_base_key[16], const uint8_t lm_resp8[8],
		   const uint8_t server_chal[8], uint8_t out[16])
{
	if (flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)
		return auth_hmac_md5_2(session_base_key, 16, server_chal, 8, lm_resp8, 8, out);
	memcpy(out, session_base_key, 16);
	return true;
}

/* The magic constants of 3.4.5.2/3.4.5.3 include their terminating NUL. */
static const char sign_c2s[] = "session key to client-to-server signing key magic constant";
static const char sign_s2c[] = "session key to server-to-client signing key magic constant";
static const char seal_c2s[] = "session key to client-to-server sealing key magic constant";
static const char seal_s2c[] = "session key to server-to-client sealing key magic constant";

static bool md5_key_magic(const uint8_t *key, size_t key_len, const char *magic, size_t magic_len, uint8_t out[16])
{
	uint8_t buf[16 + 64];
	memcpy(buf, key, key_len);
	memcpy(buf + key_len, magic, magic_len);
	bool ok = auth_md5(buf, key_len + magic_len, out);
	auth_wipe(buf, sizeof(buf));
	return ok;
}

bool ntlm_sign_key(const uint8_t exported[16], bool client_to_server, uint8_t out[16])
{
	const char *m = client_to_server ? sign_c2s : sign_s2c;
	return md5_key_magic(exported, 16, m, sizeof(sign_c2s), out);
}

bool ntlm_seal_key(uint32_t flags, const uint8_t exported[16], bool client_to_server, uint8_t out[16])
{
	size_t klen = 5;
	if (flags & NTLMSSP_NEGOTIATE_128)
		klen = 16;
	else if (flags & NTLMSSP_NEGOTIATE_56)
		klen = 7;
	const char *m = client_to_server ? seal_c2s : seal_s2c;
	return md5_key_magic(exported, klen, m, sizeof(seal_c2s), out);
}

bool ntlm_sign_init(struct ntlm_sign *s, uint32_t flags, const uint8_t exported[16], bool is_server)
{
	uint8_t out_seal[16], in_seal[16];
	memset(s, 0, sizeof(*s));
	if (!(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY))
		return false;
	s->flags = flags;
	bool ok = ntlm_sign_key(exported, !is_server, s->out_sign_key) &&
		  ntlm_sign_key(exported, is_server, s->in_sign_key) &&
		  ntlm_seal_key(flags, exported, !is_server, out_seal) &&
		  ntlm_seal_key(flags, exported, is_server, in_seal);
	if (ok) {
		s->out_seal = auth_rc4_new(out_seal);
		s->in_seal = auth_rc4_new(in_seal);
		ok = s->out_seal && s->in_seal;
	}
	auth_wipe(out_seal, sizeof(out_seal));
	auth_wipe(in_seal, sizeof(in_seal));
	if (!ok) {
		ntlm_sign_free(s);
		return false;
	}
	s->ready = true;
	return true;
}

void ntlm_sign_free(struct ntlm_sign *s)
{
	auth_rc4_free(s->out_seal);
	auth_rc4_free(s->in_seal);
	auth_wipe(s, sizeof(*s));
}

/* MAC() with extended session security, 3.4.4.2: Version 1, the first 8 bytes
 * of HMAC_MD5(SigningKey, SeqNum || Message), RC4-sealed under KEY_EXCH. */
static bool ess_mac(uint32_t flags, const uint8_t key[16], struct auth_rc4 *seal, uint32_t seq,
		    const uint8_t *msg, size_t len, uint8_t sig[16])
{
	uint8_t seqb[4], h[16];
	wr_le32_at(seqb, seq);
	struct auth_part parts[2] = { { seqb, 4 }, { msg, len } };
	if (!auth_hmac_md5(key, 16, parts, 2, h))
		return false;
	wr_le32_at(sig, 1);
	if (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		if (!auth_rc4_apply(seal, h, sig + 4, 8))
			return false;
	} else {
		memcpy(sig + 4, h, 8);
	}
	wr_le32_at(sig + 12, seq);
	return true;
}

bool ntlm_sign_msg(struct ntlm_sign *s, const uint8_t *msg, size_t len, uint8_t sig[NTLMSSP_SIGNATURE_SIZE])
{
	if (!s->ready)
		return false;
	bool ok = ess_mac(s->flags, s->out_sign_key, s->out_seal, s->out_seq, msg, len, sig);
	s->out_seq++;
	return ok;
}

bool ntlm_check_msg(struct ntlm_sign *s, const uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len)
{
	uint8_t want[16];
	if (!s->ready)
		return false;
	bool ok = ess_mac(s->flags, s->in_sign_key, s->in_seal, s->in_seq, msg, len, want);
	s->in_seq++;
	return ok && sig_len == NTLMSSP_SIGNATURE_SIZE && auth_mem_equal(want, sig, NTLMSSP_SIGNATURE_SIZE);
}

bool ntlm_seal_msg(struct ntlm_sign *s, uint8_t *msg, size_t len, uint8_t sig[NTLMSSP_SIGNATURE_SIZE])
{
	uint8_t *plain = malloc(len + 1);
	if (!s->ready || !plain) {
		free(plain);
		return false;
	}
	memcpy(plain, msg, len);
	/* The handle seals the message first, then the checksum (3.4.3). */
	bool ok = auth_rc4_apply(s->out_seal, plain, msg, len) &&
		  ess_mac(s->flags, s->out_sign_key, s->out_seal, s->out_seq, plain, len, sig);
	s->out_seq++;
	free(plain);
	return ok;
}

bool ntlm_unseal_msg(struct ntlm_sign *s, uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len)
{
	uint8_t want[16];
	if (!s->ready || !auth_rc4_apply(s->in_seal, msg, msg, len))
		return false;
	bool ok = ess_mac(s->flags, s->in_sign_key, s->in_seal, s->in_seq, msg, len, want);
	s->in_seq++;
	return ok && sig_len == NTLMSSP_SIGNATURE_SIZE && auth_mem_equal(want, sig, NTLMSSP_SIGNATURE_SIZE);
}
