/* Unit tests for src/config/ parsing: smb.conf syntax, every parameter with
 * its spellings and aliases, defaults, and the warnings and errors (with
 * FILE:LINE) that bad input produces. */
#include "config_test.h"

/* ---- defaults ---- */

static void test_defaults(void **state)
{
	struct config *c = load_ok("[global]\n");

	assert_int_equal(D.n, 0);
	assert_int_equal(atomic_load(&c->refs), 1);
	assert_string_equal(c->source, CONF);
	assert_int_equal(c->n_ports, 1);
	assert_int_equal(c->ports[0], 445);
	assert_non_null(c->interfaces);
	assert_null(c->interfaces[0]);
	assert_false(c->bind_interfaces_only);
	assert_int_equal(c->min_protocol, SMB2_DIALECT_202);
	assert_int_equal(c->max_protocol, SMB2_DIALECT_311);
	assert_int_equal(c->server_signing, CFG_IF_REQUIRED);
	assert_int_equal(c->server_smb_encrypt, CFG_IF_REQUIRED);
	assert_string_equal(c->passdb_path, "/etc/smb3d/smbpasswd");
	assert_int_equal(c->map_to_guest, MAP_TO_GUEST_NEVER);
	assert_string_equal(c->guest_account, "nobody");
	assert_int_equal(c->log_level, 1);
	assert_int_equal(c->max_connections, 0);
	assert_non_null(c->netbios_name);
	assert_true(strlen(c->netbios_name) >= 1 && strlen(c->netbios_name) <= 15);
	for (const char *p = c->netbios_name; *p; p++)
		assert_false(*p >= 'a' && *p <= 'z');
	assert_string_equal(c->workgroup, "WORKGROUP");
	assert_string_equal(c->server_string, "smb3d");
	assert_int_equal(c->ntlm_auth, NTLM_AUTH_NTLMV2_ONLY);

	assert_int_equal(c->n_shares, 1);
	const struct share_conf *ipc = share(c, "IPC$");
	assert_true(ipc->is_ipc);
	assert_null(ipc->path);
	assert_string_equal(ipc->comment, "IPC Service (smb3d)");
	assert_true(ipc->browseable);
	assert_true(ipc->read_only);
	config_put(c);

	c = load_ok(""); /* an empty file is valid */
	assert_int_equal(c->n_shares, 1);
	config_put(c);
}

static void test_share_defaults(void **state)
{
	struct config *c = load_ok("[data]\npath = /srv/data\n");
	const struct share_conf *s = share(c, "data");

	assert_int_equal(c->n_shares, 2);
	assert_false(s->is_ipc);
	assert_string_equal(s->name, "data");
	assert_string_equal(s->path, "/srv/data");
	assert_string_equal(s->comment, "");
	assert_true(s->read_only);
	assert_false(s->guest_ok);
	assert_true(s->browseable);
	assert_false(s->case_sensitive);
	assert_false(s->hide_unreadable);
	assert_int_equal(s->smb_encrypt, CFG_IF_REQUIRED);
	assert_list(s->valid_users, (const char *[]){ NULL });
	assert_list(s->invalid_users, (const char *[]){ NULL });
	config_put(c);

	c = load_ok("[d]\npath = /srv/data///\n"); /* trailing slashes dropped */
	assert_string_equal(share(c, "d")->path, "/srv/data");
	config_put(c);
	c = load_ok("[d]\npath = /\n");
	assert_string_equal(share(c, "d")->path, "/");
	config_put(c);
	c = load_ok("[d]\npath = \"/srv/my share\"\n"); /* quotes around strings are removed */
	assert_string_equal(share(c, "d")->path, "/srv/my share");
	config_put(c);
}

/* ---- syntax ---- */

static void test_booleans(void **state)
{
	static const char *yes[] = { "yes", "YES", "Yes", "true", "TRUE", "True", "on", "ON", "1" };
	static const char *no[] = { "no", "NO", "No", "false", "FALSE", "off", "Off", "0" };
	static const char *bad[] = { "maybe", "2", "yess", "y", "n", "\"yes\"", "-1" };
	struct config *c;

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		c = loadf("[s]\npath = /x\nguest ok = %s\nbrowseable = %s\n", yes[i], yes[i]);
		assert_non_null(c);
		assert_true(share(c, "s")->guest_ok);
		assert_true(share(c, "s")->browseable);
		config_put(c);
		c = loadf("[global]\nbind interfaces only = %s\n", yes[i]);
		assert_non_null(c);
		assert_true(c->bind_interfaces_only);
		config_put(c);
	}
	for (size_t i = 0; i < sizeof(no) / sizeof(no[0]); i++) {
		c = loadf("[s]\npath = /x\nread only = %s\nbrowseable = %s\n", no[i], no[i]);
		assert_non_null(c);
		assert_false(share(c, "s")->read_only);
		assert_false(share(c, "s")->browseable);
		config_put(c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[s]\npath = /x\nguest ok = %s\n", bad[i]);
		load_fails(text, CONF ":3:", "'guest ok' cannot be");
		assert_true(has_msg(true, "yes or no", NULL));
	}
}

