/* SMB2 IOCTL ([MS-SMB2] 3.3.5.15): the size checks every request gets,
 * FSCTL_VALIDATE_NEGOTIATE_INFO (3.3.5.15.12) so SMB 3.0/3.0.2 clients can
 * verify the negotiation was not tampered with, the named-pipe controls
 * (cmd_pipe.c), FSCTL_QUERY_NETWORK_INTERFACE_INFO (ioctl_net.c), and the
 * generic file-handle path: look the FileId up, refuse pipes, check the
 * access the control code demands, and dispatch to the FSCTL families in
 * ioctl_*.c. Unknown controls are STATUS_INVALID_DEVICE_REQUEST, as NTFS. */
#include <stdlib.h>
#include <string.h>

#include "commands/cmd_pipe.h"
#include "commands/ioctl_int.h"
#include "conn/opens.h"
#include "event/loop.h"
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

NTSTATUS ioctl_reply(struct smb2_req *req, const struct ioctl_req *q, const uint8_t *out, size_t n, NTSTATUS st)
{
	if (n > q->max_output_response) { /* a handler bug: never send more than asked */
		req->has_body = false;
		return STATUS_BUFFER_TOO_SMALL;
	}
	if (NT_ERR(st) && n == 0) {
		req->has_body = false;
		return st;
	}
	struct wr *w = req_body(req, wire_rsp_size(48, n));
	if (!w)
		return STATUS_NO_MEMORY;
	wire_ioctl_rsp_encode(w, q->ctl_code, q->fid_persistent, q->fid_volatile, out, n);
	return st;
}

bool ioctl_out_alloc(struct ioctl_state *s, size_t n)
{
	free(s->out);
	s->out_len = 0;
	s->out = calloc(1, n ? n : 1);
	return s->out != NULL;
}

NTSTATUS ioctl_finish(struct smb2_req *req)
{
	struct ioctl_state *s = req->cmd_state;
	if (s->n_breaks)
		conn_deliver_breaks(req->conn, s->breaks, s->n_breaks);
	return ioctl_reply(req, &s->q, s->out, s->out_len, req->work_status);
}

static void ioctl_release(struct smb2_req *req)
{
	struct ioctl_state *s = req->cmd_state;
	if (s) {
		conn_open_release(req->conn, s->src);
		free(s->out);
		if (s->q.ctl_code == FSCTL_QUERY_ALLOCATED_RANGES)
			free(s->u.ranges.v);
	}
	req_open_state_release(req);
}

static const struct {
	uint32_t code;
	NTSTATUS (*fn)(struct smb2_req *req, struct ioctl_state *s);
} file_fsctls[] = {
	{ FSCTL_SRV_REQUEST_RESUME_KEY, ioctl_request_resume_key },
	{ FSCTL_SRV_COPYCHUNK, ioctl_copychunk },
	{ FSCTL_SRV_COPYCHUNK_WRITE, ioctl_copychunk },
	{ FSCTL_DUPLICATE_EXTENTS_TO_FILE, ioctl_duplicate_extents },
	{ FSCTL_SET_SPARSE, ioctl_set_sparse },
	{ FSCTL_SET_ZERO_DATA, ioctl_zero_data },
	{ FSCTL_QUERY_ALLOCATED_RANGES, ioctl_allocated_ranges },
	{ FSCTL_FILE_LEVEL_TRIM, ioctl_file_level_trim },
	{ FSCTL_CREATE_OR_GET_OBJECT_ID, ioctl_object_id },
	{ FSCTL_GET_OBJECT_ID, ioctl_object_id },
	{ FSCTL_SRV_ENUMERATE_SNAPSHOTS, ioctl_enumerate_snapshots },
	{ FSCTL_GET_COMPRESSION, ioctl_get_compression },
	{ FSCTL_SET_COMPRESSION, ioctl_set_compression },
	{ FSCTL_GET_REPARSE_POINT, ioctl_get_reparse_point },
	{ FSCTL_LMR_REQUEST_RESILIENCY, ioctl_request_resiliency },
};

