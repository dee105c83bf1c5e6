/*
 * eset.c - ESET conditions printed from the IR in the words of ESET's
 * documentation (see print.h).  The lowering's shapes are read back: a
 * relation is a comparison or a call on the property's field, `isnot` and
 * its kind are AND(f != null, NOT(test)), `isnotempty` is AND(f != null,
 * f != "").
 */
#include "print/print.h"

/* The relation of a comparison or call, negated with neg; NULL for
 * other nodes. */
static const char *
relation(const struct ir_expr *e, bool neg)
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

/* The field a relation tests. */
static const struct ir_expr *
tested_field(const struct ir_expr *e)
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

/* The value a relation compares with, or NULL. */
static const struct ir_value *
tested_value(const struct ir_expr *e)
{
	const struct ir_expr *c = NULL;

	if (e->kind == IR_CMP)
		c = e->u.cmp.l && e->u.cmp.l->kind == IR_CONST ? e->u.cmp.l
							       : e->u.cmp.r;
	else if (e->kind == IR_CALL && e->u.call.n > 1)
		c = e->u.call.args[1];
	return c && c->kind == IR_CONST ? &c->u.c : NULL;
}

/* One condition, negated with neg; false when e is not one. */
static bool
condition(struct strbuf *sb, const struct ir_expr *e, bool neg)
{
	const char *rel = relation(e, neg);
	const struct ir_value *v = tested_value(e);
	const struct ir_expr *f = tested_field(e);

	if (!rel || !f || f->kind != IR_FIELD)
		return false;
	sb_printf(sb, "%s ", print_field_name(f));
	if (v && v->type == VT_NULL) {
		bool set = (e->u.cmp.op == IR_OP_NE) != neg;
		sb_puts(sb, set ? "isset" : "isnotset");
		return true;
	}
	sb_puts(sb, rel);
	if (v) {
		sb_putc(sb, ' ');
		print_value(sb, LANG_ESET_XML, v, f->type == VT_IP);
	}
	return true;
}

/* The lowering of isnot & co: AND(f != null, NOT(test)), and of
 * isnotempty: AND(f != null, f != ""); false for other ANDs. */
static bool
required_condition(struct strbuf *sb, const struct ir_expr *e)
{
	const struct ir_expr *t;

	if (e->kind != IR_AND || e->u.list.n != 2 || !e->u.list.v[0] ||
	    e->u.list.v[0]->kind != IR_CMP ||
	    e->u.list.v[0]->u.cmp.op != IR_OP_NE || !e->u.list.v[1])
		return false;
	t = e->u.list.v[1];
	if (t->kind == IR_NOT && t->u.sub && condition(sb, t->u.sub, true))
		return true;
	if (t->kind == IR_CMP && t->u.cmp.op == IR_OP_NE) {
		sb_printf(sb, "%s isnotempty",
			  print_field_name(tested_field(t)));
		return true;
	}
	return false;
}

void
print_eset_cond(struct strbuf *sb, const struct ir_expr *e, size_t limit)
{
	size_t i;

	if (!e) {
		sb_puts(sb, "?");
		return;
	}
	if (sb->len > limit) {
		sb_puts(sb, "...");
		return;
	}
	switch (e->kind) {
	case IR_CMP:
	case IR_CALL:
		if (!condition(sb, e, false))
			sb_puts(sb, "(expression)");
		return;
	case IR_IN:
		sb_printf(sb, "%s is one of (", print_field_name(e->u.in.l));
		for (i = 0; i < e->u.in.n; i++) {
			if (i)
				sb_puts(sb, ", ");
			print_value(sb, LANG_ESET_XML, &e->u.in.v[i], false);
		}
		sb_putc(sb, ')');
		return;
	case IR_NOT:
		if (e->u.sub && (e->u.sub->kind == IR_CMP ||
				 e->u.sub->kind == IR_CALL) &&
		    condition(sb, e->u.sub, true))
			return;
		sb_puts(sb, "NOT(");
		print_eset_cond(sb, e->u.sub, limit);
		sb_putc(sb, ')');
		return;
	case IR_AND:
	case IR_OR:
		if (required_condition(sb, e))
			return;
		sb_puts(sb, e->kind == IR_AND ? "AND(" : "OR(");
		for (i = 0; i < e->u.list.n; i++) {
			if (i)
				sb_puts(sb, ", ");
			print_eset_cond(sb, e->u.list.v[i], limit);
		}
		sb_putc(sb, ')');
		return;
	case IR_ANCESTOR:
		sb_puts(sb, "the ancestor condition");
		return;
	case IR_CONST:
		print_value(sb, LANG_ESET_XML, &e->u.c, false);
		return;
	default:
		sb_puts(sb, "(expression)");
		return;
	}
}
