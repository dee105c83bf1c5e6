/*
 * test_encoding.c - the classification of a file's bytes before parsing
 * (base/encoding.h): byte order marks and NUL patterns, UTF-8 decoding
 * and the column unit, enc_require_utf8 (a UTF-8 mark removed, UTF-16
 * one error with the iconv command), and the JSON escaping of text that
 * would act on a terminal (base/strbuf.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/encoding.h"
#include "base/source.h"
#include "base/strbuf.h"

static struct enc_guess
sniff(const char *s, size_t n)
{
	return enc_sniff(s, n);
}

#define SNIFF(lit) sniff((lit), sizeof(lit) - 1)

static void
test_sniff_marks(void **state)
{
	struct enc_guess g;

	(void)state;
	g = SNIFF("\xEF\xBB\xBFprocess");
	assert_int_equal(g.enc, ENC_UTF8);
	assert_int_equal(g.bom, 3);
	g = SNIFF("\xFF\xFEp\0r\0");
	assert_int_equal(g.enc, ENC_UTF16LE);
	assert_int_equal(g.bom, 2);
	g = SNIFF("\xFE\xFF\0p\0r");
	assert_int_equal(g.enc, ENC_UTF16BE);
	assert_int_equal(g.bom, 2);
	/* UTF-32LE's mark starts with UTF-16LE's */
	g = SNIFF("\xFF\xFE\0\0p\0\0\0");
	assert_int_equal(g.enc, ENC_UTF32LE);
	assert_int_equal(g.bom, 4);
	g = SNIFF("\0\0\xFE\xFF\0\0\0p");
	assert_int_equal(g.enc, ENC_UTF32BE);
	assert_int_equal(g.bom, 4);
	assert_string_equal(enc_iconv_name(SNIFF("\xFF\xFEp\0")), "UTF-16");
	assert_string_equal(enc_iconv_name(SNIFF("\xFF\xFE\0\0p\0\0\0")),
			    "UTF-32");
}

static void
test_sniff_without_marks(void **state)
{
	struct enc_guess g;

	(void)state;
	g = SNIFF("p\0r\0o\0c\0");
	assert_int_equal(g.enc, ENC_UTF16LE);
	assert_int_equal(g.bom, 0);
	assert_string_equal(enc_iconv_name(g), "UTF-16LE");
	g = SNIFF("\0p\0r\0o\0c");
	assert_int_equal(g.enc, ENC_UTF16BE);
	assert_string_equal(enc_iconv_name(g), "UTF-16BE");
	g = SNIFF("p\0\0\0r\0\0\0");
	assert_int_equal(g.enc, ENC_UTF32LE);
	g = SNIFF("\0\0\0p\0\0\0r");
	assert_int_equal(g.enc, ENC_UTF32BE);
	/* UTF-8 text, with non-ASCII letters, empty, one byte */
	assert_int_equal(SNIFF("process where x == \"caf\xC3\xA9\"").enc,
			 ENC_UTF8);
	assert_int_equal(SNIFF("").enc, ENC_UTF8);
	assert_int_equal(SNIFF("p").enc, ENC_UTF8);
	/* one stray NUL in ASCII text is no pattern */
	assert_int_equal(SNIFF("process\0where x == 1 and y == 2").enc,
			 ENC_UTF8);
	/* UTF-16 of non-Latin text has no NULs: read as UTF-8 (and then
	 * rejected by the parsers) */
	assert_int_equal(SNIFF("\x3A\x4E\x8C\x4E").enc, ENC_UTF8);
}

static void
test_utf8(void **state)
{
	uint32_t cp;

	(void)state;
	assert_int_equal(utf8_decode((const unsigned char *)"\xC3\xA9", 2, &cp),
			 2);
	assert_int_equal(cp, 0xE9);
	/* overlong, surrogate, above U+10FFFF, truncated, stray */
	assert_int_equal(utf8_decode((const unsigned char *)"\xC0\xAF", 2, &cp),
			 -1);
	assert_int_equal(utf8_decode((const unsigned char *)"\xED\xA0\x80", 3,
				     &cp), -1);
	assert_int_equal(utf8_decode((const unsigned char *)"\xF4\x90\x80\x80",
				     4, &cp), -1);
	assert_int_equal(utf8_decode((const unsigned char *)"\xE2\x82", 2, &cp),
			 0);
	assert_int_equal(utf8_decode((const unsigned char *)"\x81", 1, &cp), -1);
	assert_int_equal(utf8_check("caf\xC3\xA9", 5), 5);
	assert_int_equal(utf8_check("caf\xE9.exe", 8), 3);
	assert_int_equal(utf8_check("ab\xE2\x82", 4), 2);
	/* the column unit: a sequence, or one byte that is not UTF-8 */
	assert_int_equal(utf8_char_len("\xE2\x82\xAC!", 4), 3);
	assert_int_equal(utf8_char_len("\x81\x81", 2), 1);
	assert_int_equal(utf8_char_len("\xE9.", 2), 1);
	assert_int_equal(utf8_char_len("a", 1), 1);
}

