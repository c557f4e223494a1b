/* The user database in Samba's smbpasswd format (smbpasswd(5)):
 *   name:uid:LMHASH:NTHASH:[UX         ]:LCT-XXXXXXXX:
 * Loaded into an immutable in-memory snapshot for the server; changed by the
 * `smb3d user` command through atomic whole-file rewrites that keep every
 * other line byte for byte. Never logs hashes. */
#ifndef SMB3D_AUTH_PASSDB_H
#define SMB3D_AUTH_PASSDB_H

#include "base/ntstatus.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Account control flags in the brackets (Samba's ACB_* letters). */
#define PASSDB_ACB_PWNOTREQ 0x0001u  /* N: no password required */
#define PASSDB_ACB_DISABLED 0x0002u  /* D */
#define PASSDB_ACB_HOMDIRREQ 0x0004u /* H */
#define PASSDB_ACB_TEMPDUP 0x0008u   /* T */
#define PASSDB_ACB_NORMAL 0x0010u    /* U: normal user */
#define PASSDB_ACB_MNS 0x0020u	     /* M */
#define PASSDB_ACB_WSTRUST 0x0040u   /* W: workstation trust */
#define PASSDB_ACB_SVRTRUST 0x0080u  /* S */
#define PASSDB_ACB_AUTOLOCK 0x0100u  /* L: locked */
#define PASSDB_ACB_PWNOEXP 0x0200u   /* X: password never expires */
#define PASSDB_ACB_DOMTRUST 0x0400u  /* I */

#define PASSDB_NAME_MAX 256 /* bytes of UTF-8 */

struct passdb_entry {
	const char *name;
	uint32_t uid;
	uint32_t acct; /* PASSDB_ACB_* */
	bool has_nt_hash;
	uint8_t nt_hash[16];
	int64_t last_change; /* LCT, -1 if absent */
};

/* Identity of the file a snapshot was read from, to notice changes cheaply. */
struct passdb_gen {
	bool exists;
	mode_t mode;
	dev_t dev;
	ino_t ino;
	off_t size;
	int64_t mtime_ns;
	int64_t ctime_ns;
};

struct passdb;

/* Reads the file. A missing file gives an empty database (not an error);
 * malformed lines are skipped with a warning "FILE:LINE: ...". Returns
 * STATUS_SUCCESS, STATUS_ACCESS_DENIED, STATUS_NO_MEMORY or
 * STATUS_UNSUCCESSFUL (other I/O errors, logged). */
NTSTATUS passdb_load(const char *path, struct passdb **out);
/* Parses text (fuzzing, tests); `name` appears in warnings. Never NULL
 * except when out of memory. */
struct passdb *passdb_parse(const char *name, const char *text, size_t len);
void passdb_free(struct passdb *db);

/* Case-insensitive (ASCII) lookup; NULL if absent. */
const struct passdb_entry *passdb_find(const struct passdb *db, const char *name);
size_t passdb_count(const struct passdb *db);
const struct passdb_entry *passdb_entry_at(const struct passdb *db, size_t i);
/* The generation the snapshot was read at. */
const struct passdb_gen *passdb_generation(const struct passdb *db);
/* True if the file at path is not the one db was read from (or cannot be
 * checked): the server then reloads. One stat(2). */
bool passdb_changed(const char *path, const struct passdb *db);

/* An auth_lookup_fn (auth/auth.h) over a snapshot: ctx is a struct passdb *.
 * 0 and the hash for an enabled user with an NT hash; -1 unknown; -2
 * disabled (D or L flag, or no NT hash stored: nt_hash is then filled when
 * known so the password is still checked first). */
int passdb_auth_lookup(void *ctx, const char *user_utf8, uint8_t nt_hash[16]);

/* True if name can be stored: 1..PASSDB_NAME_MAX bytes of valid UTF-8, no
 * ':', control characters or leading '#', not starting/ending with a space. */
bool passdb_name_valid(const char *name);

/* Mutations for the CLI. Each takes an exclusive lock on the directory,
 * re-reads the file, rewrites it atomically (PATH.tmp.XXXXXX in the same
 * directory, mode 0600, fsync, rename, fsync of the directory) and keeps
 * all other lines byte for byte. The NT hash is MD4(UTF-16LE(password)); the
 * LM hash is always written as X's. Statuses:
 *   STATUS_SUCCESS; STATUS_USER_EXISTS (add); STATUS_NO_SUCH_USER;
 *   STATUS_OBJECT_NAME_INVALID (bad name); STATUS_INVALID_PARAMETER (empty or
 *   non-UTF-8 password); STATUS_OBJECT_PATH_NOT_FOUND (directory missing);
 *   STATUS_ACCESS_DENIED (not writable); STATUS_UNSUCCESSFUL (other I/O
 *   errors, logged with the reason); STATUS_NO_MEMORY. */
NTSTATUS passdb_add(const char *path, const char *name, uint32_t uid, const char *password);
NTSTATUS passdb_delete(const char *path, const char *name);
NTSTATUS passdb_set_password(const char *path, const char *name, const char *password);
NTSTATUS passdb_set_enabled(const char *path, const char *name, bool enabled);

#endif
