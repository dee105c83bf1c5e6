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
	rulec_ctx *ctx = rulec_ctx_new();
	size_t i;

	if (!ctx)
		return 0;
	rulec_ctx_set_diag_handler(ctx, render, NULL);
	rulec_ctx_load_buffer(ctx, "f.xml", (const char *)data, size);
	for (i = 0; i < rulec_ctx_rule_count(ctx); i++)
		free(rulec_rule_dump(rulec_ctx_rule(ctx, i), RULEC_DUMP_IR));
	rulec_ctx_free(ctx);
	return 0;
}
