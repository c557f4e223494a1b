/* `smb3d --config FILE` (alias -s): run the server in the foreground with a
 * Samba-style smb.conf, and `smb3d check-config FILE` (like testparm). */
#include <errno.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "cli/commands.h"
#include "config/config.h"
#include "server/server.h"
#include "vfs/vfs.h"

static void diag_stderr(void *ctx, bool is_error, const char *line)
{
	fprintf(stderr, "%s: %s\n", is_error ? "error" : "warning", line);
}

static const char run_usage[] = "Usage: smb3d --config FILE   (or: smb3d -s FILE)\n"
				"\n"
				"Runs the SMB server in the foreground with a Samba-style smb.conf.\n"
				"SIGHUP reloads the file; SIGINT or SIGTERM stop the server cleanly.\n"
				"\n"
				"Options:\n"
				"  -s, --config FILE   the smb.conf to use\n"
				"  -d, --debuglevel N  override `log level`\n"
				"  -h, --help          show this help\n";

int cmd_run(int argc, char **argv)
{
	const char *file = NULL;
	int debug = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(run_usage, stdout);
			return 0;
		} else if ((!strcmp(a, "-s") || !strcmp(a, "--config")) && i + 1 < argc) {
			file = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			file = a + 9;
		} else if ((!strcmp(a, "-d") || !strcmp(a, "--debuglevel")) && i + 1 < argc) {
			debug = atoi(argv[++i]);
		} else {
			fprintf(stderr, "smb3d: unexpected argument '%s'\n\n%s", a, run_usage);
			return 2;
		}
	}
	if (!file) {
		fprintf(stderr, "smb3d: no config file given\n\n%s", run_usage);
		return 2;
	}
	struct config *cfg = config_load_file(file, diag_stderr, NULL);
	if (!cfg) {
		fprintf(stderr, "smb3d: %s has errors (listed above); fix them and start again "
				"(`smb3d check-config %s` checks without starting)\n",
			file, file);
		return 1;
	}
	char err[512];
	if (!server_resolve_forced(cfg, geteuid() == 0, err, sizeof(err))) {
		fprintf(stderr, "smb3d: %s: %s\n", file, err);
		config_put(cfg);
		return 1;
	}
	if (debug >= 0)
		cfg->log_level = debug;
	if (cfg->passdb_path && access(cfg->passdb_path, F_OK) != 0 && errno == ENOENT)
		log_msg(LOG_WARN,
			"passdb %s does not exist yet: no user can log on until you add one with "
			"`smb3d user add --config %s NAME`",
			cfg->passdb_path, file);
	struct server *srv = server_new(cfg);
	if (!srv)
		return 1;
	int rc = server_run(srv);
	server_free(srv);
	return rc;
}

static const char check_usage[] = "Usage: smb3d check-config FILE\n"
				  "\n"
				  "Validates a Samba-style smb.conf and prints the effective configuration\n"
				  "(every parameter, defaults included), like Samba's testparm -s.\n"
				  "Exit status: 0 if the file is usable (warnings allowed), 1 if it has errors.\n";

int cmd_check_config(int argc, char **argv)
{
	if (argc == 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
		fputs(check_usage, stdout);
		return 0;
	}
	if (argc != 2) {
		fputs(check_usage, stderr);
		return 2;
	}
	struct config *cfg = config_load_file(argv[1], diag_stderr, NULL);
	if (!cfg) {
		fprintf(stderr, "%s: not usable; fix the errors above\n", argv[1]);
		return 1;
	}
	char err[512];
	if (!server_resolve_forced(cfg, true, err, sizeof(err))) { /* the server will run as root */
		fprintf(stderr, "%s: %s\n%s: not usable; fix the errors above\n", argv[1], err, argv[1]);
		config_put(cfg);
		return 1;
	}
	int bad = 0;
	for (size_t i = 0; i < cfg->n_shares; i++) {
		const struct share_conf *sh = &cfg->shares[i];
		const char *why = sh->is_ipc || !sh->available ? NULL : vfs_share_root_problem(sh->path);
		if (why) {
			fprintf(stderr, "error: share [%s]: path %s %s; create it or fix `path`\n", sh->name,
				sh->path ? sh->path : "(none)", why);
			bad++;
		}
	}
	if (bad) {
		fprintf(stderr, "%s: not usable; fix the errors above\n", argv[1]);
		config_put(cfg);
		return 1;
	}
	fprintf(stderr, "Loaded %s OK.\n\n", argv[1]);
	config_dump(cfg, stdout);
	config_put(cfg);
	return 0;
}
