/* SMB2 file command codecs (wire/file.h, wire/create_ctx.h): impacket-built
 * golden messages decode to the right fields, writer-built requests round
 * trip, every malformed offset/length is refused with
 * STATUS_INVALID_PARAMETER, and responses match golden bytes. */
#include "wire_test.h"

#include "golden_file.h"
#include "wire/fileinfo.h"
#include "wire/file.h"

#include <stdlib.h>

/* Offsets of fields in golden_create_req (header-relative). */
#define CR_NAME_OFF 108
#define CR_NAME_LEN 110
#define CR_CTX_OFF 112
#define CR_CTX_LEN 116
#define CTX0 144 /* MxAc */
#define CTX2 192 /* ExtA */

static uint8_t msg[4096];

static size_t golden_copy(const uint8_t *g, size_t n)
{
	memcpy(msg, g, n);
	return n;
}

static void test_create_req_golden(void **state)
{
	struct wire_create_req q;
	assert_ok(wire_create_req_decode(golden_create_req, sizeof(golden_create_req), &q));
	assert_int_equal(q.requested_oplock_level, SMB2_OPLOCK_LEVEL_LEASE);
	assert_int_equal(q.impersonation_level, SMB2_IMPERSONATION_IMPERSONATION);
	assert_int_equal(q.desired_access, 0x00120089);
	assert_int_equal(q.file_attributes, 0x80);
	assert_int_equal(q.share_access, 7);
	assert_int_equal(q.create_disposition, 1);
	assert_int_equal(q.create_options, 0x40);
	uint8_t name[64];
	size_t n = u16le("dir\\file.txt", name);
	assert_int_equal(q.name_len, n);
	assert_memory_equal(q.name, name, n);

	assert_int_equal(q.ctx.n, 5);
	assert_int_equal(q.ctx.c[0].id, WIRE_CCTX_MXAC);
	assert_int_equal(q.ctx.c[1].id, WIRE_CCTX_QFID);
	assert_int_equal(q.ctx.c[2].id, WIRE_CCTX_EXTA);
	assert_int_equal(q.ctx.c[3].id, WIRE_CCTX_ALSI);
	assert_int_equal(q.ctx.c[4].id, WIRE_CCTX_RQLS);

	bool has_ts;
	uint64_t v;
	assert_ok(wire_cctx_mxac_decode(&q.ctx.c[0], &has_ts, &v));
	assert_false(has_ts);
	assert_int_equal(q.ctx.c[1].data_len, 0);
	assert_ok(wire_cctx_u64_decode(wire_create_ctx_find(&q.ctx, WIRE_CCTX_ALSI, NULL), &v));
	assert_int_equal(v, 0x100000);

	const struct wire_create_ctx *ea = wire_create_ctx_find(&q.ctx, WIRE_CCTX_EXTA, NULL);
	struct wire_ea eas[4];
	size_t n_ea;
	assert_ok(wire_full_ea_decode(ea->data, ea->data_len, eas, 4, &n_ea));
	assert_int_equal(n_ea, 2);
	assert_int_equal(eas[0].name_len, 6);
	assert_memory_equal(eas[0].name, "user.a", 6);
	assert_int_equal(eas[0].value_len, 1);
	assert_memory_equal(eas[0].value, "1", 1);
	assert_int_equal(eas[1].flags, FILE_NEED_EA);
	assert_memory_equal(eas[1].name, "B", 1);
	assert_memory_equal(eas[1].value, "xyz", 3);

	struct wire_lease l;
	unsigned count;
	assert_ok(wire_cctx_rqls_decode(wire_create_ctx_find(&q.ctx, WIRE_CCTX_RQLS, &count), &l));
	assert_int_equal(count, 1);
	assert_true(l.v2);
	for (int i = 0; i < 16; i++) {
		assert_int_equal(l.key[i], i);
		assert_int_equal(l.parent_key[i], 0xA0 + i);
	}
	assert_int_equal(l.state, SMB2_LEASE_READ_CACHING | SMB2_LEASE_HANDLE_CACHING | SMB2_LEASE_WRITE_CACHING);
	assert_int_equal(l.flags, SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET);
	assert_int_equal(l.epoch, 3);
	assert_null(wire_create_ctx_find(&q.ctx, WIRE_CCTX_DH2Q, &count));
	assert_int_equal(count, 0);
}

/* A test-side request context: aligned, chained through *last. */
static void add_req_ctx(struct wr *w, size_t *last, const void *name, size_t name_len, const void *data,
			size_t data_len)
{
	wr_align(w, 8);
	size_t start = w->pos;
	if (*last != SIZE_MAX)
		wr_patch_u32(w, *last, (uint32_t)(start - *last));
	size_t data_off = data_len ? ((16 + name_len + 7) & ~(size_t)7) : 0;
	wr_u32(w, 0);
	wr_u16(w, 16);
	wr_u16(w, (uint16_t)name_len);
	wr_u16(w, 0);
	wr_u16(w, (uint16_t)data_off);
	wr_u32(w, (uint32_t)data_len);
	wr_bytes(w, name, name_len);
	if (data_len) {
		wr_zero(w, data_off - 16 - name_len);
		wr_bytes(w, data, data_len);
	}
	*last = start;
}

/* A CREATE request with name and context area; returns its length. */
static size_t build_create(uint8_t *buf, size_t cap, const uint8_t *name, size_t name_len, const uint8_t *ctx,
			   size_t ctx_len)
{
	struct wr w = req_begin(buf, cap, SMB2_CREATE);
	wr_u16(&w, 57);
	wr_u8(&w, 0);
	wr_u8(&w, SMB2_OPLOCK_LEVEL_BATCH);
	wr_u32(&w, SMB2_IMPERSONATION_DELEGATE);
	wr_u64(&w, 0);
	wr_u64(&w, 0);
	wr_u32(&w, 0x80000000);
	wr_u32(&w, 0x20);
	wr_u32(&w, 3);
	wr_u32(&w, 5);
	wr_u32(&w, 0x1000);
	size_t ctx_off = (120 + name_len + 7) & ~(size_t)7;
	wr_u16(&w, 120);
	wr_u16(&w, (uint16_t)name_len);
	wr_u32(&w, ctx_len ? (uint32_t)ctx_off : 0);
	wr_u32(&w, (uint32_t)ctx_len);
	wr_bytes(&w, name, name_len);
	if (ctx_len) {
		wr_align(&w, 8);
		wr_bytes(&w, ctx, ctx_len);
	}
	assert_false(w.bad);
	return w.pos;
}

