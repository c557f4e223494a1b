/* libFuzzer target for the user.DOSATTRIB decoder (src/vfs/dosattrib.c):
 * arbitrary bytes must decode or fail cleanly, and whatever decodes must
 * survive an encode/decode round trip unchanged. */
#include <stdint.h>
#include <stdlib.h>

#include "vfs/dosattrib.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vfs_dosinfo d, back;
	uint16_t ver;
	if (!NT_OK(vfs_dosattrib_decode(data, size, &d, &ver))) {
		if (d.has_attrs || d.has_create_time)
			abort(); /* a failed decode leaves nothing behind */
		return 0;
	}
	if (ver == 0 || (ver > 5 && ver != VFS_DOSATTRIB_HEX_ONLY))
		abort();
	if (d.has_create_time && d.create_time == 0)
		abort(); /* a zero time means absent */
	uint8_t buf[VFS_DOSATTRIB_MAX_LEN];
	size_t n = vfs_dosattrib_encode(&d, buf, sizeof(buf));
	if (n != (d.has_change_time ? VFS_DOSATTRIB_MAX_LEN : VFS_DOSATTRIB_V5_LEN) || !NT_OK(vfs_dosattrib_decode(buf, n, &back, &ver)) || ver != 5)
		abort();
	if (back.has_attrs != d.has_attrs || back.attrs != d.attrs || back.has_create_time != d.has_create_time ||
	    back.create_time != d.create_time || back.has_change_time != d.has_change_time ||
	    back.change_time != d.change_time || back.change_mark.tv_sec != d.change_mark.tv_sec ||
	    back.change_mark.tv_nsec != d.change_mark.tv_nsec)
		abort();
	return 0;
}
