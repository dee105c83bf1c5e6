/*
 * test_ruleschema.c - the Kibana rule schema (src/sema/ruleschema.h): the
 * built-in schemas/kibana-eql-rule.tsv loads, schema files with errors are
 * refused with their line, and rule objects are checked against it: each
 * kind of violation with its path, place and help, which check reports
 * it (Kibana's RC7101, RC7102, RC7103, or detection-rules' alone RC7104),
 * and the keys other checks own are left to them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/json.h"
#include "base/toml.h"
#include "sema/ruleschema.h"

extern const char rc_kibana_eql_rule[];
extern const size_t rc_kibana_eql_rule_len;

/* --- helpers ------------------------------------------------------------ */

enum { MAX_GOT = 16 };

struct got {
	enum diag_id id;
	uint32_t start, end;
	const char *msg, *help, *note;
};

struct fixture {
	struct arena arena;
	struct diag_sink sink;
	struct rule_schema *schema;
	struct rc_source src;
	struct rc_text doc;
	struct got got[MAX_GOT];
	size_t ngot;
};

static void
collect(void *ud, const struct diag *d)
{
	struct fixture *f = ud;

	if (f->ngot < MAX_GOT) {
		struct got *g = &f->got[f->ngot];
		g->id = d->id;
		g->start = d->span.start;
		g->end = d->span.end;
		g->msg = d->msg;
		g->help = d->help;
		g->note = d->notes ? d->notes->msg : NULL;
	}
	f->ngot++;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);
	char err[128];

	if (!f)
		return -1;
	arena_init(&f->arena, NULL);
	diag_sink_init(&f->sink, &f->arena);
	f->sink.fn = collect;
	f->sink.ud = f;
	f->schema = rule_schema_new(rc_kibana_eql_rule, rc_kibana_eql_rule_len,
				    err, sizeof err);
	if (!f->schema) {
		print_error("built-in schema: %s\n", err);
		return -1;
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	rule_schema_free(f->schema);
	diag_sink_free(&f->sink);
	arena_release(&f->arena);
	free(f);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* Checks the rule object of `text` (JSON, or TOML's [rule] table). */
static void
check_doc(struct fixture *f, const char *text, bool toml)
{
	const struct json_value *v;

	f->src.name = toml ? "r.toml" : "r.json";
	f->src.data = text;
	f->src.len = strlen(text);
	f->doc.src = &f->src;
	f->doc.data = text;
	f->doc.len = f->src.len;
	v = toml ? toml_parse(&f->arena, text, f->src.len, NULL)
		 : json_parse(&f->arena, text, f->src.len, NULL);
	assert_non_null(v);
	if (toml)
		v = json_get(v, "rule");
	assert_non_null(v);
	f->ngot = 0;
	rule_schema_check(f->schema, &f->sink, &f->arena, &f->doc, v);
}

static void
check(struct fixture *f, const char *json)
{
	check_doc(f, json, false);
}

/* Finding i: its check, the text under its span, words of its message. */
static void
assert_got(const struct fixture *f, size_t i, enum diag_id id,
	   const char *at, const char *msg)
{
	const struct got *g;

	if (i >= f->ngot) {
		print_error("only %zu finding(s)\n", f->ngot);
		fail();
	}
	g = &f->got[i];
	if (g->id != id || !strstr(g->msg, msg))
		print_error("#%zu: %s: %s\n", i, diag_table[g->id].id, g->msg);
	assert_int_equal(g->id, id);
	assert_non_null(strstr(g->msg, msg));
	assert_int_equal(g->end - g->start, strlen(at));
	assert_memory_equal(f->doc.data + g->start, at, strlen(at));
}

static void
assert_help(const struct fixture *f, size_t i, const char *help)
{
	assert_true(i < f->ngot);
	assert_non_null(f->got[i].help);
	if (!strstr(f->got[i].help, help))
		print_error("help: %s\n", f->got[i].help);
	assert_non_null(strstr(f->got[i].help, help));
}

static void
assert_count(const struct fixture *f, size_t n)
{
	size_t i;

	if (f->ngot != n)
		for (i = 0; i < f->ngot && i < MAX_GOT; i++)
			print_error("#%zu: %s: %s\n", i,
				    diag_table[f->got[i].id].id,
				    f->got[i].msg);
	assert_int_equal(f->ngot, n);
}

/* The keys every rule below has, so that only the key under test is
 * wrong: everything Kibana and detection-rules require. */
#define BASE "\"rule_id\": \"0b6d4c1e-6a3f-4c59-9f0e-8d2b7c1a5e01\", " \
	"\"name\": \"n\", \"description\": \"d\", \"author\": [\"a\"], " \
	"\"severity\": \"low\", \"risk_score\": 21, \"language\": \"eql\", " \
	"\"type\": \"eql\", \"query\": \"any where true\""

/* --- the schema ----------------------------------------------------------- */

static void
test_builtin_loads(void **state)
{
	struct fixture *f = *state;

	assert_non_null(f->schema);
}

/* Schema text with an error: NULL, and the error names the line. */
static void
assert_refused(const char *text, const char *want)
{
	char err[160];
	struct rule_schema *s = rule_schema_new(text, strlen(text), err,
						 sizeof err);

	if (s || !strstr(err, want))
		print_error("got: %s\n", s ? "a schema" : err);
	assert_null(s);
	assert_non_null(strstr(err, want));
}

#define ROOT ".\tobject\t-\t-\t-\t-\t-\t-\t-\t-\t-\tclosed\tboth\t-\n"

static void
test_bad_schema_files(void **state)
{
	(void)state;
	assert_refused("a\tstring\n", "line 1: expected 14");
	assert_refused(ROOT "a\tstrin\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tboth\t-\n",
		       "line 2: unknown type 'strin'");
	assert_refused(ROOT "a.b\tstring\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tboth"
		       "\t-\n", "line 2: 'a.b' comes before its parent");
	assert_refused(ROOT "a\tstring\t-\t-\t[\t-\t-\t-\t-\t-\t-\t-\tboth"
		       "\t-\n", "line 2: pattern '[' does not compile");
	assert_refused(ROOT "a\tstring\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tboth\t-\n"
		       "a\tstring\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tboth\t-\n",
		       "line 3: key path given twice");
	assert_refused(ROOT "a\tstring\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\tboth"
		       "\tshape\n", "line 2: unknown constraint 'shape'");
	assert_refused("# nothing\n", "no line for the rule object");
}

/* --- rule objects ---------------------------------------------------------- */

static void
test_clean_rule(void **state)
{
	struct fixture *f = *state;

	/* every check on: a complete rule with nested objects is silent */
	f->sink.level[D_KIBANA_REQUIRED] = SEV_WARNING;
	f->sink.level[D_DR_SCHEMA] = SEV_WARNING;
	check(f, "{" BASE ", \"interval\": \"5m\", \"max_signals\": 100, "
	      "\"threat\": [{\"framework\": \"MITRE ATT&CK\", \"tactic\": "
	      "{\"id\": \"TA0002\", \"name\": \"Execution\", \"reference\": "
	      "\"https://attack.mitre.org/tactics/TA0002/\"}, \"technique\": "
	      "[{\"id\": \"T1059\", \"name\": \"C\", \"reference\": "
	      "\"https://attack.mitre.org/techniques/T1059/\", "
	      "\"subtechnique\": [{\"id\": \"T1059.001\", \"name\": \"P\", "
	      "\"reference\": \"https://attack.mitre.org/techniques/T1059/001/\""
	      "}]}]}], \"alert_suppression\": {\"group_by\": [\"host.id\"], "
	      "\"duration\": {\"value\": 5, \"unit\": \"m\"}}, "
	      "\"meta\": {\"anything\": [1, {\"x\": null}]}, "
	      "\"timeline_id\": null}");
	assert_count(f, 0);
}

static void
test_types(void **state)
{
	struct fixture *f = *state;

	check(f, "{" BASE ", \"enabled\": \"yes\", \"tags\": [\"a\", 3], "
	      "\"max_signals\": 2.5, \"version\": 2.0}");
	assert_count(f, 3);
	assert_got(f, 0, D_KIBANA_SCHEMA, "\"yes\"",
		   "'enabled' must be true or false, not string");
	assert_got(f, 1, D_KIBANA_SCHEMA, "3",
		   "'tags[1]' must be a string, not number");
	assert_got(f, 2, D_KIBANA_SCHEMA, "2.5",
		   "'max_signals' must be a whole number, not 2.5");
	assert_help(f, 2, "write 2 or 3");
}

static void
test_values(void **state)
{
	struct fixture *f = *state;

	check(f, "{" BASE ", \"interval\": \"05 m\", \"max_signals\": 0, "
	      "\"alert_suppression\": {\"group_by\": [\"a\", \"b\", \"c\", "
	      "\"d\"], \"missing_fields_strategy\": \"donotsuppress\"}, "
	      "\"investigation_fields\": {\"field_names\": [\"\"]}}");
	assert_count(f, 5);
	assert_got(f, 0, D_KIBANA_SCHEMA, "\"05 m\"",
		   "'interval' must be a whole number above 0 followed by s, "
		   "m, h or d");
	assert_got(f, 1, D_KIBANA_SCHEMA, "0",
		   "'max_signals' must be at least 1, not 0");
	assert_got(f, 2, D_KIBANA_SCHEMA, "[\"a\", \"b\", \"c\", \"d\"]",
		   "'alert_suppression.group_by' may have at most 3 items, "
		   "not 4");
	assert_got(f, 3, D_KIBANA_SCHEMA, "\"donotsuppress\"",
		   "must be \"suppress\" or \"doNotSuppress\", not "
		   "\"donotsuppress\"");
	assert_help(f, 3, "write \"doNotSuppress\"");
	assert_got(f, 4, D_KIBANA_SCHEMA, "\"\"",
		   "'investigation_fields.field_names[0]' must not be empty");
	/* Kibana's interval form is stricter than detection-rules': 0m */
	check(f, "{" BASE ", \"interval\": \"0m\"}");
	assert_count(f, 1);
}

static void
test_nested_required(void **state)
{
	struct fixture *f = *state;

	check(f, "{" BASE ", \"threat\": [{\"tactic\": {\"id\": \"TA0002\"}}]}");
	assert_count(f, 2);
	/* (in the order found: inner objects first) at the key that holds
	 * the object; the missing keys in one finding */
	assert_got(f, 0, D_KIBANA_SCHEMA, "\"tactic\"",
		   "'threat[0].tactic' has no 'name' or 'reference'");
	/* an item of an array: at its first byte */
	assert_got(f, 1, D_KIBANA_SCHEMA, "{",
		   "'threat[0]' has no 'framework', which Kibana requires");
	assert_help(f, 1, "add \"framework\" (\"MITRE ATT&CK\" or "
		    "\"MITRE ATLAS\")");
}

static void
test_misspelt_keys(void **state)
{
	struct fixture *f = *state;

	/* a misspelt required key: one error saying what to rename */
	check(f, "{" BASE ", \"threat\": [{\"framework\": \"MITRE ATT&CK\", "
	      "\"tactics\": {\"id\": \"TA0002\", \"name\": \"Execution\", "
	      "\"reference\": \"r\"}}]}");
	assert_count(f, 1);
	assert_got(f, 0, D_KIBANA_SCHEMA, "{", "'threat[0]' has no 'tactic'");
	assert_non_null(f->got[0].note);
	assert_non_null(strstr(f->got[0].note, "'tactics' is written here"));
	assert_help(f, 0, "rename 'tactics' to 'tactic'");
	/* a misspelt optional key: Kibana would drop it */
	check(f, "{" BASE ", \"timestamp_overide\": \"event.ingested\"}");
	assert_count(f, 1);
	assert_got(f, 0, D_UNKNOWN_RULE_KEY, "\"timestamp_overide\"",
		   "'timestamp_overide' is not a key of the rule: Kibana "
		   "ignores it");
	assert_help(f, 0, "did you mean 'timestamp_override'?");
	/* keys far from every known one are other tools' own: silent */
	check(f, "{" BASE ", \"maturity\": \"production\", \"path\": \"x\"}");
	assert_count(f, 0);
	/* Kibana's server-side keys are known */
	check(f, "{" BASE ", \"id\": \"x\", \"created_at\": \"2024-01-01\", "
	      "\"immutable\": false, \"rule_source\": {\"type\": "
	      "\"internal\"}, \"revision\": 3}");
	assert_count(f, 0);
	check(f, "{" BASE ", \"immutable\": \"no\", \"revision\": -1}");
	assert_count(f, 2);
}

static void
test_top_level_required(void **state)
{
	struct fixture *f = *state;
	const char *rule = "{\"rule_id\": \"0b6d4c1e-6a3f-4c59-9f0e-"
			   "8d2b7c1a5e01\", \"name\": \"n\", \"severity\": "
			   "\"low\", \"risk_score\": 21, \"query\": \"any "
			   "where true\"}";

	/* off by default */
	check(f, rule);
	assert_count(f, 0);
	f->sink.level[D_KIBANA_REQUIRED] = SEV_WARNING;
	check(f, rule);
	assert_count(f, 1);
	assert_got(f, 0, D_KIBANA_REQUIRED, "{", "the rule has no "
		   "'description', 'language' or 'type', which Kibana's import "
		   "requires");
	assert_help(f, 0, "add \"description\" (a string), \"language\": "
		    "\"eql\", \"type\": \"eql\"");
	/* a misspelt one is a rename, and only once */
	check(f, "{\"rule_id\": \"x\", \"name\": \"n\", \"language\": \"eql\", "
	      "\"type\": \"eql\", \"query\": \"q\", \"descripton\": \"d\"}");
	assert_count(f, 1);
	assert_help(f, 0, "rename 'descripton' to 'description'");
}

static void
test_owned_keys(void **state)
{
	struct fixture *f = *state;

	/* RC9003, RC7001, RC7002 and RC7003 judge these: nothing here */
	check(f, "{\"rule_id\": 5, \"name\": 6, \"severity\": \"Hihg\", "
	      "\"risk_score\": 120, \"description\": \"d\", \"language\": "
	      "\"eql\", \"type\": \"eql\", \"index\": \"x\", \"threat\": {}, "
	      "\"timestamp_override\": 1}");
	assert_count(f, 0);
	/* but a risk score that is not whole is Kibana's alone */
	check(f, "{" "\"name\": \"n\", \"risk_score\": 47.5}");
	assert_count(f, 1);
	assert_got(f, 0, D_KIBANA_SCHEMA, "47.5", "whole number");
}

static void
test_detection_rules_only(void **state)
{
	struct fixture *f = *state;
	const char *rule = "{\"rule_id\": \"r-1\", \"name\": \"n\", "
			   "\"description\": \"d\", \"severity\": \"low\", "
			   "\"risk_score\": 21, \"language\": \"eql\", "
			   "\"type\": \"eql\", \"query\": \"q\", "
			   "\"building_block_type\": \"yes\", \"id\": \"i\", "
			   "\"path\": \"p\", \"threat_mappings\": [{}]}";

	/* Kibana imports it: silent by default */
	check(f, rule);
	assert_count(f, 0);
	f->sink.level[D_DR_SCHEMA] = SEV_WARNING;
	check(f, rule);
	assert_count(f, 6);
	assert_got(f, 0, D_DR_SCHEMA, "\"r-1\"", "detection-rules' schema: "
		   "'rule_id' must be a lower-case UUID");
	assert_got(f, 1, D_DR_SCHEMA, "\"yes\"",
		   "'building_block_type' must be \"default\", not \"yes\"");
	assert_got(f, 2, D_DR_SCHEMA, "\"id\"",
		   "'id' is not a key of the rule (Kibana's own key)");
	assert_got(f, 3, D_DR_SCHEMA, "\"path\"",
		   "'path' is not a key of the rule");
	/* under a key Kibana drops, everything is detection-rules' alone */
	assert_got(f, 4, D_DR_SCHEMA, "{",
		   "'threat_mappings[0]' has no 'framework', 'threat' or "
		   "'version'");
	assert_got(f, 5, D_DR_SCHEMA, "{", "the rule has no 'author'");
}

static void
test_hunts_and_nulls(void **state)
{
	struct fixture *f = *state;

	/* a hunting query is no Kibana rule */
	check(f, "{\"name\": \"h\", \"type\": \"hunt\", \"language\": \"eql\", "
	      "\"max_signals\": 0, \"timestamp_overide\": \"x\"}");
	assert_count(f, 0);
	/* null is absent: not a wrong type, but a missing required key */
	check(f, "{" BASE ", \"note\": null, \"threat\": [{\"framework\": "
	      "null, \"tactic\": {\"id\": \"TA0002\", \"name\": \"E\", "
	      "\"reference\": \"r\"}}]}");
	assert_count(f, 1);
	assert_got(f, 0, D_KIBANA_SCHEMA, "{", "has no 'framework'");
}

static void
test_toml_rule(void **state)
{
	struct fixture *f = *state;

	/* the [rule] table of a detection-rules TOML file, spans in it */
	check_doc(f, "[metadata]\nmaturity = \"production\"\n\n[rule]\n"
		  "author = [\"a\"]\ndescription = \"d\"\nlanguage = \"eql\"\n"
		  "name = \"n\"\nrisk_score = 21\nrule_id = \"0b6d4c1e-6a3f-"
		  "4c59-9f0e-8d2b7c1a5e01\"\nseverity = \"low\"\ntype = \"eql\"\n"
		  "interval = \"5 m\"\nquery = '''\nany where true\n'''\n\n"
		  "[[rule.threat]]\nframework = \"MITRE ATT&CK\"\n\n"
		  "[rule.threat.tactic]\nid = \"TA0002\"\nname = \"Execution\"\n",
		  true);
	assert_count(f, 2);
	assert_got(f, 0, D_KIBANA_SCHEMA, "\"5 m\"", "'interval' must be");
	assert_got(f, 1, D_KIBANA_SCHEMA, "tactic",
		   "'threat[0].tactic' has no 'reference'");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_builtin_loads),
		T(test_bad_schema_files),
		T(test_clean_rule),
		T(test_types),
		T(test_values),
		T(test_nested_required),
		T(test_misspelt_keys),
		T(test_top_level_required),
		T(test_owned_keys),
		T(test_detection_rules_only),
		T(test_hunts_and_nulls),
		T(test_toml_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
