/* The Linux file-system backend: the only layer that makes file-system
 * syscalls. (This slice: share root checks; the full backend with
 * openat2(RESOLVE_BENEATH) path resolution follows with file commands.) */
#ifndef SMB3D_VFS_VFS_H
#define SMB3D_VFS_VFS_H

#include <stdbool.h>

/* true if path is an existing, searchable directory. */
bool vfs_share_root_ok(const char *path);

#endif
