/*
 * load.c - rule files to rules (see load.h).
 *
 * Formats:
 *   .eql           one query, the whole file
 *   .json          one rule object, or an array of rule objects
 *   .ndjson .jsonl one rule object per line (a Kibana export; its trailing
 *                  export summary, an object with `exported_count` and no
 *                  `query`, is not a rule and is passed over)
 *   .xml           one ESET Inspect rule (<rule>), or several under a
 *                  wrapper element
 */
#include "driver/load.h"

#include "base/encoding.h"
#include "base/toml.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "base/vec.h"
#include "check/check.h"
#include "front/eql.h"
#include "front/xml.h"
#include "front/xmlcheck.h"
#include "sema/eset_lower.h"
#include "sema/lower.h"

/* The structure schema of XML rules, generated from schemas/eset-rule.rng. */
extern const char rc_eset_rng[];
extern const size_t rc_eset_rng_len;

enum { MAX_FILE_SIZE = 64 * 1024 * 1024, MAX_DIR_DEPTH = 64 };

enum file_kind { FK_UNKNOWN, FK_EQL, FK_JSON, FK_NDJSON, FK_XML, FK_TOML };

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

/* One rule object of a JSON or NDJSON document. */
static int
load_rule_object(struct loader *ld, struct rc_source *src,
		 const struct rc_text *doc, const struct json_value *obj)
{
	const struct json_value *q, *lang, *type;
	struct rc_rule *r;

	if (obj->type != JSON_OBJECT) {
		diag_report(ld->diags, D_BAD_RULE_OBJECT, doc,
			    span_make(obj->start, obj->end),
			    "expected a rule object, found %s",
			    json_type_name(obj->type));
		return 0;
	}
	q = json_get(obj, "query");
	if (!q && json_get(obj, "exported_count"))
		return 0;       /* Kibana export summary line */
	lang = json_get(obj, "language");
	type = json_get(obj, "type");
	if (lang && lang->type == JSON_STRING &&
	    strcmp(lang->u.str.s, "eql") != 0) {
		const char *name = obj_string(obj, "name");
		diag_report(ld->diags, D_NOT_EQL_RULE, doc,
			    span_make(lang->start, lang->end),
			    "rule '%s' is written in %s, not EQL; skipped",
			    name ? name : "(unnamed)", lang->u.str.s);
		return 0;
	}
	if (!lang && type && type->type == JSON_STRING &&
	    strcmp(type->u.str.s, "eql") != 0) {
		const char *name = obj_string(obj, "name");
		diag_report(ld->diags, D_NOT_EQL_RULE, doc,
			    span_make(type->start, type->end),
			    "rule '%s' is a '%s' rule, not EQL; skipped",
			    name ? name : "(unnamed)", type->u.str.s);
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
	compile_rule(ld, r);
	return add_rule(ld, r) ? 1 : -1;
}

static void
json_error_report(struct loader *ld, const struct rc_text *doc,
		  const struct json_error *err)
{
	uint32_t end = err->offset < doc->len ? err->offset + 1 : err->offset;

	diag_report(ld->diags, D_BAD_JSON, doc, span_make(err->offset, end),
		    "%s", err->message);
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
	if (v->type != JSON_ARRAY)
		return load_rule_object(ld, src, doc, v);
	for (i = 0; i < v->u.arr.n; i++) {
		if ((k = load_rule_object(ld, src, doc, v->u.arr.items[i])) < 0)
			return -1;
		n += k;
	}
	return n;
}

/* A detection-rules TOML file: its [rule] table is a rule object, read as
 * the JSON form is (base/toml.cc keeps byte spans, so diagnostics point
 * into the TOML file, inside a multi-line query too).  [metadata] is not
 * read yet. */
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
	return load_rule_object(ld, src, doc, rule);
}

static int
load_ndjson(struct loader *ld, struct rc_source *src)
{
	const struct rc_text *doc = doc_text(ld, src);
	size_t off = 0;
	int n = 0, k;

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
			} else if ((k = load_rule_object(ld, src, doc, v)) < 0) {
				return -1;
			} else {
				n += k;
			}
		}
		off = end + 1;
	}
	return n;
}

static int load_kind(struct loader *ld, struct rc_source *src,
		     enum file_kind k);

/* One <rule> element that is the root of `doc`: structure check, then
 * lowering. */
