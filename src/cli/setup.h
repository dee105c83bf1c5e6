/*
 * setup.h - what the command line says about the run's settings, applied
 * in their order: the configuration file first (.rulec.toml, found from
 * the current folder upward, or --config FILE, or none with --no-config),
 * then the command line's -W, --schema and --eset-catalog options in the
 * order given, so that the command line wins; the configuration's run
 * defaults fill the replay options not given; then the baseline.
 */
#ifndef RC_CLI_SETUP_H
#define RC_CLI_SETUP_H

#include <stdbool.h>
#include <stddef.h>

#include "cli/cli.h"
#include "rulec.h"

struct cli_deferred {
	int opt;
	const char *arg;
};

struct cli_setup {
	const char *config;             /* --config FILE */
	bool no_config;                 /* --no-config */
	const char *baseline;           /* --baseline FILE */
	const char *write_baseline;     /* --write-baseline FILE */
	struct cli_deferred *deferred;  /* -W, --schema, --eset-catalog */
	int ndeferred;
	bool given[O__COUNT];           /* options on the command line */
	bool failed;                    /* the configuration or baseline has
					   errors (reported): exit status 2 */
};

/* Room for argc deferred options; false when out of memory. */
bool cli_setup_init(struct cli_setup *cs, int argc);
void cli_setup_free(struct cli_setup *cs);
/* Notes that option opt was given; true when it is one of the setup's
 * own (kept for cli_setup_apply), false when the caller handles it. */
bool cli_setup_option(struct cli_setup *cs, int opt, const char *arg);
/* Reads the configuration for command cmd (lint, compile, run and test
 * read one), applies the deferred options and the run defaults, reads or
 * starts the baseline.  0, or 2 after a usage error (reported). */
int cli_setup_apply(struct cli_setup *cs, rulec_ctx *ctx, int cmd,
		    rulec_replay_opts *replay);
/* After rulec_ctx_finish: reports unused suppressions and stale baseline
 * entries, writes the baseline being recorded.  0, or 2 when it cannot
 * be written (reported). */
int cli_setup_after_lint(struct cli_setup *cs, rulec_ctx *ctx);
/* The summary's baseline line (after rulec's summary line). */
void cli_setup_summary(const struct cli_setup *cs, const rulec_ctx *ctx);

/* The check name, family or -W group closest to `name` (for "did you
 * mean"), or NULL; groups adds the words only -W knows. */
const char *cli_suggest_check(const char *name, bool groups);
/* Ends a message on stderr with "; did you mean 'x'?" when best is not
 * NULL. */
void cli_print_mean(const char *best);

#endif
