/* SMB2 QUERY_INFO and SET_INFO ([MS-SMB2] 3.3.5.20, 3.3.5.21; [MS-FSA]
 * 2.1.5.11-2.1.5.14; [MS-FSCC] 2.4, 2.5): file and file-system classes
 * from fsa/, a security descriptor synthesised from the POSIX owner, group
 * and mode, and the settable file classes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/utf16.h"
#include "commands/file_common.h"
#include "config/config.h"
#include "conn/opens.h"
#include "conn/request.h"
#include "wire/file.h"
#include "wire/fileinfo.h"
#include "wire/security.h"

#define FILE_CASE_SENSITIVE_SEARCH 0x00000001
#define FILE_CASE_PRESERVED_NAMES 0x00000002
#define FILE_UNICODE_ON_DISK 0x00000004
#define FILE_PERSISTENT_ACLS 0x00000008
#define FILE_SUPPORTS_SPARSE_FILES 0x00000040
#define FILE_SUPPORTS_OBJECT_IDS 0x00010000
#define FILE_DEVICE_DISK 0x00000007
#define FILE_DEVICE_IS_MOUNTED 0x00000020

struct info_state {
	struct fsa_open *open; /* first: see req_open_state() */
	struct wire_query_info_req q;
	struct wire_set_info_req s;
	struct fsa_info info;
	struct vfs_fsinfo fsinfo;
	struct vfs_stat st;
	char path[4096 + 1];
	uint8_t name16[8192 + 2];
	long name16_len;
	char share_name[81];
	bool case_insensitive;
	/* set info arguments */
	struct wire_basic_info basic;
	struct wire_rename_info rename;
	struct fsa_stream_name rename_stream; /* a rename target's stream part */
	bool stream_rename;		      /* the target is ":name[:$DATA]" */
	bool flag;
	uint64_t u64;
	/* security */
	struct fsa_token token;
	struct fsa_sd *sd;	   /* queried */
	struct wire_sd set_sd;	   /* to set (points into the request) */
	struct wire_ace *set_aces;
	/* streams (FileStreamInformation) */
	struct vfs_stream_list streams;
	bool has_data;
	uint64_t data_size, data_alloc;
	char stream[VFS_STREAM_NAME_MAX + 1]; /* the handle's stream, "" for none */
	/* extended attributes */
	struct vfs_ea_list eas;
	bool no_eas; /* known without eas: the file has none */
	struct wire_ea *set_eas;
	size_t n_set_eas;
	/* breaks a size change or rename starts, and a rename's wait for them */
	struct fsa_break breaks[FSA_MAX_BREAKS];
	int n_breaks;
	struct break_wait wait;
};

static void info_release(struct smb2_req *req)
{
	struct info_state *s = req->cmd_state;
	if (s) {
		fsa_sd_free(s->sd);
		free(s->set_aces);
		vfs_ea_list_free(&s->eas);
		vfs_stream_list_free(&s->streams);
		free(s->set_eas);
		break_wait_release(&s->wait);
	}
	req_open_state_release(req);
}

static NTSTATUS info_begin(struct smb2_req *req, uint64_t fid_p, uint64_t fid_v, struct info_state **out)
{
	NTSTATUS st;
	struct info_state *s = req_open_state(req, fid_p, fid_v, sizeof(*s), &st);
	if (!s)
		return st;
	req->release = info_release;
	if (s->open->has_token)
		s->token = s->open->token; /* the opener's, as for the file-system calls */
	else
		req_fsa_token(req, &s->token);
	s->case_insensitive = req->tcon->case_insensitive;
	snprintf(s->share_name, sizeof(s->share_name), "%s", req->tcon->share ? req->tcon->share->name : "");
	*out = s;
	return STATUS_SUCCESS;
}

/* --- QUERY_INFO --- */

