/*
 * performance.c - the performance family (RC6003-RC6006): regexes that are
 * wildcards, leading wildcards, a first sequence stage that accepts almost
 * every event, and ESET `contains` where an affix relation would do.
 * (RC6001 and RC6002, wildcards where they are not wildcards, are logic
 * checks now: logic_stars.c.)
 *
 * The checks walk every condition of the query (stages and until).  The
 * EQL-only one (regex semantics are Elasticsearch's) skips ESET rules,
 * whose relations are lowered to calls and exact comparisons with no
 * wildcard meaning at all.
 */
#include "check/toolbox.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "print/print.h"

struct perf {
	struct check_ctx *cc;
	const struct rc_rule *r;
};

/* --- RC6003: regexes that are wildcards ----------------------------------- */

/* Lucene regex operators (the ES regexp syntax with all optional
 * operators); any other byte stands for itself. */
static bool
regex_meta(char c)
{
	return strchr(".?+*|{}[]()\"\\#@&<>~^$", c) != NULL;
}

/* The wildcard pattern for a regex made only of literal characters,
 * escaped metacharacters and `.*` runs, or NULL.  Elasticsearch regexes
 * are anchored, as wildcard patterns are.  A literal * or ? has no
 * wildcard spelling, so such regexes are left alone. */
static char *
regex_to_wildcard(struct check_ctx *cc, const char *s, size_t n,
		  size_t *outlen)
{
	char *w = arena_alloc(cc->arena, n + 1);
	size_t i, k = 0;

	if (!w)
		return NULL;
	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.' && i + 1 < n && s[i + 1] == '*') {
			if (!k || w[k - 1] != '*')
				w[k++] = '*';
			i++;
		} else if (c == '\\' && i + 1 < n && regex_meta(s[i + 1])) {
			c = s[++i];
			if (c == '*' || c == '?')
				return NULL;
			w[k++] = c;
		} else if (regex_meta(c) || c == '\0') {
			return NULL;
		} else {
			w[k++] = c;
		}
	}
	w[k] = '\0';
	*outlen = k;
	return w;
}

static void
regex_wildcard(struct perf *p, const struct ir_expr *e)
{
	const struct ir_expr *f = e->u.match.l;
	struct strbuf sb = STRBUF_INIT;
	const char *op;
	bool star = false;
	struct span sp;
	struct diag *d;
	size_t i, len;

	if (!f || !e->u.match.n)
		return;
	for (i = 0; i < e->u.match.n; i++) {
		const struct ir_value *v = &e->u.match.v[i];
		char *w;

		if (v->type != VT_STRING || !v->u.s.len ||
		    !(w = regex_to_wildcard(p->cc, v->u.s.s, v->u.s.len,
					    &len))) {
			sb_free(&sb);
			return;
		}
		if (i)
			sb_puts(&sb, ", ");
		star |= memchr(w, '*', len) != NULL;
		print_string(&sb, LANG_EQL, w, len);
	}
	sp = span_join(e->u.match.v[0].span,
		       e->u.match.v[e->u.match.n - 1].span);
	d = diag_new(p->cc->diags, D_REGEX_AS_WILDCARD, &p->r->text, sp,
		     "%s %s", e->u.match.n == 1 ? "this regex is"
						: "these regexes are",
		     star ? (e->u.match.n == 1 ? "a wildcard pattern"
					       : "wildcard patterns")
			  : "plain text");
	/* without a `.*` the regex is plain text: an exact comparison */
	if (e->u.match.ci)
		op = ":";
	else if (star)
		op = "like";
	else
		op = e->u.match.n > 1 ? "in" : "==";
	diag_help(p->cc->diags, d, "write '%.*s %s %s%s%s'",
		  SPAN_ARGS(p->r, f->span), op, e->u.match.n > 1 ? "(" : "",
		  sb.data ? sb.data : "", e->u.match.n > 1 ? ")" : "");
	diag_emit(p->cc->diags, d);
	sb_free(&sb);
}

