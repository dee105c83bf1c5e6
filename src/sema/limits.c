/*
 * limits.c - the limits of the image and the engine on a rule's IR (see
 * limits.h).
 */
#include "sema/limits.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pattern/regex.h"

struct lim {
	struct diag_sink *sink;
	const struct rc_text *t;
	size_t errors;
};

static void
excess(struct lim *l, enum diag_id id, struct span sp, const char *help,
       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
excess(struct lim *l, enum diag_id id, struct span sp, const char *help,
       const char *fmt, ...)
{
	struct diag *d;
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	d = diag_new(l->sink, id, l->t, sp, "%s", msg);
	if (help)
		diag_help(l->sink, d, "%s", help);
	diag_emit(l->sink, d);
	l->errors++;
}

/* The patterns of a `:`, `like` or `regex` list, compiled as the engine
 * compiles them (one automaton for the list), and each wildcard pattern's
 * cost. */
static void
patterns(struct lim *l, const struct ir_expr *e)
{
	size_t n = e->u.match.n, i, errpat = 0, erroff = 0, cost;
	struct rx_pattern *p;
	struct rx *rx;
	char err[200];

	for (i = 0; e->u.match.mode == MATCH_WILDCARD && i < n; i++) {
		const struct ir_value *v = &e->u.match.v[i];

		if (v->type != VT_STRING)
			continue;
		cost = rx_wildcard_cost(v->u.s.s, v->u.s.len);
		if (cost > RX_MAX_WILDCARD_COST)
			excess(l, D_PATTERN_COST, v->span, "split the pattern "
			       "into simpler ones, or write it as a regex",
			       "this wildcard pattern costs %zu (its runs of "
			       "'*' times its length from the first '*'); "
			       "the limit is %d, beyond which matching "
			       "slows down in proportion to the pattern at "
			       "every byte", cost, RX_MAX_WILDCARD_COST);
	}
	p = calloc(n ? n : 1, sizeof *p);
	if (!p)
		return;         /* the engine will say it */
	for (i = 0; i < n; i++) {
		const struct ir_value *v = &e->u.match.v[i];

		p[i].s = v->type == VT_STRING ? v->u.s.s : "";
		p[i].len = v->type == VT_STRING ? v->u.s.len : 0;
		p[i].kind = e->u.match.mode == MATCH_REGEX ? RX_LUCENE
							   : RX_WILDCARD;
	}
	if (rx_compiles(p, n, e->u.match.ci ? RX_CI : 0)) {
		free(p);        /* it compiles: its text proves it */
		return;
	}
	err[0] = '\0';
	rx = rx_compile(p, n, e->u.match.ci ? RX_CI : 0, err, sizeof err,
			&errpat, &erroff);
	free(p);
	if (rx) {
		rx_free(rx);
		return;
	}
	if (strcmp(err, "out of memory") == 0)
		return;
	excess(l, D_ENGINE_LIMIT, errpat < n ? e->u.match.v[errpat].span
					     : e->span,
	       n > 1 ? "split the list into several conditions joined by "
		       "'or'" : NULL,
	       "the matcher refuses %s: %s (a list is one automaton of at "
	       "most %d states)", n > 1 ? "this pattern list" :
	       "this pattern", err, RX_MAX_NFA_STATES);
}

/* The stack slots the code of e needs (codegen.c's layout, the
 * verifier's count), checking the limits below e on the way. */
static size_t
expr(struct lim *l, const struct ir_expr *e)
{
	size_t d = 1, i, k;

	if (!e)
		return 1;
	switch (e->kind) {
	case IR_CONST:
	case IR_FIELD:
		return 1;
	case IR_AND:
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			if ((k = expr(l, e->u.list.v[i])) > d)
				d = k;
		return d;
	case IR_NOT:
	case IR_NEG:
		return expr(l, e->u.sub);
	case IR_CMP:
		d = expr(l, e->u.cmp.l);
		k = 1 + expr(l, e->u.cmp.r);
		return k > d ? k : d;
	case IR_ARITH:
		d = expr(l, e->u.arith.l);
		k = 1 + expr(l, e->u.arith.r);
		return k > d ? k : d;
	case IR_IN:
		return expr(l, e->u.in.l);
	case IR_MATCH:
		patterns(l, e);
		return expr(l, e->u.match.l);
	case IR_CALL:
		if (e->u.call.fn == FN_CIDRMATCH && e->u.call.n >= 2) {
			/* constant networks are one set operand */
			for (i = 1; i < e->u.call.n; i++)
				if (e->u.call.args[i]->kind != IR_CONST)
					break;
			if (i == e->u.call.n)
				return expr(l, e->u.call.args[0]);
		}
		if (e->u.call.n > IR_MAX_ARGS)
			excess(l, D_ENGINE_LIMIT, e->span, NULL,
			       "%s has %zu arguments; a call takes at most "
			       "%d", fn_table[e->u.call.fn].name, e->u.call.n,
			       IR_MAX_ARGS);
		for (i = 0; i < e->u.call.n; i++)
			if ((k = i + expr(l, e->u.call.args[i])) > d)
				d = k;
		return d;
	case IR_ANCESTOR:
		/* a block of its own */
		if (expr(l, e->u.anc.sub) > IR_MAX_STACK)
			excess(l, D_ENGINE_LIMIT, e->u.anc.sub->span, NULL,
			       "this condition needs more than %d stack "
			       "slots to evaluate", IR_MAX_STACK);
		return 1;
	}
	return 1;
}

/* One block (a stage's condition, a join key). */
static void
block(struct lim *l, const struct ir_expr *e)
{
	size_t before = l->errors;

	/* a call over the argument limit also overflows: said once */
	if (e && expr(l, e) > IR_MAX_STACK && l->errors == before)
		excess(l, D_ENGINE_LIMIT, e->span, "split the expression",
		       "this expression needs more than %d stack slots to "
		       "evaluate", IR_MAX_STACK);
}

static void
stage(struct lim *l, const struct ir_stage *s, bool first)
{
	size_t k;

	/* the shared `sequence by` keys are said once, at the first stage */
	if (s->nkeys > IR_MAX_KEYS && (first || s->nshared <= IR_MAX_KEYS))
		excess(l, D_ENGINE_LIMIT, s->keys[IR_MAX_KEYS]->span, NULL,
		       "this stage has %zu join keys; the engine takes at "
		       "most %d", s->nkeys, IR_MAX_KEYS);
	block(l, s->cond);
	for (k = 0; k < s->nkeys; k++)
		block(l, s->keys[k]);
}

size_t
ir_check_limits(const struct ir_query *q, struct diag_sink *sink,
		const struct rc_text *t)
{
	struct lim l = { sink, t, 0 };
	size_t i, expanded = 0;

	if (!q)
		return 0;
	for (i = 0; i < q->nstages; i++)
		expanded += q->stages[i].runs ? q->stages[i].runs : 1;
	if (q->until)
		expanded++;
	if (expanded > IR_MAX_STAGES)
		excess(&l, D_ENGINE_LIMIT, q->span, "split the sequence",
		       "this query has %zu stages once 'runs' repeats are "
		       "expanded; the image holds at most %d", expanded,
		       IR_MAX_STAGES);
	if (q->npipes > IR_MAX_PIPES)
		excess(&l, D_ENGINE_LIMIT, q->pipes[IR_MAX_PIPES].span, NULL,
		       "this query has %zu pipes; the image holds at most %d",
		       q->npipes, IR_MAX_PIPES);
	for (i = 0; i < q->nstages; i++)
		stage(&l, &q->stages[i], i == 0);
	if (q->until)
		stage(&l, q->until, q->nstages == 0);
	return l.errors;
}
