/*
 * test_logic.c - the logic family (src/check/logic.c) end to end: rules
 * are compiled from strings through the public interface, and the exact
 * logic diagnostics (RC4001..RC4006, RC5005) are asserted: id, location,
 * message, notes and help.  Diagnostics of other families are ignored
 * here; their own tests pin them.
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
#include "check/check.h"
#include "rulec.h"
#include "sema/rule.h"

enum { MAX_GOT = 24 };

struct got {
	char id[8];
	char *msg, *text;
	unsigned line, col;
};

struct lt {
	rulec_ctx *ctx;
	struct got d[MAX_GOT];
	int n;
};

static char *
dup_str(const char *s)
{
	char *c = malloc(strlen(s ? s : "") + 1);

	if (c)
		strcpy(c, s ? s : "");
	return c;
}

static bool
logic_family(const char *id)
{
	return strncmp(id, "RC40", 4) == 0 || strcmp(id, "RC5005") == 0;
}

static void
on_diag(void *ud, const rulec_diag *d)
{
	struct lt *t = ud;
	struct got *g;

	if (!logic_family(rulec_diag_id(d)))
		return;
	if (t->n >= MAX_GOT) {
		t->n++;
		return;
	}
	g = &t->d[t->n++];
	snprintf(g->id, sizeof g->id, "%s", rulec_diag_id(d));
	g->msg = dup_str(rulec_diag_message(d));
	g->text = rulec_diag_render(d, RULEC_FORMAT_TEXT, 0);
	g->line = rulec_diag_line(d);
	g->col = rulec_diag_column(d);
}

static void
clear_got(struct lt *t)
{
	int i;

	for (i = 0; i < t->n && i < MAX_GOT; i++) {
		free(t->d[i].msg);
		free(t->d[i].text);
	}
	memset(t->d, 0, sizeof t->d);
	t->n = 0;
}

static int
setup(void **state)
{
	struct lt *t = calloc(1, sizeof *t);

	if (!t)
		return -1;
	t->ctx = rulec_ctx_new();
	if (!t->ctx) {
		free(t);
		return -1;
	}
	rulec_ctx_set_diag_handler(t->ctx, on_diag, t);
	*state = t;
	return 0;
}

static int
teardown(void **state)
{
	struct lt *t = *state;

	if (t) {
		clear_got(t);
		rulec_ctx_free(t->ctx);
		free(t);
	}
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static void
print_got(const struct lt *t)
{
	int i;

	print_error("%d logic diagnostic(s)\n", t->n);
	for (i = 0; i < t->n && i < MAX_GOT; i++)
		print_error("%s", t->d[i].text ? t->d[i].text : "(null)\n");
}

/* Compiles one rule (the extension of `name` picks the language) and
 * collects its logic diagnostics; returns their number. */
static int
lint(struct lt *t, const char *name, const char *text)
{
	clear_got(t);
	rulec_ctx_clear(t->ctx);
	assert_int_equal(rulec_ctx_load_buffer(t->ctx, name, text,
					       strlen(text)), 1);
	return t->n;
}

/* An ESET rule around a <definition> body. */
static int
lint_eset(struct lt *t, const char *definition)
{
	char buf[8192];

	snprintf(buf, sizeof buf,
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<rule>\n"
		 "  <description><name>Test [T1]</name><category>Test"
		 "</category><os>Windows</os><severity>50</severity>"
		 "<explanation>e</explanation><benignCauses>b</benignCauses>"
		 "<maliciousCauses>m</maliciousCauses><recommendedActions>r"
		 "</recommendedActions><mitreattackid>T1059</mitreattackid>"
		 "</description>\n"
		 "  <definition>\n%s\n  </definition>\n"
		 "  <maliciousTarget name=\"current\"/>\n"
		 "  <actions><action name=\"TriggerDetection\"/></actions>\n"
		 "</rule>\n", definition);
	return lint(t, "t.xml", buf);
}

static void
check_count(const struct lt *t, int n, const char *file, int line)
{
	if (t->n != n) {
		print_error("expected %d logic diagnostic(s)\n", n);
		print_got(t);
		_fail(file, line);
	}
}

