/*
 * check.c - the registry: runs the check families of families.def (see
 * check.h).
 */
#include "check/check.h"

/* The per-rule families, in order. */
static const struct {
	const char *name;
	void (*run)(struct check_ctx *cc, const struct rc_rule *r);
	bool needs_ir;
} rule_families[] = {
#define CHECK_RULE_RULE(name, fn) { #name, fn, false },
#define CHECK_RULE_IR(name, fn) { #name, fn, true },
#define CHECK_RULE_RUN(name, fn)
#define F(name, fn, scope) CHECK_RULE_##scope(name, fn)
#include "check/families.def"
#undef F
};

/* The families across the rules of a run, in order. */
static const struct {
	const char *name;
	void (*run)(struct check_ctx *cc, struct rc_rule *const *rules,
		    size_t n);
} run_families[] = {
#define CHECK_RUN_RULE(name, fn)
#define CHECK_RUN_IR(name, fn)
#define CHECK_RUN_RUN(name, fn) { #name, fn },
#define F(name, fn, scope) CHECK_RUN_##scope(name, fn)
#include "check/families.def"
#undef F
};

void
check_rule(struct check_ctx *cc, const struct rc_rule *r)
{
	size_t i;

	for (i = 0; i < sizeof rule_families / sizeof *rule_families; i++)
		if (r->ir || !rule_families[i].needs_ir)
			rule_families[i].run(cc, r);
}

void
check_run(struct check_ctx *cc, struct rc_rule *const *rules, size_t n)
{
	size_t i;

	for (i = 0; i < sizeof run_families / sizeof *run_families; i++)
		run_families[i].run(cc, rules, n);
}
