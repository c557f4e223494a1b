/* Request processing ([MS-SMB2] 3.3.5.2): transform decryption, SMB1
 * upgrade, compound splitting with related-operation inheritance, message id
 * and credit checks, StructureSize checks, session / signature / encryption /
 * tree checks, the command table, and response finalisation (credits,
 * NextCommand padding, signing, encryption). Commands live in commands/. */
#include <stdlib.h>
#include <string.h>

#include "conn/conn.h"
#include "conn/request.h"
#include "server/server.h"
#include "wire/negotiate.h"
#include "wire/transform.h"
#include "event/offload.h"
#include "vfs/vfs.h"

struct cmd_desc {
	smb2_handler fn;
	bool need_session;
	bool need_tree;
};

static NTSTATUS cmd_cancel(struct smb2_req *req);

static const struct cmd_desc cmd_table[SMB2_COMMAND_COUNT] = {
	[SMB2_NEGOTIATE] = { cmd_negotiate, false, false },
	[SMB2_SESSION_SETUP] = { cmd_session_setup, false, false },
	[SMB2_LOGOFF] = { cmd_logoff, true, false },
	[SMB2_TREE_CONNECT] = { cmd_tree_connect, true, false },
	[SMB2_TREE_DISCONNECT] = { cmd_tree_disconnect, true, true },
	[SMB2_CREATE] = { cmd_create, true, true },
	[SMB2_CLOSE] = { cmd_close, true, true },
	[SMB2_FLUSH] = { cmd_flush, true, true },
	[SMB2_READ] = { cmd_read, true, true },
	[SMB2_WRITE] = { cmd_write, true, true },
	[SMB2_LOCK] = { cmd_lock, true, true },
	[SMB2_IOCTL] = { cmd_ioctl, true, true },
	[SMB2_CANCEL] = { cmd_cancel, false, false },
	[SMB2_ECHO] = { cmd_echo, false, false },
	[SMB2_QUERY_DIRECTORY] = { cmd_query_directory, true, true },
	[SMB2_CHANGE_NOTIFY] = { cmd_change_notify, true, true },
	[SMB2_QUERY_INFO] = { cmd_query_info, true, true },
	[SMB2_SET_INFO] = { cmd_set_info, true, true },
	[SMB2_OPLOCK_BREAK] = { cmd_oplock_break, true, true },
};

struct wr *req_body(struct smb2_req *req, size_t body_cap)
{
	if (!req->rsp || req->rsp_cap < SMB2_HDR_LEN + body_cap + 8) {
		uint8_t *b = realloc(req->rsp, SMB2_HDR_LEN + body_cap + 8);
		if (!b)
			return NULL;
		req->rsp = b;
		req->rsp_cap = SMB2_HDR_LEN + body_cap + 8;
	}
	/* Write the body with header-relative offsets: the writer covers the
	 * whole buffer and starts after the header. */
	req->w = wr_init(req->rsp, req->rsp_cap - 8);
	req->w.pos = SMB2_HDR_LEN;
	req->has_body = true;
	return &req->w;
}

/* --- credits ([MS-SMB2] 3.3.1.1, 3.3.5.2.3) --- */

static bool seq_test(const struct conn *c, uint64_t id)
{
	size_t bit = id % (CONN_MAX_CREDITS * 2);
	return c->seq_bitmap[bit / 8] & (1u << (bit % 8));
}

static void seq_set(struct conn *c, uint64_t id, bool on)
{
	size_t bit = id % (CONN_MAX_CREDITS * 2);
	if (on)
		c->seq_bitmap[bit / 8] |= (uint8_t)(1u << (bit % 8));
	else
		c->seq_bitmap[bit / 8] &= (uint8_t)~(1u << (bit % 8));
}

static uint16_t credit_charge(const struct conn *c, const struct smb2_hdr *h)
{
	if (c->dialect >= SMB2_DIALECT_210 && h->credit_charge > 1)
		return h->credit_charge;
	return 1;
}

/* Consumes the message ids of a request; false means the client broke the
 * credit rules and must be disconnected. */
static bool credits_consume(struct conn *c, const struct smb2_hdr *h)
{
	uint16_t charge = credit_charge(c, h);
	uint64_t id = h->message_id;
	if (id == UINT64_MAX || id < c->seq_low || charge > c->credits_granted)
		return false;
	if (id - c->seq_low + charge > c->seq_range)
		return false;
	for (uint64_t i = id; i < id + charge; i++)
		if (seq_test(c, i))
			return false;
	for (uint64_t i = id; i < id + charge; i++)
		seq_set(c, i, true);
	c->credits_granted -= charge;
	while (c->seq_range && seq_test(c, c->seq_low)) {
		seq_set(c, c->seq_low, false);
		c->seq_low++;
		c->seq_range--;
	}
	return true;
}

static uint16_t credits_grant(struct conn *c, const struct smb2_hdr *h)
{
	uint32_t want = h->credits ? h->credits : 1;
	uint32_t room = CONN_MAX_CREDITS - c->credits_granted;
	uint32_t window_room = CONN_MAX_CREDITS * 2 - c->seq_range;
	if (room > window_room)
		room = window_room;
	uint32_t grant = want < room ? want : room;
	if (grant == 0 && c->credits_granted == 0 && room > 0)
		grant = 1;
	c->credits_granted += grant;
	c->seq_range += grant;
	return (uint16_t)grant;
}

/* --- per-request checks --- */

static struct session *lookup_session(struct conn *c, uint64_t id)
{
	return idtable_find(&c->sessions, id);
}

static bool check_signature(struct smb2_req *req, struct session *s)
{
	struct iovec iov = { .iov_base = (void *)req->msg, .iov_len = req->len };
	return smb2_verify(req->conn->dialect >= SMB2_DIALECT_300 ? req->conn->sign_algo : SMB2_SIGN_HMAC_SHA256,
			   s->keys.signing, &iov, 1);
}

