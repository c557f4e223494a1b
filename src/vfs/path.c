/* Path resolution confined to a share root: the openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) wrapper, path syntax checks, share roots, and the
 * path operations (open, mkdir, stat, unlink, rename, link). See vfs.h for
 * the confinement rules; this is the only file that resolves client paths. */
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "vfs/vfs_int.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

/* The EAGAIN retries RESOLVE_BENEATH may ask for under concurrent renames. */
#define OPENAT2_TRIES 64

#define OPEN_FLAGS_OK                                                                                                  \
	(O_ACCMODE | O_PATH | O_CREAT | O_EXCL | O_TRUNC | O_DIRECTORY | O_NOFOLLOW | O_NONBLOCK | O_APPEND | O_SYNC | \
	 O_DSYNC | O_NOATIME | O_CLOEXEC)

int vfs_openat2(int dirfd, const char *path, int flags, mode_t mode)
{
	struct open_how how = {
		.flags = (uint64_t)(unsigned)(flags | O_CLOEXEC),
		.mode = (flags & O_CREAT) ? (mode & 07777) : 0,
		.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
	};
	for (int i = 0; i < OPENAT2_TRIES; i++) {
		long fd = syscall(SYS_openat2, dirfd, path, &how, sizeof(how));
		if (fd >= 0)
			return (int)fd;
		if (errno != EINTR && errno != EAGAIN)
			return -errno;
	}
	return -EAGAIN;
}

bool vfs_name_ok(const char *name, bool dots_ok)
{
	size_t n = strnlen(name, NAME_MAX + 1);
	if (n == 0 || n > NAME_MAX || memchr(name, '/', n))
		return false;
	if (!dots_ok && (!strcmp(name, ".") || !strcmp(name, "..")))
		return false;
	return true;
}

NTSTATUS vfs_path_check(const char *path, bool need_final)
{
	if (!path)
		return STATUS_INVALID_PARAMETER;
	size_t len = strnlen(path, PATH_MAX);
	if (len >= PATH_MAX)
		return STATUS_OBJECT_NAME_INVALID;
	if (len == 0)
		return need_final ? STATUS_OBJECT_NAME_INVALID : STATUS_SUCCESS;
	const char *p = path;
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		if (n == 0 || n > NAME_MAX) /* leading, trailing or double '/' */
			return STATUS_OBJECT_NAME_INVALID;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return STATUS_OBJECT_NAME_INVALID;
		if (!slash)
			return STATUS_SUCCESS;
		p = slash + 1;
	}
}

/* "." for the root itself: openat2 refuses an empty path. */
static const char *rel(const char *path)
{
	return path[0] ? path : ".";
}

NTSTATUS vfs_open_parent(const struct vfs_root *r, const char *path, int *pfd, char name[NAME_MAX + 1])
{
	char parent[PATH_MAX];
	const char *slash = strrchr(path, '/');
	*pfd = -1;
	if (slash) {
		size_t n = (size_t)(slash - path);
		memcpy(parent, path, n);
		parent[n] = '\0';
		snprintf(name, NAME_MAX + 1, "%s", slash + 1);
	} else {
		snprintf(parent, sizeof(parent), ".");
		snprintf(name, NAME_MAX + 1, "%s", path);
	}
	int fd = vfs_openat2(r->fd, parent, O_PATH | O_DIRECTORY, 0);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ENOTDIR)
			return STATUS_OBJECT_PATH_NOT_FOUND;
		return vfs_errno_to_status(-fd);
	}
	*pfd = fd;
	return STATUS_SUCCESS;
}

NTSTATUS vfs_path_status(const struct vfs_root *r, const char *path, int err)
{
	if (err == ENOENT && strchr(path, '/')) {
		int pfd;
		char name[NAME_MAX + 1];
		NTSTATUS s = vfs_open_parent(r, path, &pfd, name);
		if (!NT_OK(s))
			return STATUS_OBJECT_PATH_NOT_FOUND;
		close(pfd);
	}
	return vfs_errno_to_status(err);
}

