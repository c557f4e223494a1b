/* Unit tests for the user.DOSATTRIB codec (src/vfs/dosattrib.c) against blobs
 * produced by Samba's own marshalling code, and for vfs_get/set_dosinfo on a
 * real file system (skipped when the temp fs has no user xattrs). */
#include "vfs_test.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "vfs/dosattrib.h"
#include "vfs/vfs_int.h"

/* Samba 4.17 samples: ndr_pack() of xattr.DOSATTRIB (python3-samba,
 * samba.dcerpc.xattr), which runs Samba's hand-written
 * ndr_push_xattr_DOSATTRIB. create_time 0x01D9A1B2C3D4E5F6 throughout. */
#define CT 0x01D9A1B2C3D4E5F6ULL
static const char *const samba_v1 = /* attrib 0x21, size 1234, alloc 4096, change CT+1 */
	"3078323100000100010000002100000000000000d2040000000000000010000000000000"
	"f6e5d4c3b2a1d901f7e5d4c3b2a1d901";
static const char *const samba_v2 = /* attrib 0x22, name "n" */
	"30783232000002000200000000000000220000000000000005000000000000000800000000000000"
	"f6e5d4c3b2a1d901f6e5d4c3b2a1d901f6e5d4c3b2a1d9016e00";
static const char *const samba_v3 = /* valid ATTRIB|CREATE_TIME, attrib 0x820 */
	"30783832300003000300000011000000200800000000000000000000000000000000000000000000"
	"f6e5d4c3b2a1d9010000000000000000";
static const char *const samba_v4 = /* valid ATTRIB|CREATE_TIME|ITIME, attrib 0x10, itime CT+7 */
	"00000400040000005100000010000000fde5d4c3b2a1d901f6e5d4c3b2a1d901";
static const char *const samba_v5 = /* valid ATTRIB|CREATE_TIME, attrib 0x26 */
	"00000500050000001100000026000000f6e5d4c3b2a1d901";
static const char *const samba_v5_ct_only = /* valid CREATE_TIME only */
	"00000500050000001000000000000000f6e5d4c3b2a1d901";
static const char *const samba_ffff = /* the bare hex string form, attrib 0x1234 */
	"30783132333400";

