/* Unit tests for src/config/ snapshots: reading files, hostile input and
 * limits, the testparm-style dump round trip, `smb3d serve` snapshots and
 * reference counting. */
#include "config_test.h"

#include "base/log.h"

#include <errno.h>
#include <fcntl.h>

static void test_hostile_input(void **state)
{
	struct config *c;

	/* a logical line just under the limit is fine; one over it is an error */
	size_t n = 64 * 1024;
	char *big = malloc(n + 64);
	assert_non_null(big);
	int k = snprintf(big, n + 64, "[s]\npath = /x\ncomment = ");
	size_t hdr = (size_t)k - strlen("[s]\npath = /x\n");
	memset(big + k, 'a', n - hdr);
	big[k + (n - hdr)] = '\0';
	c = load_ok(big);
	assert_int_equal(strlen(share(c, "s")->comment), n - hdr);
	config_put(c);
	memset(big + k, 'a', n - hdr + 1);
	big[k + (n - hdr) + 1] = '\0';
	load_fails(big, CONF ":3:", "longer than 65536");
	free(big);

	/* invalid UTF-8 and NUL bytes are errors, with their line */
	load_fails("[global]\nworkgroup = \xff\xfe\n", CONF ":2:", "UTF-8");
	load_fails("[global]\nworkgroup = \xc0\xaf\n", CONF ":2:", "UTF-8");
	memset(&D, 0, sizeof(D));
	static const char with_nul[] = "[global]\nworkgroup = a\0b\n[s]\npath = /s\n";
	assert_null(config_load_buffer(with_nul, sizeof(with_nul) - 1, CONF, sink, &D));
	assert_true(has_msg(true, CONF ":2:", "NUL byte"));
	/* config_load_string stops at the first NUL */
	c = load_ok(with_nul);
	assert_string_equal(c->workgroup, "A");
	config_put(c);

	/* the share limit */
	size_t cap = 10001 * 32;
	char *many = malloc(cap), *p = many;
	assert_non_null(many);
	for (int i = 0; i < 10001; i++)
		p += sprintf(p, "[s%d]\npath = /x\n", i);
	c = load(many);
	assert_null(c);
	assert_true(has_msg(true, CONF ":20001:", "more than 10000 shares"));
	assert_int_equal(D.n_err, 1);
	/* exactly 10000 is accepted */
	*strstr(many, "[s10000]") = '\0';
	c = load_ok(many);
	assert_int_equal(c->n_shares, 10001);
	config_put(c);
	free(many);

	/* a flood of warnings is capped */
	char *noisy = malloc(600 * 16 + 16);
	assert_non_null(noisy);
	p = noisy + sprintf(noisy, "[global]\n");
	for (int i = 0; i < 600; i++)
		p += sprintf(p, "bogus%d = 1\n", i);
	c = load_ok(noisy);
	assert_int_equal(D.n, 201);
	assert_true(has_msg(false, "too many problems", NULL));
	config_put(c);
	free(noisy);

	/* odd but harmless input */
	c = load_ok("[global]\n\\\n\\\n   \t\r\n  \\\n  [s]\npath = /x\\");
	assert_string_equal(share(c, "s")->path, "/x\\");
	config_put(c);
	load_fails("[", CONF ":1:", "missing ']'");
	load_fails("\\", CONF ":1:", "expected");
}

/* ---- files ---- */

static void test_load_file(void **state)
{
	char dir[] = "/tmp/smb3d-config-XXXXXX", path[128], want[256];
	struct config *c;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/smb.conf", dir);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs("[global]\nworkgroup = files\n[d]\npath = /srv/d\nbogus = 1\n", f);
	fclose(f);

	memset(&D, 0, sizeof(D));
	c = config_load_file(path, sink, &D);
	assert_non_null(c);
	assert_string_equal(c->source, path);
	assert_string_equal(c->workgroup, "FILES");
	snprintf(want, sizeof(want), "%s/smbpasswd", dir);
	assert_string_equal(c->passdb_path, want);
	snprintf(want, sizeof(want), "%s:5: unknown parameter 'bogus' ignored", path);
	assert_true(has_msg(false, want, NULL));
	config_put(c);

	/* a file that cannot be read: the error carries strerror */
	char missing[160];
	snprintf(missing, sizeof(missing), "%s/nope.conf", dir);
	memset(&D, 0, sizeof(D));
	assert_null(config_load_file(missing, sink, &D));
	assert_true(has_msg(true, missing, strerror(ENOENT)));
	memset(&D, 0, sizeof(D));
	assert_null(config_load_file(dir, sink, &D));
	assert_true(has_msg(true, dir, strerror(EISDIR)));

	memset(&D, 0, sizeof(D));
	assert_null(config_load_file(NULL, sink, &D));
	assert_int_equal(D.n_err, 1);

	/* binary content is rejected, not crashed on */
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite("[s]\npath=/x\n\0\0\xff\n", 1, 16, f);
	fclose(f);
	memset(&D, 0, sizeof(D));
	assert_null(config_load_file(path, sink, &D));
	assert_true(has_msg(true, ":3:", "NUL"));

	unlink(path);
	rmdir(dir);
}