static void test_create_req_round_trip(void **state)
{
	uint8_t area[512], name[32], buf[1024];
	struct wr a = wr_init(area, sizeof(area));
	size_t last = SIZE_MAX;
	uint8_t dhnq[16] = { 0 }, dh2q[32] = { 0 }, twrp[8], secd[20] = { 1, 0, 0x04, 0x80 }, app[20] = { 20 };
	wr_le32_at(dh2q, 60000);
	wr_le32_at(dh2q + 4, SMB2_DHANDLE_FLAG_PERSISTENT);
	memset(dh2q + 16, 0x77, 16);
	wr_le64_at(twrp, 0x01D9000000000000ULL);
	memset(app + 4, 0x42, 16);
	add_req_ctx(&a, &last, "DHnQ", 4, dhnq, sizeof(dhnq));
	add_req_ctx(&a, &last, "DH2Q", 4, dh2q, sizeof(dh2q));
	add_req_ctx(&a, &last, "TWrp", 4, twrp, sizeof(twrp));
	add_req_ctx(&a, &last, "SecD", 4, secd, sizeof(secd));
	add_req_ctx(&a, &last, SMB2_CREATE_APP_INSTANCE_ID, 16, app, sizeof(app));
	add_req_ctx(&a, &last, "Zzz!", 4, NULL, 0);
	assert_false(a.bad);
	size_t nl = u16le("a\\b", name);
	size_t len = build_create(buf, sizeof(buf), name, nl, area, a.pos);

	struct wire_create_req q;
	assert_ok(wire_create_req_decode(buf, len, &q));
	assert_int_equal(q.requested_oplock_level, SMB2_OPLOCK_LEVEL_BATCH);
	assert_int_equal(q.impersonation_level, SMB2_IMPERSONATION_DELEGATE);
	assert_int_equal(q.desired_access, 0x80000000);
	assert_int_equal(q.create_disposition, 5);
	assert_int_equal(q.create_options, 0x1000);
	assert_int_equal(q.name_len, nl);
	assert_memory_equal(q.name, name, nl);
	assert_int_equal(q.ctx.n, 6);

	struct wire_durable d;
	assert_ok(wire_cctx_dhnq_decode(wire_create_ctx_find(&q.ctx, WIRE_CCTX_DHNQ, NULL)));
	assert_ok(wire_cctx_dh2q_decode(wire_create_ctx_find(&q.ctx, WIRE_CCTX_DH2Q, NULL), &d));
	assert_int_equal(d.timeout, 60000);
	assert_int_equal(d.flags, SMB2_DHANDLE_FLAG_PERSISTENT);
	assert_int_equal(d.create_guid[0], 0x77);
	uint64_t ts;
	assert_ok(wire_cctx_u64_decode(wire_create_ctx_find(&q.ctx, WIRE_CCTX_TWRP, NULL), &ts));
	assert_int_equal(ts, 0x01D9000000000000ULL);
	const struct wire_create_ctx *sd = wire_create_ctx_find(&q.ctx, WIRE_CCTX_SECD, NULL);
	assert_int_equal(sd->data_len, sizeof(secd));
	assert_memory_equal(sd->data, secd, sizeof(secd));
	uint8_t id[16];
	assert_ok(wire_cctx_app_instance_id_decode(wire_create_ctx_find(&q.ctx, WIRE_CCTX_APP_INSTANCE_ID, NULL), id));
	assert_int_equal(id[15], 0x42);
	assert_int_equal(q.ctx.c[5].id, WIRE_CCTX_UNKNOWN);
	assert_int_equal(q.ctx.c[5].name_len, 4);
	assert_null(q.ctx.c[5].data);

	/* payload length checks */
	struct wire_create_ctx c = { .id = WIRE_CCTX_DH2C, .data = dh2q, .data_len = 32 };
	assert_invalid(wire_cctx_dh2c_decode(&c, &d));
	c.data_len = 36;
	uint8_t dh2c[36] = { 0 };
	wr_le64_at(dh2c, 5);
	wr_le64_at(dh2c + 8, 6);
	dh2c[16] = 0x99;
	wr_le32_at(dh2c + 32, SMB2_DHANDLE_FLAG_PERSISTENT);
	c.data = dh2c;
	assert_ok(wire_cctx_dh2c_decode(&c, &d));
	assert_int_equal(d.fid_persistent, 5);
	assert_int_equal(d.fid_volatile, 6);
	assert_int_equal(d.create_guid[0], 0x99);
	assert_int_equal(d.flags, SMB2_DHANDLE_FLAG_PERSISTENT);
	c.data_len = 16;
	assert_ok(wire_cctx_dhnc_decode(&c, &d));
	assert_int_equal(d.fid_persistent, 5);
	c.data_len = 15;
	assert_invalid(wire_cctx_dhnc_decode(&c, &d));
	assert_invalid(wire_cctx_dhnq_decode(&c));
	assert_invalid(wire_cctx_u64_decode(&c, &ts));
	bool has;
	assert_invalid(wire_cctx_mxac_decode(&c, &has, &ts));
	c.data_len = 8;
	assert_ok(wire_cctx_mxac_decode(&c, &has, &ts));
	assert_true(has);
	assert_int_equal(ts, 5);
	struct wire_lease l;
	c.data_len = 40;
	assert_invalid(wire_cctx_rqls_decode(&c, &l));
	c.data_len = 32;
	assert_ok(wire_cctx_rqls_decode(&c, &l));
	assert_false(l.v2);
	uint64_t hi, lo;
	uint8_t ver[24] = { 24 };
	wr_le64_at(ver + 8, 3);
	wr_le64_at(ver + 16, 4);
	c.data = ver;
	c.data_len = 24;
	assert_ok(wire_cctx_app_instance_version_decode(&c, &hi, &lo));
	assert_int_equal(hi, 3);
	assert_int_equal(lo, 4);
	ver[0] = 20;
	assert_invalid(wire_cctx_app_instance_version_decode(&c, &hi, &lo));

	/* No name, no contexts. */
	len = build_create(buf, sizeof(buf), NULL, 0, NULL, 0);
	assert_ok(wire_create_req_decode(buf, len, &q));
	assert_null(q.name);
	assert_int_equal(q.name_len, 0);
	assert_int_equal(q.ctx.n, 0);
}

