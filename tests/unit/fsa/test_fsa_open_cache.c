/* Unit tests for what lets QUERY_INFO and CLOSE run on the event loop: the
 * open's metadata cache (fsa_query_info_cached: used only while the file's
 * ctime is unchanged and old enough, never for EAs it has not seen) and
 * fsa_open_put_nonblocking (a last close only when it cannot delete, set
 * times or free an unlinked inode). Real files in a scratch directory;
 * skipped without user xattr support. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "fsa/fsa.h"
#include "scratch.h"

static const char *in(struct scratch *x, const char *name)
{
	static char p[128];
	snprintf(p, sizeof(p), "%s/%s", x->dir, name);
	return p;
}

static void make_file(struct scratch *x, const char *name, const char *content)
{
	FILE *f = fopen(in(x, name), "w");
	assert_non_null(f);
	fputs(content, f);
	fclose(f);
}

/* The cache ignores files changed in the last 50 ms. */
static void age(void)
{
	struct timespec d = { 0, 120 * 1000000L };
	nanosleep(&d, NULL);
}

static NTSTATUS open_file(struct scratch *x, const char *name, uint32_t access, uint32_t disp, uint32_t options,
			  struct fsa_create_result *r)
{
	char path[128];
	snprintf(path, sizeof(path), "%s", name);
	struct fsa_create_args a = {
		.table = x->t,
		.root = &x->root,
		.path = path,
		.desired_access = access,
		.share_access = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
		.disposition = disp,
		.create_options = options,
		.share_max_access = FILE_ALL_ACCESS,
		.file_attributes = FILE_ATTRIBUTE_NORMAL,
	};
	return fsa_create(&a, r);
}

static void test_query_cache(void **state)
{
	(void)state;
	struct scratch x;
	if (!scratch_open(&x, "qcache"))
		skip();
	if (!x.root.local) {
		scratch_close(&x);
		skip(); /* the cache is for local file systems only */
	}
	make_file(&x, "f", "hello");
	age();
	struct fsa_create_result r;
	assert_true(NT_OK(open_file(&x, "f", FILE_READ_ATTRIBUTES, FILE_OPEN, 0, &r)));
	struct fsa_open *o = r.open;
	/* the open's own metadata, as fsa_query_info reports it */
	struct fsa_info q, c;
	assert_true(NT_OK(fsa_query_info(o, &q)));
	assert_true(r.has_info);
	assert_int_equal(r.info.end_of_file, 5);
	assert_int_equal(r.info.attributes, q.attributes);
	assert_int_equal(r.info.last_write_time, q.last_write_time);
	/* cached, EAs included (it has none) */
	assert_true(fsa_query_info_cached(o, &c, true));
	assert_int_equal(c.end_of_file, 5);
	assert_int_equal(c.attributes, q.attributes);
	assert_int_equal(c.creation_time, q.creation_time);
	assert_int_equal(c.file_id, q.file_id);
	assert_false(c.delete_pending);

	/* a write by another program moves the ctime too: not cached */
	FILE *f = fopen(in(&x, "f"), "a");
	fputs(" world", f);
	fclose(f);
	assert_false(fsa_query_info_cached(o, &c, false));
	assert_true(NT_OK(fsa_query_info(o, &q)));
	assert_int_equal(q.end_of_file, 11);

	/* an attribute set through another open changes the ctime: not cached */
	age();
	assert_true(NT_OK(fsa_query_info(o, &q))); /* fills the cache again */
	assert_true(fsa_query_info_cached(o, &c, false));
	struct fsa_create_result w;
	assert_true(NT_OK(open_file(&x, "f", FILE_WRITE_ATTRIBUTES, FILE_OPEN, 0, &w)));
	assert_true(NT_OK(fsa_set_basic(w.open, 0, 0, 0, 0, FILE_ATTRIBUTE_HIDDEN)));
	assert_false(fsa_query_info_cached(o, &c, false));
	assert_true(NT_OK(fsa_query_info(o, &q)));
	assert_true(q.attributes & FILE_ATTRIBUTE_HIDDEN);
	fsa_open_put(w.open);

	/* an EA another program adds: not cached either */
	age();
	assert_true(NT_OK(fsa_query_info(o, &q)));
	assert_int_equal(setxattr(in(&x, "f"), "user.colour", "red", 3, 0), 0);
	assert_false(fsa_query_info_cached(o, &c, false));
	fsa_open_put(o);

	/* a file with an EA: its EaSize is never taken from the cache */
	age();
	assert_true(NT_OK(open_file(&x, "f", FILE_READ_ATTRIBUTES, FILE_OPEN, 0, &r)));
	assert_true(fsa_query_info_cached(r.open, &c, false));
	assert_false(fsa_query_info_cached(r.open, &c, true));
	fsa_open_put(r.open);

	/* a new file (ctime now) is not cached */
	assert_true(NT_OK(open_file(&x, "new", FILE_READ_DATA | FILE_WRITE_DATA, FILE_CREATE, 0, &r)));
	assert_false(r.has_info);
	assert_true(NT_OK(fsa_query_info(r.open, &q)));
	assert_false(fsa_query_info_cached(r.open, &c, false));
	fsa_open_put(r.open);
	scratch_close(&x);
}

