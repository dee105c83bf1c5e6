/*
 * test_schema.c - the field catalogue, on the shipped schemas/ecs.tsv and
 * on small inline schemas.
 *
 * Usage: test_schema [SCHEMA]; without an argument the path comes from
 * $RULEC_SCHEMA, else SCHEMA_PATH (set by the build to the source tree's
 * schemas/ecs.tsv).
 */
#ifndef SCHEMA_PATH
#define SCHEMA_PATH "schemas/ecs.tsv"
#endif

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "sema/schema.h"

/* The shipped schema, read once by main and handed to the tests as their
 * initial state. */
struct ecs {
	const char *path;
	char *text;
	size_t len;
};

/* Malformed lines reported by schema_load. */
struct errs {
	unsigned n;
	unsigned line[16];
	char msg[16][200];
};

static void
on_err(void *ud, unsigned line, const char *msg)
{
	struct errs *e = ud;

	assert_true(e->n < 16);
	e->line[e->n] = line;
	snprintf(e->msg[e->n], sizeof e->msg[0], "%s", msg);
	e->n++;
}

static int
load(struct schema *s, const char *origin, const char *text, struct errs *e)
{
	return schema_load(s, origin, text, strlen(text), e ? on_err : NULL, e);
}

static const struct schema_field *
get(const struct schema *s, const char *name)
{
	return schema_lookup(s, name, strlen(name));
}

static bool
is_obj(const struct schema *s, const char *name)
{
	return schema_is_object_path(s, name, strlen(name));
}

static const char *
sugg(const struct schema *s, const char *name)
{
	return schema_suggest(s, name, strlen(name));
}

/* A fresh schema with the shipped file loaded (no malformed line). */
static struct schema *
load_ecs(struct arena *a, const struct ecs *ecs)
{
	struct schema *s = schema_new(a);
	struct errs e = { 0 };

	assert_non_null(s);
	assert_int_equal(schema_load(s, ecs->path, ecs->text, ecs->len,
				     on_err, &e), 0);
	assert_int_equal(e.n, 0);
	return s;
}

static void
check_field(const struct schema *s, const char *name, enum rc_ftype t,
	    bool array, const char *es_type)
{
	const struct schema_field *f = get(s, name);

	assert_non_null(f);
	assert_string_equal(f->name, name);
	assert_int_equal(f->namelen, strlen(name));
	assert_int_equal(f->type, t);
	assert_int_equal(f->array, array);
	if (es_type)
		assert_string_equal(f->es_type, es_type);
}

static void
test_ecs_types(void **state)
{
	const struct ecs *ecs = *state;
	struct arena a;
	struct schema *s;
	const struct schema_field *f;

	arena_init(&a, NULL);
	s = load_ecs(&a, ecs);
	check_field(s, "process.pid", FT_LONG, false, "long");
	check_field(s, "process.parent.pid", FT_LONG, false, "long");
	check_field(s, "event.category", FT_KEYWORD, true, "keyword");
	check_field(s, "event.type", FT_KEYWORD, true, "keyword");
	check_field(s, "source.ip", FT_IP, false, "ip");
	check_field(s, "@timestamp", FT_DATE, false, "date");
	check_field(s, "process.command_line", FT_KEYWORD, false, "wildcard");
	check_field(s, "process.command_line.text", FT_KEYWORD, false,
		    "match_only_text");
	/* a multi-field inherits its parent's array-ness */
	check_field(s, "threat.technique.name", FT_KEYWORD, true, "keyword");
	check_field(s, "threat.technique.name.text", FT_KEYWORD, true,
		    "match_only_text");
	check_field(s, "host.cpu.usage", FT_DOUBLE, false, "scaled_float");
	check_field(s, "host.geo.location", FT_GEO_POINT, false, "geo_point");
	check_field(s, "process.interactive", FT_BOOLEAN, false, "boolean");
	check_field(s, "container.labels", FT_OBJECT, false, "object");
	check_field(s, "tags", FT_KEYWORD, true, "keyword");
	check_field(s, "message", FT_KEYWORD, false, "match_only_text");

	f = get(s, "process.pid");
	assert_string_equal(f->origin, ecs->path);
	assert_true(f->line > 1);

	/* unknown names, prefixes that are no field, lengths */
	assert_null(get(s, "process.nmae"));
	assert_null(get(s, "process"));
	assert_null(get(s, "process.parent"));
	assert_null(get(s, "process.pi"));
	assert_null(get(s, "Process.pid"));
	assert_null(schema_lookup(s, "", 0));
	f = schema_lookup(s, "process.pidXYZ", 11);
	assert_non_null(f);
	assert_string_equal(f->name, "process.pid");
	arena_release(&a);
}

