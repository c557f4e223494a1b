/* Unit tests for fsa/acl.c: the access check against a token (allow/deny
 * order, owner rights, NULL and empty DACLs, group membership, generic
 * mapping), inheritance to new files and directories, and the stored form
 * round trip through the wire codec. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "base/rdwr.h"
#include "fsa/fsa.h"

static const gid_t groups[] = { 500, 501 };
static const struct fsa_token tok = { .uid = 1000, .gid = 100, .groups = groups, .n_groups = 2 };

static struct wire_ace ace(uint8_t type, uint8_t flags, uint32_t mask, uint32_t kind, uint32_t id)
{
	struct wire_ace a = { .type = type, .flags = flags, .mask = mask };
	fsa_unix_sid(&a.sid, kind, id);
	return a;
}

static struct wire_sd sd_with(struct wire_ace *aces, uint16_t n, uint32_t owner)
{
	struct wire_sd sd = { .control = SE_SELF_RELATIVE | SE_DACL_PRESENT,
			      .has_owner = true,
			      .has_group = true,
			      .has_dacl = true,
			      .dacl = { .revision = ACL_REVISION, .count = n, .aces = aces } };
	fsa_unix_sid(&sd.owner, 1, owner);
	fsa_unix_sid(&sd.group, 2, 100);
	return sd;
}

static void test_allow_deny_order(void **state)
{
	(void)state;
	struct wire_ace a[3] = {
		ace(ACCESS_DENIED_ACE_TYPE, 0, FILE_WRITE_DATA, 1, 1000),
		ace(ACCESS_ALLOWED_ACE_TYPE, 0, FILE_READ_DATA | FILE_WRITE_DATA, 2, 501),
		ace(ACCESS_ALLOWED_ACE_TYPE, 0, DELETE, 1, 2000), /* someone else */
	};
	struct wire_sd sd = sd_with(a, 3, 2000);
	uint32_t g = fsa_sd_granted(&sd, &tok);
	assert_true(g & FILE_READ_DATA);       /* via supplementary group 501 */
	assert_false(g & FILE_WRITE_DATA);     /* the earlier deny wins */
	assert_false(g & DELETE);	       /* not for this user */
	assert_false(g & (READ_CONTROL | WRITE_DAC)); /* not the owner */

	/* an allow before the deny grants first */
	struct wire_ace b[2] = {
		ace(ACCESS_ALLOWED_ACE_TYPE, 0, FILE_WRITE_DATA, 1, 1000),
		ace(ACCESS_DENIED_ACE_TYPE, 0, FILE_WRITE_DATA | FILE_READ_DATA, 2, 100),
	};
	sd = sd_with(b, 2, 1000);
	g = fsa_sd_granted(&sd, &tok);
	assert_true(g & FILE_WRITE_DATA);
	assert_false(g & FILE_READ_DATA);
	assert_true((g & (READ_CONTROL | WRITE_DAC)) == (READ_CONTROL | WRITE_DAC)); /* owner */
}

static void test_null_empty_inherit_only_generic(void **state)
{
	(void)state;
	struct wire_sd sd = sd_with(NULL, 0, 2000);
	assert_int_equal(fsa_sd_granted(&sd, &tok), 0); /* empty DACL: nothing */
	sd.has_dacl = false;				 /* NULL DACL: everything */
	assert_int_equal(fsa_sd_granted(&sd, &tok), FILE_ALL_ACCESS);
	struct wire_ace a[2] = {
		ace(ACCESS_ALLOWED_ACE_TYPE, INHERIT_ONLY_ACE | OBJECT_INHERIT_ACE, FILE_ALL_ACCESS, 1, 1000),
		ace(ACCESS_ALLOWED_ACE_TYPE, 0, GENERIC_READ, 1, 1000),
	};
	sd = sd_with(a, 2, 2000);
	uint32_t g = fsa_sd_granted(&sd, &tok);
	assert_true((g & FILE_GENERIC_READ) == FILE_GENERIC_READ); /* generic mapped */
	assert_false(g & FILE_WRITE_DATA);			   /* inherit-only skipped */
}

static void test_owner_rights(void **state)
{
	(void)state;
	struct wire_ace a[1] = { { .type = ACCESS_ALLOWED_ACE_TYPE, .mask = FILE_READ_DATA } };
	a[0].sid = (struct wire_sid){ .revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 3 }, .sub = { 4 } };
	struct wire_sd sd = sd_with(a, 1, 1000);
	uint32_t g = fsa_sd_granted(&sd, &tok);
	assert_true(g & FILE_READ_DATA);
	assert_false(g & WRITE_DAC); /* OWNER RIGHTS replaces the implicit rights */
	struct fsa_token other = tok;
	other.uid = 7;
	assert_int_equal(fsa_sd_granted(&sd, &other), 0);
}

