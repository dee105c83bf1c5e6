/*
 * load.c - rule files to rules (see load.h).
 *
 * Formats:
 *   .eql           one query, the whole file
 *   .json          one rule object, or an array of rule objects
 *   .ndjson .jsonl one rule object per line (a Kibana export; its trailing
 *                  export summary, an object with `exported_count` or
 *                  `exported_exception_list_count` and no `query`, is not
 *                  a rule and is passed over)
 *   .xml           one ESET Inspect rule (<rule>), or several under a
 *                  wrapper element
 *   .toml          one rule in the layout of Elastic's detection-rules:
 *                  [rule] is the rule object, [metadata] its dates and
 *                  maturity (NAME.test.toml files are rulec test's)
 * A JSON or NDJSON export may also hold Kibana exception lists and their
 * items (objects with `list_id`, sema/except.h): they are read into the
 * loader's exception set, not as rules, and a rule's `exceptions_list`
 * is read beside its metadata.
 *
 * A JSON or NDJSON file whose first object is an event (none of query,
 * language, type, rule_id) is a file of events: one diagnostic names it
 * and the rest is not read, so fixtures beside rules cost one line, not
 * one error per event.  A named path that yields no rule at all is an
 * error saying what the path held (no silent empty runs).
 */
#include "driver/load.h"

#include "base/encoding.h"
#include "base/hash.h"
#include "base/toml.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/vec.h"
#include "check/check.h"
#include "driver/configfile.h"
#include "driver/path.h"
#include "front/eql.h"
#include "front/xml.h"
#include "front/xmlcheck.h"
#include "sema/eset_lower.h"
#include "sema/limits.h"
#include "sema/lower.h"
#include "sema/ruleschema.h"

/* The structure schema of XML rules, generated from schemas/eset-rule.rng. */
extern const char rc_eset_rng[];
extern const size_t rc_eset_rng_len;
/* Kibana's EQL rule schema, generated from schemas/kibana-eql-rule.tsv. */
extern const char rc_kibana_eql_rule[];
extern const size_t rc_kibana_eql_rule_len;

enum { MAX_FILE_SIZE = 64 * 1024 * 1024, MAX_DIR_DEPTH = 64 };

static enum file_kind
kind_of(const char *name)
{
	const char *dot = strrchr(name, '.');
	const char *slash = strrchr(name, '/');

	if (!dot || (slash && dot < slash))
		return FK_UNKNOWN;
	if (strcasecmp(dot, ".eql") == 0)
		return FK_EQL;
	if (strcasecmp(dot, ".json") == 0)
		return FK_JSON;
	if (strcasecmp(dot, ".ndjson") == 0 || strcasecmp(dot, ".jsonl") == 0)
		return FK_NDJSON;
	if (strcasecmp(dot, ".xml") == 0)
		return FK_XML;
	/* detection-rules' TOML rule files; NAME.test.toml are rulec test's */
	if (strcasecmp(dot, ".toml") == 0 &&
	    !(dot - name >= 5 && strncasecmp(dot - 5, ".test", 5) == 0))
		return FK_TOML;
	return FK_UNKNOWN;
}

/* Event files beside rules (NAME.events.ndjson, .events.json,
 * .events.jsonl: the fixtures of `rulec test`) are not rules; a folder
 * walk leaves them out. */
static bool
is_events_file(const char *name)
{
	static const char *const ends[] = { ".events.ndjson", ".events.json",
					    ".events.jsonl" };
	size_t n = strlen(name), i;

	for (i = 0; i < sizeof ends / sizeof *ends; i++) {
		size_t m = strlen(ends[i]);
		if (n >= m && strcasecmp(name + n - m, ends[i]) == 0)
			return true;
	}
	return false;
}

bool
load_is_rule_file(const char *name)
{
	return kind_of(name) != FK_UNKNOWN && !is_events_file(name);
}

/* The extension a tally counts a file under: the suffixes of test and
 * event files whole, otherwise the last one, in lower case; "" when the
 * name has none. */
static void
tally_key(const char *path, char *out, size_t n)
{
	static const char *const whole[] = { ".test.toml", ".events.ndjson",
					     ".events.json", ".events.jsonl" };
	const char *base = strrchr(path, '/'), *dot;
	size_t len, i;

	base = base ? base + 1 : path;
	len = strlen(base);
	dot = strrchr(base, '.');
	for (i = 0; i < sizeof whole / sizeof *whole; i++) {
		size_t m = strlen(whole[i]);
		if (len > m && strcasecmp(base + len - m, whole[i]) == 0)
			dot = base + len - m;
	}
	if (!dot || dot == base)
		dot = "";
	for (i = 0; dot[i] && i + 1 < n; i++)
		out[i] = (char)(dot[i] >= 'A' && dot[i] <= 'Z' ? dot[i] + 32
							       : dot[i]);
	out[i] = '\0';
}

/* At most this many extensions are told apart; the others are counted
 * together, so a folder of odd names stays linear. */
enum { TALLY_MAX_KEYS = 64 };

