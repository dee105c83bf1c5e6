/*
 * domain.h - value domains for the logic checks: sets of IP addresses and
 * integers, number intervals, wildcard patterns.
 *
 * Design note.  The logic checks (logic.c) decide whether a condition is
 * always true, never true or partly redundant by splitting each field's
 * values into finitely many classes on which every test of the condition
 * is constant.  This module owns the value sets that those tests denote
 * and the operations the splitting needs:
 *
 *   - `struct rset`: a set of 128-bit unsigned integers as sorted,
 *     disjoint, non-adjacent closed ranges.  IP addresses live in one
 *     128-bit space in which IPv4 a.b.c.d is the IPv4-mapped IPv6 address
 *     ::ffff:a.b.c.d, as Elasticsearch stores them; so IPv4 and (other)
 *     IPv6 addresses are disjoint, and a network written either way means
 *     the same addresses.  64-bit integers use the same sets through an
 *     order-preserving key (dom_int_key).
 *   - `struct nset`: a set of real numbers (doubles) as sorted, disjoint
 *     intervals, each end open or closed, ends may be infinite.
 *   - `struct glob`: a pattern of literal bytes and the two wildcards, `*`
 *     (any run, also empty) and `?` (exactly one byte), with its case rule
 *     (ASCII case folding when `ci`).  EQL's `:`/`like` patterns, ESET's
 *     starts/ends/contains and EQL's startsWith/endsWith/stringContains all
 *     become globs; a literal value is a glob without wildcards.  In EQL
 *     patterns a backslash is an ordinary character (Elasticsearch has no
 *     escape for `*` in EQL patterns).
 *
 * Sets are immutable values whose ranges live in an arena; operations
 * return new sets.  Functions that allocate return false when the arena is
 * out of memory.  Nothing here knows about rules or diagnostics.
 */
#ifndef RC_DOMAIN_H
#define RC_DOMAIN_H

#include <stdbool.h>

#include "base/text.h"
#include <stddef.h>
#include <stdint.h>

struct arena;

/* --- 128-bit unsigned integers ----------------------------------------- */

struct u128 {
	uint64_t hi, lo;
};

static inline struct u128
u128_make(uint64_t hi, uint64_t lo)
{
	struct u128 x = { hi, lo };
	return x;
}

int u128_cmp(struct u128 a, struct u128 b);
struct u128 u128_add1(struct u128 a);      /* wraps at the top */
struct u128 u128_sub1(struct u128 a);      /* wraps at zero */
static inline bool
u128_is_max(struct u128 a)
{
	return a.hi == UINT64_MAX && a.lo == UINT64_MAX;
}
static inline bool
u128_is_zero(struct u128 a)
{
	return a.hi == 0 && a.lo == 0;
}

/* --- sets of 128-bit integers --------------------------------------------- */

struct rng {
	struct u128 lo, hi;     /* inclusive, lo <= hi */
};

struct rset {
	const struct rng *v;    /* sorted, disjoint, non-adjacent */
	size_t n;
};

/* The set holding the ranges v[0..n) (any order, may overlap or touch). */
bool rset_make(struct arena *a, const struct rng *v, size_t n,
	       struct rset *out);
bool rset_union(struct arena *a, struct rset x, struct rset y,
		struct rset *out);
bool rset_inter(struct arena *a, struct rset x, struct rset y,
		struct rset *out);
/* The members of `universe` that are not in x. */
bool rset_complement(struct arena *a, struct rset x, struct rng universe,
		     struct rset *out);
bool rset_has(struct rset s, struct u128 x);
/* Every member of x is in y. */
bool rset_subset(struct rset x, struct rset y);
bool rset_equal(struct rset x, struct rset y);

/* --- IP addresses ---------------------------------------------------------- */

enum { DOM_IP_BUF = 48 };

