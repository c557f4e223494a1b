/* libFuzzer target for wire_resiliency_req_decode (NETWORK_RESILIENCY_REQUEST)
 * (wire/fsctl.c): any input is refused unless it holds the 8-byte request,
 * and reading it stays in bounds. */
#include "fuzz_util.h"
#include "wire/fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t t;
	if (NT_OK(wire_resiliency_req_decode(data, size, &t)) && size < 8)
		abort();
	return 0;
}
