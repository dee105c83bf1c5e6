/*
 * test_json.c - unit tests for the strict JSON reader (base/json.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json.h"
#include "base/source.h"

struct fix {
	struct arena a;
	struct json_error err;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	arena_init(&f->a, NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	arena_release(&f->a);
	free(f);
	return 0;
}

/* Parses doc[0..len) from an exactly sized heap copy, so that ASan sees
 * any read past the end; the copy is freed at once, which also shows that
 * the DOM does not point into the document. */
static const struct json_value *
parse_len(struct fix *f, const char *doc, size_t len)
{
	char *copy = malloc(len ? len : 1);
	const struct json_value *v;

	assert_non_null(copy);
	memcpy(copy, doc, len);
	v = json_parse(&f->a, copy, len, &f->err);
	free(copy);
	return v;
}

/* Parses a document that must be valid. */
static const struct json_value *
ok(struct fix *f, const char *doc)
{
	const struct json_value *v = parse_len(f, doc, strlen(doc));

	if (!v)
		fail_msg("unexpected error at %u: %s\n  in: %s",
			 (unsigned)f->err.offset, f->err.message, doc);
	return v;
}

static void
test_scalars(void **state)
{
	struct fix *f = *state;
	const struct json_value *v;

	v = ok(f, "null");
	assert_int_equal(v->type, JSON_NULL);
	assert_int_equal(v->start, 0);
	assert_int_equal(v->end, 4);

	v = ok(f, " \t\r\n true \n");
	assert_int_equal(v->type, JSON_BOOL);
	assert_true(v->u.b);
	assert_int_equal(v->start, 5);
	assert_int_equal(v->end, 9);

	v = ok(f, "false");
	assert_int_equal(v->type, JSON_BOOL);
	assert_false(v->u.b);

	v = ok(f, "  \"hi\"  ");
	assert_int_equal(v->type, JSON_STRING);
	assert_int_equal(v->u.str.len, 2);
	assert_string_equal(v->u.str.s, "hi");
	assert_int_equal(v->start, 2);
	assert_int_equal(v->end, 6);

	v = ok(f, "\"\"");
	assert_int_equal(v->u.str.len, 0);
	assert_string_equal(v->u.str.s, "");
	assert_int_equal(v->u.str.nmap, 1);
	assert_int_equal(v->u.str.map[0].text_off, 0);
	assert_int_equal(v->u.str.map[0].src_off, 1);
}

static void
test_numbers(void **state)
{
	struct fix *f = *state;
	const struct json_value *v;

	v = ok(f, "0");
	assert_int_equal(v->type, JSON_NUMBER);
	assert_true(v->u.num.is_int);
	assert_int_equal(v->u.num.i, 0);
	assert_true(v->u.num.d == 0.0);

	v = ok(f, "-0");
	assert_true(v->u.num.is_int);
	assert_int_equal(v->u.num.i, 0);
	assert_true(signbit(v->u.num.d));

	v = ok(f, " 42 ");
	assert_true(v->u.num.is_int);
	assert_int_equal(v->u.num.i, 42);
	assert_true(v->u.num.d == 42.0);
	assert_int_equal(v->start, 1);
	assert_int_equal(v->end, 3);
	assert_int_equal(v->u.num.rawlen, 2);
	assert_string_equal(v->u.num.raw, "42");

	v = ok(f, "-17");
	assert_int_equal(v->u.num.i, -17);

	v = ok(f, "3.25");
	assert_false(v->u.num.is_int);
	assert_true(v->u.num.d == 3.25);
	assert_string_equal(v->u.num.raw, "3.25");

	v = ok(f, "1e3");
	assert_false(v->u.num.is_int);
	assert_true(v->u.num.d == 1000.0);

	v = ok(f, "1E+2");
	assert_true(v->u.num.d == 100.0);

	v = ok(f, "-2.5e-3");
	assert_true(v->u.num.d == -0.0025);
	assert_string_equal(v->u.num.raw, "-2.5e-3");
	assert_int_equal(v->end, 7);

	v = ok(f, "9223372036854775807");
	assert_true(v->u.num.is_int);
	assert_true(v->u.num.i == INT64_MAX);

	v = ok(f, "-9223372036854775808");
	assert_true(v->u.num.is_int);
	assert_true(v->u.num.i == INT64_MIN);

	v = ok(f, "9223372036854775808");
	assert_false(v->u.num.is_int);
	assert_true(v->u.num.d == 9223372036854775808.0);

	v = ok(f, "-9223372036854775809");
	assert_false(v->u.num.is_int);

	v = ok(f, "12345678901234567890123456789012345678901234567890"
		  "1234567890");
	assert_false(v->u.num.is_int);
	assert_true(v->u.num.d > 1.2e59 && v->u.num.d < 1.3e59);

	/* underflow rounds to zero and is accepted */
	v = ok(f, "1e-400");
	assert_true(v->u.num.d == 0.0);
	assert_false(v->u.num.is_int);

	v = ok(f, "1.5e308");
	assert_true(v->u.num.d == 1.5e308);
}

