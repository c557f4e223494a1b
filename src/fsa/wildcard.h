/* Windows file-name matching: FsRtlIsNameInExpression semantics as [MS-FSA]
 * 2.1.4.4 specifies them, with '*', '?' and the DOS wildcards '<' (DOS_STAR),
 * '>' (DOS_QM) and '"' (DOS_DOT). Pure: no I/O, no allocation. */
#ifndef SMB3D_FSA_WILDCARD_H
#define SMB3D_FSA_WILDCARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Matching works on UTF-16 code units, as Windows does (names and patterns
 * arrive as UTF-16LE; '?' matches one code unit). Both strings are UTF-16LE
 * byte strings with their lengths in bytes; an odd length never matches.
 *
 *   *   zero or more characters
 *   ?   exactly one character
 *   <   DOS_STAR: zero or more characters, but never the name's last '.'
 *   >   DOS_QM: one character; at a '.' or the end of the name it matches
 *       nothing (so a run of them matches up to the dot or end)
 *   "   DOS_DOT: a '.', or nothing at the end of the name
 *
 * Special cases from [MS-FSA]: an empty name matches only an empty
 * expression; an empty expression matches only an empty name; "*" and "*.*"
 * match every non-empty name.
 *
 * FSA_WILDCARD_IGNORE_CASE compares both strings after fsa_upcase().
 *
 * Cost: O(len(name) x len(expr)) worst case with no backtracking (an NFA
 * simulated over a bitset of expression positions); expressions with more
 * literal/'?' characters than the name has are refused in O(len(expr)).
 * Expressions longer than FSA_WILDCARD_MAX_EXPR code units (more than any
 * SMB2 request can carry) never match. */
#define FSA_WILDCARD_IGNORE_CASE 0x1
#define FSA_WILDCARD_MAX_EXPR 32768

bool fsa_name_in_expression(const uint8_t *expr, size_t expr_len, const uint8_t *name, size_t name_len,
			    unsigned flags);

/* Does the UTF-16LE expression contain any of * ? < > " ? */
bool fsa_wildcard_has_wild(const uint8_t *expr, size_t expr_len);

/* Simple 1:1 upper-casing of one UTF-16 code unit: ASCII, Latin-1 (with
 * U+00B5 -> U+039C and U+00FF -> U+0178), Latin Extended-A, Greek, Cyrillic,
 * Armenian and fullwidth Latin letters. No special casing: U+00DF (sharp s),
 * U+0131 (dotless i), U+017F (long s) and everything else map to themselves. */
uint16_t fsa_upcase(uint16_t c);

#endif
