/* Change notification (see fsa.h): per-open watches with a bounded queue
 * of changes, matched against changes made through smb3d by directory path
 * (WATCH_TREE covers the whole subtree). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/log.h"
#include "base/nttime.h"

#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

struct fsa_watch {
	uint32_t filter;
	bool tree;
	uint32_t max_bytes; /* the client's output buffer: more is an overflow */
	struct fsa_change *head, *tail;
	size_t bytes; /* as FILE_NOTIFY_INFORMATION would take */
	bool overflow;
	/* requests waiting, oldest first; doubly linked so that arming and
	 * cancelling one is O(1) however many wait (a client may queue
	 * hundreds on one handle) */
	struct fsa_notify_waiter *waiters, *waiters_tail;
	int wd; /* inotify watch of the directory (local changes), -1 if none */
	/* WATCH_TREE: watches of the directories below, and directories still
	 * to be walked (the local-changes thread walks them, off the lock) */
	struct local_sub *subs, *to_scan;
	size_t n_subs;
	bool capped; /* reached LOCAL_TREE_MAX: logged once */
};

/* A directory below a WATCH_TREE directory, by path relative to it. */
struct local_sub {
	struct local_sub *next;
	int wd;
	char rel[];
};

#define LOCAL_TREE_MAX 8192 /* inotify watches per WATCH_TREE handle */

static struct local_sub *sub_new(int wd, const char *rel)
{
	size_t n = strlen(rel);
	struct local_sub *s = malloc(sizeof(*s) + n + 1);
	if (s) {
		s->next = NULL;
		s->wd = wd;
		memcpy(s->rel, rel, n + 1);
	}
	return s;
}

static void subs_free(struct local_sub *s)
{
	while (s) {
		struct local_sub *n = s->next;
		free(s);
		s = n;
	}
}

static void local_watch_start(struct fsa_table *t, struct fsa_open *o, struct fsa_watch *wt);
static void local_watch_stop(struct fsa_table *t, struct fsa_watch *wt);
static bool wd_shared(struct fsa_table *t, const struct fsa_watch *wt, int wd);

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
static void waiter_unlink(struct fsa_watch *wt, struct fsa_notify_waiter *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		wt->waiters = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		wt->waiters_tail = w->prev;
	w->next = w->prev = NULL;
	w->linked = false;
}

/* The oldest waiter, unlinked, or NULL. */
static struct fsa_notify_waiter *waiter_pop(struct fsa_watch *wt)
{
	struct fsa_notify_waiter *w = wt->waiters;
	if (w)
		waiter_unlink(wt, w);
	return w;
}

static struct fsa_notify_waiter *deliver(struct fsa_watch *wt)
{
	if (!wt->waiters || (!wt->head && !wt->overflow))
		return NULL;
	struct fsa_notify_waiter *w = waiter_pop(wt);
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
		/* the first request's buffer size, completion filter and
		 * WATCH_TREE stay until the handle is closed, as on Windows
		 * ([MS-FSA] 2.1.5.10; smb2.notify.mask-change) */
		wt->max_bytes = max_bytes;
		wt->filter = filter;
		wt->tree = tree;
		local_watch_start(t, o, wt);
	}
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
		w->prev = wt->waiters_tail;
		if (wt->waiters_tail)
			wt->waiters_tail->next = w;
		else
			wt->waiters = w;
		wt->waiters_tail = w;
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
		/* linked means linked into this open's watch (only its own
		 * requests wait on it) */
		waiter_unlink(o->watch, w);
		was = true;
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
	local_watch_stop(t, wt);
	if (o->prev_watch)
		o->prev_watch->next_watch = o->next_watch;
	else
		t->watching = o->next_watch;
	if (o->next_watch)
		o->next_watch->prev_watch = o->prev_watch;
	struct fsa_notify_waiter *w;
	while ((w = waiter_pop(wt)) != NULL) {
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

/* Table lock held: queues one change for watch wt and hands the queue to a
 * waiting request (collected into *wake). */
static void watch_add(struct fsa_watch *wt, const char *rel, uint32_t action, struct fsa_notify_waiter **wake)
{
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
		w->next = *wake;
		*wake = w;
	}
}

static uint64_t path_hash(const struct vfs_root *root, const char *path)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)root->dev ^ ((uint64_t)root->ino << 17);
	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 1099511628211ULL;
	return h ? h : 1;
}

/* Table lock held: remembers that smb3d itself changed path, so the
 * inotify event the change also causes is not reported twice. */
