/*
 * test_lower.c - typing and lowering of EQL to IR (src/sema/lower.c):
 * the case and pattern semantics fixed in the IR, field types from the
 * schema, Elasticsearch's rules that the grammar cannot express, and the
 * shape of the IR of clean queries.
 *
 * Queries are typed against the small TEST_SCHEMA of util.h:
 * process.name keyword, event.type keyword array, process.pid long,
 * source.ip ip, process.parent.name keyword, ...
 */
#include "util.h"

/* Lowers `process where <cond>`, expects a clean result and returns the
 * condition. */
static const struct ir_expr *
ok_cond(struct parsed *p, const char *cond)
{
	char q[512];

	snprintf(q, sizeof q, "process where %s", cond);
	lower_str(p, q);
	assert_no_diags(p);
	assert_non_null(p->ir);
	return ir_cond(p);
}

/* Lowers q, expects no diagnostic and an IR. */
static const struct ir_query *
ok_query(struct parsed *p, const char *q)
{
	lower_str(p, q);
	assert_no_diags(p);
	assert_non_null(p->ir);
	return p->ir;
}

/* q lowers to exactly one diagnostic `id` at line:col and no IR. */
#define assert_lower_error(p, q, id, line, col) do {                     \
		lower_str((p), (q));                                     \
		assert_one_diag((p), (id), (line), (col));               \
		assert_null((p)->ir);                                    \
	} while (0)

static void
assert_field(const struct ir_expr *e, const char *name, enum vtype t,
	     bool array, bool optional, bool known)
{
	assert_non_null(e);
	assert_int_equal(e->kind, IR_FIELD);
	assert_string_equal(e->u.f.name, name);
	assert_string_equal(e->u.f.src_name, name);
	assert_int_equal(e->type, t);
	assert_int_equal(e->u.f.array, array);
	assert_int_equal(e->u.f.optional, optional);
	if (known) {
		assert_non_null(e->u.f.def);
		assert_string_equal(e->u.f.def->name, name);
	} else {
		assert_null(e->u.f.def);
	}
}

/* --- case and pattern semantics ---------------------------------------- */

static void
test_case_sensitivity(void **state)
{
	static const struct {
		const char *cond;
		enum ir_kind kind;
		enum ir_match_mode mode;   /* MATCH only */
		bool ci, neg;
	} cases[] = {
		{ "process.name == \"a\"", IR_CMP, 0, false, false },
		{ "process.name != \"a\"", IR_CMP, 0, false, false },
		{ "process.name < \"a\"", IR_CMP, 0, false, false },
		{ "process.name : \"a*\"", IR_MATCH, MATCH_WILDCARD, true,
		  false },
		{ "process.name like \"a*\"", IR_MATCH, MATCH_WILDCARD, false,
		  false },
		{ "process.name like~ \"a*\"", IR_MATCH, MATCH_WILDCARD, true,
		  false },
		{ "process.name regex \"a.*\"", IR_MATCH, MATCH_REGEX, false,
		  false },
		{ "process.name regex~ \"a.*\"", IR_MATCH, MATCH_REGEX, true,
		  false },
		{ "process.name in (\"a\")", IR_IN, 0, false, false },
		{ "process.name in~ (\"a\")", IR_IN, 0, true, false },
		{ "process.name not in (\"a\")", IR_IN, 0, false, true },
		{ "process.name not in~ (\"a\")", IR_IN, 0, true, true },
	};
	struct parsed *p = *state;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct ir_expr *e = ok_cond(p, cases[i].cond);

		print_message("%s\n", cases[i].cond);
		assert_int_equal(e->kind, cases[i].kind);
		assert_int_equal(e->type, VT_BOOL);
		switch (e->kind) {
		case IR_CMP:
			assert_int_equal(e->u.cmp.ci, cases[i].ci);
			assert_field(e->u.cmp.l, "process.name", VT_STRING,
				     false, false, true);
			break;
		case IR_MATCH:
			assert_int_equal(e->u.match.mode, cases[i].mode);
			assert_int_equal(e->u.match.ci, cases[i].ci);
			assert_int_equal(e->u.match.n, 1);
			assert_int_equal(e->u.match.v[0].type, VT_STRING);
			break;
		case IR_IN:
			assert_int_equal(e->u.in.ci, cases[i].ci);
			assert_int_equal(e->u.in.neg, cases[i].neg);
			assert_int_equal(e->u.in.n, 1);
			assert_string_equal(e->u.in.v[0].u.s.s, "a");
			break;
		default:
			fail();
		}
	}
	assert_int_equal(ok_cond(p, "process.name != \"a\"")->u.cmp.op,
			 IR_OP_NE);
}

