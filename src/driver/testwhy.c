/*
 * testwhy.c - why an expected result of `rulec test` did not come: for
 * each event in no result, one-stage event queries are compiled from the
 * rule's IR (the stage's category alone, then each condition of the
 * stage's top-level `and`) and the test's events replayed through them,
 * so the explanation uses the interpreter's own semantics in both
 * languages (an ESET ancestor condition finds its process table); the
 * first false condition is named, in the rule's language, with the
 * event's values of its fields.  For a
 * sequence whose events each satisfy their stages, the join keys and the
 * time span are compared; otherwise the results that did come are
 * compared with the expected one (another order, other later events,
 * other join keys).  An event that satisfies its stage but that one of
 * the rule's Kibana exception items excepts is said to be excepted, by
 * which item.  docs/testing.md shows the messages.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rulec.h"

#include "base/arena.h"
#include "driver/ctx.h"
#include "driver/testrun.h"
#include "print/print.h"
#include "sema/ir.h"
#include "sema/rule.h"
#include "vm/image.h"
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

/* Whether the event `id` of the scope satisfies stage st of rule r with
 * its condition replaced by cond (NULL: the category alone): a one-stage
 * event query is compiled from the IR and the scope's events replayed
 * through it (all of them, so that an ancestor condition finds the
 * process table as the rule did).  1, 0, or -1 when it cannot tell. */
static int
cond_holds(struct run *rn, const struct rc_rule *r, const struct ir_stage *st,
	   const struct ir_expr *cond, const struct scope *sc, const char *id)
{
	struct ir_stage one = *st;
	struct ir_query q;
	struct img_builder b;
	struct strbuf img = STRBUF_INIT;
	struct scope out;
	struct vm_rule_info info = {
		r->meta.id, r->meta.name, r->src->name, r->meta.category_field,
		r->meta.timestamp_field, r->meta.tiebreaker_field, -1,
		r->meta.ts_no_fallback
	};
	char err[128];
	int rc = -1;

	memset(&q, 0, sizeof q);
	memset(&out, 0, sizeof out);
	one.cond = (struct ir_expr *)cond;
	one.keys = NULL;
	one.nkeys = one.nshared = 0;
	one.runs = 1;
	one.missing = false;
	q.kind = Q_EVENT;
	q.repeat = 1;
	q.span = r->ir->span;
	q.stages = &one;
	q.nstages = 1;
	q.maxspan_ms = -1;
	img_builder_init(&b);
	if (vm_compile_query(&b, &q, &info, err, sizeof err) >= 0 &&
	    img_write(&b, &img) == 0 && !img.oom) {
		out.ok = true;
		if (replay_events(rn, (const unsigned char *)img.data, img.len,
				  &sc->ndjson, &out, err, sizeof err) == 0 &&
		    out.ok) {
			size_t j;
			rc = 0;
			for (j = 0; j < out.got.n && !rc; j++)
				rc = has_id(&out.got.v[j], id);
		}
	}
	img_builder_free(&b);
	sb_free(&img);
	scope_free(&out);
	return rc;
}

/* The name under which an event carries field node e: ESET fields are
 * looked up by their ECS name, EQL fields by the name as written. */
static const char *
event_field(const struct ir_expr *e, enum rule_lang lang)
{
	return lang == LANG_EQL && e->u.f.src_name ? e->u.f.src_name
						   : e->u.f.name;
}

/* Whether sb, a list "a is X; b is Y", names the field `name` already. */
static bool
named(const struct strbuf *sb, const char *name)
{
	size_t k = strlen(name);
	const char *p = sb->data;

	while (p && (p = strstr(p, name)) != NULL) {
		if ((p == sb->data || (p - sb->data >= 2 && p[-2] == ';')) &&
		    strncmp(p + k, " is ", 4) == 0)
			return true;
		p += k;
	}
	return false;
}

