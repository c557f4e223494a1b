/* Connection lifecycle and socket I/O: Direct TCP framing ([MS-SMB2] 2.1:
 * a zero byte and a 24-bit big-endian length), frame size caps, and a
 * non-blocking writev output queue with backpressure. Protocol handling is
 * in dispatch.c. */
#include "conn/conn.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "auth/auth.h"
#include "config/config.h"
#include "conn/opens.h"
#include "server/server.h"

static void conn_io_cb(struct ev_loop *loop, struct ev_io *io, uint32_t revents);

static void hold_cb(struct ev_loop *loop, struct ev_timer *t);

/* The logon timer (`smb3d:logon timeout`): runs from accept until a session
 * is authenticated, and again once the last authenticated session is gone.
 * Whatever else the client sends meanwhile (a first NTLM leg, ECHOs) does
 * not stop it: a connection nobody logged on to costs a descriptor and up
 * to CONN_PREAUTH_MAX_FRAME of memory, so it does not last. */
static void idle_cb(struct ev_loop *loop, struct ev_timer *t)
{
	(void)loop;
	struct conn *c = t->data;
	if (c->n_sessions_valid == 0) {
		conn_warn(c, "no session authenticated within %d s (smb3d:logon timeout); disconnecting",
			  c->cfg->logon_timeout_ms / 1000);
		conn_close(c, "logon timeout");
	}
}

static void unacked_cb(struct ev_loop *loop, struct ev_timer *t)
{
	(void)loop;
	conn_close(t->data, "a break was not acknowledged by the transport (smbtorture hook)");
}

/* In or out of the set's queue of connections nobody has logged on to. */
static void preauth_enter(struct conn *c)
{
	struct conn_set *set = c->set;
	if (!set || c->in_preauth)
		return;
	c->in_preauth = true;
	c->preauth_next = NULL;
	c->preauth_prev = set->preauth_tail;
	if (set->preauth_tail)
		set->preauth_tail->preauth_next = c;
	else
		set->preauth_head = c;
	set->preauth_tail = c;
	set->n_preauth++;
}

static void preauth_leave(struct conn *c)
{
	struct conn_set *set = c->set;
	if (!set || !c->in_preauth)
		return;
	if (c->preauth_prev)
		c->preauth_prev->preauth_next = c->preauth_next;
	else
		set->preauth_head = c->preauth_next;
	if (c->preauth_next)
		c->preauth_next->preauth_prev = c->preauth_prev;
	else
		set->preauth_tail = c->preauth_prev;
	c->preauth_next = c->preauth_prev = NULL;
	c->in_preauth = false;
	set->n_preauth--;
}

struct conn *conn_new(struct server *srv, struct ev_loop *loop, int fd, const struct sockaddr_storage *peer,
		      struct conn_set *set)
{
	struct conn *c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->seq_bitmap = calloc(CONN_MAX_CREDITS * 2 / 8, 1);
	if (!c->seq_bitmap) {
		free(c);
		return NULL;
	}
	c->id = atomic_fetch_add(&srv->next_conn_id, 1) + 1;
	c->srv = srv;
	c->cfg = server_config_get(srv);
	c->loop = loop;
	c->fd = fd;
	c->peer_addr = *peer;
	char host[INET6_ADDRSTRLEN] = "?";
	uint16_t port = 0;
	if (peer->ss_family == AF_INET) {
		const struct sockaddr_in *a = (const struct sockaddr_in *)peer;
		inet_ntop(AF_INET, &a->sin_addr, host, sizeof(host));
		port = ntohs(a->sin_port);
	} else if (peer->ss_family == AF_INET6) {
		const struct sockaddr_in6 *a = (const struct sockaddr_in6 *)peer;
		inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof(host));
		port = ntohs(a->sin6_port);
	}
	snprintf(c->peer, sizeof(c->peer), "%s:%u", host, port);
	c->seq_low = 0;
	c->seq_range = 1;
	c->credits_granted = 1;
	c->max_io = 65536;
	idtable_init(&c->sessions);
	idtable_init(&c->opens);
	idtable_init(&c->async_reqs);
	c->log_rl = (struct ratelimit){ .burst = 20, .interval_ms = 10000 };
	c->io = (struct ev_io){ .fd = fd, .cb = conn_io_cb, .data = c };
	if (ev_io_add(loop, &c->io, EPOLLIN | EPOLLRDHUP) < 0) {
		config_put(c->cfg);
		free(c->seq_bitmap);
		free(c);
		return NULL;
	}
	ev_timer_init(&c->idle_timer, idle_cb, c);
	ev_timer_init(&c->unacked_timer, unacked_cb, c);
	ev_timer_init(&c->hold_timer, hold_cb, c);
	ev_timer_start(loop, &c->idle_timer, (uint64_t)c->cfg->logon_timeout_ms);
	atomic_fetch_add(&srv->n_conns, 1);
	c->set = set;
	if (set) {
		c->next = set->all;
		if (set->all)
			set->all->prev = c;
		set->all = c;
	}
	preauth_enter(c);
	conn_debug(c, "connected");
	return c;
}

