/*
 * convert.c - rulec_ctx_convert: the rules read so far, each converted
 * (src/convert/) and handed to the caller.
 *
 * Design note.  Conversion needs nothing but the rule's IR and metadata,
 * so it runs after loading, rule by rule, with the context's diagnostic
 * sink naming the rule; the converted text lives only for the handler's
 * call (one scratch arena per rule, released after it).
 */
#include "rulec.h"

#include <stdlib.h>

#include "convert/convert.h"
#include "driver/ctx.h"

static enum conv_form
form_of(enum rulec_form f)
{
	switch (f) {
	case RULEC_FORM_EQL:    return CONV_EQL;
	case RULEC_FORM_KIBANA: return CONV_KIBANA;
	case RULEC_FORM_TOML:   return CONV_TOML;
	case RULEC_FORM_XML:    return CONV_XML;
	}
	return CONV__COUNT;
}

int
rulec_ctx_convert(rulec_ctx *ctx, enum rulec_form to, unsigned flags,
		  rulec_convert_fn fn, void *ud)
{
	enum conv_form form = form_of(to);
	struct arena scratch;
	size_t i;
	int failed = 0;

	if (form == CONV__COUNT)
		return RULEC_ERR_ARG;
	arena_init(&scratch, NULL);
	for (i = 0; i < ctx->rules.n; i++) {
		const struct rc_rule *r = ctx->rules.v[i];
		struct strbuf out = STRBUF_INIT;
		rulec_converted rc = { (const rulec_rule *)r, NULL, 0, NULL,
				       0, 0, 0, 0, 0 };
		struct conv c;

		if (!r->ir) {           /* its errors are reported */
			failed++;
			if (fn)
				fn(ud, &rc);
			continue;
		}
		c.arena = &scratch;
		c.diags = &ctx->sink;
		c.eset = ctx->eset;
		c.schema = ctx->schema;
		c.drop = (flags & RULEC_CONVERT_DROP) != 0;
		conv_init(&c, r);
		ctx->sink.rule = rule_diag_ident(r);
		if (conv_rule(&c, form, &out)) {
			if (out.oom) {
				sb_free(&out);
				conv_free(&c);
				arena_release(&scratch);
				return RULEC_ERR_NOMEM;
			}
			rc.text = out.data ? out.data : "";
			rc.len = out.len;
		} else {
			failed++;
		}
		rc.file_name = conv_file_name(&c, form);
		rc.broader = c.broader;
		rc.narrower = c.narrower;
		rc.unrelated = c.unrelated;
		rc.dropped = c.dropped;
		rc.refused = c.refused;
		if (fn)
			fn(ud, &rc);
		ctx->sink.rule = (struct diag_rule){ NULL, NULL, false };
		sb_free(&out);
		conv_free(&c);
		arena_release(&scratch);
		arena_init(&scratch, NULL);
	}
	arena_release(&scratch);
	return failed;
}
