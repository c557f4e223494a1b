/* Offload thread pool (see offload.h): a mutex-protected job queue and a
 * semaphore counting its jobs (plus one token per thread when stopping);
 * results are handed back with ev_loop_post(). A semaphore rather than a
 * condition variable: a woken thread does not then wait for the queue's
 * mutex, nor make the futex call a condition variable's re-locked mutex
 * costs at its next unlock (one system call and context switch less per
 * job, which a metadata request is mostly made of). */
#include "event/offload.h"

#include <errno.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdbool.h>
#include <stdlib.h>

struct offload_pool {
	pthread_mutex_t lock;
	sem_t ready;
	struct offload_job *head, *tail;
	bool stopping;
	unsigned nthreads;
	pthread_t *threads;
};

static void job_done(struct ev_loop *loop, void *arg)
{
	struct offload_job *j = arg;
	bool heap = j->heap;
	void *a = j->arg;
	offload_done_fn done = j->done;
	if (heap)
		free(j);
	done(loop, a); /* may free a caller-owned job */
}

static void *worker(void *arg)
{
	struct offload_pool *pool = arg;
	for (;;) {
		while (sem_wait(&pool->ready) != 0 && errno == EINTR)
			;
		pthread_mutex_lock(&pool->lock);
		struct offload_job *j = pool->head;
		if (!j) {
			bool stop = pool->stopping; /* a stop token: queued jobs are all taken */
			pthread_mutex_unlock(&pool->lock);
			if (stop)
				return NULL;
			continue;
		}
		pool->head = j->next;
		if (!pool->head)
			pool->tail = NULL;
		pthread_mutex_unlock(&pool->lock);
		bool has_done = j->done != NULL, heap = j->heap;
		j->work(j->arg); /* without done, a caller-owned job may be gone after this */
		if (has_done) {
			j->post = (struct ev_post){ .cb = job_done, .arg = j };
			ev_loop_post_node(j->loop, &j->post);
		} else if (heap) {
			free(j);
		}
	}
}

struct offload_pool *offload_pool_new(unsigned nthreads)
{
	struct offload_pool *pool = calloc(1, sizeof(*pool));
	if (!pool)
		return NULL;
	pthread_mutex_init(&pool->lock, NULL);
	sem_init(&pool->ready, 0, 0);
	pool->threads = calloc(nthreads, sizeof(pthread_t));
	if (!pool->threads) {
		sem_destroy(&pool->ready);
		free(pool);
		return NULL;
	}
	for (unsigned i = 0; i < nthreads; i++) {
		if (pthread_create(&pool->threads[i], NULL, worker, pool) != 0)
			break;
		pool->nthreads++;
	}
	if (pool->nthreads == 0) {
		offload_pool_free(pool);
		return NULL;
	}
	return pool;
}

void offload_pool_free(struct offload_pool *pool)
{
	if (!pool)
		return;
	pthread_mutex_lock(&pool->lock);
	pool->stopping = true;
	pthread_mutex_unlock(&pool->lock);
	for (unsigned i = 0; i < pool->nthreads; i++)
		sem_post(&pool->ready);
	for (unsigned i = 0; i < pool->nthreads; i++)
		pthread_join(pool->threads[i], NULL);
	free(pool->threads);
	pthread_mutex_destroy(&pool->lock);
	sem_destroy(&pool->ready);
	free(pool);
}

static void submit(struct offload_pool *pool, struct offload_job *j)
{
	pthread_mutex_lock(&pool->lock);
	if (pool->tail)
		pool->tail->next = j;
	else
		pool->head = j;
	pool->tail = j;
	pthread_mutex_unlock(&pool->lock);
	sem_post(&pool->ready); /* after unlocking: the woken thread finds the lock free */
}

void offload_submit_job(struct offload_pool *pool, struct offload_job *j, struct ev_loop *loop, offload_work_fn work,
			offload_done_fn done, void *arg)
{
	*j = (struct offload_job){ .loop = loop, .work = work, .done = done, .arg = arg };
	submit(pool, j);
}

int offload_submit(struct offload_pool *pool, struct ev_loop *loop, offload_work_fn work, offload_done_fn done,
		   void *arg)
{
	struct offload_job *j = malloc(sizeof(*j));
	if (!j)
		return -1;
	*j = (struct offload_job){ .loop = loop, .work = work, .done = done, .arg = arg, .heap = true };
	submit(pool, j);
	return 0;
}
