/*
 * interp.c - the reference interpreter (see interp.h): the runtime, the
 * per-event scratch memory and memos, the leaf tests' evaluation, and the
 * frames and dispatch loop.  Values and comparisons are in values.c, the
 * leaf numbering, equality indexes and literal sets in index.c, the EQL
 * functions in builtins.c; runtime.h holds what they share.
 */
#include "vm/interp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/regex.h"
#include "vm/runtime.h"

/* DFA cache per pattern list at run time. */
#define RT_RX_CACHE ((size_t)1 << 20)

/* ---- scratch memory ---- */

void *
vm_scratch_alloc(struct vm_rt *rt, size_t n)
{
	return arena_alloc(&rt->scratch, n ? n : 1);
}

char *
vm_scratch(struct vm_rt *rt, const char *s, size_t n)
{
	return arena_strndup(&rt->scratch, s, n);
}

void
vm_scratch_reset(struct vm_rt *rt)
{
	rt->gen++;
	arena_reset(&rt->scratch);
}

/* ---- fields and leaf tests ---- */

/* The typed value of field f for the subject; for the current event it
 * is read once and shared by every rule. */
void
vm_get_field(struct vm_rt *rt, uint32_t f, const struct vm_host *host,
	     struct vm_val *out)
{
	struct vm_val raw;

	if (host->memo && rt->fgen[f] == rt->gen) {
		*out = rt->fval[f];
		return;
	}
	host->field(host->h, f, &raw);
	vm_field_value(rt, f, &raw, out);
	if (host->memo) {
		rt->fval[f] = *out;
		rt->fgen[f] = rt->gen;
	}
}

/* The value of constant pool entry pe. */
static void
push_const(const struct img_pool_entry *pe, struct vm_val *v)
{
	v->ver = 0;
	switch (pe->type) {
	case POOL_STR:
		v->k = VK_STR;
		v->u.s.s = pe->u.str.s;
		v->u.s.n = pe->u.str.len;
		break;
	case POOL_LONG:
		v->k = VK_LONG;
		v->u.i = pe->u.i;
		break;
	case POOL_DOUBLE:
		v->k = VK_DOUBLE;
		v->u.d = pe->u.d;
		break;
	default:
		v->k = VK_NULL;
		break;
	}
}

/* Leaf test lf on the subject: 1 true, 0 false, 2 null. */
static int
leaf_eval(struct vm_rt *rt, const struct leaf *lf, const struct vm_host *host)
{
	const struct image *im = rt->im;
	const struct img_pool_entry *pe;
	struct vm_val v, c;
	bool r;

	vm_get_field(rt, lf->field, host, &v);
	switch (lf->op) {
	case OPC_IN_SET:
		ANY_ELEMENT(r, &v, e, vm_set_has(rt, lf->arg, e,
						 lf->flags & IMG_CI));
		return lf->flags & IMG_NEG ? !r : r;
	case OPC_MATCH:
		ANY_ELEMENT(r, &v, e, e->k == VK_STR &&
			    vm_match_list(rt, lf->arg, e->u.s.s, e->u.s.n));
		return r;
	case OPC_CIDR:
		pe = &im->pool[lf->arg];
		ANY_ELEMENT(r, &v, e, vm_cidr_has(pe->u.cidr.v, pe->u.cidr.n,
						  e));
		return r;
	default:
		if (lf->null)
			c.k = VK_NULL;
		else
			push_const(&im->pool[lf->arg], &c);
		return vm_compare((enum opcode)lf->op, &v, &c,
				  lf->flags & IMG_CI);
	}
}

size_t
vm_guards(const struct vm_rt *rt, const struct img_block *b, uint32_t *ids,
	  size_t max, uint32_t *resume)
{
	const uint8_t *code = rt->im->code + b->off;
	uint32_t pc = 0, id;
	size_t n = 0;

	while (n < max && pc < b->len && (id = rt->leafat[b->off + pc])) {
		uint32_t next = pc + rt->leaves.v[id - 1].len;

		if (next + 5 <= b->len &&
		    code[next] == OPC_JUMP_IF_FALSE_KEEP &&
		    next + 5 + (int32_t)img_rd32(code + next + 1) ==
		    b->len - 1) {
			ids[n++] = id;          /* false: the whole block is */
			pc = next + 5;
		} else {
			if (next == b->len - 1) {
				ids[n++] = id;  /* the leaf is the block */
				pc = b->len;
			}
			break;
		}
	}
	*resume = pc;
	return n;
}

