/*
 * test_checks.c - the sequence, performance and metadata check families
 * (src/check/sequence.c, performance.c, metadata.c), the wildcard checks
 * RC6001 and RC6002 (logic_stars.c, first performance checks) and the
 * unknown-field check (schema.c) through the public interface, the way a
 * library user meets them: each case loads rule text as a file of the
 * right kind (.eql, .json, .ndjson, .xml), finishes the run (for the
 * duplicate checks), and pins what these checks report: id, line and
 * column, and words of the message and help line.
 *
 * Only diagnostics of the sequence, performance and metadata families,
 * RC6001, RC6002 and RC2012 are collected; other checks (syntax, schema,
 * logic) have their own tests, and a case that should be silent also
 * asserts that the rule loaded without errors, so a typo in a case cannot
 * make it pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rulec.h"

enum { MAX_GOT = 16 };

struct got {
	char id[8];
	char *msg, *text;       /* message; whole rendering with notes */
	unsigned line, col;
};

struct lint {
	rulec_ctx *ctx;
	struct got d[MAX_GOT];
	int n;                  /* all of ours, even past MAX_GOT */
};

static char *
dup_or_null(const char *s)
{
	char *c = s ? malloc(strlen(s) + 1) : NULL;

	if (c)
		strcpy(c, s);
	return c;
}

static void
on_diag(void *ud, const rulec_diag *d)
{
	struct lint *l = ud;
	const char *fam = rulec_diag_family(d);
	struct got *g;

	const char *id = rulec_diag_id(d);

	if (strcmp(fam, "sequence") && strcmp(fam, "performance") &&
	    strcmp(fam, "metadata") && strcmp(id, "RC6001") &&
	    strcmp(id, "RC6002") && strcmp(id, "RC2012"))
		return;
	if (l->n++ >= MAX_GOT)
		return;
	g = &l->d[l->n - 1];
	snprintf(g->id, sizeof g->id, "%s", rulec_diag_id(d));
	g->msg = dup_or_null(rulec_diag_message(d));
	g->text = rulec_diag_render(d, RULEC_FORMAT_TEXT, 0);
	g->line = rulec_diag_line(d);
	g->col = rulec_diag_column(d);
}

static void
clear(struct lint *l)
{
	int i;

	for (i = 0; i < l->n && i < MAX_GOT; i++) {
		free(l->d[i].msg);
		free(l->d[i].text);
	}
	memset(l->d, 0, sizeof l->d);
	l->n = 0;
}

/* A fresh context: default settings, no rules. */
static void
reset(struct lint *l)
{
	clear(l);
	rulec_ctx_free(l->ctx);
	l->ctx = rulec_ctx_new();
	assert_non_null(l->ctx);
	rulec_ctx_set_diag_handler(l->ctx, on_diag, l);
}

static int
setup(void **state)
{
	struct lint *l = calloc(1, sizeof *l);

	if (!l)
		return -1;
	reset(l);
	*state = l;
	return 0;
}

static int
teardown(void **state)
{
	struct lint *l = *state;

	clear(l);
	rulec_ctx_free(l->ctx);
	free(l);
	return 0;
}

#define LTEST(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

/* Loads `text` as file `name` (no run-wide checks yet). */
static void
add(struct lint *l, const char *name, const char *text)
{
	assert_true(rulec_ctx_load_buffer(l->ctx, name, text,
					  strlen(text)) >= 1);
}

/* A fresh run of one file, finished. */
static void
lint(struct lint *l, const char *name, const char *text)
{
	reset(l);
	add(l, name, text);
	rulec_ctx_finish(l->ctx);
}

/* The same with one check turned on first (for checks off by default). */
static void
lint_with(struct lint *l, const char *check, const char *name,
	  const char *text)
{
	reset(l);
	assert_int_equal(rulec_ctx_set_severity(l->ctx, check,
						RULEC_SEVERITY_WARNING),
			 RULEC_OK);
	add(l, name, text);
	rulec_ctx_finish(l->ctx);
}

static void
print_got(const struct lint *l)
{
	int i;

	print_error("%d diagnostic(s) of these families\n", l->n);
	for (i = 0; i < l->n && i < MAX_GOT; i++)
		print_error("%s", l->d[i].text ? l->d[i].text : "(null)\n");
}

static void
check_n(const struct lint *l, int n, const char *file, int fline)
{
	if (l->n != n) {
		print_error("expected %d diagnostic(s)\n", n);
		print_got(l);
		_fail(file, fline);
	}
}

static void
check_at(const struct lint *l, int i, const char *id, unsigned line,
	 unsigned col, const char *file, int fline)
{
	if (i >= l->n || i >= MAX_GOT || strcmp(l->d[i].id, id) != 0 ||
	    l->d[i].line != line || l->d[i].col != col) {
		print_error("expected diagnostic #%d to be %s at %u:%u\n", i,
			    id, line, col);
		print_got(l);
		_fail(file, fline);
	}
}

/* Diagnostic i's rendering (message, notes, help) contains `sub`. */
static void
check_text(const struct lint *l, int i, const char *sub, const char *file,
	   int fline)
{
	if (i >= l->n || i >= MAX_GOT || !l->d[i].text ||
	    !strstr(l->d[i].text, sub)) {
		print_error("expected diagnostic #%d to contain \"%s\"\n", i,
			    sub);
		print_got(l);
		_fail(file, fline);
	}
}

/* Silent in these families, and the rule loaded without errors. */
static void
check_clean(const struct lint *l, const char *file, int fline)
{
	if (rulec_ctx_diag_count(l->ctx, RULEC_SEVERITY_ERROR) != 0) {
		print_error("the rule has errors\n");
		_fail(file, fline);
	}
	check_n(l, 0, file, fline);
}

#define assert_n(l, n) check_n((l), (n), __FILE__, __LINE__)
#define assert_at(l, i, id, line, col) \
	check_at((l), (i), (id), (line), (col), __FILE__, __LINE__)
#define assert_text(l, i, sub) check_text((l), (i), (sub), __FILE__, __LINE__)
#define assert_clean(l) check_clean((l), __FILE__, __LINE__)

