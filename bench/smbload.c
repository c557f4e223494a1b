/* smbload: a small SMB2/3 load client for bench/run.sh, and the helpers the
 * benchmark needs around it (test data, server CPU/PSS sampling, startup time,
 * loopback TCP limit). Client side of [MS-SMB2] 3.2: NEGOTIATE with 3.1.1
 * contexts, NTLMv2 in SPNEGO, the 3.x KDF, signing, the encryption transform,
 * and CREATE/READ/WRITE/CLOSE/QUERY_INFO/QUERY_DIRECTORY with many requests in
 * flight and multi-credit I/O. All crypto comes from smb3d's OpenSSL helpers
 * (src/conn/smb2_crypto.c, src/auth/); nothing here is used by the server.
 * Results are printed as "RESULT key=value ..." lines; any protocol error or
 * wrong data ends the run with exit status 1, so a broken server cannot look fast. */
#include "auth/auth_crypto.h"
#include "auth/ntlm.h"
#include "auth/spnego.h"
#include "base/rdwr.h"
#include "base/utf16.h"
#include "conn/smb2_crypto.h"
#include "wire/smb2.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* ---- status codes and constants used here ([MS-ERREF], [MS-SMB2] 2.2) ---- */
#define ST_SUCCESS 0x00000000u
#define ST_PENDING 0x00000103u
#define ST_NO_MORE_FILES 0x80000006u
#define ST_MORE_PROCESSING 0xC0000016u

#define FILE_OPEN 1
#define FILE_CREATE 2
#define FILE_OPEN_IF 3
#define FILE_OVERWRITE_IF 5
#define FILE_DIRECTORY_FILE 0x00000001u
#define FILE_NON_DIRECTORY_FILE 0x00000040u
#define FILE_SHARE_ALL 0x00000007u
#define ACC_READ 0x00120089u  /* READ_DATA | READ_EA | READ_ATTRIBUTES | READ_CONTROL | SYNCHRONIZE */
#define ACC_RW 0x0012019fu    /* ... plus WRITE_DATA | APPEND | WRITE_EA | WRITE_ATTRIBUTES */
#define ACC_ATTR 0x00100080u  /* READ_ATTRIBUTES | SYNCHRONIZE */
#define ACC_LIST 0x00100081u  /* LIST_DIRECTORY | READ_ATTRIBUTES | SYNCHRONIZE */
#define FILE_CREATED 2
#define INFO_FILE 1
#define CLASS_FILE_ALL 18
#define CLASS_ID_BOTH_DIR 37

#define BLOCK 4096
#define MAX_DEPTH 256

/* When set (sessions), a failure jumps back instead of ending the program. */
static jmp_buf *fail_jmp;

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void fail(const char *fmt, ...)
{
	va_list ap;
	char msg[512];
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "smbload: %s\n", msg);
	if (fail_jmp)
		longjmp(*fail_jmp, 1);
	printf("FAIL %s\n", msg);
	fflush(stdout);
	exit(1);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static double cpu_self_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- options ---- */

enum sec_mode { SEC_PLAIN, SEC_SIGN, SEC_AES128GCM, SEC_AES256GCM, SEC_AES128CCM, SEC_AES256CCM };

static struct {
	const char *host, *user, *password, *domain, *share;
	int port;
	uint16_t dialect;
	enum sec_mode sec;
	enum smb2_sign_algo sign_algo;
	int depth;
	uint64_t io_size, size, count, max;
	double seconds, mem_guard_pct, time_cap, hold;
	const char *file, *dir, *verify_local, *checkpoints;
	pid_t server_pid;
	int runs;
	bool in_place;
} opt = {
	.host = "127.0.0.1",
	.user = "smb3dbench",
	.domain = "",
	.share = "bench",
	.port = 445,
	.dialect = SMB2_DIALECT_311,
	.sec = SEC_PLAIN,
	.sign_algo = SMB2_SIGN_AES_GMAC,
	.depth = 1,
	.io_size = 1 << 20,
	.size = 0,
	.count = 1000,
	.max = 10000,
	.seconds = 5,
	.mem_guard_pct = 25,
	.file = "data.bin",
	.dir = "dir",
	.checkpoints = "0,1,100,1000",
	.runs = 20,
};

/* ---- test data: every 4 KiB block is a fixed pseudo-random block whose first
 * 16 bytes are stamped with its own file offset, so misplaced, stale or
 * corrupted data is caught by a stamp check and one memcmp per block ---- */

static uint8_t base_block[BLOCK];

static void data_init(void)
{
	uint64_t x = 0x9E3779B97F4A7C15ull;
	for (size_t i = 0; i < BLOCK; i += 8) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		memcpy(base_block + i, &x, 8);
	}
}

/* --seed: write runs that overwrite a file in place stamp it differently each
 * time, so data left by an earlier run cannot pass for this run's. */
static uint64_t data_seed;

static void stamp(uint8_t *blk, uint64_t off, size_t n)
{
	uint8_t s[16];
	wr_le64_at(s, off);
	wr_le64_at(s + 8, off ^ 0xA5A5A5A5DEADBEEFull ^ data_seed);
	memcpy(blk, s, n < 16 ? n : 16);
}

/* Fills buf with the file content at [off, off+len); off is 4 KiB aligned. */
static void data_fill(uint8_t *buf, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i += BLOCK) {
		size_t n = len - i < BLOCK ? len - i : BLOCK;
		memcpy(buf + i, base_block, n);
		stamp(buf + i, off + i, n);
	}
}

/* Like data_fill, but only re-stamps a buffer that data_fill filled before. */
static void data_restamp(uint8_t *buf, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i += BLOCK)
		stamp(buf + i, off + i, len - i < BLOCK ? len - i : BLOCK);
}

static bool data_check(const uint8_t *buf, uint64_t off, size_t len)
{
	uint8_t s[16];
	for (size_t i = 0; i < len; i += BLOCK) {
		size_t n = len - i < BLOCK ? len - i : BLOCK;
		memcpy(s, base_block, 16);
		stamp(s, off + i, 16);
		if (memcmp(buf + i, s, n < 16 ? n : 16) != 0)
			return false;
		if (n > 16 && memcmp(buf + i + 16, base_block + 16, n - 16) != 0)
			return false;
	}
	return true;
}

/* ---- /proc sampling of a server's process tree ---- */

struct proc_ent {
	pid_t pid, ppid;
	double cpu;
};

/* Calls fn for the root pid and every live descendant. */
static void proc_tree(pid_t root, void (*fn)(pid_t pid, double cpu, void *ctx), void *ctx)
{
	static struct proc_ent *ents;
	static size_t cap;
	size_t n = 0;
	long tck = sysconf(_SC_CLK_TCK);
	DIR *d = opendir("/proc");
	struct dirent *de;
	if (!d)
		return;
	while ((de = readdir(d)) != NULL) {
		if (!isdigit((unsigned char)de->d_name[0]))
			continue;
		char path[300], buf[1024];
		snprintf(path, sizeof(path), "/proc/%s/stat", de->d_name);
		int fd = open(path, O_RDONLY);
		if (fd < 0)
			continue;
		ssize_t r = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (r <= 0)
			continue;
		buf[r] = 0;
		char *p = strrchr(buf, ')');
		if (!p)
			continue;
		/* fields after comm: state(3) ppid(4) ... utime(14) stime(15) */
		char state;
		int ppid;
		unsigned long long ut = 0, st = 0;
		if (sscanf(p + 2, "%c %d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &state, &ppid, &ut, &st) != 4)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 4096;
			ents = realloc(ents, cap * sizeof(*ents));
			if (!ents)
				fail("out of memory");
		}
		ents[n++] = (struct proc_ent){ atoi(de->d_name), ppid, (double)(ut + st) / (double)tck };
	}
	closedir(d);
	/* breadth-first over the parent links */
	pid_t *q = malloc((n + 1) * sizeof(pid_t));
	size_t qh = 0, qt = 0;
	if (!q)
		fail("out of memory");
	q[qt++] = root;
	while (qh < qt) {
		pid_t p = q[qh++];
		for (size_t i = 0; i < n; i++) {
			if (ents[i].pid == p)
				fn(p, ents[i].cpu, ctx);
			else if (ents[i].ppid == p && qt <= n)
				q[qt++] = ents[i].pid;
		}
	}
	free(q);
}

static void add_cpu(pid_t pid, double cpu, void *ctx)
{
	(void)pid;
	*(double *)ctx += cpu;
}

static double server_cpu(void)
{
	double s = 0;
	if (opt.server_pid > 0)
		proc_tree(opt.server_pid, add_cpu, &s);
	return s;
}

static void add_pss(pid_t pid, double cpu, void *ctx)
{
	(void)cpu;
	char path[64], line[256];
	snprintf(path, sizeof(path), "/proc/%d/smaps_rollup", (int)pid);
	FILE *f = fopen(path, "r");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long kb;
		if (sscanf(line, "Pss: %llu kB", &kb) == 1) {
			*(unsigned long long *)ctx += kb;
			break;
		}
	}
	fclose(f);
}

static unsigned long long server_pss_kb(void)
{
	unsigned long long kb = 0;
	if (opt.server_pid > 0)
		proc_tree(opt.server_pid, add_pss, &kb);
	return kb;
}

static void count_proc(pid_t pid, double cpu, void *ctx)
{
	(void)pid;
	(void)cpu;
	(*(int *)ctx)++;
}