/* Runs one request; returns false if the connection must be dropped. */
static bool dispatch_one(struct conn *c, struct smb2_req *req)
{
	const struct smb2_hdr *h = &req->hdr;
	uint16_t cmd = h->command;

	if (c->state != CONN_NEGOTIATED && cmd != SMB2_NEGOTIATE)
		return false;
	if (cmd != SMB2_CANCEL && !credits_consume(c, h)) {
		conn_warn(c, "message id %llu outside the credit window; disconnecting",
			  (unsigned long long)h->message_id);
		return false;
	}
	if (cmd >= SMB2_COMMAND_COUNT) {
		req->status = STATUS_INVALID_PARAMETER;
		return true;
	}
	/* StructureSize of the body ([MS-SMB2] 3.3.5.2.6) */
	uint16_t ssize = req->len < SMB2_HDR_LEN + 2 ? 0 : le16_at(req->msg + SMB2_HDR_LEN);
	/* an OPLOCK_BREAK acknowledgement is 24 bytes for an oplock, 36 for a lease */
	if (ssize != wire_req_structure_size(cmd) && !(cmd == SMB2_OPLOCK_BREAK && ssize == 36)) {
		req->status = STATUS_INVALID_PARAMETER;
		return true;
	}
	const struct cmd_desc *d = &cmd_table[cmd];

	if (cmd == SMB2_IOCTL && !h->session_id && cmd_ioctl_sessionless(req)) {
		req->status = cmd_ioctl(req);
		return !req->disconnect;
	}
	struct session *s = NULL;
	if (h->session_id && (d->need_session || cmd == SMB2_SESSION_SETUP || cmd == SMB2_ECHO)) {
		s = lookup_session(c, h->session_id);
		if (s && s->logged_off && cmd != SMB2_ECHO) {
			req->status = STATUS_USER_SESSION_DELETED;
			return true;
		}
		if (!s && d->need_session) {
			/* a related request's inherited session: the chain is bad */
			req->status = req->related ? STATUS_INVALID_PARAMETER : STATUS_USER_SESSION_DELETED;
			return true;
		}
	} else if (d->need_session) {
		req->status = req->related ? STATUS_INVALID_PARAMETER : STATUS_USER_SESSION_DELETED;
		return true;
	}
	if (s && d->need_session) {
		if (s->state == SESS_EXPIRED) {
			req->status = STATUS_NETWORK_SESSION_EXPIRED;
			return true;
		}
		if (s->state != SESS_VALID) {
			req->status = STATUS_USER_SESSION_DELETED;
			return true;
		}
	}
	req->sess = s ? session_get(s) : NULL;
	if (s && s->have_keys && !req->encrypted) {
		if (h->flags & SMB2_FLAGS_SIGNED) {
			if (!check_signature(req, s)) {
				conn_warn(c, "bad signature on %s (mid %llu)", smb2_command_name(cmd),
					  (unsigned long long)h->message_id);
				req->status = STATUS_ACCESS_DENIED;
				session_put(req->sess); /* never sign a reply with a key the peer may not have */
				req->sess = NULL;
				return true;
			}
			req->was_signed = true;
		} else if (s->signing_required && s->state == SESS_VALID && cmd != SMB2_CANCEL &&
			   cmd != SMB2_SESSION_SETUP) {
			req->status = STATUS_ACCESS_DENIED;
			return true;
		}
	}
	if (s && s->encrypt_data && !req->encrypted && s->state == SESS_VALID && cmd != SMB2_SESSION_SETUP &&
	    cmd != SMB2_NEGOTIATE) {
		req->status = STATUS_ACCESS_DENIED;
		return true;
	}
	if (d->need_tree) {
		struct tcon *t = idtable_find(&s->tcons, h->tree_id);
		if (!t) {
			req->status = STATUS_NETWORK_NAME_DELETED;
			return true;
		}
		if (t->encrypt && !req->encrypted) {
			req->status = STATUS_ACCESS_DENIED;
			return true;
		}
		req->tcon = tcon_get(t);
	}
	req->status = d->fn(req);
	return !req->disconnect;
}

/* --- response assembly --- */

#define MAX_COMPOUND 15

struct rsp_slot {
	uint8_t *buf;
	size_t len;
	struct conn_pipe *pipe; /* pipe_len bytes of data after buf (zero-copy READ) */
	size_t pipe_len;
	/* a large reply is signed where it is sent (maybe on an offload thread) */
	bool sign_later;
	uint16_t sign_algo; /* enum smb2_sign_algo */
	uint8_t sign_key[16];
};

static void build_rsp_header(struct conn *c, struct smb2_req *req, uint16_t credits)
{
	if (!req->has_body || req->w.bad) {
		if (req->w.bad) {
			req->status = STATUS_INTERNAL_ERROR;
			log_err("conn %llu: response to %s overflowed its buffer", (unsigned long long)c->id,
				smb2_command_name(req->hdr.command));
		}
		struct wr *w = req_body(req, 16);
		if (!w) {
			req->disconnect = true;
			return;
		}
		wire_error_body_encode(w, NULL, 0);
	}
	struct smb2_hdr rh = {
		.credit_charge = req->hdr.credit_charge,
		.status = req->status.v,
		.command = req->hdr.command,
		.credits = credits,
		.flags = SMB2_FLAGS_SERVER_TO_REDIR | (req->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS),
		.message_id = req->hdr.message_id,
		.tree_id = req->hdr.tree_id,
		.session_id = req->rsp_session_id ? req->rsp_session_id : req->hdr.session_id,
	};
	if (req->async_id) {
		rh.flags |= SMB2_FLAGS_ASYNC_COMMAND;
		rh.async_id = req->async_id;
	}
	wire_hdr_encode(&rh, req->rsp);
}

static bool should_sign(const struct smb2_req *req)
{
	const struct session *s = req->sess;
	if (!s || !s->have_keys || s->guest || s->anonymous || req->encrypted)
		return false;
	if (req->hdr.command == SMB2_NEGOTIATE)
		return false;
	return req->was_signed || s->signing_required || req->sign_with_session;
}

/* Replies at least this large are signed or encrypted on an offload thread,
 * so that the replies of one connection are sealed by several threads at
 * once (the loop thread would otherwise do all of its connections' AES);
 * not when the connection has nothing else in flight (conn_quiet), where
 * the hand-off would only add latency. The same holds for received
 * transforms (rx_enqueue).
 * Replies may then go out in another order than they were made, which SMB2
 * allows: each answers its own MessageId. */
#define SEAL_OFFLOAD_MIN (64 * 1024)

static void sign_buf(enum smb2_sign_algo algo, const uint8_t key[16], uint8_t *buf, size_t len)
{
	uint32_t flags = le32_at(buf + 16);
	wr_le32_at(buf + 16, flags | SMB2_FLAGS_SIGNED);
	struct iovec iov = { .iov_base = buf, .iov_len = len };
	uint8_t sig[16];
	if (!smb2_sign(algo, key, &iov, 1, sig)) {
		log_err("signing a reply failed");
		memset(sig, 0, 16);
	}
	memcpy(buf + SMB2_SIG_OFFSET, sig, 16);
}

