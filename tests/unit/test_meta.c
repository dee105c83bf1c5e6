/*
 * test_meta.c - the metadata record of a rule (src/sema/meta.h) read from
 * an Elastic rule object: values with their spans, members of the wrong
 * type, the threat lists, the look-back window, the timestamp fallback
 * setting, the [metadata] table of a TOML rule file, and the dump.
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
#include "base/toml.h"
#include "sema/meta.h"

/* --- helpers ------------------------------------------------------------ */

struct fixture {
	struct arena arena;
	struct diag_sink sink;
	struct rc_text doc;
	struct rule_meta m;
	enum diag_id got[8];
	size_t ngot;
};

static void
collect(void *ud, const struct diag *d)
{
	struct fixture *f = ud;

	if (f->ngot < 8)
		f->got[f->ngot] = d->id;
	f->ngot++;
}

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	arena_init(&f->arena, NULL);
	diag_sink_init(&f->sink, &f->arena);
	f->sink.fn = collect;
	f->sink.ud = f;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;

	diag_sink_free(&f->sink);
	arena_release(&f->arena);
	free(f);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* Reads the record of the rule object `json`. */
static const struct rule_meta *
meta_of(struct fixture *f, const char *json)
{
	const struct json_value *obj;

	f->doc.data = json;
	f->doc.len = strlen(json);
	obj = json_parse(&f->arena, json, f->doc.len, NULL);
	assert_non_null(obj);
	memset(&f->m, 0, sizeof f->m);
	f->ngot = 0;
	rule_meta_read_json(&f->m, &f->arena, &f->sink, &f->doc, obj);
	return &f->m;
}

/* Reads the record of a TOML rule file: its [rule] table, then its
 * [metadata]. */
static const struct rule_meta *
meta_of_toml(struct fixture *f, const char *toml)
{
	const struct json_value *file, *rule;

	f->doc.data = toml;
	f->doc.len = strlen(toml);
	file = toml_parse(&f->arena, toml, f->doc.len, NULL);
	assert_non_null(file);
	rule = json_get(file, "rule");
	assert_non_null(rule);
	memset(&f->m, 0, sizeof f->m);
	f->ngot = 0;
	rule_meta_read_json(&f->m, &f->arena, &f->sink, &f->doc, rule);
	rule_meta_read_toml(&f->m, &f->arena, &f->sink, &f->doc, file);
	return &f->m;
}

/* The text of the document under a span. */
static void
assert_at(const struct fixture *f, struct span sp, const char *want)
{
	assert_true(sp.end <= f->doc.len);
	assert_int_equal(sp.end - sp.start, strlen(want));
	assert_memory_equal(f->doc.data + sp.start, want, strlen(want));
}

/* --- tests -------------------------------------------------------------- */

static void
test_members_and_spans(void **state)
{
	struct fixture *f = *state;
	const struct rule_meta *m = meta_of(f, "{\"rule_id\": \"r1\", \"name\": "
		"\"N\", \"severity\": \"high\", \"risk_score\": 73.0, "
		"\"index\": [\"logs-*\", \"x\"], \"tags\": [\"t\"], "
		"\"timestamp_override\": \"event.ingested\", \"type\": \"eql\","
		" \"interval\": \"5m\", \"query\": \"any where true\"}");

	assert_true(m->object);
	assert_int_equal(f->ngot, 0);
	assert_string_equal(m->id, "r1");
	assert_at(f, m->id_span, "\"r1\"");
	assert_string_equal(m->name, "N");
	assert_string_equal(m->severity, "high");
	assert_at(f, m->severity_span, "\"high\"");
	assert_true(m->has_risk_score);
	assert_true(m->risk_score == 73.0);
	assert_string_equal(m->risk_text, "73.0");
	assert_at(f, m->risk_span, "73.0");
	assert_int_equal(m->nindex, 2);
	assert_string_equal(m->index[1].s, "x");
	assert_at(f, m->index[0].span, "\"logs-*\"");
	assert_int_equal(m->ntags, 1);
	assert_string_equal(m->timestamp_field, "event.ingested");
	assert_string_equal(m->type, "eql");
	assert_string_equal(m->interval, "5m");
	assert_int_equal(m->span.start, 0);
	assert_int_equal(m->span.end, f->doc.len);
}