static NTSTATUS file_ioctl(struct smb2_req *req, const struct ioctl_req *q)
{
	NTSTATUS st;
	/* an unknown or closed FileId (all ones outside a related chain
	 * included) is STATUS_FILE_CLOSED; pipes take no file controls */
	struct ioctl_state *s = req_open_state(req, q->fid_persistent, q->fid_volatile, sizeof(*s), &st);
	if (!s)
		return st;
	req->release = ioctl_release;
	s->q = *q;
	for (size_t i = 0; i < sizeof(file_fsctls) / sizeof(file_fsctls[0]); i++) {
		if (file_fsctls[i].code != q->ctl_code)
			continue;
		/* RequiredAccess in the control code ([MS-FSCC] 2.3) */
		if ((q->ctl_code & FSCTL_ACCESS_READ) && !fsa_has_access(s->open, FILE_READ_DATA))
			return STATUS_ACCESS_DENIED;
		if ((q->ctl_code & FSCTL_ACCESS_WRITE) && !fsa_has_access(s->open, FILE_WRITE_DATA))
			return STATUS_ACCESS_DENIED;
		return file_fsctls[i].fn(req, s);
	}
	return STATUS_INVALID_DEVICE_REQUEST;
}

/* smbtorture's private test controls (Samba: smbd:FSCTL_SMBTORTURE) */
#define FSCTL_SMBTORTURE_IOCTL_RESPONSE_BODY_PADDING8 0x83848013
#define FSCTL_SMBTORTURE_GLOBAL_READ_RESPONSE_BODY_PADDING8 0x83848023
#define FSCTL_SMBTORTURE_FSP_ASYNC_SLEEP 0x83848043
#define FSCTL_SMBTORTURE_FORCE_UNACKED_TIMEOUT 0x83848003

bool cmd_ioctl_sessionless(const struct smb2_req *req)
{
	struct ioctl_req q;
	return req->conn->cfg->torture_fsctls && NT_OK(wire_ioctl_req_decode(req->msg, req->len, &q)) &&
	       q.ctl_code == FSCTL_SMBTORTURE_FORCE_UNACKED_TIMEOUT;
}

/* test hook: an IOCTL on a handle that goes asynchronous and completes
 * after InputBuffer[0] milliseconds, holding the open meanwhile (a CLOSE
 * sent behind it must not make it fail: smb2.ioctl.bug14769) */
struct async_sleep {
	struct fsa_open *open; /* the request's reference */
	struct ioctl_req q;
	struct ev_timer timer;
};

static void async_sleep_release(struct smb2_req *req)
{
	struct async_sleep *a = req->cmd_state;
	if (ev_timer_armed(&a->timer))
		ev_timer_stop(req->conn->loop, &a->timer);
	conn_open_release(req->conn, a->open);
	free(a);
}

static NTSTATUS async_sleep_reply(struct smb2_req *req)
{
	struct async_sleep *a = req->cmd_state;
	struct wr *w = req_body(req, wire_rsp_size(48, 0));
	if (!w)
		return STATUS_NO_MEMORY;
	wire_ioctl_rsp_encode(w, a->q.ctl_code, a->q.fid_persistent, a->q.fid_volatile, NULL, 0);
	return STATUS_SUCCESS;
}

static void async_sleep_done(struct ev_loop *loop, struct ev_timer *t)
{
	struct smb2_req *req = t->data;
	req_unpark(req);
	req_resume(req, async_sleep_reply);
}

static void async_sleep_on_cancel(struct smb2_req *req)
{
	struct async_sleep *a = req->cmd_state;
	if (!ev_timer_armed(&a->timer))
		return;
	ev_timer_stop(req->conn->loop, &a->timer);
	req_unpark(req);
	req_resume(req, req_reply_cancelled);
}

static bool async_sleep_cancel_on_close(struct smb2_req *req)
{
	struct async_sleep *a = req->cmd_state;
	if (ev_timer_armed(&a->timer))
		ev_timer_stop(req->conn->loop, &a->timer);
	return true;
}

