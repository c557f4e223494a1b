/* Unit tests for stream names (fsa_stream_split, and smb2_name_to_path
 * which applies it to client names), stream storage in Samba's
 * vfs_streams_xattr layout (vfs/stream.c) on a real file, and stream opens
 * through fsa_create in a scratch directory: sharing per stream, DELETE of
 * the file against open streams, I/O, delete-on-close of a stream, the file
 * outliving its delete while a stream is open (skipped without user xattr
 * support). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>
#include <cmocka.h>

#include "base/utf16.h"
#include "commands/file_common.h"
#include "fsa/fsa.h"
#include "scratch.h"

struct split_case {
	const char *in;
	uint32_t status;
	const char *path;
	int kind;
	const char *stream;
};

static void test_split(void **state)
{
	(void)state;
	static const struct split_case cases[] = {
		{ "dir/file.txt", 0, "dir/file.txt", FSA_STREAM_NONE, "" },
		{ "dir/file.txt:Stream One", 0, "dir/file.txt", FSA_STREAM_NAMED, "Stream One" },
		{ "f:Second Stream:$DaTa", 0, "f", FSA_STREAM_NAMED, "Second Stream" },
		{ "f::$DATA", 0, "f", FSA_STREAM_DEFAULT, "" },
		{ ":AfterRename:$DATA", 0, "", FSA_STREAM_NAMED, "AfterRename" },
		/* controls and wildcards are valid in stream names */
		{ "f:\x05Stream\n One", 0, "f", FSA_STREAM_NAMED, "\x05Stream\n One" },
		{ "f:?Stream*", 0, "f", FSA_STREAM_NAMED, "?Stream*" },
		{ "f:", 0xC0000033, NULL, 0, NULL },		/* no name, no type */
		{ "f:s:", 0xC0000033, NULL, 0, NULL },		/* empty type */
		{ "f:s:$FOO", 0xC0000033, NULL, 0, NULL },	/* only $DATA */
		{ "f:s:?D*a", 0xC0000033, NULL, 0, NULL },
		{ "f:s:$DATA:x", 0xC0000033, NULL, 0, NULL },	/* a third colon */
		{ "f:Stream:0x3A:$DATA", 0xC0000033, NULL, 0, NULL },
		{ "f:a/b", 0xC0000033, NULL, 0, NULL },		/* no separators: no escape */
		{ "f:a\\b", 0xC0000033, NULL, 0, NULL },
		{ "dir:x/file", 0xC0000033, NULL, 0, NULL },	/* a colon in a directory */
		{ "f:../../etc/passwd", 0xC0000033, NULL, 0, NULL },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct split_case *c = &cases[i];
		char path[512];
		snprintf(path, sizeof(path), "%s", c->in);
		struct fsa_stream_name sn;
		NTSTATUS st = fsa_stream_split(path, &sn);
		if (st.v != c->status)
			fail_msg("%s: status 0x%08x, want 0x%08x", c->in, st.v, c->status);
		if (!NT_OK(st))
			continue;
		assert_string_equal(path, c->path);
		assert_int_equal(sn.kind, c->kind);
		assert_string_equal(sn.name, c->stream);
	}
}

static void test_split_lengths(void **state)
{
	(void)state;
	char path[1024], name[400];
	/* 234 bytes fit the xattr name ("user.DosStream." + name + ":$DATA") */
	memset(name, 'a', VFS_STREAM_NAME_MAX);
	name[VFS_STREAM_NAME_MAX] = 0;
	struct fsa_stream_name sn;
	snprintf(path, sizeof(path), "f:%s", name);
	assert_true(NT_OK(fsa_stream_split(path, &sn)));
	assert_int_equal(strlen(sn.name), VFS_STREAM_NAME_MAX);
	memset(name, 'a', VFS_STREAM_NAME_MAX + 1);
	name[VFS_STREAM_NAME_MAX + 1] = 0;
	snprintf(path, sizeof(path), "f:%s", name);
	assert_true(NT_EQ(fsa_stream_split(path, &sn), STATUS_OBJECT_NAME_INVALID));
}

static NTSTATUS name16(const char *s, char *path, size_t cap, struct fsa_stream_name *sn)
{
	uint8_t buf[1024];
	long n = utf8_to_utf16le(s, buf, sizeof(buf));
	assert_true(n >= 0);
	return smb2_name_to_path(buf, (size_t)n, path, cap, sn);
}

