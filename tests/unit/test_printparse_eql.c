/*
 * test_printparse_eql.c - print-parse of the EQL printer (to_eql.c): every
 * EQL rule's IR printed as EQL with conv_ir_to_eql and read back gives the
 * same IR (the `query` part of --dump-ir), with no verdict on the way (an
 * EQL rule's IR is EQL's own).
 *
 * Sources: queries below that exercise each node kind and the printer's
 * corners (precedence, nested and/or, numbers, escapes, names), the rules
 * of the repository (rules/), and the Elastic corpus
 * (../shared/corpus/elastic-eql-rules.ndjson; skipped with a message when
 * ../shared is absent).  A mismatch prints both queries and both dumps.
 *
 * ESET rules have no EQL IR to compare with; for them the test asks that
 * the EQL printed with --drop-unconvertible reads back without an error
 * (the ESET corpus, the seed rule and the golden inputs of to-eql).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "convert/convert.h"
#include "driver/ctx.h"
#include "rulec.h"

struct counts {
	unsigned eql, same, differ, unread, lossy, noir;
};

static void
quiet(void *ud, const rulec_diag *d)
{
	unsigned *errors = ud;

	if (rulec_diag_severity(d) == RULEC_SEVERITY_ERROR) {
		if (errors)
			(*errors)++;
		if (getenv("PRINTPARSE_VERBOSE"))
			fprintf(stderr, "  %s %s\n", rulec_diag_id(d),
				rulec_diag_message(d));
	}
}

/* The IR dump of a query (no metadata). */
static char *
dump(const struct rc_rule *r)
{
	struct strbuf sb = STRBUF_INIT;

	ir_dump(r->ir, &r->text, &sb);
	return sb_take(&sb);
}

/* Prints r's IR, reads it back in `back` and compares the dumps. */
static void
printparse(rulec_ctx *ctx, const struct rc_rule *r, struct counts *n)
{
	struct arena scratch;
	struct strbuf out = STRBUF_INIT;
	struct conv c;
	rulec_ctx *back = rulec_ctx_new();
	unsigned errors = 0;
	char *d1, *d2;

	assert_non_null(back);
	rulec_ctx_set_checks(back, 0);
	rulec_ctx_set_diag_handler(back, quiet, &errors);
	arena_init(&scratch, NULL);
	memset(&c, 0, sizeof c);
	c.arena = &scratch;
	c.diags = &ctx->sink;
	c.eset = ctx->eset;
	c.schema = ctx->schema;
	conv_init(&c, r);
	conv_ir_to_eql(&c, r->ir, &out);
	n->eql++;
	if (c.refused || c.broader || c.narrower || c.unrelated) {
		n->lossy++;
		fprintf(stderr, "LOSS %s: %s", r->meta.id ? r->meta.id : "?",
			c.notes.data ? c.notes.data : "");
	}
	rulec_ctx_load_buffer_as(back, "printed.eql", RULEC_INPUT_EQL,
				 out.data ? out.data : "", out.len);
	if (back->rules.n != 1 || !back->rules.v[0]->ir || errors) {
		n->unread++;
		fprintf(stderr, "UNREAD %s (%s):\n%.*s\n",
			r->meta.id ? r->meta.id : "?",
			r->meta.name ? r->meta.name : "", (int)out.len,
			out.data ? out.data : "");
	} else {
		d1 = dump(r);
		d2 = dump(back->rules.v[0]);
		if (d1 && d2 && strcmp(d1, d2) == 0) {
			n->same++;
		} else {
			n->differ++;
			fprintf(stderr, "DIFFER %s:\n--- source\n%.*s\n"
				"--- printed\n%.*s\n--- dump\n%s--- dump of "
				"printed\n%s\n", r->meta.id ? r->meta.id : "?",
				(int)r->text.len, r->text.data, (int)out.len,
				out.data ? out.data : "", d1 ? d1 : "",
				d2 ? d2 : "");
		}
		free(d1);
		free(d2);
	}
	sb_free(&out);
	conv_free(&c);
	arena_release(&scratch);
	rulec_ctx_free(back);
}

