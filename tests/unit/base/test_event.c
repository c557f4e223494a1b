/* Unit tests for event/: timer order and cancellation, cross-thread posts,
 * deferred work, and the offload pool handing completions back to the loop
 * that submitted the job, and busy polling that ends when work stops. */
#include <pthread.h>
#include <stdatomic.h>
#include <time.h>
#include <unistd.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "event/loop.h"
#include "event/offload.h"

static int order[8];
static int n_order;

static void timer_cb(struct ev_loop *loop, struct ev_timer *t)
{
	order[n_order++] = (int)(intptr_t)t->data;
}

static void test_timers(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	assert_non_null(loop);
	struct ev_timer a, b, c;
	ev_timer_init(&a, timer_cb, (void *)1);
	ev_timer_init(&b, timer_cb, (void *)2);
	ev_timer_init(&c, timer_cb, (void *)3);
	n_order = 0;
	ev_timer_start(loop, &a, 30);
	ev_timer_start(loop, &b, 10);
	ev_timer_start(loop, &c, 20);
	ev_timer_stop(loop, &c); /* cancelled: must not fire */
	assert_false(ev_timer_armed(&c));
	for (int i = 0; i < 100 && n_order < 2; i++)
		ev_loop_run_once(loop, 50);
	assert_int_equal(n_order, 2);
	assert_int_equal(order[0], 2);
	assert_int_equal(order[1], 1);
	ev_loop_run_once(loop, 40);
	assert_int_equal(n_order, 2);
	ev_loop_free(loop);
}

struct post_ctx {
	struct ev_loop *loop;
	pthread_t loop_thread;
	int hits;
	bool on_loop_thread;
};

static void post_cb(struct ev_loop *loop, void *arg)
{
	struct post_ctx *p = arg;
	p->hits++;
	p->on_loop_thread = pthread_equal(pthread_self(), p->loop_thread);
}

static void *poster(void *arg)
{
	struct post_ctx *p = arg;
	for (int i = 0; i < 100; i++)
		ev_loop_post(p->loop, post_cb, p);
	return NULL;
}

static void test_cross_thread_posts(void **state)
{
	struct post_ctx p = { .loop = ev_loop_new(), .loop_thread = pthread_self() };
	assert_non_null(p.loop);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, poster, &p), 0);
	pthread_join(th, NULL);
	for (int i = 0; i < 100 && p.hits < 100; i++)
		ev_loop_run_once(p.loop, 10);
	assert_int_equal(p.hits, 100);
	assert_true(p.on_loop_thread);
	ev_loop_free(p.loop);
}

static void defer_cb(struct ev_loop *loop, void *arg)
{
	(*(int *)arg)++;
}

static void test_deferred(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	int n = 0;
	ev_loop_defer(loop, defer_cb, &n);
	assert_int_equal(n, 0); /* not run inline */
	ev_loop_run_once(loop, 0);
	assert_int_equal(n, 1);
	ev_loop_free(loop);
}

struct job {
	pthread_t worker;
	pthread_t done_thread;
	int done;
};

static void job_work(void *arg)
{
	struct job *j = arg;
	j->worker = pthread_self();
}

static void job_done(struct ev_loop *loop, void *arg)
{
	struct job *j = arg;
	j->done_thread = pthread_self();
	j->done++;
}

static void test_offload(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	struct offload_pool *pool = offload_pool_new(2);
	assert_non_null(pool);
	struct job jobs[20];
	memset(jobs, 0, sizeof(jobs));
	for (int i = 0; i < 20; i++)
		assert_int_equal(offload_submit(pool, loop, job_work, job_done, &jobs[i]), 0);
	int total = 0;
	for (int i = 0; i < 200 && total < 20; i++) {
		ev_loop_run_once(loop, 10);
		total = 0;
		for (int k = 0; k < 20; k++)
			total += jobs[k].done;
	}
	assert_int_equal(total, 20);
	for (int k = 0; k < 20; k++) {
		assert_false(pthread_equal(jobs[k].worker, pthread_self())); /* work ran off the loop */
		assert_true(pthread_equal(jobs[k].done_thread, pthread_self())); /* completion on it */
	}
	offload_pool_free(pool);
	ev_loop_free(loop);
}

/* Busy polling: posts from another thread are all run, and a loop left idle
 * after a burst of quick events polls for at most its budget, then sleeps
 * (a loop that kept polling would burn a core while idle). */
struct busy_ctx {
	struct ev_loop *loop;
	atomic_int hits;
};

static void busy_post_cb(struct ev_loop *loop, void *arg)
{
	struct busy_ctx *b = arg;
	atomic_fetch_add(&b->hits, 1);
}

