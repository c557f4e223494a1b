/* NTLMSSP server side of [MS-NLMP]: NEGOTIATE (2.2.1.1) -> CHALLENGE (2.2.1.2,
 * 3.2.5.1.1), AUTHENTICATE (2.2.1.3, 3.2.5.1.2) verified as NTLMv2 (3.3.2) or,
 * if allowed, NTLMv1/NTLM2 (3.3.1); KEY_EXCH, MIC (3.1.5.1.2) and the signing
 * state. Wire bytes only through base/rdwr.h; never logs secrets. */
#include "auth/ntlmssp.h"

#include "auth/auth_crypto.h"
#include "base/log.h"
#include "base/nttime.h"
#include "base/rdwr.h"
#include "base/utf16.h"

#include <stdlib.h>
#include <string.h>

static const uint8_t ntlmssp_sig[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

/* Flags we echo when the client asks for them. */
#define NTLMSSP_ECHO_FLAGS                                                                                     \
	(NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_SEAL | NTLMSSP_NEGOTIATE_ALWAYS_SIGN |                      \
	 NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_128 |      \
	 NTLMSSP_NEGOTIATE_56 | NTLMSSP_NEGOTIATE_VERSION)

#define NAME16_MAX 512 /* bytes of UTF-16 in a user, domain or workstation name */

enum ns_state { NS_START, NS_CHALLENGED, NS_DONE };

struct name16 {
	uint8_t *p;
	size_t len;
};

struct ntlmssp_server {
	bool allow_ntlmv1;
	char *workgroup;
	struct name16 nb_domain, nb_name, dns_domain, dns_name;
	enum ns_state state;
	uint32_t chal_flags;
	uint32_t flags;
	uint8_t server_chal[8];
	uint64_t timestamp;
	bool fixed; /* server_chal and timestamp preset by a test */
	uint8_t *negotiate, *challenge;
	size_t negotiate_len, challenge_len;
	struct ntlm_sign sign;
	struct ratelimit rl;
};

static bool name16_set(struct name16 *n, const char *utf8)
{
	long len = utf8_utf16_len(utf8 ? utf8 : "");
	if (len < 0 || len > NAME16_MAX)
		return false;
	n->p = malloc((size_t)len + 1);
	if (!n->p)
		return false;
	n->len = (size_t)utf8_to_utf16le(utf8 ? utf8 : "", n->p, (size_t)len + 1);
	return true;
}

struct ntlmssp_server *ntlmssp_server_new(const struct ntlmssp_server_cfg *cfg)
{
	if (!auth_crypto_init())
		return NULL;
	struct ntlmssp_server *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	const char *nb = cfg->netbios_name && *cfg->netbios_name ? cfg->netbios_name : "SMB3D";
	const char *wg = cfg->workgroup && *cfg->workgroup ? cfg->workgroup : "WORKGROUP";
	char dns_default[64];
	size_t i;
	for (i = 0; nb[i] && i < sizeof(dns_default) - 1; i++)
		dns_default[i] = (char)(nb[i] >= 'A' && nb[i] <= 'Z' ? nb[i] - 'A' + 'a' : nb[i]);
	dns_default[i] = 0;
	const char *dn = cfg->dns_name && *cfg->dns_name ? cfg->dns_name : dns_default;
	s->allow_ntlmv1 = cfg->allow_ntlmv1;
	s->workgroup = strdup(wg);
	s->rl = (struct ratelimit){ .burst = 10, .interval_ms = 60000 };
	if (!s->workgroup || !name16_set(&s->nb_domain, wg) || !name16_set(&s->nb_name, nb) ||
	    !name16_set(&s->dns_domain, cfg->dns_domain) || !name16_set(&s->dns_name, dn)) {
		ntlmssp_server_free(s);
		return NULL;
	}
	return s;
}

void ntlmssp_server_free(struct ntlmssp_server *s)
{
	if (!s)
		return;
	free(s->workgroup);
	free(s->nb_domain.p);
	free(s->nb_name.p);
	free(s->dns_domain.p);
	free(s->dns_name.p);
	free(s->negotiate);
	free(s->challenge);
	ntlm_sign_free(&s->sign);
	auth_wipe(s, sizeof(*s));
	free(s);
}

uint32_t ntlmssp_server_flags(const struct ntlmssp_server *s)
{
	return s->flags;
}

void ntlmssp_server_fix_challenge(struct ntlmssp_server *s, const uint8_t chal[8], uint64_t timestamp)
{
	memcpy(s->server_chal, chal, 8);
	s->timestamp = timestamp;
	s->fixed = true;
}

struct ntlm_sign *ntlmssp_server_signer(struct ntlmssp_server *s)
{
	return s->sign.ready ? &s->sign : NULL;
}

static void put_av(struct wr *w, uint16_t id, const struct name16 *n)
{
	wr_u16(w, id);
	wr_u16(w, (uint16_t)n->len);
	wr_bytes(w, n->p, n->len);
}

static uint32_t negotiate_flags(uint32_t client, bool have_msg)
{
	uint32_t f = NTLMSSP_NEGOTIATE_NTLM | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_TARGET_INFO |
		     NTLMSSP_TARGET_TYPE_DOMAIN;
	if (!have_msg)
		client = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_ECHO_FLAGS;
	if (client & NTLMSSP_NEGOTIATE_UNICODE || !(client & NTLMSSP_NEGOTIATE_OEM))
		f |= NTLMSSP_NEGOTIATE_UNICODE;
	else
		f |= NTLMSSP_NEGOTIATE_OEM;
	f |= client & NTLMSSP_ECHO_FLAGS;
	return f;
}

NTSTATUS ntlmssp_server_negotiate(struct ntlmssp_server *s, const uint8_t *in, size_t in_len, uint8_t **out,
				  size_t *out_len)
{
	uint32_t client_flags = 0;
	*out = NULL;
	*out_len = 0;
	if (s->state != NS_START || in_len > NTLMSSP_MAX_MSG)
		return STATUS_INVALID_PARAMETER;
	if (in_len) {
		struct rd r = rd_init(in, in_len);
		const uint8_t *sig = rd_take(&r, 8);
		uint32_t type = rd_u32(&r);
		client_flags = rd_u32(&r);
		if (r.bad || memcmp(sig, ntlmssp_sig, 8) != 0 || type != NTLMSSP_NEGOTIATE_MSG)
			return STATUS_INVALID_PARAMETER;
		s->negotiate = malloc(in_len);
		if (!s->negotiate)
			return STATUS_NO_MEMORY;
		memcpy(s->negotiate, in, in_len);
		s->negotiate_len = in_len;
	}
	s->chal_flags = negotiate_flags(client_flags, in_len != 0);
	if (!s->fixed) {
		if (!auth_random(s->server_chal, 8))
			return STATUS_INTERNAL_ERROR;
		s->timestamp = nttime_now();
	}

	/* Target name: UTF-16 or (OEM) the UTF-8 bytes of the workgroup. */
	const uint8_t *tn = s->nb_domain.p;
	size_t tn_len = s->nb_domain.len;
	if (!(s->chal_flags & NTLMSSP_NEGOTIATE_UNICODE)) {
		tn = (const uint8_t *)s->workgroup;
		tn_len = strlen(s->workgroup);
	}
	size_t cap = 56 + tn_len + 5 * 4 + s->nb_domain.len + s->nb_name.len + s->dns_domain.len +
		     s->dns_name.len + 12 + 4;
	uint8_t *buf = malloc(cap);
	if (!buf)
		return STATUS_NO_MEMORY;
	struct wr w = wr_init(buf, cap);
	wr_bytes(&w, ntlmssp_sig, 8);
	wr_u32(&w, NTLMSSP_CHALLENGE_MSG);
	wr_u16(&w, (uint16_t)tn_len);
	wr_u16(&w, (uint16_t)tn_len);
	wr_u32(&w, 56);
	wr_u32(&w, s->chal_flags);
	wr_bytes(&w, s->server_chal, 8);
	wr_zero(&w, 8);
	size_t ti_fields = w.pos;
	wr_zero(&w, 8);
	/* Version ([MS-NLMP] 2.2.2.10): 6.1 build 7600, NTLMSSP_REVISION_W2K3. */
	wr_u8(&w, 6);
	wr_u8(&w, 1);
	wr_u16(&w, 7600);
	wr_zero(&w, 3);
	wr_u8(&w, 0x0f);
	wr_bytes(&w, tn, tn_len);
	size_t ti_start = w.pos;
	put_av(&w, MsvAvNbDomainName, &s->nb_domain);
	put_av(&w, MsvAvNbComputerName, &s->nb_name);
	if (s->dns_domain.len)
		put_av(&w, MsvAvDnsDomainName, &s->dns_domain);
	put_av(&w, MsvAvDnsComputerName, &s->dns_name);
	wr_u16(&w, MsvAvTimestamp);
	wr_u16(&w, 8);
	wr_u64(&w, s->timestamp);
	wr_u16(&w, MsvAvEOL);
	wr_u16(&w, 0);
	size_t ti_len = w.pos - ti_start;
	wr_patch_u16(&w, ti_fields, (uint16_t)ti_len);
	wr_patch_u16(&w, ti_fields + 2, (uint16_t)ti_len);
	wr_patch_u32(&w, ti_fields + 4, (uint32_t)ti_start);
	if (w.bad) {
		free(buf);
		return STATUS_INTERNAL_ERROR;
	}
	s->challenge = malloc(w.pos);
	if (!s->challenge) {
		free(buf);
		return STATUS_NO_MEMORY;
	}
	memcpy(s->challenge, buf, w.pos);
	s->challenge_len = w.pos;
	s->state = NS_CHALLENGED;
	*out = buf;
	*out_len = w.pos;
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* One payload field of AUTHENTICATE: Len, MaxLen, Offset, as a slice of the
 * whole message. An empty field may carry any offset. */
static struct rd take_field(struct rd *hdr, const struct rd *msg)
{
	uint16_t len = rd_u16(hdr);
	(void)rd_u16(hdr);
	uint32_t off = rd_u32(hdr);
	if (hdr->bad)
		return (struct rd){ .bad = true };
	if (len == 0)
		return rd_init(msg->p, 0);
	return rd_slice(msg, off, len);
}

/* Converts a wire string to UTF-16LE (copy) and UTF-8. OEM strings are taken
 * as Latin-1. */
static bool wire_string(struct rd f, bool unicode, struct name16 *u16, char *utf8, size_t cap)
{
	size_t n = f.len;
	u16->p = NULL;
	u16->len = 0;
	if (unicode ? (n & 1) || n > NAME16_MAX : n > NAME16_MAX / 2)
		return false;
	u16->p = malloc(unicode ? n + 1 : 2 * n + 1);
	if (!u16->p)
		return false;
	if (unicode) {
		if (n)
			memcpy(u16->p, f.p, n);
		u16->len = n;
	} else {
		for (size_t i = 0; i < n; i++) {
			u16->p[2 * i] = f.p[i];
			u16->p[2 * i + 1] = 0;
		}
		u16->len = 2 * n;
	}
	if (u16->len == 0) {
		utf8[0] = 0;
		return true;
	}
	return utf16le_to_utf8(u16->p, u16->len, utf8, cap) >= 0;
}

/* What the NTLMv2 blob (the response after NTProofStr) says. */
struct v2_blob {
	uint32_t av_flags;
	bool has_eol;
	struct rd av[MsvAvChannelBindings + 1]; /* first occurrence of each known AvId */
	bool av_seen[MsvAvChannelBindings + 1];
};

/* NTLMv2_CLIENT_CHALLENGE, [MS-NLMP] 2.2.2.7, and its AV pairs. */
static bool parse_v2_blob(struct rd b, struct v2_blob *v)
{
	memset(v, 0, sizeof(*v));
	uint8_t resp_type = rd_u8(&b), hi_resp_type = rd_u8(&b);
	rd_skip(&b, 2 + 4 + 8 + 8 + 4); /* reserved, timestamp, client challenge, reserved */
	if (b.bad || resp_type != 1 || hi_resp_type != 1)
		return false;
	while (rd_left(&b) >= 4) {
		uint16_t id = rd_u16(&b), len = rd_u16(&b);
		struct rd val = rd_sub(&b, len);
		if (val.bad)
			return false;
		if (id == MsvAvEOL) {
			v->has_eol = true;
			return true;
		}
		if (id <= MsvAvChannelBindings && !v->av_seen[id]) {
			v->av_seen[id] = true;
			v->av[id] = val;
		}
		if (id == MsvAvFlags) {
			if (len != 4)
				return false;
			v->av_flags = le32_at(val.p);
		}
	}
	return false; /* no MsvAvEOL */
}

static bool av_equals(const struct v2_blob *v, int id, const uint8_t *p, size_t len)
{
	return v->av_seen[id] && v->av[id].len == len && (len == 0 || memcmp(v->av[id].p, p, len) == 0);
}

/* Like Samba: the client must echo the TargetInfo pairs we sent, unchanged. */
static bool v2_echoes_target_info(const struct ntlmssp_server *s, const struct v2_blob *v)
{
	uint8_t ts[8];
	wr_le64_at(ts, s->timestamp);
	return av_equals(v, MsvAvNbDomainName, s->nb_domain.p, s->nb_domain.len) &&
	       av_equals(v, MsvAvNbComputerName, s->nb_name.p, s->nb_name.len) &&
	       (!s->dns_domain.len || av_equals(v, MsvAvDnsDomainName, s->dns_domain.p, s->dns_domain.len)) &&
	       av_equals(v, MsvAvDnsComputerName, s->dns_name.p, s->dns_name.len) &&
	       av_equals(v, MsvAvTimestamp, ts, 8);
}

struct auth_msg {
	struct rd lm, nt, enc_key;
	struct name16 user16, dom16, ws16;
	uint32_t flags;
	bool has_mic;
};

/* Tries NTLMv2 with each candidate domain, always doing all the HMAC work.
 * Returns true and the SessionBaseKey on a match. */
static bool verify_v2(const struct ntlmssp_server *s, const struct auth_msg *m, const uint8_t nt_hash[16],
		      uint8_t session_base_key[16])
{
	uint8_t upper_dom[NAME16_MAX];
	memcpy(upper_dom, m->dom16.p, m->dom16.len);
	utf16le_upper_ascii(upper_dom, m->dom16.len);
	const struct name16 doms[5] = {
		m->dom16, { upper_dom, m->dom16.len }, { NULL, 0 }, s->nb_domain, s->nb_name,
	};
	const uint8_t *proof = m->nt.p;
	bool match = false;
	uint8_t owf[16], got[16], good_owf[16];
	memset(good_owf, 0, sizeof(good_owf));
	for (int i = 0; i < 5; i++) {
		if (!ntlm_ntowfv2(nt_hash, m->user16.p, m->user16.len, doms[i].p, doms[i].len, owf) ||
		    !ntlm_v2_proof(owf, s->server_chal, m->nt.p + 16, m->nt.len - 16, got))
			continue;
		if (auth_mem_equal(got, proof, 16) && !match) {
			match = true;
			memcpy(good_owf, owf, 16);
		}
	}
	bool ok = match && auth_hmac_md5_2(good_owf, 16, proof, 16, NULL, 0, session_base_key);
	auth_wipe(owf, sizeof(owf));
	auth_wipe(good_owf, sizeof(good_owf));
	return ok;
}

/* NTLMv1, with the NTLM2 session response when ESS is in use. */
static bool verify_v1(const struct ntlmssp_server *s, const struct auth_msg *m, bool ess, const uint8_t nt_hash[16],
		      uint8_t key_exchange_key[16])
{
	uint8_t chal[8], want[24], sbk[16];
	bool ok;
	if (ess)
		ok = ntlm_v1_ess_challenge(s->server_chal, m->lm.p, chal);
	else
		ok = (memcpy(chal, s->server_chal, 8), true);
	ok = ok && ntlm_v1_response(nt_hash, chal, want);
	bool match = ok && auth_mem_equal(want, m->nt.p, 24);
	ok = match && auth_md4(nt_hash, 16, sbk) &&
	     ntlm_v1_kxkey(ess ? NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY : 0, sbk, m->lm.p, s->server_chal,
			   key_exchange_key);
	auth_wipe(sbk, sizeof(sbk));
	return ok;
}

static NTSTATUS parse_authenticate(struct ntlmssp_server *s, const uint8_t *in, size_t in_len, struct auth_msg *m,
				   struct ntlmssp_auth_info *info)
{
	struct rd msg = rd_init(in, in_len);
	struct rd hdr = rd_init(in, in_len);
	const uint8_t *sig = rd_take(&hdr, 8);
	uint32_t type = rd_u32(&hdr);
	if (hdr.bad || in_len < 64 || memcmp(sig, ntlmssp_sig, 8) != 0 || type != NTLMSSP_AUTHENTICATE_MSG)
		return STATUS_INVALID_PARAMETER;
	m->lm = take_field(&hdr, &msg);
	m->nt = take_field(&hdr, &msg);
	struct rd dom = take_field(&hdr, &msg);
	struct rd user = take_field(&hdr, &msg);
	struct rd ws = take_field(&hdr, &msg);
	m->enc_key = take_field(&hdr, &msg);
	m->flags = rd_u32(&hdr);
	if (hdr.bad || m->lm.bad || m->nt.bad || dom.bad || user.bad || ws.bad || m->enc_key.bad)
		return STATUS_INVALID_PARAMETER;
	bool unicode = s->chal_flags & NTLMSSP_NEGOTIATE_UNICODE;
	if (!wire_string(dom, unicode, &m->dom16, info->domain, sizeof(info->domain)) ||
	    !wire_string(user, unicode, &m->user16, info->user, sizeof(info->user)) ||
	    !wire_string(ws, unicode, &m->ws16, info->workstation, sizeof(info->workstation)))
		return STATUS_INVALID_PARAMETER;
	/* The flags the client finally chose narrow what we offered. */
	s->flags = s->chal_flags;
	if (m->flags)
		s->flags &= ~(NTLMSSP_ECHO_FLAGS & ~m->flags);
	return STATUS_SUCCESS;
}

static void free_msg(struct auth_msg *m)
{
	free(m->user16.p);
	free(m->dom16.p);
	free(m->ws16.p);
}

/* MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE
 * with the MIC zeroed), 3.1.5.1.2. */
static bool mic_ok(const struct ntlmssp_server *s, const uint8_t *in, size_t in_len, const uint8_t key[16])
{
	static const uint8_t zero[NTLMSSP_MIC_SIZE];
	uint8_t mic[16];
	struct auth_part parts[5] = {
		{ s->negotiate, s->negotiate_len },
		{ s->challenge, s->challenge_len },
		{ in, NTLMSSP_MIC_OFFSET },
		{ zero, NTLMSSP_MIC_SIZE },
		{ in + NTLMSSP_MIC_OFFSET + NTLMSSP_MIC_SIZE, in_len - NTLMSSP_MIC_OFFSET - NTLMSSP_MIC_SIZE },
	};
	return auth_hmac_md5(key, 16, parts, 5, mic) && auth_mem_equal(mic, in + NTLMSSP_MIC_OFFSET, 16);
}

static NTSTATUS fail(struct ntlmssp_auth_info *info, enum auth_outcome o, NTSTATUS st)
{
	info->outcome = o;
	return st;
}

NTSTATUS ntlmssp_server_authenticate(struct ntlmssp_server *s, const uint8_t *in, size_t in_len,
				     auth_lookup_fn lookup, void *lookup_ctx, struct ntlmssp_auth_info *info)
{
	struct auth_msg m = { 0 };
	struct v2_blob v2;
	uint8_t nt_hash[16], kxkey[16], exported[16];
	NTSTATUS st;
	bool is_v2 = false, ess = false;

	memset(info, 0, sizeof(*info));
	info->outcome = AUTH_BAD_MESSAGE;
	if (s->state != NS_CHALLENGED || in_len > NTLMSSP_MAX_MSG)
		return STATUS_INVALID_PARAMETER;
	s->state = NS_DONE;
	st = parse_authenticate(s, in, in_len, &m, info);
	if (!NT_OK(st))
		goto out;

	/* Anonymous: no user, no NT response, LM empty or one zero byte (3.2.5.1.2). */
	if (m.user16.len == 0 && m.nt.len == 0 && (m.lm.len == 0 || (m.lm.len == 1 && m.lm.p[0] == 0))) {
		info->outcome = AUTH_ANONYMOUS;
		st = STATUS_SUCCESS;
		goto out;
	}
	if (m.nt.len > 24) {
		is_v2 = true;
		if (m.nt.len < 16 + 28 + 4 || !parse_v2_blob(rd_init(m.nt.p + 16, m.nt.len - 16), &v2) ||
		    !v2_echoes_target_info(s, &v2)) {
			st = fail(info, AUTH_BAD_MESSAGE, STATUS_INVALID_PARAMETER);
			goto out;
		}
		if (v2.av_flags & NTLMSSP_AVFLAG_MIC_PRESENT) {
			if (in_len < NTLMSSP_MIC_OFFSET + NTLMSSP_MIC_SIZE) {
				st = fail(info, AUTH_BAD_MESSAGE, STATUS_INVALID_PARAMETER);
				goto out;
			}
			m.has_mic = true;
		}
	} else if (m.nt.len == 24) {
		if (!s->allow_ntlmv1) {
			if (ratelimit_ok(&s->rl))
				log_info("auth: refused an NTLMv1 logon for user \"%s\" (ntlm auth = ntlmv2-only)",
					 info->user);
			st = fail(info, AUTH_WRONG_PASSWORD, STATUS_LOGON_FAILURE);
			goto out;
		}
		/* NTLM2 session response: ESS with the client challenge in LM. */
		ess = (s->flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY) && m.lm.len == 24;
	} else if (m.nt.len == 0) {
		/* LM/LMv2-only or no response at all: never accepted. */
		if (ratelimit_ok(&s->rl))
			log_info("auth: refused a logon without an NT response for user \"%s\"", info->user);
		st = fail(info, AUTH_WRONG_PASSWORD, STATUS_LOGON_FAILURE);
		goto out;
	} else {
		st = fail(info, AUTH_BAD_MESSAGE, STATUS_INVALID_PARAMETER);
		goto out;
	}

	/* Unknown users get a random hash so the work (and time) is the same. */
	if (!auth_random(nt_hash, 16)) {
		st = fail(info, AUTH_BAD_MESSAGE, STATUS_INTERNAL_ERROR);
		goto out;
	}
	int rc = lookup ? lookup(lookup_ctx, info->user, nt_hash) : -1;
	bool match = is_v2 ? verify_v2(s, &m, nt_hash, kxkey) : verify_v1(s, &m, ess, nt_hash, kxkey);
	auth_wipe(nt_hash, sizeof(nt_hash));
	if (rc != 0 && rc != -2) {
		st = fail(info, AUTH_NO_SUCH_USER, STATUS_LOGON_FAILURE);
		goto out;
	}
	if (!match) {
		st = fail(info, AUTH_WRONG_PASSWORD, STATUS_LOGON_FAILURE);
		goto out;
	}
	if (rc == -2) {
		st = fail(info, AUTH_ACCOUNT_DISABLED, STATUS_ACCOUNT_DISABLED);
		goto out;
	}

	/* KEY_EXCH: the client chose the session key and sent it under KXKEY. */
	if (s->flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		if (m.enc_key.len != 16 || !auth_rc4_once(kxkey, m.enc_key.p, exported, 16)) {
			st = fail(info, AUTH_BAD_MESSAGE, STATUS_INVALID_PARAMETER);
			goto out;
		}
	} else {
		memcpy(exported, kxkey, 16);
	}
	if (m.has_mic && !mic_ok(s, in, in_len, exported)) {
		if (ratelimit_ok(&s->rl))
			log_info("auth: NTLMSSP MIC of user \"%s\" does not verify", info->user);
		st = fail(info, AUTH_BAD_MESSAGE, STATUS_LOGON_FAILURE);
		goto out;
	}
	memcpy(info->session_key, exported, 16);
	info->have_session_key = true;
	info->mic_present = m.has_mic;
	if (s->flags & NTLMSSP_NEGOTIATE_SIGN)
		info->can_sign = ntlm_sign_init(&s->sign, s->flags, exported, true);
	info->outcome = AUTH_OK;
	st = STATUS_SUCCESS;
out:
	auth_wipe(kxkey, sizeof(kxkey));
	auth_wipe(exported, sizeof(exported));
	free_msg(&m);
	return st;
}