/* Diagnostic i is `id` at line:col with exactly this message. */
static void
check_got(const struct lt *t, int i, const char *id, unsigned line,
	  unsigned col, const char *msg, const char *file, int fline)
{
	if (i >= t->n || i >= MAX_GOT || strcmp(t->d[i].id, id) != 0 ||
	    t->d[i].line != line || t->d[i].col != col ||
	    strcmp(t->d[i].msg, msg) != 0) {
		print_error("expected #%d: %s at %u:%u: %s\n", i, id, line, col,
			    msg);
		print_got(t);
		_fail(file, fline);
	}
}

/* The rendering of diagnostic i (notes, help) contains `sub`. */
static void
check_text(const struct lt *t, int i, const char *sub, const char *file,
	   int line)
{
	if (i >= t->n || i >= MAX_GOT || !t->d[i].text ||
	    !strstr(t->d[i].text, sub)) {
		print_error("expected #%d to contain: %s\n", i, sub);
		print_got(t);
		_fail(file, line);
	}
}

#define assert_count(t, n) check_count((t), (n), __FILE__, __LINE__)
#define assert_got(t, i, id, line, col, msg) \
	check_got((t), (i), (id), (line), (col), (msg), __FILE__, __LINE__)
#define assert_text(t, i, sub) check_text((t), (i), (sub), __FILE__, __LINE__)

/* --- the seed shape and its fix ------------------------------------------ */

static const char seed_ops[] =
	"    <operations><operation type=\"TcpIpConnect\">\n"
	"      <operator type=\"OR\">\n"
	"        <operator type=\"NOT\"><operator type=\"OR\">\n"
	"          <condition component=\"Network\" property=\"IpAddressV4\" "
	"condition=\"is\" value=\"10.0.0.0/8\"/>\n"
	"          <condition component=\"Network\" property=\"IpAddressV4\" "
	"condition=\"is\" value=\"192.168.0.0/16\"/>\n"
	"        </operator></operator>\n"
	"        <operator type=\"NOT\"><operator type=\"OR\">\n"
	"          <condition component=\"Network\" property=\"IpAddressV6\" "
	"condition=\"is\" value=\"fc00::/7\"/>\n"
	"        </operator></operator>\n"
	"      </operator>\n"
	"    </operation></operations>";

static void
test_eset_or_of_nots(void **state)
{
	struct lt *t = *state;

	lint_eset(t, seed_ops);
	assert_count(t, 1);
	assert_got(t, 0, "RC4001", 6, 8, "this condition is always true: a "
		   "connection to 10.0.0.1 satisfies it, because "
		   "Network.IpAddressV4 and Network.IpAddressV6 are never both "
		   "set, so one of the NOTs always holds");
	assert_text(t, 0, "t.xml:7:10: note: true whenever "
		    "Network.IpAddressV4 is not set");
	assert_text(t, 0, "t.xml:11:10: note: true whenever "
		    "Network.IpAddressV6 is not set");
	assert_text(t, 0, "help: did you mean NOT(OR(...the Network.IpAddressV4 "
		    "ranges..., ...the Network.IpAddressV6 ranges...)), i.e. the "
		    "address is in none of the ranges? Write <operator "
		    "type=\"NOT\"><operator type=\"OR\">...all the "
		    "conditions...</operator></operator>");
}

static void
test_eset_de_morgan_clean(void **state)
{
	struct lt *t = *state;

	lint_eset(t,
		  "    <operations><operation type=\"TcpIpConnect\">\n"
		  "      <operator type=\"NOT\"><operator type=\"OR\">\n"
		  "        <condition component=\"Network\" property=\"IpAddressV4\" "
		  "condition=\"is\" value=\"10.0.0.0/8\"/>\n"
		  "        <condition component=\"Network\" property=\"IpAddressV4\" "
		  "condition=\"is\" value=\"192.168.0.0/16\"/>\n"
		  "        <condition component=\"Network\" property=\"IpAddressV6\" "
		  "condition=\"is\" value=\"fc00::/7\"/>\n"
		  "      </operator></operator>\n"
		  "    </operation></operations>");
	assert_count(t, 0);
}

