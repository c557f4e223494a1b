/* Who may log on: the passdb file (reloaded when it changes on disk) or the
 * single in-memory user of `smb3d serve`, Unix account resolution for root
 * mode, and slowing down repeated logon failures from one address. */
#include <ctype.h>
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

bool server_resolve_forced(struct config *cfg, bool is_root, char *err, size_t errlen)
{
	for (size_t i = 0; i < cfg->n_shares; i++) {
		struct share_conf *sh = &cfg->shares[i];
		if (!sh->force_user && !sh->force_group)
			continue;
		if (!is_root) {
			snprintf(err, errlen,
				 "share [%s]: `force %s` needs smb3d to run as root (it switches identities); run it as "
				 "root or remove the line",
				 sh->name, sh->force_user ? "user" : "group");
			return false;
		}
		if (sh->force_user &&
		    !server_unix_account(sh->force_user, &sh->fu_uid, &sh->fu_gid, &sh->fu_groups, &sh->fu_n_groups)) {
			snprintf(err, errlen, "share [%s]: `force user = %s`: no such Unix account; create it or fix the line",
				 sh->name, sh->force_user);
			return false;
		}
		if (sh->force_group) {
			struct group gr, *res = NULL;
			char buf[4096];
			if (getgrnam_r(sh->force_group, &gr, buf, sizeof(buf), &res) != 0 || !res) {
				snprintf(err, errlen,
					 "share [%s]: `force group = %s`: no such Unix group; create it or fix the line",
					 sh->name, sh->force_group);
				return false;
			}
			sh->fg_gid = res->gr_gid;
		}
	}
	return true;
}

/* --- logon throttling ---
 * Failed logons are counted per user name (as sent, case-folded: unknown
 * users and wrong passwords alike) and per client network (IPv4 /24, IPv6
 * /64; not loopback, where every client of an SSH tunnel comes from). Past
 * a few free tries each failure of a counter takes the next release slot
 * of that counter, spaced 200 ms doubling to 5 s apart, so guesses in
 * parallel wait in line just as guesses in turn do; a reply is held until
 * the later of its counters' slots. A successful logon on a counter with
 * slots ahead waits for them too, so a right guess is not answered sooner
 * than the wrong ones before it. Replies that would wait more than 30 s
 * are not sent: the connection is closed instead. Only a success of the
 * same user resets the user's counter; a network's counter is forgotten
 * after 10 quiet minutes; anonymous and guest logons touch no counter. */

#define FAIL_FREE_TRIES 3 /* failures before replies slow down */
#define FAIL_MAX_INTERVAL_MS 5000
#define FAIL_MAX_HOLD_MS 30000
#define FAIL_FORGET_MS (10 * 60 * 1000)
#define FAIL_TABLE_MAX 10000

struct logon_failures {
	uint32_t count;
	uint64_t last_ms;
	uint64_t next_ms; /* the release time of the last slot taken */
};

static uint64_t fnv(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h;
}

static uint64_t key_fix(uint64_t h)
{
	return h == 0 || h == UINT64_MAX ? 1 : h;
}

static uint64_t user_key(const char *user)
{
	uint64_t h = fnv(1469598103934665603ULL, (const uint8_t *)"u", 2);
	for (const char *c = user; *c; c++) {
		uint8_t b = (uint8_t)tolower((unsigned char)*c);
		h = fnv(h, &b, 1);
	}
	return key_fix(h);
}

/* The client's network, or 0 for loopback (no network counter). */
static uint64_t net_key(const struct sockaddr_storage *a)
{
	uint8_t v4[4];
	const uint8_t *p = NULL;
	if (a->ss_family == AF_INET) {
		memcpy(v4, &((const struct sockaddr_in *)a)->sin_addr, 4);
		p = v4;
	} else if (a->ss_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)a)->sin6_addr;
		if (IN6_IS_ADDR_LOOPBACK(in6))
			return 0;
		if (IN6_IS_ADDR_V4MAPPED(in6)) {
			memcpy(v4, in6->s6_addr + 12, 4);
			p = v4;
		} else {
			return key_fix(fnv(1469598103934665603ULL, in6->s6_addr, 8)); /* /64 */
		}
	} else {
		return 0;
	}
	if (p[0] == 127)
		return 0;
	return key_fix(fnv(1469598103934665603ULL ^ 4, p, 3)); /* /24 */
}

