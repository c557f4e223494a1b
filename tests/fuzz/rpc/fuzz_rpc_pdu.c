/* libFuzzer target for the DCE/RPC PDU codec (wire/dcerpc.h): any input is
 * decoded; every slice must lie inside it; a PDU that decodes is encoded
 * again and must decode to the same fields. */
#include <stdlib.h>
#include <string.h>

#include "wire/dcerpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_slice(const uint8_t *base, size_t size, const uint8_t *p, size_t n)
{
	if (n == 0)
		return;
	if (!p || p < base || n > size || (size_t)(p - base) > size - n)
		abort();
}

static uint8_t out[70000];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dcerpc_hdr h;
	(void)dcerpc_hdr_decode(data, size, &h);
	static struct dcerpc_pdu pdu, again;
	if (!NT_OK(dcerpc_pdu_decode(data, size, &pdu)))
		return 0;
	if (pdu.hdr.frag_length != size || pdu.hdr.auth_length != 0)
		abort();
	struct wr w = wr_init(out, sizeof(out));
	switch (pdu.hdr.ptype) {
	case DCERPC_PKT_BIND:
	case DCERPC_PKT_ALTER_CONTEXT:
		if (pdu.u.bind.n_ctx > DCERPC_MAX_CTX)
			abort();
		for (unsigned i = 0; i < pdu.u.bind.n_ctx; i++)
			if (pdu.u.bind.ctx[i].n_transfer == 0 || pdu.u.bind.ctx[i].n_transfer > DCERPC_MAX_TRANSFER)
				abort();
		dcerpc_bind_encode(&w, &pdu.hdr, &pdu.u.bind);
		break;
	case DCERPC_PKT_BIND_ACK:
	case DCERPC_PKT_ALTER_CONTEXT_RESP: {
		const char *a = pdu.u.bind_ack.sec_addr;
		if (*a)
			check_slice(data, size, (const uint8_t *)a, strlen(a) + 1);
		dcerpc_bind_ack_encode(&w, &pdu.hdr, &pdu.u.bind_ack);
		break;
	}
	case DCERPC_PKT_REQUEST:
		check_slice(data, size, pdu.u.request.stub, pdu.u.request.stub_len);
		dcerpc_request_encode(&w, &pdu.hdr, &pdu.u.request);
		break;
	case DCERPC_PKT_RESPONSE:
		check_slice(data, size, pdu.u.response.stub, pdu.u.response.stub_len);
		dcerpc_response_encode(&w, &pdu.hdr, &pdu.u.response);
		break;
	case DCERPC_PKT_FAULT:
		dcerpc_fault_encode(&w, &pdu.hdr, &pdu.u.fault);
		break;
	case DCERPC_PKT_BIND_NAK:
		dcerpc_bind_nak_encode(&w, &pdu.hdr, pdu.u.bind_nak.reject_reason);
		break;
	default:
		return 0;
	}
	if (w.bad)
		abort(); /* a decoded PDU is at most 65535 bytes and re-encodes within that */
	if (!NT_OK(dcerpc_pdu_decode(out, w.pos, &again)))
		abort();
	if (again.hdr.ptype != pdu.hdr.ptype || again.hdr.call_id != pdu.hdr.call_id)
		abort();
	switch (pdu.hdr.ptype) {
	case DCERPC_PKT_BIND:
	case DCERPC_PKT_ALTER_CONTEXT:
		if (again.u.bind.n_ctx != pdu.u.bind.n_ctx)
			abort();
		for (unsigned i = 0; i < pdu.u.bind.n_ctx; i++)
			if (!dcerpc_syntax_equal(&again.u.bind.ctx[i].abstract, &pdu.u.bind.ctx[i].abstract) ||
			    !dcerpc_syntax_equal(&again.u.bind.ctx[i].transfer[0], &pdu.u.bind.ctx[i].transfer[0]))
				abort();
		break;
	case DCERPC_PKT_REQUEST:
		if (again.u.request.opnum != pdu.u.request.opnum || again.u.request.stub_len != pdu.u.request.stub_len ||
		    memcmp(again.u.request.stub, pdu.u.request.stub, pdu.u.request.stub_len) != 0)
			abort();
		break;
	case DCERPC_PKT_BIND_ACK:
	case DCERPC_PKT_ALTER_CONTEXT_RESP:
		if (strcmp(again.u.bind_ack.sec_addr, pdu.u.bind_ack.sec_addr) != 0 ||
		    again.u.bind_ack.n_results != pdu.u.bind_ack.n_results)
			abort();
		break;
	case DCERPC_PKT_FAULT:
		if (again.u.fault.status != pdu.u.fault.status)
			abort();
		break;
	default:
		break;
	}
	return 0;
}
