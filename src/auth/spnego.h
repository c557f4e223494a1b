/* SPNEGO tokens (RFC 4178 4.2, [MS-SPNG] 2.2) in a minimal, strict DER:
 * definite lengths only, single-byte tags, every length checked against its
 * container, a fixed schema (so nesting is bounded), no allocation when
 * decoding: results are slices of the input. */
#ifndef SMB3D_AUTH_SPNEGO_H
#define SMB3D_AUTH_SPNEGO_H

#include "base/ntstatus.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* DER of the OIDs, tag and length included. */
extern const uint8_t spnego_oid_ntlmssp[12]; /* 1.3.6.1.4.1.311.2.2.10 */
extern const uint8_t spnego_oid_spnego[8];   /* 1.3.6.1.5.5.2 */

#define SPNEGO_MAX_MECHS 16
#define SPNEGO_MAX_TOKEN 65535

enum spnego_neg_state {
	SPNEGO_ACCEPT_COMPLETED = 0,
	SPNEGO_ACCEPT_INCOMPLETE = 1,
	SPNEGO_REJECT = 2,
	SPNEGO_REQUEST_MIC = 3,
	SPNEGO_NO_STATE = -1, /* negState absent */
};

struct spnego_bytes {
	const uint8_t *p;
	size_t len;
	bool present;
};

enum spnego_kind { SPNEGO_NEG_TOKEN_INIT, SPNEGO_NEG_TOKEN_RESP };

struct spnego_token {
	enum spnego_kind kind;
	/* NegTokenInit */
	struct spnego_bytes mech_types; /* the whole MechTypeList (SEQUENCE OF), for mechListMIC */
	struct spnego_bytes mechs[SPNEGO_MAX_MECHS]; /* each OID with tag and length */
	size_t n_mechs;
	struct spnego_bytes mech_token;
	/* NegTokenResp */
	int neg_state;			   /* enum spnego_neg_state */
	struct spnego_bytes supported_mech; /* OID with tag and length */
	struct spnego_bytes response_token;
	/* both */
	struct spnego_bytes mech_list_mic;
};

/* Decodes a client's first token (GSS-API framing 0x60 + SPNEGO OID +
 * NegTokenInit [0]) or a NegTokenResp (0xa1). A NegTokenInit2 (with negHints,
 * as servers send) is accepted too. STATUS_INVALID_PARAMETER on anything
 * malformed, trailing bytes included. */
NTSTATUS spnego_decode(const uint8_t *buf, size_t len, struct spnego_token *t);

/* Encodes a NegTokenResp. neg_state SPNEGO_NO_STATE omits it; NULL or empty
 * fields are omitted. Returns the length written, or -1 if cap is too small. */
long spnego_encode_resp(uint8_t *buf, size_t cap, int neg_state, const uint8_t *mech_oid, size_t mech_oid_len,
			const uint8_t *token, size_t token_len, const uint8_t *mic, size_t mic_len);
size_t spnego_resp_size(int neg_state, size_t mech_oid_len, size_t token_len, size_t mic_len);

/* Encodes a GSS-API framed NegTokenInit with the given mechanism OIDs (DER
 * with tag and length), an optional mechToken, and, if hint_name is set, the
 * [MS-SPNG] NegTokenInit2 negHints. Returns the length or -1. */
long spnego_encode_init(uint8_t *buf, size_t cap, const uint8_t *const *mechs, const size_t *mech_lens,
			size_t n_mechs, const uint8_t *token, size_t token_len, const char *hint_name);

/* True if the DER OID (tag and length included) equals want. */
bool spnego_oid_equal(const struct spnego_bytes *oid, const uint8_t *want, size_t want_len);

#endif
