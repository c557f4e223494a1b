/* NEGOTIATE over a real connection object ([MS-SMB2] 3.3.5.3.1, 3.3.5.4):
 * every dialect, dialect range limits, 3.1.1 contexts and cipher/signing
 * selection, the SMB1 upgrade path, malformed requests, framing limits and
 * credit-window violations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "harness.h"

#define NEG_RSP_DIALECT 64 + 4
#define NEG_RSP_SECMODE 64 + 2
#define NEG_RSP_CTXCOUNT 64 + 6
#define NEG_RSP_CAPS 64 + 24
#define NEG_RSP_MAXTRANS 64 + 28
#define NEG_RSP_MAXREAD 64 + 32
#define NEG_RSP_MAXWRITE 64 + 36
#define NEG_RSP_SECOFF 64 + 56
#define NEG_RSP_SECLEN 64 + 58
#define NEG_RSP_CTXOFF 64 + 60

static uint8_t *negotiate(struct harness *h, const uint16_t *d, int n, const uint16_t *ciphers, int nc,
			  const uint16_t *sign, int ns, size_t *len)
{
	uint8_t buf[1024];
	size_t l = harness_negotiate(buf, sizeof(buf), 0, d, n, ciphers, nc, sign, ns);
	assert_true(l > 0);
	harness_send(h, buf, l);
	return harness_recv(h, len, 2000);
}

/* Finds a negotiate context of `type` in a 3.1.1 response; returns its data offset or 0. */
static size_t find_ctx(const uint8_t *r, size_t len, uint16_t type)
{
	size_t off = rsp_u32(r, NEG_RSP_CTXOFF);
	unsigned count = rsp_u16(r, NEG_RSP_CTXCOUNT);
	for (unsigned i = 0; i < count; i++) {
		off = (off + 7) & ~(size_t)7;
		if (off + 8 > len)
			return 0;
		uint16_t t = rsp_u16(r, off), dl = rsp_u16(r, off + 2);
		if (t == type)
			return off + 8;
		off += 8 + dl;
	}
	return 0;
}

static void check_dialect(uint16_t dialect)
{
	struct harness *h = harness_new(NULL);
	uint16_t ciphers[] = { 2 };
	size_t len;
	uint8_t *r = negotiate(h, &dialect, 1, ciphers, 1, NULL, 0, &len);
	assert_non_null(r);
	assert_true(len >= 64 + 65 - 1);
	assert_int_equal(rsp_status(r), 0);
	assert_int_equal(rsp_u16(r, 12), 0);	   /* Command */
	assert_int_equal(rsp_u32(r, 16) & 1, 1);   /* SERVER_TO_REDIR */
	assert_true(rsp_u16(r, 14) >= 1);	   /* credits granted */
	assert_int_equal(rsp_u16(r, 64), 65);	   /* StructureSize */
	assert_int_equal(rsp_u16(r, NEG_RSP_DIALECT), dialect);
	assert_int_equal(rsp_u16(r, NEG_RSP_SECMODE) & 1, 1); /* signing enabled */
	uint32_t io = dialect == 0x0202 ? 65536 : 8 * 1024 * 1024;
	assert_int_equal(rsp_u32(r, NEG_RSP_MAXREAD), io);
	assert_int_equal(rsp_u32(r, NEG_RSP_MAXWRITE), io);
	assert_int_equal(rsp_u32(r, NEG_RSP_MAXTRANS), io);
	assert_int_equal(!!(rsp_u32(r, NEG_RSP_CAPS) & 4), dialect >= 0x0210); /* LARGE_MTU */
	/* SPNEGO NegTokenInit hint: GSS-API framing starts with 0x60 */
	uint16_t so = rsp_u16(r, NEG_RSP_SECOFF), sl = rsp_u16(r, NEG_RSP_SECLEN);
	assert_true(sl > 10);
	assert_int_equal(so, 128);
	assert_true(so + sl <= len);
	assert_int_equal(r[so], 0x60);
	if (dialect == 0x0311) {
		assert_int_equal(rsp_u16(r, NEG_RSP_CTXCOUNT), 2);
		size_t p = find_ctx(r, len, 1);
		assert_true(p > 0);
		assert_int_equal(rsp_u16(r, p), 1);	 /* one hash algorithm */
		assert_int_equal(rsp_u16(r, p + 2), 32); /* salt length */
		assert_int_equal(rsp_u16(r, p + 4), 1);	 /* SHA-512 */
		size_t e = find_ctx(r, len, 2);
		assert_true(e > 0);
		assert_int_equal(rsp_u16(r, e), 1);
		assert_int_equal(rsp_u16(r, e + 2), 2); /* AES-128-GCM */
	} else {
		assert_int_equal(rsp_u16(r, NEG_RSP_CTXCOUNT), 0);
	}
	free(r);
	harness_free(h);
}

