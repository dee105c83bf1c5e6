/*
 * test_select.c - the replay's candidate selection (src/replay/engine.c
 * with the indexes of src/vm/index.c): the leaves a stage needs one of
 * (vm_needs), and replays whose results must be those of trying every
 * stage while only the selected stages are tried (replay_tried): stages
 * without a needed leaf, equality on arrays and without case, `not`, `not
 * in`, `or`, pattern lists answered once per value and remembered across
 * events (also past the point where the remembered answers are dropped,
 * and past the event where the selection is chosen again with the
 * frequencies measured so far).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rulec.h"
#include "base/strbuf.h"
#include "replay/engine.h"
#include "vm/image.h"
#include "vm/interp.h"

/* ---- helpers ---- */

/* Compiles `n` rules (each an EQL query in its own file) into an image
 * loaded into *im. */
static void
load(struct image *im, size_t n, const char *const *queries)
{
	rulec_ctx *ctx = rulec_ctx_new();
	unsigned char *img = NULL;
	char err[256], name[32];
	size_t i, len;

	assert_non_null(ctx);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof name, "r%zu.eql", i);
		if (rulec_ctx_load_buffer(ctx, name, queries[i],
					  strlen(queries[i])) != 1)
			fail_msg("%s did not load: %s", name, queries[i]);
	}
	if (rulec_ctx_compile(ctx, &img, &len, err, sizeof err) != (int)n)
		fail_msg("compile: %s", err);
	rulec_ctx_free(ctx);
	if (img_load(img, len, im, err, sizeof err) != 0)
		fail_msg("load: %s", err);
	free(img);
}

struct got {
	unsigned per_rule[8];   /* results per rule */
	char order[256];        /* "rule:index " per result */
	uint64_t sum;           /* FNV-1a of every (rule, index), in order */
};

static void
on_match(void *ud, const struct replay_match *m)
{
	struct got *g = ud;
	size_t n = strlen(g->order);

	uint64_t x[2];
	size_t i;

	assert_true(m->rule < 8);
	g->per_rule[m->rule]++;
	x[0] = m->rule;
	x[1] = m->nev ? m->ev[0]->index : 0;
	for (i = 0; i < sizeof x; i++)
		g->sum = (g->sum ^ ((const unsigned char *)x)[i]) *
			 0x100000001b3ull;
	snprintf(g->order + n, sizeof g->order - n, "%u:%llu ",
		 (unsigned)m->rule,
		 (unsigned long long)(m->nev ? m->ev[0]->index : 0));
}

/* Replays `events` (' for ") through the rules with `threads` threads
 * (more than one: read from a file, as worker threads read); returns
 * the number of stage tries. */
static uint64_t
run_threads(size_t nrules, const char *const *queries, const char *events,
	    struct got *g, unsigned threads)
{
	struct replay_opts o;
	struct replay *e;
	struct image im;
	char err[256], *text = strdup(events), *p;
	uint64_t tried;

