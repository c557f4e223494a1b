/* The smb.conf parameter table (canonical names, Samba's aliases, scope) and
 * the value parsers: booleans, Samba's enum spellings, lists, ports, protocol
 * names. Meanings follow Samba's smb.conf(5). No I/O here. */
#include "config/config_int.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum param_id {
	P_SMB_PORTS,
	P_INTERFACES,
	P_BIND_INTERFACES_ONLY,
	P_MIN_PROTOCOL,
	P_MAX_PROTOCOL,
	P_SERVER_SIGNING,
	P_SMB_ENCRYPT,
	P_PASSDB_BACKEND,
	P_MAP_TO_GUEST,
	P_GUEST_ACCOUNT,
	P_LOG_LEVEL,
	P_MAX_CONNECTIONS,
	P_RESTRICT_ANONYMOUS,
	P_NETBIOS_NAME,
	P_WORKGROUP,
	P_SERVER_STRING,
	P_TORTURE_FSCTLS,
	P_TORTURE_BREAK_TIMEOUT,
	P_BUSY_POLL,
	P_LOGON_TIMEOUT,
	P_MAX_OPEN_FILES,
	P_MAX_OPEN_FILES_USER,
	P_MAX_ASYNC,
	P_MAX_ASYNC_USER,
	P_MAX_SESSIONS_USER,
	P_DIRECTORY_LEASES,
	P_NTLM_AUTH,
	P_PATH,
	P_COMMENT,
	P_READ_ONLY,
	P_GUEST_OK,
	P_BROWSEABLE,
	P_CASE_SENSITIVE,
	P_VALID_USERS,
	P_INVALID_USERS,
	P_HIDE_DOT_FILES,
	P_USE_SENDFILE,
	P_HIDE_FILES,
	P_HIDE_UNREADABLE,
	P_AVAILABLE,
	P_READ_LIST,
	P_WRITE_LIST,
	P_HOSTS_ALLOW,
	P_HOSTS_DENY,
	P_CREATE_MASK,
	P_DIRECTORY_MASK,
	P_FORCE_CREATE_MODE,
	P_FORCE_DIRECTORY_MODE,
	P_VETO_FILES,
	P_FORCE_USER,
	P_FORCE_GROUP,
	P_ADMIN_USERS,
};

enum { SCOPE_GLOBAL, SCOPE_SHARE, SCOPE_BOTH };

struct param_def {
	const char *key;   /* lower case, no white space: how names are matched */
	const char *canon; /* the spelling config_dump writes */
	unsigned char id, scope;
	bool invert; /* boolean alias with the opposite sense (`writeable`) */
};

