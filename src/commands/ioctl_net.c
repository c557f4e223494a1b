/* FSCTL_QUERY_NETWORK_INTERFACE_INFO ([MS-SMB2] 3.3.5.15.11, 2.2.32.5): the
 * addresses this server listens on, from transport/tcp.c (getifaddrs and
 * SIOCETHTOOL, on an offload thread), as NETWORK_INTERFACE_INFO entries. */
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "commands/ioctl_int.h"
#include "transport/tcp.h"

#define MAX_IFACES 64

struct net_state {
	struct ioctl_req q;
	const struct config *cfg;
	struct tcp_iface ifs[MAX_IFACES];
	int n;
};

static void net_release(struct smb2_req *req)
{
	free(req->cmd_state);
	req->cmd_state = NULL;
}

static void net_work(struct smb2_req *req)
{
	struct net_state *s = req->cmd_state;
	s->n = tcp_local_interfaces(s->cfg, s->ifs, MAX_IFACES);
	req->work_status = s->n < 0 ? STATUS_INSUFFICIENT_RESOURCES : STATUS_SUCCESS;
}

static NTSTATUS net_done(struct smb2_req *req)
{
	struct net_state *s = req->cmd_state;
	if (!NT_OK(req->work_status))
		return ioctl_reply(req, &s->q, NULL, 0, req->work_status);
	size_t need = (size_t)s->n * WIRE_NET_IFACE_LEN;
	if (need > s->q.max_output_response)
		return ioctl_reply(req, &s->q, NULL, 0, STATUS_BUFFER_TOO_SMALL);
	struct wire_net_iface v[MAX_IFACES];
	memset(v, 0, sizeof(v));
	for (int i = 0; i < s->n; i++) {
		const struct tcp_iface *f = &s->ifs[i];
		v[i].ifindex = f->ifindex;
		v[i].capability = f->rss ? RSS_CAPABLE : 0;
		v[i].link_speed = f->speed_bps;
		v[i].ipv6 = f->addr.ss_family == AF_INET6;
		if (v[i].ipv6)
			memcpy(v[i].addr, &((const struct sockaddr_in6 *)&f->addr)->sin6_addr, 16);
		else
			memcpy(v[i].addr, &((const struct sockaddr_in *)&f->addr)->sin_addr, 4);
	}
	uint8_t *out = malloc(need ? need : 1);
	if (!out)
		return STATUS_NO_MEMORY;
	struct wr w = wr_init(out, need);
	wire_net_ifaces_encode(&w, v, (size_t)s->n);
	NTSTATUS st = ioctl_reply(req, &s->q, out, w.pos, STATUS_SUCCESS);
	free(out);
	return st;
}

NTSTATUS ioctl_network_interfaces(struct smb2_req *req, const struct ioctl_req *q)
{
	/* not about a file: the FileId must be all ones */
	if (q->fid_persistent != UINT64_MAX || q->fid_volatile != UINT64_MAX)
		return STATUS_INVALID_PARAMETER;
	/* SMB 3.x only (multichannel does not exist before) */
	if (req->conn->dialect < SMB2_DIALECT_300)
		return STATUS_NOT_SUPPORTED;
	struct net_state *s = calloc(1, sizeof(*s));
	if (!s)
		return STATUS_NO_MEMORY;
	s->q = *q;
	s->cfg = req->conn->cfg;
	req->cmd_state = s;
	req->release = net_release;
	return req_offload(req, net_work, net_done);
}
