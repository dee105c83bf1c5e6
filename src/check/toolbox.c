/*
 * toolbox.c - the helpers the check families share (see toolbox.h).
 */
#include "check/toolbox.h"
#include "print/print.h"

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

const char *
check_take(struct arena *a, struct strbuf *sb)
{
	const char *s = arena_strndup(a, sb->data ? sb->data : "", sb->len);

	sb_free(sb);
	return s;
}

const char *
check_quoted(struct arena *a, enum rule_lang lang, const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	const char *q;

	print_string(&sb, lang, s, n);
	q = check_take(a, &sb);
	return q ? q : "\"\"";
}
