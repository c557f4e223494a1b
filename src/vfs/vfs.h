/* The Linux file-system backend: the only layer that makes file-system
 * syscalls. Every path is resolved with openat2(RESOLVE_BENEATH |
 * RESOLVE_NO_MAGICLINKS) below a share root fd; errno becomes NTSTATUS here. */
#ifndef SMB3D_VFS_VFS_H
#define SMB3D_VFS_VFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "base/ntstatus.h"

/*
 * Confinement rules (all path functions below):
 *  - A path is relative to a share root, UTF-8, '/'-separated, with no
 *    leading or trailing '/', no empty components, no "." or ".." components
 *    (the layers above canonicalise; anything else is
 *    STATUS_OBJECT_NAME_INVALID); "" is the root itself. At most PATH_MAX-1
 *    bytes, each component at most NAME_MAX bytes.
 *  - Resolution is done by the kernel with RESOLVE_BENEATH: symlinks met on
 *    the way (intermediate or final) are followed only while they stay inside
 *    the root. A symlink that would leave it (a ".." above the root, or any
 *    absolute target, even one that names a place inside the share) fails
 *    with EXDEV, reported as STATUS_ACCESS_DENIED. Magic links (/proc) fail.
 *  - Operations that have no *at2 form open the parent directory this way and
 *    then act on the single final component relative to it, so the final
 *    component itself is never followed (unlink/rename/link act on a symlink,
 *    not its target).
 *  - A missing final component is STATUS_OBJECT_NAME_NOT_FOUND; a missing or
 *    non-directory intermediate one is STATUS_OBJECT_PATH_NOT_FOUND.
 */

/* true if path is an existing, searchable directory. */
bool vfs_share_root_ok(const char *path);
/* Why path cannot serve as a share root for this process (missing, not a
 * directory, unreadable), or NULL if it can. */
const char *vfs_share_root_problem(const char *path);

/* Per-thread credentials. When smb3d runs as root, vfs_become switches the
 * calling thread only (raw setgroups/setresgid/setresuid syscalls, effective
 * ids only, so vfs_unbecome can return to root); not root: both are no-ops.
 * uid/gid (uid_t)-1 are refused (-EINVAL). Becoming while already switched
 * first returns to root. vfs_unbecome aborts the process if it cannot return
 * to root: a thread must never carry one session's identity into another. */
struct vfs_cred {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	int n_groups;
};
/* Switches the calling thread to c (0 or -errno); nothing to do when it
 * already is c. A thread stays switched until vfs_unbecome(): work that
 * needs root calls that first. */
int vfs_become(const struct vfs_cred *c); /* 0 or -errno */
void vfs_unbecome(void);

/* The one errno -> NTSTATUS table (see errmap.c for the choices). */
NTSTATUS vfs_errno_to_status(int err);

/* A share root: an O_PATH|O_DIRECTORY fd. abs_path must be absolute; it is
 * the administrator's path and may itself contain symlinks. */
struct vfs_root_shared;
struct vfs_root {
	int fd;
	dev_t dev;
	ino_t ino;
	struct vfs_root_shared *shared; /* from vfs_root_get; NULL if fd is our own */
	/* on a local file system (ext4, xfs, btrfs, tmpfs, f2fs): fstat of a
	 * file open on the same device (dev) reads memory only, never a
	 * network or a device, so the event loop may call it */
	bool local;
};
/* A root with a descriptor of its own. */
NTSTATUS vfs_root_open(const char *abs_path, struct vfs_root *r);
/* Closes a root handle (a shared root's descriptor closes with its last handle). */
void vfs_root_close(struct vfs_root *r);
/* A second handle on a share root that the caller owns and closes with
 * vfs_root_close (an open outliving its tree connect keeps one): a new
 * reference for a shared root, a duplicate descriptor otherwise. */
NTSTATUS vfs_root_dup(const struct vfs_root *r, struct vfs_root *out);

