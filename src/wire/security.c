/* Self-relative SECURITY_DESCRIPTOR codec ([MS-DTYP] 2.4.2, 2.4.4-2.4.6).
 * The encoder writes only what the AdditionalInformation bits select; the
 * decoder checks every offset, size and count before using it. Pure codec. */
#include "wire/security.h"

#include <string.h>

#define ACL_HDR_LEN 8
#define ACE_HDR_LEN 4
#define SID_MIN_LEN 8

static bool plain_ace_type(uint8_t t)
{
	return t == ACCESS_ALLOWED_ACE_TYPE || t == ACCESS_DENIED_ACE_TYPE || t == SYSTEM_AUDIT_ACE_TYPE ||
	       t == SYSTEM_ALARM_ACE_TYPE || t == SYSTEM_MANDATORY_LABEL_ACE_TYPE ||
	       t == SYSTEM_SCOPED_POLICY_ID_ACE_TYPE;
}

size_t wire_sid_size(const struct wire_sid *s)
{
	unsigned n = s->count <= SID_MAX_SUB_AUTHORITIES ? s->count : SID_MAX_SUB_AUTHORITIES;
	return SID_MIN_LEN + 4 * (size_t)n;
}

bool wire_sid_equal(const struct wire_sid *a, const struct wire_sid *b)
{
	if (a->revision != b->revision || a->count != b->count || memcmp(a->authority, b->authority, 6) != 0)
		return false;
	for (unsigned i = 0; i < a->count && i < SID_MAX_SUB_AUTHORITIES; i++)
		if (a->sub[i] != b->sub[i])
			return false;
	return true;
}

bool wire_sid_decode(struct rd *r, struct wire_sid *s)
{
	memset(s, 0, sizeof(*s));
	s->revision = rd_u8(r);
	s->count = rd_u8(r);
	rd_copy(r, s->authority, 6);
	if (r->bad || s->revision != SID_REVISION || s->count > SID_MAX_SUB_AUTHORITIES) {
		r->bad = true;
		return false;
	}
	for (unsigned i = 0; i < s->count; i++)
		s->sub[i] = rd_u32(r);
	return !r->bad;
}

void wire_sid_encode(struct wr *w, const struct wire_sid *s)
{
	unsigned n = s->count <= SID_MAX_SUB_AUTHORITIES ? s->count : SID_MAX_SUB_AUTHORITIES;
	wr_u8(w, s->revision);
	wr_u8(w, (uint8_t)n);
	wr_bytes(w, s->authority, 6);
	for (unsigned i = 0; i < n; i++)
		wr_u32(w, s->sub[i]);
}

static size_t ace_size(const struct wire_ace *a)
{
	if (!plain_ace_type(a->type) && a->raw)
		return a->raw_len;
	return ACE_HDR_LEN + 4 + wire_sid_size(&a->sid);
}

static size_t acl_size(const struct wire_acl *acl)
{
	size_t n = ACL_HDR_LEN;
	for (unsigned i = 0; i < acl->count; i++)
		n += ace_size(&acl->aces[i]);
	return n;
}

struct sd_layout {
	uint16_t control;
	bool owner, group, dacl, sacl; /* include the part */
	size_t owner_len, group_len, dacl_len, sacl_len;
};