static void query_work(struct smb2_req *req)
{
	struct info_state *s = req->cmd_state;
	struct fsa_open *o = s->open;
	switch (s->q.info_type) {
	case SMB2_0_INFO_FILE:
		req->work_status = fsa_query_info(o, &s->info);
		fsa_open_path(o, s->path, sizeof(s->path));
		fsa_open_stream_name(o, s->stream, sizeof(s->stream));
		if (NT_OK(req->work_status) && s->q.info_class == FileStreamInformation)
			req->work_status = fsa_stream_list(o, &s->streams, &s->has_data, &s->data_size, &s->data_alloc);
		if (NT_OK(req->work_status) && (s->q.info_class == FileFullEaInformation ||
						s->q.info_class == FileEaInformation ||
						s->q.info_class == FileAllInformation))
			req->work_status = fsa_ea_list(o, &s->eas);
		break;
	case SMB2_0_INFO_FILESYSTEM:
		req->work_status = vfs_statfs(o->fd, &s->fsinfo);
		break;
	case SMB2_0_INFO_SECURITY:
		s->sd = fsa_query_security(o, &req->work_status);
		break;
	default:
		req->work_status = STATUS_INVALID_PARAMETER;
	}
}

/* The common file classes of a file's own handle are answered on the loop
 * from the open's metadata cache and one fstat (fsa_query_info_cached),
 * saving two thread hand-offs; false: query_work on an offload thread. */
static bool query_inline(struct smb2_req *req, struct info_state *s)
{
	if (s->q.info_type != SMB2_0_INFO_FILE)
		return false;
	bool need_eas = false;
	switch (s->q.info_class) {
	case FileAllInformation:
	case FileEaInformation:
		need_eas = true;
		break;
	case FileBasicInformation:
	case FileStandardInformation:
	case FileInternalInformation:
	case FileAccessInformation:
	case FileNameInformation:
	case FileNormalizedNameInformation:
	case FilePositionInformation:
	case FileModeInformation:
	case FileAlignmentInformation:
	case FileNetworkOpenInformation:
	case FileAttributeTagInformation:
		break;
	default:
		return false;
	}
	if (!fsa_query_info_cached(s->open, &s->info, need_eas))
		return false;
	s->no_eas = need_eas;
	fsa_open_path(s->open, s->path, sizeof(s->path));
	s->stream[0] = '\0'; /* a stream's handle is never cached */
	req->work_status = STATUS_SUCCESS;
	return true;
}

static NTSTATUS encode_out(struct smb2_req *req, NTSTATUS (*fn)(struct wr *w, struct info_state *s, size_t max))
{
	struct info_state *s = req->cmd_state;
	size_t max = s->q.output_buffer_length;
	struct wr *w = req_body(req, wire_rsp_size(8, max));
	if (!w)
		return STATUS_NO_MEMORY;
	size_t begin = wire_out_rsp_begin(w);
	NTSTATUS st = fn(w, s, max);
	if (NT_ERR(st)) {
		req->has_body = false;
		return st;
	}
	wire_out_rsp_end(w, begin);
	return st;
}

/* [MS-SMB2] 3.3.5.20.1 / [MS-FSA] 2.1.5.11.11 FileFullEaInformation: the
 * EAs named in the InputBuffer, else the next ones of this open's scan. */
