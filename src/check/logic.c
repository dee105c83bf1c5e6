/*
 * logic.c - the logic family: value-set reasoning on conditions.
 *
 *   RC4001 always-true      RC4002 never-true      RC4003 redundant-condition
 *   RC4004 duplicate-value  RC4005 covered-pattern RC4006 logic-budget
 *   RC5005 stage-never-matches (a whole sequence stage that is never true)
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
 */
#include <float.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check/toolbox.h"
#include "check/domain.h"

#define UNK (-1)
enum { TV_F = 0, TV_T = 1, TV_X = 2 };
/* DEFAULT_BUDGET: work units per condition (class visits); TT_LIMIT:
 * largest class table (classes x tests of one field) built */
enum { DEFAULT_BUDGET = 2000000, MAX_NOTES = 12, TEXT_MAX = 60,
       TT_LIMIT = 4000000 };

/* --- the model ------------------------------------------------------------ */

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

/* How a test was written, for messages. */
/* A literal text, compared case-insensitively when ci. */
struct lit {
	const char *s;
	size_t len;
	bool ci;
};

/* Orders texts by bytes (ASCII-folded when ci), then length. */
static int
lit_cmp(const struct lit *a, const struct lit *b, bool ci)
{
	size_t i, n = a->len < b->len ? a->len : b->len;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a->s[i], y = (unsigned char)b->s[i];
		if (ci) {
			x = text_fold(x);
			y = text_fold(y);
		}
		if (x != y)
			return x < y ? -1 : 1;
	}
	return a->len < b->len ? -1 : a->len > b->len;
}

static int
lit_order_cs(const void *a, const void *b)
{
	return lit_cmp(a, b, false);
}

static int
lit_order_ci(const void *a, const void *b)
{
	return lit_cmp(a, b, true);
}

/* Folded order, then exact bytes, then case-sensitive before -insensitive:
 * the texts equal up to case end up next to each other. */
static int
lit_order_groups(const void *pa, const void *pb)
{
	const struct lit *a = pa, *b = pb;
	int c = lit_cmp(a, b, true);

	if (c)
		return c;
	c = lit_cmp(a, b, false);
	return c ? c : (int)a->ci - (int)b->ci;
}

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
	struct atom *atoms;
	size_t natoms, capa;
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
};

/* Grows an arena array to hold `need` items; NULL when out of memory. */
static void *
grow(struct an *an, void *p, size_t *cap, size_t need, size_t size)
{
	size_t nc;
	void *q;

	if (need <= *cap)
		return p;
	for (nc = *cap ? *cap * 2 : 8; nc < need; nc *= 2)
		;
	q = arena_alloc(an->a, nc * size);
	if (!q)
		return NULL;
	if (*cap)
		memcpy(q, p, *cap * size);
	*cap = nc;
	return q;
}

#define GROW(an, arr, n, cap) \
	(((arr) = grow((an), (arr), &(cap), (n) + 1, sizeof *(arr))) != NULL)

/* --- text helpers ----------------------------------------------------------- */

static const char *
sb_done(struct an *an, struct strbuf *sb)
{
	const char *s = arena_strndup(an->a, sb->data ? sb->data : "",
				      sb->len);
	sb_free(sb);
	return s;
}

/* A string value in the rule's language: EQL escapes, ESET as written. */
static void
put_str(struct an *an, struct strbuf *sb, const char *s, size_t len)
{
	sb_putc(sb, '"');
	if (an->eset)
		sb_put(sb, s, len);
	else
		sb_eql_escape(sb, s, len);
	sb_putc(sb, '"');
}

static void
put_value(struct an *an, struct strbuf *sb, const struct ir_value *v,
	  bool raw)
{
	switch (v->type) {
	case VT_STRING:
		if (raw)
			sb_put(sb, v->u.s.s, v->u.s.len);
		else
			put_str(an, sb, v->u.s.s, v->u.s.len);
		break;
	case VT_LONG:
		sb_printf(sb, "%lld", (long long)v->u.i);
		break;
	case VT_DOUBLE:
		sb_printf(sb, "%g", v->u.d);
		break;
	case VT_BOOL:
		sb_puts(sb, v->u.b ? "true" : "false");
		break;
	default:
		sb_puts(sb, "null");
		break;
	}
}

/* The source text of an EQL node: comments dropped, blanks collapsed,
 * shortened.  Strings are copied as they are (a `//` in "http://..." is
 * no comment). */
static void
src_text(struct an *an, struct strbuf *sb, struct span sp)
{
	const struct rc_text *t = &an->r->text;
	const char *d = t->data;
	size_t i = sp.start, end = sp.end < t->len ? sp.end : t->len, n = 0;
	bool blank = false;

	while (i < end) {
		char c = d[i];
		size_t from = i;

		if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
			blank = n > 0;
			i++;
			continue;
		}
		if (c == '/' && i + 1 < end && d[i + 1] == '/') {
			while (i < end && d[i] != '\n')
				i++;
			blank = n > 0;
			continue;
		}
		if (c == '/' && i + 1 < end && d[i + 1] == '*') {
			unsigned depth = 1;
			for (i += 2; i < end && depth; i++) {
				if (d[i] == '/' && i + 1 < end && d[i + 1] == '*')
					depth++, i++;
				else if (d[i] == '*' && i + 1 < end &&
					 d[i + 1] == '/')
					depth--, i++;
			}
			blank = n > 0;
			continue;
		}
		if (c == '"' && i + 2 < end && d[i + 1] == '"' && d[i + 2] == '"') {
			/* a raw string, up to the next """ */
			for (i += 3; i < end && !(d[i] == '"' && i + 2 < end &&
						  d[i + 1] == '"' &&
						  d[i + 2] == '"'); i++)
				;
			i = i + 3 < end ? i + 3 : end;
		} else if (c == '"') {
			for (i++; i < end && d[i] != '"'; i++)
				if (d[i] == '\\')
					i++;
			i = i + 1 < end ? i + 1 : end;
		} else {
			i++;
		}
		if (n + (i - from) > TEXT_MAX) {
			/* as much of this token as fits, on a character
			 * boundary */
			size_t k = n < TEXT_MAX ? TEXT_MAX - n : 0;
			while (k > 0 && ((unsigned char)d[from + k] & 0xc0) == 0x80)
				k--;
			if (blank)
				sb_putc(sb, ' ');
			sb_put(sb, d + from, k);
			sb_puts(sb, "...");
			return;
		}
		if (blank)
			sb_putc(sb, ' '), n++;
		blank = false;
		sb_put(sb, d + from, i - from);
		n += i - from;
	}
}

static const char *
field_shown(const struct ir_expr *f)
{
	if (!f || f->kind != IR_FIELD)
		return "?";
	return f->u.f.src_name ? f->u.f.src_name : f->u.f.name;
}

static void eset_text(struct an *an, struct strbuf *sb,
		      const struct ir_expr *e);

/* ESET relation text of an atom-shaped IR node, or NULL. */
static const char *
eset_relation(const struct ir_expr *e, bool neg)
{
	if (e->kind == IR_CALL) {
		switch (e->u.call.fn) {
		case FN_CIDRMATCH: return neg ? "isnot" : "is";
		case FN_STARTSWITH: return neg ? "notstarts" : "starts";
		case FN_ENDSWITH: return neg ? "notends" : "ends";
		case FN_STRINGCONTAINS: return neg ? "notcontains" : "contains";
		default: return NULL;
		}
	}
	if (e->kind != IR_CMP)
		return NULL;
	switch (e->u.cmp.op) {
	case IR_OP_EQ: return neg ? "isnot" : "is";
	case IR_OP_NE: return neg ? "is" : "isnot";
	case IR_OP_LT: return neg ? "greaterOrEqual" : "less";
	case IR_OP_LE: return neg ? "greater" : "lessOrEqual";
	case IR_OP_GT: return neg ? "lessOrEqual" : "greater";
	case IR_OP_GE: return neg ? "less" : "greaterOrEqual";
	default: return NULL;
	}
}

static const struct ir_expr *
atom_field(const struct ir_expr *e)
{
	if (e->kind == IR_CMP)
		return e->u.cmp.l && e->u.cmp.l->kind == IR_FIELD ? e->u.cmp.l
								   : e->u.cmp.r;
	if (e->kind == IR_CALL && e->u.call.n)
		return e->u.call.args[0];
	if (e->kind == IR_IN)
		return e->u.in.l;
	if (e->kind == IR_MATCH)
		return e->u.match.l;
	return NULL;
}

static const struct ir_value *
atom_const(const struct ir_expr *e)
{
	const struct ir_expr *c = NULL;

	if (e->kind == IR_CMP)
		c = e->u.cmp.l && e->u.cmp.l->kind == IR_CONST ? e->u.cmp.l
							       : e->u.cmp.r;
	else if (e->kind == IR_CALL && e->u.call.n > 1)
		c = e->u.call.args[1];
	return c && c->kind == IR_CONST ? &c->u.c : NULL;
}

/* One ESET condition in the documentation's words. */
static bool
eset_atom_text(struct an *an, struct strbuf *sb, const struct ir_expr *e,
	       bool neg)
{
	const char *rel = eset_relation(e, neg);
	const struct ir_value *v = atom_const(e);
	const struct ir_expr *f = atom_field(e);

	if (!rel || !f || f->kind != IR_FIELD)
		return false;
	sb_printf(sb, "%s ", field_shown(f));
	if (v && v->type == VT_NULL) {
		bool set = (e->u.cmp.op == IR_OP_NE) != neg;
		sb_puts(sb, set ? "isset" : "isnotset");
		return true;
	}
	sb_puts(sb, rel);
	if (v) {
		sb_putc(sb, ' ');
		put_value(an, sb, v, f->type == VT_IP);
	}
	return true;
}

static void
eset_text(struct an *an, struct strbuf *sb, const struct ir_expr *e)
{
	size_t i;

	if (!e) {
		sb_puts(sb, "?");
		return;
	}
	if (sb->len > 2 * TEXT_MAX) {
		sb_puts(sb, "...");
		return;
	}
	switch (e->kind) {
	case IR_CMP:
	case IR_CALL:
		if (!eset_atom_text(an, sb, e, false))
			sb_puts(sb, "(expression)");
		return;
	case IR_IN:
		sb_printf(sb, "%s is one of (", field_shown(e->u.in.l));
		for (i = 0; i < e->u.in.n; i++) {
			if (i)
				sb_puts(sb, ", ");
			put_value(an, sb, &e->u.in.v[i], false);
		}
		sb_putc(sb, ')');
		return;
	case IR_NOT:
		if (e->u.sub && (e->u.sub->kind == IR_CMP ||
				 e->u.sub->kind == IR_CALL) &&
		    eset_atom_text(an, sb, e->u.sub, true))
			return;
		sb_puts(sb, "NOT(");
		eset_text(an, sb, e->u.sub);
		sb_putc(sb, ')');
		return;
	case IR_AND:
	case IR_OR:
		/* the lowering of isnot & co: AND(f != null, NOT(test)) */
		if (e->kind == IR_AND && e->u.list.n == 2 && e->u.list.v[0] &&
		    e->u.list.v[0]->kind == IR_CMP &&
		    e->u.list.v[0]->u.cmp.op == IR_OP_NE && e->u.list.v[1]) {
			const struct ir_expr *t = e->u.list.v[1];
			if (t->kind == IR_NOT && t->u.sub &&
			    eset_atom_text(an, sb, t->u.sub, true))
				return;
			if (t->kind == IR_CMP && t->u.cmp.op == IR_OP_NE) {
				sb_printf(sb, "%s isnotempty",
					  field_shown(atom_field(t)));
				return;
			}
		}
		sb_puts(sb, e->kind == IR_AND ? "AND(" : "OR(");
		for (i = 0; i < e->u.list.n; i++) {
			if (i)
				sb_puts(sb, ", ");
			eset_text(an, sb, e->u.list.v[i]);
		}
		sb_putc(sb, ')');
		return;
	case IR_ANCESTOR:
		sb_puts(sb, "the ancestor condition");
		return;
	case IR_CONST:
		put_value(an, sb, &e->u.c, false);
		return;
	default:
		sb_puts(sb, "(expression)");
		return;
	}
}

/* A node of the rule in its own language, quoted. */
static void
node_text(struct an *an, struct strbuf *sb, const struct ir_expr *e)
{
	sb_putc(sb, '\'');
	if (an->eset)
		eset_text(an, sb, e);
	else
		src_text(an, sb, e->span);
	sb_putc(sb, '\'');
}

/* --- building the model ------------------------------------------------- */

static enum dkind
dkind_of(const struct ir_expr *f)
{
	const char *es = f->u.f.def ? f->u.f.def->es_type : NULL;

	if (f->u.f.ipfam)
		return DK_IP;
	/* analysed text (== is not equality), and numbers Elasticsearch
	 * stores rounded (scaled_float) or beyond 64-bit integers
	 * (unsigned_long): no exact claims */
	if (es && f->u.f.map == MAP_SAME &&
	    (strcmp(es, "text") == 0 || strcmp(es, "match_only_text") == 0 ||
	     strcmp(es, "flattened") == 0 || strcmp(es, "scaled_float") == 0 ||
	     strcmp(es, "unsigned_long") == 0))
		return DK_OPAQUE;
	switch (f->type) {
	case VT_IP: return DK_IP;
	case VT_LONG: return DK_INT;
	case VT_DOUBLE:
	case VT_NUMBER: return DK_REAL;
	case VT_BOOL: return DK_BOOL;
	case VT_STRING: return DK_STR;
	default: return DK_OPAQUE;
	}
}