static int server_nprocs(void)
{
	int n = 0;
	if (opt.server_pid > 0)
		proc_tree(opt.server_pid, count_proc, &n);
	return n;
}

static long mem_available_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long avail = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "MemAvailable: %ld kB", &avail);
	fclose(f);
	return avail;
}

/* Scheduling entities (threads) in the system and the pid limit, so that
 * holding thousands of per-connection processes cannot exhaust pids. */
static bool pids_nearly_exhausted(void)
{
	FILE *f = fopen("/proc/loadavg", "r");
	long running = 0, total = 0, max = 0;
	if (f) {
		if (fscanf(f, "%*f %*f %*f %ld/%ld", &running, &total) != 2)
			total = 0;
		fclose(f);
	}
	f = fopen("/proc/sys/kernel/pid_max", "r");
	if (f) {
		if (fscanf(f, "%ld", &max) != 1)
			max = 0;
		fclose(f);
	}
	return max > 0 && total > max * 3 / 4;
}

static long mem_total_kb(void)
{
	FILE *f = fopen("/proc/meminfo", "r");
	char line[256];
	long total = -1;
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		sscanf(line, "MemTotal: %ld kB", &total);
	fclose(f);
	return total;
}

/* ---- the SMB2 connection ---- */

struct smbc {
	int fd;
	uint16_t dialect;
	uint64_t mid;
	uint32_t credits;
	uint64_t sid;
	uint32_t tid;
	uint32_t max_read, max_write, max_trans;
	bool sign, encrypt, preauth_on;
	enum smb2_sign_algo salgo;
	enum smb2_cipher cipher;
	struct smb2_keys keys;
	struct smb2_nonce_gen ng;
	uint8_t preauth[64];
	uint8_t *rbuf, *ebuf;
	size_t rcap, ecap;
	/* the last response */
	uint8_t *msg;
	size_t len;
	uint32_t status, rflags;
	uint16_t cmd;
	uint64_t rmid;
	bool was_encrypted;
};

static void io_write_all(int fd, struct iovec *iov, int n)
{
	while (n > 0) {
		ssize_t w = writev(fd, iov, n > IOV_MAX ? IOV_MAX : n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			fail("send: %s", strerror(errno));
		}
		while (n > 0 && (size_t)w >= iov->iov_len) {
			w -= (ssize_t)iov->iov_len;
			iov++;
			n--;
		}
		if (n > 0 && w > 0) {
			iov->iov_base = (uint8_t *)iov->iov_base + w;
			iov->iov_len -= (size_t)w;
		}
	}
}

static void io_read_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;
	while (len) {
		ssize_t r = read(fd, p, len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			fail("receive: %s", strerror(errno));
		if (r == 0)
			fail("connection closed by the server");
		p += r;
		len -= (size_t)r;
	}
}

static int tcp_connect(const char *host, int port, bool quiet)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)port) };
	if (inet_pton(AF_INET, host, &sa.sin_addr) != 1)
		fail("bad host address %s (IPv4 only)", host);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		if (quiet)
			return -1;
		fail("socket: %s", strerror(errno));
	}
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int e = errno;
		close(fd);
		if (quiet)
			return -1;
		fail("connect %s:%d: %s", host, port, strerror(e));
	}
	int one = 1;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	struct timeval tv = { .tv_sec = 120 };
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	return fd;
}

static void smbc_init(struct smbc *c, int fd)
{
	memset(c, 0, sizeof(*c));
	c->fd = fd;
	c->credits = 1;
}

static void smbc_free(struct smbc *c)
{
	if (c->fd >= 0)
		close(c->fd);
	free(c->rbuf);
	free(c->ebuf);
	c->fd = -1;
	c->rbuf = c->ebuf = NULL;
}

static uint16_t charge_for(const struct smbc *c, size_t bytes)
{
	if (c->dialect < SMB2_DIALECT_210 || bytes == 0)
		return 1;
	return (uint16_t)((bytes - 1) / 65536 + 1);
}

/* Sends one request (header built here, body in iov) and returns its MessageId. */
static uint64_t smb_send(struct smbc *c, uint16_t cmd, uint16_t charge, struct iovec *body, int nbody)
{
	uint8_t hdr[SMB2_HDR_LEN];
	struct iovec iov[8];
	uint32_t flags = 0;
	uint64_t mid = c->mid;
	if (charge == 0)
		charge = 1;
	if (cmd != SMB2_NEGOTIATE && charge > c->credits)
		fail("internal: %u credits needed, %u held", charge, c->credits);
	/* ask for enough credits to keep the pipeline full */
	uint16_t want = (uint16_t)(charge + (c->credits < 512 ? 64 : 0));
	struct wr w = wr_init(hdr, sizeof(hdr));
	wr_u32(&w, SMB2_PROTO);
	wr_u16(&w, 64);
	wr_u16(&w, c->dialect >= SMB2_DIALECT_210 || cmd == SMB2_NEGOTIATE ? charge : 0);
	wr_u32(&w, 0);
	wr_u16(&w, cmd);
	wr_u16(&w, want);
	size_t flags_at = w.pos;
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u64(&w, mid);
	wr_u32(&w, 0xFEFF);
	wr_u32(&w, c->tid);
	wr_u64(&w, c->sid);
	wr_zero(&w, 16);
	iov[0] = (struct iovec){ hdr, sizeof(hdr) };
	size_t total = sizeof(hdr);
	for (int i = 0; i < nbody; i++) {
		iov[1 + i] = body[i];
		total += body[i].iov_len;
	}
	int n = 1 + nbody;
	/* 3.x: TREE_CONNECT is signed even when the session is not ([MS-SMB2] 3.2.4.1.1) */
	bool sign_it = c->sign || (cmd == SMB2_TREE_CONNECT && c->dialect >= SMB2_DIALECT_300);
	if (sign_it && !c->encrypt && c->sid && cmd != SMB2_SESSION_SETUP) {
		flags |= SMB2_FLAGS_SIGNED;
		wr_le32_at(hdr + flags_at, flags);
		uint8_t sig[16];
		if (!smb2_sign(c->salgo, c->keys.signing, iov, n, sig))
			fail("signing failed");
		memcpy(hdr + SMB2_SIG_OFFSET, sig, 16);
	}
	if (c->preauth_on && (cmd == SMB2_NEGOTIATE || cmd == SMB2_SESSION_SETUP))
		smb2_preauth_update(c->preauth, iov, n);
	c->mid += charge;
	if (cmd != SMB2_NEGOTIATE)
		c->credits -= charge;
	else
		c->credits = 0;

	uint8_t nbt[4];
	if (c->encrypt && c->sid && cmd != SMB2_SESSION_SETUP) {
		uint8_t thdr[52], nonce[16];
		if (total > c->ecap) {
			free(c->ebuf);
			c->ecap = total;
			c->ebuf = malloc(total);
			if (!c->ebuf)
				fail("out of memory");
		}
		if (!smb2_nonce_next(&c->ng, c->cipher, nonce) ||
		    !smb2_encrypt(c->cipher, c->keys.decrypt, nonce, c->sid, iov, n, thdr, c->ebuf))
			fail("encryption failed");
		wr_le32_at(nbt, 0);
		nbt[1] = (uint8_t)((52 + total) >> 16);
		nbt[2] = (uint8_t)((52 + total) >> 8);
		nbt[3] = (uint8_t)(52 + total);
		struct iovec e[3] = { { nbt, 4 }, { thdr, 52 }, { c->ebuf, total } };
		io_write_all(c->fd, e, 3);
		return mid;
	}
	nbt[0] = 0;
	nbt[1] = (uint8_t)(total >> 16);
	nbt[2] = (uint8_t)(total >> 8);
	nbt[3] = (uint8_t)total;
	struct iovec all[9];
	all[0] = (struct iovec){ nbt, 4 };
	memcpy(all + 1, iov, (size_t)n * sizeof(struct iovec));
	io_write_all(c->fd, all, n + 1);
	return mid;
}

/* Receives the next final response (interim STATUS_PENDING replies are
 * consumed here), decrypting and verifying as the session requires. */