static NTSTATUS create_mutated(size_t at, unsigned width, uint32_t v, size_t len)
{
	struct wire_create_req q;
	golden_copy(golden_create_req, sizeof(golden_create_req));
	if (width == 2)
		wr_le16_at(msg + at, (uint16_t)v);
	else
		wr_le32_at(msg + at, v);
	return wire_create_req_decode(msg, len, &q);
}

static void test_create_req_bounds(void **state)
{
	size_t len = sizeof(golden_create_req);
	struct wire_create_req q;
	/* sanity: unmodified is fine */
	assert_ok(create_mutated(CR_NAME_LEN, 2, 24, len));
	/* name */
	assert_invalid(create_mutated(CR_NAME_LEN, 2, 23, len));	  /* odd */
	assert_invalid(create_mutated(CR_NAME_OFF, 2, 0xFFFF, len));	  /* offset beyond message */
	assert_invalid(create_mutated(CR_NAME_OFF, 2, 100, len));	  /* inside the fixed part */
	assert_invalid(create_mutated(CR_NAME_LEN, 2, 0xFFFE, len));	  /* length overflow */
	assert_invalid(create_mutated(CR_NAME_OFF, 2, (uint32_t)len - 2, len)); /* runs past the end */
	/* context area */
	assert_invalid(create_mutated(CR_CTX_OFF, 4, 145, len));	       /* misaligned */
	assert_invalid(create_mutated(CR_CTX_OFF, 4, 0xFFFFFFF8, len));       /* beyond, no wrap */
	assert_invalid(create_mutated(CR_CTX_LEN, 4, (uint32_t)(len - 143), len)); /* one past the end */
	assert_invalid(create_mutated(CR_CTX_LEN, 4, 0xFFFFFFFF, len));
	assert_invalid(create_mutated(CR_CTX_OFF, 4, 64, len));	      /* inside header/fixed part */
	/* context Next */
	assert_invalid(create_mutated(CTX0, 4, 20, len));	  /* misaligned */
	assert_invalid(create_mutated(CTX0, 4, 8, len));	  /* backwards into itself */
	assert_invalid(create_mutated(CTX0, 4, 0xFFFFFFF8, len)); /* out of range */
	assert_invalid(create_mutated(CTX0, 4, (uint32_t)(len - CTX0 - 8), len)); /* no room for a header */
	assert_invalid(create_mutated(CTX0, 4, (uint32_t)(len - CTX0), len));	     /* to the very end */
	/* context name */
	assert_invalid(create_mutated(CTX0 + 4, 2, 30, len)); /* NameOffset past the context */
	assert_invalid(create_mutated(CTX0 + 4, 2, 8, len));  /* NameOffset inside the header */
	assert_invalid(create_mutated(CTX0 + 6, 2, 0, len));  /* empty name */
	assert_invalid(create_mutated(CTX0 + 6, 2, 9, len));  /* name past the context */
	/* context data (ExtA: extent 56, name at 16..20, data at 24, 29 bytes) */
	assert_invalid(create_mutated(CTX2 + 10, 2, 60, len));	      /* DataOffset past the context */
	assert_invalid(create_mutated(CTX2 + 10, 2, 8, len));	      /* before the name */
	assert_invalid(create_mutated(CTX2 + 12, 4, 33, len));	      /* data past the context */
	assert_invalid(create_mutated(CTX2 + 12, 4, 0xFFFFFFFF, len)); /* length overflow */
	/* truncated message and StructureSize */
	assert_invalid(wire_create_req_decode(golden_create_req, len - 1, &q));
	assert_invalid(wire_create_req_decode(golden_create_req, 119, &q));
	assert_invalid(wire_create_req_decode(golden_create_req, 10, &q));
	assert_invalid(create_mutated(64, 2, 56, len));
}

static void test_create_ctx_cap(void **state)
{
	static uint8_t area[WIRE_CREATE_CTX_MAX * 24 + 64], buf[sizeof(area) + 256];
	for (int total = WIRE_CREATE_CTX_MAX; total <= WIRE_CREATE_CTX_MAX + 1; total++) {
		struct wr a = wr_init(area, sizeof(area));
		size_t last = SIZE_MAX;
		for (int i = 0; i < total; i++)
			add_req_ctx(&a, &last, "MxAc", 4, NULL, 0);
		assert_false(a.bad);
		size_t len = build_create(buf, sizeof(buf), NULL, 0, area, a.pos);
		struct wire_create_req q;
		NTSTATUS st = wire_create_req_decode(buf, len, &q);
		if (total == WIRE_CREATE_CTX_MAX) {
			assert_ok(st);
			assert_int_equal(q.ctx.n, WIRE_CREATE_CTX_MAX);
			unsigned count;
			assert_non_null(wire_create_ctx_find(&q.ctx, WIRE_CCTX_MXAC, &count));
			assert_int_equal(count, WIRE_CREATE_CTX_MAX);
		} else {
			assert_invalid(st);
		}
	}
}

