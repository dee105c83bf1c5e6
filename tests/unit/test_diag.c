/*
 * test_diag.c - diagnostics end to end: the registry (base/diag.def),
 * rendering as text and JSON, severity settings, and locations of
 * problems found in rule files, through the public interface
 * (include/rulec.h) the way a library user sees them.
 */
#include "util.h"

#include "base/json.h"
#include "base/strbuf.h"
#include "rulec.h"

enum { MAX_GOT = 32 };

/* One delivered diagnostic, copied during the callback. */
struct got {
	char id[8];
	char name[48];
	char family[16];
	enum rulec_severity sev;
	char *msg, *file, *text, *json, *ctext, *rule_id, *rule_name;
	unsigned line, col;
};

struct api {
	rulec_ctx *ctx;
	struct got d[MAX_GOT];
	int n;
};

static char *
dup_or_null(const char *s)
{
	char *c;

	if (!s)
		return NULL;
	c = malloc(strlen(s) + 1);
	if (c)
		strcpy(c, s);
	return c;
}

static void
on_diag(void *ud, const rulec_diag *d)
{
	struct api *a = ud;
	struct got *g;

	if (a->n >= MAX_GOT) {
		a->n++;
		return;
	}
	g = &a->d[a->n++];
	snprintf(g->id, sizeof g->id, "%s", rulec_diag_id(d));
	snprintf(g->name, sizeof g->name, "%s", rulec_diag_name(d));
	snprintf(g->family, sizeof g->family, "%s", rulec_diag_family(d));
	g->sev = rulec_diag_severity(d);
	g->msg = dup_or_null(rulec_diag_message(d));
	g->file = dup_or_null(rulec_diag_file(d));
	g->line = rulec_diag_line(d);
	g->col = rulec_diag_column(d);
	g->text = rulec_diag_render(d, RULEC_FORMAT_TEXT, 0);
	g->ctext = rulec_diag_render(d, RULEC_FORMAT_TEXT, RULEC_RENDER_COLOR);
	g->json = rulec_diag_render(d, RULEC_FORMAT_JSON, 0);
	g->rule_id = dup_or_null(rulec_diag_rule_id(d));
	g->rule_name = dup_or_null(rulec_diag_rule_name(d));
}

static void
api_clear(struct api *a)
{
	int i;

	for (i = 0; i < a->n && i < MAX_GOT; i++) {
		free(a->d[i].msg);
		free(a->d[i].file);
		free(a->d[i].text);
		free(a->d[i].ctext);
		free(a->d[i].json);
		free(a->d[i].rule_id);
		free(a->d[i].rule_name);
	}
	memset(a->d, 0, sizeof a->d);
	a->n = 0;
}

/* These tests are about locations and file handling: the rules they load
 * lack the metadata a published rule needs, which the metadata family
 * (tested in test_checks.c) would report; and the buffers holding only a
 * rule in another language yield no rule, which no-rules (RC9021,
 * test_no_rules below) would report. */
static void
no_metadata_checks(rulec_ctx *ctx)
{
	rulec_ctx_set_severity(ctx, "missing-metadata", RULEC_SEVERITY_OFF);
	rulec_ctx_set_severity(ctx, "no-rules", RULEC_SEVERITY_OFF);
}

static int
api_setup(void **state)
{
	struct api *a = calloc(1, sizeof *a);

	if (!a)
		return -1;
	a->ctx = rulec_ctx_new();
	if (!a->ctx) {
		free(a);
		return -1;
	}
	no_metadata_checks(a->ctx);
	rulec_ctx_set_diag_handler(a->ctx, on_diag, a);
	*state = a;
	return 0;
}

static int
api_teardown(void **state)
{
	struct api *a = *state;

	if (a) {
		api_clear(a);
		rulec_ctx_free(a->ctx);
		free(a);
	}
	return 0;
}

/* A fresh context (settings reset) for a second case in one test. */
static void
api_reset(struct api *a)
{
	api_clear(a);
	rulec_ctx_free(a->ctx);
	a->ctx = rulec_ctx_new();
	assert_non_null(a->ctx);
	no_metadata_checks(a->ctx);
	rulec_ctx_set_diag_handler(a->ctx, on_diag, a);
}

#define ATEST(fn) cmocka_unit_test_setup_teardown(fn, api_setup, api_teardown)

static int
load(struct api *a, const char *name, const char *data)
{
	return rulec_ctx_load_buffer(a->ctx, name, data, strlen(data));
}


static void
print_got(const struct api *a)
{
	int i;

	print_error("%d diagnostic(s)\n", a->n);
	for (i = 0; i < a->n && i < MAX_GOT; i++)
		print_error("%s", a->d[i].text ? a->d[i].text : "(null)\n");
}

static void
check_got(const struct api *a, int i, const char *id, unsigned line,
	  unsigned col, const char *file, int fline)
{
	if (i >= a->n || i >= MAX_GOT || strcmp(a->d[i].id, id) != 0 ||
	    a->d[i].line != line || a->d[i].col != col) {
		print_error("expected diagnostic #%d to be %s at %u:%u\n", i,
			    id, line, col);
		print_got(a);
		_fail(file, fline);
	}
}

static void
check_ngot(const struct api *a, int n, const char *file, int fline)
{
	if (a->n != n) {
		print_error("expected %d diagnostic(s)\n", n);
		print_got(a);
		_fail(file, fline);
	}
}

#define assert_got(a, i, id, line, col) \
	check_got((a), (i), (id), (line), (col), __FILE__, __LINE__)
#define assert_ngot(a, n) check_ngot((a), (n), __FILE__, __LINE__)

/* "   | " + (col - 1) blanks + '^' + (len - 1) '~' + '\n': the caret line
 * of a snippet with a one-digit line number. */
static void
caret_line(struct strbuf *sb, unsigned col, unsigned len)
{
	sb_puts(sb, "   | ");
	sb_fill(sb, ' ', col - 1);
	sb_putc(sb, '^');
	sb_fill(sb, '~', len - 1);
	sb_putc(sb, '\n');
}

/* --- text rendering ----------------------------------------------------- */

static void
test_render_text_exact(void **state)
{
	struct api *a = *state;

	assert_int_equal(load(a, "q.eql", "process where x == \"a\\q\""), 1);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC1003", 1, 22);
	assert_string_equal(a->d[0].text,
			    "q.eql:1:22: error: invalid escape sequence '\\q' "
			    "in string [RC1003 bad-escape]\n"
			    " 1 | process where x == \"a\\q\"\n"
			    "   |                      ^~\n"
			    "help: write '\\\\q' for a backslash, or use a raw "
			    "string \"\"\"...\"\"\"\n");
	assert_string_equal(a->d[0].file, "q.eql");
	assert_string_equal(a->d[0].name, "bad-escape");
	assert_string_equal(a->d[0].family, "syntax");
	assert_int_equal(a->d[0].sev, RULEC_SEVERITY_ERROR);
	assert_string_equal(a->d[0].msg, "invalid escape sequence '\\q' in "
			    "string");
}

