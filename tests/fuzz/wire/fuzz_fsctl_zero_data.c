/* libFuzzer target for wire_zero_data_req_decode (FILE_ZERO_DATA_INFORMATION) (wire/fsctl.c): any input either is refused
 * or decodes into slices inside it; accessors stay in bounds. */
#include "fuzz_util.h"
#include "wire/fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_zero_data_req q;
	if (NT_OK(wire_zero_data_req_decode(data, size, &q)) && size < 16)
		abort();
	return 0;
}
