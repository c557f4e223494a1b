/* Byte-range file-system controls in NT terms ([MS-FSA] 2.1.5.10): the
 * sparse flag (kept as FILE_ATTRIBUTE_SPARSE_FILE in the stored DOS
 * attributes), FSCTL_SET_ZERO_DATA, FSCTL_QUERY_ALLOCATED_RANGES, the copy
 * behind FSCTL_SRV_COPYCHUNK, FSCTL_DUPLICATE_EXTENTS_TO_FILE and object
 * ids. No wire formats; file-system calls go through vfs/. */
#include <stdlib.h>
#include <string.h>

#include "fsa/fsa.h"
#include "fsa/fsa_int.h"

static bool signed_range_ok(uint64_t off, uint64_t len)
{
	return off <= INT64_MAX && len <= INT64_MAX && off + len <= INT64_MAX;
}

NTSTATUS fsa_get_sparse(struct fsa_open *o, bool *sparse)
{
	*sparse = false;
	if (o->stream)
		return STATUS_SUCCESS; /* a stream in an xattr has no holes */
	struct vfs_dosinfo d = { 0 };
	NTSTATUS s = vfs_get_dosinfo(o->fd, &d);
	*sparse = NT_OK(s) && d.has_attrs && (d.attrs & FILE_ATTRIBUTE_SPARSE_FILE);
	return s;
}

