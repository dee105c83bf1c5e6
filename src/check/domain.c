/*
 * domain.c - value sets for the logic checks (see domain.h).
 */
#include "check/domain.h"

#include "sema/literal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"

/* --- 128-bit integers -------------------------------------------------- */

int
u128_cmp(struct u128 a, struct u128 b)
{
	if (a.hi != b.hi)
		return a.hi < b.hi ? -1 : 1;
	if (a.lo != b.lo)
		return a.lo < b.lo ? -1 : 1;
	return 0;
}

struct u128
u128_add1(struct u128 a)
{
	if (++a.lo == 0)
		a.hi++;
	return a;
}

struct u128
u128_sub1(struct u128 a)
{
	if (a.lo-- == 0)
		a.hi--;
	return a;
}

/* --- range sets ------------------------------------------------------------ */

static int
rng_order(const void *pa, const void *pb)
{
	const struct rng *a = pa, *b = pb;
	int c = u128_cmp(a->lo, b->lo);

	return c ? c : u128_cmp(a->hi, b->hi);
}

/* Sorts and merges v[0..n) in place; returns the new count.  Ranges with
 * lo > hi are dropped. */
static size_t
normalise(struct rng *v, size_t n)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		if (u128_cmp(v[i].lo, v[i].hi) <= 0)
			v[m++] = v[i];
	n = m;
	if (n < 2)
		return n;
	qsort(v, n, sizeof *v, rng_order);
	m = 0;
	for (i = 1; i < n; i++) {
		/* merge when overlapping or adjacent */
		if (u128_is_max(v[m].hi) ||
		    u128_cmp(v[i].lo, u128_add1(v[m].hi)) <= 0) {
			if (u128_cmp(v[i].hi, v[m].hi) > 0)
				v[m].hi = v[i].hi;
		} else {
			v[++m] = v[i];
		}
	}
	return m + 1;
}

bool
rset_make(struct arena *a, const struct rng *v, size_t n, struct rset *out)
{
	struct rng *c = ARENA_NEWV(a, struct rng, n ? n : 1);

	if (!c)
		return false;
	if (n)
		memcpy(c, v, n * sizeof *v);
	out->v = c;
	out->n = normalise(c, n);
	return true;
}

bool
rset_union(struct arena *a, struct rset x, struct rset y, struct rset *out)
{
	struct rng *c = ARENA_NEWV(a, struct rng, x.n + y.n ? x.n + y.n : 1);

	if (!c)
		return false;
	if (x.n)
		memcpy(c, x.v, x.n * sizeof *c);
	if (y.n)
		memcpy(c + x.n, y.v, y.n * sizeof *c);
	out->v = c;
	out->n = normalise(c, x.n + y.n);
	return true;
}

bool
rset_inter(struct arena *a, struct rset x, struct rset y, struct rset *out)
{
	struct rng *c = ARENA_NEWV(a, struct rng, x.n + y.n ? x.n + y.n : 1);
	size_t i = 0, j = 0, m = 0;

	if (!c)
		return false;
	while (i < x.n && j < y.n) {
		struct u128 lo = u128_cmp(x.v[i].lo, y.v[j].lo) > 0 ? x.v[i].lo
								  : y.v[j].lo;
		struct u128 hi = u128_cmp(x.v[i].hi, y.v[j].hi) < 0 ? x.v[i].hi
								  : y.v[j].hi;
		if (u128_cmp(lo, hi) <= 0) {
			c[m].lo = lo;
			c[m++].hi = hi;
		}
		if (u128_cmp(x.v[i].hi, y.v[j].hi) < 0)
			i++;
		else
			j++;
	}
	out->v = c;
	out->n = m;
	return true;
}

bool
rset_complement(struct arena *a, struct rset x, struct rng universe,
		struct rset *out)
{
	struct rng *c = ARENA_NEWV(a, struct rng, x.n + 1);
	struct u128 next = universe.lo;
	bool done = false;
	size_t i, m = 0;

