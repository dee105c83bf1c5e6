/*
 * ir.c - tables of the IR: value types, functions, transforms.
 */
#include <string.h>
#include <strings.h>

#include "sema/ir.h"

#include "base/arena.h"

const struct fn_info fn_table[FN__COUNT] = {
#define X(e, name, min, max, tilde, res, args, es, impl) \
	{ name, min, max, tilde, es, res, args },
#include "sema/functions.def"
#undef X
};

static const char *const vtype_names[VT__COUNT] = {
#define V(e, s) s,
	IR_VTYPES(V)
#undef V
};

static const char *const op_names[IR_OP__COUNT] = {
#define O(e, s) s,
	IR_OPS(O)
#undef O
};

const char *
ir_op_name(enum ir_op op)
{
	return (unsigned)op < IR_OP__COUNT ? op_names[op] : "?";
}

static const char *const qkind_names[] = {
#define Q(e, s) s,
	IR_QKINDS(Q)
#undef Q
};

const char *
ir_qkind_name(enum ir_qkind k)
{
	return (unsigned)k < sizeof qkind_names / sizeof *qkind_names
		       ? qkind_names[k] : "?";
}

const char *
vtype_name(enum vtype t)
{
	return t < VT__COUNT ? vtype_names[t] : "?";
}

enum vtype
vtype_of_field(enum rc_ftype t)
{
	switch (t) {
	case FT_KEYWORD: return VT_STRING;
	case FT_LONG: return VT_LONG;
	case FT_DOUBLE: return VT_DOUBLE;
	case FT_IP: return VT_IP;
	case FT_DATE: return VT_DATE;
	case FT_BOOLEAN: return VT_BOOL;
	case FT_OBJECT: return VT_OBJECT;
	case FT_GEO_POINT: return VT_GEO;
	case FT_VERSION: return VT_VERSION;
	default: return VT_UNKNOWN;
	}
}

static const char *const transform_names[TR__COUNT] = {
#define T(e, s) s,
	IR_TRANSFORMS(T)
#undef T
};

const char *
ir_transform_name(enum ir_transform t)
{
	return t < TR__COUNT ? transform_names[t] : "?";
}

enum fn_id
fn_lookup(const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < FN__COUNT; i++)
		if (strlen(fn_table[i].name) == len &&
		    strncasecmp(fn_table[i].name, name, len) == 0)
			return (enum fn_id)i;
	return FN__COUNT;
}

struct ir_expr *
ir_new(struct arena *a, enum ir_kind k, enum vtype t, struct span sp)
{
	struct ir_expr *e = ARENA_NEW(a, struct ir_expr);

	if (e) {
		e->kind = k;
		e->type = t;
		e->span = sp;
	}
	return e;
}