static void
test_escapes(void **state)
{
	struct fix *f = *state;
	const struct json_value *v;

	v = ok(f, "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\"");
	assert_int_equal(v->u.str.len, 8);
	assert_memory_equal(v->u.str.s, "\"\\/\b\f\n\r\t", 9);

	v = ok(f, "\"\\u0041\\u00e9\\u20AC\"");
	assert_string_equal(v->u.str.s, "A\xc3\xa9\xe2\x82\xac");
	assert_int_equal(v->u.str.len, 6);

	/* U+1F600 as a surrogate pair, upper and lower case hex */
	v = ok(f, "\"\\ud83d\\uDE00\"");
	assert_int_equal(v->u.str.len, 4);
	assert_memory_equal(v->u.str.s, "\xf0\x9f\x98\x80", 5);

	/* U+10FFFF, the last code point */
	v = ok(f, "\"\\udbff\\udfff\"");
	assert_memory_equal(v->u.str.s, "\xf4\x8f\xbf\xbf", 5);

	/* \u0000 stays in the text; len counts past it */
	v = ok(f, "\"a\\u0000b\"");
	assert_int_equal(v->u.str.len, 3);
	assert_memory_equal(v->u.str.s, "a\0b", 4);

	/* raw UTF-8 passes through unchanged, all sequence lengths */
	v = ok(f, "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbf\"");
	assert_int_equal(v->u.str.len, 12);
	assert_string_equal(v->u.str.s,
			    "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xef\xbf\xbf");
	assert_int_equal(v->u.str.nmap, 1);
}

/* text_to_source() of every decoded byte of a string value. */
static uint32_t
src_of(const struct json_value *v, uint32_t off)
{
	struct rc_source src;
	struct rc_text t;

	memset(&src, 0, sizeof src);
	json_string_text(v, &src, &t);
	assert_ptr_equal(t.data, v->u.str.s);
	assert_int_equal(t.len, v->u.str.len);
	return text_to_source(&t, off);
}

static void
test_segmap(void **state)
{
	struct fix *f = *state;
	const struct json_value *root, *q;

	/*           0 1 2 3 4 5 6 7 8 9 10 11..15 16 17 18
	 * document  { " q " : " a \ n b \  u00e9  c  "  } */
	root = ok(f, "{\"q\":\"a\\nb\\u00e9c\"}");
	q = json_get(root, "q");
	assert_non_null(q);
	assert_int_equal(q->type, JSON_STRING);
	assert_int_equal(q->start, 5);
	assert_int_equal(q->end, 18);
	assert_int_equal(q->u.str.len, 6);
	assert_memory_equal(q->u.str.s, "a\nb\xc3\xa9" "c", 7);

	assert_int_equal(q->u.str.nmap, 3);
	assert_int_equal(q->u.str.map[0].text_off, 0);
	assert_int_equal(q->u.str.map[0].src_off, 6);
	assert_int_equal(q->u.str.map[1].text_off, 2);
	assert_int_equal(q->u.str.map[1].src_off, 9);
	assert_int_equal(q->u.str.map[2].text_off, 5);
	assert_int_equal(q->u.str.map[2].src_off, 16);

	assert_int_equal(src_of(q, 0), 6);   /* 'a' */
	assert_int_equal(src_of(q, 1), 7);   /* '\n' from "\n" */
	assert_int_equal(src_of(q, 2), 9);   /* 'b' */
	assert_int_equal(src_of(q, 3), 10);  /* first byte of U+00E9 */
	assert_int_equal(src_of(q, 4), 11);  /* second byte, inside it */
	assert_int_equal(src_of(q, 5), 16);  /* 'c' */
	assert_int_equal(src_of(q, 6), 17);  /* end: the closing quote */

	/* a surrogate pair (12 document bytes, 4 text bytes), then "\"" */
	root = ok(f, "[\"x\\ud83d\\ude00y\\\"z\"]");
	q = root->u.arr.items[0];
	assert_int_equal(q->u.str.len, 8);
	assert_int_equal(q->u.str.nmap, 3);
	assert_int_equal(src_of(q, 0), 2);   /* 'x' */
	assert_int_equal(src_of(q, 1), 3);   /* the pair's backslash */
	assert_int_equal(src_of(q, 4), 6);   /* still inside the pair */
	assert_int_equal(src_of(q, 5), 15);  /* 'y' */
	assert_int_equal(src_of(q, 6), 16);  /* '"' from "\"" */
	assert_int_equal(src_of(q, 7), 18);  /* 'z' */

	/* no escapes: a single entry, and offsets follow the document */
	root = ok(f, "  \"ab\xc3\xa9z\"");
	assert_int_equal(root->u.str.nmap, 1);
	assert_int_equal(src_of(root, 0), 3);
	assert_int_equal(src_of(root, 4), 7);
}