static void test_client_names(void **state)
{
	(void)state;
	char path[512];
	struct fsa_stream_name sn;
	assert_true(NT_OK(name16("teststreams\\stream.txt:Stream One", path, sizeof(path), &sn)));
	assert_string_equal(path, "teststreams/stream.txt");
	assert_string_equal(sn.name, "Stream One");
	/* a backslash in the stream part is refused, not taken as a separator */
	assert_true(NT_EQ(name16("f:a\\b", path, sizeof(path), &sn), STATUS_OBJECT_NAME_INVALID));
	/* wildcards in the file part stay invalid (smb2.streams.names) */
	assert_true(NT_EQ(name16("d\\stream*:?Stream*:$DATA", path, sizeof(path), &sn), STATUS_OBJECT_NAME_INVALID));
	/* callers that take no stream refuse one */
	assert_true(NT_EQ(name16("f:s", path, sizeof(path), NULL), STATUS_OBJECT_NAME_INVALID));
	assert_true(NT_OK(name16("dir\\f", path, sizeof(path), NULL)));
}

static int tmpfile_with_xattrs(char *path)
{
	int fd = mkstemp(path);
	assert_true(fd >= 0);
	if (fsetxattr(fd, "user.probe", "x", 1, 0) < 0) {
		close(fd);
		unlink(path);
		return -1;
	}
	fremovexattr(fd, "user.probe");
	return fd;
}

static void test_storage(void **state)
{
	(void)state;
	char path[] = "/tmp/smb3d-stream-XXXXXX";
	int fd = tmpfile_with_xattrs(path);
	if (fd < 0)
		skip();
	char stored[VFS_STREAM_NAME_MAX + 1];
	uint64_t size = 99;
	assert_true(NT_EQ(vfs_stream_lookup(fd, "Stream One", stored, &size), STATUS_OBJECT_NAME_NOT_FOUND));
	assert_true(NT_OK(vfs_stream_create(fd, "Stream One")));
	/* Samba's layout: the data and one NUL under user.DosStream.<name>:$DATA */
	uint8_t raw[64];
	assert_int_equal(fgetxattr(fd, "user.DosStream.Stream One:$DATA", raw, sizeof(raw)), 1);
	assert_int_equal(raw[0], 0);
	assert_true(NT_OK(vfs_stream_write(fd, "Stream One", "test data", 9, 0)));
	assert_true(NT_OK(vfs_stream_write(fd, "Stream One", "MORE DATA ", 10, 5)));
	assert_int_equal(fgetxattr(fd, "user.DosStream.Stream One:$DATA", raw, sizeof(raw)), 16);
	assert_memory_equal(raw, "test MORE DATA \0", 16);
	/* names match case-insensitively; the stored spelling comes back */
	assert_true(NT_OK(vfs_stream_lookup(fd, "STREAM ONE", stored, &size)));
	assert_string_equal(stored, "Stream One");
	assert_int_equal(size, 15);
	char buf[32];
	size_t done;
	assert_true(NT_OK(vfs_stream_read(fd, "Stream One", buf, sizeof(buf), 5, &done)));
	assert_int_equal(done, 10);
	assert_memory_equal(buf, "MORE DATA ", 10);
	assert_true(NT_OK(vfs_stream_read(fd, "Stream One", buf, sizeof(buf), 100, &done)));
	assert_int_equal(done, 0);
	/* a gap reads as zeros; truncation and extension */
	assert_true(NT_OK(vfs_stream_set_size(fd, "Stream One", 4)));
	assert_true(NT_OK(vfs_stream_write(fd, "Stream One", "Z", 1, 6)));
	assert_true(NT_OK(vfs_stream_read(fd, "Stream One", buf, sizeof(buf), 0, &done)));
	assert_int_equal(done, 7);
	assert_memory_equal(buf, "test\0\0Z", 7);
	/* past the 64 KiB xattr limit: what Samba answers */
	assert_true(NT_EQ(vfs_stream_write(fd, "Stream One", "x", 1, VFS_STREAM_MAX), STATUS_ALLOTTED_SPACE_EXCEEDED));
	assert_true(NT_EQ(vfs_stream_set_size(fd, "Stream One", VFS_STREAM_MAX + 1), STATUS_ALLOTTED_SPACE_EXCEEDED));
	/* names with separators or colons never reach an xattr */
	assert_true(NT_EQ(vfs_stream_create(fd, "a/b"), STATUS_OBJECT_NAME_INVALID));
	assert_true(NT_EQ(vfs_stream_create(fd, "a:b"), STATUS_OBJECT_NAME_INVALID));
	/* a zero-byte stream is listed; EAs and bookkeeping xattrs are not */
	assert_true(NT_OK(vfs_stream_create(fd, "empty")));
	assert_int_equal(fsetxattr(fd, "user.DOSATTRIB", "x", 1, 0), 0);
	assert_int_equal(fsetxattr(fd, "user.EAONE", "v", 1, 0), 0);
	struct vfs_stream_list l;
	assert_true(NT_OK(vfs_stream_list(fd, &l)));
	assert_int_equal(l.n, 2);
	bool seen_empty = false, seen_one = false;
	for (size_t i = 0; i < l.n; i++) {
		seen_empty |= !strcmp(l.v[i].name, "empty") && l.v[i].size == 0;
		seen_one |= !strcmp(l.v[i].name, "Stream One") && l.v[i].size == 7;
	}
	assert_true(seen_empty && seen_one);
	vfs_stream_list_free(&l);
	/* ... and EAs do not see streams */
	struct vfs_ea_list eas;
	assert_true(NT_OK(vfs_ea_list(fd, &eas)));
	assert_int_equal(eas.n, 1);
	assert_string_equal(eas.v[0].name, "EAONE");
	vfs_ea_list_free(&eas);
	assert_true(NT_EQ(vfs_ea_set(fd, "DosStream.empty:$DATA", (const uint8_t *)"y", 1), STATUS_ACCESS_DENIED));
	/* rename replaces the target; removal */
	assert_true(NT_OK(vfs_stream_rename(fd, "Stream One", "empty")));
	assert_true(NT_EQ(vfs_stream_size(fd, "Stream One", &size), STATUS_OBJECT_NAME_NOT_FOUND));
	assert_true(NT_OK(vfs_stream_size(fd, "empty", &size)));
	assert_int_equal(size, 7);
	assert_true(NT_OK(vfs_stream_remove(fd, "empty")));
	assert_true(NT_OK(vfs_stream_remove(fd, "empty"))); /* already gone */
	assert_true(NT_OK(vfs_stream_list(fd, &l)));
	assert_int_equal(l.n, 0);
	vfs_stream_list_free(&l);
	close(fd);
	unlink(path);
}

