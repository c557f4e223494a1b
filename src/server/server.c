/* Process lifecycle: builds the root `struct server` from a config snapshot,
 * opens listeners, starts one worker loop per core and the offload pool,
 * handles SIGINT/SIGTERM (clean shutdown) and SIGHUP (config reload), and
 * implements the cross-connection services (session ids, PreviousSessionId). */
#include <errno.h>
#include <openssl/rand.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "base/nttime.h"
#include "conn/conn.h"
#include "conn/durable.h"
#include "conn/opens.h"
#include "event/offload.h"
#include "fsa/fsa.h"
#include "server/server.h"
#include "server/worker.h"
#include "transport/tcp.h"
#include "vfs/vfs.h"

struct config *server_config_get(struct server *srv)
{
	pthread_mutex_lock(&srv->cfg_lock);
	struct config *c = config_get(srv->cfg);
	pthread_mutex_unlock(&srv->cfg_lock);
	return c;
}

uint64_t server_new_session_id(struct server *srv)
{
	uint64_t id = 0;
	while (id == 0 || id == UINT64_MAX) {
		if (RAND_bytes((unsigned char *)&id, sizeof(id)) != 1)
			id = atomic_fetch_add(&srv->next_conn_id, 1) << 20 | 1;
	}
	return id;
}

static unsigned ncpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 64 ? 64 : (unsigned)n;
}

struct server *server_alloc(struct config *cfg)
{
	struct server *srv = calloc(1, sizeof(*srv));
	if (!srv) {
		config_put(cfg);
		return NULL;
	}
	pthread_mutex_init(&srv->cfg_lock, NULL);
	pthread_mutex_init(&srv->sess_lock, NULL);
	pthread_mutex_init(&srv->passdb_lock, NULL);
	pthread_mutex_init(&srv->fail_lock, NULL);
	server_limits_init(srv);
	idtable_init(&srv->sessions);
	idtable_init(&srv->fail_by_addr);
	srv->cfg = cfg;
	srv->files = fsa_table_new();
	srv->roots = vfs_root_cache_new();
	if (!srv->files || !srv->roots || !durable_table_init(srv))
		goto fail;
	fsa_table_set_break_sink(srv->files, conn_break_sink, srv);
	srv->is_root = geteuid() == 0;
	srv->start_time = nttime_now();
	if (RAND_bytes(srv->guid, 16) != 1) {
		fprintf(stderr, "smb3d: cannot get random bytes from OpenSSL\n");
		goto fail;
	}
	gethostname(srv->hostname, sizeof(srv->hostname) - 1);
	char *dot = strchr(srv->hostname, '.');
	if (dot)
		*dot = 0;
	log_set_level(cfg->log_level);
	srv->offload = offload_pool_new(ncpus() * 2);
	if (!srv->offload) {
		fprintf(stderr, "smb3d: cannot start the offload threads\n");
		goto fail;
	}
	return srv;
fail:
	server_free(srv);
	return NULL;
}

/* Every connection holds a socket: allow as many descriptors as the hard
 * limit permits (the default soft limit of 1024 would cap the sessions). */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
			log_warn("cannot raise the open-file limit to %llu: %s", (unsigned long long)rl.rlim_max,
				 strerror(errno));
	}
}

struct server *server_new(struct config *cfg)
{
	/* Listen first: clients can connect (the kernel queues them) while
	 * OpenSSL, the offload pool and the workers start. */
	raise_fd_limit();
	char err[512];
	struct listener *ls = NULL;
	size_t n_ls = 0;
	if (tcp_listeners_open(cfg, &ls, &n_ls, err, sizeof(err)) < 0) {
		fprintf(stderr, "smb3d: %s\n", err);
		config_put(cfg);
		return NULL;
	}
	struct server *srv = server_alloc(cfg);
	if (!srv) {
		tcp_listeners_close(ls, n_ls);
		return NULL;
	}
	srv->listeners = ls;
	srv->n_listeners = n_ls;
	srv->n_workers = ncpus();
	srv->workers = calloc(srv->n_workers, sizeof(struct worker));
	if (!srv->workers)
		goto fail;
	/* Workers must not take the signals: the main thread waits for them. */
	sigset_t set, old;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	signal(SIGPIPE, SIG_IGN);
	for (unsigned i = 0; i < srv->n_workers; i++) {
		if (worker_start(&srv->workers[i], srv) < 0) {
			fprintf(stderr, "smb3d: cannot start worker thread %u: %s\n", i, strerror(errno));
			goto fail;
		}
	}
	return srv;
fail:
	server_free(srv);
	return NULL;
}

