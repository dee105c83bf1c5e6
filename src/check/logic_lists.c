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

/* Pruning the cover test.  Entry p can cover entry q only if p's literal
 * prefix (its bytes before the first wildcard) is a prefix of q's, up to
 * case when the list ignores it: q matches its own prefix followed by any
 * byte where its first wildcard stands, and p's next fixed byte would
 * refuse some of them.  The same holds for literal suffixes.  The entries
 * sorted by prefix and by reversed suffix thus give each pattern a range
 * of candidates found by binary search, and a list of 100,000 patterns
 * costs a sort and the pairs that share an affix, not 10^10 pairs.  What
 * is left (patterns with a wildcard at both ends) is charged to the
 * analysis budget; over it, the list gets a logic-budget note. */
struct affix {
	const struct glob *g;
	size_t i;
	size_t len;             /* bytes of the literal prefix or suffix */
	bool back;              /* the suffix, read backwards */
	const unsigned char *key;       /* its len bytes in reading order,
	                           folded when g->ci (affix_key) */
};

static unsigned
affix_at(const struct affix *a, size_t k)
{
	return a->key[k];
}

/* Fills a->key: the affix bytes as affix_at reads them, made once so that
 * sorting and searching compare plain bytes.  false when out of memory. */
static bool
affix_key(struct arena *ar, struct affix *a)
{
	unsigned char *k = ARENA_NEWV(ar, unsigned char, a->len + 1);
	size_t j;

	if (!k)
		return false;
	for (j = 0; j < a->len; j++) {
		uint16_t c = a->back ? a->g->t[a->g->n - 1 - j] : a->g->t[j];
		k[j] = a->g->ci ? text_fold((unsigned char)c)
				: (unsigned char)c;
	}
	a->key = k;
	return true;
}

static size_t
affix_len(const struct glob *g, bool back)
{
	size_t k;

	for (k = 0; k < g->n; k++)
		if ((back ? g->t[g->n - 1 - k] : g->t[k]) >= 256)
			break;
	return k;
}

/* Orders by the affix bytes, then length (a prefix first), then entry. */
static int
affix_cmp(const struct affix *a, const struct affix *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n ? memcmp(a->key, b->key, n) : 0;

	if (c)
		return c < 0 ? -1 : 1;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->i < b->i ? -1 : a->i > b->i;
}

static int
affix_order(const void *a, const void *b)
{
	return affix_cmp(a, b);
}

/* Does entry b's affix start with a's? */
static bool
affix_starts(const struct affix *b, const struct affix *a)
{
	return b->len >= a->len &&
	       (a->len == 0 || memcmp(a->key, b->key, a->len) == 0);
}

/* The first sorted entry whose affix is not below key's bytes. */
static size_t
affix_lower(const struct affix *s, size_t n, const struct affix *key)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2, k, m;
		int c = 0;

		m = s[mid].len < key->len ? s[mid].len : key->len;
		for (k = 0; k < m && !c; k++) {
			unsigned x = affix_at(&s[mid], k), y = affix_at(key, k);
			c = x < y ? -1 : x > y;
		}
		if (!c && s[mid].len < key->len)
			c = -1;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
size_order(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return a < b ? -1 : a > b;
}

/* The candidates entry i may cover, in entry order, into cand; false when
 * the budget runs out. */
static bool
cover_candidates(struct an *an, const struct affix *by_pre,
		 const struct affix *by_suf, size_t n, const struct glob *g,
		 const unsigned char *const *pkey,
		 const unsigned char *const *skey, size_t i, size_t *cand,
		 size_t *ncand)
{
	struct affix key;
	const struct affix *s;
	size_t k, m = 0, plen = affix_len(&g[i], false),
	       slen = affix_len(&g[i], true);

	key.g = &g[i];
	key.i = 0;
	key.back = slen > plen;
	key.len = key.back ? slen : plen;
	key.key = key.back ? skey[i] : pkey[i];
	s = key.back ? by_suf : by_pre;
	for (k = affix_lower(s, n, &key); k < n && affix_starts(&s[k], &key);
	     k++) {
		if (++an->work > an->budget)
			return false;
		cand[m++] = s[k].i;
	}
	qsort(cand, m, sizeof *cand, size_order);
	*ncand = m;
	return true;
}