/* The count equals the number of data lines, and every data line is found
 * under its name with its own line number and columns. */
static void
test_ecs_every_line(void **state)
{
	const struct ecs *ecs = *state;
	struct arena a;
	struct schema *s;
	const char *p = ecs->text, *end = ecs->text + ecs->len;
	unsigned line = 0;
	size_t data = 0;

	arena_init(&a, NULL);
	s = load_ecs(&a, ecs);
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *eol = nl ? nl : end;
		const char *t1, *t2, *t3;
		const struct schema_field *f;

		line++;
		if (eol > p && *p != '#') {
			data++;
			t1 = memchr(p, '\t', (size_t)(eol - p));
			assert_non_null(t1);
			t2 = memchr(t1 + 1, '\t', (size_t)(eol - t1 - 1));
			assert_non_null(t2);
			t3 = memchr(t2 + 1, '\t', (size_t)(eol - t2 - 1));
			f = schema_lookup(s, p, (size_t)(t1 - p));
			assert_non_null(f);
			assert_int_equal(f->line, line);
			assert_int_equal(f->type,
					 schema_ftype_parse(t1 + 1,
							    (size_t)(t2 - t1 - 1)));
			assert_int_not_equal(f->type, FT_UNKNOWN);
			assert_non_null(t3);
			assert_int_equal(f->array, t3 - t2 - 1 == 5 &&
					 memcmp(t2 + 1, "array", 5) == 0);
			assert_int_equal(strlen(f->es_type),
					 (size_t)(eol - t3 - 1));
		}
		p = eol + 1;
	}
	assert_true(data > 2000);
	assert_int_equal(schema_count(s), data);
	arena_release(&a);
}

static void
test_ecs_object_paths(void **state)
{
	const struct ecs *ecs = *state;
	struct arena a;
	struct schema *s;

	arena_init(&a, NULL);
	s = load_ecs(&a, ecs);
	assert_true(is_obj(s, "process"));
	assert_true(is_obj(s, "process.parent"));
	assert_true(is_obj(s, "host.geo"));
	assert_true(is_obj(s, "event"));
	/* an explicit object row with nothing below it */
	assert_true(is_obj(s, "container.labels"));
	assert_true(is_obj(s, "labels"));
	/* fields of other types are not objects, not even with a
	 * multi-field below them */
	assert_false(is_obj(s, "process.parent.name"));
	assert_false(is_obj(s, "process.pid"));
	assert_false(is_obj(s, "process.command_line"));
	assert_false(is_obj(s, "@timestamp"));
	/* not a path at all */
	assert_false(is_obj(s, "proc"));
	assert_false(is_obj(s, "process."));
	assert_false(is_obj(s, "process.parent.nam"));
	assert_false(is_obj(s, "nosuchthing"));
	assert_false(schema_is_object_path(s, "", 0));
	assert_true(schema_is_object_path(s, "process.parent.name", 14));
	arena_release(&a);
}

static void
test_ecs_suggest(void **state)
{
	const struct ecs *ecs = *state;
	struct arena a;
	struct schema *s;
	const char *best;

	arena_init(&a, NULL);
	s = load_ecs(&a, ecs);
	assert_string_equal(sugg(s, "proces.name"), "process.name");
	assert_string_equal(sugg(s, "process.nmae"), "process.name");
	assert_string_equal(sugg(s, "Process.Name"), "process.name");
	assert_string_equal(sugg(s, "event.categroy"), "event.category");
	assert_string_equal(sugg(s, "sourec.ip"), "source.ip");
	assert_string_equal(sugg(s, "process.parent.executabel"),
			    "process.parent.executable");
	assert_string_equal(sugg(s, "@timestmp"), "@timestamp");
	assert_null(sugg(s, "zzqqxxjjkkvv"));
	assert_null(sugg(s, "completely.unrelated.words"));
	assert_null(sugg(s, ""));
	/* the result is the catalogue's own name */
	best = sugg(s, "process.pdi");
	assert_non_null(best);
	assert_ptr_equal(best, get(s, "process.pid")->name);
	arena_release(&a);
}