static const struct param_def param_table[] = {
	{ "smbports", "smb ports", P_SMB_PORTS, SCOPE_GLOBAL, false },
	{ "interfaces", "interfaces", P_INTERFACES, SCOPE_GLOBAL, false },
	{ "bindinterfacesonly", "bind interfaces only", P_BIND_INTERFACES_ONLY, SCOPE_GLOBAL, false },
	{ "smb3d:torturefsctls", "smb3d:torture fsctls", P_TORTURE_FSCTLS, SCOPE_GLOBAL, false },
	{ "smb2directoryleases", "smb2 directory leases", P_DIRECTORY_LEASES, SCOPE_GLOBAL, false },
	{ "smb3d:busypoll", "smb3d:busy poll", P_BUSY_POLL, SCOPE_GLOBAL, false },
	{ "smb3d:logontimeout", "smb3d:logon timeout", P_LOGON_TIMEOUT, SCOPE_GLOBAL, false },
	{ "maxopenfiles", "max open files", P_MAX_OPEN_FILES, SCOPE_GLOBAL, false },
	{ "smb3d:maxopenfilesperuser", "smb3d:max open files per user", P_MAX_OPEN_FILES_USER, SCOPE_GLOBAL, false },
	{ "smb3d:maxasyncrequests", "smb3d:max async requests", P_MAX_ASYNC, SCOPE_GLOBAL, false },
	{ "smb3d:maxsessionsperuser", "smb3d:max sessions per user", P_MAX_SESSIONS_USER, SCOPE_GLOBAL, false },
	{ "smb3d:maxasyncrequestsperuser", "smb3d:max async requests per user", P_MAX_ASYNC_USER, SCOPE_GLOBAL,
	  false },
	{ "smb3d:torturebreaktimeout", "smb3d:torture break timeout", P_TORTURE_BREAK_TIMEOUT, SCOPE_GLOBAL, false },
	{ "serverminprotocol", "server min protocol", P_MIN_PROTOCOL, SCOPE_GLOBAL, false },
	{ "minprotocol", "server min protocol", P_MIN_PROTOCOL, SCOPE_GLOBAL, false },
	{ "servermaxprotocol", "server max protocol", P_MAX_PROTOCOL, SCOPE_GLOBAL, false },
	{ "maxprotocol", "server max protocol", P_MAX_PROTOCOL, SCOPE_GLOBAL, false },
	{ "protocol", "server max protocol", P_MAX_PROTOCOL, SCOPE_GLOBAL, false },
	{ "serversigning", "server signing", P_SERVER_SIGNING, SCOPE_GLOBAL, false },
	{ "serversmbencrypt", "server smb encrypt", P_SMB_ENCRYPT, SCOPE_BOTH, false },
	{ "smbencrypt", "server smb encrypt", P_SMB_ENCRYPT, SCOPE_BOTH, false },
	{ "passdbbackend", "passdb backend", P_PASSDB_BACKEND, SCOPE_GLOBAL, false },
	{ "maptoguest", "map to guest", P_MAP_TO_GUEST, SCOPE_GLOBAL, false },
	{ "guestaccount", "guest account", P_GUEST_ACCOUNT, SCOPE_GLOBAL, false },
	{ "restrictanonymous", "restrict anonymous", P_RESTRICT_ANONYMOUS, SCOPE_GLOBAL, false },
	{ "loglevel", "log level", P_LOG_LEVEL, SCOPE_GLOBAL, false },
	{ "debuglevel", "log level", P_LOG_LEVEL, SCOPE_GLOBAL, false },
	{ "maxconnections", "max connections", P_MAX_CONNECTIONS, SCOPE_GLOBAL, false },
	{ "netbiosname", "netbios name", P_NETBIOS_NAME, SCOPE_GLOBAL, false },
	{ "workgroup", "workgroup", P_WORKGROUP, SCOPE_GLOBAL, false },
	{ "serverstring", "server string", P_SERVER_STRING, SCOPE_GLOBAL, false },
	{ "ntlmauth", "ntlm auth", P_NTLM_AUTH, SCOPE_GLOBAL, false },
	{ "path", "path", P_PATH, SCOPE_SHARE, false },
	{ "directory", "path", P_PATH, SCOPE_SHARE, false },
	{ "comment", "comment", P_COMMENT, SCOPE_SHARE, false },
	{ "readonly", "read only", P_READ_ONLY, SCOPE_SHARE, false },
	{ "writeable", "read only", P_READ_ONLY, SCOPE_SHARE, true },
	{ "writable", "read only", P_READ_ONLY, SCOPE_SHARE, true },
	{ "writeok", "read only", P_READ_ONLY, SCOPE_SHARE, true },
	{ "guestok", "guest ok", P_GUEST_OK, SCOPE_SHARE, false },
	{ "public", "guest ok", P_GUEST_OK, SCOPE_SHARE, false },
	{ "browseable", "browseable", P_BROWSEABLE, SCOPE_SHARE, false },
	{ "browsable", "browseable", P_BROWSEABLE, SCOPE_SHARE, false },
	{ "casesensitive", "case sensitive", P_CASE_SENSITIVE, SCOPE_SHARE, false },
	{ "casesignames", "case sensitive", P_CASE_SENSITIVE, SCOPE_SHARE, false },
	{ "validusers", "valid users", P_VALID_USERS, SCOPE_SHARE, false },
	{ "invalidusers", "invalid users", P_INVALID_USERS, SCOPE_SHARE, false },
	{ "hidedotfiles", "hide dot files", P_HIDE_DOT_FILES, SCOPE_SHARE, false },
	{ "usesendfile", "use sendfile", P_USE_SENDFILE, SCOPE_SHARE, false },
	{ "hidefiles", "hide files", P_HIDE_FILES, SCOPE_SHARE, false },
	{ "hideunreadable", "hide unreadable", P_HIDE_UNREADABLE, SCOPE_SHARE, false },
	{ "available", "available", P_AVAILABLE, SCOPE_SHARE, false },
	{ "readlist", "read list", P_READ_LIST, SCOPE_SHARE, false },
	{ "writelist", "write list", P_WRITE_LIST, SCOPE_SHARE, false },
	{ "hostsallow", "hosts allow", P_HOSTS_ALLOW, SCOPE_SHARE, false },
	{ "allowhosts", "hosts allow", P_HOSTS_ALLOW, SCOPE_SHARE, false },
	{ "hostsdeny", "hosts deny", P_HOSTS_DENY, SCOPE_SHARE, false },
	{ "denyhosts", "hosts deny", P_HOSTS_DENY, SCOPE_SHARE, false },
	{ "createmask", "create mask", P_CREATE_MASK, SCOPE_SHARE, false },
	{ "createmode", "create mask", P_CREATE_MASK, SCOPE_SHARE, false },
	{ "directorymask", "directory mask", P_DIRECTORY_MASK, SCOPE_SHARE, false },
	{ "directorymode", "directory mask", P_DIRECTORY_MASK, SCOPE_SHARE, false },
	{ "forcecreatemode", "force create mode", P_FORCE_CREATE_MODE, SCOPE_SHARE, false },
	{ "forcedirectorymode", "force directory mode", P_FORCE_DIRECTORY_MODE, SCOPE_SHARE, false },
	{ "vetofiles", "veto files", P_VETO_FILES, SCOPE_SHARE, false },
	{ "forceuser", "force user", P_FORCE_USER, SCOPE_SHARE, false },
	{ "forcegroup", "force group", P_FORCE_GROUP, SCOPE_SHARE, false },
	{ "group", "force group", P_FORCE_GROUP, SCOPE_SHARE, false },
	{ "adminusers", "admin users", P_ADMIN_USERS, SCOPE_SHARE, false },
};


