/* Alternate data streams kept in xattrs the way Samba's vfs_streams_xattr
 * keeps them, so files stay interchangeable with a Samba server: stream
 * "name" of a file is the xattr "user.DosStream.name:$DATA", whose value is
 * the stream's data followed by one NUL byte (an xattr cannot be empty on
 * every file system). A stream holds at most VFS_STREAM_MAX bytes (the
 * kernel's 64 KiB xattr value limit less that NUL); file systems may allow
 * less (ext4 without ea_inode keeps all xattrs of a file in one block).
 * Names are matched case-insensitively, as Windows matches them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vfs/vfs_int.h"

#define STREAM_PREFIX "user.DosStream."
#define STREAM_SUFFIX ":$DATA"
#define XATTR_NAME_MAX_BYTES 255
#define XATTR_VALUE_MAX_BYTES (VFS_STREAM_MAX + 1)
#define XATTR_LIST_MAX_BYTES 65536

static NTSTATUS xattr_name(const char *stream, char out[XATTR_NAME_MAX_BYTES + 1])
{
	size_t n = strlen(stream);
	if (n == 0 || n > VFS_STREAM_NAME_MAX || strchr(stream, '/') || strchr(stream, '\\') || strchr(stream, ':'))
		return STATUS_OBJECT_NAME_INVALID;
	snprintf(out, XATTR_NAME_MAX_BYTES + 1, STREAM_PREFIX "%s" STREAM_SUFFIX, stream);
	return STATUS_SUCCESS;
}

static NTSTATUS set_status(int rc)
{
	if (rc == -ENOSPC || rc == -E2BIG || rc == -ERANGE)
		return STATUS_DISK_FULL; /* the file system holds less than VFS_STREAM_MAX */
	if (rc == -ENOTSUP || rc == -EOPNOTSUPP)
		return STATUS_NOT_SUPPORTED;
	if (rc == -ELOOP)
		rc = -EBADF;
	return vfs_errno_to_status(-rc);
}

/* The stream's data into buf (cap XATTR_VALUE_MAX_BYTES): its size, or a
 * status: STATUS_OBJECT_NAME_NOT_FOUND when the stream does not exist. */
static NTSTATUS load(int fd, const char *x, uint8_t *buf, size_t *size)
{
	ssize_t n = vfs_xattr_get(fd, x, buf, XATTR_VALUE_MAX_BYTES);
	if (n == -ENODATA)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (n == -ENOTSUP || n == -EOPNOTSUPP)
		return STATUS_OBJECT_NAME_NOT_FOUND; /* no xattrs: no streams */
	if (n < 0)
		return n == -ELOOP ? STATUS_OBJECT_NAME_NOT_FOUND : vfs_errno_to_status((int)-n);
	/* Samba's trailing NUL; a value written without one counts whole */
	*size = n > 0 && buf[n - 1] == 0 ? (size_t)n - 1 : (size_t)n;
	return STATUS_SUCCESS;
}

/* load() of stream `name` into a new buffer (freed by the caller, also on
 * error); x receives the xattr name. */
static NTSTATUS load_new(int fd, const char *name, char x[XATTR_NAME_MAX_BYTES + 1], uint8_t **bufp, size_t *size)
{
	*bufp = NULL;
	*size = 0;
	NTSTATUS st = xattr_name(name, x);
	if (!NT_OK(st))
		return st;
	*bufp = malloc(XATTR_VALUE_MAX_BYTES);
	if (!*bufp)
		return STATUS_NO_MEMORY;
	return load(fd, x, *bufp, size);
}

static NTSTATUS store(int fd, const char *x, uint8_t *buf, size_t size)
{
	buf[size] = 0;
	int rc = vfs_xattr_set(fd, x, buf, size + 1);
	return rc == 0 ? STATUS_SUCCESS : set_status(rc);
}

void vfs_stream_list_free(struct vfs_stream_list *l)
{
	if (!l)
		return;
	free(l->v);
	*l = (struct vfs_stream_list){ 0 };
}

/* The xattr names of fd's file into names (XATTR_LIST_MAX_BYTES): their
 * total length, 0 when the file system keeps none. */