struct outmsg *outmsg_new(void)
{
	return calloc(1, sizeof(struct outmsg));
}

void outmsg_add(struct outmsg *m, void *buf, size_t len, bool owned)
{
	if (m->iovcnt < 16) {
		m->iov[m->iovcnt++] = (struct iovec){ .iov_base = buf, .iov_len = len };
		m->bytes += len;
	}
	if (owned && m->n_owned < 16)
		m->owned[m->n_owned++] = buf;
}

static void outmsg_free(struct conn *c, struct outmsg *m)
{
	for (int i = 0; i < m->n_owned; i++)
		free(m->owned[i]);
	if (m->pipe)
		conn_pipe_put(c, m->pipe, m->pipe_left == 0);
	free(m);
}

#define CONN_MAX_IDLE_PIPES 16

static void pipe_close(struct conn *c, struct conn_pipe *p)
{
	close(p->r);
	close(p->w);
	free(p);
	atomic_fetch_sub(&c->srv->n_pipe_fds, 2);
}

struct conn_pipe *conn_pipe_get(struct conn *c, size_t len)
{
	struct conn_pipe *p = c->pipes;
	if (p) {
		c->pipes = p->next;
		c->n_pipes--;
	} else {
		/* pipes come out of the server's descriptor reserve, half of it
		 * at most (server/limits.c); without one the READ is copied */
		struct server *srv = c->srv;
		if (atomic_fetch_add(&srv->n_pipe_fds, 2) + 2 > srv->fd_reserve / 2) {
			atomic_fetch_sub(&srv->n_pipe_fds, 2);
			return NULL;
		}
		int fds[2];
		if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0) {
			atomic_fetch_sub(&srv->n_pipe_fds, 2);
			return NULL;
		}
		if (!(p = malloc(sizeof(*p)))) {
			close(fds[0]);
			close(fds[1]);
			atomic_fetch_sub(&srv->n_pipe_fds, 2);
			return NULL;
		}
		*p = (struct conn_pipe){ .r = fds[0], .w = fds[1] };
		int cap = fcntl(p->w, F_GETPIPE_SZ);
		p->cap = cap > 0 ? (size_t)cap : 0;
	}
	if (p->cap < len) {
		/* the whole reply must fit: the offload thread fills it before the
		 * loop drains it (fs.pipe-max-size, 1 MiB by default, bounds this
		 * for processes without CAP_SYS_RESOURCE) */
		int cap = len > INT32_MAX ? -1 : fcntl(p->w, F_SETPIPE_SZ, (int)len);
		if (cap < 0 || (size_t)cap < len) {
			conn_pipe_put(c, p, true);
			return NULL;
		}
		p->cap = (size_t)cap;
	}
	p->next = NULL;
	return p;
}

void conn_pipe_put(struct conn *c, struct conn_pipe *p, bool empty)
{
	if (!empty || c->n_pipes >= CONN_MAX_IDLE_PIPES) {
		pipe_close(c, p);
		return;
	}
	p->next = c->pipes;
	c->pipes = p;
	c->n_pipes++;
}

