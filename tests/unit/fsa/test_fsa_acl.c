/* Unit tests for fsa/acl.c: the access check against a token (allow/deny
 * order, owner rights, NULL and empty DACLs, group membership, generic
 * mapping), inheritance to new files and directories (every OI/CI/NP/IO
 * combination as Windows applies it, auto-inheritance, the default DACL),
 * the descriptor POSIX mode describes, and the stored form round trip
 * through the wire codec. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
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

static const struct wire_sid creator_owner = { .revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 3 } };
static const struct wire_sid everyone = { .revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 1 } };

/* What Windows gives a new file and a new directory below a parent whose
 * DACL is {CREATOR OWNER: FILE_WRITE_DATA with `flags`; Everyone: all, not
 * inheritable}, for every OI/CI/NP/IO combination (the table smbtorture
 * smb2.acls.INHERITANCE checks against Windows). */
static void test_inheritance_flag_table(void **state)
{
	(void)state;
	enum { DEF, OWNER_ONLY, CREATOR_ONLY, OWNER_AND_CREATOR };
	static const struct {
		uint8_t parent;
		bool file_gets_ace; /* else: the default DACL */
		int dir;	    /* what the directory gets */
		uint8_t dir_flags;  /* flags of the owner ACE / of the CREATOR OWNER ACE */
	} t[] = {
		{ 0, false, DEF, 0 },
		{ OBJECT_INHERIT_ACE, true, CREATOR_ONLY, OBJECT_INHERIT_ACE | INHERIT_ONLY_ACE },
		{ CONTAINER_INHERIT_ACE, false, OWNER_AND_CREATOR, CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE },
		{ OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE, true, OWNER_AND_CREATOR,
		  OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE },
		{ NO_PROPAGATE_INHERIT_ACE, false, DEF, 0 },
		{ NO_PROPAGATE_INHERIT_ACE | OBJECT_INHERIT_ACE, true, DEF, 0 },
		{ NO_PROPAGATE_INHERIT_ACE | CONTAINER_INHERIT_ACE, false, OWNER_ONLY, 0 },
		{ NO_PROPAGATE_INHERIT_ACE | CONTAINER_INHERIT_ACE | OBJECT_INHERIT_ACE, true, OWNER_ONLY, 0 },
		{ INHERIT_ONLY_ACE, false, DEF, 0 },
		{ INHERIT_ONLY_ACE | OBJECT_INHERIT_ACE, true, CREATOR_ONLY, OBJECT_INHERIT_ACE | INHERIT_ONLY_ACE },
		{ INHERIT_ONLY_ACE | CONTAINER_INHERIT_ACE, false, OWNER_AND_CREATOR,
		  CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE },
		{ INHERIT_ONLY_ACE | NO_PROPAGATE_INHERIT_ACE | CONTAINER_INHERIT_ACE | OBJECT_INHERIT_ACE, true,
		  OWNER_ONLY, 0 },
	};
	struct wire_sid me;
	fsa_unix_sid(&me, 1, 1000);
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct wire_ace a[2] = {
			{ .type = ACCESS_ALLOWED_ACE_TYPE, .flags = t[i].parent, .mask = FILE_WRITE_DATA,
			  .sid = creator_owner },
			{ .type = ACCESS_ALLOWED_ACE_TYPE, .mask = FILE_ALL_ACCESS, .sid = everyone },
		};
		struct wire_sd parent = sd_with(a, 2, 2000);

		struct fsa_sd *f = fsa_sd_for_new(&parent, NULL, false, &tok);
		assert_non_null(f);
		assert_int_equal(f->sd.control, SE_SELF_RELATIVE | SE_DACL_PRESENT);
		if (t[i].file_gets_ace) {
			assert_int_equal(f->sd.dacl.count, 1);
			assert_true(wire_sid_equal(&f->sd.dacl.aces[0].sid, &me));
			assert_int_equal(f->sd.dacl.aces[0].mask, FILE_WRITE_DATA);
			assert_int_equal(f->sd.dacl.aces[0].flags, 0);
		} else {
			assert_int_equal(f->sd.dacl.count, 2); /* owner and SYSTEM, full control */
			assert_true(wire_sid_equal(&f->sd.dacl.aces[0].sid, &me));
			assert_int_equal(f->sd.dacl.aces[0].mask, FILE_ALL_ACCESS);
			assert_int_equal(f->sd.dacl.aces[1].mask, FILE_ALL_ACCESS);
		}
		fsa_sd_free(f);

		struct fsa_sd *d = fsa_sd_for_new(&parent, NULL, true, &tok);
		assert_non_null(d);
		const struct wire_ace *x = d->sd.dacl.aces;
		switch (t[i].dir) {
		case DEF:
			assert_int_equal(d->sd.dacl.count, 2);
			assert_int_equal(x[0].mask, FILE_ALL_ACCESS);
			break;
		case OWNER_ONLY:
			assert_int_equal(d->sd.dacl.count, 1);
			assert_true(wire_sid_equal(&x[0].sid, &me));
			assert_int_equal(x[0].flags, t[i].dir_flags);
			break;
		case CREATOR_ONLY:
			assert_int_equal(d->sd.dacl.count, 1);
			assert_true(wire_sid_equal(&x[0].sid, &creator_owner));
			assert_int_equal(x[0].flags, t[i].dir_flags);
			break;
		case OWNER_AND_CREATOR:
			assert_int_equal(d->sd.dacl.count, 2);
			assert_true(wire_sid_equal(&x[0].sid, &me));
			assert_int_equal(x[0].flags, 0);
			assert_true(wire_sid_equal(&x[1].sid, &creator_owner));
			assert_int_equal(x[1].flags, t[i].dir_flags);
			break;
		}
		if (t[i].dir != DEF)
			assert_int_equal(x[0].mask, FILE_WRITE_DATA);
		fsa_sd_free(d);
	}
}