static void
test_render_notes(void **state)
{
	struct api *a = *state;
	const char *q = "process where process.name == process.parent.name";
	struct strbuf want = STRBUF_INIT;

	load(a, "q.eql", q);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC3001", 1, 15);
	sb_puts(&want, "q.eql:1:15: error: Elasticsearch cannot compare a "
		"field with another field [RC3001 field-comparison]\n");
	sb_printf(&want, " 1 | %s\n", q);
	caret_line(&want, 15, 35);
	sb_puts(&want, "q.eql:1:15: note: left side\n");
	sb_printf(&want, " 1 | %s\n", q);
	caret_line(&want, 15, 12);
	sb_puts(&want, "q.eql:1:31: note: right side\n");
	sb_printf(&want, " 1 | %s\n", q);
	caret_line(&want, 31, 19);
	sb_puts(&want, "help: correlate the two values with a sequence and "
		"'by' keys\n");
	if (strcmp(a->d[0].text, want.data) != 0) {
		print_error("got:\n%s\nwant:\n%s\n", a->d[0].text, want.data);
		sb_free(&want);
		fail();
	}
	sb_free(&want);
}

/* The gutter grows with the line number; tabs stay tabs so the caret
 * lines up; a span that goes on past the line gets tildes to its end. */
static void
test_render_layout(void **state)
{
	struct api *a = *state;
	struct strbuf want = STRBUF_INIT;

	load(a, "q.eql", "// 1\n// 2\n// 3\n// 4\n// 5\n// 6\n// 7\n// 8\n"
	     "// 9\nprocess where x == $1");
	assert_ngot(a, 1);
	assert_got(a, 0, "RC1005", 10, 20);
	assert_string_equal(a->d[0].text,
			    "q.eql:10:20: error: unexpected character '$' "
			    "[RC1005 bad-character]\n"
			    " 10 | process where x == $1\n"
			    "    |                    ^\n");

	api_reset(a);
	load(a, "q.eql", "process where\tx == $1");
	assert_got(a, 0, "RC1005", 1, 20);
	assert_string_equal(a->d[0].text,
			    "q.eql:1:20: error: unexpected character '$' "
			    "[RC1005 bad-character]\n"
			    " 1 | process where\tx == $1\n"
			    "   |              \t     ^\n");

	/* columns count characters */
	api_reset(a);
	load(a, "q.eql", "process where \"é\" == $1");
	assert_got(a, 0, "RC1005", 1, 22);
	assert_contains(a->d[0].text, "\n   |                      ^\n");

	/* notes on two lines */
	api_reset(a);
	load(a, "q.eql", "process where process.name ==\n"
	     "  process.parent.name");
	assert_ngot(a, 1);
	assert_got(a, 0, "RC3001", 1, 15);
	sb_puts(&want, "q.eql:1:15: note: left side\n"
		" 1 | process where process.name ==\n");
	caret_line(&want, 15, 12);
	sb_puts(&want, "q.eql:2:3: note: right side\n"
		" 2 |   process.parent.name\n");
	caret_line(&want, 3, 19);
	assert_contains(a->d[0].text, want.data);
	sb_free(&want);
}

/* A span that goes on past its first line is underlined to the end of
 * that line. */
static void
test_render_span_over_lines(void **state)
{
	struct api *a = *state;
	struct strbuf want = STRBUF_INIT;

	load(a, "q.eql", "process where process.name ==\n"
	     "  process.parent.name");
	assert_ngot(a, 1);
	assert_got(a, 0, "RC3001", 1, 15);
	sb_puts(&want, "[RC3001 field-comparison]\n"
		" 1 | process where process.name ==\n");
	caret_line(&want, 15, 15);
	sb_puts(&want, "q.eql:1:15: note: left side\n");
	if (!strstr(a->d[0].text, want.data)) {
		print_error("\"%s\" does not contain \"%s\"\n", a->d[0].text,
			    want.data);
		sb_free(&want);
		fail();
	}
	sb_free(&want);
}

/* A diagnostic about a whole file has no line, column or snippet. */
static void
test_render_file_level(void **state)
{
	struct api *a = *state;

	assert_int_equal(load(a, "rules.txt", "process where true"),
			 RULEC_ERR_ARG);
	assert_ngot(a, 1);
	assert_string_equal(a->d[0].id, "RC9005");
	assert_int_equal(a->d[0].line, 0);
	assert_int_equal(a->d[0].col, 0);
	assert_string_equal(a->d[0].file, "rules.txt");
	assert_string_equal(a->d[0].text,
			    "rules.txt: error: not a rule file: rulec reads "
			    ".eql, .json, .ndjson, .jsonl, .toml and .xml "
			    "files (--input-format reads another name as one "
			    "of them) [RC9005 unknown-file-type]\n");
	assert_contains(a->d[0].json, "\"file\":\"rules.txt\",\"line\":null,"
			"\"column\":null,\"end_line\":null,"
			"\"end_column\":null,");
	assert_int_equal(rulec_ctx_rule_count(a->ctx), 0);
}

static void
test_render_color(void **state)
{
	struct api *a = *state;

	load(a, "q.eql", "process where x == \"a\\q\"");
	assert_ngot(a, 1);
	assert_null(strchr(a->d[0].text, '\033'));
	assert_null(strchr(a->d[0].json, '\033'));
	assert_contains(a->d[0].ctext, "\033[1;31merror:");
	assert_contains(a->d[0].ctext, "\033[1;32m^~\033[0m");
	assert_contains(a->d[0].ctext, "help:");
	assert_contains(a->d[0].ctext, "[RC1003 bad-escape]");
}

/* Control characters, C1 controls and bidirectional overrides of a rule
 * are shown escaped in source lines, messages and help lines; the caret
 * line pads and underlines an escaped character by its width, so the
 * caret stays under what it means.  JSON keeps the text, escaped. */
