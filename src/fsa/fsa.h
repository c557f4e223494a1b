/* NT file semantics after [MS-FSA]: opens, the per-file state shared by all
 * opens of one file across connections (share access, delete pending),
 * create dispositions, delete-on-close and renames. No wire formats here;
 * file-system calls go through vfs/. Functions marked (offload) block and
 * run on offload threads; the rest are quick and run anywhere. */
#ifndef SMB3D_FSA_FSA_H
#define SMB3D_FSA_FSA_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "base/ntstatus.h"
#include "vfs/vfs.h"
#include "wire/fileinfo.h"
#include "wire/security.h"

/* Access mask bits ([MS-SMB2] 2.2.13.1) */
#define FILE_READ_DATA 0x00000001
#define FILE_LIST_DIRECTORY 0x00000001
#define FILE_WRITE_DATA 0x00000002
#define FILE_ADD_FILE 0x00000002
#define FILE_APPEND_DATA 0x00000004
#define FILE_ADD_SUBDIRECTORY 0x00000004
#define FILE_READ_EA 0x00000008
#define FILE_WRITE_EA 0x00000010
#define FILE_EXECUTE 0x00000020
#define FILE_TRAVERSE 0x00000020
#define FILE_DELETE_CHILD 0x00000040
#define FILE_READ_ATTRIBUTES 0x00000080
#define FILE_WRITE_ATTRIBUTES 0x00000100
#define DELETE 0x00010000
#define READ_CONTROL 0x00020000
#define WRITE_DAC 0x00040000
#define WRITE_OWNER 0x00080000
#define SYNCHRONIZE 0x00100000
#define ACCESS_SYSTEM_SECURITY 0x01000000
#define MAXIMUM_ALLOWED 0x02000000
#define GENERIC_ALL 0x10000000
#define GENERIC_EXECUTE 0x20000000
#define GENERIC_WRITE 0x40000000
#define GENERIC_READ 0x80000000
#define FILE_ALL_ACCESS 0x001F01FF
#define FILE_GENERIC_READ 0x00120089
#define FILE_GENERIC_WRITE 0x00120116
#define FILE_GENERIC_EXECUTE 0x001200A0

#define FILE_SHARE_READ 0x1
#define FILE_SHARE_WRITE 0x2
#define FILE_SHARE_DELETE 0x4

/* CreateDisposition */
#define FILE_SUPERSEDE 0
#define FILE_OPEN 1
#define FILE_CREATE 2
#define FILE_OPEN_IF 3
#define FILE_OVERWRITE 4
#define FILE_OVERWRITE_IF 5

/* CreateOptions */
#define FILE_DIRECTORY_FILE 0x00000001
#define FILE_WRITE_THROUGH 0x00000002
#define FILE_SEQUENTIAL_ONLY 0x00000004
#define FILE_NO_INTERMEDIATE_BUFFERING 0x00000008
#define FILE_SYNCHRONOUS_IO_ALERT 0x00000010
#define FILE_SYNCHRONOUS_IO_NONALERT 0x00000020
#define FILE_NON_DIRECTORY_FILE 0x00000040
#define FILE_COMPLETE_IF_OPLOCKED 0x00000100
#define FILE_NO_EA_KNOWLEDGE 0x00000200
#define FILE_RANDOM_ACCESS 0x00000800
#define FILE_DELETE_ON_CLOSE 0x00001000
#define FILE_OPEN_BY_FILE_ID 0x00002000
#define FILE_OPEN_FOR_BACKUP_INTENT 0x00004000
#define FILE_NO_COMPRESSION 0x00008000
#define FILE_RESERVE_OPFILTER 0x00100000
#define FILE_OPEN_REPARSE_POINT 0x00200000
#define FILE_OPEN_NO_RECALL 0x00400000
#define FILE_OPEN_FOR_FREE_SPACE_QUERY 0x00800000

/* CreateAction */
#define FILE_SUPERSEDED 0
#define FILE_OPENED 1
#define FILE_CREATED 2
#define FILE_OVERWRITTEN 3

/* File attributes ([MS-FSCC] 2.6) */
#define FILE_ATTRIBUTE_READONLY 0x00000001
#define FILE_ATTRIBUTE_HIDDEN 0x00000002
#define FILE_ATTRIBUTE_SYSTEM 0x00000004
#define FILE_ATTRIBUTE_DIRECTORY 0x00000010
#define FILE_ATTRIBUTE_ARCHIVE 0x00000020
#define FILE_ATTRIBUTE_NORMAL 0x00000080
#define FILE_ATTRIBUTE_TEMPORARY 0x00000100
#define FILE_ATTRIBUTE_SPARSE_FILE 0x00000200
#define FILE_ATTRIBUTE_REPARSE_POINT 0x00000400
#define FILE_ATTRIBUTE_COMPRESSED 0x00000800
#define FILE_ATTRIBUTE_OFFLINE 0x00001000
#define FILE_ATTRIBUTE_NOT_CONTENT_INDEXED 0x00002000
#define FILE_ATTRIBUTE_ENCRYPTED 0x00004000
#define FILE_ATTRIBUTE_INTEGRITY_STREAM 0x00008000
#define FILE_ATTRIBUTE_NO_SCRUB_DATA 0x00020000
/* attributes a client may set */
#define FSA_SETTABLE_ATTRS                                                                                        \
	(FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_ARCHIVE |       \
	 FILE_ATTRIBUTE_TEMPORARY | FILE_ATTRIBUTE_OFFLINE | FILE_ATTRIBUTE_NOT_CONTENT_INDEXED |                  \
	 FILE_ATTRIBUTE_NO_SCRUB_DATA)