/* The one diagnostic is id at line:col and says `sub`. */
#define assert_one(l, id, line, col, sub) do {                           \
		assert_n((l), 1);                                        \
		assert_at((l), 0, (id), (line), (col));                  \
		assert_text((l), 0, (sub));                              \
	} while (0)

/* --- ESET rule scaffolding --------------------------------------------- */

#define XML_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

/* One process rule: description body, process conditions, then what
 * follows <definition> (maliciousTarget, actions). */
#define ESET_RULE(desc, conds, tail)                                     \
	XML_HEAD                                                         \
	"<rule>\n"                                                       \
	"  <description>" desc "</description>\n"                        \
	"  <definition>\n"                                               \
	"    <process>\n" conds "    </process>\n"                       \
	"  </definition>\n" tail                                         \
	"</rule>\n"

#define FILENAME_IS(v)                                                   \
	"      <condition component=\"FileItem\" property=\"FileName\" "  \
	"condition=\"is\" value=\"" v "\"/>\n"

/* A sequence rule of two detections; `attrs` go on <sequence>, `agg` is
 * the aggregateOn element or "". */
#define ESET_SEQ(attrs, agg, actions)                                    \
	XML_HEAD                                                         \
	"<rule>\n"                                                       \
	"  <description><name>Two detections [Q0001]</name>"             \
	"<category>Sequence</category><severity>60</severity>"           \
	"</description>\n"                                               \
	"  <definition>\n"                                               \
	"    <sequence count=\"2\"" attrs ">\n"                          \
	"      <detection><definition><operations>"                      \
	"<operation type=\"Detection\">"                                 \
	"<condition component=\"InspectDetection\" property=\"RuleName\" " \
	"condition=\"contains\" value=\"rundll32\"/>"                    \
	"</operation></operations></definition></detection>\n"           \
	"      <detection><definition><operations>"                      \
	"<operation type=\"Detection\">"                                 \
	"<condition component=\"InspectDetection\" property=\"RuleName\" " \
	"condition=\"contains\" value=\"powershell\"/>"                  \
	"</operation></operations></definition></detection>\n"           \
	"      " agg "\n"                                                \
	"    </sequence>\n"                                              \
	"  </definition>\n"                                              \
	"  <actions>" actions "</actions>\n"                             \
	"</rule>\n"

#define AGG_COMPUTER \
	"<aggregateOn><property name=\"Computer\"/></aggregateOn>"
#define REPORT "<action name=\"ReportIncident\"/>"

/* --- sequence: maxspan and join keys ----------------------------------- */

static void
test_missing_maxspan(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence by host.id\n"
	     "  [process where process.name == \"a\"]\n"
	     "  [network where destination.port == 443]");
	assert_one(l, "RC5001", 1, 1, "has no maxspan");
	assert_text(l, 0, "help: write 'sequence by host.id with "
		    "maxspan=5m'");
}

static void
test_missing_maxspan_rule_window(void **state)
{
	struct lint *l = *state;

	/* a detection rule searches only its look-back window: 9 minutes
	 * bound the sequence as a maxspan would */
	lint(l, "r.json", "{\"rule_id\": \"w-1\", \"name\": \"w\", "
	     "\"severity\": \"low\", \"risk_score\": 21, \"from\": "
	     "\"now-9m\", \"query\": \"sequence by process.entity_id "
	     "[process where process.name == \\\"a\\\"] [network where "
	     "destination.port == 443]\"}");
	assert_clean(l);
	/* a long window does not */
	lint(l, "r.json", "{\"rule_id\": \"w-1\", \"name\": \"w\", "
	     "\"severity\": \"low\", \"risk_score\": 21, \"from\": "
	     "\"now-12h\", \"query\": \"sequence by process.entity_id "
	     "[process where process.name == \\\"a\\\"] [network where "
	     "destination.port == 443]\"}");
	assert_one(l, "RC5001", 1, 99, "searches back to now-12h");
}

static void
test_missing_join_key(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence with maxspan=1m\n"
	     "  [process where process.name == \"a\"]\n"
	     "  [network where destination.port == 443]");
	assert_one(l, "RC5002", 1, 1, "has no join key");
	assert_text(l, 0, "help: join the stages on what they share");
}

static void
test_join_key_count_extra(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where process.name == \"a\"] by process.entity_id\n"
	     "  [network where true] by process.entity_id, user.name\n"
	     "  [file where file.name == \"x\"] by process.entity_id");
	assert_one(l, "RC5003", 3, 27, "stage 2 has 3 join keys, but the "
		   "other stages have 2");
	assert_text(l, 0, "q.eql:2:3: note: stage 1 has 2 join keys");
	assert_text(l, 0, "help: remove 'user.name' from the 'by' keys");
}

static void
test_join_key_count_missing(void **state)
{
	struct lint *l = *state;

	/* shared keys are prepended by lowering: stage 2 has 1 of 2 */
	lint(l, "q.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where process.name == \"a\"] by process.entity_id\n"
	     "  [network where destination.port == 443]");
	assert_one(l, "RC5003", 3, 3, "stage 2 has 1 join key");
	assert_text(l, 0, "help: add 'by process.entity_id' after the ']' of "
		    "this stage");
}

static void
test_join_key_count_odd_first(void **state)
{
	struct lint *l = *state;

	/* the count most stages have is the reference, so the first stage
	 * is the odd one and the note goes to stage 2 */
	lint(l, "q.eql", "sequence with maxspan=1m\n"
	     "  [process where process.name == \"a\"] by process.pid, "
	     "user.name\n"
	     "  [network where destination.port == 443] by process.pid\n"
	     "  [file where file.name == \"x\"] by process.pid");
	assert_one(l, "RC5003", 2, 42, "stage 1 has 2 join keys");
	assert_text(l, 0, "q.eql:3:3: note: stage 2 has 1 join key");
}

static void
test_join_key_count_until(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence with maxspan=1m\n"
	     "  [process where process.name == \"a\"] by process.pid\n"
	     "  [network where destination.port == 443] by process.pid\n"
	     "until [process where event.type == \"end\"] by process.pid, "
	     "user.name");
	assert_one(l, "RC5003", 4, 46, "the until condition has 2 join "
		   "keys, but the stages have 1");
}