static void test_create_rsp_golden(void **state)
{
	uint8_t buf[512] = { 0 };
	struct wr w = wr_init(buf, sizeof(buf));
	w.pos = SMB2_HDR_LEN;
	struct wire_create_rsp r = {
		.oplock_level = SMB2_OPLOCK_LEVEL_LEASE,
		.create_action = 1,
		.creation_time = 0x01D9000000000001ULL,
		.last_access_time = 0x01D9000000000002ULL,
		.last_write_time = 0x01D9000000000003ULL,
		.change_time = 0x01D9000000000004ULL,
		.allocation_size = 4096,
		.end_of_file = 1234,
		.file_attributes = 0x20,
		.fid_persistent = 0x1122334455667788ULL,
		.fid_volatile = 0x99AABBCCDDEEFF00ULL,
	};
	struct wire_cctx_writer cw;
	wire_create_rsp_encode(&w, &r, &cw);
	assert_int_equal(w.pos, SMB2_HDR_LEN + WIRE_CREATE_RSP_FIXED);
	assert_int_equal(get32(buf, 64 + 80), 0); /* no contexts yet */
	wire_cctx_add_mxac(&w, &cw, STATUS_SUCCESS, 0x001F01FF);
	wire_cctx_add_qfid(&w, &cw, 0xABCDEF, 0x1234);
	struct wire_lease l = { .state = 7, .v2 = true, .epoch = 3 };
	for (int i = 0; i < 16; i++) {
		l.key[i] = (uint8_t)i;
		l.parent_key[i] = (uint8_t)(0xA0 + i);
	}
	wire_cctx_add_lease(&w, &cw, &l);
	assert_false(w.bad);
	assert_int_equal(cw.n, 3);
	assert_int_equal(w.pos, sizeof(golden_create_rsp));
	assert_memory_equal(buf, golden_create_rsp, sizeof(golden_create_rsp));

	/* Contexts parse back with our own strict parser. */
	struct wire_create_ctx_list lst;
	assert_ok(wire_create_ctx_parse(buf + get32(buf, 64 + 80), get32(buf, 64 + 84), &lst));
	assert_int_equal(lst.n, 3);
	assert_int_equal(lst.c[2].id, WIRE_CCTX_RQLS);
	struct wire_lease back;
	assert_ok(wire_cctx_rqls_decode(&lst.c[2], &back));
	assert_memory_equal(back.parent_key, l.parent_key, 16);

	/* A v1 lease, DHnQ and DH2Q responses. */
	memset(buf, 0, sizeof(buf));
	w = wr_init(buf, sizeof(buf));
	w.pos = SMB2_HDR_LEN;
	wire_create_rsp_encode(&w, &r, &cw);
	l.v2 = false;
	wire_cctx_add_lease(&w, &cw, &l);
	wire_cctx_add_dhnq(&w, &cw);
	wire_cctx_add_dh2q(&w, &cw, 120000, SMB2_DHANDLE_FLAG_PERSISTENT);
	assert_false(w.bad);
	assert_ok(wire_create_ctx_parse(buf + 152, get32(buf, 64 + 84), &lst));
	assert_int_equal(lst.n, 3);
	assert_int_equal(lst.c[0].data_len, 32);
	assert_int_equal(lst.c[1].id, WIRE_CCTX_DHNQ);
	assert_int_equal(lst.c[1].data_len, 8);
	assert_int_equal(lst.c[2].id, WIRE_CCTX_DH2Q);
	assert_int_equal(get32(lst.c[2].data, 0), 120000);
	assert_int_equal(get32(lst.c[2].data, 4), SMB2_DHANDLE_FLAG_PERSISTENT);
	assert_int_equal(get32(buf, 64 + 84), w.pos - 152);
}

static void test_create_rsp_capacity(void **state)
{
	uint8_t buf[512];
	struct wire_create_rsp r = { 0 };
	struct wire_cctx_writer cw;
	/* Each capacity short of the full response ends bad, never past cap. */
	size_t full = sizeof(golden_create_rsp);
	for (size_t cap = SMB2_HDR_LEN; cap < full; cap++) {
		memset(buf, 0xEE, sizeof(buf));
		struct wr w = wr_init(buf, cap);
		w.pos = SMB2_HDR_LEN;
		wire_create_rsp_encode(&w, &r, &cw);
		wire_cctx_add_mxac(&w, &cw, STATUS_SUCCESS, 1);
		wire_cctx_add_qfid(&w, &cw, 1, 2);
		struct wire_lease l = { .v2 = true };
		wire_cctx_add_lease(&w, &cw, &l);
		assert_true(w.bad);
		assert_true(w.pos <= cap);
		for (size_t i = cap; i < sizeof(buf); i++)
			assert_int_equal(buf[i], 0xEE);
	}
}