/* All files with opens on this server, keyed by (dev, ino); one per server. */
struct fsa_table;
struct fsa_table *fsa_table_new(void);
void fsa_table_free(struct fsa_table *t);

/* Oplock levels (same values as SMB2's OplockLevel). */
#define FSA_OPLOCK_NONE 0x00
#define FSA_OPLOCK_II 0x01
#define FSA_OPLOCK_EXCLUSIVE 0x08
#define FSA_OPLOCK_BATCH 0x09

/* An oplock break to deliver to the client holding an open: the layers
 * above know how to reach (loop, conn_id). */
struct fsa_break {
	void *loop;
	uint64_t conn_id;
	uint64_t session_id;
	uint64_t fid_p, fid_v;
	uint8_t level;
	/* where a lease break goes when (loop, conn_id) is gone */
	void *alt_loop;
	uint64_t alt_conn, alt_session;
	/* a lease break instead of an oplock break */
	bool is_lease, lease_v2, lease_ack;
	uint8_t lease_key[16];
	uint32_t lease_from, lease_to;
	uint16_t lease_epoch;
};

/* Lease states ([MS-SMB2] 2.2.13.2.8) */
#define FSA_LEASE_R 0x01
#define FSA_LEASE_H 0x02
#define FSA_LEASE_W 0x04

/* What a CREATE asks for in its RqLs context. */
struct fsa_lease_req {
	uint8_t guid[16]; /* the client's GUID */
	uint8_t key[16];
	uint32_t state;
	bool v2, has_parent;
	uint8_t parent[16];
	uint16_t epoch;
};
struct fsa_lease; /* fsa/lease.c */

/* Lease state transitions (pure, fsa/lease.c). */
/* What a request for `requested` can mean: R, RH, RW, RHW (RH at most for
 * a directory), or nothing when Read is missing. */
uint32_t fsa_lease_normalize(uint32_t requested, bool is_dir);
/* What another open needs a lease holding cur broken to: mask is W for an
 * open, H for an open that would otherwise hit a sharing violation; an
 * overwrite breaks everything. */
uint32_t fsa_lease_open_target(uint32_t cur, uint32_t mask, bool overwrite);
/* An open with the lease's own key asking for want: it changes only to a
 * strict superset the others allow (*out, true). */
bool fsa_lease_upgrade(uint32_t held, uint32_t want, uint32_t allowed, uint32_t *out);
/* After an acknowledgement of `acked` while later opens need `required`:
 * the next break's target (one step: to R, then to none), or acked. */
uint32_t fsa_lease_ack_next(uint32_t acked, uint32_t required);
/* Does an open with this access leave leases alone (attributes, security
 * descriptor reads, SYNCHRONIZE)? */
bool fsa_lease_stat_open(uint32_t access);

#define FSA_MAX_BREAKS 8

/* A parked operation waiting for oplock breaks on a file to finish. wake()
 * is called once, from any thread, without fsa locks held. */
struct fsa_waiter {
	struct fsa_waiter *next;
	struct fsa_file *file; /* non-NULL while linked (under the table lock) */
	void (*wake)(void *arg);
	void *arg;
};

enum {
	FSA_WT_NONE = 0, /* the file's mtime is shown */
	FSA_WT_PENDING,	 /* written; the old time is shown until wt_due */
	FSA_WT_UPDATED,	 /* the delayed update happened at wt_shown */
	FSA_WT_FROZEN,	 /* a client set -1: wt_shown until -2 or the last close */
};

/* The state of one file (dev, ino) shared by all of its opens. */
struct fsa_file {
	uint64_t dev, ino;
	int n_opens;		 /* under the table lock */
	struct fsa_open *opens;	 /* list of opens, under the table lock */
	bool delete_pending;	 /* set by FileDispositionInformation or DELETE_ON_CLOSE at close */
	char *path;		 /* current relative path (updated on rename) */
	bool is_dir;
	/* LastWriteTime as clients see it (fsa/times.c), under the table lock */
	uint8_t wt_state;   /* FSA_WT_* */
	bool wt_dirty;	    /* written to since the delayed update */
	uint64_t wt_shown;  /* the write time shown while wt_state != NONE */
	uint64_t wt_due;    /* when a pending update happens (NT time) */
	uint64_t alloc_hint; /* allocation a client reserved (FileAllocationInformation/AlSi) */
	struct fsa_lock *locks;		     /* byte-range locks (fsa/lock.c) */
	struct fsa_lease *leases;	     /* leases on this file (fsa/lease.c) */
	struct fsa_lock_waiter *lock_waiters; /* blocking lock requests waiting */
	struct fsa_waiter *waiters; /* opens waiting for a break to finish */
	struct fsa_stream_state *streams; /* named streams with opens */
};

struct fsa_dir_state; /* directory enumeration (fsa/dir.c) */