static void
test_join_key_count_sample(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sample by host.id\n"
	     "  [process where process.name == \"a\"] by process.pid\n"
	     "  [network where destination.port == 443]");
	assert_one(l, "RC5003", 3, 3, "stage 2 has 1 join key");
}

static void
test_join_key_type(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence with maxspan=1m\n"
	     "  [process where process.name == \"a\"] by process.entity_id\n"
	     "  [network where destination.port == 443] by process.pid");
	assert_one(l, "RC5004", 3, 46, "join key 'process.pid' is long, but "
		   "the key it is joined with in stage 1 is keyword");
	assert_text(l, 0, "q.eql:2:42: note: 'process.entity_id' is keyword");
	assert_text(l, 0, "help: join on a field of type keyword here");
}

static void
test_join_key_type_unknown_is_silent(void **state)
{
	struct lint *l = *state;

	/* a field the schema does not know has no type to compare, and
	 * long against double is a number against a number */
	lint(l, "q.eql", "sequence with maxspan=1m\n"
	     "  [process where process.name == \"a\"] by process.pid\n"
	     "  [network where destination.port == 443] by "
	     "event.duration\n"
	     "  [file where file.name == \"x\"] by ?custom.thing");
	assert_clean(l);
}

/* --- sequence: runs and until ------------------------------------------- */

static void
test_runs_one(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where process.name == \"a\"] with runs=1\n"
	     "  [network where destination.port == 443]");
	assert_one(l, "RC5007", 2, 39, "'with runs=1' is the default");
	assert_text(l, 0, "help: remove 'with runs=1'");
}

static void
test_runs_on_missing_stage(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where process.name == \"a\"]\n"
	     "  ![network where destination.port == 443] with runs=3\n"
	     "  [file where file.name == \"x\"]");
	assert_one(l, "RC5007", 3, 44, "'with runs=3' on a missing-event "
		   "stage");
	assert_text(l, 0, "help: remove 'with runs=3'");
}

static void
test_until_without_keys(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence with maxspan=1m\n"
	     "  [process where process.name == \"a\"] by process.entity_id\n"
	     "  [network where destination.port == 443] by "
	     "process.entity_id\n"
	     "until [process where event.type == \"end\"]");
	assert_one(l, "RC5006", 4, 1, "the until condition has no join "
		   "keys, but the stages have 1");
	assert_text(l, 0, "help: add 'by process.entity_id' after the ']' of "
		    "the until condition");
}

static void
test_until_repeats_stage(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where process.name == \"a\"]\n"
	     "  [network where destination.port == 443]\n"
	     "until [network where destination.port == 443]");
	assert_one(l, "RC5006", 4, 1, "the until condition is the same as "
		   "stage 2's");
	assert_text(l, 0, "q.eql:3:3: note: every event this stage matches "
		    "also matches the until condition");
}

/* --- sequence: ESET ----------------------------------------------------- */

static void
test_eset_sequence_no_span(void **state)
{
	struct lint *l = *state;

	lint(l, "s.xml", ESET_SEQ("", AGG_COMPUTER, REPORT));
	assert_one(l, "RC5008", 5, 6, "this sequence has no maxSpan");
	assert_text(l, 0, "help: add maxSpan=\"10m\"");
}

static void
test_eset_sequence_no_aggregate(void **state)
{
	struct lint *l = *state;

	lint(l, "s.xml", ESET_SEQ(" maxSpan=\"5m\"", "", REPORT));
	assert_one(l, "RC5008", 5, 6, "this sequence has no aggregateOn");
	assert_text(l, 0, "help: add <aggregateOn><property "
		    "name=\"Computer\"/></aggregateOn> to <sequence>");
}

/* --- wildcards in exact comparisons (RC6001, RC6002) ---------------------- */

static void
test_equals_wildcard(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "process where process.name == \"*.exe\"");
	assert_one(l, "RC6001", 1, 31, "'==' compares exactly");
	assert_text(l, 0, "help: for a wildcard write 'process.name like "
		    "\"*.exe\"'");
}

static void
test_not_equals_wildcard(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "process where process.name != \"cmd?.exe\"");
	assert_one(l, "RC6001", 1, 31, "with '?' taken literally");
	assert_text(l, 0, "'not process.name like \"cmd?.exe\"'");
	/* the literal may come first */
	lint(l, "q.eql", "process where \"pwsh*\" == process.name");
	assert_one(l, "RC6001", 1, 15, "'==' compares exactly");
	assert_text(l, 0, "'process.name like \"pwsh*\"'");
}

static void
test_list_wildcard(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "process where process.args in (\"-e\", \"-enc*\", "
	     "\"/c*\")");
	assert_one(l, "RC6002", 1, 38, "\"-enc*\" is not a wildcard pattern "
		   "here (nor is the other value with * or ?)");
	assert_text(l, 0, "help: for wildcards write 'process.args like "
		    "(...)'");
	lint(l, "q.eql", "process where process.name not in~ (\"a*\")");
	assert_one(l, "RC6002", 1, 37, "'in~' compares exactly");
	assert_text(l, 0, "'not process.name : (...)'");
}

/* A star that the data itself holds (schemas/literal-stars.tsv). */
static void
test_literal_star_form(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "file where winlog.event_data.ShareName in "
	     "(\"\\\\\\\\*\\\\ADMIN$\", \"\\\\\\\\*\\\\C$\")");
	assert_clean(l);
	lint(l, "q.eql", "file where winlog.event_data.ShareName == "
	     "\"\\\\\\\\*\\\\IPC$\"");
	assert_clean(l);
	/* not the form: a server name with a star, a star in the share */
	lint(l, "q.eql", "file where winlog.event_data.ShareName in "
	     "(\"\\\\\\\\*\\\\C$\", \"\\\\\\\\srv*\\\\C$\", "
	     "\"\\\\\\\\*\\\\*$\")");
	assert_one(l, "RC6002", 1, 57, "\"\\\\\\\\srv*\\\\C$\" is not a "
		   "wildcard pattern here (nor is the other value with * or "
		   "?)");
	/* the form belongs to its field only */
	lint(l, "q.eql", "file where file.path == \"\\\\\\\\*\\\\ADMIN$\"");
	assert_one(l, "RC6001", 1, 25, "'==' compares exactly");
}