static void test_dialect_202(void **state)
{
	check_dialect(0x0202);
}
static void test_dialect_210(void **state)
{
	check_dialect(0x0210);
}
static void test_dialect_300(void **state)
{
	check_dialect(0x0300);
}
static void test_dialect_302(void **state)
{
	check_dialect(0x0302);
}
static void test_dialect_311(void **state)
{
	check_dialect(0x0311);
}

static void test_highest_common(void **state)
{
	struct harness *h = harness_new(NULL);
	uint16_t d[] = { 0x0202, 0x0210, 0x0300, 0x0302, 0x0311 };
	size_t len;
	uint8_t *r = negotiate(h, d, 5, NULL, 0, NULL, 0, &len);
	assert_non_null(r);
	assert_int_equal(rsp_u16(r, NEG_RSP_DIALECT), 0x0311);
	free(r);
	harness_free(h);
}

static void test_max_protocol(void **state)
{
	struct harness *h = harness_new("[global]\nserver max protocol = SMB3_02\n[s]\npath=/tmp\n");
	uint16_t d[] = { 0x0202, 0x0210, 0x0300, 0x0302, 0x0311 };
	size_t len;
	uint8_t *r = negotiate(h, d, 5, NULL, 0, NULL, 0, &len);
	assert_non_null(r);
	assert_int_equal(rsp_u16(r, NEG_RSP_DIALECT), 0x0302);
	free(r);
	harness_free(h);
}

static void test_min_protocol_no_common(void **state)
{
	struct harness *h = harness_new("[global]\nserver min protocol = SMB3_00\n[s]\npath=/tmp\n");
	uint16_t d[] = { 0x0202, 0x0210 };
	size_t len;
	uint8_t *r = negotiate(h, d, 2, NULL, 0, NULL, 0, &len);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0xC00000BB); /* STATUS_NOT_SUPPORTED */
	assert_int_equal(rsp_u16(r, 64), 9);	     /* error body */
	free(r);
	harness_free(h);
}

static void test_signing_required_config(void **state)
{
	struct harness *h = harness_new("[global]\nserver signing = mandatory\n[s]\npath=/tmp\n");
	uint16_t d[] = { 0x0300 };
	size_t len;
	uint8_t *r = negotiate(h, d, 1, NULL, 0, NULL, 0, &len);
	assert_non_null(r);
	assert_int_equal(rsp_u16(r, NEG_RSP_SECMODE), 3);
	free(r);
	harness_free(h);
}

static void test_encryption_cap_30(void **state)
{
	struct harness *h = harness_new(NULL);
	uint16_t d[] = { 0x0300 };
	size_t len;
	uint8_t *r = negotiate(h, d, 1, NULL, 0, NULL, 0, &len); /* client caps include ENCRYPTION */
	assert_non_null(r);
	assert_int_equal(rsp_u32(r, NEG_RSP_CAPS) & 0x40, 0x40);
	free(r);
	harness_free(h);
	h = harness_new("[global]\nserver smb encrypt = off\n[s]\npath=/tmp\n");
	r = negotiate(h, d, 1, NULL, 0, NULL, 0, &len);
	assert_non_null(r);
	assert_int_equal(rsp_u32(r, NEG_RSP_CAPS) & 0x40, 0);
	free(r);
	harness_free(h);
}

static uint16_t chosen_cipher(const char *conf, const uint16_t *ciphers, int n)
{
	struct harness *h = harness_new(conf);
	uint16_t d = 0x0311;
	size_t len;
	uint8_t *r = negotiate(h, &d, 1, ciphers, n, NULL, 0, &len);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	size_t e = find_ctx(r, len, 2);
	assert_true(e > 0);
	uint16_t c = rsp_u16(r, e + 2);
	free(r);
	harness_free(h);
	return c;
}

