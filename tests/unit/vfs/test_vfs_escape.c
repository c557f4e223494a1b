/* Confinement tests for src/vfs/: a share root R next to a secret file and
 * directory outside it, symlinks planted directly on disk inside R, every VFS
 * operation tried through every escape route, and a rename race that swaps an
 * in-share directory with a symlink to the outside while paths resolve. */
#include "vfs_test.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include "vfs/dosattrib.h"

#define SECRET_MTIME 1000000000L

struct esc {
	struct tdir t;
	uint64_t secret_ino, secret2_ino;
	bool xattrs;
};

/* T/secret, T/outdir/secret2 outside; R/a/inner inside; links in R. */
static int esc_setup(void **state)
{
	struct esc *e = calloc(1, sizeof(*e));
	struct tdir *t = &e->t;
	tdir_setup(t);
	put_file(tpath(t, "secret"), "SECRET");
	make_dir(tpath(t, "outdir"), 0755);
	put_file(tpath(t, "outdir/secret2"), "SECRET2");
	make_dir(tpath(t, "root/a"), 0755);
	put_file(tpath(t, "root/a/inner"), "inside");

	make_link("../secret", tpath(t, "root/lnk_file_rel"));
	make_link(tpath(t, "secret"), tpath(t, "root/lnk_file_abs"));
	make_link("../outdir", tpath(t, "root/lnk_dir_rel"));
	make_link(tpath(t, "outdir"), tpath(t, "root/lnk_dir_abs"));
	make_link("../newfile", tpath(t, "root/lnk_dang_rel"));
	make_link(tpath(t, "newfile"), tpath(t, "root/lnk_dang_abs"));
	make_link("chain2", tpath(t, "root/chain1"));
	make_link("chain3", tpath(t, "root/chain2"));
	make_link("../secret", tpath(t, "root/chain3"));
	make_link("../..", tpath(t, "root/a/up"));
	make_link("../a/../../secret", tpath(t, "root/a/deep"));
	make_link("/", tpath(t, "root/lnk_root"));
	make_link("loop", tpath(t, "root/loop"));
	make_link("/proc/self/root", tpath(t, "root/lnk_proc"));
	make_link("../lnk_dir_rel", tpath(t, "root/a/via_link"));

	make_link("a/inner", tpath(t, "root/good_file"));
	make_link("a", tpath(t, "root/good_dir"));
	make_link("../a/inner", tpath(t, "root/a/good_up"));
	make_link("good_chain2", tpath(t, "root/good_chain1"));
	make_link("a/inner", tpath(t, "root/good_chain2"));
	make_link(tpath(t, "root/a/inner"), tpath(t, "root/good_abs"));

	e->xattrs = user_xattrs_ok(t->base);
	if (e->xattrs) {
		/* The secret carries DOS attributes: reading them through any
		 * link must not see them. */
		uint8_t blob[VFS_DOSATTRIB_V5_LEN];
		struct vfs_dosinfo d = { .attrs = 0x27, .has_attrs = true };
		size_t n = vfs_dosattrib_encode(&d, blob, sizeof(blob));
		assert_int_equal(setxattr(tpath(t, "secret"), VFS_DOSATTRIB_XATTR, blob, n, 0), 0);
	}
	set_mtime(tpath(t, "secret"), SECRET_MTIME);
	set_mtime(tpath(t, "outdir/secret2"), SECRET_MTIME);
	e->secret_ino = ino_of(tpath(t, "secret"));
	e->secret2_ino = ino_of(tpath(t, "outdir/secret2"));
	*state = e;
	return 0;
}

static int esc_teardown(void **state)
{
	struct esc *e = *state;
	tdir_teardown(&e->t);
	free(e);
	return 0;
}