/* A member of the wrong type is reported and has a span but no value;
 * null is absent. */
static void
test_wrong_types(void **state)
{
	struct fixture *f = *state;
	const struct rule_meta *m = meta_of(f, "{\"rule_id\": 5, \"name\": null, "
		"\"risk_score\": \"47\", \"index\": [\"a\", 1], \"tags\": 3, "
		"\"threat\": [1]}");

	assert_int_equal(f->ngot, 4);
	assert_int_equal(f->got[0], D_BAD_RULE_OBJECT);
	assert_null(m->id);
	assert_at(f, m->id_span, "5");
	assert_null(m->name);
	assert_true(m->name_span.end == m->name_span.start);
	assert_false(m->has_risk_score);
	assert_at(f, m->risk_span, "\"47\"");
	assert_int_equal(m->nindex, 1);
	assert_int_equal(m->ntags, 0);
	assert_int_equal(m->nthreats, 0);
}

/* threat entries keep their techniques and subtechniques, with spans. */
static void
test_threats(void **state)
{
	struct fixture *f = *state;
	const struct rule_meta *m = meta_of(f, "{\"threat\": [{\"tactic\": "
		"{\"id\": \"TA0002\", \"name\": \"Execution\"}, \"technique\": "
		"[{\"id\": \"T1059\", \"subtechnique\": [{\"id\": "
		"\"T1059.001\"}, 7]}, \"x\"]}, {\"tactic\": {\"id\": 3}}]}");
	struct strbuf sb = STRBUF_INIT;

	assert_int_equal(f->ngot, 0);
	assert_int_equal(m->nthreats, 2);
	assert_at(f, m->threats[0].tactic_id.span, "\"TA0002\"");
	assert_string_equal(m->threats[0].tactic_name.s, "Execution");
	assert_int_equal(m->threats[0].ntechniques, 2);
	assert_int_equal(m->threats[0].techniques[0].nsubs, 2);
	assert_at(f, m->threats[0].techniques[0].subs[0].span,
		  "\"T1059.001\"");
	assert_null(m->threats[0].techniques[0].subs[1].s);
	assert_null(m->threats[0].techniques[1].id.s);
	assert_null(m->threats[1].tactic_id.s);
	rule_meta_dump(m, &sb);
	assert_string_equal(sb.data, "rule\n"
			    "  threat TA0002 T1059 T1059.001\n"
			    "  threat TA0002 T1059 -\n"
			    "  threat TA0002 - -\n"
			    "  threat - - -\n");
	sb_free(&sb);
}

/* The look-back window: "from" as now-N<unit>, six minutes by default,
 * none for hunts and other date math. */
static void
test_lookback(void **state)
{
	static const struct {
		const char *json;
		int64_t ms;             /* -1: none */
		const char *text;
	} cases[] = {
		{ "{}", 360000, "now-6m" },
		{ "{\"from\": null}", 360000, "now-6m" },
		{ "{\"from\": \"now-9m\"}", 540000, "now-9m" },
		{ "{\"from\": \"now-30s\"}", 30000, "now-30s" },
		{ "{\"from\": \"now-2h\"}", 7200000, "now-2h" },
		{ "{\"from\": \"now-1d\"}", 86400000, "now-1d" },
		{ "{\"from\": \"now-0m\"}", 0, "now-0m" },
		{ "{\"from\": \"now-5x\"}", -1, NULL },
		{ "{\"from\": \"now-\"}", -1, NULL },
		{ "{\"from\": \"now-5m \"}", -1, NULL },
		{ "{\"from\": \"2024-01-01\"}", -1, NULL },
		{ "{\"from\": 5}", -1, NULL },
		{ "{\"type\": \"hunt\"}", -1, NULL },
		{ "{\"type\": \"hunt\", \"from\": \"now-9m\"}", -1, NULL },
	};
	struct fixture *f = *state;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		const struct rule_meta *m = meta_of(f, cases[i].json);

		if (cases[i].ms < 0) {
			assert_false(m->has_lookback);
			continue;
		}
		assert_true(m->has_lookback);
		assert_int_equal(m->lookback_ms, cases[i].ms);
		assert_string_equal(m->lookback_text, cases[i].text);
	}
}

