/*
 * index.c - what the runtime prepares once per image (see runtime.h):
 * literal sets as hash tables, the numbering of leaf tests, the equality
 * indexes that answer many leaf tests of one field with one lookup, the
 * pattern indexes that answer a field's selecting pattern lists once per
 * value, and what the replay's candidate selection asks of them.
 */
#include "vm/runtime.h"

#include <stdlib.h>
#include <string.h>

#include "pattern/regex.h"
#include "sema/ir.h"

/* ---- literal sets ---- */

bool
vm_set_has(const struct vm_rt *rt, uint32_t idx, const struct vm_val *v,
	   bool ci)
{
	const struct img_pool_entry *pe = &rt->im->pool[idx];
	const struct set *st = &rt->sets[idx];
	uint32_t i;

	if (v->k == VK_NULL)
		return false;
	if (v->k == VK_STR && st->hashed) {
		const struct hash *t = ci ? &st->folded : &st->exact;
		uint32_t h = fold_hash(v->u.s.s, v->u.s.n, ci), pos;

		for (pos = hash_first(t, h);
		     (i = hash_next(t, h, &pos)) != HASH_NONE;) {
			const struct img_value *e = &pe->u.set.v[i];

			if (text_eq(e->u.s.s, e->u.s.len, v->u.s.s, v->u.s.n,
				    ci))
				return true;
		}
		if (!st->has_nonstr)
			return false;
	}
	for (i = 0; i < pe->u.set.n; i++) {
		const struct img_value *e = &pe->u.set.v[i];
		struct vm_val c;

		switch (e->kind) {
		case IV_NULL: continue;
		case IV_BOOL: c.k = VK_BOOL; c.u.b = e->u.b; break;
		case IV_LONG: c.k = VK_LONG; c.u.i = e->u.i; break;
		case IV_DOUBLE: c.k = VK_DOUBLE; c.u.d = e->u.d; break;
		default:
			if (st->hashed && v->k == VK_STR)
				continue;       /* the hash said no */
			c.k = VK_STR;
			c.u.s.s = e->u.s.s;
			c.u.s.n = e->u.s.len;
			break;
		}
		if (vm_scalar_cmp(v, &c, ci) == 0)
			return true;
	}
	return false;
}

/* Hashes the string elements of a set of 8 or more (smaller ones are
 * scanned), at most half full as probes are cheapest then. */
static int
set_build(struct set *st, const struct img_pool_entry *pe)
{
	uint32_t i, n = pe->u.set.n;

	for (i = 0; i < n; i++)
		if (pe->u.set.v[i].kind != IV_STR)
			st->has_nonstr = true;
	if (n < 8)
		return 0;
	st->hashed = true;
	if (hash_reserve(&st->exact, (size_t)n + n / 2) < 0 ||
	    hash_reserve(&st->folded, (size_t)n + n / 2) < 0)
		return -1;
	for (i = 0; i < n; i++) {
		const struct img_value *e = &pe->u.set.v[i];

		if (e->kind != IV_STR)
			continue;
		if (hash_add(&st->exact, fold_hash(e->u.s.s, e->u.s.len,
						   false), i) < 0 ||
		    hash_add(&st->folded, fold_hash(e->u.s.s, e->u.s.len,
						    true), i) < 0)
			return -1;
	}
	return 0;
}

/* ---- leaf tests ---- */

