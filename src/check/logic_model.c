/*
 * logic_model.c - the model of a condition for the logic family (see
 * logic.h): its fields and their domains, its tests and the value sets
 * they denote, the analysis nodes over them, and the classes each field's
 * values split into.
 */
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "check/logic.h"

/* Orders texts by bytes (ASCII-folded when ci), then length. */
int
lg_lit_cmp(const struct lit *a, const struct lit *b, bool ci)
{
	size_t i, n = a->len < b->len ? a->len : b->len;

	if (!ci) {
		int c = n ? memcmp(a->s, b->s, n) : 0;      /* unsigned bytes */

		if (c)
			return c < 0 ? -1 : 1;
		return a->len < b->len ? -1 : a->len > b->len;
	}
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
	return lg_lit_cmp(a, b, false);
}

static int
lit_order_ci(const void *a, const void *b)
{
	return lg_lit_cmp(a, b, true);
}

/* Folded order, then exact bytes, then case-sensitive before -insensitive:
 * the texts equal up to case end up next to each other. */
static int
lit_order_groups(const void *pa, const void *pb)
{
	const struct lit *a = pa, *b = pb;
	int c = lg_lit_cmp(a, b, true);

	if (c)
		return c;
	c = lg_lit_cmp(a, b, false);
	return c ? c : (int)a->ci - (int)b->ci;
}

/* Grows an arena array to hold `need` items; NULL when out of memory. */
void *
lg_grow(struct an *an, void *p, size_t *cap, size_t need, size_t size)
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

/* --- building the model ------------------------------------------------ */

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
const char *
lg_field_key(struct arena *a, const struct ir_field *f)
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
	const char *key = lg_field_key(an->a, &f->u.f);
	struct var *v;
	uint32_t h, pos, i;

	if (!key)
		return -1;
	h = hash_str(key, strlen(key));
	for (pos = hash_first(&an->varix, h);
	     (i = hash_next(&an->varix, h, &pos)) != HASH_NONE;)
		if (strcmp(an->vars[i].key, key) == 0) {
			v = &an->vars[i];
			if (!v->shown[view_slot(f->u.f.ipfam)])
				v->shown[view_slot(f->u.f.ipfam)] =
					print_field_name(f);
			return (int)i;
		}
	if (!GROW(an, an->vars, an->nvars, an->capv) ||
	    hash_add(&an->varix, h, (uint32_t)an->nvars) < 0)
		return -1;
	v = &an->vars[an->nvars];
	memset(v, 0, sizeof *v);
	v->key = key;
	v->name = f->u.f.name;
	v->shown[view_slot(f->u.f.ipfam)] = print_field_name(f);
	v->kind = dkind_of(f);
	v->array = may_be_array(f);
	return (int)an->nvars++;
}

/* Registers a test, or returns the identical one seen before. */
static int
atom_add(struct an *an, struct atom *p)
{
	uint32_t h, pos, k;
	struct var *v;

	if (!p->sig)
		return -1;
	/* a hash over (var, sig): a condition of 100,000 tests stays
	 * linear */
	h = hash_str(p->sig, strlen(p->sig)) ^ hash_u64((uint64_t)(int64_t)p->var);
	for (pos = hash_first(&an->atomix, h);
	     (k = hash_next(&an->atomix, h, &pos)) != HASH_NONE;)
		if (an->atoms[k].var == p->var &&
		    strcmp(an->atoms[k].sig, p->sig) == 0)
			return (int)k;
	if (!GROW(an, an->atoms, an->natoms, an->capa) ||
	    hash_add(&an->atomix, h, (uint32_t)an->natoms) < 0)
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

struct lnode *
lg_new_node(struct an *an, enum lkind k, const struct ir_expr *ir, size_t n)
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

int
lg_int_order(const void *pa, const void *pb)
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

	if (x->n == 1) {
		/* one kid (a NOT, a question's node): its array as it is
		 * (arrays are never changed once made) */
		if (atoms) {
			x->atm = x->kid[0]->atm;
			x->natm = x->kid[0]->natm;
		} else {
			x->grp = x->kid[0]->grp;
			x->ngrp = x->kid[0]->ngrp;
		}
		return true;
	}
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
	/* kids made in order often come sorted already */
	for (i = 1; i < total && v[i - 1] <= v[i]; i++)
		;
	if (i < total)
		qsort(v, total, sizeof *v, lg_int_order);
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
struct lnode *
lg_finish(struct an *an, struct lnode *x)
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
	x = lg_new_node(an, L_ATOM, ir, 0);
	if (!x)
		return NULL;
	x->atom = atom;
	return lg_finish(an, x);
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
	t.sig = check_take(an->a, &sb);
	return leaf(an, atom_add(an, &t), e);
}

