/* Per-connection open table (see opens.h). */
#include "conn/opens.h"

#include <stdlib.h>
#include <string.h>

#include "conn/durable.h"
#include "conn/request.h"
#include "event/offload.h"
#include "fsa/fsa.h"
#include "server/server.h"

/* The last reference of an open (a disconnect, a logoff): closing may
 * delete the file, which happens as whoever opened it. */
void conn_open_put_as_opener(void *arg)
{
	struct fsa_open *o = arg;
	bool as_opener = false;
	if (o->has_token) {
		struct vfs_cred cr = { .uid = o->token.uid, .gid = o->token.gid, .groups = o->token.groups,
				       .n_groups = o->token.n_groups };
		as_opener = vfs_become(&cr) == 0;
	}
	if (!as_opener)
		vfs_unbecome(); /* as root (a request may have left the thread switched) */
	fsa_open_put(o);
	/* Back to root: this also runs on threads that are not offload
	 * threads (the main thread closing durable handles at shutdown), and
	 * a thread left as another user would stop LeakSanitizer's tracer
	 * (the process is not dumpable once it changed credentials). */
	if (as_opener)
		vfs_unbecome();
}

void conn_open_release(struct conn *c, struct fsa_open *o)
{
	if (!o)
		return;
	/* Not the last reference, or a last close that cannot block (a
	 * read-only descriptor, nothing to delete): done here. */
	if (fsa_open_put_nonblocking(o))
		return;
	if (!c->srv->offload || offload_submit(c->srv->offload, c->loop, conn_open_put_as_opener, NULL, o) < 0)
		conn_open_put_as_opener(o); /* out of memory: do it here rather than leak */
}

/* Which limit a new open of session s would exceed, or NULL. */
static const char *open_limit(struct conn *c, const struct session *s)
{
	struct server *srv = c->srv;
	if (c->opens.count >= (size_t)c->cfg->max_open_files)
		return "`max open files` (per connection)";
	if (atomic_load(&srv->n_opens) >= srv->max_opens_total)
		return "the server's descriptor budget for open files (raise `ulimit -n`)";
	if (s && server_usage_get(srv, s->user_key, USAGE_OPENS) >= c->cfg->max_open_files_user)
		return "`smb3d:max open files per user`";
	return NULL;
}

NTSTATUS conn_open_precheck(struct conn *c, const struct session *s)
{
	const char *why = open_limit(c, s);
	if (!why)
		return STATUS_SUCCESS;
	conn_warn(c, "open refused: %s reached", why);
	return STATUS_TOO_MANY_OPENED_FILES;
}

/* Counts an open in the server's and its user's totals. */
static bool open_charge(struct conn *c, struct fsa_open *o, const struct session *s)
{
	struct server *srv = c->srv;
	if (atomic_fetch_add(&srv->n_opens, 1) >= srv->max_opens_total) {
		atomic_fetch_sub(&srv->n_opens, 1);
		return false;
	}
	if (s && !server_usage_take(srv, s->user_key, USAGE_OPENS, c->cfg->max_open_files_user)) {
		atomic_fetch_sub(&srv->n_opens, 1);
		return false;
	}
	o->usage_key = s ? s->user_key : 0;
	o->usage_charged = true;
	return true;
}

void conn_open_uncharge(struct server *srv, struct fsa_open *o)
{
	if (!o->usage_charged)
		return;
	o->usage_charged = false;
	atomic_fetch_sub(&srv->n_opens, 1);
	if (o->usage_key)
		server_usage_drop(srv, o->usage_key, USAGE_OPENS);
	o->usage_key = 0;
}