/* Shared share roots: every handle on the same directory (same path, device
 * and inode) shares one descriptor, so tree connects and opens cost no
 * descriptor each. Thread-safe. vfs_root_get resolves abs_path afresh each
 * time (a directory replaced on disk gets a new descriptor). The cache may be
 * freed while roots are still open; it goes when the last one is closed. */
struct vfs_root_cache;
struct vfs_root_cache *vfs_root_cache_new(void);
void vfs_root_cache_free(struct vfs_root_cache *c);
NTSTATUS vfs_root_get(struct vfs_root_cache *c, const char *abs_path, struct vfs_root *r);

struct vfs_stat {
	uint64_t dev, ino, size, alloc; /* alloc: st_blocks * 512 */
	uint32_t nlink;
	uint32_t mode; /* st_mode: type and permission bits */
	uint32_t uid, gid;
	struct timespec atime, mtime, ctime, btime;
	bool has_btime;
};

/* Opens path below the root. flags: O_RDONLY/O_WRONLY/O_RDWR or O_PATH, with
 * O_CREAT, O_EXCL, O_TRUNC, O_DIRECTORY, O_NOFOLLOW, O_NONBLOCK, O_APPEND,
 * O_SYNC, O_DSYNC, O_NOATIME; anything else is STATUS_INVALID_PARAMETER, as is
 * O_PATH with O_CREAT/O_TRUNC/write access. O_CLOEXEC is always added; mode is
 * used with O_CREAT only (umask applies). Non-O_PATH opens are done
 * non-blocking and refuse anything but regular files and directories
 * (STATUS_ACCESS_DENIED), so a FIFO on disk cannot hang a thread; O_NONBLOCK
 * stays set on the returned fd only if the caller asked for it.
 * Results worth knowing: O_DIRECTORY on a non-directory is
 * STATUS_NOT_A_DIRECTORY; O_NOFOLLOW (without O_PATH) on a final symlink is
 * STATUS_STOPPED_ON_SYMLINK (a warning-class code, not NT_ERR: test NT_OK);
 * O_PATH|O_NOFOLLOW opens a final symlink itself. With O_CREAT but not O_EXCL
 * a dangling in-share final symlink is followed and its target created (only
 * ever inside the root); with O_EXCL it is STATUS_OBJECT_NAME_COLLISION. */
NTSTATUS vfs_open(const struct vfs_root *r, const char *path, int flags, mode_t mode, int *fd);
/* vfs_open that also returns the descriptor's stat (not with O_PATH). */
NTSTATUS vfs_open_stat(const struct vfs_root *r, const char *path, int flags, mode_t mode, int *fdp,
		       struct vfs_stat *st);
/* Clears O_NONBLOCK on an fd (after a non-blocking open of a regular file). */
void vfs_clear_nonblock(int fd);
/* close(2) of an fd from this layer; -1 is ignored. */
void vfs_close(int fd);
NTSTATUS vfs_mkdir(const struct vfs_root *r, const char *path, mode_t mode); /* "" -> NAME_COLLISION */
/* statx of path; follow=false reports a final symlink itself. */
NTSTATUS vfs_stat_path(const struct vfs_root *r, const char *path, bool follow, struct vfs_stat *st);
NTSTATUS vfs_fstat(int fd, struct vfs_stat *st); /* any fd, O_PATH too */
/* Sets the permission bits (any fd, O_PATH too). */
NTSTATUS vfs_fchmod(int fd, unsigned mode);
/* unlinkat of the final component (AT_REMOVEDIR for dirs). A file with
 * is_dir is STATUS_NOT_A_DIRECTORY, a directory without it
 * STATUS_FILE_IS_A_DIRECTORY; the root itself is STATUS_ACCESS_DENIED. */
