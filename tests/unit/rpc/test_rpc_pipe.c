/* The named-pipe RPC server (rpc/pipe.h) with srvsvc and wkssvc: binds
 * accepted and refused per context, fragmentation in both directions, faults,
 * protocol errors that shut the pipe, every supported info level (response
 * stubs parsed and re-encoded identically by Samba's ndrdump when installed),
 * and the server info built from a config snapshot. */
#include "rpc_test.h"

#include "config/config.h"

/* NetrShareEnum level 1 as smbclient -L sends it (a hand-written NDR20 stub):
 * ServerName "\\127.0.0.1", InfoStruct {1, [1] {0, NULL}}, PreferedMaximumLength
 * 0xffffffff, ResumeHandle -> 0. */
static const uint8_t enum1_stub[] = {
	0x00, 0x00, 0x02, 0x00,				/* ServerName referent */
	0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x00, 0x00, 0x00, /* max 12, offset 0, actual 12 */
	0x5c, 0x00, 0x5c, 0x00, 0x31, 0x00, 0x32, 0x00, 0x37, 0x00, 0x2e, 0x00, 0x30, 0x00, 0x2e, 0x00,
	0x30, 0x00, 0x2e, 0x00, 0x31, 0x00, 0x00, 0x00, /* "\\127.0.0.1\0" */
	0x01, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, /* Level 1, union switch 1 */
	0x04, 0x00, 0x02, 0x00,				/* container referent */
	0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, /* EntriesRead 0, Buffer NULL */
	0xff, 0xff, 0xff, 0xff,				/* PreferedMaximumLength */
	0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, /* ResumeHandle -> 0 */
};

static struct rpc_server_info *test_info(void)
{
	struct rpc_server_info *info = rpc_server_info_new("SMB3D", "smb3d test", "WORKGROUP");
	assert_non_null(info);
	assert_true(rpc_server_info_add_share(info, "IPC$", "IPC Service (smb3d test)", NULL, true, true));
	assert_true(rpc_server_info_add_share(info, "data", "Data files", "/srv/data", true, false));
	assert_true(rpc_server_info_add_share(info, "hidden", "not listed", "/srv/hidden", false, false));
	assert_true(rpc_server_info_add_share(info, "admin$", "", "/srv/admin", true, false));
	return info;
}

static struct replies R;

static struct rpc_pipe *open_bound(const char *name, const struct dcerpc_syntax *iface, uint16_t max_frag)
{
	struct rpc_server_info *info = test_info();
	struct rpc_pipe *p = rpc_pipe_new(name, info);
	rpc_server_info_put(info); /* the pipe holds its own reference */
	assert_non_null(p);
	uint8_t buf[256];
	size_t n = mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, max_frag, 1, iface, &dcerpc_ndr20_syntax);
	transceive(p, buf, n, &R);
	struct dcerpc_pdu pdu;
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_BIND_ACK);
	assert_int_equal(pdu.u.bind_ack.results[0].result, DCERPC_ACCEPTANCE);
	return p;
}

/* One call: the stub in a single request PDU; R holds the replies. Returns
 * the first reply PDU's type. */
static uint8_t call(struct rpc_pipe *p, uint16_t opnum, const uint8_t *stub, size_t len)
{
	static uint8_t buf[1 << 16];
	static uint32_t call_id = 2;
	size_t n = mk_request(buf, sizeof(buf), call_id++, PFC_FIRST_FRAG | PFC_LAST_FRAG, 0, opnum, stub, len);
	transceive(p, buf, n, &R);
	struct dcerpc_pdu pdu;
	pdu_at(&R, 0, &pdu);
	return pdu.hdr.ptype;
}

static uint32_t fault_status(void)
{
	struct dcerpc_pdu pdu;
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_FAULT);
	assert_int_equal(pdu.hdr.frag_length, DCERPC_FAULT_LEN);
	return pdu.u.fault.status;
}

/* --- request stubs --- */

static size_t stub_enum(uint8_t *buf, size_t cap, uint32_t level, bool resume, uint32_t rh)
{
	struct ndr_wr n = ndr_wr_init(buf, cap);
	ndr_wr_ptr(&n, true);
	ndr_wr_string(&n, "\\\\SMB3D");
	ndr_wr_u32(&n, level);
	ndr_wr_u32(&n, level);
	ndr_wr_ptr(&n, true);
	ndr_wr_u32(&n, 0);
	ndr_wr_ptr(&n, false);
	ndr_wr_u32(&n, 0xffffffff);
	ndr_wr_ptr(&n, resume);
	if (resume)
		ndr_wr_u32(&n, rh);
	assert_false(n.w.bad);
	return n.w.pos;
}

static size_t stub_get_info(uint8_t *buf, size_t cap, const char *share, uint32_t level)
{
	struct ndr_wr n = ndr_wr_init(buf, cap);
	ndr_wr_ptr(&n, false);
	ndr_wr_string(&n, share);
	ndr_wr_u32(&n, level);
	assert_false(n.w.bad);
	return n.w.pos;
}

static size_t stub_level(uint8_t *buf, size_t cap, uint32_t level)
{
	struct ndr_wr n = ndr_wr_init(buf, cap);
	ndr_wr_ptr(&n, true);
	ndr_wr_string(&n, "SMB3D");
	ndr_wr_u32(&n, level);
	assert_false(n.w.bad);
	return n.w.pos;
}

static uint32_t werr(void)
{
	assert_true(R.stub_len >= 4);
	return le32_at(R.stub + R.stub_len - 4);
}

/* --- names --- */

static void test_pipe_names(void **state)
{
	assert_true(rpc_pipe_known("srvsvc"));
	assert_true(rpc_pipe_known("SRVSVC"));
	assert_true(rpc_pipe_known("\\PIPE\\srvsvc"));
	assert_true(rpc_pipe_known("\\pipe\\WksSvc"));
	assert_false(rpc_pipe_known("lsarpc"));
	assert_false(rpc_pipe_known("\\PIPE\\"));
	assert_false(rpc_pipe_known("srvsvc2"));
	assert_false(rpc_pipe_known(NULL));
	struct rpc_server_info *info = test_info();
	assert_null(rpc_pipe_new("samr", info));
	rpc_server_info_put(info);
}

/* --- bind --- */

