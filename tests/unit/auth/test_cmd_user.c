/* `smb3d user`: every action through cmd_user() with the password on a pipe
 * and on a pseudo-terminal (asked twice, echo off), exit codes 0/1/2, and the
 * messages that say what to fix. */
#include "auth_test_util.h"

#include "auth/passdb.h"
#include "cli/cli.h"

#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <pty.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

static char dir[64], path[96], conf[96];
static char out_buf[8192], err_buf[8192];

static int setup(void **state)
{
	strcpy(dir, "/tmp/smb3d-cmduser-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/smbpasswd", dir);
	snprintf(conf, sizeof(conf), "%s/smb.conf", dir);
	FILE *f = fopen(conf, "w");
	assert_non_null(f);
	fprintf(f, "[global]\n\tpassdb backend = smbpasswd:%s/users.db\n", dir);
	fclose(f);
	return 0;
}

static int teardown(void **state)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char p[512];
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, e->d_name);
		unlink(p);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	return 0;
}

static void slurp(int fd, char *buf, size_t cap)
{
	ssize_t n = pread(fd, buf, cap - 1, 0);
	buf[n > 0 ? n : 0] = 0;
	close(fd);
}

/* Runs cmd_user with stdin_fd (or a pipe holding `input`) as fd 0 and
 * captures stdout and stderr. */
static int run_fd(int stdin_fd, const char *input, char **argv)
{
	int argc = 0;
	while (argv[argc])
		argc++;
	int p[2] = { -1, -1 };
	if (stdin_fd < 0) {
		assert_int_equal(pipe(p), 0);
		if (input)
			assert_int_equal(write(p[1], input, strlen(input)), (ssize_t)strlen(input));
		close(p[1]);
		stdin_fd = p[0];
	}
	char o[128], e[128];
	snprintf(o, sizeof(o), "%s/.out", dir);
	snprintf(e, sizeof(e), "%s/.err", dir);
	int ofd = open(o, O_RDWR | O_CREAT | O_TRUNC, 0600), efd = open(e, O_RDWR | O_CREAT | O_TRUNC, 0600);
	fflush(stdout);
	fflush(stderr);
	int s0 = dup(0), s1 = dup(1), s2 = dup(2);
	dup2(stdin_fd, 0);
	dup2(ofd, 1);
	dup2(efd, 2);
	int rc = cmd_user(argc, argv);
	fflush(stdout);
	fflush(stderr);
	dup2(s0, 0);
	dup2(s1, 1);
	dup2(s2, 2);
	close(s0);
	close(s1);
	close(s2);
	if (p[0] >= 0)
		close(p[0]);
	slurp(ofd, out_buf, sizeof(out_buf));
	slurp(efd, err_buf, sizeof(err_buf));
	unlink(o);
	unlink(e);
	return rc;
}

#define RUN(input, ...) run_fd(-1, (input), (char *[]){ "user", __VA_ARGS__, NULL })

static const struct passdb_entry *lookup_user(struct passdb **db, const char *file, const char *name)
{
	assert_int_equal(passdb_load(file, db).v, STATUS_SUCCESS.v);
	return passdb_find(*db, name);
}

/* A name that is a Unix account when we are root, any name otherwise. */
static const char *account(void)
{
	return geteuid() == 0 ? "root" : "alice";
}

static void test_actions(void **state)
{
	struct passdb *db;
	const struct passdb_entry *e;
	const char *name = account();

	assert_int_equal(RUN("Password\r\n", "add", "--passdb", path, (char *)name), 0);
	e = lookup_user(&db, path, name);
	assert_non_null(e);
	assert_hex(e->nt_hash, 16, "a4f49c406510bdcab6824ee7c30fd852"); /* "\r\n" stripped */
	assert_int_equal(e->uid, geteuid() == 0 ? 0 : getuid());
	passdb_free(db);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);

	assert_int_equal(RUN("x\n", "add", "--passdb", path, (char *)name), 1);
	assert_non_null(strstr(err_buf, "already exists"));

	assert_int_equal(RUN("password\nignored second line\n", "passwd", "--passdb", path, (char *)name), 0);
	e = lookup_user(&db, path, name);
	assert_hex(e->nt_hash, 16, "8846f7eaee8fb117ad06bdd830b7586c");
	passdb_free(db);

	assert_int_equal(RUN(NULL, "disable", "--passdb", path, (char *)name), 0);
	assert_int_equal(RUN(NULL, "list", "--passdb", path), 0);
	assert_non_null(strstr(out_buf, name));
	assert_non_null(strstr(out_buf, "disabled"));
	assert_int_equal(RUN(NULL, "enable", "--passdb", path, (char *)name), 0);
	assert_int_equal(RUN(NULL, "list", "--passdb", path), 0);
	assert_non_null(strstr(out_buf, " enabled"));

	assert_int_equal(RUN(NULL, "del", "--passdb", path, (char *)name), 0);
	assert_int_equal(RUN(NULL, "del", "--passdb", path, (char *)name), 1);
	assert_non_null(strstr(err_buf, "no user"));
	assert_int_equal(RUN("pw\n", "passwd", "--passdb", path, (char *)name), 1);
	assert_non_null(strstr(err_buf, "no user"));
	e = lookup_user(&db, path, name);
	assert_null(e);
	passdb_free(db);
}

