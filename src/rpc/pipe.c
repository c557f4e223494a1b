/* Per-open named pipe: the connection-oriented DCE/RPC server state machine
 * (C706 12.6.4 PDU exchanges, [MS-RPCE] 3.3.1.5 bind/alter_context/request
 * processing, 3.3.3.5 fragmentation): PDU framing of the written byte stream,
 * presentation context negotiation, request reassembly, response
 * fragmentation and faults. No SMB and no I/O here. */
#include "rpc/pipe.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/rdwr.h"
#include "rpc/iface.h"
#include "wire/dcerpc.h"
#include "wire/ndr.h"

#define RPC_ASSOC_GROUP 0x000053f0u /* handed out when the client asks for a new group */

struct rpc_pipe {
	const struct rpc_iface *iface;
	struct rpc_server_info *info;
	struct rpc_caller caller;
	bool bound;  /* a bind was acknowledged */
	bool broken; /* protocol error or bind_nak: no more input */
	uint16_t max_xmit; /* negotiated fragment sizes */
	uint16_t max_recv;
	uint32_t assoc_group;
	uint16_t ctx_ids[DCERPC_MAX_CTX]; /* accepted presentation contexts */
	size_t n_ctx;

	/* the PDU being received */
	uint8_t in[RPC_MAX_FRAG];
	size_t in_len;
	uint16_t in_frag_len; /* from its header, once in_len >= 16 */

	/* the request being reassembled */
	bool in_call;
	uint32_t call_id;
	uint16_t call_ctx;
	uint16_t call_opnum;
	uint8_t *req;
	size_t req_len, req_cap;

	/* replies: whole PDUs back to back; out_pos is the next byte to read,
	 * msg_left the unread bytes of the PDU being read */
	uint8_t *out;
	size_t out_len, out_cap, out_pos, msg_left;
	bool nomem;
};

static const struct rpc_iface *const ifaces[] = { &rpc_srvsvc_iface, &rpc_wkssvc_iface };

static const struct rpc_iface *iface_by_name(const char *name)
{
	if (!name)
		return NULL;
	if (strncasecmp(name, "\\PIPE\\", 6) == 0)
		name += 6;
	for (size_t i = 0; i < sizeof(ifaces) / sizeof(ifaces[0]); i++)
		if (strcasecmp(name, ifaces[i]->name) == 0)
			return ifaces[i];
	return NULL;
}

bool rpc_pipe_known(const char *name)
{
	return iface_by_name(name) != NULL;
}

struct rpc_pipe *rpc_pipe_new(const char *name, struct rpc_server_info *info)
{
	const struct rpc_iface *iface = iface_by_name(name);
	if (!iface || !info)
		return NULL;
	struct rpc_pipe *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->iface = iface;
	p->info = rpc_server_info_get(info);
	p->max_xmit = RPC_MAX_FRAG;
	p->max_recv = RPC_MAX_FRAG;
	return p;
}

void rpc_pipe_free(struct rpc_pipe *p)
{
	if (!p)
		return;
	rpc_server_info_put(p->info);
	free(p->req);
	free(p->out);
	free(p);
}

void rpc_pipe_set_caller(struct rpc_pipe *p, bool anonymous)
{
	p->caller.anonymous = anonymous;
}

size_t rpc_pipe_pending(const struct rpc_pipe *p)
{
	return p->out_len - p->out_pos;
}

bool rpc_pipe_broken(const struct rpc_pipe *p)
{
	return p->broken;
}

/* --- output queue --- */

/* Room for n more bytes at the end of the queue, or NULL (pipe broken). */
static uint8_t *out_reserve(struct rpc_pipe *p, size_t n)
{
	if (p->out_pos > 0 && p->out_pos == p->out_len) {
		p->out_pos = p->out_len = 0;
	} else if (p->out_pos > 0 && p->out_len + n > p->out_cap) {
		memmove(p->out, p->out + p->out_pos, p->out_len - p->out_pos);
		p->out_len -= p->out_pos;
		p->out_pos = 0;
	}
	if (p->out_len + n > p->out_cap) {
		size_t cap = p->out_cap ? p->out_cap : 4096;
		while (cap < p->out_len + n)
			cap *= 2;
		uint8_t *q = realloc(p->out, cap);
		if (!q) {
			p->nomem = true;
			p->broken = true;
			return NULL;
		}
		p->out = q;
		p->out_cap = cap;
	}
	return p->out + p->out_len;
}

