/*
 * regex.c - wildcard and Lucene pattern matching (see regex.h).
 *
 * Design note (the implementation).  Four stages, each with its own data:
 *
 * 1. Parse.  Each pattern becomes a syntax tree in one node array shared
 *    by all patterns (`struct node`): EPS (the empty string), NONE (the
 *    empty language), SET (a sorted list of code-point ranges), CAT, ALT,
 *    AND (n-ary, kids in `kid`), NOT, and REP{min,max}.  Lists are n-ary
 *    so that long literals do not make deep trees; the tree height is
 *    capped (MAX_HEIGHT) because the later stages recurse over it.  `.`
 *    is the set [0, U+110000], so it includes the invalid-byte unit; so do
 *    negated classes, whose complement is taken within that alphabet.
 *    The Lucene parser follows RegExp.java production by production (its
 *    right recursion turned into loops); the wildcard parser is one loop.
 *    Numeric intervals are expanded into sets and repetitions.
 * 2. NFA.  Thompson construction in continuation-passing style:
 *    compile(node, next) returns the state that matches the node and
 *    continues at `next`.  A state has up to two epsilon edges and a
 *    contiguous run of range transitions sorted by range.  NOT and AND
 *    nodes are determinized (below) and embedded: one NFA state per DFA
 *    state, an epsilon edge to `next` from each accepting one.
 * 3. Classes.  The range boundaries of the whole NFA partition the
 *    alphabet into classes; transitions are rewritten to class ranges.
 * 4. DFA.  `struct dfa` is the subset construction over classes, used two
 *    ways: eagerly (every state, capped at RX_MAX_DFA_STATES) for `~` and
 *    `&` operands, and lazily for matching.  A DFA state is the sorted set
 *    of its NFA states that have transitions, plus an accepting bit; sets
 *    are interned through a hash table.  The transition table `tab` holds,
 *    per state, one int32 per class and a last column of flags; an entry
 *    is the byte offset of the next state's row (so the matcher adds a
 *    class offset and never multiplies) or a negative code: UNK (not built
 *    yet), DEAD, UNIV.  Dead and universal states get no row at all:
 *    reaching one ends the match.
 *
 * Linear time: each input unit costs one table load when the transition is
 * cached, else one step of the subset construction, bounded by the NFA's
 * size.  The cache never exceeds its budget: when a new state does not fit
 * it is flushed (rows, set pool and hash emptied, capacity kept) and the
 * match goes on from the new state.  The capacity allocated at compile
 * time always holds two states, so rx_match() never fails; an allocation
 * failure while growing counts as a full cache.
 *
 * Explicit DFAs (`struct xdfa`) for `~` and `&` are trimmed (states that
 * cannot reach acceptance removed) so that the embedded automaton has no
 * dead ends; complement first completes the DFA with a sink.  Intersection
 * is the product construction over the common refinement of both class
 * partitions, capped like determinization.
 *
 * The union of many patterns is left-factored into a trie before the
 * Thompson construction, so that the leading `*` shared by most wildcard
 * lists is one NFA state rather than one per pattern: DFA states stay
 * small (300 wildcards: 1,922 NFA states instead of 5,335, and a cache of
 * 680 KiB instead of over 3 MiB for the same 1,367 DFA states).
 *
 * The matching loop keeps the state and the class as byte offsets and
 * adds the class to the table base first, so that going from one state to
 * the next is a single dependent load; state offsets are unsigned so that
 * no sign extension sits in that chain.
 *
 * Measured with `RX_BENCH=1 build/tests/test_regex` (gcc 12 -O2, one core
 * of a 2-vCPU AMD EPYC build machine, warm cache; strings are paths of 43
 * bytes on average, 200,000 of them, 8.5 MB per pass):
 *   300 case-insensitive wildcards unioned        940-990 MB/s
 *   one wildcard `*\temp\*.exe` (ci)              1.04-1.13 GB/s
 *   Lucene `.*[a-z]+[0-9]+\.exe`                   1.03-1.13 GB/s
 *   one 64 MiB string                              0.90-0.99 GB/s
 *   `(a|aa)*b`, `(a*)*b`, `(.*a){20}b` on 100,000 'a': 0.11 ms each
 */
#include "pattern/regex.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NIL UINT32_MAX          /* no state, no node */
#define INV 0x110000u           /* the unit an invalid byte reads as */
#define CP_END (INV + 1)        /* one past the alphabet */
#define INF UINT32_MAX          /* unbounded repetition */
#define MAX_GROUPS 100          /* nested parentheses */
#define MAX_HEIGHT 400          /* syntax tree height */
#define MAX_DIGITS 100          /* width of a zero-padded <n-m> */
#define MAX_NFA_TRANS (8u * RX_MAX_NFA_STATES)
#define MAX_EAGER_BYTES ((size_t)64 << 20)
#define JAVA_INT_MAX 2147483647u

static const char too_complex[] = "regular expression too complex";
static const char no_memory[] = "out of memory";
static const char bad_utf8[] = "the pattern is not valid UTF-8";
static const char bad_escape[] = "'\\' before a letter must be one of the "
				  "classes \\d \\D \\s \\S \\w \\W";
static const char bad_interval[] = "'<' must start a numeric interval "
				   "<n-m> (write '\\<' for the character)";
static const char bad_repeat[] = "malformed repetition {n}, {n,} or {n,m}";
static const char unclosed_class[] = "unclosed '[' character class";
static const char unclosed_group[] = "unclosed '(' group";

/* --- memory ------------------------------------------------------------ */

struct mem {
	const struct rc_allocator *al;
	bool oom;               /* sticky: some allocation failed */
};

/* n * size bytes (at least one), or NULL with m->oom set. */
static void *
mget(struct mem *m, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		m->oom = true;
		return NULL;
	}
	p = rc_alloc(m->al, n && size ? n * size : 1);
	if (!p)
		m->oom = true;
	return p;
}

static void
mput(struct mem *m, void *p)
{
	if (p)
		rc_release(m->al, p);
}

/* A block of at least `need` elements (the capacity doubles) holding a
 * copy of old[0..used), old released; NULL with old untouched when out of
 * memory. */
static void *
regrow(struct mem *m, void *old, size_t *cap, size_t used, size_t need,
       size_t size)
{
	size_t nc = *cap ? *cap : 8;
	void *p;

	while (nc < need) {
		if (nc > SIZE_MAX / 2) {
			m->oom = true;
			return NULL;
		}
		nc *= 2;
	}
	p = mget(m, nc, size);
	if (!p)
		return NULL;
	if (used)
		memcpy(p, old, used * size);
	mput(m, old);
	*cap = nc;
	return p;
}

/* Makes room for `need` elements in array a; runs `onfail` if it cannot. */
#define GROW(m, a, cap, used, need, onfail)                                  \
	do {                                                                 \
		if ((size_t)(need) > (cap)) {                                \
			void *grow_p = regrow((m), (a), &(cap), (used),      \
					      (need), sizeof *(a));          \
			if (!grow_p)                                         \
				onfail;                                      \
			(a) = grow_p;                                        \
		}                                                            \
	} while (0)

static int
cmp_u32(const void *x, const void *y)
{
	uint32_t a = *(const uint32_t *)x, b = *(const uint32_t *)y;

	return (a > b) - (a < b);
}

static void
sort_u32(uint32_t *v, size_t n)
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

/* --- UTF-8 and case folding ---------------------------------------------- */

/* Reads one unit of s[0..n), n > 0, into *len bytes: the code point of a
 * valid UTF-8 sequence (shortest form, no surrogate, at most U+10FFFF), or
 * INV for a single byte that does not start one. */
static uint32_t
utf8_unit(const unsigned char *s, size_t n, size_t *len)
{
	uint32_t c = s[0], v;

	*len = 1;
	if (c < 0x80)
		return c;
	if (c >= 0xC2 && c <= 0xDF) {
		if (n >= 2 && (s[1] & 0xC0) == 0x80) {
			*len = 2;
			return (c & 0x1F) << 6 | (s[1] & 0x3Fu);
		}
	} else if (c >= 0xE0 && c <= 0xEF) {
		if (n >= 3 && (s[1] & 0xC0) == 0x80 && (s[2] & 0xC0) == 0x80) {
			v = (c & 0x0F) << 12 | (s[1] & 0x3Fu) << 6 |
			    (s[2] & 0x3Fu);
			if (v >= 0x800 && (v < 0xD800 || v > 0xDFFF)) {
				*len = 3;
				return v;
			}
		}
	} else if (c >= 0xF0 && c <= 0xF4) {
		if (n >= 4 && (s[1] & 0xC0) == 0x80 &&
		    (s[2] & 0xC0) == 0x80 && (s[3] & 0xC0) == 0x80) {
			v = (c & 0x07) << 18 | (s[1] & 0x3Fu) << 12 |
			    (s[2] & 0x3Fu) << 6 | (s[3] & 0x3Fu);
			if (v >= 0x10000 && v <= 0x10FFFF) {
				*len = 4;
				return v;
			}
		}
	}
	return INV;
}

/* Unicode simple case folding (CaseFolding.txt, status C and S) for the
 * blocks named in regex.h, sorted by lo.  An entry folds the code points
 * lo..hi by adding delta: all of them when step is 1, every other one
 * (lo, lo + 2, ...) when step is 2 (the upper case of alternating pairs). */