void
file_tally_add(struct file_tally *t, const char *name, bool read)
{
	struct file_tally_list *l = read ? &t->read : &t->left_out;
	char key[sizeof l->v->ext];
	struct file_tally_entry *e;
	size_t i;

	tally_key(name, key, sizeof key);
	for (i = 0; i < l->n && strcmp(l->v[i].ext, key) != 0; i++)
		;
	if (i == l->n && i >= TALLY_MAX_KEYS) {
		strcpy(key, "*");
		for (i = 0; i < l->n && strcmp(l->v[i].ext, key) != 0; i++)
			;
	}
	if (i == l->n) {
		if (!(e = vec_add(l))) {
			t->oom = true;
			return;
		}
		strcpy(e->ext, key);
	}
	l->v[i].n++;
	l->files++;
}

static int
tally_order(const void *a, const void *b)
{
	const struct file_tally_entry *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	return strcmp(x->ext, y->ext);
}

void
file_tally_describe(struct file_tally *t, bool read, struct strbuf *sb)
{
	struct file_tally_list *l = read ? &t->read : &t->left_out;
	size_t i;

	if (l->n)
		qsort(l->v, l->n, sizeof *l->v, tally_order);
	sb_printf(sb, "%u file%s (", l->files, l->files == 1 ? "" : "s");
	for (i = 0; i < l->n; i++) {
		const char *ext = l->v[i].ext;
		sb_printf(sb, "%s%s %u", i ? ", " : "",
			  !*ext ? "no extension"
			  : strcmp(ext, "*") == 0 ? "other extensions" : ext,
			  l->v[i].n);
	}
	sb_putc(sb, ')');
}

void
file_tally_free(struct file_tally *t)
{
	vec_free(&t->read);
	vec_free(&t->left_out);
}

void
source_list_free(struct source_list *sl)
{
	size_t i;

	for (i = 0; i < sl->n; i++) {
		free((char *)sl->v[i]->data);
		source_free_lines(sl->v[i]);
	}
	vec_free(sl);
}

/* Takes ownership of `data` (malloc'd, NUL-terminated). */
static struct rc_source *
add_source(struct loader *ld, const char *name, char *data, size_t len)
{
	struct source_list *sl = ld->sources;
	struct rc_source *s = ARENA_NEW(ld->arena, struct rc_source);

	if (s)
		s->name = arena_strdup(ld->arena, name);
	if (!s || !s->name || vec_push(sl, s) < 0) {
		free(data);
		ld->arena->oom = true;
		return NULL;
	}
	s->data = data;
	s->len = len;
	return s;
}

/* A rule with errors that were all turned off gets no IR either: say that
 * the later checks did not run on it. */
static void
note_suppressed(struct loader *ld, struct rc_rule *r, bool failed)
{
	if (failed && !r->ir && r->errors == 0) {
		diag_report(ld->diags, D_SUPPRESSED_ERRORS, &r->text,
			    span_make(0, 0), "this rule has errors that were "
			    "turned off; the checks that need a valid rule "
			    "did not run on it");
	}
}

/* Adds a rule to the run, after the checks (while its file's
 * diagnostics are still being collected, so they come out in order). */
static bool
add_rule(struct loader *ld, struct rc_rule *r)
{
	struct rule_list *rl = ld->rules;

	if (ld->checks)
		check_rule(ld->checks, r);
	ld->diags->suppressed = NULL;
	memset(&ld->diags->rule, 0, sizeof ld->diags->rule);

	if (vec_push(rl, r) < 0) {
		rl->oom = true;
		return false;
	}
	return true;
}

