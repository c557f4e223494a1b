/* A tiny test-only NTLMSSP client ([MS-NLMP] 3.1) to drive the server in unit
 * and fuzz tests: NEGOTIATE, AUTHENTICATE with NTLMv2 (optionally MIC and
 * KEY_EXCH), NTLMv1/NTLM2, LMv2-only and anonymous, plus SPNEGO wrapping. */
#ifndef SMB3D_TESTS_AUTH_NTLM_CLIENT_H
#define SMB3D_TESTS_AUTH_NTLM_CLIENT_H

#include "auth/ntlm.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum tc_response { TC_NTLMV2, TC_NTLMV1, TC_NTLM2_SESSION, TC_LMV2_ONLY, TC_ANONYMOUS };

struct tc_opts {
	const char *user, *domain, *password, *workstation;
	const char *hash_domain; /* if set, NTOWFv2 uses this instead of the domain sent */
	enum tc_response response;
	bool no_sign;	  /* do not ask for SIGN/SEAL */
	bool no_key_exch; /* do not ask for KEY_EXCH */
	bool mic;	  /* put MsvAvFlags MIC_PRESENT and a MIC into AUTHENTICATE */
	bool corrupt_mic; /* ...and then flip a bit of it */
	bool drop_timestamp; /* leave the server's MsvAvTimestamp out of the NTLMv2 blob */
};

struct tc {
	struct tc_opts o;
	uint8_t negotiate[40];
	size_t negotiate_len;
	uint32_t flags;
	uint8_t exported[16];
	bool have_key;
	struct ntlm_sign sign;
};

void tc_init(struct tc *c, const struct tc_opts *o);
void tc_free(struct tc *c);
/* The NEGOTIATE message (c->negotiate). */
const uint8_t *tc_negotiate(struct tc *c, size_t *len);
/* Parses a CHALLENGE and builds the AUTHENTICATE (malloc'd), NULL if the
 * challenge is malformed. Sets up c->sign when SIGN+ESS were negotiated. */
uint8_t *tc_authenticate(struct tc *c, const uint8_t *chal, size_t chal_len, size_t *len);

/* SPNEGO helpers. mechs: 0 = [NTLMSSP], 1 = [krb5, NTLMSSP]. */
uint8_t *tc_spnego_init(int mechs, const uint8_t *token, size_t token_len, size_t *len);
uint8_t *tc_spnego_resp(const uint8_t *token, size_t token_len, const uint8_t *mic, size_t mic_len, size_t *len);
/* The DER MechTypeList tc_spnego_init(mechs, ...) sends (for mechListMIC). */
size_t tc_mech_types(int mechs, uint8_t *out, size_t cap);

#endif