	assert_non_null(text);
	for (p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	load(&im, nrules, queries);
	replay_opts_init(&o);
	o.threads = threads;
	memset(g, 0, sizeof *g);
	g->sum = 0xcbf29ce484222325ull;
	e = replay_new(&im, &o, on_match, g, err, sizeof err);
	if (!e)
		fail_msg("replay_new: %s", err);
	if (threads > 1) {
		char path[] = "/tmp/test_select.XXXXXX";
		int fd = mkstemp(path);
		FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

		assert_non_null(f);
		assert_int_equal(fwrite(text, 1, strlen(text), f),
				 strlen(text));
		assert_int_equal(fclose(f), 0);
		assert_int_equal(replay_feed(e, path, NULL, NULL), 0);
		remove(path);
	} else {
		assert_int_equal(replay_feed_buffer(e, "events", text,
						    strlen(text), NULL, NULL),
				 0);
	}
	assert_int_equal(replay_finish(e, NULL, NULL), 0);
	tried = replay_tried(e);
	replay_free(e);
	img_free(&im);
	free(text);
	return tried;
}

static uint64_t
run(size_t nrules, const char *const *queries, const char *events,
    struct got *g)
{
	return run_threads(nrules, queries, events, g, 1);
}

/* An event of category process with fields `rest` (JSON members). */
#define EV(id, rest) \
	"{'@timestamp':'2024-05-01T10:00:0" #id ".000Z','event':{'id':'e" \
	#id "','category':'process'}," rest "}\n"

/* ---- needed leaves ---- */

static double
unit_cost(void *ud, uint32_t id)
{
	(void)ud;
	(void)id;
	return 1;
}

/* The number of needed leaves vm_needs finds in rule 0's first stage
 * (0: none known). */
static size_t
needs_of(const char *query)
{
	struct image im;
	struct vm_rt *rt;
	uint32_t ids[VM_MAX_NEEDS];
	char err[256];
	size_t n;

	load(&im, 1, &query);
	rt = vm_rt_new(&im, err, sizeof err);
	assert_non_null(rt);
	n = vm_needs(rt, &im.rules[0].stages[0].code, unit_cost, NULL, ids,
		     VM_MAX_NEEDS);
	vm_rt_free(rt);
	img_free(&im);
	return n;
}

static void
t_needs(void **state)
{
	(void)state;
	/* a leaf; an `and` needs one operand's set; an `or` both */
	assert_int_equal(needs_of("process where process.name == \"a\""), 1);
	assert_int_equal(needs_of("process where process.name == \"a\" and "
				  "user.name == \"b\""), 1);
	assert_int_equal(needs_of("process where process.name == \"a\" or "
				  "user.name == \"b\""), 2);
	assert_int_equal(needs_of("process where (process.name == \"a\" and "
				  "user.name == \"x\") or (process.pid == 4 "
				  "and user.name == \"y\") or "
				  "process.name : \"c*\""), 3);
	/* an `and` with an operand that needs nothing known still needs
	 * the other */
	assert_int_equal(needs_of("process where length(process.name) > 3 "
				  "and process.name : \"a*\""), 1);
	/* an `or` with such an operand needs nothing known */
	assert_int_equal(needs_of("process where length(process.name) > 3 "
				  "or process.name : \"a*\""), 0);
	/* a leaf under a `not` is not needed true */
	assert_int_equal(needs_of("process where not process.name == "
				  "\"a\""), 0);
	assert_int_equal(needs_of("process where not (process.name == "
				  "\"a\" or user.name == \"b\")"), 0);
	/* `not in` is one leaf (that holds for the values not listed) */
	assert_int_equal(needs_of("process where process.name not in "
				  "(\"a\", \"b\")"), 1);
}

/* ---- selection ---- */

/* A stage with no leaf known to be needed is tried on every event of
 * its category, and matches. */
static void
t_unindexed_tried(void **state)
{
	static const char *const q[] = {
		"process where length(process.name) == 5",
		"process where process.name == \"x.exe\"",
		"process where process.name == \"y.exe\"",
	};
	static const char ev[] =
		EV(1, "'process':{'name':'a.exe'}")
		EV(2, "'process':{'name':'bb.exe'}")
		EV(3, "'process':{'name':'x.exe'}");
	struct got g;

	(void)state;
	/* rule 0 on each event, rule 1 on the third only */
	assert_int_equal(run(3, q, ev, &g), 3 + 1);
	assert_int_equal(g.per_rule[0], 2);
	assert_int_equal(g.per_rule[1], 1);
	assert_int_equal(g.per_rule[2], 0);
}

/* Equality with an array: any element selects the stage. */
static void
t_array_equality(void **state)
{
	static const char *const q[] = {
		"process where process.args == \"-enc\"",
		"process where process.args == \"/c\"",
		"process where process.args in (\"-x\", \"-y\")",
	};
	static const char ev[] =
		EV(1, "'process':{'args':['cmd','/c','dir']}")
		EV(2, "'process':{'args':['-y','-enc']}")
		EV(3, "'process':{'args':[]}")
		EV(4, "'process':{'args':'-x'}")
		EV(5, "'process':{'args':['-ENC']}");
	struct got g;

	(void)state;
	assert_int_equal(run(3, q, ev, &g), 4);
	assert_int_equal(g.per_rule[0], 1);
	assert_int_equal(g.per_rule[1], 1);
	assert_int_equal(g.per_rule[2], 2);
	/* by rule (results leave each rule's window at the end) */
	assert_string_equal(g.order, "0:1 1:0 2:1 2:3 ");
}

/* Equality without case (`:` and `~`), beside exact equality on the
 * same field; a number compares by other rules (each leaf then
 * evaluates itself). */
static void
t_case_insensitive(void **state)
{
	static const char *const q[] = {
		"process where process.name : \"CMD.exe\"",
		"process where process.name == \"cmd.exe\"",
		"process where process.name in~ (\"POWERSHELL.EXE\", \"x\")",
		"process where process.name == \"42\"",
	};
	static const char ev[] =
		EV(1, "'process':{'name':'Cmd.EXE'}")
		EV(2, "'process':{'name':'cmd.exe'}")
		EV(3, "'process':{'name':'PowerShell.exe'}")
		EV(4, "'process':{'name':42}")
		EV(5, "'process':{'name':'cmd.ex'}");
	struct got g;

	(void)state;
	assert_int_equal(run(4, q, ev, &g), 5);
	assert_int_equal(g.per_rule[0], 2);
	assert_int_equal(g.per_rule[1], 1);
	assert_int_equal(g.per_rule[2], 1);
	assert_int_equal(g.per_rule[3], 1);
}

/* A leaf under `not` selects nothing: its stage is tried on every
 * event; `not in` is a leaf of its own, evaluated (no index answers it)
 * and selecting when it holds; an `or` is selected by either side. */
static void
t_not_and_or(void **state)
{
	static const char *const q[] = {
		"process where not process.name == \"a.exe\"",
		"process where process.name not in (\"a.exe\", \"b.exe\")",
		"process where process.name == \"a.exe\" or "
		"user.name == \"root\"",
		"process where process.name == \"b.exe\"",
	};
	static const char ev[] =
		EV(1, "'process':{'name':'a.exe'}")
		EV(2, "'process':{'name':'b.exe'},'user':{'name':'root'}")
		EV(3, "'process':{'name':'c.exe'}");
	struct got g;

	(void)state;
	/* rule 0 always, rule 1 on event 3, rule 2 on events 1 and 2,
	 * rule 3 on event 2 */
	assert_int_equal(run(4, q, ev, &g), 3 + 1 + 2 + 1);
	assert_int_equal(g.per_rule[0], 2);
	assert_int_equal(g.per_rule[1], 1);
	assert_int_equal(g.per_rule[2], 2);
	assert_int_equal(g.per_rule[3], 1);
}

/* Pattern lists of one field are answered once per value, the answer
 * shared by the stages that test the field and remembered across events:
 * repeated values, different lists, arrays, non-strings, and more
 * distinct values than are remembered. */
static void
t_pattern_index(void **state)
{
	static const char *const q[] = {
		"process where process.executable : \"*\\\\cmd.exe\"",
		"process where process.executable : (\"C:\\\\*\", \"D:\\\\x*\")",
		"process where process.executable : \"*\\\\cmd.exe\" and "
		"user.name == \"u\"",
		"process where process.executable regex \".*[0-9]\"",
	};
	struct strbuf ev = STRBUF_INIT;
	struct got g;
	unsigned i, want0 = 0, want1 = 0, want2 = 0, want3 = 0;
	uint64_t tried, want = 0;

	(void)state;
	/* a cycle of values, more distinct ones than the cache keeps, and
	 * more events than the selection learns from */
	for (i = 0; i < 10000; i++) {
		char v[64];
		unsigned k = i % 2 == 0 ? i : i % 5;
		bool cmd = k % 5 == 1, c = k % 5 != 2 && k % 5 != 4,
		     digit = k >= 5;

		snprintf(v, sizeof v, "%s:\\\\%s%s%u", c ? "C" : "E",
			 k % 5 == 4 ? "x" : "w", cmd ? "\\\\cmd.exe" : "",
			 k >= 5 ? k : 0);
		if (k >= 5)
			cmd = false;    /* a digit follows the name */
		else
			v[strlen(v) - 1] = '\0', digit = false;
		sb_printf(&ev, "{'@timestamp':%u,'event':{'category':"
			  "'process'},'process':{'executable':%s'%s'%s},"
			  "'user':{'name':'u'}}\n", 1714557600u + i,
			  i % 3 ? "" : "['z',", v, i % 3 ? "" : "]");
		want0 += cmd;
		want1 += c;
		want2 += cmd;
		want3 += digit;
		want += 2 * cmd + c + digit;
	}
	/* and a number where a string is expected */
	sb_puts(&ev, "{'@timestamp':1714567600,'event':{'category':"
		"'process'},'process':{'executable':7}}\n");
	tried = run(4, q, ev.data, &g);
	assert_int_equal(g.per_rule[0], want0);
	assert_int_equal(g.per_rule[1], want1);
	assert_int_equal(g.per_rule[2], want2);
	assert_int_equal(g.per_rule[3], want3);
	assert_int_equal(tried, want);
	sb_free(&ev);
}

/*
 * With worker threads each thread's runtime answers the pattern and
 * equality indexes (its own caches and candidate sets) and the selection
 * is not chosen again: the results, in order, are those of one thread,
 * and every stage that held was tried.  Over 3 MB of events, so that
 * several parts go to several threads.
 */
static void
t_threads(void **state)
{
	static const char *const q[] = {
		"process where process.executable : \"*\\\\cmd.exe\"",
		"process where process.name in (\"a.exe\", \"b.exe\") and "
		"process.executable : \"C:\\\\*\"",
		"sequence by user.name [process where process.name == "
		"\"a.exe\"] [process where process.executable : "
		"\"D:*\"]",
		"process where not process.name == \"b.exe\"",
	};
	struct strbuf ev = STRBUF_INIT;
	struct got one, two, four;
	uint64_t tried1, tried2, tried4;
	unsigned i, hits = 0;

	(void)state;
	for (i = 0; i < 24000; i++)
		sb_printf(&ev, "{'@timestamp':%u,'event':{'category':"
			  "'process'},'process':{'name':'%c.exe',"
			  "'executable':'%c:\\\\d%u\\\\%s'},"
			  "'user':{'name':'u%u'}}\n", 1714557600u + i,
			  "abc"[i % 3], "CD"[i % 7 % 2], i % 113,
			  i % 5 ? "x.exe" : "cmd.exe", i % 11);
	tried1 = run_threads(4, q, ev.data, &one, 1);
	tried2 = run_threads(4, q, ev.data, &two, 2);
	tried4 = run_threads(4, q, ev.data, &four, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(two.per_rule[i], one.per_rule[i]);
		assert_int_equal(four.per_rule[i], one.per_rule[i]);
		hits += one.per_rule[i];
	}
	assert_true(one.per_rule[0] > 0 && one.per_rule[1] > 0 &&
		    one.per_rule[2] > 0 && one.per_rule[3] > 0);
	assert_string_equal(two.order, one.order);
	assert_string_equal(four.order, one.order);
	assert_true(two.sum == one.sum && four.sum == one.sum);
	/* a stage is tried before it holds; fewer than all stages on
	 * every event */
	assert_true(tried1 >= hits && tried2 >= hits && tried4 >= hits);
	assert_true(tried2 < 5u * 24000 && tried4 < 5u * 24000);
	sb_free(&ev);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_needs),
		cmocka_unit_test(t_unindexed_tried),
		cmocka_unit_test(t_array_equality),
		cmocka_unit_test(t_case_insensitive),
		cmocka_unit_test(t_not_and_or),
		cmocka_unit_test(t_pattern_index),
		cmocka_unit_test(t_threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