/* Lower-cases and drops white space: "Read  Only" -> "readonly". Returns
 * false if the result would not fit (no parameter name is that long). */
static bool normalize_name(const char *name, char *out, size_t cap)
{
	size_t n = 0;

	for (; *name; name++) {
		unsigned char ch = (unsigned char)*name;
		if (isspace(ch))
			continue;
		if (n + 1 >= cap) {
			out[0] = '\0';
			return false;
		}
		out[n++] = (char)tolower(ch);
	}
	out[n] = '\0';
	return true;
}

/* Case-insensitive comparison that ignores spaces (enum spellings). */
static bool value_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == ' ')
			a++;
		while (*b == ' ')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
}

struct enum_val {
	const char *s;
	int v;
};

static int enum_lookup(const struct enum_val *t, const char *value)
{
	for (; t->s; t++)
		if (value_eq(t->s, value))
			return t->v;
	return -1;
}

static const struct enum_val bool_vals[] = {
	{ "yes", 1 }, { "true", 1 }, { "on", 1 }, { "1", 1 },
	{ "no", 0 }, { "false", 0 }, { "off", 0 }, { "0", 0 }, { NULL, 0 },
};

/* Samba's smb_signing values, shared by `server smb encrypt`. */
static const struct enum_val tristate_vals[] = {
	{ "default", CFG_IF_REQUIRED }, { "auto", CFG_IF_REQUIRED },
	{ "if_required", CFG_IF_REQUIRED }, { "yes", CFG_IF_REQUIRED },
	{ "true", CFG_IF_REQUIRED }, { "on", CFG_IF_REQUIRED }, { "1", CFG_IF_REQUIRED },
	{ "enabled", CFG_IF_REQUIRED }, { "no", CFG_OFF }, { "false", CFG_OFF },
	{ "off", CFG_OFF }, { "0", CFG_OFF }, { "disabled", CFG_OFF },
	{ "desired", CFG_DESIRED }, { "mandatory", CFG_REQUIRED },
	{ "required", CFG_REQUIRED }, { "force", CFG_REQUIRED },
	{ "forced", CFG_REQUIRED }, { "enforced", CFG_REQUIRED }, { NULL, 0 },
};

static const struct enum_val map_to_guest_vals[] = {
	{ "never", MAP_TO_GUEST_NEVER }, { "bad user", MAP_TO_GUEST_BAD_USER },
	{ "bad password", MAP_TO_GUEST_BAD_PASSWORD }, { "bad uid", MAP_TO_GUEST_BAD_UID },
	{ NULL, 0 },
};

static const struct enum_val ntlm_auth_vals[] = {
	{ "ntlmv2-only", NTLM_AUTH_NTLMV2_ONLY }, { "no", NTLM_AUTH_NTLMV2_ONLY },
	{ "false", NTLM_AUTH_NTLMV2_ONLY }, { "off", NTLM_AUTH_NTLMV2_ONLY },
	{ "0", NTLM_AUTH_NTLMV2_ONLY }, { "disabled", NTLM_AUTH_NTLMV2_ONLY },
	{ "ntlmv1-permitted", NTLM_AUTH_NTLMV1_PERMITTED }, { "ntlmv1", NTLM_AUTH_NTLMV1_PERMITTED },
	{ "yes", NTLM_AUTH_NTLMV1_PERMITTED }, { "true", NTLM_AUTH_NTLMV1_PERMITTED },
	{ "on", NTLM_AUTH_NTLMV1_PERMITTED }, { "1", NTLM_AUTH_NTLMV1_PERMITTED },
	{ "mschapv2-and-ntlmv2-only", NTLM_AUTH_MSCHAPV2_NTLMV2_ONLY }, { NULL, 0 },
};

static const struct enum_val case_vals[] = {
	{ "yes", 1 }, { "true", 1 }, { "on", 1 }, { "1", 1 }, { "no", 0 }, { "false", 0 },
	{ "off", 0 }, { "0", 0 }, { "auto", 0 }, { "default", 0 }, { NULL, 0 },
};

#define PROTO_LEGACY (-2) /* SMB1 and older */

/* `min`: whether this is the lower bound (SMB2/SMB3 mean the lowest). */
static int parse_protocol(const char *v, bool min)
{
	static const struct enum_val names[] = {
		{ "SMB2_02", SMB2_DIALECT_202 }, { "SMB2_10", SMB2_DIALECT_210 },
		{ "SMB3_00", SMB2_DIALECT_300 }, { "SMB3_02", SMB2_DIALECT_302 },
		{ "SMB3_11", SMB2_DIALECT_311 }, { "NT1", PROTO_LEGACY },
		{ "LANMAN1", PROTO_LEGACY }, { "LANMAN2", PROTO_LEGACY },
		{ "CORE", PROTO_LEGACY }, { "COREPLUS", PROTO_LEGACY }, { "CORE+", PROTO_LEGACY },
		{ NULL, 0 },
	};
	if (value_eq(v, "SMB2"))
		return min ? SMB2_DIALECT_202 : SMB2_DIALECT_210;
	if (value_eq(v, "SMB3"))
		return min ? SMB2_DIALECT_300 : SMB2_DIALECT_311;
	if (value_eq(v, "default"))
		return min ? SMB2_DIALECT_202 : SMB2_DIALECT_311;
	return enum_lookup(names, v);
}

