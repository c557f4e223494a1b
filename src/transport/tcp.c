/* TCP listeners and accept (see tcp.h). */
#include "transport/tcp.h"

#include <arpa/inet.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "config/config.h"

struct addr_list {
	struct sockaddr_storage *a;
	size_t n, cap;
};

static bool same_addr(const struct sockaddr_storage *x, const struct sockaddr_storage *y)
{
	if (x->ss_family != y->ss_family)
		return false;
	if (x->ss_family == AF_INET)
		return ((const struct sockaddr_in *)x)->sin_addr.s_addr == ((const struct sockaddr_in *)y)->sin_addr.s_addr;
	return memcmp(&((const struct sockaddr_in6 *)x)->sin6_addr, &((const struct sockaddr_in6 *)y)->sin6_addr, 16) ==
	       0;
}

static bool add_addr(struct addr_list *l, const struct sockaddr *sa)
{
	struct sockaddr_storage ss = { 0 };
	if (sa->sa_family == AF_INET)
		memcpy(&ss, sa, sizeof(struct sockaddr_in));
	else if (sa->sa_family == AF_INET6)
		memcpy(&ss, sa, sizeof(struct sockaddr_in6));
	else
		return true;
	if (ss.ss_family == AF_INET6) {
		struct sockaddr_in6 *a6 = (struct sockaddr_in6 *)&ss;
		/* link-local addresses need a scope; keep it from the interface */
		if (!IN6_IS_ADDR_LINKLOCAL(&a6->sin6_addr))
			a6->sin6_scope_id = 0;
	}
	for (size_t i = 0; i < l->n; i++)
		if (same_addr(&l->a[i], &ss))
			return true;
	if (l->n == l->cap) {
		size_t nc = l->cap ? l->cap * 2 : 8;
		struct sockaddr_storage *na = realloc(l->a, nc * sizeof(*na));
		if (!na)
			return false;
		l->a = na;
		l->cap = nc;
	}
	l->a[l->n++] = ss;
	return true;
}

static bool in_subnet(const struct sockaddr *sa, int family, const uint8_t *net, int prefix)
{
	if (sa->sa_family != family)
		return false;
	const uint8_t *a = family == AF_INET ? (const uint8_t *)&((const struct sockaddr_in *)sa)->sin_addr
					     : (const uint8_t *)&((const struct sockaddr_in6 *)sa)->sin6_addr;
	for (int bit = 0; bit < prefix; bit++) {
		int byte = bit / 8, shift = 7 - bit % 8;
		if (((a[byte] >> shift) & 1) != ((net[byte] >> shift) & 1))
			return false;
	}
	return true;
}

/* Resolves one `interfaces` entry. Returns false with a message in err. */
static bool resolve_iface(const char *spec, struct ifaddrs *ifs, struct addr_list *out, char *err, size_t errlen)
{
	char buf[256];
	snprintf(buf, sizeof(buf), "%s", spec);
	char *slash = strchr(buf, '/');
	if (slash)
		*slash = 0;
	struct in_addr a4;
	struct in6_addr a6;
	int family = 0;
	if (inet_pton(AF_INET, buf, &a4) == 1)
		family = AF_INET;
	else if (inet_pton(AF_INET6, buf, &a6) == 1)
		family = AF_INET6;
	if (family && !slash) {
		struct sockaddr_storage ss = { 0 };
		if (family == AF_INET) {
			((struct sockaddr_in *)&ss)->sin_family = AF_INET;
			((struct sockaddr_in *)&ss)->sin_addr = a4;
		} else {
			((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
			((struct sockaddr_in6 *)&ss)->sin6_addr = a6;
		}
		return add_addr(out, (struct sockaddr *)&ss);
	}
	if (family && slash) {
		int maxp = family == AF_INET ? 32 : 128;
		char *end;
		long prefix = strtol(slash + 1, &end, 10);
		if (*end == '.') { /* a dotted netmask */
			struct in_addr m;
			if (inet_pton(AF_INET, slash + 1, &m) != 1) {
				snprintf(err, errlen, "interfaces: bad netmask in '%s'", spec);
				return false;
			}
			prefix = __builtin_popcount(m.s_addr);
		} else if (*end || prefix < 0 || prefix > maxp) {
			snprintf(err, errlen, "interfaces: bad prefix length in '%s'", spec);
			return false;
		}
		const uint8_t *net = family == AF_INET ? (const uint8_t *)&a4 : (const uint8_t *)&a6;
		size_t before = out->n;
		for (struct ifaddrs *i = ifs; i; i = i->ifa_next)
			if (i->ifa_addr && in_subnet(i->ifa_addr, family, net, (int)prefix) && !add_addr(out, i->ifa_addr))
				return false;
		if (out->n == before) {
			snprintf(err, errlen, "interfaces: no local address is in '%s'; check `interfaces`", spec);
			return false;
		}
		return true;
	}
	size_t before = out->n;
	for (struct ifaddrs *i = ifs; i; i = i->ifa_next)
		if (i->ifa_addr && strcmp(i->ifa_name, buf) == 0 && !add_addr(out, i->ifa_addr))
			return false;
	if (out->n == before) {
		snprintf(err, errlen,
			 "interfaces: '%s' is neither an address nor an interface with an address (see `ip addr`)", spec);
		return false;
	}
	return true;
}

static void fmt_addr(const struct sockaddr_storage *ss, uint16_t port, char *out, size_t len)
{
	char h[INET6_ADDRSTRLEN] = "?";
	if (ss->ss_family == AF_INET) {
		inet_ntop(AF_INET, &((const struct sockaddr_in *)ss)->sin_addr, h, sizeof(h));
		snprintf(out, len, "%s:%u", h, port);
	} else {
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)ss)->sin6_addr, h, sizeof(h));
		snprintf(out, len, "[%s]:%u", h, port);
	}
}

