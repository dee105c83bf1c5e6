/*
 * runtime.h - the interpreter's private state, shared by its four files:
 * interp.c (the runtime, scratch memory, leaf memos, frames and the
 * dispatch loop), values.c (typed event values: numbers, dates,
 * comparisons, arithmetic, CIDR, field transforms, values as keys),
 * index.c (leaf tests, equality indexes, literal sets) and builtins.c
 * (the EQL functions, dispatched through a table expanded from
 * sema/functions.def).  Nothing outside src/vm/ includes it.
 *
 * Design note.  A runtime (struct vm_rt) is built once per image and then
 * only read, except for the pattern indexes' answers and per-event memos
 * stamped with a generation number
 * (`gen`, bumped by vm_scratch_reset) so that forgetting them costs
 * nothing:
 *
 *   leaves    every leaf test (PUSH_FIELD then CMP, IN_SET, MATCH or
 *             CIDR; identical byte sequences are one leaf, whatever rule
 *             holds them) numbered 1..n; `leafat` maps each code offset
 *             to its leaf id, `memo`/`memogen` hold a leaf's result for
 *             the current event.
 *   eqs       equality indexes: the leaves that test one field (in one
 *             case mode) for equality with strings, keyed by those
 *             strings (a hash.h table over `ents`, whose `head` starts a
 *             chain of `links` naming the leaves).  One lookup per value
 *             of the field stamps every leaf it satisfies (`hitgen`) and
 *             lists them (`hits`), so that the replay can select the
 *             stages such a leaf guards (vm_index_hits) without
 *             visiting the others.
 *   pats      pattern indexes: per field, the pattern lists (MATCH leaves)
 *             a caller selects stages by (vm_index_add), and per value
 *             seen lately which of them match it; one lookup per value
 *             stamps and lists the leaves it satisfies, like an equality
 *             index.  The only state kept across events (a bounded cache
 *             of answers, each a pure function of the value).
 *   sets      per POOL_SET entry: for 8 elements or more, two hash.h
 *             tables of the string elements' numbers, by exact and by
 *             ASCII-folded bytes; the other elements are scanned.
 *   fval      per field pool entry: its typed value for the current
 *             event (`fgen`), read once and shared by every rule.
 *   scratch   an arena emptied (arena_reset) between events: strings made
 *             by functions, typed arrays of multi-valued fields.
 *
 * Every count and table is sized when the runtime is built; evaluation
 * allocates only scratch memory, the automaton of a pattern list the first
 * time an input passes its pre-filter (`pl`, below), the list of leaves the
 * indexes found true for the event (`hits`) and the pattern indexes' answers.
 */
#ifndef RC_VM_RUNTIME_H
#define RC_VM_RUNTIME_H

#include <stdbool.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/hash.h"
#include "base/text.h"
#include "base/vec.h"
#include "pattern/regex.h"
#include "vm/image.h"
#include "vm/interp.h"

/*
 * A pattern list (POOL_PATTERNS entry) at run time.  Its pre-filter is
 * built when the runtime is; its automaton on the first input that passes
 * the filter (PL_LAZY), unless the list's text alone cannot show that it
 * compiles (Lucene lists, invalid text, very long sets: rx_compiles()),
 * which are compiled when the runtime is built, so that a list that does
 * not compile is known then (rxerr, vm_block_refused) and never becomes a
 * surprise of the first event that reaches it.
 */
enum { PL_NONE, PL_LAZY, PL_READY, PL_FAILED };
struct plist {
	struct rx *rx;          /* PL_READY: the automaton */
	struct rx_filter flt;
	uint8_t state;
};

/* A literal set (pool entry) prepared for lookups. */
struct set {
	struct hash exact;      /* string elements by their bytes */
	struct hash folded;     /* the same, by ASCII-folded bytes */
	bool hashed;            /* the tables are built (8 elements or more) */
	bool has_nonstr;        /* numbers/bools/null: scanned linearly */
};

/* A leaf test: PUSH_FIELD f then one of CMP (with PUSH_CONST or
 * PUSH_NULL before it), IN_SET, MATCH or CIDR. */
