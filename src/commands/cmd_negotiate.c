/* SMB2 NEGOTIATE ([MS-SMB2] 3.3.5.3.1 SMB1 upgrade, 3.3.5.4): dialect
 * selection within `server min/max protocol`, 3.1.1 negotiate contexts
 * (pre-auth integrity, encryption and signing capabilities), capabilities,
 * security mode and the SPNEGO hint. */
#include <openssl/rand.h>
#include <string.h>

#include "auth/auth.h"
#include "base/nttime.h"
#include "config/config.h"
#include "conn/request.h"
#include "server/server.h"
#include "wire/negotiate.h"

#define STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP NT_STATUS(0xC05D0000)

static const uint16_t our_dialects[] = { SMB2_DIALECT_311, SMB2_DIALECT_302, SMB2_DIALECT_300, SMB2_DIALECT_210,
					 SMB2_DIALECT_202 };

/* The highest dialect both sides speak within the configured range, or 0. */
static uint16_t select_dialect(const struct config *cfg, const uint8_t *list, unsigned count)
{
	for (size_t i = 0; i < sizeof(our_dialects) / sizeof(our_dialects[0]); i++) {
		uint16_t d = our_dialects[i];
		if (d < cfg->min_protocol || d > cfg->max_protocol)
			continue;
		for (unsigned j = 0; j < count; j++)
			if (le16_at(list + 2 * j) == d)
				return d;
	}
	return 0;
}

uint16_t negotiate_select_dialect(const struct config *cfg, const uint8_t *list, unsigned count);
uint16_t negotiate_select_dialect(const struct config *cfg, const uint8_t *list, unsigned count)
{
	return select_dialect(cfg, list, count);
}

/* Cipher: the client's first GCM choice, else its first CCM choice. */
static uint16_t select_cipher(const struct neg_req *q)
{
	unsigned n = q->n_ciphers < NEG_MAX_LIST ? q->n_ciphers : NEG_MAX_LIST;
	for (unsigned i = 0; i < n; i++)
		if (q->ciphers[i] == SMB2_CIPHER_AES128_GCM || q->ciphers[i] == SMB2_CIPHER_AES256_GCM)
			return q->ciphers[i];
	for (unsigned i = 0; i < n; i++)
		if (q->ciphers[i] == SMB2_CIPHER_AES128_CCM || q->ciphers[i] == SMB2_CIPHER_AES256_CCM)
			return q->ciphers[i];
	return SMB2_CIPHER_NONE;
}

/* Signing: AES-GMAC, then AES-CMAC, then HMAC-SHA256, among the client's. */
static uint16_t select_sign_algo(const struct neg_req *q)
{
	static const uint16_t pref[] = { SMB2_SIGN_AES_GMAC, SMB2_SIGN_AES_CMAC, SMB2_SIGN_HMAC_SHA256 };
	unsigned n = q->n_sign_algos < NEG_MAX_LIST ? q->n_sign_algos : NEG_MAX_LIST;
	for (size_t p = 0; p < 3; p++)
		for (unsigned i = 0; i < n; i++)
			if (q->sign_algos[i] == pref[p])
				return pref[p];
	return SMB2_SIGN_AES_CMAC;
}

static uint16_t server_security_mode(const struct config *cfg)
{
	return SMB2_NEGOTIATE_SIGNING_ENABLED |
	       (cfg->server_signing == CFG_REQUIRED ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0);
}

static NTSTATUS encode_response(struct smb2_req *req, struct neg_rsp *r)
{
	struct conn *c = req->conn;
	uint8_t hint[256];
	long hl = auth_negotiate_hint(hint, sizeof(hint));
	if (hl < 0)
		return STATUS_INTERNAL_ERROR;
	r->security_mode = server_security_mode(c->cfg);
	memcpy(r->server_guid, c->srv->guid, 16);
	r->system_time = nttime_now();
	r->start_time = 0; /* [MS-SMB2] 2.2.4: servers SHOULD send zero */
	r->sec_blob = hint;
	r->sec_len = (size_t)hl;
	struct wr *w = req_body(req, 64 + (size_t)hl + 8 + 128);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_neg_rsp_encode(w, r);
	return STATUS_SUCCESS;
}

NTSTATUS negotiate_from_smb1(struct smb2_req *req, uint16_t dialect)
{
	struct conn *c = req->conn;
	struct neg_rsp r = { .dialect = dialect };
	uint32_t io = dialect == SMB2_DIALECT_202 ? 65536 : CONN_MAX_IO;
	r.max_transact = r.max_read = r.max_write = io;
	if (dialect != SMB2_DIALECT_202)
		r.capabilities = SMB2_GLOBAL_CAP_LARGE_MTU | SMB2_GLOBAL_CAP_LEASING;
	NTSTATUS st = encode_response(req, &r);
	if (!NT_OK(st))
		return st;
	if (dialect == SMB2_DIALECT_WILDCARD) {
		c->state = CONN_NEGOTIATE_WILD;
	} else {
		c->state = CONN_NEGOTIATED;
		c->dialect = dialect;
		c->server_caps = r.capabilities;
		c->server_sec_mode = r.security_mode;
		c->max_io = io;
		c->sign_algo = SMB2_SIGN_HMAC_SHA256;
		c->signing_required = c->cfg->server_signing == CFG_REQUIRED;
	}
	return STATUS_SUCCESS;
}

