/*
 * stubs.c - empty check families not written yet; each is removed when its
 * family lands.
 */
#include "check/check.h"

void
check_logic(struct check_ctx *cc, const struct rc_rule *r)
{
	(void)cc;
	(void)r;
}

