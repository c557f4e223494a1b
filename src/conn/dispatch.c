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

struct cmd_desc {
	smb2_handler fn;
	bool need_session;
	bool need_tree;
};

static NTSTATUS cmd_not_supported(struct smb2_req *req)
{
	return STATUS_NOT_SUPPORTED;
}

static NTSTATUS cmd_cancel(struct smb2_req *req)
{
	/* Nothing runs asynchronously yet, so there is nothing to cancel;
	 * CANCEL never gets a response of its own ([MS-SMB2] 3.3.5.16). */
	return STATUS_SUCCESS;
}

static const struct cmd_desc cmd_table[SMB2_COMMAND_COUNT] = {
	[SMB2_NEGOTIATE] = { cmd_negotiate, false, false },
	[SMB2_SESSION_SETUP] = { cmd_session_setup, false, false },
	[SMB2_LOGOFF] = { cmd_logoff, true, false },
	[SMB2_TREE_CONNECT] = { cmd_tree_connect, true, false },
	[SMB2_TREE_DISCONNECT] = { cmd_tree_disconnect, true, true },
	[SMB2_CREATE] = { cmd_not_supported, true, true },
	[SMB2_CLOSE] = { cmd_not_supported, true, true },
	[SMB2_FLUSH] = { cmd_not_supported, true, true },
	[SMB2_READ] = { cmd_not_supported, true, true },
	[SMB2_WRITE] = { cmd_not_supported, true, true },
	[SMB2_LOCK] = { cmd_not_supported, true, true },
	[SMB2_IOCTL] = { cmd_ioctl, true, true },
	[SMB2_CANCEL] = { cmd_cancel, false, false },
	[SMB2_ECHO] = { cmd_echo, false, false },
	[SMB2_QUERY_DIRECTORY] = { cmd_not_supported, true, true },
	[SMB2_CHANGE_NOTIFY] = { cmd_not_supported, true, true },
	[SMB2_QUERY_INFO] = { cmd_not_supported, true, true },
	[SMB2_SET_INFO] = { cmd_not_supported, true, true },
	[SMB2_OPLOCK_BREAK] = { cmd_not_supported, true, true },
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
	if (req->len < SMB2_HDR_LEN + 2 || le16_at(req->msg + SMB2_HDR_LEN) != wire_req_structure_size(cmd)) {
		req->status = STATUS_INVALID_PARAMETER;
		return true;
	}
	const struct cmd_desc *d = &cmd_table[cmd];

	struct session *s = NULL;
	if (h->session_id && (d->need_session || cmd == SMB2_SESSION_SETUP || cmd == SMB2_ECHO)) {
		s = lookup_session(c, h->session_id);
		if (!s && d->need_session) {
			req->status = STATUS_USER_SESSION_DELETED;
			return true;
		}
	} else if (d->need_session) {
		req->status = STATUS_USER_SESSION_DELETED;
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
	req->sess = s;
	if (s && s->have_keys && !req->encrypted) {
		if (h->flags & SMB2_FLAGS_SIGNED) {
			if (!check_signature(req, s)) {
				conn_warn(c, "bad signature on %s (mid %llu)", smb2_command_name(cmd),
					  (unsigned long long)h->message_id);
				req->status = STATUS_ACCESS_DENIED;
				req->sess = NULL; /* never sign a reply with a key the peer may not have */
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
		req->tcon = t;
	}
	req->status = d->fn(req);
	return !req->disconnect;
}

/* --- response assembly --- */

struct rsp_slot {
	uint8_t *buf;
	size_t len;
	struct session *sign_sess; /* NULL: unsigned */
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
	wire_hdr_encode(&rh, req->rsp);
}

static bool should_sign(const struct smb2_req *req, struct session *s)
{
	if (!s || !s->have_keys || s->guest || s->anonymous || req->encrypted)
		return false;
	if (req->hdr.command == SMB2_NEGOTIATE)
		return false;
	return req->was_signed || s->signing_required || req->sign_with_session;
}

static void sign_slot(struct conn *c, struct rsp_slot *r)
{
	struct session *s = r->sign_sess;
	uint32_t flags = le32_at(r->buf + 16);
	wr_le32_at(r->buf + 16, flags | SMB2_FLAGS_SIGNED);
	struct iovec iov = { .iov_base = r->buf, .iov_len = r->len };
	uint8_t sig[16];
	if (!smb2_sign(c->dialect >= SMB2_DIALECT_300 ? c->sign_algo : SMB2_SIGN_HMAC_SHA256, s->keys.signing, &iov,
		       1, sig)) {
		log_err("conn %llu: signing failed", (unsigned long long)c->id);
		memset(sig, 0, 16);
	}
	memcpy(r->buf + SMB2_SIG_OFFSET, sig, 16);
}

static void send_slots(struct conn *c, struct rsp_slot *slots, int n, struct session *enc_sess)
{
	size_t total = 0;
	for (int i = 0; i < n; i++)
		total += slots[i].len;
	struct outmsg *m = outmsg_new();
	if (!m) {
		conn_close(c, "out of memory");
		goto free_all;
	}
	uint8_t *nb = malloc(4 + (enc_sess ? SMB2_TRANSFORM_HDR_LEN : 0));
	if (!nb) {
		free(m);
		conn_close(c, "out of memory");
		goto free_all;
	}
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
			free(nb);
			free(m);
			conn_close(c, "encryption failed");
			goto free_all;
		}
		size_t flen = total + SMB2_TRANSFORM_HDR_LEN;
		nb[0] = 0;
		nb[1] = (uint8_t)(flen >> 16);
		nb[2] = (uint8_t)(flen >> 8);
		nb[3] = (uint8_t)flen;
		outmsg_add(m, nb, 4 + SMB2_TRANSFORM_HDR_LEN, true);
		outmsg_add(m, ct, total, true);
		for (int i = 0; i < n; i++)
			free(slots[i].buf);
	} else {
		nb[0] = 0;
		nb[1] = (uint8_t)(total >> 16);
		nb[2] = (uint8_t)(total >> 8);
		nb[3] = (uint8_t)total;
		outmsg_add(m, nb, 4, true);
		for (int i = 0; i < n; i++)
			outmsg_add(m, slots[i].buf, slots[i].len, true);
	}
	conn_send(c, m);
	return;
free_all:
	for (int i = 0; i < n; i++)
		free(slots[i].buf);
}

#define MAX_COMPOUND 15

struct delayed_send {
	struct ev_timer timer;
	struct conn *conn;
	struct rsp_slot slots[MAX_COMPOUND];
	int n;
	struct session *enc_sess;
};

static void delayed_send_cb(struct ev_loop *loop, struct ev_timer *t)
{
	struct delayed_send *d = t->data;
	struct conn *c = d->conn;
	c->delayed = NULL;
	send_slots(c, d->slots, d->n, NULL);
	free(d);
}

void conn_cancel_delayed(struct conn *c)
{
	struct delayed_send *d = c->delayed;
	if (!d)
		return;
	ev_timer_stop(c->loop, &d->timer);
	for (int i = 0; i < d->n; i++)
		free(d->slots[i].buf);
	free(d);
	c->delayed = NULL;
}

/* Processes an SMB2 message chain (already decrypted if it came encrypted). */
static void process_smb2(struct conn *c, uint8_t *buf, size_t len, struct session *enc_sess)
{
	struct rsp_slot slots[MAX_COMPOUND];
	struct session *logoffs[MAX_COMPOUND];
	int n = 0, n_logoff = 0;
	uint32_t delay_ms = 0;
	size_t off = 0;
	uint64_t prev_sess = 0;
	uint32_t prev_tree = 0;
	NTSTATUS prev_status = STATUS_SUCCESS;
	bool first = true;

	for (;;) {
		size_t remain = len - off;
		struct smb2_req req = { .conn = c, .encrypted = enc_sess != NULL };
		if (!wire_hdr_decode(buf + off, remain, &req.hdr)) {
			conn_warn(c, "malformed SMB2 header; disconnecting");
			goto drop;
		}
		uint32_t next = req.hdr.next_command;
		if (next && (next < SMB2_HDR_LEN || next > remain || (next & 7))) {
			conn_warn(c, "bad NextCommand %u; disconnecting", next);
			goto drop;
		}
		if (n == MAX_COMPOUND) {
			conn_warn(c, "compound chain longer than %d; disconnecting", MAX_COMPOUND);
			goto drop;
		}
		req.msg = buf + off;
		req.len = next ? next : remain;
		bool related = req.hdr.flags & SMB2_FLAGS_RELATED_OPERATIONS;
		if (related && !first) {
			req.hdr.session_id = prev_sess;
			req.hdr.tree_id = prev_tree;
		}
		if (enc_sess && req.hdr.session_id != enc_sess->id) {
			/* 3.3.5.2.10: an encrypted message must stay in its session */
			conn_warn(c, "encrypted request for another session; disconnecting");
			goto drop;
		}
		bool keep;
		if (related && first) {
			keep = c->state == CONN_NEGOTIATED &&
			       (req.hdr.command == SMB2_CANCEL || credits_consume(c, &req.hdr));
			req.status = STATUS_INVALID_PARAMETER;
		} else if (related && NT_ERR(prev_status) && req.hdr.command != SMB2_CANCEL) {
			keep = c->state == CONN_NEGOTIATED && credits_consume(c, &req.hdr);
			req.status = prev_status;
		} else {
			keep = dispatch_one(c, &req);
		}
		if (req.logoff)
			logoffs[n_logoff++] = req.logoff;
		if (!keep) {
			free(req.rsp);
			goto drop;
		}
		if (req.delay_ms > delay_ms)
			delay_ms = req.delay_ms;
		prev_sess = req.rsp_session_id ? req.rsp_session_id : req.hdr.session_id;
		prev_tree = req.hdr.tree_id;
		prev_status = req.status;
		first = false;
		if (req.hdr.command == SMB2_CANCEL) {
			free(req.rsp);
		} else {
			uint16_t credits = credits_grant(c, &req.hdr);
			build_rsp_header(c, &req, credits);
			if (req.disconnect) {
				free(req.rsp);
				goto drop;
			}
			if (req.preauth_rsp) {
				struct iovec v = { .iov_base = req.rsp, .iov_len = req.w.pos };
				smb2_preauth_update(req.preauth_rsp, &v, 1);
			}
			struct session *ss = req.sign_sess ? req.sign_sess : req.sess;
			struct rsp_slot *r = &slots[n++];
			*r = (struct rsp_slot){ .buf = req.rsp, .len = req.w.pos };
			if (next) {
				/* Chained: pad to 8 bytes and point at the next reply. */
				size_t padded = (r->len + 7) & ~(size_t)7;
				memset(r->buf + r->len, 0, padded - r->len);
				r->len = padded;
				wr_le32_at(r->buf + 20, (uint32_t)padded);
			}
			if (should_sign(&req, ss)) {
				r->sign_sess = ss;
				sign_slot(c, r);
			}
		}
		if (!next)
			break;
		off += next;
	}
	if (n > 0 && delay_ms && !enc_sess && !c->delayed) {
		struct delayed_send *d = malloc(sizeof(*d));
		if (d) {
			d->conn = c;
			memcpy(d->slots, slots, sizeof(slots[0]) * (size_t)n);
			d->n = n;
			ev_timer_init(&d->timer, delayed_send_cb, d);
			ev_timer_start(c->loop, &d->timer, delay_ms);
			c->delayed = d;
			n = 0;
		}
	}
	if (n > 0)
		send_slots(c, slots, n, enc_sess);
	for (int i = 0; i < n_logoff; i++)
		session_free(c, logoffs[i]);
	return;
drop:
	for (int i = 0; i < n; i++)
		free(slots[i].buf);
	for (int i = 0; i < n_logoff; i++)
		session_free(c, logoffs[i]);
	conn_close(c, "protocol violation");
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
	else if (neg.has_smb2_002)
		dialect = SMB2_DIALECT_202;
	if (!dialect) {
		conn_warn(c, "SMB1-only client (no \"SMB 2.002\" or \"SMB 2.???\" dialect); disconnecting");
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
	send_slots(c, &slot, 1, NULL);
}

void conn_process_frame(struct conn *c, uint8_t *buf, size_t len)
{
	if (len < 4) {
		conn_close(c, "short frame");
		return;
	}
	uint32_t proto = le32_at(buf);
	if (proto == SMB2_PROTO) {
		process_smb2(c, buf, len, NULL);
	} else if (proto == SMB2_TRANSFORM_PROTO) {
		struct smb2_transform_hdr th;
		if (c->dialect < SMB2_DIALECT_300 || !wire_transform_decode(buf, len, &th) ||
		    th.original_size != len - SMB2_TRANSFORM_HDR_LEN || th.original_size < SMB2_HDR_LEN) {
			conn_warn(c, "malformed transform header; disconnecting");
			conn_close(c, "bad transform");
			return;
		}
		struct session *s = lookup_session(c, th.session_id);
		if (!s || !s->have_keys || c->cipher == SMB2_CIPHER_NONE) {
			conn_warn(c, "encrypted message for unknown session; disconnecting");
			conn_close(c, "bad transform session");
			return;
		}
		uint8_t *data = buf + SMB2_TRANSFORM_HDR_LEN;
		if (!smb2_decrypt((enum smb2_cipher)c->cipher, s->keys.decrypt, buf, data, th.original_size)) {
			conn_warn(c, "decryption failed; disconnecting");
			conn_close(c, "decrypt failed");
			return;
		}
		if (le32_at(data) != SMB2_PROTO) {
			conn_close(c, "bad decrypted message");
			return;
		}
		process_smb2(c, data, th.original_size, s);
	} else if (proto == SMB1_PROTO) {
		process_smb1(c, buf, len);
	} else {
		conn_warn(c, "unknown protocol id 0x%08x; disconnecting", proto);
		conn_close(c, "unknown protocol");
	}
}