static void test_close_flush(void **state)
{
	uint8_t buf[256];
	struct wr w = req_begin(buf, sizeof(buf), SMB2_CLOSE);
	wr_u16(&w, 24);
	wr_u16(&w, SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB);
	wr_u32(&w, 0);
	wr_u64(&w, 11);
	wr_u64(&w, 22);
	struct wire_close_req c;
	assert_ok(wire_close_req_decode(buf, w.pos, &c));
	assert_int_equal(c.flags, SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB);
	assert_int_equal(c.fid_persistent, 11);
	assert_int_equal(c.fid_volatile, 22);
	assert_invalid(wire_close_req_decode(buf, w.pos - 1, &c));
	buf[64] = 25;
	assert_invalid(wire_close_req_decode(buf, w.pos, &c));

	w = req_begin(buf, sizeof(buf), SMB2_FLUSH);
	wr_u16(&w, 24);
	wr_zero(&w, 6);
	wr_u64(&w, 33);
	wr_u64(&w, 44);
	struct wire_flush_req f;
	assert_ok(wire_flush_req_decode(buf, w.pos, &f));
	assert_int_equal(f.fid_persistent, 33);
	assert_int_equal(f.fid_volatile, 44);
	assert_invalid(wire_flush_req_decode(buf, w.pos - 8, &f));

	/* CLOSE response: golden with attributes, zeros without */
	struct wire_close_rsp r = {
		.flags = SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB,
		.creation_time = 0x01D9000000000001ULL,
		.last_access_time = 0x01D9000000000002ULL,
		.last_write_time = 0x01D9000000000003ULL,
		.change_time = 0x01D9000000000004ULL,
		.allocation_size = 4096,
		.end_of_file = 1234,
		.file_attributes = 0x20,
	};
	w = wr_init(buf, sizeof(buf));
	wire_close_rsp_encode(&w, &r);
	assert_int_equal(w.pos, sizeof(golden_close_rsp));
	assert_memory_equal(buf, golden_close_rsp, sizeof(golden_close_rsp));
	r.flags = 0;
	w = wr_init(buf, sizeof(buf));
	wire_close_rsp_encode(&w, &r);
	assert_int_equal(w.pos, 60);
	assert_int_equal(get16(buf, 0), 60);
	for (int i = 2; i < 60; i++)
		assert_int_equal(buf[i], 0);

	w = wr_init(buf, sizeof(buf));
	wire_flush_rsp_encode(&w);
	wire_lock_rsp_encode(&w);
	wire_set_info_rsp_encode(&w);
	assert_int_equal(w.pos, 10);
	assert_int_equal(get16(buf, 0), 4);
	assert_int_equal(get16(buf, 4), 4);
	assert_int_equal(get16(buf, 8), 2);
}

static void test_read(void **state)
{
	struct wire_read_req q;
	assert_ok(wire_read_req_decode(golden_read_req, sizeof(golden_read_req), &q));
	assert_int_equal(q.padding, 0x50);
	assert_int_equal(q.length, 65536);
	assert_int_equal(q.offset, 0x10000000);
	assert_int_equal(q.fid_persistent, 0x1122334455667788ULL);
	assert_int_equal(q.fid_volatile, 0x99AABBCCDDEEFF00ULL);
	assert_int_equal(q.minimum_count, 1);
	assert_int_equal(q.channel, SMB2_CHANNEL_NONE);
	assert_null(q.channel_info);

	/* writer-built, with a channel info area */
	uint8_t buf[256];
	struct wr w = req_begin(buf, sizeof(buf), SMB2_READ);
	wr_u16(&w, 49);
	wr_u8(&w, 0);
	wr_u8(&w, SMB2_READFLAG_READ_UNBUFFERED);
	wr_u32(&w, 100);
	wr_u64(&w, 7);
	wr_u64(&w, 1);
	wr_u64(&w, 2);
	wr_u32(&w, 50);
	wr_u32(&w, SMB2_CHANNEL_RDMA_V1);
	wr_u32(&w, 9);
	wr_u16(&w, 112);
	wr_u16(&w, 16);
	wr_bytes(&w, "0123456789abcdef", 16);
	assert_ok(wire_read_req_decode(buf, w.pos, &q));
	assert_int_equal(q.flags, SMB2_READFLAG_READ_UNBUFFERED);
	assert_int_equal(q.remaining_bytes, 9);
	assert_int_equal(q.channel, SMB2_CHANNEL_RDMA_V1);
	assert_int_equal(q.channel_info_len, 16);
	assert_memory_equal(q.channel_info, "0123456789abcdef", 16);
	assert_invalid(wire_read_req_decode(buf, w.pos - 1, &q)); /* channel info past the end */
	wr_le16_at(buf + 64 + 44, 100);				   /* inside the fixed part */
	assert_invalid(wire_read_req_decode(buf, w.pos, &q));

	/* response: 16-byte fixed part alone, and with data */
	w = wr_init(buf, sizeof(buf));
	w.pos = SMB2_HDR_LEN;
	wire_read_rsp_encode_fixed(&w, 5000, 0, SMB2_READFLAG_RESPONSE_NONE);
	assert_int_equal(w.pos, WIRE_READ_DATA_OFFSET);
	assert_int_equal(get16(buf, 64), 17);
	assert_int_equal(buf[66], 80);
	assert_int_equal(get32(buf, 68), 5000);
	w = wr_init(buf, sizeof(buf));
	w.pos = SMB2_HDR_LEN;
	wire_read_rsp_encode(&w, (const uint8_t *)"abc", 3, 0);
	assert_int_equal(w.pos, 83);
	assert_memory_equal(buf + 80, "abc", 3);
}

static void test_write(void **state)
{
	struct wire_write_req q;
	assert_ok(wire_write_req_decode(golden_write_req, sizeof(golden_write_req), &q));
	assert_int_equal(q.offset, 4096);
	assert_int_equal(q.flags, SMB2_WRITEFLAG_WRITE_THROUGH);
	assert_int_equal(q.data_len, 11);
	assert_memory_equal(q.data, "hello world", 11);
	assert_ptr_equal(q.data, golden_write_req + 112);
	assert_int_equal(q.fid_volatile, 0x99AABBCCDDEEFF00ULL);

	size_t len = golden_copy(golden_write_req, sizeof(golden_write_req));
	assert_invalid(wire_write_req_decode(msg, len - 1, &q)); /* data past the end */
	wr_le16_at(msg + 66, 0xFFFF);				  /* DataOffset out of range */
	assert_invalid(wire_write_req_decode(msg, len, &q));
	wr_le16_at(msg + 66, 100); /* DataOffset inside the fixed part */
	assert_invalid(wire_write_req_decode(msg, len, &q));
	wr_le16_at(msg + 66, 112);
	wr_le32_at(msg + 68, 0xFFFFFFFF); /* Length overflow */
	assert_invalid(wire_write_req_decode(msg, len, &q));
	wr_le32_at(msg + 68, 11);
	wr_le16_at(msg + 64 + 40, 112); /* WriteChannelInfo past the end */
	wr_le16_at(msg + 64 + 42, 12);
	assert_invalid(wire_write_req_decode(msg, len, &q));
	wr_le16_at(msg + 64 + 42, 11);
	assert_ok(wire_write_req_decode(msg, len, &q));
	assert_int_equal(q.channel_info_len, 11);
	/* zero-length write: any DataOffset */
	len = golden_copy(golden_write_req, sizeof(golden_write_req));
	wr_le32_at(msg + 68, 0);
	wr_le16_at(msg + 66, 0);
	assert_ok(wire_write_req_decode(msg, len, &q));
	assert_null(q.data);

	uint8_t buf[64];
	struct wr w = wr_init(buf, sizeof(buf));
	wire_write_rsp_encode(&w, 11, 0);
	assert_int_equal(w.pos, 16);
	assert_int_equal(get16(buf, 0), 17);
	assert_int_equal(get32(buf, 4), 11);
}