/* Malformed lines are reported with their numbers and skipped; everything
 * else is loaded, CRLF line ends and a last line without one included. */
static void
test_malformed(void **state)
{
	static const char text[] =
		"# comment\n"                          /* 1 */
		"a.good\tkeyword\t-\n"                 /* 2 */
		"a.two\tkeyword\n"                     /* 3 two columns */
		"\n"                                   /* 4 */
		"a.type\tstring\t-\n"                  /* 5 unknown type */
		"a.arr\tlong\tyes\n"                   /* 6 bad array */
		"a.five\tlong\t-\tlong\textra\n"       /* 7 five columns */
		"\tlong\t-\n"                          /* 8 empty name */
		"a..b\tlong\t-\n"                      /* 9 empty segment */
		"a.crlf\tip\tarray\r\n"                /* 10 */
		"a b\tlong\t-\n"                       /* 11 space in name */
		"   \t \n"                             /* 12 blank */
		"a.es\tdate\t-\t\n"                    /* 13 empty es_type */
		".a\tlong\t-\n"                        /* 14 leading dot */
		"a.long\tLong\t-\n"                    /* 15 case matters */
		"a.spaces long -\n"                    /* 16 spaces, not tabs */
		"a.last\tdouble\tarray\tfloat";        /* 17, no newline */
	static const unsigned bad[] = { 3, 5, 6, 7, 8, 9, 11, 13, 14, 15, 16 };
	struct arena a;
	struct schema *s;
	struct errs e = { 0 };
	size_t i;

	(void)state;
	arena_init(&a, NULL);
	s = schema_new(&a);
	assert_non_null(s);
	assert_int_equal(load(s, "bad.tsv", text, &e), 11);
	assert_int_equal(e.n, 11);
	for (i = 0; i < e.n; i++)
		assert_int_equal(e.line[i], bad[i]);
	assert_non_null(strstr(e.msg[0], "found 2"));
	assert_non_null(strstr(e.msg[1], "unknown type 'string'"));
	assert_non_null(strstr(e.msg[2], "'yes'"));
	assert_non_null(strstr(e.msg[3], "found 5"));
	assert_non_null(strstr(e.msg[4], "empty field name"));
	assert_non_null(strstr(e.msg[5], "empty path segment"));

	assert_int_equal(schema_count(s), 3);
	check_field(s, "a.good", FT_KEYWORD, false, NULL);
	assert_null(get(s, "a.good")->es_type);
	check_field(s, "a.crlf", FT_IP, true, NULL);
	check_field(s, "a.last", FT_DOUBLE, true, "float");
	assert_int_equal(get(s, "a.good")->line, 2);
	assert_int_equal(get(s, "a.crlf")->line, 10);
	assert_int_equal(get(s, "a.last")->line, 17);
	assert_string_equal(get(s, "a.last")->origin, "bad.tsv");
	assert_null(get(s, "a.type"));
	assert_null(get(s, "a.two"));
	assert_null(get(s, "a.es"));
	assert_null(get(s, "a.long"));

	/* no callback: only the count */
	assert_int_equal(schema_load(s, "x", "x\n", 2, NULL, NULL), 1);
	assert_int_equal(schema_load(s, "x", "", 0, NULL, NULL), 0);
	assert_int_equal(schema_count(s), 3);
	arena_release(&a);
}

/* A later definition replaces an earlier one, also across files; earlier
 * lookups keep describing the old definition. */
