/* Security descriptor codec (wire/security.h): the impacket-built golden
 * descriptor is reproduced byte for byte, AdditionalInformation selects the
 * parts, and every malformed offset, size and count is refused. */
#include "wire_test.h"

#include "golden_file.h"
#include "wire/security.h"

static struct wire_sid mk_sid(uint8_t auth, unsigned n, const uint32_t *sub)
{
	struct wire_sid s = { .revision = 1, .count = (uint8_t)n };
	s.authority[5] = auth;
	for (unsigned i = 0; i < n; i++)
		s.sub[i] = sub[i];
	return s;
}

static struct wire_ace aces[3];

static struct wire_sd sample_sd(void)
{
	static const uint32_t user[] = { 21, 1, 2, 3, 1000 }, grp[] = { 21, 1, 2, 3, 513 }, world[] = { 0 },
			      batch[] = { 7 };
	struct wire_sd sd = { .control = SE_DACL_PRESENT, .has_owner = true, .has_group = true, .has_dacl = true };
	sd.owner = mk_sid(5, 5, user);
	sd.group = mk_sid(5, 5, grp);
	aces[0] = (struct wire_ace){ .type = ACCESS_ALLOWED_ACE_TYPE,
				     .flags = OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE,
				     .mask = 0x001F01FF,
				     .sid = mk_sid(5, 5, user) };
	aces[1] = (struct wire_ace){ .type = ACCESS_ALLOWED_ACE_TYPE, .mask = 0x001200A9, .sid = mk_sid(1, 1, world) };
	aces[2] = (struct wire_ace){ .type = ACCESS_DENIED_ACE_TYPE, .mask = 0x2, .sid = mk_sid(5, 1, batch) };
	sd.dacl = (struct wire_acl){ .revision = ACL_REVISION, .count = 3, .aces = aces };
	return sd;
}

#define ALL_INFO (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION)

static void test_sd_golden(void **state)
{
	uint8_t buf[512];
	struct wire_sd sd = sample_sd();
	assert_int_equal(wire_sd_size(&sd, ALL_INFO), sizeof(golden_sd));
	struct wr w = wr_init(buf, sizeof(buf));
	wire_sd_encode(&w, &sd, ALL_INFO | SACL_SECURITY_INFORMATION); /* no SACL present: nothing added */
	assert_false(w.bad);
	assert_int_equal(w.pos, sizeof(golden_sd));
	assert_memory_equal(buf, golden_sd, sizeof(golden_sd));

	/* decode the golden bytes and re-encode */
	struct wire_ace got[8];
	struct wire_sd d;
	assert_ok(wire_sd_decode(golden_sd, sizeof(golden_sd), &d, got, 8));
	assert_true(d.has_owner && d.has_group && d.has_dacl);
	assert_false(d.has_sacl);
	assert_true(wire_sid_equal(&d.owner, &sd.owner));
	assert_true(wire_sid_equal(&d.group, &sd.group));
	assert_int_equal(d.dacl.count, 3);
	assert_int_equal(d.dacl.aces[0].flags, OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE);
	assert_int_equal(d.dacl.aces[1].mask, 0x001200A9);
	assert_int_equal(d.dacl.aces[2].type, ACCESS_DENIED_ACE_TYPE);
	assert_true(wire_sid_equal(&d.dacl.aces[2].sid, &aces[2].sid));
	w = wr_init(buf, sizeof(buf));
	wire_sd_encode(&w, &d, ALL_INFO);
	assert_memory_equal(buf, golden_sd, sizeof(golden_sd));

	/* capacity: a writer one byte short ends bad */
	w = wr_init(buf, sizeof(golden_sd) - 1);
	wire_sd_encode(&w, &sd, ALL_INFO);
	assert_true(w.bad);
}

