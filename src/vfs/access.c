/* Permission checks the NT semantics need before acting: may the calling
 * thread's effective identity delete (or rename away) a name? That is write
 * and search permission on the parent directory, and with the sticky bit,
 * ownership of the file or the directory. Uses faccessat2(AT_EACCESS), which
 * honours the per-thread credentials set by vfs_become(). */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "vfs/vfs.h"
#include "vfs/vfs_int.h"

#ifndef SYS_faccessat2
#define SYS_faccessat2 439
#endif

NTSTATUS vfs_may_delete(const struct vfs_root *r, const char *path)
{
	if (!path[0])
		return STATUS_ACCESS_DENIED; /* the share root itself */
	int pfd;
	char name[NAME_MAX + 1];
	NTSTATUS st = vfs_open_parent(r, path, &pfd, name);
	if (!NT_OK(st))
		return st;
	if (syscall(SYS_faccessat2, pfd, "", W_OK | X_OK, AT_EACCESS | AT_EMPTY_PATH) != 0) {
		st = errno == EACCES || errno == EPERM || errno == EROFS ? STATUS_ACCESS_DENIED
									 : vfs_errno_to_status(errno);
		close(pfd);
		return st;
	}
	struct stat dst, fst;
	if (fstat(pfd, &dst) == 0 && (dst.st_mode & S_ISVTX)) {
		uid_t me = (uid_t)syscall(SYS_geteuid);
		if (me != 0 && dst.st_uid != me &&
		    (fstatat(pfd, name, &fst, AT_SYMLINK_NOFOLLOW) != 0 || fst.st_uid != me))
			st = STATUS_ACCESS_DENIED;
	}
	close(pfd);
	return st;
}