static void
test_pattern_lists(void **state)
{
	struct parsed *p = *state;
	const struct ir_expr *e;

	e = ok_cond(p, "process.name : (\"a*\", \"B?\")");
	assert_int_equal(e->kind, IR_MATCH);
	assert_int_equal(e->u.match.n, 2);
	assert_string_equal(e->u.match.v[0].u.s.s, "a*");
	assert_string_equal(e->u.match.v[1].u.s.s, "B?");
	assert_true(e->u.match.ci);

	e = ok_cond(p, "process.name like~ (\"a\", \"b\", \"c\")");
	assert_int_equal(e->u.match.n, 3);
	assert_int_equal(e->u.match.mode, MATCH_WILDCARD);
	assert_true(e->u.match.ci);
}

/* Function names are case-insensitive; `name~` asks for case-insensitive
 * comparison. */
static void
test_function_names(void **state)
{
	static const struct {
		const char *cond;
		enum fn_id fn;
		bool ci;
	} cases[] = {
		{ "endsWith(process.name, \"x\")", FN_ENDSWITH, false },
		{ "ENDSWITH(process.name, \"x\")", FN_ENDSWITH, false },
		{ "endswith(process.name, \"x\")", FN_ENDSWITH, false },
		{ "endsWith~(process.name, \"x\")", FN_ENDSWITH, true },
		{ "ENDSWITH~(process.name, \"x\")", FN_ENDSWITH, true },
		{ "STARTSWITH~(process.name, \"x\")", FN_STARTSWITH, true },
		{ "stringcontains~(process.name, \"x\")", FN_STRINGCONTAINS,
		  true },
		{ "CIDRMATCH(source.ip, \"10.0.0.0/8\")", FN_CIDRMATCH,
		  false },
	};
	struct parsed *p = *state;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct ir_expr *e = ok_cond(p, cases[i].cond);

		print_message("%s\n", cases[i].cond);
		assert_int_equal(e->kind, IR_CALL);
		assert_int_equal(e->u.call.fn, cases[i].fn);
		assert_int_equal(e->u.call.ci, cases[i].ci);
		assert_int_equal(e->u.call.n, 2);
		assert_int_equal(e->type, VT_BOOL);
	}
	/* the IR dump uses the canonical spelling */
	ok_cond(p, "ENDSWITH~(process.name, \"x\")");
	assert_string_equal(ir_dump_str(p),
			    "query event\n"
			    "  filter category=process\n"
			    "    where\n"
			    "      call endsWith case-insensitive : boolean\n"
			    "        field process.name : keyword\n"
			    "        const \"x\" : keyword\n");
}

/* --- typing ----------------------------------------------------------- */

static void
test_field_types(void **state)
{
	struct parsed *p = *state;
	const struct ir_expr *e;

	e = ok_cond(p, "process.name == \"a\"");
	assert_field(e->u.cmp.l, "process.name", VT_STRING, false, false,
		     true);
	assert_int_equal(e->u.cmp.r->kind, IR_CONST);
	assert_int_equal(e->u.cmp.r->type, VT_STRING);

	e = ok_cond(p, "event.type == \"start\"");
	assert_field(e->u.cmp.l, "event.type", VT_STRING, true, false, true);

	e = ok_cond(p, "process.pid == 4");
	assert_field(e->u.cmp.l, "process.pid", VT_LONG, false, false, true);
	assert_int_equal(e->u.cmp.r->type, VT_LONG);
	assert_int_equal(e->u.cmp.r->u.c.u.i, 4);

	e = ok_cond(p, "source.ip == \"10.0.0.1\"");
	assert_field(e->u.cmp.l, "source.ip", VT_IP, false, false, true);

	e = ok_cond(p, "event.duration > 1.5");
	assert_field(e->u.cmp.l, "event.duration", VT_DOUBLE, false, false,
		     true);
	assert_int_equal(e->u.cmp.r->type, VT_DOUBLE);

	e = ok_cond(p, "process.interactive == true");
	assert_field(e->u.cmp.l, "process.interactive", VT_BOOL, false,
		     false, true);

	/* not in the schema */
	e = ok_cond(p, "foo.bar == 1");
	assert_field(e->u.cmp.l, "foo.bar", VT_UNKNOWN, false, false, false);

	/* a path above fields is an object */
	e = ok_cond(p, "process.parent == null");
	assert_field(e->u.cmp.l, "process.parent", VT_OBJECT, false, false,
		     false);
	assert_int_equal(e->u.cmp.r->type, VT_NULL);

	e = ok_cond(p, "?process.pid == 1 and ?nope == null");
	assert_int_equal(e->kind, IR_AND);
	assert_int_equal(e->u.list.n, 2);
	assert_field(e->u.list.v[0]->u.cmp.l, "process.pid", VT_LONG, false,
		     true, true);
	assert_field(e->u.list.v[1]->u.cmp.l, "nope", VT_UNKNOWN, false,
		     true, false);
}