static void
check_match_list(struct an *an, const struct ir_expr *e)
{
	const struct ir_value *v = e->u.match.v;
	size_t n = e->u.match.n, i, j, k, *first, *times, *cov, *cand, ncov,
	       ncand, m = 0;
	bool ci = e->u.match.ci, *taken;
	struct glob *g;
	struct affix *by_pre, *by_suf;
	const unsigned char **pkey, **skey;

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
	cand = ARENA_NEWV(an->a, size_t, n + 1);
	by_pre = ARENA_NEWV(an->a, struct affix, n + 1);
	by_suf = ARENA_NEWV(an->a, struct affix, n + 1);
	pkey = ARENA_NEWV(an->a, const unsigned char *, n + 1);
	skey = ARENA_NEWV(an->a, const unsigned char *, n + 1);
	if (!g || !taken || !cov || !cand || !by_pre || !by_suf || !pkey ||
	    !skey)
		return;
	for (i = 0; i < n; i++) {
		taken[i] = first[i] != (size_t)-1 || v[i].type != VT_STRING;
		if (!taken[i] && !glob_wildcard(an->a, v[i].u.s.s,
						v[i].u.s.len, ci, &g[i]))
			return;
		if (taken[i])
			continue;
		by_pre[m].g = by_suf[m].g = &g[i];
		by_pre[m].i = by_suf[m].i = i;
		by_pre[m].back = false;
		by_suf[m].back = true;
		by_pre[m].len = affix_len(&g[i], false);
		by_suf[m].len = affix_len(&g[i], true);
		if (!affix_key(an->a, &by_pre[m]) ||
		    !affix_key(an->a, &by_suf[m]))
			return;
		pkey[i] = by_pre[m].key;
		skey[i] = by_suf[m].key;
		m++;
	}
	qsort(by_pre, m, sizeof *by_pre, affix_order);
	qsort(by_suf, m, sizeof *by_suf, affix_order);
	an->work = 0;
	/* only an entry with a wildcard covers another one */
	for (i = 0; i < n; i++) {
		if (v[i].type != VT_STRING || first[i] != (size_t)-1 ||
		    !has_wild(&g[i]))
			continue;
		if (!cover_candidates(an, by_pre, by_suf, m, g, pkey, skey, i,
				      cand, &ncand)) {
			struct finding *f = lg_add_finding(an, D_LOGIC_BUDGET,
				e->span, arena_printf(an->a, "this list of %zu "
				"patterns is too large to find every entry "
				"that another one covers (the search used up "
				"the budget of %lu steps)", n, an->budget));
			if (f)
				f->help = "split the list, or raise the budget";
			break;
		}
		ncov = 0;
		for (k = 0; k < ncand; k++) {
			j = cand[k];
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
	an->work = 0;
}

/* The networks of a cidrMatch list, sorted by first address, then widest
 * first, then by position: equal networks are adjacent (the first
 * occurrence first), and the networks a network contains follow it. */
struct cidr_ent {
	struct rng r;
	size_t i;
};

static int
cidr_order(const void *pa, const void *pb)
{
	const struct cidr_ent *a = pa, *b = pb;
	int c = u128_cmp(a->r.lo, b->r.lo);

	if (c)
		return c;
	if ((c = u128_cmp(b->r.hi, a->r.hi)))
		return c;
	return a->i < b->i ? -1 : a->i > b->i;
}

static int
index_order(const void *pa, const void *pb)
{
	size_t a = *(const size_t *)pa, b = *(const size_t *)pb;

	return a < b ? -1 : a > b;
}

/* The first live position at or after p (path halving over `next`). */
static size_t
cidr_live(size_t *next, size_t p)
{
	while (next[p] != p) {
		next[p] = next[next[p]];
		p = next[p];
	}
	return p;
}

/*
 * Repeated networks (RC4004) and networks another entry contains (RC4005)
 * in a cidrMatch list.  The findings are those of the obvious pairwise
 * scan -- each repeat against its first occurrence, in list order; then,
 * for each entry in list order that nothing has covered yet, every entry
 * still uncovered that it contains -- found in O(n log n): networks are
 * prefix blocks, so two of them are disjoint or nested, and once sorted
 * (cidr_order) the networks inside one form the run that follows it up to
 * the first that starts past its end.  A covered entry leaves the run for
 * good (`next` skips it), so each is passed over once.
 */
static void
check_cidr_list(struct an *an, const struct ir_expr *e)
{
	size_t n = e->u.call.n, i, j, k, m, ncov;
	struct cidr_ent *s = ARENA_NEWV(an->a, struct cidr_ent, n + 1);
	struct ir_value *v = ARENA_NEWV(an->a, struct ir_value, n + 1);
	size_t *cov = ARENA_NEWV(an->a, size_t, n + 1);
	/* first[j]: the first occurrence of entry j's network when j
	 * repeats it (else -1), times[j]: which occurrence j is */
	size_t *first = ARENA_NEWV(an->a, size_t, n + 1);
	size_t *times = ARENA_NEWV(an->a, size_t, n + 1);
	size_t *pos = ARENA_NEWV(an->a, size_t, n + 1);
	size_t *next = ARENA_NEWV(an->a, size_t, n + 1);
	struct rng *r = ARENA_NEWV(an->a, struct rng, n + 1);
	bool *ok = ARENA_NEWV(an->a, bool, n + 1);

	if (!s || !v || !cov || !first || !times || !pos || !next || !r ||
	    !ok || n < 3)
		return;
	/* v[0..n-1): the networks */
	for (i = 1, m = 0; i < n; i++) {
		const struct ir_expr *a = e->u.call.args[i];
		ok[i - 1] = a && a->kind == IR_CONST &&
			    a->u.c.type == VT_STRING &&
			    dom_ip_parse(a->u.c.u.s.s, a->u.c.u.s.len, &r[i - 1]);
		if (a && a->kind == IR_CONST)
			v[i - 1] = a->u.c;
		first[i - 1] = (size_t)-1;
		if (ok[i - 1]) {
			s[m].r = r[i - 1];
			s[m++].i = i - 1;
		}
	}
	n--;
	qsort(s, m, sizeof *s, cidr_order);
	for (k = 1, j = 1; k < m; k++) {
		if (u128_cmp(s[k].r.lo, s[k - 1].r.lo) == 0 &&
		    u128_cmp(s[k].r.hi, s[k - 1].r.hi) == 0) {
			first[s[k].i] = first[s[k - 1].i] == (size_t)-1
						? s[k - 1].i : first[s[k - 1].i];
			times[s[k].i] = ++j;
		} else {
			j = 1;
		}
	}
	for (j = 0; j < n; j++) {
		struct finding *f;

		if ((i = first[j]) == (size_t)-1)
			continue;
		f = lg_add_finding(an, D_DUPLICATE_VALUE, v[j].span,
			times[j] > 2
			? arena_printf(an->a, "%.*s appears %zu times in this "
				"list", (int)v[j].u.s.len, v[j].u.s.s, times[j])
			: arena_printf(an->a, "%.*s appears twice in this list",
				(int)v[j].u.s.len, v[j].u.s.s));
		lg_add_note(f, v[i].span, "first here");
		if (f)
			f->help = "remove the repeated value";
		ok[j] = false;
	}
	/* the distinct networks, still sorted; next[p] == p while s[p] is
	 * uncovered (next[m]: the end) */
	for (k = 0, j = 0; k < m; k++)
		if (ok[s[k].i]) {
			s[j] = s[k];
			pos[s[j].i] = j;
			j++;
		}
	m = j;
	for (k = 0; k <= m; k++)
		next[k] = k;
	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		ncov = 0;
		for (k = cidr_live(next, pos[i] + 1);
		     k < m && u128_cmp(s[k].r.lo, r[i].hi) <= 0;
		     k = cidr_live(next, k + 1)) {
			/* nested or disjoint: a network starting inside
			 * r[i] ends inside it */
			cov[ncov++] = s[k].i;
			ok[s[k].i] = false;
			next[k] = k + 1;
		}
		qsort(cov, ncov, sizeof *cov, index_order);
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

/* One equality test of an OR: its field key, mode, case and value. */
struct otest {
	const char *key;
	int mode;
	bool ci;
	struct vref r;          /* the value and the branch number */
};

static int
otest_order(const void *pa, const void *pb)
{
	const struct otest *a = pa, *b = pb;
	int c = strcmp(a->key, b->key);

	if (c)
		return c;
	if (a->mode != b->mode)
		return a->mode < b->mode ? -1 : 1;
	if (a->ci != b->ci)
		return (int)a->ci - (int)b->ci;
	return vref_cmp(&a->r, &b->r, a->ci);
}

/* The same value among the equality tests of one OR on one field: the
 * tests sorted by (field, mode, case, value, branch) put each repeat right
 * after the first branch it repeats, so an OR of 100,000 branches costs a
 * sort, not 100,000 squared comparisons. */
static void
check_or_values(struct an *an, const struct ir_expr *e)
{
	size_t i, j, g, m = 0, n = e->u.list.n;
	const struct ir_value **v = ARENA_NEWV(an->a, const struct ir_value *,
						n + 1);
	const struct ir_expr **f = ARENA_NEWV(an->a, const struct ir_expr *,
					       n + 1);
	struct otest *t = ARENA_NEWV(an->a, struct otest, n + 1);
	size_t *first = ARENA_NEWV(an->a, size_t, n + 1);

	if (!v || !f || !t || !first)
		return;
	for (i = 0; i < n; i++) {
		size_t one;
		int mode;
		bool ci;

		first[i] = (size_t)-1;
		f[i] = value_test(e->u.list.v[i], &v[i], &one, &mode, &ci);
		if (!f[i])
			continue;
		t[m].key = lg_field_key(an->a, &f[i]->u.f);
		if (!t[m].key)
			return;
		t[m].mode = mode;
		t[m].ci = ci;
		t[m].r.v = v[i];
		t[m].r.i = i;
		m++;
	}
	qsort(t, m, sizeof *t, otest_order);
	for (g = 0, j = 1; j < m; j++) {
		if (strcmp(t[g].key, t[j].key) == 0 &&
		    t[g].mode == t[j].mode && t[g].ci == t[j].ci &&
		    same_value(t[g].r.v, t[j].r.v, t[j].ci))
			first[t[j].r.i] = t[g].r.i;
		else
			g = j;
	}
	for (j = 0; j < n; j++) {
		struct strbuf sb = STRBUF_INIT;
		struct finding *fd;

		if ((i = first[j]) == (size_t)-1)
			continue;
		print_value(&sb, an->r->lang, v[j], f[j]->type == VT_IP);
		sb_printf(&sb, " is already tested by another branch "
			  "of this %s", an->eset ? "OR" : "'or'");
		fd = lg_add_finding(an, D_DUPLICATE_VALUE, v[j]->span,
				    check_take(an->a, &sb));
		lg_add_note(fd, v[i]->span, "tested here");
		if (fd)
			fd->help = "remove the repeated branch";
		if (GROW(an, an->dups, an->ndups, an->capdups))
			an->dups[an->ndups++] = e->u.list.v[j];
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

