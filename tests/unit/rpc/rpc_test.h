/* Helpers shared by the DCE/RPC unit tests: building bind and request PDUs,
 * a write-then-read transceive that collects every reply PDU, and an
 * independent check of stubs and PDUs with Samba's ndrdump when it is
 * installed. Test-only; each test program includes it once. */
#ifndef SMB3D_TESTS_RPC_TEST_H
#define SMB3D_TESTS_RPC_TEST_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "base/ntstatus.h"
#include "base/rdwr.h"
#include "rpc/iface.h" /* WERR_* and NERR_* codes */
#include "rpc/pipe.h"
#include "wire/dcerpc.h"
#include "wire/ndr.h"

#define assert_status(got, want) assert_int_equal((got).v, (want).v)
#define assert_ok(got) assert_status((got), STATUS_SUCCESS)

static const struct dcerpc_syntax srvsvc_syntax = {
	{ 0x4b324fc8, 0x1670, 0x01d3, { 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88 } }, 3, 0
};
static const struct dcerpc_syntax wkssvc_syntax = {
	{ 0x6bffd098, 0xa112, 0x3610, { 0x98, 0x33, 0x46, 0xc3, 0xf8, 0x7e, 0x34, 0x5a } }, 1, 0
};
/* bind time feature negotiation, both features asked */
static const struct dcerpc_syntax btfn_syntax = {
	{ 0x6cb71c2c, 0x9812, 0x4540, { 0x03, 0, 0, 0, 0, 0, 0, 0 } }, 1, 0
};

/* A bind (or alter_context) PDU with one context per abstract/transfer pair. */
static inline size_t mk_bind(uint8_t *buf, size_t cap, uint8_t ptype, uint32_t call_id, uint16_t max_frag,
			     unsigned n, const struct dcerpc_syntax *abstract, const struct dcerpc_syntax *transfer)
{
	struct dcerpc_bind b = { .max_xmit_frag = max_frag, .max_recv_frag = max_frag, .n_ctx = (uint8_t)n };
	for (unsigned i = 0; i < n; i++) {
		b.ctx[i].context_id = (uint16_t)i;
		b.ctx[i].n_transfer = 1;
		b.ctx[i].abstract = abstract[i];
		b.ctx[i].transfer[0] = transfer[i];
	}
	struct dcerpc_hdr h = { .ptype = ptype, .pfc_flags = PFC_FIRST_FRAG | PFC_LAST_FRAG, .call_id = call_id };
	struct wr w = wr_init(buf, cap);
	dcerpc_bind_encode(&w, &h, &b);
	assert_false(w.bad);
	return w.pos;
}

static inline size_t mk_request(uint8_t *buf, size_t cap, uint32_t call_id, uint8_t flags, uint16_t ctx,
				uint16_t opnum, const uint8_t *stub, size_t len)
{
	struct dcerpc_hdr h = { .ptype = DCERPC_PKT_REQUEST, .pfc_flags = flags, .call_id = call_id };
	struct dcerpc_request q = { .alloc_hint = (uint32_t)len, .context_id = ctx, .opnum = opnum, .stub = stub,
				    .stub_len = len };
	struct wr w = wr_init(buf, cap);
	dcerpc_request_encode(&w, &h, &q);
	assert_false(w.bad);
	return w.pos;
}

/* Every reply PDU after one write, concatenated (each also decoded). */
struct replies {
	uint8_t buf[1 << 20];
	size_t len;
	size_t n;
	size_t off[256];
	uint8_t stub[1 << 20]; /* response stubs of one call, reassembled */
	size_t stub_len;
};

/* Reads every pending PDU with reads of at most `cap` bytes, checking the
 * message-mode `more` flag on each. */