/* A diagnostic about a whole file (no location). */
static void
file_error(struct loader *ld, enum diag_id id, const char *path,
	   const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
file_error(struct loader *ld, enum diag_id id, const char *path,
	   const char *fmt, ...)
{
	struct rc_source *s = ARENA_NEW(ld->arena, struct rc_source);
	struct diag *d;
	va_list ap;

	if (!s)
		return;
	s->name = arena_strdup(ld->arena, path);
	va_start(ap, fmt);
	d = diag_vnew(ld->diags, id, NULL, span_make(0, 0), fmt, ap);
	va_end(ap);
	if (d)
		d->file = s;
	diag_emit(ld->diags, d);
}

/* Turns off the checks that the rule's rulec-disable comments name, until
 * the rule has been added (add_rule ends it). */
static void
begin_suppressions(struct loader *ld, struct rc_rule *r)
{
	bool *off = ARENA_NEWV(ld->arena, bool, D__COUNT);

	ld->diags->suppressed = NULL;
	if (off && diag_scan_suppressions(ld->diags, &r->text, off))
		ld->diags->suppressed = off;
}

/* The limits of the image and the engine, on a rule without other
 * errors (a rule with errors is not compiled anyway, and a pattern the
 * matcher refuses for its syntax was reported already).  Over a limit,
 * the rule loses its IR and counts its errors even when the user turned
 * their check off: compile and run would refuse it. */
static void
limits(struct loader *ld, struct rc_rule *r, unsigned before)
{
	size_t n;

	if (r->errors || !r->ir)
		return;
	n = ir_check_limits(r->ir, ld->diags, &r->text);
	if (!n)
		return;
	r->ir = NULL;
	r->errors = ld->diags->count[SEV_ERROR] - before;
	if (!r->errors)
		r->errors = (unsigned)n;
}

/* Parses and lowers the query of a rule whose text and metadata are set. */
static void
compile_rule(struct loader *ld, struct rc_rule *r)
{
	struct eql_parser p;
	struct lower_ctx lc;
	unsigned before = ld->diags->count[SEV_ERROR];
	size_t i;
	bool blank = true;

	begin_suppressions(ld, r);
	/* blank: nothing but white space and comments */
	for (i = 0; i < r->text.len && blank; i++) {
		const char *d = r->text.data;
		if (d[i] && strchr(" \t\r\n\f", d[i]))
			continue;
		if (d[i] == '/' && i + 1 < r->text.len && d[i + 1] == '/') {
			while (i < r->text.len && d[i] != '\n')
				i++;
		} else if (d[i] == '/' && i + 1 < r->text.len &&
			   d[i + 1] == '*') {
			const char *e = strstr(d + i + 2, "*/");
			if (!e)
				blank = false;  /* the lexer reports it */
			else
				i = (size_t)(e - d) + 1;
		} else {
			blank = false;
		}
	}
	if (blank) {
		diag_report(ld->diags, D_EMPTY_QUERY, &r->text,
			    span_make(0, (uint32_t)r->text.len),
			    "the rule has no query");
		r->errors = 1;
		return;
	}
	r->ast = eql_parse_text(&p, ld->arena, ld->diags, &r->text);
	if (r->ast && r->ast->depth > AST_MAX_DEPTH) {
		diag_report(ld->diags, D_SYNTAX_ERROR, &r->text,
			    span_make(0, (uint32_t)r->text.len),
			    "the query is nested more than %d levels deep "
			    "(a chain of that many operators); rulec does "
			    "not analyse it", AST_MAX_DEPTH);
		r->ast = NULL;
		p.recovered++;
	}
	/* lower complete trees too (only lexical errors), so that all of a
	 * rule's errors are reported in one run */
	if (r->ast && p.recovered == 0 && !ld->arena->oom) {
		memset(&lc, 0, sizeof lc);
		lc.arena = ld->arena;
		lc.diags = ld->diags;
		lc.schema = ld->schema;
		lc.text = &r->text;
		r->ir = lower_eql(&lc, r->ast);
	}
	/* syntax errors count even if the user turned their check off */
	r->errors = ld->diags->count[SEV_ERROR] - before;
	if (p.errors && !r->errors)
		r->errors = p.errors;
	limits(ld, r, before);
	if (r->errors)
		r->ir = NULL;
	note_suppressed(ld, r, r->ast && !r->ir);
}

static int
load_eql(struct loader *ld, struct rc_source *src)
{
	struct rc_rule *r = ARENA_NEW(ld->arena, struct rc_rule);

	if (!r)
		return -1;
	r->lang = LANG_EQL;
	r->src = src;
	r->text.src = src;
	r->text.data = src->data;
	r->text.len = src->len;
	compile_rule(ld, r);
	return add_rule(ld, r) ? 1 : -1;
}

/* The whole document as a text, for spans of non-string JSON values. */
static const struct rc_text *
doc_text(struct loader *ld, struct rc_source *src)
{
	struct rc_text *t = ARENA_NEW(ld->arena, struct rc_text);

	if (t) {
		t->src = src;
		t->data = src->data;
		t->len = src->len;
	}
	return t;
}

static void
member_error(struct loader *ld, const struct rc_text *doc,
	     const struct json_value *v, const char *key, const char *want)
{
	diag_report(ld->diags, D_BAD_RULE_OBJECT, doc,
		    span_make(v->start, v->end),
		    "'%s' must be %s, not %s", key, want,
		    json_type_name(v->type));
}

static const char *
obj_string(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->u.str.s : NULL;
}

/* An exception list or item of an export (passed over when exceptions
 * are off). */
static int
load_exception(struct loader *ld, const struct rc_text *doc,
	       const struct json_value *obj, enum exc_kind k)
{
	struct exc_reader rd = { ld->arena, ld->diags, ld->schema, doc };

	ld->exc_objects++;      /* a file of lists is not an empty input */
	if (!ld->exc)
		return 0;
	if (!(k == EXC_LIST ? exc_read_list(&rd, ld->exc, obj)
			    : exc_read_item(&rd, ld->exc, obj)))
		return -1;
	return 0;
}

/* One rule object of a JSON or NDJSON document, or the [rule] table of a
 * TOML file (`file`: the whole TOML document, for its [metadata]; NULL
 * for JSON). */
static int
read_rule_object(struct loader *ld, struct rc_source *src,
		 const struct rc_text *doc, const struct json_value *obj,
		 const struct json_value *file)
{
	const struct json_value *q, *lang, *type;
	struct rc_rule *r;

	q = json_get(obj, "query");
	if (!q && (json_get(obj, "exported_count") ||
		   json_get(obj, "exported_exception_list_count")))
		return 0;       /* the summary line of a Kibana rule or
				   exception list export */
	lang = json_get(obj, "language");
	type = json_get(obj, "type");
	if (lang && lang->type == JSON_STRING &&
	    strcasecmp(lang->u.str.s, "eql") != 0) {
		const char *name = obj_string(obj, "name");
		diag_report(ld->diags, D_NOT_EQL_RULE, doc,
			    span_make(lang->start, lang->end),
			    "rule '%s' is written in %s, not EQL; skipped",
			    name ? name : "(unnamed)", lang->u.str.s);
		ld->foreign++;
		return 0;
	}
	if (!lang && type && type->type == JSON_STRING &&
	    strcasecmp(type->u.str.s, "eql") != 0) {
		const char *name = obj_string(obj, "name");
		diag_report(ld->diags, D_NOT_EQL_RULE, doc,
			    span_make(type->start, type->end),
			    "rule '%s' is a '%s' rule, not EQL; skipped",
			    name ? name : "(unnamed)", type->u.str.s);
		ld->foreign++;
		return 0;
	}
	if (lang && lang->type != JSON_STRING) {
		member_error(ld, doc, lang, "language", "a string");
		return 0;
	}
	if (!q || q->type != JSON_STRING) {
		if (q)
			member_error(ld, doc, q, "query", "a string");
		else
			diag_report(ld->diags, D_BAD_RULE_OBJECT, doc,
				    span_make(obj->start, obj->start + 1),
				    "the rule object has no 'query'");
		return 0;
	}
	r = ARENA_NEW(ld->arena, struct rc_rule);
	if (!r)
		return -1;
	r->lang = LANG_EQL;
	r->src = src;
	json_string_text(q, src, &r->text);
	rule_meta_read_json(&r->meta, ld->arena, ld->diags, doc, obj);
	if (ld->exc) {
		struct exc_reader rd = { ld->arena, ld->diags, ld->schema, doc };
		if (!exc_read_refs(&rd, &r->exc, obj))
			return -1;
	}
	if (file)
		rule_meta_read_toml(&r->meta, ld->arena, ld->diags, doc, file);
	compile_rule(ld, r);
	/* after compile_rule: under the rule's rulec-disable comments */
	if (ld->kibana && !*ld->kibana)
		*ld->kibana = rule_schema_new(rc_kibana_eql_rule,
					      rc_kibana_eql_rule_len, NULL, 0);
	if (ld->kibana)
		rule_schema_check(*ld->kibana, ld->diags, ld->arena, doc, obj);
	return add_rule(ld, r) ? 1 : -1;
}

/* Repeated keys in the objects of v (v itself and every object inside
 * it): a warning at each repeat with a note at the occurrence before it.
 * JSON leaves their meaning open and json_get, like Kibana, takes the
 * last one, so the author may be reading a value that is not used.  A
 * hash per object keeps an object of many keys linear. */
static void
dup_keys(struct loader *ld, const struct rc_text *doc,
	 const struct json_value *v)
{
	struct hash seen = HASH_INIT;
	uint32_t *last;
	size_t i;

	if (v->type == JSON_ARRAY) {
		for (i = 0; i < v->u.arr.n; i++)
			dup_keys(ld, doc, v->u.arr.items[i]);
		return;
	}
	if (v->type != JSON_OBJECT)
		return;
	for (i = 0; i < v->u.obj.n; i++)
		dup_keys(ld, doc, v->u.obj.members[i].value);
	if (v->u.obj.n < 2)
		return;
	last = calloc(v->u.obj.n, sizeof *last);
	if (!last)
		return;
	for (i = 0; i < v->u.obj.n; i++) {
		const struct json_member *m = &v->u.obj.members[i], *o;
		uint32_t h = hash_str(m->key, m->keylen), pos, k;
		struct diag *d;

		for (pos = hash_first(&seen, h);
		     (k = hash_next(&seen, h, &pos)) != HASH_NONE;) {
			o = &v->u.obj.members[last[k]];
			if (o->keylen == m->keylen &&
			    memcmp(o->key, m->key, m->keylen) == 0)
				break;
		}
		if (k == HASH_NONE) {
			last[i] = (uint32_t)i;
			if (hash_add(&seen, h, (uint32_t)i) < 0)
				break;
			continue;
		}
		o = &v->u.obj.members[last[k]];
		d = diag_new(ld->diags, D_DUPLICATE_KEY, doc,
			     span_make(m->key_start, m->key_end),
			     "the key \"%.*s\" appears again in this object; "
			     "the last one is used", (int)(m->keylen > 64 ? 64 :
			     m->keylen), m->key);
		diag_note(ld->diags, d, doc,
			  span_make(o->key_start, o->key_end),
			  "earlier here, ignored");
		diag_help(ld->diags, d, "remove one of the two");
		diag_emit(ld->diags, d);
		last[k] = (uint32_t)i;
	}
	free(last);
	hash_free(&seen);
}

/* Every diagnostic made while a rule object is read names the rule (its
 * rule_id and name as written, before the metadata record is read, so
 * that the record's own diagnostics name it too); add_rule ends that. */
static int
load_rule_object(struct loader *ld, struct rc_source *src,
		 const struct rc_text *doc, const struct json_value *obj,
		 const struct json_value *file)
{
	int n;

	if (obj->type != JSON_OBJECT) {
		diag_report(ld->diags, D_BAD_RULE_OBJECT, doc,
			    span_make(obj->start, obj->end),
			    "expected a rule object, found %s",
			    json_type_name(obj->type));
		return 0;
	}
	if (exc_kind_of(obj) != EXC_NONE)
		return load_exception(ld, doc, obj, exc_kind_of(obj));
	ld->diags->rule.id = obj_string(obj, "rule_id");
	ld->diags->rule.name = obj_string(obj, "name");
	ld->diags->rule.xml = false;
	dup_keys(ld, doc, file ? file : obj);
	n = read_rule_object(ld, src, doc, obj, file);
	memset(&ld->diags->rule, 0, sizeof ld->diags->rule);
	return n;
}

static void
json_error_report(struct loader *ld, const struct rc_text *doc,
		  const struct json_error *err)
{
	uint32_t end = err->offset < doc->len ? err->offset + 1 : err->offset;

	diag_report(ld->diags, D_BAD_JSON, doc, span_make(err->offset, end),
		    "%s", err->message);
}

/* Whether a JSON value is an event rather than a rule object: an object
 * with members, none of them a member every rule object has (query,
 * language, type, rule_id) or the export summary's exported_count. */
static bool
looks_like_event(const struct json_value *v)
{
	static const char *const rule_keys[] = { "query", "language", "type",
						 "rule_id", "exported_count" };
	size_t i;

	if (v->type != JSON_OBJECT || v->u.obj.n == 0)
		return false;
	for (i = 0; i < sizeof rule_keys / sizeof *rule_keys; i++)
		if (json_get(v, rule_keys[i]))
			return false;
	return true;
}

/* A file of events where rules were expected: one diagnostic at its
 * first object, an error when the file was named, a note in a folder
 * walk; the caller reads no further. */
static void
report_events(struct loader *ld, const struct rc_text *doc,
	      const struct json_value *first)
{
	const char *name = doc->src->name;
	struct diag *d;

	if (strcmp(name, "<stdin>") == 0)
		name = "-";
	d = diag_new(ld->diags, ld->tally ? D_EVENTS_SKIPPED : D_EVENTS_FILE,
		     doc, span_make(first->start, first->start + 1),
		     "events, not rules: the first object has none of query, "
		     "language, type and rule_id%s",
		     ld->tally ? "; the file is left out" : "");
	diag_help(ld->diags, d, "replay events through rules with 'rulec run "
		  "RULES -e %s'; fixtures of 'rulec test' are named "
		  "NAME.events.ndjson beside the rule NAME", name);
	diag_emit(ld->diags, d);
	ld->events = true;
	if (ld->tally)
		ld->tally->events++;
}

static int
load_json(struct loader *ld, struct rc_source *src)
{
	const struct rc_text *doc = doc_text(ld, src);
	struct json_error err;
	struct json_value *v;
	int n = 0, k;
	size_t i;

	if (!doc)
		return -1;
	v = json_parse(ld->arena, src->data, src->len, &err);
	if (!v) {
		if (ld->arena->oom)
			return -1;
		json_error_report(ld, doc, &err);
		return 0;
	}
	if (looks_like_event(v) ||
	    (v->type == JSON_ARRAY && v->u.arr.n &&
	     looks_like_event(v->u.arr.items[0]))) {
		report_events(ld, doc, v->type == JSON_ARRAY ? v->u.arr.items[0]
							     : v);
		return 0;
	}
	if (v->type != JSON_ARRAY)
		return load_rule_object(ld, src, doc, v, NULL);
	for (i = 0; i < v->u.arr.n; i++) {
		if ((k = load_rule_object(ld, src, doc, v->u.arr.items[i],
					    NULL)) < 0)
			return -1;
		n += k;
	}
	return n;
}

/* A detection-rules TOML file: its [rule] table is a rule object, read as
 * the JSON form is (base/toml.cc keeps byte spans, so diagnostics point
 * into the TOML file, inside a multi-line query too), and its [metadata]
 * table completes the rule's metadata record.  Other tables ([transform],
 * ...) are not read. */
static int
load_toml(struct loader *ld, struct rc_source *src)
{
	const struct rc_text *doc = doc_text(ld, src);
	struct json_error err;
	const struct json_value *v, *rule;

	if (!doc)
		return -1;
	v = toml_parse(ld->arena, src->data, src->len, &err);
	if (!v) {
		if (ld->arena->oom)
			return -1;
		diag_report(ld->diags, D_BAD_JSON, doc,
			    span_make(err.offset, err.offset + 1),
			    "malformed TOML: %s", err.message);
		return 0;
	}
	rule = json_get(v, "rule");
	if (!rule || rule->type != JSON_OBJECT) {
		diag_report(ld->diags, D_BAD_RULE_OBJECT, doc, span_make(0, 0),
			    "a TOML rule file needs a [rule] table (with query, language, type, name and rule_id)");
		return 0;
	}
	return load_rule_object(ld, src, doc, rule, v);
}

static int
load_ndjson(struct loader *ld, struct rc_source *src)
{
	const struct rc_text *doc = doc_text(ld, src);
	size_t off = 0;
	int n = 0, k;
	bool first = true;

	if (!doc)
		return -1;
	while (off < src->len) {
		const char *nl = memchr(src->data + off, '\n', src->len - off);
		size_t end = nl ? (size_t)(nl - src->data) : src->len, i;
		struct json_error err;
		struct json_value *v;

		for (i = off; i < end && src->data[i] &&
			    strchr(" \t\r", src->data[i]); i++)
			;
		if (i < end) {
			v = json_parse_range(ld->arena, src->data, off, end,
					     &err);
			if (!v) {
				if (ld->arena->oom)
					return -1;
				json_error_report(ld, doc, &err);
			} else if (first && looks_like_event(v)) {
				report_events(ld, doc, v);
				return 0;
			} else if ((k = load_rule_object(ld, src, doc, v, NULL)) < 0) {
				return -1;
			} else {
				n += k;
			}
			if (v)
				first = false;
		}
		off = end + 1;
	}
	return n;
}

static int load_kind(struct loader *ld, struct rc_source *src,
		     enum file_kind k);

/* One <rule> element that is the root of `doc`: structure check, then
 * lowering.  `extent` is the part of the file the rule takes (its start tag
 * up to the next rule's); the held diagnostics from pending[mark] on that
 * lie in it are the rule's. */
static int
load_xml_rule(struct loader *ld, struct rc_source *src,
	      const struct rc_text *t, xmlDoc *doc,
	      const struct xml_index *index, size_t mark, struct span extent)
{
	struct rc_rule *r = ARENA_NEW(ld->arena, struct rc_rule);
	struct eset_lower el;
	unsigned before = ld->diags->count[SEV_ERROR];
	int bad;

	if (!r)
		return -1;
	r->lang = LANG_ESET_XML;
	r->src = src;
	r->text = *t;
	eset_rule_ident(ld->arena, doc, &ld->diags->rule.id,
			&ld->diags->rule.name);
	ld->diags->rule.xml = true;
	/* what the file's first pass found in this rule names it too */
	diag_attribute(ld->diags, mark, t, extent, ld->diags->rule);
	begin_suppressions(ld, r);
	bad = xml_validate(*ld->rng, doc, index, ld->diags, t);
	if (bad < 0) {
		memset(&ld->diags->rule, 0, sizeof ld->diags->rule);
		return -1;
	}
	if (bad == 0) {
		memset(&el, 0, sizeof el);
		el.arena = ld->arena;
		el.diags = ld->diags;
		el.text = &r->text;
		el.cat = ld->eset;
		el.schema = ld->schema;
		el.index = index;
		eset_lower_rule(&el, doc, r);
	}
	r->errors = ld->diags->count[SEV_ERROR] - before;
	limits(ld, r, before);
	if (r->errors)
		r->ir = NULL;
	note_suppressed(ld, r, true);
	return add_rule(ld, r) ? 1 : -1;
}

static bool
is_rule_element(const xmlNode *c)
{
	return c->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)c->name, "rule") == 0;
}

