/* smbpasswd file (Samba's smbpasswd(5) format): parse into an immutable
 * snapshot, detect changes by stat, and rewrite atomically for the CLI keeping
 * foreign lines byte for byte. The one place in auth/ with file syscalls, by
 * design: the user database is a file of its own. Never logs hashes. */
#include "auth/passdb.h"

#include "auth/auth_crypto.h"
#include "auth/ntlm.h"
#include "base/log.h"
#include "base/utf16.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define PASSDB_MAX_FILE (64u << 20)

struct passdb {
	struct passdb_entry *e;
	size_t n, cap;
	struct passdb_gen gen;
};

/* One line as understood, pointing into the text. */
struct pline {
	const char *name;
	size_t name_len;
	uint32_t uid;
	const char *lm_text; /* 32 characters */
	const char *nt_text; /* 32 characters, or NULL in the old format */
	uint32_t acct;
	int64_t lct;
	bool has_nt_hash;
	uint8_t nt_hash[16];
};

static const char acct_letters[] = "NDHTUMWSLXI"; /* bit i = letter i, Samba's order */

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static bool parse_hex16(const char *s, uint8_t out[16])
{
	for (int i = 0; i < 16; i++) {
		int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}

/* Splits s[0..len) at ':' into at most max fields. */
static size_t split_fields(const char *s, size_t len, const char **f, size_t *fl, size_t max)
{
	size_t n = 0, start = 0;
	for (size_t i = 0; i <= len && n < max; i++) {
		if (i == len || s[i] == ':') {
			f[n] = s + start;
			fl[n] = i - start;
			n++;
			start = i + 1;
		}
	}
	return n;
}

static uint32_t parse_acct(const char *s, size_t len)
{
	uint32_t acct = 0;
	for (size_t i = 1; i < len && s[i] != ']'; i++) {
		const char *p = s[i] ? strchr(acct_letters, s[i]) : NULL;
		if (p)
			acct |= 1u << (p - acct_letters);
	}
	return acct ? acct : PASSDB_ACB_NORMAL;
}

/* See passdb_name_valid(); n bytes that need not be NUL-terminated. */
static bool name_bytes_valid(const char *name, size_t n)
{
	char buf[PASSDB_NAME_MAX + 1];
	if (n == 0 || n > PASSDB_NAME_MAX || name[0] == '#' || name[0] == ' ' || name[n - 1] == ' ')
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)name[i];
		if (c < 0x20 || c == 0x7f || c == ':')
			return false;
	}
	memcpy(buf, name, n);
	buf[n] = 0;
	return utf8_utf16_len(buf) >= 0;
}

/* name:uid:LM:NT:[FLAGS]:LCT-XXXXXXXX: (NT, flags and LCT as Samba's parser
 * treats them optional). Returns false with a reason for a malformed line. */
static bool parse_line(const char *s, size_t len, struct pline *pl, const char **why)
{
	const char *f[8];
	size_t fl[8];
	memset(pl, 0, sizeof(*pl));
	pl->lct = -1;
	pl->acct = PASSDB_ACB_NORMAL;
	size_t n = split_fields(s, len, f, fl, 8);
	if (n < 4) {
		*why = "too few fields";
		return false;
	}
	pl->name = f[0];
	pl->name_len = fl[0];
	if (!name_bytes_valid(f[0], fl[0])) {
		*why = "bad user name";
		return false;
	}
	uint64_t uid = 0;
	if (fl[1] == 0 || fl[1] > 10) {
		*why = "bad uid";
		return false;
	}
	for (size_t i = 0; i < fl[1]; i++) {
		if (f[1][i] < '0' || f[1][i] > '9') {
			*why = "uid is not a number";
			return false;
		}
		uid = uid * 10 + (uint64_t)(f[1][i] - '0');
	}
	if (uid > UINT32_MAX) {
		*why = "uid out of range";
		return false;
	}
	pl->uid = (uint32_t)uid;
	if (fl[2] != 32) {
		*why = "LM hash field is not 32 characters";
		return false;
	}
	pl->lm_text = f[2];
	if (strncmp(f[2], "NO PASSWORD", 11) == 0)
		pl->acct |= PASSDB_ACB_PWNOTREQ;
	size_t k = 3;
	if (fl[3] && f[3][0] != '[') {
		if (fl[3] != 32) {
			*why = "NT hash field is not 32 characters";
			return false;
		}
		pl->nt_text = f[3];
		if (f[3][0] != 'X' && f[3][0] != '*') {
			if (!parse_hex16(f[3], pl->nt_hash)) {
				*why = "NT hash is not hexadecimal";
				return false;
			}
			pl->has_nt_hash = true;
		}
		k = 4;
	}
	if (k < n && fl[k] && f[k][0] == '[') {
		if (memchr(f[k], ']', fl[k]) == NULL) {
			*why = "account flags lack ']'";
			return false;
		}
		pl->acct = parse_acct(f[k], fl[k]) | (pl->acct & PASSDB_ACB_PWNOTREQ);
		k++;
		if (k < n && fl[k] >= 12 && strncasecmp(f[k], "LCT-", 4) == 0) {
			int64_t t = 0;
			for (int i = 0; i < 8; i++) {
				int v = hexval(f[k][4 + i]);
				if (v < 0) {
					t = -1;
					break;
				}
				t = t << 4 | v;
			}
			pl->lct = t;
		}
	} else if (k < n && fl[k]) {
		*why = "account flags field does not start with '['";
		return false;
	}
	return true;
}

