/* SMB2 header codec and per-command request structure sizes ([MS-SMB2] 2.2.1,
 * 2.2.2 and the StructureSize field of each request in 2.2.3-2.2.37). */
#include "wire/smb2.h"

bool wire_hdr_decode(const uint8_t *buf, size_t len, struct smb2_hdr *h)
{
	struct rd r = rd_init(buf, len);
	if (rd_u32(&r) != SMB2_PROTO || rd_u16(&r) != SMB2_HDR_LEN)
		return false;
	h->credit_charge = rd_u16(&r);
	h->status = rd_u32(&r);
	h->command = rd_u16(&r);
	h->credits = rd_u16(&r);
	h->flags = rd_u32(&r);
	h->next_command = rd_u32(&r);
	h->message_id = rd_u64(&r);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND) {
		h->async_id = rd_u64(&r);
		h->tree_id = 0;
	} else {
		rd_skip(&r, 4);
		h->tree_id = rd_u32(&r);
		h->async_id = 0;
	}
	h->session_id = rd_u64(&r);
	rd_copy(&r, h->signature, 16);
	return !r.bad;
}

void wire_hdr_encode(const struct smb2_hdr *h, uint8_t out[SMB2_HDR_LEN])
{
	struct wr w = wr_init(out, SMB2_HDR_LEN);
	wr_u32(&w, SMB2_PROTO);
	wr_u16(&w, SMB2_HDR_LEN);
	wr_u16(&w, h->credit_charge);
	wr_u32(&w, h->status);
	wr_u16(&w, h->command);
	wr_u16(&w, h->credits);
	wr_u32(&w, h->flags);
	wr_u32(&w, h->next_command);
	wr_u64(&w, h->message_id);
	if (h->flags & SMB2_FLAGS_ASYNC_COMMAND) {
		wr_u64(&w, h->async_id);
	} else {
		wr_u32(&w, 0xFEFF); /* Reserved: Windows sends 0x0000FEFF */
		wr_u32(&w, h->tree_id);
	}
	wr_u64(&w, h->session_id);
	wr_bytes(&w, h->signature, 16);
}

struct rd wire_req_body(const uint8_t *msg, size_t len, uint16_t ssize)
{
	struct rd r = rd_init(msg, len);
	rd_seek(&r, SMB2_HDR_LEN);
	if (rd_u16(&r) != ssize)
		r.bad = true;
	return r;
}

const uint8_t *wire_req_area(const uint8_t *msg, size_t len, size_t min_off, uint32_t off, uint32_t n, bool *bad)
{
	if (n == 0)
		return NULL;
	if (off < min_off || off > len || n > len - off) {
		*bad = true;
		return NULL;
	}
	return msg + off;
}

void wire_error_body_encode(struct wr *w, const uint8_t *data, uint32_t len)
{
	wr_u16(w, 9);
	wr_u8(w, 0); /* ErrorContextCount */
	wr_u8(w, 0);
	wr_u32(w, len);
	if (len)
		wr_bytes(w, data, len);
	else
		wr_u8(w, 0);
}

uint16_t wire_req_structure_size(uint16_t command)
{
	static const uint16_t sizes[SMB2_COMMAND_COUNT] = {
		[SMB2_NEGOTIATE] = 36,	     [SMB2_SESSION_SETUP] = 25, [SMB2_LOGOFF] = 4,
		[SMB2_TREE_CONNECT] = 9,     [SMB2_TREE_DISCONNECT] = 4, [SMB2_CREATE] = 57,
		[SMB2_CLOSE] = 24,	     [SMB2_FLUSH] = 24,		[SMB2_READ] = 49,
		[SMB2_WRITE] = 49,	     [SMB2_LOCK] = 48,		[SMB2_IOCTL] = 57,
		[SMB2_CANCEL] = 4,	     [SMB2_ECHO] = 4,		[SMB2_QUERY_DIRECTORY] = 33,
		[SMB2_CHANGE_NOTIFY] = 32,   [SMB2_QUERY_INFO] = 41,	[SMB2_SET_INFO] = 33,
		[SMB2_OPLOCK_BREAK] = 24,
	};
	return command < SMB2_COMMAND_COUNT ? sizes[command] : 0;
}

const char *smb2_command_name(uint16_t command)
{
	static const char *names[SMB2_COMMAND_COUNT] = {
		"NEGOTIATE", "SESSION_SETUP", "LOGOFF", "TREE_CONNECT", "TREE_DISCONNECT", "CREATE", "CLOSE",
		"FLUSH",     "READ",	      "WRITE",	"LOCK",		"IOCTL",	   "CANCEL", "ECHO",
		"QUERY_DIRECTORY", "CHANGE_NOTIFY", "QUERY_INFO", "SET_INFO", "OPLOCK_BREAK",
	};
	return command < SMB2_COMMAND_COUNT ? names[command] : "UNKNOWN";
}
