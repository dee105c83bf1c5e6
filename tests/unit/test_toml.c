/*
 * test_toml.c - unit tests for the TOML reader (base/toml.cc): the DOM it
 * builds, byte spans, string segment maps, document order, errors.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/source.h"
#include "base/toml.h"

static struct arena A;

static int
setup(void **state)
{
	(void)state;
	arena_init(&A, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_release(&A);
	return 0;
}

static const struct json_value *
parse_ok(const char *doc)
{
	struct json_error e;
	const struct json_value *v = toml_parse(&A, doc, strlen(doc), &e);

	if (!v)
		fail_msg("unexpected error at %u: %s", e.offset, e.message);
	assert_int_equal(v->type, JSON_OBJECT);
	return v;
}

/* File offset of text byte `off` of string value v. */
static uint32_t
src_of(const char *doc, const struct json_value *v, uint32_t off)
{
	struct rc_source src = { "t.toml", doc, strlen(doc), NULL, 0 };
	struct rc_text t;
	uint32_t r;

	json_string_text(v, &src, &t);
	r = text_to_source(&t, off);
	source_free_lines(&src);
	return r;
}

static void
test_types(void **state)
{
	const char *doc = "s = \"x\"\ni = -42\nf = 1_000.5\nb = true\n"
			  "d = 1979-05-27T07:32:00Z\na = [1, \"two\"]\n"
			  "[t]\nk = 1\n";
	const struct json_value *v = parse_ok(doc), *x;

	(void)state;
	assert_int_equal(v->u.obj.n, 7);
	assert_int_equal(json_get(v, "s")->type, JSON_STRING);
	x = json_get(v, "i");
	assert_int_equal(x->type, JSON_NUMBER);
	assert_true(x->u.num.is_int);
	assert_int_equal(x->u.num.i, -42);
	x = json_get(v, "f");
	assert_false(x->u.num.is_int);
	assert_true(x->u.num.d == 1000.5);
	assert_true(json_get(v, "b")->u.b);
	x = json_get(v, "d");
	assert_int_equal(x->type, JSON_STRING);
	assert_string_equal(x->u.str.s, "1979-05-27T07:32:00Z");
	assert_int_equal(x->start, strstr(doc, "1979") - doc);
	x = json_get(v, "a");
	assert_int_equal(x->type, JSON_ARRAY);
	assert_int_equal(x->u.arr.n, 2);
	assert_string_equal(x->u.arr.items[1]->u.str.s, "two");
	x = json_get(v, "t");
	assert_int_equal(x->type, JSON_OBJECT);
	assert_int_equal(json_get(x, "k")->u.num.i, 1);
}

/* Members come in document order, not toml++'s sorted order, with the
 * byte span of their keys. */
static void
test_order_and_keys(void **state)
{
	const char *doc = "zeta = 1\nalpha = 2\nmid = 3\n";
	const struct json_value *v = parse_ok(doc);

	(void)state;
	assert_int_equal(v->u.obj.n, 3);
	assert_string_equal(v->u.obj.members[0].key, "zeta");
	assert_string_equal(v->u.obj.members[1].key, "alpha");
	assert_string_equal(v->u.obj.members[2].key, "mid");
	assert_int_equal(v->u.obj.members[1].key_start, 9);
	assert_int_equal(v->u.obj.members[1].key_end, 14);
}

/* An error inside a multi-line literal query maps to its document byte,
 * also after CRLF line ends. */
static void
test_multiline_literal_map(void **state)
{
	const char *doc = "[rule]\nquery = '''\r\nprocess where\r\n  x : \"a\\b\"\r\n'''\n";
	const struct json_value *v = parse_ok(doc), *q;
	const char *s;
	uint32_t k;

	(void)state;
	q = json_get(json_get(v, "rule"), "query");
	assert_non_null(q);
	s = q->u.str.s;
	assert_string_equal(s, "process where\n  x : \"a\\b\"\n");
	/* the 'x' of the second line */
	k = (uint32_t)(strchr(s, 'x') - s);
	assert_int_equal(src_of(doc, q, k), strchr(doc, 'x') - doc);
	/* the backslash, which a literal string keeps */
	k = (uint32_t)(strchr(s, '\\') - s);
	assert_int_equal(src_of(doc, q, k), strchr(doc, '\\') - doc);
	assert_int_equal(q->start, strstr(doc, "'''") - doc);
	assert_int_equal(q->end, strstr(doc, "'''\n") - doc + 3);
}

/* Escapes in basic strings: each decoded byte after an escape maps back
 * to its own document byte. */
static void
test_basic_escapes_map(void **state)
{
	const char *doc = "x = \"a\\tb\\u00e9c\"\n"
			  "y = \"\"\"\nl1 \\\n   l2 \\U0001F600 z\"\"\"\n";
	const struct json_value *v = parse_ok(doc), *x, *y;
	const char *s;

	(void)state;
	x = json_get(v, "x");
	assert_string_equal(x->u.str.s, "a\tb\xc3\xa9" "c");
	assert_int_equal(src_of(doc, x, 2), strchr(doc, 'b') - doc);
	assert_int_equal(src_of(doc, x, 5), strchr(doc, 'c') - doc);
	y = json_get(v, "y");
	s = y->u.str.s;
	assert_string_equal(s, "l1 l2 \xf0\x9f\x98\x80 z");
	assert_int_equal(src_of(doc, y, (uint32_t)(strstr(s, "l2") - s)),
			 strstr(doc, "l2") - doc);
	assert_int_equal(src_of(doc, y, (uint32_t)(strchr(s, 'z') - s)),
			 strchr(doc, 'z') - doc);
}

static void
check_error(const char *doc, uint32_t off, const char *part)
{
	struct json_error e;

	assert_null(toml_parse(&A, doc, strlen(doc), &e));
	if (e.offset != off || !strstr(e.message, part))
		fail_msg("%s: got error at %u: %s", doc, e.offset, e.message);
}

static void
test_errors(void **state)
{
	(void)state;
	check_error("a = 1\nb = [1, 2\nc = \"x\"\n", 16, "expected comma");
	check_error("a = 1\na = 2\n", 10, "redefine");
	check_error("x = \"bad \\q\"\n", 10, "escape");
	check_error("x = \n", 4, "");
	check_error("[t]\n[t]\n", 4, "redefine");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_types, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_and_keys, setup, teardown),
		cmocka_unit_test_setup_teardown(test_multiline_literal_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_basic_escapes_map, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
