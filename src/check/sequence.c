/*
 * sequence.c - the sequence family (RC5001-RC5008): maxspan, join keys,
 * `with runs`, `until`, and ESET sequence rules.
 *
 * Every check reads the IR; two facts the IR does not keep come from the
 * EQL syntax tree: whether `with runs=1` was written (the IR cannot tell it
 * from the default) and where it was written.  Stage numbers in messages
 * are 1-based, in the order the stages are written.  Lowering prepends the
 * shared `sequence by` keys to every stage, so key counts are compared as
 * nkeys and positions below nshared are the same expression everywhere.
 */
#include "check/toolbox.h"

#include <string.h>
#include <strings.h>

/* --- helpers ---------------------------------------------------------- */

/* Does `a` hold the same test as `b`?  Structural, spans ignored. */
static bool
value_same(const struct ir_value *a, const struct ir_value *b)
{
	if (a->type != b->type)
		return false;
	switch (a->type) {
	case VT_BOOL:
		return a->u.b == b->u.b;
	case VT_LONG:
		return a->u.i == b->u.i;
	case VT_DOUBLE:
		return a->u.d <= b->u.d && a->u.d >= b->u.d;
	case VT_STRING:
		return a->u.s.len == b->u.s.len &&
		       memcmp(a->u.s.s, b->u.s.s, a->u.s.len) == 0;
	default:
		return true;
	}
}

static bool
values_same(const struct ir_value *a, const struct ir_value *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!value_same(&a[i], &b[i]))
			return false;
	return true;
}

static bool expr_same(const struct ir_expr *a, const struct ir_expr *b);

static bool
exprs_same(struct ir_expr *const *a, struct ir_expr *const *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (!expr_same(a[i], b[i]))
			return false;
	return true;
}

static bool
expr_same(const struct ir_expr *a, const struct ir_expr *b)
{
	if (!a || !b)
		return a == b;
	if (a->kind != b->kind || a->type != b->type)
		return false;
	switch (a->kind) {
	case IR_CONST:
		return value_same(&a->u.c, &b->u.c);
	case IR_FIELD:
		return strcmp(a->u.f.name, b->u.f.name) == 0 &&
		       a->u.f.transform == b->u.f.transform &&
		       a->u.f.optional == b->u.f.optional &&
		       a->u.f.ipfam == b->u.f.ipfam;
	case IR_AND:
	case IR_OR:
		return a->u.list.n == b->u.list.n &&
		       exprs_same(a->u.list.v, b->u.list.v, a->u.list.n);
	case IR_NOT:
	case IR_NEG:
		return expr_same(a->u.sub, b->u.sub);
	case IR_CMP:
		return a->u.cmp.op == b->u.cmp.op &&
		       a->u.cmp.ci == b->u.cmp.ci &&
		       expr_same(a->u.cmp.l, b->u.cmp.l) &&
		       expr_same(a->u.cmp.r, b->u.cmp.r);
	case IR_IN:
		return a->u.in.ci == b->u.in.ci && a->u.in.neg == b->u.in.neg &&
		       a->u.in.n == b->u.in.n &&
		       expr_same(a->u.in.l, b->u.in.l) &&
		       values_same(a->u.in.v, b->u.in.v, a->u.in.n);
	case IR_MATCH:
		return a->u.match.mode == b->u.match.mode &&
		       a->u.match.ci == b->u.match.ci &&
		       a->u.match.n == b->u.match.n &&
		       expr_same(a->u.match.l, b->u.match.l) &&
		       values_same(a->u.match.v, b->u.match.v, a->u.match.n);
	case IR_CALL:
		return a->u.call.fn == b->u.call.fn &&
		       a->u.call.ci == b->u.call.ci &&
		       a->u.call.n == b->u.call.n &&
		       exprs_same(a->u.call.args, b->u.call.args, a->u.call.n);
	case IR_ARITH:
		return a->u.arith.op == b->u.arith.op &&
		       expr_same(a->u.arith.l, b->u.arith.l) &&
		       expr_same(a->u.arith.r, b->u.arith.r);
	case IR_ANCESTOR:
		return a->u.anc.distance == b->u.anc.distance &&
		       a->u.anc.skip == b->u.anc.skip &&
		       a->u.anc.unique == b->u.anc.unique &&
		       expr_same(a->u.anc.sub, b->u.anc.sub);
	}
	return false;
}

