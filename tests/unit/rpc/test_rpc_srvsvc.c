/* srvsvc operations beyond share enumeration and server info, called on the
 * interface directly: NetShareCheck (opnum 20), NetDiskEnum (23),
 * NetRemoteTOD (28), NetShareEnum/NetrShareEnumSticky (36) and the empty
 * enumerations (CharDev 0, CharDevQ 3, Conn 8, File 9, Sess 12,
 * Transport 26). Requests are built here and checked by Samba's ndrdump as
 * "in" stubs; responses are compared byte for byte and parsed and
 * re-encoded identically by ndrdump, when it is installed. */
#include <time.h>

#include "rpc_test.h"

static struct rpc_server_info *info;
static const struct rpc_caller user = { .anonymous = false };
static uint8_t out[1 << 16];
static size_t out_len;

static int setup(void **state)
{
	(void)state;
	info = rpc_server_info_new("SMB3D", "smb3d test", "WORKGROUP");
	assert_non_null(info);
	assert_true(rpc_server_info_add_share(info, "IPC$", "IPC Service", NULL, true, true));
	assert_true(rpc_server_info_add_share(info, "data", "Data files", "/srv/data", true, false));
	assert_true(rpc_server_info_add_share(info, "hidden", "", "/srv/hidden", false, false));
	assert_true(rpc_server_info_add_share(info, "admin$", "", "/srv/admin", true, false));
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	rpc_server_info_put(info);
	return 0;
}

/* Runs opnum; returns the fault (0 for a response, then in out/out_len). */
static uint32_t run(uint16_t opnum, const uint8_t *stub, size_t len)
{
	struct ndr_wr w = ndr_wr_init(out, sizeof(out));
	uint32_t fault = rpc_srvsvc_iface.call(info, &user, opnum, stub, len, &w);
	assert_false(w.w.bad);
	out_len = w.w.pos;
	return fault;
}

static void expect_bytes(const uint8_t *want, size_t len)
{
	assert_int_equal(out_len, len);
	assert_memory_equal(out, want, len);
}

#define LE32(v) (uint8_t)(v), (uint8_t)((v) >> 8), (uint8_t)((v) >> 16), (uint8_t)((v) >> 24)

/* --- NetShareCheck --- */

static size_t stub_check(uint8_t *buf, size_t cap, const char *device)
{
	struct ndr_wr n = ndr_wr_init(buf, cap);
	ndr_wr_ptr(&n, true);
	ndr_wr_string(&n, "\\\\SMB3D");
	ndr_wr_string(&n, device);
	assert_false(n.w.bad);
	return n.w.pos;
}

static void test_share_check(void **state)
{
	(void)state;
	static const struct {
		const char *device;
		uint32_t type, werr;
		const char *dump;
	} cases[] = {
		{ "C:\\srv\\data", STYPE_DISKTREE, WERR_OK, "STYPE_DISKTREE" },
		{ "c:\\srv\\data\\", STYPE_DISKTREE, WERR_OK, "STYPE_DISKTREE" },
		{ "C:\\srv\\hidden", STYPE_DISKTREE, WERR_OK, "STYPE_DISKTREE" },
		{ "C:\\srv\\admin", STYPE_DISKTREE | STYPE_SPECIAL, WERR_OK, "STYPE_DISKTREE_HIDDEN" },
		{ "", STYPE_IPC | STYPE_SPECIAL, WERR_OK, "STYPE_IPC_HIDDEN" },
		{ "C:\\srv\\DATA", 0, NERR_DeviceNotShared, "WERR_NERR_DEVICENOTSHARED" },
		{ "C:\\srv", 0, NERR_DeviceNotShared, "WERR_NERR_DEVICENOTSHARED" },
		{ "LPT1:", 0, NERR_DeviceNotShared, "WERR_NERR_DEVICENOTSHARED" },
	};
	uint8_t stub[256];
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t sl = stub_check(stub, sizeof(stub), cases[i].device);
		ndrdump_check("srvsvc", "srvsvc_NetShareCheck", "in", NULL, 0, stub, sl, NULL);
		assert_int_equal(run(20, stub, sl), 0);
		const uint8_t want[] = { LE32(cases[i].type), LE32(cases[i].werr) };
		expect_bytes(want, sizeof(want));
		ndrdump_check("srvsvc", "srvsvc_NetShareCheck", "out", stub, sl, out, out_len, cases[i].dump, NULL);
	}
	/* no device string at all */
	size_t sl = stub_check(stub, sizeof(stub), "x");
	assert_int_equal(run(20, stub, sl - 8), DCERPC_FAULT_NDR);
}

/* --- empty enumerations --- */

