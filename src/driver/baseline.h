/*
 * baseline.h - a record of known findings, so that -Werror can hold a
 * repository to "no new findings" before the old ones are fixed.
 *
 * Design note.  A baseline is a JSON file (docs/configuration.md) that
 * rulec writes (--write-baseline) and reads (--baseline).  Each entry
 * says which rule, which check, a fingerprint and how many times; lines
 * and columns are left out on purpose, so that an edit elsewhere in the
 * file (a rule added above, a reformatted export) does not invalidate it.
 * The fingerprint is a 64-bit FNV-1a hash of
 *   - the rule: its rule_id, else its name, else its file (relative to the
 *     baseline's folder) -- a bare .eql query or a problem with a whole
 *     file;
 *   - the check id;
 *   - the message, and the source text under the diagnostic's span, both
 *     with runs of white space taken as one space.
 * The same finding twice in one rule is one entry with a count: a run
 * lets that many through.  The io family (unreadable files, the
 * configuration, test files) is never baselined.  Read entries that a run
 * does not meet, in rules it read, are stale (RC9306).
 *
 * Both directions act through the context's diagnostic filter: a read
 * baseline takes the findings it holds, a baseline being written takes
 * every finding and records it.
 */
#ifndef RC_DRIVER_BASELINE_H
#define RC_DRIVER_BASELINE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "driver/load.h"
#include "sema/rule.h"

struct baseline;

void baseline_free(struct baseline *b);
/* Whether b takes d: a read baseline when it holds d (one of its count
 * used up), a recording one always (d recorded).  Counted. */
bool baseline_takes(struct baseline *b, const struct diag *d);
/* One note (RC9306) for the entries of a read baseline that the run did
 * not meet, among those whose rule (or file) it read. */
void baseline_report_stale(struct baseline *b, struct diag_sink *s,
			   struct rc_rule *const *rules, size_t n,
			   const struct source_list *sources);
/* Findings taken so far. */
unsigned baseline_taken(const struct baseline *b);
/* The recorded findings as a baseline file (malloc'd). */
char *baseline_render(const struct baseline *b);
/* The file the baseline was read from, or will be written to. */
const struct rc_source *baseline_source(const struct baseline *b);

#endif