static void
test_eql_or_of_nots(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "network where not cidrMatch(destination.ip, "
	     "\"10.0.0.0/8\", \"192.168.0.0/16\") or\n"
	     "  not cidrMatch(destination.ip, \"fc00::/7\")");
	assert_count(t, 1);
	assert_got(t, 0, "RC4001", 1, 15, "this condition is always true: a "
		   "connection to 10.0.0.1 satisfies it, because destination.ip "
		   "cannot be both in one of (10.0.0.0/8, 192.168.0.0/16) and in "
		   "fc00::/7, so one of the negated branches always holds");
	assert_text(t, 0, "t.eql:2:3: note: true whenever destination.ip is "
		    "not in fc00::/7");
	assert_text(t, 0, "help: did you mean 'not (cidrMatch(destination.ip, "
		    "\"10.0.0.0/8\", \"192.168.0.0/16\") or cidrMatch("
		    "destination.ip, \"fc00::/7\"))', i.e. none of them holds?");
	/* the De Morgan form is clean */
	lint(t, "t.eql", "network where not (cidrMatch(destination.ip, "
	     "\"10.0.0.0/8\", \"192.168.0.0/16\") or cidrMatch(destination.ip, "
	     "\"fc00::/7\"))");
	assert_count(t, 0);
}

/* --- single-valued fields against arrays --------------------------------- */

static void
test_contradiction_single_valued(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "network where destination.ip == \"10.0.0.1\" and "
	     "destination.ip == \"10.0.0.2\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: "
		   "destination.ip would have to be both 10.0.0.1 and 10.0.0.2");
	assert_text(t, 0, "t.eql:1:15: note: requires destination.ip to be "
		    "10.0.0.1");
	assert_text(t, 0, "t.eql:1:48: note: requires destination.ip to be "
		    "10.0.0.2");
}

static void
test_array_field_satisfiable(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where event.type == \"start\" and "
	     "event.type == \"end\"");
	assert_count(t, 0);
	/* the NOT form is no tautology on an array either */
	lint(t, "t.eql", "process where not event.type == \"start\" or "
	     "not event.type == \"end\"");
	assert_count(t, 0);
}

static void
test_not_or_not_single_valued(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where not (process.pid == 1) or "
	     "not (process.pid == 2)");
	assert_count(t, 1);
	assert_got(t, 0, "RC4001", 1, 15, "this condition is always true: an "
		   "event where process.pid = 1 satisfies it, because "
		   "process.pid cannot be both 1 and 2, so one of the negated "
		   "branches always holds");
	assert_text(t, 0, "note: true whenever process.pid is not 1");
	assert_text(t, 0, "note: true whenever process.pid is not 2");
	assert_text(t, 0, "help: did you mean 'not ((process.pid == 1) or "
		    "(process.pid == 2))', i.e. none of them holds?");
	/* != and not in are negations too */
	lint(t, "t.eql", "process where process.name not in (\"a\", \"b\") or "
	     "process.name != \"c\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4001", 1, 15, "this condition is always true: an "
		   "event where process.name = \"a\" satisfies it, because "
		   "process.name cannot be both one of (\"a\", \"b\") and \"c\", "
		   "so one of the negated branches always holds");
	assert_text(t, 0, "help: did you mean 'not (process.name in (\"a\", "
		    "\"b\") or process.name == \"c\")', i.e. none of them holds?");
}

/* --- numbers, ranges, booleans -------------------------------------------- */

static void
test_numbers(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where process.pid > 5 and process.pid < 3");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: "
		   "process.pid would have to be both greater than 5 and less "
		   "than 3");
	/* closed ends meet */
	lint(t, "t.eql", "process where process.pid >= 5 and process.pid <= 5");
	assert_count(t, 0);
	/* an open one does not */
	lint(t, "t.eql", "process where process.pid > 5 and process.pid <= 5");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: "
		   "process.pid would have to be both greater than 5 and at "
		   "most 5");
	/* a long holds no number between 1.5 and 1.6 */
	lint(t, "t.eql", "process where process.pid > 1.5 and "
	     "process.pid < 1.6");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: "
		   "process.pid would have to be both greater than 1.5 and less "
		   "than 1.6 (process.pid holds whole numbers)");
	lint(t, "t.eql", "process where process.interactive == true and "
	     "process.interactive == false");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: "
		   "process.interactive would have to be both true and false");
}

