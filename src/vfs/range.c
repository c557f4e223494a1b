/* Byte-range operations on open files: server-side copy (copy_file_range,
 * so the file system may share blocks), block cloning (FICLONERANGE), hole
 * punching and zeroing (fallocate), and allocated-range discovery
 * (SEEK_DATA/SEEK_HOLE). errno becomes NTSTATUS here. */
#include <errno.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "vfs/vfs.h"

#define BOUNCE_MAX (1u << 20)

static bool range_ok(uint64_t off, uint64_t len)
{
	return off <= INT64_MAX && len <= (uint64_t)INT64_MAX - off;
}

/* pread/pwrite through a buffer that holds a whole piece before writing it,
 * so overlapping ranges of one file copy as if read first (up to 1 MiB). */
static NTSTATUS bounce_copy(int src_fd, uint64_t src_off, int dst_fd, uint64_t dst_off, uint64_t len,
			    uint64_t *done)
{
	size_t cap = len < BOUNCE_MAX ? (size_t)len : BOUNCE_MAX;
	uint8_t *buf = malloc(cap ? cap : 1);
	if (!buf)
		return STATUS_NO_MEMORY;
	NTSTATUS s = STATUS_SUCCESS;
	while (*done < len) {
		size_t want = len - *done < cap ? (size_t)(len - *done) : cap, got = 0, put = 0;
		s = vfs_pread(src_fd, buf, want, src_off + *done, &got);
		if (!NT_OK(s) || got == 0)
			break;
		s = vfs_pwrite(dst_fd, buf, got, dst_off + *done, &put);
		*done += put;
		if (!NT_OK(s) || got < want)
			break;
	}
	free(buf);
	return s;
}

NTSTATUS vfs_copy_range(int src_fd, uint64_t src_off, int dst_fd, uint64_t dst_off, uint64_t len, uint64_t *done)
{
	*done = 0;
	if (!range_ok(src_off, len) || !range_ok(dst_off, len))
		return STATUS_INVALID_PARAMETER;
	while (*done < len) {
		loff_t in = (loff_t)(src_off + *done), out = (loff_t)(dst_off + *done);
		size_t want = len - *done > (1u << 30) ? (1u << 30) : (size_t)(len - *done);
		ssize_t k = copy_file_range(src_fd, &in, dst_fd, &out, want, 0);
		if (k > 0) {
			*done += (uint64_t)k;
			continue;
		}
		if (k == 0)
			return STATUS_SUCCESS; /* end of the source */
		if (errno == EINTR)
			continue;
		/* overlapping ranges of one file (EINVAL), across file systems
		 * on older kernels (EXDEV), no support: copy by hand */
		if (errno == EINVAL || errno == EXDEV || errno == ENOSYS || errno == EOPNOTSUPP || errno == ETXTBSY)
			return bounce_copy(src_fd, src_off, dst_fd, dst_off, len, done);
		return vfs_errno_to_status(errno);
	}
	return STATUS_SUCCESS;
}

NTSTATUS vfs_clone_range(int src_fd, uint64_t src_off, int dst_fd, uint64_t dst_off, uint64_t len)
{
	if (!range_ok(src_off, len) || !range_ok(dst_off, len))
		return STATUS_INVALID_PARAMETER;
	struct file_clone_range fcr = {
		.src_fd = src_fd,
		.src_offset = src_off,
		.src_length = len,
		.dest_offset = dst_off,
	};
	while (ioctl(dst_fd, FICLONERANGE, &fcr) < 0) {
		if (errno == EINTR)
			continue;
		/* no shared-extent support, different file systems, or ranges
		 * the file system cannot clone (unaligned): not supported */
		if (errno == EOPNOTSUPP || errno == ENOTTY || errno == EXDEV || errno == EINVAL || errno == ENOSYS)
			return STATUS_NOT_SUPPORTED;
		return vfs_errno_to_status(errno);
	}
	return STATUS_SUCCESS;
}

static int falloc(int fd, int mode, uint64_t off, uint64_t len)
{
	int r;
	do
		r = fallocate(fd, mode, (off_t)off, (off_t)len);
	while (r < 0 && errno == EINTR);
	return r < 0 ? errno : 0;
}

/* Writes zeros over [off, off+len) (a file system without fallocate). */
static NTSTATUS write_zeros(int fd, uint64_t off, uint64_t len)
{
	static const uint8_t zeros[65536];
	while (len) {
		size_t n = len < sizeof(zeros) ? (size_t)len : sizeof(zeros), put;
		NTSTATUS s = vfs_pwrite(fd, zeros, n, off, &put);
		if (!NT_OK(s))
			return s;
		off += n;
		len -= n;
	}
	return STATUS_SUCCESS;
}

NTSTATUS vfs_punch_hole(int fd, uint64_t off, uint64_t len)
{
	if (!range_ok(off, len))
		return STATUS_INVALID_PARAMETER;
	if (len == 0)
		return STATUS_SUCCESS;
	int e = falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
	if (e == EOPNOTSUPP || e == ENOSYS)
		return write_zeros(fd, off, len);
	return e ? vfs_errno_to_status(e) : STATUS_SUCCESS;
}

NTSTATUS vfs_zero_range(int fd, uint64_t off, uint64_t len)
{
	if (!range_ok(off, len))
		return STATUS_INVALID_PARAMETER;
	if (len == 0)
		return STATUS_SUCCESS;
	int e = falloc(fd, FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, off, len);
	if (e == EOPNOTSUPP || e == ENOSYS) {
		/* punch, then allocate the range again */
		e = falloc(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, off, len);
		if (e == 0) {
			e = falloc(fd, FALLOC_FL_KEEP_SIZE, off, len);
			if (e == EOPNOTSUPP || e == ENOSYS)
				e = 0;
		} else if (e == EOPNOTSUPP || e == ENOSYS) {
			return write_zeros(fd, off, len);
		}
	}
	return e ? vfs_errno_to_status(e) : STATUS_SUCCESS;
}

NTSTATUS vfs_next_data(int fd, uint64_t off, uint64_t *data, uint64_t *hole)
{
	if (off > INT64_MAX)
		return STATUS_INVALID_PARAMETER;
	off_t d = lseek(fd, (off_t)off, SEEK_DATA);
	if (d < 0) {
		if (errno == ENXIO) { /* no data at or after off */
			*data = *hole = UINT64_MAX;
			return STATUS_SUCCESS;
		}
		if (errno == EINVAL || errno == EOPNOTSUPP) { /* no hole support: all data */
			*data = off;
			*hole = UINT64_MAX;
			return STATUS_SUCCESS;
		}
		return vfs_errno_to_status(errno);
	}
	off_t h = lseek(fd, d, SEEK_HOLE);
	if (h < 0)
		return errno == ENXIO ? (*data = *hole = UINT64_MAX, STATUS_SUCCESS) : vfs_errno_to_status(errno);
	*data = (uint64_t)d;
	*hole = (uint64_t)h;
	return STATUS_SUCCESS;
}