/* Nothing outside R changed: contents, times, directory entries. */
static void assert_outside_intact(struct esc *e)
{
	struct tdir *t = &e->t;
	char buf[64];
	assert_non_null(get_file(tpath(t, "secret"), buf, sizeof(buf)));
	assert_string_equal(buf, "SECRET");
	assert_non_null(get_file(tpath(t, "outdir/secret2"), buf, sizeof(buf)));
	assert_string_equal(buf, "SECRET2");
	assert_int_equal(get_mtime(tpath(t, "secret")), SECRET_MTIME);
	assert_int_equal(get_mtime(tpath(t, "outdir/secret2")), SECRET_MTIME);
	const char *never[] = { "newfile",       "newdir",         "planted",    "outdir/newfile",
	                       "outdir/newdir", "outdir/planted", "root/stolen" };
	for (size_t i = 0; i < sizeof(never) / sizeof(never[0]); i++) {
		if (exists_nofollow(tpath(t, "%s", never[i])))
			fail_msg("%s was created", never[i]);
	}
	if (e->xattrs) {
		uint8_t blob[64];
		struct vfs_dosinfo d;
		ssize_t n = getxattr(tpath(t, "secret"), VFS_DOSATTRIB_XATTR, blob, sizeof(blob));
		assert_true(n > 0);
		assert_ok(vfs_dosattrib_decode(blob, (size_t)n, &d, NULL));
		assert_int_equal(d.attrs, 0x27);
		assert_false(d.has_create_time);
	}
}

/* Paths that name something outside R (the list is built per test because
 * absolute ones contain the temp dir). */
static int escape_paths(struct esc *e, const char **out, char bufs[][512])
{
	struct tdir *t = &e->t;
	int n = 0;
	out[n++] = "../secret";
	out[n++] = "a/../../secret";
	out[n++] = "../outdir/secret2";
	snprintf(bufs[0], 512, "%s", tpath(t, "secret"));
	out[n++] = bufs[0]; /* absolute */
	snprintf(bufs[1], 512, "%s", tpath(t, "secret") + 1);
	out[n++] = bufs[1]; /* the absolute path made relative: must not exist in R */
	out[n++] = "lnk_file_rel";
	out[n++] = "lnk_file_abs";
	out[n++] = "lnk_dir_rel/secret2";
	out[n++] = "lnk_dir_abs/secret2";
	out[n++] = "chain1";
	out[n++] = "a/up/secret";
	out[n++] = "a/up/outdir/secret2";
	out[n++] = "a/deep";
	snprintf(bufs[2], 512, "lnk_root%s", tpath(t, "secret"));
	out[n++] = bufs[2];
	out[n++] = "lnk_proc/etc/hostname";
	out[n++] = "good_dir/up/secret"; /* in-share link, then an escaping one */
	out[n++] = "a/via_link/secret2"; /* a link to an escaping link */
	out[n++] = "loop";
	out[n++] = "/etc/passwd";
	return n;
}

/* An open or stat that succeeded without following may only have reached
 * the planted link itself, never what it points at. */
static void assert_is_link_not_secret(struct esc *e, const struct vfs_stat *st, const char *path)
{
	if (!S_ISLNK(st->mode))
		fail_msg("%s: reached a non-link object outside (mode %o)", path, st->mode);
	assert_true(st->ino != e->secret_ino && st->ino != e->secret2_ino);
}