static void
test_render_escaped(void **state)
{
	struct api *a = *state;
	struct strbuf want = STRBUF_INIT;

	load(a, "q.eql", "process where process.nam\033[31me == 1");
	assert_got(a, 0, "RC1005", 1, 26);
	sb_puts(&want, "q.eql:1:26: error: unexpected character U+001B "
		"[RC1005 bad-character]\n"
		" 1 | process where process.nam\\x1b[31me == 1\n");
	caret_line(&want, 26, 4);
	assert_string_equal(a->d[0].text, want.data);
	want.len = 0;

	api_reset(a);
	load(a, "q.eql", "process where `a\033[0m\302\233b` == 1 and "
	     "`\342\200\256c` == 2");
	assert_ngot(a, 2);
	assert_got(a, 0, "RC2012", 1, 15);
	/* the library hands out the message as it is */
	assert_string_equal(a->d[0].msg, "unknown field 'a\033[0m\302\233b'");
	assert_null(strchr(a->d[0].text, '\033'));
	assert_null(strstr(a->d[0].text, "\302\233"));
	assert_contains(a->d[0].text, "warning: unknown field "
			"'a\\x1b[0m\\u009bb' [RC2012 unknown-field]\n"
			" 1 | process where `a\\x1b[0m\\u009bb` == 1 and "
			"`\\u202ec` == 2\n"
			"   |               ^" "~~~~~~~~" "~~~~~~~~" "\n"
			"help: write '?a\\x1b[0m\\u009bb'");
	/* column 34 of the file is display column 42 of the line shown */
	assert_got(a, 1, "RC2012", 1, 34);
	sb_puts(&want, "\n   | ");
	sb_fill(&want, ' ', 41);
	sb_putc(&want, '^');                /* `, U+202E as 6, c, ` */
	sb_fill(&want, '~', 8);
	sb_putc(&want, '\n');
	assert_contains(a->d[1].text, want.data);
	sb_free(&want);
	assert_contains(a->d[0].json, "\"message\":\"unknown field "
			"'a\\u001b[0m\\u009bb'\"");
}

/* A UTF-8 byte order mark is removed before any format reads the file:
 * columns on line 1 are those without it.  A UTF-16 file is one error
 * for the whole file, whatever its format. */
static void
test_encodings(void **state)
{
	struct api *a = *state;
	static const char u16[] = "\xFF\xFEp\0r\0o\0c\0e\0s\0s\0";
	static const char *const names[] = { "u.eql", "u.json", "u.ndjson",
					     "u.toml" };
	size_t i;

	static const char *const bom[][2] = {
		{ "b.eql", "process where x == $1" },
		{ "b.json", "{\"query\": \"process where x == $1\"}" },
		{ "b.ndjson", "{\"query\": \"process where x == $1\"}" },
		{ "b.toml", "rule = { query = \"process where x == $1\" }" },
		{ "b.xml", "<rule><bogus/></rule>" },
	};
	unsigned line, col;
	char buf[128];

	for (i = 0; i < sizeof bom / sizeof *bom; i++) {
		api_reset(a);
		load(a, bom[i][0], bom[i][1]);
		assert_true(a->n >= 1);
		line = a->d[0].line;
		col = a->d[0].col;
		api_reset(a);
		snprintf(buf, sizeof buf, "\xEF\xBB\xBF%s", bom[i][1]);
		load(a, bom[i][0], buf);
		assert_true(a->n >= 1);
		assert_got(a, 0, a->d[0].id, line, col);
		assert_int_equal(line, 1);
	}
	assert_contains(a->d[0].text, " 1 | <rule><bogus/></rule>\n");
	for (i = 0; i < sizeof names / sizeof *names; i++) {
		api_reset(a);
		rulec_ctx_load_buffer(a->ctx, names[i], u16, sizeof u16 - 1);
		assert_ngot(a, 1);
		assert_string_equal(a->d[0].id, "RC9007");
		assert_int_equal(a->d[0].line, 0);
	}
	/* XML may be UTF-16: converted, then parsed (and this is no XML) */
	api_reset(a);
	rulec_ctx_load_buffer(a->ctx, "u.xml", u16, sizeof u16 - 1);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC1020", 1, 1);
	assert_contains(a->d[0].text, " 1 | process\n");
}

/* An XML rule in ISO-8859-1 is converted to UTF-8 before parsing: the
 * value read is the letter, and columns after it are the file's. */
static void
test_xml_declared_encoding(void **state)
{
	struct api *a = *state;

	load(a, "l.xml", "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>\n"
	     "<rule><description><name>Caf\xE9 [E0001]</name><bogus/>"
	     "<category>Execution</category><severity>60</severity>"
	     "</description><definition><process><condition "
	     "component=\"FileItem\" property=\"FileName\" condition=\"is\" "
	     "value=\"caf\xE9.exe\"/></process></definition><actions>"
	     "<action name=\"TriggerDetection\"/></actions></rule>\n");
	assert_ngot(a, 1);
	assert_got(a, 0, "RC2004", 2, 46);
	assert_contains(a->d[0].text, "<name>Caf\xC3\xA9 [E0001]</name>");
	assert_int_equal(rulec_ctx_rule_count(a->ctx), 1);
	assert_string_equal(rulec_rule_name(rulec_ctx_rule(a->ctx, 0)),
			    "Caf\xC3\xA9 [E0001]");
	api_reset(a);
	load(a, "k.xml", "<?xml version=\"1.0\" encoding=\"klingon\"?>\n"
	     "<rule/>\n");
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9007", 1, 31);
}

/* --- JSON rendering ----------------------------------------------------- */

static const struct json_value *
member(const struct json_value *obj, const char *key, enum json_type t)
{
	const struct json_value *v = json_get(obj, key);

	if (!v)
		fail_msg("JSON diagnostic has no \"%s\"", key);
	if (v->type != t)
		fail_msg("\"%s\" is %s, not %s", key, json_type_name(v->type),
			 json_type_name(t));
	return v;
}

/* Parses one rendered diagnostic: one object on one line. */
static const struct json_value *
parse_json_line(struct arena *ar, const char *s)
{
	struct json_error err;
	const struct json_value *v;
	size_t len = strlen(s);

	assert_true(len > 2);
	assert_int_equal(s[len - 1], '\n');
	assert_ptr_equal(strchr(s, '\n'), s + len - 1);
	v = json_parse(ar, s, len, &err);
	if (!v)
		fail_msg("invalid JSON at %u (%s): %s", err.offset,
			 err.message, s);
	assert_int_equal(v->type, JSON_OBJECT);
	return v;
}

static void
check_loc(const struct json_value *o, const char *file, unsigned line,
	  unsigned col, unsigned eline, unsigned ecol)
{
	assert_string_equal(member(o, "file", JSON_STRING)->u.str.s, file);
	assert_int_equal(member(o, "line", JSON_NUMBER)->u.num.i, line);
	assert_int_equal(member(o, "column", JSON_NUMBER)->u.num.i, col);
	assert_int_equal(member(o, "end_line", JSON_NUMBER)->u.num.i, eline);
	assert_int_equal(member(o, "end_column", JSON_NUMBER)->u.num.i, ecol);
}