void vfs_stat_from_statx(const struct statx *sx, struct vfs_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->dev = makedev(sx->stx_dev_major, sx->stx_dev_minor);
	st->ino = sx->stx_ino;
	st->size = sx->stx_size;
	st->alloc = sx->stx_blocks * 512;
	st->nlink = sx->stx_nlink;
	st->mode = sx->stx_mode;
	st->uid = sx->stx_uid;
	st->gid = sx->stx_gid;
	st->atime = (struct timespec){ .tv_sec = sx->stx_atime.tv_sec, .tv_nsec = sx->stx_atime.tv_nsec };
	st->mtime = (struct timespec){ .tv_sec = sx->stx_mtime.tv_sec, .tv_nsec = sx->stx_mtime.tv_nsec };
	st->ctime = (struct timespec){ .tv_sec = sx->stx_ctime.tv_sec, .tv_nsec = sx->stx_ctime.tv_nsec };
	if (sx->stx_mask & STATX_BTIME) {
		st->btime = (struct timespec){ .tv_sec = sx->stx_btime.tv_sec, .tv_nsec = sx->stx_btime.tv_nsec };
		st->has_btime = true;
	}
}

NTSTATUS vfs_root_open(const char *abs_path, struct vfs_root *r)
{
	struct stat st;
	r->fd = -1;
	r->shared = NULL;
	if (!abs_path || abs_path[0] != '/')
		return STATUS_INVALID_PARAMETER;
	int fd = open(abs_path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return vfs_errno_to_status(errno);
	if (fstat(fd, &st) < 0) {
		NTSTATUS s = vfs_errno_to_status(errno);
		close(fd);
		return s;
	}
	r->fd = fd;
	r->dev = st.st_dev;
	r->ino = st.st_ino;
	r->local = false;
	struct statfs sf;
	if (fstatfs(fd, &sf) == 0)
		switch ((unsigned long)sf.f_type) {
		case 0xEF53:	 /* ext2/3/4 */
		case 0x58465342: /* xfs */
		case 0x9123683E: /* btrfs */
		case 0x01021994: /* tmpfs */
		case 0xF2F52010: /* f2fs */
			r->local = true;
			break;
		default:
			break;
		}
	return STATUS_SUCCESS;
}

void vfs_close(int fd)
{
	if (fd >= 0)
		close(fd);
}

void vfs_clear_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl >= 0 && (fl & O_NONBLOCK))
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
}

/* Why an open failed, when errno alone says too little. */
static NTSTATUS open_failure(const struct vfs_root *r, const char *path, int flags, int err)
{
	int fd;
	struct stat st;
	if (err == ENOTDIR && (flags & O_DIRECTORY)) {
		/* Is the final component there and simply not a directory? */
		fd = vfs_openat2(r->fd, rel(path), O_PATH | (flags & O_NOFOLLOW), 0);
		if (fd >= 0) {
			close(fd);
			return STATUS_NOT_A_DIRECTORY;
		}
	}
	if (err == ELOOP && (flags & O_NOFOLLOW) && !(flags & O_PATH)) {
		fd = vfs_openat2(r->fd, rel(path), O_PATH | O_NOFOLLOW, 0);
		if (fd >= 0) {
			bool lnk = fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
			close(fd);
			if (lnk)
				return STATUS_STOPPED_ON_SYMLINK;
		}
	}
	if (err == ENXIO)
		return STATUS_ACCESS_DENIED; /* a FIFO without reader, a socket */
	return vfs_path_status(r, path, err);
}

NTSTATUS vfs_open(const struct vfs_root *r, const char *path, int flags, mode_t mode, int *fdp)
{
	return vfs_open_stat(r, path, flags, mode, fdp, NULL);
}

