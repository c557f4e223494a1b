/* DOS attributes and create time in the user.DOSATTRIB xattr (format in
 * dosattrib.c). Acts on fds only, through vfs_xattr_get/set (xattr.c). */
#include <errno.h>
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "base/log.h"
#include "vfs/dosattrib.h"
#include "vfs/vfs_int.h"

#define DOSATTRIB_READ_MAX 256 /* Samba's blobs are under 70 bytes */

static atomic_bool warned_no_xattr;

static void warn_no_xattr(void)
{
	if (!atomic_exchange(&warned_no_xattr, true))
		log_warn("vfs: the file system does not support user xattrs; DOS attributes and create times "
		         "will not be stored");
}

static ssize_t get_blob(int fd, uint8_t *buf, size_t cap)
{
	return vfs_xattr_get(fd, VFS_DOSATTRIB_XATTR, buf, cap);
}

static int set_blob(int fd, const uint8_t *buf, size_t len)
{
	return vfs_xattr_set(fd, VFS_DOSATTRIB_XATTR, buf, len);
}

/* Turns a read result into d; anything but a hard error leaves d empty. */
static NTSTATUS dosinfo_from_blob(ssize_t n, const uint8_t *buf, struct vfs_dosinfo *d)
{
	*d = (struct vfs_dosinfo){0};
	if (n >= 0) {
		if (!NT_OK(vfs_dosattrib_decode(buf, (size_t)n, d, NULL))) {
			log_debug("vfs: ignoring a %zd-byte " VFS_DOSATTRIB_XATTR " that does not decode", n);
			*d = (struct vfs_dosinfo){0};
		}
		return STATUS_SUCCESS;
	}
	switch (-n) {
	case ENODATA:
	case ELOOP:  /* a symlink */
	case ERANGE: /* larger than any valid blob */
		return STATUS_SUCCESS;
	case ENOTSUP:
		warn_no_xattr();
		return STATUS_SUCCESS;
	default:
		return vfs_errno_to_status((int)-n);
	}
}

NTSTATUS vfs_get_dosinfo(int fd, struct vfs_dosinfo *d)
{
	uint8_t buf[DOSATTRIB_READ_MAX];
	return dosinfo_from_blob(get_blob(fd, buf, sizeof(buf)), buf, d);
}

NTSTATUS vfs_get_dosinfo_at(int dirfd, const char *name, struct vfs_dosinfo *d)
{
	uint8_t buf[DOSATTRIB_READ_MAX];
	*d = (struct vfs_dosinfo){0};
	if (!vfs_name_ok(name, false))
		return STATUS_OBJECT_NAME_INVALID;
	/* One syscall per entry for directory listings, relative to the
	 * directory (a final symlink is not followed) */
	ssize_t n = vfs_xattr_get_at(dirfd, name, VFS_DOSATTRIB_XATTR, buf, sizeof(buf));
	if (n == -EPERM)
		n = -ENODATA; /* some file systems say EPERM for user.* on symlinks */
	return dosinfo_from_blob(n, buf, d);
}

NTSTATUS vfs_set_dosinfo(int fd, const struct vfs_dosinfo *d)
{
	uint8_t buf[DOSATTRIB_READ_MAX];
	struct vfs_dosinfo cur;
	ssize_t n = get_blob(fd, buf, sizeof(buf));
	if (n == -ELOOP)
		return STATUS_ACCESS_DENIED; /* a symlink holds no DOS attributes */
	NTSTATUS s = dosinfo_from_blob(n, buf, &cur);
	if (!NT_OK(s)) {
		/* Unreadable (e.g. write-only access): fine if nothing is kept. */
		if (!d->has_attrs || !d->has_create_time)
			return s;
		cur = (struct vfs_dosinfo){ 0 };
	}
	if (n == -ENOTSUP)
		return STATUS_SUCCESS; /* warned once by dosinfo_from_blob */
	if (d->has_attrs) {
		cur.attrs = d->attrs;
		cur.has_attrs = true;
	}
	if (d->has_create_time) {
		cur.create_time = d->create_time;
		cur.has_create_time = true;
	}
	if (d->has_change_time) {
		cur.change_time = d->change_time;
		cur.change_mark = d->change_mark;
		cur.has_change_time = true;
	}
	size_t len = vfs_dosattrib_encode(&cur, buf, sizeof(buf));
	int rc = set_blob(fd, buf, len);
	if (rc == 0)
		return STATUS_SUCCESS;
	if (rc == -ENOTSUP) {
		warn_no_xattr();
		return STATUS_SUCCESS;
	}
	if (rc == -ELOOP)
		return STATUS_ACCESS_DENIED;
	return vfs_errno_to_status(-rc);
}
