/* `hosts allow` / `hosts deny` lists (config/hosts.c): the forms Samba
 * admins write, what they match, Samba's allow-over-deny rule, IPv4-mapped
 * IPv6 peers, and refusal of forms that cannot be checked (host names). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cmocka.h>

#include "config/hosts.h"

static struct sockaddr_storage peer(const char *a)
{
	struct sockaddr_storage ss;
	memset(&ss, 0, sizeof(ss));
	if (strchr(a, ':')) {
		struct sockaddr_in6 *in = (struct sockaddr_in6 *)&ss;
		in->sin6_family = AF_INET6;
		assert_int_equal(inet_pton(AF_INET6, a, &in->sin6_addr), 1);
	} else {
		struct sockaddr_in *in = (struct sockaddr_in *)&ss;
		in->sin_family = AF_INET;
		assert_int_equal(inet_pton(AF_INET, a, &in->sin_addr), 1);
	}
	return ss;
}

static struct cfg_hosts *parse(const char *v)
{
	char err[256];
	struct cfg_hosts *h = cfg_hosts_parse(v, err, sizeof(err));
	if (!h)
		print_message("%s: %s\n", v, err);
	assert_non_null(h);
	return h;
}

static bool match(const struct cfg_hosts *h, const char *a)
{
	struct sockaddr_storage p = peer(a);
	return cfg_hosts_match(h, &p);
}

static void test_forms(void **state)
{
	(void)state;
	struct cfg_hosts *h = parse("10.0.0.0/8, 192.168.1. 172.16.0.0/255.240.0.0\t2001:db8::/32 127.0.0.1");
	assert_int_equal(h->n, 5);
	assert_true(match(h, "10.200.3.4"));
	assert_false(match(h, "11.0.0.1"));
	assert_true(match(h, "192.168.1.77"));
	assert_false(match(h, "192.168.10.1"));
	assert_true(match(h, "172.31.255.255"));
	assert_false(match(h, "172.32.0.1"));
	assert_true(match(h, "2001:db8:ffff::1"));
	assert_false(match(h, "2001:db9::1"));
	assert_true(match(h, "127.0.0.1"));
	assert_false(match(h, "127.0.0.2"));
	assert_true(match(h, "::ffff:10.1.2.3")); /* an IPv4 client on an IPv6 socket */
	char out[256];
	cfg_hosts_format(h, out, sizeof(out));
	assert_string_equal(out, "10.0.0.0/8 192.168.1.0/24 172.16.0.0/12 2001:db8::/32 127.0.0.1/32");
	free(h);
	h = parse("ALL EXCEPT 10.9.9.9 10.8.0.0/16");
	assert_true(match(h, "1.2.3.4"));
	assert_true(match(h, "::1"));
	assert_false(match(h, "10.9.9.9"));
	assert_false(match(h, "10.8.1.1"));
	free(h);
	h = parse("");
	assert_int_equal(h->n, 0);
	assert_false(match(h, "1.2.3.4"));
	free(h);
}

static void test_refused(void **state)
{
	(void)state;
	static const char *const bad[] = {
		"fileserver.example.com", "@netgroup", ".example.com", "10.0.0.0/33", "10.0.0.0/255.0.255.0",
		"1.2.3.4.", "EXCEPT 1.2.3.4", "1.2.3.4 EXCEPT", "1.0.0.0/8 EXCEPT 1.2.3.4 EXCEPT 1.2.3.5", "LOCAL",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		char err[256] = "";
		struct cfg_hosts *h = cfg_hosts_parse(bad[i], err, sizeof(err));
		if (h)
			print_message("accepted: %s\n", bad[i]);
		assert_null(h);
		assert_true(err[0] != '\0');
	}
}

static void test_allow_deny(void **state)
{
	(void)state;
	struct sockaddr_storage in = peer("10.1.1.1"), out = peer("192.0.2.1"), lo = peer("127.0.0.1");
	struct cfg_hosts *allow = parse("10.0.0.0/8"), *deny = parse("ALL"), *deny_one = parse("10.1.1.1");
	assert_true(cfg_hosts_allowed(NULL, NULL, &out));
	/* allow alone: only what it lists */
	assert_true(cfg_hosts_allowed(allow, NULL, &in));
	assert_false(cfg_hosts_allowed(allow, NULL, &out));
	/* deny alone: all but what it lists */
	assert_false(cfg_hosts_allowed(NULL, deny_one, &in));
	assert_true(cfg_hosts_allowed(NULL, deny_one, &out));
	/* both: a match in allow wins over deny */
	assert_true(cfg_hosts_allowed(allow, deny, &in));
	assert_false(cfg_hosts_allowed(allow, deny, &lo));
	assert_true(cfg_hosts_allowed(allow, deny_one, &in));
	free(allow);
	free(deny);
	free(deny_one);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forms),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_allow_deny),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
