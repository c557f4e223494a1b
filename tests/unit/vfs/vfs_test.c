/* Helpers for the VFS unit tests (see vfs_test.h): temp share roots under
 * /tmp and direct-syscall fixture builders, independent of the code under
 * test. */
#include "vfs_test.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

void tdir_setup(struct tdir *t)
{
	snprintf(t->base, sizeof(t->base), "/tmp/smb3d-vfs-XXXXXX");
	assert_non_null(mkdtemp(t->base));
	snprintf(t->root, sizeof(t->root), "%s/root", t->base);
	assert_int_equal(mkdir(t->root, 0755), 0);
	assert_ok(vfs_root_open(t->root, &t->r));
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		rmdir(path);
	else
		unlink(path);
	return 0;
}

void tdir_teardown(struct tdir *t)
{
	vfs_root_close(&t->r);
	/* Make everything removable first (tests create 0000/0700 dirs). */
	chmod(t->base, 0700);
	nftw(t->base, rm_one, 32, FTW_DEPTH | FTW_PHYS);
}

const char *tpath(const struct tdir *t, const char *fmt, ...)
{
	static __thread char bufs[8][4096 + 256];
	static __thread int next;
	char *b = bufs[next++ & 7];
	char rel[4096];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	snprintf(b, sizeof(bufs[0]), "%s/%s", t->base, rel);
	return b;
}

void put_file(const char *path, const char *content)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);
	assert_true(fd >= 0);
	size_t n = strlen(content);
	assert_int_equal(write(fd, content, n), (ssize_t)n);
	close(fd);
}

char *get_file(const char *path, char *buf, size_t cap)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return NULL;
	ssize_t n = read(fd, buf, cap - 1);
	close(fd);
	if (n < 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

bool exists_nofollow(const char *path)
{
	struct stat st;
	return lstat(path, &st) == 0;
}

void make_link(const char *target, const char *linkpath)
{
	assert_int_equal(symlink(target, linkpath), 0);
}

void make_dir(const char *path, unsigned mode)
{
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(chmod(path, mode), 0);
}

void set_mtime(const char *path, long sec)
{
	struct timespec ts[2] = { { .tv_sec = sec }, { .tv_sec = sec } };
	assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

long get_mtime(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return -1;
	return (long)st.st_mtime;
}

uint64_t ino_of(const char *path)
{
	struct stat st;
	if (lstat(path, &st) < 0)
		return 0;
	return st.st_ino;
}

bool user_xattrs_ok(const char *dir)
{
	char p[4096];
	snprintf(p, sizeof(p), "%s/.xattr-probe", dir);
	int fd = open(p, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return false;
	bool ok = fsetxattr(fd, "user.smb3d-probe", "1", 1, 0) == 0;
	close(fd);
	unlink(p);
	return ok;
}