static void
test_expression_types(void **state)
{
	struct parsed *p = *state;
	const struct ir_expr *e;

	e = ok_cond(p, "process.pid + 1 == 2");
	assert_int_equal(e->u.cmp.l->kind, IR_ARITH);
	assert_int_equal(e->u.cmp.l->u.arith.op, IR_OP_ADD);
	assert_int_equal(e->u.cmp.l->type, VT_LONG);

	e = ok_cond(p, "process.pid * 1.5 > 2");
	assert_int_equal(e->u.cmp.l->type, VT_NUMBER);

	e = ok_cond(p, "length(process.name) == 3");
	assert_int_equal(e->u.cmp.l->kind, IR_CALL);
	assert_int_equal(e->u.cmp.l->type, VT_LONG);

	e = ok_cond(p, "concat(process.name, 1) == \"a1\"");
	assert_int_equal(e->u.cmp.l->type, VT_STRING);

	e = ok_cond(p, "add(process.pid, 1) == 2");
	assert_int_equal(e->u.cmp.l->type, VT_LONG);

	/* unary minus on a field stays an operation */
	e = ok_cond(p, "-process.pid == 1");
	assert_int_equal(e->u.cmp.l->kind, IR_NEG);
	assert_int_equal(e->u.cmp.l->type, VT_LONG);
	assert_field(e->u.cmp.l->u.sub, "process.pid", VT_LONG, false, false,
		     true);

	/* and, or, not are boolean; unknown fields pass as conditions */
	e = ok_cond(p, "not foo or process.name == \"a\"");
	assert_int_equal(e->kind, IR_OR);
	assert_int_equal(e->type, VT_BOOL);
	assert_int_equal(e->u.list.v[0]->kind, IR_NOT);
}

/* A signed number literal is one constant. */
static void
test_signed_literals_fold(void **state)
{
	struct parsed *p = *state;
	const struct ir_expr *e;

	e = ok_cond(p, "process.pid in (-1, +2, -1.5)");
	assert_int_equal(e->kind, IR_IN);
	assert_int_equal(e->u.in.n, 3);
	assert_int_equal(e->u.in.v[0].type, VT_LONG);
	assert_int_equal(e->u.in.v[0].u.i, -1);
	assert_int_equal(e->u.in.v[1].type, VT_LONG);
	assert_int_equal(e->u.in.v[1].u.i, 2);
	assert_int_equal(e->u.in.v[2].type, VT_DOUBLE);
	assert_true(e->u.in.v[2].u.d == -1.5);

	e = ok_cond(p, "process.pid == -1");
	assert_int_equal(e->u.cmp.r->kind, IR_CONST);
	assert_int_equal(e->u.cmp.r->type, VT_LONG);
	assert_int_equal(e->u.cmp.r->u.c.u.i, -1);
	/* the constant's span covers the sign */
	assert_int_equal(e->u.cmp.r->span.start, 29);
	assert_int_equal(e->u.cmp.r->span.end, 31);

	ok_cond(p, "process.pid in (-1)");
	assert_string_equal(ir_dump_str(p),
			    "query event\n"
			    "  filter category=process\n"
			    "    where\n"
			    "      in case-sensitive : boolean\n"
			    "        field process.pid : long\n"
			    "        -1\n");
}

/* --- sequences ---------------------------------------------------------- */

static void
test_maxspan_units(void **state)
{
	static const struct {
		const char *span;
		int64_t ms;
	} cases[] = {
		{ "5ms", 5 }, { "5s", 5000 }, { "5m", 300000 },
		{ "5h", 18000000 }, { "5d", 432000000 }, { "1 s", 1000 },
		{ "100000d", 8640000000000 },
	};
	struct parsed *p = *state;
	char q[128];
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		snprintf(q, sizeof q, "sequence with maxspan=%s "
			 "[a where true] [b where true]", cases[i].span);
		ok_query(p, q);
		assert_true(p->ir->maxspan_ms == cases[i].ms);
		assert_int_equal(p->ir->maxspan_span.start, 9);
	}
	ok_query(p, "sequence [a where true] [b where true]");
	assert_true(p->ir->maxspan_ms == -1);
}

