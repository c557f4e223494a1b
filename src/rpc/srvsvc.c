/* srvsvc ([MS-SRVS]): NetrShareEnum (3.1.4.8, opnum 15), NetrShareGetInfo
 * (3.1.4.10, opnum 16), NetrShareCheck (3.1.4.13, opnum 20),
 * NetrServerGetInfo (3.1.4.17, opnum 21), NetrRemoteTOD (3.1.4.21, opnum 28),
 * NetrServerDiskEnum (3.1.4.19, opnum 23) and NetrShareEnumSticky (3.1.4.9,
 * opnum 36), with the SHARE_INFO_* (2.2.4.22-2.2.4.31) and SERVER_INFO_*
 * (2.2.4.40-2.2.4.42) structures in NDR20. The enumerations of things a
 * standalone server does not track here (character devices and queues,
 * connections, open files, sessions, transports: opnums 0, 3, 8, 9, 12, 26)
 * answer with well-formed empty lists (character devices: WERR_NOT_SUPPORTED,
 * like Windows and Samba). Answers from struct rpc_server_info, the caller
 * and the clock only: no state, no I/O. */
#include <string.h>
#include <strings.h>
#include <time.h>

#include "rpc/iface.h"

#define OPNUM_NetrCharDevEnum 0
#define OPNUM_NetrCharDevQEnum 3
#define OPNUM_NetrConnectionEnum 8
#define OPNUM_NetrFileEnum 9
#define OPNUM_NetrSessionEnum 12
#define OPNUM_NetrShareEnum 15
#define OPNUM_NetrShareGetInfo 16
#define OPNUM_NetrShareCheck 20
#define OPNUM_NetrServerGetInfo 21
#define OPNUM_NetrServerDiskEnum 23
#define OPNUM_NetrServerTransportEnum 26
#define OPNUM_NetrRemoteTOD 28
#define OPNUM_NetrShareEnumSticky 36

/* Bounded by NDR_MAX_STRING_CHARS UTF-16 units, each at most 3 UTF-8 bytes. */
#define NAME_BUF (3 * NDR_MAX_STRING_CHARS + 1)

static bool level_in(uint32_t level, const uint32_t *set, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (set[i] == level)
			return true;
	return false;
}

/* Union arms that are pointers ([MS-SRVS] SHARE_INFO, SHARE_ENUM_UNION and
 * Samba's srvsvc.idl), so an unsupported one is still marshalled as NULL. */
static const uint32_t share_arms[] = { 0, 1, 2, 501, 502, 503, 1004, 1005, 1006, 1007, 1501 };
static const uint32_t server_arms[] = {
	100,  101,  102,  402,	403,  502,  503,  599,	1005, 1010, 1016, 1017, 1018, 1107, 1501,
	1502, 1503, 1506, 1509, 1510, 1511, 1512, 1513, 1514, 1515, 1516, 1518, 1520, 1521, 1522,
	1523, 1524, 1525, 1528, 1529, 1530, 1533, 1534, 1535, 1536, 1537, 1538, 1539, 1540, 1541,
	1542, 1543, 1544, 1545, 1546, 1547, 1548, 1549, 1550, 1552, 1553, 1554, 1555, 1556,
};
/* The container arms of the other enumerations (Samba's srvsvc.idl). */
static const uint32_t chardev_arms[] = { 0, 1 };  /* CHARDEV_ENUM_UNION, CHARDEVQ_ENUM_UNION */
static const uint32_t conn_arms[] = { 0, 1 };	  /* CONNECT_ENUM_UNION */
static const uint32_t file_arms[] = { 2, 3 };	  /* FILE_ENUM_UNION */
static const uint32_t sess_arms[] = { 0, 1, 2, 10, 502 }; /* SESSION_ENUM_UNION */
static const uint32_t transport_arms[] = { 0, 1, 2, 3 };  /* SERVER_XPORT_ENUM_UNION */
#define N(a) (sizeof(a) / sizeof((a)[0]))

