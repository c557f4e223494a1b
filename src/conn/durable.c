/* Durable and resilient handles waiting for their client (see durable.h). */
#include "conn/durable.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base/idtable.h"
#include "base/log.h"
#include "conn/conn.h"
#include "conn/opens.h"
#include "event/loop.h"
#include "event/offload.h"
#include "fsa/fsa.h"
#include "server/server.h"

struct durable_entry {
	struct durable_entry *next, *prev; /* every entry, until its timer ran */
	struct server *srv;
	struct fsa_open *o; /* NULL once reclaimed, purged or expired */
	uint64_t fid_p;
	struct ev_timer timer; /* on the loop that preserved it */
};

struct durable_table {
	pthread_mutex_t lock;
	struct idtable by_id; /* persistent id -> entry whose o is set */
	struct durable_entry *all;
};

bool durable_table_init(struct server *srv)
{
	struct durable_table *d = calloc(1, sizeof(*d));
	if (!d)
		return false;
	pthread_mutex_init(&d->lock, NULL);
	idtable_init(&d->by_id);
	srv->durable = d;
	return true;
}

void durable_table_free(struct server *srv)
{
	struct durable_table *d = srv->durable;
	if (!d)
		return;
	while (d->all) {
		struct durable_entry *e = d->all;
		d->all = e->next;
		if (e->o) {
			fsa_open_cleanup(e->o);
			conn_open_put_as_opener(e->o);
		}
		free(e);
	}
	idtable_free(&d->by_id);
	pthread_mutex_destroy(&d->lock);
	free(d);
	srv->durable = NULL;
}

/* Closes an open no client holds any more (its last reference). */
static void close_open(struct server *srv, struct ev_loop *loop, struct fsa_open *o)
{
	fsa_open_cleanup(o);
	if (!srv->offload || !loop || offload_submit(srv->offload, loop, conn_open_put_as_opener, NULL, o) < 0)
		conn_open_put_as_opener(o);
}

/* Table lock held: takes e's open out of the table. */
static struct fsa_open *take(struct durable_table *d, struct durable_entry *e)
{
	struct fsa_open *o = e->o;
	if (o) {
		idtable_remove(&d->by_id, e->fid_p);
		e->o = NULL;
		/* counted against its user while it waited (conn/opens.c); a
		 * reclaim counts it again in its new connection */
		conn_open_uncharge(e->srv, o);
	}
	return o;
}

static void expire(struct ev_loop *loop, struct ev_timer *t)
{
	struct durable_entry *e = t->data;
	struct durable_table *d = e->srv->durable;
	pthread_mutex_lock(&d->lock);
	struct fsa_open *o = take(d, e);
	if (e->prev)
		e->prev->next = e->next;
	else
		d->all = e->next;
	if (e->next)
		e->next->prev = e->prev;
	pthread_mutex_unlock(&d->lock);
	if (o) {
		log_info("durable handle %llx expired: its client did not reconnect in time",
			 (unsigned long long)e->fid_p);
		close_open(e->srv, loop, o);
	}
	free(e);
}

bool durable_preserve(struct conn *c, struct fsa_open *o)
{
	struct durable_table *d = c->srv->durable;
	if (!d || o->pipe || !(o->durable || o->resilient))
		return false;
	if (!o->resilient && !fsa_open_can_be_durable(o))
		return false; /* its batch oplock or Handle lease is gone */
	struct durable_entry *e = calloc(1, sizeof(*e));
	if (!e)
		return false;
	e->srv = c->srv;
	e->o = o;
	e->fid_p = o->persistent_id;
	ev_timer_init(&e->timer, expire, e);
	pthread_mutex_lock(&d->lock);
	if (!idtable_insert(&d->by_id, e->fid_p, e)) {
		pthread_mutex_unlock(&d->lock);
		free(e);
		return false;
	}
	e->next = d->all;
	if (d->all)
		d->all->prev = e;
	d->all = e;
	pthread_mutex_unlock(&d->lock);
	/* From here a break finds no connection and purges the open. One
	 * already in flight went to the closing connection and was dropped:
	 * then the open cannot wait, as its breaker would wait for nobody. */
	fsa_open_disconnect(o);
	o->session_id = 0;
	o->tree_id = 0;
	bool breaking = fsa_open_set_owner(o, c->loop, 0);
	pthread_mutex_lock(&d->lock);
	struct fsa_open *back = breaking ? take(d, e) : NULL;
	pthread_mutex_unlock(&d->lock);
	ev_timer_start(c->loop, &e->timer, o->durable_timeout_ms ? o->durable_timeout_ms : DURABLE_V1_TIMEOUT_MS);
	if (breaking) {
		if (back)
			close_open(c->srv, c->loop, back);
		return true; /* closed here, or by a purge that got there first */
	}
	conn_debug(c, "durable handle %llx kept for %u ms", (unsigned long long)e->fid_p, o->durable_timeout_ms);
	return true;
}

struct fsa_open *durable_reclaim(struct conn *c, struct session *s, const struct tcon *t, uint64_t fid_p,
				 bool v2, const uint8_t create_guid[16], const struct durable_lease *dl, NTSTATUS *st)
{
	struct durable_table *d = c->srv->durable;
	*st = STATUS_OBJECT_NAME_NOT_FOUND;
	if (!d)
		return NULL;
	pthread_mutex_lock(&d->lock);
	struct durable_entry *e = idtable_find(&d->by_id, fid_p);
	struct fsa_open *o = e ? e->o : NULL;
	if (!o) {
		pthread_mutex_unlock(&d->lock);
		return NULL;
	}
	/* a leased handle is bound to its client's ClientGuid and lease key,
	 * and to its name */
	NTSTATUS lst = fsa_open_lease_reclaim(o, c->client_guid, dl->key, dl->path, dl->case_insensitive, dl->res);
	if (!NT_OK(lst)) {
		pthread_mutex_unlock(&d->lock);
		*st = lst;
		return NULL;
	}
	/* (the lease key identifies a leased handle: a v2 reconnect of a v1
	 * leased handle is accepted, smb2.durable-open.reopen2-lease) */
	if ((v2 && (o->durable_v2 ? memcmp(o->create_guid, create_guid, 16) != 0 : !dl->res->leased)) ||
	    o->root.dev != t->root.dev || o->root.ino != t->root.ino) {
		pthread_mutex_unlock(&d->lock);
		return NULL; /* not this client's handle, or another share's */
	}
	if (!o->has_token || o->token.owner_uid != s->uid || o->token.anonymous != s->anonymous) {
		pthread_mutex_unlock(&d->lock);
		*st = STATUS_ACCESS_DENIED; /* [MS-SMB2] 3.3.5.9.7: not the DurableOwner */
		return NULL;
	}
	take(d, e);
	pthread_mutex_unlock(&d->lock);
	*st = STATUS_SUCCESS;
	return o;
}

void durable_purge(struct server *srv, struct ev_loop *loop, uint64_t fid_p)
{
	struct durable_table *d = srv->durable;
	if (!d)
		return;
	pthread_mutex_lock(&d->lock);
	struct durable_entry *e = idtable_find(&d->by_id, fid_p);
	struct fsa_open *o = e ? take(d, e) : NULL;
	pthread_mutex_unlock(&d->lock);
	if (o) {
		log_info("durable handle %llx closed: another open needed its oplock while its client was away",
			 (unsigned long long)fid_p);
		close_open(srv, loop, o); /* which wakes the open that waits */
	}
}
