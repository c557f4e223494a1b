/* epoll event loop with a timer heap and an eventfd-driven post queue
 * (see loop.h). */
#include "event/loop.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "base/log.h"

/* Deferred callbacks (loop-thread only). */
struct post {
	struct post *next;
	ev_post_cb cb;
	void *arg;
};

struct ev_loop {
	int epfd;
	int wakefd;
	struct ev_io wake_io;
	atomic_bool stop;
	uint64_t now_ms;
	struct ev_timer **heap;
	size_t heap_len, heap_cap;
	pthread_mutex_t post_lock;
	struct ev_post *post_head, *post_tail;
	struct post *defer_head;
	void *data;
	uint8_t *scratch;
	size_t scratch_len;
	uint64_t spin_ns;	/* see ev_loop_wait */
	uint64_t idle_from_ns;	/* when the last round with events ended (0: at the next wait) */
	uint64_t last_gap_ns;	/* how long the loop was idle before its last event */
	uint64_t prev_gap_ns;	/* ... and before the one before */
	bool no_poll_once;	/* ev_loop_no_poll_once */
	int ready_now;		/* events of the round being run */
};

static uint64_t mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t mono_ms(void)
{
	return mono_ns() / 1000000;
}

static void run_posts(struct ev_loop *loop)
{
	pthread_mutex_lock(&loop->post_lock);
	struct ev_post *p = loop->post_head;
	loop->post_head = loop->post_tail = NULL;
	pthread_mutex_unlock(&loop->post_lock);
	/* several posts (e.g. completions for several connections) count as
	 * that many ready events (ev_loop_ready_now) */
	int extra = -1;
	for (struct ev_post *q = p; q; q = q->next)
		extra++;
	if (extra > 0)
		loop->ready_now += extra;
	while (p) {
		struct ev_post *next = p->next;
		bool heap = p->heap;
		p->cb(loop, p->arg); /* may free a caller-owned node */
		if (heap)
			free(p);
		p = next;
	}
}

static void wake_cb(struct ev_loop *loop, struct ev_io *io, uint32_t revents)
{
	uint64_t v;
	ssize_t r = read(io->fd, &v, sizeof(v));
	(void)r;
	run_posts(loop);
}

struct ev_loop *ev_loop_new(void)
{
	struct ev_loop *loop = calloc(1, sizeof(*loop));
	if (!loop)
		return NULL;
	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	loop->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (loop->epfd < 0 || loop->wakefd < 0)
		goto fail;
	pthread_mutex_init(&loop->post_lock, NULL);
	loop->wake_io = (struct ev_io){ .fd = loop->wakefd, .cb = wake_cb };
	if (ev_io_add(loop, &loop->wake_io, EPOLLIN) < 0)
		goto fail;
	loop->now_ms = mono_ms();
	return loop;
fail:
	if (loop->epfd >= 0)
		close(loop->epfd);
	if (loop->wakefd >= 0)
		close(loop->wakefd);
	free(loop);
	return NULL;
}

void ev_loop_free(struct ev_loop *loop)
{
	if (!loop)
		return;
	pthread_mutex_lock(&loop->post_lock);
	struct ev_post *p = loop->post_head;
	loop->post_head = loop->post_tail = NULL;
	pthread_mutex_unlock(&loop->post_lock);
	while (p) {
		struct ev_post *next = p->next;
		bool heap = p->heap;
		p->cb(NULL, p->arg);
		if (heap)
			free(p);
		p = next;
	}
	close(loop->epfd);
	close(loop->wakefd);
	pthread_mutex_destroy(&loop->post_lock);
	free(loop->heap);
	free(loop->scratch);
	free(loop);
}

uint64_t ev_now_ms(struct ev_loop *loop)
{
	return loop->now_ms;
}

int ev_io_add(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	struct epoll_event ev = { .events = events | (io->exclusive ? EPOLLEXCLUSIVE : 0), .data.ptr = io };
	io->events = events;
	return epoll_ctl(loop->epfd, EPOLL_CTL_ADD, io->fd, &ev);
}

int ev_io_mod(struct ev_loop *loop, struct ev_io *io, uint32_t events)
{
	if (io->events == events)
		return 0;
	struct epoll_event ev = { .events = events, .data.ptr = io };
	io->events = events;
	return epoll_ctl(loop->epfd, EPOLL_CTL_MOD, io->fd, &ev);
}

void ev_io_del(struct ev_loop *loop, struct ev_io *io)
{
	epoll_ctl(loop->epfd, EPOLL_CTL_DEL, io->fd, NULL);
	io->events = 0;
}

/* --- timer heap --- */

