/*
 * logic.c - the logic family: value-set reasoning on conditions.
 *
 *   RC4001 always-true      RC4002 never-true      RC4003 redundant-condition
 *   RC4004 duplicate-value  RC4005 covered-pattern RC4006 logic-budget
 *   RC5005 stage-never-matches (a whole sequence stage that is never true)
 *   RC6001 equals-wildcard  RC6002 wildcard-in-list (logic_stars.c)
 *
 * The semantics, the decision procedure and the findings are described in
 * logic.h; this file runs the analysis on each condition of a rule,
 * gathers its findings and emits them.
 */
#include <string.h>

#include "check/logic.h"

/* --- findings ---------------------------------------------------------- */

struct finding *
lg_add_finding(struct an *an, enum diag_id id, struct span sp, const char *msg)
{
	struct finding *f;

	if (!msg || !GROW(an, an->fd, an->nfd, an->capfd))
		return NULL;
	f = &an->fd[an->nfd++];
	memset(f, 0, sizeof *f);
	f->id = id;
	f->span = sp;
	f->msg = msg;
	return f;
}

void
lg_add_note(struct finding *f, struct span sp, const char *msg)
{
	if (f && msg && f->nnotes < MAX_NOTES) {
		f->notes[f->nnotes].span = sp;
		f->notes[f->nnotes++].msg = msg;
	}
}

/* Emits a finding, once per check and span (ESET holders repeated per
 * operation lower to the same condition more than once). */
static void
emit(struct an *an, const struct finding *f)
{
	struct diag_sink *s = an->cc->diags;
	struct diag *d;
	size_t i;
	uint32_t h = hash_u64((uint64_t)f->span.start << 32 ^ f->span.end ^
			      (uint64_t)f->id << 20), pos, it;

	/* a hash of the emitted ones: a list of 100,000 entries may give
	 * as many findings */
	for (pos = hash_first(&an->emix, h);
	     (it = hash_next(&an->emix, h, &pos)) != HASH_NONE;)
		if (an->em[it].id == f->id && an->em[it].span.start ==
		    f->span.start && an->em[it].span.end == f->span.end)
			return;     /* e.g. ESET holders repeated per operation */
	if (an->nem < HASH_NONE && GROW(an, an->em, an->nem, an->capem) &&
	    hash_add(&an->emix, h, (uint32_t)an->nem) == 0) {
		an->em[an->nem].id = f->id;
		an->em[an->nem++].span = f->span;
	}
	d = diag_new(s, f->id, &an->r->text, f->span, "%s", f->msg);
	for (i = 0; i < f->nnotes; i++)
		diag_note(s, d, &an->r->text, f->notes[i].span, "%s",
			  f->notes[i].msg);
	if (f->help)
		diag_help(s, d, "%s", f->help);
	diag_emit(s, d);
}

/* --- conditions -------------------------------------------------------- */

/* Where a condition stands in the rule. */
struct where {
	const char *stage;      /* "stage 2 of the sequence", or NULL */
};

static void
reset(struct an *an)
{
	an->nvars = an->natoms = an->nfd = an->nanc = 0;
	an->vars = NULL;
	an->capv = 0;
	an->atoms = NULL;
	an->capa = 0;
	an->atomix = (struct hash)HASH_INIT_IN(an->a);
	an->varix = (struct hash)HASH_INIT_IN(an->a);
	an->fd = NULL;
	an->capfd = 0;
	an->work = 0;
	an->over = false;
}

/* Value-set analysis of one condition (its syntactic checks are done by
 * the caller). */