/* One named stream of an open file, shared by the stream's opens (fsa/stream.c);
 * in its file's list, under the table lock. */
struct fsa_stream_state {
	struct fsa_stream_state *next;
	char name[VFS_STREAM_NAME_MAX + 1]; /* as stored (renames change it) */
	int n_opens;
	bool delete_pending; /* the stream goes at its last close */
};

/* Who asks, for access checks against stored security descriptors: SIDs
 * are Samba's Unix ones (S-1-22-1-uid, S-1-22-2-gid) plus Everyone,
 * NETWORK, Authenticated Users (not for guests) and ANONYMOUS LOGON. */
struct fsa_token {
	uint32_t uid, gid;
	const gid_t *groups;
	int n_groups;
	uint32_t owner_uid; /* the logged-on user (a share's `force user` changes uid, not this) */
	bool guest, anonymous;
};

/* One open handle. Reference counted: the connection's open table holds one
 * reference, requests in flight hold others. */
struct fsa_open {
	atomic_int refs;
	struct fsa_table *table;
	struct fsa_file *file;
	struct fsa_open *next_in_file, *prev_in_file; /* under the table lock */
	struct vfs_root root; /* the share root (a duplicate fd the open owns) */
	int fd; /* -1 for opens without data access (stat opens of special files) */
	uint32_t access;     /* granted access mask */
	uint32_t share;	     /* FILE_SHARE_* */
	uint32_t create_options;
	bool is_dir;
	bool delete_on_close;
	bool wrote;	     /* written through (for the write time at close) */
	bool hide_dot_files; /* the share's `hide dot files` */
	char *hide_files;    /* the share's `hide files` (owned), NULL if none */
	char *veto_files;    /* the share's `veto files` (owned), NULL if none */
	bool case_insensitive; /* the share's names (for veto files) */
	bool hide_unreadable; /* the share's `hide unreadable`: listings skip what the opener cannot read */
	/* who opened it: calls through the handle run as this identity (even
	 * after the session re-authenticates as someone else) */
	bool has_token;
	struct fsa_token token; /* groups point at token_groups */
	gid_t *token_groups;
	bool times_closed;   /* fsa_times_close ran */
	/* [MS-FSA] Open.UserSetModificationTime: a LastWriteTime set through
	 * this handle, which its own later writes leave in place */
	bool user_set_mtime;
	uint64_t user_mtime;
	uint64_t position;
	uint32_t mode; /* FileModeInformation */
	uint32_t ea_index; /* FileFullEaInformation scan position */
	uint64_t persistent_id, volatile_id;
	uint64_t session_id;
	uint32_t tree_id;
	/* conn/: counted in the server's open files (and in usage_key's, the
	 * user's, when not 0) while in a connection's or the durable table */
	bool usage_charged;
	uint64_t usage_key;
	struct fsa_dir_state *dir;
	pthread_mutex_t dir_lock; /* serialises QUERY_DIRECTORY on this open */
	/* oplock (under the table lock) */
	uint8_t oplock;	  /* FSA_OPLOCK_* held */
	bool breaking;	  /* a break was sent and not yet acknowledged */
	uint8_t break_to; /* the level the break asked for */
	struct fsa_watch *watch; /* CHANGE_NOTIFY state of a directory open (notify.c) */
	struct fsa_open *next_watch, *prev_watch; /* in the table's list of watching opens */
	struct fsa_lease *lease; /* the lease this open belongs to, or NULL */
	/* a named pipe on IPC$ (no file: fd -1, file NULL), freed with the open */
	void *pipe;
	void (*pipe_free)(void *pipe);
	/* who holds this open, for break notifications (set by conn/; owner_conn
	 * is 0 while a durable open waits for its client to reconnect) */
	void *owner_loop;
	uint64_t owner_conn;
	/* a named stream's open (NULL: the file itself, its default stream);
	 * fd is then the file's, and data goes through fsa/stream.c */
	struct fsa_stream_state *stream;
	/* durability ([MS-SMB2] 3.3.1.10; set and read by conn/ on the loop
	 * that owns the open, and by the durable table under its lock) */
	bool durable, resilient, durable_v2;
	uint32_t durable_timeout_ms;
	uint8_t create_guid[16]; /* DH2Q */
	uint8_t client_guid[16]; /* the opener's connection */
	/* LockSequenceArray (3.3.5.14): bit 7 valid, low 4 bits the number */
	uint8_t lock_seq[64];
	/* metadata read on an offload thread, valid while the file's ctime is
	 * unchanged (fsa_query_info_cached; under the table lock) */
	struct {
		bool valid;
		bool no_eas; /* the file has no EAs */
		struct timespec ctime;
		struct vfs_dosinfo dos;
	} qcache;
};

