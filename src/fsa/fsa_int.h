/* fsa/ internals shared by its files; not for other layers. */
#ifndef SMB3D_FSA_FSA_INT_H
#define SMB3D_FSA_FSA_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/idtable.h"
#include "base/ntstatus.h"

#define FSA_RECENT 256
struct fsa_recent {
	uint64_t hash;	  /* of (share root, path) */
	uint64_t when_ms;
};

struct fsa_table {
	pthread_mutex_t lock; /* guards every struct fsa_file and its open list */
	struct idtable files; /* hash(dev, ino) -> chain of struct fsa_file_node */
	struct fsa_open *watching; /* directory opens with a change-notify watch */
	/* changes by other programs: an inotify fd (-1 not yet, -2 none) read
	 * by one thread, and the paths smb3d changed lately (not reported twice) */
	int ifd;
	pthread_t ithread;
	bool ithread_running;
	atomic_bool istop;
	struct fsa_recent recent[FSA_RECENT];
	unsigned recent_next;
	/* serialises the read-modify-write of stream data (held across xattr
	 * calls on offload threads; never taken with the table lock held) */
	pthread_mutex_t stream_io;
};
/* notify.c: stops the inotify thread (table teardown). */
void fsa_notify_table_stop(struct fsa_table *t);

struct fsa_open;
/* notify.c, table lock held: completes pending notifies of a closing open
 * (collected into *wake for calling after unlock). */
void fsa_notify_close_locked(struct fsa_open *o, struct fsa_notify_waiter **wake);
void fsa_notify_wake_all(struct fsa_notify_waiter *w);
struct fsa_file;
void fsa_notify_delete_pending_locked(struct fsa_file *f, struct fsa_notify_waiter **wake);

/* file.c: the file (dev, ino) if it is open, table lock held. */
struct fsa_file *fsa_file_find_locked(struct fsa_table *t, uint64_t dev, uint64_t ino);
struct vfs_stat;
struct fsa_info;
/* times.c, table lock held: shown write/change times of f into info. */
void fsa_times_apply_locked(struct fsa_file *f, const struct vfs_stat *st, struct fsa_info *info);

/* stream.c: per-stream state (table lock held) and stream data. */
struct fsa_stream_state *fsa_stream_state_get_locked(struct fsa_file *f, const char *name);
void fsa_stream_state_drop_locked(struct fsa_file *f, struct fsa_stream_state *s); /* frees it when unopened */
void fsa_stream_states_free_locked(struct fsa_file *f);
bool fsa_file_has_stream_opens_locked(const struct fsa_file *f);
NTSTATUS fsa_stream_read(struct fsa_open *o, void *buf, size_t n, uint64_t off, size_t *done);
NTSTATUS fsa_stream_write(struct fsa_open *o, const void *buf, size_t n, uint64_t off, size_t *done);
NTSTATUS fsa_stream_set_size(struct fsa_open *o, uint64_t size);
NTSTATUS fsa_stream_size(struct fsa_open *o, uint64_t *size);
/* (offload) after overwriting a file: its named streams go (open ones stay) */
void fsa_streams_remove_unopened(struct fsa_open *o);

/* info.c: reports a change of o's file to the watches above it. */
void fsa_notify_modified(struct fsa_open *o, uint32_t filter);

/* fsa_lock_cleanup without releasing the locks (a durable handle's
 * connection is gone; the handle may be reclaimed). */
void fsa_lock_disconnect(struct fsa_open *o);

#endif