/* --- RC6004: leading wildcards -------------------------------------------- */

static void
leading_wildcard(struct perf *p, const struct ir_expr *e)
{
	size_t i;

	for (i = 0; i < e->u.match.n; i++) {
		const struct ir_value *v = &e->u.match.v[i];

		if (v->type != VT_STRING || !v->u.s.len ||
		    (v->u.s.s[0] != '*' && v->u.s.s[0] != '?'))
			continue;
		diag_report(p->cc->diags, D_LEADING_WILDCARD, &p->r->text,
			    v->span, "the pattern %s starts with a wildcard, "
			    "so the search must scan every value of the field",
			    check_quoted(p->cc->arena, LANG_EQL, v->u.s.s, v->u.s.len));
	}
}

/* --- RC6006: ESET contains where ends or starts would do ------------------ */

static bool
path_sep(char c)
{
	return c == '\\' || c == '/';
}

/* ".exe", ".ps1", ".7z": a dot and one to four letters or digits, with at
 * least one letter, ending the value. */
static bool
ext_suffix(const char *s, size_t n)
{
	size_t i, k = 0;
	bool alpha = false;

	for (i = n; i > 0 && isalnum((unsigned char)s[i - 1]) && k < 5; i--) {
		k++;
		alpha |= isalpha((unsigned char)s[i - 1]) != 0;
	}
	return k >= 1 && k <= 4 && alpha && i > 0 && s[i - 1] == '.';
}

/* The property part of an ESET field's written name (FileItem.FullPath:
 * FullPath), or "". */
static const char *
eset_property(const struct ir_expr *f)
{
	const char *dot;

	if (!f || f->kind != IR_FIELD || !f->u.f.src_name)
		return "";
	dot = strrchr(f->u.f.src_name, '.');
	return dot ? dot + 1 : f->u.f.src_name;
}

/* The relation that would do instead of contains, or NULL.  Only for
 * properties that hold a path or a file name, whose values have a known
 * shape: a path starts with a drive, and a full path or a file name ends
 * with the file's extension.  A value that merely starts with a separator
 * ("\Temp\evil") may be a folder in the middle of the path, and command
 * lines, URLs and the like have no such shape ("/urlcache", "mega.io"), so
 * they are left alone. */
static const char *
affix_relation(const char *prop, const char *s, size_t n)
{
	bool drive = n >= 3 && isalpha((unsigned char)s[0]) && s[1] == ':' &&
		     path_sep(s[2]);
	bool full = strcmp(prop, "FullPath") == 0;
	bool name = strcmp(prop, "FileName") == 0 ||
		    strcmp(prop, "OriginalFileName") == 0;

	if (drive && (full || strcmp(prop, "Path") == 0))
		return "starts";
	if ((full || name) && ext_suffix(s, n))
		return "ends";
	return NULL;
}

static void
eset_contains(struct perf *p, const struct ir_expr *e, bool neg)
{
	const struct ir_expr *c;
	const char *rel, *s;
	size_t n;
	struct diag *d;

	if (e->u.call.fn != FN_STRINGCONTAINS || e->u.call.n != 2)
		return;
	c = e->u.call.args[1];
	if (!c || c->kind != IR_CONST || c->u.c.type != VT_STRING)
		return;
	s = c->u.c.u.s.s;
	n = c->u.c.u.s.len;
	if (n < 2 || !(rel = affix_relation(eset_property(e->u.call.args[0]),
					     s, n)))
		return;
	d = diag_new(p->cc->diags, D_ESET_CONTAINS, &p->r->text, c->span,
		     "%s with a value that %s",
		     neg ? "notcontains" : "contains",
		     rel[0] == 's' ? "starts with a drive"
				   : "ends with a file extension");
	diag_help(p->cc->diags, d, "if the value always %s the %s, write "
		  "condition=\"%s%s\", which ESET evaluates more cheaply",
		  rel[0] == 's' ? "starts" : "ends",
		  strstr(eset_property(e->u.call.args[0]), "Name") ? "name"
								   : "path",
		  neg ? "not" : "", rel);
	diag_emit(p->cc->diags, d);
}

