/* SMB2 CREATE and CLOSE ([MS-SMB2] 3.3.5.9, 3.3.5.10): request validation,
 * the create contexts that apply (MxAc, QFid, AlSi, TWrp, ExtA, SecD, RqLs,
 * and the durable handle requests and reconnects DHnQ, DH2Q, DHnC, DH2C;
 * others ignored), the open itself in fsa/ on an offload thread, and the
 * reply. An open that must wait for oplock or lease breaks is parked
 * (interim STATUS_PENDING reply, cancellable, 35 s break timer) and
 * retried. */
#include <stdlib.h>
#include <string.h>

#include "commands/cmd_pipe.h"
#include "commands/file_common.h"
#include "conn/durable.h"
#include "conn/opens.h"
#include "conn/request.h"
#include "event/loop.h"
#include "server/server.h"
#include "wire/file.h"

#define CREATE_OPTIONS_VALID 0x00FFFFFF
#define FILE_ATTRIBUTES_VALID 0x00007FB7 /* what Windows accepts in CREATE */
#define ACCESS_RESERVED_BITS 0x0CE0FE00
#define FILE_CREATE_TREE_CONNECTION 0x00000080

struct create_state {
	struct fsa_create_args args;
	char path[4096 + 1];
	struct fsa_create_result res;
	struct fsa_info info;
	bool want_mxac, want_qfid;
	bool inserted;
	bool reconnect;		 /* DHnC/DH2C: res.open is the reclaimed handle */
	struct wire_durable reclaim; /* DHnC/DH2C: what to reclaim */
	bool reclaim_v2;
	unsigned reclaim_waited; /* ms waited for the handle's old connection */
	int want_durable;	 /* 1: DHnQ, 2: DH2Q */
	uint32_t durable_timeout; /* DH2Q, as granted */
	uint8_t create_guid[16];
	struct break_wait wait; /* while breaks of other opens' caching run */
	struct fsa_token token;
	struct wire_sd secd; /* SecD context (points into the request) */
	struct wire_ace *secd_aces;
	struct wire_ea *eas; /* ExtA context (points into the request) */
	size_t n_eas;
	struct fsa_stream_name stream; /* the name's ":stream:$DATA" part */
	struct fsa_lease_req lease; /* RqLs context */
	uint8_t lease_key[16];	    /* echoed in the response */
	bool want_lease;
	bool reclaim_lease;	  /* DHnC/DH2C came with an RqLs (lease_key) */
	struct smb2_req *req;	  /* for the reconnect retry timer */
	struct ev_timer timer;	  /* reconnect retries */
};

static void create_release(struct smb2_req *req)
{
	struct create_state *cs = req->cmd_state;
	if (cs->res.open && !cs->inserted)
		conn_open_release(req->conn, cs->res.open);
	if (ev_timer_armed(&cs->timer))
		ev_timer_stop(req->conn->loop, &cs->timer);
	break_wait_release(&cs->wait);
	free(cs->secd_aces);
	free(cs->eas);
	free(cs);
}

static NTSTATUS create_done(struct smb2_req *req);

static void create_on_cancel(struct smb2_req *req)
{
	struct create_state *cs = req->cmd_state;
	break_wait_cancel(&cs->wait);
}

static bool create_cancel(struct smb2_req *req)
{
	struct create_state *cs = req->cmd_state;
	if (cs->res.n_breaks) {
		/* work() started breaks but the client left before done() sent
		 * them: the holders must still hear, or later opens would wait
		 * out the break timeout for an acknowledgement never asked for */
		conn_deliver_breaks(req->conn, cs->res.breaks, cs->res.n_breaks);
		cs->res.n_breaks = 0;
	}
	return break_wait_conn_closing(&cs->wait);
}

static void reconnect_work(struct smb2_req *req)
{
	struct create_state *cs = req->cmd_state;
	req->work_status = fsa_query_info(cs->res.open, &cs->info);
}

static void create_work(struct smb2_req *req)
{
	struct create_state *cs = req->cmd_state;
	memset(&cs->res, 0, sizeof(cs->res));
	cs->args.retry = cs->wait.retry;
	req->work_status = fsa_create(&cs->args, &cs->res);
	if (NT_OK(req->work_status) && cs->res.has_info)
		cs->info = cs->res.info;
	else if (NT_OK(req->work_status))
		req->work_status = fsa_query_info(cs->res.open, &cs->info);
	/* an existing file is often queried next (cmd_info.c answers that on
	 * the loop when the open's cache knows enough) */
	if (NT_OK(req->work_status) && cs->res.action == FILE_OPENED)
		fsa_query_cache_eas(cs->res.open);
}