static void test_name_spellings(void **state)
{
	static const char *ro[] = { "read only", "Read Only", "readonly", "READONLY", "  read   only ", "read\tonly",
				    "rEaD oNlY" };
	struct config *c;

	for (size_t i = 0; i < sizeof(ro) / sizeof(ro[0]); i++) {
		c = loadf("[s]\npath = /x\n%s = no\n", ro[i]);
		assert_non_null(c);
		assert_int_equal(D.n, 0);
		assert_false(share(c, "s")->read_only);
		config_put(c);
	}
	/* aliases, including the inverted ones */
	c = load_ok("[a]\ndirectory = /a\nwriteable = yes\npublic = yes\nbrowsable = no\n"
		    "[b]\npath = /b\nwritable = yes\n[c]\npath = /c\nwrite ok = no\n[d]\npath=/d\nwrite ok = yes\n");
	assert_string_equal(share(c, "a")->path, "/a");
	assert_false(share(c, "a")->read_only);
	assert_true(share(c, "a")->guest_ok);
	assert_false(share(c, "a")->browseable);
	assert_false(share(c, "b")->read_only);
	assert_true(share(c, "c")->read_only);
	assert_false(share(c, "d")->read_only);
	config_put(c);

	c = load_ok("[global]\nmin protocol = SMB3\nmax protocol = SMB3_02\nsmb encrypt = required\n"
		    "debug level = 4\n");
	assert_int_equal(c->min_protocol, SMB2_DIALECT_300);
	assert_int_equal(c->max_protocol, SMB2_DIALECT_302);
	assert_int_equal(c->server_smb_encrypt, CFG_REQUIRED);
	assert_int_equal(c->log_level, 4);
	config_put(c);
}

static void test_comments_continuations(void **state)
{
	struct config *c = load_ok("; a comment\n"
				   "# another\n"
				   "   # indented comment\n"
				   "\n"
				   "[global]\n"
				   "workgroup = \\\n"
				   "    mygroup\n"
				   "server string = lots    of\t \tspace   \n"
				   "; comment ending in a backslash \\\n"
				   "[s]\n"
				   "path = /srv/s\n"
				   "valid users = alice, \\\n"
				   "\tbob \\  \n"
				   "  carol\n"
				   "comment = a ; not a comment # nor this\n");

	assert_string_equal(c->workgroup, "MYGROUP");
	assert_string_equal(c->server_string, "lots of space");
	assert_list(share(c, "s")->valid_users, (const char *[]){ "alice", "bob", "carol", NULL });
	assert_string_equal(share(c, "s")->comment, "a ; not a comment # nor this");
	config_put(c);

	/* line numbers after continuations and comments are physical lines */
	load_fails("[global]\n# c\nworkgroup = a \\\n b \\\n c\nlog level = x\n", CONF ":6:", "'log level' cannot be");

	/* CRLF line endings and a UTF-8 byte order mark */
	c = load_ok("\xEF\xBB\xBF[global]\r\nworkgroup = crlf\r\n[s]\r\npath = /srv/s\r\nguest ok = yes\r\n");
	assert_string_equal(c->workgroup, "CRLF");
	assert_string_equal(share(c, "s")->path, "/srv/s");
	assert_true(share(c, "s")->guest_ok);
	config_put(c);

	/* the first '=' splits; the value may contain more */
	c = load_ok("[s]\npath = /x\ncomment = a=b [c]\n");
	assert_string_equal(share(c, "s")->comment, "a=b [c]");
	config_put(c);

	/* text after a section header is ignored with a warning, a comment silently */
	c = load_ok("[s] ; comment\npath = /x\n[t] junk\npath = /y\n");
	assert_true(has_msg(false, CONF ":3:", "junk"));
	assert_int_equal(D.n, 1);
	config_put(c);
}

/* ---- enumerations ---- */

struct enum_case {
	const char *v;
	int want;
};

static void test_signing_encrypt(void **state)
{
	static const struct enum_case cases[] = {
		{ "default", CFG_IF_REQUIRED }, { "auto", CFG_IF_REQUIRED }, { "if_required", CFG_IF_REQUIRED },
		{ "yes", CFG_IF_REQUIRED },	{ "true", CFG_IF_REQUIRED }, { "on", CFG_IF_REQUIRED },
		{ "1", CFG_IF_REQUIRED },	{ "enabled", CFG_IF_REQUIRED }, { "no", CFG_OFF },
		{ "false", CFG_OFF },		{ "off", CFG_OFF },	       { "0", CFG_OFF },
		{ "disabled", CFG_OFF },	{ "Disabled", CFG_OFF },	{ "desired", CFG_DESIRED },
		{ "mandatory", CFG_REQUIRED },	{ "required", CFG_REQUIRED },  { "force", CFG_REQUIRED },
		{ "forced", CFG_REQUIRED },	{ "enforced", CFG_REQUIRED },  { "MANDATORY", CFG_REQUIRED },
	};
	struct config *c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = loadf("[global]\nserver signing = %s\nserver smb encrypt = %s\n[s]\npath = /s\n", cases[i].v,
			  cases[i].v);
		assert_non_null(c);
		assert_int_equal(c->server_signing, cases[i].want);
		assert_int_equal(c->server_smb_encrypt, cases[i].want);
		/* the global encryption setting is the default for shares (and IPC$) */
		assert_int_equal(share(c, "s")->smb_encrypt, cases[i].want);
		assert_int_equal(share(c, "IPC$")->smb_encrypt, cases[i].want);
		config_put(c);
	}
	/* per-share value overrides the global one, and only for that share */
	c = load_ok("[global]\nserver smb encrypt = desired\n[a]\npath=/a\nserver smb encrypt = required\n"
		    "[b]\npath=/b\nsmb encrypt = off\n[c]\npath=/c\n");
	assert_int_equal(c->server_smb_encrypt, CFG_DESIRED);
	assert_int_equal(share(c, "a")->smb_encrypt, CFG_REQUIRED);
	assert_int_equal(share(c, "b")->smb_encrypt, CFG_OFF);
	assert_int_equal(share(c, "c")->smb_encrypt, CFG_DESIRED);
	config_put(c);

	load_fails("[global]\nserver signing = sometimes\n", CONF ":2:", "'server signing' cannot be 'sometimes'");
	load_fails("[s]\npath = /x\nserver smb encrypt = strong\n", CONF ":3:", "mandatory");
}

