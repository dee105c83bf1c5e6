/*
 * testwhy.c - why an expected result of `rulec test` did not come: for an
 * EQL rule, each of its events is run alone through small queries made
 * from the rule's own text (the stage's category, then each condition of
 * the stage's top-level `and`), through a throwaway context, so the
 * explanation uses the interpreter's own semantics; the first false
 * condition is named with the event's values of its fields.  For a
 * sequence whose events each satisfy their stages, the join keys and the
 * time span are compared; otherwise the results that did come are
 * compared with the expected one (another order, other later events,
 * other join keys).  docs/testing.md shows the messages.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rulec.h"

#include "base/arena.h"
#include "driver/ctx.h"
#include "driver/testrun.h"
#include "sema/ir.h"
#include "sema/rule.h"
#include "vm/interp.h"

/* ------------------------------------------------- condition-level why */

/* The rule a test speaks of: its selector's, or the file's only rule. */
static const struct rc_rule *
test_rule(const struct run *rn, const struct tf_test *t)
{
	size_t i;

	if (!t->rule)
		return rn->ctx->rules.n == 1 ? rn->ctx->rules.v[0] : NULL;
	for (i = 0; i < rn->nrules && i < rn->ctx->rules.n; i++)
		if (rule_selected(rn, t, i))
			return rn->ctx->rules.v[i];
	return NULL;
}

/* The stage at position pos of a result (runs expanded), or NULL. */
static const struct ir_stage *
stage_at(const struct ir_query *q, size_t pos)
{
	for (size_t i = 0; i < q->nstages; i++) {
		size_t r = q->stages[i].runs ? q->stages[i].runs : 1;
		if (pos < r)
			return &q->stages[i];
		pos -= r;
	}
	return NULL;
}

/* Whether the EQL event query `query` matches the one event line[0..len),
 * run through a context of its own: 1, 0, or -1 when it cannot tell. */
static int
eql_holds(const struct run *rn, const char *query, const char *line,
	  size_t len)
{
	rulec_ctx *c = rulec_ctx_new();
	unsigned char *img = NULL;
	size_t imglen = 0;
	rulec_replay_opts o;
	rulec_replay *r = NULL;
	struct scope sc;
	char err[128];
	int rc = -1;

	memset(&sc, 0, sizeof sc);
	if (!c)
		return -1;
	if (rulec_ctx_load_buffer(c, "why.eql", query, strlen(query)) != 1 ||
	    rulec_ctx_diag_count(c, RULEC_SEVERITY_ERROR) ||
	    rulec_ctx_compile(c, &img, &imglen, err, sizeof err) != 1)
		goto out;
	rulec_replay_opts_init(&o);
	if (rn->tf.id_field)
		o.id_field = rn->tf.id_field->u.str.s;
	if (rn->tf.category_field)
		o.category_field = rn->tf.category_field->u.str.s;
	if (!(r = rulec_replay_new(img, imglen, &o, err, sizeof err)))
		goto out;
	sc.ok = true;
	rulec_replay_set_match_handler(r, on_match, &sc);
	if (rulec_replay_feed_buffer(r, "why", line, len) == 0 &&
	    rulec_replay_finish(r) == RULEC_OK && sc.ok)
		rc = sc.got.n > 0;
out:
	rulec_replay_free(r);
	free(img);
	scope_free(&sc);
	rulec_ctx_free(c);
	return rc;
}

/* Appends "name is VALUE" (or "is missing") for the fields of e, at most
 * three, from the event ev. */