static inline void drain(struct rpc_pipe *p, struct replies *r, size_t cap)
{
	r->len = r->n = r->stub_len = 0;
	while (rpc_pipe_pending(p) > 0) {
		size_t start = r->len;
		bool more = true;
		while (more) {
			size_t got = rpc_pipe_read(p, r->buf + r->len, cap, &more);
			assert_true(got > 0);
			r->len += got;
		}
		assert_true(r->len - start >= DCERPC_HDR_LEN);
		assert_int_equal(le16_at(r->buf + start + 8), r->len - start); /* one read run = one PDU */
		r->off[r->n++] = start;
		struct dcerpc_pdu pdu;
		assert_ok(dcerpc_pdu_decode(r->buf + start, r->len - start, &pdu));
		if (pdu.hdr.ptype == DCERPC_PKT_RESPONSE) {
			memcpy(r->stub + r->stub_len, pdu.u.response.stub, pdu.u.response.stub_len);
			r->stub_len += pdu.u.response.stub_len;
		}
	}
}

static inline void transceive(struct rpc_pipe *p, const uint8_t *in, size_t len, struct replies *r)
{
	assert_ok(rpc_pipe_write(p, in, len));
	drain(p, r, 65536);
}

static inline void pdu_at(const struct replies *r, size_t i, struct dcerpc_pdu *pdu)
{
	assert_true(i < r->n);
	size_t end = i + 1 < r->n ? r->off[i + 1] : r->len;
	assert_ok(dcerpc_pdu_decode(r->buf + r->off[i], end - r->off[i], pdu));
}

/* ASCII -> UTF-16LE */
static inline size_t u16le(const char *s, uint8_t *out)
{
	size_t n = 0;
	for (; *s; s++) {
		out[n++] = (uint8_t)*s;
		out[n++] = 0;
	}
	return n;
}

static inline bool has_u16(const uint8_t *buf, size_t len, const char *s)
{
	uint8_t u[256];
	size_t n = u16le(s, u);
	return memmem(buf, len, u, n) != NULL;
}

/* --- Samba's ndrdump as an independent decoder --- */

static inline bool have_ndrdump(void)
{
	static int have = -1;
	if (have < 0) {
		have = access("/usr/bin/ndrdump", X_OK) == 0;
		if (!have)
			fprintf(stderr, "ndrdump not installed: cross-checks skipped\n");
	}
	return have;
}

static inline void write_file(const char *path, const uint8_t *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	fclose(f);
}

/* Runs `ndrdump PIPE FN INOUT FILE --validate` (with the request stub as
 * context for "out") and requires a clean parse, an identical re-encoding and
 * each NULL-terminated expected substring in its output. Skipped without
 * ndrdump. */
static inline void ndrdump_check(const char *pipe, const char *fn, const char *inout, const uint8_t *ctx,
				 size_t ctx_len, const uint8_t *data, size_t len, ...)
{
	if (!have_ndrdump())
		return;
	char in_path[] = "/tmp/smb3d-ndr-in-XXXXXX", ctx_path[] = "/tmp/smb3d-ndr-ctx-XXXXXX";
	int fd = mkstemp(in_path);
	assert_true(fd >= 0);
	close(fd);
	write_file(in_path, data, len);
	char cmd[512];
	if (ctx) {
		fd = mkstemp(ctx_path);
		assert_true(fd >= 0);
		close(fd);
		write_file(ctx_path, ctx, ctx_len);
		snprintf(cmd, sizeof(cmd), "ndrdump %s %s %s %s -c %s --validate 2>&1", pipe, fn, inout, in_path,
			 ctx_path);
	} else {
		snprintf(cmd, sizeof(cmd), "ndrdump %s %s %s %s --validate 2>&1", pipe, fn, inout, in_path);
	}
	FILE *f = popen(cmd, "r");
	assert_non_null(f);
	static char out[1 << 20];
	size_t n = fread(out, 1, sizeof(out) - 1, f);
	out[n] = 0;
	int rc = pclose(f);
	unlink(in_path);
	if (ctx)
		unlink(ctx_path);
	if (rc != 0 || !strstr(out, "dump OK"))
		fprintf(stderr, "%s\n-> %s\n", cmd, out);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(out, "dump OK"));
	va_list ap;
	va_start(ap, len);
	for (const char *want; (want = va_arg(ap, const char *));) {
		if (!strstr(out, want))
			fprintf(stderr, "ndrdump output lacks \"%s\":\n%s\n", want, out);
		assert_non_null(strstr(out, want));
	}
	va_end(ap);
}

#endif