/* Length of the leaf test starting at c (a PUSH_FIELD), or 0. */
static unsigned
leaf_len(const uint8_t *c, size_t left, struct leaf *lf)
{
	memset(lf, 0, sizeof *lf);
	if (left < 10 || c[0] != OPC_PUSH_FIELD)
		return 0;
	lf->field = img_rd32(c + 1);
	switch (c[5]) {
	case OPC_PUSH_CONST:
	case OPC_PUSH_NULL: {
		unsigned at = c[5] == OPC_PUSH_CONST ? 10 : 6;

		if (left < at + 2 || c[at] < OPC_CMP_EQ || c[at] > OPC_CMP_GE)
			return 0;
		lf->null = c[5] == OPC_PUSH_NULL;
		lf->arg = lf->null ? 0 : img_rd32(c + 6);
		lf->op = c[at];
		lf->flags = c[at + 1];
		return lf->len = (uint8_t)(at + 2);
	}
	case OPC_IN_SET:
		if (left < 11)
			return 0;
		lf->op = OPC_IN_SET;
		lf->arg = img_rd32(c + 6);
		lf->flags = c[10];
		return lf->len = 11;
	case OPC_MATCH:
	case OPC_CIDR:
		lf->op = c[5];
		lf->arg = img_rd32(c + 6);
		return lf->len = 10;
	default:
		return 0;
	}
}

static bool
same_leaf(const struct leaf *a, const struct leaf *b)
{
	return a->len == b->len && a->op == b->op && a->field == b->field &&
	       a->arg == b->arg && a->flags == b->flags && a->null == b->null;
}

/* Walks a verified block and numbers its leaf tests (in the order they
 * are first met; `seen` finds a leaf met before by its bytes). */
static int
leaf_scan(struct vm_rt *rt, const struct img_block *b, struct hash *seen)
{
	const uint8_t *code = rt->im->code + b->off;
	uint32_t pc = 0;

	while (pc < b->len) {
		const struct opcode_info *oi = &opcode_table[code[pc]];
		struct leaf lf;
		unsigned n = leaf_len(code + pc, b->len - pc, &lf);

		if (n) {
			uint32_t h = hash_str((const char *)code + pc, n), pos;
			uint32_t it;

			for (pos = hash_first(seen, h);
			     (it = hash_next(seen, h, &pos)) != HASH_NONE;)
				if (same_leaf(&rt->leaves.v[it], &lf))
					break;
			if (it == HASH_NONE) {
				it = (uint32_t)rt->leaves.n;
				if (vec_push(&rt->leaves, lf) < 0 ||
				    hash_add(seen, h, it) < 0)
					return -1;
			}
			rt->leafat[b->off + pc] = it + 1;
		}
		pc += 1 + img_fmt_size(oi->fmt);
	}
	return 0;
}

/* Numbers the leaf tests of every block: ancestor descriptors first,
 * then each rule's stages and their join keys. */
static int
leaves_build(struct vm_rt *rt)
{
	const struct image *im = rt->im;
	struct hash seen = HASH_INIT;
	uint32_t i, j, k;
	int rc = 0;

	rt->leafat = calloc(im->codelen + 1, sizeof *rt->leafat);
	if (!rt->leafat)
		return -1;
	for (i = 0; i < im->npool && rc == 0; i++)
		if (im->pool[i].type == POOL_ANCESTOR)
			rc = leaf_scan(rt, &im->pool[i].u.anc.code, &seen);
	for (i = 0; i < im->nrules && rc == 0; i++)
		for (j = 0; j < im->rules[i].nstages && rc == 0; j++) {
			const struct img_stage *st = &im->rules[i].stages[j];

			rc = leaf_scan(rt, &st->code, &seen);
			for (k = 0; k < st->nkeys && rc == 0; k++)
				rc = leaf_scan(rt, &st->keys[k], &seen);
		}
	hash_free(&seen);
	return rc;
}

/* ---- equality indexes ---- */

/* An equality leaf with its sort key: field, then case mode. */
struct eqkey {
	uint32_t field, id;
	bool ci;
};

/* A wildcard list without `*` or `?` (and, under ci, ASCII only) is a
 * list of equalities: `process.name : "cmd.exe"`. */
