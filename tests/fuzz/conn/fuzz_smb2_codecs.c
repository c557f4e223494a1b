/* libFuzzer target for the session-level SMB2 decoders in wire/: header,
 * NEGOTIATE (with 3.1.1 contexts), SMB1 NEGOTIATE, SESSION_SETUP,
 * TREE_CONNECT, IOCTL, VALIDATE_NEGOTIATE_INFO and the simple bodies. The
 * first byte picks the decoder; the rest is the message. */
#include <stdint.h>
#include <string.h>

#include "wire/negotiate.h"
#include "wire/session.h"
#include "wire/smb2.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	uint8_t which = data[0];
	const uint8_t *m = data + 1;
	size_t n = size - 1;
	struct smb2_hdr h;
	(void)wire_hdr_decode(m, n, &h);
	switch (which % 8) {
	case 0: {
		struct neg_req q;
		if (NT_OK(wire_neg_req_decode(m, n, &q))) {
			volatile uint32_t sum = 0;
			(void)sum;
			for (unsigned i = 0; i < q.dialect_count; i++)
				sum = sum + neg_req_dialect(&q, i);
		}
		break;
	}
	case 1: {
		struct smb1_neg s;
		(void)wire_smb1_neg_decode(m, n, &s);
		break;
	}
	case 2: {
		struct sess_setup_req q;
		if (NT_OK(wire_sess_setup_req_decode(m, n, &q)) && q.sec_len) {
			volatile uint8_t x = q.sec[q.sec_len - 1];
			(void)x;
		}
		break;
	}
	case 3: {
		struct tree_connect_req q;
		if (NT_OK(wire_tree_connect_req_decode(m, n, &q)) && q.path_len) {
			volatile uint8_t x = q.path[q.path_len - 1];
			(void)x;
		}
		break;
	}
	case 4: {
		struct ioctl_req q;
		if (NT_OK(wire_ioctl_req_decode(m, n, &q)) && q.in_len) {
			struct validate_neg_req v;
			if (wire_validate_neg_decode(q.in, q.in_len, &v) && v.dialect_count) {
				volatile uint8_t x = v.dialects[2 * v.dialect_count - 1];
				(void)x;
			}
		}
		break;
	}
	case 5: {
		struct validate_neg_req v;
		(void)wire_validate_neg_decode(m, n, &v);
		break;
	}
	default:
		(void)wire_simple_req_decode(m, n);
		break;
	}
	return 0;
}