static void test_bind_accept(void **state)
{
	/* the hand-written bind of test_rpc_wire: srvsvc, NDR20, 4280 */
	static const uint8_t bind[] = {
		0x05, 0x00, 0x0b, 0x03, 0x10, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
		0xb8, 0x10, 0xb8, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
		0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01, 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88,
		0x03, 0x00, 0x00, 0x00, 0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00,
		0x2b, 0x10, 0x48, 0x60, 0x02, 0x00, 0x00, 0x00,
	};
	struct rpc_server_info *info = test_info();
	struct rpc_pipe *p = rpc_pipe_new("\\PIPE\\srvsvc", info);
	rpc_server_info_put(info);
	assert_non_null(p);
	assert_int_equal(rpc_pipe_pending(p), 0);
	transceive(p, bind, sizeof(bind), &R);
	assert_int_equal(R.n, 1);
	struct dcerpc_pdu pdu;
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_BIND_ACK);
	assert_int_equal(pdu.hdr.call_id, 1);
	assert_int_equal(pdu.hdr.pfc_flags, PFC_FIRST_FRAG | PFC_LAST_FRAG);
	assert_int_equal(pdu.u.bind_ack.max_xmit_frag, 4280);
	assert_int_equal(pdu.u.bind_ack.max_recv_frag, 4280);
	assert_int_not_equal(pdu.u.bind_ack.assoc_group_id, 0);
	assert_string_equal(pdu.u.bind_ack.sec_addr, "\\PIPE\\srvsvc");
	assert_int_equal(pdu.u.bind_ack.n_results, 1);
	assert_int_equal(pdu.u.bind_ack.results[0].result, DCERPC_ACCEPTANCE);
	assert_true(dcerpc_syntax_equal(&pdu.u.bind_ack.results[0].transfer, &dcerpc_ndr20_syntax));
	ndrdump_check("dcerpc", "ncacn_packet", "struct", NULL, 0, R.buf, R.len, "'\\PIPE\\srvsvc'", NULL);

	/* a request then works; the stub is the hand-written enum */
	assert_int_equal(call(p, 15, enum1_stub, sizeof(enum1_stub)), DCERPC_PKT_RESPONSE);
	assert_int_equal(werr(), WERR_OK);
	rpc_pipe_free(p);
}

static void test_bind_contexts(void **state)
{
	/* Windows' three contexts: NDR20, NDR64, bind time features */
	struct rpc_server_info *info = test_info();
	struct rpc_pipe *p = rpc_pipe_new("srvsvc", info);
	const struct dcerpc_syntax abs[] = { srvsvc_syntax, srvsvc_syntax, srvsvc_syntax, wkssvc_syntax };
	const struct dcerpc_syntax xfer[] = { dcerpc_ndr20_syntax, dcerpc_ndr64_syntax, btfn_syntax,
					      dcerpc_ndr20_syntax };
	uint8_t buf[512];
	size_t n = mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 3, 5840, 4, abs, xfer);
	transceive(p, buf, n, &R);
	struct dcerpc_pdu pdu;
	pdu_at(&R, 0, &pdu);
	const struct dcerpc_bind_ack *a = &pdu.u.bind_ack;
	assert_int_equal(a->max_xmit_frag, 5840);
	assert_int_equal(a->n_results, 4);
	assert_int_equal(a->results[0].result, DCERPC_ACCEPTANCE);
	assert_int_equal(a->results[1].result, DCERPC_PROVIDER_REJECTION);
	assert_int_equal(a->results[1].reason, DCERPC_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED);
	assert_int_equal(a->results[2].result, DCERPC_NEGOTIATE_ACK);
	assert_int_equal(a->results[2].reason, DCERPC_BIND_TIME_KEEP_CONNECTION_ON_ORPHAN);
	assert_int_equal(a->results[3].result, DCERPC_PROVIDER_REJECTION);
	assert_int_equal(a->results[3].reason, DCERPC_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED);
	ndrdump_check("dcerpc", "ncacn_packet", "struct", NULL, 0, R.buf, R.len, "DCERPC_BIND_ACK_RESULT_NEGOTIATE_ACK",
		      "DCERPC_BIND_ACK_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED", NULL);

	/* the NDR64 context (id 1) and the rejected one (id 3) are not usable */
	uint8_t stub[256];
	size_t sl = stub_level(stub, sizeof(stub), 101);
	n = mk_request(buf, sizeof(buf), 4, PFC_FIRST_FRAG | PFC_LAST_FRAG, 1, 21, stub, sl);
	transceive(p, buf, n, &R);
	assert_int_equal(fault_status(), nca_s_unknown_if);
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.call_id, 4);
	assert_true(pdu.hdr.pfc_flags & PFC_DID_NOT_EXECUTE);
	assert_false(rpc_pipe_broken(p));
	n = mk_request(buf, sizeof(buf), 5, PFC_FIRST_FRAG | PFC_LAST_FRAG, 0, 21, stub, sl);
	transceive(p, buf, n, &R);
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_RESPONSE);
	rpc_pipe_free(p);

	/* NDR64 only / unknown interface only: bind_ack with every context
	 * rejected (what Windows and Samba do), and requests then fault */
	p = rpc_pipe_new("wkssvc", info);
	n = mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, 4280, 1, &wkssvc_syntax, &dcerpc_ndr64_syntax);
	transceive(p, buf, n, &R);
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_BIND_ACK);
	assert_int_equal(pdu.u.bind_ack.results[0].result, DCERPC_PROVIDER_REJECTION);
	assert_int_equal(pdu.u.bind_ack.results[0].reason, DCERPC_REASON_TRANSFER_SYNTAXES_NOT_SUPPORTED);
	n = mk_request(buf, sizeof(buf), 2, PFC_FIRST_FRAG | PFC_LAST_FRAG, 0, 0, stub, sl);
	transceive(p, buf, n, &R);
	assert_int_equal(fault_status(), nca_s_unknown_if);
	rpc_pipe_free(p);

	p = rpc_pipe_new("wkssvc", info);
	n = mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, 4280, 1, &srvsvc_syntax, &dcerpc_ndr20_syntax);
	transceive(p, buf, n, &R);
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.u.bind_ack.results[0].result, DCERPC_PROVIDER_REJECTION);
	assert_int_equal(pdu.u.bind_ack.results[0].reason, DCERPC_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED);
	rpc_pipe_free(p);

	/* a newer minor version of the interface than ours is refused too */
	struct dcerpc_syntax newer = srvsvc_syntax;
	newer.ver_minor = 1;
	p = rpc_pipe_new("srvsvc", info);
	n = mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, 4280, 1, &newer, &dcerpc_ndr20_syntax);
	transceive(p, buf, n, &R);
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.u.bind_ack.results[0].reason, DCERPC_REASON_ABSTRACT_SYNTAX_NOT_SUPPORTED);
	rpc_pipe_free(p);
	rpc_server_info_put(info);
}

