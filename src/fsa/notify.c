/* Change notification (see fsa.h): per-open watches with a bounded queue
 * of changes, matched against changes made through smb3d by directory path
 * (WATCH_TREE covers the whole subtree). */
#include <stdlib.h>
#include <string.h>

#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

struct fsa_watch {
	uint32_t filter;
	bool tree;
	uint32_t max_bytes; /* the client's output buffer: more is an overflow */
	struct fsa_change *head, *tail;
	size_t bytes; /* as FILE_NOTIFY_INFORMATION would take */
	bool overflow;
	struct fsa_notify_waiter *waiters;
};

void fsa_changes_free(struct fsa_change *c)
{
	while (c) {
		struct fsa_change *n = c->next;
		free(c);
		c = n;
	}
}

void fsa_notify_wake_all(struct fsa_notify_waiter *w)
{
	while (w) {
		struct fsa_notify_waiter *n = w->next;
		w->wake(w->arg);
		w = n;
	}
}

/* Table lock held: hands the queue to the first waiter, if any. */
static struct fsa_notify_waiter *deliver(struct fsa_watch *wt)
{
	struct fsa_notify_waiter *w = wt->waiters;
	if (!w || (!wt->head && !wt->overflow))
		return NULL;
	wt->waiters = w->next;
	w->next = NULL;
	w->linked = false;
	if (wt->overflow) {
		w->status = STATUS_NOTIFY_ENUM_DIR;
		fsa_changes_free(wt->head);
		w->changes = NULL;
	} else {
		w->status = STATUS_SUCCESS;
		w->changes = wt->head;
	}
	wt->head = wt->tail = NULL;
	wt->bytes = 0;
	wt->overflow = false;
	return w;
}

NTSTATUS fsa_notify_arm(struct fsa_open *o, uint32_t filter, bool tree, uint32_t max_bytes,
			struct fsa_notify_waiter *w, struct fsa_change **changes)
{
	struct fsa_table *t = o->table;
	*changes = NULL;
	pthread_mutex_lock(&t->lock);
	struct fsa_watch *wt = o->watch;
	if (!wt) {
		wt = calloc(1, sizeof(*wt));
		if (!wt) {
			pthread_mutex_unlock(&t->lock);
			return STATUS_NO_MEMORY;
		}
		o->watch = wt;
		o->next_watch = t->watching;
		o->prev_watch = NULL;
		if (t->watching)
			t->watching->prev_watch = o;
		t->watching = o;
		/* the first request's buffer size sticks ([MS-FSA] 2.1.5.10) */
		wt->max_bytes = max_bytes;
	}
	/* each request's completion filter and WATCH_TREE apply from now on */
	wt->filter = filter;
	wt->tree = tree;
	NTSTATUS st;
	if (wt->overflow) {
		fsa_changes_free(wt->head);
		wt->head = wt->tail = NULL;
		wt->bytes = 0;
		wt->overflow = false;
		st = STATUS_NOTIFY_ENUM_DIR;
	} else if (wt->head) {
		*changes = wt->head;
		wt->head = wt->tail = NULL;
		wt->bytes = 0;
		st = STATUS_SUCCESS;
	} else {
		w->linked = true;
		w->next = NULL;
		struct fsa_notify_waiter **pp = &wt->waiters;
		while (*pp)
			pp = &(*pp)->next;
		*pp = w;
		st = STATUS_PENDING;
	}
	pthread_mutex_unlock(&t->lock);
	return st;
}

bool fsa_notify_cancel(struct fsa_open *o, struct fsa_notify_waiter *w)
{
	struct fsa_table *t = o->table;
	bool was = false;
	pthread_mutex_lock(&t->lock);
	if (w->linked && o->watch) {
		struct fsa_notify_waiter **pp = &o->watch->waiters;
		while (*pp && *pp != w)
			pp = &(*pp)->next;
		if (*pp) {
			*pp = w->next;
			was = true;
		}
		w->linked = false;
	}
	pthread_mutex_unlock(&t->lock);
	return was;
}

