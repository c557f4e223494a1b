/* SMB2 SESSION_SETUP ([MS-SMB2] 3.3.5.5): new sessions and
 * re-authentication over SPNEGO/NTLMSSP (auth/), guest and anonymous
 * policy (`map to guest`), Unix account mapping when running as root,
 * 3.1.1 pre-auth integrity, key derivation, signing and encryption
 * requirements, PreviousSessionId, and throttling of failed logons. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "auth/auth.h"
#include "config/config.h"
#include "conn/request.h"
#include "server/server.h"
#include "wire/session.h"

static struct auth_ctx *new_auth(struct conn *c)
{
	const struct config *cfg = c->cfg;
	struct auth_cfg ac = {
		.netbios_name = cfg->netbios_name,
		.workgroup = cfg->workgroup,
		.dns_name = c->srv->hostname,
		.dns_domain = "",
		.ntlm_auth = cfg->ntlm_auth,
	};
	return auth_ctx_new(&ac);
}

/* Identity for a guest session: the guest account when root, else ourselves. */
static bool map_guest(struct conn *c, struct session *s)
{
	snprintf(s->user, sizeof(s->user), "%s", c->cfg->guest_account);
	if (!c->srv->is_root) {
		s->uid = geteuid();
		s->gid = getegid();
		return true;
	}
	free(s->groups);
	s->groups = NULL;
	if (!server_unix_account(c->cfg->guest_account, &s->uid, &s->gid, &s->groups, &s->n_groups)) {
		log_err("guest logon refused: the guest account '%s' does not exist; create it or set "
			"`guest account` in the config",
			c->cfg->guest_account);
		return false;
	}
	return true;
}

static NTSTATUS finish_logon(struct smb2_req *req, struct session *s, const struct auth_result *res, bool guest,
			     uint16_t *flags)
{
	struct conn *c = req->conn;
	const struct config *cfg = c->cfg;
	bool reauth = s->state == SESS_VALID;

	if (res->outcome == AUTH_ANONYMOUS && !guest) {
		s->anonymous = true;
		s->guest = false;
		snprintf(s->user, sizeof(s->user), "%s", "");
		s->domain[0] = 0;
		if (!map_guest(c, s))
			return STATUS_LOGON_FAILURE;
		s->user[0] = 0;
		*flags |= SMB2_SESSION_FLAG_IS_NULL;
	} else if (guest) {
		s->guest = true;
		s->anonymous = false;
		if (!map_guest(c, s))
			return STATUS_LOGON_FAILURE;
		*flags |= SMB2_SESSION_FLAG_IS_GUEST;
	} else {
		s->guest = s->anonymous = false;
		snprintf(s->user, sizeof(s->user), "%s", res->user);
		snprintf(s->domain, sizeof(s->domain), "%s", res->domain);
		if (c->srv->is_root) {
			free(s->groups);
			s->groups = NULL;
			if (!server_unix_account(res->user, &s->uid, &s->gid, &s->groups, &s->n_groups)) {
				log_warn("logon of '%s' refused: no Unix account of that name (create it with "
					 "useradd, as Samba requires)",
					 res->user);
				return STATUS_LOGON_FAILURE;
			}
		} else {
			s->uid = geteuid();
			s->gid = getegid();
		}
		if (!reauth || !s->have_keys) {
			memcpy(s->session_key, res->session_key, 16);
			if (c->dialect >= SMB2_DIALECT_300)
				smb2_derive_keys(c->dialect, s->session_key, 16, s->preauth_hash,
						 (enum smb2_cipher)c->cipher, &s->keys);
			else
				memcpy(s->keys.signing, s->session_key, 16);
			s->have_keys = res->have_session_key;
		}
	}

	bool keyed = s->have_keys && !s->guest && !s->anonymous;
	s->signing_required = keyed && c->signing_required;
	bool can_encrypt = keyed && c->dialect >= SMB2_DIALECT_300 && c->cipher != SMB2_CIPHER_NONE;
	if (cfg->server_smb_encrypt == CFG_REQUIRED && !can_encrypt) {
		conn_warn(c, "logon refused: `server smb encrypt = required` but this session cannot encrypt "
			     "(guest/anonymous, or the client offers no cipher)");
		return STATUS_ACCESS_DENIED;
	}
	s->encrypt_data = can_encrypt &&
			  (cfg->server_smb_encrypt == CFG_REQUIRED || cfg->server_smb_encrypt == CFG_DESIRED);
	if (s->encrypt_data)
		*flags |= SMB2_SESSION_FLAG_ENCRYPT_DATA;
	if (!session_set_valid(c, s)) {
		/* Windows' answer when a server takes no more sessions */
		conn_warn(c, "logon of '%s' refused: the user has %d sessions (smb3d:max sessions per user)",
			  s->anonymous ? "anonymous" : s->user, cfg->max_sessions_user);
		return STATUS_REQUEST_NOT_ACCEPTED;
	}
	/* The final response proves the keys: sign it for 3.1.1 ([MS-SMB2]
	 * 3.3.5.5.3) and whenever signing is required. */
	req->sign_with_session = keyed && (c->dialect == SMB2_DIALECT_311 || s->signing_required);
	log_info("conn %llu %s: session %llx: %s logged on%s%s", (unsigned long long)c->id, c->peer,
		 (unsigned long long)s->id, s->anonymous ? "anonymous" : s->user, s->guest ? " as guest" : "",
		 s->encrypt_data ? " (encrypted)" : s->signing_required ? " (signed)" : "");
	return STATUS_SUCCESS;
}

/* A reply the back-off would hold past its limit is not sent at all: the
 * connection is closed (server_logon_result). */