/* CREATE of a client name ("f:s") with these parameters. */
static NTSTATUS open_name(struct scratch *x, const char *name, uint32_t access, uint32_t share, uint32_t disp,
			  uint32_t options, struct fsa_open **o)
{
	char path[256];
	snprintf(path, sizeof(path), "%s", name);
	struct fsa_create_args a = {
		.table = x->t,
		.root = &x->root,
		.path = path,
		.desired_access = access,
		.share_access = share,
		.disposition = disp,
		.create_options = options,
		.share_max_access = FILE_ALL_ACCESS,
		.file_attributes = FILE_ATTRIBUTE_NORMAL,
	};
	NTSTATUS st = fsa_stream_split(path, &a.stream);
	if (!NT_OK(st))
		return st;
	struct fsa_create_result r;
	st = fsa_create(&a, &r);
	*o = NT_OK(st) ? r.open : NULL;
	return st;
}

static void test_stream_opens(void **state)
{
	(void)state;
	struct scratch x;
	if (!scratch_open(&x, "streams"))
		skip();
	struct fsa_open *s1, *base, *o;
	const uint32_t rwd = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
	/* a stream of a missing file creates the file */
	assert_true(NT_OK(open_name(&x, "f:Stream One", FILE_READ_DATA | FILE_WRITE_DATA, 0, FILE_CREATE, 0, &s1)));
	assert_non_null(s1->stream);
	char p[256];
	snprintf(p, sizeof(p), "%s/f", x.dir);
	struct stat sb;
	assert_int_equal(stat(p, &sb), 0);
	/* the file's own data does not conflict with the stream's opens */
	assert_true(NT_OK(open_name(&x, "f", FILE_WRITE_DATA, 0, FILE_OPEN, 0, &base)));
	fsa_open_put(base);
	/* the same stream (any case) does; DELETE of the file does too */
	assert_true(NT_EQ(open_name(&x, "f:stream one:$DATA", FILE_WRITE_DATA, 0, FILE_OPEN, 0, &o),
			  STATUS_SHARING_VIOLATION));
	assert_true(NT_EQ(open_name(&x, "f", DELETE, rwd, FILE_OPEN, 0, &o), STATUS_SHARING_VIOLATION));
	assert_true(NT_EQ(open_name(&x, "f:Stream One", FILE_WRITE_DATA, 0, FILE_CREATE, 0, &o),
			  STATUS_OBJECT_NAME_COLLISION)); /* the stream exists */
	/* I/O goes to the stream, not the file */
	size_t done;
	assert_true(NT_OK(fsa_write(s1, "test data", 9, 0, &done, false)));
	assert_int_equal(done, 9);
	char buf[16];
	assert_true(NT_OK(fsa_read(s1, buf, sizeof(buf), 0, &done)));
	assert_int_equal(done, 9);
	assert_memory_equal(buf, "test data", 9);
	struct fsa_info info;
	assert_true(NT_OK(fsa_query_info(s1, &info)));
	assert_int_equal(info.end_of_file, 9);
	assert_int_equal(stat(p, &sb), 0);
	assert_int_equal(sb.st_size, 0);
	assert_true(NT_OK(fsa_set_eof(s1, 4)));
	assert_true(NT_OK(fsa_query_info(s1, &info)));
	assert_int_equal(info.end_of_file, 4);
	fsa_open_put(s1);
	/* delete-on-close of a stream deletes the stream only */
	assert_true(NT_OK(open_name(&x, "f:Stream One", DELETE, FILE_SHARE_DELETE, FILE_OPEN, FILE_DELETE_ON_CLOSE,
				    &o)));
	fsa_open_put(o);
	assert_true(NT_EQ(open_name(&x, "f:Stream One", FILE_READ_DATA, 0, FILE_OPEN, 0, &o),
			  STATUS_OBJECT_NAME_NOT_FOUND));
	assert_int_equal(stat(p, &sb), 0);
	/* with the stream open sharing delete, the file can be deleted: it
	 * stays (delete pending) until the stream's last close */
	assert_true(NT_OK(open_name(&x, "f:two", FILE_READ_DATA | FILE_WRITE_DATA, rwd, FILE_CREATE, 0, &s1)));
	assert_true(NT_OK(open_name(&x, "f", DELETE, rwd, FILE_OPEN, FILE_DELETE_ON_CLOSE, &o)));
	fsa_open_put(o);
	assert_true(NT_EQ(open_name(&x, "f", FILE_READ_DATA, rwd, FILE_OPEN, 0, &o), STATUS_DELETE_PENDING));
	assert_true(NT_EQ(open_name(&x, "f:two", FILE_READ_DATA, rwd, FILE_OPEN, 0, &o), STATUS_DELETE_PENDING));
	assert_int_equal(stat(p, &sb), 0);
	fsa_open_put(s1);
	assert_int_equal(stat(p, &sb), -1);
	scratch_close(&x);
}