static bool
literal_patterns(const struct img_pool_entry *a)
{
	uint32_t i, j;

	if (a->u.pat.mode != 0)
		return false;
	for (i = 0; i < a->u.pat.n; i++)
		for (j = 0; j < a->u.pat.v[i].len; j++) {
			unsigned char c = (unsigned char)a->u.pat.v[i].s[j];

			if (c == '*' || c == '?' || (a->u.pat.ci && c >= 0x80))
				return false;
		}
	return true;
}

/* Whether leaf lf can join an equality index; *ci its case mode. */
static bool
eq_leaf(const struct vm_rt *rt, const struct leaf *lf, bool *ci)
{
	const struct img_pool_entry *f = &rt->im->pool[lf->field];
	const struct img_pool_entry *a = &rt->im->pool[lf->arg];
	uint32_t i;

	if (f->u.field.vtype == VT_DATE || f->u.field.vtype == VT_VERSION)
		return false;
	*ci = lf->flags & IMG_CI;
	if (lf->op == OPC_CMP_EQ)
		return !lf->null && a->type == POOL_STR;
	if (lf->op == OPC_MATCH) {
		*ci = a->u.pat.ci;
		return literal_patterns(a);
	}
	if (lf->op != OPC_IN_SET)
		return false;
	for (i = 0; i < a->u.set.n; i++)
		if (a->u.set.v[i].kind != IV_STR)
			return false;
	return true;
}

/* The strings an equality leaf compares with. */
static uint32_t
eq_nkeys(const struct vm_rt *rt, const struct leaf *lf)
{
	const struct img_pool_entry *a = &rt->im->pool[lf->arg];

	return lf->op == OPC_CMP_EQ ? 1 : lf->op == OPC_MATCH ? a->u.pat.n :
	       a->u.set.n;
}

static void
eq_key(const struct vm_rt *rt, const struct leaf *lf, uint32_t q,
       const char **s, uint32_t *n)
{
	const struct img_pool_entry *a = &rt->im->pool[lf->arg];

	if (lf->op == OPC_CMP_EQ) {
		*s = a->u.str.s;
		*n = a->u.str.len;
	} else if (lf->op == OPC_MATCH) {
		*s = a->u.pat.v[q].s;
		*n = a->u.pat.v[q].len;
	} else {
		*s = a->u.set.v[q].u.s.s;
		*n = a->u.set.v[q].u.s.len;
	}
}

static int
eq_cmp(const void *x, const void *y)
{
	const struct eqkey *a = x, *b = y;

	if (a->field != b->field)
		return a->field < b->field ? -1 : 1;
	if (a->ci != b->ci)
		return a->ci ? 1 : -1;
	return a->id < b->id ? -1 : a->id > b->id;
}

/* Adds key s to index x for leaf id `leaf`. */
static int
eq_add(struct vm_rt *rt, struct eqidx *x, const char *s, uint32_t n,
       uint32_t leaf)
{
	uint32_t h = fold_hash(s, n, x->ci), pos, it;
	struct eqlink *ln;

	for (pos = hash_first(&x->tab, h);
	     (it = hash_next(&x->tab, h, &pos)) != HASH_NONE;)
		if (text_eq(rt->ents.v[it].s, rt->ents.v[it].n, s, n, x->ci))
			break;
	if (it == HASH_NONE) {
		struct eqent *en = vec_add(&rt->ents);

		if (!en || hash_add(&x->tab, h, (uint32_t)(rt->ents.n - 1)) < 0)
			return -1;
		en->s = s;
		en->n = n;
		it = (uint32_t)(rt->ents.n - 1);
		x->nkeys++;
	}
	ln = vec_add(&rt->links);
	if (!ln)
		return -1;
	ln->leaf = leaf;
	ln->next = rt->ents.v[it].head;
	rt->ents.v[it].head = (uint32_t)rt->links.n;
	return 0;
}

