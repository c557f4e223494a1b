/* libFuzzer target for wire_alloc_ranges_req_decode (FILE_ALLOCATED_RANGE_BUFFER) (wire/fsctl.c): any input either is refused
 * or decodes into slices inside it; accessors stay in bounds. */
#include "fuzz_util.h"
#include "wire/fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_range q;
	if (NT_OK(wire_alloc_ranges_req_decode(data, size, &q)) && size < 16)
		abort();
	return 0;
}
