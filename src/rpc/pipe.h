/* Named pipes on IPC$: one DCE/RPC server per open pipe ([MS-RPCE] 2.1.1.2
 * ncacn_np, C706 12.6 association rules), fed with the bytes a client writes
 * and drained by its reads. Independent of SMB: the caller maps CREATE,
 * WRITE, READ and FSCTL_PIPE_TRANSCEIVE onto these calls. No I/O here. */
#ifndef SMB3D_RPC_PIPE_H
#define SMB3D_RPC_PIPE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ntstatus.h"

struct config;

/* Share types ([MS-SRVS] 2.2.2.4) */
#define STYPE_DISKTREE 0x00000000u
#define STYPE_PRINTQ 0x00000001u
#define STYPE_DEVICE 0x00000002u
#define STYPE_IPC 0x00000003u
#define STYPE_SPECIAL 0x80000000u
#define STYPE_TEMPORARY 0x40000000u

/* Server types ([MS-SRVS] 2.2.2.7, SV_TYPE_*) */
#define SV_TYPE_WORKSTATION 0x00000001u
#define SV_TYPE_SERVER 0x00000002u
#define SV_TYPE_SERVER_UNIX 0x00000800u
#define SV_TYPE_NT 0x00001000u
#define SV_TYPE_SERVER_NT 0x00008000u

#define PLATFORM_ID_NT 500u /* [MS-SRVS] 2.2.2.6 */

/* Limits of one pipe. */
#define RPC_MAX_FRAG 5840		      /* our max_recv_frag/max_xmit_frag, like Samba */
#define RPC_MAX_REQUEST (4u * 1024 * 1024)    /* reassembled request stub */
#define RPC_MAX_PENDING_OUT (8u * 1024 * 1024) /* unread response bytes */

struct rpc_share_info {
	char *name;
	char *comment;
	char *path; /* Windows style ("C:\\srv\\data"); "" for IPC$ */
	uint32_t type;	 /* STYPE_* */
	bool browseable; /* false: hidden from NetrShareEnum, found by NetrShareGetInfo */
	uint32_t max_uses; /* 0xFFFFFFFF: unlimited */
	uint32_t current_uses;
};

/* What srvsvc and wkssvc report. Immutable once built; reference counted so
 * that open pipes keep the snapshot they started with. */
struct rpc_server_info {
	atomic_int refs;
	char *netbios_name; /* "SERVER" */
	char *comment;	    /* `server string` */
	char *workgroup;    /* workgroup or domain */
	uint32_t platform_id; /* PLATFORM_ID_NT */
	uint32_t version_major, version_minor;
	uint32_t server_type; /* SV_TYPE_* */
	struct rpc_share_info *shares;
	size_t n_shares;
};

/* An empty info (refs 1) with the given names, platform 500, version 6.1
 * and a workstation/server/NT/Unix server type; NULL on allocation failure. */
struct rpc_server_info *rpc_server_info_new(const char *netbios_name, const char *comment,
					    const char *workgroup);
/* Appends a share; the type is STYPE_IPC for is_ipc, else STYPE_DISKTREE,
 * with STYPE_SPECIAL when the name ends in '$'. unix_path becomes "C:" plus
 * the path with '/' turned into '\\' (NULL: ""). max_uses is unlimited and
 * current_uses 0; the caller may change them. Returns false on allocation
 * failure. */
bool rpc_server_info_add_share(struct rpc_server_info *info, const char *name, const char *comment,
			       const char *unix_path, bool browseable, bool is_ipc);
/* Builds the info from a config snapshot: netbios name, `server string`,
 * workgroup and every share (IPC$ included). NULL on allocation failure. */
struct rpc_server_info *rpc_server_info_from_config(const struct config *c);
struct rpc_server_info *rpc_server_info_get(struct rpc_server_info *info);
void rpc_server_info_put(struct rpc_server_info *info);

struct rpc_pipe;

/* True if name is a pipe we serve: "srvsvc" or "wkssvc", case-insensitive,
 * with an optional leading "\\PIPE\\" (or "\\pipe\\"). */
bool rpc_pipe_known(const char *name);

/* Opens a pipe; takes a reference on info. NULL for an unknown name or on
 * allocation failure. */
struct rpc_pipe *rpc_pipe_new(const char *name, struct rpc_server_info *info);
void rpc_pipe_free(struct rpc_pipe *p);

/* Tells the pipe who opened it: an anonymous (null session) caller is
 * refused the share levels that reveal paths and details (WERR_ACCESS_DENIED,
 * like Windows and Samba). A new pipe assumes an authenticated caller. */
void rpc_pipe_set_caller(struct rpc_pipe *p, bool anonymous);

/* Client -> server bytes; any split of the PDU stream is fine. Complete PDUs
 * are processed at once and their replies queued for rpc_pipe_read.
 * Returns STATUS_SUCCESS when the bytes were taken (even if they caused a
 * fault or bind_nak reply), STATUS_PIPE_BROKEN once a protocol error has
 * shut the pipe (nothing more is accepted; queued replies can still be
 * read), STATUS_INSUFFICIENT_RESOURCES if more than RPC_MAX_PENDING_OUT
 * reply bytes are waiting to be read (nothing is taken), STATUS_NO_MEMORY on
 * allocation failure (the pipe is then broken). */
NTSTATUS rpc_pipe_write(struct rpc_pipe *p, const uint8_t *data, size_t len);

/* Server -> client bytes, message mode: copies at most cap bytes of the
 * current reply PDU into out and returns the count (0 when nothing is
 * pending). *more is set when bytes of that same PDU remain (the SMB layer
 * answers STATUS_BUFFER_OVERFLOW); further PDUs need further reads. */
size_t rpc_pipe_read(struct rpc_pipe *p, uint8_t *out, size_t cap, bool *more);

/* All reply bytes waiting to be read (every queued PDU). */
size_t rpc_pipe_pending(const struct rpc_pipe *p);

/* True once a protocol error or bind_nak has shut the pipe. */
bool rpc_pipe_broken(const struct rpc_pipe *p);

#endif
