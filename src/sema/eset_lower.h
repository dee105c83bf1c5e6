/*
 * eset_lower.h - lowering of an ESET Inspect XML rule to the shared IR.
 *
 * Design note.  The semantics (DESIGN.md section 4, docs/eset-xml.md):
 *   - a rule is evaluated on each event; `process` conditions describe the
 *     process performing the operation, `parentprocess` its parent,
 *     `ancestor` its ancestors (an IR_ANCESTOR quantifier);
 *   - for CreateProcess the event is the start of the created process: the
 *     operation's components describe it (`process.*`), so the rule's
 *     `process` is `process.parent.*` and everything above moves up a level;
 *     with several operations, each gets its own copy of the holders;
 *   - a condition on a property the event lacks is false, so `isnot` and
 *     the `not...` relations require the property; `NOT` of a condition on
 *     a missing property is true;
 *   - strings compare case-insensitively; IP values (single addresses or
 *     CIDR networks) mean membership; named constants become numbers;
 *   - every property maps to an ECS field through schemas/eset-ecs.tsv,
 *     marked exact or approximate; the IR keeps both names.
 */
#ifndef RC_ESET_LOWER_H
#define RC_ESET_LOWER_H

#include <libxml/tree.h>

#include "base/diag.h"
#include "sema/eset.h"
#include "sema/rule.h"
#include "sema/schema.h"

struct xml_index;

struct eset_lower {
	struct arena *arena;
	struct diag_sink *diags;
	const struct rc_text *text;
	const struct eset_catalog *cat;
	const struct schema *schema;   /* ECS, for the mapped fields' types */
	const struct xml_index *index; /* element positions in the text */
	unsigned errors;
	bool quiet;                    /* lowering a repeated part */
};

/* Fills r->meta (the metadata record, meta.h) and r->ir from a
 * normalised, validated document.  r->ir stays NULL when the rule has
 * errors. */
void eset_lower_rule(struct eset_lower *el, xmlDoc *doc, struct rc_rule *r);
/* The id and name that eset_lower_rule will give the rule of doc (the
 * last <name> and <guid> of its <description>), read before the structure
 * check so that its diagnostics can name the rule; NULL when absent. */
void eset_rule_ident(struct arena *a, xmlDoc *doc, const char **id,
		     const char **name);

#endif