static void
field_values(const struct ir_expr *e, const struct json_value *ev,
	     const char *doc, struct strbuf *sb, unsigned *n)
{
	size_t i;

	if (!e || *n >= 3)
		return;
	switch (e->kind) {
	case IR_FIELD: {
		const char *name = e->u.f.src_name ? e->u.f.src_name : e->u.f.name;
		const struct json_value *v = get_path(ev, name);
		sb_printf(sb, "%s%s ", (*n)++ ? "; " : "", name);
		if (!v) {
			sb_puts(sb, "is missing");
		} else {
			size_t len = v->end - v->start;
			sb_puts(sb, "is ");
			sb_put(sb, doc + v->start, len > 80 ? 80 : len);
			if (len > 80)
				sb_puts(sb, "...");
		}
		break;
	}
	case IR_AND: case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			field_values(e->u.list.v[i], ev, doc, sb, n);
		break;
	case IR_NOT: case IR_NEG:
		field_values(e->u.sub, ev, doc, sb, n);
		break;
	case IR_CMP:
		field_values(e->u.cmp.l, ev, doc, sb, n);
		field_values(e->u.cmp.r, ev, doc, sb, n);
		break;
	case IR_IN:
		field_values(e->u.in.l, ev, doc, sb, n);
		break;
	case IR_MATCH:
		field_values(e->u.match.l, ev, doc, sb, n);
		break;
	case IR_CALL:
		for (i = 0; i < e->u.call.n; i++)
			field_values(e->u.call.args[i], ev, doc, sb, n);
		break;
	case IR_ARITH:
		field_values(e->u.arith.l, ev, doc, sb, n);
		field_values(e->u.arith.r, ev, doc, sb, n);
		break;
	default:
		break;
	}
}

/* Whether c is `field == "text"` (case-sensitive) and the event's value
 * of the field equals the text but for ASCII letter case. */
static bool
case_only(const struct ir_expr *c, const struct json_value *ev)
{
	const struct ir_expr *f, *k;
	const struct json_value *v;
	const char *name;

	if (c->kind != IR_CMP || c->u.cmp.op != IR_OP_EQ || c->u.cmp.ci)
		return false;
	f = c->u.cmp.l;
	k = c->u.cmp.r;
	if (f->kind != IR_FIELD || k->kind != IR_CONST ||
	    k->u.c.type != VT_STRING)
		return false;
	name = f->u.f.src_name ? f->u.f.src_name : f->u.f.name;
	v = get_path(ev, name);
	return v && v->type == JSON_STRING &&
	       v->u.str.len == k->u.c.u.s.len &&
	       strncasecmp(v->u.str.s, k->u.c.u.s.s, v->u.str.len) == 0 &&
	       memcmp(v->u.str.s, k->u.c.u.s.s, v->u.str.len) != 0;
}

/* The event with id `id` of the scope parsed into a, and its line; NULL
 * when there is none. */
static const struct json_value *
event_doc(const struct scope *sc, const char *id, struct arena *a,
	  const char **line, size_t *len)
{
	struct json_error je;
	const char *nl;
	size_t k;

	for (k = 0; k < sc->ids.n && strcmp(sc->ids.v[k], id) != 0; k++)
		;
	if (k == sc->ids.n || k >= sc->id_line.n)
		return NULL;
	*line = sc->ndjson.data + sc->id_line.v[k];
	nl = memchr(*line, '\n', sc->ndjson.len - sc->id_line.v[k]);
	*len = nl ? (size_t)(nl - *line) : sc->ndjson.len - sc->id_line.v[k];
	return json_parse_range(a, *line, 0, *len, &je);
}

/* Why the event `id` at position pos of an expected result is in no
 * result, at the level of conditions (EQL rules): the stage's category,
 * the first top-level condition of its `and` that is false on the event
 * with the event's values of its fields, or that the condition holds and
 * the sequence did not take the event.  Nothing when it cannot tell. */
