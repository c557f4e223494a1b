/* Event loop: one per worker thread, epoll-based, with timers (a binary heap)
 * and thread-safe cross-loop posts woken through an eventfd. A loop is driven
 * only by its own thread; the only calls other threads may make are
 * ev_loop_post() and ev_loop_stop(). No file-system syscalls here. */
#ifndef SMB3D_EVENT_LOOP_H
#define SMB3D_EVENT_LOOP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct ev_loop;
struct ev_io;
struct ev_timer;

typedef void (*ev_io_cb)(struct ev_loop *loop, struct ev_io *io, uint32_t revents);
typedef void (*ev_timer_cb)(struct ev_loop *loop, struct ev_timer *t);
typedef void (*ev_post_cb)(struct ev_loop *loop, void *arg);

struct ev_io {
	int fd;
	uint32_t events; /* EPOLLIN / EPOLLOUT / ... currently registered */
	ev_io_cb cb;
	void *data;
	bool exclusive; /* add with EPOLLEXCLUSIVE (shared listening sockets) */
};

struct ev_timer {
	uint64_t when_ms; /* absolute, on the loop's monotonic clock */
	ev_timer_cb cb;
	void *data;
	size_t heap_idx; /* SIZE_MAX when not armed */
};

struct ev_loop *ev_loop_new(void);
void ev_loop_free(struct ev_loop *loop);

/* Busy polling (off unless set; the server sets `smb3d:busy poll`): while
 * events arrive less than `us` apart, the loop polls for up to `us` before
 * it sleeps in epoll_wait (see ev_loop_wait in loop.c). */
void ev_loop_set_busy_poll(struct ev_loop *loop, unsigned us);
/* The loop's next wait sleeps at once: what it waits for is known to take
 * longer than polling is worth (the rest of a large frame in transit). */
void ev_loop_no_poll_once(struct ev_loop *loop);
/* How many events the loop's current round is running (0 outside one): 1
 * means that only the caller's was ready. */
int ev_loop_ready_now(const struct ev_loop *loop);
/* A CPU hint for busy-wait loops. */
static inline void ev_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#elif defined(__aarch64__)
	__asm__ __volatile__("yield");
#endif
}
/* Runs until ev_loop_stop(); returns 0, or -1 on a fatal epoll error. */
int ev_loop_run(struct ev_loop *loop);
/* One iteration: waits up to timeout_ms (-1: until an event) for events,
 * runs them, due timers and deferred work. Returns the number of events. */
int ev_loop_run_once(struct ev_loop *loop, int timeout_ms);
/* Thread-safe; the loop returns after finishing its current iteration. */
void ev_loop_stop(struct ev_loop *loop);

/* Monotonic milliseconds, cached per iteration. */
uint64_t ev_now_ms(struct ev_loop *loop);

int ev_io_add(struct ev_loop *loop, struct ev_io *io, uint32_t events);
int ev_io_mod(struct ev_loop *loop, struct ev_io *io, uint32_t events);
void ev_io_del(struct ev_loop *loop, struct ev_io *io);

void ev_timer_init(struct ev_timer *t, ev_timer_cb cb, void *data);
/* (Re)arms the timer to fire once, `ms` from now. */
void ev_timer_start(struct ev_loop *loop, struct ev_timer *t, uint64_t ms);
void ev_timer_stop(struct ev_loop *loop, struct ev_timer *t);
static inline bool ev_timer_armed(const struct ev_timer *t)
{
	return t->heap_idx != (size_t)-1;
}

/* Thread-safe: runs cb(loop, arg) on the loop's own thread soon. Returns -1
 * only if out of memory. Posts still queued when the loop is freed are run
 * with loop == NULL so their owners can release arg. */
int ev_loop_post(struct ev_loop *loop, ev_post_cb cb, void *arg);

/* ev_loop_post without an allocation: the caller provides the node, which
 * must stay valid until cb starts (cb may free the memory holding it). */
struct ev_post {
	struct ev_post *next;
	ev_post_cb cb;
	void *arg;
	bool heap; /* allocated by ev_loop_post: freed after cb */
};
void ev_loop_post_node(struct ev_loop *loop, struct ev_post *p);

/* Loop-thread only: runs cb(loop, arg) after the current batch of events and
 * timers, when no callback is on the stack (deferred frees). */
int ev_loop_defer(struct ev_loop *loop, ev_post_cb cb, void *arg);

/* Loop-thread only: a buffer of at least len bytes shared by everything on
 * this loop, valid until the next call (e.g. for reading sockets into
 * before the data is handed out); NULL if out of memory. */
uint8_t *ev_loop_scratch(struct ev_loop *loop, size_t len);

/* A user pointer for the owner (e.g. the worker). */
void ev_loop_set_data(struct ev_loop *loop, void *data);
void *ev_loop_data(struct ev_loop *loop);

#endif
