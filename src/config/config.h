/* smb.conf subset: parser, parameter table and an immutable, reference-counted
 * configuration snapshot that is swapped as a whole on SIGHUP.
 * Names and meanings follow Samba's smb.conf(5). No sockets, no file systems
 * beyond reading the config file itself. */
#ifndef SMB3D_CONFIG_CONFIG_H
#define SMB3D_CONFIG_CONFIG_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "config/hosts.h"

/* SMB2 dialect codes, also used for `server min/max protocol`. */
#define SMB2_DIALECT_202 0x0202
#define SMB2_DIALECT_210 0x0210
#define SMB2_DIALECT_300 0x0300
#define SMB2_DIALECT_302 0x0302
#define SMB2_DIALECT_311 0x0311

/* `server signing` / `server smb encrypt` (Samba's smb_signing enum). */
enum cfg_tristate {
	CFG_OFF = 0,	     /* disabled / off / no */
	CFG_IF_REQUIRED = 1, /* auto / default / yes / if_required: as the client asks */
	CFG_DESIRED = 2,     /* desired: offer and prefer */
	CFG_REQUIRED = 3,    /* mandatory / required / forced */
};

enum cfg_map_to_guest {
	MAP_TO_GUEST_NEVER = 0,
	MAP_TO_GUEST_BAD_USER = 1,
	MAP_TO_GUEST_BAD_PASSWORD = 2,
	MAP_TO_GUEST_BAD_UID = 3,
};

/* `ntlm auth` (Samba >= 4.5): which NT responses a logon may use. */
enum cfg_ntlm_auth {
	NTLM_AUTH_NTLMV2_ONLY = 0, /* default: NTLMv2 only (also "no", "disabled") */
	NTLM_AUTH_NTLMV1_PERMITTED = 1, /* also "yes" */
	NTLM_AUTH_MSCHAPV2_NTLMV2_ONLY = 2,
};

struct share_conf {
	char *name;	    /* as written, e.g. "Data" */
	char *path;	    /* absolute path; NULL only for IPC$ */
	char *comment;	    /* "" if unset */
	bool read_only;	    /* `read only` (default yes) / inverse of `writeable`/`writable`/`write ok` */
	bool guest_ok;	    /* `guest ok` / `public` (default no) */
	bool browseable;    /* `browseable` / `browsable` (default yes) */
	bool case_sensitive; /* `case sensitive` (default no: "auto" treated as no) */
	bool hide_dot_files; /* `hide dot files` (default yes): names starting with '.' show HIDDEN */
	char *hide_files;    /* `hide files` = /pat/pat/ (wildcards, case-insensitive): show HIDDEN; "" if unset */
	char *veto_files;    /* `veto files` = /pat/pat/: names neither listed, opened nor created; "" if unset */
	char *force_user;    /* `force user`: file access as this Unix account (root only); NULL if unset */
	char *force_group;   /* `force group`: ...with this primary group; NULL if unset */
	/* what they name, resolved by the server when it loads the file
	 * (server_resolve_forced), so no tree connect looks an account up */
	uid_t fu_uid;
	gid_t fu_gid, fg_gid;
	gid_t *fu_groups; /* the force user's groups (owned) */
	int fu_n_groups;
	bool hide_unreadable; /* `hide unreadable` (default no): access-based enumeration, listings skip
			       * entries the user may not read (SMB2_SHAREFLAG_ACCESS_BASED_DIRECTORY_ENUM) */
	bool is_ipc;	    /* the implicit IPC$ share */
	enum cfg_tristate smb_encrypt; /* per-share `server smb encrypt` (default: the global value) */
	/* `use sendfile`: READ data goes from the page cache to the socket
	 * without a copy (splice) when the reply is neither signed nor encrypted.
	 * -1 (unset) and 1: on; 0: off (the data is copied). */
	int use_sendfile;
	char **valid_users; /* `valid users`, NULL-terminated; NULL/empty = everybody */
	char **invalid_users; /* `invalid users`, NULL-terminated */
	bool available;	      /* `available` (default yes): no refuses every tree connect */
	/* `create mask`, `directory mask`, `force create mode`, `force
	 * directory mode`; -1 unset. When any is set, new files get exactly
	 * (0666 & create mask) | force create mode and directories (0777 &
	 * directory mask) | force directory mode, Samba's defaults (0744,
	 * 0755, 0, 0) filling the rest; when none is, the umask decides. */
	int create_mask, directory_mask, force_create_mode, force_directory_mode;
	char **read_list;     /* `read list`: these users get read-only access */
	char **write_list;    /* `write list`: these users get read-write access (wins over read list) */
	char **admin_users;   /* `admin users`: these users' file access runs as root (root mode only) */
	struct cfg_hosts *hosts_allow, *hosts_deny; /* `hosts allow` / `hosts deny`; NULL if unset */
};

/* The permission bits of a new file or directory in share s, or -1 (see
 * share_conf.create_mask). */
int config_new_file_mode(const struct share_conf *s, bool dir);

struct config {
	atomic_int refs;
	char *source; /* file the snapshot was read from, or "(serve)" */

