/*
 * test_except.c - Kibana exception lists (src/sema/except.c): which
 * export objects are lists and items, the IR of each entry type, the
 * translation of Elasticsearch wildcard escapes, binding a rule's
 * references (unknown lists, broken items) and applying the items to
 * every stage of a copy of the query.
 *
 * Fields are typed against TEST_SCHEMA of util.h.
 */
#include "util.h"

#include "base/json.h"
#include "sema/except.h"

/* A JSON document of the test, kept in the test's arena. */
struct doc {
	struct rc_source src;
	struct rc_text text;
	struct json_value *v;
};

static struct doc *
parse_json(struct parsed *p, const char *json)
{
	struct doc *d = ARENA_NEW(&p->a, struct doc);
	struct json_error err;

	assert_non_null(d);
	d->src.name = "export.ndjson";
	d->src.data = arena_strdup(&p->a, json);
	d->src.len = strlen(json);
	d->text.src = &d->src;
	d->text.data = d->src.data;
	d->text.len = d->src.len;
	d->v = json_parse(&p->a, d->src.data, d->src.len, &err);
	assert_non_null(d->v);
	return d;
}

/* Lowers a rule query so that the schema and arena are set up. */
static void
setup_rule(struct parsed *p, const char *q)
{
	lower_str(p, q);
	assert_no_diags(p);
	assert_non_null(p->ir);
}

static struct exc_reader
reader(struct parsed *p, struct doc *d)
{
	struct exc_reader rd = { &p->a, &p->sink, p->schema, &d->text };

	return rd;
}

/* Reads one item and returns its condition (NULL when it has errors). */
static const struct ir_expr *
item_cond(struct parsed *p, struct exc_set *set, const char *json)
{
	struct doc *d = parse_json(p, json);
	struct exc_reader rd = reader(p, d);

	assert_int_equal(exc_kind_of(d->v), EXC_ITEM);
	assert_true(exc_read_item(&rd, set, d->v));
	assert_true(set->items.n > 0);
	return set->items.v[set->items.n - 1]->cond;
}

static void
test_kind_of(void **state)
{
	struct parsed *p = *state;
	static const struct {
		const char *json;
		enum exc_kind kind;
	} cases[] = {
		{ "{\"rule_id\":\"r\",\"query\":\"any where true\"}", EXC_NONE },
		{ "{\"list_id\":\"l\",\"type\":\"detection\"}", EXC_LIST },
		{ "{\"list_id\":\"l\",\"item_id\":\"i\",\"entries\":[]}",
		  EXC_ITEM },
		{ "{\"exported_count\":3}", EXC_NONE },
		/* a rule with a list_id member stays a rule */
		{ "{\"rule_id\":\"r\",\"list_id\":\"l\"}", EXC_NONE },
		{ "[1]", EXC_NONE },
	};
	size_t i;

	setup_rule(p, "any where true");
	for (i = 0; i < sizeof cases / sizeof *cases; i++)
		assert_int_equal(exc_kind_of(parse_json(p, cases[i].json)->v),
				 cases[i].kind);
}

