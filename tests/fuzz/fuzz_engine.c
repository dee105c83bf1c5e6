/*
 * fuzz_engine.c - libFuzzer target for the replay engine over arbitrary
 * event bytes.  A fixed set of rules covering every construct the engine
 * runs -- event queries with functions and patterns (wildcards, regex,
 * cidrMatch, in lists, arithmetic, optional fields), sequences with by,
 * maxspan, until, runs and missing stages, samples, head and tail pipes,
 * ESET parent/ancestor conditions and counted sequences, and per-rule
 * overrides (timestamp, category and tiebreaker fields, a timestamp
 * override without fallback) -- is compiled once at start-up; each input
 * is then replayed through a fresh engine:
 *
 *   byte 0   size (-1, 0, 1, 3), max_samples_per_key (1, 2, 5, 0)
 *   byte 1   reorder window (10 s, 0, 1 ms, all), max_partials (the
 *            default, 1, 2, none)
 *   byte 2   timestamp field (@timestamp or event.created), tiebreaker
 *            (none or event.sequence), max event size (default or 200
 *            bytes), whether the events come as two inputs (split at the
 *            middle newline) or one
 *   rest     the events (NDJSON or one JSON array)
 *
 * Every result is rendered (report/match.h) and counted; the engine must
 * not crash, leak or trip a sanitizer, must report every problem with a
 * message, and must deliver no more results per rule than --size.
 * Nothing is printed.
 *
 * Build: configure CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz_engine -dict=$(srcdir)/tests/fuzz/events.dict \
 *       $(srcdir)/tests/fuzz/engine-corpus
 * (or scripts/fuzz fuzz_engine).  The seeds were written by hand for the
 * rules below; each starts with the three option bytes.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rulec.h"
#include "replay/engine.h"
#include "report/match.h"
#include "vm/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

static const struct {
	const char *name, *text;
} rules[] = {
	{ "fns.eql",
	  "any where process.pid + 1 >= 5 and process.pid * 2 < 100000 and\n"
	  "  not process.title in (\"a\", \"b\", \"c\") and\n"
	  "  length(process.name) > 2 and endsWith~(process.name, \".EXE\") and\n"
	  "  ?process.Ext.x == null and\n"
	  "  substring(process.name, 0, 1) != \"z\" and\n"
	  "  (startsWith(process.command_line, \"cmd\") or\n"
	  "   stringContains~(process.command_line, \"ENC\") or\n"
	  "   indexOf(process.command_line, \"-\") == 3 or\n"
	  "   concat(process.name, \"x\") : \"*.exex\" or\n"
	  "   number(process.title) == 7 or\n"
	  "   between(process.command_line, \"a\", \"z\") == \"b\" or\n"
	  "   add(process.pid, 1) == 8 or modulo(process.pid, 7) == 3)\n"
	  "| head 2\n" },
	{ "pat.eql",
	  "process where process.name : (\"cmd.exe\", \"power*.exe\", \"?sh\") and\n"
	  "  process.args like~ \"-enc*\" and process.name regex~ \"[a-z]+\\\\.exe\"\n"
	  "  and not process.executable : \"C:\\\\Windows\\\\*\"\n" },
	{ "net.eql",
	  "network where cidrMatch(source.ip, \"10.0.0.0/8\", \"fe80::/10\", "
	  "\"192.168.1.1\") and destination.port in (80, 443, 8080) and "
	  "network.bytes > 1.5\n" },
	{ "seq.eql",
	  "sequence by host.id with maxspan=1m\n"
	  "  [process where process.name : (\"cmd.exe\", \"power*.exe\")] by user.name with runs=2\n"
	  "  ![file where file.extension == \"tmp\"] by user.name\n"
	  "  [network where destination.port in (80, 443)] by user.name\n"
	  "until [process where event.type == \"end\"] by user.name\n"
	  "| tail 3\n" },
	{ "seq2.eql",
	  "sequence with maxspan=5s\n"
	  "  [process where true] by process.entity_id\n"
	  "  [file where true] by process.entity_id\n"
	  "  ![network where true] by process.entity_id\n" },
	{ "seq3.eql",
	  "sequence by host.id, user.name\n"
	  "  [any where event.type == \"start\"]\n"
	  "  [any where event.type == \"end\"]\n"
	  "| head 5\n" },
	{ "miss.eql",
	  "sequence by host.id with maxspan=10s\n"
	  "  ![process where process.name == \"a.exe\"]\n"
	  "  [process where process.name == \"b.exe\"]\n" },
	{ "sample.eql",
	  "sample by host.id\n"
	  "  [process where process.name regex~ \"[a-z]+\\\\.exe\"] by process.pid\n"
	  "  [network where destination.port > 1000] by process.pid\n" },
	{ "sample2.eql",
	  "sample by host.id [any where true] [any where true] [any where true]\n" },
	{ "own.ndjson",
	  "{\"rule_id\": \"o-1\", \"name\": \"Own fields\", \"severity\": \"low\", "
	  "\"risk_score\": 21, \"from\": \"now-9m\", "
	  "\"event_category_override\": \"event.kind\", "
	  "\"timestamp_override\": \"event.created\", "
	  "\"tiebreaker_field\": \"event.sequence\", "
	  "\"query\": \"sequence with maxspan=30s ![process where process.name == "
	  "\\\"x.exe\\\"] by process.entity_id [process where "
	  "stringContains~(process.command_line, \\\"ENC\\\")] by "
	  "process.entity_id [process where process.pid < 100] by "
	  "process.entity_id\"}\n"
	  "{\"rule_id\": \"s-1\", \"name\": \"Override without fallback\", "
	  "\"severity\": \"low\", \"risk_score\": 21, "
	  "\"timestamp_override\": \"event.ingested\", "
	  "\"timestamp_override_fallback_disabled\": true, "
	  "\"query\": \"sequence by host.id with maxspan=1m [process where "
	  "process.name == \\\"a.exe\\\"] [process where process.name == "
	  "\\\"b.exe\\\"]\"}\n" },
	{ "anc.xml",
	  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rule>\n"
	  "  <description><name>Word spawns a shell [T0001]</name><category>Test</category><severity>50</severity><os>Windows</os></description>\n"
	  "  <definition>\n"
	  "    <parentprocess><condition component=\"FileItem\" property=\"FileName\" condition=\"is\" value=\"explorer.exe\"/></parentprocess>\n"
	  "    <ancestor distance=\"2\" unique=\"true\"><condition component=\"FileItem\" property=\"FileName\" condition=\"is\" value=\"userinit.exe\"/></ancestor>\n"
	  "    <process><condition component=\"FileItem\" property=\"FileName\" condition=\"is\" value=\"WINWORD.EXE\"/></process>\n"
	  "    <operations><operation type=\"CreateProcess\"><condition component=\"FileItem\" property=\"FileName\" condition=\"starts\" value=\"cmd\"/></operation></operations>\n"
	  "  </definition>\n  <maliciousTarget name=\"current\"/>\n"
	  "  <actions><action name=\"TriggerDetection\"/></actions>\n</rule>\n" },
	{ "rep.xml",
	  "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rule>\n"
	  "  <description><name>Two detections [T0006]</name><category>Test</category><severity>50</severity><os>Windows</os></description>\n"
	  "  <definition>\n    <sequence count=\"2\" maxSpan=\"1m\">\n"
	  "      <detection><definition><operations><operation type=\"Detection\"><condition component=\"InspectDetection\" property=\"RuleName\" condition=\"contains\" value=\"rundll32\"/></operation></operations></definition></detection>\n"
	  "      <detection><definition><operations><operation type=\"Detection\"><condition component=\"InspectDetection\" property=\"RuleName\" condition=\"contains\" value=\"regsvr32\"/></operation></operations></definition></detection>\n"
	  "      <aggregateOn><property name=\"Computer\"/><property name=\"Process\"/></aggregateOn>\n"
	  "    </sequence>\n  </definition>\n"
	  "  <actions><action name=\"ReportIncident\"/></actions>\n</rule>\n" },
};
#define NRULES_FILES (sizeof rules / sizeof rules[0])

static struct image im;
static unsigned char *img;      /* the image's bytes (im points into them) */
static uint64_t *counts;        /* results per rule, this input */

