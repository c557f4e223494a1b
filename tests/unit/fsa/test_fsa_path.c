/* Unit tests for share-relative path checks and ".." resolution
 * (fsa_check_path in fsa/file.c). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "fsa/fsa.h"

static void expect_path(const char *in, const char *want)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", in);
	NTSTATUS st = fsa_check_path(buf);
	if (!NT_OK(st))
		fail_msg("%s: %s", in, nt_status_name(st));
	assert_string_equal(buf, want);
}

static void expect_status(const char *in, NTSTATUS want)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", in);
	NTSTATUS st = fsa_check_path(buf);
	if (!NT_EQ(st, want))
		fail_msg("%s: got %s, want %s", in, nt_status_name(st), nt_status_name(want));
}

static void test_plain(void **state)
{
	(void)state;
	expect_path("", "");
	expect_path("a", "a");
	expect_path("a/b c/d.", "a/b c/d.");
	expect_path("..a/b..", "..a/b..");
}

static void test_dotdot(void **state)
{
	(void)state;
	expect_path("a/..", "");
	expect_path("a/../b", "b");
	expect_path("tree/zqy/..", "tree");
	expect_path("a/b/../../c/d/../e", "c/e");
	expect_path("abc/de/../fg", "abc/fg");
	expect_path("a/b/c/../..", "a");
}

static void test_refused(void **state)
{
	(void)state;
	/* climbing above the share root */
	expect_status("..", STATUS_OBJECT_PATH_SYNTAX_BAD);
	expect_status("../a", STATUS_OBJECT_PATH_SYNTAX_BAD);
	expect_status("a/../..", STATUS_OBJECT_PATH_SYNTAX_BAD);
	expect_status("a/../../etc/passwd", STATUS_OBJECT_PATH_SYNTAX_BAD);
	expect_status("a/b/../../../x", STATUS_OBJECT_PATH_SYNTAX_BAD);
	/* "." components and empty ones */
	expect_status("a/./b", STATUS_OBJECT_PATH_SYNTAX_BAD);
	expect_status("a//b", STATUS_OBJECT_NAME_INVALID);
	expect_status("/a", STATUS_OBJECT_NAME_INVALID);
	/* forbidden characters, even in a component ".." removes */
	expect_status("a*/../b", STATUS_OBJECT_NAME_INVALID);
	expect_status("a/b?", STATUS_OBJECT_NAME_INVALID);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_dotdot),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
