/* Named pipes on IPC$ (cmd_pipe.c): the pipe branches of CREATE, READ,
 * WRITE and IOCTL. */
#ifndef SMB3D_COMMANDS_CMD_PIPE_H
#define SMB3D_COMMANDS_CMD_PIPE_H

#include <stddef.h>
#include <stdint.h>

#include "base/ntstatus.h"

struct smb2_req;
struct fsa_open;
struct wire_create_req;
struct ioctl_req;

NTSTATUS pipe_create(struct smb2_req *req, const struct wire_create_req *q);
NTSTATUS pipe_read(struct smb2_req *req, struct fsa_open *o, uint32_t length);
NTSTATUS pipe_write(struct smb2_req *req, struct fsa_open *o, const uint8_t *data, size_t len);
/* FSCTL_PIPE_TRANSCEIVE on a pipe handle, FSCTL_PIPE_WAIT on IPC$ */
NTSTATUS pipe_ioctl(struct smb2_req *req, const struct ioctl_req *q);

#endif
