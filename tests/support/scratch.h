/* A scratch share for fsa/ unit tests: a fresh directory under /tmp opened
 * as a share root, and a file table. Test-only (cmocka assertions). */
#ifndef SMB3D_TESTS_SCRATCH_H
#define SMB3D_TESTS_SCRATCH_H

#include <stdbool.h>

#include "fsa/fsa.h"

struct scratch {
	char dir[64];
	struct vfs_root root;
	struct fsa_table *t;
};

/* Makes /tmp/smb3d-TAG-XXXXXX; false (nothing left behind) when its file
 * system has no user xattrs, which the caller's test then skips. */
bool scratch_open(struct scratch *x, const char *tag);
/* Frees the table, closes the root and removes the directory. */
void scratch_close(struct scratch *x);

#endif