/* A star whose wildcard reading would cover a pattern of the same
 * condition on the same field is meant literally. */
static void
test_literal_star_covers(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "process where process.name : \"appcmd.exe\" and "
	     "(process.args : (\"/text:*password*\", \"/config\") or "
	     "process.args == \"/text:*\")");
	assert_clean(l);
	lint(l, "q.eql", "process where process.args like \"-o=/tmp/*\" or "
	     "process.args in (\"-o*\", \"-x\")");
	assert_clean(l);
	/* deeper in the other branch */
	lint(l, "q.eql", "process where process.args like \"-o=/tmp/*\" or "
	     "(process.name == \"x\" and not process.args in (\"-o*\"))");
	assert_clean(l);
	/* ANDed with the pattern: no branch would become pointless */
	lint(l, "q.eql", "process where process.args : \"/text:*a*\" and "
	     "process.args == \"/text:*\"");
	assert_one(l, "RC6001", 1, 62, "'==' compares exactly");
	/* a ':' entry without a wildcard is no sign either */
	lint(l, "q.eql", "process where process.name : (\"*.scr\", "
	     "\"cmd.exe\") or process.name == \"*.exe\"");
	assert_one(l, "RC6001", 1, 70, "'==' compares exactly");
	/* a pattern on the field that the star does not cover is no sign */
	lint(l, "q.eql", "process where process.args like \"--date=*\" or "
	     "process.args in (\"/opt/vuso*\", \"-x\")");
	assert_one(l, "RC6002", 1, 64, "\"/opt/vuso*\" is not a wildcard");
	/* nor is the same pattern twice */
	lint(l, "q.eql", "process where process.name : \"python*\" or "
	     "process.name == \"python*\"");
	assert_one(l, "RC6001", 1, 59, "'==' compares exactly");
	/* nor a pattern on another field */
	lint(l, "q.eql", "process where process.parent.args : \"/text:*a*\" "
	     "or process.args == \"/text:*\"");
	assert_one(l, "RC6001", 1, 68, "'==' compares exactly");
	/* nor one in another stage */
	lint(l, "q.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where process.args : \"/text:*a*\"]\n"
	     "  [process where process.args == \"/text:*\"]");
	assert_one(l, "RC6001", 3, 34, "'==' compares exactly");
}

/* RC6001 and RC6002 are logic checks now, under their old ids. */
static void
test_wildcard_family(void **state)
{
	struct lint *l = *state;
	size_t i, n = 0;

	for (i = 0; i < rulec_check_count(); i++) {
		const char *id = rulec_check_field(i, "id");

		if (strcmp(id, "RC6001") == 0 || strcmp(id, "RC6002") == 0) {
			assert_string_equal(rulec_check_field(i, "family"),
					    "logic");
			n++;
		}
	}
	assert_int_equal(n, 2);
	assert_int_equal(rulec_check_find("equals-wildcard"),
			 rulec_check_find("RC6001"));
	/* turned off by name, as before */
	reset(l);
	assert_int_equal(rulec_ctx_set_severity(l->ctx, "wildcard-in-list",
						RULEC_SEVERITY_OFF),
			 RULEC_OK);
	add(l, "q.eql", "process where process.name in (\"a*\")");
	rulec_ctx_finish(l->ctx);
	assert_n(l, 0);
}

/* --- unknown fields on integration indices (RC2012) ---------------------- */

#define RULE_ON(ix, q) "{\"rule_id\": \"r-1\", \"name\": \"R\", " \
	"\"severity\": \"low\", \"risk_score\": 21, \"index\": [" ix "], " \
	"\"query\": \"" q "\"}\n"

static void
test_unknown_field_integration(void **state)
{
	struct lint *l = *state;

	/* fields under ECS field sets are checked on any index */
	lint(l, "r.ndjson", RULE_ON("\"logs-crowdstrike.fdr*\"",
		"network where event.datset == \\\"x\\\" and sourc.ip == "
		"\\\"10.0.0.1\\\""));
	assert_n(l, 2);
	assert_text(l, 0, "unknown field 'event.datset'");
	assert_text(l, 0, "did you mean 'event.dataset'?");
	assert_text(l, 1, "unknown field 'sourc.ip'");
	assert_text(l, 1, "did you mean 'source.ip'?");
	/* also beside a covered index */
	lint(l, "r.ndjson", RULE_ON("\"logs-endpoint.events.*\", "
		"\"logs-okta*\"", "process where process.parnet.name == "
		"\\\"a\\\""));
	assert_one(l, "RC2012", 1, 145, "process.parnet.name");
	/* the integration's own fields, Defend extensions, open objects,
	 * optional fields and shipped non-ECS fields stay silent */
	lint(l, "r.ndjson", RULE_ON("\"logs-crowdstrike.fdr*\"",
		"process where crowdstrike.event.Flagz == \\\"1\\\" and "
		"process.Ext.api.nmae == \\\"a\\\" and labels.team == "
		"\\\"b\\\" and ?process.custom == \\\"c\\\" and "
		"winlog.event_data.ShareName == \\\"d\\\" and "
		"processor.name == \\\"transaction\\\" and tag == "
		"\\\"e\\\""));
	assert_n(l, 0);
	/* on covered indices every field is checked, as before */
	lint(l, "r.ndjson", RULE_ON("\"logs-endpoint.events.*\"",
		"process where crowdstrike.event.Flagz == \\\"1\\\""));
	assert_one(l, "RC2012", 1, 131, "crowdstrike.event.Flagz");
}

static void
test_regex_as_wildcard(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "process where process.command_line regex "
	     "\".*invoke-expression.*\"");
	assert_one(l, "RC6003", 1, 42, "this regex is a wildcard pattern");
	assert_text(l, 0, "help: write 'process.command_line like "
		    "\"*invoke-expression*\"'");
	lint(l, "q.eql", "process where process.executable regex~ "
	     "\"\"\"C:\\\\Windows\\\\.*\\.exe\"\"\"");
	assert_one(l, "RC6003", 1, 41, "a wildcard pattern");
	assert_text(l, 0, "help: write 'process.executable : "
		    "\"C:\\\\Windows\\\\*.exe\"'");
}

