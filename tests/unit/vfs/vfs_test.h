/* Shared helpers for the src/vfs/ unit tests: a private temp directory under
 * /tmp holding a share root, and plain-syscall file helpers the tests use to
 * build and inspect fixtures behind the VFS's back. */
#ifndef SMB3D_TEST_VFS_TEST_H
#define SMB3D_TEST_VFS_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "base/ntstatus.h"
#include "vfs/vfs.h"

/* T = /tmp/smb3d-vfs-XXXXXX (base), R = T/root (the share root, opened). */
struct tdir {
	char base[128];
	char root[160];
	struct vfs_root r;
};

void tdir_setup(struct tdir *t);
void tdir_teardown(struct tdir *t);

/* printf-style path under base ("%s/...") into a static rotating buffer. */
const char *tpath(const struct tdir *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void put_file(const char *path, const char *content);
/* Reads up to cap-1 bytes; returns buf or NULL if the file cannot be read. */
char *get_file(const char *path, char *buf, size_t cap);
bool exists_nofollow(const char *path);
void make_link(const char *target, const char *linkpath);
void make_dir(const char *path, unsigned mode);
/* Sets both times of a file to sec (no symlink following). */
void set_mtime(const char *path, long sec);
long get_mtime(const char *path);
uint64_t ino_of(const char *path);
/* Whether dir's file system takes user.* xattrs. */
bool user_xattrs_ok(const char *dir);

#define assert_status(s, want) assert_string_equal(nt_status_name(s), nt_status_name(want))
#define assert_ok(s)           assert_status((s), STATUS_SUCCESS)

#endif
