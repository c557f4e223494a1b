/* `smb3d user add|del|passwd|enable|disable|list`: manages the users in the
 * smbpasswd file named by the config (`passdb backend = smbpasswd:PATH`) or
 * by --passdb. Passwords come from standard input only, never from argv. */
#include "cli/cli.h"

#include "auth/auth_crypto.h"
#include "auth/passdb.h"
#include "config/config.h"

#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#define PASSWORD_MAX 1024

static const char user_usage[] =
	"Usage: smb3d user ACTION [--config FILE | --passdb PATH] [NAME]\n"
	"\n"
	"Manages the SMB users in the smbpasswd file (Samba's format).\n"
	"\n"
	"Actions:\n"
	"  add NAME       create a user; asks for the password\n"
	"  del NAME       delete a user\n"
	"  passwd NAME    change a user's password\n"
	"  enable NAME    allow a disabled user to log on again\n"
	"  disable NAME   stop a user from logging on (the password is kept)\n"
	"  list           show the users, their uid and whether they are enabled\n"
	"\n"
	"Options:\n"
	"  -s, --config FILE  the smb.conf whose `passdb backend = smbpasswd:PATH` names the file\n"
	"                     (by default the file `smbpasswd` next to the config)\n"
	"  --passdb PATH      use this smbpasswd file directly\n"
	"  -h, --help         show help (also after an action: smb3d user add --help)\n"
	"\n"
	"Passwords are read from standard input: on a terminal you are asked twice,\n"
	"from a pipe the first line is used (e.g. printf '%%s\\n' \"$PW\" | smb3d user add ...).\n";

struct action {
	const char *name;
	const char *alias;
	bool needs_name;
	const char *help;
};

static const struct action actions[] = {
	{ "add", NULL, true,
	  "Usage: smb3d user add [--config FILE | --passdb PATH] NAME\n\n"
	  "Creates the SMB user NAME and asks for its password. The file is created\n"
	  "(mode 0600) if it does not exist; its directory must exist. When run as\n"
	  "root, NAME must also be a Unix account (its uid is recorded); otherwise the\n"
	  "uid is yours.\n" },
	{ "del", "delete", true,
	  "Usage: smb3d user del [--config FILE | --passdb PATH] NAME\n\n"
	  "Deletes the SMB user NAME (the Unix account is not touched).\n" },
	{ "passwd", "password", true,
	  "Usage: smb3d user passwd [--config FILE | --passdb PATH] NAME\n\n"
	  "Sets a new password for NAME, read from standard input.\n" },
	{ "enable", NULL, true,
	  "Usage: smb3d user enable [--config FILE | --passdb PATH] NAME\n\n"
	  "Lets NAME log on again.\n" },
	{ "disable", NULL, true,
	  "Usage: smb3d user disable [--config FILE | --passdb PATH] NAME\n\n"
	  "Stops NAME from logging on; `smb3d user enable NAME` undoes it.\n" },
	{ "list", NULL, false,
	  "Usage: smb3d user list [--config FILE | --passdb PATH]\n\n"
	  "Prints each user's name, uid and whether it is enabled.\n" },
};

static void diag_stderr(void *ctx, bool is_error, const char *line)
{
	(void)ctx;
	fprintf(stderr, "%s: %s\n", is_error ? "error" : "warning", line);
}

/* ---- Passwords ---- */

static struct termios saved_tio;
static volatile sig_atomic_t echo_off;

static void restore_echo(int sig)
{
	if (echo_off)
		tcsetattr(0, TCSAFLUSH, &saved_tio);
	signal(sig, SIG_DFL);
	raise(sig);
}

/* Reads one line from fd 0 byte by byte (nothing beyond it is consumed).
 * Returns the length, -1 on EOF before any byte, -2 if too long. */
static long read_line(char *buf, size_t cap)
{
	size_t n = 0;
	bool any = false, too_long = false;
	for (;;) {
		char c;
		ssize_t r = read(0, &c, 1);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		any = true;
		if (c == '\n')
			break;
		if (n + 1 < cap)
			buf[n++] = c;
		else
			too_long = true;
	}
	while (n && buf[n - 1] == '\r')
		n--;
	buf[n] = 0;
	if (too_long)
		return -2;
	return any ? (long)n : -1;
}

static long prompt_line(const char *prompt, char *buf, size_t cap)
{
	struct termios tio;
	fputs(prompt, stderr);
	fflush(stderr);
	if (tcgetattr(0, &saved_tio) != 0)
		return read_line(buf, cap);
	tio = saved_tio;
	tio.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	tio.c_lflag |= ICANON;
	signal(SIGINT, restore_echo);
	signal(SIGTERM, restore_echo);
	echo_off = 1;
	tcsetattr(0, TCSAFLUSH, &tio);
	long n = read_line(buf, cap);
	tcsetattr(0, TCSAFLUSH, &saved_tio);
	echo_off = 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	fputc('\n', stderr);
	return n;
}