	/* [global] */
	uint16_t *ports; /* `smb ports` (default 445) */
	size_t n_ports;
	char **interfaces; /* `interfaces`, NULL-terminated list of names, addresses or CIDRs */
	bool bind_interfaces_only; /* default no */
	bool torture_fsctls; /* `smb3d:torture fsctls` (default no): smbtorture's test-only FSCTLs */
	/* `smb2 directory leases` (default no): offer leases on directories
	 * (SMB 3.x). Off by default: changes made by other programs on the
	 * server do not break them, and some clients (impacket 0.11) fail to
	 * open files in a share's root when a server offers them. */
	bool directory_leases;
	/* `smb3d:torture break timeout` (test-only): how long an open waits
	 * for an oplock or lease break acknowledgement, in milliseconds
	 * (default 35000, [MS-SMB2] 3.3.2.1); integration tests shorten it */
	int break_timeout_ms;
	/* `smb3d:busy poll`: how long, in microseconds, an event loop polls for
	 * more work before it sleeps, while work arrives that fast (default 100;
	 * 0 turns it off). See docs/performance.md. */
	int busy_poll_us;
	/* Resource limits against hostile clients (docs/security.md has the
	 * table). `smb3d:logon timeout`: a connection without an authenticated
	 * session is closed after this (default 30 s). */
	int logon_timeout_ms;
	int max_open_files;	 /* `max open files`: opens per connection (16384) */
	int max_open_files_user; /* `smb3d:max open files per user` (65536) */
	int max_async;		 /* `smb3d:max async requests`: waiting requests per connection (512) */
	int max_async_user;	 /* `smb3d:max async requests per user` (4096) */
	int max_sessions_user;	 /* `smb3d:max sessions per user`: authenticated sessions (4096) */
	uint16_t min_protocol;	   /* `server min protocol` default SMB2_02 */
	uint16_t max_protocol;	   /* `server max protocol` default SMB3_11 */
	enum cfg_tristate server_signing; /* default CFG_IF_REQUIRED */
	enum cfg_tristate server_smb_encrypt; /* default CFG_IF_REQUIRED */
	char *passdb_path; /* from `passdb backend = smbpasswd:PATH`; default: smbpasswd next to the config file */
	enum cfg_map_to_guest map_to_guest; /* default never */
	char *guest_account; /* default "nobody" */
	int log_level;	     /* default 1 */
	int max_connections; /* 0 = unlimited */
	/* 0; 1: anonymous sessions may not list shares (srvsvc, wkssvc);
	 * 2: nor connect to IPC$ at all */
	int restrict_anonymous;
	/* `hosts allow` / `hosts deny` in [global]: checked when a client
	 * connects (shares inherit them as their defaults too); NULL if unset */
	struct cfg_hosts *hosts_allow, *hosts_deny;
	char *netbios_name;  /* default: upper-cased short host name */
	char *workgroup;     /* default "WORKGROUP" */
	char *server_string; /* default "smb3d" */
	enum cfg_ntlm_auth ntlm_auth;

	struct share_conf *shares; /* IPC$ is always present, added by the loader */
	size_t n_shares;
};

/* Diagnostics: each warning or error is a line "FILE:LINE: message" passed to
 * the sink (or logged via base/log if sink is NULL). */
typedef void (*config_diag_fn)(void *ctx, bool is_error, const char *line);

/* Parses a file. Returns a snapshot with refs = 1, or NULL if there was any
 * error (all errors are reported through diag first, then the load fails).
 * Unknown or unsupported parameters, [homes], [printers] and a user [IPC$]
 * are warnings only. Share parameters given in [global] are defaults for
 * every share; they are applied after the whole file is read, so their
 * position in the file does not matter. A repeated [share] section adds to
 * the first one (later values win). Share directories are not checked for
 * existence here (the server does that when it starts), only that each path
 * is absolute. Every list (interfaces, valid/invalid users) is a non-NULL,
 * NULL-terminated array, possibly empty. */
struct config *config_load_file(const char *path, config_diag_fn diag, void *ctx);

/* Same, from a string; `name` is used as the file name in messages and to
 * derive the default passdb path. */
struct config *config_load_string(const char *text, const char *name, config_diag_fn diag, void *ctx);

/* Same, from `len` bytes that may contain NUL bytes (reported as errors);
 * used by config_load_file and the fuzzer. */
struct config *config_load_buffer(const char *data, size_t len, const char *name, config_diag_fn diag, void *ctx);

/* A snapshot for `smb3d serve`: one share `share_name` at `path` (absolute),
 * plus IPC$. bind_addr becomes the only `interfaces` entry with `bind
 * interfaces only = yes` (NULL or "": all addresses); port 0 means 445.
 * guest_ok also sets `map to guest = bad user` so anonymous and unknown users
 * get guest access. passdb_path is NULL: the serve command sets up its own
 * user database. Returns NULL on a relative path or an unusable share name. */
struct config *config_new_serve(const char *path, const char *share_name, const char *bind_addr, uint16_t port,
				bool read_only, bool guest_ok);

struct config *config_get(struct config *c); /* refs++ */
void config_put(struct config *c);	     /* refs--, frees at 0 */

/* Case-insensitive lookup of a share by name; NULL if none. */
const struct share_conf *config_find_share(const struct config *c, const char *name);

/* Writes the effective configuration in smb.conf syntax, like `testparm -s`. */
void config_dump(const struct config *c, FILE *out);

/* "SMB3_11" for 0x0311 etc. */
const char *config_protocol_name(uint16_t dialect);

#endif