static NTSTATUS create_done(struct smb2_req *req)
{
	struct create_state *cs = req->cmd_state;
	struct conn *c = req->conn;
	if (cs->res.n_breaks) {
		conn_deliver_breaks(c, cs->res.breaks, cs->res.n_breaks);
		cs->res.n_breaks = 0;
	}
	if (NT_EQ(req->work_status, STATUS_OPLOCK_BREAK_IN_PROGRESS))
		return break_wait_park(&cs->wait);
	if (!NT_OK(req->work_status))
		return req->work_status;
	struct fsa_open *o = cs->res.open;
	bool durable = false;
	if (cs->want_durable && !cs->reconnect && fsa_open_can_be_durable(o)) {
		/* [MS-SMB2] 3.3.5.9.6, 3.3.5.9.10: granted with a batch oplock */
		durable = true;
		o->durable = true;
		o->durable_v2 = cs->want_durable == 2;
		o->durable_timeout_ms = o->durable_v2 ? cs->durable_timeout : DURABLE_V1_TIMEOUT_MS;
		memcpy(o->create_guid, cs->create_guid, 16);
		memcpy(o->client_guid, c->client_guid, 16);
	}
	NTSTATUS ist = conn_open_insert(c, o, req->hdr.session_id, req->hdr.tree_id);
	if (!NT_OK(ist))
		return ist; /* create_release closes the open */
	cs->inserted = true;
	req->set_fid = true;
	req->fid_p = o->persistent_id;
	req->fid_v = o->volatile_id;
	bool leased = cs->want_lease && cs->res.leased;
	struct wire_create_rsp r = {
		.oplock_level = leased ? SMB2_OPLOCK_LEVEL_LEASE : cs->res.oplock,
		.create_action = cs->res.action,
		.creation_time = cs->info.creation_time,
		.last_access_time = cs->info.last_access_time,
		.last_write_time = cs->info.last_write_time,
		.change_time = cs->info.change_time,
		.allocation_size = cs->info.allocation_size,
		.end_of_file = cs->info.end_of_file,
		.file_attributes = cs->info.attributes,
		.fid_persistent = o->persistent_id,
		.fid_volatile = o->volatile_id,
	};
	struct wr *w = req_body(req, WIRE_CREATE_RSP_FIXED + 256);
	if (!w)
		return STATUS_NO_MEMORY;
	struct wire_cctx_writer cw;
	wire_create_rsp_encode(w, &r, &cw);
	if (cs->want_mxac)
		wire_cctx_add_mxac(w, &cw, STATUS_SUCCESS, cs->res.maximal_access);
	if (cs->want_qfid)
		wire_cctx_add_qfid(w, &cw, cs->info.file_id, cs->info.volume_id);
	if (leased) {
		/* the response has the lease's version, whatever the request had */
		struct wire_lease l = { .state = cs->res.lease_state, .v2 = cs->res.lease_v2 };
		memcpy(l.key, cs->lease_key, 16);
		l.flags = cs->res.lease_breaking ? SMB2_LEASE_FLAG_BREAK_IN_PROGRESS : 0;
		if (l.v2) {
			l.epoch = cs->res.lease_epoch;
			if (cs->res.lease_has_parent) {
				l.flags |= SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET;
				memcpy(l.parent_key, cs->res.lease_parent, 16);
			}
		}
		wire_cctx_add_lease(w, &cw, &l);
	}
	if (durable && cs->want_durable == 1)
		wire_cctx_add_dhnq(w, &cw);
	else if (durable)
		wire_cctx_add_dh2q(w, &cw, cs->durable_timeout, 0);
	return STATUS_SUCCESS;
}

/* DHnC / DH2C ([MS-SMB2] 3.3.5.9.7, 3.3.5.9.12): everything but the
 * reconnect context (and, for a leased handle, the name and the lease key)
 * is ignored; the reply describes the reclaimed open.
 * A client often reconnects before the server has finished with its old
 * connection (or with the session its PreviousSessionId logs off): while
 * some connection or session is going away, a handle not yet kept is
 * looked for again every RECONNECT_RETRY_MS, for up to RECONNECT_WAIT_MS. */
#define RECONNECT_RETRY_MS 10
#define RECONNECT_WAIT_MS 2000

