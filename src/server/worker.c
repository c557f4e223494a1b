/* Worker threads: one event loop each, all watching the listening sockets
 * with EPOLLEXCLUSIVE; a connection stays on the loop that accepted it. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "conn/conn.h"
#include "event/loop.h"
#include "server/server.h"
#include "server/worker.h"
#include "transport/tcp.h"

/* After accept(2) ran out of descriptors (EMFILE, ENFILE) or kernel
 * memory, the listeners stay readable: polling them at once again would
 * spin a core. They leave this loop's epoll set for this long instead. */
#define ACCEPT_PAUSE_MS 100

static void accept_resume_cb(struct ev_loop *loop, struct ev_timer *t)
{
	struct worker *w = t->data;
	w->accept_paused = false;
	for (size_t i = 0; i < w->srv->n_listeners; i++)
		if (ev_io_add(loop, &w->lio[i], EPOLLIN) < 0)
			log_err("cannot poll a listening socket again: %s", strerror(errno));
}

static void accept_pause(struct worker *w)
{
	if (w->accept_paused)
		return;
	w->accept_paused = true;
	for (size_t i = 0; i < w->srv->n_listeners; i++)
		ev_io_del(w->loop, &w->lio[i]);
	ev_timer_start(w->loop, &w->accept_timer, ACCEPT_PAUSE_MS);
}

/* Closes this loop's oldest connection that nobody has logged on to (a
 * real client logs on within milliseconds of connecting; what lingers
 * without a logon is most likely a flood). False if there is none. */
static bool evict_oldest_preauth(struct worker *w, const char *why)
{
	struct conn *c = w->conns.preauth_head;
	if (!c)
		return false;
	conn_warn(c, "closing this connection without a logon: %s", why);
	conn_close(c, why);
	return true;
}

static void accept_cb(struct ev_loop *loop, struct ev_io *io, uint32_t revents)
{
	struct worker *w = ev_loop_data(loop);
	struct server *srv = w->srv;
	uint64_t preauth_budget = srv->max_preauth_conns / srv->n_workers;
	if (preauth_budget == 0)
		preauth_budget = 1;
	for (int i = 0; i < 64; i++) {
		struct sockaddr_storage peer;
		int fd = tcp_accept(io->fd, &peer);
		if (fd < 0) {
			int e = errno;
			if (e == EAGAIN || e == EWOULDBLOCK || e == EINTR || e == ECONNABORTED)
				return;
			bool out_of_fds = e == EMFILE || e == ENFILE;
			if (ratelimit_ok(&w->accept_rl))
				log_warn("accept failed: %s; not accepting for %d ms%s", strerror(e), ACCEPT_PAUSE_MS,
					 out_of_fds ? " (out of descriptors: raise `ulimit -n`, or lower `max "
						      "connections` / `max open files`)"
						    : "");
			/* a descriptor for the next logon: the oldest connection
			 * nobody logged on to goes */
			if (out_of_fds)
				evict_oldest_preauth(w, "out of descriptors");
			accept_pause(w);
			return;
		}
		struct config *cfg = server_config_get(srv);
		int maxc = cfg->max_connections;
		bool allowed = cfg_hosts_allowed(cfg->hosts_allow, cfg->hosts_deny, &peer);
		config_put(cfg);
		if (!allowed) {
			if (ratelimit_ok(&w->accept_rl)) {
				char a[64];
				log_warn("connection from %s refused by `hosts allow`/`hosts deny`",
					 tcp_addr_str(&peer, a, sizeof(a)));
			}
			close(fd);
			continue;
		}
		if (maxc > 0 && atomic_load(&srv->n_conns) >= maxc) {
			if (ratelimit_ok(&w->accept_rl))
				log_warn("connection refused: `max connections = %d` reached", maxc);
			close(fd);
			continue;
		}
		if (w->conns.n_preauth >= preauth_budget)
			evict_oldest_preauth(w, "too many connections without a logon (descriptor budget)");
		/* the server's own reserve (limits.c) is not for connections: past
		 * it a connection without a logon makes room, or the new one goes */
		uint64_t used = (uint64_t)atomic_load(&srv->n_conns) + atomic_load(&srv->n_opens);
		if (used + srv->fd_reserve >= srv->fd_limit &&
		    !evict_oldest_preauth(w, "out of descriptors for connections")) {
			if (ratelimit_ok(&w->accept_rl))
				log_warn("connection refused: %llu connections and open files leave only the server's "
					 "reserve of %llu descriptors (raise `ulimit -n`, or lower `max open files`)",
					 (unsigned long long)used, (unsigned long long)srv->fd_reserve);
			close(fd);
			continue;
		}
		if (!conn_new(srv, loop, fd, &peer, &w->conns)) {
			log_err("out of memory accepting a connection");
			close(fd);
		}
	}
}

static void *worker_main(void *arg)
{
	struct worker *w = arg;
	ev_loop_run(w->loop);
	return NULL;
}

int worker_start(struct worker *w, struct server *srv)
{
	w->srv = srv;
	w->accept_rl = (struct ratelimit){ .burst = 5, .interval_ms = 10000 };
	w->loop = ev_loop_new();
	if (!w->loop)
		return -1;
	ev_loop_set_data(w->loop, w);
	ev_timer_init(&w->accept_timer, accept_resume_cb, w);
	ev_loop_set_busy_poll(w->loop, (unsigned)srv->cfg->busy_poll_us);
	w->lio = calloc(srv->n_listeners, sizeof(*w->lio));
	if (!w->lio)
		return -1;
	for (size_t i = 0; i < srv->n_listeners; i++) {
		w->lio[i] = (struct ev_io){ .fd = srv->listeners[i].fd, .cb = accept_cb, .exclusive = true };
		if (ev_io_add(w->loop, &w->lio[i], EPOLLIN) < 0)
			return -1;
	}
	if (pthread_create(&w->thread, NULL, worker_main, w) != 0)
		return -1;
	w->started = true;
	return 0;
}


/* On the loop's thread: close every connection, then stop. */
static void shutdown_cb(struct ev_loop *loop, void *arg)
{
	struct worker *w = arg;
	if (!loop)
		return;
	for (struct conn *c = w->conns.all; c; c = c->next)
		conn_close(c, "server shutting down");
	ev_timer_stop(loop, &w->accept_timer);
	for (size_t i = 0; i < w->srv->n_listeners; i++)
		ev_io_del(loop, &w->lio[i]);
	ev_loop_stop(loop);
}

void worker_stop(struct worker *w)
{
	if (w->started) {
		if (ev_loop_post(w->loop, shutdown_cb, w) < 0)
			ev_loop_stop(w->loop);
		pthread_join(w->thread, NULL);
		w->started = false;
	}
}

void worker_free(struct worker *w)
{
	free(w->lio);
	w->lio = NULL;
	ev_loop_free(w->loop);
	w->loop = NULL;
}

struct conn *server_find_conn(struct ev_loop *loop, uint64_t conn_id)
{
	struct worker *w = ev_loop_data(loop);
	if (!w)
		return NULL;
	for (struct conn *c = w->conns.all; c; c = c->next)
		if (c->id == conn_id && !c->closing)
			return c;
	return NULL;
}