#define OUT_SMALL 512 /* room for a bind_nak */

/* A writer over n bytes reserved at the end of the queue; out_commit adds
 * what was written. A bad writer (no memory) commits nothing. */
static struct wr out_begin(struct rpc_pipe *p, size_t n)
{
	uint8_t *q = out_reserve(p, n);
	if (!q)
		return (struct wr){ .bad = true };
	return wr_init(q, n);
}

static void out_commit(struct rpc_pipe *p, const struct wr *w)
{
	if (w->bad) {
		p->broken = true; /* cannot happen with correct sizes */
		return;
	}
	p->out_len += w->pos;
}

static void send_fault(struct rpc_pipe *p, uint32_t call_id, uint16_t ctx, uint32_t status, uint8_t flags)
{
	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_FAULT,
				.pfc_flags = PFC_FIRST_FRAG | PFC_LAST_FRAG | flags,
				.call_id = call_id };
	struct dcerpc_fault f = { .alloc_hint = DCERPC_FAULT_LEN - DCERPC_RESPONSE_LEN,
				  .context_id = ctx,
				  .status = status };
	struct wr w = out_begin(p, DCERPC_FAULT_LEN);
	dcerpc_fault_encode(&w, &h, &f);
	out_commit(p, &w);
}

/* A protocol error: fault the call and refuse all further input. */
static void fail(struct rpc_pipe *p, uint32_t call_id, uint32_t status, uint8_t flags)
{
	send_fault(p, call_id, p->in_call ? p->call_ctx : 0, status, flags);
	p->in_call = false;
	p->req_len = 0;
	p->broken = true;
}

static void send_bind_nak(struct rpc_pipe *p, uint32_t call_id, uint16_t reason)
{
	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_BIND_NAK,
				.pfc_flags = PFC_FIRST_FRAG | PFC_LAST_FRAG,
				.call_id = call_id };
	struct wr w = out_begin(p, OUT_SMALL);
	dcerpc_bind_nak_encode(&w, &h, reason);
	out_commit(p, &w);
	p->broken = true; /* like Windows and Samba: the association ends */
}

/* --- bind and alter_context --- */

static bool ctx_known(const struct rpc_pipe *p, uint16_t id)
{
	for (size_t i = 0; i < p->n_ctx; i++)
		if (p->ctx_ids[i] == id)
			return true;
	return false;
}

/* Decides each presentation context ([MS-RPCE] 3.3.1.5.3). Returns false
 * (after a bind_nak) when the whole PDU must be refused. */
static bool negotiate_contexts(struct rpc_pipe *p, const struct dcerpc_pdu *pdu, struct dcerpc_bind_ack *ack)
{
	const struct dcerpc_bind *b = &pdu->u.bind;
	bool have_features = false;
	ack->n_results = b->n_ctx;
	for (unsigned i = 0; i < b->n_ctx; i++) {
		const struct dcerpc_ctx_elem *c = &b->ctx[i];
		struct dcerpc_result *res = &ack->results[i];
		memset(res, 0, sizeof(*res));
		uint16_t features;
		if (dcerpc_bind_time_features(&c->transfer[0], &features)) {
			if (have_features) {
				send_bind_nak(p, pdu->hdr.call_id, DCERPC_NAK_REASON_NOT_SPECIFIED);
				return false;
			}
			have_features = true;
			res->result = DCERPC_NEGOTIATE_ACK;
			/* no orphaned calls can outlive their pipe here, so
			 * keeping the connection is what we do anyway */
			res->reason = features & DCERPC_BIND_TIME_KEEP_CONNECTION_ON_ORPHAN;
			continue;
		}
		res->result = DCERPC_PROVIDER_REJECTION;
		const struct dcerpc_syntax *want = &p->iface->syntax;
		if (!dcerpc_uuid_equal(&c->abstract.uuid, &want->uuid) || c->abstract.ver_major != want->ver_major ||
		    c->abstract.ver_minor > want->ver_minor) {
			res->reason = DCERPC_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED;
			continue;
		}
		res->reason = DCERPC_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED;
		for (unsigned k = 0; k < c->n_transfer; k++) {
			if (dcerpc_syntax_equal(&c->transfer[k], &dcerpc_ndr20_syntax)) {
				res->result = DCERPC_ACCEPTANCE;
				res->reason = 0;
				res->transfer = dcerpc_ndr20_syntax;
				break;
			}
		}
		if (res->result != DCERPC_ACCEPTANCE)
			continue;
		if (!ctx_known(p, c->context_id)) {
			if (p->n_ctx == DCERPC_MAX_CTX) {
				res->result = DCERPC_PROVIDER_REJECTION;
				res->reason = DCERPC_REASON_LOCAL_LIMIT_EXCEEDED;
				memset(&res->transfer, 0, sizeof(res->transfer));
				continue;
			}
			p->ctx_ids[p->n_ctx++] = c->context_id;
		}
	}
	return true;
}

