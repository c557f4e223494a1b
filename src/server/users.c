/* Who may log on: the passdb file (reloaded when it changes on disk) or the
 * single in-memory user of `smb3d serve`, Unix account resolution for root
 * mode, and slowing down repeated logon failures from one address. */
#include <grp.h>
#include <netinet/in.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "auth/passdb.h"
#include "server/server.h"

int server_user_lookup(void *ctx, const char *user, uint8_t nt_hash[16])
{
	struct server *srv = ctx;
	if (srv->have_serve_user) {
		if (strcasecmp(user, srv->serve_user) != 0)
			return -1;
		memcpy(nt_hash, srv->serve_nt_hash, 16);
		return 0;
	}
	struct config *cfg = server_config_get(srv);
	int rc = -1;
	pthread_mutex_lock(&srv->passdb_lock);
	if (cfg->passdb_path && (!srv->passdb || !srv->passdb_path || strcmp(srv->passdb_path, cfg->passdb_path) != 0 ||
				 passdb_changed(cfg->passdb_path, srv->passdb))) {
		struct passdb *db = NULL;
		if (NT_OK(passdb_load(cfg->passdb_path, &db)) && db) {
			passdb_free(srv->passdb);
			srv->passdb = db;
			free(srv->passdb_path);
			srv->passdb_path = strdup(cfg->passdb_path);
		}
	}
	if (srv->passdb)
		rc = passdb_auth_lookup(srv->passdb, user, nt_hash);
	pthread_mutex_unlock(&srv->passdb_lock);
	config_put(cfg);
	return rc;
}

void server_users_free(struct server *srv)
{
	passdb_free(srv->passdb);
	srv->passdb = NULL;
	free(srv->passdb_path);
	srv->passdb_path = NULL;
}

bool server_unix_account(const char *name, uid_t *uid, gid_t *gid, gid_t **groups, int *n_groups)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	if (getpwnam_r(name, &pw, buf, sizeof(buf), &res) != 0 || !res)
		return false;
	*uid = pw.pw_uid;
	*gid = pw.pw_gid;
	int n = 32;
	gid_t *g = malloc(sizeof(gid_t) * (size_t)n);
	if (!g)
		return false;
	if (getgrouplist(name, pw.pw_gid, g, &n) < 0) {
		gid_t *g2 = realloc(g, sizeof(gid_t) * (size_t)n);
		if (!g2) {
			free(g);
			return false;
		}
		g = g2;
		if (getgrouplist(name, pw.pw_gid, g, &n) < 0) {
			free(g);
			return false;
		}
	}
	*groups = g;
	*n_groups = n;
	return true;
}

/* --- logon throttling --- */

#define FAIL_FREE_TRIES 3     /* failures before replies slow down */
#define FAIL_MAX_DELAY_MS 5000
#define FAIL_FORGET_MS (10 * 60 * 1000)
#define FAIL_TABLE_MAX 10000

struct logon_failures {
	uint32_t count;
	uint64_t last_ms;
};

static uint64_t addr_key(const struct sockaddr_storage *a)
{
	const uint8_t *p;
	size_t n;
	if (a->ss_family == AF_INET) {
		p = (const uint8_t *)&((const struct sockaddr_in *)a)->sin_addr;
		n = 4;
	} else {
		p = (const uint8_t *)&((const struct sockaddr_in6 *)a)->sin6_addr;
		n = 16;
	}
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h == 0 || h == UINT64_MAX ? 1 : h;
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint32_t server_logon_result(struct server *srv, const struct sockaddr_storage *addr, bool failed)
{
	uint64_t key = addr_key(addr), now = mono_ms();
	uint32_t delay = 0;
	pthread_mutex_lock(&srv->fail_lock);
	struct logon_failures *f = idtable_find(&srv->fail_by_addr, key);
	if (f && now - f->last_ms > FAIL_FORGET_MS)
		f->count = 0;
	if (!failed) {
		if (f)
			free(idtable_remove(&srv->fail_by_addr, key));
		goto out;
	}
	if (!f) {
		if (srv->fail_by_addr.count >= FAIL_TABLE_MAX) {
			/* Bounded memory under a spray of addresses: start over. */
			size_t cur = 0;
			void *v;
			while ((v = idtable_next(&srv->fail_by_addr, &cur, NULL)) != NULL)
				free(v);
			idtable_free(&srv->fail_by_addr);
			idtable_init(&srv->fail_by_addr);
		}
		f = calloc(1, sizeof(*f));
		if (!f || !idtable_insert(&srv->fail_by_addr, key, f)) {
			free(f);
			goto out;
		}
	}
	f->count++;
	f->last_ms = now;
	if (f->count > FAIL_FREE_TRIES) {
		uint32_t k = f->count - FAIL_FREE_TRIES;
		delay = k >= 6 ? FAIL_MAX_DELAY_MS : 100u << k;
		if (delay > FAIL_MAX_DELAY_MS)
			delay = FAIL_MAX_DELAY_MS;
	}
out:
	pthread_mutex_unlock(&srv->fail_lock);
	return delay;
}
