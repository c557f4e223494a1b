/* Unit tests for the FSCTL buffer codecs (wire/fsctl.c): layouts from
 * [MS-SMB2] 2.2.31.1/2.2.32.x and [MS-FSCC] 2.3, every short or inconsistent
 * input refused, and the encoders' exact sizes. */
#include "wire_test.h"
#include "wire/fsctl.h"

static void put_chunk(struct wr *w, uint64_t so, uint64_t to, uint32_t len)
{
	wr_u64(w, so);
	wr_u64(w, to);
	wr_u32(w, len);
	wr_u32(w, 0);
}

static void test_copychunk(void **state)
{
	(void)state;
	uint8_t buf[32 + 2 * 24 + 5];
	struct wr w = wr_init(buf, sizeof(buf));
	for (int i = 0; i < 24; i++)
		wr_u8(&w, (uint8_t)i);
	wr_u32(&w, 2);
	wr_u32(&w, 0);
	put_chunk(&w, 0x1000, 0x2000, 4096);
	put_chunk(&w, 0xfffffffff, 7, 1);
	wr_zero(&w, 5); /* trailing bytes are ignored */
	struct wire_copychunk_req q;
	assert_ok(wire_copychunk_req_decode(buf, sizeof(buf), &q));
	assert_int_equal(q.chunk_count, 2);
	assert_ptr_equal(q.source_key, buf);
	struct wire_chunk c;
	wire_copychunk_chunk(&q, 0, &c);
	assert_int_equal(c.source_offset, 0x1000);
	assert_int_equal(c.target_offset, 0x2000);
	assert_int_equal(c.length, 4096);
	wire_copychunk_chunk(&q, 1, &c);
	assert_int_equal(c.source_offset, 0xfffffffffULL);
	assert_int_equal(c.target_offset, 7);
	assert_int_equal(c.length, 1);
	/* a chunk cut short, a count larger than the buffer, a short header */
	assert_invalid(wire_copychunk_req_decode(buf, 32 + 2 * 24 - 1, &q));
	wr_le32_at(buf + 24, 0x40000000);
	assert_invalid(wire_copychunk_req_decode(buf, sizeof(buf), &q));
	assert_invalid(wire_copychunk_req_decode(buf, 31, &q));
	/* no chunks at all is well formed */
	wr_le32_at(buf + 24, 0);
	assert_ok(wire_copychunk_req_decode(buf, 32, &q));
	assert_int_equal(q.chunk_count, 0);
	assert_null(q.chunks);

	uint8_t out[WIRE_COPYCHUNK_RSP_LEN];
	w = wr_init(out, sizeof(out));
	wire_copychunk_rsp_encode(&w, 256, 1 << 20, 16 << 20);
	assert_false(w.bad);
	assert_int_equal(w.pos, 12);
	assert_int_equal(le32_at(out), 256);
	assert_int_equal(le32_at(out + 4), 1 << 20);
	assert_int_equal(le32_at(out + 8), 16 << 20);
}

static void test_resume_key(void **state)
{
	(void)state;
	uint8_t key[WIRE_RESUME_KEY_LEN], out[WIRE_RESUME_KEY_RSP_LEN + 1];
	for (int i = 0; i < WIRE_RESUME_KEY_LEN; i++)
		key[i] = (uint8_t)(0xA0 + i);
	memset(out, 0xEE, sizeof(out));
	struct wr w = wr_init(out, sizeof(out));
	wire_resume_key_rsp_encode(&w, key);
	assert_int_equal(w.pos, 32);
	assert_memory_equal(out, key, 24);
	assert_int_equal(le32_at(out + 24), 0);
	assert_int_equal(le32_at(out + 28), 0);
	/* a writer too small stays bad, never overruns */
	w = wr_init(out, 31);
	wire_resume_key_rsp_encode(&w, key);
	assert_true(w.bad);
}

