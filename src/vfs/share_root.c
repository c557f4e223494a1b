/* The configuration-time share root check used by tree connect (see
 * vfs.h); per-request confinement lives in path.c. */
#include <sys/stat.h>
#include <unistd.h>

#include "vfs/vfs.h"

bool vfs_share_root_ok(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode) && access(path, X_OK) == 0;
}