static void
test_bad_maxspan(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "sequence with maxspan=5 [a where true] "
			   "[b where true]", "RC1011", 1, 10);
	assert_diag_msg(p, 0, "needs a time unit");
	assert_diag_help(p, 0, "did you mean 5s?");

	assert_lower_error(p, "sequence with maxspan=0.5s [a where true] "
			   "[b where true]", "RC1011", 1, 10);
	assert_diag_msg(p, 0, "whole number");
	assert_diag_help(p, 0, "500ms");

	assert_lower_error(p, "sequence with maxspan=5x [a where true] "
			   "[b where true]", "RC1011", 1, 10);
	assert_diag_msg(p, 0, "unknown time unit 'x'");

	assert_lower_error(p, "sequence with maxspan=0s [a where true] "
			   "[b where true]", "RC1011", 1, 10);
	assert_diag_msg(p, 0, "positive");

	/* units are lowercase, as in Elasticsearch */
	assert_lower_error(p, "sequence with maxspan=5S [a where true] "
			   "[b where true]", "RC1011", 1, 10);

	assert_lower_error(p, "sequence with maxspan=9223372036854775807d "
			   "[a where true] [b where true]", "RC1011", 1, 10);
	assert_diag_msg(p, 0, "too large");
}

static void
test_by_after_with(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "sequence with maxspan=2m by x [a where true] "
			   "[b where true]", "RC1012", 1, 26);
	assert_diag_help(p, 0, "sequence by ... with maxspan=...");
}

static void
test_bad_runs(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "sequence [a where true] with runs=0 "
			   "[b where true]", "RC1013", 1, 25);
	assert_lower_error(p, "sequence [a where true] with runs=101 "
			   "[b where true]", "RC1013", 1, 25);
	assert_diag_msg(p, 0, "between 1 and 100");
	assert_lower_error(p, "sequence [a where true] with foo=2 "
			   "[b where true]", "RC1013", 1, 25);
	assert_diag_msg(p, 0, "unknown stage parameter 'foo'");
	assert_lower_error(p, "sequence [a where true] [b where true] "
			   "until [c where true] with runs=2",
			   "RC1013", 1, 61);
	assert_diag_msg(p, 0, "'until'");

	/* the limits themselves are fine */
	ok_query(p, "sequence [a where true] with runs=1 [b where true] "
		 "with runs=100");
	assert_int_equal(p->ir->stages[0].runs, 1);
	assert_int_equal(p->ir->stages[1].runs, 100);
}

static void
test_stage_count(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "sequence [a where true]", "RC1015", 1, 1);
	assert_diag_help(p, 0, "add a stage");
	/* until is not a stage */
	assert_lower_error(p, "sequence [a where true] until [b where true]",
			   "RC1015", 1, 1);

	/* runs count: one stage run twice is a sequence of two */
	ok_query(p, "sequence [a where true] with runs=2");
	assert_int_equal(p->ir->kind, Q_SEQUENCE);
	assert_int_equal(p->ir->nstages, 1);
	assert_int_equal(p->ir->stages[0].runs, 2);

	/* samples take one to five filters */
	ok_query(p, "sample by x [a where true]");
	ok_query(p, "sample by x [a where true] [b where true] "
		 "[c where true] [d where true] [e where true]");
	assert_int_equal(p->ir->nstages, 5);
	assert_lower_error(p, "sample by x [a where true] [b where true] "
			   "[c where true] [d where true] [e where true] "
			   "[f where true]", "RC1015", 1, 1);
	assert_diag_msg(p, 0, "at most 5");
}

static void
test_bad_sample(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "sample by x with maxspan=5s [a where true] "
			   "[b where true]", "RC1016", 1, 13);
	assert_lower_error(p, "sample by x [a where true] [b where true] "
			   "until [c where true]", "RC1016", 1, 43);
	assert_lower_error(p, "sample by x [a where true] with runs=2 "
			   "[b where true]", "RC1016", 1, 28);
	assert_lower_error(p, "sample by x [a where true] ![b where true]",
			   "RC1016", 1, 28);
	assert_lower_error(p, "sample [a where true] [b where true]",
			   "RC1016", 1, 1);
	assert_diag_help(p, 0, "'by'");
	/* keys on the filters are enough */
	ok_query(p, "sample [a where true] by x [b where true] by y");
}