static void test_escape_read_stat(void **state)
{
	struct esc *e = *state;
	struct vfs_root *r = &e->t.r;
	const char *paths[32];
	char bufs[3][512];
	int n = escape_paths(e, paths, bufs);
	const int open_flags[] = { O_RDONLY, O_RDWR, O_WRONLY | O_TRUNC, O_RDONLY | O_DIRECTORY,
				   O_PATH, O_RDONLY | O_NOFOLLOW, O_WRONLY | O_APPEND };

	for (int i = 0; i < n; i++) {
		const char *p = paths[i];
		int fd = -1;
		struct vfs_stat st;
		for (size_t k = 0; k < sizeof(open_flags) / sizeof(open_flags[0]); k++) {
			NTSTATUS s = vfs_open(r, p, open_flags[k], 0, &fd);
			if (NT_OK(s))
				fail_msg("vfs_open(%s, %#x) succeeded", p, open_flags[k]);
			assert_int_equal(fd, -1);
		}
		if (NT_OK(vfs_stat_path(r, p, true, &st)))
			fail_msg("vfs_stat_path(%s, follow) succeeded", p);
		/* Not following: only a final link itself may be reached. */
		if (NT_OK(vfs_open(r, p, O_PATH | O_NOFOLLOW, 0, &fd))) {
			assert_ok(vfs_fstat(fd, &st));
			assert_is_link_not_secret(e, &st, p);
			/* Its times and DOS attributes are the link's, not the
			 * secret's. */
			struct timespec ts = { .tv_sec = 12345 };
			(void)vfs_set_times(fd, &ts, &ts);
			struct vfs_dosinfo d = { .attrs = 0x1, .has_attrs = true };
			assert_status(vfs_set_dosinfo(fd, &d), STATUS_ACCESS_DENIED);
			assert_ok(vfs_get_dosinfo(fd, &d));
			assert_false(d.has_attrs);
			vfs_close(fd);
		}
		if (NT_OK(vfs_stat_path(r, p, false, &st)))
			assert_is_link_not_secret(e, &st, p);
	}
	/* Directory-relative calls on the root fd see the links themselves. */
	struct vfs_stat st;
	struct vfs_dosinfo d;
	int rfd = -1;
	assert_ok(vfs_open(r, "", O_RDONLY | O_DIRECTORY, 0, &rfd));
	assert_ok(vfs_stat_at(rfd, "lnk_file_rel", &st));
	assert_is_link_not_secret(e, &st, "lnk_file_rel");
	assert_ok(vfs_get_dosinfo_at(rfd, "lnk_file_rel", &d));
	assert_false(d.has_attrs);
	assert_ok(vfs_get_dosinfo_at(rfd, "chain1", &d));
	assert_false(d.has_attrs);
	assert_status(vfs_get_dosinfo_at(rfd, "..", &d), STATUS_OBJECT_NAME_INVALID);
	assert_status(vfs_stat_at(rfd, "../secret", &st), STATUS_OBJECT_NAME_INVALID);
	vfs_close(rfd);
	assert_outside_intact(e);
}

static void test_escape_statuses(void **state)
{
	struct esc *e = *state;
	struct vfs_root *r = &e->t.r;
	struct vfs_stat st;
	int fd;
	/* The documented choices: syntax errors, escapes, loops. */
	assert_status(vfs_stat_path(r, "../secret", true, &st), STATUS_OBJECT_NAME_INVALID);
	assert_status(vfs_stat_path(r, "/etc/passwd", true, &st), STATUS_OBJECT_NAME_INVALID);
	assert_status(vfs_stat_path(r, "lnk_file_rel", true, &st), STATUS_ACCESS_DENIED);
	assert_status(vfs_stat_path(r, "lnk_file_abs", true, &st), STATUS_ACCESS_DENIED);
	assert_status(vfs_stat_path(r, "lnk_dir_rel/secret2", true, &st), STATUS_ACCESS_DENIED);
	assert_status(vfs_stat_path(r, "a/up/secret", true, &st), STATUS_ACCESS_DENIED);
	assert_status(vfs_stat_path(r, "good_abs", true, &st), STATUS_ACCESS_DENIED);
	assert_status(vfs_stat_path(r, "lnk_proc/etc/hostname", true, &st), STATUS_ACCESS_DENIED);
	assert_status(vfs_stat_path(r, "loop", true, &st), STATUS_OBJECT_PATH_NOT_FOUND);
	assert_status(vfs_open(r, "lnk_dang_rel", O_RDONLY, 0, &fd), STATUS_ACCESS_DENIED);
	assert_status(vfs_open(r, "lnk_file_rel", O_RDONLY | O_NOFOLLOW, 0, &fd), STATUS_STOPPED_ON_SYMLINK);
}