static void
test_ts_fallback(void **state)
{
	struct fixture *f = *state;
	const struct rule_meta *m;

	m = meta_of(f, "{\"timestamp_override\": \"event.ingested\"}");
	assert_false(m->ts_no_fallback);
	m = meta_of(f, "{\"timestamp_override\": \"event.ingested\", "
		    "\"timestamp_override_fallback_disabled\": true}");
	assert_true(m->ts_no_fallback);
	assert_at(f, m->ts_no_fallback_span, "true");
	m = meta_of(f, "{\"timestamp_override_fallback_disabled\": false}");
	assert_false(m->ts_no_fallback);
	m = meta_of(f, "{\"timestamp_override_fallback_disabled\": \"true\"}");
	assert_false(m->ts_no_fallback);
	assert_int_equal(f->ngot, 1);
	assert_int_equal(f->got[0], D_BAD_RULE_OBJECT);
}

/* [metadata]: dates, maturity, version and integrations with their spans
 * in the TOML text; a TOML date without quotes arrives as its text. */
static void
test_toml_metadata(void **state)
{
	struct fixture *f = *state;
	const struct rule_meta *m = meta_of_toml(f,
		"[metadata]\n"
		"creation_date = 2020-09-03\n"
		"deprecation_date = \"2024/01/02\"\n"
		"integration = [\"endpoint\", \"windows\"]\n"
		"maturity = \"deprecated\"\n"
		"min_stack_version = \"8.3.0\"\n"
		"updated_date = \"2023/10/23\"\n"
		"unknown_key = 1\n"
		"\n[rule]\nname = \"N\"\nmaturity = \"beta\"\n"
		"timestamp_override_fallback_disabled = true\n");

	assert_int_equal(f->ngot, 0);
	assert_true(m->toml);
	assert_true(m->has_metadata);
	assert_string_equal(m->created, "2020-09-03");
	assert_at(f, m->created_span, "2020-09-03");
	assert_string_equal(m->deprecated, "2024/01/02");
	assert_at(f, m->deprecated_span, "\"2024/01/02\"");
	assert_string_equal(m->updated, "2023/10/23");
	/* [metadata]'s maturity wins over one in [rule] */
	assert_string_equal(m->maturity, "deprecated");
	assert_at(f, m->maturity_span, "\"deprecated\"");
	assert_string_equal(m->min_stack, "8.3.0");
	assert_int_equal(m->nintegrations, 2);
	assert_string_equal(m->integrations[1].s, "windows");
	assert_at(f, m->integrations[0].span, "\"endpoint\"");
	assert_true(m->ts_no_fallback);
	assert_string_equal(m->name, "N");

	/* one integration as a string; a [rule] maturity stands alone */
	m = meta_of_toml(f, "[metadata]\nintegration = \"endpoint\"\n"
			 "[rule]\nmaturity = \"beta\"\n");
	assert_int_equal(m->nintegrations, 1);
	assert_string_equal(m->integrations[0].s, "endpoint");
	assert_string_equal(m->maturity, "beta");

	/* wrong types: reported, with a span and no value */
	m = meta_of_toml(f, "[metadata]\ncreation_date = 20200903\n"
			 "maturity = [\"production\"]\n[rule]\n");
	assert_int_equal(f->ngot, 2);
	assert_int_equal(f->got[0], D_BAD_RULE_OBJECT);
	assert_null(m->created);
	assert_at(f, m->created_span, "20200903");
	assert_null(m->maturity);

	/* no [metadata]; a metadata key that is no table */
	m = meta_of_toml(f, "[rule]\nname = \"N\"\n");
	assert_true(m->toml);
	assert_false(m->has_metadata);
	m = meta_of_toml(f, "metadata = 1\n[rule]\n");
	assert_false(m->has_metadata);
	assert_int_equal(f->ngot, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_members_and_spans),
		T(test_wrong_types),
		T(test_threats),
		T(test_lookback),
		T(test_ts_fallback),
		T(test_toml_metadata),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
