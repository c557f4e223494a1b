/* Share-root handles: independent duplicates (vfs_root_dup) and the shared,
 * reference-counted roots of a vfs_root_cache, so that every tree connect and
 * open of the same share directory uses one descriptor instead of one each
 * (a server holding 10,000 sessions would otherwise spend 10,000 descriptors
 * on copies of the same directory). */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vfs/vfs_int.h"

/* One open share directory. refs counts the struct vfs_root handles on it; it
 * only drops to zero under the cache lock, so a lookup never revives an entry
 * that is being closed. */
struct vfs_root_shared {
	struct vfs_root_shared *next;
	struct vfs_root_cache *cache;
	atomic_int refs;
	int fd;
	dev_t dev;
	ino_t ino;
	bool local;
	struct vfs_ci_cache ci;
	char path[];
};

struct vfs_root_cache {
	pthread_mutex_t lock;
	struct vfs_root_shared *list;
	bool dying; /* freed by its owner; the last root closed frees it */
};

struct vfs_root_cache *vfs_root_cache_new(void)
{
	struct vfs_root_cache *c = calloc(1, sizeof(*c));
	if (c)
		pthread_mutex_init(&c->lock, NULL);
	return c;
}

static void cache_destroy(struct vfs_root_cache *c)
{
	pthread_mutex_destroy(&c->lock);
	free(c);
}

void vfs_root_cache_free(struct vfs_root_cache *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&c->lock);
	bool empty = !c->list;
	c->dying = true;
	pthread_mutex_unlock(&c->lock);
	if (empty)
		cache_destroy(c);
}

static struct vfs_root_shared *cache_find(struct vfs_root_cache *c, const char *path, dev_t dev, ino_t ino)
{
	for (struct vfs_root_shared *e = c->list; e; e = e->next)
		if (e->dev == dev && e->ino == ino && strcmp(e->path, path) == 0)
			return e;
	return NULL;
}

static void set_handle(struct vfs_root *r, struct vfs_root_shared *e)
{
	r->fd = e->fd;
	r->dev = e->dev;
	r->ino = e->ino;
	r->local = e->local;
	r->shared = e;
}

NTSTATUS vfs_root_get(struct vfs_root_cache *c, const char *abs_path, struct vfs_root *r)
{
	struct stat st;
	r->fd = -1;
	r->shared = NULL;
	if (!abs_path || abs_path[0] != '/')
		return STATUS_INVALID_PARAMETER;
	/* The directory the path names now: a share directory replaced on disk
	 * gets a new entry, exactly as a fresh open would. */
	if (stat(abs_path, &st) < 0)
		return vfs_errno_to_status(errno);
	pthread_mutex_lock(&c->lock);
	struct vfs_root_shared *e = cache_find(c, abs_path, st.st_dev, st.st_ino);
	if (e) {
		atomic_fetch_add(&e->refs, 1);
		set_handle(r, e);
		pthread_mutex_unlock(&c->lock);
		return STATUS_SUCCESS;
	}
	pthread_mutex_unlock(&c->lock);

	struct vfs_root fresh;
	NTSTATUS s = vfs_root_open(abs_path, &fresh);
	if (!NT_OK(s))
		return s;
	size_t n = strlen(abs_path) + 1;
	struct vfs_root_shared *ne = malloc(sizeof(*ne) + n);
	if (!ne) {
		vfs_root_close(&fresh);
		return STATUS_INSUFFICIENT_RESOURCES;
	}
	memcpy(ne->path, abs_path, n);
	if (!vfs_ci_cache_init(&ne->ci))
		ne->ci.dirs = NULL; /* no index: lookups scan */
	ne->cache = c;
	ne->fd = fresh.fd;
	ne->dev = fresh.dev;
	ne->ino = fresh.ino;
	ne->local = fresh.local;
	atomic_init(&ne->refs, 1);
	pthread_mutex_lock(&c->lock);
	/* Another thread may have opened the same directory meanwhile. */
	e = cache_find(c, abs_path, fresh.dev, fresh.ino);
	if (e) {
		atomic_fetch_add(&e->refs, 1);
		set_handle(r, e);
		pthread_mutex_unlock(&c->lock);
		vfs_root_close(&fresh);
		vfs_ci_cache_clear(&ne->ci);
		free(ne);
		return STATUS_SUCCESS;
	}
	ne->next = c->list;
	c->list = ne;
	set_handle(r, ne);
	pthread_mutex_unlock(&c->lock);
	return STATUS_SUCCESS;
}

struct vfs_ci_cache *vfs_root_ci(const struct vfs_root *r)
{
	return &r->shared->ci;
}

/* Drops one reference of a shared root; the last one closes it. */
static void shared_put(struct vfs_root_shared *e)
{
	int v = atomic_load(&e->refs);
	while (v > 1)
		if (atomic_compare_exchange_weak(&e->refs, &v, v - 1))
			return;
	struct vfs_root_cache *c = e->cache;
	pthread_mutex_lock(&c->lock);
	if (atomic_fetch_sub(&e->refs, 1) != 1) {
		pthread_mutex_unlock(&c->lock);
		return;
	}
	for (struct vfs_root_shared **pp = &c->list; *pp; pp = &(*pp)->next)
		if (*pp == e) {
			*pp = e->next;
			break;
		}
	bool destroy = c->dying && !c->list;
	pthread_mutex_unlock(&c->lock);
	close(e->fd);
	vfs_ci_cache_clear(&e->ci);
	free(e);
	if (destroy)
		cache_destroy(c);
}

void vfs_root_close(struct vfs_root *r)
{
	if (r->shared)
		shared_put(r->shared);
	else if (r->fd >= 0)
		close(r->fd);
	r->fd = -1;
	r->shared = NULL;
}

NTSTATUS vfs_root_dup(const struct vfs_root *r, struct vfs_root *out)
{
	if (r->shared) {
		atomic_fetch_add(&r->shared->refs, 1);
		*out = *r;
		return STATUS_SUCCESS;
	}
	int fd = fcntl(r->fd, F_DUPFD_CLOEXEC, 3);
	if (fd < 0) {
		out->fd = -1;
		out->shared = NULL;
		return vfs_errno_to_status(errno);
	}
	*out = *r;
	out->fd = fd;
	return STATUS_SUCCESS;
}
