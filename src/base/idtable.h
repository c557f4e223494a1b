/* A hash table from 64-bit ids to pointers (sessions, tree connects, opens).
 * Long-lived objects refer to others by id through one of these, never by a
 * raw pointer. Not thread-safe: the owner locks. No dependencies. */
#ifndef SMB3D_BASE_IDTABLE_H
#define SMB3D_BASE_IDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct idtable {
	uint64_t *keys; /* 0 = empty, UINT64_MAX = tombstone */
	void **vals;
	size_t cap; /* power of two */
	size_t count;
	size_t used; /* count + tombstones */
};

void idtable_init(struct idtable *t);
void idtable_free(struct idtable *t);
/* Inserts id (must not be 0 or UINT64_MAX, must not exist). false on ENOMEM. */
bool idtable_insert(struct idtable *t, uint64_t id, void *val);
void *idtable_find(const struct idtable *t, uint64_t id);
void *idtable_remove(struct idtable *t, uint64_t id);
/* Iteration: *cursor starts at 0; returns NULL when done. Removing the
 * entry just returned (idtable_remove) leaves the cursor valid: removal
 * leaves a tombstone and moves no other entry, so one pass that removes as
 * it goes visits every entry once. */
void *idtable_next(const struct idtable *t, size_t *cursor, uint64_t *id);
/* Slots idtable_next has looked at on this thread so far: lets tests check
 * that a teardown is one pass (linear), without timing it. */
uint64_t idtable_slots_scanned(void);

#endif
