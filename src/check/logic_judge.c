/*
 * logic_judge.c - the findings of the value-set analysis (see logic.h):
 * which nodes are never true, always true or redundant, where to report
 * them, and the messages that explain them.
 */
#include <math.h>
#include <string.h>

#include "check/logic.h"

static struct span
node_span(const struct lnode *n)
{
	while (n && !n->ir && n->n)
		n = n->kid[0];
	return n && n->ir ? n->ir->span : span_make(0, 0);
}

/* Is AND(kids[0..n) except `skip`) possible?  (The assignment is clean.) */
static bool
and_possible(struct an *an, struct lnode **kids, size_t n, size_t skip)
{
	struct lnode **v = ARENA_NEWV(an->a, struct lnode *, n);
	struct lnode *t;
	size_t i, m = 0;

	if (!v)
		return true;
	for (i = 0; i < n; i++)
		if (i != skip)
			v[m++] = kids[i];
	if (m == 1)
		return lg_solve(an, v[0], 1, false);
	t = lg_temp_node(an, L_AND, v, m);
	return !t || lg_solve(an, t, 1, false);
}

/* A minimal subset of kids whose AND is never true (the AND of all of
 * them is known to be never true).  Returns the count, kept in `core`. */
static size_t
min_core(struct an *an, struct lnode **kids, size_t n, struct lnode **core)
{
	size_t i = 0, m = n;

	memcpy(core, kids, n * sizeof *kids);
	while (i < m && m > 1) {
		if (!and_possible(an, core, m, i) && !an->over) {
			memmove(core + i, core + i + 1,
				(m - i - 1) * sizeof *core);
			m--;
		} else {
			i++;
		}
	}
	return m;
}

/* Does a test of an integer field in the core compare with a fraction?
 * (Then say that the field holds whole numbers.) */
static bool
fraction_in(const struct an *an, struct lnode **core, size_t n, int v)
{
	size_t i, j, k;

	if (an->vars[v].kind != DK_INT)
		return false;
	for (i = 0; i < n; i++)
		for (j = 0; j < core[i]->natm; j++) {
			const struct atom *t = &an->atoms[core[i]->atm[j]];
			for (k = 0; k < t->nvals; k++)
				if (t->vals[k].type == VT_DOUBLE &&
				    isfinite(t->vals[k].u.d) &&
				    t->vals[k].u.d > -9.2e18 &&
				    t->vals[k].u.d < 9.2e18 &&
				    (double)(int64_t)t->vals[k].u.d !=
					    t->vals[k].u.d)
					return true;
		}
	return false;
}

/* Explains why AND(core) is never true: a sentence for the message
 * (after "no event satisfies this: ") and a note at each member.  `neg`
 * words it for the NOT branches of an OR (the members are the operands
 * of NOTs): "F cannot be both A and B". */
static void
explain_core(struct an *an, struct strbuf *sb, struct lnode **core, size_t n,
	     struct finding *f, struct lnode **at, bool neg)
{
	struct strbuf p = STRBUF_INIT;
	const char **ph = ARENA_NEWV(an->a, const char *, n + 1);
	unsigned view, views = 0;
	int v = -1, vi;
	size_t i;
	bool simple = ph != NULL;

