/*
 * lower.h - resolution, typing and lowering of an EQL syntax tree to IR.
 *
 * One pass over the AST: fields resolve against the schema, every
 * expression gets a type, Elasticsearch's rules that the grammar cannot
 * express are checked (pipes, maxspan, runs, sample clauses, field-to-field
 * comparisons, literal-only positions, functions and their arguments), and
 * the case and wildcard semantics of each operator are fixed in the IR.
 */
#ifndef RC_LOWER_H
#define RC_LOWER_H

#include "base/diag.h"
#include "front/ast.h"
#include "sema/ir.h"
#include "sema/schema.h"

struct lower_ctx {
	struct arena *arena;
	struct diag_sink *diags;
	const struct schema *schema;
	const struct rc_text *text;
	unsigned errors;        /* errors reported by this pass */
};

/* Lowers one statement.  Returns the query, or NULL when the statement
 * cannot be lowered (errors were reported) or memory ran out. */
struct ir_query *lower_eql(struct lower_ctx *lc, const struct ast *stmt);

#endif