	if (!c)
		return false;
	for (i = 0; i < x.n && !done; i++) {
		if (u128_cmp(x.v[i].hi, universe.lo) < 0)
			continue;
		if (u128_cmp(x.v[i].lo, universe.hi) > 0)
			break;
		if (u128_cmp(x.v[i].lo, next) > 0) {
			c[m].lo = next;
			c[m++].hi = u128_sub1(x.v[i].lo);
		}
		if (u128_cmp(x.v[i].hi, universe.hi) >= 0)
			done = true;
		else
			next = u128_add1(x.v[i].hi);
	}
	if (!done) {
		c[m].lo = next;
		c[m++].hi = universe.hi;
	}
	out->v = c;
	out->n = m;
	return true;
}

bool
rset_has(struct rset s, struct u128 x)
{
	size_t lo = 0, hi = s.n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (u128_cmp(x, s.v[mid].lo) < 0)
			hi = mid;
		else if (u128_cmp(x, s.v[mid].hi) > 0)
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

bool
rset_subset(struct rset x, struct rset y)
{
	size_t i, j = 0;

	/* y's ranges are maximal, so each range of x must fit in one */
	for (i = 0; i < x.n; i++) {
		while (j < y.n && u128_cmp(y.v[j].hi, x.v[i].lo) < 0)
			j++;
		if (j == y.n || u128_cmp(y.v[j].lo, x.v[i].lo) > 0 ||
		    u128_cmp(y.v[j].hi, x.v[i].hi) < 0)
			return false;
	}
	return true;
}

bool
rset_equal(struct rset x, struct rset y)
{
	size_t i;

	if (x.n != y.n)
		return false;
	for (i = 0; i < x.n; i++)
		if (u128_cmp(x.v[i].lo, y.v[i].lo) || u128_cmp(x.v[i].hi, y.v[i].hi))
			return false;
	return true;
}

/* --- IP addresses ------------------------------------------------------------ */

struct rng
dom_ip_v4_space(void)
{
	struct rng r = { { 0, 0xffff00000000u }, { 0, 0xffffffffffffu } };
	return r;
}

struct rng
dom_ip_all(void)
{
	struct rng r = { { 0, 0 }, { UINT64_MAX, UINT64_MAX } };
	return r;
}

/* The network mask of a prefix of `bits` (0..128) leading ones. */
static struct u128
mask_of(unsigned bits)
{
	struct u128 m = { 0, 0 };

	if (bits >= 128)
		return u128_make(UINT64_MAX, UINT64_MAX);
	if (bits > 64) {
		m.hi = UINT64_MAX;
		m.lo = UINT64_MAX << (128 - bits);
	} else if (bits > 0) {
		m.hi = bits == 64 ? UINT64_MAX : UINT64_MAX << (64 - bits);
	}
	return m;
}

unsigned
dom_ip_parse(const char *s, size_t len, struct rng *out)
{
	uint8_t b[16];
	unsigned fam, prefix, bits, i;
	struct u128 addr, m;

	/* one parser for IP literals in the whole program */
	fam = lit_parse_cidr(s, len, b, &prefix);
	if (fam == 6) {
		addr.hi = addr.lo = 0;
		for (i = 0; i < 8; i++) {
			addr.hi = (addr.hi << 8) | b[i];
			addr.lo = (addr.lo << 8) | b[i + 8];
		}
		bits = prefix;
	} else if (fam == 4) {
		uint32_t v4 = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
			      (uint32_t)b[2] << 8 | b[3];
		addr = u128_make(0, 0xffff00000000u | v4);
		bits = prefix + 96;
	} else {
		return 0;
	}
	m = mask_of(bits);
	out->lo = u128_make(addr.hi & m.hi, addr.lo & m.lo);
	out->hi = u128_make(addr.hi | ~m.hi, addr.lo | ~m.lo);
	return fam;
}

void
dom_ip_format(struct u128 a, char buf[DOM_IP_BUF])
{
	uint16_t g[8];
	int i, best = -1, bestlen = 0, run = 0;
	size_t n = 0;

	if (dom_ip_is_v4(a)) {
		snprintf(buf, DOM_IP_BUF, "%u.%u.%u.%u",
			 (unsigned)(a.lo >> 24) & 255, (unsigned)(a.lo >> 16) & 255,
			 (unsigned)(a.lo >> 8) & 255, (unsigned)a.lo & 255);
		return;
	}
	for (i = 0; i < 4; i++) {
		g[i] = (uint16_t)(a.hi >> (48 - 16 * i));
		g[i + 4] = (uint16_t)(a.lo >> (48 - 16 * i));
	}
	/* the longest run of two or more zero groups, the first on a tie */
	for (i = 0; i < 8; i++) {
		run = g[i] == 0 ? run + 1 : 0;
		if (run > bestlen) {
			bestlen = run;
			best = i - run + 1;
		}
	}
	if (bestlen < 2)
		best = -1;
	for (i = 0; i < 8; i++) {
		if (i == best) {
			n += (size_t)snprintf(buf + n, DOM_IP_BUF - n, "::");
			i += bestlen - 1;
			continue;
		}
		if (i > 0 && i != best + bestlen)
			buf[n++] = ':';
		n += (size_t)snprintf(buf + n, DOM_IP_BUF - n, "%x", g[i]);
	}
	buf[n] = '\0';
}

void
dom_ip_format_range(struct rng r, char buf[2 * DOM_IP_BUF + 2])
{
	char a[DOM_IP_BUF], b[DOM_IP_BUF];
	struct u128 x = { r.lo.hi ^ r.hi.hi, r.lo.lo ^ r.hi.lo };
	unsigned ones = 0;
	bool block;

	dom_ip_format(r.lo, a);
	if (u128_cmp(r.lo, r.hi) == 0) {
		snprintf(buf, 2 * DOM_IP_BUF + 2, "%s", a);
		return;
	}
	/* a network: lo and hi differ in a run of low bits, all 0 in lo */
	block = ((x.lo & (x.lo + 1)) == 0 && (x.hi == 0 || x.lo == UINT64_MAX) &&
		 (x.hi & (x.hi + 1)) == 0) &&
		(r.lo.hi & x.hi) == 0 && (r.lo.lo & x.lo) == 0 &&
		(r.hi.hi & x.hi) == x.hi && (r.hi.lo & x.lo) == x.lo;
	if (block) {
		uint64_t t;
		for (t = x.hi; t; t >>= 1)
			ones++;
		for (t = x.lo; t; t >>= 1)
			ones++;
		if (dom_ip_is_v4(r.lo) && dom_ip_is_v4(r.hi))
			snprintf(buf, 2 * DOM_IP_BUF + 2, "%s/%u", a, 32 - ones);
		else
			snprintf(buf, 2 * DOM_IP_BUF + 2, "%s/%u", a, 128 - ones);
		return;
	}
	dom_ip_format(r.hi, b);
	snprintf(buf, 2 * DOM_IP_BUF + 2, "%s-%s", a, b);
}

/* --- integers ------------------------------------------------------------------ */

struct u128
dom_int_key(int64_t x)
{
	return u128_make(0, (uint64_t)x ^ UINT64_C(0x8000000000000000));
}

int64_t
dom_int_of_key(struct u128 k)
{
	uint64_t u = k.lo ^ UINT64_C(0x8000000000000000);
	int64_t x;

	memcpy(&x, &u, sizeof x);
	return x;
}

struct rng
dom_int_all(void)
{
	struct rng r = { { 0, 0 }, { 0, UINT64_MAX } };
	return r;
}

/* --- real numbers ----------------------------------------------------------- */

static bool
niv_empty(const struct niv *v)
{
	return v->lo > v->hi || (v->lo == v->hi && (v->lo_open || v->hi_open));
}

static int
niv_order(const void *pa, const void *pb)
{
	const struct niv *a = pa, *b = pb;

	if (a->lo != b->lo)
		return a->lo < b->lo ? -1 : 1;
	return (int)a->lo_open - (int)b->lo_open;     /* closed first */
}

/* Sorts and merges v[0..n) in place; returns the new count. */
static size_t
nnormalise(struct niv *v, size_t n)
{
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		if (isnan(v[i].lo) || isnan(v[i].hi))
			continue;
		if (isinf(v[i].lo))
			v[i].lo_open = true;
		if (isinf(v[i].hi))
			v[i].hi_open = true;
		if (!niv_empty(&v[i]))
			v[m++] = v[i];
	}
	n = m;
	if (n < 2)
		return n;
	qsort(v, n, sizeof *v, niv_order);
	m = 0;
	for (i = 1; i < n; i++) {
		struct niv *p = &v[m];
		bool touch = v[i].lo < p->hi ||
			     (v[i].lo == p->hi && !(p->hi_open && v[i].lo_open));
		if (touch) {
			if (v[i].hi > p->hi) {
				p->hi = v[i].hi;
				p->hi_open = v[i].hi_open;
			} else if (v[i].hi == p->hi) {
				p->hi_open = p->hi_open && v[i].hi_open;
			}
		} else {
			v[++m] = v[i];
		}
	}
	return m + 1;
}