static void conn_free_now(struct conn *c)
{
	conn_close_opens(c, 0, 0, true); /* connection lost: durable handles wait */
	idtable_free(&c->opens);
	idtable_free(&c->async_reqs);
	/* One pass: removing an entry leaves a tombstone and moves no other
	 * entry (base/idtable.c), so the cursor stays valid; restarting from
	 * slot 0 after each unlink made this quadratic in the sessions. */
	size_t cur = 0;
	struct session *s;
	while ((s = idtable_next(&c->sessions, &cur, NULL)) != NULL)
		session_unlink(c, s, true);
	idtable_free(&c->sessions);
	while (c->out_head) {
		struct outmsg *m = c->out_head;
		c->out_head = m->next;
		outmsg_free(c, m);
	}
	conn_rx_queue_free(c);
	conn_free_spares(c);
	while (c->pipes) {
		struct conn_pipe *p = c->pipes;
		c->pipes = p->next;
		pipe_close(c, p);
	}
	if (c->set) {
		if (c->prev)
			c->prev->next = c->next;
		else
			c->set->all = c->next;
		if (c->next)
			c->next->prev = c->prev;
	}
	free(c->frame);
	free(c->seq_bitmap);
	config_put(c->cfg);
	atomic_fetch_sub(&c->srv->n_conns, 1);
	if (c->closing)
		atomic_fetch_sub(&c->srv->n_going, 1);
	free(c);
}

/* The teardown that conn_close() leaves for later: it runs from the loop's
 * deferred queue, when no callback and so no dispatch code is on the stack,
 * and so no request it finishes can still be held by anyone else. */
static void conn_free_deferred(struct ev_loop *loop, void *arg)
{
	struct conn *c = arg;
	conn_cancel_parked(c);
	if (c->n_pending > 0) {
		c->free_when_idle = true; /* the last completion frees it */
		return;
	}
	conn_free_now(c);
}

void conn_release_if_idle(struct conn *c)
{
	if (c->closing && c->free_when_idle && c->n_pending == 0)
		conn_free_now(c);
}

/* Closing never finishes a request: a parked request's interim reply (or
 * any reply) that fails to send lands here while the dispatcher still holds
 * that request and its chain. Parked requests are cancelled by
 * conn_free_deferred(); until then a wake-up or CANCEL that gets to one
 * first drops it (req_resume() on a closing connection). */
void conn_close(struct conn *c, const char *why)
{
	if (c->closing)
		return;
	c->closing = true;
	atomic_fetch_add(&c->srv->n_going, 1);
	if (why)
		conn_debug(c, "disconnect: %s", why);
	ev_timer_stop(c->loop, &c->idle_timer);
	ev_timer_stop(c->loop, &c->unacked_timer);
	preauth_leave(c);
	ev_timer_stop(c->loop, &c->hold_timer);
	while (c->held_head) {
		struct outmsg *m = c->held_head;
		c->held_head = m->next;
		outmsg_free(c, m);
	}
	c->held_tail = NULL;
	ev_io_del(c->loop, &c->io);
	close(c->fd);
	c->fd = -1;
	if (ev_loop_defer(c->loop, conn_free_deferred, c) < 0)
		log_err("out of memory freeing a connection; leaking it");
}

/* Moves a message's pipe data into the socket; false on EAGAIN (or error). */
static bool flush_pipe(struct conn *c, struct outmsg *m)
{
	while (m->pipe_left > 0) {
		ssize_t n = splice(m->pipe->r, NULL, c->fd, NULL, m->pipe_left, SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return false;
			if (errno == EINTR)
				continue;
			conn_close(c, strerror(errno));
			return false;
		}
		if (n == 0) {
			conn_close(c, "reply data pipe ran dry");
			return false;
		}
		c->out_bytes -= (size_t)n;
		m->pipe_left -= (size_t)n;
	}
	return true;
}

