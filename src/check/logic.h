/*
 * logic.h - the logic family's own header: value-set reasoning on
 * conditions, shared by its files.
 *
 *   RC4001 always-true      RC4002 never-true      RC4003 redundant-condition
 *   RC4004 duplicate-value  RC4005 covered-pattern RC4006 logic-budget
 *   RC5005 stage-never-matches (a whole sequence stage that is never true)
 *   RC6001 equals-wildcard  RC6002 wildcard-in-list (ids of their first
 *   family, performance: `*` in an exact comparison never matches as
 *   written)
 *
 * Semantics.  An event gives each field a value or leaves it missing.
 *
 *  1. A test on a field (a comparison with a constant, `in`, `:`/`like`/
 *     `regex`, cidrMatch, startsWith, endsWith, stringContains with
 *     constants) is false when the field is missing; `f == null` is true
 *     exactly when it is missing, `f != null` when it is present.  `f != v`
 *     for a non-null v is NOT(f == v) and `f not in (...)` is NOT(f in
 *     (...)): Elasticsearch compiles them to negated queries, which match
 *     documents without the field.  NOT is plain negation.
 *  2. An array field holds a set of values; a test is true when some
 *     element passes, so `event.type == "start" and event.type == "end"`
 *     is satisfiable while the same on a single-valued field is not.
 *  3. Fields with `ipfam` 4 or 6 and the same name are two views of one
 *     address (ESET's Network.IpAddressV4/V6): a test on the IPv4 view is
 *     false when the address is IPv6 or missing.  Addresses live in one
 *     128-bit space where IPv4 is ::ffff:0:0/96 (domain.h), so the two
 *     families are disjoint.
 *  4. Exact domains: IP addresses (range sets), integers (range sets),
 *     doubles (interval sets with open and closed ends), booleans, strings
 *     by equality (ASCII case folding with `ci`), and "missing".  A
 *     wildcard, prefix, suffix or substring test is decided exactly on
 *     every literal text the condition mentions (domain.h's glob matcher)
 *     and is free (either answer) on all other texts.  Everything else -
 *     regexes, other functions, arithmetic, ancestor conditions, fields of
 *     unknown or text type, literals of the wrong type - is a free
 *     boolean.  Free answers only ever add possible events, so both
 *     "always true" and "never true" stay sound: a finding is never a
 *     false alarm, at worst a missed one.
 *
 * Decision.  Each field's values are split into classes on which every
 * test is constant (for ranges: between consecutive boundaries; for texts:
 * each literal, the other case variants of a case-insensitive literal,
 * and "anything else").  A test becomes a boolean unknown; the search
 * assigns unknowns and keeps each field consistent: a single-valued field
 * must have one class (or be missing) agreeing with every assigned test;
 * an array field must have, for each test assigned true, some class that
 * passes it and fails every test assigned false.  Three-valued evaluation
 * prunes the search and only tests inside still-open parts are branched
 * on; each test first gets the value its polarity favours, so an answer
 * that exists is usually found at once.  Conjunctions split into
 * independent components (no shared field), and results are memoised per
 * node.  The search is complete: "no event" is only said after every
 * combination of classes was ruled out.  The work is bounded by
 * cc->logic_budget work units (class visits) per condition (default
 * 2,000,000); when it runs
 * out, the condition gets one RC4006 note and no other claim (the list
 * checks below are syntactic and still report).
 *
 * Findings.  Each node is checked for "never true" and "always true"; a
 * node is reported only when its children do not already explain it (an
 * AND with a never-true child, an OR with an always-true child, a NOT of
 * the opposite, a literal), so the smallest offending part is reported and
 * its parents are not.  A never-true condition that is a whole sequence
 * stage is RC5005 instead of RC4002.  Messages give a concrete witness
 * (for always-true: an event that the first branch rejects, which the
 * author evidently meant to exclude) or the conflicting tests, in the
 * rule's own names (`src_name`) and values.  Redundant conjuncts and
 * disjuncts are found pairwise among the children of one AND/OR that
 * share a field, by the same search plus wildcard coverage.  Duplicate
 * and covered list entries (`in`, `:`, `like`, `regex`, cidrMatch, and
 * equality branches of one OR) are a separate, syntactic pass.  Ancestor
 * conditions (their fields describe another process) are analysed on
 * their own.
 *
 * Known gaps, all on the safe side: two wildcard patterns are not
 * intersected (`x : "a*" and x : "b*"` is not reported), regexes are
 * opaque, and non-ASCII case folding is not modelled.
 *
 * Files.  logic.c runs the analysis per condition, gathers the findings
 * and emits them; logic_model.c builds the model (fields, tests, classes);
 * logic_solve.c is the search; logic_judge.c decides what is never true,
 * always true or redundant and words those findings; logic_text.c words
 * witnesses and what tests require; logic_lists.c is the syntactic pass
 * over lists; logic_stars.c the one over `*` and `?` in exact
 * comparisons.  Conditions are quoted through print/ (print.h).  The state
 * of one analysis is `struct an`; functions shared between the files are
 * prefixed lg_.
 */
