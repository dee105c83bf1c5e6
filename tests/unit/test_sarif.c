/*
 * test_sarif.c - the SARIF log that `rulec lint --format sarif` writes,
 * built through the public API and read back with rulec's JSON parser:
 * SARIF 2.1.0 shape, every check a rule, results pointing at their rule,
 * regions, related locations, and levels following -W settings.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "rulec.h"

struct log {
	struct strbuf sb;
	unsigned n;
};

static void
collect(void *ud, const rulec_diag *d)
{
	struct log *l = ud;
	char *s = rulec_diag_render(d, RULEC_FORMAT_SARIF, 0);

	assert_non_null(s);
	if (l->n++)
		sb_putc(&l->sb, ',');
	sb_puts(&l->sb, s);
	free(s);
}

/* Lints `text` as `name` and returns the parsed SARIF log. */
static const struct json_value *
sarif_of(struct arena *a, struct log *l, const char *name, const char *text,
	 const char *off)
{
	rulec_ctx *ctx = rulec_ctx_new();
	char *head;
	struct json_error err;
	const struct json_value *v;

	assert_non_null(ctx);
	memset(l, 0, sizeof *l);
	if (off)
		assert_int_equal(rulec_ctx_set_severity(ctx, off,
					RULEC_SEVERITY_OFF), RULEC_OK);
	/* the rules here are not published rules: no metadata findings */
	assert_int_equal(rulec_ctx_set_severity(ctx, "missing-metadata",
				RULEC_SEVERITY_OFF), RULEC_OK);
	rulec_ctx_set_diag_handler(ctx, collect, l);
	head = rulec_sarif_head();
	assert_non_null(head);
	sb_puts(&l->sb, head);
	free(head);
	rulec_ctx_load_buffer(ctx, name, text, strlen(text));
	rulec_ctx_finish(ctx);
	sb_puts(&l->sb, rulec_sarif_tail());
	rulec_ctx_free(ctx);
	v = json_parse(a, l->sb.data, l->sb.len, &err);
	if (!v)
		fail_msg("SARIF does not parse: %s at %u", err.message,
			 err.offset);
	return v;
}

static const struct json_value *
at(const struct json_value *v, const char *key)
{
	const struct json_value *r = json_get(v, key);

	if (!r)
		fail_msg("no member '%s'", key);
	return r;
}

static void
test_shape(void **state)
{
	struct arena a;
	struct log l;
	const struct json_value *log, *run, *rules, *results, *res, *loc;
	size_t i;

	(void)state;
	arena_init(&a, NULL);
	/* two rules: an error stops a rule before the checks, so the
	 * unknown field is in a rule of its own */
	log = sarif_of(&a, &l, "q.ndjson",
		       "{\"language\":\"eql\",\"query\":\"process where "
		       "process.nmae == \\\"a\\\"\"}\n"
		       "{\"language\":\"eql\",\"query\":\"process where "
		       "process.name == process.parent.name\"}\n", NULL);
	assert_string_equal(at(log, "version")->u.str.s, "2.1.0");
	run = at(log, "runs")->u.arr.items[0];
	assert_string_equal(at(run, "columnKind")->u.str.s,
			    "unicodeCodePoints");
	rules = at(at(at(run, "tool"), "driver"), "rules");
	assert_int_equal(rules->u.arr.n, rulec_check_count());
	for (i = 0; i < rules->u.arr.n; i++) {
		const struct json_value *r = rules->u.arr.items[i];
		assert_string_equal(at(r, "id")->u.str.s,
				    rulec_check_field(i, "id"));
		assert_non_null(at(at(r, "fullDescription"), "text"));
	}
	results = at(run, "results");
	/* the field comparison (error) and the unknown field (warning) */
	assert_int_equal(results->u.arr.n, 2);
	for (i = 0; i < results->u.arr.n; i++) {
		int64_t ix;
		res = results->u.arr.items[i];
		ix = at(res, "ruleIndex")->u.num.i;
		assert_string_equal(at(res, "ruleId")->u.str.s,
				    at(rules->u.arr.items[ix], "id")->u.str.s);
	}
	res = results->u.arr.items[0];
	assert_string_equal(at(res, "ruleId")->u.str.s, "RC2012");
	assert_string_equal(at(res, "level")->u.str.s, "warning");
	loc = at(at(at(res, "locations")->u.arr.items[0], "physicalLocation"),
		 "region");
	/* inside the JSON string of line 1: the query starts at column 28
	 * ({"language":"eql","query":" is 27 characters), the field 14
	 * characters later, and is 12 characters long */
	assert_int_equal(at(loc, "startLine")->u.num.i, 1);
	assert_int_equal(at(loc, "startColumn")->u.num.i, 42);
	assert_int_equal(at(loc, "endColumn")->u.num.i, 54);
	res = results->u.arr.items[1];
	assert_string_equal(at(res, "ruleId")->u.str.s, "RC3001");
	assert_string_equal(at(res, "level")->u.str.s, "error");
	/* the notes "left side" and "right side" */
	assert_int_equal(at(res, "relatedLocations")->u.arr.n, 2);
	sb_free(&l.sb);
	arena_release(&a);
}