static unsigned
view_slot(unsigned ipfam)
{
	return ipfam == 4 ? 1 : ipfam == 6 ? 2 : 0;
}

/* The identity of a field: views of one address share it; other fields
 * are told apart by the name the rule wrote too (two ESET properties that
 * map to one ECS field stay two fields, which is the sound choice). */
static const char *
field_key(struct arena *a, const struct ir_field *f)
{
	if (f->ipfam)
		return arena_printf(a, "%s|%d|@ip", f->name, (int)f->transform);
	return arena_printf(a, "%s|%d|%s", f->name, (int)f->transform,
			    f->src_name ? f->src_name : "");
}

/* Can the field hold several values?  ECS and user schema files say so;
 * the Elastic integration catalogue (elastic.tsv) is generated without
 * that information, so its fields count as arrays, which only ever adds
 * possible events (the sound choice). */
static bool
may_be_array(const struct ir_expr *f)
{
	const struct schema_field *d = f->u.f.def;

	return f->u.f.array ||
	       (d && d->origin && strcmp(d->origin, "elastic.tsv") == 0);
}

static int
var_of(struct an *an, const struct ir_expr *f)
{
	const char *key = field_key(an->a, &f->u.f);
	struct var *v;
	size_t i;

	if (!key)
		return -1;
	for (i = 0; i < an->nvars; i++)
		if (strcmp(an->vars[i].key, key) == 0) {
			v = &an->vars[i];
			if (!v->shown[view_slot(f->u.f.ipfam)])
				v->shown[view_slot(f->u.f.ipfam)] =
					field_shown(f);
			return (int)i;
		}
	if (!GROW(an, an->vars, an->nvars, an->capv))
		return -1;
	v = &an->vars[an->nvars];
	memset(v, 0, sizeof *v);
	v->key = key;
	v->name = f->u.f.name;
	v->shown[view_slot(f->u.f.ipfam)] = field_shown(f);
	v->kind = dkind_of(f);
	v->array = may_be_array(f);
	return (int)an->nvars++;
}

/* Registers a test, or returns the identical one seen before. */
static int
atom_add(struct an *an, struct atom *p)
{
	size_t i;
	struct var *v;

	if (!p->sig)
		return -1;
	for (i = 0; i < an->natoms; i++)
		if (an->atoms[i].var == p->var &&
		    strcmp(an->atoms[i].sig, p->sig) == 0)
			return (int)i;
	if (!GROW(an, an->atoms, an->natoms, an->capa))
		return -1;
	an->atoms[an->natoms] = *p;
	if (p->var >= 0) {
		v = &an->vars[p->var];
		if (!GROW(an, v->atoms, v->natoms, v->cap))
			return -1;
		an->atoms[an->natoms].slot = (int)v->natoms;
		v->atoms[v->natoms++] = (int)an->natoms;
	}
	return (int)an->natoms++;
}

static bool
nonascii(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

/* The integer key range of `x op c` (DK_INT); false if not exact. */
static bool
int_cmp(enum ir_op op, const struct ir_value *v, struct rng *out)
{
	struct rng all = dom_int_all();
	double c;
	int64_t lo, hi;

	if (v->type == VT_LONG) {
		c = (double)v->u.i;
		lo = hi = v->u.i;
	} else if (v->type == VT_DOUBLE && isfinite(v->u.d) &&
		   v->u.d > -9.2e18 && v->u.d < 9.2e18) {
		c = v->u.d;
		/* the least integer >= c and the greatest <= c (no libm) */
		lo = hi = (int64_t)c;           /* truncated towards zero */
		if ((double)lo < c)
			lo++;
		if ((double)hi > c)
			hi--;
	} else {
		return false;
	}
	(void)c;
	*out = all;
	switch (op) {
	case IR_OP_EQ:
		if (lo != hi)
			return false;   /* a fraction on an integer field */
		out->lo = out->hi = dom_int_key(lo);
		return true;
	case IR_OP_LT:                     /* x < c: x <= ceil(c) - 1 */
		if (lo == INT64_MIN)
			return false;   /* beyond 64 bits: no claim */
		out->hi = dom_int_key(lo - 1);
		return true;
	case IR_OP_LE:
		out->hi = dom_int_key(hi);
		return true;
	case IR_OP_GT:                     /* x > c: x >= floor(c) + 1 */
		if (hi == INT64_MAX)
			return false;
		out->lo = dom_int_key(hi + 1);
		return true;
	case IR_OP_GE:
		out->lo = dom_int_key(lo);
		return true;
	default:
		return false;
	}
}

static bool
real_of(const struct ir_value *v, double *d)
{
	if (v->type == VT_LONG)
		*d = (double)v->u.i;
	else if (v->type == VT_DOUBLE)
		*d = v->u.d;
	else
		return false;
	return !isnan(*d);
}

static enum dom_op
dom_op_of(enum ir_op op)
{
	switch (op) {
	case IR_OP_LT: return DOM_LT;
	case IR_OP_LE: return DOM_LE;
	case IR_OP_GT: return DOM_GT;
	case IR_OP_GE: return DOM_GE;
	case IR_OP_NE: return DOM_NE;
	default: return DOM_EQ;
	}
}

/* Fills in the value set of a test on a field of the var's domain; marks
 * the test inexact (free) where the domain cannot say. */
static bool
make_pred(struct an *an, struct atom *t, const struct var *v,
	  enum dkind fk)
{
	struct rng *rv;
	size_t i;

	t->exact = false;
	if (fk != v->kind)
		return true;    /* the field's types disagree: free */
	switch (v->kind) {
	case DK_IP:
		rv = ARENA_NEWV(an->a, struct rng, t->nvals + 1);
		if (!rv)
			return false;
		if (t->form == AF_PRESENT) {
			rv[0] = dom_ip_all();
			if (!rset_make(an->a, rv, 1, &t->set))
				return false;
		} else if (t->form == AF_EQ || t->form == AF_IN ||
			   t->form == AF_CIDR) {
			for (i = 0; i < t->nvals; i++)
				if (t->vals[i].type != VT_STRING ||
				    !dom_ip_parse(t->vals[i].u.s.s,
						  t->vals[i].u.s.len, &rv[i]))
					return true;
			if (!rset_make(an->a, rv, t->nvals, &t->set))
				return false;
		} else if (t->form == AF_CMP && t->nvals == 1 &&
			   t->vals[0].type == VT_STRING) {
			struct rng x, all = dom_ip_all();
			if (!dom_ip_parse(t->vals[0].u.s.s, t->vals[0].u.s.len,
					  &x) || u128_cmp(x.lo, x.hi) != 0)
				return true;
			rv[0] = all;
			switch (t->op) {
			case IR_OP_LT:
				if (u128_is_zero(x.lo))
					rv[0].lo = u128_add1(all.lo),
					rv[0].hi = all.lo;   /* empty */
				else
					rv[0].hi = u128_sub1(x.lo);
				break;
			case IR_OP_LE: rv[0].hi = x.lo; break;
			case IR_OP_GT:
				if (u128_is_max(x.lo))
					rv[0].lo = u128_add1(all.lo),
					rv[0].hi = all.lo;
				else
					rv[0].lo = u128_add1(x.lo);
				break;
			case IR_OP_GE: rv[0].lo = x.lo; break;
			default: return true;
			}
			if (!rset_make(an->a, rv, 1, &t->set))
				return false;
		} else {
			return true;
		}
		if (t->view) {
			struct rset fam;
			struct rng v4 = dom_ip_v4_space();
			struct rset v4s = { &v4, 1 };
			if (t->view == 4)
				fam = v4s;
			else if (!rset_complement(an->a, v4s, dom_ip_all(), &fam))
				return false;
			if (!rset_inter(an->a, t->set, fam, &t->set))
				return false;
		}
		t->exact = true;
		return true;
	case DK_INT:
		rv = ARENA_NEWV(an->a, struct rng, t->nvals + 1);
		if (!rv)
			return false;
		if (t->form == AF_EQ || t->form == AF_IN) {
			for (i = 0; i < t->nvals; i++)
				if (!int_cmp(IR_OP_EQ, &t->vals[i], &rv[i]))
					return true;
		} else if (t->form == AF_CMP && t->nvals == 1) {
			if (!int_cmp(t->op, &t->vals[0], &rv[0]))
				return true;
		} else {
			return true;
		}
		if (!rset_make(an->a, rv, t->form == AF_CMP ? 1 : t->nvals,
			       &t->set))
			return false;
		t->exact = true;
		return true;
	case DK_REAL:
		if (t->form == AF_EQ || t->form == AF_IN) {
			struct niv *nv = ARENA_NEWV(an->a, struct niv,
						    t->nvals + 1);
			if (!nv)
				return false;
			for (i = 0; i < t->nvals; i++) {
				double d;
				if (!real_of(&t->vals[i], &d))
					return true;
				nv[i].lo = nv[i].hi = d;
				nv[i].lo_open = nv[i].hi_open = false;
			}
			if (!nset_make(an->a, nv, t->nvals, &t->nset))
				return false;
		} else if (t->form == AF_CMP && t->nvals == 1) {
			double d;
			if (!real_of(&t->vals[0], &d))
				return true;
			if (!nset_cmp(an->a, dom_op_of(t->op), d, &t->nset))
				return false;
		} else {
			return true;
		}
		t->exact = true;
		return true;
	case DK_BOOL:
		if (t->form != AF_EQ && t->form != AF_IN)
			return true;
		for (i = 0; i < t->nvals; i++) {
			if (t->vals[i].type != VT_BOOL)
				return true;
			t->bmask[t->vals[i].u.b] = true;
		}
		t->exact = true;
		return true;
	case DK_STR:
		if (t->form == AF_REGEX || t->form == AF_CMP ||
		    t->form == AF_PRESENT || t->form == AF_BOOLFIELD ||
		    t->form == AF_OTHER)
			return true;
		t->g = ARENA_NEWV(an->a, struct glob, t->nvals + 1);
		if (!t->g)
			return false;
		for (i = 0; i < t->nvals; i++) {
			const struct ir_value *x = &t->vals[i];
			bool ok;
			if (x->type != VT_STRING ||
			    (t->ci && nonascii(x->u.s.s, x->u.s.len)))
				return true;
			if (t->form == AF_MATCH)
				ok = glob_wildcard(an->a, x->u.s.s, x->u.s.len,
						   t->ci, &t->g[i]);
			else
				ok = glob_affix(an->a, x->u.s.s, x->u.s.len,
						t->ci,
						t->form == AF_ENDS ||
						t->form == AF_CONTAINS,
						t->form == AF_STARTS ||
						t->form == AF_CONTAINS,
						&t->g[i]);
			if (!ok)
				return false;
		}
		t->ng = t->nvals;
		t->lits = ARENA_NEWV(an->a, struct lit, t->ng + 1);
		t->wild = ARENA_NEWV(an->a, size_t, t->ng + 1);
		if (!t->lits || !t->wild)
			return false;
		for (i = 0; i < t->ng; i++) {
			if (glob_is_literal(&t->g[i])) {
				t->lits[t->nlits].s = t->vals[i].u.s.s;
				t->lits[t->nlits].len = t->vals[i].u.s.len;
				t->lits[t->nlits++].ci = t->ci;
			} else {
				t->wild[t->nwild++] = i;
			}
		}
		qsort(t->lits, t->nlits, sizeof *t->lits,
		      t->ci ? lit_order_ci : lit_order_cs);
		t->exact = true;
		return true;
	default:
		return true;
	}
}

static struct lnode *
new_node(struct an *an, enum lkind k, const struct ir_expr *ir, size_t n)
{
	struct lnode *x = ARENA_NEW(an->a, struct lnode);

	if (!x)
		return NULL;
	x->kind = k;
	x->ir = ir;
	x->atom = -1;
	x->sat = x->fal = -1;
	x->fu = -1;
	if (n) {
		x->kid = ARENA_NEWV(an->a, struct lnode *, n);
		if (!x->kid)
			return NULL;
	}
	x->n = n;
	return x;
}

static int
int_order(const void *pa, const void *pb)
{
	int a = *(const int *)pa, b = *(const int *)pb;

	return a < b ? -1 : a > b;
}

/* Sorted, duplicate-free union of the kids' arrays (grp or atm). */
static bool
union_ints(struct an *an, struct lnode *x, bool atoms)
{
	size_t i, total = 0, m = 0;
	int *v;

	for (i = 0; i < x->n; i++)
		total += atoms ? x->kid[i]->natm : x->kid[i]->ngrp;
	v = ARENA_NEWV(an->a, int, total ? total : 1);
	if (!v)
		return false;
	for (i = 0; i < x->n; i++) {
		size_t k = atoms ? x->kid[i]->natm : x->kid[i]->ngrp;
		if (k)
			memcpy(v + m, atoms ? x->kid[i]->atm : x->kid[i]->grp,
			       k * sizeof *v);
		m += k;
	}
	qsort(v, total, sizeof *v, int_order);
	for (i = 0, m = 0; i < total; i++)
		if (m == 0 || v[m - 1] != v[i])
			v[m++] = v[i];
	if (atoms) {
		x->atm = v;
		x->natm = m;
	} else {
		x->grp = v;
		x->ngrp = m;
	}
	return true;
}

/* Fills in the fields and tests below a node from its kids. */
static struct lnode *
finish(struct an *an, struct lnode *x)
{
	if (!x)
		return NULL;
	if (x->kind == L_ATOM) {
		const struct atom *t = &an->atoms[x->atom];
		x->atm = ARENA_NEW(an->a, int);
		x->grp = ARENA_NEW(an->a, int);
		if (!x->atm || !x->grp)
			return NULL;
		x->atm[0] = x->atom;
		x->grp[0] = t->var >= 0 ? t->var : -(x->atom + 1);
		x->natm = x->ngrp = 1;
		return x;
	}
	if (!union_ints(an, x, true) || !union_ints(an, x, false))
		return NULL;
	return x;
}

static struct lnode *
leaf(struct an *an, int atom, const struct ir_expr *ir)
{
	struct lnode *x;

	if (atom < 0)
		return NULL;
	x = new_node(an, L_ATOM, ir, 0);
	if (!x)
		return NULL;
	x->atom = atom;
	return finish(an, x);
}

/* A test the analysis cannot see into: a free boolean (identical ones
 * are one boolean). */
static struct lnode *
free_leaf(struct an *an, const struct ir_expr *e)
{
	struct strbuf sb = STRBUF_INIT;
	struct atom t;

	memset(&t, 0, sizeof t);
	t.kind = AK_FREE;
	t.form = AF_OTHER;
	t.var = t.slot = -1;
	t.ir = e;
	sb_puts(&sb, "F|");
	if (e)
		ir_dump_expr(e, &an->r->text, &sb, 0);
	else
		sb_printf(&sb, "missing %zu", an->natoms);
	t.sig = sb_done(an, &sb);
	return leaf(an, atom_add(an, &t), e);
}

/* The signature that identifies equal tests on one field. */
static const char *
atom_sig(struct an *an, const struct atom *t)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	sb_printf(&sb, "%d|%d|%u|%d|%d|", (int)t->kind, (int)t->form, t->view,
		  (int)t->op, (int)t->ci);
	for (i = 0; i < t->nvals; i++) {
		const struct ir_value *v = &t->vals[i];
		sb_printf(&sb, "%d:", (int)v->type);
		if (v->type == VT_STRING) {
			sb_printf(&sb, "%zu:", v->u.s.len);
			sb_put(&sb, v->u.s.s, v->u.s.len);
		} else if (v->type == VT_LONG) {
			sb_printf(&sb, "%lld", (long long)v->u.i);
		} else if (v->type == VT_DOUBLE) {
			sb_printf(&sb, "%.17g", v->u.d);
		} else if (v->type == VT_BOOL) {
			sb_putc(&sb, v->u.b ? 't' : 'f');
		}
		sb_putc(&sb, ';');
	}
	return sb_done(an, &sb);
}

