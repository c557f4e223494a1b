/* libFuzzer target for wire_dup_extents_req_decode (DUPLICATE_EXTENTS_DATA) (wire/fsctl.c): any input either is refused
 * or decodes into slices inside it; accessors stay in bounds. */
#include "fuzz_util.h"
#include "wire/fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_dup_extents_req q;
	if (NT_OK(wire_dup_extents_req_decode(data, size, &q)) && size < 40)
		abort();
	return 0;
}
