/* DCE/RPC PDU codec and NDR helpers (wire/dcerpc.h, wire/ndr.h): hand-written
 * PDUs after the C706 12.6 layouts decode field by field, encoders reproduce
 * hand-written bytes (also parsed by Samba's ndrdump when installed), and
 * every truncation and hostile count is refused. */
#include "rpc_test.h"

/* A bind for srvsvc v3.0 with NDR20, as smbclient -L sends it. */
static const uint8_t bind_srvsvc[] = {
	0x05, 0x00, 0x0b, 0x03, 0x10, 0x00, 0x00, 0x00, /* v5.0 bind, first|last, LE/ASCII/IEEE */
	0x48, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* frag_length 72, auth 0, call_id 1 */
	0xb8, 0x10, 0xb8, 0x10, 0x00, 0x00, 0x00, 0x00, /* max_xmit/recv 4280, assoc group 0 */
	0x01, 0x00, 0x00, 0x00,				/* one context */
	0x00, 0x00, 0x01, 0x00,				/* id 0, one transfer syntax */
	0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01, 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88, 0x03,
	0x00, 0x00, 0x00, /* 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0 */
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 0x02,
	0x00, 0x00, 0x00, /* 8a885d04-1ceb-11c9-9fe8-08002b104860 v2 */
};

/* The bind_ack that answers it. */
static const uint8_t bind_ack_srvsvc[] = {
	0x05, 0x00, 0x0c, 0x03, 0x10, 0x00, 0x00, 0x00, 0x44, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0xb8, 0x10, 0xb8, 0x10, 0xf0, 0x53, 0x00, 0x00, /* sizes, assoc group 0x53f0 */
	0x0d, 0x00, '\\', 'P', 'I', 'P', 'E', '\\', 's', 'r', 'v', 's', 'v', 'c', 0x00, /* port_spec */
	0x00,			/* pad to 4 */
	0x01, 0x00, 0x00, 0x00, /* one result */
	0x00, 0x00, 0x00, 0x00, /* acceptance */
	0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00, 0x2b, 0x10, 0x48, 0x60, 0x02,
	0x00, 0x00, 0x00,
};

static void test_bind_decode(void **state)
{
	struct dcerpc_pdu pdu;
	assert_ok(dcerpc_pdu_decode(bind_srvsvc, sizeof(bind_srvsvc), &pdu));
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_BIND);
	assert_int_equal(pdu.hdr.pfc_flags, PFC_FIRST_FRAG | PFC_LAST_FRAG);
	assert_int_equal(pdu.hdr.frag_length, 72);
	assert_int_equal(pdu.hdr.call_id, 1);
	const struct dcerpc_bind *b = &pdu.u.bind;
	assert_int_equal(b->max_xmit_frag, 4280);
	assert_int_equal(b->max_recv_frag, 4280);
	assert_int_equal(b->n_ctx, 1);
	assert_int_equal(b->ctx[0].context_id, 0);
	assert_int_equal(b->ctx[0].n_transfer, 1);
	assert_true(dcerpc_syntax_equal(&b->ctx[0].abstract, &srvsvc_syntax));
	assert_true(dcerpc_syntax_equal(&b->ctx[0].transfer[0], &dcerpc_ndr20_syntax));
	ndrdump_check("dcerpc", "ncacn_packet", "struct", NULL, 0, bind_srvsvc, sizeof(bind_srvsvc),
		      "4b324fc8-1670-01d3-1278-5a47bf6ee188", "8a885d04-1ceb-11c9-9fe8-08002b104860", NULL);

	/* re-encoding gives the same bytes */
	uint8_t buf[256];
	struct wr w = wr_init(buf, sizeof(buf));
	dcerpc_bind_encode(&w, &pdu.hdr, b);
	assert_false(w.bad);
	assert_int_equal(w.pos, sizeof(bind_srvsvc));
	assert_memory_equal(buf, bind_srvsvc, sizeof(bind_srvsvc));
}