static void test_inheritance(void **state)
{
	(void)state;
	struct wire_ace a[4] = {
		ace(ACCESS_ALLOWED_ACE_TYPE, OBJECT_INHERIT_ACE, FILE_READ_DATA, 1, 1000),
		ace(ACCESS_ALLOWED_ACE_TYPE, CONTAINER_INHERIT_ACE, FILE_LIST_DIRECTORY, 1, 3000),
		ace(ACCESS_ALLOWED_ACE_TYPE, 0, FILE_ALL_ACCESS, 1, 4000), /* not inheritable */
		{ .type = ACCESS_ALLOWED_ACE_TYPE, .flags = OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE,
		  .mask = GENERIC_ALL },
	};
	a[3].sid = (struct wire_sid){ .revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 3 } }; /* CREATOR OWNER */
	struct wire_sd parent = sd_with(a, 4, 2000);

	struct fsa_sd *f = fsa_sd_for_new(&parent, NULL, false, &tok);
	assert_non_null(f);
	assert_true(f->sd.control & SE_DACL_PRESENT);
	assert_int_equal(f->sd.dacl.count, 2); /* the OI ACE and CREATOR OWNER made concrete */
	struct wire_sid me;
	fsa_unix_sid(&me, 1, 1000);
	assert_true(wire_sid_equal(&f->sd.owner, &me));
	assert_true(f->sd.dacl.aces[0].flags & INHERITED_ACE);
	assert_true(wire_sid_equal(&f->sd.dacl.aces[1].sid, &me));
	assert_int_equal(f->sd.dacl.aces[1].mask, FILE_ALL_ACCESS);
	assert_int_equal(fsa_sd_granted(&f->sd, &tok) & FILE_ALL_ACCESS, FILE_ALL_ACCESS);

	/* the stored form round-trips through the codec */
	uint32_t all = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION;
	uint8_t buf[512];
	struct wr w = wr_init(buf, sizeof(buf));
	wire_sd_encode(&w, &f->sd, all);
	assert_false(w.bad);
	NTSTATUS st;
	struct fsa_sd *back = fsa_sd_decode(buf, w.pos, &st);
	assert_non_null(back);
	assert_int_equal(back->sd.dacl.count, 2);
	assert_int_equal(fsa_sd_granted(&back->sd, &tok), fsa_sd_granted(&f->sd, &tok));
	fsa_sd_free(back);
	fsa_sd_free(f);

	/* a directory keeps passing ACEs on; file-only ones become inherit-only */
	struct fsa_sd *d = fsa_sd_for_new(&parent, NULL, true, &tok);
	assert_non_null(d);
	int inherit_only = 0, effective_me = 0;
	for (uint16_t i = 0; i < d->sd.dacl.count; i++) {
		const struct wire_ace *x = &d->sd.dacl.aces[i];
		if (x->flags & INHERIT_ONLY_ACE)
			inherit_only++;
		else if (wire_sid_equal(&x->sid, &me))
			effective_me++;
	}
	assert_int_equal(d->sd.dacl.count, 4); /* OI (inherit-only), CI, CREATOR OWNER generic + concrete */
	assert_int_equal(inherit_only, 2);
	assert_int_equal(effective_me, 1);
	fsa_sd_free(d);

	/* a given DACL wins over inheritance; owner defaults to the creator */
	struct wire_ace g1 = ace(ACCESS_ALLOWED_ACE_TYPE, 0, FILE_READ_DATA, 1, 1000);
	struct wire_sd given = { .control = SE_SELF_RELATIVE | SE_DACL_PRESENT, .has_dacl = true,
				 .dacl = { .revision = ACL_REVISION, .count = 1, .aces = &g1 } };
	struct fsa_sd *n = fsa_sd_for_new(&parent, &given, false, &tok);
	assert_non_null(n);
	assert_int_equal(n->sd.dacl.count, 1);
	assert_true(n->sd.has_owner && wire_sid_equal(&n->sd.owner, &me));
	fsa_sd_free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow_deny_order),
		cmocka_unit_test(test_null_empty_inherit_only_generic),
		cmocka_unit_test(test_owner_rights),
		cmocka_unit_test(test_inheritance),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
