/* Name matching (fsa/wildcard.h): a table of cases following the
 * FsRtlIsNameInExpression documentation and [MS-FSA] 2.1.4.4, the
 * expressions Windows' FindFirstFile sends for `dir` patterns, case folding,
 * and timing checks that adversarial patterns cannot backtrack. */
#include "wire_test.h"

#include "fsa/wildcard.h"

#include <stdlib.h>
#include <time.h>

/* UTF-8 -> UTF-16LE for BMP text (the table holds Latin-1/Greek/Cyrillic). */
static size_t to16(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		uint32_t c;
		if (*p < 0x80) {
			c = *p++;
		} else if ((*p & 0xE0) == 0xC0) {
			c = (uint32_t)(p[0] & 0x1F) << 6 | (p[1] & 0x3F);
			p += 2;
		} else {
			c = (uint32_t)(p[0] & 0x0F) << 12 | (uint32_t)(p[1] & 0x3F) << 6 | (p[2] & 0x3F);
			p += 3;
		}
		assert_true(n + 2 <= cap);
		out[n++] = (uint8_t)c;
		out[n++] = (uint8_t)(c >> 8);
	}
	return n;
}

static bool match(const char *expr, const char *name, unsigned flags)
{
	uint8_t e[512], n[512];
	size_t el = to16(expr, e, sizeof(e)), nl = to16(name, n, sizeof(n));
	return fsa_name_in_expression(e, el, n, nl, flags);
}

#define CS 0
#define CI FSA_WILDCARD_IGNORE_CASE

static const struct {
	const char *expr, *name;
	unsigned flags;
	bool want;
} cases[] = {
	/* [MS-FSA] 2.1.4.4 part 1 */
	{ "", "", CS, true },
	{ "", "a", CS, false },
	{ "*", "", CS, false },
	{ "a", "", CS, false },
	{ "*", "anything.at.all", CS, true },
	{ "*.*", "noext", CS, true }, /* "*.*" matches every name, dots or not */
	{ "*.*", "a.b", CS, true },
	{ "*.*", ".hidden", CS, true },
	/* literals */
	{ "abc", "abc", CS, true },
	{ "abc", "abd", CS, false },
	{ "abc", "ab", CS, false },
	{ "ab", "abc", CS, false },
	{ "Foo.TXT", "foo.txt", CS, false },
	{ "Foo.TXT", "foo.txt", CI, true },
	/* '*' and '?' */
	{ "*.txt", "a.txt", CS, true },
	{ "*.txt", "a.b.txt", CS, true },
	{ "*.txt", ".txt", CS, true },
	{ "*.txt", "a.txt.bak", CS, false },
	{ "*.txt", "txt", CS, false },
	{ "*.TXT", "a.txt", CI, true },
	{ "*.TXT", "a.txt", CS, false },
	{ "a*", "a", CS, true },
	{ "a*", "A", CI, true },
	{ "*b", "a.b", CS, true },
	{ "*a*b*", "xxaxxbxx", CS, true },
	{ "*a*b*", "xxbxxaxx", CS, false },
	{ "a?c", "abc", CS, true },
	{ "a?c", "ac", CS, false },
	{ "a?c", "a.c", CS, true },
	{ "?", "a", CS, true },
	{ "?", "ab", CS, false },
	{ "??", "a", CS, false },
	{ "*.", "abc.", CS, true }, /* a literal '.' at the end */
	{ "*.", "abc", CS, false },
	{ "*?", "", CS, false },
	{ "*?", "x", CS, true },
	/* DOS_STAR '<': anything but the name's last dot */
	{ "<", "abc", CS, true },
	{ "<", "abc.txt", CS, false }, /* dir *. (no extension): "<" */
	{ "<", "a.b", CS, false },
	{ "<.txt", "a.txt", CS, true },
	{ "<.txt", "a.b.txt", CS, true }, /* the inner dot is not the last one */
	{ "<.txt", "atxt", CS, false },
	{ "<.<", "a.b.c", CS, true },
	{ "<.b", "a.b.b", CS, true },
	{ "<b", "a.b", CS, false }, /* cannot swallow the final dot */
	{ "<b", "ab", CS, true },
	{ "<\"*", "name.ext", CS, true },
	/* DOS_QM '>': one character, nothing at a dot or the end */
	{ ">", "a", CS, true },
	{ ">", "", CS, false },
	{ ">", "ab", CS, false },
	{ ">", ".", CS, false },
	{ "a>", "a", CS, true },
	{ "a>>>", "ab", CS, true },
	{ "a>>>", "abcde", CS, false },
	/* dir foo?.* -> foo>"* */
	{ "foo>\"*", "foo", CS, true },
	{ "foo>\"*", "foo.txt", CS, true },
	{ "foo>\"*", "foo1.txt", CS, true },
	{ "foo>\"*", "foo12.txt", CS, false },
	{ "foo>\"*", "fo.txt", CS, false },
	/* dir ????????.??? -> >>>>>>>>">>> */
	{ ">>>>>>>>\">>>", "abc.txt", CS, true },
	{ ">>>>>>>>\">>>", "abc", CS, true },
	{ ">>>>>>>>\">>>", "abcdefgh.txt", CS, true },
	{ ">>>>>>>>\">>>", "abcdefghi.txt", CS, false },
	{ ">>>>>>>>\">>>", "abc.txtx", CS, false },
	{ ">>.txt", "a.txt", CS, true }, /* ??.txt */
	{ ">>.txt", "abc.txt", CS, false },
	/* foo?.> : '?' is strict, '>' may be empty at the end */
	{ "foo?.>", "foo1.c", CS, true },
	{ "foo?.>", "foo1.", CS, true },
	{ "foo?.>", "foo1.cc", CS, false },
	{ "foo?.>", "foo.c", CS, false },
	/* DOS_DOT '"': a dot, or nothing at the end */
	{ "\"", "a", CS, false },
	{ "\"", ".", CS, true },
	{ "a\"", "a", CS, true },
	{ "a\"", "a.", CS, true },
	{ "a\"", "ab", CS, false },
	{ "a\"b", "a.b", CS, true },
	{ "a\"b", "ab", CS, false },
	{ "*\"*", "x", CS, true },
	/* case folding beyond ASCII */
	{ "ÉCOLE", "école", CI, true },
	{ "ÉCOLE", "école", CS, false },
	{ "straße", "STRASSE", CI, false }, /* no special casing */
	{ "ΣΟΦΙΑ*", "σοφια.txt", CI, true },
	{ "*Σ", "λογος", CI, true }, /* final sigma folds to capital sigma */
	{ "ДОМ.*", "дом.txt", CI, true },
	{ "ŁÓDŹ", "łódź", CI, true },
	{ "ÿ", "Ÿ", CI, true },
	{ "µ", "Μ", CI, true },
	{ "x?y", "xéy", CS, true },
	/* wildcard characters in names are plain characters */
	{ "a?b", "a*b", CS, true },
	{ "a\\*b", "a\\xb", CS, true },
};

