/* Leases ([MS-SMB2] 3.3.4.7, 3.3.5.9.8, 3.3.5.9.11, 3.3.5.22.2; the lease
 * parts of [MS-FSA] 2.1.4.12 "Algorithm to Check for an Oplock Break" and
 * 2.1.5.17 "Server Requests an Oplock"): one lease per (client GUID, lease
 * key) and file, shared by that client's opens; Read, Handle and Write
 * caching granted as the other opens allow; breaks when another open
 * arrives (Write; Handle when it would hit a sharing violation; all of it
 * when it overwrites), on writes, locks and size changes (Read and Handle),
 * renames (Handle) and, for directory leases, changes of the directory's
 * entries. Breaks of a lease already breaking lower its target and go out
 * one step at a time after each acknowledgement. v2 leases count epochs.
 * Waiting opens park as for oplocks (file.c). Table lock held unless said
 * otherwise; no syscalls except the parent lookup of fsa_lease_break_parent. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

#define R FSA_LEASE_R
#define H FSA_LEASE_H
#define W FSA_LEASE_W

/* --- pure state transitions (unit-tested) --- */

uint32_t fsa_lease_normalize(uint32_t requested, bool is_dir)
{
	uint32_t s = requested & (R | H | W);
	if (!(s & R))
		return 0; /* Handle and Write caching come with Read only */
	return is_dir ? s & (R | H) : s;
}

uint32_t fsa_lease_open_target(uint32_t cur, uint32_t mask, bool overwrite)
{
	/* an overwrite leaves nothing cached true */
	return overwrite ? 0 : cur & ~mask;
}

bool fsa_lease_upgrade(uint32_t held, uint32_t want, uint32_t allowed, uint32_t *out)
{
	/* only a strict superset that can be held with the others changes it */
	if ((held & ~want) || want == held || (want & ~allowed)) {
		*out = held;
		return false;
	}
	*out = want;
	return true;
}

uint32_t fsa_lease_ack_next(uint32_t acked, uint32_t required)
{
	uint32_t target = acked & required;
	if (target == acked)
		return acked;
	/* one step at a time: first down to Read, then to none */
	return (acked & ~R) ? (acked & R) | target : target;
}

/* --- the lease table --- */

struct fsa_lease *fsa_lease_find_locked(struct fsa_table *t, const uint8_t guid[16], const uint8_t key[16])
{
	for (struct fsa_lease *l = t->leases; l; l = l->next)
		if (!memcmp(l->key, key, 16) && !memcmp(l->guid, guid, 16))
			return l;
	return NULL;
}

static bool lease_is(const struct fsa_lease *l, const struct fsa_lease_req *req)
{
	return req && !memcmp(l->key, req->key, 16) && !memcmp(l->guid, req->guid, 16);
}

/* Starts breaking l to `to`. A lease whose break is in flight only records
 * the lower target (it goes out after the acknowledgement, in the same v2
 * epoch: follow_up). Fills *b and returns true when a notification must be
 * sent. */
static bool lease_break_step(struct fsa_lease *l, uint32_t to, bool follow_up, struct fsa_break *b)
{
	if (l->breaking) {
		l->required &= to;
		return false;
	}
	to &= l->state;
	if (to == l->state)
		return false;
	bool ack = (l->state & (H | W)) != 0;
	if (l->v2 && !follow_up)
		l->epoch++;
	*b = (struct fsa_break){ .is_lease = true,
				 .lease_v2 = l->v2,
				 .lease_from = l->state,
				 .lease_to = to,
				 .lease_epoch = l->epoch,
				 .lease_ack = ack };
	memcpy(b->lease_key, l->key, 16);
	/* the notification goes to the client's first connection, or else to
	 * one holding an open of the lease (the newest: opens are kept newest
	 * first), or, when only durable handles waiting for their client hold
	 * it, to nobody: conn/ then closes the handle (b->fid_p) */
	const struct fsa_open *away = NULL, *to_conn = NULL;
	for (const struct fsa_open *x = l->file->opens; x && !to_conn; x = x->next_in_file)
		if (x->lease == l && x->owner_loop) {
			if (x->owner_conn)
				to_conn = x;
			else if (!away)
				away = x;
		}
	const struct fsa_open *alt = to_conn ? to_conn : away;
	if (alt) {
		b->alt_loop = alt->owner_loop;
		b->alt_conn = alt->owner_conn;
		b->alt_session = alt->session_id;
		b->fid_p = alt->persistent_id;
	}
	if (l->client && l->client->loop) {
		b->loop = l->client->loop;
		b->conn_id = l->client->conn_id;
		b->session_id = l->client->session_id;
	} else {
		b->loop = b->alt_loop;
		b->conn_id = b->alt_conn;
		b->session_id = b->alt_session;
		b->alt_loop = NULL;
	}
	if (ack) {
		l->breaking = true;
		l->breaking_to = l->required = to;
	} else {
		l->state = to;
	}
	return true;
}

static bool lease_break(struct fsa_lease *l, uint32_t to, struct fsa_break *b)
{
	return lease_break_step(l, to, false, b);
}