struct leaf {
	uint8_t len;            /* bytes from the PUSH_FIELD to the end */
	uint8_t op;             /* the testing opcode */
	uint8_t flags;
	bool null;              /* compared with PUSH_NULL */
	uint32_t field, arg;
	uint32_t eq;            /* its equality index + 1, or 0 */
	uint32_t pat;           /* MATCH: its field's pattern index + 1 */
	uint32_t patbit;        /* its bit there + 1, 0: not selected */
};

/*
 * An equality index: every leaf that tests one field (in one case mode)
 * for equality with string constants (`==`, `in`, `not in` and their ~
 * forms, wildcard lists without wildcards), keyed by those strings.  A
 * value that is not a plain string (a number, a version) compares by
 * other rules: then each leaf evaluates itself (`fallback`).
 */
struct eqent {
	const char *s;
	uint32_t n;
	uint32_t head;          /* first link + 1, 0: none */
};

struct eqlink {
	uint32_t leaf;          /* leaf id */
	uint32_t next;          /* next link + 1, 0: end */
};

struct eqidx {
	uint32_t field;
	bool ci;
	struct hash tab;        /* its strings: items are indices of ents */
	uint32_t nkeys;         /* distinct strings */
	uint64_t gen;           /* event it was evaluated for */
	size_t hfrom, hn;       /* the leaves it found true: hits.v[hfrom..] */
	bool fallback;          /* that event's value is not all strings */
	bool ascii;             /* only ASCII values may use it (it holds
	                           case-insensitive wildcard lists) */
};

/*
 * A pattern index: the pattern lists (MATCH leaves) of one field that a
 * caller selects by (vm_index_add), with the answer for each value seen
 * lately: which of them match it (`bits`, bit i for leaves.v[i]).  Field
 * values recur (process names, executables, actions), so most events
 * find their value's answer with one lookup instead of running one
 * automaton per list.  The answers are forgotten together when there are
 * PAT_CACHE_ENTRIES of them or their strings pass PAT_CACHE_BYTES.
 */
#define PAT_CACHE_ENTRIES 4096
#define PAT_CACHE_BYTES ((size_t)1 << 18)

struct patent {
	const char *s;
	uint32_t n;
	uint64_t *bits;
};

struct patidx {
	uint32_t field;
	VEC(uint32_t) leaves;   /* leaf ids */
	struct hash tab;        /* values: items are indices of ents */
	VEC(struct patent) ents;
	struct arena mem;       /* their strings and bits */
	size_t bytes;           /* of strings in mem */
	uint64_t gen;           /* event it was evaluated for */
	size_t hfrom, hn;       /* the leaves it found true */
	bool fallback;          /* out of memory: leaves evaluate */
};

struct vm_rt {
	const struct image *im;
	uint32_t *leafat;       /* per code byte: leaf id + 1, or 0 */
	VEC(struct leaf) leaves;
	VEC(struct eqidx) eqs;
	VEC(struct patidx) pats;
	VEC(struct eqent) ents; /* the keys of every equality index */
	VEC(struct eqlink) links;
	uint64_t *hitgen;       /* per leaf: hit by its equality index */
	VEC(uint32_t) hits;     /* the leaves the indexes evaluated for */
	uint64_t hitsgen;       /* event hitsgen found true, in order */
	/* while learning (vm_index_learn): per index, the events it
	 * answered, and per leaf, how many of them it found it true */
	bool learning;
	uint32_t *idxevals, *leafhits;
	uint64_t gen;           /* event generation, for the memo */
	uint64_t *fgen;         /* per pool entry: typed field value of */
	struct vm_val *fval;    /* the current event, when fgen == gen */
	uint64_t *memogen;      /* per leaf */
	uint8_t *memo;          /* 1 true, 0 false, 2 null */
	struct plist *pl;       /* per pool entry, POOL_PATTERNS only */
	char **rxerr;           /* per pool entry: why its patterns did not
	                           compile (PL_FAILED: matches nothing) */
	struct vm_pattern_stats pst;
	bool lazy_oom;          /* a lazy compilation ran out of memory */
	struct set *sets;       /* per pool entry, POOL_SET only */
	struct vm_val *stack;
	size_t stackcap, top;   /* slots; the first free one */
	struct arena scratch;
};

