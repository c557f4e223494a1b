/* Extended attributes ([MS-FSCC] 2.4.15) kept as user.<NAME> xattrs, the
 * mapping Samba uses, so EAs written by either server read back in the
 * other. smb3d's and Samba's own bookkeeping xattrs are never shown. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/xattr.h>

#include "vfs/vfs_int.h"

#define XATTR_LIST_MAX_BYTES 65536

static bool hidden_name(const char *n)
{
	return !strcasecmp(n, "DOSATTRIB") || !strncasecmp(n, "smb3d.", 6) || !strncasecmp(n, "DosStream.", 10) ||
	       !strncasecmp(n, "SAMBA_", 6);
}

/* listxattr / getxattr / setxattr / removexattr of an fd's object, through
 * /proc/self/fd for O_PATH fds (never following a symlink). */
static bool opath_proc(int fd, char *path, size_t cap)
{
	int fl = fcntl(fd, F_GETFL);
	if (fl < 0 || !(fl & O_PATH))
		return false;
	struct stat st;
	if (fstat(fd, &st) < 0 || S_ISLNK(st.st_mode))
		return false;
	snprintf(path, cap, "/proc/self/fd/%d", fd);
	return true;
}

static ssize_t x_list(int fd, char *buf, size_t cap)
{
	char p[64];
	ssize_t n = flistxattr(fd, buf, cap);
	if (n < 0 && errno == EBADF && opath_proc(fd, p, sizeof(p)))
		n = listxattr(p, buf, cap);
	return n;
}

static ssize_t x_get(int fd, const char *name, void *buf, size_t cap)
{
	char p[64];
	ssize_t n = fgetxattr(fd, name, buf, cap);
	if (n < 0 && errno == EBADF && opath_proc(fd, p, sizeof(p)))
		n = getxattr(p, name, buf, cap);
	return n;
}

static int x_set(int fd, const char *name, const void *v, size_t len)
{
	char p[64];
	int rc = fsetxattr(fd, name, v, len, 0);
	if (rc < 0 && errno == EBADF && opath_proc(fd, p, sizeof(p)))
		rc = setxattr(p, name, v, len, 0);
	return rc;
}

static int x_remove(int fd, const char *name)
{
	char p[64];
	int rc = fremovexattr(fd, name);
	if (rc < 0 && errno == EBADF && opath_proc(fd, p, sizeof(p)))
		rc = removexattr(p, name);
	return rc;
}

void vfs_ea_list_free(struct vfs_ea_list *l)
{
	if (!l)
		return;
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].value);
	free(l->v);
	*l = (struct vfs_ea_list){ 0 };
}

NTSTATUS vfs_ea_list(int fd, struct vfs_ea_list *out)
{
	*out = (struct vfs_ea_list){ 0 };
	if (fd < 0)
		return STATUS_SUCCESS;
	char *names = malloc(XATTR_LIST_MAX_BYTES);
	if (!names)
		return STATUS_NO_MEMORY;
	ssize_t n = x_list(fd, names, XATTR_LIST_MAX_BYTES);
	if (n < 0) {
		int e = errno;
		free(names);
		if (e == ENOTSUP || e == EOPNOTSUPP || e == EBADF)
			return STATUS_SUCCESS;
		return vfs_errno_to_status(e);
	}
	NTSTATUS st = STATUS_SUCCESS;
	size_t cap = 0;
	for (ssize_t off = 0; off < n;) {
		const char *x = names + off;
		size_t xl = strnlen(x, (size_t)(n - off));
		off += (ssize_t)xl + 1;
		if (strncmp(x, "user.", 5) || xl - 5 == 0 || xl - 5 > VFS_EA_NAME_MAX || hidden_name(x + 5))
			continue;
		uint8_t *val = malloc(VFS_EA_VALUE_MAX);
		if (!val) {
			st = STATUS_NO_MEMORY;
			break;
		}
		ssize_t vl = x_get(fd, x, val, VFS_EA_VALUE_MAX);
		if (vl < 0) {
			free(val);
			continue; /* vanished, or too large to be an EA */
		}
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct vfs_ea *nv = realloc(out->v, nc * sizeof(*nv));
			if (!nv) {
				free(val);
				st = STATUS_NO_MEMORY;
				break;
			}
			out->v = nv;
			cap = nc;
		}
		struct vfs_ea *e = &out->v[out->n++];
		memcpy(e->name, x + 5, xl - 5 + 1);
		e->value = val;
		e->len = (uint16_t)vl;
	}
	free(names);
	if (!NT_OK(st))
		vfs_ea_list_free(out);
	return st;
}

NTSTATUS vfs_ea_set(int fd, const char *name, const uint8_t *value, size_t len)
{
	char x[5 + VFS_EA_NAME_MAX + 1];
	if (!strncasecmp(name, "user.", 5))
		name += 5; /* "user.x" is the xattr user.x itself, as in Samba */
	size_t nl = strlen(name);
	if (nl == 0 || nl > VFS_EA_NAME_MAX || len > VFS_EA_VALUE_MAX)
		return STATUS_INVALID_EA_NAME;
	if (hidden_name(name))
		return STATUS_ACCESS_DENIED; /* the server's own bookkeeping */
	snprintf(x, sizeof(x), "user.%s", name);
	int rc = len ? x_set(fd, x, value, len) : x_remove(fd, x);
	if (rc == 0 || (!len && errno == ENODATA))
		return STATUS_SUCCESS;
	if (errno == ENOTSUP || errno == EOPNOTSUPP)
		return STATUS_EAS_NOT_SUPPORTED;
	if (errno == ENOSPC || errno == E2BIG)
		return STATUS_EA_TOO_LARGE;
	return vfs_errno_to_status(errno);
}
