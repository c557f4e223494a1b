/* Share root checks (see vfs.h). */
#include <sys/stat.h>
#include <unistd.h>

#include "vfs/vfs.h"

bool vfs_share_root_ok(const char *path)
{
	struct stat st;
	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode) && access(path, X_OK) == 0;
}
