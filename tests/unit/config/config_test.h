/* Shared helpers for the config unit tests: a diagnostics sink that records
 * every message, and load/assert shortcuts. Each test program includes this
 * once (static functions, one copy per executable). */
#ifndef SMB3D_TEST_CONFIG_HELPERS_H
#define SMB3D_TEST_CONFIG_HELPERS_H

#include "config/config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CONF "/etc/smb3d/smb.conf"
#define MAX_LINES 256

struct diags {
	char line[MAX_LINES][600];
	bool err[MAX_LINES];
	int n, n_err, n_warn;
};

static struct diags D;

static __attribute__((unused)) void sink(void *ctx, bool is_error, const char *line)
{
	struct diags *d = ctx;

	if (d->n < MAX_LINES) {
		snprintf(d->line[d->n], sizeof(d->line[0]), "%s", line);
		d->err[d->n] = is_error;
	}
	d->n++;
	if (is_error)
		d->n_err++;
	else
		d->n_warn++;
}

/* Whether a message of that kind contains every given fragment. */
static __attribute__((unused)) bool has_msg(bool is_error, const char *a, const char *b)
{
	for (int i = 0; i < D.n && i < MAX_LINES; i++)
		if (D.err[i] == is_error && strstr(D.line[i], a) && (!b || strstr(D.line[i], b)))
			return true;
	return false;
}

static __attribute__((unused)) void dump_diags(void)
{
	for (int i = 0; i < D.n && i < MAX_LINES; i++)
		print_message("  %s: %s\n", D.err[i] ? "error" : "warning", D.line[i]);
}

static __attribute__((unused)) struct config *load(const char *text)
{
	memset(&D, 0, sizeof(D));
	return config_load_string(text, CONF, sink, &D);
}

static __attribute__((unused)) struct config *loadf(const char *fmt, ...)
{
	char buf[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return load(buf);
}

static __attribute__((unused)) struct config *load_ok(const char *text)
{
	struct config *c = load(text);
	if (!c)
		dump_diags();
	assert_non_null(c);
	assert_int_equal(D.n_err, 0);
	return c;
}

static __attribute__((unused)) void load_fails(const char *text, const char *line_tag, const char *fragment)
{
	struct config *c = load(text);
	if (c || !has_msg(true, line_tag, fragment)) {
		print_message("input:\n%s\nexpected error with '%s' and '%s'\n", text, line_tag,
			      fragment ? fragment : "");
		dump_diags();
	}
	assert_null(c);
	assert_true(has_msg(true, line_tag, fragment));
}

static __attribute__((unused)) const struct share_conf *share(const struct config *c, const char *name)
{
	const struct share_conf *s = config_find_share(c, name);
	assert_non_null(s);
	return s;
}

static __attribute__((unused)) void assert_list(char *const *v, const char *const *want)
{
	size_t i = 0;

	assert_non_null(v);
	for (; want[i]; i++) {
		assert_non_null(v[i]);
		assert_string_equal(v[i], want[i]);
	}
	assert_null(v[i]);
}

#endif