bool
nset_make(struct arena *a, const struct niv *v, size_t n, struct nset *out)
{
	struct niv *c = ARENA_NEWV(a, struct niv, n ? n : 1);

	if (!c)
		return false;
	if (n)
		memcpy(c, v, n * sizeof *v);
	out->v = c;
	out->n = nnormalise(c, n);
	return true;
}

bool
nset_cmp(struct arena *a, enum dom_op op, double c, struct nset *out)
{
	struct niv v[2];
	size_t n = 1;

	v[0].lo = -HUGE_VAL;
	v[0].hi = HUGE_VAL;
	v[0].lo_open = v[0].hi_open = true;
	if (isnan(c))
		return nset_make(a, v, op == DOM_NE ? 1 : 0, out);
	switch (op) {
	case DOM_EQ:
		v[0].lo = v[0].hi = c;
		v[0].lo_open = v[0].hi_open = false;
		break;
	case DOM_NE:
		v[0].hi = c;
		v[1] = v[0];
		v[1].lo = c;
		v[1].hi = HUGE_VAL;
		n = 2;
		break;
	case DOM_LT:
	case DOM_LE:
		v[0].hi = c;
		v[0].hi_open = op == DOM_LT;
		break;
	case DOM_GT:
	case DOM_GE:
		v[0].lo = c;
		v[0].lo_open = op == DOM_GT;
		break;
	}
	return nset_make(a, v, n, out);
}