static NTSTATUS full_ea_encode(struct wr *w, struct info_state *s, size_t max)
{
	struct fsa_open *o = s->open;
	size_t last = WIRE_CHAIN_NONE, added = 0, old = wire_wr_limit(w, max);
	NTSTATUS st = STATUS_SUCCESS;
	if (s->q.input_len) {
		size_t n = 0;
		st = wire_get_ea_decode(s->q.input, s->q.input_len, NULL, 0, &n);
		struct wire_ea *want = NT_OK(st) ? calloc(n ? n : 1, sizeof(*want)) : NULL;
		if (NT_OK(st) && !want)
			st = STATUS_NO_MEMORY;
		if (NT_OK(st))
			st = wire_get_ea_decode(s->q.input, s->q.input_len, want, n, &n);
		for (size_t i = 0; NT_OK(st) && i < n; i++) {
			struct wire_ea e = { .name = want[i].name, .name_len = want[i].name_len };
			for (size_t j = 0; j < s->eas.n; j++)
				if (strlen(s->eas.v[j].name) == want[i].name_len &&
				    !strncasecmp(s->eas.v[j].name, (const char *)want[i].name, want[i].name_len)) {
					e.value = s->eas.v[j].value;
					e.value_len = s->eas.v[j].len;
				}
			if (!wire_full_ea_append(w, &last, &e)) {
				st = added ? STATUS_BUFFER_OVERFLOW : STATUS_BUFFER_TOO_SMALL;
				break;
			}
			added++;
		}
		free(want);
		w->cap = old;
		return st;
	}
	if (s->q.flags & SL_RESTART_SCAN)
		o->ea_index = 0;
	if (s->eas.n == 0) {
		w->cap = old;
		return STATUS_NO_EAS_ON_FILE;
	}
	if (o->ea_index >= s->eas.n) {
		w->cap = old;
		return STATUS_NO_MORE_EAS;
	}
	while (o->ea_index < s->eas.n) {
		const struct vfs_ea *v = &s->eas.v[o->ea_index];
		struct wire_ea e = { .name = (const uint8_t *)v->name,
				     .name_len = (uint8_t)strlen(v->name),
				     .value = v->value,
				     .value_len = v->len };
		if (!wire_full_ea_append(w, &last, &e)) {
			st = added ? STATUS_BUFFER_OVERFLOW : STATUS_BUFFER_TOO_SMALL;
			break;
		}
		added++;
		o->ea_index++;
		if (s->q.flags & SL_RETURN_SINGLE_ENTRY)
			break;
	}
	w->cap = old;
	return st;
}

/* [MS-FSA] 2.1.5.11.29 FileStreamInformation: "::$DATA" first for a file
 * (a directory has none), then its named streams as ":name:$DATA". */
static NTSTATUS stream_info_encode(struct wr *w, struct info_state *s, size_t max)
{
	size_t last = (size_t)-1, old = wire_wr_limit(w, max);
	NTSTATUS st = STATUS_SUCCESS;
	uint8_t name16[2 * (VFS_STREAM_NAME_MAX + 8)];
	for (size_t i = 0; NT_OK(st) && i < s->streams.n + 1; i++) {
		struct wire_stream_entry e;
		char name[VFS_STREAM_NAME_MAX + 8];
		if (i == 0) {
			if (!s->has_data)
				continue;
			snprintf(name, sizeof(name), "::$DATA");
			e = (struct wire_stream_entry){ .size = s->data_size, .alloc = s->data_alloc };
		} else {
			const struct vfs_stream *v = &s->streams.v[i - 1];
			snprintf(name, sizeof(name), ":%s:$DATA", v->name);
			e = (struct wire_stream_entry){ .size = v->size, .alloc = fsa_stream_alloc(v->size) };
		}
		long n = utf8_to_utf16le(name, name16, sizeof(name16));
		if (n < 0)
			continue; /* not representable (a name written by another program) */
		e.name = name16;
		e.name_len = (size_t)n;
		if (!wire_stream_append(w, &last, &e))
			st = STATUS_BUFFER_OVERFLOW;
	}
	w->cap = old;
	return st;
}