static void heap_swap(struct ev_loop *loop, size_t a, size_t b)
{
	struct ev_timer *t = loop->heap[a];
	loop->heap[a] = loop->heap[b];
	loop->heap[b] = t;
	loop->heap[a]->heap_idx = a;
	loop->heap[b]->heap_idx = b;
}

static void heap_up(struct ev_loop *loop, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2;
		if (loop->heap[p]->when_ms <= loop->heap[i]->when_ms)
			break;
		heap_swap(loop, p, i);
		i = p;
	}
}

static void heap_down(struct ev_loop *loop, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, r = l + 1, m = i;
		if (l < loop->heap_len && loop->heap[l]->when_ms < loop->heap[m]->when_ms)
			m = l;
		if (r < loop->heap_len && loop->heap[r]->when_ms < loop->heap[m]->when_ms)
			m = r;
		if (m == i)
			return;
		heap_swap(loop, i, m);
		i = m;
	}
}

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *data)
{
	t->cb = cb;
	t->data = data;
	t->when_ms = 0;
	t->heap_idx = (size_t)-1;
}

void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t)
{
	size_t i = t->heap_idx;
	if (i == (size_t)-1)
		return;
	t->heap_idx = (size_t)-1;
	loop->heap_len--;
	if (i == loop->heap_len)
		return;
	loop->heap[i] = loop->heap[loop->heap_len];
	loop->heap[i]->heap_idx = i;
	heap_down(loop, i);
	heap_up(loop, i);
}

void ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t ms)
{
	ev_timer_stop(loop, t);
	if (loop->heap_len == loop->heap_cap) {
		size_t ncap = loop->heap_cap ? loop->heap_cap * 2 : 64;
		struct ev_timer **nh = realloc(loop->heap, ncap * sizeof(*nh));
		if (!nh) {
			log_err("event loop: out of memory arming a timer");
			return;
		}
		loop->heap = nh;
		loop->heap_cap = ncap;
	}
	t->when_ms = mono_ms() + ms;
	t->heap_idx = loop->heap_len;
	loop->heap[loop->heap_len++] = t;
	heap_up(loop, t->heap_idx);
}

static void run_deferred(struct ev_loop *loop);

static void run_timers(struct ev_loop *loop)
{
	while (loop->heap_len && loop->heap[0]->when_ms <= loop->now_ms) {
		struct ev_timer *t = loop->heap[0];
		ev_timer_stop(loop, t);
		t->cb(loop, t);
	}
}

int ev_loop_post(struct ev_loop *loop, ev_post_cb cb, void *arg)
{
	struct ev_post *p = malloc(sizeof(*p));
	if (!p)
		return -1;
	*p = (struct ev_post){ .cb = cb, .arg = arg, .heap = true };
	ev_loop_post_node(loop, p);
	return 0;
}

void ev_loop_post_node(struct ev_loop *loop, struct ev_post *p)
{
	p->next = NULL;
	pthread_mutex_lock(&loop->post_lock);
	bool was_empty = loop->post_head == NULL;
	if (loop->post_tail)
		loop->post_tail->next = p;
	else
		loop->post_head = p;
	loop->post_tail = p;
	pthread_mutex_unlock(&loop->post_lock);
	if (was_empty) {
		uint64_t one = 1;
		ssize_t r = write(loop->wakefd, &one, sizeof(one));
		(void)r;
	}
}

int ev_loop_defer(struct ev_loop *loop, ev_post_cb cb, void *arg)
{
	struct post *p = malloc(sizeof(*p));
	if (!p)
		return -1;
	*p = (struct post){ .cb = cb, .arg = arg, .next = loop->defer_head };
	loop->defer_head = p;
	return 0;
}

static void run_deferred(struct ev_loop *loop)
{
	while (loop->defer_head) {
		struct post *p = loop->defer_head;
		loop->defer_head = p->next;
		p->cb(loop, p->arg);
		free(p);
	}
}

void ev_loop_stop(struct ev_loop *loop)
{
	atomic_store(&loop->stop, true);
	uint64_t one = 1;
	ssize_t r = write(loop->wakefd, &one, sizeof(one));
	(void)r;
}

void ev_loop_set_data(struct ev_loop *loop, void *data)
{
	loop->data = data;
}

void *ev_loop_data(struct ev_loop *loop)
{
	return loop->data;
}

/* Runs a round: the n ready events, then due timers and deferred work. */
static void run_round(struct ev_loop *loop, const struct epoll_event *evs, int n)
{
	loop->ready_now = n;
	for (int i = 0; i < n; i++) {
		struct ev_io *io = evs[i].data.ptr;
		io->cb(loop, io, evs[i].events);
	}
	loop->ready_now = 0;
	run_timers(loop);
	run_deferred(loop);
}