static NTSTATUS list_names(int fd, char *names, size_t *len)
{
	ssize_t n = vfs_xattr_list(fd, names, XATTR_LIST_MAX_BYTES);
	*len = n > 0 ? (size_t)n : 0;
	if (n < 0 && n != -ENOTSUP && n != -EOPNOTSUPP && n != -EBADF && n != -ELOOP)
		return vfs_errno_to_status((int)-n);
	return STATUS_SUCCESS;
}

/* The next stream xattr in names[*off, len): its stream name (in x, which
 * it points into) or NULL at the end. */
static const char *next_stream(char *names, size_t len, size_t *off, const char **x)
{
	size_t pl = strlen(STREAM_PREFIX), sl = strlen(STREAM_SUFFIX);
	while (*off < len) {
		char *n = names + *off;
		size_t xl = strnlen(n, len - *off);
		*off += xl + 1;
		if (xl <= pl + sl || xl - pl - sl > VFS_STREAM_NAME_MAX || strncmp(n, STREAM_PREFIX, pl) ||
		    strcmp(n + xl - sl, STREAM_SUFFIX))
			continue;
		*x = n;
		return n + pl; /* the name runs up to the suffix */
	}
	return NULL;
}

static void copy_name(char out[VFS_STREAM_NAME_MAX + 1], const char *name)
{
	size_t nl = strlen(name) - strlen(STREAM_SUFFIX);
	memcpy(out, name, nl);
	out[nl] = 0;
}

NTSTATUS vfs_stream_list(int fd, struct vfs_stream_list *out)
{
	*out = (struct vfs_stream_list){ 0 };
	if (fd < 0)
		return STATUS_SUCCESS;
	char *names = malloc(XATTR_LIST_MAX_BYTES);
	uint8_t *val = malloc(XATTR_VALUE_MAX_BYTES);
	if (!names || !val) {
		free(names);
		free(val);
		return STATUS_NO_MEMORY;
	}
	size_t len = 0, off = 0, cap = 0;
	NTSTATUS st = list_names(fd, names, &len);
	const char *x, *name;
	while (NT_OK(st) && (name = next_stream(names, len, &off, &x)) != NULL) {
		size_t size = 0;
		if (!NT_OK(load(fd, x, val, &size)))
			continue; /* vanished meanwhile */
		if (out->n == cap) {
			size_t nc = cap ? cap * 2 : 8;
			struct vfs_stream *nv = realloc(out->v, nc * sizeof(*nv));
			if (!nv) {
				st = STATUS_NO_MEMORY;
				break;
			}
			out->v = nv;
			cap = nc;
		}
		struct vfs_stream *s = &out->v[out->n++];
		copy_name(s->name, name);
		s->size = size;
	}
	free(names);
	free(val);
	if (!NT_OK(st))
		vfs_stream_list_free(out);
	return st;
}

NTSTATUS vfs_stream_lookup(int fd, const char *name, char stored[VFS_STREAM_NAME_MAX + 1], uint64_t *size)
{
	char want[XATTR_NAME_MAX_BYTES + 1];
	NTSTATUS st = xattr_name(name, want);
	if (!NT_OK(st))
		return st;
	char *names = malloc(XATTR_LIST_MAX_BYTES);
	if (!names)
		return STATUS_NO_MEMORY;
	size_t len = 0, off = 0;
	st = list_names(fd, names, &len);
	const char *x, *n, *found = NULL;
	char cand[VFS_STREAM_NAME_MAX + 1];
	while (NT_OK(st) && (n = next_stream(names, len, &off, &x)) != NULL) {
		/* the exact spelling wins over a case-insensitive match */
		if (strcmp(x, want) == 0) {
			found = x;
			break;
		}
		copy_name(cand, n);
		if (!found && vfs_name_equal_ci(cand, name))
			found = x;
	}
	if (NT_OK(st) && !found)
		st = STATUS_OBJECT_NAME_NOT_FOUND;
	if (NT_OK(st)) {
		copy_name(stored, found + strlen(STREAM_PREFIX));
		uint8_t *val = malloc(XATTR_VALUE_MAX_BYTES);
		size_t sz = 0;
		st = val ? load(fd, found, val, &sz) : STATUS_NO_MEMORY;
		*size = sz;
		free(val);
	}
	free(names);
	return st;
}