static void test_table(void **state)
{
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got = match(cases[i].expr, cases[i].name, cases[i].flags);
		if (got != cases[i].want)
			fail_msg("case %zu: expr \"%s\" name \"%s\" %s: got %d, want %d", i, cases[i].expr,
				 cases[i].name, cases[i].flags ? "CI" : "CS", got, cases[i].want);
	}
}

static void test_odd_lengths(void **state)
{
	uint8_t e[4] = { '*', 0 }, n[4] = { 'a', 0 };
	assert_true(fsa_name_in_expression(e, 2, n, 2, 0));
	assert_false(fsa_name_in_expression(e, 3, n, 2, 0));
	assert_false(fsa_name_in_expression(e, 2, n, 3, 0));
	assert_true(fsa_wildcard_has_wild(e, 2));
	assert_false(fsa_wildcard_has_wild(n, 2));
	uint8_t q[2] = { '"', 0 };
	assert_true(fsa_wildcard_has_wild(q, 2));
	assert_int_equal(fsa_upcase('a'), 'A');
	assert_int_equal(fsa_upcase('['), '[');
	assert_int_equal(fsa_upcase(0xF7), 0xF7); /* division sign */
	assert_int_equal(fsa_upcase(0xDF), 0xDF); /* sharp s */
	assert_int_equal(fsa_upcase(0x101), 0x100);
	assert_int_equal(fsa_upcase(0x13A), 0x139);
	assert_int_equal(fsa_upcase(0x131), 0x131);
	assert_int_equal(fsa_upcase(0x450), 0x400);
	assert_int_equal(fsa_upcase(0xFF41), 0xFF21);
}

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A backtracking matcher needs exponential time on these; ours must not. */
static void test_no_backtracking(void **state)
{
	enum { NAME = 20000 };
	uint8_t *name = malloc(NAME * 2), expr[256];
	for (size_t i = 0; i < NAME; i++) {
		name[2 * i] = 'a';
		name[2 * i + 1] = 0;
	}
	double t0 = now();
	size_t el = to16("*a*a*a*a*a*a*a*a*a*a*a*a*b", expr, sizeof(expr));
	assert_false(fsa_name_in_expression(expr, el, name, NAME * 2, 0));
	el = to16("<a<a<a<a<a<a<a<a<a<a<a<a<b", expr, sizeof(expr));
	assert_false(fsa_name_in_expression(expr, el, name, NAME * 2, 0));
	el = to16("*a*a*a*a*a*a*a*a*a*a*a*a*a", expr, sizeof(expr));
	assert_true(fsa_name_in_expression(expr, el, name, NAME * 2, CI));
	el = to16("*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*b", expr, sizeof(expr));
	assert_false(fsa_name_in_expression(expr, el, name, NAME * 2, 0));

	/* the longest expression an SMB2 request can carry, against a 255-char name */
	size_t big = FSA_WILDCARD_MAX_EXPR - 1;
	uint8_t *e = malloc(big * 2);
	for (size_t i = 0; i < big; i++) {
		e[2 * i] = (i % 2) ? '>' : '*';
		e[2 * i + 1] = 0;
	}
	/* "*>*>...*": every '>' left over once the name ends matches nothing */
	assert_true(fsa_name_in_expression(e, big * 2, name, 255 * 2, 0));
	/* "*>*>...>b": the 16383 '>' must each take a character before 'b' */
	e[2 * (big - 1)] = 'b';
	name[2 * 254] = 'b';
	assert_false(fsa_name_in_expression(e, big * 2, name, 255 * 2, 0));
	for (size_t i = 0; i < big; i++)
		e[2 * i] = 'a'; /* more literals than the name has: refused at once */
	assert_false(fsa_name_in_expression(e, big * 2, name, 255 * 2, 0));
	free(e);
	/* past FSA_WILDCARD_MAX_EXPR nothing matches, not even all stars */
	e = malloc((FSA_WILDCARD_MAX_EXPR + 1) * 2);
	for (size_t i = 0; i <= FSA_WILDCARD_MAX_EXPR; i++) {
		e[2 * i] = '*';
		e[2 * i + 1] = 0;
	}
	assert_true(fsa_name_in_expression(e, FSA_WILDCARD_MAX_EXPR * 2, name, 2, 0));
	assert_false(fsa_name_in_expression(e, (FSA_WILDCARD_MAX_EXPR + 1) * 2, name, 2, 0));
	free(e);
	double dt = now() - t0;
	free(name);
	if (dt > 2.0)
		fail_msg("matching took %.2f s", dt);
}