/* An XML rule file: one <rule>, or <rule> elements under a wrapper (each
 * is made the document's root in turn, so that positions stay valid). */
static int
load_xml(struct loader *ld, struct rc_source *src)
{
	const struct rc_text *t;
	unsigned before = ld->diags->count[SEV_ERROR];
	xmlDoc *doc;
	xmlNode *root, *c, *next, *old, *after;
	struct xml_index *index;
	size_t mark;
	int n = 0, k;

	/* to UTF-8 first: the data may be replaced */
	if (!xml_decode(src, ld->diags))
		return ld->arena->oom ? -1 : 0;
	if (!(t = doc_text(ld, src)))
		return -1;
	mark = ld->diags->npending;
	doc = xml_read(t, ld->diags);
	if (!doc)
		return 0;
	index = xml_index_build(t, doc);
	if (!index) {
		xmlFreeDoc(doc);
		ld->arena->oom = true;
		return -1;
	}
	xml_normalise(doc, index, t, ld->diags);
	if (!*ld->rng &&
	    !(*ld->rng = xml_schema_new(rc_eset_rng, rc_eset_rng_len))) {
		diag_report(ld->diags, D_NOT_IMPLEMENTED, t, span_make(0, 0),
			    "the structure schema of XML rules cannot be "
			    "compiled");
		n = -1;
		goto done;
	}
	if (ld->diags->count[SEV_ERROR] != before)
		goto done;      /* too deep: nothing more to check */
	root = xmlDocGetRootElement(doc);
	if (root && strcmp((const char *)root->name, "rule") != 0) {
		bool any = false;
		for (c = root->children; c; c = c->next)
			any |= c->type == XML_ELEMENT_NODE &&
			       strcmp((const char *)c->name, "rule") == 0;
		if (any) {
			/* a wrapper: each rule in turn becomes the root */
			for (c = root->children; c; c = next) {
				struct span ext;

				next = c->next;
				if (!is_rule_element(c))
					continue;
				for (after = next; after &&
				     !is_rule_element(after);
				     after = after->next)
					;
				ext = span_make(xml_node_span(index, c).start,
						after ? xml_node_span(index,
							after).start
						      : (uint32_t)t->len);
				xmlUnlinkNode(c);
				old = xmlDocSetRootElement(doc, c);
				if (old && old != root)
					xmlFreeNode(old);
				if ((k = load_xml_rule(ld, src, t, doc,
						       index, mark, ext)) < 0) {
					n = -1;
					break;
				}
				n += k;
			}
			xmlFreeNode(root);
			goto done;
		}
	}
	n = load_xml_rule(ld, src, t, doc, index, mark,
			  span_make(0, (uint32_t)t->len));
done:
	xml_index_free(index);
	xmlFreeDoc(doc);
	return n;
}

