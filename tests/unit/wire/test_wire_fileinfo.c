/* Information class codecs (wire/fileinfo.h): golden encodings from impacket,
 * the BUFFER_OVERFLOW / INFO_LENGTH_MISMATCH rules, directory entries that
 * stop exactly at the buffer limit and parse back, EA chains both ways, the
 * SET_INFO decoders, file-system classes, streams and notifications. */
#include "wire_test.h"

#include "golden_file.h"
#include "wire/fileinfo.h"

static struct wire_file_info sample_info(uint8_t *name_buf)
{
	struct wire_file_info fi = {
		.creation_time = 0x01D9000000000001ULL,
		.last_access_time = 0x01D9000000000002ULL,
		.last_write_time = 0x01D9000000000003ULL,
		.change_time = 0x01D9000000000004ULL,
		.allocation_size = 4096,
		.end_of_file = 1234,
		.attributes = 0x20,
		.nlink = 1,
		.index_number = 0x0000000100000042ULL,
		.access_flags = 0x001F01FF,
	};
	fi.name_utf16 = name_buf;
	fi.name_len = u16le("\\dir\\file.txt", name_buf);
	return fi;
}

static void test_all_info_golden(void **state)
{
	uint8_t name[64], buf[256];
	struct wire_file_info fi = sample_info(name);
	struct wr w = wr_init(buf, sizeof(buf));
	size_t written, needed;
	assert_ok(wire_file_info_encode(&w, FileAllInformation, &fi, 4096, &written, &needed));
	assert_int_equal(written, sizeof(golden_all_info));
	assert_int_equal(needed, written);
	assert_int_equal(w.pos, written);
	assert_memory_equal(buf, golden_all_info, sizeof(golden_all_info));
}

static void test_all_info_overflow(void **state)
{
	uint8_t name[64], buf[256];
	struct wire_file_info fi = sample_info(name); /* name: 26 bytes, whole: 126 */
	size_t written, needed;
	struct wr w;

	assert_int_equal(wire_file_info_min_size(FileAllInformation), 104);
	/* exactly enough */
	w = wr_init(buf, sizeof(buf));
	assert_ok(wire_file_info_encode(&w, FileAllInformation, &fi, 126, &written, &needed));
	assert_int_equal(written, 126);
	/* one byte short: the name is cut to an even length */
	w = wr_init(buf, sizeof(buf));
	assert_status(wire_file_info_encode(&w, FileAllInformation, &fi, 125, &written, &needed),
		      STATUS_BUFFER_OVERFLOW);
	assert_int_equal(written, 124);
	assert_int_equal(needed, 126);
	assert_int_equal(w.pos, 124);
	assert_int_equal(get32(buf, 96), 26); /* FileNameLength: the whole name */
	assert_memory_equal(buf + 100, name, 24);
	/* the minimum: fixed part + 4 bytes of name */
	w = wr_init(buf, sizeof(buf));
	assert_status(wire_file_info_encode(&w, FileAllInformation, &fi, 104, &written, &needed),
		      STATUS_BUFFER_OVERFLOW);
	assert_int_equal(written, 104);
	assert_memory_equal(buf, golden_all_info, 104);
	w = wr_init(buf, sizeof(buf));
	assert_status(wire_file_info_encode(&w, FileAllInformation, &fi, 105, &written, &needed),
		      STATUS_BUFFER_OVERFLOW);
	assert_int_equal(written, 104);
	/* below the minimum: nothing written */
	w = wr_init(buf, sizeof(buf));
	assert_status(wire_file_info_encode(&w, FileAllInformation, &fi, 103, &written, &needed),
		      STATUS_INFO_LENGTH_MISMATCH);
	assert_int_equal(written, 0);
	assert_int_equal(w.pos, 0);
	assert_false(w.bad);
	/* the writer's room caps too */
	w = wr_init(buf, 110);
	assert_status(wire_file_info_encode(&w, FileAllInformation, &fi, 4096, &written, &needed),
		      STATUS_BUFFER_OVERFLOW);
	assert_int_equal(written, 110);
	assert_false(w.bad);

	/* FileNameInformation: minimum 8, same truncation */
	assert_int_equal(wire_file_info_min_size(FileNameInformation), 8);
	w = wr_init(buf, sizeof(buf));
	assert_status(wire_file_info_encode(&w, FileNameInformation, &fi, 7, &written, &needed),
		      STATUS_INFO_LENGTH_MISMATCH);
	assert_status(wire_file_info_encode(&w, FileNameInformation, &fi, 8, &written, &needed),
		      STATUS_BUFFER_OVERFLOW);
	assert_int_equal(written, 8);
	assert_int_equal(needed, 30);
	assert_int_equal(get32(buf, 0), 26);
	w = wr_init(buf, sizeof(buf));
	assert_ok(wire_file_info_encode(&w, FileNormalizedNameInformation, &fi, 30, &written, &needed));
	assert_int_equal(written, 30);
	assert_memory_equal(buf + 4, name, 26);
}

