/* Metadata and data operations on an open ([MS-FSA] 2.1.5.11 query
 * information, 2.1.5.14 set information, 2.1.5.2/2.1.5.3 read/write):
 * NT attributes and times from POSIX metadata plus the DOS xattr, set basic
 * information with the 0 / -1 / -2 rules, end of file, allocation,
 * disposition, rename and hard links. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/log.h"
#include "base/nttime.h"
#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

/* A name in path's directory changed through o: that directory's leases
 * break, unless o's lease names the directory's lease as its parent. */
static void break_parent_leases(struct fsa_open *o, const char *path)
{
	uint8_t guid[16], parent_key[16];
	bool has_lease = false, has_parent = false;
	pthread_mutex_lock(&o->table->lock);
	if (o->lease) {
		has_lease = true;
		has_parent = o->lease->has_parent;
		memcpy(guid, o->lease->guid, 16);
		memcpy(parent_key, o->lease->parent, 16);
	}
	pthread_mutex_unlock(&o->table->lock);
	fsa_lease_break_parent(o->table, &o->root, path, has_lease ? guid : NULL, has_parent ? parent_key : NULL);
}

void fsa_notify_modified(struct fsa_open *o, uint32_t filter)
{
	char path[4096 + 1];
	fsa_open_path(o, path, sizeof(path));
	if (path[0])
		fsa_notify_event(o->table, &o->root, path, FSA_ACTION_MODIFIED, filter);
}

/* Metadata set through o changed the parent directory's entry (a write
 * does not: its time changes when the handle closes). */
static void entry_changed(struct fsa_open *o, uint32_t filter)
{
	char path[4096 + 1];
	fsa_open_path(o, path, sizeof(path));
	if (path[0]) {
		break_parent_leases(o, path);
		fsa_notify_event(o->table, &o->root, path, FSA_ACTION_MODIFIED, filter);
	}
}

void fsa_info_from_stat(const struct vfs_stat *st, const struct vfs_dosinfo *d, struct fsa_info *info)
{
	memset(info, 0, sizeof(*info));
	info->last_access_time = nttime_from_timespec(st->atime);
	info->last_write_time = nttime_from_timespec(st->mtime);
	/* ChangeTime is the inode change time; one a client set is shown
	 * while the file's data stays unchanged. */
	info->change_time = nttime_from_timespec(st->ctime);
	if (d && d->has_change_time && d->change_mark.tv_sec == st->mtime.tv_sec &&
	    d->change_mark.tv_nsec == st->mtime.tv_nsec)
		info->change_time = d->change_time;
	if (d && d->has_create_time)
		info->creation_time = d->create_time;
	else if (st->has_btime)
		info->creation_time = nttime_from_timespec(st->btime);
	else
		info->creation_time = info->last_write_time < info->change_time ? info->last_write_time
										 : info->change_time;
	info->directory = S_ISDIR(st->mode);
	info->end_of_file = info->directory ? 0 : st->size;
	info->allocation_size = info->directory ? 0 : st->alloc;
	/* st_blocks also counts an xattr block (DOS attributes, EAs, ACLs):
	 * show no more than the data needs; a reservation a client made is
	 * added back while the file is open (fsa_times_apply_locked). */
	uint64_t data = (st->size + 4095) & ~(uint64_t)4095;
	if (info->allocation_size > data)
		info->allocation_size = data;
	info->nlink = st->nlink;
	info->file_id = st->ino;
	info->volume_id = st->dev;
	uint32_t attrs;
	if (d && d->has_attrs) {
		attrs = d->attrs & (FSA_SETTABLE_ATTRS | FILE_ATTRIBUTE_SPARSE_FILE);
	} else {
		attrs = info->directory ? 0 : FILE_ATTRIBUTE_ARCHIVE;
	}
	if (info->directory)
		attrs |= FILE_ATTRIBUTE_DIRECTORY;
	else
		attrs &= ~FILE_ATTRIBUTE_DIRECTORY;
	if (!attrs)
		attrs = FILE_ATTRIBUTE_NORMAL;
	info->attributes = attrs;
}

