/* libFuzzer target: arbitrary bytes through the TRANSFORM_HEADER decoder and
 * smb2_decrypt ([MS-SMB2] 2.2.41, 3.3.5.2.1.1), plus an encrypt/decrypt round
 * trip over input-chosen iovec splits and smb2_verify on the same bytes.
 * Must never crash, leak or read out of bounds. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conn/smb2_crypto.h"
#include "wire/transform.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t fuzz_key[32] = {
	0x3c, 0x91, 0x0e, 0x57, 0xa2, 0x6d, 0xf4, 0x18, 0x85, 0x2b, 0xc0, 0x7e, 0x49, 0xd3, 0x16, 0xeb,
	0x70, 0x0a, 0x9f, 0x24, 0xb6, 0x5d, 0xe1, 0x33, 0xca, 0x08, 0x67, 0xfd, 0x42, 0x9b, 0x2e, 0x81,
};

/* Header + payload exactly as a peer would send it. */
static void try_decrypt(enum smb2_cipher c, const uint8_t *msg, size_t len)
{
	struct smb2_transform_hdr h;
	uint8_t *buf;
	size_t plen;

	if (!wire_transform_decode(msg, len, &h))
		return;
	plen = len - SMB2_TRANSFORM_HDR_LEN;
	buf = malloc(plen ? plen : 1);
	if (buf == NULL)
		return;
	memcpy(buf, msg + SMB2_TRANSFORM_HDR_LEN, plen);
	/* a forged tag must never verify */
	if (smb2_decrypt(c, fuzz_key, msg, buf, plen))
		abort();
	/* the length the header claims, when the input holds that much */
	if (h.original_size <= plen && smb2_decrypt(c, fuzz_key, msg, buf, h.original_size))
		abort();
	free(buf);
}

/* Seals the input with splits it chooses, then opens it again. */
static void roundtrip(enum smb2_cipher c, const uint8_t *data, size_t size, uint8_t split_seed)
{
	struct iovec iov[8];
	uint8_t hdr[52], nonce[16] = { 0 };
	uint8_t *out;
	size_t pos = 0;
	int n = 0;

	if (size == 0)
		return;
	out = malloc(size);
	if (out == NULL)
		return;
	while (pos < size && n < 7) {
		size_t piece = (size_t)((split_seed >> (n % 4)) & 0x1F) + (size_t)n;

		if (piece > size - pos)
			piece = size - pos;
		iov[n++] = (struct iovec){ .iov_base = (void *)(data + pos), .iov_len = piece };
		pos += piece;
	}
	iov[n++] = (struct iovec){ .iov_base = (void *)(data + pos), .iov_len = size - pos };
	memcpy(nonce, &split_seed, 1);
	if (!smb2_encrypt(c, fuzz_key, nonce, 0x1122334455667788ull, iov, n, hdr, out) ||
	    !smb2_decrypt(c, fuzz_key, hdr, out, size) || memcmp(out, data, size) != 0)
		abort();
	free(out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	enum smb2_cipher c;
	struct iovec iov;
	uint8_t sel;

	if (size < 1)
		return 0;
	sel = data[0];
	data++;
	size--;
	c = (enum smb2_cipher)(sel % 6); /* includes NONE and an unknown id */

	try_decrypt(c, data, size);

	if (smb2_cipher_key_len(c) != 0 && size <= 65536)
		roundtrip(c, data, size, sel);

	if (size >= 64) {
		iov = (struct iovec){ .iov_base = (void *)data, .iov_len = size };
		(void)smb2_verify((enum smb2_sign_algo)(sel % 3), fuzz_key, &iov, 1);
	}
	return 0;
}