static void test_map_to_guest(void **state)
{
	static const struct enum_case cases[] = {
		{ "never", MAP_TO_GUEST_NEVER },	 { "Never", MAP_TO_GUEST_NEVER },
		{ "bad user", MAP_TO_GUEST_BAD_USER },	 { "Bad User", MAP_TO_GUEST_BAD_USER },
		{ "BADUSER", MAP_TO_GUEST_BAD_USER },	 { "bad  user", MAP_TO_GUEST_BAD_USER },
		{ "bad password", MAP_TO_GUEST_BAD_PASSWORD }, { "Bad Password", MAP_TO_GUEST_BAD_PASSWORD },
		{ "bad uid", MAP_TO_GUEST_BAD_UID },	 { "Bad Uid", MAP_TO_GUEST_BAD_UID },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = loadf("[global]\nmap to guest = %s\n", cases[i].v);
		assert_non_null(c);
		assert_int_equal(c->map_to_guest, cases[i].want);
		config_put(c);
	}
	load_fails("[global]\nmap to guest = always\n", CONF ":2:", "bad user");
}

static void test_ntlm_auth(void **state)
{
	static const struct enum_case cases[] = {
		{ "ntlmv2-only", NTLM_AUTH_NTLMV2_ONLY },
		{ "no", NTLM_AUTH_NTLMV2_ONLY },
		{ "disabled", NTLM_AUTH_NTLMV2_ONLY },
		{ "yes", NTLM_AUTH_NTLMV1_PERMITTED },
		{ "ntlmv1-permitted", NTLM_AUTH_NTLMV1_PERMITTED },
		{ "ntlmv1", NTLM_AUTH_NTLMV1_PERMITTED },
		{ "mschapv2-and-ntlmv2-only", NTLM_AUTH_MSCHAPV2_NTLMV2_ONLY },
		{ "MSCHAPv2-and-NTLMv2-only", NTLM_AUTH_MSCHAPV2_NTLMV2_ONLY },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = loadf("[global]\nntlm auth = %s\n", cases[i].v);
		assert_non_null(c);
		assert_int_equal(c->ntlm_auth, cases[i].want);
		config_put(c);
	}
	load_fails("[global]\nntlm auth = lanman\n", CONF ":2:", "'ntlm auth' cannot be 'lanman'");
}

static void test_case_sensitive(void **state)
{
	static const struct enum_case cases[] = { { "yes", 1 }, { "True", 1 }, { "no", 0 }, { "auto", 0 },
						  { "Auto", 0 }, { "0", 0 } };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct config *c = loadf("[s]\npath = /x\ncase sensitive = %s\n", cases[i].v);
		assert_non_null(c);
		assert_int_equal(share(c, "s")->case_sensitive, cases[i].want);
		config_put(c);
	}
	load_fails("[s]\npath = /x\ncase sensitive = sometimes\n", CONF ":3:", "auto");
}

