/* `veto files` (fsa_path_vetoed, fsa_name_in_list): Samba's "/pat/pat/"
 * lists with * and ?, matched against every component of a path, with the
 * status Samba gives (the last component: OBJECT_NAME_NOT_FOUND; an earlier
 * one: OBJECT_PATH_NOT_FOUND), case-folded on case-insensitive shares. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "fsa/fsa.h"

#define assert_status(got, want) assert_int_equal((got).v, (want).v)

static void test_lists(void **state)
{
	(void)state;
	const char *l = "/*.secret/.git/tmp?/";
	assert_true(fsa_name_in_list(l, "x.secret", false));
	assert_true(fsa_name_in_list(l, ".git", false));
	assert_true(fsa_name_in_list(l, "tmp1", false));
	assert_false(fsa_name_in_list(l, "tmp12", false));
	assert_false(fsa_name_in_list(l, "x.SECRET", false));
	assert_true(fsa_name_in_list(l, "x.SECRET", true));
	assert_false(fsa_name_in_list(l, "secret", false));
	assert_false(fsa_name_in_list(l, ".", false));
	assert_false(fsa_name_in_list(NULL, "x.secret", false));
	assert_false(fsa_name_in_list("", "x.secret", false));
}

static void test_paths(void **state)
{
	(void)state;
	const char *l = "/*.secret/.git/";
	assert_status(fsa_path_vetoed(l, "a/b/c.txt", true), STATUS_SUCCESS);
	assert_status(fsa_path_vetoed(l, "a/b/c.secret", true), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_status(fsa_path_vetoed(l, "a/.git/config", true), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_status(fsa_path_vetoed(l, ".git", true), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_status(fsa_path_vetoed(l, "A/X.Secret", true), STATUS_OBJECT_NAME_NOT_FOUND);
	assert_status(fsa_path_vetoed(l, "A/X.Secret", false), STATUS_SUCCESS);
	assert_status(fsa_path_vetoed(l, "", true), STATUS_SUCCESS); /* the share root */
	assert_status(fsa_path_vetoed(NULL, "x.secret", true), STATUS_SUCCESS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_paths),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
