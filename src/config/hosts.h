/* `hosts allow` / `hosts deny` address lists with Samba's meaning: IPv4 and
 * IPv6 addresses, CIDR prefixes (`10.0.0.0/8`, `10.0.0.0/255.0.0.0`,
 * `fd00::/8`), Samba's dotted prefixes (`192.168.1.`), `ALL`, and one
 * `EXCEPT` (`10.0.0.0/8 EXCEPT 10.9.9.9`). Host names and netgroups are not
 * accepted: resolving them would block the server, and a list smb3d cannot
 * check must not be ignored. Pure: no I/O. */
#ifndef SMB3D_CONFIG_HOSTS_H
#define SMB3D_CONFIG_HOSTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct cfg_host_rule {
	bool all;     /* ALL */
	bool except;  /* after EXCEPT: a match here cancels a match before it */
	uint8_t v6;   /* 0: IPv4 (addr[0..3]), 1: IPv6 */
	uint8_t bits; /* prefix length */
	uint8_t addr[16];
};

struct cfg_hosts {
	size_t n;
	struct cfg_host_rule rule[];
};

/* Parses a list; NULL with a reason in err (naming the entry) when an entry
 * is not one of the forms above. An empty list parses to n = 0. */
struct cfg_hosts *cfg_hosts_parse(const char *value, char *err, size_t errlen);
/* Does the list match this peer (IPv4-mapped IPv6 counts as IPv4)? */
bool cfg_hosts_match(const struct cfg_hosts *h, const struct sockaddr_storage *peer);
/* Samba's rule: no lists, everyone; a match in `allow` admits even when
 * `deny` matches too; otherwise a match in `deny`, or an `allow` list that
 * does not match, refuses. NULL or empty lists are absent. */
bool cfg_hosts_allowed(const struct cfg_hosts *allow, const struct cfg_hosts *deny,
		       const struct sockaddr_storage *peer);
/* Writes the list back in a parsable form (for check-config). */
void cfg_hosts_format(const struct cfg_hosts *h, char *out, size_t cap);

#endif
