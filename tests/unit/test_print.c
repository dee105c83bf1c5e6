/*
 * test_print.c - conditions and values printed in the rule's language
 * (src/print/print.h): EQL from the source under a span, ESET from the IR,
 * values quoted the language's way.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "print/print.h"

/* --- helpers ------------------------------------------------------------ */

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

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* print_eql_span of the whole of src, limited to max characters. */
static void
check_eql(const char *src, size_t max, const char *want)
{
	struct rc_text t = { .data = src, .len = strlen(src) };
	struct strbuf sb = STRBUF_INIT;

	print_eql_span(&sb, &t, span_make(0, (uint32_t)t.len), max);
	assert_string_equal(sb.data ? sb.data : "", want);
	sb_free(&sb);
}

static struct ir_expr *
field(const char *name, const char *written, enum vtype t)
{
	struct ir_expr *e = ir_new(&A, IR_FIELD, t, span_make(0, 0));

	e->u.f.name = name;
	e->u.f.src_name = written;
	return e;
}

static struct ir_expr *
str(const char *s)
{
	struct ir_expr *e = ir_new(&A, IR_CONST, VT_STRING, span_make(0, 0));

	e->u.c.type = VT_STRING;
	e->u.c.u.s.s = s;
	e->u.c.u.s.len = strlen(s);
	return e;
}

static struct ir_expr *
null_value(void)
{
	struct ir_expr *e = ir_new(&A, IR_CONST, VT_NULL, span_make(0, 0));

	e->u.c.type = VT_NULL;
	return e;
}

static struct ir_expr *
cmp(enum ir_op op, struct ir_expr *l, struct ir_expr *r)
{
	struct ir_expr *e = ir_new(&A, IR_CMP, VT_BOOL, span_make(0, 0));

	e->u.cmp.op = op;
	e->u.cmp.l = l;
	e->u.cmp.r = r;
	return e;
}

static struct ir_expr *
call(enum fn_id fn, struct ir_expr *a, struct ir_expr *b)
{
	struct ir_expr *e = ir_new(&A, IR_CALL, VT_BOOL, span_make(0, 0));

	e->u.call.fn = fn;
	e->u.call.args = ARENA_NEWV(&A, struct ir_expr *, 2);
	e->u.call.args[0] = a;
	e->u.call.args[1] = b;
	e->u.call.n = 2;
	return e;
}

static struct ir_expr *
list(enum ir_kind k, struct ir_expr *a, struct ir_expr *b)
{
	struct ir_expr *e = ir_new(&A, k, VT_BOOL, span_make(0, 0));

	e->u.list.v = ARENA_NEWV(&A, struct ir_expr *, 2);
	e->u.list.v[0] = a;
	e->u.list.v[1] = b;
	e->u.list.n = 2;
	return e;
}

static struct ir_expr *
not(struct ir_expr *sub)
{
	struct ir_expr *e = ir_new(&A, IR_NOT, VT_BOOL, span_make(0, 0));

	e->u.sub = sub;
	return e;
}

static void
check_eset(const struct ir_expr *e, size_t limit, const char *want)
{
	struct strbuf sb = STRBUF_INIT;

	print_eset_cond(&sb, e, limit);
	assert_string_equal(sb.data ? sb.data : "", want);
	sb_free(&sb);
}

/* --- EQL ---------------------------------------------------------------- */

/* Comments go, blanks collapse, strings stay as written. */
static void
test_eql_normalised(void **state)
{
	(void)state;
	check_eql("process.name  ==\n\t\"a  b\" // the name\n", 60,
		  "process.name == \"a  b\"");
	check_eql("a /* one /* nested */ */ or b", 60, "a or b");
	check_eql("url : \"http://x/*y*/\"", 60, "url : \"http://x/*y*/\"");
	check_eql("p : \"\"\"C:\\a \"b\" // c\"\"\"", 60,
		  "p : \"\"\"C:\\a \"b\" // c\"\"\"");
	check_eql("p == \"a\\\"b // c\"", 60, "p == \"a\\\"b // c\"");
	check_eql("  \n ", 60, "");
}