static void
test_ip_ranges(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "network where cidrMatch(source.ip, \"10.0.0.0/8\") "
	     "and cidrMatch(source.ip, \"192.168.0.0/16\")");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: source.ip "
		   "would have to be both in 10.0.0.0/8 and in 192.168.0.0/16");
	/* nested networks: the wider test adds nothing */
	lint(t, "t.eql", "network where cidrMatch(source.ip, \"10.0.0.0/8\") "
	     "and cidrMatch(source.ip, \"10.1.0.0/16\")");
	assert_count(t, 1);
	assert_got(t, 0, "RC4003", 1, 15, "this condition is redundant: every "
		   "event that satisfies 'cidrMatch(source.ip, \"10.1.0.0/16\")' "
		   "also satisfies it");
	assert_text(t, 0, "t.eql:1:54: note: this condition already implies it");
	/* a network list that repeats itself */
	lint(t, "t.eql", "network where cidrMatch(source.ip, \"10.0.0.0/8\", "
	     "\"10.1.0.0/16\", \"10.2.3.4\")");
	assert_count(t, 1);
	assert_got(t, 0, "RC4005", 1, 50, "10.1.0.0/16 and 1 other entry "
		   "are already contained by 10.0.0.0/8 in this list");
	assert_text(t, 0, "t.eql:1:65: note: also contained by 10.0.0.0/8");
	assert_text(t, 0, "help: remove the entries that 10.0.0.0/8 already "
		    "contains");
}

/* --- lists ------------------------------------------------------------------- */

static void
test_in_duplicates_case(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where process.name in~ (\"cmd.exe\", "
	     "\"CMD.EXE\", \"powershell.exe\") and process.parent.name in "
	     "(\"cmd.exe\", \"CMD.EXE\")");
	assert_count(t, 1);
	assert_got(t, 0, "RC4004", 1, 44, "\"CMD.EXE\" appears twice in this "
		   "list ('in~' ignores case)");
	assert_text(t, 0, "t.eql:1:33: note: first here");
	assert_text(t, 0, "help: remove the repeated value");
	lint(t, "t.eql", "process where process.name : (\"a.exe\", \"b.exe\", "
	     "\"A.EXE\")");
	assert_count(t, 1);
	assert_got(t, 0, "RC4004", 1, 49, "\"A.EXE\" appears twice in this list "
		   "(':' ignores case)");
	lint(t, "t.eql", "process where process.pid in (1, 2, 1)");
	assert_count(t, 1);
	assert_got(t, 0, "RC4004", 1, 37, "1 appears twice in this list");
	/* a third occurrence says so */
	lint(t, "t.eql", "process where process.name in (\"a\", \"b\", \"a\", "
	     "\"b\", \"a\")");
	assert_count(t, 3);
	assert_got(t, 0, "RC4004", 1, 42, "\"a\" appears twice in this list");
	assert_got(t, 1, "RC4004", 1, 47, "\"b\" appears twice in this list");
	assert_got(t, 2, "RC4004", 1, 52, "\"a\" appears 3 times in this list");
	assert_text(t, 2, "t.eql:1:32: note: first here");
	lint(t, "t.eql", "process where process.name : (\"a*\", \"A*\", "
	     "\"a*\")");
	assert_count(t, 2);
	assert_got(t, 1, "RC4004", 1, 43, "\"a*\" appears 3 times in this "
		   "list");
	lint(t, "t.eql", "network where cidrmatch(destination.ip, "
	     "\"10.0.0.0/8\", \"10.0.0.0/8\", \"10.0.0.0/8\")");
	assert_count(t, 2);
	assert_got(t, 0, "RC4004", 1, 55, "10.0.0.0/8 appears twice in this "
		   "list");
	assert_got(t, 1, "RC4004", 1, 69, "10.0.0.0/8 appears 3 times in this "
		   "list");
}