/* A test on field f. */
static struct lnode *
field_leaf(struct an *an, const struct ir_expr *e, const struct ir_expr *f,
	   struct atom *t)
{
	int vi = var_of(an, f);

	if (vi < 0)
		return NULL;
	t->var = vi;
	t->field = f;
	t->ir = e;
	t->view = f->u.f.ipfam;
	if (t->kind == AK_VAL &&
	    !make_pred(an, t, &an->vars[vi], dkind_of(f)))
		return NULL;
	t->sig = atom_sig(an, t);
	return leaf(an, atom_add(an, t), e);
}

static struct lnode *
not_of(struct an *an, struct lnode *x, const struct ir_expr *ir)
{
	struct lnode *n;

	if (!x)
		return NULL;
	n = new_node(an, L_NOT, ir, 1);
	if (!n)
		return NULL;
	n->kid[0] = x;
	return finish(an, n);
}

static enum ir_op
flip_op(enum ir_op op)
{
	switch (op) {
	case IR_OP_LT: return IR_OP_GT;
	case IR_OP_LE: return IR_OP_GE;
	case IR_OP_GT: return IR_OP_LT;
	case IR_OP_GE: return IR_OP_LE;
	default: return op;
	}
}

static struct lnode *
build_cmp(struct an *an, const struct ir_expr *e)
{
	const struct ir_expr *l = e->u.cmp.l, *r = e->u.cmp.r, *f, *c;
	enum ir_op op = e->u.cmp.op;
	struct atom t;
	struct lnode *x;

	if (l && r && l->kind == IR_FIELD && r->kind == IR_CONST) {
		f = l;
		c = r;
	} else if (l && r && r->kind == IR_FIELD && l->kind == IR_CONST) {
		f = r;
		c = l;
		op = flip_op(op);
	} else {
		return free_leaf(an, e);
	}
	memset(&t, 0, sizeof t);
	t.kind = AK_VAL;
	t.vals = &c->u.c;
	t.nvals = 1;
	t.ci = e->u.cmp.ci;
	if (c->u.c.type == VT_NULL) {
		if (op != IR_OP_EQ && op != IR_OP_NE)
			return free_leaf(an, e);
		if (f->u.f.ipfam) {
			/* a view is missing when the address is of the other
			 * family: `view != null` is membership in its family */
			t.form = AF_PRESENT;
			t.nvals = 0;
			t.vals = NULL;
		} else {
			t.kind = AK_NULL;
			t.form = AF_NULL;
			t.nvals = 0;
			t.vals = NULL;
		}
		if ((op == IR_OP_NE) == (t.kind == AK_NULL))
			return not_of(an, field_leaf(an, NULL, f, &t), e);
		return field_leaf(an, e, f, &t);
	}
	if (op == IR_OP_EQ || op == IR_OP_NE) {
		t.form = AF_EQ;
		if (op == IR_OP_NE)
			return not_of(an, field_leaf(an, NULL, f, &t), e);
		return field_leaf(an, e, f, &t);
	}
	t.form = AF_CMP;
	t.op = op;
	x = field_leaf(an, e, f, &t);
	return x;
}

static struct lnode *
build_call(struct an *an, const struct ir_expr *e)
{
	const struct ir_expr *f = e->u.call.n ? e->u.call.args[0] : NULL;
	struct ir_value *vals;
	struct atom t;
	size_t i;

	memset(&t, 0, sizeof t);
	switch (e->u.call.fn) {
	case FN_CIDRMATCH: t.form = AF_CIDR; break;
	case FN_STARTSWITH: t.form = AF_STARTS; break;
	case FN_ENDSWITH: t.form = AF_ENDS; break;
	case FN_STRINGCONTAINS: t.form = AF_CONTAINS; break;
	default: return free_leaf(an, e);
	}
	if (!f || f->kind != IR_FIELD || e->u.call.n < 2 ||
	    (t.form != AF_CIDR && e->u.call.n != 2))
		return free_leaf(an, e);
	vals = ARENA_NEWV(an->a, struct ir_value, e->u.call.n);
	if (!vals)
		return NULL;
	for (i = 1; i < e->u.call.n; i++) {
		if (!e->u.call.args[i] || e->u.call.args[i]->kind != IR_CONST)
			return free_leaf(an, e);
		vals[i - 1] = e->u.call.args[i]->u.c;
	}
	t.kind = AK_VAL;
	t.vals = vals;
	t.nvals = e->u.call.n - 1;
	t.ci = e->u.call.ci;
	return field_leaf(an, e, f, &t);
}

/* A condition of the IR as a node of the analysis. */
static struct lnode *
build(struct an *an, const struct ir_expr *e)
{
	struct lnode *x;
	struct atom t;
	size_t i;

	if (!e)
		return free_leaf(an, NULL);
	switch (e->kind) {
	case IR_AND:
	case IR_OR:
		x = new_node(an, e->kind == IR_AND ? L_AND : L_OR, e,
			     e->u.list.n);
		if (!x)
			return NULL;
		x->lit = e->u.list.n == 0;
		for (i = 0; i < e->u.list.n; i++)
			if (!(x->kid[i] = build(an, e->u.list.v[i])))
				return NULL;
		return finish(an, x);
	case IR_NOT:
		x = not_of(an, build(an, e->u.sub), e);
		if (x && x->kid[0]->ir && x->kid[0]->ir->span.start == e->span.start
		    && x->kid[0]->ir->span.end == e->span.end)
			x->kid[0]->hidden = true;
		return x;
	case IR_CONST:
		if (e->u.c.type != VT_BOOL)
			return free_leaf(an, e);
		x = new_node(an, e->u.c.u.b ? L_TRUE : L_FALSE, e, 0);
		if (x)
			x->lit = true;
		return finish(an, x);
	case IR_CMP:
		return build_cmp(an, e);
	case IR_IN:
		if (!e->u.in.l || e->u.in.l->kind != IR_FIELD)
			return free_leaf(an, e);
		memset(&t, 0, sizeof t);
		t.kind = AK_VAL;
		t.form = AF_IN;
		t.vals = e->u.in.v;
		t.nvals = e->u.in.n;
		t.ci = e->u.in.ci;
		if (e->u.in.neg)
			return not_of(an, field_leaf(an, NULL, e->u.in.l, &t),
				      e);
		return field_leaf(an, e, e->u.in.l, &t);
	case IR_MATCH:
		if (!e->u.match.l || e->u.match.l->kind != IR_FIELD)
			return free_leaf(an, e);
		memset(&t, 0, sizeof t);
		t.kind = AK_VAL;
		t.form = e->u.match.mode == MATCH_REGEX ? AF_REGEX : AF_MATCH;
		t.vals = e->u.match.v;
		t.nvals = e->u.match.n;
		t.ci = e->u.match.ci;
		return field_leaf(an, e, e->u.match.l, &t);
	case IR_CALL:
		return build_call(an, e);
	case IR_FIELD:
		/* a bare field as a test: free, but false when missing */
		memset(&t, 0, sizeof t);
		t.kind = AK_VAL;
		t.form = AF_BOOLFIELD;
		return field_leaf(an, e, e, &t);
	case IR_ANCESTOR:
		if (e->u.anc.sub && GROW(an, an->anc, an->nanc, an->capanc))
			an->anc[an->nanc++] = e->u.anc.sub;
		return free_leaf(an, e);
	default:
		return free_leaf(an, e);
	}
}

/* --- classes --------------------------------------------------------------- */

static int
u128_order(const void *pa, const void *pb)
{
	return u128_cmp(*(const struct u128 *)pa, *(const struct u128 *)pb);
}

/* A pleasant member of [lo, hi] to show in messages. */
static struct u128
ip_rep(struct u128 lo, struct u128 hi)
{
	static const char *const nice[] = { "8.8.8.8", "1.1.1.1",
					    "2001:db8::1" };
	struct rng r;
	size_t i;

	for (i = 0; i < sizeof nice / sizeof nice[0]; i++)
		if (dom_ip_parse(nice[i], strlen(nice[i]), &r) &&
		    u128_cmp(r.lo, lo) >= 0 && u128_cmp(r.lo, hi) <= 0)
			return r.lo;
	return u128_cmp(lo, hi) < 0 ? u128_add1(lo) : lo;
}

static struct u128
int_rep(struct u128 lo, struct u128 hi)
{
	struct u128 z = dom_int_key(0);

	if (u128_cmp(z, lo) >= 0 && u128_cmp(z, hi) <= 0)
		return z;
	return u128_cmp(z, lo) < 0 ? lo : hi;
}

/* Classes of an IP or integer field: the pieces between consecutive
 * boundaries of all its tests' ranges. */
static bool
classes_ranges(struct an *an, struct var *v)
{
	bool ip = v->kind == DK_IP;
	struct rng uni = ip ? dom_ip_all() : dom_int_all();
	struct u128 *b;
	size_t i, j, n = 0, cap = 3;

	for (i = 0; i < v->natoms; i++)
		cap += 2 * an->atoms[v->atoms[i]].set.n;
	b = ARENA_NEWV(an->a, struct u128, cap);
	if (!b)
		return false;
	b[n++] = uni.lo;
	if (ip) {
		struct rng v4 = dom_ip_v4_space();
		b[n++] = v4.lo;
		b[n++] = u128_add1(v4.hi);
	}
	for (i = 0; i < v->natoms; i++) {
		const struct atom *t = &an->atoms[v->atoms[i]];
		if (t->kind != AK_VAL || !t->exact)
			continue;
		for (j = 0; j < t->set.n; j++) {
			b[n++] = t->set.v[j].lo;
			if (u128_cmp(t->set.v[j].hi, uni.hi) < 0)
				b[n++] = u128_add1(t->set.v[j].hi);
		}
	}
	qsort(b, n, sizeof *b, u128_order);
	v->cls = ARENA_NEWV(an->a, struct cls, n);
	if (!v->cls)
		return false;
	for (i = 0; i < n; i++) {
		struct u128 lo = b[i], hi;
		if (i + 1 < n && u128_cmp(b[i + 1], lo) == 0)
			continue;
		if (u128_cmp(lo, uni.hi) > 0)
			break;
		for (j = i + 1; j < n && u128_cmp(b[j], lo) == 0; j++)
			;
		hi = j < n ? u128_sub1(b[j]) : uni.hi;
		v->cls[v->ncls++].k = ip ? ip_rep(lo, hi) : int_rep(lo, hi);
	}
	return true;
}

static int
dbl_order(const void *pa, const void *pb)
{
	double a = *(const double *)pa, b = *(const double *)pb;

	return a < b ? -1 : a > b;
}