static void test_bind_ack_encode(void **state)
{
	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_BIND_ACK, .pfc_flags = 3, .call_id = 1 };
	struct dcerpc_bind_ack a = { .max_xmit_frag = 4280,
				     .max_recv_frag = 4280,
				     .assoc_group_id = 0x53f0,
				     .sec_addr = "\\PIPE\\srvsvc",
				     .n_results = 1 };
	a.results[0].transfer = dcerpc_ndr20_syntax;
	uint8_t buf[256];
	struct wr w = wr_init(buf, sizeof(buf));
	dcerpc_bind_ack_encode(&w, &h, &a);
	assert_false(w.bad);
	assert_int_equal(w.pos, sizeof(bind_ack_srvsvc));
	assert_memory_equal(buf, bind_ack_srvsvc, sizeof(bind_ack_srvsvc));
	ndrdump_check("dcerpc", "ncacn_packet", "struct", NULL, 0, buf, w.pos, "'\\PIPE\\srvsvc'",
		      "DCERPC_BIND_ACK_RESULT_ACCEPTANCE", NULL);

	struct dcerpc_pdu pdu;
	assert_ok(dcerpc_pdu_decode(buf, w.pos, &pdu));
	assert_string_equal(pdu.u.bind_ack.sec_addr, "\\PIPE\\srvsvc");
	assert_int_equal(pdu.u.bind_ack.n_results, 1);
	assert_true(dcerpc_syntax_equal(&pdu.u.bind_ack.results[0].transfer, &dcerpc_ndr20_syntax));

	/* alter_context_resp: empty address (length 0) then 2 pad bytes */
	h.ptype = DCERPC_PKT_ALTER_CONTEXT_RESP;
	a.sec_addr = "";
	w = wr_init(buf, sizeof(buf));
	dcerpc_bind_ack_encode(&w, &h, &a);
	assert_false(w.bad);
	assert_int_equal(w.pos, 56);
	assert_int_equal(le16_at(buf + 24), 0);
	assert_int_equal(buf[28], 1);
	ndrdump_check("dcerpc", "ncacn_packet", "struct", NULL, 0, buf, w.pos, "secondary_address_size   : 0x0000",
		      NULL);
	assert_ok(dcerpc_pdu_decode(buf, w.pos, &pdu));
	assert_string_equal(pdu.u.bind_ack.sec_addr, "");
}

static void test_bind_nak_fault_encode(void **state)
{
	static const uint8_t nak[] = { 0x05, 0x00, 0x0d, 0x03, 0x10, 0x00, 0x00, 0x00, 0x18, 0x00, 0x00, 0x00,
				       0x07, 0x00, 0x00, 0x00, 0x04, 0x00, 0x01, 0x05, 0x00, 0x00, 0x00, 0x00 };
	uint8_t buf[64];
	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_BIND_NAK, .pfc_flags = 3, .call_id = 7 };
	struct wr w = wr_init(buf, sizeof(buf));
	dcerpc_bind_nak_encode(&w, &h, DCERPC_NAK_PROTOCOL_VERSION_NOT_SUPPORTED);
	assert_int_equal(w.pos, sizeof(nak));
	assert_memory_equal(buf, nak, sizeof(nak));
	ndrdump_check("dcerpc", "ncacn_packet", "struct", NULL, 0, buf, w.pos,
		      "DCERPC_BIND_NAK_REASON_PROTOCOL_VERSION_NOT_SUPPORTED", NULL);

	static const uint8_t fault[] = { 0x05, 0x00, 0x03, 0x23, 0x10, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00,
					 0x00, 0x02, 0x00, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, 0x00,
					 0x00, 0x00, 0x02, 0x00, 0x01, 0x1c, 0x00, 0x00, 0x00, 0x00 };
	h = (struct dcerpc_hdr){ .ptype = DCERPC_PKT_FAULT, .pfc_flags = 0x23, .call_id = 2 };
	struct dcerpc_fault f = { .alloc_hint = 8, .context_id = 1, .status = nca_s_op_rng_error };
	w = wr_init(buf, sizeof(buf));
	dcerpc_fault_encode(&w, &h, &f);
	assert_int_equal(w.pos, sizeof(fault));
	assert_memory_equal(buf, fault, sizeof(fault));
	ndrdump_check("dcerpc", "ncacn_packet", "struct", NULL, 0, buf, w.pos, "DCERPC_NCA_S_OP_RNG_ERROR", NULL);
	struct dcerpc_pdu pdu;
	assert_ok(dcerpc_pdu_decode(buf, w.pos, &pdu));
	assert_int_equal(pdu.u.fault.status, nca_s_op_rng_error);
	assert_int_equal(pdu.u.fault.context_id, 1);
}