/* What the file table knows better than the file system; unlocks. */
static void info_finish_locked(struct fsa_open *o, const struct vfs_stat *st, struct fsa_info *info)
{
	info->delete_pending = o->file->delete_pending || (o->stream && o->stream->delete_pending);
	if (info->delete_pending && info->nlink)
		info->nlink--; /* the name goes away at the last close */
	fsa_times_apply_locked(o->file, st, info);
	const char *base = o->file->path ? strrchr(o->file->path, '/') : NULL;
	base = base ? base + 1 : o->file->path;
	if (base && base[0] && fsa_name_hidden(o, base))
		info->attributes = (info->attributes & ~FILE_ATTRIBUTE_NORMAL) | FILE_ATTRIBUTE_HIDDEN;
	pthread_mutex_unlock(&o->table->lock);
}

/* Metadata cache of an open (o->qcache). What it holds was read after a
 * statx that showed ctime C, and it is used only while a new statx shows the
 * same C. Every change of an xattr (DOS attributes, EAs) sets the ctime to
 * the kernel's coarse clock, which lags the real time by at most a tick; so
 * if C is older than the moment of the reading by more than that
 * (QCACHE_MARGIN_NS), any later change shows a different ctime. A file
 * changed in the last QCACHE_MARGIN_NS is not cached. */
#define QCACHE_MARGIN_NS 50000000LL /* 50 ms: a tick is 1-10 ms */

static bool ctime_old_enough(const struct timespec *ctime, const struct timespec *now)
{
	long long age = (long long)(now->tv_sec - ctime->tv_sec) * 1000000000LL + (now->tv_nsec - ctime->tv_nsec);
	return age > QCACHE_MARGIN_NS;
}

/* d was read after st, which was read before read_at. */
static void cache_fill_locked(struct fsa_open *o, const struct vfs_stat *st, const struct vfs_dosinfo *d,
			      const struct timespec *read_at)
{
	if (o->stream || !o->root.local || st->dev != (uint64_t)o->root.dev || !ctime_old_enough(&st->ctime, read_at))
		return;
	if (!o->qcache.valid || o->qcache.ctime.tv_sec != st->ctime.tv_sec ||
	    o->qcache.ctime.tv_nsec != st->ctime.tv_nsec)
		o->qcache.no_eas = false; /* not known for this ctime */
	o->qcache.valid = true;
	o->qcache.ctime = st->ctime;
	o->qcache.dos = *d;
}

NTSTATUS fsa_query_info(struct fsa_open *o, struct fsa_info *info)
{
	struct vfs_stat st;
	NTSTATUS s = vfs_fstat(o->fd, &st);
	if (!NT_OK(s))
		return s;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	struct vfs_dosinfo d = { 0 };
	(void)vfs_get_dosinfo(o->fd, &d);
	fsa_info_from_stat(&st, &d, info);
	if (o->stream) {
		/* a stream shows its file's times and attributes, its own size */
		uint64_t size = 0;
		s = fsa_stream_size(o, &size);
		if (!NT_OK(s))
			return s;
		info->end_of_file = size;
		info->allocation_size = fsa_stream_alloc(size);
		info->directory = false;
	}
	pthread_mutex_lock(&o->table->lock);
	cache_fill_locked(o, &st, &d, &now);
	info_finish_locked(o, &st, info);
	return STATUS_SUCCESS;
}

void fsa_info_of_open(struct fsa_open *o, const struct vfs_stat *st, const struct vfs_dosinfo *d,
		      const struct timespec *read_at, bool no_eas, struct fsa_info *info)
{
	fsa_info_from_stat(st, d, info);
	pthread_mutex_lock(&o->table->lock);
	cache_fill_locked(o, st, d, read_at);
	if (no_eas && o->qcache.valid && o->qcache.ctime.tv_sec == st->ctime.tv_sec &&
	    o->qcache.ctime.tv_nsec == st->ctime.tv_nsec)
		o->qcache.no_eas = true;
	info_finish_locked(o, st, info);
}

