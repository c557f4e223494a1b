/* The interfaces a pipe can serve ([MS-SRVS], [MS-WKST]): their syntax id and
 * one entry point that turns an NDR20 request stub into a response stub.
 * Internal to src/rpc/. */
#ifndef SMB3D_RPC_IFACE_H
#define SMB3D_RPC_IFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rpc/pipe.h"
#include "wire/dcerpc.h"
#include "wire/ndr.h"

/* Win32 error codes returned in WERROR / NET_API_STATUS ([MS-ERREF] 2.2) */
#define WERR_OK 0u
#define WERR_ACCESS_DENIED 5u
#define WERR_NOT_SUPPORTED 50u
#define WERR_NOT_ENOUGH_MEMORY 8u
#define WERR_INVALID_PARAMETER 87u
#define WERR_INVALID_NAME 123u
#define WERR_INVALID_LEVEL 124u
#define NERR_NetNameNotFound 2310u
#define NERR_DeviceNotShared 2311u

/* Who is calling, as the SMB session told the pipe (rpc_pipe_set_caller). */
struct rpc_caller {
	bool anonymous; /* a null session: no share paths or details */
};

struct rpc_iface {
	const char *name;	   /* pipe name, e.g. "srvsvc" */
	struct dcerpc_syntax syntax; /* abstract syntax */
	/* Runs operation opnum on the request stub in/in_len and writes the
	 * response stub to out. Returns 0, or a fault status
	 * (nca_s_op_rng_error for an unknown opnum, DCERPC_FAULT_NDR for stub
	 * data that does not decode). A writer left bad means the response did
	 * not fit: the caller retries with more room. Pure: no state kept. */
	uint32_t (*call)(const struct rpc_server_info *info, const struct rpc_caller *caller, uint16_t opnum,
			 const uint8_t *in, size_t in_len, struct ndr_wr *out);
};

extern const struct rpc_iface rpc_srvsvc_iface;
extern const struct rpc_iface rpc_wkssvc_iface;

#endif
