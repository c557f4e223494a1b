/* NT security descriptors of files: the one stored by a client (kept by vfs/
 * in an xattr) or, without one, one synthesised from POSIX owner, group and
 * mode; the access check ([MS-DTYP] 2.5.3.2) against a user's token;
 * inheritance to new files ([MS-DTYP] 2.5.3.4, as Windows applies it); SET_INFO of
 * descriptor parts. The stored descriptor can only narrow what POSIX allows:
 * every file-system call still runs with the user's own credentials.
 * The in-memory model and the storage encoding are wire/security.h's. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/rdwr.h"
#include "fsa/fsa.h"
#include "vfs/vfs.h"

#define SD_MAX_ACES 1024

static const struct wire_sid SID_EVERYONE = { .revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 1 } };
static const struct wire_sid SID_CREATOR_OWNER = { .revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 3 } };
static const struct wire_sid SID_CREATOR_GROUP = {
	.revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 3 }, .sub = { 1 }
};
static const struct wire_sid SID_OWNER_RIGHTS = {
	.revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 3 }, .sub = { 4 }
};

void fsa_unix_sid(struct wire_sid *sid, uint32_t kind, uint32_t id)
{
	memset(sid, 0, sizeof(*sid));
	sid->revision = 1;
	sid->count = 2;
	sid->authority[5] = 22;
	sid->sub[0] = kind;
	sid->sub[1] = id;
}

/* NT AUTHORITY (5) SIDs with one sub-authority, e.g. 11 = Authenticated Users */
static bool is_nt_sid(const struct wire_sid *s, uint32_t rid)
{
	static const uint8_t nt[6] = { 0, 0, 0, 0, 0, 5 };
	return s->count == 1 && !memcmp(s->authority, nt, 6) && s->sub[0] == rid;
}

bool fsa_token_has_sid(const struct fsa_token *t, const struct wire_sid *s)
{
	if (wire_sid_equal(s, &SID_EVERYONE))
		return true;
	static const uint8_t unix_auth[6] = { 0, 0, 0, 0, 0, 22 };
	if (s->count == 2 && !memcmp(s->authority, unix_auth, 6)) {
		if (s->sub[0] == 1)
			return s->sub[1] == t->uid;
		if (s->sub[0] == 2) {
			if (s->sub[1] == t->gid)
				return true;
			for (int i = 0; i < t->n_groups; i++)
				if (s->sub[1] == (uint32_t)t->groups[i])
					return true;
		}
		return false;
	}
	if (is_nt_sid(s, 2)) /* NETWORK */
		return true;
	if (is_nt_sid(s, 11)) /* Authenticated Users */
		return !t->anonymous && !t->guest;
	if (is_nt_sid(s, 7)) /* ANONYMOUS LOGON */
		return t->anonymous;
	return false;
}

static uint32_t map_generic(uint32_t m)
{
	return fsa_map_generic(m, false);
}

uint32_t fsa_sd_granted(const struct wire_sd *sd, const struct fsa_token *t)
{
	if (!(sd->control & SE_DACL_PRESENT) || !sd->has_dacl)
		return FILE_ALL_ACCESS; /* no DACL, or a NULL DACL: everything */
	bool owner = sd->has_owner && fsa_token_has_sid(t, &sd->owner);
	bool owner_rights = false;
	for (uint16_t i = 0; i < sd->dacl.count; i++) {
		const struct wire_ace *a = &sd->dacl.aces[i];
		if (!a->raw && !(a->flags & INHERIT_ONLY_ACE) && wire_sid_equal(&a->sid, &SID_OWNER_RIGHTS))
			owner_rights = true;
	}
	uint32_t granted = 0, denied = 0;
	if (owner && !owner_rights)
		granted |= READ_CONTROL | WRITE_DAC; /* the owner may always fix the DACL */
	for (uint16_t i = 0; i < sd->dacl.count; i++) {
		const struct wire_ace *a = &sd->dacl.aces[i];
		if (a->raw || (a->flags & INHERIT_ONLY_ACE))
			continue;
		bool match = wire_sid_equal(&a->sid, &SID_OWNER_RIGHTS) ? owner : fsa_token_has_sid(t, &a->sid);
		if (!match)
			continue;
		uint32_t m = map_generic(a->mask);
		if (a->type == ACCESS_ALLOWED_ACE_TYPE)
			granted |= m & ~denied;
		else if (a->type == ACCESS_DENIED_ACE_TYPE)
			denied |= m & ~granted;
	}
	return granted & ~denied & ~MAXIMUM_ALLOWED;
}

