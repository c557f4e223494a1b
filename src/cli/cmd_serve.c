/* `smb3d serve DIR`: share one folder now, as the invoking user, on
 * 127.0.0.1:4450 by default (the SSH-tunnel case), protected by a password
 * (from --password-file, $SMB3D_PASSWORD, or generated and printed once). */
#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "auth/auth_crypto.h"
#include "base/utf16.h"
#include "cli/commands.h"
#include "config/config.h"
#include "server/server.h"

static const char usage[] =
	"Usage: smb3d serve DIR [options]\n"
	"\n"
	"Shares DIR over SMB2/SMB3 right away, as the user running this command.\n"
	"\n"
	"Options:\n"
	"  --port N              TCP port (default 4450; 445 needs root)\n"
	"  --bind ADDR           address to listen on (default 127.0.0.1; 0.0.0.0 for all)\n"
	"  --name SHARE          share name (default: the folder's name)\n"
	"  --read-only           clients may read but not change anything\n"
	"  --password-file FILE  read the password from the first line of FILE\n"
	"                        (otherwise $SMB3D_PASSWORD, otherwise one is generated)\n"
	"  --guest               no password: anyone who can reach the port gets in\n"
	"  -d, --debuglevel N    log level (0-10, default 1)\n"
	"  -h, --help            show this help\n";

static bool read_password_file(const char *path, char *out, size_t cap)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		fprintf(stderr, "smb3d serve: cannot read --password-file %s: %s\n", path, strerror(errno));
		return false;
	}
	bool ok = fgets(out, (int)cap, f) != NULL;
	fclose(f);
	if (!ok) {
		fprintf(stderr, "smb3d serve: --password-file %s is empty; put the password on its first line\n", path);
		return false;
	}
	out[strcspn(out, "\r\n")] = 0;
	return true;
}

static bool generate_password(char *out, size_t len)
{
	static const char alphabet[] = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
	uint8_t rnd[64];
	if (len > sizeof(rnd) || !auth_random(rnd, len))
		return false;
	for (size_t i = 0; i < len; i++)
		out[i] = alphabet[rnd[i] % (sizeof(alphabet) - 1)];
	out[len] = 0;
	return true;
}

static bool nt_hash_of(const char *password, uint8_t out[16])
{
	uint8_t u16[1024];
	long n = utf8_to_utf16le(password, u16, sizeof(u16));
	if (n < 0)
		return false;
	bool ok = auth_md4(u16, (size_t)n, out);
	explicit_bzero(u16, sizeof(u16));
	return ok;
}

