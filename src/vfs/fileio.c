/* I/O and metadata on open fds: pread/pwrite loops, fsync, truncate,
 * allocation reservation, timestamps, symlink targets and statfs. No path
 * resolution here: every call acts on an fd that vfs_open produced. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/uio.h>
#include <unistd.h>

#include "vfs/vfs_int.h"

NTSTATUS vfs_pread(int fd, void *buf, size_t n, uint64_t off, size_t *done)
{
	size_t got = 0;
	*done = 0;
	if (off > INT64_MAX || n > INT64_MAX - off)
		return STATUS_INVALID_PARAMETER;
	while (got < n) {
		ssize_t k = pread(fd, (char *)buf + got, n - got, (off_t)(off + got));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			*done = got;
			return vfs_errno_to_status(errno);
		}
		if (k == 0)
			break; /* EOF */
		got += (size_t)k;
	}
	*done = got;
	return STATUS_SUCCESS;
}

NTSTATUS vfs_pread_cached(int fd, void *buf, size_t n, uint64_t off, size_t *done, bool *eof)
{
	size_t got = 0;
	*done = 0;
	*eof = false;
	if (off > INT64_MAX || n > INT64_MAX - off)
		return STATUS_INVALID_PARAMETER;
	while (got < n) {
		struct iovec v = { (char *)buf + got, n - got };
		ssize_t k = preadv2(fd, &v, 1, (off_t)(off + got), RWF_NOWAIT);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			break; /* EAGAIN: not cached; EOPNOTSUPP: cannot tell */
		}
		if (k == 0) {
			*eof = true; /* (not cached is EAGAIN, never 0) */
			break;
		}
		got += (size_t)k;
	}
	*done = got;
	return STATUS_SUCCESS;
}

NTSTATUS vfs_splice_to_pipe(int fd, uint64_t off, size_t n, int pipe_w, size_t *done)
{
	loff_t pos = (loff_t)off;
	size_t got = 0;
	*done = 0;
	if (off > INT64_MAX || n > INT64_MAX - off)
		return STATUS_INVALID_PARAMETER;
	while (got < n) {
		ssize_t k = splice(fd, &pos, pipe_w, NULL, n - got, SPLICE_F_MOVE);
		if (k < 0) {
			if (errno == EINTR)
				continue;
			*done = got;
			/* a file system that cannot splice: the caller copies instead */
			if (errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)
				return STATUS_NOT_SUPPORTED;
			return vfs_errno_to_status(errno);
		}
		if (k == 0)
			break; /* EOF */
		got += (size_t)k;
	}
	*done = got;
	return STATUS_SUCCESS;
}

NTSTATUS vfs_pwrite(int fd, const void *buf, size_t n, uint64_t off, size_t *done)
{
	size_t put = 0;
	*done = 0;
	if (off > INT64_MAX || n > INT64_MAX - off)
		return STATUS_INVALID_PARAMETER;
	while (put < n) {
		ssize_t k = pwrite(fd, (const char *)buf + put, n - put, (off_t)(off + put));
		if (k < 0) {
			if (errno == EINTR)
				continue;
			*done = put;
			return vfs_errno_to_status(errno);
		}
		if (k == 0) { /* no progress and no error: treat as full */
			*done = put;
			return STATUS_DISK_FULL;
		}
		put += (size_t)k;
	}
	*done = put;
	return STATUS_SUCCESS;
}

NTSTATUS vfs_fsync(int fd, bool data_only)
{
	if ((data_only ? fdatasync(fd) : fsync(fd)) < 0)
		return vfs_errno_to_status(errno);
	return STATUS_SUCCESS;
}

NTSTATUS vfs_ftruncate(int fd, uint64_t size)
{
	if (size > INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	while (ftruncate(fd, (off_t)size) < 0) {
		if (errno != EINTR)
			return vfs_errno_to_status(errno);
	}
	return STATUS_SUCCESS;
}

NTSTATUS vfs_release_beyond(int fd, uint64_t size)
{
	if (size > INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	/* blocks reserved past EOF (KEEP_SIZE) go with a hole punched there */
	while (fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, (off_t)size, INT64_MAX - (off_t)size) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EOPNOTSUPP || errno == ENOSYS)
			return STATUS_SUCCESS;
		return vfs_errno_to_status(errno);
	}
	return STATUS_SUCCESS;
}

