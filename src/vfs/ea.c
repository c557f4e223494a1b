/* Extended attributes ([MS-FSCC] 2.4.15) kept as user.<NAME> xattrs, the
 * mapping Samba uses, so EAs written by either server read back in the
 * other. smb3d's and Samba's own bookkeeping xattrs are never shown. */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "vfs/dosattrib.h"
#include "vfs/vfs_int.h"

#define XATTR_LIST_MAX_BYTES 65536

static bool hidden_name(const char *n)
{
	return !strcasecmp(n, "DOSATTRIB") || !strncasecmp(n, "smb3d.", 6) || !strncasecmp(n, "DosStream.", 10) ||
	       !strncasecmp(n, "SAMBA_", 6);
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
	ssize_t n = vfs_xattr_list(fd, names, XATTR_LIST_MAX_BYTES);
	if (n < 0) {
		free(names);
		/* no xattrs here, or a symlink (which holds none) */
		if (n == -ENOTSUP || n == -EOPNOTSUPP || n == -EBADF || n == -ELOOP)
			return STATUS_SUCCESS;
		return vfs_errno_to_status((int)-n);
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
		ssize_t vl = vfs_xattr_get(fd, x, val, VFS_EA_VALUE_MAX);
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

bool vfs_xattrs_present(int fd, struct vfs_xattrs_seen *seen)
{
	*seen = (struct vfs_xattrs_seen){ 0 };
	if (fd < 0)
		return false;
	char names[1024];
	ssize_t n = vfs_xattr_list(fd, names, sizeof(names));
	if (n < 0)
		return false;
	for (ssize_t off = 0; off < n;) {
		const char *x = names + off;
		size_t xl = strnlen(x, (size_t)(n - off));
		off += (ssize_t)xl + 1;
		if (!strcmp(x, VFS_NTACL_XATTR))
			seen->ntacl = true;
		else if (!strcmp(x, VFS_DOSATTRIB_XATTR))
			seen->dosattrib = true;
		else if (!strncmp(x, "user.", 5) && xl - 5 > 0 && xl - 5 <= VFS_EA_NAME_MAX && !hidden_name(x + 5))
			seen->eas = true; /* as vfs_ea_list */
	}
	return true;
}

bool vfs_ea_none(int fd)
{
	if (fd < 0)
		return true;
	struct vfs_xattrs_seen seen;
	return vfs_xattrs_present(fd, &seen) && !seen.eas;
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
	int rc = len ? vfs_xattr_set(fd, x, value, len) : vfs_xattr_remove(fd, x);
	if (rc == 0 || (!len && rc == -ENODATA))
		return STATUS_SUCCESS;
	if (rc == -ENOTSUP || rc == -EOPNOTSUPP)
		return STATUS_EAS_NOT_SUPPORTED;
	if (rc == -ENOSPC || rc == -E2BIG)
		return STATUS_EA_TOO_LARGE;
	if (rc == -ELOOP)
		rc = -EBADF; /* a symlink: as the O_PATH fd itself answers */
	return vfs_errno_to_status(-rc);
}
