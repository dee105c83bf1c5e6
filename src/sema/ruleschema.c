/*
 * ruleschema.c - the schema of a Kibana EQL rule object and the check of
 * rule objects against it (see ruleschema.h).
 *
 * Loading: each line of the schema file becomes a node, hung under the
 * node of its parent path (the file lists parents first).  Checking: one
 * recursive walk of the rule object beside the tree, building the key path
 * of the value at hand ("threat[0].tactic") for the messages.
 */
#include "sema/ruleschema.h"

#include <math.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/suggest.h"
#include "base/vec.h"

/* JSON types a key may have, a bit each; a node with none takes any. */
enum {
	T_STRING = 1, T_NUMBER = 2, T_INTEGER = 4, T_BOOLEAN = 8,
	T_ARRAY = 16, T_OBJECT = 32
};

static const struct { const char *name; unsigned bit; } type_names[] = {
	{ "string", T_STRING }, { "number", T_NUMBER },
	{ "integer", T_INTEGER }, { "boolean", T_BOOLEAN },
	{ "array", T_ARRAY }, { "object", T_OBJECT },
};

/* The constraints of a line: the names of the dr_only column. */
#define CONSTRAINT_LIST(X) \
	X(C_TYPE, "type") X(C_REQUIRED, "required") X(C_ENUM, "enum") \
	X(C_PATTERN, "pattern") X(C_MINIMUM, "minimum") \
	X(C_MAXIMUM, "maximum") X(C_MINLENGTH, "minLength") \
	X(C_MINITEMS, "minItems") X(C_MAXITEMS, "maxItems")

enum constraint {
#define X(e, s) e,
	CONSTRAINT_LIST(X)
#undef X
	C__COUNT
};

static const char *const constraint_names[] = {
#define X(e, s) s,
	CONSTRAINT_LIST(X)
#undef X
};

#define BIT(c) (1u << (c))

/* Which schema has a key: both, detection-rules' only (Kibana drops the
 * key), Kibana's only (detection-rules refuses it). */
enum known { K_BOTH, K_DR, K_KIBANA };

struct node {
	const char *name;       /* the key; "[]" an array's items; "*" any
	                           other key of an object */
	unsigned types;         /* T_ bits; 0: any type */
	bool required;          /* the parent object must have it */
	bool closed;            /* an object whose keys are all listed */
	enum known known;
	unsigned dr_only;       /* BIT(c) of the constraints only
	                           detection-rules has */
	unsigned owned;         /* BIT(c) of the constraints other checks
	                           report (C_TYPE: the JSON type; whether a
	                           number is whole is still checked here) */
	const char **enums;
	size_t nenums;
	const char *pattern, *form;
	regex_t *re;            /* compiled pattern, or NULL */
	bool has_min, has_max;
	double minimum, maximum;
	long minlen, minitems, maxitems;        /* -1: none */
	VEC(struct node *) kids;        /* sorted by name once loaded */
	struct node *items, *any;
};

struct rule_schema {
	struct arena arena;     /* nodes and their strings */
	struct node *root;
	VEC(regex_t *) res;     /* every compiled pattern, for regfree */
};

/* The constraints other checks report, by key path: the metadata record
 * (sema/meta.c, RC9003) types rule_id, name, severity, the *_override and
 * tiebreaker fields, risk_score, index and threat; missing-metadata
 * (RC7001) wants rule_id, name, severity and risk_score; bad-severity
 * (RC7002) and bad-risk-score (RC7003) judge their values; the loader
 * (driver/load.c) requires query and judges language (RC9003, RC9004);
 * the exception-list reader (sema/except.c, RC9201) types exceptions_list
 * and requires list_id and namespace_type, judging the latter. */
static const struct { const char *path; unsigned mask; } owned[] = {
	{ "rule_id", BIT(C_TYPE) | BIT(C_REQUIRED) },
	{ "name", BIT(C_TYPE) | BIT(C_REQUIRED) },
	{ "severity", BIT(C_TYPE) | BIT(C_REQUIRED) | BIT(C_ENUM) },
	{ "risk_score", BIT(C_TYPE) | BIT(C_REQUIRED) | BIT(C_MINIMUM) |
			BIT(C_MAXIMUM) },
	{ "query", BIT(C_TYPE) | BIT(C_REQUIRED) },
	{ "language", BIT(C_TYPE) | BIT(C_ENUM) },
	{ "event_category_override", BIT(C_TYPE) },
	{ "timestamp_override", BIT(C_TYPE) },
	{ "tiebreaker_field", BIT(C_TYPE) },
	{ "index", BIT(C_TYPE) },
	{ "index[]", BIT(C_TYPE) },
	{ "threat", BIT(C_TYPE) },
	{ "threat[]", BIT(C_TYPE) },
	{ "exceptions_list", BIT(C_TYPE) },
	{ "exceptions_list[]", BIT(C_TYPE) },
	{ "exceptions_list[].list_id", BIT(C_TYPE) | BIT(C_REQUIRED) },
	{ "exceptions_list[].namespace_type", BIT(C_TYPE) | BIT(C_REQUIRED) |
					      BIT(C_ENUM) },
};