/* Writes as much queued output as the socket takes. */
static void conn_flush(struct conn *c)
{
	while (c->out_head && !c->closing) {
		struct outmsg *m = c->out_head;
		if (m->iov_pos == m->iovcnt) {
			if (!flush_pipe(c, m))
				break;
			c->out_head = m->next;
			if (!c->out_head)
				c->out_tail = NULL;
			outmsg_free(c, m);
			continue;
		}
		ssize_t n;
		if (m->pipe_left) {
			/* more follows from the pipe: do not push the header alone */
			struct msghdr mh = { .msg_iov = m->iov + m->iov_pos, .msg_iovlen = (size_t)(m->iovcnt - m->iov_pos) };
			n = sendmsg(c->fd, &mh, MSG_MORE | MSG_NOSIGNAL);
		} else {
			n = writev(c->fd, m->iov + m->iov_pos, m->iovcnt - m->iov_pos);
		}
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				break;
			if (errno == EINTR)
				continue;
			conn_close(c, strerror(errno));
			return;
		}
		c->out_bytes -= (size_t)n;
		while (n > 0 && m->iov_pos < m->iovcnt) {
			struct iovec *v = &m->iov[m->iov_pos];
			if ((size_t)n >= v->iov_len) {
				n -= (ssize_t)v->iov_len;
				v->iov_len = 0;
				m->iov_pos++;
			} else {
				v->iov_base = (uint8_t *)v->iov_base + n;
				v->iov_len -= (size_t)n;
				n = 0;
			}
		}
	}
	if (c->closing)
		return;
	uint32_t ev = EPOLLRDHUP;
	if (c->out_head)
		ev |= EPOLLOUT;
	if (c->out_bytes < CONN_OUTQ_LIMIT)
		ev |= EPOLLIN;
	ev_io_mod(c->loop, &c->io, ev);
}

static void out_push(struct conn *c, struct outmsg *m)
{
	m->next = NULL;
	c->out_bytes += m->bytes;
	if (c->out_tail)
		c->out_tail->next = m;
	else
		c->out_head = m;
	c->out_tail = m;
}

static void held_push(struct conn *c, struct outmsg *m)
{
	m->next = NULL;
	if (c->held_tail)
		c->held_tail->next = m;
	else
		c->held_head = m;
	c->held_tail = m;
}

/* Moves the held messages that are due into the send queue. */
static void hold_cb(struct ev_loop *loop, struct ev_timer *t)
{
	struct conn *c = t->data;
	uint64_t now = ev_now_ms(loop);
	while (c->held_head && c->held_head->release_ms <= now) {
		struct outmsg *m = c->held_head;
		c->held_head = m->next;
		if (!c->held_head)
			c->held_tail = NULL;
		out_push(c, m);
	}
	if (c->held_head)
		ev_timer_start(loop, &c->hold_timer, c->held_head->release_ms - now);
	conn_flush(c);
}

void conn_send_after(struct conn *c, struct outmsg *m, uint32_t delay_ms)
{
	if (c->closing) {
		outmsg_free(c, m);
		return;
	}
	if (!delay_ms && !c->held_head) {
		conn_send(c, m);
		return;
	}
	m->release_ms = ev_now_ms(c->loop) + delay_ms;
	bool was_empty = !c->held_head;
	held_push(c, m);
	if (was_empty)
		ev_timer_start(c->loop, &c->hold_timer, delay_ms);
}

void conn_send(struct conn *c, struct outmsg *m)
{
	if (c->closing) {
		outmsg_free(c, m);
		return;
	}
	if (c->held_head) {
		m->release_ms = 0; /* right after what is held before it */
		held_push(c, m);
		return;
	}
	out_push(c, m);
	conn_flush(c);
}

static size_t frame_cap(const struct conn *c)
{
	/* Small frames until a session is authenticated (a first NTLM leg
	 * does not count), then the negotiated maximum. */
	if (c->n_sessions_valid == 0)
		return CONN_PREAUTH_MAX_FRAME;
	return CONN_MAX_FRAME;
}

/* Reads go into the loop's shared buffer of this size first, so that a
 * small frame (or several) arrives in one read(2) rather than a read of its
 * 4-byte length, one of its body and one more that finds nothing. */
#define CONN_RX_SCRATCH (64 * 1024)

/* The 4-byte length in c->nbss is complete: 1 and c->frame allocated, 0 for
 * a keep-alive (nothing follows), -1 when the connection was closed. */
