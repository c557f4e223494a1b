/* Configuration snapshots: defaults, reference counting, share lookup, the
 * `smb3d serve` snapshot and the testparm-style dump. A snapshot is never
 * changed once returned; a reload builds a new one. No I/O but the dump. */
#include "config/config_int.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- small helpers shared by the loader ---- */

size_t cfg_strv_len(char *const *v)
{
	size_t n = 0;

	while (v && v[n])
		n++;
	return n;
}

void cfg_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

char **cfg_strv_dup(char *const *v)
{
	size_t n = cfg_strv_len(v);
	char **d = calloc(n + 1, sizeof(*d));

	if (!d)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!(d[i] = strdup(v[i]))) {
			cfg_strv_free(d);
			return NULL;
		}
	return d;
}

char *cfg_path_join(const char *dir, const char *rel)
{
	while (rel[0] == '.' && rel[1] == '/')
		for (rel += 2; *rel == '/'; rel++)
			;
	size_t dl = strlen(dir);
	bool slash = dl > 0 && dir[dl - 1] == '/';
	char *out = malloc(dl + strlen(rel) + 2);

	if (out)
		sprintf(out, "%s%s%s", dir, slash ? "" : "/", rel);
	return out;
}

char *cfg_dir_of(const char *name)
{
	const char *slash = strrchr(name, '/');
	char *dir, *cwd, *abs;

	if (!slash)
		dir = strdup(".");
	else if (slash == name)
		dir = strdup("/");
	else
		dir = strndup(name, (size_t)(slash - name));
	if (!dir || dir[0] == '/')
		return dir;
	cwd = getcwd(NULL, 0);
	if (!cwd)
		return dir; /* keep it relative rather than fail */
	abs = strcmp(dir, ".") == 0 ? strdup(cwd) : cfg_path_join(cwd, dir);
	free(cwd);
	free(dir);
	return abs;
}

char *cfg_default_netbios_name(void)
{
	char host[256] = "";
	size_t n = 0;

	if (gethostname(host, sizeof(host) - 1) != 0)
		host[0] = '\0';
	host[sizeof(host) - 1] = '\0';
	while (host[n] && host[n] != '.' && n < CFG_MAX_NETBIOS) {
		host[n] = (char)toupper((unsigned char)host[n]);
		n++;
	}
	host[n] = '\0';
	return strdup(n ? host : "SMB3D");
}

void cfg_share_defaults(struct share_conf *s)
{
	memset(s, 0, sizeof(*s));
	s->read_only = true;
	s->browseable = true;
	s->hide_dot_files = true;
	s->use_sendfile = -1;
	s->smb_encrypt = CFG_IF_REQUIRED;
	s->available = true;
	s->create_mask = s->directory_mask = s->force_create_mode = s->force_directory_mode = -1;
}

int config_new_file_mode(const struct share_conf *s, bool dir)
{
	if (s->create_mask < 0 && s->directory_mask < 0 && s->force_create_mode < 0 && s->force_directory_mode < 0)
		return -1;
	if (dir)
		return (0777 & (s->directory_mask >= 0 ? s->directory_mask : 0755)) |
		       (s->force_directory_mode >= 0 ? s->force_directory_mode : 0);
	return (0666 & (s->create_mask >= 0 ? s->create_mask : 0744)) |
	       (s->force_create_mode >= 0 ? s->force_create_mode : 0);
}

bool cfg_set_global_defaults(struct config *c)
{
	atomic_init(&c->refs, 1);
	c->ports = malloc(sizeof(*c->ports));
	if (c->ports) {
		c->ports[0] = 445;
		c->n_ports = 1;
	}
	c->interfaces = calloc(1, sizeof(char *));
	c->bind_interfaces_only = false;
	c->min_protocol = SMB2_DIALECT_202;
	c->max_protocol = SMB2_DIALECT_311;
	c->server_signing = CFG_IF_REQUIRED;
	c->server_smb_encrypt = CFG_IF_REQUIRED;
	c->map_to_guest = MAP_TO_GUEST_NEVER;
	c->guest_account = strdup("nobody");
	c->log_level = 1;
	c->max_connections = 0;
	c->break_timeout_ms = 35000;
	c->busy_poll_us = 100;
	c->logon_timeout_ms = 30000;
	c->max_open_files = 16384;
	c->max_open_files_user = 65536;
	c->max_async = 512;
	c->max_async_user = 4096;
	c->max_sessions_user = 4096;
	c->netbios_name = cfg_default_netbios_name();
	c->workgroup = strdup("WORKGROUP");
	c->server_string = strdup("smb3d");
	c->ntlm_auth = NTLM_AUTH_NTLMV2_ONLY;
	return c->ports && c->interfaces && c->guest_account && c->netbios_name && c->workgroup && c->server_string;
}