/* One file's diagnostics are delivered in source order. */
static int
load_document(struct loader *ld, struct rc_source *src, enum file_kind k)
{
	int n = 0;

	diag_defer(ld->diags);
	/* the file's encoding first (base/encoding.h); XML rule files
	 * convert theirs (xml_decode in load_xml) */
	if (k == FK_XML || enc_require_utf8(ld->diags, src))
		n = load_kind(ld, src, k);
	diag_flush(ld->diags);
	return n;
}

static int
load_kind(struct loader *ld, struct rc_source *src, enum file_kind k)
{
	switch (k) {
	case FK_EQL:
		return load_eql(ld, src);
	case FK_JSON:
		return load_json(ld, src);
	case FK_NDJSON:
		return load_ndjson(ld, src);
	case FK_XML:
		return load_xml(ld, src);
	case FK_TOML:
		return load_toml(ld, src);
	default:
		return 0;
	}
}

/* Reads a whole file into a malloc'd, NUL-terminated buffer.  The buffer
 * is sized from fstat (the size, the NUL and one byte more, so that the
 * read that finds the end needs no growth): a folder of many small files
 * (a detection-rules checkout) costs one exact allocation and no stdio
 * buffer per file.  A file whose size fstat does not tell, or that grows
 * while it is read, doubles the buffer as it goes. */