NTSTATUS vfs_open_stat(const struct vfs_root *r, const char *path, int flags, mode_t mode, int *fdp,
		       struct vfs_stat *vst)
{
	struct stat st;
	*fdp = -1;
	NTSTATUS s = vfs_path_check(path, false);
	if (!NT_OK(s))
		return s;
	if (flags & ~OPEN_FLAGS_OK)
		return STATUS_INVALID_PARAMETER;
	if ((flags & O_ACCMODE) == O_ACCMODE || ((flags & O_PATH) && (flags & (O_CREAT | O_TRUNC | O_ACCMODE))))
		return STATUS_INVALID_PARAMETER;
	bool path_only = flags & O_PATH;
	int fd = vfs_openat2(r->fd, rel(path), path_only ? flags : flags | O_NONBLOCK, mode);
	if (fd < 0)
		return open_failure(r, path, flags, -fd);
	if (!path_only) {
		/* Only files and directories are served: a FIFO or device in the
		 * share was opened non-blocking and is refused here. */
		if (vst) {
			s = vfs_fstat(fd, vst);
			st.st_mode = vst->mode;
		} else {
			s = fstat(fd, &st) < 0 ? vfs_errno_to_status(errno) : STATUS_SUCCESS;
		}
		if (!NT_OK(s)) {
			close(fd);
			return s;
		}
		if (!S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
			close(fd);
			return STATUS_ACCESS_DENIED;
		}
		/* opened O_NONBLOCK here: set the status flags asked for (F_SETFL
		 * changes only O_APPEND, O_NOATIME and O_NONBLOCK of them) */
		if (!(flags & O_NONBLOCK))
			(void)fcntl(fd, F_SETFL, flags & (O_APPEND | O_NOATIME));
	}
	if (flags & O_CREAT)
		vfs_ci_note_path(r, path, true); /* it exists now, created or not */
	*fdp = fd;
	return STATUS_SUCCESS;
}

NTSTATUS vfs_mkdir(const struct vfs_root *r, const char *path, mode_t mode)
{
	int pfd;
	char name[NAME_MAX + 1];
	NTSTATUS s = vfs_path_check(path, false);
	if (!NT_OK(s))
		return s;
	if (!path[0])
		return STATUS_OBJECT_NAME_COLLISION;
	s = vfs_open_parent(r, path, &pfd, name);
	if (!NT_OK(s))
		return s;
	if (mkdirat(pfd, name, mode & 07777) < 0)
		s = vfs_errno_to_status(errno);
	else
		vfs_ci_note(r, pfd, name, true);
	close(pfd);
	return s;
}

NTSTATUS vfs_fchmod(int fd, unsigned mode)
{
	if (fchmod(fd, (mode_t)(mode & 07777)) == 0)
		return STATUS_SUCCESS;
	if (errno != EBADF)
		return vfs_errno_to_status(errno);
	/* an O_PATH descriptor (a directory opened without read access) */
	char p[64];
	snprintf(p, sizeof(p), "/proc/self/fd/%d", fd);
	return chmod(p, (mode_t)(mode & 07777)) == 0 ? STATUS_SUCCESS : vfs_errno_to_status(errno);
}

NTSTATUS vfs_fstat(int fd, struct vfs_stat *st)
{
	struct statx sx;
	if (statx(fd, "", AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, VFS_STATX_MASK, &sx) < 0)
		return vfs_errno_to_status(errno);
	vfs_stat_from_statx(&sx, st);
	return STATUS_SUCCESS;
}

NTSTATUS vfs_stat_path(const struct vfs_root *r, const char *path, bool follow, struct vfs_stat *st)
{
	NTSTATUS s = vfs_path_check(path, false);
	if (!NT_OK(s))
		return s;
	/* One confined open, then statx on the fd: a final symlink is only
	 * ever followed by openat2 itself, beneath the root. */
	int fd = vfs_openat2(r->fd, rel(path), O_PATH | (follow ? 0 : O_NOFOLLOW), 0);
	if (fd < 0)
		return vfs_path_status(r, path, -fd);
	s = vfs_fstat(fd, st);
	close(fd);
	return s;
}

NTSTATUS vfs_unlink(const struct vfs_root *r, const char *path, bool is_dir)
{
	int pfd;
	char name[NAME_MAX + 1];
	NTSTATUS s = vfs_path_check(path, false);
	if (!NT_OK(s))
		return s;
	if (!path[0])
		return STATUS_ACCESS_DENIED; /* never the share root */
	s = vfs_open_parent(r, path, &pfd, name);
	if (!NT_OK(s))
		return s;
	if (unlinkat(pfd, name, is_dir ? AT_REMOVEDIR : 0) < 0) {
		/* The parent is resolved, so ENOTDIR can only be about name. */
		s = errno == ENOTDIR ? STATUS_NOT_A_DIRECTORY : vfs_errno_to_status(errno);
	} else {
		vfs_ci_note(r, pfd, name, false);
	}
	close(pfd);
	return s;
}