static void test_escape_create_mkdir(void **state)
{
	struct esc *e = *state;
	struct vfs_root *r = &e->t.r;
	int fd = -1;
	const char *creates[] = { "../newfile",          "lnk_dang_rel", "lnk_dang_abs",        "lnk_dir_rel/newfile",
	                         "lnk_dir_abs/newfile", "a/up/newfile", "a/up/outdir/newfile", "a/via_link/newfile",
	                         "lnk_file_rel",        "chain1" };
	for (size_t i = 0; i < sizeof(creates) / sizeof(creates[0]); i++) {
		const int fl[] = { O_WRONLY | O_CREAT, O_RDWR | O_CREAT | O_TRUNC, O_WRONLY | O_CREAT | O_EXCL };
		for (size_t k = 0; k < 3; k++) {
			if (NT_OK(vfs_open(r, creates[i], fl[k], 0644, &fd)))
				fail_msg("create %s (%#x) succeeded", creates[i], fl[k]);
		}
	}
	/* O_EXCL never follows a final link: the name is taken. */
	assert_status(vfs_open(r, "lnk_dang_rel", O_WRONLY | O_CREAT | O_EXCL, 0644, &fd),
	              STATUS_OBJECT_NAME_COLLISION);
	const char *dirs[] = { "../newdir",          "lnk_dir_rel/newdir", "lnk_dir_abs/newdir", "a/up/newdir",
	                      "a/up/outdir/newdir", "lnk_dang_rel",       "lnk_dang_abs" };
	for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (NT_OK(vfs_mkdir(r, dirs[i], 0755)))
			fail_msg("mkdir %s succeeded", dirs[i]);
	}
	char p[600];
	snprintf(p, sizeof(p), "lnk_root%s", tpath(&e->t, "newdir"));
	assert_false(NT_OK(vfs_mkdir(r, p, 0755)));
	assert_false(NT_OK(vfs_mkdir(r, tpath(&e->t, "newdir"), 0755)));
	assert_outside_intact(e);
}

static void test_escape_unlink_rename_link(void **state)
{
	struct esc *e = *state;
	struct tdir *t = &e->t;
	struct vfs_root *r = &t->r;
	char abs_secret[512];
	snprintf(abs_secret, sizeof(abs_secret), "%s", tpath(t, "secret"));

	const char *victims[] = { "../secret",   "lnk_dir_rel/secret2", "lnk_dir_abs/secret2",
	                         "a/up/secret", "a/up/outdir/secret2", "a/via_link/secret2",
	                         abs_secret };
	for (size_t i = 0; i < sizeof(victims) / sizeof(victims[0]); i++) {
		if (NT_OK(vfs_unlink(r, victims[i], false)))
			fail_msg("unlink %s succeeded", victims[i]);
		if (NT_OK(vfs_rename(r, victims[i], "stolen", true)))
			fail_msg("rename %s into the share succeeded", victims[i]);
		if (NT_OK(vfs_link(r, victims[i], "stolen", true)))
			fail_msg("link %s into the share succeeded", victims[i]);
	}
	const char *dests[] = { "../planted",   "lnk_dir_rel/planted", "lnk_dir_abs/planted",
	                       "a/up/planted", "a/up/outdir/planted", "a/via_link/planted" };
	for (size_t i = 0; i < sizeof(dests) / sizeof(dests[0]); i++) {
		if (NT_OK(vfs_rename(r, "a/inner", dests[i], false)))
			fail_msg("rename out to %s succeeded", dests[i]);
		if (NT_OK(vfs_link(r, "a/inner", dests[i], false)))
			fail_msg("link out to %s succeeded", dests[i]);
	}
	assert_true(exists_nofollow(tpath(t, "root/a/inner")));
	assert_outside_intact(e);

	/* Acting on a planted link moves or removes the link, not the target. */
	assert_ok(vfs_rename(r, "lnk_file_rel", "moved_link", false));
	int fd;
	assert_false(NT_OK(vfs_open(r, "moved_link", O_RDONLY, 0, &fd)));
	assert_ok(vfs_link(r, "moved_link", "linked_link", false));
	assert_false(NT_OK(vfs_open(r, "linked_link", O_RDONLY, 0, &fd)));
	assert_ok(vfs_unlink(r, "moved_link", false));
	assert_ok(vfs_unlink(r, "linked_link", false));
	assert_ok(vfs_unlink(r, "lnk_dir_rel", false));
	assert_outside_intact(e);
}