static void
test_nested(void **state)
{
	struct fix *f = *state;
	const struct json_value *v, *a, *o;
	const char *doc =
	    "{\"a\": [1, [], {}, [true, null]], \"o\": {\"k\": \"v\"},"
	    " \"e\\u0301\": -1}";

	v = ok(f, doc);
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->start, 0);
	assert_int_equal(v->end, strlen(doc));
	assert_int_equal(v->u.obj.n, 3);

	assert_string_equal(v->u.obj.members[0].key, "a");
	assert_int_equal(v->u.obj.members[0].keylen, 1);
	assert_int_equal(v->u.obj.members[0].key_start, 1);
	assert_int_equal(v->u.obj.members[0].key_end, 4);

	a = json_get(v, "a");
	assert_ptr_equal(a, v->u.obj.members[0].value);
	assert_int_equal(a->type, JSON_ARRAY);
	assert_int_equal(a->start, 6);
	assert_int_equal(a->end, 31);
	assert_int_equal(a->u.arr.n, 4);
	assert_int_equal(a->u.arr.items[0]->u.num.i, 1);
	assert_int_equal(a->u.arr.items[1]->type, JSON_ARRAY);
	assert_int_equal(a->u.arr.items[1]->u.arr.n, 0);
	assert_null(a->u.arr.items[1]->u.arr.items);
	assert_int_equal(a->u.arr.items[1]->start, 10);
	assert_int_equal(a->u.arr.items[1]->end, 12);
	assert_int_equal(a->u.arr.items[2]->type, JSON_OBJECT);
	assert_int_equal(a->u.arr.items[2]->u.obj.n, 0);
	assert_null(a->u.arr.items[2]->u.obj.members);
	assert_int_equal(a->u.arr.items[3]->u.arr.n, 2);
	assert_true(a->u.arr.items[3]->u.arr.items[0]->u.b);
	assert_int_equal(a->u.arr.items[3]->u.arr.items[1]->type, JSON_NULL);

	o = json_get(v, "o");
	assert_int_equal(o->type, JSON_OBJECT);
	assert_string_equal(json_get(o, "k")->u.str.s, "v");
	assert_null(json_get(o, "a"));

	/* keys are decoded too */
	assert_string_equal(v->u.obj.members[2].key, "e\xcc\x81");
	assert_int_equal(json_get(v, "e\xcc\x81")->u.num.i, -1);
	assert_int_equal(v->u.obj.members[2].key_start, 50);
	assert_int_equal(v->u.obj.members[2].key_end, 59);

	/* more items and members than the initial stack sizes */
	{
		char buf[2048];
		size_t n = 0;
		int i;

		n += (size_t)snprintf(buf + n, sizeof buf - n, "{\"list\":[");
		for (i = 0; i < 100; i++)
			n += (size_t)snprintf(buf + n, sizeof buf - n, "%s%d",
					      i ? "," : "", i);
		n += (size_t)snprintf(buf + n, sizeof buf - n, "]");
		for (i = 0; i < 40; i++)
			n += (size_t)snprintf(buf + n, sizeof buf - n,
					      ",\"k%d\":[%d]", i, i);
		snprintf(buf + n, sizeof buf - n, "}");
		v = ok(f, buf);
		assert_int_equal(v->u.obj.n, 41);
		a = json_get(v, "list");
		assert_int_equal(a->u.arr.n, 100);
		for (i = 0; i < 100; i++)
			assert_int_equal(a->u.arr.items[i]->u.num.i, i);
		assert_int_equal(json_get(v, "k39")->u.arr.items[0]->u.num.i,
				 39);
	}
}