/* Fills pw (PASSWORD_MAX + 1 bytes). Returns 0 or 1 after printing why. */
static int get_password(const char *name, char *pw)
{
	char again[PASSWORD_MAX + 1];
	long n;
	if (isatty(0)) {
		char prompt[PASSDB_NAME_MAX + 64];
		snprintf(prompt, sizeof(prompt), "New SMB password for %s: ", name);
		n = prompt_line(prompt, pw, PASSWORD_MAX + 1);
		if (n > 0) {
			long m = prompt_line("Retype the new SMB password: ", again, sizeof(again));
			bool same = m == n && strcmp(pw, again) == 0;
			auth_wipe(again, sizeof(again));
			if (!same) {
				fprintf(stderr, "smb3d: the passwords do not match; nothing was changed, try again\n");
				return 1;
			}
		}
	} else {
		n = read_line(pw, PASSWORD_MAX + 1);
	}
	if (n == -2) {
		fprintf(stderr, "smb3d: the password is longer than %d bytes\n", PASSWORD_MAX);
		return 1;
	}
	if (n <= 0) {
		fprintf(stderr, "smb3d: empty password; give one on standard input (e.g. printf '%%s\\n' "
				"\"$PW\" | smb3d user ...) or type it when asked\n");
		return 1;
	}
	return 0;
}

/* ---- Actions ---- */

static int report(NTSTATUS st, const char *path, const char *name)
{
	if (NT_OK(st))
		return 0;
	if (NT_EQ(st, STATUS_USER_EXISTS))
		fprintf(stderr, "smb3d: user '%s' already exists in %s; `smb3d user passwd` changes its password\n",
			name, path);
	else if (NT_EQ(st, STATUS_NO_SUCH_USER))
		fprintf(stderr, "smb3d: there is no user '%s' in %s; `smb3d user list` shows the users and "
				"`smb3d user add` creates one\n",
			name, path);
	else if (NT_EQ(st, STATUS_OBJECT_NAME_INVALID))
		fprintf(stderr, "smb3d: '%s' is not a valid user name (1-%d bytes of UTF-8 without ':' or "
				"control characters, not starting with '#' or a space)\n",
			name, PASSDB_NAME_MAX);
	else if (NT_EQ(st, STATUS_INVALID_PARAMETER))
		fprintf(stderr, "smb3d: the password is empty or not valid UTF-8\n");
	else if (NT_EQ(st, STATUS_OBJECT_PATH_NOT_FOUND))
		fprintf(stderr, "smb3d: the directory of %s does not exist; create it (mkdir -p) or set "
				"`passdb backend = smbpasswd:PATH` to a file in an existing directory\n",
			path);
	else if (NT_EQ(st, STATUS_ACCESS_DENIED))
		fprintf(stderr, "smb3d: %s or its directory is not writable by you (permission denied); run the "
				"command as the owner of the file or as root\n",
			path);
	else
		fprintf(stderr, "smb3d: could not update %s (%s)\n", path, nt_status_name(st));
	return 1;
}

static int do_list(const char *path)
{
	struct passdb *db = NULL;
	NTSTATUS st = passdb_load(path, &db);
	if (NT_EQ(st, STATUS_ACCESS_DENIED)) {
		fprintf(stderr, "smb3d: cannot read %s (permission denied); run as its owner or as root\n", path);
		return 1;
	}
	if (!NT_OK(st)) {
		fprintf(stderr, "smb3d: cannot read %s (%s)\n", path, nt_status_name(st));
		return 1;
	}
	if (!passdb_generation(db)->exists)
		fprintf(stderr, "smb3d: %s does not exist yet: no users (`smb3d user add` creates it)\n", path);
	for (size_t i = 0; i < passdb_count(db); i++) {
		const struct passdb_entry *e = passdb_entry_at(db, i);
		bool enabled = e->has_nt_hash && !(e->acct & (PASSDB_ACB_DISABLED | PASSDB_ACB_AUTOLOCK));
		printf("%-24s %10u  %s\n", e->name, e->uid, enabled ? "enabled" : "disabled");
	}
	passdb_free(db);
	return 0;
}

/* The checks that can fail before we ask for a password. */
static int precheck(const char *path, const char *name, bool must_exist)
{
	struct passdb *db = NULL;
	NTSTATUS st = passdb_load(path, &db);
	if (!NT_OK(st))
		return report(st, path, name);
	bool exists = passdb_find(db, name) != NULL;
	passdb_free(db);
	if (!passdb_name_valid(name))
		return report(STATUS_OBJECT_NAME_INVALID, path, name);
	if (must_exist && !exists)
		return report(STATUS_NO_SUCH_USER, path, name);
	if (!must_exist && exists)
		return report(STATUS_USER_EXISTS, path, name);
	char *dir = strdup(path);
	if (!dir)
		return 1;
	char *slash = strrchr(dir, '/');
	struct stat sb;
	int rc = 0;
	if (slash) {
		*(slash == dir ? slash + 1 : slash) = 0;
		if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
			rc = report(STATUS_OBJECT_PATH_NOT_FOUND, path, name);
	}
	free(dir);
	return rc;
}