static uint64_t mono_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Lock held: drops the counters nobody has failed on for a while. */
static void forget_quiet(struct server *srv, uint64_t now)
{
	size_t cur = 0;
	uint64_t key;
	struct logon_failures *f;
	while ((f = idtable_next(&srv->fail_by_addr, &cur, &key)) != NULL)
		if (now - f->last_ms > FAIL_FORGET_MS && f->next_ms <= now)
			free(idtable_remove(&srv->fail_by_addr, key));
}

/* Lock held: the counter of key, made if missing; NULL when the table is full. */
static struct logon_failures *counter(struct server *srv, uint64_t key, uint64_t now, bool make)
{
	struct logon_failures *f = idtable_find(&srv->fail_by_addr, key);
	if (f && now - f->last_ms > FAIL_FORGET_MS && f->next_ms <= now) {
		f->count = 0;
		f->next_ms = 0;
	}
	if (f || !make)
		return f;
	if (srv->fail_by_addr.count >= FAIL_TABLE_MAX)
		forget_quiet(srv, now);
	if (srv->fail_by_addr.count >= FAIL_TABLE_MAX)
		return NULL;
	f = calloc(1, sizeof(*f));
	if (f && !idtable_insert(&srv->fail_by_addr, key, f)) {
		free(f);
		f = NULL;
	}
	return f;
}

uint32_t server_logon_result(struct server *srv, const struct sockaddr_storage *addr, const char *user, bool failed)
{
	uint64_t keys[2] = { user_key(user ? user : ""), net_key(addr) };
	uint64_t now = mono_ms(), until = now, next[2] = { 0, 0 };
	struct logon_failures *f[2] = { NULL, NULL };
	pthread_mutex_lock(&srv->fail_lock);
	for (int i = 0; i < 2; i++) {
		if (!keys[i])
			continue;
		f[i] = counter(srv, keys[i], now, failed);
		if (failed && !f[i]) {
			/* no room to count it: as slow as a counter can be (fail closed) */
			if (now + FAIL_MAX_INTERVAL_MS > until)
				until = now + FAIL_MAX_INTERVAL_MS;
			continue;
		}
		if (!f[i])
			continue;
		if (failed && f[i]->count + 1 > FAIL_FREE_TRIES) {
			uint32_t k = f[i]->count + 1 - FAIL_FREE_TRIES;
			uint64_t gap = k >= 6 ? FAIL_MAX_INTERVAL_MS : 100u << k;
			if (gap > FAIL_MAX_INTERVAL_MS)
				gap = FAIL_MAX_INTERVAL_MS;
			next[i] = (f[i]->next_ms > now ? f[i]->next_ms : now) + gap;
		} else if (!failed && f[i]->count > FAIL_FREE_TRIES && f[i]->next_ms > now) {
			next[i] = f[i]->next_ms; /* wait behind the failures in line */
		}
		if (next[i] > until)
			until = next[i];
	}
	uint32_t delay = (uint32_t)(until - now);
	if (until - now > FAIL_MAX_HOLD_MS) {
		delay = SERVER_LOGON_DROP;
	} else if (failed) {
		for (int i = 0; i < 2; i++) {
			if (!f[i])
				continue;
			f[i]->count++;
			f[i]->last_ms = now;
			if (next[i])
				f[i]->next_ms = next[i];
		}
	} else if (f[0]) {
		free(idtable_remove(&srv->fail_by_addr, keys[0])); /* the user's own success */
	}
	pthread_mutex_unlock(&srv->fail_lock);
	return delay;
}
