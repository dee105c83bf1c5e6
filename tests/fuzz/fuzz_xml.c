/*
 * fuzz_xml.c - libFuzzer target for the ESET Inspect XML loader: the input
 * is one .xml rule file.  Secure reading, normalisation, the structure
 * schema, lowering and the dumps must report problems as diagnostics and
 * never crash, leak or trip a sanitizer.
 *
 * Build: configure CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz_xml -dict=$(srcdir)/tests/fuzz/xml.dict \
 *       $(srcdir)/tests/fuzz/xml-corpus
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
	(void)ud;
	free(rulec_diag_render(d, RULEC_FORMAT_TEXT, 0));
	free(rulec_diag_render(d, RULEC_FORMAT_JSON, 0));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t i;

	rulec_ctx_set_diag_handler(ctx, render, NULL);
	rulec_ctx_load_buffer(ctx, "f.xml", (const char *)data, size);
	for (i = 0; i < rulec_ctx_rule_count(ctx); i++)
		free(rulec_rule_dump(rulec_ctx_rule(ctx, i), RULEC_DUMP_IR));
	rulec_ctx_clear(ctx);
	return 0;
}
