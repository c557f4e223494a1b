/* libFuzzer target for CREATE: the request decoder with its context chain,
 * every context payload decoder (ExtA as an EA chain, SecD as a security
 * descriptor), the bare context parser, and the response context writer
 * under a capacity taken from the input. Slices must stay inside the input. */
#include "fuzz_util.h"
#include "wire/fileinfo.h"
#include "wire/file.h"
#include "wire/security.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void payloads(const uint8_t *data, size_t size, const struct wire_create_ctx_list *l)
{
	for (unsigned i = 0; i < l->n; i++) {
		const struct wire_create_ctx *c = &l->c[i];
		check_slice(data, size, c->name, c->name_len);
		check_slice(data, size, c->data, c->data_len);
		if (c->name_len == 0 || (c->data_len && !c->data))
			abort();
		bool has;
		uint64_t v, hi;
		uint8_t id[16];
		struct wire_lease lease;
		struct wire_durable d;
		struct wire_ea eas[8];
		struct wire_ace aces[16];
		struct wire_sd sd;
		size_t n;
		switch (c->id) {
		case WIRE_CCTX_MXAC:
			(void)wire_cctx_mxac_decode(c, &has, &v);
			break;
		case WIRE_CCTX_ALSI:
		case WIRE_CCTX_TWRP:
			(void)wire_cctx_u64_decode(c, &v);
			break;
		case WIRE_CCTX_RQLS:
			(void)wire_cctx_rqls_decode(c, &lease);
			break;
		case WIRE_CCTX_DHNQ:
			(void)wire_cctx_dhnq_decode(c);
			break;
		case WIRE_CCTX_DHNC:
			(void)wire_cctx_dhnc_decode(c, &d);
			break;
		case WIRE_CCTX_DH2Q:
			(void)wire_cctx_dh2q_decode(c, &d);
			break;
		case WIRE_CCTX_DH2C:
			(void)wire_cctx_dh2c_decode(c, &d);
			break;
		case WIRE_CCTX_APP_INSTANCE_ID:
			(void)wire_cctx_app_instance_id_decode(c, id);
			break;
		case WIRE_CCTX_APP_INSTANCE_VERSION:
			(void)wire_cctx_app_instance_version_decode(c, &v, &hi);
			break;
		case WIRE_CCTX_EXTA:
			if (NT_OK(wire_full_ea_decode(c->data, c->data_len, eas, 8, &n)))
				for (size_t k = 0; k < n && k < 8; k++) {
					check_slice(data, size, eas[k].name, eas[k].name_len);
					check_slice(data, size, eas[k].value, eas[k].value_len);
				}
			break;
		case WIRE_CCTX_SECD:
			(void)wire_sd_decode(c->data, c->data_len, &sd, aces, 16);
			break;
		default:
			break;
		}
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct wire_create_req q;
	if (NT_OK(wire_create_req_decode(data, size, &q))) {
		check_slice(data, size, q.name, q.name_len);
		if (q.name_len & 1)
			abort();
		payloads(data, size, &q.ctx);
	}

	/* the input as a bare context area */
	struct wire_create_ctx_list l;
	if (NT_OK(wire_create_ctx_parse(data, size, &l)))
		payloads(data, size, &l);

	/* the response writer never writes past its capacity */
	if (size >= 2) {
		size_t cap = SMB2_HDR_LEN + ((size_t)data[0] << 8 | data[1]) % 512;
		uint8_t buf[SMB2_HDR_LEN + 512 + 16];
		memset(buf, 0xA5, sizeof(buf));
		struct wr w = wr_init(buf, cap);
		w.pos = SMB2_HDR_LEN;
		struct wire_create_rsp r = { .oplock_level = SMB2_OPLOCK_LEVEL_LEASE };
		struct wire_cctx_writer cw;
		wire_create_rsp_encode(&w, &r, &cw);
		struct wire_lease lease = { .v2 = size & 1 };
		wire_cctx_add_mxac(&w, &cw, STATUS_SUCCESS, 0x1F01FF);
		wire_cctx_add_lease(&w, &cw, &lease);
		wire_cctx_add(&w, &cw, data, size < 64 ? size : 64, data, size < 128 ? size : 128);
		wire_cctx_add_qfid(&w, &cw, 1, 2);
		if (w.pos > cap)
			abort();
		for (size_t i = cap; i < sizeof(buf); i++)
			if (buf[i] != 0xA5)
				abort();
		if (!w.bad) {
			struct wire_create_ctx_list back;
			if (!NT_OK(wire_create_ctx_parse(buf + cw.first, w.pos - cw.first, &back)) || back.n != cw.n)
				abort();
		}
	}
	return 0;
}