const char *tcp_addr_str(const struct sockaddr_storage *peer, char *out, size_t len)
{
	uint16_t port = peer->ss_family == AF_INET ? ntohs(((const struct sockaddr_in *)peer)->sin_port)
						   : ntohs(((const struct sockaddr_in6 *)peer)->sin6_port);
	fmt_addr(peer, port, out, len);
	return out;
}

static int open_one(struct sockaddr_storage *ss, uint16_t port, bool dual, char *err, size_t errlen,
		    struct listener *l)
{
	socklen_t alen;
	if (ss->ss_family == AF_INET) {
		((struct sockaddr_in *)ss)->sin_port = htons(port);
		alen = sizeof(struct sockaddr_in);
	} else {
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
		alen = sizeof(struct sockaddr_in6);
	}
	fmt_addr(ss, port, l->name, sizeof(l->name));
	int fd = socket(ss->ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "cannot create a socket for %s: %s", l->name, strerror(errno));
		return -1;
	}
	int one = 1, zero = 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (ss->ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, dual ? &zero : &one, sizeof(int));
	if (bind(fd, (struct sockaddr *)ss, alen) < 0) {
		int e = errno;
		if (e == EACCES)
			snprintf(err, errlen,
				 "cannot listen on %s: permission denied (ports below 1024 need root or "
				 "CAP_NET_BIND_SERVICE; use a port such as 4450)",
				 l->name);
		else if (e == EADDRINUSE)
			snprintf(err, errlen,
				 "cannot listen on %s: address already in use (is another SMB server such as "
				 "smbd running? stop it or choose another port)",
				 l->name);
		else
			snprintf(err, errlen, "cannot listen on %s: %s", l->name, strerror(e));
		close(fd);
		return -1;
	}
	if (listen(fd, 512) < 0) {
		snprintf(err, errlen, "cannot listen on %s: %s", l->name, strerror(errno));
		close(fd);
		return -1;
	}
	l->fd = fd;
	l->addr = *ss;
	return 0;
}

