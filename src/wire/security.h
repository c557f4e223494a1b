/* Self-relative security descriptors ([MS-DTYP] 2.4.2 SID, 2.4.4 ACE, 2.4.5
 * ACL, 2.4.6 SECURITY_DESCRIPTOR) for QUERY_INFO/SET_INFO SMB2_0_INFO_SECURITY
 * and the SecD create context: an encoder that honours the
 * AdditionalInformation bits and a strict decoder. Pure codec: no access
 * checks here. */
#ifndef SMB3D_WIRE_SECURITY_H
#define SMB3D_WIRE_SECURITY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/ntstatus.h"
#include "base/rdwr.h"

/* AdditionalInformation / SECURITY_INFORMATION ([MS-DTYP] 2.4.7) */
#define OWNER_SECURITY_INFORMATION 0x00000001
#define GROUP_SECURITY_INFORMATION 0x00000002
#define DACL_SECURITY_INFORMATION 0x00000004
#define SACL_SECURITY_INFORMATION 0x00000008
#define LABEL_SECURITY_INFORMATION 0x00000010
#define ATTRIBUTE_SECURITY_INFORMATION 0x00000020
#define SCOPE_SECURITY_INFORMATION 0x00000040
#define BACKUP_SECURITY_INFORMATION 0x00010000

/* SECURITY_DESCRIPTOR Control ([MS-DTYP] 2.4.6) */
#define SE_OWNER_DEFAULTED 0x0001
#define SE_GROUP_DEFAULTED 0x0002
#define SE_DACL_PRESENT 0x0004
#define SE_DACL_DEFAULTED 0x0008
#define SE_SACL_PRESENT 0x0010
#define SE_SACL_DEFAULTED 0x0020
#define SE_DACL_TRUSTED 0x0040
#define SE_SERVER_SECURITY 0x0080
#define SE_DACL_AUTO_INHERIT_REQ 0x0100
#define SE_SACL_AUTO_INHERIT_REQ 0x0200
#define SE_DACL_AUTO_INHERITED 0x0400
#define SE_SACL_AUTO_INHERITED 0x0800
#define SE_DACL_PROTECTED 0x1000
#define SE_SACL_PROTECTED 0x2000
#define SE_RM_CONTROL_VALID 0x4000
#define SE_SELF_RELATIVE 0x8000

/* ACE types and flags ([MS-DTYP] 2.4.4.1) */
#define ACCESS_ALLOWED_ACE_TYPE 0x00
#define ACCESS_DENIED_ACE_TYPE 0x01
#define SYSTEM_AUDIT_ACE_TYPE 0x02
#define SYSTEM_ALARM_ACE_TYPE 0x03
#define SYSTEM_MANDATORY_LABEL_ACE_TYPE 0x11
#define SYSTEM_SCOPED_POLICY_ID_ACE_TYPE 0x13
#define OBJECT_INHERIT_ACE 0x01
#define CONTAINER_INHERIT_ACE 0x02
#define NO_PROPAGATE_INHERIT_ACE 0x04
#define INHERIT_ONLY_ACE 0x08
#define INHERITED_ACE 0x10
#define SUCCESSFUL_ACCESS_ACE_FLAG 0x40
#define FAILED_ACCESS_ACE_FLAG 0x80

#define ACL_REVISION 2
#define ACL_REVISION_DS 4
#define SID_REVISION 1
#define SID_MAX_SUB_AUTHORITIES 15
#define SECURITY_DESCRIPTOR_HDR_LEN 20

struct wire_sid {
	uint8_t revision; /* SID_REVISION */
	uint8_t count;	  /* SubAuthorityCount <= 15 */
	uint8_t authority[6];
	uint32_t sub[SID_MAX_SUB_AUTHORITIES];
};

/* ACEs with the plain {header, Mask, Sid} layout (allowed, denied, audit,
 * alarm, mandatory label, scoped policy) are decoded into type/flags/mask/
 * sid; any other type keeps its whole bytes in raw/raw_len (pointing into the
 * decoded buffer) and is re-encoded verbatim. */
struct wire_ace {
	uint8_t type, flags;
	uint32_t mask;
	struct wire_sid sid;
	const uint8_t *raw;
	uint16_t raw_len;
};

struct wire_acl {
	uint8_t revision; /* ACL_REVISION, or ACL_REVISION_DS; 0 means ACL_REVISION */
	uint16_t count;
	struct wire_ace *aces;
};

struct wire_sd {
	uint16_t control;	  /* SE_*: SE_DACL_PRESENT/SE_SACL_PRESENT say a DACL/SACL is part of it */
	bool has_owner, has_group;
	struct wire_sid owner, group;
	bool has_dacl, has_sacl;  /* with *_PRESENT: an ACL follows (else a NULL ACL) */
	struct wire_acl dacl, sacl;
};

size_t wire_sid_size(const struct wire_sid *s);
bool wire_sid_equal(const struct wire_sid *a, const struct wire_sid *b);
/* Parses one SID from r (revision 1, at most 15 sub-authorities). */
bool wire_sid_decode(struct rd *r, struct wire_sid *s);
void wire_sid_encode(struct wr *w, const struct wire_sid *s);

/* The self-relative encoding of the parts of sd that secinfo
 * (OWNER/GROUP/DACL/SACL_SECURITY_INFORMATION) asks for. Control always has
 * SE_SELF_RELATIVE, and loses the bits of the parts left out. Order as
 * Windows lays them out: header, SACL, DACL, owner, group. Size 0 when an ACL
 * would exceed 64 KiB. */
size_t wire_sd_size(const struct wire_sd *sd, uint32_t secinfo);
void wire_sd_encode(struct wr *w, const struct wire_sd *sd, uint32_t secinfo);

/* Decodes a self-relative descriptor (Revision 1, SE_SELF_RELATIVE): every
 * offset in the buffer past the header, SIDs and ACLs inside it, each ACE's
 * AceSize a multiple of 4 holding its fields, AceCount ACEs inside AclSize.
 * ACEs of both ACLs go into aces[] (DACL first). STATUS_INVALID_PARAMETER
 * when malformed, STATUS_INSUFFICIENT_RESOURCES when there are more than
 * aces_cap ACEs. */
NTSTATUS wire_sd_decode(const uint8_t *buf, size_t len, struct wire_sd *sd, struct wire_ace *aces, size_t aces_cap);

#endif
