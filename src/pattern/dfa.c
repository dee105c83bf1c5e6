/*
 * dfa.c - the subset construction over classes, eager (xdfa.c) or lazy
 * with a bounded cache, and the matching loop that drives the lazy one
 * (see internal.h).
 */
#include "pattern/internal.h"

#include <stdlib.h>
#include <string.h>

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

/* Sorts v[0..n): insertion sort for the short sets of most DFA states. */
void
rx_sort_u32(uint32_t *v, size_t n)
{
	size_t i, j;

	if (n > 24) {
		qsort(v, n, sizeof *v, cmp_u32);
		return;
	}
	for (i = 1; i < n; i++) {
		uint32_t x = v[i];
		for (j = i; j > 0 && v[j - 1] > x; j--)
			v[j] = v[j - 1];
		v[j] = x;
	}
}

/* The memory of a cache of `rows` rows, `pool` set members and an index
 * reserved for `rows` sets. */
static size_t
dfa_bytes(const struct dfa *d, size_t rows, size_t pool)
{
	return rows * (d->stride * sizeof(int32_t) + sizeof(struct dfa_row)) +
	       pool * sizeof(uint32_t) +
	       (size_t)hash_capacity(rows) * sizeof(struct hash_slot);
}

void
rx_dfa_free(struct dfa *d)
{
	const struct rc_allocator *al = d->al;

	rx_release(al, d->tab);
	rx_release(al, d->row);
	rx_release(al, d->pool);
	hash_free(&d->index);
	rx_release(al, d->mark);
	rx_release(al, d->stack);
	rx_release(al, d->tmp);
	memset(d, 0, sizeof *d);
}

/* Sets d up over NFA f (transitions already in classes), with room for a
 * few states and two of the largest sets.  false when out of memory. */
bool
rx_dfa_init(struct dfa *d, const struct rc_allocator *al,
	    const struct nfa *f, uint32_t k, uint32_t final, uint32_t start,
	    bool lazy, size_t maxrows, size_t maxbytes)
{
	size_t nimp = 0, i;

	memset(d, 0, sizeof *d);
	d->al = al;
	d->st = f->st.v;
	d->tr = f->tr.v;
	d->nst = (uint32_t)f->st.n;
	d->final = final;
	d->nstart = start;
	d->k = k;
	d->stride = k + 1;
	d->lazy = lazy;
	d->maxrows = maxrows;
	d->maxbytes = maxbytes;
	d->start = UNK;
	d->index.al = al;
	for (i = 0; i < f->st.n; i++)
		nimp += f->st.v[i].ntr > 0;
	d->rowcap = 8;
	d->poolcap = 2 * (nimp + 1) + 64;
	d->tab = rx_alloc(al, &d->oom, d->rowcap * d->stride, sizeof *d->tab);
	d->row = rx_alloc(al, &d->oom, d->rowcap, sizeof *d->row);
	d->pool = rx_alloc(al, &d->oom, d->poolcap, sizeof *d->pool);
	d->mark = rx_alloc(al, &d->oom, d->nst, sizeof *d->mark);
	d->stack = rx_alloc(al, &d->oom, d->nst, sizeof *d->stack);
	d->tmp = rx_alloc(al, &d->oom, d->nst, sizeof *d->tmp);
	if (d->oom || hash_reserve(&d->index, d->rowcap) < 0)
		return false;
	memset(d->mark, 0, d->nst * sizeof *d->mark);
	return true;
}

static void
newgen(struct dfa *d)
{
	if (++d->gen == 0) {
		memset(d->mark, 0, d->nst * sizeof *d->mark);
		d->gen = 1;
	}
}

/* Adds the epsilon closure of s to d->tmp[0..*cnt) (the states with
 * transitions only) and sets *acc when it holds the final state.  States
 * already marked in this generation are skipped, so each is pushed once. */
static void
closure(struct dfa *d, uint32_t s, uint32_t *cnt, bool *acc)
{
	uint32_t sp = 0;

	if (s == NIL || d->mark[s] == d->gen)
		return;
	d->mark[s] = d->gen;
	d->stack[sp++] = s;
	while (sp) {
		uint32_t q = d->stack[--sp];
		const struct nstate *n = &d->st[q];

		if (q == d->final)
			*acc = true;
		if (n->ntr)
			d->tmp[(*cnt)++] = q;
		if (n->eps0 != NIL && d->mark[n->eps0] != d->gen) {
			d->mark[n->eps0] = d->gen;
			d->stack[sp++] = n->eps0;
		}
		if (n->eps1 != NIL && d->mark[n->eps1] != d->gen) {
			d->mark[n->eps1] = d->gen;
			d->stack[sp++] = n->eps1;
		}
	}
}

