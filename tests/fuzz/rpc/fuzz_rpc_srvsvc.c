/* libFuzzer target for the srvsvc request decoders and response encoders
 * (rpc/srvsvc.c): the first byte picks the opnum (one of the implemented
 * ones, or itself when >= 250) and, with bit 6, an anonymous caller; the
 * rest is the NDR20 request stub. A call either faults or writes a response
 * within the writer, which must end with a WERROR. */
#include <stdlib.h>

#include "rpc/iface.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rpc_server_info *info;
static uint8_t out[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!info) {
		info = rpc_server_info_new("FUZZ", "fuzz server", "WORKGROUP");
		rpc_server_info_add_share(info, "IPC$", "IPC Service", NULL, true, true);
		rpc_server_info_add_share(info, "data", "Data", "/srv/data", true, false);
		rpc_server_info_add_share(info, "hidden", "", "/srv/h", false, false);
	}
	if (size < 1)
		return 0;
	static const uint16_t ops[] = { 15, 16, 21, 0, 3, 8, 9, 12, 20, 23, 26, 28, 36 };
	uint16_t opnum = data[0] < 250 ? ops[(data[0] & 0x3f) % (sizeof(ops) / sizeof(ops[0]))] : data[0];
	const struct rpc_caller caller = { .anonymous = (data[0] & 0x40) != 0 };
	/* a small writer sometimes, to exercise the overflow path */
	size_t cap = data[0] & 0x80 ? 64 : sizeof(out);
	struct ndr_wr w = ndr_wr_init(out, cap);
	uint32_t fault = rpc_srvsvc_iface.call(info, &caller, opnum, data + 1, size - 1, &w);
	if (fault == 0 && !w.w.bad && w.w.pos < 8)
		abort();
	if (w.w.pos > cap)
		abort();
	return 0;
}