bool
nset_union(struct arena *a, struct nset x, struct nset y, struct nset *out)
{
	struct niv *c = ARENA_NEWV(a, struct niv, x.n + y.n ? x.n + y.n : 1);

	if (!c)
		return false;
	if (x.n)
		memcpy(c, x.v, x.n * sizeof *c);
	if (y.n)
		memcpy(c + x.n, y.v, y.n * sizeof *c);
	out->v = c;
	out->n = nnormalise(c, x.n + y.n);
	return true;
}

bool
nset_inter(struct arena *a, struct nset x, struct nset y, struct nset *out)
{
	struct niv *c = ARENA_NEWV(a, struct niv, x.n + y.n ? x.n + y.n : 1);
	size_t i = 0, j = 0, m = 0;

	if (!c)
		return false;
	while (i < x.n && j < y.n) {
		const struct niv *p = &x.v[i], *q = &y.v[j];
		struct niv r;
		bool p_ends_first;

		if (p->lo > q->lo) {
			r.lo = p->lo;
			r.lo_open = p->lo_open;
		} else if (p->lo < q->lo) {
			r.lo = q->lo;
			r.lo_open = q->lo_open;
		} else {
			r.lo = p->lo;
			r.lo_open = p->lo_open || q->lo_open;
		}
		if (p->hi < q->hi) {
			r.hi = p->hi;
			r.hi_open = p->hi_open;
		} else if (p->hi > q->hi) {
			r.hi = q->hi;
			r.hi_open = q->hi_open;
		} else {
			r.hi = p->hi;
			r.hi_open = p->hi_open || q->hi_open;
		}
		if (!niv_empty(&r))
			c[m++] = r;
		p_ends_first = p->hi < q->hi ||
			       (p->hi == q->hi && p->hi_open && !q->hi_open);
		if (p_ends_first)
			i++;
		else
			j++;
	}
	out->v = c;
	out->n = m;
	return true;
}

bool
nset_complement(struct arena *a, struct nset x, struct nset *out)
{
	struct niv *c = ARENA_NEWV(a, struct niv, x.n + 1);
	struct niv g;
	size_t i, m = 0;

	if (!c)
		return false;
	g.lo = -HUGE_VAL;
	g.lo_open = true;
	for (i = 0; i < x.n; i++) {
		g.hi = x.v[i].lo;
		g.hi_open = !x.v[i].lo_open;
		if (!niv_empty(&g) && !(isinf(g.hi) && g.hi < 0))
			c[m++] = g;
		g.lo = x.v[i].hi;
		g.lo_open = !x.v[i].hi_open;
	}
	g.hi = HUGE_VAL;
	g.hi_open = true;
	if (!(isinf(g.lo) && g.lo > 0) && !niv_empty(&g))
		c[m++] = g;
	out->v = c;
	out->n = m;
	return true;
}