static void sign_slot(struct conn *c, struct rsp_slot *r, const struct session *s)
{
	enum smb2_sign_algo algo = c->dialect >= SMB2_DIALECT_300 ? c->sign_algo : SMB2_SIGN_HMAC_SHA256;
	if (r->len < SEAL_OFFLOAD_MIN) {
		sign_buf(algo, s->keys.signing, r->buf, r->len);
		return;
	}
	r->sign_later = true;
	r->sign_algo = (uint16_t)algo;
	memcpy(r->sign_key, s->keys.signing, 16);
}

/* Signs the slots whose signing was left for sending. */
static void sign_pending(struct rsp_slot *slots, int n)
{
	for (int i = 0; i < n; i++) {
		if (!slots[i].sign_later)
			continue;
		sign_buf((enum smb2_sign_algo)slots[i].sign_algo, slots[i].sign_key, slots[i].buf, slots[i].len);
		slots[i].sign_later = false;
		explicit_bzero(slots[i].sign_key, 16);
	}
}

static void free_slots(struct conn *c, struct rsp_slot *slots, int n)
{
	for (int i = 0; i < n; i++) {
		explicit_bzero(slots[i].sign_key, 16);
		free(slots[i].buf);
		if (slots[i].pipe)
			conn_pipe_put(c, slots[i].pipe, false);
		slots[i].pipe = NULL;
	}
}

/* A large reply being signed or encrypted on an offload thread. */
struct seal_job {
	struct conn *c;
	struct rsp_slot slots[MAX_COMPOUND];
	int n;
	enum smb2_cipher cipher;
	uint8_t key[32];
	uint8_t nonce[16];
	uint64_t session_id;
	bool encrypt; /* else only sign */
	uint8_t nb[4 + SMB2_TRANSFORM_HDR_LEN]; /* the length and (encrypting) the transform header */
	uint8_t *ct;
	size_t total;
	bool ok;
};

static void seal_work(void *arg)
{
	struct seal_job *j = arg;
	sign_pending(j->slots, j->n);
	if (!j->encrypt) {
		j->ok = true;
		return;
	}
	struct iovec iov[MAX_COMPOUND];
	for (int i = 0; i < j->n; i++)
		iov[i] = (struct iovec){ .iov_base = j->slots[i].buf, .iov_len = j->slots[i].len };
	j->ok = smb2_encrypt(j->cipher, j->key, j->nonce, j->session_id, iov, j->n, j->nb + 4, j->ct);
}

static void seal_job_free(struct seal_job *j)
{
	free_slots(j->c, j->slots, j->n);
	free(j->ct);
	explicit_bzero(j->key, sizeof(j->key));
	free(j);
}

static void seal_done(struct ev_loop *loop, void *arg)
{
	struct seal_job *j = arg;
	struct conn *c = j->c;
	c->n_pending--;
	if (!loop || c->closing || !j->ok) {
		if (loop && !c->closing)
			conn_close(c, "encryption failed");
		seal_job_free(j);
		conn_release_if_idle(c);
		return;
	}
	struct outmsg *m = outmsg_new();
	if (!m) {
		seal_job_free(j);
		conn_close(c, "out of memory");
		return;
	}
	size_t flen = j->total + (j->encrypt ? SMB2_TRANSFORM_HDR_LEN : 0);
	j->nb[0] = 0;
	j->nb[1] = (uint8_t)(flen >> 16);
	j->nb[2] = (uint8_t)(flen >> 8);
	j->nb[3] = (uint8_t)flen;
	memcpy(m->hdr, j->nb, sizeof(m->hdr));
	if (j->encrypt) {
		outmsg_add(m, m->hdr, 4 + SMB2_TRANSFORM_HDR_LEN, false);
		outmsg_add(m, j->ct, j->total, true);
	} else {
		outmsg_add(m, m->hdr, 4, false);
		for (int i = 0; i < j->n; i++) {
			outmsg_add(m, j->slots[i].buf, j->slots[i].len, true);
			j->slots[i].buf = NULL;
		}
	}
	j->ct = NULL;
	seal_job_free(j);
	conn_send(c, m);
}

/* Hands a large reply to be encrypted (enc_sess) or signed to the offload
 * pool; false if it could not (then the caller does it here). Takes the
 * slots on success. */
static bool seal_offload(struct conn *c, struct rsp_slot *slots, int n, size_t total, struct session *enc_sess)
{
	struct seal_job *j = calloc(1, sizeof(*j));
	if (!j)
		return false;
	j->c = c;
	j->total = total;
	j->encrypt = enc_sess != NULL;
	if (j->encrypt) {
		j->cipher = (enum smb2_cipher)c->cipher;
		j->session_id = enc_sess->id;
		memcpy(j->key, enc_sess->keys.encrypt, sizeof(j->key));
		j->ct = malloc(total);
	}
	memcpy(j->slots, slots, sizeof(slots[0]) * (size_t)n);
	j->n = n;
	if ((j->encrypt && (!j->ct || !smb2_nonce_next(&enc_sess->nonce, j->cipher, j->nonce))) ||
	    offload_submit(c->srv->offload, c->loop, seal_work, seal_done, j) < 0) {
		free(j->ct);
		explicit_bzero(j->key, sizeof(j->key));
		free(j);
		return false; /* the slots stay the caller's */
	}
	c->n_pending++;
	return true;
}

/* Frames and sends replies (encrypted with enc_sess when given); frees them. */
/* Sends (or, with delay_ms, holds back: a failed logon's reply) the
 * replies of one frame. */