/* --- loading ------------------------------------------------------------ */

struct loadctx {
	struct rule_schema *s;
	unsigned line;
	char *err;
	size_t errlen;
};

static bool
fail(struct loadctx *lc, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static bool
fail(struct loadctx *lc, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!lc->errlen)
		return false;
	n = snprintf(lc->err, lc->errlen, "line %u: ", lc->line);
	if (n < 0 || (size_t)n >= lc->errlen)
		return false;
	va_start(ap, fmt);
	vsnprintf(lc->err + n, lc->errlen - (size_t)n, fmt, ap);
	va_end(ap);
	return false;
}

static bool
is(const char *s, const char *word)
{
	return strcmp(s, word) == 0;
}

/* A kid of n by name (linear: used while loading, before sorting). */
static struct node *
kid_named(const struct node *n, const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < n->kids.n; i++)
		if (strlen(n->kids.v[i]->name) == len &&
		    memcmp(n->kids.v[i]->name, name, len) == 0)
			return n->kids.v[i];
	return NULL;
}

/* Finds the node of path[0..len) ("a", "a[]", "a.b", "a.*"); NULL if it
 * does not exist.  With `last`, the path's last step is not taken: *last
 * gets it ("[]", "*" or a key) and the parent node is returned. */
static struct node *
find_path(struct node *root, const char *path, size_t len, const char **last,
	  size_t *lastlen)
{
	struct node *n = root;
	size_t i = 0;

	if (len == 1 && path[0] == '.')
		return last ? NULL : root;
	while (i < len) {
		const char *step = path + i;
		size_t slen;

		if (path[i] == '[') {
			if (i + 1 >= len || path[i + 1] != ']')
				return NULL;
			slen = 2;
		} else {
			for (slen = 0; i + slen < len && path[i + slen] != '.' &&
			     path[i + slen] != '['; slen++)
				;
			if (!slen)
				return NULL;
		}
		i += slen;
		if (i < len && path[i] == '.')
			i++;
		if (last && i >= len) {
			*last = step;
			*lastlen = slen;
			return n;
		}
		if (slen == 2 && step[0] == '[')
			n = n->items;
		else if (slen == 1 && step[0] == '*')
			n = n->any;
		else
			n = kid_named(n, step, slen);
		if (!n)
			return NULL;
	}
	return n;
}

static bool
parse_types(struct loadctx *lc, struct node *n, char *col)
{
	char *save = NULL, *t;
	size_t i;

	if (is(col, "-"))
		return true;
	for (t = strtok_r(col, "|", &save); t; t = strtok_r(NULL, "|", &save)) {
		for (i = 0; i < sizeof type_names / sizeof *type_names; i++)
			if (is(t, type_names[i].name))
				break;
		if (i == sizeof type_names / sizeof *type_names)
			return fail(lc, "unknown type '%s'", t);
		n->types |= type_names[i].bit;
	}
	return true;
}

static bool
parse_enum(struct loadctx *lc, struct node *n, char *col)
{
	struct arena *a = &lc->s->arena;
	size_t k = 1, i;
	char *p;

	if (is(col, "-"))
		return true;
	for (p = col; *p; p++)
		k += *p == '|';
	n->enums = ARENA_NEWV(a, const char *, k);
	if (!n->enums)
		return fail(lc, "out of memory");
	for (p = col, i = 0; i < k; i++) {
		char *bar = strchr(p, '|');
		size_t m = bar ? (size_t)(bar - p) : strlen(p);

		if (!m)
			return fail(lc, "empty enum value");
		if (!(n->enums[i] = arena_strndup(a, p, m)))
			return fail(lc, "out of memory");
		p += m + (bar != NULL);
	}
	n->nenums = k;
	return true;
}

static bool
parse_pattern(struct loadctx *lc, struct node *n, const char *col)
{
	struct rule_schema *s = lc->s;
	regex_t *re;

	if (is(col, "-"))
		return true;
	if (!(n->pattern = arena_strdup(&s->arena, col)) ||
	    !(re = malloc(sizeof *re)))
		return fail(lc, "out of memory");
	if (regcomp(re, col, REG_EXTENDED | REG_NOSUB) != 0) {
		free(re);
		return fail(lc, "pattern '%s' does not compile", col);
	}
	if (vec_push(&s->res, re) < 0) {
		regfree(re);
		free(re);
		return fail(lc, "out of memory");
	}
	n->re = re;
	return true;
}