/* After max characters the token that does not fit is cut on a character
 * boundary. */
static void
test_eql_shortened(void **state)
{
	(void)state;
	check_eql("abcdef ghijkl", 9, "abcdef gh...");
	check_eql("x == \"\xc3\xa9\xc3\xa9\"", 6, "x == \"...");
	check_eql("x == \"\xc3\xa9\xc3\xa9\"", 8, "x == \"\xc3\xa9...");
	check_eql("abc", 3, "abc");
}

/* --- ESET --------------------------------------------------------------- */

/* Relations read back from the lowering's shapes. */
static void
test_eset_relations(void **state)
{
	struct ir_expr *f = field("process.name", "Process.Name", VT_STRING);

	(void)state;
	check_eset(cmp(IR_OP_EQ, f, str("a.exe")), 100,
		   "Process.Name is \"a.exe\"");
	check_eset(not(cmp(IR_OP_LT, f, str("5"))), 100,
		   "Process.Name greaterOrEqual \"5\"");
	check_eset(cmp(IR_OP_NE, f, null_value()), 100, "Process.Name isset");
	check_eset(not(cmp(IR_OP_NE, f, null_value())), 100,
		   "Process.Name isnotset");
	/* isnot & co: AND(f != null, NOT(test)) */
	check_eset(list(IR_AND, cmp(IR_OP_NE, f, null_value()),
			not(call(FN_STARTSWITH, f, str("C:\\")))), 100,
		   "Process.Name notstarts \"C:\\\"");
	/* isnotempty: AND(f != null, f != "") */
	check_eset(list(IR_AND, cmp(IR_OP_NE, f, null_value()),
			cmp(IR_OP_NE, f, str(""))), 100,
		   "Process.Name isnotempty");
	check_eset(NULL, 100, "?");
}

/* Operators spelled out, the rest elided once the limit is passed. */
static void
test_eset_operators(void **state)
{
	struct ir_expr *f = field("process.name", "Process.Name", VT_STRING);
	struct ir_expr *g = field("file.path", NULL, VT_STRING);
	struct ir_expr *e;

	(void)state;
	e = list(IR_OR, cmp(IR_OP_EQ, f, str("a")),
		 not(list(IR_AND, call(FN_ENDSWITH, g, str(".x")),
			  call(FN_STRINGCONTAINS, g, str("y")))));
	check_eset(e, 100, "OR(Process.Name is \"a\", NOT(AND(file.path ends "
		   "\".x\", file.path contains \"y\")))");
	check_eset(e, 10, "OR(Process.Name is \"a\", ...)");
}

/* --- values ------------------------------------------------------------- */

static void
test_values(void **state)
{
	struct ir_value v;
	struct strbuf sb = STRBUF_INIT;

	(void)state;
	memset(&v, 0, sizeof v);
	v.type = VT_STRING;
	v.u.s.s = "a\"b\\";
	v.u.s.len = 4;
	print_value(&sb, LANG_EQL, &v, false);
	sb_putc(&sb, ' ');
	print_value(&sb, LANG_ESET_XML, &v, false);
	sb_putc(&sb, ' ');
	print_value(&sb, LANG_EQL, &v, true);
	v.type = VT_LONG;
	v.u.i = -7;
	sb_putc(&sb, ' ');
	print_value(&sb, LANG_EQL, &v, false);
	v.type = VT_DOUBLE;
	v.u.d = 0.5;
	sb_putc(&sb, ' ');
	print_value(&sb, LANG_EQL, &v, false);
	v.type = VT_NULL;
	sb_putc(&sb, ' ');
	print_value(&sb, LANG_EQL, &v, false);
	assert_string_equal(sb.data, "\"a\\\"b\\\\\" \"a\"b\\\" a\"b\\ -7 0.5 "
			    "null");
	sb_free(&sb);
	assert_string_equal(print_field_name(NULL), "?");
	assert_string_equal(print_field_name(field("a.b", NULL, VT_STRING)),
			    "a.b");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_eql_normalised),
		T(test_eql_shortened),
		T(test_eset_relations),
		T(test_eset_operators),
		T(test_values),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
