/* libFuzzer target: SPNEGO DER decoding (auth/spnego.c). Whatever decodes is
 * re-encoded as a NegTokenResp and must decode to the same fields. */
#include "auth/spnego.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct spnego_token t, u;
	if (!NT_OK(spnego_decode(data, size, &t)))
		return 0;
	if (t.kind == SPNEGO_NEG_TOKEN_INIT && (t.n_mechs == 0 || !t.mech_types.present))
		abort();
	size_t cap = spnego_resp_size(t.neg_state, t.supported_mech.len, t.response_token.len, t.mech_list_mic.len);
	uint8_t *buf = malloc(cap);
	long n = spnego_encode_resp(buf, cap, t.neg_state, t.supported_mech.p, t.supported_mech.len,
				    t.response_token.p, t.response_token.len, t.mech_list_mic.p, t.mech_list_mic.len);
	if (n < 0 || (size_t)n != cap)
		abort();
	if (!NT_OK(spnego_decode(buf, (size_t)n, &u)) || u.kind != SPNEGO_NEG_TOKEN_RESP)
		abort();
	if (u.response_token.len != t.response_token.len ||
	    (t.response_token.len && memcmp(u.response_token.p, t.response_token.p, t.response_token.len)))
		abort();
	if (u.mech_list_mic.len != t.mech_list_mic.len)
		abort();
	free(buf);
	return 0;
}
