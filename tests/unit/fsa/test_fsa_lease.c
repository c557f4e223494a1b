/* Unit tests for lease state transitions (fsa/lease.c): what a request can
 * mean, what other opens break a lease to, upgrades by the lease's own key,
 * the step-by-step breaks after acknowledgements, and whole sequences on
 * opens built in memory: grants beside other leases and oplocks, breaks
 * for opens, sharing violations, overwrites, writes and renames, v2 epochs,
 * acknowledgement errors, timeouts and closing holders. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

#define R FSA_LEASE_R
#define H FSA_LEASE_H
#define W FSA_LEASE_W

static void test_normalize(void **state)
{
	(void)state;
	static const struct {
		uint32_t req, file, dir;
	} t[] = {
		{ 0, 0, 0 },	     { R, R, R },	   { H, 0, 0 },		 { W, 0, 0 },
		{ R | H, R | H, R | H }, { R | W, R | W, R }, { H | W, 0, 0 }, { R | H | W, R | H | W, R | H },
		{ 0xF8 | R, R, R },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(fsa_lease_normalize(t[i].req, false), t[i].file);
		assert_int_equal(fsa_lease_normalize(t[i].req, true), t[i].dir);
	}
}

static void test_open_target(void **state)
{
	(void)state;
	/* an open breaks Write caching */
	assert_int_equal(fsa_lease_open_target(R | H | W, W, false), R | H);
	assert_int_equal(fsa_lease_open_target(R | W, W, false), R);
	assert_int_equal(fsa_lease_open_target(R | H, W, false), R | H);
	assert_int_equal(fsa_lease_open_target(R, W, false), R);
	/* a sharing violation breaks Handle caching only */
	assert_int_equal(fsa_lease_open_target(R | H | W, H, false), R | W);
	assert_int_equal(fsa_lease_open_target(R | H, H, false), R);
	assert_int_equal(fsa_lease_open_target(R | W, H, false), R | W);
	/* an overwrite breaks everything */
	assert_int_equal(fsa_lease_open_target(R | H | W, W, true), 0);
	assert_int_equal(fsa_lease_open_target(R, W, true), 0);
	assert_int_equal(fsa_lease_open_target(0, W, true), 0);
}

static void test_upgrade(void **state)
{
	(void)state;
	static const uint32_t s[] = { 0, R, R | H, R | W, R | H | W };
	/* uncontended: only a strict superset changes the lease */
	for (size_t i = 0; i < 5; i++)
		for (size_t j = 0; j < 5; j++) {
			uint32_t out;
			bool super = !(s[i] & ~s[j]) && s[i] != s[j];
			assert_int_equal(fsa_lease_upgrade(s[i], s[j], R | H | W, &out), super);
			assert_int_equal(out, super ? s[j] : s[i]);
		}
	/* contended: a superset the other leases do not allow changes nothing */
	uint32_t out;
	assert_false(fsa_lease_upgrade(R, R | H | W, R | H, &out));
	assert_int_equal(out, R);
	assert_true(fsa_lease_upgrade(R, R | H, R | H, &out));
	assert_int_equal(out, R | H);
	assert_false(fsa_lease_upgrade(R | H, R | W, R | H | W, &out)); /* sideways */
	assert_int_equal(out, R | H);
}

static void test_ack_next(void **state)
{
	(void)state;
	assert_int_equal(fsa_lease_ack_next(R | H, R | H), R | H); /* done */
	assert_int_equal(fsa_lease_ack_next(R | H, 0), R);	  /* first to R ... */
	assert_int_equal(fsa_lease_ack_next(R, 0), 0);		  /* ... then to none */
	assert_int_equal(fsa_lease_ack_next(R | W, R), R);
	assert_int_equal(fsa_lease_ack_next(R | H, R), R);
	assert_int_equal(fsa_lease_ack_next(0, 0), 0);
	assert_int_equal(fsa_lease_ack_next(R, R | H), R); /* acked below what was needed */
}