/* Appends the decimal digits of v and then c (what sb_printf "%lld%c"
 * writes; signatures are made for every test of every list, and printf
 * was the analysis's largest cost). */
static void
put_int(struct strbuf *sb, long long v, char c)
{
	char buf[24], *p = buf + sizeof buf;
	unsigned long long u = v < 0 ? 0ULL - (unsigned long long)v
				     : (unsigned long long)v;

	*--p = c;
	do
		*--p = (char)('0' + u % 10);
	while ((u /= 10) != 0);
	if (v < 0)
		*--p = '-';
	sb_put(sb, p, (size_t)(buf + sizeof buf - p));
}

/* The signature that identifies equal tests on one field. */
static const char *
atom_sig(struct an *an, const struct atom *t)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	put_int(&sb, (int)t->kind, '|');
	put_int(&sb, (int)t->form, '|');
	put_int(&sb, t->view, '|');
	put_int(&sb, (int)t->op, '|');
	put_int(&sb, (int)t->ci, '|');
	for (i = 0; i < t->nvals; i++) {
		const struct ir_value *v = &t->vals[i];
		put_int(&sb, (int)v->type, ':');
		if (v->type == VT_STRING) {
			put_int(&sb, (long long)v->u.s.len, ':');
			sb_put(&sb, v->u.s.s, v->u.s.len);
		} else if (v->type == VT_LONG) {
			put_int(&sb, (long long)v->u.i, ';');
			continue;
		} else if (v->type == VT_DOUBLE) {
			sb_printf(&sb, "%.17g", v->u.d);
		} else if (v->type == VT_BOOL) {
			sb_putc(&sb, v->u.b ? 't' : 'f');
		}
		sb_putc(&sb, ';');
	}
	return check_take(an->a, &sb);
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
	n = lg_new_node(an, L_NOT, ir, 1);
	if (!n)
		return NULL;
	n->kid[0] = x;
	return lg_finish(an, n);
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
struct lnode *
lg_build(struct an *an, const struct ir_expr *e)
{
	struct lnode *x;
	struct atom t;
	size_t i;

	if (!e)
		return free_leaf(an, NULL);
	switch (e->kind) {
	case IR_AND:
	case IR_OR:
		x = lg_new_node(an, e->kind == IR_AND ? L_AND : L_OR, e,
			     e->u.list.n);
		if (!x)
			return NULL;
		x->lit = e->u.list.n == 0;
		for (i = 0; i < e->u.list.n; i++)
			if (!(x->kid[i] = lg_build(an, e->u.list.v[i])))
				return NULL;
		return lg_finish(an, x);
	case IR_NOT:
		x = not_of(an, lg_build(an, e->u.sub), e);
		if (x && x->kid[0]->ir && x->kid[0]->ir->span.start == e->span.start
		    && x->kid[0]->ir->span.end == e->span.end)
			x->kid[0]->hidden = true;
		return x;
	case IR_CONST:
		if (e->u.c.type != VT_BOOL)
			return free_leaf(an, e);
		x = lg_new_node(an, e->u.c.u.b ? L_TRUE : L_FALSE, e, 0);
		if (x)
			x->lit = true;
		return lg_finish(an, x);
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

/* --- classes ----------------------------------------------------------- */

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

		for (j = g; j < n && lg_lit_cmp(&l[g], &l[j], true) == 0; j++) {
			if (l[j].ci) {
				if (first_ci == n)
					first_ci = j;
				continue;
			}
			if (last_cs < n && lg_lit_cmp(&l[last_cs], &l[j], false) == 0)
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

bool
lg_build_classes(struct an *an, struct var *v)
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