/* Classes of a real-valued field: each boundary and each open gap. */
static bool
classes_real(struct an *an, struct var *v)
{
	double *e, lo, hi;
	size_t i, j, n = 0, cap = 1, m;

	for (i = 0; i < v->natoms; i++)
		cap += 2 * an->atoms[v->atoms[i]].nset.n;
	e = ARENA_NEWV(an->a, double, cap);
	if (!e)
		return false;
	for (i = 0; i < v->natoms; i++) {
		const struct atom *t = &an->atoms[v->atoms[i]];
		if (t->kind != AK_VAL || !t->exact)
			continue;
		for (j = 0; j < t->nset.n; j++) {
			if (isfinite(t->nset.v[j].lo))
				e[n++] = t->nset.v[j].lo;
			if (isfinite(t->nset.v[j].hi))
				e[n++] = t->nset.v[j].hi;
		}
	}
	qsort(e, n, sizeof *e, dbl_order);
	for (i = 0, m = 0; i < n; i++)
		if (m == 0 || e[m - 1] != e[i])
			e[m++] = e[i];
	v->cls = ARENA_NEWV(an->a, struct cls, 2 * m + 1);
	if (!v->cls)
		return false;
	if (m == 0) {
		v->cls[v->ncls++].d = 0;
		return true;
	}
	/* below the least boundary: a finite double there, if any (no
	 * libm: far out, doubling or -DBL_MAX does it) */
	lo = e[0] > 0 ? 0 : e[0] - 1 < e[0] ? e[0] - 1
	     : isfinite(e[0] * 2) ? e[0] * 2 : -DBL_MAX;
	if (lo < e[0])
		v->cls[v->ncls++].d = lo;
	for (i = 0; i < m; i++) {
		v->cls[v->ncls++].d = e[i];
		if (i + 1 < m) {
			double mid = (e[i] < 0 && e[i + 1] > 0) ? 0
				     : e[i] / 2 + e[i + 1] / 2;
			if (mid > e[i] && mid < e[i + 1])
				v->cls[v->ncls++].d = mid;
		}
	}
	hi = e[m - 1] < 0 ? 0 : e[m - 1] + 1 > e[m - 1] ? e[m - 1] + 1
	     : isfinite(e[m - 1] * 2) ? e[m - 1] * 2 : DBL_MAX;
	if (hi > e[m - 1])
		v->cls[v->ncls++].d = hi;
	return true;
}

static size_t
letters(const char *s, size_t n)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = text_fold((unsigned char)s[i]);
		k += c >= 'a' && c <= 'z';
	}
	return k;
}

/* Case variant number m of s: the i-th letter upper case when bit i of m
 * is set. */
static char *
variant(struct an *an, const char *s, size_t n, uint64_t m)
{
	char *v = arena_strndup(an->a, s, n);
	size_t i, k = 0;

	if (!v)
		return NULL;
	for (i = 0; i < n; i++) {
		unsigned char c = text_fold((unsigned char)v[i]);
		if (c >= 'a' && c <= 'z') {
			v[i] = (char)(k < 64 && (m >> k & 1) ? c - 'a' + 'A' : c);
			k++;
		}
	}
	return v;
}

/* Classes of a text field: each literal written case-sensitively; for
 * each literal written case-insensitively, its remaining case variants as
 * one class; everything else as one class. */
static bool
classes_str(struct an *an, struct var *v)
{
	struct lit *l;
	size_t i, j, k, g, n = 0, cap = 1;

	for (i = 0; i < v->natoms; i++)
		cap += an->atoms[v->atoms[i]].nlits;
	l = ARENA_NEWV(an->a, struct lit, cap);
	v->cls = ARENA_NEWV(an->a, struct cls, cap + 1);
	if (!l || !v->cls)
		return false;
	for (i = 0; i < v->natoms; i++) {
		const struct atom *t = &an->atoms[v->atoms[i]];
		if (t->kind == AK_VAL && t->exact && t->nlits) {
			memcpy(l + n, t->lits, t->nlits * sizeof *l);
			n += t->nlits;
		}
	}
	qsort(l, n, sizeof *l, lit_order_groups);
	/* each run of texts equal up to case */
	for (g = 0; g < n; g = j) {
		size_t cs = 0, nl, first_ci = n, last_cs = n;
		uint64_t m, variants;
		const char *rep = NULL;

		for (j = g; j < n && lit_cmp(&l[g], &l[j], true) == 0; j++) {
			if (l[j].ci) {
				if (first_ci == n)
					first_ci = j;
				continue;
			}
			if (last_cs < n && lit_cmp(&l[last_cs], &l[j], false) == 0)
				continue;       /* the same text again */
			last_cs = j;
			v->cls[v->ncls].s = l[j].s;
			v->cls[v->ncls++].len = l[j].len;
			cs++;
		}
		if (first_ci == n)
			continue;
		nl = letters(l[g].s, l[g].len);
		variants = nl >= 63 ? UINT64_MAX : UINT64_C(1) << nl;
		if (variants <= cs)
			continue;       /* every variant is a literal already */
		/* a case-insensitive literal as written, else the first
		 * variant that is not a case-sensitive literal */
		for (m = 0; !rep && m <= cs + 1; m++) {
			const char *c = m == 0 ? l[first_ci].s
					       : variant(an, l[g].s, l[g].len,
							 m - 1);
			if (!c)
				return false;
			for (k = v->ncls - cs; k < v->ncls; k++)
				if (memcmp(v->cls[k].s, c, l[g].len) == 0)
					break;
			if (k == v->ncls)
				rep = c;
		}
		if (!rep)
			continue;
		v->cls[v->ncls].s = rep;
		v->cls[v->ncls].len = l[g].len;
		v->cls[v->ncls++].multi = variants - cs > 1;
	}
	v->cls[v->ncls].other = true;
	v->cls[v->ncls].s = "";
	v->ncls++;
	return true;
}

/* The truth of a text test on a class. */
static uint8_t
str_truth(const struct atom *t, const struct cls *c)
{
	struct lit key;
	uint8_t r = TV_F;
	size_t i;

	if (c->other)
		return t->nwild ? TV_X : TV_F;
	key.s = c->s;
	key.len = c->len;
	key.ci = t->ci;
	if (bsearch(&key, t->lits, t->nlits, sizeof key,
		    t->ci ? lit_order_ci : lit_order_cs))
		return TV_T;
	for (i = 0; i < t->nwild; i++) {
		const struct glob *g = &t->g[t->wild[i]];
		if (c->multi && !g->ci)
			r = TV_X;       /* the variants may differ */
		else if (glob_match(g, c->s, c->len))
			return TV_T;
	}
	return r;
}

static bool
build_classes(struct an *an, struct var *v)
{
	size_t c, s;
	bool ok = true;

	switch (v->kind) {
	case DK_IP:
	case DK_INT:
		ok = classes_ranges(an, v);
		break;
	case DK_REAL:
		ok = classes_real(an, v);
		break;
	case DK_BOOL:
		v->cls = ARENA_NEWV(an->a, struct cls, 2);
		if (!v->cls)
			return false;
		v->cls[0].b = false;
		v->cls[1].b = true;
		v->ncls = 2;
		break;
	case DK_STR:
		ok = classes_str(an, v);
		break;
	default:
		v->cls = ARENA_NEW(an->a, struct cls);
		if (!v->cls)
			return false;
		v->ncls = 1;
		break;
	}
	if (!ok)
		return false;
	/* the class table is ncls x natoms: refuse a huge one up front
	 * rather than spend the memory (reported as over budget) */
	if (v->natoms && v->ncls > TT_LIMIT / v->natoms) {
		an->over = true;
		return false;
	}
	v->tt = ARENA_NEWV(an->a, uint8_t, v->ncls * v->natoms + 1);
	if (!v->tt)
		return false;
	for (c = 0; c < v->ncls; c++)
		for (s = 0; s < v->natoms; s++) {
			const struct atom *t = &an->atoms[v->atoms[s]];
			const struct cls *k = &v->cls[c];
			uint8_t r;
			if (t->kind == AK_NULL)
				r = TV_F;
			else if (!t->exact)
				r = TV_X;
			else if (v->kind == DK_IP || v->kind == DK_INT)
				r = rset_has(t->set, k->k);
			else if (v->kind == DK_REAL)
				r = nset_has(t->nset, k->d);
			else if (v->kind == DK_BOOL)
				r = t->bmask[k->b];
			else if (v->kind == DK_STR)
				r = str_truth(t, k);
			else
				r = TV_X;
			v->tt[c * v->natoms + s] = r;
		}
	return true;
}

/* --- the search --------------------------------------------------------------- */

static bool
compatible(uint8_t t, int8_t b)
{
	return b == UNK || t == TV_X || t == (uint8_t)b;
}

/* Does class c of v agree with every assigned test of v? */
static bool
class_fits(const struct an *an, const struct var *v, size_t c)
{
	size_t s;

	for (s = 0; s < v->natoms; s++)
		if (!compatible(v->tt[c * v->natoms + s], an->val[v->atoms[s]]))
			return false;
	return true;
}

static bool
missing_fits(const struct an *an, const struct var *v)
{
	size_t s;

	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		int8_t b = an->val[v->atoms[s]];
		if (b != UNK && b != (t->kind == AK_NULL))
			return false;
	}
	return true;
}

/* Array field: can class c be an element, given the tests assigned
 * false?  With `need` >= 0, it must also pass test slot `need`. */
static bool
element_fits(const struct an *an, const struct var *v, size_t c, int need)
{
	size_t s;

	if (need >= 0 && v->tt[c * v->natoms + (size_t)need] == TV_F)
		return false;
	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		if (t->kind == AK_VAL && an->val[v->atoms[s]] == 0 &&
		    v->tt[c * v->natoms + s] == TV_T)
			return false;
	}
	return true;
}

/* Can the assigned tests of v hold together? */
static bool
consistent(struct an *an, int vi)
{
	const struct var *v = &an->vars[vi];
	size_t s, c;
	bool empty = false, nonempty = false, any_one = false;

	/* the budget counts class visits, so it bounds time */
	an->work += 1 + v->ncls;
	if (!v->array) {
		if (missing_fits(an, v))
			return true;
		for (c = 0; c < v->ncls; c++)
			if (class_fits(an, v, c))
				return true;
		return false;
	}
	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		int8_t b = an->val[v->atoms[s]];
		if (t->kind == AK_NULL) {
			empty |= b == 1;
			nonempty |= b == 0;
		} else {
			any_one |= b == 1;
		}
	}
	if (empty)
		return !nonempty && !any_one;
	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		bool found = false;
		if (t->kind != AK_VAL || an->val[v->atoms[s]] != 1)
			continue;
		for (c = 0; c < v->ncls && !found; c++)
			found = element_fits(an, v, c, (int)s);
		if (!found)
			return false;
	}
	if (nonempty && !any_one) {
		for (c = 0; c < v->ncls; c++)
			if (element_fits(an, v, c, -1))
				return true;
		return false;
	}
	return true;
}

/* Three-valued value of n under the current assignment. */
static int
eval(const struct an *an, const struct lnode *n)
{
	size_t i;
	int r, v;

	switch (n->kind) {
	case L_TRUE: return 1;
	case L_FALSE: return 0;
	case L_ATOM: return an->val[n->atom];
	case L_NOT:
		v = eval(an, n->kid[0]);
		return v == UNK ? UNK : !v;
	case L_AND:
	case L_OR:
		r = n->kind == L_AND;
		for (i = 0; i < n->n; i++) {
			v = eval(an, n->kid[i]);
			if (v == (n->kind == L_OR))
				return v;
			if (v == UNK)
				r = UNK;
		}
		return r;
	}
	return UNK;
}

static bool
spend(struct an *an)
{
	if (an->over)
		return false;
	if (++an->work > an->budget) {
		an->over = true;
		return false;
	}
	return true;
}

/* Assigns a test, checking its field; false (and unassigned) when the
 * field cannot agree. */
static bool
assign(struct an *an, int a, int b)
{
	an->val[a] = (int8_t)b;
	if (an->atoms[a].var >= 0 && !consistent(an, an->atoms[a].var)) {
		an->val[a] = UNK;
		return false;
	}
	return true;
}

/* Marks in an->pol how each test occurs under n: 1 positively, 2 under
 * an odd number of NOTs, 3 both. */
static void
polarity(struct an *an, const struct lnode *n, bool neg)
{
	size_t i;

	if (n->kind == L_ATOM)
		an->pol[n->atom] |= neg ? 2 : 1;
	for (i = 0; i < n->n; i++)
		polarity(an, n->kid[i], neg != (n->kind == L_NOT));
}

/* Like eval, and when the value is unknown, *pick is an unassigned test
 * inside a part whose value is still open: only tests that can still
 * matter are branched on (a decided part's tests are never tried). */
static int
eval_pick(const struct an *an, const struct lnode *n, int *pick)
{
	size_t i;
	int r, v, p = -1;

	switch (n->kind) {
	case L_TRUE: return 1;
	case L_FALSE: return 0;
	case L_ATOM:
		if (an->val[n->atom] == UNK)
			*pick = n->atom;
		return an->val[n->atom];
	case L_NOT:
		v = eval_pick(an, n->kid[0], pick);
		return v == UNK ? UNK : !v;
	case L_AND:
	case L_OR:
		r = n->kind == L_AND;
		for (i = 0; i < n->n; i++) {
			int q = -1;
			v = eval_pick(an, n->kid[i], &q);
			if (v == (n->kind == L_OR))
				return v;
			if (v == UNK) {
				r = UNK;
				if (p < 0)
					p = q;
			}
		}
		if (r == UNK)
			*pick = p;
		return r;
	}
	return UNK;
}

/* Backtracking until root evaluates to target; on success the
 * assignment stays.  Each test first gets the value that moves root
 * towards the target (by its polarity, an->pol), which finds an answer at
 * once in the usual case that one exists. */
