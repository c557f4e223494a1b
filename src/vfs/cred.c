/* Per-thread credentials: switches the calling thread's effective uid, gid
 * and supplementary groups with raw syscalls (the glibc wrappers change every
 * thread of the process). Real and saved ids stay root so the thread can
 * return; a thread that cannot return to root takes the process down. */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/log.h"
#include "vfs/vfs.h"

/* 32-bit x86 and ARM keep 16-bit ids in the old numbers. */
#ifdef SYS_setresuid32
#define NR_SETRESUID SYS_setresuid32
#define NR_SETRESGID SYS_setresgid32
#define NR_SETGROUPS SYS_setgroups32
#else
#define NR_SETRESUID SYS_setresuid
#define NR_SETRESGID SYS_setresgid
#define NR_SETGROUPS SYS_setgroups
#endif

static pthread_once_t cred_once = PTHREAD_ONCE_INIT;
static bool root_mode;
static gid_t root_groups[NGROUPS_MAX];
static int n_root_groups;

static __thread bool switched;
/* The identity a switched thread has, to skip switching to it again (the
 * offload threads keep the last request's identity: consecutive requests
 * of one session then cost no syscalls). Only small group lists are kept. */
#define CRED_CACHE_GROUPS 32
static __thread struct {
	bool valid;
	uid_t uid;
	gid_t gid;
	int n_groups;
	gid_t groups[CRED_CACHE_GROUPS];
} current;

static bool is_current(const struct vfs_cred *c)
{
	return current.valid && current.uid == c->uid && current.gid == c->gid && current.n_groups == c->n_groups &&
	       (c->n_groups == 0 || memcmp(current.groups, c->groups, sizeof(gid_t) * (size_t)c->n_groups) == 0);
}

static void remember(const struct vfs_cred *c)
{
	current.valid = c->n_groups <= CRED_CACHE_GROUPS;
	if (!current.valid)
		return;
	current.uid = c->uid;
	current.gid = c->gid;
	current.n_groups = c->n_groups;
	if (c->n_groups > 0)
		memcpy(current.groups, c->groups, sizeof(gid_t) * (size_t)c->n_groups);
}

/* Runs before any thread switches: records whether we are root and root's
 * supplementary groups, to restore them on the way out. */
static void cred_init(void)
{
	root_mode = geteuid() == 0;
	if (!root_mode)
		return;
	int n = getgroups(NGROUPS_MAX, root_groups);
	n_root_groups = n > 0 ? n : 0;
}

static int set_groups(int n, const gid_t *g)
{
	return syscall(NR_SETGROUPS, (size_t)n, g) < 0 ? -errno : 0;
}

static int set_egid(gid_t gid)
{
	return syscall(NR_SETRESGID, (gid_t)-1, gid, (gid_t)-1) < 0 ? -errno : 0;
}

static int set_euid(uid_t uid)
{
	return syscall(NR_SETRESUID, (uid_t)-1, uid, (uid_t)-1) < 0 ? -errno : 0;
}

void vfs_unbecome(void)
{
	pthread_once(&cred_once, cred_init);
	if (!root_mode || !switched)
		return;
	/* uid first: only euid 0 may set the gid and groups back. */
	int rc = set_euid(0);
	if (rc == 0)
		rc = set_egid(0);
	if (rc == 0)
		rc = set_groups(n_root_groups, root_groups);
	if (rc != 0) {
		log_err("vfs: cannot return a thread to root (errno %d); stopping", -rc);
		abort();
	}
	switched = false;
	current.valid = false;
}

int vfs_become(const struct vfs_cred *c)
{
	pthread_once(&cred_once, cred_init);
	if (!root_mode)
		return 0;
	if (!c || c->uid == (uid_t)-1 || c->gid == (gid_t)-1 || c->n_groups < 0 || c->n_groups > NGROUPS_MAX ||
	    (c->n_groups > 0 && !c->groups))
		return -EINVAL;
	if (switched && is_current(c))
		return 0;
	if (switched)
		vfs_unbecome();

	/* groups and gid while still root, uid last. */
	int rc = set_groups(c->n_groups, c->groups);
	if (rc != 0)
		return rc;
	rc = set_egid(c->gid);
	if (rc != 0)
		goto undo_groups;
	rc = set_euid(c->uid);
	if (rc != 0)
		goto undo_gid;
	switched = true;
	remember(c);
	return 0;

undo_gid:
	if (set_egid(0) != 0)
		abort();
undo_groups:
	if (set_groups(n_root_groups, root_groups) != 0)
		abort();
	return rc;
}
