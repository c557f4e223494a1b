/* Codec for Samba's "user.DOSATTRIB" xattr value (librpc/idl/xattr.idl,
 * xattr_DOSATTRIB: an ASCII hex string, then optionally an NDR union of
 * versions 1..5). Pure functions: bytes in, struct out; no syscalls. */
#ifndef SMB3D_VFS_DOSATTRIB_H
#define SMB3D_VFS_DOSATTRIB_H

#include <stddef.h>
#include <stdint.h>

#include "vfs/vfs.h"

#define VFS_DOSATTRIB_XATTR    "user.DOSATTRIB"
#define VFS_DOSATTRIB_V5_LEN   24     /* what vfs_dosattrib_encode writes ... */
#define VFS_DOSATTRIB_MAX_LEN  52     /* ... plus smb3d's change-time trailer */
#define VFS_DOSATTRIB_HEX_ONLY 0xFFFF /* version reported for the bare hex form */

/* valid_flags of versions 3..5 */
#define XATTR_DOSINFO_ATTRIB      0x00000001u
#define XATTR_DOSINFO_EA_SIZE     0x00000002u
#define XATTR_DOSINFO_SIZE        0x00000004u
#define XATTR_DOSINFO_ALLOC_SIZE  0x00000008u
#define XATTR_DOSINFO_CREATE_TIME 0x00000010u
#define XATTR_DOSINFO_CHANGE_TIME 0x00000020u
#define XATTR_DOSINFO_ITIME       0x00000040u

/* Decodes a blob into d (attrs, create time; a zero create time counts as
 * absent, as in Samba). version (may be NULL) receives 1..5 or
 * VFS_DOSATTRIB_HEX_ONLY. STATUS_INVALID_PARAMETER for anything malformed:
 * a truncated structure, an unknown version, a union level that differs from
 * the version, or a hex string that is not "[0x]<1-8 hex digits>". */
NTSTATUS vfs_dosattrib_decode(const uint8_t *p, size_t len, struct vfs_dosinfo *d, uint16_t *version);

/* Encodes d as the version-5 blob current Samba writes (empty hex string,
 * valid_flags from has_*), followed, if d->has_change_time, by smb3d's
 * trailer ("smb3dCT\0", change time, mtime mark), which Samba's reader
 * ignores. Returns VFS_DOSATTRIB_V5_LEN or VFS_DOSATTRIB_MAX_LEN, or 0 if
 * cap is smaller. */
size_t vfs_dosattrib_encode(const struct vfs_dosinfo *d, uint8_t *buf, size_t cap);

#endif