static bool
dfs(struct an *an, const struct lnode *root, int target)
{
	int v, b, first, i, a = -1;

	if (!spend(an))
		return false;
	v = eval_pick(an, root, &a);
	if (v != UNK)
		return v == target;
	if (a < 0)
		return false;
	first = an->pol[a] == 2 ? !target : an->pol[a] == 1 ? target : 1;
	for (i = 0; i < 2; i++) {
		b = i ? !first : first;
		if (!assign(an, a, b))
			continue;
		if (dfs(an, root, target))
			return true;
		an->val[a] = UNK;
		if (an->over)
			return false;
	}
	return false;
}

static void
clear(struct an *an, const struct lnode *n)
{
	size_t i;

	for (i = 0; i < n->natm; i++)
		an->val[n->atm[i]] = UNK;
}

static bool solve(struct an *an, struct lnode *n, int target, bool keep);

/* A node of kind k over some kids (made for one question). */
static struct lnode *
temp_node(struct an *an, enum lkind k, struct lnode **kids, size_t n)
{
	struct lnode *x = new_node(an, k, NULL, n);

	if (!x)
		return NULL;
	memcpy(x->kid, kids, n * sizeof *kids);
	return finish(an, x);
}

/* Union-find root. */
static size_t
uf_find(size_t *p, size_t i)
{
	while (p[i] != i)
		i = p[i] = p[p[i]];
	return i;
}

struct gk {
	int g;
	size_t kid;
};

static int
gk_order(const void *pa, const void *pb)
{
	const struct gk *a = pa, *b = pb;

	return a->g < b->g ? -1 : a->g > b->g;
}

/* Every kid of n must evaluate to target (AND true, OR false): kids
 * that share no field are independent, so each component is solved on
 * its own. */
static bool
solve_all(struct an *an, struct lnode *n, int target, bool keep)
{
	size_t *p, i, j, total = 0, m = 0;
	struct gk *gk;
	struct lnode **comp;
	bool ok = true;

	if (n->n == 0)
		return true;    /* AND() is true, OR() false */
	if (n->n == 1)
		return solve(an, n->kid[0], target, keep);
	p = ARENA_NEWV(an->a, size_t, n->n);
	comp = ARENA_NEWV(an->a, struct lnode *, n->n);
	for (i = 0; i < n->n; i++)
		total += n->kid[i]->ngrp;
	gk = ARENA_NEWV(an->a, struct gk, total + 1);
	if (!p || !comp || !gk) {
		an->over = true;
		return false;
	}
	for (i = 0; i < n->n; i++) {
		p[i] = i;
		for (j = 0; j < n->kid[i]->ngrp; j++) {
			gk[m].g = n->kid[i]->grp[j];
			gk[m++].kid = i;
		}
	}
	qsort(gk, m, sizeof *gk, gk_order);
	for (i = 1; i < m; i++)
		if (gk[i].g == gk[i - 1].g)
			p[uf_find(p, gk[i].kid)] = uf_find(p, gk[i - 1].kid);
	/* kids whose value is already known come first: cheap refutations */
	for (i = 0; i < n->n && ok; i++) {
		int8_t known = target ? n->kid[i]->sat : n->kid[i]->fal;
		if (known == 0)
			ok = false;
	}
	for (i = 0; i < n->n && ok; i++) {
		size_t c = 0;
		if (uf_find(p, i) != i)
			continue;
		for (j = 0; j < n->n; j++)
			if (uf_find(p, j) == i)
				comp[c++] = n->kid[j];
		if (c == 1) {
			ok = solve(an, comp[0], target, keep);
		} else {
			struct lnode *t = temp_node(an, n->kind, comp, c);
			if (!t) {
				an->over = true;
				ok = false;
				break;
			}
			for (j = 0; j < t->natm; j++)
				an->pol[t->atm[j]] = 0;
			polarity(an, t, false);
			ok = dfs(an, t, target);
			if (ok && !keep)
				clear(an, t);
		}
	}
	if (!ok && keep)
		clear(an, n);
	return ok;
}

/* Can n evaluate to target?  The assignment must be clean for n's tests
 * on entry; with keep, a witness stays assigned on success. */
static bool
solve(struct an *an, struct lnode *n, int target, bool keep)
{
	int8_t *memo = target ? &n->sat : &n->fal;
	bool r = false;
	size_t i;

	if (*memo == 0)
		return false;
	if (*memo == 1 && !keep)
		return true;
	if (!spend(an))
		return false;
	switch (n->kind) {
	case L_TRUE:
	case L_FALSE:
		r = (n->kind == L_TRUE) == (target == 1);
		break;
	case L_ATOM:
		r = assign(an, n->atom, target);
		if (r && !keep)
			an->val[n->atom] = UNK;
		break;
	case L_NOT:
		r = solve(an, n->kid[0], !target, keep);
		break;
	case L_AND:
	case L_OR:
		if ((n->kind == L_AND) == (target == 1)) {
			r = solve_all(an, n, target, keep);
		} else {
			for (i = 0; i < n->n && !r && !an->over; i++)
				r = solve(an, n->kid[i], target, keep);
		}
		break;
	}
	if (!an->over)
		*memo = r;
	return r;
}

/* --- witnesses ------------------------------------------------------------------ */

/* The class a single-valued field takes under the assignment (the first
 * that fits, present values first), or -1 for missing. */
static int
pick_class(const struct an *an, const struct var *v)
{
	size_t c;

	for (c = 0; c < v->ncls; c++)
		if (!v->cls[c].other && class_fits(an, v, c))
			return (int)c;
	for (c = 0; c < v->ncls; c++)
		if (class_fits(an, v, c))
			return (int)c;
	return -1;
}

/* The elements of an array field under the assignment: a class for each
 * test assigned true.  Returns the count (0: missing). */
static size_t
pick_elements(const struct an *an, const struct var *v, size_t *out)
{
	size_t s, c, n = 0, k;
	bool nonempty = false;

	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		int8_t b = an->val[v->atoms[s]];
		if (t->kind == AK_NULL && b == 0)
			nonempty = true;
		if (t->kind != AK_VAL || b != 1)
			continue;
		for (c = 0; c < v->ncls; c++)
			if (element_fits(an, v, c, (int)s))
				break;
		if (c == v->ncls)
			continue;
		for (k = 0; k < n && out[k] != c; k++)
			;
		if (k == n)
			out[n++] = c;
	}
	if (n == 0 && nonempty)
		for (c = 0; c < v->ncls; c++)
			if (element_fits(an, v, c, -1)) {
				out[n++] = c;
				break;
			}
	return n;
}

/* Assigns every test of a field that a witness mentions, from the
 * classes it takes. */
static void
complete_var(struct an *an, const struct var *v)
{
	size_t s, k, ne, *el;
	int c;

	if (!v->array) {
		c = pick_class(an, v);
		for (s = 0; s < v->natoms; s++) {
			const struct atom *t = &an->atoms[v->atoms[s]];
			int8_t *b = &an->val[v->atoms[s]];
			if (*b != UNK)
				continue;
			if (c < 0)
				*b = t->kind == AK_NULL;
			else
				*b = v->tt[(size_t)c * v->natoms + s] == TV_T;
		}
		return;
	}
	el = ARENA_NEWV(an->a, size_t, v->natoms + 1);
	if (!el)
		return;
	ne = pick_elements(an, v, el);
	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		int8_t *b = &an->val[v->atoms[s]];
		if (*b != UNK)
			continue;
		if (t->kind == AK_NULL) {
			*b = ne == 0;
			continue;
		}
		*b = 0;
		for (k = 0; k < ne; k++)
			if (v->tt[el[k] * v->natoms + s] == TV_T)
				*b = 1;
	}
}

static bool
var_touched(const struct an *an, const struct var *v)
{
	size_t s;

	for (s = 0; s < v->natoms; s++)
		if (an->val[v->atoms[s]] != UNK)
			return true;
	return false;
}

/* The name of a field as written, for the family of the value shown. */
static const char *
var_shown(const struct var *v, int fam)
{
	const char *s = fam == 4 ? v->shown[1] : fam == 6 ? v->shown[2] : NULL;

	if (!s)
		s = v->shown[0];
	if (!s)
		s = v->shown[1] ? v->shown[1] : v->shown[2];
	return s ? s : v->name;
}

static void phrase_atom(struct an *an, struct strbuf *sb,
			const struct atom *t, bool pos, bool clause);

/* One class value as text. */
static void
put_class(struct an *an, struct strbuf *sb, const struct var *v,
	  const struct cls *c)
{
	char buf[DOM_IP_BUF];

	switch (v->kind) {
	case DK_IP:
		dom_ip_format(c->k, buf);
		sb_puts(sb, buf);
		break;
	case DK_INT:
		sb_printf(sb, "%lld", (long long)dom_int_of_key(c->k));
		break;
	case DK_REAL:
		sb_printf(sb, "%g", c->d);
		break;
	case DK_BOOL:
		sb_puts(sb, c->b ? "true" : "false");
		break;
	case DK_STR:
		if (c->other)
			sb_puts(sb, "another value");
		else
			put_str(an, sb, c->s, c->len);
		break;
	default:
		sb_puts(sb, "a value");
		break;
	}
}

/* "F = v", "F is not set", ... for one field of a witness; sets *conn to
 * "to"/"from" when it is a lone network address. */
static void
witness_var(struct an *an, struct strbuf *sb, const struct var *v,
	    const char **conn, struct strbuf *addr)
{
	size_t s, k, ne, *el;
	int c;
	bool first = true;

	*conn = NULL;
	if (!v->array) {
		c = pick_class(an, v);
		if (c < 0) {
			sb_printf(sb, "%s is not set", var_shown(v, 0));
			return;
		}
		if (v->kind == DK_STR && v->cls[c].other) {
			/* no single text: say what it does and does not do */
			for (s = 0; s < v->natoms; s++) {
				const struct atom *t = &an->atoms[v->atoms[s]];
				int8_t b = an->val[v->atoms[s]];
				if (b == UNK || t->kind != AK_VAL)
					continue;
				if (!first)
					sb_puts(sb, " and ");
				sb_printf(sb, "%s ", var_shown(v, 0));
				phrase_atom(an, sb, t, b == 1, true);
				first = false;
			}
			if (first)
				sb_printf(sb, "%s is set", var_shown(v, 0));
			return;
		}
		if (v->kind == DK_IP) {
			int fam = dom_ip_is_v4(v->cls[c].k) ? 4 : 6;
			sb_printf(sb, "%s = ", var_shown(v, fam));
			put_class(an, sb, v, &v->cls[c]);
			if (strcmp(v->name, "destination.ip") == 0)
				*conn = "to";
			else if (strcmp(v->name, "source.ip") == 0)
				*conn = "from";
			put_class(an, addr, v, &v->cls[c]);
			return;
		}
		sb_printf(sb, "%s = ", var_shown(v, 0));
		put_class(an, sb, v, &v->cls[c]);
		return;
	}
	el = ARENA_NEWV(an->a, size_t, v->natoms + 1);
	if (!el)
		return;
	ne = pick_elements(an, v, el);
	if (ne == 0) {
		sb_printf(sb, "%s is not set", var_shown(v, 0));
		return;
	}
	sb_printf(sb, "%s = [", var_shown(v, 0));
	for (k = 0; k < ne; k++) {
		if (k)
			sb_puts(sb, ", ");
		put_class(an, sb, v, &v->cls[el[k]]);
	}
	sb_putc(sb, ']');
}

/* "an event where ..." (or "a connection to A") for the tests of `scope`
 * that the current assignment sets. */
static void
witness(struct an *an, struct strbuf *sb, const struct lnode *scope)
{
	struct strbuf part = STRBUF_INIT, addr = STRBUF_INIT;
	const char *conn = NULL, *c;
	size_t i, j, nparts = 0, nfree = 0;
	const char **parts;

	parts = ARENA_NEWV(an->a, const char *, scope->natm + 1);
	if (!parts)
		return;
	for (i = 0; i < an->nvars; i++) {
		const struct var *v = &an->vars[i];
		bool in = false;
		for (j = 0; j < v->natoms && !in; j++)
			in = bsearch(&v->atoms[j], scope->atm, scope->natm,
				     sizeof(int), int_order) != NULL;
		if (!in || !var_touched(an, v))
			continue;
		witness_var(an, &part, v, &c, &addr);
		conn = c;
		parts[nparts++] = sb_done(an, &part);
	}
	for (i = 0; i < scope->natm; i++) {
		const struct atom *t = &an->atoms[scope->atm[i]];
		int8_t b = an->val[scope->atm[i]];
		if (t->kind != AK_FREE || b == UNK)
			continue;
		sb_putc(&part, '\'');
		if (!t->ir)
			sb_puts(&part, "(condition)");
		else if (an->eset)
			eset_text(an, &part, t->ir);
		else
			src_text(an, &part, t->ir->span);
		sb_printf(&part, "' %s", b ? "holds" : "does not hold");
		parts[nparts++] = sb_done(an, &part);
		nfree++;
	}
	if (nparts == 1 && conn && nfree == 0) {
		sb_printf(sb, "a connection %s %s", conn,
			  addr.data ? addr.data : "");
		sb_free(&addr);
		return;
	}
	sb_free(&addr);
	if (nparts == 0) {
		sb_puts(sb, "any event");
		return;
	}
	sb_puts(sb, "an event where ");
	for (i = 0; i < nparts; i++) {
		if (i)
			sb_puts(sb, i + 1 == nparts ? " and " : ", ");
		sb_puts(sb, parts[i]);
	}
}

/* --- phrases ------------------------------------------------------------------ */