static void test_sd_secinfo(void **state)
{
	uint8_t buf[512];
	struct wire_sd sd = sample_sd();
	sd.control |= SE_DACL_PROTECTED | SE_OWNER_DEFAULTED;
	struct wr w = wr_init(buf, sizeof(buf));
	wire_sd_encode(&w, &sd, OWNER_SECURITY_INFORMATION);
	assert_int_equal(w.pos, 20 + 28);
	assert_int_equal(get16(buf, 2), SE_SELF_RELATIVE | SE_OWNER_DEFAULTED);
	assert_int_equal(get32(buf, 4), 20);
	assert_int_equal(get32(buf, 8), 0);
	assert_int_equal(get32(buf, 12), 0);
	assert_int_equal(get32(buf, 16), 0);
	assert_int_equal(wire_sd_size(&sd, OWNER_SECURITY_INFORMATION), 48);

	w = wr_init(buf, sizeof(buf));
	wire_sd_encode(&w, &sd, DACL_SECURITY_INFORMATION);
	assert_int_equal(get16(buf, 2), SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_DACL_PROTECTED);
	assert_int_equal(get32(buf, 4), 0);
	assert_int_equal(get32(buf, 16), 20);
	assert_int_equal(get16(buf, 20 + 2), w.pos - 20); /* AclSize */
	assert_int_equal(get16(buf, 20 + 4), 3);	     /* AceCount */

	/* a NULL DACL: present, no ACL */
	sd.has_dacl = false;
	w = wr_init(buf, sizeof(buf));
	wire_sd_encode(&w, &sd, DACL_SECURITY_INFORMATION);
	assert_int_equal(w.pos, 20);
	assert_int_equal(get16(buf, 2) & SE_DACL_PRESENT, SE_DACL_PRESENT);
	assert_int_equal(get32(buf, 16), 0);
	struct wire_sd d;
	assert_ok(wire_sd_decode(buf, w.pos, &d, NULL, 0));
	assert_true(d.control & SE_DACL_PRESENT);
	assert_false(d.has_dacl);

	/* nothing asked: a bare header */
	w = wr_init(buf, sizeof(buf));
	wire_sd_encode(&w, &sd, 0);
	assert_int_equal(w.pos, 20);
	assert_int_equal(get16(buf, 2), SE_SELF_RELATIVE);

	/* a SACL with an audit ACE, and an ACE kept raw (an object ACE) */
	static const uint32_t everyone[] = { 0 };
	uint8_t raw[12] = { 0x05, 0x00, 12, 0, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct wire_ace sacl_aces[2] = {
		{ .type = SYSTEM_AUDIT_ACE_TYPE, .flags = FAILED_ACCESS_ACE_FLAG, .mask = 0x10000,
		  .sid = mk_sid(1, 1, everyone) },
		{ .type = 0x05, .raw = raw, .raw_len = sizeof(raw) },
	};
	sd = sample_sd();
	sd.control |= SE_SACL_PRESENT;
	sd.has_sacl = true;
	sd.sacl = (struct wire_acl){ .revision = ACL_REVISION_DS, .count = 2, .aces = sacl_aces };
	w = wr_init(buf, sizeof(buf));
	uint32_t all = ALL_INFO | SACL_SECURITY_INFORMATION;
	wire_sd_encode(&w, &sd, all);
	assert_false(w.bad);
	assert_int_equal(w.pos, wire_sd_size(&sd, all));
	assert_int_equal(get32(buf, 12), 20); /* SACL first */
	struct wire_ace got[8];
	assert_ok(wire_sd_decode(buf, w.pos, &d, got, 8));
	assert_true(d.has_sacl);
	assert_int_equal(d.sacl.revision, ACL_REVISION_DS);
	assert_int_equal(d.sacl.count, 2);
	assert_int_equal(d.sacl.aces[0].flags, FAILED_ACCESS_ACE_FLAG);
	assert_int_equal(d.sacl.aces[1].raw_len, 12);
	assert_memory_equal(d.sacl.aces[1].raw, raw, 12);
	assert_int_equal(d.dacl.count, 3);
	assert_ptr_equal(d.dacl.aces, got);
	assert_ptr_equal(d.sacl.aces, got + 3);
	uint8_t again[512];
	struct wr w2 = wr_init(again, sizeof(again));
	wire_sd_encode(&w2, &d, all);
	assert_int_equal(w2.pos, w.pos);
	assert_memory_equal(again, buf, w.pos);
	/* without SACL_SECURITY_INFORMATION the SACL and its bits go */
	w2 = wr_init(again, sizeof(again));
	wire_sd_encode(&w2, &d, ALL_INFO);
	assert_int_equal(w2.pos, sizeof(golden_sd));
	assert_memory_equal(again, golden_sd, sizeof(golden_sd));
	/* too few ACE slots */
	assert_status(wire_sd_decode(buf, w.pos, &d, got, 4), STATUS_INSUFFICIENT_RESOURCES);
}

static uint8_t m[512];

static NTSTATUS sd_mutated(size_t at, unsigned width, uint32_t v, size_t len)
{
	struct wire_ace got[8];
	struct wire_sd d;
	memcpy(m, golden_sd, sizeof(golden_sd));
	if (width == 1)
		m[at] = (uint8_t)v;
	else if (width == 2)
		wr_le16_at(m + at, (uint16_t)v);
	else
		wr_le32_at(m + at, v);
	return wire_sd_decode(m, len, &d, got, 8);
}

static void test_sd_decode_bounds(void **state)
{
	size_t len = sizeof(golden_sd);
	/* layout of golden_sd: header 20, DACL at 20 (8 + 36 + 20 + 20 = 84 bytes), owner at 104, group at 132 */
	assert_int_equal(get32(golden_sd, 16), 20);
	assert_int_equal(get32(golden_sd, 4), 104);
	assert_int_equal(get32(golden_sd, 8), 132);
	assert_ok(sd_mutated(0, 1, 1, len));
	assert_invalid(sd_mutated(0, 1, 2, len));	      /* Revision */
	assert_invalid(sd_mutated(2, 2, SE_DACL_PRESENT, len)); /* not self-relative */
	assert_invalid(sd_mutated(4, 4, 4, len));	      /* owner inside the header */
	assert_invalid(sd_mutated(4, 4, (uint32_t)len, len)); /* owner at the end */
	assert_invalid(sd_mutated(4, 4, (uint32_t)len - 4, len));
	assert_invalid(sd_mutated(4, 4, 0xFFFFFFFF, len));
	assert_invalid(sd_mutated(8, 4, (uint32_t)len - 8, len)); /* group SID runs past the end */
	assert_invalid(sd_mutated(104, 1, 2, len));		  /* SID revision */
	assert_invalid(sd_mutated(105, 1, 16, len));		  /* SubAuthorityCount > 15 */
	assert_invalid(sd_mutated(133, 1, 15, len));		  /* group SID past the end */
	assert_invalid(sd_mutated(16, 4, 8, len));		  /* DACL inside the header */
	assert_invalid(sd_mutated(16, 4, (uint32_t)len - 4, len)); /* DACL header past the end */
	assert_invalid(sd_mutated(20, 1, 3, len));		  /* ACL revision */
	assert_invalid(sd_mutated(22, 2, 7, len));		  /* AclSize below the header */
	assert_invalid(sd_mutated(22, 2, (uint16_t)(len - 19), len)); /* AclSize past the end */
	assert_invalid(sd_mutated(24, 2, 4, len));		  /* more ACEs than AclSize holds */
	assert_invalid(sd_mutated(28 + 2, 2, 38, len));		  /* AceSize not a multiple of 4 */
	assert_invalid(sd_mutated(28 + 2, 2, 2, len));		  /* AceSize below its header */
	assert_invalid(sd_mutated(28 + 2, 2, 200, len));	  /* AceSize past the ACL */
	assert_invalid(sd_mutated(28 + 2, 2, 12, len));		  /* AceSize too small for its SID */
	assert_invalid(sd_mutated(28 + 9, 1, 200, len));	  /* ACE SID SubAuthorityCount */
	assert_status(sd_mutated(24, 2, 3, len), STATUS_SUCCESS);
	/* DACL offset ignored without SE_DACL_PRESENT */
	assert_ok(sd_mutated(2, 2, SE_SELF_RELATIVE, len));
	struct wire_sd d;
	assert_invalid(wire_sd_decode(golden_sd, 19, &d, NULL, 0));
	for (size_t l = 0; l < len; l++) {
		struct wire_ace got[8];
		NTSTATUS st = wire_sd_decode(golden_sd, l, &d, got, 8);
		assert_int_not_equal(st.v, STATUS_SUCCESS.v);
	}
}

static void test_sid_helpers(void **state)
{
	static const uint32_t sub[] = { 32, 544 };
	struct wire_sid a = mk_sid(5, 2, sub), b = a;
	assert_int_equal(wire_sid_size(&a), 16);
	assert_true(wire_sid_equal(&a, &b));
	b.sub[1] = 545;
	assert_false(wire_sid_equal(&a, &b));
	uint8_t buf[64];
	struct wr w = wr_init(buf, sizeof(buf));
	wire_sid_encode(&w, &a);
	assert_int_equal(w.pos, 16);
	/* S-1-5-32-544 */
	static const uint8_t want[] = { 1, 2, 0, 0, 0, 0, 0, 5, 32, 0, 0, 0, 0x20, 2, 0, 0 };
	assert_memory_equal(buf, want, sizeof(want));
	struct rd r = rd_init(buf, w.pos);
	struct wire_sid c;
	assert_true(wire_sid_decode(&r, &c));
	assert_true(wire_sid_equal(&a, &c));
	r = rd_init(buf, w.pos - 1);
	assert_false(wire_sid_decode(&r, &c));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sd_golden),
		cmocka_unit_test(test_sd_secinfo),
		cmocka_unit_test(test_sd_decode_bounds),
		cmocka_unit_test(test_sid_helpers),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