static void send_slots(struct conn *c, struct rsp_slot *slots, int n, struct session *enc_sess, uint32_t delay_ms)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += slots[i].len;
	bool sign_later = false;
	for (int i = 0; i < n; i++)
		sign_later |= slots[i].sign_later;
	if (!delay_ms && (enc_sess || sign_later) && total >= SEAL_OFFLOAD_MIN && c->srv->offload &&
	    !conn_quiet(c, total) &&
	    seal_offload(c, slots, n, total, enc_sess))
		return;
	sign_pending(slots, n);
	struct outmsg *m = outmsg_new();
	if (!m) {
		free_slots(c, slots, n);
		conn_close(c, "out of memory");
		return;
	}
	uint8_t *nb = m->hdr;
	if (enc_sess) {
		struct iovec iov[16];
		for (int i = 0; i < n; i++)
			iov[i] = (struct iovec){ .iov_base = slots[i].buf, .iov_len = slots[i].len };
		uint8_t *ct = malloc(total ? total : 1);
		uint8_t nonce[16];
		if (!ct || !smb2_nonce_next(&enc_sess->nonce, (enum smb2_cipher)c->cipher, nonce) ||
		    !smb2_encrypt((enum smb2_cipher)c->cipher, enc_sess->keys.encrypt, nonce, enc_sess->id, iov, n,
				  nb + 4, ct)) {
			free(ct);
			free(m);
			free_slots(c, slots, n);
			conn_close(c, "encryption failed");
			return;
		}
		size_t flen = total + SMB2_TRANSFORM_HDR_LEN;
		nb[0] = 0;
		nb[1] = (uint8_t)(flen >> 16);
		nb[2] = (uint8_t)(flen >> 8);
		nb[3] = (uint8_t)flen;
		outmsg_add(m, nb, 4 + SMB2_TRANSFORM_HDR_LEN, false);
		outmsg_add(m, ct, total, true);
		free_slots(c, slots, n);
	} else {
		/* a pipe only ever comes with a lone, unencrypted reply */
		if (n == 1 && slots[0].pipe) {
			m->pipe = slots[0].pipe;
			m->pipe_left = slots[0].pipe_len;
			m->bytes += m->pipe_left;
			total += m->pipe_left;
			slots[0].pipe = NULL;
		}
		nb[0] = 0;
		nb[1] = (uint8_t)(total >> 16);
		nb[2] = (uint8_t)(total >> 8);
		nb[3] = (uint8_t)total;
		outmsg_add(m, nb, 4, false);
		for (int i = 0; i < n; i++)
			outmsg_add(m, slots[i].buf, slots[i].len, true);
	}
	conn_send_after(c, m, delay_ms);
}

void conn_send_message(struct conn *c, uint8_t *buf, size_t len, struct session *enc_sess)
{
	struct rsp_slot slot = { .buf = buf, .len = len };
	send_slots(c, &slot, 1, enc_sess, 0);
}


/* --- compound chains ([MS-SMB2] 3.3.5.2.7) ---
 * One chain per received frame. Requests run in order; a request whose
 * handler goes asynchronous (offloaded file-system work) suspends the chain
 * until its completion runs on the loop, then the chain carries on. */

struct chain {
	struct conn *c;
	uint8_t *frame; /* owned; requests point into it */
	uint8_t *buf;	/* the SMB2 messages (after a transform header, decrypted) */
	size_t len;
	size_t off;
	uint64_t enc_sess_id; /* 0 unless the frame came encrypted */
	struct rsp_slot slots[MAX_COMPOUND];
	int n;
	int n_reqs;
	struct session *logoffs[MAX_COMPOUND];
	int n_logoff;
	uint32_t delay_ms;
	uint64_t prev_sess;
	uint32_t prev_tree;
	NTSTATUS prev_status; /* of the last CREATE in the chain */
	uint64_t prev_fid_p, prev_fid_v; /* FileId a related request may inherit */
	bool have_prev_fid;
	bool bad_session; /* the chain began with a related request */
	bool first;
	struct smb2_req *req; /* the request in flight (async) */
};

/* A request with an interim reply is done waiting: out of the AsyncId
 * table and its user's count of waiting requests. */
static void async_forget(struct conn *c, struct smb2_req *req)
{
	if (req->async_id && idtable_find(&c->async_reqs, req->async_id) == req)
		idtable_remove(&c->async_reqs, req->async_id);
	if (req->async_usage_key) {
		server_usage_drop(c->srv, req->async_usage_key, USAGE_ASYNC);
		req->async_usage_key = 0;
	}
}

static void req_release(struct smb2_req *req)
{
	async_forget(req->conn, req);
	free(req->rsp);
	if (req->splice_pipe)
		conn_pipe_put(req->conn, req->splice_pipe, false);
	if (req->release)
		req->release(req);
	if (req->tcon)
		tcon_put(req->tcon);
	if (req->sess)
		session_put(req->sess);
	free(req->cred_groups);
	struct conn *c = req->conn;
	if (!c->spare_req)
		c->spare_req = req; /* the next request's (see req_alloc) */
	else
		free(req);
}

/* A zeroed request: the connection's spare one if it has it (no malloc for
 * one request at a time), else a new one. */
static struct smb2_req *req_alloc(struct conn *c)
{
	struct smb2_req *req = c->spare_req;
	if (!req)
		return calloc(1, sizeof(*req));
	c->spare_req = NULL;
	memset(req, 0, sizeof(*req));
	return req;
}

static void chain_free(struct chain *ch)
{
	free_slots(ch->c, ch->slots, ch->n);
	for (int i = 0; i < ch->n_logoff; i++)
		session_put(ch->logoffs[i]);
	free(ch->frame);
	struct conn *c = ch->c;
	if (!c->spare_chain)
		c->spare_chain = ch;
	else
		free(ch);
}

static void chain_drop(struct chain *ch, const char *why)
{
	struct conn *c = ch->c;
	for (int i = 0; i < ch->n_logoff; i++)
		session_unlink(c, ch->logoffs[i], true); /* durable handles outlive a logoff (smb2.durable-open.reopen4) */
	chain_free(ch);
	conn_close(c, why);
}

bool req_reply_may_splice(const struct smb2_req *req)
{
	const struct chain *ch = req->chain;
	return ch && !ch->enc_sess_id && !req->encrypted && ch->n_reqs == 1 && ch->off >= ch->len && ch->n == 0 &&
	       !req->hdr.next_command && !should_sign(req);
}

