/* smb.conf reader: splits the text into logical lines the way Samba's parser
 * does (comment lines, backslash continuations, white-space runs folded to one
 * space), tracks [sections], then applies [global] share defaults and adds
 * IPC$. The only file access is reading the config file itself. */
#include "config/config_int.h"

#include "base/log.h"
#include "base/utf16.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

void cfg_diag(struct cfg_loader *L, bool is_error, const char *fmt, ...)
{
	char msg[1024], line[1536];
	va_list ap;

	if (is_error)
		L->n_errors++;
	if (L->n_messages > CFG_MAX_MESSAGES)
		return;
	if (L->n_messages++ == CFG_MAX_MESSAGES) {
		snprintf(msg, sizeof(msg), "too many problems; further messages are not shown");
	} else {
		va_start(ap, fmt);
		vsnprintf(msg, sizeof(msg), fmt, ap);
		va_end(ap);
	}
	if (L->line)
		snprintf(line, sizeof(line), "%s:%u: %s", L->name, L->line, msg);
	else
		snprintf(line, sizeof(line), "%s: %s", L->name, msg);
	if (L->diag)
		L->diag(L->ctx, is_error, line);
	else if (is_error)
		log_err("%s", line);
	else
		log_warn("%s", line);
}

void cfg_oom(struct cfg_loader *L)
{
	cfg_diag(L, true, "out of memory");
}

/* ---- logical lines ---- */

struct lexer {
	const char *p, *end;
	unsigned lineno;
};

