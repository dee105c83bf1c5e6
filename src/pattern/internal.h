/*
 * internal.h - the pattern matcher's private interface (see regex.h for
 * what it does).
 *
 * Design note (the implementation).  Four stages, each with its own data
 * and file:
 *
 * 1. Parse (parse.c).  Each pattern becomes a syntax tree in one node
 *    array shared by all patterns (`struct node`): EPS (the empty string),
 *    NONE (the empty language), SET (a sorted list of code-point ranges),
 *    CAT, ALT, AND (n-ary, kids in `kid`), NOT, and REP{min,max}.  Lists
 *    are n-ary so that long literals do not make deep trees; the tree
 *    height is capped (MAX_HEIGHT) because the later stages recurse over
 *    it.  `.` is the set [0, U+110000], so it includes the invalid-byte
 *    unit; so do negated classes, whose complement is taken within that
 *    alphabet.  The Lucene parser follows RegExp.java production by
 *    production (its right recursion turned into loops); the wildcard
 *    parser is one loop.  Numeric intervals are expanded into sets and
 *    repetitions.  Case-insensitive wildcards fold through fold.c, whose
 *    table (casefold.def) is generated from Unicode's CaseFolding.txt.
 * 2. NFA (nfa.c).  Thompson construction in continuation-passing style:
 *    compile(node, next) returns the state that matches the node and
 *    continues at `next`.  A state has up to two epsilon edges and a
 *    contiguous run of range transitions sorted by range.  NOT and AND
 *    nodes are determinized (xdfa.c) and embedded: one NFA state per DFA
 *    state, an epsilon edge to `next` from each accepting one.
 * 3. Classes (nfa.c).  The range boundaries of the whole NFA partition the
 *    alphabet into classes; transitions are rewritten to class ranges.
 * 4. DFA (dfa.c).  `struct dfa` is the subset construction over classes,
 *    used two ways: eagerly (every state, capped at RX_MAX_DFA_STATES) for
 *    `~` and `&` operands, and lazily for matching.  A DFA state is the
 *    sorted set of its NFA states that have transitions, plus an accepting
 *    bit; sets are interned through a base/hash.h table.  The transition
 *    table `tab` holds, per state, one int32 per class and a last column of
 *    flags; an entry is the byte offset of the next state's row (so the
 *    matcher adds a class offset and never multiplies) or a negative code:
 *    UNK (not built yet), DEAD, UNIV.  Dead and universal states get no row
 *    at all: reaching one ends the match.
 *
 * Linear time: each input unit costs one table load when the transition is
 * cached, else one step of the subset construction, bounded by the NFA's
 * size.  The cache never exceeds its budget: when a new state does not fit
 * it is flushed (rows, set pool and hash emptied, capacity kept) and the
 * match goes on from the new state.  The capacity allocated at compile
 * time always holds two states, so rx_match() never fails; an allocation
 * failure while growing counts as a full cache.
 *
 * Explicit DFAs (`struct xdfa`, xdfa.c) for `~` and `&` are trimmed (states
 * that cannot reach acceptance removed) so that the embedded automaton has
 * no dead ends; complement first completes the DFA with a sink.
 * Intersection is the product construction over the common refinement of
 * both class partitions, capped like determinization.
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
 * Memory.  Everything comes from the allocator given to rx_compile_with()
 * (base/arena.h's rc_allocator; NULL: malloc).  A compilation (`struct
 * build`) keeps its growing arrays in base/vec.h vectors and its
 * fixed-size scratch (the explicit DFAs, work lists) in an arena, whose
 * sticky oom flag is the compilation's; scratch of one step is rolled back
 * with an arena mark.  What the struct rx keeps (NFA, classes, the DFA
 * cache) is allocated outside the arena; the cache's arrays are sized to a
 * byte budget, not by doubling, so they are allocated exactly.
 *
 * Measured with `RX_BENCH=1 build/tests/unit/test_regex` (gcc 12 -O2, one
 * core of a 2-vCPU AMD EPYC build machine, warm cache; strings are paths
 * of 43 bytes on average, 200,000 of them, 8.5 MB per pass):
 *   300 case-insensitive wildcards unioned        940-990 MB/s
 *   one wildcard `*\temp\*.exe` (ci)              1.04-1.13 GB/s
 *   Lucene `.*[a-z]+[0-9]+\.exe`                   1.03-1.13 GB/s
 *   one 64 MiB string                              0.90-0.99 GB/s
 *   `(a|aa)*b`, `(a*)*b`, `(.*a){20}b` on 100,000 'a': 0.11 ms each
 */
