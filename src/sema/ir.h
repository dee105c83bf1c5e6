/*
 * ir.h - the typed intermediate representation shared by both languages.
 *
 * Design note.  A rule is metadata plus a query: one event filter, a
 * sequence (stages, join keys, maxspan, until, runs, missing stages) or a
 * sample.  Conditions are typed expression trees.  Everything the
 * evaluation needs to know is explicit here, decided once at lowering and
 * never again at run time:
 *   - every string comparison says whether it is case-insensitive (`ci`);
 *   - a pattern match says whether it is a wildcard or a regex;
 *   - a field says its schema type, whether it holds an array (then a test
 *     is true when any element passes), and whether it is optional (`?f`);
 *   - a field keeps the name the rule was written with (`src_name`) next to
 *     its canonical ECS name, so diagnostics speak the rule's language.
 * `and`/`or` are n-ary.  Nodes live in the compilation arena.
 */
#ifndef RC_IR_H
#define RC_IR_H

#include <stdbool.h>
#include <stdint.h>

#include "base/source.h"
#include "base/strbuf.h"
#include "sema/schema.h"

/* Value types, with their names in dumps and messages. */
#define IR_VTYPES(V) \
	V(VT_UNKNOWN, "unknown")  /* a field the schema does not know */ \
	V(VT_NULL, "null") \
	V(VT_BOOL, "boolean") \
	V(VT_LONG, "long") \
	V(VT_DOUBLE, "double") \
	V(VT_NUMBER, "number")    /* long or double, decided by operands */ \
	V(VT_STRING, "keyword") \
	V(VT_IP, "ip") \
	V(VT_DATE, "date") \
	V(VT_OBJECT, "object") \
	V(VT_GEO, "geo_point") \
	V(VT_VERSION, "version")  /* a keyword ordered as a semantic version */

enum vtype {
#define V(e, s) e,
	IR_VTYPES(V)
#undef V
	VT__COUNT
};

const char *vtype_name(enum vtype t);
enum vtype vtype_of_field(enum rc_ftype t);
static inline bool
vtype_numeric(enum vtype t)
{
	return t == VT_LONG || t == VT_DOUBLE || t == VT_NUMBER;
}

/* Operators of comparisons (EQ..GE) and arithmetic (ADD..MOD), with their
 * spelling in dumps and messages.  Each group is contiguous and in this
 * order: code generation maps them onto its opcodes by offset.  Lowering
 * maps the front ends' operators onto these (EQL's `=` is `==` here). */
#define IR_OPS(O) \
	O(IR_OP_EQ, "==") O(IR_OP_NE, "!=") O(IR_OP_LT, "<") \
	O(IR_OP_LE, "<=") O(IR_OP_GT, ">") O(IR_OP_GE, ">=") \
	O(IR_OP_ADD, "+") O(IR_OP_SUB, "-") O(IR_OP_MUL, "*") \
	O(IR_OP_DIV, "/") O(IR_OP_MOD, "%")

enum ir_op {
#define O(e, s) e,
	IR_OPS(O)
#undef O
	IR_OP__COUNT
};

const char *ir_op_name(enum ir_op op);

enum fn_id {
#define X(e, name, min, max, tilde, res, args, es, impl) e,
#include "sema/functions.def"
#undef X
	FN__COUNT
};

struct fn_info {
	const char *name;
	int min, max;           /* max -1: variadic */
	bool tilde, es;
	enum vtype result;
	const char *args;
};
extern const struct fn_info fn_table[FN__COUNT];
/* Case-insensitive lookup; FN__COUNT when unknown. */
enum fn_id fn_lookup(const char *name, size_t len);

struct ir_value {
	enum vtype type;        /* NULL, BOOL, LONG, DOUBLE or STRING */
	struct span span;
	union {
		bool b;
		int64_t i;
		double d;
		struct { const char *s; size_t len; } s;
	} u;
};

/* How a field of another language maps to its ECS name. */
enum ir_map { MAP_SAME, MAP_EXACT, MAP_APPROX, MAP_NONE };

/* A value derived from the mapped field rather than the field itself. */
#define IR_TRANSFORMS(T) \
	T(TR_NONE, "") T(TR_DIRNAME, "dirname") T(TR_STEM, "stem") \
	T(TR_EXT, "ext") T(TR_DAYOFWEEK, "dayofweek") T(TR_HOUR, "hour") \
	T(TR_MINUTE, "minute") T(TR_INBOUND, "inbound")