static void handle_bind(struct rpc_pipe *p, const struct dcerpc_pdu *pdu, NTSTATUS st)
{
	uint32_t call_id = pdu->hdr.call_id;
	if (p->bound) {
		send_bind_nak(p, call_id, DCERPC_NAK_REASON_NOT_SPECIFIED); /* one bind per association */
		return;
	}
	if (pdu->hdr.auth_length != 0) {
		send_bind_nak(p, call_id, DCERPC_NAK_INVALID_AUTH_TYPE); /* no authentication on pipes here */
		return;
	}
	if (NT_EQ(st, STATUS_INSUFFICIENT_RESOURCES)) {
		send_bind_nak(p, call_id, DCERPC_NAK_LOCAL_LIMIT_EXCEEDED);
		return;
	}
	if (NT_EQ(st, STATUS_NOT_SUPPORTED)) {
		send_bind_nak(p, call_id, DCERPC_NAK_PROTOCOL_VERSION_NOT_SUPPORTED);
		return;
	}
	const struct dcerpc_bind *b = &pdu->u.bind;
	if (!NT_OK(st) || b->n_ctx == 0 ||
	    (pdu->hdr.pfc_flags & (PFC_FIRST_FRAG | PFC_LAST_FRAG)) != (PFC_FIRST_FRAG | PFC_LAST_FRAG)) {
		send_bind_nak(p, call_id, DCERPC_NAK_REASON_NOT_SPECIFIED);
		return;
	}
	/* Both directions get one size, like Windows: the smaller of the
	 * client's two, at least 2048, at most ours, a multiple of 8. */
	unsigned max = b->max_xmit_frag < b->max_recv_frag ? b->max_xmit_frag : b->max_recv_frag;
	if (max < 2048)
		max = 2048;
	if (max > RPC_MAX_FRAG)
		max = RPC_MAX_FRAG;
	max &= ~7u;

	struct dcerpc_bind_ack ack = { 0 };
	if (!negotiate_contexts(p, pdu, &ack))
		return;
	p->max_xmit = p->max_recv = (uint16_t)max;
	p->assoc_group = b->assoc_group_id ? b->assoc_group_id : RPC_ASSOC_GROUP;
	p->bound = true;

	char sec_addr[64];
	snprintf(sec_addr, sizeof(sec_addr), "\\PIPE\\%s", p->iface->name);
	ack.max_xmit_frag = ack.max_recv_frag = (uint16_t)max;
	ack.assoc_group_id = p->assoc_group;
	ack.sec_addr = sec_addr;
	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_BIND_ACK,
				.pfc_flags = PFC_FIRST_FRAG | PFC_LAST_FRAG,
				.call_id = call_id };
	struct wr w = out_begin(p, 64 + 24 * DCERPC_MAX_CTX + sizeof(sec_addr));
	dcerpc_bind_ack_encode(&w, &h, &ack);
	out_commit(p, &w);
}

static void handle_alter(struct rpc_pipe *p, const struct dcerpc_pdu *pdu, NTSTATUS st)
{
	uint32_t call_id = pdu->hdr.call_id;
	if (!p->bound || !NT_OK(st) || pdu->u.bind.n_ctx == 0 ||
	    (pdu->hdr.pfc_flags & (PFC_FIRST_FRAG | PFC_LAST_FRAG)) != (PFC_FIRST_FRAG | PFC_LAST_FRAG)) {
		fail(p, call_id, nca_proto_error, PFC_DID_NOT_EXECUTE);
		return;
	}
	struct dcerpc_bind_ack ack = { 0 };
	if (!negotiate_contexts(p, pdu, &ack))
		return;
	ack.max_xmit_frag = p->max_xmit;
	ack.max_recv_frag = p->max_recv;
	ack.assoc_group_id = p->assoc_group;
	ack.sec_addr = ""; /* alter_context_resp carries no address */
	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_ALTER_CONTEXT_RESP,
				.pfc_flags = PFC_FIRST_FRAG | PFC_LAST_FRAG,
				.call_id = call_id };
	struct wr w = out_begin(p, 64 + 24 * DCERPC_MAX_CTX);
	dcerpc_bind_ack_encode(&w, &h, &ack);
	out_commit(p, &w);
}

