/* SMB2 TREE_CONNECT and TREE_DISCONNECT ([MS-SMB2] 3.3.5.7, 3.3.5.8):
 * share lookup in the current config snapshot, share-level access
 * (`valid users`, `invalid users`, `guest ok`, `read only`), share
 * encryption, and maximal access. */
#include <grp.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/utf16.h"
#include "config/config.h"
#include "conn/opens.h"
#include "conn/request.h"
#include "server/server.h"
#include "vfs/vfs.h"
#include "wire/session.h"

#define FILE_ALL_ACCESS 0x001F01FF
#define FILE_GENERIC_READ_EXECUTE 0x001200A9

/* Is `user` (with its groups) named by an entry of a `valid users` list?
 * Entries: a user name, or @group / +group / &group for a Unix group. */
static bool in_user_list(char *const *list, const struct session *s)
{
	for (size_t i = 0; list && list[i]; i++) {
		const char *e = list[i];
		if (e[0] == '@' || e[0] == '+' || e[0] == '&') {
			const char *g = e + 1;
			while (*g == '+' || *g == '&' || *g == '@')
				g++;
			struct group gr, *res = NULL;
			char buf[4096];
			if (getgrnam_r(g, &gr, buf, sizeof(buf), &res) != 0 || !res)
				continue;
			if (s->gid == res->gr_gid)
				return true;
			for (int k = 0; k < s->n_groups; k++)
				if (s->groups[k] == res->gr_gid)
					return true;
			for (char **m = res->gr_mem; m && *m; m++)
				if (strcasecmp(*m, s->user) == 0)
					return true;
		} else if (strcasecmp(e, s->user) == 0) {
			return true;
		}
	}
	return false;
}

static NTSTATUS check_share_access(const struct conn *c, const struct session *s, const struct share_conf *sh)
{
	if (!cfg_hosts_allowed(sh->hosts_allow, sh->hosts_deny, &c->peer_addr))
		return STATUS_ACCESS_DENIED;
	if (s->anonymous && sh->is_ipc && c->cfg->restrict_anonymous >= 2)
		return STATUS_ACCESS_DENIED;
	if (s->anonymous || s->guest) {
		if (sh->is_ipc || sh->guest_ok)
			return STATUS_SUCCESS;
		return STATUS_ACCESS_DENIED;
	}
	if (sh->invalid_users && in_user_list(sh->invalid_users, s))
		return STATUS_ACCESS_DENIED;
	if (sh->valid_users && sh->valid_users[0] && !in_user_list(sh->valid_users, s))
		return STATUS_ACCESS_DENIED;
	return STATUS_SUCCESS;
}

