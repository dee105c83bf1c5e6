/*
 * test_oom.c - allocation-failure injection (Lua's memerr tests).
 *
 * Every rule is loaded once with an unlimited allocator to count the
 * allocations it makes, then again once for every k below that count with
 * an allocator that fails from the k-th allocation on.  Each run must end
 * cleanly: the arena's sticky oom flag set (or the work finished), no
 * crash, no sanitizer report, no leak, and never a rule that claims to be
 * clean without IR.  The arena's chunks are made tiny so that nearly every
 * node allocation reaches the allocator.  Also: arena_reset under the
 * same counting allocator.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/diag.h"
#include "driver/load.h"
#include "front/eql.h"
#include "front/xmlcheck.h"
#include "sema/eset.h"

/* the catalogues and structure schema compiled into the library */
extern const char rc_eset_components[], rc_eset_operations[], rc_eset_ecs[],
	rc_eset_actions[], rc_eset_rng[];
extern const size_t rc_eset_components_len, rc_eset_operations_len,
	rc_eset_ecs_len, rc_eset_actions_len, rc_eset_rng_len;
extern const char rc_kibana_eql_rule[];
extern const size_t rc_kibana_eql_rule_len;
#include "sema/ruleschema.h"
#include "sema/schema.h"

struct budget {
	size_t left;    /* allocations still allowed; SIZE_MAX: unlimited */
	size_t count;   /* allocations attempted */
};

static void *
limited_alloc(void *ud, size_t n)
{
	struct budget *b = ud;

	b->count++;
	if (b->left == 0)
		return NULL;
	if (b->left != SIZE_MAX)
		b->left--;
	return malloc(n);
}

static void
limited_release(void *ud, void *p)
{
	(void)ud;
	free(p);
}

static const char schema_text[] =
	"process.name\tkeyword\t-\n"
	"process.parent.name\tkeyword\t-\n"
	"process.pid\tlong\t-\n"
	"process.args\tkeyword\tarray\n"
	"event.type\tkeyword\tarray\n"
	"source.ip\tip\t-\n"
	"host.id\tkeyword\t-\n";

static const struct {
	const char *name, *text;
} inputs[] = {
	{ "a.eql",
	  "sequence by host.id with maxspan=5m\n"
	  "  [process where event.type == \"start\" and process.name : "
	  "(\"a*\", \"b\") and not process.args in~ (\"-c\", \"/c\")] "
	  "by process.pid with runs=2\n"
	  "  ![process where startsWith~(process.name, \"x\")]\n"
	  "  [any where cidrMatch(source.ip, \"10.0.0.0/8\") and "
	  "process.pid + 1 > -3]\n"
	  "until [process where event.type == \"end\"]\n| tail 3" },
	{ "b.eql",
	  "sample by host.id [process where process.name like~ \"a?\"] "
	  "[any where true]" },
	/* errors: the diagnostics themselves must survive failures too */
	{ "c.eql",
	  "sequence with maxspan=0.5s by x [process where a = 'b' && "
	  "length(process.pid) > 1] [file where (x == )] | unique x" },
	{ "e.xml",
	  "<?xml version=\"1.0\"?>\n<rule><description><name>x [X1]</name>"
	  "<mitreattackid>T1, T2</mitreattackid><severity>40</severity>"
	  "<benigncauses>b</benigncauses><unknownThing/></description>"
	  "<definition><ParentProcess><condition component=\"Module\" "
	  "property=\"SignatureType\" condition=\"less\" value=\"Trusted\"/>"
	  "</ParentProcess><ancestor distance=\"2\"><condition "
	  "component=\"FileItem\" property=\"FileName\" condition=\"is\" "
	  "value=\"a\"/></ancestor><process><operator type=\"or\"><condition "
	  "component=\"FileItm\" property=\"FileName\" condition=\"is\" "
	  "value=\"b\"/><operator type=\"NOT\"><condition component="
	  "\"Network\" property=\"IpAddressV4\" condition=\"is\" "
	  "value=\"10.0.0.0/8\"/></operator></operator></process>"
	  "<operations><operation type=\"CreateProcess\"><condition "
	  "component=\"ProcessInfo\" property=\"CommandLine\" "
	  "condition=\"notcontains\" value=\"c\"/></operation><operation "
	  "type=\"WriteFile\"/></operations></definition><actions><action "
	  "name=\"TriggerDetection\"/></actions></rule>" },
	{ "d.ndjson",
	  "{\"rule_id\":\"1\",\"name\":\"n\",\"language\":\"eql\","
	  "\"risk_score\":\"x\",\"threat\":[{\"tactic\":{\"id\":\"TA1\"},"
	  "\"technique\":[{\"id\":\"T1\",\"subtechnique\":[{\"id\":\"T1.1\"}]}]}],"
	  "\"query\":\"process where process.name == \\\"a\\\\q\\\"\"}\n"
	  "{\"language\":\"kuery\",\"query\":\"x\"}\n"
	  "{broken\n" },
};