static void
test_missing_stages(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "sequence [a where true] ![b where true]",
			   "RC1017", 1, 1);
	assert_diag_help(p, 0, "with maxspan");
	assert_lower_error(p, "sequence with maxspan=5s ![a where true] "
			   "![b where true]", "RC1017", 1, 1);
	assert_diag_msg(p, 0, "not a missing-event filter");
	assert_lower_error(p, "sequence [a where true] [b where true] "
			   "until ![c where true]", "RC1017", 1, 40);

	ok_query(p, "sequence with maxspan=5s ![a where true] [b where true] "
		 "![c where true]");
	assert_int_equal(p->ir->nstages, 3);
	assert_true(p->ir->stages[0].missing);
	assert_false(p->ir->stages[1].missing);
	assert_true(p->ir->stages[2].missing);
}

/* --- pipes and unsupported constructs ----------------------------------- */

static void
test_bad_pipes(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "process where true | unique x", "RC1010",
			   1, 20);
	assert_diag_msg(p, 0, "python eql only");
	assert_diag_help(p, 0, "'| head N'");
	assert_lower_error(p, "process where true | window 5", "RC1010",
			   1, 20);
	assert_diag_msg(p, 0, "unknown pipe 'window'");
	assert_lower_error(p, "process where true | head", "RC1010", 1, 20);
	assert_diag_msg(p, 0, "takes one argument");
	assert_lower_error(p, "process where true | head 1, 2", "RC1010",
			   1, 20);
	assert_lower_error(p, "process where true | head -1", "RC1010",
			   1, 27);
	assert_diag_msg(p, 0, "non-negative integer");
	assert_lower_error(p, "process where true | head \"a\"", "RC1010",
			   1, 27);
	assert_lower_error(p, "process where true | tail 1.5", "RC1010",
			   1, 27);
	assert_lower_error(p, "sample by x [a where true] [b where true] "
			   "| head 5", "RC1010", 1, 43);
	assert_diag_msg(p, 0, "sample");

	ok_query(p, "process where true | head 0");
	assert_int_equal(p->ir->npipes, 1);
	assert_int_equal(p->ir->pipes[0].n, 0);
}

static void
test_unsupported(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "join [a where true] [b where true]", "RC1009",
			   1, 1);
	assert_diag_help(p, 0, "sequence");
	assert_lower_error(p, "process where descendant of "
			   "[process where true]", "RC1009", 1, 15);
	assert_diag_msg(p, 0, "'descendant of [...]'");
	assert_lower_error(p, "process where wildcard(process.name, \"a*\")",
			   "RC1009", 1, 15);
	assert_diag_help(p, 0, "':' or 'like'");
	assert_lower_error(p, "process where match(process.name, \"a.*\")",
			   "RC1009", 1, 15);
	assert_diag_help(p, 0, "'regex'");
	assert_lower_error(p, "process where arrayContains(event.type, "
			   "\"start\")", "RC1009", 1, 15);
}

static void
test_unknown_function(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "process where endswith2(process.name, \"x\")",
			   "RC2001", 1, 15);
	assert_diag_msg(p, 0, "unknown function 'endswith2'");
	assert_diag_help(p, 0, "did you mean 'endsWith'?");

	assert_lower_error(p, "process where STARTWITH(process.name, \"x\")",
			   "RC2001", 1, 15);
	assert_diag_help(p, 0, "did you mean 'startsWith'?");

	assert_lower_error(p, "process where frobnicate(process.name)",
			   "RC2001", 1, 15);
	assert_diag_no_help(p, 0);

	/* a python-only function is not suggested */
	assert_lower_error(p, "process where wildcardd(process.name, \"a\")",
			   "RC2001", 1, 15);
	assert_diag_no_help(p, 0);

	/* no case-insensitive form */
	assert_lower_error(p, "process where length~(process.name) == 1",
			   "RC2001", 1, 15);
	assert_diag_msg(p, 0, "'length~'");
}

/* --- type checks ------------------------------------------------------- */