static char *
read_file(struct loader *ld, const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY);
	struct stat st;
	size_t cap, n = 0;
	ssize_t got;
	char *buf, *q;

	if (fd < 0) {
		file_error(ld, D_IO_ERROR, path, "cannot open: %s",
			   strerror(errno));
		return NULL;
	}
	cap = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 0 &&
	      (uint64_t)st.st_size <= (uint64_t)MAX_FILE_SIZE
	      ? (size_t)st.st_size + 2 : 16384;
	if (!(buf = malloc(cap)))
		goto nomem;
	for (;;) {
		if (cap - n < 2) {
			if (cap > (size_t)MAX_FILE_SIZE + 1)
				goto too_large;
			if (!(q = realloc(buf, cap * 2)))
				goto nomem;
			buf = q;
			cap *= 2;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			file_error(ld, D_IO_ERROR, path, "read error: %s",
				   strerror(errno));
			goto fail;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	if (n > (size_t)MAX_FILE_SIZE)
		goto too_large;
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
too_large:
	file_error(ld, D_IO_ERROR, path, "%s", "file is larger than 64 MiB");
	goto fail;
nomem:
	ld->arena->oom = true;
fail:
	close(fd);
	free(buf);
	return NULL;
}

static int
load_file(struct loader *ld, const char *path, enum file_kind k)
{
	size_t len;
	char *data = read_file(ld, path, &len);
	struct rc_source *src;

	if (!data)
		return -1;
	src = add_source(ld, path, data, len);
	if (!src)
		return -1;
	return load_document(ld, src, k);
}

static int
entry_filter(const struct dirent *e)
{
	return e->d_name[0] != '.';
}

static int
load_dir(struct loader *ld, const char *path, unsigned depth)
{
	struct dirent **names;
	char *real;
	int i, n, total = 0;

	if (depth > MAX_DIR_DEPTH) {
		file_error(ld, D_IO_ERROR, path, "%s",
			   "folders nested too deeply (symbolic link loop?)");
		return -1;
	}
	n = scandir(path, &names, entry_filter, alphasort);
	if (n < 0) {
		file_error(ld, D_IO_ERROR, path, "cannot read folder: %s",
			   strerror(errno));
		return -1;
	}
	/* the canonical folder, for the configuration's excluded globs */
	real = ld->config ? path_real(path) : NULL;
	for (i = 0; i < n; i++) {
		size_t len = strlen(path) + 1 + strlen(names[i]->d_name) + 1;
		char *child = malloc(len);
		struct stat st;
		int k = 0;

		if (!child) {
			ld->arena->oom = true;
			free(names[i]);
			continue;
		}
		snprintf(child, len, "%s%s%s", path,
			 path[strlen(path) - 1] == '/' ? "" : "/",
			 names[i]->d_name);
		if (stat(child, &st) != 0)
			file_error(ld, D_IO_ERROR, child, "cannot stat: %s",
				   strerror(errno));
		else if (real && config_excluded(ld->config, real,
						 names[i]->d_name,
						 S_ISDIR(st.st_mode)))
			;       /* excluded by the configuration */
		else if (S_ISDIR(st.st_mode))
			k = load_dir(ld, child, depth + 1);
		else if (S_ISREG(st.st_mode) && load_is_rule_file(child)) {
			file_tally_add(ld->tally, child, true);
			k = load_file(ld, child, kind_of(child));
		} else if (S_ISREG(st.st_mode))
			file_tally_add(ld->tally, child, false);
		if (k > 0)
			total += k;
		free(child);
		free(names[i]);
	}
	free(names);
	free(real);
	return total;
}

/* The message of RC9005 (a named file of no known kind). */
static const char not_rule_file[] =
	"not a rule file: rulec reads .eql, .json, .ndjson, .jsonl, .toml "
	"and .xml files (--input-format reads another name as one of them)";

/* Whether a text is empty or white space only. */
static bool
blank(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!strchr(" \t\r\n", s[i]) || !s[i])
			return false;
	return true;
}