/* A bound column: "-" or a decimal number. */
static bool
parse_bound(struct loadctx *lc, const char *col, bool *has, double *d)
{
	char *end;

	if (is(col, "-"))
		return true;
	*d = strtod(col, &end);
	if (end == col || *end)
		return fail(lc, "bad number '%s'", col);
	*has = true;
	return true;
}

static bool
parse_count(struct loadctx *lc, const char *col, long *v)
{
	char *end;

	*v = -1;
	if (is(col, "-"))
		return true;
	*v = strtol(col, &end, 10);
	if (end == col || *end || *v < 0)
		return fail(lc, "bad count '%s'", col);
	return true;
}

static bool
parse_dr_only(struct loadctx *lc, struct node *n, char *col)
{
	char *save = NULL, *t;
	unsigned c;

	if (is(col, "-"))
		return true;
	for (t = strtok_r(col, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		for (c = 0; c < C__COUNT; c++)
			if (is(t, constraint_names[c]))
				break;
		if (c == C__COUNT)
			return fail(lc, "unknown constraint '%s'", t);
		n->dr_only |= BIT(c);
	}
	return true;
}

/* Hangs n under its parent as `step` (a key, "[]" or "*"). */
static bool
attach(struct loadctx *lc, struct node *parent, struct node *n,
       const char *step, size_t slen)
{
	struct arena *a = &lc->s->arena;

	if (slen == 2 && step[0] == '[') {
		if (parent->items)
			return fail(lc, "items given twice");
		parent->items = n;
		n->name = "[]";
		return true;
	}
	if (slen == 1 && step[0] == '*') {
		if (parent->any)
			return fail(lc, "'*' given twice");
		parent->any = n;
		n->name = "*";
		return true;
	}
	if (kid_named(parent, step, slen))
		return fail(lc, "key path given twice");
	if (!(n->name = arena_strndup(a, step, slen)) ||
	    vec_push_in(&parent->kids, a, n) < 0)
		return fail(lc, "out of memory");
	return true;
}

/* One line: path and the 13 columns of the format. */
static bool
load_line(struct loadctx *lc, char *line)
{
	enum { NCOLS = 14 };
	char *col[NCOLS], *p = line;
	struct node *n, *parent;
	const char *step = NULL;
	size_t i, slen = 0;

	for (i = 0; i < NCOLS; i++) {
		col[i] = p;
		p = strchr(p, '\t');
		if (!p && i + 1 < NCOLS)
			return fail(lc, "expected %d tab-separated columns, "
				    "found %zu", NCOLS, i + 1);
		if (p)
			*p++ = '\0';
	}
	if (p)
		return fail(lc, "more than %d columns", NCOLS);
	n = ARENA_NEW(&lc->s->arena, struct node);
	if (!n)
		return fail(lc, "out of memory");
	n->minlen = n->minitems = n->maxitems = -1;
	if (is(col[0], ".")) {
		if (lc->s->root)
			return fail(lc, "the rule object given twice");
		lc->s->root = n;
		n->name = ".";
	} else {
		if (!lc->s->root)
			return fail(lc, "'%s' before the rule object", col[0]);
		parent = find_path(lc->s->root, col[0], strlen(col[0]), &step,
				   &slen);
		if (!parent)
			return fail(lc, "'%s' comes before its parent", col[0]);
		if (!attach(lc, parent, n, step, slen))
			return false;
	}
	if (!parse_types(lc, n, col[1]))
		return false;
	if (!is(col[2], "yes") && !is(col[2], "-"))
		return fail(lc, "required must be yes or -");
	n->required = is(col[2], "yes");
	if (!parse_enum(lc, n, col[3]) || !parse_pattern(lc, n, col[4]))
		return false;
	if (!is(col[5], "-") &&
	    !(n->form = arena_strdup(&lc->s->arena, col[5])))
		return fail(lc, "out of memory");
	if (!parse_bound(lc, col[6], &n->has_min, &n->minimum) ||
	    !parse_bound(lc, col[7], &n->has_max, &n->maximum) ||
	    !parse_count(lc, col[8], &n->minlen) ||
	    !parse_count(lc, col[9], &n->minitems) ||
	    !parse_count(lc, col[10], &n->maxitems))
		return false;
	if (!is(col[11], "closed") && !is(col[11], "open") &&
	    !is(col[11], "-"))
		return fail(lc, "keys must be closed, open or -");
	n->closed = is(col[11], "closed");
	if (is(col[12], "both"))
		n->known = K_BOTH;
	else if (is(col[12], "dr"))
		n->known = K_DR;
	else if (is(col[12], "kibana"))
		n->known = K_KIBANA;
	else
		return fail(lc, "known must be both, dr or kibana");
	return parse_dr_only(lc, n, col[13]);
}

static int
by_name(const void *x, const void *y)
{
	const struct node *a = *(const struct node *const *)x;
	const struct node *b = *(const struct node *const *)y;

	return strcmp(a->name, b->name);
}

static void
sort_kids(struct node *n)
{
	size_t i;

	if (!n)
		return;
	if (n->kids.n)
		qsort(n->kids.v, n->kids.n, sizeof *n->kids.v, by_name);
	for (i = 0; i < n->kids.n; i++)
		sort_kids(n->kids.v[i]);
	sort_kids(n->items);
	sort_kids(n->any);
}

/* Marks what other checks report (the `owned` table). */
static void
mark_owned(struct rule_schema *s)
{
	size_t i;

	for (i = 0; i < sizeof owned / sizeof *owned; i++) {
		struct node *n = find_path(s->root, owned[i].path,
					   strlen(owned[i].path), NULL, NULL);
		if (n)
			n->owned |= owned[i].mask;
	}
}

struct rule_schema *
rule_schema_new(const char *text, size_t len, char *err, size_t errlen)
{
	struct rule_schema *s = calloc(1, sizeof *s);
	struct loadctx lc = { s, 0, err, errlen };
	size_t off = 0;
	char *line = NULL;
	bool ok = true;

	if (errlen)
		err[0] = '\0';
	if (!s) {
		if (errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	arena_init(&s->arena, NULL);
	while (ok && off < len) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - text) : len, n = end - off;

		lc.line++;
		if (n && text[end - 1] == '\r')
			n--;
		if (n && text[off] != '#') {
			free(line);
			if (!(line = malloc(n + 1))) {
				ok = fail(&lc, "out of memory");
				break;
			}
			memcpy(line, text + off, n);
			line[n] = '\0';
			ok = load_line(&lc, line);
		}
		off = end + 1;
	}
	free(line);
	if (ok && !s->root)
		ok = fail(&lc, "no line for the rule object '.'");
	if (ok && s->arena.oom)
		ok = fail(&lc, "out of memory");
	if (!ok) {
		rule_schema_free(s);
		return NULL;
	}
	sort_kids(s->root);
	mark_owned(s);
	return s;
}

void
rule_schema_free(struct rule_schema *s)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->res.n; i++) {
		regfree(s->res.v[i]);
		free(s->res.v[i]);
	}
	vec_free(&s->res);
	arena_release(&s->arena);
	free(s);
}