static void expect_nak(const uint8_t *pdu_bytes, size_t len, uint16_t reason)
{
	struct rpc_server_info *info = test_info();
	struct rpc_pipe *p = rpc_pipe_new("srvsvc", info);
	rpc_server_info_put(info);
	transceive(p, pdu_bytes, len, &R);
	struct dcerpc_pdu pdu;
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_BIND_NAK);
	assert_int_equal(pdu.u.bind_nak.reject_reason, reason);
	assert_true(rpc_pipe_broken(p));
	assert_status(rpc_pipe_write(p, pdu_bytes, len), STATUS_PIPE_BROKEN);
	rpc_pipe_free(p);
}

static void test_bind_nak(void **state)
{
	uint8_t buf[512];
	size_t n = mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, 4280, 1, &srvsvc_syntax, &dcerpc_ndr20_syntax);
	buf[4] = 0x00; /* big-endian */
	expect_nak(buf, n, DCERPC_NAK_PROTOCOL_VERSION_NOT_SUPPORTED);
	buf[4] = 0x10;
	buf[1] = 7; /* version 5.7 */
	expect_nak(buf, n, DCERPC_NAK_PROTOCOL_VERSION_NOT_SUPPORTED);
	buf[1] = 0;

	/* an auth verifier: 8-byte sec_trailer + 16 bytes of token */
	uint8_t a[1024];
	memcpy(a, buf, n);
	memset(a + n, 0, 24);
	a[n] = 10; /* NTLMSSP */
	a[n + 1] = 2;
	wr_le16_at(a + 8, (uint16_t)(n + 24));
	wr_le16_at(a + 10, 16);
	expect_nak(a, n + 24, DCERPC_NAK_INVALID_AUTH_TYPE);

	/* no contexts */
	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_BIND, .pfc_flags = 3, .call_id = 1 };
	struct dcerpc_bind b = { .max_xmit_frag = 4280, .max_recv_frag = 4280 };
	struct wr w = wr_init(a, sizeof(a));
	dcerpc_bind_encode(&w, &h, &b);
	expect_nak(a, w.pos, DCERPC_NAK_REASON_NOT_SPECIFIED);

	/* more contexts than we keep */
	b.n_ctx = DCERPC_MAX_CTX;
	for (unsigned i = 0; i < DCERPC_MAX_CTX; i++)
		b.ctx[i] = (struct dcerpc_ctx_elem){ .context_id = (uint16_t)i,
						     .n_transfer = 1,
						     .abstract = srvsvc_syntax,
						     .transfer = { dcerpc_ndr20_syntax } };
	w = wr_init(a, sizeof(a));
	dcerpc_bind_encode(&w, &h, &b);
	a[24] = DCERPC_MAX_CTX + 1;
	expect_nak(a, w.pos, DCERPC_NAK_LOCAL_LIMIT_EXCEEDED);

	/* a second bind on the same pipe */
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	transceive(p, buf, n, &R);
	struct dcerpc_pdu pdu;
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_BIND_NAK);
	assert_true(rpc_pipe_broken(p));
	rpc_pipe_free(p);
}

static void test_frag_size_negotiation(void **state)
{
	struct {
		uint16_t xmit, recv, want;
	} cases[] = {
		{ 4280, 4280, 4280 }, { 5840, 5840, 5840 }, { 65535, 65535, 5840 },
		{ 1024, 4280, 2048 }, { 4281, 5000, 4280 }, { 5000, 4283, 4280 },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct rpc_server_info *info = test_info();
		struct rpc_pipe *p = rpc_pipe_new("srvsvc", info);
		rpc_server_info_put(info);
		uint8_t buf[256];
		size_t n = mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, 0, 1, &srvsvc_syntax, &dcerpc_ndr20_syntax);
		wr_le16_at(buf + 16, cases[i].xmit);
		wr_le16_at(buf + 18, cases[i].recv);
		transceive(p, buf, n, &R);
		struct dcerpc_pdu pdu;
		pdu_at(&R, 0, &pdu);
		assert_int_equal(pdu.u.bind_ack.max_xmit_frag, cases[i].want);
		assert_int_equal(pdu.u.bind_ack.max_recv_frag, cases[i].want);
		rpc_pipe_free(p);
	}
}

static void test_alter_context(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	uint8_t buf[512];
	const struct dcerpc_syntax abs[] = { srvsvc_syntax, srvsvc_syntax };
	const struct dcerpc_syntax xfer[] = { dcerpc_ndr64_syntax, dcerpc_ndr20_syntax };
	/* contexts 0 (again, NDR64: rejected) and 1 (NDR20: accepted) */
	size_t n = mk_bind(buf, sizeof(buf), DCERPC_PKT_ALTER_CONTEXT, 2, 4280, 2, abs, xfer);
	transceive(p, buf, n, &R);
	struct dcerpc_pdu pdu;
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_ALTER_CONTEXT_RESP);
	assert_string_equal(pdu.u.bind_ack.sec_addr, "");
	assert_int_equal(pdu.u.bind_ack.max_xmit_frag, 4280);
	assert_int_equal(pdu.u.bind_ack.results[0].result, DCERPC_PROVIDER_REJECTION);
	assert_int_equal(pdu.u.bind_ack.results[1].result, DCERPC_ACCEPTANCE);
	ndrdump_check("dcerpc", "ncacn_packet", "struct", NULL, 0, R.buf, R.len, "alter_resp", NULL);

	uint8_t stub[128];
	size_t sl = stub_level(stub, sizeof(stub), 100);
	n = mk_request(buf, sizeof(buf), 3, PFC_FIRST_FRAG | PFC_LAST_FRAG, 1, 21, stub, sl);
	transceive(p, buf, n, &R);
	pdu_at(&R, 0, &pdu);
	assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_RESPONSE);
	assert_int_equal(pdu.u.response.context_id, 1);
	/* context 0 from the bind still works */
	assert_int_equal(call(p, 21, stub, sl), DCERPC_PKT_RESPONSE);
	rpc_pipe_free(p);

	/* alter_context before any bind is a protocol error */
	struct rpc_server_info *info = test_info();
	p = rpc_pipe_new("srvsvc", info);
	rpc_server_info_put(info);
	transceive(p, buf, mk_bind(buf, sizeof(buf), DCERPC_PKT_ALTER_CONTEXT, 9, 4280, 1, abs, xfer + 1), &R);
	assert_int_equal(fault_status(), nca_proto_error);
	assert_true(rpc_pipe_broken(p));
	rpc_pipe_free(p);
}