static NTSTATUS reconnect_try(struct smb2_req *req)
{
	struct create_state *cs = req->cmd_state;
	NTSTATUS st;
	struct durable_lease dl = { .key = cs->reclaim_lease ? cs->lease_key : NULL,
				    .path = cs->path,
				    .case_insensitive = req->tcon->case_insensitive,
				    .res = &cs->res };
	struct fsa_open *o = durable_reclaim(req->conn, req->sess, req->tcon, cs->reclaim.fid_persistent,
					     cs->reclaim_v2, cs->reclaim.create_guid, &dl, &st);
	if (!o) {
		if (NT_EQ(st, STATUS_OBJECT_NAME_NOT_FOUND) && atomic_load(&req->conn->srv->n_going) > 0 &&
		    cs->reclaim_waited < RECONNECT_WAIT_MS) {
			cs->reclaim_waited += RECONNECT_RETRY_MS;
			req_park(req);
			ev_timer_start(req->conn->loop, &cs->timer, RECONNECT_RETRY_MS);
			return STATUS_PENDING;
		}
		return st;
	}
	cs->want_lease = cs->res.leased;
	cs->reconnect = true;
	cs->res.open = o;
	cs->res.oplock = o->oplock;
	cs->res.action = FILE_OPENED;
	conn_debug(req->conn, "durable handle %llx reclaimed", (unsigned long long)o->persistent_id);
	return req_offload(req, reconnect_work, create_done);
}

static void reconnect_retry(struct ev_loop *loop, struct ev_timer *t)
{
	struct create_state *cs = t->data;
	struct smb2_req *req = cs->req;
	req_unpark(req);
	if (req->conn->closing) {
		req_abandon(req);
		conn_release_if_idle(req->conn);
		return;
	}
	req_resume(req, reconnect_try);
}

static bool reconnect_cancel(struct smb2_req *req)
{
	struct create_state *cs = req->cmd_state;
	if (ev_timer_armed(&cs->timer))
		ev_timer_stop(req->conn->loop, &cs->timer);
	return true; /* nothing else can wake it */
}

/* The state of one CREATE, owned by req from here on. */
static struct create_state *create_state_new(struct smb2_req *req)
{
	struct create_state *cs = calloc(1, sizeof(*cs));
	if (!cs)
		return NULL;
	req->cmd_state = cs;
	req->release = create_release;
	cs->req = req;
	ev_timer_init(&cs->timer, reconnect_retry, cs);
	return cs;
}

static NTSTATUS create_reconnect(struct smb2_req *req, const struct wire_create_req *q,
				 const struct wire_create_ctx *x, bool v2)
{
	struct wire_durable d;
	NTSTATUS st = v2 ? wire_cctx_dh2c_decode(x, &d) : wire_cctx_dhnc_decode(x, &d);
	if (!NT_OK(st))
		return st;
	if (v2 && (d.flags & SMB2_DHANDLE_FLAG_PERSISTENT))
		return STATUS_OBJECT_NAME_NOT_FOUND; /* no persistent handles are granted */
	struct create_state *cs = create_state_new(req);
	if (!cs)
		return STATUS_NO_MEMORY;
	req->cancel = reconnect_cancel;
	cs->reclaim = d;
	cs->reclaim_v2 = v2;
	unsigned count;
	const struct wire_create_ctx *rqls = wire_create_ctx_find(&q->ctx, WIRE_CCTX_RQLS, &count);
	struct wire_lease l;
	cs->reclaim_lease = rqls && req->conn->dialect >= SMB2_DIALECT_210 && NT_OK(wire_cctx_rqls_decode(rqls, &l));
	if (cs->reclaim_lease)
		memcpy(cs->lease_key, l.key, 16);
	if (!NT_OK(smb2_name_to_path(q->name, q->name_len, cs->path, sizeof(cs->path), &cs->stream)))
		cs->path[0] = 0;
	return reconnect_try(req);
}