struct logical_line {
	char *buf; /* CFG_MAX_LINE + 1 bytes */
	size_t len;
	unsigned line; /* first physical line */
	bool too_long, has_nul;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Reads the next logical line, skipping blank and comment lines. A trailing
 * backslash (optionally followed by white space) joins the next line.
 * Returns false at the end of the input. */
static bool lexer_next(struct lexer *x, struct logical_line *ll)
{
	char *buf = ll->buf;
	size_t pos = 0;

	for (;;) {
		while (x->p < x->end && is_blank(*x->p))
			x->p++;
		if (x->p >= x->end)
			return false;
		if (*x->p == '\n') {
			x->p++;
			x->lineno++;
			continue;
		}
		if (*x->p != '#' && *x->p != ';')
			break;
		const char *nl = memchr(x->p, '\n', (size_t)(x->end - x->p));
		x->p = nl ? nl + 1 : x->end;
		x->lineno++;
	}
	ll->line = x->lineno;
	ll->too_long = ll->has_nul = false;
	while (x->p < x->end) {
		char c = *x->p++;
		if (c == '\n') {
			x->lineno++;
			if (pos > 0 && buf[pos - 1] == '\\') {
				pos -= 1;
				continue;
			}
			if (pos > 1 && buf[pos - 2] == '\\' && buf[pos - 1] == ' ') {
				pos -= 2;
				continue;
			}
			break;
		}
		if (c == '\0') {
			ll->has_nul = true;
			continue;
		}
		if (is_blank(c)) {
			if (pos > 0 && buf[pos - 1] == ' ')
				continue;
			c = ' ';
		}
		if (pos >= CFG_MAX_LINE) {
			ll->too_long = true;
			continue;
		}
		buf[pos++] = c;
	}
	while (pos > 0 && buf[pos - 1] == ' ')
		pos--;
	buf[pos] = '\0';
	ll->len = pos;
	return true;
}

/* ---- sections and parameters ---- */

static char *trim(char *s)
{
	while (*s == ' ')
		s++;
	size_t n = strlen(s);
	while (n > 0 && s[n - 1] == ' ')
		s[--n] = '\0';
	return s;
}

static bool share_name_ok(struct cfg_loader *L, const char *name)
{
	if (strlen(name) > CFG_MAX_SHARE_NAME) {
		cfg_diag(L, true, "share name '%.40s...' is longer than %d characters; shorten it", name,
			 CFG_MAX_SHARE_NAME);
		return false;
	}
	for (const unsigned char *p = (const unsigned char *)name; *p; p++)
		if (*p < 0x20 || *p == 0x7f || *p == '/' || *p == '\\') {
			cfg_diag(L, true, "share name '%s' contains '/', '\\' or a control character; rename the share",
				 name);
			return false;
		}
	return true;
}

static void start_share(struct cfg_loader *L, const char *name)
{
	for (size_t i = 0; i < L->n_shares; i++)
		if (strcasecmp(L->shares[i].s.name, name) == 0) {
			L->cur = i; /* a repeated section adds to the first, like Samba */
			L->sec = SEC_SHARE;
			return;
		}
	L->sec = SEC_IGNORED;
	if (L->n_shares >= CFG_MAX_SHARES) {
		if (!L->too_many_shares)
			cfg_diag(L, true, "more than %d shares; smb3d refuses configurations this large", CFG_MAX_SHARES);
		L->too_many_shares = true;
		return;
	}
	if (L->n_shares == L->cap_shares) {
		size_t cap = L->cap_shares ? L->cap_shares * 2 : 16;
		struct cfg_share_build *n = realloc(L->shares, cap * sizeof(*n));
		if (!n) {
			cfg_oom(L);
			return;
		}
		L->shares = n;
		L->cap_shares = cap;
	}
	struct cfg_share_build *b = &L->shares[L->n_shares];
	memset(b, 0, sizeof(*b));
	cfg_share_defaults(&b->s);
	b->line = L->line;
	if (!(b->s.name = strdup(name))) {
		cfg_oom(L);
		return;
	}
	L->cur = L->n_shares++;
	L->sec = SEC_SHARE;
}

static void section_header(struct cfg_loader *L, char *buf)
{
	char *close = strchr(buf, ']');

	if (!close) {
		cfg_diag(L, true, "malformed section header '%s': missing ']'; write it as [name]", buf);
		L->sec = SEC_IGNORED;
		return;
	}
	*close = '\0';
	char *tail = trim(close + 1);
	char *name = trim(buf + 1);
	if (*tail && *tail != ';' && *tail != '#')
		cfg_diag(L, false, "text '%s' after the section header [%s] ignored", tail, name);
	L->sec = SEC_IGNORED;
	if (!*name) {
		cfg_diag(L, true, "empty section name '[]'; write [global] or [sharename]");
		return;
	}
	if (!share_name_ok(L, name))
		return;
	if (strcasecmp(name, "global") == 0) {
		L->sec = SEC_GLOBAL;
	} else if (strcasecmp(name, "homes") == 0 || strcasecmp(name, "printers") == 0) {
		cfg_diag(L, false, "[%s] is not supported by smb3d; the section is ignored", name);
	} else if (strcasecmp(name, "IPC$") == 0) {
		cfg_diag(L, false, "[%s] is provided by smb3d itself; the section is ignored", name);
	} else {
		start_share(L, name);
	}
}

static void parameter_line(struct cfg_loader *L, char *buf)
{
	char *eq = strchr(buf, '=');

	if (!eq) {
		cfg_diag(L, true, "expected 'name = value' or a [section] header, found '%s'", buf);
		return;
	}
	*eq = '\0';
	char *name = trim(buf);
	char *value = trim(eq + 1);
	if (!*name) {
		cfg_diag(L, true, "missing parameter name before '='");
		return;
	}
	if (L->sec == SEC_NONE) {
		cfg_diag(L, true, "'%s' is outside any section; put a [global] (or [sharename]) header above it", name);
		return;
	}
	if (L->sec == SEC_IGNORED)
		return;
	cfg_set_param(L, name, value);
}

static void handle_line(struct cfg_loader *L, struct logical_line *ll)
{
	char *buf = ll->buf;

	while (*buf == ' ')
		buf++; /* left by a continuation on an otherwise empty line */
	L->line = ll->line;
	if (ll->has_nul)
		cfg_diag(L, true, "line contains a NUL byte; smb.conf must be a text file");
	else if (ll->too_long)
		cfg_diag(L, true, "line is longer than %d bytes (continuations joined); shorten it", CFG_MAX_LINE);
	else if (utf8_utf16_len(ll->buf) < 0)
		cfg_diag(L, true, "line is not valid UTF-8; save the file in UTF-8");
	else if (buf[0] == '[')
		section_header(L, buf);
	else if (buf[0])
		parameter_line(L, buf);
}

/* ---- completing the snapshot ---- */

static bool dup_list(char ***dst, char *const *src)
{
	*dst = src ? cfg_strv_dup(src) : calloc(1, sizeof(char *));
	return *dst != NULL;
}

static struct cfg_hosts *hosts_dup(const struct cfg_hosts *h)
{
	size_t n = sizeof(*h) + h->n * sizeof(h->rule[0]);
	struct cfg_hosts *c = malloc(n);
	if (c)
		memcpy(c, h, n);
	return c;
}

/* Gives every parameter the section did not set the [global] default. */
static bool apply_defaults(struct cfg_loader *L, struct cfg_share_build *b)
{
	const struct share_conf *d = &L->defaults.s;
	struct share_conf *s = &b->s;

	if (!(b->set & SHP_PATH) && d->path && !(s->path = strdup(d->path)))
		return false;
	if (!(b->set & SHP_COMMENT) && !(s->comment = strdup(d->comment ? d->comment : "")))
		return false;
	if (!(b->set & SHP_READ_ONLY))
		s->read_only = d->read_only;
	if (!(b->set & SHP_GUEST_OK))
		s->guest_ok = d->guest_ok;
	if (!(b->set & SHP_BROWSEABLE))
		s->browseable = d->browseable;
	if (!(b->set & SHP_CASE_SENSITIVE))
		s->case_sensitive = d->case_sensitive;
	if (!(b->set & SHP_HIDE_DOT_FILES))
		s->hide_dot_files = d->hide_dot_files;
	if (!(b->set & SHP_HIDE_UNREADABLE))
		s->hide_unreadable = d->hide_unreadable;
	if (!(b->set & SHP_USE_SENDFILE))
		s->use_sendfile = d->use_sendfile;
	if (!(b->set & SHP_HIDE_FILES) && !(s->hide_files = strdup(d->hide_files ? d->hide_files : "")))
		return false;
	if (!(b->set & SHP_VETO_FILES) && !(s->veto_files = strdup(d->veto_files ? d->veto_files : "")))
		return false;
	if (!(b->set & SHP_FORCE_USER) && d->force_user && !(s->force_user = strdup(d->force_user)))
		return false;
	if (!(b->set & SHP_FORCE_GROUP) && d->force_group && !(s->force_group = strdup(d->force_group)))
		return false;
	if (!(b->set & SHP_SMB_ENCRYPT))
		s->smb_encrypt = L->c->server_smb_encrypt;
	if (!s->valid_users && !dup_list(&s->valid_users, d->valid_users))
		return false;
	if (!s->invalid_users && !dup_list(&s->invalid_users, d->invalid_users))
		return false;
	if (!(b->set & SHP_AVAILABLE))
		s->available = d->available;
	if (!(b->set & SHP_CREATE_MASK))
		s->create_mask = d->create_mask;
	if (!(b->set & SHP_DIRECTORY_MASK))
		s->directory_mask = d->directory_mask;
	if (!(b->set & SHP_FORCE_CREATE_MODE))
		s->force_create_mode = d->force_create_mode;
	if (!(b->set & SHP_FORCE_DIRECTORY_MODE))
		s->force_directory_mode = d->force_directory_mode;
	if (!s->read_list && !dup_list(&s->read_list, d->read_list))
		return false;
	if (!s->write_list && !dup_list(&s->write_list, d->write_list))
		return false;
	if (!s->admin_users && !dup_list(&s->admin_users, d->admin_users))
		return false;
	if (!(b->set & SHP_HOSTS_ALLOW) && d->hosts_allow && !(s->hosts_allow = hosts_dup(d->hosts_allow)))
		return false;
	if (!(b->set & SHP_HOSTS_DENY) && d->hosts_deny && !(s->hosts_deny = hosts_dup(d->hosts_deny)))
		return false;
	return true;
}

static struct config *finish(struct cfg_loader *L)
{
	struct config *c = L->c;

