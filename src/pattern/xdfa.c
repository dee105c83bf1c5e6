/*
 * xdfa.c - explicit DFAs for the operands of `~` and `&`: determinization
 * (the eager subset construction of dfa.c, capped at RX_MAX_DFA_STATES),
 * trimming, complement and the product construction (see internal.h).
 *
 * An explicit DFA lives in the build's arena until the compilation ends;
 * the work lists of trim() are rolled back as soon as it is done.
 */
#include "pattern/internal.h"

#include <string.h>

/* A DFA with room for n states over k classes, in the build's arena and
 * listed in b->dfas (a node's memo is its index there, plus one). */
static struct xdfa *
xdfa_new(struct build *b, uint32_t n, uint32_t k)
{
	struct arena *a = &b->scratch;
	struct xdfa *d = ARENA_NEW(a, struct xdfa);

	if (!d)
		return NULL;
	d->n = n;
	d->k = k;
	d->lo = ARENA_NEWV(a, uint32_t, k);
	d->next = ARENA_NEWV(a, int32_t, (size_t)n * k);
	d->acc = ARENA_NEWV(a, uint8_t, n);
	if (!d->lo || !d->next || !d->acc ||
	    vec_push_with(b->al, &b->dfas, d) < 0) {
		a->oom = true;
		return NULL;
	}
	return d;
}

/* Removes the states from which no accepting state is reachable (all are
 * reachable from state 0 by construction), renumbering the others.  The
 * reverse edges and the work list are scratch, rolled back at the end. */
static struct xdfa *
trim(struct build *b, struct xdfa *d)
{
	struct arena *a = &b->scratch;
	struct arena_mark mk = arena_mark(a);
	size_t n = d->n, k = d->k, i, c, nedge = 0, qh = 0, qt = 0;
	uint32_t *first, *src, *queue, *map;
	uint32_t kept = 0;

	if (!n)
		return d;
	first = ARENA_NEWV(a, uint32_t, n + 1);
	queue = ARENA_NEWV(a, uint32_t, n);
	map = ARENA_NEWV(a, uint32_t, n);
	if (!first || !queue || !map)
		goto fail;
	for (i = 0; i < n * k; i++)
		if (d->next[i] >= 0) {
			first[d->next[i] + 1]++;
			nedge++;
		}
	for (i = 0; i < n; i++)
		first[i + 1] += first[i];
	src = ARENA_NEWV(a, uint32_t, nedge);
	if (!src)
		goto fail;
	memcpy(map, first, n * sizeof *map);    /* fill cursors */
	for (i = 0; i < n * k; i++)
		if (d->next[i] >= 0)
			src[map[d->next[i]]++] = (uint32_t)(i / k);
	/* map[i]: 1 when i reaches acceptance */
	for (i = 0; i < n; i++) {
		map[i] = d->acc[i];
		if (d->acc[i])
			queue[qt++] = (uint32_t)i;
	}
	while (qh < qt) {
		uint32_t t = queue[qh++], e;
		for (e = first[t]; e < first[t + 1]; e++)
			if (!map[src[e]]) {
				map[src[e]] = 1;
				queue[qt++] = src[e];
			}
	}
	if (!map[0]) {
		d->n = 0;
		goto done;
	}
	for (i = 0; i < n; i++)
		map[i] = map[i] ? kept++ : NIL;
	for (i = 0; i < n; i++) {
		if (map[i] == NIL)
			continue;
		for (c = 0; c < k; c++) {
			int32_t t = d->next[i * k + c];
			d->next[(size_t)map[i] * k + c] =
				t >= 0 && map[t] != NIL ? (int32_t)map[t] : -1;
		}
		d->acc[map[i]] = d->acc[i];
	}
	d->n = kept;
done:
	arena_rollback(a, &mk);
	return d;
fail:
	arena_rollback(a, &mk);
	return NULL;
}

/* All strings not in x's language: x completed with a sink, acceptance
 * flipped, trimmed. */
