/* errno -> NTSTATUS: the one table ([MS-ERREF] 2.3 codes). Choices follow
 * Samba's unix_nt_errmap where it is sensible; the differences are noted.
 * Callers refine context-dependent cases (ENOENT on a parent, ENOTDIR from
 * O_DIRECTORY, EXDEV from rename) before falling back to this table. */
#include <errno.h>

#include "vfs/vfs.h"

static const struct {
	int err;
	NTSTATUS status;
} errmap[] = {
	{ EPERM, STATUS_ACCESS_DENIED },
	{ EACCES, STATUS_ACCESS_DENIED },
	{ ENOENT, STATUS_OBJECT_NAME_NOT_FOUND },
	/* Samba: NOT_A_DIRECTORY. From path resolution ENOTDIR means an
	 * intermediate component is a file, which [MS-FSA] 2.1.5.1 reports as
	 * a path not found; vfs_open reports O_DIRECTORY misses itself. */
	{ ENOTDIR, STATUS_OBJECT_PATH_NOT_FOUND },
	{ EEXIST, STATUS_OBJECT_NAME_COLLISION },
	{ ENOTEMPTY, STATUS_DIRECTORY_NOT_EMPTY },
	{ EISDIR, STATUS_FILE_IS_A_DIRECTORY },
	/* Samba: NOT_SAME_DEVICE. openat2(RESOLVE_BENEATH) says EXDEV for an
	 * escape attempt, which the client must see as a refusal; rename and
	 * link map their own cross-mount EXDEV to NOT_SAME_DEVICE. */
	{ EXDEV, STATUS_ACCESS_DENIED },
	{ ENOSPC, STATUS_DISK_FULL },
	{ EDQUOT, STATUS_DISK_FULL }, /* Windows applications expect this, not QUOTA_EXCEEDED */
	{ EFBIG, STATUS_DISK_FULL },
	{ EMFILE, STATUS_TOO_MANY_OPENED_FILES },
	{ ENFILE, STATUS_TOO_MANY_OPENED_FILES },
	{ ENAMETOOLONG, STATUS_OBJECT_NAME_INVALID },
	/* Too many symlinks, a loop, or a magic link under
	 * RESOLVE_NO_MAGICLINKS: the path cannot be walked (Samba agrees). */
	{ ELOOP, STATUS_OBJECT_PATH_NOT_FOUND },
	{ EROFS, STATUS_MEDIA_WRITE_PROTECTED },
	{ EBADF, STATUS_INVALID_HANDLE },
	{ EINVAL, STATUS_INVALID_PARAMETER },
	{ ENOMEM, STATUS_NO_MEMORY },
	{ ETXTBSY, STATUS_SHARING_VIOLATION },
	/* Not in Samba's table: a busy mount point or device is "in use". */
	{ EBUSY, STATUS_SHARING_VIOLATION },
	{ EIO, STATUS_IO_DEVICE_ERROR },
	{ EMLINK, STATUS_TOO_MANY_LINKS },
	{ ENOSYS, STATUS_NOT_SUPPORTED },
	{ EOPNOTSUPP, STATUS_NOT_SUPPORTED }, /* == ENOTSUP on Linux */
	{ ENODATA, STATUS_NOT_FOUND },        /* a missing xattr (ENOATTR) */
	{ EAGAIN, STATUS_NETWORK_BUSY },      /* == EWOULDBLOCK */
	{ ENOBUFS, STATUS_INSUFFICIENT_RESOURCES },
	{ ETIMEDOUT, STATUS_IO_TIMEOUT },
	{ ECANCELED, STATUS_CANCELLED },
	{ ENODEV, STATUS_NO_SUCH_DEVICE },
	{ ENXIO, STATUS_NO_SUCH_DEVICE },
	/* Not in Samba's table: an NFS handle that went stale. */
	{ ESTALE, STATUS_FILE_INVALID },
	/* Samba: INTEGER_OVERFLOW. Here ERANGE only comes from a buffer (xattr
	 * value, link target) that is too small. */
	{ ERANGE, STATUS_BUFFER_TOO_SMALL },
	{ EOVERFLOW, STATUS_INVALID_PARAMETER },
	{ ESPIPE, STATUS_INVALID_PARAMETER },
};

NTSTATUS vfs_errno_to_status(int err)
{
	for (size_t i = 0; i < sizeof(errmap) / sizeof(errmap[0]); i++)
		if (errmap[i].err == err)
			return errmap[i].status;
	return STATUS_UNSUCCESSFUL;
}