/* Every EQL rule of ctx. */
static void
all_rules(rulec_ctx *ctx, struct counts *n)
{
	size_t i;

	for (i = 0; i < ctx->rules.n; i++) {
		const struct rc_rule *r = ctx->rules.v[i];
		if (r->lang != LANG_EQL)
			continue;
		if (!r->ir) {
			n->noir++;
			continue;
		}
		printparse(ctx, r, n);
	}
}

static rulec_ctx *
new_ctx(void)
{
	rulec_ctx *ctx = rulec_ctx_new();

	assert_non_null(ctx);
	rulec_ctx_set_checks(ctx, 0);
	rulec_ctx_set_diag_handler(ctx, quiet, NULL);
	return ctx;
}

static void
report(const char *what, const struct counts *n)
{
	printf("print-parse %s: %u EQL rules, %u same IR, %u differ, %u not "
	       "read back, %u with a verdict, %u without IR\n", what, n->eql,
	       n->same, n->differ, n->unread, n->lossy, n->noir);
}

/* --- the queries -------------------------------------------------------- */

static const char *const queries[] = {
	"process where process.name == \"a\" and process.pid > 3",
	"any where a == 1 or b == 2 and c == 3",
	"any where (a == 1 or b == 2) and c == 3",
	"any where (a == 1 or b == 2) or c == 3",
	"any where a == 1 and (b == 2 and c == 3)",
	"any where not (a == 1 or b == 2)",
	"any where not not a == 1",
	"any where not a : \"x*\"",
	"any where a like (\"X?\", \"y*\") and b like~ \"q\"",
	"any where a regex \"[a-z]+\\\\.exe\" or a regex~ (\"x\", \"y.*\")",
	"any where a in (\"x\", 1, 2.5, true, null) and b not in~ (\"Q\")",
	"any where a not in (1, 2) and b in~ (\"A\", \"b\")",
	"any where x + 2 * 3 == 8 and (x + 2) * 3 == 9 and x - (1 - 2) == 0",
	"any where x / (2 / 3) == 1 and x % 2 == 1 and x - -1 == 2",
	"any where -x == -1 and - -x == 1 and -(x + 1) == 0",
	"any where x == 1.0 and y == 0.1 and z == 1e300 and w == -2.5",
	"any where x == 0.12345678901234 and y == 3.0000000000000004",
	"any where length(a) > 2 and startsWith~(a, \"x\") and "
	"cidrMatch(source.ip, \"10.0.0.0/8\", \"::1/128\")",
	"any where add(x, 1) == 2 and concat(a, \"-\", b) : \"x-y\"",
	"any where (a == 1) == true",
	"any where ?a.b == null and ?c != null",
	"any where `a b` == 1 and `x`.y == 2 and `in`.c == 3 and d.`e f` == 4",
	"any where a == \"q\\\"uote\\\\ \\t\\n\\u{01}\" and b == \"\\u{e9}t\\u{e9}\"",
	"\"my cat\" where true",
	"any where process.interactive",
	"sequence by host.id with maxspan=90s\n"
	"  [process where true] by process.entity_id\n"
	"  [network where true] by process.entity_id with runs=3\n"
	"until [process where event.type == \"end\"] by process.entity_id",
	"sequence with maxspan=1500ms [process where a == 1] "
	"![file where b == 2] [any where true] | head 3 | tail 1",
	"sample by host.id [process where true] [file where true]",
	"process where true | tail 5",
};

static void
test_queries(void **state)
{
	rulec_ctx *ctx = new_ctx();
	struct counts n = { 0 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof queries / sizeof queries[0]; i++) {
		char name[32];
		snprintf(name, sizeof name, "q%zu.eql", i);
		rulec_ctx_load_buffer_as(ctx, name, RULEC_INPUT_EQL, queries[i],
					 strlen(queries[i]));
	}
	all_rules(ctx, &n);
	report("queries", &n);
	assert_int_equal(n.noir, 0);
	assert_int_equal(n.eql, sizeof queries / sizeof queries[0]);
	assert_int_equal(n.same, n.eql);
	assert_int_equal(n.lossy, 0);
	rulec_ctx_free(ctx);
}