static void test_protocols(void **state)
{
	static const struct {
		const char *v;
		uint16_t min, max;
	} cases[] = {
		{ "SMB2_02", 0x0202, 0x0202 }, { "SMB2_10", 0x0210, 0x0210 }, { "SMB3_00", 0x0300, 0x0300 },
		{ "SMB3_02", 0x0302, 0x0302 }, { "SMB3_11", 0x0311, 0x0311 }, { "smb3_11", 0x0311, 0x0311 },
		{ "SMB2", 0x0202, 0x0210 },    { "SMB3", 0x0300, 0x0311 },    { "default", 0x0202, 0x0311 },
	};
	struct config *c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = loadf("[global]\nserver min protocol = %s\n", cases[i].v);
		assert_non_null(c);
		assert_int_equal(c->min_protocol, cases[i].min);
		assert_int_equal(c->max_protocol, SMB2_DIALECT_311);
		config_put(c);
		c = loadf("[global]\nserver max protocol = %s\n", cases[i].v);
		assert_non_null(c);
		assert_int_equal(c->max_protocol, cases[i].max);
		assert_int_equal(c->min_protocol, SMB2_DIALECT_202);
		config_put(c);
	}
	/* SMB1 and older as a minimum are raised to SMB2_02 with a warning */
	static const char *legacy[] = { "NT1", "LANMAN1", "LANMAN2", "CORE", "COREPLUS", "nt1" };
	for (size_t i = 0; i < sizeof(legacy) / sizeof(legacy[0]); i++) {
		c = loadf("[global]\nserver min protocol = %s\n", legacy[i]);
		assert_non_null(c);
		assert_int_equal(c->min_protocol, SMB2_DIALECT_202);
		assert_true(has_msg(false, CONF ":2:", "SMB2_02"));
		config_put(c);
	}
	load_fails("[global]\nserver max protocol = NT1\n", CONF ":2:", "SMB1");
	load_fails("[global]\nserver max protocol = SMB4\n", CONF ":2:", "SMB3_11");
	load_fails("[global]\nserver min protocol = SMB3_11\n\nserver max protocol = SMB2_10\n", CONF ":4:",
		   "'server min protocol' (SMB3_11) is above 'server max protocol' (SMB2_10)");
	load_fails("[global]\nserver max protocol = SMB2_10\nserver min protocol = SMB3\n", CONF ":3:", "is above");

	/* `client ...` parameters are not ours; warned about, never errors */
	c = load_ok("[global]\nclient min protocol = CORE\nclient max protocol = NT1\n");
	assert_true(has_msg(false, CONF ":2:", "'client min protocol' is not supported by smb3d"));
	assert_int_equal(c->min_protocol, SMB2_DIALECT_202);
	config_put(c);

	assert_string_equal(config_protocol_name(0x0202), "SMB2_02");
	assert_string_equal(config_protocol_name(0x0210), "SMB2_10");
	assert_string_equal(config_protocol_name(0x0300), "SMB3_00");
	assert_string_equal(config_protocol_name(0x0302), "SMB3_02");
	assert_string_equal(config_protocol_name(0x0311), "SMB3_11");
}

/* ---- other global parameters ---- */

static void test_ports_interfaces(void **state)
{
	struct config *c = load_ok("[global]\nsmb ports = 445 139,8445, 445\n"
				   "interfaces = eth0 192.168.1.0/24, 10.0.0.1;lo\nbind interfaces only = yes\n");

	assert_int_equal(c->n_ports, 3);
	assert_int_equal(c->ports[0], 445);
	assert_int_equal(c->ports[1], 139);
	assert_int_equal(c->ports[2], 8445);
	assert_list(c->interfaces, (const char *[]){ "eth0", "192.168.1.0/24", "10.0.0.1", "lo", NULL });
	assert_true(c->bind_interfaces_only);
	config_put(c);

	c = load_ok("[global]\nsmb ports = 1, 65535\n");
	assert_int_equal(c->n_ports, 2);
	assert_int_equal(c->ports[0], 1);
	assert_int_equal(c->ports[1], 65535);
	config_put(c);

	static const char *bad[] = { "0", "65536", "abc", "445x", "-445", "99999999999999999999" };
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char text[128];
		snprintf(text, sizeof(text), "[global]\nsmb ports = 445 %s\n", bad[i]);
		load_fails(text, CONF ":2:", "1 to 65535");
	}
	load_fails("[global]\nsmb ports =\n", CONF ":2:", "at least one");
}

static void test_log_level(void **state)
{
	static const struct enum_case ok[] = { { "0", 0 }, { "3", 3 }, { "10", 10 }, { "all:4", 4 } };
	struct config *c;

	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		c = loadf("[global]\nlog level = %s\n", ok[i].v);
		assert_non_null(c);
		assert_int_equal(c->log_level, ok[i].want);
		assert_int_equal(D.n, 0);
		config_put(c);
	}
	c = load_ok("[global]\nlog level = 3 auth:5 passdb:10\n");
	assert_int_equal(c->log_level, 3);
	assert_true(has_msg(false, CONF ":2:", "auth:5"));
	config_put(c);
	c = load_ok("[global]\nlog level = 100\n");
	assert_int_equal(c->log_level, 10);
	assert_true(has_msg(false, CONF ":2:", "above 10"));
	config_put(c);
	load_fails("[global]\nlog level = -1\n", CONF ":2:", "'log level' cannot be");
	load_fails("[global]\nlog level = verbose\n", CONF ":2:", "0 to 10");
	load_fails("[global]\nlog level = 3 4\n", CONF ":2:", "0 to 10");
	load_fails("[global]\nlog level =\n", CONF ":2:", "0 to 10");
}