NTSTATUS vfs_unlink(const struct vfs_root *r, const char *path, bool is_dir);
/* renameat2; RENAME_NOREPLACE unless replace (a file system without it gets a
 * check-then-rename fallback). Type clashes (file over directory or back) are
 * STATUS_ACCESS_DENIED, a rename across mounts STATUS_NOT_SAME_DEVICE. */
NTSTATUS vfs_rename(const struct vfs_root *r, const char *from, const char *to, bool replace);
/* A hard link newpath -> existing (a final symlink is linked itself, not its
 * target). With replace, an existing newpath is replaced atomically (link to
 * a temporary name, then rename over). */
NTSTATUS vfs_link(const struct vfs_root *r, const char *existing, const char *newpath, bool replace);

/* I/O on fds from vfs_open. pread loops on short reads until n or EOF (*done
 * tells how much); pwrite until everything is written. Offsets above
 * INT64_MAX are STATUS_INVALID_PARAMETER. */
NTSTATUS vfs_pread(int fd, void *buf, size_t n, uint64_t off, size_t *done);
/* Like vfs_pread, but only what the page cache holds now (RWF_NOWAIT): never
 * waits for the disk, so an event loop may call it. *done may be short of n
 * because of EOF (then *eof is set), pages not cached, or a file system that
 * cannot say; the caller reads the rest with vfs_pread. Errors are left for
 * that read too. */
NTSTATUS vfs_pread_cached(int fd, void *buf, size_t n, uint64_t off, size_t *done, bool *eof);
/* Like vfs_pread, but moves the file's pages into the pipe pipe_w by
 * reference (splice(2), no copy); the pipe must have room for n bytes.
 * STATUS_NOT_SUPPORTED (with *done 0) when the file system cannot splice. */
NTSTATUS vfs_splice_to_pipe(int fd, uint64_t off, size_t n, int pipe_w, size_t *done);
NTSTATUS vfs_pwrite(int fd, const void *buf, size_t n, uint64_t off, size_t *done);
NTSTATUS vfs_fsync(int fd, bool data_only);
NTSTATUS vfs_ftruncate(int fd, uint64_t size);
/* Reserves allocation without changing EOF (FALLOC_FL_KEEP_SIZE); a file
 * system that cannot (ENOTSUP/EOPNOTSUPP) or size 0 is success. */
NTSTATUS vfs_fallocate(int fd, uint64_t size);
/* Frees blocks at and beyond size without changing the file size. */
NTSTATUS vfs_release_beyond(int fd, uint64_t size);
/* Byte ranges (range.c). Offsets and lengths must stay within INT64_MAX
 * (else STATUS_INVALID_PARAMETER).
 * copy: copy_file_range (the file system may share blocks or copy
 * in-kernel); overlapping ranges of one file, cross-device copies and file
 * systems without support fall back to pread/pwrite through a buffer that
 * holds up to 1 MiB before writing it. *done tells how much was copied (less
 * than len at the end of the source). */
NTSTATUS vfs_copy_range(int src_fd, uint64_t src_off, int dst_fd, uint64_t dst_off, uint64_t len, uint64_t *done);
/* FICLONERANGE: the destination range shares the source's blocks.
 * STATUS_NOT_SUPPORTED when the file system cannot (or not for these
 * ranges: cross-device, unaligned). */
NTSTATUS vfs_clone_range(int src_fd, uint64_t src_off, int dst_fd, uint64_t dst_off, uint64_t len);
/* Deallocates [off, off+len) without changing the size (PUNCH_HOLE |
 * KEEP_SIZE); a file system that cannot gets zeros written instead, so
 * callers keep the range below EOF. */
NTSTATUS vfs_punch_hole(int fd, uint64_t off, uint64_t len);
/* Zeros [off, off+len) and keeps it allocated (ZERO_RANGE, else punch and
 * fallocate, else zeros written); the size does not change. */
NTSTATUS vfs_zero_range(int fd, uint64_t off, uint64_t len);
/* The first data extent at or after off (SEEK_DATA/SEEK_HOLE): [*data,
 * *hole); both UINT64_MAX when there is none. A file system without hole
 * reporting shows everything from off as data. */