/* The request of an enumeration: n_names [in,unique,string] names
 * (ServerName first), then [in,out] <X>_ENUM_STRUCT {Level, switch, arm},
 * PreferedMaximumLength and [in,out,unique] ResumeHandle. Each arm is a
 * unique pointer to {EntriesRead, [size_is] Buffer}; an input buffer must be
 * empty. The reader goes bad on anything else. */
struct enum_req {
	uint32_t level;
	bool arm; /* the level has a (pointer) arm */
	bool have_resume;
	uint32_t resume;
};

static void rd_enum_req(struct rd *in, unsigned n_names, const uint32_t *arms, size_t n_arms, struct enum_req *e)
{
	char name[NAME_BUF];
	bool present;
	for (unsigned i = 0; i < n_names; i++)
		ndr_rd_unique_string(in, name, sizeof(name), &present);
	e->level = ndr_rd_u32(in);
	if (ndr_rd_u32(in) != e->level)
		in->bad = true;
	e->arm = level_in(e->level, arms, n_arms);
	if (e->arm && ndr_rd_ptr(in)) {
		(void)ndr_rd_u32(in); /* EntriesRead */
		if (ndr_rd_ptr(in))
			(void)ndr_rd_array_count(in, 0);
	}
	(void)ndr_rd_u32(in); /* PreferedMaximumLength: all entries are returned */
	e->have_resume = ndr_rd_ptr(in) != 0;
	e->resume = e->have_resume ? ndr_rd_u32(in) : 0;
}

/* The response of an enumeration with no entries: the container (empty for
 * a level with an arm), TotalEntries 0, the resume handle, werr. */
static void wr_enum_empty(struct ndr_wr *o, const struct enum_req *e, uint32_t werr)
{
	ndr_wr_u32(o, e->level);
	ndr_wr_u32(o, e->level);
	if (e->arm) {
		ndr_wr_ptr(o, true);
		ndr_wr_u32(o, 0);     /* EntriesRead */
		ndr_wr_ptr(o, false); /* Buffer */
	}
	ndr_wr_u32(o, 0); /* TotalEntries */
	ndr_wr_ptr(o, e->have_resume);
	if (e->have_resume)
		ndr_wr_u32(o, 0);
	ndr_wr_u32(o, werr);
}

/* NetrCharDevEnum, NetrCharDevQEnum, NetrConnectionEnum, NetrFileEnum,
 * NetrSessionEnum, NetrServerTransportEnum: nothing to list. n_names counts
 * the [unique,string] arguments before the container. A level without an arm
 * is WERR_INVALID_LEVEL; werr is the answer otherwise. */
static uint32_t enum_empty(struct rd *in, struct ndr_wr *o, unsigned n_names, const uint32_t *arms, size_t n_arms,
			   uint32_t werr)
{
	struct enum_req e;
	rd_enum_req(in, n_names, arms, n_arms, &e);
	if (in->bad)
		return DCERPC_FAULT_NDR;
	wr_enum_empty(o, &e, e.arm ? werr : WERR_INVALID_LEVEL);
	return 0;
}

enum share_op { SHARE_ENUM_ALL, SHARE_ENUM_STICKY, SHARE_GET_INFO };

static bool share_level_ok(uint32_t level, enum share_op op)
{
	if (level == 501)
		return op != SHARE_ENUM_STICKY;
	return level == 0 || level == 1 || level == 2 || level == 502 || (op == SHARE_GET_INFO && level == 1005);
}

/* Levels an anonymous caller may not see (paths, permissions, and for the
 * enumeration the 501 flags too): what smbtorture's rpc.srvsvc expects of
 * Windows and Samba. */
static bool share_level_denied(uint32_t level, enum share_op op, const struct rpc_caller *caller)
{
	if (!caller->anonymous)
		return false;
	return level == 2 || level == 502 || (level == 501 && op == SHARE_ENUM_ALL);
}

/* The answer for a share level: invalid level first, then access. */
static uint32_t share_level_werr(uint32_t level, enum share_op op, const struct rpc_caller *caller)
{
	if (!share_level_ok(level, op))
		return WERR_INVALID_LEVEL;
	return share_level_denied(level, op, caller) ? WERR_ACCESS_DENIED : WERR_OK;
}

/* Shares listed by an enumeration: browseable ones; NetrShareEnumSticky
 * leaves out the special ('$') ones too. */
