/*
 * test_replay_oom.c - allocation-failure injection for `run`: the replay
 * interface of include/rulec.h with every allocation failing in turn.
 *
 * Design note.  The replay engine, the virtual machine, the pattern
 * matchers and the event reader allocate with malloc, calloc and realloc
 * directly (test_oom.c covers the loader, which has its own allocator).
 * This program is linked with `-Wl,--wrap=` for the three, so every call
 * the library makes to them comes here first (the C++ operator new of the
 * JSON parser does not; it is out of reach).  An image covering the
 * engine's constructs (sequences with join keys, maxspan, until, runs and
 * missing stages, a sample, head and tail, an event query with patterns,
 * an ESET rule with parent and ancestor conditions and the process table)
 * is compiled with the real allocator; then a whole replay of a few
 * dozen events (new, feed, finish, every result rendered, free) runs once
 * to count its allocations and record its results, and again once for
 * every k below that count with the allocations after the k-th failing.
 * Each run must end through the interface: either out of memory is
 * reported (rulec_replay_new returns NULL with "out of memory", or a feed
 * or the finish returns RULEC_ERR_NOMEM, or a result cannot be rendered),
 * or, when a failure was absorbed (a cache that could not grow), the
 * results are exactly the reference ones.  Never a crash, never a silent
 * wrong answer; under the sanitizer build, never a leak.
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

/* ---- the allocator in front of malloc ---- */

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);

static bool armed;              /* count and limit the library's calls */
static size_t budget;           /* allocations still allowed */
static size_t calls, failures;

static bool
allow(void)
{
	if (!armed)
		return true;
	calls++;
	if (budget == 0) {
		failures++;
		return false;
	}
	if (budget != SIZE_MAX)
		budget--;
	return true;
}

void *
__wrap_malloc(size_t n)
{
	return allow() ? __real_malloc(n) : NULL;
}

void *
__wrap_calloc(size_t n, size_t m)
{
	return allow() ? __real_calloc(n, m) : NULL;
}

void *
__wrap_realloc(void *p, size_t n)
{
	return allow() ? __real_realloc(p, n) : NULL;
}

/* ---- the rules and events ---- */

static const char *const names[] = {
	"seq.eql", "miss.eql", "sample.eql", "query.eql", "lead.eql",
	"eset.xml"
};

static const char *const texts[] = {
	"sequence by host.id with maxspan=1m\n"
	"  [process where process.name : (\"a*\", \"?x\")] by process.pid "
	"with runs=2\n"
	"  [network where cidrMatch(source.ip, \"10.0.0.0/8\")]\n"
	"until [process where event.type == \"end\"]\n| tail 3",
	"sequence by host.id with maxspan=30s\n"
	"  [process where true]\n"
	"  ![file where true]\n"
	"  [network where true]\n"
	"  ![process where process.name == \"z\"]",
	"sample by host.id [process where true] [network where true]",
	"process where process.name regex~ \"[a-c]+.*\" and "
	"length(process.name) > 1 | head 4",
	"sequence by host.id with maxspan=1m\n"
	"  ![file where true]\n"
	"  [process where process.name == \"b\"]\n"
	"  [process where process.name == \"c\"]",
	"<?xml version=\"1.0\"?>\n<rule><description><name>e [E1]</name>"
	"</description><definition><process><condition component="
	"\"FileItem\" property=\"FileName\" condition=\"is\" value=\"c\"/>"
	"</process><ParentProcess><condition component=\"FileItem\" "
	"property=\"FileName\" condition=\"is\" value=\"b\"/>"
	"</ParentProcess><ancestor distance=\"2\"><condition component="
	"\"FileItem\" property=\"FileName\" condition=\"is\" value=\"a1\"/>"
	"</ancestor><operations><operation type=\"CreateProcess\"/>"
	"</operations></definition></rule>",
};

#define NRULES (sizeof names / sizeof names[0])

/* Event i: hosts h0/h1, three categories, process starts with parents,
 * a late one, one without a time, one malformed line. */
static char *
make_events(size_t *len)
{
	static const char *const cat[] = { "process", "network", "file" };
	static const char *const name[] = { "a1", "bx", "c", "z", "abc" };
	size_t cap = 1 << 16, n = 0;
	char *s = malloc(cap);
	int i;

	assert_non_null(s);
	for (i = 0; i < 40; i++) {
		long long ts = 1714557600000LL + 1000LL * i;

		if (i == 17)
			ts -= 20000;    /* late */
		n += (size_t)snprintf(s + n, cap - n,
			"{%s%lld%s\"event\":{\"id\":\"e%d\",\"category\":\"%s\","
			"\"type\":\"%s\"},\"host\":{\"id\":\"h%d\"},"
			"\"source\":{\"ip\":\"10.0.0.%d\"},\"process\":{"
			"\"pid\":%d,\"name\":\"%s\",\"entity_id\":\"P%d\","
			"\"parent\":{\"entity_id\":\"P%d\"}}}\n",
			i == 23 ? "" : "\"@timestamp\":",
			i == 23 ? 0LL : ts, i == 23 ? "" : ",", i, cat[i % 3],
			i % 7 == 6 ? "end" : "start", i % 2, i, i % 4,
			name[i % 5], i, i > 0 ? i - 1 : 0);
		if (n + 1 >= cap)
			fail_msg("events buffer too small");
		/* the leading `{0` of a record without a time is bad JSON,
		 * so event 23 is the malformed one */
	}
	*len = n;
	return s;
}

