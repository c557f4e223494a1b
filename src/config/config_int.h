/* Private to src/config/: the loader state shared by the line parser
 * (config_parse.c), the parameter table (config_params.c) and the snapshot
 * code (config.c). Nothing outside src/config/ may include this. */
#ifndef SMB3D_CONFIG_CONFIG_INT_H
#define SMB3D_CONFIG_CONFIG_INT_H

#include "config/config.h"

#include <stdarg.h>

/* Hostile-input limits. */
#define CFG_MAX_LINE (64 * 1024)	 /* one logical line, continuations joined */
#define CFG_MAX_SHARES 10000		 /* user-declared shares */
#define CFG_MAX_FILE (16 * 1024 * 1024) /* config_load_file reads at most this */
#define CFG_MAX_PORTS 64
#define CFG_MAX_MESSAGES 200 /* diagnostics after this are counted, not shown */
#define CFG_MAX_SHARE_NAME 80 /* Windows' limit on share names */
#define CFG_MAX_NETBIOS 15

/* Bits of cfg_share_build.set: which share parameters a section set itself. */
enum {
	SHP_PATH = 1u << 0,
	SHP_COMMENT = 1u << 1,
	SHP_READ_ONLY = 1u << 2,
	SHP_GUEST_OK = 1u << 3,
	SHP_BROWSEABLE = 1u << 4,
	SHP_CASE_SENSITIVE = 1u << 5,
	SHP_SMB_ENCRYPT = 1u << 6,
	SHP_VALID_USERS = 1u << 7,
	SHP_INVALID_USERS = 1u << 8,
	SHP_HIDE_DOT_FILES = 1u << 9,
	SHP_HIDE_FILES = 1u << 10,
	SHP_HIDE_UNREADABLE = 1u << 11,
	SHP_USE_SENDFILE = 1u << 12,
	SHP_AVAILABLE = 1u << 13,
	SHP_READ_LIST = 1u << 14,
	SHP_WRITE_LIST = 1u << 15,
	SHP_HOSTS_ALLOW = 1u << 16,
	SHP_HOSTS_DENY = 1u << 17,
	SHP_CREATE_MASK = 1u << 18,
	SHP_DIRECTORY_MASK = 1u << 19,
	SHP_FORCE_CREATE_MODE = 1u << 20,
	SHP_FORCE_DIRECTORY_MODE = 1u << 21,
	SHP_VETO_FILES = 1u << 22,
	SHP_FORCE_USER = 1u << 23,
	SHP_FORCE_GROUP = 1u << 24,
	SHP_ADMIN_USERS = 1u << 25,
};

/* A share being built: explicit values plus which of them were set, so that
 * [global] defaults can be applied to the rest when the file is complete. */
struct cfg_share_build {
	struct share_conf s;
	unsigned set;
	unsigned line; /* line of the first [name] header */
};

enum cfg_section {
	SEC_NONE,    /* before the first header */
	SEC_GLOBAL,  /* [global] */
	SEC_SHARE,   /* a user share, shares[cur] */
	SEC_IGNORED, /* [homes], [printers], [IPC$], or past the share limit */
};

struct cfg_loader {
	const char *name; /* file name used in messages */
	config_diag_fn diag;
	void *ctx;
	unsigned line; /* line being processed; 0 = not tied to a line */
	unsigned n_errors;
	unsigned n_messages;
	char *dir; /* absolute directory of `name`, for relative passdb paths */

	struct config *c; /* globals are set here directly */
	struct cfg_share_build defaults; /* share parameters given in [global] */
	struct cfg_share_build *shares;
	size_t n_shares, cap_shares;
	bool too_many_shares;

	enum cfg_section sec;
	size_t cur;

	unsigned min_proto_line, max_proto_line;
};

/* Reports "NAME:LINE: message" (or "NAME: message" when line is 0). */
void cfg_diag(struct cfg_loader *L, bool is_error, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* A Samba parameter smb3d does not implement (key: lower case, no white
 * space; yes: the value as a boolean, -1 if it is none): a warning, or an
 * error when ignoring it would serve more openly. false if key is not one. */
bool cfg_unsupported_param(struct cfg_loader *L, const char *key, const char *name, int yes);
void cfg_oom(struct cfg_loader *L);

/* Applies one `name = value` line to the current section. */
void cfg_set_param(struct cfg_loader *L, const char *name, const char *value);

/* Sets the process-independent defaults of a fresh snapshot (not shares). */
bool cfg_set_global_defaults(struct config *c);
void cfg_share_defaults(struct share_conf *s);
/* Fills `s` as the implicit IPC$ share. Like Samba's, it allows guests
 * (anonymous share enumeration) and appears in share enumerations. */
bool cfg_add_ipc(struct config *c, struct share_conf *s);

/* Splits a Samba list (separators: whitespace , ;  with "double quotes"
 * grouping) into a NULL-terminated array, never NULL unless out of memory. */
char **cfg_list_parse(const char *value);
char **cfg_strv_dup(char *const *v);
void cfg_strv_free(char **v);
size_t cfg_strv_len(char *const *v);

void cfg_share_conf_clear(struct share_conf *s);
void cfg_free(struct config *c);

/* Canonical value names, as config_dump writes them. */
const char *cfg_tristate_name(enum cfg_tristate t);
const char *cfg_map_to_guest_name(enum cfg_map_to_guest m);
const char *cfg_ntlm_auth_name(enum cfg_ntlm_auth a);

/* "dir/rel" without a doubled slash or leading "./" in rel (malloc'ed). */
char *cfg_path_join(const char *dir, const char *rel);
/* Absolute directory holding file `name` (relative names are taken from
 * the current directory). */
char *cfg_dir_of(const char *name);

/* Upper-cased short host name truncated to 15 characters (malloc'ed). */
char *cfg_default_netbios_name(void);

#endif
