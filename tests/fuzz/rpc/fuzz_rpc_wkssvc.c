/* libFuzzer target for the wkssvc request decoder and response encoder
 * (rpc/wkssvc.c): the first byte picks the opnum (NetrWkstaGetInfo or
 * itself), the rest is the NDR20 request stub. A call either faults or
 * writes a response within the writer, which must end with a WERROR. */
#include <stdlib.h>

#include "rpc/iface.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct rpc_server_info *info;
static uint8_t out[1 << 16];

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (!info)
		info = rpc_server_info_new("FUZZ", "fuzz server", "WORKGROUP");
	if (size < 1)
		return 0;
	uint16_t opnum = data[0] < 250 ? 0 : data[0];
	/* a small writer sometimes, to exercise the overflow path */
	size_t cap = data[0] & 0x80 ? 64 : sizeof(out);
	struct ndr_wr w = ndr_wr_init(out, cap);
	static const struct rpc_caller caller = { .anonymous = false };
	uint32_t fault = rpc_wkssvc_iface.call(info, &caller, opnum, data + 1, size - 1, &w);
	if (fault == 0 && !w.w.bad && w.w.pos < 8)
		abort();
	if (w.w.pos > cap)
		abort();
	return 0;
}