void fsa_sd_free(struct fsa_sd *s)
{
	if (!s)
		return;
	free(s->aces);
	free(s->blob);
	free(s);
}

struct fsa_sd *fsa_sd_decode(const uint8_t *buf, size_t len, NTSTATUS *st)
{
	struct fsa_sd *s = calloc(1, sizeof(*s));
	if (s) {
		s->blob = malloc(len ? len : 1);
		s->aces = calloc(SD_MAX_ACES, sizeof(*s->aces));
	}
	if (!s || !s->blob || !s->aces) {
		fsa_sd_free(s);
		*st = STATUS_NO_MEMORY;
		return NULL;
	}
	memcpy(s->blob, buf, len);
	s->len = len;
	*st = wire_sd_decode(s->blob, len, &s->sd, s->aces, SD_MAX_ACES);
	if (!NT_OK(*st)) {
		fsa_sd_free(s);
		return NULL;
	}
	return s;
}

/* A copy of sd that owns its ACE array (raw ACEs still point into the
 * source's buffer: encode before that goes). */
static struct fsa_sd *sd_build(const struct wire_sd *sd, size_t extra_aces)
{
	struct fsa_sd *s = calloc(1, sizeof(*s));
	size_t n = (size_t)sd->dacl.count + sd->sacl.count + extra_aces;
	if (s)
		s->aces = calloc(n ? n : 1, sizeof(*s->aces));
	if (!s || !s->aces) {
		fsa_sd_free(s);
		return NULL;
	}
	s->sd = *sd;
	/* SACL first, then the DACL: extra room stays at the end */
	if (sd->sacl.count)
		memcpy(s->aces, sd->sacl.aces, sd->sacl.count * sizeof(*s->aces));
	s->sd.sacl.aces = s->aces;
	if (sd->dacl.count)
		memcpy(s->aces + sd->sacl.count, sd->dacl.aces, sd->dacl.count * sizeof(*s->aces));
	s->sd.dacl.aces = s->aces + sd->sacl.count;
	return s;
}

static uint32_t mode_to_mask(unsigned bits, bool is_dir)
{
	uint32_t m = READ_CONTROL | SYNCHRONIZE | FILE_READ_ATTRIBUTES | FILE_READ_EA;
	if (bits & 4)
		m |= FILE_GENERIC_READ;
	if (bits & 2)
		/* w on a directory also removes any entry */
		m |= FILE_GENERIC_WRITE | DELETE | (is_dir ? FILE_DELETE_CHILD : 0);
	if (bits & 1)
		m |= FILE_GENERIC_EXECUTE;
	return m;
}

struct fsa_sd *fsa_sd_posix(const struct vfs_stat *st)
{
	struct fsa_sd *s = calloc(1, sizeof(*s));
	if (s)
		s->aces = calloc(3, sizeof(*s->aces));
	if (!s || !s->aces) {
		fsa_sd_free(s);
		return NULL;
	}
	struct wire_ace *a = s->aces;
	bool dir = S_ISDIR(st->mode);
	fsa_unix_sid(&a[0].sid, 1, (uint32_t)st->uid);
	a[0].mask = mode_to_mask((st->mode >> 6) & 7, dir) | WRITE_DAC | WRITE_OWNER | FILE_WRITE_ATTRIBUTES;
	fsa_unix_sid(&a[1].sid, 2, (uint32_t)st->gid);
	a[1].mask = mode_to_mask((st->mode >> 3) & 7, dir);
	a[2].sid = SID_EVERYONE;
	a[2].mask = mode_to_mask(st->mode & 7, dir);
	s->sd = (struct wire_sd){ .control = SE_SELF_RELATIVE | SE_DACL_PRESENT,
				  .has_owner = true,
				  .has_group = true,
				  .has_dacl = true,
				  .dacl = { .revision = ACL_REVISION, .count = 3, .aces = a } };
	fsa_unix_sid(&s->sd.owner, 1, (uint32_t)st->uid);
	fsa_unix_sid(&s->sd.group, 2, (uint32_t)st->gid);
	return s;
}