static void
test_covered_wildcard(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where process.name : (\"*.exe\", \"cmd.exe\")");
	assert_count(t, 1);
	assert_got(t, 0, "RC4005", 1, 40, "\"cmd.exe\" is already matched by "
		   "\"*.exe\" in this list");
	assert_text(t, 0, "t.eql:1:31: note: this entry covers it");
	assert_text(t, 0, "help: remove \"cmd.exe\"");
	/* several entries under one pattern: one finding */
	lint(t, "t.eql", "process where process.name : (\"*.exe\", \"cmd.exe\", "
	     "\"A.EXE\", \"b.dll\")");
	assert_count(t, 1);
	assert_got(t, 0, "RC4005", 1, 40, "\"cmd.exe\" and 1 other entry are "
		   "already matched by \"*.exe\" in this list");
	assert_text(t, 0, "t.eql:1:51: note: also matched by \"*.exe\"");
	/* like is case-sensitive: "A.EXE" is not covered */
	lint(t, "t.eql", "process where process.name like (\"*.exe\", "
	     "\"A.EXE\")");
	assert_count(t, 0);
}

static void
test_or_duplicate_value(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where process.name == \"a\" or "
	     "process.name == \"b\" or process.name == \"a\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4004", 1, 77, "\"a\" is already tested by another "
		   "branch of this 'or'");
	lint_eset(t,
		  "    <process><operator type=\"OR\">\n"
		  "      <condition component=\"FileItem\" property=\"FileName\" "
		  "condition=\"is\" value=\"rundll32.exe\"/>\n"
		  "      <condition component=\"FileItem\" property=\"FileName\" "
		  "condition=\"is\" value=\"regsvr32.exe\"/>\n"
		  "      <condition component=\"FileItem\" property=\"FileName\" "
		  "condition=\"is\" value=\"RUNDLL32.EXE\"/>\n"
		  "    </operator></process>");
	assert_count(t, 1);
	assert_got(t, 0, "RC4004", 8, 81, "\"RUNDLL32.EXE\" is already tested "
		   "by another branch of this OR");
}

/* --- redundancy -------------------------------------------------------------- */

static void
test_redundant(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where process.name == \"cmd.exe\" and "
	     "process.name : \"*.exe\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4003", 1, 45, "this condition is redundant: every "
		   "event that satisfies 'process.name == \"cmd.exe\"' also "
		   "satisfies it");
	lint(t, "t.eql", "process where process.name : \"a*\" or "
	     "process.name : \"abc\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4003", 1, 38, "this branch is redundant: every "
		   "event it matches also matches 'process.name : \"a*\"'");
	/* two patterns: only the glob coverage can tell */
	lint(t, "t.eql", "process where process.name : \"*.exe\" or "
	     "process.name : \"c*.exe\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4003", 1, 41, "this branch is redundant: every "
		   "event it matches also matches 'process.name : \"*.exe\"'");
	/* the same test twice */
	lint(t, "t.eql", "process where event.type == \"start\" and "
	     "event.type == \"start\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4003", 1, 41, "this condition is redundant: every "
		   "event that satisfies 'event.type == \"start\"' also "
		   "satisfies it");
	assert_text(t, 0, "help: remove one of the two, they are equivalent");
}

/* --- tautologies ------------------------------------------------------------- */

static void
test_tautology(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where process.pid == 1 or process.pid != 1");
	assert_count(t, 1);
	assert_got(t, 0, "RC4001", 1, 15, "this condition is always true: an "
		   "event where process.pid = 0 satisfies it, because every "
		   "event that fails one branch satisfies another");
	assert_text(t, 0, "t.eql:1:15: note: this branch fails for it");
	assert_text(t, 0, "t.eql:1:35: note: but this one holds");
	lint(t, "t.eql", "process where process.name != null or "
	     "process.name == null");
	assert_count(t, 1);
	assert_got(t, 0, "RC4001", 1, 15, "this condition is always true: an "
		   "event where process.name is not set satisfies it, because "
		   "every event that fails one branch satisfies another");
	lint(t, "t.eql", "process where process.name == \"a\" or "
	     "process.name != \"a\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4001", 1, 15, "this condition is always true: an "
		   "event where process.name is other than \"a\" satisfies it, "
		   "because every event that fails one branch satisfies "
		   "another");
}