/* n_names [unique,string] names (the first "\\SMB3D", the others NULL),
 * InfoCtr {level, switch, -> {0, NULL}} (no arm when !arm),
 * max_buffer, resume handle -> 0 if resume. */
static size_t stub_enum(uint8_t *buf, size_t cap, unsigned n_names, uint32_t level, bool arm, bool resume)
{
	struct ndr_wr n = ndr_wr_init(buf, cap);
	ndr_wr_ptr(&n, true);
	ndr_wr_string(&n, "\\\\SMB3D");
	for (unsigned i = 1; i < n_names; i++)
		ndr_wr_ptr(&n, false);
	ndr_wr_u32(&n, level);
	ndr_wr_u32(&n, level);
	if (arm) {
		ndr_wr_ptr(&n, true);
		ndr_wr_u32(&n, 0);
		ndr_wr_ptr(&n, false);
	}
	ndr_wr_u32(&n, 0xffffffff);
	ndr_wr_ptr(&n, resume);
	if (resume)
		ndr_wr_u32(&n, 7);
	assert_false(n.w.bad);
	return n.w.pos;
}

static void test_empty_enums(void **state)
{
	(void)state;
	static const struct {
		uint16_t opnum;
		const char *fn;
		unsigned n_names;
		uint32_t levels[5];
		size_t n_levels;
		uint32_t werr;
		const char *dump;
	} ops[] = {
		{ 0, "srvsvc_NetCharDevEnum", 1, { 0, 1 }, 2, WERR_NOT_SUPPORTED, "WERR_NOT_SUPPORTED" },
		{ 3, "srvsvc_NetCharDevQEnum", 2, { 0, 1 }, 2, WERR_NOT_SUPPORTED, "WERR_NOT_SUPPORTED" },
		{ 8, "srvsvc_NetConnEnum", 2, { 0, 1 }, 2, WERR_OK, "WERR_OK" },
		{ 9, "srvsvc_NetFileEnum", 3, { 2, 3 }, 2, WERR_OK, "WERR_OK" },
		{ 12, "srvsvc_NetSessEnum", 3, { 0, 1, 2, 10, 502 }, 5, WERR_OK, "WERR_OK" },
		{ 26, "srvsvc_NetTransportEnum", 1, { 0, 1, 2, 3 }, 4, WERR_OK, "WERR_OK" },
	};
	uint8_t stub[256];
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		for (size_t k = 0; k < ops[i].n_levels; k++) {
			uint32_t level = ops[i].levels[k];
			for (int resume = 0; resume < 2; resume++) {
				size_t sl = stub_enum(stub, sizeof(stub), ops[i].n_names, level, true, resume);
				ndrdump_check("srvsvc", ops[i].fn, "in", NULL, 0, stub, sl, NULL);
				assert_int_equal(run(ops[i].opnum, stub, sl), 0);
				/* level, switch, -> {count 0, NULL}, total 0, resume, werr */
				const uint8_t want_r[] = { LE32(level), LE32(level), LE32(0x00020000u), LE32(0),
							   LE32(0), LE32(0), LE32(0x00020004u), LE32(0),
							   LE32(ops[i].werr) };
				const uint8_t want_n[] = { LE32(level), LE32(level), LE32(0x00020000u), LE32(0),
							   LE32(0), LE32(0), LE32(0), LE32(ops[i].werr) };
				if (resume)
					expect_bytes(want_r, sizeof(want_r));
				else
					expect_bytes(want_n, sizeof(want_n));
				ndrdump_check("srvsvc", ops[i].fn, "out", stub, sl, out, out_len, "count", ops[i].dump,
					      NULL);
			}
		}
		/* a level without an arm: nothing in the union, WERR_INVALID_LEVEL */
		size_t sl = stub_enum(stub, sizeof(stub), ops[i].n_names, 77, false, false);
		assert_int_equal(run(ops[i].opnum, stub, sl), 0);
		const uint8_t want[] = { LE32(77), LE32(77), LE32(0), LE32(0), LE32(WERR_INVALID_LEVEL) };
		expect_bytes(want, sizeof(want));
		ndrdump_check("srvsvc", ops[i].fn, "out", stub, sl, out, out_len, "WERR_INVALID_LEVEL", NULL);
		/* switch differs from the level; truncated stubs */
		sl = stub_enum(stub, sizeof(stub), ops[i].n_names, ops[i].levels[0], true, true);
		size_t sw = sl - 28; /* switch: before arm (12), max_buffer and resume (12) */
		stub[sw] ^= 1;
		assert_int_equal(run(ops[i].opnum, stub, sl), DCERPC_FAULT_NDR);
		stub[sw] ^= 1;
		for (size_t cut = 0; cut < sl; cut += 4)
			assert_int_equal(run(ops[i].opnum, stub, cut), DCERPC_FAULT_NDR);
	}
}

