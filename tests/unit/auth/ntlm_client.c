/* Test-only NTLMSSP client ([MS-NLMP] 3.1.5.1, 3.3): builds NEGOTIATE and
 * AUTHENTICATE messages the way Windows and Samba clients do, to drive the
 * server end to end. Uses the same primitives as the server but assembles the
 * messages independently. Never used by smb3d itself. */
#include "ntlm_client.h"

#include "auth/auth_crypto.h"
#include "auth/spnego.h"
#include "base/rdwr.h"
#include "base/utf16.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t magic[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

void tc_init(struct tc *c, const struct tc_opts *o)
{
	memset(c, 0, sizeof(*c));
	c->o = *o;
}

void tc_free(struct tc *c)
{
	if (c->sign.ready)
		ntlm_sign_free(&c->sign);
}

const uint8_t *tc_negotiate(struct tc *c, size_t *len)
{
	uint32_t f = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_OEM | NTLMSSP_REQUEST_TARGET |
		     NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
		     NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 |
		     NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_TARGET_INFO;
	if (!c->o.no_sign)
		f |= NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL;
	if (!c->o.no_key_exch)
		f |= NTLMSSP_NEGOTIATE_KEY_EXCH;
	if (c->o.response == TC_NTLMV1)
		f &= ~NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
	struct wr w = wr_init(c->negotiate, sizeof(c->negotiate));
	wr_bytes(&w, magic, 8);
	wr_u32(&w, 1);
	wr_u32(&w, f);
	wr_zero(&w, 16); /* no domain, no workstation */
	wr_u8(&w, 10);	 /* Version 10.0.19041, revision 15 */
	wr_u8(&w, 0);
	wr_u16(&w, 19041);
	wr_zero(&w, 3);
	wr_u8(&w, 15);
	c->negotiate_len = w.pos;
	*len = w.pos;
	return c->negotiate;
}

static size_t to16(const char *s, uint8_t *out, size_t cap)
{
	long n = utf8_to_utf16le(s ? s : "", out, cap);
	return n < 0 ? 0 : (size_t)n;
}

/* The NTLMv2 client blob: header, then the server's AV pairs (without EOL),
 * our MsvAvFlags if we add a MIC, EOL, and 4 zero bytes (3.3.2). */
static size_t v2_blob(struct tc *c, struct rd ti, const uint8_t client_chal[8], uint8_t *out, size_t cap)
{
	struct wr w = wr_init(out, cap);
	uint8_t ts[8] = { 0 };
	wr_u8(&w, 1);
	wr_u8(&w, 1);
	wr_zero(&w, 6);
	size_t ts_at = w.pos;
	wr_zero(&w, 8);
	wr_bytes(&w, client_chal, 8);
	wr_zero(&w, 4);
	while (rd_left(&ti) >= 4) {
		uint16_t id = rd_u16(&ti), len = rd_u16(&ti);
		const uint8_t *v = rd_take(&ti, len);
		if (!v || id == MsvAvEOL)
			break;
		if (id == MsvAvTimestamp && len == 8)
			memcpy(ts, v, 8);
		if (id == MsvAvFlags || (id == MsvAvTimestamp && c->o.drop_timestamp))
			continue;
		wr_u16(&w, id);
		wr_u16(&w, len);
		wr_bytes(&w, v, len);
	}
	if (c->o.mic) {
		wr_u16(&w, MsvAvFlags);
		wr_u16(&w, 4);
		wr_u32(&w, NTLMSSP_AVFLAG_MIC_PRESENT);
	}
	wr_u32(&w, 0); /* MsvAvEOL */
	wr_zero(&w, 4);
	if (!w.bad)
		memcpy(out + ts_at, ts, 8);
	return w.bad ? 0 : w.pos;
}

static void put_field(struct wr *w, size_t at, size_t len, size_t off)
{
	wr_patch_u16(w, at, (uint16_t)len);
	wr_patch_u16(w, at + 2, (uint16_t)len);
	wr_patch_u32(w, at + 4, (uint32_t)off);
}

