/* A worker thread and its event loop (see worker.c). */
#ifndef SMB3D_SERVER_WORKER_H
#define SMB3D_SERVER_WORKER_H

#include <pthread.h>
#include <stdbool.h>

#include "base/log.h"
#include "conn/conn.h"
#include "event/loop.h"

struct server;

struct worker {
	struct server *srv;
	struct ev_loop *loop;
	struct ev_io *lio; /* one per listener */
	pthread_t thread;
	bool started;
	struct ratelimit accept_rl;
	struct conn_set conns; /* connections owned by this loop */
	/* accepting paused after running out of descriptors (worker.c) */
	struct ev_timer accept_timer;
	bool accept_paused;
};

int worker_start(struct worker *w, struct server *srv);
void worker_stop(struct worker *w);
void worker_free(struct worker *w);

#endif
