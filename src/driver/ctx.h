/*
 * ctx.h - the context behind the public rulec_ctx handle, for the driver's
 * own files (api.c, test.c).
 *
 * Design note.  A context owns two arenas: `cat_arena` for what lives as
 * long as the context (catalogues, schemas, settings) and `arena` for what
 * one load builds (rules, their sources, diagnostics), which
 * rulec_ctx_clear releases.  Every file read is kept in `sources` so that
 * diagnostics can print its lines until the next clear.
 */
#ifndef RC_DRIVER_CTX_H
#define RC_DRIVER_CTX_H

#include "rulec.h"

#include "base/diag.h"
#include "check/check.h"
#include "check/toolbox.h"
#include "driver/load.h"

struct config;
struct baseline;

struct rulec_ctx {
	struct arena cat_arena;     /* catalogues: the context's lifetime */
	struct arena arena;         /* rules, sources, diagnostics */
	struct diag_sink sink;
	struct schema *schema;
	struct eset_catalog *eset;
	struct xml_schema *rng;     /* compiled on first XML rule */
	struct rule_schema *kibana; /* read on first rule object */
	struct check_ctx checks;
	struct rule_list rules;
	struct source_list sources;
	struct exc_set exc;         /* exception lists and items read (arena) */
	bool no_exceptions;         /* rulec_ctx_set_exceptions(ctx, 0) */
	bool no_checks;             /* rulec_ctx_set_checks(ctx, 0) */
	rulec_diag_fn fn;
	void *ud;
	struct config *config;      /* .rulec.toml; NULL: none */
	struct baseline *baseline;  /* --baseline; NULL: none */
	struct baseline *recording; /* --write-baseline; NULL: none */
};

/* rulec_ctx_load_path_as; report_empty: a path that yields no rule is
 * error no-rules (RC9021) (rulec test reports its own, located in the
 * test file). */
int ctx_load_path(rulec_ctx *ctx, const char *path, enum rulec_input fmt,
		  bool report_empty);

/* Reads a whole file into a malloc'd buffer: RULEC_OK, RULEC_ERR_IO
 * (errno set) or RULEC_ERR_NOMEM. */
int ctx_slurp(const char *path, char **data, size_t *len);

#endif