/* Appends "name is VALUE" (or "is missing") for the fields of e, at most
 * three, from the event ev. */
static void
field_values(const struct ir_expr *e, enum rule_lang lang,
	     const struct json_value *ev, const char *doc, struct strbuf *sb,
	     unsigned *n)
{
	size_t i;

	if (!e || *n >= 3)
		return;
	switch (e->kind) {
	case IR_FIELD: {
		const char *name = event_field(e, lang);
		const struct json_value *v = get_path(ev, name);
		if (named(sb, name))
			break;
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
			field_values(e->u.list.v[i], lang, ev, doc, sb, n);
		break;
	case IR_NOT: case IR_NEG:
		field_values(e->u.sub, lang, ev, doc, sb, n);
		break;
	case IR_CMP:
		field_values(e->u.cmp.l, lang, ev, doc, sb, n);
		field_values(e->u.cmp.r, lang, ev, doc, sb, n);
		break;
	case IR_IN:
		field_values(e->u.in.l, lang, ev, doc, sb, n);
		break;
	case IR_MATCH:
		field_values(e->u.match.l, lang, ev, doc, sb, n);
		break;
	case IR_CALL:
		for (i = 0; i < e->u.call.n; i++)
			field_values(e->u.call.args[i], lang, ev, doc, sb, n);
		break;
	case IR_ARITH:
		field_values(e->u.arith.l, lang, ev, doc, sb, n);
		field_values(e->u.arith.r, lang, ev, doc, sb, n);
		break;
	default:
		break;
	}
}

/* Whether c is `field == "text"` (case-sensitive) and the event's value
 * of the field equals the text but for ASCII letter case. */
static bool
case_only(const struct ir_expr *c, enum rule_lang lang,
	  const struct json_value *ev)
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
	name = event_field(f, lang);
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

/* Appends the text of condition c of rule r: EQL as written, ESET in
 * the documentation's words. */
static void
cond_text(struct strbuf *sb, const struct rc_rule *r, const struct ir_expr *c)
{
	struct strbuf t = STRBUF_INIT;

	if (r->lang == LANG_EQL)
		print_eql_span(&t, &r->text, c->span, 120);
	else
		print_eset_cond(&t, c, 120);
	sb_put(sb, t.data ? t.data : "", t.len);
	sb_free(&t);
}

/* Whether an exception item of rule r excepts the event `id`, whose
 * stage condition holds: says which item, with the event's values of its
 * fields (read by their real names: a .caseless field is its parent).
 * 1 when said, 0 otherwise. */
static int
excepted(struct run *rn, const struct rc_rule *r, const struct ir_stage *st,
	 const struct scope *sc, const char *id, const struct json_value *ev,
	 const char *line, size_t pos, struct strbuf *why)
{
	size_t i;

	if (rn->ctx->no_exceptions)
		return 0;
	for (i = 0; i < r->exc.nitems; i++) {
		const struct exc_item *it = r->exc.items[i];
		struct strbuf vals = STRBUF_INIT;
		unsigned nv = 0;

		if (!it->cond || cond_holds(rn, r, st, it->cond, sc, id) != 1)
			continue;
		sb_printf(why, "\"%s\" (stage %zu) satisfies its stage but is "
			  "excepted by item '%s' of exception list '%s'", id,
			  pos + 1, it->item_id ? it->item_id : "?",
			  it->list_id);
		field_values(it->cond, LANG_ESET_XML, ev, line, &vals, &nv);
		if (vals.len)
			sb_printf(why, ": %s", vals.data);
		sb_free(&vals);
		sb_putc(why, '\n');
		return 1;
	}
	return 0;
}

/* Why the event `id` at position pos of an expected result is in no
 * result, at the level of conditions: the stage's category, the first
 * top-level condition of its `and` that is false on the event with the
 * event's values of its fields, or that the condition holds and the
 * sequence did not take the event.  1 when said, 2 when the event
 * satisfies its stage, 0 when it cannot tell. */
static int
explain_event(struct run *rn, const struct tf_test *t, const struct scope *sc,
	      const char *id, size_t pos, struct strbuf *why)
{
	const struct rc_rule *r = test_rule(rn, t);
	const struct ir_stage *st;
	const char *line = NULL;
	struct arena a;
	const struct json_value *ev;
	size_t i, n, len = 0;
	int holds, said = 0;

	if (!r || !r->ir || !(st = stage_at(r->ir, pos)) || st->missing)
		return 0;
	arena_init(&a, NULL);
	if (!(ev = event_doc(sc, id, &a, &line, &len))) {
		arena_release(&a);
		return 0;
	}
	holds = cond_holds(rn, r, st, NULL, sc, id);
	if (holds == 0) {
		const char *cf = r->meta.category_field ? r->meta.category_field :
				 rn->tf.category_field ?
				 rn->tf.category_field->u.str.s : "event.category";
		const struct json_value *v = get_path(ev, cf);
		sb_printf(why, "\"%s\" (stage %zu) is not a %s event: %s is ",
			  id, pos + 1, st->category ? st->category : "any", cf);
		if (v)
			sb_put(why, line + v->start, v->end - v->start);
		else
			sb_puts(why, "missing");
		sb_putc(why, '\n');
		said = 1;
	}
	n = !st->cond ? 0 : st->cond->kind == IR_AND ? st->cond->u.list.n : 1;
	for (i = 0; holds == 1 && !said && i < n; i++) {
		const struct ir_expr *c = st->cond->kind == IR_AND ?
					  st->cond->u.list.v[i] : st->cond;
		struct strbuf vals = STRBUF_INIT;
		unsigned nv = 0;

		if (cond_holds(rn, r, st, c, sc, id) != 0)
			continue;
		sb_printf(why, "\"%s\" (stage %zu): '", id, pos + 1);
		cond_text(why, r, c);
		sb_puts(why, "' is false");
		field_values(c, r->lang, ev, line, &vals, &nv);
		if (vals.len)
			sb_printf(why, ": %s", vals.data);
		sb_free(&vals);
		if (case_only(c, r->lang, ev))
			sb_puts(why, " (only the letter case differs: '==' is case-sensitive, ':' is not)");
		sb_putc(why, '\n');
		said = 1;
	}
	if (holds == 1 && !said)
		said = excepted(rn, r, st, sc, id, ev, line, pos, why);
	if (holds == 1 && !said)
		said = 2;       /* the event satisfies its stage */
	arena_release(&a);
	return said;
}

/* The time of an event's timestamp value v (NULL: none): an ISO date or
 * whole epoch milliseconds, inside the years 0000-9999. */
static bool
doc_time(const struct json_value *v, int64_t *ms)
{
	if (!v)
		return false;
	if (v->type == JSON_STRING)
		return vm_parse_date(v->u.str.s, v->u.str.len, ms) &&
		       vm_time_ok(*ms);
	if (v->type != JSON_NUMBER || !v->u.num.is_int)
		return false;
	*ms = v->u.num.i;
	/* outside the years 0000-9999 the replay refuses the event; the
	 * span of two such times could overflow */
	return vm_time_ok(*ms);
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
		const struct json_value *ev;
		const char *line;
		size_t len;
		int64_t ms;
		if (strcmp(x->ids[i], "-") == 0 ||
		    !(ev = event_doc(sc, x->ids[i], &a, &line, &len)))
			continue;
		/* the rule's time, as the replay reads it: its override,
		 * else (unless the rule turns the fallback off) the run's
		 * field */
		if (!doc_time(get_path(ev, r->meta.timestamp_field ?
					   r->meta.timestamp_field : tsf), &ms) &&
		    (!r->meta.timestamp_field || r->meta.ts_no_fallback ||
		     !doc_time(get_path(ev, tsf), &ms)))
			continue;
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

