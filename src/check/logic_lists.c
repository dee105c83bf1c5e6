/*
 * logic_lists.c - the syntactic pass of the logic family (see logic.h):
 * values that appear twice in one list or one OR (RC4004) and list entries
 * that another entry already covers (RC4005).
 */
#include <stdlib.h>
#include <string.h>

#include "check/logic.h"

/* --- lists (syntactic) ------------------------------------------------- */

static const char *
list_op(const struct ir_expr *e)
{
	if (e->kind == IR_IN)
		return e->u.in.ci ? "in~" : "in";
	if (e->kind == IR_MATCH)
		return e->u.match.mode == MATCH_REGEX
			       ? (e->u.match.ci ? "regex~" : "regex")
			       : (e->u.match.ci ? ":" : "like");
	return "";
}

static bool
same_value(const struct ir_value *a, const struct ir_value *b, bool ci)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case VT_STRING:
		return text_eq(a->u.s.s, a->u.s.len, b->u.s.s, b->u.s.len,
				  ci);
	case VT_LONG: return a->u.i == b->u.i;
	case VT_DOUBLE: return a->u.d == b->u.d;
	case VT_BOOL: return a->u.b == b->u.b;
	default: return false;
	}
}

/* b is the times-th occurrence of a's value (times >= 2). */
static void
dup_finding(struct an *an, const struct ir_expr *e, const struct ir_value *a,
	    const struct ir_value *b, size_t times, bool ci, bool raw)
{
	struct strbuf sb = STRBUF_INIT;
	struct finding *f;

	print_value(&sb, an->r->lang, b, raw);
	if (times > 2)
		sb_printf(&sb, " appears %zu times in this list", times);
	else
		sb_puts(&sb, " appears twice in this list");
	if (ci && b->type == VT_STRING &&
	    !text_eq(a->u.s.s, a->u.s.len, b->u.s.s, b->u.s.len, false))
		sb_printf(&sb, " ('%s' ignores case)", list_op(e));
	f = lg_add_finding(an, D_DUPLICATE_VALUE, b->span,
			   check_take(an->a, &sb));
	lg_add_note(f, a->span, "first here");
	if (f)
		f->help = "remove the repeated value";
}

struct vref {
	const struct ir_value *v;
	size_t i;
};

static int
vref_cmp(const struct vref *a, const struct vref *b, bool ci)
{
	const struct ir_value *x = a->v, *y = b->v;
	int c = (int)x->type - (int)y->type;

	if (!c) {
		switch (x->type) {
		case VT_STRING: {
			struct lit p = { x->u.s.s, x->u.s.len, ci };
			struct lit q = { y->u.s.s, y->u.s.len, ci };
			c = lg_lit_cmp(&p, &q, ci);
			break;
		}
		case VT_LONG:
			c = x->u.i < y->u.i ? -1 : x->u.i > y->u.i;
			break;
		case VT_DOUBLE:
			c = x->u.d < y->u.d ? -1 : x->u.d > y->u.d;
			break;
		case VT_BOOL:
			c = (int)x->u.b - (int)y->u.b;
			break;
		default:
			c = 0;
			break;
		}
	}
	return c ? c : a->i < b->i ? -1 : a->i > b->i;
}

static int
vref_order_cs(const void *a, const void *b)
{
	return vref_cmp(a, b, false);
}

static int
vref_order_ci(const void *a, const void *b)
{
	return vref_cmp(a, b, true);
}

/* first[j]: the earliest entry equal to entry j when j repeats one, else
 * (size_t)-1; (*times)[j]: which occurrence of its value entry j is (2 for
 * the first repeat).  Sorting keeps long lists cheap; equal values stay in
 * list order. */