static bool share_listed(const struct rpc_share_info *s, enum share_op op)
{
	return s->browseable && !(op == SHARE_ENUM_STICKY && (s->type & STYPE_SPECIAL));
}

/* SHARE_INFO_<level>: the fixed part (pointers as referent ids). */
static void share_fixed(struct ndr_wr *o, const struct rpc_share_info *s, uint32_t level)
{
	if (level == 1005) {
		ndr_wr_u32(o, 0); /* shi1005_flags: no CSC, no DFS */
		return;
	}
	ndr_wr_ptr(o, true); /* netname */
	if (level == 0)
		return;
	ndr_wr_u32(o, s->type);
	ndr_wr_ptr(o, true); /* remark */
	if (level == 1)
		return;
	if (level == 501) {
		ndr_wr_u32(o, 0); /* shi501_flags */
		return;
	}
	ndr_wr_u32(o, 0); /* permissions: ignored by share-level security */
	ndr_wr_u32(o, s->max_uses);
	ndr_wr_u32(o, s->current_uses);
	ndr_wr_ptr(o, true);  /* path */
	ndr_wr_ptr(o, false); /* passwd */
	if (level == 502) {
		ndr_wr_u32(o, 0);     /* shi502_reserved: security descriptor size */
		ndr_wr_ptr(o, false); /* shi502_security_descriptor */
	}
}

/* The deferred referents of share_fixed, in pointer order. */
static void share_deferred(struct ndr_wr *o, const struct rpc_share_info *s, uint32_t level)
{
	if (level == 1005)
		return;
	ndr_wr_string(o, s->name);
	if (level == 0)
		return;
	ndr_wr_string(o, s->comment);
	if (level == 2 || level == 502)
		ndr_wr_string(o, s->path);
}

/* NetrShareEnum and NetrShareEnumSticky: [in,unique,string] ServerName,
 * [in,out] SHARE_ENUM_STRUCT, [in] PreferedMaximumLength, [out]
 * TotalEntries, [in,out,unique] ResumeHandle. Every share is returned in one
 * go from the resume index. */
static uint32_t share_enum(const struct rpc_server_info *info, const struct rpc_caller *caller, enum share_op op,
			   struct rd *in, struct ndr_wr *o)
{
	struct enum_req e;
	rd_enum_req(in, 1, share_arms, N(share_arms), &e);
	if (in->bad)
		return DCERPC_FAULT_NDR;

	uint32_t level = e.level, resume = e.resume;
	uint32_t werr = share_level_werr(level, op, caller);
	bool ok = werr == WERR_OK;
	uint32_t total = 0, count = 0;
	for (size_t i = 0; i < info->n_shares; i++)
		if (share_listed(&info->shares[i], op))
			total++;
	if (ok && resume < total)
		count = total - resume;

	ndr_wr_u32(o, level);
	ndr_wr_u32(o, level);
	if (e.arm) {
		ndr_wr_ptr(o, ok);
		if (ok) {
			ndr_wr_u32(o, count);
			ndr_wr_ptr(o, count > 0);
			if (count > 0) {
				ndr_wr_array_count(o, count);
				for (int pass = 0; pass < 2; pass++) {
					uint32_t seen = 0;
					for (size_t i = 0; i < info->n_shares; i++) {
						const struct rpc_share_info *s = &info->shares[i];
						if (!share_listed(s, op) || seen++ < resume)
							continue;
						if (pass == 0)
							share_fixed(o, s, level);
						else
							share_deferred(o, s, level);
					}
				}
			}
		}
	}
	ndr_wr_u32(o, ok ? total : 0); /* TotalEntries */
	ndr_wr_ptr(o, e.have_resume);
	if (e.have_resume)
		ndr_wr_u32(o, 0); /* everything was returned */
	ndr_wr_u32(o, werr);
	return 0;
}

/* NetrShareGetInfo: [in,unique,string] ServerName, [in,string] NetName,
 * [in] Level, [out,switch_is(Level)] SHARE_INFO. Hidden (non-browseable)
 * shares are found too. */