static void add_result_break(struct fsa_create_result *r, const struct fsa_break *b)
{
	if (r->n_breaks < FSA_MAX_BREAKS)
		r->breaks[r->n_breaks++] = *b;
	else
		log_info("more than %d breaks for one open; one is not sent", FSA_MAX_BREAKS);
}

bool fsa_lease_breaks_for_open_locked(struct fsa_file *f, const struct fsa_stream_state *stream,
				      const struct fsa_lease_req *req, uint32_t mask, bool overwrite, bool retry,
				      struct fsa_create_result *r)
{
	bool wait = false;
	for (struct fsa_lease *l = f->leases; l; l = l->next_in_file) {
		if (lease_is(l, req) || l->stream != stream)
			continue; /* a client's own opens do not break its lease */
		uint32_t cur = l->state;
		bool was_breaking = l->breaking;
		uint32_t to = fsa_lease_open_target(cur, mask, overwrite);
		if (to == cur) {
			wait |= was_breaking; /* what it caches may still change */
			continue;
		}
		struct fsa_break b;
		if (lease_break(l, to, &b))
			add_result_break(r, &b);
		/* the open waits while the holder flushes what conflicts */
		if ((cur & mask) || (was_breaking && retry))
			wait = true;
	}
	return wait;
}

int fsa_lease_breaks_for_write_locked(struct fsa_file *f, const struct fsa_stream_state *stream,
				      const struct fsa_lease *writer, struct fsa_break *out, int cap)
{
	int n = 0;
	for (struct fsa_lease *l = f->leases; l; l = l->next_in_file) {
		struct fsa_break b;
		if (l != writer && l->stream == stream && lease_break(l, 0, &b) && n < cap)
			out[n++] = b;
	}
	return n;
}

bool fsa_lease_breaks_handle_locked(struct fsa_file *f, const struct fsa_lease *renamer, struct fsa_break *out,
					int cap, int *n)
{
	bool wait = false;
	for (struct fsa_lease *l = f->leases; l; l = l->next_in_file) {
		if (l == renamer || !(l->state & H))
			continue;
		struct fsa_break b;
		if (lease_break(l, l->state & ~H, &b) && *n < cap)
			out[(*n)++] = b;
		wait = true; /* cached handles must close before the name moves */
	}
	return wait;
}

/* Lease-stat opens ([MS-SMB2] 3.3.5.9.8 lease semantics) break no leases. */
bool fsa_lease_stat_open(uint32_t access)
{
	return !(access & ~(FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE | READ_CONTROL));
}

/* The client record of guid (+1 lease), made with o's connection. */
static struct fsa_lease_client *lease_client_get(struct fsa_table *t, const uint8_t guid[16], const struct fsa_open *o)
{
	struct fsa_lease_client *c;
	for (c = t->lease_clients; c; c = c->next)
		if (!memcmp(c->guid, guid, 16))
			break;
	if (!c) {
		c = calloc(1, sizeof(*c));
		if (!c)
			return NULL;
		memcpy(c->guid, guid, 16);
		c->loop = o->owner_loop;
		c->conn_id = o->owner_conn;
		c->session_id = o->session_id;
		c->next = t->lease_clients;
		t->lease_clients = c;
	}
	c->n_leases++;
	return c;
}

static void lease_client_put(struct fsa_table *t, struct fsa_lease_client *c)
{
	if (--c->n_leases > 0)
		return;
	for (struct fsa_lease_client **p = &t->lease_clients; *p; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	free(c);
}

NTSTATUS fsa_lease_grant_locked(struct fsa_table *t, struct fsa_file *f, struct fsa_open *o,
				const struct fsa_lease_req *req, struct fsa_create_result *r)
{
	struct fsa_lease *l = fsa_lease_find_locked(t, req->guid, req->key);
	if (l && (l->file != f || l->stream != o->stream))
		return STATUS_INVALID_PARAMETER; /* one key, one file (or stream) */
	uint32_t allowed = o->is_dir ? R | H : R | H | W;
	for (struct fsa_open *x = f->opens; x; x = x->next_in_file) {
		if (x == o || (l && x->lease == l) || x->stream != o->stream)
			continue;
		if (!fsa_lease_stat_open(x->access))
			allowed &= ~W; /* writes are cached only by the only opener */
		if (x->oplock != FSA_OPLOCK_NONE)
			allowed &= ~(H | W); /* level II oplocks share Read only */
		if (x->oplock == FSA_OPLOCK_BATCH || x->oplock == FSA_OPLOCK_EXCLUSIVE || x->breaking)
			allowed = 0; /* an exclusive oplock holder is in the way */
	}
	for (struct fsa_lease *x = f->leases; x; x = x->next_in_file)
		if (x != l && x->stream == o->stream && (x->state || x->breaking))
			allowed &= ~W;
	uint32_t want = fsa_lease_normalize(req->state, o->is_dir);
	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l)
			return STATUS_NO_MEMORY;
		memcpy(l->guid, req->guid, 16);
		memcpy(l->key, req->key, 16);
		l->v2 = req->v2;
		l->epoch = req->v2 ? (uint16_t)(req->epoch + 1) : 0;
		if (req->has_parent) {
			memcpy(l->parent, req->parent, 16);
			l->has_parent = true;
		}
		l->is_dir = o->is_dir;
		l->client = lease_client_get(t, req->guid, o);
		if (!l->client) {
			free(l);
			return STATUS_NO_MEMORY;
		}
		l->state = want & allowed;
		l->file = f;
		l->stream = o->stream;
		l->next = t->leases;
		t->leases = l;
		l->next_in_file = f->leases;
		f->leases = l;
		if (l->is_dir)
			atomic_fetch_add(&t->n_dir_leases, 1);
	} else if (!l->breaking && fsa_lease_upgrade(l->state, want, allowed, &l->state) && l->v2) {
		l->epoch++;
	}
	l->n_opens++;
	o->lease = l;
	r->leased = true;
	r->lease_state = l->state;
	r->lease_epoch = l->epoch;
	r->lease_breaking = l->breaking;
	r->lease_v2 = l->v2;
	r->lease_has_parent = l->has_parent;
	memcpy(r->lease_parent, l->parent, 16);
	return STATUS_SUCCESS;
}