static void test_null_sink_logs(void **state)
{
	int fd = open("/dev/null", O_WRONLY);
	assert_true(fd >= 0);
	log_set_fd(fd);
	assert_null(config_load_string("[global]\nbogus = 1\nworkgroup\n", CONF, NULL, NULL));
	struct config *c = config_load_string("[global]\nbogus = 1\n", CONF, NULL, NULL);
	assert_non_null(c);
	config_put(c);
	log_set_fd(2);
	close(fd);
}

/* ---- dump ---- */

static void assert_lists_equal(char *const *a, char *const *b)
{
	size_t i = 0;
	assert_non_null(a);
	assert_non_null(b);
	for (; a[i] && b[i]; i++)
		assert_string_equal(a[i], b[i]);
	assert_null(a[i]);
	assert_null(b[i]);
}

static void assert_configs_equal(const struct config *a, const struct config *b)
{
	assert_int_equal(a->n_ports, b->n_ports);
	for (size_t i = 0; i < a->n_ports; i++)
		assert_int_equal(a->ports[i], b->ports[i]);
	assert_lists_equal(a->interfaces, b->interfaces);
	assert_int_equal(a->bind_interfaces_only, b->bind_interfaces_only);
	assert_int_equal(a->min_protocol, b->min_protocol);
	assert_int_equal(a->max_protocol, b->max_protocol);
	assert_int_equal(a->server_signing, b->server_signing);
	assert_int_equal(a->server_smb_encrypt, b->server_smb_encrypt);
	assert_string_equal(a->passdb_path, b->passdb_path);
	assert_int_equal(a->map_to_guest, b->map_to_guest);
	assert_string_equal(a->guest_account, b->guest_account);
	assert_int_equal(a->log_level, b->log_level);
	assert_int_equal(a->max_connections, b->max_connections);
	assert_int_equal(a->logon_timeout_ms, b->logon_timeout_ms);
	assert_int_equal(a->max_open_files, b->max_open_files);
	assert_int_equal(a->max_open_files_user, b->max_open_files_user);
	assert_int_equal(a->max_async, b->max_async);
	assert_int_equal(a->max_async_user, b->max_async_user);
	assert_int_equal(a->max_sessions_user, b->max_sessions_user);
	assert_string_equal(a->netbios_name, b->netbios_name);
	assert_string_equal(a->workgroup, b->workgroup);
	assert_string_equal(a->server_string, b->server_string);
	assert_int_equal(a->ntlm_auth, b->ntlm_auth);
	assert_int_equal(a->n_shares, b->n_shares);
	for (size_t i = 0; i < a->n_shares; i++) {
		const struct share_conf *x = &a->shares[i], *y = &b->shares[i];
		assert_string_equal(x->name, y->name);
		if (x->path || y->path)
			assert_string_equal(x->path, y->path);
		assert_string_equal(x->comment, y->comment);
		assert_int_equal(x->read_only, y->read_only);
		assert_int_equal(x->guest_ok, y->guest_ok);
		assert_int_equal(x->browseable, y->browseable);
		assert_int_equal(x->case_sensitive, y->case_sensitive);
		assert_int_equal(x->is_ipc, y->is_ipc);
		assert_int_equal(x->smb_encrypt, y->smb_encrypt);
		assert_lists_equal(x->valid_users, y->valid_users);
		assert_lists_equal(x->invalid_users, y->invalid_users);
	}
}

static char *dump_to_string(const struct config *c)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	config_dump(c, f);
	fclose(f);
	return text;
}

static void round_trip(const char *text)
{
	struct config *a = load_ok(text);
	char *dumped = dump_to_string(a);
	struct config *b = config_load_string(dumped, CONF, sink, &D);

	if (!b || D.n)
		print_message("dump:\n%s\n", dumped);
	assert_non_null(b);
	assert_int_equal(D.n, 0);
	assert_configs_equal(a, b);
	free(dumped);
	config_put(a);
	config_put(b);
}

