/* Replies whose variable part is empty ([MS-SMB2] 2.2: an odd StructureSize
 * counts one byte of the buffer, which is sent even when it is empty).
 * Each reply is encoded into exactly wire_rsp_size(fixed, 0) bytes of room,
 * as the commands size them, and must fill it exactly with the bytes the
 * spec lays out; one byte less room must fail the writer. The kernel
 * client's raw-NTLMSSP logon ends with such a SESSION_SETUP reply, which
 * once overflowed an 8-byte reservation. */
#include "wire_test.h"

#include "wire/file.h"
#include "wire/session.h"

#define FID_P 0x1122334455667788ULL
#define FID_V 0x99AABBCCDDEEFF00ULL

static uint8_t buf[SMB2_HDR_LEN + 64];

/* A writer over the header and `room` body bytes, positioned at the body. */
static struct wr body_writer(size_t room)
{
	memset(buf, 0xEE, sizeof(buf));
	struct wr w = wr_init(buf, SMB2_HDR_LEN + room);
	w.pos = SMB2_HDR_LEN;
	return w;
}

static void expect_body(const struct wr *w, const uint8_t *want, size_t n)
{
	assert_false(w->bad);
	assert_int_equal(w->pos, SMB2_HDR_LEN + n);
	assert_memory_equal(buf + SMB2_HDR_LEN, want, n);
}

static void test_rsp_size_rule(void **state)
{
	(void)state;
	assert_int_equal(wire_rsp_size(8, 0), 9);
	assert_int_equal(wire_rsp_size(8, 5), 13);
	assert_int_equal(wire_rsp_size(48, 0), 49);
	assert_int_equal(wire_rsp_size(16, 8), 24);
}

static void test_session_setup_empty(void **state)
{
	(void)state;
	/* StructureSize 9, SessionFlags, SecurityBufferOffset 0 and Length 0, one pad byte */
	static const uint8_t want[] = { 9, 0, 0x01, 0, 0, 0, 0, 0, 0 };
	struct wr w = body_writer(wire_rsp_size(8, 0));
	wire_sess_setup_rsp_encode(&w, SMB2_SESSION_FLAG_IS_GUEST, NULL, 0);
	expect_body(&w, want, sizeof(want));
	w = body_writer(8); /* the reservation that failed the kernel client */
	wire_sess_setup_rsp_encode(&w, 0, NULL, 0);
	assert_true(w.bad);
	/* with a token the offset points at it, right after the fixed part */
	static const uint8_t tok[] = { 0xA1, 0x07 };
	static const uint8_t want2[] = { 9, 0, 0, 0, 72, 0, 2, 0, 0xA1, 0x07 };
	w = body_writer(wire_rsp_size(8, sizeof(tok)));
	wire_sess_setup_rsp_encode(&w, 0, tok, sizeof(tok));
	expect_body(&w, want2, sizeof(want2));
}

/* QUERY_DIRECTORY, CHANGE_NOTIFY and QUERY_INFO share one layout:
 * StructureSize 9, OutputBufferOffset 72 (header-relative), Length 0, pad. */
static void check_out_rsp(void (*enc)(struct wr *, const uint8_t *, size_t))
{
	static const uint8_t want[] = { 9, 0, 72, 0, 0, 0, 0, 0, 0 };
	struct wr w = body_writer(wire_rsp_size(8, 0));
	enc(&w, NULL, 0);
	expect_body(&w, want, sizeof(want));
	w = body_writer(8);
	enc(&w, NULL, 0);
	assert_true(w.bad);
}

static void test_query_directory_empty(void **state)
{
	(void)state;
	check_out_rsp(wire_query_directory_rsp_encode);
}

static void test_change_notify_empty(void **state)
{
	(void)state;
	check_out_rsp(wire_change_notify_rsp_encode);
}

static void test_query_info_empty(void **state)
{
	(void)state;
	check_out_rsp(wire_query_info_rsp_encode);
}

static void test_ioctl_empty(void **state)
{
	(void)state;
	/* StructureSize 49, Reserved, CtlCode, FileId, InputOffset 112 with
	 * InputCount 0, OutputOffset 0 with OutputCount 0, Flags, Reserved2, pad */
	uint8_t want[49] = { 49, 0, 0, 0, 0x94, 0x01, 0x06, 0x00 };
	for (int i = 0; i < 8; i++) {
		want[8 + i] = (uint8_t)(FID_P >> (8 * i));
		want[16 + i] = (uint8_t)(FID_V >> (8 * i));
	}
	want[24] = 112;
	struct wr w = body_writer(wire_rsp_size(48, 0));
	wire_ioctl_rsp_encode(&w, 0x00060194, FID_P, FID_V, NULL, 0);
	expect_body(&w, want, sizeof(want));
	w = body_writer(48);
	wire_ioctl_rsp_encode(&w, 0x00060194, FID_P, FID_V, NULL, 0);
	assert_true(w.bad);
}

static void test_read_empty(void **state)
{
	(void)state;
	/* StructureSize 17, DataOffset 80, Reserved, DataLength 0,
	 * DataRemaining 0, Flags 0, pad */
	static const uint8_t want[] = { 17, 0, 80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct wr w = body_writer(wire_rsp_size(16, 0));
	wire_read_rsp_encode(&w, NULL, 0, 0);
	expect_body(&w, want, sizeof(want));
	/* the path of READ and pipe reads: fixed part, data put in place by the caller */
	w = body_writer(wire_rsp_size(16, 0));
	wire_read_rsp_encode_fixed(&w, 0, 0, 0);
	wire_read_rsp_data_placed(&w, 0, 0);
	expect_body(&w, want, sizeof(want));
	w = body_writer(16);
	wire_read_rsp_encode_fixed(&w, 0, 0, 0);
	wire_read_rsp_data_placed(&w, 0, 0);
	assert_true(w.bad);
	/* placed data is accounted for, not padded, and never past the room */
	w = body_writer(wire_rsp_size(16, 3));
	wire_read_rsp_encode_fixed(&w, 3, 0, 0);
	wire_read_rsp_data_placed(&w, 3, 0);
	assert_false(w.bad);
	assert_int_equal(w.pos, SMB2_HDR_LEN + 19);
	wire_read_rsp_data_placed(&w, 1, 0);
	assert_true(w.bad);
}

static void test_error_empty(void **state)
{
	(void)state;
	static const uint8_t want[] = { 9, 0, 0, 0, 0, 0, 0, 0, 0 };
	struct wr w = body_writer(wire_rsp_size(8, 0));
	wire_error_body_encode(&w, NULL, 0);
	expect_body(&w, want, sizeof(want));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rsp_size_rule),	      cmocka_unit_test(test_session_setup_empty),
		cmocka_unit_test(test_query_directory_empty), cmocka_unit_test(test_change_notify_empty),
		cmocka_unit_test(test_query_info_empty),      cmocka_unit_test(test_ioctl_empty),
		cmocka_unit_test(test_read_empty),	      cmocka_unit_test(test_error_empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
