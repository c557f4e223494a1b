/* Unit tests for base/: the rd/wr cursors (bounds, sticky errors, slices,
 * patching), UTF-16 conversion (surrogates, invalid input), NT time, the id
 * table, NTSTATUS names, rate limiting and logging. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "base/idtable.h"
#include "base/log.h"
#include "base/ntstatus.h"
#include "base/nttime.h"
#include "base/rdwr.h"
#include "base/utf16.h"

static void test_rd_fields_and_sticky_error(void **state)
{
	const uint8_t buf[] = { 0x01, 0x34, 0x12, 0x78, 0x56, 0x34, 0x12, 0xEF, 0xCD, 0xAB, 0x89, 0x67, 0x45, 0x23, 0x01 };
	struct rd r = rd_init(buf, sizeof(buf));
	assert_int_equal(rd_u8(&r), 0x01);
	assert_int_equal(rd_u16(&r), 0x1234);
	assert_int_equal(rd_u32(&r), 0x12345678);
	assert_int_equal(rd_u64(&r), 0x0123456789ABCDEFULL);
	assert_false(r.bad);
	assert_int_equal(rd_left(&r), 0);
	/* one byte too many: bad from now on, reads give 0 */
	assert_int_equal(rd_u8(&r), 0);
	assert_true(r.bad);
	r.pos = 0;
	assert_int_equal(rd_u8(&r), 0); /* still bad: errors are sticky */
	assert_null(rd_take(&r, 0));
}

static void test_rd_take_overflow_and_slices(void **state)
{
	uint8_t buf[16];
	for (int i = 0; i < 16; i++)
		buf[i] = (uint8_t)i;
	struct rd r = rd_init(buf, sizeof(buf));
	assert_null(rd_take(&r, SIZE_MAX)); /* no wrap-around */
	assert_true(r.bad);
	r = rd_init(buf, sizeof(buf));
	struct rd s = rd_slice(&r, 4, 8);
	assert_false(s.bad);
	assert_int_equal(rd_u8(&s), 4);
	s = rd_slice(&r, 10, 7); /* runs past the end */
	assert_true(s.bad);
	assert_int_equal(rd_left(&s), 0);
	s = rd_slice(&r, SIZE_MAX, 2);
	assert_true(s.bad);
	assert_false(r.bad); /* a bad slice does not spoil its parent */
	struct rd sub = rd_sub(&r, 3);
	assert_int_equal(rd_left(&sub), 3);
	assert_int_equal(r.pos, 3);
	rd_seek(&r, 16);
	assert_false(r.bad);
	rd_seek(&r, 17);
	assert_true(r.bad);
	uint8_t out[4] = { 9, 9, 9, 9 };
	r = rd_init(buf, 2);
	rd_copy(&r, out, 4);
	assert_true(r.bad);
	assert_int_equal(out[0], 0); /* short copy zeroes the destination */
	r = rd_init((const uint8_t[]){ 0x12, 0x34, 0x56, 0x78 }, 4);
	assert_int_equal(rd_be32(&r), 0x12345678);
}

static void test_wr_bounds_align_patch(void **state)
{
	uint8_t buf[12];
	memset(buf, 0xAA, sizeof(buf));
	struct wr w = wr_init(buf, sizeof(buf));
	wr_u8(&w, 1);
	wr_align(&w, 8);
	assert_int_equal(w.pos, 8);
	assert_int_equal(buf[1], 0);
	wr_u16(&w, 0xBEEF);
	assert_int_equal(buf[8], 0xEF);
	assert_int_equal(buf[9], 0xBE);
	wr_patch_u16(&w, 0, 0x0102);
	assert_int_equal(buf[0], 0x02);
	wr_patch_u32(&w, 8, 0); /* beyond what was written: refused */
	assert_true(w.bad);
	w = wr_init(buf, sizeof(buf));
	wr_u64(&w, 1);
	wr_u32(&w, 2);
	assert_false(w.bad);
	wr_u8(&w, 3); /* 13th byte */
	assert_true(w.bad);
	assert_int_equal(w.pos, 12);
	assert_null(wr_put(&w, 0));
}

