/* libFuzzer target: a whole connection in memory. The input is a sequence of
 * frames, each prefixed by a 2-byte little-endian length, fed to
 * conn_process_frame() exactly as the transport would; replies go to a
 * socketpair and are read back. Offloaded work is completed by running the
 * loop. Guest and anonymous sessions may log on, to reach the file commands
 * on a writable share in a private temporary directory. The connection is
 * looked at only while the server has not freed it (the list conn_new()
 * links it into is empty once it has).
 *
 * Ids the server makes up cannot be in a fixed input, so the harness
 * remembers the SessionIds, TreeIds and FileIds of the server's replies and
 * puts them into later requests in place of placeholders: a SessionId of
 * FUZZ_PH_SESSION | i becomes the i-th SessionId handed out (modulo how many
 * there are), a TreeId of FUZZ_PH_TREE | i the i-th TreeId, and a FileId
 * whose persistent half is FUZZ_PH_FILE | i the i-th FileId, at the FileId
 * position of each command that has one. Anything else is left as it is.
 * The seeds (tests/fuzz/seeds/make_seeds.py) log on anonymously, connect the
 * share and CREATE, WRITE, READ, LOCK, notify and close through them. */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/log.h"
#include "base/rdwr.h"
#include "config/config.h"
#include "conn/conn.h"
#include "conn/request.h"
#include "event/loop.h"
#include "server/server.h"

#define FUZZ_PH_SESSION 0x5E55000000000000ull
#define FUZZ_PH_TREE 0x7EE00000u
#define FUZZ_PH_FILE 0xF11E000000000000ull
#define FUZZ_MAX_IDS 8

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void share_remove(void);

static struct server *srv;
static struct ev_loop *loop;
static char share_dir[64];
static bool debug; /* FUZZ_CONN_DEBUG set: each reply's command and status to stderr */

struct ids {
	uint64_t sess[FUZZ_MAX_IDS];
	uint32_t tree[FUZZ_MAX_IDS];
	uint64_t fid[FUZZ_MAX_IDS][2];
	int n_sess, n_tree, n_fid;
};

/* Reassembles the server's Direct TCP frames from the client end. */
struct reply_reader {
	uint8_t len[4];
	size_t len_got;
	size_t need, got;
	uint8_t buf[64 * 1024]; /* the start of a frame: enough for the headers */
};

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	snprintf(share_dir, sizeof(share_dir), "/tmp/smb3d-fuzz-share.XXXXXX");
	if (!mkdtemp(share_dir))
		abort();
	chmod(share_dir, 0777); /* as root, guests are the guest account */
	FILE *f;
	char path[256];
	snprintf(path, sizeof(path), "%s/file.txt", share_dir);
	if ((f = fopen(path, "w")) != NULL) {
		fputs("hello", f);
		fclose(f);
		chmod(path, 0666);
	}
	snprintf(path, sizeof(path), "%s/dir", share_dir);
	mkdir(path, 0777);
	chmod(path, 0777);
	atexit(share_remove);
	char conf[512];
	snprintf(conf, sizeof(conf),
		 "[global]\nmap to guest = bad user\nlog level = 0\n[share]\npath = %s\nguest ok = yes\nread only = no\n",
		 share_dir);
	struct config *cfg = config_load_string(conf, "/tmp/fuzz.conf", NULL, NULL);
	if (!cfg)
		abort();
	srv = server_alloc(cfg);
	loop = ev_loop_new();
	if (!srv || !loop)
		abort();
	debug = getenv("FUZZ_CONN_DEBUG") != NULL;
	log_set_level(debug ? LOG_DEBUG : -1);
	return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	const char *name = path + ftw->base;
	if (ftw->level == 0 || (ftw->level == 1 && (strcmp(name, "file.txt") == 0 || strcmp(name, "dir") == 0)))
		return 0;
	remove(path);
	return 0;
}

