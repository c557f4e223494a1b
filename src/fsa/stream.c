/* Alternate data streams ([MS-FSCC] 2.1.5 pathname syntax, [MS-FSA]
 * 2.1.5.1 opens of streams, 2.1.5.11.29 FileStreamInformation,
 * 2.1.5.15.11.1 stream rename): splitting "file:stream:$DATA" names, the
 * per-stream state shared by a stream's opens (kept in its file's entry, so
 * a file with open streams lives until the last of them closes), and data
 * operations on stream opens. Storage is vfs/stream.c's (xattrs, Samba's
 * layout); no syscalls and no wire formats here. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

/* UTF-16 code units of a UTF-8 string (4-byte sequences are pairs). */
static size_t utf16_units(const char *s)
{
	size_t n = 0;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if ((*p & 0xC0) == 0x80)
			continue;
		n += *p >= 0xF0 ? 2 : 1;
	}
	return n;
}

NTSTATUS fsa_stream_split(char *path, struct fsa_stream_name *sn)
{
	memset(sn, 0, sizeof(*sn));
	char *colon = strchr(path, ':');
	if (!colon)
		return STATUS_SUCCESS;
	*colon = 0;
	char *name = colon + 1;
	/* a separator after the colon: a stream name cannot hold one, nor can
	 * a directory component hold a colon */
	if (strchr(name, '/') || strchr(name, '\\'))
		return STATUS_OBJECT_NAME_INVALID;
	char *type = strchr(name, ':');
	if (type) {
		*type++ = 0;
		/* "file:s:" (an empty type), a third colon, or a type other
		 * than $DATA, the only one files have */
		if (!type[0] || strchr(type, ':') || strcasecmp(type, "$DATA"))
			return STATUS_OBJECT_NAME_INVALID;
	}
	if (!name[0]) {
		if (!type)
			return STATUS_OBJECT_NAME_INVALID; /* "file:" */
		sn->kind = FSA_STREAM_DEFAULT;	   /* "file::$DATA" */
		return STATUS_SUCCESS;
	}
	if (utf16_units(name) > 255 || strlen(name) > VFS_STREAM_NAME_MAX)
		return STATUS_OBJECT_NAME_INVALID;
	sn->kind = FSA_STREAM_NAMED;
	memcpy(sn->name, name, strlen(name) + 1);
	return STATUS_SUCCESS;
}

/* --- per-stream state (table lock held) --- */

struct fsa_stream_state *fsa_stream_state_get_locked(struct fsa_file *f, const char *name)
{
	for (struct fsa_stream_state *s = f->streams; s; s = s->next)
		if (vfs_name_equal_ci(s->name, name))
			return s;
	struct fsa_stream_state *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	snprintf(s->name, sizeof(s->name), "%s", name);
	s->next = f->streams;
	f->streams = s;
	return s;
}

void fsa_stream_state_drop_locked(struct fsa_file *f, struct fsa_stream_state *s)
{
	if (s->n_opens > 0)
		return;
	for (struct fsa_stream_state **p = &f->streams; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			free(s);
			return;
		}
}

void fsa_stream_states_free_locked(struct fsa_file *f)
{
	while (f->streams) {
		struct fsa_stream_state *s = f->streams;
		f->streams = s->next;
		free(s);
	}
}

bool fsa_file_has_stream_opens_locked(const struct fsa_file *f)
{
	for (const struct fsa_open *x = f->opens; x; x = x->next_in_file)
		if (x->stream)
			return true;
	return false;
}

/* The stream's current name (a rename may change it). */
static void stream_name(struct fsa_open *o, char out[VFS_STREAM_NAME_MAX + 1])
{
	pthread_mutex_lock(&o->table->lock);
	snprintf(out, VFS_STREAM_NAME_MAX + 1, "%s", o->stream->name);
	pthread_mutex_unlock(&o->table->lock);
}