static size_t *
find_dups(struct an *an, const struct ir_value *v, size_t n, bool ci,
	  size_t **times)
{
	struct vref *r = ARENA_NEWV(an->a, struct vref, n + 1);
	size_t *first = ARENA_NEWV(an->a, size_t, n + 1);
	size_t *nth = ARENA_NEWV(an->a, size_t, n + 1);
	size_t i, g = 0;

	*times = nth;
	if (!r || !first || !nth)
		return NULL;
	for (i = 0; i < n; i++) {
		r[i].v = &v[i];
		r[i].i = i;
		first[i] = (size_t)-1;
	}
	qsort(r, n, sizeof *r, ci ? vref_order_ci : vref_order_cs);
	for (i = 1; i < n; i++) {
		if (r[i].v->type != VT_NULL &&
		    same_value(r[g].v, r[i].v, ci)) {
			first[r[i].i] = r[g].i;
			nth[r[i].i] = i - g + 1;
		} else {
			g = i;
		}
	}
	return first;
}

static void
check_in_list(struct an *an, const struct ir_expr *e)
{
	size_t *times;
	size_t *first = find_dups(an, e->u.in.v, e->u.in.n, e->u.in.ci,
				  &times);
	size_t j;

	for (j = 0; first && j < e->u.in.n; j++)
		if (first[j] != (size_t)-1)
			dup_finding(an, e, &e->u.in.v[first[j]], &e->u.in.v[j],
				    times[j], e->u.in.ci, e->u.in.l &&
				    e->u.in.l->type == VT_IP);
}

/* A cheap necessary condition for p to cover q: their fixed first and
 * last bytes agree. */
static bool
ends_agree(const struct glob *p, const struct glob *q)
{
	if (p->n && q->n && p->t[0] < 256 && q->t[0] < 256 &&
	    text_fold((unsigned char)p->t[0]) != text_fold((unsigned char)q->t[0]))
		return false;
	if (p->n && q->n && p->t[p->n - 1] < 256 && q->t[q->n - 1] < 256 &&
	    text_fold((unsigned char)p->t[p->n - 1]) !=
		    text_fold((unsigned char)q->t[q->n - 1]))
		return false;
	return true;
}

/* Reports the entries of a list that entry `by` already covers: one
 * finding at the first, with notes at the others. */
static void
covered_finding(struct an *an, const struct ir_value *v, size_t by,
		const size_t *cov, size_t ncov, bool raw, const char *verb)
{
	struct strbuf sb = STRBUF_INIT, p = STRBUF_INIT;
	struct finding *f;
	size_t k;
	const char *pv;

	if (!ncov)
		return;
	print_value(&p, an->r->lang, &v[by], raw);
	pv = check_take(an->a, &p);
	print_value(&sb, an->r->lang, &v[cov[0]], raw);
	if (ncov > 1)
		sb_printf(&sb, " and %zu other entr%s", ncov - 1,
			  ncov == 2 ? "y" : "ies");
	sb_printf(&sb, " %s already %s by %s in this list",
		  ncov > 1 ? "are" : "is", verb, pv);
	f = lg_add_finding(an, D_COVERED_PATTERN, v[cov[0]].span,
			check_take(an->a, &sb));
	lg_add_note(f, v[by].span, ncov > 1 ? "this entry covers them"
					 : "this entry covers it");
	for (k = 1; k < ncov && f && f->nnotes < MAX_NOTES; k++)
		lg_add_note(f, v[cov[k]].span, arena_printf(an->a,
			 "also %s by %s", verb, pv));
	if (f) {
		if (ncov == 1) {
			print_value(&sb, an->r->lang, &v[cov[0]], raw);
			f->help = arena_printf(an->a, "remove %s",
					       sb.data ? sb.data : "it");
			sb_free(&sb);
		} else {
			f->help = arena_printf(an->a, "remove the entries "
					       "that %s already %s", pv,
					       strcmp(verb, "matched") == 0
					       ? "matches" : "contains");
		}
	}
}

static bool
has_wild(const struct glob *g)
{
	return !glob_is_literal(g);
}

