/* SMB2 LOGOFF and ECHO ([MS-SMB2] 3.3.5.6, 3.3.5.17). */
#include "conn/request.h"
#include "wire/session.h"

NTSTATUS cmd_logoff(struct smb2_req *req)
{
	NTSTATUS st = wire_simple_req_decode(req->msg, req->len);
	if (!NT_OK(st))
		return st;
	struct wr *w = req_body(req, 4);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_simple_rsp_encode(w);
	/* The reply is still signed/encrypted with this session's keys; the
	 * session goes once it has been sent. */
	req->logoff = session_get(req->sess);
	return STATUS_SUCCESS;
}

NTSTATUS cmd_echo(struct smb2_req *req)
{
	NTSTATUS st = wire_simple_req_decode(req->msg, req->len);
	if (!NT_OK(st))
		return st;
	struct wr *w = req_body(req, 4);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_simple_rsp_encode(w);
	return STATUS_SUCCESS;
}