static void
test_get(void **state)
{
	struct fix *f = *state;
	const struct json_value *v;

	v = ok(f, "{\"a\": 1, \"b\": 2, \"a\": 3, \"a\\u0000b\": 4}");
	assert_int_equal(v->u.obj.n, 4);       /* duplicates are kept */
	assert_int_equal(v->u.obj.members[0].value->u.num.i, 1);
	assert_int_equal(json_get(v, "a")->u.num.i, 3);
	assert_int_equal(json_get(v, "b")->u.num.i, 2);
	assert_null(json_get(v, "c"));
	assert_null(json_get(v, ""));
	assert_null(json_get(v, "A"));
	assert_int_equal(json_get_n(v, "a\0b", 3)->u.num.i, 4);
	assert_int_equal(json_get_n(v, "a", 1)->u.num.i, 3);
	assert_null(json_get(NULL, "a"));
	assert_null(json_get(ok(f, "[1]"), "a"));
	assert_null(json_get(ok(f, "\"a\""), "a"));
	assert_null(json_get(ok(f, "{}"), "a"));
}

static void
test_type_names(void **state)
{
	(void)state;
	assert_string_equal(json_type_name(JSON_NULL), "null");
	assert_string_equal(json_type_name(JSON_BOOL), "boolean");
	assert_string_equal(json_type_name(JSON_NUMBER), "number");
	assert_string_equal(json_type_name(JSON_STRING), "string");
	assert_string_equal(json_type_name(JSON_ARRAY), "array");
	assert_string_equal(json_type_name(JSON_OBJECT), "object");
	assert_string_equal(json_type_name((enum json_type)99), "unknown");
}

struct bad {
	const char *doc;
	size_t len;             /* 0: strlen(doc) */
	uint32_t offset;
	const char *message;
};