static void test_fixed_classes(void **state)
{
	uint8_t name[64], short_name[32], buf[256];
	struct wire_file_info fi = sample_info(name);
	fi.delete_pending = true;
	fi.directory = true;
	fi.nlink = 3;
	fi.ea_size = 0x44;
	fi.current_byte_offset = 0x55;
	fi.mode = 0x66;
	fi.alignment_requirement = 0x77;
	fi.reparse_tag = 0xA000000C;
	fi.volume_serial = 0xDEADBEEF;
	fi.index_number_hi = 0x99;
	fi.compressed_size = 0x88;
	fi.compression_format = 2;
	fi.compression_unit_shift = 16;
	fi.chunk_shift = 12;
	fi.cluster_shift = 9;
	fi.short_name = short_name;
	fi.short_name_len = u16le("FILE~1.TXT", short_name);
	static const struct {
		uint8_t cls;
		size_t size;
	} t[] = {
		{ FileBasicInformation, 40 },	   { FileStandardInformation, 24 },	{ FileInternalInformation, 8 },
		{ FileEaInformation, 4 },	   { FileAccessInformation, 4 },	{ FilePositionInformation, 8 },
		{ FileModeInformation, 4 },	   { FileAlignmentInformation, 4 },	{ FileCompressionInformation, 16 },
		{ FileNetworkOpenInformation, 56 }, { FileAttributeTagInformation, 8 }, { FileIdInformation, 24 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		size_t written, needed;
		memset(buf, 0xEE, sizeof(buf));
		struct wr w = wr_init(buf, sizeof(buf));
		assert_int_equal(wire_file_info_min_size(t[i].cls), t[i].size);
		assert_ok(wire_file_info_encode(&w, t[i].cls, &fi, 4096, &written, &needed));
		assert_int_equal(written, t[i].size);
		assert_int_equal(needed, t[i].size);
		assert_int_equal(buf[t[i].size], 0xEE);
		w = wr_init(buf, sizeof(buf));
		assert_status(wire_file_info_encode(&w, t[i].cls, &fi, t[i].size - 1, &written, &needed),
			      STATUS_INFO_LENGTH_MISMATCH);
		assert_int_equal(w.pos, 0);
		w = wr_init(buf, sizeof(buf));
		assert_ok(wire_file_info_encode(&w, t[i].cls, &fi, t[i].size, &written, &needed));
		switch (t[i].cls) {
		case FileBasicInformation:
			assert_int_equal(get64(buf, 24), fi.change_time);
			assert_int_equal(get32(buf, 32), 0x20);
			break;
		case FileStandardInformation:
			assert_int_equal(get64(buf, 0), 4096);
			assert_int_equal(get64(buf, 8), 1234);
			assert_int_equal(get32(buf, 16), 3);
			assert_int_equal(buf[20], 1);
			assert_int_equal(buf[21], 1);
			break;
		case FileInternalInformation:
			assert_int_equal(get64(buf, 0), fi.index_number);
			break;
		case FileEaInformation:
			assert_int_equal(get32(buf, 0), 0x44);
			break;
		case FilePositionInformation:
			assert_int_equal(get64(buf, 0), 0x55);
			break;
		case FileModeInformation:
			assert_int_equal(get32(buf, 0), 0x66);
			break;
		case FileAlignmentInformation:
			assert_int_equal(get32(buf, 0), 0x77);
			break;
		case FileCompressionInformation:
			assert_int_equal(get64(buf, 0), 0x88);
			assert_int_equal(get16(buf, 8), 2);
			assert_int_equal(buf[10], 16);
			assert_int_equal(buf[11], 12);
			assert_int_equal(buf[12], 9);
			break;
		case FileNetworkOpenInformation:
			assert_int_equal(get64(buf, 0), fi.creation_time);
			assert_int_equal(get64(buf, 32), 4096);
			assert_int_equal(get64(buf, 40), 1234);
			assert_int_equal(get32(buf, 48), 0x20);
			break;
		case FileAttributeTagInformation:
			assert_int_equal(get32(buf, 0), 0x20);
			assert_int_equal(get32(buf, 4), 0xA000000C);
			break;
		case FileIdInformation:
			assert_int_equal(get64(buf, 0), 0xDEADBEEF);
			assert_int_equal(get64(buf, 8), fi.index_number);
			assert_int_equal(get64(buf, 16), 0x99);
			break;
		}
	}
	size_t written, needed;
	struct wr w = wr_init(buf, sizeof(buf));
	assert_ok(wire_file_info_encode(&w, FileAlternateNameInformation, &fi, 100, &written, &needed));
	assert_int_equal(written, 4 + 20);
	assert_int_equal(get32(buf, 0), 20);
	assert_memory_equal(buf + 4, short_name, 20);
	assert_status(wire_file_info_encode(&w, 99, &fi, 100, &written, &needed), STATUS_INVALID_INFO_CLASS);
	assert_status(wire_file_info_encode(&w, FileStreamInformation, &fi, 100, &written, &needed),
		      STATUS_INVALID_INFO_CLASS);
	assert_int_equal(wire_file_info_min_size(FileStreamInformation), 32);
	assert_int_equal(wire_file_info_min_size(FileFullEaInformation), 12);
	assert_int_equal(wire_file_info_min_size(200), 0);
}

static struct wire_dirent dirent_of(const char *name, const char *short_name, uint8_t *nbuf, uint8_t *sbuf)
{
	struct wire_dirent e = { 0 };
	e.name = nbuf;
	e.name_len = u16le(name, nbuf);
	e.short_name = sbuf;
	e.short_name_len = u16le(short_name, sbuf);
	return e;
}

static void test_dirent_golden(void **state)
{
	uint8_t buf[512], n1[64], n2[64], s1[32], s2[32];
	struct wire_dirent e[2];
	e[0] = dirent_of("a.txt", "", n1, s1);
	e[1] = dirent_of("LongFileName.docx", "LONGFI~1.DOC", n2, s2);
	static const uint32_t attrs[] = { 0x20, 0x21 };
	static const uint64_t eof[] = { 5, 70000 }, alloc[] = { 8, 73728 }, fid[] = { 0x42, 0x43 };
	for (int k = 0; k < 2; k++) {
		e[k].creation_time = 0x01D9000000000001ULL + (uint64_t)k;
		e[k].last_access_time = 0x01D9000000000002ULL + (uint64_t)k;
		e[k].last_write_time = 0x01D9000000000003ULL + (uint64_t)k;
		e[k].change_time = 0x01D9000000000004ULL + (uint64_t)k;
		e[k].end_of_file = eof[k];
		e[k].allocation_size = alloc[k];
		e[k].attributes = attrs[k];
		e[k].file_id = fid[k];
	}
	struct wr w = wr_init(buf, sizeof(buf));
	size_t last = WIRE_CHAIN_NONE;
	assert_true(wire_dirent_append(&w, &last, FileIdBothDirectoryInformation, &e[0]));
	assert_int_equal(last, 0);
	assert_true(wire_dirent_append(&w, &last, FileIdBothDirectoryInformation, &e[1]));
	assert_int_equal(last, 120);
	assert_int_equal(w.pos, sizeof(golden_id_both_dir));
	assert_memory_equal(buf, golden_id_both_dir, sizeof(golden_id_both_dir));
}

static void test_dirent_classes(void **state)
{
	static const struct {
		uint8_t cls;
		size_t fixed;
		size_t name_len_at;
	} t[] = {
		{ FileDirectoryInformation, 64, 60 },	    { FileFullDirectoryInformation, 68, 60 },
		{ FileBothDirectoryInformation, 94, 60 },   { FileNamesInformation, 12, 8 },
		{ FileIdBothDirectoryInformation, 104, 60 }, { FileIdFullDirectoryInformation, 80, 60 },
		{ FileIdExtdDirectoryInformation, 88, 60 },
	};
	uint8_t buf[512], nb[64], sb[64];
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		struct wire_dirent e = dirent_of("name.ext", "VERYLONGSHORTNAME.EXT", nb, sb);
		e.attributes = 0x400; /* reparse point: EaSize carries the tag */
		e.ea_size = 0x1111;
		e.reparse_tag = 0xA000000C;
		e.file_id = 0x1234;
		e.file_id_hi = 0x5678;
		e.file_index = 9;
		assert_int_equal(wire_dirent_size(t[i].cls, 0), t[i].fixed);
		assert_int_equal(wire_dirent_size(t[i].cls, 16), t[i].fixed + 16);
		memset(buf, 0xEE, sizeof(buf));
		struct wr w = wr_init(buf, sizeof(buf));
		size_t last = WIRE_CHAIN_NONE;
		assert_true(wire_dirent_append(&w, &last, t[i].cls, &e));
		assert_int_equal(w.pos, t[i].fixed + e.name_len);
		assert_int_equal(buf[w.pos], 0xEE);
		assert_int_equal(get32(buf, 0), 0);
		assert_int_equal(get32(buf, 4), 9);
		assert_int_equal(get32(buf, t[i].name_len_at), e.name_len);
		assert_memory_equal(buf + t[i].fixed, nb, e.name_len);
		switch (t[i].cls) {
		case FileFullDirectoryInformation:
			assert_int_equal(get32(buf, 64), 0xA000000C);
			break;
		case FileBothDirectoryInformation:
			assert_int_equal(get32(buf, 64), 0xA000000C);
			assert_int_equal(buf[68], 24); /* a short name longer than 24 bytes is cut */
			assert_memory_equal(buf + 70, sb, 24);
			break;
		case FileIdBothDirectoryInformation:
			assert_int_equal(buf[68], 24);
			assert_int_equal(get16(buf, 94), 0);
			assert_int_equal(get64(buf, 96), 0x1234);
			break;
		case FileIdFullDirectoryInformation:
			assert_int_equal(get32(buf, 64), 0xA000000C);
			assert_int_equal(get64(buf, 72), 0x1234);
			break;
		case FileIdExtdDirectoryInformation:
			assert_int_equal(get32(buf, 64), 0x1111); /* EaSize proper */
			assert_int_equal(get32(buf, 68), 0xA000000C);
			assert_int_equal(get64(buf, 72), 0x1234);
			assert_int_equal(get64(buf, 80), 0x5678);
			break;
		}
	}
	assert_int_equal(wire_dirent_size(FileBasicInformation, 2), 0);
	struct wire_dirent e = dirent_of("x", "", nb, sb);
	struct wr w = wr_init(buf, sizeof(buf));
	size_t last = WIRE_CHAIN_NONE;
	assert_false(wire_dirent_append(&w, &last, FileStandardInformation, &e));
	assert_int_equal(w.pos, 0);
}