static NTSTATUS file_class_encode(struct wr *w, struct info_state *s, size_t max)
{
	struct wire_file_info fi;
	fsa_info_to_wire(&s->info, &fi);
	fi.access_flags = s->open->access;
	fi.current_byte_offset = s->open->position;
	fi.mode = s->open->mode;
	if (s->stream[0]) {
		/* a stream's handle is named "file:stream" ([MS-FSCC] 2.1.5) */
		size_t pl = strlen(s->path);
		snprintf(s->path + pl, sizeof(s->path) - pl, ":%s", s->stream);
	}
	s->name16_len = path_to_smb2_name(s->path, s->name16, sizeof(s->name16));
	if (s->name16_len < 0)
		return STATUS_OBJECT_NAME_INVALID;
	if (s->q.info_class == FileNormalizedNameInformation) {
		/* relative to the share, no leading backslash: empty for the root */
		fi.name_utf16 = s->name16 + 2;
		fi.name_len = s->path[0] ? (size_t)s->name16_len - 2 : 0;
	} else {
		fi.name_utf16 = s->name16;
		fi.name_len = (size_t)s->name16_len;
	}
	uint8_t cls = s->q.info_class;
	if (cls == FileStreamInformation)
		return stream_info_encode(w, s, max);
	if (cls == FileFullEaInformation)
		return full_ea_encode(w, s, max);
	fi.ea_size = s->no_eas ? 0 : fsa_ea_size(&s->eas);
	size_t written, needed;
	return wire_file_info_encode(w, cls, &fi, max, &written, &needed);
}

static NTSTATUS fs_class_encode(struct wr *w, struct info_state *s, size_t max)
{
	uint8_t label[81 * 2], fsname[16];
	long ll = utf8_to_utf16le(s->share_name, label, sizeof(label));
	long fl = utf8_to_utf16le("NTFS", fsname, sizeof(fsname));
	uint32_t bs = s->fsinfo.block_size ? s->fsinfo.block_size : 4096;
	struct wire_fs_info fs = {
		.volume_serial = (uint32_t)(s->fsinfo.fs_id ^ (s->fsinfo.fs_id >> 32)),
		.label = label,
		.label_len = ll > 0 ? (size_t)ll : 0,
		.total_units = s->fsinfo.total_bytes / bs,
		.caller_avail_units = s->fsinfo.avail_bytes / bs,
		.actual_avail_units = s->fsinfo.free_bytes / bs,
		.sectors_per_unit = bs / 512 ? bs / 512 : 1,
		.bytes_per_sector = 512,
		.device_type = FILE_DEVICE_DISK,
		.device_characteristics = FILE_DEVICE_IS_MOUNTED,
		.fs_attributes = FILE_CASE_PRESERVED_NAMES | FILE_UNICODE_ON_DISK | FILE_SUPPORTS_SPARSE_FILES |
				 FILE_NAMED_STREAMS |
				 (s->case_insensitive ? 0 : FILE_CASE_SENSITIVE_SEARCH) |
				 /* FSCTL_DUPLICATE_EXTENTS_TO_FILE can share blocks there */
				 (strcmp(s->fsinfo.fs_type, "btrfs") == 0 ? FILE_SUPPORTS_BLOCK_REFCOUNTING : 0),
		/* FSCTL_FILE_LEVEL_TRIM is answered (trimming is advisory) */
		.sector_flags = SSINFO_FLAGS_TRIM_ENABLED,
		.max_component_name_len = 255,
		.fs_name = fsname,
		.fs_name_len = fl > 0 ? (size_t)fl : 0,
	};
	memcpy(fs.object_id, &s->fsinfo.fs_id, sizeof(s->fsinfo.fs_id));
	size_t written, needed;
	return wire_fs_info_encode(w, s->q.info_class, &fs, max, &written, &needed);
}

static NTSTATUS sec_encode(struct wr *w, struct info_state *s, size_t max)
{
	const struct wire_sd *sd = &s->sd->sd;
	uint32_t secinfo = s->q.additional_information;
	size_t need = wire_sd_size(sd, secinfo);
	if (need > max) {
		/* [MS-SMB2] 3.3.5.20.3: tell the client the size it needs */
		wr_u32(w, (uint32_t)need);
		return STATUS_BUFFER_TOO_SMALL;
	}
	wire_sd_encode(w, sd, secinfo);
	return STATUS_SUCCESS;
}