/* Unlinks and frees lease l. */
static void lease_free(struct fsa_table *t, struct fsa_lease *l)
{
	for (struct fsa_lease **p = &t->leases; *p; p = &(*p)->next)
		if (*p == l) {
			*p = l->next;
			break;
		}
	for (struct fsa_lease **p = &l->file->leases; *p; p = &(*p)->next_in_file)
		if (*p == l) {
			*p = l->next_in_file;
			break;
		}
	if (l->is_dir)
		atomic_fetch_sub(&t->n_dir_leases, 1);
	lease_client_put(t, l->client);
	free(l);
}

bool fsa_lease_release_locked(struct fsa_table *t, struct fsa_open *o)
{
	struct fsa_lease *l = o->lease;
	if (!l)
		return false;
	o->lease = NULL;
	bool was_breaking = l->breaking;
	if (--l->n_opens > 0)
		return false;
	lease_free(t, l);
	return was_breaking; /* its break is over: waiters may go on */
}

bool fsa_lease_breaking_locked(const struct fsa_file *f)
{
	for (const struct fsa_lease *l = f->leases; l; l = l->next_in_file)
		if (l->breaking)
			return true;
	return false;
}

void fsa_lease_timeout_locked(struct fsa_file *f)
{
	for (struct fsa_lease *l = f->leases; l; l = l->next_in_file)
		if (l->breaking) {
			/* [MS-SMB2] 3.3.6.5: an unacknowledged lease is revoked */
			l->state = 0;
			l->breaking = false;
			log_info("lease break not acknowledged in time; %s now caches nothing",
				 f->path ? f->path : "?");
		}
}

NTSTATUS fsa_lease_ack_locked(struct fsa_table *t, const uint8_t guid[16], const uint8_t key[16], uint32_t state,
			      struct fsa_break *next, int *n_next, struct fsa_file **file)
{
	*n_next = 0;
	*file = NULL;
	struct fsa_lease *l = fsa_lease_find_locked(t, guid, key);
	if (!l)
		return STATUS_OBJECT_NAME_NOT_FOUND;
	if (!l->breaking)
		return STATUS_UNSUCCESSFUL;
	if (state & ~l->breaking_to)
		return STATUS_REQUEST_NOT_ACCEPTED; /* more than the break left it */
	l->state = state;
	l->breaking = false;
	uint32_t required = l->required;
	uint32_t to = fsa_lease_ack_next(state, required);
	if (to != state && lease_break_step(l, to, true, next)) {
		*n_next = 1;
		if (l->breaking)
			l->required = required & to;
	}
	*file = l->file;
	return STATUS_SUCCESS;
}

void fsa_lease_break_parent(struct fsa_table *t, const struct vfs_root *root, const char *path,
			    const uint8_t guid[16], const uint8_t *parent_key)
{
	if (atomic_load(&t->n_dir_leases) == 0 || !t->break_sink)
		return;
	char parent[4096 + 1];
	const char *slash = strrchr(path, '/');
	size_t len = slash ? (size_t)(slash - path) : 0;
	if (len >= sizeof(parent))
		return;
	memcpy(parent, path, len);
	parent[len] = 0;
	struct vfs_stat st;
	if (!NT_OK(vfs_stat_path(root, parent, true, &st)))
		return;
	struct fsa_break b[FSA_MAX_BREAKS];
	int n = 0;
	pthread_mutex_lock(&t->lock);
	struct fsa_file *f = fsa_file_find_locked(t, st.dev, st.ino);
	for (struct fsa_lease *l = f ? f->leases : NULL; l; l = l->next_in_file) {
		/* a client changing its own leased directory (the open names the
		 * directory's lease key as its parent key) keeps its lease */
		if (guid && parent_key && !memcmp(l->guid, guid, 16) && !memcmp(l->key, parent_key, 16))
			continue;
		if (n < FSA_MAX_BREAKS && lease_break(l, 0, &b[n]))
			n++;
	}
	pthread_mutex_unlock(&t->lock);
	if (n)
		t->break_sink(t->break_sink_ctx, b, n);
}
