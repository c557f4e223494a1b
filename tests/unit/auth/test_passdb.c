/* smbpasswd parsing, lookup and the atomic rewrites: foreign lines survive
 * byte for byte, the file ends up 0600, nothing is left behind, and
 * passdb_changed() notices every rewrite. */
#include "auth_test_util.h"

#include "auth/ntlm.h"
#include "auth/passdb.h"
#include "base/log.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[64], path[96];

static int setup(void **state)
{
	strcpy(dir, "/tmp/smb3d-passdb-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/smbpasswd", dir);
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

static void write_file(const char *text)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
}

static char *read_all(void)
{
	static char buf[8192];
	int fd = open(path, O_RDONLY);
	assert_true(fd >= 0);
	ssize_t n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	buf[n] = 0;
	close(fd);
	return buf;
}

/* Exactly one entry in the directory: no temporary file left behind. */
static void assert_only_file(void)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	assert_int_equal(n, 1);
}

static const char sample[] =
	"# smbpasswd written by Samba\n"
	"\n"
	"alice:1000:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:A4F49C406510BDCAB6824EE7C30FD852:[U          ]:LCT-5F5E1000:\n"
	"Bob:1001:NO PASSWORDXXXXXXXXXXXXXXXXXXXXX:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:[NU         ]:LCT-00000000:\r\n"
	"carol:1002:E52CAC67419A9A224A3B108F3FA6CB6D:8846f7eaee8fb117ad06bdd830b7586c:[DUX        ]:LCT-5F5E1001:\n"
	"this line is not understood\n"
	"dave:-5:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:[U          ]:\n"
	"erin:1004:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:NOTHEX0000000000000000000000000Z:[U          ]:\n"
	"ALICE:1005:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:[U          ]:\n"
	"frank:1006:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:[W          ]:LCT-00000001:\n"
	"gina:1007:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:31D6CFE0D16AE931B73C59D7E0C089C0:[UL         ]:LCT-00000002:";

static void test_parse(void **state)
{
	char logname[128];
	snprintf(logname, sizeof(logname), "%s/log", dir);
	int lfd = open(logname, O_RDWR | O_CREAT | O_TRUNC, 0600);
	log_set_fd(lfd);
	struct passdb *db = passdb_parse("test.smbpasswd", sample, strlen(sample));
	log_set_fd(2);
	assert_non_null(db);
	assert_int_equal(passdb_count(db), 5); /* alice Bob carol frank gina */

	const struct passdb_entry *e = passdb_find(db, "ALICE");
	assert_non_null(e);
	assert_string_equal(e->name, "alice");
	assert_int_equal(e->uid, 1000);
	assert_int_equal(e->acct, PASSDB_ACB_NORMAL);
	assert_true(e->has_nt_hash);
	assert_hex(e->nt_hash, 16, "a4f49c406510bdcab6824ee7c30fd852");
	assert_int_equal(e->last_change, 0x5F5E1000);

	e = passdb_find(db, "bob");
	assert_non_null(e);
	assert_false(e->has_nt_hash);
	assert_true(e->acct & PASSDB_ACB_PWNOTREQ);
	e = passdb_find(db, "carol");
	assert_true(e->acct & PASSDB_ACB_DISABLED);
	assert_true(e->acct & PASSDB_ACB_PWNOEXP);
	assert_hex(e->nt_hash, 16, "8846f7eaee8fb117ad06bdd830b7586c");
	e = passdb_find(db, "frank"); /* old format: no NT hash field */
	assert_non_null(e);
	assert_false(e->has_nt_hash);
	assert_int_equal(e->acct, PASSDB_ACB_WSTRUST);
	assert_null(passdb_find(db, "dave"));
	assert_null(passdb_find(db, "erin"));

	uint8_t h[16];
	assert_int_equal(passdb_auth_lookup(db, "Alice", h), 0);
	assert_hex(h, 16, "a4f49c406510bdcab6824ee7c30fd852");
	memset(h, 0, 16);
	assert_int_equal(passdb_auth_lookup(db, "carol", h), -2); /* disabled, hash still given */
	assert_hex(h, 16, "8846f7eaee8fb117ad06bdd830b7586c");
	assert_int_equal(passdb_auth_lookup(db, "bob", h), -2);	 /* no hash stored */
	assert_int_equal(passdb_auth_lookup(db, "gina", h), -2); /* locked */
	assert_int_equal(passdb_auth_lookup(db, "zoe", h), -1);
	passdb_free(db);

	/* Warnings carry file:line and never a hash. */
	char buf[4096];
	ssize_t n = pread(lfd, buf, sizeof(buf) - 1, 0);
	close(lfd);
	assert_true(n > 0);
	buf[n] = 0;
	assert_non_null(strstr(buf, "test.smbpasswd:6: malformed"));
	assert_non_null(strstr(buf, "test.smbpasswd:7: malformed"));
	assert_non_null(strstr(buf, "test.smbpasswd:8: malformed"));
	assert_non_null(strstr(buf, "test.smbpasswd:9: duplicate"));
	assert_null(strstr(buf, "A4F49C"));
	assert_null(strstr(buf, "8846f7"));
}