static void smb_recv(struct smbc *c)
{
	for (;;) {
		uint8_t nbt[4];
		io_read_all(c->fd, nbt, 4);
		size_t len = (size_t)nbt[1] << 16 | (size_t)nbt[2] << 8 | nbt[3];
		if (nbt[0] != 0 || len < SMB2_HDR_LEN)
			fail("bad frame (type %u, length %zu)", nbt[0], len);
		if (len > c->rcap) {
			free(c->rbuf);
			c->rcap = len < (1u << 20) + 4096 ? (1u << 20) + 4096 : len;
			c->rbuf = malloc(c->rcap);
			if (!c->rbuf)
				fail("out of memory");
		}
		io_read_all(c->fd, c->rbuf, len);
		c->msg = c->rbuf;
		c->len = len;
		c->was_encrypted = false;
		if (le32_at(c->rbuf) == 0x424D53FDu) { /* 0xFD 'S' 'M' 'B' */
			if (!c->encrypt || len < 52 + SMB2_HDR_LEN)
				fail("unexpected encrypted frame");
			if (!smb2_decrypt(c->cipher, c->keys.encrypt, c->rbuf, c->rbuf + 52, len - 52))
				fail("a response did not decrypt (bad key or tag)");
			c->msg = c->rbuf + 52;
			c->len = len - 52;
			c->was_encrypted = true;
		}
		const uint8_t *h = c->msg;
		if (le32_at(h) != SMB2_PROTO || le16_at(h + 4) != 64)
			fail("response is not SMB2");
		c->status = le32_at(h + 8);
		c->cmd = le16_at(h + 12);
		c->credits += le16_at(h + 14);
		c->rflags = le32_at(h + 16);
		if (le32_at(h + 20) != 0)
			fail("unexpected compound response");
		c->rmid = le64_at(h + 24);
		if (c->status == ST_PENDING && (c->rflags & SMB2_FLAGS_ASYNC_COMMAND))
			continue; /* interim response; the final one follows */
		if (c->encrypt && c->sid && c->cmd != SMB2_SESSION_SETUP && !c->was_encrypted)
			fail("response to an encrypted request came unencrypted");
		bool signed_rsp = c->sign || (c->cmd == SMB2_TREE_CONNECT && c->dialect >= SMB2_DIALECT_300);
		if (signed_rsp && !c->was_encrypted && !c->encrypt) {
			if (!(c->rflags & SMB2_FLAGS_SIGNED))
				fail("unsigned response (command %u, status 0x%08x) on a signed session", c->cmd, c->status);
			struct iovec v = { c->msg, c->len };
			if (!smb2_verify(c->salgo, c->keys.signing, &v, 1))
				fail("bad signature on a response (command %u)", c->cmd);
		}
		return;
	}
}

static void expect_status(struct smbc *c, uint32_t want, const char *what)
{
	if (c->status != want)
		fail("%s: status 0x%08x", what, c->status);
}

/* Sends a request and waits for its response (nothing else in flight). */
static void smb_call(struct smbc *c, uint16_t cmd, uint16_t charge, struct iovec *body, int nbody)
{
	uint64_t mid = smb_send(c, cmd, charge, body, nbody);
	smb_recv(c);
	if (c->rmid != mid)
		fail("response for message %llu, expected %llu", (unsigned long long)c->rmid,
		     (unsigned long long)mid);
}

/* ---- NEGOTIATE ---- */

static void smb_negotiate(struct smbc *c)
{
	uint8_t b[256];
	struct wr w = wr_init(b, sizeof(b));
	uint16_t dialects[3];
	int nd = 0;
	dialects[nd++] = SMB2_DIALECT_210;
	if (opt.dialect >= SMB2_DIALECT_302)
		dialects[nd++] = SMB2_DIALECT_302;
	if (opt.dialect >= SMB2_DIALECT_311)
		dialects[nd++] = SMB2_DIALECT_311;
	bool want_enc = opt.sec >= SEC_AES128GCM;
	wr_u16(&w, 36);
	wr_u16(&w, (uint16_t)nd);
	wr_u16(&w, SMB2_NEGOTIATE_SIGNING_ENABLED | (opt.sec == SEC_SIGN ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0));
	wr_u16(&w, 0);
	wr_u32(&w, SMB2_GLOBAL_CAP_LARGE_MTU | (want_enc ? SMB2_GLOBAL_CAP_ENCRYPTION : 0));
	uint8_t guid[16];
	auth_random(guid, 16);
	wr_bytes(&w, guid, 16);
	size_t ctx_off_at = w.pos;
	wr_u32(&w, 0);
	size_t ctx_cnt_at = w.pos;
	wr_u16(&w, 0);
	wr_u16(&w, 0);
	for (int i = 0; i < nd; i++)
		wr_u16(&w, dialects[i]);
	if (opt.dialect >= SMB2_DIALECT_311) {
		uint16_t nctx = 0;
		/* offsets count from the start of the SMB2 header */
		while ((64 + w.pos) % 8)
			wr_u8(&w, 0);
		wr_patch_u32(&w, ctx_off_at, (uint32_t)(64 + w.pos));
		uint8_t salt[32];
		auth_random(salt, 32);
		wr_u16(&w, SMB2_PREAUTH_INTEGRITY_CAPABILITIES);
		wr_u16(&w, 38);
		wr_u32(&w, 0);
		wr_u16(&w, 1);
		wr_u16(&w, 32);
		wr_u16(&w, SMB2_PREAUTH_INTEGRITY_SHA512);
		wr_bytes(&w, salt, 32);
		nctx++;
		if (want_enc) {
			static const uint16_t ciph[] = { [SEC_AES128GCM] = SMB2_CIPHER_AES128_GCM,
							 [SEC_AES256GCM] = SMB2_CIPHER_AES256_GCM,
							 [SEC_AES128CCM] = SMB2_CIPHER_AES128_CCM,
							 [SEC_AES256CCM] = SMB2_CIPHER_AES256_CCM };
			while (w.pos % 8)
				wr_u8(&w, 0);
			wr_u16(&w, SMB2_ENCRYPTION_CAPABILITIES);
			wr_u16(&w, 4);
			wr_u32(&w, 0);
			wr_u16(&w, 1);
			wr_u16(&w, ciph[opt.sec]);
			nctx++;
		}
		while (w.pos % 8)
			wr_u8(&w, 0);
		wr_u16(&w, SMB2_SIGNING_CAPABILITIES);
		wr_u16(&w, 6);
		wr_u32(&w, 0);
		wr_u16(&w, 2);
		wr_u16(&w, (uint16_t)opt.sign_algo);
		wr_u16(&w, opt.sign_algo == SMB2_SIGN_AES_CMAC ? SMB2_SIGN_AES_GMAC : SMB2_SIGN_AES_CMAC);
		nctx++;
		wr_patch_u16(&w, ctx_cnt_at, nctx);
	}
	if (w.bad)
		fail("internal: negotiate buffer");
	c->preauth_on = opt.dialect >= SMB2_DIALECT_311;
	memset(c->preauth, 0, 64);
	struct iovec v = { b, w.pos };
	smb_call(c, SMB2_NEGOTIATE, 1, &v, 1);
	expect_status(c, ST_SUCCESS, "NEGOTIATE");
	struct rd r = rd_init(c->msg, c->len);
	rd_seek(&r, 64);
	uint16_t ssize = rd_u16(&r);
	uint16_t secmode = rd_u16(&r);
	c->dialect = rd_u16(&r);
	uint16_t nctx = rd_u16(&r);
	rd_skip(&r, 16);
	rd_u32(&r); /* capabilities */
	c->max_trans = rd_u32(&r);
	c->max_read = rd_u32(&r);
	c->max_write = rd_u32(&r);
	rd_skip(&r, 16);
	rd_u16(&r);
	rd_u16(&r);
	uint32_t ctx_off = rd_u32(&r);
	if (r.bad || ssize != 65)
		fail("bad NEGOTIATE response");
	(void)secmode;
	if (c->dialect != SMB2_DIALECT_311)
		c->preauth_on = false;
	if (c->preauth_on) {
		struct iovec rv = { c->msg, c->len };
		smb2_preauth_update(c->preauth, &rv, 1);
	}
	c->salgo = c->dialect >= SMB2_DIALECT_300 ? SMB2_SIGN_AES_CMAC : SMB2_SIGN_HMAC_SHA256;
	c->cipher = c->dialect >= SMB2_DIALECT_300 && want_enc ? SMB2_CIPHER_AES128_CCM : SMB2_CIPHER_NONE;
	if (c->dialect == SMB2_DIALECT_311) {
		c->cipher = SMB2_CIPHER_NONE;
		struct rd cr = rd_init(c->msg, c->len);
		rd_seek(&cr, ctx_off);
		for (uint16_t i = 0; i < nctx && !cr.bad; i++) {
			while (cr.pos % 8 && rd_left(&cr))
				rd_skip(&cr, 1);
			uint16_t type = rd_u16(&cr), dlen = rd_u16(&cr);
			rd_skip(&cr, 4);
			struct rd d = rd_sub(&cr, dlen);
			if (type == SMB2_ENCRYPTION_CAPABILITIES) {
				if (rd_u16(&d) == 1)
					c->cipher = (enum smb2_cipher)rd_u16(&d);
			} else if (type == SMB2_SIGNING_CAPABILITIES) {
				if (rd_u16(&d) == 1)
					c->salgo = (enum smb2_sign_algo)rd_u16(&d);
			}
		}
		if (cr.bad)
			fail("bad negotiate contexts in the response");
	}
	if (want_enc && c->cipher == SMB2_CIPHER_NONE)
		fail("the server did not agree to a cipher");
	if (c->max_read < 65536 || c->max_write < 65536)
		fail("server max read/write below 64 KiB");
}

/* ---- NTLMSSP (NTLMv2) client, [MS-NLMP] 3.1.5.1 ---- */

static const uint8_t ntlm_magic[8] = { 'N', 'T', 'L', 'M', 'S', 'S', 'P', 0 };

static size_t ntlm_negotiate(uint8_t *out, size_t cap)
{
	uint32_t f = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_NTLM |
		     NTLMSSP_NEGOTIATE_ALWAYS_SIGN | NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
		     NTLMSSP_NEGOTIATE_VERSION | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_56 |
		     NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_KEY_EXCH;
	struct wr w = wr_init(out, cap);
	wr_bytes(&w, ntlm_magic, 8);
	wr_u32(&w, 1);
	wr_u32(&w, f);
	wr_zero(&w, 16);
	wr_u8(&w, 10);
	wr_u8(&w, 0);
	wr_u16(&w, 19041);
	wr_zero(&w, 3);
	wr_u8(&w, 15);
	return w.bad ? 0 : w.pos;
}