struct run {
	size_t allocs;
	bool oom;
	size_t rules;
	unsigned diags;
};

static void
count_diag(void *ud, const struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;

	/* rendering reads everything a diagnostic points to */
	diag_render_text(d, &sb, 0);
	diag_render_json(d, &sb);
	sb_free(&sb);
	(*(unsigned *)ud)++;
}

/* Loads one input with at most `limit` allocations. */
static struct run
load_with_limit(const struct schema *schema, const struct eset_catalog *cat,
		struct xml_schema *rng, struct rule_schema *kibana, size_t i,
		size_t limit)
{
	struct budget b = { limit, 0 };
	struct rc_allocator al = { limited_alloc, limited_release, &b };
	struct arena a;
	struct diag_sink sink;
	struct rule_list rules = { NULL, 0, 0, false };
	struct source_list sources = { NULL, 0, 0 };
	struct loader ld;
	struct run r;
	size_t k;

	memset(&r, 0, sizeof r);
	memset(&ld, 0, sizeof ld);
	arena_init(&a, &al);
	a.chunk_size = 32;
	diag_sink_init(&sink, &a);
	sink.fn = count_diag;
	sink.ud = &r.diags;
	ld.arena = &a;
	ld.diags = &sink;
	ld.schema = schema;
	ld.rules = &rules;
	ld.sources = &sources;
	ld.eset = cat;
	ld.rng = &rng;
	ld.kibana = &kibana;
	ld.checks = NULL;
	load_buffer(&ld, inputs[i].name, inputs[i].text,
		    strlen(inputs[i].text));
	r.allocs = b.count;
	r.oom = a.oom;
	r.rules = rules.n;
	/* a rule that got through must be whole: clean rules have IR */
	for (k = 0; k < rules.n; k++)
		if (!a.oom && rules.v[k]->errors == 0)
			assert_non_null(rules.v[k]->ir);
	source_list_free(&sources);
	free(rules.v);
	diag_sink_free(&sink);
	arena_release(&a);
	return r;
}

static void
test_every_failure_point(void **state)
{
	struct arena sa;
	struct schema *schema;
	struct eset_catalog *cat;
	struct xml_schema *rng;
	struct rule_schema *kibana;
	size_t i, k;

	(void)state;
	arena_init(&sa, NULL);
	schema = schema_new(&sa);
	assert_non_null(schema);
	assert_int_equal(schema_load(schema, "t", schema_text,
				     sizeof schema_text - 1, NULL, NULL), 0);
	cat = eset_catalog_new(&sa);
	assert_non_null(cat);
	assert_int_equal(eset_catalog_load(cat, "components", "c",
		rc_eset_components, rc_eset_components_len, NULL, NULL), 0);
	assert_int_equal(eset_catalog_load(cat, "operations", "o",
		rc_eset_operations, rc_eset_operations_len, NULL, NULL), 0);
	assert_int_equal(eset_catalog_load(cat, "ecs", "e", rc_eset_ecs,
		rc_eset_ecs_len, NULL, NULL), 0);
	assert_int_equal(eset_catalog_load(cat, "actions", "a",
		rc_eset_actions, rc_eset_actions_len, NULL, NULL), 0);
	rng = xml_schema_new(rc_eset_rng, rc_eset_rng_len);
	assert_non_null(rng);
	kibana = rule_schema_new(rc_kibana_eql_rule, rc_kibana_eql_rule_len,
				 NULL, 0);
	assert_non_null(kibana);
	for (i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
		struct run full = load_with_limit(schema, cat, rng, kibana, i,
						  SIZE_MAX);

		/* the unlimited run works and exercises many allocations */
		assert_false(full.oom);
		assert_true(full.rules >= 1);
		print_message("%s: %zu allocations\n", inputs[i].name,
			      full.allocs);
		assert_true(full.allocs > 20);
		for (k = 0; k < full.allocs; k++) {
			struct run r = load_with_limit(schema, cat, rng, kibana,
						       i, k);
			/* a run that was cut short says so */
			if (r.allocs > k)
				assert_true(r.oom);
		}
	}
	xml_schema_free(rng);
	rule_schema_free(kibana);
	arena_release(&sa);
}

