/* NTLM computations of [MS-NLMP]: negotiate flags (2.2.2.5), NTOWFv1/v2 and
 * the v1/v2 responses (3.3.1, 3.3.2), KXKEY/SIGNKEY/SEALKEY (3.4.5) and
 * message signing and sealing with extended session security (3.4.3, 3.4.4.2).
 * No message parsing here; shared by the server and the test client. */
#ifndef SMB3D_AUTH_NTLM_H
#define SMB3D_AUTH_NTLM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* NegotiateFlags, [MS-NLMP] 2.2.2.5. */
#define NTLMSSP_NEGOTIATE_UNICODE 0x00000001u
#define NTLMSSP_NEGOTIATE_OEM 0x00000002u
#define NTLMSSP_REQUEST_TARGET 0x00000004u
#define NTLMSSP_NEGOTIATE_SIGN 0x00000010u
#define NTLMSSP_NEGOTIATE_SEAL 0x00000020u
#define NTLMSSP_NEGOTIATE_DATAGRAM 0x00000040u
#define NTLMSSP_NEGOTIATE_LM_KEY 0x00000080u
#define NTLMSSP_NEGOTIATE_NTLM 0x00000200u
#define NTLMSSP_ANONYMOUS 0x00000800u
#define NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED 0x00001000u
#define NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED 0x00002000u
#define NTLMSSP_NEGOTIATE_ALWAYS_SIGN 0x00008000u
#define NTLMSSP_TARGET_TYPE_DOMAIN 0x00010000u
#define NTLMSSP_TARGET_TYPE_SERVER 0x00020000u
#define NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY 0x00080000u
#define NTLMSSP_NEGOTIATE_IDENTIFY 0x00100000u
#define NTLMSSP_REQUEST_NON_NT_SESSION_KEY 0x00400000u
#define NTLMSSP_NEGOTIATE_TARGET_INFO 0x00800000u
#define NTLMSSP_NEGOTIATE_VERSION 0x02000000u
#define NTLMSSP_NEGOTIATE_128 0x20000000u
#define NTLMSSP_NEGOTIATE_KEY_EXCH 0x40000000u
#define NTLMSSP_NEGOTIATE_56 0x80000000u

/* AV_PAIR AvId, [MS-NLMP] 2.2.2.1. */
enum {
	MsvAvEOL = 0,
	MsvAvNbComputerName = 1,
	MsvAvNbDomainName = 2,
	MsvAvDnsComputerName = 3,
	MsvAvDnsDomainName = 4,
	MsvAvDnsTreeName = 5,
	MsvAvFlags = 6,
	MsvAvTimestamp = 7,
	MsvAvSingleHost = 8,
	MsvAvTargetName = 9,
	MsvAvChannelBindings = 10,
};
#define NTLMSSP_AVFLAG_MIC_PRESENT 0x00000002u

#define NTLMSSP_SIGNATURE_SIZE 16

/* NTOWFv1 = MD4(UTF-16LE(password)). False on invalid UTF-8 or crypto failure. */
bool ntlm_nt_hash(const char *password_utf8, uint8_t out[16]);

/* NTOWFv2 = HMAC_MD5(NTOWFv1, UPPER(user) || domain), both UTF-16LE. Only
 * ASCII letters of the user name are upper-cased. */
bool ntlm_ntowfv2(const uint8_t nt_hash[16], const uint8_t *user16, size_t user_len, const uint8_t *dom16,
		  size_t dom_len, uint8_t out[16]);

/* NTProofStr = HMAC_MD5(NTOWFv2, ServerChallenge || blob), where blob is the
 * NTLMv2 response after its first 16 bytes (the "temp" of 3.3.2). */
bool ntlm_v2_proof(const uint8_t ntowfv2[16], const uint8_t server_chal[8], const uint8_t *blob, size_t blob_len,
		   uint8_t proof[16]);
/* LMv2 response: HMAC_MD5(NTOWFv2, ServerChallenge || ClientChallenge) || ClientChallenge. */
bool ntlm_lmv2_response(const uint8_t ntowfv2[16], const uint8_t server_chal[8], const uint8_t client_chal[8],
			uint8_t out[24]);

/* DESL(NTOWFv1, challenge): the 24-byte NTLMv1 response. */
bool ntlm_v1_response(const uint8_t nt_hash[16], const uint8_t chal[8], uint8_t out[24]);
/* The NTLMv1-with-ESS effective challenge MD5(ServerChallenge || ClientChallenge)[0..7]. */
bool ntlm_v1_ess_challenge(const uint8_t server_chal[8], const uint8_t client_chal[8], uint8_t out[8]);

/* KXKEY for NTLMv1 (3.4.5.1) without LM_KEY and NON_NT_SESSION_KEY: with ESS
 * HMAC_MD5(SessionBaseKey, ServerChallenge || LmChallengeResponse[0..7]),
 * otherwise SessionBaseKey. NTLMv2 always uses SessionBaseKey itself. */
bool ntlm_v1_kxkey(uint32_t flags, const uint8_t session_base_key[16], const uint8_t lm_resp8[8],
		   const uint8_t server_chal[8], uint8_t out[16]);

/* SIGNKEY / SEALKEY of 3.4.5.2 and 3.4.5.3 (extended session security only). */
bool ntlm_sign_key(const uint8_t exported[16], bool client_to_server, uint8_t out[16]);
bool ntlm_seal_key(uint32_t flags, const uint8_t exported[16], bool client_to_server, uint8_t out[16]);

/* Per-direction signing and sealing state ([MS-NLMP] 3.4). "out" is what this
 * side sends, "in" what it receives. */
struct auth_rc4;
struct ntlm_sign {
	uint32_t flags;
	uint8_t out_sign_key[16], in_sign_key[16];
	struct auth_rc4 *out_seal, *in_seal;
	uint32_t out_seq, in_seq;
	bool ready;
};

/* Sets up the keys from the ExportedSessionKey. Needs
 * NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY in flags (the pre-ESS scheme is
 * not supported); returns false otherwise. */
bool ntlm_sign_init(struct ntlm_sign *s, uint32_t flags, const uint8_t exported[16], bool is_server);
void ntlm_sign_free(struct ntlm_sign *s);
/* MAC of a message (3.4.4.2), advancing the sequence number and RC4 state. */
bool ntlm_sign_msg(struct ntlm_sign *s, const uint8_t *msg, size_t len, uint8_t sig[NTLMSSP_SIGNATURE_SIZE]);
/* Verifies a received signature; false if it does not match (constant time). */
bool ntlm_check_msg(struct ntlm_sign *s, const uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len);
/* SEAL (3.4.3): encrypts msg in place and produces the signature of the plain text. */
bool ntlm_seal_msg(struct ntlm_sign *s, uint8_t *msg, size_t len, uint8_t sig[NTLMSSP_SIGNATURE_SIZE]);
/* UNSEAL: decrypts in place and checks the signature. */
bool ntlm_unseal_msg(struct ntlm_sign *s, uint8_t *msg, size_t len, const uint8_t *sig, size_t sig_len);

#endif