NTSTATUS vfs_stream_create(int fd, const char *name)
{
	char x[XATTR_NAME_MAX_BYTES + 1];
	NTSTATUS st = xattr_name(name, x);
	if (!NT_OK(st))
		return st;
	uint8_t nul = 0;
	return store(fd, x, &nul, 0);
}

NTSTATUS vfs_stream_size(int fd, const char *name, uint64_t *size)
{
	char x[XATTR_NAME_MAX_BYTES + 1];
	uint8_t *buf;
	size_t n;
	NTSTATUS st = load_new(fd, name, x, &buf, &n);
	free(buf);
	*size = n;
	return st;
}

NTSTATUS vfs_stream_read(int fd, const char *name, void *out, size_t n, uint64_t off, size_t *done)
{
	*done = 0;
	char x[XATTR_NAME_MAX_BYTES + 1];
	uint8_t *buf;
	size_t size;
	NTSTATUS st = load_new(fd, name, x, &buf, &size);
	if (NT_OK(st) && off < size) {
		*done = size - off < n ? size - (size_t)off : n;
		memcpy(out, buf + off, *done);
	}
	free(buf);
	return st;
}

/* Read-modify-write of the whole value; the caller serialises writers. */
static NTSTATUS modify(int fd, const char *name, const void *data, size_t n, uint64_t off, bool set_size)
{
	uint64_t end = set_size ? off : off + n;
	if (off > VFS_STREAM_MAX || end > VFS_STREAM_MAX)
		return STATUS_ALLOTTED_SPACE_EXCEEDED; /* Samba's answer past its xattr size */
	char x[XATTR_NAME_MAX_BYTES + 1];
	uint8_t *buf;
	size_t size;
	NTSTATUS st = load_new(fd, name, x, &buf, &size);
	if (NT_OK(st)) {
		if (set_size) {
			if (end > size)
				memset(buf + size, 0, (size_t)end - size);
			size = (size_t)end;
		} else {
			if (off > size)
				memset(buf + size, 0, (size_t)off - size);
			memcpy(buf + off, data, n);
			if (end > size)
				size = (size_t)end;
		}
		st = store(fd, x, buf, size);
	}
	free(buf);
	return st;
}

NTSTATUS vfs_stream_write(int fd, const char *name, const void *data, size_t n, uint64_t off)
{
	if (n == 0)
		return STATUS_SUCCESS;
	return modify(fd, name, data, n, off, false);
}

NTSTATUS vfs_stream_set_size(int fd, const char *name, uint64_t size)
{
	return modify(fd, name, NULL, 0, size, true);
}

NTSTATUS vfs_stream_remove(int fd, const char *name)
{
	char x[XATTR_NAME_MAX_BYTES + 1];
	NTSTATUS st = xattr_name(name, x);
	if (!NT_OK(st))
		return st;
	int rc = vfs_xattr_remove(fd, x);
	if (rc == 0 || rc == -ENODATA)
		return STATUS_SUCCESS;
	return set_status(rc);
}

NTSTATUS vfs_stream_rename(int fd, const char *from, const char *to)
{
	char xf[XATTR_NAME_MAX_BYTES + 1], xt[XATTR_NAME_MAX_BYTES + 1];
	NTSTATUS st = xattr_name(from, xf);
	if (NT_OK(st))
		st = xattr_name(to, xt);
	if (!NT_OK(st))
		return st;
	if (strcmp(xf, xt) == 0)
		return STATUS_SUCCESS;
	uint8_t *buf = malloc(XATTR_VALUE_MAX_BYTES);
	if (!buf)
		return STATUS_NO_MEMORY;
	size_t size = 0;
	st = load(fd, xf, buf, &size);
	if (NT_OK(st))
		st = store(fd, xt, buf, size);
	free(buf);
	if (!NT_OK(st))
		return st;
	int rc = vfs_xattr_remove(fd, xf);
	return rc == 0 || rc == -ENODATA ? STATUS_SUCCESS : set_status(rc);
}