static void
test_override(void **state)
{
	const struct ecs *ecs = *state;
	struct arena a;
	struct schema *s;
	const struct schema_field *old, *f;
	size_t n;

	arena_init(&a, NULL);
	s = schema_new(&a);
	assert_non_null(s);
	assert_int_equal(load(s, "base.tsv", "a.b\tkeyword\t-\n"
			      "a.c\tlong\t-\n"
			      "a.b\tip\t-\n", NULL), 0);
	assert_int_equal(schema_count(s), 2);
	assert_int_equal(get(s, "a.b")->type, FT_IP);
	assert_int_equal(get(s, "a.b")->line, 3);
	old = get(s, "a.b");
	assert_int_equal(load(s, "user.tsv", "x.y\tdate\t-\n"
			      "a.b\tlong\tarray\tlong\n", NULL), 0);
	assert_int_equal(schema_count(s), 3);
	f = get(s, "a.b");
	assert_int_equal(f->type, FT_LONG);
	assert_true(f->array);
	assert_string_equal(f->origin, "user.tsv");
	assert_int_equal(f->line, 2);
	assert_int_equal(old->type, FT_IP);
	assert_string_equal(old->origin, "base.tsv");
	assert_int_equal(get(s, "a.c")->type, FT_LONG);
	arena_release(&a);

	/* a user's file on top of ECS */
	arena_init(&a, NULL);
	s = load_ecs(&a, ecs);
	n = schema_count(s);
	assert_int_equal(load(s, "user.tsv", "process.pid\tkeyword\tarray\n"
			      "custom.thing\tlong\t-\n", NULL), 0);
	assert_int_equal(schema_count(s), n + 1);
	check_field(s, "process.pid", FT_KEYWORD, true, NULL);
	assert_string_equal(get(s, "process.pid")->origin, "user.tsv");
	check_field(s, "process.name", FT_KEYWORD, false, "keyword");
	check_field(s, "custom.thing", FT_LONG, false, NULL);
	assert_true(is_obj(s, "custom"));
	/* suggestions name the current definition */
	assert_ptr_equal(sugg(s, "process.pdi"), get(s, "process.pid")->name);
	arena_release(&a);
}

/* A name that is first only a prefix and then defined, and the reverse. */
static void
test_prefix_and_field(void **state)
{
	struct arena a;
	struct schema *s;

	(void)state;
	arena_init(&a, NULL);
	s = schema_new(&a);
	assert_non_null(s);
	assert_int_equal(load(s, "t", "x.y.z\tlong\t-\n", NULL), 0);
	assert_true(is_obj(s, "x"));
	assert_true(is_obj(s, "x.y"));
	assert_false(is_obj(s, "x.y.z"));
	assert_null(get(s, "x.y"));
	assert_int_equal(load(s, "t", "x.y\tkeyword\t-\n", NULL), 0);
	assert_int_equal(schema_count(s), 2);
	assert_false(is_obj(s, "x.y"));
	assert_true(is_obj(s, "x"));
	assert_int_equal(load(s, "t", "x.y\tobject\t-\nx\tobject\t-\n", NULL),
			 0);
	assert_true(is_obj(s, "x.y"));
	assert_true(is_obj(s, "x"));
	assert_int_equal(schema_count(s), 3);
	/* a one-segment field can be suggested too */
	assert_string_equal(sugg(s, "xx"), "x");
	arena_release(&a);
}

static void
test_suggest_groups(void **state)
{
	struct arena a;
	struct schema *s;

	(void)state;
	arena_init(&a, NULL);
	s = schema_new(&a);
	assert_non_null(s);
	assert_int_equal(load(s, "t",
			      "ac.cdefgh\tlong\t-\n"
			      "ab.cdefxy\tlong\t-\n"
			      "q.bc\tlong\t-\n"
			      "q.bd\tlong\t-\n"
			      "ab.zzzzzz.qqqq\tlong\t-\n"
			      "ac.wxyzuv\tlong\t-\n", NULL), 0);
	/* the word's own first segment wins over a closer field elsewhere */
	assert_string_equal(sugg(s, "ab.cdefgh"), "ab.cdefxy");
	/* nothing close in the group: every field is tried */
	assert_string_equal(sugg(s, "ab.wxyzuv"), "ac.wxyzuv");
	/* no such group */
	assert_string_equal(sugg(s, "ad.cdefgh"), "ac.cdefgh");
	/* ties go to the field defined first */
	assert_string_equal(sugg(s, "q.bx"), "q.bc");
	assert_null(sugg(s, "q.xyz"));
	/* prefixes are not suggested, only fields */
	assert_null(sugg(s, "ab.zzzzzz"));
	arena_release(&a);
}

/* First path segments: where their first field came from, the near one
 * for a misspelt segment, and open objects. */
