/*
 * values.c - the values family (RC2014 unknown-field-value): a field with a
 * closed vocabulary compared with a value outside it.
 *
 * ECS lists every value some fields may take (event.category, event.type,
 * event.kind, event.outcome, the *.entity.type fields, ...; the list is
 * schemas/ecs-values.tsv, made from ECS by scripts/gen-ecs-values).  A
 * rule that compares such a field with another value never matches ECS
 * data there: `event.type == "strat"` is a typo, `event.category ==
 * "Process"` a case mistake (`==` compares case).  Checked:
 *
 *   - the event category before `where` (`proces where ...`), a value of
 *     the rule's category field (event_category_override, else
 *     event.category), compared exactly as Elasticsearch does; `any` is
 *     no value;
 *   - `==` and `!=` with a string, each value of `in` and `not in`,
 *     honouring the comparison's case sensitivity;
 *   - each pattern of `:`, `like`, `like~`, `regex` and `regex~`, matched
 *     against every allowed value with the run-time matcher
 *     (src/pattern/): a pattern that matches none of them is reported.
 *
 * Lists.  Elastic's own rules list values of older or non-ECS data
 * sources next to the ECS ones on purpose (`event.type in ("start",
 * "process_started")`, 47 rules of the Elastic corpus).  So in a list that has at least
 * one allowed value, an unknown value is only reported when it looks like
 * a mistake: it differs from an allowed value only in letter case, or is
 * within a few edits of one (then the "did you mean" is the fix).  A value
 * alone, or a list with no allowed value at all, is always reported.
 *
 * Exact values containing * or ? are left to RC6001/RC6002, which say
 * that they are not patterns.  Fields of ESET rules count when they map
 * exactly onto the ECS field (no transform); ESET's own operation tests
 * are written from the catalogue and are ECS values.  Function calls
 * (startsWith, ...) are not looked at.
 */
#include "check/toolbox.h"

#include <string.h>

#include "base/suggest.h"
#include "base/text.h"
#include "pattern/regex.h"
#include "print/print.h"

enum { LIST_MAX = 400 };        /* bytes of "allowed: ..." in a help line */

/* How a value or pattern stands against a field's allowed values. */
enum verdict {
	V_OK,           /* allowed (or matches an allowed value) */
	V_CASE,         /* allowed but for letter case, which the test keeps */
	V_CLOSE,        /* unknown, a few edits from an allowed value */
	V_FAR           /* unknown, like no allowed value */
};

struct judged {
	enum verdict v;
	const char *near;       /* V_CASE, V_CLOSE: the allowed value meant */
};

struct values_walk {
	struct check_ctx *cc;
	const struct rc_rule *r;
};

/* The allowed values of field node f, when its values are ECS's: an EQL
 * field, or an ESET property that maps exactly onto the ECS field. */
static const struct schema_values *
field_values(const struct check_ctx *cc, const struct ir_expr *f)
{
	if (!f || f->kind != IR_FIELD || !f->u.f.def ||
	    (f->u.f.map != MAP_SAME && f->u.f.map != MAP_EXACT) ||
	    f->u.f.transform != TR_NONE)
		return NULL;
	return schema_values(cc->schema, f->u.f.def->name,
			     f->u.f.def->namelen);
}

/* The allowed value closest to s[0..n) (ASCII case ignored), or NULL. */
static const char *
closest(const struct schema_values *vals, const char *s, size_t n)
{
	struct suggest sg;
	size_t i;

	suggest_init(&sg, s, n, true);
	for (i = 0; i < vals->n; i++)
		suggest_add(&sg, vals->v[i].s, vals->v[i].len);
	return suggest_best(&sg);
}

/* An exact value s[0..n), compared with case ignored when ci. */
static struct judged
judge_value(const struct schema_values *vals, const char *s, size_t n,
	    bool ci)
{
	struct judged j = { V_FAR, NULL };
	size_t i;

	for (i = 0; i < vals->n; i++) {
		const struct schema_value *a = &vals->v[i];

		if (text_eq(a->s, a->len, s, n, ci))
			return (struct judged){ V_OK, NULL };
		if (!j.near && text_eq(a->s, a->len, s, n, true))
			j = (struct judged){ V_CASE, a->s };
	}
	if (!j.near && (j.near = closest(vals, s, n)) != NULL)
		j.v = V_CLOSE;
	return j;
}

/* The first allowed value that pattern p matches with the given flags,
 * or NULL; *bad is set when the pattern does not compile (the literal
 * checks have reported it). */