/* --- requests, faults, protocol errors --- */

static void test_faults(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	uint8_t stub[128];
	size_t sl = stub_level(stub, sizeof(stub), 101);

	/* unknown opnums: op_rng_error, did not execute, pipe still fine */
	static const uint16_t ops[] = { 1, 14, 17, 22, 33, 54, 200, 0xffff };
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		call(p, ops[i], stub, sl);
		assert_int_equal(fault_status(), nca_s_op_rng_error);
		struct dcerpc_pdu pdu;
		pdu_at(&R, 0, &pdu);
		assert_true(pdu.hdr.pfc_flags & PFC_DID_NOT_EXECUTE);
		ndrdump_check("dcerpc", "ncacn_packet", "struct", NULL, 0, R.buf, R.len, "DCERPC_NCA_S_OP_RNG_ERROR",
			      NULL);
	}
	assert_false(rpc_pipe_broken(p));

	/* stub data that does not decode: bad stub data, pipe still fine */
	call(p, 21, stub, 6);
	assert_int_equal(fault_status(), DCERPC_FAULT_NDR);
	call(p, 16, stub, 0);
	assert_int_equal(fault_status(), DCERPC_FAULT_NDR);
	uint8_t bad[128];
	size_t bl = stub_enum(bad, sizeof(bad), 1, false, 0);
	bad[36] = 2; /* union switch differs from the level */
	call(p, 15, bad, bl);
	assert_int_equal(fault_status(), DCERPC_FAULT_NDR);
	assert_false(rpc_pipe_broken(p));
	assert_int_equal(call(p, 21, stub, sl), DCERPC_PKT_RESPONSE);
	rpc_pipe_free(p);
}

static void expect_proto_error(struct rpc_pipe *p, const uint8_t *bytes, size_t len)
{
	transceive(p, bytes, len, &R);
	assert_int_equal(fault_status(), nca_proto_error);
	assert_true(rpc_pipe_broken(p));
	assert_status(rpc_pipe_write(p, bytes, len), STATUS_PIPE_BROKEN);
	bool more;
	uint8_t b[8];
	assert_int_equal(rpc_pipe_read(p, b, sizeof(b), &more), 0);
	assert_false(more);
	rpc_pipe_free(p);
}

static void test_protocol_errors(void **state)
{
	uint8_t buf[8192], stub[128];
	size_t sl = stub_level(stub, sizeof(stub), 101);
	struct rpc_server_info *info = test_info();

	/* request before bind */
	struct rpc_pipe *p = rpc_pipe_new("srvsvc", info);
	expect_proto_error(p, buf, mk_request(buf, sizeof(buf), 1, 3, 0, 21, stub, sl));

	/* a PDU only servers send */
	p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_RESPONSE, .pfc_flags = 3, .call_id = 3 };
	struct dcerpc_response r = { .stub = stub, .stub_len = sl };
	struct wr w = wr_init(buf, sizeof(buf));
	dcerpc_response_encode(&w, &h, &r);
	expect_proto_error(p, buf, w.pos);

	/* big-endian request after a good bind */
	p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	size_t n = mk_request(buf, sizeof(buf), 2, 3, 0, 21, stub, sl);
	buf[4] = 0;
	expect_proto_error(p, buf, n);

	/* frag_length below the header */
	p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	n = mk_request(buf, sizeof(buf), 2, 3, 0, 21, stub, sl);
	buf[8] = 12;
	expect_proto_error(p, buf, 16);

	/* a PDU larger than the negotiated max_recv_frag */
	p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	static uint8_t big[5000];
	n = mk_request(buf, sizeof(buf), 2, 3, 0, 21, big, 4280 - 24 + 1);
	expect_proto_error(p, buf, n);

	/* a middle fragment with no first one, and a first one twice */
	p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	expect_proto_error(p, buf, mk_request(buf, sizeof(buf), 2, PFC_LAST_FRAG, 0, 21, stub, sl));
	p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	n = mk_request(buf, sizeof(buf), 2, PFC_FIRST_FRAG, 0, 21, stub, 4);
	assert_ok(rpc_pipe_write(p, buf, n));
	assert_int_equal(rpc_pipe_pending(p), 0);
	expect_proto_error(p, buf, n);
	/* a continuation with another call id or opnum */
	p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	assert_ok(rpc_pipe_write(p, buf, n));
	expect_proto_error(p, buf, mk_request(buf, sizeof(buf), 3, PFC_LAST_FRAG, 0, 21, stub + 4, sl - 4));
	p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	n = mk_request(buf, sizeof(buf), 2, PFC_FIRST_FRAG, 0, 21, stub, 4);
	assert_ok(rpc_pipe_write(p, buf, n));
	expect_proto_error(p, buf, mk_request(buf, sizeof(buf), 2, PFC_LAST_FRAG, 0, 16, stub + 4, sl - 4));
	rpc_server_info_put(info);
}

static void test_request_too_large(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 5840);
	static uint8_t buf[5840], chunk[5816];
	size_t sent = 0;
	uint8_t flags = PFC_FIRST_FRAG;
	while (sent <= RPC_MAX_REQUEST) {
		size_t n = mk_request(buf, sizeof(buf), 7, flags, 0, 15, chunk, sizeof(chunk));
		assert_ok(rpc_pipe_write(p, buf, n));
		flags = 0;
		sent += sizeof(chunk);
		if (rpc_pipe_pending(p))
			break;
	}
	assert_true(sent > RPC_MAX_REQUEST);
	drain(p, &R, 65536);
	assert_int_equal(fault_status(), DCERPC_FAULT_ACCESS_DENIED);
	assert_true(rpc_pipe_broken(p));
	rpc_pipe_free(p);
}

static void test_orphaned_drops_call(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	uint8_t buf[256], stub[128];
	size_t sl = stub_level(stub, sizeof(stub), 100);
	size_t n = mk_request(buf, sizeof(buf), 2, PFC_FIRST_FRAG, 0, 21, stub, 4);
	assert_ok(rpc_pipe_write(p, buf, n));
	uint8_t orphan[16] = { 5, 0, DCERPC_PKT_ORPHANED, 3, 0x10, 0, 0, 0, 16, 0, 0, 0, 2, 0, 0, 0 };
	assert_ok(rpc_pipe_write(p, orphan, sizeof(orphan)));
	assert_int_equal(rpc_pipe_pending(p), 0);
	/* a new first fragment is fine now */
	assert_int_equal(call(p, 21, stub, sl), DCERPC_PKT_RESPONSE);
	rpc_pipe_free(p);
}