/* Generic rights and ordinary SIDs; auto-inheritance; the stored form. */
static void test_inheritance(void **state)
{
	(void)state;
	struct wire_ace a[4] = {
		ace(ACCESS_ALLOWED_ACE_TYPE, OBJECT_INHERIT_ACE, FILE_READ_DATA, 1, 1000),
		ace(ACCESS_ALLOWED_ACE_TYPE, CONTAINER_INHERIT_ACE, FILE_LIST_DIRECTORY, 1, 3000),
		ace(ACCESS_ALLOWED_ACE_TYPE, 0, FILE_ALL_ACCESS, 1, 4000), /* not inheritable */
		{ .type = ACCESS_ALLOWED_ACE_TYPE, .flags = OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE,
		  .mask = GENERIC_ALL, .sid = creator_owner },
	};
	struct wire_sd parent = sd_with(a, 4, 2000);
	struct wire_sid me;
	fsa_unix_sid(&me, 1, 1000);

	struct fsa_sd *f = fsa_sd_for_new(&parent, NULL, false, &tok);
	assert_non_null(f);
	assert_int_equal(f->sd.dacl.count, 2); /* the OI ACE and CREATOR OWNER made concrete */
	assert_true(wire_sid_equal(&f->sd.owner, &me));
	assert_int_equal(f->sd.dacl.aces[0].flags, 0); /* the parent is not auto-inherited */
	assert_true(wire_sid_equal(&f->sd.dacl.aces[1].sid, &me));
	assert_int_equal(f->sd.dacl.aces[1].mask, FILE_ALL_ACCESS); /* GENERIC_ALL mapped */
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

	/* a directory: the OI ACE inherit-only for its files, the CI ACE
	 * still inheritable, CREATOR OWNER's GENERIC_ALL split into the
	 * mapped effective ACE and an inherit-only generic copy */
	struct fsa_sd *d = fsa_sd_for_new(&parent, NULL, true, &tok);
	assert_non_null(d);
	assert_int_equal(d->sd.dacl.count, 4);
	const struct wire_ace *x = d->sd.dacl.aces;
	assert_int_equal(x[0].flags, OBJECT_INHERIT_ACE | INHERIT_ONLY_ACE);
	assert_int_equal(x[0].mask, FILE_READ_DATA);
	assert_int_equal(x[1].flags, CONTAINER_INHERIT_ACE);
	assert_true(wire_sid_equal(&x[2].sid, &me));
	assert_int_equal(x[2].flags, 0);
	assert_int_equal(x[2].mask, FILE_ALL_ACCESS);
	assert_true(wire_sid_equal(&x[3].sid, &creator_owner));
	assert_int_equal(x[3].flags, OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE | INHERIT_ONLY_ACE);
	assert_int_equal(x[3].mask, GENERIC_ALL);
	fsa_sd_free(d);

	/* an auto-inherited parent marks the child and its ACEs */
	parent.control |= SE_DACL_AUTO_INHERITED;
	f = fsa_sd_for_new(&parent, NULL, false, &tok);
	assert_non_null(f);
	assert_int_equal(f->sd.control, SE_SELF_RELATIVE | SE_DACL_PRESENT | SE_DACL_AUTO_INHERITED);
	for (uint16_t i = 0; i < f->sd.dacl.count; i++)
		assert_int_equal(f->sd.dacl.aces[i].flags, INHERITED_ACE);
	fsa_sd_free(f);

	/* a given DACL wins over inheritance; owner defaults to the creator */
	struct wire_ace g1 = ace(ACCESS_ALLOWED_ACE_TYPE, 0, FILE_READ_DATA, 1, 1000);
	struct wire_sd given = { .control = SE_SELF_RELATIVE | SE_DACL_PRESENT, .has_dacl = true,
				 .dacl = { .revision = ACL_REVISION, .count = 1, .aces = &g1 } };
	struct fsa_sd *n = fsa_sd_for_new(&parent, &given, false, &tok);
	assert_non_null(n);
	assert_int_equal(n->sd.dacl.count, 1);
	assert_true(n->sd.has_owner && wire_sid_equal(&n->sd.owner, &me));
	fsa_sd_free(n);

	/* without a parent DACL nothing is made up: POSIX describes the file */
	n = fsa_sd_for_new(NULL, NULL, false, &tok);
	assert_non_null(n);
	assert_false(n->sd.control & SE_DACL_PRESENT);
	fsa_sd_free(n);
}