/* no-rules (RC9021) for a named file or buffer that yielded no rule and
 * got no error that says why. */
static void
report_empty_document(struct loader *ld, const struct rc_source *src,
		      bool buffer)
{
	if (blank(src->data, src->len))
		file_error(ld, D_NO_RULES, src->name, "no rule: the %s is "
			   "empty", buffer ? "input" : "file");
	else if (ld->foreign)
		file_error(ld, D_NO_RULES, src->name, "no rule: its %u "
			   "rule%s in other languages %s skipped",
			   ld->foreign, ld->foreign == 1 ? "" : "s",
			   ld->foreign == 1 ? "was" : "were");
	else
		file_error(ld, D_NO_RULES, src->name, "no rule: nothing in "
			   "it is a rule object");
}

/* After a named folder: no-rules (RC9021) when it yielded no rule and no
 * error says why, else the skipped-files note (RC9022, off by default),
 * both from what the walk found. */
static void
report_walk(struct loader *ld, const char *path, struct file_tally *t,
	    int rules, unsigned errors_before)
{
	struct strbuf sb = STRBUF_INIT;
	enum diag_id id = D_SKIPPED_FILES;
	struct rc_source *s;
	struct diag *d;

	if (rules == 0 && ld->report_empty && !ld->exc_objects &&
	    ld->diags->count[SEV_ERROR] == errors_before) {
		id = D_NO_RULES;
		sb_puts(&sb, t->read.files ? "no rule in this folder: "
					   : "no rule file in this folder: ");
	} else if (ld->diags->level[D_SKIPPED_FILES] == SEV_OFF) {
		return;
	}
	if (t->read.files) {
		file_tally_describe(t, true, &sb);
		sb_puts(&sb, " read as rules");
		if (t->events)
			sb_printf(&sb, ", %u of them events", t->events);
		if (ld->foreign)
			sb_printf(&sb, ", %u rule%s in other languages "
				  "skipped", ld->foreign,
				  ld->foreign == 1 ? "" : "s");
		if (t->left_out.files)
			sb_puts(&sb, "; left out: ");
	}
	if (t->left_out.files)
		file_tally_describe(t, false, &sb);
	if (!t->read.files && !t->left_out.files)
		sb_puts(&sb, "it holds no file");
	if (sb.oom || t->oom || !(s = ARENA_NEW(ld->arena, struct rc_source))) {
		ld->arena->oom = true;
		sb_free(&sb);
		return;
	}
	s->name = arena_strdup(ld->arena, path);
	d = diag_new(ld->diags, id, NULL, span_make(0, 0), "%s", sb.data);
	if (d)
		d->file = s;
	if (id == D_NO_RULES && t->read.files == 0)
		diag_help(ld->diags, d, "rulec reads .eql, .json, .ndjson, "
			  ".jsonl, .toml and .xml rule files; NAME.test.toml "
			  "and NAME.events.ndjson files are left out");
	diag_emit(ld->diags, d);
	sb_free(&sb);
}