/* The stream part of a name ([MS-FSCC] 2.1.5: "file:stream:$DATA"). */
enum {
	FSA_STREAM_NONE = 0, /* no ':' */
	FSA_STREAM_DEFAULT,  /* "file::$DATA": the file's own data */
	FSA_STREAM_NAMED,    /* "file:name" or "file:name:$DATA" */
};
struct fsa_stream_name {
	int kind;
	char name[VFS_STREAM_NAME_MAX + 1]; /* FSA_STREAM_NAMED: UTF-8, no '/', '\\', ':' */
};
/* Cuts a share-relative path ('/'-separated UTF-8, after the client's
 * backslashes became '/') at its first ':' and parses what follows:
 * STATUS_OBJECT_NAME_INVALID for a separator after the colon, an empty
 * name without a type ("file:"), an empty type ("file:s:"), a type other
 * than $DATA, a third colon, or a name over 255 UTF-16 units (or
 * VFS_STREAM_NAME_MAX bytes). Any other character, controls and
 * wildcards included, is valid in a stream name, as on NTFS. */
NTSTATUS fsa_stream_split(char *path, struct fsa_stream_name *sn);

/* What CREATE asks for, decoded and validated by the command handler. */
struct fsa_create_args {
	struct fsa_table *table;
	const struct vfs_root *root;
	const char *path; /* relative, '/'-separated UTF-8, "" for the share root */
	bool case_insensitive;
	bool read_only_share;
	bool hide_dot_files;	/* share: names starting with '.' show FILE_ATTRIBUTE_HIDDEN */
	const char *hide_files; /* share: "/pat/pat/" names that show HIDDEN, or NULL */
	const char *veto_files; /* share: "/pat/pat/" names that do not exist for clients, or NULL */
	bool hide_unreadable;	/* share: directory listings skip entries the user cannot read */
	/* share: new files and directories get exactly these permission bits
	 * (`create mask` and the like); else what the process umask leaves */
	bool exact_modes;
	unsigned new_file_mode, new_dir_mode;
	bool want_maximal_access; /* fill fsa_create_result.maximal_access (MxAc) */
	uint32_t desired_access;
	uint32_t file_attributes;
	uint32_t share_access;
	uint32_t disposition;
	uint32_t create_options;
	uint32_t share_max_access; /* the tree connect's maximal access */
	const struct fsa_token *token;	/* the user, for stored descriptors */
	const struct wire_sd *sd_given; /* SecD create context, or NULL */
	const struct wire_ea *eas;	/* ExtA context (names checked), for new or overwritten files */
	size_t n_eas;
	uint64_t allocation_size;  /* from the AlSi context, 0 if none */
	uint64_t create_time_hint;
	uint8_t requested_oplock;  /* FSA_OPLOCK_* */
	const struct fsa_lease_req *lease; /* an RqLs context instead, or NULL */
	bool dir_leases;	   /* directories may be leased (SMB 3.x) */
	bool retry;		   /* a retry after waiting for breaks */
	struct fsa_waiter *waiter; /* used when the open must wait for a break */
	struct fsa_stream_name stream; /* the name's stream part */
	/* who opens, for break notifications (conn/ knows how to reach it) */
	void *owner_loop;
	uint64_t owner_conn, session_id;
};

struct fsa_info {
	uint64_t creation_time, last_access_time, last_write_time, change_time; /* NT time */
	uint64_t allocation_size, end_of_file;
	uint32_t attributes;
	uint32_t nlink;
	bool delete_pending;
	bool directory;
	uint64_t file_id; /* inode */
	uint64_t volume_id;
};

struct fsa_create_result {
	struct fsa_open *open;
	uint32_t action; /* FILE_OPENED ... */
	uint8_t oplock;	 /* granted */
	uint32_t maximal_access; /* with want_maximal_access: what the user could be granted */
	/* STATUS_OPLOCK_BREAK_IN_PROGRESS: nothing was opened; the waiter is
	 * linked and will be woken; deliver these breaks, then retry. */
	struct fsa_break breaks[FSA_MAX_BREAKS];
	int n_breaks;
	/* the lease the open belongs to (with args.lease) */
	bool leased;
	uint32_t lease_state;
	uint16_t lease_epoch;
	bool lease_breaking;
	bool lease_v2, lease_has_parent;
	uint8_t lease_parent[16];
	/* an existing file opened as it was: its metadata, read by the open
	 * (else the caller asks fsa_query_info) */
	bool has_info;
	struct fsa_info info;
};

/* (offload) The whole of CREATE below the wire: path resolution, the
 * disposition, directory/non-directory rules, access checks, share access
 * across all opens, truncation, attributes. */
NTSTATUS fsa_create(const struct fsa_create_args *a, struct fsa_create_result *r);

struct fsa_open *fsa_open_get(struct fsa_open *o);
/* An open for a named pipe: owns pipe (pipe_free at the last reference). */
struct fsa_open *fsa_pipe_open_new(void *pipe, void (*pipe_free)(void *pipe));
/* Drops a reference; the last one closes the open (offload: may unlink a
 * delete-on-close file). */
void fsa_open_put(struct fsa_open *o);
/* (loop) Drops a reference like fsa_open_put if that cannot block: when it
 * is not the last, or when the last close only closes a read-only
 * descriptor (no delete, no times to set, no data written, the file still
 * has a name). Otherwise returns false and keeps the reference: drop it
 * with fsa_open_put on an offload thread. */
bool fsa_open_put_nonblocking(struct fsa_open *o);

/* Metadata of an open, in NT terms. */
/* (offload) Also remembers the DOS attributes it read in the open's cache
 * (o->qcache), for fsa_query_info_cached. */