static bool layout(const struct wire_sd *sd, uint32_t secinfo, struct sd_layout *l)
{
	uint16_t keep = SE_RM_CONTROL_VALID | SE_SERVER_SECURITY;
	memset(l, 0, sizeof(*l));
	if ((secinfo & OWNER_SECURITY_INFORMATION) && sd->has_owner) {
		l->owner = true;
		l->owner_len = wire_sid_size(&sd->owner);
		keep |= SE_OWNER_DEFAULTED;
	}
	if ((secinfo & GROUP_SECURITY_INFORMATION) && sd->has_group) {
		l->group = true;
		l->group_len = wire_sid_size(&sd->group);
		keep |= SE_GROUP_DEFAULTED;
	}
	if ((secinfo & DACL_SECURITY_INFORMATION) && (sd->control & SE_DACL_PRESENT)) {
		keep |= SE_DACL_PRESENT | SE_DACL_DEFAULTED | SE_DACL_TRUSTED | SE_DACL_AUTO_INHERIT_REQ |
			SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED;
		if (sd->has_dacl) {
			l->dacl = true;
			l->dacl_len = acl_size(&sd->dacl);
		}
	}
	if ((secinfo & SACL_SECURITY_INFORMATION) && (sd->control & SE_SACL_PRESENT)) {
		keep |= SE_SACL_PRESENT | SE_SACL_DEFAULTED | SE_SACL_AUTO_INHERIT_REQ | SE_SACL_AUTO_INHERITED |
			SE_SACL_PROTECTED;
		if (sd->has_sacl) {
			l->sacl = true;
			l->sacl_len = acl_size(&sd->sacl);
		}
	}
	l->control = (uint16_t)((sd->control & keep) | SE_SELF_RELATIVE);
	return l->dacl_len <= 0xFFFF && l->sacl_len <= 0xFFFF;
}

size_t wire_sd_size(const struct wire_sd *sd, uint32_t secinfo)
{
	struct sd_layout l;
	if (!layout(sd, secinfo, &l))
		return 0;
	return SECURITY_DESCRIPTOR_HDR_LEN + l.owner_len + l.group_len + l.sacl_len + l.dacl_len;
}

static void acl_encode(struct wr *w, const struct wire_acl *acl, size_t size)
{
	wr_u8(w, acl->revision ? acl->revision : ACL_REVISION);
	wr_u8(w, 0);
	wr_u16(w, (uint16_t)size);
	wr_u16(w, acl->count);
	wr_u16(w, 0);
	for (unsigned i = 0; i < acl->count; i++) {
		const struct wire_ace *a = &acl->aces[i];
		if (!plain_ace_type(a->type) && a->raw) {
			wr_bytes(w, a->raw, a->raw_len);
			continue;
		}
		wr_u8(w, a->type);
		wr_u8(w, a->flags);
		wr_u16(w, (uint16_t)ace_size(a));
		wr_u32(w, a->mask);
		wire_sid_encode(w, &a->sid);
	}
}

void wire_sd_encode(struct wr *w, const struct wire_sd *sd, uint32_t secinfo)
{
	struct sd_layout l;
	if (!layout(sd, secinfo, &l)) {
		w->bad = true;
		return;
	}
	uint32_t off = SECURITY_DESCRIPTOR_HDR_LEN;
	uint32_t sacl_off = l.sacl ? off : 0;
	off += (uint32_t)l.sacl_len;
	uint32_t dacl_off = l.dacl ? off : 0;
	off += (uint32_t)l.dacl_len;
	uint32_t owner_off = l.owner ? off : 0;
	off += (uint32_t)l.owner_len;
	uint32_t group_off = l.group ? off : 0;

	wr_u8(w, 1); /* Revision */
	wr_u8(w, 0); /* Sbz1 */
	wr_u16(w, l.control);
	wr_u32(w, owner_off);
	wr_u32(w, group_off);
	wr_u32(w, sacl_off);
	wr_u32(w, dacl_off);
	if (l.sacl)
		acl_encode(w, &sd->sacl, l.sacl_len);
	if (l.dacl)
		acl_encode(w, &sd->dacl, l.dacl_len);
	if (l.owner)
		wire_sid_encode(w, &sd->owner);
	if (l.group)
		wire_sid_encode(w, &sd->group);
}

/* A SID at a header-relative offset of the descriptor. */
static bool sid_at(const uint8_t *buf, size_t len, uint32_t off, struct wire_sid *s)
{
	if (off < SECURITY_DESCRIPTOR_HDR_LEN || off > len)
		return false;
	struct rd r = rd_init(buf + off, len - off);
	return wire_sid_decode(&r, s);
}

