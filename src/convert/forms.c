/*
 * forms.c - the metadata-carrying forms: Kibana rule objects and
 * detection-rules TOML files (see convert.h).
 *
 * Design note.  meta.c builds the rule object (a JSON DOM) whatever the
 * rule's origin; this file prints it.  Kibana: the object on one line,
 * keys in the order they were built (a source object's own order first),
 * one object per rule so that several rules make an NDJSON file that
 * Kibana's import takes.  TOML: a detection-rules file, [metadata] then
 * [rule]; within a table its plain keys first, then its sub-tables
 * ([rule.x]) and arrays of tables ([[rule.threat]], as detection-rules
 * writes them); `query` is a multi-line literal string ('''), or a
 * multi-line basic one when the query itself holds ''' or characters a
 * literal string cannot; a null has no TOML form and is left out (Kibana
 * reads a null as absent).  A file name for -o DIR is made from the rule
 * id (or name) with every character outside [A-Za-z0-9._-] replaced, so
 * that it can never leave the folder.
 */
#include "convert/convert.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "convert/meta.h"

/* --- JSON --------------------------------------------------------------- */

static void
put_number(struct strbuf *out, const struct json_value *v)
{
	if (v->u.num.raw)
		sb_put(out, v->u.num.raw, v->u.num.rawlen ? v->u.num.rawlen
			: strlen(v->u.num.raw));
	else if (v->u.num.is_int)
		sb_printf(out, "%" PRId64, v->u.num.i);
	else
		sb_printf(out, "%.17g", v->u.num.d);
}

static void
put_json(struct strbuf *out, const struct json_value *v)
{
	size_t i;

	switch (v->type) {
	case JSON_NULL:
		sb_puts(out, "null");
		break;
	case JSON_BOOL:
		sb_puts(out, v->u.b ? "true" : "false");
		break;
	case JSON_NUMBER:
		put_number(out, v);
		break;
	case JSON_STRING:
		sb_putc(out, '"');
		sb_json_escape(out, v->u.str.s ? v->u.str.s : "", v->u.str.len);
		sb_putc(out, '"');
		break;
	case JSON_ARRAY:
		sb_putc(out, '[');
		for (i = 0; i < v->u.arr.n; i++) {
			if (i)
				sb_putc(out, ',');
			put_json(out, v->u.arr.items[i]);
		}
		sb_putc(out, ']');
		break;
	case JSON_OBJECT:
		sb_putc(out, '{');
		for (i = 0; i < v->u.obj.n; i++) {
			const struct json_member *m = &v->u.obj.members[i];

			if (i)
				sb_putc(out, ',');
			sb_putc(out, '"');
			sb_json_escape(out, m->key, m->keylen);
			sb_puts(out, "\":");
			put_json(out, m->value);
		}
		sb_putc(out, '}');
		break;
	}
}

void
conv_form_kibana(struct conv *c, const char *query, struct strbuf *out)
{
	struct json_value *o = conv_meta_elastic(c, query, false);

	if (!o) {
		out->oom = true;
		return;
	}
	put_json(out, o);
	sb_putc(out, '\n');
}

/* --- TOML --------------------------------------------------------------- */

static bool
bare_key(const char *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!((k[i] >= 'a' && k[i] <= 'z') ||
		      (k[i] >= 'A' && k[i] <= 'Z') ||
		      (k[i] >= '0' && k[i] <= '9') || k[i] == '_' ||
		      k[i] == '-'))
			return false;
	return n > 0;
}

/* The body of a TOML basic string; `ml`: a multi-line one, where a
 * newline stays a newline. */
static void
toml_escape(struct strbuf *out, const char *s, size_t n, bool ml)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		switch (ch) {
		case '"': sb_puts(out, "\\\""); break;
		case '\\': sb_puts(out, "\\\\"); break;
		case '\t': sb_puts(out, "\\t"); break;
		case '\r': sb_puts(out, "\\r"); break;
		case '\n': sb_puts(out, ml ? "\n" : "\\n"); break;
		default:
			if (ch < 0x20 || ch == 0x7f)
				sb_printf(out, "\\u%04x", ch);
			else
				sb_putc(out, (char)ch);
		}
	}
}

static void
put_key(struct strbuf *out, const char *k, size_t n)
{
	if (bare_key(k, n)) {
		sb_put(out, k, n);
	} else {
		sb_putc(out, '"');
		toml_escape(out, k, n, false);
		sb_putc(out, '"');
	}
}

/* Whether s can be a multi-line literal string: no ''' and no control
 * character but tab and newline. */
static bool
literal_ok(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if ((ch < 0x20 && ch != '\t' && ch != '\n') || ch == 0x7f)
			return false;
		if (ch == '\'' && i + 2 < n && s[i + 1] == '\'' &&
		    s[i + 2] == '\'')
			return false;
	}
	/* a quote just before the closing ''' would be read as content
	 * followed by a shorter delimiter: a newline always comes between */
	return true;
}

static void
put_string(struct strbuf *out, const char *s, size_t n, bool literal)
{
	if (literal && literal_ok(s, n)) {
		sb_puts(out, "'''\n");
		sb_put(out, s, n);
		sb_puts(out, "\n'''");
	} else if (n && memchr(s, '\n', n)) {
		sb_puts(out, "\"\"\"\n");
		toml_escape(out, s, n, true);
		sb_puts(out, "\"\"\"");
	} else {
		sb_putc(out, '"');
		toml_escape(out, s, n, false);
		sb_putc(out, '"');
	}
}

static void put_inline(struct strbuf *out, const struct json_value *v);