static uint32_t share_get_info(const struct rpc_server_info *info, const struct rpc_caller *caller, struct rd *in,
			       struct ndr_wr *o)
{
	char server[NAME_BUF], name[NAME_BUF];
	bool have_server;
	ndr_rd_unique_string(in, server, sizeof(server), &have_server);
	ndr_rd_string(in, name, sizeof(name));
	uint32_t level = ndr_rd_u32(in);
	if (in->bad)
		return DCERPC_FAULT_NDR;

	const struct rpc_share_info *s = NULL;
	for (size_t i = 0; i < info->n_shares && !s; i++)
		if (strcasecmp(info->shares[i].name, name) == 0)
			s = &info->shares[i];
	uint32_t werr = share_level_werr(level, SHARE_GET_INFO, caller);
	if (werr == WERR_OK && !s)
		werr = NERR_NetNameNotFound; /* [MS-SRVS] 3.1.4.10 */

	ndr_wr_u32(o, level);
	if (level_in(level, share_arms, N(share_arms))) {
		ndr_wr_ptr(o, werr == WERR_OK);
		if (werr == WERR_OK) {
			share_fixed(o, s, level);
			share_deferred(o, s, level);
		}
	}
	ndr_wr_u32(o, werr);
	return 0;
}

/* NetrServerGetInfo: [in,unique,string] ServerName, [in] Level,
 * [out,switch_is(Level)] SERVER_INFO; levels 100, 101 and 102. */
static uint32_t server_get_info(const struct rpc_server_info *info, struct rd *in, struct ndr_wr *o)
{
	char server[NAME_BUF];
	bool have_server;
	ndr_rd_unique_string(in, server, sizeof(server), &have_server);
	uint32_t level = ndr_rd_u32(in);
	if (in->bad)
		return DCERPC_FAULT_NDR;

	bool ok = level == 100 || level == 101 || level == 102;
	ndr_wr_u32(o, level);
	if (level_in(level, server_arms, N(server_arms)))
		ndr_wr_ptr(o, ok);
	if (ok) {
		ndr_wr_u32(o, info->platform_id);
		ndr_wr_ptr(o, true); /* sv10x_name */
		if (level >= 101) {
			ndr_wr_u32(o, info->version_major);
			ndr_wr_u32(o, info->version_minor);
			ndr_wr_u32(o, info->server_type);
			ndr_wr_ptr(o, true); /* sv10x_comment */
		}
		if (level == 102) {
			ndr_wr_u32(o, 0xFFFFFFFFu); /* sv102_users: no limit */
			ndr_wr_u32(o, 15);	    /* sv102_disc: autodisconnect minutes */
			ndr_wr_u32(o, 0);	    /* sv102_hidden: SV_VISIBLE */
			ndr_wr_u32(o, 240);	    /* sv102_announce: seconds */
			ndr_wr_u32(o, 3000);	    /* sv102_anndelta: milliseconds */
			ndr_wr_u32(o, 0);	    /* sv102_licenses */
			ndr_wr_ptr(o, true);	    /* sv102_userpath */
		}
		ndr_wr_string(o, info->netbios_name);
		if (level >= 101)
			ndr_wr_string(o, info->comment);
		if (level == 102)
			ndr_wr_string(o, "C:\\");
	}
	ndr_wr_u32(o, ok ? WERR_OK : WERR_INVALID_LEVEL);
	return 0;
}

/* "C:\\srv\\data\\" and "c:\\srv\\data" name the same share path. */
static bool same_path(const char *a, const char *b)
{
	size_t na = strlen(a), nb = strlen(b);
	while (na > 3 && a[na - 1] == '\\')
		na--;
	while (nb > 3 && b[nb - 1] == '\\')
		nb--;
	return na == nb && na >= 2 && strncasecmp(a, b, 2) == 0 && memcmp(a + 2, b + 2, na - 2) == 0;
}

/* NetrShareCheck: [in,unique,string] ServerName, [in,string] Device, [out]
 * Type. The device is a share path as NetrShareGetInfo reports it; "" is
 * IPC$ (no path), like Samba. */