/* Literal conditions are deliberate: no finding. */
static void
test_literals(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "any where true");
	assert_count(t, 0);
	lint(t, "t.eql", "process where false or process.pid == 1");
	assert_count(t, 0);
	lint(t, "t.eql", "process where true or process.pid == 1");
	assert_count(t, 0);
	/* a literal false branch is never true */
	lint(t, "t.eql", "process where (process.pid == 1 or false) and "
	     "process.pid == 2");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: its "
		   "conditions contradict each other");
}

/* Quoted rule text drops comments, but not inside strings. */
static void
test_message_text(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where process.name : \"http://x*\" and\n"
	     "  process.name == /* the one */ // exact\n \"http://x1\"\n");
	assert_count(t, 1);
	assert_got(t, 0, "RC4003", 1, 15, "this condition is redundant: every "
		   "event that satisfies 'process.name == \"http://x1\"' also "
		   "satisfies it");
	lint(t, "t.eql", "process where process.name : \"a*\" and "
	     "process.name == \"a\\\" // b\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4003", 1, 15, "this condition is redundant: every "
		   "event that satisfies 'process.name == \"a\\\" // b\"' also "
		   "satisfies it");
}

/* --- missing fields, text, case ---------------------------------------------- */

static void
test_missing_semantics(void **state)
{
	struct lt *t = *state;

	/* `!=` holds on a missing field */
	lint(t, "t.eql", "process where process.name != \"a\" and "
	     "process.name == null");
	assert_count(t, 1);
	assert_got(t, 0, "RC4003", 1, 15, "this condition is redundant: every "
		   "event that satisfies 'process.name == null' also "
		   "satisfies it");
	/* a pattern does not */
	lint(t, "t.eql", "process where process.name == null and "
	     "process.name : \"a*\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: "
		   "process.name would have to be both not set and matching "
		   "\"a*\"");
}

static void
test_text_and_case(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "process where process.name == \"CMD.EXE\" and "
	     "process.name == \"cmd.exe\"");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: "
		   "process.name would have to be both \"CMD.EXE\" and "
		   "\"cmd.exe\"");
	/* ':' ignores case, so this is satisfiable (and the ':' adds
	 * nothing) */
	lint(t, "t.eql", "process where process.name == \"CMD.EXE\" and "
	     "process.name : \"cmd.exe\"");
	assert_count(t, 1);
	assert_string_equal(t->d[0].id, "RC4003");
	lint(t, "t.eql", "process where process.name == \"cmd.exe\" and "
	     "endsWith(process.name, \".dll\")");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 1, 15, "no event satisfies this: "
		   "process.name would have to be both \"cmd.exe\" and ending "
		   "with \".dll\"");
	/* two wildcard patterns are free: no claim either way */
	lint(t, "t.eql", "process where process.name : \"a*\" and "
	     "process.name : \"b*\"");
	assert_count(t, 0);
	/* the same regex negated is recognised */
	lint(t, "t.eql", "process where process.name regex \"a.*\" and not "
	     "process.name regex \"a.*\"");
	assert_count(t, 1);
	assert_string_equal(t->d[0].id, "RC4002");
}

/* --- ESET specifics --------------------------------------------------------- */