static void
put_inline(struct strbuf *out, const struct json_value *v)
{
	size_t i, k;

	switch (v->type) {
	case JSON_NULL:         /* only inside arrays: no TOML form */
		sb_puts(out, "\"\"");
		break;
	case JSON_BOOL:
		sb_puts(out, v->u.b ? "true" : "false");
		break;
	case JSON_NUMBER:
		put_number(out, v);
		break;
	case JSON_STRING:
		put_string(out, v->u.str.s ? v->u.str.s : "", v->u.str.len,
			   false);
		break;
	case JSON_ARRAY:
		sb_putc(out, '[');
		for (i = 0; i < v->u.arr.n; i++) {
			sb_puts(out, i ? ", " : "");
			put_inline(out, v->u.arr.items[i]);
		}
		sb_putc(out, ']');
		break;
	case JSON_OBJECT:
		sb_puts(out, "{");
		for (i = k = 0; i < v->u.obj.n; i++) {
			const struct json_member *m = &v->u.obj.members[i];

			if (m->value->type == JSON_NULL)
				continue;
			sb_puts(out, k++ ? ", " : " ");
			put_key(out, m->key, m->keylen);
			sb_puts(out, " = ");
			put_inline(out, m->value);
		}
		sb_puts(out, k ? " }" : "}");
		break;
	}
}

/* Whether v is a non-empty array of tables only. */
static bool
table_array(const struct json_value *v)
{
	size_t i;

	if (v->type != JSON_ARRAY || !v->u.arr.n)
		return false;
	for (i = 0; i < v->u.arr.n; i++)
		if (v->u.arr.items[i]->type != JSON_OBJECT)
			return false;
	return true;
}

/* The members of table t, named `path`: plain keys, then sub-tables and
 * arrays of tables under their headers. */
static void
put_table(struct strbuf *out, const char *path, const struct json_value *t)
{
	struct strbuf sub = STRBUF_INIT;
	size_t i, j;

	for (i = 0; i < t->u.obj.n; i++) {
		const struct json_member *m = &t->u.obj.members[i];

		if (m->value->type == JSON_NULL ||
		    m->value->type == JSON_OBJECT || table_array(m->value))
			continue;
		put_key(out, m->key, m->keylen);
		sb_puts(out, " = ");
		if (m->value->type == JSON_STRING)
			put_string(out, m->value->u.str.s, m->value->u.str.len,
				   strcmp(m->key, "query") == 0);
		else
			put_inline(out, m->value);
		sb_putc(out, '\n');
	}
	for (i = 0; i < t->u.obj.n; i++) {
		const struct json_member *m = &t->u.obj.members[i];
		bool arr = table_array(m->value);

		if (m->value->type != JSON_OBJECT && !arr)
			continue;
		sub.len = 0;
		sb_puts(&sub, path);
		sb_putc(&sub, '.');
		put_key(&sub, m->key, m->keylen);
		sb_putc(&sub, '\0');
		if (!arr) {
			sb_printf(out, "\n[%s]\n", sub.data);
			put_table(out, sub.data, m->value);
			continue;
		}
		for (j = 0; j < m->value->u.arr.n; j++) {
			sb_printf(out, "\n[[%s]]\n", sub.data);
			put_table(out, sub.data, m->value->u.arr.items[j]);
		}
	}
	sb_free(&sub);
}

void
conv_form_toml(struct conv *c, const char *query, struct strbuf *out)
{
	struct json_value *md, *o;
	bool placeholder;

	md = conv_meta_toml_table(c, &placeholder);
	o = conv_meta_elastic(c, query, true);
	if (!md || !o) {
		out->oom = true;
		return;
	}
	if (placeholder)
		sb_puts(out, "# rulec: the source rule has no dates: "
			     "creation_date and updated_date are placeholders\n");
	sb_puts(out, "[metadata]\n");
	put_table(out, "metadata", md);
	sb_puts(out, "\n[rule]\n");
	put_table(out, "rule", o);
}

/* --- file names ----------------------------------------------------------- */

/* s with every character outside [A-Za-z0-9._-] as '_', runs of them
 * folded, leading dots and separators dropped, at most 100 bytes;
 * NULL when nothing is left. */
static const char *
safe_name(struct arena *a, const char *s)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	while (*s == '.' || *s == '/' || *s == '\\' || *s == '_')
		s++;            /* no hidden file, no climbing */
	for (; *s && sb.len < 100; s++) {
		char ch = *s;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '.' || ch == '-' ||
			  ch == '_';

		if (!ok)
			ch = '_';
		if (ch == '_' && sb.len && sb.data[sb.len - 1] == '_')
			continue;
		sb_putc(&sb, ch);
	}
	while (sb.len && (sb.data[sb.len - 1] == '_' ||
			  sb.data[sb.len - 1] == '.'))
		sb.len--;
	r = sb.len ? arena_strndup(a, sb.data, sb.len) : NULL;
	sb_free(&sb);
	return r;
}

const char *
conv_file_name(struct conv *c, enum conv_form to)
{
	const struct rule_meta *m = &c->rule->meta;
	const char *base = NULL, *src = c->rule->src ? c->rule->src->name
						     : NULL;

	if (m->id)
		base = safe_name(c->arena, m->id);
	if (!base && m->name)
		base = safe_name(c->arena, m->name);
	if (!base && src) {
		const char *slash = strrchr(src, '/'), *dot;

		src = slash ? slash + 1 : src;
		dot = strrchr(src, '.');
		base = safe_name(c->arena, dot && dot > src
			? arena_strndup(c->arena, src, (size_t)(dot - src))
			: src);
	}
	return arena_printf(c->arena, "%s.%s", base ? base : "rule",
			    to == CONV_XML ? "xml" : to == CONV_TOML ? "toml"
				: to == CONV_KIBANA ? "ndjson" : "eql");
}