/* --- fragmentation --- */

static void test_fragmented_request(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	/* the whole call in one PDU, for reference */
	assert_int_equal(call(p, 15, enum1_stub, sizeof(enum1_stub)), DCERPC_PKT_RESPONSE);
	static uint8_t want[1 << 16];
	size_t want_len = R.stub_len;
	memcpy(want, R.stub, want_len);

	/* three fragments (8, 32 and the rest), written in one go */
	uint8_t buf[1024];
	size_t n = 0;
	n += mk_request(buf + n, sizeof(buf) - n, 9, PFC_FIRST_FRAG, 0, 15, enum1_stub, 8);
	n += mk_request(buf + n, sizeof(buf) - n, 9, 0, 0, 15, enum1_stub + 8, 32);
	n += mk_request(buf + n, sizeof(buf) - n, 9, PFC_LAST_FRAG, 0, 15, enum1_stub + 40, sizeof(enum1_stub) - 40);
	transceive(p, buf, n, &R);
	assert_int_equal(R.n, 1);
	assert_int_equal(R.stub_len, want_len);
	assert_memory_equal(R.stub, want, want_len);

	/* the same stream one byte per write: nothing until the last byte */
	for (size_t i = 0; i < n; i++) {
		assert_ok(rpc_pipe_write(p, buf + i, 1));
		if (i + 1 < n)
			assert_int_equal(rpc_pipe_pending(p), 0);
	}
	drain(p, &R, 65536);
	assert_int_equal(R.stub_len, want_len);
	assert_memory_equal(R.stub, want, want_len);

	/* a bind and a request in one write, split at odd places */
	rpc_pipe_free(p);
	struct rpc_server_info *info = test_info();
	p = rpc_pipe_new("srvsvc", info);
	rpc_server_info_put(info);
	n = mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, 4280, 1, &srvsvc_syntax, &dcerpc_ndr20_syntax);
	n += mk_request(buf + n, sizeof(buf) - n, 2, 3, 0, 15, enum1_stub, sizeof(enum1_stub));
	assert_ok(rpc_pipe_write(p, buf, 7));
	assert_ok(rpc_pipe_write(p, buf + 7, 70));
	assert_ok(rpc_pipe_write(p, buf + 77, n - 77));
	drain(p, &R, 65536);
	assert_int_equal(R.n, 2);
	assert_int_equal(R.stub_len, want_len);
	rpc_pipe_free(p);
}

static void test_fragmented_response(void **state)
{
	/* 150 shares with long comments need many 2048-byte fragments */
	struct rpc_server_info *info = rpc_server_info_new("SMB3D", "many", "WORKGROUP");
	char name[32], comment[128];
	for (int i = 0; i < 150; i++) {
		snprintf(name, sizeof(name), "share%03d", i);
		snprintf(comment, sizeof(comment), "comment for share %d, long enough to fill fragments quickly", i);
		assert_true(rpc_server_info_add_share(info, name, comment, "/srv/x", true, false));
	}
	struct rpc_pipe *p = rpc_pipe_new("srvsvc", info);
	rpc_server_info_put(info);
	uint8_t buf[256];
	transceive(p, buf, mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, 2048, 1, &srvsvc_syntax, &dcerpc_ndr20_syntax),
		   &R);
	uint8_t stub[128];
	size_t sl = stub_enum(stub, sizeof(stub), 2, true, 0);
	size_t n = mk_request(buf, sizeof(buf), 2, 3, 0, 15, stub, sl);
	assert_ok(rpc_pipe_write(p, buf, n));
	size_t total = rpc_pipe_pending(p);
	drain(p, &R, 1000); /* reads smaller than a fragment: `more` until each PDU ends */
	assert_true(R.n > 5);
	assert_int_equal(R.len, total);
	size_t stub_seen = 0;
	for (size_t i = 0; i < R.n; i++) {
		struct dcerpc_pdu pdu;
		pdu_at(&R, i, &pdu);
		assert_int_equal(pdu.hdr.ptype, DCERPC_PKT_RESPONSE);
		assert_int_equal(pdu.hdr.call_id, 2);
		assert_true(pdu.hdr.frag_length <= 2048);
		assert_int_equal(!!(pdu.hdr.pfc_flags & PFC_FIRST_FRAG), i == 0);
		assert_int_equal(!!(pdu.hdr.pfc_flags & PFC_LAST_FRAG), i + 1 == R.n);
		assert_int_equal(pdu.u.response.alloc_hint, R.stub_len - stub_seen);
		if (i + 1 < R.n)
			assert_int_equal(pdu.u.response.stub_len % 8, 0);
		stub_seen += pdu.u.response.stub_len;
	}
	assert_int_equal(werr(), WERR_OK);
	assert_true(has_u16(R.stub, R.stub_len, "share149"));
	ndrdump_check("srvsvc", "srvsvc_NetShareEnumAll", "out", stub, sl, R.stub, R.stub_len,
		      "count                    : 0x00000096 (150)", "'share149'", "'C:\\srv\\x'", NULL);
	rpc_pipe_free(p);
}

/* Unread replies beyond RPC_MAX_PENDING_OUT stop further writes until read. */
static void test_pending_cap(void **state)
{
	struct rpc_server_info *info = rpc_server_info_new("SMB3D", "many", "WORKGROUP");
	char name[32];
	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "share%03d", i);
		assert_true(rpc_server_info_add_share(info, name, "a comment of some length, repeated for every share",
						      "/srv/some/longer/path", true, false));
	}
	struct rpc_pipe *p = rpc_pipe_new("srvsvc", info);
	rpc_server_info_put(info);
	uint8_t buf[256], stub[128];
	transceive(p, buf, mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, 5840, 1, &srvsvc_syntax, &dcerpc_ndr20_syntax),
		   &R);
	size_t n = mk_request(buf, sizeof(buf), 2, 3, 0, 15, stub, stub_enum(stub, sizeof(stub), 502, false, 0));
	int calls = 0;
	NTSTATUS st;
	while (NT_OK(st = rpc_pipe_write(p, buf, n)))
		calls++;
	assert_status(st, STATUS_INSUFFICIENT_RESOURCES);
	assert_true(calls > 10);
	assert_true(rpc_pipe_pending(p) > RPC_MAX_PENDING_OUT);
	assert_false(rpc_pipe_broken(p));
	static uint8_t out[8192];
	bool more;
	while (rpc_pipe_read(p, out, sizeof(out), &more) > 0)
		;
	assert_int_equal(rpc_pipe_pending(p), 0);
	assert_ok(rpc_pipe_write(p, buf, n));
	rpc_pipe_free(p);
}