static void test_misc_globals(void **state)
{
	char host[256] = "";
	struct config *c = load_ok("[global]\nmax connections = 100\nnetbios name = myserver\n"
				   "workgroup = example\nserver string = Files on %h (%%h)\nguest account = guest\n");

	gethostname(host, sizeof(host) - 1);
	assert_int_equal(c->max_connections, 100);
	assert_string_equal(c->netbios_name, "MYSERVER");
	assert_string_equal(c->workgroup, "EXAMPLE");
	char want[600];
	snprintf(want, sizeof(want), "Files on %s (%%h)", host);
	assert_string_equal(c->server_string, want);
	snprintf(want, sizeof(want), "IPC Service (Files on %s (%%h))", host);
	assert_string_equal(share(c, "IPC$")->comment, want);
	assert_string_equal(c->guest_account, "guest");
	config_put(c);

	c = load_ok("[global]\nnetbios name = averyveryverylongname\n");
	assert_string_equal(c->netbios_name, "AVERYVERYVERYLO");
	assert_true(has_msg(false, CONF ":2:", "15 characters"));
	config_put(c);

	load_fails("[global]\nmax connections = -1\n", CONF ":2:", ">= 0");
	load_fails("[global]\nmax connections = lots\n", CONF ":2:", "'max connections' cannot be 'lots'");
	load_fails("[global]\nguest account =\n", CONF ":2:", "nobody");

	/* smb3d:busy poll: microseconds, 100 unless set, 0 turns it off */
	c = load_ok("[global]\n");
	assert_int_equal(c->busy_poll_us, 100);
	config_put(c);
	c = load_ok("[global]\nsmb3d:busy poll = 0\n");
	assert_int_equal(c->busy_poll_us, 0);
	config_put(c);
	c = load_ok("[global]\nsmb3d: Busy Poll = 250\n");
	assert_int_equal(c->busy_poll_us, 250);
	config_put(c);
	load_fails("[global]\nsmb3d:busy poll = fast\n", CONF ":2:", "microseconds from 0 (off) to 10000");
	load_fails("[global]\nsmb3d:busy poll = 20000\n", CONF ":2:", "'smb3d:busy poll' cannot be '20000'");
}

/* Resource limits (docs/security.md, "Limits"): defaults, Samba's `max
 * open files`, and values out of range refused with the range and default. */
static void test_limits(void **state)
{
	(void)state;
	struct config *c = load_ok("[global]\n");
	assert_int_equal(c->logon_timeout_ms, 30000);
	assert_int_equal(c->max_open_files, 16384);
	assert_int_equal(c->max_open_files_user, 65536);
	assert_int_equal(c->max_async, 512);
	assert_int_equal(c->max_async_user, 4096);
	assert_int_equal(c->max_sessions_user, 4096);
	config_put(c);
	c = load_ok("[global]\nsmb3d:logon timeout = 5\nmax open files = 100\nsmb3d:max open files per user = 300\n"
		    "smb3d:max async requests = 20\nsmb3d:max async requests per user = 40\n");
	assert_int_equal(c->logon_timeout_ms, 5000);
	assert_int_equal(c->max_open_files, 100);
	assert_int_equal(c->max_open_files_user, 300);
	assert_int_equal(c->max_async, 20);
	assert_int_equal(c->max_async_user, 40);
	assert_int_equal(D.n, 0); /* `max open files` is no longer "not supported" */
	config_put(c);
	load_fails("[global]\nsmb3d:logon timeout = 0\n", CONF ":2:", "seconds from 1 to 3600; the default is 30");
	load_fails("[global]\nmax open files = 0\n", CONF ":2:", "per connection from 1 to 1048576");
	load_fails("[global]\nmax open files = many\n", CONF ":2:", "'max open files' cannot be 'many'");
	load_fails("[global]\nsmb3d:max open files per user = -5\n", CONF ":2:", "per user from 1");
	load_fails("[global]\nsmb3d:max async requests = 9000\n", CONF ":2:", "from 1 to 8192; the default is 512");
	load_fails("[global]\nsmb3d:max async requests per user = 0\n", CONF ":2:", "the default is 4096");
	load_fails("[global]\nsmb3d:max sessions per user = 0\n", CONF ":2:", "sessions per user from 1 to 1048576");
	c = load_ok("[s]\npath = /x\nmax open files = 10\n");
	assert_true(has_msg(false, CONF ":3:", "'max open files' is a [global] parameter"));
	assert_int_equal(c->max_open_files, 16384);
	config_put(c);
}

static void test_passdb(void **state)
{
	static const struct {
		const char *v, *want;
	} cases[] = {
		{ "smbpasswd:/var/lib/smb3d/passwd", "/var/lib/smb3d/passwd" },
		{ "smbpasswd:pw/file", "/etc/smb3d/pw/file" },
		{ "smbpasswd:./pw", "/etc/smb3d/pw" },
		{ "smbpasswd", "/etc/smb3d/smbpasswd" },
		{ "SMBPASSWD", "/etc/smb3d/smbpasswd" },
		{ "smbpasswd:", "/etc/smb3d/smbpasswd" },
		{ "\"smbpasswd:/with space/pw\"", "/with space/pw" },
	};
	struct config *c;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c = loadf("[global]\npassdb backend = %s\n", cases[i].v);
		assert_non_null(c);
		assert_string_equal(c->passdb_path, cases[i].want);
		config_put(c);
	}
	load_fails("[global]\npassdb backend = tdbsam\n", CONF ":2:", "smb3d supports only smbpasswd:PATH");
	load_fails("[global]\npassdb backend = ldapsam:ldap://x\n", CONF ":2:", "'ldapsam:ldap://x'");
	load_fails("[global]\npassdb backend = smbpasswdx\n", CONF ":2:", "smbpasswd:PATH");

	/* the default and relative paths follow the config file's directory */
	char *cwd = getcwd(NULL, 0), want[4200];
	assert_non_null(cwd);
	memset(&D, 0, sizeof(D));
	c = config_load_string("[global]\npassdb backend = smbpasswd:pw\n", "conf/smb.conf", sink, &D);
	assert_non_null(c);
	snprintf(want, sizeof(want), "%s/conf/pw", cwd);
	assert_string_equal(c->passdb_path, want);
	config_put(c);
	c = config_load_string("", "smb.conf", sink, &D);
	assert_non_null(c);
	snprintf(want, sizeof(want), "%s/smbpasswd", cwd);
	assert_string_equal(c->passdb_path, want);
	config_put(c);
	c = config_load_string("", "/smb.conf", sink, &D);
	assert_non_null(c);
	assert_string_equal(c->passdb_path, "/smbpasswd");
	config_put(c);
	free(cwd);
}

