/* Stored NT security descriptors: the user.smb3d.ntacl xattr holds a small
 * header ("S3SD", version, the owner/group/mode the file had when stored)
 * and the self-relative descriptor, which this layer does not interpret. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#include "base/rdwr.h"
#include "vfs/vfs_int.h"

#define NTACL_XATTR VFS_NTACL_XATTR
#define NTACL_HDR 20

static void meta_of(const struct stat *st, uint8_t hdr[NTACL_HDR])
{
	struct wr w = wr_init(hdr, NTACL_HDR);
	wr_u8(&w, 'S');
	wr_u8(&w, '3');
	wr_u8(&w, 'S');
	wr_u8(&w, 'D');
	wr_u32(&w, 1); /* version */
	wr_u32(&w, (uint32_t)st->st_uid);
	wr_u32(&w, (uint32_t)st->st_gid);
	wr_u32(&w, (uint32_t)(st->st_mode & 07777));
}

/* Most descriptors are a few hundred bytes: read into a stack buffer of this
 * size first (getxattr makes the kernel allocate and zero as many bytes as
 * the buffer offered, so offering 64 KiB every time costs), and only a larger
 * one into a heap buffer of the maximum size. No per-thread buffers: static
 * TLS is zeroed page by page whenever a thread starts. */
#define NTACL_PROBE 2048

NTSTATUS vfs_get_ntacl(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	*len = 0;
	uint8_t probe[NTACL_HDR + NTACL_PROBE];
	uint8_t *raw = probe, *big = NULL;
	NTSTATUS st = STATUS_SUCCESS;
	ssize_t n = vfs_xattr_get(fd, NTACL_XATTR, probe, sizeof(probe));
	if (n == -ERANGE) {
		if (!(big = malloc(NTACL_HDR + VFS_NTACL_MAX)))
			return STATUS_NO_MEMORY;
		raw = big;
		n = vfs_xattr_get(fd, NTACL_XATTR, big, NTACL_HDR + VFS_NTACL_MAX);
	}
	if (n < 0) {
		if (n == -ENODATA || n == -ENOTSUP || n == -EOPNOTSUPP || n == -ELOOP || n == -EPERM)
			goto out;
		if (n == -E2BIG || n == -ERANGE)
			goto out; /* not ours: ignore */
		st = vfs_errno_to_status((int)-n);
		goto out;
	}
	struct stat sb;
	if (fstat(fd, &sb) < 0) {
		st = vfs_errno_to_status(errno);
		goto out;
	}
	uint8_t want[NTACL_HDR];
	meta_of(&sb, want);
	if ((size_t)n <= NTACL_HDR || memcmp(raw, want, NTACL_HDR))
		goto out; /* changed outside smb3d, or not ours */
	size_t sd_len = (size_t)n - NTACL_HDR;
	if (sd_len > cap)
		goto out;
	memcpy(buf, raw + NTACL_HDR, sd_len);
	*len = sd_len;
out:
	free(big);
	return st;
}

NTSTATUS vfs_set_ntacl(int fd, const uint8_t *sd, size_t len)
{
	if (len == 0 || len > VFS_NTACL_MAX)
		return STATUS_INVALID_PARAMETER;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return vfs_errno_to_status(errno);
	uint8_t probe[NTACL_HDR + NTACL_PROBE];
	uint8_t *raw = len <= NTACL_PROBE ? probe : malloc(NTACL_HDR + len);
	if (!raw)
		return STATUS_NO_MEMORY;
	meta_of(&st, raw);
	memcpy(raw + NTACL_HDR, sd, len);
	int rc = vfs_xattr_set(fd, NTACL_XATTR, raw, NTACL_HDR + len);
	if (raw != probe)
		free(raw);
	if (rc == 0)
		return STATUS_SUCCESS;
	if (rc == -ENOTSUP || rc == -EOPNOTSUPP)
		return STATUS_NOT_SUPPORTED; /* the file system keeps no xattrs */
	if (rc == -ELOOP)
		return STATUS_ACCESS_DENIED;
	return vfs_errno_to_status(-rc);
}

NTSTATUS vfs_get_ntacl_at(int dirfd, const char *name, uint8_t *buf, size_t cap, size_t *len)
{
	*len = 0;
	if (!vfs_name_ok(name, false))
		return STATUS_OBJECT_NAME_INVALID;
	/* O_PATH|O_NOFOLLOW: a final symlink is looked at, never followed */
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return vfs_errno_to_status(errno);
	NTSTATUS st = vfs_get_ntacl(fd, buf, cap, len);
	close(fd);
	return st;
}