static int frame_begin(struct conn *c)
{
	if (c->nbss[0] != 0) {
		/* NetBIOS session messages other than 0x00 (e.g. keep-alive 0x85)
		 * carry no SMB; only accept keep-alives with zero length. */
		if (c->nbss[0] == 0x85 && !c->nbss[1] && !c->nbss[2] && !c->nbss[3]) {
			c->nbss_got = 0;
			return 0;
		}
		conn_close(c, "not a Direct TCP frame");
		return -1;
	}
	size_t len = (size_t)c->nbss[1] << 16 | (size_t)c->nbss[2] << 8 | c->nbss[3];
	if (len < 4 || len > frame_cap(c)) {
		conn_warn(c, "frame of %zu bytes refused (limit %zu); disconnecting", len, frame_cap(c));
		conn_close(c, "bad frame length");
		return -1;
	}
	c->frame = malloc(len);
	if (!c->frame) {
		conn_close(c, "out of memory");
		return -1;
	}
	c->frame_len = len;
	c->frame_got = 0;
	return 1;
}

/* c->frame is complete: hands it on (conn_process_frame takes it). */
static void frame_done(struct conn *c)
{
	uint8_t *f = c->frame;
	size_t flen = c->frame_len;
	c->frame = NULL;
	c->nbss_got = 0;
	conn_process_frame(c, f, flen);
}

/* read(2) with the connection's error handling: the bytes read, or 0 when
 * there is nothing more now or the connection was closed. */
static size_t conn_recv(struct conn *c, uint8_t *buf, size_t len)
{
	ssize_t n = read(c->fd, buf, len);
	if (n > 0)
		return (size_t)n;
	if (n == 0)
		conn_close(c, "closed by peer");
	else if (errno != EAGAIN && errno != EINTR)
		conn_close(c, strerror(errno));
	return 0;
}

static void conn_read(struct conn *c)
{
	for (int rounds = 0; rounds < 16 && !c->closing; rounds++) {
		if (c->frame && c->frame_len - c->frame_got > CONN_RX_SCRATCH / 2) {
			/* the rest of a large frame: straight into it */
			size_t want = c->frame_len - c->frame_got;
			size_t n = conn_recv(c, c->frame + c->frame_got, want);
			c->frame_got += n;
			if (n < want) {
				/* drained (or closed): epoll says when there is more. The
				 * rest is on its way at the sender's pace: sleep, do not
				 * poll for it (ev_loop_wait) */
				ev_loop_no_poll_once(c->loop);
				return;
			}
			frame_done(c);
		} else {
			uint8_t *buf = ev_loop_scratch(c->loop, CONN_RX_SCRATCH);
			if (!buf) {
				conn_close(c, "out of memory");
				return;
			}
			size_t n = conn_recv(c, buf, CONN_RX_SCRATCH), pos = 0;
			while (pos < n && !c->closing) {
				if (!c->frame) {
					size_t take = 4 - c->nbss_got < n - pos ? 4 - c->nbss_got : n - pos;
					memcpy(c->nbss + c->nbss_got, buf + pos, take);
					c->nbss_got += take;
					pos += take;
					if (c->nbss_got < 4)
						break;
					int r = frame_begin(c);
					if (r < 0)
						return;
					if (r == 0)
						continue;
				}
				size_t want = c->frame_len - c->frame_got;
				size_t take = want < n - pos ? want : n - pos;
				memcpy(c->frame + c->frame_got, buf + pos, take);
				c->frame_got += take;
				pos += take;
				if (c->frame_got == c->frame_len)
					frame_done(c);
			}
			if (n < CONN_RX_SCRATCH)
				return; /* drained (or closed) */
		}
		if (c->out_bytes >= CONN_OUTQ_LIMIT)
			return; /* backpressure: resume when output drains */
	}
}

static void conn_io_cb(struct ev_loop *loop, struct ev_io *io, uint32_t revents)
{
	struct conn *c = io->data;
	if (c->closing)
		return;
	if (revents & EPOLLOUT)
		conn_flush(c);
	if (!c->closing && (revents & (EPOLLIN | EPOLLHUP | EPOLLRDHUP | EPOLLERR)))
		conn_read(c);
}