static void test_utf16_round_trip(void **state)
{
	const char *s = "a\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80"; /* a, e-acute, euro, U+1F600 */
	uint8_t u[64];
	long n = utf8_to_utf16le(s, u, sizeof(u));
	assert_int_equal(n, 2 + 2 + 2 + 4);
	assert_int_equal(utf8_utf16_len(s), n);
	assert_int_equal(u[0], 'a');
	assert_int_equal(u[2], 0xE9);
	assert_int_equal(u[4], 0xAC);
	assert_int_equal(u[5], 0x20);
	assert_int_equal(u[6] | u[7] << 8, 0xD83D); /* surrogate pair */
	assert_int_equal(u[8] | u[9] << 8, 0xDE00);
	char back[64];
	assert_int_equal(utf16le_to_utf8(u, (size_t)n, back, sizeof(back)), (long)strlen(s));
	assert_string_equal(back, s);
}

static void test_utf16_invalid(void **state)
{
	char out[16];
	const uint8_t lone_high[] = { 0x3D, 0xD8, 'a', 0 };
	assert_int_equal(utf16le_to_utf8(lone_high, 4, out, sizeof(out)), -1);
	const uint8_t lone_low[] = { 0x00, 0xDE };
	assert_int_equal(utf16le_to_utf8(lone_low, 2, out, sizeof(out)), -1);
	const uint8_t odd[] = { 'a', 0, 'b' };
	assert_int_equal(utf16le_to_utf8(odd, 3, out, sizeof(out)), -1);
	const uint8_t many[] = { 'a', 0, 'b', 0, 'c', 0 };
	assert_int_equal(utf16le_to_utf8(many, 6, out, 3), -1); /* no room for the NUL */
	uint8_t u[8];
	assert_int_equal(utf8_to_utf16le("\xC0\xAF", u, sizeof(u)), -1);     /* overlong '/' */
	assert_int_equal(utf8_to_utf16le("\xED\xA0\x80", u, sizeof(u)), -1); /* encoded surrogate */
	assert_int_equal(utf8_to_utf16le("\xF4\x90\x80\x80", u, sizeof(u)), -1); /* > U+10FFFF */
	assert_int_equal(utf8_to_utf16le("abcde", u, sizeof(u)), -1);        /* 10 bytes > 8 */
	uint8_t up[] = { 'a', 0, 'Z', 0, 0xE9, 0 };
	utf16le_upper_ascii(up, sizeof(up));
	assert_int_equal(up[0], 'A');
	assert_int_equal(up[2], 'Z');
	assert_int_equal(up[4], 0xE9); /* only ASCII changes */
}

static void test_nttime(void **state)
{
	struct timespec epoch = { 0, 0 };
	assert_int_equal(nttime_from_timespec(epoch), 116444736000000000ULL);
	/* 2000-01-01T00:00:00Z = 946684800 s; NT time 125911584000000000 */
	struct timespec y2k = { 946684800, 123456700 };
	uint64_t nt = nttime_from_timespec(y2k);
	assert_int_equal(nt, 125911584000000000ULL + 1234567);
	struct timespec back = nttime_to_timespec(nt);
	assert_int_equal(back.tv_sec, 946684800);
	assert_int_equal(back.tv_nsec, 123456700);
	/* before 1970 */
	struct timespec old = nttime_to_timespec(116444736000000000ULL - 5);
	assert_int_equal(old.tv_sec, -1);
	assert_int_equal(old.tv_nsec, 999999500);
	assert_true(nttime_now() > 130000000000000000ULL);
}