static bool
category_same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcasecmp(a, b) == 0;
}

/* The EQL syntax node of the sequence, or NULL (ESET rules have none). */
static const struct ast *
seq_ast(const struct rc_rule *r)
{
	const struct ast *s = r->ast;

	if (s && s->kind == A_STATEMENT)
		s = s->kid[0];
	return s && s->kind == A_SEQUENCE ? s : NULL;
}

/* The `sequence` keyword, or the whole query when it cannot be found. */
static struct span
keyword_span(const struct rc_rule *r)
{
	const struct ast *s = seq_ast(r);
	uint32_t at;

	if (!s)
		return r->ir->span;
	at = s->span.start;
	if (at + 8 <= r->text.len &&
	    strncasecmp(r->text.data + at, "sequence", 8) == 0)
		return span_make(at, at + 8);
	return s->span;
}

/* The span of a stage's own `by` keys, or the stage when it has none. */
static struct span
own_keys_span(const struct ir_stage *st)
{
	if (st->nkeys > st->nshared && st->keys[st->nshared] &&
	    st->keys[st->nkeys - 1])
		return span_join(st->keys[st->nshared]->span,
				 st->keys[st->nkeys - 1]->span);
	return st->span;
}

/* Keys [from, to) of a stage as "a, b, c" (written text). */
static const char *
keys_text(struct check_ctx *cc, const struct rc_rule *r,
	  const struct ir_stage *st, size_t from, size_t to)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s;
	size_t i;

	for (i = from; i < to && i < st->nkeys; i++) {
		if (!st->keys[i])
			continue;
		if (sb.len)
			sb_puts(&sb, ", ");
		sb_put(&sb, span_text(r, st->keys[i]->span),
		       (size_t)span_len(st->keys[i]->span));
	}
	s = check_take(cc->arena, &sb);
	return s ? s : "";
}

/* --- ESET ------------------------------------------------------------- */

/* The name in <sequence ...>: the IR keeps the spans of the rule and of
 * the detections, and the sequence start tag is the last one before the
 * first detection. */
static struct span
eset_sequence_span(const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;
	uint32_t lo = q->span.start, at;

	if (!q->nstages || q->stages[0].span.start <= lo ||
	    q->stages[0].span.start > r->text.len)
		return q->span;
	for (at = q->stages[0].span.start; at-- > lo;)
		if (r->text.data[at] == '<' && at + 9 <= r->text.len &&
		    strncmp(r->text.data + at + 1, "sequence", 8) == 0)
			return span_make(at + 1, at + 9);
	return q->span;
}

static void
check_eset(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;
	bool no_span = q->maxspan_ms < 0;
	bool no_keys = !q->nstages || q->stages[0].nkeys == 0;
	struct diag *d;

	if (!no_span && !no_keys)
		return;
	d = diag_new(cc->diags, D_ESET_SEQUENCE, &r->text,
		     eset_sequence_span(r), "this sequence has no %s",
		     no_span && no_keys ? "maxSpan and no aggregateOn"
		     : no_span ? "maxSpan" : "aggregateOn");
	if (no_span)
		diag_note(cc->diags, d, NULL, span_make(0, 0),
			  "without maxSpan, detections far apart in time are "
			  "correlated");
	if (no_keys)
		diag_note(cc->diags, d, NULL, span_make(0, 0),
			  "without aggregateOn, detections on different "
			  "computers are correlated");
	if (no_span && no_keys)
		diag_help(cc->diags, d, "add maxSpan=\"10m\" (the longest "
			  "time the detections may be apart) and "
			  "<aggregateOn><property name=\"Computer\"/>"
			  "</aggregateOn>");
	else if (no_span)
		diag_help(cc->diags, d, "add maxSpan=\"10m\" (the longest "
			  "time the detections may be apart) to <sequence>");
	else
		diag_help(cc->diags, d, "add <aggregateOn><property "
			  "name=\"Computer\"/></aggregateOn> to <sequence>");
	diag_emit(cc->diags, d);
}

