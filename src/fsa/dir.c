/* Directory enumeration for QUERY_DIRECTORY ([MS-FSA] 2.1.5.6.3): a cursor
 * per open over the directory's entries with "." and ".." first, pattern
 * matching with Windows wildcards, restart/reopen, and one entry of
 * look-ahead that can be put back when it does not fit the reply. Entries
 * are read in batches (getdents64 in vfs/), so a listing costs no
 * per-entry syscalls beyond the stat the reply needs. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "base/log.h"
#include "base/utf16.h"
#include "fsa/fsa.h"
#include "fsa/fsa_int.h"
#include "fsa/wildcard.h"

struct fsa_dir_state {
	struct vfs_dir *d;
	uint8_t *pattern; /* UTF-16LE */
	size_t pattern_len;
	bool match_all;
	bool case_insensitive;
	int phase; /* 0: ".", 1: "..", 2: entries, 3: done */
	bool have_pending;
	struct fsa_dirent pending;
};

void fsa_dir_state_free(struct fsa_dir_state *d)
{
	if (!d)
		return;
	if (d->d)
		vfs_dir_close(d->d);
	free(d->pattern);
	free(d);
}

NTSTATUS fsa_dir_begin(struct fsa_open *o, const uint8_t *pattern, size_t pattern_len, bool restart,
		       bool case_insensitive)
{
	if (!o->is_dir)
		return STATUS_INVALID_PARAMETER;
	struct fsa_dir_state *ds = o->dir;
	if (!ds) {
		ds = calloc(1, sizeof(*ds));
		if (!ds)
			return STATUS_NO_MEMORY;
		NTSTATUS s = vfs_dir_open(o->fd, &ds->d);
		if (!NT_OK(s)) {
			free(ds);
			return s;
		}
		o->dir = ds;
		restart = true;
	}
	if (restart) {
		NTSTATUS s = vfs_dir_seek(ds->d, 0);
		if (!NT_OK(s))
			return s;
		ds->phase = 0;
		ds->have_pending = false;
	}
	/* The pattern given on the first call (or a restart) sticks. */
	if (restart || !ds->pattern) {
		static const uint8_t star[2] = { '*', 0 };
		if (!pattern || !pattern_len) {
			pattern = star;
			pattern_len = 2;
		}
		if (pattern_len & 1)
			return STATUS_OBJECT_NAME_INVALID;
		uint8_t *p = malloc(pattern_len);
		if (!p)
			return STATUS_NO_MEMORY;
		memcpy(p, pattern, pattern_len);
		free(ds->pattern);
		ds->pattern = p;
		ds->pattern_len = pattern_len;
		ds->match_all = (pattern_len == 2 && p[0] == '*' && p[1] == 0) ||
				(pattern_len == 6 && !memcmp(p, "*\0.\0*\0", 6));
		ds->case_insensitive = case_insensitive;
	}
	return STATUS_SUCCESS;
}

/* Fills e->name16 and tells whether the name matches the pattern. */
static bool name_matches(const struct fsa_dir_state *ds, const char *name, struct fsa_dirent *e)
{
	long n = utf8_to_utf16le(name, e->name16, sizeof(e->name16));
	if (n < 0)
		return false; /* not valid UTF-8: not representable to clients */
	e->name16_len = (size_t)n;
	if (ds->match_all)
		return true;
	return fsa_name_in_expression(ds->pattern, ds->pattern_len, e->name16, e->name16_len,
				      ds->case_insensitive ? FSA_WILDCARD_IGNORE_CASE : 0);
}

/* Fills e for a name relative to the open directory. false: skip it. */
static bool fill_entry(struct fsa_open *o, const char *name, unsigned char type, struct fsa_dirent *e)
{
	struct vfs_stat st;
	NTSTATUS s;
	if (fsa_name_in_list(o->veto_files, name, o->case_insensitive))
		return false; /* `veto files`: not there for clients */
	if (type == DT_LNK) {
		/* Report what an in-share symlink points at; skip links that
		 * dangle or lead outside the share. */
		char rel[4096 + 256 + 2];
		pthread_mutex_lock(&o->table->lock);
		const char *base = o->file->path ? o->file->path : "";
		snprintf(rel, sizeof(rel), "%s%s%s", base, base[0] ? "/" : "", name);
		pthread_mutex_unlock(&o->table->lock);
		s = vfs_stat_path(&o->root, rel, true, &st);
	} else {
		s = vfs_stat_at(o->fd, name, &st);
	}
	if (!NT_OK(s))
		return false;
	if (!S_ISREG(st.mode) && !S_ISDIR(st.mode))
		return false; /* devices, fifos and sockets are not served */
	if (o->hide_unreadable && !fsa_entry_readable(o, name, &st))
		return false; /* access-based enumeration */
	struct vfs_dosinfo d = { 0 };
	if (strcmp(name, ".") && strcmp(name, ".."))
		(void)vfs_get_dosinfo_at(o->fd, name, &d);
	fsa_info_from_stat(&st, &d, &e->info);
	fsa_table_adjust_info(o->table, &st, &e->info);
	if (fsa_name_hidden(o, name))
		e->info.attributes = (e->info.attributes & ~FILE_ATTRIBUTE_NORMAL) | FILE_ATTRIBUTE_HIDDEN;
	snprintf(e->name, sizeof(e->name), "%s", name);
	return true;
}

NTSTATUS fsa_dir_next(struct fsa_open *o, struct fsa_dirent *e)
{
	struct fsa_dir_state *ds = o->dir;
	if (!ds)
		return STATUS_INVALID_PARAMETER;
	if (ds->have_pending) {
		*e = ds->pending;
		ds->have_pending = false;
		return STATUS_SUCCESS;
	}
	while (ds->phase < 2) {
		const char *name = ds->phase == 0 ? "." : "..";
		ds->phase++;
		if (!name_matches(ds, name, e))
			continue;
		if (ds->phase == 2 && o->file->path && o->file->path[0]) {
			/* ".." of a directory below the root: its parent */
			struct vfs_stat st;
			if (NT_OK(vfs_stat_at(o->fd, "..", &st))) {
				fsa_info_from_stat(&st, NULL, &e->info);
				snprintf(e->name, sizeof(e->name), "..");
				return STATUS_SUCCESS;
			}
			continue;
		}
		/* "." and, at the share root, ".." describe the directory itself */
		struct vfs_stat st;
		NTSTATUS s = vfs_fstat(o->fd, &st);
		if (!NT_OK(s))
			return s;
		fsa_info_from_stat(&st, NULL, &e->info);
		snprintf(e->name, sizeof(e->name), "%s", name);
		return STATUS_SUCCESS;
	}
	for (;;) {
		struct vfs_dirent de;
		NTSTATUS s = vfs_dir_next(ds->d, &de);
		if (!NT_OK(s))
			return s; /* STATUS_NO_MORE_FILES at the end */
		if (!strcmp(de.name, ".") || !strcmp(de.name, ".."))
			continue;
		if (!name_matches(ds, de.name, e))
			continue;
		if (fill_entry(o, de.name, de.type, e)) {
			e->cookie = de.cookie;
			return STATUS_SUCCESS;
		}
	}
}

void fsa_dir_unget(struct fsa_open *o, const struct fsa_dirent *e)
{
	if (!o->dir)
		return;
	o->dir->pending = *e;
	o->dir->have_pending = true;
}
