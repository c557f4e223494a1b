/* Opens and the shared per-file state ([MS-FSA] 2.1.5.1 Server Requests an
 * Open of a File, 2.1.5.1.2.1 share access, 2.1.5.4 cleanup with
 * delete-on-close): create dispositions, directory rules, access and share
 * access checks, truncation, and last-close deletion. */
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/stat.h>

#include "base/idtable.h"
#include "base/log.h"
#include "base/nttime.h"
#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

struct fsa_file_node {
	struct fsa_file f;
	struct fsa_file_node *next; /* hash collisions */
};

struct fsa_table *fsa_table_new(void)
{
	struct fsa_table *t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	pthread_mutex_init(&t->lock, NULL);
	pthread_mutex_init(&t->stream_io, NULL);
	idtable_init(&t->files);
	t->ifd = -1;
	return t;
}

void fsa_table_free(struct fsa_table *t)
{
	if (!t)
		return;
	fsa_notify_table_stop(t);
	idtable_free(&t->files);
	pthread_mutex_destroy(&t->stream_io);
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static uint64_t file_key(uint64_t dev, uint64_t ino)
{
	uint64_t k = (ino * 0x9E3779B97F4A7C15ULL) ^ (dev + 0x632BE59BD9B4E019ULL);
	return k == 0 || k == UINT64_MAX ? 1 : k;
}

/* Table lock held. */
static struct fsa_file *file_lookup(struct fsa_table *t, uint64_t dev, uint64_t ino, bool create)
{
	uint64_t k = file_key(dev, ino);
	struct fsa_file_node *head = idtable_find(&t->files, k);
	for (struct fsa_file_node *n = head; n; n = n->next)
		if (n->f.dev == dev && n->f.ino == ino)
			return &n->f;
	if (!create)
		return NULL;
	struct fsa_file_node *n = calloc(1, sizeof(*n));
	if (!n)
		return NULL;
	n->f.dev = dev;
	n->f.ino = ino;
	if (head) {
		n->next = head->next;
		head->next = n;
	} else if (!idtable_insert(&t->files, k, n)) {
		free(n);
		return NULL;
	}
	return &n->f;
}

void fsa_open_cleanup(struct fsa_open *o)
{
	if (o->pipe)
		return;
	fsa_notify_cleanup(o);
	fsa_lock_cleanup(o);
}

void fsa_open_disconnect(struct fsa_open *o)
{
	if (o->pipe)
		return;
	fsa_notify_cleanup(o);
	fsa_lock_disconnect(o);
}

bool fsa_open_can_be_durable(struct fsa_open *o)
{
	if (o->pipe || !o->file)
		return false;
	pthread_mutex_lock(&o->table->lock);
	bool ok = (o->oplock == FSA_OPLOCK_BATCH && !o->breaking) ||
		  (o->lease && (o->lease->state & FSA_LEASE_H) && !o->lease->breaking);
	pthread_mutex_unlock(&o->table->lock);
	return ok;
}

NTSTATUS fsa_open_lease_reclaim(struct fsa_open *o, const uint8_t guid[16], const uint8_t *key, const char *path,
				bool case_insensitive, struct fsa_create_result *r)
{
	NTSTATUS st = STATUS_SUCCESS;
	pthread_mutex_lock(&o->table->lock);
	struct fsa_lease *l = o->lease;
	if (l && (!key || memcmp(l->key, key, 16) || memcmp(l->guid, guid, 16))) {
		st = STATUS_OBJECT_NAME_NOT_FOUND; /* [MS-SMB2] 3.3.5.9.7: not this lease */
	} else if (l) {
		const char *p = o->file && o->file->path ? o->file->path : "";
		if (case_insensitive ? strcasecmp(p, path) : strcmp(p, path))
			st = STATUS_INVALID_PARAMETER; /* the lease is on another name */
		r->leased = true;
		r->lease_state = l->state;
		r->lease_epoch = l->epoch;
		r->lease_breaking = l->breaking;
		r->lease_v2 = l->v2;
		r->lease_has_parent = l->has_parent;
		memcpy(r->lease_parent, l->parent, 16);
	}
	pthread_mutex_unlock(&o->table->lock);
	return st;
}

bool fsa_open_set_owner(struct fsa_open *o, void *loop, uint64_t conn_id)
{
	pthread_mutex_lock(&o->table->lock);
	o->owner_loop = loop;
	o->owner_conn = conn_id;
	bool breaking = o->breaking || (o->lease && o->lease->breaking);
	pthread_mutex_unlock(&o->table->lock);
	return breaking;
}

bool fsa_name_in_list(const char *list, const char *name, bool casefold)
{
	if (!list || !list[0] || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	/* Samba's syntax: patterns between slashes, * and ? wildcards */
	const char *p = list;
	char pat[256];
	while (*p) {
		while (*p == '/')
			p++;
		size_t n = strcspn(p, "/");
		if (n && n < sizeof(pat)) {
			memcpy(pat, p, n);
			pat[n] = 0;
			if (fnmatch(pat, name, (casefold ? FNM_CASEFOLD : 0) | FNM_PERIOD) == 0)
				return true;
		}
		p += n;
	}
	return false;
}

bool fsa_name_hidden(const struct fsa_open *o, const char *name)
{
	if (name[0] == '.' && strcmp(name, ".") && strcmp(name, ".."))
		return o->hide_dot_files;
	return fsa_name_in_list(o->hide_files, name, true);
}

NTSTATUS fsa_path_vetoed(const char *veto_files, const char *path, bool casefold)
{
	if (!veto_files || !veto_files[0])
		return STATUS_SUCCESS;
	char comp[256];
	for (const char *p = path; *p;) {
		size_t n = strcspn(p, "/");
		bool last = p[n] == '\0';
		if (n && n < sizeof(comp)) {
			memcpy(comp, p, n);
			comp[n] = 0;
			if (fsa_name_in_list(veto_files, comp, casefold))
				return last ? STATUS_OBJECT_NAME_NOT_FOUND : STATUS_OBJECT_PATH_NOT_FOUND;
		}
		p += n;
		while (*p == '/')
			p++;
	}
	return STATUS_SUCCESS;
}

struct fsa_file *fsa_file_find_locked(struct fsa_table *t, uint64_t dev, uint64_t ino)
{
	return file_lookup(t, dev, ino, false);
}

/* Table lock held; f has no opens left. */
static void file_forget(struct fsa_table *t, struct fsa_file *f)
{
	uint64_t k = file_key(f->dev, f->ino);
	struct fsa_file_node *head = idtable_find(&t->files, k), *prev = NULL;
	for (struct fsa_file_node *n = head; n; prev = n, n = n->next) {
		if (&n->f != f)
			continue;
		if (prev) {
			prev->next = n->next;
		} else {
			idtable_remove(&t->files, k);
			if (n->next && !idtable_insert(&t->files, k, n->next))
				log_err("fsa: out of memory re-linking the file table");
		}
		fsa_stream_states_free_locked(&n->f);
		free(n->f.path);
		free(n);
		return;
	}
}

uint32_t fsa_map_generic(uint32_t a, bool is_dir)
{
	if (a & GENERIC_ALL)
		a |= FILE_ALL_ACCESS;
	if (a & GENERIC_READ)
		a |= FILE_GENERIC_READ;
	if (a & GENERIC_WRITE)
		a |= FILE_GENERIC_WRITE;
	if (a & GENERIC_EXECUTE)
		a |= FILE_GENERIC_EXECUTE;
	return a & ~(GENERIC_ALL | GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE);
}

NTSTATUS fsa_check_path(char *path)
{
	if (strlen(path) > 4096)
		return STATUS_OBJECT_NAME_INVALID;
	const char *comp = path;
	bool dotdot = false;
	for (const unsigned char *p = (const unsigned char *)path;; p++) {
		if (*p == '/' || *p == 0) {
			size_t n = (size_t)((const char *)p - comp);
			if (n == 0 && (*p == '/' || comp != path))
				return STATUS_OBJECT_NAME_INVALID; /* empty component: "a//b" or trailing '/' */
			if (n == 1 && comp[0] == '.')
				return STATUS_OBJECT_PATH_SYNTAX_BAD;
			if (n == 2 && comp[0] == '.' && comp[1] == '.')
				dotdot = true;
			if (n > 255)
				return STATUS_OBJECT_NAME_INVALID;
			if (*p == 0)
				break;
			comp = (const char *)p + 1;
			continue;
		}
		if (*p < 0x20 || strchr("\"*<>?|\\", *p))
			return STATUS_OBJECT_NAME_INVALID;
		if (*p == ':')
			return STATUS_OBJECT_NAME_INVALID; /* fsa_stream_split took any stream part off */
	}
	if (!dotdot)
		return STATUS_SUCCESS;
	/* "a/../b" names "b", as on Windows and Samba; a ".." that would climb
	 * above the share root is refused. The result has no ".." left, and the
	 * VFS still resolves every name beneath the root. */
	char *out = path;
	const char *in = path;
	while (*in) {
		const char *end = strchr(in, '/');
		size_t n = end ? (size_t)(end - in) : strlen(in);
		if (n == 2 && in[0] == '.' && in[1] == '.') {
			if (out == path)
				return STATUS_OBJECT_PATH_SYNTAX_BAD;
			while (out > path && out[-1] != '/')
				out--; /* back over the previous component */
			if (out > path)
				out--; /* and the separator before it */
		} else {
			if (out != path)
				*out++ = '/';
			memmove(out, in, n);
			out += n;
		}
		in += n;
		if (*in == '/')
			in++;
	}
	*out = 0;
	return STATUS_SUCCESS;
}

/* [MS-FSA] 2.1.5.1.2.1: does an existing open of the file conflict? */
static bool share_conflict(const struct fsa_open *o, uint32_t access, uint32_t share)
{
	const uint32_t data = FILE_READ_DATA | FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_EXECUTE | DELETE;
	if (!(access & data) || !(o->access & data))
		return false;
	if ((o->access & (FILE_READ_DATA | FILE_EXECUTE)) && !(share & FILE_SHARE_READ))
		return true;
	if ((o->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) && !(share & FILE_SHARE_WRITE))
		return true;
	if ((o->access & DELETE) && !(share & FILE_SHARE_DELETE))
		return true;
	if ((access & (FILE_READ_DATA | FILE_EXECUTE)) && !(o->share & FILE_SHARE_READ))
		return true;
	if ((access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) && !(o->share & FILE_SHARE_WRITE))
		return true;
	if ((access & DELETE) && !(o->share & FILE_SHARE_DELETE))
		return true;
	return false;
}

static void parent_of(const char *path, char *out, size_t cap)
{
	const char *slash = strrchr(path, '/');
	size_t n = slash ? (size_t)(slash - path) : 0;
	if (n >= cap)
		n = cap - 1;
	memcpy(out, path, n);
	out[n] = 0;
}

/* --- oplocks and leases ([MS-FSA] 2.1.4.12, 2.1.5.17, 2.1.5.18) --- */

/* Oplock stat opens (attributes only) neither break nor get oplocks. */
static bool is_oplock_stat_open(uint32_t access)
{
	return !(access & ~(FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE));
}

/* An oplock as the caching it grants: batch = RHW, exclusive = RW, II = R. */
static uint32_t oplock_caching(uint8_t level)
{
	switch (level) {
	case FSA_OPLOCK_BATCH:
		return FSA_LEASE_R | FSA_LEASE_H | FSA_LEASE_W;
	case FSA_OPLOCK_EXCLUSIVE:
		return FSA_LEASE_R | FSA_LEASE_W;
	case FSA_OPLOCK_II:
		return FSA_LEASE_R;
	default:
		return 0;
	}
}

static void add_break(struct fsa_create_result *r, const struct fsa_open *x, uint8_t level)
{
	if (r->n_breaks >= FSA_MAX_BREAKS)
		return;
	r->breaks[r->n_breaks++] = (struct fsa_break){ .loop = x->owner_loop,
						       .conn_id = x->owner_conn,
						       .session_id = x->session_id,
						       .fid_p = x->persistent_id,
						       .fid_v = x->volatile_id,
						       .level = level };
}

/* Table lock held. Starts the breaks a new open of f requires
 * ([MS-FSA] 2.1.4.12): an open breaks Write caching (exclusive and batch
 * oplocks to level II, RW leases to R); one that would hit a sharing
 * violation breaks Handle caching instead, so that a holder may close
 * the handles it cached (batch oplocks to level II, RH leases to R); an
 * overwrite breaks everything to none. Oplocks are per stream: only
 * opens of the same stream break. True if the open must wait. */
static bool breaks_for_open(struct fsa_file *f, const struct fsa_stream_state *stream,
			    const struct fsa_create_args *a, uint32_t access, bool sharing, bool overwrite,
			    struct fsa_create_result *r)
{
	if (is_oplock_stat_open(access))
		return false;
	uint32_t mask = sharing ? FSA_LEASE_H : FSA_LEASE_W;
	if (a->create_options & FILE_DELETE_ON_CLOSE)
		mask |= FSA_LEASE_H; /* cached handles would keep the name */
	bool wait = false;
	for (struct fsa_open *x = f->opens; x; x = x->next_in_file) {
		if (x->oplock == FSA_OPLOCK_NONE || x->stream != stream)
			continue; /* each stream has its own oplocks */
		if (x->breaking) {
			wait = true;
			continue;
		}
		uint32_t cur = oplock_caching(x->oplock);
		uint32_t to = fsa_lease_open_target(cur, mask, overwrite);
		if (to == cur)
			continue;
		uint8_t level = (to & FSA_LEASE_R) ? FSA_OPLOCK_II : FSA_OPLOCK_NONE; /* oplocks: R or none */
		if (x->oplock == FSA_OPLOCK_II) {
			x->oplock = FSA_OPLOCK_NONE; /* no acknowledgement */
		} else {
			x->breaking = true;
			x->break_to = level;
		}
		add_break(r, x, level);
		if (cur & mask)
			wait = true;
	}
	if (f->leases && !fsa_lease_stat_open(access) &&
	    fsa_lease_breaks_for_open_locked(f, stream, a->lease, mask, overwrite, a->retry, r))
		wait = true;
	return wait && a->waiter;
}

/* Table lock held: the oplock level a new open gets. */
static uint8_t oplock_grant(const struct fsa_file *f, const struct fsa_stream_state *stream, uint8_t requested)
{
	if (requested == FSA_OPLOCK_NONE)
		return FSA_OPLOCK_NONE;
	bool others = false;
	for (const struct fsa_open *x = f->opens; x; x = x->next_in_file) {
		if (x->stream != stream)
			continue;
		if (x->oplock == FSA_OPLOCK_EXCLUSIVE || x->oplock == FSA_OPLOCK_BATCH || x->breaking)
			return FSA_OPLOCK_NONE;
		others = true;
	}
	for (const struct fsa_lease *l = f->leases; l; l = l->next_in_file)
		if (l->stream == stream && ((l->state & FSA_LEASE_H) || l->breaking))
			return FSA_OPLOCK_NONE; /* level II does not share with Handle caching */
	if (requested == FSA_OPLOCK_II)
		return FSA_OPLOCK_II;
	if (requested != FSA_OPLOCK_EXCLUSIVE && requested != FSA_OPLOCK_BATCH)
		return FSA_OPLOCK_NONE;
	return others ? FSA_OPLOCK_II : requested;
}

/* Table lock held: detaches the waiters of f; the caller wakes them after
 * unlocking. */
static struct fsa_waiter *take_waiters(struct fsa_file *f)
{
	struct fsa_waiter *w = f->waiters;
	f->waiters = NULL;
	for (struct fsa_waiter *x = w; x; x = x->next)
		x->file = NULL;
	return w;
}

/* Table lock held: the waiters of f if no break on it is in flight. */
static struct fsa_waiter *waiters_if_settled(struct fsa_file *f)
{
	if (fsa_lease_breaking_locked(f))
		return NULL;
	for (struct fsa_open *x = f->opens; x; x = x->next_in_file)
		if (x->breaking)
			return NULL;
	return take_waiters(f);
}

static void wake_all(struct fsa_waiter *w)
{
	while (w) {
		struct fsa_waiter *next = w->next;
		w->wake(w->arg);
		w = next;
	}
}

NTSTATUS fsa_oplock_ack(struct fsa_open *o, uint8_t level, uint8_t *new_level)
{
	struct fsa_table *t = o->table;
	pthread_mutex_lock(&t->lock);
	if (!o->breaking) {
		pthread_mutex_unlock(&t->lock);
		return STATUS_INVALID_OPLOCK_PROTOCOL;
	}
	if (level != FSA_OPLOCK_NONE && level != FSA_OPLOCK_II) {
		pthread_mutex_unlock(&t->lock);
		return STATUS_INVALID_PARAMETER;
	}
	if (level > o->break_to) {
		/* acknowledging a higher level than offered: the break stays */
		pthread_mutex_unlock(&t->lock);
		return STATUS_INVALID_OPLOCK_PROTOCOL;
	}
	o->oplock = level;
	o->breaking = false;
	*new_level = level;
	struct fsa_waiter *w = waiters_if_settled(o->file);
	pthread_mutex_unlock(&t->lock);
	wake_all(w);
	return STATUS_SUCCESS;
}

NTSTATUS fsa_lease_ack(struct fsa_table *t, const uint8_t guid[16], const uint8_t key[16], uint32_t state,
		       struct fsa_break *next, int *n_next)
{
	pthread_mutex_lock(&t->lock);
	struct fsa_file *f;
	NTSTATUS st = fsa_lease_ack_locked(t, guid, key, state, next, n_next, &f);
	struct fsa_waiter *w = f ? waiters_if_settled(f) : NULL;
	pthread_mutex_unlock(&t->lock);
	wake_all(w);
	return st;
}

void fsa_table_set_break_sink(struct fsa_table *t, void (*sink)(void *ctx, const struct fsa_break *b, int n),
			      void *ctx)
{
	t->break_sink = sink;
	t->break_sink_ctx = ctx;
}

void fsa_oplock_timeout(struct fsa_table *t, struct fsa_waiter *waiter)
{
	pthread_mutex_lock(&t->lock);
	struct fsa_file *f = waiter->file;
	struct fsa_waiter *w = NULL;
	if (f) {
		for (struct fsa_open *x = f->opens; x; x = x->next_in_file)
			if (x->breaking) {
				x->oplock = x->break_to;
				x->breaking = false;
				log_info("oplock break not acknowledged in time; %s now at level %u",
					 f->path ? f->path : "?", x->oplock);
			}
		fsa_lease_timeout_locked(f);
		w = take_waiters(f);
	}
	pthread_mutex_unlock(&t->lock);
	wake_all(w);
}

bool fsa_waiter_cancel(struct fsa_table *t, struct fsa_waiter *waiter)
{
	pthread_mutex_lock(&t->lock);
	struct fsa_file *f = waiter->file;
	bool linked = f != NULL;
	if (f) {
		struct fsa_waiter **pp = &f->waiters;
		while (*pp && *pp != waiter)
			pp = &(*pp)->next;
		if (*pp)
			*pp = waiter->next;
		waiter->file = NULL;
		if (!f->opens && !f->waiters)
			file_forget(t, f);
	}
	pthread_mutex_unlock(&t->lock);
	return linked;
}

int fsa_break_level2(struct fsa_open *o, struct fsa_break *breaks, int cap)
{
	int n = 0;
	pthread_mutex_lock(&o->table->lock);
	for (struct fsa_open *x = o->file->opens; x; x = x->next_in_file) {
		if (x->oplock != FSA_OPLOCK_II || x->breaking || x->stream != o->stream)
			continue;
		x->oplock = FSA_OPLOCK_NONE;
		if (n < cap)
			breaks[n++] = (struct fsa_break){ .loop = x->owner_loop,
							  .conn_id = x->owner_conn,
							  .session_id = x->session_id,
							  .fid_p = x->persistent_id,
							  .fid_v = x->volatile_id,
							  .level = FSA_OPLOCK_NONE };
	}
	if (o->file->leases && n < cap)
		n += fsa_lease_breaks_for_write_locked(o->file, o->stream, o->lease, breaks + n, cap - n);
	pthread_mutex_unlock(&o->table->lock);
	return n;
}

NTSTATUS fsa_break_handle_caching(struct fsa_open *o, struct fsa_waiter *w, struct fsa_break *breaks, int cap, int *n)
{
	*n = 0;
	if (!o->file)
		return STATUS_SUCCESS;
	pthread_mutex_lock(&o->table->lock);
	struct fsa_file *f = o->file;
	bool wait = f->leases && fsa_lease_breaks_handle_locked(f, o->lease, breaks, cap, n);
	if (wait && w) {
		w->file = f;
		w->next = f->waiters;
		f->waiters = w;
	}
	pthread_mutex_unlock(&o->table->lock);
	return wait && w ? STATUS_PENDING : STATUS_SUCCESS;
}

#define WRITE_BITS (FILE_WRITE_DATA | FILE_APPEND_DATA | FILE_WRITE_EA | FILE_WRITE_ATTRIBUTES | DELETE | WRITE_DAC | WRITE_OWNER | FILE_DELETE_CHILD)

/* Stored descriptors a CREATE looked at, and the read-only descriptor of
 * an existing file (freed and closed by fsa_create). */
struct create_sds {
	struct fsa_sd *parent, *file;
	int afd; /* -1, or the file opened O_RDONLY: its stat, stored
		  * descriptor and DOS attributes; may become the open's fd */
	bool seen_known; /* seen: which xattrs afd's file has */
	struct vfs_xattrs_seen seen;
};

/* (offload) The stored descriptor at path ("" = the share root), or NULL. */
static struct fsa_sd *load_sd_at(const struct vfs_root *root, const char *path)
{
	NTSTATUS st;
	if (!path[0])
		return fsa_sd_load(root->fd, &st);
	int fd;
	if (!NT_OK(vfs_open(root, path, O_PATH, 0, &fd)))
		return NULL;
	struct fsa_sd *s = fsa_sd_load(fd, &st);
	vfs_close(fd);
	return s;
}

/* [MS-FSA] 2.1.5.1.2.1 with stored descriptors: what the user may do to an
 * existing file. DELETE also comes from the parent's FILE_DELETE_CHILD, and
 * FILE_READ_ATTRIBUTES from its FILE_LIST_DIRECTORY. Files without a stored
 * descriptor are left to POSIX (the kernel checks every call). */
static NTSTATUS check_existing_sd(const struct fsa_create_args *a, const char *path, struct create_sds *sds,
				  uint32_t *access, bool max_allowed)
{
	NTSTATUS lst;
	if (sds->afd < 0)
		sds->file = load_sd_at(a->root, path);
	else if (!sds->seen_known || sds->seen.ntacl)
		sds->file = fsa_sd_load(sds->afd, &lst);
	if (!sds->file || !a->token)
		return STATUS_SUCCESS;
	uint32_t granted = fsa_sd_granted(&sds->file->sd, a->token);
	uint32_t wanted = fsa_map_generic(a->desired_access, false) & ~MAXIMUM_ALLOWED;
	if ((wanted | *access) & ~granted & (DELETE | FILE_READ_ATTRIBUTES)) {
		char parent[4096 + 1];
		parent_of(path, parent, sizeof(parent));
		sds->parent = load_sd_at(a->root, parent);
		/* a parent without a stored descriptor leaves deletion to POSIX
		 * (checked below): it grants both, as a Windows share root does */
		uint32_t pg = sds->parent ? fsa_sd_granted(&sds->parent->sd, a->token)
					  : FILE_DELETE_CHILD | FILE_LIST_DIRECTORY;
		if (pg & FILE_DELETE_CHILD)
			granted |= DELETE;
		if (pg & FILE_LIST_DIRECTORY)
			granted |= FILE_READ_ATTRIBUTES;
	}
	if (wanted & ~granted)
		return STATUS_ACCESS_DENIED;
	if (max_allowed)
		*access &= granted | wanted;
	else if (*access & ~granted)
		return STATUS_ACCESS_DENIED; /* e.g. the write an overwrite implies */
	return STATUS_SUCCESS;
}

/* Creating a name needs FILE_ADD_FILE / FILE_ADD_SUBDIRECTORY on a parent
 * with a stored descriptor. */
static NTSTATUS check_parent_sd(const struct fsa_create_args *a, const char *path, bool is_dir,
				struct create_sds *sds)
{
	char parent[4096 + 1];
	parent_of(path, parent, sizeof(parent));
	sds->parent = load_sd_at(a->root, parent);
	if (!sds->parent || !a->token)
		return STATUS_SUCCESS;
	uint32_t need = is_dir ? FILE_ADD_SUBDIRECTORY : FILE_ADD_FILE;
	return fsa_sd_granted(&sds->parent->sd, a->token) & need ? STATUS_SUCCESS : STATUS_ACCESS_DENIED;
}

/* A new file's descriptor: the SecD context's, and the DACL its parent's
 * stored one passes on. Nothing is stored when neither applies (POSIX
 * describes the file). */
static void store_new_sd(const struct fsa_create_args *a, int fd, bool is_dir, struct create_sds *sds)
{
	const struct wire_sd *parent = sds->parent ? &sds->parent->sd : NULL;
	if (!a->sd_given && !(parent && (parent->control & SE_DACL_PRESENT)))
		return;
	struct fsa_token none = { .uid = 0 };
	struct fsa_sd *n = fsa_sd_for_new(parent, a->sd_given, is_dir, a->token ? a->token : &none);
	if (!n)
		return;
	struct fsa_sd *px = NULL;
	struct wire_sd sd = n->sd;
	struct vfs_stat vs;
	if (!(sd.control & SE_DACL_PRESENT) && NT_OK(vfs_fstat(fd, &vs)) && (px = fsa_sd_posix(&vs)) != NULL) {
		/* no DACL given or inherited: the one POSIX mode describes */
		sd.dacl = px->sd.dacl;
		sd.has_dacl = true;
		sd.control |= SE_DACL_PRESENT;
	}
	NTSTATUS st = fsa_sd_store(fd, &sd);
	fsa_sd_free(px);
	if (!NT_OK(st))
		log_info("storing the security descriptor of a new file failed: %s", nt_status_name(st));
	fsa_sd_free(n);
}

/* (offload) MxAc ([MS-SMB2] 3.3.5.9.5): what the user could be granted on
 * the file just opened (fd): the rights its descriptor (stored, else the one
 * POSIX mode describes) gives the token, DELETE and FILE_READ_ATTRIBUTES as
 * the parent adds them, within the share's maximal access and without writes
 * on a read-only share or file; never less than the open got. */
static uint32_t maximal_access(const struct fsa_create_args *a, const char *path, int fd, const struct vfs_stat *vs,
			       bool read_only_attr, struct create_sds *sds, uint32_t granted)
{
	NTSTATUS st;
	struct fsa_sd *s = fsa_sd_load(fd, &st);
	if (!s)
		s = fsa_sd_posix(vs);
	if (!s || !a->token) {
		fsa_sd_free(s);
		return granted;
	}
	uint32_t m = fsa_sd_granted(&s->sd, a->token);
	fsa_sd_free(s);
	if (path[0] && (m & (DELETE | FILE_READ_ATTRIBUTES)) != (DELETE | FILE_READ_ATTRIBUTES)) {
		if (!sds->parent) {
			char parent[4096 + 1];
			parent_of(path, parent, sizeof(parent));
			sds->parent = load_sd_at(a->root, parent);
		}
		if (!sds->parent) {
			/* POSIX decides: deletable if the directory allows it */
			m |= FILE_READ_ATTRIBUTES;
			if (NT_OK(vfs_may_delete(a->root, path)))
				m |= DELETE;
		} else {
			uint32_t pg = fsa_sd_granted(&sds->parent->sd, a->token);
			if (pg & FILE_DELETE_CHILD)
				m |= DELETE;
			if (pg & FILE_LIST_DIRECTORY)
				m |= FILE_READ_ATTRIBUTES;
		}
	}
	m &= a->share_max_access;
	if (a->read_only_share)
		m &= ~WRITE_BITS;
	if (read_only_attr)
		m &= ~(FILE_WRITE_DATA | FILE_APPEND_DATA);
	return (m | granted) & FILE_ALL_ACCESS;
}

static NTSTATUS create_inner(const struct fsa_create_args *a, struct fsa_create_result *r, struct create_sds *sds);

NTSTATUS fsa_create(const struct fsa_create_args *a, struct fsa_create_result *r)
{
	struct create_sds sds = { .afd = -1 };
	struct fsa_create_args args = *a;
	NTSTATUS vst = fsa_path_vetoed(a->veto_files, a->path, a->case_insensitive);
	if (!NT_OK(vst))
		return vst;
	if (a->stream.kind != FSA_STREAM_NONE) {
		/* a stream is never a directory; "dir::$DATA" names the
		 * directory's (missing) data: FILE_IS_A_DIRECTORY */
		if (a->create_options & FILE_DIRECTORY_FILE)
			return STATUS_NOT_A_DIRECTORY;
		if (a->stream.kind == FSA_STREAM_DEFAULT) {
			args.create_options |= FILE_NON_DIRECTORY_FILE;
			args.stream.kind = FSA_STREAM_NONE;
		}
	}
	NTSTATUS st = create_inner(&args, r, &sds);
	vfs_close(sds.afd);
	fsa_sd_free(sds.parent);
	fsa_sd_free(sds.file);
	return st;
}

static NTSTATUS create_inner(const struct fsa_create_args *a, struct fsa_create_result *r, struct create_sds *sds)
{
	char path[4096 + 1];
	NTSTATUS st;
	int fd = -1;
	bool created = false;
	struct fsa_open *o = NULL;
	memset(r, 0, sizeof(*r));
	/* A named stream: the checks below are its file's (which is created
	 * if missing); the disposition applies to the stream, decided once
	 * the file is open (its xattrs are looked at through its fd). */
	bool named = a->stream.kind == FSA_STREAM_NAMED;
	bool overwrite_disp = a->disposition == FILE_OVERWRITE || a->disposition == FILE_OVERWRITE_IF ||
			      a->disposition == FILE_SUPERSEDE;
	char sname[VFS_STREAM_NAME_MAX + 1] = "";
	bool stream_exists = false, stream_truncate = false;

	/* An existing file is opened read-only for its attributes anyway
	 * (below): opened first, that descriptor also gives its stat, whether
	 * its name exists as spelled (no case-insensitive lookup then) and its
	 * stored security descriptor, instead of three more opens of the path.
	 * Not tried where a new name is expected, nor for the share root. */
	struct vfs_stat vs;
	struct timespec vs_at = { 0 }; /* just after vs was read from afd */
	bool vs_of_afd = false;
	if (a->path[0] && a->disposition != FILE_CREATE &&
	    NT_OK(vfs_open_stat(a->root, a->path, O_RDONLY, 0, &sds->afd, &vs))) {
		clock_gettime(CLOCK_REALTIME, &vs_at);
		vs_of_afd = true;
		/* read after vs (see fsa_info_of_open) */
		sds->seen_known = vfs_xattrs_present(sds->afd, &sds->seen);
		snprintf(path, sizeof(path), "%s", a->path);
	} else if (a->case_insensitive && a->path[0]) {
		st = vfs_resolve_case(a->root, a->path, path, sizeof(path));
		if (!NT_OK(st))
			return st;
	} else {
		snprintf(path, sizeof(path), "%s", a->path);
	}
	/* a name this open may create is recorded as smb3d's own change
	 * before the file system sees it, so its inotify event is never
	 * taken for another program's, however late this thread reports it */
	if (path[0] && a->disposition != FILE_OPEN && a->disposition != FILE_OVERWRITE)
		fsa_notify_touch(a->table, a->root, path);

	uint32_t access = fsa_map_generic(a->desired_access, false);
	bool max_allowed = access & MAXIMUM_ALLOWED;
	access &= ~MAXIMUM_ALLOWED;
	if (max_allowed)
		access |= a->share_max_access;
	if (access & ~a->share_max_access & ~SYNCHRONIZE) {
		if (!max_allowed)
			return STATUS_ACCESS_DENIED;
		access &= a->share_max_access;
	}
	if (a->read_only_share && (access & WRITE_BITS)) {
		if (!max_allowed)
			return STATUS_ACCESS_DENIED;
		access &= ~WRITE_BITS;
	}

	st = vs_of_afd ? STATUS_SUCCESS : vfs_stat_path(a->root, path, true, &vs);
	bool exists = NT_OK(st);
	if (!exists && !NT_EQ(st, STATUS_OBJECT_NAME_NOT_FOUND))
		return st;
	if (!exists) {
		char parent[4096 + 1];
		parent_of(path, parent, sizeof(parent));
		struct vfs_stat ps;
		NTSTATUS pst = vfs_stat_path(a->root, parent, true, &ps);
		if (!NT_OK(pst))
			return NT_EQ(pst, STATUS_OBJECT_NAME_NOT_FOUND) ? STATUS_OBJECT_PATH_NOT_FOUND : pst;
		if (!S_ISDIR(ps.mode))
			return STATUS_OBJECT_PATH_NOT_FOUND;
	}
	bool is_dir = exists ? S_ISDIR(vs.mode) : (a->create_options & FILE_DIRECTORY_FILE) != 0;

	if (exists) {
		if (a->disposition == FILE_CREATE && !named)
			return STATUS_OBJECT_NAME_COLLISION;
		if (is_dir && (a->create_options & FILE_NON_DIRECTORY_FILE) && !named)
			return STATUS_FILE_IS_A_DIRECTORY;
		if (!is_dir && (a->create_options & FILE_DIRECTORY_FILE))
			return STATUS_NOT_A_DIRECTORY;
		if (!S_ISDIR(vs.mode) && !S_ISREG(vs.mode))
			return STATUS_ACCESS_DENIED; /* devices, fifos, sockets are not served */
		if (is_dir && overwrite_disp && !named)
			return STATUS_INVALID_PARAMETER;
	} else {
		if (a->disposition == FILE_OPEN || a->disposition == FILE_OVERWRITE)
			return STATUS_OBJECT_NAME_NOT_FOUND;
		if (a->read_only_share)
			return STATUS_ACCESS_DENIED;
		if (!path[0])
			return STATUS_OBJECT_NAME_INVALID;
		/* [MS-FSA] 2.1.5.1.1: a new read-only file cannot be deleted on close */
		if ((a->create_options & FILE_DELETE_ON_CLOSE) && (a->file_attributes & FILE_ATTRIBUTE_READONLY))
			return STATUS_CANNOT_DELETE;
	}
	bool truncate = exists && overwrite_disp && !named;
	if ((a->file_attributes & FILE_ATTRIBUTE_ENCRYPTED) && (!exists || truncate))
		return STATUS_ACCESS_DENIED; /* no EFS here, as on a standalone Windows server */
	if ((truncate || (named && overwrite_disp)) && !(access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) && !max_allowed)
		access |= FILE_WRITE_DATA; /* overwriting is a write ([MS-FSA] adds it) */
	if ((a->create_options & FILE_DELETE_ON_CLOSE) && !(access & DELETE))
		return STATUS_ACCESS_DENIED;
	st = exists ? check_existing_sd(a, path, sds, &access, max_allowed) : check_parent_sd(a, path, is_dir, sds);
	if (!NT_OK(st))
		return st;
	if ((access & DELETE) && exists && !named) {
		/* DELETE is granted only if the name may really go away */
		NTSTATUS dst = vfs_may_delete(a->root, path);
		if (!NT_OK(dst)) {
			if (!max_allowed || (fsa_map_generic(a->desired_access, false) & DELETE) ||
			    (a->create_options & FILE_DELETE_ON_CLOSE))
				return dst;
			access &= ~DELETE;
		}
	}

	/* Existing DOS attributes: READONLY refuses writes and deletion. */
	struct vfs_dosinfo dos = { 0 };
	int afd = sds->afd; /* read-only fd the attributes came from; may become the open's fd */
	sds->afd = -1;	    /* closed here from now on */
	bool vs_of_fd = false; /* vs is the open's descriptor's (read before vs_at) */
	if (exists) {
		if (afd < 0)
			(void)vfs_open(a->root, path, O_RDONLY | (is_dir ? O_DIRECTORY : 0), 0, &afd);
		if (afd >= 0 && (!vs_of_afd || !sds->seen_known || sds->seen.dosattrib))
			(void)vfs_get_dosinfo(afd, &dos);
		/* [MS-FSA] 2.1.5.1.2: overwriting a hidden or system file
		 * needs those attributes in the request */
		if (truncate && dos.has_attrs &&
		    (((dos.attrs & FILE_ATTRIBUTE_HIDDEN) && !(a->file_attributes & FILE_ATTRIBUTE_HIDDEN)) ||
		     ((dos.attrs & FILE_ATTRIBUTE_SYSTEM) && !(a->file_attributes & FILE_ATTRIBUTE_SYSTEM)))) {
			vfs_close(afd);
			return STATUS_ACCESS_DENIED;
		}
		if (dos.has_attrs && (dos.attrs & FILE_ATTRIBUTE_READONLY) && !is_dir) {
			if (a->create_options & FILE_DELETE_ON_CLOSE) {
				vfs_close(afd);
				return STATUS_CANNOT_DELETE;
			}
			if (access & (FILE_WRITE_DATA | FILE_APPEND_DATA)) {
				if (!max_allowed) {
					vfs_close(afd);
					return STATUS_ACCESS_DENIED;
				}
				access &= ~(FILE_WRITE_DATA | FILE_APPEND_DATA);
			}
		}
	}

	/* Open (or create) the file itself. */
	bool want_write = access & (FILE_WRITE_DATA | FILE_APPEND_DATA);
	bool want_read = access & (FILE_READ_DATA | FILE_EXECUTE | FILE_READ_EA);
	if (named) {
		/* The file's fd carries the stream's xattr. It is opened with
		 * the access the stream wants, so the kernel checks the user
		 * may read or write the file as for its own data (a directory
		 * only reads; the xattr calls are checked again anyway). */
		int flags = is_dir ? O_RDONLY | O_DIRECTORY
			    : want_write ? (want_read || max_allowed ? O_RDWR : O_WRONLY) : O_RDONLY;
		if (!exists) {
			st = vfs_open(a->root, path, flags | O_CREAT | O_EXCL, 0666, &fd);
			if (NT_OK(st))
				created = true;
			else if (NT_EQ(st, STATUS_OBJECT_NAME_COLLISION))
				st = vfs_open(a->root, path, flags | O_NONBLOCK, 0, &fd);
		} else {
			st = vfs_open(a->root, path, flags | O_NONBLOCK, 0, &fd);
			if (NT_EQ(st, STATUS_ACCESS_DENIED) && max_allowed && (flags & O_ACCMODE) != O_RDONLY) {
				access &= ~(FILE_WRITE_DATA | FILE_APPEND_DATA);
				flags = is_dir ? O_RDONLY | O_DIRECTORY : O_RDONLY;
				st = vfs_open(a->root, path, flags | O_NONBLOCK, 0, &fd);
			}
			if (NT_EQ(st, STATUS_ACCESS_DENIED) && !want_read && !want_write)
				st = vfs_open(a->root, path, O_PATH | (is_dir ? O_DIRECTORY : 0), 0, &fd);
		}
		if (NT_OK(st))
			vfs_clear_nonblock(fd);
		if (NT_OK(st) && !created) {
			uint64_t ssize;
			st = vfs_stream_lookup(fd, a->stream.name, sname, &ssize);
			stream_exists = NT_OK(st);
			if (NT_EQ(st, STATUS_OBJECT_NAME_NOT_FOUND))
				st = STATUS_SUCCESS;
		}
		if (NT_OK(st) && !stream_exists)
			snprintf(sname, sizeof(sname), "%s", a->stream.name);
		if (NT_OK(st) && stream_exists && a->disposition == FILE_CREATE)
			st = STATUS_OBJECT_NAME_COLLISION;
		if (NT_OK(st) && !stream_exists && (a->disposition == FILE_OPEN || a->disposition == FILE_OVERWRITE))
			st = STATUS_OBJECT_NAME_NOT_FOUND;
		stream_truncate = stream_exists && overwrite_disp;
		if (!NT_OK(st))
			goto fail;
	} else if (is_dir) {
		if (!exists) {
			st = vfs_mkdir(a->root, path, 0777);
			if (NT_EQ(st, STATUS_OBJECT_NAME_COLLISION) && a->disposition == FILE_OPEN_IF)
				st = STATUS_SUCCESS;
			else if (NT_OK(st))
				created = true;
			if (!NT_OK(st))
				return st;
		}
		if (afd >= 0) { /* the same open as the attributes' */
			fd = afd;
			afd = -1;
			st = STATUS_SUCCESS;
			vs_of_fd = vs_of_afd;
		} else {
			st = vfs_open(a->root, path, O_RDONLY | O_DIRECTORY, 0, &fd);
		}
		if (NT_EQ(st, STATUS_ACCESS_DENIED) && !want_read)
			st = vfs_open(a->root, path, O_PATH | O_DIRECTORY, 0, &fd);
	} else {
		int flags = want_write ? (want_read || max_allowed ? O_RDWR : O_WRONLY) : O_RDONLY;
		bool adopted = false;
		if (!exists) {
			st = vfs_open(a->root, path, flags | O_CREAT | O_EXCL, 0666, &fd);
			if (NT_OK(st))
				created = true;
			else if (NT_EQ(st, STATUS_OBJECT_NAME_COLLISION) && a->disposition != FILE_CREATE)
				st = vfs_open(a->root, path, flags, 0, &fd); /* lost a race: it exists now */
		} else if (afd >= 0 && flags == O_RDONLY) {
			fd = afd; /* the same open as the attributes' (opened blocking) */
			afd = -1;
			st = STATUS_SUCCESS;
			adopted = true;
			vs_of_fd = vs_of_afd;
		} else {
			st = vfs_open(a->root, path, flags | O_NONBLOCK, 0, &fd);
			if (NT_EQ(st, STATUS_ACCESS_DENIED) && max_allowed && flags != O_RDONLY) {
				access &= ~(FILE_WRITE_DATA | FILE_APPEND_DATA);
				st = vfs_open(a->root, path, O_RDONLY | O_NONBLOCK, 0, &fd);
			}
			if (NT_EQ(st, STATUS_ACCESS_DENIED) && !want_read && !want_write)
				st = vfs_open(a->root, path, O_PATH, 0, &fd); /* attributes only */
		}
		if (NT_OK(st) && fd >= 0 && !adopted)
			vfs_clear_nonblock(fd);
	}
	vfs_close(afd);
	if (!NT_OK(st))
		return st;
	if (!vs_of_fd) {
		st = vfs_fstat(fd, &vs);
		if (!NT_OK(st))
			goto fail;
	}

	o = calloc(1, sizeof(*o));
	if (!o) {
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	atomic_init(&o->refs, 1);
	o->root.fd = -1;
	pthread_mutex_init(&o->dir_lock, NULL);
	o->table = a->table;
	o->fd = fd;
	st = vfs_root_dup(a->root, &o->root);
	if (!NT_OK(st)) {
		o->fd = -1;
		goto fail;
	}
	o->access = access;
	o->share = a->share_access;
	o->create_options = a->create_options;
	o->is_dir = is_dir && !named;
	o->delete_on_close = (a->create_options & FILE_DELETE_ON_CLOSE) != 0;
	o->hide_dot_files = a->hide_dot_files;
	o->hide_unreadable = a->hide_unreadable;
	if (a->token) {
		o->token = *a->token;
		o->token.groups = NULL;
		if (a->token->n_groups > 0) {
			o->token_groups = malloc(sizeof(gid_t) * (size_t)a->token->n_groups);
			if (!o->token_groups) {
				st = STATUS_NO_MEMORY;
				goto fail;
			}
			memcpy(o->token_groups, a->token->groups, sizeof(gid_t) * (size_t)a->token->n_groups);
			o->token.groups = o->token_groups;
		} else {
			o->token.n_groups = 0;
		}
		o->has_token = true;
	}
	if (a->hide_files && a->hide_files[0] && !(o->hide_files = strdup(a->hide_files))) {
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	if (a->veto_files && a->veto_files[0] && !(o->veto_files = strdup(a->veto_files))) {
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	o->case_insensitive = a->case_insensitive;

	/* Delete pending, share access and the breaks they call for, across
	 * every open of this file, atomically with registering ours. */
	o->owner_loop = a->owner_loop;
	o->owner_conn = a->owner_conn;
	o->session_id = a->session_id;
	pthread_mutex_lock(&a->table->lock);
	struct fsa_file *f = file_lookup(a->table, vs.dev, vs.ino, true);
	if (!f) {
		pthread_mutex_unlock(&a->table->lock);
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	struct fsa_stream_state *ss = named ? fsa_stream_state_get_locked(f, sname) : NULL;
	if (named && !ss) {
		if (!f->opens && !f->waiters)
			file_forget(a->table, f);
		pthread_mutex_unlock(&a->table->lock);
		st = STATUS_NO_MEMORY;
		goto fail;
	}
	bool sharing = false;
	if (f->delete_pending || (ss && ss->delete_pending)) {
		st = STATUS_DELETE_PENDING; /* before any break ([MS-FSA] 2.1.5.1.2) */
	} else if (a->lease && (o->is_dir ? a->dir_leases : true)) {
		struct fsa_lease *l = fsa_lease_find_locked(a->table, a->lease->guid, a->lease->key);
		if (l && (l->file != f || l->stream != ss))
			st = STATUS_INVALID_PARAMETER; /* one lease key, one file (or stream) */
	}
	if (NT_OK(st)) {
		/* Opens of one stream share among themselves; an open of the
		 * file for DELETE also needs every stream's opens to share
		 * delete (it would delete them), nothing else crosses streams. */
		for (struct fsa_open *x = f->opens; x; x = x->next_in_file)
			if (x->stream == ss ? share_conflict(x, access, a->share_access)
					    : !ss && (access & DELETE) &&
						      share_conflict(x, DELETE, FILE_SHARE_READ | FILE_SHARE_WRITE |
										FILE_SHARE_DELETE)) {
				sharing = true;
				break;
			}
		if (breaks_for_open(f, ss, a, access, sharing, truncate || stream_truncate, r)) {
			/* The open waits for the holders to acknowledge their
			 * breaks (or close, or time out), then starts again. */
			a->waiter->file = f;
			a->waiter->next = f->waiters;
			f->waiters = a->waiter;
			if (ss)
				fsa_stream_state_drop_locked(f, ss);
			pthread_mutex_unlock(&a->table->lock);
			st = STATUS_OPLOCK_BREAK_IN_PROGRESS;
			created = false; /* it exists: we made it, but others may use it now */
			goto fail;
		}
		if (sharing)
			st = STATUS_SHARING_VIOLATION;
	}
	if (NT_OK(st) && !f->path) {
		f->path = strdup(path);
		if (!f->path)
			st = STATUS_NO_MEMORY;
	}
	if (!NT_OK(st)) {
		if (ss)
			fsa_stream_state_drop_locked(f, ss);
		if (!f->opens && !f->waiters)
			file_forget(a->table, f);
		pthread_mutex_unlock(&a->table->lock);
		goto fail;
	}
	f->is_dir = is_dir;
	o->file = f;
	o->oplock = o->is_dir ? FSA_OPLOCK_NONE : oplock_grant(f, ss, a->requested_oplock);
	o->stream = ss;
	if (a->lease && (o->is_dir ? a->dir_leases : true)) {
		o->oplock = FSA_OPLOCK_NONE;
		st = fsa_lease_grant_locked(a->table, f, o, a->lease, r);
		if (!NT_OK(st)) {
			o->file = NULL;
			o->stream = NULL;
			if (ss)
				fsa_stream_state_drop_locked(f, ss);
			if (!f->opens && !f->waiters)
				file_forget(a->table, f);
			pthread_mutex_unlock(&a->table->lock);
			goto fail;
		}
	}
	if (ss)
		ss->n_opens++;
	r->oplock = o->oplock;
	o->next_in_file = f->opens;
	if (f->opens)
		f->opens->prev_in_file = o;
	f->opens = o;
	f->n_opens++;
	pthread_mutex_unlock(&a->table->lock);

	if (named && (!stream_exists || stream_truncate)) {
		st = vfs_stream_create(fd, sname);
		if (!NT_OK(st)) {
			fsa_open_put(o);
			if (created)
				(void)vfs_unlink(a->root, path, false);
			return st;
		}
	}
	if (truncate) {
		st = vfs_ftruncate(fd, 0);
		if (!NT_OK(st)) {
			fsa_open_put(o);
			return st;
		}
		fsa_streams_remove_unopened(o); /* an overwritten file loses its streams */
	}
	if (created || truncate) {
		struct vfs_dosinfo nd = { .has_attrs = true,
					  .attrs = (a->file_attributes & FSA_SETTABLE_ATTRS) |
						   (is_dir ? FILE_ATTRIBUTE_DIRECTORY : FILE_ATTRIBUTE_ARCHIVE) };
		struct vfs_stat nst;
		if (created && !named && a->exact_modes) /* before the descriptor records the mode */
			(void)vfs_fchmod(fd, is_dir ? a->new_dir_mode : a->new_file_mode);
		if (created) {
			/* a new file's times all start equal */
			nd.has_create_time = true;
			nd.create_time = NT_OK(vfs_fstat(fd, &nst)) ? nttime_from_timespec(nst.mtime) : nttime_now();
		} else if (dos.has_create_time) {
			nd.has_create_time = true;
			nd.create_time = dos.create_time;
		}
		(void)vfs_set_dosinfo(fd, &nd);
		if (created)
			store_new_sd(a, fd, is_dir, sds);
		if (a->n_eas) {
			NTSTATUS est = fsa_ea_set(o, a->eas, a->n_eas);
			if (!NT_OK(est)) {
				fsa_open_put(o);
				return est;
			}
		}
		if (a->allocation_size && !is_dir && !named) {
			(void)vfs_fallocate(fd, a->allocation_size);
			pthread_mutex_lock(&a->table->lock);
			f->alloc_hint = a->allocation_size;
			pthread_mutex_unlock(&a->table->lock);
		}
	}
	if (created || truncate)
		fsa_lease_break_parent(a->table, a->root, path, a->lease ? a->lease->guid : NULL,
				       a->lease && a->lease->has_parent ? a->lease->parent : NULL);
	if (created)
		fsa_notify_event(a->table, a->root, path, FSA_ACTION_ADDED, is_dir ? FSA_NOTIFY_DIR_NAME : FSA_NOTIFY_FILE_NAME);
	else if (truncate)
		fsa_notify_event(a->table, a->root, path, FSA_ACTION_MODIFIED, FSA_NOTIFY_SIZE | FSA_NOTIFY_LAST_WRITE);
	if (a->want_maximal_access) {
		bool ro = !is_dir && (created || truncate ? (a->file_attributes & FILE_ATTRIBUTE_READONLY)
							  : (dos.has_attrs && (dos.attrs & FILE_ATTRIBUTE_READONLY)));
		r->maximal_access = maximal_access(a, path, fd, &vs, ro, sds, o->access);
	}
	r->open = o;
	if (named) {
		created = created || !stream_exists;
		truncate = stream_truncate;
	}
	r->action = created ? FILE_CREATED
			    : truncate ? (a->disposition == FILE_SUPERSEDE ? FILE_SUPERSEDED : FILE_OVERWRITTEN)
				       : FILE_OPENED;
	if (vs_of_fd && !named && r->action == FILE_OPENED) {
		/* nothing changed it since vs and dos were read from fd */
		fsa_info_of_open(o, &vs, &dos, &vs_at, sds->seen_known && !sds->seen.eas, &r->info);
		r->has_info = true;
	}
	return STATUS_SUCCESS;
fail:
	if (o) {
		free(o->hide_files);
		free(o->veto_files);
		free(o->token_groups);
		if (o->root.fd >= 0)
			vfs_root_close(&o->root);
		pthread_mutex_destroy(&o->dir_lock);
		free(o);
	}
	if (fd >= 0)
		vfs_close(fd);
	if (created)
		(void)vfs_unlink(a->root, path, is_dir);
	return st;
}

struct fsa_open *fsa_open_get(struct fsa_open *o)
{
	atomic_fetch_add(&o->refs, 1);
	return o;
}


struct fsa_open *fsa_pipe_open_new(void *pipe, void (*pipe_free)(void *pipe))
{
	struct fsa_open *o = calloc(1, sizeof(*o));
	if (!o)
		return NULL;
	atomic_init(&o->refs, 1);
	o->fd = -1;
	o->root.fd = -1;
	o->pipe = pipe;
	o->pipe_free = pipe_free;
	o->access = FILE_GENERIC_READ | FILE_GENERIC_WRITE;
	o->share = FILE_SHARE_READ | FILE_SHARE_WRITE;
	pthread_mutex_init(&o->dir_lock, NULL);
	return o;
}

static void open_final_locked(struct fsa_open *o);

void fsa_open_put(struct fsa_open *o)
{
	if (!o || atomic_fetch_sub(&o->refs, 1) != 1)
		return;
	if (o->pipe) {
		o->pipe_free(o->pipe);
		pthread_mutex_destroy(&o->dir_lock);
		free(o);
		return;
	}
	fsa_times_close(o);
	fsa_lock_cleanup(o); /* normally done at handle close already */
	pthread_mutex_lock(&o->table->lock);
	open_final_locked(o);
}

bool fsa_open_put_nonblocking(struct fsa_open *o)
{
	if (!o)
		return true;
	int refs = atomic_load(&o->refs);
	while (refs > 1)
		if (atomic_compare_exchange_weak(&o->refs, &refs, refs - 1))
			return true; /* not the last: nothing else to do */
	/* The last close must not delete anything, set times or flush data
	 * (a descriptor opened for writing can start writeback when closed),
	 * and the inode must keep a name (closing the last descriptor of a
	 * file deleted behind our back frees its blocks). */
	if (o->pipe || !o->file || o->stream || o->delete_on_close || o->wrote ||
	    (o->access & (FILE_WRITE_DATA | FILE_APPEND_DATA)))
		return false;
	struct vfs_stat st;
	if (o->fd >= 0 && (!NT_OK(vfs_fstat(o->fd, &st)) || st.nlink == 0))
		return false;
	fsa_lock_cleanup(o);
	struct fsa_table *t = o->table;
	pthread_mutex_lock(&t->lock);
	struct fsa_file *f = o->file;
	/* with the lock held until the end, nothing can make it delete-pending */
	if (f->delete_pending || f->wt_state != FSA_WT_NONE) {
		pthread_mutex_unlock(&t->lock);
		return false;
	}
	if (atomic_fetch_sub(&o->refs, 1) != 1) {
		pthread_mutex_unlock(&t->lock); /* someone took a reference meanwhile */
		return true;
	}
	o->times_closed = true; /* fsa_times_close has nothing to set (wt_state NONE, not written) */
	open_final_locked(o);
	return true;
}

/* The last reference of o, with the table lock held (released here). */
static void open_final_locked(struct fsa_open *o)
{
	struct fsa_table *t = o->table;
	char *unlink_path = NULL;
	char unlink_stream[VFS_STREAM_NAME_MAX + 1] = "";
	struct fsa_file *f = o->file;
	bool unlink_dir = f->is_dir;
	struct fsa_notify_waiter *notify_wake = NULL;
	struct fsa_stream_state *ss = o->stream;
	if (o->delete_on_close && ss) {
		ss->delete_pending = true;
	} else if (o->delete_on_close) {
		f->delete_pending = true;
		if (o->is_dir)
			fsa_notify_delete_pending_locked(f, &notify_wake);
	}
	if (o->prev_in_file)
		o->prev_in_file->next_in_file = o->next_in_file;
	else
		f->opens = o->next_in_file;
	if (o->next_in_file)
		o->next_in_file->prev_in_file = o->prev_in_file;
	f->n_opens--;
	if (ss && --ss->n_opens == 0) {
		/* [MS-FSA] 2.1.5.4 for a stream: its last close deletes it
		 * (unless the whole file goes now) */
		if (ss->delete_pending && !(f->n_opens == 0 && f->delete_pending))
			snprintf(unlink_stream, sizeof(unlink_stream), "%s", ss->name);
		fsa_stream_state_drop_locked(f, ss);
	}
	o->stream = NULL;
	fsa_notify_close_locked(o, &notify_wake);
	/* who closes, for the parent directory's leases */
	uint8_t guid[16], parent_key[16];
	bool has_lease = o->lease != NULL, has_parent = has_lease && o->lease->has_parent;
	if (has_lease) {
		memcpy(guid, o->lease->guid, 16);
		memcpy(parent_key, o->lease->parent, 16);
	}
	char *changed_path = o->wrote && f->path && !f->delete_pending && atomic_load(&t->n_dir_leases) > 0
				     ? strdup(f->path)
				     : NULL;
	bool lease_break_over = fsa_lease_release_locked(t, o);
	struct fsa_waiter *waiters = NULL;
	if (o->breaking || o->oplock == FSA_OPLOCK_BATCH || o->oplock == FSA_OPLOCK_EXCLUSIVE || f->n_opens == 0 ||
	    lease_break_over)
		waiters = waiters_if_settled(f);
	if (f->n_opens == 0) {
		if (f->delete_pending && f->path) {
			unlink_path = f->path;
			f->path = NULL;
		}
		file_forget(t, f);
	}
	pthread_mutex_unlock(&t->lock);
	if (unlink_stream[0]) {
		/* likewise before waiters go on: they find the stream gone */
		NTSTATUS st = vfs_stream_remove(o->fd, unlink_stream);
		if (!NT_OK(st))
			log_info("deleting a stream at its last close failed: %s", nt_status_name(st));
	}
	/* a closed modified file (its write time changed) or a deleted one
	 * changes the parent directory's entries */
	if (changed_path && !unlink_path)
		fsa_lease_break_parent(t, &o->root, changed_path, has_lease ? guid : NULL,
				       has_parent ? parent_key : NULL);
	free(changed_path);
	if (unlink_path) {
		/* [MS-FSA] 2.1.5.4: the last close of a delete-pending file
		 * deletes it; before an open waiting for this one's oplock
		 * goes on, so that it finds the file gone */
		fsa_notify_touch(t, &o->root, unlink_path);
		NTSTATUS st = vfs_unlink(&o->root, unlink_path, unlink_dir);
		if (!NT_OK(st))
			log_info("delete-on-close of %s failed: %s", unlink_path, nt_status_name(st));
		else {
			fsa_lease_break_parent(t, &o->root, unlink_path, has_lease ? guid : NULL,
					       has_parent ? parent_key : NULL);
			fsa_notify_event(t, &o->root, unlink_path, FSA_ACTION_REMOVED,
					 unlink_dir ? FSA_NOTIFY_DIR_NAME : FSA_NOTIFY_FILE_NAME);
		}
		free(unlink_path);
	}
	wake_all(waiters);
	fsa_notify_wake_all(notify_wake);
	if (o->dir)
		fsa_dir_state_free(o->dir);
	free(o->hide_files);
	free(o->veto_files);
	free(o->token_groups);
	if (o->fd >= 0)
		vfs_close(o->fd);
	vfs_root_close(&o->root);
	pthread_mutex_destroy(&o->dir_lock);
	free(o);
}

bool fsa_file_is_open(struct fsa_table *t, uint64_t dev, uint64_t ino)
{
	pthread_mutex_lock(&t->lock);
	struct fsa_file *f = file_lookup(t, dev, ino, false);
	bool open = f && f->n_opens > 0;
	pthread_mutex_unlock(&t->lock);
	return open;
}


bool fsa_open_below(struct fsa_table *t, const char *dir)
{
	size_t len = strlen(dir);
	bool found = false;
	pthread_mutex_lock(&t->lock);
	size_t cur = 0;
	struct fsa_file_node *n;
	while (!found && (n = idtable_next(&t->files, &cur, NULL)) != NULL)
		for (; n; n = n->next)
			if (n->f.path && strncmp(n->f.path, dir, len) == 0 && n->f.path[len] == '/') {
				found = true;
				break;
			}
	pthread_mutex_unlock(&t->lock);
	return found;
}

void fsa_open_path(struct fsa_open *o, char *out, size_t cap)
{
	pthread_mutex_lock(&o->table->lock);
	snprintf(out, cap, "%s", o->file->path ? o->file->path : "");
	pthread_mutex_unlock(&o->table->lock);
}

bool fsa_dir_blocks_add(struct fsa_table *t, uint64_t dev, uint64_t ino)
{
	/* A rename or link opens the target directory for FILE_ADD_FILE,
	 * sharing read and write ([MS-FSA] 2.1.5.14.11): an open of that
	 * directory with DELETE access, or one not sharing write, conflicts. */
	bool conflict = false;
	pthread_mutex_lock(&t->lock);
	struct fsa_file *f = file_lookup(t, dev, ino, false);
	for (struct fsa_open *x = f ? f->opens : NULL; x && !conflict; x = x->next_in_file)
		conflict = share_conflict(x, FILE_ADD_FILE, FILE_SHARE_READ | FILE_SHARE_WRITE);
	pthread_mutex_unlock(&t->lock);
	return conflict;
}