/* The IPv4 part of the address space, ::ffff:0.0.0.0/96. */
struct rng dom_ip_v4_space(void);
/* The whole address space. */
struct rng dom_ip_all(void);
/* Parses "a.b.c.d", "a.b.c.d/p", an IPv6 address ("2001:db8::1", "::",
 * "::ffff:1.2.3.4" with a dotted IPv4 tail) or an IPv6 network ("fc00::/7")
 * into the range of addresses it denotes; a network with host bits set
 * denotes the network it belongs to.  An IPv4 prefix counts IPv4 bits
 * (0..32), an IPv6 prefix IPv6 bits (0..128).  Returns the family as
 * written, 4 or 6 (IPv4-mapped IPv6 forms are 6 but denote IPv4
 * addresses), or 0 if the text is not an address or network. */
unsigned dom_ip_parse(const char *s, size_t len, struct rng *out);
/* The address in its usual text form: dotted quad for IPv4 (mapped)
 * addresses, RFC 5952 compressed form otherwise. */
void dom_ip_format(struct u128 a, char buf[DOM_IP_BUF]);
/* The range in CIDR form when it is one network ("10.0.0.0/8",
 * "fc00::/7", a single address without prefix), else "lo-hi". */
void dom_ip_format_range(struct rng r, char buf[2 * DOM_IP_BUF + 2]);
static inline bool
dom_ip_is_v4(struct u128 a)
{
	return a.hi == 0 && (a.lo >> 32) == 0xffffu;
}

/* --- integers -------------------------------------------------------------- */

/* An order-preserving key of a 64-bit integer in the 128-bit space. */
struct u128 dom_int_key(int64_t x);
int64_t dom_int_of_key(struct u128 k);
/* The key range of all 64-bit integers. */
struct rng dom_int_all(void);

/* --- real numbers ---------------------------------------------------------- */

struct niv {
	double lo, hi;          /* lo <= hi; -INFINITY/INFINITY allowed */
	bool lo_open, hi_open;  /* infinite ends are always open */
};

struct nset {
	const struct niv *v;    /* sorted, disjoint; touching intervals are
	                           merged */
	size_t n;
};

/* Comparison operators for nset_cmp. */
enum dom_op { DOM_EQ, DOM_NE, DOM_LT, DOM_LE, DOM_GT, DOM_GE };

/* The numbers x with `x op c`. */
bool nset_cmp(struct arena *a, enum dom_op op, double c, struct nset *out);
bool nset_make(struct arena *a, const struct niv *v, size_t n,
	       struct nset *out);
bool nset_union(struct arena *a, struct nset x, struct nset y,
		struct nset *out);
bool nset_inter(struct arena *a, struct nset x, struct nset y,
		struct nset *out);
bool nset_complement(struct arena *a, struct nset x, struct nset *out);
bool nset_has(struct nset s, double x);

/* --- ASCII case -------------------------------------------------------------- */

/* text_fold and text_eq (base/text.h) */

/* --- wildcard patterns ------------------------------------------------------- */

enum { GLOB_STAR = 256, GLOB_ONE = 257 };

struct glob {
	const uint16_t *t;      /* bytes 0..255, GLOB_STAR, GLOB_ONE */
	size_t n;
	bool ci;
};

/* An EQL wildcard pattern: `*` and `?` are wildcards. */
bool glob_wildcard(struct arena *a, const char *s, size_t len, bool ci,
		   struct glob *out);
/* A literal text with an optional `*` before and after it (starts with:
 * after; ends with: before; contains: both; equals: neither). */
bool glob_affix(struct arena *a, const char *s, size_t len, bool ci,
		bool star_before, bool star_after, struct glob *out);
/* No wildcard in the pattern: it matches exactly one text (up to case). */
bool glob_is_literal(const struct glob *g);
bool glob_match(const struct glob *g, const char *s, size_t len);
/* Every text that q matches is also matched by p.  Exact up to the
 * rearrangement of wildcard runs; when it cannot tell, it answers false,
 * so a true answer is always right.  `scratch` holds the work table. */
bool glob_covers(struct arena *scratch, const struct glob *p,
		 const struct glob *q);
/* The pattern as EQL wildcard text (for messages). */
size_t glob_text(const struct glob *g, char *buf, size_t cap);

#endif
