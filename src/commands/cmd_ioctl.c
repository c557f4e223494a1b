/* SMB2 IOCTL ([MS-SMB2] 3.3.5.15): FSCTL_VALIDATE_NEGOTIATE_INFO
 * (3.3.5.15.12) so SMB 3.0/3.0.2 clients can verify the negotiation was not
 * tampered with. Other FSCTLs arrive with the files and IPC$ issues. */
#include <string.h>

#include "commands/cmd_pipe.h"
#include "conn/request.h"
#include "server/server.h"
#include "wire/negotiate.h"
#include "wire/session.h"

uint16_t negotiate_select_dialect(const struct config *cfg, const uint8_t *list, unsigned count);

static NTSTATUS validate_negotiate(struct smb2_req *req, const struct ioctl_req *q)
{
	struct conn *c = req->conn;
	if (q->fid_persistent != UINT64_MAX || q->fid_volatile != UINT64_MAX)
		return STATUS_INVALID_PARAMETER;
	/* [MS-SMB2] 3.3.5.15.12: 3.1.1 relies on pre-auth integrity instead,
	 * and every mismatch terminates the connection. */
	if (c->dialect == SMB2_DIALECT_311 || q->max_output_response < 24) {
		req->disconnect = true;
		return STATUS_ACCESS_DENIED;
	}
	struct validate_neg_req v;
	if (!wire_validate_neg_decode(q->in, q->in_len, &v))
		return STATUS_INVALID_PARAMETER;
	bool same_list = v.dialect_count == c->n_client_dialects && v.dialect_count <= 64;
	for (unsigned i = 0; same_list && i < v.dialect_count; i++)
		same_list = le16_at(v.dialects + 2 * i) == c->client_dialects[i];
	uint16_t d = negotiate_select_dialect(c->cfg, v.dialects, v.dialect_count);
	if (!same_list || v.capabilities != c->client_caps || memcmp(v.guid, c->client_guid, 16) != 0 ||
	    v.security_mode != c->client_sec_mode || d != c->dialect) {
		conn_warn(c, "VALIDATE_NEGOTIATE_INFO mismatch (possible downgrade attack); disconnecting");
		req->disconnect = true;
		return STATUS_ACCESS_DENIED;
	}
	uint8_t out[24];
	struct wr ow = wr_init(out, sizeof(out));
	wire_validate_neg_rsp_encode(&ow, c->server_caps, c->srv->guid, c->server_sec_mode, c->dialect);
	struct wr *w = req_body(req, 48 + sizeof(out));
	if (!w)
		return STATUS_NO_MEMORY;
	wire_ioctl_rsp_encode(w, q->ctl_code, q->fid_persistent, q->fid_volatile, out, ow.pos);
	/* This reply must always be signed when the session has keys. */
	req->sign_with_session = true;
	return STATUS_SUCCESS;
}

NTSTATUS cmd_ioctl(struct smb2_req *req)
{
	struct ioctl_req q;
	NTSTATUS st = wire_ioctl_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	if (q.flags != SMB2_0_IOCTL_IS_FSCTL)
		return STATUS_NOT_SUPPORTED;
	switch (q.ctl_code) {
	case FSCTL_VALIDATE_NEGOTIATE_INFO:
		return validate_negotiate(req, &q);
	case 0x00110018: /* FSCTL_PIPE_WAIT */
	case 0x0011C017: /* FSCTL_PIPE_TRANSCEIVE */
		if (!req->tcon || !req->tcon->is_ipc)
			return STATUS_INVALID_DEVICE_REQUEST;
		return pipe_ioctl(req, &q);
	default:
		return STATUS_NOT_SUPPORTED;
	}
}