static void test_read_message_mode(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	uint8_t buf[256], stub[128];
	size_t sl = stub_level(stub, sizeof(stub), 101);
	/* two calls queued: reads never cross from one PDU into the next */
	size_t n = mk_request(buf, sizeof(buf), 2, 3, 0, 21, stub, sl);
	assert_ok(rpc_pipe_write(p, buf, n));
	assert_ok(rpc_pipe_write(p, buf, n));
	size_t total = rpc_pipe_pending(p);
	uint8_t out[4096];
	bool more;
	size_t a = rpc_pipe_read(p, out, 10, &more);
	assert_int_equal(a, 10);
	assert_true(more); /* STATUS_BUFFER_OVERFLOW for SMB */
	size_t first = le16_at(out + 8);
	size_t b = rpc_pipe_read(p, out + 10, sizeof(out) - 10, &more);
	assert_int_equal(a + b, first);
	assert_false(more);
	assert_int_equal(rpc_pipe_pending(p), total - first);
	b = rpc_pipe_read(p, out, sizeof(out), &more);
	assert_int_equal(b, total - first);
	assert_false(more);
	assert_int_equal(rpc_pipe_read(p, out, sizeof(out), &more), 0);
	rpc_pipe_free(p);
}

/* --- srvsvc and wkssvc levels --- */

static void test_share_enum_levels(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	static const uint32_t levels[] = { 0, 1, 2, 501, 502 };
	uint8_t stub[128];
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		size_t sl = stub_enum(stub, sizeof(stub), levels[i], true, 0);
		assert_int_equal(call(p, 15, stub, sl), DCERPC_PKT_RESPONSE);
		assert_int_equal(werr(), WERR_OK);
		/* ..., TotalEntries, ResumeHandle referent, value, WERROR */
		assert_int_equal(le32_at(R.stub + R.stub_len - 16), 3);
		assert_int_not_equal(le32_at(R.stub + R.stub_len - 12), 0);
		assert_int_equal(le32_at(R.stub + R.stub_len - 8), 0);
		assert_true(has_u16(R.stub, R.stub_len, "IPC$"));
		assert_true(has_u16(R.stub, R.stub_len, "data"));
		assert_true(has_u16(R.stub, R.stub_len, "admin$"));
		assert_false(has_u16(R.stub, R.stub_len, "hidden"));
		assert_int_equal(has_u16(R.stub, R.stub_len, "Data files"), levels[i] != 0);
		assert_int_equal(has_u16(R.stub, R.stub_len, "C:\\srv\\data"), levels[i] == 2 || levels[i] == 502);
		const char *types = levels[i] == 0 ? "'IPC$'" : "STYPE_IPC_HIDDEN";
		const char *hidden_disk = levels[i] == 0 ? "'admin$'" : "STYPE_DISKTREE_HIDDEN";
		ndrdump_check("srvsvc", "srvsvc_NetShareEnumAll", "out", stub, sl, R.stub, R.stub_len,
			      "count                    : 0x00000003 (3)", "totalentries             : *",
			      "result                   : WERR_OK", "'data'", types, hidden_disk, NULL);
		if (levels[i] == 2 || levels[i] == 502)
			ndrdump_check("srvsvc", "srvsvc_NetShareEnumAll", "out", stub, sl, R.stub, R.stub_len,
				      "path                     : *", "'C:\\srv\\data'",
				      "max_users                : 0xffffffff", NULL);
	}

	/* resume after the first entry: two are returned, total still 3 */
	size_t sl = stub_enum(stub, sizeof(stub), 1, true, 1);
	call(p, 15, stub, sl);
	assert_int_equal(werr(), WERR_OK);
	assert_false(has_u16(R.stub, R.stub_len, "IPC$"));
	ndrdump_check("srvsvc", "srvsvc_NetShareEnumAll", "out", stub, sl, R.stub, R.stub_len,
		      "count                    : 0x00000002 (2)", NULL);
	/* resume past the end: none */
	sl = stub_enum(stub, sizeof(stub), 1, true, 10);
	call(p, 15, stub, sl);
	assert_int_equal(werr(), WERR_OK);
	ndrdump_check("srvsvc", "srvsvc_NetShareEnumAll", "out", stub, sl, R.stub, R.stub_len,
		      "count                    : 0x00000000 (0)", "array                    : NULL", NULL);
	/* no resume handle */
	sl = stub_enum(stub, sizeof(stub), 0, false, 0);
	call(p, 15, stub, sl);
	assert_int_equal(werr(), WERR_OK);
	ndrdump_check("srvsvc", "srvsvc_NetShareEnumAll", "out", stub, sl, R.stub, R.stub_len,
		      "resume_handle            : NULL", NULL);

	/* unsupported levels: with an arm (NULL) or without one */
	static const uint32_t bad_levels[] = { 3, 503, 1005, 1501, 77777 };
	for (size_t i = 0; i < sizeof(bad_levels) / sizeof(bad_levels[0]); i++) {
		sl = stub_enum(stub, sizeof(stub), bad_levels[i], true, 0);
		if (bad_levels[i] == 3 || bad_levels[i] == 77777) {
			struct ndr_wr n = ndr_wr_init(stub, sizeof(stub));
			ndr_wr_ptr(&n, true);
			ndr_wr_string(&n, "\\\\SMB3D");
			ndr_wr_u32(&n, bad_levels[i]);
			ndr_wr_u32(&n, bad_levels[i]);
			ndr_wr_u32(&n, 0xffffffff);
			ndr_wr_ptr(&n, true);
			ndr_wr_u32(&n, 0);
			sl = n.w.pos;
		}
		assert_int_equal(call(p, 15, stub, sl), DCERPC_PKT_RESPONSE);
		assert_int_equal(werr(), WERR_INVALID_LEVEL);
		if (bad_levels[i] != 503)
			ndrdump_check("srvsvc", "srvsvc_NetShareEnumAll", "out", stub, sl, R.stub, R.stub_len,
				      "WERR_INVALID_LEVEL", NULL);
	}
	rpc_pipe_free(p);
}

