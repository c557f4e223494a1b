/* TCP listeners for Direct TCP ([MS-SMB2] 2.1): resolves `smb ports` x
 * `interfaces` (names, addresses, CIDRs) into bound, non-blocking listening
 * sockets that every worker loop watches with EPOLLEXCLUSIVE. */
#ifndef SMB3D_TRANSPORT_TCP_H
#define SMB3D_TRANSPORT_TCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

struct config;

struct listener {
	int fd;
	struct sockaddr_storage addr;
	char name[80]; /* "127.0.0.1:445" */
};

/* Opens all listeners; on failure prints what went wrong and how to fix it
 * (to err, errlen) and returns -1 with nothing left open. */
int tcp_listeners_open(const struct config *cfg, struct listener **out, size_t *n, char *err, size_t errlen);
void tcp_listeners_close(struct listener *ls, size_t n);

/* Accepts one connection (non-blocking, close-on-exec, TCP_NODELAY);
 * returns the fd or -1 (errno set; EAGAIN when none pending). */
int tcp_accept(int lfd, struct sockaddr_storage *peer);
/* "1.2.3.4:port" or "[::1]:port" into out; returns out. */
const char *tcp_addr_str(const struct sockaddr_storage *peer, char *out, size_t len);

/* The local addresses clients can reach this server on, for
 * FSCTL_QUERY_NETWORK_INTERFACE_INFO: with `bind interfaces only`, those of
 * `interfaces`; otherwise every address of every interface that is up,
 * except loopback and IPv6 link-local ones. Each carries its interface's
 * index, link speed (SIOCETHTOOL; 1 Gbit/s when the driver does not say)
 * and whether it has several receive queues (RSS). Returns how many were
 * written to out (at most cap), or -1 (errno set). */
struct tcp_iface {
	unsigned ifindex;
	bool rss;
	uint64_t speed_bps;
	struct sockaddr_storage addr;
};
int tcp_local_interfaces(const struct config *cfg, struct tcp_iface *out, size_t cap);

#endif