	if (c->min_protocol > c->max_protocol) {
		L->line = L->min_proto_line > L->max_proto_line ? L->min_proto_line : L->max_proto_line;
		cfg_diag(L, true,
			 "'server min protocol' (%s) is above 'server max protocol' (%s); lower the minimum or raise "
			 "the maximum",
			 config_protocol_name(c->min_protocol), config_protocol_name(c->max_protocol));
	}
	/* [global] hosts allow/deny also guard every connection */
	if ((L->defaults.s.hosts_allow && !(c->hosts_allow = hosts_dup(L->defaults.s.hosts_allow))) ||
	    (L->defaults.s.hosts_deny && !(c->hosts_deny = hosts_dup(L->defaults.s.hosts_deny)))) {
		L->line = 0;
		cfg_oom(L);
		return NULL;
	}
	c->shares = calloc(L->n_shares + 1, sizeof(*c->shares));
	if (!c->shares) {
		L->line = 0;
		cfg_oom(L);
		return NULL;
	}
	for (size_t i = 0; i < L->n_shares; i++) {
		struct cfg_share_build *b = &L->shares[i];
		L->line = b->line;
		if (!apply_defaults(L, b))
			cfg_oom(L);
		else if (!b->s.path)
			cfg_diag(L, true, "share [%s] has no 'path'; add 'path = /absolute/directory' to it", b->s.name);
		c->shares[c->n_shares++] = b->s;
		memset(&b->s, 0, sizeof(b->s));
	}
	L->line = 0;
	if (!cfg_add_ipc(c, &c->shares[c->n_shares++]))
		cfg_oom(L);
	return c;
}

static void loader_free(struct cfg_loader *L)
{
	for (size_t i = 0; i < L->n_shares; i++)
		cfg_share_conf_clear(&L->shares[i].s);
	free(L->shares);
	cfg_share_conf_clear(&L->defaults.s);
	free(L->dir);
}

struct config *config_load_buffer(const char *data, size_t len, const char *name, config_diag_fn diag, void *ctx)
{
	struct cfg_loader L = { .name = name ? name : "(string)", .diag = diag, .ctx = ctx };
	struct lexer x = { .p = data, .end = data + len, .lineno = 1 };
	struct logical_line ll = { 0 };
	struct config *c = NULL;