static NTSTATUS query_done(struct smb2_req *req)
{
	struct info_state *s = req->cmd_state;
	if (!NT_OK(req->work_status))
		return req->work_status;
	switch (s->q.info_type) {
	case SMB2_0_INFO_FILE:
		return encode_out(req, file_class_encode);
	case SMB2_0_INFO_FILESYSTEM:
		return encode_out(req, fs_class_encode);
	default: {
		struct wr *w = req_body(req, wire_rsp_size(8, s->q.output_buffer_length + 8));
		if (!w)
			return STATUS_NO_MEMORY;
		size_t begin = wire_out_rsp_begin(w);
		NTSTATUS st = sec_encode(w, s, s->q.output_buffer_length);
		if (NT_EQ(st, STATUS_BUFFER_TOO_SMALL)) {
			/* the error reply carries the 4-byte required length */
			uint32_t need = le32_at(req->rsp + SMB2_HDR_LEN + 8);
			req->w.pos = SMB2_HDR_LEN;
			uint8_t nb[4];
			wr_le32_at(nb, need);
			wire_error_body_encode(&req->w, nb, 4);
			return st;
		}
		wire_out_rsp_end(w, begin);
		return st;
	}
	}
}

static bool file_class_needs(uint8_t cls, uint32_t *access)
{
	switch (cls) {
	case FileBasicInformation:
	case FileAllInformation:
	case FileNetworkOpenInformation:
	case FileAttributeTagInformation:
		*access = FILE_READ_ATTRIBUTES;
		return true;
	case FileFullEaInformation:
		*access = FILE_READ_EA;
		return true;
	case FileStandardInformation:
	case FileInternalInformation:
	case FileEaInformation:
	case FileAccessInformation:
	case FileNameInformation:
	case FileNormalizedNameInformation:
	case FilePositionInformation:
	case FileModeInformation:
	case FileAlignmentInformation:
	case FileAlternateNameInformation:
	case FileStreamInformation:
	case FileCompressionInformation:
	case FileIdInformation:
		*access = 0;
		return true;
	default:
		return false;
	}
}

NTSTATUS cmd_query_info(struct smb2_req *req)
{
	struct wire_query_info_req q;
	NTSTATUS st = wire_query_info_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	if (q.output_buffer_length > req->conn->max_io)
		return STATUS_INVALID_PARAMETER;
	struct info_state *s;
	st = info_begin(req, q.fid_persistent, q.fid_volatile, &s);
	if (!NT_OK(st))
		return st;
	s->q = q;
	uint32_t need = 0;
	switch (q.info_type) {
	case SMB2_0_INFO_FILE:
		if (!file_class_needs(q.info_class, &need))
			return STATUS_INVALID_INFO_CLASS;
		/* [MS-SMB2] 3.3.5.20.1: FileNormalizedNameInformation is 3.1.1's */
		if (q.info_class == FileNormalizedNameInformation && req->conn->dialect < SMB2_DIALECT_311)
			return STATUS_NOT_SUPPORTED;
		if (q.info_class == FileStreamInformation ? q.output_buffer_length < 32
		    : q.info_class != FileFullEaInformation &&
			      q.output_buffer_length < wire_file_info_min_size(q.info_class))
			return STATUS_INFO_LENGTH_MISMATCH;
		break;
	case SMB2_0_INFO_FILESYSTEM:
		if (wire_fs_info_min_size(q.info_class) == 0)
			return STATUS_INVALID_INFO_CLASS;
		if (q.output_buffer_length < wire_fs_info_min_size(q.info_class))
			return STATUS_INFO_LENGTH_MISMATCH;
		break;
	case SMB2_0_INFO_SECURITY:
		need = READ_CONTROL;
		if (q.additional_information & SACL_SECURITY_INFORMATION)
			return STATUS_PRIVILEGE_NOT_HELD;
		break;
	case SMB2_0_INFO_QUOTA:
		return STATUS_NOT_SUPPORTED;
	default:
		return STATUS_INVALID_PARAMETER;
	}
	if (need && !fsa_has_access(s->open, need))
		return STATUS_ACCESS_DENIED;
	if (query_inline(req, s))
		return query_done(req);
	return req_offload(req, query_work, query_done);
}