static const struct bad bad[] = {
	/* values */
	{ "", 0, 0, "expected a value, found end of input" },
	{ "  \n", 0, 3, "expected a value, found end of input" },
	{ "[1,,2]", 0, 3, "expected a value, found ','" },
	{ "\xff", 0, 0, "expected a value, found byte 0xFF" },
	{ "\f1", 0, 0, "expected a value, found U+000C" },
	{ "\xc2\xa0" "1", 0, 0, "expected a value, found '\xc2\xa0' (U+00A0)" },
	{ "[1,\0]", 5, 3, "expected a value, found U+0000" },
	{ "\xe2\x80\x9c" "a\xe2\x80\x9d", 0, 0,
	  "expected a value, found '\xe2\x80\x9c' (U+201C) (a typographic "
	  "quote; JSON strings use '\"')" },
	{ "['a']", 0, 1, "expected a value, found \"'\" (JSON strings use "
	  "double quotes)" },
	{ "/* c */ 1", 0, 0, "expected a value, found '/' (JSON does not "
	  "allow comments)" },
	/* literals */
	{ "NaN", 0, 0, "expected a value, found 'NaN' (JSON has no NaN or "
	  "Infinity)" },
	{ "True", 0, 0, "expected a value, found 'True' (JSON literals are "
	  "lowercase: true, false, null)" },
	{ "[None]", 0, 1, "expected a value, found 'None' (JSON literals are "
	  "lowercase: true, false, null)" },
	{ "truex", 0, 0, "expected a value, found 'truex'" },
	{ "tru", 0, 0, "unexpected end of input in 'tru' (expected 'true')" },
	{ "[fals", 0, 1, "unexpected end of input in 'fals' (expected "
	  "'false')" },
	{ "undefined_value_with_a_long_name", 0, 0,
	  "expected a value, found 'undefined_value_with_a_l...'" },
	/* numbers */
	{ "01", 0, 1, "leading zeros are not allowed in numbers" },
	{ "[-007]", 0, 3, "leading zeros are not allowed in numbers" },
	{ "-", 0, 1, "expected a digit after '-', found end of input" },
	{ "-Infinity", 0, 1, "expected a digit after '-', found 'Infinity' "
	  "(JSON has no NaN or Infinity)" },
	{ "+1", 0, 0, "expected a value, found '+' (a number cannot start "
	  "with '+')" },
	{ ".5", 0, 0, "expected a value, found '.' (a number needs a digit "
	  "before '.')" },
	{ "1.", 0, 2, "expected a digit after '.' in number, found end of "
	  "input" },
	{ "[1.e5]", 0, 3, "expected a digit after '.' in number, found "
	  "'e5'" },
	{ "1e", 0, 2, "expected a digit in the exponent of number, found end "
	  "of input" },
	{ "1e+]", 0, 3, "expected a digit in the exponent of number, found "
	  "']'" },
	{ "[0, 1e999]", 0, 4, "number out of range" },
	{ "-1e400", 0, 0, "number out of range" },
	{ "0x1F", 0, 1, "expected end of input after the JSON value, found "
	  "'x1F'" },
	/* arrays */
	{ "[", 0, 1, "expected a value, found end of input" },
	{ "[1", 0, 2, "expected ',' or ']' after array element, found end of "
	  "input" },
	{ "[1 2]", 0, 3, "expected ',' or ']' after array element, found '2' "
	  "(missing ',')" },
	{ "[1}", 0, 2, "expected ',' or ']' after array element, found '}'" },
	{ "[1,]", 0, 3, "expected a value after ',', found ']' (trailing "
	  "commas are not allowed)" },
	{ "[1, \n ]", 0, 6, "expected a value after ',', found ']' (trailing "
	  "commas are not allowed)" },
	/* objects */
	{ "{", 0, 1, "expected a string key or '}', found end of input" },
	{ "{,}", 0, 1, "expected a string key or '}', found ','" },
	{ "{a:1}", 0, 1, "expected a string key or '}', found 'a' (object "
	  "keys must be double-quoted strings)" },
	{ "{'a':1}", 0, 1, "expected a string key or '}', found \"'\" (JSON "
	  "strings use double quotes)" },
	{ "{\"a\"", 0, 4, "expected ':' after object key, found end of "
	  "input" },
	{ "{\"a\" 1}", 0, 5, "expected ':' after object key, found '1'" },
	{ "{\"a\":1,\"b\"}", 0, 10, "expected ':' after object key, found "
	  "'}'" },
	{ "{\"a\":", 0, 5, "expected a value, found end of input" },
	{ "{\"a\":}", 0, 5, "expected a value, found '}'" },
	{ "{\"a\":1", 0, 6, "expected ',' or '}' after object member, found "
	  "end of input" },
	{ "{\"a\":1 \"b\":2}", 0, 7, "expected ',' or '}' after object member, "
	  "found '\"' (missing ',')" },
	{ "{\"a\":1]", 0, 6, "expected ',' or '}' after object member, found "
	  "']'" },
	{ "{\"a\":1,}", 0, 7, "expected a string key after ',', found '}' "
	  "(trailing commas are not allowed)" },
	{ "{\"a\":1, 2}", 0, 8, "expected a string key after ',', found '2' "
	  "(object keys must be double-quoted strings)" },
	{ "{\"a\":1} # note", 0, 8, "expected end of input after the JSON "
	  "value, found '#' (JSON does not allow comments)" },
	/* after the value */
	{ "1 2", 0, 2, "expected end of input after the JSON value, found "
	  "'2'" },
	{ "[1]]", 0, 3, "expected end of input after the JSON value, found "
	  "']'" },
	{ "true false", 0, 5, "expected end of input after the JSON value, "
	  "found 'false'" },
	{ "{} \0", 4, 3, "expected end of input after the JSON value, found "
	  "U+0000" },
	/* strings */
	{ "\"abc", 0, 0, "unterminated string" },
	{ "[\"abc\\", 0, 1, "unterminated string" },
	{ "[1, \"ab\\u00", 0, 4, "unterminated string" },
	{ "\"\\ud83d", 0, 0, "unterminated string" },
	{ "\"\\ud83d\\", 0, 0, "unterminated string" },
	{ "\"\\ud83d\\ude0", 0, 0, "unterminated string" },
	{ "\"ab\xe2\x82", 0, 0, "unterminated string" },
	{ "\"a\\qb\"", 0, 2, "invalid escape '\\q' in string" },
	{ "\"\\x41\"", 0, 1, "invalid escape '\\x' in string" },
	{ "\"\\'\"", 0, 1, "invalid escape '\\'' in string" },
	{ "\"a\\\xc3\xa9\"", 0, 2, "invalid escape in string: '\\' followed "
	  "by '\xc3\xa9' (U+00E9)" },
	{ "\"a\\\n\"", 0, 2, "invalid escape in string: '\\' followed by "
	  "U+000A" },
	{ "\"a\\u12G4\"", 0, 6, "expected 4 hex digits after '\\u', found "
	  "'G'" },
	{ "\"\\u12\"", 0, 5, "expected 4 hex digits after '\\u', found '\"'" },
	{ "\"\\u\xff\"", 0, 3, "expected 4 hex digits after '\\u', found "
	  "byte 0xFF" },
	{ "\"a\nb\"", 0, 2, "control character U+000A in string" },
	{ "\"\t\"", 0, 1, "control character U+0009 in string" },
	{ "\"\x1f\"", 0, 1, "control character U+001F in string" },
	{ "\"a\0\"", 4, 2, "control character U+0000 in string" },
	{ "\"\\ud800\"", 0, 1, "lone surrogate '\\ud800' in string" },
	{ "\"\\uDC00\"", 0, 1, "lone surrogate '\\uDC00' in string" },
	{ "\"x\\ud83dx\"", 0, 2, "lone surrogate '\\ud83d' in string" },
	{ "\"\\ud83d\\u0041\"", 0, 1, "lone surrogate '\\ud83d' in string" },
	{ "\"\\ud83d\\ud83d\"", 0, 1, "lone surrogate '\\ud83d' in string" },
	{ "\"\\ud83d\\n\"", 0, 1, "lone surrogate '\\ud83d' in string" },
	{ "\"\\ude00\\ud83d\"", 0, 1, "lone surrogate '\\ude00' in string" },
	{ "\"\\ud83d\\uzzzz\"", 0, 9, "expected 4 hex digits after '\\u', "
	  "found 'z'" },
	/* invalid UTF-8 */
	{ "\"\xff\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\x80\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"ab\xc3\"", 0, 3, "invalid UTF-8 in string" },
	{ "\"\xc3\x28\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\xc0\x80\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\xc1\xbf\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\xe0\x80\x80\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\xe0\x9f\xbf\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\xed\xa0\x80\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\xf0\x80\x80\x80\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\xf4\x90\x80\x80\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\xf5\x80\x80\x80\"", 0, 1, "invalid UTF-8 in string" },
	{ "\"\xe2\x82\"", 0, 1, "invalid UTF-8 in string" },
	{ "{\"k\xfe\":1}", 0, 3, "invalid UTF-8 in string" },
	/* a byte order mark is only skipped at offset 0 */
	{ " \xef\xbb\xbf" "1", 0, 1, "expected a value, found "
	  "'\xef\xbb\xbf' (U+FEFF)" },
};

