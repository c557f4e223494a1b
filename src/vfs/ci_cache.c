/* Case-insensitive name index of recently scanned directories, per share
 * root. A name that does not exist as spelled makes vfs_resolve_case look for
 * a case variant; without an index that is a scan of the whole directory per
 * lookup, and creating N files in one directory costs N scans (measured: most
 * of the server's time creating 3,000 files). The index of a directory is
 * used while the directory's mtime and ctime are what they were when it was
 * built, and for at most CI_MAX_AGE_MS after its full scan; names smb3d
 * itself creates are added to it (with the new times), names it removes or
 * renames drop it. A change another program makes between smb3d's lookup and
 * its own create in the same directory can therefore go unseen for up to
 * CI_MAX_AGE_MS (without the index the same race exists, for one lookup). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "vfs/vfs_int.h"

#define CI_MAX_AGE_MS 1000
#define CI_MAX_NAMES 200000 /* larger directories are scanned every time */

struct ci_dir {
	bool used;
	dev_t dev;
	ino_t ino;
	struct statx_timestamp mtime, ctime;
	uint64_t scanned_ms; /* CLOCK_MONOTONIC */
	uint64_t last_use;
	uint32_t n, cap;  /* names; hash slots (a power of two) */
	uint64_t *hash;	  /* folded-name hash per slot, 0 = empty */
	uint32_t *off;	  /* the on-disk name at names + off */
	char *names;
	size_t names_len, names_cap;
};

static uint64_t now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static uint64_t fold_hash(const char *name)
{
	const unsigned char *p = (const unsigned char *)name;
	uint64_t h = 1469598103934665603ULL;
	while (*p) {
		uint32_t c = vfs_upcase(vfs_utf8_next(&p));
		h = (h ^ c) * 1099511628211ULL;
	}
	return h ? h : 1;
}

static void dir_clear(struct ci_dir *d)
{
	free(d->hash);
	free(d->off);
	free(d->names);
	memset(d, 0, sizeof(*d));
}

static bool dir_grow(struct ci_dir *d)
{
	uint32_t ncap = d->cap ? d->cap * 2 : 64;
	uint64_t *nh = calloc(ncap, sizeof(*nh));
	uint32_t *no = calloc(ncap, sizeof(*no));
	if (!nh || !no) {
		free(nh);
		free(no);
		return false;
	}
	for (uint32_t i = 0; i < d->cap; i++) {
		if (!d->hash[i])
			continue;
		uint32_t j = (uint32_t)d->hash[i] & (ncap - 1);
		while (nh[j])
			j = (j + 1) & (ncap - 1);
		nh[j] = d->hash[i];
		no[j] = d->off[i];
	}
	free(d->hash);
	free(d->off);
	d->hash = nh;
	d->off = no;
	d->cap = ncap;
	return true;
}

/* The first name equal to name ignoring case, or NULL. */
static const char *dir_find(const struct ci_dir *d, const char *name, uint64_t h)
{
	if (!d->cap)
		return NULL;
	for (uint32_t j = (uint32_t)h & (d->cap - 1); d->hash[j]; j = (j + 1) & (d->cap - 1))
		if (d->hash[j] == h && vfs_name_equal_ci(d->names + d->off[j], name))
			return d->names + d->off[j];
	return NULL;
}

static bool dir_add(struct ci_dir *d, const char *name)
{
	uint64_t h = fold_hash(name);
	if (dir_find(d, name, h))
		return true; /* a variant is known already: lookups find that one first */
	if ((d->n + 1) * 4 > d->cap * 3 && !dir_grow(d))
		return false;
	size_t len = strlen(name) + 1;
	if (d->names_len + len > d->names_cap) {
		size_t ncap = d->names_cap ? d->names_cap * 2 : 4096;
		while (ncap < d->names_len + len)
			ncap *= 2;
		if (ncap > UINT32_MAX)
			return false;
		char *nn = realloc(d->names, ncap);
		if (!nn)
			return false;
		d->names = nn;
		d->names_cap = ncap;
	}
	memcpy(d->names + d->names_len, name, len);
	uint32_t j = (uint32_t)h & (d->cap - 1);
	while (d->hash[j])
		j = (j + 1) & (d->cap - 1);
	d->hash[j] = h;
	d->off[j] = (uint32_t)d->names_len;
	d->names_len += len;
	d->n++;
	return true;
}