static void test_lock(void **state)
{
	struct wire_lock_req q;
	assert_ok(wire_lock_req_decode(golden_lock_req, sizeof(golden_lock_req), &q));
	assert_int_equal(q.lock_count, 2);
	assert_int_equal(q.lock_sequence_number, 3);
	assert_int_equal(q.lock_sequence_index, 5);
	assert_int_equal(q.fid_persistent, 0x1122334455667788ULL);
	struct wire_lock_element e = wire_lock_req_element(&q, 0);
	assert_int_equal(e.offset, 0);
	assert_int_equal(e.length, 100);
	assert_int_equal(e.flags, SMB2_LOCKFLAG_EXCLUSIVE_LOCK | SMB2_LOCKFLAG_FAIL_IMMEDIATELY);
	e = wire_lock_req_element(&q, 1);
	assert_int_equal(e.offset, 200);
	assert_int_equal(e.length, 50);
	assert_int_equal(e.flags, SMB2_LOCKFLAG_UNLOCK);
	e = wire_lock_req_element(&q, 2);
	assert_int_equal(e.length, 0);

	size_t len = golden_copy(golden_lock_req, sizeof(golden_lock_req));
	wr_le16_at(msg + 66, 0); /* LockCount 0 */
	assert_invalid(wire_lock_req_decode(msg, len, &q));
	wr_le16_at(msg + 66, 3); /* more elements than the message holds */
	assert_invalid(wire_lock_req_decode(msg, len, &q));
	wr_le16_at(msg + 66, 0xFFFF);
	assert_invalid(wire_lock_req_decode(msg, len, &q));
	wr_le16_at(msg + 66, 2);
	assert_invalid(wire_lock_req_decode(msg, len - 1, &q));
	wr_le16_at(msg + 66, 1);
	assert_ok(wire_lock_req_decode(msg, len, &q));
	assert_int_equal(q.lock_count, 1);
}

static void test_query_directory(void **state)
{
	struct wire_query_directory_req q;
	assert_ok(wire_query_directory_req_decode(golden_query_directory_req, sizeof(golden_query_directory_req), &q));
	assert_int_equal(q.info_class, FileIdBothDirectoryInformation);
	assert_int_equal(q.flags, SMB2_RESTART_SCANS);
	assert_int_equal(q.output_buffer_length, 65536);
	assert_int_equal(q.pattern_len, 2);
	assert_memory_equal(q.pattern, "*\0", 2);
	assert_int_equal(q.fid_volatile, 0x99AABBCCDDEEFF00ULL);

	size_t len = golden_copy(golden_query_directory_req, sizeof(golden_query_directory_req));
	wr_le16_at(msg + 64 + 26, 3); /* odd pattern length */
	assert_invalid(wire_query_directory_req_decode(msg, len, &q));
	wr_le16_at(msg + 64 + 26, 4); /* past the end */
	assert_invalid(wire_query_directory_req_decode(msg, len, &q));
	wr_le16_at(msg + 64 + 26, 2);
	wr_le16_at(msg + 64 + 24, 90); /* inside the fixed part */
	assert_invalid(wire_query_directory_req_decode(msg, len, &q));
	wr_le16_at(msg + 64 + 24, 0xFFFF);
	assert_invalid(wire_query_directory_req_decode(msg, len, &q));

	/* writer-built: index specified + reopen, empty pattern */
	uint8_t buf[256];
	struct wr w = req_begin(buf, sizeof(buf), SMB2_QUERY_DIRECTORY);
	wr_u16(&w, 33);
	wr_u8(&w, FileNamesInformation);
	wr_u8(&w, SMB2_INDEX_SPECIFIED | SMB2_REOPEN | SMB2_RETURN_SINGLE_ENTRY);
	wr_u32(&w, 77);
	wr_u64(&w, 1);
	wr_u64(&w, 2);
	wr_u16(&w, 0);
	wr_u16(&w, 0);
	wr_u32(&w, 1024);
	wr_u8(&w, 0);
	assert_ok(wire_query_directory_req_decode(buf, w.pos, &q));
	assert_int_equal(q.flags, SMB2_INDEX_SPECIFIED | SMB2_REOPEN | SMB2_RETURN_SINGLE_ENTRY);
	assert_int_equal(q.file_index, 77);
	assert_null(q.pattern);
	assert_int_equal(q.output_buffer_length, 1024);
}