static void test_dup_extents(void **state)
{
	(void)state;
	uint8_t buf[40];
	struct wr w = wr_init(buf, sizeof(buf));
	wr_u64(&w, 11);
	wr_u64(&w, 22);
	wr_u64(&w, 4096);
	wr_u64(&w, 8192);
	wr_u64(&w, 65536);
	struct wire_dup_extents_req q;
	assert_ok(wire_dup_extents_req_decode(buf, sizeof(buf), &q));
	assert_int_equal(q.fid_persistent, 11);
	assert_int_equal(q.fid_volatile, 22);
	assert_int_equal(q.source_offset, 4096);
	assert_int_equal(q.target_offset, 8192);
	assert_int_equal(q.byte_count, 65536);
	assert_invalid(wire_dup_extents_req_decode(buf, 39, &q));
	assert_invalid(wire_dup_extents_req_decode(NULL, 0, &q));
}

static void test_zero_data_and_ranges(void **state)
{
	(void)state;
	uint8_t buf[32];
	struct wr w = wr_init(buf, sizeof(buf));
	wr_u64(&w, 512);
	wr_u64(&w, 0xffffffffffffffffULL);
	wr_u64(&w, 1);
	wr_u64(&w, 2);
	struct wire_zero_data_req z;
	assert_ok(wire_zero_data_req_decode(buf, 16, &z));
	assert_int_equal(z.file_offset, 512);
	assert_int_equal(z.beyond_final_zero, UINT64_MAX);
	assert_invalid(wire_zero_data_req_decode(buf, 15, &z));
	struct wire_range r;
	assert_ok(wire_alloc_ranges_req_decode(buf, 32, &r)); /* longer input: Windows accepts */
	assert_int_equal(r.offset, 512);
	assert_int_equal(r.length, UINT64_MAX);
	assert_invalid(wire_alloc_ranges_req_decode(buf, 0, &r));
	assert_invalid(wire_alloc_ranges_req_decode(buf, 8, &r));
	uint8_t out[WIRE_RANGE_LEN];
	w = wr_init(out, sizeof(out));
	wire_range_encode(&w, &(struct wire_range){ .offset = 4096, .length = 1024 });
	assert_int_equal(w.pos, 16);
	assert_int_equal(le64_at(out), 4096);
	assert_int_equal(le64_at(out + 8), 1024);
}

static void test_sparse_and_compression(void **state)
{
	(void)state;
	bool sp = false;
	uint8_t on = 0xFF, off[100] = { 0 };
	assert_ok(wire_set_sparse_req_decode(NULL, 0, &sp));
	assert_true(sp); /* no buffer: set */
	assert_ok(wire_set_sparse_req_decode(&on, 1, &sp));
	assert_true(sp);
	assert_ok(wire_set_sparse_req_decode(off, sizeof(off), &sp));
	assert_false(sp);
	uint16_t f = 0xFFFF;
	uint8_t fmt[2] = { 0x02, 0x00 };
	assert_ok(wire_compression_req_decode(fmt, 2, &f));
	assert_int_equal(f, COMPRESSION_FORMAT_LZNT1);
	assert_invalid(wire_compression_req_decode(fmt, 1, &f));
	uint8_t out[2];
	struct wr w = wr_init(out, sizeof(out));
	wire_compression_rsp_encode(&w, COMPRESSION_FORMAT_NONE);
	assert_int_equal(w.pos, 2);
	assert_int_equal(le16_at(out), 0);
}

static void test_trim(void **state)
{
	(void)state;
	uint8_t buf[8 + 2 * 16];
	struct wr w = wr_init(buf, sizeof(buf));
	wr_u32(&w, 0);
	wr_u32(&w, 2);
	wr_u64(&w, 0);
	wr_u64(&w, 65536);
	wr_u64(&w, 65536);
	wr_u64(&w, 4096);
	struct wire_trim_req t;
	assert_ok(wire_trim_req_decode(buf, sizeof(buf), &t));
	assert_int_equal(t.num_ranges, 2);
	struct wire_range r;
	wire_trim_range(&t, 1, &r);
	assert_int_equal(r.offset, 65536);
	assert_int_equal(r.length, 4096);
	assert_invalid(wire_trim_req_decode(buf, sizeof(buf) - 1, &t));
	assert_invalid(wire_trim_req_decode(buf, 7, &t));
	uint8_t out[4];
	w = wr_init(out, sizeof(out));
	wire_trim_rsp_encode(&w, 2);
	assert_int_equal(le32_at(out), 2);
}