static void test_cipher_selection(void **state)
{
	uint16_t a[] = { 1, 4 }; /* CCM-128, GCM-256 */
	assert_int_equal(chosen_cipher(NULL, a, 2), 4);
	uint16_t b[] = { 1 };
	assert_int_equal(chosen_cipher(NULL, b, 1), 1);
	uint16_t c[] = { 3, 1 }; /* CCM-256 first */
	assert_int_equal(chosen_cipher(NULL, c, 2), 3);
	uint16_t unknown[] = { 0x77 };
	assert_int_equal(chosen_cipher(NULL, unknown, 1), 0);
	uint16_t g[] = { 2 };
	assert_int_equal(chosen_cipher("[global]\nserver smb encrypt = off\n[s]\npath=/tmp\n", g, 1), 0);
}

static void test_signing_ctx(void **state)
{
	struct harness *h = harness_new(NULL);
	uint16_t d = 0x0311, s[] = { 0, 1, 2 };
	size_t len;
	uint8_t *r = negotiate(h, &d, 1, NULL, 0, s, 3, &len);
	assert_non_null(r);
	size_t p = find_ctx(r, len, 8);
	assert_true(p > 0);
	assert_int_equal(rsp_u16(r, p + 2), 2); /* AES-GMAC preferred */
	assert_int_equal(find_ctx(r, len, 2), 0); /* no encryption ctx unless asked */
	free(r);
	harness_free(h);
}

static uint32_t status_of(const uint8_t *msg, size_t len, bool *closed)
{
	struct harness *h = harness_new(NULL);
	harness_send(h, msg, len);
	size_t rl;
	uint8_t *r = harness_recv(h, &rl, 2000);
	uint32_t st = r ? rsp_status(r) : 0xFFFFFFFF;
	free(r);
	if (closed) {
		if (!h->closed) {
			uint8_t *more = harness_recv(h, &rl, 50);
			free(more);
		}
		*closed = h->closed;
	}
	harness_free(h);
	return st;
}

static void test_malformed(void **state)
{
	uint8_t buf[1024];
	uint16_t d[] = { 0x0311 };
	/* DialectCount 0 */
	size_t l = harness_negotiate(buf, sizeof(buf), 0, NULL, 0, NULL, 0, NULL, 0);
	assert_int_equal(status_of(buf, l, NULL), 0xC000000D);
	/* wrong StructureSize */
	l = harness_negotiate(buf, sizeof(buf), 0, d, 1, NULL, 0, NULL, 0);
	buf[64] = 35;
	assert_int_equal(status_of(buf, l, NULL), 0xC000000D);
	/* dialect array cut short: claims 3 dialects, carries 1 */
	uint16_t d2[] = { 0x0202 };
	l = harness_negotiate(buf, sizeof(buf), 0, d2, 1, NULL, 0, NULL, 0);
	buf[66] = 3;
	assert_int_equal(status_of(buf, l, NULL), 0xC000000D);
	/* 3.1.1 without any negotiate context */
	l = harness_negotiate(buf, sizeof(buf), 0, d, 1, NULL, 0, NULL, 0);
	buf[64 + 32] = 0; /* NegotiateContextCount = 0 */
	assert_int_equal(status_of(buf, l, NULL), 0xC000000D);
	/* 3.1.1 pre-auth context without SHA-512 */
	l = harness_negotiate(buf, sizeof(buf), 0, d, 1, NULL, 0, NULL, 0);
	size_t ctx = rsp_u32(buf, 64 + 28);
	buf[ctx + 12] = 0x02; /* hash algorithm 2: unknown */
	assert_int_equal(status_of(buf, l, NULL), 0xC05D0000);
	/* a context running past the end of the message */
	l = harness_negotiate(buf, sizeof(buf), 0, d, 1, NULL, 0, NULL, 0);
	buf[ctx + 2] = 0xFF;
	assert_int_equal(status_of(buf, l, NULL), 0xC000000D);
	/* context offset outside the message */
	l = harness_negotiate(buf, sizeof(buf), 0, d, 1, NULL, 0, NULL, 0);
	buf[64 + 28] = 0xF0;
	buf[64 + 29] = 0xFF;
	assert_int_equal(status_of(buf, l, NULL), 0xC000000D);
	/* body shorter than the fixed part */
	l = harness_negotiate(buf, sizeof(buf), 0, d2, 1, NULL, 0, NULL, 0);
	assert_int_equal(status_of(buf, 64 + 10, NULL), 0xC000000D);
}