static void
test_field_comparison(void **state)
{
	struct parsed *p = *state;
	const struct diag_note *n;
	unsigned line, col;

	assert_lower_error(p, "process where process.name == "
			   "process.parent.name", "RC3001", 1, 15);
	assert_diag_help(p, 0, "sequence");
	n = p->diags[0]->notes;
	assert_non_null(n);
	assert_string_equal(n->msg, "left side");
	source_linecol(&p->src, n->span.start, &line, &col);
	assert_int_equal(col, 15);
	assert_non_null(n->next);
	assert_string_equal(n->next->msg, "right side");
	source_linecol(&p->src, n->next->span.start, &line, &col);
	assert_int_equal(col, 31);
	assert_null(n->next->next);

	assert_lower_error(p, "process where process.name in "
			   "(process.parent.name)", "RC3001", 1, 32);
	assert_lower_error(p, "process where process.name in "
			   "(\"a\", process.parent.name)", "RC3001", 1, 37);
	/* through functions too */
	assert_lower_error(p, "process where length(process.name) == "
			   "length(process.parent.name)", "RC3001", 1, 15);
	assert_lower_error(p, "process where process.pid + 1 < "
			   "process.pid", "RC3001", 1, 15);

	/* optional fields may be missing from the mapping: accepted */
	ok_query(p, "process where ?x == ?y");
	ok_query(p, "process where process.name == ?y");
}

static void
test_argument_count(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "process where endsWith(process.name)",
			   "RC3002", 1, 15);
	assert_diag_msg(p, 0, "'endsWith' takes 2 arguments, not 1");
	assert_lower_error(p, "process where endsWith(process.name, \"a\", "
			   "\"b\")", "RC3002", 1, 15);
	assert_diag_msg(p, 0, "not 3");
	assert_lower_error(p, "process where concat() == \"a\"", "RC3002",
			   1, 15);
	assert_diag_msg(p, 0, "at least 1 argument, not 0");
	assert_lower_error(p, "process where substring(process.name, 1, 2, "
			   "3) == \"a\"", "RC3002", 1, 15);
	assert_diag_msg(p, 0, "2 to 3 arguments, not 4");
	ok_query(p, "process where concat(process.name, \"a\", 1, true) == "
		 "\"x\"");
}

static void
test_argument_type(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "process where length(process.pid) == 1",
			   "RC3003", 1, 22);
	assert_diag_msg(p, 0, "argument 1 of 'length' must be a string, "
			"not long");
	assert_lower_error(p, "process where cidrMatch(source.ip, 10)",
			   "RC3003", 1, 36);
	assert_lower_error(p, "process where cidrMatch(process.pid, "
			   "\"10.0.0.0/8\")", "RC3003", 1, 25);
	assert_diag_msg(p, 0, "an IP address");
	assert_lower_error(p, "process where startsWith(process.name, 1)",
			   "RC3003", 1, 40);
	ok_query(p, "process where cidrMatch(source.ip, \"10.0.0.0/8\", "
		 "\"192.168.0.0/16\")");
}

static void
test_operand_type(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "process where process.pid : \"1*\"", "RC3004",
			   1, 15);
	assert_diag_msg(p, 0, "long");
	assert_lower_error(p, "process where process.interactive like \"t*\"",
			   "RC3004", 1, 15);
	assert_lower_error(p, "process where \"a\" + 1 == 2", "RC3004",
			   1, 15);
	assert_diag_msg(p, 0, "arithmetic");
	assert_lower_error(p, "process where process.name * 2 == 2",
			   "RC3004", 1, 15);
	assert_lower_error(p, "process where true < false", "RC3004", 1, 15);
	assert_diag_msg(p, 0, "booleans have no order");
	/* patterns are strings */
	assert_lower_error(p, "process where process.name : 1", "RC3004",
			   1, 30);
	assert_lower_error(p, "process where process.name regex (\"a\", 2)",
			   "RC3004", 1, 40);
	/* equality on booleans is fine */
	ok_query(p, "process where process.interactive == true");
}

static void
test_not_literal(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "process where cidrMatch(source.ip, "
			   "process.name)", "RC3005", 1, 36);
	assert_diag_msg(p, 0, "must be a literal");
	assert_lower_error(p, "process where process.name in "
			   "(concat(\"a\", \"b\"))", "RC3005", 1, 32);
	assert_lower_error(p, "process where between(process.name, \"a\", "
			   "\"b\", process.pid > 1) == \"x\"", "RC3005",
			   1, 47);

	/* the grammar takes only literals on the right of ':', like and
	 * regex, so a field there is a syntax error at the field */
	lower_str(p, "process where process.name : (process.parent.name)");
	assert_one_diag(p, "RC1001", 1, 31);
	assert_null(p->ir);
	assert_false(p->lowered);
	lower_str(p, "process where process.name : process.parent.name");
	assert_one_diag(p, "RC1001", 1, 30);
	assert_null(p->ir);
}

static void
test_pattern_field_message(void **state)
{
	struct parsed *p = *state;

	lower_str(p, "process where process.name : (process.parent.name)");
	assert_one_diag(p, "RC1001", 1, 31);
	assert_null(strstr(p->diags[0]->msg, "an expression"));
	assert_diag_msg(p, 0, "string");
}

