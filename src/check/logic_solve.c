/*
 * logic_solve.c - the search of the logic family (see logic.h): can a
 * node of the model evaluate to true (or false) for some event?
 */
#include <stdlib.h>
#include <string.h>

#include "check/logic.h"

/* --- the search -------------------------------------------------------- */

static bool
compatible(uint8_t t, int8_t b)
{
	return b == UNK || t == TV_X || t == (uint8_t)b;
}

/* Does class c of v agree with every assigned test of v? */
bool
lg_class_fits(const struct an *an, const struct var *v, size_t c)
{
	size_t s;

	for (s = 0; s < v->natoms; s++)
		if (!compatible(v->tt[c * v->natoms + s], an->val[v->atoms[s]]))
			return false;
	return true;
}

static bool
missing_fits(const struct an *an, const struct var *v)
{
	size_t s;

	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		int8_t b = an->val[v->atoms[s]];
		if (b != UNK && b != (t->kind == AK_NULL))
			return false;
	}
	return true;
}

/* Array field: can class c be an element, given the tests assigned
 * false?  With `need` >= 0, it must also pass test slot `need`. */
bool
lg_element_fits(const struct an *an, const struct var *v, size_t c, int need)
{
	size_t s;

	if (need >= 0 && v->tt[c * v->natoms + (size_t)need] == TV_F)
		return false;
	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		if (t->kind == AK_VAL && an->val[v->atoms[s]] == 0 &&
		    v->tt[c * v->natoms + s] == TV_T)
			return false;
	}
	return true;
}

/* Can the assigned tests of v hold together? */
static bool
consistent(struct an *an, int vi)
{
	const struct var *v = &an->vars[vi];
	size_t s, c;
	bool empty = false, nonempty = false, any_one = false;

	/* the budget counts class visits, so it bounds time */
	an->work += 1 + v->ncls;
	if (!v->array) {
		size_t as[64], na = 0;

		if (missing_fits(an, v))
			return true;
		/* lg_class_fits over the assigned slots only (usually a
		 * few of many): the classes see the same tests */
		for (s = 0; s < v->natoms && na < 64; s++)
			if (an->val[v->atoms[s]] != UNK)
				as[na++] = s;
		if (s < v->natoms) {
			for (c = 0; c < v->ncls; c++)
				if (lg_class_fits(an, v, c))
					return true;
			return false;
		}
		for (c = 0; c < v->ncls; c++) {
			const uint8_t *row = v->tt + c * v->natoms;
			size_t k;

			for (k = 0; k < na; k++)
				if (!compatible(row[as[k]],
						an->val[v->atoms[as[k]]]))
					break;
			if (k == na)
				return true;
		}
		return false;
	}
	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		int8_t b = an->val[v->atoms[s]];
		if (t->kind == AK_NULL) {
			empty |= b == 1;
			nonempty |= b == 0;
		} else {
			any_one |= b == 1;
		}
	}
	if (empty)
		return !nonempty && !any_one;
	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		bool found = false;
		if (t->kind != AK_VAL || an->val[v->atoms[s]] != 1)
			continue;
		for (c = 0; c < v->ncls && !found; c++)
			found = lg_element_fits(an, v, c, (int)s);
		if (!found)
			return false;
	}
	if (nonempty && !any_one) {
		for (c = 0; c < v->ncls; c++)
			if (lg_element_fits(an, v, c, -1))
				return true;
		return false;
	}
	return true;
}

/* Three-valued value of n under the current assignment. */
int
lg_eval(const struct an *an, const struct lnode *n)
{
	size_t i;
	int r, v;

	switch (n->kind) {
	case L_TRUE: return 1;
	case L_FALSE: return 0;
	case L_ATOM: return an->val[n->atom];
	case L_NOT:
		v = lg_eval(an, n->kid[0]);
		return v == UNK ? UNK : !v;
	case L_AND:
	case L_OR:
		r = n->kind == L_AND;
		for (i = 0; i < n->n; i++) {
			v = lg_eval(an, n->kid[i]);
			if (v == (n->kind == L_OR))
				return v;
			if (v == UNK)
				r = UNK;
		}
		return r;
	}
	return UNK;
}