static const struct fold {
	uint32_t lo, hi;
	int32_t delta;
	uint32_t step;
} folds[] = {
	{ 0x0041, 0x005A, 32, 1 },              /* A-Z */
	{ 0x00B5, 0x00B5, 0x03BC - 0x00B5, 1 }, /* micro sign -> mu */
	{ 0x00C0, 0x00D6, 32, 1 },
	{ 0x00D8, 0x00DE, 32, 1 },
	{ 0x0100, 0x012E, 1, 2 },
	{ 0x0132, 0x0136, 1, 2 },
	{ 0x0139, 0x0147, 1, 2 },
	{ 0x014A, 0x0176, 1, 2 },
	{ 0x0178, 0x0178, 0x00FF - 0x0178, 1 }, /* Y diaeresis */
	{ 0x0179, 0x017D, 1, 2 },
	{ 0x017F, 0x017F, 0x0073 - 0x017F, 1 }, /* long s -> s */
	{ 0x0370, 0x0372, 1, 2 },
	{ 0x0376, 0x0376, 1, 1 },
	{ 0x037F, 0x037F, 0x03F3 - 0x037F, 1 },
	{ 0x0386, 0x0386, 0x03AC - 0x0386, 1 },
	{ 0x0388, 0x038A, 0x03AD - 0x0388, 1 },
	{ 0x038C, 0x038C, 0x03CC - 0x038C, 1 },
	{ 0x038E, 0x038F, 0x03CD - 0x038E, 1 },
	{ 0x0391, 0x03A1, 32, 1 },
	{ 0x03A3, 0x03AB, 32, 1 },
	{ 0x03C2, 0x03C2, 1, 1 },               /* final sigma */
	{ 0x03CF, 0x03CF, 0x03D7 - 0x03CF, 1 },
	{ 0x03D0, 0x03D0, 0x03B2 - 0x03D0, 1 },
	{ 0x03D1, 0x03D1, 0x03B8 - 0x03D1, 1 },
	{ 0x03D5, 0x03D5, 0x03C6 - 0x03D5, 1 },
	{ 0x03D6, 0x03D6, 0x03C0 - 0x03D6, 1 },
	{ 0x03D8, 0x03EE, 1, 2 },
	{ 0x03F0, 0x03F0, 0x03BA - 0x03F0, 1 },
	{ 0x03F1, 0x03F1, 0x03C1 - 0x03F1, 1 },
	{ 0x03F4, 0x03F4, 0x03B8 - 0x03F4, 1 },
	{ 0x03F5, 0x03F5, 0x03B5 - 0x03F5, 1 },
	{ 0x03F7, 0x03F7, 1, 1 },
	{ 0x03F9, 0x03F9, 0x03F2 - 0x03F9, 1 },
	{ 0x03FA, 0x03FA, 1, 1 },
	{ 0x03FD, 0x03FF, 0x037B - 0x03FD, 1 },
	{ 0x0400, 0x040F, 80, 1 },
	{ 0x0410, 0x042F, 32, 1 },
	{ 0x0460, 0x0480, 1, 2 },
	{ 0x048A, 0x04BE, 1, 2 },
	{ 0x04C0, 0x04C0, 15, 1 },
	{ 0x04C1, 0x04CD, 1, 2 },
	{ 0x04D0, 0x04FE, 1, 2 },
	{ 0x0500, 0x052E, 1, 2 },
	{ 0x1E9E, 0x1E9E, 0x00DF - 0x1E9E, 1 }, /* capital sharp s */
	{ 0x2126, 0x2126, 0x03C9 - 0x2126, 1 }, /* ohm sign */
	{ 0x212A, 0x212A, 0x006B - 0x212A, 1 }, /* kelvin sign */
	{ 0x212B, 0x212B, 0x00E5 - 0x212B, 1 }, /* angstrom sign */
};
#define NFOLDS (sizeof folds / sizeof *folds)

static bool
fold_hit(const struct fold *f, int64_t c)
{
	return c >= f->lo && c <= f->hi &&
	       (f->step == 1 || (c - f->lo) % 2 == 0);
}

static uint32_t
fold(uint32_t c)
{
	size_t i;

	for (i = 0; i < NFOLDS && c >= folds[i].lo; i++)
		if (fold_hit(&folds[i], c))
			return (uint32_t)((int64_t)c + folds[i].delta);
	return c;
}

/* --- syntax trees ---------------------------------------------------------- */

enum op { A_EPS, A_NONE, A_SET, A_CAT, A_ALT, A_AND, A_NOT, A_REP };

struct node {
	uint8_t op;             /* enum op */
	uint16_t height;        /* 1 for a leaf */
	uint32_t off;           /* byte offset in the pattern, for errors */
	uint32_t a, n;          /* A_SET: rng[a..a+n); A_CAT, A_ALT, A_AND:
	                           kid[a..a+n); A_NOT, A_REP: the kid is a */
	uint32_t min, max;      /* A_REP; max INF: unbounded */
	uint32_t memo;          /* 1 + index in dfas of its DFA, or 0 */
};

struct range {
	uint32_t lo, hi;        /* inclusive */
};

/* An NFA state: epsilon edges and transitions tr[tr..tr+ntr), sorted by
 * lo, on code-point ranges until classes() makes them class ranges. */
struct nstate {
	uint32_t eps0, eps1, tr, ntr;
};

struct ntrans {
	uint32_t lo, hi, to;
};

struct nfa {
	struct nstate *st;
	size_t n, cap;
	struct ntrans *tr;
	size_t ntr, trcap;
};

/* An explicit DFA; n == 0 is the empty language. */
struct xdfa {
	uint32_t n, k;          /* states, classes */
	uint32_t *lo;           /* class c starts at code point lo[c] */
	int32_t *next;          /* n x k; -1: no transition */
	uint8_t *acc;
};

/* A node of the trie of the patterns' token sequences (the kids of a
 * top-level CAT, or the pattern itself): children share their prefix. */
struct trie {
	uint32_t label;         /* the token (a node) leading here */
	uint32_t kid, next;     /* first child, next sibling */
	uint32_t start;         /* the NFA state matching the rest */
	uint32_t pat;           /* the first pattern through here */
	bool end;               /* a pattern ends here */
};

/* Everything one compilation builds; released by build_free(). */
struct build {
	struct mem m;
	const char *msg;        /* the first error, or NULL */
	size_t err, errpat;     /* where it is */
	size_t pat;             /* the pattern being worked on */
	struct node *nd;
	size_t nnd, ndcap;
	struct range *rng;      /* the ranges of the sets */
	size_t nrng, rngcap;
	uint32_t *kid;          /* the kids of lists */
	size_t nkid, kidcap;
	uint32_t *stk;          /* kids of the lists being parsed */
	size_t nstk, stkcap;
	struct range *set;      /* the set being built */
	size_t nset, setcap;
	struct xdfa **dfas;     /* every explicit DFA, for release */
	size_t ndfa, dfacap;
	struct trie *trie;      /* the patterns, left-factored */
	size_t ntrie, triecap;
	uint32_t cur_off;       /* offset blamed for "too complex" */
	unsigned reps;          /* repetitions being compiled */
};

/* Records the first error; returns NIL for the callers' convenience. */
static uint32_t
fail(struct build *b, size_t off, const char *msg)
{
	if (!b->msg) {
		b->msg = msg;
		b->err = off;
		b->errpat = b->pat;
	}
	return NIL;
}

static uint32_t
mknode(struct build *b, enum op op, size_t off)
{
	struct node *n;

	GROW(&b->m, b->nd, b->ndcap, b->nnd, b->nnd + 1, return NIL);
	n = &b->nd[b->nnd];
	memset(n, 0, sizeof *n);
	n->op = (uint8_t)op;
	n->off = (uint32_t)off;
	n->height = 1;
	return (uint32_t)b->nnd++;
}

/* Gives node x a height one above `kidh`, refusing trees too deep for the
 * recursive stages. */
static uint32_t
grew(struct build *b, uint32_t x, unsigned kidh)
{
	if (kidh + 1 > MAX_HEIGHT)
		return fail(b, b->nd[x].off, "operators nested too deeply");
	b->nd[x].height = (uint16_t)(kidh + 1);
	return x;
}

/* A NOT or REP node over kid (NIL passes through).  A repetition whose
 * minimum exceeds its maximum is the empty language, as in Lucene. */
static uint32_t
unary(struct build *b, enum op op, uint32_t kid, size_t off, uint32_t min,
      uint32_t max)
{
	uint32_t x;

	if (kid == NIL)
		return NIL;
	if (op == A_REP && min > max)
		return mknode(b, A_NONE, off);
	/* ""{n,m} is "", #{0,m} is "" and #{n,m} is #: no copies needed */
	if (op == A_REP && b->nd[kid].op == A_EPS)
		return kid;
	if (op == A_REP && b->nd[kid].op == A_NONE)
		return min ? kid : mknode(b, A_EPS, off);
	x = mknode(b, op, off);
	if (x == NIL)
		return NIL;
	b->nd[x].a = kid;
	b->nd[x].min = min;
	b->nd[x].max = max;
	return grew(b, x, b->nd[kid].height);
}

static bool
push(struct build *b, uint32_t x)
{
	GROW(&b->m, b->stk, b->stkcap, b->nstk, b->nstk + 1, return false);
	b->stk[b->nstk++] = x;
	return true;
}

/* The node for the kids pushed since `base` (popped): the kid itself when
 * there is one, else an `op` list of them. */
