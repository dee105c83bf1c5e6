/*
 * check.h - the linter: the check families run on every rule.
 *
 * Design note.  This is the registry's interface, for the loader and the
 * library: check_rule runs every per-rule family of families.def on one
 * rule (the ones that need IR only when the rule has it), check_run the
 * cross-rule ones (duplicate ids and names) once at the end of a run.  The
 * families themselves and the helpers they share are in toolbox.h.
 */
#ifndef RC_CHECK_H
#define RC_CHECK_H

#include "check/toolbox.h"

/* Every per-rule family, in order. */
void check_rule(struct check_ctx *cc, const struct rc_rule *r);
/* Checks across the rules of one run. */
void check_run(struct check_ctx *cc, struct rc_rule *const *rules, size_t n);

#endif