static bool parse_long(const char *v, long lo, long hi, long *out)
{
	char *end;

	if (!isdigit((unsigned char)*v) && !(*v == '-' && isdigit((unsigned char)v[1])))
		return false;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < lo || n > hi)
		return false;
	*out = n;
	return true;
}

/* Copy of a string value without one pair of surrounding double quotes,
 * as Samba's string parameters are read. */
static char *unquote(const char *v)
{
	size_t n = strlen(v);

	if (n >= 2 && v[0] == '"' && v[n - 1] == '"')
		return strndup(v + 1, n - 2);
	return strdup(v);
}

char **cfg_list_parse(const char *value)
{
	size_t n = 0, cap = 4;
	char **v = calloc(cap, sizeof(*v));
	char *tok = malloc(strlen(value) + 1);

	if (!v || !tok)
		goto fail;
	const char *p = value;
	for (;;) {
		size_t k = 0;
		bool quoted = false, any = false;

		while (*p && strchr(" \t,;\r\n", *p))
			p++;
		if (!*p)
			break;
		for (; *p; p++) {
			if (*p == '"') {
				quoted = !quoted;
				any = true;
				continue;
			}
			if (!quoted && strchr(" \t,;\r\n", *p))
				break;
			tok[k++] = *p;
		}
		tok[k] = '\0';
		if (k == 0 && any)
			continue; /* "" alone: an empty entry, skipped like Samba */
		if (n + 2 > cap) {
			char **nv = realloc(v, cap * 2 * sizeof(*v));
			if (!nv)
				goto fail;
			v = nv;
			cap *= 2;
		}
		v[n] = strdup(tok);
		if (!v[n])
			goto fail;
		v[++n] = NULL;
	}
	free(tok);
	return v;
fail:
	free(tok);
	cfg_strv_free(v);
	return NULL;
}

/* Removes trailing slashes but keeps "/". */
static void trim_slashes(char *p)
{
	size_t n = strlen(p);

	while (n > 1 && p[n - 1] == '/')
		p[--n] = '\0';
}

static void bad_value(struct cfg_loader *L, const char *name, const char *value, const char *expect)
{
	cfg_diag(L, true, "'%s' cannot be '%s'; use %s", name, value, expect);
}

static const char tristate_expect[] =
	"one of: default, auto, yes, no, desired, mandatory (or Samba's synonyms)";

static void set_ports(struct cfg_loader *L, const char *name, const char *value)
{
	char **v = cfg_list_parse(value);
	uint16_t *ports = NULL;
	size_t n = 0;

	if (!v) {
		cfg_oom(L);
		return;
	}
	if (!v[0]) {
		cfg_diag(L, true, "'%s' is empty; give at least one TCP port, e.g. '%s = 445'", name, name);
		goto out;
	}
	ports = calloc(cfg_strv_len(v), sizeof(*ports));
	if (!ports) {
		cfg_oom(L);
		goto out;
	}
	for (size_t i = 0; v[i]; i++) {
		long p;
		if (!parse_long(v[i], 1, 65535, &p)) {
			cfg_diag(L, true, "'%s': '%s' is not a TCP port; use numbers from 1 to 65535", name, v[i]);
			goto out;
		}
		bool dup = false;
		for (size_t j = 0; j < n; j++)
			dup |= ports[j] == p;
		if (dup)
			continue;
		if (n == CFG_MAX_PORTS) {
			cfg_diag(L, true, "'%s' lists more than %d ports", name, CFG_MAX_PORTS);
			goto out;
		}
		ports[n++] = (uint16_t)p;
	}
	free(L->c->ports);
	L->c->ports = ports;
	L->c->n_ports = n;
	ports = NULL;
out:
	free(ports);
	cfg_strv_free(v);
}

static void set_passdb(struct cfg_loader *L, const char *name, const char *value)
{
	char *v = unquote(value);
	char *path = NULL;

	if (!v) {
		cfg_oom(L);
		return;
	}
	if (strncasecmp(v, "smbpasswd", 9) != 0 || (v[9] != '\0' && v[9] != ':')) {
		cfg_diag(L, true,
			 "passdb backend '%s' is not supported; smb3d supports only smbpasswd:PATH "
			 "(e.g. 'passdb backend = smbpasswd:/etc/smb3d/smbpasswd'; create users with 'smb3d user add')",
			 v);
		goto out;
	}
	const char *p = v[9] ? v + 10 : "";
	while (*p == ' ')
		p++;
	if (*p == '\0')
		path = cfg_path_join(L->dir, "smbpasswd");
	else if (*p == '/')
		path = strdup(p);
	else
		path = cfg_path_join(L->dir, p);
	if (!path) {
		cfg_oom(L);
		goto out;
	}
	trim_slashes(path);
	free(L->c->passdb_path);
	L->c->passdb_path = path;
out:
	free(v);
	(void)name;
}

