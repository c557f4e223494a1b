/* A worker thread and its event loop (see worker.c). */
#ifndef SMB3D_SERVER_WORKER_H
#define SMB3D_SERVER_WORKER_H

#include <pthread.h>
#include <stdbool.h>

#include "base/log.h"
#include "event/loop.h"

struct server;

struct worker {
	struct server *srv;
	struct ev_loop *loop;
	struct ev_io *lio; /* one per listener */
	pthread_t thread;
	bool started;
	struct ratelimit accept_rl;
	struct conn *conns; /* connections owned by this loop */
};

int worker_start(struct worker *w, struct server *srv);
void worker_stop(struct worker *w);
void worker_free(struct worker *w);

#endif
