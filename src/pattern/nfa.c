/*
 * nfa.c - syntax trees to the NFA: Thompson construction in
 * continuation-passing style, the left-factored union of a pattern set
 * (a trie of the patterns' token sequences), and the partition of the
 * alphabet into classes (see internal.h).
 */
#include "pattern/internal.h"

#include <string.h>

/* --- classes ------------------------------------------------------------- */

/* Partitions the alphabet at every range boundary of f (class c is
 * [lo[c], lo[c+1])) and rewrites every transition to a range of classes.
 * false when out of memory. */
bool
rx_classes(const struct rc_allocator *al, struct nfa *f, uint32_t **plo,
	   uint32_t *pk)
{
	bool oom = false;
	uint32_t *v = rx_alloc(al, &oom, 1 + 2 * f->tr.n, sizeof *v);
	size_t n = 1, i, k;

	if (!v)
		return false;
	v[0] = 0;
	for (i = 0; i < f->tr.n; i++) {
		v[n++] = f->tr.v[i].lo;
		if (f->tr.v[i].hi + 1 < CP_END)
			v[n++] = f->tr.v[i].hi + 1;
	}
	rx_sort_u32(v, n);
	for (i = k = 1; i < n; i++)
		if (v[i] != v[k - 1])
			v[k++] = v[i];
	for (i = 0; i < f->tr.n; i++) {
		f->tr.v[i].lo = rx_class_of(v, (uint32_t)k, f->tr.v[i].lo);
		f->tr.v[i].hi = rx_class_of(v, (uint32_t)k, f->tr.v[i].hi);
	}
	*plo = v;
	*pk = (uint32_t)k;
	return true;
}

/* --- Thompson construction ----------------------------------------------- */

/* A new state without edges; NIL (error recorded) past the NFA size
 * limit. */
uint32_t
rx_nfa_state(struct build *b, struct nfa *f)
{
	struct nstate *s;

	if (f->st.n >= RX_MAX_NFA_STATES)
		return rx_fail(b, b->cur_off, RX_TOO_COMPLEX);
	if (!RX_RESERVE(b, &f->st, f->st.n + 1))
		return NIL;
	s = &f->st.v[f->st.n];
	s->eps0 = s->eps1 = NIL;
	s->tr = (uint32_t)f->tr.n;
	s->ntr = 0;
	return (uint32_t)f->st.n++;
}

/* Adds a transition to state s, whose transitions are the last ones. */
static bool
add_trans(struct build *b, struct nfa *f, uint32_t s, uint32_t lo,
	  uint32_t hi, uint32_t to)
{
	struct ntrans *t;

	if (f->tr.n >= MAX_NFA_TRANS) {
		rx_fail(b, b->cur_off, RX_TOO_COMPLEX);
		return false;
	}
	if (!RX_RESERVE(b, &f->tr, f->tr.n + 1))
		return false;
	if (!f->st.v[s].ntr)
		f->st.v[s].tr = (uint32_t)f->tr.n;
	t = &f->tr.v[f->tr.n++];
	t->lo = lo;
	t->hi = hi;
	t->to = to;
	f->st.v[s].ntr++;
	return true;
}

/* One NFA state per state of d, an epsilon edge to `next` from the
 * accepting ones; adjacent classes with the same target make one range. */
static uint32_t
embed(struct build *b, struct nfa *f, const struct xdfa *d, uint32_t next)
{
	uint32_t base = (uint32_t)f->st.n, i, c, e;

	if (!d)
		return NIL;
	if (!d->n)
		return rx_nfa_state(b, f);
	if (f->st.n + d->n > RX_MAX_NFA_STATES)
		return rx_fail(b, b->cur_off, RX_TOO_COMPLEX);
	for (i = 0; i < d->n; i++)
		if (rx_nfa_state(b, f) == NIL)
			return NIL;
	for (i = 0; i < d->n; i++) {
		const int32_t *row = d->next + (size_t)i * d->k;

		if (d->acc[i])
			f->st.v[base + i].eps0 = next;
		for (c = 0; c < d->k; c = e) {
			for (e = c + 1; e < d->k && row[e] == row[c]; e++)
				;
			if (row[c] >= 0 &&
			    !add_trans(b, f, base + i, d->lo[c],
				       e < d->k ? d->lo[e] - 1 : INV,
				       base + (uint32_t)row[c]))
				return NIL;
		}
	}
	return base;
}