static void
test_roots(void **state)
{
	struct arena a;
	struct schema *s;

	(void)state;
	arena_init(&a, NULL);
	s = schema_new(&a);
	assert_non_null(s);
	assert_int_equal(load(s, "ecs.tsv",
			      "source.ip\tip\t-\n"
			      "process.name\tkeyword\t-\n"
			      "labels\tobject\t-\n"
			      "dns.answers\tobject\tarray\n"
			      "dns.answers.name\tkeyword\t-\n"
			      "message\tkeyword\t-\n", NULL), 0);
	assert_int_equal(load(s, "more.tsv",
			      "process.custom\tkeyword\t-\n"
			      "processor.name\tkeyword\t-\n"
			      "winlog.event_data\tobject\t-\n"
			      "labels.added\tkeyword\t-\n"
			      "dns.answers.extra\tkeyword\t-\n", NULL), 0);
	assert_string_equal(schema_root_origin(s, "process.nme", 11),
			    "ecs.tsv");
	assert_string_equal(schema_root_origin(s, "process.custom", 14),
			    "ecs.tsv");
	assert_string_equal(schema_root_origin(s, "message", 7), "ecs.tsv");
	assert_string_equal(schema_root_origin(s, "processor.x", 11),
			    "more.tsv");
	assert_null(schema_root_origin(s, "sourc.ip", 8));
	assert_null(schema_root_origin(s, "", 0));
	/* a later definition keeps the segment's first origin */
	assert_int_equal(load(s, "user.tsv", "source.extra\tkeyword\t-\n",
			      NULL), 0);
	assert_string_equal(schema_root_origin(s, "source.x", 8), "ecs.tsv");
	/* one edit away only, and only for an unknown segment */
	assert_string_equal(schema_near_root(s, "sourc.ip", 8), "ecs.tsv");
	assert_string_equal(schema_near_root(s, "SOURCEE.ip", 10), "ecs.tsv");
	assert_null(schema_near_root(s, "source.ip", 9));
	assert_null(schema_near_root(s, "srce.ip", 7));
	/* the closest segment decides: "processor", not "process" */
	assert_string_equal(schema_near_root(s, "procesor.x", 10), "more.tsv");
	/* open objects: an object field with nothing defined below it */
	/* (labels.added of another file does not close labels) */
	assert_true(schema_in_open_object(s, "labels.team", 11));
	assert_true(schema_in_open_object(s, "winlog.event_data.Share", 23));
	assert_false(schema_in_open_object(s, "dns.answers.nmae", 16));
	assert_false(schema_in_open_object(s, "labels", 6));
	assert_false(schema_in_open_object(s, "process.name.x", 14));
	arena_release(&a);
}

static bool
form(const struct schema *s, const char *field, const char *value)
{
	return schema_literal_form(s, field, strlen(field), value,
				   strlen(value));
}

/* Literal forms: loading, malformed lines, matching. */
static void
test_literal_forms(void **state)
{
	struct arena a;
	struct schema *s;
	struct errs e = { 0 };
	const char *text =
		"# comment\n"
		"share.name\t\\\\*\\{}\tWindows writes \\\\*\\NAME\n"
		"x.y\t{}?{}\tquestion mark between two words\r\n"
		"\n"
		"bad.one\t\\\\*\\{}\n"
		"bad..two\t*\twhy\n"
		"bad.three\tabc\twhy\n"
		"bad.four\t*{x}\twhy\n";

	(void)state;
	arena_init(&a, NULL);
	s = schema_new(&a);
	assert_non_null(s);
	assert_int_equal(schema_load_literal_forms(s, "f.tsv", text,
						   strlen(text), on_err, &e),
			 4);
	assert_int_equal(e.n, 4);
	assert_int_equal(e.line[0], 5);
	assert_non_null(strstr(e.msg[0], "3 tab-separated columns"));
	assert_int_equal(e.line[1], 6);
	assert_non_null(strstr(e.msg[1], "'..'"));
	assert_int_equal(e.line[2], 7);
	assert_non_null(strstr(e.msg[2], "no literal * or ?"));
	assert_int_equal(e.line[3], 8);
	assert_non_null(strstr(e.msg[3], "'{}'"));
	assert_true(form(s, "share.name", "\\\\*\\ADMIN$"));
	assert_true(form(s, "share.name", "\\\\*\\c$"));
	/* the hole holds no wildcard character and is not empty */
	assert_false(form(s, "share.name", "\\\\*\\C*"));
	assert_false(form(s, "share.name", "\\\\*\\"));
	assert_false(form(s, "share.name", "\\\\srv*\\C$"));
	assert_false(form(s, "other.name", "\\\\*\\ADMIN$"));
	assert_true(form(s, "x.y", "what?now"));
	assert_false(form(s, "x.y", "what?"));
	assert_false(form(s, "bad.one", "\\\\*\\ADMIN$"));
	arena_release(&a);
}