static uint32_t
list(struct build *b, enum op op, size_t off, size_t base)
{
	size_t n = b->nstk - base, i;
	unsigned h = 0;
	uint32_t x = NIL;

	if (n == 0) {
		x = mknode(b, A_EPS, off);
	} else if (n == 1) {
		x = b->stk[base];
	} else {
		GROW(&b->m, b->kid, b->kidcap, b->nkid, b->nkid + n, goto out);
		x = mknode(b, op, off);
		if (x == NIL)
			goto out;
		memcpy(b->kid + b->nkid, b->stk + base, n * sizeof *b->kid);
		b->nd[x].a = (uint32_t)b->nkid;
		b->nd[x].n = (uint32_t)n;
		b->nkid += n;
		for (i = 0; i < n; i++)
			if (b->nd[b->stk[base + i]].height > h)
				h = b->nd[b->stk[base + i]].height;
		x = grew(b, x, h);
	}
out:
	b->nstk = base;
	return x;
}

/* --- code-point sets (the scratch set b->set) ------------------------------ */

static bool
set_add(struct build *b, uint32_t lo, uint32_t hi)
{
	GROW(&b->m, b->set, b->setcap, b->nset, b->nset + 1, return false);
	b->set[b->nset].lo = lo;
	b->set[b->nset].hi = hi;
	b->nset++;
	return true;
}

static int
cmp_range(const void *x, const void *y)
{
	const struct range *a = x, *b = y;

	return (a->lo > b->lo) - (a->lo < b->lo);
}

/* Sorts and merges the scratch set. */
static void
set_norm(struct build *b)
{
	size_t i, j = 0;

	if (!b->nset)
		return;
	qsort(b->set, b->nset, sizeof *b->set, cmp_range);
	for (i = 1; i < b->nset; i++) {
		if (b->set[i].lo <= b->set[j].hi + 1) {
			if (b->set[i].hi > b->set[j].hi)
				b->set[j].hi = b->set[i].hi;
		} else {
			b->set[++j] = b->set[i];
		}
	}
	b->nset = j + 1;
}

/* Replaces the (normalised) scratch set by its complement in [0, INV]. */
static bool
set_negate(struct build *b)
{
	size_t n = b->nset, k = n, i;
	uint32_t next = 0;

	GROW(&b->m, b->set, b->setcap, b->nset, 2 * n + 1, return false);
	for (i = 0; i < n; i++) {
		if (b->set[i].lo > next) {
			b->set[k].lo = next;
			b->set[k].hi = b->set[i].lo - 1;
			k++;
		}
		next = b->set[i].hi + 1;
	}
	if (next <= INV) {
		b->set[k].lo = next;
		b->set[k].hi = INV;
		k++;
	}
	memmove(b->set, b->set + n, (k - n) * sizeof *b->set);
	b->nset = k - n;
	return true;
}

enum { F_NONE, F_ASCII, F_UNICODE };    /* case folding of a character */

/* Adds c to the scratch set with the characters it matches under `mode`:
 * F_ASCII adds the other case of an ASCII letter (Lucene's
 * ASCII_CASE_INSENSITIVE), F_UNICODE every code point with the same simple
 * case folding. */