static void test_dirent_limit(void **state)
{
	/* FileDirectoryInformation with 10-byte names: 74 bytes, 80 when padded. */
	enum { ENTRY = 74, STRIDE = 80, K = 5 };
	uint8_t buf[1024], nb[64], sb[8];
	for (int shrink = 0; shrink <= 1; shrink++) {
		size_t limit = STRIDE * K + ENTRY - (size_t)shrink; /* K+1 entries fit exactly, or K */
		memset(buf, 0xEE, sizeof(buf));
		/* the output starts at header offset 72, as in a real response */
		struct wr w = wr_init(buf, sizeof(buf));
		w.pos = 72;
		size_t old_cap = wire_wr_limit(&w, limit);
		assert_int_equal(w.cap, 72 + limit);
		size_t last = WIRE_CHAIN_NONE;
		int n = 0;
		for (;; n++) {
			char name[16];
			snprintf(name, sizeof(name), "f%04d", n);
			struct wire_dirent e = dirent_of(name, "", nb, sb);
			e.end_of_file = (uint64_t)n;
			size_t pos = w.pos, prev = last;
			if (!wire_dirent_append(&w, &last, FileDirectoryInformation, &e)) {
				assert_int_equal(w.pos, pos); /* unchanged */
				assert_int_equal(last, prev);
				assert_false(w.bad);
				break;
			}
		}
		assert_int_equal(n, shrink ? K : K + 1);
		assert_int_equal(w.pos - 72, shrink ? STRIDE * (K - 1) + ENTRY : STRIDE * K + ENTRY);
		assert_true(w.pos <= 72 + limit);
		assert_int_equal(buf[w.pos], 0xEE); /* nothing written past the last entry */
		w.cap = old_cap;

		/* parse the chain back */
		size_t off = 72;
		int seen = 0;
		for (;;) {
			uint32_t next = get32(buf, off);
			assert_int_equal(get64(buf, off + 40), (uint64_t)seen); /* EndOfFile */
			assert_int_equal(get32(buf, off + 60), 10);
			char want[16];
			uint8_t wn[32];
			snprintf(want, sizeof(want), "f%04d", seen);
			u16le(want, wn);
			assert_memory_equal(buf + off + 64, wn, 10);
			seen++;
			if (next == 0)
				break;
			assert_int_equal(next, STRIDE);
			off += next;
			assert_true(off + ENTRY <= w.pos);
		}
		assert_int_equal(seen, n);
		assert_int_equal(off, last);
	}
}