static void
put_list(struct an *an, struct strbuf *sb, const struct atom *t, bool raw)
{
	size_t i, shown = t->nvals > 5 ? 3 : t->nvals;

	sb_putc(sb, '(');
	for (i = 0; i < shown; i++) {
		if (i)
			sb_puts(sb, ", ");
		put_value(an, sb, &t->vals[i], raw);
	}
	if (shown < t->nvals)
		sb_printf(sb, ", ... %zu values in all", t->nvals);
	sb_putc(sb, ')');
}

/* What a test requires of its field: "10.0.0.1", "greater than 5",
 * "matching "a*"", "set"; as a clause ("matches "a*"", "is set") when
 * clause is true. */
static void
phrase_atom(struct an *an, struct strbuf *sb, const struct atom *t,
	    bool pos, bool clause)
{
	bool raw = an->vars[t->var].kind == DK_IP;
	const char *verb = NULL;

	switch (t->form) {
	case AF_NULL:
		sb_puts(sb, clause ? "is " : "");
		sb_puts(sb, pos ? "not set" : "set");
		return;
	case AF_PRESENT:
		sb_puts(sb, clause ? "is " : "");
		sb_puts(sb, pos ? "set" : "not set");
		return;
	case AF_EQ:
		sb_puts(sb, clause ? (pos ? "= " : "is other than ")
				   : (pos ? "" : "other than "));
		put_value(an, sb, &t->vals[0], raw);
		return;
	case AF_IN:
	case AF_CIDR:
		if (t->nvals == 1 && t->form == AF_IN) {
			sb_puts(sb, clause ? (pos ? "= " : "is other than ")
					   : (pos ? "" : "other than "));
			put_value(an, sb, &t->vals[0], raw);
			return;
		}
		if (clause)
			sb_puts(sb, "is ");
		if (t->nvals == 1) {
			sb_puts(sb, pos ? "in " : "outside ");
			put_value(an, sb, &t->vals[0], raw);
			return;
		}
		sb_puts(sb, t->form == AF_CIDR ? (pos ? "in one of "
						      : "in none of ")
					       : (pos ? "one of " : "none of "));
		put_list(an, sb, t, raw);
		return;
	case AF_CMP:
		if (clause)
			sb_puts(sb, "is ");
		switch (pos ? t->op : (t->op == IR_OP_LT ? IR_OP_GE : t->op == IR_OP_LE
				       ? IR_OP_GT : t->op == IR_OP_GT ? IR_OP_LE : IR_OP_LT)) {
		case IR_OP_LT: sb_puts(sb, "less than "); break;
		case IR_OP_LE: sb_puts(sb, "at most "); break;
		case IR_OP_GT: sb_puts(sb, "greater than "); break;
		default: sb_puts(sb, "at least "); break;
		}
		put_value(an, sb, &t->vals[0], raw);
		return;
	case AF_MATCH: verb = clause ? "matches" : "matching"; break;
	case AF_REGEX:
		verb = clause ? "matches the regular expression"
			      : "matching the regular expression";
		break;
	case AF_STARTS: verb = clause ? "starts with" : "starting with"; break;
	case AF_ENDS: verb = clause ? "ends with" : "ending with"; break;
	case AF_CONTAINS: verb = clause ? "contains" : "containing"; break;
	default:
		sb_puts(sb, pos ? (clause ? "passes the test" : "passing the test")
				: (clause ? "fails the test" : "failing the test"));
		return;
	}
	if (!pos)
		sb_puts(sb, clause ? "does not " : "not ");
	if (!pos && clause) {
		/* "does not match", "does not start with" */
		static const struct { enum aform f; const char *s; } base[] = {
			{ AF_MATCH, "match" }, { AF_STARTS, "start with" },
			{ AF_ENDS, "end with" }, { AF_CONTAINS, "contain" },
			{ AF_REGEX, "match the regular expression" },
		};
		size_t i;
		for (i = 0; i < sizeof base / sizeof base[0]; i++)
			if (base[i].f == t->form)
				verb = base[i].s;
	}
	sb_printf(sb, "%s ", verb);
	if (t->nvals == 1) {
		put_value(an, sb, &t->vals[0], false);
	} else {
		sb_puts(sb, pos ? "one of " : "any of ");
		put_list(an, sb, t, false);
	}
}

/* The field of a node whose tests are all on one field (and view), or
 * -1. */
static int
single_var(const struct an *an, const struct lnode *n, unsigned *view)
{
	size_t i;
	int v = -1;

	*view = 0;
	for (i = 0; i < n->natm; i++) {
		const struct atom *t = &an->atoms[n->atm[i]];
		if (t->var < 0 || (v >= 0 && t->var != v))
			return -1;
		if (i > 0 && t->view != *view)
			*view = 0;      /* mixed views */
		else
			*view = t->view;
		v = t->var;
	}
	return v;
}

/* Is n (taken positively when pos) just "the field is set"? */
static bool
is_presence(const struct an *an, const struct lnode *n, bool pos)
{
	const struct atom *t;

	if (n->kind == L_NOT)
		return is_presence(an, n->kid[0], !pos);
	if (n->kind != L_ATOM)
		return false;
	t = &an->atoms[n->atom];
	return (t->form == AF_NULL && !pos) || (t->form == AF_PRESENT && pos);
}

/* What a one-field node requires, e.g. "10.0.0.1 or 10.0.0.2"; false if
 * the node is too complex to say. */
static bool
phrase_node(struct an *an, struct strbuf *sb, const struct lnode *n,
	    bool pos)
{
	size_t i;

	if (sb->len > 3 * TEXT_MAX)
		return false;
	switch (n->kind) {
	case L_ATOM:
		if (an->atoms[n->atom].kind == AK_FREE)
			return false;
		phrase_atom(an, sb, &an->atoms[n->atom], pos, false);
		return true;
	case L_NOT:
		return phrase_node(an, sb, n->kid[0], !pos);
	case L_AND:
	case L_OR: {
		bool sep = false;
		for (i = 0; i < n->n; i++) {
			/* "set and other than "a"" says no more than "other
			 * than "a"" (ESET's isnot and its kind) */
			if (n->n > 1 && (n->kind == L_AND) == pos &&
			    is_presence(an, n->kid[i], pos))
				continue;
			if (sep)
				sb_puts(sb, (n->kind == L_OR) == pos ? " or "
								     : " and ");
			if (!phrase_node(an, sb, n->kid[i], pos))
				return false;
			sep = true;
		}
		return sep;
	}
	default:
		return false;
	}
}

/* --- findings --------------------------------------------------------------------- */

static struct finding *
add_finding(struct an *an, enum diag_id id, struct span sp, const char *msg)
{
	struct finding *f;

	if (!msg || !GROW(an, an->fd, an->nfd, an->capfd))
		return NULL;
	f = &an->fd[an->nfd++];
	memset(f, 0, sizeof *f);
	f->id = id;
	f->span = sp;
	f->msg = msg;
	return f;
}

static void
add_note(struct finding *f, struct span sp, const char *msg)
{
	if (f && msg && f->nnotes < MAX_NOTES) {
		f->notes[f->nnotes].span = sp;
		f->notes[f->nnotes++].msg = msg;
	}
}

static struct span
node_span(const struct lnode *n)
{
	while (n && !n->ir && n->n)
		n = n->kid[0];
	return n && n->ir ? n->ir->span : span_make(0, 0);
}

/* Is AND(kids[0..n) except `skip`) possible?  (The assignment is clean.) */
static bool
and_possible(struct an *an, struct lnode **kids, size_t n, size_t skip)
{
	struct lnode **v = ARENA_NEWV(an->a, struct lnode *, n);
	struct lnode *t;
	size_t i, m = 0;

	if (!v)
		return true;
	for (i = 0; i < n; i++)
		if (i != skip)
			v[m++] = kids[i];
	if (m == 1)
		return solve(an, v[0], 1, false);
	t = temp_node(an, L_AND, v, m);
	return !t || solve(an, t, 1, false);
}

/* A minimal subset of kids whose AND is never true (the AND of all of
 * them is known to be never true).  Returns the count, kept in `core`. */
static size_t
min_core(struct an *an, struct lnode **kids, size_t n, struct lnode **core)
{
	size_t i = 0, m = n;

	memcpy(core, kids, n * sizeof *kids);
	while (i < m && m > 1) {
		if (!and_possible(an, core, m, i) && !an->over) {
			memmove(core + i, core + i + 1,
				(m - i - 1) * sizeof *core);
			m--;
		} else {
			i++;
		}
	}
	return m;
}

/* Does a test of an integer field in the core compare with a fraction?
 * (Then say that the field holds whole numbers.) */
static bool
fraction_in(const struct an *an, struct lnode **core, size_t n, int v)
{
	size_t i, j, k;

	if (an->vars[v].kind != DK_INT)
		return false;
	for (i = 0; i < n; i++)
		for (j = 0; j < core[i]->natm; j++) {
			const struct atom *t = &an->atoms[core[i]->atm[j]];
			for (k = 0; k < t->nvals; k++)
				if (t->vals[k].type == VT_DOUBLE &&
				    isfinite(t->vals[k].u.d) &&
				    t->vals[k].u.d > -9.2e18 &&
				    t->vals[k].u.d < 9.2e18 &&
				    (double)(int64_t)t->vals[k].u.d !=
					    t->vals[k].u.d)
					return true;
		}
	return false;
}

/* Explains why AND(core) is never true: a sentence for the message
 * (after "no event satisfies this: ") and a note at each member.  `neg`
 * words it for the NOT branches of an OR (the members are the operands
 * of NOTs): "F cannot be both A and B". */
static void
explain_core(struct an *an, struct strbuf *sb, struct lnode **core, size_t n,
	     struct finding *f, struct lnode **at, bool neg)
{
	struct strbuf p = STRBUF_INIT;
	const char **ph = ARENA_NEWV(an->a, const char *, n + 1);
	unsigned view, views = 0;
	int v = -1, vi;
	size_t i;
	bool simple = ph != NULL;

	for (i = 0; i < n && simple; i++) {
		vi = single_var(an, core[i], &view);
		if (vi < 0 || (v >= 0 && vi != v)) {
			simple = false;
			break;
		}
		v = vi;
		views |= view == 4 ? 1u : view == 6 ? 2u : 4u;
		if (!phrase_node(an, &p, core[i], true)) {
			simple = false;
			break;
		}
		ph[i] = sb_done(an, &p);
	}
	sb_free(&p);
	if (simple && n == 2 && views == 3) {
		/* the two views of one address */
		const struct var *x = &an->vars[v];
		sb_printf(sb, "%s and %s are never both set", x->shown[1],
			  x->shown[2]);
		for (i = 0; i < n; i++) {
			unsigned w;
			single_var(an, core[i], &w);
			add_note(f, node_span(at[i]), arena_printf(an->a,
				 neg ? "true whenever %s is not set"
				     : "requires %s to be set",
				 w == 4 ? x->shown[1] : x->shown[2]));
		}
		return;
	}
	if (simple && n >= 2) {
		const char *name = var_shown(&an->vars[v], views == 1 ? 4
						 : views == 2 ? 6 : 0);
		sb_printf(sb, "%s %s ", name, neg ? "cannot be" : "would have to be");
		if (n == 2) {
			sb_printf(sb, "both %s and %s", ph[0], ph[1]);
			if (fraction_in(an, core, n, v))
				sb_printf(sb, " (%s holds whole numbers)", name);
		} else {
			for (i = 0; i < n; i++)
				sb_printf(sb, "%s%s", i ? (i + 1 == n ? " and "
								      : ", ")
							: "", ph[i]);
			sb_puts(sb, " at once");
		}
		for (i = 0; i < n; i++)
			add_note(f, node_span(at[i]), arena_printf(an->a,
				 neg ? "true whenever %s is not %s"
				     : "requires %s to be %s", name, ph[i]));
		return;
	}
	if (simple && n == 1) {
		sb_printf(sb, "%s can never be %s", var_shown(&an->vars[v], 0),
			  ph[0]);
		return;
	}
	sb_puts(sb, neg ? "the negated conditions never all hold at once"
			: "its conditions contradict each other");
	for (i = 0; i < n; i++)
		add_note(f, node_span(at[i]), neg ? "true whenever this "
			 "condition fails" : "this condition is part of the "
			 "contradiction");
}

/* Reports a never-true node. */
static void
report_never(struct an *an, struct lnode *n)
{
	struct strbuf sb = STRBUF_INIT;
	struct finding *f;
	struct lnode **core;
	size_t m;

	f = add_finding(an, D_NEVER_TRUE, n->ir->span, "");
	if (!f)
		return;
	n->fu = (int)(f - an->fd);
	sb_puts(&sb, "no event satisfies this: ");
	if (n->kind == L_AND && n->n > 1 &&
	    (core = ARENA_NEWV(an->a, struct lnode *, n->n)) != NULL) {
		m = min_core(an, n->kid, n->n, core);
		explain_core(an, &sb, core, m, f, core, false);
	} else if (n->kind == L_ATOM || n->kind == L_NOT) {
		struct lnode *one = n;
		explain_core(an, &sb, &one, 1, f, &one, false);
	} else {
		sb_puts(&sb, "its conditions contradict each other");
	}
	f = &an->fd[n->fu];     /* the array may have moved */
	f->msg = sb_done(an, &sb);
}