static void
test_regex_plain_text(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "process where process.name regex (\"\"\"cmd\\.exe"
	     "\"\"\", \"\"\"pwsh\\.exe\"\"\")");
	assert_one(l, "RC6003", 1, 35, "these regexes are plain text");
	assert_text(l, 0, "help: write 'process.name in (\"cmd.exe\", "
		    "\"pwsh.exe\")'");
}

static void
test_regex_real_is_silent(void **state)
{
	struct lint *l = *state;

	/* classes, repetition, an escaped * (no wildcard spelling), and a
	 * list where one entry is a real regex */
	lint(l, "q.eql", "process where process.name regex \"[a-z]+\\\\.exe\" "
	     "and process.args regex \"\"\"a\\*b\"\"\" and process.title "
	     "regex (\"\"\"cmd\\.exe\"\"\", \"\"\"\\d+\"\"\")");
	assert_clean(l);
}

static void
test_leading_wildcard(void **state)
{
	struct lint *l = *state;
	const char *q = "process where process.name : (\"*.scr\", \"cmd.exe\")";

	lint(l, "q.eql", q);
	assert_clean(l);        /* off by default */
	lint_with(l, "leading-wildcard", "q.eql", q);
	assert_one(l, "RC6004", 1, 31, "the pattern \"*.scr\" starts with a "
		   "wildcard");
}

static void
test_broad_first_stage(void **state)
{
	struct lint *l = *state;

	lint(l, "q.eql", "sequence by host.id with maxspan=1m\n"
	     "  [any where true]\n"
	     "  [network where destination.port == 443]");
	assert_one(l, "RC6005", 2, 3, "the first stage accepts every event");
	lint(l, "q.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where event.type in (\"start\", \"process_started\")"
	     "]\n"
	     "  [network where destination.port == 443]");
	assert_one(l, "RC6005", 2, 3, "tests only the kind of event, so it "
		   "accepts almost every process event");
}

static void
test_eset_contains(void **state)
{
	struct lint *l = *state;
	const char *rule = ESET_RULE(
		"<name>Contains [C0001]</name><category>Execution</category>"
		"<severity>60</severity>",
		"      <operator type=\"AND\">\n"
		"      <condition component=\"FileItem\" property=\"FullPath\" "
		"condition=\"contains\" value=\"\\rundll32.exe\"/>\n"
		"      <condition component=\"ProcessInfo\" "
		"property=\"CommandLine\" condition=\"contains\" "
		"value=\"/urlcache\"/>\n"
		"      <condition component=\"FileItem\" property=\"Path\" "
		"condition=\"contains\" value=\"C:\\ProgramData\\\"/>\n"
		"      </operator>\n",
		"");

	lint(l, "c.xml", rule);
	assert_clean(l);        /* off by default */
	lint_with(l, "contains-vs-affix", "c.xml", rule);
	assert_n(l, 2);
	assert_at(l, 0, "RC6006", 7, 87);
	assert_text(l, 0, "ends with a file extension");
	assert_text(l, 0, "help: if the value always ends the path, write "
		    "condition=\"ends\"");
	assert_at(l, 1, "RC6006", 9, 83);
	assert_text(l, 1, "condition=\"starts\"");
}

/* --- metadata: Elastic -------------------------------------------------- */

#define QUERY "\"query\": \"process where process.name == \\\"a\\\"\""

static void
test_missing_metadata(void **state)
{
	struct lint *l = *state;

	lint(l, "r.ndjson", "{\"name\": \"n\", " QUERY "}\n");
	assert_one(l, "RC7001", 1, 1, "the rule has no 'rule_id', "
		   "'severity' or 'risk_score'");
	assert_text(l, 0, "help: add \"rule_id\": \"<a new UUID>\", "
		    "\"severity\": \"medium\", \"risk_score\": 47");
	/* the help proposes the severity that fits the score */
	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"risk_score\": 80, " QUERY "}\n");
	assert_one(l, "RC7001", 1, 1, "the rule has no 'severity'");
	assert_text(l, 0, "help: add \"severity\": \"critical\"");
}

static void
test_bad_severity(void **state)
{
	struct lint *l = *state;

	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"Hihg\", \"risk_score\": 73, " QUERY "}\n");
	assert_one(l, "RC7002", 1, 43, "unknown severity 'Hihg'");
	assert_text(l, 0, "help: write \"high\"");
}

static void
test_bad_risk(void **state)
{
	struct lint *l = *state;

	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"low\", \"risk_score\": -5, " QUERY "}\n");
	assert_one(l, "RC7003", 1, 64, "risk_score -5 is outside 0..100");
	assert_text(l, 0, "help: use a number from 0 to 21");
}

static void
test_severity_risk_band(void **state)
{
	struct lint *l = *state;

	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"low\", \"risk_score\": 47, " QUERY "}\n");
	assert_one(l, "RC7004", 1, 64, "risk_score 47 is in the medium band "
		   "(22-47), but the severity is low");
	assert_text(l, 0, "r.ndjson:1:43: note: low is 0-21");
	assert_text(l, 0, "help: set risk_score to 21");
	/* the band edges are inclusive */
	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"medium\", \"risk_score\": 22, " QUERY "}\n");
	assert_clean(l);
}

static void
test_bad_mitre_elastic(void **state)
{
	struct lint *l = *state;

	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"low\", \"risk_score\": 21, " QUERY ", "
	     "\"threat\": [{\"framework\": \"MITRE ATT&CK\", \"tactic\": "
	     "{\"id\": \"ta0002\", \"name\": \"Execution\", \"reference\": "
	     "\"r\"}, \"technique\": [{\"id\": \"T1059.001\", \"name\": "
	     "\"PowerShell\", \"reference\": \"r\"}]}]}\n");
	assert_n(l, 2);
	assert_at(l, 0, "RC7005", 1, 174);
	assert_text(l, 0, "'ta0002' is not a MITRE ATT&CK tactic id");
	assert_text(l, 0, "help: write 'TA0002'");
	assert_at(l, 1, "RC7005", 1, 245);
	assert_text(l, 1, "'T1059.001' is a subtechnique: put it under "
		    "\"subtechnique\" of technique 'T1059'");
}