static void put_field(struct wr *w, size_t at, size_t len, size_t off)
{
	wr_patch_u16(w, at, (uint16_t)len);
	wr_patch_u16(w, at + 2, (uint16_t)len);
	wr_patch_u32(w, at + 4, (uint32_t)off);
}

/* Builds AUTHENTICATE from a CHALLENGE; fills the exported session key. */
static size_t ntlm_authenticate(const uint8_t *chal, size_t chal_len, uint8_t *out, size_t cap, uint8_t exported[16])
{
	struct rd r = rd_init(chal, chal_len);
	const uint8_t *sig = rd_take(&r, 8);
	uint32_t type = rd_u32(&r);
	rd_skip(&r, 8);
	uint32_t sflags = rd_u32(&r);
	uint8_t server_chal[8];
	rd_copy(&r, server_chal, 8);
	rd_skip(&r, 8);
	uint16_t ti_len = rd_u16(&r);
	rd_skip(&r, 2);
	uint32_t ti_off = rd_u32(&r);
	struct rd ti = rd_slice(&r, ti_off, ti_len);
	if (r.bad || ti.bad || !sig || memcmp(sig, ntlm_magic, 8) != 0 || type != 2)
		fail("bad NTLMSSP CHALLENGE");

	uint8_t user[256], dom[256], nt_hash[16], owf[16], kx[16], blob[1024], nt[1100], enc[16], cc[8];
	long ul = utf8_to_utf16le(opt.user, user, sizeof(user));
	long dl = utf8_to_utf16le(opt.domain, dom, sizeof(dom));
	if (ul < 0 || dl < 0)
		fail("bad user or domain name");
	auth_random(cc, 8);
	/* NTLMv2 blob: header, timestamp, client challenge, the server's AV pairs, EOL */
	struct wr b = wr_init(blob, sizeof(blob));
	wr_u8(&b, 1);
	wr_u8(&b, 1);
	wr_zero(&b, 6);
	size_t ts_at = b.pos;
	struct timespec now;
	clock_gettime(CLOCK_REALTIME, &now);
	wr_u64(&b, ((uint64_t)now.tv_sec + 11644473600ull) * 10000000ull + (uint64_t)now.tv_nsec / 100);
	wr_bytes(&b, cc, 8);
	wr_zero(&b, 4);
	while (rd_left(&ti) >= 4) {
		uint16_t id = rd_u16(&ti), len = rd_u16(&ti);
		const uint8_t *v = rd_take(&ti, len);
		if (!v || id == MsvAvEOL)
			break;
		if (id == MsvAvTimestamp && len == 8 && !b.bad)
			memcpy(blob + ts_at, v, 8);
		if (id == MsvAvFlags)
			continue;
		wr_u16(&b, id);
		wr_u16(&b, len);
		wr_bytes(&b, v, len);
	}
	wr_u32(&b, 0);
	wr_zero(&b, 4);
	if (b.bad)
		fail("NTLM target info too large");
	if (!ntlm_nt_hash(opt.password, nt_hash) ||
	    !ntlm_ntowfv2(nt_hash, user, (size_t)ul, dom, (size_t)dl, owf) ||
	    !ntlm_v2_proof(owf, server_chal, blob, b.pos, nt))
		fail("NTLM computation failed");
	memcpy(nt + 16, blob, b.pos);
	size_t nt_len = 16 + b.pos;
	auth_hmac_md5_2(owf, 16, nt, 16, NULL, 0, kx); /* SessionBaseKey = KeyExchangeKey */
	uint32_t flags = sflags;
	size_t key_len = 0;
	if (flags & NTLMSSP_NEGOTIATE_KEY_EXCH) {
		auth_random(exported, 16);
		auth_rc4_once(kx, exported, enc, 16);
		key_len = 16;
	} else {
		memcpy(exported, kx, 16);
	}
	uint8_t lm[24] = { 0 };
	struct wr w = wr_init(out, cap);
	wr_bytes(&w, ntlm_magic, 8);
	wr_u32(&w, 3);
	wr_zero(&w, 6 * 8);
	wr_u32(&w, flags);
	wr_u8(&w, 10);
	wr_u8(&w, 0);
	wr_u16(&w, 19041);
	wr_zero(&w, 3);
	wr_u8(&w, 15);
	wr_zero(&w, 16); /* MIC: not sent (no MsvAvFlags MIC_PRESENT) */
	put_field(&w, 28, (size_t)dl, w.pos);
	wr_bytes(&w, dom, (size_t)dl);
	put_field(&w, 36, (size_t)ul, w.pos);
	wr_bytes(&w, user, (size_t)ul);
	put_field(&w, 44, 0, w.pos);
	put_field(&w, 12, 24, w.pos);
	wr_bytes(&w, lm, 24);
	put_field(&w, 20, nt_len, w.pos);
	wr_bytes(&w, nt, nt_len);
	put_field(&w, 52, key_len, w.pos);
	wr_bytes(&w, enc, key_len);
	if (w.bad)
		fail("internal: AUTHENTICATE buffer");
	return w.pos;
}

/* ---- SESSION_SETUP, TREE_CONNECT ---- */

static void session_setup_send(struct smbc *c, const uint8_t *tok, size_t tok_len)
{
	uint8_t b[24];
	struct wr w = wr_init(b, sizeof(b));
	wr_u16(&w, 25);
	wr_u8(&w, 0);
	wr_u8(&w, SMB2_NEGOTIATE_SIGNING_ENABLED | (opt.sec == SEC_SIGN ? SMB2_NEGOTIATE_SIGNING_REQUIRED : 0));
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u16(&w, 64 + 24);
	wr_u16(&w, (uint16_t)tok_len);
	wr_u64(&w, 0);
	struct iovec v[2] = { { b, sizeof(b) }, { (void *)tok, tok_len } };
	smb_call(c, SMB2_SESSION_SETUP, 1, v, 2);
}

/* The security buffer of a SESSION_SETUP response. */
static struct rd session_setup_token(struct smbc *c)
{
	struct rd r = rd_init(c->msg, c->len);
	rd_seek(&r, 64);
	uint16_t ssize = rd_u16(&r);
	rd_u16(&r);
	uint16_t off = rd_u16(&r), len = rd_u16(&r);
	if (r.bad || ssize != 9)
		fail("bad SESSION_SETUP response");
	return rd_slice(&r, off, len);
}

static void smb_session_setup(struct smbc *c)
{
	uint8_t neg[64], tok[4096], auth[2048], exported[16];
	size_t neg_len = ntlm_negotiate(neg, sizeof(neg));
	const uint8_t *mechs[1] = { spnego_oid_ntlmssp };
	size_t mech_lens[1] = { sizeof(spnego_oid_ntlmssp) };
	long tl = spnego_encode_init(tok, sizeof(tok), mechs, mech_lens, 1, neg, neg_len, NULL);
	if (tl < 0)
		fail("internal: SPNEGO init");
	session_setup_send(c, tok, (size_t)tl);
	expect_status(c, ST_MORE_PROCESSING, "SESSION_SETUP (1)");
	c->sid = le64_at(c->msg + 40);
	if (c->preauth_on) {
		struct iovec rv = { c->msg, c->len };
		smb2_preauth_update(c->preauth, &rv, 1);
	}
	struct rd st = session_setup_token(c);
	if (st.bad || st.len == 0)
		fail("no security token in SESSION_SETUP response");
	const uint8_t *chal = st.p;
	size_t chal_len = st.len;
	if (!(st.len >= 8 && memcmp(st.p, ntlm_magic, 8) == 0)) {
		struct spnego_token t;
		if (!NT_OK(spnego_decode(st.p, st.len, &t)) || !t.response_token.present)
			fail("SESSION_SETUP response token is neither SPNEGO nor NTLMSSP");
		chal = t.response_token.p;
		chal_len = t.response_token.len;
	}
	size_t auth_len = ntlm_authenticate(chal, chal_len, auth, sizeof(auth), exported);
	tl = spnego_encode_resp(tok, sizeof(tok), SPNEGO_NO_STATE, NULL, 0, auth, auth_len, NULL, 0);
	if (tl < 0)
		fail("internal: SPNEGO resp");
	session_setup_send(c, tok, (size_t)tl);
	expect_status(c, ST_SUCCESS, "SESSION_SETUP (authentication)");
	uint16_t sflags = le16_at(c->msg + 66);
	if (sflags & (SMB2_SESSION_FLAG_IS_GUEST | SMB2_SESSION_FLAG_IS_NULL))
		fail("logged on as guest/anonymous, not as %s", opt.user);
	bool want_enc = opt.sec >= SEC_AES128GCM;
	if (!smb2_derive_keys(c->dialect, exported, 16, c->preauth, want_enc ? c->cipher : SMB2_CIPHER_NONE,
			      &c->keys))
		fail("key derivation failed");
	if (c->rflags & SMB2_FLAGS_SIGNED) {
		struct iovec v = { c->msg, c->len };
		if (!smb2_verify(c->salgo, c->keys.signing, &v, 1))
			fail("bad signature on the final SESSION_SETUP response (key derivation mismatch)");
	} else if (c->dialect == SMB2_DIALECT_311) {
		fail("final 3.1.1 SESSION_SETUP response is not signed");
	}
	c->preauth_on = false;
	if (want_enc) {
		c->encrypt = true;
		smb2_nonce_init(&c->ng);
	} else if (opt.sec == SEC_SIGN) {
		c->sign = true;
	} else if (sflags & SMB2_SESSION_FLAG_ENCRYPT_DATA) {
		fail("the server requires encryption; use an encrypting --sec");
	}
}