static void
test_render_json(void **state)
{
	struct api *a = *state;
	struct arena ar;
	const struct json_value *o, *notes;

	load(a, "q.eql", "process where process.name == process.parent.name");
	assert_ngot(a, 1);
	arena_init(&ar, NULL);
	o = parse_json_line(&ar, a->d[0].json);
	assert_int_equal(o->u.obj.n, 14);
	check_loc(o, "q.eql", 1, 15, 1, 50);
	/* a bare query names no rule */
	member(o, "rule_id", JSON_NULL);
	member(o, "rule_name", JSON_NULL);
	assert_string_equal(member(o, "severity", JSON_STRING)->u.str.s,
			    "error");
	assert_string_equal(member(o, "id", JSON_STRING)->u.str.s, "RC3001");
	assert_string_equal(member(o, "name", JSON_STRING)->u.str.s,
			    "field-comparison");
	assert_string_equal(member(o, "family", JSON_STRING)->u.str.s,
			    "type");
	assert_string_equal(member(o, "message", JSON_STRING)->u.str.s,
			    a->d[0].msg);
	assert_string_equal(member(o, "help", JSON_STRING)->u.str.s,
			    "correlate the two values with a sequence and "
			    "'by' keys");
	notes = member(o, "notes", JSON_ARRAY);
	assert_int_equal(notes->u.arr.n, 2);
	assert_int_equal(notes->u.arr.items[0]->type, JSON_OBJECT);
	check_loc(notes->u.arr.items[0], "q.eql", 1, 15, 1, 27);
	assert_string_equal(member(notes->u.arr.items[0], "message",
				   JSON_STRING)->u.str.s, "left side");
	check_loc(notes->u.arr.items[1], "q.eql", 1, 31, 1, 50);
	arena_release(&ar);

	/* no help: null; no notes: [] */
	api_reset(a);
	load(a, "q.eql", "process where x == $1");
	assert_ngot(a, 1);
	arena_init(&ar, NULL);
	o = parse_json_line(&ar, a->d[0].json);
	assert_int_equal(o->u.obj.n, 14);
	member(o, "help", JSON_NULL);
	assert_int_equal(member(o, "notes", JSON_ARRAY)->u.arr.n, 0);
	check_loc(o, "q.eql", 1, 20, 1, 21);
	arena_release(&ar);
}

/* Quotes, backslashes and line breaks in a message (here from a rule
 * name) are escaped: the JSON stays valid and on one line. */
static void
test_render_json_escaping(void **state)
{
	struct api *a = *state;
	struct arena ar;
	const struct json_value *o;

	assert_int_equal(load(a, "k.json", "{\"language\":\"kuery\",\"name\":"
			      "\"a \\\"quoted\\\"\\nname\\\\\\t\","
			      "\"query\":\"x\"}"), 0);
	assert_ngot(a, 1);
	assert_string_equal(a->d[0].msg, "rule 'a \"quoted\"\nname\\\t' is "
			    "written in kuery, not EQL; skipped");
	assert_contains(a->d[0].json, "\"message\":\"rule 'a \\\"quoted\\\""
			"\\nname\\\\\\t' is written");
	arena_init(&ar, NULL);
	o = parse_json_line(&ar, a->d[0].json);
	assert_string_equal(member(o, "message", JSON_STRING)->u.str.s,
			    a->d[0].msg);
	assert_string_equal(member(o, "severity", JSON_STRING)->u.str.s,
			    "note");
	assert_string_equal(member(o, "family", JSON_STRING)->u.str.s, "io");
	arena_release(&ar);
}

/* --- locations inside JSON strings -------------------------------------- */

static void
test_json_query_location(void **state)
{
	struct api *a = *state;

	/* the decoded query has a line break, the file does not */
	assert_int_equal(load(a, "x.json",
			      "{\"language\":\"eql\",\"query\":\"process where"
			      "\\n  process.name == \\\"a\\\\q\\\"\"}"), 1);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC1003", 1, 64);
	assert_contains(a->d[0].json, "\"line\":1,\"column\":64,"
			"\"end_line\":1,\"end_column\":67,");
	/* the snippet is the line of the file, the caret under `\\q` */
	assert_contains(a->d[0].text, "\n 1 | {\"language\":\"eql\",\"query\":"
			"\"process where\\n  process.name == \\\"a\\\\q\\\"\"}\n");
	assert_contains(a->d[0].text, "\n   | " "                    "
			"                    " "                       ^~~\n");
	assert_null(rulec_rule_dump(rulec_ctx_rule(a->ctx, 0), RULEC_DUMP_IR));

	/* pretty-printed: the query is on line 3 */
	api_reset(a);
	load(a, "x.json", "{\n  \"language\": \"eql\",\n"
	     "  \"query\": \"process where\\n  process.name == \\\"a\\\\q\\\"\"\n"
	     "}\n");
	assert_ngot(a, 1);
	assert_got(a, 0, "RC1003", 3, 49);
	assert_contains(a->d[0].json, "\"end_line\":3,\"end_column\":52,");

	/* a \u escape is six bytes in the file and two in the query */
	api_reset(a);
	load(a, "u.json", "{\"query\":\"process where x == \\\"\\u00e9\\\\q\\\"\","
	     "\"language\":\"eql\"}");
	assert_ngot(a, 1);
	assert_got(a, 0, "RC1003", 1, 38);
	assert_contains(a->d[0].json, "\"end_column\":41,");

	/* a syntax error on the second line of the decoded query */
	api_reset(a);
	load(a, "s.json", "{\"language\":\"eql\",\"query\":\"process where\\n"
	     "  x == 1 )\"}");
	assert_ngot(a, 1);
	assert_got(a, 0, "RC1001", 1, 52);

	/* in an NDJSON file, on the rule's own line */
	api_reset(a);
	assert_int_equal(load(a, "r.ndjson",
			      "{\"language\":\"eql\",\"query\":\"any where true\"}\n"
			      "{\"language\":\"eql\",\"query\":\"any where x == "
			      "$1\"}\n"), 2);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC1005", 2, 43);
}

/* --- severity settings ------------------------------------------------- */

static const char *const kuery_rule =
	"{\"language\":\"kuery\",\"name\":\"k\",\"query\":\"a:b\"}";