static void test_idtable(void **state)
{
	struct idtable t;
	idtable_init(&t);
	int vals[2000];
	for (int i = 0; i < 2000; i++)
		assert_true(idtable_insert(&t, (uint64_t)i * 7919 + 1, &vals[i]));
	assert_int_equal(t.count, 2000);
	for (int i = 0; i < 2000; i++)
		assert_ptr_equal(idtable_find(&t, (uint64_t)i * 7919 + 1), &vals[i]);
	assert_null(idtable_find(&t, 2));
	assert_false(idtable_insert(&t, 0, &vals[0]));		/* 0 is reserved */
	assert_false(idtable_insert(&t, UINT64_MAX, &vals[0])); /* so is all-ones */
	for (int i = 0; i < 2000; i += 2)
		assert_ptr_equal(idtable_remove(&t, (uint64_t)i * 7919 + 1), &vals[i]);
	assert_null(idtable_remove(&t, 1));
	assert_int_equal(t.count, 1000);
	size_t cur = 0, seen = 0;
	uint64_t id;
	while (idtable_next(&t, &cur, &id)) {
		assert_int_equal((id - 1) / 7919 % 2, 1);
		seen++;
	}
	assert_int_equal(seen, 1000);
	/* many insert/remove cycles reuse tombstones without growing forever */
	for (int round = 0; round < 10000; round++) {
		assert_true(idtable_insert(&t, 5000000 + (uint64_t)round, &vals[0]));
		assert_non_null(idtable_remove(&t, 5000000 + (uint64_t)round));
	}
	assert_true(t.cap <= 8192);
	idtable_free(&t);
}

static void test_ntstatus_names(void **state)
{
	assert_string_equal(nt_status_name(STATUS_ACCESS_DENIED), "STATUS_ACCESS_DENIED");
	assert_string_equal(nt_status_name(STATUS_SUCCESS), "STATUS_SUCCESS");
	assert_string_equal(nt_status_name(NT_STATUS(0xC0DE0001)), "STATUS_0xC0DE0001");
	assert_true(NT_ERR(STATUS_LOGON_FAILURE));
	assert_false(NT_ERR(STATUS_BUFFER_OVERFLOW)); /* a warning, not an error */
	assert_false(NT_OK(STATUS_PENDING));
}

static void test_ratelimit(void **state)
{
	struct ratelimit rl = { .burst = 3, .interval_ms = 60000 };
	assert_true(ratelimit_ok(&rl));
	assert_true(ratelimit_ok(&rl));
	assert_true(ratelimit_ok(&rl));
	assert_false(ratelimit_ok(&rl));
	assert_false(ratelimit_ok(&rl));
	assert_int_equal(rl.suppressed, 2);
}

static void test_log_levels(void **state)
{
	int fds[2];
	assert_int_equal(pipe(fds), 0);
	log_set_fd(fds[1]);
	log_set_level(1);
	log_info("not shown at level 1");
	log_warn("shown %d", 42);
	log_set_level(3);
	log_debug("debug %s", "line");
	log_set_fd(2);
	close(fds[1]);
	char buf[512] = { 0 };
	ssize_t n = read(fds[0], buf, sizeof(buf) - 1);
	close(fds[0]);
	assert_true(n > 0);
	assert_null(strstr(buf, "not shown"));
	assert_non_null(strstr(buf, "warn: shown 42\n"));
	assert_non_null(strstr(buf, "debug: debug line\n"));
	log_set_level(1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rd_fields_and_sticky_error),
		cmocka_unit_test(test_rd_take_overflow_and_slices),
		cmocka_unit_test(test_wr_bounds_align_patch),
		cmocka_unit_test(test_utf16_round_trip),
		cmocka_unit_test(test_utf16_invalid),
		cmocka_unit_test(test_nttime),
		cmocka_unit_test(test_idtable),
		cmocka_unit_test(test_ntstatus_names),
		cmocka_unit_test(test_ratelimit),
		cmocka_unit_test(test_log_levels),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
