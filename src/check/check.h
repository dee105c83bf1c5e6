/*
 * check.h - the linter: checks that run on the IR of every rule.
 *
 * Design note.  Each check family is one file (schema.c, logic.c,
 * sequence.c, performance.c, metadata.c) with one entry point that looks at
 * a rule's IR and metadata and reports through the sink; check.c runs them
 * in order.  Checks work on the shared IR, so they serve EQL and ESET rules
 * alike, and they speak the rule's language through the IR's source names
 * and spans.  Cross-rule checks (duplicate ids and names) run once at the
 * end of a run.  A check never changes the IR.
 */
#ifndef RC_CHECK_H
#define RC_CHECK_H

#include "base/diag.h"
#include "sema/eset.h"
#include "sema/rule.h"
#include "sema/schema.h"

struct check_ctx {
	struct arena *arena;        /* scratch for diagnostics */
	struct diag_sink *diags;
	const struct schema *schema;
	const struct eset_catalog *eset;
	unsigned logic_budget;      /* work units per condition, 0: default */
};

/* Every per-rule family, in order. */
void check_rule(struct check_ctx *cc, const struct rc_rule *r);
/* Checks across the rules of one run. */
void check_run(struct check_ctx *cc, struct rc_rule *const *rules, size_t n);

/* The families (each in its own file). */
void check_schema(struct check_ctx *cc, const struct rc_rule *r);
void check_logic(struct check_ctx *cc, const struct rc_rule *r);
void check_sequence(struct check_ctx *cc, const struct rc_rule *r);
void check_performance(struct check_ctx *cc, const struct rc_rule *r);
void check_metadata(struct check_ctx *cc, const struct rc_rule *r);
void check_duplicates(struct check_ctx *cc, struct rc_rule *const *rules,
		      size_t n);

/* Calls fn on every expression node of e (pre-order). */
void check_walk(const struct ir_expr *e,
		void (*fn)(void *ud, const struct ir_expr *e), void *ud);

/* How far back a detection rule searches (its "from", Kibana date math
 * "now-9m"; 6 minutes when absent), in ms; -1 for a bare query, a hunt,
 * or date math that is not "now-N<unit>".  *text is the "from" text. */
int64_t check_lookback_ms(const struct rc_rule *r, const char **text);

/* The rule text under an IR span, for "%.*s": SPAN_ARGS(rule, span). */
static inline int
span_len(struct span s)
{
	return s.end > s.start ? (int)(s.end - s.start) : 0;
}

static inline const char *
span_text(const struct rc_rule *r, struct span s)
{
	return s.start <= r->text.len ? r->text.data + s.start : "";
}

#define SPAN_ARGS(r, s) span_len(s), span_text((r), (s))

#endif