static void
test_severity_off(void **state)
{
	struct api *a = *state;

	assert_int_equal(rulec_ctx_set_severity(a->ctx, "RC9004",
						RULEC_SEVERITY_OFF),
			 RULEC_OK);
	assert_int_equal(load(a, "k.json", kuery_rule), 0);
	assert_ngot(a, 0);
	assert_int_equal(rulec_ctx_diag_count(a->ctx, RULEC_SEVERITY_NOTE), 0);
	assert_int_equal(rulec_ctx_rule_count(a->ctx), 0);

	/* by default it is a note */
	api_reset(a);
	load(a, "k.json", kuery_rule);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9004", 1, 13);
	assert_int_equal(a->d[0].sev, RULEC_SEVERITY_NOTE);
	assert_int_equal(rulec_ctx_diag_count(a->ctx, RULEC_SEVERITY_NOTE), 1);

	/* an error turned off is not delivered, but the rule still has
	 * an error and no IR */
	api_reset(a);
	assert_int_equal(rulec_ctx_set_severity(a->ctx, "bad-character",
						RULEC_SEVERITY_OFF),
			 RULEC_OK);
	assert_int_equal(load(a, "q.eql", "process where x == $1"), 1);
	assert_ngot(a, 0);
	assert_null(rulec_rule_dump(rulec_ctx_rule(a->ctx, 0), RULEC_DUMP_IR));
}

static void
test_severity_warning_and_werror(void **state)
{
	struct api *a = *state;

	assert_int_equal(rulec_ctx_set_severity(a->ctx, "non-eql-rule",
						RULEC_SEVERITY_WARNING),
			 RULEC_OK);
	load(a, "k.json", kuery_rule);
	assert_ngot(a, 1);
	assert_int_equal(a->d[0].sev, RULEC_SEVERITY_WARNING);
	assert_true(strncmp(a->d[0].text, "k.json:1:13: warning: ", 22) == 0);
	assert_contains(a->d[0].json, "\"severity\":\"warning\"");
	assert_int_equal(rulec_ctx_diag_count(a->ctx, RULEC_SEVERITY_WARNING),
			 1);

	api_clear(a);
	rulec_ctx_set_werror(a->ctx, 1);
	load(a, "k.json", kuery_rule);
	assert_ngot(a, 1);
	assert_int_equal(a->d[0].sev, RULEC_SEVERITY_ERROR);
	assert_true(strncmp(a->d[0].text, "k.json:1:13: error: ", 20) == 0);
	assert_contains(a->d[0].json, "\"severity\":\"error\"");
	assert_int_equal(rulec_ctx_diag_count(a->ctx, RULEC_SEVERITY_ERROR),
			 1);

	api_clear(a);
	rulec_ctx_set_werror(a->ctx, 0);
	load(a, "k.json", kuery_rule);
	assert_int_equal(a->d[0].sev, RULEC_SEVERITY_WARNING);

	/* -Werror promotes warnings only, not notes */
	api_reset(a);
	rulec_ctx_set_werror(a->ctx, 1);
	load(a, "k.json", kuery_rule);
	assert_ngot(a, 1);
	assert_int_equal(a->d[0].sev, RULEC_SEVERITY_NOTE);
}

static void
test_severity_names(void **state)
{
	struct api *a = *state;

	/* by id or name, case-insensitively */
	assert_int_equal(rulec_ctx_set_severity(a->ctx, "rc9004",
						RULEC_SEVERITY_WARNING),
			 RULEC_OK);
	assert_int_equal(rulec_ctx_set_severity(a->ctx, "NON-EQL-RULE",
						RULEC_SEVERITY_WARNING),
			 RULEC_OK);
	assert_int_equal(rulec_ctx_set_severity(a->ctx, "RC9999",
						RULEC_SEVERITY_OFF),
			 RULEC_ERR_ARG);
	assert_int_equal(rulec_ctx_set_severity(a->ctx, "no-such-check",
						RULEC_SEVERITY_OFF),
			 RULEC_ERR_ARG);
	assert_int_equal(rulec_ctx_set_severity(a->ctx, "RC9004",
						(enum rulec_severity)7),
			 RULEC_ERR_ARG);
	/* an error may be lowered to a warning */
	assert_int_equal(rulec_ctx_set_severity(a->ctx, "RC1005",
						RULEC_SEVERITY_WARNING),
			 RULEC_OK);
	load(a, "q.eql", "process where x == $1");
	assert_ngot(a, 1);
	assert_int_equal(a->d[0].sev, RULEC_SEVERITY_WARNING);
}

/* --- the registry ------------------------------------------------------- */

static bool
is_kebab(const char *s)
{
	bool start = true;

	if (!*s)
		return false;
	for (; *s; s++) {
		if (*s == '-') {
			if (start || s[1] == '\0')
				return false;
			start = true;
			continue;
		}
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9')))
			return false;
		start = false;
	}
	return true;
}

static void
test_registry(void **state)
{
	unsigned i, j;

	(void)state;
	assert_true(D__COUNT > 0);
	for (i = 0; i < D__COUNT; i++) {
		const struct diag_info *d = &diag_table[i];

		print_message("%s %s\n", d->id, d->name);
		assert_int_equal(strlen(d->id), 6);
		assert_true(d->id[0] == 'R' && d->id[1] == 'C');
		assert_true(d->id[2] >= '1' && d->id[2] <= '9');
		for (j = 3; j < 6; j++)
			assert_true(d->id[j] >= '0' && d->id[j] <= '9');
		/* the first digit is the family: 1 syntax ... 9 io; a check
		 * that moved keeps its id (RC6001, RC6002: now logic) */
		assert_true((unsigned)d->family < FAM__COUNT);
		if (strcmp(d->id, "RC6001") == 0 ||
		    strcmp(d->id, "RC6002") == 0)
			assert_int_equal(d->family, FAM_LOGIC);
		else
			assert_int_equal(d->id[2] - '1', (int)d->family);
		assert_true(is_kebab(d->name));
		assert_non_null(d->summary);
		assert_true(strlen(d->summary) > 0);
		assert_non_null(d->doc);
		assert_true(strlen(d->doc) > 0);
		assert_true(d->severity <= SEV_ERROR);
		/* only performance hints may be off by default, and the
		 * report of folder walks that -v turns on, and two checks of
		 * rule-object conventions a user opts into */
		if (d->severity == SEV_OFF && d->family != FAM_PERFORMANCE &&
		    i != D_SKIPPED_FILES)
			assert_true(strcmp(d->name, "kibana-required-key") == 0 ||
				    strcmp(d->name, "detection-rules-schema") == 0);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(d->id, diag_table[j].id);
			assert_string_not_equal(d->name, diag_table[j].name);
		}
	}
	assert_string_equal(diag_family_name(FAM_SYNTAX), "syntax");
	assert_string_equal(diag_family_name(FAM_SCHEMA), "schema");
	assert_string_equal(diag_family_name(FAM_TYPE), "type");
	assert_string_equal(diag_family_name(FAM_LOGIC), "logic");
	assert_string_equal(diag_family_name(FAM_SEQUENCE), "sequence");
	assert_string_equal(diag_family_name(FAM_PERFORMANCE), "performance");
	assert_string_equal(diag_family_name(FAM_METADATA), "metadata");
	assert_string_equal(diag_family_name(FAM_CONVERSION), "conversion");
	assert_string_equal(diag_family_name(FAM_IO), "io");
	assert_int_equal(FAM__COUNT, 9);
}