static int do_add(const char *path, const char *name)
{
	uint32_t uid = (uint32_t)getuid();
	if (geteuid() == 0) {
		struct passwd *pw = getpwnam(name);
		if (!pw) {
			fprintf(stderr, "smb3d: there is no Unix account named '%s'; create it with `useradd %s` "
					"or run as a non-root user\n",
				name, name);
			return 1;
		}
		uid = (uint32_t)pw->pw_uid;
	}
	int rc = precheck(path, name, false);
	if (rc)
		return rc;
	char pw[PASSWORD_MAX + 1];
	rc = get_password(name, pw);
	if (!rc)
		rc = report(passdb_add(path, name, uid, pw), path, name);
	auth_wipe(pw, sizeof(pw));
	if (!rc)
		printf("Added user %s.\n", name);
	return rc;
}

static int do_passwd(const char *path, const char *name)
{
	int rc = precheck(path, name, true);
	if (rc)
		return rc;
	char pw[PASSWORD_MAX + 1];
	rc = get_password(name, pw);
	if (!rc)
		rc = report(passdb_set_password(path, name, pw), path, name);
	auth_wipe(pw, sizeof(pw));
	if (!rc)
		printf("Changed the password of %s.\n", name);
	return rc;
}

static char *passdb_from_config(const char *file)
{
	struct config *cfg = config_load_file(file, diag_stderr, NULL);
	if (!cfg) {
		fprintf(stderr, "smb3d: %s has errors (listed above); `smb3d check-config %s` shows them\n", file,
			file);
		return NULL;
	}
	char *path = cfg->passdb_path ? strdup(cfg->passdb_path) : NULL;
	if (!cfg->passdb_path)
		fprintf(stderr, "smb3d: %s names no smbpasswd file; set `passdb backend = smbpasswd:PATH`\n", file);
	config_put(cfg);
	return path;
}

int cmd_user(int argc, char **argv)
{
	const char *config = NULL, *passdb = NULL, *name = NULL;
	const struct action *act = NULL;
	bool help = false;

	if (argc < 2) {
		fputs(user_usage, stderr);
		return 2;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help")) {
		fputs(user_usage, stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++)
		if (!strcmp(argv[1], actions[i].name) || (actions[i].alias && !strcmp(argv[1], actions[i].alias)))
			act = &actions[i];
	if (!act) {
		fprintf(stderr, "smb3d user: unknown action '%s'\n\n%s", argv[1], user_usage);
		return 2;
	}
	for (int i = 2; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			help = true;
		} else if ((!strcmp(a, "-s") || !strcmp(a, "--config")) && i + 1 < argc) {
			config = argv[++i];
		} else if (!strncmp(a, "--config=", 9)) {
			config = a + 9;
		} else if (!strcmp(a, "--passdb") && i + 1 < argc) {
			passdb = argv[++i];
		} else if (!strncmp(a, "--passdb=", 9)) {
			passdb = a + 9;
		} else if (!strcmp(a, "--") && i + 1 < argc && !name && i + 2 == argc) {
			name = argv[++i];
		} else if (a[0] == '-') {
			fprintf(stderr, "smb3d user %s: unknown or incomplete option '%s'\n\n%s", act->name, a,
				act->help);
			return 2;
		} else if (!name) {
			name = a;
		} else {
			fprintf(stderr, "smb3d user %s: one NAME only ('%s' is extra)\n\n%s", act->name, a,
				act->help);
			return 2;
		}
	}
	if (help) {
		fputs(act->help, stdout);
		return 0;
	}
	if (act->needs_name && !name) {
		fprintf(stderr, "smb3d user %s: which user? NAME is missing\n\n%s", act->name, act->help);
		return 2;
	}
	if (!act->needs_name && name) {
		fprintf(stderr, "smb3d user %s takes no NAME\n\n%s", act->name, act->help);
		return 2;
	}
	if ((config != NULL) == (passdb != NULL)) {
		fprintf(stderr, "smb3d user %s: give either --config FILE (the smb.conf) or --passdb PATH (the "
				"smbpasswd file)\n\n%s",
			act->name, act->help);
		return 2;
	}
	char *path = passdb ? strdup(passdb) : passdb_from_config(config);
	if (!path)
		return 1;
	if (!auth_crypto_init()) {
		free(path);
		return 1;
	}
	int rc;
	if (!strcmp(act->name, "list"))
		rc = do_list(path);
	else if (!strcmp(act->name, "add"))
		rc = do_add(path, name);
	else if (!strcmp(act->name, "passwd"))
		rc = do_passwd(path, name);
	else if (!strcmp(act->name, "del"))
		rc = report(passdb_delete(path, name), path, name);
	else
		rc = report(passdb_set_enabled(path, name, !strcmp(act->name, "enable")), path, name);
	if (!rc && (!strcmp(act->name, "del") || !strcmp(act->name, "enable") || !strcmp(act->name, "disable")))
		printf("%s user %s.\n",
		       !strcmp(act->name, "del") ? "Deleted" : !strcmp(act->name, "enable") ? "Enabled" : "Disabled",
		       name);
	free(path);
	return rc;
}
