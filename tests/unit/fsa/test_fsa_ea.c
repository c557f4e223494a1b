/* Unit tests for EA names and sizes (fsa/ea.c) and EA storage as user.*
 * xattrs (vfs/ea.c) on a real file (skipped without user xattr support). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsa/fsa.h"

static void test_names(void **state)
{
	(void)state;
	char out[VFS_EA_NAME_MAX + 1];
	assert_true(NT_OK(fsa_ea_name_check((const uint8_t *)"eaOne", 5, out)));
	assert_string_equal(out, "EAONE");
	const char *bad[] = { "a*b", "a:b", "a\\b", "a/b", "a?b", "a|b", "a\"b", "a<b", "a+b", "a,b", "a;b", "a=b", "a[b" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_true(NT_EQ(fsa_ea_name_check((const uint8_t *)bad[i], strlen(bad[i]), out),
				  STATUS_INVALID_EA_NAME));
	assert_true(NT_EQ(fsa_ea_name_check((const uint8_t *)"", 0, out), STATUS_INVALID_EA_NAME));
	uint8_t ctl[2] = { 'a', 0x01 };
	assert_true(NT_EQ(fsa_ea_name_check(ctl, 2, out), STATUS_INVALID_EA_NAME));
	uint8_t longname[256];
	memset(longname, 'A', sizeof(longname));
	assert_true(NT_OK(fsa_ea_name_check(longname, 255, out)));
	assert_true(NT_EQ(fsa_ea_name_check(longname, 256, out), STATUS_INVALID_EA_NAME));
}

static void test_store_list_size(void **state)
{
	(void)state;
	char path[] = "/tmp/smb3d-ea-XXXXXX";
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	if (fsetxattr(fd, "user.probe", "x", 1, 0) < 0) {
		close(fd);
		unlink(path);
		skip();
	}
	fremovexattr(fd, "user.probe");
	/* bookkeeping xattrs are never listed, nor settable as EAs */
	assert_int_equal(fsetxattr(fd, "user.DOSATTRIB", "x", 1, 0), 0);
	assert_int_equal(fsetxattr(fd, "user.smb3d.ntacl", "x", 1, 0), 0);
	assert_true(NT_EQ(vfs_ea_set(fd, "SMB3D.NTACL", (const uint8_t *)"y", 1), STATUS_ACCESS_DENIED));
	assert_true(NT_EQ(vfs_ea_set(fd, "user.smb3d.ntacl", (const uint8_t *)"y", 1), STATUS_ACCESS_DENIED));
	assert_true(NT_OK(vfs_ea_set(fd, "EAONE", (const uint8_t *)"VALUE1", 6)));
	assert_true(NT_OK(vfs_ea_set(fd, "SECONDEA", (const uint8_t *)"ValueTwo", 8)));
	struct vfs_ea_list l;
	assert_true(NT_OK(vfs_ea_list(fd, &l)));
	assert_int_equal(l.n, 2);
	int seen = 0;
	for (size_t i = 0; i < l.n; i++) {
		if (!strcmp(l.v[i].name, "EAONE") && l.v[i].len == 6 && !memcmp(l.v[i].value, "VALUE1", 6))
			seen |= 1;
		if (!strcmp(l.v[i].name, "SECONDEA") && l.v[i].len == 8)
			seen |= 2;
	}
	assert_int_equal(seen, 3);
	/* entries 8 + name + NUL + value, 4-aligned but the last */
	assert_int_equal(fsa_ea_size(&l), ((8 + 5 + 1 + 6 + 3) & ~3) + 8 + 8 + 1 + 8);
	vfs_ea_list_free(&l);
	/* an empty value removes; removing a missing one is fine */
	assert_true(NT_OK(vfs_ea_set(fd, "EAONE", NULL, 0)));
	assert_true(NT_OK(vfs_ea_set(fd, "EAONE", NULL, 0)));
	assert_true(NT_OK(vfs_ea_list(fd, &l)));
	assert_int_equal(l.n, 1);
	vfs_ea_list_free(&l);
	close(fd);
	unlink(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_store_list_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