/* --- requests --- */

/* Runs the reassembled call and queues its response fragments or a fault. */
static void dispatch(struct rpc_pipe *p)
{
	uint8_t *stub = NULL;
	uint32_t fault = 0;
	struct ndr_wr n = { 0 };
	for (size_t cap = 1024;; cap = cap * 4 < RPC_MAX_PENDING_OUT ? cap * 4 : RPC_MAX_PENDING_OUT) {
		uint8_t *q = realloc(stub, cap);
		if (!q) {
			free(stub);
			p->nomem = true;
			p->broken = true;
			return;
		}
		stub = q;
		n = ndr_wr_init(stub, cap);
		static const uint8_t empty[1];
		/* an empty stub still gets a valid pointer (no NULL + 0 in readers) */
		fault = p->iface->call(p->info, &p->caller, p->call_opnum, p->req ? p->req : empty, p->req_len, &n);
		if (fault || !n.w.bad)
			break;
		if (cap == RPC_MAX_PENDING_OUT) {
			fault = nca_s_out_args_too_big;
			break;
		}
	}
	if (fault) {
		send_fault(p, p->call_id, p->call_ctx, fault, fault == nca_s_op_rng_error ? PFC_DID_NOT_EXECUTE : 0);
		free(stub);
		return;
	}
	size_t total = n.w.pos, off = 0;
	size_t chunk = ((size_t)p->max_xmit - DCERPC_RESPONSE_LEN) & ~(size_t)7;
	do {
		size_t len = total - off < chunk ? total - off : chunk;
		struct dcerpc_hdr h = { .ptype = DCERPC_PKT_RESPONSE, .call_id = p->call_id };
		if (off == 0)
			h.pfc_flags |= PFC_FIRST_FRAG;
		if (off + len == total)
			h.pfc_flags |= PFC_LAST_FRAG;
		struct dcerpc_response r = { .alloc_hint = (uint32_t)(total - off),
					     .context_id = p->call_ctx,
					     .stub = stub + off,
					     .stub_len = len };
		struct wr w = out_begin(p, DCERPC_RESPONSE_LEN + len);
		dcerpc_response_encode(&w, &h, &r);
		out_commit(p, &w);
		off += len;
	} while (off < total && !p->broken);
	free(stub);
}

static bool req_append(struct rpc_pipe *p, const uint8_t *data, size_t len)
{
	if (p->req_len + len > p->req_cap) {
		size_t cap = p->req_cap ? p->req_cap : 4096;
		while (cap < p->req_len + len)
			cap *= 2;
		uint8_t *q = realloc(p->req, cap);
		if (!q) {
			p->nomem = true;
			p->broken = true;
			return false;
		}
		p->req = q;
		p->req_cap = cap;
	}
	if (len)
		memcpy(p->req + p->req_len, data, len);
	p->req_len += len;
	return true;
}

static void handle_request(struct rpc_pipe *p, const struct dcerpc_pdu *pdu, NTSTATUS st)
{
	const struct dcerpc_hdr *h = &pdu->hdr;
	const struct dcerpc_request *q = &pdu->u.request;
	if (!p->bound || !NT_OK(st)) {
		fail(p, h->call_id, nca_proto_error, PFC_DID_NOT_EXECUTE);
		return;
	}
	if (h->pfc_flags & PFC_FIRST_FRAG) {
		if (p->in_call) { /* one call at a time without PFC_CONC_MPX */
			fail(p, p->call_id, nca_proto_error, 0);
			return;
		}
		if (!ctx_known(p, q->context_id)) {
			send_fault(p, h->call_id, q->context_id, nca_s_unknown_if, PFC_DID_NOT_EXECUTE);
			return;
		}
		p->in_call = true;
		p->call_id = h->call_id;
		p->call_ctx = q->context_id;
		p->call_opnum = q->opnum;
		p->req_len = 0;
	} else if (!p->in_call || h->call_id != p->call_id || q->context_id != p->call_ctx ||
		   q->opnum != p->call_opnum) {
		fail(p, p->in_call ? p->call_id : h->call_id, nca_proto_error, 0);
		return;
	}
	if (q->stub_len > RPC_MAX_REQUEST - p->req_len) {
		fail(p, p->call_id, DCERPC_FAULT_ACCESS_DENIED, 0);
		return;
	}
	if (!req_append(p, q->stub, q->stub_len))
		return;
	if (h->pfc_flags & PFC_LAST_FRAG) {
		p->in_call = false;
		dispatch(p);
		p->req_len = 0;
		if (p->req_cap > 65536) { /* do not keep a huge buffer around */
			free(p->req);
			p->req = NULL;
			p->req_cap = 0;
		}
	}
}