/* ---- warnings ---- */

static void test_unknown_and_unsupported(void **state)
{
	struct config *c = load_ok("[global]\n"
				   "foo bar = 1\n"
				   "vfs objects = fruit streams_xattr\n"
				   "security = user\n"
				   "obey pam restrictions = no\n"
				   "fruit:metadata = stream\n"
				   "[s]\n"
				   "path = /x\n"
				   "Store DOS Attributes = yes\n"
				   "oplocks = yes\n");

	assert_int_equal(D.n_err, 0);
	assert_int_equal(D.n_warn, 7);
	assert_true(has_msg(false, CONF ":2: unknown parameter 'foo bar' ignored", NULL));
	assert_true(has_msg(false, CONF ":3:", "'vfs objects' is not supported by smb3d, ignored"));
	assert_true(has_msg(false, CONF ":4:", "'security'"));
	assert_true(has_msg(false, CONF ":5:", "'obey pam restrictions'"));
	assert_true(has_msg(false, CONF ":6:", "'fruit:metadata'"));
	assert_true(has_msg(false, CONF ":9:", "'Store DOS Attributes' is not supported"));
	assert_true(has_msg(false, CONF ":10:", "'oplocks'"));
	config_put(c);

	/* fail closed: a restriction smb3d does not implement stops the load */
	static const char *const narrowing[] = {
		"obey pam restrictions = yes",
		"include = /etc/other.conf",   "follow symlinks = no",	  "guest only = yes",
		"username map = /etc/map",     "hide unwriteable files = yes",
	};
	for (size_t i = 0; i < sizeof(narrowing) / sizeof(narrowing[0]); i++) {
		char text[256];
		snprintf(text, sizeof(text), "[s]\npath = /x\n%s\n", narrowing[i]);
		load_fails(text, CONF ":3:", "restricts access but smb3d does not implement it");
	}

	/* a [global]-only parameter inside a share: warning, and no effect */
	c = load_ok("[s]\npath = /x\nworkgroup = other\nsmb ports = 1\n");
	assert_true(has_msg(false, CONF ":3:", "'workgroup' is a [global] parameter"));
	assert_true(has_msg(false, CONF ":4:", "[s]"));
	assert_string_equal(c->workgroup, "WORKGROUP");
	assert_int_equal(c->ports[0], 445);
	config_put(c);
}

static void test_access_lists(void **state)
{
	struct config *c = load_ok("[global]\n"
				   "hosts allow = 10.0.0.0/8 127.0.0.1\n"
				   "hosts deny = ALL\n"
				   "[a]\npath = /a\nread list = bob @staff\nwrite list = carol\n"
				   "[b]\npath = /b\navailable = no\nhosts allow = 192.168.1. EXCEPT 192.168.1.9\n");
	assert_non_null(c->hosts_allow);
	assert_int_equal(c->hosts_allow->n, 2);
	assert_int_equal(c->hosts_deny->n, 1);
	const struct share_conf *a = share(c, "a"), *b = share(c, "b");
	assert_true(a->available);
	assert_false(b->available);
	assert_string_equal(a->read_list[0], "bob");
	assert_string_equal(a->read_list[1], "@staff");
	assert_string_equal(a->write_list[0], "carol");
	/* shares inherit [global]'s lists unless they set their own */
	assert_int_equal(a->hosts_allow->n, 2);
	assert_int_equal(a->hosts_deny->n, 1);
	assert_int_equal(b->hosts_allow->n, 2);
	assert_true(b->hosts_allow->rule[1].except);
	config_put(c);
	/* an entry that cannot be checked is an error, not a list that lets everyone in */
	load_fails("[global]\nhosts allow = 10.0.0.1 files.example.com\n", CONF ":2:",
		   "'files.example.com' is not an address");
	load_fails("[s]\npath = /s\nhosts deny = @trusted\n", CONF ":3:", "host names and netgroups");
	load_fails("[s]\npath = /s\navailable = maybe\n", CONF ":3:", "'available'");

	/* modes: exact bits once any is set, Samba's defaults for the rest */
	c = load_ok("[global]\nforce create mode = 0060\n"
		    "[m]\npath = /m\ncreate mask = 0600\ndirectory mask = 0700\nforce directory mode = 050\n"
		    "[n]\npath = /n\ncreate mask = 0\nforce create mode = 0\n");
	assert_int_equal(config_new_file_mode(share(c, "m"), false), 0660);
	assert_int_equal(config_new_file_mode(share(c, "m"), true), 0750);
	assert_int_equal(config_new_file_mode(share(c, "n"), false), 0);
	assert_int_equal(config_new_file_mode(share(c, "n"), true), 0755); /* Samba's directory mask */
	config_put(c);
	c = load_ok("[p]\npath = /p\n");
	assert_int_equal(config_new_file_mode(share(c, "p"), false), -1); /* the umask decides */
	assert_int_equal(config_new_file_mode(share(c, "p"), true), -1);
	config_put(c);
	load_fails("[s]\npath = /s\ncreate mask = 0889\n", CONF ":3:", "an octal mode");
	c = load_ok("[global]\nforce group = users\n[f]\npath = /f\nforce user = \"nobody\"\n[g]\npath = /g\n");
	assert_string_equal(share(c, "f")->force_user, "nobody");
	assert_string_equal(share(c, "f")->force_group, "users");
	assert_null(share(c, "g")->force_user);
	assert_string_equal(share(c, "g")->force_group, "users");
	config_put(c);
	load_fails("[s]\npath = /s\nforce group = +staff\n", CONF ":3:", "'+' and '%' forms are not supported");
	load_fails("[s]\npath = /s\nforce directory mode = 017777\n", CONF ":3:", "an octal mode");
}