static void test_full_ea(void **state)
{
	uint8_t buf[256];
	struct wire_ea eas[3] = {
		{ 0, (const uint8_t *)"user.a", 6, (const uint8_t *)"1", 1 },
		{ FILE_NEED_EA, (const uint8_t *)"B", 1, (const uint8_t *)"xyz", 3 },
	};
	struct wr w = wr_init(buf, sizeof(buf));
	size_t last = WIRE_CHAIN_NONE;
	assert_true(wire_full_ea_append(&w, &last, &eas[0]));
	assert_true(wire_full_ea_append(&w, &last, &eas[1]));
	assert_int_equal(w.pos, sizeof(golden_full_ea));
	assert_memory_equal(buf, golden_full_ea, sizeof(golden_full_ea));
	assert_int_equal(wire_full_ea_entry_size(&eas[0]), 16);
	/* a third entry of 14 bytes needs 3 bytes of padding first: 17 in all */
	w.cap = w.pos + 16;
	eas[2] = eas[1];
	eas[2].value_len = 4;
	eas[2].value = (const uint8_t *)"abcd";
	size_t pos = w.pos;
	assert_false(wire_full_ea_append(&w, &last, &eas[2]));
	assert_int_equal(w.pos, pos);
	w.cap = w.pos + 17;
	assert_true(wire_full_ea_append(&w, &last, &eas[2]));

	struct wire_ea out[2];
	size_t n;
	assert_ok(wire_full_ea_decode(golden_full_ea, sizeof(golden_full_ea), out, 2, &n));
	assert_int_equal(n, 2);
	assert_int_equal(out[1].flags, FILE_NEED_EA);
	assert_ok(wire_full_ea_decode(golden_full_ea, sizeof(golden_full_ea), out, 1, &n)); /* count beyond cap */
	assert_int_equal(n, 2);
	assert_ok(wire_full_ea_decode(golden_full_ea, sizeof(golden_full_ea), NULL, 0, &n));
	assert_int_equal(n, 2);
	assert_ok(wire_full_ea_decode(NULL, 0, NULL, 0, &n));
	assert_int_equal(n, 0);

	uint8_t m[64];
	size_t len = sizeof(golden_full_ea);
#define EA_MUTATE(stmt)                                                                                           \
	do {                                                                                                      \
		memcpy(m, golden_full_ea, len);                                                                   \
		stmt;                                                                                             \
		assert_invalid(wire_full_ea_decode(m, len, out, 2, &n));                                          \
	} while (0)
	EA_MUTATE(wr_le32_at(m, 18));		  /* NextEntryOffset not a multiple of 4 */
	EA_MUTATE(wr_le32_at(m, 12));		  /* shorter than the entry */
	EA_MUTATE(wr_le32_at(m, 32));		  /* past the buffer */
	EA_MUTATE(wr_le32_at(m, (uint32_t)len)); /* to the very end */
	EA_MUTATE(m[14] = 'x');			  /* name not NUL-terminated */
	EA_MUTATE(m[9] = 0);			  /* NUL inside the name */
	EA_MUTATE(wr_le16_at(m + 16 + 6, 4));	  /* value runs past the buffer */
	EA_MUTATE(m[16 + 5] = 200);		  /* name runs past the buffer */
	assert_invalid(wire_full_ea_decode(golden_full_ea, len - 1, out, 2, &n));
	assert_invalid(wire_full_ea_decode(golden_full_ea, 7, out, 2, &n));
#undef EA_MUTATE
}