/* Turns a finished request into a reply slot; false if the connection must go. */
static bool chain_finish_req(struct chain *ch, struct smb2_req *req)
{
	struct conn *c = ch->c;
	if (req->has_body && req->w.bad && req->hdr.command == SMB2_SESSION_SETUP && req->sess && !req->logoff) {
		/* the reply could not be encoded (a bug): a logon the client
		 * never saw succeed must not stay valid */
		req->logoff = session_get(req->sess);
	}
	if (req->logoff) {
		/* the session goes once the chain's replies are out; requests
		 * after this one in the chain find it gone */
		req->logoff->logged_off = true;
		ch->logoffs[ch->n_logoff++] = req->logoff;
		req->logoff = NULL;
	}
	if (req->disconnect)
		return false;
	if (req->delay_ms > ch->delay_ms)
		ch->delay_ms = req->delay_ms;
	ch->prev_sess = req->rsp_session_id ? req->rsp_session_id : req->hdr.session_id;
	if (ch->bad_session)
		ch->prev_sess = 0;
	ch->prev_tree = req->hdr.tree_id;
	if (req->hdr.command == SMB2_CREATE)
		ch->prev_status = req->status; /* [MS-SMB2] 3.3.5.2.7.2: a failed CREATE fails what follows */
	if (req->set_fid) {
		/* the FileId this request created or used is the chain's now */
		ch->prev_fid_p = req->fid_p;
		ch->prev_fid_v = req->fid_v;
		ch->have_prev_fid = true;
	} else if (!req->related) {
		ch->have_prev_fid = false; /* an unrelated request starts afresh */
	}
	ch->first = false;
	if (LOG_ON(LOG_DEBUG) && !NT_OK(req->status))
		conn_debug(c, "%s mid %llu: %s", smb2_command_name(req->hdr.command),
			   (unsigned long long)req->hdr.message_id, nt_status_name(req->status));
	if (req->hdr.command == SMB2_CANCEL)
		return true; /* CANCEL never gets a reply */
	uint16_t credits = 0;
	if (req->async_id)
		async_forget(c, req); /* credits went with the interim reply */
	else
		credits = credits_grant(c, &req->hdr);
	build_rsp_header(c, req, credits);
	if (req->disconnect)
		return false;
	if (req->preauth_rsp) {
		struct iovec v = { .iov_base = req->rsp, .iov_len = req->w.pos };
		smb2_preauth_update(req->preauth_rsp, &v, 1);
	}
	if (req->splice_pipe && !NT_OK(req->status)) {
		conn_pipe_put(c, req->splice_pipe, false); /* an error reply has no data */
		req->splice_pipe = NULL;
	}
	if (req->splice_pipe && !req_reply_may_splice(req)) {
		log_err("conn %llu: READ data in a pipe for a reply that cannot carry it", (unsigned long long)c->id);
		return false;
	}
	struct rsp_slot *r = &ch->slots[ch->n++];
	*r = (struct rsp_slot){ .buf = req->rsp, .len = req->w.pos };
	req->rsp = NULL;
	if (req->splice_pipe) {
		r->pipe = req->splice_pipe;
		r->pipe_len = req->splice_len;
		req->splice_pipe = NULL;
	}
	if (req->hdr.next_command || ch->n > 1) {
		/* Chained: pad to 8 bytes and point at the next reply. The
		 * last reply of a compound is padded too, as Windows does
		 * (smbtorture smb2.compound.compound-padding); a lone reply is not. */
		size_t padded = (r->len + 7) & ~(size_t)7;
		memset(r->buf + r->len, 0, padded - r->len);
		r->len = padded;
		if (req->hdr.next_command)
			wr_le32_at(r->buf + 20, (uint32_t)padded);
	}
	if (should_sign(req))
		sign_slot(c, r, req->sess);
	return true;
}

static void chain_complete(struct chain *ch)
{
	struct conn *c = ch->c;
	struct session *enc = ch->enc_sess_id ? idtable_find(&c->sessions, ch->enc_sess_id) : NULL;
	if (!enc && ch->enc_sess_id) {
		/* e.g. logged off in this very chain: it is still in logoffs */
		for (int i = 0; i < ch->n_logoff; i++)
			if (ch->logoffs[i]->id == ch->enc_sess_id)
				enc = ch->logoffs[i];
	}
	if (ch->n > 0 && ch->enc_sess_id && (!enc || !enc->have_keys)) {
		chain_drop(ch, "session of an encrypted request is gone");
		return;
	}
	if (ch->n > 0) {
		send_slots(c, ch->slots, ch->n, enc, ch->delay_ms);
		ch->n = 0;
	}
	for (int i = 0; i < ch->n_logoff; i++)
		session_unlink(c, ch->logoffs[i], true); /* durable handles outlive a logoff (smb2.durable-open.reopen4) */
	chain_free(ch);
}

static void chain_run(struct chain *ch);

/* [MS-SMB2] 3.3.4.2: tells the client a request will complete later. The
 * replies of the compound so far go out with the interim one. */
bool req_send_interim(struct smb2_req *req)
{
	struct chain *ch = req->chain;
	struct conn *c = ch->c;
	if (req->async_id)
		return true;
	/* Waiting requests (CHANGE_NOTIFY, blocking locks, opens waiting for
	 * a break) hold memory until something happens, and each interim reply
	 * gives the client its credits back: bounded per connection and per
	 * user (`smb3d:max async requests`, `... per user`); past that the
	 * request gets STATUS_INSUFFICIENT_RESOURCES, as from Windows. */
	if (c->async_reqs.count >= (size_t)c->cfg->max_async) {
		conn_warn(c, "%s refused: %d requests already waiting (smb3d:max async requests)",
			  smb2_command_name(req->hdr.command), c->cfg->max_async);
		return false;
	}
	if (req->sess && req->sess->user_key) {
		if (!server_usage_take(c->srv, req->sess->user_key, USAGE_ASYNC, c->cfg->max_async_user)) {
			conn_warn(c, "%s refused: the user has %d requests waiting (smb3d:max async requests per user)",
				  smb2_command_name(req->hdr.command), c->cfg->max_async_user);
			return false;
		}
		req->async_usage_key = req->sess->user_key;
	}
	uint64_t id;
	do {
		id = ++c->next_async_id;
	} while (id == 0 || idtable_find(&c->async_reqs, id));
	if (!idtable_insert(&c->async_reqs, id, req)) {
		async_forget(c, req);
		return false;
	}
	req->async_id = id;
	uint8_t *buf = malloc(SMB2_HDR_LEN + 16);
	if (!buf) {
		async_forget(c, req);
		req->async_id = 0;
		return false;
	}
	struct smb2_hdr rh = {
		.credit_charge = req->hdr.credit_charge,
		.status = STATUS_PENDING.v,
		.command = req->hdr.command,
		.credits = credits_grant(c, &req->hdr),
		.flags = SMB2_FLAGS_SERVER_TO_REDIR | SMB2_FLAGS_ASYNC_COMMAND |
			 (req->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS),
		.message_id = req->hdr.message_id,
		.async_id = id,
		.session_id = req->hdr.session_id,
	};
	wire_hdr_encode(&rh, buf);
	struct wr w = wr_init(buf, SMB2_HDR_LEN + 16);
	w.pos = SMB2_HDR_LEN;
	wire_error_body_encode(&w, NULL, 0);
	struct rsp_slot *r = &ch->slots[ch->n++];
	*r = (struct rsp_slot){ .buf = buf, .len = w.pos };
	if (should_sign(req))
		sign_slot(c, r, req->sess);
	struct session *enc = ch->enc_sess_id ? idtable_find(&c->sessions, ch->enc_sess_id) : NULL;
	if (ch->enc_sess_id && !enc) {
		free_slots(ch->c, ch->slots, ch->n);
		ch->n = 0;
		return true;
	}
	send_slots(c, ch->slots, ch->n, enc, 0);
	ch->n = 0;
	return true;
}

