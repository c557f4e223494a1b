/* Unit tests for src/vfs/ operations: the errno table, path syntax, open and
 * create, mkdir/unlink/rename/link, I/O, times, statx, directory listing with
 * cookies, statfs, case-insensitive resolution, and per-thread credentials
 * (root only). Confinement has its own file, test_vfs_escape.c. */
#include "vfs_test.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

static int setup(void **state)
{
	struct tdir *t = calloc(1, sizeof(*t));
	tdir_setup(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tdir_teardown(*state);
	free(*state);
	return 0;
}

static void test_errno_map(void **state)
{
	static const struct {
		int err;
		NTSTATUS want;
	} table[] = {
		{ ENOENT, STATUS_OBJECT_NAME_NOT_FOUND },
		{ ENOTDIR, STATUS_OBJECT_PATH_NOT_FOUND },
		{ EEXIST, STATUS_OBJECT_NAME_COLLISION },
		{ EACCES, STATUS_ACCESS_DENIED },
		{ EPERM, STATUS_ACCESS_DENIED },
		{ EXDEV, STATUS_ACCESS_DENIED },
		{ ENOTEMPTY, STATUS_DIRECTORY_NOT_EMPTY },
		{ EISDIR, STATUS_FILE_IS_A_DIRECTORY },
		{ ENOSPC, STATUS_DISK_FULL },
		{ EDQUOT, STATUS_DISK_FULL },
		{ EFBIG, STATUS_DISK_FULL },
		{ EMFILE, STATUS_TOO_MANY_OPENED_FILES },
		{ ENFILE, STATUS_TOO_MANY_OPENED_FILES },
		{ ENAMETOOLONG, STATUS_OBJECT_NAME_INVALID },
		{ ELOOP, STATUS_OBJECT_PATH_NOT_FOUND },
		{ EROFS, STATUS_MEDIA_WRITE_PROTECTED },
		{ EBADF, STATUS_INVALID_HANDLE },
		{ EINVAL, STATUS_INVALID_PARAMETER },
		{ ENOMEM, STATUS_NO_MEMORY },
		{ ETXTBSY, STATUS_SHARING_VIOLATION },
		{ EIO, STATUS_IO_DEVICE_ERROR },
		{ EMLINK, STATUS_TOO_MANY_LINKS },
		{ ENOTSUP, STATUS_NOT_SUPPORTED },
		{ ENOSYS, STATUS_NOT_SUPPORTED },
		{ EAGAIN, STATUS_NETWORK_BUSY },
		{ ERANGE, STATUS_BUFFER_TOO_SMALL },
		{ 0, STATUS_UNSUCCESSFUL },
		{ 99999, STATUS_UNSUCCESSFUL },
		{ EHOSTDOWN, STATUS_UNSUCCESSFUL },
	};
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++) {
		NTSTATUS got = vfs_errno_to_status(table[i].err);
		if (!NT_EQ(got, table[i].want))
			fail_msg("errno %d -> %s, want %s", table[i].err, nt_status_name(got),
			         nt_status_name(table[i].want));
	}
}

static void test_path_syntax(void **state)
{
	struct tdir *t = *state;
	struct vfs_stat st;
	int fd;
	char longname[NAME_MAX + 2];
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	static char longpath[PATH_MAX + 8];
	for (size_t i = 0; i < sizeof(longpath) - 1; i++)
		longpath[i] = i % 2 ? '/' : 'a';
	longpath[sizeof(longpath) - 1] = '\0';
	const char *bad[] = { "/a", "a/", "a//b", ".", "..", "a/.", "a/..", "./a", "../a", "a/../b", longname, longpath };
	make_dir(tpath(t, "root/a"), 0755);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_status(vfs_stat_path(&t->r, bad[i], true, &st), STATUS_OBJECT_NAME_INVALID);
		assert_status(vfs_open(&t->r, bad[i], O_RDONLY, 0, &fd), STATUS_OBJECT_NAME_INVALID);
		assert_status(vfs_mkdir(&t->r, bad[i], 0755), STATUS_OBJECT_NAME_INVALID);
		assert_status(vfs_unlink(&t->r, bad[i], true), STATUS_OBJECT_NAME_INVALID);
	}
	/* A name of exactly NAME_MAX bytes is fine. */
	longname[NAME_MAX] = '\0';
	assert_ok(vfs_mkdir(&t->r, longname, 0755));
	assert_ok(vfs_stat_path(&t->r, longname, true, &st));
	assert_true(S_ISDIR(st.mode));
	/* "" is the root. */
	assert_ok(vfs_stat_path(&t->r, "", true, &st));
	assert_int_equal(st.ino, t->r.ino);
	assert_status(vfs_root_open("relative/path", &(struct vfs_root){ 0 }), STATUS_INVALID_PARAMETER);
	/* A duplicate root lives on after the original is closed. */
	struct vfs_root dup;
	assert_ok(vfs_root_dup(&t->r, &dup));
	assert_true(dup.fd != t->r.fd);
	assert_int_equal(dup.ino, t->r.ino);
	vfs_root_close(&t->r);
	assert_ok(vfs_stat_path(&dup, "a", true, &st));
	t->r = dup;
}

/* Shared roots: handles on one share directory share one descriptor, which
 * closes with the last handle; a directory replaced on disk gets a new one. */
