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
	struct fsa_lease *leases; /* every lease, for lookups by key */
	struct fsa_lease_client *lease_clients; /* per ClientGuid with leases */
	atomic_int n_dir_leases;  /* leases on directories (parents to break) */
	/* delivers breaks fsa/ starts on its own (directory leases broken
	 * by changes of their entries); any thread, no fsa locks held */
	void (*break_sink)(void *ctx, const struct fsa_break *b, int n);
	void *break_sink_ctx;
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
/* fsa_query_info from a stat and DOS attributes the caller read (st before
 * read_at, d after it) from o's descriptor; not for a stream's open.
 * no_eas: the caller saw (after st) that the file has no EAs. */
void fsa_info_of_open(struct fsa_open *o, const struct vfs_stat *st, const struct vfs_dosinfo *d,
		      const struct timespec *read_at, bool no_eas, struct fsa_info *info);

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

/* lease.c, table lock held. The clients (ClientGuid) holding leases, as
 * [MS-SMB2] 3.3.1.11 lease tables: their breaks go to the connection that
 * made the client's first lease, while it lasts. */
struct fsa_lease_client {
	struct fsa_lease_client *next;
	uint8_t guid[16];
	void *loop;
	uint64_t conn_id, session_id;
	int n_leases;
};
/* One lease: the opens of one client (GUID) with one key on one file. */
struct fsa_lease {
	struct fsa_lease *next;	/* in the table */
	struct fsa_lease *next_in_file;
	struct fsa_file *file;
	/* the named stream its opens are of, NULL for the file itself: each
	 * stream is leased on its own, as it has its own oplocks (compared,
	 * never followed: the lease's opens keep the stream state alive) */
	const struct fsa_stream_state *stream;
	uint8_t guid[16], key[16], parent[16];
	bool v2, has_parent, is_dir;
	uint32_t state;	      /* FSA_LEASE_* held (until a break is acknowledged) */
	bool breaking;	      /* a break waits for its acknowledgement */
	uint32_t breaking_to; /* what that break asked for */
	uint32_t required;    /* what later opens need (sent after the ack) */
	uint16_t epoch;	      /* v2 */
	int n_opens;
	struct fsa_lease_client *client;
};
struct fsa_lease_req;
struct fsa_create_result;
struct fsa_break;
struct fsa_lease *fsa_lease_find_locked(struct fsa_table *t, const uint8_t guid[16], const uint8_t key[16]);
/* Breaks the leases (other than req's) a new open of f requires: mask is
 * the caching the open conflicts with (W, or H on a sharing violation);
 * true if the open must wait. */
bool fsa_lease_breaks_for_open_locked(struct fsa_file *f, const struct fsa_stream_state *stream,
				      const struct fsa_lease_req *req, uint32_t mask, bool overwrite, bool retry,
				      struct fsa_create_result *r);
/* Leases other than the writer's stop caching on a write, lock or size
 * change (no waiting). */
int fsa_lease_breaks_for_write_locked(struct fsa_file *f, const struct fsa_stream_state *stream,
				      const struct fsa_lease *writer, struct fsa_break *out, int cap);
/* Handle caching of other leases breaks before a rename or delete; true
 * if the caller must wait. Breaks are appended to out[*n]. */
bool fsa_lease_breaks_handle_locked(struct fsa_file *f, const struct fsa_lease *renamer, struct fsa_break *out,
					int cap, int *n);
NTSTATUS fsa_lease_grant_locked(struct fsa_table *t, struct fsa_file *f, struct fsa_open *o,
				const struct fsa_lease_req *req, struct fsa_create_result *r);
/* An open leaves its lease; true if a lease that was breaking went away. */
bool fsa_lease_release_locked(struct fsa_table *t, struct fsa_open *o);
bool fsa_lease_breaking_locked(const struct fsa_file *f);
void fsa_lease_timeout_locked(struct fsa_file *f);
/* An acknowledgement: the follow-up break (if the lease must go lower)
 * in *next, and the lease's file. */
NTSTATUS fsa_lease_ack_locked(struct fsa_table *t, const uint8_t guid[16], const uint8_t key[16], uint32_t state,
			      struct fsa_break *next, int *n_next, struct fsa_file **file);

#endif