NTSTATUS cmd_create(struct smb2_req *req)
{
	struct conn *c = req->conn;
	struct tcon *t = req->tcon;
	struct wire_create_req q;
	NTSTATUS st = wire_create_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	/* open-file limits (docs/security.md): refused before anything is
	 * created, truncated or broken */
	st = conn_open_precheck(c, req->sess);
	if (!NT_OK(st))
		return st;
	if (t->is_ipc)
		return pipe_create(req, &q);
	unsigned count;
	const struct wire_create_ctx *x;
	bool smb3 = c->dialect >= SMB2_DIALECT_300;
	const struct wire_create_ctx *dhnq = wire_create_ctx_find(&q.ctx, WIRE_CCTX_DHNQ, &count);
	const struct wire_create_ctx *dhnc = wire_create_ctx_find(&q.ctx, WIRE_CCTX_DHNC, &count);
	const struct wire_create_ctx *dh2q = smb3 ? wire_create_ctx_find(&q.ctx, WIRE_CCTX_DH2Q, &count) : NULL;
	const struct wire_create_ctx *dh2c = smb3 ? wire_create_ctx_find(&q.ctx, WIRE_CCTX_DH2C, &count) : NULL;
	/* 3.3.5.9.10, 3.3.5.9.12: a v2 context may not come with another
	 * durable context (a v1 request beside a v1 reconnect is ignored) */
	if ((dh2c && (dhnq || dhnc || dh2q)) || (dh2q && (dhnq || dhnc)))
		return STATUS_INVALID_PARAMETER;
	if (dh2c)
		return create_reconnect(req, &q, dh2c, true);
	if (dhnc)
		return create_reconnect(req, &q, dhnc, false);
	if (q.impersonation_level > SMB2_IMPERSONATION_DELEGATE)
		return STATUS_BAD_IMPERSONATION_LEVEL;
	if ((q.create_options & ~CREATE_OPTIONS_VALID) || q.create_disposition > FILE_OVERWRITE_IF ||
	    (q.share_access & ~(FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE)) ||
	    ((q.create_options & FILE_DIRECTORY_FILE) && (q.create_options & FILE_NON_DIRECTORY_FILE)))
		return STATUS_INVALID_PARAMETER;
	/* what Windows answers for reserved and unsupported bits, in its order
	 * (smbtorture smb2.create.gentest records it; its SYNCHRONIZE-only
	 * denial is not copied: smb2.getinfo.getinfo_access opens files so) */
	if (q.desired_access == 0 || (q.desired_access & ACCESS_RESERVED_BITS))
		return STATUS_ACCESS_DENIED;
	if (q.desired_access & ACCESS_SYSTEM_SECURITY)
		return STATUS_PRIVILEGE_NOT_HELD; /* SACLs are not supported */
	if (q.file_attributes & ~FILE_ATTRIBUTES_VALID)
		return STATUS_INVALID_PARAMETER;
	if (q.create_options & (FILE_OPEN_BY_FILE_ID | FILE_RESERVE_OPFILTER | FILE_CREATE_TREE_CONNECTION))
		return STATUS_NOT_SUPPORTED;
	if ((q.create_options & FILE_DELETE_ON_CLOSE) && !(fsa_map_generic(q.desired_access, false) & (DELETE | MAXIMUM_ALLOWED)))
		return STATUS_ACCESS_DENIED;

	struct create_state *cs = create_state_new(req);
	if (!cs)
		return STATUS_NO_MEMORY;
	req->cancel = create_cancel;
	req->on_cancel = create_on_cancel;
	break_wait_init(&cs->wait, req, create_work, create_done);
	st = smb2_name_to_path(q.name, q.name_len, cs->path, sizeof(cs->path), &cs->stream);
	if (!NT_OK(st))
		return st;

	uint64_t alloc = 0;
	if (dh2q) {
		struct wire_durable d;
		st = wire_cctx_dh2q_decode(dh2q, &d);
		if (!NT_OK(st))
			return st;
		cs->want_durable = 2;
		memcpy(cs->create_guid, d.create_guid, 16);
		cs->durable_timeout = d.timeout == 0			   ? DURABLE_V2_DEFAULT_MS
				      : d.timeout > DURABLE_V2_MAX_MS ? DURABLE_V2_MAX_MS
									   : d.timeout;
	} else if (dhnq) {
		st = wire_cctx_dhnq_decode(dhnq);
		if (!NT_OK(st))
			return st;
		cs->want_durable = 1;
	}
	if ((x = wire_create_ctx_find(&q.ctx, WIRE_CCTX_EXTA, &count)) != NULL) {
		size_t n = 0;
		st = wire_full_ea_decode(x->data, x->data_len, NULL, 0, &n);
		if (!NT_OK(st))
			return st;
		cs->eas = calloc(n ? n : 1, sizeof(*cs->eas));
		if (!cs->eas)
			return STATUS_NO_MEMORY;
		st = wire_full_ea_decode(x->data, x->data_len, cs->eas, n, &cs->n_eas);
		if (!NT_OK(st))
			return st;
		char name[VFS_EA_NAME_MAX + 1];
		for (size_t i = 0; i < cs->n_eas; i++) {
			st = fsa_ea_name_check(cs->eas[i].name, cs->eas[i].name_len, name);
			if (!NT_OK(st))
				return st;
		}
		if (cs->n_eas && t->read_only)
			return STATUS_ACCESS_DENIED;
	}
	if ((x = wire_create_ctx_find(&q.ctx, WIRE_CCTX_TWRP, &count)) != NULL)
		return STATUS_OBJECT_NAME_NOT_FOUND; /* no previous versions (snapshots) */
	if ((x = wire_create_ctx_find(&q.ctx, WIRE_CCTX_ALSI, &count)) != NULL) {
		st = wire_cctx_u64_decode(x, &alloc);
		if (!NT_OK(st))
			return st;
	}
	if ((x = wire_create_ctx_find(&q.ctx, WIRE_CCTX_MXAC, &count)) != NULL) {
		bool has_ts;
		uint64_t ts;
		st = wire_cctx_mxac_decode(x, &has_ts, &ts);
		if (!NT_OK(st))
			return st;
		cs->want_mxac = true;
	}
	cs->want_qfid = wire_create_ctx_find(&q.ctx, WIRE_CCTX_QFID, &count) != NULL;
	bool has_secd = false;
	if ((x = wire_create_ctx_find(&q.ctx, WIRE_CCTX_SECD, &count)) != NULL) {
		if (t->read_only)
			return STATUS_ACCESS_DENIED;
		cs->secd_aces = calloc(1024, sizeof(*cs->secd_aces));
		if (!cs->secd_aces)
			return STATUS_NO_MEMORY;
		st = wire_sd_decode(x->data, x->data_len, &cs->secd, cs->secd_aces, 1024);
		if (!NT_OK(st))
			return NT_EQ(st, STATUS_INSUFFICIENT_RESOURCES) ? st : STATUS_INVALID_PARAMETER;
		if (cs->secd.control & SE_SACL_PRESENT)
			return STATUS_PRIVILEGE_NOT_HELD; /* no SeSecurityPrivilege here */
		has_secd = true;
	}
	req_fsa_token(req, &cs->token);
	if (q.requested_oplock_level == SMB2_OPLOCK_LEVEL_LEASE && c->dialect >= SMB2_DIALECT_210 &&
	    (x = wire_create_ctx_find(&q.ctx, WIRE_CCTX_RQLS, &count)) != NULL) {
		struct wire_lease l;
		st = wire_cctx_rqls_decode(x, &l);
		if (NT_OK(st)) {
			/* [MS-SMB2] 3.3.5.9.11: a v2 request on a 2.1 connection
			 * is taken as v1 */
			if (c->dialect < SMB2_DIALECT_300)
				l.v2 = false;
			memcpy(cs->lease.guid, c->client_guid, 16);
			memcpy(cs->lease.key, l.key, 16);
			memcpy(cs->lease_key, l.key, 16);
			cs->lease.state = l.state;
			cs->lease.v2 = l.v2;
			cs->lease.epoch = l.epoch;
			if (l.v2 && (l.flags & SMB2_LEASE_FLAG_PARENT_LEASE_KEY_SET)) {
				cs->lease.has_parent = true;
				memcpy(cs->lease.parent, l.parent_key, 16);
			}
			cs->want_lease = true;
		}
	}

	int file_mode = config_new_file_mode(t->share, false); /* -1: the umask decides */
	cs->args = (struct fsa_create_args){
		.table = c->srv->files,
		.root = &t->root,
		.path = cs->path,
		.case_insensitive = t->case_insensitive,
		.read_only_share = t->read_only,
		.hide_dot_files = t->hide_dot_files,
		.hide_files = t->hide_files,
		.veto_files = t->share->veto_files,
		.exact_modes = file_mode >= 0,
		.new_file_mode = (unsigned)file_mode,
		.new_dir_mode = (unsigned)config_new_file_mode(t->share, true),
		.hide_unreadable = t->hide_unreadable,
		.want_maximal_access = cs->want_mxac,
		.desired_access = q.desired_access,
		.file_attributes = q.file_attributes,
		.share_access = q.share_access,
		.disposition = q.create_disposition,
		.create_options = q.create_options,
		.share_max_access = t->maximal_access,
		.token = &cs->token,
		.sd_given = has_secd ? &cs->secd : NULL,
		.eas = cs->eas,
		.n_eas = cs->n_eas,
		.allocation_size = alloc,
		.requested_oplock = q.requested_oplock_level == SMB2_OPLOCK_LEVEL_LEASE ? SMB2_OPLOCK_LEVEL_NONE
											 : q.requested_oplock_level,
		.stream = cs->stream,
		.lease = cs->want_lease ? &cs->lease : NULL,
		.dir_leases = c->dialect >= SMB2_DIALECT_300 && c->cfg->directory_leases,
		.waiter = &cs->wait.waiter,
		.owner_loop = c->loop,
		.owner_conn = c->id,
		.session_id = req->hdr.session_id,
	};
	return req_offload(req, create_work, create_done);
}