static bool names_equal(const char *a, size_t alen, const char *b)
{
	return strlen(b) == alen && strncasecmp(a, b, alen) == 0;
}

const struct passdb_entry *passdb_find(const struct passdb *db, const char *name)
{
	if (!db || !name)
		return NULL;
	for (size_t i = 0; i < db->n; i++)
		if (strcasecmp(db->e[i].name, name) == 0)
			return &db->e[i];
	return NULL;
}

static bool db_add(struct passdb *db, const struct pline *pl)
{
	if (db->n == db->cap) {
		size_t cap = db->cap ? 2 * db->cap : 16;
		struct passdb_entry *e = realloc(db->e, cap * sizeof(*e));
		if (!e)
			return false;
		db->e = e;
		db->cap = cap;
	}
	char *name = strndup(pl->name, pl->name_len);
	if (!name)
		return false;
	db->e[db->n++] = (struct passdb_entry){
		.name = name,
		.uid = pl->uid,
		.acct = pl->acct,
		.has_nt_hash = pl->has_nt_hash,
		.last_change = pl->lct,
	};
	memcpy(db->e[db->n - 1].nt_hash, pl->nt_hash, 16);
	return true;
}

/* Calls fn for each line (without its '\n' and a trailing '\r'). */
typedef bool (*line_fn)(void *ctx, size_t lineno, const char *line, size_t len);
static bool each_line(const char *text, size_t len, line_fn fn, void *ctx)
{
	size_t lineno = 0, pos = 0;
	while (pos < len) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t end = nl ? (size_t)(nl - text) : len;
		size_t l = end - pos;
		if (l && text[pos + l - 1] == '\r')
			l--;
		if (!fn(ctx, ++lineno, text + pos, l))
			return false;
		pos = nl ? end + 1 : len;
	}
	return true;
}

struct parse_ctx {
	struct passdb *db;
	const char *name;
};

static bool parse_one(void *vctx, size_t lineno, const char *line, size_t len)
{
	struct parse_ctx *c = vctx;
	struct pline pl;
	const char *why = NULL;
	if (len == 0 || line[0] == '#')
		return true;
	if (!parse_line(line, len, &pl, &why)) {
		log_warn("%s:%zu: malformed smbpasswd entry skipped: %s", c->name, lineno, why);
		return true;
	}
	for (size_t i = 0; i < c->db->n; i++) {
		if (names_equal(pl.name, pl.name_len, c->db->e[i].name)) {
			log_warn("%s:%zu: duplicate user \"%s\" ignored", c->name, lineno, c->db->e[i].name);
			return true;
		}
	}
	return db_add(c->db, &pl);
}

struct passdb *passdb_parse(const char *name, const char *text, size_t len)
{
	struct passdb *db = calloc(1, sizeof(*db));
	if (!db)
		return NULL;
	struct parse_ctx c = { db, name ? name : "(smbpasswd)" };
	if (!each_line(text, len, parse_one, &c)) {
		passdb_free(db);
		return NULL;
	}
	return db;
}

void passdb_free(struct passdb *db)
{
	if (!db)
		return;
	for (size_t i = 0; i < db->n; i++)
		free((char *)db->e[i].name);
	auth_wipe(db->e, db->n * sizeof(*db->e));
	free(db->e);
	free(db);
}

size_t passdb_count(const struct passdb *db)
{
	return db ? db->n : 0;
}