static void test_errors_and_usage(void **state)
{
	const char *name = account();
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/nodir/smbpasswd", dir);

	assert_int_equal(RUN("", "add", "--passdb", path, (char *)name), 1);
	assert_non_null(strstr(err_buf, "empty password"));
	assert_int_equal(RUN("\n", "add", "--passdb", path, (char *)name), 1);
	assert_non_null(strstr(err_buf, "empty password"));
	assert_int_equal(access(path, F_OK), -1); /* nothing created */
	assert_int_equal(RUN("pw\n", "add", "--passdb", missing, (char *)name), 1);
	assert_non_null(strstr(err_buf, "does not exist"));
	if (geteuid() == 0) {
		assert_int_equal(RUN("pw\n", "add", "--passdb", path, "no-such-unix-user-smb3d"), 1);
		assert_non_null(strstr(err_buf, "useradd no-such-unix-user-smb3d"));
	}

	assert_int_equal(RUN(NULL, "add", "--passdb", path), 2);		     /* NAME missing */
	assert_int_equal(RUN(NULL, "list", "--passdb", path, "extra"), 2);	     /* list takes none */
	assert_int_equal(RUN(NULL, "add", (char *)name), 2);			     /* no file */
	assert_int_equal(RUN(NULL, "add", "--passdb", path, "--config", conf, "x"), 2); /* both */
	assert_int_equal(RUN(NULL, "frobnicate"), 2);
	assert_int_equal(RUN(NULL, "add", "--bogus", "x"), 2);
	assert_int_equal(RUN(NULL, "add", "--passdb", path, "a", "b"), 2);
	assert_int_equal(run_fd(-1, NULL, (char *[]){ "user", NULL }), 2);

	assert_int_equal(RUN(NULL, "--help"), 0);
	assert_non_null(strstr(out_buf, "Usage: smb3d user"));
	for (const char *const *a = (const char *const[]){ "add", "del", "passwd", "enable", "disable", "list", NULL };
	     *a; a++) {
		assert_int_equal(RUN(NULL, (char *)*a, "--help"), 0);
		assert_non_null(strstr(out_buf, *a));
	}
}

static void test_config_file(void **state)
{
	char db_path[160];
	struct passdb *db;
	snprintf(db_path, sizeof(db_path), "%s/users.db", dir);
	assert_int_equal(RUN("s3cret\n", "add", "--config", conf, (char *)account()), 0);
	assert_non_null(lookup_user(&db, db_path, account()));
	passdb_free(db);
	assert_int_equal(RUN(NULL, "list", "-s", conf), 0);
	assert_non_null(strstr(out_buf, account()));
	char bad[160];
	snprintf(bad, sizeof(bad), "%s/nope.conf", dir);
	assert_int_equal(RUN(NULL, "list", "--config", bad), 1);
}

/* The terminal side of the pty: answers each prompt once echo is off. */
struct answer {
	int master;
	const char *lines[2];
};

static bool echo_is_off(int fd)
{
	struct termios t;
	return tcgetattr(fd, &t) == 0 && !(t.c_lflag & ECHO);
}

/* True once the captured stderr shows the prompt. */
static bool prompted(const char *marker)
{
	char e[128], buf[4096];
	snprintf(e, sizeof(e), "%s/.err", dir);
	int fd = open(e, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, buf, sizeof(buf) - 1) : -1;
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = 0;
	return strstr(buf, marker) != NULL;
}

static void *typist(void *arg)
{
	static const char *const prompts[2] = { "password for", "Retype" };
	struct answer *a = arg;
	for (int i = 0; i < 2 && a->lines[i]; i++) {
		for (int t = 0; t < 5000 && !(prompted(prompts[i]) && echo_is_off(a->master)); t++)
			usleep(1000);
		if (write(a->master, a->lines[i], strlen(a->lines[i])) < 0)
			break;
	}
	return NULL;
}

static int run_tty(const char *first, const char *second, char **argv)
{
	int master, slave;
	assert_int_equal(openpty(&master, &slave, NULL, NULL, NULL), 0);
	struct answer a = { master, { first, second } };
	pthread_t th;
	pthread_create(&th, NULL, typist, &a);
	int rc = run_fd(slave, NULL, argv);
	pthread_join(th, NULL);
	close(slave);
	close(master);
	return rc;
}

static void test_terminal(void **state)
{
	struct passdb *db;
	char *name = (char *)account();
	assert_int_equal(run_tty("Password\n", "Password\n", (char *[]){ "user", "add", "--passdb", path, name, NULL }),
			 0);
	assert_non_null(strstr(err_buf, "Retype"));
	const struct passdb_entry *e = lookup_user(&db, path, name);
	assert_non_null(e);
	assert_hex(e->nt_hash, 16, "a4f49c406510bdcab6824ee7c30fd852");
	passdb_free(db);
	assert_int_equal(run_tty("one\n", "two\n", (char *[]){ "user", "passwd", "--passdb", path, name, NULL }), 1);
	assert_non_null(strstr(err_buf, "do not match"));
	e = lookup_user(&db, path, name);
	assert_hex(e->nt_hash, 16, "a4f49c406510bdcab6824ee7c30fd852"); /* unchanged */
	passdb_free(db);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_actions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors_and_usage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_terminal, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
