/* The FSCTL families behind SMB2 IOCTL on a file handle (cmd_ioctl.c
 * dispatches): server-side copy (ioctl_copy.c), sparse files and ranges
 * (ioctl_sparse.c), object ids, snapshots, compression, reparse points
 * (ioctl_misc.c) and network interfaces (ioctl_net.c). Each handler decodes
 * its input with wire/fsctl.h, acts through fsa/ (offloaded when it touches
 * the file system) and leaves its output in the state for ioctl_finish(). */
#ifndef SMB3D_COMMANDS_IOCTL_INT_H
#define SMB3D_COMMANDS_IOCTL_INT_H

#include "conn/request.h"
#include "fsa/fsa.h"
#include "wire/fsctl.h"
#include "wire/session.h"

struct ioctl_state {
	struct fsa_open *open; /* first: see req_open_state() */
	struct ioctl_req q;
	struct fsa_open *src;  /* copy/clone source (its own reference) */
	uint8_t *out;	       /* output buffer (malloc'd), out_len bytes used */
	size_t out_len;
	struct fsa_break breaks[FSA_MAX_BREAKS]; /* level II breaks after a write */
	int n_breaks;
	union {
		struct wire_copychunk_req cc;
		struct wire_dup_extents_req dup;
		struct wire_zero_data_req zero;
		struct {
			struct wire_range in;
			struct fsa_range *v;
			size_t cap, n;
		} ranges;
		bool sparse;
	} u;
	/* copychunk progress */
	uint32_t chunks_written, total_written;
};

/* The IOCTL response: out (n bytes, within MaxOutputResponse) with status
 * st; an error without output gets the error body. */
NTSTATUS ioctl_reply(struct smb2_req *req, const struct ioctl_req *q, const uint8_t *out, size_t n, NTSTATUS st);
/* A done() for offloaded handlers: delivers breaks, replies with the
 * state's output and req->work_status. */
NTSTATUS ioctl_finish(struct smb2_req *req);
/* Allocates the state's output buffer (n bytes, zeroed). */
bool ioctl_out_alloc(struct ioctl_state *s, size_t n);

/* Each returns the reply status (STATUS_PENDING when offloaded). */
NTSTATUS ioctl_request_resume_key(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_copychunk(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_duplicate_extents(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_set_sparse(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_zero_data(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_allocated_ranges(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_file_level_trim(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_object_id(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_enumerate_snapshots(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_get_compression(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_set_compression(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_get_reparse_point(struct smb2_req *req, struct ioctl_state *s);
NTSTATUS ioctl_request_resiliency(struct smb2_req *req, struct ioctl_state *s);

/* FSCTL_QUERY_NETWORK_INTERFACE_INFO (no file handle). */
NTSTATUS ioctl_network_interfaces(struct smb2_req *req, const struct ioctl_req *q);

#endif