#ifndef RC_PATTERN_INTERNAL_H
#define RC_PATTERN_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/hash.h"
#include "base/vec.h"
#include "pattern/regex.h"

#define NIL UINT32_MAX          /* no state, no node */
#define INV 0x110000u           /* the unit an invalid byte reads as */
#define CP_END (INV + 1)        /* one past the alphabet */
#define INF UINT32_MAX          /* unbounded repetition */
#define MAX_NFA_TRANS (8u * RX_MAX_NFA_STATES)
#define MAX_EAGER_BYTES ((size_t)64 << 20)

#define RX_TOO_COMPLEX "regular expression too complex"

/* --- syntax trees (parse.c) ---------------------------------------------- */

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

/* --- automata (nfa.c, xdfa.c) -------------------------------------------- */

/* An NFA state: epsilon edges and transitions tr[tr..tr+ntr), sorted by
 * lo, on code-point ranges until rx_classes() makes them class ranges. */
struct nstate {
	uint32_t eps0, eps1, tr, ntr;
};

struct ntrans {
	uint32_t lo, hi, to;
};

struct nfa {
	VEC(struct nstate) st;
	VEC(struct ntrans) tr;
};

/* An explicit DFA; n == 0 is the empty language.  Its arrays live in the
 * build's arena. */
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

/* Everything one compilation builds; released by rx_build_free(). */
struct build {
	const struct rc_allocator *al;
	struct arena scratch;   /* explicit DFAs, work lists; scratch.oom is
	                           the compilation's out-of-memory flag */
	const char *msg;        /* the first error, or NULL */
	size_t err, errpat;     /* where it is */
	size_t pat;             /* the pattern being worked on */
	VEC(struct node) nd;
	VEC(struct range) rng;  /* the ranges of the sets */
	VEC(uint32_t) kid;      /* the kids of lists */
	VEC(uint32_t) stk;      /* kids of the lists being parsed */
	VEC(struct range) set;  /* the set being built */
	VEC(struct xdfa *) dfas; /* every explicit DFA, by node memo */
	VEC(struct trie) trie;  /* the patterns, left-factored */
	uint32_t cur_off;       /* offset blamed for "too complex" */
	unsigned reps;          /* repetitions being compiled */
};

/* Room for `need` elements in vector v of build b; false, with b's sticky
 * out-of-memory flag set, when there is none. */
#define RX_RESERVE(b, v, need) \
	(vec_reserve_with((b)->al, (v), (need)) == 0 || \
	 ((b)->scratch.oom = true, false))

/* --- the subset construction (dfa.c) ------------------------------------- */

#define UNK (-1)                /* transition not built yet */
#define DEAD (-2)               /* no string matches from here */
#define UNIV (-3)               /* every string matches from here */
#define FAIL (-4)               /* eager: over the cap or out of memory */
#define F_ACC 1                 /* flags column: accepting */

/* Where a DFA state's NFA set is in the pool. */
struct dfa_row {
	uint32_t off, len;
};

