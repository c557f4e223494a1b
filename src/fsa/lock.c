/* Byte-range locks with Windows semantics ([MS-FSA] 2.1.5.8 lock,
 * 2.1.5.9 unlock, 2.1.4.10 conflicts): shared and exclusive locks per open,
 * zero-length ranges, stacking, unlocks that must match a lock exactly,
 * all-or-nothing lock arrays, blocking requests that wait as parked
 * waiters (never a thread), READ/WRITE checked against other opens' locks,
 * and release at handle close. In memory only, under the table lock. */
#include <stdlib.h>

#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

struct fsa_lock {
	struct fsa_lock *next;
	struct fsa_open *owner;
	uint64_t off, len;
	bool excl;
};

/* [MS-FSA] 2.1.4.10: does access (off, len) by open o conflict with lock l? */
static bool range_conflicts(const struct fsa_lock *l, const struct fsa_open *o, uint64_t off, uint64_t len,
			    bool excl, bool lock_intent)
{
	if ((off == 0 && len == 0) || (l->off == 0 && l->len == 0))
		return false; /* the {0, 0} range overlaps nothing */
	/* the spec's arithmetic, zero lengths included (last = off - 1) */
	uint64_t last1 = off + len - 1, last2 = l->off + l->len - 1;
	if (!(off <= last2 && last1 >= l->off))
		return false;
	if (l->excl) /* the owner may do I/O in it and stack shared locks on it */
		return l->owner != o || (lock_intent && excl);
	return excl; /* shared: writes and exclusive locks conflict, even the owner's */
}

static bool file_conflicts(const struct fsa_file *f, const struct fsa_open *o, uint64_t off, uint64_t len, bool excl,
			   bool lock_intent)
{
	for (const struct fsa_lock *l = f->locks; l; l = l->next)
		if (l->owner->stream == o->stream && range_conflicts(l, o, off, len, excl, lock_intent))
			return true;
	return false;
}

bool fsa_io_conflicts(struct fsa_open *o, uint64_t off, uint64_t len, bool write)
{
	if (!o->file || len == 0)
		return false;
	pthread_mutex_lock(&o->table->lock);
	bool c = o->file->locks && file_conflicts(o->file, o, off, len, write, false);
	pthread_mutex_unlock(&o->table->lock);
	return c;
}

/* Table lock held: takes every lock waiter of f (to wake after unlocking). */
static struct fsa_lock_waiter *take_lock_waiters(struct fsa_file *f)
{
	struct fsa_lock_waiter *w = f->lock_waiters;
	f->lock_waiters = NULL;
	for (struct fsa_lock_waiter *x = w; x; x = x->next) {
		x->linked = false;
		x->prev = NULL; /* next now links the wake list */
	}
	return w;
}

static void wake_lock_waiters(struct fsa_lock_waiter *w)
{
	while (w) {
		struct fsa_lock_waiter *next = w->next;
		w->wake(w->arg); /* may free w */
		w = next;
	}
}

/* O(1): the list is doubly linked, so that cancelling one of many waiting
 * requests does not walk the others. */
static void unlink_waiter(struct fsa_file *f, struct fsa_lock_waiter *w)
{
	if (!w->linked)
		return;
	if (w->prev)
		w->prev->next = w->next;
	else
		f->lock_waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
	w->next = w->prev = NULL;
	w->linked = false;
}

