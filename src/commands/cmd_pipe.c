/* Named pipes on IPC$ ([MS-SMB2] 3.3.5.9 pipe opens, 3.3.5.12/13 READ and
 * WRITE, 3.3.5.15.4 FSCTL_PIPE_TRANSCEIVE, FSCTL_PIPE_WAIT): the SMB side of
 * the DCE/RPC pipes in rpc/. Pipe work is in memory and short, so it runs on
 * the connection's loop thread; a pipe is only touched from there. */
#include <stdlib.h>
#include <string.h>

#include "base/utf16.h"
#include "commands/cmd_pipe.h"
#include "config/config.h"
#include "conn/opens.h"
#include "conn/request.h"
#include "fsa/fsa.h"
#include "rpc/pipe.h"
#include "wire/create_ctx.h"
#include "wire/file.h"
#include "wire/fsctl.h"
#include "wire/session.h"

static void pipe_free_cb(void *p)
{
	rpc_pipe_free(p);
}

/* The pipe's name from a CREATE name: "srvsvc", optionally "\PIPE\srvsvc". */
static bool pipe_name(const uint8_t *name16, size_t len, char *out, size_t cap)
{
	if (!name16 || len == 0)
		return false;
	long n = utf16le_to_utf8(name16, len, out, cap);
	return n > 0 && (size_t)n < cap;
}

NTSTATUS pipe_create(struct smb2_req *req, const struct wire_create_req *q)
{
	struct conn *c = req->conn;
	char name[128];
	if (!pipe_name(q->name, q->name_len, name, sizeof(name)) || !rpc_pipe_known(name))
		return STATUS_OBJECT_NAME_NOT_FOUND;
	const struct config *cfg = req->tcon->cfg ? req->tcon->cfg : c->cfg;
	if (req->sess->anonymous && cfg->restrict_anonymous >= 1)
		return STATUS_ACCESS_DENIED; /* `restrict anonymous`: no share or server listing */
	struct rpc_server_info *info = rpc_server_info_from_config(cfg);
	if (!info)
		return STATUS_NO_MEMORY;
	struct rpc_pipe *p = rpc_pipe_new(name, info);
	rpc_server_info_put(info); /* the pipe holds its own reference */
	if (!p)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	rpc_pipe_set_caller(p, req->sess->anonymous);
	struct fsa_open *o = fsa_pipe_open_new(p, pipe_free_cb);
	if (!o) {
		rpc_pipe_free(p);
		return STATUS_NO_MEMORY;
	}
	NTSTATUS st = conn_open_insert(c, o, req->hdr.session_id, req->hdr.tree_id);
	if (!NT_OK(st)) {
		fsa_open_put(o);
		return st;
	}
	req->set_fid = true;
	req->fid_p = o->persistent_id;
	req->fid_v = o->volatile_id;
	struct wire_create_rsp r = {
		.create_action = FILE_OPENED,
		.allocation_size = 4096,
		.file_attributes = FILE_ATTRIBUTE_NORMAL,
		.fid_persistent = o->persistent_id,
		.fid_volatile = o->volatile_id,
	};
	struct wr *w = req_body(req, WIRE_CREATE_RSP_FIXED + 8);
	if (!w)
		return STATUS_NO_MEMORY;
	struct wire_cctx_writer cw;
	wire_create_rsp_encode(w, &r, &cw);
	return STATUS_SUCCESS;
}

/* Pending reply bytes into dst: STATUS_BUFFER_OVERFLOW while the message
 * goes on; an empty, broken pipe is STATUS_PIPE_BROKEN. */
static NTSTATUS pipe_take(struct rpc_pipe *p, uint8_t *dst, size_t cap, size_t *n)
{
	bool more = false;
	*n = 0;
	if (rpc_pipe_pending(p) == 0)
		return rpc_pipe_broken(p) ? STATUS_PIPE_BROKEN : STATUS_PIPE_EMPTY;
	*n = rpc_pipe_read(p, dst, cap, &more);
	return more ? STATUS_BUFFER_OVERFLOW : STATUS_SUCCESS;
}

NTSTATUS pipe_read(struct smb2_req *req, struct fsa_open *o, uint32_t length)
{
	struct wr *w = req_body(req, wire_rsp_size(16, length));
	if (!w)
		return STATUS_NO_MEMORY;
	size_t n;
	NTSTATUS st = pipe_take(o->pipe, req->rsp + SMB2_HDR_LEN + 16, length, &n);
	if (NT_ERR(st)) {
		req->has_body = false;
		return st;
	}
	req->w.pos = SMB2_HDR_LEN;
	wire_read_rsp_encode_fixed(&req->w, (uint32_t)n, 0, 0);
	wire_read_rsp_data_placed(&req->w, n, 0);
	return st;
}

NTSTATUS pipe_write(struct smb2_req *req, struct fsa_open *o, const uint8_t *data, size_t len)
{
	NTSTATUS st = rpc_pipe_write(o->pipe, data, len);
	if (!NT_OK(st))
		return st;
	struct wr *w = req_body(req, 16);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_write_rsp_encode(w, (uint32_t)len, 0);
	return STATUS_SUCCESS;
}

NTSTATUS pipe_ioctl(struct smb2_req *req, const struct ioctl_req *q)
{
	if (q->ctl_code == FSCTL_PIPE_WAIT) {
		/* [MS-FSCC] 2.3.31: a pipe name to wait for; ours are always ready */
		struct wire_pipe_wait_req pw;
		char name[128];
		if (!NT_OK(wire_pipe_wait_req_decode(q->in, q->in_len, &pw)) ||
		    !pipe_name(pw.name, pw.name_len, name, sizeof(name)))
			return STATUS_INVALID_PARAMETER;
		if (!rpc_pipe_known(name))
			return STATUS_OBJECT_NAME_NOT_FOUND;
		struct wr *w = req_body(req, wire_rsp_size(48, 0));
		if (!w)
			return STATUS_NO_MEMORY;
		wire_ioctl_rsp_encode(w, q->ctl_code, q->fid_persistent, q->fid_volatile, NULL, 0);
		return STATUS_SUCCESS;
	}
	if (q->ctl_code != FSCTL_PIPE_TRANSCEIVE)
		return STATUS_INVALID_DEVICE_REQUEST;
	NTSTATUS st;
	struct fsa_open *o = conn_open_lookup(req, q->fid_persistent, q->fid_volatile, &st);
	if (!o)
		return st;
	if (!o->pipe) {
		conn_open_release(req->conn, o);
		return STATUS_INVALID_DEVICE_REQUEST;
	}
	st = rpc_pipe_write(o->pipe, q->in, q->in_len);
	size_t cap = q->max_output_response;
	if (cap > req->conn->max_io)
		cap = req->conn->max_io;
	uint8_t *out = NT_OK(st) ? malloc(cap ? cap : 1) : NULL;
	if (NT_OK(st) && !out)
		st = STATUS_NO_MEMORY;
	size_t n = 0;
	if (NT_OK(st))
		st = pipe_take(o->pipe, out, cap, &n);
	if (!NT_ERR(st)) {
		struct wr *w = req_body(req, wire_rsp_size(48, n));
		if (!w)
			st = STATUS_NO_MEMORY;
		else
			wire_ioctl_rsp_encode(w, q->ctl_code, q->fid_persistent, q->fid_volatile, out, n);
	}
	free(out);
	conn_open_release(req->conn, o);
	return st;
}
