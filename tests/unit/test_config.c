/*
 * test_config.c - the configuration file and baselines through the public
 * interface (rulec_ctx_load_config, rulec_ctx_load_baseline,
 * rulec_ctx_record_baseline), and the path helpers they rest on
 * (driver/path.h).  Files are written to a temporary folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "driver/path.h"
#include "rulec.h"

enum { MAX_GOT = 32 };

struct got {
	char id[8];
	enum rulec_severity sev;
	char rule[64];
};

struct run {
	rulec_ctx *ctx;
	char dir[64];
	struct got d[MAX_GOT];
	int n;
};

static void
on_diag(void *ud, const rulec_diag *d)
{
	struct run *r = ud;
	struct got *g;

	if (r->n >= MAX_GOT) {
		r->n++;
		return;
	}
	g = &r->d[r->n++];
	snprintf(g->id, sizeof g->id, "%s", rulec_diag_id(d));
	g->sev = rulec_diag_severity(d);
	snprintf(g->rule, sizeof g->rule, "%s",
		 rulec_diag_rule_name(d) ? rulec_diag_rule_name(d) : "");
}

static int
setup(void **state)
{
	struct run *r = calloc(1, sizeof *r);

	if (!r)
		return -1;
	strcpy(r->dir, "/tmp/rulec-config-XXXXXX");
	if (!mkdtemp(r->dir)) {
		free(r);
		return -1;
	}
	r->ctx = rulec_ctx_new();
	rulec_ctx_set_diag_handler(r->ctx, on_diag, r);
	*state = r;
	return 0;
}

static int
teardown(void **state)
{
	struct run *r = *state;
	char cmd[128];

	rulec_ctx_free(r->ctx);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", r->dir);
	if (system(cmd) != 0)
		return -1;
	free(r);
	return 0;
}

/* Writes text to NAME in the run's folder; returns the path (static). */
static const char *
put(struct run *r, const char *name, const char *text)
{
	static char path[256];
	FILE *f;

	snprintf(path, sizeof path, "%s/%s", r->dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

static int
count(const struct run *r, const char *id)
{
	int i, n = 0;

	for (i = 0; i < r->n && i < MAX_GOT; i++)
		n += strcmp(r->d[i].id, id) == 0;
	return n;
}

static int
load(struct run *r, const char *name, const char *text)
{
	return rulec_ctx_load_buffer(r->ctx, name, text, strlen(text));
}

static const char *const rules =
	"{\"rule_id\":\"r-1\",\"name\":\"One\",\"severity\":\"low\","
	"\"risk_score\":21,\"query\":\"process where process.nmae == \\\"a\\\"\"}\n"
	"{\"rule_id\":\"r-2\",\"name\":\"Two\",\"severity\":\"low\","
	"\"risk_score\":21,\"query\":\"process where process.nmae == \\\"b\\\"\"}\n";

/* --- paths --------------------------------------------------------------- */

static void
check_rel(const char *base, const char *abs, const char *want)
{
	char *got = path_relative(base, abs);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_paths(void **state)
{
	char *j;

	(void)state;
	check_rel("/a/b", "/a/b/c/d.eql", "c/d.eql");
	check_rel("/a/b", "/a/x/d.eql", "../x/d.eql");
	check_rel("/a/b/c", "/d.eql", "../../../d.eql");
	check_rel("/a/b", "/a/b", ".");
	check_rel("/a/b", "/a", "..");
	check_rel("/", "/a/b", "a/b");
	check_rel("/a/bc", "/a/b/x", "../b/x");    /* not a prefix of a segment */
	assert_string_equal(path_below("/a/b", "/a/b/c"), "c");
	assert_string_equal(path_below("/a/b", "/a/b"), "");
	assert_null(path_below("/a/b", "/a/bc"));
	assert_string_equal(path_below("/", "/x"), "x");
	j = path_join("../", "x.tsv");
	assert_string_equal(j, "../x.tsv");
	free(j);
	j = path_join("", "x.tsv");
	assert_string_equal(j, "x.tsv");
	free(j);
	j = path_join("a", "/abs");
	assert_string_equal(j, "/abs");
	free(j);
}

/* --- the configuration ------------------------------------------------------ */

static void
test_levels_and_suppressions(void **state)
{
	struct run *r = *state;
	const char *cfg = put(r, "c.toml",
		"[checks]\n"
		"schema = \"note\"\n"             /* the family */
		"missing-metadata = \"error\"\n"
		"[[suppress]]\n"
		"rule = \"Two\"\n"
		"checks = [\"RC2012\"]\n"
		"reason = \"known\"\n");

	assert_int_equal(rulec_ctx_load_config(r->ctx, cfg), RULEC_OK);
	assert_int_equal(r->n, 0);
	load(r, "x.ndjson", rules);
	rulec_ctx_finish(r->ctx);
	/* One's unknown field at note level, Two's suppressed */
	assert_int_equal(r->n, 1);
	assert_string_equal(r->d[0].id, "RC2012");
	assert_int_equal(r->d[0].sev, RULEC_SEVERITY_NOTE);
	assert_string_equal(r->d[0].rule, "One");
	assert_int_equal(rulec_ctx_diag_count(r->ctx, RULEC_SEVERITY_NOTE), 1);
	/* used: nothing to say */
	rulec_ctx_report_unused(r->ctx);
	assert_int_equal(r->n, 1);
}

static void
test_unused_suppression(void **state)
{
	struct run *r = *state;
	const char *cfg = put(r, "c.toml",
		"[[suppress]]\n"
		"rule = \"r-1\"\n"
		"checks = [\"RC2012\", \"always-true\"]\n"
		"reason = \"x\"\n"
		"[[suppress]]\n"
		"rule = \"not read\"\n"
		"checks = [\"always-true\"]\n"
		"reason = \"x\"\n");

	assert_int_equal(rulec_ctx_load_config(r->ctx, cfg), RULEC_OK);
	load(r, "x.ndjson", rules);
	rulec_ctx_finish(r->ctx);
	rulec_ctx_report_unused(r->ctx);
	/* Two's finding, then always-true for r-1, which was read; the
	 * suppression of a rule not read says nothing */
	assert_int_equal(count(r, "RC2012"), 1);
	assert_int_equal(count(r, "RC9304"), 1);
	assert_int_equal(r->n, 2);
}

static void
test_config_errors(void **state)
{
	struct run *r = *state;
	const char *cfg = put(r, "c.toml",
		"[checks]\n"
		"unknown-fild = \"off\"\n"
		"schema = \"loud\"\n"
		"[paths]\nexclude = [\"ok/\"]\n"
		"[rn]\n");

	assert_int_equal(rulec_ctx_load_config(r->ctx, cfg), RULEC_ERR_ARG);
	assert_int_equal(count(r, "RC9302"), 2);
	assert_int_equal(count(r, "RC9303"), 1);
	r->n = 0;
	assert_int_equal(rulec_ctx_load_config(r->ctx, "/no/such/file.toml"),
			 RULEC_ERR_IO);
	assert_int_equal(count(r, "RC9001"), 1);
	r->n = 0;
	cfg = put(r, "d.toml", "[checks\n");
	assert_int_equal(rulec_ctx_load_config(r->ctx, cfg), RULEC_ERR_ARG);
	assert_int_equal(count(r, "RC9301"), 1);
}

static void
test_run_defaults(void **state)
{
	struct run *r = *state;
	rulec_replay_opts o;
	const char *cfg = put(r, "c.toml",
		"[run]\ntimestamp_field = \"ts\"\nsize = 3\n"
		"reorder_window = \"all\"\n");

	rulec_replay_opts_init(&o);
	rulec_ctx_config_replay_opts(r->ctx, &o);      /* no file: kept */
	assert_string_equal(o.timestamp_field, "@timestamp");
	assert_int_equal(rulec_ctx_load_config(r->ctx, cfg), RULEC_OK);
	rulec_ctx_config_replay_opts(r->ctx, &o);
	assert_string_equal(o.timestamp_field, "ts");
	assert_string_equal(o.id_field, "event.id");
	assert_int_equal(o.size, 3);
	assert_true(o.reorder_ms == INT64_MAX);
}

static void
test_werror_per_check(void **state)
{
	struct run *r = *state;

	rulec_ctx_set_werror(r->ctx, 1);
	assert_int_equal(rulec_ctx_set_check_werror(r->ctx, "unknown-field",
						    0), RULEC_OK);
	assert_int_equal(rulec_ctx_set_check_werror(r->ctx, "nope", 1),
			 RULEC_ERR_ARG);
	load(r, "x.ndjson", rules);
	assert_int_equal(r->n, 2);
	assert_int_equal(r->d[0].sev, RULEC_SEVERITY_WARNING);
	r->n = 0;
	rulec_ctx_set_werror(r->ctx, 0);
	rulec_ctx_set_check_werror(r->ctx, "RC2012", 1);
	load(r, "y.ndjson", rules);
	assert_int_equal(r->d[0].sev, RULEC_SEVERITY_ERROR);
}

/* --- baselines ---------------------------------------------------------------- */

static void
test_baseline_cycle(void **state)
{
	struct run *r = *state;
	char path[256], *text;
	rulec_ctx *ctx;
	FILE *f;

	snprintf(path, sizeof path, "%s/b.json", r->dir);
	assert_int_equal(rulec_ctx_record_baseline(r->ctx, path), RULEC_OK);
	load(r, "x.ndjson", rules);
	rulec_ctx_finish(r->ctx);
	assert_int_equal(r->n, 0);                      /* recorded */
	assert_int_equal(rulec_ctx_baseline_count(r->ctx, 1), 2);
	assert_int_equal(rulec_ctx_diag_count(r->ctx, RULEC_SEVERITY_WARNING),
			 0);
	text = rulec_ctx_baseline_render(r->ctx);
	assert_non_null(text);
	assert_non_null(strstr(text, "\"version\": 1"));
	assert_non_null(strstr(text, "\"rule_id\": \"r-2\", \"rule_name\": "
			       "\"Two\", \"check\": \"RC2012\""));
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	free(text);

	/* a new context reads it: the rules moved down, r-1 reformatted,
	 * and a new rule with a finding */
	ctx = r->ctx;
	r->ctx = rulec_ctx_new();
	rulec_ctx_free(ctx);
	rulec_ctx_set_diag_handler(r->ctx, on_diag, r);
	r->n = 0;
	assert_int_equal(rulec_ctx_load_baseline(r->ctx, path), RULEC_OK);
	load(r, "x.ndjson",
	     "{\"rule_id\":\"r-0\",\"name\":\"Zero\",\"severity\":\"low\","
	     "\"risk_score\":21,\"query\":\"process where process.nmae == \\\"c\\\"\"}\n"
	     "{\"rule_id\":\"r-1\",\"name\":\"One\",\"severity\":\"low\","
	     "\"risk_score\":21,\"query\":\"process   where\\n process.nmae  ==  \\\"a\\\"\"}\n"
	     "{\"rule_id\":\"r-2\",\"name\":\"Two\",\"severity\":\"low\","
	     "\"risk_score\":21,\"query\":\"process where process.name == \\\"b\\\"\"}\n");
	rulec_ctx_finish(r->ctx);
	assert_int_equal(r->n, 1);
	assert_string_equal(r->d[0].rule, "Zero");
	assert_int_equal(rulec_ctx_baseline_count(r->ctx, 0), 1);
	/* r-2 was fixed: stale */
	rulec_ctx_report_unused(r->ctx);
	assert_int_equal(r->n, 2);
	assert_string_equal(r->d[1].id, "RC9306");
}

static void
test_baseline_errors(void **state)
{
	struct run *r = *state;
	const char *b = put(r, "b.json", "{\"version\": 1, \"findings\": [{}]}");

	assert_int_equal(rulec_ctx_load_baseline(r->ctx, b), RULEC_ERR_ARG);
	assert_int_equal(count(r, "RC9305"), 1);
	b = put(r, "c.json", "[1, 2");
	assert_int_equal(rulec_ctx_load_baseline(r->ctx, b), RULEC_ERR_ARG);
	assert_int_equal(count(r, "RC9305"), 2);
	assert_int_equal(rulec_ctx_load_baseline(r->ctx, "/no/such.json"),
			 RULEC_ERR_IO);
	assert_int_equal(rulec_ctx_record_baseline(r->ctx, "/no/such/b.json"),
			 RULEC_ERR_IO);
	assert_null(rulec_ctx_baseline_render(r->ctx));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_paths),
		cmocka_unit_test_setup_teardown(test_levels_and_suppressions,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_unused_suppression, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_config_errors, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_run_defaults, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_werror_per_check, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_baseline_cycle, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_baseline_errors, setup,
						teardown),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
