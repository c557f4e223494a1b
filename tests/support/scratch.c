#include "scratch.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

bool scratch_open(struct scratch *x, const char *tag)
{
	snprintf(x->dir, sizeof(x->dir), "/tmp/smb3d-%s-XXXXXX", tag);
	assert_non_null(mkdtemp(x->dir));
	if (setxattr(x->dir, "user.probe", "x", 1, 0) < 0) {
		rmdir(x->dir);
		return false;
	}
	removexattr(x->dir, "user.probe");
	assert_true(NT_OK(vfs_root_open(x->dir, &x->root)));
	x->t = fsa_table_new();
	return true;
}

void scratch_close(struct scratch *x)
{
	fsa_table_free(x->t);
	vfs_root_close(&x->root);
	char cmd[128];
	snprintf(cmd, sizeof(cmd), "rm -rf %s", x->dir);
	assert_int_equal(system(cmd), 0);
}
