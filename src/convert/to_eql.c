/*
 * to_eql.c - the IR printed as an EQL query (see convert.h).
 *
 * (Being written: today a rule written in EQL gives its query as written,
 * and printing from the IR refuses the rule.)
 */
#include "convert/convert.h"

void
conv_ir_to_eql(struct conv *c, const struct ir_query *q, struct strbuf *out)
{
	(void)out;
	conv_loss(c, CONV_REFUSED, q->span, "printing EQL from the IR is "
		  "not written yet");
}

void
conv_query_to_eql(struct conv *c, struct strbuf *out)
{
	const struct rc_rule *r = c->rule;

	if (r->lang == LANG_EQL) {
		sb_put(out, r->text.data, r->text.len);
		return;
	}
	conv_ir_to_eql(c, r->ir, out);
}