int
load_path(struct loader *ld, const char *path, bool named)
{
	struct stat st;
	enum file_kind k;
	unsigned errors = ld->diags->count[SEV_ERROR];
	int n;

	ld->foreign = 0;
	ld->exc_objects = 0;
	ld->events = false;
	if (strcmp(path, "-") != 0 && stat(path, &st) != 0) {
		file_error(ld, D_IO_ERROR, path, "cannot open: %s",
			   strerror(errno));
		return -1;
	}
	if (strcmp(path, "-") != 0 && S_ISDIR(st.st_mode)) {
		struct file_tally t;

		memset(&t, 0, sizeof t);
		ld->tally = &t;
		n = load_dir(ld, path, 0);
		ld->tally = NULL;
		if (n >= 0 && named)
			report_walk(ld, path, &t, n, errors);
		file_tally_free(&t);
		return n;
	}
	k = named && ld->kind != FK_UNKNOWN ? ld->kind : kind_of(path);
	if (k == FK_UNKNOWN && named) {
		file_error(ld, D_UNKNOWN_FILE_TYPE, path, "%s", not_rule_file);
		return -1;
	}
	n = load_file(ld, path, k);
	if (n == 0 && named && ld->report_empty && !ld->events &&
	    !ld->exc_objects &&
	    ld->diags->count[SEV_ERROR] == errors)
		report_empty_document(ld, ld->sources->v[ld->sources->n - 1],
				      false);
	return n;
}

int
load_buffer(struct loader *ld, const char *name, const char *data,
	    size_t len)
{
	char *copy = malloc(len + 1);
	struct rc_source *src;
	enum file_kind k = ld->kind != FK_UNKNOWN ? ld->kind : kind_of(name);
	unsigned errors = ld->diags->count[SEV_ERROR];
	int n;

	ld->foreign = 0;
	ld->exc_objects = 0;
	ld->events = false;
	if (!copy) {
		ld->arena->oom = true;
		return -1;
	}
	memcpy(copy, data, len);
	copy[len] = '\0';
	src = add_source(ld, name, copy, len);
	if (!src)
		return -1;
	if (k == FK_UNKNOWN) {
		file_error(ld, D_UNKNOWN_FILE_TYPE, name, "%s", not_rule_file);
		return -1;
	}
	n = load_document(ld, src, k);
	if (n == 0 && ld->report_empty && !ld->events && !ld->exc_objects &&
	    ld->diags->count[SEV_ERROR] == errors)
		report_empty_document(ld, src, true);
	return n;
}