/* The same rules written as a plain recursive definition (exponential, fine
 * for tiny inputs): the automaton must agree with it everywhere. */
static bool ref_match(const uint16_t *e, size_t m, size_t p, const uint16_t *n, size_t len, size_t k, size_t last_dot)
{
	if (p == m)
		return k == len;
	uint16_t t = e[p];
	bool end = k == len;
	switch (t) {
	case '*':
		return ref_match(e, m, p + 1, n, len, k, last_dot) ||
		       (!end && ref_match(e, m, p, n, len, k + 1, last_dot));
	case '<':
		return ref_match(e, m, p + 1, n, len, k, last_dot) ||
		       (!end && !(n[k] == '.' && k == last_dot) && ref_match(e, m, p, n, len, k + 1, last_dot));
	case '?':
		return !end && ref_match(e, m, p + 1, n, len, k + 1, last_dot);
	case '>':
		if (end || n[k] == '.')
			return ref_match(e, m, p + 1, n, len, k, last_dot);
		return ref_match(e, m, p + 1, n, len, k + 1, last_dot);
	case '"':
		if (end)
			return ref_match(e, m, p + 1, n, len, k, last_dot);
		return n[k] == '.' && ref_match(e, m, p + 1, n, len, k + 1, last_dot);
	default:
		return !end && n[k] == t && ref_match(e, m, p + 1, n, len, k + 1, last_dot);
	}
}

static void test_differential(void **state)
{
	static const char pat_chars[] = "ab.*?<>\"";
	static const char name_chars[] = "ab.";
	uint32_t seed = 12345;
	for (int iter = 0; iter < 300000; iter++) {
		uint16_t e[10], n[10];
		uint8_t eb[20], nb[20];
		seed = seed * 1103515245 + 12345;
		size_t m = (seed >> 16) % 9, len = 1 + (seed >> 8) % 8;
		for (size_t i = 0; i < m; i++) {
			seed = seed * 1103515245 + 12345;
			e[i] = (uint16_t)pat_chars[(seed >> 16) % 8];
		}
		size_t last_dot = SIZE_MAX;
		for (size_t k = 0; k < len; k++) {
			seed = seed * 1103515245 + 12345;
			n[k] = (uint16_t)name_chars[(seed >> 16) % 3];
			if (n[k] == '.')
				last_dot = k;
		}
		for (size_t i = 0; i < m; i++)
			wr_le16_at(eb + 2 * i, e[i]);
		for (size_t k = 0; k < len; k++)
			wr_le16_at(nb + 2 * k, n[k]);
		bool want = ref_match(e, m, 0, n, len, 0, last_dot);
		/* [MS-FSA] part 1 special cases */
		if (m == 0 || (m == 1 && e[0] == '*') || (m == 3 && e[0] == '*' && e[1] == '.' && e[2] == '*'))
			want = m != 0;
		bool got = fsa_name_in_expression(eb, m * 2, nb, len * 2, 0);
		if (got != want) {
			char es[10] = { 0 }, ns[10] = { 0 };
			for (size_t i = 0; i < m; i++)
				es[i] = (char)e[i];
			for (size_t k = 0; k < len; k++)
				ns[k] = (char)n[k];
			fail_msg("expr \"%s\" name \"%s\": got %d, want %d", es, ns, got, want);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_odd_lengths),
		cmocka_unit_test(test_no_backtracking),
		cmocka_unit_test(test_differential),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