static bool
spend(struct an *an)
{
	if (an->over)
		return false;
	if (++an->work > an->budget) {
		an->over = true;
		return false;
	}
	return true;
}

/* Assigns a test, checking its field; false (and unassigned) when the
 * field cannot agree. */
static bool
assign(struct an *an, int a, int b)
{
	an->val[a] = (int8_t)b;
	if (an->atoms[a].var >= 0 && !consistent(an, an->atoms[a].var)) {
		an->val[a] = UNK;
		return false;
	}
	return true;
}

/* Marks in an->pol how each test occurs under n: 1 positively, 2 under
 * an odd number of NOTs, 3 both. */
static void
polarity(struct an *an, const struct lnode *n, bool neg)
{
	size_t i;

	if (n->kind == L_ATOM)
		an->pol[n->atom] |= neg ? 2 : 1;
	for (i = 0; i < n->n; i++)
		polarity(an, n->kid[i], neg != (n->kind == L_NOT));
}

/* Like eval, and when the value is unknown, *pick is an unassigned test
 * inside a part whose value is still open: only tests that can still
 * matter are branched on (a decided part's tests are never tried). */
static int
eval_pick(const struct an *an, const struct lnode *n, int *pick)
{
	size_t i;
	int r, v, p = -1;

	switch (n->kind) {
	case L_TRUE: return 1;
	case L_FALSE: return 0;
	case L_ATOM:
		if (an->val[n->atom] == UNK)
			*pick = n->atom;
		return an->val[n->atom];
	case L_NOT:
		v = eval_pick(an, n->kid[0], pick);
		return v == UNK ? UNK : !v;
	case L_AND:
	case L_OR:
		r = n->kind == L_AND;
		for (i = 0; i < n->n; i++) {
			int q = -1;
			v = eval_pick(an, n->kid[i], &q);
			if (v == (n->kind == L_OR))
				return v;
			if (v == UNK) {
				r = UNK;
				if (p < 0)
					p = q;
			}
		}
		if (r == UNK)
			*pick = p;
		return r;
	}
	return UNK;
}

/* Backtracking until root evaluates to target; on success the
 * assignment stays.  Each test first gets the value that moves root
 * towards the target (by its polarity, an->pol), which finds an answer at
 * once in the usual case that one exists. */
static bool
dfs(struct an *an, const struct lnode *root, int target)
{
	int v, b, first, i, a = -1;

	if (!spend(an))
		return false;
	v = eval_pick(an, root, &a);
	if (v != UNK)
		return v == target;
	if (a < 0)
		return false;
	first = an->pol[a] == 2 ? !target : an->pol[a] == 1 ? target : 1;
	for (i = 0; i < 2; i++) {
		b = i ? !first : first;
		if (!assign(an, a, b))
			continue;
		if (dfs(an, root, target))
			return true;
		an->val[a] = UNK;
		if (an->over)
			return false;
	}
	return false;
}

static void
clear(struct an *an, const struct lnode *n)
{
	size_t i;

	for (i = 0; i < n->natm; i++)
		an->val[n->atm[i]] = UNK;
}

/* A node of kind k over some kids (made for one question). */
struct lnode *
lg_temp_node(struct an *an, enum lkind k, struct lnode **kids, size_t n)
{
	struct lnode *x = lg_new_node(an, k, NULL, n);

	if (!x)
		return NULL;
	memcpy(x->kid, kids, n * sizeof *kids);
	return lg_finish(an, x);
}

/* Union-find root. */
static size_t
uf_find(size_t *p, size_t i)
{
	while (p[i] != i)
		i = p[i] = p[p[i]];
	return i;
}

