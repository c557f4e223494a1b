/* NTLMSSP server ([MS-NLMP] 3.2.5): parses NEGOTIATE, builds CHALLENGE with
 * TargetInfo, parses AUTHENTICATE with every payload field validated as a
 * slice of the message, verifies NTLMv2 (and NTLMv1/NTLM2 only if allowed),
 * KEY_EXCH, the MIC, and sets up signing for the SPNEGO mechListMIC. */
#ifndef SMB3D_AUTH_NTLMSSP_H
#define SMB3D_AUTH_NTLMSSP_H

#include "auth/auth.h"
#include "auth/ntlm.h"
#include "base/ntstatus.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NTLMSSP_NEGOTIATE_MSG 1
#define NTLMSSP_CHALLENGE_MSG 2
#define NTLMSSP_AUTHENTICATE_MSG 3

/* Fixed AUTHENTICATE header with Version; the MIC follows at this offset. */
#define NTLMSSP_MIC_OFFSET 72
#define NTLMSSP_MIC_SIZE 16
/* Upper bound on a message we accept (Windows' limit on a token is 12000
 * bytes by default; be generous but finite). */
#define NTLMSSP_MAX_MSG 65535

struct ntlmssp_server_cfg {
	const char *netbios_name;
	const char *workgroup;
	const char *dns_name;
	const char *dns_domain;
	bool allow_ntlmv1; /* `ntlm auth = ntlmv1-permitted` */
};

/* What AUTHENTICATE yielded. */
struct ntlmssp_auth_info {
	enum auth_outcome outcome;
	char user[257], domain[257], workstation[257];
	uint8_t session_key[16]; /* ExportedSessionKey */
	bool have_session_key;
	bool mic_present; /* MsvAvFlags announced a MIC (and it verified) */
	bool can_sign;	  /* signing set up (SIGN + ESS + a session key) */
};

struct ntlmssp_server;

struct ntlmssp_server *ntlmssp_server_new(const struct ntlmssp_server_cfg *cfg);
void ntlmssp_server_free(struct ntlmssp_server *s);

/* Takes a NEGOTIATE message (or none: in_len 0, default flags) and produces a
 * malloc'd CHALLENGE. Returns STATUS_MORE_PROCESSING_REQUIRED on success,
 * STATUS_INVALID_PARAMETER on a malformed or out-of-sequence message. */
NTSTATUS ntlmssp_server_negotiate(struct ntlmssp_server *s, const uint8_t *in, size_t in_len, uint8_t **out,
				  size_t *out_len);

/* Verifies an AUTHENTICATE message. STATUS_SUCCESS (outcome AUTH_OK or
 * AUTH_ANONYMOUS), STATUS_LOGON_FAILURE (AUTH_NO_SUCH_USER,
 * AUTH_WRONG_PASSWORD, or AUTH_BAD_MESSAGE for a MIC that does not verify),
 * STATUS_ACCOUNT_DISABLED, STATUS_INVALID_PARAMETER (malformed). */
NTSTATUS ntlmssp_server_authenticate(struct ntlmssp_server *s, const uint8_t *in, size_t in_len,
				     auth_lookup_fn lookup, void *lookup_ctx, struct ntlmssp_auth_info *info);

/* The negotiated flags (valid after authenticate). */
uint32_t ntlmssp_server_flags(const struct ntlmssp_server *s);

/* For tests and golden vectors: use this server challenge and MsvAvTimestamp
 * instead of fresh random/clock values in the next CHALLENGE. */
void ntlmssp_server_fix_challenge(struct ntlmssp_server *s, const uint8_t chal[8], uint64_t timestamp);

/* Server-side signing state (NULL unless info.can_sign). */
struct ntlm_sign *ntlmssp_server_signer(struct ntlmssp_server *s);

#endif
