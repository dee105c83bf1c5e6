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
#include "base/strbuf.h"
#include "front/ast.h"
#include "sema/ir.h"

enum rule_lang { LANG_EQL, LANG_ESET_XML };

struct rule_threat {
	const char *tactic_id, *tactic_name;
	const char *technique_id, *technique_name;  /* NULL: tactic only */
	const char *subtechnique_id;                 /* NULL: none */
};

struct rule_action {
	const char *name;
	const char *value;      /* NULL if none */
	struct span span;
	bool legacy;            /* <action>Name</action> */
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
	/* ESET description and rule parts */
	const char *category, *os, *guid, *explanation, *malicious_causes,
		*benign_causes, *recommended_actions;
	const char **mitre;     /* technique ids of mitreattackid */
	size_t nmitre;
	struct rule_action *actions;
	size_t nactions;
	const char *malicious_target;
	bool exclusion;         /* category Exclusion */
	/* ESET: where the parts are in the file, for metadata findings
	 * (JSON rules use the members of r->json instead) */
	struct span rule_span, name_span, severity_span, mitre_span,
		target_span;
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

/* The metadata part of the --dump-ir format. */
void rule_meta_dump(const struct rule_meta *m, struct strbuf *sb);

#endif
