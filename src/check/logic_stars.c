/*
 * logic_stars.c - `*` and `?` in exact comparisons, a syntactic pass of the
 * logic family (see logic.h): RC6001 equals-wildcard (`==`, `!=`) and
 * RC6002 wildcard-in-list (`in`).  Elasticsearch EQL compares these
 * exactly, so a value with a wildcard character matches only a text that
 * holds that very character: as written, the test (or that list entry)
 * almost never matches.  They were performance checks once; their ids and
 * names stay.
 *
 * A value is taken as meant literally, and not reported, when
 *
 *  1. it has a literal form of its field (schemas/literal-stars.tsv, read
 *     through the schema): Windows share names are `\\*\ADMIN$` in the
 *     events themselves; or
 *  2. read as a wildcard it would make another wildcard pattern of the
 *     condition pointless: a pattern of a `:` or `like` test on the same
 *     field, in another branch of an `or` (their nearest common node is an
 *     OR), that the value read as a wildcard covers
 *     (`process.args : "/text:*pass*" or process.args == "/text:*"`).
 *     Only the literal reading makes sense of such a condition.  A pattern
 *     equal to the value does not count (the same text twice is a slip,
 *     not a sign), nor does a `:` entry without a wildcard, nor a pattern
 *     that the comparison is ANDed with (no branch becomes pointless).
 *
 * Merely using `:` on the same field elsewhere is not enough: in Elastic's
 * rules most wrong `in` entries sit right beside correct `like` lists on
 * the same field.  EQL rules only; ESET relations have no wildcards.
 */
#include <string.h>

#include "check/logic.h"

/* One step down from an OR to its i-th branch. */
struct orstep {
	const struct ir_expr *or;
	size_t i;
};

/* A node of the condition with the OR branches that lead to it. */
struct site {
	const struct ir_expr *e;
	const struct orstep *path;
	size_t n;
};

/* The wildcard tests (`:`, `like`) and the exact comparisons with a
 * wildcard character of one condition. */
struct stars {
	struct an *an;
	struct orstep *stack;
	size_t depth, capst;
	struct site *pats, *cmps;
	size_t npats, cappats, ncmps, capcmps;
};

static bool
has_wildcard(const struct ir_value *v)
{
	return v->type == VT_STRING &&
	       (memchr(v->u.s.s, '*', v->u.s.len) ||
		memchr(v->u.s.s, '?', v->u.s.len));
}

static const char *
field_name(const struct ir_expr *f)
{
	return f && f->kind == IR_FIELD ? f->u.f.name : NULL;
}

/* Is e a comparison that RC6001 or RC6002 looks at? */
static bool
star_comparison(const struct ir_expr *e)
{
	size_t i;

	if (e->kind == IR_CMP)
		return (e->u.cmp.op == IR_OP_EQ || e->u.cmp.op == IR_OP_NE) &&
		       ((e->u.cmp.r && e->u.cmp.r->kind == IR_CONST &&
			 has_wildcard(&e->u.cmp.r->u.c)) ||
			(e->u.cmp.l && e->u.cmp.l->kind == IR_CONST &&
			 has_wildcard(&e->u.cmp.l->u.c)));
	for (i = 0; e->kind == IR_IN && i < e->u.in.n; i++)
		if (has_wildcard(&e->u.in.v[i]))
			return true;
	return false;
}

/* Records e with a copy of the OR steps above it. */
static void
add_site(struct stars *st, struct site **arr, size_t *n, size_t *cap,
	 const struct ir_expr *e)
{
	struct an *an = st->an;
	struct orstep *path = NULL;
	struct site *s;

	if (st->depth && !(path = ARENA_NEWV(an->a, struct orstep, st->depth)))
		return;
	if (st->depth)
		memcpy(path, st->stack, st->depth * sizeof *path);
	if (!(*arr = lg_grow(an, *arr, cap, *n + 1, sizeof **arr)))
		return;
	s = &(*arr)[(*n)++];
	s->e = e;
	s->path = path;
	s->n = st->depth;
}

static void
collect(struct stars *st, const struct ir_expr *e)
{
	size_t i;

	if (!e)
		return;
	switch (e->kind) {
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++) {
			if (!GROW(st->an, st->stack, st->depth, st->capst))
				return;
			st->stack[st->depth].or = e;
			st->stack[st->depth++].i = i;
			collect(st, e->u.list.v[i]);
			st->depth--;
		}
		return;
	case IR_AND:
		for (i = 0; i < e->u.list.n; i++)
			collect(st, e->u.list.v[i]);
		return;
	case IR_NOT:
		collect(st, e->u.sub);
		return;
	case IR_CALL:
		for (i = 0; i < e->u.call.n; i++)
			collect(st, e->u.call.args[i]);
		return;
	case IR_MATCH:
		if (e->u.match.mode == MATCH_WILDCARD &&
		    field_name(e->u.match.l))
			add_site(st, &st->pats, &st->npats, &st->cappats, e);
		return;
	case IR_CMP:
	case IR_IN:
		if (star_comparison(e))
			add_site(st, &st->cmps, &st->ncmps, &st->capcmps, e);
		return;
	default:
		return;
	}
}

/* Are a and b in different branches of one OR, their nearest common
 * node? */
static bool
branches_of_or(const struct site *a, const struct site *b)
{
	size_t k;

	for (k = 0; k < a->n && k < b->n && a->path[k].or == b->path[k].or;
	     k++)
		if (a->path[k].i != b->path[k].i)
			return true;
	return false;
}

