/* libFuzzer target for wire_pipe_wait_req_decode (FSCTL_PIPE_WAIT) (wire/fsctl.c): any input either is refused
 * or decodes into slices inside it; accessors stay in bounds. */
#include "fuzz_util.h"
#include "wire/fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_pipe_wait_req q;
	if (!NT_OK(wire_pipe_wait_req_decode(data, size, &q)))
		return 0;
	check_slice(data, size, q.name, q.name_len);
	if (q.name_len & 1)
		abort();
	return 0;
}
