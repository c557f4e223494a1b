/* The authentication glue the session layer calls for SESSION_SETUP: one
 * security buffer in, one out. Speaks SPNEGO ([MS-SPNG], RFC 4178) around
 * NTLMSSP ([MS-NLMP]) or raw NTLMSSP, answering in the form the client used,
 * and checks/produces the SPNEGO mechListMIC. No sockets, no SMB2 here. */
#ifndef SMB3D_AUTH_AUTH_H
#define SMB3D_AUTH_AUTH_H

#include "base/ntstatus.h"
#include "config/config.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct auth_cfg {
	const char *netbios_name; /* e.g. "FILESRV" */
	const char *workgroup;	  /* e.g. "WORKGROUP" */
	const char *dns_name;	  /* e.g. "filesrv.example.org"; NULL or "" = netbios name lower-cased */
	const char *dns_domain;	  /* e.g. "example.org"; NULL = "" */
	enum cfg_ntlm_auth ntlm_auth;
};

enum auth_outcome {
	AUTH_OK,
	AUTH_ANONYMOUS,
	AUTH_NO_SUCH_USER,
	AUTH_WRONG_PASSWORD,
	AUTH_ACCOUNT_DISABLED,
	AUTH_BAD_MESSAGE,
};

struct auth_result {
	enum auth_outcome outcome;
	char user[257];	       /* UTF-8, as the client sent it */
	char domain[257];
	char workstation[257];
	uint8_t session_key[16];
	bool have_session_key;
};

/* Lookup of a user's NT hash. Returns 0 and fills nt_hash if the user exists
 * and is enabled, -1 no such user, -2 disabled. For -2 the callee should also
 * fill nt_hash: the password is then checked first and only a correct one
 * yields AUTH_ACCOUNT_DISABLED (a wrong one AUTH_WRONG_PASSWORD), as Samba
 * does, so a disabled account is not revealed to someone without its
 * password. (passdb_auth_lookup() in auth/passdb.h is one such function; an
 * account without a stored NT hash counts as disabled there.) */
typedef int (*auth_lookup_fn)(void *ctx, const char *user_utf8, uint8_t nt_hash[16]);

/* SPNEGO hint blob for the NEGOTIATE response; returns length or -1. */
long auth_negotiate_hint(uint8_t *buf, size_t cap);

/* Copies what it needs from cfg. NULL if out of memory or if the crypto
 * providers cannot be loaded (already logged). */
struct auth_ctx *auth_ctx_new(const struct auth_cfg *cfg);
void auth_ctx_free(struct auth_ctx *a);

/* One SESSION_SETUP security buffer in, one out (malloc'd, may be NULL/0).
 * Handles SPNEGO (NegTokenInit/NegTokenResp) or raw NTLMSSP (input starting
 * with "NTLMSSP\0"), remembers which the client used and answers in kind,
 * checks and produces mechListMIC. Returns
 *  - STATUS_MORE_PROCESSING_REQUIRED: send out (the challenge, or in SPNEGO
 *    an intermediate token) and call again with the client's next buffer;
 *  - STATUS_SUCCESS: res filled, outcome AUTH_OK or AUTH_ANONYMOUS; out = the
 *    final SPNEGO accept-completed token with mechListMIC where needed (NULL
 *    for raw NTLMSSP);
 *  - STATUS_LOGON_FAILURE: res->outcome says why: AUTH_NO_SUCH_USER or
 *    AUTH_WRONG_PASSWORD (the session layer applies `map to guest`, and on a
 *    guest mapping calls auth_ctx_guest_token() for the accept token to send),
 *    or AUTH_BAD_MESSAGE when the NTLMSSP MIC or the SPNEGO mechListMIC does
 *    not verify (never map that to guest);
 *  - STATUS_ACCOUNT_DISABLED (AUTH_ACCOUNT_DISABLED);
 *  - STATUS_INVALID_PARAMETER for malformed input or a call out of sequence
 *    (AUTH_BAD_MESSAGE);
 *  - STATUS_NO_MEMORY / STATUS_INTERNAL_ERROR (AUTH_BAD_MESSAGE).
 * user/domain/workstation are filled whenever the AUTHENTICATE message was
 * parsed, also on failure, for logging. After anything but
 * MORE_PROCESSING_REQUIRED the context is finished: further calls fail. */
NTSTATUS auth_ctx_step(struct auth_ctx *a, const uint8_t *in, size_t in_len, uint8_t **out, size_t *out_len,
		       auth_lookup_fn lookup, void *lookup_ctx, struct auth_result *res);

/* After STATUS_LOGON_FAILURE with AUTH_NO_SUCH_USER/AUTH_WRONG_PASSWORD: the
 * token that accepts the client as guest (SPNEGO accept-completed without
 * mechListMIC; NULL/0 for raw NTLMSSP). False in any other state or on
 * allocation failure. */
bool auth_ctx_guest_token(struct auth_ctx *a, uint8_t **out, size_t *out_len);

#endif