int cmd_serve(int argc, char **argv)
{
	const char *dir = NULL, *bind_addr = "127.0.0.1", *name = NULL, *pwfile = NULL;
	long port = 4450;
	bool read_only = false, guest = false;
	int debug = -1;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		bool has_val = i + 1 < argc;
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--port") && has_val) {
			char *end;
			port = strtol(argv[++i], &end, 10);
			if (*end || port < 1 || port > 65535) {
				fprintf(stderr, "smb3d serve: --port must be a number from 1 to 65535\n");
				return 2;
			}
		} else if (!strcmp(a, "--bind") && has_val) {
			bind_addr = argv[++i];
		} else if (!strcmp(a, "--name") && has_val) {
			name = argv[++i];
		} else if (!strcmp(a, "--password-file") && has_val) {
			pwfile = argv[++i];
		} else if (!strcmp(a, "--read-only")) {
			read_only = true;
		} else if (!strcmp(a, "--guest")) {
			guest = true;
		} else if ((!strcmp(a, "-d") || !strcmp(a, "--debuglevel")) && has_val) {
			debug = atoi(argv[++i]);
		} else if (a[0] == '-' || dir) {
			fprintf(stderr, "smb3d serve: unexpected argument '%s'\n\n%s", a, usage);
			return 2;
		} else {
			dir = a;
		}
	}
	if (!dir) {
		fprintf(stderr, "smb3d serve: which folder? e.g. smb3d serve ~/shared\n\n%s", usage);
		return 2;
	}
	char real[PATH_MAX];
	struct stat st;
	if (!realpath(dir, real) || stat(real, &st) != 0) {
		fprintf(stderr, "smb3d serve: cannot use %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (!S_ISDIR(st.st_mode)) {
		fprintf(stderr, "smb3d serve: %s is not a directory; give the folder to share\n", dir);
		return 1;
	}
	char share[81];
	if (!name) {
		const char *base = strrchr(real, '/');
		base = base && base[1] ? base + 1 : "share";
		snprintf(share, sizeof(share), "%s", base);
	} else {
		snprintf(share, sizeof(share), "%s", name);
	}
	if (!share[0] || strpbrk(share, "\\/:*?\"<>|[]")) {
		fprintf(stderr, "smb3d serve: '%s' is not a valid share name; choose one with --name\n", share);
		return 2;
	}
	struct in6_addr tmp;
	if (inet_pton(AF_INET, bind_addr, &tmp) != 1 && inet_pton(AF_INET6, bind_addr, &tmp) != 1) {
		fprintf(stderr, "smb3d serve: --bind needs an IP address such as 127.0.0.1 or 0.0.0.0, not '%s'\n",
			bind_addr);
		return 2;
	}

	struct passwd *pw = getpwuid(geteuid());
	const char *user = pw ? pw->pw_name : getenv("USER");
	if (!user) {
		fprintf(stderr, "smb3d serve: cannot tell who you are (no passwd entry for uid %u)\n", geteuid());
		return 1;
	}
	char password[256] = "";
	bool generated = false;
	if (!guest) {
		if (pwfile) {
			if (!read_password_file(pwfile, password, sizeof(password)))
				return 1;
		} else if (getenv("SMB3D_PASSWORD") && getenv("SMB3D_PASSWORD")[0]) {
			snprintf(password, sizeof(password), "%s", getenv("SMB3D_PASSWORD"));
		} else {
			if (!generate_password(password, 16)) {
				fprintf(stderr, "smb3d serve: cannot generate a password\n");
				return 1;
			}
			generated = true;
		}
		if (!password[0]) {
			fprintf(stderr, "smb3d serve: the password is empty; use --guest for no password\n");
			return 2;
		}
	}

	struct config *cfg = config_new_serve(real, share, bind_addr, (uint16_t)port, read_only, guest);
	if (!cfg) {
		fprintf(stderr, "smb3d serve: out of memory\n");
		return 1;
	}
	if (debug >= 0)
		cfg->log_level = debug;
	struct server *srv = server_new(cfg);
	if (!srv)
		return 1;
	if (!guest) {
		srv->have_serve_user = true;
		snprintf(srv->serve_user, sizeof(srv->serve_user), "%s", user);
		if (!nt_hash_of(password, srv->serve_nt_hash)) {
			fprintf(stderr, "smb3d serve: cannot hash the password (is it valid UTF-8?)\n");
			server_free(srv);
			return 1;
		}
	}
	const char *host = strcmp(bind_addr, "0.0.0.0") == 0 || strcmp(bind_addr, "::") == 0 ? "HOST" : bind_addr;
	printf("smb3d: sharing %s as [%s]%s on %s port %ld\n", real, share, read_only ? " (read-only)" : "",
	       bind_addr, port);
	if (guest)
		printf("  access: guest (no password)\n");
	else
		printf("  user: %s\n  password: %s%s\n", user, generated ? password : "(as given)",
		       generated ? "   (generated; shown only now)" : "");
	printf("Connect with:\n");
	printf("  Linux:   smbclient //%s/%s -p %ld %s%s\n", host, share, port, guest ? "-N" : "-U ", guest ? "" : user);
	printf("           mount -t cifs //%s/%s /mnt -o port=%ld,%s%s\n", host, share, port,
	       guest ? "guest" : "username=", guest ? "" : user);
	printf("  macOS:   Finder > Go > Connect to Server: smb://%s%s%s:%ld/%s\n", guest ? "" : user, guest ? "" : "@",
	       host, port, share);
	printf("  Windows: net use Z: \\\\%s\\%s /TCPPORT:%ld   (Windows 11 24H2+; older: use port 445)\n", host, share,
	       port);
	printf("  Remote:  ssh -L %ld:localhost:%ld THIS-MACHINE, then connect to 127.0.0.1 port %ld\n", port, port, port);
	fflush(stdout);
	explicit_bzero(password, sizeof(password));
	int rc = server_run(srv);
	server_free(srv);
	return rc;
}