NTSTATUS fsa_query_info(struct fsa_open *o, struct fsa_info *info);
/* (offload) After fsa_query_info: records in the cache whether the file
 * has no EAs (one flistxattr), so FileAll/FileEaInformation can be cached. */
void fsa_query_cache_eas(struct fsa_open *o);
/* (loop) fsa_query_info from the cache: one fstat of the open's descriptor
 * on a local file system, no xattr reads; false (do fsa_query_info on an
 * offload thread) if the cache is empty or the file changed since (its ctime
 * differs). need_eas: the caller reports an EaSize of 0 (the file has none). */
bool fsa_query_info_cached(struct fsa_open *o, struct fsa_info *info, bool need_eas);
/* NT metadata from a vfs stat plus DOS info (used for directory entries too). */
void fsa_info_from_stat(const struct vfs_stat *st, const struct vfs_dosinfo *d, struct fsa_info *info);

/* (offload) SET_INFO operations. Times: 0 = unchanged. */
NTSTATUS fsa_set_basic(struct fsa_open *o, uint64_t ctime, uint64_t atime, uint64_t mtime, uint64_t chtime,
		       uint32_t attrs);
NTSTATUS fsa_set_eof(struct fsa_open *o, uint64_t eof);
NTSTATUS fsa_set_allocation(struct fsa_open *o, uint64_t size);
NTSTATUS fsa_set_disposition(struct fsa_open *o, bool delete_it);
NTSTATUS fsa_rename(struct fsa_open *o, const char *new_path, bool replace, bool case_insensitive);
NTSTATUS fsa_link(struct fsa_open *o, const char *new_path, bool replace);

/* (offload) I/O */
NTSTATUS fsa_read(struct fsa_open *o, void *buf, size_t n, uint64_t off, size_t *done);
/* fsa_read of what is in the page cache only, without blocking (see
 * vfs_pread_cached); *done may be short, and unless *eof the caller reads the
 * rest. */
NTSTATUS fsa_read_cached(struct fsa_open *o, void *buf, size_t n, uint64_t off, size_t *done, bool *eof);
/* fsa_read into a pipe, by reference (zero-copy READ; see vfs_splice_to_pipe). */
NTSTATUS fsa_read_to_pipe(struct fsa_open *o, int pipe_w, size_t n, uint64_t off, size_t *done);
NTSTATUS fsa_write(struct fsa_open *o, const void *buf, size_t n, uint64_t off, size_t *done, bool write_through);
NTSTATUS fsa_flush(struct fsa_open *o);

/* (offload) Byte-range controls (fsa/range.c, [MS-FSA] 2.1.5.10). The
 * sparse flag is FILE_ATTRIBUTE_SPARSE_FILE in the stored DOS attributes. */
NTSTATUS fsa_get_sparse(struct fsa_open *o, bool *sparse);
NTSTATUS fsa_set_sparse(struct fsa_open *o, bool sparse); /* directory: INVALID_PARAMETER */
/* FSCTL_SET_ZERO_DATA: zeros [off, beyond) below EOF, never changing the
 * size; a sparse file's blocks are released, others stay allocated. */
NTSTATUS fsa_zero_data(struct fsa_open *o, uint64_t off, uint64_t beyond);
/* FSCTL_QUERY_ALLOCATED_RANGES: the allocated parts of [off, off+len)
 * below EOF (all of it for a non-sparse file) into out[0..cap); *n filled.
 * STATUS_BUFFER_OVERFLOW when more ranges exist than fit. */
struct fsa_range {
	uint64_t off, len;
};
NTSTATUS fsa_allocated_ranges(struct fsa_open *o, uint64_t off, uint64_t len, struct fsa_range *out, size_t cap,
			      size_t *n);
/* One server-side copy chunk: STATUS_INVALID_VIEW_SIZE when the source
 * range passes the source's EOF. */
NTSTATUS fsa_copy_chunk(struct fsa_open *src, struct fsa_open *dst, uint64_t src_off, uint64_t dst_off, uint64_t len);
/* FSCTL_DUPLICATE_EXTENTS_TO_FILE: shares blocks (STATUS_NOT_SUPPORTED
 * when the file system cannot). */
NTSTATUS fsa_duplicate_extents(struct fsa_open *src, struct fsa_open *dst, uint64_t src_off, uint64_t dst_off,
			       uint64_t len);
/* The open file's object id (stable per file: its device and inode) and
 * the id of its volume. Quick. */
void fsa_object_id(const struct fsa_open *o, uint8_t object_id[16], uint8_t volume_id[16]);

/* Timestamps as Windows shows them (fsa/times.c). */
void fsa_times_before_write(struct fsa_open *o);
/* After a data change through o (write, truncate, copy, zeroing): puts back
 * a write time the client set through o, which the change must not move. */
void fsa_times_after_write(struct fsa_open *o);
void fsa_times_flush_pending(struct fsa_open *o);
void fsa_times_explicit_write_time(struct fsa_open *o, uint64_t mtime);
/* (offload) the write time a closing handle leaves on the file */
void fsa_times_close(struct fsa_open *o);
/* Applies the shown times of an open file (if (dev, ino) is open) to info. */
void fsa_table_adjust_info(struct fsa_table *t, const struct vfs_stat *st, struct fsa_info *info);