static void smb_tree_connect(struct smbc *c)
{
	char unc[300];
	uint8_t path[600], b[8];
	snprintf(unc, sizeof(unc), "\\\\%s\\%s", opt.host, opt.share);
	long pl = utf8_to_utf16le(unc, path, sizeof(path));
	if (pl < 0)
		fail("bad share name");
	struct wr w = wr_init(b, sizeof(b));
	wr_u16(&w, 9);
	wr_u16(&w, 0);
	wr_u16(&w, 64 + 8);
	wr_u16(&w, (uint16_t)pl);
	struct iovec v[2] = { { b, 8 }, { path, (size_t)pl } };
	smb_call(c, SMB2_TREE_CONNECT, 1, v, 2);
	expect_status(c, ST_SUCCESS, "TREE_CONNECT");
	c->tid = le32_at(c->msg + 36);
	uint32_t share_flags = le32_at(c->msg + 64 + 4);
	if ((share_flags & SMB2_SHAREFLAG_ENCRYPT_DATA) && !c->encrypt)
		fail("the share requires encryption; use an encrypting --sec");
}

static void smb_connect(struct smbc *c)
{
	smbc_init(c, tcp_connect(opt.host, opt.port, false));
	smb_negotiate(c);
	smb_session_setup(c);
	smb_tree_connect(c);
}

static void smb_logoff(struct smbc *c)
{
	uint8_t b[4] = { 4, 0, 0, 0 };
	struct iovec v = { b, 4 };
	smb_call(c, SMB2_TREE_DISCONNECT, 1, &v, 1);
	smb_call(c, SMB2_LOGOFF, 1, &v, 1);
	smbc_free(c);
}

/* ---- file commands ---- */

struct fid {
	uint8_t id[16];
	uint64_t eof;
	uint32_t action;
};

static uint64_t create_send(struct smbc *c, const char *name, uint32_t access, uint32_t disposition,
			    uint32_t options)
{
	uint8_t b[56], n16[1024];
	long nl = utf8_to_utf16le(name, n16, sizeof(n16));
	if (nl < 0)
		fail("bad file name %s", name);
	struct wr w = wr_init(b, sizeof(b));
	wr_u16(&w, 57);
	wr_u8(&w, 0);
	wr_u8(&w, 0); /* no oplock */
	wr_u32(&w, 2); /* impersonation */
	wr_u64(&w, 0);
	wr_u64(&w, 0);
	wr_u32(&w, access);
	wr_u32(&w, 0x80); /* FILE_ATTRIBUTE_NORMAL */
	wr_u32(&w, FILE_SHARE_ALL);
	wr_u32(&w, disposition);
	wr_u32(&w, options);
	wr_u16(&w, 64 + 56);
	wr_u16(&w, (uint16_t)nl);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	static uint8_t zero8[8];
	struct iovec v[2] = { { b, 56 }, { nl ? (void *)n16 : zero8, nl ? (size_t)nl : 1 } };
	return smb_send(c, SMB2_CREATE, 1, v, 2);
}

static void create_parse(struct smbc *c, struct fid *f, const char *what)
{
	expect_status(c, ST_SUCCESS, what);
	struct rd r = rd_init(c->msg, c->len);
	rd_seek(&r, 64);
	if (rd_u16(&r) != 89)
		fail("%s: bad CREATE response", what);
	rd_skip(&r, 2);
	f->action = rd_u32(&r);
	rd_skip(&r, 40);
	f->eof = rd_u64(&r);
	rd_skip(&r, 8);
	rd_copy(&r, f->id, 16);
	if (r.bad)
		fail("%s: short CREATE response", what);
}

static void smb_create(struct smbc *c, const char *name, uint32_t access, uint32_t disposition, uint32_t options,
		       struct fid *f)
{
	uint64_t mid = create_send(c, name, access, disposition, options);
	smb_recv(c);
	if (c->rmid != mid)
		fail("out of order response");
	char what[300];
	snprintf(what, sizeof(what), "CREATE %s", name);
	create_parse(c, f, what);
}

static void smb_close(struct smbc *c, const struct fid *f)
{
	uint8_t b[24];
	struct wr w = wr_init(b, sizeof(b));
	wr_u16(&w, 24);
	wr_u16(&w, 0);
	wr_u32(&w, 0);
	wr_bytes(&w, f->id, 16);
	struct iovec v = { b, 24 };
	smb_call(c, SMB2_CLOSE, 1, &v, 1);
	expect_status(c, ST_SUCCESS, "CLOSE");
}

static uint64_t read_send(struct smbc *c, const struct fid *f, uint64_t off, uint32_t len)
{
	uint8_t b[49];
	struct wr w = wr_init(b, sizeof(b));
	wr_u16(&w, 49);
	wr_u8(&w, 0x50);
	wr_u8(&w, 0);
	wr_u32(&w, len);
	wr_u64(&w, off);
	wr_bytes(&w, f->id, 16);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u16(&w, 0);
	wr_u16(&w, 0);
	wr_u8(&w, 0);
	struct iovec v = { b, 49 };
	return smb_send(c, SMB2_READ, charge_for(c, len), &v, 1);
}

static uint64_t write_send(struct smbc *c, const struct fid *f, uint64_t off, const uint8_t *data, uint32_t len)
{
	uint8_t b[48];
	struct wr w = wr_init(b, sizeof(b));
	wr_u16(&w, 49);
	wr_u16(&w, 64 + 48);
	wr_u32(&w, len);
	wr_u64(&w, off);
	wr_bytes(&w, f->id, 16);
	wr_u32(&w, 0);
	wr_u32(&w, 0);
	wr_u16(&w, 0);
	wr_u16(&w, 0);
	wr_u32(&w, 0);
	struct iovec v[2] = { { b, 48 }, { (void *)data, len } };
	return smb_send(c, SMB2_WRITE, charge_for(c, len), v, 2);
}

/* The data of a READ response, checked against the request. */
static const uint8_t *read_data(struct smbc *c, uint32_t want)
{
	if (c->status != ST_SUCCESS)
		fail("READ: status 0x%08x", c->status);
	struct rd r = rd_init(c->msg, c->len);
	rd_seek(&r, 64);
	uint16_t ssize = rd_u16(&r);
	uint8_t off = rd_u8(&r);
	rd_u8(&r);
	uint32_t len = rd_u32(&r);
	struct rd d = rd_slice(&r, off, len);
	if (r.bad || d.bad || ssize != 17)
		fail("bad READ response");
	if (len != want)
		fail("READ returned %u bytes, asked for %u", len, want);
	return d.p;
}

/* ---- the pipeline: keeps up to `depth` requests in flight ---- */

struct slot {
	uint64_t mid;
	uint64_t off;
	uint32_t len;
	bool used;
};

struct pipe {
	struct slot s[MAX_DEPTH];
	int inflight;
};

static void pipe_add(struct pipe *p, uint64_t mid, uint64_t off, uint32_t len)
{
	for (int i = 0; i < MAX_DEPTH; i++)
		if (!p->s[i].used) {
			p->s[i] = (struct slot){ mid, off, len, true };
			p->inflight++;
			return;
		}
	fail("internal: pipeline full");
}

static struct slot pipe_take(struct pipe *p, uint64_t mid)
{
	for (int i = 0; i < MAX_DEPTH; i++)
		if (p->s[i].used && p->s[i].mid == mid) {
			p->s[i].used = false;
			p->inflight--;
			return p->s[i];
		}
	fail("response for unknown message id %llu", (unsigned long long)mid);
}

static bool can_send(struct smbc *c, struct pipe *p, uint16_t charge)
{
	if (p->inflight >= opt.depth)
		return false;
	if (c->credits >= charge)
		return true;
	if (p->inflight == 0)
		fail("out of credits (%u held, %u needed) with nothing in flight", c->credits, charge);
	return false;
}

/* ---- measurement around a timed phase ---- */

struct meter {
	double t0, c0, s0;
};

static void meter_start(struct meter *m)
{
	m->s0 = server_cpu();
	m->c0 = cpu_self_s();
	m->t0 = now_s();
}

