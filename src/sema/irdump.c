/*
 * irdump.c - the readable IR dump (rulec lint --dump-ir).
 *
 * One node per line, children indented; every expression shows its type,
 * every comparison its case mode, so a golden dump pins the semantics that
 * lowering decided.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "sema/ir.h"

static void
indent(struct strbuf *sb, unsigned depth)
{
	sb_fill(sb, ' ', depth * 2);
}

static void
value(struct strbuf *sb, const struct ir_value *v)
{
	switch (v->type) {
	case VT_STRING:
		sb_putc(sb, '"');
		sb_eql_escape(sb, v->u.s.s, v->u.s.len);
		sb_putc(sb, '"');
		break;
	case VT_LONG:
		sb_printf(sb, "%" PRId64, v->u.i);
		break;
	case VT_DOUBLE:
		sb_printf(sb, "%.17g", v->u.d);
		break;
	case VT_BOOL:
		sb_puts(sb, v->u.b ? "true" : "false");
		break;
	default:
		sb_puts(sb, "null");
		break;
	}
}

static void
values(struct strbuf *sb, const struct ir_value *v, size_t n,
       unsigned depth)
{
	size_t i;

	for (i = 0; i < n; i++) {
		indent(sb, depth);
		value(sb, &v[i]);
		sb_putc(sb, '\n');
	}
}

void
ir_dump_expr(const struct ir_expr *e, const struct rc_text *t,
	     struct strbuf *sb, unsigned depth)
{
	size_t i;

	indent(sb, depth);
	if (!e) {
		sb_puts(sb, "(missing)\n");
		return;
	}
	switch (e->kind) {
	case IR_CONST:
		sb_puts(sb, "const ");
		value(sb, &e->u.c);
		break;
	case IR_FIELD:
		sb_printf(sb, "field %s%s", e->u.f.optional ? "?" : "",
			  e->u.f.name);
		if (e->u.f.src_name && e->u.f.src_name != e->u.f.name)
			sb_printf(sb, " (written %s)", e->u.f.src_name);
		if (e->u.f.array)
			sb_puts(sb, " array");
		if (!e->u.f.def && e->type == VT_UNKNOWN)
			sb_puts(sb, " not-in-schema");
		if (e->u.f.map == MAP_APPROX)
			sb_puts(sb, " approximate");
		else if (e->u.f.map == MAP_NONE)
			sb_puts(sb, " no-ecs-counterpart");
		if (e->u.f.transform != TR_NONE)
			sb_printf(sb, " transform=%s",
				  ir_transform_name(e->u.f.transform));
		if (e->u.f.ipfam)
			sb_printf(sb, " ipv%u-only", e->u.f.ipfam);
		break;
	case IR_ANCESTOR:
		sb_puts(sb, "ancestor");
		if (e->u.anc.distance)
			sb_printf(sb, " distance=%u", e->u.anc.distance);
		else
			sb_printf(sb, " any-above=%u", e->u.anc.skip);
		if (e->u.anc.unique)
			sb_puts(sb, " unique");
		break;
	case IR_AND:
	case IR_OR:
		sb_puts(sb, e->kind == IR_AND ? "and" : "or");
		break;
	case IR_NOT:
		sb_puts(sb, "not");
		break;
	case IR_CMP:
		sb_printf(sb, "compare %s %s", ir_op_name(e->u.cmp.op),
			  e->u.cmp.ci ? "case-insensitive" : "case-sensitive");
		break;
	case IR_IN:
		sb_printf(sb, "%s %s", e->u.in.neg ? "not-in" : "in",
			  e->u.in.ci ? "case-insensitive" : "case-sensitive");
		break;
	case IR_MATCH:
		sb_printf(sb, "match %s %s",
			  e->u.match.mode == MATCH_REGEX ? "regex" : "wildcard",
			  e->u.match.ci ? "case-insensitive"
					: "case-sensitive");
		break;
	case IR_CALL:
		sb_printf(sb, "call %s%s", fn_table[e->u.call.fn].name,
			  e->u.call.ci ? " case-insensitive" : "");
		break;
	case IR_ARITH:
		sb_printf(sb, "arith %s", ir_op_name(e->u.arith.op));
		break;
	case IR_NEG:
		sb_puts(sb, "negate");
		break;
	}
	sb_printf(sb, " : %s\n", vtype_name(e->type));
	switch (e->kind) {
	case IR_AND:
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			ir_dump_expr(e->u.list.v[i], t, sb, depth + 1);
		break;
	case IR_NOT:
	case IR_NEG:
		ir_dump_expr(e->u.sub, t, sb, depth + 1);
		break;
	case IR_ANCESTOR:
		ir_dump_expr(e->u.anc.sub, t, sb, depth + 1);
		break;
	case IR_CMP:
		ir_dump_expr(e->u.cmp.l, t, sb, depth + 1);
		ir_dump_expr(e->u.cmp.r, t, sb, depth + 1);
		break;
	case IR_IN:
		ir_dump_expr(e->u.in.l, t, sb, depth + 1);
		values(sb, e->u.in.v, e->u.in.n, depth + 1);
		break;
	case IR_MATCH:
		ir_dump_expr(e->u.match.l, t, sb, depth + 1);
		values(sb, e->u.match.v, e->u.match.n, depth + 1);
		break;
	case IR_CALL:
		for (i = 0; i < e->u.call.n; i++)
			ir_dump_expr(e->u.call.args[i], t, sb, depth + 1);
		break;
	case IR_ARITH:
		ir_dump_expr(e->u.arith.l, t, sb, depth + 1);
		ir_dump_expr(e->u.arith.r, t, sb, depth + 1);
		break;
	default:
		break;
	}
}

static void
stage(const struct ir_stage *st, const struct rc_text *t, struct strbuf *sb,
      const char *label)
{
	size_t i;

	sb_printf(sb, "  %s", label);
	if (st->category)
		sb_printf(sb, " category=%s", st->category);
	else
		sb_puts(sb, " any");
	if (st->runs != 1)
		sb_printf(sb, " runs=%u", st->runs);
	if (st->missing)
		sb_puts(sb, " missing");
	sb_putc(sb, '\n');
	for (i = 0; i < st->nkeys; i++) {
		sb_printf(sb, "    key %zu%s\n", i,
			  i < st->nshared ? " (shared)" : "");
		ir_dump_expr(st->keys[i], t, sb, 3);
	}
	sb_puts(sb, "    where\n");
	ir_dump_expr(st->cond, t, sb, 3);
}

void
ir_dump(const struct ir_query *q, const struct rc_text *t, struct strbuf *sb)
{
	size_t i;

	sb_printf(sb, "query %s", ir_qkind_name(q->kind));
	if (q->repeat > 1)
		sb_printf(sb, " repeat=%u", q->repeat);
	if (q->maxspan_ms >= 0)
		sb_printf(sb, " maxspan=%" PRId64 "ms", q->maxspan_ms);
	sb_putc(sb, '\n');
	for (i = 0; i < q->nstages; i++) {
		char label[32];
		snprintf(label, sizeof label, "stage %zu", i);
		stage(&q->stages[i], t, sb, q->kind == Q_EVENT ? "filter"
							      : label);
	}
	if (q->until)
		stage(q->until, t, sb, "until");
	for (i = 0; i < q->npipes; i++)
		sb_printf(sb, "  pipe %s %" PRId64 "\n",
			  q->pipes[i].kind == PIPE_HEAD ? "head" : "tail",
			  q->pipes[i].n);
}