/* A security descriptor owning its storage (fsa/acl.c). */
struct fsa_sd {
	struct wire_sd sd;
	struct wire_ace *aces;
	uint8_t *blob; /* decoded bytes, if decoded */
	size_t len;
};
void fsa_unix_sid(struct wire_sid *sid, uint32_t kind /* 1 user, 2 group */, uint32_t id);
bool fsa_token_has_sid(const struct fsa_token *t, const struct wire_sid *s);
/* [MS-DTYP] 2.5.3.2: the access mask sd grants t (the owner's implicit
 * READ_CONTROL | WRITE_DAC included unless an OWNER RIGHTS ACE says). */
uint32_t fsa_sd_granted(const struct wire_sd *sd, const struct fsa_token *t);
struct fsa_sd *fsa_sd_decode(const uint8_t *buf, size_t len, NTSTATUS *st);
void fsa_sd_free(struct fsa_sd *s);
/* The descriptor that describes POSIX owner, group and mode. */
struct fsa_sd *fsa_sd_posix(const struct vfs_stat *st);
/* (offload) The stored descriptor of fd's file, NULL if none (*st says why
 * on errors). */
struct fsa_sd *fsa_sd_load(int fd, NTSTATUS *st);
NTSTATUS fsa_sd_store(int fd, const struct wire_sd *sd);
/* (offload) Access-based enumeration: does the descriptor of entry `name`
 * (stat st) of directory open o (stored, else from POSIX) give o's opener
 * FILE_READ_DATA, FILE_READ_EA, FILE_READ_ATTRIBUTES and READ_CONTROL? */
bool fsa_entry_readable(const struct fsa_open *o, const char *name, const struct vfs_stat *st);
/* A new file's descriptor: given parts (SecD context; may be NULL), the rest
 * from the token and, when the parent has a DACL (parent may be NULL), its
 * inheritable ACEs or, without any, Windows' default (owner and SYSTEM full
 * control). Without a parent DACL and a given one, the DACL stays absent. */
struct fsa_sd *fsa_sd_for_new(const struct wire_sd *parent, const struct wire_sd *given, bool is_dir,
			      const struct fsa_token *t);
/* (offload) QUERY_INFO / SET_INFO SMB2_0_INFO_SECURITY */
struct fsa_sd *fsa_query_security(struct fsa_open *o, NTSTATUS *st);
NTSTATUS fsa_set_security(struct fsa_open *o, const struct fsa_token *t, uint32_t secinfo, const struct wire_sd *in);

/* Extended attributes (fsa/ea.c). Names are checked and upper-cased. */
NTSTATUS fsa_ea_name_check(const uint8_t *name, size_t len, char out[VFS_EA_NAME_MAX + 1]);
/* (offload) Sets (empty value: removes) each EA, after checking all names. */
NTSTATUS fsa_ea_set(struct fsa_open *o, const struct wire_ea *eas, size_t n);
NTSTATUS fsa_ea_list(struct fsa_open *o, struct vfs_ea_list *out);
uint32_t fsa_ea_size(const struct vfs_ea_list *l);

/* A lease break acknowledgement from the client with guid: the state it
 * keeps ([MS-SMB2] 3.3.5.22.2 statuses). A lease that must go lower still
 * gets its next break in *next (*n_next = 1). */
NTSTATUS fsa_lease_ack(struct fsa_table *t, const uint8_t guid[16], const uint8_t key[16], uint32_t state,
		       struct fsa_break *next, int *n_next);
/* Where breaks fsa/ starts on its own go (directory leases broken by
 * changes of their entries): called from any thread, no fsa locks held. */
void fsa_table_set_break_sink(struct fsa_table *t, void (*sink)(void *ctx, const struct fsa_break *b, int n),
			      void *ctx);
/* (offload) A name in path's parent directory was added, removed, renamed
 * or changed: that directory's leases break to none, except the lease of
 * client guid whose key is parent_key (the acting open's parent lease key;
 * both may be NULL). */
void fsa_lease_break_parent(struct fsa_table *t, const struct vfs_root *root, const char *path,
			    const uint8_t guid[16], const uint8_t *parent_key);
/* (offload) Before a rename of o's file or setting it delete-pending
 * ([MS-FSA] 2.1.4.12 for SET_INFORMATION): Handle caching of other leases
 * breaks, so that their cached handles close (breaks[*n] to deliver).
 * STATUS_PENDING with w linked when the caller must wait for
 * acknowledgements (woken like an open's waiter; fsa_oplock_timeout ends
 * the wait). */
NTSTATUS fsa_break_handle_caching(struct fsa_open *o, struct fsa_waiter *w, struct fsa_break *breaks, int cap, int *n);

/* Byte-range locks (fsa/lock.c), in memory under the table lock. */
#define FSA_MAX_LOCK_ELEMS 64
struct fsa_lock;
struct fsa_lock_elem {
	uint64_t off, len;
	bool excl;
};
/* A blocking lock request waiting for a conflicting lock to go. wake() is
 * called once, without fsa locks held, when locks were released (retry with
 * fsa_lock) or its handle closed (closed = true). */
