/* SESSION_SETUP authentication glue (see auth.h): SPNEGO ([MS-SPNG] 3.2.5,
 * RFC 4178 5) or raw NTLMSSP around the NTLMSSP server, with the mechListMIC
 * exchange of RFC 4178 5 as Samba's gensec_spnego server does it. No SMB2, no
 * sockets; the caller supplies the user lookup. */
#include "auth/auth.h"

#include "auth/auth_crypto.h"
#include "auth/ntlmssp.h"
#include "auth/spnego.h"
#include "base/log.h"

#include <stdlib.h>
#include <string.h>

static const char spnego_hint_name[] = "not_defined_in_RFC4178@please_ignore";
static const uint8_t ntlmssp_magic[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

enum auth_state {
	A_START,	    /* nothing received yet */
	A_WAIT_NEGOTIATE,   /* SPNEGO chose NTLMSSP without an optimistic token */
	A_CHALLENGED,	    /* CHALLENGE sent, AUTHENTICATE expected */
	A_MIC_PENDING,	    /* authenticated; the client's mechListMIC is still due */
	A_GUESTABLE,	    /* failed with bad user/password: a guest token may follow */
	A_DONE,
};

struct auth_ctx {
	char *netbios_name, *workgroup, *dns_name, *dns_domain;
	bool allow_ntlmv1;
	struct ntlmssp_server *ntlm;
	enum auth_state state;
	bool spnego;
	bool mic_requested; /* NTLMSSP was not the client's first mechanism */
	uint8_t *mech_types;
	size_t mech_types_len;
	struct auth_result pending;
};

long auth_negotiate_hint(uint8_t *buf, size_t cap)
{
	const uint8_t *mechs[1] = { spnego_oid_ntlmssp };
	size_t lens[1] = { sizeof(spnego_oid_ntlmssp) };
	return spnego_encode_init(buf, cap, mechs, lens, 1, NULL, 0, spnego_hint_name);
}

static char *dup_or_empty(const char *s)
{
	return strdup(s ? s : "");
}

struct auth_ctx *auth_ctx_new(const struct auth_cfg *cfg)
{
	if (!auth_crypto_init())
		return NULL;
	struct auth_ctx *a = calloc(1, sizeof(*a));
	if (!a)
		return NULL;
	a->netbios_name = dup_or_empty(cfg->netbios_name);
	a->workgroup = dup_or_empty(cfg->workgroup);
	a->dns_name = dup_or_empty(cfg->dns_name);
	a->dns_domain = dup_or_empty(cfg->dns_domain);
	a->allow_ntlmv1 = cfg->ntlm_auth == NTLM_AUTH_NTLMV1_PERMITTED;
	if (!a->netbios_name || !a->workgroup || !a->dns_name || !a->dns_domain) {
		auth_ctx_free(a);
		return NULL;
	}
	struct ntlmssp_server_cfg ncfg = {
		.netbios_name = a->netbios_name,
		.workgroup = a->workgroup,
		.dns_name = a->dns_name,
		.dns_domain = a->dns_domain,
		.allow_ntlmv1 = a->allow_ntlmv1,
	};
	a->ntlm = ntlmssp_server_new(&ncfg);
	if (!a->ntlm) {
		auth_ctx_free(a);
		return NULL;
	}
	return a;
}

void auth_ctx_free(struct auth_ctx *a)
{
	if (!a)
		return;
	ntlmssp_server_free(a->ntlm);
	free(a->netbios_name);
	free(a->workgroup);
	free(a->dns_name);
	free(a->dns_domain);
	free(a->mech_types);
	auth_wipe(&a->pending, sizeof(a->pending));
	free(a);
}

/* Builds a malloc'd NegTokenResp. */
static NTSTATUS make_resp(int neg_state, bool with_mech, const uint8_t *token, size_t token_len, const uint8_t *mic,
			  size_t mic_len, uint8_t **out, size_t *out_len)
{
	const uint8_t *oid = with_mech ? spnego_oid_ntlmssp : NULL;
	size_t oid_len = with_mech ? sizeof(spnego_oid_ntlmssp) : 0;
	size_t cap = spnego_resp_size(neg_state, oid_len, token ? token_len : 0, mic ? mic_len : 0);
	uint8_t *buf = malloc(cap);
	if (!buf)
		return STATUS_NO_MEMORY;
	long n = spnego_encode_resp(buf, cap, neg_state, oid, oid_len, token, token_len, mic, mic_len);
	if (n < 0) {
		free(buf);
		return STATUS_INTERNAL_ERROR;
	}
	*out = buf;
	*out_len = (size_t)n;
	return STATUS_SUCCESS;
}

static void copy_info(struct auth_result *res, const struct ntlmssp_auth_info *info)
{
	res->outcome = info->outcome;
	memcpy(res->user, info->user, sizeof(res->user));
	memcpy(res->domain, info->domain, sizeof(res->domain));
	memcpy(res->workstation, info->workstation, sizeof(res->workstation));
	if (info->have_session_key) {
		memcpy(res->session_key, info->session_key, 16);
		res->have_session_key = true;
	}
}

/* Starts NTLMSSP with a NEGOTIATE (or nothing) and wraps the CHALLENGE. */
static NTSTATUS send_challenge(struct auth_ctx *a, const uint8_t *neg, size_t neg_len, int neg_state,
			       bool with_mech, uint8_t **out, size_t *out_len)
{
	uint8_t *chal = NULL;
	size_t chal_len = 0;
	if (neg_len < 8 || memcmp(neg, ntlmssp_magic, 8) != 0)
		return STATUS_INVALID_PARAMETER;
	NTSTATUS st = ntlmssp_server_negotiate(a->ntlm, neg, neg_len, &chal, &chal_len);
	if (!NT_EQ(st, STATUS_MORE_PROCESSING_REQUIRED))
		return st;
	a->state = A_CHALLENGED;
	if (!a->spnego) {
		*out = chal;
		*out_len = chal_len;
		return st;
	}
	NTSTATUS st2 = make_resp(neg_state, with_mech, chal, chal_len, NULL, 0, out, out_len);
	free(chal);
	return NT_OK(st2) ? st : st2;
}

/* The client's first SPNEGO token: pick NTLMSSP from its mechTypes. */
static NTSTATUS step_init(struct auth_ctx *a, const struct spnego_token *t, uint8_t **out, size_t *out_len)
{
	size_t idx;
	if (t->kind != SPNEGO_NEG_TOKEN_INIT)
		return STATUS_INVALID_PARAMETER;
	for (idx = 0; idx < t->n_mechs; idx++)
		if (spnego_oid_equal(&t->mechs[idx], spnego_oid_ntlmssp, sizeof(spnego_oid_ntlmssp)))
			break;
	if (idx == t->n_mechs) {
		log_debug("auth: the client offered no NTLMSSP in SPNEGO");
		return STATUS_INVALID_PARAMETER;
	}
	a->mech_types = malloc(t->mech_types.len);
	if (!a->mech_types)
		return STATUS_NO_MEMORY;
	memcpy(a->mech_types, t->mech_types.p, t->mech_types.len);
	a->mech_types_len = t->mech_types.len;
	if (idx == 0 && t->mech_token.present && t->mech_token.len)
		return send_challenge(a, t->mech_token.p, t->mech_token.len, SPNEGO_ACCEPT_INCOMPLETE, true, out,
				      out_len);
	/* Not the client's preferred mechanism (its optimistic token, if any, is
	 * for another one), or no token: ask for an NTLMSSP NEGOTIATE. A
	 * downgrade must be protected by mechListMIC (RFC 4178 5). */
	a->mic_requested = idx != 0;
	NTSTATUS st = make_resp(a->mic_requested ? SPNEGO_REQUEST_MIC : SPNEGO_ACCEPT_INCOMPLETE, true, NULL, 0, NULL,
				0, out, out_len);
	if (!NT_OK(st))
		return st;
	a->state = A_WAIT_NEGOTIATE;
	return STATUS_MORE_PROCESSING_REQUIRED;
}

/* AUTHENTICATE (raw, or the responseToken of a NegTokenResp). */
static NTSTATUS step_auth(struct auth_ctx *a, const uint8_t *msg, size_t len, const struct spnego_bytes *client_mic,
			  auth_lookup_fn lookup, void *lookup_ctx, uint8_t **out, size_t *out_len,
			  struct auth_result *res)
{
	struct ntlmssp_auth_info info;
	uint8_t our_mic[NTLMSSP_SIGNATURE_SIZE];
	NTSTATUS st = ntlmssp_server_authenticate(a->ntlm, msg, len, lookup, lookup_ctx, &info);
	copy_info(res, &info);
	auth_wipe(info.session_key, sizeof(info.session_key));
	a->state = A_DONE;
	if (!NT_OK(st)) {
		if (info.outcome == AUTH_NO_SUCH_USER || info.outcome == AUTH_WRONG_PASSWORD)
			a->state = A_GUESTABLE;
		log_debug("auth: logon of \"%s\\%s\" from \"%s\" failed: %s", res->domain, res->user,
			  res->workstation, nt_status_name(st));
		return st;
	}
	if (!a->spnego)
		return STATUS_SUCCESS;
	if (info.outcome == AUTH_ANONYMOUS)
		return make_resp(SPNEGO_ACCEPT_COMPLETED, false, NULL, 0, NULL, 0, out, out_len);

	/* mechListMIC, as Samba's server: when signing is possible and either
	 * the NTLMSSP MIC was present, the client sent a mechListMIC, or we
	 * asked for one, both sides sign the client's mechTypes. */
	struct ntlm_sign *signer = ntlmssp_server_signer(a->ntlm);
	bool have_sign = info.can_sign && signer;
	bool need_mic = have_sign && (info.mic_present || client_mic->present || a->mic_requested);
	if (have_sign && client_mic->present) {
		if (!ntlm_check_msg(signer, a->mech_types, a->mech_types_len, client_mic->p, client_mic->len)) {
			log_debug("auth: SPNEGO mechListMIC of \"%s\" does not verify", res->user);
			res->outcome = AUTH_BAD_MESSAGE;
			return STATUS_LOGON_FAILURE;
		}
	}
	if (need_mic && !ntlm_sign_msg(signer, a->mech_types, a->mech_types_len, our_mic)) {
		res->outcome = AUTH_BAD_MESSAGE;
		return STATUS_INTERNAL_ERROR;
	}
	if (need_mic && !client_mic->present) {
		/* Ours now, the client's in the next round. */
		st = make_resp(SPNEGO_ACCEPT_INCOMPLETE, false, NULL, 0, our_mic, sizeof(our_mic), out, out_len);
		if (!NT_OK(st))
			return st;
		a->pending = *res;
		a->state = A_MIC_PENDING;
		return STATUS_MORE_PROCESSING_REQUIRED;
	}
	return make_resp(SPNEGO_ACCEPT_COMPLETED, false, NULL, 0, need_mic ? our_mic : NULL, sizeof(our_mic), out,
			 out_len);
}

static NTSTATUS step_mic(struct auth_ctx *a, const struct spnego_token *t, uint8_t **out, size_t *out_len,
			 struct auth_result *res)
{
	struct ntlm_sign *signer = ntlmssp_server_signer(a->ntlm);
	a->state = A_DONE;
	if (t->response_token.present || !t->mech_list_mic.present || !signer)
		return STATUS_INVALID_PARAMETER;
	*res = a->pending;
	auth_wipe(&a->pending, sizeof(a->pending));
	if (!ntlm_check_msg(signer, a->mech_types, a->mech_types_len, t->mech_list_mic.p, t->mech_list_mic.len)) {
		log_debug("auth: SPNEGO mechListMIC of \"%s\" does not verify", res->user);
		res->outcome = AUTH_BAD_MESSAGE;
		res->have_session_key = false;
		auth_wipe(res->session_key, sizeof(res->session_key));
		return STATUS_LOGON_FAILURE;
	}
	return make_resp(SPNEGO_ACCEPT_COMPLETED, false, NULL, 0, NULL, 0, out, out_len);
}

NTSTATUS auth_ctx_step(struct auth_ctx *a, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
		       auth_lookup_fn lookup, void *lookup_ctx, struct auth_result *res)
{
	struct spnego_token t;
	NTSTATUS st = STATUS_INVALID_PARAMETER;
	*out = NULL;
	*out_len = 0;
	memset(res, 0, sizeof(*res));
	res->outcome = AUTH_BAD_MESSAGE;
	if (!in && in_len)
		in_len = 0;
	enum auth_state was = a->state;
	bool raw = in_len >= 8 && memcmp(in, ntlmssp_magic, 8) == 0;

	switch (was) {
	case A_START:
		a->spnego = !raw;
		if (raw) {
			st = send_challenge(a, in, in_len, SPNEGO_NO_STATE, false, out, out_len);
		} else if (NT_OK(spnego_decode(in, in_len, &t))) {
			st = step_init(a, &t, out, out_len);
		}
		break;
	case A_WAIT_NEGOTIATE:
		if (NT_OK(spnego_decode(in, in_len, &t)) && t.kind == SPNEGO_NEG_TOKEN_RESP &&
		    t.response_token.present)
			st = send_challenge(a, t.response_token.p, t.response_token.len, SPNEGO_ACCEPT_INCOMPLETE,
					    false, out, out_len);
		break;
	case A_CHALLENGED:
		if (!a->spnego) {
			struct spnego_bytes none = { 0 };
			st = raw ? step_auth(a, in, in_len, &none, lookup, lookup_ctx, out, out_len, res)
				 : STATUS_INVALID_PARAMETER;
		} else if (NT_OK(spnego_decode(in, in_len, &t)) && t.kind == SPNEGO_NEG_TOKEN_RESP &&
			   t.response_token.present) {
			st = step_auth(a, t.response_token.p, t.response_token.len, &t.mech_list_mic, lookup,
				       lookup_ctx, out, out_len, res);
		}
		break;
	case A_MIC_PENDING:
		if (NT_OK(spnego_decode(in, in_len, &t)) && t.kind == SPNEGO_NEG_TOKEN_RESP)
			st = step_mic(a, &t, out, out_len, res);
		break;
	case A_GUESTABLE:
	case A_DONE:
		break;
	}
	if (NT_EQ(st, STATUS_INVALID_PARAMETER) || NT_EQ(st, STATUS_NO_MEMORY) || NT_EQ(st, STATUS_INTERNAL_ERROR)) {
		res->outcome = AUTH_BAD_MESSAGE;
		res->have_session_key = false;
		auth_wipe(res->session_key, sizeof(res->session_key));
		a->state = A_DONE;
	}
	if (!NT_OK(st) && !NT_EQ(st, STATUS_MORE_PROCESSING_REQUIRED)) {
		free(*out);
		*out = NULL;
		*out_len = 0;
		if (a->state != A_GUESTABLE)
			a->state = A_DONE;
	}
	if (NT_EQ(st, STATUS_MORE_PROCESSING_REQUIRED)) {
		/* Nothing is decided yet: no key leaves before the end. */
		res->have_session_key = false;
		auth_wipe(res->session_key, sizeof(res->session_key));
	}
	if (NT_OK(st)) {
		a->state = A_DONE;
		if (res->outcome == AUTH_ANONYMOUS) {
			res->have_session_key = false;
			auth_wipe(res->session_key, sizeof(res->session_key));
		}
	}
	return st;
}

bool auth_ctx_guest_token(struct auth_ctx *a, uint8_t **out, size_t *out_len)
{
	*out = NULL;
	*out_len = 0;
	if (a->state != A_GUESTABLE)
		return false;
	a->state = A_DONE;
	if (!a->spnego)
		return true;
	return NT_OK(make_resp(SPNEGO_ACCEPT_COMPLETED, false, NULL, 0, NULL, 0, out, out_len));
}