NTSTATUS vfs_fallocate(int fd, uint64_t size)
{
	if (size > INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	if (size == 0)
		return STATUS_SUCCESS; /* nothing to reserve; allocation never shrinks here */
	while (fallocate(fd, FALLOC_FL_KEEP_SIZE, 0, (off_t)size) < 0) {
		if (errno == EINTR)
			continue;
		if (errno == EOPNOTSUPP || errno == ENOSYS)
			return STATUS_SUCCESS; /* the file system cannot reserve: not an error */
		return vfs_errno_to_status(errno);
	}
	return STATUS_SUCCESS;
}

NTSTATUS vfs_set_times(int fd, const struct timespec *atime, const struct timespec *mtime)
{
	struct timespec ts[2];
	if (!atime && !mtime)
		return STATUS_SUCCESS;
	ts[0] = atime ? *atime : (struct timespec){ .tv_nsec = UTIME_OMIT };
	ts[1] = mtime ? *mtime : (struct timespec){ .tv_nsec = UTIME_OMIT };
	/* AT_EMPTY_PATH acts on the fd's own object, O_PATH fds included (Linux
	 * 5.8+); no path is resolved and a symlink fd is not followed. */
	if (utimensat(fd, "", ts, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) == 0)
		return STATUS_SUCCESS;
	if (errno == EINVAL && futimens(fd, ts) == 0) /* older kernels, non-O_PATH fds */
		return STATUS_SUCCESS;
	return vfs_errno_to_status(errno);
}

NTSTATUS vfs_readlink(int fd, char *buf, size_t cap, size_t *len)
{
	struct stat st;
	*len = 0;
	if (cap == 0)
		return STATUS_BUFFER_TOO_SMALL;
	if (fstat(fd, &st) < 0)
		return vfs_errno_to_status(errno);
	if (!S_ISLNK(st.st_mode))
		return STATUS_NOT_A_REPARSE_POINT;
	ssize_t n = readlinkat(fd, "", buf, cap);
	if (n < 0)
		return vfs_errno_to_status(errno);
	if ((size_t)n >= cap)
		return STATUS_BUFFER_TOO_SMALL;
	buf[n] = '\0';
	*len = (size_t)n;
	return STATUS_SUCCESS;
}

static const struct {
	uint32_t magic;
	const char *name;
} fs_names[] = {
	{ 0xEF53, "ext4" }, /* ext2/3/4 share the magic */
	{ 0x58465342, "xfs" },
	{ 0x9123683E, "btrfs" },
	{ 0x01021994, "tmpfs" },
	{ 0x858458F6, "ramfs" },
	{ 0x2FC12FC1, "zfs" },
	{ 0xF2F52010, "f2fs" },
	{ 0x794C7630, "overlay" },
	{ 0x6969, "nfs" },
	{ 0xFF534D42, "cifs" },
	{ 0xFE534D42, "smb2" },
	{ 0x65735546, "fuse" },
	{ 0x00C36400, "ceph" },
	{ 0x4D44, "vfat" },
	{ 0x2011BAB0, "exfat" },
	{ 0x5346544E, "ntfs" },
	{ 0x47504653, "gpfs" },
	{ 0x0BD00BD0, "lustre" },
};

static uint64_t mul_sat(uint64_t a, uint64_t b)
{
	uint64_t r;
	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

NTSTATUS vfs_statfs(int fd, struct vfs_fsinfo *fi)
{
	struct statfs sf;
	memset(fi, 0, sizeof(*fi));
	if (fstatfs(fd, &sf) < 0)
		return vfs_errno_to_status(errno);
	uint64_t frag = sf.f_frsize ? (uint64_t)sf.f_frsize : (uint64_t)sf.f_bsize;
	fi->total_bytes = mul_sat(sf.f_blocks, frag);
	fi->free_bytes = mul_sat(sf.f_bfree, frag);
	fi->avail_bytes = mul_sat(sf.f_bavail, frag);
	fi->block_size = frag > UINT32_MAX ? UINT32_MAX : (uint32_t)frag;
	fi->max_name = sf.f_namelen > 0 ? (uint32_t)sf.f_namelen : NAME_MAX;
	uint32_t id0, id1;
	memcpy(&id0, &sf.f_fsid.__val[0], sizeof(id0));
	memcpy(&id1, &sf.f_fsid.__val[1], sizeof(id1));
	fi->fs_id = (uint64_t)id0 | (uint64_t)id1 << 32;
	uint32_t magic = (uint32_t)sf.f_type;
	for (size_t i = 0; i < sizeof(fs_names) / sizeof(fs_names[0]); i++) {
		if (fs_names[i].magic == magic) {
			snprintf(fi->fs_type, sizeof(fi->fs_type), "%s", fs_names[i].name);
			return STATUS_SUCCESS;
		}
	}
	snprintf(fi->fs_type, sizeof(fi->fs_type), "0x%x", (unsigned)magic);
	return STATUS_SUCCESS;
}