	for (i = 0; i < n && simple; i++) {
		vi = lg_single_var(an, core[i], &view);
		if (vi < 0 || (v >= 0 && vi != v)) {
			simple = false;
			break;
		}
		v = vi;
		views |= view == 4 ? 1u : view == 6 ? 2u : 4u;
		if (!lg_phrase_node(an, &p, core[i], true)) {
			simple = false;
			break;
		}
		ph[i] = check_take(an->a, &p);
	}
	sb_free(&p);
	if (simple && n == 2 && views == 3) {
		/* the two views of one address */
		const struct var *x = &an->vars[v];
		sb_printf(sb, "%s and %s are never both set", x->shown[1],
			  x->shown[2]);
		for (i = 0; i < n; i++) {
			unsigned w;
			lg_single_var(an, core[i], &w);
			lg_add_note(f, node_span(at[i]), arena_printf(an->a,
				 neg ? "true whenever %s is not set"
				     : "requires %s to be set",
				 w == 4 ? x->shown[1] : x->shown[2]));
		}
		return;
	}
	if (simple && n >= 2) {
		const char *name = lg_var_shown(&an->vars[v], views == 1 ? 4
						 : views == 2 ? 6 : 0);
		sb_printf(sb, "%s %s ", name, neg ? "cannot be" : "would have to be");
		if (n == 2) {
			sb_printf(sb, "both %s and %s", ph[0], ph[1]);
			if (fraction_in(an, core, n, v))
				sb_printf(sb, " (%s holds whole numbers)", name);
		} else {
			for (i = 0; i < n; i++)
				sb_printf(sb, "%s%s", i ? (i + 1 == n ? " and "
								      : ", ")
							: "", ph[i]);
			sb_puts(sb, " at once");
		}
		for (i = 0; i < n; i++)
			lg_add_note(f, node_span(at[i]), arena_printf(an->a,
				 neg ? "true whenever %s is not %s"
				     : "requires %s to be %s", name, ph[i]));
		return;
	}
	if (simple && n == 1) {
		sb_printf(sb, "%s can never be %s", lg_var_shown(&an->vars[v], 0),
			  ph[0]);
		return;
	}
	sb_puts(sb, neg ? "the negated conditions never all hold at once"
			: "its conditions contradict each other");
	for (i = 0; i < n; i++)
		lg_add_note(f, node_span(at[i]), neg ? "true whenever this "
			 "condition fails" : "this condition is part of the "
			 "contradiction");
}

/* Reports a never-true node. */
static void
report_never(struct an *an, struct lnode *n)
{
	struct strbuf sb = STRBUF_INIT;
	struct finding *f;
	struct lnode **core;
	size_t m;

	f = lg_add_finding(an, D_NEVER_TRUE, n->ir->span, "");
	if (!f)
		return;
	n->fu = (int)(f - an->fd);
	sb_puts(&sb, "no event satisfies this: ");
	if (n->kind == L_AND && n->n > 1 &&
	    (core = ARENA_NEWV(an->a, struct lnode *, n->n)) != NULL) {
		m = min_core(an, n->kid, n->n, core);
		explain_core(an, &sb, core, m, f, core, false);
	} else if (n->kind == L_ATOM || n->kind == L_NOT) {
		struct lnode *one = n;
		explain_core(an, &sb, &one, 1, f, &one, false);
	} else {
		sb_puts(&sb, "its conditions contradict each other");
	}
	f = &an->fd[n->fu];     /* the array may have moved */
	f->msg = check_take(an->a, &sb);
}

/* The operand text of a NOT branch for the De Morgan help (EQL). */
static void
negated_text(struct an *an, struct strbuf *sb, const struct lnode *k)
{
	const struct ir_expr *e = k->ir;
	const struct rc_text *t = &an->r->text;

	if (e && e->kind == IR_NOT && e->u.sub) {
		print_eql_span(sb, &an->r->text, e->u.sub->span, TEXT_MAX);
	} else if (e && e->kind == IR_IN && e->u.in.l && e->u.in.n) {
		struct span vs = span_make(e->u.in.v[0].span.start,
					   e->u.in.v[e->u.in.n - 1].span.end);
		print_eql_span(sb, &an->r->text, e->u.in.l->span, TEXT_MAX);
		sb_printf(sb, " in%s (", e->u.in.ci ? "~" : "");
		if (vs.end > vs.start && vs.end <= t->len)
			print_eql_span(sb, &an->r->text, vs, TEXT_MAX);
		sb_putc(sb, ')');
	} else if (e && e->kind == IR_CMP && e->u.cmp.l && e->u.cmp.r) {
		print_eql_span(sb, &an->r->text, e->u.cmp.l->span, TEXT_MAX);
		sb_puts(sb, " == ");
		print_eql_span(sb, &an->r->text, e->u.cmp.r->span, TEXT_MAX);
	} else if (e) {
		sb_puts(sb, "...");
	}
}

/* Reports an always-true OR (or other node); with `negated`, the NOT
 * `at` over it is reported as never true instead. */