static void test_request_response(void **state)
{
	/* request with an object uuid: 40-byte header, then the stub */
	static const uint8_t req[] = {
		0x05, 0x00, 0x00, 0x83, 0x10, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00, 0x00, 0x05, 0x00, 0x00, 0x00,
		0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x0f, 0x00, /* alloc_hint 4, ctx 1, opnum 15 */
		0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
		0xde, 0xad, 0xbe, 0xef,
	};
	struct dcerpc_pdu pdu;
	assert_ok(dcerpc_pdu_decode(req, sizeof(req), &pdu));
	assert_int_equal(pdu.u.request.opnum, 15);
	assert_int_equal(pdu.u.request.context_id, 1);
	assert_true(pdu.u.request.has_object);
	assert_int_equal(pdu.u.request.object.time_low, 0x04030201);
	assert_int_equal(pdu.u.request.stub_len, 4);
	assert_ptr_equal(pdu.u.request.stub, req + 40);
	uint8_t buf[64];
	struct wr w = wr_init(buf, sizeof(buf));
	dcerpc_request_encode(&w, &pdu.hdr, &pdu.u.request);
	assert_int_equal(w.pos, sizeof(req));
	assert_memory_equal(buf, req, sizeof(req));

	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_RESPONSE, .pfc_flags = PFC_FIRST_FRAG, .call_id = 5 };
	struct dcerpc_response r = { .alloc_hint = 100, .context_id = 1, .stub = req + 40, .stub_len = 4 };
	w = wr_init(buf, sizeof(buf));
	dcerpc_response_encode(&w, &h, &r);
	assert_int_equal(w.pos, 28);
	assert_int_equal(le16_at(buf + 8), 28);
	assert_ok(dcerpc_pdu_decode(buf, w.pos, &pdu));
	assert_int_equal(pdu.u.response.alloc_hint, 100);
	assert_int_equal(pdu.u.response.stub_len, 4);
	assert_memory_equal(pdu.u.response.stub, req + 40, 4);
}

static void test_header_refusals(void **state)
{
	uint8_t b[sizeof(bind_srvsvc)];
	struct dcerpc_pdu pdu;
	struct dcerpc_hdr h;

	memcpy(b, bind_srvsvc, sizeof(b));
	b[4] = 0x00; /* big-endian integers */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_NOT_SUPPORTED);
	assert_status(dcerpc_hdr_decode(b, sizeof(b), &h), STATUS_NOT_SUPPORTED);
	b[4] = 0x11; /* EBCDIC */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_NOT_SUPPORTED);
	b[4] = 0x10;
	b[5] = 0x01; /* VAX floating point */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_NOT_SUPPORTED);

	memcpy(b, bind_srvsvc, sizeof(b));
	b[0] = 4; /* connectionless version */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_NOT_SUPPORTED);
	b[0] = 5;
	b[1] = 2;
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_NOT_SUPPORTED);
	b[1] = 1; /* 5.1 is fine */
	assert_ok(dcerpc_pdu_decode(b, sizeof(b), &pdu));

	memcpy(b, bind_srvsvc, sizeof(b));
	b[10] = 8; /* auth_length */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_NOT_SUPPORTED);

	memcpy(b, bind_srvsvc, sizeof(b));
	b[8] = 71; /* frag_length disagrees with the length */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_INVALID_PARAMETER);
	b[8] = 15; /* below the header size */
	assert_status(dcerpc_hdr_decode(b, sizeof(b), &h), STATUS_INVALID_PARAMETER);

	/* every truncation of every PDU kind is refused without reading past it */
	const uint8_t *pdus[] = { bind_srvsvc, bind_ack_srvsvc };
	size_t lens[] = { sizeof(bind_srvsvc), sizeof(bind_ack_srvsvc) };
	for (size_t k = 0; k < 2; k++) {
		for (size_t n = 0; n < lens[k]; n++) {
			uint8_t *copy = malloc(n ? n : 1);
			memcpy(copy, pdus[k], n);
			if (n >= 10)
				wr_le16_at(copy + 8, (uint16_t)n); /* consistent frag_length */
			assert_false(NT_OK(dcerpc_pdu_decode(copy, n, &pdu)));
			free(copy);
		}
	}
}

