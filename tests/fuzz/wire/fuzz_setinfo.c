/* libFuzzer target for SET_INFO buffers and other variable information:
 * basic, rename/link, disposition(+ex), position/EOF/allocation/valid data
 * length, mode, short name, FILE_FULL_EA / FILE_GET_EA chains and security
 * descriptors (decoded, re-encoded, decoded again to the same bytes); then
 * the chained encoders (directory entries, EAs, streams, notifications)
 * under a capacity from the input, which they must never exceed. */
#include "fuzz_util.h"
#include "wire/fileinfo.h"
#include "wire/security.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void decoders(const uint8_t *data, size_t size)
{
	struct wire_basic_info b;
	(void)wire_basic_info_decode(data, size, &b);
	struct wire_rename_info r;
	if (NT_OK(wire_rename_info_decode(data, size, &r))) {
		check_slice(data, size, r.name, r.name_len);
		if (r.name_len == 0 || (r.name_len & 1))
			abort();
	}
	bool del;
	(void)wire_disposition_info_decode(data, size, &del);
	uint32_t v32;
	(void)wire_disposition_ex_info_decode(data, size, &v32);
	(void)wire_mode_info_decode(data, size, &v32);
	uint64_t v64;
	(void)wire_u64_info_decode(data, size, &v64);
	const uint8_t *sn;
	size_t snl;
	if (NT_OK(wire_short_name_info_decode(data, size, &sn, &snl)))
		check_slice(data, size, sn, snl);

	struct wire_ea eas[16];
	size_t n;
	if (NT_OK(wire_full_ea_decode(data, size, eas, 16, &n))) {
		for (size_t k = 0; k < n && k < 16; k++) {
			check_slice(data, size, eas[k].name, eas[k].name_len);
			check_slice(data, size, eas[k].value, eas[k].value_len);
			if (memchr(eas[k].name, 0, eas[k].name_len))
				abort();
		}
		/* re-encode what fit and decode it again */
		static uint8_t out[1 << 17];
		struct wr w = wr_init(out, sizeof(out));
		size_t last = WIRE_CHAIN_NONE;
		size_t m = n < 16 ? n : 16;
		for (size_t k = 0; k < m; k++)
			if (!wire_full_ea_append(&w, &last, &eas[k]))
				abort();
		size_t n2;
		if (m && (!NT_OK(wire_full_ea_decode(out, w.pos, NULL, 0, &n2)) || n2 != m))
			abort();
	}
	if (NT_OK(wire_get_ea_decode(data, size, eas, 16, &n)))
		for (size_t k = 0; k < n && k < 16; k++)
			check_slice(data, size, eas[k].name, eas[k].name_len);

	struct wire_ace aces[64];
	struct wire_sd sd;
	if (NT_OK(wire_sd_decode(data, size, &sd, aces, 64))) {
		uint32_t all = OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION | DACL_SECURITY_INFORMATION |
			       SACL_SECURITY_INFORMATION;
		size_t need = wire_sd_size(&sd, all);
		static uint8_t out1[1 << 17], out2[1 << 17];
		struct wr w = wr_init(out1, sizeof(out1));
		wire_sd_encode(&w, &sd, all);
		if (need == 0) {
			if (!w.bad)
				abort();
			return;
		}
		if (w.bad || w.pos != need)
			abort();
		struct wire_ace aces2[64];
		struct wire_sd sd2;
		if (!NT_OK(wire_sd_decode(out1, w.pos, &sd2, aces2, 64)))
			abort();
		struct wr w2 = wr_init(out2, sizeof(out2));
		wire_sd_encode(&w2, &sd2, all);
		if (w2.bad || w2.pos != w.pos || memcmp(out1, out2, w.pos) != 0)
			abort();
	}
}

static void encoders(const uint8_t *data, size_t size)
{
	if (size < 4)
		return;
	size_t cap = ((size_t)data[0] << 8 | data[1]) % 2048;
	uint8_t info_class = data[2];
	const uint8_t *name = data + 4;
	size_t name_len = (size - 4) & ~(size_t)1;
	if (name_len > 600)
		name_len = 600;
	static uint8_t buf[4096];
	memset(buf, 0xA5, sizeof(buf));
	struct wr w = wr_init(buf, cap);
	size_t last = WIRE_CHAIN_NONE;
	struct wire_dirent e = { .name = name, .name_len = name_len, .short_name = name,
				 .short_name_len = name_len < 30 ? name_len : 30, .attributes = data[3] };
	struct wire_stream_entry s = { .name = name, .name_len = name_len, .size = 1, .alloc = 2 };
	struct wire_ea ea = { .name = name, .name_len = (uint8_t)(name_len > 255 ? 255 : name_len),
			      .value = name, .value_len = (uint16_t)name_len };
	for (int i = 0; i < 8; i++) {
		size_t pos = w.pos;
		bool ok;
		switch ((data[3] + i) & 3) {
		case 0:
			ok = wire_dirent_append(&w, &last, info_class, &e);
			if (ok && w.pos - pos < wire_dirent_size(info_class, name_len))
				abort();
			break;
		case 1:
			ok = wire_stream_append(&w, &last, &s);
			break;
		case 2:
			ok = wire_full_ea_append(&w, &last, &ea);
			break;
		default:
			ok = wire_notify_append(&w, &last, 1, name, name_len);
			break;
		}
		if (!ok && w.pos != pos)
			abort();
		if (w.bad || w.pos > cap)
			abort();
	}
	for (size_t i = cap; i < sizeof(buf); i++)
		if (buf[i] != 0xA5)
			abort();

	/* query classes under a limit from the input */
	struct wire_file_info fi = { .name_utf16 = name, .name_len = name_len, .short_name = name,
				     .short_name_len = name_len };
	struct wire_fs_info fs = { .label = name, .label_len = name_len, .fs_name = name, .fs_name_len = name_len };
	size_t written, needed;
	w = wr_init(buf, sizeof(buf));
	NTSTATUS st = wire_file_info_encode(&w, info_class, &fi, cap, &written, &needed);
	if (written > cap || w.pos != written || (NT_OK(st) && written != needed) || w.bad)
		abort();
	w = wr_init(buf, sizeof(buf));
	st = wire_fs_info_encode(&w, info_class, &fs, cap, &written, &needed);
	if (written > cap || w.pos != written || (NT_OK(st) && written != needed) || w.bad)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	decoders(data, size);
	encoders(data, size);
	return 0;
}