static void
test_eset_contradictions(void **state)
{
	struct lt *t = *state;

	lint_eset(t,
		  "    <process><operator type=\"AND\">\n"
		  "      <condition component=\"FileItem\" property=\"FileName\" "
		  "condition=\"isnot\" value=\"cmd.exe\"/>\n"
		  "      <condition component=\"FileItem\" property=\"FileName\" "
		  "condition=\"is\" value=\"CMD.exe\"/>\n"
		  "    </operator></process>");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 5, 15, "no event satisfies this: "
		   "FileItem.FileName would have to be both other than "
		   "\"cmd.exe\" and \"CMD.exe\"");
	assert_text(t, 0, "t.xml:6:8: note: requires FileItem.FileName to be "
		    "other than \"cmd.exe\"");
	lint_eset(t,
		  "    <operations><operation type=\"TcpIpConnect\">\n"
		  "      <operator type=\"AND\">\n"
		  "        <condition component=\"Network\" property=\"IpAddressV4\" "
		  "condition=\"isset\"/>\n"
		  "        <condition component=\"Network\" property=\"IpAddressV6\" "
		  "condition=\"isset\"/>\n"
		  "      </operator>\n"
		  "    </operation></operations>");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 6, 8, "no event satisfies this: "
		   "Network.IpAddressV4 and Network.IpAddressV6 are never both "
		   "set");
	/* ancestor conditions are analysed on their own */
	lint_eset(t,
		  "    <ancestor><operator type=\"AND\">\n"
		  "      <condition component=\"FileItem\" property=\"FileName\" "
		  "condition=\"is\" value=\"a.exe\"/>\n"
		  "      <condition component=\"FileItem\" property=\"FileName\" "
		  "condition=\"starts\" value=\"b\"/>\n"
		  "    </operator></ancestor>");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 5, 16, "no event satisfies this: "
		   "FileItem.FileName would have to be both \"a.exe\" and "
		   "starting with \"b\"");
}

static void
test_eset_redundant_contains(void **state)
{
	struct lt *t = *state;

	lint_eset(t,
		  "    <process><operator type=\"OR\">\n"
		  "      <condition component=\"ProcessInfo\" property=\"CommandLine\" "
		  "condition=\"contains\" value=\"cline\"/>\n"
		  "      <condition component=\"ProcessInfo\" property=\"CommandLine\" "
		  "condition=\"contains\" value=\"roo-cline\"/>\n"
		  "    </operator></process>");
	assert_count(t, 1);
	assert_got(t, 0, "RC4003", 7, 8, "this condition is redundant: every "
		   "event it matches also matches 'ProcessInfo.CommandLine "
		   "contains \"cline\"'");
	assert_text(t, 0, "t.xml:6:8: note: this condition already matches "
		    "those events");
}

/* --- sequences -------------------------------------------------------------- */

static void
test_stage_never(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where process.pid == 1 and process.pid == 2]\n"
	     "  [network where true]\n"
	     "until [process where process.pid > 5 and process.pid < 3]");
	assert_count(t, 2);
	assert_got(t, 0, "RC5005", 2, 18, "stage 1 of the sequence never "
		   "matches: process.pid would have to be both 1 and 2");
	assert_text(t, 0, "t.eql:2:39: note: requires process.pid to be 2");
	/* until is no stage: RC4002 */
	assert_got(t, 1, "RC4002", 4, 22, "no event satisfies this: "
		   "process.pid would have to be both greater than 5 and less "
		   "than 3");
	/* a contradiction in one branch only: the stage can still match */
	lint(t, "t.eql", "sequence by host.id with maxspan=1m\n"
	     "  [process where (process.pid == 1 and process.pid == 2) or "
	     "process.pid == 3]\n"
	     "  [network where true]");
	assert_count(t, 1);
	assert_got(t, 0, "RC4002", 2, 18, "no event satisfies this: "
		   "process.pid would have to be both 1 and 2");
	/* a sample's filter */
	lint(t, "t.eql", "sample by host.id\n"
	     "  [process where process.pid == 1 and process.pid == 2]\n"
	     "  [network where true]");
	assert_count(t, 1);
	assert_got(t, 0, "RC5005", 2, 18, "filter 1 of the sample never "
		   "matches: process.pid would have to be both 1 and 2");
	/* an ESET sequence's detection */
	lint_eset(t,
		  "    <sequence count=\"1\" maxSpan=\"1m\">\n"
		  "      <detection><definition><process><operator type=\"AND\">\n"
		  "        <condition component=\"FileItem\" property=\"FileName\" "
		  "condition=\"is\" value=\"a.exe\"/>\n"
		  "        <condition component=\"FileItem\" property=\"FileName\" "
		  "condition=\"is\" value=\"b.exe\"/>\n"
		  "      </operator></process><operations><operation "
		  "type=\"Detection\"/></operations></definition></detection>\n"
		  "      <detection><definition><operations><operation "
		  "type=\"Detection\"/></operations></definition></detection>\n"
		  "      <aggregateOn><property name=\"Computer\"/></aggregateOn>\n"
		  "    </sequence>");
	assert_count(t, 1);
	assert_got(t, 0, "RC5005", 6, 40, "detection 1 of the sequence never "
		   "matches: FileItem.FileName would have to be both \"a.exe\" "
		   "and \"b.exe\"");
}

