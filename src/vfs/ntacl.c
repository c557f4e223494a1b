/* Stored NT security descriptors: the user.smb3d.ntacl xattr holds a small
 * header ("S3SD", version, the owner/group/mode the file had when stored)
 * and the self-relative descriptor, which this layer does not interpret. */
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <string.h>
#include <sys/stat.h>

#include "base/rdwr.h"
#include "vfs/vfs_int.h"

#define NTACL_XATTR "user.smb3d.ntacl"
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

NTSTATUS vfs_get_ntacl(int fd, uint8_t *buf, size_t cap, size_t *len)
{
	*len = 0;
	static __thread uint8_t raw[NTACL_HDR + VFS_NTACL_MAX];
	ssize_t n = vfs_xattr_get(fd, NTACL_XATTR, raw, sizeof(raw));
	if (n < 0) {
		if (n == -ENODATA || n == -ENOTSUP || n == -EOPNOTSUPP || n == -ELOOP || n == -EPERM)
			return STATUS_SUCCESS;
		if (n == -E2BIG || n == -ERANGE)
			return STATUS_SUCCESS; /* not ours: ignore */
		return vfs_errno_to_status((int)-n);
	}
	struct stat st;
	if (fstat(fd, &st) < 0)
		return vfs_errno_to_status(errno);
	uint8_t want[NTACL_HDR];
	meta_of(&st, want);
	if ((size_t)n <= NTACL_HDR || memcmp(raw, want, NTACL_HDR))
		return STATUS_SUCCESS; /* changed outside smb3d, or not ours */
	size_t sd_len = (size_t)n - NTACL_HDR;
	if (sd_len > cap)
		return STATUS_SUCCESS;
	memcpy(buf, raw + NTACL_HDR, sd_len);
	*len = sd_len;
	return STATUS_SUCCESS;
}

NTSTATUS vfs_set_ntacl(int fd, const uint8_t *sd, size_t len)
{
	if (len == 0 || len > VFS_NTACL_MAX)
		return STATUS_INVALID_PARAMETER;
	struct stat st;
	if (fstat(fd, &st) < 0)
		return vfs_errno_to_status(errno);
	static __thread uint8_t raw[NTACL_HDR + VFS_NTACL_MAX];
	meta_of(&st, raw);
	memcpy(raw + NTACL_HDR, sd, len);
	int rc = vfs_xattr_set(fd, NTACL_XATTR, raw, NTACL_HDR + len);
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