static void test_bind_hostile_counts(void **state)
{
	uint8_t b[sizeof(bind_srvsvc)];
	struct dcerpc_pdu pdu;
	memcpy(b, bind_srvsvc, sizeof(b));
	b[24] = 2; /* two contexts, one present */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_INVALID_PARAMETER);
	b[24] = 200; /* beyond the cap */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_INSUFFICIENT_RESOURCES);
	memcpy(b, bind_srvsvc, sizeof(b));
	b[30] = 0; /* no transfer syntax */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_INVALID_PARAMETER);
	b[30] = 2; /* two transfer syntaxes, one present */
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_INVALID_PARAMETER);
	b[30] = 255;
	assert_status(dcerpc_pdu_decode(b, sizeof(b), &pdu), STATUS_INSUFFICIENT_RESOURCES);

	/* bind_ack: address longer than the PDU, or not NUL-terminated */
	uint8_t a[sizeof(bind_ack_srvsvc)];
	memcpy(a, bind_ack_srvsvc, sizeof(a));
	a[24] = 0xff;
	assert_status(dcerpc_pdu_decode(a, sizeof(a), &pdu), STATUS_INVALID_PARAMETER);
	memcpy(a, bind_ack_srvsvc, sizeof(a));
	a[38] = 'x';
	assert_status(dcerpc_pdu_decode(a, sizeof(a), &pdu), STATUS_INVALID_PARAMETER);
}

static void test_bind_time_features(void **state)
{
	uint16_t f = 0;
	assert_true(dcerpc_bind_time_features(&btfn_syntax, &f));
	assert_int_equal(f, 3);
	assert_false(dcerpc_bind_time_features(&dcerpc_ndr20_syntax, &f));
	assert_false(dcerpc_bind_time_features(&dcerpc_ndr64_syntax, &f));
}

/* --- NDR --- */

static void test_ndr_string(void **state)
{
	/* offset 2 so the helper must align: pad, max 5, offset 0, actual 5, "IPC$\0" */
	static const uint8_t s[] = { 0xaa, 0xbb, 0, 0, 5, 0, 0, 0, 0, 0, 0, 0, 5, 0, 0, 0, 'I', 0,
				     'P',  0,	 'C', 0, '$', 0, 0, 0, 0, 0, 0x2a, 0, 0, 0 };
	char out[32];
	struct rd r = rd_init(s, sizeof(s));
	rd_skip(&r, 2);
	ndr_rd_string(&r, out, sizeof(out));
	assert_false(r.bad);
	assert_string_equal(out, "IPC$");
	assert_int_equal(ndr_rd_u32(&r), 0x2a); /* aligned after 10 bytes of text */
	assert_false(r.bad);

	/* no terminator is fine */
	uint8_t t[sizeof(s)];
	memcpy(t, s, sizeof(s));
	t[4] = t[12] = 4;
	r = rd_init(t, sizeof(t));
	rd_skip(&r, 2);
	ndr_rd_string(&r, out, sizeof(out));
	assert_false(r.bad);
	assert_string_equal(out, "IPC$");

	struct {
		size_t at;
		uint8_t v;
	} bad[] = {
		{ 8, 1 },     /* offset != 0 */
		{ 12, 6 },    /* actual > max */
		{ 12, 0xff }, /* actual beyond the data */
		{ 18, 0 },    /* embedded NUL ("I\0C$") */
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(t, s, sizeof(s));
		t[bad[i].at] = bad[i].v;
		if (bad[i].at == 18)
			t[19] = 0;
		r = rd_init(t, sizeof(t));
		rd_skip(&r, 2);
		ndr_rd_string(&r, out, sizeof(out));
		assert_true(r.bad);
	}
	/* huge max_count is refused before anything is read */
	memcpy(t, s, sizeof(s));
	t[4] = 0xff;
	t[5] = 0xff;
	t[6] = 0xff;
	t[7] = 0x7f;
	r = rd_init(t, sizeof(t));
	rd_skip(&r, 2);
	ndr_rd_string(&r, out, sizeof(out));
	assert_true(r.bad);
	/* output too small */
	r = rd_init(s, sizeof(s));
	rd_skip(&r, 2);
	ndr_rd_string(&r, out, 4);
	assert_true(r.bad);
	/* unpaired surrogate */
	memcpy(t, s, sizeof(s));
	t[16] = 0x00;
	t[17] = 0xd8;
	r = rd_init(t, sizeof(t));
	rd_skip(&r, 2);
	ndr_rd_string(&r, out, sizeof(out));
	assert_true(r.bad);

	/* unique NULL pointer */
	static const uint8_t np[] = { 0, 0, 0, 0 };
	bool present = true;
	r = rd_init(np, sizeof(np));
	ndr_rd_unique_string(&r, out, sizeof(out), &present);
	assert_false(r.bad);
	assert_false(present);
	assert_string_equal(out, "");
}

