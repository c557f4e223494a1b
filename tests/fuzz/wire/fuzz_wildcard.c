/* libFuzzer target for fsa/wildcard: the input splits into an expression and
 * a name (UTF-16LE); the automaton must agree with a plain recursive
 * definition of the same rules whenever the inputs are small enough for it,
 * and finish quickly on anything else. */
#include "fsa/wildcard.h"

#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uint16_t at(const uint8_t *s, size_t i)
{
	return (uint16_t)(s[2 * i] | s[2 * i + 1] << 8);
}

static bool ref(const uint8_t *e, size_t m, size_t p, const uint8_t *n, size_t len, size_t k, size_t last_dot,
		bool ic)
{
	if (p == m)
		return k == len;
	uint16_t t = at(e, p);
	bool end = k == len;
	uint16_t c = end ? 0 : at(n, k);
	switch (t) {
	case '*':
		return ref(e, m, p + 1, n, len, k, last_dot, ic) || (!end && ref(e, m, p, n, len, k + 1, last_dot, ic));
	case '<':
		return ref(e, m, p + 1, n, len, k, last_dot, ic) ||
		       (!end && !(c == '.' && k == last_dot) && ref(e, m, p, n, len, k + 1, last_dot, ic));
	case '?':
		return !end && ref(e, m, p + 1, n, len, k + 1, last_dot, ic);
	case '>':
		if (end || c == '.')
			return ref(e, m, p + 1, n, len, k, last_dot, ic);
		return ref(e, m, p + 1, n, len, k + 1, last_dot, ic);
	case '"':
		if (end)
			return ref(e, m, p + 1, n, len, k, last_dot, ic);
		return c == '.' && ref(e, m, p + 1, n, len, k + 1, last_dot, ic);
	default:
		if (end)
			return false;
		if (ic ? fsa_upcase(t) != fsa_upcase(c) : t != c)
			return false;
		return ref(e, m, p + 1, n, len, k + 1, last_dot, ic);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	size_t split = data[0];
	data++;
	size--;
	if (split > size)
		split = size;
	const uint8_t *expr = data, *name = data + split;
	size_t el = split, nl = size - split;
	bool ic = split & 1;
	bool got = fsa_name_in_expression(expr, el, name, nl, ic ? FSA_WILDCARD_IGNORE_CASE : 0);
	(void)fsa_wildcard_has_wild(expr, el);
	if ((el | nl) & 1 || el / 2 > 10 || nl / 2 > 10)
		return 0;
	size_t m = el / 2, n = nl / 2;
	bool want;
	if (n == 0 || m == 0) {
		want = n == 0 && m == 0;
	} else if ((m == 1 && at(expr, 0) == '*') ||
		   (m == 3 && at(expr, 0) == '*' && at(expr, 1) == '.' && at(expr, 2) == '*')) {
		want = true;
	} else {
		size_t last_dot = (size_t)-1;
		for (size_t k = 0; k < n; k++)
			if (at(name, k) == '.')
				last_dot = k;
		want = ref(expr, m, 0, name, n, 0, last_dot, ic);
	}
	if (got != want)
		abort();
	return 0;
}