/* Parses q in a fresh arena with at most `limit` allocations; returns
 * how many were attempted, *oom the arena's flag, *ok whether a tree came
 * back. */
static size_t
parse_with_limit(const char *q, size_t limit, bool *oom, bool *ok)
{
	struct budget b = { limit, 0 };
	struct rc_allocator al = { limited_alloc, limited_release, &b };
	struct arena a;
	struct diag_sink sink;
	struct rc_source src;
	struct rc_text text;
	struct eql_parser p;
	unsigned diags = 0;

	memset(&src, 0, sizeof src);
	memset(&text, 0, sizeof text);
	src.name = "q.eql";
	src.data = q;
	src.len = strlen(q);
	text.src = &src;
	text.data = q;
	text.len = src.len;
	arena_init(&a, &al);
	a.chunk_size = 32;
	diag_sink_init(&sink, &a);
	sink.fn = count_diag;
	sink.ud = &diags;
	*ok = eql_parse_text(&p, &a, &sink, &text) != NULL;
	*oom = a.oom;
	/* flex's fatal path is never taken, out of memory or not */
	assert_null(p.fatal);
	diag_sink_free(&sink);
	source_free_lines(&src);
	arena_release(&a);
	return b.count;
}

/* The EQL scanner's own allocations (the scanner object and the copy of
 * the text it reads, which come first) go through the allocator as well:
 * when one fails, the result is no tree and the arena's oom flag, not
 * flex's exit.  Every later failure point ends the same way. */
static void
test_scanner_failure(void **state)
{
	static const char *const queries[] = {
		"process where process.name == \"a\" and /* note */ "
		"process.args : (\"-c\", \"/c\") // end",
		"sequence [any where x == `odd name`] [any where \"\"\"raw\"\"\" "
		"== y && z = 'q']",
		"/* an unterminated comment",
		"",
	};
	size_t i, k, full;
	bool oom, ok;

	(void)state;
	for (i = 0; i < sizeof queries / sizeof *queries; i++) {
		full = parse_with_limit(queries[i], SIZE_MAX, &oom, &ok);
		assert_false(oom);
		assert_true(full >= 2);
		/* the scanner object, then the copy of the text */
		for (k = 0; k < 2; k++) {
			assert_int_equal(parse_with_limit(queries[i], k, &oom,
							  &ok), k + 1);
			assert_true(oom);
			assert_false(ok);
		}
		for (; k < full; k++) {
			assert_true(parse_with_limit(queries[i], k, &oom, &ok) >
				    k);
			assert_true(oom);
		}
	}
}

/* arena_reset keeps one chunk (later allocations reuse it, zeroed),
 * releases the others, and clears the sticky oom flag. */
static void
test_arena_reset(void **state)
{
	struct budget b = { SIZE_MAX, 0 };
	struct rc_allocator al = { limited_alloc, limited_release, &b };
	struct arena a;
	unsigned char *p, *q;
	size_t i, n;

	(void)state;
	arena_init(&a, &al);
	arena_reset(&a);                /* an empty arena stays empty */
	assert_null(a.head);
	a.chunk_size = 256;
	p = arena_alloc(&a, 100);
	assert_non_null(p);
	memset(p, 0xAB, 100);
	for (i = 0; i < 20; i++)        /* several chunks, one oversized */
		assert_non_null(arena_alloc(&a, i == 7 ? 4096 : 100));
	assert_true(a.used > 0);
	n = b.count;
	arena_reset(&a);
	assert_int_equal(a.used, 0);
	assert_non_null(a.head);
	/* the kept chunk serves the next allocations without the allocator,
	 * and what it hands out is zeroed again */
	q = arena_alloc(&a, 100);
	assert_non_null(q);
	for (i = 0; i < 100; i++)
		assert_int_equal(q[i], 0);
	assert_int_equal(b.count, n);
	assert_non_null(arena_alloc(&a, 100));
	assert_int_equal(b.count, n);
	/* oom is sticky until a reset */
	b.left = 0;
	assert_null(arena_alloc(&a, 1000));
	assert_true(a.oom);
	arena_reset(&a);
	assert_false(a.oom);
	assert_non_null(arena_alloc(&a, 8));
	b.left = SIZE_MAX;
	arena_release(&a);
	assert_null(a.head);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arena_reset),
		cmocka_unit_test(test_every_failure_point),
		cmocka_unit_test(test_scanner_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