static void set_log_level(struct cfg_loader *L, const char *name, const char *value)
{
	char **v = cfg_list_parse(value);
	size_t ignored = 0;

	if (!v) {
		cfg_oom(L);
		return;
	}
	if (!v[0]) {
		bad_value(L, name, value, "a number from 0 to 10");
		goto out;
	}
	for (size_t i = 0; v[i]; i++) {
		char *colon = strchr(v[i], ':');
		const char *num = v[i];
		long lvl;
		if (colon && (i > 0 || strncasecmp(v[i], "all:", 4) != 0)) {
			ignored++;
			continue;
		}
		if (colon)
			num = colon + 1;
		if (i > 0 || !parse_long(num, 0, LONG_MAX, &lvl)) {
			bad_value(L, name, value, "a number from 0 to 10, optionally followed by Samba's class:level pairs");
			goto out;
		}
		if (lvl > 10) {
			cfg_diag(L, false, "'%s = %ld' is above 10; using 10", name, lvl);
			lvl = 10;
		}
		L->c->log_level = (int)lvl;
	}
	if (ignored)
		cfg_diag(L, false, "'%s': per-class levels (e.g. 'auth:5') are not supported by smb3d, ignored", name);
out:
	cfg_strv_free(v);
}

/* `netbios name`, `workgroup`: upper case, at most 15 characters. */
static void set_netbios(struct cfg_loader *L, const char *name, const char *value, char **dst)
{
	char *v = unquote(value);

	if (!v) {
		cfg_oom(L);
		return;
	}
	if (!*v) {
		free(v);
		return; /* empty: keep the default, as Samba does */
	}
	if (strlen(v) > CFG_MAX_NETBIOS) {
		cfg_diag(L, false, "'%s = %s' is longer than %d characters; truncated", name, v, CFG_MAX_NETBIOS);
		size_t n = CFG_MAX_NETBIOS;
		while (n > 0 && ((unsigned char)v[n] & 0xC0) == 0x80)
			n--; /* cut on a UTF-8 character boundary */
		v[n] = '\0';
	}
	for (char *p = v; *p; p++)
		*p = (char)toupper((unsigned char)*p);
	free(*dst);
	*dst = v;
}