/* FNV-1a over the set's words (not bytes: a set can be long), the
 * accepting bit first. */
static uint32_t
hash_set(const uint32_t *v, uint32_t n, bool acc)
{
	uint32_t h = HASH_SEED ^ (uint32_t)acc, i;

	for (i = 0; i < n; i++)
		h = (h ^ v[i]) * 16777619u;
	return h ^ (h >> 15);
}

/* Grows the rows (and reserves the index for them) within the limits.
 * The new arrays are allocated before the old ones go, so a failure
 * leaves the cache as it was. */
static bool
grow_rows(struct dfa *d)
{
	size_t nc = d->rowcap * 2;
	bool oom = false;
	int32_t *tab;
	struct dfa_row *row;

	if (nc > d->maxrows)
		nc = d->maxrows;
	for (;;) {
		if (nc <= d->rowcap)
			return false;
		if (dfa_bytes(d, nc, d->poolcap) <= d->maxbytes)
			break;
		nc = d->rowcap + (nc - d->rowcap) / 2;
	}
	tab = rx_alloc(d->al, &oom, nc * d->stride, sizeof *tab);
	row = rx_alloc(d->al, &oom, nc, sizeof *row);
	if (oom || hash_reserve(&d->index, nc) < 0) {
		rx_release(d->al, tab);
		rx_release(d->al, row);
		d->oom = true;
		return false;
	}
	memcpy(tab, d->tab, d->rows * d->stride * sizeof *tab);
	memcpy(row, d->row, d->rows * sizeof *row);
	rx_release(d->al, d->tab);
	rx_release(d->al, d->row);
	d->tab = tab;
	d->row = row;
	d->rowcap = nc;
	return true;
}

static bool
grow_pool(struct dfa *d, size_t need)
{
	size_t nc = d->poolcap * 2;
	uint32_t *p;

	if (nc < need)
		nc = need;
	if (dfa_bytes(d, d->rowcap, nc) > d->maxbytes) {
		nc = need;
		if (dfa_bytes(d, d->rowcap, nc) > d->maxbytes)
			return false;
	}
	p = rx_alloc(d->al, &d->oom, nc, sizeof *p);
	if (!p)
		return false;
	memcpy(p, d->pool, d->npool * sizeof *p);
	rx_release(d->al, d->pool);
	d->pool = p;
	d->poolcap = nc;
	return true;
}

/* Empties the cache, keeping its memory. */
static void
flush(struct dfa *d)
{
	d->rows = 0;
	d->npool = 0;
	hash_clear(&d->index);
	d->start = UNK;
	d->flushes++;
}

/* The state for the set d->tmp[0..cnt) (+ acc): DEAD, UNIV (lazy only),
 * the byte offset of the row of a known or new state, or FAIL (eager
 * only).  The index is reserved for rowcap sets, so adding to it cannot
 * fail. */
static int32_t
intern(struct dfa *d, uint32_t cnt, bool acc)
{
	uint32_t h, i, r, pos;
	int32_t *row;

	if (!cnt && !acc)
		return DEAD;
	if (d->univ && acc)
		for (i = 0; i < cnt; i++)
			if (d->univ[d->tmp[i]])
				return UNIV;
	rx_sort_u32(d->tmp, cnt);
	h = hash_set(d->tmp, cnt, acc);
	for (pos = hash_first(&d->index, h);
	     (r = hash_next(&d->index, h, &pos)) != HASH_NONE;)
		if (d->row[r].len == cnt &&
		    (d->tab[(size_t)r * d->stride + d->k] & F_ACC) == acc &&
		    !memcmp(d->pool + d->row[r].off, d->tmp,
			    cnt * sizeof *d->tmp))
			return (int32_t)(r * d->stride * 4);
	if ((d->rows == d->rowcap && !grow_rows(d)) ||
	    (d->npool + cnt > d->poolcap && !grow_pool(d, d->npool + cnt))) {
		if (!d->lazy)
			return FAIL;
		flush(d);       /* the capacity left always holds one more */
	}
	r = (uint32_t)d->rows++;
	row = d->tab + (size_t)r * d->stride;
	for (i = 0; i < d->k; i++)
		row[i] = UNK;
	row[d->k] = acc ? F_ACC : 0;
	d->row[r].off = (uint32_t)d->npool;
	d->row[r].len = cnt;
	memcpy(d->pool + d->npool, d->tmp, cnt * sizeof *d->tmp);
	d->npool += cnt;
	hash_add(&d->index, h, r);
	return (int32_t)(r * d->stride * 4);
}

