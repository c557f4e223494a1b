/* Helpers shared by the file commands: SMB2 names to share-relative paths,
 * and NT metadata to the wire structs. */
#ifndef SMB3D_COMMANDS_FILE_COMMON_H
#define SMB3D_COMMANDS_FILE_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include "base/ntstatus.h"
#include "fsa/fsa.h"
#include "wire/fileinfo.h"

/* A CREATE / rename name (UTF-16LE, backslash-separated, relative to the
 * share) as a '/'-separated UTF-8 path; "" for the root. Checks UTF-16
 * validity and the characters Windows forbids. A stream part
 * ("file:stream:$DATA") goes to *sn (fsa_stream_split's rules); with sn
 * NULL a name with one is STATUS_OBJECT_NAME_INVALID. */
NTSTATUS smb2_name_to_path(const uint8_t *name, size_t len, char *out, size_t cap, struct fsa_stream_name *sn);

/* A UTF-8 path as the "\dir\file" UTF-16LE name clients expect. */
long path_to_smb2_name(const char *path, uint8_t *out, size_t cap);

struct smb2_req;
/* The request's user, for access checks against stored descriptors (points
 * into the session: valid while the request runs). */
void req_fsa_token(const struct smb2_req *req, struct fsa_token *t);

void fsa_info_to_wire(const struct fsa_info *in, struct wire_file_info *out);

#endif
