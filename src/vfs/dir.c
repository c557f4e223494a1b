/* Directory listing with getdents64 in batches (no per-entry syscalls),
 * positions as d_off cookies for resuming and rewinding, emptiness checks
 * and single-component statx relative to a directory fd. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfs/vfs_int.h"

#define DIR_BUF 32768

struct vfs_dir {
	int fd;
	size_t len, pos; /* valid bytes in buf, next record */
	bool eof;
	uint8_t buf[DIR_BUF] __attribute__((aligned(8)));
};

/* Its own open file description, so the listing position is not shared with
 * dirfd (a dup would share it) and dirfd may be O_PATH. "." relative to a
 * directory fd names that directory and nothing else. */
static int reopen_dir(int dirfd)
{
	int fd;
	do
		fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while (fd < 0 && errno == EINTR);
	return fd < 0 ? -errno : fd;
}

NTSTATUS vfs_dir_open(int dirfd, struct vfs_dir **dp)
{
	*dp = NULL;
	struct vfs_dir *d = malloc(sizeof(*d));
	if (!d)
		return STATUS_NO_MEMORY;
	int fd = reopen_dir(dirfd);
	if (fd < 0) {
		free(d);
		return fd == -ENOTDIR ? STATUS_NOT_A_DIRECTORY : vfs_errno_to_status(-fd);
	}
	d->fd = fd;
	d->len = d->pos = 0;
	d->eof = false;
	*dp = d;
	return STATUS_SUCCESS;
}

void vfs_dir_close(struct vfs_dir *d)
{
	if (!d)
		return;
	close(d->fd);
	free(d);
}

static NTSTATUS refill(struct vfs_dir *d)
{
	ssize_t n;
	do
		n = getdents64(d->fd, d->buf, sizeof(d->buf));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return vfs_errno_to_status(errno);
	d->len = (size_t)n;
	d->pos = 0;
	if (n == 0)
		d->eof = true;
	return STATUS_SUCCESS;
}

/* struct linux_dirent64: u64 d_ino, s64 d_off, u16 d_reclen, u8 d_type,
 * char d_name[] (NUL-terminated, padded to 8). */
#define DE_INO    0
#define DE_OFF    8
#define DE_RECLEN 16
#define DE_TYPE   18
#define DE_NAME   19

NTSTATUS vfs_dir_next(struct vfs_dir *d, struct vfs_dirent *e)
{
	while (d->pos >= d->len) {
		if (d->eof)
			return STATUS_NO_MORE_FILES;
		NTSTATUS s = refill(d);
		if (!NT_OK(s))
			return s;
		if (d->eof)
			return STATUS_NO_MORE_FILES;
	}
	const uint8_t *rec = d->buf + d->pos;
	size_t left = d->len - d->pos;
	uint16_t reclen;
	if (left < DE_NAME + 1)
		return STATUS_INTERNAL_ERROR;
	memcpy(&reclen, rec + DE_RECLEN, sizeof(reclen));
	if (reclen < DE_NAME + 1 || reclen > left || !memchr(rec + DE_NAME, 0, reclen - DE_NAME))
		return STATUS_INTERNAL_ERROR; /* not what the kernel writes */
	int64_t off;
	memcpy(&e->ino, rec + DE_INO, sizeof(e->ino));
	memcpy(&off, rec + DE_OFF, sizeof(off));
	e->cookie = (uint64_t)off;
	e->type = rec[DE_TYPE];
	e->name = (const char *)rec + DE_NAME;
	d->pos += reclen;
	return STATUS_SUCCESS;
}

NTSTATUS vfs_dir_seek(struct vfs_dir *d, uint64_t cookie)
{
	if (cookie > INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	if (lseek(d->fd, (off_t)cookie, SEEK_SET) < 0)
		return vfs_errno_to_status(errno);
	d->len = d->pos = 0;
	d->eof = false;
	return STATUS_SUCCESS;
}

NTSTATUS vfs_dir_is_empty(int dirfd, bool *empty)
{
	struct vfs_dir *d;
	struct vfs_dirent e;
	*empty = false;
	NTSTATUS s = vfs_dir_open(dirfd, &d);
	if (!NT_OK(s))
		return s;
	for (;;) {
		s = vfs_dir_next(d, &e);
		if (NT_EQ(s, STATUS_NO_MORE_FILES)) {
			*empty = true;
			s = STATUS_SUCCESS;
			break;
		}
		if (!NT_OK(s))
			break;
		if (strcmp(e.name, ".") && strcmp(e.name, ".."))
			break; /* found one */
	}
	vfs_dir_close(d);
	return s;
}

NTSTATUS vfs_stat_at(int dirfd, const char *name, struct vfs_stat *st)
{
	struct statx sx;
	if (!name || !vfs_name_ok(name, true))
		return STATUS_OBJECT_NAME_INVALID;
	/* One component, not followed: nothing but that entry is looked up. */
	if (statx(dirfd, name, AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT, VFS_STATX_MASK, &sx) < 0)
		return vfs_errno_to_status(errno);
	vfs_stat_from_statx(&sx, st);
	return STATUS_SUCCESS;
}