/* --- checking ----------------------------------------------------------- */

struct walk {
	struct diag_sink *diags;
	struct arena *a;
	const struct rc_text *doc;
	char path[256];         /* of the value at hand: "threat[0].tactic" */
	size_t plen;
};

/* A kid of n by key (binary search over the sorted kids). */
static const struct node *
kid(const struct node *n, const char *key, size_t len)
{
	size_t lo = 0, hi = n->kids.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		const char *name = n->kids.v[mid]->name;
		int c = strncmp(name, key, len);

		if (c == 0)
			c = name[len] != '\0';
		if (c == 0)
			return n->kids.v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* Appends ".key" (or "key" at the top) or "[i]" to the path; returns the
 * length to go back to. */
static size_t
push_key(struct walk *w, const char *key)
{
	size_t old = w->plen, room = sizeof w->path - w->plen;
	int n = snprintf(w->path + w->plen, room, "%s%s", old ? "." : "", key);

	w->plen = n < 0 || (size_t)n >= room ? old : old + (size_t)n;
	w->path[w->plen] = '\0';
	return old;
}

static size_t
push_index(struct walk *w, size_t i)
{
	size_t old = w->plen, room = sizeof w->path - w->plen;
	int n = snprintf(w->path + w->plen, room, "[%zu]", i);

	w->plen = n < 0 || (size_t)n >= room ? old : old + (size_t)n;
	w->path[w->plen] = '\0';
	return old;
}

static void
pop(struct walk *w, size_t old)
{
	w->plen = old;
	w->path[old] = '\0';
}

static struct span
span_of(const struct json_value *v)
{
	return span_make(v->start, v->end);
}

/* Which check a violation of constraint c of n is: Kibana's (RC7101) or
 * detection-rules' alone (RC7104); `dr` says the value is under a key
 * that Kibana drops. */
static enum diag_id
level(const struct node *n, enum constraint c, bool dr)
{
	return dr || n->known == K_DR || (n->dr_only & BIT(c))
	       ? D_DR_SCHEMA : D_KIBANA_SCHEMA;
}

/* Starts a finding (NULL when its check is off); RC7104's messages say
 * whose rule it is. */
static struct diag *
finding(struct walk *w, enum diag_id id, struct span sp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static struct diag *
finding(struct walk *w, enum diag_id id, struct span sp, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	if (w->diags->level[id] == SEV_OFF)
		return NULL;
	va_start(ap, fmt);
	msg = arena_vprintf(w->a, fmt, ap);
	va_end(ap);
	if (!msg)
		return NULL;
	return diag_new(w->diags, id, w->doc, sp, "%s%s",
			id == D_DR_SCHEMA ? "detection-rules' schema: " : "",
			msg);
}

/* "a string", "a whole number or a string", ... */
static void
want_types(struct strbuf *sb, unsigned types)
{
	static const struct { unsigned bit; const char *text; } words[] = {
		{ T_STRING, "a string" }, { T_INTEGER, "a whole number" },
		{ T_NUMBER, "a number" }, { T_BOOLEAN, "true or false" },
		{ T_ARRAY, "a list" }, { T_OBJECT, "an object" },
	};
	size_t i, k = 0;

	if (types & T_NUMBER)
		types &= ~(unsigned)T_INTEGER;
	for (i = 0; i < sizeof words / sizeof *words; i++)
		if (types & words[i].bit)
			sb_printf(sb, "%s%s", k++ ? " or " : "", words[i].text);
}

/* "\"s\", \"m\" or \"h\"" */
static void
enum_list(struct strbuf *sb, const struct node *n)
{
	size_t i;

	for (i = 0; i < n->nenums; i++)
		sb_printf(sb, "%s\"%s\"", i == 0 ? ""
			  : i + 1 == n->nenums ? " or " : ", ", n->enums[i]);
}

/* The path for a message: the key path, or "the rule" at the top. */
static const char *
where(const struct walk *w)
{
	return w->plen ? w->path : "the rule";
}

/* The same quoted: "'threat[0]'", or "the rule". */
static const char *
whose(const struct walk *w)
{
	const char *s = w->plen ? arena_printf(w->a, "'%s'", w->path) : NULL;

	return s ? s : "the rule";
}

/* Does v have one of n's types? */
static bool
type_ok(const struct node *n, const struct json_value *v)
{
	switch (v->type) {
	case JSON_STRING: return n->types & T_STRING;
	case JSON_NUMBER: return n->types & (T_NUMBER | T_INTEGER);
	case JSON_BOOL: return n->types & T_BOOLEAN;
	case JSON_ARRAY: return n->types & T_ARRAY;
	case JSON_OBJECT: return n->types & T_OBJECT;
	default: return true;
	}
}

/* Checks the type; false when v's type is wrong (nothing more to check). */
static bool
check_type(struct walk *w, const struct node *n, const struct json_value *v,
	   bool dr)
{
	struct strbuf sb = STRBUF_INIT;
	struct diag *d = NULL;
	double x;

	if (!n->types)
		return true;
	if (!type_ok(n, v)) {
		if (n->owned & BIT(C_TYPE))
			return false;
		want_types(&sb, n->types);
		d = finding(w, level(n, C_TYPE, dr), span_of(v),
			    "'%s' must be %s, not %s", where(w),
			    sb.data ? sb.data : "?", json_type_name(v->type));
		sb_free(&sb);
		diag_emit(w->diags, d);
		return false;
	}
	if (v->type != JSON_NUMBER || !(n->types & T_INTEGER) ||
	    (n->types & T_NUMBER))
		return true;
	x = v->u.num.d;
	if (isfinite(x) && x == floor(x))
		return true;
	d = finding(w, level(n, C_TYPE, dr), span_of(v),
		    "'%s' must be a whole number, not %s", where(w),
		    v->u.num.raw);
	if (isfinite(x) && fabs(x) < 1e15)
		diag_help(w->diags, d, "write %.0f or %.0f", floor(x),
			  ceil(x));
	diag_emit(w->diags, d);
	return false;
}

/* A string value as a message shows it: quoted, escaped as in JSON, and
 * cut after 60 bytes (at a character boundary) with "...". */
static const char *
shown(struct walk *w, const char *s, size_t len)
{
	struct strbuf sb = STRBUF_INIT;
	size_t n = len;
	char *out;

	if (n > 60) {
		n = 60;
		while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
			n--;
	}
	sb_putc(&sb, '"');
	sb_json_escape(&sb, s, n);
	sb_puts(&sb, n < len ? "...\"" : "\"");
	out = sb.data && !sb.oom ? arena_strdup(w->a, sb.data) : NULL;
	sb_free(&sb);
	return out ? out : "\"...\"";
}

/* Characters (code points) of a UTF-8 string. */
static size_t
utf8_length(const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++)
		n += ((unsigned char)s[i] & 0xC0) != 0x80;
	return n;
}

static void
check_string(struct walk *w, const struct node *n, const struct json_value *v,
	     bool dr)
{
	const char *s = v->u.str.s;
	size_t len = v->u.str.len, i;
	struct strbuf sb = STRBUF_INIT;
	struct diag *d;

	if (n->nenums && !(n->owned & BIT(C_ENUM))) {
		struct suggest sg;

		for (i = 0; i < n->nenums; i++)
			if (strlen(n->enums[i]) == len &&
			    memcmp(n->enums[i], s, len) == 0)
				break;
		if (i == n->nenums) {
			enum_list(&sb, n);
			d = finding(w, level(n, C_ENUM, dr), span_of(v),
				    "'%s' must be %s, not %s", where(w),
				    sb.data ? sb.data : "?", shown(w, s, len));
			suggest_init(&sg, s, len, true);
			for (i = 0; i < n->nenums; i++)
				suggest_add(&sg, n->enums[i],
					    strlen(n->enums[i]));
			if (suggest_best(&sg))
				diag_help(w->diags, d, "write \"%s\"",
					  suggest_best(&sg));
			diag_emit(w->diags, d);
			sb_free(&sb);
		}
	}
	/* a NUL inside the string never matches: the patterns are anchored
	 * and none allows one */
	if (n->re && !(n->owned & BIT(C_PATTERN)) &&
	    (strlen(s) != len || regexec(n->re, s, 0, NULL, 0) != 0)) {
		if (n->form)
			d = finding(w, level(n, C_PATTERN, dr), span_of(v),
				    "'%s' must be %s, not %s", where(w),
				    n->form, shown(w, s, len));
		else
			d = finding(w, level(n, C_PATTERN, dr), span_of(v),
				    "'%s' must match %s, not %s", where(w),
				    n->pattern, shown(w, s, len));
		diag_emit(w->diags, d);
	}
	if (n->minlen > 0 && !(n->owned & BIT(C_MINLENGTH)) &&
	    utf8_length(s, len) < (size_t)n->minlen) {
		if (n->minlen == 1)
			d = finding(w, level(n, C_MINLENGTH, dr), span_of(v),
				    "'%s' must not be empty", where(w));
		else
			d = finding(w, level(n, C_MINLENGTH, dr), span_of(v),
				    "'%s' must be at least %ld characters long",
				    where(w), n->minlen);
		diag_emit(w->diags, d);
	}
}

static void
check_number(struct walk *w, const struct node *n, const struct json_value *v,
	     bool dr)
{
	struct diag *d = NULL;
	double x = v->u.num.d;

	if (n->has_min && x < n->minimum && !(n->owned & BIT(C_MINIMUM)))
		d = finding(w, level(n, C_MINIMUM, dr), span_of(v),
			    "'%s' must be at least %g, not %s", where(w),
			    n->minimum, v->u.num.raw);
	else if (n->has_max && x > n->maximum &&
		 !(n->owned & BIT(C_MAXIMUM)))
		d = finding(w, level(n, C_MAXIMUM, dr), span_of(v),
			    "'%s' must be at most %g, not %s", where(w),
			    n->maximum, v->u.num.raw);
	diag_emit(w->diags, d);
}

static void check_value(struct walk *w, const struct node *n,
			const struct json_value *v, struct span anchor,
			bool dr);

static void
check_array(struct walk *w, const struct node *n, const struct json_value *v,
	    bool dr)
{
	size_t i, count = v->u.arr.n, old;
	struct diag *d = NULL;

	if (n->minitems >= 0 && count < (size_t)n->minitems)
		d = finding(w, level(n, C_MINITEMS, dr), span_of(v),
			    "'%s' must have at least %ld item%s, not %zu",
			    where(w), n->minitems, n->minitems == 1 ? "" : "s",
			    count);
	else if (n->maxitems >= 0 && count > (size_t)n->maxitems)
		d = finding(w, level(n, C_MAXITEMS, dr), span_of(v),
			    "'%s' may have at most %ld item%s, not %zu",
			    where(w), n->maxitems, n->maxitems == 1 ? "" : "s",
			    count);
	diag_emit(w->diags, d);
	if (!n->items)
		return;
	for (i = 0; i < count; i++) {
		const struct json_value *e = v->u.arr.items[i];

		old = push_index(w, i);
		check_value(w, n->items, e, span_make(e->start, e->start + 1),
			    dr);
		pop(w, old);
	}
}

/* A member present and not null. */
static bool
has_member(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type != JSON_NULL;
}

/* A key of n close to key[0..len), or NULL. */
static const char *
close_key(const struct node *n, const char *key, size_t len)
{
	struct suggest sg;
	size_t i;

	suggest_init(&sg, key, len, true);
	for (i = 0; i < n->kids.n; i++)
		suggest_add(&sg, n->kids.v[i]->name,
			    strlen(n->kids.v[i]->name));
	return suggest_best(&sg);
}

/* What to write for a missing key: its one allowed value, its form, or
 * its type. */
static void
add_hint(struct strbuf *sb, const struct node *k)
{
	sb_printf(sb, "\"%s\"", k->name);
	if (k->nenums == 1)
		sb_printf(sb, ": \"%s\"", k->enums[0]);
	else if (k->nenums) {
		sb_puts(sb, " (");
		enum_list(sb, k);
		sb_puts(sb, ")");
	} else if (k->form) {
		sb_printf(sb, " (%s)", k->form);
	} else if (k->types == T_ARRAY && k->items &&
		   k->items->types == T_STRING) {
		sb_puts(sb, " (a list of strings)");
	} else if (k->types) {
		sb_puts(sb, " (");
		want_types(sb, k->types);
		sb_puts(sb, ")");
	}
}

/* A missing required key k of object obj whose member i (a key nobody
 * knows, `unknown[i]` the known key it is close to) looks like a
 * misspelling of k: one finding that says to rename it; the member is
 * then not reported again.  False when no member is close to k. */
static bool
misspelt_key(struct walk *w, const struct node *k,
	     const struct json_value *obj, const char **unknown,
	     struct span anchor, bool dr)
{
	enum diag_id id = level(k, C_REQUIRED, dr);
	size_t i;
	struct diag *d;

	if (id == D_KIBANA_SCHEMA && w->plen == 0)
		id = D_KIBANA_REQUIRED;
	/* with that check off, the member stays an unknown key (RC7102) */
	if (w->diags->level[id] == SEV_OFF)
		return false;
	for (i = 0; unknown && i < obj->u.obj.n; i++) {
		const struct json_member *m = &obj->u.obj.members[i];

		if (!unknown[i] || strcmp(unknown[i], k->name) != 0)
			continue;
		d = finding(w, id, anchor, "%s has no '%s'%s", whose(w),
			    k->name, id == D_KIBANA_SCHEMA ? ", which Kibana "
			    "requires" : id == D_KIBANA_REQUIRED ? ", which "
			    "Kibana's import requires" : "");
		diag_note(w->diags, d, w->doc,
			  span_make(m->key_start, m->key_end),
			  "'%s' is written here", m->key);
		diag_help(w->diags, d, "rename '%s' to '%s'", m->key,
			  k->name);
		diag_emit(w->diags, d);
		unknown[i] = NULL;
		return true;
	}
	return false;
}

/* The required keys of n that obj lacks, one finding per check: Kibana's
 * (RC7101; at the top RC7103, off by default) and detection-rules' alone
 * (RC7104). */
static void
missing_keys(struct walk *w, const struct node *n,
	     const struct json_value *obj, const char **unknown,
	     struct span anchor, bool dr)
{
	static const enum diag_id ids[] = { D_KIBANA_SCHEMA, D_DR_SCHEMA };
	/* (a rule object has about ten required keys: more are not listed) */
	const struct node *list[32];
	size_t i, j;
	for (j = 0; j < sizeof ids / sizeof *ids; j++) {
		struct strbuf miss = STRBUF_INIT, add = STRBUF_INIT;
		enum diag_id id = ids[j];
		size_t nmiss = 0;
		struct diag *d;

		for (i = 0; i < n->kids.n; i++) {
			const struct node *k = n->kids.v[i];

			if (k->required && !(k->owned & BIT(C_REQUIRED)) &&
			    level(k, C_REQUIRED, dr) == id &&
			    !has_member(obj, k->name) &&
			    !misspelt_key(w, k, obj, unknown, anchor, dr) &&
			    nmiss < sizeof list / sizeof *list)
				list[nmiss++] = k;
		}
		for (i = 0; i < nmiss; i++) {
			if (i)
				sb_puts(&miss, i + 1 == nmiss ? " or " : ", ");
			sb_printf(&miss, "'%s'", list[i]->name);
			if (i)
				sb_puts(&add, ", ");
			add_hint(&add, list[i]);
		}
		if (!nmiss)
			continue;
		if (id == D_KIBANA_SCHEMA && w->plen == 0)
			d = finding(w, D_KIBANA_REQUIRED, anchor, "the rule has "
				    "no %s, which Kibana's import requires",
				    miss.data ? miss.data : "");
		else if (id == D_KIBANA_SCHEMA)
			d = finding(w, id, anchor, "%s has no %s, which Kibana "
				    "requires", whose(w),
				    miss.data ? miss.data : "");
		else
			d = finding(w, id, anchor, "%s has no %s", whose(w),
				    miss.data ? miss.data : "");
		diag_help(w->diags, d, "add %s", add.data ? add.data : "");
		diag_emit(w->diags, d);
		sb_free(&miss);
		sb_free(&add);
	}
}

/* The members of an object: each against its key's node (or the node of
 * any other key), then the required keys, then the keys nobody knows.
 * (No scratch rollback here: the diagnostics live in the same arena.) */
static void
check_object(struct walk *w, const struct node *n, const struct json_value *v,
	     struct span anchor, bool dr)
{
	size_t i, nm = v->u.obj.n, old;
	const char *room[32], **unknown = NULL;
	struct diag *d;

	if (n->closed && nm)
		unknown = nm <= sizeof room / sizeof *room ? room
			  : ARENA_NEWV(w->a, const char *, nm);
	if (unknown)
		memset(unknown, 0, nm * sizeof *unknown);
	for (i = 0; i < nm; i++) {
		const struct json_member *m = &v->u.obj.members[i];
		struct span ks = span_make(m->key_start, m->key_end);
		const struct node *k;

		/* a key with a NUL in it (\u0000) is no key of any schema */
		if (strlen(m->key) != m->keylen)
			continue;
		k = kid(n, m->key, m->keylen);
		if (!k && !n->any) {
			if (!n->closed)
				continue;
			/* a key nobody knows: RC7102 when it is close to a
			 * known one (below), else detection-rules' alone */
			if (unknown)
				unknown[i] = close_key(n, m->key, m->keylen);
			if (!unknown || !unknown[i]) {
				d = finding(w, D_DR_SCHEMA, ks, "'%s' is not a "
					    "key of %s", m->key, whose(w));
				diag_emit(w->diags, d);
			}
			continue;
		}
		if (k && k->known == K_KIBANA && n->closed) {
			d = finding(w, D_DR_SCHEMA, ks, "'%s' is not a key of "
				    "%s (Kibana's own key)", m->key, whose(w));
			diag_emit(w->diags, d);
		}
		old = push_key(w, m->key);
		check_value(w, k ? k : n->any, m->value, ks,
			    dr || (k && k->known == K_DR));
		pop(w, old);
	}
	missing_keys(w, n, v, unknown, anchor, dr);
	for (i = 0; unknown && i < nm; i++) {
		const struct json_member *m = &v->u.obj.members[i];

		if (!unknown[i])
			continue;
		d = finding(w, D_UNKNOWN_RULE_KEY,
			    span_make(m->key_start, m->key_end),
			    "'%s' is not a key of %s: Kibana ignores it", m->key,
			    whose(w));
		diag_help(w->diags, d, "did you mean '%s'?", unknown[i]);
		diag_emit(w->diags, d);
	}
}

/* v against n; `anchor` is where a key missing from v is reported (the
 * key that holds v, or v's first byte). */
static void
check_value(struct walk *w, const struct node *n, const struct json_value *v,
	    struct span anchor, bool dr)
{
	if (v->type == JSON_NULL || !check_type(w, n, v, dr))
		return;
	switch (v->type) {
	case JSON_STRING:
		check_string(w, n, v, dr);
		break;
	case JSON_NUMBER:
		check_number(w, n, v, dr);
		break;
	case JSON_ARRAY:
		check_array(w, n, v, dr);
		break;
	case JSON_OBJECT:
		check_object(w, n, v, anchor, dr);
		break;
	default:
		break;
	}
}

void
rule_schema_check(const struct rule_schema *s, struct diag_sink *diags,
		  struct arena *a, const struct rc_text *doc,
		  const struct json_value *obj)
{
	struct walk w;
	const struct json_value *type = json_get(obj, "type");

	if (!s || !obj || obj->type != JSON_OBJECT)
		return;
	/* a hunting query is run by hand, not imported as a rule */
	if (type && type->type == JSON_STRING &&
	    strcmp(type->u.str.s, "hunt") == 0)
		return;
	memset(&w, 0, sizeof w);
	w.diags = diags;
	w.a = a;
	w.doc = doc;
	check_value(&w, s->root, obj, span_make(obj->start, obj->start + 1),
		    false);
}