void fsa_notify_close_locked(struct fsa_open *o, struct fsa_notify_waiter **wake)
{
	struct fsa_watch *wt = o->watch;
	if (!wt)
		return;
	struct fsa_table *t = o->table;
	if (o->prev_watch)
		o->prev_watch->next_watch = o->next_watch;
	else
		t->watching = o->next_watch;
	if (o->next_watch)
		o->next_watch->prev_watch = o->prev_watch;
	while (wt->waiters) {
		struct fsa_notify_waiter *w = wt->waiters;
		wt->waiters = w->next;
		w->linked = false;
		w->status = STATUS_NOTIFY_CLEANUP;
		w->changes = NULL;
		w->next = *wake;
		*wake = w;
	}
	fsa_changes_free(wt->head);
	free(wt);
	o->watch = NULL;
}

/* Is `path` inside directory `dir` (directly, or anywhere below if tree)?
 * Returns the part of path relative to dir, or NULL. */
static const char *relative_to(const char *dir, const char *path, bool tree)
{
	size_t n = strlen(dir);
	const char *rest;
	if (n == 0) {
		rest = path;
	} else {
		if (strncmp(path, dir, n) != 0 || path[n] != '/')
			return NULL;
		rest = path + n + 1;
	}
	if (!rest[0])
		return NULL;
	if (!tree && strchr(rest, '/'))
		return NULL;
	return rest;
}

void fsa_notify_event(struct fsa_table *t, const char *path, uint32_t action, uint32_t filter)
{
	struct fsa_notify_waiter *wake = NULL;
	pthread_mutex_lock(&t->lock);
	for (struct fsa_open *o = t->watching; o; o = o->next_watch) {
		struct fsa_watch *wt = o->watch;
		if (!(wt->filter & filter) || !o->file->path)
			continue;
		const char *rel = relative_to(o->file->path, path, wt->tree);
		if (!rel)
			continue;
		size_t len = strlen(rel);
		/* FILE_NOTIFY_INFORMATION: 12 bytes + UTF-16 name, 4-aligned */
		size_t cost = (12 + 2 * len + 3) & ~(size_t)3;
		if (wt->overflow) {
			/* already lost: nothing to add */
		} else if (wt->bytes + cost > wt->max_bytes) {
			wt->overflow = true;
			fsa_changes_free(wt->head);
			wt->head = wt->tail = NULL;
			wt->bytes = 0;
		} else {
			struct fsa_change *c = malloc(sizeof(*c) + len + 1);
			if (!c) {
				wt->overflow = true;
			} else {
				c->next = NULL;
				c->action = action;
				memcpy(c->name, rel, len + 1);
				if (wt->tail)
					wt->tail->next = c;
				else
					wt->head = c;
				wt->tail = c;
				wt->bytes += cost;
			}
		}
		struct fsa_notify_waiter *w = deliver(wt);
		if (w) {
			w->next = wake;
			wake = w;
		}
	}
	pthread_mutex_unlock(&t->lock);
	fsa_notify_wake_all(wake);
}

void fsa_notify_cleanup(struct fsa_open *o)
{
	struct fsa_notify_waiter *wake = NULL;
	pthread_mutex_lock(&o->table->lock);
	fsa_notify_close_locked(o, &wake);
	pthread_mutex_unlock(&o->table->lock);
	fsa_notify_wake_all(wake);
}

void fsa_notify_delete_pending_locked(struct fsa_file *f, struct fsa_notify_waiter **wake)
{
	/* [MS-FSA] 2.1.5.10: notifies on a directory that is being deleted
	 * complete with STATUS_DELETE_PENDING */
	for (struct fsa_open *o = f->opens; o; o = o->next_in_file) {
		struct fsa_watch *wt = o->watch;
		if (!wt)
			continue;
		while (wt->waiters) {
			struct fsa_notify_waiter *w = wt->waiters;
			wt->waiters = w->next;
			w->linked = false;
			w->status = STATUS_DELETE_PENDING;
			w->changes = NULL;
			w->next = *wake;
			*wake = w;
		}
	}
}