static uint32_t share_check(const struct rpc_server_info *info, struct rd *in, struct ndr_wr *o)
{
	char server[NAME_BUF], device[NAME_BUF];
	bool have_server;
	ndr_rd_unique_string(in, server, sizeof(server), &have_server);
	ndr_rd_string(in, device, sizeof(device));
	if (in->bad)
		return DCERPC_FAULT_NDR;

	uint32_t type = 0, werr = NERR_DeviceNotShared; /* [MS-SRVS] 3.1.4.13 */
	for (size_t i = 0; i < info->n_shares && werr != WERR_OK; i++) {
		const struct rpc_share_info *s = &info->shares[i];
		bool ipc = (s->type & ~STYPE_SPECIAL) == STYPE_IPC;
		if (ipc ? device[0] == 0 : same_path(s->path, device)) {
			type = s->type;
			werr = WERR_OK;
		}
	}
	ndr_wr_u32(o, type);
	ndr_wr_u32(o, werr);
	return 0;
}

/* One DISK_INFO: [value(0)] offset, [value(len)] length, then the UTF-16
 * characters with their NUL, inline. */
static void disk_info(struct ndr_wr *o, const char *disk)
{
	uint32_t len = (uint32_t)strlen(disk) + 1; /* ASCII drive names only */
	ndr_wr_u32(o, 0);
	ndr_wr_u32(o, len);
	for (uint32_t i = 0; i < len; i++)
		ndr_wr_u16(o, (uint8_t)disk[i]);
}

/* NetrServerDiskEnum: [in,unique,string] ServerName, [in] Level, [in,out]
 * DISK_ENUM_CONTAINER {EntriesRead, [size_is, length_is] Buffer},
 * PreferedMaximumLength, [out] TotalEntries, [in,out,unique] ResumeHandle.
 * Level 0 only; one disk "C:" (where share paths point) plus the empty entry
 * that ends the list on the wire ([MS-SRVS] 3.1.4.19). */
static uint32_t disk_enum(struct rd *in, struct ndr_wr *o)
{
	char server[NAME_BUF];
	bool have_server;
	ndr_rd_unique_string(in, server, sizeof(server), &have_server);
	uint32_t level = ndr_rd_u32(in);
	(void)ndr_rd_u32(in); /* EntriesRead */
	if (ndr_rd_ptr(in)) { /* an input buffer must be empty */
		(void)ndr_rd_array_count(in, 0);
		(void)ndr_rd_u32(in); /* offset */
		if (ndr_rd_u32(in) != 0)
			in->bad = true;
	}
	(void)ndr_rd_u32(in); /* PreferedMaximumLength */
	bool have_resume = ndr_rd_ptr(in) != 0;
	uint32_t resume = have_resume ? ndr_rd_u32(in) : 0;
	if (in->bad)
		return DCERPC_FAULT_NDR;

	static const char *const disks[] = { "C:", "" };
	bool ok = level == 0;
	uint32_t start = resume < 1 ? resume : 1; /* the terminator is always sent */
	uint32_t count = ok ? (uint32_t)N(disks) - start : 0;
	ndr_wr_u32(o, count);
	ndr_wr_ptr(o, count > 0);
	if (count > 0) {
		ndr_wr_array_count(o, count); /* max_count */
		ndr_wr_u32(o, 0);	      /* offset */
		ndr_wr_u32(o, count);	      /* actual_count */
		for (uint32_t i = start; i < N(disks); i++)
			disk_info(o, disks[i]);
	}
	ndr_wr_u32(o, ok ? 1 : 0); /* TotalEntries: the real disks */
	ndr_wr_ptr(o, have_resume);
	if (have_resume)
		ndr_wr_u32(o, ok ? 1 : 0);
	ndr_wr_u32(o, ok ? WERR_OK : WERR_INVALID_LEVEL);
	return 0;
}

/* NetrRemoteTOD: [in,unique,string] ServerName, [out] TIME_OF_DAY_INFO*
 * from the real clock, in UTC with the local time zone's offset. */