static int remove_any(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void share_remove(void)
{
	nftw(share_dir, remove_any, 16, FTW_DEPTH | FTW_PHYS);
}

/* What the inputs create piles up in the share: cleared now and then. */
static void share_tidy(void)
{
	static unsigned runs;
	if (++runs % 4096)
		return;
	nftw(share_dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static void remember(uint64_t *arr, int *n, uint64_t v)
{
	for (int i = 0; i < *n; i++)
		if (arr[i] == v)
			return;
	if (*n < FUZZ_MAX_IDS)
		arr[(*n)++] = v;
}

/* Notes the ids in one reply frame (SMB2, possibly a compound). */
static void reply_ids(const uint8_t *f, size_t len, struct ids *ids)
{
	size_t off = 0;
	while (len - off >= SMB2_HDR_LEN && le32_at(f + off) == SMB2_PROTO) {
		const uint8_t *m = f + off;
		uint32_t status = le32_at(m + 8), flags = le32_at(m + 16), next = le32_at(m + 20);
		uint16_t cmd = le16_at(m + 12);
		size_t mlen = next ? next : len - off;
		if (next && (next < SMB2_HDR_LEN || next > len - off))
			break;
		if (debug)
			fprintf(stderr, "fuzz_conn: reply %s 0x%08x\n", smb2_command_name(cmd), status);
		bool async = flags & SMB2_FLAGS_ASYNC_COMMAND;
		if (cmd == SMB2_SESSION_SETUP && (status == 0 || status == STATUS_MORE_PROCESSING_REQUIRED.v))
			remember(ids->sess, &ids->n_sess, le64_at(m + 40));
		if (cmd == SMB2_TREE_CONNECT && status == 0 && !async && ids->n_tree < FUZZ_MAX_IDS)
			ids->tree[ids->n_tree++] = le32_at(m + 36);
		if (cmd == SMB2_CREATE && status == 0 && mlen >= SMB2_HDR_LEN + 80 && ids->n_fid < FUZZ_MAX_IDS) {
			ids->fid[ids->n_fid][0] = le64_at(m + SMB2_HDR_LEN + 64);
			ids->fid[ids->n_fid][1] = le64_at(m + SMB2_HDR_LEN + 72);
			ids->n_fid++;
		}
		if (!next)
			break;
		off += next;
	}
}

/* Reads what the server sent so far and notes the ids in it. */
static void read_replies(int fd, struct reply_reader *r, struct ids *ids)
{
	uint8_t chunk[65536];
	ssize_t n;
	while ((n = read(fd, chunk, sizeof(chunk))) > 0) {
		size_t pos = 0;
		while (pos < (size_t)n) {
			if (r->len_got < 4) {
				r->len[r->len_got++] = chunk[pos++];
				if (r->len_got == 4) {
					r->need = (size_t)r->len[1] << 16 | (size_t)r->len[2] << 8 | r->len[3];
					r->got = 0;
				}
			} else {
				size_t take = r->need - r->got < (size_t)n - pos ? r->need - r->got : (size_t)n - pos;
				if (r->got < sizeof(r->buf)) {
					size_t keep = sizeof(r->buf) - r->got < take ? sizeof(r->buf) - r->got : take;
					memcpy(r->buf + r->got, chunk + pos, keep);
				}
				r->got += take;
				pos += take;
			}
			if (r->len_got == 4 && r->got == r->need) {
				reply_ids(r->buf, r->need < sizeof(r->buf) ? r->need : sizeof(r->buf), ids);
				r->len_got = 0;
			}
		}
	}
}

/* Where the FileId of a request body sits, or 0 for none. */
static size_t fid_offset(uint16_t cmd)
{
	switch (cmd) {
	case SMB2_CLOSE:
	case SMB2_FLUSH:
	case SMB2_LOCK:
	case SMB2_IOCTL:
	case SMB2_QUERY_DIRECTORY:
	case SMB2_CHANGE_NOTIFY:
	case SMB2_OPLOCK_BREAK:
		return 8;
	case SMB2_READ:
	case SMB2_WRITE:
	case SMB2_SET_INFO:
		return 16;
	case SMB2_QUERY_INFO:
		return 24;
	default:
		return 0;
	}
}

/* Puts the server's ids in place of the placeholders of each message. */
static void patch_ids(uint8_t *f, size_t len, const struct ids *ids)
{
	size_t off = 0;
	while (len - off >= SMB2_HDR_LEN && le32_at(f + off) == SMB2_PROTO) {
		uint8_t *m = f + off;
		uint32_t next = le32_at(m + 20);
		size_t mlen = next && next <= len - off ? next : len - off;
		uint64_t sid = le64_at(m + 40);
		if ((sid & ~0xFFull) == FUZZ_PH_SESSION && ids->n_sess)
			wr_le64_at(m + 40, ids->sess[(sid & 0xFF) % (unsigned)ids->n_sess]);
		uint32_t tid = le32_at(m + 36);
		if (!(le32_at(m + 16) & SMB2_FLAGS_ASYNC_COMMAND) && (tid & ~0xFFu) == FUZZ_PH_TREE && ids->n_tree)
			wr_le32_at(m + 36, ids->tree[(tid & 0xFF) % (unsigned)ids->n_tree]);
		size_t at = fid_offset(le16_at(m + 12));
		if (at && mlen >= SMB2_HDR_LEN + at + 16) {
			uint8_t *p = m + SMB2_HDR_LEN + at;
			uint64_t pid = le64_at(p);
			if ((pid & ~0xFFull) == FUZZ_PH_FILE && ids->n_fid) {
				unsigned i = (unsigned)(pid & 0xFF) % (unsigned)ids->n_fid;
				wr_le64_at(p, ids->fid[i][0]);
				wr_le64_at(p + 8, ids->fid[i][1]);
			}
		}
		if (!next || next < SMB2_HDR_LEN || next > len - off)
			break;
		off += next;
	}
}

/* Requests of c handed to the offload pool (or other offloaded work), as
 * opposed to parked ones, which wait for an event that may never come. */
static int offloaded(const struct conn *c)
{
	int parked = 0;
	for (const struct smb2_req *r = c->parked; r; r = r->park_next)
		parked++;
	return c->n_pending - parked;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) < 0)
		return 0;
	int big = 4 << 20;
	setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &big, sizeof(big));
	struct sockaddr_storage peer = { .ss_family = AF_INET };
	/* The server unlinks a connection from this set when it frees it:
	 * `conns.all` says whether c may still be looked at. */
	struct conn_set conns = { 0 };
	struct conn *c = conn_new(srv, loop, sv[0], &peer, &conns);
	if (!c) {
		close(sv[0]);
		close(sv[1]);
		return 0;
	}
	static struct reply_reader rr;
	struct ids ids = { 0 };
	memset(&rr, 0, offsetof(struct reply_reader, buf));
	size_t pos = 0;
	while (pos + 2 <= size && conns.all && !c->closing) {
		size_t n = (size_t)data[pos] | (size_t)data[pos + 1] << 8;
		pos += 2;
		if (n > size - pos)
			n = size - pos;
		uint8_t *frame = malloc(n ? n : 1);
		if (!frame)
			break;
		memcpy(frame, data + pos, n);
		pos += n;
		patch_ids(frame, n, &ids);
		conn_process_frame(c, frame, n); /* takes ownership; never frees c */
		for (int i = 0; i < 50 && conns.all && !c->closing && offloaded(c) > 0; i++)
			ev_loop_run_once(loop, 10);
		read_replies(sv[1], &rr, &ids);
	}
	/* Let offloaded work finish, then close: that cancels parked requests,
	 * and the last completion of a closing connection frees it. */
	for (int i = 0; i < 500 && conns.all && !c->closing && offloaded(c) > 0; i++)
		ev_loop_run_once(loop, 5);
	if (conns.all)
		conn_close(c, "fuzz input done");
	for (int i = 0; i < 2500 && conns.all; i++)
		ev_loop_run_once(loop, 2);
	if (conns.all) {
		fprintf(stderr, "fuzz_conn: the connection was not freed 5 s after it closed\n");
		abort();
	}
	/* posts and deferred work the close left (e.g. wake-ups of requests
	 * that were cancelled meanwhile) */
	for (int i = 0; i < 3; i++)
		ev_loop_run_once(loop, 0);
	close(sv[1]);
	share_tidy();
	return 0;
}