enum ir_transform {
#define T(e, s) e,
	IR_TRANSFORMS(T)
#undef T
	TR__COUNT
};

const char *ir_transform_name(enum ir_transform t);

struct ir_field {
	const char *name;       /* canonical (ECS) dotted name */
	const char *src_name;   /* as written in the rule (ESET:
	                           Component.Property) */
	const struct schema_field *def; /* NULL if the schema lacks it */
	bool array;
	bool optional;
	enum ir_map map;        /* MAP_SAME for EQL */
	enum ir_transform transform;
	unsigned ipfam;         /* 4 or 6: the field exists only for addresses
	                           of that family (ESET IpAddressV4/V6) */
};

enum ir_kind {
	IR_CONST, IR_FIELD, IR_AND, IR_OR, IR_NOT, IR_CMP, IR_IN, IR_MATCH,
	IR_CALL, IR_ARITH, IR_NEG, IR_ANCESTOR
};

enum ir_match_mode { MATCH_WILDCARD, MATCH_REGEX };

struct ir_expr {
	enum ir_kind kind;
	enum vtype type;
	struct span span;
	union {
		struct ir_value c;                      /* CONST */
		struct ir_field f;                      /* FIELD */
		struct { struct ir_expr **v; size_t n; } list; /* AND, OR */
		struct ir_expr *sub;                    /* NOT, NEG */
		struct {                                /* CMP */
			enum ir_op op;                  /* IR_OP_EQ..GE */
			bool ci;
			struct ir_expr *l, *r;
		} cmp;
		struct {                                /* IN */
			struct ir_expr *l;
			struct ir_value *v;
			size_t n;
			bool ci, neg;
		} in;
		struct {                                /* MATCH */
			struct ir_expr *l;
			struct ir_value *v;             /* patterns */
			size_t n;
			enum ir_match_mode mode;
			bool ci;
		} match;
		struct {                                /* CALL */
			enum fn_id fn;
			bool ci;
			struct ir_expr **args;
			size_t n;
		} call;
		struct {                                /* ARITH */
			enum ir_op op;                  /* IR_OP_ADD..MOD */
			struct ir_expr *l, *r;
		} arith;
		/* ANCESTOR: some ancestor of the event's process satisfies
		 * `sub`, whose fields (process.*) describe that ancestor.
		 * distance N > 0: exactly N levels up (1 is the parent);
		 * 0: any level above `skip` levels; unique folds runs of the
		 * same executable into one level. */
		struct {
			unsigned distance, skip;
			bool unique;
			struct ir_expr *sub;
		} anc;
	} u;
};

struct ir_stage {
	const char *category;   /* NULL: any event */
	struct span span;
	struct ir_expr *cond;
	struct ir_expr **keys;  /* shared `sequence by` keys first */
	size_t nkeys, nshared;
	unsigned runs;          /* 1 unless `with runs=N` */
	bool missing;           /* ![...] */
};

#define IR_QKINDS(Q) \
	Q(Q_EVENT, "event") Q(Q_SEQUENCE, "sequence") Q(Q_SAMPLE, "sample")

enum ir_qkind {
#define Q(e, s) e,
	IR_QKINDS(Q)
#undef Q
};

const char *ir_qkind_name(enum ir_qkind k);

enum ir_pipe_kind { PIPE_HEAD, PIPE_TAIL };

struct ir_pipe {
	enum ir_pipe_kind kind;
	int64_t n;
	struct span span;
};

struct ir_query {
	enum ir_qkind kind;
	unsigned repeat;         /* ESET sequence count (1: once) */
	struct span span;
	struct ir_stage *stages;
	size_t nstages;
	struct ir_stage *until;  /* NULL if none */
	int64_t maxspan_ms;      /* -1 if none */
	struct span maxspan_span;
	struct ir_pipe *pipes;
	size_t npipes;
};

struct arena;
/* A zeroed node of kind k, or NULL when out of memory. */
struct ir_expr *ir_new(struct arena *a, enum ir_kind k, enum vtype t,
		       struct span sp);

/* The readable --dump-ir format. */
void ir_dump(const struct ir_query *q, const struct rc_text *t,
	     struct strbuf *sb);
void ir_dump_expr(const struct ir_expr *e, const struct rc_text *t,
		  struct strbuf *sb, unsigned depth);

#endif
