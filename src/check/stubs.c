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

void
check_sequence(struct check_ctx *cc, const struct rc_rule *r)
{
	(void)cc;
	(void)r;
}

void
check_performance(struct check_ctx *cc, const struct rc_rule *r)
{
	(void)cc;
	(void)r;
}

void
check_metadata(struct check_ctx *cc, const struct rc_rule *r)
{
	(void)cc;
	(void)r;
}

void
check_duplicates(struct check_ctx *cc, struct rc_rule *const *rules,
		 size_t n)
{
	(void)cc;
	(void)rules;
	(void)n;
}