/* A stored descriptor of fd's file, or of entry `name` of directory fd. */
static struct fsa_sd *sd_load(int fd, const char *name, NTSTATUS *st)
{
	uint8_t buf[VFS_NTACL_MAX]; /* on the stack: see vfs_get_ntacl */
	size_t len;
	*st = name ? vfs_get_ntacl_at(fd, name, buf, sizeof(buf), &len) : vfs_get_ntacl(fd, buf, sizeof(buf), &len);
	if (!NT_OK(*st) || len == 0)
		return NULL;
	struct fsa_sd *s = fsa_sd_decode(buf, len, st);
	if (!s && NT_EQ(*st, STATUS_INVALID_PARAMETER))
		*st = STATUS_SUCCESS; /* damaged: as if there were none */
	return s;
}

struct fsa_sd *fsa_sd_load(int fd, NTSTATUS *st)
{
	return sd_load(fd, NULL, st);
}

#define READ_RIGHTS (FILE_READ_DATA | FILE_READ_EA | FILE_READ_ATTRIBUTES | READ_CONTROL)

bool fsa_entry_readable(const struct fsa_open *o, const char *name, const struct vfs_stat *st)
{
	if (!o->has_token)
		return true;
	NTSTATUS err;
	struct fsa_sd *s = sd_load(o->fd, name, &err);
	if (!s)
		s = fsa_sd_posix(st);
	if (!s)
		return false; /* out of memory: hiding is the safe side */
	bool ok = (fsa_sd_granted(&s->sd, &o->token) & READ_RIGHTS) == READ_RIGHTS;
	fsa_sd_free(s);
	return ok;
}

NTSTATUS fsa_sd_store(int fd, const struct wire_sd *sd)
{
	uint32_t all = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
		       SACL_SECURITY_INFORMATION;
	size_t n = wire_sd_size(sd, all);
	if (n == 0 || n > VFS_NTACL_MAX)
		return STATUS_INVALID_PARAMETER;
	uint8_t *buf = malloc(n);
	if (!buf)
		return STATUS_NO_MEMORY;
	struct wr w = wr_init(buf, n);
	wire_sd_encode(&w, sd, all);
	NTSTATUS st = w.bad ? STATUS_INVALID_PARAMETER : vfs_set_ntacl(fd, buf, w.pos);
	free(buf);
	return st;
}

/* Is this ACE's SID CREATOR OWNER or CREATOR GROUP (resolved on inheritance)? */
static bool is_creator_sid(const struct wire_sid *s)
{
	return wire_sid_equal(s, &SID_CREATOR_OWNER) || wire_sid_equal(s, &SID_CREATOR_GROUP);
}

/* The ACE a child gets for itself from a parent's inheritable ACE: CREATOR
 * OWNER/GROUP become the child's owner/group, generic rights the specific
 * ones they stand for, and no inheritance flags stay. */
static struct wire_ace effective_ace(const struct wire_ace *p, const struct wire_sid *owner,
				     const struct wire_sid *group, uint8_t inherited)
{
	struct wire_ace a = *p;
	if (wire_sid_equal(&p->sid, &SID_CREATOR_OWNER))
		a.sid = *owner;
	else if (wire_sid_equal(&p->sid, &SID_CREATOR_GROUP))
		a.sid = *group;
	a.mask = map_generic(p->mask);
	a.flags = inherited;
	return a;
}

/* [MS-DTYP] 2.5.3.4.2 CreateACLFromInheritance for files and directories, as
 * Windows applies it (smbtorture smb2.acls.INHERITANCE records every OI, CI,
 * NP, IO combination; out needs room for 2 * parent->count ACEs):
 *  - a file takes the OI ACEs, as effective ACEs;
 *  - a directory takes a CI ACE as effective only with NO_PROPAGATE;
 *    otherwise as one ACE that stays inheritable (its OI|CI kept), split into
 *    an effective ACE and an inherit-only copy when it names CREATOR OWNER /
 *    CREATOR GROUP or generic rights, which only the effective copy resolves;
 *  - a directory keeps an OI-only ACE (without NO_PROPAGATE) as inherit-only,
 *    for its files;
 *  - the parent's INHERIT_ONLY does not matter; every inherited ACE carries
 *    INHERITED_ACE when the parent's DACL is auto-inherited. */