static bool
set_char(struct build *b, uint32_t c, int mode)
{
	uint32_t f;
	size_t i;

	if (mode == F_ASCII && (c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return set_add(b, c, c) && set_add(b, c ^ 0x20, c ^ 0x20);
	if (mode != F_UNICODE)
		return set_add(b, c, c);
	f = fold(c);
	if (!set_add(b, f, f))
		return false;
	for (i = 0; i < NFOLDS; i++) {
		int64_t src = (int64_t)f - folds[i].delta;
		if (fold_hit(&folds[i], src) &&
		    !set_add(b, (uint32_t)src, (uint32_t)src))
			return false;
	}
	return true;
}

/* A SET node holding the scratch set. */
static uint32_t
set_node(struct build *b, size_t off)
{
	uint32_t x;

	GROW(&b->m, b->rng, b->rngcap, b->nrng, b->nrng + b->nset,
	     return NIL);
	x = mknode(b, A_SET, off);
	if (x == NIL)
		return NIL;
	b->nd[x].a = (uint32_t)b->nrng;
	b->nd[x].n = (uint32_t)b->nset;
	memcpy(b->rng + b->nrng, b->set, b->nset * sizeof *b->set);
	b->nrng += b->nset;
	return x;
}

static uint32_t
char_node(struct build *b, uint32_t c, int mode, size_t off)
{
	b->nset = 0;
	if (!set_char(b, c, mode))
		return NIL;
	set_norm(b);
	return set_node(b, off);
}

static uint32_t
range_node(struct build *b, uint32_t lo, uint32_t hi, size_t off)
{
	b->nset = 0;
	if (!set_add(b, lo, hi))
		return NIL;
	return set_node(b, off);
}

/* Adds Lucene's predefined class \c (c one of d D s S w W): [0-9],
 * [ \t\n\r], [a-zA-Z_0-9], and for the capitals their complements (which
 * include the invalid-byte unit, as negated classes do). */
static bool
set_predef(struct build *b, unsigned char c)
{
	static const struct range d[] = { { '0', '9' } };
	static const struct range s[] = { { '\t', '\n' }, { '\r', '\r' },
					  { ' ', ' ' } };
	static const struct range w[] = { { '0', '9' }, { 'A', 'Z' },
					  { '_', '_' }, { 'a', 'z' } };
	const struct range *r = w;
	size_t n = 4, i;
	uint32_t next = 0;

	if ((c | 0x20) == 'd') {
		r = d;
		n = 1;
	} else if ((c | 0x20) == 's') {
		r = s;
		n = 3;
	}
	if (c & 0x20) {
		for (i = 0; i < n; i++)
			if (!set_add(b, r[i].lo, r[i].hi))
				return false;
		return true;
	}
	for (i = 0; i < n; i++) {
		if (r[i].lo > next && !set_add(b, next, r[i].lo - 1))
			return false;
		next = r[i].hi + 1;
	}
	return set_add(b, next, INV);
}

static bool
is_predef(unsigned char c)
{
	switch (c) {
	case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
		return true;
	default:
		return false;
	}
}

static bool
is_letter(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* --- numeric intervals <n-m> ------------------------------------------------ */

/* [0-9]{n}. */
static uint32_t
any_digits(struct build *b, size_t n, size_t off)
{
	if (!n)
		return mknode(b, A_EPS, off);
	return unary(b, A_REP, range_node(b, '0', '9', off), off,
		     (uint32_t)n, (uint32_t)n);
}

static uint32_t
cat2(struct build *b, uint32_t x, uint32_t y, size_t off)
{
	size_t base = b->nstk;

	if (x == NIL || y == NIL || !push(b, x) || !push(b, y)) {
		b->nstk = base;
		return NIL;
	}
	return list(b, A_CAT, off, base);
}

static bool
all_of(const char *s, size_t n, char c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != c)
			return false;
	return true;
}

/* The n-digit strings (leading zeros kept) from x to y, x <= y, as a tree
 * of depth O(n): the common first digit, or else the strings from x up to
 * x0 followed by nines, the whole decades between, and y0 followed by zeros
 * up to y. */
static uint32_t
digits_between(struct build *b, const char *x, const char *y, size_t n,
	       const char *nines, const char *zeros, size_t off)
{
	size_t base = b->nstk;
	unsigned lo = (unsigned char)x[0], hi = (unsigned char)y[0];
	uint32_t k;

	if (!n)
		return mknode(b, A_EPS, off);
	if (lo == hi)
		return cat2(b, range_node(b, lo, lo, off),
			    digits_between(b, x + 1, y + 1, n - 1, nines,
					   zeros, off), off);
	if (!all_of(x + 1, n - 1, '0')) {
		k = cat2(b, range_node(b, lo, lo, off),
			 digits_between(b, x + 1, nines, n - 1, nines, zeros,
					off), off);
		if (k == NIL || !push(b, k))
			goto fail;
		lo++;
	}
	if (!all_of(y + 1, n - 1, '9')) {
		k = cat2(b, range_node(b, hi, hi, off),
			 digits_between(b, zeros, y + 1, n - 1, nines, zeros,
					off), off);
		if (k == NIL || !push(b, k))
			goto fail;
		hi--;
	}
	if (lo <= hi) {
		k = cat2(b, range_node(b, lo, hi, off),
			 any_digits(b, n - 1, off), off);
		if (k == NIL || !push(b, k))
			goto fail;
	}
	return list(b, A_ALT, off, base);
fail:
	b->nstk = base;
	return NIL;
}

/* Lucene's makeDecimalInterval: with digits > 0 the numbers min..max
 * written with exactly that many digits; with digits == 0 written in
 * decimal after any number of zeros. */
static uint32_t
interval(struct build *b, uint32_t min, uint32_t max, size_t digits,
	 size_t off)
{
	char nines[MAX_DIGITS + 1], zeros[MAX_DIGITS + 1];
	char x[MAX_DIGITS + 16], y[MAX_DIGITS + 16];
	size_t base = b->nstk, lw, hw, w;
	uint32_t k, pw;

	if (digits > MAX_DIGITS)
		return fail(b, off, too_complex);
	memset(nines, '9', sizeof nines);
	memset(zeros, '0', sizeof zeros);
	if (digits) {
		snprintf(x, sizeof x, "%0*u", (int)digits, (unsigned)min);
		snprintf(y, sizeof y, "%0*u", (int)digits, (unsigned)max);
		return digits_between(b, x, y, digits, nines, zeros, off);
	}
	lw = (size_t)snprintf(x, sizeof x, "%u", (unsigned)min);
	hw = (size_t)snprintf(y, sizeof y, "%u", (unsigned)max);
	for (w = lw; w <= hw; w++) {
		char a[16], z[16];
		/* pw = 10^(w-1) */
		for (pw = 1, k = 1; k < w; k++)
			pw *= 10;
		snprintf(a, sizeof a, "%u", (unsigned)(w == lw ? min : pw));
		if (w == hw)
			snprintf(z, sizeof z, "%u", (unsigned)max);
		else
			memset(z, '9', w);
		k = digits_between(b, a, z, w, nines, zeros, off);
		if (k == NIL || !push(b, k)) {
			b->nstk = base;
			return NIL;
		}
	}
	k = list(b, A_ALT, off, base);
	return cat2(b, unary(b, A_REP, range_node(b, '0', '0', off), off, 0,
			     INF), k, off);
}

/* --- the Lucene parser ------------------------------------------------------ */

struct parser {
	struct build *b;
	const unsigned char *s;
	size_t len, pos;
	unsigned depth;         /* open groups */
	int fold;               /* F_ASCII under RX_CI, else F_NONE */
};

static bool
at(const struct parser *p, char c)
{
	return p->pos < p->len && p->s[p->pos] == (unsigned char)c;
}

static bool
eat(struct parser *p, char c)
{
	if (!at(p, c))
		return false;
	p->pos++;
	return true;
}

/* The code point at the cursor, which moves past it. */
static uint32_t
read_cp(struct parser *p)
{
	size_t n;
	uint32_t c = utf8_unit(p->s + p->pos, p->len - p->pos, &n);

	if (c == INV)
		return fail(p->b, p->pos, bad_utf8);
	p->pos += n;
	return c;
}

static uint32_t parse_union(struct parser *p);

/* The message for a pattern that ends where an operand must follow:
 * inside a group, or after '|', '&' or '~'. */
static const char *
end_message(const struct parser *p)
{
	if (p->depth)
		return unclosed_group;
	switch (p->s[p->len - 1]) {
	case '|': return "'|' at the end of the pattern";
	case '&': return "'&' at the end of the pattern";
	default: return "'~' at the end of the pattern";
	}
}

/* "..." : the characters up to the next quote, no escapes. */
static uint32_t
parse_quoted(struct parser *p)
{
	struct build *b = p->b;
	size_t open = p->pos, base = b->nstk, end;
	const unsigned char *q = memchr(p->s + open + 1, '"',
					p->len - open - 1);

	if (!q)
		return fail(b, open, "unclosed '\"' quoted string");
	end = (size_t)(q - p->s);
	p->pos = open + 1;
	while (p->pos < end) {
		size_t at0 = p->pos;
		uint32_t c = read_cp(p), x;

		x = c == NIL ? NIL : char_node(b, c, p->fold, at0);
		if (x == NIL || !push(b, x)) {
			b->nstk = base;
			return NIL;
		}
	}
	p->pos = end + 1;
	return list(b, A_CAT, open, base);
}

/* Java's Integer.parseInt of s[0..n) where Lucene can call it: an
 * optional '+' and decimal digits.  0, or -1 when malformed, -2 when over
 * 2^31 - 1. */
static int
java_int(const unsigned char *s, size_t n, uint32_t *v)
{
	size_t i = n && s[0] == '+';
	uint64_t x = 0;
	bool big = false;

	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
		if (x > JAVA_INT_MAX) {
			big = true;
			x = 0;
		}
	}
	if (big)
		return -2;
	*v = (uint32_t)x;
	return 0;
}

/* <n-m>: exactly one '-' between two numbers; bounds swapped when n > m;
 * numbers written with the same width fix the width. */
static uint32_t
parse_interval(struct parser *p)
{
	struct build *b = p->b;
	size_t open = p->pos, close, dash = 0, ndash = 0, i, wlo, whi;
	const unsigned char *q = memchr(p->s + open + 1, '>',
					p->len - open - 1);
	uint32_t lo = 0, hi = 0, t;
	int r1, r2;

	if (!q)
		return fail(b, open, bad_interval);
	close = (size_t)(q - p->s);
	for (i = open + 1; i < close; i++)
		if (p->s[i] == '-') {
			ndash++;
			dash = i;
		}
	if (ndash != 1)
		return fail(b, open, bad_interval);
	wlo = dash - open - 1;
	whi = close - dash - 1;
	r1 = java_int(p->s + open + 1, wlo, &lo);
	r2 = java_int(p->s + dash + 1, whi, &hi);
	if (r1 == -1 || r2 == -1)
		return fail(b, open, bad_interval);
	if (r1 || r2)
		return fail(b, open, "a bound of the numeric interval is "
			    "over 2147483647");
	if (lo > hi) {
		t = lo;
		lo = hi;
		hi = t;
	}
	p->pos = close + 1;
	return interval(b, lo, hi, wlo == whi ? wlo : 0, open);
}

/* simpleexp: . # @ "..." ( ) (unionexp) <n-m> \class \char char. */
static uint32_t
parse_simple(struct parser *p)
{
	struct build *b = p->b;
	size_t at0 = p->pos;
	uint32_t x;
	unsigned char c;

	if (p->pos >= p->len)
		return fail(b, p->pos, end_message(p));
	switch (p->s[p->pos]) {
	case '.':
		p->pos++;
		return range_node(b, 0, INV, at0);
	case '#':
		p->pos++;
		return mknode(b, A_NONE, at0);
	case '@':
		p->pos++;
		return unary(b, A_REP, range_node(b, 0, INV, at0), at0, 0,
			     INF);
	case '"':
		return parse_quoted(p);
	case '(':
		if (p->depth >= MAX_GROUPS)
			return fail(b, at0, "groups nested too deeply");
		p->pos++;
		if (eat(p, ')'))
			return mknode(b, A_EPS, at0);
		p->depth++;
		x = parse_union(p);
		if (x == NIL)
			return NIL;
		if (!eat(p, ')'))
			return fail(b, p->pos, unclosed_group);
		p->depth--;
		return x;
	case '<':
		return parse_interval(p);
	case '\\':
		if (p->pos + 1 >= p->len)
			return fail(b, at0, "'\\' at the end of the pattern");
		c = p->s[p->pos + 1];
		if (is_predef(c)) {
			p->pos += 2;
			b->nset = 0;
			if (!set_predef(b, c))
				return NIL;
			set_norm(b);
			return set_node(b, at0);
		}
		if (is_letter(c))
			return fail(b, at0, bad_escape);
		p->pos++;
		break;
	default:
		break;
	}
	x = read_cp(p);
	return x == NIL ? NIL : char_node(b, x, p->fold, at0);
}

/* A character inside a class, escaped or not; the pattern ending here
 * leaves the class open. */
static uint32_t
class_char(struct parser *p, size_t open)
{
	eat(p, '\\');
	if (p->pos >= p->len)
		return fail(p->b, open, unclosed_class);
	return read_cp(p);
}

/* charclass: \class, \\, c or c-c (as Lucene: no range after \\ or a
 * class; after '-' a plain escape), added to the scratch set. */
static bool
class_item(struct parser *p, size_t open)
{
	struct build *b = p->b;
	size_t at0 = p->pos;
	uint32_t lo, hi;

	if (at(p, '\\') && p->pos + 1 < p->len) {
		unsigned char c = p->s[p->pos + 1];
		if (is_predef(c)) {
			p->pos += 2;
			return set_predef(b, c);
		}
		if (c == '\\') {
			p->pos += 2;
			return set_add(b, '\\', '\\');
		}
		if (is_letter(c)) {
			fail(b, at0, bad_escape);
			return false;
		}
	}
	lo = class_char(p, open);
	if (lo == NIL)
		return false;
	if (!eat(p, '-'))
		return set_char(b, lo, p->fold);
	hi = class_char(p, open);
	if (hi == NIL)
		return false;
	if (lo > hi) {
		fail(b, at0, "character range out of order");
		return false;
	}
	return set_add(b, lo, hi);      /* ranges never fold, as in Lucene */
}

/* charclassexp: [classes] or [^classes] (a leading ']' is a member), or
 * simpleexp. */
static uint32_t
parse_class(struct parser *p)
{
	struct build *b = p->b;
	size_t open = p->pos;
	bool neg;

	if (!eat(p, '['))
		return parse_simple(p);
	neg = eat(p, '^');
	b->nset = 0;
	do {
		if (!class_item(p, open))
			return NIL;
	} while (p->pos < p->len && !at(p, ']'));
	if (!eat(p, ']'))
		return fail(b, open, unclosed_class);
	set_norm(b);
	if (neg && !set_negate(b))
		return NIL;
	return set_node(b, open);
}

/* complexp: ~complexp or charclassexp. */
static uint32_t
parse_compl(struct parser *p)
{
	size_t start = p->pos, k;
	uint32_t x;

	while (eat(p, '~'))
		;
	k = p->pos - start;
	x = parse_class(p);
	while (x != NIL && k-- > 0)
		x = unary(p->b, A_NOT, x, start + k, 0, 0);
	return x;
}

/* {n}, {n,} or {n,m} at the cursor. */
static bool
parse_counts(struct parser *p, uint32_t *min, uint32_t *max)
{
	struct build *b = p->b;
	size_t open = p->pos++, i;
	uint32_t *v[2] = { min, max };
	int k;

	for (k = 0; k < 2; k++) {
		uint64_t x = 0;
		bool big = false;

		for (i = p->pos; i < p->len && p->s[i] >= '0' &&
		     p->s[i] <= '9'; i++) {
			x = x * 10 + (p->s[i] - '0');
			if (x > JAVA_INT_MAX) {
				big = true;
				x = 0;
			}
		}
		if (i == p->pos) {
			if (k == 0) {
				fail(b, open, bad_repeat);
				return false;
			}
			*max = INF;     /* {n,} */
		} else if (big) {
			fail(b, open, "repetition count over 2147483647");
			return false;
		} else {
			*v[k] = (uint32_t)x;
		}
		p->pos = i;
		if (k == 0 && !eat(p, ',')) {
			*max = *min;
			break;
		}
	}
	if (!eat(p, '}')) {
		fail(b, open, bad_repeat);
		return false;
	}
	return true;
}

/* repeatexp: complexp followed by any number of ? * + {..}. */
static uint32_t
parse_repeat(struct parser *p)
{
	uint32_t x = parse_compl(p), min, max;

	while (x != NIL && p->pos < p->len) {
		size_t at0 = p->pos;

		switch (p->s[p->pos]) {
		case '?': min = 0; max = 1; p->pos++; break;
		case '*': min = 0; max = INF; p->pos++; break;
		case '+': min = 1; max = INF; p->pos++; break;
		case '{':
			if (!parse_counts(p, &min, &max))
				return NIL;
			break;
		default:
			return x;
		}
		x = unary(p->b, A_REP, x, at0, min, max);
	}
	return x;
}

/* concatexp: repeatexps up to the end, ')', '|' or '&' (at least one,
 * even at one of those: Lucene reads it as a literal). */
static uint32_t
parse_concat(struct parser *p)
{
	struct build *b = p->b;
	size_t base = b->nstk, off = p->pos;

	for (;;) {
		uint32_t x = parse_repeat(p);

		if (x == NIL || !push(b, x)) {
			b->nstk = base;
			return NIL;
		}
		if (p->pos >= p->len || at(p, ')') || at(p, '|') || at(p, '&'))
			break;
	}
	return list(b, A_CAT, off, base);
}

/* interexp: concatexp ('&' concatexp)*. */
static uint32_t
parse_inter(struct parser *p)
{
	struct build *b = p->b;
	size_t base = b->nstk, off = 0;

	for (;;) {
		uint32_t x = parse_concat(p);

		if (x == NIL || !push(b, x)) {
			b->nstk = base;
			return NIL;
		}
		if (!at(p, '&'))
			break;
		if (!off)
			off = p->pos;
		p->pos++;
	}
	return list(b, A_AND, off, base);
}

/* unionexp: interexp ('|' interexp)*. */
static uint32_t
parse_union(struct parser *p)
{
	struct build *b = p->b;
	size_t base = b->nstk, off = p->pos;

	for (;;) {
		uint32_t x = parse_inter(p);

		if (x == NIL || !push(b, x)) {
			b->nstk = base;
			return NIL;
		}
		if (!eat(p, '|'))
			break;
	}
	return list(b, A_ALT, off, base);
}

static uint32_t
parse_lucene(struct build *b, const unsigned char *s, size_t len, bool ci)
{
	struct parser p;
	uint32_t x;

	if (!len)
		return mknode(b, A_EPS, 0);
	memset(&p, 0, sizeof p);
	p.b = b;
	p.s = s;
	p.len = len;
	p.fold = ci ? F_ASCII : F_NONE;
	x = parse_union(&p);
	if (x != NIL && p.pos < len)
		return fail(b, p.pos, "')' without '('");
	return x;
}

/* A wildcard pattern: '*' any run, '?' one unit, the rest literal (no
 * escape character). */
static uint32_t
parse_wildcard(struct build *b, const unsigned char *s, size_t len, bool ci)
{
	size_t base = b->nstk, i = 0, n;
	uint32_t x, c;

	while (i < len) {
		size_t at0 = i;

		if (s[i] == '*') {
			while (i < len && s[i] == '*')
				i++;
			x = unary(b, A_REP, range_node(b, 0, INV, at0), at0, 0,
				  INF);
		} else if (s[i] == '?') {
			i++;
			x = range_node(b, 0, INV, at0);
		} else {
			c = utf8_unit(s + i, len - i, &n);
			if (c == INV) {
				x = fail(b, i, bad_utf8);
			} else {
				i += n;
				x = char_node(b, c, ci ? F_UNICODE : F_NONE,
					      at0);
			}
		}
		if (x == NIL || !push(b, x)) {
			b->nstk = base;
			return NIL;
		}
	}
	return list(b, A_CAT, 0, base);
}

static uint32_t
parse_one(struct build *b, const struct rx_pattern *rp, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)rp->s;
	bool ci = (flags & RX_CI) != 0;

	if (rp->len && !rp->s)
		return fail(b, 0, "no pattern text");
	if (rp->len > UINT32_MAX / 2)
		return fail(b, 0, "the pattern is too long");
	if (rp->kind == RX_LUCENE)
		return parse_lucene(b, s, rp->len, ci);
	return parse_wildcard(b, s, rp->len, ci);
}

