/* Timestamps as Windows clients see them: the delayed LastWriteTime update
 * (the first write shows up about two seconds later, later writes not until
 * close) and frozen write times (-1 in FileBasicInformation). [MS-FSA]
 * 2.1.4.17, 2.1.5.14.2.
 * State lives in struct fsa_file for as long as the file is open. */
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "base/nttime.h"
#include "fsa/fsa.h"
#include "fsa/fsa_int.h"
#include "vfs/vfs.h"

#define WT_DELAY (2ULL * 10000000ULL) /* 2 s in 100 ns units */

/* Table lock held: settles a pending update whose delay has passed. */
static void wt_settle_locked(struct fsa_file *f, uint64_t now)
{
	if (f->wt_state == FSA_WT_PENDING && now >= f->wt_due) {
		f->wt_state = FSA_WT_UPDATED;
		f->wt_shown = f->wt_due;
		f->wt_dirty = false;
	}
}

void fsa_times_apply_locked(struct fsa_file *f, const struct vfs_stat *st, struct fsa_info *info)
{
	wt_settle_locked(f, nttime_now());
	if (f->wt_state != FSA_WT_NONE && f->wt_shown)
		info->last_write_time = f->wt_shown;
	/* a reservation made through this server (not shown by st_blocks alone) */
	if (!info->directory && st && f->alloc_hint > info->allocation_size) {
		uint64_t have = st->alloc;
		info->allocation_size = f->alloc_hint < have ? f->alloc_hint : have;
		uint64_t data = (info->end_of_file + 4095) & ~(uint64_t)4095;
		if (info->allocation_size < data)
			info->allocation_size = data < have ? data : have;
	}
}

void fsa_table_adjust_info(struct fsa_table *t, const struct vfs_stat *st, struct fsa_info *info)
{
	pthread_mutex_lock(&t->lock);
	struct fsa_file *f = fsa_file_find_locked(t, st->dev, st->ino);
	if (f)
		fsa_times_apply_locked(f, st, info);
	pthread_mutex_unlock(&t->lock);
}

void fsa_times_before_write(struct fsa_open *o)
{
	struct fsa_file *f = o->file;
	if (o->user_set_mtime)
		return; /* [MS-FSA] 2.1.5.3: this handle's writes keep the time set through it */
	pthread_mutex_lock(&o->table->lock);
	o->wrote = true;
	uint64_t now = nttime_now();
	wt_settle_locked(f, now);
	bool need_old = f->wt_state == FSA_WT_NONE;
	if (f->wt_state == FSA_WT_UPDATED)
		f->wt_dirty = true;
	pthread_mutex_unlock(&o->table->lock);
	if (!need_old)
		return;
	/* The first write of a cycle: keep showing the time from before it. */
	struct vfs_stat st;
	if (!NT_OK(vfs_fstat(o->fd, &st)))
		return;
	pthread_mutex_lock(&o->table->lock);
	if (f->wt_state == FSA_WT_NONE) {
		f->wt_state = FSA_WT_PENDING;
		f->wt_shown = nttime_from_timespec(st.mtime);
		f->wt_due = now + WT_DELAY;
	}
	pthread_mutex_unlock(&o->table->lock);
}

void fsa_times_after_write(struct fsa_open *o)
{
	if (!o->user_set_mtime || o->fd < 0 || o->stream)
		return;
	struct timespec mt = nttime_to_timespec(o->user_mtime);
	(void)vfs_set_times(o->fd, NULL, &mt);
}

void fsa_times_flush_pending(struct fsa_open *o)
{
	struct fsa_file *f = o->file;
	pthread_mutex_lock(&o->table->lock);
	uint64_t now = nttime_now();
	wt_settle_locked(f, now);
	if (f->wt_state == FSA_WT_PENDING) {
		f->wt_state = FSA_WT_UPDATED;
		f->wt_shown = now;
		f->wt_dirty = false;
	}
	pthread_mutex_unlock(&o->table->lock);
}

void fsa_times_explicit_write_time(struct fsa_open *o, uint64_t mtime)
{
	struct fsa_file *f = o->file;
	pthread_mutex_lock(&o->table->lock);
	if (mtime == UINT64_MAX) {
		/* -1: the write time stops changing for now */
		wt_settle_locked(f, nttime_now());
		if (f->wt_state == FSA_WT_NONE)
			f->wt_shown = 0; /* filled from the file below */
		f->wt_state = FSA_WT_FROZEN;
	} else if (mtime == UINT64_MAX - 1) {
		if (f->wt_state == FSA_WT_FROZEN)
			f->wt_state = FSA_WT_NONE;
	} else if (mtime) {
		f->wt_state = FSA_WT_NONE; /* the file now holds the time set */
		/* [MS-FSA] 2.1.5.14.2: Open.UserSetModificationTime */
		o->user_set_mtime = true;
		o->user_mtime = mtime;
	}
	pthread_mutex_unlock(&o->table->lock);
	if (mtime == UINT64_MAX) {
		struct vfs_stat st;
		if (NT_OK(vfs_fstat(o->fd, &st))) {
			pthread_mutex_lock(&o->table->lock);
			if (f->wt_state == FSA_WT_FROZEN && !f->wt_shown)
				f->wt_shown = nttime_from_timespec(st.mtime);
			pthread_mutex_unlock(&o->table->lock);
		}
	}
}

void fsa_times_close(struct fsa_open *o)
{
	if (o->times_closed || o->fd < 0 || !o->file)
		return;
	struct fsa_file *f = o->file;
	o->times_closed = true;
	pthread_mutex_lock(&o->table->lock);
	uint64_t now = nttime_now();
	wt_settle_locked(f, now);
	bool last = f->n_opens <= 1;
	bool set = false, set_now = false;
	uint64_t value = 0;
	if (f->wt_state == FSA_WT_PENDING && (o->wrote || last)) {
		set = set_now = true;
	} else if (f->wt_state == FSA_WT_UPDATED && (o->wrote || last)) {
		set = true;
		set_now = f->wt_dirty;
		value = f->wt_shown;
	} else if (f->wt_state == FSA_WT_FROZEN && last) {
		set = f->wt_shown != 0;
		value = f->wt_shown;
	}
	if (set && f->wt_state != FSA_WT_FROZEN)
		f->wt_state = FSA_WT_NONE;
	pthread_mutex_unlock(&o->table->lock);
	if (!set)
		return;
	/* Make the file hold what clients were shown, or the close time (the
	 * precise clock: the kernel's file-time clock may lag by a tick). Only
	 * the owner may set a given time; others get the kernel's "now". */
	struct timespec mt;
	if (set_now)
		clock_gettime(CLOCK_REALTIME, &mt);
	else
		mt = nttime_to_timespec(value);
	if (!NT_OK(vfs_set_times(o->fd, NULL, &mt)) && set_now) {
		mt = (struct timespec){ .tv_nsec = UTIME_NOW };
		(void)vfs_set_times(o->fd, NULL, &mt);
	}
}