bool
nset_has(struct nset s, double x)
{
	size_t i;

	for (i = 0; i < s.n; i++) {
		const struct niv *v = &s.v[i];
		if (x < v->lo || (x == v->lo && v->lo_open))
			return false;   /* sorted: later ones start higher */
		if (x < v->hi || (x == v->hi && !v->hi_open))
			return true;
	}
	return false;
}

/* --- case ------------------------------------------------------------------------ */


/* --- globs ----------------------------------------------------------------------- */

bool
glob_wildcard(struct arena *a, const char *s, size_t len, bool ci,
	      struct glob *out)
{
	uint16_t *t = ARENA_NEWV(a, uint16_t, len ? len : 1);
	size_t i;

	if (!t)
		return false;
	for (i = 0; i < len; i++)
		t[i] = s[i] == '*' ? GLOB_STAR
		       : s[i] == '?' ? GLOB_ONE : (unsigned char)s[i];
	out->t = t;
	out->n = len;
	out->ci = ci;
	return true;
}

bool
glob_affix(struct arena *a, const char *s, size_t len, bool ci,
	   bool star_before, bool star_after, struct glob *out)
{
	uint16_t *t = ARENA_NEWV(a, uint16_t, len + 2);
	size_t i, n = 0;

	if (!t)
		return false;
	if (star_before)
		t[n++] = GLOB_STAR;
	for (i = 0; i < len; i++)
		t[n++] = (unsigned char)s[i];
	if (star_after && !(star_before && len == 0))
		t[n++] = GLOB_STAR;
	out->t = t;
	out->n = n;
	out->ci = ci;
	return true;
}

bool
glob_is_literal(const struct glob *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		if (g->t[i] >= 256)
			return false;
	return true;
}

static bool
byte_eq(unsigned a, unsigned b, bool ci)
{
	return ci ? text_fold((unsigned char)a) == text_fold((unsigned char)b)
		  : a == b;
}

/* The length of the UTF-8 character at s[j] (1 for a stray byte). */
static size_t
char_len(const char *s, size_t len, size_t j)
{
	size_t k = j + 1;

	if ((unsigned char)s[j] < 0xc0)
		return 1;
	while (k < len && ((unsigned char)s[k] & 0xc0) == 0x80)
		k++;
	return k - j;
}

bool
glob_match(const struct glob *g, const char *s, size_t len)
{
	size_t i = 0, j = 0, star = (size_t)-1, mark = 0;

	/* greedy with one backtrack point: exact for `*` and `?` */
	while (j < len) {
		if (i < g->n && g->t[i] == GLOB_ONE) {
			i++;
			j += char_len(s, len, j);
		} else if (i < g->n && g->t[i] < 256 &&
			   byte_eq(g->t[i], (unsigned char)s[j], g->ci)) {
			i++;
			j++;
		} else if (i < g->n && g->t[i] == GLOB_STAR) {
			star = i++;
			mark = j;
		} else if (star != (size_t)-1) {
			/* let the star take one more character (not byte),
			 * so that a `?` never starts inside a character */
			i = star + 1;
			mark += char_len(s, len, mark);
			j = mark;
		} else {
			return false;
		}
	}
	while (i < g->n && g->t[i] == GLOB_STAR)
		i++;
	return i == g->n;
}

/* Rewrites each run of wildcards as its `?`s followed by at most one `*`
 * (the same language); returns the new length. */
static size_t
canon(const uint16_t *t, size_t n, uint16_t *out)
{
	size_t i = 0, m = 0;

	while (i < n) {
		size_t ones = 0;
		bool star = false;

		if (t[i] < 256) {
			out[m++] = t[i++];
			continue;
		}
		for (; i < n && t[i] >= 256; i++) {
			if (t[i] == GLOB_ONE)
				ones++;
			else
				star = true;
		}
		while (ones--)
			out[m++] = GLOB_ONE;
		if (star)
			out[m++] = GLOB_STAR;
	}
	return m;
}

/* Can p's literal byte a stand for q's literal byte b in every text q
 * matches? */