static inline bool
truthy(const struct vm_val *v)
{
	return v->k == VK_BOOL && v->u.b;
}

static inline void
set_bool(struct vm_val *v, bool b)
{
	v->k = VK_BOOL;
	v->u.b = b;
}

/* A function's reading of a multi-valued argument: its first element. */
static inline const struct vm_val *
first(const struct vm_val *v)
{
	static const struct vm_val null = { .k = VK_NULL };

	if (v->k == VK_MULTI)
		return v->u.m.n ? &v->u.m.v[0] : &null;
	return v;
}

/* FNV-1a of s, ASCII-folded when ci (keys of sets and indexes). */
static inline uint32_t
fold_hash(const char *s, size_t n, bool ci)
{
	uint32_t h = HASH_SEED;
	size_t i;

	for (i = 0; i < n; i++)
		h = hash_step(h, ci ? text_fold((unsigned char)s[i]) :
			      (unsigned char)s[i]);
	return h;
}

/* res = whether test(e) holds for v or for any of its elements. */
#define ANY_ELEMENT(res, val, e, test)                                  \
	do {                                                            \
		const struct vm_val *v_ = (val);                        \
		uint32_t i_, n_ = v_->k == VK_MULTI ? v_->u.m.n :       \
				  v_->k == VK_NULL ? 0 : 1;             \
		(res) = false;                                          \
		for (i_ = 0; i_ < n_ && !(res); i_++) {                 \
			const struct vm_val *e = v_->k == VK_MULTI ?    \
						 &v_->u.m.v[i_] : v_;   \
			(res) = (test);                                 \
		}                                                       \
	} while (0)

/* ---- values.c ---- */

/* Reads a whole string as a number (ES's keyword-to-number reading). */
bool vm_parse_number(const char *s, size_t n, struct vm_val *out);
/* Numeric reading of v (numbers, dates, numeric strings). */
bool vm_as_number(const struct vm_val *v, struct vm_val *out);
/* Compares two scalars: -1, 0, 1, or 2 when they do not compare. */
int vm_scalar_cmp(const struct vm_val *a, const struct vm_val *b, bool ci);
/* l op r (a CMP opcode) with any-element semantics: 1 true, 0 false,
 * 2 null. */
int vm_compare(enum opcode op, const struct vm_val *l,
	       const struct vm_val *r, bool ci);
/* l op r (ADD..MOD) as Java computes it; null when either is no number
 * or on division by zero. */
void vm_arith(enum opcode op, const struct vm_val *l, const struct vm_val *r,
	      struct vm_val *out);
/* Whether x is an address inside one of the n ranges v. */
bool vm_cidr_has(const struct img_cidr *v, uint32_t n,
		 const struct vm_val *x);

/* ---- index.c ---- */

/* Prepares the literal sets, numbers the leaf tests of every block and
 * builds the equality indexes and the per-event memo arrays; -1 when out
 * of memory (vm_index_free releases what was built). */
int vm_index_build(struct vm_rt *rt);
void vm_index_free(struct vm_rt *rt);
/* Whether v is in literal set pool entry idx. */
bool vm_set_has(const struct vm_rt *rt, uint32_t idx, const struct vm_val *v,
		bool ci);
/* Looks the field's value up in index x, stamping the leaves it hits. */
void vm_eq_eval(struct vm_rt *rt, struct eqidx *x,
		const struct vm_host *host);
/* The same for pattern index x (answering new values). */
void vm_pat_eval(struct vm_rt *rt, struct patidx *x,
		 const struct vm_host *host);

/* ---- interp.c ---- */

/* Whether pattern list pool entry `idx` matches s[0..n): its pre-filter,
 * then its automaton, compiled here on first use. */
bool vm_match_list(struct vm_rt *rt, uint32_t idx, const char *s, size_t n);

/* The typed value of field f for the subject (memoised for the event). */
void vm_get_field(struct vm_rt *rt, uint32_t f, const struct vm_host *host,
		  struct vm_val *out);

/* ---- builtins.c ---- */

/* Calls function fn (enum fn_id, checked by the verifier) on argc
 * arguments. */
void vm_call(struct vm_rt *rt, unsigned fn, const struct vm_val *arg,
	     unsigned argc, bool ci, struct vm_val *out);

#endif