/* The one diagnostic a sink received. */
struct one {
	int n;
	enum diag_id id;
	char text[512];
};

static void
keep(void *ud, const struct diag *d)
{
	struct one *o = ud;
	struct strbuf sb = STRBUF_INIT;

	o->n++;
	o->id = d->id;
	diag_render_text(d, &sb, 0);
	snprintf(o->text, sizeof o->text, "%s", sb.data ? sb.data : "");
	sb_free(&sb);
}

/* A source over a malloc'd copy of data[0..n), as the loader makes one. */
static void
make_source(struct rc_source *s, const char *name, const char *data,
	    size_t n)
{
	char *copy = malloc(n + 1);

	assert_non_null(copy);
	memcpy(copy, data, n);
	copy[n] = '\0';
	memset(s, 0, sizeof *s);
	s->name = name;
	s->data = copy;
	s->len = n;
}

static void
test_require_utf8(void **state)
{
	struct arena a;
	struct diag_sink ds;
	struct rc_source s;
	struct one o;
	unsigned line, col;

	(void)state;
	arena_init(&a, NULL);
	diag_sink_init(&ds, &a);
	memset(&o, 0, sizeof o);
	ds.fn = keep;
	ds.ud = &o;

	/* a UTF-8 mark goes; line 1 counts from the character after it */
	make_source(&s, "r.eql", "\xEF\xBB\xBFprocess where true", 21);
	assert_true(enc_require_utf8(&ds, &s));
	assert_true(s.bom);
	assert_int_equal(s.len, 18);
	assert_string_equal(s.data, "process where true");
	assert_int_equal(source_linecol(&s, 8, &line, &col), 0);
	assert_int_equal(line, 1);
	assert_int_equal(col, 9);
	assert_int_equal(o.n, 0);
	source_free_lines(&s);
	free((char *)s.data);

	/* plain UTF-8: untouched */
	make_source(&s, "r.eql", "process where true", 18);
	assert_true(enc_require_utf8(&ds, &s));
	assert_false(s.bom);
	assert_int_equal(s.len, 18);
	free((char *)s.data);

	/* UTF-16: one error, with the command that converts the file */
	make_source(&s, "my rules/r.eql", "\xFF\xFEp\0r\0o\0", 8);
	assert_false(enc_require_utf8(&ds, &s));
	assert_int_equal(o.n, 1);
	assert_int_equal(o.id, D_ENCODING);
	assert_string_equal(o.text,
		"my rules/r.eql: error: the file is UTF-16 text "
		"(little-endian, with a byte order mark); rulec reads UTF-8 "
		"[RC9007 file-encoding]\n"
		"help: convert it to UTF-8: iconv -f UTF-16 -t UTF-8 "
		"'my rules/r.eql' > 'my rules/r.eql.utf8' && "
		"mv 'my rules/r.eql.utf8' 'my rules/r.eql'\n");
	assert_int_equal(ds.count[SEV_ERROR], 1);
	free((char *)s.data);

	diag_sink_free(&ds);
	arena_release(&a);
}

static void
test_json_escape_terminal(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	static const char in[] = "a\x1b[31m \xC2\x9B \xE2\x80\xAE \xE9 \xC3\xA9";

	(void)state;
	sb_json_escape(&sb, in, sizeof in - 1);
	/* ESC, CSI (U+009B), RIGHT-TO-LEFT OVERRIDE escaped; a byte that
	 * is not UTF-8 becomes U+FFFD; e-acute stays */
	assert_string_equal(sb.data, "a\\u001b[31m \\u009b \\u202e \\ufffd "
			    "\xC3\xA9");
	sb.len = 0;
	sb_eql_escape(&sb, in, sizeof in - 1);
	assert_string_equal(sb.data, "a\\u{1b}[31m \\u{9b} \\u{202e} "
			    "\\u{fffd} \xC3\xA9");
	sb_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sniff_marks),
		cmocka_unit_test(test_sniff_without_marks),
		cmocka_unit_test(test_utf8),
		cmocka_unit_test(test_require_utf8),
		cmocka_unit_test(test_json_escape_terminal),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