static void
test_entry_types(void **state)
{
	struct parsed *p = *state;
	struct exc_set set;
	const struct ir_expr *c, *x;

	memset(&set, 0, sizeof set);
	setup_rule(p, "any where true");
	/* match: a case-sensitive ==; excluded wraps it in not */
	c = item_cond(p, &set, "{\"list_id\":\"l\",\"item_id\":\"a\","
		      "\"entries\":[{\"field\":\"user.name\",\"operator\":"
		      "\"included\",\"type\":\"match\",\"value\":\"Bob\"},"
		      "{\"field\":\"process.pid\",\"operator\":\"excluded\","
		      "\"type\":\"match\",\"value\":\"42\"}]}");
	assert_non_null(c);
	assert_int_equal(c->kind, IR_AND);
	assert_int_equal(c->u.list.n, 2);
	x = c->u.list.v[0];
	assert_int_equal(x->kind, IR_CMP);
	assert_int_equal(x->u.cmp.op, IR_OP_EQ);
	assert_false(x->u.cmp.ci);
	assert_string_equal(x->u.cmp.l->u.f.name, "user.name");
	assert_int_equal(x->u.cmp.r->u.c.type, VT_STRING);
	x = c->u.list.v[1];
	assert_int_equal(x->kind, IR_NOT);
	assert_int_equal(x->u.sub->kind, IR_CMP);
	/* a number field reads the value as a number */
	assert_int_equal(x->u.sub->u.cmp.r->u.c.type, VT_LONG);
	assert_int_equal(x->u.sub->u.cmp.r->u.c.u.i, 42);

	/* match_any excluded: not in; exists: != null, excluded == null */
	c = item_cond(p, &set, "{\"list_id\":\"l\",\"item_id\":\"b\","
		      "\"entries\":[{\"field\":\"process.name\",\"operator\":"
		      "\"excluded\",\"type\":\"match_any\",\"value\":[\"a\","
		      "\"b\"]},{\"field\":\"host.id\",\"operator\":"
		      "\"included\",\"type\":\"exists\"},{\"field\":"
		      "\"user.name\",\"operator\":\"excluded\",\"type\":"
		      "\"exists\"}]}");
	assert_non_null(c);
	assert_int_equal(c->u.list.n, 3);
	x = c->u.list.v[0];
	assert_int_equal(x->kind, IR_IN);
	assert_true(x->u.in.neg);
	assert_false(x->u.in.ci);
	assert_int_equal(x->u.in.n, 2);
	x = c->u.list.v[1];
	assert_int_equal(x->kind, IR_CMP);
	assert_int_equal(x->u.cmp.op, IR_OP_NE);
	assert_int_equal(x->u.cmp.r->u.c.type, VT_NULL);
	assert_int_equal(c->u.list.v[2]->u.cmp.op, IR_OP_EQ);

	/* nested: the sub-entries on PARENT.FIELD, AND'ed; a boolean field
	 * reads "true" */
	c = item_cond(p, &set, "{\"list_id\":\"l\",\"item_id\":\"c\","
		      "\"entries\":[{\"field\":\"process\",\"type\":\"nested\","
		      "\"entries\":[{\"field\":\"name\",\"operator\":"
		      "\"included\",\"type\":\"match\",\"value\":\"x\"},"
		      "{\"field\":\"interactive\",\"operator\":\"included\","
		      "\"type\":\"match\",\"value\":\"true\"}]}]}");
	assert_non_null(c);
	assert_int_equal(c->kind, IR_AND);
	assert_string_equal(c->u.list.v[0]->u.cmp.l->u.f.name,
			    "process.name");
	assert_int_equal(c->u.list.v[1]->u.cmp.r->u.c.type, VT_BOOL);
	assert_true(c->u.list.v[1]->u.cmp.r->u.c.u.b);

	/* an IP field: cidrMatch, which takes addresses and networks */
	c = item_cond(p, &set, "{\"list_id\":\"l\",\"item_id\":\"d\","
		      "\"entries\":[{\"field\":\"source.ip\",\"operator\":"
		      "\"included\",\"type\":\"match\",\"value\":"
		      "\"10.0.0.0/8\"}]}");
	assert_non_null(c);
	assert_int_equal(c->kind, IR_CALL);
	assert_int_equal(c->u.call.fn, FN_CIDRMATCH);
	assert_int_equal(c->u.call.n, 2);

	/* os_types and a .caseless field (its parent, case-insensitive) */
	c = item_cond(p, &set, "{\"list_id\":\"l\",\"item_id\":\"e\","
		      "\"os_types\":[\"windows\"],\"entries\":[{\"field\":"
		      "\"process.name.caseless\",\"operator\":\"included\","
		      "\"type\":\"match\",\"value\":\"cmd.exe\"}]}");
	assert_non_null(c);
	assert_int_equal(c->kind, IR_AND);
	assert_int_equal(c->u.list.v[0]->kind, IR_OR);
	x = c->u.list.v[1];
	assert_true(x->u.cmp.ci);
	assert_string_equal(x->u.cmp.l->u.f.name, "process.name");
	assert_string_equal(x->u.cmp.l->u.f.src_name,
			    "process.name.caseless");
	assert_no_diags(p);
}