int tcp_listeners_open(const struct config *cfg, struct listener **out, size_t *n, char *err, size_t errlen)
{
	struct addr_list addrs = { 0 };
	bool wildcard = !cfg->bind_interfaces_only || !cfg->interfaces || !cfg->interfaces[0];
	if (!wildcard) {
		struct ifaddrs *ifs = NULL;
		if (getifaddrs(&ifs) < 0) {
			snprintf(err, errlen, "cannot list network interfaces: %s", strerror(errno));
			return -1;
		}
		for (size_t i = 0; cfg->interfaces[i]; i++) {
			if (!resolve_iface(cfg->interfaces[i], ifs, &addrs, err, errlen)) {
				freeifaddrs(ifs);
				free(addrs.a);
				return -1;
			}
		}
		freeifaddrs(ifs);
	}
	size_t cap = (wildcard ? 1 : addrs.n) * cfg->n_ports;
	struct listener *ls = calloc(cap ? cap : 1, sizeof(*ls));
	if (!ls) {
		free(addrs.a);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	size_t k = 0;
	for (size_t p = 0; p < cfg->n_ports; p++) {
		if (wildcard) {
			struct sockaddr_storage ss = { 0 };
			((struct sockaddr_in6 *)&ss)->sin6_family = AF_INET6;
			((struct sockaddr_in6 *)&ss)->sin6_addr = in6addr_any;
			if (open_one(&ss, cfg->ports[p], true, err, errlen, &ls[k]) == 0) {
				k++;
				continue;
			}
			/* No IPv6 on this host: IPv4 only. */
			memset(&ss, 0, sizeof(ss));
			((struct sockaddr_in *)&ss)->sin_family = AF_INET;
			if (open_one(&ss, cfg->ports[p], false, err, errlen, &ls[k]) < 0)
				goto fail;
			k++;
			continue;
		}
		for (size_t a = 0; a < addrs.n; a++) {
			struct sockaddr_storage ss = addrs.a[a];
			if (open_one(&ss, cfg->ports[p], false, err, errlen, &ls[k]) < 0)
				goto fail;
			k++;
		}
	}
	free(addrs.a);
	*out = ls;
	*n = k;
	return 0;
fail:
	free(addrs.a);
	tcp_listeners_close(ls, k);
	return -1;
}

void tcp_listeners_close(struct listener *ls, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (ls[i].fd >= 0)
			close(ls[i].fd);
	free(ls);
}

int tcp_accept(int lfd, struct sockaddr_storage *peer)
{
	socklen_t alen = sizeof(*peer);
	int fd = accept4(lfd, (struct sockaddr *)peer, &alen, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return -1;
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return fd;
}

/* Link speed and receive-queue count of one interface via SIOCETHTOOL on
 * a datagram socket (no file-system access). */
static void iface_caps(int sock, const char *name, uint64_t *speed_bps, bool *rss)
{
	*speed_bps = 1000000000ull;
	*rss = false;
	if (sock < 0)
		return;
	struct ifreq ifr = { 0 };
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	struct ethtool_cmd cmd = { .cmd = ETHTOOL_GSET };
	ifr.ifr_data = (void *)&cmd;
	if (ioctl(sock, SIOCETHTOOL, &ifr) == 0) {
		uint32_t mbps = ethtool_cmd_speed(&cmd);
		if (mbps != 0 && mbps != (uint32_t)SPEED_UNKNOWN && mbps != UINT16_MAX)
			*speed_bps = (uint64_t)mbps * 1000000ull;
	}
	struct ethtool_rxnfc rx = { .cmd = ETHTOOL_GRXRINGS };
	ifr.ifr_data = (void *)&rx;
	if (ioctl(sock, SIOCETHTOOL, &ifr) == 0 && rx.data > 1)
		*rss = true;
}

int tcp_local_interfaces(const struct config *cfg, struct tcp_iface *out, size_t cap)
{
	struct ifaddrs *ifs = NULL;
	if (getifaddrs(&ifs) < 0)
		return -1;
	struct addr_list bound = { 0 };
	bool wildcard = !cfg->bind_interfaces_only || !cfg->interfaces || !cfg->interfaces[0];
	if (!wildcard) {
		char err[256];
		for (size_t i = 0; cfg->interfaces[i]; i++)
			(void)resolve_iface(cfg->interfaces[i], ifs, &bound, err, sizeof(err));
	}
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	size_t n = 0;
	for (struct ifaddrs *i = ifs; i && n < cap; i = i->ifa_next) {
		if (!i->ifa_addr || (i->ifa_addr->sa_family != AF_INET && i->ifa_addr->sa_family != AF_INET6))
			continue;
		if (!(i->ifa_flags & IFF_UP))
			continue;
		struct sockaddr_storage ss = { 0 };
		memcpy(&ss, i->ifa_addr,
		       i->ifa_addr->sa_family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6));
		if (wildcard) {
			if (i->ifa_flags & IFF_LOOPBACK)
				continue;
			if (ss.ss_family == AF_INET6 && IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)&ss)->sin6_addr))
				continue;
		} else {
			bool listed = false;
			for (size_t k = 0; k < bound.n && !listed; k++)
				listed = same_addr(&bound.a[k], &ss);
			if (!listed)
				continue;
		}
		bool dup = false;
		for (size_t k = 0; k < n && !dup; k++)
			dup = same_addr(&out[k].addr, &ss);
		unsigned idx = if_nametoindex(i->ifa_name);
		if (dup || idx == 0)
			continue;
		out[n].ifindex = idx;
		out[n].addr = ss;
		iface_caps(sock, i->ifa_name, &out[n].speed_bps, &out[n].rss);
		n++;
	}
	if (sock >= 0)
		close(sock);
	free(bound.a);
	freeifaddrs(ifs);
	return (int)n;
}