/* --- sequences on one file --- */

static const uint8_t GUID_A[16] = { 0xA }, GUID_B[16] = { 0xB };
static const uint8_t KEY1[16] = { 1 }, KEY2[16] = { 2 };

struct fixture {
	struct fsa_table *t;
	struct fsa_file f;
	struct fsa_open o[4];
	int n;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	x->t = fsa_table_new();
	x->f.path = NULL;
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	for (int i = 0; i < x->n; i++)
		fsa_lease_release_locked(x->t, &x->o[i]);
	fsa_table_free(x->t);
	free(x);
	return 0;
}

/* Adds an open of the file (newest first, like file.c). */
static struct fsa_open *add_open(struct fixture *x, uint32_t access, uint8_t oplock)
{
	struct fsa_open *o = &x->o[x->n++];
	*o = (struct fsa_open){ .table = x->t, .file = &x->f, .fd = -1, .access = access, .oplock = oplock };
	o->owner_loop = (void *)o; /* any non-NULL loop: breaks have a destination */
	o->owner_conn = (uint64_t)x->n;
	o->next_in_file = x->f.opens;
	x->f.opens = o;
	x->f.n_opens++;
	return o;
}

static struct fsa_lease_req req(const uint8_t guid[16], const uint8_t key[16], uint32_t state, bool v2)
{
	struct fsa_lease_req q = { .state = state, .v2 = v2, .epoch = 0x10 };
	memcpy(q.guid, guid, 16);
	memcpy(q.key, key, 16);
	return q;
}

/* An open with a lease request: returns the granted state. */
static uint32_t grant(struct fixture *x, struct fsa_open *o, const struct fsa_lease_req *q, struct fsa_create_result *r)
{
	memset(r, 0, sizeof(*r));
	assert_int_equal(fsa_lease_grant_locked(x->t, &x->f, o, q, r).v, STATUS_SUCCESS.v);
	assert_true(r->leased);
	return r->lease_state;
}

static void test_break_on_open_and_ack(void **state)
{
	struct fixture *x = *state;
	struct fsa_create_result r;
	struct fsa_lease_req q1 = req(GUID_A, KEY1, R | H | W, true);
	assert_int_equal(grant(x, add_open(x, FILE_GENERIC_READ | FILE_GENERIC_WRITE, 0), &q1, &r), R | H | W);
	assert_int_equal(r.lease_epoch, 0x11); /* a new v2 lease: the client's epoch + 1 */

	/* another client's open breaks Write caching and must wait */
	struct fsa_lease_req q2 = req(GUID_B, KEY1, R | H | W, true);
	memset(&r, 0, sizeof(r));
	assert_true(fsa_lease_breaks_for_open_locked(&x->f, NULL, &q2, W, false, false, &r));
	assert_int_equal(r.n_breaks, 1);
	assert_true(r.breaks[0].is_lease && r.breaks[0].lease_ack && r.breaks[0].lease_v2);
	assert_int_equal(r.breaks[0].lease_from, R | H | W);
	assert_int_equal(r.breaks[0].lease_to, R | H);
	assert_int_equal(r.breaks[0].lease_epoch, 0x12);
	assert_non_null(r.breaks[0].loop);
	assert_true(fsa_lease_breaking_locked(&x->f));

	/* the holder's own key still opens, seeing RWH and "breaking" */
	assert_int_equal(grant(x, add_open(x, FILE_GENERIC_READ, 0), &q1, &r), R | H | W);
	assert_true(r.lease_breaking);

	/* acknowledgements: more than offered is refused, then accepted once */
	struct fsa_break next;
	int n_next;
	struct fsa_file *f;
	assert_int_equal(fsa_lease_ack_locked(x->t, GUID_A, KEY1, R | H | W, &next, &n_next, &f).v,
			 STATUS_REQUEST_NOT_ACCEPTED.v);
	assert_int_equal(fsa_lease_ack_locked(x->t, GUID_B, KEY1, R | H, &next, &n_next, &f).v,
			 STATUS_OBJECT_NAME_NOT_FOUND.v);
	assert_int_equal(fsa_lease_ack_locked(x->t, GUID_A, KEY1, R | H, &next, &n_next, &f).v, STATUS_SUCCESS.v);
	assert_int_equal(n_next, 0);
	assert_ptr_equal(f, &x->f);
	assert_false(fsa_lease_breaking_locked(&x->f));
	assert_int_equal(fsa_lease_ack_locked(x->t, GUID_A, KEY1, R | H, &next, &n_next, &f).v, STATUS_UNSUCCESSFUL.v);

	/* the new client gets RH beside it: W is not shared */
	assert_false(fsa_lease_breaks_for_open_locked(&x->f, NULL, &q2, W, false, true, &r));
	assert_int_equal(grant(x, add_open(x, FILE_GENERIC_READ, 0), &q2, &r), R | H);
}