static void test_second_negotiate_disconnects(void **state)
{
	struct harness *h = harness_new(NULL);
	uint16_t d[] = { 0x0302 };
	uint8_t buf[1024];
	size_t l = harness_negotiate(buf, sizeof(buf), 0, d, 1, NULL, 0, NULL, 0), len;
	harness_send(h, buf, l);
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	free(r);
	l = harness_negotiate(buf, sizeof(buf), 1, d, 1, NULL, 0, NULL, 0);
	harness_send(h, buf, l);
	r = harness_recv(h, &len, 500);
	assert_null(r);
	assert_true(h->closed);
	harness_free(h);
}

static void test_other_command_first_disconnects(void **state)
{
	uint8_t body[4] = { 4, 0, 0, 0 }, buf[128];
	size_t l = harness_req(buf, sizeof(buf), 0x0D /* ECHO */, 0, 1, 0, 0, body, 4);
	bool closed;
	assert_int_equal(status_of(buf, l, &closed), 0xFFFFFFFF);
	assert_true(closed);
}

static void test_bad_message_id_disconnects(void **state)
{
	uint8_t buf[1024];
	uint16_t d[] = { 0x0202 };
	size_t l = harness_negotiate(buf, sizeof(buf), 5 /* the window is [0,1) */, d, 1, NULL, 0, NULL, 0);
	bool closed;
	assert_int_equal(status_of(buf, l, &closed), 0xFFFFFFFF);
	assert_true(closed);
}

static void test_garbage_disconnects(void **state)
{
	struct harness *h = harness_new(NULL);
	harness_send(h, "this is not SMB at all", 22);
	size_t len;
	uint8_t *r = harness_recv(h, &len, 500);
	assert_null(r);
	assert_true(h->closed);
	harness_free(h);
	/* a length prefix beyond the pre-authentication cap */
	h = harness_new(NULL);
	uint8_t nb[4] = { 0, 0x7F, 0xFF, 0xFF };
	harness_send_raw(h, nb, 4);
	r = harness_recv(h, &len, 500);
	assert_null(r);
	assert_true(h->closed);
	harness_free(h);
	/* a NetBIOS session request (type 0x81) */
	h = harness_new(NULL);
	uint8_t ns[8] = { 0x81, 0, 0, 4, 1, 2, 3, 4 };
	harness_send_raw(h, ns, 8);
	r = harness_recv(h, &len, 500);
	assert_null(r);
	assert_true(h->closed);
	harness_free(h);
}

/* SMB1 NEGOTIATE with the given dialect strings. */
static size_t smb1_negotiate(uint8_t *buf, const char *const *dialects, int n)
{
	size_t p = 0;
	memset(buf, 0, 35);
	buf[0] = 0xFF;
	buf[1] = 'S';
	buf[2] = 'M';
	buf[3] = 'B';
	buf[4] = 0x72;
	p = 32;
	buf[p++] = 0; /* WordCount */
	size_t bcc_at = p;
	p += 2;
	size_t start = p;
	for (int i = 0; i < n; i++) {
		buf[p++] = 0x02;
		size_t sl = strlen(dialects[i]) + 1;
		memcpy(buf + p, dialects[i], sl);
		p += sl;
	}
	buf[bcc_at] = (uint8_t)(p - start);
	buf[bcc_at + 1] = (uint8_t)((p - start) >> 8);
	return p;
}