static void test_objectid_snapshots(void **state)
{
	(void)state;
	uint8_t id[16], vol[16], out[WIRE_OBJECTID_LEN];
	memset(id, 1, 16);
	memset(vol, 2, 16);
	struct wr w = wr_init(out, sizeof(out));
	wire_objectid_encode(&w, id, vol, id);
	assert_int_equal(w.pos, 64);
	assert_memory_equal(out, id, 16);
	assert_memory_equal(out + 16, vol, 16);
	assert_memory_equal(out + 32, id, 16);
	for (int i = 48; i < 64; i++)
		assert_int_equal(out[i], 0);
	uint8_t snap[WIRE_EMPTY_SNAPSHOTS_LEN];
	w = wr_init(snap, sizeof(snap));
	wire_empty_snapshots_encode(&w);
	assert_false(w.bad);
	assert_int_equal(w.pos, 14);
	assert_int_equal(le32_at(snap), 0);
	assert_int_equal(le32_at(snap + 4), 0);
	assert_int_equal(le32_at(snap + 8), 2);
}

static void test_net_ifaces(void **state)
{
	(void)state;
	struct wire_net_iface v[2] = {
		{ .ifindex = 1, .capability = RSS_CAPABLE, .link_speed = 10000000000ULL, .addr = { 127, 0, 0, 1 } },
		{ .ifindex = 2, .link_speed = 1000000000ULL, .ipv6 = true, .addr = { 0xfd, 0, [15] = 1 } },
	};
	uint8_t out[2 * WIRE_NET_IFACE_LEN];
	memset(out, 0xEE, sizeof(out));
	struct wr w = wr_init(out, sizeof(out));
	wire_net_ifaces_encode(&w, v, 2);
	assert_false(w.bad);
	assert_int_equal(w.pos, 2 * 152);
	assert_int_equal(le32_at(out), 152); /* Next */
	assert_int_equal(le32_at(out + 4), 1);
	assert_int_equal(le32_at(out + 8), RSS_CAPABLE);
	assert_int_equal(le64_at(out + 16), 10000000000ULL);
	assert_int_equal(le16_at(out + 24), 0x0002); /* AF_INTERNETWORK */
	assert_int_equal(le16_at(out + 26), 0);	     /* Port */
	assert_memory_equal(out + 28, "\x7f\x00\x00\x01", 4);
	for (int i = 32; i < 152; i++)
		assert_int_equal(out[i], 0);
	const uint8_t *b = out + 152;
	assert_int_equal(le32_at(b), 0); /* last */
	assert_int_equal(le16_at(b + 24), 0x0017); /* AF_INTERNETWORKV6 */
	assert_int_equal(le32_at(b + 28), 0);	    /* FlowInfo */
	assert_int_equal(b[32], 0xfd);
	assert_int_equal(b[47], 1);
	assert_int_equal(le32_at(b + 48), 0); /* ScopeId */
	/* not enough room: bad, in bounds */
	w = wr_init(out, 200);
	wire_net_ifaces_encode(&w, v, 2);
	assert_true(w.bad);
}

static void test_pipe_wait(void **state)
{
	(void)state;
	uint8_t buf[14 + 12];
	struct wr w = wr_init(buf, sizeof(buf));
	wr_u64(&w, 5000);
	wr_u32(&w, 12);
	wr_u8(&w, 1);
	wr_u8(&w, 0);
	wr_bytes(&w, "s\0r\0v\0s\0v\0c\0", 12);
	struct wire_pipe_wait_req q;
	assert_ok(wire_pipe_wait_req_decode(buf, sizeof(buf), &q));
	assert_int_equal(q.timeout, 5000);
	assert_true(q.timeout_specified);
	assert_int_equal(q.name_len, 12);
	assert_ptr_equal(q.name, buf + 14);
	assert_invalid(wire_pipe_wait_req_decode(buf, sizeof(buf) - 1, &q));
	wr_le32_at(buf + 8, 11); /* odd UTF-16 length */
	assert_invalid(wire_pipe_wait_req_decode(buf, sizeof(buf), &q));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copychunk),
		cmocka_unit_test(test_resume_key),
		cmocka_unit_test(test_dup_extents),
		cmocka_unit_test(test_zero_data_and_ranges),
		cmocka_unit_test(test_sparse_and_compression),
		cmocka_unit_test(test_trim),
		cmocka_unit_test(test_objectid_snapshots),
		cmocka_unit_test(test_net_ifaces),
		cmocka_unit_test(test_pipe_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