static void
test_registry_lookup(void **state)
{
	size_t i;

	(void)state;
	assert_int_equal(diag_lookup("RC1001"), D_SYNTAX_ERROR);
	assert_int_equal(diag_lookup("rc1001"), D_SYNTAX_ERROR);
	assert_int_equal(diag_lookup("syntax-error"), D_SYNTAX_ERROR);
	assert_int_equal(diag_lookup("Syntax-Error"), D_SYNTAX_ERROR);
	assert_int_equal(diag_lookup("RC3001"), D_FIELD_COMPARISON);
	assert_int_equal(diag_lookup("FIELD-COMPARISON"), D_FIELD_COMPARISON);
	assert_int_equal(diag_lookup("RC9004"), D_NOT_EQL_RULE);
	assert_int_equal(diag_lookup("RC0000"), D__COUNT);
	assert_int_equal(diag_lookup("syntax"), D__COUNT);
	assert_int_equal(diag_lookup(""), D__COUNT);
	for (i = 0; i < D__COUNT; i++) {
		assert_int_equal(diag_lookup(diag_table[i].id), i);
		assert_int_equal(diag_lookup(diag_table[i].name), i);
	}

	/* the public view of the same table */
	assert_int_equal(rulec_check_count(), D__COUNT);
	for (i = 0; i < rulec_check_count(); i++) {
		assert_string_equal(rulec_check_field(i, "id"),
				    diag_table[i].id);
		assert_string_equal(rulec_check_field(i, "name"),
				    diag_table[i].name);
		assert_string_equal(rulec_check_field(i, "family"),
				    diag_family_name(diag_table[i].family));
		assert_string_equal(rulec_check_field(i, "severity"),
				    diag_severity_name(diag_table[i].severity));
		assert_string_equal(rulec_check_field(i, "summary"),
				    diag_table[i].summary);
		assert_string_equal(rulec_check_field(i, "explanation"),
				    diag_table[i].doc);
		assert_int_equal(rulec_check_find(diag_table[i].id), i);
	}
	assert_null(rulec_check_field(0, "nope"));
	assert_null(rulec_check_field(D__COUNT, "id"));
	assert_int_equal(rulec_check_find("bad-escape"), D_BAD_ESCAPE);
	assert_int_equal(rulec_check_find("RC1003"), D_BAD_ESCAPE);
	assert_true(rulec_check_find("nothing") == (size_t)-1);
}

/* --- rule files ------------------------------------------------------- */

static void
test_ndjson_bad_line(void **state)
{
	struct api *a = *state;
	char *dump;

	assert_int_equal(load(a, "x.ndjson",
			      "{\"language\":\"eql\",\"name\":\"r1\","
			      "\"query\":\"process where true\"}\n"
			      "{\"language\":\"eql\", \"query\": }\n"
			      "{\"language\":\"eql\",\"name\":\"r3\","
			      "\"query\":\"file where true\"}\n"
			      "{\"exported_count\":2}\n"), 2);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9002", 2, 29);
	assert_string_equal(a->d[0].name, "bad-json");
	assert_int_equal(rulec_ctx_rule_count(a->ctx), 2);
	assert_string_equal(rulec_rule_name(rulec_ctx_rule(a->ctx, 0)), "r1");
	assert_string_equal(rulec_rule_name(rulec_ctx_rule(a->ctx, 1)), "r3");
	assert_string_equal(rulec_rule_file(rulec_ctx_rule(a->ctx, 1)),
			    "x.ndjson");
	dump = rulec_rule_dump(rulec_ctx_rule(a->ctx, 1), RULEC_DUMP_IR);
	assert_non_null(dump);
	assert_string_equal(dump, "rule\n"
			    "  name \"r3\"\n"
			    "query event\n"
			    "  filter category=file\n"
			    "    where\n"
			    "      const true : boolean\n");
	free(dump);
}