/* ---- needed leaves ---- */

#define NEED_DEPTH 48

struct need_ctx {
	const struct vm_rt *rt;
	const uint8_t *code;    /* the block's */
	uint32_t off;           /* its offset in the image's code */
	double (*cost)(void *, uint32_t);
	void *ud;
	size_t max;
};

/* A set of leaves one of which holds whenever the code in [s, e) leaves
 * a true value: ids[0..return), *cost their summed cost; 0 when none is
 * known.  The code of an `and`/`or` chain is its operands joined by
 * JUMP_IF_FALSE_KEEP / JUMP_IF_TRUE_KEEP to the chain's end (codegen.c),
 * so the first such jump to e splits [s, e) into a first operand and
 * the rest of the chain; any other shape (a `not`, a function, a
 * comparison of values) is not looked into. */
static size_t
need(const struct need_ctx *c, uint32_t s, uint32_t e, unsigned depth,
     uint32_t *ids, double *cost)
{
	const struct vm_rt *rt = c->rt;
	uint32_t l[VM_MAX_NEEDS], r[VM_MAX_NEEDS], pc, split = e, id;
	size_t nl, nr, i, j;
	double cl = 0, cr = 0;
	uint8_t op = OPC_NOP;

	if (s >= e || depth == 0)
		return 0;
	id = rt->leafat[c->off + s];
	if (id && s + rt->leaves.v[id - 1].len == e) {
		ids[0] = id;
		*cost = c->cost(c->ud, id);
		return 1;
	}
	for (pc = s; pc < e; pc += 1 + img_fmt_size(opcode_table[op].fmt)) {
		op = c->code[pc];
		if (op >= OPC__COUNT || op == OPC_JUMP)
			return 0;
		if (op == OPC_JUMP_IF_FALSE_KEEP ||
		    op == OPC_JUMP_IF_TRUE_KEEP) {
			int64_t t = (int64_t)pc + 5 +
				    (int32_t)img_rd32(c->code + pc + 1);

			if (t <= pc || t > e)
				return 0;
			if (t == e && split == e)
				split = pc;
		}
	}
	if (split == e)
		return 0;
	nl = need(c, s, split, depth - 1, l, &cl);
	nr = need(c, split + 5, e, depth - 1, r, &cr);
	if (c->code[split] == OPC_JUMP_IF_FALSE_KEEP) {
		/* and: either operand's set will do; the cheaper */
		if (nl && (!nr || cl <= cr)) {
			memcpy(ids, l, nl * sizeof *ids);
			*cost = cl;
			return nl;
		}
		memcpy(ids, r, nr * sizeof *ids);
		*cost = cr;
		return nr;
	}
	/* or: one of the operands holds, so the union */
	if (!nl || !nr)
		return 0;
	memcpy(ids, l, nl * sizeof *ids);
	*cost = cl;
	for (i = 0; i < nr; i++) {
		for (j = 0; j < nl && ids[j] != r[i]; j++)
			;
		if (j < nl)
			continue;
		if (nl == c->max)
			return 0;
		ids[nl++] = r[i];
		*cost += c->cost(c->ud, r[i]);
	}
	return nl;
}

size_t
vm_needs(const struct vm_rt *rt, const struct img_block *b,
	 double (*cost)(void *ud, uint32_t id), void *ud, uint32_t *ids,
	 size_t max)
{
	struct need_ctx c = { rt, rt->im->code + b->off, b->off, cost, ud,
			      max < VM_MAX_NEEDS ? max : VM_MAX_NEEDS };
	double total;

	if (b->len == 0 || c.max == 0)
		return 0;
	/* the block without its RET */
	return need(&c, 0, b->len - 1, NEED_DEPTH, ids, &total);
}

/* Leaf test `id` (1 true, 0 false, 2 null), remembered for the event
 * when host->memo; an equality index answers it when it can. */