/* ---- one armed replay ---- */

struct outcome {
	bool nomem;             /* reported through the interface */
	size_t nresults;
	char *text;             /* every result's JSON line, joined */
	size_t len;
};

static void
on_match(void *ud, const rulec_match *m)
{
	struct outcome *o = ud;
	char *s = rulec_match_render(m, RULEC_FORMAT_JSON);
	size_t n;
	char *t;

	o->nresults++;
	if (!s) {
		o->nomem = true;
		return;
	}
	/* the test's own memory is not the library's */
	armed = false;
	n = strlen(s);
	t = realloc(o->text, o->len + n + 1);
	assert_non_null(t);
	memcpy(t + o->len, s, n + 1);
	o->text = t;
	o->len += n;
	free(s);
	armed = true;
}

static void
on_diag(void *ud, const rulec_replay_diag *d)
{
	(void)ud;
	/* every field a handler reads is valid */
	assert_non_null(d->message);
	if (d->problem != RULEC_EVENTS_LATE)
		assert_true(d->file != NULL || d->problem ==
			    RULEC_RULE_SKIPPED);
}

static struct outcome
replay_with_budget(const unsigned char *img, size_t imglen,
		   const char *ev, size_t evlen, size_t limit)
{
	struct outcome o;
	rulec_replay *r;
	rulec_replay_opts opts;
	char err[256];
	long n;

	memset(&o, 0, sizeof o);
	rulec_replay_opts_init(&opts);
	calls = failures = 0;
	budget = limit;
	armed = true;
	err[0] = '\0';
	r = rulec_replay_new(img, imglen, &opts, err, sizeof err);
	if (!r) {
		armed = false;
		assert_string_equal(err, "out of memory");
		o.nomem = true;
		return o;
	}
	rulec_replay_set_match_handler(r, on_match, &o);
	rulec_replay_set_diag_handler(r, on_diag, &o);
	n = rulec_replay_feed_buffer(r, "events", ev, evlen);
	if (n == RULEC_ERR_NOMEM)
		o.nomem = true;
	else
		assert_true(n >= 0);
	if (rulec_replay_finish(r) == RULEC_ERR_NOMEM)
		o.nomem = true;
	rulec_replay_free(r);
	armed = false;
	return o;
}

static unsigned char *
compile(size_t *len)
{
	rulec_ctx *ctx = rulec_ctx_new();
	unsigned char *img = NULL;
	char err[256];
	size_t i;

	assert_non_null(ctx);
	for (i = 0; i < NRULES; i++)
		if (rulec_ctx_load_buffer(ctx, names[i], texts[i],
					  strlen(texts[i])) != 1)
			fail_msg("%s did not load", names[i]);
	if (rulec_ctx_compile(ctx, &img, len, err, sizeof err) != (int)NRULES)
		fail_msg("compile: %s", err);
	rulec_ctx_free(ctx);
	return img;
}

static void
test_every_failure_point(void **state)
{
	unsigned char *img;
	size_t imglen, evlen, k, total, absorbed = 0, reported = 0;
	char *ev;
	struct outcome ref, o;

	(void)state;
	img = compile(&imglen);
	ev = make_events(&evlen);
	ref = replay_with_budget(img, imglen, ev, evlen, SIZE_MAX);
	total = calls;
	assert_false(ref.nomem);
	assert_int_equal(failures, 0);
	/* the events reach every rule: the reference has results of each
	 * kind to lose */
	assert_true(ref.nresults >= 6);
	assert_true(total > 100);
	for (k = 0; k < total; k++) {
		o = replay_with_budget(img, imglen, ev, evlen, k);
		assert_true(failures > 0);      /* k < total: one failed */
		if (o.nomem) {
			reported++;
		} else {
			/* absorbed: then nothing may differ */
			absorbed++;
			if (o.nresults != ref.nresults || o.len != ref.len ||
			    (o.len && memcmp(o.text, ref.text, o.len) != 0))
				fail_msg("allocation %zu of %zu failed: no out "
					 "of memory reported, and the results "
					 "differ (%zu, not %zu)", k, total,
					 o.nresults, ref.nresults);
		}
		free(o.text);
	}
	print_message("%zu allocations: %zu failures reported, %zu "
		      "absorbed with the same results\n", total, reported,
		      absorbed);
	assert_true(reported > 0);
	free(ref.text);
	free(ev);
	free(img);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_failure_point),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
