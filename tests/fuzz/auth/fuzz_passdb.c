/* libFuzzer target: smbpasswd parsing (auth/passdb.c). Every parsed entry
 * must be found again by name, and lookups must stay consistent. */
#include "auth/passdb.h"
#include "base/log.h"

#include <stdlib.h>
#include <strings.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	log_set_level(-1);
	struct passdb *db = passdb_parse("fuzz", (const char *)data, size);
	if (!db)
		return 0;
	for (size_t i = 0; i < passdb_count(db); i++) {
		const struct passdb_entry *e = passdb_entry_at(db, i);
		const struct passdb_entry *f = passdb_find(db, e->name);
		uint8_t h[16];
		if (!f || strcasecmp(f->name, e->name) != 0)
			abort();
		int rc = passdb_auth_lookup(db, e->name, h);
		if (rc != 0 && rc != -2)
			abort();
		if (!passdb_name_valid(e->name) && e->name[0] == 0)
			abort();
	}
	passdb_free(db);
	return 0;
}