/* --- NetDiskEnum --- */

static size_t stub_disk(uint8_t *buf, size_t cap, uint32_t level, bool resume)
{
	struct ndr_wr n = ndr_wr_init(buf, cap);
	ndr_wr_ptr(&n, false); /* server_unc NULL, as smbtorture sends it */
	ndr_wr_u32(&n, level);
	ndr_wr_u32(&n, 0);     /* count */
	ndr_wr_ptr(&n, false); /* disks */
	ndr_wr_u32(&n, 0xffffffff);
	ndr_wr_ptr(&n, resume);
	if (resume)
		ndr_wr_u32(&n, 0);
	assert_false(n.w.bad);
	return n.w.pos;
}

static void test_disk_enum(void **state)
{
	(void)state;
	uint8_t stub[64];
	size_t sl = stub_disk(stub, sizeof(stub), 0, true);
	ndrdump_check("srvsvc", "srvsvc_NetDiskEnum", "in", NULL, 0, stub, sl, NULL);
	assert_int_equal(run(23, stub, sl), 0);
	const uint8_t want[] = {
		LE32(2), LE32(0x00020000u),	     /* count, disks */
		LE32(2), LE32(0), LE32(2),	     /* max, offset, actual */
		LE32(0), LE32(3), 'C', 0, ':', 0, 0, 0, 0, 0, /* "C:" + pad */
		LE32(0), LE32(1), 0, 0, 0, 0,	     /* "" + pad */
		LE32(1), LE32(0x00020004u), LE32(1), /* total, resume -> 1 */
		LE32(WERR_OK),
	};
	expect_bytes(want, sizeof(want));
	ndrdump_check("srvsvc", "srvsvc_NetDiskEnum", "out", stub, sl, out, out_len, "disk                     : 'C:'",
		      "WERR_OK", NULL);

	/* without a resume handle */
	sl = stub_disk(stub, sizeof(stub), 0, false);
	assert_int_equal(run(23, stub, sl), 0);
	assert_int_equal(le32_at(out + out_len - 8), 0); /* resume NULL */
	ndrdump_check("srvsvc", "srvsvc_NetDiskEnum", "out", stub, sl, out, out_len, "resume_handle            : NULL",
		      NULL);

	/* level 1: nothing */
	sl = stub_disk(stub, sizeof(stub), 1, false);
	assert_int_equal(run(23, stub, sl), 0);
	const uint8_t bad[] = { LE32(0), LE32(0), LE32(0), LE32(0), LE32(WERR_INVALID_LEVEL) };
	expect_bytes(bad, sizeof(bad));
	ndrdump_check("srvsvc", "srvsvc_NetDiskEnum", "out", stub, sl, out, out_len, "WERR_INVALID_LEVEL", NULL);

	/* an input buffer with entries is refused */
	struct ndr_wr n = ndr_wr_init(stub, sizeof(stub));
	ndr_wr_ptr(&n, false);
	ndr_wr_u32(&n, 0);
	ndr_wr_u32(&n, 1);
	ndr_wr_ptr(&n, true);
	ndr_wr_u32(&n, 1);
	ndr_wr_u32(&n, 0);
	ndr_wr_u32(&n, 1);
	assert_int_equal(run(23, stub, n.w.pos), DCERPC_FAULT_NDR);
	for (size_t cut = 0; cut < stub_disk(stub, sizeof(stub), 0, true); cut += 4)
		assert_int_equal(run(23, stub, cut), DCERPC_FAULT_NDR);
}

/* --- NetRemoteTOD --- */