static void
test_errors(void **state)
{
	struct fix *f = *state;
	size_t i;

	for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const struct bad *b = &bad[i];
		size_t len = b->len ? b->len : strlen(b->doc);
		const struct json_value *v = parse_len(f, b->doc, len);

		if (v)
			fail_msg("case %zu (%s): parsed, expected an error", i,
				 b->doc);
		if (f->err.offset != b->offset ||
		    strcmp(f->err.message, b->message) != 0)
			fail_msg("case %zu (%s):\n  got      %u: %s\n"
				 "  expected %u: %s", i, b->doc,
				 (unsigned)f->err.offset, f->err.message,
				 (unsigned)b->offset, b->message);
	}
}

/* err may be NULL, and an error leaves no value behind. */
static void
test_null_err(void **state)
{
	struct fix *f = *state;

	assert_null(json_parse(&f->a, "[1,]", 4, NULL));
	assert_non_null(json_parse(&f->a, "[1]", 3, NULL));
	assert_null(json_parse(&f->a, NULL, 0, NULL));
}

static void
test_bom(void **state)
{
	struct fix *f = *state;
	const struct json_value *v;

	v = ok(f, "\xef\xbb\xbf{\"a\":1}");
	assert_int_equal(v->type, JSON_OBJECT);
	assert_int_equal(v->start, 3);
	assert_int_equal(v->end, 10);
	/* a lone BOM is an empty document */
	assert_null(parse_len(f, "\xef\xbb\xbf", 3));
	assert_int_equal(f->err.offset, 3);
	assert_string_equal(f->err.message,
			    "expected a value, found end of input");
}

/* n nested arrays (or objects with key "a"), closed again. */
static char *
nest(size_t n, bool objects)
{
	size_t unit = objects ? 5 : 1, i;
	char *s = malloc(n * (unit + 1) + 2), *p = s;

	assert_non_null(s);
	for (i = 0; i < n; i++) {
		memcpy(p, objects ? "{\"a\":" : "[", unit);
		p += unit;
	}
	*p++ = '1';
	for (i = 0; i < n; i++)
		*p++ = objects ? '}' : ']';
	*p = '\0';
	return s;
}

static void
test_depth(void **state)
{
	struct fix *f = *state;
	const struct json_value *v;
	size_t i;
	char *s;

	s = nest(200, false);
	v = ok(f, s);
	for (i = 0; i < 200; i++) {
		assert_int_equal(v->type, JSON_ARRAY);
		assert_int_equal(v->start, i);
		v = v->u.arr.items[0];
	}
	assert_int_equal(v->u.num.i, 1);
	free(s);

	s = nest(JSON_MAX_DEPTH, false);
	assert_non_null(ok(f, s));
	free(s);

	s = nest(JSON_MAX_DEPTH + 1, false);
	assert_null(parse_len(f, s, strlen(s)));
	assert_int_equal(f->err.offset, JSON_MAX_DEPTH);
	assert_string_equal(f->err.message, "nesting deeper than 256 levels");
	free(s);

	s = nest(300, false);
	assert_null(parse_len(f, s, strlen(s)));
	assert_int_equal(f->err.offset, 256);
	assert_string_equal(f->err.message, "nesting deeper than 256 levels");
	free(s);

	s = nest(JSON_MAX_DEPTH, true);
	assert_non_null(ok(f, s));
	free(s);

	s = nest(JSON_MAX_DEPTH + 1, true);
	assert_null(parse_len(f, s, strlen(s)));
	assert_int_equal(f->err.offset, JSON_MAX_DEPTH * 5);
	assert_string_equal(f->err.message, "nesting deeper than 256 levels");
	free(s);

	/* hostile: a million unclosed brackets stop at the limit */
	s = malloc(1000000);
	assert_non_null(s);
	memset(s, '[', 1000000);
	assert_null(parse_len(f, s, 1000000));
	assert_int_equal(f->err.offset, 256);
	free(s);
}

