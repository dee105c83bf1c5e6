/*
 * toolbox.h - what every check family works with: the context, the
 * declarations of the family entries, and the helpers they share.
 *
 * Design note.  Each check family is one file (schema.c, logic.c,
 * sequence.c, performance.c, metadata.c) with one entry point that looks at
 * a rule's IR and metadata record and reports through the sink; the
 * registry (check.c, over families.def) runs them in order.  A family
 * includes this header, never the registry's: the families call into the
 * toolbox, the registry calls the families, and nothing calls back.
 * Checks work on the shared IR, so they serve EQL and ESET rules alike, and
 * they speak the rule's language through the IR's source names and spans.
 * A check never changes the IR.
 */
#ifndef RC_CHECK_TOOLBOX_H
#define RC_CHECK_TOOLBOX_H

#include "base/diag.h"
#include "base/strbuf.h"
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

/* The family entries (families.def), each in its own file. */
#define CHECK_ENTRY_RULE(fn) \
	void fn(struct check_ctx *cc, const struct rc_rule *r);
#define CHECK_ENTRY_IR(fn) CHECK_ENTRY_RULE(fn)
#define CHECK_ENTRY_RUN(fn) \
	void fn(struct check_ctx *cc, struct rc_rule *const *rules, size_t n);
#define F(name, fn, scope) CHECK_ENTRY_##scope(fn)
#include "check/families.def"
#undef F

/* Calls fn on every expression node of e (pre-order). */
void check_walk(const struct ir_expr *e,
		void (*fn)(void *ud, const struct ir_expr *e), void *ud);

/* The text of sb as a string of arena a (NULL when out of memory); sb is
 * freed.  Messages are built in a strbuf and kept until they are emitted. */
const char *check_take(struct arena *a, struct strbuf *sb);
/* s[0..n) as a string literal of language lang, in arena a ("\"\"" when
 * out of memory). */
const char *check_quoted(struct arena *a, enum rule_lang lang, const char *s,
			 size_t n);

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