/* CANCEL ([MS-SMB2] 3.3.5.16): finds the request by AsyncId, or by
 * MessageId for one still in progress synchronously. */
NTSTATUS req_reply_cancelled(struct smb2_req *req)
{
	(void)req;
	return STATUS_CANCELLED;
}

static NTSTATUS cmd_cancel(struct smb2_req *req)
{
	struct conn *c = req->conn;
	struct smb2_req *target = NULL;
	if (req->hdr.flags & SMB2_FLAGS_ASYNC_COMMAND) {
		target = idtable_find(&c->async_reqs, req->hdr.async_id);
	} else {
		for (struct smb2_req *p = c->parked; p; p = p->park_next)
			if (p->hdr.message_id == req->hdr.message_id)
				target = p;
	}
	if (target && target->on_cancel)
		target->on_cancel(target);
	return STATUS_SUCCESS;
}

static void req_work_trampoline(void *arg)
{
	struct smb2_req *req = arg;
	/* The thread keeps the identity afterwards (see vfs_become): the next
	 * request of the same session switches for free. */
	if (!req->cred_active)
		vfs_unbecome();
	else if (vfs_become(&req->cred) != 0) {
		req->work_status = STATUS_ACCESS_DENIED;
		log_err("cannot switch to uid %u for a request; refusing it", (unsigned)req->cred.uid);
		return;
	}
	req->work(req);
}

static void req_done_trampoline(struct ev_loop *loop, void *arg)
{
	struct smb2_req *req = arg;
	struct chain *ch = req->chain;
	struct conn *c = ch->c;
	c->n_pending--;
	if (!loop || c->closing) {
		if (loop && req->cancel && !req->cancel(req)) {
			/* the work left a waiter in fsa/ whose wake-up is
			 * already queued: that finishes it, as for a parked one */
			req_park(req);
			return;
		}
		req_release(req);
		ch->req = NULL;
		chain_free(ch);
		conn_release_if_idle(c);
		return;
	}
	req_resume(req, req->done);
}

void req_resume(struct smb2_req *req, NTSTATUS (*done)(struct smb2_req *))
{
	struct chain *ch = req->chain;
	struct conn *c = ch->c;
	if (c->closing) {
		/* nobody to answer: the caller owned the request, so it ends here */
		req_abandon(req);
		conn_release_if_idle(c);
		return;
	}
	ch->req = NULL;
	req->went_async = false;
	req->status = done ? done(req) : req->work_status;
	if (NT_EQ(req->status, STATUS_PENDING) && (req->parked || req->went_async)) {
		ch->req = req; /* parked or offloaded again: resumed later */
		return;
	}
	bool ok = chain_finish_req(ch, req);
	req_release(req);
	if (!ok) {
		chain_drop(ch, "protocol violation");
		return;
	}
	chain_run(ch);
}

NTSTATUS req_offload(struct smb2_req *req, void (*work)(struct smb2_req *), NTSTATUS (*done)(struct smb2_req *))
{
	struct conn *c = req->conn;
	req->work = work;
	req->done = done;
	req->work_status = STATUS_SUCCESS;
	if (req->cred_from_open) {
		req->cred_active = true; /* conn_open_lookup set the opener's identity */
	} else if (c->srv->is_root && req->sess) {
		struct session *s = req->sess;
		const struct tcon *t = req->tcon && req->tcon->forced ? req->tcon : NULL; /* force user/group */
		const gid_t *groups = t ? t->f_groups : s->groups;
		int n_groups = t ? t->f_n_groups : s->n_groups;
		req->cred.uid = t ? t->f_uid : s->uid;
		req->cred.gid = t ? t->f_gid : s->gid;
		req->cred.n_groups = 0;
		free(req->cred_groups); /* offloaded again (e.g. an open retried after a break) */
		req->cred_groups = NULL;
		if (n_groups > 0) {
			req->cred_groups = malloc(sizeof(gid_t) * (size_t)n_groups);
			if (!req->cred_groups)
				return STATUS_NO_MEMORY;
			memcpy(req->cred_groups, groups, sizeof(gid_t) * (size_t)n_groups);
			req->cred.n_groups = n_groups;
		}
		req->cred.groups = req->cred_groups;
		req->cred_active = true;
	}
	offload_submit_job(c->srv->offload, &req->job, c->loop, req_work_trampoline, req_done_trampoline, req);
	req->went_async = true;
	c->n_pending++;
	return STATUS_PENDING;
}

void req_park(struct smb2_req *req)
{
	struct conn *c = req->conn;
	req->parked = true;
	req->park_prev = NULL;
	req->park_next = c->parked;
	if (c->parked)
		c->parked->park_prev = req;
	c->parked = req;
	c->n_pending++;
}

void req_unpark(struct smb2_req *req)
{
	struct conn *c = req->conn;
	if (!req->parked)
		return;
	if (req->park_prev)
		req->park_prev->park_next = req->park_next;
	else
		c->parked = req->park_next;
	if (req->park_next)
		req->park_next->park_prev = req->park_prev;
	req->parked = false;
	c->n_pending--;
}

void req_abandon(struct smb2_req *req)
{
	struct chain *ch = req->chain;
	ch->req = NULL;
	req_release(req);
	chain_free(ch);
}

/* From conn_free_deferred() only, never while a request is being
 * dispatched: a parked request the cancel hook claims (its waiter was still
 * linked, so no wake-up is on its way) is finished here; one it does not
 * claim is finished by the wake-up already queued. */
void conn_cancel_parked(struct conn *c)
{
	struct smb2_req *req = c->parked;
	while (req) {
		struct smb2_req *next = req->park_next;
		if (!req->cancel || req->cancel(req)) {
			req_unpark(req);
			req_abandon(req);
		}
		req = next;
	}
}