static void test_share_get_info_levels(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	static const uint32_t levels[] = { 0, 1, 2, 501, 502, 1005 };
	uint8_t stub[128];
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		/* a hidden share is found, case-insensitively */
		size_t sl = stub_get_info(stub, sizeof(stub), "HIDDEN", levels[i]);
		assert_int_equal(call(p, 16, stub, sl), DCERPC_PKT_RESPONSE);
		assert_int_equal(werr(), WERR_OK);
		assert_int_equal(le32_at(R.stub), levels[i]);
		assert_int_equal(has_u16(R.stub, R.stub_len, "hidden"), levels[i] != 1005);
		char want[64];
		snprintf(want, sizeof(want), "info%u ", levels[i]);
		ndrdump_check("srvsvc", "srvsvc_NetShareGetInfo", "out", stub, sl, R.stub, R.stub_len, want,
			      "result                   : WERR_OK", NULL);
		if (levels[i] == 502)
			ndrdump_check("srvsvc", "srvsvc_NetShareGetInfo", "out", stub, sl, R.stub, R.stub_len,
				      "'C:\\srv\\hidden'", "sd_size                  : 0x00000000", "sd                       : NULL",
				      NULL);
		if (levels[i] == 1)
			ndrdump_check("srvsvc", "srvsvc_NetShareGetInfo", "out", stub, sl, R.stub, R.stub_len,
				      ": STYPE_DISKTREE ", "'not listed'", NULL);
	}
	/* IPC$ */
	size_t sl = stub_get_info(stub, sizeof(stub), "ipc$", 2);
	call(p, 16, stub, sl);
	assert_int_equal(werr(), WERR_OK);
	ndrdump_check("srvsvc", "srvsvc_NetShareGetInfo", "out", stub, sl, R.stub, R.stub_len,
		      "STYPE_IPC_HIDDEN", "'IPC Service (smb3d test)'", NULL);

	/* unknown share: NERR_NetNameNotFound with a NULL arm */
	sl = stub_get_info(stub, sizeof(stub), "nosuch", 1);
	call(p, 16, stub, sl);
	assert_int_equal(werr(), NERR_NetNameNotFound);
	assert_int_equal(R.stub_len, 12);
	ndrdump_check("srvsvc", "srvsvc_NetShareGetInfo", "out", stub, sl, R.stub, R.stub_len,
		      "info1                    : NULL", "WERR_NERR_NETNAMENOTFOUND", NULL);

	/* unknown levels: WERR_INVALID_LEVEL (arm present but NULL, or none) */
	sl = stub_get_info(stub, sizeof(stub), "data", 1006);
	call(p, 16, stub, sl);
	assert_int_equal(werr(), WERR_INVALID_LEVEL);
	assert_int_equal(R.stub_len, 12);
	sl = stub_get_info(stub, sizeof(stub), "data", 7);
	call(p, 16, stub, sl);
	assert_int_equal(werr(), WERR_INVALID_LEVEL);
	assert_int_equal(R.stub_len, 8);
	ndrdump_check("srvsvc", "srvsvc_NetShareGetInfo", "out", stub, sl, R.stub, R.stub_len, "WERR_INVALID_LEVEL",
		      NULL);
	rpc_pipe_free(p);
}

static void test_server_get_info_levels(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	static const uint32_t levels[] = { 100, 101, 102 };
	uint8_t stub[128];
	for (size_t i = 0; i < 3; i++) {
		size_t sl = stub_level(stub, sizeof(stub), levels[i]);
		assert_int_equal(call(p, 21, stub, sl), DCERPC_PKT_RESPONSE);
		assert_int_equal(werr(), WERR_OK);
		assert_int_equal(le32_at(R.stub + 8), PLATFORM_ID_NT);
		char want[64];
		snprintf(want, sizeof(want), "info%u ", levels[i]);
		ndrdump_check("srvsvc", "srvsvc_NetSrvGetInfo", "out", stub, sl, R.stub, R.stub_len, want,
			      "PLATFORM_ID_NT (500)", "server_name              : 'SMB3D'", "WERR_OK", NULL);
		if (levels[i] >= 101)
			ndrdump_check("srvsvc", "srvsvc_NetSrvGetInfo", "out", stub, sl, R.stub, R.stub_len,
				      "version_major            : 0x00000006", "version_minor            : 0x00000001",
				      "comment                  : 'smb3d test'", "SV_TYPE_SERVER_NT", NULL);
		if (levels[i] == 102)
			ndrdump_check("srvsvc", "srvsvc_NetSrvGetInfo", "out", stub, sl, R.stub, R.stub_len,
				      "userpath                 : 'C:\\'", NULL);
	}
	size_t sl = stub_level(stub, sizeof(stub), 1005);
	call(p, 21, stub, sl);
	assert_int_equal(werr(), WERR_INVALID_LEVEL);
	assert_int_equal(R.stub_len, 12);
	ndrdump_check("srvsvc", "srvsvc_NetSrvGetInfo", "out", stub, sl, R.stub, R.stub_len, "WERR_INVALID_LEVEL", NULL);
	sl = stub_level(stub, sizeof(stub), 7);
	call(p, 21, stub, sl);
	assert_int_equal(R.stub_len, 8);
	rpc_pipe_free(p);
}

static void test_wksta_get_info_levels(void **state)
{
	struct rpc_pipe *p = open_bound("\\pipe\\wkssvc", &wkssvc_syntax, 4280);
	static const uint32_t levels[] = { 100, 101, 102 };
	uint8_t stub[128];
	/* an empty stub as the very first call (no request buffer yet) */
	call(p, 0, stub, 0);
	assert_int_equal(fault_status(), DCERPC_FAULT_NDR);
	for (size_t i = 0; i < 3; i++) {
		size_t sl = stub_level(stub, sizeof(stub), levels[i]);
		assert_int_equal(call(p, 0, stub, sl), DCERPC_PKT_RESPONSE);
		assert_int_equal(werr(), WERR_OK);
		char want[64];
		snprintf(want, sizeof(want), "info%u ", levels[i]);
		ndrdump_check("wkssvc", "wkssvc_NetWkstaGetInfo", "out", stub, sl, R.stub, R.stub_len, want,
			      "PLATFORM_ID_NT (500)", "server_name              : 'SMB3D'",
			      "domain_name              : 'WORKGROUP'", "WERR_OK", NULL);
	}
	size_t sl = stub_level(stub, sizeof(stub), 502);
	call(p, 0, stub, sl);
	assert_int_equal(werr(), WERR_INVALID_LEVEL);
	ndrdump_check("wkssvc", "wkssvc_NetWkstaGetInfo", "out", stub, sl, R.stub, R.stub_len, "WERR_INVALID_LEVEL",
		      NULL);
	call(p, 1, stub, sl);
	assert_int_equal(fault_status(), nca_s_op_rng_error);
	call(p, 0, stub, 3);
	assert_int_equal(fault_status(), DCERPC_FAULT_NDR);
	rpc_pipe_free(p);
}

/* --- server info from a config snapshot --- */