/* Thousands of names entered one load at a time, so the table doubles
 * many times on its own; everything must still be found. */
static void
test_growth(void **state)
{
	struct arena a;
	struct schema *s;
	char line[64], name[64];
	unsigned i;

	(void)state;
	arena_init(&a, NULL);
	s = schema_new(&a);
	assert_non_null(s);
	for (i = 0; i < 5000; i++) {
		snprintf(line, sizeof line, "g%u.s%u.f%u\tlong\t-\n", i % 97,
			 i % 13, i);
		assert_int_equal(load(s, "t", line, NULL), 0);
	}
	assert_int_equal(schema_count(s), 5000);
	for (i = 0; i < 5000; i++) {
		const struct schema_field *f;

		snprintf(name, sizeof name, "g%u.s%u.f%u", i % 97, i % 13, i);
		f = get(s, name);
		assert_non_null(f);
		assert_string_equal(f->name, name);
		snprintf(name, sizeof name, "g%u.s%u", i % 97, i % 13);
		assert_true(is_obj(s, name));
		snprintf(name, sizeof name, "g%u.s%u.f%u", i % 97,
			 (i + 1) % 13, i);
		assert_null(get(s, name));
	}
	arena_release(&a);
}

/* Value files: values hang off their field, in file order, without
 * repeats; malformed lines and unknown fields are reported and skipped;
 * a later definition of the field keeps its values. */
static void
test_values(void **state)
{
	struct arena a;
	struct schema *s;
	struct errs e = { 0 };
	const struct schema_values *v;
	const char *vals =
		"# comment\n"
		"event.type\tstart\n"
		"event.type\tend\r\n"
		"\n"
		"event.type\tstart\n"              /* repeat: skipped */
		"event.kind\tsignal\n"
		"no.such.field\tx\n"              /* 7: unknown field */
		"event.type\n"                     /* 8: one column */
		"event.type\ta\tb\n"              /* 9: three columns */
		"event.type\t\n"                   /* 10: empty value */
		"event..type\tx\n"                 /* 11: bad name */
		"event\tx\n";                      /* 12: a prefix only */

	(void)state;
	arena_init(&a, NULL);
	s = schema_new(&a);
	assert_non_null(s);
	assert_int_equal(load(s, "t", "event.type\tkeyword\tarray\n"
			      "event.kind\tkeyword\t-\n"
			      "event.outcome\tkeyword\t-\n", NULL), 0);
	assert_int_equal(schema_load_values(s, "v", vals, strlen(vals),
					    on_err, &e), 6);
	assert_int_equal(e.n, 6);
	assert_int_equal(e.line[0], 7);
	assert_non_null(strstr(e.msg[0], "which no schema defines"));
	assert_int_equal(e.line[1], 8);
	assert_non_null(strstr(e.msg[1], "2 tab-separated columns"));
	assert_int_equal(e.line[2], 9);
	assert_int_equal(e.line[3], 10);
	assert_non_null(strstr(e.msg[3], "empty value"));
	assert_int_equal(e.line[4], 11);
	assert_int_equal(e.line[5], 12);
	assert_non_null(strstr(e.msg[5], "which no schema defines"));

	v = schema_values(s, "event.type", 10);
	assert_non_null(v);
	assert_int_equal(v->n, 2);
	assert_string_equal(v->v[0].s, "start");
	assert_int_equal(v->v[0].len, 5);
	assert_string_equal(v->v[1].s, "end");
	v = schema_values(s, "event.kind", 10);
	assert_non_null(v);
	assert_int_equal(v->n, 1);
	assert_null(schema_values(s, "event.outcome", 13));     /* open */
	assert_null(schema_values(s, "event", 5));
	assert_null(schema_values(s, "nothing", 7));
	assert_null(schema_values(s, "", 0));

	/* a later definition of the field keeps the values */
	assert_int_equal(load(s, "u", "event.type\tkeyword\t-\n", NULL), 0);
	v = schema_values(s, "event.type", 10);
	assert_non_null(v);
	assert_int_equal(v->n, 2);
	assert_false(schema_lookup(s, "event.type", 10)->array);
	arena_release(&a);
}

