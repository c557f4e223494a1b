/* srvsvc ([MS-SRVS]): NetrShareEnum (3.1.4.8, opnum 15), NetrShareGetInfo
 * (3.1.4.10, opnum 16) and NetrServerGetInfo (3.1.4.17, opnum 21), with the
 * SHARE_INFO_* (2.2.4.22-2.2.4.31) and SERVER_INFO_* (2.2.4.40-2.2.4.42)
 * structures in NDR20. Answers from struct rpc_server_info only: no state,
 * no I/O. */
#include <string.h>
#include <strings.h>

#include "rpc/iface.h"

#define OPNUM_NetrShareEnum 15
#define OPNUM_NetrShareGetInfo 16
#define OPNUM_NetrServerGetInfo 21

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
#define N(a) (sizeof(a) / sizeof((a)[0]))

static bool share_level_ok(uint32_t level, bool get_info)
{
	return level == 0 || level == 1 || level == 2 || level == 501 || level == 502 || (get_info && level == 1005);
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

/* NetrShareEnum: [in,unique,string] ServerName, [in,out] SHARE_ENUM_STRUCT,
 * [in] PreferedMaximumLength, [out] TotalEntries, [in,out,unique]
 * ResumeHandle. Every share is returned in one go from the resume index. */
static uint32_t share_enum(const struct rpc_server_info *info, struct rd *in, struct ndr_wr *o)
{
	char server[NAME_BUF];
	bool have_server, have_arm = false;
	ndr_rd_unique_string(in, server, sizeof(server), &have_server);
	uint32_t level = ndr_rd_u32(in);
	uint32_t sw = ndr_rd_u32(in);
	if (sw != level)
		in->bad = true;
	if (level_in(level, share_arms, N(share_arms))) {
		have_arm = true;
		if (ndr_rd_ptr(in)) {
			(void)ndr_rd_u32(in); /* EntriesRead */
			if (ndr_rd_ptr(in))
				(void)ndr_rd_array_count(in, 0); /* an input buffer must be empty */
		}
	}
	(void)ndr_rd_u32(in); /* PreferedMaximumLength: all entries are returned */
	bool have_resume = ndr_rd_ptr(in) != 0;
	uint32_t resume = have_resume ? ndr_rd_u32(in) : 0;
	if (in->bad)
		return DCERPC_FAULT_NDR;

	bool ok = share_level_ok(level, false);
	uint32_t total = 0, count = 0;
	for (size_t i = 0; i < info->n_shares; i++)
		if (info->shares[i].browseable)
			total++;
	if (ok && resume < total)
		count = total - resume;

	ndr_wr_u32(o, level);
	ndr_wr_u32(o, level);
	if (have_arm) {
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
						if (!s->browseable || seen++ < resume)
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
	ndr_wr_ptr(o, have_resume);
	if (have_resume)
		ndr_wr_u32(o, 0); /* everything was returned */
	ndr_wr_u32(o, ok ? WERR_OK : WERR_INVALID_LEVEL);
	return 0;
}

/* NetrShareGetInfo: [in,unique,string] ServerName, [in,string] NetName,
 * [in] Level, [out,switch_is(Level)] SHARE_INFO. Hidden (non-browseable)
 * shares are found too. */
static uint32_t share_get_info(const struct rpc_server_info *info, struct rd *in, struct ndr_wr *o)
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
	uint32_t werr = WERR_OK;
	if (!share_level_ok(level, true))
		werr = WERR_INVALID_LEVEL;
	else if (!s)
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

static uint32_t srvsvc_call(const struct rpc_server_info *info, uint16_t opnum, const uint8_t *in, size_t in_len,
			    struct ndr_wr *out)
{
	struct rd r = rd_init(in, in_len);
	switch (opnum) {
	case OPNUM_NetrShareEnum:
		return share_enum(info, &r, out);
	case OPNUM_NetrShareGetInfo:
		return share_get_info(info, &r, out);
	case OPNUM_NetrServerGetInfo:
		return server_get_info(info, &r, out);
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