static void
report_always(struct an *an, struct lnode *n, struct lnode *at_not)
{
	struct strbuf sb = STRBUF_INIT, w = STRBUF_INIT;
	struct finding *f;
	size_t i, fi, held = 0;
	bool nots = n->kind == L_OR && n->n > 1;
	struct lnode **inner, **core, **at;

	f = lg_add_finding(an, at_not ? D_NEVER_TRUE : D_ALWAYS_TRUE,
			(at_not ? at_not : n)->ir->span, "");
	if (!f)
		return;
	fi = (size_t)(f - an->fd);
	if (at_not)
		at_not->fu = (int)fi;
	if (n->kind != L_OR || n->n < 2) {
		an->fd[fi].msg = at_not ? "no event satisfies this: what it "
					  "negates is always true"
					: "this condition is always true: every "
					  "event satisfies it";
		return;
	}
	for (i = 0; i < n->n; i++)
		nots = nots && n->kid[i]->kind == L_NOT;
	/* the witness: an event the first branch rejects */
	if (lg_solve(an, n->kid[0], 0, true)) {
		lg_witness(an, &w, n->kid[0]);
		for (i = 0; i < an->nvars; i++)
			if (lg_var_touched(an, &an->vars[i]))
				lg_complete_var(an, &an->vars[i]);
		for (i = 1; i < n->n && !held; i++)
			if (lg_eval(an, n->kid[i]) == 1)
				held = i;
		for (i = 0; i < an->natoms; i++)
			an->val[i] = UNK;
	}
	sb_printf(&sb, at_not ? "no event satisfies this: one of the "
		  "conditions it negates always holds (%s satisfies one, "
		  "because " : "this condition is always true: %s satisfies "
		  "it, because ", w.data ? w.data : "an event");
	sb_free(&w);
	if (nots) {
		size_t m;
		inner = ARENA_NEWV(an->a, struct lnode *, n->n);
		core = ARENA_NEWV(an->a, struct lnode *, n->n);
		at = ARENA_NEWV(an->a, struct lnode *, n->n);
		if (!inner || !core || !at)
			return;
		for (i = 0; i < n->n; i++)
			inner[i] = n->kid[i]->kid[0];
		m = min_core(an, inner, n->n, core);
		for (i = 0; i < m; i++) {
			size_t k;
			for (k = 0; k < n->n && inner[k] != core[i]; k++)
				;
			at[i] = n->kid[k < n->n ? k : 0];
		}
		explain_core(an, &sb, core, m, &an->fd[fi], at, true);
		sb_printf(&sb, ", so one of the %s always holds%s",
			  an->eset ? "NOTs" : "negated branches",
			  at_not ? ")" : "");
		f = &an->fd[fi];
		f->msg = check_take(an->a, &sb);
		if (an->eset) {
			unsigned view;
			bool ranges = true;
			const char *last = NULL;
			for (i = 0; i < n->n && ranges; i++) {
				int v = lg_single_var(an, inner[i], &view);
				ranges = v >= 0 && an->vars[v].kind == DK_IP;
			}
			/* NOT(OR(...the IpAddressV4 ranges..., ...)) */
			sb_puts(&sb, "did you mean NOT(OR(");
			for (i = 0; i < n->n && ranges; i++) {
				const char *name;
				int v = lg_single_var(an, inner[i], &view);
				name = lg_var_shown(&an->vars[v], (int)view);
				if (last && strcmp(last, name) == 0)
					continue;
				sb_printf(&sb, "%s...the %s ranges...",
					  last ? ", " : "", name);
				last = name;
			}
			if (!ranges)
				sb_printf(&sb, "...the conditions of all %zu "
					  "NOTs...", n->n);
			sb_printf(&sb, ")), i.e. %s? Write <operator "
				  "type=\"NOT\"><operator type=\"OR\">...all "
				  "the conditions...</operator></operator>",
				  ranges ? "the address is in none of the ranges"
					 : "none of the conditions holds");
			f->help = check_take(an->a, &sb);
		} else {
			sb_puts(&sb, "did you mean 'not (");
			for (i = 0; i < n->n; i++) {
				if (i)
					sb_puts(&sb, " or ");
				negated_text(an, &sb, n->kid[i]);
			}
			sb_puts(&sb, ")', i.e. none of them holds?");
			f->help = check_take(an->a, &sb);
		}
		return;
	}
	sb_printf(&sb, "every event that fails one %s satisfies another",
		  an->eset ? "condition" : "branch");
	if (at_not)
		sb_putc(&sb, ')');
	f = &an->fd[fi];
	f->msg = check_take(an->a, &sb);
	lg_add_note(f, node_span(n->kid[0]), an->eset ? "this condition fails for "
		 "it" : "this branch fails for it");
	if (held)
		lg_add_note(f, node_span(n->kid[held]), "but this one holds");
}

