/* libFuzzer target for wire_compression_req_decode (COMPRESSION_STATE) (wire/fsctl.c): any input either is refused
 * or decodes into slices inside it; accessors stay in bounds. */
#include "fuzz_util.h"
#include "wire/fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint16_t f;
	if (NT_OK(wire_compression_req_decode(data, size, &f)) && size < 2)
		abort();
	return 0;
}
