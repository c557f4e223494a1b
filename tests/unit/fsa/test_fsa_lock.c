/* Unit tests for byte-range locks (fsa/lock.c) on opens built in memory:
 * conflicts between opens, stacking on one open, zero-length ranges, exact
 * unlocks (exclusive first), all-or-nothing arrays, I/O conflicts, range
 * overflow, and waiters woken by unlock and by handle close. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "fsa/fsa.h"

struct fixture {
	struct fsa_table *t;
	struct fsa_file f;
	struct fsa_open a, b;
};

static int setup(void **state)
{
	struct fixture *x = calloc(1, sizeof(*x));
	x->t = fsa_table_new();
	x->a = (struct fsa_open){ .table = x->t, .file = &x->f, .fd = -1 };
	x->b = (struct fsa_open){ .table = x->t, .file = &x->f, .fd = -1 };
	*state = x;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *x = *state;
	fsa_lock_cleanup(&x->a);
	fsa_lock_cleanup(&x->b);
	fsa_table_free(x->t);
	free(x);
	return 0;
}

static NTSTATUS lk(struct fsa_open *o, uint64_t off, uint64_t len, bool excl)
{
	struct fsa_lock_elem e = { .off = off, .len = len, .excl = excl };
	return fsa_lock(o, &e, 1, NULL);
}

static NTSTATUS ul(struct fsa_open *o, uint64_t off, uint64_t len)
{
	struct fsa_lock_elem e = { .off = off, .len = len };
	return fsa_unlock(o, &e, 1);
}

static void test_conflicts_and_io(void **state)
{
	struct fixture *x = *state;
	assert_true(NT_OK(lk(&x->a, 100, 10, true)));
	assert_true(NT_EQ(lk(&x->b, 105, 1, false), STATUS_LOCK_NOT_GRANTED));
	assert_true(NT_OK(lk(&x->b, 110, 10, true))); /* adjacent: no overlap */
	assert_true(fsa_io_conflicts(&x->b, 100, 1, false));  /* read in a's exclusive range */
	assert_false(fsa_io_conflicts(&x->a, 100, 10, true)); /* the owner may write */
	/* shared locks: others may read, nobody may write, not even the owner */
	assert_true(NT_OK(lk(&x->a, 200, 10, false)));
	assert_true(NT_OK(lk(&x->b, 205, 10, false)));
	assert_false(fsa_io_conflicts(&x->b, 200, 5, false));
	assert_true(fsa_io_conflicts(&x->a, 200, 1, true));
	assert_true(NT_EQ(lk(&x->a, 206, 1, true), STATUS_LOCK_NOT_GRANTED));
}

static void test_streams_lock_apart(void **state)
{
	/* each stream of a file has its own byte ranges */
	struct fixture *x = *state;
	struct fsa_stream_state s = { .n_opens = 1 };
	struct fsa_open c = { .table = x->t, .file = &x->f, .fd = -1, .stream = &s };
	assert_true(NT_OK(lk(&x->a, 0, 10, true)));
	assert_true(NT_OK(lk(&c, 0, 10, true)));
	assert_false(fsa_io_conflicts(&c, 0, 10, true));
	assert_true(fsa_io_conflicts(&x->b, 0, 10, false));
	fsa_lock_cleanup(&c);
}

static void test_stacking_and_unlock_order(void **state)
{
	struct fixture *x = *state;
	assert_true(NT_OK(lk(&x->a, 0, 10, true)));
	assert_true(NT_OK(lk(&x->a, 0, 10, false))); /* shared on own exclusive */
	assert_true(NT_EQ(lk(&x->a, 0, 10, true), STATUS_LOCK_NOT_GRANTED));
	assert_true(NT_OK(ul(&x->a, 0, 10))); /* the exclusive one goes first */
	assert_true(NT_OK(lk(&x->b, 0, 10, false)));
	assert_true(NT_EQ(lk(&x->b, 0, 10, true), STATUS_LOCK_NOT_GRANTED));
	assert_true(NT_OK(ul(&x->a, 0, 10)));
	assert_true(NT_EQ(ul(&x->a, 0, 10), STATUS_RANGE_NOT_LOCKED));
	assert_true(NT_EQ(ul(&x->b, 0, 5), STATUS_RANGE_NOT_LOCKED)); /* must match exactly */
	assert_true(NT_EQ(ul(&x->a, 0, 10), STATUS_RANGE_NOT_LOCKED)); /* b's lock is not a's */
}

static void test_zero_length_and_range(void **state)
{
	struct fixture *x = *state;
	assert_true(NT_OK(lk(&x->a, 10, 0, true)));
	assert_true(NT_OK(lk(&x->b, 10, 0, true))); /* zero-length locks do not collide */
	assert_true(NT_OK(lk(&x->b, 0, 0, true)));
	assert_false(fsa_io_conflicts(&x->b, 0, 0, true));
	assert_true(NT_OK(lk(&x->a, 50, 20, true)));
	assert_true(NT_EQ(lk(&x->b, 60, 0, true), STATUS_LOCK_NOT_GRANTED)); /* inside a's range */
	assert_true(NT_EQ(lk(&x->a, UINT64_MAX, 2, true), STATUS_INVALID_LOCK_RANGE));
	assert_true(NT_OK(lk(&x->a, UINT64_MAX, 1, true)));
}

static void test_all_or_nothing(void **state)
{
	struct fixture *x = *state;
	assert_true(NT_OK(lk(&x->b, 30, 5, true)));
	struct fsa_lock_elem e[3] = { { 0, 10, true }, { 10, 10, true }, { 30, 1, true } };
	assert_true(NT_EQ(fsa_lock(&x->a, e, 3, NULL), STATUS_LOCK_NOT_GRANTED));
	assert_true(NT_OK(lk(&x->b, 0, 20, true))); /* nothing of a's array stayed */
}

static int woken;
static void wake_count(void *arg)
{
	(void)arg;
	woken++;
}

static void test_waiters(void **state)
{
	struct fixture *x = *state;
	woken = 0;
	assert_true(NT_OK(lk(&x->a, 0, 10, true)));
	struct fsa_lock_waiter w = { .wake = wake_count };
	struct fsa_lock_elem e = { .off = 5, .len = 1, .excl = true };
	assert_true(NT_EQ(fsa_lock(&x->b, &e, 1, &w), STATUS_PENDING));
	assert_true(w.linked);
	assert_true(NT_OK(ul(&x->a, 0, 10)));
	assert_int_equal(woken, 1);
	assert_false(w.linked);
	assert_true(NT_OK(fsa_lock(&x->b, &e, 1, &w))); /* the retry succeeds */
	/* a waiter whose own handle closes ends with closed set */
	struct fsa_lock_waiter w2 = { .wake = wake_count };
	assert_true(NT_EQ(fsa_lock(&x->a, &e, 1, &w2), STATUS_PENDING));
	fsa_lock_cleanup(&x->a);
	assert_int_equal(woken, 2);
	assert_true(w2.closed);
	/* cancel unlinks */
	struct fsa_lock_waiter w3 = { .wake = wake_count };
	assert_true(NT_EQ(fsa_lock(&x->a, &e, 1, &w3), STATUS_PENDING));
	assert_true(fsa_lock_cancel(&x->a, &w3));
	assert_false(fsa_lock_cancel(&x->a, &w3));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_conflicts_and_io, setup, teardown),
		cmocka_unit_test_setup_teardown(test_streams_lock_apart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stacking_and_unlock_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zero_length_and_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_all_or_nothing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_waiters, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