/* --- classes ------------------------------------------------------------- */

/* The class of cp: the last c with lo[c] <= cp. */
static uint32_t
class_of(const uint32_t *lo, uint32_t k, uint32_t cp)
{
	uint32_t a = 0, z = k;

	while (z - a > 1) {
		uint32_t mid = a + (z - a) / 2;
		if (lo[mid] <= cp)
			a = mid;
		else
			z = mid;
	}
	return a;
}

/* Partitions the alphabet at every range boundary of f (class c is
 * [lo[c], lo[c+1])) and rewrites every transition to a range of classes. */
static bool
classes(struct mem *m, struct nfa *f, uint32_t **plo, uint32_t *pk)
{
	uint32_t *v = mget(m, 1 + 2 * f->ntr, sizeof *v);
	size_t n = 1, i, k;

	if (!v)
		return false;
	v[0] = 0;
	for (i = 0; i < f->ntr; i++) {
		v[n++] = f->tr[i].lo;
		if (f->tr[i].hi + 1 < CP_END)
			v[n++] = f->tr[i].hi + 1;
	}
	qsort(v, n, sizeof *v, cmp_u32);
	for (i = k = 1; i < n; i++)
		if (v[i] != v[k - 1])
			v[k++] = v[i];
	for (i = 0; i < f->ntr; i++) {
		f->tr[i].lo = class_of(v, (uint32_t)k, f->tr[i].lo);
		f->tr[i].hi = class_of(v, (uint32_t)k, f->tr[i].hi);
	}
	*plo = v;
	*pk = (uint32_t)k;
	return true;
}

/* --- the subset construction ------------------------------------------------ */

#define UNK (-1)                /* transition not built yet */
#define DEAD (-2)               /* no string matches from here */
#define UNIV (-3)               /* every string matches from here */
#define FAIL (-4)               /* eager: over the cap or out of memory */
#define F_ACC 1                 /* flags column: accepting */

struct dfa {
	struct mem *m;
	const struct nstate *st;        /* the NFA, class transitions */
	const struct ntrans *tr;
	uint32_t nst, final, nstart;    /* states, accepting, initial */
	uint32_t k, stride;             /* classes; row length k + 1 */
	const uint8_t *univ;            /* lazy: universal NFA states */
	bool lazy;                      /* flush when full (else FAIL) */
	int32_t *tab;                   /* rows x stride */
	uint32_t *soff, *slen, *shash;  /* per row: its NFA set */
	size_t rows, rowcap;
	uint32_t *pool;                 /* the sets */
	size_t npool, poolcap;
	uint32_t *hash;                 /* row + 1, 0 empty; power of 2 */
	size_t hcap;
	uint32_t *mark, *stack, *tmp;   /* closure scratch, nst each */
	uint32_t gen;                   /* mark[s] == gen: s visited */
	int32_t start;                  /* row (bytes), DEAD, UNIV or UNK */
	size_t maxrows, maxbytes, flushes;
};

static size_t
dfa_bytes(const struct dfa *d, size_t rows, size_t pool, size_t hcap)
{
	return rows * (d->stride * sizeof(int32_t) + 3 * sizeof(uint32_t)) +
	       pool * sizeof(uint32_t) + hcap * sizeof(uint32_t);
}

static void
dfa_free(struct dfa *d, struct mem *m)
{
	mput(m, d->tab);
	mput(m, d->soff);
	mput(m, d->slen);
	mput(m, d->shash);
	mput(m, d->pool);
	mput(m, d->hash);
	mput(m, d->mark);
	mput(m, d->stack);
	mput(m, d->tmp);
	memset(d, 0, sizeof *d);
}

/* Sets d up over NFA f (transitions already in classes), with room for a
 * few states and two of the largest sets. */