/* --- SET_INFO --- */

static void set_work(struct smb2_req *req)
{
	struct info_state *s = req->cmd_state;
	struct fsa_open *o = s->open;
	switch (s->s.info_class) {
	case FileBasicInformation:
		req->work_status = fsa_set_basic(o, s->basic.creation_time, s->basic.last_access_time,
						 s->basic.last_write_time, s->basic.change_time, s->basic.attributes);
		break;
	case FileRenameInformation:
		/* other clients' cached handles close before the name moves */
		req->work_status =
			fsa_break_handle_caching(o, &s->wait.waiter, s->breaks, FSA_MAX_BREAKS, &s->n_breaks);
		if (NT_EQ(req->work_status, STATUS_PENDING))
			req->work_status = STATUS_OPLOCK_BREAK_IN_PROGRESS;
		else if (s->stream_rename)
			req->work_status = fsa_stream_rename(o, &s->rename_stream, s->rename.replace_if_exists);
		else
			req->work_status = fsa_rename(o, s->path, s->rename.replace_if_exists, s->case_insensitive);
		break;
	case FileLinkInformation:
		req->work_status = fsa_link(o, s->path, s->rename.replace_if_exists);
		break;
	case FileDispositionInformation:
	case FileDispositionInformationEx:
		/* as for a rename: cached handles of others close first */
		req->work_status = s->flag ? fsa_break_handle_caching(o, &s->wait.waiter, s->breaks, FSA_MAX_BREAKS,
								      &s->n_breaks)
					   : STATUS_SUCCESS;
		if (NT_EQ(req->work_status, STATUS_PENDING))
			req->work_status = STATUS_OPLOCK_BREAK_IN_PROGRESS;
		else
			req->work_status = fsa_set_disposition(o, s->flag);
		break;
	case FileEndOfFileInformation:
	case FileAllocationInformation:
		req->work_status = s->s.info_class == FileEndOfFileInformation ? fsa_set_eof(o, s->u64)
										 : fsa_set_allocation(o, s->u64);
		/* [MS-FSA] 2.1.5.14.4/2.1.5.14.2: a size change breaks read caching */
		if (NT_OK(req->work_status))
			s->n_breaks = fsa_break_level2(o, s->breaks, FSA_MAX_BREAKS);
		break;
	case FileFullEaInformation:
		req->work_status = fsa_ea_set(o, s->set_eas, s->n_set_eas);
		break;
	case 0: /* SMB2_0_INFO_SECURITY has no class */
		req->work_status = fsa_set_security(o, &s->token, s->s.additional_information, &s->set_sd);
		break;
	default:
		req->work_status = STATUS_INVALID_INFO_CLASS;
	}
}

static NTSTATUS set_done(struct smb2_req *req)
{
	struct info_state *s = req->cmd_state;
	if (s->n_breaks) {
		conn_deliver_breaks(req->conn, s->breaks, s->n_breaks);
		s->n_breaks = 0;
	}
	if (NT_EQ(req->work_status, STATUS_OPLOCK_BREAK_IN_PROGRESS))
		return break_wait_park(&s->wait);
	if (!NT_OK(req->work_status))
		return req->work_status;
	struct wr *w = req_body(req, 2);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_set_info_rsp_encode(w);
	return STATUS_SUCCESS;
}

static void set_on_cancel(struct smb2_req *req)
{
	struct info_state *s = req->cmd_state;
	break_wait_cancel(&s->wait);
}

static bool set_cancel(struct smb2_req *req)
{
	struct info_state *s = req->cmd_state;
	if (s->n_breaks) { /* as in create_cancel: the holders must still hear */
		conn_deliver_breaks(req->conn, s->breaks, s->n_breaks);
		s->n_breaks = 0;
	}
	return break_wait_conn_closing(&s->wait);
}

