/* The server description srvsvc and wkssvc report ([MS-SRVS] 2.2.4.22
 * SHARE_INFO_*, 2.2.4.40 SERVER_INFO_*): built from a config snapshot or by
 * hand, immutable afterwards, reference counted. No I/O here. */
#include "rpc/pipe.h"

#include <stdlib.h>
#include <string.h>

#include "config/config.h"

struct rpc_server_info *rpc_server_info_new(const char *netbios_name, const char *comment,
					    const char *workgroup)
{
	struct rpc_server_info *info = calloc(1, sizeof(*info));
	if (!info)
		return NULL;
	atomic_init(&info->refs, 1);
	info->netbios_name = strdup(netbios_name ? netbios_name : "");
	info->comment = strdup(comment ? comment : "");
	info->workgroup = strdup(workgroup ? workgroup : "");
	info->platform_id = PLATFORM_ID_NT;
	info->version_major = 6;
	info->version_minor = 1;
	info->server_type = SV_TYPE_WORKSTATION | SV_TYPE_SERVER | SV_TYPE_SERVER_UNIX | SV_TYPE_NT |
			    SV_TYPE_SERVER_NT;
	if (!info->netbios_name || !info->comment || !info->workgroup) {
		rpc_server_info_put(info);
		return NULL;
	}
	return info;
}

/* "C:" + path with '/' -> '\\' (Samba's convention for share paths). */
static char *windows_path(const char *unix_path)
{
	if (!unix_path)
		return strdup("");
	size_t n = strlen(unix_path);
	char *s = malloc(n + 3);
	if (!s)
		return NULL;
	memcpy(s, "C:", 2);
	for (size_t i = 0; i < n; i++)
		s[2 + i] = unix_path[i] == '/' ? '\\' : unix_path[i];
	s[n + 2] = 0;
	return s;
}

bool rpc_server_info_add_share(struct rpc_server_info *info, const char *name, const char *comment,
			       const char *unix_path, bool browseable, bool is_ipc)
{
	struct rpc_share_info *sh = realloc(info->shares, (info->n_shares + 1) * sizeof(*sh));
	if (!sh)
		return false;
	info->shares = sh;
	struct rpc_share_info *s = &sh[info->n_shares];
	memset(s, 0, sizeof(*s));
	s->name = strdup(name);
	s->comment = strdup(comment ? comment : "");
	s->path = is_ipc ? strdup("") : windows_path(unix_path);
	if (!s->name || !s->comment || !s->path) {
		free(s->name);
		free(s->comment);
		free(s->path);
		return false;
	}
	size_t n = strlen(name);
	s->type = is_ipc ? STYPE_IPC : STYPE_DISKTREE;
	if (n > 0 && name[n - 1] == '$')
		s->type |= STYPE_SPECIAL;
	s->browseable = browseable;
	s->max_uses = 0xFFFFFFFFu;
	s->current_uses = 0;
	info->n_shares++;
	return true;
}

struct rpc_server_info *rpc_server_info_from_config(const struct config *c)
{
	struct rpc_server_info *info = rpc_server_info_new(c->netbios_name, c->server_string, c->workgroup);
	if (!info)
		return NULL;
	for (size_t i = 0; i < c->n_shares; i++) {
		const struct share_conf *sc = &c->shares[i];
		if (!sc->available)
			continue; /* `available = no`: as if it were not there */
		if (!rpc_server_info_add_share(info, sc->name, sc->comment, sc->path, sc->browseable, sc->is_ipc)) {
			rpc_server_info_put(info);
			return NULL;
		}
	}
	return info;
}

struct rpc_server_info *rpc_server_info_get(struct rpc_server_info *info)
{
	atomic_fetch_add(&info->refs, 1);
	return info;
}

void rpc_server_info_put(struct rpc_server_info *info)
{
	if (!info || atomic_fetch_sub(&info->refs, 1) != 1)
		return;
	for (size_t i = 0; i < info->n_shares; i++) {
		free(info->shares[i].name);
		free(info->shares[i].comment);
		free(info->shares[i].path);
	}
	free(info->shares);
	free(info->netbios_name);
	free(info->comment);
	free(info->workgroup);
	free(info);
}