static void test_missing_file_and_changed(void **state)
{
	struct passdb *db = NULL;
	assert_int_equal(passdb_load(path, &db).v, STATUS_SUCCESS.v);
	assert_non_null(db);
	assert_int_equal(passdb_count(db), 0);
	assert_false(passdb_generation(db)->exists);
	assert_false(passdb_changed(path, db));
	assert_int_equal(passdb_add(path, "alice", 1000, "Password").v, STATUS_SUCCESS.v);
	assert_true(passdb_changed(path, db));
	passdb_free(db);

	assert_int_equal(passdb_load(path, &db).v, STATUS_SUCCESS.v);
	assert_false(passdb_changed(path, db));
	assert_int_equal(passdb_count(db), 1);
	assert_int_equal(passdb_set_enabled(path, "alice", false).v, STATUS_SUCCESS.v);
	assert_true(passdb_changed(path, db)); /* same size, new inode */
	passdb_free(db);
	assert_int_equal(passdb_load(path, &db).v, STATUS_SUCCESS.v);
	unlink(path);
	assert_true(passdb_changed(path, db));
	passdb_free(db);
}

static void test_add_new_file(void **state)
{
	struct stat st;
	assert_int_equal(passdb_add(path, "alice", 1000, "Password").v, STATUS_SUCCESS.v);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_only_file();
	const char *text = read_all();
	const char *want = "alice:1000:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:A4F49C406510BDCAB6824EE7C30FD852:[U          ]:LCT-";
	assert_int_equal(strncmp(text, want, strlen(want)), 0);
	assert_int_equal(strlen(text), strlen(want) + 8 + 2);
	assert_string_equal(text + strlen(want) + 8, ":\n");

	assert_int_equal(passdb_add(path, "ALICE", 1000, "x").v, STATUS_USER_EXISTS.v);
	assert_int_equal(passdb_add(path, "bob", 1001, "").v, STATUS_INVALID_PARAMETER.v);
	assert_int_equal(passdb_add(path, "bo:b", 1001, "x").v, STATUS_OBJECT_NAME_INVALID.v);
	assert_int_equal(passdb_add(path, "", 1001, "x").v, STATUS_OBJECT_NAME_INVALID.v);
	assert_int_equal(passdb_add(path, "#bob", 1001, "x").v, STATUS_OBJECT_NAME_INVALID.v);
	assert_int_equal(passdb_add(path, "bo\nb", 1001, "x").v, STATUS_OBJECT_NAME_INVALID.v);
	assert_int_equal(passdb_delete(path, "zoe").v, STATUS_NO_SUCH_USER.v);
	assert_int_equal(passdb_set_password(path, "zoe", "x").v, STATUS_NO_SUCH_USER.v);
	assert_int_equal(passdb_set_enabled(path, "zoe", true).v, STATUS_NO_SUCH_USER.v);

	char missing[160];
	snprintf(missing, sizeof(missing), "%s/nodir/smbpasswd", dir);
	assert_int_equal(passdb_add(missing, "alice", 1, "x").v, STATUS_OBJECT_PATH_NOT_FOUND.v);
	assert_only_file();
}

