/* Unit tests for vfs/range.c on a temporary file: copy_file_range with the
 * overlapping same-file fallback, hole punching, zeroing without a size
 * change, SEEK_DATA/SEEK_HOLE discovery, and FICLONERANGE refusing cleanly. */
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <setjmp.h>
#include <cmocka.h>

#include "vfs/vfs.h"

static int tmpfile_fd(void)
{
	char path[] = "/tmp/smb3d-range-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	unlink(path);
	return fd;
}

static void fill(int fd, uint64_t off, size_t n, uint8_t seed)
{
	uint8_t *b = malloc(n);
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(seed + i * 7);
	size_t done;
	assert_int_equal(vfs_pwrite(fd, b, n, off, &done).v, 0);
	free(b);
}

static void test_copy(void **state)
{
	(void)state;
	int a = tmpfile_fd(), b = tmpfile_fd();
	fill(a, 0, 200000, 3);
	uint64_t done = 0;
	assert_int_equal(vfs_copy_range(a, 1000, b, 4096, 100000, &done).v, 0);
	assert_int_equal(done, 100000);
	uint8_t x[100000], y[100000];
	size_t got;
	vfs_pread(a, x, sizeof(x), 1000, &got);
	vfs_pread(b, y, sizeof(y), 4096, &got);
	assert_memory_equal(x, y, sizeof(x));
	/* past the source's end: short */
	assert_int_equal(vfs_copy_range(a, 199000, b, 0, 5000, &done).v, 0);
	assert_int_equal(done, 1000);
	/* overlapping ranges of one file copy as if read first */
	uint8_t before[2048];
	vfs_pread(a, before, sizeof(before), 0, &got);
	assert_int_equal(vfs_copy_range(a, 0, a, 2040, 2048, &done).v, 0);
	assert_int_equal(done, 2048);
	uint8_t after[2048];
	vfs_pread(a, after, sizeof(after), 2040, &got);
	assert_memory_equal(before, after, sizeof(before));
	assert_int_equal(vfs_copy_range(a, (uint64_t)INT64_MAX, b, 0, 2, &done).v, STATUS_INVALID_PARAMETER.v);
	close(a);
	close(b);
}

static void test_holes(void **state)
{
	(void)state;
	int fd = tmpfile_fd();
	fill(fd, 0, 4 * 65536, 1);
	uint64_t d, h;
	assert_int_equal(vfs_next_data(fd, 0, &d, &h).v, 0);
	assert_int_equal(d, 0);
	assert_int_equal(h, 4 * 65536);
	assert_int_equal(vfs_punch_hole(fd, 65536, 65536).v, 0);
	struct stat st;
	fstat(fd, &st);
	assert_int_equal(st.st_size, 4 * 65536);
	assert_int_equal(vfs_next_data(fd, 0, &d, &h).v, 0);
	if (h == 65536) { /* a file system with holes */
		assert_int_equal(vfs_next_data(fd, 65536, &d, &h).v, 0);
		assert_int_equal(d, 2 * 65536);
		assert_int_equal(h, 4 * 65536);
	}
	uint8_t z[65536], zero[65536] = { 0 };
	size_t got;
	vfs_pread(fd, z, sizeof(z), 65536, &got);
	assert_memory_equal(z, zero, sizeof(z));
	assert_int_equal(vfs_zero_range(fd, 0, 100).v, 0);
	vfs_pread(fd, z, 100, 0, &got);
	assert_memory_equal(z, zero, 100);
	fstat(fd, &st);
	assert_int_equal(st.st_size, 4 * 65536);
	/* nothing past EOF */
	assert_int_equal(vfs_next_data(fd, 4 * 65536, &d, &h).v, 0);
	assert_int_equal(d, UINT64_MAX);
	close(fd);
}

static void test_clone(void **state)
{
	(void)state;
	int a = tmpfile_fd(), b = tmpfile_fd();
	fill(a, 0, 65536, 9);
	NTSTATUS s = vfs_clone_range(a, 0, b, 0, 65536);
	/* btrfs/xfs share the blocks; others say so cleanly */
	assert_true(s.v == 0 || s.v == STATUS_NOT_SUPPORTED.v);
	close(a);
	close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_copy),
		cmocka_unit_test(test_holes),
		cmocka_unit_test(test_clone),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