static void test_change_notify(void **state)
{
	uint8_t buf[256];
	struct wr w = req_begin(buf, sizeof(buf), SMB2_CHANGE_NOTIFY);
	wr_u16(&w, 32);
	wr_u16(&w, SMB2_WATCH_TREE);
	wr_u32(&w, 4096);
	wr_u64(&w, 3);
	wr_u64(&w, 4);
	wr_u32(&w, FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE);
	wr_u32(&w, 0);
	struct wire_change_notify_req q;
	assert_ok(wire_change_notify_req_decode(buf, w.pos, &q));
	assert_int_equal(q.flags, SMB2_WATCH_TREE);
	assert_int_equal(q.output_buffer_length, 4096);
	assert_int_equal(q.fid_persistent, 3);
	assert_int_equal(q.fid_volatile, 4);
	assert_int_equal(q.completion_filter, FILE_NOTIFY_CHANGE_FILE_NAME | FILE_NOTIFY_CHANGE_LAST_WRITE);
	assert_invalid(wire_change_notify_req_decode(buf, w.pos - 1, &q));

	/* response with two notify entries built in place */
	w = wr_init(buf, sizeof(buf));
	w.pos = SMB2_HDR_LEN;
	size_t begin = wire_out_rsp_begin(&w);
	size_t last = WIRE_CHAIN_NONE;
	uint8_t name[32];
	size_t n = u16le("x.txt", name);
	assert_true(wire_notify_append(&w, &last, FILE_ACTION_ADDED, name, n));
	assert_true(wire_notify_append(&w, &last, FILE_ACTION_REMOVED, name, n));
	wire_out_rsp_end(&w, begin);
	assert_false(w.bad);
	assert_int_equal(get16(buf, 64), 9);
	assert_int_equal(get16(buf, 66), WIRE_OUTPUT_BUFFER_OFFSET);
	assert_int_equal(get32(buf, 68), w.pos - 72);
	assert_int_equal(get32(buf, 72), 24); /* 12 + 10 -> aligned to 4 */
	assert_int_equal(get32(buf, 72 + 24 + 4), FILE_ACTION_REMOVED);
}

static void test_query_info(void **state)
{
	struct wire_query_info_req q;
	assert_ok(wire_query_info_req_decode(golden_query_info_req, sizeof(golden_query_info_req), &q));
	assert_int_equal(q.info_type, SMB2_0_INFO_FILE);
	assert_int_equal(q.info_class, FileFullEaInformation);
	assert_int_equal(q.output_buffer_length, 4096);
	assert_int_equal(q.flags, SL_RESTART_SCAN);
	assert_int_equal(q.input_len, 12);
	struct wire_ea names[2];
	size_t n;
	assert_ok(wire_get_ea_decode(q.input, q.input_len, names, 2, &n));
	assert_int_equal(n, 1);
	assert_int_equal(names[0].name_len, 6);
	assert_memory_equal(names[0].name, "user.a", 6);

	size_t len = golden_copy(golden_query_info_req, sizeof(golden_query_info_req));
	wr_le32_at(msg + 64 + 12, 13); /* InputBufferLength past the end */
	assert_invalid(wire_query_info_req_decode(msg, len, &q));
	wr_le32_at(msg + 64 + 12, 12);
	wr_le16_at(msg + 64 + 8, 96); /* InputBufferOffset inside the fixed part */
	assert_invalid(wire_query_info_req_decode(msg, len, &q));
	wr_le16_at(msg + 64 + 8, 0xFFF0);
	assert_invalid(wire_query_info_req_decode(msg, len, &q));
	assert_invalid(wire_query_info_req_decode(golden_query_info_req, 100, &q));

	/* security query: AdditionalInformation, no input */
	uint8_t buf[256];
	struct wr w = req_begin(buf, sizeof(buf), SMB2_QUERY_INFO);
	wr_u16(&w, 41);
	wr_u8(&w, SMB2_0_INFO_SECURITY);
	wr_u8(&w, 0);
	wr_u32(&w, 512);
	wr_u16(&w, 0);
	wr_u16(&w, 0);
	wr_u32(&w, 0);
	wr_u32(&w, 0x7);
	wr_u32(&w, 0);
	wr_u64(&w, 1);
	wr_u64(&w, 2);
	assert_ok(wire_query_info_req_decode(buf, w.pos, &q));
	assert_int_equal(q.info_type, SMB2_0_INFO_SECURITY);
	assert_int_equal(q.additional_information, 7);
	assert_null(q.input);

	/* one-shot response */
	w = wr_init(buf, sizeof(buf));
	w.pos = SMB2_HDR_LEN;
	wire_query_info_rsp_encode(&w, (const uint8_t *)"12345678", 8);
	assert_int_equal(w.pos, 80);
	assert_int_equal(get16(buf, 66), 72);
	assert_int_equal(get32(buf, 68), 8);
	/* empty output: one pad byte, length 0 */
	w = wr_init(buf, sizeof(buf));
	w.pos = SMB2_HDR_LEN;
	wire_query_directory_rsp_encode(&w, NULL, 0);
	assert_int_equal(w.pos, 73);
	assert_int_equal(get32(buf, 68), 0);
	w = wr_init(buf, sizeof(buf));
	w.pos = SMB2_HDR_LEN;
	wire_change_notify_rsp_encode(&w, (const uint8_t *)"ab", 2);
	assert_int_equal(w.pos, 74);
}

static void test_set_info(void **state)
{
	struct wire_set_info_req q;
	assert_ok(wire_set_info_req_decode(golden_set_info_req, sizeof(golden_set_info_req), &q));
	assert_int_equal(q.info_type, SMB2_0_INFO_FILE);
	assert_int_equal(q.info_class, FileRenameInformation);
	assert_ptr_equal(q.buf, golden_set_info_req + 96);
	struct wire_rename_info r;
	assert_ok(wire_rename_info_decode(q.buf, q.buf_len, &r));
	assert_true(r.replace_if_exists);
	assert_int_equal(r.root_directory, 0);
	uint8_t name[64];
	size_t n = u16le("new\\name.txt", name);
	assert_int_equal(r.name_len, n);
	assert_memory_equal(r.name, name, n);

	size_t len = golden_copy(golden_set_info_req, sizeof(golden_set_info_req));
	wr_le32_at(msg + 64 + 4, (uint32_t)q.buf_len + 1); /* BufferLength past the end */
	assert_invalid(wire_set_info_req_decode(msg, len, &q));
	wr_le32_at(msg + 64 + 4, 0xFFFFFFFF);
	assert_invalid(wire_set_info_req_decode(msg, len, &q));
	wr_le32_at(msg + 64 + 4, 20);
	wr_le16_at(msg + 64 + 8, 64); /* BufferOffset at the header */
	assert_invalid(wire_set_info_req_decode(msg, len, &q));
	wr_le16_at(msg + 64 + 8, (uint16_t)len);
	assert_invalid(wire_set_info_req_decode(msg, len, &q));
	assert_invalid(wire_set_info_req_decode(golden_set_info_req, 95, &q));
}