/* --- EQL -------------------------------------------------------------- */

enum { WINDOW_OK_MS = 3600000 };  /* a look-back that bounds a sequence */

/* RC5001.  A detection rule only searches its look-back window ("from"),
 * so partial sequences live no longer than that: a short window is an
 * implicit maxspan.  Bare queries and long windows get the warning. */
static void
check_maxspan(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;
	const struct ir_stage *st = &q->stages[0];
	const struct rule_meta *m = &r->meta;
	struct diag *d;

	if (q->maxspan_ms >= 0 ||
	    (m->has_lookback && m->lookback_ms <= WINDOW_OK_MS))
		return;
	d = diag_new(cc->diags, D_NO_MAXSPAN, &r->text, keyword_span(r),
		     "this sequence has no maxspan");
	if (m->has_lookback)
		diag_note(cc->diags, d, NULL, span_make(0, 0),
			  "the rule searches back to %s, so its stages may "
			  "be that far apart", m->lookback_text);
	else
		diag_note(cc->diags, d, NULL, span_make(0, 0),
			  "partial sequences are kept until they complete, "
			  "and stages hours or days apart still match");
	if (st->nshared)
		diag_help(cc->diags, d, "write 'sequence by %s with "
			  "maxspan=5m' (the longest time the stages may be "
			  "apart)", keys_text(cc, r, st, 0, st->nshared));
	else
		diag_help(cc->diags, d, "write 'sequence with maxspan=5m' "
			  "(the longest time the stages may be apart)");
	diag_emit(cc->diags, d);
}

/* true if no stage (and no until) has a join key. */
static bool
check_no_keys(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;
	struct diag *d;
	size_t i;

	for (i = 0; i < q->nstages; i++)
		if (q->stages[i].nkeys)
			return false;
	if (q->until && q->until->nkeys)
		return false;
	d = diag_new(cc->diags, D_NO_JOIN_KEY, &r->text, keyword_span(r),
		     "this sequence has no join key");
	diag_note(cc->diags, d, NULL, span_make(0, 0),
		  "its stages may match events of unrelated hosts, users "
		  "or processes");
	diag_help(cc->diags, d, "join the stages on what they share, e.g. "
		  "'sequence by host.id' or 'sequence by process.entity_id'");
	diag_emit(cc->diags, d);
	return true;
}

/* The key count most stages have (the first stage's on a tie). */
static size_t
usual_count(const struct ir_query *q)
{
	size_t i, j, best = q->stages[0].nkeys, best_n = 0;

	for (i = 0; i < q->nstages; i++) {
		size_t n = 0;
		for (j = 0; j < q->nstages; j++)
			n += q->stages[j].nkeys == q->stages[i].nkeys;
		if (n > best_n) {
			best_n = n;
			best = q->stages[i].nkeys;
		}
	}
	return best;
}

