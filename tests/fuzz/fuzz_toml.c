/*
 * fuzz_toml.c - libFuzzer target for the TOML rule reader: the input is a
 * detection-rules TOML file, read through the driver's loader as
 * `rulec lint` reads a .toml file (base/toml.cc into the JSON DOM, the
 * rule object schema, the query's front end, the checks), then dumped and
 * compiled.  Everything must be reported as diagnostics (each rendered as
 * text and JSON), never crash, leak or trip a sanitizer.  Nothing is
 * printed.
 *
 * Build: configure CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz_toml -dict=$(srcdir)/tests/fuzz/toml.dict \
 *       $(srcdir)/tests/fuzz/toml-corpus
 * (or scripts/fuzz fuzz_toml).  The seeds were written by hand.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rulec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* One context for the whole run (cleared after each input), so that the
 * catalogues are built once. */
static rulec_ctx *ctx;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ctx = rulec_ctx_new();
	return ctx ? 0 : 1;
}

static void
render(void *ud, const rulec_diag *d)
{
	char *s = rulec_diag_render(d, RULEC_FORMAT_TEXT, 0);

	(void)ud;
	if (!s)
		abort();
	free(s);
	s = rulec_diag_render(d, RULEC_FORMAT_JSON, 0);
	if (!s)
		abort();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	unsigned char *img = NULL;
	size_t i, len = 0;
	char err[256];

	rulec_ctx_set_diag_handler(ctx, render, NULL);
	rulec_ctx_load_buffer(ctx, "rule.toml", (const char *)data, size);
	for (i = 0; i < rulec_ctx_rule_count(ctx); i++) {
		free(rulec_rule_dump(rulec_ctx_rule(ctx, i), RULEC_DUMP_AST));
		free(rulec_rule_dump(rulec_ctx_rule(ctx, i), RULEC_DUMP_IR));
	}
	rulec_ctx_finish(ctx);
	if (rulec_ctx_compile(ctx, &img, &len, err, sizeof err) >= 0)
		free(img);
	rulec_ctx_clear(ctx);
	return 0;
}