static bool same_time(const struct statx_timestamp *a, const struct statx_timestamp *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static struct ci_dir *cache_find(struct vfs_ci_cache *c, dev_t dev, ino_t ino)
{
	for (int i = 0; i < VFS_CI_DIRS; i++)
		if (c->dirs[i].used && c->dirs[i].dev == dev && c->dirs[i].ino == ino)
			return &c->dirs[i];
	return NULL;
}

static bool dir_stat(int fd, struct statx *sx)
{
	return statx(fd, "", AT_EMPTY_PATH | AT_NO_AUTOMOUNT, STATX_INO | STATX_MTIME | STATX_CTIME, sx) == 0;
}

static dev_t sx_dev(const struct statx *sx)
{
	return makedev(sx->stx_dev_major, sx->stx_dev_minor);
}

/* Scans the directory fd, looking for name; fills d with every name when
 * d is given (d->used false if the directory is too large). */
static NTSTATUS scan(int fd, const char *name, char *found, bool *missing, struct ci_dir *d)
{
	struct vfs_dir *dir;
	struct vfs_dirent e;
	NTSTATUS s = vfs_dir_open(fd, &dir);
	if (!NT_OK(s))
		return s;
	*missing = true;
	while (NT_OK(s = vfs_dir_next(dir, &e))) {
		if (!strcmp(e.name, ".") || !strcmp(e.name, ".."))
			continue;
		if (*missing && vfs_name_equal_ci(e.name, name)) {
			snprintf(found, NAME_MAX + 1, "%s", e.name);
			*missing = false;
			if (!d)
				break;
		}
		if (d && d->used && (d->n >= CI_MAX_NAMES || !dir_add(d, e.name)))
			d->used = false; /* too large (or out of memory): not kept */
	}
	vfs_dir_close(dir);
	return NT_EQ(s, STATUS_NO_MORE_FILES) ? STATUS_SUCCESS : s;
}

NTSTATUS vfs_ci_find(const struct vfs_root *r, const char *disk, const char *name, char *found, bool *missing)
{
	/* Opened as the caller (a directory it may not list stays unlisted,
	 * index or not). */
	int fd = vfs_openat2(r->fd, disk[0] ? disk : ".", O_RDONLY | O_DIRECTORY, 0);
	if (fd < 0) {
		if (fd == -ENOENT || fd == -ENOTDIR) {
			*missing = true;
			return STATUS_SUCCESS;
		}
		return vfs_errno_to_status(-fd);
	}
	struct vfs_ci_cache *c = r->shared ? vfs_root_ci(r) : NULL;
	struct statx sx;
	NTSTATUS s;
	if (c && !c->dirs)
		c = NULL;
	if (!c || !dir_stat(fd, &sx)) {
		s = scan(fd, name, found, missing, NULL);
		close(fd);
		return s;
	}
	uint64_t now = now_ms();
	pthread_mutex_lock(&c->lock);
	struct ci_dir *d = cache_find(c, sx_dev(&sx), sx.stx_ino);
	if (d && same_time(&d->mtime, &sx.stx_mtime) && same_time(&d->ctime, &sx.stx_ctime) &&
	    now - d->scanned_ms < CI_MAX_AGE_MS) {
		const char *f = dir_find(d, name, fold_hash(name));
		*missing = !f;
		if (f)
			snprintf(found, NAME_MAX + 1, "%s", f);
		d->last_use = now;
		pthread_mutex_unlock(&c->lock);
		close(fd);
		return STATUS_SUCCESS;
	}
	pthread_mutex_unlock(&c->lock);

	/* Full scan, building a new index stamped with the times from before it
	 * (a change during the scan makes the next lookup scan again). */
	struct ci_dir nd = { .used = true, .dev = sx_dev(&sx), .ino = sx.stx_ino, .mtime = sx.stx_mtime,
			     .ctime = sx.stx_ctime, .scanned_ms = now, .last_use = now };
	s = scan(fd, name, found, missing, &nd);
	close(fd);
	if (!NT_OK(s) || !nd.used) {
		dir_clear(&nd);
		return s;
	}
	pthread_mutex_lock(&c->lock);
	d = cache_find(c, nd.dev, nd.ino);
	if (!d) {
		d = &c->dirs[0];
		for (int i = 0; i < VFS_CI_DIRS; i++) {
			if (!c->dirs[i].used) {
				d = &c->dirs[i];
				break;
			}
			if (c->dirs[i].last_use < d->last_use)
				d = &c->dirs[i];
		}
	}
	dir_clear(d);
	*d = nd;
	pthread_mutex_unlock(&c->lock);
	return STATUS_SUCCESS;
}

/* Whether r has any directory index (else changes need no bookkeeping). */
static struct vfs_ci_cache *active(const struct vfs_root *r)
{
	struct vfs_ci_cache *c = r->shared ? vfs_root_ci(r) : NULL;
	if (!c || !c->dirs)
		return NULL;
	pthread_mutex_lock(&c->lock);
	bool any = false;
	for (int i = 0; i < VFS_CI_DIRS; i++)
		any |= c->dirs[i].used;
	pthread_mutex_unlock(&c->lock);
	return any ? c : NULL;
}

void vfs_ci_note_path(const struct vfs_root *r, const char *path, bool added)
{
	int pfd;
	char name[NAME_MAX + 1];
	if (!active(r) || !path[0] || !NT_OK(vfs_open_parent(r, path, &pfd, name)))
		return;
	vfs_ci_note(r, pfd, name, added);
	close(pfd);
}

void vfs_ci_note(const struct vfs_root *r, int pfd, const char *name, bool added)
{
	struct vfs_ci_cache *c = active(r);
	struct statx sx;
	if (!c || !dir_stat(pfd, &sx))
		return;
	pthread_mutex_lock(&c->lock);
	struct ci_dir *d = cache_find(c, sx_dev(&sx), sx.stx_ino);
	if (d) {
		if (added && dir_add(d, name)) {
			d->mtime = sx.stx_mtime;
			d->ctime = sx.stx_ctime;
		} else {
			dir_clear(d); /* a name went away (or no memory): scan next time */
		}
	}
	pthread_mutex_unlock(&c->lock);
}

bool vfs_ci_cache_init(struct vfs_ci_cache *c)
{
	c->dirs = calloc(VFS_CI_DIRS, sizeof(*c->dirs));
	if (!c->dirs)
		return false;
	pthread_mutex_init(&c->lock, NULL);
	return true;
}

void vfs_ci_cache_clear(struct vfs_ci_cache *c)
{
	if (!c->dirs)
		return;
	for (int i = 0; i < VFS_CI_DIRS; i++)
		dir_clear(&c->dirs[i]);
	free(c->dirs);
	c->dirs = NULL;
	pthread_mutex_destroy(&c->lock);
}
