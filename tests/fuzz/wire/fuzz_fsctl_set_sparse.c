/* libFuzzer target for wire_set_sparse_req_decode (FILE_SET_SPARSE_BUFFER) (wire/fsctl.c): any input either is refused
 * or decodes into slices inside it; accessors stay in bounds. */
#include "fuzz_util.h"
#include "wire/fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bool sparse;
	if (!NT_OK(wire_set_sparse_req_decode(size ? data : NULL, size, &sparse)))
		abort(); /* every buffer is acceptable */
	if (size == 0 && !sparse)
		abort();
	return 0;
}