NTSTATUS conn_open_insert(struct conn *c, struct fsa_open *o, uint64_t session_id, uint32_t tree_id)
{
	const struct session *s = idtable_find(&c->sessions, session_id);
	if (c->opens.count >= (size_t)c->cfg->max_open_files || !open_charge(c, o, s)) {
		conn_warn(c, "open refused: %s reached", open_limit(c, s) ? open_limit(c, s) : "an open-file limit");
		return STATUS_TOO_MANY_OPENED_FILES;
	}
	uint64_t id;
	do {
		id = atomic_fetch_add(&c->srv->next_open_id, 1) + 1;
	} while (id == 0 || id == UINT64_MAX);
	o->volatile_id = id;
	if (!o->persistent_id) /* a reclaimed durable handle keeps its own */
		o->persistent_id = id;
	o->session_id = session_id;
	o->tree_id = tree_id;
	if (!idtable_insert(&c->opens, id, o)) {
		conn_open_uncharge(c->srv, o);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	if (!o->pipe)
		fsa_open_set_owner(o, c->loop, c->id);
	return STATUS_SUCCESS;
}

struct fsa_open *conn_open_lookup(struct smb2_req *req, uint64_t fid_p, uint64_t fid_v, NTSTATUS *st)
{
	struct conn *c = req->conn;
	if (fid_p == UINT64_MAX && fid_v == UINT64_MAX) {
		if (!req->related || !req->inherit_fid) {
			*st = STATUS_FILE_CLOSED;
			return NULL;
		}
		fid_p = req->prev_fid_p;
		fid_v = req->prev_fid_v;
	}
	struct fsa_open *o = idtable_find(&c->opens, fid_v);
	if (!o || o->persistent_id != fid_p || o->session_id != req->hdr.session_id ||
	    o->tree_id != req->hdr.tree_id) {
		*st = STATUS_FILE_CLOSED;
		return NULL;
	}
	if (o->has_token && c->srv->is_root) {
		/* calls through a handle run as whoever opened it, also after
		 * the session re-authenticated as someone else. The groups are
		 * the open's own (fixed for its life), and the request holds the
		 * open until it is released: no copy. */
		free(req->cred_groups);
		req->cred_groups = NULL;
		req->cred = (struct vfs_cred){ .uid = o->token.uid, .gid = o->token.gid, .groups = o->token.groups,
					       .n_groups = o->token.groups ? o->token.n_groups : 0 };
		req->cred_from_open = true;
	}
	*st = STATUS_SUCCESS;
	req->set_fid = true; /* related requests after this one use it too */
	req->fid_p = fid_p;
	req->fid_v = fid_v;
	return fsa_open_get(o);
}

struct fsa_open *conn_open_lookup_session(struct conn *c, uint64_t session_id, uint64_t fid_p, uint64_t fid_v)
{
	struct fsa_open *o = idtable_find(&c->opens, fid_v);
	if (!o || o->persistent_id != fid_p || o->session_id != session_id)
		return NULL;
	return fsa_open_get(o);
}

bool conn_open_take(struct conn *c, struct fsa_open *o)
{
	if (idtable_find(&c->opens, o->volatile_id) != o)
		return false;
	idtable_remove(&c->opens, o->volatile_id);
	conn_open_uncharge(c->srv, o);
	return true;
}

void conn_open_remove(struct conn *c, struct fsa_open *o)
{
	if (idtable_remove(&c->opens, o->volatile_id) == o) {
		conn_open_uncharge(c->srv, o);
		fsa_open_cleanup(o);
		conn_open_release(c, o); /* the table's reference */
	}
}

void conn_close_opens(struct conn *c, uint64_t session_id, uint32_t tree_id, bool keep_durable)
{
	if (c->opens.count == 0)
		return; /* e.g. each session of a closing connection, after its opens went */
	size_t cur = 0;
	uint64_t id;
	struct fsa_open *o;
	while ((o = idtable_next(&c->opens, &cur, &id)) != NULL) {
		if ((session_id && o->session_id != session_id) || (tree_id && o->tree_id != tree_id))
			continue;
		idtable_remove(&c->opens, id);
		/* a durable handle waiting for its client still holds its
		 * descriptor: it stays counted (durable.c uncharges it) */
		if (keep_durable && durable_preserve(c, o))
			continue;
		conn_open_uncharge(c->srv, o);
		fsa_open_cleanup(o);
		conn_open_release(c, o);
	}
}

void req_open_state_release(struct smb2_req *req)
{
	struct fsa_open **state = req->cmd_state;
	if (!state)
		return;
	conn_open_release(req->conn, *state);
	free(state);
	req->cmd_state = NULL;
}

void *req_open_state(struct smb2_req *req, uint64_t fid_p, uint64_t fid_v, size_t size, NTSTATUS *st)
{
	struct fsa_open *o = conn_open_lookup(req, fid_p, fid_v, st);
	if (!o)
		return NULL;
	if (o->pipe && req->hdr.command != SMB2_READ && req->hdr.command != SMB2_WRITE) {
		/* pipes take only READ, WRITE, IOCTL and CLOSE */
		conn_open_release(req->conn, o);
		*st = STATUS_INVALID_DEVICE_REQUEST;
		return NULL;
	}
	struct fsa_open **state = calloc(1, size);
	if (!state) {
		conn_open_release(req->conn, o);
		*st = STATUS_NO_MEMORY;
		return NULL;
	}
	*state = o;
	req->cmd_state = state;
	req->release = req_open_state_release;
	return state;
}