static struct xdfa *
complement(struct build *b, const struct xdfa *x)
{
	size_t nk = (size_t)x->n * x->k, i;
	bool sink = x->n == 0;
	struct xdfa *d;

	for (i = 0; !sink && i < nk; i++)
		sink = x->next[i] < 0;
	d = xdfa_new(b, x->n + sink, x->k);
	if (!d)
		return NULL;
	memcpy(d->lo, x->lo, x->k * sizeof *d->lo);
	for (i = 0; i < nk; i++)
		d->next[i] = x->next[i] < 0 ? (int32_t)x->n : x->next[i];
	for (i = 0; i < x->n; i++)
		d->acc[i] = !x->acc[i];
	if (sink) {
		for (i = 0; i < x->k; i++)
			d->next[nk + i] = (int32_t)x->n;
		d->acc[x->n] = 1;
	}
	return trim(b, d);
}

/* The states of a product: pairs of x's and y's states, v[2s] and
 * v[2s + 1] for state s (a vec.h vector written out), indexed by a hash of
 * the pair. */
struct pairs {
	uint32_t *v;
	size_t n, cap;
	struct hash index;
};

/* The state numbered for the pair (a, z), added when new (states are
 * numbered in the order they are found); NIL over the cap or out of
 * memory. */
static uint32_t
pair_state(struct build *b, struct pairs *p, uint32_t a, uint32_t z)
{
	uint32_t h = hash_u64((uint64_t)a << 32 | z), pos, s;

	for (pos = hash_first(&p->index, h);
	     (s = hash_next(&p->index, h, &pos)) != HASH_NONE;)
		if (p->v[2 * s] == a && p->v[2 * s + 1] == z)
			return s;
	s = (uint32_t)(p->n / 2);
	if (s >= RX_MAX_DFA_STATES)
		return rx_fail(b, b->cur_off, RX_TOO_COMPLEX);
	if (!RX_RESERVE(b, p, p->n + 2))
		return NIL;
	if (hash_add(&p->index, h, s) < 0) {
		b->scratch.oom = true;
		return NIL;
	}
	p->v[p->n++] = a;
	p->v[p->n++] = z;
	return s;
}

/* The product of x and y over the common refinement of their classes,
 * capped at RX_MAX_DFA_STATES states. */
static struct xdfa *
intersect(struct build *b, const struct xdfa *x, const struct xdfa *y)
{
	struct arena *a = &b->scratch;
	uint32_t *lo, *m1, *m2;
	struct pairs pairs = { NULL, 0, 0, HASH_INIT };
	VEC(int32_t) next = VEC_INIT;
	VEC(uint8_t) acc = VEC_INIT;
	size_t k = 0, i = 0, j = 0, r, c;
	struct xdfa *d = NULL;

	if (!x->n || !y->n) {
		d = xdfa_new(b, 0, 1);
		if (d)
			d->lo[0] = 0;
		return d;
	}
	pairs.index.al = b->al;
	lo = ARENA_NEWV(a, uint32_t, (size_t)x->k + y->k);
	m1 = ARENA_NEWV(a, uint32_t, (size_t)x->k + y->k);
	m2 = ARENA_NEWV(a, uint32_t, (size_t)x->k + y->k);
	if (!lo || !m1 || !m2)
		goto out;
	/* merge the class starts; m1, m2: the class in x, y */
	while (i < x->k || j < y->k) {
		uint32_t v = j >= y->k || (i < x->k && x->lo[i] <= y->lo[j])
				     ? x->lo[i] : y->lo[j];
		if (i < x->k && x->lo[i] == v)
			i++;
		if (j < y->k && y->lo[j] == v)
			j++;
		lo[k] = v;
		m1[k] = (uint32_t)i - 1;
		m2[k] = (uint32_t)j - 1;
		k++;
	}
	if (pair_state(b, &pairs, 0, 0) == NIL)
		goto out;
	for (r = 0; r < pairs.n / 2; r++) {
		const int32_t *rowx = x->next + (size_t)pairs.v[2 * r] * x->k;
		const int32_t *rowy =
			y->next + (size_t)pairs.v[2 * r + 1] * y->k;

		if (!RX_RESERVE(b, &next, (r + 1) * k) ||
		    !RX_RESERVE(b, &acc, r + 1))
			goto out;
		acc.v[acc.n++] = x->acc[pairs.v[2 * r]] &&
				 y->acc[pairs.v[2 * r + 1]];
		for (c = 0; c < k; c++) {
			int32_t t1 = rowx[m1[c]], t2 = rowy[m2[c]];
			uint32_t s;

			next.v[next.n++] = -1;
			if (t1 < 0 || t2 < 0)
				continue;
			s = pair_state(b, &pairs, (uint32_t)t1,
				       (uint32_t)t2);
			if (s == NIL)
				goto out;
			next.v[next.n - 1] = (int32_t)s;
		}
	}
	d = xdfa_new(b, (uint32_t)acc.n, (uint32_t)k);
	if (d) {
		memcpy(d->lo, lo, k * sizeof *lo);
		memcpy(d->next, next.v, acc.n * k * sizeof *next.v);
		memcpy(d->acc, acc.v, acc.n);
		d = trim(b, d);
	}
out:
	vec_free_with(b->al, &pairs);
	vec_free_with(b->al, &next);
	vec_free_with(b->al, &acc);
	hash_free(&pairs.index);
	return d;
}