static void test_smb1_upgrade_wildcard(void **state)
{
	struct harness *h = harness_new(NULL);
	uint8_t buf[1024];
	const char *const ds[] = { "NT LM 0.12", "SMB 2.002", "SMB 2.???" };
	size_t l = smb1_negotiate(buf, ds, 3), len;
	harness_send(h, buf, l);
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_u32(r, 0), 0x424D53FE); /* answered in SMB2 */
	assert_int_equal(rsp_status(r), 0);
	assert_int_equal(rsp_u64(r, 24), 0); /* MessageId 0 */
	assert_int_equal(rsp_u16(r, NEG_RSP_DIALECT), 0x02FF);
	free(r);
	/* the client follows with an SMB2 NEGOTIATE using message id 1 */
	uint16_t d[] = { 0x0202, 0x0210, 0x0300, 0x0302, 0x0311 };
	l = harness_negotiate(buf, sizeof(buf), 1, d, 5, NULL, 0, NULL, 0);
	harness_send(h, buf, l);
	r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	assert_int_equal(rsp_u64(r, 24), 1);
	assert_int_equal(rsp_u16(r, NEG_RSP_DIALECT), 0x0311);
	free(r);
	harness_free(h);
}

static void test_smb1_upgrade_202(void **state)
{
	struct harness *h = harness_new(NULL);
	uint8_t buf[256];
	const char *const ds[] = { "NT LM 0.12", "SMB 2.002" };
	size_t l = smb1_negotiate(buf, ds, 2), len;
	harness_send(h, buf, l);
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_u16(r, NEG_RSP_DIALECT), 0x0202);
	free(r);
	/* 2.0.2 is final: another NEGOTIATE ends the connection */
	uint16_t d[] = { 0x0202 };
	l = harness_negotiate(buf, sizeof(buf), 1, d, 1, NULL, 0, NULL, 0);
	harness_send(h, buf, l);
	r = harness_recv(h, &len, 300);
	assert_null(r);
	assert_true(h->closed);
	harness_free(h);
}

static void test_smb1_only_refused(void **state)
{
	uint8_t buf[256];
	const char *const ds[] = { "NT LM 0.12", "LANMAN2.1" };
	size_t l = smb1_negotiate(buf, ds, 2);
	bool closed;
	assert_int_equal(status_of(buf, l, &closed), 0xFFFFFFFF);
	assert_true(closed);
	/* truncated SMB1 */
	assert_int_equal(status_of(buf, 20, &closed), 0xFFFFFFFF);
	assert_true(closed);
}

static void test_credits_granted(void **state)
{
	struct harness *h = harness_new(NULL);
	uint8_t buf[1024];
	uint16_t d[] = { 0x0210 };
	size_t l = harness_negotiate(buf, sizeof(buf), 0, d, 1, NULL, 0, NULL, 0), len;
	buf[14] = 10; /* CreditRequest */
	harness_send(h, buf, l);
	uint8_t *r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_u16(r, 14), 10);
	free(r);
	/* ECHO needs no session; ids 1..10 are now valid, 11 is not */
	uint8_t body[4] = { 4, 0, 0, 0 };
	l = harness_req(buf, sizeof(buf), 0x0D, 10, 1, 0, 0, body, 4);
	harness_send(h, buf, l);
	r = harness_recv(h, &len, 2000);
	assert_non_null(r);
	assert_int_equal(rsp_status(r), 0);
	assert_int_equal(rsp_u16(r, 64), 4);
	free(r);
	/* reusing id 10 is a protocol violation */
	harness_send(h, buf, l);
	r = harness_recv(h, &len, 300);
	assert_null(r);
	assert_true(h->closed);
	harness_free(h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dialect_202),
		cmocka_unit_test(test_dialect_210),
		cmocka_unit_test(test_dialect_300),
		cmocka_unit_test(test_dialect_302),
		cmocka_unit_test(test_dialect_311),
		cmocka_unit_test(test_highest_common),
		cmocka_unit_test(test_max_protocol),
		cmocka_unit_test(test_min_protocol_no_common),
		cmocka_unit_test(test_signing_required_config),
		cmocka_unit_test(test_encryption_cap_30),
		cmocka_unit_test(test_cipher_selection),
		cmocka_unit_test(test_signing_ctx),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_second_negotiate_disconnects),
		cmocka_unit_test(test_other_command_first_disconnects),
		cmocka_unit_test(test_bad_message_id_disconnects),
		cmocka_unit_test(test_garbage_disconnects),
		cmocka_unit_test(test_smb1_upgrade_wildcard),
		cmocka_unit_test(test_smb1_upgrade_202),
		cmocka_unit_test(test_smb1_only_refused),
		cmocka_unit_test(test_credits_granted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