void fsa_open_stream_name(struct fsa_open *o, char *out, size_t cap)
{
	out[0] = 0;
	if (!o->table || !o->stream)
		return;
	pthread_mutex_lock(&o->table->lock);
	if (o->stream)
		snprintf(out, cap, "%s", o->stream->name);
	pthread_mutex_unlock(&o->table->lock);
}

/* --- data of a stream open --- */

NTSTATUS fsa_stream_read(struct fsa_open *o, void *buf, size_t n, uint64_t off, size_t *done)
{
	char name[VFS_STREAM_NAME_MAX + 1];
	stream_name(o, name);
	return vfs_stream_read(o->fd, name, buf, n, off, done);
}

NTSTATUS fsa_stream_write(struct fsa_open *o, const void *buf, size_t n, uint64_t off, size_t *done)
{
	char name[VFS_STREAM_NAME_MAX + 1];
	stream_name(o, name);
	*done = 0;
	pthread_mutex_lock(&o->table->stream_io);
	NTSTATUS s = STATUS_SUCCESS;
	if (off == UINT64_MAX) /* append */
		s = vfs_stream_size(o->fd, name, &off);
	if (NT_OK(s))
		s = vfs_stream_write(o->fd, name, buf, n, off);
	pthread_mutex_unlock(&o->table->stream_io);
	if (NT_OK(s))
		*done = n;
	return s;
}

NTSTATUS fsa_stream_set_size(struct fsa_open *o, uint64_t size)
{
	char name[VFS_STREAM_NAME_MAX + 1];
	stream_name(o, name);
	pthread_mutex_lock(&o->table->stream_io);
	NTSTATUS s = vfs_stream_set_size(o->fd, name, size);
	pthread_mutex_unlock(&o->table->stream_io);
	return s;
}

NTSTATUS fsa_stream_size(struct fsa_open *o, uint64_t *size)
{
	char name[VFS_STREAM_NAME_MAX + 1];
	stream_name(o, name);
	return vfs_stream_size(o->fd, name, size);
}

uint64_t fsa_stream_alloc(uint64_t size)
{
	return (size + 4095) & ~(uint64_t)4095; /* as data of the same size would take */
}

NTSTATUS fsa_stream_list(struct fsa_open *o, struct vfs_stream_list *out, bool *has_data, uint64_t *data_size,
			 uint64_t *data_alloc)
{
	struct vfs_stat st;
	NTSTATUS s = vfs_fstat(o->fd, &st);
	if (!NT_OK(s))
		return s;
	struct fsa_info info;
	fsa_info_from_stat(&st, NULL, &info);
	*has_data = !info.directory;
	*data_size = info.end_of_file;
	*data_alloc = info.allocation_size;
	return vfs_stream_list(o->fd, out);
}

void fsa_streams_remove_unopened(struct fsa_open *o)
{
	struct vfs_stream_list l;
	if (!NT_OK(vfs_stream_list(o->fd, &l)))
		return;
	for (size_t i = 0; i < l.n; i++) {
		bool open = false;
		pthread_mutex_lock(&o->table->lock);
		for (struct fsa_stream_state *s = o->file->streams; s; s = s->next)
			open |= s->n_opens > 0 && vfs_name_equal_ci(s->name, l.v[i].name);
		pthread_mutex_unlock(&o->table->lock);
		if (!open)
			(void)vfs_stream_remove(o->fd, l.v[i].name);
	}
	vfs_stream_list_free(&l);
}

/* [MS-FSA] 2.1.5.15.11.1, with the answers Windows gives (smbtorture
 * smb2.streams.rename, rename2, names): an existing target needs
 * ReplaceIfExists, must not be open and must be empty; renaming to the
 * default stream moves the data into an empty file. */
