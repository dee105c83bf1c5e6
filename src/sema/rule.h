/*
 * rule.h - one rule as rulec holds it: where it came from, its metadata,
 * its syntax tree and its IR.
 *
 * Design note.  Rules are created by the loader (driver/load.c) and live in
 * the context's arena.  The metadata is read once, when the rule is loaded,
 * into a record that keeps where each member is written (meta.h), so that
 * later checks can point at the exact member they talk about without the
 * JSON document or the XML; for a bare .eql file it is empty.
 */
#ifndef RC_RULE_H
#define RC_RULE_H

#include <stdbool.h>

#include "base/source.h"
#include "front/ast.h"
#include "sema/except.h"
#include "sema/ir.h"
#include "sema/meta.h"

enum rule_lang { LANG_EQL, LANG_ESET_XML };

struct rc_rule {
	enum rule_lang lang;
	struct rc_source *src;
	struct rc_text text;            /* the query */
	struct rule_meta meta;          /* read once, at loading */
	struct ast *ast;
	struct ir_query *ir;            /* NULL if the rule has errors */
	struct rule_exc exc;            /* Kibana exception lists it uses */
	unsigned errors;                /* errors found in this rule */
};

/* The rule as diagnostics name it (diag.h). */
static inline struct diag_rule
rule_diag_ident(const struct rc_rule *r)
{
	struct diag_rule d = { r->meta.id, r->meta.name,
			       r->lang == LANG_ESET_XML };
	return d;
}

#endif