static void
test_mitre_agreement(void **state)
{
	struct lint *l = *state;

	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"low\", \"risk_score\": 21, " QUERY ", "
	     "\"threat\": [{\"framework\": \"MITRE ATT&CK\", \"tactic\": "
	     "{\"id\": \"TA0005\", \"name\": \"Defense Evasion\", "
	     "\"reference\": \"r\"}, \"technique\": [{\"id\": \"T1055\", "
	     "\"name\": \"n\", \"reference\": \"r\", \"subtechnique\": "
	     "[{\"id\": \"T1059.001\", \"name\": \"n\", \"reference\": "
	     "\"r\"}]}]}]}\n");
	assert_one(l, "RC7006", 1, 315, "subtechnique 'T1059.001' does not "
		   "belong to technique 'T1055'");
	assert_text(l, 0, "r.ndjson:1:251: note: the technique");
}

/* --- metadata: ESET ------------------------------------------------------- */

static void
test_eset_severity(void **state)
{
	struct lint *l = *state;

	lint(l, "e.xml", ESET_RULE("<name>Sev [E0001]</name>"
				   "<severity>0</severity>",
				   FILENAME_IS("a.exe"), ""));
	/* at the <severity> element */
	assert_one(l, "RC7002", 3, 41, "severity 0 is outside 1..100");
	assert_text(l, 0, "help: write <severity>1</severity>");
}

static void
test_eset_mitre(void **state)
{
	struct lint *l = *state;

	lint(l, "e.xml", ESET_RULE("<name>Mitre [E0001]</name>"
				   "<severity>60</severity><mitreattackid>"
				   "T1059, t1055.001, TA0002"
				   "</mitreattackid>",
				   FILENAME_IS("a.exe"), ""));
	/* at the <mitreattackid> element */
	assert_n(l, 2);
	assert_at(l, 0, "RC7005", 3, 66);
	assert_text(l, 0, "help: write 'T1055.001'");
	assert_at(l, 1, "RC7005", 3, 66);
	assert_text(l, 1, "remove the tactic 'TA0002'");
}

static void
test_eset_malicious_target(void **state)
{
	struct lint *l = *state;

	lint(l, "e.xml", ESET_RULE("<name>Target [E0001]</name>"
				   "<severity>60</severity>",
				   FILENAME_IS("a.exe"),
				   "  <maliciousTarget name=\"Parent\"/>\n"));
	/* at the name attribute's value */
	assert_one(l, "RC7009", 9, 26, "unknown maliciousTarget 'Parent'");
	assert_text(l, 0, "help: use name=\"current\"");
}

static void
test_eset_sequence_action(void **state)
{
	struct lint *l = *state;

	lint(l, "s.xml", ESET_SEQ(" maxSpan=\"5m\"", AGG_COMPUTER,
				  REPORT "<action name=\"StoreEvent\"/>"));
	assert_one(l, "RC7010", 11, 57, "a sequence rule cannot use action "
		   "'StoreEvent'");
}

static void
test_eset_telemetry_trigger(void **state)
{
	struct lint *l = *state;

	lint(l, "e.xml", ESET_RULE("<name>Low [E0001]</name>"
				   "<severity>20</severity>",
				   FILENAME_IS("a.exe"),
				   "  <actions><action "
				   "name=\"TriggerDetection\"/></actions>\n"));
	assert_one(l, "RC7011", 9, 26, "TriggerDetection on a rule of "
		   "severity 20");
	assert_text(l, 0, "help: raise the severity to 23 or more");
}

static void
test_eset_empty_name(void **state)
{
	struct lint *l = *state;

	lint(l, "e.xml", ESET_RULE("<name> </name><severity>60</severity>",
				   FILENAME_IS("a.exe"), ""));
	/* at the empty <name> element */
	assert_one(l, "RC7001", 3, 17, "the rule's <name> is empty");
}

/* --- metadata: duplicates across a run ----------------------------------- */

static void
test_duplicate_id_across_files(void **state)
{
	struct lint *l = *state;

	reset(l);
	add(l, "a.ndjson", "{\"rule_id\": \"dup\", \"name\": \"first\", "
	    "\"severity\": \"low\", \"risk_score\": 21, " QUERY "}\n");
	add(l, "b.ndjson", "{\"rule_id\": \"other\", \"name\": \"x\", "
	    "\"severity\": \"low\", \"risk_score\": 21, " QUERY "}\n"
	    "{\"rule_id\": \"dup\", \"name\": \"second\", "
	    "\"severity\": \"low\", \"risk_score\": 21, " QUERY "}\n");
	assert_n(l, 0);         /* found at the end of the run */
	rulec_ctx_finish(l->ctx);
	assert_one(l, "RC7007", 2, 13, "rule id 'dup' is already used by "
		   "another rule");
	assert_text(l, 0, "a.ndjson:1:13: note: first used here");
	assert_text(l, 0, "help: give this rule a new rule_id");
}

static void
test_duplicate_name(void **state)
{
	struct lint *l = *state;

	lint(l, "r.ndjson",
	     "{\"rule_id\": \"1\", \"name\": \"Same\", \"severity\": "
	     "\"low\", \"risk_score\": 21, " QUERY "}\n"
	     "{\"rule_id\": \"2\", \"name\": \" Same \", \"severity\": "
	     "\"low\", \"risk_score\": 21, " QUERY "}\n"
	     "{\"rule_id\": \"2\", \"name\": \"Other\", \"severity\": "
	     "\"low\", \"risk_score\": 21, " QUERY "}\n");
	/* delivered in file order; the name is compared without the
	 * blanks around it */
	assert_n(l, 2);
	assert_at(l, 0, "RC7008", 2, 26);
	assert_text(l, 0, "rule name 'Same' is already used by another rule");
	assert_text(l, 0, "r.ndjson:1:26: note: first used here");
	assert_at(l, 1, "RC7007", 3, 13);
	assert_text(l, 1, "r.ndjson:2:13: note: first used here");
}