static void test_info_from_config(void **state)
{
	struct config *c = config_load_string("[global]\n netbios name = FILES\n workgroup = HOME\n"
					      " server string = my files\n"
					      "[Data]\n path = /srv/data\n comment = all data\n"
					      "[secret]\n path = /srv/s\n browseable = no\n"
					      "[admin$]\n path = /srv/a\n",
					      "smb.conf", NULL, NULL);
	assert_non_null(c);
	struct rpc_server_info *info = rpc_server_info_from_config(c);
	config_put(c);
	assert_non_null(info);
	assert_string_equal(info->netbios_name, "FILES");
	assert_string_equal(info->workgroup, "HOME");
	assert_string_equal(info->comment, "my files");
	assert_int_equal(info->platform_id, 500);
	int seen = 0;
	for (size_t i = 0; i < info->n_shares; i++) {
		const struct rpc_share_info *s = &info->shares[i];
		if (strcmp(s->name, "IPC$") == 0) {
			assert_int_equal(s->type, STYPE_IPC | STYPE_SPECIAL);
			assert_string_equal(s->path, "");
			assert_string_equal(s->comment, "IPC Service (my files)");
			seen |= 1;
		} else if (strcmp(s->name, "Data") == 0) {
			assert_int_equal(s->type, STYPE_DISKTREE);
			assert_string_equal(s->path, "C:\\srv\\data");
			assert_string_equal(s->comment, "all data");
			assert_true(s->browseable);
			seen |= 2;
		} else if (strcmp(s->name, "secret") == 0) {
			assert_false(s->browseable);
			seen |= 4;
		} else if (strcmp(s->name, "admin$") == 0) {
			assert_int_equal(s->type, STYPE_DISKTREE | STYPE_SPECIAL);
			seen |= 8;
		}
	}
	assert_int_equal(seen, 15);
	/* a pipe keeps the snapshot alive after the caller drops it */
	struct rpc_pipe *p = rpc_pipe_new("srvsvc", info);
	rpc_server_info_put(info);
	uint8_t buf[256], stub[128];
	transceive(p, buf, mk_bind(buf, sizeof(buf), DCERPC_PKT_BIND, 1, 4280, 1, &srvsvc_syntax, &dcerpc_ndr20_syntax),
		   &R);
	size_t sl = stub_get_info(stub, sizeof(stub), "data", 2);
	call(p, 16, stub, sl);
	assert_int_equal(werr(), WERR_OK);
	assert_true(has_u16(R.stub, R.stub_len, "C:\\srv\\data"));
	rpc_pipe_free(p);
}

/* rpc_pipe_set_caller: a pipe opened by an anonymous session is refused the
 * share levels with paths (2, 502) and, for NetShareEnumAll, 501; the
 * others still answer. The default is an authenticated caller. */
static void test_anonymous_caller(void **state)
{
	struct rpc_pipe *p = open_bound("srvsvc", &srvsvc_syntax, 4280);
	uint8_t stub[128];
	size_t sl = stub_enum(stub, sizeof(stub), 2, true, 0);
	call(p, 15, stub, sl);
	assert_int_equal(werr(), WERR_OK);
	rpc_pipe_set_caller(p, true);
	static const struct {
		uint16_t opnum;
		uint32_t level, werr;
	} cases[] = {
		{ 15, 0, WERR_OK },	       { 15, 1, WERR_OK },	       { 15, 2, WERR_ACCESS_DENIED },
		{ 15, 501, WERR_ACCESS_DENIED }, { 15, 502, WERR_ACCESS_DENIED }, { 36, 0, WERR_OK },
		{ 36, 1, WERR_OK },	       { 36, 2, WERR_ACCESS_DENIED },  { 36, 501, WERR_INVALID_LEVEL },
		{ 36, 502, WERR_ACCESS_DENIED }, { 16, 0, WERR_OK },	       { 16, 1, WERR_OK },
		{ 16, 2, WERR_ACCESS_DENIED },	 { 16, 501, WERR_OK },	       { 16, 502, WERR_ACCESS_DENIED },
		{ 16, 1005, WERR_OK },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool get = cases[i].opnum == 16;
		sl = get ? stub_get_info(stub, sizeof(stub), "IPC$", cases[i].level)
			 : stub_enum(stub, sizeof(stub), cases[i].level, true, 0);
		assert_int_equal(call(p, cases[i].opnum, stub, sl), DCERPC_PKT_RESPONSE);
		assert_int_equal(werr(), cases[i].werr);
		if (cases[i].werr != WERR_OK) {
			/* no container / info: level, [switch,] NULL arm */
			assert_int_equal(le32_at(R.stub + (get ? 4 : 8)), 0);
			assert_false(has_u16(R.stub, R.stub_len, "IPC$"));
		}
		const char *fn = get ? "srvsvc_NetShareGetInfo"
				     : cases[i].opnum == 15 ? "srvsvc_NetShareEnumAll" : "srvsvc_NetShareEnum";
		const char *want = cases[i].werr == WERR_OK		 ? "WERR_OK"
				   : cases[i].werr == WERR_ACCESS_DENIED ? "WERR_ACCESS_DENIED"
									 : "WERR_INVALID_LEVEL";
		ndrdump_check("srvsvc", fn, "out", stub, sl, R.stub, R.stub_len, want, NULL);
	}
	rpc_pipe_set_caller(p, false);
	sl = stub_get_info(stub, sizeof(stub), "data", 502);
	call(p, 16, stub, sl);
	assert_int_equal(werr(), WERR_OK);
	rpc_pipe_free(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe_names),
		cmocka_unit_test(test_bind_accept),
		cmocka_unit_test(test_bind_contexts),
		cmocka_unit_test(test_bind_nak),
		cmocka_unit_test(test_frag_size_negotiation),
		cmocka_unit_test(test_alter_context),
		cmocka_unit_test(test_faults),
		cmocka_unit_test(test_protocol_errors),
		cmocka_unit_test(test_request_too_large),
		cmocka_unit_test(test_orphaned_drops_call),
		cmocka_unit_test(test_fragmented_request),
		cmocka_unit_test(test_fragmented_response),
		cmocka_unit_test(test_pending_cap),
		cmocka_unit_test(test_read_message_mode),
		cmocka_unit_test(test_share_enum_levels),
		cmocka_unit_test(test_share_get_info_levels),
		cmocka_unit_test(test_server_get_info_levels),
		cmocka_unit_test(test_wksta_get_info_levels),
		cmocka_unit_test(test_info_from_config),
		cmocka_unit_test(test_anonymous_caller),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