static void
check_match_list(struct an *an, const struct ir_expr *e)
{
	const struct ir_value *v = e->u.match.v;
	size_t n = e->u.match.n, i, j, *first, *times, *cov, ncov;
	bool ci = e->u.match.ci, *taken;
	struct glob *g;

	first = find_dups(an, v, n, ci, &times);
	if (!first)
		return;
	for (j = 0; j < n; j++)
		if (first[j] != (size_t)-1 && v[j].type == VT_STRING)
			dup_finding(an, e, &v[first[j]], &v[j], times[j], ci,
				    false);
	if (e->u.match.mode != MATCH_WILDCARD)
		return;
	g = ARENA_NEWV(an->a, struct glob, n + 1);
	taken = ARENA_NEWV(an->a, bool, n + 1);
	cov = ARENA_NEWV(an->a, size_t, n + 1);
	if (!g || !taken || !cov)
		return;
	for (i = 0; i < n; i++) {
		taken[i] = first[i] != (size_t)-1 || v[i].type != VT_STRING;
		if (!taken[i] && !glob_wildcard(an->a, v[i].u.s.s,
						v[i].u.s.len, ci, &g[i]))
			return;
	}
	/* only an entry with a wildcard covers another one */
	for (i = 0; i < n; i++) {
		if (v[i].type != VT_STRING || first[i] != (size_t)-1 ||
		    !has_wild(&g[i]))
			continue;
		ncov = 0;
		for (j = 0; j < n; j++) {
			if (i == j || taken[j] || !ends_agree(&g[i], &g[j]) ||
			    !glob_covers(an->a, &g[i], &g[j]))
				continue;
			/* equivalent patterns: the later one goes */
			if (j < i && glob_covers(an->a, &g[j], &g[i]))
				continue;
			cov[ncov++] = j;
			taken[j] = true;
		}
		covered_finding(an, v, i, cov, ncov, false, "matched");
	}
}

static void
check_cidr_list(struct an *an, const struct ir_expr *e)
{
	size_t n = e->u.call.n, i, j, ncov;
	struct rng *r = ARENA_NEWV(an->a, struct rng, n + 1);
	struct ir_value *v = ARENA_NEWV(an->a, struct ir_value, n + 1);
	size_t *cov = ARENA_NEWV(an->a, size_t, n + 1);
	/* times[i]: how often entry i's network has appeared so far */
	size_t *times = ARENA_NEWV(an->a, size_t, n + 1);
	bool *ok = ARENA_NEWV(an->a, bool, n + 1);

	if (!r || !v || !cov || !times || !ok || n < 3)
		return;
	/* v[0..n-1): the networks */
	for (i = 1; i < n; i++) {
		const struct ir_expr *a = e->u.call.args[i];
		ok[i - 1] = a && a->kind == IR_CONST &&
			    a->u.c.type == VT_STRING &&
			    dom_ip_parse(a->u.c.u.s.s, a->u.c.u.s.len, &r[i - 1]);
		if (a && a->kind == IR_CONST)
			v[i - 1] = a->u.c;
		times[i - 1] = 1;
	}
	n--;
	for (j = 0; j < n; j++)
		for (i = 0; ok[j] && i < j; i++)
			if (ok[i] && u128_cmp(r[i].lo, r[j].lo) == 0 &&
			    u128_cmp(r[i].hi, r[j].hi) == 0) {
				struct finding *f;

				/* i is the first occurrence: the repeats
				 * are no longer ok */
				times[i]++;
				f = lg_add_finding(an, D_DUPLICATE_VALUE,
					v[j].span, times[i] > 2
					? arena_printf(an->a, "%.*s appears "
						"%zu times in this list",
						(int)v[j].u.s.len, v[j].u.s.s,
						times[i])
					: arena_printf(an->a, "%.*s appears "
						"twice in this list",
						(int)v[j].u.s.len, v[j].u.s.s));
				lg_add_note(f, v[i].span, "first here");
				if (f)
					f->help = "remove the repeated value";
				ok[j] = false;
			}
	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		for (j = 0, ncov = 0; j < n; j++) {
			if (i == j || !ok[j] ||
			    u128_cmp(r[i].lo, r[j].lo) > 0 ||
			    u128_cmp(r[i].hi, r[j].hi) < 0)
				continue;
			cov[ncov++] = j;
			ok[j] = false;
		}
		covered_finding(an, v, i, cov, ncov, true, "contained");
	}
}

