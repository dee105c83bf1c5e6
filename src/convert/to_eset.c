/*
 * to_eset.c - the IR printed as an ESET Inspect <rule> document (see
 * convert.h).
 *
 * (Being written: today every rule is refused.)
 */
#include "convert/convert.h"

void
conv_rule_to_eset(struct conv *c, struct strbuf *out)
{
	(void)out;
	conv_loss(c, CONV_REFUSED, c->rule->ir->span, "printing ESET XML is "
		  "not written yet");
}