/* --- CLOSE --- */

struct close_state {
	struct fsa_open *open;	 /* the lookup's reference */
	struct fsa_open *table;	 /* the table's reference, handed over */
	bool postquery;
	struct fsa_info info;
	NTSTATUS info_st;
};

static void close_release(struct smb2_req *req)
{
	struct close_state *cs = req->cmd_state;
	conn_open_release(req->conn, cs->open);
	conn_open_release(req->conn, cs->table);
	free(cs);
}

static void close_work(struct smb2_req *req)
{
	struct close_state *cs = req->cmd_state;
	struct fsa_open *o = cs->open ? cs->open : cs->table; /* close_inline may have dropped one */
	fsa_times_close(o);
	if (cs->postquery && !o->pipe)
		cs->info_st = fsa_query_info(o, &cs->info);
	/* Drop both references here, off the loop: if they are the last, the
	 * file is closed (and a delete-on-close file deleted) before the reply. */
	fsa_open_put(cs->table);
	cs->table = NULL;
	fsa_open_put(cs->open);
	cs->open = NULL;
}

/* A close that cannot block is done on the loop, saving two thread
 * hand-offs: the post-query from the open's metadata cache, and a last
 * close that only closes a read-only descriptor (fsa_open_put_nonblocking).
 * False: close_work does the rest on an offload thread. */