NTSTATUS fsa_set_sparse(struct fsa_open *o, bool sparse)
{
	if (o->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (o->stream)
		return STATUS_SUCCESS; /* stream data in an xattr is never sparse */
	struct vfs_dosinfo d = { 0 };
	NTSTATUS s = vfs_get_dosinfo(o->fd, &d);
	if (!NT_OK(s))
		return s;
	uint32_t attrs = d.has_attrs ? d.attrs : FILE_ATTRIBUTE_ARCHIVE;
	uint32_t want = sparse ? attrs | FILE_ATTRIBUTE_SPARSE_FILE : attrs & ~FILE_ATTRIBUTE_SPARSE_FILE;
	if (d.has_attrs && want == attrs)
		return STATUS_SUCCESS;
	struct vfs_dosinfo nd = { .attrs = want, .has_attrs = true };
	s = vfs_set_dosinfo(o->fd, &nd);
	if (NT_OK(s))
		fsa_notify_modified(o, FSA_NOTIFY_ATTRIBUTES);
	return s;
}

static NTSTATUS file_size(struct fsa_open *o, uint64_t *size)
{
	if (o->stream)
		return fsa_stream_size(o, size);
	struct vfs_stat st;
	NTSTATUS s = vfs_fstat(o->fd, &st);
	*size = st.size;
	return s;
}

NTSTATUS fsa_zero_data(struct fsa_open *o, uint64_t off, uint64_t beyond)
{
	if (o->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (off > INT64_MAX || beyond > INT64_MAX || off > beyond)
		return STATUS_INVALID_PARAMETER;
	uint64_t size;
	NTSTATUS s = file_size(o, &size);
	if (!NT_OK(s))
		return s;
	/* zeroing never changes the size: only the part below EOF */
	if (beyond > size)
		beyond = size;
	if (off >= beyond)
		return STATUS_SUCCESS;
	if (fsa_io_conflicts(o, off, beyond - off, true))
		return STATUS_FILE_LOCK_CONFLICT;
	bool sparse;
	(void)fsa_get_sparse(o, &sparse);
	fsa_times_before_write(o);
	if (o->stream) {
		size_t done;
		uint8_t *zeros = calloc(1, (size_t)(beyond - off));
		if (!zeros)
			return STATUS_NO_MEMORY;
		s = fsa_stream_write(o, zeros, (size_t)(beyond - off), off, &done);
		free(zeros);
		return s;
	}
	/* a sparse file gives the blocks back; any other stays allocated */
	s = sparse ? vfs_punch_hole(o->fd, off, beyond - off) : vfs_zero_range(o->fd, off, beyond - off);
	fsa_times_after_write(o);
	if (NT_OK(s))
		fsa_notify_modified(o, FSA_NOTIFY_LAST_WRITE);
	return s;
}

NTSTATUS fsa_allocated_ranges(struct fsa_open *o, uint64_t off, uint64_t len, struct fsa_range *out, size_t cap,
			      size_t *n)
{
	*n = 0;
	if (!signed_range_ok(off, len))
		return STATUS_INVALID_PARAMETER;
	if (o->is_dir)
		return STATUS_INVALID_PARAMETER;
	uint64_t size;
	NTSTATUS s = file_size(o, &size);
	if (!NT_OK(s))
		return s;
	uint64_t end = off + len < size ? off + len : size;
	if (off >= end)
		return STATUS_SUCCESS;
	bool sparse;
	(void)fsa_get_sparse(o, &sparse);
	if (!sparse) { /* [MS-FSA] 2.1.5.10.22: a non-sparse file is all allocated */
		if (cap == 0)
			return STATUS_BUFFER_OVERFLOW;
		out[0] = (struct fsa_range){ .off = off, .len = end - off };
		*n = 1;
		return STATUS_SUCCESS;
	}
	uint64_t pos = off;
	while (pos < end) {
		uint64_t data, hole;
		s = vfs_next_data(o->fd, pos, &data, &hole);
		if (!NT_OK(s))
			return s;
		if (data >= end)
			break;
		if (data < pos)
			data = pos;
		if (hole > end)
			hole = end;
		if (hole <= data)
			break; /* the file changed under us */
		if (*n == cap)
			return STATUS_BUFFER_OVERFLOW;
		out[(*n)++] = (struct fsa_range){ .off = data, .len = hole - data };
		pos = hole;
	}
	return STATUS_SUCCESS;
}

NTSTATUS fsa_copy_chunk(struct fsa_open *src, struct fsa_open *dst, uint64_t src_off, uint64_t dst_off, uint64_t len)
{
	if (src->is_dir || dst->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (!signed_range_ok(src_off, len) || !signed_range_ok(dst_off, len))
		return STATUS_INVALID_PARAMETER;
	uint64_t size;
	NTSTATUS s = file_size(src, &size);
	if (!NT_OK(s))
		return s;
	/* the whole chunk must lie inside the source */
	if (src_off + len > size)
		return STATUS_INVALID_VIEW_SIZE;
	/* byte-range locks bind server-side copies as reads and writes */
	if (fsa_io_conflicts(src, src_off, len, false) || fsa_io_conflicts(dst, dst_off, len, true))
		return STATUS_FILE_LOCK_CONFLICT;
	fsa_times_before_write(dst);
	uint64_t done = 0;
	if (src->stream || dst->stream) {
		/* through memory: a chunk is at most 1 MiB (the SMB layer's cap) */
		uint8_t *buf = malloc(len ? (size_t)len : 1);
		if (!buf)
			return STATUS_NO_MEMORY;
		size_t got = 0, put = 0;
		s = fsa_read(src, buf, (size_t)len, src_off, &got);
		if (NT_OK(s))
			s = fsa_write(dst, buf, got, dst_off, &put, false);
		free(buf);
		done = put;
		if (NT_OK(s) && done < len)
			s = STATUS_INVALID_VIEW_SIZE;
		return s;
	}
	s = vfs_copy_range(src->fd, src_off, dst->fd, dst_off, len, &done);
	fsa_times_after_write(dst);
	if (NT_OK(s) && done < len)
		s = STATUS_INVALID_VIEW_SIZE; /* the source shrank meanwhile */
	if (done)
		fsa_notify_modified(dst, FSA_NOTIFY_SIZE | FSA_NOTIFY_LAST_WRITE);
	return s;
}

NTSTATUS fsa_duplicate_extents(struct fsa_open *src, struct fsa_open *dst, uint64_t src_off, uint64_t dst_off,
			       uint64_t len)
{
	if (src->is_dir || dst->is_dir)
		return STATUS_INVALID_PARAMETER;
	if (!signed_range_ok(src_off, len) || !signed_range_ok(dst_off, len))
		return STATUS_INVALID_PARAMETER;
	if (src->stream || dst->stream)
		return STATUS_NOT_SUPPORTED; /* xattr data has no blocks to share */
	if (len == 0)
		return STATUS_SUCCESS;
	uint64_t size;
	NTSTATUS s = file_size(src, &size);
	if (!NT_OK(s))
		return s;
	if (src_off + len > size)
		return STATUS_NOT_SUPPORTED; /* what Windows (ReFS) says for ranges past EOF */
	fsa_times_before_write(dst);
	s = vfs_clone_range(src->fd, src_off, dst->fd, dst_off, len);
	fsa_times_after_write(dst);
	if (NT_OK(s))
		fsa_notify_modified(dst, FSA_NOTIFY_SIZE | FSA_NOTIFY_LAST_WRITE);
	return s;
}

void fsa_object_id(const struct fsa_open *o, uint8_t object_id[16], uint8_t volume_id[16])
{
	/* stable for the life of the file: its (device, inode) */
	uint64_t dev = o->file ? o->file->dev : 0, ino = o->file ? o->file->ino : 0;
	for (int i = 0; i < 8; i++) {
		object_id[i] = (uint8_t)(ino >> (8 * i));
		object_id[8 + i] = (uint8_t)(dev >> (8 * i));
		volume_id[i] = (uint8_t)(dev >> (8 * i));
		volume_id[8 + i] = 0;
	}
}
