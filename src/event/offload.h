/* Offload pool: threads that run blocking work (file-system calls) so that no
 * event-loop thread ever blocks. Each job's completion runs back on the loop
 * that submitted it. */
#ifndef SMB3D_EVENT_OFFLOAD_H
#define SMB3D_EVENT_OFFLOAD_H

#include "event/loop.h"

struct offload_pool;

typedef void (*offload_work_fn)(void *arg);
typedef void (*offload_done_fn)(struct ev_loop *loop, void *arg);

struct offload_pool *offload_pool_new(unsigned nthreads);
/* Finishes queued jobs, joins the threads and frees the pool. */
void offload_pool_free(struct offload_pool *pool);

/* Runs work(arg) on a pool thread, then done(loop, arg) on `loop`.
 * Returns -1 only if out of memory (nothing was queued). */
int offload_submit(struct offload_pool *pool, struct ev_loop *loop, offload_work_fn work, offload_done_fn done,
		   void *arg);

/* The same without an allocation: the caller provides the job (for example
 * inside a request), which must stay valid until done starts (done may free
 * it) or, without done, until work has returned. */
struct offload_job {
	struct offload_job *next;
	struct ev_loop *loop;
	offload_work_fn work;
	offload_done_fn done;
	void *arg;
	struct ev_post post;
	bool heap; /* allocated by offload_submit */
};
void offload_submit_job(struct offload_pool *pool, struct offload_job *j, struct ev_loop *loop, offload_work_fn work,
			offload_done_fn done, void *arg);

#endif