static void
test_duplicate_eset_id(void **state)
{
	struct lint *l = *state;

	/* an ESET id is the [...] suffix of the name: the same name is one
	 * finding (the id), a different name with the same id another */
	reset(l);
	add(l, "a.xml", ESET_RULE("<name>One [D0001]</name>",
				  FILENAME_IS("a.exe"), ""));
	add(l, "b.xml", ESET_RULE("<name>One [D0001]</name>",
				  FILENAME_IS("b.exe"), ""));
	add(l, "c.xml", ESET_RULE("<name>Two [D0001]</name>",
				  FILENAME_IS("c.exe"), ""));
	rulec_ctx_finish(l->ctx);
	/* at the <name> element that holds the id */
	assert_n(l, 2);
	assert_at(l, 0, "RC7007", 3, 17);
	assert_text(l, 0, "b.xml:3:17: error: rule id 'D0001'");
	assert_text(l, 0, "the two rules also have the same name");
	assert_at(l, 1, "RC7007", 3, 17);
	assert_text(l, 1, "c.xml:3:17: error: rule id 'D0001'");
	assert_text(l, 1, "a.xml:3:17: note: first used here");
}

/* --- metadata: dates and maturity ---------------------------------------- */

/* A TOML rule file whose [metadata] table holds `md` (lines). */
#define TOML_RULE(md) \
	"[metadata]\n" md \
	"[rule]\nname = \"n\"\nrule_id = \"x\"\nseverity = \"low\"\n" \
	"risk_score = 21\ntype = \"eql\"\nlanguage = \"eql\"\n" \
	"query = 'process where process.name == \"a\"'\n"

static void
test_toml_dates(void **state)
{
	struct lint *l = *state;

	/* leap days: 2024 and 2000 have one, 1900 and 2023 have not */
	lint(l, "r.toml", TOML_RULE("creation_date = \"2000/02/29\"\n"
				    "updated_date = \"2024/02/29\"\n"));
	assert_clean(l);
	lint(l, "r.toml", TOML_RULE("creation_date = \"1900/02/29\"\n"
				    "updated_date = \"2024/02/29\"\n"));
	assert_one(l, "RC7012", 2, 17, "creation_date '1900/02/29' is not "
		   "a calendar date");
	lint(l, "r.toml", TOML_RULE("creation_date = \"2024/04/31\"\n"
				    "updated_date = \"2024/13/01\"\n"));
	assert_at(l, 0, "RC7012", 2, 17);
	assert_at(l, 1, "RC7012", 3, 16);
	check_n(l, 2, __FILE__, __LINE__);
	/* one digit too few, and an unquoted TOML date with its fix */
	lint(l, "r.toml", TOML_RULE("creation_date = \"2024/5/31\"\n"
				    "updated_date = 2024-06-01\n"));
	assert_at(l, 0, "RC7012", 2, 17);
	assert_text(l, 0, "is not written YYYY/MM/DD");
	assert_at(l, 1, "RC7012", 3, 16);
	assert_text(l, 1, "help: write updated_date = \"2024/06/01\"");
	/* order: one day is enough, the same day is fine */
	lint(l, "r.toml", TOML_RULE("creation_date = \"2024/06/01\"\n"
				    "updated_date = \"2024/05/31\"\n"));
	assert_one(l, "RC7013", 3, 16, "updated_date 2024/05/31 is before "
		   "creation_date 2024/06/01");
	assert_text(l, 0, "r.toml:2:17: note: the rule was created here");
	lint(l, "r.toml", TOML_RULE("creation_date = \"2024/06/01\"\n"
				    "updated_date = \"2024/06/01\"\n"
				    "deprecation_date = \"2024/06/01\"\n"
				    "maturity = \"deprecated\"\n"));
	assert_clean(l);
}

static void
test_toml_metadata_required(void **state)
{
	struct lint *l = *state;

	lint(l, "r.toml", TOML_RULE("maturity = \"production\"\n"));
	assert_one(l, "RC7001", 1, 1, "[metadata] has no 'creation_date' or "
		   "'updated_date'");
	lint(l, "r.toml", TOML_RULE("creation_date = \"2024/06/01\"\n"
				    "updated_date = \"2024/06/01\"\n"
				    "maturity = \"deprecated\"\n"));
	assert_one(l, "RC7001", 4, 12, "a deprecated rule has no "
		   "'deprecation_date'");
	/* a JSON rule object needs none of this */
	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"low\", \"risk_score\": 21, "
	     "\"maturity\": \"deprecated\", " QUERY "}\n");
	assert_clean(l);
}

static void
test_json_dates(void **state)
{
	struct lint *l = *state;

	/* offsets count: 01:00+02:00 is 23:00 the day before */
	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"low\", \"risk_score\": 21, "
	     "\"created_at\": \"2024-06-01T00:30:00.123Z\", "
	     "\"updated_at\": \"2024-06-01T01:00:00+02:00\", " QUERY "}\n");
	assert_one(l, "RC7013", 1, 124, "updated_at 2024-06-01T01:00:00+02:00 "
		   "is before created_at");
	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"low\", \"risk_score\": 21, "
	     "\"created_at\": \"2024-06-01T00:30:00Z\", "
	     "\"updated_at\": \"2024-06-01T01:00:00-02:00\", " QUERY "}\n");
	assert_clean(l);
	lint(l, "r.ndjson", "{\"rule_id\": \"x\", \"name\": \"n\", "
	     "\"severity\": \"low\", \"risk_score\": 21, "
	     "\"created_at\": \"2024-06-01T00:30:00.Z\", " QUERY "}\n");
	assert_one(l, "RC7012", 1, 82, "is not an ISO 8601 date and time");
}

static void
test_bad_maturity(void **state)
{
	struct lint *l = *state;

	lint(l, "r.toml", TOML_RULE("creation_date = \"2024/06/01\"\n"
				    "updated_date = \"2024/06/01\"\n"
				    "maturity = \"Beta\"\n"));
	assert_one(l, "RC7014", 4, 12, "unknown maturity 'Beta'");
	assert_text(l, 0, "help: write \"beta\"");
}

