/* Extended attributes of files ([MS-FSA] 2.1.5.14.4 FileFullEaInformation,
 * 2.1.5.11.11 FileEaInformation): name rules, upper-cased names as NTFS
 * keeps them, setting and removing, and the EaSize clients see. Storage is
 * vfs/'s. */
#include <ctype.h>
#include <string.h>

#include "fsa/fsa.h"

NTSTATUS fsa_ea_name_check(const uint8_t *name, size_t len, char out[VFS_EA_NAME_MAX + 1])
{
	if (len == 0 || len > VFS_EA_NAME_MAX)
		return STATUS_INVALID_EA_NAME;
	for (size_t i = 0; i < len; i++) {
		uint8_t c = name[i];
		/* [MS-FSCC] 2.4.15: ASCII without controls and these */
		if (c < 0x20 || c >= 0x7f || strchr("\"*+,/:;<=>?[\\]|", c))
			return STATUS_INVALID_EA_NAME;
		out[i] = (char)toupper(c);
	}
	out[len] = 0;
	return STATUS_SUCCESS;
}

NTSTATUS fsa_ea_set(struct fsa_open *o, const struct wire_ea *eas, size_t n)
{
	char name[VFS_EA_NAME_MAX + 1];
	for (size_t i = 0; i < n; i++) {
		NTSTATUS st = fsa_ea_name_check(eas[i].name, eas[i].name_len, name);
		if (!NT_OK(st))
			return st;
	}
	if (o->fd < 0)
		return STATUS_ACCESS_DENIED;
	for (size_t i = 0; i < n; i++) {
		(void)fsa_ea_name_check(eas[i].name, eas[i].name_len, name);
		NTSTATUS st = vfs_ea_set(o->fd, name, eas[i].value, eas[i].value_len);
		if (!NT_OK(st))
			return st;
	}
	return STATUS_SUCCESS;
}

NTSTATUS fsa_ea_list(struct fsa_open *o, struct vfs_ea_list *out)
{
	return vfs_ea_list(o->fd, out);
}

uint32_t fsa_ea_size(const struct vfs_ea_list *l)
{
	/* the FILE_FULL_EA_INFORMATION chain of all of them, entries 4-aligned */
	uint32_t size = 0;
	for (size_t i = 0; i < l->n; i++) {
		uint32_t e = 8 + (uint32_t)strlen(l->v[i].name) + 1 + l->v[i].len;
		size += i + 1 < l->n ? (e + 3) & ~3u : e;
	}
	return size;
}