/* Would v, read as a wildcard, cover a pattern of test m (and not equal
 * it)? */
static bool
covers_pattern(struct an *an, const struct ir_value *v,
	       const struct ir_expr *m)
{
	struct glob gv, gp;
	size_t i;

	if (!glob_wildcard(an->a, v->u.s.s, v->u.s.len, m->u.match.ci, &gv))
		return false;
	for (i = 0; i < m->u.match.n; i++) {
		const struct ir_value *p = &m->u.match.v[i];

		if (!has_wildcard(p) ||
		    !glob_wildcard(an->a, p->u.s.s, p->u.s.len, m->u.match.ci,
				   &gp))
			continue;
		if (glob_covers(an->a, &gv, &gp) &&
		    !glob_covers(an->a, &gp, &gv))
			return true;
	}
	return false;
}

/* Is the wildcard character in v, compared exactly with field f at site
 * c, meant literally (rules 1 and 2 above)? */
static bool
meant_literally(struct stars *st, const struct site *c,
		const struct ir_expr *f, const struct ir_value *v)
{
	const char *name = field_name(f);
	const struct schema *s = st->an->cc->schema;
	size_t i;

	if (!name)
		return false;
	if (s && schema_literal_form(s, name, strlen(name), v->u.s.s,
				     v->u.s.len))
		return true;
	for (i = 0; i < st->npats; i++) {
		const struct site *p = &st->pats[i];

		if (strcmp(field_name(p->e->u.match.l), name) == 0 &&
		    branches_of_or(c, p) && covers_pattern(st->an, v, p->e))
			return true;
	}
	return false;
}

/* --- RC6001: == and != against a wildcard literal ------------------------- */

static void
eq_wildcard(struct stars *st, const struct site *site)
{
	const struct ir_expr *e = site->e;
	struct an *an = st->an;
	const struct ir_expr *f = e->u.cmp.l, *c = e->u.cmp.r;
	const char *lit, *neg = e->u.cmp.op == IR_OP_NE ? "not " : "";
	struct finding *fd;

	if (e->u.cmp.op != IR_OP_EQ && e->u.cmp.op != IR_OP_NE)
		return;
	if (f && f->kind == IR_CONST) {
		c = f;
		f = e->u.cmp.r;
	}
	if (!f || !c || c->kind != IR_CONST || f->kind == IR_CONST ||
	    !has_wildcard(&c->u.c) || meant_literally(st, site, f, &c->u.c))
		return;
	lit = check_quoted(an->a, LANG_EQL, c->u.c.u.s.s, c->u.c.u.s.len);
	fd = lg_add_finding(an, D_EQ_WILDCARD, c->span, arena_printf(an->a,
		"'%s' compares exactly: %s matches only that text, with %s "
		"taken literally", ir_op_name(e->u.cmp.op), lit,
		memchr(c->u.c.u.s.s, '*', c->u.c.u.s.len) ? "'*'" : "'?'"));
	if (fd)
		fd->help = arena_printf(an->a, "for a wildcard write "
			"'%s%.*s like %s' (case-sensitive, as '%s' is) or "
			"'%s%.*s : %s'", neg, SPAN_ARGS(an->r, f->span), lit,
			ir_op_name(e->u.cmp.op), neg,
			SPAN_ARGS(an->r, f->span), lit);
}

/* --- RC6002: in lists with wildcard characters ---------------------------- */

static void
list_wildcard(struct stars *st, const struct site *site)
{
	const struct ir_expr *e = site->e;
	struct an *an = st->an;
	const struct ir_expr *f = e->u.in.l;
	size_t i, first = e->u.in.n, count = 0;
	const char *others = "";
	struct finding *fd;

	if (!f)
		return;
	for (i = 0; i < e->u.in.n; i++)
		if (has_wildcard(&e->u.in.v[i]) &&
		    !meant_literally(st, site, f, &e->u.in.v[i])) {
			if (first == e->u.in.n)
				first = i;
			count++;
		}
	if (!count)
		return;
	if (count == 2)
		others = " (nor is the other value with * or ?)";
	else if (count > 2)
		others = arena_printf(an->a, " (nor are the %zu other values "
				      "with * or ?)", count - 1);
	fd = lg_add_finding(an, D_LIST_WILDCARD, e->u.in.v[first].span,
		arena_printf(an->a, "'%s' compares exactly: %s is not a "
			     "wildcard pattern here%s",
			     e->u.in.ci ? "in~" : "in",
			     check_quoted(an->a, LANG_EQL, e->u.in.v[first].u.s.s,
				    e->u.in.v[first].u.s.len),
			     others ? others : ""));
	if (fd)
		fd->help = arena_printf(an->a, "for wildcards write "
			"'%s%.*s %s (...)' with the same list%s",
			e->u.in.neg ? "not " : "", SPAN_ARGS(an->r, f->span),
			e->u.in.ci ? ":" : "like",
			e->u.in.ci ? "" : " (case-sensitive, as 'in' is; ':' "
					  "ignores case)");
}

void
lg_star_check(struct an *an, const struct ir_expr *cond)
{
	struct stars st;
	size_t i;

	if (an->eset || !cond)
		return;
	memset(&st, 0, sizeof st);
	st.an = an;
	collect(&st, cond);
	for (i = 0; i < st.ncmps; i++) {
		if (st.cmps[i].e->kind == IR_CMP)
			eq_wildcard(&st, &st.cmps[i]);
		else
			list_wildcard(&st, &st.cmps[i]);
	}
}