int ev_loop_run_once(struct ev_loop *loop, int timeout_ms)
{
	struct epoll_event evs[64];
	loop->now_ms = mono_ms();
	if (loop->heap_len) {
		uint64_t w = loop->heap[0]->when_ms;
		int t = w <= loop->now_ms ? 0 : (int)(w - loop->now_ms > 60000 ? 60000 : w - loop->now_ms);
		if (timeout_ms < 0 || t < timeout_ms)
			timeout_ms = t;
	}
	int n = epoll_wait(loop->epfd, evs, 64, timeout_ms);
	if (n < 0)
		n = 0;
	loop->now_ms = mono_ms();
	run_round(loop, evs, n);
	return n;
}

/* epoll_wait that first polls for up to loop->spin_ns when the loop's
 * last two idle gaps were both shorter than that: a client exchanging small
 * requests one at a time sends its next one within microseconds, and
 * catching it awake saves the wake-up of a sleeping thread (and, on a VM, of
 * a halted vCPU), which costs more than the request itself. After a longer
 * gap the loop blocks at once, so a slow or idle client costs no polling;
 * and where long and short gaps alternate (a large WRITE at a time: a short
 * wait for its first bytes, a long one for its offloaded write) polling
 * would mostly time out, so two short gaps in a row are asked for.
 * t0 is now; loop->now_ms is set again on return. */
static int ev_loop_wait(struct ev_loop *loop, struct epoll_event *evs, int max, int timeout, uint64_t t0)
{
	int n = 0;
	if (!loop->idle_from_ns)
		loop->idle_from_ns = t0;
	bool no_poll = loop->no_poll_once;
	loop->no_poll_once = false;
	uint64_t recent = loop->last_gap_ns > loop->prev_gap_ns ? loop->last_gap_ns : loop->prev_gap_ns;
	if (loop->spin_ns && timeout != 0 && recent < loop->spin_ns && !no_poll) {
		uint64_t until = loop->idle_from_ns + loop->spin_ns;
		uint64_t due = timeout > 0 ? t0 + (uint64_t)timeout * 1000000u : UINT64_MAX;
		if (due < until)
			until = due; /* a timer is due first */
		uint64_t now = t0;
		for (;;) {
			n = epoll_wait(loop->epfd, evs, max, 0);
			if (n != 0)
				break;
			now = mono_ns();
			if (now >= until)
				break;
			ev_cpu_relax();
		}
		if (n == 0 && timeout > 0) /* what is left of the timeout, rounded up */
			timeout = now >= due ? 0 : (int)((due - now + 999999) / 1000000);
	}
	if (n == 0)
		n = epoll_wait(loop->epfd, evs, max, timeout);
	uint64_t t1 = mono_ns();
	loop->now_ms = t1 / 1000000;
	if (n > 0 && !no_poll) { /* (a gap inside a transfer says nothing of the client) */
		loop->prev_gap_ns = loop->last_gap_ns;
		loop->last_gap_ns = t1 - loop->idle_from_ns;
	}
	return n;
}

int ev_loop_ready_now(const struct ev_loop *loop)
{
	return loop->ready_now;
}

void ev_loop_no_poll_once(struct ev_loop *loop)
{
	loop->no_poll_once = true;
}

void ev_loop_set_busy_poll(struct ev_loop *loop, unsigned us)
{
	loop->spin_ns = (uint64_t)us * 1000;
}

int ev_loop_run(struct ev_loop *loop)
{
	struct epoll_event evs[64];
	while (!atomic_load(&loop->stop)) {
		uint64_t t0 = mono_ns();
		loop->now_ms = t0 / 1000000;
		int timeout = -1;
		if (loop->heap_len) {
			uint64_t w = loop->heap[0]->when_ms;
			timeout = w <= loop->now_ms ? 0 : (int)(w - loop->now_ms > 60000 ? 60000 : w - loop->now_ms);
		}
		int n = ev_loop_wait(loop, evs, 64, timeout, t0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_err("event loop: epoll_wait failed: %s", strerror(errno));
			return -1;
		}
		run_round(loop, evs, n);
		if (n > 0)
			loop->idle_from_ns = 0; /* idle again from the next wait */
	}
	run_deferred(loop);
	return 0;
}

uint8_t *ev_loop_scratch(struct ev_loop *loop, size_t len)
{
	if (loop->scratch_len < len) {
		uint8_t *b = realloc(loop->scratch, len);
		if (!b)
			return NULL;
		loop->scratch = b;
		loop->scratch_len = len;
	}
	return loop->scratch;
}
