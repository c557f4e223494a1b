/* The root object: one `struct server` per process, passed down to every
 * layer (no mutable globals). Holds the current config snapshot, worker loops,
 * the offload pool, the global session registry and identity facts. */
#ifndef SMB3D_SERVER_SERVER_H
#define SMB3D_SERVER_SERVER_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "base/idtable.h"
#include "config/config.h"

struct ev_loop;
struct offload_pool;
struct passdb;
struct worker;
struct listener;
struct fsa_table;
struct durable_table;
struct vfs_root_cache;

struct server {
	pthread_mutex_t cfg_lock;
	struct config *cfg; /* current snapshot; take a ref with server_config_get() */

	uint8_t guid[16];
	uint64_t start_time; /* NT time */
	bool is_root;	     /* running as uid 0: sessions map to Unix accounts */
	char hostname[256];  /* lower-case short host name */

	struct worker *workers;
	unsigned n_workers;
	struct offload_pool *offload;
	struct listener *listeners;
	size_t n_listeners;

	atomic_int n_conns;
	/* Connections closing but not yet freed, and PreviousSessionId logoffs
	 * posted but not yet run: their durable handles are about to become
	 * reclaimable, so a reconnect that finds nothing waits a little. */
	atomic_int n_going;
	atomic_uint_fast64_t next_open_id;
	struct fsa_table *files; /* every open file, across connections (fsa/) */
	struct durable_table *durable; /* durable handles between connections (conn/durable.c) */
	struct vfs_root_cache *roots; /* share directories, one descriptor each (vfs/) */
	atomic_uint_fast64_t next_conn_id;

	/* Sessions of all connections by SessionId (for PreviousSessionId and
	 * uniqueness). Values are struct session *, owned by their connection. */
	pthread_mutex_t sess_lock;
	struct idtable sessions;

	/* The user database, reloaded when its file changes. */
	pthread_mutex_t passdb_lock;
	struct passdb *passdb;
	char *passdb_path;

	/* `smb3d serve`: one user held in memory instead of a passdb file. */
	bool have_serve_user;
	char serve_user[257];
	uint8_t serve_nt_hash[16];

	/* Resource limits (server/limits.c, docs/security.md): per-user
	 * counters (user key -> struct user_usage *) and the descriptor budget
	 * computed from RLIMIT_NOFILE at start. */
	pthread_mutex_t usage_lock;
	struct idtable usage_by_user;
	uint64_t fd_limit, fd_reserve;
	uint64_t max_opens_total;   /* opens of all connections together */
	uint64_t max_preauth_conns; /* connections without an authenticated session */
	atomic_uint_fast64_t n_opens;
	atomic_uint_fast64_t n_pipe_fds; /* zero-copy READ pipes: half of fd_reserve at most */

	/* Failed logons per client address, for slowing down guessing. */
	pthread_mutex_t fail_lock;
	struct idtable fail_by_addr; /* hash of address -> struct logon_failures * */
};

struct config *server_config_get(struct server *srv);

/* Starts listeners, workers and the offload pool for cfg (the server takes
 * the reference). Returns NULL after printing why to stderr. */
struct server *server_new(struct config *cfg);
/* Only the object (no listeners, threads or pool): for tests that drive
 * connections on their own loop. */
struct server *server_alloc(struct config *cfg);
/* Runs until SIGINT/SIGTERM (SIGHUP reloads the config); returns an exit code. */
int server_run(struct server *srv);
void server_free(struct server *srv);
/* Swaps in a new snapshot (SIGHUP); false if the file has errors. */
bool server_reload(struct server *srv);
/* Frees the user database state (users.c). */
void server_users_free(struct server *srv);

/* auth_lookup_fn over the server's passdb (ctx is the struct server *):
 * 0 and the NT hash if the user exists and is enabled, -1 unknown, -2 disabled.
 * Reloads the passdb file first if it changed on disk. */
int server_user_lookup(void *ctx, const char *user, uint8_t nt_hash[16]);

/* Resolves a Unix account: uid, primary gid and supplementary groups
 * (malloc'd). false if there is no such account. */
bool server_unix_account(const char *name, uid_t *uid, gid_t *gid, gid_t **groups, int *n_groups);

/* Resolves every share's `force user` and `force group` into the share
 * (fu_uid, fu_gid, fu_groups, fg_gid) when a configuration is loaded, off
 * the event loops. false, with the reason in err, unless smb3d runs as
 * root and every account and group exists. */
bool server_resolve_forced(struct config *cfg, bool is_root, char *err, size_t errlen);

/* Logon throttling per user name and client network (server/users.c):
 * records a failed or successful logon of `user` and returns how long (ms)
 * to hold back its reply, or SERVER_LOGON_DROP: send nothing, disconnect. */
#define SERVER_LOGON_DROP UINT32_MAX
uint32_t server_logon_result(struct server *srv, const struct sockaddr_storage *addr, const char *user, bool failed);

/* The connection with this id owned by `loop` (call on that loop's thread);
 * NULL if it is gone. */
struct conn *server_find_conn(struct ev_loop *loop, uint64_t conn_id);

/* Asks the loop owning session `id` to log it off (PreviousSessionId). Only
 * sessions of `user` are affected. */
void server_kill_previous_session(struct server *srv, struct ev_loop *here, uint64_t id, const char *user);

/* Per-user resource counters (limits.c). A user is named by
 * server_user_key(name); take fails (false) at `limit`. */
enum usage_kind { USAGE_OPENS, USAGE_ASYNC, USAGE_SESSIONS, USAGE_KINDS };
void server_limits_init(struct server *srv);
void server_limits_free(struct server *srv);
uint64_t server_user_key(const char *user);
bool server_usage_take(struct server *srv, uint64_t key, enum usage_kind k, int limit);
void server_usage_drop(struct server *srv, uint64_t key, enum usage_kind k);
int server_usage_get(struct server *srv, uint64_t key, enum usage_kind k);

/* Allocates a SessionId that is unique on this server (never 0 or -1). */
uint64_t server_new_session_id(struct server *srv);

#endif