static void
test_not_boolean(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "process where process.name", "RC3006", 1, 15);
	assert_diag_msg(p, 0, "a 'where' condition must be a boolean test, "
			"but this is a keyword value");
	assert_lower_error(p, "process where 1", "RC3006", 1, 15);
	assert_lower_error(p, "process where process.name and true",
			   "RC3006", 1, 15);
	assert_diag_msg(p, 0, "an operand of 'and'");
	assert_lower_error(p, "process where not process.pid", "RC3006",
			   1, 19);
	assert_diag_msg(p, 0, "the operand of 'not'");
	assert_lower_error(p, "process where concat(\"a\")", "RC3006", 1, 15);
}

static void
test_chained_comparison(void **state)
{
	struct parsed *p = *state;

	/* one error for the one mistake: no follow-on complaint that a
	 * boolean is ordered */
	assert_lower_error(p, "process where 1 < process.pid < 3", "RC1014",
			   1, 15);
	assert_diag_end(p, 0, 1, 34);
	assert_diag_msg(p, 0, "comparisons do not chain");
	assert_diag_help(p, 0, "'and'");

	assert_lower_error(p, "process where process.pid == 1 == true",
			   "RC1014", 1, 15);
	/* in parentheses the comparison of a comparison is deliberate */
	ok_query(p, "process where (process.pid == 1) == true");
}

static void
test_assign_is_not_comparison(void **state)
{
	struct parsed *p = *state;

	/* located at the operator */
	assert_lower_error(p, "process where process.name = \"x\"", "RC1008",
			   1, 28);
	assert_diag_end(p, 0, 1, 29);
	assert_diag_help(p, 0, "'=='");
	assert_lower_error(p, "process where (process.name)=\"x\"", "RC1008",
			   1, 29);
	assert_lower_error(p, "process where process.name\n  = \"x\"",
			   "RC1008", 2, 3);
}

static void
test_assign_location_after_comment(void **state)
{
	struct parsed *p = *state;

	assert_lower_error(p, "process where process.name /* eq */ = \"x\"",
			   "RC1008", 1, 37);
}

/* --- clean queries ---------------------------------------------------- */

static void
test_event_query_shape(void **state)
{
	struct parsed *p = *state;
	const struct ir_query *q;

	q = ok_query(p, "process where process.name == \"a\" | head 5 | "
		     "tail 2");
	assert_int_equal(q->kind, Q_EVENT);
	assert_int_equal(q->nstages, 1);
	assert_string_equal(q->stages[0].category, "process");
	assert_int_equal(q->stages[0].runs, 1);
	assert_false(q->stages[0].missing);
	assert_int_equal(q->stages[0].nkeys, 0);
	assert_null(q->until);
	assert_true(q->maxspan_ms == -1);
	assert_int_equal(q->npipes, 2);
	assert_int_equal(q->pipes[0].kind, PIPE_HEAD);
	assert_int_equal(q->pipes[0].n, 5);
	assert_int_equal(q->pipes[1].kind, PIPE_TAIL);
	assert_int_equal(q->pipes[1].n, 2);

	q = ok_query(p, "any where true");
	assert_null(q->stages[0].category);
	q = ok_query(p, "\"my-cat\" where true");
	assert_string_equal(q->stages[0].category, "my-cat");
}

static void
test_sequence_shape(void **state)
{
	struct parsed *p = *state;
	const struct ir_query *q;
	const struct ir_stage *st;

	q = ok_query(p, "sequence by host.id with maxspan=30s\n"
		     "  [process where process.name == \"a\"] by process.pid "
		     "with runs=3\n"
		     "  ![file where true] by process.pid\n"
		     "  [network where true] by user.name\n"
		     "until [process where true] by process.pid\n"
		     "| head 5");
	assert_int_equal(q->kind, Q_SEQUENCE);
	assert_true(q->maxspan_ms == 30000);
	assert_int_equal(q->nstages, 3);

	st = &q->stages[0];
	assert_string_equal(st->category, "process");
	assert_int_equal(st->runs, 3);
	assert_false(st->missing);
	assert_int_equal(st->nkeys, 2);
	assert_int_equal(st->nshared, 1);
	/* shared keys first */
	assert_field(st->keys[0], "host.id", VT_STRING, false, false, true);
	assert_field(st->keys[1], "process.pid", VT_LONG, false, false, true);
	assert_int_equal(st->cond->kind, IR_CMP);

	st = &q->stages[1];
	assert_string_equal(st->category, "file");
	assert_true(st->missing);
	assert_int_equal(st->runs, 1);
	assert_int_equal(st->nkeys, 2);
	assert_int_equal(st->nshared, 1);

	st = &q->stages[2];
	assert_false(st->missing);
	assert_field(st->keys[1], "user.name", VT_STRING, false, false, true);

	assert_non_null(q->until);
	assert_string_equal(q->until->category, "process");
	assert_int_equal(q->until->nkeys, 2);
	assert_int_equal(q->until->nshared, 1);
	assert_field(q->until->keys[0], "host.id", VT_STRING, false, false,
		     true);
	assert_int_equal(q->npipes, 1);
	assert_int_equal(q->pipes[0].n, 5);
}