static void meter_print(struct meter *m, const char *op, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void meter_print(struct meter *m, const char *op, const char *fmt, ...)
{
	double secs = now_s() - m->t0;
	double ccpu = cpu_self_s() - m->c0;
	double scpu = opt.server_pid > 0 ? server_cpu() - m->s0 : -1;
	static const char *const secn[] = { "plain", "sign", "aes128gcm", "aes256gcm", "aes128ccm", "aes256ccm" };
	char extra[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(extra, sizeof(extra), fmt, ap);
	va_end(ap);
	printf("RESULT op=%s sec=%s depth=%d secs=%.6f server_cpu=%.3f client_cpu=%.3f %s ok=1\n", op,
	       secn[opt.sec], opt.depth, secs, scpu, ccpu, extra);
	fflush(stdout);
}

static const char *algo_name(const struct smbc *c)
{
	if (c->encrypt) {
		switch (c->cipher) {
		case SMB2_CIPHER_AES128_GCM:
			return "aes-128-gcm";
		case SMB2_CIPHER_AES256_GCM:
			return "aes-256-gcm";
		case SMB2_CIPHER_AES128_CCM:
			return "aes-128-ccm";
		case SMB2_CIPHER_AES256_CCM:
			return "aes-256-ccm";
		default:
			return "?";
		}
	}
	if (c->sign)
		return c->salgo == SMB2_SIGN_AES_GMAC ? "aes-gmac" : c->salgo == SMB2_SIGN_AES_CMAC ? "aes-cmac" : "hmac-sha256";
	return "none";
}

/* ---- workloads ---- */

static void wl_read(void)
{
	struct smbc c;
	struct fid f;
	struct pipe p = { 0 };
	smb_connect(&c);
	smb_create(&c, opt.file, ACC_READ, FILE_OPEN, FILE_NON_DIRECTORY_FILE, &f);
	if (opt.size && f.eof != opt.size)
		fail("%s is %llu bytes, expected %llu", opt.file, (unsigned long long)f.eof,
		     (unsigned long long)opt.size);
	uint64_t size = f.eof, next = 0, done = 0;
	uint32_t io = (uint32_t)(opt.io_size < c.max_read ? opt.io_size : c.max_read);
	uint16_t charge = charge_for(&c, io);
	struct meter m;
	meter_start(&m);
	while (done < size) {
		while (next < size && can_send(&c, &p, charge)) {
			uint32_t n = size - next < io ? (uint32_t)(size - next) : io;
			uint64_t mid = read_send(&c, &f, next, n);
			pipe_add(&p, mid, next, n);
			next += n;
		}
		smb_recv(&c);
		struct slot s = pipe_take(&p, c.rmid);
		const uint8_t *d = read_data(&c, s.len);
		if (!data_check(d, s.off, s.len))
			fail("READ at offset %llu returned wrong data", (unsigned long long)s.off);
		done += s.len;
	}
	meter_print(&m, "read", "bytes=%llu io=%u algo=%s", (unsigned long long)size, io, algo_name(&c));
	smb_close(&c, &f);
	smb_logoff(&c);
}

static void verify_local_file(const char *path, uint64_t size)
{
	int fd = open(path, O_RDONLY);
	if (fd < 0)
		fail("cannot open %s: %s", path, strerror(errno));
	struct stat st;
	fstat(fd, &st);
	if ((uint64_t)st.st_size != size)
		fail("%s is %llu bytes after the writes, expected %llu", path, (unsigned long long)st.st_size,
		     (unsigned long long)size);
	size_t bs = 1 << 20;
	uint8_t *buf = malloc(bs);
	uint64_t off = 0;
	while (off < size) {
		ssize_t r = pread(fd, buf, bs, (off_t)off);
		if (r <= 0)
			fail("read %s: %s", path, r < 0 ? strerror(errno) : "short file");
		if (!data_check(buf, off, (size_t)r))
			fail("%s has wrong data at offset %llu after the writes", path, (unsigned long long)off);
		off += (uint64_t)r;
	}
	free(buf);
	close(fd);
}

static void wl_write(void)
{
	struct smbc c;
	struct fid f;
	struct pipe p = { 0 };
	if (!opt.size)
		fail("write needs --size");
	smb_connect(&c);
	/* --in-place: overwrite the cached pages of an existing file rather than
	 * truncating it and allocating them again */
	smb_create(&c, opt.file, ACC_RW, opt.in_place ? FILE_OPEN_IF : FILE_OVERWRITE_IF, FILE_NON_DIRECTORY_FILE, &f);
	uint32_t io = (uint32_t)(opt.io_size < c.max_write ? opt.io_size : c.max_write);
	uint16_t charge = charge_for(&c, io);
	uint8_t *buf = malloc(io);
	if (!buf)
		fail("out of memory");
	data_fill(buf, 0, io);
	uint64_t size = opt.size, next = 0, done = 0;
	struct meter m;
	meter_start(&m);
	while (done < size) {
		while (next < size && can_send(&c, &p, charge)) {
			uint32_t n = size - next < io ? (uint32_t)(size - next) : io;
			data_restamp(buf, next, n);
			uint64_t mid = write_send(&c, &f, next, buf, n);
			pipe_add(&p, mid, next, n);
			next += n;
		}
		smb_recv(&c);
		struct slot s = pipe_take(&p, c.rmid);
		if (c.status != ST_SUCCESS)
			fail("WRITE at %llu: status 0x%08x", (unsigned long long)s.off, c.status);
		if (c.len < 64 + 8 || le32_at(c.msg + 64 + 4) != s.len)
			fail("WRITE at %llu: short count", (unsigned long long)s.off);
		done += s.len;
	}
	meter_print(&m, "write", "bytes=%llu io=%u algo=%s", (unsigned long long)size, io, algo_name(&c));
	smb_close(&c, &f);
	smb_logoff(&c);
	if (opt.verify_local)
		verify_local_file(opt.verify_local, size);
	free(buf);
}

static void wl_randread(void)
{
	struct smbc c;
	struct fid f;
	struct pipe p = { 0 };
	smb_connect(&c);
	smb_create(&c, opt.file, ACC_READ, FILE_OPEN, FILE_NON_DIRECTORY_FILE, &f);
	uint64_t blocks = f.eof / BLOCK, ops = 0, x = 0x2545F4914F6CDD1Dull ^ (uint64_t)getpid();
	if (blocks == 0)
		fail("%s is smaller than 4 KiB", opt.file);
	struct meter m;
	meter_start(&m);
	double end = m.t0 + opt.seconds;
	bool stop = false;
	while (!stop || p.inflight) {
		while (!stop && can_send(&c, &p, 1)) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			uint64_t off = (x % blocks) * BLOCK;
			pipe_add(&p, read_send(&c, &f, off, BLOCK), off, BLOCK);
		}
		smb_recv(&c);
		struct slot s = pipe_take(&p, c.rmid);
		if (!data_check(read_data(&c, BLOCK), s.off, BLOCK))
			fail("random READ at %llu returned wrong data", (unsigned long long)s.off);
		ops++;
		if (!stop && (ops & 63) == 0 && now_s() >= end)
			stop = true;
	}
	double secs = now_s() - m.t0;
	meter_print(&m, "randread", "ops=%llu iops=%.1f algo=%s", (unsigned long long)ops, (double)ops / secs,
		    algo_name(&c));
	smb_close(&c, &f);
	smb_logoff(&c);
}

static void file_name(char *out, size_t cap, uint64_t i)
{
	snprintf(out, cap, "%s\\f%07llu", opt.dir, (unsigned long long)i);
}

static void wl_create(void)
{
	struct smbc c;
	struct fid d, f;
	char name[512];
	smb_connect(&c);
	smb_create(&c, opt.dir, ACC_LIST, FILE_OPEN_IF, FILE_DIRECTORY_FILE, &d);
	smb_close(&c, &d);
	struct meter m;
	meter_start(&m);
	for (uint64_t i = 0; i < opt.count; i++) {
		file_name(name, sizeof(name), i);
		smb_create(&c, name, ACC_RW, FILE_CREATE, FILE_NON_DIRECTORY_FILE, &f);
		if (f.action != FILE_CREATED)
			fail("CREATE %s: action %u, not FILE_CREATED", name, f.action);
		smb_close(&c, &f);
	}
	double secs = now_s() - m.t0;
	meter_print(&m, "create", "files=%llu rate=%.1f", (unsigned long long)opt.count, (double)opt.count / secs);
	smb_logoff(&c);
}

static void wl_stat(void)
{
	struct smbc c;
	struct fid f;
	char name[512];
	smb_connect(&c);
	struct meter m;
	meter_start(&m);
	for (uint64_t i = 0; i < opt.count; i++) {
		file_name(name, sizeof(name), i);
		smb_create(&c, name, ACC_ATTR, FILE_OPEN, 0, &f);
		uint8_t b[41];
		struct wr w = wr_init(b, sizeof(b));
		wr_u16(&w, 41);
		wr_u8(&w, INFO_FILE);
		wr_u8(&w, CLASS_FILE_ALL);
		wr_u32(&w, 4096);
		wr_u16(&w, 0);
		wr_u16(&w, 0);
		wr_u32(&w, 0);
		wr_u32(&w, 0);
		wr_u32(&w, 0);
		wr_bytes(&w, f.id, 16);
		wr_u8(&w, 0);
		struct iovec v = { b, 41 };
		smb_call(&c, SMB2_QUERY_INFO, 1, &v, 1);
		expect_status(&c, ST_SUCCESS, "QUERY_INFO FileAllInformation");
		struct rd r = rd_init(c.msg, c.len);
		rd_seek(&r, 64 + 2);
		uint16_t off = rd_u16(&r);
		uint32_t len = rd_u32(&r);
		struct rd info = rd_slice(&r, off, len);
		/* FileBasicInformation (40 bytes), then Standard: Allocation, EndOfFile, Links, DeletePending, Directory */
		rd_skip(&info, 48);
		uint64_t eof = rd_u64(&info);
		rd_u32(&info);
		rd_u8(&info);
		uint8_t is_dir = rd_u8(&info);
		if (r.bad || info.bad || eof != f.eof || is_dir)
			fail("QUERY_INFO %s: bad FileAllInformation", name);
		smb_close(&c, &f);
	}
	double secs = now_s() - m.t0;
	meter_print(&m, "stat", "files=%llu rate=%.1f", (unsigned long long)opt.count, (double)opt.count / secs);
	smb_logoff(&c);
}

static void wl_list(void)
{
	struct smbc c;
	struct fid d;
	smb_connect(&c);
	uint64_t entries = 0, calls = 0;
	struct meter m;
	meter_start(&m);
	smb_create(&c, opt.dir, ACC_LIST, FILE_OPEN, FILE_DIRECTORY_FILE, &d);
	uint8_t star[2] = { '*', 0 };
	for (;;) {
		uint8_t b[32];
		struct wr w = wr_init(b, sizeof(b));
		wr_u16(&w, 33);
		wr_u8(&w, CLASS_ID_BOTH_DIR);
		wr_u8(&w, 0);
		wr_u32(&w, 0);
		wr_bytes(&w, d.id, 16);
		wr_u16(&w, 64 + 32);
		wr_u16(&w, 2);
		wr_u32(&w, 65536);
		struct iovec v[2] = { { b, 32 }, { star, 2 } };
		smb_call(&c, SMB2_QUERY_DIRECTORY, 1, v, 2);
		calls++;
		if (c.status == ST_NO_MORE_FILES)
			break;
		expect_status(&c, ST_SUCCESS, "QUERY_DIRECTORY");
		struct rd r = rd_init(c.msg, c.len);
		rd_seek(&r, 64 + 2);
		uint16_t off = rd_u16(&r);
		uint32_t len = rd_u32(&r);
		struct rd out = rd_slice(&r, off, len);
		if (r.bad || out.bad || len == 0)
			fail("bad QUERY_DIRECTORY response");
		size_t pos = 0;
		for (;;) {
			struct rd e = rd_slice(&out, pos, 8);
			uint32_t next = rd_u32(&e);
			if (e.bad)
				fail("bad directory entry");
			entries++;
			if (next == 0)
				break;
			pos += next;
		}
	}
	smb_close(&c, &d);
	double secs = now_s() - m.t0;
	if (entries != opt.count + 2)
		fail("listing returned %llu entries, expected %llu + . and ..", (unsigned long long)entries,
		     (unsigned long long)opt.count);
	meter_print(&m, "list", "entries=%llu calls=%llu rate=%.1f", (unsigned long long)entries,
		    (unsigned long long)calls, (double)entries / secs);
	smb_logoff(&c);
}

/* NEGOTIATE, SESSION_SETUP and TREE_CONNECT; false (after printing why) on failure. */
static bool try_session(struct smbc *c, int fd)
{
	jmp_buf jb;
	smbc_init(c, fd);
	if (setjmp(jb)) {
		fail_jmp = NULL;
		return false;
	}
	fail_jmp = &jb;
	smb_negotiate(c);
	smb_session_setup(c);
	smb_tree_connect(c);
	fail_jmp = NULL;
	return true;
}

/* Holds idle authenticated, tree-connected sessions, one per connection, and
 * reports the server's PSS at each checkpoint and the number held at the end. */
static void wl_sessions(void)
{
	uint64_t cps[32];
	int ncp = 0;
	for (const char *s = opt.checkpoints; *s && ncp < 32;) {
		cps[ncp++] = strtoull(s, (char **)&s, 10);
		if (*s == ',')
			s++;
	}
	struct rlimit rl;
	getrlimit(RLIMIT_NOFILE, &rl);
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
	struct smbc *conns = calloc(opt.max + 1, sizeof(*conns));
	if (!conns)
		fail("out of memory");
	long total = mem_total_kb();
	const char *why = "reached --max";
	uint64_t held = 0;
	int cpi = 0;
	double t0 = now_s();
	for (;;) {
		while (cpi < ncp && cps[cpi] == held) {
			usleep(500000);
			int np = server_nprocs();
			printf("MEM sessions=%llu pss_kb=%llu procs=%d\n", (unsigned long long)held,
			       server_pss_kb(), np);
			fflush(stdout);
			cpi++;
		}
		if (held >= opt.max)
			break;
		if ((held & 63) == 0) {
			long avail = mem_available_kb();
			if (avail >= 0 && total > 0 && (double)avail < total * opt.mem_guard_pct / 100.0) {
				why = "memory guard (MemAvailable below --mem-guard-pct)";
				break;
			}
			if (pids_nearly_exhausted()) {
				why = "pid guard (threads above 3/4 of kernel.pid_max)";
				break;
			}
			if (opt.time_cap > 0 && now_s() - t0 > opt.time_cap) {
				why = "time cap (--time-cap)";
				break;
			}
		}
		int fd = tcp_connect(opt.host, opt.port, true);
		if (fd < 0) {
			why = "connect failed";
			break;
		}
		struct smbc *c = &conns[held];
		if (!try_session(c, fd)) {
			why = "session setup failed";
			close(fd);
			break;
		}
		free(c->rbuf); /* keep the client small; the buffers come back on demand */
		c->rbuf = NULL;
		c->rcap = 0;
		held++;
	}
	printf("RESULT op=sessions held=%llu secs=%.3f stop=\"%s\" ok=1\n", (unsigned long long)held, now_s() - t0,
	       why);
	fflush(stdout);
	if (opt.hold > 0)
		usleep((useconds_t)(opt.hold * 1e6));
	for (uint64_t i = 0; i < held; i++)
		close(conns[i].fd);
	free(conns);
}

/* ---- helpers that do not speak SMB ---- */

static void cmd_mkfile(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		fail("create %s: %s", path, strerror(errno));
	size_t bs = 1 << 20;
	uint8_t *buf = malloc(bs);
	data_fill(buf, 0, bs);
	for (uint64_t off = 0; off < opt.size; off += bs) {
		size_t n = opt.size - off < bs ? (size_t)(opt.size - off) : bs;
		data_restamp(buf, off, n);
		if (pwrite(fd, buf, n, (off_t)off) != (ssize_t)n)
			fail("write %s: %s", path, strerror(errno));
	}
	if (ftruncate(fd, (off_t)opt.size) != 0 || close(fd) != 0)
		fail("finish %s: %s", path, strerror(errno));
	free(buf);
}

static void cmd_mkfiles(const char *dir)
{
	char path[4096];
	mkdir(dir, 0755);
	for (uint64_t i = 0; i < opt.count; i++) {
		snprintf(path, sizeof(path), "%s/f%07llu", dir, (unsigned long long)i);
		int fd = open(path, O_WRONLY | O_CREAT, 0644);
		if (fd < 0)
			fail("create %s: %s", path, strerror(errno));
		close(fd);
	}
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

/* Time from fork+exec of the server to the first accepted TCP connection. */
static void cmd_startup(char **argv)
{
	double *t = calloc((size_t)opt.runs, sizeof(double));
	for (int i = 0; i < opt.runs; i++) {
		int probe = tcp_connect(opt.host, opt.port, true);
		if (probe >= 0)
			fail("port %d is already in use", opt.port);
		double t0 = now_s();
		pid_t pid = fork();
		if (pid < 0)
			fail("fork: %s", strerror(errno));
		if (pid == 0) {
			/* own session: smbd --no-process-group signals its whole process group on exit */
			setsid();
			int null = open("/dev/null", O_RDWR);
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			execvp(argv[0], argv);
			_exit(127);
		}
		int fd = -1;
		while ((fd = tcp_connect(opt.host, opt.port, true)) < 0) {
			int st;
			if (waitpid(pid, &st, WNOHANG) == pid)
				fail("%s exited before accepting a connection", argv[0]);
			if (now_s() - t0 > 30)
				fail("%s did not accept a connection within 30 s", argv[0]);
			usleep(200);
		}
		t[i] = now_s() - t0;
		close(fd);
		kill(pid, SIGTERM);
		double k0 = now_s();
		for (;;) {
			if (waitpid(pid, NULL, WNOHANG) == pid)
				break;
			if (now_s() - k0 > 10) {
				kill(pid, SIGKILL);
				waitpid(pid, NULL, 0);
				break;
			}
			usleep(1000);
		}
		/* wait until the port is free again (children of the server may hold it briefly) */
		for (int k = 0; k < 5000; k++) {
			int p2 = tcp_connect(opt.host, opt.port, true);
			if (p2 < 0)
				break;
			close(p2);
			usleep(1000);
		}
	}
	qsort(t, (size_t)opt.runs, sizeof(double), cmp_double);
	double med = opt.runs % 2 ? t[opt.runs / 2] : (t[opt.runs / 2 - 1] + t[opt.runs / 2]) / 2;
	printf("RESULT op=startup runs=%d median_ms=%.3f min_ms=%.3f max_ms=%.3f ok=1\n", opt.runs, med * 1e3,
	       t[0] * 1e3, t[opt.runs - 1] * 1e3);
	free(t);
}

/* Loopback TCP single-stream throughput: a forked receiver reads and discards. */
static void cmd_tcplimit(void)
{
	int ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int one = 1;
	setsockopt(ls, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons((uint16_t)opt.port) };
	inet_pton(AF_INET, "127.0.0.1", &sa.sin_addr);
	if (bind(ls, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(ls, 1) < 0)
		fail("listen on %d: %s", opt.port, strerror(errno));
	size_t bs = 1 << 20;
	pid_t pid = fork();
	if (pid == 0) {
		int fd = accept(ls, NULL, NULL);
		uint8_t *buf = malloc(bs);
		uint64_t got = 0;
		ssize_t r;
		while ((r = read(fd, buf, bs)) > 0)
			got += (uint64_t)r;
		uint8_t ack = got == opt.size;
		if (write(fd, &ack, 1) != 1)
			_exit(1);
		_exit(0);
	}
	close(ls);
	int fd = tcp_connect("127.0.0.1", opt.port, false);
	uint8_t *buf = malloc(bs);
	memset(buf, 0x5a, bs);
	double c0 = cpu_self_s(), t0 = now_s();
	for (uint64_t off = 0; off < opt.size; off += bs) {
		size_t n = opt.size - off < bs ? (size_t)(opt.size - off) : bs;
		struct iovec v = { buf, n };
		io_write_all(fd, &v, 1);
	}
	shutdown(fd, SHUT_WR);
	uint8_t ack = 0;
	io_read_all(fd, &ack, 1);
	double secs = now_s() - t0;
	waitpid(pid, NULL, 0);
	if (!ack)
		fail("the receiver got the wrong byte count");
	printf("RESULT op=tcplimit bytes=%llu secs=%.6f mbps=%.1f sender_cpu=%.3f ok=1\n",
	       (unsigned long long)opt.size, secs, opt.size / secs / 1e6, cpu_self_s() - c0);
	free(buf);
}

/* ---- main ---- */

static uint64_t parse_size(const char *s)
{
	char *end;
	double v = strtod(s, &end);
	switch (*end) {
	case 'k':
	case 'K':
		v *= 1024;
		break;
	case 'm':
	case 'M':
		v *= 1024 * 1024;
		break;
	case 'g':
	case 'G':
		v *= 1024.0 * 1024 * 1024;
		break;
	default:
		break;
	}
	return (uint64_t)v;
}

static const char usage[] =
	"Usage: smbload COMMAND [options]\n"
	"SMB workloads (connect to --host/--port as --user, password from $SMBLOAD_PASSWORD):\n"
	"  read      read --file sequentially (--io-size, --depth), verify every block\n"
	"  write     write --size bytes to --file (overwrite), optionally verify --verify-local PATH\n"
	"  randread  4 KiB random reads of --file for --seconds at --depth\n"
	"  create    create+close --count files in --dir (created if missing)\n"
	"  stat      open+query(FileAllInformation)+close of --count files in --dir\n"
	"  list      list --dir (expects --count entries besides . and ..)\n"
	"  sessions  hold up to --max idle sessions; PSS of --server-pid's tree at --checkpoints\n"
	"Helpers:\n"
	"  mkfile PATH      write --size bytes of test data      mkfiles DIR   --count empty files\n"
	"  verify PATH      check a local file holds test data (--size)\n"
	"  startup -- CMD   median time from exec to an accepted connection on --port (--runs)\n"
	"  tcplimit         loopback single-stream TCP throughput on --port (--size bytes)\n"
	"Options: --sec plain|sign|aes128gcm|aes256gcm|aes128ccm|aes256ccm  --sign-algo gmac|cmac|hmac\n"
	"  --dialect 2.1|3.0.2|3.1.1  --server-pid PID (CPU and PSS of its process tree)\n"
	"  --share NAME --domain D --mem-guard-pct P (sessions: stop when MemAvailable < P%)\n"
	"  --time-cap S (sessions: stop opening sessions after S seconds)\n"
	"  --hold S (sessions: keep them S seconds after the RESULT line before closing)\n"
	"  --in-place (write: overwrite an existing file instead of truncating it first)\n"
	"  --seed N (a different data pattern: write, verify, mkfile and read must agree)\n";

int main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "host", 1, 0, 'H' },	  { "port", 1, 0, 'p' },	{ "user", 1, 0, 'u' },
		{ "domain", 1, 0, 'D' },  { "share", 1, 0, 'S' },	{ "dialect", 1, 0, 'd' },
		{ "sec", 1, 0, 'e' },	  { "sign-algo", 1, 0, 'a' },	{ "depth", 1, 0, 'q' },
		{ "io-size", 1, 0, 'i' }, { "size", 1, 0, 's' },	{ "count", 1, 0, 'n' },
		{ "max", 1, 0, 'm' },	  { "seconds", 1, 0, 't' },	{ "file", 1, 0, 'f' },
		{ "dir", 1, 0, 'r' },	  { "verify-local", 1, 0, 'v' }, { "checkpoints", 1, 0, 'c' },
		{ "server-pid", 1, 0, 'P' }, { "runs", 1, 0, 'R' },	{ "mem-guard-pct", 1, 0, 'g' },
		{ "time-cap", 1, 0, 'T' }, { "hold", 1, 0, 'o' }, { "seed", 1, 0, 'x' },
		{ "in-place", 0, 0, 'I' }, { "help", 0, 0, 'h' },	  { 0, 0, 0, 0 },
	};
	if (argc < 2 || argv[1][0] == '-') {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	const char *cmd = argv[1];
	optind = 2;
	int ch;
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'H': opt.host = optarg; break;
		case 'p': opt.port = atoi(optarg); break;
		case 'u': opt.user = optarg; break;
		case 'D': opt.domain = optarg; break;
		case 'S': opt.share = optarg; break;
		case 'd':
			opt.dialect = !strcmp(optarg, "2.1") ? SMB2_DIALECT_210
				      : !strcmp(optarg, "3.0.2") ? SMB2_DIALECT_302
								 : SMB2_DIALECT_311;
			break;
		case 'e':
			if (!strcmp(optarg, "plain")) opt.sec = SEC_PLAIN;
			else if (!strcmp(optarg, "sign")) opt.sec = SEC_SIGN;
			else if (!strcmp(optarg, "aes128gcm")) opt.sec = SEC_AES128GCM;
			else if (!strcmp(optarg, "aes256gcm")) opt.sec = SEC_AES256GCM;
			else if (!strcmp(optarg, "aes128ccm")) opt.sec = SEC_AES128CCM;
			else if (!strcmp(optarg, "aes256ccm")) opt.sec = SEC_AES256CCM;
			else fail("unknown --sec %s", optarg);
			break;
		case 'a':
			opt.sign_algo = !strcmp(optarg, "cmac")	  ? SMB2_SIGN_AES_CMAC
					: !strcmp(optarg, "hmac") ? SMB2_SIGN_HMAC_SHA256
								  : SMB2_SIGN_AES_GMAC;
			break;
		case 'q':
			opt.depth = atoi(optarg);
			if (opt.depth < 1 || opt.depth > MAX_DEPTH)
				fail("--depth must be 1..%d", MAX_DEPTH);
			break;
		case 'i': opt.io_size = parse_size(optarg); break;
		case 's': opt.size = parse_size(optarg); break;
		case 'n': opt.count = strtoull(optarg, NULL, 10); break;
		case 'm': opt.max = strtoull(optarg, NULL, 10); break;
		case 't': opt.seconds = atof(optarg); break;
		case 'f': opt.file = optarg; break;
		case 'r': opt.dir = optarg; break;
		case 'v': opt.verify_local = optarg; break;
		case 'c': opt.checkpoints = optarg; break;
		case 'P': opt.server_pid = atoi(optarg); break;
		case 'R': opt.runs = atoi(optarg) > 0 ? atoi(optarg) : 1; break;
		case 'g': opt.mem_guard_pct = atof(optarg); break;
		case 'T': opt.time_cap = atof(optarg); break;
		case 'o': opt.hold = atof(optarg); break;
		case 'x': data_seed = strtoull(optarg, NULL, 10) * 0x9E3779B97F4A7C15ull; break;
		case 'I': opt.in_place = true; break;
		case 'h': fputs(usage, stdout); return 0;
		default: fputs(usage, stderr); return 2;
		}
	}
	signal(SIGPIPE, SIG_IGN);
	data_init();
	opt.password = getenv("SMBLOAD_PASSWORD");
	if (!strcmp(cmd, "mkfile") || !strcmp(cmd, "verify") || !strcmp(cmd, "mkfiles")) {
		if (optind >= argc)
			fail("%s needs a path", cmd);
		if (!strcmp(cmd, "mkfile"))
			cmd_mkfile(argv[optind]);
		else if (!strcmp(cmd, "verify"))
			verify_local_file(argv[optind], opt.size);
		else
			cmd_mkfiles(argv[optind]);
		return 0;
	}
	if (!strcmp(cmd, "startup")) {
		if (optind >= argc)
			fail("startup needs a command after --");
		cmd_startup(argv + optind);
		return 0;
	}
	if (!strcmp(cmd, "tcplimit")) {
		cmd_tcplimit();
		return 0;
	}
	if (!opt.password)
		fail("set SMBLOAD_PASSWORD");
	if (!auth_crypto_init())
		fail("OpenSSL legacy provider (MD4/RC4 for NTLM) is not available");
	if (!strcmp(cmd, "read"))
		wl_read();
	else if (!strcmp(cmd, "write"))
		wl_write();
	else if (!strcmp(cmd, "randread"))
		wl_randread();
	else if (!strcmp(cmd, "create"))
		wl_create();
	else if (!strcmp(cmd, "stat"))
		wl_stat();
	else if (!strcmp(cmd, "list"))
		wl_list();
	else if (!strcmp(cmd, "sessions"))
		wl_sessions();
	else
		fail("unknown command %s", cmd);
	return 0;
}
