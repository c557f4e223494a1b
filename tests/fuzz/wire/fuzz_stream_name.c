/* libFuzzer target for CREATE and rename names with stream syntax: client
 * UTF-16LE bytes through smb2_name_to_path (which splits "file:stream:$DATA"
 * with fsa_stream_split). Whatever it accepts must be a confined path (no
 * ':', no "." or ".." components) and a stream name free of separators and
 * colons within the xattr name limit. */
#include <stdlib.h>
#include <string.h>

#include "commands/file_common.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static char path[4096 + 1];
	struct fsa_stream_name sn;
	NTSTATUS st = smb2_name_to_path(data, size, path, sizeof(path), &sn);
	if (!NT_OK(st))
		return 0;
	if (strchr(path, ':') || strchr(path, '\\') || !NT_OK(fsa_check_path(path)))
		abort();
	switch (sn.kind) {
	case FSA_STREAM_NONE:
	case FSA_STREAM_DEFAULT:
		if (sn.name[0])
			abort();
		break;
	case FSA_STREAM_NAMED:
		if (!sn.name[0] || strlen(sn.name) > VFS_STREAM_NAME_MAX || strpbrk(sn.name, "/\\:"))
			abort();
		break;
	default:
		abort();
	}
	/* without a place for a stream, a stream part is refused */
	st = smb2_name_to_path(data, size, path, sizeof(path), NULL);
	if (NT_OK(st) && sn.kind != FSA_STREAM_NONE)
		abort();
	return 0;
}