static void test_set_info_decoders(void **state)
{
	uint8_t buf[128];
	struct wire_basic_info b = { 0, WIRE_TIME_STOP_UPDATING, WIRE_TIME_RESUME_UPDATING, 123, 0x21 }, b2;
	struct wr w = wr_init(buf, sizeof(buf));
	wire_basic_info_encode(&w, &b);
	assert_int_equal(w.pos, 40);
	assert_ok(wire_basic_info_decode(buf, 40, &b2));
	assert_int_equal(b2.creation_time, WIRE_TIME_UNCHANGED);
	assert_int_equal(b2.last_access_time, UINT64_MAX);
	assert_int_equal(b2.last_write_time, UINT64_MAX - 1);
	assert_int_equal(get64(buf, 8), 0xFFFFFFFFFFFFFFFFULL); /* -1 */
	assert_int_equal(get64(buf, 16), 0xFFFFFFFFFFFFFFFEULL); /* -2 */
	assert_int_equal(b2.change_time, 123);
	assert_int_equal(b2.attributes, 0x21);
	assert_status(wire_basic_info_decode(buf, 39, &b2), STATUS_INFO_LENGTH_MISMATCH);

	uint8_t name[32];
	struct wire_rename_info r = { .replace_if_exists = true, .root_directory = 0, .name = name }, r2;
	r.name_len = u16le("b\\c.txt", name);
	w = wr_init(buf, sizeof(buf));
	wire_rename_info_encode(&w, &r);
	size_t len = w.pos;
	assert_int_equal(len, 20 + r.name_len);
	assert_ok(wire_rename_info_decode(buf, len, &r2));
	assert_true(r2.replace_if_exists);
	assert_int_equal(r2.name_len, r.name_len);
	assert_memory_equal(r2.name, name, r.name_len);
	assert_ok(wire_rename_info_decode(buf, len + 6, &r2)); /* trailing padding is fine */
	assert_status(wire_rename_info_decode(buf, 19, &r2), STATUS_INFO_LENGTH_MISMATCH);
	assert_invalid(wire_rename_info_decode(buf, len - 1, &r2)); /* name past the buffer */
	wr_le32_at(buf + 16, 13);
	assert_invalid(wire_rename_info_decode(buf, len, &r2)); /* odd */
	wr_le32_at(buf + 16, 0);
	assert_invalid(wire_rename_info_decode(buf, len, &r2)); /* empty */
	wr_le32_at(buf + 16, 0xFFFFFFFE);
	assert_invalid(wire_rename_info_decode(buf, len, &r2)); /* overflow */

	bool del;
	uint8_t one = 1;
	assert_ok(wire_disposition_info_decode(&one, 1, &del));
	assert_true(del);
	one = 0;
	assert_ok(wire_disposition_info_decode(&one, 1, &del));
	assert_false(del);
	assert_status(wire_disposition_info_decode(&one, 0, &del), STATUS_INFO_LENGTH_MISMATCH);

	uint32_t v32;
	wr_le32_at(buf, FILE_DISPOSITION_DELETE | FILE_DISPOSITION_POSIX_SEMANTICS);
	assert_ok(wire_disposition_ex_info_decode(buf, 4, &v32));
	assert_int_equal(v32, 3);
	assert_status(wire_disposition_ex_info_decode(buf, 3, &v32), STATUS_INFO_LENGTH_MISMATCH);
	assert_ok(wire_mode_info_decode(buf, 4, &v32));
	assert_status(wire_mode_info_decode(buf, 2, &v32), STATUS_INFO_LENGTH_MISMATCH);

	uint64_t v64;
	wr_le64_at(buf, 0x123456789ULL);
	assert_ok(wire_u64_info_decode(buf, 8, &v64));
	assert_int_equal(v64, 0x123456789ULL);
	assert_status(wire_u64_info_decode(buf, 7, &v64), STATUS_INFO_LENGTH_MISMATCH);

	const uint8_t *sn;
	size_t snl;
	wr_le32_at(buf, 6);
	memcpy(buf + 4, "A\0B\0C\0", 6);
	assert_ok(wire_short_name_info_decode(buf, 10, &sn, &snl));
	assert_int_equal(snl, 6);
	assert_ptr_equal(sn, buf + 4);
	assert_invalid(wire_short_name_info_decode(buf, 9, &sn, &snl));
	wr_le32_at(buf, 5);
	assert_invalid(wire_short_name_info_decode(buf, 10, &sn, &snl));
	wr_le32_at(buf, 0);
	assert_invalid(wire_short_name_info_decode(buf, 10, &sn, &snl));
	assert_status(wire_short_name_info_decode(buf, 3, &sn, &snl), STATUS_INFO_LENGTH_MISMATCH);
}