static void chain_run(struct chain *ch)
{
	struct conn *c = ch->c;
	for (;;) {
		if (c->closing) {
			/* a reply failed to send (or a request ended the
			 * connection): the rest of the compound is not run */
			chain_drop(ch, NULL);
			return;
		}
		if (ch->off >= ch->len) {
			chain_complete(ch);
			return;
		}
		size_t remain = ch->len - ch->off;
		struct smb2_req *req = req_alloc(c);
		if (!req) {
			chain_drop(ch, "out of memory");
			return;
		}
		req->conn = c;
		req->chain = ch;
		req->encrypted = ch->enc_sess_id != 0;
		if (!wire_hdr_decode(ch->buf + ch->off, remain, &req->hdr)) {
			conn_warn(c, "malformed SMB2 header; disconnecting");
			goto drop;
		}
		uint32_t next = req->hdr.next_command;
		if (next && (next < SMB2_HDR_LEN || next > remain || (next & 7))) {
			conn_warn(c, "bad NextCommand %u; disconnecting", next);
			goto drop;
		}
		if (ch->n_reqs == MAX_COMPOUND) {
			conn_warn(c, "compound chain longer than %d; disconnecting", MAX_COMPOUND);
			goto drop;
		}
		ch->n_reqs++;
		req->msg = ch->buf + ch->off;
		req->len = next ? next : remain;
		ch->off = next ? ch->off + next : ch->len;
		bool related = req->hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS;
		if (related && !ch->first) {
			req->hdr.session_id = ch->prev_sess;
			req->hdr.tree_id = ch->prev_tree;
			req->related = true;
			req->inherit_fid = ch->have_prev_fid;
			req->prev_fid_p = ch->prev_fid_p;
			req->prev_fid_v = ch->prev_fid_v;
		}
		if (ch->enc_sess_id && req->hdr.session_id != ch->enc_sess_id) {
			/* 3.3.5.2.10: an encrypted message must stay in its session */
			conn_warn(c, "encrypted request for another session; disconnecting");
			goto drop;
		}
		bool keep;
		if (related && ch->first) {
			keep = c->state == CONN_NEGOTIATED &&
			       (req->hdr.command == SMB2_CANCEL || credits_consume(c, &req->hdr));
			req->status = STATUS_INVALID_PARAMETER;
			ch->bad_session = true; /* related ones after it have no session to inherit */
		} else if (related && NT_ERR(ch->prev_status) && req->hdr.command != SMB2_CANCEL) {
			keep = c->state == CONN_NEGOTIATED && credits_consume(c, &req->hdr);
			req->status = ch->prev_status;
		} else {
			keep = dispatch_one(c, req);
		}
		if (!keep)
			goto drop;
		if (req->went_async || req->parked) {
			ch->req = req;
			return; /* resumed by req_done_trampoline or req_resume */
		}
		if (!chain_finish_req(ch, req))
			goto drop;
		req_release(req);
		continue;
drop:
		if (req->logoff) {
			ch->logoffs[ch->n_logoff++] = req->logoff;
			req->logoff = NULL;
		}
		req_release(req);
		chain_drop(ch, "protocol violation");
		return;
	}
}

/* Takes ownership of frame; buf/len are the SMB2 messages inside it. */
static void process_smb2(struct conn *c, uint8_t *frame, uint8_t *buf, size_t len, uint64_t enc_sess_id)
{
	struct chain *ch = c->spare_chain;
	if (ch) {
		c->spare_chain = NULL;
		memset(ch, 0, sizeof(*ch));
	} else {
		ch = calloc(1, sizeof(*ch));
	}
	if (!ch) {
		free(frame);
		conn_close(c, "out of memory");
		return;
	}
	ch->c = c;
	ch->frame = frame;
	ch->buf = buf;
	ch->len = len;
	ch->enc_sess_id = enc_sess_id;
	ch->first = true;
	ch->prev_status = STATUS_SUCCESS;
	chain_run(ch);
}

static void process_smb1(struct conn *c, uint8_t *buf, size_t len)
{
	struct smb1_neg neg;
	if (c->state != CONN_INITIAL || !wire_smb1_neg_decode(buf, len, &neg)) {
		conn_warn(c, "SMB1 message refused (smb3d speaks SMB2/3 only); disconnecting");
		conn_close(c, "SMB1");
		return;
	}
	uint16_t dialect = 0;
	if (neg.has_smb2_wild && c->cfg->max_protocol >= SMB2_DIALECT_210)
		dialect = SMB2_DIALECT_WILDCARD;
	else if (neg.has_smb2_002 && c->cfg->min_protocol <= SMB2_DIALECT_202)
		dialect = SMB2_DIALECT_202;
	if (!dialect) {
		conn_warn(c, "SMB1-only client (no usable \"SMB 2.002\" or \"SMB 2.???\" dialect); disconnecting");
		conn_close(c, "SMB1 only");
		return;
	}
	struct smb2_req req = { .conn = c };
	req.hdr.command = SMB2_NEGOTIATE;
	req.status = negotiate_from_smb1(&req, dialect);
	if (!NT_OK(req.status) || req.disconnect) {
		free(req.rsp);
		conn_close(c, "negotiate failed");
		return;
	}
	/* The SMB1 request used message id 0: the next one is 1. */
	c->seq_low = 1;
	c->seq_range = 0;
	c->credits_granted = 0;
	req.hdr.credits = 1;
	uint16_t credits = credits_grant(c, &req.hdr);
	build_rsp_header(c, &req, credits);
	struct rsp_slot slot = { .buf = req.rsp, .len = req.w.pos };
	send_slots(c, &slot, 1, NULL, 0);
}