static bool
dfa_init(struct dfa *d, struct mem *m, const struct nfa *f, uint32_t k,
	 uint32_t final, uint32_t start, bool lazy, size_t maxrows,
	 size_t maxbytes)
{
	size_t nimp = 0, i;

	memset(d, 0, sizeof *d);
	d->m = m;
	d->st = f->st;
	d->tr = f->tr;
	d->nst = (uint32_t)f->n;
	d->final = final;
	d->nstart = start;
	d->k = k;
	d->stride = k + 1;
	d->lazy = lazy;
	d->maxrows = maxrows;
	d->maxbytes = maxbytes;
	d->start = UNK;
	for (i = 0; i < f->n; i++)
		nimp += f->st[i].ntr > 0;
	d->rowcap = 8;
	d->poolcap = 2 * (nimp + 1) + 64;
	d->hcap = 16;
	d->tab = mget(m, d->rowcap * d->stride, sizeof *d->tab);
	d->soff = mget(m, d->rowcap, sizeof *d->soff);
	d->slen = mget(m, d->rowcap, sizeof *d->slen);
	d->shash = mget(m, d->rowcap, sizeof *d->shash);
	d->pool = mget(m, d->poolcap, sizeof *d->pool);
	d->hash = mget(m, d->hcap, sizeof *d->hash);
	d->mark = mget(m, d->nst, sizeof *d->mark);
	d->stack = mget(m, d->nst, sizeof *d->stack);
	d->tmp = mget(m, d->nst, sizeof *d->tmp);
	if (!d->tab || !d->soff || !d->slen || !d->shash || !d->pool ||
	    !d->hash || !d->mark || !d->stack || !d->tmp)
		return false;
	memset(d->hash, 0, d->hcap * sizeof *d->hash);
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

static uint32_t
hash_set(const uint32_t *v, uint32_t n, bool acc)
{
	uint32_t h = 2166136261u ^ (uint32_t)acc, i;

	for (i = 0; i < n; i++)
		h = (h ^ v[i]) * 16777619u;
	return h ^ (h >> 15);
}

/* Grows the rows (and the hash table with them) within the limits. */
static bool
grow_rows(struct dfa *d)
{
	size_t nc = d->rowcap * 2, nh = d->hcap, i, j;
	int32_t *tab;
	uint32_t *soff, *slen, *shash, *hash;

	if (nc > d->maxrows)
		nc = d->maxrows;
	for (;;) {
		if (nc <= d->rowcap)
			return false;
		for (nh = d->hcap; nh < 2 * nc; nh *= 2)
			;
		if (dfa_bytes(d, nc, d->poolcap, nh) <= d->maxbytes)
			break;
		nc = d->rowcap + (nc - d->rowcap) / 2;
	}
	tab = mget(d->m, nc * d->stride, sizeof *tab);
	soff = mget(d->m, nc, sizeof *soff);
	slen = mget(d->m, nc, sizeof *slen);
	shash = mget(d->m, nc, sizeof *shash);
	hash = mget(d->m, nh, sizeof *hash);
	if (!tab || !soff || !slen || !shash || !hash) {
		mput(d->m, tab);
		mput(d->m, soff);
		mput(d->m, slen);
		mput(d->m, shash);
		mput(d->m, hash);
		return false;
	}
	memcpy(tab, d->tab, d->rows * d->stride * sizeof *tab);
	memcpy(soff, d->soff, d->rows * sizeof *soff);
	memcpy(slen, d->slen, d->rows * sizeof *slen);
	memcpy(shash, d->shash, d->rows * sizeof *shash);
	memset(hash, 0, nh * sizeof *hash);
	for (i = 0; i < d->rows; i++) {
		for (j = shash[i] & (nh - 1); hash[j]; j = (j + 1) & (nh - 1))
			;
		hash[j] = (uint32_t)i + 1;
	}
	mput(d->m, d->tab);
	mput(d->m, d->soff);
	mput(d->m, d->slen);
	mput(d->m, d->shash);
	mput(d->m, d->hash);
	d->tab = tab;
	d->soff = soff;
	d->slen = slen;
	d->shash = shash;
	d->hash = hash;
	d->rowcap = nc;
	d->hcap = nh;
	return true;
}

static bool
grow_pool(struct dfa *d, size_t need)
{
	size_t nc = d->poolcap * 2;
	uint32_t *p;

	if (nc < need)
		nc = need;
	if (dfa_bytes(d, d->rowcap, nc, d->hcap) > d->maxbytes) {
		nc = need;
		if (dfa_bytes(d, d->rowcap, nc, d->hcap) > d->maxbytes)
			return false;
	}
	p = mget(d->m, nc, sizeof *p);
	if (!p)
		return false;
	memcpy(p, d->pool, d->npool * sizeof *p);
	mput(d->m, d->pool);
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
	memset(d->hash, 0, d->hcap * sizeof *d->hash);
	d->start = UNK;
	d->flushes++;
}

/* The state for the set d->tmp[0..cnt) (+ acc): DEAD, UNIV (lazy only),
 * the byte offset of the row of a known or new state, or FAIL (eager
 * only). */
static int32_t
intern(struct dfa *d, uint32_t cnt, bool acc)
{
	uint32_t h, i, r;
	size_t j;
	int32_t *row;

	if (!cnt && !acc)
		return DEAD;
	if (d->univ && acc)
		for (i = 0; i < cnt; i++)
			if (d->univ[d->tmp[i]])
				return UNIV;
	sort_u32(d->tmp, cnt);
	h = hash_set(d->tmp, cnt, acc);
	for (j = h & (d->hcap - 1); d->hash[j]; j = (j + 1) & (d->hcap - 1)) {
		r = d->hash[j] - 1;
		if (d->shash[r] == h && d->slen[r] == cnt &&
		    (d->tab[(size_t)r * d->stride + d->k] & F_ACC) == acc &&
		    !memcmp(d->pool + d->soff[r], d->tmp, cnt * sizeof *d->tmp))
			return (int32_t)(r * d->stride * 4);
	}
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
	d->soff[r] = (uint32_t)d->npool;
	d->slen[r] = cnt;
	d->shash[r] = h;
	memcpy(d->pool + d->npool, d->tmp, cnt * sizeof *d->tmp);
	d->npool += cnt;
	for (j = h & (d->hcap - 1); d->hash[j]; j = (j + 1) & (d->hcap - 1))
		;
	d->hash[j] = r + 1;
	return (int32_t)(r * d->stride * 4);
}

/* The successor of the state at `row` (its offset in bytes) on class c,
 * recorded in the table unless building it flushed the cache. */
static int32_t
step(struct dfa *d, int32_t row, uint32_t c)
{
	uint32_t r = (uint32_t)row / (4 * d->stride), cnt = 0, i, j;
	const uint32_t *set = d->pool + d->soff[r];
	uint32_t n = d->slen[r];
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

static int32_t
dfa_start(struct dfa *d)
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

/* --- explicit DFAs for ~ and & ---------------------------------------------- */

static void
xdfa_free(struct mem *m, struct xdfa *d)
{
	if (!d)
		return;
	mput(m, d->lo);
	mput(m, d->next);
	mput(m, d->acc);
	mput(m, d);
}

/* A DFA with room for n states over k classes, owned by b. */
static struct xdfa *
xdfa_new(struct build *b, uint32_t n, uint32_t k)
{
	struct xdfa *d = mget(&b->m, 1, sizeof *d);

	if (!d)
		return NULL;
	d->n = n;
	d->k = k;
	d->lo = mget(&b->m, k, sizeof *d->lo);
	d->next = mget(&b->m, (size_t)n * k, sizeof *d->next);
	d->acc = mget(&b->m, n, sizeof *d->acc);
	if (!d->lo || !d->next || !d->acc)
		goto fail;
	GROW(&b->m, b->dfas, b->dfacap, b->ndfa, b->ndfa + 1, goto fail);
	b->dfas[b->ndfa++] = d;
	return d;
fail:
	xdfa_free(&b->m, d);
	return NULL;
}

/* Removes the states from which no accepting state is reachable (all are
 * reachable from state 0 by construction), renumbering the others. */
static struct xdfa *
trim(struct build *b, struct xdfa *d)
{
	size_t n = d->n, k = d->k, i, c, nedge = 0, qh = 0, qt = 0;
	uint32_t *first = NULL, *src = NULL, *queue = NULL, *map = NULL;
	uint32_t kept = 0;

	if (!n)
		return d;
	first = mget(&b->m, n + 1, sizeof *first);
	queue = mget(&b->m, n, sizeof *queue);
	map = mget(&b->m, n, sizeof *map);
	if (!first || !queue || !map)
		goto fail;
	memset(first, 0, (n + 1) * sizeof *first);
	for (i = 0; i < n * k; i++)
		if (d->next[i] >= 0) {
			first[d->next[i] + 1]++;
			nedge++;
		}
	for (i = 0; i < n; i++)
		first[i + 1] += first[i];
	src = mget(&b->m, nedge, sizeof *src);
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
	mput(&b->m, first);
	mput(&b->m, src);
	mput(&b->m, queue);
	mput(&b->m, map);
	return d;
fail:
	mput(&b->m, first);
	mput(&b->m, src);
	mput(&b->m, queue);
	mput(&b->m, map);
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

/* The product of x and y over the common refinement of their classes,
 * capped at RX_MAX_DFA_STATES states. */
static struct xdfa *
intersect(struct build *b, const struct xdfa *x, const struct xdfa *y)
{
	uint32_t *lo = NULL, *m1 = NULL, *m2 = NULL, *pp = NULL, *hash = NULL;
	int32_t *next = NULL;
	uint8_t *acc = NULL;
	size_t k = 0, i = 0, j = 0, n = 1, cap = 0, hcap = 1, r, c;
	struct xdfa *d = NULL;

	if (!x->n || !y->n) {
		d = xdfa_new(b, 0, 1);
		if (d)
			d->lo[0] = 0;
		return d;
	}
	lo = mget(&b->m, (size_t)x->k + y->k, sizeof *lo);
	m1 = mget(&b->m, (size_t)x->k + y->k, sizeof *m1);
	m2 = mget(&b->m, (size_t)x->k + y->k, sizeof *m2);
	while (hcap < 2 * (size_t)RX_MAX_DFA_STATES)
		hcap *= 2;
	hash = mget(&b->m, hcap, sizeof *hash);
	pp = mget(&b->m, 2 * (size_t)RX_MAX_DFA_STATES, sizeof *pp);
	acc = mget(&b->m, RX_MAX_DFA_STATES, sizeof *acc);
	if (!lo || !m1 || !m2 || !hash || !pp || !acc)
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
	memset(hash, 0, hcap * sizeof *hash);
	pp[0] = pp[1] = 0;
	hash[0] = 1;    /* the pair (0,0) hashes to 0 */
	for (r = 0; r < n; r++) {
		const int32_t *rowx = x->next + (size_t)pp[2 * r] * x->k;
		const int32_t *rowy = y->next + (size_t)pp[2 * r + 1] * y->k;

		GROW(&b->m, next, cap, r * k, (r + 1) * k, goto out);
		acc[r] = x->acc[pp[2 * r]] && y->acc[pp[2 * r + 1]];
		for (c = 0; c < k; c++) {
			int32_t a = rowx[m1[c]], z = rowy[m2[c]];
			uint64_t key;
			size_t h;

			next[r * k + c] = -1;
			if (a < 0 || z < 0)
				continue;
			key = (uint64_t)a * y->n + (uint64_t)z;
			for (h = (size_t)(key * 0x9E3779B97F4A7C15u >> 40) &
				 (hcap - 1);
			     hash[h]; h = (h + 1) & (hcap - 1)) {
				uint32_t s = hash[h] - 1;
				if (pp[2 * s] == (uint32_t)a &&
				    pp[2 * s + 1] == (uint32_t)z)
					break;
			}
			if (!hash[h]) {
				if (n >= RX_MAX_DFA_STATES) {
					fail(b, b->cur_off, too_complex);
					goto out;
				}
				pp[2 * n] = (uint32_t)a;
				pp[2 * n + 1] = (uint32_t)z;
				hash[h] = (uint32_t)++n;
			}
			next[r * k + c] = (int32_t)hash[h] - 1;
		}
	}
	d = xdfa_new(b, (uint32_t)n, (uint32_t)k);
	if (d) {
		memcpy(d->lo, lo, k * sizeof *lo);
		memcpy(d->next, next, n * k * sizeof *next);
		memcpy(d->acc, acc, n);
		d = trim(b, d);
	}
out:
	mput(&b->m, lo);
	mput(&b->m, m1);
	mput(&b->m, m2);
	mput(&b->m, hash);
	mput(&b->m, pp);
	mput(&b->m, acc);
	mput(&b->m, next);
	return d;
}

/* --- Thompson construction ------------------------------------------------- */

static uint32_t
new_state(struct build *b, struct nfa *f)
{
	struct nstate *s;

	if (f->n >= RX_MAX_NFA_STATES)
		return fail(b, b->cur_off, too_complex);
	GROW(&b->m, f->st, f->cap, f->n, f->n + 1, return NIL);
	s = &f->st[f->n];
	s->eps0 = s->eps1 = NIL;
	s->tr = (uint32_t)f->ntr;
	s->ntr = 0;
	return (uint32_t)f->n++;
}

/* Adds a transition to state s, whose transitions are the last ones. */
static bool
add_trans(struct build *b, struct nfa *f, uint32_t s, uint32_t lo,
	  uint32_t hi, uint32_t to)
{
	struct ntrans *t;

	if (f->ntr >= MAX_NFA_TRANS) {
		fail(b, b->cur_off, too_complex);
		return false;
	}
	GROW(&b->m, f->tr, f->trcap, f->ntr, f->ntr + 1, return false);
	if (!f->st[s].ntr)
		f->st[s].tr = (uint32_t)f->ntr;
	t = &f->tr[f->ntr++];
	t->lo = lo;
	t->hi = hi;
	t->to = to;
	f->st[s].ntr++;
	return true;
}

static struct xdfa *get_dfa(struct build *b, uint32_t x);
static uint32_t compile(struct build *b, struct nfa *f, uint32_t x,
			uint32_t next);

/* One NFA state per state of d, an epsilon edge to `next` from the
 * accepting ones; adjacent classes with the same target make one range. */
static uint32_t
embed(struct build *b, struct nfa *f, const struct xdfa *d, uint32_t next)
{
	uint32_t base = (uint32_t)f->n, i, c, e;

	if (!d)
		return NIL;
	if (!d->n)
		return new_state(b, f);
	if (f->n + d->n > RX_MAX_NFA_STATES)
		return fail(b, b->cur_off, too_complex);
	for (i = 0; i < d->n; i++)
		if (new_state(b, f) == NIL)
			return NIL;
	for (i = 0; i < d->n; i++) {
		const int32_t *row = d->next + (size_t)i * d->k;

		if (d->acc[i])
			f->st[base + i].eps0 = next;
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

/* Determinizes the language of node x (eagerly, capped). */
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
	fin = new_state(b, &f);
	start = fin == NIL ? NIL : compile(b, &f, x, fin);
	if (start == NIL || !classes(&b->m, &f, &lo, &k) ||
	    !dfa_init(&d, &b->m, &f, k, fin, start, false, RX_MAX_DFA_STATES,
		      MAX_EAGER_BYTES))
		goto out;
	s = dfa_start(&d);
	for (r = 0; s != FAIL && r < d.rows; r++)
		for (c = 0; c < k; c++)
			if (step(&d, (int32_t)(r * d.stride * 4), c) == FAIL) {
				s = FAIL;
				break;
			}
	if (s == FAIL) {
		if (!b->m.oom)
			fail(b, b->cur_off, too_complex);
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
	dfa_free(&d, &b->m);
	mput(&b->m, lo);
	mput(&b->m, f.st);
	mput(&b->m, f.tr);
	return res;
}

/* The DFA of node x, built once (repetitions embed it again). */
static struct xdfa *
get_dfa(struct build *b, uint32_t x)
{
	const struct node *n = &b->nd[x];
	struct xdfa *d, *e;
	uint32_t i;

	if (n->memo)
		return b->dfas[n->memo - 1];
	switch (n->op) {
	case A_NOT:
		d = get_dfa(b, n->a);
		d = d ? complement(b, d) : NULL;
		break;
	case A_AND:
		d = get_dfa(b, b->kid[n->a]);
		for (i = 1; d && i < n->n; i++) {
			e = get_dfa(b, b->kid[n->a + i]);
			d = e ? intersect(b, d, e) : NULL;
		}
		break;
	default:
		d = determinize(b, x);
		break;
	}
	if (d)
		b->nd[x].memo = (uint32_t)b->ndfa;      /* d is the last one */
	return d;
}

/* x{min,max}: min copies, then max - min optional ones (each of which may
 * end the repetition), or a loop when unbounded. */
static uint32_t
compile_rep(struct build *b, struct nfa *f, uint32_t x, uint32_t next)
{
	const struct node *n = &b->nd[x];
	uint32_t t = next, i, s, k, saved = b->cur_off;
	size_t before;

	if (!b->reps++)
		b->cur_off = n->off;
	if (n->max == INF) {
		s = new_state(b, f);
		k = s == NIL ? NIL : compile(b, f, n->a, s);
		if (k == NIL) {
			t = NIL;
		} else {
			f->st[s].eps0 = k;
			f->st[s].eps1 = next;
			t = s;
		}
	} else {
		for (i = n->min; i < n->max && t != NIL; i++) {
			s = new_state(b, f);
			k = s == NIL ? NIL : compile(b, f, n->a, t);
			if (k == NIL) {
				t = NIL;
			} else {
				f->st[s].eps0 = k;
				f->st[s].eps1 = next;
				t = s;
			}
		}
	}
	for (i = 0; i < n->min && t != NIL; i++) {
		before = f->n;
		t = compile(b, f, n->a, t);
		if (f->n == before)
			break;          /* the kid adds no state: done */
	}
	b->reps--;
	b->cur_off = saved;
	return t;
}

/* The state that matches node x and continues at `next`. */
static uint32_t
compile(struct build *b, struct nfa *f, uint32_t x, uint32_t next)
{
	const struct node *n = &b->nd[x];
	uint32_t s, t, i, k, saved;

	if (next == NIL)
		return NIL;
	switch ((enum op)n->op) {
	case A_EPS:
		return next;
	case A_NONE:
		return new_state(b, f);
	case A_SET:
		s = new_state(b, f);
		for (i = 0; s != NIL && i < n->n; i++)
			if (!add_trans(b, f, s, b->rng[n->a + i].lo,
				       b->rng[n->a + i].hi, next))
				return NIL;
		return s;
	case A_CAT:
		for (i = n->n; i-- > 0 && next != NIL;)
			next = compile(b, f, b->kid[n->a + i], next);
		return next;
	case A_ALT:
		t = compile(b, f, b->kid[n->a + n->n - 1], next);
		for (i = n->n - 1; i-- > 0 && t != NIL;) {
			s = new_state(b, f);
			k = s == NIL ? NIL : compile(b, f, b->kid[n->a + i],
						     next);
			if (k == NIL)
				return NIL;
			f->st[s].eps0 = k;
			f->st[s].eps1 = t;
			t = s;
		}
		return t;
	case A_REP:
		return compile_rep(b, f, x, next);
	case A_NOT:
	case A_AND:
		saved = b->cur_off;
		if (!b->reps)
			b->cur_off = n->off;
		t = embed(b, f, get_dfa(b, x), next);
		b->cur_off = saved;
		return t;
	}
	return NIL;
}

/* --- compiling a pattern set ----------------------------------------------- */

static void
build_free(struct build *b)
{
	size_t i;

	for (i = 0; i < b->ndfa; i++)
		xdfa_free(&b->m, b->dfas[i]);
	mput(&b->m, b->dfas);
	mput(&b->m, b->nd);
	mput(&b->m, b->rng);
	mput(&b->m, b->kid);
	mput(&b->m, b->stk);
	mput(&b->m, b->set);
	mput(&b->m, b->trie);
	b->trie = NULL;
	b->dfas = NULL;
	b->nd = NULL;
	b->rng = NULL;
	b->kid = b->stk = NULL;
	b->set = NULL;
}

/* Do nodes x and y denote the same language by the same structure? */
static bool
same(const struct build *b, uint32_t x, uint32_t y)
{
	const struct node *p = &b->nd[x], *q = &b->nd[y];
	uint32_t i;

	if (x == y)
		return true;
	if (p->op != q->op || p->n != q->n)
		return false;
	switch (p->op) {
	case A_SET:
		return !memcmp(b->rng + p->a, b->rng + q->a,
			       p->n * sizeof *b->rng);
	case A_REP:
		return p->min == q->min && p->max == q->max &&
		       same(b, p->a, q->a);
	case A_NOT:
		return same(b, p->a, q->a);
	case A_CAT:
	case A_ALT:
	case A_AND:
		for (i = 0; i < p->n; i++)
			if (!same(b, b->kid[p->a + i], b->kid[q->a + i]))
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

	GROW(&b->m, b->trie, b->triecap, b->ntrie, b->ntrie + 1, return NIL);
	t = &b->trie[b->ntrie];
	t->label = label;
	t->kid = t->next = t->start = NIL;
	t->pat = (uint32_t)b->pat;
	t->end = false;
	return (uint32_t)b->ntrie++;
}

/* Adds the token sequence of pattern `root` to the trie. */
static bool
trie_add(struct build *b, uint32_t root)
{
	const struct node *r = &b->nd[root];
	uint32_t n = r->op == A_CAT ? r->n : 1, i, t = 0, c;

	for (i = 0; i < n; i++) {
		uint32_t lab = r->op == A_CAT ? b->kid[r->a + i] : root;

		for (c = b->trie[t].kid; c != NIL; c = b->trie[c].next)
			if (same(b, b->trie[c].label, lab))
				break;
		if (c == NIL) {
			c = trie_node(b, lab);
			if (c == NIL)
				return false;
			b->trie[c].next = b->trie[t].kid;
			b->trie[t].kid = c;
		}
		t = c;
	}
	b->trie[t].end = true;
	return true;
}

/* Parses the n patterns, then builds the NFA of their union into f.  The
 * union is left-factored through a trie (a x | a y = a (x | y)), so that
 * patterns sharing a prefix share its states: above all the leading `*`
 * of many wildcards, which would otherwise sit in every DFA state once per
 * pattern.  Trie nodes are compiled children first (a child's index is
 * above its parent's), each to the union of its children and the final
 * state when a pattern ends there. */
static bool
build_nfa(struct build *b, const struct rx_pattern *pat, size_t n,
	  unsigned flags, struct nfa *f, uint32_t *pstart, uint32_t *pfin)
{
	uint32_t *roots = NULL, fin, t, s, sp, k, c;
	size_t i;
	bool ok = false;

	if (n && !(roots = mget(&b->m, n, sizeof *roots)))
		return false;
	for (i = 0; i < n; i++) {
		b->pat = i;
		roots[i] = parse_one(b, &pat[i], flags);
		if (roots[i] == NIL)
			goto out;
	}
	b->ntrie = 0;
	if (trie_node(b, NIL) == NIL)
		goto out;
	for (i = 0; i < n; i++) {
		b->pat = i;
		if (!trie_add(b, roots[i]))
			goto out;
	}
	fin = new_state(b, f);
	if (fin == NIL)
		goto out;
	for (t = (uint32_t)b->ntrie; t-- > 0;) {
		s = b->trie[t].end ? fin : NIL;
		for (c = b->trie[t].kid; c != NIL; c = b->trie[c].next) {
			b->pat = b->trie[c].pat;
			b->cur_off = 0;
			k = compile(b, f, b->trie[c].label, b->trie[c].start);
			if (k == NIL)
				goto out;
			if (s == NIL) {
				s = k;
				continue;
			}
			if ((sp = new_state(b, f)) == NIL)
				goto out;
			f->st[sp].eps0 = k;
			f->st[sp].eps1 = s;
			s = sp;
		}
		if (s == NIL && (s = new_state(b, f)) == NIL)
			goto out;       /* no pattern: a dead end */
		b->trie[t].start = s;
	}
	*pstart = b->trie[0].start;
	*pfin = fin;
	ok = true;
out:
	mput(&b->m, roots);
	return ok;
}

struct rx {
	struct mem m;
	struct nfa f;
	uint32_t *lo, k;        /* classes */
	uint8_t *univ;          /* per NFA state: universal */
	struct dfa d;
	uint32_t acls[128];     /* 4 x the class of each ASCII byte */
};

/* Marks the NFA states q after which everything matches: q's transitions
 * cover every class and each leads back to q with acceptance in reach. */
static void
find_universal(struct rx *rx)
{
	struct dfa *d = &rx->d;
	uint32_t q, j, cnt, cover;
	bool ok, acc;

	for (q = 0; q < d->nst; q++) {
		const struct nstate *s = &d->st[q];
		const struct ntrans *t;

		rx->univ[q] = 0;
		if (!s->ntr)
			continue;       /* (d->tr may be NULL: no transitions) */
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

static void
report(const struct build *b, char *err, size_t errlen, size_t *errpat,
       size_t *erroff)
{
	const char *msg = b->m.oom || !b->msg ? no_memory : b->msg;

	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	if (errpat)
		*errpat = b->m.oom || !b->msg ? b->pat : b->errpat;
	if (erroff)
		*erroff = b->m.oom || !b->msg ? 0 : b->err;
}

struct rx *
rx_compile_with(const struct rx_pattern *p, size_t n, unsigned flags,
		const struct rc_allocator *al, char *err, size_t errlen,
		size_t *errpat, size_t *erroff)
{
	struct build b;
	struct rx *rx;
	uint32_t start = 0, fin = 0, c;

	memset(&b, 0, sizeof b);
	b.m.al = al;
	rx = mget(&b.m, 1, sizeof *rx);
	if (!rx)
		goto fail;
	memset(rx, 0, sizeof *rx);
	rx->m.al = al;
	if (!build_nfa(&b, p, n, flags, &rx->f, &start, &fin) ||
	    !classes(&b.m, &rx->f, &rx->lo, &rx->k))
		goto fail;
	for (c = 0; c < 128; c++)
		rx->acls[c] = 4 * class_of(rx->lo, rx->k, c);
	rx->univ = mget(&b.m, rx->f.n, 1);
	if (!rx->univ ||
	    !dfa_init(&rx->d, &b.m, &rx->f, rx->k, fin, start, true,
		      RX_CACHE_STATES, RX_CACHE_DEFAULT))
		goto fail;
	rx->d.m = &rx->m;
	find_universal(rx);
	rx->d.univ = rx->univ;
	build_free(&b);
	return rx;
fail:
	report(&b, err, errlen, errpat, erroff);
	rx_free(rx);
	build_free(&b);
	return NULL;
}

struct rx *
rx_compile(const struct rx_pattern *p, size_t n, unsigned flags, char *err,
	   size_t errlen, size_t *errpat, size_t *erroff)
{
	return rx_compile_with(p, n, flags, NULL, err, errlen, errpat,
			       erroff);
}

void
rx_free(struct rx *rx)
{
	struct mem m;

	if (!rx)
		return;
	m = rx->m;
	dfa_free(&rx->d, &m);
	mput(&m, rx->f.st);
	mput(&m, rx->f.tr);
	mput(&m, rx->lo);
	mput(&m, rx->univ);
	mput(&m, rx);
}

/* The hot loop: ASCII bytes go through acls, other units are decoded and
 * looked up; a negative table entry is an unbuilt transition (built here),
 * the dead state or a universal one (both end the match).  State and class
 * are byte offsets, and the class is added to the table's base first: the
 * chain from one state to the next is a single load. */
bool
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
	nx = d->start == UNK ? dfa_start(d) : d->start;
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
				c = 4 * class_of(rx->lo, rx->k,
						 utf8_unit(p, (size_t)(end - p),
							   &n));
				p += n;
			}
			nx = *(const int32_t *)((tab + c) + st);
			if (nx < 0) {
				if (nx == UNK) {
					nx = step(d, (int32_t)st, c / 4);
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

bool
rx_check(const char *s, size_t len, enum rx_kind kind, unsigned flags,
	 size_t *erroff, const char **msg)
{
	struct rx_pattern p;
	struct build b;
	struct nfa f;
	uint32_t start, fin;
	bool ok;

	p.s = s;
	p.len = len;
	p.kind = kind;
	memset(&b, 0, sizeof b);
	memset(&f, 0, sizeof f);
	ok = build_nfa(&b, &p, 1, flags, &f, &start, &fin);
	if (!ok) {
		*msg = b.m.oom || !b.msg ? no_memory : b.msg;
		*erroff = b.m.oom || !b.msg ? 0 : b.err;
	}
	mput(&b.m, f.st);
	mput(&b.m, f.tr);
	build_free(&b);
	return ok;
}

void
rx_get_stats(const struct rx *rx, struct rx_stats *st)
{
	memset(st, 0, sizeof *st);
	if (!rx)
		return;
	st->nfa_states = rx->f.n;
	st->classes = rx->k;
	st->dfa_states = rx->d.rows;
	st->flushes = rx->d.flushes;
	st->cache_bytes = dfa_bytes(&rx->d, rx->d.rowcap, rx->d.poolcap,
				    rx->d.hcap);
}

void
rx_set_cache_limit(struct rx *rx, size_t bytes)
{
	if (rx)
		rx->d.maxbytes = bytes;
}