const struct passdb_entry *passdb_entry_at(const struct passdb *db, size_t i)
{
	return db && i < db->n ? &db->e[i] : NULL;
}

const struct passdb_gen *passdb_generation(const struct passdb *db)
{
	return &db->gen;
}

static void gen_from_stat(struct passdb_gen *g, const struct stat *st)
{
	g->exists = true;
	g->mode = st->st_mode;
	g->dev = st->st_dev;
	g->ino = st->st_ino;
	g->size = st->st_size;
	g->mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 + st->st_mtim.tv_nsec;
	g->ctime_ns = (int64_t)st->st_ctim.tv_sec * 1000000000 + st->st_ctim.tv_nsec;
}

bool passdb_changed(const char *path, const struct passdb *db)
{
	struct stat st;
	struct passdb_gen g = { 0 };
	if (stat(path, &st) != 0)
		return errno == ENOENT ? db->gen.exists : true;
	gen_from_stat(&g, &st);
	const struct passdb_gen *o = &db->gen;
	return !o->exists || g.dev != o->dev || g.ino != o->ino || g.size != o->size || g.mtime_ns != o->mtime_ns ||
	       g.ctime_ns != o->ctime_ns;
}

static NTSTATUS errno_status(const char *what, const char *path)
{
	int e = errno;
	if (e == EACCES || e == EPERM || e == EROFS)
		return STATUS_ACCESS_DENIED;
	if (e == ENOMEM)
		return STATUS_NO_MEMORY;
	log_err("%s %s: %s", what, path, strerror(e));
	return STATUS_UNSUCCESSFUL;
}