NTSTATUS cmd_tree_connect(struct smb2_req *req)
{
	struct conn *c = req->conn;
	struct session *s = req->sess;
	struct tree_connect_req q;
	NTSTATUS st = wire_tree_connect_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	/* [MS-SMB2] 3.3.5.7: on 3.1.1 a tree connect of an authenticated
	 * user must be signed or encrypted (it is what pre-authentication
	 * integrity protects the rest with) */
	if (c->dialect == SMB2_DIALECT_311 && s && !s->anonymous && !s->guest && !req->encrypted &&
	    !(req->hdr.flags & SMB2_FLAGS_SIGNED)) {
		conn_warn(c, "unsigned TREE_CONNECT from an authenticated 3.1.1 session; disconnecting");
		req->disconnect = true;
		return STATUS_ACCESS_DENIED;
	}
	char path[1024];
	if (q.path_len == 0 || utf16le_to_utf8(q.path, q.path_len, path, sizeof(path)) < 0)
		return STATUS_BAD_NETWORK_NAME;
	/* "\\server\share": the share is what follows the host part. */
	const char *p = path;
	if (p[0] != '\\' || p[1] != '\\')
		return STATUS_BAD_NETWORK_NAME;
	const char *share_name = strchr(p + 2, '\\');
	if (!share_name || !share_name[1] || strchr(share_name + 1, '\\'))
		return STATUS_BAD_NETWORK_NAME;
	share_name++;

	struct config *cfg = server_config_get(c->srv);
	const struct share_conf *sh = config_find_share(cfg, share_name);
	if (sh && !sh->available) {
		conn_debug(c, "tree connect to share '%s', which has `available = no`", share_name);
		sh = NULL;
	}
	if (!sh) {
		conn_debug(c, "tree connect to unknown share '%s'", share_name);
		st = STATUS_BAD_NETWORK_NAME;
		goto out;
	}
	st = check_share_access(c, s, sh);
	if (!NT_OK(st)) {
		log_info("conn %llu %s: %s refused access to share [%s]", (unsigned long long)c->id, c->peer,
			 s->anonymous ? "anonymous" : s->user, sh->name);
		goto out;
	}
	bool encrypt = false;
	if (sh->smb_encrypt == CFG_REQUIRED || sh->smb_encrypt == CFG_DESIRED) {
		bool can = c->dialect >= SMB2_DIALECT_300 && c->cipher != SMB2_CIPHER_NONE && s->have_keys &&
			   !s->guest && !s->anonymous;
		if (!can && sh->smb_encrypt == CFG_REQUIRED) {
			conn_warn(c, "share [%s] requires encryption this session cannot do", sh->name);
			st = STATUS_ACCESS_DENIED;
			goto out;
		}
		encrypt = can;
	}
	struct vfs_root root = { .fd = -1 };
	if (!sh->is_ipc && !NT_OK(vfs_root_get(c->srv->roots, sh->path, &root))) {
		log_err("share [%s]: path %s is not an accessible directory; check `path`", sh->name, sh->path);
		st = STATUS_BAD_NETWORK_NAME;
		goto out;
	}
	struct tcon *t = calloc(1, sizeof(*t));
	if (!t) {
		if (root.fd >= 0)
			vfs_root_close(&root);
		st = STATUS_INSUFFICIENT_RESOURCES;
		goto out;
	}
	t->refs = 1;
	t->root = root;
	/* `force user` / `force group` (resolved when the file was loaded),
	 * or `admin users`: file access runs as root, as in Samba */
	bool admin = !sh->is_ipc && c->srv->is_root && sh->admin_users && sh->admin_users[0] && !s->guest &&
		     !s->anonymous && in_user_list(sh->admin_users, s);
	if (admin) {
		t->forced = true; /* uid 0, gid 0, no groups */
	} else if (!sh->is_ipc && (sh->force_user || sh->force_group)) {
		const gid_t *groups = sh->force_user ? sh->fu_groups : s->groups;
		int n = sh->force_user ? sh->fu_n_groups : s->n_groups;
		t->forced = true;
		t->f_uid = sh->force_user ? sh->fu_uid : s->uid;
		t->f_gid = sh->force_group ? sh->fg_gid : sh->force_user ? sh->fu_gid : s->gid;
		t->f_groups = n ? malloc(sizeof(gid_t) * (size_t)n) : NULL;
		t->f_n_groups = n;
		if (n && !t->f_groups) {
			t->cfg = cfg;
			cfg = NULL;
			tcon_put(t);
			st = STATUS_INSUFFICIENT_RESOURCES;
			goto out;
		}
		if (n)
			memcpy(t->f_groups, groups, sizeof(gid_t) * (size_t)n);
	}
	t->case_insensitive = !sh->case_sensitive;
	t->hide_dot_files = sh->hide_dot_files;
	t->hide_unreadable = sh->hide_unreadable;
	/* unset: zero-copy for every client (docs/performance.md, change 12) */
	t->zero_copy_read = sh->use_sendfile != 0;
	t->hide_files = sh->hide_files;
	t->cfg = cfg;
	cfg = NULL;
	t->share = sh;
	t->is_ipc = sh->is_ipc;
	/* `read list` makes a user read-only, `write list` read-write (and wins) */
	t->read_only = sh->read_only;
	if (!sh->is_ipc && sh->read_list && sh->read_list[0] && in_user_list(sh->read_list, s))
		t->read_only = true;
	if (!sh->is_ipc && sh->write_list && sh->write_list[0] && in_user_list(sh->write_list, s))
		t->read_only = false;
	t->encrypt = encrypt;
	t->maximal_access = t->read_only && !sh->is_ipc ? FILE_GENERIC_READ_EXECUTE : FILE_ALL_ACCESS;
	do {
		t->id = ++s->next_tid;
	} while (t->id == 0 || t->id == UINT32_MAX || idtable_find(&s->tcons, t->id));
	if (!idtable_insert(&s->tcons, t->id, t)) {
		tcon_put(t);
		st = STATUS_INSUFFICIENT_RESOURCES;
		goto out;
	}
	req->hdr.tree_id = t->id;
	struct wr *w = req_body(req, 16);
	if (!w) {
		st = STATUS_NO_MEMORY;
		goto out;
	}
	wire_tree_connect_rsp_encode(w, t->is_ipc ? SMB2_SHARE_TYPE_PIPE : SMB2_SHARE_TYPE_DISK,
				     SMB2_SHAREFLAG_MANUAL_CACHING | (encrypt ? SMB2_SHAREFLAG_ENCRYPT_DATA : 0) |
					     (t->hide_unreadable ? SMB2_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM : 0),
				     0,
				     t->maximal_access);
	conn_debug(c, "tree %u connected to [%s]", t->id, sh->name);
	st = STATUS_SUCCESS;
out:
	if (cfg)
		config_put(cfg);
	return st;
}

NTSTATUS cmd_tree_disconnect(struct smb2_req *req)
{
	NTSTATUS st = wire_simple_req_decode(req->msg, req->len);
	if (!NT_OK(st))
		return st;
	struct tcon *t = idtable_remove(&req->sess->tcons, req->tcon->id);
	conn_close_opens(req->conn, req->sess->id, req->tcon->id, false);
	if (t) {
		t->dead = true;
		tcon_put(t); /* the table's reference; the request still holds one */
	}
	struct wr *w = req_body(req, 4);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_simple_rsp_encode(w);
	return STATUS_SUCCESS;
}
