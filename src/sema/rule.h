/*
 * rule.h - one rule as rulec holds it: where it came from, its metadata,
 * its syntax tree and its IR.
 *
 * Design note.  Rules are created by the loaders (front/load.c) and live in
 * the context's arena.  The metadata keeps pointers into the JSON document
 * (`json`) so that later checks can point at the exact member they talk
 * about; for a bare .eql file there is none.
 */
#ifndef RC_RULE_H
#define RC_RULE_H

#include <stdbool.h>

#include "base/json.h"
#include "base/source.h"
#include "front/ast.h"
#include "sema/ir.h"

enum rule_lang { LANG_EQL, LANG_ESET_XML };

struct rule_threat {
	const char *tactic_id, *tactic_name;
	const char *technique_id, *technique_name;  /* NULL: tactic only */
	const char *subtechnique_id;                 /* NULL: none */
};

struct rule_meta {
	const char *id;         /* rule_id */
	const char *name;
	const char *severity;   /* as written: low, medium, high, critical */
	double risk_score;
	bool has_risk_score;
	const char **index;
	size_t nindex;
	const char *category_field;    /* event_category_override */
	const char *timestamp_field;   /* timestamp_override */
	const char *tiebreaker_field;
	struct rule_threat *threats;
	size_t nthreats;
};

struct rc_rule {
	enum rule_lang lang;
	struct rc_source *src;
	struct rc_text text;            /* the query */
	const struct json_value *json;  /* rule object, NULL for .eql */
	struct rule_meta meta;
	struct ast *ast;
	struct ir_query *ir;            /* NULL if the rule has errors */
	unsigned errors;                /* errors found in this rule */
};

#endif