static int
load_xml_rule(struct loader *ld, struct rc_source *src,
	      const struct rc_text *t, xmlDoc *doc,
	      const struct xml_index *index)
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
	begin_suppressions(ld, r);
	bad = xml_validate(*ld->rng, doc, index, ld->diags, t);
	if (bad < 0)
		return -1;
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
	if (r->errors)
		r->ir = NULL;
	note_suppressed(ld, r, true);
	return add_rule(ld, r) ? 1 : -1;
}

/* An XML rule file: one <rule>, or <rule> elements under a wrapper (each
 * is made the document's root in turn, so that positions stay valid). */
static int
load_xml(struct loader *ld, struct rc_source *src)
{
	const struct rc_text *t;
	unsigned before = ld->diags->count[SEV_ERROR];
	xmlDoc *doc;
	xmlNode *root, *c, *next, *old;
	struct xml_index *index;
	int n = 0, k;

	/* to UTF-8 first: the data may be replaced */
	if (!xml_decode(src, ld->diags))
		return ld->arena->oom ? -1 : 0;
	if (!(t = doc_text(ld, src)))
		return -1;
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
				next = c->next;
				if (c->type != XML_ELEMENT_NODE ||
				    strcmp((const char *)c->name, "rule"))
					continue;
				xmlUnlinkNode(c);
				old = xmlDocSetRootElement(doc, c);
				if (old && old != root)
					xmlFreeNode(old);
				if ((k = load_xml_rule(ld, src, t, doc,
						       index)) < 0) {
					n = -1;
					break;
				}
				n += k;
			}
			xmlFreeNode(root);
			goto done;
		}
	}
	n = load_xml_rule(ld, src, t, doc, index);
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

/* Reads a whole file into a malloc'd, NUL-terminated buffer. */
static char *
read_file(struct loader *ld, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	VEC(char) buf = VEC_INIT;

	if (!f) {
		file_error(ld, D_IO_ERROR, path, "cannot open: %s",
			   strerror(errno));
		return NULL;
	}
	for (;;) {
		size_t got, want = buf.cap ? buf.cap * 2 : 16384;
		if (buf.cap - buf.n < 4096) {
			if (want > (size_t)MAX_FILE_SIZE + 16384) {
				file_error(ld, D_IO_ERROR, path, "%s",
					   "file is larger than 64 MiB");
				goto fail;
			}
			if (vec_reserve(&buf, want) < 0) {
				ld->arena->oom = true;
				goto fail;
			}
		}
		got = fread(buf.v + buf.n, 1, buf.cap - buf.n - 1, f);
		buf.n += got;
		if (got == 0)
			break;
	}
	if (ferror(f)) {
		file_error(ld, D_IO_ERROR, path, "read error: %s",
			   strerror(errno));
		goto fail;
	}
	fclose(f);
	buf.v[buf.n] = '\0';
	*len = buf.n;
	return buf.v;
fail:
	fclose(f);
	vec_free(&buf);
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
		else if (S_ISDIR(st.st_mode))
			k = load_dir(ld, child, depth + 1);
		else if (S_ISREG(st.st_mode) && load_is_rule_file(child))
			k = load_file(ld, child, kind_of(child));
		if (k > 0)
			total += k;
		free(child);
		free(names[i]);
	}
	free(names);
	return total;
}

int
load_path(struct loader *ld, const char *path, bool named)
{
	struct stat st;
	enum file_kind k;

	if (strcmp(path, "-") != 0 && stat(path, &st) != 0) {
		file_error(ld, D_IO_ERROR, path, "cannot open: %s",
			   strerror(errno));
		return -1;
	}
	if (strcmp(path, "-") != 0 && S_ISDIR(st.st_mode))
		return load_dir(ld, path, 0);
	k = kind_of(path);
	if (k == FK_UNKNOWN && named) {
		file_error(ld, D_UNKNOWN_FILE_TYPE, path, "%s",
			   "not a rule file: rulec reads .eql, .json, "
			   ".ndjson and .xml files");
		return -1;
	}
	return load_file(ld, path, k);
}

int
load_buffer(struct loader *ld, const char *name, const char *data,
	    size_t len)
{
	char *copy = malloc(len + 1);
	struct rc_source *src;
	enum file_kind k = kind_of(name);

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
		file_error(ld, D_UNKNOWN_FILE_TYPE, name, "%s",
			   "not a rule file: rulec reads .eql, .json, "
			   ".ndjson and .xml files");
		return -1;
	}
	return load_document(ld, src, k);
}