/* Allow/deny order decides (a later DENY takes nothing an earlier ALLOW
 * granted), and OWNER RIGHTS replaces the owner's implicit rights
 * (smbtorture smb2.acls.DENY1, OWNER-RIGHTS*). */
static void test_deny_order_and_owner_rights(void **state)
{
	(void)state;
	const uint32_t file_read = FILE_GENERIC_READ;
	const struct wire_sid owner_rights = { .revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 3 },
					       .sub = { 4 } };
	/* DENY1: allow READ|WRITE_DATA, then deny WRITE_DATA */
	struct wire_ace a[3] = {
		ace(ACCESS_ALLOWED_ACE_TYPE, 0, file_read | FILE_WRITE_DATA, 1, 1000),
		ace(ACCESS_DENIED_ACE_TYPE, 0, FILE_WRITE_DATA, 1, 1000),
	};
	struct wire_sd sd = sd_with(a, 2, 1000);
	assert_int_equal(fsa_sd_granted(&sd, &tok), file_read | FILE_WRITE_DATA | WRITE_DAC);

	/* OWNER-RIGHTS-DENY: deny READ_DATA to OWNER RIGHTS, then allow read */
	a[0] = (struct wire_ace){ .type = ACCESS_DENIED_ACE_TYPE, .mask = FILE_READ_DATA, .sid = owner_rights };
	a[1] = ace(ACCESS_ALLOWED_ACE_TYPE, 0, file_read, 1, 1000);
	sd = sd_with(a, 2, 1000);
	assert_int_equal(fsa_sd_granted(&sd, &tok), file_read & ~FILE_READ_DATA);

	/* OWNER-RIGHTS-DENY1: allow read to the owner, WRITE_DATA to OWNER
	 * RIGHTS, then a trailing deny of both to OWNER RIGHTS */
	a[0] = ace(ACCESS_ALLOWED_ACE_TYPE, 0, file_read, 1, 1000);
	a[1] = (struct wire_ace){ .type = ACCESS_ALLOWED_ACE_TYPE, .mask = FILE_WRITE_DATA, .sid = owner_rights };
	a[2] = (struct wire_ace){ .type = ACCESS_DENIED_ACE_TYPE, .mask = FILE_WRITE_DATA | FILE_READ_DATA,
				  .sid = owner_rights };
	sd = sd_with(a, 3, 1000);
	assert_int_equal(fsa_sd_granted(&sd, &tok), file_read | FILE_WRITE_DATA);
	/* someone else: OWNER RIGHTS ACEs do not apply */
	struct fsa_token other = tok;
	other.uid = 7;
	assert_int_equal(fsa_sd_granted(&sd, &other), 0);
}

/* The descriptor POSIX mode describes: w on a directory removes entries. */
static void test_posix_descriptor(void **state)
{
	(void)state;
	struct vfs_stat st = { .mode = S_IFDIR | 0755, .uid = 1000, .gid = 100 };
	struct fsa_sd *s = fsa_sd_posix(&st);
	assert_non_null(s);
	uint32_t g = fsa_sd_granted(&s->sd, &tok);
	assert_true(g & FILE_DELETE_CHILD);
	assert_int_equal(g & FILE_ALL_ACCESS, FILE_ALL_ACCESS);
	struct fsa_token other = { .uid = 7, .gid = 7 };
	g = fsa_sd_granted(&s->sd, &other);
	assert_false(g & (FILE_DELETE_CHILD | FILE_ADD_FILE));
	assert_true(g & FILE_LIST_DIRECTORY);
	fsa_sd_free(s);

	st.mode = S_IFREG | 0644;
	s = fsa_sd_posix(&st);
	assert_non_null(s);
	assert_false(fsa_sd_granted(&s->sd, &tok) & FILE_DELETE_CHILD);
	assert_int_equal(fsa_sd_granted(&s->sd, &other) & (FILE_READ_DATA | FILE_WRITE_DATA), FILE_READ_DATA);
	fsa_sd_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_allow_deny_order),
		cmocka_unit_test(test_null_empty_inherit_only_generic),
		cmocka_unit_test(test_owner_rights),
		cmocka_unit_test(test_inheritance_flag_table),
		cmocka_unit_test(test_inheritance),
		cmocka_unit_test(test_deny_order_and_owner_rights),
		cmocka_unit_test(test_posix_descriptor),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