struct dfa {
	const struct rc_allocator *al;
	bool oom;                       /* some allocation failed */
	const struct nstate *st;        /* the NFA, class transitions */
	const struct ntrans *tr;
	uint32_t nst, final, nstart;    /* states, accepting, initial */
	uint32_t k, stride;             /* classes; row length k + 1 */
	const uint8_t *univ;            /* lazy: universal NFA states */
	bool lazy;                      /* flush when full (else FAIL) */
	/* The cache: arrays of rowcap rows and poolcap set members, sized
	 * exactly to the byte budget (so not vec.h vectors, which double). */
	int32_t *tab;                   /* rows x stride */
	struct dfa_row *row;            /* per row: its NFA set */
	size_t rows, rowcap;
	uint32_t *pool;                 /* the sets */
	size_t npool, poolcap;
	struct hash index;              /* set hash -> row, rowcap reserved */
	uint32_t *mark, *stack, *tmp;   /* closure scratch, nst each */
	uint32_t gen;                   /* mark[s] == gen: s visited */
	int32_t start;                  /* row (bytes), DEAD, UNIV or UNK */
	size_t maxrows, maxbytes, flushes;
};

struct rx {
	const struct rc_allocator *al;
	struct nfa f;
	uint32_t *lo, k;        /* classes */
	uint8_t *univ;          /* per NFA state: universal */
	struct dfa d;
	uint32_t acls[128];     /* 4 x the class of each ASCII byte */
};

/* --- inline helpers ------------------------------------------------------ */

/* Reads one unit of s[0..n), n > 0, into *len bytes: the code point of a
 * valid UTF-8 sequence (shortest form, no surrogate, at most U+10FFFF), or
 * INV for a single byte that does not start one.  (Inline: the matching
 * loop decodes every non-ASCII unit.) */
static inline uint32_t
rx_utf8_unit(const unsigned char *s, size_t n, size_t *len)
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

/* The class of cp: the last c with lo[c] <= cp. */
static inline uint32_t
rx_class_of(const uint32_t *lo, uint32_t k, uint32_t cp)
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

/* --- between the files --------------------------------------------------- */

/* regex.c: records the first error of b; returns NIL for the callers'
 * convenience. */
uint32_t rx_fail(struct build *b, size_t off, const char *msg);
/* regex.c: n * size bytes from the allocator (at least one), or NULL with
 * *oom set. */
void *rx_alloc(const struct rc_allocator *al, bool *oom, size_t n,
	       size_t size);
void rx_release(const struct rc_allocator *al, void *p);

/* fold.c: Unicode simple case folding of c (itself when it has none), and
 * the code points other than f whose folding is f, into out[0..max): their
 * number (never more than RX_FOLD_MAX). */
#define RX_FOLD_MAX 8
uint32_t rx_fold(uint32_t c);
size_t rx_unfold(uint32_t f, uint32_t *out, size_t max);

/* parse.c: the syntax tree of one pattern, or NIL (error recorded). */
uint32_t rx_parse(struct build *b, const struct rx_pattern *rp,
		  unsigned flags);

/* nfa.c */
uint32_t rx_nfa_state(struct build *b, struct nfa *f);
uint32_t rx_nfa_compile(struct build *b, struct nfa *f, uint32_t x,
			uint32_t next);
bool rx_nfa_build(struct build *b, const struct rx_pattern *pat, size_t n,
		  unsigned flags, struct nfa *f, uint32_t *pstart,
		  uint32_t *pfin);
void rx_nfa_free(const struct rc_allocator *al, struct nfa *f);
bool rx_classes(const struct rc_allocator *al, struct nfa *f, uint32_t **plo,
		uint32_t *pk);

/* xdfa.c: the explicit DFA of node x, built once (NULL: error recorded). */
struct xdfa *rx_xdfa_of(struct build *b, uint32_t x);

/* dfa.c */
void rx_sort_u32(uint32_t *v, size_t n);
bool rx_dfa_init(struct dfa *d, const struct rc_allocator *al,
		 const struct nfa *f, uint32_t k, uint32_t final,
		 uint32_t start, bool lazy, size_t maxrows, size_t maxbytes);
void rx_dfa_free(struct dfa *d);
int32_t rx_dfa_start(struct dfa *d);
int32_t rx_dfa_step(struct dfa *d, int32_t row, uint32_t c);
void rx_find_universal(struct rx *rx);

#endif