static void recent_touch(struct fsa_table *t, uint64_t h)
{
	uint64_t now = nttime_now() / 10000; /* ms */
	for (unsigned i = 0; i < FSA_RECENT; i++)
		if (t->recent[i].hash == h) {
			t->recent[i].when_ms = now;
			return;
		}
	t->recent[t->recent_next] = (struct fsa_recent){ .hash = h, .when_ms = now };
	t->recent_next = (t->recent_next + 1) % FSA_RECENT;
}

static bool recently_touched(const struct fsa_table *t, uint64_t h)
{
	uint64_t now = nttime_now() / 10000;
	for (unsigned i = 0; i < FSA_RECENT; i++)
		if (t->recent[i].hash == h && now - t->recent[i].when_ms < 2000)
			return true;
	return false;
}

void fsa_notify_touch(struct fsa_table *t, const struct vfs_root *root, const char *path)
{
	pthread_mutex_lock(&t->lock);
	if (t->ifd >= 0)
		recent_touch(t, path_hash(root, path));
	pthread_mutex_unlock(&t->lock);
}

void fsa_notify_event(struct fsa_table *t, const struct vfs_root *root, const char *path, uint32_t action,
		      uint32_t filter)
{
	struct fsa_notify_waiter *wake = NULL;
	pthread_mutex_lock(&t->lock);
	if (t->ifd >= 0)
		recent_touch(t, path_hash(root, path));
	for (struct fsa_open *o = t->watching; o; o = o->next_watch) {
		struct fsa_watch *wt = o->watch;
		if (!(wt->filter & filter) || !o->file->path || o->root.dev != root->dev || o->root.ino != root->ino)
			continue; /* another share, or not asked for */
		const char *rel = relative_to(o->file->path, path, wt->tree);
		if (rel)
			watch_add(wt, rel, action, &wake);
	}
	pthread_mutex_unlock(&t->lock);
	fsa_notify_wake_all(wake);
}

/* --- changes by other programs (inotify) --- */

struct local_event {
	int wd;
	enum vfs_change_kind kind;
	bool is_dir;
	uint32_t cookie;
	char name[256];
};
struct local_batch {
	struct local_event ev[512];
	size_t n;
};

static void collect(void *ctx, const struct vfs_change *c)
{
	struct local_batch *b = ctx;
	if (b->n == sizeof(b->ev) / sizeof(b->ev[0])) {
		b->ev[b->n - 1].kind = VFS_CHANGE_OVERFLOW; /* too many at once */
		return;
	}
	struct local_event *e = &b->ev[b->n++];
	*e = (struct local_event){ .wd = c->wd, .kind = c->kind, .is_dir = c->is_dir, .cookie = c->cookie };
	snprintf(e->name, sizeof(e->name), "%s", c->name ? c->name : "");
}

static bool has_partner(const struct local_batch *b, const struct local_event *e, enum vfs_change_kind kind)
{
	for (size_t i = 0; i < b->n; i++)
		if (b->ev[i].kind == kind && b->ev[i].cookie == e->cookie && e->cookie)
			return true;
	return false;
}

/* Table lock held: a directory below a WATCH_TREE handle came or went. */
static void tree_changed(struct fsa_table *t, struct fsa_watch *wt, const char *rel, enum vfs_change_kind kind)
{
	if (kind == VFS_CHANGE_ADDED || kind == VFS_CHANGE_MOVED_TO) {
		struct local_sub *s = sub_new(-1, rel);
		if (s) {
			s->next = wt->to_scan;
			wt->to_scan = s;
		}
	} else if (kind == VFS_CHANGE_REMOVED || kind == VFS_CHANGE_MOVED_FROM) {
		size_t n = strlen(rel);
		for (struct local_sub **p = &wt->subs; *p;) {
			struct local_sub *s = *p;
			if (!strncmp(s->rel, rel, n) && (s->rel[n] == 0 || s->rel[n] == '/')) {
				*p = s->next;
				/* a deleted directory's watch is gone already; a
				 * moved one's goes here (re-added if it moved within) */
				if (kind == VFS_CHANGE_MOVED_FROM && !wd_shared(t, wt, s->wd))
					vfs_inotify_unwatch(t->ifd, s->wd);
				free(s);
				wt->n_subs--;
			} else {
				p = &s->next;
			}
		}
	}
}