static void handle_pdu(struct rpc_pipe *p, const uint8_t *buf, size_t len)
{
	struct dcerpc_pdu pdu;
	NTSTATUS st = dcerpc_pdu_decode(buf, len, &pdu);
	switch (pdu.hdr.ptype) {
	case DCERPC_PKT_BIND:
		handle_bind(p, &pdu, st);
		break;
	case DCERPC_PKT_ALTER_CONTEXT:
		handle_alter(p, &pdu, st);
		break;
	case DCERPC_PKT_REQUEST:
		handle_request(p, &pdu, st);
		break;
	case DCERPC_PKT_CO_CANCEL:
	case DCERPC_PKT_ORPHANED:
		/* the client gave up on a call: drop what was reassembled */
		if (NT_OK(st) && p->in_call && pdu.hdr.call_id == p->call_id) {
			p->in_call = false;
			p->req_len = 0;
		}
		break;
	default:
		/* auth3 without authentication, or a PDU only servers send */
		fail(p, pdu.hdr.call_id, nca_proto_error, PFC_DID_NOT_EXECUTE);
		break;
	}
}

NTSTATUS rpc_pipe_write(struct rpc_pipe *p, const uint8_t *data, size_t len)
{
	if (p->broken)
		return STATUS_PIPE_BROKEN;
	if (rpc_pipe_pending(p) > RPC_MAX_PENDING_OUT)
		return STATUS_INSUFFICIENT_RESOURCES;
	while (len > 0 && !p->broken) {
		size_t want = p->in_len < DCERPC_HDR_LEN ? DCERPC_HDR_LEN - p->in_len : p->in_frag_len - p->in_len;
		size_t n = len < want ? len : want;
		memcpy(p->in + p->in_len, data, n);
		p->in_len += n;
		data += n;
		len -= n;
		if (p->in_len == DCERPC_HDR_LEN && n == want) {
			struct dcerpc_hdr h;
			NTSTATUS st = dcerpc_hdr_decode(p->in, p->in_len, &h);
			if (NT_EQ(st, STATUS_NOT_SUPPORTED) && h.ptype == DCERPC_PKT_BIND) {
				send_bind_nak(p, h.call_id, DCERPC_NAK_PROTOCOL_VERSION_NOT_SUPPORTED);
				break;
			}
			if (!NT_OK(st) || h.frag_length > p->max_recv) {
				fail(p, h.call_id, nca_proto_error, PFC_DID_NOT_EXECUTE);
				break;
			}
			p->in_frag_len = h.frag_length;
		}
		if (p->in_len >= DCERPC_HDR_LEN && p->in_len == p->in_frag_len) {
			handle_pdu(p, p->in, p->in_len);
			p->in_len = 0;
		}
	}
	if (p->nomem)
		return STATUS_NO_MEMORY;
	return STATUS_SUCCESS;
}

size_t rpc_pipe_read(struct rpc_pipe *p, uint8_t *out, size_t cap, bool *more)
{
	*more = false;
	if (p->out_pos == p->out_len)
		return 0;
	if (p->msg_left == 0) {
		/* our own PDU: its frag_length is at offset 8 */
		p->msg_left = le16_at(p->out + p->out_pos + 8);
	}
	size_t n = p->msg_left < cap ? p->msg_left : cap;
	memcpy(out, p->out + p->out_pos, n);
	p->out_pos += n;
	p->msg_left -= n;
	*more = p->msg_left > 0;
	if (p->out_pos == p->out_len)
		p->out_pos = p->out_len = 0;
	return n;
}