/* --- the walk ------------------------------------------------------------- */

static void
visit(struct perf *p, const struct ir_expr *e, bool neg)
{
	bool eql = p->r->lang == LANG_EQL;
	size_t i;

	if (!e)
		return;
	switch (e->kind) {
	case IR_AND:
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			visit(p, e->u.list.v[i], neg);
		return;
	case IR_NOT:
		visit(p, e->u.sub, !neg);
		return;
	case IR_MATCH:
		if (eql && e->u.match.mode == MATCH_REGEX)
			regex_wildcard(p, e);
		if (e->u.match.mode == MATCH_WILDCARD)
			leading_wildcard(p, e);
		break;
	case IR_CALL:
		if (!eql)
			eset_contains(p, e, neg);
		for (i = 0; i < e->u.call.n; i++)
			visit(p, e->u.call.args[i], neg);
		return;
	case IR_ANCESTOR:
		visit(p, e->u.anc.sub, neg);
		return;
	default:
		return;
	}
}

/* --- RC6005: a broad first stage ------------------------------------------ */

/* Fields that only say what kind of event it is. */
static bool
kind_field(const struct ir_expr *f)
{
	return f && f->kind == IR_FIELD &&
	       (strcmp(f->u.f.name, "event.type") == 0 ||
		strcmp(f->u.f.name, "event.category") == 0);
}

/* true if e accepts every event of its category, up to the event kind:
 * true itself, tests of event.type and event.category only, and and/or
 * of such. */
static bool
broad(const struct ir_expr *e)
{
	size_t i;

	if (!e)
		return false;
	switch (e->kind) {
	case IR_CONST:
		return e->u.c.type == VT_BOOL && e->u.c.u.b;
	case IR_AND:
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			if (!broad(e->u.list.v[i]))
				return false;
		return true;
	case IR_CMP:
		return (kind_field(e->u.cmp.l) && e->u.cmp.r &&
			e->u.cmp.r->kind == IR_CONST) ||
		       (kind_field(e->u.cmp.r) && e->u.cmp.l &&
			e->u.cmp.l->kind == IR_CONST);
	case IR_IN:
		return !e->u.in.neg && kind_field(e->u.in.l);
	case IR_MATCH:
		return kind_field(e->u.match.l);
	default:
		return false;
	}
}

static void
broad_first_stage(struct perf *p)
{
	const struct ir_query *q = p->r->ir;
	const struct ir_stage *st = &q->stages[0];
	struct diag *d;

	if (q->kind != Q_SEQUENCE || q->nstages < 2 || st->missing ||
	    !broad(st->cond))
		return;
	if (st->cond->kind == IR_CONST)
		d = diag_new(p->cc->diags, D_BROAD_FIRST_STAGE, &p->r->text,
			     st->span, "the first stage accepts every %s%s",
			     st->category ? st->category : "event",
			     st->category ? " event" : "");
	else
		d = diag_new(p->cc->diags, D_BROAD_FIRST_STAGE, &p->r->text,
			     st->span, "the first stage tests only the kind of "
			     "event, so it accepts almost every %s%s",
			     st->category ? st->category : "event",
			     st->category ? " event" : "");
	diag_note(p->cc->diags, d, NULL, span_make(0, 0),
		  "each such event starts a partial sequence that is kept "
		  "until it completes or expires");
	diag_help(p->cc->diags, d, "narrow the first stage with a test on "
		  "what starts the behaviour (a process name, a path, a "
		  "user), or put a more selective stage first");
	diag_emit(p->cc->diags, d);
}

void
check_performance(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;
	struct perf p = { cc, r };
	size_t i;

	if (!q)
		return;
	for (i = 0; i < q->nstages; i++)
		visit(&p, q->stages[i].cond, false);
	if (q->until)
		visit(&p, q->until->cond, false);
	if (q->nstages)
		broad_first_stage(&p);
}