/* Table lock held: what a watch on the directory of e is told. */
static void deliver_local(struct fsa_table *t, const struct local_batch *b, struct fsa_notify_waiter **wake)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct local_event *e = &b->ev[i];
		uint32_t action, filter;
		uint32_t name_filter = e->is_dir ? FSA_NOTIFY_DIR_NAME : FSA_NOTIFY_FILE_NAME;
		switch (e->kind) {
		case VFS_CHANGE_ADDED:
			action = FSA_ACTION_ADDED, filter = name_filter;
			break;
		case VFS_CHANGE_REMOVED:
			action = FSA_ACTION_REMOVED, filter = name_filter;
			break;
		case VFS_CHANGE_MOVED_FROM:
			action = has_partner(b, e, VFS_CHANGE_MOVED_TO) ? FSA_ACTION_RENAMED_OLD_NAME : FSA_ACTION_REMOVED;
			filter = name_filter;
			break;
		case VFS_CHANGE_MOVED_TO:
			action = has_partner(b, e, VFS_CHANGE_MOVED_FROM) ? FSA_ACTION_RENAMED_NEW_NAME : FSA_ACTION_ADDED;
			filter = name_filter;
			break;
		case VFS_CHANGE_MODIFIED:
			action = FSA_ACTION_MODIFIED, filter = FSA_NOTIFY_SIZE | FSA_NOTIFY_LAST_WRITE;
			break;
		case VFS_CHANGE_ATTRIB:
			action = FSA_ACTION_MODIFIED;
			filter = FSA_NOTIFY_ATTRIBUTES | FSA_NOTIFY_LAST_WRITE | FSA_NOTIFY_SECURITY | FSA_NOTIFY_EA_CHANGE;
			break;
		default: /* lost events: every local watch must re-read */
			for (struct fsa_open *o = t->watching; o; o = o->next_watch)
				if (o->watch->wd >= 0 && !o->watch->overflow) {
					o->watch->overflow = true;
					fsa_changes_free(o->watch->head);
					o->watch->head = o->watch->tail = NULL;
					o->watch->bytes = 0;
					struct fsa_notify_waiter *w = deliver(o->watch);
					if (w) {
						w->next = *wake;
						*wake = w;
					}
				}
			continue;
		}
		for (struct fsa_open *o = t->watching; o; o = o->next_watch) {
			struct fsa_watch *wt = o->watch;
			const char *prefix = wt->wd == e->wd ? "" : NULL;
			for (struct local_sub *sub = wt->subs; !prefix && wt->tree && sub; sub = sub->next)
				if (sub->wd == e->wd)
					prefix = sub->rel;
			if (!prefix || !o->file->path)
				continue;
			char rel[4096 + 257];
			snprintf(rel, sizeof(rel), "%s%s%s", prefix, prefix[0] ? "/" : "", e->name);
			if (wt->tree && e->is_dir)
				tree_changed(t, wt, rel, e->kind);
			if (!(wt->filter & filter))
				continue;
			char full[2 * 4096 + 258];
			snprintf(full, sizeof(full), "%s%s%s", o->file->path, o->file->path[0] ? "/" : "", rel);
			if (recently_touched(t, path_hash(&o->root, full)))
				continue; /* smb3d's own change, already reported */
			watch_add(wt, rel, action, wake);
		}
	}
}

static void collect_sub(void *ctx, int wd, const char *rel)
{
	struct local_sub **list = ctx;
	if (!rel[0])
		return; /* the directory itself: already watched */
	struct local_sub *s = sub_new(wd, rel);
	if (s) {
		s->next = *list;
		*list = s;
	}
}

/* Walks the directories WATCH_TREE handles still need watched, one at a
 * time, without the table lock (the handle is held by a reference). */
static void run_scans(struct fsa_table *t)
{
	for (;;) {
		pthread_mutex_lock(&t->lock);
		struct fsa_open *o = t->watching;
		while (o && !o->watch->to_scan)
			o = o->next_watch;
		if (!o) {
			pthread_mutex_unlock(&t->lock);
			return;
		}
		struct fsa_watch *wt = o->watch;
		struct local_sub *job = wt->to_scan;
		wt->to_scan = job->next;
		size_t room = wt->n_subs < LOCAL_TREE_MAX ? LOCAL_TREE_MAX - wt->n_subs : 0;
		fsa_open_get(o);
		pthread_mutex_unlock(&t->lock);
		struct local_sub *found = NULL;
		if (room)
			vfs_inotify_watch_tree(t->ifd, o->fd, job->rel, room + 1, collect_sub, &found);
		free(job);
		pthread_mutex_lock(&t->lock);
		if (o->watch == wt) {
			while (found) {
				struct local_sub *s = found;
				found = s->next;
				if (wt->n_subs >= LOCAL_TREE_MAX) {
					free(s);
					if (!wt->capped)
						log_warn("WATCH_TREE on %s: only the first %d directories below it report changes made "
							 "outside smb3d",
							 o->file->path[0] ? o->file->path : "the share root", LOCAL_TREE_MAX);
					wt->capped = true;
					continue;
				}
				s->next = wt->subs;
				wt->subs = s;
				wt->n_subs++;
			}
		}
		pthread_mutex_unlock(&t->lock);
		subs_free(found);
		fsa_open_put(o);
	}
}