static uint32_t remote_tod(struct rd *in, struct ndr_wr *o)
{
	char server[NAME_BUF];
	bool have_server;
	ndr_rd_unique_string(in, server, sizeof(server), &have_server);
	if (in->bad)
		return DCERPC_FAULT_NDR;

	struct timespec now, up;
	clock_gettime(CLOCK_REALTIME, &now);
	clock_gettime(CLOCK_MONOTONIC, &up);
	time_t t = now.tv_sec;
	struct tm utc, local;
	gmtime_r(&t, &utc);
	localtime_r(&t, &local);
	int32_t tz = (int32_t)(-local.tm_gmtoff / 60); /* minutes west of UTC, like Windows */

	ndr_wr_ptr(o, true);
	ndr_wr_u32(o, (uint32_t)t);					 /* tod_elapsedt */
	ndr_wr_u32(o, (uint32_t)(up.tv_sec * 1000 + up.tv_nsec / 1000000)); /* tod_msecs */
	ndr_wr_u32(o, (uint32_t)utc.tm_hour);
	ndr_wr_u32(o, (uint32_t)utc.tm_min);
	ndr_wr_u32(o, (uint32_t)utc.tm_sec);
	ndr_wr_u32(o, (uint32_t)(now.tv_nsec / 10000000)); /* hundredths */
	ndr_wr_u32(o, (uint32_t)tz);
	ndr_wr_u32(o, 310); /* tod_tinterval: 31 ms, as Windows reports */
	ndr_wr_u32(o, (uint32_t)utc.tm_mday);
	ndr_wr_u32(o, (uint32_t)utc.tm_mon + 1);
	ndr_wr_u32(o, (uint32_t)utc.tm_year + 1900);
	ndr_wr_u32(o, (uint32_t)utc.tm_wday);
	ndr_wr_u32(o, WERR_OK);
	return 0;
}

static uint32_t srvsvc_call(const struct rpc_server_info *info, const struct rpc_caller *caller, uint16_t opnum,
			    const uint8_t *in, size_t in_len, struct ndr_wr *out)
{
	struct rd r = rd_init(in, in_len);
	switch (opnum) {
	case OPNUM_NetrCharDevEnum:
		return enum_empty(&r, out, 1, chardev_arms, N(chardev_arms), WERR_NOT_SUPPORTED);
	case OPNUM_NetrCharDevQEnum: /* ServerName, UserName */
		return enum_empty(&r, out, 2, chardev_arms, N(chardev_arms), WERR_NOT_SUPPORTED);
	case OPNUM_NetrConnectionEnum: /* ServerName, Qualifier */
		return enum_empty(&r, out, 2, conn_arms, N(conn_arms), WERR_OK);
	case OPNUM_NetrFileEnum: /* ServerName, BasePath, UserName */
		return enum_empty(&r, out, 3, file_arms, N(file_arms), WERR_OK);
	case OPNUM_NetrSessionEnum: /* ServerName, ClientName, UserName */
		return enum_empty(&r, out, 3, sess_arms, N(sess_arms), WERR_OK);
	case OPNUM_NetrServerTransportEnum:
		return enum_empty(&r, out, 1, transport_arms, N(transport_arms), WERR_OK);
	case OPNUM_NetrShareEnum:
		return share_enum(info, caller, SHARE_ENUM_ALL, &r, out);
	case OPNUM_NetrShareEnumSticky:
		return share_enum(info, caller, SHARE_ENUM_STICKY, &r, out);
	case OPNUM_NetrShareGetInfo:
		return share_get_info(info, caller, &r, out);
	case OPNUM_NetrShareCheck:
		return share_check(info, &r, out);
	case OPNUM_NetrServerGetInfo:
		return server_get_info(info, &r, out);
	case OPNUM_NetrServerDiskEnum:
		return disk_enum(&r, out);
	case OPNUM_NetrRemoteTOD:
		return remote_tod(&r, out);
	default:
		return nca_s_op_rng_error;
	}
}

const struct rpc_iface rpc_srvsvc_iface = {
	.name = "srvsvc",
	/* 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0 */
	.syntax = { { 0x4b324fc8, 0x1670, 0x01d3, { 0x12, 0x78, 0x5a, 0x47, 0xbf, 0x6e, 0xe1, 0x88 } }, 3, 0 },
	.call = srvsvc_call,
};