NTSTATUS fsa_stream_rename(struct fsa_open *o, const struct fsa_stream_name *to, bool replace)
{
	if (!o->stream)
		return STATUS_INVALID_PARAMETER; /* renaming the default stream to a named one: not supported */
	if (to->kind == FSA_STREAM_NONE)
		return STATUS_INVALID_PARAMETER;
	char from[VFS_STREAM_NAME_MAX + 1];
	stream_name(o, from);
	NTSTATUS s;
	pthread_mutex_lock(&o->table->stream_io);
	if (to->kind == FSA_STREAM_DEFAULT) {
		/* the stream's data becomes the file's; the file must be empty
		 * and the caller may replace it */
		struct vfs_stat st;
		uint64_t size = 0;
		s = vfs_fstat(o->fd, &st);
		if (NT_OK(s) && o->file->is_dir)
			s = STATUS_INVALID_PARAMETER;
		else if (NT_OK(s) && !replace)
			s = STATUS_OBJECT_NAME_COLLISION;
		else if (NT_OK(s) && st.size)
			s = STATUS_INVALID_PARAMETER;
		if (NT_OK(s))
			s = vfs_stream_size(o->fd, from, &size);
		uint8_t *buf = NT_OK(s) ? malloc(size ? size : 1) : NULL;
		if (NT_OK(s) && !buf)
			s = STATUS_NO_MEMORY;
		size_t got = 0;
		if (NT_OK(s))
			s = vfs_stream_read(o->fd, from, buf, size, 0, &got);
		char path[4096 + 1];
		fsa_open_path(o, path, sizeof(path));
		int wfd = -1;
		if (NT_OK(s))
			s = vfs_open(&o->root, path, O_WRONLY | O_NONBLOCK, 0, &wfd);
		size_t put = 0;
		if (NT_OK(s))
			s = vfs_pwrite(wfd, buf, got, 0, &put);
		vfs_close(wfd);
		free(buf);
		if (NT_OK(s))
			s = vfs_stream_remove(o->fd, from);
		pthread_mutex_unlock(&o->table->stream_io);
		if (NT_OK(s)) {
			/* the handle now names the default stream */
			pthread_mutex_lock(&o->table->lock);
			struct fsa_stream_state *ss = o->stream;
			o->stream = NULL;
			ss->n_opens--;
			fsa_stream_state_drop_locked(o->file, ss);
			pthread_mutex_unlock(&o->table->lock);
			fsa_notify_modified(o, FSA_NOTIFY_SIZE | FSA_NOTIFY_LAST_WRITE);
		}
		return s;
	}
	char stored[VFS_STREAM_NAME_MAX + 1];
	uint64_t tsize = 0;
	s = vfs_stream_lookup(o->fd, to->name, stored, &tsize);
	bool exists = NT_OK(s);
	if (!exists && !NT_EQ(s, STATUS_OBJECT_NAME_NOT_FOUND))
		goto out;
	s = STATUS_SUCCESS;
	if (exists && strcmp(stored, from) == 0)
		goto out; /* its own name */
	if (exists) {
		if (!replace) {
			s = STATUS_OBJECT_NAME_COLLISION;
			goto out;
		}
		pthread_mutex_lock(&o->table->lock);
		bool open = false;
		for (struct fsa_stream_state *x = o->file->streams; x; x = x->next)
			open |= x->n_opens > 0 && x != o->stream && vfs_name_equal_ci(x->name, stored);
		pthread_mutex_unlock(&o->table->lock);
		if (open)
			s = STATUS_SHARING_VIOLATION;
		else if (tsize)
			s = STATUS_INVALID_PARAMETER; /* Windows replaces only an empty stream */
		if (!NT_OK(s))
			goto out;
	}
	s = vfs_stream_rename(o->fd, from, to->name);
	if (NT_OK(s)) {
		pthread_mutex_lock(&o->table->lock);
		snprintf(o->stream->name, sizeof(o->stream->name), "%s", to->name);
		pthread_mutex_unlock(&o->table->lock);
	}
out:
	pthread_mutex_unlock(&o->table->stream_io);
	return s;
}