static void
drop_diag(void *ud, const rulec_diag *d)
{
	(void)ud;
	(void)d;
}

/* Compiles the rules into one image; any error is a broken target. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	rulec_ctx *ctx = rulec_ctx_new();
	size_t i, len = 0;
	char err[256];

	(void)argc;
	(void)argv;
	if (!ctx)
		abort();
	rulec_ctx_set_diag_handler(ctx, drop_diag, NULL);
	for (i = 0; i < NRULES_FILES; i++)
		if (rulec_ctx_load_buffer(ctx, rules[i].name, rules[i].text,
					  strlen(rules[i].text)) < 1)
			abort();
	rulec_ctx_finish(ctx);
	if (rulec_ctx_compile(ctx, &img, &len, err, sizeof err) < 0)
		abort();
	rulec_ctx_free(ctx);
	if (img_load(img, len, &im, err, sizeof err) != 0)
		abort();
	if (im.nrules < NRULES_FILES + 1 ||
	    !(counts = calloc(im.nrules, sizeof *counts)))
		abort();
	return 0;
}

static void
on_match(void *ud, const struct replay_match *m)
{
	struct strbuf sb = STRBUF_INIT;

	(void)ud;
	if (m->rule >= im.nrules || m->nev == 0)
		abort();
	counts[m->rule]++;
	match_json(m, &sb);
	sb_free(&sb);
}

static void
on_problem(void *ud, const struct replay_input_error *e)
{
	(void)ud;
	if (!e->msg || !*e->msg)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int64_t sizes[] = { -1, 0, 1, 3 };
	static const int64_t samples[] = { 1, 2, 5, 0 };
	static const int64_t reorder[] = { 10000, 0, 1, INT64_MAX };
	static const int64_t partials[] = { REPLAY_MAX_PARTIALS, 1, 2, -1 };
	struct replay_opts o;
	struct replay *e;
	const char *ev;
	size_t len, cut = 0;
	char err[256];
	uint32_t i;

	if (size < 3)
		return 0;
	replay_opts_init(&o);
	o.size = sizes[data[0] & 3];
	o.max_samples_per_key = samples[(data[0] >> 2) & 3];
	o.reorder_ms = reorder[data[1] & 3];
	o.max_partials = partials[(data[1] >> 2) & 3];
	if (data[2] & 1)
		o.timestamp_field = "event.created";
	if (data[2] & 2)
		o.tiebreaker_field = "event.sequence";
	if (data[2] & 4)
		o.max_event_size = 200;
	ev = (const char *)data + 3;
	len = size - 3;
	if (data[2] & 8) {      /* two inputs: cut after the middle newline */
		const char *nl = memchr(ev + len / 2, '\n', len - len / 2);

		cut = nl ? (size_t)(nl - ev) + 1 : len;
	}
	memset(counts, 0, im.nrules * sizeof *counts);
	err[0] = '\0';
	e = replay_new(&im, &o, on_match, NULL, err, sizeof err);
	if (!e) {
		if (!err[0])
			abort();
		return 0;
	}
	if (cut) {
		replay_feed_buffer(e, "a.ndjson", ev, cut, on_problem, NULL);
		replay_feed_buffer(e, "b.ndjson", ev + cut, len - cut,
				   on_problem, NULL);
	} else {
		replay_feed_buffer(e, "e.ndjson", ev, len, on_problem, NULL);
	}
	replay_finish(e, on_problem, NULL);
	if (o.size >= 0)
		for (i = 0; i < im.nrules; i++)
			if (counts[i] > (uint64_t)o.size)
				abort();
	replay_free(e);
	return 0;
}
