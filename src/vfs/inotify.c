/* inotify for changes made on the server's own file system (by programs
 * other than smb3d): watches on directories given as fds, and a reader that
 * turns the kernel's event records into vfs_change values. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "vfs/vfs_int.h"

#define WATCH_MASK                                                                                                \
	(IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | IN_MODIFY | IN_ATTRIB | IN_ONLYDIR | IN_EXCL_UNLINK)

int vfs_inotify_init(void)
{
	int fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	return fd >= 0 ? fd : -errno;
}

int vfs_inotify_watch(int ifd, int dirfd)
{
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	int wd = inotify_add_watch(ifd, path, WATCH_MASK);
	return wd >= 0 ? wd : -errno;
}

void vfs_inotify_unwatch(int ifd, int wd)
{
	(void)inotify_rm_watch(ifd, wd);
}

int vfs_inotify_read(int ifd, int timeout_ms, void (*cb)(void *ctx, const struct vfs_change *c), void *ctx)
{
	struct pollfd p = { .fd = ifd, .events = POLLIN };
	int rc = poll(&p, 1, timeout_ms);
	if (rc <= 0)
		return rc < 0 && errno != EINTR ? -errno : 0;
	_Alignas(struct inotify_event) char buf[16384];
	ssize_t n = read(ifd, buf, sizeof(buf));
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	int count = 0;
	for (ssize_t off = 0; off + (ssize_t)sizeof(struct inotify_event) <= n;) {
		const struct inotify_event *ev = (const struct inotify_event *)(buf + off);
		off += (ssize_t)sizeof(*ev) + ev->len;
		if (off > n)
			break;
		struct vfs_change c = { .wd = ev->wd, .cookie = ev->cookie, .is_dir = (ev->mask & IN_ISDIR) != 0 };
		if (ev->mask & IN_Q_OVERFLOW) {
			c.kind = VFS_CHANGE_OVERFLOW;
		} else if (!ev->len || !ev->name[0]) {
			continue; /* the directory itself */
		} else if (ev->mask & IN_CREATE) {
			c.kind = VFS_CHANGE_ADDED;
		} else if (ev->mask & IN_DELETE) {
			c.kind = VFS_CHANGE_REMOVED;
		} else if (ev->mask & IN_MOVED_FROM) {
			c.kind = VFS_CHANGE_MOVED_FROM;
		} else if (ev->mask & IN_MOVED_TO) {
			c.kind = VFS_CHANGE_MOVED_TO;
		} else if (ev->mask & IN_MODIFY) {
			c.kind = VFS_CHANGE_MODIFIED;
		} else if (ev->mask & IN_ATTRIB) {
			c.kind = VFS_CHANGE_ATTRIB;
		} else {
			continue;
		}
		c.name = ev->len ? ev->name : "";
		cb(ctx, &c);
		count++;
	}
	return count;
}

struct tree_walk {
	int ifd;
	size_t max, count;
	void (*cb)(void *ctx, int wd, const char *rel);
	void *ctx;
	char rel[4096];
};

/* Watches the directory dirfd (named w->rel, relative to the walk's
 * start) and everything below it; consumes dirfd. */
static void walk_dir(struct tree_walk *w, int dirfd, size_t rel_len, int depth)
{
	if (w->count >= w->max || depth > 64) {
		close(dirfd);
		return;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", dirfd);
	int wd = inotify_add_watch(w->ifd, path, WATCH_MASK);
	if (wd < 0) {
		close(dirfd);
		return;
	}
	w->count++;
	w->cb(w->ctx, wd, w->rel);
	DIR *d = fdopendir(dirfd);
	if (!d) {
		close(dirfd);
		return;
	}
	struct dirent *de;
	while ((de = readdir(d)) != NULL && w->count < w->max) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			continue;
		size_t n = strlen(de->d_name);
		if (rel_len + 1 + n + 1 > sizeof(w->rel))
			continue;
		/* no symlinks are followed: the walk stays inside the tree */
		int sub = openat(dirfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (sub < 0)
			continue;
		size_t len = rel_len;
		if (len)
			w->rel[len++] = '/';
		memcpy(w->rel + len, de->d_name, n + 1);
		walk_dir(w, sub, len + n, depth + 1);
		w->rel[rel_len] = 0;
	}
	closedir(d);
}

int vfs_inotify_watch_tree(int ifd, int dirfd, const char *rel, size_t max,
			   void (*cb)(void *ctx, int wd, const char *rel), void *ctx)
{
	struct tree_walk w = { .ifd = ifd, .max = max, .cb = cb, .ctx = ctx };
	size_t n = strlen(rel);
	if (n >= sizeof(w.rel))
		return -ENAMETOOLONG;
	memcpy(w.rel, rel, n + 1);
	int fd = vfs_openat2(dirfd, n ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC, 0);
	if (fd < 0)
		return fd;
	walk_dir(&w, fd, n, 0);
	return (int)w.count;
}