static int
leaf(struct vm_rt *rt, uint32_t id, const struct vm_host *host)
{
	int r;

	const struct leaf *lf = &rt->leaves.v[id - 1];

	if (!host->memo)
		return leaf_eval(rt, lf, host);
	if (rt->memogen[id - 1] == rt->gen)
		return rt->memo[id - 1];
	if (lf->eq) {
		struct eqidx *x = &rt->eqs.v[lf->eq - 1];

		if (x->gen != rt->gen)
			vm_eq_eval(rt, x, host);
		if (!x->fallback) {
			r = rt->hitgen[id - 1] == rt->gen;
			if (lf->op == OPC_IN_SET && (lf->flags & IMG_NEG))
				r = !r;
			goto done;
		}
	} else if (lf->patbit) {
		struct patidx *x = &rt->pats.v[lf->pat - 1];

		if (x->gen != rt->gen)
			vm_pat_eval(rt, x, host);
		if (!x->fallback) {
			r = rt->hitgen[id - 1] == rt->gen;
			goto done;
		}
	}
	r = leaf_eval(rt, lf, host);
done:
	rt->memo[id - 1] = (uint8_t)r;
	rt->memogen[id - 1] = rt->gen;
	return r;
}

uint32_t
vm_leaf_count(const struct vm_rt *rt)
{
	return (uint32_t)rt->leaves.n;
}

bool
vm_leaf_is_pattern(const struct vm_rt *rt, uint32_t id)
{
	return rt->leaves.v[id - 1].op == OPC_MATCH;
}

bool
vm_leaf(struct vm_rt *rt, uint32_t id, const struct vm_host *host)
{
	return leaf(rt, id, host) == 1;
}

/* ---- the runtime ---- */

/* The patterns of list pool entry i, in p (room for all of them). */
static void
list_patterns(const struct img_pool_entry *pe, struct rx_pattern *p)
{
	uint32_t j;

	for (j = 0; j < pe->u.pat.n; j++) {
		p[j].s = pe->u.pat.v[j].s;
		p[j].len = pe->u.pat.v[j].len;
		p[j].kind = pe->u.pat.mode ? RX_LUCENE : RX_WILDCARD;
	}
}

/* Compiles pattern list pool entry i; false when out of memory.  A list
 * that does not compile gets its reason in rxerr and PL_FAILED. */
static bool
compile_patterns(struct vm_rt *rt, uint32_t i, char *err, size_t errlen)
{
	const struct img_pool_entry *pe = &rt->im->pool[i];
	struct plist *pl = &rt->pl[i];
	struct rx_pattern *p = calloc(pe->u.pat.n ? pe->u.pat.n : 1,
				      sizeof *p);
	size_t errpat = 0, erroff, n;
	char msg[256];

	if (!p) {
		snprintf(err, errlen, "out of memory");
		return false;
	}
	list_patterns(pe, p);
	pl->rx = rx_compile(p, pe->u.pat.n, pe->u.pat.ci ? RX_CI : 0, msg,
			    sizeof msg, &errpat, &erroff);
	free(p);
	if (!pl->rx) {
		if (strcmp(msg, "out of memory") == 0) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
		/* the rules that use it cannot run (vm_block_refused) */
		pl->state = PL_FAILED;
		n = strlen(msg) + 64;
		rt->rxerr[i] = malloc(n);
		if (!rt->rxerr[i]) {
			snprintf(err, errlen, "out of memory");
			return false;
		}
		snprintf(rt->rxerr[i], n, "pattern %zu of a list of %u: %s",
			 errpat + 1, pe->u.pat.n, msg);
		return true;
	}
	pl->state = PL_READY;
	rt->pst.compiled++;
	/* hundreds of pattern lists: each DFA cache stays small (it is
	 * flushed and rebuilt when full) */
	rx_set_cache_limit(pl->rx, RT_RX_CACHE);
	return true;
}

/* Prepares pattern list pool entry i: its pre-filter, and its automaton
 * now unless its text proves that it compiles (then on first use).
 * false when out of memory. */
static bool
prepare_patterns(struct vm_rt *rt, uint32_t i, struct rx_pattern *p,
		 char *err, size_t errlen)
{
	const struct img_pool_entry *pe = &rt->im->pool[i];
	unsigned flags = pe->u.pat.ci ? RX_CI : 0;

	list_patterns(pe, p);
	rx_filter_build(p, pe->u.pat.n, flags, &rt->pl[i].flt);
	rt->pst.lists++;
	if (rx_compiles(p, pe->u.pat.n, flags)) {
		rt->pl[i].state = PL_LAZY;
		return true;
	}
	rt->pst.eager++;
	return compile_patterns(rt, i, err, errlen);
}