static void
test_settings_and_escaping(void **state)
{
	struct arena a;
	struct log l;
	const struct json_value *log, *results;

	(void)state;
	arena_init(&a, NULL);
	/* a path that needs percent-encoding, and a check turned off */
	log = sarif_of(&a, &l, "dir with space/q\"1.eql",
		       "process where process.nmae == \"a\"\n",
		       "unknown-field");
	results = at(at(log, "runs")->u.arr.items[0], "results");
	assert_int_equal(results->u.arr.n, 0);
	sb_free(&l.sb);
	log = sarif_of(&a, &l, "dir with space/q\"1.eql",
		       "process where process.nmae == \"a\"\n", NULL);
	results = at(at(log, "runs")->u.arr.items[0], "results");
	assert_int_equal(results->u.arr.n, 1);
	assert_string_equal(at(at(at(at(results->u.arr.items[0], "locations")
				       ->u.arr.items[0], "physicalLocation"),
			       "artifactLocation"), "uri")->u.str.s,
			    "dir%20with%20space/q%221.eql");
	sb_free(&l.sb);
	arena_release(&a);
}

/* Each result names its rule as a logical location of its location:
 * name and fullyQualifiedName the rule's name, decoratedName its id,
 * kind "object" for a rule object; none for a bare query. */
static void
test_logical_locations(void **state)
{
	struct arena a;
	struct log l;
	const struct json_value *log, *results, *loc, *ll;

	(void)state;
	arena_init(&a, NULL);
	log = sarif_of(&a, &l, "q.ndjson",
		       "{\"rule_id\":\"r-1\",\"name\":\"One\",\"language\":"
		       "\"eql\",\"query\":\"process where process.nmae == "
		       "\\\"a\\\"\"}\n"
		       "{\"rule_id\":\"r-2\",\"language\":\"eql\",\"query\":"
		       "\"process where process.nmae == \\\"b\\\"\"}\n", NULL);
	results = at(at(log, "runs")->u.arr.items[0], "results");
	assert_int_equal(results->u.arr.n, 2);
	loc = at(results->u.arr.items[0], "locations")->u.arr.items[0];
	ll = at(loc, "logicalLocations");
	assert_int_equal(ll->u.arr.n, 1);
	ll = ll->u.arr.items[0];
	assert_string_equal(at(ll, "name")->u.str.s, "One");
	assert_string_equal(at(ll, "fullyQualifiedName")->u.str.s, "One");
	assert_string_equal(at(ll, "decoratedName")->u.str.s, "r-1");
	assert_string_equal(at(ll, "kind")->u.str.s, "object");
	/* no name: the id names it */
	loc = at(results->u.arr.items[1], "locations")->u.arr.items[0];
	ll = at(loc, "logicalLocations")->u.arr.items[0];
	assert_string_equal(at(ll, "name")->u.str.s, "r-2");
	sb_free(&l.sb);
	log = sarif_of(&a, &l, "q.eql", "process where process.nmae == \"a\"\n",
		       NULL);
	results = at(at(log, "runs")->u.arr.items[0], "results");
	assert_int_equal(results->u.arr.n, 1);
	loc = at(results->u.arr.items[0], "locations")->u.arr.items[0];
	assert_null(json_get(loc, "logicalLocations"));
	sb_free(&l.sb);
	arena_release(&a);
}

/* rulec test --format sarif: a failed test is a result of check
 * test-failed, located at the test's name; passed and skipped tests and
 * other formats give nothing. */
static void
test_test_case_result(void **state)
{
	struct arena a;
	struct strbuf sb = STRBUF_INIT;
	rulec_test_case c;
	const struct json_value *log, *res, *rules, *loc;
	struct json_error err;
	char *head, *r;

	(void)state;
	arena_init(&a, NULL);
	memset(&c, 0, sizeof c);
	c.suite = "rules/x.test.toml";
	c.rule_file = "rules/x.eql";
	c.name = "x \"quoted\"";
	c.line = 7;
	c.column = 8;
	c.status = RULEC_TEST_PASS;
	assert_null(rulec_test_case_render(&c, RULEC_FORMAT_SARIF));
	c.status = RULEC_TEST_SKIP;
	assert_null(rulec_test_case_render(&c, RULEC_FORMAT_SARIF));
	c.status = RULEC_TEST_FAIL;
	c.message = "expected 1 result, got 0";
	assert_null(rulec_test_case_render(&c, RULEC_FORMAT_JSON));
	r = rulec_test_case_render(&c, RULEC_FORMAT_SARIF);
	assert_non_null(r);
	head = rulec_sarif_head();
	sb_puts(&sb, head);
	sb_puts(&sb, r);
	sb_puts(&sb, rulec_sarif_tail());
	free(head);
	free(r);
	log = json_parse(&a, sb.data, sb.len, &err);
	if (!log)
		fail_msg("SARIF does not parse: %s at %u", err.message,
			 err.offset);
	rules = at(at(at(at(log, "runs")->u.arr.items[0], "tool"), "driver"),
		   "rules");
	res = at(at(log, "runs")->u.arr.items[0], "results")->u.arr.items[0];
	assert_string_equal(at(res, "ruleId")->u.str.s, "RC9107");
	assert_string_equal(at(rules->u.arr.items[at(res, "ruleIndex")->u.num.i],
			       "name")->u.str.s, "test-failed");
	assert_string_equal(at(res, "level")->u.str.s, "error");
	assert_string_equal(at(at(res, "message"), "text")->u.str.s,
			    "\"x \"quoted\"\": expected 1 result, got 0 (rule "
			    "file rules/x.eql)");
	loc = at(at(res, "locations")->u.arr.items[0], "physicalLocation");
	assert_string_equal(at(at(loc, "artifactLocation"), "uri")->u.str.s,
			    "rules/x.test.toml");
	assert_int_equal(at(at(loc, "region"), "startLine")->u.num.i, 7);
	assert_int_equal(at(at(loc, "region"), "startColumn")->u.num.i, 8);
	sb_free(&sb);
	arena_release(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_settings_and_escaping),
		cmocka_unit_test(test_logical_locations),
		cmocka_unit_test(test_test_case_result),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
