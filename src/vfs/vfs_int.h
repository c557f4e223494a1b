/* Helpers shared by the files of src/vfs/ only: the openat2 wrapper, path
 * syntax checks, parent-directory resolution and statx conversion. Nothing
 * outside src/vfs/ includes this. */
#ifndef SMB3D_VFS_VFS_INT_H
#define SMB3D_VFS_VFS_INT_H

#include <limits.h>
#include <pthread.h>
#include <stdint.h>
#include <sys/stat.h>

#include "vfs/vfs.h"

#define VFS_STATX_MASK (STATX_BASIC_STATS | STATX_BTIME)

/* the stored NT security descriptor (ntacl.c) */
#define VFS_NTACL_XATTR "user.smb3d.ntacl"

/* openat2(dirfd, path, flags | O_CLOEXEC, RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS); mode only with O_CREAT. Retries EINTR and the
 * EAGAIN RESOLVE_BENEATH reports when a concurrent rename makes ".."
 * unverifiable. Returns the fd or -errno. */
int vfs_openat2(int dirfd, const char *path, int flags, mode_t mode);

/* Checks a root-relative path against the rules in vfs.h. need_final: "" is
 * refused too (STATUS_OBJECT_NAME_INVALID like the other syntax errors). */
NTSTATUS vfs_path_check(const char *path, bool need_final);
/* A single directory-entry name: non-empty, no '/', <= NAME_MAX bytes;
 * "." and ".." only if dots_ok. */
bool vfs_name_ok(const char *name, bool dots_ok);

/* Opens the parent directory of a checked, non-empty path beneath the root
 * (O_PATH|O_DIRECTORY) and copies the final component to name. A parent that
 * is missing or not a directory is STATUS_OBJECT_PATH_NOT_FOUND. */
NTSTATUS vfs_open_parent(const struct vfs_root *r, const char *path, int *pfd, char name[NAME_MAX + 1]);

/* Status for a failed resolution of path: ENOENT becomes
 * STATUS_OBJECT_PATH_NOT_FOUND when the parent does not exist either. */
NTSTATUS vfs_path_status(const struct vfs_root *r, const char *path, int err);

struct statx;
void vfs_stat_from_statx(const struct statx *sx, struct vfs_stat *st);

/* Case-insensitive lookups (casefold.c, ci_cache.c). */
uint32_t vfs_utf8_next(const unsigned char **pp);
#define VFS_CI_DIRS 4
struct ci_dir;
/* The name indexes of one share root (in its struct vfs_root_shared). */
struct vfs_ci_cache {
	pthread_mutex_t lock;
	struct ci_dir *dirs; /* VFS_CI_DIRS */
};
/* The cache of a shared root (r->shared non-NULL). */
struct vfs_ci_cache *vfs_root_ci(const struct vfs_root *r);
bool vfs_ci_cache_init(struct vfs_ci_cache *c);
void vfs_ci_cache_clear(struct vfs_ci_cache *c);
/* Whether directory disk (root-relative) holds a name equal to name
 * ignoring case: its spelling in found, or *missing. */
NTSTATUS vfs_ci_find(const struct vfs_root *r, const char *disk, const char *name, char *found, bool *missing);
/* smb3d added (added) or removed/renamed name in the directory pfd: keeps
 * or drops that directory's index. */
void vfs_ci_note(const struct vfs_root *r, int pfd, const char *name, bool added);
/* The same for the final component of a root-relative path. */
void vfs_ci_note_path(const struct vfs_root *r, const char *path, bool added);

/* Extended attributes of an fd's object (xattr.c; O_PATH fds through
 * /proc/self/fd, a symlink refused with -ELOOP): a length or 0, or -errno. */
ssize_t vfs_xattr_get(int fd, const char *name, uint8_t *buf, size_t cap);
/* The xattr attr of the entry name (one component, already checked) of the
 * directory dirfd, a final symlink not followed: getxattrat(2), or before
 * Linux 6.13 lgetxattr through /proc/self/fd. A length, or -errno. */
ssize_t vfs_xattr_get_at(int dirfd, const char *name, const char *attr, uint8_t *buf, size_t cap);
/* Unit tests: take the pre-6.13 path (or the getxattrat one again). */
void vfs_xattr_at_force_proc(bool on);
int vfs_xattr_set(int fd, const char *name, const uint8_t *buf, size_t len);
int vfs_xattr_remove(int fd, const char *name);
ssize_t vfs_xattr_list(int fd, char *buf, size_t cap);

#endif