	cfg_share_defaults(&L.defaults.s);
	L.c = calloc(1, sizeof(*L.c));
	ll.buf = malloc(CFG_MAX_LINE + 1);
	L.dir = cfg_dir_of(L.name);
	if (!L.c || !ll.buf || !L.dir || !cfg_set_global_defaults(L.c) ||
	    !(L.c->source = strdup(L.name)) || !(L.c->passdb_path = cfg_path_join(L.dir, "smbpasswd"))) {
		cfg_oom(&L);
		goto out;
	}
	if (len >= 3 && memcmp(data, "\xEF\xBB\xBF", 3) == 0)
		x.p += 3; /* UTF-8 byte order mark */
	while (lexer_next(&x, &ll))
		handle_line(&L, &ll);
	c = finish(&L);
out:
	free(ll.buf);
	if (L.n_errors) {
		cfg_free(L.c);
		c = NULL;
	}
	loader_free(&L);
	return c;
}

struct config *config_load_string(const char *text, const char *name, config_diag_fn diag, void *ctx)
{
	return config_load_buffer(text ? text : "", text ? strlen(text) : 0, name, diag, ctx);
}

struct config *config_load_file(const char *path, config_diag_fn diag, void *ctx)
{
	struct cfg_loader L = { .name = path ? path : "(null)", .diag = diag, .ctx = ctx };
	struct config *c = NULL;
	char *data = NULL;
	size_t len = 0, cap = 0;
	FILE *f = path ? fopen(path, "re") : NULL;

	if (!path)
		errno = EINVAL;
	if (!f) {
		cfg_diag(&L, true, "cannot open: %s; check the file name and its permissions", strerror(errno));
		return NULL;
	}
	for (;;) {
		if (len == cap) {
			if (cap >= CFG_MAX_FILE) {
				cfg_diag(&L, true, "file is larger than %d MiB; is this really smb.conf?",
					 CFG_MAX_FILE / (1024 * 1024));
				goto out;
			}
			cap = cap ? cap * 2 : 64 * 1024;
			char *n = realloc(data, cap + 1);
			if (!n) {
				cfg_oom(&L);
				goto out;
			}
			data = n;
		}
		size_t got = fread(data + len, 1, cap - len, f);
		len += got;
		if (got == 0) {
			if (ferror(f)) {
				cfg_diag(&L, true, "cannot read: %s", strerror(errno));
				goto out;
			}
			break;
		}
	}
	c = config_load_buffer(data ? data : "", len, path, diag, ctx);
out:
	free(data);
	fclose(f);
	return c;
}