static void
analyze(struct an *an, const struct ir_expr *cond, const struct where *w)
{
	struct lnode *root;
	const struct ir_expr **anc;
	size_t i, nanc;

	reset(an);
	root = lg_build(an, cond);
	if (!root || an->a->oom)
		return;
	/* ancestor conditions are analysed after this one, on their own */
	nanc = an->nanc;
	anc = an->anc;
	an->anc = NULL;
	an->capanc = 0;
	an->val = ARENA_NEWV(an->a, int8_t, an->natoms + 1);
	an->pol = ARENA_NEWV(an->a, uint8_t, an->natoms + 1);
	if (!an->val || !an->pol)
		return;
	for (i = 0; i < an->natoms; i++)
		an->val[i] = UNK;
	for (i = 0; i < an->nvars; i++)
		if (!lg_build_classes(an, &an->vars[i])) {
			if (!an->over)
				return;         /* out of memory */
			break;
		}
	if (!an->over)
		lg_compute(an, root);
	if (!an->over)
		lg_judge(an, root);
	if (!an->over)
		lg_each_redundancy(an, root);
	if (an->over || an->a->oom) {
		struct finding *f;
		if (an->a->oom)
			return;
		an->nfd = 0;
		f = lg_add_finding(an, D_LOGIC_BUDGET, cond->span, arena_printf(
			an->a, "this condition is too large for the exact "
			"logic analysis (it used up the budget of %lu steps), "
			"so nothing is claimed about it", an->budget));
		if (f)
			f->help = "split the condition, or raise the budget";
	} else if (w && w->stage && root->xu) {
		/* a stage that never matches: RC5005 instead of RC4002 */
		struct lnode *why = lg_never_reason(root);
		if (why) {
			struct finding *f = &an->fd[why->fu];
			const char *rest = strchr(f->msg, ':');
			f->id = D_STAGE_NEVER;
			f->msg = arena_printf(an->a, "%s never matches:%s",
					      w->stage, rest ? rest + 1 : "");
		}
	}
	for (i = 0; i < an->nfd; i++)
		emit(an, &an->fd[i]);
	for (i = 0; i < nanc; i++)
		analyze(an, anc[i], NULL);
}

/* The list checks, then the value-set analysis, of one condition. */
static void
check_cond(struct an *an, const struct ir_expr *c, const struct where *w)
{
	size_t k;

	an->nfd = 0;
	an->fd = NULL;
	an->capfd = 0;
	an->ndups = 0;
	check_walk(c, lg_list_visit, an);
	lg_star_check(an, c);
	for (k = 0; k < an->nfd; k++)
		emit(an, &an->fd[k]);
	analyze(an, c, w);
}

/* Whether any check this analysis reports is on. */
static bool
logic_enabled(const struct diag_sink *s)
{
	unsigned i;

	for (i = 0; i < D__COUNT; i++)
		if ((diag_table[i].family == FAM_LOGIC || i == D_STAGE_NEVER) &&
		    s->level[i] != SEV_OFF)
			return true;
	return false;
}

void
check_logic(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r ? r->ir : NULL;
	struct an an;
	size_t i;

	if (!q || !cc || !cc->diags || !logic_enabled(cc->diags))
		return;
	memset(&an, 0, sizeof an);
	an.cc = cc;
	an.r = r;
	an.eset = r->lang == LANG_ESET_XML;
	an.budget = cc->logic_budget ? cc->logic_budget : DEFAULT_BUDGET;
	arena_init(&an.arena, NULL);
	an.a = &an.arena;
	an.emix = (struct hash)HASH_INIT_IN(an.a);
	for (i = 0; i < q->nstages; i++) {
		struct where w = { NULL };

		if (!q->stages[i].cond)
			continue;
		if (q->kind == Q_SEQUENCE)
			w.stage = arena_printf(an.a, "%s %zu of the sequence",
					       an.eset ? "detection" : "stage",
					       i + 1);
		else if (q->kind == Q_SAMPLE)
			w.stage = arena_printf(an.a, "filter %zu of the sample",
					       i + 1);
		check_cond(&an, q->stages[i].cond, &w);
	}
	if (q->until && q->until->cond)
		check_cond(&an, q->until->cond, NULL);
	arena_release(&an.arena);
}