static int
explain_event(struct run *rn, const struct tf_test *t, const struct scope *sc,
	      const char *id, size_t pos, struct strbuf *why)
{
	const struct rc_rule *r = test_rule(rn, t);
	const struct ir_stage *st;
	const char *cat, *line = NULL;
	struct strbuf q = STRBUF_INIT;
	struct arena a;
	const struct json_value *ev;
	size_t i, len = 0;
	int holds, said = 0;

	if (!r || !r->ir || r->lang != LANG_EQL ||
	    !(st = stage_at(r->ir, pos)) || st->missing)
		return 0;
	arena_init(&a, NULL);
	if (!(ev = event_doc(sc, id, &a, &line, &len))) {
		arena_release(&a);
		return 0;
	}
	cat = st->category ? st->category : "any";
	sb_printf(&q, "%s where true", cat);
	holds = eql_holds(rn, q.data, line, len);
	if (holds == 0) {
		const char *cf = rn->tf.category_field ?
				 rn->tf.category_field->u.str.s : "event.category";
		const struct json_value *v = ev ? get_path(ev, cf) : NULL;
		sb_printf(why, "\"%s\" (stage %zu) is not a %s event: %s is ",
			  id, pos + 1, cat, cf);
		if (v)
			sb_put(why, line + v->start, v->end - v->start);
		else
			sb_puts(why, "missing");
		sb_putc(why, '\n');
		said = 1;
	}
	for (i = 0; holds == 1 && st->cond && !said &&
		    i < (st->cond->kind == IR_AND ? st->cond->u.list.n : 1); i++) {
		const struct ir_expr *c = st->cond->kind == IR_AND ?
					  st->cond->u.list.v[i] : st->cond;
		unsigned n = 0;
		q.len = 0;
		sb_printf(&q, "%s where ", cat);
		sb_put(&q, r->text.data + c->span.start,
		       c->span.end - c->span.start);
		if (eql_holds(rn, q.data, line, len) != 0)
			continue;
		sb_printf(why, "\"%s\" (stage %zu): '", id, pos + 1);
		sb_put(why, r->text.data + c->span.start,
		       c->span.end - c->span.start > 120 ? 120
							 : c->span.end - c->span.start);
		sb_puts(why, "' is false");
		if (ev) {
			struct strbuf vals = STRBUF_INIT;
			field_values(c, ev, line, &vals, &n);
			if (vals.len)
				sb_printf(why, ": %s", vals.data);
			sb_free(&vals);
			if (case_only(c, ev))
				sb_puts(why, " (only the letter case differs: '==' is case-sensitive, ':' is not)");
		}
		sb_putc(why, '\n');
		said = 1;
	}
	if (holds == 1 && !said)
		said = 2;       /* the event satisfies its stage */
	arena_release(&a);
	sb_free(&q);
	return said;
}

/* The events of x satisfy their stages: says which join key differs or
 * whether they span more than maxspan; false when neither. */
static bool
explain_sequence(struct run *rn, const struct tf_test *t,
		 const struct scope *sc, const struct tf_result *x,
		 struct strbuf *why)
{
	const struct rc_rule *r = test_rule(rn, t);
	const char *tsf = rn->tf.timestamp_field ?
			  rn->tf.timestamp_field->u.str.s : "@timestamp";
	struct arena a;
	bool said = false;
	int64_t t0 = 0, t1 = 0;
	size_t i, k, nts = 0;

	if (!r || !r->ir || r->ir->kind != Q_SEQUENCE)
		return false;
	arena_init(&a, NULL);
	/* join keys, stage by stage against the first event's */
	for (k = 0; !said && k < r->ir->stages[0].nkeys; k++) {
		const char *line0 = NULL, *kv0 = NULL;
		size_t len0 = 0, kl0 = 0;
		bool have0 = false;
		for (i = 0; i < x->n && !said; i++) {
			const struct ir_stage *st = stage_at(r->ir, i);
			const struct ir_expr *ke;
			const struct json_value *ev, *v;
			const char *line, *name;
			size_t len;
			if (!st || st->missing || strcmp(x->ids[i], "-") == 0 ||
			    k >= st->nkeys || (ke = st->keys[k])->kind != IR_FIELD ||
			    !(ev = event_doc(sc, x->ids[i], &a, &line, &len)))
				continue;
			name = ke->u.f.src_name ? ke->u.f.src_name : ke->u.f.name;
			v = get_path(ev, name);
			if (!have0) {
				have0 = true;
				line0 = line;
				len0 = len;
				kv0 = v ? line + v->start : NULL;
				kl0 = v ? v->end - v->start : 0;
				continue;
			}
			if ((v ? v->end - v->start : 0) == kl0 && (!v || !kv0 ||
			    memcmp(line + v->start, kv0, kl0) == 0) && (!v) == (!kv0))
				continue;
			sb_printf(why, "join key %zu differs: \"%s\" has %s ", k + 1,
				  x->ids[i], name);
			if (v)
				sb_put(why, line + v->start, v->end - v->start);
			else
				sb_puts(why, "missing");
			sb_printf(why, ", the first event has ");
			if (kv0)
				sb_put(why, kv0, kl0);
			else
				sb_puts(why, "none");
			sb_putc(why, '\n');
			said = true;
		}
		(void)line0;
		(void)len0;
	}
	/* maxspan */
	for (i = 0; !said && r->ir->maxspan_ms >= 0 && i < x->n; i++) {
		const struct json_value *ev, *v;
		const char *line;
		size_t len;
		int64_t ms;
		if (strcmp(x->ids[i], "-") == 0 ||
		    !(ev = event_doc(sc, x->ids[i], &a, &line, &len)) ||
		    !(v = get_path(ev, tsf)))
			continue;
		if (v->type == JSON_STRING ?
		    !vm_parse_date(v->u.str.s, v->u.str.len, &ms) :
		    v->type != JSON_NUMBER || !v->u.num.is_int)
			continue;
		if (v->type == JSON_NUMBER)
			ms = v->u.num.i;
		if (!nts++)
			t0 = ms;
		t1 = ms;
	}
	if (!said && nts >= 2 && t1 - t0 > r->ir->maxspan_ms) {
		sb_printf(why, "the events span %lld ms, more than maxspan (%lld ms)\n",
			  (long long)(t1 - t0), (long long)r->ir->maxspan_ms);
		said = true;
	}
	arena_release(&a);
	return said;
}