static void test_escape_case_resolve(void **state)
{
	struct esc *e = *state;
	struct vfs_root *r = &e->t.r;
	char out[4096];
	/* Names behind an escaping link are never listed or matched. */
	assert_status(vfs_resolve_case(r, "lnk_dir_rel/SECRET2", out, sizeof(out)), STATUS_ACCESS_DENIED);
	assert_status(vfs_resolve_case(r, "LNK_DIR_ABS/Secret2", out, sizeof(out)), STATUS_ACCESS_DENIED);
	assert_status(vfs_resolve_case(r, "A/UP/SECRET", out, sizeof(out)), STATUS_ACCESS_DENIED);
	assert_status(vfs_resolve_case(r, "a/up/OUTDIR/x", out, sizeof(out)), STATUS_ACCESS_DENIED);
	assert_status(vfs_resolve_case(r, "../SECRET", out, sizeof(out)), STATUS_OBJECT_NAME_INVALID);
	assert_status(vfs_resolve_case(r, "/tmp", out, sizeof(out)), STATUS_OBJECT_NAME_INVALID);
	/* The link itself is a name inside the share. */
	assert_ok(vfs_resolve_case(r, "LNK_FILE_REL", out, sizeof(out)));
	assert_string_equal(out, "lnk_file_rel");
	assert_ok(vfs_resolve_case(r, "GOOD_DIR/INNER", out, sizeof(out)));
	assert_string_equal(out, "good_dir/inner");
	assert_outside_intact(e);
}

static void test_in_share_links_work(void **state)
{
	struct esc *e = *state;
	struct vfs_root *r = &e->t.r;
	const char *good[] = { "good_file", "good_dir/inner", "a/good_up", "good_chain1", "good_dir/good_up" };
	uint64_t inner = ino_of(tpath(&e->t, "root/a/inner"));
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		int fd = -1;
		char buf[16] = { 0 };
		size_t done;
		struct vfs_stat st;
		assert_ok(vfs_open(r, good[i], O_RDONLY, 0, &fd));
		assert_ok(vfs_pread(fd, buf, sizeof(buf) - 1, 0, &done));
		assert_string_equal(buf, "inside");
		vfs_close(fd);
		assert_ok(vfs_stat_path(r, good[i], true, &st));
		assert_int_equal(st.ino, inner);
	}
	int fd = -1;
	assert_ok(vfs_open(r, "good_dir/created", O_WRONLY | O_CREAT | O_EXCL, 0644, &fd));
	vfs_close(fd);
	assert_true(exists_nofollow(tpath(&e->t, "root/a/created")));
	assert_ok(vfs_mkdir(r, "good_dir/sub", 0755));
	assert_true(exists_nofollow(tpath(&e->t, "root/a/sub")));
	assert_outside_intact(e);
}

/* ---- the rename race ---- */

struct race {
	int rootfd;
	atomic_bool stop;
	atomic_long swaps;
};