static void process_frame_now(struct conn *c, uint8_t *buf, size_t len)
{
	if (len < 4) {
		free(buf);
		conn_close(c, "short frame");
		return;
	}
	uint32_t proto = le32_at(buf);
	if (proto == SMB2_PROTO) {
		process_smb2(c, buf, buf, len, 0);
		return;
	}
	if (proto == SMB2_TRANSFORM_PROTO) {
		struct smb2_transform_hdr th;
		if (c->dialect < SMB2_DIALECT_300 || !wire_transform_decode(buf, len, &th) ||
		    th.original_size != len - SMB2_TRANSFORM_HDR_LEN || th.original_size < SMB2_HDR_LEN) {
			conn_warn(c, "malformed transform header; disconnecting");
			conn_close(c, "bad transform");
			goto out;
		}
		struct session *s = lookup_session(c, th.session_id);
		if (!s || !s->have_keys || c->cipher == SMB2_CIPHER_NONE) {
			conn_warn(c, "encrypted message for unknown session; disconnecting");
			conn_close(c, "bad transform session");
			goto out;
		}
		uint8_t *data = buf + SMB2_TRANSFORM_HDR_LEN;
		if (!smb2_decrypt((enum smb2_cipher)c->cipher, s->keys.decrypt, buf, data, th.original_size)) {
			conn_warn(c, "decryption failed; disconnecting");
			conn_close(c, "decrypt failed");
			goto out;
		}
		if (le32_at(data) != SMB2_PROTO) {
			conn_close(c, "bad decrypted message");
			goto out;
		}
		process_smb2(c, buf, data, th.original_size, s->id);
		return;
	}
	if (proto == SMB1_PROTO) {
		process_smb1(c, buf, len);
	} else {
		conn_warn(c, "unknown protocol id 0x%08x; disconnecting", proto);
		conn_close(c, "unknown protocol");
	}
out:
	free(buf);
}

/* --- large encrypted requests, decrypted on offload threads ---
 * A transform of at least SEAL_OFFLOAD_MIN bytes (a large WRITE) is
 * decrypted on an offload thread, so that one connection's requests are
 * decrypted by several threads at once. Frames are still processed in the
 * order they arrived: while any is being decrypted, later frames wait in
 * the connection's receive queue behind it. */

struct rx_frame {
	struct rx_frame *next;
	struct conn *c;
	uint8_t *buf;
	size_t len;
	bool decrypting; /* a transform handed to an offload thread */
	bool ready;	 /* may be processed (decrypted, or needing nothing) */
	bool ok;
	enum smb2_cipher cipher;
	uint8_t key[32];
	uint64_t session_id;
};

static void rx_free(struct rx_frame *f)
{
	explicit_bzero(f->key, sizeof(f->key));
	free(f->buf);
	free(f);
}

void conn_rx_queue_free(struct conn *c)
{
	while (c->rx_head) {
		struct rx_frame *f = c->rx_head;
		c->rx_head = f->next;
		rx_free(f);
	}
	c->rx_tail = NULL;
}

static void rx_decrypt_work(void *arg)
{
	struct rx_frame *f = arg;
	f->ok = smb2_decrypt(f->cipher, f->key, f->buf, f->buf + SMB2_TRANSFORM_HDR_LEN,
			     f->len - SMB2_TRANSFORM_HDR_LEN);
	explicit_bzero(f->key, sizeof(f->key));
}

/* Processes the frames at the head of the queue that are ready. */
static void rx_drain(struct conn *c)
{
	while (c->rx_head && c->rx_head->ready && !c->closing) {
		struct rx_frame *f = c->rx_head;
		c->rx_head = f->next;
		if (!c->rx_head)
			c->rx_tail = NULL;
		uint8_t *buf = f->buf;
		size_t len = f->len;
		f->buf = NULL;
		if (!f->decrypting) {
			process_frame_now(c, buf, len);
		} else if (!f->ok) {
			conn_warn(c, "decryption failed; disconnecting");
			conn_close(c, "decrypt failed");
			free(buf);
		} else if (le32_at(buf + SMB2_TRANSFORM_HDR_LEN) != SMB2_PROTO) {
			conn_close(c, "bad decrypted message");
			free(buf);
		} else {
			process_smb2(c, buf, buf + SMB2_TRANSFORM_HDR_LEN, len - SMB2_TRANSFORM_HDR_LEN, f->session_id);
		}
		rx_free(f);
	}
}

static void rx_decrypt_done(struct ev_loop *loop, void *arg)
{
	struct rx_frame *f = arg;
	struct conn *c = f->c;
	c->n_pending--;
	f->ready = true;
	if (!loop || c->closing) {
		conn_release_if_idle(c); /* the queue goes with the connection */
		return;
	}
	rx_drain(c);
}

/* Queues a frame behind others, or hands a large transform to an offload
 * thread; false if it must be processed now (nothing queued, not large). */
static bool rx_enqueue(struct conn *c, uint8_t *buf, size_t len)
{
	bool big = len >= SEAL_OFFLOAD_MIN && len > SMB2_TRANSFORM_HDR_LEN && le32_at(buf) == SMB2_TRANSFORM_PROTO &&
		   c->srv->offload && !conn_quiet(c, len - SMB2_TRANSFORM_HDR_LEN);
	if (!c->rx_head && !big)
		return false;
	struct rx_frame *f = calloc(1, sizeof(*f));
	if (!f) {
		if (c->rx_head) { /* order matters more than this frame */
			free(buf);
			conn_close(c, "out of memory");
			return true;
		}
		return false;
	}
	f->c = c;
	f->buf = buf;
	f->len = len;
	f->ready = true;
	if (big) {
		struct smb2_transform_hdr th;
		struct session *s = NULL;
		if (c->dialect >= SMB2_DIALECT_300 && wire_transform_decode(buf, len, &th) &&
		    th.original_size == len - SMB2_TRANSFORM_HDR_LEN && th.original_size >= SMB2_HDR_LEN)
			s = lookup_session(c, th.session_id);
		if (s && s->have_keys && c->cipher != SMB2_CIPHER_NONE) {
			f->decrypting = true;
			f->ready = false;
			f->cipher = (enum smb2_cipher)c->cipher;
			f->session_id = s->id;
			memcpy(f->key, s->keys.decrypt, sizeof(f->key));
			if (offload_submit(c->srv->offload, c->loop, rx_decrypt_work, rx_decrypt_done, f) < 0) {
				f->decrypting = false; /* processed in order, decrypted then */
				f->ready = true;
				explicit_bzero(f->key, sizeof(f->key));
			} else {
				c->n_pending++;
			}
		}
		/* anything wrong with the header: process_frame_now says so, in order */
	}
	if (c->rx_tail)
		c->rx_tail->next = f;
	else
		c->rx_head = f;
	c->rx_tail = f;
	rx_drain(c);
	return true;
}

void conn_process_frame(struct conn *c, uint8_t *buf, size_t len)
{
	if (rx_enqueue(c, buf, len))
		return;
	process_frame_now(c, buf, len);
}

void conn_free_spares(struct conn *c)
{
	free(c->spare_req);
	free(c->spare_chain);
	c->spare_req = NULL;
	c->spare_chain = NULL;
}
