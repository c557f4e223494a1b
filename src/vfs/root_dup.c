/* A second, independently owned handle on a share root (an open keeps one so
 * that it outlives the tree connect it came from). */
#include <fcntl.h>
#include <errno.h>

#include "vfs/vfs.h"

NTSTATUS vfs_root_dup(const struct vfs_root *r, struct vfs_root *out)
{
	int fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		out->fd = -1;
		return vfs_errno_to_status(errno);
	}
	*out = *r;
	out->fd = fd;
	return STATUS_SUCCESS;
}