static void test_steps_after_ack(void **state)
{
	struct fixture *x = *state;
	struct fsa_create_result r;
	struct fsa_lease_req q1 = req(GUID_A, KEY1, R | H | W, false);
	grant(x, add_open(x, FILE_GENERIC_READ | FILE_GENERIC_WRITE, 0), &q1, &r);
	/* an open (break to RH), then an overwrite while that break is out */
	memset(&r, 0, sizeof(r));
	assert_true(fsa_lease_breaks_for_open_locked(&x->f, NULL, NULL, W, false, false, &r));
	assert_int_equal(r.n_breaks, 1);
	memset(&r, 0, sizeof(r));
	assert_true(fsa_lease_breaks_for_open_locked(&x->f, NULL, NULL, W, true, false, &r));
	assert_int_equal(r.n_breaks, 0); /* no second notification yet */
	/* acknowledged RH: next RH -> R (acknowledged), then R -> none (not) */
	struct fsa_break next;
	int n_next;
	struct fsa_file *f;
	assert_int_equal(fsa_lease_ack_locked(x->t, GUID_A, KEY1, R | H, &next, &n_next, &f).v, STATUS_SUCCESS.v);
	assert_int_equal(n_next, 1);
	assert_int_equal(next.lease_from, R | H);
	assert_int_equal(next.lease_to, R);
	assert_true(next.lease_ack);
	assert_int_equal(fsa_lease_ack_locked(x->t, GUID_A, KEY1, R, &next, &n_next, &f).v, STATUS_SUCCESS.v);
	assert_int_equal(n_next, 1);
	assert_int_equal(next.lease_to, 0);
	assert_false(next.lease_ack);
	assert_false(fsa_lease_breaking_locked(&x->f));
	struct fsa_lease_req query = req(GUID_A, KEY1, 0, false);
	assert_int_equal(grant(x, add_open(x, FILE_GENERIC_READ, 0), &query, &r), 0);
}

static void test_sharing_violation_breaks_handle(void **state)
{
	struct fixture *x = *state;
	struct fsa_create_result r;
	struct fsa_lease_req q1 = req(GUID_A, KEY1, R | H, false);
	grant(x, add_open(x, FILE_GENERIC_READ, 0), &q1, &r);
	/* an open that conflicts on sharing waits for the holder to drop H */
	memset(&r, 0, sizeof(r));
	assert_true(fsa_lease_breaks_for_open_locked(&x->f, NULL, NULL, H, false, false, &r));
	assert_int_equal(r.n_breaks, 1);
	assert_int_equal(r.breaks[0].lease_to, R);
	/* the holder closes instead of acknowledging: the break is over */
	assert_true(fsa_lease_release_locked(x->t, &x->o[0]));
	assert_null(x->f.leases);
}