static void
report_count(struct check_ctx *cc, const struct rc_rule *r,
	     const struct ir_stage *st, size_t no, const struct ir_stage *ref,
	     size_t ref_no, size_t want)
{
	const char *noun = no ? "stage" : "until condition";
	struct diag *d;

	if (no)
		d = diag_new(cc->diags, D_JOIN_KEY_COUNT, &r->text,
			     own_keys_span(st), "stage %zu has %zu join "
			     "key%s, but the other stages have %zu", no,
			     st->nkeys, st->nkeys == 1 ? "" : "s", want);
	else
		d = diag_new(cc->diags, D_JOIN_KEY_COUNT, &r->text,
			     own_keys_span(st), "the until condition has %zu "
			     "join key%s, but the stages have %zu", st->nkeys,
			     st->nkeys == 1 ? "" : "s", want);
	diag_note(cc->diags, d, &r->text, ref->span,
		  "stage %zu has %zu join key%s", ref_no, want,
		  want == 1 ? "" : "s");
	if (st->nkeys < want && st->nkeys == st->nshared)
		diag_help(cc->diags, d, "add 'by %s' after the ']' of this %s",
			  keys_text(cc, r, ref, st->nkeys, want), noun);
	else if (st->nkeys < want)
		diag_help(cc->diags, d, "add '%s' to the 'by' keys of this %s",
			  keys_text(cc, r, ref, st->nkeys, want), noun);
	else
		diag_help(cc->diags, d, "remove '%s' from the 'by' keys of "
			  "this %s, or add matching keys to the other stages",
			  keys_text(cc, r, st, want, st->nkeys), noun);
	diag_emit(cc->diags, d);
}

/* RC5003: every stage (and the until condition) needs as many keys. */
static void
check_key_count(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;
	size_t want = usual_count(q), ref, i;

	for (ref = 0; q->stages[ref].nkeys != want; ref++)
		;
	for (i = 0; i < q->nstages; i++) {
		if (q->stages[i].nkeys == want)
			continue;
		report_count(cc, r, &q->stages[i], i + 1, &q->stages[ref],
			     ref + 1, want);
	}
	/* an until without keys is RC5006's */
	if (q->until && q->until->nkeys && q->until->nkeys != want)
		report_count(cc, r, q->until, 0, &q->stages[ref], ref + 1,
			     want);
}

/* Type classes whose values can be equal; 0: unknown. */
static int
type_class(enum vtype t)
{
	switch (t) {
	case VT_STRING: return 1;
	case VT_LONG: case VT_DOUBLE: case VT_NUMBER: return 2;
	case VT_IP: return 3;
	case VT_DATE: return 4;
	case VT_BOOL: return 5;
	default: return 0;
	}
}

static const char *
type_text(const struct ir_expr *e)
{
	if (e->kind == IR_FIELD && e->u.f.def && e->u.f.def->es_type)
		return e->u.f.def->es_type;
	return vtype_name(e->type);
}

/* RC5004: the i-th keys of all stages must be able to hold equal values.
 * Shared keys are one expression, so only a stage's own keys differ. */
static void
check_key_types(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;
	size_t i, k, ref;

	for (k = q->stages[0].nshared;; k++) {
		const struct ir_expr *rk = NULL;
		bool any = false;

		for (ref = 0; ref < q->nstages; ref++) {
			const struct ir_stage *st = &q->stages[ref];
			if (k < st->nkeys)
				any = true;
			if (k < st->nkeys && st->keys[k] &&
			    type_class(st->keys[k]->type)) {
				rk = st->keys[k];
				break;
			}
		}
		if (!any)
			break;
		if (!rk)
			continue;
		for (i = ref + 1; i < q->nstages; i++) {
			const struct ir_stage *st = &q->stages[i];
			const struct ir_expr *e = k < st->nkeys ? st->keys[k]
								: NULL;
			struct diag *d;

			if (!e || !type_class(e->type) ||
			    type_class(e->type) == type_class(rk->type))
				continue;
			d = diag_new(cc->diags, D_JOIN_KEY_TYPE, &r->text,
				     e->span, "join key '%.*s' is %s, but "
				     "the key it is joined with in stage %zu "
				     "is %s", SPAN_ARGS(r, e->span),
				     type_text(e), ref + 1, type_text(rk));
			diag_note(cc->diags, d, &r->text, rk->span,
				  "'%.*s' is %s", SPAN_ARGS(r, rk->span),
				  type_text(rk));
			diag_note(cc->diags, d, NULL, span_make(0, 0),
				  "a %s value never equals a %s value, so "
				  "the sequence can never complete",
				  type_text(e), type_text(rk));
			diag_help(cc->diags, d, "join on a field of type %s "
				  "here, as stage %zu does", type_text(rk),
				  ref + 1);
			diag_emit(cc->diags, d);
		}
	}
}

