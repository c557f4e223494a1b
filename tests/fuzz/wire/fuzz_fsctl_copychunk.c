/* libFuzzer target for wire_copychunk_req_decode (SRV_COPYCHUNK_COPY) (wire/fsctl.c): any input either is refused
 * or decodes into slices inside it; accessors stay in bounds. */
#include "fuzz_util.h"
#include "wire/fsctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_copychunk_req q;
	if (!NT_OK(wire_copychunk_req_decode(data, size, &q)))
		return 0;
	check_slice(data, size, q.source_key, WIRE_RESUME_KEY_LEN);
	check_slice(data, size, q.chunks, (size_t)q.chunk_count * 24);
	for (uint32_t i = 0; i < q.chunk_count; i++) {
		struct wire_chunk c;
		wire_copychunk_chunk(&q, i, &c);
	}
	return 0;
}
