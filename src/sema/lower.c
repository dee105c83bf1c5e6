/*
 * lower.c - EQL AST to typed IR (see lower.h).
 *
 * The pass reports every problem it finds and keeps going, so one run shows
 * all of a rule's errors; a rule with any error gets no IR (lower_eql
 * returns NULL), because later stages must be able to trust the IR.
 */
#include "sema/lower.h"

#include <inttypes.h>
#include <stdarg.h>
#include <string.h>
#include <strings.h>

#include "base/suggest.h"
#include "sema/literal.h"

/* Builds a diagnostic of this pass, counting errors: a rule with any gets
 * no IR. */
static struct diag *
verror(struct lower_ctx *lc, enum diag_id id, struct span sp,
       const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static struct diag *
verror(struct lower_ctx *lc, enum diag_id id, struct span sp,
       const char *fmt, va_list ap)
{
	if (diag_table[id].severity == SEV_ERROR)
		lc->errors++;
	return diag_vnew(lc->diags, id, lc->text, sp, fmt, ap);
}

/* A diagnostic to add notes or help to before emitting it. */
static struct diag *
error_at(struct lower_ctx *lc, enum diag_id id, struct span sp,
	 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static struct diag *
error_at(struct lower_ctx *lc, enum diag_id id, struct span sp,
	 const char *fmt, ...)
{
	va_list ap;
	struct diag *d;

	va_start(ap, fmt);
	d = verror(lc, id, sp, fmt, ap);
	va_end(ap);
	return d;
}

/* A diagnostic with an optional help line, emitted at once. */
static void
report(struct lower_ctx *lc, enum diag_id id, struct span sp,
       const char *help, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
report(struct lower_ctx *lc, enum diag_id id, struct span sp,
       const char *help, const char *fmt, ...)
{
	va_list ap;
	struct diag *d;

	va_start(ap, fmt);
	d = verror(lc, id, sp, fmt, ap);
	va_end(ap);
	if (help)
		diag_help(lc->diags, d, "%s", help);
	diag_emit(lc->diags, d);
}


/* --- literals ----------------------------------------------------------- */

/* The constant an AST literal denotes, folding a sign into a number
 * (`-1` is unary minus applied to 1 in the grammar).  false if the node is
 * not a literal. */
static bool
literal_value(const struct ast *n, struct ir_value *v)
{
	memset(v, 0, sizeof *v);
	if (!n)
		return false;
	v->span = n->span;
	switch (n->kind) {
	case A_STRING:
		v->type = VT_STRING;
		v->u.s.s = n->str;
		v->u.s.len = n->slen;
		return true;
	case A_INTEGER:
		v->type = VT_LONG;
		v->u.i = n->ival;
		return true;
	case A_DECIMAL:
		v->type = VT_DOUBLE;
		v->u.d = n->dval;
		return true;
	case A_BOOL:
		v->type = VT_BOOL;
		v->u.b = n->ival != 0;
		return true;
	case A_NULL:
		v->type = VT_NULL;
		return true;
	case A_NEG:
		if (!literal_value(n->kid[0], v) ||
		    (v->type != VT_LONG && v->type != VT_DOUBLE))
			return false;
		if (n->op == OP_SUB) {
			if (v->type == VT_LONG)
				v->u.i = -v->u.i;
			else
				v->u.d = -v->u.d;
		}
		v->span = n->span;
		return true;
	default:
		return false;
	}
}

/* true if the expression refers to a field anywhere.  Optional fields
 * (`?f`) do not count: Elasticsearch replaces an unmapped optional field by
 * null before it checks comparisons, so `?x == ?y` is accepted. */
static bool
has_field(const struct ast *n)
{
	const struct ast *c;
	unsigned i;

	if (!n)
		return false;
	if (n->kind == A_FIELD)
		return !(n->flags & AF_OPTIONAL);
	for (i = 0; i < 3; i++)
		if (has_field(n->kid[i]))
			return true;
	for (c = n->list; c; c = c->next)
		if (has_field(c))
			return true;
	return false;
}

/* A string-valued type, or one we cannot judge. */
static bool
stringish(enum vtype t)
{
	return t == VT_STRING || t == VT_UNKNOWN || t == VT_NULL;
}

static bool
boolish(enum vtype t)
{
	return t == VT_BOOL || t == VT_UNKNOWN || t == VT_NULL;
}

/* A literal compared with a field of known type: an IP field takes an
 * address or CIDR network (Elasticsearch matches a network on ip fields),
 * number and boolean fields take numbers and booleans.  Keyword fields
 * take numbers silently: Elasticsearch compares their text. */
static void
check_literal_for(struct lower_ctx *lc, const struct ir_expr *field,
		  const struct ir_value *v)
{
	uint8_t addr[16];
	unsigned prefix;
	enum vtype ft;

	if (!field || field->kind != IR_FIELD || v->type == VT_NULL)
		return;
	ft = field->type;
	if (ft == VT_IP) {
		if (v->type != VT_STRING)
			report(lc, D_LITERAL_TYPE, v->span, "write the address "
			       "as a string, e.g. \"10.0.0.1\"", "'%s' is an IP "
			       "field, compared with a %s", field->u.f.name,
			       vtype_name(v->type));
		else if (!lit_parse_cidr(v->u.s.s, v->u.s.len, addr, &prefix))
			report(lc, D_BAD_LITERAL, v->span, NULL, "'%s' is an "
			       "IP field; this is not an IP address or CIDR "
			       "network", field->u.f.name);
	} else if (vtype_numeric(ft) && v->type == VT_STRING) {
		report(lc, D_LITERAL_TYPE, v->span, "write the number without "
		       "quotes", "'%s' is a number field, compared with a "
		       "string", field->u.f.name);
	} else if (ft == VT_BOOL && v->type != VT_BOOL) {
		report(lc, D_LITERAL_TYPE, v->span, "write true or false",
		       "'%s' is a boolean field, compared with %s",
		       field->u.f.name, v->type == VT_STRING ? "a string"
							     : "a number");
	}
}

/* --- expressions -------------------------------------------------------- */

static struct ir_expr *lower_expr(struct lower_ctx *lc, const struct ast *n);

/* A condition operand: must be a test, not a value. */
static struct ir_expr *
lower_cond(struct lower_ctx *lc, const struct ast *n, const char *where)
{
	struct ir_expr *e = lower_expr(lc, n);

	if (e && !boolish(e->type))
		report(lc, D_NOT_BOOLEAN, e->span, NULL,
		       "%s must be a boolean test, but this is a %s value",
		       where, vtype_name(e->type));
	return e;
}

static struct ir_expr *
lower_field(struct lower_ctx *lc, const struct ast *n)
{
	const struct schema_field *def;
	struct ir_expr *e;
	enum vtype t = VT_UNKNOWN;

	def = lc->schema ? schema_lookup(lc->schema, n->str, n->slen) : NULL;
	if (def)
		t = vtype_of_field(def->type);
	else if (lc->schema && schema_is_object_path(lc->schema, n->str,
						     n->slen))
		t = VT_OBJECT;
	e = ir_new(lc->arena, IR_FIELD, t, n->span);
	if (!e)
		return NULL;
	e->u.f.name = n->str;
	e->u.f.src_name = n->str;
	e->u.f.def = def;
	e->u.f.array = def && def->array;
	e->u.f.optional = (n->flags & AF_OPTIONAL) != 0;
	return e;
}

/* Lowers a list of expressions (AND/OR operands, call arguments). */
static struct ir_expr **
lower_list(struct lower_ctx *lc, const struct ast *first, size_t n,
	   bool cond, const char *where)
{
	struct ir_expr **v = ARENA_NEWV(lc->arena, struct ir_expr *, n ? n : 1);
	const struct ast *c;
	size_t i = 0;

	if (!v)
		return NULL;
	for (c = first; c && i < n; c = c->next)
		v[i++] = cond ? lower_cond(lc, c, where) : lower_expr(lc, c);
	return v;
}

static struct ir_expr *
lower_logic(struct lower_ctx *lc, const struct ast *n)
{
	struct ir_expr *e = ir_new(lc->arena, n->kind == A_AND ? IR_AND : IR_OR,
				     VT_BOOL, n->span);

	if (!e)
		return NULL;
	e->u.list.n = n->nlist;
	e->u.list.v = lower_list(lc, n->list, n->nlist, true,
				 n->kind == A_AND ? "an operand of 'and'"
						  : "an operand of 'or'");
	return e;
}

/* The span of a one-character operator written between two operands (the
 * AST keeps operand spans only): the first byte that is neither blank nor
 * inside a comment. */
static struct span
operator_span(struct lower_ctx *lc, const struct ast *l, const struct ast *r,
	      struct span whole)
{
	const char *t = lc->text->data;
	uint32_t i, end;
	unsigned depth;

	if (!l || !r || r->span.start > lc->text->len)
		return whole;
	end = r->span.start;
	for (i = l->span.end; i < end; i++) {
		if (strchr(" \t\r\n\f", t[i]))
			continue;
		if (t[i] == '/' && i + 1 < end && t[i + 1] == '/') {
			while (i < end && t[i] != '\n')
				i++;
			continue;
		}
		if (t[i] == '/' && i + 1 < end && t[i + 1] == '*') {
			/* block comments nest */
			for (depth = 1, i += 2; i + 1 < end && depth; i++) {
				if (t[i] == '/' && t[i + 1] == '*')
					depth++, i++;
				else if (t[i] == '*' && t[i + 1] == '/')
					depth--, i++;
			}
			i--;
			continue;
		}
		return span_make(i, i + 1);
	}
	return whole;
}

/* The IR operator of an EQL comparison or arithmetic operator (`=` is
 * read as `==` before this). */
static enum ir_op
ir_op_of(enum ast_op op)
{
	switch (op) {
	case OP_NE: return IR_OP_NE;
	case OP_LT: return IR_OP_LT;
	case OP_LE: return IR_OP_LE;
	case OP_GT: return IR_OP_GT;
	case OP_GE: return IR_OP_GE;
	case OP_ADD: return IR_OP_ADD;
	case OP_SUB: return IR_OP_SUB;
	case OP_MUL: return IR_OP_MUL;
	case OP_DIV: return IR_OP_DIV;
	case OP_MOD: return IR_OP_MOD;
	default: return IR_OP_EQ;
	}
}

static struct ir_expr *
lower_cmp(struct lower_ctx *lc, const struct ast *n)
{
	struct ir_expr *e, *l, *r;
	const struct ast *lhs = n->kid[0], *rhs = n->kid[1];
	enum ast_op op = n->op;
	bool chained = lhs && lhs->kind == A_CMP && !(lhs->flags & AF_PAREN);

	if (chained) {
		struct diag *d = error_at(lc, D_CHAINED_COMPARISON, n->span,
					  "comparisons do not chain: this "
					  "compares the result of '%s' with "
					  "a value", ast_op_name(lhs->op));
		diag_help(lc->diags, d, "combine two comparisons with 'and'");
		diag_emit(lc->diags, d);
	}
	if (op == OP_ASSIGN) {
		struct diag *d = error_at(lc, D_FOREIGN_OPERATOR,
					  operator_span(lc, lhs, rhs, n->span),
					  "'=' is not a comparison in "
					  "Elasticsearch EQL");
		diag_help(lc->diags, d, "write '==' (python eql's '=' means "
			  "'==')");
		diag_emit(lc->diags, d);
		op = OP_EQ;
	}
	if (has_field(lhs) && has_field(rhs)) {
		struct diag *d = error_at(lc, D_FIELD_COMPARISON, n->span,
					  "Elasticsearch cannot compare a "
					  "field with another field");
		diag_note(lc->diags, d, lc->text, lhs->span, "left side");
		diag_note(lc->diags, d, lc->text, rhs->span, "right side");
		diag_help(lc->diags, d, "correlate the two values with a "
			  "sequence and 'by' keys");
		diag_emit(lc->diags, d);
	}
	l = lower_expr(lc, lhs);
	r = lower_expr(lc, rhs);
	e = ir_new(lc->arena, IR_CMP, VT_BOOL, n->span);
	if (!e)
		return NULL;
	e->u.cmp.op = ir_op_of(op);
	e->u.cmp.ci = false;
	e->u.cmp.l = l;
	e->u.cmp.r = r;
	if (l && r && l->kind == IR_FIELD && r->kind == IR_CONST)
		check_literal_for(lc, l, &r->u.c);
	else if (l && r && r->kind == IR_FIELD && l->kind == IR_CONST)
		check_literal_for(lc, r, &l->u.c);
	if (l && r && !chained && op != OP_EQ && op != OP_NE &&
	    (l->type == VT_BOOL || r->type == VT_BOOL))
		report(lc, D_OPERAND_TYPE, n->span, NULL,
		       "'%s' orders values, but booleans have no order",
		       ast_op_name(op));
	return e;
}

/* The literal items of an `in` list or a pattern list. */
static struct ir_value *
lower_values(struct lower_ctx *lc, const struct ast *first, size_t n,
	     const char *what, bool strings_only)
{
	struct ir_value *v = ARENA_NEWV(lc->arena, struct ir_value, n ? n : 1);
	const struct ast *c;
	size_t i = 0;

	if (!v)
		return NULL;
	for (c = first; c && i < n; c = c->next, i++) {
		if (literal_value(c, &v[i])) {
			if (strings_only && v[i].type != VT_STRING)
				report(lc, D_OPERAND_TYPE, c->span, NULL,
				       "%s must be a string, not %s", what,
				       vtype_name(v[i].type));
			continue;
		}
		if (c->kind == A_ERROR)
			continue;
		if (has_field(c))
			report(lc, D_FIELD_COMPARISON, c->span,
			       "correlate the two values with a sequence "
			       "and 'by' keys",
			       "%s must be a literal: Elasticsearch cannot "
			       "compare a field with another field", what);
		else
			report(lc, D_NOT_LITERAL, c->span, NULL,
			       "%s must be a literal", what);
		v[i].type = VT_NULL;
		v[i].span = c->span;
	}
	return v;
}

static struct ir_expr *
lower_in(struct lower_ctx *lc, const struct ast *n)
{
	struct ir_expr *e = ir_new(lc->arena, IR_IN, VT_BOOL, n->span);

	if (!e)
		return NULL;
	e->u.in.l = lower_expr(lc, n->kid[0]);
	e->u.in.ci = n->op == OP_IN_I;
	e->u.in.neg = (n->flags & AF_NEGATED) != 0;
	e->u.in.n = n->nlist;
	e->u.in.v = lower_values(lc, n->list, n->nlist,
				 "an item of an 'in' list", false);
	if (e->u.in.v) {
		size_t i;
		for (i = 0; i < e->u.in.n; i++)
			check_literal_for(lc, e->u.in.l, &e->u.in.v[i]);
	}
	return e;
}

static struct ir_expr *
lower_match(struct lower_ctx *lc, const struct ast *n)
{
	struct ir_expr *e = ir_new(lc->arena, IR_MATCH, VT_BOOL, n->span);
	struct ir_expr *l;

	if (!e)
		return NULL;
	l = lower_expr(lc, n->kid[0]);
	if (l && !stringish(l->type))
		report(lc, D_OPERAND_TYPE, l->span, NULL,
		       "'%s' matches strings, but this is a %s value",
		       ast_op_name(n->op), vtype_name(l->type));
	e->u.match.l = l;
	e->u.match.mode = (n->op == OP_REGEX || n->op == OP_REGEX_I)
				  ? MATCH_REGEX : MATCH_WILDCARD;
	e->u.match.ci = n->op != OP_LIKE && n->op != OP_REGEX;
	e->u.match.n = n->nlist;
	e->u.match.v = lower_values(lc, n->list, n->nlist,
				    n->op == OP_REGEX || n->op == OP_REGEX_I
					    ? "a regular expression"
					    : "a pattern", true);
	if (e->u.match.v && e->u.match.mode == MATCH_REGEX) {
		size_t i, off;
		const char *msg;
		for (i = 0; i < e->u.match.n; i++) {
			const struct ir_value *v = &e->u.match.v[i];
			if (v->type == VT_STRING &&
			    !lit_check_regex(v->u.s.s, v->u.s.len, &off, &msg))
				report(lc, D_BAD_LITERAL, v->span, NULL,
				       "invalid regular expression: %s (at "
				       "character %zu of the pattern)", msg,
				       off + 1);
		}
	}
	return e;
}

/* Does a value of type `have` fit an argument declared as `want`? */
static bool
arg_fits(char want, enum vtype have)
{
	if (have == VT_UNKNOWN || have == VT_NULL || want == 'a')
		return true;
	switch (want) {
	case 's': return have == VT_STRING || have == VT_VERSION;
	case 'n': return vtype_numeric(have);
	case 'b': return have == VT_BOOL;
	case 'i': return have == VT_IP || have == VT_STRING;
	default: return true;
	}
}

static const char *
arg_kind_name(char want)
{
	switch (want) {
	case 's': return "a string";
	case 'n': return "a number";
	case 'b': return "a boolean";
	case 'i': return "an IP address";
	default: return "a value";
	}
}

static struct ir_expr *
lower_call(struct lower_ctx *lc, const struct ast *n)
{
	enum fn_id fn = fn_lookup(n->str, n->slen);
	const struct fn_info *fi;
	struct ir_expr *e;
	const struct ast *c;
	size_t i, nargs = n->nlist;
	bool tilde = (n->flags & AF_TILDE) != 0;

	if (fn == FN__COUNT) {
		struct suggest sg;
		struct diag *d;
		unsigned k;

		suggest_init(&sg, n->str, n->slen, true);
		for (k = 0; k < FN__COUNT; k++)
			if (fn_table[k].es)
				suggest_add(&sg, fn_table[k].name,
					    strlen(fn_table[k].name));
		d = error_at(lc, D_UNKNOWN_FUNCTION, n->span,
			     "unknown function '%s'", n->str);
		if (suggest_best(&sg))
			diag_help(lc->diags, d, "did you mean '%s'?",
				  suggest_best(&sg));
		diag_emit(lc->diags, d);
		/* still look at the arguments */
		for (c = n->list; c; c = c->next)
			lower_expr(lc, c);
		return NULL;
	}
	fi = &fn_table[fn];
	if (!fi->es) {
		report(lc, D_UNSUPPORTED, n->span,
		       fn == FN_WILDCARD ? "use ':' or 'like' with a list of "
					   "patterns"
		       : fn == FN_MATCH || fn == FN_MATCHLITE
				 ? "use 'regex' with a list of patterns"
				 : NULL,
		       "function '%s' is python eql only; Elasticsearch "
		       "rejects it", fi->name);
		return NULL;
	}
	if (tilde && !fi->tilde)
		report(lc, D_UNKNOWN_FUNCTION, n->span, NULL,
		       "function '%s' has no case-insensitive form '%s~'",
		       fi->name, fi->name);
	if ((int)nargs < fi->min || (fi->max >= 0 && (int)nargs > fi->max)) {
		if (fi->max < 0)
			report(lc, D_ARG_COUNT, n->span, NULL,
			       "'%s' takes at least %d argument%s, not %zu",
			       fi->name, fi->min, fi->min == 1 ? "" : "s",
			       nargs);
		else if (fi->min == fi->max)
			report(lc, D_ARG_COUNT, n->span, NULL,
			       "'%s' takes %d argument%s, not %zu", fi->name,
			       fi->min, fi->min == 1 ? "" : "s", nargs);
		else
			report(lc, D_ARG_COUNT, n->span, NULL,
			       "'%s' takes %d to %d arguments, not %zu",
			       fi->name, fi->min, fi->max, nargs);
	}
	e = ir_new(lc->arena, IR_CALL, fi->result, n->span);
	if (!e)
		return NULL;
	e->u.call.fn = fn;
	e->u.call.ci = tilde;
	e->u.call.n = nargs;
	e->u.call.args = lower_list(lc, n->list, nargs, false, NULL);
	if (!e->u.call.args)
		return NULL;
	for (c = n->list, i = 0; c && i < nargs; c = c->next, i++) {
		size_t alen = strlen(fi->args);
		char want = fi->args[i < alen ? i : alen - 1];
		struct ir_expr *a = e->u.call.args[i];

		if (!a)
			continue;
		if (!arg_fits(want, a->type))
			report(lc, D_ARG_TYPE, a->span, NULL,
			       "argument %zu of '%s' must be %s, not %s",
			       i + 1, fi->name, arg_kind_name(want),
			       vtype_name(a->type));
		if (fn == FN_CIDRMATCH && i > 0 && a->kind == IR_CONST &&
		    a->u.c.type == VT_STRING) {
			uint8_t addr[16];
			unsigned prefix;
			if (!lit_parse_cidr(a->u.c.u.s.s, a->u.c.u.s.len, addr,
					    &prefix))
				report(lc, D_BAD_LITERAL, a->span, NULL,
				       "'%s' is not an IP address or CIDR "
				       "network", a->u.c.u.s.s);
		}
		/* positions Elasticsearch evaluates at compile time */
		if (((fn == FN_CIDRMATCH && i > 0) ||
		     (fn == FN_BETWEEN && i == 3)) && a->kind != IR_CONST)
			report(lc, D_NOT_LITERAL, a->span, NULL,
			       "argument %zu of '%s' must be a literal",
			       i + 1, fi->name);
	}
	/* number-valued functions: long when every number operand is */
	if (fi->result == VT_NUMBER) {
		bool all_long = fn != FN_NUMBER;
		for (i = 0; i < nargs; i++)
			if (e->u.call.args[i] &&
			    e->u.call.args[i]->type != VT_LONG)
				all_long = false;
		if (fn == FN_INDEXOF || fn == FN_LENGTH)
			all_long = true;
		e->type = all_long ? VT_LONG : VT_NUMBER;
	}
	return e;
}

static struct ir_expr *
lower_arith(struct lower_ctx *lc, const struct ast *n)
{
	struct ir_expr *e, *l, *r = NULL;
	struct ir_value v;

	/* a signed number literal is a constant */
	if (n->kind == A_NEG && literal_value(n, &v)) {
		e = ir_new(lc->arena, IR_CONST, v.type, n->span);
		if (e)
			e->u.c = v;
		return e;
	}
	l = lower_expr(lc, n->kid[0]);
	if (n->kind == A_ARITH)
		r = lower_expr(lc, n->kid[1]);
	e = ir_new(lc->arena, n->kind == A_NEG ? IR_NEG : IR_ARITH, VT_NUMBER,
		     n->span);
	if (!e)
		return NULL;
	if (n->kind == A_NEG) {
		e->u.sub = l;
	} else {
		e->u.arith.op = ir_op_of(n->op);
		e->u.arith.l = l;
		e->u.arith.r = r;
	}
	if ((l && !vtype_numeric(l->type) && l->type != VT_UNKNOWN &&
	     l->type != VT_NULL) ||
	    (r && !vtype_numeric(r->type) && r->type != VT_UNKNOWN &&
	     r->type != VT_NULL)) {
		struct ir_expr *bad = (l && !vtype_numeric(l->type) &&
				       l->type != VT_UNKNOWN &&
				       l->type != VT_NULL) ? l : r;
		report(lc, D_OPERAND_TYPE, bad->span, NULL,
		       "arithmetic needs numbers, but this is a %s value",
		       vtype_name(bad->type));
	}
	if (l && r && l->type == VT_LONG && r->type == VT_LONG)
		e->type = VT_LONG;
	else if (l && !r && l->type == VT_LONG)
		e->type = VT_LONG;
	return e;
}

static struct ir_expr *
lower_expr(struct lower_ctx *lc, const struct ast *n)
{
	struct ir_expr *e;
	struct ir_value v;

	if (!n)
		return NULL;
	switch (n->kind) {
	case A_OR:
	case A_AND:
		return lower_logic(lc, n);
	case A_NOT:
		e = ir_new(lc->arena, IR_NOT, VT_BOOL, n->span);
		if (e)
			e->u.sub = lower_cond(lc, n->kid[0],
					      "the operand of 'not'");
		return e;
	case A_CMP:
		return lower_cmp(lc, n);
	case A_IN:
		return lower_in(lc, n);
	case A_MATCH:
		return lower_match(lc, n);
	case A_CALL:
		return lower_call(lc, n);
	case A_ARITH:
	case A_NEG:
		return lower_arith(lc, n);
	case A_FIELD:
		return lower_field(lc, n);
	case A_STRING:
	case A_INTEGER:
	case A_DECIMAL:
	case A_BOOL:
	case A_NULL:
		literal_value(n, &v);
		e = ir_new(lc->arena, IR_CONST, v.type, n->span);
		if (e)
			e->u.c = v;
		return e;
	case A_LINEAGE:
		report(lc, D_UNSUPPORTED, n->span,
		       "correlate parent and child with a sequence by "
		       "process.entity_id / process.parent.entity_id",
		       "'%s of [...]' (process lineage) is python eql only; "
		       "Elasticsearch rejects it", n->str);
		return NULL;
	case A_ERROR:
		lc->errors++;   /* already reported by the parser */
		return NULL;
	default:
		report(lc, D_SYNTAX_ERROR, n->span, NULL,
		       "unexpected %s in an expression", ast_kind_name(n->kind));
		return NULL;
	}
}

/* --- queries ------------------------------------------------------------ */

static bool
lower_event(struct lower_ctx *lc, const struct ast *ev, struct ir_stage *st)
{
	st->span = ev->span;
	st->runs = 1;
	if (ev->kind == A_ERROR) {
		lc->errors++;
		return false;
	}
	st->category = (ev->flags & AF_ANY) ? NULL : ev->str;
	st->cond = lower_cond(lc, ev->kid[0], "a 'where' condition");
	return st->cond != NULL;
}

/* maxspan in milliseconds, or -1 after reporting what is wrong. */
static int64_t
lower_maxspan(struct lower_ctx *lc, const struct ast *ts)
{
	static const struct { const char *unit; int64_t ms; } units[] = {
		{ "ms", 1 }, { "s", 1000 }, { "m", 60000 },
		{ "h", 3600000 }, { "d", 86400000 },
	};
	const struct ast *num = ts->kid[0];
	struct diag *d;
	unsigned i;

	if (!num)
		return -1;
	if (num->kind == A_DECIMAL) {
		d = error_at(lc, D_BAD_MAXSPAN, ts->span,
			     "maxspan must be a whole number");
		diag_help(lc->diags, d, "use a smaller unit, e.g. 500ms "
			  "instead of 0.5s");
		diag_emit(lc->diags, d);
		return -1;
	}
	if (!ts->str) {
		d = error_at(lc, D_BAD_MAXSPAN, ts->span,
			     "maxspan needs a time unit");
		diag_help(lc->diags, d, "did you mean %" PRId64 "s? (units: "
			  "ms, s, m, h, d)", num->ival);
		diag_emit(lc->diags, d);
		return -1;
	}
	if (num->ival <= 0) {
		report(lc, D_BAD_MAXSPAN, ts->span, NULL,
		       "maxspan must be positive");
		return -1;
	}
	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (strcmp(ts->str, units[i].unit) == 0) {
			if (num->ival > INT64_MAX / units[i].ms) {
				report(lc, D_BAD_MAXSPAN, ts->span, NULL,
				       "maxspan is too large");
				return -1;
			}
			return num->ival * units[i].ms;
		}
	d = error_at(lc, D_BAD_MAXSPAN, ts->span, "unknown time unit '%s'",
		     ts->str);
	diag_help(lc->diags, d, "units are ms, s, m, h and d");
	diag_emit(lc->diags, d);
	return -1;
}

/* Lowers `by` keys; `shared` are prepended to a stage's own keys. */
static bool
lower_keys(struct lower_ctx *lc, const struct ast *shared,
	   const struct ast *own, struct ir_stage *st)
{
	size_t ns = shared ? shared->nlist : 0, no = own ? own->nlist : 0;
	const struct ast *c;
	size_t i = 0;

	st->nshared = ns;
	st->nkeys = ns + no;
	if (!st->nkeys)
		return true;
	st->keys = ARENA_NEWV(lc->arena, struct ir_expr *, st->nkeys);
	if (!st->keys)
		return false;
	for (c = shared ? shared->list : NULL; c; c = c->next)
		st->keys[i++] = lower_expr(lc, c);
	for (c = own ? own->list : NULL; c; c = c->next)
		st->keys[i++] = lower_expr(lc, c);
	return true;
}

static unsigned
lower_runs(struct lower_ctx *lc, const struct ast *param)
{
	const struct ast *num = param->kid[0];

	if (strcmp(param->str, "runs") != 0) {
		struct diag *d = error_at(lc, D_BAD_RUNS, param->span,
					  "unknown stage parameter '%s'",
					  param->str);
		diag_help(lc->diags, d, "stages take only 'with runs=N'");
		diag_emit(lc->diags, d);
		return 1;
	}
	if (num && num->kind != A_INTEGER) {
		report(lc, D_BAD_RUNS, param->span, NULL,
		       "runs must be a whole number between 1 and 100");
		return 1;
	}
	if (!num || num->ival < 1 || num->ival > 100) {
		report(lc, D_BAD_RUNS, param->span, NULL,
		       "runs must be between 1 and 100");
		return 1;
	}
	return (unsigned)num->ival;
}

static struct ir_query *
lower_sequence(struct lower_ctx *lc, const struct ast *n, struct ir_query *q)
{
	const struct ast *keys = n->kid[0], *ts = n->kid[1], *t;
	bool sample = n->kind == A_SAMPLE;
	size_t i = 0, total = 0, missing = 0;
	bool any_keys = keys != NULL;

	q->kind = sample ? Q_SAMPLE : Q_SEQUENCE;
	if (n->kind == A_JOIN) {
		report(lc, D_UNSUPPORTED, n->span,
		       "use a sequence (ordered) or a sample (unordered)",
		       "'join' is python eql only; Elasticsearch rejects it");
		return NULL;
	}
	if (n->flags & AF_BY_AFTER_WITH) {
		struct diag *d = error_at(lc, D_BY_AFTER_WITH, keys->span,
					  "'by' must come before "
					  "'with maxspan'");
		diag_help(lc->diags, d, "write '%s by ... with maxspan=...'",
			  sample ? "sample" : "sequence");
		diag_emit(lc->diags, d);
	}
	if (ts) {
		if (sample)
			report(lc, D_BAD_SAMPLE, ts->span, NULL,
			       "sample takes no maxspan");
		else {
			q->maxspan_ms = lower_maxspan(lc, ts);
			q->maxspan_span = ts->span;
		}
	}
	q->nstages = n->nlist;
	q->stages = ARENA_NEWV(lc->arena, struct ir_stage, n->nlist ? n->nlist : 1);
	if (!q->stages)
		return NULL;
	for (t = n->list; t; t = t->next, i++) {
		struct ir_stage *st = &q->stages[i];

		if (t->kind == A_ERROR || !t->kid[0]) {
			lc->errors++;
			continue;
		}
		lower_event(lc, t->kid[0], st);
		st->span = t->span;
		st->missing = (t->flags & AF_MISSING) != 0;
		if (t->kid[1])
			any_keys = true;
		lower_keys(lc, keys, t->kid[1], st);
		if (t->kid[2]) {
			if (sample)
				report(lc, D_BAD_SAMPLE, t->kid[2]->span, NULL,
				       "sample filters take no 'with runs'");
			else
				st->runs = lower_runs(lc, t->kid[2]);
		}
		if (st->missing) {
			missing++;
			if (sample)
				report(lc, D_BAD_SAMPLE, t->span, NULL,
				       "sample takes no missing-event filters");
		}
		total += st->runs;
	}
	if ((t = n->kid[2]) != NULL) {
		if (sample) {
			report(lc, D_BAD_SAMPLE, t->span, NULL,
			       "sample takes no 'until'");
		} else if (t->kind != A_ERROR && t->kid[0]) {
			q->until = ARENA_NEW(lc->arena, struct ir_stage);
			if (!q->until)
				return NULL;
			lower_event(lc, t->kid[0], q->until);
			q->until->span = t->span;
			lower_keys(lc, keys, t->kid[1], q->until);
			if (t->kid[2])
				report(lc, D_BAD_RUNS, t->kid[2]->span, NULL,
				       "'until' takes no 'with runs'");
			if (t->flags & AF_MISSING)
				report(lc, D_BAD_MISSING_STAGE, t->span, NULL,
				       "'until' cannot be a missing-event "
				       "filter");
		}
	}
	if (sample) {
		if (q->nstages > 5)
			report(lc, D_STAGE_COUNT, n->span, NULL,
			       "a sample takes at most 5 filters, not %zu",
			       q->nstages);
		if (!any_keys)
			report(lc, D_BAD_SAMPLE, n->span,
			       "add 'by' keys to the sample or its filters",
			       "a sample needs at least one join key");
	} else {
		if (total < 2)
			report(lc, D_STAGE_COUNT, n->span,
			       "add a stage, or use a plain event query",
			       "a sequence needs at least two stages");
		if (missing && !ts)
			report(lc, D_BAD_MISSING_STAGE, n->span,
			       "add 'with maxspan=...' after 'sequence'",
			       "a sequence with missing-event stages needs "
			       "maxspan");
		if (missing && missing == q->nstages)
			report(lc, D_BAD_MISSING_STAGE, n->span, NULL,
			       "a sequence needs at least one stage that is "
			       "not a missing-event filter");
	}
	return q;
}

static void
lower_pipes(struct lower_ctx *lc, const struct ast *stmt, struct ir_query *q)
{
	const struct ast *p;
	size_t i = 0;

	if (!stmt->nlist)
		return;
	q->pipes = ARENA_NEWV(lc->arena, struct ir_pipe, stmt->nlist);
	if (!q->pipes)
		return;
	for (p = stmt->list; p; p = p->next) {
		struct ir_pipe *ip = &q->pipes[i];
		struct ir_value v;
		bool head = strcmp(p->str, "head") == 0;

		if (q->kind == Q_SAMPLE) {
			report(lc, D_BAD_PIPE, p->span, NULL,
			       "Elasticsearch allows no pipes after sample");
			continue;
		}
		if (!head && strcmp(p->str, "tail") != 0) {
			bool py = !strcmp(p->str, "unique") ||
				  !strcmp(p->str, "unique_count") ||
				  !strcmp(p->str, "count") ||
				  !strcmp(p->str, "filter") ||
				  !strcmp(p->str, "sort");
			report(lc, D_BAD_PIPE, p->span,
			       "Elasticsearch supports only '| head N' and "
			       "'| tail N'",
			       py ? "pipe '%s' is python eql only"
				  : "unknown pipe '%s'", p->str);
			continue;
		}
		if (p->nlist != 1) {
			report(lc, D_BAD_PIPE, p->span, NULL,
			       "'%s' takes one argument, the number of "
			       "results", p->str);
			continue;
		}
		if (!literal_value(p->list, &v) || v.type != VT_LONG ||
		    v.u.i < 0) {
			report(lc, D_BAD_PIPE, p->list->span, NULL,
			       "the argument of '%s' must be a non-negative "
			       "integer", p->str);
			continue;
		}
		ip->kind = head ? PIPE_HEAD : PIPE_TAIL;
		ip->n = v.u.i;
		ip->span = p->span;
		i++;
	}
	q->npipes = i;
}

struct ir_query *
lower_eql(struct lower_ctx *lc, const struct ast *stmt)
{
	struct ir_query *q;
	const struct ast *n;
	unsigned before = lc->errors;

	if (!stmt || !(n = stmt->kid[0]))
		return NULL;
	q = ARENA_NEW(lc->arena, struct ir_query);
	if (!q)
		return NULL;
	q->span = stmt->span;
	q->maxspan_ms = -1;
	switch (n->kind) {
	case A_EVENT:
		q->kind = Q_EVENT;
		q->nstages = 1;
		q->stages = ARENA_NEW(lc->arena, struct ir_stage);
		if (!q->stages)
			return NULL;
		lower_event(lc, n, q->stages);
		break;
	case A_SEQUENCE:
	case A_SAMPLE:
	case A_JOIN:
		if (!lower_sequence(lc, n, q))
			return NULL;
		break;
	default:
		lc->errors++;
		return NULL;
	}
	lower_pipes(lc, stmt, q);
	if (lc->errors != before || lc->arena->oom)
		return NULL;
	return q;
}