static const char *
first_match(const struct schema_values *vals, const struct rx_pattern *p,
	    unsigned flags, bool *bad)
{
	struct rx *rx = rx_compile(p, 1, flags, NULL, 0, NULL, NULL);
	const char *hit = NULL;
	size_t i;

	if (!rx) {
		*bad = true;
		return NULL;
	}
	for (i = 0; i < vals->n && !hit; i++)
		if (rx_match(rx, vals->v[i].s, vals->v[i].len))
			hit = vals->v[i].s;
	rx_free(rx);
	return hit;
}

/* A pattern of a MATCH node.  A wildcard pattern that matches nothing
 * gets its closest allowed value by its text without * and ?. */
static struct judged
judge_pattern(struct check_ctx *cc, const struct schema_values *vals,
	      const struct ir_value *pv, enum ir_match_mode mode, bool ci)
{
	struct rx_pattern p = { pv->u.s.s, pv->u.s.len,
				mode == MATCH_REGEX ? RX_LUCENE : RX_WILDCARD };
	struct judged j = { V_OK, NULL };
	bool bad = false;
	char *lit;
	size_t i, k = 0;

	if (first_match(vals, &p, ci ? RX_CI : 0, &bad) || bad)
		return j;
	if (!ci && (j.near = first_match(vals, &p, RX_CI, &bad)) != NULL) {
		j.v = V_CASE;
		return j;
	}
	j.v = V_FAR;
	if (mode != MATCH_WILDCARD)
		return j;
	lit = arena_alloc(cc->arena, pv->u.s.len + 1);
	if (!lit)
		return j;
	for (i = 0; i < pv->u.s.len; i++)
		if (pv->u.s.s[i] != '*' && pv->u.s.s[i] != '?')
			lit[k++] = pv->u.s.s[i];
	if (k && (j.near = closest(vals, lit, k)) != NULL)
		j.v = V_CLOSE;
	return j;
}

/* "a, b, c" of every allowed value, cut with "..." past LIST_MAX. */
static const char *
value_list(const struct values_walk *w, const struct schema_values *vals)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < vals->n; i++) {
		if (sb.len > LIST_MAX) {
			sb_puts(&sb, ", ...");
			break;
		}
		if (i)
			sb_puts(&sb, ", ");
		sb_put(&sb, vals->v[i].s, vals->v[i].len);
	}
	return check_take(w->cc->arena, &sb);
}

/* Reports one unknown value or pattern: what is "" for a value, "pattern
 * " or "regex " for a pattern; field names the field as the rule wrote it;
 * where, when not NULL, says where the value stands (the category). */
static void
report(struct values_walk *w, struct span at, const char *what,
       const char *text, size_t len, const char *field,
       const struct schema_values *vals, struct judged j, const char *where)
{
	struct diag_sink *ds = w->cc->diags;
	const char *q = check_quoted(w->cc->arena, w->r->lang, text, len);
	const char *near = j.near ? check_quoted(w->cc->arena, w->r->lang, j.near, strlen(j.near)) : "";
	struct strbuf sb = STRBUF_INIT;
	const char *msg;
	struct diag *d;

	if (*what)
		sb_printf(&sb, "%s%s matches no allowed value of %s", what, q,
			  field);
	else
		sb_printf(&sb, "%s is not an allowed value of %s%s", q, field,
			  where ? where : "");
	if (j.v == V_CASE)
		sb_printf(&sb, ": ECS writes %s and this comparison is "
			  "case-sensitive", near);
	msg = check_take(w->cc->arena, &sb);
	d = diag_new(ds, D_UNKNOWN_VALUE, &w->r->text, at, "%s",
		     msg ? msg : "unknown value");
	if (j.v == V_CASE && *what)
		diag_help(ds, d, "write the pattern in ECS's letter case, or "
			  "match with case ignored (%s)",
			  *what == 'r' ? "regex~" : "':' or like~");
	else if (j.v == V_CASE)
		diag_help(ds, d, "write %s", near);
	else if (j.v == V_CLOSE)
		diag_help(ds, d, "did you mean %s?", near);
	else
		diag_help(ds, d, "ECS allows only: %s", value_list(w, vals));
	diag_emit(ds, d);
}

/* The exact values of an IN node or of an == / != comparison. */
static void
check_exact(struct values_walk *w, const struct ir_expr *f,
	    const struct ir_value *v, size_t n, bool ci)
{
	const struct schema_values *vals = field_values(w->cc, f);
	struct judged j;
	size_t i, known = 0, pass;

	if (!vals)
		return;
	/* two passes: count the allowed values, then report */
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < n; i++) {
			const struct ir_value *x = &v[i];

			if (x->type != VT_STRING ||
			    memchr(x->u.s.s, '*', x->u.s.len) ||
			    memchr(x->u.s.s, '?', x->u.s.len))
				continue;
			j = judge_value(vals, x->u.s.s, x->u.s.len, ci);
			if (j.v == V_OK) {
				known += pass == 0;
				continue;
			}
			if (pass == 0 || (j.v == V_FAR && known))
				continue;
			report(w, x->span, "", x->u.s.s, x->u.s.len,
			       print_field_name(f), vals, j, NULL);
		}
}