static void test_stream_rename_rules(void **state)
{
	(void)state;
	struct scratch x;
	if (!scratch_open(&x, "streams"))
		skip();
	struct fsa_open *a, *b, *base;
	const uint32_t rwd = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;
	assert_true(NT_OK(open_name(&x, "f:a", FILE_ALL_ACCESS, rwd, FILE_CREATE, 0, &a)));
	assert_true(NT_OK(open_name(&x, "f:b", FILE_ALL_ACCESS, rwd, FILE_CREATE, 0, &b)));
	size_t done;
	assert_true(NT_OK(fsa_write(b, "x", 1, 0, &done, false)));
	struct fsa_stream_name to = { .kind = FSA_STREAM_NAMED };
	snprintf(to.name, sizeof(to.name), "b");
	/* an existing target: needs ReplaceIfExists, must be closed and empty */
	assert_true(NT_EQ(fsa_stream_rename(a, &to, false), STATUS_OBJECT_NAME_COLLISION));
	assert_true(NT_EQ(fsa_stream_rename(a, &to, true), STATUS_SHARING_VIOLATION));
	fsa_open_put(b);
	assert_true(NT_EQ(fsa_stream_rename(a, &to, true), STATUS_INVALID_PARAMETER));
	snprintf(to.name, sizeof(to.name), "c");
	assert_true(NT_OK(fsa_stream_rename(a, &to, false)));
	char name[VFS_STREAM_NAME_MAX + 1];
	fsa_open_stream_name(a, name, sizeof(name));
	assert_string_equal(name, "c");
	/* the file cannot be renamed while a stream is open */
	assert_true(NT_OK(open_name(&x, "f", FILE_ALL_ACCESS, rwd, FILE_OPEN, 0, &base)));
	assert_true(NT_EQ(fsa_rename(base, "g", false, false), STATUS_ACCESS_DENIED));
	/* a stream's handle cannot take a file name */
	assert_true(NT_EQ(fsa_rename(a, "g", false, false), STATUS_SHARING_VIOLATION));
	fsa_open_put(a);
	assert_true(NT_OK(fsa_rename(base, "g", false, false)));
	/* overwriting the file drops its streams */
	fsa_open_put(base);
	assert_true(NT_OK(open_name(&x, "g", FILE_ALL_ACCESS, rwd, FILE_OVERWRITE, 0, &base)));
	struct vfs_stream_list l;
	bool has_data;
	uint64_t size, alloc;
	assert_true(NT_OK(fsa_stream_list(base, &l, &has_data, &size, &alloc)));
	assert_true(has_data);
	assert_int_equal(l.n, 0);
	vfs_stream_list_free(&l);
	fsa_open_put(base);
	scratch_close(&x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_split),
		cmocka_unit_test(test_split_lengths),
		cmocka_unit_test(test_client_names),
		cmocka_unit_test(test_storage),
		cmocka_unit_test(test_stream_opens),
		cmocka_unit_test(test_stream_rename_rules),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
