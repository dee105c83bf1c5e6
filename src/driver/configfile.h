/*
 * configfile.h - the configuration file (.rulec.toml, docs/configuration.md)
 * as the library holds it once read.
 *
 * Design note.  rulec_ctx_load_config (configfile.c) reads the file through
 * base/toml.cc, so every problem is a diagnostic located in it (RC9301 for
 * TOML itself, RC9302 for an unknown key with the closest known one, RC9303
 * for a value of the wrong kind), and applies what it can at once: check
 * levels and -Werror promotions go into the context's sink, schema files
 * into its schema.  What acts later stays here: the excluded globs (asked
 * by the loader's folder walk), the suppressions (asked by the context's
 * diagnostic filter, counting what each suppresses so that unused ones can
 * be reported) and the run defaults (asked by the program).  Globs are
 * relative to the file's folder, kept in canonical form.  The file's text
 * stays with the configuration, for the notes about unused suppressions
 * made at the end of a run.
 */
#ifndef RC_DRIVER_CONFIG_H
#define RC_DRIVER_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "sema/rule.h"

struct config;

void config_free(struct config *c);
/* Whether a folder walk skips entry `name` of the canonical folder
 * `dir` (an excluded glob matches it). */
bool config_excluded(const struct config *c, const char *dir,
		     const char *name, bool is_dir);
/* Whether a suppression of the configuration takes d (counted). */
bool config_suppresses(struct config *c, const struct diag *d);
/* Notes (RC9304) for the checks of suppressions that took nothing in a
 * rule they name among rules[0..n). */
void config_report_unused(struct config *c, struct diag_sink *s,
			  struct rc_rule *const *rules, size_t n);
/* The configuration file's own source (its diagnostics are never
 * suppressed). */
const struct rc_source *config_source(const struct config *c);

#endif
