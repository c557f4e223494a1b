/* Leases on files ([MS-SMB2] 3.3.5.9.8 and 3.3.4.7, [MS-FSA] 2.1.5.17):
 * one lease per (client GUID, lease key), shared by that client's opens of
 * one file; Read, Handle and Write caching granted as other opens allow;
 * breaks when another open arrives (Write), overwrites (all) or writes
 * (Read), acknowledged by the client, with epochs for lease v2. Waiting
 * opens park as for oplocks. Directory leases are not granted. Everything
 * here runs under the table lock unless said otherwise. */
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

#define R FSA_LEASE_R
#define H FSA_LEASE_H
#define W FSA_LEASE_W

struct fsa_lease *fsa_lease_find_locked(struct fsa_table *t, const uint8_t guid[16], const uint8_t key[16])
{
	for (struct fsa_lease *l = t->leases; l; l = l->next)
		if (!memcmp(l->key, key, 16) && !memcmp(l->guid, guid, 16))
			return l;
	return NULL;
}

/* A break of lease l to `to`, sent to the connection that opened it last. */
static void add_lease_break(struct fsa_create_result *r, struct fsa_break *out, int *n, int cap, struct fsa_lease *l,
			    uint32_t to)
{
	bool ack = (l->state & (W | H)) != 0;
	if (l->v2)
		l->epoch++;
	struct fsa_break b = { .loop = l->loop,
			       .conn_id = l->conn_id,
			       .session_id = l->session_id,
			       .is_lease = true,
			       .lease_v2 = l->v2,
			       .lease_from = l->state,
			       .lease_to = to,
			       .lease_epoch = l->epoch,
			       .lease_ack = ack };
	memcpy(b.lease_key, l->key, 16);
	if (ack) {
		l->breaking = true;
		l->breaking_to = to;
	} else {
		l->state = to;
	}
	if (r) {
		if (r->n_breaks < FSA_MAX_BREAKS)
			r->breaks[r->n_breaks++] = b;
	} else if (*n < cap) {
		out[(*n)++] = b;
	}
}

bool fsa_lease_breaks_for_open_locked(struct fsa_file *f, const struct fsa_lease_req *req, bool overwrite,
				      bool stat_open, struct fsa_create_result *r)
{
	bool wait = false;
	for (struct fsa_lease *l = f->leases; l; l = l->next_in_file) {
		if (req && !memcmp(l->key, req->key, 16) && !memcmp(l->guid, req->guid, 16))
			continue; /* the same lease: no break for its own opens */
		if (l->breaking) {
			wait |= !stat_open;
			continue;
		}
		uint32_t to = l->state;
		if (overwrite)
			to = 0; /* the data goes: nothing cached stays true */
		else if (!stat_open)
			to &= ~W; /* another writer may appear: flush and stop caching writes */
		if (to == l->state)
			continue;
		bool ack = (l->state & (W | H)) != 0;
		add_lease_break(r, NULL, NULL, 0, l, to);
		wait |= ack;
	}
	return wait;
}

int fsa_lease_breaks_for_write_locked(struct fsa_file *f, const struct fsa_lease *writer, struct fsa_break *out,
				      int cap)
{
	int n = 0;
	for (struct fsa_lease *l = f->leases; l; l = l->next_in_file)
		if (l != writer && !l->breaking && (l->state & R) && !(l->state & W))
			add_lease_break(NULL, out, &n, cap, l, 0);
	return n;
}

NTSTATUS fsa_lease_grant_locked(struct fsa_table *t, struct fsa_file *f, struct fsa_open *o,
				const struct fsa_lease_req *req, struct fsa_create_result *r)
{
	struct fsa_lease *l = fsa_lease_find_locked(t, req->guid, req->key);
	if (l && l->file != f)
		return STATUS_INVALID_PARAMETER; /* one key, one file */
	if (!l) {
		l = calloc(1, sizeof(*l));
		if (!l)
			return STATUS_NO_MEMORY;
		memcpy(l->guid, req->guid, 16);
		memcpy(l->key, req->key, 16);
		l->v2 = req->v2;
		l->epoch = req->v2 ? req->epoch : 0;
		if (req->has_parent) {
			memcpy(l->parent, req->parent, 16);
			l->has_parent = true;
		}
		l->file = f;
		l->next = t->leases;
		t->leases = l;
		l->next_in_file = f->leases;
		f->leases = l;
	}
	uint32_t want = req->state & (R | H | W);
	if (!(want & R))
		want = 0; /* H and W come with R only */
	if (o->is_dir)
		want = 0; /* directory leases are not granted */
	bool others = false;
	for (struct fsa_open *x = f->opens; x; x = x->next_in_file)
		if (x != o && x->lease != l && !x->stat_open)
			others = true;
	for (struct fsa_lease *x = f->leases; x; x = x->next_in_file)
		if (x != l && (x->breaking || (x->state & W)))
			want &= ~W;
	if (others)
		want &= ~W;
	for (struct fsa_open *x = f->opens; x; x = x->next_in_file)
		if (x != o && (x->oplock == FSA_OPLOCK_BATCH || x->oplock == FSA_OPLOCK_EXCLUSIVE || x->breaking))
			want = 0; /* an oplock holder is in the way */
	if (!l->breaking && (want & ~l->state) && !(l->state & ~want & W)) {
		/* an upgrade (never a downgrade by a new open) */
		uint32_t ns = l->state | want;
		if (ns != l->state && l->v2 && l->state)
			l->epoch++;
		else if (ns != l->state && l->v2 && !l->state)
			l->epoch++;
		l->state = ns;
	}
	l->n_opens++;
	l->loop = o->owner_loop;
	o->lease = l;
	r->lease_state = l->state;
	r->lease_epoch = l->epoch;
	r->lease_breaking = l->breaking;
	return STATUS_SUCCESS;
}

/* Table lock held: unlinks and frees lease l. */
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
	free(l);
}

bool fsa_lease_release_locked(struct fsa_table *t, struct fsa_open *o)
{
	struct fsa_lease *l = o->lease;
	if (!l)
		return false;
	o->lease = NULL;
	bool was_breaking = l->breaking;
	if (--l->n_opens == 0) {
		lease_free(t, l);
		return was_breaking; /* its break is over: waiters may go on */
	}
	return false;
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
			l->state = l->breaking_to;
			l->breaking = false;
			log_info("lease break not acknowledged in time; %s now cached as 0x%x", f->path ? f->path : "?",
				 (unsigned)l->state);
		}
}
