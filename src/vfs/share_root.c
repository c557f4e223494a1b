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

const char *vfs_share_root_problem(const char *path)
{
	struct stat st;
	if (!path || stat(path, &st) != 0)
		return "does not exist (or cannot be reached)";
	if (!S_ISDIR(st.st_mode))
		return "is not a directory";
	if (access(path, R_OK | X_OK) != 0)
		return "cannot be read";
	return NULL;
}