static void test_ignored_sections(void **state)
{
	struct config *c = load_ok("[homes]\nread only = maybe\n"
				   "[printers]\npath = relative\n"
				   "[IPC$]\npath = /tmp\n"
				   "[data]\npath = /data\n");

	assert_int_equal(D.n_warn, 3);
	assert_true(has_msg(false, CONF ":1:", "[homes]"));
	assert_true(has_msg(false, CONF ":3:", "[printers]"));
	assert_true(has_msg(false, CONF ":5:", "[IPC$]"));
	assert_int_equal(c->n_shares, 2);
	assert_null(config_find_share(c, "homes"));
	assert_null(config_find_share(c, "printers"));
	const struct share_conf *ipc = share(c, "ipc$");
	assert_true(ipc->is_ipc);
	assert_null(ipc->path);
	config_put(c);
}

/* ---- shares ---- */

static void test_global_share_defaults(void **state)
{
	struct config *c = load_ok("[global]\n"
				   "read only = no\n"
				   "guest ok = yes\n"
				   "valid users = @staff\n"
				   "comment = default comment\n"
				   "[a]\npath = /a\n"
				   "[b]\npath = /b\nread only = yes\nvalid users = bob\ncomment = own\n"
				   "[global]\nbrowseable = no\n");
	const struct share_conf *a = share(c, "a"), *b = share(c, "b");

	assert_false(a->read_only);
	assert_true(a->guest_ok);
	assert_list(a->valid_users, (const char *[]){ "@staff", NULL });
	assert_string_equal(a->comment, "default comment");
	assert_true(b->read_only);
	assert_true(b->guest_ok);
	assert_list(b->valid_users, (const char *[]){ "bob", NULL });
	assert_string_equal(b->comment, "own");
	/* defaults are applied once the whole file is read */
	assert_false(a->browseable);
	assert_false(b->browseable);
	/* IPC$ is not affected by share defaults */
	assert_true(share(c, "IPC$")->browseable);
	config_put(c);

	/* hide unreadable: per share, with a [global] default */
	c = load_ok("[global]\nhide unreadable = yes\n[a]\npath = /a\n[b]\npath = /b\nhide unreadable = no\n");
	assert_int_equal(D.n_warn, 0);
	assert_true(share(c, "a")->hide_unreadable);
	assert_false(share(c, "b")->hide_unreadable);
	config_put(c);

	/* a path in [global] is a default path for shares */
	c = load_ok("[global]\npath = /srv/common\n[a]\n[b]\npath = /b\n");
	assert_string_equal(share(c, "a")->path, "/srv/common");
	assert_string_equal(share(c, "b")->path, "/b");
	config_put(c);
	/* `use sendfile`: unset (-1: automatic), per share, or from [global] */
	c = load_ok("[a]\npath = /a\n[b]\npath = /b\nuse sendfile = yes\n[c]\npath = /c\nuse sendfile = no\n");
	assert_int_equal(share(c, "a")->use_sendfile, -1);
	assert_int_equal(share(c, "b")->use_sendfile, 1);
	assert_int_equal(share(c, "c")->use_sendfile, 0);
	config_put(c);
	c = load_ok("[global]\nuse sendfile = yes\n[a]\npath = /a\n[b]\npath = /b\nuse sendfile = no\n");
	assert_int_equal(share(c, "a")->use_sendfile, 1);
	assert_int_equal(share(c, "b")->use_sendfile, 0);
	config_put(c);
}