struct gk {
	int g;
	size_t kid;
};

static int
gk_order(const void *pa, const void *pb)
{
	const struct gk *a = pa, *b = pb;

	return a->g < b->g ? -1 : a->g > b->g;
}

/* Every kid of n must evaluate to target (AND true, OR false): kids
 * that share no field are independent, so each component is solved on
 * its own. */
static bool
solve_all(struct an *an, struct lnode *n, int target, bool keep)
{
	size_t *p, i, j, total = 0, m = 0;
	struct gk *gk;
	struct lnode **comp;
	bool ok = true;

	if (n->n == 0)
		return true;    /* AND() is true, OR() false */
	if (n->n == 1)
		return lg_solve(an, n->kid[0], target, keep);
	p = ARENA_NEWV(an->a, size_t, n->n);
	comp = ARENA_NEWV(an->a, struct lnode *, n->n);
	for (i = 0; i < n->n; i++)
		total += n->kid[i]->ngrp;
	gk = ARENA_NEWV(an->a, struct gk, total + 1);
	if (!p || !comp || !gk) {
		an->over = true;
		return false;
	}
	for (i = 0; i < n->n; i++) {
		p[i] = i;
		for (j = 0; j < n->kid[i]->ngrp; j++) {
			gk[m].g = n->kid[i]->grp[j];
			gk[m++].kid = i;
		}
	}
	qsort(gk, m, sizeof *gk, gk_order);
	for (i = 1; i < m; i++)
		if (gk[i].g == gk[i - 1].g)
			p[uf_find(p, gk[i].kid)] = uf_find(p, gk[i - 1].kid);
	/* kids whose value is already known come first: cheap refutations */
	for (i = 0; i < n->n && ok; i++) {
		int8_t known = target ? n->kid[i]->sat : n->kid[i]->fal;
		if (known == 0)
			ok = false;
	}
	for (i = 0; i < n->n && ok; i++) {
		size_t c = 0;
		if (uf_find(p, i) != i)
			continue;
		for (j = 0; j < n->n; j++)
			if (uf_find(p, j) == i)
				comp[c++] = n->kid[j];
		if (c == 1) {
			ok = lg_solve(an, comp[0], target, keep);
		} else {
			struct lnode *t = lg_temp_node(an, n->kind, comp, c);
			if (!t) {
				an->over = true;
				ok = false;
				break;
			}
			for (j = 0; j < t->natm; j++)
				an->pol[t->atm[j]] = 0;
			polarity(an, t, false);
			ok = dfs(an, t, target);
			if (ok && !keep)
				clear(an, t);
		}
	}
	if (!ok && keep)
		clear(an, n);
	return ok;
}

/* Can n evaluate to target?  The assignment must be clean for n's tests
 * on entry; with keep, a witness stays assigned on success. */
bool
lg_solve(struct an *an, struct lnode *n, int target, bool keep)
{
	int8_t *memo = target ? &n->sat : &n->fal;
	bool r = false;
	size_t i;

	if (*memo == 0)
		return false;
	if (*memo == 1 && !keep)
		return true;
	if (!spend(an))
		return false;
	switch (n->kind) {
	case L_TRUE:
	case L_FALSE:
		r = (n->kind == L_TRUE) == (target == 1);
		break;
	case L_ATOM:
		r = assign(an, n->atom, target);
		if (r && !keep)
			an->val[n->atom] = UNK;
		break;
	case L_NOT:
		r = lg_solve(an, n->kid[0], !target, keep);
		break;
	case L_AND:
	case L_OR:
		if ((n->kind == L_AND) == (target == 1)) {
			r = solve_all(an, n, target, keep);
		} else {
			for (i = 0; i < n->n && !r && !an->over; i++)
				r = lg_solve(an, n->kid[i], target, keep);
		}
		break;
	}
	if (!an->over)
		*memo = r;
	return r;
}