NTSTATUS vfs_next_data(int fd, uint64_t off, uint64_t *data, uint64_t *hole);
/* NULL leaves a time unchanged. Works on O_PATH fds (utimensat with
 * AT_EMPTY_PATH); on an O_PATH fd of a symlink it sets the link's own times. */
NTSTATUS vfs_set_times(int fd, const struct timespec *atime, const struct timespec *mtime);
/* The target of a symlink opened with O_PATH|O_NOFOLLOW; NUL-terminated;
 * STATUS_BUFFER_TOO_SMALL if it does not fit, STATUS_NOT_A_REPARSE_POINT if
 * fd is not a symlink. */
NTSTATUS vfs_readlink(int fd, char *buf, size_t cap, size_t *len);

/* DOS attributes and NT create time, kept in the xattr "user.DOSATTRIB" in
 * Samba's format (dosattrib.h): read v1..v5 and the bare hex string, write the
 * v5 blob Samba writes. Attribute bits are returned as stored; callers mask.
 * O_PATH fds go through the fd's /proc/self/fd entry, and so does
 * vfs_get_dosinfo_at before Linux 6.13 (getxattrat after), so /proc must be
 * mounted. */
struct vfs_dosinfo {
	uint32_t attrs;
	bool has_attrs;
	uint64_t create_time; /* NT time */
	bool has_create_time;
	/* A ChangeTime a client set (Linux cannot set ctime): valid while the
	 * file's mtime is still change_mark. Kept in a trailer Samba ignores. */
	uint64_t change_time; /* NT time */
	struct timespec change_mark;
	bool has_change_time;
};
/* No xattr, a file system without user xattrs, a symlink, or a blob that does
 * not decode: has_* false, STATUS_SUCCESS. */
NTSTATUS vfs_get_dosinfo(int fd, struct vfs_dosinfo *d);
/* The same for a single component name (not followed) in directory dirfd. */
NTSTATUS vfs_get_dosinfo_at(int dirfd, const char *name, struct vfs_dosinfo *d);
/* Fields with has_* false keep their stored value (read-modify-write).
 * ENOTSUP -> STATUS_SUCCESS with a one-time warning; EPERM (a file we do not
 * own) -> STATUS_ACCESS_DENIED; a symlink -> STATUS_ACCESS_DENIED. */
NTSTATUS vfs_set_dosinfo(int fd, const struct vfs_dosinfo *d);

/* Extended attributes as user.<NAME> xattrs (vfs/ea.c). */
#define VFS_EA_NAME_MAX 255
#define VFS_EA_VALUE_MAX 65535
struct vfs_ea {
	char name[VFS_EA_NAME_MAX + 1];
	uint8_t *value;
	uint16_t len;
};
struct vfs_ea_list {
	struct vfs_ea *v;
	size_t n;
};
/* All EAs of fd's file (fd < 0 or no xattr support: none). */
NTSTATUS vfs_ea_list(int fd, struct vfs_ea_list *out);
/* Which of the xattrs smb3d reads a file has, from one flistxattr into a
 * small buffer: its stored security descriptor, its DOS attributes, EAs
 * (what vfs_ea_list lists). False if that is not known (a longer list, or
 * an error): then read them all. */
struct vfs_xattrs_seen {
	bool ntacl, dosattrib, eas;
};
bool vfs_xattrs_present(int fd, struct vfs_xattrs_seen *seen);
/* True if vfs_ea_list would list no EA (false if not known). */
bool vfs_ea_none(int fd);
void vfs_ea_list_free(struct vfs_ea_list *l);
/* Sets one EA; an empty value removes it. */
NTSTATUS vfs_ea_set(int fd, const char *name, const uint8_t *value, size_t len);