static bool
lit_covers(unsigned a, bool pci, unsigned b, bool qci)
{
	unsigned char fb = text_fold((unsigned char)b);
	bool letter = fb >= 'a' && fb <= 'z';

	if (qci && letter && !pci)
		return false;   /* q allows both cases, p only one */
	return byte_eq(a, b, pci || qci);
}

/* A quick necessary condition for p to cover q: p's longest run of
 * literal bytes occurs among q's literal bytes (compared folded, which
 * only makes the test weaker). */
static bool
run_occurs(const struct glob *p, const struct glob *q)
{
	size_t i = 0, j, k, st, best = 0, blen = 0;

	while (i < p->n) {
		if (p->t[i] >= 256) {
			i++;
			continue;
		}
		for (st = i; i < p->n && p->t[i] < 256; i++)
			;
		if (i - st > blen) {
			blen = i - st;
			best = st;
		}
	}
	if (blen == 0)
		return true;
	for (j = 0; j + blen <= q->n; j++) {
		for (k = 0; k < blen; k++) {
			uint16_t t = q->t[j + k];
			if (t >= 256 || text_fold((unsigned char)t) !=
					text_fold((unsigned char)p->t[best + k]))
				break;
		}
		if (k == blen)
			return true;
	}
	return false;
}

bool
glob_covers(struct arena *scratch, const struct glob *p, const struct glob *q)
{
	uint16_t sp[64], sq[64], *cp, *cq;
	bool small[2 * 65], *row, *next, ok;
	size_t np, nq, i, j;

	/* necessary conditions the table below would find at its corners,
	 * cheaply: p's literal first and last bytes each stand for the
	 * same place of q (its literal runs there are canon()'s too) */
	for (i = 0; i < p->n && p->t[i] < 256; i++)
		if (i >= q->n || q->t[i] >= 256 ||
		    !lit_covers(p->t[i], p->ci, q->t[i], q->ci))
			return false;
	for (j = 0; i < p->n && j < p->n && p->t[p->n - 1 - j] < 256; j++)
		if (j >= q->n || q->t[q->n - 1 - j] >= 256 ||
		    !lit_covers(p->t[p->n - 1 - j], p->ci, q->t[q->n - 1 - j],
				q->ci))
			return false;
	if (!run_occurs(p, q))
		return false;

	cp = p->n <= 64 ? sp : ARENA_NEWV(scratch, uint16_t, p->n);
	cq = q->n <= 64 ? sq : ARENA_NEWV(scratch, uint16_t, q->n);
	if (!cp || !cq)
		return false;
	np = canon(p->t, p->n, cp);
	nq = canon(q->t, q->n, cq);
	if (nq < 65) {
		next = small;
		row = small + 65;
	} else {
		next = ARENA_NEWV(scratch, bool, 2 * (nq + 1));
		if (!next)
			return false;
		row = next + nq + 1;
	}
	/* D[i][j]: p[i..] covers q[j..]; `next` holds row i + 1 */
	for (j = 0; j <= nq; j++)
		next[j] = j == nq;
	for (i = np; i-- > 0;) {
		for (j = nq + 1; j-- > 0;) {
			uint16_t a = cp[i], b = j < nq ? cq[j] : 0;

			if (a == GLOB_STAR)
				ok = next[j] || (j < nq && row[j + 1]);
			else if (j == nq)
				ok = false;
			else if (a == GLOB_ONE)
				/* one character of q: a `?`, or an ASCII
				 * byte (a multi-byte character is several
				 * bytes here, so give up on those) */
				ok = b != GLOB_STAR && (b == GLOB_ONE || b < 0x80) &&
				     next[j + 1];
			else
				ok = b < 256 && lit_covers(a, p->ci, b, q->ci) &&
				     next[j + 1];
			row[j] = ok;
		}
		{
			bool *t = next;
			next = row;
			row = t;
		}
	}
	return next[0];
}

size_t
glob_text(const struct glob *g, char *buf, size_t cap)
{
	size_t i, n = 0;

	for (i = 0; i < g->n; i++) {
		char c = g->t[i] == GLOB_STAR ? '*'
			 : g->t[i] == GLOB_ONE ? '?' : (char)g->t[i];
		if (n + 1 < cap)
			buf[n] = c;
		n++;
	}
	if (cap)
		buf[n < cap ? n : cap - 1] = '\0';
	return n;
}
