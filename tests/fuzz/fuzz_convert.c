/*
 * fuzz_convert.c - libFuzzer target for `rulec convert`: the first byte
 * picks the input format (.eql, .json, .ndjson, .toml, .xml), the rest is
 * the file.  Each rule read is converted to every form, with and without
 * --drop-unconvertible; each converted text is read back as that form.
 * Nothing may crash, leak or trip a sanitizer, and a conversion into the
 * source's own language (EQL to eql, kibana or toml; ESET to xml) that
 * states no loss must read back to the same query: the `query` part of
 * the IR dump of the converted rule equals the original's (abort()
 * otherwise, which the fuzzer reports as a finding).  An exact
 * conversion into the other language reads back to an IR of another
 * shape with the same matches (an `in~` list becomes an OR of `is`, the
 * operation an event.category/type test): that relation is proven by
 * replay (scripts/convert-corpus, tests/scripts/prove.sh), not here.
 *
 * Build: configure CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz_convert -dict=$(srcdir)/tests/fuzz/eql.dict \
 *       $(srcdir)/tests/fuzz/eql-corpus $(srcdir)/tests/fuzz/xml-corpus
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rulec.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* The source rules and the converted ones read back: one context each
 * for the whole run (cleared after each input). */
static rulec_ctx *ctx, *back;
static int src_xml;     /* the input is an ESET XML file */

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	ctx = rulec_ctx_new();
	back = rulec_ctx_new();
	if (!ctx || !back)
		return 1;
	rulec_ctx_set_checks(ctx, 0);
	rulec_ctx_set_checks(back, 0);
	return 0;
}

static void
drop(void *ud, const rulec_diag *d)
{
	char *s = rulec_diag_render(d, RULEC_FORMAT_TEXT, 0);

	(void)ud;
	free(s);
}

/* The query part of an IR dump: from its `query` line up to the
 * `exceptions` section (the metadata before it differs between forms by
 * design; the Kibana exception lists after it are not part of the query
 * and the bare forms do not carry them). */
static void
query_part(const char *dump, const char **start, size_t *len)
{
	const char *q = strncmp(dump, "query", 5) == 0 ? dump
			: strstr(dump, "\nquery");
	const char *end;

	q = q ? q + (*q == '\n') : dump;
	end = strstr(q, "\nexceptions\n");
	*start = q;
	*len = end ? (size_t)(end - q) : strlen(q);
	while (*len && q[*len - 1] == '\n')
		(*len)--;
}

struct form {
	enum rulec_form form;
	const char *name;       /* the read-back file name: its format */
};

static void
on_converted(void *ud, const rulec_converted *c)
{
	const struct form *f = ud;
	char *a, *b;

	if (!c->text)
		return;
	rulec_ctx_clear(back);
	if (rulec_ctx_load_buffer(back, f->name, c->text, c->len) != 1)
		return;         /* a printer fault, but not a crash: the
		                   differential check reports these */
	if (c->broader || c->narrower || c->unrelated || c->dropped)
		return;
	if ((f->form == RULEC_FORM_XML) != src_xml)
		return;         /* the other language: see the top comment */
	a = rulec_rule_dump(c->rule, RULEC_DUMP_IR);
	b = rulec_rule_dump(rulec_ctx_rule(back, 0), RULEC_DUMP_IR);
	if (a && b) {
		const char *qa, *qb;
		size_t na, nb;
		query_part(a, &qa, &na);
		query_part(b, &qb, &nb);
		if (na != nb || memcmp(qa, qb, na) != 0) {
			fprintf(stderr, "exact conversion to %s changed the query:\n--- original\n%.*s\n--- converted\n%.*s\n--- text\n%.*s\n",
				f->name, (int)na, qa, (int)nb, qb, (int)c->len,
				c->text);
			abort();
		}
	}
	free(a);
	free(b);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = { "f.eql", "f.json", "f.ndjson",
					     "f.toml", "f.xml" };
	static const struct form forms[] = {
		{ RULEC_FORM_EQL, "c.eql" }, { RULEC_FORM_KIBANA, "c.ndjson" },
		{ RULEC_FORM_TOML, "c.toml" }, { RULEC_FORM_XML, "c.xml" }
	};

	if (size == 0)
		return 0;
	rulec_ctx_set_diag_handler(ctx, drop, NULL);
	rulec_ctx_set_diag_handler(back, drop, NULL);
	src_xml = data[0] % 5 == 4;
	rulec_ctx_load_buffer(ctx, names[data[0] % 5], (const char *)data + 1,
			      size - 1);
	for (size_t i = 0; i < sizeof forms / sizeof *forms; i++) {
		rulec_ctx_convert(ctx, forms[i].form, 0, on_converted,
				  (void *)&forms[i]);
		rulec_ctx_convert(ctx, forms[i].form, RULEC_CONVERT_DROP,
				  on_converted, (void *)&forms[i]);
	}
	rulec_ctx_clear(back);
	rulec_ctx_clear(ctx);
	return 0;
}