static void
test_ftype_names(void **state)
{
	int t;

	(void)state;
	for (t = FT_KEYWORD; t < FT_COUNT; t++) {
		const char *n = schema_ftype_name((enum rc_ftype)t);

		assert_int_equal(schema_ftype_parse(n, strlen(n)), t);
	}
	assert_string_equal(schema_ftype_name(FT_KEYWORD), "keyword");
	assert_string_equal(schema_ftype_name(FT_GEO_POINT), "geo_point");
	assert_string_equal(schema_ftype_name(FT_UNKNOWN), "unknown");
	assert_string_equal(schema_ftype_name((enum rc_ftype)99), "unknown");
	assert_int_equal(schema_ftype_parse("unknown", 7), FT_UNKNOWN);
	assert_int_equal(schema_ftype_parse("Keyword", 7), FT_UNKNOWN);
	assert_int_equal(schema_ftype_parse("keywor", 6), FT_UNKNOWN);
	assert_int_equal(schema_ftype_parse("keywords", 7), FT_KEYWORD);
	assert_int_equal(schema_ftype_parse("wildcard", 8), FT_UNKNOWN);
	assert_int_equal(schema_ftype_parse("", 0), FT_UNKNOWN);
}

/* Allocation failure injection: the n-th allocation and all after it
 * fail.  Every n must give a clean -1 (or NULL) and never a crash or a
 * leak; from some n on the load succeeds with the full count. */
struct failer {
	unsigned left;
	unsigned live;
};

static void *
fail_alloc(void *ud, size_t n)
{
	struct failer *f = ud;
	void *p;

	if (f->left == 0)
		return NULL;
	f->left--;
	p = malloc(n);
	if (p)
		f->live++;
	return p;
}

static void
fail_release(void *ud, void *p)
{
	struct failer *f = ud;

	f->live--;
	free(p);
}

static void
test_oom(void **state)
{
	const struct ecs *ecs = *state;
	struct failer fl;
	struct rc_allocator al = { fail_alloc, fail_release, &fl };
	size_t want = 0;
	unsigned n;
	bool done = false;

	{
		struct arena a;
		struct schema *s;

		arena_init(&a, NULL);
		s = load_ecs(&a, ecs);
		want = schema_count(s);
		arena_release(&a);
	}
	for (n = 0; n < 1000 && !done; n++) {
		struct arena a;
		struct schema *s;
		int r;

		fl.left = n;
		fl.live = 0;
		arena_init(&a, &al);
		s = schema_new(&a);
		if (!s) {
			assert_true(a.oom);
		} else {
			r = schema_load(s, "ecs", ecs->text, ecs->len, NULL,
					NULL);
			if (r < 0) {
				assert_int_equal(r, -1);
				assert_true(a.oom);
				/* what was loaded is still usable */
				assert_true(schema_count(s) < want);
				(void)schema_lookup(s, "process.pid", 11);
			} else {
				assert_int_equal(r, 0);
				assert_int_equal(schema_count(s), want);
				done = true;
			}
		}
		arena_release(&a);
		assert_int_equal(fl.live, 0);
	}
	assert_true(done);
	assert_true(n > 2);
}

static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!fp)
		return NULL;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	struct ecs ecs;
	const char *env = getenv("RULEC_SCHEMA");
	int rc;

	ecs.path = argc > 1 ? argv[1] : env && *env ? env : SCHEMA_PATH;
	ecs.text = read_file(ecs.path, &ecs.len);
	if (!ecs.text) {
		fprintf(stderr, "test_schema: cannot read %s\n", ecs.path);
		return 1;
	}
	{
		const struct CMUnitTest tests[] = {
			cmocka_unit_test_prestate(test_ecs_types, &ecs),
			cmocka_unit_test_prestate(test_ecs_every_line, &ecs),
			cmocka_unit_test_prestate(test_ecs_object_paths, &ecs),
			cmocka_unit_test_prestate(test_ecs_suggest, &ecs),
			cmocka_unit_test(test_malformed),
			cmocka_unit_test_prestate(test_override, &ecs),
			cmocka_unit_test(test_prefix_and_field),
			cmocka_unit_test(test_suggest_groups),
			cmocka_unit_test(test_roots),
			cmocka_unit_test(test_literal_forms),
			cmocka_unit_test(test_growth),
			cmocka_unit_test(test_ftype_names),
			cmocka_unit_test(test_values),
			cmocka_unit_test_prestate(test_oom, &ecs),
		};

		rc = cmocka_run_group_tests(tests, NULL, NULL);
	}
	free(ecs.text);
	return rc;
}
