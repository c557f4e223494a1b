/* Windows file-name matching ([MS-FSA] 2.1.4.4, FsRtlIsNameInExpression):
 * a nondeterministic automaton over expression positions, simulated one name
 * character at a time on a bitset, so no pattern can cause backtracking.
 * Pure: no I/O, no allocation. */
#include "fsa/wildcard.h"

#include <string.h>

#define DOS_STAR '<'
#define DOS_QM '>'
#define DOS_DOT '"'
#define WORDS ((FSA_WILDCARD_MAX_EXPR + 1 + 63) / 64)

static inline uint16_t unit_at(const uint8_t *s, size_t i)
{
	return (uint16_t)(s[2 * i] | s[2 * i + 1] << 8);
}

static inline bool is_wild(uint16_t c)
{
	return c == '*' || c == '?' || c == DOS_STAR || c == DOS_QM || c == DOS_DOT;
}

static inline bool bit(const uint64_t *b, size_t i)
{
	return (b[i >> 6] >> (i & 63)) & 1;
}

static inline void set_bit(uint64_t *b, size_t i)
{
	b[i >> 6] |= (uint64_t)1 << (i & 63);
}

uint16_t fsa_upcase(uint16_t c)
{
	if (c < 0x80)
		return (c >= 'a' && c <= 'z') ? (uint16_t)(c - 0x20) : c;
	if (c < 0x100) {
		if (c == 0xB5)
			return 0x039C;
		if (c == 0xFF)
			return 0x0178;
		if (c >= 0xE0 && c != 0xF7)
			return (uint16_t)(c - 0x20);
		return c;
	}
	if (c <= 0x17F) { /* Latin Extended-A: upper/lower pairs */
		if (c <= 0x12F || (c >= 0x132 && c <= 0x137) || (c >= 0x14A && c <= 0x177))
			return (uint16_t)(c & ~1u);
		if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E))
			return (c & 1) ? c : (uint16_t)(c - 1);
		return c;
	}
	if (c >= 0x3AC && c <= 0x3CE) { /* Greek */
		if (c == 0x3AC)
			return 0x386;
		if (c <= 0x3AF)
			return (uint16_t)(c - 0x25);
		if (c == 0x3C2) /* final sigma */
			return 0x3A3;
		if (c >= 0x3B1 && c <= 0x3CB)
			return (uint16_t)(c - 0x20);
		if (c == 0x3CC)
			return 0x38C;
		if (c >= 0x3CD)
			return (uint16_t)(c - 0x3F);
		return c;
	}
	if (c >= 0x430 && c <= 0x52F) { /* Cyrillic */
		if (c <= 0x44F)
			return (uint16_t)(c - 0x20);
		if (c <= 0x45F)
			return (uint16_t)(c - 0x50);
		if ((c >= 0x460 && c <= 0x481) || (c >= 0x48A && c <= 0x4BF) || c >= 0x4D0)
			return (uint16_t)(c & ~1u);
		if (c >= 0x4C1 && c <= 0x4CE)
			return (c & 1) ? c : (uint16_t)(c - 1);
		if (c == 0x4CF)
			return 0x4C0;
		return c;
	}
	if (c >= 0x561 && c <= 0x586) /* Armenian */
		return (uint16_t)(c - 0x30);
	if (c >= 0xFF41 && c <= 0xFF5A) /* fullwidth Latin */
		return (uint16_t)(c - 0x20);
	return c;
}

bool fsa_wildcard_has_wild(const uint8_t *expr, size_t expr_len)
{
	for (size_t i = 0; i < expr_len / 2; i++)
		if (is_wild(unit_at(expr, i)))
			return true;
	return false;
}

/* "*" or "*.*": matches every non-empty name ([MS-FSA] 2.1.4.4 part 1). */
static bool matches_all(const uint8_t *expr, size_t m)
{
	if (m == 1)
		return unit_at(expr, 0) == '*';
	return m == 3 && unit_at(expr, 0) == '*' && unit_at(expr, 1) == '.' && unit_at(expr, 2) == '*';
}

bool fsa_name_in_expression(const uint8_t *expr, size_t expr_len, const uint8_t *name, size_t name_len,
			    unsigned flags)
{
	bool ic = flags & FSA_WILDCARD_IGNORE_CASE;
	size_t m = expr_len / 2, n = name_len / 2;

	if ((expr_len | name_len) & 1)
		return false;
	if (n == 0 || m == 0)
		return n == 0 && m == 0;
	if (matches_all(expr, m))
		return true;
	if (m > FSA_WILDCARD_MAX_EXPR)
		return false;

	/* Every literal and '?' consumes exactly one name character. */
	size_t mandatory = 0;
	for (size_t p = 0; p < m; p++) {
		uint16_t t = unit_at(expr, p);
		if (t == '?' || !is_wild(t))
			mandatory++;
	}
	if (mandatory > n)
		return false;

	size_t last_dot = SIZE_MAX;
	for (size_t k = 0; k < n; k++)
		if (unit_at(name, k) == '.')
			last_dot = k;

	/* States are expression positions 0..m (m: accept). The active ones lie
	 * in [lo, hi]; both only move forward. */
	uint64_t set_a[WORDS], set_b[WORDS];
	uint64_t *cur = set_a, *nxt = set_b;
	size_t words = (m + 1 + 63) / 64;
	memset(set_a, 0, words * sizeof(uint64_t));
	memset(set_b, 0, words * sizeof(uint64_t));
	set_bit(cur, 0);
	size_t lo = 0, hi = 0;

	for (size_t k = 0;; k++) {
		bool end = k == n;
		uint16_t c = end ? 0 : unit_at(name, k);
		if (ic)
			c = fsa_upcase(c);

		/* Moves that consume nothing, in one ascending pass. */
		for (size_t p = lo; p <= hi && p < m; p++) {
			if (!bit(cur, p))
				continue;
			uint16_t t = unit_at(expr, p);
			if (t == '*' || t == DOS_STAR || (t == DOS_QM && (end || c == '.')) || (t == DOS_DOT && end)) {
				set_bit(cur, p + 1);
				if (p + 1 > hi)
					hi = p + 1;
			}
		}
		if (end)
			return bit(cur, m);

		/* Moves that consume c. */
		for (size_t i = lo >> 6; i <= (hi + 1) >> 6 && i < words; i++)
			nxt[i] = 0;
		size_t nlo = SIZE_MAX, nhi = 0;
		for (size_t p = lo; p <= hi && p < m; p++) {
			if (!bit(cur, p))
				continue;
			uint16_t t = unit_at(expr, p);
			size_t q = SIZE_MAX;
			switch (t) {
			case '*':
				q = p;
				break;
			case DOS_STAR: /* anything but the name's last dot */
				if (c != '.' || k != last_dot)
					q = p;
				break;
			case '?':
				q = p + 1;
				break;
			case DOS_QM:
				if (c != '.')
					q = p + 1;
				break;
			case DOS_DOT:
				if (c == '.')
					q = p + 1;
				break;
			default:
				if ((ic ? fsa_upcase(t) : t) == c)
					q = p + 1;
				break;
			}
			if (q == SIZE_MAX)
				continue;
			set_bit(nxt, q);
			if (q < nlo)
				nlo = q;
			if (q > nhi)
				nhi = q;
		}
		if (nlo == SIZE_MAX)
			return false;
		uint64_t *t = cur;
		cur = nxt;
		nxt = t;
		lo = nlo;
		hi = nhi;
	}
}