static void
test_wildcard_escapes(void **state)
{
	struct parsed *p = *state;
	static const struct {
		const char *json;       /* the value as written in JSON */
		enum ir_match_mode mode;
		const char *pattern;
	} cases[] = {
		{ "a*b?", MATCH_WILDCARD, "a*b?" },
		/* \\ is a backslash: C:\x\ then a wildcard */
		{ "C:\\\\\\\\x\\\\\\\\*", MATCH_WILDCARD, "C:\\x\\*" },
		/* \* is a literal star: a regular expression */
		{ "a\\\\*b.c", MATCH_REGEX, "a\\*b\\.c" },
		{ "x\\\\?*", MATCH_REGEX, "x\\?.*" },
		/* other escapes just drop the backslash */
		{ "\\\\a\\\\bc", MATCH_WILDCARD, "abc" },
		/* a trailing backslash is literal */
		{ "ab\\\\", MATCH_WILDCARD, "ab\\" },
	};
	struct exc_set set;
	size_t i;

	memset(&set, 0, sizeof set);
	setup_rule(p, "any where true");
	for (i = 0; i < sizeof cases / sizeof *cases; i++) {
		char json[256];
		const struct ir_expr *c;

		snprintf(json, sizeof json, "{\"list_id\":\"l\",\"item_id\":"
			 "\"w\",\"entries\":[{\"field\":\"process.name\","
			 "\"operator\":\"included\",\"type\":\"wildcard\","
			 "\"value\":\"%s\"}]}", cases[i].json);
		c = item_cond(p, &set, json);
		assert_non_null(c);
		assert_int_equal(c->kind, IR_MATCH);
		assert_false(c->u.match.ci);
		assert_int_equal(c->u.match.mode, cases[i].mode);
		assert_string_equal(c->u.match.v[0].u.s.s, cases[i].pattern);
	}
	assert_no_diags(p);
}

static void
test_item_errors(void **state)
{
	struct parsed *p = *state;
	static const char *const bad[] = {
		"{\"list_id\":\"l\",\"item_id\":\"a\",\"entries\":[]}",
		"{\"list_id\":\"l\",\"item_id\":\"a\",\"entries\":[{\"field\":"
		"\"user.name\",\"operator\":\"included\",\"type\":\"regex\","
		"\"value\":\"x\"}]}",
		"{\"list_id\":\"l\",\"item_id\":\"a\",\"entries\":[{\"field\":"
		"\"process.pid\",\"operator\":\"included\",\"type\":\"match\","
		"\"value\":\"x\"}]}",
		"{\"list_id\":\"l\",\"item_id\":\"a\",\"entries\":[{\"field\":"
		"\"user.name\",\"type\":\"match\",\"value\":\"x\"}]}",
	};
	struct exc_set set;
	size_t i;

	memset(&set, 0, sizeof set);
	setup_rule(p, "any where true");
	for (i = 0; i < sizeof bad / sizeof *bad; i++) {
		int before = p->ndiags;

		assert_null(item_cond(p, &set, bad[i]));
		assert_int_equal(p->ndiags, before + 1);
		assert_string_equal(diag_table[p->diags[before]->id].id,
				    "RC9201");
	}
	/* a value list entry is refused with its own check */
	assert_null(item_cond(p, &set, "{\"list_id\":\"l\",\"item_id\":"
			      "\"v\",\"entries\":[{\"field\":\"user.name\","
			      "\"operator\":\"included\",\"type\":\"list\","
			      "\"list\":{\"id\":\"ips.txt\",\"type\":"
			      "\"ip\"}}]}"));
	assert_string_equal(diag_table[p->diags[p->ndiags - 1]->id].id,
			    "RC9202");
}

/* Every stage (missing and until too) of the copy ends in `and not
 * (...)`; the rule's own query is untouched. */