bool
vm_match_list(struct vm_rt *rt, uint32_t idx, const char *s, size_t n)
{
	struct plist *pl = &rt->pl[idx];
	bool r;

	rt->pst.tests++;
	if (!rx_filter_pass(&pl->flt, s, n)) {
		rt->pst.filtered++;
		return false;
	}
	if (pl->state == PL_LAZY) {
		char err[64];

		/* rx_compiles() said only memory can fail it: on failure
		 * the list stays lazy and the next test tries again */
		if (!compile_patterns(rt, idx, err, sizeof err) ||
		    pl->state != PL_READY) {
			rt->lazy_oom = true;
			return false;
		}
	}
	r = rx_match(pl->rx, s, n);
	rt->pst.matched += r;
	return r;
}

void
vm_pattern_stats(const struct vm_rt *rt, struct vm_pattern_stats *st)
{
	*st = rt->pst;
}

bool
vm_rt_oom(const struct vm_rt *rt)
{
	return rt->lazy_oom;
}

/* Stack slots every frame can need: an ancestor block runs above the
 * frame of the block that asked for it; a chain of them names each
 * descriptor at most once (the verifier only lets a descriptor refer to
 * earlier ones), so the deepest rule block plus every ancestor block
 * bounds the stack. */
static size_t
stack_slots(const struct image *im)
{
	uint32_t i, j, depth = 0;
	size_t anc = 0;

	for (i = 0; i < im->npool; i++)
		if (im->pool[i].type == POOL_ANCESTOR)
			anc += (size_t)im->pool[i].u.anc.code.maxdepth + 1;
	for (i = 0; i < im->nrules; i++) {
		const struct img_rule *r = &im->rules[i];

		for (j = 0; j < r->nstages; j++) {
			const struct img_stage *st = &r->stages[j];
			uint16_t k;

			if (st->code.maxdepth > depth)
				depth = st->code.maxdepth;
			for (k = 0; k < st->nkeys; k++)
				if (st->keys[k].maxdepth > depth)
					depth = st->keys[k].maxdepth;
		}
	}
	return (size_t)depth + 1 + anc;
}

struct vm_rt *
vm_rt_new(const struct image *im, char *err, size_t errlen)
{
	struct vm_rt *rt = calloc(1, sizeof *rt);
	struct rx_pattern *p;
	uint32_t i, maxn = 0;

	if (!rt)
		goto oom;
	rt->im = im;
	arena_init(&rt->scratch, NULL);
	rt->pl = calloc(im->npool ? im->npool : 1, sizeof *rt->pl);
	rt->rxerr = calloc(im->npool ? im->npool : 1, sizeof *rt->rxerr);
	if (!rt->pl || !rt->rxerr)
		goto oom;
	for (i = 0; i < im->npool; i++)
		if (im->pool[i].type == POOL_PATTERNS &&
		    im->pool[i].u.pat.n > maxn)
			maxn = im->pool[i].u.pat.n;
	p = calloc(maxn ? maxn : 1, sizeof *p);
	if (!p)
		goto oom;
	for (i = 0; i < im->npool; i++)
		if (im->pool[i].type == POOL_PATTERNS &&
		    !prepare_patterns(rt, i, p, err, errlen)) {
			free(p);
			vm_rt_free(rt);
			return NULL;
		}
	free(p);
	if (vm_index_build(rt) < 0)
		goto oom;
	rt->stackcap = stack_slots(im);
	rt->stack = calloc(rt->stackcap, sizeof *rt->stack);
	if (!rt->stack)
		goto oom;
	return rt;
oom:
	snprintf(err, errlen, "out of memory");
	vm_rt_free(rt);
	return NULL;
}

void
vm_rt_free(struct vm_rt *rt)
{
	uint32_t i;

	if (!rt)
		return;
	for (i = 0; rt->pl && i < rt->im->npool; i++)
		rx_free(rt->pl[i].rx);
	for (i = 0; rt->rxerr && i < rt->im->npool; i++)
		free(rt->rxerr[i]);
	free(rt->pl);
	free(rt->rxerr);
	vm_index_free(rt);
	arena_release(&rt->scratch);
	free(rt->stack);
	free(rt);
}