static NTSTATUS acl_at(const uint8_t *buf, size_t len, uint32_t off, struct wire_acl *acl, struct wire_ace *aces,
		       size_t cap, size_t *used)
{
	if (off < SECURITY_DESCRIPTOR_HDR_LEN || off > len)
		return STATUS_INVALID_PARAMETER;
	struct rd r = rd_init(buf + off, len - off);
	acl->revision = rd_u8(&r);
	rd_skip(&r, 1);
	uint16_t size = rd_u16(&r);
	acl->count = rd_u16(&r);
	rd_skip(&r, 2);
	if (r.bad || (acl->revision != ACL_REVISION && acl->revision != ACL_REVISION_DS) || size < ACL_HDR_LEN ||
	    size > len - off)
		return STATUS_INVALID_PARAMETER;
	if (acl->count > cap - *used)
		return STATUS_INSUFFICIENT_RESOURCES;
	acl->aces = aces ? aces + *used : NULL;
	struct rd body = rd_init(buf + off + ACL_HDR_LEN, size - ACL_HDR_LEN);
	for (unsigned i = 0; i < acl->count; i++) {
		struct wire_ace *a = &acl->aces[i];
		memset(a, 0, sizeof(*a));
		size_t at = body.pos;
		a->type = rd_u8(&body);
		a->flags = rd_u8(&body);
		uint16_t ace_len = rd_u16(&body);
		if (body.bad || ace_len < ACE_HDR_LEN || (ace_len & 3) || (size_t)ace_len - ACE_HDR_LEN > rd_left(&body))
			return STATUS_INVALID_PARAMETER;
		struct rd ace = rd_sub(&body, (size_t)ace_len - ACE_HDR_LEN);
		if (plain_ace_type(a->type)) {
			a->mask = rd_u32(&ace);
			if (!wire_sid_decode(&ace, &a->sid))
				return STATUS_INVALID_PARAMETER;
		} else {
			a->raw = body.p + at;
			a->raw_len = ace_len;
		}
	}
	*used += acl->count;
	return STATUS_SUCCESS;
}

NTSTATUS wire_sd_decode(const uint8_t *buf, size_t len, struct wire_sd *sd, struct wire_ace *aces, size_t aces_cap)
{
	memset(sd, 0, sizeof(*sd));
	struct rd r = rd_init(buf, len);
	uint8_t rev = rd_u8(&r);
	rd_skip(&r, 1);
	sd->control = rd_u16(&r);
	uint32_t owner_off = rd_u32(&r);
	uint32_t group_off = rd_u32(&r);
	uint32_t sacl_off = rd_u32(&r);
	uint32_t dacl_off = rd_u32(&r);
	if (r.bad || rev != 1 || !(sd->control & SE_SELF_RELATIVE))
		return STATUS_INVALID_PARAMETER;
	if (owner_off) {
		if (!sid_at(buf, len, owner_off, &sd->owner))
			return STATUS_INVALID_PARAMETER;
		sd->has_owner = true;
	}
	if (group_off) {
		if (!sid_at(buf, len, group_off, &sd->group))
			return STATUS_INVALID_PARAMETER;
		sd->has_group = true;
	}
	size_t used = 0;
	NTSTATUS st;
	if ((sd->control & SE_DACL_PRESENT) && dacl_off) {
		st = acl_at(buf, len, dacl_off, &sd->dacl, aces, aces_cap, &used);
		if (!NT_OK(st))
			return st;
		sd->has_dacl = true;
	}
	if ((sd->control & SE_SACL_PRESENT) && sacl_off) {
		st = acl_at(buf, len, sacl_off, &sd->sacl, aces, aces_cap, &used);
		if (!NT_OK(st))
			return st;
		sd->has_sacl = true;
	}
	return STATUS_SUCCESS;
}