NTSTATUS fsa_lock(struct fsa_open *o, const struct fsa_lock_elem *e, size_t n, struct fsa_lock_waiter *w)
{
	if (o->is_dir || !o->file)
		return STATUS_INVALID_PARAMETER;
	for (size_t i = 0; i < n; i++)
		if (e[i].len != 0 && e[i].off + e[i].len - 1 < e[i].off)
			return STATUS_INVALID_LOCK_RANGE;
	struct fsa_file *f = o->file;
	struct fsa_lock *added[FSA_MAX_LOCK_ELEMS];
	if (n > FSA_MAX_LOCK_ELEMS)
		return STATUS_INVALID_PARAMETER;
	NTSTATUS st = STATUS_SUCCESS;
	size_t done = 0;
	pthread_mutex_lock(&o->table->lock);
	if (w && w->linked)
		unlink_waiter(f, w); /* a retry after a wake-up */
	for (; done < n; done++) {
		if (file_conflicts(f, o, e[done].off, e[done].len, e[done].excl, true)) {
			st = STATUS_LOCK_NOT_GRANTED;
			break;
		}
		struct fsa_lock *l = malloc(sizeof(*l));
		if (!l) {
			st = STATUS_NO_MEMORY;
			break;
		}
		*l = (struct fsa_lock){ .next = f->locks, .owner = o, .off = e[done].off, .len = e[done].len,
					.excl = e[done].excl };
		f->locks = l;
		added[done] = l;
	}
	if (!NT_OK(st)) {
		/* all or nothing: drop what this request took */
		for (size_t i = 0; i < done; i++)
			for (struct fsa_lock **p = &f->locks; *p; p = &(*p)->next)
				if (*p == added[i]) {
					*p = added[i]->next;
					free(added[i]);
					break;
				}
		if (NT_EQ(st, STATUS_LOCK_NOT_GRANTED) && w) {
			w->open = o;
			w->prev = NULL;
			w->next = f->lock_waiters;
			if (f->lock_waiters)
				f->lock_waiters->prev = w;
			f->lock_waiters = w;
			w->linked = true;
			st = STATUS_PENDING;
		}
	}
	pthread_mutex_unlock(&o->table->lock);
	return st;
}

NTSTATUS fsa_unlock(struct fsa_open *o, const struct fsa_lock_elem *e, size_t n)
{
	if (o->is_dir || !o->file)
		return STATUS_INVALID_PARAMETER;
	struct fsa_file *f = o->file;
	NTSTATUS st = STATUS_SUCCESS;
	pthread_mutex_lock(&o->table->lock);
	bool released = false;
	for (size_t i = 0; i < n && NT_OK(st); i++) {
		/* of stacked matching locks, an exclusive one goes first, then
		 * the most recent */
		struct fsa_lock **p = NULL;
		for (struct fsa_lock **q = &f->locks; *q; q = &(*q)->next)
			if ((*q)->owner == o && (*q)->off == e[i].off && (*q)->len == e[i].len &&
			    (!p || ((*q)->excl && !(*p)->excl)))
				p = q;
		if (!p) {
			st = STATUS_RANGE_NOT_LOCKED;
			break;
		}
		struct fsa_lock *l = *p;
		*p = l->next;
		free(l);
		released = true;
	}
	struct fsa_lock_waiter *wake = released ? take_lock_waiters(f) : NULL;
	pthread_mutex_unlock(&o->table->lock);
	wake_lock_waiters(wake);
	return st;
}

bool fsa_lock_cancel(struct fsa_open *o, struct fsa_lock_waiter *w)
{
	if (!o->file)
		return false;
	pthread_mutex_lock(&o->table->lock);
	bool was = w->linked;
	if (was)
		unlink_waiter(o->file, w);
	pthread_mutex_unlock(&o->table->lock);
	return was;
}

static void lock_cleanup(struct fsa_open *o, bool keep_locks)
{
	if (!o->file)
		return;
	struct fsa_file *f = o->file;
	pthread_mutex_lock(&o->table->lock);
	bool released = false;
	for (struct fsa_lock **p = &f->locks; *p;) {
		if ((*p)->owner == o && !keep_locks) {
			struct fsa_lock *l = *p;
			*p = l->next;
			free(l);
			released = true;
		} else {
			p = &(*p)->next;
		}
	}
	/* this handle's own pending requests end; others retry if anything
	 * was released */
	struct fsa_lock_waiter *wake = NULL;
	for (struct fsa_lock_waiter *x = f->lock_waiters, *next; x; x = next) {
		next = x->next;
		if (x->open == o || released) {
			unlink_waiter(f, x);
			x->closed = x->open == o;
			x->next = wake;
			wake = x;
		}
	}
	pthread_mutex_unlock(&o->table->lock);
	wake_lock_waiters(wake);
}

void fsa_lock_cleanup(struct fsa_open *o)
{
	lock_cleanup(o, false);
}

void fsa_lock_disconnect(struct fsa_open *o)
{
	lock_cleanup(o, true);
}