/* Says why expected result x did not come, from what did: which of its
 * events are in no result, or how the results that hold them differ. */
void
explain_missing(struct run *rn, const struct tf_test *t,
		const struct scope *sc, const struct tf_result *x,
		struct strbuf *why)
{
	size_t i, j, absent = 0, fine = 0;

	for (i = 0; i < x->n; i++) {
		int e;
		if (strcmp(x->ids[i], "-") == 0)
			continue;
		for (j = 0; j < sc->got.n; j++)
			if (rule_selected(rn, t, sc->got.v[j].rule) &&
			    has_id(&sc->got.v[j], x->ids[i]))
				break;
		if (j < sc->got.n)
			continue;
		absent++;
		e = explain_event(rn, t, sc, x->ids[i], i, why);
		if (e == 1)
			continue;
		if (e == 2) {
			fine++;
			continue;
		}
		if (x->n == 1)
			sb_printf(why, "\"%s\" is in no result: the event does not satisfy the rule's condition\n",
				  x->ids[i]);
		else
			sb_printf(why, "\"%s\" (stage %zu) is in no result: it fails its stage's condition, or no partial sequence took it\n",
				  x->ids[i], i + 1);
	}
	if (absent && fine == absent && explain_sequence(rn, t, sc, x, why))
		return;
	if (fine && fine == absent)
		sb_printf(why, "%s, but no partial sequence took %s: another result took an event first, or the order differs\n",
			  fine == 1 ? "the event in no result satisfies its stage"
				    : "the events in no result satisfy their stages",
			  fine == 1 ? "it" : "them");
	if (absent)
		return;
	for (j = 0; j < sc->got.n; j++) {
		const struct got *g = &sc->got.v[j];
		struct strbuf r = STRBUF_INIT;
		size_t same = 0, k;
		if (!rule_selected(rn, t, g->rule) || g->n != x->n)
			continue;
		for (i = 0; i < x->n; i++)
			for (k = 0; k < g->n; k++)
				if (strcmp(x->ids[i], g->ids[k]) == 0) {
					same++;
					break;
				}
		if (same == x->n) {
			ids_json(&r, g->ids, g->n);
			sb_printf(why, "the same events came in another stage order: %s\n",
				  r.data);
			sb_free(&r);
			return;
		}
	}
	for (j = 0; j < sc->got.n; j++) {
		const struct got *g = &sc->got.v[j];
		struct strbuf r = STRBUF_INIT;
		if (!rule_selected(rn, t, g->rule) || !g->n || !x->n ||
		    strcmp(g->ids[0], x->ids[0]) != 0)
			continue;
		ids_json(&r, g->ids, g->n);
		sb_printf(why, "a result starting with \"%s\" came instead: %s (the later stages took other events: join keys, maxspan or order)\n",
			  x->ids[0], r.data);
		sb_free(&r);
		return;
	}
	if (explain_sequence(rn, t, sc, x, why))
		return;
	sb_puts(why, "each event is in some result, but not these together: join keys, maxspan or stage order keep them apart\n");
}

