/* wkssvc ([MS-WKST]): NetrWkstaGetInfo (3.2.4.1, opnum 0) levels 100, 101
 * and 102 (WKSTA_INFO_100/101/102, 2.2.5.1-2.2.5.3) in NDR20. Answers from
 * struct rpc_server_info only: no state, no I/O. */
#include "rpc/iface.h"

#define OPNUM_NetrWkstaGetInfo 0

/* Levels whose union arm is a pointer ([MS-WKST] 2.2.4.1 WKSTA_INFO and
 * Samba's wkssvc.idl), marshalled as NULL when unsupported. */
static const uint32_t wksta_arms[] = {
	100,  101,  102,  502,	1010, 1011, 1012, 1013, 1018, 1023, 1027, 1028, 1032, 1033, 1041, 1042, 1043, 1044,
	1045, 1046, 1047, 1048, 1049, 1050, 1051, 1052, 1053, 1054, 1055, 1056, 1057, 1058, 1059, 1060, 1061, 1062,
};

/* NetrWkstaGetInfo: [in,unique,string] ServerName, [in] Level,
 * [out,switch_is(Level)] WKSTA_INFO. */
static uint32_t wksta_get_info(const struct rpc_server_info *info, struct rd *in, struct ndr_wr *o)
{
	char server[3 * NDR_MAX_STRING_CHARS + 1];
	bool have_server;
	ndr_rd_unique_string(in, server, sizeof(server), &have_server);
	uint32_t level = ndr_rd_u32(in);
	if (in->bad)
		return DCERPC_FAULT_NDR;

	bool ok = level == 100 || level == 101 || level == 102;
	bool arm = false;
	for (size_t i = 0; i < sizeof(wksta_arms) / sizeof(wksta_arms[0]); i++)
		arm = arm || wksta_arms[i] == level;
	ndr_wr_u32(o, level);
	if (arm)
		ndr_wr_ptr(o, ok);
	if (ok) {
		ndr_wr_u32(o, info->platform_id);
		ndr_wr_ptr(o, true); /* wki10x_computername */
		ndr_wr_ptr(o, true); /* wki10x_langroup */
		ndr_wr_u32(o, info->version_major);
		ndr_wr_u32(o, info->version_minor);
		if (level >= 101)
			ndr_wr_ptr(o, true); /* wki10x_lanroot */
		if (level == 102)
			ndr_wr_u32(o, 0); /* wki102_logged_on_users */
		ndr_wr_string(o, info->netbios_name);
		ndr_wr_string(o, info->workgroup);
		if (level >= 101)
			ndr_wr_string(o, "C:\\");
	}
	ndr_wr_u32(o, ok ? WERR_OK : WERR_INVALID_LEVEL);
	return 0;
}

static uint32_t wkssvc_call(const struct rpc_server_info *info, const struct rpc_caller *caller, uint16_t opnum,
			    const uint8_t *in, size_t in_len, struct ndr_wr *out)
{
	(void)caller; /* NetrWkstaGetInfo levels 100-102 are open to everyone */
	struct rd r = rd_init(in, in_len);
	if (opnum == OPNUM_NetrWkstaGetInfo)
		return wksta_get_info(info, &r, out);
	return nca_s_op_rng_error;
}

const struct rpc_iface rpc_wkssvc_iface = {
	.name = "wkssvc",
	/* 6bffd098-a112-3610-9833-46c3f87e345a v1.0 */
	.syntax = { { 0x6bffd098, 0xa112, 0x3610, { 0x98, 0x33, 0x46, 0xc3, 0xf8, 0x7e, 0x34, 0x5a } }, 1, 0 },
	.call = wkssvc_call,
};
