/* SESSION_SETUP, LOGOFF, TREE_CONNECT, TREE_DISCONNECT, ECHO and IOCTL
 * request/response codecs ([MS-SMB2] 2.2.5-2.2.12, 2.2.28, 2.2.31, 2.2.32).
 * Pure codecs: slices point into the caller's message. */
#ifndef SMB3D_WIRE_SESSION_H
#define SMB3D_WIRE_SESSION_H

#include "base/ntstatus.h"
#include "base/rdwr.h"
#include "wire/smb2.h"

struct sess_setup_req {
	uint8_t flags;
	uint8_t security_mode;
	uint32_t capabilities;
	uint64_t previous_session_id;
	const uint8_t *sec;
	size_t sec_len;
};
NTSTATUS wire_sess_setup_req_decode(const uint8_t *msg, size_t len, struct sess_setup_req *q);
void wire_sess_setup_rsp_encode(struct wr *w, uint16_t session_flags, const uint8_t *sec, size_t sec_len);

struct tree_connect_req {
	uint16_t flags;
	const uint8_t *path; /* UTF-16LE "\\server\share" */
	size_t path_len;
};
NTSTATUS wire_tree_connect_req_decode(const uint8_t *msg, size_t len, struct tree_connect_req *q);
void wire_tree_connect_rsp_encode(struct wr *w, uint8_t share_type, uint32_t share_flags, uint32_t capabilities,
				  uint32_t maximal_access);

/* LOGOFF, TREE_DISCONNECT, ECHO and CANCEL: a 4-byte body. */
NTSTATUS wire_simple_req_decode(const uint8_t *msg, size_t len);
void wire_simple_rsp_encode(struct wr *w);

struct ioctl_req {
	uint32_t ctl_code;
	uint64_t fid_persistent, fid_volatile;
	const uint8_t *in;
	size_t in_len;
	uint32_t max_input_response;
	uint32_t max_output_response;
	uint32_t flags;
};
NTSTATUS wire_ioctl_req_decode(const uint8_t *msg, size_t len, struct ioctl_req *q);
/* Output data follows the 48-byte fixed body at header offset 112. */
void wire_ioctl_rsp_encode(struct wr *w, uint32_t ctl_code, uint64_t fid_p, uint64_t fid_v, const uint8_t *out,
			   size_t out_len);
/* The same with `padding` zero bytes between the fixed part and the data. */
void wire_ioctl_rsp_encode_padded(struct wr *w, uint8_t padding, uint32_t ctl_code, uint64_t fid_p, uint64_t fid_v,
				  const uint8_t *out, size_t out_len);

#endif