static bool
is_dup(const struct an *an, const struct ir_expr *e)
{
	size_t i;

	for (i = 0; e && i < an->ndups; i++)
		if (an->dups[i] == e)
			return true;
	return false;
}

/* Does every text that atom a's globs match also match one of b's?  (A
 * syntactic implication the free classes cannot see.) */
static bool
glob_implies(struct an *an, const struct lnode *x, const struct lnode *y)
{
	const struct atom *a, *b;
	size_t i, j;

	if (x->kind == L_NOT && y->kind == L_NOT) {
		/* NOT a implies NOT b when b implies a */
		const struct lnode *t = x;
		x = y->kid[0];
		y = t->kid[0];
	}
	if (x->kind != L_ATOM || y->kind != L_ATOM)
		return false;
	a = &an->atoms[x->atom];
	b = &an->atoms[y->atom];
	if (a->var != b->var || a->kind != AK_VAL || b->kind != AK_VAL ||
	    !a->exact || !b->exact || !a->ng || !b->ng)
		return false;
	for (i = 0; i < a->ng; i++) {
		bool cov = false;
		for (j = 0; j < b->ng && !cov; j++)
			cov = glob_covers(an->a, &b->g[j], &a->g[i]);
		if (!cov)
			return false;
	}
	return true;
}

static bool
share_group(const struct lnode *x, const struct lnode *y)
{
	size_t i = 0, j = 0;

	while (i < x->ngrp && j < y->ngrp) {
		if (x->grp[i] == y->grp[j])
			return true;
		if (x->grp[i] < y->grp[j])
			i++;
		else
			j++;
	}
	return false;
}

/* Does x imply y (every event satisfying x satisfies y)? */
static bool
implies(struct an *an, struct lnode *x, struct lnode *y)
{
	struct lnode *k[2], *t, *ny;

	if (glob_implies(an, x, y))
		return true;
	ny = lg_new_node(an, L_NOT, NULL, 1);
	if (!ny)
		return false;
	ny->kid[0] = y;
	if (!lg_finish(an, ny))
		return false;
	k[0] = x;
	k[1] = ny;
	t = lg_temp_node(an, L_AND, k, 2);
	return t && !lg_solve(an, t, 1, false) && !an->over;
}

/* `f != null`: a test that a field is present. */
static bool
existence_guard(const struct ir_expr *e)
{
	return e && e->kind == IR_CMP && e->u.cmp.op == IR_OP_NE &&
	       e->u.cmp.r && e->u.cmp.r->kind == IR_CONST &&
	       e->u.cmp.r->u.c.type == VT_NULL;
}