uint8_t *tc_authenticate(struct tc *c, const uint8_t *chal, size_t chal_len, size_t *len)
{
	struct rd r = rd_init(chal, chal_len);
	const uint8_t *sig = rd_take(&r, 8);
	uint32_t type = rd_u32(&r);
	rd_skip(&r, 8);
	uint32_t sflags = rd_u32(&r);
	uint8_t server_chal[8];
	rd_copy(&r, server_chal, 8);
	rd_skip(&r, 8);
	uint16_t ti_len = rd_u16(&r);
	rd_skip(&r, 2);
	uint32_t ti_off = rd_u32(&r);
	struct rd ti = rd_slice(&r, ti_off, ti_len);
	if (r.bad || ti.bad || memcmp(sig, magic, 8) != 0 || type != 2)
		return NULL;
	c->flags = sflags;

	uint8_t user[512], dom[512], ws[512], nt_hash[16], owf[16], kx[16];
	uint8_t lm[24], nt[1024], enc[16], client_chal[8];
	size_t ul = to16(c->o.user, user, sizeof(user)), dl = to16(c->o.domain, dom, sizeof(dom));
	size_t wl = to16(c->o.workstation, ws, sizeof(ws)), lm_len = 24, nt_len = 0;
	auth_random(client_chal, 8);
	ntlm_nt_hash(c->o.password ? c->o.password : "", nt_hash);
	c->have_key = true;
	switch (c->o.response) {
	case TC_NTLMV2: {
		size_t bl = v2_blob(c, ti, client_chal, nt + 16, sizeof(nt) - 16);
		uint8_t hd[512];
		size_t hl = c->o.hash_domain ? to16(c->o.hash_domain, hd, sizeof(hd)) : dl;
		ntlm_ntowfv2(nt_hash, user, ul, c->o.hash_domain ? hd : dom, hl, owf);
		ntlm_v2_proof(owf, server_chal, nt + 16, bl, nt);
		nt_len = 16 + bl;
		memset(lm, 0, 24); /* with MsvAvTimestamp the LM response is zeros */
		auth_hmac_md5_2(owf, 16, nt, 16, NULL, 0, kx);
		break;
	}
	case TC_LMV2_ONLY:
		ntlm_ntowfv2(nt_hash, user, ul, dom, dl, owf);
		ntlm_lmv2_response(owf, server_chal, client_chal, lm);
		c->have_key = false;
		break;
	case TC_NTLMV1:
	case TC_NTLM2_SESSION: {
		uint8_t ch[8], sbk[16];
		bool ess = c->o.response == TC_NTLM2_SESSION;
		if (ess) {
			ntlm_v1_ess_challenge(server_chal, client_chal, ch);
			memset(lm, 0, 24);
			memcpy(lm, client_chal, 8);
		} else {
			memcpy(ch, server_chal, 8);
			c->flags &= ~NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY;
		}
		ntlm_v1_response(nt_hash, ch, nt);
		if (!ess)
			memcpy(lm, nt, 24);
		nt_len = 24;
		auth_md4(nt_hash, 16, sbk);
		ntlm_v1_kxkey(ess ? NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY : 0, sbk, lm, server_chal, kx);
		break;
	}
	case TC_ANONYMOUS:
		ul = 0;
		lm[0] = 0;
		lm_len = 1;
		c->have_key = false;
		break;
	}
	size_t key_len = 0;
	if (c->have_key && (c->flags & NTLMSSP_NEGOTIATE_KEY_EXCH)) {
		auth_random(c->exported, 16);
		auth_rc4_once(kx, c->exported, enc, 16);
		key_len = 16;
	} else if (c->have_key) {
		memcpy(c->exported, kx, 16);
	}

	size_t hdr = c->o.mic ? 88 : 72;
	size_t cap = hdr + lm_len + nt_len + dl + ul + wl + key_len;
	uint8_t *buf = calloc(1, cap);
	if (!buf)
		return NULL;
	struct wr w = wr_init(buf, cap);
	wr_bytes(&w, magic, 8);
	wr_u32(&w, 3);
	wr_zero(&w, 6 * 8);
	wr_u32(&w, c->flags);
	wr_u8(&w, 10);
	wr_u8(&w, 0);
	wr_u16(&w, 19041);
	wr_zero(&w, 3);
	wr_u8(&w, 15);
	wr_zero(&w, hdr - w.pos); /* MIC, patched below */
	put_field(&w, 28, dl, w.pos);
	wr_bytes(&w, dom, dl);
	put_field(&w, 36, ul, w.pos);
	wr_bytes(&w, user, ul);
	put_field(&w, 44, wl, w.pos);
	wr_bytes(&w, ws, wl);
	put_field(&w, 12, lm_len, w.pos);
	wr_bytes(&w, lm, lm_len);
	put_field(&w, 20, nt_len, w.pos);
	wr_bytes(&w, nt, nt_len);
	put_field(&w, 52, key_len, w.pos);
	wr_bytes(&w, enc, key_len);
	if (w.bad) {
		free(buf);
		return NULL;
	}
	if (c->o.mic && c->have_key) {
		struct auth_part parts[3] = { { c->negotiate, c->negotiate_len }, { chal, chal_len }, { buf, w.pos } };
		auth_hmac_md5(c->exported, 16, parts, 3, buf + 72);
		if (c->o.corrupt_mic)
			buf[72] ^= 1;
	}
	if (c->have_key && (c->flags & NTLMSSP_NEGOTIATE_SIGN))
		ntlm_sign_init(&c->sign, c->flags, c->exported, false);
	*len = w.pos;
	return buf;
}

static const uint8_t krb5_oid[11] = { 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x12, 0x01, 0x02, 0x02 };

uint8_t *tc_spnego_init(int mechs, const uint8_t *token, size_t token_len, size_t *len)
{
	const uint8_t *m[2];
	size_t ml[2], n = 0;
	if (mechs == 1) {
		m[n] = krb5_oid;
		ml[n++] = sizeof(krb5_oid);
	}
	m[n] = spnego_oid_ntlmssp;
	ml[n++] = sizeof(spnego_oid_ntlmssp);
	size_t cap = token_len + 128;
	uint8_t *buf = malloc(cap);
	long l = buf ? spnego_encode_init(buf, cap, m, ml, n, token, token_len, NULL) : -1;
	if (l < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)l;
	return buf;
}

uint8_t *tc_spnego_resp(const uint8_t *token, size_t token_len, const uint8_t *mic, size_t mic_len, size_t *len)
{
	size_t cap = spnego_resp_size(SPNEGO_NO_STATE, 0, token ? token_len : 0, mic ? mic_len : 0);
	uint8_t *buf = malloc(cap);
	long l = buf ? spnego_encode_resp(buf, cap, SPNEGO_NO_STATE, NULL, 0, token, token_len, mic, mic_len) : -1;
	if (l < 0) {
		free(buf);
		return NULL;
	}
	*len = (size_t)l;
	return buf;
}

size_t tc_mech_types(int mechs, uint8_t *out, size_t cap)
{
	size_t n = 0;
	struct spnego_token t;
	uint8_t *init = tc_spnego_init(mechs, NULL, 0, &n);
	if (!init || !NT_OK(spnego_decode(init, n, &t)) || t.mech_types.len > cap) {
		free(init);
		return 0;
	}
	memcpy(out, t.mech_types.p, t.mech_types.len);
	free(init);
	return t.mech_types.len;
}