static void test_dump_round_trip(void **state)
{
	round_trip("");
	round_trip("[global]\n"
		   "smb ports = 445 8445\n"
		   "interfaces = eth0, 10.0.0.0/8\n"
		   "bind interfaces only = yes\n"
		   "server min protocol = SMB2_10\n"
		   "server max protocol = SMB3_02\n"
		   "server signing = mandatory\n"
		   "server smb encrypt = desired\n"
		   "passdb backend = smbpasswd:/var/lib/smb3d/pw\n"
		   "map to guest = bad password\n"
		   "guest account = guest\n"
		   "log level = 5\n"
		   "max connections = 7\n"
		   "smb3d:logon timeout = 9\n"
		   "max open files = 123\n"
		   "smb3d:max open files per user = 456\n"
		   "smb3d:max async requests = 78\n"
		   "smb3d:max async requests per user = 910\n"
		   "smb3d:max sessions per user = 11\n"
		   "netbios name = box\n"
		   "workgroup = home\n"
		   "server string = \" the box \"\n"
		   "ntlm auth = mschapv2-and-ntlmv2-only\n"
		   "read only = no\n"
		   "[Data]\n"
		   "path = /srv/data\n"
		   "comment = \"\"quoted\"\"\n"
		   "guest ok = yes\n"
		   "browseable = no\n"
		   "case sensitive = yes\n"
		   "server smb encrypt = required\n"
		   "valid users = alice \"Domain Users\" @staff\n"
		   "invalid users = root\n"
		   "[odd]\n"
		   "path = \"/srv/back slash\\\"\n"
		   "comment = ends with \\ \"\n"
		   "valid users = \"tail\\\"\n");

	/* the dump is testparm-like */
	struct config *c = load_ok("[global]\nread only = no\n[s]\npath = /x\n");
	char *text = dump_to_string(c);
	assert_non_null(strstr(text, "[global]\n"));
	assert_non_null(strstr(text, "\tsmb ports = 445\n"));
	assert_non_null(strstr(text, "\tserver max protocol = SMB3_11\n"));
	assert_non_null(strstr(text, "\tpassdb backend = smbpasswd:/etc/smb3d/smbpasswd\n"));
	assert_non_null(strstr(text, "\n[s]\n\tpath = /x\n"));
	assert_non_null(strstr(text, "\tread only = No\n"));
	assert_null(strstr(text, "IPC$"));
	free(text);
	config_put(c);
}

/* ---- serve snapshots and references ---- */

static void test_new_serve(void **state)
{
	struct config *c = config_new_serve("/srv/dir/", "dir", "127.0.0.1", 4450, false, true);
	assert_non_null(c);
	assert_int_equal(atomic_load(&c->refs), 1);
	assert_string_equal(c->source, "(serve)");
	assert_int_equal(c->n_ports, 1);
	assert_int_equal(c->ports[0], 4450);
	assert_list(c->interfaces, (const char *[]){ "127.0.0.1", NULL });
	assert_true(c->bind_interfaces_only);
	assert_null(c->passdb_path);
	assert_int_equal(c->map_to_guest, MAP_TO_GUEST_BAD_USER);
	assert_int_equal(c->min_protocol, SMB2_DIALECT_202);
	assert_int_equal(c->max_protocol, SMB2_DIALECT_311);
	assert_int_equal(c->n_shares, 2);
	const struct share_conf *s = share(c, "DIR");
	assert_string_equal(s->path, "/srv/dir");
	assert_false(s->read_only);
	assert_true(s->guest_ok);
	assert_false(s->is_ipc);
	assert_string_equal(s->comment, "");
	assert_list(s->valid_users, (const char *[]){ NULL });
	assert_true(share(c, "IPC$")->is_ipc);
	char *text = dump_to_string(c);
	assert_non_null(strstr(text, "[dir]\n"));
	free(text);
	config_put(c);

	c = config_new_serve("/srv", "s", NULL, 0, true, false);
	assert_non_null(c);
	assert_int_equal(c->ports[0], 445);
	assert_null(c->interfaces[0]);
	assert_false(c->bind_interfaces_only);
	assert_int_equal(c->map_to_guest, MAP_TO_GUEST_NEVER);
	assert_true(share(c, "s")->read_only);
	assert_false(share(c, "s")->guest_ok);
	config_put(c);

	assert_null(config_new_serve("relative", "s", NULL, 0, true, false));
	assert_null(config_new_serve(NULL, "s", NULL, 0, true, false));
	assert_null(config_new_serve("/srv", "", NULL, 0, true, false));
	assert_null(config_new_serve("/srv", NULL, NULL, 0, true, false));
	assert_null(config_new_serve("/srv", "a/b", NULL, 0, true, false));
	assert_null(config_new_serve("/srv", "ipc$", NULL, 0, true, false));
	assert_null(config_new_serve("/srv\n", "s", NULL, 0, true, false));
}

static void test_refcount(void **state)
{
	struct config *c = load_ok("[s]\npath = /x\n");

	assert_ptr_equal(config_get(c), c);
	assert_ptr_equal(config_get(c), c);
	assert_int_equal(atomic_load(&c->refs), 3);
	config_put(c);
	config_put(c);
	assert_int_equal(atomic_load(&c->refs), 1);
	assert_string_equal(share(c, "s")->path, "/x");
	config_put(c); /* freed; ASan reports a leak or double free otherwise */
	config_put(NULL);
	assert_null(config_get(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_input),
		cmocka_unit_test(test_load_file),
		cmocka_unit_test(test_null_sink_logs),
		cmocka_unit_test(test_dump_round_trip),
		cmocka_unit_test(test_new_serve),
		cmocka_unit_test(test_refcount),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