/* --- ordinary rules ---------------------------------------------------------- */

static void
test_ordinary_rules_clean(void **state)
{
	struct lt *t = *state;

	lint(t, "t.eql", "sequence with maxspan=1h\n"
	     "  [process where host.os.type == \"windows\" and event.type == "
	     "\"start\" and\n"
	     "   (process.name : \"rundll32.exe\" or "
	     "process.pe.original_file_name == \"RUNDLL32.EXE\") and\n"
	     "   process.args_count == 1] by process.entity_id\n"
	     "  [process where host.os.type == \"windows\" and event.type == "
	     "\"start\" and\n"
	     "   process.parent.name : \"rundll32.exe\"] by "
	     "process.parent.entity_id");
	assert_count(t, 0);
	lint(t, "t.eql", "process where host.os.type == \"windows\" and "
	     "event.type == \"start\" and\n"
	     "  process.name : (\"cmd.exe\", \"powershell.exe\") and\n"
	     "  not process.parent.executable : (\"C:\\\\Windows\\\\*\", "
	     "\"C:\\\\Program Files\\\\*\") and\n"
	     "  not (process.args : \"/c\" and process.args : \"echo*\") and\n"
	     "  not cidrMatch(source.ip, \"10.0.0.0/8\", \"127.0.0.0/8\") and\n"
	     "  process.pid > 4 and ?process.Ext.token.integrity_level_name "
	     "!= \"system\"");
	assert_count(t, 0);
}

/* --- the budget -------------------------------------------------------------- */

struct sink_got {
	int n;
	enum diag_id id[8];
};

static void
collect(void *ud, const struct diag *d)
{
	struct sink_got *g = ud;

	if (g->n < 8)
		g->id[g->n] = d->id;
	g->n++;
}

/* With a tiny budget the analysis gives up with one note and claims
 * nothing; with the default it finds the contradiction. */
static void
test_budget(void **state)
{
	struct lt *t = *state;
	struct arena a;
	struct diag_sink sink;
	struct check_ctx cc;
	struct sink_got g;
	const struct rc_rule *r;

	lint(t, "t.eql", "process where (process.pid == 1 or process.pid == 2 "
	     "or process.name : \"a*\") and (process.pid == 3 or "
	     "process.name == \"b\") and process.name == \"c\"");
	assert_count(t, 1);
	assert_string_equal(t->d[0].id, "RC4002");
	r = (const struct rc_rule *)rulec_ctx_rule(t->ctx, 0);
	assert_non_null(r);
	assert_non_null(r->ir);
	arena_init(&a, NULL);
	diag_sink_init(&sink, &a);
	memset(&g, 0, sizeof g);
	sink.fn = collect;
	sink.ud = &g;
	memset(&cc, 0, sizeof cc);
	cc.arena = &a;
	cc.diags = &sink;
	cc.logic_budget = 3;
	check_logic(&cc, r);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.id[0], D_LOGIC_BUDGET);
	memset(&g, 0, sizeof g);
	cc.logic_budget = 0;            /* the default */
	check_logic(&cc, r);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.id[0], D_NEVER_TRUE);
	diag_sink_free(&sink);
	arena_release(&a);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_eset_or_of_nots),
		T(test_eset_de_morgan_clean),
		T(test_eql_or_of_nots),
		T(test_contradiction_single_valued),
		T(test_array_field_satisfiable),
		T(test_not_or_not_single_valued),
		T(test_numbers),
		T(test_ip_ranges),
		T(test_in_duplicates_case),
		T(test_covered_wildcard),
		T(test_or_duplicate_value),
		T(test_redundant),
		T(test_tautology),
		T(test_literals),
		T(test_message_text),
		T(test_missing_semantics),
		T(test_text_and_case),
		T(test_eset_contradictions),
		T(test_eset_redundant_contains),
		T(test_stage_never),
		T(test_ordinary_rules_clean),
		T(test_budget),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