static NTSTATUS rename_status(int err)
{
	switch (err) {
	case EXDEV:
		return STATUS_NOT_SAME_DEVICE; /* a mount point inside the share */
	case ENOTDIR:
	case EISDIR:
		return STATUS_ACCESS_DENIED; /* file over directory or back */
	default:
		return vfs_errno_to_status(err);
	}
}

NTSTATUS vfs_rename(const struct vfs_root *r, const char *from, const char *to, bool replace)
{
	int fpfd = -1, tpfd = -1;
	char fname[NAME_MAX + 1], tname[NAME_MAX + 1];
	NTSTATUS s = vfs_path_check(from, false);
	if (NT_OK(s))
		s = vfs_path_check(to, false);
	if (!NT_OK(s))
		return s;
	if (!from[0] || !to[0])
		return STATUS_ACCESS_DENIED;
	s = vfs_open_parent(r, from, &fpfd, fname);
	if (NT_OK(s))
		s = vfs_open_parent(r, to, &tpfd, tname);
	if (!NT_OK(s))
		goto out;
	if (renameat2(fpfd, fname, tpfd, tname, replace ? 0 : RENAME_NOREPLACE) == 0)
		goto out;
	if (errno == EINVAL && !replace) {
		/* A file system without RENAME_NOREPLACE: check, then rename
		 * (not atomic; the window is between these two calls). */
		struct stat st;
		if (fstatat(tpfd, tname, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			s = STATUS_OBJECT_NAME_COLLISION;
			goto out;
		}
		if (errno == ENOENT && renameat(fpfd, fname, tpfd, tname) == 0)
			goto out;
	}
	s = rename_status(errno);
out:
	if (NT_OK(s)) {
		vfs_ci_note(r, fpfd, fname, false);
		vfs_ci_note(r, tpfd, tname, false);
	}
	if (fpfd >= 0)
		close(fpfd);
	if (tpfd >= 0)
		close(tpfd);
	return s;
}

/* Links to a fresh temporary name in tpfd, then renames it over tname. */
static NTSTATUS link_replace(int fpfd, const char *fname, int tpfd, const char *tname)
{
	char tmp[64];
	for (int i = 0; i < 16; i++) {
		uint64_t rnd = 0;
		if (getrandom(&rnd, sizeof(rnd), GRND_NONBLOCK) != sizeof(rnd))
			rnd ^= (uint64_t)getpid() << 32 ^ (uint64_t)(unsigned)i;
		snprintf(tmp, sizeof(tmp), ".smb3d-link-%016llx", (unsigned long long)rnd);
		if (linkat(fpfd, fname, tpfd, tmp, 0) < 0) {
			if (errno == EEXIST)
				continue;
			return rename_status(errno);
		}
		NTSTATUS s = STATUS_SUCCESS;
		if (renameat(tpfd, tmp, tpfd, tname) < 0)
			s = rename_status(errno);
		/* Gone after a rename, unless tname already was this very file
		 * (rename then does nothing): remove the temporary either way. */
		(void)unlinkat(tpfd, tmp, 0);
		return s;
	}
	return STATUS_OBJECT_NAME_COLLISION;
}

NTSTATUS vfs_link(const struct vfs_root *r, const char *existing, const char *newpath, bool replace)
{
	int fpfd = -1, tpfd = -1;
	char fname[NAME_MAX + 1], tname[NAME_MAX + 1];
	NTSTATUS s = vfs_path_check(existing, false);
	if (NT_OK(s))
		s = vfs_path_check(newpath, false);
	if (!NT_OK(s))
		return s;
	if (!existing[0] || !newpath[0])
		return STATUS_ACCESS_DENIED;
	s = vfs_open_parent(r, existing, &fpfd, fname);
	if (NT_OK(s))
		s = vfs_open_parent(r, newpath, &tpfd, tname);
	if (!NT_OK(s))
		goto out;
	if (linkat(fpfd, fname, tpfd, tname, 0) == 0)
		goto out;
	if (errno == EEXIST && replace)
		s = link_replace(fpfd, fname, tpfd, tname);
	else
		s = rename_status(errno);
out:
	if (NT_OK(s))
		vfs_ci_note(r, tpfd, tname, false); /* a replaced name, temporary names */
	if (fpfd >= 0)
		close(fpfd);
	if (tpfd >= 0)
		close(tpfd);
	return s;
}