/* Builds the equality indexes (fields with two or more such leaves). */
static int
eqs_build(struct vm_rt *rt)
{
	VEC(struct eqkey) ek = VEC_INIT;
	size_t i, j, k;
	bool ci;
	int rc = -1;

	rt->hitgen = calloc(rt->leaves.n + 1, sizeof *rt->hitgen);
	if (!rt->hitgen)
		return -1;
	for (i = 0; i < rt->leaves.n; i++)
		if (eq_leaf(rt, &rt->leaves.v[i], &ci)) {
			struct eqkey *key = vec_add(&ek);

			if (!key)
				goto done;
			key->field = rt->leaves.v[i].field;
			key->id = (uint32_t)i;
			key->ci = ci;
		}
	if (ek.n > 1)
		qsort(ek.v, ek.n, sizeof *ek.v, eq_cmp);
	for (i = 0; i < ek.n; i = j) {
		struct eqidx *x;
		size_t nk = 0;

		for (j = i; j < ek.n; j++) {
			if (ek.v[j].field != ek.v[i].field ||
			    ek.v[j].ci != ek.v[i].ci)
				break;
			nk += eq_nkeys(rt, &rt->leaves.v[ek.v[j].id]);
		}
		if (j - i < 2)
			continue;
		x = vec_add(&rt->eqs);
		if (!x)
			goto done;
		x->field = ek.v[i].field;
		x->ci = ek.v[i].ci;
		/* at most half full, as probes are cheapest then */
		if (hash_reserve(&x->tab, nk + nk / 2) < 0)
			goto done;
		for (k = i; k < j; k++) {
			struct leaf *b = &rt->leaves.v[ek.v[k].id];
			uint32_t q, nq = eq_nkeys(rt, b), sn;
			const char *ss;

			b->eq = (uint32_t)rt->eqs.n;
			/* wildcard ci folds Unicode: ASCII values only */
			if (b->op == OPC_MATCH && x->ci)
				x->ascii = true;
			for (q = 0; q < nq; q++) {
				eq_key(rt, b, q, &ss, &sn);
				if (eq_add(rt, x, ss, sn, ek.v[k].id + 1) < 0)
					goto done;
			}
		}
	}
	rc = 0;
done:
	vec_free(&ek);
	return rc;
}

/* Counts an answer of index xi (1..) while learning: hits[from..+n). */
static void
learn(struct vm_rt *rt, uint32_t xi, size_t from, size_t n)
{
	size_t i;

	rt->idxevals[xi]++;
	for (i = 0; i < n; i++)
		rt->leafhits[rt->hits.v[from + i]]++;
}

/* Empties the list of leaves found true when a new event starts. */
static void
hits_start(struct vm_rt *rt)
{
	if (rt->hitsgen != rt->gen) {
		rt->hits.n = 0;
		rt->hitsgen = rt->gen;
	}
}

void
vm_eq_eval(struct vm_rt *rt, struct eqidx *x, const struct vm_host *host)
{
	struct vm_val v;
	uint32_t i, n, h, pos, it;

	hits_start(rt);
	x->gen = rt->gen;
	x->fallback = false;
	x->hfrom = rt->hits.n;
	x->hn = 0;
	vm_get_field(rt, x->field, host, &v);
	n = v.k == VK_MULTI ? v.u.m.n : v.k == VK_NULL ? 0 : 1;
	for (i = 0; i < n; i++) {
		const struct vm_val *e = v.k == VK_MULTI ? &v.u.m.v[i] : &v;

		if (e->k != VK_STR || e->ver) {
			x->fallback = true;
			return;
		}
		if (x->ascii) {
			uint32_t b;

			for (b = 0; b < e->u.s.n; b++)
				if ((unsigned char)e->u.s.s[b] >= 0x80) {
					x->fallback = true;
					return;
				}
		}
	}
	for (i = 0; i < n; i++) {
		const struct vm_val *e = v.k == VK_MULTI ? &v.u.m.v[i] : &v;

		h = fold_hash(e->u.s.s, e->u.s.n, x->ci);
		for (pos = hash_first(&x->tab, h);
		     (it = hash_next(&x->tab, h, &pos)) != HASH_NONE;) {
			const struct eqent *en = &rt->ents.v[it];
			uint32_t l;

			if (!text_eq(en->s, en->n, e->u.s.s, e->u.s.n, x->ci))
				continue;
			for (l = en->head; l; l = rt->links.v[l - 1].next) {
				uint32_t id = rt->links.v[l - 1].leaf;

				if (rt->hitgen[id - 1] == rt->gen)
					continue;       /* another element */
				rt->hitgen[id - 1] = rt->gen;
				if (vec_push(&rt->hits, id) < 0) {
					/* each leaf evaluates itself */
					x->fallback = true;
					return;
				}
			}
			break;
		}
	}
	x->hn = rt->hits.n - x->hfrom;
	if (rt->learning)
		learn(rt, (uint32_t)(x - rt->eqs.v) + 1, x->hfrom, x->hn);
}