static void test_root_cache(void **state)
{
	struct tdir *t = *state;
	struct vfs_root_cache *c = vfs_root_cache_new();
	struct vfs_root a, b, d, other;
	struct vfs_stat st;
	assert_non_null(c);
	assert_status(vfs_root_get(c, "relative", &a), STATUS_INVALID_PARAMETER);
	assert_status(vfs_root_get(c, tpath(t, "missing"), &a), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_ok(vfs_root_get(c, t->root, &a));
	assert_ok(vfs_root_get(c, t->root, &b));
	assert_int_equal(a.fd, b.fd);
	assert_int_equal(a.ino, t->r.ino);
	assert_ok(vfs_root_dup(&a, &d));
	assert_int_equal(d.fd, a.fd);
	int fd = a.fd;
	vfs_root_close(&a);
	vfs_root_close(&b);
	assert_int_equal(a.fd, -1);
	/* d still holds the descriptor */
	assert_true(fcntl(fd, F_GETFD) >= 0);
	put_file(tpath(t, "root/x"), "x");
	assert_ok(vfs_stat_path(&d, "x", true, &st));
	/* another directory: another descriptor */
	assert_int_equal(mkdir(tpath(t, "other"), 0755), 0);
	assert_ok(vfs_root_get(c, tpath(t, "other"), &other));
	assert_true(other.fd != d.fd);
	/* replaced on disk: the old handle keeps the old directory, a new
	 * lookup gets the new one */
	assert_int_equal(rename(tpath(t, "other"), tpath(t, "old")), 0);
	assert_int_equal(mkdir(tpath(t, "other"), 0755), 0);
	struct vfs_root fresh;
	assert_ok(vfs_root_get(c, tpath(t, "other"), &fresh));
	assert_true(fresh.ino != other.ino);
	assert_true(fresh.fd != other.fd);
	/* the cache may go before its roots */
	vfs_root_cache_free(c);
	vfs_root_close(&other);
	vfs_root_close(&fresh);
	vfs_root_close(&d);
	assert_true(fcntl(fd, F_GETFD) < 0);
}

static void test_open_create(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	int fd = -1, fd2 = -1;
	struct vfs_stat st;
	size_t done;
	char buf[32];

	assert_ok(vfs_open(r, "f", O_RDWR | O_CREAT | O_EXCL, 0640, &fd));
	assert_ok(vfs_pwrite(fd, "hello", 5, 0, &done));
	assert_ok(vfs_fstat(fd, &st));
	assert_true(S_ISREG(st.mode));
	assert_int_equal(st.size, 5);
	assert_int_equal(fcntl(fd, F_GETFD) & FD_CLOEXEC, FD_CLOEXEC);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	vfs_close(fd);
	assert_status(vfs_open(r, "f", O_RDWR | O_CREAT | O_EXCL, 0640, &fd), STATUS_OBJECT_NAME_COLLISION);
	assert_int_equal(fd, -1);
	assert_ok(vfs_open(r, "f", O_RDONLY | O_NONBLOCK, 0, &fd));
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, O_NONBLOCK); /* kept when asked for */
	vfs_clear_nonblock(fd);
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	vfs_close(fd);

	assert_status(vfs_open(r, "missing", O_RDONLY, 0, &fd), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_status(vfs_open(r, "nodir/x", O_RDONLY, 0, &fd), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_status(vfs_open(r, "nodir/x", O_WRONLY | O_CREAT, 0644, &fd), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_status(vfs_open(r, "f/x", O_RDONLY, 0, &fd), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_status(vfs_stat_path(r, "nodir/x", true, &st), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_status(vfs_stat_path(r, "missing", true, &st), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_status(vfs_open(r, "f", O_RDONLY | O_DIRECTORY, 0, &fd), STATUS_NOT_A_DIRECTORY);
	make_dir(tpath(t, "root/d"), 0755);
	assert_status(vfs_open(r, "d", O_WRONLY, 0, &fd), STATUS_FILE_IS_A_DIRECTORY);
	assert_ok(vfs_open(r, "d", O_RDONLY | O_DIRECTORY, 0, &fd));
	vfs_close(fd);
	assert_ok(vfs_open(r, "", O_RDONLY | O_DIRECTORY, 0, &fd));
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.ino, t->r.ino);
	vfs_close(fd);

	/* O_TRUNC, and flags this layer refuses. */
	assert_ok(vfs_open(r, "f", O_WRONLY | O_TRUNC, 0, &fd));
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.size, 0);
	vfs_close(fd);
	assert_status(vfs_open(r, "f", O_PATH | O_CREAT, 0644, &fd), STATUS_INVALID_PARAMETER);
	assert_status(vfs_open(r, "f", O_PATH | O_RDWR, 0, &fd), STATUS_INVALID_PARAMETER);
	assert_status(vfs_open(r, "t", O_TMPFILE | O_RDWR, 0600, &fd), STATUS_INVALID_PARAMETER);
	assert_status(vfs_open(r, "f", O_RDONLY | O_ASYNC, 0, &fd), STATUS_INVALID_PARAMETER);
	assert_status(vfs_open(r, "f", O_ACCMODE, 0, &fd), STATUS_INVALID_PARAMETER);

	/* Symlinks: O_NOFOLLOW refuses a final one, O_PATH|O_NOFOLLOW gets it. */
	make_link("f", tpath(t, "root/lnk"));
	assert_status(vfs_open(r, "lnk", O_RDONLY | O_NOFOLLOW, 0, &fd), STATUS_STOPPED_ON_SYMLINK);
	assert_ok(vfs_open(r, "lnk", O_PATH | O_NOFOLLOW, 0, &fd));
	assert_ok(vfs_fstat(fd, &st));
	assert_true(S_ISLNK(st.mode));
	char target[16];
	size_t tlen;
	assert_ok(vfs_readlink(fd, target, sizeof(target), &tlen));
	assert_string_equal(target, "f");
	assert_int_equal(tlen, 1);
	assert_status(vfs_readlink(fd, target, 1, &tlen), STATUS_BUFFER_TOO_SMALL);
	vfs_close(fd);
	assert_ok(vfs_open(r, "f", O_PATH, 0, &fd));
	assert_status(vfs_readlink(fd, target, sizeof(target), &tlen), STATUS_NOT_A_REPARSE_POINT);
	assert_status(vfs_pread(fd, buf, 1, 0, &done), STATUS_INVALID_HANDLE); /* O_PATH: no I/O */
	vfs_close(fd);
	/* O_CREAT through an in-share dangling link creates its target. */
	make_link("made_by_link", tpath(t, "root/dangling"));
	assert_ok(vfs_open(r, "dangling", O_WRONLY | O_CREAT, 0644, &fd2));
	vfs_close(fd2);
	assert_true(exists_nofollow(tpath(t, "root/made_by_link")));

	/* A FIFO on disk is refused, not waited on. */
	assert_int_equal(mkfifo(tpath(t, "root/fifo"), 0666), 0);
	assert_status(vfs_open(r, "fifo", O_RDONLY, 0, &fd), STATUS_ACCESS_DENIED);
	assert_status(vfs_open(r, "fifo", O_WRONLY, 0, &fd), STATUS_ACCESS_DENIED);
	assert_ok(vfs_open(r, "fifo", O_PATH, 0, &fd)); /* metadata only is fine */
	vfs_close(fd);
}

static void test_mkdir_unlink(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	struct vfs_stat st;
	int fd;
	assert_ok(vfs_mkdir(r, "d", 0750));
	assert_ok(vfs_stat_path(r, "d", true, &st));
	assert_true(S_ISDIR(st.mode));
	assert_status(vfs_mkdir(r, "d", 0750), STATUS_OBJECT_NAME_COLLISION);
	assert_status(vfs_mkdir(r, "", 0750), STATUS_OBJECT_NAME_COLLISION);
	assert_status(vfs_mkdir(r, "no/sub", 0750), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_ok(vfs_mkdir(r, "d/sub", 0750));
	assert_ok(vfs_open(r, "d/file", O_WRONLY | O_CREAT, 0644, &fd));
	vfs_close(fd);
	assert_status(vfs_mkdir(r, "d/file/x", 0750), STATUS_OBJECT_PATH_NOT_FOUND);

	assert_status(vfs_unlink(r, "d/file", true), STATUS_NOT_A_DIRECTORY);
	assert_status(vfs_unlink(r, "d/sub", false), STATUS_FILE_IS_A_DIRECTORY);
	assert_status(vfs_unlink(r, "d", true), STATUS_DIRECTORY_NOT_EMPTY);
	assert_status(vfs_unlink(r, "d/missing", false), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_status(vfs_unlink(r, "nodir/missing", false), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_status(vfs_unlink(r, "", true), STATUS_ACCESS_DENIED);
	assert_ok(vfs_unlink(r, "d/file", false));
	assert_ok(vfs_unlink(r, "d/sub", true));
	assert_ok(vfs_unlink(r, "d", true));
	assert_false(exists_nofollow(tpath(t, "root/d")));

	/* Directory links: rmdir refuses them, unlink removes the link only. */
	make_dir(tpath(t, "root/real"), 0755);
	make_link("real", tpath(t, "root/dlink"));
	assert_status(vfs_unlink(r, "dlink", true), STATUS_NOT_A_DIRECTORY);
	assert_ok(vfs_unlink(r, "dlink", false));
	assert_true(exists_nofollow(tpath(t, "root/real")));
}

static void test_rename(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	char buf[16];
	put_file(tpath(t, "root/a"), "A");
	put_file(tpath(t, "root/b"), "B");
	assert_status(vfs_rename(r, "a", "b", false), STATUS_OBJECT_NAME_COLLISION);
	assert_string_equal(get_file(tpath(t, "root/a"), buf, sizeof(buf)), "A");
	assert_string_equal(get_file(tpath(t, "root/b"), buf, sizeof(buf)), "B");
	assert_ok(vfs_rename(r, "a", "b", true));
	assert_false(exists_nofollow(tpath(t, "root/a")));
	assert_string_equal(get_file(tpath(t, "root/b"), buf, sizeof(buf)), "A");
	assert_ok(vfs_rename(r, "b", "c", false));
	assert_string_equal(get_file(tpath(t, "root/c"), buf, sizeof(buf)), "A");
	assert_status(vfs_rename(r, "missing", "x", false), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_status(vfs_rename(r, "c", "nodir/x", false), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_status(vfs_rename(r, "nodir/x", "y", false), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_status(vfs_rename(r, "", "y", false), STATUS_ACCESS_DENIED);
	make_dir(tpath(t, "root/d"), 0755);
	make_dir(tpath(t, "root/e"), 0755);
	put_file(tpath(t, "root/e/inside"), "x");
	assert_status(vfs_rename(r, "c", "d", true), STATUS_ACCESS_DENIED); /* file over directory */
	assert_status(vfs_rename(r, "d", "c", true), STATUS_ACCESS_DENIED); /* directory over file */
	assert_status(vfs_rename(r, "d", "e", true), STATUS_DIRECTORY_NOT_EMPTY);
	assert_ok(vfs_rename(r, "c", "d/c", false));
	assert_ok(vfs_rename(r, "d", "e/d", false));
	assert_string_equal(get_file(tpath(t, "root/e/d/c"), buf, sizeof(buf)), "A");
	assert_status(vfs_rename(r, "e", "e/d/self", false), STATUS_INVALID_PARAMETER);
}

static void test_link(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	struct vfs_stat a, b;
	put_file(tpath(t, "root/a"), "A");
	put_file(tpath(t, "root/b"), "B");
	assert_ok(vfs_link(r, "a", "a2", false));
	assert_ok(vfs_stat_path(r, "a", true, &a));
	assert_ok(vfs_stat_path(r, "a2", true, &b));
	assert_int_equal(a.ino, b.ino);
	assert_int_equal(a.nlink, 2);
	assert_status(vfs_link(r, "a", "b", false), STATUS_OBJECT_NAME_COLLISION);
	assert_ok(vfs_link(r, "a", "b", true));
	assert_ok(vfs_stat_path(r, "b", true, &b));
	assert_int_equal(a.ino, b.ino);
	assert_ok(vfs_link(r, "a", "a2", true)); /* already the same file */
	assert_status(vfs_link(r, "missing", "x", false), STATUS_OBJECT_NAME_NOT_FOUND);
	make_dir(tpath(t, "root/d"), 0755);
	assert_status(vfs_link(r, "d", "d2", false), STATUS_ACCESS_DENIED);
	/* No temporary names left behind. */
	int fd;
	struct vfs_dir *dir;
	struct vfs_dirent e;
	assert_ok(vfs_open(r, "", O_RDONLY | O_DIRECTORY, 0, &fd));
	assert_ok(vfs_dir_open(fd, &dir));
	int n = 0;
	while (NT_OK(vfs_dir_next(dir, &e))) {
		assert_null(strstr(e.name, "smb3d"));
		n++;
	}
	assert_int_equal(n, 2 + 4); /* . .. a a2 b d */
	vfs_dir_close(dir);
	vfs_close(fd);
	assert_ok(vfs_stat_path(r, "a", true, &a));
	assert_int_equal(a.nlink, 3);
}

static void test_io(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	int fd;
	size_t done;
	char buf[64];
	struct vfs_stat st;
	assert_ok(vfs_open(r, "f", O_RDWR | O_CREAT, 0644, &fd));
	assert_ok(vfs_pwrite(fd, "0123456789", 10, 0, &done));
	assert_int_equal(done, 10);
	assert_ok(vfs_pread(fd, buf, sizeof(buf), 0, &done));
	assert_int_equal(done, 10); /* short at EOF, not an error */
	assert_memory_equal(buf, "0123456789", 10);
	assert_ok(vfs_pread(fd, buf, sizeof(buf), 5, &done));
	assert_int_equal(done, 5);
	assert_memory_equal(buf, "56789", 5);
	assert_ok(vfs_pread(fd, buf, sizeof(buf), 1000, &done));
	assert_int_equal(done, 0);
	assert_status(vfs_pread(fd, buf, 1, (uint64_t)INT64_MAX + 1, &done), STATUS_INVALID_PARAMETER);
	assert_status(vfs_pwrite(fd, buf, 1, UINT64_MAX, &done), STATUS_INVALID_PARAMETER);
	assert_ok(vfs_pwrite(fd, "x", 1, 1 << 20, &done));
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.size, (1 << 20) + 1);
	assert_ok(vfs_ftruncate(fd, 3));
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.size, 3);
	assert_status(vfs_ftruncate(fd, UINT64_MAX), STATUS_INVALID_PARAMETER);
	assert_ok(vfs_fsync(fd, true));
	assert_ok(vfs_fsync(fd, false));
	assert_ok(vfs_fallocate(fd, 0));
	assert_ok(vfs_fallocate(fd, 4 << 20));
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.size, 3); /* EOF unchanged */
	struct statfs sf;
	assert_int_equal(fstatfs(fd, &sf), 0);
	if (sf.f_type == 0xEF53 || sf.f_type == 0x01021994 || sf.f_type == 0x58465342)
		assert_true(st.alloc >= (4u << 20)); /* ext4, tmpfs, xfs reserve */
	vfs_close(fd);
	assert_ok(vfs_open(r, "f", O_RDONLY, 0, &fd));
	assert_false(NT_OK(vfs_pwrite(fd, "x", 1, 0, &done)));
	assert_false(NT_OK(vfs_ftruncate(fd, 0))); /* not open for writing */
	vfs_close(fd);
	assert_status(vfs_fsync(-1, false), STATUS_INVALID_HANDLE);
}

static void test_set_times(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	int fd;
	struct vfs_stat st;
	put_file(tpath(t, "root/f"), "x");
	struct timespec a = { .tv_sec = 1111111111, .tv_nsec = 500 }, m = { .tv_sec = 1222222222, .tv_nsec = 700 };
	assert_ok(vfs_open(r, "f", O_RDONLY, 0, &fd));
	assert_ok(vfs_set_times(fd, &a, &m));
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.atime.tv_sec, a.tv_sec);
	assert_int_equal(st.mtime.tv_sec, m.tv_sec);
	assert_int_equal(st.mtime.tv_nsec, m.tv_nsec);
	struct timespec m2 = { .tv_sec = 1333333333 };
	assert_ok(vfs_set_times(fd, NULL, &m2)); /* atime left alone */
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.atime.tv_sec, a.tv_sec);
	assert_int_equal(st.mtime.tv_sec, m2.tv_sec);
	struct timespec a2 = { .tv_sec = 1444444444 };
	assert_ok(vfs_set_times(fd, &a2, NULL)); /* mtime left alone */
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.atime.tv_sec, a2.tv_sec);
	assert_int_equal(st.mtime.tv_sec, m2.tv_sec);
	assert_ok(vfs_set_times(fd, NULL, NULL));
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.atime.tv_sec, a2.tv_sec);
	assert_int_equal(st.mtime.tv_sec, m2.tv_sec);
	vfs_close(fd);
	/* O_PATH fds, and a symlink's own times. */
	assert_ok(vfs_open(r, "f", O_PATH, 0, &fd));
	assert_ok(vfs_set_times(fd, NULL, &m));
	vfs_close(fd);
	assert_int_equal(get_mtime(tpath(t, "root/f")), m.tv_sec);
	make_link("f", tpath(t, "root/lnk"));
	assert_ok(vfs_open(r, "lnk", O_PATH | O_NOFOLLOW, 0, &fd));
	assert_ok(vfs_set_times(fd, NULL, &m2));
	vfs_close(fd);
	assert_int_equal(get_mtime(tpath(t, "root/lnk")), m2.tv_sec);
	assert_int_equal(get_mtime(tpath(t, "root/f")), m.tv_sec);
}

static void test_stat(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	struct vfs_stat st, st2;
	struct statx sx;
	put_file(tpath(t, "root/f"), "12345");
	make_link("f", tpath(t, "root/lnk"));
	assert_int_equal(statx(AT_FDCWD, tpath(t, "root/f"), AT_SYMLINK_NOFOLLOW, STATX_BASIC_STATS | STATX_BTIME, &sx),
	                 0);
	assert_ok(vfs_stat_path(r, "f", true, &st));
	assert_int_equal(st.ino, sx.stx_ino);
	assert_int_equal(st.size, 5);
	assert_int_equal(st.nlink, 1);
	assert_int_equal(st.mode, sx.stx_mode);
	assert_int_equal(st.uid, sx.stx_uid);
	assert_int_equal(st.alloc, sx.stx_blocks * 512);
	assert_int_equal(st.mtime.tv_sec, sx.stx_mtime.tv_sec);
	assert_int_equal(st.has_btime, (sx.stx_mask & STATX_BTIME) != 0);
	if (st.has_btime) {
		assert_int_equal(st.btime.tv_sec, sx.stx_btime.tv_sec);
		assert_int_equal(st.btime.tv_nsec, sx.stx_btime.tv_nsec);
	}
	print_message("btime %s on this file system\n", st.has_btime ? "present" : "absent");
	assert_ok(vfs_stat_path(r, "lnk", true, &st2));
	assert_int_equal(st2.ino, st.ino);
	assert_ok(vfs_stat_path(r, "lnk", false, &st2));
	assert_true(S_ISLNK(st2.mode));
	assert_int_equal(st2.ino, ino_of(tpath(t, "root/lnk")));
	int fd;
	assert_ok(vfs_open(r, "", O_PATH | O_DIRECTORY, 0, &fd));
	assert_ok(vfs_stat_at(fd, "f", &st2));
	assert_int_equal(st2.ino, st.ino);
	assert_ok(vfs_stat_at(fd, "lnk", &st2));
	assert_true(S_ISLNK(st2.mode));
	assert_ok(vfs_stat_at(fd, ".", &st2));
	assert_int_equal(st2.ino, t->r.ino);
	assert_status(vfs_stat_at(fd, "missing", &st2), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_status(vfs_stat_at(fd, "a/b", &st2), STATUS_OBJECT_NAME_INVALID);
	assert_status(vfs_stat_at(fd, "", &st2), STATUS_OBJECT_NAME_INVALID);
	vfs_close(fd);
}

/* ---- directory listing ---- */

#define NENT 10000

static void test_dir_listing(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	int fd;
	char name[32];
	make_dir(tpath(t, "root/big"), 0755);
	for (int i = 0; i < NENT; i++) {
		snprintf(name, sizeof(name), "big/f%05d", i);
		assert_ok(vfs_open(r, name, O_WRONLY | O_CREAT | O_EXCL, 0644, &fd));
		vfs_close(fd);
	}
	assert_ok(vfs_open(r, "big", O_RDONLY | O_DIRECTORY, 0, &fd));
	struct vfs_dir *d;
	struct vfs_dirent e;
	assert_ok(vfs_dir_open(fd, &d));
	static uint8_t seen[NENT];
	static int order[NENT];
	static uint64_t cookies[NENT];
	memset(seen, 0, sizeof(seen));
	int n = 0, dots = 0;
	NTSTATUS s;
	while (NT_OK(s = vfs_dir_next(d, &e))) {
		if (!strcmp(e.name, ".") || !strcmp(e.name, "..")) {
			dots++;
			continue;
		}
		int i;
		assert_int_equal(sscanf(e.name, "f%05d", &i), 1);
		assert_true(i >= 0 && i < NENT);
		assert_int_equal(seen[i], 0);
		seen[i] = 1;
		assert_int_equal(e.type, DT_REG);
		assert_int_equal(e.ino, ino_of(tpath(t, "root/big/%s", e.name)));
		order[n] = i;
		cookies[n] = e.cookie;
		n++;
	}
	assert_status(s, STATUS_NO_MORE_FILES);
	assert_status(vfs_dir_next(d, &e), STATUS_NO_MORE_FILES); /* stays at the end */
	assert_int_equal(n, NENT);
	assert_int_equal(dots, 2);

	/* Resuming at a saved cookie continues exactly after that entry. */
	const int at[] = { 0, 1, 2999, 5000, NENT - 2 };
	for (size_t k = 0; k < sizeof(at) / sizeof(at[0]); k++) {
		assert_ok(vfs_dir_seek(d, cookies[at[k]]));
		int j = at[k] + 1;
		while (NT_OK(vfs_dir_next(d, &e))) {
			if (!strcmp(e.name, ".") || !strcmp(e.name, ".."))
				continue;
			snprintf(name, sizeof(name), "f%05d", order[j]);
			assert_string_equal(e.name, name);
			j++;
		}
		assert_int_equal(j, NENT);
	}
	assert_ok(vfs_dir_seek(d, cookies[NENT - 1]));
	while (NT_OK(s = vfs_dir_next(d, &e)))
		assert_true(!strcmp(e.name, ".") || !strcmp(e.name, ".."));
	/* Rewind: everything again. */
	assert_ok(vfs_dir_seek(d, 0));
	int again = 0;
	while (NT_OK(vfs_dir_next(d, &e)))
		if (strcmp(e.name, ".") && strcmp(e.name, ".."))
			again++;
	assert_int_equal(again, NENT);
	assert_status(vfs_dir_seek(d, UINT64_MAX), STATUS_INVALID_PARAMETER);
	vfs_dir_close(d);

	/* The listing has its own position: dirfd's is untouched. */
	assert_int_equal(lseek(fd, 0, SEEK_CUR), 0);
	bool empty;
	assert_ok(vfs_dir_is_empty(fd, &empty));
	assert_false(empty);
	vfs_close(fd);
	make_dir(tpath(t, "root/empty"), 0755);
	assert_ok(vfs_open(r, "empty", O_PATH | O_DIRECTORY, 0, &fd));
	assert_ok(vfs_dir_is_empty(fd, &empty)); /* O_PATH dirfd works */
	assert_true(empty);
	vfs_close(fd);
	put_file(tpath(t, "root/file"), "x");
	assert_ok(vfs_open(r, "file", O_RDONLY, 0, &fd));
	assert_status(vfs_dir_open(fd, &d), STATUS_NOT_A_DIRECTORY);
	assert_null(d);
	vfs_close(fd);
}

static void test_statfs(void **state)
{
	struct tdir *t = *state;
	struct vfs_fsinfo fi;
	struct statfs sf;
	assert_ok(vfs_statfs(t->r.fd, &fi)); /* O_PATH fd */
	assert_int_equal(statfs(t->root, &sf), 0);
	assert_true(fi.total_bytes > 0);
	assert_true(fi.free_bytes <= fi.total_bytes);
	assert_true(fi.avail_bytes <= fi.free_bytes);
	assert_int_equal(fi.block_size, sf.f_frsize ? sf.f_frsize : sf.f_bsize);
	assert_int_equal(fi.max_name, sf.f_namelen);
	assert_int_equal(fi.total_bytes, (uint64_t)sf.f_blocks * fi.block_size);
	if (sf.f_type == 0xEF53)
		assert_string_equal(fi.fs_type, "ext4");
	else if (sf.f_type == 0x01021994)
		assert_string_equal(fi.fs_type, "tmpfs");
	assert_true(fi.fs_type[0] != '\0');
	print_message("statfs: %s, %llu bytes\n", fi.fs_type, (unsigned long long)fi.total_bytes);
	assert_status(vfs_statfs(-1, &fi), STATUS_INVALID_HANDLE);
}

/* ---- case-insensitive resolution ---- */

static void test_case_fold(void **state)
{
	assert_int_equal(vfs_upcase('a'), 'A');
	assert_int_equal(vfs_upcase('Z'), 'Z');
	assert_int_equal(vfs_upcase(0xE4), 0xC4);   /* ä */
	assert_int_equal(vfs_upcase(0xF7), 0xF7);   /* ÷ is not a letter */
	assert_int_equal(vfs_upcase(0xFF), 0x178);  /* ÿ */
	assert_int_equal(vfs_upcase(0x101), 0x100); /* ā */
	assert_int_equal(vfs_upcase(0x13A), 0x139); /* ĺ */
	assert_int_equal(vfs_upcase(0x17E), 0x17D); /* ž */
	assert_int_equal(vfs_upcase(0x3C2), 0x3A3); /* final sigma */
	assert_int_equal(vfs_upcase(0x3AF), 0x38A); /* ί */
	assert_int_equal(vfs_upcase(0x3CE), 0x38F); /* ώ */
	assert_int_equal(vfs_upcase(0x44F), 0x42F); /* я */
	assert_int_equal(vfs_upcase(0x451), 0x401); /* ё */
	assert_int_equal(vfs_upcase(0x131), 0x131); /* dotless i is left alone */
	assert_true(vfs_name_equal_ci("Readme.TXT", "README.txt"));
	assert_true(vfs_name_equal_ci("Ärger", "äRGER"));
	assert_true(vfs_name_equal_ci("Привет", "пРИВЕТ"));
	assert_true(vfs_name_equal_ci("σοφός", "ΣΟΦΌΣ"));
	assert_false(vfs_name_equal_ci("abc", "abcd"));
	assert_false(vfs_name_equal_ci("a", "b"));
	assert_false(vfs_name_equal_ci("\xff", "\xfe"));
	assert_true(vfs_name_equal_ci("\xff", "\xff"));
	assert_false(vfs_name_equal_ci("\xc3", "\xc3\xa4")); /* truncated sequence */
}

static void test_resolve_case(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	char out[4096];
	make_dir(tpath(t, "root/Foo"), 0755);
	make_dir(tpath(t, "root/Foo/BarBaz"), 0755);
	put_file(tpath(t, "root/Foo/BarBaz/file.TXT"), "x");
	make_dir(tpath(t, "root/Ärger"), 0755);
	make_dir(tpath(t, "root/Привет"), 0755);
	put_file(tpath(t, "root/abc"), "lower");
	put_file(tpath(t, "root/ABC"), "upper");

	assert_ok(vfs_resolve_case(r, "foo/barbaz/FILE.txt", out, sizeof(out)));
	assert_string_equal(out, "Foo/BarBaz/file.TXT");
	assert_ok(vfs_resolve_case(r, "Foo/BarBaz/file.TXT", out, sizeof(out)));
	assert_string_equal(out, "Foo/BarBaz/file.TXT");
	assert_ok(vfs_resolve_case(r, "FOO/BARBAZ/NewDir/NewFile", out, sizeof(out)));
	assert_string_equal(out, "Foo/BarBaz/NewDir/NewFile");
	assert_ok(vfs_resolve_case(r, "FOO/barbaz/file.txt/Below", out, sizeof(out)));
	assert_string_equal(out, "Foo/BarBaz/file.TXT/Below");
	assert_ok(vfs_resolve_case(r, "äRGER/x", out, sizeof(out)));
	assert_string_equal(out, "Ärger/x");
	assert_ok(vfs_resolve_case(r, "пРИВЕТ", out, sizeof(out)));
	assert_string_equal(out, "Привет");
	assert_ok(vfs_resolve_case(r, "abc", out, sizeof(out)));
	assert_string_equal(out, "abc"); /* exact match wins */
	assert_ok(vfs_resolve_case(r, "ABC", out, sizeof(out)));
	assert_string_equal(out, "ABC");
	assert_ok(vfs_resolve_case(r, "Abc", out, sizeof(out)));
	assert_true(!strcmp(out, "abc") || !strcmp(out, "ABC"));
	assert_ok(vfs_resolve_case(r, "", out, sizeof(out)));
	assert_string_equal(out, "");
	assert_ok(vfs_resolve_case(r, "missing/Deeper", out, sizeof(out)));
	assert_string_equal(out, "missing/Deeper");
	assert_status(vfs_resolve_case(r, "foo/barbaz", out, 5), STATUS_BUFFER_TOO_SMALL);
	assert_status(vfs_resolve_case(r, "foo/barbaz", out, 0), STATUS_BUFFER_TOO_SMALL);
	assert_ok(vfs_resolve_case(r, "foo/barbaz", out, strlen("Foo/BarBaz") + 1));
	assert_status(vfs_resolve_case(r, "foo//x", out, sizeof(out)), STATUS_OBJECT_NAME_INVALID);
	/* In-share links are names like any other and are traversed. */
	make_link("Foo", tpath(t, "root/LinkToFoo"));
	assert_ok(vfs_resolve_case(r, "linktofoo/BARBAZ/FILE.txt", out, sizeof(out)));
	assert_string_equal(out, "LinkToFoo/BarBaz/file.TXT");
}

/* ---- per-thread credentials ---- */

struct peer {
	pthread_barrier_t b;
	struct vfs_root *r;
	long euid_during, egid_during;
	NTSTATUS create_during;
};

static void *peer_thread(void *arg)
{
	struct peer *p = arg;
	pthread_barrier_wait(&p->b); /* the main thread has switched */
	p->euid_during = syscall(SYS_geteuid);
	p->egid_during = syscall(SYS_getegid);
	int fd = -1;
	p->create_during = vfs_open(p->r, "private/by_peer", O_WRONLY | O_CREAT, 0644, &fd);
	vfs_close(fd);
	pthread_barrier_wait(&p->b);
	return NULL;
}

/* The same lookups through a shared root, whose directory indexes must
 * follow smb3d's own changes and notice other programs' changes. */
static void test_resolve_case_indexed(void **state)
{
	struct tdir *t = *state;
	struct vfs_root_cache *c = vfs_root_cache_new();
	struct vfs_root r;
	char out[4096];
	int fd;
	assert_non_null(c);
	assert_ok(vfs_root_get(c, t->root, &r));
	make_dir(tpath(t, "root/D"), 0755);
	put_file(tpath(t, "root/D/Foo"), "x");
	assert_ok(vfs_resolve_case(&r, "d/foo", out, sizeof(out)));
	assert_string_equal(out, "D/Foo");
	assert_ok(vfs_resolve_case(&r, "D/bar", out, sizeof(out))); /* builds the index of D */
	assert_string_equal(out, "D/bar");
	/* created through vfs: found by the index, which stays valid */
	assert_ok(vfs_open(&r, "D/bar", O_RDWR | O_CREAT | O_EXCL, 0644, &fd));
	vfs_close(fd);
	assert_ok(vfs_resolve_case(&r, "D/BAR", out, sizeof(out)));
	assert_string_equal(out, "D/bar");
	assert_ok(vfs_mkdir(&r, "D/Sub", 0755));
	assert_ok(vfs_resolve_case(&r, "d/SUB/x", out, sizeof(out)));
	assert_string_equal(out, "D/Sub/x");
	/* created by another program: the directory's times changed */
	usleep(20000);
	put_file(tpath(t, "root/D/Other"), "y");
	assert_ok(vfs_resolve_case(&r, "D/OTHER", out, sizeof(out)));
	assert_string_equal(out, "D/Other");
	/* removed or renamed through vfs: not found any more */
	assert_ok(vfs_unlink(&r, "D/Foo", false));
	assert_ok(vfs_resolve_case(&r, "D/FOO", out, sizeof(out)));
	assert_string_equal(out, "D/FOO");
	assert_ok(vfs_rename(&r, "D/bar", "D/Baz", false));
	assert_ok(vfs_resolve_case(&r, "D/BAR", out, sizeof(out)));
	assert_string_equal(out, "D/BAR");
	assert_ok(vfs_resolve_case(&r, "D/baz", out, sizeof(out)));
	assert_string_equal(out, "D/Baz");
	/* removed by another program */
	usleep(20000);
	assert_int_equal(unlink(tpath(t, "root/D/Other")), 0);
	assert_ok(vfs_resolve_case(&r, "D/other", out, sizeof(out)));
	assert_string_equal(out, "D/other");
	vfs_root_close(&r);
	vfs_root_cache_free(c);
}

static void test_become(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	if (geteuid() != 0)
		skip();
	int fd = -1;
	struct vfs_stat st;
	gid_t before[NGROUPS_MAX], after[NGROUPS_MAX];
	int nb = getgroups(NGROUPS_MAX, before);
	assert_int_equal(chmod(t->base, 0755), 0);
	make_dir(tpath(t, "root/private"), 0700);
	make_dir(tpath(t, "root/public"), 0777);
	make_dir(tpath(t, "root/grp"), 0070);
	assert_int_equal(chown(tpath(t, "root/grp"), 0, 4242), 0);
	bool xattrs = user_xattrs_ok(t->base);

	struct peer p = { .r = r };
	pthread_t th;
	pthread_barrier_init(&p.b, NULL, 2);
	assert_int_equal(pthread_create(&th, NULL, peer_thread, &p), 0);

	struct vfs_cred nobody = { .uid = 65534, .gid = 65534 };
	assert_int_equal(vfs_become(&nobody), 0);
	assert_int_equal(syscall(SYS_geteuid), 65534);
	assert_int_equal(syscall(SYS_getegid), 65534);
	assert_int_equal(getgroups(0, NULL), 0);
	pthread_barrier_wait(&p.b);
	pthread_barrier_wait(&p.b); /* the peer checked while we are switched */

	assert_status(vfs_open(r, "private/x", O_WRONLY | O_CREAT, 0644, &fd), STATUS_ACCESS_DENIED);
	assert_status(vfs_mkdir(r, "private/d", 0755), STATUS_ACCESS_DENIED);
	assert_status(vfs_open(r, "grp/x", O_WRONLY | O_CREAT, 0644, &fd), STATUS_ACCESS_DENIED);
	assert_ok(vfs_open(r, "public/y", O_WRONLY | O_CREAT, 0644, &fd));
	assert_ok(vfs_fstat(fd, &st));
	assert_int_equal(st.uid, 65534);
	assert_int_equal(st.gid, 65534);
	vfs_close(fd);
	/* DOS attributes through an O_PATH fd (the /proc/self/fd route) while
	 * switched, on a file we own. */
	assert_ok(vfs_open(r, "public/y", O_PATH, 0, &fd));
	struct vfs_dosinfo d = { .attrs = 0x20, .has_attrs = true }, got;
	assert_ok(vfs_set_dosinfo(fd, &d));
	assert_ok(vfs_get_dosinfo(fd, &got));
	if (xattrs) {
		assert_true(got.has_attrs);
		assert_int_equal(got.attrs, 0x20);
	}
	vfs_close(fd);
	vfs_unbecome();
	pthread_join(th, NULL);
	pthread_barrier_destroy(&p.b);
	assert_int_equal(p.euid_during, 0);
	assert_int_equal(p.egid_during, 0);
	assert_ok(p.create_during);

	assert_int_equal(syscall(SYS_geteuid), 0);
	assert_int_equal(syscall(SYS_getegid), 0);
	assert_int_equal(getgroups(NGROUPS_MAX, after), nb);
	assert_memory_equal(before, after, sizeof(gid_t) * (size_t)nb);
	assert_ok(vfs_open(r, "private/x", O_WRONLY | O_CREAT, 0644, &fd));
	vfs_close(fd);

	/* Supplementary groups count; becoming twice, and refusals. */
	gid_t g = 4242;
	struct vfs_cred member = { .uid = 65534, .gid = 65534, .groups = &g, .n_groups = 1 };
	assert_int_equal(vfs_become(&nobody), 0);
	assert_int_equal(vfs_become(&member), 0);
	assert_int_equal(getgroups(0, NULL), 1);
	assert_ok(vfs_open(r, "grp/x", O_WRONLY | O_CREAT, 0644, &fd));
	vfs_close(fd);
	vfs_unbecome();
	vfs_unbecome(); /* a second one is a no-op */
	assert_int_equal(syscall(SYS_geteuid), 0);
	struct vfs_cred bad = { .uid = (uid_t)-1, .gid = 65534 };
	assert_int_equal(vfs_become(&bad), -EINVAL);
	struct vfs_cred bad2 = { .uid = 65534, .gid = 65534, .groups = NULL, .n_groups = 2 };
	assert_int_equal(vfs_become(&bad2), -EINVAL);
	assert_int_equal(vfs_become(NULL), -EINVAL);
	assert_int_equal(syscall(SYS_geteuid), 0);
	assert_int_equal(syscall(SYS_getegid), 0);
}

/* What CREATE's fast path relies on: vfs_open_stat's stat is the
 * descriptor's, vfs_xattrs_present tells which xattrs to read, and a root
 * on a local file system says so. */
static void test_open_stat_xattrs(void **state)
{
	struct tdir *t = *state;
	struct vfs_root *r = &t->r;
	int fd = -1;
	struct vfs_stat st, st2;
	struct vfs_xattrs_seen seen;
	struct statfs sf;
	assert_int_equal(statfs(t->root, &sf), 0);
	if (sf.f_type == 0xEF53 || sf.f_type == 0x01021994 || sf.f_type == 0x58465342)
		assert_true(r->local); /* ext4, tmpfs, xfs */

	put_file(tpath(t, "root/f"), "abc");
	assert_ok(vfs_open_stat(r, "f", O_RDONLY, 0, &fd, &st));
	assert_true(S_ISREG(st.mode));
	assert_int_equal(st.size, 3);
	assert_int_equal(st.ino, ino_of(tpath(t, "root/f")));
	assert_int_equal(fcntl(fd, F_GETFL) & O_NONBLOCK, 0);
	assert_ok(vfs_fstat(fd, &st2));
	assert_int_equal(st2.ctime.tv_sec, st.ctime.tv_sec);
	assert_int_equal(st2.ctime.tv_nsec, st.ctime.tv_nsec);
	int fd2 = 0;
	assert_status(vfs_open_stat(r, "missing", O_RDONLY, 0, &fd2, &st2), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_int_equal(fd2, -1);
	if (!user_xattrs_ok(t->base)) {
		vfs_close(fd);
		skip();
	}
	assert_true(vfs_xattrs_present(fd, &seen));
	assert_false(seen.ntacl || seen.dosattrib || seen.eas);
	assert_true(vfs_ea_none(fd));
	struct vfs_dosinfo d = { .attrs = 0x20, .has_attrs = true };
	assert_ok(vfs_set_dosinfo(fd, &d));
	assert_true(vfs_xattrs_present(fd, &seen));
	assert_true(seen.dosattrib);
	assert_false(seen.ntacl || seen.eas);
	assert_true(vfs_ea_none(fd)); /* DOSATTRIB is not an EA */
	uint8_t sd[8] = { 1, 0, 4, 0x80 };
	if (NT_OK(vfs_set_ntacl(fd, sd, sizeof(sd)))) {
		assert_true(vfs_xattrs_present(fd, &seen));
		assert_true(seen.ntacl);
	}
	assert_ok(vfs_ea_set(fd, "colour", (const uint8_t *)"red", 3));
	assert_true(vfs_xattrs_present(fd, &seen));
	assert_true(seen.eas && seen.dosattrib);
	assert_false(vfs_ea_none(fd));
	assert_ok(vfs_ea_set(fd, "colour", NULL, 0));
	assert_true(vfs_ea_none(fd));
	vfs_close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_errno_map),
		cmocka_unit_test(test_case_fold),
		cmocka_unit_test_setup_teardown(test_path_syntax, setup, teardown),
		cmocka_unit_test_setup_teardown(test_root_cache, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_create, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mkdir_unlink, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rename, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link, setup, teardown),
		cmocka_unit_test_setup_teardown(test_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_times, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dir_listing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statfs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_case, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_case_indexed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_become, setup, teardown),
		cmocka_unit_test_setup_teardown(test_open_stat_xattrs, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
