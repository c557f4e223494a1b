/* libFuzzer target for the other file-command request decoders: READ, WRITE,
 * CLOSE, FLUSH, LOCK, QUERY_DIRECTORY, CHANGE_NOTIFY, QUERY_INFO, SET_INFO,
 * OPLOCK_BREAK acknowledgments and IOCTL. The input is one message tried
 * against every decoder (with its StructureSize forced to each command's, so
 * the deeper checks are reached); every slice must stay inside the input. */
#include "fuzz_util.h"
#include "wire/file.h"
#include "wire/session.h"

#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void all_decoders(const uint8_t *m, size_t n)
{
	struct wire_read_req rd;
	if (NT_OK(wire_read_req_decode(m, n, &rd)))
		check_slice(m, n, rd.channel_info, rd.channel_info_len);
	struct wire_write_req wr;
	if (NT_OK(wire_write_req_decode(m, n, &wr))) {
		check_slice(m, n, wr.data, wr.data_len);
		check_slice(m, n, wr.channel_info, wr.channel_info_len);
	}
	struct wire_close_req cl;
	(void)wire_close_req_decode(m, n, &cl);
	struct wire_flush_req fl;
	(void)wire_flush_req_decode(m, n, &fl);
	struct wire_lock_req lk;
	if (NT_OK(wire_lock_req_decode(m, n, &lk))) {
		if (lk.lock_count == 0)
			abort();
		check_slice(m, n, lk.locks, (size_t)lk.lock_count * 24);
		for (unsigned i = 0; i <= lk.lock_count; i++)
			(void)wire_lock_req_element(&lk, i);
	}
	struct wire_query_directory_req qd;
	if (NT_OK(wire_query_directory_req_decode(m, n, &qd))) {
		check_slice(m, n, qd.pattern, qd.pattern_len);
		if (qd.pattern_len & 1)
			abort();
	}
	struct wire_change_notify_req cn;
	(void)wire_change_notify_req_decode(m, n, &cn);
	struct wire_query_info_req qi;
	if (NT_OK(wire_query_info_req_decode(m, n, &qi)))
		check_slice(m, n, qi.input, qi.input_len);
	struct wire_set_info_req si;
	if (NT_OK(wire_set_info_req_decode(m, n, &si)))
		check_slice(m, n, si.buf, si.buf_len);
	bool is_lease;
	struct wire_oplock_break ob;
	struct wire_lease_break_ack lb;
	(void)wire_oplock_break_ack_decode(m, n, &is_lease, &ob, &lb);
	struct ioctl_req io;
	if (NT_OK(wire_ioctl_req_decode(m, n, &io)))
		check_slice(m, n, io.in, io.in_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint16_t ssizes[] = { 49, 24, 48, 33, 32, 41, 36, 57 };
	all_decoders(data, size);
	if (size < SMB2_HDR_LEN + 2 || size > 1 << 20)
		return 0;
	uint8_t *m = malloc(size);
	if (!m)
		return 0;
	for (size_t i = 0; i < sizeof(ssizes) / sizeof(ssizes[0]); i++) {
		memcpy(m, data, size);
		wr_le16_at(m + SMB2_HDR_LEN, ssizes[i]);
		all_decoders(m, size);
	}
	free(m);
	return 0;
}