static void test_remote_tod(void **state)
{
	(void)state;
	uint8_t stub[64];
	struct ndr_wr n = ndr_wr_init(stub, sizeof(stub));
	ndr_wr_ptr(&n, true);
	ndr_wr_string(&n, "\\\\SMB3D");
	size_t sl = n.w.pos;
	ndrdump_check("srvsvc", "srvsvc_NetRemoteTOD", "in", NULL, 0, stub, sl, NULL);
	/* the precise clock, as the server reads: time() may lag it by a tick */
	struct timespec ts0, ts1;
	clock_gettime(CLOCK_REALTIME, &ts0);
	assert_int_equal(run(28, stub, sl), 0);
	clock_gettime(CLOCK_REALTIME, &ts1);
	time_t before = ts0.tv_sec, after = ts1.tv_sec;
	assert_int_equal(out_len, 4 + 12 * 4 + 4);
	assert_int_equal(le32_at(out), 0x00020000u);
	uint32_t elapsed = le32_at(out + 4);
	assert_true(elapsed >= (uint32_t)before && elapsed <= (uint32_t)after);
	time_t t = elapsed;
	struct tm tm;
	gmtime_r(&t, &tm);
	assert_int_equal(le32_at(out + 12), tm.tm_hour);
	assert_int_equal(le32_at(out + 16), tm.tm_min);
	assert_int_equal(le32_at(out + 20), tm.tm_sec);
	assert_true(le32_at(out + 24) < 100); /* hundredths */
	assert_int_equal(le32_at(out + 32), 310);
	assert_int_equal(le32_at(out + 36), tm.tm_mday);
	assert_int_equal(le32_at(out + 40), tm.tm_mon + 1);
	assert_int_equal(le32_at(out + 44), tm.tm_year + 1900);
	assert_int_equal(le32_at(out + 48), tm.tm_wday);
	assert_int_equal(le32_at(out + 52), WERR_OK);
	char year[64];
	snprintf(year, sizeof(year), "year                     : 0x%08x (%d)", tm.tm_year + 1900, tm.tm_year + 1900);
	ndrdump_check("srvsvc", "srvsvc_NetRemoteTOD", "out", stub, sl, out, out_len, year, "WERR_OK", NULL);
	/* NULL server name is fine; a truncated one is not */
	const uint8_t null_server[] = { 0, 0, 0, 0 };
	assert_int_equal(run(28, null_server, 4), 0);
	assert_int_equal(run(28, stub, sl - 2), DCERPC_FAULT_NDR);
}

/* --- NetShareEnum (opnum 36, NetrShareEnumSticky) --- */

static void test_share_enum_sticky(void **state)
{
	(void)state;
	uint8_t stub[256];
	size_t sl = stub_enum(stub, sizeof(stub), 1, 0, true, false);
	ndrdump_check("srvsvc", "srvsvc_NetShareEnum", "in", NULL, 0, stub, sl, NULL);
	assert_int_equal(run(36, stub, sl), 0);
	/* only "data": IPC$ and admin$ are special, hidden is not browseable */
	const uint8_t want[] = {
		LE32(0), LE32(0), LE32(0x00020000u),		   /* level, switch, ctr0 */
		LE32(1), LE32(0x00020004u), LE32(1),		   /* count, array, max */
		LE32(0x00020008u),				   /* name */
		LE32(5), LE32(0), LE32(5), 'd', 0, 'a', 0, 't', 0, 'a', 0, 0, 0, /* "data" */
		0, 0, LE32(1), LE32(0), LE32(WERR_OK),		   /* pad, total, resume NULL */
	};
	expect_bytes(want, sizeof(want));
	ndrdump_check("srvsvc", "srvsvc_NetShareEnum", "out", stub, sl, out, out_len, "'data'", NULL);

	static const uint32_t levels[] = { 1, 2, 502 };
	for (size_t i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		sl = stub_enum(stub, sizeof(stub), 1, levels[i], true, false);
		assert_int_equal(run(36, stub, sl), 0);
		assert_int_equal(le32_at(out + out_len - 4), WERR_OK);
		assert_false(has_u16(out, out_len, "IPC$"));
		assert_false(has_u16(out, out_len, "admin$"));
		assert_true(has_u16(out, out_len, "Data files"));
		ndrdump_check("srvsvc", "srvsvc_NetShareEnum", "out", stub, sl, out, out_len,
			      "count                    : 0x00000001 (1)", "WERR_OK", NULL);
	}
	/* 501 is a NetShareEnumAll level only */
	sl = stub_enum(stub, sizeof(stub), 1, 501, true, false);
	assert_int_equal(run(36, stub, sl), 0);
	const uint8_t bad[] = { LE32(501), LE32(501), LE32(0), LE32(0), LE32(0), LE32(WERR_INVALID_LEVEL) };
	expect_bytes(bad, sizeof(bad));
	ndrdump_check("srvsvc", "srvsvc_NetShareEnum", "out", stub, sl, out, out_len, "WERR_INVALID_LEVEL", NULL);
	/* opnum 15 still lists 501 and every browseable share */
	assert_int_equal(run(15, stub, sl), 0);
	assert_int_equal(le32_at(out + out_len - 4), WERR_OK);
	assert_true(has_u16(out, out_len, "admin$"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_share_check),	  cmocka_unit_test(test_empty_enums),
		cmocka_unit_test(test_disk_enum),	  cmocka_unit_test(test_remote_tod),
		cmocka_unit_test(test_share_enum_sticky),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
