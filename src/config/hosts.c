/* `hosts allow` / `hosts deny` (see hosts.h). */
#include "config/hosts.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A netmask in dotted form (255.255.0.0) as a prefix length, or -1. */
static int mask_bits(const char *s)
{
	struct in_addr m;
	if (inet_pton(AF_INET, s, &m) != 1)
		return -1;
	uint32_t v = ntohl(m.s_addr);
	int bits = 0;
	while (bits < 32 && (v & (0x80000000u >> bits)))
		bits++;
	if (bits < 32 && (v << bits) != 0)
		return -1; /* not contiguous */
	return bits;
}

static bool parse_entry(const char *e, struct cfg_host_rule *r)
{
	memset(r, 0, sizeof(*r));
	if (strcasecmp(e, "ALL") == 0) {
		r->all = true;
		return true;
	}
	char buf[128];
	if (strlen(e) >= sizeof(buf))
		return false;
	snprintf(buf, sizeof(buf), "%s", e);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash++ = '\0';
	size_t n = strlen(buf);
	if (!slash && n > 0 && buf[n - 1] == '.' && !strchr(buf, ':')) {
		/* Samba's "192.168.1." : the octets given */
		int octets = 0;
		for (char *p = buf; *p;) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p || *end != '.' || v < 0 || v > 255 || octets >= 3)
				return false;
			r->addr[octets++] = (uint8_t)v;
			p = end + 1;
		}
		r->bits = (uint8_t)(8 * octets);
		return true;
	}
	int max;
	if (inet_pton(AF_INET, buf, r->addr) == 1) {
		max = 32;
	} else if (inet_pton(AF_INET6, buf, r->addr) == 1) {
		r->v6 = 1;
		max = 128;
	} else {
		return false;
	}
	r->bits = (uint8_t)max;
	if (slash) {
		int bits = -1;
		if (*slash && strspn(slash, "0123456789") == strlen(slash)) {
			long v = strtol(slash, NULL, 10);
			bits = v <= max ? (int)v : -1;
		} else if (!r->v6) {
			bits = mask_bits(slash);
		}
		if (bits < 0)
			return false;
		r->bits = (uint8_t)bits;
	}
	return true;
}

struct cfg_hosts *cfg_hosts_parse(const char *value, char *err, size_t errlen)
{
	size_t cap = 1;
	for (const char *p = value; *p; p++)
		cap += *p == ',' || isspace((unsigned char)*p);
	struct cfg_hosts *h = calloc(1, sizeof(*h) + cap * sizeof(h->rule[0]));
	char *copy = strdup(value);
	if (!h || !copy) {
		free(h);
		free(copy);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	bool except = false;
	char *save = NULL;
	for (char *tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save)) {
		if (strcasecmp(tok, "EXCEPT") == 0) {
			if (except || h->n == 0) {
				snprintf(err, errlen, "EXCEPT must follow some entries, and only once");
				goto bad;
			}
			except = true;
			continue;
		}
		if (!parse_entry(tok, &h->rule[h->n])) {
			snprintf(err, errlen,
				 "'%s' is not an address, a prefix (10.0.0.0/8, 10.0.0.0/255.0.0.0, 192.168.1., "
				 "fd00::/8) or ALL; host names and netgroups are not supported",
				 tok);
			goto bad;
		}
		h->rule[h->n++].except = except;
	}
	if (except && !h->rule[h->n - 1].except) {
		snprintf(err, errlen, "EXCEPT must be followed by entries");
		goto bad;
	}
	free(copy);
	return h;
bad:
	free(copy);
	free(h);
	return NULL;
}

static bool prefix_match(const uint8_t *a, const uint8_t *p, unsigned bits)
{
	unsigned whole = bits / 8, rest = bits % 8;
	if (memcmp(a, p, whole) != 0)
		return false;
	if (!rest)
		return true;
	uint8_t m = (uint8_t)(0xFF << (8 - rest));
	return (a[whole] & m) == (p[whole] & m);
}

static bool rule_match(const struct cfg_host_rule *r, bool v6, const uint8_t *a)
{
	if (r->all)
		return true;
	return r->v6 == v6 && prefix_match(a, r->addr, r->bits);
}

bool cfg_hosts_match(const struct cfg_hosts *h, const struct sockaddr_storage *peer)
{
	if (!h || !h->n)
		return false;
	uint8_t a[16];
	bool v6;
	if (peer->ss_family == AF_INET) {
		memcpy(a, &((const struct sockaddr_in *)peer)->sin_addr, 4);
		v6 = false;
	} else if (peer->ss_family == AF_INET6) {
		const struct in6_addr *in6 = &((const struct sockaddr_in6 *)peer)->sin6_addr;
		if (IN6_IS_ADDR_V4MAPPED(in6)) {
			memcpy(a, in6->s6_addr + 12, 4);
			v6 = false;
		} else {
			memcpy(a, in6->s6_addr, 16);
			v6 = true;
		}
	} else {
		return false; /* not an IP peer (vsock, ...): matches nothing */
	}
	bool hit = false;
	for (size_t i = 0; i < h->n; i++) {
		if (!rule_match(&h->rule[i], v6, a))
			continue;
		if (h->rule[i].except)
			return false;
		hit = true;
	}
	return hit;
}

bool cfg_hosts_allowed(const struct cfg_hosts *allow, const struct cfg_hosts *deny,
		       const struct sockaddr_storage *peer)
{
	bool has_allow = allow && allow->n, has_deny = deny && deny->n;
	if (!has_allow && !has_deny)
		return true;
	if (has_allow && cfg_hosts_match(allow, peer))
		return true;
	if (has_deny && cfg_hosts_match(deny, peer))
		return false;
	return !has_allow;
}

void cfg_hosts_format(const struct cfg_hosts *h, char *out, size_t cap)
{
	size_t n = 0;
	out[0] = '\0';
	bool except = false;
	for (size_t i = 0; h && i < h->n && n < cap; i++) {
		const struct cfg_host_rule *r = &h->rule[i];
		char a[INET6_ADDRSTRLEN] = "ALL";
		if (r->except && !except) {
			n += (size_t)snprintf(out + n, cap - n, "%sEXCEPT", n ? " " : "");
			except = true;
		}
		if (n >= cap)
			break;
		if (!r->all)
			inet_ntop(r->v6 ? AF_INET6 : AF_INET, r->addr, a, sizeof(a));
		if (r->all)
			n += (size_t)snprintf(out + n, cap - n, "%sALL", n ? " " : "");
		else
			n += (size_t)snprintf(out + n, cap - n, "%s%s/%u", n ? " " : "", a, r->bits);
	}
	if (n >= cap && cap)
		out[cap - 1] = '\0';
}
