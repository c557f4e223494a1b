/* Resource limits against hostile clients (docs/security.md, "Limits"):
 * per-user counters of opens and waiting (async) requests shared by every
 * connection, and the descriptor budget derived from RLIMIT_NOFILE. The
 * per-connection limits live in the connection (conn/); this file holds
 * what connections on different loops share. */
#include <stdlib.h>
#include <sys/resource.h>

#include "server/server.h"

struct user_usage {
	int n[USAGE_KINDS];
};

void server_limits_init(struct server *srv)
{
	pthread_mutex_init(&srv->usage_lock, NULL);
	idtable_init(&srv->usage_by_user);
	struct rlimit rl;
	uint64_t lim = 1024;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		lim = rl.rlim_cur;
	else if (getrlimit(RLIMIT_NOFILE, &rl) == 0)
		lim = 1u << 20;
	if (lim > (1u << 24))
		lim = 1u << 24;
	srv->fd_limit = lim;
	/* for the server's own use: listeners, epoll and event fds, the
	 * inotify fd, pipes for zero-copy READ, share roots, the passdb */
	srv->fd_reserve = 64 + lim / 16;
	uint64_t budget = lim > srv->fd_reserve ? lim - srv->fd_reserve : 1;
	/* open files may take half of what is left: the other half stays for
	 * connections, so that new logons work while files fill their half */
	srv->max_opens_total = budget / 2 ? budget / 2 : 1;
	/* connections nobody has logged on to yet may take a quarter; beyond
	 * it the oldest of them makes room (server/worker.c) */
	srv->max_preauth_conns = budget / 4 ? budget / 4 : 1;
}

void server_limits_free(struct server *srv)
{
	size_t cur = 0;
	void *v;
	while ((v = idtable_next(&srv->usage_by_user, &cur, NULL)) != NULL)
		free(v);
	idtable_free(&srv->usage_by_user);
	pthread_mutex_destroy(&srv->usage_lock);
}

uint64_t server_user_key(const char *user)
{
	/* FNV-1a of the lower-cased name; never 0 or UINT64_MAX (idtable keys) */
	uint64_t h = 0xcbf29ce484222325ULL;
	for (const unsigned char *p = (const unsigned char *)user; *p; p++) {
		unsigned char ch = *p >= 'A' && *p <= 'Z' ? (unsigned char)(*p + 32) : *p;
		h = (h ^ ch) * 0x100000001b3ULL;
	}
	if (h == 0 || h == UINT64_MAX)
		h = 1;
	return h;
}

bool server_usage_take(struct server *srv, uint64_t key, enum usage_kind k, int limit)
{
	bool ok = false;
	pthread_mutex_lock(&srv->usage_lock);
	struct user_usage *u = idtable_find(&srv->usage_by_user, key);
	if (!u) {
		u = calloc(1, sizeof(*u));
		if (u && !idtable_insert(&srv->usage_by_user, key, u)) {
			free(u);
			u = NULL;
		}
	}
	if (u && u->n[k] < limit) {
		u->n[k]++;
		ok = true;
	}
	pthread_mutex_unlock(&srv->usage_lock);
	return ok;
}

void server_usage_drop(struct server *srv, uint64_t key, enum usage_kind k)
{
	pthread_mutex_lock(&srv->usage_lock);
	struct user_usage *u = idtable_find(&srv->usage_by_user, key);
	if (u && u->n[k] > 0 && --u->n[k] == 0) {
		bool empty = true;
		for (int i = 0; i < USAGE_KINDS; i++)
			empty = empty && u->n[i] == 0;
		if (empty)
			free(idtable_remove(&srv->usage_by_user, key));
	}
	pthread_mutex_unlock(&srv->usage_lock);
}

int server_usage_get(struct server *srv, uint64_t key, enum usage_kind k)
{
	pthread_mutex_lock(&srv->usage_lock);
	struct user_usage *u = idtable_find(&srv->usage_by_user, key);
	int n = u ? u->n[k] : 0;
	pthread_mutex_unlock(&srv->usage_lock);
	return n;
}