static void test_fs_info(void **state)
{
	uint8_t buf[256], label[32], fsname[16];
	struct wire_fs_info fs = {
		.volume_creation_time = 0x01D9000000000001ULL,
		.volume_serial = 0xCAFEBABE,
		.label = label,
		.total_units = 1000,
		.caller_avail_units = 400,
		.actual_avail_units = 500,
		.sectors_per_unit = 8,
		.bytes_per_sector = 512,
		.device_type = FILE_DEVICE_DISK,
		.device_characteristics = FILE_DEVICE_IS_MOUNTED,
		.fs_attributes = 0x0004002F,
		.max_component_name_len = 255,
		.fs_name = fsname,
		.sector_flags = SSINFO_FLAGS_ALIGNED_DEVICE,
		.fs_control_flags = 0x5,
	};
	fs.label_len = u16le("share", label);
	fs.fs_name_len = u16le("NTFS", fsname);
	size_t written, needed;
	struct wr w = wr_init(buf, sizeof(buf));
	assert_ok(wire_fs_info_encode(&w, FileFsVolumeInformation, &fs, 4096, &written, &needed));
	assert_int_equal(written, sizeof(golden_fs_volume));
	assert_memory_equal(buf, golden_fs_volume, sizeof(golden_fs_volume));
	w = wr_init(buf, sizeof(buf));
	assert_ok(wire_fs_info_encode(&w, FileFsAttributeInformation, &fs, 4096, &written, &needed));
	assert_int_equal(written, sizeof(golden_fs_attribute));
	assert_memory_equal(buf, golden_fs_attribute, sizeof(golden_fs_attribute));

	/* truncation and minimums */
	w = wr_init(buf, sizeof(buf));
	assert_status(wire_fs_info_encode(&w, FileFsVolumeInformation, &fs, 24, &written, &needed),
		      STATUS_BUFFER_OVERFLOW);
	assert_int_equal(written, 24);
	assert_int_equal(needed, 28);
	assert_int_equal(get32(buf, 12), 10);
	assert_status(wire_fs_info_encode(&w, FileFsVolumeInformation, &fs, 23, &written, &needed),
		      STATUS_INFO_LENGTH_MISMATCH);
	w = wr_init(buf, sizeof(buf));
	assert_status(wire_fs_info_encode(&w, FileFsAttributeInformation, &fs, 15, &written, &needed),
		      STATUS_BUFFER_OVERFLOW);
	assert_int_equal(written, 14);
	assert_status(wire_fs_info_encode(&w, FileFsAttributeInformation, &fs, 11, &written, &needed),
		      STATUS_INFO_LENGTH_MISMATCH);

	static const struct {
		uint8_t cls;
		size_t size;
	} t[] = {
		{ FileFsSizeInformation, 24 },	     { FileFsDeviceInformation, 8 },
		{ FileFsControlInformation, 48 },    { FileFsFullSizeInformation, 32 },
		{ FileFsObjectIdInformation, 64 },   { FileFsSectorSizeInformation, 28 },
	};
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		w = wr_init(buf, sizeof(buf));
		assert_int_equal(wire_fs_info_min_size(t[i].cls), t[i].size);
		assert_ok(wire_fs_info_encode(&w, t[i].cls, &fs, 4096, &written, &needed));
		assert_int_equal(written, t[i].size);
		assert_status(wire_fs_info_encode(&w, t[i].cls, &fs, t[i].size - 1, &written, &needed),
			      STATUS_INFO_LENGTH_MISMATCH);
	}
	w = wr_init(buf, sizeof(buf));
	assert_ok(wire_fs_info_encode(&w, FileFsFullSizeInformation, &fs, 4096, &written, &needed));
	assert_int_equal(get64(buf, 0), 1000);
	assert_int_equal(get64(buf, 8), 400);
	assert_int_equal(get64(buf, 16), 500);
	assert_int_equal(get32(buf, 24), 8);
	assert_int_equal(get32(buf, 28), 512);
	w = wr_init(buf, sizeof(buf));
	assert_ok(wire_fs_info_encode(&w, FileFsSectorSizeInformation, &fs, 4096, &written, &needed));
	assert_int_equal(get32(buf, 0), 512);
	assert_int_equal(get32(buf, 4), 512);
	assert_int_equal(get32(buf, 16), SSINFO_FLAGS_ALIGNED_DEVICE);
	w = wr_init(buf, sizeof(buf));
	assert_ok(wire_fs_info_encode(&w, FileFsDeviceInformation, &fs, 4096, &written, &needed));
	assert_int_equal(get32(buf, 0), FILE_DEVICE_DISK);
	assert_int_equal(get32(buf, 4), FILE_DEVICE_IS_MOUNTED);
	assert_status(wire_fs_info_encode(&w, FileFsLabelInformation, &fs, 4096, &written, &needed),
		      STATUS_INVALID_INFO_CLASS);
}