static void test_oplock_break(void **state)
{
	uint8_t buf[256];
	struct wire_oplock_break ob = { .oplock_level = SMB2_OPLOCK_LEVEL_II, .fid_persistent = 5, .fid_volatile = 6 };
	struct wr w = req_begin(buf, sizeof(buf), SMB2_OPLOCK_BREAK);
	wire_oplock_break_encode(&w, &ob);
	assert_int_equal(w.pos, 64 + 24);
	bool is_lease = true;
	struct wire_oplock_break ob2;
	struct wire_lease_break_ack lb;
	assert_ok(wire_oplock_break_ack_decode(buf, w.pos, &is_lease, &ob2, &lb));
	assert_false(is_lease);
	assert_int_equal(ob2.oplock_level, SMB2_OPLOCK_LEVEL_II);
	assert_int_equal(ob2.fid_persistent, 5);
	assert_int_equal(ob2.fid_volatile, 6);
	assert_invalid(wire_oplock_break_ack_decode(buf, w.pos - 1, &is_lease, &ob2, &lb));

	struct wire_lease_break_ack a = { .flags = 0, .lease_state = SMB2_LEASE_READ_CACHING, .lease_duration = 0 };
	memset(a.lease_key, 0x3C, 16);
	w = req_begin(buf, sizeof(buf), SMB2_OPLOCK_BREAK);
	wire_lease_break_rsp_encode(&w, &a); /* the ack has the response's layout */
	assert_int_equal(w.pos, 64 + 36);
	assert_ok(wire_oplock_break_ack_decode(buf, w.pos, &is_lease, &ob2, &lb));
	assert_true(is_lease);
	assert_int_equal(lb.lease_state, SMB2_LEASE_READ_CACHING);
	assert_memory_equal(lb.lease_key, a.lease_key, 16);
	assert_invalid(wire_oplock_break_ack_decode(buf, w.pos - 1, &is_lease, &ob2, &lb));
	buf[64] = 44;
	assert_invalid(wire_oplock_break_ack_decode(buf, w.pos, &is_lease, &ob2, &lb));

	struct wire_lease_break_notify nt = {
		.new_epoch = 2,
		.flags = SMB2_NOTIFY_BREAK_LEASE_FLAG_ACK_REQUIRED,
		.current_lease_state = 7,
		.new_lease_state = 1,
	};
	memset(nt.lease_key, 0x11, 16);
	w = wr_init(buf, sizeof(buf));
	wire_lease_break_notify_encode(&w, &nt);
	assert_int_equal(w.pos, 44);
	assert_int_equal(get16(buf, 0), 44);
	assert_int_equal(get16(buf, 2), 2);
	assert_int_equal(get32(buf, 4), 1);
	assert_int_equal(buf[8], 0x11);
	assert_int_equal(get32(buf, 24), 7);
	assert_int_equal(get32(buf, 28), 1);
}

static void test_truncated_everywhere(void **state)
{
	/* Every prefix of every golden request fails cleanly (ASan checks reads). */
	static const struct {
		const uint8_t *m;
		size_t n;
	} g[] = {
		{ golden_create_req, sizeof(golden_create_req) },
		{ golden_read_req, sizeof(golden_read_req) },
		{ golden_write_req, sizeof(golden_write_req) },
		{ golden_lock_req, sizeof(golden_lock_req) },
		{ golden_query_directory_req, sizeof(golden_query_directory_req) },
		{ golden_query_info_req, sizeof(golden_query_info_req) },
		{ golden_set_info_req, sizeof(golden_set_info_req) },
	};
	for (size_t k = 0; k < sizeof(g) / sizeof(g[0]); k++) {
		for (size_t len = 0; len < g[k].n; len++) {
			uint8_t *copy = malloc(len ? len : 1);
			memcpy(copy, g[k].m, len);
			struct wire_create_req c;
			struct wire_read_req r;
			struct wire_write_req w;
			struct wire_lock_req l;
			struct wire_query_directory_req d;
			struct wire_query_info_req qi;
			struct wire_set_info_req si;
			NTSTATUS st;
			switch (k) {
			case 0:
				st = wire_create_req_decode(copy, len, &c);
				break;
			case 1:
				st = wire_read_req_decode(copy, len, &r);
				break;
			case 2:
				st = wire_write_req_decode(copy, len, &w);
				break;
			case 3:
				st = wire_lock_req_decode(copy, len, &l);
				break;
			case 4:
				st = wire_query_directory_req_decode(copy, len, &d);
				break;
			case 5:
				st = wire_query_info_req_decode(copy, len, &qi);
				break;
			default:
				st = wire_set_info_req_decode(copy, len, &si);
				break;
			}
			/* READ's one Buffer byte is not required. */
			if (!(k == 1 && len == g[k].n - 1))
				assert_invalid(st);
			free(copy);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_req_golden),   cmocka_unit_test(test_create_req_round_trip),
		cmocka_unit_test(test_create_req_bounds),   cmocka_unit_test(test_create_ctx_cap),
		cmocka_unit_test(test_create_rsp_golden),   cmocka_unit_test(test_create_rsp_capacity),
		cmocka_unit_test(test_close_flush),	    cmocka_unit_test(test_read),
		cmocka_unit_test(test_write),		    cmocka_unit_test(test_lock),
		cmocka_unit_test(test_query_directory),	    cmocka_unit_test(test_change_notify),
		cmocka_unit_test(test_query_info),	    cmocka_unit_test(test_set_info),
		cmocka_unit_test(test_oplock_break),	    cmocka_unit_test(test_truncated_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