/* A test of one field against one value: `f == v`, `f in (v)`, `f : v`.
 * Returns the field and the value.  (A branch with a list that repeats
 * another branch's value is left to the redundancy check.) */
static const struct ir_expr *
value_test(const struct ir_expr *e, const struct ir_value **v, size_t *n,
	   int *mode, bool *ci)
{
	if (!e)
		return NULL;
	if (e->kind == IR_CMP && e->u.cmp.op == IR_OP_EQ && e->u.cmp.l &&
	    e->u.cmp.r && e->u.cmp.l->kind == IR_FIELD &&
	    e->u.cmp.r->kind == IR_CONST && e->u.cmp.r->u.c.type != VT_NULL) {
		*v = &e->u.cmp.r->u.c;
		*n = 1;
		*mode = 0;
		*ci = e->u.cmp.ci;
		return e->u.cmp.l;
	}
	if (e->kind == IR_IN && !e->u.in.neg && e->u.in.l && e->u.in.n == 1 &&
	    e->u.in.l->kind == IR_FIELD) {
		*v = e->u.in.v;
		*n = e->u.in.n;
		*mode = 0;
		*ci = e->u.in.ci;
		return e->u.in.l;
	}
	if (e->kind == IR_MATCH && e->u.match.l && e->u.match.n == 1 &&
	    e->u.match.l->kind == IR_FIELD) {
		*v = e->u.match.v;
		*n = e->u.match.n;
		*mode = 1 + (int)e->u.match.mode;
		*ci = e->u.match.ci;
		return e->u.match.l;
	}
	return NULL;
}

/* The same value among the equality tests of one OR on one field. */
static void
check_or_values(struct an *an, const struct ir_expr *e)
{
	size_t i, j, n = e->u.list.n;
	const struct ir_value **v = ARENA_NEWV(an->a, const struct ir_value *,
						n + 1);
	const struct ir_expr **f = ARENA_NEWV(an->a, const struct ir_expr *,
					       n + 1);
	const char **key = ARENA_NEWV(an->a, const char *, n + 1);
	int *mode = ARENA_NEWV(an->a, int, n + 1);
	bool *ci = ARENA_NEWV(an->a, bool, n + 1);

	if (!v || !f || !key || !mode || !ci)
		return;
	for (i = 0; i < n; i++) {
		size_t one;
		f[i] = value_test(e->u.list.v[i], &v[i], &one, &mode[i], &ci[i]);
		key[i] = f[i] ? lg_field_key(an->a, &f[i]->u.f) : NULL;
	}
	for (j = 1; j < n; j++) {
		for (i = 0; key[j] && i < j; i++) {
			struct strbuf sb = STRBUF_INIT;
			struct finding *fd;

			if (!key[i] || mode[i] != mode[j] || ci[i] != ci[j] ||
			    strcmp(key[i], key[j]) != 0 ||
			    !same_value(v[i], v[j], ci[j]))
				continue;
			print_value(&sb, an->r->lang, v[j],
				    f[j]->type == VT_IP);
			sb_printf(&sb, " is already tested by another branch "
				  "of this %s", an->eset ? "OR" : "'or'");
			fd = lg_add_finding(an, D_DUPLICATE_VALUE, v[j]->span,
					 check_take(an->a, &sb));
			lg_add_note(fd, v[i]->span, "tested here");
			if (fd)
				fd->help = "remove the repeated branch";
			if (GROW(an, an->dups, an->ndups, an->capdups))
				an->dups[an->ndups++] = e->u.list.v[j];
			break;
		}
	}
}

void
lg_list_visit(void *ud, const struct ir_expr *e)
{
	struct an *an = ud;

	switch (e->kind) {
	case IR_IN:
		check_in_list(an, e);
		break;
	case IR_MATCH:
		check_match_list(an, e);
		break;
	case IR_CALL:
		if (e->u.call.fn == FN_CIDRMATCH)
			check_cidr_list(an, e);
		break;
	case IR_OR:
		check_or_values(an, e);
		break;
	default:
		break;
	}
}