/* --- rules that must stay silent ----------------------------------------- */

static void
test_clean_rules(void **state)
{
	struct lint *l = *state;

	/* a bare query has no metadata to check */
	lint(l, "q.eql", "process where process.name : \"cmd.exe\"");
	assert_clean(l);
	/* a full Elastic rule with MITRE data */
	lint(l, "r.json", "{\"rule_id\": \"c-1\", \"name\": \"Clean\", "
	     "\"severity\": \"critical\", \"risk_score\": 99, " QUERY ", "
	     "\"threat\": [{\"framework\": \"MITRE ATT&CK\", \"tactic\": "
	     "{\"id\": \"TA0002\", \"name\": \"Execution\", \"reference\": "
	     "\"r\"}, \"technique\": [{\"id\": \"T1059\", \"name\": \"n\", "
	     "\"reference\": \"r\", \"subtechnique\": [{\"id\": "
	     "\"T1059.001\", \"name\": \"n\", \"reference\": \"r\"}]}]}, "
	     "{\"framework\": \"MITRE ATT&CK\", \"tactic\": {\"id\": "
	     "\"TA0005\", \"name\": \"Defense Evasion\", \"reference\": "
	     "\"r\"}}]}");
	assert_clean(l);
	/* a sequence with everything it should have */
	lint(l, "q.eql", "sequence by host.id with maxspan=5m\n"
	     "  [process where process.name : \"mshta.exe\"] by "
	     "process.entity_id\n"
	     "  [network where destination.port == 443] by "
	     "process.entity_id with runs=2\n"
	     "until [process where event.type == \"end\"] by "
	     "process.entity_id");
	assert_clean(l);
	/* missing-event stage with keys from the shared by */
	lint(l, "q.eql", "sequence by host.id, user.name with maxspan=10m\n"
	     "  [authentication where event.outcome == \"failure\"]\n"
	     "  ![authentication where event.outcome == \"success\"]\n"
	     "  [process where process.name == \"passwd\"]");
	assert_clean(l);
	/* wildcards where they are wildcards, == without them */
	lint(l, "q.eql", "process where process.name == \"cmd.exe\" and "
	     "process.args : (\"-enc*\", \"/c\") and process.parent.name "
	     "like~ \"win*.exe\" and process.title in (\"a\", \"b\")");
	assert_clean(l);
	/* a first stage with a real test besides the event kind */
	lint(l, "q.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where event.type == \"start\" and process.name == "
	     "\"a\"]\n"
	     "  [network where true]");
	assert_clean(l);
	/* a sample with keys everywhere */
	lint(l, "q.eql", "sample by host.id\n"
	     "  [process where process.name == \"a\"] by process.pid\n"
	     "  [network where destination.port == 443] by process.pid");
	assert_clean(l);
	/* a hunt needs no severity */
	lint(l, "h.ndjson", "{\"rule_id\": \"h-1\", \"name\": \"Hunt\", "
	     "\"type\": \"hunt\", \"language\": \"eql\", " QUERY "}\n");
	assert_clean(l);
	/* ESET rules */
	lint(l, "e.xml", ESET_RULE("<name>Clean [E0001]</name>"
				   "<category>Execution</category>"
				   "<severity>60</severity><mitreattackid>"
				   "T1059, T1055.001</mitreattackid>",
				   FILENAME_IS("a.exe"),
				   "  <maliciousTarget name=\"current\"/>\n"
				   "  <actions><action "
				   "name=\"TriggerDetection\"/></actions>\n"));
	assert_clean(l);
	lint(l, "s.xml", ESET_SEQ(" maxSpan=\"5m\"", AGG_COMPUTER, REPORT));
	assert_clean(l);
	/* an ESET "is" with a star is not a wildcard comparison */
	lint(l, "e.xml", ESET_RULE("<name>Star [E0001]</name>"
				   "<severity>60</severity>",
				   FILENAME_IS("a*.exe"), ""));
	assert_clean(l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		LTEST(test_missing_maxspan),
		LTEST(test_missing_maxspan_rule_window),
		LTEST(test_missing_join_key),
		LTEST(test_join_key_count_extra),
		LTEST(test_join_key_count_missing),
		LTEST(test_join_key_count_odd_first),
		LTEST(test_join_key_count_until),
		LTEST(test_join_key_count_sample),
		LTEST(test_join_key_type),
		LTEST(test_join_key_type_unknown_is_silent),
		LTEST(test_runs_one),
		LTEST(test_runs_on_missing_stage),
		LTEST(test_until_without_keys),
		LTEST(test_until_repeats_stage),
		LTEST(test_eset_sequence_no_span),
		LTEST(test_eset_sequence_no_aggregate),
		LTEST(test_equals_wildcard),
		LTEST(test_not_equals_wildcard),
		LTEST(test_list_wildcard),
		LTEST(test_literal_star_form),
		LTEST(test_literal_star_covers),
		LTEST(test_wildcard_family),
		LTEST(test_unknown_field_integration),
		LTEST(test_regex_as_wildcard),
		LTEST(test_regex_plain_text),
		LTEST(test_regex_real_is_silent),
		LTEST(test_leading_wildcard),
		LTEST(test_broad_first_stage),
		LTEST(test_eset_contains),
		LTEST(test_missing_metadata),
		LTEST(test_bad_severity),
		LTEST(test_bad_risk),
		LTEST(test_severity_risk_band),
		LTEST(test_bad_mitre_elastic),
		LTEST(test_mitre_agreement),
		LTEST(test_eset_severity),
		LTEST(test_eset_mitre),
		LTEST(test_eset_malicious_target),
		LTEST(test_eset_sequence_action),
		LTEST(test_eset_telemetry_trigger),
		LTEST(test_eset_empty_name),
		LTEST(test_duplicate_id_across_files),
		LTEST(test_duplicate_name),
		LTEST(test_duplicate_eset_id),
		LTEST(test_toml_dates),
		LTEST(test_toml_metadata_required),
		LTEST(test_json_dates),
		LTEST(test_bad_maturity),
		LTEST(test_clean_rules),
	};

	return cmocka_run_group_tests_name("checks", tests, NULL, NULL);
}