/* Determinizes the language of node x (eagerly, capped): its own NFA,
 * classes and subset construction, all released when done. */
static struct xdfa *
determinize(struct build *b, uint32_t x)
{
	struct nfa f;
	struct dfa d;
	struct xdfa *res = NULL;
	uint32_t fin, start, *lo = NULL, k = 0, c;
	size_t r;
	int32_t s = FAIL;

	memset(&f, 0, sizeof f);
	memset(&d, 0, sizeof d);
	fin = rx_nfa_state(b, &f);
	start = fin == NIL ? NIL : rx_nfa_compile(b, &f, x, fin);
	if (start == NIL)
		goto out;
	if (!rx_classes(b->al, &f, &lo, &k) ||
	    !rx_dfa_init(&d, b->al, &f, k, fin, start, false,
			 RX_MAX_DFA_STATES, MAX_EAGER_BYTES)) {
		b->scratch.oom = true;
		goto out;
	}
	s = rx_dfa_start(&d);
	for (r = 0; s != FAIL && r < d.rows; r++)
		for (c = 0; c < k; c++)
			if (rx_dfa_step(&d, (int32_t)(r * d.stride * 4), c) ==
			    FAIL) {
				s = FAIL;
				break;
			}
	if (s == FAIL) {
		if (d.oom)
			b->scratch.oom = true;
		else
			rx_fail(b, b->cur_off, RX_TOO_COMPLEX);
		goto out;
	}
	res = xdfa_new(b, s == DEAD ? 0 : (uint32_t)d.rows, k);
	if (!res)
		goto out;
	memcpy(res->lo, lo, k * sizeof *lo);
	for (r = 0; r < res->n; r++) {
		int32_t flags = d.tab[r * d.stride + k];

		res->acc[r] = (flags & F_ACC) != 0;
		for (c = 0; c < k; c++) {
			int32_t t = d.tab[r * d.stride + c];
			res->next[r * k + c] =
				t >= 0 ? t / (int32_t)(4 * d.stride) : -1;
		}
	}
out:
	rx_dfa_free(&d);
	rx_release(b->al, lo);
	rx_nfa_free(b->al, &f);
	return res;
}

/* The DFA of node x, built once (repetitions embed it again). */
struct xdfa *
rx_xdfa_of(struct build *b, uint32_t x)
{
	const struct node *n = &b->nd.v[x];
	struct xdfa *d, *e;
	uint32_t i;

	if (n->memo)
		return b->dfas.v[n->memo - 1];
	switch (n->op) {
	case A_NOT:
		d = rx_xdfa_of(b, n->a);
		d = d ? complement(b, d) : NULL;
		break;
	case A_AND:
		d = rx_xdfa_of(b, b->kid.v[n->a]);
		for (i = 1; d && i < n->n; i++) {
			e = rx_xdfa_of(b, b->kid.v[n->a + i]);
			d = e ? intersect(b, d, e) : NULL;
		}
		break;
	default:
		d = determinize(b, x);
		break;
	}
	if (d)	/* d is the last one made */
		b->nd.v[x].memo = (uint32_t)b->dfas.n;
	return d;
}