struct session *session_new(struct conn *c)
{
	struct session *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->conn = c;
	s->state = SESS_IN_PROGRESS;
	s->uid = (uid_t)-1;
	s->gid = (gid_t)-1;
	s->refs = 1;
	idtable_init(&s->tcons);
	smb2_nonce_init(&s->nonce);
	struct server *srv = c->srv;
	pthread_mutex_lock(&srv->sess_lock);
	for (;;) {
		s->id = server_new_session_id(srv);
		if (!idtable_find(&srv->sessions, s->id))
			break;
	}
	bool ok = idtable_insert(&srv->sessions, s->id, s);
	pthread_mutex_unlock(&srv->sess_lock);
	if (!ok || !idtable_insert(&c->sessions, s->id, s)) {
		if (ok) {
			pthread_mutex_lock(&srv->sess_lock);
			idtable_remove(&srv->sessions, s->id);
			pthread_mutex_unlock(&srv->sess_lock);
		}
		idtable_free(&s->tcons);
		free(s);
		return NULL;
	}
	return s;
}

const char *conn_session_limit(const struct conn *c)
{
	if (c->sessions.count - c->n_sessions_valid >= CONN_MAX_SESSIONS_IN_PROGRESS)
		return "too many logons in progress on one connection";
	if (c->sessions.count >= CONN_MAX_SESSIONS)
		return "too many sessions on one connection";
	return NULL;
}

bool session_set_valid(struct conn *c, struct session *s)
{
	/* anonymous logons share one key ("" is no valid account name) */
	uint64_t key = server_user_key(s->anonymous ? "" : s->user);
	if (!s->counted_valid) {
		if (!server_usage_take(c->srv, key, USAGE_SESSIONS, c->cfg->max_sessions_user))
			return false;
		s->counted_key = key;
	}
	s->state = SESS_VALID;
	s->user_key = key;
	if (s->counted_valid)
		return true;
	s->counted_valid = true;
	if (c->n_sessions_valid++ == 0) {
		ev_timer_stop(c->loop, &c->idle_timer);
		preauth_leave(c);
	}
	return true;
}

struct tcon *tcon_get(struct tcon *t)
{
	t->refs++;
	return t;
}

void tcon_put(struct tcon *t)
{
	if (!t || --t->refs > 0)
		return;
	if (t->root.fd >= 0)
		vfs_root_close(&t->root);
	config_put(t->cfg);
	free(t->f_groups);
	free(t);
}

struct session *session_get(struct session *s)
{
	s->refs++;
	return s;
}

void session_put(struct session *s)
{
	if (!s || --s->refs > 0)
		return;
	if (s->auth)
		auth_ctx_free(s->auth);
	free(s->groups);
	explicit_bzero(s, sizeof(*s));
	free(s);
}

void session_unlink(struct conn *c, struct session *s, bool keep_durable)
{
	if (s->state == SESS_EXPIRED && !idtable_find(&c->sessions, s->id))
		return; /* already unlinked */
	conn_close_opens(c, s->id, 0, keep_durable);
	size_t cur = 0;
	struct tcon *t;
	while ((t = idtable_next(&s->tcons, &cur, NULL)) != NULL) {
		t->dead = true;
		tcon_put(t);
	}
	idtable_free(&s->tcons);
	idtable_remove(&c->sessions, s->id);
	pthread_mutex_lock(&c->srv->sess_lock);
	idtable_remove(&c->srv->sessions, s->id);
	pthread_mutex_unlock(&c->srv->sess_lock);
	s->state = SESS_EXPIRED;
	if (s->counted_valid) {
		s->counted_valid = false;
		server_usage_drop(c->srv, s->counted_key, USAGE_SESSIONS);
		if (--c->n_sessions_valid == 0 && !c->closing) {
			ev_timer_start(c->loop, &c->idle_timer, (uint64_t)c->cfg->logon_timeout_ms);
			preauth_enter(c);
		}
	}
	session_put(s);
}