/* ---- pattern indexes ---- */

/* One pattern index per field that MATCH leaves test (those an equality
 * index answers aside); leaves join it by vm_index_add. */
static int
pats_build(struct vm_rt *rt)
{
	size_t i, k;

	for (i = 0; i < rt->leaves.n; i++) {
		struct leaf *lf = &rt->leaves.v[i];
		struct patidx *px;

		/* a list that did not compile matches nothing (and its
		 * rules are refused) */
		if (lf->op != OPC_MATCH || lf->eq ||
		    rt->pl[lf->arg].state == PL_NONE ||
		    rt->pl[lf->arg].state == PL_FAILED)
			continue;
		for (k = 0; k < rt->pats.n; k++)
			if (rt->pats.v[k].field == lf->field)
				break;
		if (k == rt->pats.n) {
			if (!(px = vec_add(&rt->pats)))
				return -1;
			memset(px, 0, sizeof *px);
			px->field = lf->field;
			arena_init(&px->mem, NULL);
		}
		lf->pat = (uint32_t)k + 1;
	}
	return 0;
}

static void
pat_forget(struct patidx *x)
{
	hash_clear(&x->tab);
	x->ents.n = 0;
	x->bytes = 0;
	arena_reset(&x->mem);
}

/* The answer of index x for string s[0..n): its entry, computed when
 * new; NULL when out of memory. */
static const struct patent *
pat_answer(struct vm_rt *rt, struct patidx *x, const char *s, uint32_t n)
{
	uint32_t h = fold_hash(s, n, false), pos, it;
	size_t i, words = (x->leaves.n + 63) / 64;
	struct patent *en;

	for (pos = hash_first(&x->tab, h);
	     (it = hash_next(&x->tab, h, &pos)) != HASH_NONE;)
		if (x->ents.v[it].n == n &&
		    memcmp(x->ents.v[it].s, s, n) == 0)
			return &x->ents.v[it];
	if (x->ents.n >= PAT_CACHE_ENTRIES || x->bytes + n > PAT_CACHE_BYTES)
		pat_forget(x);
	en = vec_add(&x->ents);
	if (!en)
		return NULL;
	en->n = n;
	en->s = arena_strndup(&x->mem, s, n);
	en->bits = arena_alloc(&x->mem, (words ? words : 1) *
			       sizeof *en->bits);
	if (!en->s || !en->bits ||
	    hash_add(&x->tab, h, (uint32_t)(x->ents.n - 1)) < 0) {
		pat_forget(x);
		return NULL;
	}
	x->bytes += n;
	memset(en->bits, 0, (words ? words : 1) * sizeof *en->bits);
	for (i = 0; i < x->leaves.n; i++) {
		const struct leaf *lf = &rt->leaves.v[x->leaves.v[i] - 1];

		/* pre-filter, then the automaton (compiled on first use) */
		if (vm_match_list(rt, lf->arg, s, n))
			en->bits[i / 64] |= (uint64_t)1 << i % 64;
	}
	return en;
}