bool cfg_add_ipc(struct config *c, struct share_conf *s)
{
	cfg_share_defaults(s);
	s->is_ipc = true;
	s->guest_ok = true;
	s->smb_encrypt = c->server_smb_encrypt;
	s->name = strdup("IPC$");
	if (asprintf(&s->comment, "IPC Service (%s)", c->server_string) < 0)
		s->comment = NULL;
	s->valid_users = calloc(1, sizeof(char *));
	s->invalid_users = calloc(1, sizeof(char *));
	return s->name && s->comment && s->valid_users && s->invalid_users;
}

void cfg_share_conf_clear(struct share_conf *s)
{
	free(s->name);
	free(s->path);
	free(s->comment);
	free(s->hide_files);
	free(s->veto_files);
	free(s->force_user);
	free(s->force_group);
	free(s->fu_groups);
	cfg_strv_free(s->valid_users);
	cfg_strv_free(s->invalid_users);
	cfg_strv_free(s->read_list);
	cfg_strv_free(s->write_list);
	cfg_strv_free(s->admin_users);
	free(s->hosts_allow);
	free(s->hosts_deny);
	memset(s, 0, sizeof(*s));
}

void cfg_free(struct config *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_shares; i++)
		cfg_share_conf_clear(&c->shares[i]);
	free(c->shares);
	free(c->source);
	free(c->ports);
	cfg_strv_free(c->interfaces);
	free(c->passdb_path);
	free(c->guest_account);
	free(c->netbios_name);
	free(c->workgroup);
	free(c->server_string);
	free(c->hosts_allow);
	free(c->hosts_deny);
	free(c);
}

/* ---- public API ---- */

struct config *config_get(struct config *c)
{
	if (c)
		atomic_fetch_add(&c->refs, 1);
	return c;
}

void config_put(struct config *c)
{
	if (c && atomic_fetch_sub(&c->refs, 1) == 1)
		cfg_free(c);
}

const struct share_conf *config_find_share(const struct config *c, const char *name)
{
	if (!c || !name)
		return NULL;
	for (size_t i = 0; i < c->n_shares; i++)
		if (strcasecmp(c->shares[i].name, name) == 0)
			return &c->shares[i];
	return NULL;
}

const char *config_protocol_name(uint16_t dialect)
{
	switch (dialect) {
	case SMB2_DIALECT_202:
		return "SMB2_02";
	case SMB2_DIALECT_210:
		return "SMB2_10";
	case SMB2_DIALECT_300:
		return "SMB3_00";
	case SMB2_DIALECT_302:
		return "SMB3_02";
	case SMB2_DIALECT_311:
		return "SMB3_11";
	}
	return "unknown";
}

