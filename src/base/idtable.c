/* Open-addressing id table with linear probing (see idtable.h). */
#include "base/idtable.h"

#include <stdlib.h>

#define TOMB UINT64_MAX

static size_t slot_of(uint64_t id, size_t cap)
{
	id ^= id >> 33;
	id *= 0xff51afd7ed558ccdULL;
	id ^= id >> 33;
	return (size_t)id & (cap - 1);
}

void idtable_init(struct idtable *t)
{
	*t = (struct idtable){ 0 };
}

void idtable_free(struct idtable *t)
{
	free(t->keys);
	free(t->vals);
	*t = (struct idtable){ 0 };
}

static bool grow(struct idtable *t)
{
	size_t ncap = t->cap ? t->cap * 2 : 16;
	if (t->count * 4 < t->cap) /* mostly tombstones: rehash at the same size */
		ncap = t->cap;
	uint64_t *nk = calloc(ncap, sizeof(*nk));
	void **nv = calloc(ncap, sizeof(*nv));
	if (!nk || !nv) {
		free(nk);
		free(nv);
		return false;
	}
	for (size_t i = 0; i < t->cap; i++) {
		uint64_t k = t->keys[i];
		if (k == 0 || k == TOMB)
			continue;
		size_t s = slot_of(k, ncap);
		while (nk[s])
			s = (s + 1) & (ncap - 1);
		nk[s] = k;
		nv[s] = t->vals[i];
	}
	free(t->keys);
	free(t->vals);
	t->keys = nk;
	t->vals = nv;
	t->cap = ncap;
	t->used = t->count;
	return true;
}

bool idtable_insert(struct idtable *t, uint64_t id, void *val)
{
	if (id == 0 || id == TOMB)
		return false;
	if ((t->used + 1) * 4 > t->cap * 3 && !grow(t))
		return false;
	size_t s = slot_of(id, t->cap);
	while (t->keys[s] != 0 && t->keys[s] != TOMB)
		s = (s + 1) & (t->cap - 1);
	if (t->keys[s] == 0)
		t->used++;
	t->keys[s] = id;
	t->vals[s] = val;
	t->count++;
	return true;
}

static size_t find_slot(const struct idtable *t, uint64_t id, bool *found)
{
	*found = false;
	if (!t->cap || id == 0 || id == TOMB)
		return 0;
	size_t s = slot_of(id, t->cap);
	for (size_t n = 0; n < t->cap; n++) {
		if (t->keys[s] == 0)
			return 0;
		if (t->keys[s] == id) {
			*found = true;
			return s;
		}
		s = (s + 1) & (t->cap - 1);
	}
	return 0;
}

void *idtable_find(const struct idtable *t, uint64_t id)
{
	bool found;
	size_t s = find_slot(t, id, &found);
	return found ? t->vals[s] : NULL;
}

void *idtable_remove(struct idtable *t, uint64_t id)
{
	bool found;
	size_t s = find_slot(t, id, &found);
	if (!found)
		return NULL;
	void *v = t->vals[s];
	t->keys[s] = TOMB;
	t->vals[s] = NULL;
	t->count--;
	return v;
}

static _Thread_local uint64_t slots_scanned;

uint64_t idtable_slots_scanned(void)
{
	return slots_scanned;
}

void *idtable_next(const struct idtable *t, size_t *cursor, uint64_t *id)
{
	while (*cursor < t->cap) {
		size_t i = (*cursor)++;
		slots_scanned++;
		if (t->keys[i] != 0 && t->keys[i] != TOMB) {
			if (id)
				*id = t->keys[i];
			return t->vals[i];
		}
	}
	return NULL;
}