/* The operand text of a NOT branch for the De Morgan help (EQL). */
static void
negated_text(struct an *an, struct strbuf *sb, const struct lnode *k)
{
	const struct ir_expr *e = k->ir;
	const struct rc_text *t = &an->r->text;

	if (e && e->kind == IR_NOT && e->u.sub) {
		src_text(an, sb, e->u.sub->span);
	} else if (e && e->kind == IR_IN && e->u.in.l && e->u.in.n) {
		struct span vs = span_make(e->u.in.v[0].span.start,
					   e->u.in.v[e->u.in.n - 1].span.end);
		src_text(an, sb, e->u.in.l->span);
		sb_printf(sb, " in%s (", e->u.in.ci ? "~" : "");
		if (vs.end > vs.start && vs.end <= t->len)
			src_text(an, sb, vs);
		sb_putc(sb, ')');
	} else if (e && e->kind == IR_CMP && e->u.cmp.l && e->u.cmp.r) {
		src_text(an, sb, e->u.cmp.l->span);
		sb_puts(sb, " == ");
		src_text(an, sb, e->u.cmp.r->span);
	} else if (e) {
		sb_puts(sb, "...");
	}
}

/* Reports an always-true OR (or other node); with `negated`, the NOT
 * `at` over it is reported as never true instead. */
static void
report_always(struct an *an, struct lnode *n, struct lnode *at_not)
{
	struct strbuf sb = STRBUF_INIT, w = STRBUF_INIT;
	struct finding *f;
	size_t i, fi, held = 0;
	bool nots = n->kind == L_OR && n->n > 1;
	struct lnode **inner, **core, **at;

	f = add_finding(an, at_not ? D_NEVER_TRUE : D_ALWAYS_TRUE,
			(at_not ? at_not : n)->ir->span, "");
	if (!f)
		return;
	fi = (size_t)(f - an->fd);
	if (at_not)
		at_not->fu = (int)fi;
	if (n->kind != L_OR || n->n < 2) {
		an->fd[fi].msg = at_not ? "no event satisfies this: what it "
					  "negates is always true"
					: "this condition is always true: every "
					  "event satisfies it";
		return;
	}
	for (i = 0; i < n->n; i++)
		nots = nots && n->kid[i]->kind == L_NOT;
	/* the witness: an event the first branch rejects */
	if (solve(an, n->kid[0], 0, true)) {
		witness(an, &w, n->kid[0]);
		for (i = 0; i < an->nvars; i++)
			if (var_touched(an, &an->vars[i]))
				complete_var(an, &an->vars[i]);
		for (i = 1; i < n->n && !held; i++)
			if (eval(an, n->kid[i]) == 1)
				held = i;
		for (i = 0; i < an->natoms; i++)
			an->val[i] = UNK;
	}
	sb_printf(&sb, at_not ? "no event satisfies this: one of the "
		  "conditions it negates always holds (%s satisfies one, "
		  "because " : "this condition is always true: %s satisfies "
		  "it, because ", w.data ? w.data : "an event");
	sb_free(&w);
	if (nots) {
		size_t m;
		inner = ARENA_NEWV(an->a, struct lnode *, n->n);
		core = ARENA_NEWV(an->a, struct lnode *, n->n);
		at = ARENA_NEWV(an->a, struct lnode *, n->n);
		if (!inner || !core || !at)
			return;
		for (i = 0; i < n->n; i++)
			inner[i] = n->kid[i]->kid[0];
		m = min_core(an, inner, n->n, core);
		for (i = 0; i < m; i++) {
			size_t k;
			for (k = 0; k < n->n && inner[k] != core[i]; k++)
				;
			at[i] = n->kid[k < n->n ? k : 0];
		}
		explain_core(an, &sb, core, m, &an->fd[fi], at, true);
		sb_printf(&sb, ", so one of the %s always holds%s",
			  an->eset ? "NOTs" : "negated branches",
			  at_not ? ")" : "");
		f = &an->fd[fi];
		f->msg = sb_done(an, &sb);
		if (an->eset) {
			unsigned view;
			bool ranges = true;
			const char *last = NULL;
			for (i = 0; i < n->n && ranges; i++) {
				int v = single_var(an, inner[i], &view);
				ranges = v >= 0 && an->vars[v].kind == DK_IP;
			}
			/* NOT(OR(...the IpAddressV4 ranges..., ...)) */
			sb_puts(&sb, "did you mean NOT(OR(");
			for (i = 0; i < n->n && ranges; i++) {
				const char *name;
				int v = single_var(an, inner[i], &view);
				name = var_shown(&an->vars[v], (int)view);
				if (last && strcmp(last, name) == 0)
					continue;
				sb_printf(&sb, "%s...the %s ranges...",
					  last ? ", " : "", name);
				last = name;
			}
			if (!ranges)
				sb_printf(&sb, "...the conditions of all %zu "
					  "NOTs...", n->n);
			sb_printf(&sb, ")), i.e. %s? Write <operator "
				  "type=\"NOT\"><operator type=\"OR\">...all "
				  "the conditions...</operator></operator>",
				  ranges ? "the address is in none of the ranges"
					 : "none of the conditions holds");
			f->help = sb_done(an, &sb);
		} else {
			sb_puts(&sb, "did you mean 'not (");
			for (i = 0; i < n->n; i++) {
				if (i)
					sb_puts(&sb, " or ");
				negated_text(an, &sb, n->kid[i]);
			}
			sb_puts(&sb, ")', i.e. none of them holds?");
			f->help = sb_done(an, &sb);
		}
		return;
	}
	sb_printf(&sb, "every event that fails one %s satisfies another",
		  an->eset ? "condition" : "branch");
	if (at_not)
		sb_putc(&sb, ')');
	f = &an->fd[fi];
	f->msg = sb_done(an, &sb);
	add_note(f, node_span(n->kid[0]), an->eset ? "this condition fails for "
		 "it" : "this branch fails for it");
	if (held)
		add_note(f, node_span(n->kid[held]), "but this one holds");
}

static bool
is_dup(const struct an *an, const struct ir_expr *e)
{
	size_t i;

	for (i = 0; e && i < an->ndups; i++)
		if (an->dups[i] == e)
			return true;
	return false;
}

/* Does every text that atom a's globs match also match one of b's?  (A
 * syntactic implication the free classes cannot see.) */
static bool
glob_implies(struct an *an, const struct lnode *x, const struct lnode *y)
{
	const struct atom *a, *b;
	size_t i, j;

	if (x->kind == L_NOT && y->kind == L_NOT) {
		/* NOT a implies NOT b when b implies a */
		const struct lnode *t = x;
		x = y->kid[0];
		y = t->kid[0];
	}
	if (x->kind != L_ATOM || y->kind != L_ATOM)
		return false;
	a = &an->atoms[x->atom];
	b = &an->atoms[y->atom];
	if (a->var != b->var || a->kind != AK_VAL || b->kind != AK_VAL ||
	    !a->exact || !b->exact || !a->ng || !b->ng)
		return false;
	for (i = 0; i < a->ng; i++) {
		bool cov = false;
		for (j = 0; j < b->ng && !cov; j++)
			cov = glob_covers(an->a, &b->g[j], &a->g[i]);
		if (!cov)
			return false;
	}
	return true;
}

static bool
share_group(const struct lnode *x, const struct lnode *y)
{
	size_t i = 0, j = 0;

	while (i < x->ngrp && j < y->ngrp) {
		if (x->grp[i] == y->grp[j])
			return true;
		if (x->grp[i] < y->grp[j])
			i++;
		else
			j++;
	}
	return false;
}

/* Does x imply y (every event satisfying x satisfies y)? */
static bool
implies(struct an *an, struct lnode *x, struct lnode *y)
{
	struct lnode *k[2], *t, *ny;

	if (glob_implies(an, x, y))
		return true;
	ny = new_node(an, L_NOT, NULL, 1);
	if (!ny)
		return false;
	ny->kid[0] = y;
	if (!finish(an, ny))
		return false;
	k[0] = x;
	k[1] = ny;
	t = temp_node(an, L_AND, k, 2);
	return t && !solve(an, t, 1, false) && !an->over;
}

/* `f != null`: a test that a field is present. */
static bool
existence_guard(const struct ir_expr *e)
{
	return e && e->kind == IR_CMP && e->u.cmp.op == IR_OP_NE &&
	       e->u.cmp.r && e->u.cmp.r->kind == IR_CONST &&
	       e->u.cmp.r->u.c.type == VT_NULL;
}

/* Redundant children of an AND or OR. */
static void
redundancy(struct an *an, struct lnode *n)
{
	bool *gone;
	size_t i, j;

	gone = ARENA_NEWV(an->a, bool, n->n);
	if (!gone)
		return;
	for (i = 0; i < n->n; i++) {
		struct lnode *c = n->kid[i];
		gone[i] = c->sat != 1 || c->fal != 1 || !c->ir ||
			  is_dup(an, c->ir);
	}
	for (i = 0; i < n->n && !an->over; i++) {
		struct lnode *ci = n->kid[i];
		if (gone[i])
			continue;
		for (j = 0; j < n->n && !an->over; j++) {
			struct lnode *cj = n->kid[j];
			struct strbuf sb = STRBUF_INIT;
			struct finding *f;
			bool back;

			if (i == j || gone[j] || !share_group(ci, cj))
				continue;
			/* `f != null and f : "x"`: an existence guard is
			 * often written on purpose; it is not reported */
			if (n->kind == L_AND && existence_guard(ci->ir))
				continue;
			/* AND: ci follows from cj; OR: ci implies cj */
			if (n->kind == L_AND ? !implies(an, cj, ci)
					     : !implies(an, ci, cj))
				continue;
			/* equivalent pair: keep the first, report the later */
			back = n->kind == L_AND ? implies(an, ci, cj)
						: implies(an, cj, ci);
			if (back && i < j)
				continue;
			if (n->kind == L_AND)
				sb_puts(&sb, "this condition is redundant: "
					"every event that satisfies ");
			else
				sb_printf(&sb, "this %s is redundant: every "
					  "event it matches also matches ",
					  an->eset ? "condition" : "branch");
			node_text(an, &sb, cj->ir);
			if (n->kind == L_AND)
				sb_puts(&sb, " also satisfies it");
			f = add_finding(an, D_REDUNDANT, ci->ir->span,
					sb_done(an, &sb));
			add_note(f, cj->ir->span, n->kind == L_AND
				 ? "this condition already implies it"
				 : an->eset ? "this condition already matches "
					      "those events"
				 : "this branch already matches those events");
			if (f)
				f->help = back ? "remove one of the two, they "
					  "are equivalent" : n->kind == L_AND
					  ? "remove it, or check whether "
					    "another value was meant"
					  : "remove it";
			gone[i] = true;
			break;
		}
	}
}

/* Post-order: which nodes are never/always true, and where to report. */
static void
judge(struct an *an, struct lnode *n)
{
	size_t i;
	bool cu, ct, all_u = true, all_t = true, any_u = false, any_t = false;

	for (i = 0; i < n->n; i++) {
		judge(an, n->kid[i]);
		all_u = all_u && n->kid[i]->xu;
		all_t = all_t && n->kid[i]->xt;
		any_u = any_u || n->kid[i]->xu;
		any_t = any_t || n->kid[i]->xt;
	}
	if (an->over)
		return;
	if (n->lit) {
		n->xu = n->sat == 0;
		n->xt = n->fal == 0;
		return;
	}
	cu = (n->kind == L_AND && any_u) || (n->kind == L_OR && all_u) ||
	     (n->kind == L_NOT && any_t);
	ct = (n->kind == L_OR && any_t) || (n->kind == L_AND && all_t) ||
	     (n->kind == L_NOT && any_u);
	if (n->sat == 0) {
		if (cu) {
			n->xu = true;
		} else if (n->ir && !n->hidden) {
			if (n->kind == L_NOT && n->kid[0]->hidden)
				report_always(an, n->kid[0], n);
			else
				report_never(an, n);
			n->xu = true;
		}
	}
	if (n->fal == 0) {
		if (ct) {
			n->xt = true;
		} else if (n->ir && !n->hidden) {
			report_always(an, n, NULL);
			n->xt = true;
		}
	}
}

static void
each_redundancy(struct an *an, struct lnode *n)
{
	size_t i;

	for (i = 0; i < n->n && !an->over; i++)
		each_redundancy(an, n->kid[i]);
	if ((n->kind == L_AND || n->kind == L_OR) && n->n > 1 &&
	    n->sat == 1 && n->fal == 1 && !an->over)
		redundancy(an, n);
}

static void
compute(struct an *an, struct lnode *n)
{
	size_t i;

	for (i = 0; i < n->n && !an->over; i++)
		compute(an, n->kid[i]);
	if (!an->over)
		solve(an, n, 1, false);
	if (!an->over)
		solve(an, n, 0, false);
}

/* The first reported never-true node that makes n never true. */
static struct lnode *
never_reason(struct lnode *n)
{
	size_t i;

	if (!n || !n->xu)
		return NULL;
	if (n->fu >= 0)
		return n;
	if (n->kind == L_AND || n->kind == L_OR)
		for (i = 0; i < n->n; i++)
			if (n->kid[i]->xu)
				return never_reason(n->kid[i]);
	return NULL;
}

/* --- emitting ------------------------------------------------------------------ */