/* Reads a whole file; a missing one is empty with g->exists false. */
static NTSTATUS read_file(const char *path, char **text, size_t *len, struct passdb_gen *g)
{
	struct stat st;
	*text = NULL;
	*len = 0;
	memset(g, 0, sizeof(*g));
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? STATUS_SUCCESS : errno_status("cannot open", path);
	NTSTATUS st_out = STATUS_SUCCESS;
	if (fstat(fd, &st) != 0) {
		st_out = errno_status("cannot stat", path);
		goto out;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > PASSDB_MAX_FILE) {
		log_err("%s: not a regular file of at most %u MiB", path, PASSDB_MAX_FILE >> 20);
		st_out = STATUS_UNSUCCESSFUL;
		goto out;
	}
	gen_from_stat(g, &st);
	size_t cap = (size_t)st.st_size + 1, n = 0;
	char *buf = malloc(cap);
	if (!buf) {
		st_out = STATUS_NO_MEMORY;
		goto out;
	}
	for (;;) {
		if (n == cap - 1) {
			/* The file grew while we read it: follow, within the limit. */
			if (cap > PASSDB_MAX_FILE) {
				free(buf);
				st_out = STATUS_UNSUCCESSFUL;
				goto out;
			}
			char *nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				st_out = STATUS_NO_MEMORY;
				goto out;
			}
			buf = nb;
			cap *= 2;
		}
		ssize_t r = read(fd, buf + n, cap - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			free(buf);
			st_out = errno_status("cannot read", path);
			goto out;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = 0;
	*text = buf;
	*len = n;
out:
	close(fd);
	return st_out;
}

NTSTATUS passdb_load(const char *path, struct passdb **out)
{
	char *text;
	size_t len;
	struct passdb_gen g;
	*out = NULL;
	NTSTATUS st = read_file(path, &text, &len, &g);
	if (!NT_OK(st))
		return st;
	if (g.exists && (g.mode & 077))
		log_warn("%s is readable or writable by others (mode %04o); it holds password hashes: chmod 600 %s",
			 path, (unsigned)(g.mode & 07777), path);
	struct passdb *db = passdb_parse(path, text ? text : "", len);
	if (text)
		auth_wipe(text, len);
	free(text);
	if (!db)
		return STATUS_NO_MEMORY;
	db->gen = g;
	*out = db;
	return STATUS_SUCCESS;
}

int passdb_auth_lookup(void *ctx, const char *user_utf8, uint8_t nt_hash[16])
{
	const struct passdb_entry *e = passdb_find(ctx, user_utf8);
	if (!e)
		return -1;
	if (e->has_nt_hash)
		memcpy(nt_hash, e->nt_hash, 16);
	if (!e->has_nt_hash || (e->acct & (PASSDB_ACB_DISABLED | PASSDB_ACB_AUTOLOCK)))
		return -2;
	return 0;
}

bool passdb_name_valid(const char *name)
{
	return name_bytes_valid(name, strlen(name));
}

/* ---- Mutations ---- */

enum passdb_op { OP_ADD, OP_DELETE, OP_PASSWORD, OP_ENABLE, OP_DISABLE };

struct buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static void buf_add(struct buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->oom = true;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

/* Writes one entry line, LM always X's unless lm_text is kept. */
static void format_entry(struct buf *b, const char *name, size_t name_len, uint32_t uid, const char *lm_text,
			 const char *nt_text, uint32_t acct, int64_t lct)
{
	char tmp[160];
	char flags[12];
	size_t k = 0;
	for (size_t i = 0; i < sizeof(acct_letters) - 1; i++)
		if (acct & (1u << i))
			flags[k++] = acct_letters[i];
	while (k < 11)
		flags[k++] = ' ';
	flags[11] = 0;
	buf_add(b, name, name_len);
	int n = snprintf(tmp, sizeof(tmp), ":%u:%.32s:%.32s:[%s]:", uid,
			 lm_text ? lm_text : "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX",
			 nt_text ? nt_text : "XXXXXXXXXXXXXXXXXXXXXXXXXXXXXXXX", flags);
	buf_add(b, tmp, (size_t)n);
	if (lct >= 0) {
		n = snprintf(tmp, sizeof(tmp), "LCT-%08X:", (unsigned)lct);
		buf_add(b, tmp, (size_t)n);
	}
	buf_add(b, "\n", 1);
}

static void hex16(const uint8_t h[16], char out[33])
{
	static const char digits[] = "0123456789ABCDEF";
	for (int i = 0; i < 16; i++) {
		out[2 * i] = digits[h[i] >> 4];
		out[2 * i + 1] = digits[h[i] & 15];
	}
	out[32] = 0;
}

struct rewrite {
	enum passdb_op op;
	const char *name;
	uint32_t uid;
	const char *nt_hex; /* new hash for ADD/PASSWORD */
	struct buf out;
	bool found;
};

/* Copies each line through unchanged, except the one entry we change. */
static bool rewrite_line(struct rewrite *rw, const char *line, size_t len, size_t full_len)
{
	struct pline pl;
	const char *why;
	bool match = len && line[0] != '#' && parse_line(line, len, &pl, &why) &&
		     names_equal(pl.name, pl.name_len, rw->name) && !rw->found;
	if (!match) {
		buf_add(&rw->out, line, full_len);
		return true;
	}
	rw->found = true;
	switch (rw->op) {
	case OP_ADD:
	case OP_DELETE:
		if (rw->op == OP_ADD)
			buf_add(&rw->out, line, full_len);
		break;
	case OP_PASSWORD:
		format_entry(&rw->out, pl.name, pl.name_len, pl.uid, NULL, rw->nt_hex,
			     pl.acct & ~PASSDB_ACB_PWNOTREQ, (int64_t)time(NULL));
		break;
	case OP_ENABLE:
	case OP_DISABLE: {
		uint32_t acct = rw->op == OP_ENABLE ? pl.acct & ~(PASSDB_ACB_DISABLED | PASSDB_ACB_AUTOLOCK)
						    : pl.acct | PASSDB_ACB_DISABLED;
		format_entry(&rw->out, pl.name, pl.name_len, pl.uid, pl.lm_text, pl.nt_text, acct, pl.lct);
		break;
	}
	}
	return true;
}

static NTSTATUS write_atomic(int dirfd, const char *path, const char *data, size_t len)
{
	size_t plen = strlen(path);
	char *tmp = malloc(plen + sizeof(".tmp.XXXXXX"));
	if (!tmp)
		return STATUS_NO_MEMORY;
	memcpy(tmp, path, plen);
	memcpy(tmp + plen, ".tmp.XXXXXX", sizeof(".tmp.XXXXXX"));
	NTSTATUS st = STATUS_SUCCESS;
	int fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		st = errno_status("cannot create a file next to", path);
		free(tmp);
		return st;
	}
	if (fchmod(fd, 0600) != 0) {
		st = errno_status("cannot set the mode of", tmp);
		goto fail;
	}
	for (size_t off = 0; off < len;) {
		ssize_t w = write(fd, data + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			st = errno_status("cannot write", tmp);
			goto fail;
		}
		off += (size_t)w;
	}
	if (fsync(fd) != 0) {
		st = errno_status("cannot sync", tmp);
		goto fail;
	}
	if (close(fd) != 0) {
		fd = -1;
		st = errno_status("cannot close", tmp);
		goto fail;
	}
	fd = -1;
	if (rename(tmp, path) != 0) {
		st = errno_status("cannot rename over", path);
		goto fail;
	}
	if (fsync(dirfd) != 0)
		log_warn("cannot sync the directory of %s: %s", path, strerror(errno));
	free(tmp);
	return STATUS_SUCCESS;
fail:
	if (fd >= 0)
		close(fd);
	unlink(tmp);
	free(tmp);
	return st;
}

/* Opens and locks the directory that holds path. */
static NTSTATUS lock_dir(const char *path, int *dirfd)
{
	const char *slash = strrchr(path, '/');
	char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
	if (!dir)
		return STATUS_NO_MEMORY;
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	NTSTATUS st = STATUS_SUCCESS;
	if (fd < 0)
		st = errno == ENOENT || errno == ENOTDIR ? STATUS_OBJECT_PATH_NOT_FOUND
							 : errno_status("cannot open directory", dir);
	else if (flock(fd, LOCK_EX) != 0)
		st = errno_status("cannot lock directory", dir);
	if (!NT_OK(st) && fd >= 0)
		close(fd);
	free(dir);
	*dirfd = NT_OK(st) ? fd : -1;
	return st;
}

static NTSTATUS mutate(const char *path, enum passdb_op op, const char *name, uint32_t uid, const char *password)
{
	struct rewrite rw = { .op = op, .name = name, .uid = uid };
	char nt_hex[33];
	uint8_t h[16];
	char *text = NULL;
	size_t len = 0;
	struct passdb_gen g;
	int dirfd = -1;
	NTSTATUS st;

	if (!passdb_name_valid(name))
		return STATUS_OBJECT_NAME_INVALID;
	if (op == OP_ADD || op == OP_PASSWORD) {
		if (!password || !*password || !ntlm_nt_hash(password, h))
			return STATUS_INVALID_PARAMETER;
		hex16(h, nt_hex);
		auth_wipe(h, sizeof(h));
		rw.nt_hex = nt_hex;
	}
	st = lock_dir(path, &dirfd);
	if (!NT_OK(st))
		goto out;
	st = read_file(path, &text, &len, &g);
	if (!NT_OK(st))
		goto out;
	for (size_t pos = 0; pos < len;) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t full = nl ? (size_t)(nl - text) + 1 - pos : len - pos;
		size_t l = nl ? full - 1 : full;
		if (l && text[pos + l - 1] == '\r')
			l--;
		rewrite_line(&rw, text + pos, l, full);
		pos += full;
	}
	if (op == OP_ADD && rw.found) {
		st = STATUS_USER_EXISTS;
		goto out;
	}
	if (op != OP_ADD && !rw.found) {
		st = STATUS_NO_SUCH_USER;
		goto out;
	}
	if (op == OP_ADD) {
		if (rw.out.len && rw.out.p[rw.out.len - 1] != '\n')
			buf_add(&rw.out, "\n", 1);
		format_entry(&rw.out, name, strlen(name), uid, NULL, nt_hex, PASSDB_ACB_NORMAL, (int64_t)time(NULL));
	}
	if (rw.out.oom) {
		st = STATUS_NO_MEMORY;
		goto out;
	}
	st = write_atomic(dirfd, path, rw.out.p ? rw.out.p : "", rw.out.len);
out:
	auth_wipe(nt_hex, sizeof(nt_hex));
	if (text) {
		auth_wipe(text, len);
		free(text);
	}
	if (rw.out.p) {
		auth_wipe(rw.out.p, rw.out.cap);
		free(rw.out.p);
	}
	if (dirfd >= 0)
		close(dirfd);
	return st;
}

NTSTATUS passdb_add(const char *path, const char *name, uint32_t uid, const char *password)
{
	return mutate(path, OP_ADD, name, uid, password);
}

NTSTATUS passdb_delete(const char *path, const char *name)
{
	return mutate(path, OP_DELETE, name, 0, NULL);
}

NTSTATUS passdb_set_password(const char *path, const char *name, const char *password)
{
	return mutate(path, OP_PASSWORD, name, 0, password);
}

NTSTATUS passdb_set_enabled(const char *path, const char *name, bool enabled)
{
	return mutate(path, enabled ? OP_ENABLE : OP_DISABLE, name, 0, NULL);
}