static void drop_if_throttled(struct smb2_req *req)
{
	if (req->delay_ms == SERVER_LOGON_DROP) {
		req->delay_ms = 0;
		req->disconnect = true;
	}
}

NTSTATUS cmd_session_setup(struct smb2_req *req)
{
	struct conn *c = req->conn;
	struct sess_setup_req q;
	NTSTATUS st = wire_sess_setup_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	if (q.flags & SMB2_SESSION_FLAG_BINDING)
		return STATUS_REQUEST_NOT_ACCEPTED; /* no multichannel (yet) */

	struct session *s;
	if (req->hdr.session_id == 0) {
		const char *why = conn_session_limit(c);
		if (why) {
			/* refused, the connection and its other sessions stay: a
			 * client logging several users on at once can retry */
			conn_warn(c, "SESSION_SETUP refused: %s (at most %d in progress, %d in all)", why,
				  CONN_MAX_SESSIONS_IN_PROGRESS, CONN_MAX_SESSIONS);
			return STATUS_INSUFFICIENT_RESOURCES;
		}
		s = session_new(c);
		if (!s)
			return STATUS_INSUFFICIENT_RESOURCES;
		req->sess = session_get(s);
		if (c->dialect == SMB2_DIALECT_311)
			memcpy(s->preauth_hash, c->preauth_hash, 64);
	} else {
		s = req->sess;
		if (!s)
			return STATUS_USER_SESSION_DELETED;
		if (s->state == SESS_VALID && !s->auth && c->dialect == SMB2_DIALECT_311) {
			/* re-authentication: the keys stay, the hash restarts from the connection's */
			memcpy(s->preauth_hash, c->preauth_hash, 64);
		}
	}
	req->rsp_session_id = s->id;
	if (c->dialect == SMB2_DIALECT_311 && !s->have_keys) {
		struct iovec v = { .iov_base = (void *)req->msg, .iov_len = req->len };
		smb2_preauth_update(s->preauth_hash, &v, 1);
	}
	if (!s->auth) {
		s->auth = new_auth(c);
		if (!s->auth) {
			st = STATUS_NO_MEMORY;
			goto fail;
		}
	}

	uint8_t *out = NULL;
	size_t out_len = 0;
	struct auth_result res;
	memset(&res, 0, sizeof(res));
	st = auth_ctx_step(s->auth, q.sec, q.sec_len, &out, &out_len, server_user_lookup, c->srv, &res);

	if (NT_EQ(st, STATUS_MORE_PROCESSING_REQUIRED)) {
		struct wr *w = req_body(req, wire_rsp_size(8, out_len));
		if (!w) {
			free(out);
			st = STATUS_NO_MEMORY;
			goto fail;
		}
		wire_sess_setup_rsp_encode(w, 0, out, out_len);
		free(out);
		if (c->dialect == SMB2_DIALECT_311 && !s->have_keys)
			req->preauth_rsp = s->preauth_hash;
		return st;
	}

	bool guest = false;
	if (NT_EQ(st, STATUS_LOGON_FAILURE)) {
		enum cfg_map_to_guest m = c->cfg->map_to_guest;
		if ((res.outcome == AUTH_NO_SUCH_USER && m >= MAP_TO_GUEST_BAD_USER) ||
		    (res.outcome == AUTH_WRONG_PASSWORD && m == MAP_TO_GUEST_BAD_PASSWORD)) {
			free(out);
			out = NULL;
			out_len = 0;
			if (auth_ctx_guest_token(s->auth, &out, &out_len))
				guest = true;
		}
	}
	if (!NT_OK(st) && !guest) {
		free(out);
		if (res.outcome == AUTH_NO_SUCH_USER || res.outcome == AUTH_WRONG_PASSWORD ||
		    res.outcome == AUTH_ACCOUNT_DISABLED) {
			log_info("conn %llu %s: logon failure for '%s' (%s)", (unsigned long long)c->id, c->peer,
				 res.user,
				 res.outcome == AUTH_NO_SUCH_USER	 ? "no such user"
				 : res.outcome == AUTH_WRONG_PASSWORD ? "wrong password"
								      : "account disabled");
			req->delay_ms = server_logon_result(c->srv, &c->peer_addr, res.user, true);
		}
		if (res.outcome == AUTH_ACCOUNT_DISABLED)
			st = STATUS_ACCOUNT_DISABLED;
		goto fail;
	}

	/* Room for the reply first: nothing may fail after the session is valid. */
	struct wr *w = req_body(req, wire_rsp_size(8, out_len));
	if (!w) {
		free(out);
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	uint16_t flags = 0;
	st = finish_logon(req, s, &res, guest, &flags);
	if (!NT_OK(st)) {
		free(out);
		req->has_body = false;
		goto fail;
	}
	auth_ctx_free(s->auth);
	s->auth = NULL;
	/* a failed logon mapped to guest counts as the failure it is; the
	 * anonymous and guest logons a client asks for count for nobody */
	if (guest)
		req->delay_ms = server_logon_result(c->srv, &c->peer_addr, res.user, true);
	else if (!s->anonymous && !s->guest)
		req->delay_ms = server_logon_result(c->srv, &c->peer_addr, s->user, false);
	if (q.previous_session_id && q.previous_session_id != s->id && !s->anonymous && !s->guest)
		server_kill_previous_session(c->srv, c->loop, q.previous_session_id, s->user);
	wire_sess_setup_rsp_encode(w, flags, out, out_len);
	free(out);
	drop_if_throttled(req); /* not answered before the failures in line */
	return STATUS_SUCCESS;

fail:
	/* A failed logon or re-authentication ends the session. */
	req->logoff = session_get(s);
	drop_if_throttled(req);
	return st;
}