static void
test_apply(void **state)
{
	struct parsed *p = *state;
	struct exc_set set;
	struct rule_exc re;
	struct ir_query *q;
	const struct ir_expr *before[3];
	size_t i;

	memset(&set, 0, sizeof set);
	memset(&re, 0, sizeof re);
	setup_rule(p, "sequence by host.id with maxspan=1m "
		   "[process where process.name == \"a\"] "
		   "![process where process.name == \"b\"] "
		   "[process where true] "
		   "until [process where process.name == \"c\"]");
	for (i = 0; i < 3; i++)
		before[i] = p->ir->stages[i].cond;
	/* no item: the query itself */
	assert_ptr_equal(exc_apply(p->ir, &re, &p->a), p->ir);
	item_cond(p, &set, "{\"list_id\":\"l\",\"item_id\":\"a\","
		  "\"entries\":[{\"field\":\"user.name\",\"operator\":"
		  "\"included\",\"type\":\"match\",\"value\":\"x\"}]}");
	re.refs = &(struct exc_ref){ "l", "single", { 0, 0 } };
	re.nrefs = 1;
	assert_true(exc_bind(&re, &set, &p->a, NULL, "r"));
	assert_int_equal(re.nitems, 1);
	q = exc_apply(p->ir, &re, &p->a);
	assert_non_null(q);
	assert_ptr_not_equal(q, p->ir);
	assert_int_equal(q->nstages, 3);
	for (i = 0; i <= 3; i++) {
		const struct ir_stage *st = i < 3 ? &q->stages[i] : q->until;
		const struct ir_expr *c = st->cond;

		assert_int_equal(c->kind, IR_AND);
		assert_int_equal(c->u.list.n, 2);
		assert_int_equal(c->u.list.v[1]->kind, IR_NOT);
		assert_ptr_equal(c->u.list.v[1]->u.sub, set.items.v[0]->cond);
	}
	assert_true(q->stages[1].missing);
	for (i = 0; i < 3; i++)
		assert_ptr_equal(p->ir->stages[i].cond, before[i]);
	assert_int_equal(p->ir->until->cond->kind, IR_CMP);
}

/* A reference to no list is a warning; a list with a broken item makes
 * the rule bad, with an error at its reference. */
static void
test_bind(void **state)
{
	struct parsed *p = *state;
	struct exc_set set;
	struct rule_exc re;
	struct exc_ref refs[3] = {
		{ "good", "single", { 0, 1 } },
		{ "gone", "single", { 0, 1 } },
		{ "good", "agnostic", { 0, 1 } },
	};
	struct doc *d;
	struct exc_reader rd;

	memset(&set, 0, sizeof set);
	memset(&re, 0, sizeof re);
	setup_rule(p, "any where true");
	d = parse_json(p, "{\"list_id\":\"good\",\"type\":\"detection\"}");
	rd = reader(p, d);
	assert_true(exc_read_list(&rd, &set, d->v));
	item_cond(p, &set, "{\"list_id\":\"good\",\"item_id\":\"a\","
		  "\"entries\":[{\"field\":\"user.name\",\"operator\":"
		  "\"included\",\"type\":\"exists\"}]}");
	re.doc = &d->text;
	re.refs = refs;
	re.nrefs = 3;
	assert_true(exc_bind(&re, &set, &p->a, &p->sink, "r"));
	assert_int_equal(re.nitems, 1);
	assert_false(re.bad);
	/* "gone" and the agnostic "good" are in none of the inputs */
	assert_int_equal(p->ndiags, 2);
	assert_string_equal(diag_table[p->diags[0]->id].id, "RC9203");
	assert_string_equal(diag_table[p->diags[1]->id].id, "RC9203");

	item_cond(p, &set, "{\"list_id\":\"good\",\"item_id\":\"b\","
		  "\"entries\":[{\"field\":\"user.name\",\"operator\":"
		  "\"sometimes\",\"type\":\"exists\"}]}");
	assert_int_equal(p->ndiags, 3);
	re.nrefs = 1;
	assert_true(exc_bind(&re, &set, &p->a, &p->sink, "r"));
	assert_int_equal(re.nitems, 2);
	assert_true(re.bad);
	assert_int_equal(p->ndiags, 4);
	assert_string_equal(diag_table[p->diags[3]->id].id, "RC9201");
	assert_diag_msg(p, 3, "is not run");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PTEST(test_kind_of),
		PTEST(test_entry_types),
		PTEST(test_wildcard_escapes),
		PTEST(test_item_errors),
		PTEST(test_apply),
		PTEST(test_bind),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