const struct image *
vm_rt_image(const struct vm_rt *rt)
{
	return rt->im;
}

/* vm_block_refused over the code of b; `depth` bounds the walk through
 * ancestor descriptors (which only name earlier ones: the verifier). */
static const char *
block_refused(const struct vm_rt *rt, const struct img_block *b,
	      unsigned depth)
{
	const struct image *im = rt->im;
	const uint8_t *c = im->code + b->off;
	uint32_t pc = 0, a;

	while (pc < b->len) {
		uint8_t op = c[pc];
		enum img_fmt f;

		if (op >= OPC__COUNT)
			return NULL;    /* the verifier has refused it */
		f = opcode_table[op].fmt;
		if ((f == FMT_U32 || f == FMT_IDXF) && pc + 5 <= b->len) {
			a = img_rd32(c + pc + 1);
			if (a < im->npool && rt->rxerr[a])
				return rt->rxerr[a];
			if (op == OPC_ANCESTOR && a < im->npool &&
			    im->pool[a].type == POOL_ANCESTOR && depth > 0) {
				const char *why = block_refused(rt,
					&im->pool[a].u.anc.code, depth - 1);

				if (why)
					return why;
			}
		}
		pc += 1 + img_fmt_size(f);
	}
	return NULL;
}

const char *
vm_block_refused(const struct vm_rt *rt, const struct img_block *b)
{
	return block_refused(rt, b, 64);
}

/* ---- frames and the dispatch loop ---- */

/*
 * Runs one block with its stack starting at `base`.  The verifier has
 * proved every operand index, jump target and the stack depth, so the
 * loop only decodes.
 */