static void
emit(struct an *an, const struct finding *f)
{
	struct diag_sink *s = an->cc->diags;
	struct diag *d;
	size_t i;

	for (i = 0; i < an->nem; i++)
		if (an->em[i].id == f->id && an->em[i].span.start ==
		    f->span.start && an->em[i].span.end == f->span.end)
			return;     /* e.g. ESET holders repeated per operation */
	if (GROW(an, an->em, an->nem, an->capem)) {
		an->em[an->nem].id = f->id;
		an->em[an->nem++].span = f->span;
	}
	d = diag_new(s, f->id, &an->r->text, f->span, "%s", f->msg);
	for (i = 0; i < f->nnotes; i++)
		diag_note(s, d, &an->r->text, f->notes[i].span, "%s",
			  f->notes[i].msg);
	if (f->help)
		diag_help(s, d, "%s", f->help);
	diag_emit(s, d);
}

/* --- lists (syntactic) ---------------------------------------------------------- */

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

static void
dup_finding(struct an *an, const struct ir_expr *e, const struct ir_value *a,
	    const struct ir_value *b, bool ci, bool raw)
{
	struct strbuf sb = STRBUF_INIT;
	struct finding *f;

	put_value(an, &sb, b, raw);
	sb_puts(&sb, " appears twice in this list");
	if (ci && b->type == VT_STRING &&
	    !text_eq(a->u.s.s, a->u.s.len, b->u.s.s, b->u.s.len, false))
		sb_printf(&sb, " ('%s' ignores case)", list_op(e));
	f = add_finding(an, D_DUPLICATE_VALUE, b->span, sb_done(an, &sb));
	add_note(f, a->span, "first here");
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
			c = lit_cmp(&p, &q, ci);
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
 * (size_t)-1.  Sorting keeps long lists cheap. */
static size_t *
find_dups(struct an *an, const struct ir_value *v, size_t n, bool ci)
{
	struct vref *r = ARENA_NEWV(an->a, struct vref, n + 1);
	size_t *first = ARENA_NEWV(an->a, size_t, n + 1);
	size_t i, g = 0;

	if (!r || !first)
		return NULL;
	for (i = 0; i < n; i++) {
		r[i].v = &v[i];
		r[i].i = i;
		first[i] = (size_t)-1;
	}
	qsort(r, n, sizeof *r, ci ? vref_order_ci : vref_order_cs);
	for (i = 1; i < n; i++) {
		if (r[i].v->type != VT_NULL &&
		    same_value(r[g].v, r[i].v, ci))
			first[r[i].i] = r[g].i;
		else
			g = i;
	}
	return first;
}

static void
check_in_list(struct an *an, const struct ir_expr *e)
{
	size_t *first = find_dups(an, e->u.in.v, e->u.in.n, e->u.in.ci);
	size_t j;

	for (j = 0; first && j < e->u.in.n; j++)
		if (first[j] != (size_t)-1)
			dup_finding(an, e, &e->u.in.v[first[j]], &e->u.in.v[j],
				    e->u.in.ci, e->u.in.l &&
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
	put_value(an, &p, &v[by], raw);
	pv = sb_done(an, &p);
	put_value(an, &sb, &v[cov[0]], raw);
	if (ncov > 1)
		sb_printf(&sb, " and %zu other entr%s", ncov - 1,
			  ncov == 2 ? "y" : "ies");
	sb_printf(&sb, " %s already %s by %s in this list",
		  ncov > 1 ? "are" : "is", verb, pv);
	f = add_finding(an, D_COVERED_PATTERN, v[cov[0]].span,
			sb_done(an, &sb));
	add_note(f, v[by].span, ncov > 1 ? "this entry covers them"
					 : "this entry covers it");
	for (k = 1; k < ncov && f && f->nnotes < MAX_NOTES; k++)
		add_note(f, v[cov[k]].span, arena_printf(an->a,
			 "also %s by %s", verb, pv));
	if (f) {
		if (ncov == 1) {
			put_value(an, &sb, &v[cov[0]], raw);
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

static void
check_match_list(struct an *an, const struct ir_expr *e)
{
	const struct ir_value *v = e->u.match.v;
	size_t n = e->u.match.n, i, j, *first, *cov, ncov;
	bool ci = e->u.match.ci, *taken;
	struct glob *g;

	first = find_dups(an, v, n, ci);
	if (!first)
		return;
	for (j = 0; j < n; j++)
		if (first[j] != (size_t)-1 && v[j].type == VT_STRING)
			dup_finding(an, e, &v[first[j]], &v[j], ci, false);
	if (e->u.match.mode != MATCH_WILDCARD)
		return;
	g = ARENA_NEWV(an->a, struct glob, n + 1);
	taken = ARENA_NEWV(an->a, bool, n + 1);
	cov = ARENA_NEWV(an->a, size_t, n + 1);
	if (!g || !taken || !cov)
		return;
	for (i = 0; i < n; i++) {
		taken[i] = first[i] != (size_t)-1 || v[i].type != VT_STRING;
		if (!taken[i] && !glob_wildcard(an->a, v[i].u.s.s,
						v[i].u.s.len, ci, &g[i]))
			return;
	}
	/* only an entry with a wildcard covers another one */
	for (i = 0; i < n; i++) {
		if (v[i].type != VT_STRING || first[i] != (size_t)-1 ||
		    !has_wild(&g[i]))
			continue;
		ncov = 0;
		for (j = 0; j < n; j++) {
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
}

static void
check_cidr_list(struct an *an, const struct ir_expr *e)
{
	size_t n = e->u.call.n, i, j, ncov;
	struct rng *r = ARENA_NEWV(an->a, struct rng, n + 1);
	struct ir_value *v = ARENA_NEWV(an->a, struct ir_value, n + 1);
	size_t *cov = ARENA_NEWV(an->a, size_t, n + 1);
	bool *ok = ARENA_NEWV(an->a, bool, n + 1);

	if (!r || !v || !cov || !ok || n < 3)
		return;
	/* v[0..n-1): the networks */
	for (i = 1; i < n; i++) {
		const struct ir_expr *a = e->u.call.args[i];
		ok[i - 1] = a && a->kind == IR_CONST &&
			    a->u.c.type == VT_STRING &&
			    dom_ip_parse(a->u.c.u.s.s, a->u.c.u.s.len, &r[i - 1]);
		if (a && a->kind == IR_CONST)
			v[i - 1] = a->u.c;
	}
	n--;
	for (j = 0; j < n; j++)
		for (i = 0; ok[j] && i < j; i++)
			if (ok[i] && u128_cmp(r[i].lo, r[j].lo) == 0 &&
			    u128_cmp(r[i].hi, r[j].hi) == 0) {
				struct finding *f = add_finding(an,
					D_DUPLICATE_VALUE, v[j].span,
					arena_printf(an->a, "%.*s appears "
						"twice in this list",
						(int)v[j].u.s.len, v[j].u.s.s));
				add_note(f, v[i].span, "first here");
				if (f)
					f->help = "remove the repeated value";
				ok[j] = false;
			}
	for (i = 0; i < n; i++) {
		if (!ok[i])
			continue;
		for (j = 0, ncov = 0; j < n; j++) {
			if (i == j || !ok[j] ||
			    u128_cmp(r[i].lo, r[j].lo) > 0 ||
			    u128_cmp(r[i].hi, r[j].hi) < 0)
				continue;
			cov[ncov++] = j;
			ok[j] = false;
		}
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

/* The same value among the equality tests of one OR on one field. */
static void
check_or_values(struct an *an, const struct ir_expr *e)
{
	size_t i, j, n = e->u.list.n;
	const struct ir_value **v = ARENA_NEWV(an->a, const struct ir_value *,
						n + 1);
	const struct ir_expr **f = ARENA_NEWV(an->a, const struct ir_expr *,
					       n + 1);
	const char **key = ARENA_NEWV(an->a, const char *, n + 1);
	int *mode = ARENA_NEWV(an->a, int, n + 1);
	bool *ci = ARENA_NEWV(an->a, bool, n + 1);

	if (!v || !f || !key || !mode || !ci)
		return;
	for (i = 0; i < n; i++) {
		size_t one;
		f[i] = value_test(e->u.list.v[i], &v[i], &one, &mode[i], &ci[i]);
		key[i] = f[i] ? field_key(an->a, &f[i]->u.f) : NULL;
	}
	for (j = 1; j < n; j++) {
		for (i = 0; key[j] && i < j; i++) {
			struct strbuf sb = STRBUF_INIT;
			struct finding *fd;

			if (!key[i] || mode[i] != mode[j] || ci[i] != ci[j] ||
			    strcmp(key[i], key[j]) != 0 ||
			    !same_value(v[i], v[j], ci[j]))
				continue;
			put_value(an, &sb, v[j], f[j]->type == VT_IP);
			sb_printf(&sb, " is already tested by another branch "
				  "of this %s", an->eset ? "OR" : "'or'");
			fd = add_finding(an, D_DUPLICATE_VALUE, v[j]->span,
					 sb_done(an, &sb));
			add_note(fd, v[i]->span, "tested here");
			if (fd)
				fd->help = "remove the repeated branch";
			if (GROW(an, an->dups, an->ndups, an->capdups))
				an->dups[an->ndups++] = e->u.list.v[j];
			break;
		}
	}
}

static void
list_visit(void *ud, const struct ir_expr *e)
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

/* --- conditions -------------------------------------------------------------- */

/* Where a condition stands in the rule. */
struct where {
	const char *stage;      /* "stage 2 of the sequence", or NULL */
};

static void
reset(struct an *an)
{
	an->nvars = an->natoms = an->nfd = an->nanc = 0;
	an->vars = NULL;
	an->capv = 0;
	an->atoms = NULL;
	an->capa = 0;
	an->fd = NULL;
	an->capfd = 0;
	an->work = 0;
	an->over = false;
}

/* Value-set analysis of one condition (its syntactic checks are done by
 * the caller). */
static void
analyze(struct an *an, const struct ir_expr *cond, const struct where *w)
{
	struct lnode *root;
	const struct ir_expr **anc;
	size_t i, nanc;

	reset(an);
	root = build(an, cond);
	if (!root || an->a->oom)
		return;
	/* ancestor conditions are analysed after this one, on their own */
	nanc = an->nanc;
	anc = an->anc;
	an->anc = NULL;
	an->capanc = 0;
	an->val = ARENA_NEWV(an->a, int8_t, an->natoms + 1);
	an->pol = ARENA_NEWV(an->a, uint8_t, an->natoms + 1);
	if (!an->val || !an->pol)
		return;
	for (i = 0; i < an->natoms; i++)
		an->val[i] = UNK;
	for (i = 0; i < an->nvars; i++)
		if (!build_classes(an, &an->vars[i])) {
			if (!an->over)
				return;         /* out of memory */
			break;
		}
	if (!an->over)
		compute(an, root);
	if (!an->over)
		judge(an, root);
	if (!an->over)
		each_redundancy(an, root);
	if (an->over || an->a->oom) {
		struct finding *f;
		if (an->a->oom)
			return;
		an->nfd = 0;
		f = add_finding(an, D_LOGIC_BUDGET, cond->span, arena_printf(
			an->a, "this condition is too large for the exact "
			"logic analysis (it used up the budget of %lu steps), "
			"so nothing is claimed about it", an->budget));
		if (f)
			f->help = "split the condition, or raise the budget";
	} else if (w && w->stage && root->xu) {
		/* a stage that never matches: RC5005 instead of RC4002 */
		struct lnode *why = never_reason(root);
		if (why) {
			struct finding *f = &an->fd[why->fu];
			const char *rest = strchr(f->msg, ':');
			f->id = D_STAGE_NEVER;
			f->msg = arena_printf(an->a, "%s never matches:%s",
					      w->stage, rest ? rest + 1 : "");
		}
	}
	for (i = 0; i < an->nfd; i++)
		emit(an, &an->fd[i]);
	for (i = 0; i < nanc; i++)
		analyze(an, anc[i], NULL);
}

/* The list checks, then the value-set analysis, of one condition. */
static void
check_cond(struct an *an, const struct ir_expr *c, const struct where *w)
{
	size_t k;

	an->nfd = 0;
	an->fd = NULL;
	an->capfd = 0;
	an->ndups = 0;
	check_walk(c, list_visit, an);
	for (k = 0; k < an->nfd; k++)
		emit(an, &an->fd[k]);
	analyze(an, c, w);
}

/* Whether any check this analysis reports is on. */
static bool
logic_enabled(const struct diag_sink *s)
{
	unsigned i;

	for (i = 0; i < D__COUNT; i++)
		if ((diag_table[i].family == FAM_LOGIC || i == D_STAGE_NEVER) &&
		    s->level[i] != SEV_OFF)
			return true;
	return false;
}

void
check_logic(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r ? r->ir : NULL;
	struct an an;
	size_t i;

	if (!q || !cc || !cc->diags || !logic_enabled(cc->diags))
		return;
	memset(&an, 0, sizeof an);
	an.cc = cc;
	an.r = r;
	an.eset = r->lang == LANG_ESET_XML;
	an.budget = cc->logic_budget ? cc->logic_budget : DEFAULT_BUDGET;
	arena_init(&an.arena, NULL);
	an.a = &an.arena;
	for (i = 0; i < q->nstages; i++) {
		struct where w = { NULL };

		if (!q->stages[i].cond)
			continue;
		if (q->kind == Q_SEQUENCE)
			w.stage = arena_printf(an.a, "%s %zu of the sequence",
					       an.eset ? "detection" : "stage",
					       i + 1);
		else if (q->kind == Q_SAMPLE)
			w.stage = arena_printf(an.a, "filter %zu of the sample",
					       i + 1);
		check_cond(&an, q->stages[i].cond, &w);
	}
	if (q->until && q->until->cond)
		check_cond(&an, q->until->cond, NULL);
	arena_release(&an.arena);
}