#ifndef RC_CHECK_LOGIC_H
#define RC_CHECK_LOGIC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hash.h"
#include "check/domain.h"
#include "check/toolbox.h"
#include "print/print.h"

#define UNK (-1)
enum { TV_F = 0, TV_T = 1, TV_X = 2 };
/* DEFAULT_BUDGET: work units per condition (class visits); TT_LIMIT:
 * largest class table (classes x tests of one field) built; TEXT_MAX:
 * characters of a condition quoted in a message */
enum { DEFAULT_BUDGET = 2000000, MAX_NOTES = 12, TEXT_MAX = 60,
       TT_LIMIT = 4000000 };

/* --- the model --------------------------------------------------------- */

enum dkind { DK_OPAQUE, DK_IP, DK_INT, DK_REAL, DK_BOOL, DK_STR };

/* One class of a field's values: every test is constant on it, or free
 * (TV_X). */
struct cls {
	struct u128 k;          /* DK_IP address, DK_INT key */
	double d;               /* DK_REAL */
	bool b;                 /* DK_BOOL */
	const char *s;          /* DK_STR representative */
	size_t len;
	bool other;             /* DK_STR: none of the literal texts */
	bool multi;             /* DK_STR: several case variants */
};

struct var {
	const char *key;
	const char *name;       /* canonical (ECS) name */
	const char *shown[3];   /* as written: no view, IPv4 view, IPv6 view */
	enum dkind kind;
	bool array;
	int *atoms;             /* its tests, by id */
	size_t natoms, cap;
	struct cls *cls;
	size_t ncls;
	uint8_t *tt;            /* tt[c * natoms + slot]: TV_F, TV_T, TV_X */
};

enum akind { AK_FREE, AK_NULL, AK_VAL };

/* A literal text, compared case-insensitively when ci. */
struct lit {
	const char *s;
	size_t len;
	bool ci;
};


/* How a test was written, for messages. */
enum aform {
	AF_EQ, AF_IN, AF_CMP, AF_CIDR, AF_MATCH, AF_REGEX, AF_STARTS, AF_ENDS,
	AF_CONTAINS, AF_PRESENT, AF_BOOLFIELD, AF_NULL, AF_OTHER
};

struct atom {
	enum akind kind;
	enum aform form;
	int var, slot;                  /* -1 for AK_FREE */
	const struct ir_expr *ir;       /* the test as written */
	const struct ir_expr *field;
	const char *sig;
	unsigned view;                  /* ipfam of the field as written */
	enum ir_op op;                 /* AF_CMP */
	const struct ir_value *vals;
	size_t nvals;
	bool ci, exact;
	struct rset set;                /* DK_IP, DK_INT */
	struct nset nset;               /* DK_REAL */
	bool bmask[2];                  /* DK_BOOL */
	struct glob *g;                 /* DK_STR */
	size_t ng;
	struct lit *lits;               /* DK_STR: the literal globs, sorted
	                                   (folded when ci) */
	size_t nlits;
	size_t *wild;                   /* DK_STR: the other globs */
	size_t nwild;
};

enum lkind { L_TRUE, L_FALSE, L_ATOM, L_NOT, L_AND, L_OR };

/* A node of the condition as the analysis sees it. */
struct lnode {
	enum lkind kind;
	const struct ir_expr *ir;       /* NULL: made by the analysis */
	int atom;
	struct lnode **kid;
	size_t n;
	int *grp, *atm;                 /* fields/free tests and tests below,
	                                   sorted */
	size_t ngrp, natm;
	int8_t sat, fal;                /* can be true / false; -1 unknown */
	bool lit;                       /* a literal (or empty) condition */
	bool hidden;                    /* ESET's NOT of several children:
	                                   the OR under it has the NOT's
	                                   span; findings go to the NOT */
	bool xu, xt;                    /* never/always true, and explained
	                                   here or below */
	int fu;                         /* finding index of a never-true
	                                   report here, or -1 */
};

struct fnote {
	struct span span;
	const char *msg;
};

struct finding {
	enum diag_id id;
	struct span span;
	const char *msg, *help;
	struct fnote notes[MAX_NOTES];
	size_t nnotes;
};

struct emitted {
	enum diag_id id;
	struct span span;
};

struct an {
	struct check_ctx *cc;
	const struct rc_rule *r;
	struct arena arena, *a;
	bool eset;
	/* the condition under analysis */
	struct var *vars;
	size_t nvars, capv;
	struct hash varix;              /* key -> var, in the arena */
	struct atom *atoms;
	size_t natoms, capa;
	struct hash atomix;             /* (var, sig) -> atom, in the arena */
	int8_t *val;                    /* per test: UNK, 0, 1 */
	uint8_t *pol;                   /* per test: polarity in the search */
	unsigned long work, budget;
	bool over;
	struct finding *fd;
	size_t nfd, capfd;
	/* ancestor conditions, analysed on their own */
	const struct ir_expr **anc;
	size_t nanc, capanc;
	/* IR nodes reported as duplicate values (no RC4003 for them) */
	const struct ir_expr **dups;
	size_t ndups, capdups;
	struct emitted *em;
	size_t nem, capem;
	struct hash emix;               /* em's items, in the arena */
};