static size_t unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = strlen(hex) / 2;
	assert_true(n <= cap);
	for (size_t i = 0; i < n; i++) {
		unsigned v;
		assert_int_equal(sscanf(hex + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
	return n;
}

static void check(const char *hex, uint16_t want_ver, bool has_attrs, uint32_t attrs, bool has_ct)
{
	uint8_t b[128];
	size_t n = unhex(hex, b, sizeof(b));
	struct vfs_dosinfo d;
	uint16_t ver;
	assert_ok(vfs_dosattrib_decode(b, n, &d, &ver));
	assert_int_equal(ver, want_ver);
	assert_int_equal(d.has_attrs, has_attrs);
	if (has_attrs)
		assert_int_equal(d.attrs, attrs);
	assert_int_equal(d.has_create_time, has_ct);
	if (has_ct)
		assert_int_equal(d.create_time, CT);

	/* Every truncation that leaves bytes after the string must fail. */
	size_t slen = strnlen((const char *)b, n);
	size_t need = want_ver == 2 ? n - 2 : n; /* v2's trailing name is not needed */
	for (size_t k = slen + 2; k < need && want_ver != VFS_DOSATTRIB_HEX_ONLY; k++) {
		if (NT_OK(vfs_dosattrib_decode(b, k, &d, NULL)))
			fail_msg("%u-byte prefix of a version %u blob decoded", (unsigned)k, want_ver);
	}
}

static void test_samba_samples(void **state)
{
	check(samba_v1, 1, true, 0x21, true);
	check(samba_v2, 2, true, 0x22, false); /* Samba takes no time from v2 */
	check(samba_v3, 3, true, 0x820, true);
	check(samba_v4, 4, true, 0x10, true);
	check(samba_v5, 5, true, 0x26, true);
	check(samba_v5_ct_only, 5, false, 0, true);
	check(samba_ffff, VFS_DOSATTRIB_HEX_ONLY, true, 0x1234, false);
}

static void test_encode_matches_samba(void **state)
{
	uint8_t want[64], got[64];
	size_t wn = unhex(samba_v5, want, sizeof(want));
	struct vfs_dosinfo d = { .attrs = 0x26, .has_attrs = true, .create_time = CT, .has_create_time = true };
	assert_int_equal(vfs_dosattrib_encode(&d, got, sizeof(got)), wn);
	assert_memory_equal(got, want, wn);
	d = (struct vfs_dosinfo){ .create_time = CT, .has_create_time = true };
	wn = unhex(samba_v5_ct_only, want, sizeof(want));
	assert_int_equal(vfs_dosattrib_encode(&d, got, sizeof(got)), wn);
	assert_memory_equal(got, want, wn);
	assert_int_equal(vfs_dosattrib_encode(&d, got, VFS_DOSATTRIB_V5_LEN - 1), 0);

	/* Round trips, including "nothing known". */
	const struct vfs_dosinfo cases[] = {
		{ 0 },
		{ .attrs = 0xFFFFFFFF, .has_attrs = true },
		{ .attrs = 0x1, .has_attrs = true, .create_time = 1, .has_create_time = true },
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vfs_dosinfo back;
		size_t n = vfs_dosattrib_encode(&cases[i], got, sizeof(got));
		assert_int_equal(n, VFS_DOSATTRIB_V5_LEN);
		assert_ok(vfs_dosattrib_decode(got, n, &back, NULL));
		assert_int_equal(back.has_attrs, cases[i].has_attrs);
		assert_int_equal(back.attrs, cases[i].attrs);
		assert_int_equal(back.has_create_time, cases[i].has_create_time);
		assert_int_equal(back.create_time, cases[i].create_time);
	}
}

/* smb3d's change-time trailer: round trip, ignored when damaged, and the
 * Samba part of the blob unchanged by it. */
static void test_change_time_trailer(void **state)
{
	uint8_t plain[64], got[64];
	struct vfs_dosinfo d = { .attrs = 0x20, .has_attrs = true, .create_time = CT, .has_create_time = true };
	size_t pn = vfs_dosattrib_encode(&d, plain, sizeof(plain));
	d.has_change_time = true;
	d.change_time = CT + 77;
	d.change_mark = (struct timespec){ .tv_sec = -5, .tv_nsec = 999999999 };
	size_t n = vfs_dosattrib_encode(&d, got, sizeof(got));
	assert_int_equal(n, VFS_DOSATTRIB_MAX_LEN);
	assert_memory_equal(got, plain, pn);
	assert_int_equal(vfs_dosattrib_encode(&d, got, VFS_DOSATTRIB_MAX_LEN - 1), 0);
	n = vfs_dosattrib_encode(&d, got, sizeof(got));
	struct vfs_dosinfo back;
	uint16_t ver;
	assert_ok(vfs_dosattrib_decode(got, n, &back, &ver));
	assert_int_equal(ver, 5);
	assert_true(back.has_change_time);
	assert_true(back.change_time == CT + 77);
	assert_int_equal(back.change_mark.tv_sec, -5);
	assert_int_equal(back.change_mark.tv_nsec, 999999999);
	assert_int_equal(back.attrs, 0x20);
	/* a damaged magic or an impossible nanosecond count: no change time */
	got[VFS_DOSATTRIB_V5_LEN] ^= 1;
	assert_ok(vfs_dosattrib_decode(got, n, &back, NULL));
	assert_false(back.has_change_time);
	got[VFS_DOSATTRIB_V5_LEN] ^= 1;
	got[n - 1] = 0xff;
	assert_ok(vfs_dosattrib_decode(got, n, &back, NULL));
	assert_false(back.has_change_time);
	/* truncated trailer: ignored like any trailing bytes */
	assert_ok(vfs_dosattrib_decode(got, n - 1, &back, NULL));
	assert_false(back.has_change_time);
	assert_true(back.has_create_time);
}

static void test_hex_forms_and_garbage(void **state)
{
	static const struct {
		const char *bytes;
		size_t len;
		bool ok;
		uint32_t attrs;
	} cases[] = {
		{ "0x20", 4, true, 0x20 }, /* not NUL-terminated (old Samba) */
		{ "0x20\0", 5, true, 0x20 },
		{ "20\0", 3, true, 0x20 },
		{ "0XfFfFfFfF\0", 11, true, 0xFFFFFFFF },
		{ "0x", 2, false, 0 },
		{ "0x\0", 3, false, 0 },
		{ "", 0, false, 0 },
		{ "\0", 1, false, 0 },
		{ "0x123456789\0", 12, false, 0 }, /* more than 32 bits */
		{ "0xzz\0", 5, false, 0 },
		{ " 0x20\0", 6, false, 0 },
		{ "0x20 \0", 6, false, 0 },
		{ "\0\0\x05\0", 4, false, 0 },                                                /* level missing */
		{ "\0\0\x05\0\x04\0\0\0\x01\0\0\0\x20\0\0\0\0\0\0\0\0\0\0\0", 24, false, 0 }, /* level != version */
		{ "\0\0\x06\0\x06\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 24, false, 0 },     /* unknown version */
		{ "\0\0\xff\xff\xff\xff\0\0\0\0\0\0", 12, false, 0 },                         /* 0xFFFF is never on disk */
		{ "\0\0\0\0\0\0\0\0", 8, false, 0 },                                          /* version 0 */
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct vfs_dosinfo d;
		NTSTATUS s = vfs_dosattrib_decode((const uint8_t *)cases[i].bytes, cases[i].len, &d, NULL);
		if (NT_OK(s) != cases[i].ok)
			fail_msg("case %zu: %s", i, nt_status_name(s));
		if (cases[i].ok) {
			assert_true(d.has_attrs);
			assert_int_equal(d.attrs, cases[i].attrs);
		} else {
			assert_status(s, STATUS_INVALID_PARAMETER);
			assert_false(d.has_attrs || d.has_create_time);
		}
	}
	struct vfs_dosinfo d;
	assert_status(vfs_dosattrib_decode(NULL, 4, &d, NULL), STATUS_INVALID_PARAMETER);
	/* Trailing bytes after a complete structure are ignored (as Samba). */
	uint8_t b[64];
	size_t n = unhex(samba_v5, b, sizeof(b));
	b[n] = 0xAA;
	assert_ok(vfs_dosattrib_decode(b, n + 1, &d, NULL));
	assert_int_equal(d.attrs, 0x26);
}

/* ---- on a real file system ---- */

static int setup(void **state)
{
	struct tdir *t = calloc(1, sizeof(*t));
	tdir_setup(t);
	*state = t;
	return 0;
}

static int teardown(void **state)
{
	tdir_teardown(*state);
	free(*state);
	return 0;
}

static void test_dosinfo_xattr(void **state)
{
	struct tdir *tp = *state;
	if (!user_xattrs_ok(tp->base))
		skip();
	struct tdir t = *tp;
	struct vfs_root *r = &t.r;
	int fd = -1, pfd = -1, dfd = -1;
	struct vfs_dosinfo d, got;
	uint8_t raw[64], want[64];

	assert_ok(vfs_open(r, "f", O_RDWR | O_CREAT, 0644, &fd));
	assert_ok(vfs_get_dosinfo(fd, &got));
	assert_false(got.has_attrs || got.has_create_time);

	d = (struct vfs_dosinfo){ .attrs = 0x26, .has_attrs = true };
	assert_ok(vfs_set_dosinfo(fd, &d));
	assert_ok(vfs_get_dosinfo(fd, &got));
	assert_true(got.has_attrs);
	assert_int_equal(got.attrs, 0x26);
	assert_false(got.has_create_time);
	d = (struct vfs_dosinfo){ .create_time = CT, .has_create_time = true };
	assert_ok(vfs_set_dosinfo(fd, &d)); /* attributes are kept */
	assert_ok(vfs_get_dosinfo(fd, &got));
	assert_int_equal(got.attrs, 0x26);
	assert_int_equal(got.create_time, CT);
	/* On disk it is byte for byte what Samba writes. */
	ssize_t n = fgetxattr(fd, VFS_DOSATTRIB_XATTR, raw, sizeof(raw));
	size_t wn = unhex(samba_v5, want, sizeof(want));
	assert_int_equal(n, (ssize_t)wn);
	assert_memory_equal(raw, want, wn);

	/* Samba-written values of older versions are read; garbage is ignored. */
	wn = unhex(samba_v3, want, sizeof(want));
	assert_int_equal(fsetxattr(fd, VFS_DOSATTRIB_XATTR, want, wn, 0), 0);
	assert_ok(vfs_get_dosinfo(fd, &got));
	assert_int_equal(got.attrs, 0x820);
	assert_int_equal(got.create_time, CT);
	assert_int_equal(fsetxattr(fd, VFS_DOSATTRIB_XATTR, "junk", 4, 0), 0);
	assert_ok(vfs_get_dosinfo(fd, &got));
	assert_false(got.has_attrs || got.has_create_time);
	static uint8_t big[1024];
	assert_int_equal(fsetxattr(fd, VFS_DOSATTRIB_XATTR, big, sizeof(big), 0), 0);
	assert_ok(vfs_get_dosinfo(fd, &got));
	assert_false(got.has_attrs);
	d = (struct vfs_dosinfo){ .attrs = 0x2, .has_attrs = true };
	assert_ok(vfs_set_dosinfo(fd, &d)); /* replaces what did not decode */
	assert_ok(vfs_get_dosinfo(fd, &got));
	assert_int_equal(got.attrs, 0x2);
	vfs_close(fd);

	/* O_PATH fds and directory-relative reads. */
	assert_ok(vfs_mkdir(r, "dir", 0755));
	assert_ok(vfs_open(r, "dir", O_PATH | O_DIRECTORY, 0, &pfd));
	d = (struct vfs_dosinfo){ .attrs = 0x10, .has_attrs = true, .create_time = 5, .has_create_time = true };
	assert_ok(vfs_set_dosinfo(pfd, &d));
	assert_ok(vfs_get_dosinfo(pfd, &got));
	assert_int_equal(got.attrs, 0x10);
	assert_int_equal(got.create_time, 5);
	vfs_close(pfd);
	assert_ok(vfs_open(r, "", O_RDONLY | O_DIRECTORY, 0, &dfd));
	make_link("f", tpath(&t, "root/lnk"));
	/* getxattrat (Linux 6.13+), then the /proc/self/fd path older kernels take */
	for (int proc = 0; proc < 2; proc++) {
		vfs_xattr_at_force_proc(proc);
		assert_ok(vfs_get_dosinfo_at(dfd, "f", &got));
		assert_int_equal(got.attrs, 0x2);
		assert_ok(vfs_get_dosinfo_at(dfd, "dir", &got));
		assert_int_equal(got.attrs, 0x10);
		assert_status(vfs_get_dosinfo_at(dfd, "missing", &got), STATUS_OBJECT_NAME_NOT_FOUND);
		assert_ok(vfs_get_dosinfo_at(dfd, "lnk", &got));
		assert_false(got.has_attrs); /* the link, not f */
		assert_status(vfs_get_dosinfo_at(dfd, "a/b", &got), STATUS_OBJECT_NAME_INVALID);
	}
	vfs_xattr_at_force_proc(false);
	vfs_close(dfd);
	assert_ok(vfs_open(r, "lnk", O_PATH | O_NOFOLLOW, 0, &pfd));
	assert_status(vfs_set_dosinfo(pfd, &d), STATUS_ACCESS_DENIED);
	vfs_close(pfd);
	assert_status(vfs_get_dosinfo(-1, &got), STATUS_INVALID_HANDLE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_samba_samples),
		cmocka_unit_test(test_encode_matches_samba),
		cmocka_unit_test(test_hex_forms_and_garbage),
		cmocka_unit_test(test_change_time_trailer),
		cmocka_unit_test_setup_teardown(test_dosinfo_xattr, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