static void *busy_loop_thread(void *arg)
{
	struct busy_ctx *b = arg;
	ev_loop_run(b->loop);
	return NULL;
}

static double thread_cpu_ms(pthread_t th)
{
	clockid_t cid;
	struct timespec ts;
	assert_int_equal(pthread_getcpuclockid(th, &cid), 0);
	assert_int_equal(clock_gettime(cid, &ts), 0);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void test_busy_poll(void **state)
{
	struct busy_ctx b = { .loop = ev_loop_new() };
	assert_non_null(b.loop);
	ev_loop_set_busy_poll(b.loop, 2000); /* 2 ms */
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, busy_loop_thread, &b), 0);
	/* a burst of posts, each 10 us after the last one ran */
	for (int i = 1; i <= 200; i++) {
		ev_loop_post(b.loop, busy_post_cb, &b);
		for (int w = 0; w < 100000 && atomic_load(&b.hits) < i; w++)
			usleep(1);
		usleep(10);
	}
	assert_int_equal(atomic_load(&b.hits), 200);
	/* then idle: at most one budget of polling (2 ms), then asleep */
	usleep(20000);
	double before = thread_cpu_ms(th);
	usleep(300000);
	double idle_cpu = thread_cpu_ms(th) - before;
	assert_true(idle_cpu < 20.0);
	ev_loop_stop(b.loop);
	pthread_join(th, NULL);
	ev_loop_free(b.loop);
}

/* Posts run in one round count as that many ready events. */
static int ready_seen[4];
static int n_ready_seen;

static void ready_cb(struct ev_loop *loop, void *arg)
{
	ready_seen[n_ready_seen++] = ev_loop_ready_now(loop);
}

static void test_ready_now(void **state)
{
	struct ev_loop *loop = ev_loop_new();
	n_ready_seen = 0;
	assert_int_equal(ev_loop_ready_now(loop), 0);
	for (int i = 0; i < 3; i++)
		ev_loop_post(loop, ready_cb, NULL);
	for (int i = 0; i < 10 && n_ready_seen < 3; i++)
		ev_loop_run_once(loop, 10);
	assert_int_equal(n_ready_seen, 3);
	for (int i = 0; i < 3; i++)
		assert_int_equal(ready_seen[i], 3);
	assert_int_equal(ev_loop_ready_now(loop), 0);
	ev_loop_free(loop);
}

/* A polling loop still runs a timer on time: polling stops when the timer
 * is due, not at the end of the budget (here 300 ms). */
struct timer_ctx {
	struct ev_loop *loop;
	struct ev_timer t;
	atomic_int hits;
	_Atomic double fired_ms;
};

static double mono_ms_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void timer_ctx_post(struct ev_loop *loop, void *arg)
{
	struct timer_ctx *c = arg;
	atomic_fetch_add(&c->hits, 1);
}

static void timer_ctx_fire(struct ev_loop *loop, struct ev_timer *t)
{
	struct timer_ctx *c = t->data;
	atomic_store(&c->fired_ms, mono_ms_now());
}

static void timer_ctx_arm(struct ev_loop *loop, void *arg)
{
	struct timer_ctx *c = arg;
	ev_timer_start(loop, &c->t, 5);
	atomic_fetch_add(&c->hits, 1);
}

static void *timer_loop_thread(void *arg)
{
	struct timer_ctx *c = arg;
	ev_loop_run(c->loop);
	return NULL;
}

static void test_busy_poll_timer(void **state)
{
	struct timer_ctx c = { .loop = ev_loop_new() };
	ev_timer_init(&c.t, timer_ctx_fire, &c);
	ev_loop_set_busy_poll(c.loop, 300000);
	pthread_t th;
	assert_int_equal(pthread_create(&th, NULL, timer_loop_thread, &c), 0);
	for (int i = 1; i <= 20; i++) { /* quick posts: the loop polls */
		ev_loop_post(c.loop, timer_ctx_post, &c);
		for (int w = 0; w < 100000 && atomic_load(&c.hits) < i; w++)
			usleep(1);
	}
	double armed = mono_ms_now();
	ev_loop_post(c.loop, timer_ctx_arm, &c); /* a 5 ms timer */
	usleep(400000);
	double fired = atomic_load(&c.fired_ms);
	assert_true(fired > 0);
	assert_true(fired - armed < 100.0);
	ev_loop_stop(c.loop);
	pthread_join(th, NULL);
	ev_loop_free(c.loop);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_cross_thread_posts),
		cmocka_unit_test(test_deferred),
		cmocka_unit_test(test_offload),
		cmocka_unit_test(test_busy_poll),
		cmocka_unit_test(test_ready_now),
		cmocka_unit_test(test_busy_poll_timer),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