static bool text_ok(const char *s, size_t max)
{
	if (!s || !*s || strlen(s) > max)
		return false;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		if (*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

struct config *config_new_serve(const char *path, const char *share_name, const char *bind_addr, uint16_t port,
				bool read_only, bool guest_ok)
{
	struct config *c;
	struct share_conf *s;
	bool ok;

	if (!text_ok(path, CFG_MAX_LINE) || path[0] != '/' || !text_ok(share_name, CFG_MAX_SHARE_NAME) ||
	    strpbrk(share_name, "/\\[]") || strcasecmp(share_name, "IPC$") == 0 ||
	    strcasecmp(share_name, "global") == 0 || (bind_addr && *bind_addr && !text_ok(bind_addr, 1024)))
		return NULL;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	ok = cfg_set_global_defaults(c);
	c->source = strdup("(serve)");
	ok = ok && c->source;
	if (ok && port)
		c->ports[0] = port;
	if (ok && bind_addr && *bind_addr) {
		cfg_strv_free(c->interfaces);
		c->interfaces = calloc(2, sizeof(char *));
		ok = c->interfaces && (c->interfaces[0] = strdup(bind_addr));
		c->bind_interfaces_only = true;
	}
	c->map_to_guest = guest_ok ? MAP_TO_GUEST_BAD_USER : MAP_TO_GUEST_NEVER;
	c->shares = calloc(2, sizeof(*c->shares));
	if (!ok || !c->shares) {
		cfg_free(c);
		return NULL;
	}
	s = &c->shares[c->n_shares++];
	cfg_share_defaults(s);
	s->name = strdup(share_name);
	s->path = strdup(path);
	s->comment = strdup("");
	s->read_only = read_only;
	s->guest_ok = guest_ok;
	s->smb_encrypt = c->server_smb_encrypt;
	s->valid_users = calloc(1, sizeof(char *));
	s->invalid_users = calloc(1, sizeof(char *));
	ok = s->name && s->path && s->comment && s->valid_users && s->invalid_users;
	if (ok) {
		for (size_t n = strlen(s->path); n > 1 && s->path[n - 1] == '/'; n--)
			s->path[n - 1] = '\0';
	}
	ok = ok && cfg_add_ipc(c, &c->shares[c->n_shares++]);
	if (!ok) {
		cfg_free(c);
		return NULL;
	}
	return c;
}

/* ---- dump ---- */

/* Writes a value so that reading it back gives the same string: quoted when
 * the reader would otherwise trim it, strip quotes or see a continuation. */
static void dump_value(FILE *out, const char *v)
{
	size_t n = strlen(v);
	bool quote = n > 0 && (v[0] == ' ' || v[n - 1] == ' ' || v[n - 1] == '\\' ||
			       (n >= 2 && v[0] == '"' && v[n - 1] == '"'));

	fprintf(out, quote ? "\"%s\"\n" : "%s\n", v);
}

static void dump_hosts(FILE *out, const char *name, const struct cfg_hosts *h)
{
	if (!h || !h->n)
		return;
	char buf[4096];
	cfg_hosts_format(h, buf, sizeof(buf));
	fprintf(out, "\t%s = %s\n", name, buf);
}

static void dump_list(FILE *out, char *const *v)
{
	for (size_t i = 0; v && v[i]; i++) {
		size_t n = strlen(v[i]);
		bool quote = strpbrk(v[i], " \t,;") || (n > 0 && v[i][n - 1] == '\\');
		fprintf(out, quote ? "%s\"%s\"" : "%s%s", i ? ", " : "", v[i]);
	}
	fputc('\n', out);
}

static const char *yes_no(bool b)
{
	return b ? "Yes" : "No";
}

void config_dump(const struct config *c, FILE *out)
{
	fputs("# smb3d effective configuration, from ", out);
	for (const unsigned char *p = (const unsigned char *)c->source; p && *p; p++)
		fputc(*p < 0x20 ? '?' : *p, out);
	fputs("\n[global]\n\tsmb ports =", out);
	for (size_t i = 0; i < c->n_ports; i++)
		fprintf(out, " %u", c->ports[i]);
	fputs("\n\tinterfaces = ", out);
	dump_list(out, c->interfaces);
	fprintf(out, "\tbind interfaces only = %s\n", yes_no(c->bind_interfaces_only));
	fprintf(out, "\tserver min protocol = %s\n", config_protocol_name(c->min_protocol));
	fprintf(out, "\tserver max protocol = %s\n", config_protocol_name(c->max_protocol));
	fprintf(out, "\tserver signing = %s\n", cfg_tristate_name(c->server_signing));
	fprintf(out, "\tserver smb encrypt = %s\n", cfg_tristate_name(c->server_smb_encrypt));
	if (c->passdb_path) {
		char *v = NULL;
		fputs("\tpassdb backend = ", out);
		if (asprintf(&v, "smbpasswd:%s", c->passdb_path) >= 0)
			dump_value(out, v);
		else
			fputc('\n', out);
		free(v);
	} else {
		fputs("\t# passdb backend: chosen by `smb3d serve`\n", out);
	}
	fprintf(out, "\tmap to guest = %s\n", cfg_map_to_guest_name(c->map_to_guest));
	fputs("\tguest account = ", out);
	dump_value(out, c->guest_account);
	fprintf(out, "\tlog level = %d\n", c->log_level);
	fprintf(out, "\tmax connections = %d\n", c->max_connections);
	fprintf(out, "\trestrict anonymous = %d\n", c->restrict_anonymous);
	dump_hosts(out, "hosts allow", c->hosts_allow);
	dump_hosts(out, "hosts deny", c->hosts_deny);
	fprintf(out, "\tsmb2 directory leases = %s\n", c->directory_leases ? "yes" : "no");
	if (c->busy_poll_us != 100)
		fprintf(out, "\tsmb3d:busy poll = %d\n", c->busy_poll_us);
	fprintf(out, "\tsmb3d:logon timeout = %d\n", c->logon_timeout_ms / 1000);
	fprintf(out, "\tmax open files = %d\n", c->max_open_files);
	fprintf(out, "\tsmb3d:max open files per user = %d\n", c->max_open_files_user);
	fprintf(out, "\tsmb3d:max async requests = %d\n", c->max_async);
	fprintf(out, "\tsmb3d:max async requests per user = %d\n", c->max_async_user);
	fprintf(out, "\tsmb3d:max sessions per user = %d\n", c->max_sessions_user);
	if (c->break_timeout_ms != 35000)
		fprintf(out, "\tsmb3d:torture break timeout = %d\n", c->break_timeout_ms);
	fputs("\tnetbios name = ", out);
	dump_value(out, c->netbios_name);
	fputs("\tworkgroup = ", out);
	dump_value(out, c->workgroup);
	fputs("\tserver string = ", out);
	dump_value(out, c->server_string);
	fprintf(out, "\tntlm auth = %s\n", cfg_ntlm_auth_name(c->ntlm_auth));

	for (size_t i = 0; i < c->n_shares; i++) {
		const struct share_conf *s = &c->shares[i];
		if (s->is_ipc)
			continue; /* implicit; a user [IPC$] is ignored on reading */
		fprintf(out, "\n[%s]\n\tpath = ", s->name);
		dump_value(out, s->path ? s->path : "");
		fputs("\tcomment = ", out);
		dump_value(out, s->comment ? s->comment : "");
		fprintf(out, "\tread only = %s\n", yes_no(s->read_only));
		fprintf(out, "\tguest ok = %s\n", yes_no(s->guest_ok));
		fprintf(out, "\tbrowseable = %s\n", yes_no(s->browseable));
		fprintf(out, "\tcase sensitive = %s\n", yes_no(s->case_sensitive));
		fprintf(out, "\thide dot files = %s\n", yes_no(s->hide_dot_files));
		fprintf(out, "\thide unreadable = %s\n", yes_no(s->hide_unreadable));
		if (s->hide_files && s->hide_files[0]) {
			fputs("\thide files = ", out);
			dump_value(out, s->hide_files);
		}
		if (s->force_user) {
			fputs("\tforce user = ", out);
			dump_value(out, s->force_user);
		}
		if (s->force_group) {
			fputs("\tforce group = ", out);
			dump_value(out, s->force_group);
		}
		if (s->veto_files && s->veto_files[0]) {
			fputs("\tveto files = ", out);
			dump_value(out, s->veto_files);
		}
		if (s->use_sendfile >= 0) /* unset: on */
			fprintf(out, "\tuse sendfile = %s\n", yes_no(s->use_sendfile));
		fprintf(out, "\tserver smb encrypt = %s\n", cfg_tristate_name(s->smb_encrypt));
		fputs("\tvalid users = ", out);
		dump_list(out, s->valid_users);
		fputs("\tinvalid users = ", out);
		dump_list(out, s->invalid_users);
		if (!s->available)
			fputs("\tavailable = no\n", out);
		if (s->read_list && s->read_list[0]) {
			fputs("\tread list = ", out);
			dump_list(out, s->read_list);
		}
		if (s->admin_users && s->admin_users[0]) {
			fputs("\tadmin users = ", out);
			dump_list(out, s->admin_users);
		}
		if (s->write_list && s->write_list[0]) {
			fputs("\twrite list = ", out);
			dump_list(out, s->write_list);
		}
		dump_hosts(out, "hosts allow", s->hosts_allow);
		dump_hosts(out, "hosts deny", s->hosts_deny);
		if (s->create_mask >= 0)
			fprintf(out, "\tcreate mask = %04o\n", (unsigned)s->create_mask);
		if (s->directory_mask >= 0)
			fprintf(out, "\tdirectory mask = %04o\n", (unsigned)s->directory_mask);
		if (s->force_create_mode >= 0)
			fprintf(out, "\tforce create mode = %04o\n", (unsigned)s->force_create_mode);
		if (s->force_directory_mode >= 0)
			fprintf(out, "\tforce directory mode = %04o\n", (unsigned)s->force_directory_mode);
	}
}