/* RC5007: `with runs=1` (the default) and runs on a missing stage. */
static void
check_runs(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;
	const struct ast *s = seq_ast(r), *t;
	size_t i = 0;

	for (t = s ? s->list : NULL; t && i < q->nstages; t = t->next, i++) {
		const struct ast *p = t->kid[2];
		const struct ir_stage *st = &q->stages[i];
		struct diag *d;

		if (!p || p->kind != A_PARAM)
			continue;
		if (st->missing) {
			d = diag_new(cc->diags, D_RUNS_MISUSE, &r->text,
				     p->span, "'with runs=%u' on a "
				     "missing-event stage", st->runs);
			diag_note(cc->diags, d, &r->text, st->span,
				  "stage %zu checks that no such event "
				  "happens; repeating the check adds nothing",
				  i + 1);
			diag_help(cc->diags, d, "remove 'with runs=%u'",
				  st->runs);
			diag_emit(cc->diags, d);
		} else if (st->runs == 1) {
			d = diag_new(cc->diags, D_RUNS_MISUSE, &r->text,
				     p->span, "'with runs=1' is the default");
			diag_help(cc->diags, d, "remove 'with runs=1', or "
				  "give the number of events in a row this "
				  "stage needs (2 or more)");
			diag_emit(cc->diags, d);
		}
	}
}

/* RC5006: an until without keys, or one that repeats a stage. */
static void
check_until(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;
	const struct ir_stage *u = q->until;
	struct diag *d;
	size_t i;

	if (!u)
		return;
	for (i = 0; !u->nkeys && i < q->nstages; i++) {
		const struct ir_stage *st = &q->stages[i];
		if (!st->nkeys)
			continue;
		d = diag_new(cc->diags, D_UNTIL_MISUSE, &r->text, u->span,
			     "the until condition has no join keys, but the "
			     "stages have %zu", st->nkeys);
		diag_note(cc->diags, d, &r->text, st->span,
			  "stage %zu is joined by %s", i + 1,
			  keys_text(cc, r, st, 0, st->nkeys));
		diag_help(cc->diags, d, "add 'by %s' after the ']' of the "
			  "until condition",
			  keys_text(cc, r, st, 0, st->nkeys));
		diag_emit(cc->diags, d);
		break;
	}
	for (i = 0; i < q->nstages; i++) {
		const struct ir_stage *st = &q->stages[i];

		if (!category_same(st->category, u->category) ||
		    !expr_same(st->cond, u->cond))
			continue;
		d = diag_new(cc->diags, D_UNTIL_MISUSE, &r->text, u->span,
			     "the until condition is the same as stage %zu's",
			     i + 1);
		diag_note(cc->diags, d, &r->text, st->span,
			  i == 0 ? "every event this stage matches also "
				   "matches the until condition, which ends "
				   "the sequence"
				 : "every event this stage matches also "
				   "matches the until condition, so the "
				   "sequence never gets past this stage");
		diag_help(cc->diags, d, "make the until condition describe "
			  "the event that ends the behaviour, or remove it");
		diag_emit(cc->diags, d);
		break;
	}
}

void
check_sequence(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct ir_query *q = r->ir;

	if (!q || !q->nstages || (q->kind != Q_SEQUENCE &&
				  q->kind != Q_SAMPLE))
		return;
	if (r->lang == LANG_ESET_XML) {
		if (q->kind == Q_SEQUENCE)
			check_eset(cc, r);
		return;
	}
	if (q->kind == Q_SEQUENCE) {
		check_maxspan(cc, r);
		if (check_no_keys(cc, r))
			return;
	}
	check_key_count(cc, r);
	check_key_types(cc, r);
	if (q->kind == Q_SEQUENCE) {
		check_runs(cc, r);
		check_until(cc, r);
	}
}