static void
test_range(void **state)
{
	struct fix *f = *state;
	const char *buf = "{\"a\":1}\n  [\"x\\ty\"]\r\n{\"b\":tru}\n\"tail";
	const struct json_value *v;
	size_t l2 = 8, e2 = 19, l3 = 20, e3 = 29, l4 = 30;

	v = json_parse_range(&f->a, buf, 0, 7, &f->err);
	assert_non_null(v);
	assert_int_equal(json_get(v, "a")->u.num.i, 1);
	assert_int_equal(json_get(v, "a")->start, 5);

	/* offsets stay absolute; the "\r" before the limit is whitespace */
	v = json_parse_range(&f->a, buf, l2, e2, &f->err);
	assert_non_null(v);
	assert_int_equal(v->start, 10);
	assert_int_equal(v->end, 18);
	v = v->u.arr.items[0];
	assert_string_equal(v->u.str.s, "x\ty");
	assert_int_equal(v->start, 11);
	assert_int_equal(v->u.str.map[0].src_off, 12);
	assert_int_equal(src_of(v, 2), 15);

	/* an error in the third line, at an absolute offset: "tru" is cut
	 * by '}', so it is a word that is not a literal */
	assert_null(json_parse_range(&f->a, buf, l3, e3, &f->err));
	assert_int_equal(f->err.offset, 25);
	assert_string_equal(f->err.message, "expected a value, found 'tru'");

	/* nothing at or after the limit is read */
	assert_null(json_parse_range(&f->a, buf, l3, 28, &f->err));
	assert_int_equal(f->err.offset, 25);
	assert_string_equal(f->err.message,
			    "unexpected end of input in 'tru' (expected "
			    "'true')");
	assert_null(json_parse_range(&f->a, buf, l4, strlen(buf), &f->err));
	assert_int_equal(f->err.offset, l4);
	assert_string_equal(f->err.message, "unterminated string");
	v = json_parse_range(&f->a, buf, l2, 13, &f->err);
	assert_null(v);
	assert_int_equal(f->err.offset, 11);
	assert_string_equal(f->err.message, "unterminated string");

	/* an empty line, and a range that runs backwards */
	assert_null(json_parse_range(&f->a, buf, 7, 7, &f->err));
	assert_int_equal(f->err.offset, 7);
	assert_string_equal(f->err.message,
			    "expected a value, found end of input");
	assert_null(json_parse_range(&f->a, buf, 9, 8, &f->err));
	assert_int_equal(f->err.offset, 8);
}

static const char rule[] =
    "{\"rule_id\": \"eb6a3790-d52d-11ec\", \"name\": \"Caf\\u00e9 "
    "\\\"quoted\\\" \\ud83d\\ude00 \xc3\xa9\", \"risk_score\": 47, "
    "\"score\": -1.5e-3, \"enabled\": true, \"x\": false, \"y\": null, "
    "\"tags\": [\"a\", \"b\", [], {}], \"threat\": [{\"framework\": "
    "\"MITRE ATT&CK\", \"tactic\": {\"id\": \"TA0011\"}}], \"query\": "
    "\"process where process.name : \\\"cmd.exe\\\"\\n and x == 1\\t\"}\n";

/* Every proper prefix of an object fails cleanly with an offset inside the
 * prefix; the whole document parses. */