static void test_streams_notify(void **state)
{
	uint8_t buf[256], n1[32], n2[32];
	struct wire_stream_entry s[2] = { { n1, 0, 1234, 4096 }, { n2, 0, 5, 8 } };
	s[0].name_len = u16le("::$DATA", n1);
	s[1].name_len = u16le(":foo:$DATA", n2);
	struct wr w = wr_init(buf, sizeof(buf));
	size_t last = WIRE_CHAIN_NONE;
	assert_true(wire_stream_append(&w, &last, &s[0]));
	assert_true(wire_stream_append(&w, &last, &s[1]));
	assert_int_equal(get32(buf, 0), 40); /* 24 + 14 -> 40 */
	assert_int_equal(get32(buf, 4), 14);
	assert_int_equal(get64(buf, 8), 1234);
	assert_int_equal(get64(buf, 16), 4096);
	assert_memory_equal(buf + 24, n1, 14);
	assert_int_equal(get16(buf, 38), 0); /* padding */
	assert_int_equal(get32(buf, 40), 0);
	assert_int_equal(get32(buf, 44), 20);
	assert_int_equal(w.pos, 40 + 24 + 20);

	/* FILE_NOTIFY_INFORMATION golden */
	static const struct {
		uint32_t action;
		const char *name;
	} nt[] = { { FILE_ACTION_ADDED, "new.txt" },
		   { FILE_ACTION_RENAMED_OLD_NAME, "old name" },
		   { FILE_ACTION_RENAMED_NEW_NAME, "new name" } };
	w = wr_init(buf, sizeof(buf));
	last = WIRE_CHAIN_NONE;
	for (int i = 0; i < 3; i++) {
		uint8_t nb[32];
		size_t n = u16le(nt[i].name, nb);
		assert_true(wire_notify_append(&w, &last, nt[i].action, nb, n));
	}
	assert_int_equal(w.pos, sizeof(golden_notify));
	assert_memory_equal(buf, golden_notify, sizeof(golden_notify));

	/* the limit helper never raises the capacity */
	w = wr_init(buf, 100);
	w.pos = 90;
	size_t old = wire_wr_limit(&w, 50);
	assert_int_equal(old, 100);
	assert_int_equal(w.cap, 100);
	wire_wr_limit(&w, 4);
	assert_int_equal(w.cap, 94);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_all_info_golden), cmocka_unit_test(test_all_info_overflow),
		cmocka_unit_test(test_fixed_classes),	cmocka_unit_test(test_dirent_golden),
		cmocka_unit_test(test_dirent_classes),	cmocka_unit_test(test_dirent_limit),
		cmocka_unit_test(test_full_ea),		cmocka_unit_test(test_set_info_decoders),
		cmocka_unit_test(test_fs_info),		cmocka_unit_test(test_streams_notify),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