/* The successor of the state at `row` (its offset in bytes) on class c,
 * recorded in the table unless building it flushed the cache. */
int32_t
rx_dfa_step(struct dfa *d, int32_t row, uint32_t c)
{
	uint32_t r = (uint32_t)row / (4 * d->stride), cnt = 0, i, j;
	const uint32_t *set = d->pool + d->row[r].off;
	uint32_t n = d->row[r].len;
	size_t flushes = d->flushes;
	bool acc = false;
	int32_t x;

	newgen(d);
	for (i = 0; i < n; i++) {
		const struct nstate *q = &d->st[set[i]];
		const struct ntrans *t = d->tr + q->tr;

		for (j = 0; j < q->ntr && t[j].lo <= c; j++)
			if (c <= t[j].hi)
				closure(d, t[j].to, &cnt, &acc);
	}
	x = intern(d, cnt, acc);
	if (x != FAIL && d->flushes == flushes)
		d->tab[(uint32_t)row / 4 + c] = x;
	return x;
}

/* The initial state, which is remembered until the next flush. */
int32_t
rx_dfa_start(struct dfa *d)
{
	uint32_t cnt = 0;
	bool acc = false;
	int32_t x;

	newgen(d);
	closure(d, d->nstart, &cnt, &acc);
	x = intern(d, cnt, acc);
	d->start = x;
	return x;
}

/* Marks the NFA states q after which everything matches: q's transitions
 * cover every class and each leads back to q with acceptance in reach. */
void
rx_find_universal(struct rx *rx)
{
	struct dfa *d = &rx->d;
	uint32_t q, j, cnt, cover;
	bool ok, acc;

	for (q = 0; q < d->nst; q++) {
		const struct nstate *s = &d->st[q];
		const struct ntrans *t;

		rx->univ[q] = 0;
		if (!s->ntr)
			continue;       /* (d->tr may be NULL) */
		t = d->tr + s->tr;
		for (cover = 0, j = 0; j < s->ntr && t[j].lo <= cover; j++)
			if (t[j].hi + 1 > cover)
				cover = t[j].hi + 1;
		if (cover < d->k)
			continue;
		for (ok = true, j = 0; ok && j < s->ntr; j++) {
			cnt = 0;
			acc = false;
			newgen(d);
			closure(d, t[j].to, &cnt, &acc);
			ok = acc && d->mark[q] == d->gen;
		}
		rx->univ[q] = ok;
	}
}

/* The hot loop: ASCII bytes go through acls, other units are decoded and
 * looked up; a negative table entry is an unbuilt transition (built here),
 * the dead state or a universal one (both end the match).  State and class
 * are byte offsets, and the class is added to the table's base first: the
 * chain from one state to the next is a single load.  The function is
 * aligned to a cache line so that the loop's place in the lines does not
 * depend on what the linker puts before it. */
__attribute__((aligned(64))) bool
rx_match(struct rx *rx, const char *s, size_t len)
{
	const unsigned char *p, *end;
	const char *tab;
	struct dfa *d;
	int32_t nx;
	uint32_t st, c;         /* unsigned: no sign extension in the chain */
	size_t n;

	if (!rx)
		return false;
	d = &rx->d;
	nx = d->start == UNK ? rx_dfa_start(d) : d->start;
	if (nx < 0)
		return nx == UNIV;
	st = (uint32_t)nx;
	tab = (const char *)d->tab;
	if (len) {
		p = (const unsigned char *)s;
		end = p + len;
		do {
			if (*p < 0x80) {
				c = rx->acls[*p++];
			} else {
				c = 4 * rx_class_of(rx->lo, rx->k,
						    rx_utf8_unit(p,
							(size_t)(end - p),
							&n));
				p += n;
			}
			nx = *(const int32_t *)((tab + c) + st);
			if (nx < 0) {
				if (nx == UNK) {
					nx = rx_dfa_step(d, (int32_t)st,
							 c / 4);
					tab = (const char *)d->tab;
				}
				if (nx < 0)
					return nx == UNIV;
			}
			st = (uint32_t)nx;
		} while (p < end);
	}
	return (((const int32_t *)tab)[st / 4 + rx->k] & F_ACC) != 0;
}

void
rx_get_stats(const struct rx *rx, struct rx_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!rx)
		return;
	st->nfa_states = rx->f.st.n;
	st->classes = rx->k;
	st->dfa_states = rx->d.rows;
	st->flushes = rx->d.flushes;
	st->cache_bytes = dfa_bytes(&rx->d, rx->d.rowcap, rx->d.poolcap);
}

void
rx_set_cache_limit(struct rx *rx, size_t bytes)
{
	if (rx)
		rx->d.maxbytes = bytes;
}