/* A new state s with an epsilon edge to the kid, which continues at `cont`
 * (at s itself when loop), and one to `next`: an optional or repeated
 * kid, or one branch of an alternation. */
static uint32_t
choice(struct build *b, struct nfa *f, uint32_t kid, uint32_t cont,
       uint32_t next, bool loop)
{
	uint32_t s = rx_nfa_state(b, f), k;

	if (s == NIL)
		return NIL;
	k = rx_nfa_compile(b, f, kid, loop ? s : cont);
	if (k == NIL)
		return NIL;
	f->st.v[s].eps0 = k;
	f->st.v[s].eps1 = next;
	return s;
}

/* x{min,max}: min copies, then max - min optional ones (each of which may
 * end the repetition), or a loop when unbounded. */
static uint32_t
compile_rep(struct build *b, struct nfa *f, uint32_t x, uint32_t next)
{
	const struct node *n = &b->nd.v[x];
	uint32_t t = next, i, saved = b->cur_off;
	size_t before;

	if (!b->reps++)
		b->cur_off = n->off;
	if (n->max == INF)
		t = choice(b, f, n->a, NIL, next, true);
	else
		for (i = n->min; i < n->max && t != NIL; i++)
			t = choice(b, f, n->a, t, next, false);
	for (i = 0; i < n->min && t != NIL; i++) {
		before = f->st.n;
		t = rx_nfa_compile(b, f, n->a, t);
		if (f->st.n == before)
			break;          /* the kid adds no state: done */
	}
	b->reps--;
	b->cur_off = saved;
	return t;
}

/* The state that matches node x and continues at `next`. */
uint32_t
rx_nfa_compile(struct build *b, struct nfa *f, uint32_t x, uint32_t next)
{
	const struct node *n = &b->nd.v[x];
	uint32_t s, t, i, saved;

	if (next == NIL)
		return NIL;
	switch ((enum op)n->op) {
	case A_EPS:
		return next;
	case A_NONE:
		return rx_nfa_state(b, f);
	case A_SET:
		s = rx_nfa_state(b, f);
		for (i = 0; s != NIL && i < n->n; i++)
			if (!add_trans(b, f, s, b->rng.v[n->a + i].lo,
				       b->rng.v[n->a + i].hi, next))
				return NIL;
		return s;
	case A_CAT:
		for (i = n->n; i-- > 0 && next != NIL;)
			next = rx_nfa_compile(b, f, b->kid.v[n->a + i], next);
		return next;
	case A_ALT:
		t = rx_nfa_compile(b, f, b->kid.v[n->a + n->n - 1], next);
		for (i = n->n - 1; i-- > 0 && t != NIL;)
			t = choice(b, f, b->kid.v[n->a + i], next, t, false);
		return t;
	case A_REP:
		return compile_rep(b, f, x, next);
	case A_NOT:
	case A_AND:
		saved = b->cur_off;
		if (!b->reps)
			b->cur_off = n->off;
		t = embed(b, f, rx_xdfa_of(b, x), next);
		b->cur_off = saved;
		return t;
	}
	return NIL;
}

/* Do nodes x and y denote the same language by the same structure? */
static bool
same(const struct build *b, uint32_t x, uint32_t y)
{
	const struct node *p = &b->nd.v[x], *q = &b->nd.v[y];
	uint32_t i;

	if (x == y)
		return true;
	if (p->op != q->op || p->n != q->n)
		return false;
	switch (p->op) {
	case A_SET:
		return !memcmp(b->rng.v + p->a, b->rng.v + q->a,
			       p->n * sizeof *b->rng.v);
	case A_REP:
		return p->min == q->min && p->max == q->max &&
		       same(b, p->a, q->a);
	case A_NOT:
		return same(b, p->a, q->a);
	case A_CAT:
	case A_ALT:
	case A_AND:
		for (i = 0; i < p->n; i++)
			if (!same(b, b->kid.v[p->a + i], b->kid.v[q->a + i]))
				return false;
		return true;
	default:
		return true;
	}
}