static uint16_t inherit_aces(const struct wire_acl *parent, bool is_dir, bool auto_inherited,
			     const struct wire_sid *owner, const struct wire_sid *group, struct wire_ace *out)
{
	uint8_t inh = auto_inherited ? INHERITED_ACE : 0;
	uint16_t n = 0;
	for (uint16_t i = 0; i < parent->count; i++) {
		const struct wire_ace *p = &parent->aces[i];
		if (p->raw)
			continue; /* object ACEs do not apply to files */
		bool oi = p->flags & OBJECT_INHERIT_ACE, ci = p->flags & CONTAINER_INHERIT_ACE;
		bool np = p->flags & NO_PROPAGATE_INHERIT_ACE;
		if (!is_dir) {
			if (oi)
				out[n++] = effective_ace(p, owner, group, inh);
			continue;
		}
		if (ci && np) {
			out[n++] = effective_ace(p, owner, group, inh);
		} else if (ci) {
			uint8_t keep = p->flags & (OBJECT_INHERIT_ACE | CONTAINER_INHERIT_ACE);
			bool generic = p->mask & (GENERIC_ALL | GENERIC_EXECUTE | GENERIC_WRITE | GENERIC_READ);
			if (is_creator_sid(&p->sid) || generic) {
				out[n++] = effective_ace(p, owner, group, inh);
				struct wire_ace g = *p;
				g.flags = keep | INHERIT_ONLY_ACE | inh;
				out[n++] = g;
			} else {
				struct wire_ace a = *p;
				a.flags = keep | inh;
				out[n++] = a;
			}
		} else if (oi && !np) {
			struct wire_ace a = *p;
			a.flags = OBJECT_INHERIT_ACE | INHERIT_ONLY_ACE | inh;
			out[n++] = a;
		}
	}
	return n;
}

/* Windows' DACL for a new file whose parent passes nothing on: full
 * control for the owner and for SYSTEM. */
static uint16_t default_aces(const struct wire_sid *owner, struct wire_ace *out)
{
	static const struct wire_sid system = {
		.revision = 1, .count = 1, .authority = { 0, 0, 0, 0, 0, 5 }, .sub = { 18 } /* S-1-5-18 */
	};
	out[0] = (struct wire_ace){ .type = ACCESS_ALLOWED_ACE_TYPE, .mask = FILE_ALL_ACCESS, .sid = *owner };
	out[1] = (struct wire_ace){ .type = ACCESS_ALLOWED_ACE_TYPE, .mask = FILE_ALL_ACCESS, .sid = system };
	return 2;
}

struct fsa_sd *fsa_sd_for_new(const struct wire_sd *parent, const struct wire_sd *given, bool is_dir,
			      const struct fsa_token *t)
{
	struct wire_sd base = { .control = SE_SELF_RELATIVE };
	if (given)
		base = *given;
	bool dacl_given = given && (given->control & SE_DACL_PRESENT);
	if (!dacl_given) {
		base.has_dacl = false;
		base.dacl = (struct wire_acl){ 0 };
		base.control &=
			~(SE_DACL_DEFAULTED | SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED | SE_DACL_AUTO_INHERIT_REQ);
	}
	bool from_parent = !dacl_given && parent && (parent->control & SE_DACL_PRESENT);
	size_t extra = from_parent && parent->has_dacl ? (size_t)parent->dacl.count * 2 + 2 : 2;
	struct fsa_sd *s = sd_build(&base, extra);
	if (!s)
		return NULL;
	if (!s->sd.has_owner) {
		fsa_unix_sid(&s->sd.owner, 1, t->uid);
		s->sd.has_owner = true;
	}
	if (!s->sd.has_group) {
		fsa_unix_sid(&s->sd.group, 2, t->gid);
		s->sd.has_group = true;
	}
	if (from_parent) {
		/* the DACL comes from the parent's inheritable ACEs (or is
		 * the default when there are none), stored after the SACL's in
		 * the array sd_build made room in */
		struct wire_ace *dst = s->aces + s->sd.sacl.count;
		bool auto_inherited = parent->control & SE_DACL_AUTO_INHERITED;
		uint16_t n = parent->has_dacl ? inherit_aces(&parent->dacl, is_dir, auto_inherited, &s->sd.owner,
							     &s->sd.group, dst)
					      : 0;
		if (n == 0) {
			n = default_aces(&s->sd.owner, dst);
			auto_inherited = false;
		}
		uint8_t rev = parent->has_dacl && parent->dacl.revision ? parent->dacl.revision : ACL_REVISION;
		s->sd.dacl = (struct wire_acl){ .revision = rev, .count = n, .aces = dst };
		s->sd.has_dacl = true;
		s->sd.control |= SE_DACL_PRESENT | (auto_inherited ? SE_DACL_AUTO_INHERITED : 0);
	}
	s->sd.control |= SE_SELF_RELATIVE;
	return s;
}