/* Grows an arena array to hold `need` items; NULL when out of memory. */
void *lg_grow(struct an *an, void *p, size_t *cap, size_t need, size_t size);

#define GROW(an, arr, n, cap) \
	(((arr) = lg_grow((an), (arr), &(cap), (n) + 1, sizeof *(arr))) != NULL)

/* --- logic.c: findings ------------------------------------------------- */

/* A finding to emit after the analysis of the condition (NULL when msg
 * is NULL or out of memory). */
struct finding *lg_add_finding(struct an *an, enum diag_id id,
			       struct span sp, const char *msg);
/* A note of f, if f is not NULL and has room. */
void lg_add_note(struct finding *f, struct span sp, const char *msg);

/* --- logic_model.c: building the model --------------------------------- */

/* Orders texts by bytes (ASCII-folded when ci), then length. */
int lg_lit_cmp(const struct lit *a, const struct lit *b, bool ci);
/* qsort order of ints. */
int lg_int_order(const void *pa, const void *pb);
/* The identity of a field (two tests on one key test one field). */
const char *lg_field_key(struct arena *a, const struct ir_field *f);
/* A node of kind k for IR node ir (NULL: made by the analysis) with room
 * for n kids. */
struct lnode *lg_new_node(struct an *an, enum lkind k,
			  const struct ir_expr *ir, size_t n);
/* Fills in the fields and tests below a node from its kids. */
struct lnode *lg_finish(struct an *an, struct lnode *x);
/* A condition of the IR as a node of the analysis; NULL when out of
 * memory. */
struct lnode *lg_build(struct an *an, const struct ir_expr *e);
/* The classes and the truth table of a field; false when out of memory or
 * over the table limit (then an->over). */
bool lg_build_classes(struct an *an, struct var *v);

/* --- logic_solve.c: the search ----------------------------------------- */

/* Does class c of v agree with every assigned test of v? */
bool lg_class_fits(const struct an *an, const struct var *v, size_t c);
/* Array field: can class c be an element, given the tests assigned
 * false?  With `need` >= 0, it must also pass test slot `need`. */
bool lg_element_fits(const struct an *an, const struct var *v, size_t c,
		     int need);
/* Three-valued value of n under the current assignment. */
int lg_eval(const struct an *an, const struct lnode *n);
/* A node of kind k over some kids (made for one question). */
struct lnode *lg_temp_node(struct an *an, enum lkind k, struct lnode **kids,
			   size_t n);
/* Can n evaluate to target?  The assignment must be clean for n's tests
 * on entry; with keep, a witness stays assigned on success. */
bool lg_solve(struct an *an, struct lnode *n, int target, bool keep);

/* --- logic_text.c: witnesses and phrases ------------------------------- */

/* A node of the rule in its own language, quoted ('(condition)' for
 * none). */
void lg_node_text(struct an *an, struct strbuf *sb, const struct ir_expr *e);
/* Does the assignment set any test of v? */
bool lg_var_touched(const struct an *an, const struct var *v);
/* Assigns every test of a field that a witness mentions, from the
 * classes it takes. */
void lg_complete_var(struct an *an, const struct var *v);
/* The name of a field as written, for the family (4, 6 or 0) of the value
 * shown. */
const char *lg_var_shown(const struct var *v, int fam);
/* "an event where ..." (or "a connection to A") for the tests of `scope`
 * that the current assignment sets. */
void lg_witness(struct an *an, struct strbuf *sb, const struct lnode *scope);
/* The field of a node whose tests are all on one field (and *view), or
 * -1. */
int lg_single_var(const struct an *an, const struct lnode *n, unsigned *view);
/* What a one-field node requires, e.g. "10.0.0.1 or 10.0.0.2"; false if
 * the node is too complex to say. */
bool lg_phrase_node(struct an *an, struct strbuf *sb, const struct lnode *n,
		    bool pos);

/* --- logic_judge.c: never true, always true, redundant ----------------- */

/* Whether each node can be true and false (memoised in the nodes). */
void lg_compute(struct an *an, struct lnode *n);
/* Reports the never-true and always-true nodes that their kids do not
 * explain (post-order). */
void lg_judge(struct an *an, struct lnode *n);
/* Reports the redundant kids of every AND and OR. */
void lg_each_redundancy(struct an *an, struct lnode *n);
/* The first reported never-true node that makes n never true. */
struct lnode *lg_never_reason(struct lnode *n);

/* --- logic_lists.c: duplicate and covered list entries ----------------- */

/* The list checks of one IR node (a check_walk visitor; ud is the an). */
void lg_list_visit(void *ud, const struct ir_expr *e);

/* --- logic_stars.c: wildcard characters in exact comparisons ----------- */

/* RC6001 and RC6002 on one condition of an EQL rule (findings added to
 * the an). */
void lg_star_check(struct an *an, const struct ir_expr *cond);

#endif