static bool close_inline(struct close_state *cs)
{
	if (!cs->table || cs->open->pipe)
		return false;
	if (cs->postquery) {
		if (!fsa_query_info_cached(cs->open, &cs->info, false))
			return false;
		cs->info_st = STATUS_SUCCESS;
	}
	/* the lookup's reference first: the table's keeps it from being the last */
	if (!fsa_open_put_nonblocking(cs->open))
		return false;
	cs->open = NULL;
	if (!fsa_open_put_nonblocking(cs->table))
		return false;
	cs->table = NULL;
	return true;
}

static NTSTATUS close_done(struct smb2_req *req)
{
	struct close_state *cs = req->cmd_state;
	struct wire_close_rsp r = { 0 };
	if (cs->postquery && NT_OK(cs->info_st)) {
		r.flags = SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB;
		r.creation_time = cs->info.creation_time;
		r.last_access_time = cs->info.last_access_time;
		r.last_write_time = cs->info.last_write_time;
		r.change_time = cs->info.change_time;
		r.allocation_size = cs->info.allocation_size;
		r.end_of_file = cs->info.end_of_file;
		r.file_attributes = cs->info.attributes;
	}
	struct wr *w = req_body(req, 60);
	if (!w)
		return STATUS_NO_MEMORY;
	wire_close_rsp_encode(w, &r);
	return STATUS_SUCCESS;
}

NTSTATUS cmd_close(struct smb2_req *req)
{
	struct wire_close_req q;
	NTSTATUS st = wire_close_req_decode(req->msg, req->len, &q);
	if (!NT_OK(st))
		return st;
	struct fsa_open *o = conn_open_lookup(req, q.fid_persistent, q.fid_volatile, &st);
	if (!o)
		return st;
	struct close_state *cs = calloc(1, sizeof(*cs));
	if (!cs) {
		conn_open_release(req->conn, o);
		return STATUS_NO_MEMORY;
	}
	req->cmd_state = cs;
	req->release = close_release;
	cs->open = o;
	cs->postquery = q.flags & SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB;
	/* Take the table's reference: the FileId is invalid from now on. */
	if (conn_open_take(req->conn, o)) {
		cs->table = o;
		fsa_open_cleanup(o);
	}
	if (close_inline(cs))
		return close_done(req);
	return req_offload(req, close_work, close_done);
}