static void *local_changes_thread(void *arg)
{
	struct fsa_table *t = arg;
	struct local_batch *b = malloc(sizeof(*b));
	if (!b)
		return NULL;
	while (!atomic_load(&t->istop)) {
		run_scans(t);
		b->n = 0;
		if (vfs_inotify_read(t->ifd, 100, collect, b) <= 0)
			continue;
		/* let smb3d's own reports of these changes land first, then
		 * take whatever else arrived meanwhile */
		struct timespec pause = { .tv_nsec = 100 * 1000 * 1000 };
		nanosleep(&pause, NULL);
		while (b->n < sizeof(b->ev) / sizeof(b->ev[0]) && vfs_inotify_read(t->ifd, 0, collect, b) > 0)
			;
		struct fsa_notify_waiter *wake = NULL;
		pthread_mutex_lock(&t->lock);
		deliver_local(t, b, &wake);
		pthread_mutex_unlock(&t->lock);
		fsa_notify_wake_all(wake);
	}
	free(b);
	return NULL;
}

/* Table lock held: watches o's directory for local changes. */
static void local_watch_start(struct fsa_table *t, struct fsa_open *o, struct fsa_watch *wt)
{
	wt->wd = -1;
	if (o->fd < 0 || t->ifd == -2)
		return;
	if (t->ifd < 0) {
		int fd = vfs_inotify_init();
		if (fd < 0) {
			t->ifd = -2; /* unavailable: changes through smb3d only */
			log_warn("inotify unavailable (%s): changes made outside smb3d are not reported to clients",
				 strerror(-fd));
			return;
		}
		t->ifd = fd;
		if (pthread_create(&t->ithread, NULL, local_changes_thread, t) != 0) {
			vfs_close(fd);
			t->ifd = -2;
			return;
		}
		t->ithread_running = true;
	}
	int wd = vfs_inotify_watch(t->ifd, o->fd);
	if (wd >= 0)
		wt->wd = wd;
	else
		log_info("inotify watch failed (%s); raise fs.inotify.max_user_watches", strerror(-wd));
	if (wd >= 0 && wt->tree)
		wt->to_scan = sub_new(-1, ""); /* the thread watches what is below */
}

/* Table lock held: is wd watched for any watch but wt? */
static bool wd_shared(struct fsa_table *t, const struct fsa_watch *wt, int wd)
{
	for (struct fsa_open *o = t->watching; o; o = o->next_watch) {
		if (o->watch == wt)
			continue;
		if (o->watch->wd == wd)
			return true;
		for (struct local_sub *s = o->watch->subs; s; s = s->next)
			if (s->wd == wd)
				return true;
	}
	return false;
}

/* Table lock held: drops the inotify watch when no other watch uses it. */
static void local_watch_stop(struct fsa_table *t, struct fsa_watch *wt)
{
	if (wt->wd >= 0 && t->ifd >= 0) {
		for (struct local_sub *s = wt->subs; s; s = s->next)
			if (!wd_shared(t, wt, s->wd))
				vfs_inotify_unwatch(t->ifd, s->wd);
		if (!wd_shared(t, wt, wt->wd))
			vfs_inotify_unwatch(t->ifd, wt->wd);
	}
	subs_free(wt->subs);
	subs_free(wt->to_scan);
	wt->subs = wt->to_scan = NULL;
	wt->n_subs = 0;
}

void fsa_notify_table_stop(struct fsa_table *t)
{
	if (!t->ithread_running)
		return;
	atomic_store(&t->istop, true);
	pthread_join(t->ithread, NULL);
	t->ithread_running = false;
	if (t->ifd >= 0)
		vfs_close(t->ifd);
	t->ifd = -1;
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
		struct fsa_notify_waiter *w;
		while ((w = waiter_pop(wt)) != NULL) {
			w->status = STATUS_DELETE_PENDING;
			w->changes = NULL;
			w->next = *wake;
			*wake = w;
		}
	}
}
