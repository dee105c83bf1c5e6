/*
 * ast.h - the EQL syntax tree.
 *
 * Design note.  The parser builds these nodes and nothing else: one
 * constructor call per grammar action, no checking (that is sema's job).
 * One node struct serves every kind; ast.def says which fields each kind
 * uses.  Children that form a list (stages, pipe arguments, `in` items) are
 * linked through `next`, with `list`/`tail` in the parent so appending is
 * O(1).  Every node has the byte span it was parsed from.  Nodes live in the
 * compilation's arena.
 */
#ifndef RC_AST_H
#define RC_AST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/source.h"
#include "base/strbuf.h"

enum ast_kind {
#define X(e, name, slots) e,
#include "front/ast.def"
#undef X
	A__COUNT
};

/* Operators, with their spelling. */
#define AST_OPS(O) \
	O(OP_NONE, "") \
	O(OP_EQ, "==") O(OP_NE, "!=") O(OP_LT, "<") O(OP_LE, "<=") \
	O(OP_GT, ">") O(OP_GE, ">=") O(OP_ASSIGN, "=") \
	O(OP_IN, "in") O(OP_IN_I, "in~") \
	O(OP_COLON, ":") O(OP_LIKE, "like") O(OP_LIKE_I, "like~") \
	O(OP_REGEX, "regex") O(OP_REGEX_I, "regex~") \
	O(OP_ADD, "+") O(OP_SUB, "-") O(OP_MUL, "*") O(OP_DIV, "/") \
	O(OP_MOD, "%")

enum ast_op {
#define O(e, s) e,
	AST_OPS(O)
#undef O
	OP__COUNT
};

const char *ast_op_name(enum ast_op op);

enum ast_flag {
	AF_ANY = 1 << 0,          /* EVENT: `any where` */
	AF_QUOTED = 1 << 1,       /* EVENT: category written as a string */
	AF_MISSING = 1 << 2,      /* TERM: ![ ... ] */
	AF_NEGATED = 1 << 3,      /* IN: `not in` */
	AF_LIST = 1 << 4,         /* MATCH: parenthesised list */
	AF_OPTIONAL = 1 << 5,     /* FIELD: ?field */
	AF_TILDE = 1 << 6,        /* CALL: name~(...) */
	AF_RAW = 1 << 7,          /* STRING: """...""" */
	AF_BY_AFTER_WITH = 1 << 8,/* SEQUENCE: `with maxspan ... by` */
	AF_PAREN = 1 << 9,        /* any: was written in parentheses */
};

struct ast {
	enum ast_kind kind;
	enum ast_op op;
	unsigned flags;
	struct span span;
	const char *str;        /* name, category or decoded string */
	size_t slen;
	int64_t ival;
	double dval;
	struct ast *kid[3];
	struct ast *list, *tail; /* list children */
	struct ast *next;        /* sibling in the parent's list */
	size_t nlist;
	unsigned depth;          /* 1 + the depth of the deepest child */
};

/* Deeper trees are refused before any recursive walk (lowering, dumps):
 * left-recursive chains such as a + b + c ... grow the tree without
 * growing the parser's stack. */
enum { AST_MAX_DEPTH = 1000 };

const char *ast_kind_name(enum ast_kind k);

/* Constructors; all return NULL (and leave a->oom set) when out of memory,
 * and accept NULL children so that a parse that ran out of memory unwinds
 * without crashing. */
struct ast *ast_new(struct arena *a, enum ast_kind k, struct span sp);
struct ast *ast_new1(struct arena *a, enum ast_kind k, struct span sp,
		     enum ast_op op, struct ast *k0);
struct ast *ast_new2(struct arena *a, enum ast_kind k, struct span sp,
		     enum ast_op op, struct ast *k0, struct ast *k1);
struct ast *ast_str(struct arena *a, enum ast_kind k, struct span sp,
		    const char *s, size_t n);
/* Appends `child` to `parent`'s list and widens the parent's span. */
struct ast *ast_append(struct ast *parent, struct ast *child);

/* Readable indented dump (the --dump-ast format). `t` turns spans into
 * line:col ranges. */
void ast_dump(const struct ast *n, const struct rc_text *t, struct strbuf *sb);

#endif