static void
test_truncation(void **state)
{
	struct fix *f = *state;
	size_t len = sizeof rule - 1, n;
	const struct json_value *v;

	for (n = 0; n < len; n++) {
		v = parse_len(f, rule, n);
		if (n == len - 1) {
			/* only the final newline is missing */
			assert_non_null(v);
			continue;
		}
		if (v)
			fail_msg("prefix of %zu bytes parsed", n);
		assert_true(f->err.offset <= n);
		assert_true(f->err.message[0] != '\0');
	}
	v = parse_len(f, rule, len);
	assert_non_null(v);
	assert_int_equal(json_get(v, "risk_score")->u.num.i, 47);
	assert_true(json_get(v, "score")->u.num.d == -1.5e-3);
	assert_string_equal(json_get(v, "name")->u.str.s,
			    "Caf\xc3\xa9 \"quoted\" \xf0\x9f\x98\x80 \xc3\xa9");
	assert_string_equal(json_get(v, "query")->u.str.s,
			    "process where process.name : \"cmd.exe\"\n and "
			    "x == 1\t");
	assert_string_equal(json_get(json_get(json_get(v, "threat")->u.arr
	    .items[0], "tactic"), "id")->u.str.s, "TA0011");

	/* a top-level number: prefixes that are numbers themselves parse */
	{
		static const char num[] = "-12.5e+3";
		static const bool good[] = { 0, 0, 1, 1, 0, 1, 0, 0, 1 };

		for (n = 0; n < sizeof num; n++) {
			v = parse_len(f, num, n);
			if ((v != NULL) != good[n])
				fail_msg("number prefix of %zu bytes", n);
		}
	}
}

/* Byte flips of a valid document: each result either parses or fails with
 * an offset inside the document. */
static void
test_flips(void **state)
{
	struct fix *f = *state;
	static const unsigned char repl[] = {
		0x00, '"', '\\', '{', '}', '[', ']', ',', ':', '0', 'u', 'e',
		'-', ' ', 0x80, 0xC3, 0xED, 0xF4, 0xFF
	};
	size_t len = sizeof rule - 1, i, j, failed = 0;
	char *doc = malloc(len);

	assert_non_null(doc);
	for (i = 0; i < len; i++) {
		for (j = 0; j < sizeof repl; j++) {
			memcpy(doc, rule, len);
			doc[i] = (char)repl[j];
			if (!json_parse(&f->a, doc, len, &f->err)) {
				assert_true(f->err.offset <= len);
				assert_true(f->err.message[0] != '\0');
				failed++;
			}
		}
		arena_release(&f->a);
	}
	free(doc);
	/* most flips break the document */
	assert_true(failed > len * sizeof repl / 2);
}

/* An allocator that fails from the `budget`-th allocation on and counts
 * live blocks. */
struct failing {
	size_t calls, budget, live;
};

static void *
failing_alloc(void *ud, size_t n)
{
	struct failing *fl = ud;
	void *p;

	if (fl->calls++ >= fl->budget)
		return NULL;
	p = malloc(n);
	if (p)
		fl->live++;
	return p;
}

static void
failing_release(void *ud, void *p)
{
	struct failing *fl = ud;

	fl->live--;
	free(p);
}

static void
test_oom(void **state)
{
	struct failing fl;
	struct rc_allocator al = { failing_alloc, failing_release, &fl };
	struct json_error err;
	struct arena a;
	const struct json_value *v = NULL;
	char doc[4096];
	size_t n = 0, budget;
	int i;

	(void)state;
	/* enough items, members and escapes to grow every scratch stack */
	n += (size_t)snprintf(doc + n, sizeof doc - n, "{\"s\":\"");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "\\u00e9\\n");
	n += (size_t)snprintf(doc + n, sizeof doc - n, "\",\"a\":[");
	for (i = 0; i < 100; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, "%s[%d]",
				      i ? "," : "", i);
	n += (size_t)snprintf(doc + n, sizeof doc - n, "]");
	for (i = 0; i < 50; i++)
		n += (size_t)snprintf(doc + n, sizeof doc - n, ",\"k%d\":{}",
				      i);
	n += (size_t)snprintf(doc + n, sizeof doc - n, "}");

	for (budget = 0; budget < 1000; budget++) {
		memset(&fl, 0, sizeof fl);
		fl.budget = budget;
		arena_init(&a, &al);
		v = json_parse(&a, doc, n, &err);
		if (v) {
			assert_false(a.oom);
			assert_int_equal(json_get(v, "s")->u.str.len, 300);
			assert_int_equal(json_get(v, "a")->u.arr.n, 100);
			assert_int_equal(v->u.obj.n, 52);
		} else {
			assert_true(a.oom);
			assert_string_equal(err.message, "out of memory");
		}
		arena_release(&a);
		assert_int_equal(fl.live, 0);
		if (v)
			break;
	}
	assert_non_null(v);
	assert_true(budget > 4);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_scalars, setup, teardown),
		cmocka_unit_test_setup_teardown(test_numbers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_escapes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_segmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_nested, setup, teardown),
		cmocka_unit_test_setup_teardown(test_get, setup, teardown),
		cmocka_unit_test(test_type_names),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_null_err, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_bom, setup, teardown),
		cmocka_unit_test_setup_teardown(test_depth, setup, teardown),
		cmocka_unit_test_setup_teardown(test_range, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncation, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_flips, setup, teardown),
		cmocka_unit_test(test_oom),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