NTSTATUS cmd_negotiate(struct smb2_req *req)
{
	struct conn *c = req->conn;
	const struct config *cfg = c->cfg;
	if (c->state == CONN_NEGOTIATED) {
		/* 3.3.5.3.1/3.3.5.4: a second NEGOTIATE ends the connection */
		conn_warn(c, "second NEGOTIATE on one connection; disconnecting");
		req->disconnect = true;
		return STATUS_INVALID_PARAMETER;
	}
	struct neg_req q;
	NTSTATUS st = wire_neg_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	uint16_t dialect = select_dialect(cfg, q.dialects, q.dialect_count);
	if (!dialect) {
		conn_warn(c, "no common dialect (server allows %s..%s)", config_protocol_name(cfg->min_protocol),
			  config_protocol_name(cfg->max_protocol));
		return STATUS_NOT_SUPPORTED;
	}
	struct neg_rsp r = { .dialect = dialect };
	uint16_t cipher = SMB2_CIPHER_NONE, sign_algo = SMB2_SIGN_HMAC_SHA256;
	bool encrypt_ok = cfg->server_smb_encrypt != CFG_OFF;
	if (dialect == SMB2_DIALECT_311) {
		if (q.n_preauth != 1 || q.n_hash_algos == 0 || q.n_encrypt > 1 || q.n_signing > 1 ||
		    q.n_compress > 1 || q.n_netname > 1 || (q.n_encrypt && q.n_ciphers == 0) ||
		    (q.n_signing && q.n_sign_algos == 0))
			return STATUS_INVALID_PARAMETER;
		bool sha512 = false;
		for (unsigned i = 0; i < q.n_hash_algos && i < NEG_MAX_LIST; i++)
			if (q.hash_algos[i] == SMB2_PREAUTH_INTEGRITY_SHA512)
				sha512 = true;
		if (!sha512)
			return STATUS_SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP;
		if (RAND_bytes(r.preauth_salt, 32) != 1)
			return STATUS_INTERNAL_ERROR;
		if (q.n_encrypt) {
			cipher = encrypt_ok ? select_cipher(&q) : SMB2_CIPHER_NONE;
			r.send_encrypt_ctx = true;
			r.cipher = cipher;
		}
		sign_algo = select_sign_algo(&q);
		if (q.n_signing) {
			r.send_signing_ctx = true;
			r.sign_algo = sign_algo;
		}
		memset(c->preauth_hash, 0, 64);
		struct iovec v = { .iov_base = (void *)req->msg, .iov_len = req->len };
		smb2_preauth_update(c->preauth_hash, &v, 1);
		req->preauth_rsp = c->preauth_hash;
	} else if (dialect >= SMB2_DIALECT_300) {
		sign_algo = SMB2_SIGN_AES_CMAC;
		if (encrypt_ok && (q.capabilities & SMB2_GLOBAL_CAP_ENCRYPTION)) {
			cipher = SMB2_CIPHER_AES128_CCM;
			r.capabilities |= SMB2_GLOBAL_CAP_ENCRYPTION;
		}
	}
	if (dialect >= SMB2_DIALECT_210)
		r.capabilities |= SMB2_GLOBAL_CAP_LARGE_MTU | SMB2_GLOBAL_CAP_LEASING;
	if (dialect >= SMB2_DIALECT_300 && c->cfg->directory_leases)
		r.capabilities |= SMB2_GLOBAL_CAP_DIRECTORY_LEASING; /* leases on directories (fsa/lease.c) */
	uint32_t io = dialect >= SMB2_DIALECT_210 ? CONN_MAX_IO : 65536;
	r.max_transact = r.max_read = r.max_write = io;
	st = encode_response(req, &r);
	if (!NT_OK(st))
		return st;
	c->state = CONN_NEGOTIATED;
	c->dialect = dialect;
	c->client_caps = q.capabilities;
	c->client_sec_mode = q.security_mode;
	memcpy(c->client_guid, q.client_guid, 16);
	c->n_client_dialects = q.dialect_count;
	for (unsigned i = 0; i < q.dialect_count && i < 64; i++)
		c->client_dialects[i] = neg_req_dialect(&q, i);
	c->server_caps = r.capabilities;
	c->server_sec_mode = r.security_mode;
	c->cipher = cipher;
	c->sign_algo = sign_algo;
	c->max_io = io;
	c->signing_required = cfg->server_signing == CFG_REQUIRED ||
			      (q.security_mode & SMB2_NEGOTIATE_SIGNING_REQUIRED);
	conn_debug(c, "negotiated %s, cipher %u, signing algorithm %u", config_protocol_name(dialect), cipher,
		   sign_algo);
	return STATUS_SUCCESS;
}
