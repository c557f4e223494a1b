/* libFuzzer target driving a whole named pipe (rpc/pipe.h): the first byte
 * picks srvsvc or wkssvc and whether a valid bind goes first; the rest is a
 * sequence of [u16 length][bytes] writes, each followed by reads of a size
 * taken from the input. Every reply must be a well-formed PDU within the
 * negotiated fragment size, read back in message mode. */
#include <stdlib.h>
#include <string.h>

#include "rpc/pipe.h"
#include "wire/dcerpc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rpc_server_info *info;

static void setup(void)
{
	info = rpc_server_info_new("FUZZ", "fuzz server", "WORKGROUP");
	rpc_server_info_add_share(info, "IPC$", "IPC Service", NULL, true, true);
	rpc_server_info_add_share(info, "data", "Data", "/srv/data", true, false);
	rpc_server_info_add_share(info, "hidden", "", "/srv/h", false, false);
	rpc_server_info_add_share(info, "adm$", "admin", "/srv/a", true, false);
}

static const uint8_t bind_srvsvc[] = {
	0x05, 0x00, 0x0b, 0x03, 0x10, 0x00, 0x00, 0x00, 0x48, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
	0xb8, 0x10, 0xb8, 0x10, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00,
	0xc8, 0x4f, 0x32, 0x4b, 0x70, 0x16, 0xd3, 0x01, 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88,
	0x03, 0x00, 0x00, 0x00, 0x04, 0x5d, 0x88, 0x8a, 0xeb, 0x1c, 0xc9, 0x11, 0x9f, 0xe8, 0x08, 0x00,
	0x2b, 0x10, 0x48, 0x60, 0x02, 0x00, 0x00, 0x00,
};
static const uint8_t wkssvc_uuid[20] = { 0x98, 0xd0, 0xff, 0x6b, 0x12, 0xa1, 0x10, 0x36, 0x98, 0x33,
					 0x46, 0xc3, 0xf8, 0x7e, 0x34, 0x5a, 0x01, 0x00, 0x00, 0x00 };

static uint8_t msg[65536];

/* Reads everything pending with reads of at most cap bytes. */
static void drain(struct rpc_pipe *p, size_t cap)
{
	while (rpc_pipe_pending(p) > 0) {
		size_t len = 0;
		bool more = true;
		while (more) {
			size_t before = rpc_pipe_pending(p);
			size_t got = rpc_pipe_read(p, msg + len, cap, &more);
			if (got == 0 || got > cap || rpc_pipe_pending(p) != before - got || len + got > sizeof(msg))
				abort();
			len += got;
		}
		struct dcerpc_pdu pdu;
		if (!NT_OK(dcerpc_pdu_decode(msg, len, &pdu)) || len > RPC_MAX_FRAG)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!info)
		setup();
	if (size < 1)
		return 0;
	uint8_t sel = data[0];
	data++;
	size--;
	struct rpc_pipe *p = rpc_pipe_new(sel & 1 ? "\\PIPE\\wkssvc" : "srvsvc", info);
	if (!p)
		abort();
	if (sel & 2) {
		uint8_t b[sizeof(bind_srvsvc)];
		memcpy(b, bind_srvsvc, sizeof(b));
		if (sel & 1)
			memcpy(b + 32, wkssvc_uuid, sizeof(wkssvc_uuid));
		if (!NT_OK(rpc_pipe_write(p, b, sizeof(b))))
			abort();
		drain(p, 4096);
	}
	size_t cap = 16 + (sel >> 2) * 97;
	while (size >= 2) {
		size_t n = (size_t)(data[0] | data[1] << 8);
		data += 2;
		size -= 2;
		if (n > size)
			n = size;
		NTSTATUS st = rpc_pipe_write(p, data, n);
		if (!NT_OK(st) && !NT_EQ(st, STATUS_PIPE_BROKEN) && !NT_EQ(st, STATUS_INSUFFICIENT_RESOURCES))
			abort();
		if (NT_EQ(st, STATUS_PIPE_BROKEN) && !rpc_pipe_broken(p))
			abort();
		data += n;
		size -= n;
		drain(p, cap);
	}
	rpc_pipe_free(p);
	return 0;
}