static void test_overwrite_of_rh_does_not_wait(void **state)
{
	struct fixture *x = *state;
	struct fsa_create_result r;
	struct fsa_lease_req q1 = req(GUID_A, KEY1, R | H, false);
	grant(x, add_open(x, FILE_GENERIC_READ, 0), &q1, &r);
	memset(&r, 0, sizeof(r));
	/* RH -> none wants an acknowledgement, but nothing cached is written */
	assert_false(fsa_lease_breaks_for_open_locked(&x->f, NULL, NULL, W, true, false, &r));
	assert_int_equal(r.n_breaks, 1);
	assert_int_equal(r.breaks[0].lease_to, 0);
	assert_true(r.breaks[0].lease_ack);
	/* a plain open now waits while that break is out */
	memset(&r, 0, sizeof(r));
	assert_true(fsa_lease_breaks_for_open_locked(&x->f, NULL, NULL, W, false, false, &r));
	/* the timeout revokes the lease */
	fsa_lease_timeout_locked(&x->f);
	assert_false(fsa_lease_breaking_locked(&x->f));
	struct fsa_lease_req query = req(GUID_A, KEY1, 0, false);
	assert_int_equal(grant(x, add_open(x, FILE_GENERIC_READ, 0), &query, &r), 0);
	/* asking again upgrades it (nobody else holds the file) */
	assert_int_equal(grant(x, add_open(x, FILE_GENERIC_READ, 0), &q1, &r), R | H);
}

static void test_write_and_rename_breaks(void **state)
{
	struct fixture *x = *state;
	struct fsa_create_result r;
	struct fsa_lease_req q1 = req(GUID_A, KEY1, R, false), q2 = req(GUID_A, KEY2, R | H, false);
	struct fsa_open *a = add_open(x, FILE_GENERIC_READ | FILE_GENERIC_WRITE, 0);
	grant(x, a, &q1, &r);
	struct fsa_open *b = add_open(x, FILE_GENERIC_READ, 0);
	assert_int_equal(grant(x, b, &q2, &r), R | H);
	/* a rename by a breaks KEY2's Handle caching and waits */
	struct fsa_break br[4];
	int n = 0;
	assert_true(fsa_lease_breaks_handle_locked(&x->f, a->lease, br, 4, &n));
	assert_int_equal(n, 1);
	assert_int_equal(br[0].lease_to, R);
	struct fsa_break next;
	int n_next;
	struct fsa_file *f;
	assert_int_equal(fsa_lease_ack_locked(x->t, GUID_A, KEY2, R, &next, &n_next, &f).v, STATUS_SUCCESS.v);
	/* a write by a breaks the other lease, never its own */
	n = fsa_lease_breaks_for_write_locked(&x->f, NULL, a->lease, br, 4);
	assert_int_equal(n, 1);
	assert_memory_equal(br[0].lease_key, KEY2, 16);
	assert_int_equal(br[0].lease_to, 0);
	assert_false(br[0].lease_ack); /* from R: no acknowledgement */
	assert_int_equal(fsa_lease_breaks_for_write_locked(&x->f, NULL, a->lease, br, 4), 0);
}

static void test_grant_beside_oplocks_and_stat_opens(void **state)
{
	struct fixture *x = *state;
	struct fsa_create_result r;
	/* a level II oplock shares Read only */
	add_open(x, FILE_GENERIC_READ, FSA_OPLOCK_II);
	struct fsa_lease_req q1 = req(GUID_A, KEY1, R | H | W, false);
	assert_int_equal(grant(x, add_open(x, FILE_GENERIC_READ, 0), &q1, &r), R);
	/* a stat open does not keep another lease from caching writes */
	struct fixture *y = calloc(1, sizeof(*y));
	y->t = x->t;
	add_open(y, FILE_READ_ATTRIBUTES, 0);
	struct fsa_lease_req q2 = req(GUID_B, KEY2, R | H | W, false);
	assert_int_equal(grant(y, add_open(y, FILE_GENERIC_READ | FILE_GENERIC_WRITE, 0), &q2, &r), R | H | W);
	/* one key, one file */
	struct fsa_open *o = add_open(y, FILE_GENERIC_READ, 0);
	memset(&r, 0, sizeof(r));
	assert_int_equal(fsa_lease_grant_locked(y->t, &y->f, o, &q1, &r).v, STATUS_INVALID_PARAMETER.v);
	for (int i = 0; i < y->n; i++)
		fsa_lease_release_locked(y->t, &y->o[i]);
	free(y);
}