static void
test_sample_shape(void **state)
{
	struct parsed *p = *state;
	const struct ir_query *q;

	q = ok_query(p, "sample by host.id [process where true] "
		     "[file where true] by user.name");
	assert_int_equal(q->kind, Q_SAMPLE);
	assert_int_equal(q->nstages, 2);
	assert_true(q->maxspan_ms == -1);
	assert_int_equal(q->stages[0].nkeys, 1);
	assert_int_equal(q->stages[0].nshared, 1);
	assert_int_equal(q->stages[1].nkeys, 2);
	assert_int_equal(q->stages[1].nshared, 1);
	assert_field(q->stages[1].keys[1], "user.name", VT_STRING, false,
		     false, true);
}

static void
test_ir_dump(void **state)
{
	struct parsed *p = *state;

	ok_query(p, "sequence by host.id with maxspan=1m "
		 "[process where process.name : \"a*\"] by process.pid "
		 "[file where not event.type in~ (\"x\")] with runs=2 "
		 "until [any where true] | tail 3");
	assert_string_equal(ir_dump_str(p),
			    "query sequence maxspan=60000ms\n"
			    "  stage 0 category=process\n"
			    "    key 0 (shared)\n"
			    "      field host.id : keyword\n"
			    "    key 1\n"
			    "      field process.pid : long\n"
			    "    where\n"
			    "      match wildcard case-insensitive : boolean\n"
			    "        field process.name : keyword\n"
			    "        \"a*\"\n"
			    "  stage 1 category=file runs=2\n"
			    "    key 0 (shared)\n"
			    "      field host.id : keyword\n"
			    "    where\n"
			    "      not : boolean\n"
			    "        in case-insensitive : boolean\n"
			    "          field event.type array : keyword\n"
			    "          \"x\"\n"
			    "  until any\n"
			    "    key 0 (shared)\n"
			    "      field host.id : keyword\n"
			    "    where\n"
			    "      const true : boolean\n"
			    "  pipe tail 3\n");
}

/* Every error of a rule is reported, and any error means no IR. */
static void
test_all_errors_reported(void **state)
{
	struct parsed *p = *state;

	lower_str(p, "process where process.pid : \"a\" and "
		  "length(process.pid) == 1 and frob(1)");
	assert_null(p->ir);
	assert_ndiags(p, 3);
	assert_diag(p, 0, "RC3004", 1, 15);
	assert_diag(p, 1, "RC3003", 1, 44);
	assert_diag(p, 2, "RC2001", 1, 66);
	assert_int_equal(p->lower_errors, 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PTEST(test_case_sensitivity),
		PTEST(test_pattern_lists),
		PTEST(test_function_names),
		PTEST(test_field_types),
		PTEST(test_expression_types),
		PTEST(test_signed_literals_fold),
		PTEST(test_maxspan_units),
		PTEST(test_bad_maxspan),
		PTEST(test_by_after_with),
		PTEST(test_bad_runs),
		PTEST(test_stage_count),
		PTEST(test_bad_sample),
		PTEST(test_missing_stages),
		PTEST(test_bad_pipes),
		PTEST(test_unsupported),
		PTEST(test_unknown_function),
		PTEST(test_field_comparison),
		PTEST(test_argument_count),
		PTEST(test_argument_type),
		PTEST(test_operand_type),
		PTEST(test_not_literal),
		PTEST(test_pattern_field_message),
		PTEST(test_not_boolean),
		PTEST(test_chained_comparison),
		PTEST(test_assign_is_not_comparison),
		PTEST(test_assign_location_after_comment),
		PTEST(test_event_query_shape),
		PTEST(test_sequence_shape),
		PTEST(test_sample_shape),
		PTEST(test_ir_dump),
		PTEST(test_all_errors_reported),
	};

	return cmocka_run_group_tests_name("lower", tests, NULL, NULL);
}