static void
run(struct vm_rt *rt, const struct img_block *b, uint32_t at,
    const struct vm_host *host, struct vm_val *base, struct vm_val *out)
{
	const struct image *im = rt->im;
	const uint8_t *code = im->code + b->off, *pc = code + at;
	struct vm_val *sp = base;       /* next free slot */
	uint32_t a;
	bool r;
	int t;

	for (;;) {
		enum opcode op = (enum opcode)*pc++;

		vmdispatch(op) {
		vmcase(OPC_NOP)
			vmbreak;
		vmcase(OPC_PUSH_NULL)
			(sp++)->k = VK_NULL;
			vmbreak;
		vmcase(OPC_PUSH_TRUE)
			set_bool(sp++, true);
			vmbreak;
		vmcase(OPC_PUSH_FALSE)
			set_bool(sp++, false);
			vmbreak;
		vmcase(OPC_PUSH_FIELD)
			if ((a = rt->leafat[pc - 1 - im->code])) {
				t = leaf(rt, a, host);
				if (t == 2)
					(sp++)->k = VK_NULL;
				else
					set_bool(sp++, t);
				pc += rt->leaves.v[a - 1].len - 1;
				vmbreak;
			}
			a = img_rd32(pc);
			pc += 4;
			vm_get_field(rt, a, host, sp++);
			vmbreak;
		vmcase(OPC_PUSH_CONST)
			a = img_rd32(pc);
			pc += 4;
			push_const(&im->pool[a], sp++);
			vmbreak;
		vmcase(OPC_POP)
			sp--;
			vmbreak;
		vmcase(OPC_CMP_EQ)
		vmcase(OPC_CMP_NE)
		vmcase(OPC_CMP_LT)
		vmcase(OPC_CMP_LE)
		vmcase(OPC_CMP_GT)
		vmcase(OPC_CMP_GE)
			t = vm_compare(op, &sp[-2], &sp[-1], *pc & IMG_CI);
			pc++;
			sp--;
			if (t == 2)
				sp[-1].k = VK_NULL;
			else
				set_bool(&sp[-1], t);
			vmbreak;
		vmcase(OPC_IN_SET) {
			bool ci = pc[4] & IMG_CI, neg = pc[4] & IMG_NEG;

			a = img_rd32(pc);
			pc += 5;
			ANY_ELEMENT(r, &sp[-1], e, vm_set_has(rt, a, e, ci));
			set_bool(&sp[-1], neg ? !r : r);
			vmbreak;
		}
		vmcase(OPC_MATCH) {
			a = img_rd32(pc);
			pc += 4;
			ANY_ELEMENT(r, &sp[-1], e, e->k == VK_STR &&
				    vm_match_list(rt, a, e->u.s.s, e->u.s.n));
			set_bool(&sp[-1], r);
			vmbreak;
		}
		vmcase(OPC_CIDR) {
			const struct img_pool_entry *pe;

			a = img_rd32(pc);
			pc += 4;
			pe = &im->pool[a];
			if (sp[-1].k == VK_NULL)
				vmbreak;        /* cidrMatch(null, ...) = null */
			ANY_ELEMENT(r, &sp[-1], e,
				    vm_cidr_has(pe->u.cidr.v, pe->u.cidr.n, e));
			set_bool(&sp[-1], r);
			vmbreak;
		}
		vmcase(OPC_CALL) {
			unsigned fn = pc[0], argc = pc[1];
			bool ci = pc[2] & IMG_CI;
			struct vm_val res;

			pc += 3;
			vm_call(rt, fn, sp - argc, argc, ci, &res);
			sp -= argc;
			*sp++ = res;
			vmbreak;
		}
		vmcase(OPC_NOT)
			set_bool(&sp[-1], !truthy(&sp[-1]));
			vmbreak;
		vmcase(OPC_IS_NULL)
			set_bool(&sp[-1], sp[-1].k == VK_NULL);
			vmbreak;
		vmcase(OPC_ADD)
		vmcase(OPC_SUB)
		vmcase(OPC_MUL)
		vmcase(OPC_DIV)
		vmcase(OPC_MOD) {
			struct vm_val res;

			vm_arith(op, &sp[-2], &sp[-1], &res);
			sp--;
			sp[-1] = res;
			vmbreak;
		}
		vmcase(OPC_NEG) {
			struct vm_val n;

			if (!vm_as_number(first(&sp[-1]), &n))
				sp[-1].k = VK_NULL;
			else if (n.k == VK_LONG)
				sp[-1].u.i = (int64_t)(0 - (uint64_t)n.u.i),
				sp[-1].k = VK_LONG;
			else
				sp[-1].u.d = -n.u.d, sp[-1].k = VK_DOUBLE;
			vmbreak;
		}
		vmcase(OPC_JUMP)
			pc += 4 + (int32_t)img_rd32(pc);
			vmbreak;
		vmcase(OPC_JUMP_IF_FALSE_KEEP)
			if (!truthy(&sp[-1])) {
				set_bool(&sp[-1], false);
				pc += 4 + (int32_t)img_rd32(pc);
			} else {
				sp--;
				pc += 4;
			}
			vmbreak;
		vmcase(OPC_JUMP_IF_TRUE_KEEP)
			if (truthy(&sp[-1])) {
				pc += 4 + (int32_t)img_rd32(pc);
			} else {
				sp--;
				pc += 4;
			}
			vmbreak;
		vmcase(OPC_ANCESTOR)
			a = img_rd32(pc);
			pc += 4;
			set_bool(sp++, host->ancestor &&
				 host->ancestor(host->h, a));
			vmbreak;
		vmcase(OPC_RET)
			*out = sp[-1];
			return;
		default:
			out->k = VK_NULL;       /* unreachable after verify */
			return;
		}
	}
}

/* Runs block b from offset `at` in a frame above the frames in use (an
 * ancestor block runs while a rule block waits for it). */
static void
frame(struct vm_rt *rt, const struct img_block *b, uint32_t at,
      const struct vm_host *host, struct vm_val *out)
{
	size_t base = rt->top;

	if (base + (size_t)b->maxdepth + 1 > rt->stackcap) {
		out->k = VK_NULL;       /* not reachable for verified code */
		return;
	}
	rt->top = base + b->maxdepth + 1;
	run(rt, b, at, host, rt->stack + base, out);
	rt->top = base;
}

void
vm_eval(struct vm_rt *rt, const struct img_block *b,
	const struct vm_host *host, struct vm_val *out)
{
	frame(rt, b, 0, host, out);
}

bool
vm_test_at(struct vm_rt *rt, const struct img_block *b, uint32_t at,
	   const struct vm_host *host)
{
	struct vm_val v;

	if (at >= b->len)
		return true;
	frame(rt, b, at, host, &v);
	return truthy(&v);
}

bool
vm_test(struct vm_rt *rt, const struct img_block *b,
	const struct vm_host *host)
{
	return vm_test_at(rt, b, 0, host);
}
