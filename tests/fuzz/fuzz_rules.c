/*
 * fuzz_rules.c - libFuzzer target for the EQL front end and the rule-file
 * loader: the first byte picks the format (.eql, .json, .ndjson, .toml),
 * the rest is the file, which is loaded, dumped and compiled.  Everything
 * must be reported as diagnostics, never crash, leak or trip a sanitizer.
 *
 * Build: configure CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz_rules -dict=$(srcdir)/tests/fuzz/eql.dict \
 *       $(srcdir)/tests/fuzz/eql-corpus
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
drop(void *ud, const rulec_diag *d)
{
	char *s = rulec_diag_render(d, RULEC_FORMAT_TEXT, 0);

	(void)ud;
	free(s);
	s = rulec_diag_render(d, RULEC_FORMAT_JSON, 0);
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "f.eql", "f.json", "f.ndjson",
					     "f.toml" };
	unsigned char *img = NULL;
	size_t i, len = 0;
	char err[256];

	if (size == 0)
		return 0;
	rulec_ctx_set_diag_handler(ctx, drop, NULL);
	rulec_ctx_load_buffer(ctx, names[data[0] % 4], (const char *)data + 1,
			      size - 1);
	for (i = 0; i < rulec_ctx_rule_count(ctx); i++) {
		free(rulec_rule_dump(rulec_ctx_rule(ctx, i), RULEC_DUMP_AST));
		free(rulec_rule_dump(rulec_ctx_rule(ctx, i), RULEC_DUMP_IR));
	}
	/* the cross-rule checks and compilation (an export's exception
	 * lists are bound, then applied to its rules) */
	rulec_ctx_finish(ctx);
	if (rulec_ctx_compile(ctx, &img, &len, err, sizeof err) >= 0)
		free(img);
	rulec_ctx_clear(ctx);
	return 0;
}
