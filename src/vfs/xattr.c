/* Extended attributes of an fd's own object (see vfs_int.h): the f*xattr
 * calls, and for O_PATH fds (which those refuse with EBADF) the fd's
 * /proc/self/fd entry, a path built from a number, never from a client
 * name. Shared by DOS attributes, stored descriptors and EAs. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vfs/vfs_int.h"

/* After an f*xattr call failed: for an O_PATH fd, the path of its
 * /proc/self/fd entry (0), else -errno of that failure. A symlink is
 * refused with -ELOOP (user xattrs cannot live on one anyway, and the entry
 * must never lead anywhere but the fd's own object). */
static int opath_entry(int fd, int err, char *buf, size_t cap)
{
	if (err != EBADF) /* e.g. ENODATA: no need to look at the fd */
		return -err;
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || !(fl & O_PATH))
		return -err;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -ELOOP;
	snprintf(buf, cap, "/proc/self/fd/%d", fd);
	return 0;
}

/* getxattrat(2) (Linux 6.13): the xattr of a name relative to a directory
 * fd, without the walk through /proc/self/fd/N/ that costs three times as
 * much (4.0 against 1.3 us per call, measured here). Older headers do not
 * name it; its number, 464, is the same on every architecture but alpha. */
#if !defined(__NR_getxattrat) && !defined(__alpha__)
#define __NR_getxattrat 464
#endif
struct xattr_args_v0 {
	uint64_t value;
	uint32_t size;
	uint32_t flags;
};

static long getxattrat_call(int dirfd, const char *name, const char *attr, uint8_t *buf, size_t cap)
{
#ifdef __NR_getxattrat
	struct xattr_args_v0 a = { .value = (uint64_t)(uintptr_t)buf, .size = (uint32_t)cap };
	return syscall(__NR_getxattrat, dirfd, name, AT_SYMLINK_NOFOLLOW, attr, &a, sizeof(a));
#else
	errno = ENOSYS;
	return -1;
#endif
}

/* 1 when getxattrat works, -1 when not (an older kernel, or a sandbox that
 * refuses the call with EPERM), 0 before the first use: then one call on
 * "." for an attribute nobody sets tells, which must answer ENODATA (or
 * ENOTSUP on a file system without user xattrs). */
static atomic_int getxattrat_ok;

void vfs_xattr_at_force_proc(bool on)
{
	atomic_store(&getxattrat_ok, on ? -1 : 0);
}

static bool use_getxattrat(int dirfd)
{
	int ok = atomic_load_explicit(&getxattrat_ok, memory_order_relaxed);
	if (ok == 0) {
		uint8_t b[1];
		long n = getxattrat_call(dirfd, ".", "user.smb3d.probe", b, sizeof(b));
		ok = n < 0 && (errno == ENODATA || errno == ENOTSUP) ? 1 : -1;
		atomic_store_explicit(&getxattrat_ok, ok, memory_order_relaxed);
	}
	return ok > 0;
}

ssize_t vfs_xattr_get_at(int dirfd, const char *name, const char *attr, uint8_t *buf, size_t cap)
{
	if (use_getxattrat(dirfd)) {
		long n = getxattrat_call(dirfd, name, attr, buf, cap);
		return n >= 0 ? n : -errno;
	}
	/* the directory's /proc/self/fd entry plus the one checked component;
	 * lgetxattr, so a final symlink is never followed */
	char path[64 + NAME_MAX + 1];
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", dirfd, name);
	ssize_t n = lgetxattr(path, attr, buf, cap);
	return n >= 0 ? n : -errno;
}

ssize_t vfs_xattr_get(int fd, const char *name, uint8_t *buf, size_t cap)
{
	char path[64];
	ssize_t n = fgetxattr(fd, name, buf, cap);
	if (n >= 0)
		return n;
	int rc = opath_entry(fd, errno, path, sizeof(path));
	if (rc < 0)
		return rc;
	n = getxattr(path, name, buf, cap);
	return n >= 0 ? n : -errno;
}

int vfs_xattr_set(int fd, const char *name, const uint8_t *buf, size_t len)
{
	char path[64];
	if (fsetxattr(fd, name, buf, len, 0) == 0)
		return 0;
	int rc = opath_entry(fd, errno, path, sizeof(path));
	if (rc < 0)
		return rc;
	return setxattr(path, name, buf, len, 0) == 0 ? 0 : -errno;
}

int vfs_xattr_remove(int fd, const char *name)
{
	char path[64];
	if (fremovexattr(fd, name) == 0)
		return 0;
	int rc = opath_entry(fd, errno, path, sizeof(path));
	if (rc < 0)
		return rc;
	return removexattr(path, name) == 0 ? 0 : -errno;
}

ssize_t vfs_xattr_list(int fd, char *buf, size_t cap)
{
	char path[64];
	ssize_t n = flistxattr(fd, buf, cap);
	if (n >= 0)
		return n;
	int rc = opath_entry(fd, errno, path, sizeof(path));
	if (rc < 0)
		return rc;
	n = listxattr(path, buf, cap);
	return n >= 0 ? n : -errno;
}