void fsa_query_cache_eas(struct fsa_open *o)
{
	pthread_mutex_lock(&o->table->lock);
	bool valid = o->qcache.valid && !o->qcache.no_eas;
	struct timespec ctime = o->qcache.ctime;
	pthread_mutex_unlock(&o->table->lock);
	if (!valid || !vfs_ea_none(o->fd))
		return;
	pthread_mutex_lock(&o->table->lock);
	/* read after the statx that showed ctime (see above) */
	if (o->qcache.valid && o->qcache.ctime.tv_sec == ctime.tv_sec && o->qcache.ctime.tv_nsec == ctime.tv_nsec)
		o->qcache.no_eas = true;
	pthread_mutex_unlock(&o->table->lock);
}

bool fsa_query_info_cached(struct fsa_open *o, struct fsa_info *info, bool need_eas)
{
	if (o->pipe || o->stream || !o->file || !o->root.local)
		return false;
	pthread_mutex_lock(&o->table->lock);
	bool valid = o->qcache.valid && (!need_eas || o->qcache.no_eas);
	struct timespec ctime = o->qcache.ctime;
	struct vfs_dosinfo d = o->qcache.dos;
	pthread_mutex_unlock(&o->table->lock);
	if (!valid)
		return false;
	struct vfs_stat st;
	if (!NT_OK(vfs_fstat(o->fd, &st)) || st.dev != (uint64_t)o->root.dev || st.ctime.tv_sec != ctime.tv_sec ||
	    st.ctime.tv_nsec != ctime.tv_nsec)
		return false;
	fsa_info_from_stat(&st, &d, info);
	pthread_mutex_lock(&o->table->lock);
	info_finish_locked(o, &st, info);
	return true;
}

NTSTATUS fsa_set_basic(struct fsa_open *o, uint64_t ctime, uint64_t atime, uint64_t mtime, uint64_t chtime,
		       uint32_t attrs)
{
	NTSTATUS s = STATUS_SUCCESS;
	/* 0 = leave unchanged; -1 (all ones) = stop updating automatically;
	 * -2 = resume. Linux updates times itself, so -1/-2 mean "unchanged"
	 * here except that -1 pins the write time seen by clients. */
	/* on a stream's handle these are its file's */
	bool is_dir = o->file ? o->file->is_dir : o->is_dir;
	if ((attrs & FILE_ATTRIBUTE_DIRECTORY) && !is_dir)
		return STATUS_INVALID_PARAMETER;
	if ((attrs & FILE_ATTRIBUTE_TEMPORARY) && is_dir)
		return STATUS_INVALID_PARAMETER; /* [MS-FSA] 2.1.5.14.2 */
	struct timespec at, mt, *pat = NULL, *pmt = NULL;
	if (atime && atime != UINT64_MAX && atime != UINT64_MAX - 1) {
		at = nttime_to_timespec(atime);
		pat = &at;
	}
	if (mtime && mtime != UINT64_MAX && mtime != UINT64_MAX - 1) {
		mt = nttime_to_timespec(mtime);
		pmt = &mt;
	}
	if (pat || pmt) {
		s = vfs_set_times(o->fd, pat, pmt);
		if (!NT_OK(s))
			return s;
	}
	/* Windows settles a pending write-time update on any basic-info set,
	 * even one with all fields 0. */
	fsa_times_flush_pending(o);
	fsa_times_explicit_write_time(o, mtime);
	bool set_ch = chtime && chtime != UINT64_MAX && chtime != UINT64_MAX - 1;
	if (attrs || set_ch || (ctime && ctime != UINT64_MAX && ctime != UINT64_MAX - 1)) {
		struct vfs_dosinfo d = { 0 };
		(void)vfs_get_dosinfo(o->fd, &d);
		struct vfs_stat st;
		if (set_ch) {
			/* kept with the mtime it belongs to: a later data change
			 * makes the kernel's ctime show again */
			s = vfs_fstat(o->fd, &st);
			if (!NT_OK(s))
				return s;
			d.change_time = chtime;
			d.change_mark = st.mtime;
			d.has_change_time = true;
		}
		if (attrs) {
			/* the sparse flag is not a client's to set here (FSCTL_SET_SPARSE) */
			uint32_t keep = d.has_attrs ? d.attrs & FILE_ATTRIBUTE_SPARSE_FILE : 0;
			d.attrs = (attrs & FSA_SETTABLE_ATTRS) | (is_dir ? FILE_ATTRIBUTE_DIRECTORY : 0);
			if (attrs == FILE_ATTRIBUTE_NORMAL)
				d.attrs = is_dir ? FILE_ATTRIBUTE_DIRECTORY : 0;
			d.attrs |= keep;
			d.has_attrs = true;
		}
		if (ctime && ctime != UINT64_MAX && ctime != UINT64_MAX - 1) {
			d.create_time = ctime;
			d.has_create_time = true;
		}
		if (!d.has_create_time) {
			if (NT_OK(vfs_fstat(o->fd, &st))) {
				struct fsa_info info;
				fsa_info_from_stat(&st, NULL, &info);
				d.create_time = info.creation_time;
				d.has_create_time = true;
			}
		}
		s = vfs_set_dosinfo(o->fd, &d);
	}
	if (NT_OK(s))
		entry_changed(o, (attrs ? FSA_NOTIFY_ATTRIBUTES : 0) | (pmt || pat ? FSA_NOTIFY_LAST_WRITE : 0) |
				       (ctime ? FSA_NOTIFY_CREATION : 0));
	return s;
}