bool server_reload(struct server *srv)
{
	struct config *old = server_config_get(srv);
	struct config *n = config_load_file(old->source, NULL, NULL);
	char err[512];
	if (n && !server_resolve_forced(n, srv->is_root, err, sizeof(err))) {
		log_err("config reload from %s: %s", old->source, err);
		config_put(n);
		n = NULL;
	}
	if (!n) {
		log_err("config reload from %s failed; keeping the running configuration", old->source);
		config_put(old);
		return false;
	}
	bool ports_changed = n->n_ports != old->n_ports ||
			     memcmp(n->ports, old->ports, n->n_ports * sizeof(n->ports[0])) != 0 ||
			     n->bind_interfaces_only != old->bind_interfaces_only;
	if (ports_changed)
		log_warn("config reload: `smb ports`/`interfaces` changes take effect at the next restart");
	log_set_level(n->log_level);
	pthread_mutex_lock(&srv->cfg_lock);
	struct config *prev = srv->cfg;
	srv->cfg = n;
	pthread_mutex_unlock(&srv->cfg_lock);
	config_put(prev);
	config_put(old);
	log_info("configuration reloaded from %s", n->source);
	return true;
}

int server_run(struct server *srv)
{
	sigset_t set;
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	for (size_t i = 0; i < srv->n_listeners; i++)
		log_info("listening on %s", srv->listeners[i].name);
	for (;;) {
		int sig;
		if (sigwait(&set, &sig) != 0)
			continue;
		if (sig == SIGHUP) {
			server_reload(srv);
			continue;
		}
		log_info("%s received: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
		return 0;
	}
}

void server_free(struct server *srv)
{
	if (!srv)
		return;
	for (unsigned i = 0; srv->workers && i < srv->n_workers; i++)
		worker_stop(&srv->workers[i]);
	offload_pool_free(srv->offload); /* runs what was queued: final closes of open files */
	srv->offload = NULL;
	for (unsigned i = 0; srv->workers && i < srv->n_workers; i++)
		worker_free(&srv->workers[i]);
	free(srv->workers);
	srv->workers = NULL;
	durable_table_free(srv); /* closes durable handles still waiting */
	fsa_table_free(srv->files);
	vfs_root_cache_free(srv->roots);
	tcp_listeners_close(srv->listeners, srv->n_listeners);
	server_users_free(srv);
	size_t cur = 0;
	void *v;
	while ((v = idtable_next(&srv->fail_by_addr, &cur, NULL)) != NULL)
		free(v);
	idtable_free(&srv->fail_by_addr);
	server_limits_free(srv);
	idtable_free(&srv->sessions);
	config_put(srv->cfg);
	pthread_mutex_destroy(&srv->cfg_lock);
	pthread_mutex_destroy(&srv->sess_lock);
	pthread_mutex_destroy(&srv->passdb_lock);
	pthread_mutex_destroy(&srv->fail_lock);
	explicit_bzero(srv->serve_nt_hash, sizeof(srv->serve_nt_hash));
	free(srv);
}

/* --- PreviousSessionId ([MS-SMB2] 3.3.5.5.3) --- */

struct kill_req {
	struct server *srv;
	uint64_t id;
	char user[257];
};

static void kill_on_owner(struct ev_loop *loop, void *arg)
{
	struct kill_req *k = arg;
	if (loop) {
		struct server *srv = k->srv;
		pthread_mutex_lock(&srv->sess_lock);
		struct session *s = idtable_find(&srv->sessions, k->id);
		bool mine = s && s->conn->loop == loop && s->state == SESS_VALID && strcasecmp(s->user, k->user) == 0;
		pthread_mutex_unlock(&srv->sess_lock);
		/* Only this thread frees sessions of its connections, so s
		 * stays valid between the lookup and here. */
		if (mine) {
			log_info("session %llx of %s logged off: superseded by a reconnect (PreviousSessionId)",
				 (unsigned long long)k->id, k->user);
			session_unlink(s->conn, s, true);
		}
	}
	atomic_fetch_sub(&k->srv->n_going, 1); /* its durable handles are kept by now */
	free(k);
}

void server_kill_previous_session(struct server *srv, struct ev_loop *here, uint64_t id, const char *user)
{
	pthread_mutex_lock(&srv->sess_lock);
	struct session *s = idtable_find(&srv->sessions, id);
	struct ev_loop *loop = s ? s->conn->loop : NULL;
	pthread_mutex_unlock(&srv->sess_lock);
	if (!loop)
		return;
	if (loop == here) {
		/* Ours to touch: log it off before the new session's reply goes
		 * out, so the client never sees the old one still working. */
		if (s->state == SESS_VALID && strcasecmp(s->user, user) == 0) {
			log_info("session %llx of %s logged off: superseded by a reconnect (PreviousSessionId)",
				 (unsigned long long)id, user);
			session_unlink(s->conn, s, true);
		}
		return;
	}
	struct kill_req *k = calloc(1, sizeof(*k));
	if (!k)
		return;
	k->srv = srv;
	k->id = id;
	snprintf(k->user, sizeof(k->user), "%s", user);
	atomic_fetch_add(&srv->n_going, 1);
	if (ev_loop_post(loop, kill_on_owner, k) < 0) {
		atomic_fetch_sub(&srv->n_going, 1);
		free(k);
	}
}
