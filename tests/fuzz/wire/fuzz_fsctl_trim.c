/* libFuzzer target for wire_trim_req_decode (FSCTL_FILE_LEVEL_TRIM) (wire/fsctl.c): any input either is refused
 * or decodes into slices inside it; accessors stay in bounds. */
#include "fuzz_util.h"
#include "wire/fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_trim_req q;
	if (!NT_OK(wire_trim_req_decode(data, size, &q)))
		return 0;
	check_slice(data, size, q.ranges, (size_t)q.num_ranges * 16);
	for (uint32_t i = 0; i < q.num_ranges; i++) {
		struct wire_range r;
		wire_trim_range(&q, i, &r);
	}
	return 0;
}