static void *swapper(void *arg)
{
	struct race *rc = arg;
	while (!atomic_load(&rc->stop)) {
		if (renameat2(rc->rootfd, "d", rc->rootfd, "e", RENAME_EXCHANGE) == 0)
			atomic_fetch_add(&rc->swaps, 1);
	}
	return NULL;
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void race_round(struct esc *e, const char *link_target)
{
	struct tdir *t = &e->t;
	struct vfs_root *r = &t->r;
	unlink(tpath(t, "root/e"));
	make_link(link_target, tpath(t, "root/e"));
	uint64_t out_ino = ino_of(tpath(t, "outdir/f"));
	struct race rc = { .rootfd = open(t->root, O_PATH | O_DIRECTORY | O_CLOEXEC) };
	assert_true(rc.rootfd >= 0);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, swapper, &rc), 0);

	long ok = 0, failed = 0, leaked = 0, iters = 0;
	double start = now_s();
	while (iters < 20000 || ((ok == 0 || failed == 0) && now_s() - start < 20)) {
		int fd = -1;
		char buf[32] = { 0 };
		size_t done = 0;
		struct vfs_stat st;
		iters++;
		if (NT_OK(vfs_open(r, "d/f", O_RDONLY, 0, &fd))) {
			ok++;
			if (NT_OK(vfs_pread(fd, buf, sizeof(buf) - 1, 0, &done)) && strncmp(buf, "inside", 6) != 0)
				leaked++;
			vfs_close(fd);
		} else {
			failed++;
		}
		if (NT_OK(vfs_stat_path(r, "d/f", true, &st)) && st.ino == out_ino)
			leaked++;
		/* A case-insensitive scan of d must never list the outside. */
		char spelled[64];
		if (NT_OK(vfs_resolve_case(r, "d/OUTSIDE_ONLY", spelled, sizeof(spelled))) &&
		    strcmp(spelled, "d/OUTSIDE_ONLY") != 0)
			leaked++;
		if (NT_OK(vfs_open(r, "d/f", O_WRONLY | O_APPEND, 0, &fd))) {
			struct vfs_stat fs;
			if (NT_OK(vfs_fstat(fd, &fs)) && fs.ino == out_ino)
				leaked++;
			vfs_close(fd);
		}
	}
	atomic_store(&rc.stop, true);
	pthread_join(th, NULL);
	struct stat dst;
	assert_int_equal(lstat(tpath(t, "root/d"), &dst), 0);
	if (S_ISLNK(dst.st_mode)) /* put the directory back under its name */
		assert_int_equal(renameat2(rc.rootfd, "d", rc.rootfd, "e", RENAME_EXCHANGE), 0);
	close(rc.rootfd);
	print_message("race via %s: %ld lookups, %ld opened (in-share), %ld refused, %ld swaps\n", link_target, iters,
	              ok, failed, atomic_load(&rc.swaps));
	assert_int_equal(leaked, 0);
	assert_true(atomic_load(&rc.swaps) > 0);
	assert_true(ok > 0);
	assert_true(failed > 0);
	char buf[32];
	assert_non_null(get_file(tpath(t, "outdir/f"), buf, sizeof(buf)));
	assert_string_equal(buf, "SECRET-F");
}

static void test_rename_race(void **state)
{
	struct esc *e = *state;
	struct tdir *t = &e->t;
	put_file(tpath(t, "outdir/f"), "SECRET-F");
	put_file(tpath(t, "outdir/outside_only"), "x");
	make_dir(tpath(t, "root/d"), 0755);
	put_file(tpath(t, "root/d/f"), "inside");
	make_link("../outdir", tpath(t, "root/e"));
	race_round(e, "../outdir");
	race_round(e, tpath(t, "outdir"));
	race_round(e, "a/up/outdir");
	assert_outside_intact(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_escape_read_stat, esc_setup, esc_teardown),
		cmocka_unit_test_setup_teardown(test_escape_statuses, esc_setup, esc_teardown),
		cmocka_unit_test_setup_teardown(test_escape_create_mkdir, esc_setup, esc_teardown),
		cmocka_unit_test_setup_teardown(test_escape_unlink_rename_link, esc_setup, esc_teardown),
		cmocka_unit_test_setup_teardown(test_escape_case_resolve, esc_setup, esc_teardown),
		cmocka_unit_test_setup_teardown(test_in_share_links_work, esc_setup, esc_teardown),
		cmocka_unit_test_setup_teardown(test_rename_race, esc_setup, esc_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