/* Alternate data streams (vfs/stream.c) in Samba's vfs_streams_xattr layout:
 * "user.DosStream.<name>:$DATA" holding the data and a trailing NUL. fd is
 * any fd of the base file (O_PATH too). Names are UTF-8 without '/', '\\'
 * or ':' (else STATUS_OBJECT_NAME_INVALID), at most VFS_STREAM_NAME_MAX
 * bytes so the xattr name fits the kernel's 255. Writes or sizes past
 * VFS_STREAM_MAX are STATUS_ALLOTTED_SPACE_EXCEEDED (as Samba answers); a
 * file system that holds less says STATUS_DISK_FULL. */
#define VFS_STREAM_MAX 65535
#define VFS_STREAM_NAME_MAX (255 - 15 - 6)
struct vfs_stream {
	char name[VFS_STREAM_NAME_MAX + 1];
	uint64_t size;
};
struct vfs_stream_list {
	struct vfs_stream *v;
	size_t n;
};
/* Every named stream of the file (none without xattr support). */
NTSTATUS vfs_stream_list(int fd, struct vfs_stream_list *out);
void vfs_stream_list_free(struct vfs_stream_list *l);
/* The stream matching name case-insensitively (an exact match first): its
 * stored spelling and size, or STATUS_OBJECT_NAME_NOT_FOUND. */
NTSTATUS vfs_stream_lookup(int fd, const char *name, char stored[VFS_STREAM_NAME_MAX + 1], uint64_t *size);
/* Creates the stream empty, or empties it. */
NTSTATUS vfs_stream_create(int fd, const char *name);
NTSTATUS vfs_stream_size(int fd, const char *name, uint64_t *size);
/* Reads up to n bytes at off (*done less at the end, 0 past it). */
NTSTATUS vfs_stream_read(int fd, const char *name, void *buf, size_t n, uint64_t off, size_t *done);
/* Writes all n bytes at off (a gap reads as zeros); callers serialise
 * writers of one stream (read-modify-write of the whole value). */
NTSTATUS vfs_stream_write(int fd, const char *name, const void *data, size_t n, uint64_t off);
NTSTATUS vfs_stream_set_size(int fd, const char *name, uint64_t size);
NTSTATUS vfs_stream_remove(int fd, const char *name); /* a missing stream is success */
/* Moves from's data to `to`, replacing it. */
NTSTATUS vfs_stream_rename(int fd, const char *from, const char *to);

/* Changes made by other programs (vfs/inotify.c). */
enum vfs_change_kind {
	VFS_CHANGE_ADDED,
	VFS_CHANGE_REMOVED,
	VFS_CHANGE_MOVED_FROM,
	VFS_CHANGE_MOVED_TO,
	VFS_CHANGE_MODIFIED, /* data written */
	VFS_CHANGE_ATTRIB,   /* mode, owner, times, xattrs */
	VFS_CHANGE_OVERFLOW, /* events were lost */
};
struct vfs_change {
	int wd;
	enum vfs_change_kind kind;
	bool is_dir;
	uint32_t cookie; /* pairs MOVED_FROM with MOVED_TO */
	const char *name; /* a name in the watched directory */
};
int vfs_inotify_init(void); /* fd or -errno */
/* Watches directory dirfd for changes to its entries: wd or -errno. */
int vfs_inotify_watch(int ifd, int dirfd);
void vfs_inotify_unwatch(int ifd, int wd);
/* Watches directory rel below dirfd ("" for dirfd itself) and the
 * directories under it, depth first, at most max of them, never following
 * a symlink; cb gets each watch with its path relative to dirfd. The number
 * watched, or -errno when rel cannot be opened. */
int vfs_inotify_watch_tree(int ifd, int dirfd, const char *rel, size_t max,
			   void (*cb)(void *ctx, int wd, const char *rel), void *ctx);
/* Waits up to timeout_ms, then passes each event read to cb: the number of
 * events, or -errno. */