static NTSTATUS torture_async_sleep(struct smb2_req *req, const struct ioctl_req *q)
{
	if (q->in_len != 1)
		return STATUS_INVALID_PARAMETER;
	NTSTATUS st;
	struct fsa_open *o = conn_open_lookup(req, q->fid_persistent, q->fid_volatile, &st);
	if (!o)
		return st;
	struct async_sleep *a = calloc(1, sizeof(*a));
	if (!a) {
		conn_open_release(req->conn, o);
		return STATUS_NO_MEMORY;
	}
	a->open = o;
	a->q = *q;
	req->cmd_state = a;
	req->release = async_sleep_release;
	req->cancel = async_sleep_cancel_on_close;
	req->on_cancel = async_sleep_on_cancel;
	ev_timer_init(&a->timer, async_sleep_done, req);
	req_park(req);
	if (!req_send_interim(req)) {
		req_unpark(req);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	ev_timer_start(req->conn->loop, &a->timer, q->in[0]);
	return STATUS_PENDING;
}

/* test hook: this reply puts 8 bytes between its body and max_output bytes
 * of 0x08, as a client must accept */
static NTSTATUS torture_ioctl_padding(struct smb2_req *req, const struct ioctl_req *q)
{
	if (q->in_len)
		return STATUS_INVALID_PARAMETER;
	size_t n = q->max_output_response;
	uint8_t *out = n ? malloc(n) : NULL;
	if (n && !out)
		return STATUS_NO_MEMORY;
	if (n)
		memset(out, 8, n);
	struct wr *w = req_body(req, wire_rsp_size(48, 8 + n));
	if (w)
		wire_ioctl_rsp_encode_padded(w, 8, q->ctl_code, q->fid_persistent, q->fid_volatile, out, n);
	free(out);
	return w ? STATUS_SUCCESS : STATUS_NO_MEMORY;
}

NTSTATUS cmd_ioctl(struct smb2_req *req)
{
	struct ioctl_req q;
	NTSTATUS st = wire_ioctl_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	if (q.flags != SMB2_0_IOCTL_IS_FSCTL)
		return STATUS_NOT_SUPPORTED;
	/* [MS-SMB2] 3.3.5.15: nothing beyond the negotiated MaxTransactSize */
	uint32_t max = req->conn->max_io;
	if (q.in_len > max || q.max_input_response > max || q.max_output_response > max)
		return STATUS_INVALID_PARAMETER;
	switch (q.ctl_code) {
	case FSCTL_VALIDATE_NEGOTIATE_INFO:
		return validate_negotiate(req, &q);
	case FSCTL_PIPE_WAIT:
	case FSCTL_PIPE_TRANSCEIVE:
		if (!req->tcon || !req->tcon->is_ipc)
			return STATUS_INVALID_DEVICE_REQUEST;
		return pipe_ioctl(req, &q);
	case FSCTL_QUERY_NETWORK_INTERFACE_INFO:
		return ioctl_network_interfaces(req, &q);
	case FSCTL_DFS_GET_REFERRALS:
	case FSCTL_DFS_GET_REFERRALS_EX:
		/* [MS-SMB2] 3.3.5.15.2: a server that is not a DFS server
		 * answers this (sent with no FileId) before any handle check */
		return STATUS_FS_DRIVER_REQUIRED;
	case FSCTL_SMBTORTURE_IOCTL_RESPONSE_BODY_PADDING8:
		if (!req->conn->cfg->torture_fsctls)
			return file_ioctl(req, &q);
		return torture_ioctl_padding(req, &q);
	case FSCTL_SMBTORTURE_FORCE_UNACKED_TIMEOUT:
		/* test hook: from now on this connection's transport acknowledges
		 * nothing the server sends, so it counts as gone once a break
		 * sent on it stays unacknowledged (smb2.oplock.batch22b) */
		if (!req->conn->cfg->torture_fsctls)
			return file_ioctl(req, &q);
		req->conn->torture_unacked = true;
		struct wr *uw = req_body(req, wire_rsp_size(48, 0));
		if (!uw)
			return STATUS_NO_MEMORY;
		wire_ioctl_rsp_encode(uw, q.ctl_code, q.fid_persistent, q.fid_volatile, NULL, 0);
		return STATUS_SUCCESS;
	case FSCTL_SMBTORTURE_FSP_ASYNC_SLEEP:
		if (!req->conn->cfg->torture_fsctls || req->hdr.next_command)
			return file_ioctl(req, &q);
		return torture_async_sleep(req, &q);
	case FSCTL_SMBTORTURE_GLOBAL_READ_RESPONSE_BODY_PADDING8:
		/* test hook (`smb3d:torture fsctls`): later READ replies put 8
		 * bytes between body and data, as a client must accept */
		if (!req->conn->cfg->torture_fsctls)
			return file_ioctl(req, &q);
		if (q.in_len)
			return STATUS_INVALID_PARAMETER;
		req->conn->read_body_padding = 8;
		struct wr *w = req_body(req, wire_rsp_size(48, 0));
		if (!w)
			return STATUS_NO_MEMORY;
		wire_ioctl_rsp_encode(w, q.ctl_code, q.fid_persistent, q.fid_volatile, NULL, 0);
		return STATUS_SUCCESS;
	default:
		return file_ioctl(req, &q);
	}
}