void
vm_pat_eval(struct vm_rt *rt, struct patidx *x, const struct vm_host *host)
{
	struct vm_val v;
	uint32_t i, n;
	size_t w, words = (x->leaves.n + 63) / 64;

	hits_start(rt);
	x->gen = rt->gen;
	x->fallback = false;
	x->hfrom = rt->hits.n;
	x->hn = 0;
	vm_get_field(rt, x->field, host, &v);
	n = v.k == VK_MULTI ? v.u.m.n : v.k == VK_NULL ? 0 : 1;
	for (i = 0; i < n; i++) {
		const struct vm_val *e = v.k == VK_MULTI ? &v.u.m.v[i] : &v;
		const struct patent *en;

		if (e->k != VK_STR)
			continue;       /* a pattern matches strings only */
		if (!(en = pat_answer(rt, x, e->u.s.s, e->u.s.n))) {
			x->fallback = true;
			return;
		}
		for (w = 0; w < words; w++) {
			uint64_t b = en->bits[w];

			while (b) {
				uint32_t id = x->leaves.v[w * 64 + (size_t)
						__builtin_ctzll(b)];

				b &= b - 1;
				if (rt->hitgen[id - 1] == rt->gen)
					continue;       /* another element */
				rt->hitgen[id - 1] = rt->gen;
				if (vec_push(&rt->hits, id) < 0) {
					x->fallback = true;
					return;
				}
			}
		}
	}
	x->hn = rt->hits.n - x->hfrom;
	if (rt->learning)
		learn(rt, (uint32_t)(rt->eqs.n + (size_t)(x - rt->pats.v)) + 1,
		      x->hfrom, x->hn);
}

/* ---- selection ---- */

uint32_t
vm_index_count(const struct vm_rt *rt)
{
	return (uint32_t)(rt->eqs.n + rt->pats.n);
}

uint32_t
vm_leaf_index(const struct vm_rt *rt, uint32_t id, double *share)
{
	const struct leaf *lf = &rt->leaves.v[id - 1];
	const struct eqidx *x;
	uint32_t xi;

	if (lf->pat) {
		/* a guess: each pattern about as rare as a name among a
		 * few dozen */
		*share = 0.02 * rt->im->pool[lf->arg].u.pat.n;
		xi = (uint32_t)rt->eqs.n + lf->pat;
		/* measured: the pattern index answered it often enough */
		if (lf->patbit && rt->idxevals &&
		    rt->idxevals[xi] >= VM_LEARN_MIN)
			*share = (double)rt->leafhits[id] / rt->idxevals[xi];
		return xi;
	}
	/* `not in` holds for the values the index does not hold */
	if (!lf->eq || (lf->op == OPC_IN_SET && (lf->flags & IMG_NEG)))
		return 0;
	x = &rt->eqs.v[lf->eq - 1];
	*share = x->nkeys ? (double)eq_nkeys(rt, lf) / x->nkeys : 1;
	if (rt->idxevals && rt->idxevals[lf->eq] >= VM_LEARN_MIN)
		*share = (double)rt->leafhits[id] / rt->idxevals[lf->eq];
	return lf->eq;
}

int
vm_index_learn(struct vm_rt *rt, bool on)
{
	if (on && !rt->idxevals) {
		rt->idxevals = calloc(rt->eqs.n + rt->pats.n + 1,
				      sizeof *rt->idxevals);
		rt->leafhits = calloc(rt->leaves.n + 1,
				      sizeof *rt->leafhits);
		if (!rt->idxevals || !rt->leafhits)
			return -1;
	}
	rt->learning = on;
	return 0;
}