/* The descriptor an open's file has now (stored, else from POSIX). */
struct fsa_sd *fsa_query_security(struct fsa_open *o, NTSTATUS *st)
{
	struct fsa_sd *s = NULL;
	*st = STATUS_SUCCESS;
	if (o->fd >= 0)
		s = fsa_sd_load(o->fd, st);
	if (s || !NT_OK(*st))
		return s;
	struct vfs_stat vs;
	*st = vfs_fstat(o->fd, &vs);
	if (!NT_OK(*st))
		return NULL;
	s = fsa_sd_posix(&vs);
	if (!s)
		*st = STATUS_NO_MEMORY;
	return s;
}

NTSTATUS fsa_set_security(struct fsa_open *o, const struct fsa_token *t, uint32_t secinfo, const struct wire_sd *in)
{
	if ((secinfo & (OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION)) && !(o->access & WRITE_OWNER))
		return STATUS_ACCESS_DENIED;
	if ((secinfo & DACL_SECURITY_INFORMATION) && !(o->access & WRITE_DAC))
		return STATUS_ACCESS_DENIED;
	if ((secinfo & SACL_SECURITY_INFORMATION) && !(o->access & ACCESS_SYSTEM_SECURITY))
		return STATUS_ACCESS_DENIED;
	if ((secinfo & OWNER_SECURITY_INFORMATION) && in->has_owner && !fsa_token_has_sid(t, &in->owner))
		return STATUS_INVALID_OWNER; /* no privilege to give files away */
	NTSTATUS st;
	struct fsa_sd *cur = fsa_query_security(o, &st);
	if (!cur)
		return st;
	struct wire_sd n = cur->sd;
	if ((secinfo & OWNER_SECURITY_INFORMATION) && in->has_owner)
		n.owner = in->owner;
	if ((secinfo & GROUP_SECURITY_INFORMATION) && in->has_group)
		n.group = in->group;
	if (secinfo & DACL_SECURITY_INFORMATION) {
		/* AUTO_INHERIT_REQ is a request, never kept; AUTO_INHERITED
		 * stays only when requested with it (what Windows stores,
		 * smbtorture smb2.acls.INHERITFLAGS) */
		n.control &= ~(SE_DACL_PRESENT | SE_DACL_DEFAULTED | SE_DACL_AUTO_INHERITED | SE_DACL_PROTECTED |
			       SE_DACL_AUTO_INHERIT_REQ);
		n.control |= in->control & (SE_DACL_PRESENT | SE_DACL_DEFAULTED | SE_DACL_PROTECTED);
		if ((in->control & (SE_DACL_AUTO_INHERITED | SE_DACL_AUTO_INHERIT_REQ)) ==
		    (SE_DACL_AUTO_INHERITED | SE_DACL_AUTO_INHERIT_REQ))
			n.control |= SE_DACL_AUTO_INHERITED;
		n.has_dacl = in->has_dacl;
		n.dacl = in->dacl;
		if (!(in->control & SE_DACL_PRESENT)) {
			/* no DACL given: a NULL DACL (everyone may do anything) */
			n.control |= SE_DACL_PRESENT;
			n.has_dacl = false;
		}
	}
	if (secinfo & SACL_SECURITY_INFORMATION) {
		n.control &= ~(SE_SACL_PRESENT | SE_SACL_DEFAULTED | SE_SACL_AUTO_INHERITED | SE_SACL_PROTECTED);
		n.control |= in->control & (SE_SACL_PRESENT | SE_SACL_DEFAULTED | SE_SACL_AUTO_INHERITED |
					    SE_SACL_PROTECTED);
		n.has_sacl = in->has_sacl;
		n.sacl = in->sacl;
	}
	n.control |= SE_SELF_RELATIVE;
	/* generic rights in ACEs that apply to the file itself are kept as
	 * the specific rights they stand for */
	struct wire_ace *mapped = NULL;
	if (n.has_dacl && n.dacl.count) {
		mapped = malloc(n.dacl.count * sizeof(*mapped));
		if (!mapped) {
			fsa_sd_free(cur);
			return STATUS_NO_MEMORY;
		}
		for (uint16_t i = 0; i < n.dacl.count; i++) {
			mapped[i] = n.dacl.aces[i];
			if (!mapped[i].raw && !(mapped[i].flags & INHERIT_ONLY_ACE))
				mapped[i].mask = map_generic(mapped[i].mask);
		}
		n.dacl.aces = mapped;
	}
	st = o->fd >= 0 ? fsa_sd_store(o->fd, &n) : STATUS_ACCESS_DENIED;
	free(mapped);
	fsa_sd_free(cur);
	return st;
}