static void test_put_nonblocking(void **state)
{
	(void)state;
	struct scratch x;
	if (!scratch_open(&x, "qcache"))
		skip();
	make_file(&x, "f", "data");
	struct stat sb;
	assert_int_equal(stat(in(&x, "f"), &sb), 0);
	struct fsa_create_result r;

	/* read-only: the last close happens here */
	assert_true(NT_OK(open_file(&x, "f", FILE_READ_DATA, FILE_OPEN, 0, &r)));
	fsa_open_get(r.open);
	assert_true(fsa_open_put_nonblocking(r.open)); /* not the last */
	assert_true(fsa_file_is_open(x.t, sb.st_dev, sb.st_ino));
	assert_true(fsa_open_put_nonblocking(r.open));
	assert_false(fsa_file_is_open(x.t, sb.st_dev, sb.st_ino));

	/* opened for writing: left to fsa_open_put */
	assert_true(NT_OK(open_file(&x, "f", FILE_READ_DATA | FILE_WRITE_DATA, FILE_OPEN, 0, &r)));
	assert_false(fsa_open_put_nonblocking(r.open));
	assert_true(fsa_file_is_open(x.t, sb.st_dev, sb.st_ino));
	fsa_open_put(r.open);
	assert_false(fsa_file_is_open(x.t, sb.st_dev, sb.st_ino));

	/* delete pending through another open: the last close deletes */
	struct fsa_create_result d;
	assert_true(NT_OK(open_file(&x, "f", FILE_READ_DATA, FILE_OPEN, 0, &r)));
	assert_true(NT_OK(open_file(&x, "f", DELETE, FILE_OPEN, FILE_DELETE_ON_CLOSE, &d)));
	assert_false(fsa_open_put_nonblocking(d.open)); /* its own delete-on-close */
	fsa_open_put(d.open);
	assert_int_equal(access(in(&x, "f"), F_OK), 0); /* r still has it open */
	assert_false(fsa_open_put_nonblocking(r.open));
	fsa_open_put(r.open);
	assert_int_equal(access(in(&x, "f"), F_OK), -1);

	/* deleted behind our back: closing would free the inode */
	make_file(&x, "g", "data");
	assert_true(NT_OK(open_file(&x, "g", FILE_READ_DATA, FILE_OPEN, 0, &r)));
	assert_int_equal(unlink(in(&x, "g")), 0);
	assert_false(fsa_open_put_nonblocking(r.open));
	fsa_open_put(r.open);
	scratch_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_query_cache),
		cmocka_unit_test(test_put_nonblocking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