static void
test_file(const char *what, const char *path, unsigned want)
{
	rulec_ctx *ctx;
	struct counts n = { 0 };

	if (access(path, R_OK) != 0) {
		printf("print-parse %s: %s is absent, skipped\n", what, path);
		skip();
	}
	ctx = new_ctx();
	rulec_ctx_load_path(ctx, path);
	all_rules(ctx, &n);
	report(what, &n);
	if (want)
		assert_int_equal(n.eql + n.noir, want);
	assert_true(n.eql > 0);
	assert_int_equal(n.same, n.eql);
	assert_int_equal(n.lossy, 0);
	rulec_ctx_free(ctx);
}

/* Every ESET rule under path, printed with drop, reads back as EQL. */
static void
test_eset_path(const char *what, const char *path)
{
	rulec_ctx *ctx;
	unsigned rules = 0, read = 0;
	size_t i;

	if (access(path, R_OK) != 0) {
		printf("read-back %s: %s is absent, skipped\n", what, path);
		skip();
	}
	ctx = new_ctx();
	rulec_ctx_load_path(ctx, path);
	for (i = 0; i < ctx->rules.n; i++) {
		const struct rc_rule *r = ctx->rules.v[i];
		struct arena scratch;
		struct strbuf out = STRBUF_INIT;
		struct conv c;
		rulec_ctx *back;
		unsigned errors = 0;

		if (r->lang != LANG_ESET_XML || !r->ir)
			continue;
		rules++;
		arena_init(&scratch, NULL);
		memset(&c, 0, sizeof c);
		c.arena = &scratch;
		c.diags = &ctx->sink;
		c.eset = ctx->eset;
		c.schema = ctx->schema;
		c.drop = true;
		conv_init(&c, r);
		conv_ir_to_eql(&c, r->ir, &out);
		back = rulec_ctx_new();
		assert_non_null(back);
		rulec_ctx_set_checks(back, 0);
		rulec_ctx_set_diag_handler(back, quiet, &errors);
		rulec_ctx_load_buffer_as(back, "printed.eql", RULEC_INPUT_EQL,
					 out.data ? out.data : "", out.len);
		if (back->rules.n == 1 && back->rules.v[0]->ir && !errors)
			read++;
		else
			fprintf(stderr, "UNREAD %s:\n%.*s\n",
				r->meta.name ? r->meta.name : "?",
				(int)out.len, out.data ? out.data : "");
		rulec_ctx_free(back);
		sb_free(&out);
		conv_free(&c);
		arena_release(&scratch);
	}
	printf("read-back %s: %u ESET rules, %u printed as EQL that reads "
	       "back\n", what, rules, read);
	assert_true(rules > 0);
	assert_int_equal(read, rules);
	rulec_ctx_free(ctx);
}

static void
test_eset_golden(void **state)
{
	(void)state;
	test_eset_path("golden", TOP_SRCDIR "/tests/golden/convert/to-eql");
}

static void
test_eset_corpus(void **state)
{
	(void)state;
	test_eset_path("ESET corpus", TOP_SRCDIR
		       "/../shared/corpus/eset-rules");
}

static void
test_eset_seed(void **state)
{
	(void)state;
	test_eset_path("seed", TOP_SRCDIR "/../shared/corpus/seeds/"
		       "seed-rundll32-network.xml");
}

static void
test_rules_dir(void **state)
{
	(void)state;
	test_file("rules/", TOP_SRCDIR "/rules", 0);
}

static void
test_corpus(void **state)
{
	(void)state;
	test_file("corpus", TOP_SRCDIR
		  "/../shared/corpus/elastic-eql-rules.ndjson", 1081);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queries),
		cmocka_unit_test(test_rules_dir),
		cmocka_unit_test(test_corpus),
		cmocka_unit_test(test_eset_golden),
		cmocka_unit_test(test_eset_corpus),
		cmocka_unit_test(test_eset_seed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
