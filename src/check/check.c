/*
 * check.c - runs the check families (see check.h).
 */
#include "check/check.h"

void
check_rule(struct check_ctx *cc, const struct rc_rule *r)
{
	check_metadata(cc, r);
	if (!r->ir)
		return;         /* rules with errors have no IR to check */
	check_schema(cc, r);
	check_logic(cc, r);
	check_sequence(cc, r);
	check_performance(cc, r);
}

void
check_run(struct check_ctx *cc, struct rc_rule *const *rules, size_t n)
{
	check_duplicates(cc, rules, n);
}

void
check_walk(const struct ir_expr *e,
	   void (*fn)(void *ud, const struct ir_expr *e), void *ud)
{
	size_t i;

	if (!e)
		return;
	fn(ud, e);
	switch (e->kind) {
	case IR_AND:
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			check_walk(e->u.list.v[i], fn, ud);
		break;
	case IR_NOT:
	case IR_NEG:
		check_walk(e->u.sub, fn, ud);
		break;
	case IR_CMP:
		check_walk(e->u.cmp.l, fn, ud);
		check_walk(e->u.cmp.r, fn, ud);
		break;
	case IR_IN:
		check_walk(e->u.in.l, fn, ud);
		break;
	case IR_MATCH:
		check_walk(e->u.match.l, fn, ud);
		break;
	case IR_CALL:
		for (i = 0; i < e->u.call.n; i++)
			check_walk(e->u.call.args[i], fn, ud);
		break;
	case IR_ARITH:
		check_walk(e->u.arith.l, fn, ud);
		check_walk(e->u.arith.r, fn, ud);
		break;
	case IR_ANCESTOR:
		check_walk(e->u.anc.sub, fn, ud);
		break;
	default:
		break;
	}
}