struct fsa_lock_waiter {
	struct fsa_lock_waiter *next, *prev; /* in the file's list while linked */
	struct fsa_open *open;
	bool linked;
	bool closed;
	void (*wake)(void *arg);
	void *arg;
};
/* Locks every range or none: STATUS_LOCK_NOT_GRANTED on a conflict, or
 * STATUS_PENDING with w linked when w is given (a blocking request);
 * STATUS_INVALID_LOCK_RANGE for ranges past 2^64. */
NTSTATUS fsa_lock(struct fsa_open *o, const struct fsa_lock_elem *e, size_t n, struct fsa_lock_waiter *w);
/* Unlocks in order; each range must match one of this open's locks exactly
 * (STATUS_RANGE_NOT_LOCKED stops there). */
NTSTATUS fsa_unlock(struct fsa_open *o, const struct fsa_lock_elem *e, size_t n);
/* Unlinks a waiting request: true if it was still waiting. */
bool fsa_lock_cancel(struct fsa_open *o, struct fsa_lock_waiter *w);
/* Would a READ (write false) or WRITE of (off, len) through o conflict
 * with another open's locks (or, for writes, any shared lock)? */
bool fsa_io_conflicts(struct fsa_open *o, uint64_t off, uint64_t len, bool write);
/* The handle is closing ([MS-FSA] cleanup): its locks go, its pending lock
 * requests end; also ends its change-notify watch. */
void fsa_lock_cleanup(struct fsa_open *o);
void fsa_open_cleanup(struct fsa_open *o);
/* A durable handle's connection is gone: its watch and pending lock
 * requests end as at cleanup, but it keeps its locks, share mode and
 * oplock for the client to reclaim. */
void fsa_open_disconnect(struct fsa_open *o);
/* Does the open hold the caching a durable handle needs (a batch oplock,
 * or a lease with Handle caching)? */
bool fsa_open_can_be_durable(struct fsa_open *o);
/* A durable handle's reconnect: a leased handle needs its lease's key
 * (key NULL: no lease context) from its client (STATUS_OBJECT_NAME_NOT_FOUND)
 * and its own name (STATUS_INVALID_PARAMETER); fills r's lease fields. */
NTSTATUS fsa_open_lease_reclaim(struct fsa_open *o, const uint8_t guid[16], const uint8_t *key, const char *path,
				bool case_insensitive, struct fsa_create_result *r);
/* Who gets this open's break notifications (owner_conn 0: nobody, the open
 * is disconnected and a break purges it); under the table lock. Returns
 * whether a break is in flight. */
bool fsa_open_set_owner(struct fsa_open *o, void *loop, uint64_t conn_id);

/* Does the share show this name (a final component) as hidden? */
bool fsa_name_hidden(const struct fsa_open *o, const char *name);
/* Does name match a Samba pattern list ("/pat/pat/", * and ?)? */
bool fsa_name_in_list(const char *list, const char *name, bool casefold);
/* `veto files`: STATUS_OBJECT_NAME_NOT_FOUND when the last component of
 * path matches, STATUS_OBJECT_PATH_NOT_FOUND for an earlier one, else
 * success. Such names are neither listed, opened nor created. */
NTSTATUS fsa_path_vetoed(const char *veto_files, const char *path, bool casefold);

/* Is (dev, ino) open anywhere? Is any file below directory `dir` open? */
bool fsa_file_is_open(struct fsa_table *t, uint64_t dev, uint64_t ino);
bool fsa_open_below(struct fsa_table *t, const char *dir);
/* Would adding a name to directory (dev, ino) conflict with its opens? */
bool fsa_dir_blocks_add(struct fsa_table *t, uint64_t dev, uint64_t ino);

/* Oplocks ([MS-FSA] 2.1.5.17, [MS-SMB2] 3.3.4.6, 3.3.5.22.1). */
/* The client acknowledged a break to `level`: STATUS_SUCCESS with the new
 * level, or STATUS_INVALID_OPLOCK_PROTOCOL / STATUS_INVALID_DEVICE_STATE. */
NTSTATUS fsa_oplock_ack(struct fsa_open *o, uint8_t level, uint8_t *new_level);
/* The break timeout expired for the file a waiter waits on: forces every
 * pending break to its target level and wakes the waiters. */
void fsa_oplock_timeout(struct fsa_table *t, struct fsa_waiter *w);
/* Unlinks a waiter that is no longer interested (its request went away).
 * false if it was already woken (its wake() has run or is running). */
bool fsa_waiter_cancel(struct fsa_table *t, struct fsa_waiter *w);
/* When o changes the file (write, lock, size): level II oplocks (o's own
 * too) break to none, and leases other than o's stop caching (breaks
 * from Handle caching want an acknowledgement; nobody waits for it). */
int fsa_break_level2(struct fsa_open *o, struct fsa_break *breaks, int cap);

/* Change notification ([MS-FSA] 2.1.5.10, 2.1.4.x notify). Opens of
 * directories register a watch; changes made through fsa/ are queued on
 * matching watches (up to the watch's buffer size, after which it
 * overflows) and handed to a waiting CHANGE_NOTIFY request. */