static void
test_non_eql_rules(void **state)
{
	struct api *a = *state;

	assert_int_equal(load(a, "k.json", kuery_rule), 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9004", 1, 13);
	assert_string_equal(a->d[0].msg, "rule 'k' is written in kuery, not "
			    "EQL; skipped");
	assert_int_equal(rulec_ctx_rule_count(a->ctx), 0);

	/* without `language`, `type` decides */
	api_reset(a);
	assert_int_equal(load(a, "t.json", "{\"type\":\"query\",\"query\":\"a\"}"),
			 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9004", 1, 9);
	api_reset(a);
	assert_int_equal(load(a, "t.json", "{\"type\":\"eql\",\"query\":"
			      "\"any where true\"}"), 1);
	assert_ngot(a, 0);
}

static void
test_bad_rule_objects(void **state)
{
	struct api *a = *state;

	assert_int_equal(load(a, "z.json", "{\"language\":\"eql\",\"name\":\"nq\"}"),
			 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9003", 1, 1);
	assert_contains(a->d[0].msg, "no 'query'");

	api_reset(a);
	load(a, "z.json", "{\"language\":\"eql\",\"query\":5}");
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9003", 1, 27);
	assert_string_equal(a->d[0].msg, "'query' must be a string, not "
			    "number");

	api_reset(a);
	assert_int_equal(load(a, "z.json", "[1, {\"language\":\"eql\","
			      "\"query\":\"any where true\"}]"), 1);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9003", 1, 2);
	assert_contains(a->d[0].msg, "expected a rule object, found number");

	api_reset(a);
	assert_int_equal(load(a, "z.json", "{\"language\":\"eql\",\"query\":\" \"}"),
			 1);
	assert_ngot(a, 1);
	assert_string_equal(a->d[0].id, "RC1019");

	api_reset(a);
	assert_int_equal(load(a, "z.json", "{\"language\":\"eql\",\n\"query\":}"),
			 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9002", 2, 9);
}

static void
test_kibana_export_summary(void **state)
{
	struct api *a = *state;

	assert_int_equal(load(a, "e.ndjson", "{\"exported_count\":1}"), 0);
	assert_ngot(a, 0);
	assert_int_equal(rulec_ctx_rule_count(a->ctx), 0);

	api_reset(a);
	assert_int_equal(load(a, "e.ndjson",
			      "{\"language\":\"eql\",\"query\":\"any where true\"}"
			      "\n\n{\"exported_count\":1,\"missing_rules\":[]}\n"),
			 1);
	assert_ngot(a, 0);
}

/* A document that yields no rule is error no-rules (RC9021) saying why,
 * unless an error already did; with the check on (tests here turn it
 * off, see no_metadata_checks). */
static void
test_no_rules(void **state)
{
	struct api *a = *state;

	rulec_ctx_set_severity(a->ctx, "no-rules", RULEC_SEVERITY_ERROR);
	assert_int_equal(load(a, "e.ndjson", " \n\n"), 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9021", 0, 0);
	assert_string_equal(a->d[0].msg, "no rule: the input is empty");

	api_clear(a);
	assert_int_equal(load(a, "k.json", kuery_rule), 0);
	assert_ngot(a, 2);
	assert_got(a, 0, "RC9004", 1, 13);
	assert_got(a, 1, "RC9021", 0, 0);
	assert_string_equal(a->d[1].msg, "no rule: its 1 rule in other "
			    "languages was skipped");

	api_clear(a);
	assert_int_equal(load(a, "s.ndjson", "{\"exported_count\":0}"), 0);
	assert_ngot(a, 1);
	assert_string_equal(a->d[0].msg, "no rule: nothing in it is a rule "
			    "object");

	/* an error that says why stands alone */
	api_clear(a);
	assert_int_equal(load(a, "b.json", "{"), 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9002", 1, 2);
}

/* A JSON or NDJSON document whose first object is an event is one
 * diagnostic (RC9023), however many events follow; rule objects lacking
 * a query are still rules with an error. */
static void
test_events_file(void **state)
{
	struct api *a = *state;

	assert_int_equal(load(a, "ev.ndjson",
			      "{\"event\":{\"id\":\"1\"},\"process\":{}}\n"
			      "{\"event\":{\"id\":\"2\"}}\n"
			      "{\"event\":{\"id\":\"3\"}}\n"), 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9023", 1, 1);
	assert_int_equal(a->d[0].sev, RULEC_SEVERITY_ERROR);

	/* the first line that parses decides */
	api_clear(a);
	assert_int_equal(load(a, "ev.ndjson", "{\n{\"a\":1}\n{\"b\":2}\n"),
			 0);
	assert_ngot(a, 2);
	assert_got(a, 0, "RC9002", 1, 2);
	assert_got(a, 1, "RC9023", 2, 1);

	api_clear(a);
	assert_int_equal(load(a, "ev.json", "[{\"a\":1},{\"query\":\"x\"}]"),
			 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9023", 1, 2);

	/* a rule object without query has a rule_id or a name and type */
	api_clear(a);
	assert_int_equal(load(a, "r.json", "{\"rule_id\":\"r\"}"), 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9003", 1, 1);
	api_clear(a);
	assert_int_equal(load(a, "r.json", "{}"), 0);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC9003", 1, 1);
}

/* rulec_ctx_load_buffer_as reads the text in the given format whatever
 * its name. */
static void
test_load_as(void **state)
{
	struct api *a = *state;
	const char *q = "process where true";
	const char *o = "{\"query\":\"any where true\"}";

	assert_int_equal(rulec_ctx_load_buffer_as(a->ctx, "<stdin>",
						  RULEC_INPUT_EQL, q,
						  strlen(q)), 1);
	assert_ngot(a, 0);
	assert_int_equal(rulec_ctx_load_buffer_as(a->ctx, "rule.txt",
						  RULEC_INPUT_NDJSON, o,
						  strlen(o)), 1);
	assert_ngot(a, 0);
	assert_int_equal(rulec_ctx_load_buffer_as(a->ctx, "rule.eql",
						  RULEC_INPUT_XML, "<rule",
						  5), 0);
	assert_true(a->n > 0);
	assert_int_equal(rulec_ctx_load_buffer_as(a->ctx, "x",
						  (enum rulec_input)99, q,
						  strlen(q)), RULEC_ERR_ARG);
	assert_int_equal(rulec_ctx_rule_count(a->ctx), 2);
}

static void
test_json_array_of_rules(void **state)
{
	struct api *a = *state;
	char *dump;

	assert_int_equal(load(a, "w.json",
			      "[{\"language\":\"eql\",\"name\":\"a\",\"rule_id\":"
			      "\"id-a\",\"query\":\"process where true\"},\n"
			      " {\"language\":\"eql\",\"name\":\"b\","
			      "\"query\":\"file where x == $1\"}]"), 2);
	assert_ngot(a, 1);
	assert_got(a, 0, "RC1005", 2, 56);
	assert_int_equal(rulec_ctx_rule_count(a->ctx), 2);
	assert_string_equal(rulec_rule_name(rulec_ctx_rule(a->ctx, 0)), "a");
	assert_string_equal(rulec_rule_id(rulec_ctx_rule(a->ctx, 0)), "id-a");
	assert_string_equal(rulec_rule_name(rulec_ctx_rule(a->ctx, 1)), "b");
	assert_null(rulec_rule_id(rulec_ctx_rule(a->ctx, 1)));
	/* the clean rule has IR, the other one not */
	dump = rulec_rule_dump(rulec_ctx_rule(a->ctx, 0), RULEC_DUMP_IR);
	assert_non_null(dump);
	free(dump);
	assert_null(rulec_rule_dump(rulec_ctx_rule(a->ctx, 1), RULEC_DUMP_IR));
	dump = rulec_rule_dump(rulec_ctx_rule(a->ctx, 1), RULEC_DUMP_AST);
	assert_non_null(dump);
	assert_contains(dump, "event file");
	free(dump);
}


/* --- hostile sizes (found by review: each used to crash or blow up) --- */

/* Repeats `unit` n times after `head` into a heap string. */
static char *
repeat(const char *head, const char *unit, size_t n, const char *tail)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), i;
	char *s = malloc(hl + ul * n + tl + 1), *p;

	assert_non_null(s);
	memcpy(s, head, hl);
	for (p = s + hl, i = 0; i < n; i++, p += ul)
		memcpy(p, unit, ul);
	memcpy(p, tail, tl + 1);
	return s;
}

static void
test_deep_operator_chains(void **state)
{
	struct api *a = *state;
	char *q;

	/* 60,000 `+ 1`: a left spine far deeper than any tree walk may go */
	q = repeat("process where process.pid == 1", "+1", 60000, "");
	assert_int_equal(load(a, "d.eql", q), 1);
	free(q);
	assert_ngot(a, 1);
	assert_string_equal(a->d[0].id, "RC1001");
	assert_non_null(strstr(a->d[0].msg, "nested more than 1000"));
	api_reset(a);
	/* 300,000 chained comparisons */
	q = repeat("process where process.pid", " == 1", 300000, "");
	assert_int_equal(load(a, "d.eql", q), 1);
	free(q);
	assert_ngot(a, 1);
	assert_string_equal(a->d[0].id, "RC1001");
	api_reset(a);
	/* 500 levels is fine */
	q = repeat("process where process.pid == 1", "+1", 500, "");
	assert_int_equal(load(a, "d.eql", q), 1);
	free(q);
	assert_ngot(a, 0);
}

static void
test_long_dotted_name(void **state)
{
	struct api *a = *state;
	char *q = repeat("process where ", "a.", 40000, "a == 1");

	/* used to cost gigabytes (the name was copied at every dot) */
	assert_int_equal(load(a, "n.eql", q), 1);
	free(q);
	assert_ngot(a, 1);
	assert_string_equal(a->d[0].id, "RC2012");
}

static void
test_huge_condition_budget(void **state)
{
	struct api *a = *state;
	struct strbuf sb = STRBUF_INIT;
	int i;

	sb_puts(&sb, "process where ");
	for (i = 0; i < 20000; i++)
		sb_printf(&sb, "%sprocess.name == \"a%d\"", i ? " or " : "",
			  i);
	/* too large for the exact analysis: a note, not a hang */
	assert_int_equal(load(a, "h.eql", sb.data), 1);
	sb_free(&sb);
	assert_ngot(a, 1);
	assert_string_equal(a->d[0].id, "RC4006");
}

static void
test_suppressed_errors_note(void **state)
{
	struct api *a = *state;

	assert_int_equal(load(a, "s.eql", "// rulec-disable: field-comparison\n"
			      "process where process.name == "
			      "process.parent.name\n"), 1);
	assert_ngot(a, 1);
	assert_string_equal(a->d[0].id, "RC1025");
}

/* Every diagnostic about a rule names it: the metadata record's own
 * findings, the query's, a rule that is skipped, the cross-rule checks
 * (the later rule), an ESET rule whose structure is wrong (read before
 * lowering); file-level problems name none. */
static void
test_rule_attribution(void **state)
{
	struct api *a = *state;
	struct arena ar;
	const struct json_value *o;

	load(a, "r.ndjson",
	     "{\"rule_id\":\"id-1\",\"name\":\"First\",\"language\":\"eql\","
	     "\"risk_score\":\"x\",\"query\":\"process where x == $1\"}\n"
	     "{\"rule_id\":\"id-1\",\"language\":\"kuery\",\"query\":\"a\"}\n"
	     "{\"rule_id\":\"id-1\",\"name\":\"Third\",\"query\":"
	     "\"process where true\"}\n"
	     "{\"rule_id\":}\n");
	rulec_ctx_finish(a->ctx);
	assert_ngot(a, 5);
	assert_got(a, 0, "RC9003", 1, 64);    /* risk_score */
	assert_string_equal(a->d[0].rule_id, "id-1");
	assert_string_equal(a->d[0].rule_name, "First");
	assert_got(a, 1, "RC1005", 1, 96);   /* the $ */
	assert_string_equal(a->d[1].rule_name, "First");
	assert_contains(a->d[1].text, "\nnote: in rule 'First' (id-1)\n");
	assert_got(a, 2, "RC9004", 2, 30);    /* skipped, no name */
	assert_string_equal(a->d[2].rule_id, "id-1");
	assert_null(a->d[2].rule_name);
	assert_contains(a->d[2].text, "\nnote: in rule id-1\n");
	assert_got(a, 3, "RC9002", 4, 12);    /* the file's line */
	assert_null(a->d[3].rule_id);
	assert_null(a->d[3].rule_name);
	assert_true(strstr(a->d[3].text, "in rule") == NULL);
	assert_got(a, 4, "RC7007", 3, 12);    /* duplicate: the later rule */
	assert_string_equal(a->d[4].rule_name, "Third");
	arena_init(&ar, NULL);
	o = parse_json_line(&ar, a->d[4].json);
	assert_string_equal(member(o, "rule_id", JSON_STRING)->u.str.s,
			    "id-1");
	assert_string_equal(member(o, "rule_name", JSON_STRING)->u.str.s,
			    "Third");
	arena_release(&ar);

	/* ESET: a structure error, found before lowering, names the rule;
	 * a name "Title [id]" shows its id once */
	api_reset(a);
	load(a, "e.xml",
	     "<rule>\n<description><name>Probe [E0001]</name></description>\n"
	     "<definition><process><bogus/></process></definition>\n</rule>\n");
	assert_true(a->n >= 1);
	assert_string_equal(a->d[0].rule_id, "E0001");
	assert_string_equal(a->d[0].rule_name, "Probe [E0001]");
	assert_contains(a->d[0].text, "\nnote: in rule 'Probe [E0001]'\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		ATEST(test_render_text_exact),
		ATEST(test_render_notes),
		ATEST(test_render_layout),
		ATEST(test_render_span_over_lines),
		ATEST(test_render_file_level),
		ATEST(test_render_color),
		ATEST(test_render_escaped),
		ATEST(test_encodings),
		ATEST(test_xml_declared_encoding),
		ATEST(test_render_json),
		ATEST(test_render_json_escaping),
		ATEST(test_json_query_location),
		ATEST(test_severity_off),
		ATEST(test_severity_warning_and_werror),
		ATEST(test_severity_names),
		cmocka_unit_test(test_registry),
		cmocka_unit_test(test_registry_lookup),
		ATEST(test_ndjson_bad_line),
		ATEST(test_non_eql_rules),
		ATEST(test_bad_rule_objects),
		ATEST(test_kibana_export_summary),
		ATEST(test_json_array_of_rules),
		ATEST(test_no_rules),
		ATEST(test_events_file),
		ATEST(test_load_as),
		ATEST(test_deep_operator_chains),
		ATEST(test_long_dotted_name),
		ATEST(test_huge_condition_budget),
		ATEST(test_suppressed_errors_note),
		ATEST(test_rule_attribution),
	};

	return cmocka_run_group_tests_name("diag", tests, NULL, NULL);
}