static void test_ndr_write(void **state)
{
	uint8_t buf[64];
	struct ndr_wr n = ndr_wr_init(buf, sizeof(buf));
	wr_u8(&n.w, 1);
	ndr_wr_ptr(&n, true);
	ndr_wr_ptr(&n, false);
	ndr_wr_ptr(&n, true);
	ndr_wr_string(&n, "\xc3\xa9t\xc3\xa9"); /* "été" */
	ndr_wr_u16(&n, 0x1234);
	ndr_wr_array_count(&n, 3);
	assert_false(n.w.bad);
	static const uint8_t want[] = {
		1,    0,    0,	  0,	0x00, 0x00, 0x02, 0x00, 0,    0,    0,	  0,	0x04, 0x00, 0x02, 0x00,
		4,    0,    0,	  0,	0,    0,    0,	  0,	4,    0,    0,	  0,	0xe9, 0x00, 't',  0x00,
		0xe9, 0x00, 0x00, 0x00, 0x34, 0x12, 0,	  0,	3,    0,    0,	  0,
	};
	assert_int_equal(n.w.pos, sizeof(want));
	assert_memory_equal(buf, want, sizeof(want));

	/* it reads back */
	struct rd r = rd_init(buf, n.w.pos);
	char out[16];
	bool present;
	rd_skip(&r, 1);
	assert_int_equal(ndr_rd_ptr(&r), 0x20000);
	assert_int_equal(ndr_rd_ptr(&r), 0);
	ndr_rd_unique_string(&r, out, sizeof(out), &present);
	assert_true(present);
	assert_string_equal(out, "\xc3\xa9t\xc3\xa9");
	assert_int_equal(ndr_rd_u16(&r), 0x1234);
	assert_int_equal(ndr_rd_array_count(&r, 3), 3);
	assert_false(r.bad);
	r = rd_init(buf, n.w.pos);
	rd_skip(&r, 40);
	assert_int_equal(ndr_rd_array_count(&r, 2), 0);
	assert_true(r.bad);

	/* invalid UTF-8 and overflow make the writer bad */
	n = ndr_wr_init(buf, sizeof(buf));
	ndr_wr_string(&n, "\xff");
	assert_true(n.w.bad);
	n = ndr_wr_init(buf, 16);
	ndr_wr_string(&n, "abc");
	assert_true(n.w.bad);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bind_decode),
		cmocka_unit_test(test_bind_ack_encode),
		cmocka_unit_test(test_bind_nak_fault_encode),
		cmocka_unit_test(test_request_response),
		cmocka_unit_test(test_header_refusals),
		cmocka_unit_test(test_bind_hostile_counts),
		cmocka_unit_test(test_bind_time_features),
		cmocka_unit_test(test_ndr_string),
		cmocka_unit_test(test_ndr_write),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