NTSTATUS fsa_set_eof(struct fsa_open *o, uint64_t eof)
{
	if (o->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (eof > (uint64_t)INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	fsa_times_flush_pending(o);
	NTSTATUS s = o->stream ? fsa_stream_set_size(o, eof) : vfs_ftruncate(o->fd, eof);
	fsa_times_after_write(o);
	if (NT_OK(s))
		entry_changed(o, FSA_NOTIFY_SIZE | FSA_NOTIFY_LAST_WRITE);
	return s;
}

NTSTATUS fsa_set_allocation(struct fsa_open *o, uint64_t size)
{
	if (o->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (o->stream) {
		/* nothing to reserve in an xattr; shrinking below EOF truncates */
		uint64_t cur = 0;
		NTSTATUS s = fsa_stream_size(o, &cur);
		return NT_OK(s) && size < cur ? fsa_stream_set_size(o, size) : s;
	}
	struct vfs_stat st;
	NTSTATUS s = vfs_fstat(o->fd, &st);
	if (!NT_OK(s))
		return s;
	/* [MS-FSA] 2.1.5.14.1: shrinking the allocation below EOF truncates */
	if (size < st.size) {
		pthread_mutex_lock(&o->table->lock);
		o->file->alloc_hint = 0;
		pthread_mutex_unlock(&o->table->lock);
		return vfs_ftruncate(o->fd, size);
	}
	pthread_mutex_lock(&o->table->lock);
	o->file->alloc_hint = size;
	pthread_mutex_unlock(&o->table->lock);
	if (size < st.alloc)
		return vfs_release_beyond(o->fd, size > st.size ? size : st.size);
	return vfs_fallocate(o->fd, size);
}

NTSTATUS fsa_set_disposition(struct fsa_open *o, bool delete_it)
{
	if (delete_it && !o->is_dir) {
		struct vfs_dosinfo d = { 0 };
		(void)vfs_get_dosinfo(o->fd, &d);
		if (d.has_attrs && (d.attrs & FILE_ATTRIBUTE_READONLY))
			return STATUS_CANNOT_DELETE;
	}
	if (delete_it && o->is_dir) {
		bool empty = false;
		NTSTATUS s = vfs_dir_is_empty(o->fd, &empty);
		if (!NT_OK(s))
			return s;
		if (!empty)
			return STATUS_DIRECTORY_NOT_EMPTY;
	}
	struct fsa_notify_waiter *wake = NULL;
	pthread_mutex_lock(&o->table->lock);
	if (o->stream)
		o->stream->delete_pending = delete_it; /* the stream, not its file */
	else
		o->file->delete_pending = delete_it;
	if (!delete_it)
		o->delete_on_close = false;
	else if (o->is_dir)
		fsa_notify_delete_pending_locked(o->file, &wake);
	pthread_mutex_unlock(&o->table->lock);
	fsa_notify_wake_all(wake);
	return STATUS_SUCCESS;
}


NTSTATUS fsa_rename(struct fsa_open *o, const char *new_path, bool replace, bool case_insensitive)
{
	char target[4096 + 1];
	NTSTATUS s = fsa_path_vetoed(o->veto_files, new_path, o->case_insensitive);
	if (!NT_OK(s))
		return s;
	if (case_insensitive) {
		s = vfs_resolve_case(&o->root, new_path, target, sizeof(target));
		if (!NT_OK(s))
			return s;
	} else {
		snprintf(target, sizeof(target), "%s", new_path);
	}
	pthread_mutex_lock(&o->table->lock);
	char *from = o->file->path ? strdup(o->file->path) : NULL;
	/* Windows refuses to rename a file while its streams are open
	 * (smbtorture smb2.streams.basefile-rename-with-open-stream); a
	 * stream's handle renamed to a file name is a sharing violation
	 * there (smb2.streams.rename2) */
	NTSTATUS busy = o->stream ? STATUS_SHARING_VIOLATION
		      : fsa_file_has_stream_opens_locked(o->file) ? STATUS_ACCESS_DENIED : STATUS_SUCCESS;
	pthread_mutex_unlock(&o->table->lock);
	if (!from)
		return STATUS_NO_MEMORY;
	if (!NT_OK(busy)) {
		free(from);
		return busy;
	}
	if (!from[0]) {
		free(from);
		return STATUS_ACCESS_DENIED; /* the share root */
	}
	if (strcmp(from, target) == 0) {
		free(from);
		return STATUS_SUCCESS;
	}
	struct vfs_stat tst;
	s = vfs_stat_path(&o->root, target, false, &tst);
	if (NT_OK(s)) {
		struct vfs_stat sst;
		bool same = NT_OK(vfs_fstat(o->fd, &sst)) && sst.dev == tst.dev && sst.ino == tst.ino;
		if (!same) {
			if (!replace) {
				free(from);
				return STATUS_OBJECT_NAME_COLLISION;
			}
			if (S_ISDIR(tst.mode)) {
				free(from);
				return STATUS_ACCESS_DENIED;
			}
			/* the target must not be open ([MS-FSA] 2.1.5.14.11) */
			if (fsa_file_is_open(o->table, tst.dev, tst.ino)) {
				free(from);
				return STATUS_ACCESS_DENIED;
			}
		}
	} else if (!NT_EQ(s, STATUS_OBJECT_NAME_NOT_FOUND)) {
		free(from);
		return s;
	}
	char tparent[4096 + 1];
	const char *slash = strrchr(target, '/');
	size_t plen = slash ? (size_t)(slash - target) : 0;
	memcpy(tparent, target, plen);
	tparent[plen] = 0;
	struct vfs_stat pst;
	if (NT_OK(vfs_stat_path(&o->root, tparent, true, &pst)) && fsa_dir_blocks_add(o->table, pst.dev, pst.ino)) {
		free(from);
		return STATUS_SHARING_VIOLATION;
	}
	if (o->is_dir && fsa_open_below(o->table, from)) {
		free(from);
		return STATUS_ACCESS_DENIED; /* Windows refuses to move a directory with open files below it */
	}
	fsa_notify_touch(o->table, &o->root, from); /* see create_inner */
	fsa_notify_touch(o->table, &o->root, target);
	s = vfs_rename(&o->root, from, target, replace);
	if (NT_OK(s)) {
		/* as Windows reports it: a rename within one directory is an
		 * old/new name pair, a move is a removal and an addition, and a
		 * file (not a directory) also shows as modified under its new
		 * name for attribute and creation watchers */
		uint32_t kind = o->is_dir ? FSA_NOTIFY_DIR_NAME : FSA_NOTIFY_FILE_NAME;
		break_parent_leases(o, from);
		const char *fs = strrchr(from, '/'), *ts = strrchr(target, '/');
		size_t fl = fs ? (size_t)(fs - from) : 0, tl = ts ? (size_t)(ts - target) : 0;
		bool same_dir = fl == tl && memcmp(from, target, fl) == 0;
		if (!same_dir)
			break_parent_leases(o, target);
		fsa_notify_event(o->table, &o->root, from,
				 same_dir ? FSA_ACTION_RENAMED_OLD_NAME : FSA_ACTION_REMOVED, kind);
		fsa_notify_event(o->table, &o->root, target,
				 same_dir ? FSA_ACTION_RENAMED_NEW_NAME : FSA_ACTION_ADDED, kind);
		if (!o->is_dir)
			fsa_notify_event(o->table, &o->root, target, FSA_ACTION_MODIFIED,
					 FSA_NOTIFY_ATTRIBUTES | FSA_NOTIFY_CREATION);
		pthread_mutex_lock(&o->table->lock);
		char *np = strdup(target);
		if (np) {
			free(o->file->path);
			o->file->path = np;
		}
		pthread_mutex_unlock(&o->table->lock);
	}
	free(from);
	return s;
}

NTSTATUS fsa_link(struct fsa_open *o, const char *new_path, bool replace)
{
	if (o->is_dir)
		return STATUS_FILE_IS_A_DIRECTORY;
	NTSTATUS vs = fsa_path_vetoed(o->veto_files, new_path, o->case_insensitive);
	if (!NT_OK(vs))
		return vs;
	if (o->stream)
		return STATUS_INVALID_PARAMETER; /* streams have no links of their own */
	pthread_mutex_lock(&o->table->lock);
	char *from = o->file->path ? strdup(o->file->path) : NULL;
	pthread_mutex_unlock(&o->table->lock);
	if (!from)
		return STATUS_NO_MEMORY;
	fsa_notify_touch(o->table, &o->root, new_path);
	NTSTATUS s = vfs_link(&o->root, from, new_path, replace);
	free(from);
	if (NT_OK(s))
		fsa_notify_event(o->table, &o->root, new_path, FSA_ACTION_ADDED, FSA_NOTIFY_FILE_NAME);
	return s;
}

NTSTATUS fsa_read(struct fsa_open *o, void *buf, size_t n, uint64_t off, size_t *done)
{
	if (o->stream)
		return fsa_stream_read(o, buf, n, off, done);
	return vfs_pread(o->fd, buf, n, off, done);
}

NTSTATUS fsa_read_cached(struct fsa_open *o, void *buf, size_t n, uint64_t off, size_t *done, bool *eof)
{
	if (o->stream) {
		*done = 0; /* streams live in xattrs: read them off the loop */
		*eof = false;
		return STATUS_SUCCESS;
	}
	return vfs_pread_cached(o->fd, buf, n, off, done, eof);
}

NTSTATUS fsa_read_to_pipe(struct fsa_open *o, int pipe_w, size_t n, uint64_t off, size_t *done)
{
	return vfs_splice_to_pipe(o->fd, off, n, pipe_w, done);
}

NTSTATUS fsa_write(struct fsa_open *o, const void *buf, size_t n, uint64_t off, size_t *done, bool write_through)
{
	NTSTATUS s;
	if (o->stream) {
		fsa_times_before_write(o);
		s = fsa_stream_write(o, buf, n, off, done);
		if (NT_OK(s))
			fsa_notify_modified(o, FSA_NOTIFY_SIZE | FSA_NOTIFY_LAST_WRITE);
		return s;
	}
	if (off == UINT64_MAX) { /* append-only handle writing at end of file */
		struct vfs_stat st;
		s = vfs_fstat(o->fd, &st);
		if (!NT_OK(s))
			return s;
		off = st.size;
	}
	fsa_times_before_write(o);
	s = vfs_pwrite(o->fd, buf, n, off, done);
	fsa_times_after_write(o);
	if (NT_OK(s) && write_through)
		s = vfs_fsync(o->fd, true);
	if (NT_OK(s))
		fsa_notify_modified(o, FSA_NOTIFY_SIZE | FSA_NOTIFY_LAST_WRITE);
	return s;
}

NTSTATUS fsa_flush(struct fsa_open *o)
{
	fsa_times_flush_pending(o);
	if (o->stream)
		return STATUS_SUCCESS; /* xattrs are written through */
	return vfs_fsync(o->fd, false);
}
