/*
 * codegen.c - compiles the typed IR of one rule into VM code.
 *
 * Each stage condition and each join key becomes one block that leaves
 * one value and ends in RET.  `and`/`or` are short-circuit chains of
 * JUMP_IF_FALSE_KEEP / JUMP_IF_TRUE_KEEP to the end of the chain, so the
 * deciding operand is the chain's value and every path reaches the end
 * with the same depth.  cidrMatch with constant ranges becomes one CIDR
 * test against a range table; an ancestor condition is compiled into its
 * own block, referenced from a pool descriptor by the reserved ANCESTOR
 * opcode.  Blocks are built in a local buffer and appended to the
 * builder's code when complete, so nested blocks never interleave.
 */
#include "vm/image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sema/ir.h"
#include "sema/limits.h"

/* the linter checks the image's limits with the numbers of sema/limits.h */
_Static_assert(IMG_MAX_KEYS == IR_MAX_KEYS, "join key limit");
_Static_assert(IMG_MAX_DEPTH == IR_MAX_STACK, "stack limit");

struct cg {
	struct img_builder *b;
	char *err;
	size_t errlen;
};

static int
cfail(struct cg *g, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
cfail(struct cg *g, const char *fmt, ...)
{
	va_list ap;

	if (g->errlen) {
		va_start(ap, fmt);
		vsnprintf(g->err, g->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int expr(struct cg *g, struct strbuf *code, const struct ir_expr *e);

/* cidrMatch(x, "r1", "r2", ...) with constant ranges: x then CIDR.
 * Returns 1 when the call has another shape (compiled as a CALL). */
static int
cidr(struct cg *g, struct strbuf *code, const struct ir_expr *e)
{
	struct img_cidr *v = NULL;
	size_t i, n = e->u.call.n - 1;
	uint32_t idx;

	for (i = 1; i < e->u.call.n; i++) {
		const struct ir_expr *a = e->u.call.args[i];
		if (a->kind != IR_CONST || a->u.c.type != VT_STRING)
			return 1;
	}
	v = calloc(n ? n : 1, sizeof *v);
	if (!v)
		return cfail(g, "out of memory");
	for (i = 0; i < n; i++) {
		const struct ir_value *c = &e->u.call.args[i + 1]->u.c;

		if (!img_parse_cidr(c->u.s.s, c->u.s.len, &v[i])) {
			free(v);
			return cfail(g, "cidrMatch: \"%.*s\" is not an address "
				     "range", (int)c->u.s.len, c->u.s.s);
		}
	}
	if (expr(g, code, e->u.call.args[0]) < 0) {
		free(v);
		return -1;
	}
	idx = img_add_cidr(g->b, v, n);
	free(v);
	img_emit(code, OPC_CIDR, idx, 0, 0);
	return 0;
}

/* Converts IR values to image values (strings are borrowed). */
static int
values(struct cg *g, const struct ir_value *in, size_t n,
       struct img_value **out)
{
	struct img_value *v = calloc(n ? n : 1, sizeof *v);
	size_t i;

	if (!v)
		return cfail(g, "out of memory");
	for (i = 0; i < n; i++) {
		switch (in[i].type) {
		case VT_NULL: v[i].kind = IV_NULL; break;
		case VT_BOOL: v[i].kind = IV_BOOL; v[i].u.b = in[i].u.b; break;
		case VT_LONG: v[i].kind = IV_LONG; v[i].u.i = in[i].u.i; break;
		case VT_DOUBLE:
			v[i].kind = IV_DOUBLE;
			v[i].u.d = in[i].u.d;
			break;
		case VT_STRING:
			v[i].kind = IV_STR;
			v[i].u.s.s = in[i].u.s.s;
			v[i].u.s.len = (uint32_t)in[i].u.s.len;
			break;
		default:
			free(v);
			return cfail(g, "a literal of type %s has no image form",
				     vtype_name(in[i].type));
		}
	}
	*out = v;
	return 0;
}

/* An `and` (jop JUMP_IF_FALSE_KEEP) or `or` (JUMP_IF_TRUE_KEEP) chain. */
static int
chain(struct cg *g, struct strbuf *code, const struct ir_expr *e,
      enum opcode jop)
{
	size_t *at, i;
	int rc = 0;

	if (e->u.list.n == 0) {
		img_emit(code, e->kind == IR_AND ? OPC_PUSH_TRUE :
			 OPC_PUSH_FALSE, 0, 0, 0);
		return 0;
	}
	at = calloc(e->u.list.n, sizeof *at);
	if (!at)
		return cfail(g, "out of memory");
	for (i = 0; i < e->u.list.n && rc == 0; i++) {
		if (i > 0)
			at[i - 1] = img_emit(code, jop, 0, 0, 0);
		rc = expr(g, code, e->u.list.v[i]);
	}
	for (i = 0; rc == 0 && i + 1 < e->u.list.n; i++)
		img_patch_jump(code, at[i], code->len);
	free(at);
	return rc;
}

static int
block(struct cg *g, const struct ir_expr *e, struct img_block *out);

/* Appends the code of e, which leaves one value. */
static int
expr(struct cg *g, struct strbuf *code, const struct ir_expr *e)
{
	struct img_value *v = NULL;
	struct img_str *pats;
	struct img_block sub;
	uint32_t idx;
	unsigned f;
	size_t i;
	int rc;

	if (!e)
		return cfail(g, "missing expression");
	switch (e->kind) {
	case IR_CONST:
		switch (e->u.c.type) {
		case VT_NULL: img_emit(code, OPC_PUSH_NULL, 0, 0, 0); break;
		case VT_BOOL:
			img_emit(code, e->u.c.u.b ? OPC_PUSH_TRUE :
				 OPC_PUSH_FALSE, 0, 0, 0);
			break;
		case VT_LONG:
			img_emit(code, OPC_PUSH_CONST,
				 img_add_long(g->b, e->u.c.u.i), 0, 0);
			break;
		case VT_DOUBLE:
			img_emit(code, OPC_PUSH_CONST,
				 img_add_double(g->b, e->u.c.u.d), 0, 0);
			break;
		case VT_STRING:
			img_emit(code, OPC_PUSH_CONST,
				 img_add_str(g->b, e->u.c.u.s.s,
					     e->u.c.u.s.len), 0, 0);
			break;
		default:
			return cfail(g, "a constant of type %s has no image "
				     "form", vtype_name(e->u.c.type));
		}
		return 0;
	case IR_FIELD:
		f = (e->u.f.array ? FIELD_ARRAY : 0) |
		    (e->u.f.optional ? FIELD_OPTIONAL : 0);
		idx = img_add_field(g->b, e->u.f.name, strlen(e->u.f.name), f,
				    e->u.f.transform, e->u.f.ipfam, e->type);
		img_emit(code, OPC_PUSH_FIELD, idx, 0, 0);
		return 0;
	case IR_AND:
		return chain(g, code, e, OPC_JUMP_IF_FALSE_KEEP);
	case IR_OR:
		return chain(g, code, e, OPC_JUMP_IF_TRUE_KEEP);
	case IR_NOT:
	case IR_NEG:
		if (expr(g, code, e->u.sub) < 0)
			return -1;
		img_emit(code, e->kind == IR_NOT ? OPC_NOT : OPC_NEG, 0, 0, 0);
		return 0;
	case IR_CMP:
		if (e->u.cmp.op < IR_OP_EQ || e->u.cmp.op > IR_OP_GE)
			return cfail(g, "comparison operator %d", e->u.cmp.op);
		if (expr(g, code, e->u.cmp.l) < 0 ||
		    expr(g, code, e->u.cmp.r) < 0)
			return -1;
		img_emit(code, (enum opcode)(OPC_CMP_EQ +
					     (e->u.cmp.op - IR_OP_EQ)),
			 e->u.cmp.ci ? IMG_CI : 0, 0, 0);
		return 0;
	case IR_IN:
		if (expr(g, code, e->u.in.l) < 0 ||
		    values(g, e->u.in.v, e->u.in.n, &v) < 0)
			return -1;
		idx = img_add_set(g->b, v, e->u.in.n);
		free(v);
		img_emit(code, OPC_IN_SET, idx, (e->u.in.ci ? IMG_CI : 0) |
			 (e->u.in.neg ? IMG_NEG : 0), 0);
		return 0;
	case IR_MATCH:
		if (expr(g, code, e->u.match.l) < 0)
			return -1;
		pats = calloc(e->u.match.n ? e->u.match.n : 1, sizeof *pats);
		if (!pats)
			return cfail(g, "out of memory");
		for (i = 0; i < e->u.match.n; i++) {
			if (e->u.match.v[i].type != VT_STRING) {
				free(pats);
				return cfail(g, "a pattern is not a string");
			}
			pats[i].s = e->u.match.v[i].u.s.s;
			pats[i].len = (uint32_t)e->u.match.v[i].u.s.len;
		}
		idx = img_add_patterns(g->b, e->u.match.mode == MATCH_REGEX,
				       e->u.match.ci, pats, e->u.match.n);
		free(pats);
		img_emit(code, OPC_MATCH, idx, 0, 0);
		return 0;
	case IR_CALL:
		if (e->u.call.fn == FN_CIDRMATCH && e->u.call.n >= 2) {
			rc = cidr(g, code, e);
			if (rc <= 0)
				return rc;
		}
		if (e->u.call.n > IR_MAX_ARGS)
			return cfail(g, "%s: too many arguments",
				     fn_table[e->u.call.fn].name);
		for (i = 0; i < e->u.call.n; i++)
			if (expr(g, code, e->u.call.args[i]) < 0)
				return -1;
		img_emit(code, OPC_CALL, e->u.call.fn, (uint32_t)e->u.call.n,
			 e->u.call.ci ? IMG_CI : 0);
		return 0;
	case IR_ARITH:
		if (e->u.arith.op < IR_OP_ADD || e->u.arith.op > IR_OP_MOD)
			return cfail(g, "arithmetic operator %d",
				     e->u.arith.op);
		if (expr(g, code, e->u.arith.l) < 0 ||
		    expr(g, code, e->u.arith.r) < 0)
			return -1;
		img_emit(code, (enum opcode)(OPC_ADD +
					     (e->u.arith.op - IR_OP_ADD)),
			 0, 0, 0);
		return 0;
	case IR_ANCESTOR:
		if (block(g, e->u.anc.sub, &sub) < 0)
			return -1;
		idx = img_add_ancestor(g->b, e->u.anc.distance, e->u.anc.skip,
				       e->u.anc.unique, sub);
		img_emit(code, OPC_ANCESTOR, idx, 0, 0);
		return 0;
	}
	return cfail(g, "unknown expression kind %d", (int)e->kind);
}

/* Compiles e into a block of its own ending in RET (NULL: push true). */
static int
block(struct cg *g, const struct ir_expr *e, struct img_block *out)
{
	struct strbuf code = STRBUF_INIT;
	int rc = 0;

	if (e)
		rc = expr(g, &code, e);
	else
		img_emit(&code, OPC_PUSH_TRUE, 0, 0, 0);
	img_emit(&code, OPC_RET, 0, 0, 0);
	if (rc == 0 && code.oom)
		rc = cfail(g, "out of memory");
	if (rc == 0) {
		out->off = img_add_code(g->b, code.data, code.len);
		out->len = (uint32_t)code.len;
		out->maxdepth = 0;
	}
	sb_free(&code);
	return rc;
}

static uint32_t
name_or_none(struct img_builder *b, const char *s)
{
	return s ? img_add_str(b, s, strlen(s)) : IMG_NONE;
}

/* Fills st from the IR stage s. */
static int
stage(struct cg *g, const struct ir_stage *s, struct img_stage *st,
      struct img_block *keys, unsigned flags)
{
	size_t k;

	st->category = name_or_none(g->b, s->category);
	st->flags = (uint8_t)(flags | (s->missing ? STAGE_MISSING : 0));
	st->runs = s->runs;
	st->nkeys = (uint16_t)s->nkeys;
	st->keys = keys;
	if (block(g, s->cond, &st->code) < 0)
		return -1;
	for (k = 0; k < s->nkeys; k++)
		if (block(g, s->keys[k], &keys[k]) < 0)
			return -1;
	return 0;
}

int
vm_compile_query(struct img_builder *b, const struct ir_query *q,
		 const struct vm_rule_info *info, char *err, size_t errlen)
{
	struct cg g = { b, err, errlen };
	struct img_rule r;
	struct img_pipe pipes[IR_MAX_PIPES];
	struct img_stage *st = NULL;
	struct img_block **keys = NULL;
	size_t n, i, expanded;
	int rc = -1;

	if (errlen)
		err[0] = '\0';
	n = q->nstages + (q->until ? 1 : 0);
	if (n == 0 || n > IR_MAX_STAGES)
		return cfail(&g, "a query with %zu stages", n);
	for (i = 0, expanded = 0; i < n; i++) {
		const struct ir_stage *s = i < q->nstages ? &q->stages[i] :
					   q->until;
		expanded += s->runs ? s->runs : 1;
	}
	if (expanded > IR_MAX_STAGES)
		return cfail(&g, "a query with %zu stages once runs are "
			     "expanded (at most %d)", expanded, IR_MAX_STAGES);
	if (q->npipes > sizeof pipes / sizeof pipes[0])
		return cfail(&g, "a query with %zu pipes", q->npipes);
	for (i = 0; i < q->npipes; i++) {
		pipes[i].kind = (uint8_t)q->pipes[i].kind;
		pipes[i].n = q->pipes[i].n;
	}
	st = calloc(n, sizeof *st);
	keys = calloc(n, sizeof *keys);
	if (!st || !keys) {
		cfail(&g, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		const struct ir_stage *s = i < q->nstages ? &q->stages[i] :
					   q->until;

		if (s->nkeys > IMG_MAX_KEYS) {
			cfail(&g, "stage %zu: %zu join keys (at most %d)", i,
			      s->nkeys, IMG_MAX_KEYS);
			goto done;
		}
		keys[i] = calloc(s->nkeys ? s->nkeys : 1, sizeof **keys);
		if (!keys[i]) {
			cfail(&g, "out of memory");
			goto done;
		}
		if (stage(&g, s, &st[i], keys[i],
			  i < q->nstages ? 0 : STAGE_UNTIL) < 0)
			goto done;
	}
	memset(&r, 0, sizeof r);
	r.id = name_or_none(b, info->id);
	r.name = name_or_none(b, info->name);
	r.file = name_or_none(b, info->file);
	r.catfield = name_or_none(b, info->catfield);
	r.tsfield = name_or_none(b, info->tsfield);
	r.tbfield = name_or_none(b, info->tbfield);
	if (info->tsfield && info->ts_no_fallback)
		r.flags |= RULE_TS_NO_FALLBACK;
	r.repeat = q->repeat ? q->repeat : 1;
	r.npipes = (uint16_t)q->npipes;
	r.pipes = pipes;
	r.kind = (uint8_t)q->kind;
	r.nstages = (uint16_t)n;
	r.maxspan_ms = q->maxspan_ms;
	r.window_ms = info->window_ms;
	r.stages = st;
	img_add_rule(b, &r);
	if (b->pool.oom || b->code.oom || b->rules.oom) {
		cfail(&g, "out of memory");
		goto done;
	}
	rc = (int)(b->nrules - 1);
done:
	if (keys)
		for (i = 0; i < n; i++)
			free(keys[i]);
	free(keys);
	free(st);
	return rc;
}