static void test_stat_open_classes(void **state)
{
	(void)state;
	assert_true(fsa_lease_stat_open(FILE_READ_ATTRIBUTES | SYNCHRONIZE));
	assert_true(fsa_lease_stat_open(READ_CONTROL));
	assert_true(fsa_lease_stat_open(FILE_WRITE_ATTRIBUTES));
	assert_false(fsa_lease_stat_open(FILE_READ_DATA));
	assert_false(fsa_lease_stat_open(FILE_READ_EA));
	assert_false(fsa_lease_stat_open(DELETE));
	assert_false(fsa_lease_stat_open(WRITE_DAC));
}

/* A named stream is leased on its own ([MS-FSA]: oplocks are per stream):
 * leases of the file and of its stream neither limit nor break each other,
 * and one key cannot lease both. */
static void test_stream_leases_apart(void **state)
{
	struct fixture *x = *state;
	struct fsa_create_result r;
	static struct fsa_stream_state stream; /* compared, never followed */
	struct fsa_lease_req qf = req(GUID_A, KEY1, R | H | W, true);
	assert_int_equal(grant(x, add_open(x, FILE_GENERIC_READ | FILE_GENERIC_WRITE, 0), &qf, &r), R | H | W);

	struct fsa_lease_req qs = req(GUID_A, KEY2, R | H | W, true);
	memset(&r, 0, sizeof(r));
	assert_false(fsa_lease_breaks_for_open_locked(&x->f, &stream, &qs, W, false, false, &r));
	assert_int_equal(r.n_breaks, 0);
	struct fsa_open *so = add_open(x, FILE_GENERIC_READ | FILE_GENERIC_WRITE, 0);
	so->stream = &stream;
	assert_int_equal(grant(x, so, &qs, &r), R | H | W);

	/* a write to the stream breaks nothing of the file's */
	struct fsa_break br[4];
	assert_int_equal(fsa_lease_breaks_for_write_locked(&x->f, &stream, so->lease, br, 4), 0);
	/* but another open of the stream breaks the stream's lease only */
	struct fsa_lease_req q3 = req(GUID_B, KEY1, R, true);
	memset(&r, 0, sizeof(r));
	assert_true(fsa_lease_breaks_for_open_locked(&x->f, &stream, &q3, W, false, false, &r));
	assert_int_equal(r.n_breaks, 1);
	assert_memory_equal(r.breaks[0].lease_key, KEY2, 16);

	/* the file's key on the stream is refused */
	struct fsa_open *so2 = add_open(x, FILE_GENERIC_READ, 0);
	so2->stream = &stream;
	memset(&r, 0, sizeof(r));
	assert_int_equal(fsa_lease_grant_locked(x->t, &x->f, so2, &qf, &r).v, STATUS_INVALID_PARAMETER.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test_setup_teardown(test_stream_leases_apart, setup, teardown),
		cmocka_unit_test(test_open_target),
		cmocka_unit_test(test_upgrade),
		cmocka_unit_test(test_ack_next),
		cmocka_unit_test(test_stat_open_classes),
		cmocka_unit_test_setup_teardown(test_break_on_open_and_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_steps_after_ack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sharing_violation_breaks_handle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_overwrite_of_rh_does_not_wait, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_and_rename_breaks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_grant_beside_oplocks_and_stat_opens, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