int
vm_index_add(struct vm_rt *rt, uint32_t id)
{
	struct leaf *lf = &rt->leaves.v[id - 1];
	struct patidx *x;

	if (!lf->pat || lf->patbit)
		return 0;
	x = &rt->pats.v[lf->pat - 1];
	if (vec_push(&x->leaves, id) < 0)
		return -1;
	lf->patbit = (uint32_t)x->leaves.n;
	pat_forget(x);          /* answers have a bit more now */
	return 0;
}

int
vm_index_copy(struct vm_rt *dst, const struct vm_rt *src)
{
	size_t k, i;

	/* the same image numbers leaves and indexes the same way */
	if (dst->im != src->im || dst->pats.n != src->pats.n)
		return -1;
	for (k = 0; k < src->pats.n; k++)
		for (i = 0; i < src->pats.v[k].leaves.n; i++)
			if (vm_index_add(dst, src->pats.v[k].leaves.v[i]) < 0)
				return -1;
	return 0;
}

bool
vm_index_hits(struct vm_rt *rt, uint32_t xi, const struct vm_host *host,
	      const uint32_t **ids, size_t *n)
{
	size_t hfrom, hn;

	if (xi <= rt->eqs.n) {
		struct eqidx *x = &rt->eqs.v[xi - 1];

		if (x->gen != rt->gen)
			vm_eq_eval(rt, x, host);
		if (x->fallback)
			return false;
		hfrom = x->hfrom;
		hn = x->hn;
	} else {
		struct patidx *x = &rt->pats.v[xi - rt->eqs.n - 1];

		if (x->gen != rt->gen)
			vm_pat_eval(rt, x, host);
		if (x->fallback)
			return false;
		hfrom = x->hfrom;
		hn = x->hn;
	}
	*ids = hn ? rt->hits.v + hfrom : NULL; /* hits.v is NULL when empty */
	*n = hn;
	return true;
}

/* ---- building and releasing ---- */

int
vm_index_build(struct vm_rt *rt)
{
	const struct image *im = rt->im;
	uint32_t i;

	rt->sets = calloc(im->npool ? im->npool : 1, sizeof *rt->sets);
	if (!rt->sets)
		return -1;
	for (i = 0; i < im->npool; i++)
		if (im->pool[i].type == POOL_SET &&
		    set_build(&rt->sets[i], &im->pool[i]) < 0)
			return -1;
	if (leaves_build(rt) < 0)
		return -1;
	rt->memogen = calloc(rt->leaves.n + 1, sizeof *rt->memogen);
	rt->memo = calloc(rt->leaves.n + 1, sizeof *rt->memo);
	rt->fgen = calloc(im->npool + 1, sizeof *rt->fgen);
	rt->fval = calloc(im->npool + 1, sizeof *rt->fval);
	if (!rt->memogen || !rt->memo || !rt->fgen || !rt->fval)
		return -1;
	rt->gen = 1;
	if (eqs_build(rt) < 0)
		return -1;
	return pats_build(rt);
}

void
vm_index_free(struct vm_rt *rt)
{
	size_t i;

	for (i = 0; rt->sets && i < rt->im->npool; i++) {
		hash_free(&rt->sets[i].exact);
		hash_free(&rt->sets[i].folded);
	}
	free(rt->sets);
	for (i = 0; i < rt->eqs.n; i++)
		hash_free(&rt->eqs.v[i].tab);
	vec_free(&rt->eqs);
	for (i = 0; i < rt->pats.n; i++) {
		vec_free(&rt->pats.v[i].leaves);
		hash_free(&rt->pats.v[i].tab);
		vec_free(&rt->pats.v[i].ents);
		arena_release(&rt->pats.v[i].mem);
	}
	vec_free(&rt->pats);
	vec_free(&rt->ents);
	vec_free(&rt->links);
	vec_free(&rt->hits);
	free(rt->idxevals);
	free(rt->leafhits);
	vec_free(&rt->leaves);
	free(rt->leafat);
	free(rt->hitgen);
	free(rt->memogen);
	free(rt->memo);
	free(rt->fgen);
	free(rt->fval);
}