static void test_rewrites_keep_foreign_lines(void **state)
{
	char expect[8192];
	const char *alice_line =
		"alice:1000:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:A4F49C406510BDCAB6824EE7C30FD852:[U          ]:LCT-5F5E1000:\n";
	const char *carol_line =
		"carol:1002:E52CAC67419A9A224A3B108F3FA6CB6D:8846f7eaee8fb117ad06bdd830b7586c:[DUX        ]:LCT-5F5E1001:\n";
	write_file(sample);

	/* add: everything kept, a newline added before the new line. */
	assert_int_equal(passdb_add(path, "zed", 2000, "password").v, STATUS_SUCCESS.v);
	const char *text = read_all();
	assert_int_equal(strncmp(text, sample, strlen(sample)), 0);
	const char *tail = text + strlen(sample);
	const char *zed = "\nzed:2000:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:8846F7EAEE8FB117AD06BDD830B7586C:[U          ]:LCT-";
	assert_int_equal(strncmp(tail, zed, strlen(zed)), 0);
	struct stat st;
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600); /* was 0644 */
	assert_only_file();

	/* delete: only that line goes. */
	assert_int_equal(passdb_delete(path, "ZED").v, STATUS_SUCCESS.v);
	snprintf(expect, sizeof(expect), "%s\n", sample);
	assert_string_equal(read_all(), expect);

	/* disable/enable: flags change, hashes and LCT stay as written. */
	assert_int_equal(passdb_set_enabled(path, "Alice", false).v, STATUS_SUCCESS.v);
	text = read_all();
	const char *p = strstr(text, "alice:");
	assert_non_null(p);
	assert_int_equal(strncmp(p,
				 "alice:1000:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:A4F49C406510BDCAB6824EE7C30FD852:[DU         ]:"
				 "LCT-5F5E1000:\n",
				 strlen(alice_line)),
			 0);
	assert_int_equal(strncmp(text, sample, (size_t)(p - text)), 0); /* before it: unchanged */
	assert_string_equal(p + strlen(alice_line), expect + (p - text) + strlen(alice_line));
	assert_int_equal(passdb_set_enabled(path, "alice", true).v, STATUS_SUCCESS.v);
	assert_string_equal(read_all(), expect);
	assert_int_equal(passdb_set_enabled(path, "carol", true).v, STATUS_SUCCESS.v);
	p = strstr(read_all(), "carol:");
	assert_int_equal(strncmp(p,
				 "carol:1002:E52CAC67419A9A224A3B108F3FA6CB6D:8846f7eaee8fb117ad06bdd830b7586c:[UX         ]:"
				 "LCT-5F5E1001:\n",
				 strlen(carol_line)),
			 0);

	/* passwd: new NT hash, LM wiped to X's, N flag cleared, the rest kept. */
	assert_int_equal(passdb_set_password(path, "bob", "Password").v, STATUS_SUCCESS.v);
	text = read_all();
	p = strstr(text, "Bob:");
	const char *bob = "Bob:1001:XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX:A4F49C406510BDCAB6824EE7C30FD852:[U          ]:LCT-";
	assert_int_equal(strncmp(p, bob, strlen(bob)), 0);
	assert_non_null(strstr(text, "this line is not understood\n"));
	assert_non_null(strstr(text, "dave:-5:"));
	assert_non_null(strstr(text, "# smbpasswd written by Samba\n\n"));
	struct passdb *db = NULL;
	assert_int_equal(passdb_load(path, &db).v, STATUS_SUCCESS.v);
	uint8_t h[16];
	assert_int_equal(passdb_auth_lookup(db, "bob", h), 0);
	assert_hex(h, 16, "a4f49c406510bdcab6824ee7c30fd852");
	passdb_free(db);
	assert_only_file();
}

static void test_not_writable(void **state)
{
	if (geteuid() == 0)
		skip(); /* root writes anywhere */
	write_file(sample);
	assert_int_equal(chmod(dir, 0500), 0);
	NTSTATUS st = passdb_add(path, "zed", 1, "pw");
	chmod(dir, 0700);
	assert_int_equal(st.v, STATUS_ACCESS_DENIED.v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file_and_changed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_new_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rewrites_keep_foreign_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_writable, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
