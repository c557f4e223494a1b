/* Durable and resilient handles that outlive their connection ([MS-SMB2]
 * 3.3.5.9.6-12, 3.3.5.15.9, 3.3.7.1): when a connection is lost, or its
 * session is superseded by a reconnect, a durable open that still holds a
 * batch oplock (or a Handle lease) is kept, with its locks and share mode,
 * for its timeout. The client reclaims it with a DHnC/DH2C create on a new
 * connection; a conflicting open that would break its oplock purges it
 * instead, and so does the timeout. One table per server, by persistent
 * FileId, under its own lock; expiry runs on the loop that preserved it. */
#ifndef SMB3D_CONN_DURABLE_H
#define SMB3D_CONN_DURABLE_H

#include <stdbool.h>
#include <stdint.h>

#include "base/ntstatus.h"

struct conn;
struct ev_loop;
struct server;
struct session;
struct tcon;
struct fsa_open;

#define DURABLE_V1_TIMEOUT_MS 60000u	 /* what Samba keeps a v1 handle */
#define DURABLE_V2_DEFAULT_MS 60000u	 /* a DH2Q Timeout of 0 */
#define DURABLE_V2_MAX_MS 300000u	 /* larger requests are capped */
#define RESILIENT_MAX_MS 300000u	 /* FSCTL_LMR_REQUEST_RESILIENCY cap */

bool durable_table_init(struct server *srv);
/* After the loops stopped: closes what is still waiting and frees it all. */
void durable_table_free(struct server *srv);

/* Loop thread, from conn_close_opens: keeps o (taking over the caller's
 * table reference) if it qualifies. false: the caller closes it as usual. */
bool durable_preserve(struct conn *c, struct fsa_open *o);

/* A reconnect (DHnC/DH2C): takes the waiting open with that persistent id
 * if the session's user matches; NULL with *st set to the status to answer
 * otherwise. v2 needs a v2 handle with the same CreateGuid; a v1 reconnect
 * may take either kind (smb2.durable-v2-open.reopen2b). */
struct fsa_create_result;
/* What a reconnect says about a leased handle: the lease key of its RqLs
 * context (NULL: none) and the name it opens; res gets the lease. */
struct durable_lease {
	const uint8_t *key;
	const char *path;
	bool case_insensitive;
	struct fsa_create_result *res;
};
struct fsa_open *durable_reclaim(struct conn *c, struct session *s, const struct tcon *t, uint64_t fid_p,
				 bool v2, const uint8_t create_guid[16], const struct durable_lease *dl, NTSTATUS *st);

/* A break notification found no connection for the open with this id: if
 * it is a waiting durable open, it is closed (the break's waiter wakes). */
void durable_purge(struct server *srv, struct ev_loop *loop, uint64_t fid_p);

#endif