/* `server string`: %h is the host name, %% a percent sign, like Samba. */
static void set_server_string(struct cfg_loader *L, const char *value)
{
	char *v = unquote(value);
	char host[256] = "localhost";
	size_t extra = 0;

	if (!v) {
		cfg_oom(L);
		return;
	}
	if (gethostname(host, sizeof(host) - 1) != 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	for (const char *p = v; *p; p++)
		if (p[0] == '%' && p[1] == 'h') {
			extra += strlen(host);
			p++;
		}
	if (strlen(v) + extra > CFG_MAX_LINE) {
		cfg_diag(L, true, "'server string' is too long once %%h is replaced by the host name");
		free(v);
		return;
	}
	char *out = malloc(strlen(v) + extra + 1);
	if (!out) {
		free(v);
		cfg_oom(L);
		return;
	}
	char *o = out;
	for (const char *p = v; *p; p++) {
		if (p[0] == '%' && p[1] == 'h') {
			o = stpcpy(o, host);
			p++;
		} else if (p[0] == '%' && p[1] == '%') {
			*o++ = '%';
			p++;
		} else {
			*o++ = *p;
		}
	}
	*o = '\0';
	free(v);
	free(L->c->server_string);
	L->c->server_string = out;
}

static void set_global(struct cfg_loader *L, const struct param_def *d, const char *name, const char *value)
{
	struct config *c = L->c;
	long n;
	int e;

	switch (d->id) {
	case P_SMB_PORTS:
		set_ports(L, name, value);
		break;
	case P_INTERFACES: {
		char **v = cfg_list_parse(value);
		if (!v) {
			cfg_oom(L);
			break;
		}
		cfg_strv_free(c->interfaces);
		c->interfaces = v;
		break;
	}
	case P_BIND_INTERFACES_ONLY:
		if ((e = enum_lookup(bool_vals, value)) < 0)
			bad_value(L, name, value, "yes or no");
		else
			c->bind_interfaces_only = e;
		break;
	case P_TORTURE_FSCTLS:
		if ((e = enum_lookup(bool_vals, value)) < 0)
			bad_value(L, name, value, "yes or no");
		else
			c->torture_fsctls = e;
		break;
	case P_MIN_PROTOCOL:
	case P_MAX_PROTOCOL: {
		bool min = d->id == P_MIN_PROTOCOL;
		e = parse_protocol(value, min);
		if (e == -1) {
			bad_value(L, name, value, "one of SMB2_02, SMB2_10, SMB3_00, SMB3_02, SMB3_11, SMB2, SMB3");
		} else if (e == PROTO_LEGACY && !min) {
			cfg_diag(L, true, "'%s = %s': smb3d does not implement SMB1 or older; use SMB2_02 or later", name,
				 value);
		} else if (e == PROTO_LEGACY) {
			cfg_diag(L, false, "'%s = %s': smb3d does not implement SMB1 or older; using SMB2_02", name,
				 value);
			c->min_protocol = SMB2_DIALECT_202;
			L->min_proto_line = L->line;
		} else if (min) {
			c->min_protocol = (uint16_t)e;
			L->min_proto_line = L->line;
		} else {
			c->max_protocol = (uint16_t)e;
			L->max_proto_line = L->line;
		}
		break;
	}
	case P_SERVER_SIGNING:
	case P_SMB_ENCRYPT:
		if ((e = enum_lookup(tristate_vals, value)) < 0)
			bad_value(L, name, value, tristate_expect);
		else if (d->id == P_SERVER_SIGNING)
			c->server_signing = (enum cfg_tristate)e;
		else
			c->server_smb_encrypt = (enum cfg_tristate)e;
		break;
	case P_PASSDB_BACKEND:
		set_passdb(L, name, value);
		break;
	case P_MAP_TO_GUEST:
		if ((e = enum_lookup(map_to_guest_vals, value)) < 0)
			bad_value(L, name, value, "one of: never, bad user, bad password, bad uid");
		else
			c->map_to_guest = (enum cfg_map_to_guest)e;
		break;
	case P_GUEST_ACCOUNT: {
		char *v = unquote(value);
		if (!v) {
			cfg_oom(L);
		} else if (!*v) {
			free(v);
			cfg_diag(L, true, "'%s' is empty; give a Unix user name such as 'nobody'", name);
		} else {
			free(c->guest_account);
			c->guest_account = v;
		}
		break;
	}
	case P_LOG_LEVEL:
		set_log_level(L, name, value);
		break;
	case P_DIRECTORY_LEASES:
		if ((e = enum_lookup(bool_vals, value)) < 0)
			bad_value(L, name, value, "yes or no");
		else
			c->directory_leases = e;
		break;
	case P_BUSY_POLL:
		if (!parse_long(value, 0, 10000, &n))
			bad_value(L, name, value, "microseconds from 0 (off) to 10000; the default is 100");
		else
			c->busy_poll_us = (int)n;
		break;
	case P_LOGON_TIMEOUT:
		if (!parse_long(value, 1, 3600, &n))
			bad_value(L, name, value, "seconds from 1 to 3600; the default is 30");
		else
			c->logon_timeout_ms = (int)n * 1000;
		break;
	case P_MAX_OPEN_FILES:
		if (!parse_long(value, 1, 1048576, &n))
			bad_value(L, name, value, "a number of open files per connection from 1 to 1048576; the default is 16384");
		else
			c->max_open_files = (int)n;
		break;
	case P_MAX_OPEN_FILES_USER:
		if (!parse_long(value, 1, 16777216, &n))
			bad_value(L, name, value, "a number of open files per user from 1 to 16777216; the default is 65536");
		else
			c->max_open_files_user = (int)n;
		break;
	case P_MAX_ASYNC:
		if (!parse_long(value, 1, 8192, &n))
			bad_value(L, name, value, "a number of waiting requests per connection from 1 to 8192; the default is 512");
		else
			c->max_async = (int)n;
		break;
	case P_MAX_ASYNC_USER:
		if (!parse_long(value, 1, 1048576, &n))
			bad_value(L, name, value, "a number of waiting requests per user from 1 to 1048576; the default is 4096");
		else
			c->max_async_user = (int)n;
		break;
	case P_MAX_SESSIONS_USER:
		if (!parse_long(value, 1, 1048576, &n))
			bad_value(L, name, value, "a number of sessions per user from 1 to 1048576; the default is 4096");
		else
			c->max_sessions_user = (int)n;
		break;
	case P_TORTURE_BREAK_TIMEOUT:
		if (!parse_long(value, 100, 3600000, &n))
			bad_value(L, name, value, "milliseconds from 100 to 3600000 (test-only; the default is 35000)");
		else
			c->break_timeout_ms = (int)n;
		break;
	case P_MAX_CONNECTIONS:
		if (!parse_long(value, 0, INT_MAX, &n))
			bad_value(L, name, value, "a number >= 0 (0 means unlimited)");
		else
			c->max_connections = (int)n;
		break;
	case P_RESTRICT_ANONYMOUS:
		if (!parse_long(value, 0, 2, &n))
			bad_value(L, name, value, "0, 1 (no share listing for anonymous) or 2 (no IPC$ for anonymous)");
		else
			c->restrict_anonymous = (int)n;
		break;
	case P_NETBIOS_NAME:
		set_netbios(L, name, value, &c->netbios_name);
		break;
	case P_WORKGROUP:
		set_netbios(L, name, value, &c->workgroup);
		break;
	case P_SERVER_STRING:
		set_server_string(L, value);
		break;
	case P_NTLM_AUTH:
		if ((e = enum_lookup(ntlm_auth_vals, value)) < 0)
			bad_value(L, name, value, "one of: ntlmv2-only, ntlmv1-permitted, mschapv2-and-ntlmv2-only");
		else
			c->ntlm_auth = (enum cfg_ntlm_auth)e;
		if (e >= 0 && value_eq(value, "disabled"))
			cfg_diag(L, false, "'%s = disabled' is treated as ntlmv2-only by smb3d", name);
		break;
	}
}

static void set_list(struct cfg_loader *L, struct cfg_share_build *b, char ***dst, unsigned bit, const char *value)
{
	char **v = cfg_list_parse(value);

	if (!v) {
		cfg_oom(L);
		return;
	}
	cfg_strv_free(*dst);
	*dst = v;
	b->set |= bit;
}

static void set_bool(struct cfg_loader *L, struct cfg_share_build *b, bool *dst, unsigned bit, const char *name,
		     const char *value, bool invert)
{
	int e = enum_lookup(bool_vals, value);

	if (e < 0) {
		bad_value(L, name, value, "yes or no");
		return;
	}
	*dst = invert ? !e : e;
	b->set |= bit;
}

static void set_share(struct cfg_loader *L, struct cfg_share_build *b, const struct param_def *d, const char *name,
		      const char *value)
{
	struct share_conf *s = &b->s;
	char *v;
	int e;

	switch (d->id) {
	case P_PATH:
		if (!(v = unquote(value))) {
			cfg_oom(L);
		} else if (!*v) {
			cfg_diag(L, true, "'%s' is empty; give the absolute directory to share, e.g. 'path = /srv/data'",
				 name);
		} else if (strchr(v, '%')) {
			cfg_diag(L, true, "'%s = %s': %% substitutions are not supported by smb3d; give a fixed directory",
				 name, v);
		} else if (v[0] != '/') {
			cfg_diag(L, true, "'%s = %s' is relative; share paths must be absolute, e.g. '/srv/%s'", name,
				 v, v);
		} else {
			trim_slashes(v);
			free(s->path);
			s->path = v;
			v = NULL;
			b->set |= SHP_PATH;
		}
		free(v);
		break;
	case P_COMMENT:
		if (!(v = unquote(value))) {
			cfg_oom(L);
			break;
		}
		free(s->comment);
		s->comment = v;
		b->set |= SHP_COMMENT;
		break;
	case P_READ_ONLY:
		set_bool(L, b, &s->read_only, SHP_READ_ONLY, name, value, d->invert);
		break;
	case P_GUEST_OK:
		set_bool(L, b, &s->guest_ok, SHP_GUEST_OK, name, value, false);
		break;
	case P_BROWSEABLE:
		set_bool(L, b, &s->browseable, SHP_BROWSEABLE, name, value, false);
		break;
	case P_CASE_SENSITIVE:
		if ((e = enum_lookup(case_vals, value)) < 0) {
			bad_value(L, name, value, "yes, no or auto");
		} else {
			s->case_sensitive = e;
			b->set |= SHP_CASE_SENSITIVE;
		}
		break;
	case P_SMB_ENCRYPT:
		if ((e = enum_lookup(tristate_vals, value)) < 0) {
			bad_value(L, name, value, tristate_expect);
		} else {
			s->smb_encrypt = (enum cfg_tristate)e;
			b->set |= SHP_SMB_ENCRYPT;
		}
		break;
	case P_VALID_USERS:
		set_list(L, b, &s->valid_users, SHP_VALID_USERS, value);
		break;
	case P_READ_LIST:
		set_list(L, b, &s->read_list, SHP_READ_LIST, value);
		break;
	case P_WRITE_LIST:
		set_list(L, b, &s->write_list, SHP_WRITE_LIST, value);
		break;
	case P_ADMIN_USERS:
		set_list(L, b, &s->admin_users, SHP_ADMIN_USERS, value);
		break;
	case P_CREATE_MASK:
	case P_DIRECTORY_MASK:
	case P_FORCE_CREATE_MODE:
	case P_FORCE_DIRECTORY_MODE: {
		char *end;
		errno = 0;
		unsigned long m = strtoul(value, &end, 8);
		if (errno || end == value || *end || m > 07777) {
			bad_value(L, name, value, "an octal mode such as 0644 (at most 07777)");
			break;
		}
		static const unsigned bits[] = { SHP_CREATE_MASK, SHP_DIRECTORY_MASK, SHP_FORCE_CREATE_MODE,
						 SHP_FORCE_DIRECTORY_MODE };
		int *dst[] = { &s->create_mask, &s->directory_mask, &s->force_create_mode, &s->force_directory_mode };
		*dst[d->id - P_CREATE_MASK] = (int)m;
		b->set |= bits[d->id - P_CREATE_MASK];
		break;
	}
	case P_FORCE_USER:
	case P_FORCE_GROUP: {
		char *who = unquote(value);
		if (!who) {
			cfg_oom(L);
			break;
		}
		if (!who[0] || who[0] == '+' || who[0] == '%' || strchr(who, ' ')) {
			cfg_diag(L, true, "'%s' = '%s': give one Unix %s name (the '+' and '%%' forms are not supported)",
				 name, who, d->id == P_FORCE_USER ? "user" : "group");
			free(who);
			break;
		}
		char **dst = d->id == P_FORCE_USER ? &s->force_user : &s->force_group;
		free(*dst);
		*dst = who;
		b->set |= d->id == P_FORCE_USER ? SHP_FORCE_USER : SHP_FORCE_GROUP;
		break;
	}
	case P_AVAILABLE:
		set_bool(L, b, &s->available, SHP_AVAILABLE, name, value, false);
		break;
	case P_HOSTS_ALLOW:
	case P_HOSTS_DENY: {
		char err[256];
		struct cfg_hosts *h = cfg_hosts_parse(value, err, sizeof(err));
		if (!h) {
			cfg_diag(L, true, "'%s': %s", name, err);
			break;
		}
		struct cfg_hosts **dst = d->id == P_HOSTS_ALLOW ? &s->hosts_allow : &s->hosts_deny;
		free(*dst);
		*dst = h;
		b->set |= d->id == P_HOSTS_ALLOW ? SHP_HOSTS_ALLOW : SHP_HOSTS_DENY;
		break;
	}
	case P_INVALID_USERS:
		set_list(L, b, &s->invalid_users, SHP_INVALID_USERS, value);
		break;
	case P_HIDE_DOT_FILES:
		set_bool(L, b, &s->hide_dot_files, SHP_HIDE_DOT_FILES, name, value, false);
		break;
	case P_HIDE_UNREADABLE:
		set_bool(L, b, &s->hide_unreadable, SHP_HIDE_UNREADABLE, name, value, false);
		break;
	case P_USE_SENDFILE: {
		int on = enum_lookup(bool_vals, value);
		if (on < 0) {
			bad_value(L, name, value, "yes or no");
		} else {
			s->use_sendfile = on;
			b->set |= SHP_USE_SENDFILE;
		}
		break;
	}
	case P_HIDE_FILES:
	case P_VETO_FILES: {
		char *hf = strdup(value);
		if (!hf) {
			cfg_oom(L);
			break;
		}
		char **dst = d->id == P_HIDE_FILES ? &s->hide_files : &s->veto_files;
		free(*dst);
		*dst = hf;
		b->set |= d->id == P_HIDE_FILES ? SHP_HIDE_FILES : SHP_VETO_FILES;
		break;
	}
	}
}

void cfg_set_param(struct cfg_loader *L, const char *name, const char *value)
{
	char key[64];
	const struct param_def *d = NULL;

	if (normalize_name(name, key, sizeof(key)))
		for (size_t i = 0; i < sizeof(param_table) / sizeof(param_table[0]); i++)
			if (strcmp(param_table[i].key, key) == 0) {
				d = &param_table[i];
				break;
			}
	if (!d) {
		if (cfg_unsupported_param(L, key, name, enum_lookup(bool_vals, value)))
			return;
		if (strchr(name, ':'))
			cfg_diag(L, false, "unknown parameter '%s' ignored (options of Samba modules do not apply)",
				 name);
		else
			cfg_diag(L, false, "unknown parameter '%s' ignored", name);
		return;
	}
	if (L->sec == SEC_GLOBAL) {
		if (d->scope == SCOPE_SHARE)
			set_share(L, &L->defaults, d, name, value);
		else
			set_global(L, d, name, value);
		return;
	}
	struct cfg_share_build *b = &L->shares[L->cur];
	if (d->scope == SCOPE_GLOBAL) {
		cfg_diag(L, false, "'%s' is a [global] parameter and has no effect in share [%s]; move it to [global]",
			 name, b->s.name);
		return;
	}
	set_share(L, b, d, name, value);
}

const char *cfg_tristate_name(enum cfg_tristate t)
{
	switch (t) {
	case CFG_OFF:
		return "no";
	case CFG_IF_REQUIRED:
		return "if_required";
	case CFG_DESIRED:
		return "desired";
	case CFG_REQUIRED:
		return "required";
	}
	return "if_required";
}

const char *cfg_map_to_guest_name(enum cfg_map_to_guest m)
{
	switch (m) {
	case MAP_TO_GUEST_NEVER:
		return "Never";
	case MAP_TO_GUEST_BAD_USER:
		return "Bad User";
	case MAP_TO_GUEST_BAD_PASSWORD:
		return "Bad Password";
	case MAP_TO_GUEST_BAD_UID:
		return "Bad Uid";
	}
	return "Never";
}

const char *cfg_ntlm_auth_name(enum cfg_ntlm_auth a)
{
	switch (a) {
	case NTLM_AUTH_NTLMV2_ONLY:
		return "ntlmv2-only";
	case NTLM_AUTH_NTLMV1_PERMITTED:
		return "ntlmv1-permitted";
	case NTLM_AUTH_MSCHAPV2_NTLMV2_ONLY:
		return "mschapv2-and-ntlmv2-only";
	}
	return "ntlmv2-only";
}