/* How a message names pattern p of MATCH node e: "regex ", "pattern ", or
 * "" for a wildcard pattern without wildcards (a plain value). */
static const char *
pattern_word(const struct ir_expr *e, const struct ir_value *p)
{
	if (e->u.match.mode == MATCH_REGEX)
		return "regex ";
	if (memchr(p->u.s.s, '*', p->u.s.len) ||
	    memchr(p->u.s.s, '?', p->u.s.len))
		return "pattern ";
	return "";
}

/* The patterns of a MATCH node, with the same rule for lists. */
static void
check_patterns(struct values_walk *w, const struct ir_expr *e)
{
	const struct ir_expr *f = e->u.match.l;
	const struct schema_values *vals = field_values(w->cc, f);
	struct judged j;
	size_t i, known = 0, pass;

	if (!vals)
		return;
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < e->u.match.n; i++) {
			const struct ir_value *p = &e->u.match.v[i];

			if (p->type != VT_STRING)
				continue;
			j = judge_pattern(w->cc, vals, p, e->u.match.mode,
					  e->u.match.ci);
			if (j.v == V_OK) {
				known += pass == 0;
				continue;
			}
			if (pass == 0 || (j.v == V_FAR && known))
				continue;
			report(w, p->span, pattern_word(e, p),
			       p->u.s.s, p->u.s.len, print_field_name(f),
			       vals, j, NULL);
		}
}

static void
visit(void *ud, const struct ir_expr *e)
{
	struct values_walk *w = ud;
	const struct ir_expr *f, *c;

	switch (e->kind) {
	case IR_CMP:
		if (e->u.cmp.op != IR_OP_EQ && e->u.cmp.op != IR_OP_NE)
			return;
		f = e->u.cmp.l;
		c = e->u.cmp.r;
		if (f && f->kind == IR_CONST) {
			c = f;
			f = e->u.cmp.r;
		}
		if (c && c->kind == IR_CONST)
			check_exact(w, f, &c->u.c, 1, e->u.cmp.ci);
		break;
	case IR_IN:
		check_exact(w, e->u.in.l, e->u.in.v, e->u.in.n, e->u.in.ci);
		break;
	case IR_MATCH:
		check_patterns(w, e);
		break;
	default:
		break;
	}
}

/* Where the category of an EQL stage is written: the first token of the
 * stage's text after any `[` or `![`, a name or a quoted string; the whole
 * stage when that cannot be found (an ESET rule). */
static struct span
category_span(const struct rc_rule *r, const struct ir_stage *st)
{
	const char *t = r->text.data;
	size_t p = st->span.start, end = st->span.end, q;

	if (r->lang != LANG_EQL || end > r->text.len)
		return st->span;
	while (p < end && strchr("![ \t\r\n", t[p]))
		p++;
	if (p >= end)
		return st->span;
	q = p + 1;
	if (t[p] == '"' || t[p] == '`') {
		while (q < end && t[q] != t[p])
			q += t[q] == '\\' && t[p] == '"' ? 2 : 1;
		q = q < end ? q + 1 : end;
	} else {
		while (q < end && t[q] != ' ' && t[q] != '\t' &&
		       t[q] != '\r' && t[q] != '\n')
			q++;
	}
	return span_make(p, q);
}

/* The event category before `where`: a value of the category field,
 * which Elasticsearch compares exactly. */
static void
check_category(struct values_walk *w, const struct ir_stage *st)
{
	const char *field = w->r->meta.category_field
				    ? w->r->meta.category_field
				    : "event.category";
	const struct schema_values *vals;
	struct judged j;

	if (!st->category)
		return;
	vals = schema_values(w->cc->schema, field, strlen(field));
	if (!vals)
		return;
	j = judge_value(vals, st->category, strlen(st->category), false);
	if (j.v == V_OK)
		return;
	report(w, category_span(w->r, st), "", st->category,
	       strlen(st->category), field, vals, j,
	       " (the event category before 'where')");
}

static void
walk_stage(struct values_walk *w, const struct ir_stage *st)
{
	check_category(w, st);
	check_walk(st->cond, visit, w);
}

void
check_values(struct check_ctx *cc, const struct rc_rule *r)
{
	struct values_walk w;
	size_t i;

	if (!cc->schema)
		return;
	w.cc = cc;
	w.r = r;
	for (i = 0; i < r->ir->nstages; i++)
		walk_stage(&w, &r->ir->stages[i]);
	if (r->ir->until)
		walk_stage(&w, r->ir->until);
}
