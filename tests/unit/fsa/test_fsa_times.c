/* The write time a client sets on a handle ([MS-FSA] 2.1.5.14.2,
 * Open.UserSetModificationTime): that handle's later writes, truncations
 * and zeroing leave it in place, in queries while the file is open and on
 * disk after the close, past the delayed write-time window; writes through
 * a handle that set no time still move it. Real files in a scratch
 * directory; skipped without user xattr support. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/nttime.h"
#include "fsa/fsa.h"
#include "scratch.h"

/* 2020-01-02 03:04:05.1234567 UTC in 100 ns units since 1601 */
#define SET_TIME (132224078451234567ULL)

static NTSTATUS open_rw(struct scratch *x, const char *name, uint32_t disp, struct fsa_create_result *r)
{
	char path[64];
	snprintf(path, sizeof(path), "%s", name);
	struct fsa_create_args a = {
		.table = x->t,
		.root = &x->root,
		.path = path,
		.desired_access = FILE_READ_DATA | FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
		.disposition = disp,
		.share_max_access = FILE_ALL_ACCESS,
		.file_attributes = FILE_ATTRIBUTE_NORMAL,
	};
	return fsa_create(&a, r);
}

static uint64_t disk_mtime(struct scratch *x, const char *name)
{
	char p[128];
	snprintf(p, sizeof(p), "%s/%s", x->dir, name);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	return nttime_from_timespec(sb.st_mtim);
}

static uint64_t shown_mtime(struct fsa_open *o)
{
	struct fsa_info info;
	assert_true(NT_OK(fsa_query_info(o, &info)));
	return info.last_write_time;
}

static void write_some(struct fsa_open *o, uint64_t off)
{
	size_t done;
	assert_true(NT_OK(fsa_write(o, "0123456789", 10, off, &done, false)));
	assert_int_equal(done, 10);
}

static void test_set_then_write(void **state)
{
	(void)state;
	struct scratch x;
	if (!scratch_open(&x, "times"))
		skip();
	struct fsa_create_result r;
	/* as `cmd > file` through the Linux client: truncate, set, write, close */
	assert_true(NT_OK(open_rw(&x, "f", FILE_OVERWRITE_IF, &r)));
	assert_true(NT_OK(fsa_set_eof(r.open, 0)));
	assert_true(NT_OK(fsa_set_basic(r.open, 0, 0, SET_TIME, 0, 0)));
	write_some(r.open, 0);
	write_some(r.open, 10);
	assert_true(NT_OK(fsa_set_eof(r.open, 15)));
	assert_int_equal(shown_mtime(r.open), SET_TIME);
	assert_int_equal(disk_mtime(&x, "f"), SET_TIME);
	fsa_open_put(r.open);
	assert_int_equal(disk_mtime(&x, "f"), SET_TIME);
	scratch_close(&x);
}

static void test_other_handle_writes(void **state)
{
	(void)state;
	struct scratch x;
	if (!scratch_open(&x, "times"))
		skip();
	struct fsa_create_result a, b;
	assert_true(NT_OK(open_rw(&x, "f", FILE_OVERWRITE_IF, &a)));
	assert_true(NT_OK(open_rw(&x, "f", FILE_OPEN, &b)));
	assert_true(NT_OK(fsa_set_basic(a.open, 0, 0, SET_TIME, 0, 0)));
	write_some(a.open, 0);
	assert_int_equal(disk_mtime(&x, "f"), SET_TIME);
	/* b set nothing: its write is a change like any other */
	write_some(b.open, 0);
	fsa_open_put(b.open);
	fsa_open_put(a.open);
	assert_true(disk_mtime(&x, "f") > SET_TIME);
	scratch_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set_then_write),
		cmocka_unit_test(test_other_handle_writes),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
