/* SMB2 TRANSFORM_HEADER codec ([MS-SMB2] 2.2.41, checks from 3.3.5.2.1.1).
 * Reads and writes the fixed 52-byte header only through the rd/wr cursors;
 * knows nothing of keys or ciphers. */
#include "wire/transform.h"

#include <string.h>

#include "base/rdwr.h"

bool wire_transform_decode(const uint8_t *buf, size_t len, struct smb2_transform_hdr *out)
{
	struct rd r = rd_init(buf, len);
	uint32_t proto;

	memset(out, 0, sizeof(*out));
	if (buf == NULL || len < SMB2_TRANSFORM_HDR_LEN)
		return false;

	proto = rd_u32(&r);
	rd_copy(&r, out->signature, sizeof(out->signature));
	rd_copy(&r, out->nonce, sizeof(out->nonce));
	out->original_size = rd_u32(&r);
	rd_skip(&r, 2); /* Reserved: ignored on receipt */
	out->flags = rd_u16(&r);
	out->session_id = rd_u64(&r);

	if (r.bad || proto != SMB2_TRANSFORM_PROTO || out->flags != SMB2_TRANSFORM_FLAG_ENCRYPTED) {
		memset(out, 0, sizeof(*out));
		return false;
	}
	return true;
}

void wire_transform_encode(const struct smb2_transform_hdr *h, uint8_t out[52])
{
	struct wr w = wr_init(out, SMB2_TRANSFORM_HDR_LEN);

	wr_u32(&w, SMB2_TRANSFORM_PROTO);
	wr_bytes(&w, h->signature, sizeof(h->signature));
	wr_bytes(&w, h->nonce, sizeof(h->nonce));
	wr_u32(&w, h->original_size);
	wr_u16(&w, 0); /* Reserved */
	wr_u16(&w, h->flags);
	wr_u64(&w, h->session_id);
}
