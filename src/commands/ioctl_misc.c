/* Small file controls answered without file-system work: object ids
 * ([MS-FSCC] 2.3.3 FSCTL_CREATE_OR_GET_OBJECT_ID, 2.3.25 FSCTL_GET_OBJECT_ID;
 * [MS-FSA] 2.1.5.10.1/13), previous versions ([MS-SMB2] 3.3.5.15.1
 * FSCTL_SRV_ENUMERATE_SNAPSHOTS: none), compression ([MS-FSCC] 2.3.15/2.3.69:
 * nothing is compressed), reparse points (none exist) and resiliency
 * ([MS-SMB2] 3.3.5.15.9: the handle outlives its connection). */
#include "commands/ioctl_int.h"
#include "conn/durable.h"

NTSTATUS ioctl_object_id(struct smb2_req *req, struct ioctl_state *s)
{
	if (s->q.max_output_response < WIRE_OBJECTID_LEN)
		return STATUS_INVALID_PARAMETER;
	uint8_t id[16], vol[16], out[WIRE_OBJECTID_LEN];
	fsa_object_id(s->open, id, vol);
	struct wr w = wr_init(out, sizeof(out));
	wire_objectid_encode(&w, id, vol, id);
	return ioctl_reply(req, &s->q, out, w.pos, STATUS_SUCCESS);
}

NTSTATUS ioctl_enumerate_snapshots(struct smb2_req *req, struct ioctl_state *s)
{
	if (s->q.max_output_response < 16)
		return STATUS_INVALID_PARAMETER;
	uint8_t out[WIRE_EMPTY_SNAPSHOTS_LEN];
	struct wr w = wr_init(out, sizeof(out));
	wire_empty_snapshots_encode(&w);
	return ioctl_reply(req, &s->q, out, w.pos, STATUS_SUCCESS);
}

NTSTATUS ioctl_get_compression(struct smb2_req *req, struct ioctl_state *s)
{
	if (s->q.max_output_response < 2)
		return STATUS_INVALID_PARAMETER;
	uint8_t out[2];
	struct wr w = wr_init(out, sizeof(out));
	wire_compression_rsp_encode(&w, COMPRESSION_FORMAT_NONE);
	return ioctl_reply(req, &s->q, out, w.pos, STATUS_SUCCESS);
}

NTSTATUS ioctl_set_compression(struct smb2_req *req, struct ioctl_state *s)
{
	uint16_t format;
	NTSTATUS st = wire_compression_req_decode(s->q.in, s->q.in_len, &format);
	if (!NT_OK(st))
		return st;
	/* like a volume without compression (WS2016 ReFS): NONE is fine */
	switch (format) {
	case COMPRESSION_FORMAT_NONE:
		return ioctl_reply(req, &s->q, NULL, 0, STATUS_SUCCESS);
	case COMPRESSION_FORMAT_DEFAULT:
	case COMPRESSION_FORMAT_LZNT1:
		return STATUS_NOT_SUPPORTED;
	default:
		return STATUS_INVALID_PARAMETER;
	}
}

NTSTATUS ioctl_get_reparse_point(struct smb2_req *req, struct ioctl_state *s)
{
	(void)req;
	(void)s;
	return STATUS_NOT_A_REPARSE_POINT;
}

NTSTATUS ioctl_request_resiliency(struct smb2_req *req, struct ioctl_state *s)
{
	/* [MS-SMB2] 3.3.5.15.9: the handle survives a lost connection for the
	 * timeout, like a durable one but without an oplock */
	if (req->conn->dialect == SMB2_DIALECT_202)
		return STATUS_INVALID_DEVICE_REQUEST;
	uint32_t timeout;
	NTSTATUS st = wire_resiliency_req_decode(s->q.in, s->q.in_len, &timeout);
	if (!NT_OK(st))
		return st;
	if (timeout > RESILIENT_MAX_MS)
		return STATUS_INVALID_PARAMETER;
	struct fsa_open *o = s->open;
	o->durable = false;
	o->resilient = true;
	o->durable_timeout_ms = timeout ? timeout : DURABLE_V2_DEFAULT_MS;
	return ioctl_reply(req, &s->q, NULL, 0, STATUS_SUCCESS);
}
