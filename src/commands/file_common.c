/* Name and metadata conversions for the file commands (see file_common.h). */
#include "commands/file_common.h"
#include "conn/conn.h"
#include "conn/request.h"

#include <string.h>

#include "base/utf16.h"

NTSTATUS smb2_name_to_path(const uint8_t *name, size_t len, char *out, size_t cap, struct fsa_stream_name *sn)
{
	struct fsa_stream_name none;
	if (!sn)
		sn = &none;
	memset(sn, 0, sizeof(*sn));
	if (len == 0) {
		out[0] = 0;
		return STATUS_SUCCESS;
	}
	if (len & 1)
		return STATUS_OBJECT_NAME_INVALID;
	/* [MS-SMB2] 3.3.5.9: a leading backslash is invalid */
	if (name[0] == '\\' && name[1] == 0)
		return STATUS_INVALID_PARAMETER;
	if (utf16le_to_utf8(name, len, out, cap) < 0)
		return STATUS_OBJECT_NAME_INVALID;
	for (size_t i = 0; i < len; i += 2)
		if (name[i] == 0 && name[i + 1] == 0)
			return STATUS_OBJECT_NAME_INVALID;
	/* '/' separates too, as Samba accepts it (smbtorture relies on it) */
	for (char *p = out; *p; p++)
		if (*p == '\\')
			*p = '/';
	/* "file:stream:$DATA": the stream part is cut off (and checked) here */
	NTSTATUS st = fsa_stream_split(out, sn);
	if (!NT_OK(st))
		return st;
	if (sn == &none && none.kind != FSA_STREAM_NONE)
		return STATUS_OBJECT_NAME_INVALID; /* no streams where the caller takes none */
	/* a single trailing separator names the same object */
	size_t n = strlen(out);
	if (n > 1 && out[n - 1] == '/')
		out[n - 1] = 0;
	return fsa_check_path(out);
}

long path_to_smb2_name(const char *path, uint8_t *out, size_t cap)
{
	if (cap < 2)
		return -1;
	out[0] = '\\';
	out[1] = 0;
	long n = utf8_to_utf16le(path, out + 2, cap - 2);
	if (n < 0)
		return -1;
	for (long i = 2; i < n + 2; i += 2)
		if (out[i] == '/' && out[i + 1] == 0)
			out[i] = '\\';
	return n + 2;
}

void fsa_info_to_wire(const struct fsa_info *in, struct wire_file_info *out)
{
	memset(out, 0, sizeof(*out));
	out->creation_time = in->creation_time;
	out->last_access_time = in->last_access_time;
	out->last_write_time = in->last_write_time;
	out->change_time = in->change_time;
	out->allocation_size = in->allocation_size;
	out->end_of_file = in->end_of_file;
	out->attributes = in->attributes;
	out->nlink = in->nlink;
	out->delete_pending = in->delete_pending;
	out->directory = in->directory;
	out->index_number = in->file_id;
	out->volume_serial = in->volume_id;
}

void req_fsa_token(const struct smb2_req *req, struct fsa_token *t)
{
	const struct session *ss = req->sess;
	const struct tcon *f = req->tcon && req->tcon->forced ? req->tcon : NULL; /* force user/group */
	*t = (struct fsa_token){ .uid = (uint32_t)(f ? f->f_uid : ss->uid),
				 .gid = (uint32_t)(f ? f->f_gid : ss->gid),
				 .groups = f ? f->f_groups : ss->groups,
				 .n_groups = f ? f->f_n_groups : ss->n_groups,
				 .owner_uid = (uint32_t)ss->uid,
				 .guest = ss->guest,
				 .anonymous = ss->anonymous };
}