/* Redundant children of an AND or OR. */
static void
redundancy(struct an *an, struct lnode *n)
{
	bool *gone;
	size_t i, j;

	gone = ARENA_NEWV(an->a, bool, n->n);
	if (!gone)
		return;
	for (i = 0; i < n->n; i++) {
		struct lnode *c = n->kid[i];
		gone[i] = c->sat != 1 || c->fal != 1 || !c->ir ||
			  is_dup(an, c->ir);
	}
	for (i = 0; i < n->n && !an->over; i++) {
		struct lnode *ci = n->kid[i];
		if (gone[i])
			continue;
		for (j = 0; j < n->n && !an->over; j++) {
			struct lnode *cj = n->kid[j];
			struct strbuf sb = STRBUF_INIT;
			struct finding *f;
			bool back;

			if (i == j || gone[j] || !share_group(ci, cj))
				continue;
			/* `f != null and f : "x"`: an existence guard is
			 * often written on purpose; it is not reported */
			if (n->kind == L_AND && existence_guard(ci->ir))
				continue;
			/* AND: ci follows from cj; OR: ci implies cj */
			if (n->kind == L_AND ? !implies(an, cj, ci)
					     : !implies(an, ci, cj))
				continue;
			/* equivalent pair: keep the first, report the later */
			back = n->kind == L_AND ? implies(an, ci, cj)
						: implies(an, cj, ci);
			if (back && i < j)
				continue;
			if (n->kind == L_AND)
				sb_puts(&sb, "this condition is redundant: "
					"every event that satisfies ");
			else
				sb_printf(&sb, "this %s is redundant: every "
					  "event it matches also matches ",
					  an->eset ? "condition" : "branch");
			lg_node_text(an, &sb, cj->ir);
			if (n->kind == L_AND)
				sb_puts(&sb, " also satisfies it");
			f = lg_add_finding(an, D_REDUNDANT, ci->ir->span,
					check_take(an->a, &sb));
			lg_add_note(f, cj->ir->span, n->kind == L_AND
				 ? "this condition already implies it"
				 : an->eset ? "this condition already matches "
					      "those events"
				 : "this branch already matches those events");
			if (f)
				f->help = back ? "remove one of the two, they "
					  "are equivalent" : n->kind == L_AND
					  ? "remove it, or check whether "
					    "another value was meant"
					  : "remove it";
			gone[i] = true;
			break;
		}
	}
}

/* Post-order: which nodes are never/always true, and where to report. */
void
lg_judge(struct an *an, struct lnode *n)
{
	size_t i;
	bool cu, ct, all_u = true, all_t = true, any_u = false, any_t = false;

	for (i = 0; i < n->n; i++) {
		lg_judge(an, n->kid[i]);
		all_u = all_u && n->kid[i]->xu;
		all_t = all_t && n->kid[i]->xt;
		any_u = any_u || n->kid[i]->xu;
		any_t = any_t || n->kid[i]->xt;
	}
	if (an->over)
		return;
	if (n->lit) {
		n->xu = n->sat == 0;
		n->xt = n->fal == 0;
		return;
	}
	cu = (n->kind == L_AND && any_u) || (n->kind == L_OR && all_u) ||
	     (n->kind == L_NOT && any_t);
	ct = (n->kind == L_OR && any_t) || (n->kind == L_AND && all_t) ||
	     (n->kind == L_NOT && any_u);
	if (n->sat == 0) {
		if (cu) {
			n->xu = true;
		} else if (n->ir && !n->hidden) {
			if (n->kind == L_NOT && n->kid[0]->hidden)
				report_always(an, n->kid[0], n);
			else
				report_never(an, n);
			n->xu = true;
		}
	}
	if (n->fal == 0) {
		if (ct) {
			n->xt = true;
		} else if (n->ir && !n->hidden) {
			report_always(an, n, NULL);
			n->xt = true;
		}
	}
}

void
lg_each_redundancy(struct an *an, struct lnode *n)
{
	size_t i;

	for (i = 0; i < n->n && !an->over; i++)
		lg_each_redundancy(an, n->kid[i]);
	if ((n->kind == L_AND || n->kind == L_OR) && n->n > 1 &&
	    n->sat == 1 && n->fal == 1 && !an->over)
		redundancy(an, n);
}

void
lg_compute(struct an *an, struct lnode *n)
{
	size_t i;

	for (i = 0; i < n->n && !an->over; i++)
		lg_compute(an, n->kid[i]);
	if (!an->over)
		lg_solve(an, n, 1, false);
	if (!an->over)
		lg_solve(an, n, 0, false);
}

/* The first reported never-true node that makes n never true. */
struct lnode *
lg_never_reason(struct lnode *n)
{
	size_t i;

	if (!n || !n->xu)
		return NULL;
	if (n->fu >= 0)
		return n;
	if (n->kind == L_AND || n->kind == L_OR)
		for (i = 0; i < n->n; i++)
			if (n->kid[i]->xu)
				return lg_never_reason(n->kid[i]);
	return NULL;
}