int vfs_inotify_read(int ifd, int timeout_ms, void (*cb)(void *ctx, const struct vfs_change *c), void *ctx);

/* A stored NT security descriptor (opaque bytes to this layer) in the
 * user.smb3d.ntacl xattr, with the owner, group and mode the file had when
 * it was stored: if those changed since (chmod/chown outside smb3d), the
 * descriptor no longer describes the file and is reported absent. */
#define VFS_NTACL_MAX 65536
/* *len = 0 when there is none (or the file system keeps no xattrs). */
NTSTATUS vfs_get_ntacl(int fd, uint8_t *buf, size_t cap, size_t *len);
NTSTATUS vfs_set_ntacl(int fd, const uint8_t *sd, size_t len);
/* The same for a single component name (not followed) in directory dirfd. */
NTSTATUS vfs_get_ntacl_at(int dirfd, const char *name, uint8_t *buf, size_t cap, size_t *len);

/* Directory listing with getdents64 in 32 KiB batches. vfs_dir_open reopens
 * dirfd's directory ("." relative to it, O_RDONLY) so the listing has its own
 * file position and dirfd may be O_PATH. "." and ".." are returned as the
 * kernel lists them; callers filter. */
struct vfs_dirent {
	uint64_t ino;
	uint8_t type;     /* DT_* */
	uint64_t cookie;  /* d_off: the position after this entry */
	const char *name; /* valid until the next vfs_dir_* call on d */
};
struct vfs_dir;
NTSTATUS vfs_dir_open(int dirfd, struct vfs_dir **d);
NTSTATUS vfs_dir_next(struct vfs_dir *d, struct vfs_dirent *e); /* STATUS_NO_MORE_FILES at the end */
NTSTATUS vfs_dir_seek(struct vfs_dir *d, uint64_t cookie);      /* 0 = rewind */
void vfs_dir_close(struct vfs_dir *d);
/* true if the directory has no entries but "." and "..". */
NTSTATUS vfs_dir_is_empty(int dirfd, bool *empty);
/* statx of one entry of dirfd, not followed. name is a single component;
 * "." is dirfd itself, ".." its parent (callers must not ask for ".." of a
 * share root: that is outside the share). */
NTSTATUS vfs_stat_at(int dirfd, const char *name, struct vfs_stat *st);

struct vfs_fsinfo {
	uint64_t total_bytes, free_bytes, avail_bytes;
	uint32_t block_size; /* fragment size (f_frsize) */
	uint32_t max_name;
	uint64_t fs_id;
	char fs_type[16]; /* Linux name: "ext4", "xfs", "tmpfs", ... or "0x<magic>" */
};
NTSTATUS vfs_statfs(int fd, struct vfs_fsinfo *fi);

/* Case-insensitive lookup: writes to out the on-disk spelling of the longest
 * existing prefix of path, trying each component exactly first and only then
 * scanning its directory for a match under simple upper-case folding (see
 * casefold.c: ASCII, Latin-1, Latin Extended-A, basic Greek and Cyrillic; no
 * normalisation). An exact match wins; among several case-insensitive ones the
 * first in directory order. Components from the first missing one on are
 * kept as given. Confined like every path function: a component that leads
 * outside is STATUS_ACCESS_DENIED. STATUS_BUFFER_TOO_SMALL if out_cap is. */
NTSTATUS vfs_resolve_case(const struct vfs_root *r, const char *path, char *out, size_t out_cap);
/* Simple upper-case folding of one code point, and a case-insensitive
 * comparison of two UTF-8 names under it (invalid bytes compare exactly). */
uint32_t vfs_upcase(uint32_t cp);
bool vfs_name_equal_ci(const char *a, const char *b);

/* May the calling thread's identity delete or rename away `path`? (access.c)
 * STATUS_SUCCESS or STATUS_ACCESS_DENIED (or a lookup error). */
NTSTATUS vfs_may_delete(const struct vfs_root *r, const char *path);

#endif