#define FSA_ACTION_ADDED 1 /* = FILE_ACTION_ADDED */
#define FSA_ACTION_REMOVED 2 /* = FILE_ACTION_REMOVED */
#define FSA_ACTION_MODIFIED 3 /* = FILE_ACTION_MODIFIED */
#define FSA_ACTION_RENAMED_OLD_NAME 4 /* = FILE_ACTION_RENAMED_OLD_NAME */
#define FSA_ACTION_RENAMED_NEW_NAME 5 /* = FILE_ACTION_RENAMED_NEW_NAME */
#define FSA_NOTIFY_FILE_NAME 0x001
#define FSA_NOTIFY_DIR_NAME 0x002
#define FSA_NOTIFY_ATTRIBUTES 0x004
#define FSA_NOTIFY_SIZE 0x008
#define FSA_NOTIFY_LAST_WRITE 0x010
#define FSA_NOTIFY_CREATION 0x040
#define FSA_NOTIFY_EA_CHANGE 0x080
#define FSA_NOTIFY_SECURITY 0x100

struct fsa_change {
	struct fsa_change *next;
	uint32_t action;
	char name[]; /* relative to the watched directory, '/'-separated */
};

struct fsa_notify_waiter {
	struct fsa_notify_waiter *next, *prev;
	bool linked;
	NTSTATUS status;	   /* when woken: SUCCESS, NOTIFY_ENUM_DIR or NOTIFY_CLEANUP */
	struct fsa_change *changes; /* when woken with SUCCESS */
	void (*wake)(void *arg);
	void *arg;
};

/* Arms (or re-arms) the watch of directory open o. If changes are already
 * queued, moves them to *changes and returns STATUS_SUCCESS (or
 * STATUS_NOTIFY_ENUM_DIR after an overflow); otherwise links w and returns
 * STATUS_PENDING. */
NTSTATUS fsa_notify_arm(struct fsa_open *o, uint32_t filter, bool tree, uint32_t max_bytes,
			struct fsa_notify_waiter *w, struct fsa_change **changes);
/* false if w was already woken. */
bool fsa_notify_cancel(struct fsa_open *o, struct fsa_notify_waiter *w);
void fsa_changes_free(struct fsa_change *c);
/* The handle was closed (CLOSE, tree disconnect, logoff): pending notifies
 * complete with STATUS_NOTIFY_CLEANUP even while requests still hold the
 * open. */
void fsa_notify_cleanup(struct fsa_open *o);
/* Reports a change of `path` (share-relative) to the watches above it. */
void fsa_notify_event(struct fsa_table *t, const struct vfs_root *root, const char *path, uint32_t action,
		      uint32_t filter);
/* smb3d changed path (share-relative) without an event to report. */
void fsa_notify_touch(struct fsa_table *t, const struct vfs_root *root, const char *path);

/* The open's current share-relative path ("" for the root). */
void fsa_open_path(struct fsa_open *o, char *out, size_t cap);

/* Access checks for operations on an open handle. */
static inline bool fsa_has_access(const struct fsa_open *o, uint32_t need)
{
	return (o->access & need) == need;
}

/* Maps GENERIC_* bits to specific rights ([MS-SMB2] 3.3.5.9 / MS-DTYP). */
uint32_t fsa_map_generic(uint32_t access, bool is_dir);

/* Directory enumeration (dir.c); the open's dir_lock serialises callers.
 * begin: (re)starts when restart is set or on the first call; the pattern
 * of the first call sticks until a restart. next: STATUS_NO_MORE_FILES at
 * the end. unget: puts back an entry that did not fit a reply. */
struct fsa_dirent {
	char name[256 * 4 + 1]; /* UTF-8 */
	uint8_t name16[256 * 2 * 2]; /* the same, UTF-16LE */
	size_t name16_len;
	struct fsa_info info;
	uint64_t cookie;
};
/* pattern: UTF-16LE Windows wildcard expression; empty means "*". */
NTSTATUS fsa_dir_begin(struct fsa_open *o, const uint8_t *pattern, size_t pattern_len, bool restart,
		       bool case_insensitive);
NTSTATUS fsa_dir_next(struct fsa_open *o, struct fsa_dirent *e);
void fsa_dir_unget(struct fsa_open *o, const struct fsa_dirent *e);
void fsa_dir_state_free(struct fsa_dir_state *d);

/* Name checks: the characters Windows forbids in a component, trailing
 * dots/spaces allowed; a ':' is refused (fsa_stream_split takes the stream
 * part off first). ".." components are resolved in place ("a/../b" becomes
 * "b"); one that would climb above the root is STATUS_OBJECT_PATH_SYNTAX_BAD. */
NTSTATUS fsa_check_path(char *path);

/* Streams of an open's file (fsa/stream.c). (offload) The named streams,
 * and whether the file has a default data stream ("::$DATA": files, not
 * directories) with its size and allocation. */
NTSTATUS fsa_stream_list(struct fsa_open *o, struct vfs_stream_list *out, bool *has_data, uint64_t *data_size,
			 uint64_t *data_alloc);
/* The name of the stream o opened ("" for the file itself). */
void fsa_open_stream_name(struct fsa_open *o, char *out, size_t cap);
/* The allocation shown for a stream of this size. */
uint64_t fsa_stream_alloc(uint64_t size);
/* (offload) FileRenameInformation with a ":name" target on a stream open. */
NTSTATUS fsa_stream_rename(struct fsa_open *o, const struct fsa_stream_name *to, bool replace);

#endif