static void test_duplicate_shares(void **state)
{
	struct config *c = load_ok("[data]\npath = /a\ncomment = first\n[other]\npath = /o\n"
				   "[DATA]\npath = /b\nguest ok = yes\n");

	assert_int_equal(c->n_shares, 3);
	const struct share_conf *s = share(c, "data");
	assert_string_equal(s->name, "data");
	assert_string_equal(s->path, "/b");
	assert_string_equal(s->comment, "first");
	assert_true(s->guest_ok);
	config_put(c);
}

static void test_find_share(void **state)
{
	struct config *c = load_ok("[Data]\npath = /d\n[Public Files]\npath = /p\n");

	assert_string_equal(share(c, "data")->path, "/d");
	assert_string_equal(share(c, "DATA")->path, "/d");
	assert_string_equal(share(c, "public files")->path, "/p");
	assert_string_equal(share(c, "Data")->name, "Data");
	assert_true(share(c, "ipc$")->is_ipc);
	assert_null(config_find_share(c, "nope"));
	assert_null(config_find_share(c, "Dat"));
	assert_null(config_find_share(c, NULL));
	assert_null(config_find_share(NULL, "data"));
	config_put(c);
}

static void test_user_lists(void **state)
{
	struct config *c = load_ok("[s]\npath = /x\n"
				   "valid users = alice, bob  \"Domain Users\" @staff,+unix;carol \"\" , \n"
				   "invalid users = root \"EXAMPLE\\bad user\",@\"wheel group\"\n");
	const struct share_conf *s = share(c, "s");

	assert_list(s->valid_users, (const char *[]){ "alice", "bob", "Domain Users", "@staff", "+unix", "carol",
						      NULL });
	assert_list(s->invalid_users, (const char *[]){ "root", "EXAMPLE\\bad user", "@wheel group", NULL });
	config_put(c);

	c = load_ok("[s]\npath = /x\nvalid users =\n");
	assert_list(share(c, "s")->valid_users, (const char *[]){ NULL });
	config_put(c);
}

/* ---- errors ---- */

static void test_errors(void **state)
{
	load_fails("workgroup = x\n", CONF ":1:", "outside any section");
	load_fails("\n\n[global\nworkgroup = x\n", CONF ":3:", "missing ']'");
	load_fails("[]\n", CONF ":1:", "empty section name");
	load_fails("[global]\nworkgroup\n", CONF ":2:", "expected 'name = value'");
	load_fails("[global]\n= value\n", CONF ":2:", "missing parameter name");
	load_fails("[global]\n\n[data]\ncomment = x\n", CONF ":3:", "share [data] has no 'path'");
	load_fails("[data]\npath = srv/data\n", CONF ":2:", "must be absolute");
	load_fails("[data]\npath =\n", CONF ":2:", "'path' is empty");
	load_fails("[data]\npath = /home/%U\n", CONF ":2:", "substitutions");
	load_fails("[a/b]\npath = /x\n", CONF ":1:", "rename the share");
	load_fails("[a\\b]\npath = /x\n", CONF ":1:", "rename the share");
	char name[200];
	memset(name, 'n', 100);
	name[100] = '\0';
	char text[300];
	snprintf(text, sizeof(text), "[%s]\npath = /x\n", name);
	load_fails(text, CONF ":1:", "longer than 80");

	/* every error is reported, not just the first */
	struct config *c = load("[global]\nlog level = x\nsmb ports = 0\n[s]\nread only = maybe\n");
	assert_null(c);
	assert_int_equal(D.n_err, 4);
	assert_true(has_msg(true, CONF ":2:", "log level"));
	assert_true(has_msg(true, CONF ":3:", "smb ports"));
	assert_true(has_msg(true, CONF ":5:", "read only"));
	assert_true(has_msg(true, CONF ":4:", "no 'path'"));

	/* a parameter name longer than any known one is just unknown */
	char longname[300];
	memset(longname, 'x', 200);
	longname[200] = '\0';
	c = loadf("[global]\n%s = 1\n", longname);
	assert_non_null(c);
	assert_true(has_msg(false, CONF ":2: unknown parameter 'xxxx", NULL));
	config_put(c);

	/* without a name the messages say "(string)" */
	memset(&D, 0, sizeof(D));
	assert_null(config_load_string("x = y\n", NULL, sink, &D));
	assert_true(has_msg(true, "(string):1:", NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_share_defaults),
		cmocka_unit_test(test_booleans),
		cmocka_unit_test(test_name_spellings),
		cmocka_unit_test(test_comments_continuations),
		cmocka_unit_test(test_signing_encrypt),
		cmocka_unit_test(test_map_to_guest),
		cmocka_unit_test(test_ntlm_auth),
		cmocka_unit_test(test_case_sensitive),
		cmocka_unit_test(test_protocols),
		cmocka_unit_test(test_ports_interfaces),
		cmocka_unit_test(test_log_level),
		cmocka_unit_test(test_misc_globals),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_passdb),
		cmocka_unit_test(test_unknown_and_unsupported),
		cmocka_unit_test(test_access_lists),
		cmocka_unit_test(test_ignored_sections),
		cmocka_unit_test(test_global_share_defaults),
		cmocka_unit_test(test_duplicate_shares),
		cmocka_unit_test(test_find_share),
		cmocka_unit_test(test_user_lists),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