static uint32_t
trie_node(struct build *b, uint32_t label)
{
	struct trie *t;

	if (!RX_RESERVE(b, &b->trie, b->trie.n + 1))
		return NIL;
	t = &b->trie.v[b->trie.n];
	t->label = label;
	t->kid = t->next = t->start = NIL;
	t->pat = (uint32_t)b->pat;
	t->end = false;
	return (uint32_t)b->trie.n++;
}

/* Adds the token sequence of pattern `root` to the trie. */
static bool
trie_add(struct build *b, uint32_t root)
{
	const struct node *r = &b->nd.v[root];
	uint32_t n = r->op == A_CAT ? r->n : 1, i, t = 0, c;

	for (i = 0; i < n; i++) {
		uint32_t lab = r->op == A_CAT ? b->kid.v[r->a + i] : root;

		for (c = b->trie.v[t].kid; c != NIL; c = b->trie.v[c].next)
			if (same(b, b->trie.v[c].label, lab))
				break;
		if (c == NIL) {
			c = trie_node(b, lab);
			if (c == NIL)
				return false;
			b->trie.v[c].next = b->trie.v[t].kid;
			b->trie.v[t].kid = c;
		}
		t = c;
	}
	b->trie.v[t].end = true;
	return true;
}

/* Parses the n patterns, then builds the NFA of their union into f.  The
 * union is left-factored through a trie (a x | a y = a (x | y)), so that
 * patterns sharing a prefix share its states: above all the leading `*`
 * of many wildcards, which would otherwise sit in every DFA state once per
 * pattern.  Trie nodes are compiled children first (a child's index is
 * above its parent's), each to the union of its children and the final
 * state when a pattern ends there. */
bool
rx_nfa_build(struct build *b, const struct rx_pattern *pat, size_t n,
	     unsigned flags, struct nfa *f, uint32_t *pstart, uint32_t *pfin)
{
	uint32_t *roots = NULL, fin, t, s, sp, k, c;
	size_t i;
	bool ok = false;

	if (n && !(roots = rx_alloc(b->al, &b->scratch.oom, n, sizeof *roots)))
		return false;
	for (i = 0; i < n; i++) {
		b->pat = i;
		roots[i] = rx_parse(b, &pat[i], flags);
		if (roots[i] == NIL)
			goto out;
	}
	b->trie.n = 0;
	if (trie_node(b, NIL) == NIL)
		goto out;
	for (i = 0; i < n; i++) {
		b->pat = i;
		if (!trie_add(b, roots[i]))
			goto out;
	}
	fin = rx_nfa_state(b, f);
	if (fin == NIL)
		goto out;
	for (t = (uint32_t)b->trie.n; t-- > 0;) {
		s = b->trie.v[t].end ? fin : NIL;
		for (c = b->trie.v[t].kid; c != NIL; c = b->trie.v[c].next) {
			b->pat = b->trie.v[c].pat;
			b->cur_off = 0;
			k = rx_nfa_compile(b, f, b->trie.v[c].label,
					   b->trie.v[c].start);
			if (k == NIL)
				goto out;
			if (s == NIL) {
				s = k;
				continue;
			}
			if ((sp = rx_nfa_state(b, f)) == NIL)
				goto out;
			f->st.v[sp].eps0 = k;
			f->st.v[sp].eps1 = s;
			s = sp;
		}
		if (s == NIL && (s = rx_nfa_state(b, f)) == NIL)
			goto out;       /* no pattern: a dead end */
		b->trie.v[t].start = s;
	}
	*pstart = b->trie.v[0].start;
	*pfin = fin;
	ok = true;
out:
	rx_release(b->al, roots);
	return ok;
}


void
rx_nfa_free(const struct rc_allocator *al, struct nfa *f)
{
	vec_free_with(al, &f->st);
	vec_free_with(al, &f->tr);
}