/* A rename or delete may wait for lease breaks (break_wait). */
static void set_may_wait(struct smb2_req *req, struct info_state *s)
{
	break_wait_init(&s->wait, req, set_work, set_done);
	req->cancel = set_cancel;
	req->on_cancel = set_on_cancel;
}

static NTSTATUS set_reply_now(struct smb2_req *req)
{
	req->work_status = STATUS_SUCCESS;
	return set_done(req);
}

#ifndef FILE_DISPOSITION_DELETE
#define FILE_DISPOSITION_DELETE 0x1
#endif

NTSTATUS cmd_set_info(struct smb2_req *req)
{
	struct wire_set_info_req q;
	NTSTATUS st = wire_set_info_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	struct info_state *s;
	st = info_begin(req, q.fid_persistent, q.fid_volatile, &s);
	if (!NT_OK(st))
		return st;
	s->s = q;
	struct fsa_open *o = s->open;
	if (q.info_type == SMB2_0_INFO_SECURITY) {
		if (req->tcon->read_only)
			return STATUS_ACCESS_DENIED;
		uint32_t secinfo = q.additional_information;
		if (secinfo & SACL_SECURITY_INFORMATION)
			return STATUS_PRIVILEGE_NOT_HELD; /* no SeSecurityPrivilege here */
		if (((secinfo & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION)) &&
		     !fsa_has_access(o, WRITE_OWNER)) ||
		    ((secinfo & DACL_SECURITY_INFORMATION) && !fsa_has_access(o, WRITE_DAC)))
			return STATUS_ACCESS_DENIED;
		s->set_aces = calloc(1024, sizeof(*s->set_aces));
		if (!s->set_aces)
			return STATUS_NO_MEMORY;
		st = wire_sd_decode(q.buf, q.buf_len, &s->set_sd, s->set_aces, 1024);
		if (!NT_OK(st))
			return NT_EQ(st, STATUS_INSUFFICIENT_RESOURCES) ? st : STATUS_INVALID_PARAMETER;
		s->s.info_class = 0;
		return req_offload(req, set_work, set_done);
	}
	if (q.info_type != SMB2_0_INFO_FILE)
		return q.info_type == SMB2_0_INFO_FILESYSTEM ? STATUS_NOT_SUPPORTED : STATUS_INVALID_PARAMETER;
	if (req->tcon->read_only && q.info_class != FilePositionInformation && q.info_class != FileModeInformation)
		return STATUS_ACCESS_DENIED;
	switch (q.info_class) {
	case FileBasicInformation:
		st = wire_basic_info_decode(q.buf, q.buf_len, &s->basic);
		if (!NT_OK(st))
			return st;
		if (!fsa_has_access(o, FILE_WRITE_ATTRIBUTES))
			return STATUS_ACCESS_DENIED;
		break;
	case FileRenameInformation:
	case FileLinkInformation:
		st = wire_rename_info_decode(q.buf, q.buf_len, &s->rename);
		if (!NT_OK(st))
			return st;
		if (s->rename.root_directory != 0)
			return STATUS_INVALID_PARAMETER;
		if (q.info_class == FileRenameInformation && !fsa_has_access(o, DELETE))
			return STATUS_ACCESS_DENIED;
		if (q.info_class == FileRenameInformation && s->rename.name_len >= 2 && s->rename.name[0] == ':' &&
		    s->rename.name[1] == 0) {
			/* ":name[:$DATA]" renames the handle's stream ([MS-FSA]
			 * 2.1.5.15.11.1: a bad stream name is INVALID_PARAMETER) */
			st = smb2_name_to_path(s->rename.name, s->rename.name_len, s->path, sizeof(s->path),
					       &s->rename_stream);
			if (!NT_OK(st) || s->path[0])
				return STATUS_INVALID_PARAMETER;
			s->stream_rename = true;
			break;
		}
		st = smb2_name_to_path(s->rename.name, s->rename.name_len, s->path, sizeof(s->path), &s->rename_stream);
		if (NT_EQ(st, STATUS_INVALID_PARAMETER)) {
			/* a rename target may start with a backslash: skip it */
			st = smb2_name_to_path(s->rename.name + 2, s->rename.name_len - 2, s->path, sizeof(s->path),
					       &s->rename_stream);
		}
		if (!NT_OK(st))
			return st;
		/* "file:stream" moves a stream to another file: not on NTFS */
		if (s->rename_stream.kind == FSA_STREAM_NAMED && !o->stream)
			return STATUS_INVALID_PARAMETER;
		if (!s->path[0])
			return STATUS_OBJECT_NAME_INVALID;
		/* the handle's DELETE was checked when it was opened; the new
		 * name is checked for whoever the session is now ([MS-SMB2]
		 * 3.3.5.21.1 uses Session.SecurityContext), not the opener */
		req->cred_from_open = false;
		if (q.info_class == FileRenameInformation)
			set_may_wait(req, s);
		break;
	case FileDispositionInformation:
		st = wire_disposition_info_decode(q.buf, q.buf_len, &s->flag);
		if (!NT_OK(st))
			return st;
		if (!fsa_has_access(o, DELETE))
			return STATUS_ACCESS_DENIED;
		set_may_wait(req, s);
		break;
	case FileDispositionInformationEx: {
		uint32_t flags;
		st = wire_disposition_ex_info_decode(q.buf, q.buf_len, &flags);
		if (!NT_OK(st))
			return st;
		if (!fsa_has_access(o, DELETE))
			return STATUS_ACCESS_DENIED;
		s->flag = flags & FILE_DISPOSITION_DELETE;
		set_may_wait(req, s);
		break;
	}
	case FileFullEaInformation: {
		if (!fsa_has_access(o, FILE_WRITE_EA))
			return STATUS_ACCESS_DENIED;
		size_t n = 0;
		if (!NT_OK(wire_full_ea_decode(q.buf, q.buf_len, NULL, 0, &n)))
			return STATUS_EA_LIST_INCONSISTENT;
		s->set_eas = calloc(n ? n : 1, sizeof(*s->set_eas));
		if (!s->set_eas)
			return STATUS_NO_MEMORY;
		if (!NT_OK(wire_full_ea_decode(q.buf, q.buf_len, s->set_eas, n, &s->n_set_eas)))
			return STATUS_EA_LIST_INCONSISTENT;
		break;
	}
	case FileEndOfFileInformation:
	case FileAllocationInformation:
		st = wire_u64_info_decode(q.buf, q.buf_len, &s->u64);
		if (!NT_OK(st))
			return st;
		if (!fsa_has_access(o, FILE_WRITE_DATA))
			return STATUS_ACCESS_DENIED;
		break;
	case FilePositionInformation: {
		uint64_t pos;
		st = wire_u64_info_decode(q.buf, q.buf_len, &pos);
		if (!NT_OK(st))
			return st;
		if (pos > (uint64_t)INT64_MAX)
			return STATUS_INVALID_PARAMETER;
		o->position = pos;
		return set_reply_now(req);
	}
	case FileModeInformation: {
		uint32_t mode;
		st = wire_mode_info_decode(q.buf, q.buf_len, &mode);
		if (!NT_OK(st))
			return st;
		/* [MS-FSA] 2.1.5.14.7: only these bits; both sync flags or none */
		if (mode & ~(FILE_WRITE_THROUGH | FILE_SEQUENTIAL_ONLY | FILE_NO_INTERMEDIATE_BUFFERING |
			     FILE_SYNCHRONOUS_IO_ALERT | FILE_SYNCHRONOUS_IO_NONALERT | FILE_DELETE_ON_CLOSE))
			return STATUS_INVALID_PARAMETER;
		o->mode = mode;
		return set_reply_now(req);
	}
	default:
		return STATUS_INVALID_INFO_CLASS;
	}
	return req_offload(req, set_work, set_done);
}
