/* libFuzzer target: NTLMSSP NEGOTIATE/AUTHENTICATE and SPNEGO parsing through
 * auth_ctx_step(), and AUTHENTICATE against a server with a fixed challenge
 * (seed: tests/unit/auth/data's impacket message, which then verifies). The
 * first byte picks the path. */
#include "auth/auth.h"
#include "auth/ntlm.h"
#include "auth/ntlmssp.h"
#include "base/log.h"

#include "../../unit/auth/data/impacket_auth.h"

#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int lookup(void *ctx, const char *user, uint8_t nt_hash[16])
{
	if (strcmp(user, IMPACKET_USER) == 0)
		return ntlm_nt_hash(IMPACKET_PASSWORD, nt_hash) ? 0 : -1;
	if (strcmp(user, "disabled") == 0)
		return -2;
	return -1;
}

static const uint8_t negotiate[] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0, 1, 0, 0, 0, 0x35, 0x82, 0x88, 0xe2 };

static void via_ctx(int mode, const uint8_t *data, size_t size)
{
	struct auth_cfg cfg = { "FUZZ", "WORKGROUP", "fuzz.example", "example", (enum cfg_ntlm_auth)(mode & 1) };
	struct auth_ctx *a = auth_ctx_new(&cfg);
	struct auth_result res;
	uint8_t *out = NULL;
	size_t out_len = 0;
	if (!a)
		abort();
	if (mode >= 2) {
		/* After a valid NEGOTIATE: the rest is the client's second (and third) message. */
		NTSTATUS st = auth_ctx_step(a, negotiate, sizeof(negotiate), &out, &out_len, lookup, NULL, &res);
		if (!NT_EQ(st, STATUS_MORE_PROCESSING_REQUIRED))
			abort();
		free(out);
	}
	size_t half = size / 2;
	NTSTATUS st = auth_ctx_step(a, data, mode >= 2 ? size : half, &out, &out_len, lookup, NULL, &res);
	free(out);
	if (NT_EQ(st, STATUS_MORE_PROCESSING_REQUIRED) && mode < 2) {
		st = auth_ctx_step(a, data + half, size - half, &out, &out_len, lookup, NULL, &res);
		free(out);
	}
	if (NT_EQ(st, STATUS_LOGON_FAILURE) && auth_ctx_guest_token(a, &out, &out_len))
		free(out);
	auth_ctx_free(a);
}

static void fixed_server(const uint8_t *data, size_t size)
{
	struct ntlmssp_server_cfg cfg = { IMPACKET_NETBIOS, IMPACKET_WORKGROUP, IMPACKET_DNS_NAME, "", false };
	struct ntlmssp_server *s = ntlmssp_server_new(&cfg);
	struct ntlmssp_auth_info info;
	uint8_t *chal;
	size_t chal_len;
	if (!s)
		abort();
	ntlmssp_server_fix_challenge(s, impacket_server_challenge, IMPACKET_TIMESTAMP);
	if (!NT_EQ(ntlmssp_server_negotiate(s, impacket_negotiate, sizeof(impacket_negotiate), &chal, &chal_len),
		   STATUS_MORE_PROCESSING_REQUIRED))
		abort();
	free(chal);
	NTSTATUS st = ntlmssp_server_authenticate(s, data, size, lookup, NULL, &info);
	if (NT_OK(st) && info.outcome == AUTH_OK && !info.have_session_key)
		abort();
	ntlmssp_server_free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_level(-1);
	if (size == 0)
		return 0;
	int mode = data[0] % 5;
	if (mode == 4)
		fixed_server(data + 1, size - 1);
	else
		via_ctx(mode, data + 1, size - 1);
	return 0;
}
