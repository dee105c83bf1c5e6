/*
 * replay.c - the replay part of the public interface (include/rulec.h)
 * over the engine (replay/engine.h) and the result writers
 * (report/match.h).  A rulec_replay owns its loaded image and its engine;
 * a rulec_match is the engine's struct replay_match, read through
 * accessors that turn its values into rulec_values on demand.
 */
#include "rulec.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <time.h>

#include "base/strbuf.h"
#include "replay/engine.h"
#include "report/match.h"
#include "vm/image.h"

struct rulec_replay {
	struct image im;
	struct replay *e;
	rulec_match_fn match;
	void *match_ud;
	rulec_replay_diag_fn diag;
	void *diag_ud;
	double t0, t1;          /* after rulec_replay_new, after finish */
	bool finished;
	bool told_skips;        /* the rules left out have been reported */
};

#define MATCH(m) ((const struct replay_match *)(m))

void
rulec_replay_opts_init(rulec_replay_opts *o)
{
	struct replay_opts d;

	replay_opts_init(&d);
	o->id_field = d.id_field;
	o->category_field = d.category_field;
	o->timestamp_field = d.timestamp_field;
	o->tiebreaker_field = d.tiebreaker_field;
	o->size = d.size;
	o->max_samples_per_key = d.max_samples_per_key;
	o->reorder_ms = d.reorder_ms;
	o->max_event_size = (long long)d.max_event_size;
	o->max_partials = d.max_partials;
	o->threads = 1;
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
on_match(void *ud, const struct replay_match *m)
{
	rulec_replay *r = ud;

	if (r->match)
		r->match(r->match_ud, (const rulec_match *)m);
}

/* A pool string of the image (NUL-terminated there), or NULL. */
static const char *
pool_cstr(const struct image *im, uint32_t i)
{
	return i == IMG_NONE ? NULL : im->pool[i].u.str.s;
}

/* Names rule i of the image in d. */
static void
diag_rule(const rulec_replay *r, uint32_t i, rulec_replay_diag *d)
{
	const struct img_rule *ir = &r->im.rules[i];

	d->rule = (long long)i;
	d->rule_id = pool_cstr(&r->im, ir->id);
	d->rule_name = pool_cstr(&r->im, ir->name);
	d->rule_file = pool_cstr(&r->im, ir->file);
}

static void
on_input_error(void *ud, const struct replay_input_error *ie)
{
	rulec_replay *r = ud;
	rulec_replay_diag d;

	if (!r->diag)
		return;
	memset(&d, 0, sizeof d);
	d.rule = -1;
	switch (ie->kind) {
	case RP_UNREADABLE: d.problem = RULEC_EVENTS_UNREADABLE; break;
	case RP_BAD_TIME:
		d.problem = RULEC_EVENTS_BAD_TIME;
		d.id = "RC9040";
		break;
	case RP_LATE:
		d.problem = RULEC_EVENTS_LATE;
		d.id = "RC9041";
		break;
	case RP_PARTIALS:
		d.problem = RULEC_MAX_PARTIALS;
		d.id = "RC9042";
		diag_rule(r, ie->rule, &d);
		break;
	case RP_RULE_SKIPPED:
		d.problem = RULEC_RULE_SKIPPED;
		d.id = "RC9043";
		diag_rule(r, ie->rule, &d);
		break;
	default: d.problem = RULEC_EVENTS_MALFORMED; break;
	}
	d.file = ie->path;
	d.line = ie->line;
	d.offset = ie->offset;
	d.message = ie->msg;
	d.count = ie->count;
	r->diag(r->diag_ud, &d);
}

/* Reports, once, the rules of the image the engine leaves out; returns
 * how many. */
static long
tell_skips(rulec_replay *r)
{
	long n = 0;
	uint32_t i;

	for (i = 0; i < r->im.nrules; i++) {
		const char *why = replay_rule_refused(r->e, i);
		struct replay_input_error ie;

		if (!why)
			continue;
		n++;
		if (r->told_skips)
			continue;
		memset(&ie, 0, sizeof ie);
		ie.path = pool_cstr(&r->im, r->im.rules[i].file);
		ie.msg = why;
		ie.kind = RP_RULE_SKIPPED;
		ie.rule = i;
		on_input_error(r, &ie);
	}
	r->told_skips = true;
	return n;
}

rulec_replay *
rulec_replay_new(const unsigned char *img, size_t len,
		 const rulec_replay_opts *o, char *err, size_t errlen)
{
	rulec_replay *r = calloc(1, sizeof *r);
	struct replay_opts vo;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	if (img_load(img, len, &r->im, err, errlen) != 0) {
		free(r);
		return NULL;
	}
	replay_opts_init(&vo);
	if (o) {
		vo.id_field = o->id_field ? o->id_field : vo.id_field;
		vo.category_field = o->category_field ? o->category_field :
				    vo.category_field;
		vo.timestamp_field = o->timestamp_field ? o->timestamp_field :
				     vo.timestamp_field;
		vo.tiebreaker_field = o->tiebreaker_field;
		vo.size = o->size;
		vo.max_samples_per_key = o->max_samples_per_key;
		vo.reorder_ms = o->reorder_ms;
		if (o->max_event_size > 0)
			vo.max_event_size = (uint64_t)o->max_event_size;
		vo.max_partials = o->max_partials;
		if (o->threads > 0) {
			vo.threads = (unsigned)o->threads;
		} else {
			long n = sysconf(_SC_NPROCESSORS_ONLN);

			vo.threads = n > 1 ? (unsigned)(n < 64 ? n : 64) : 1;
		}
	}
	r->e = replay_new(&r->im, &vo, on_match, r, err, errlen);
	if (!r->e) {
		img_free(&r->im);
		free(r);
		return NULL;
	}
	r->t0 = now_seconds();
	return r;
}

void
rulec_replay_free(rulec_replay *r)
{
	if (!r)
		return;
	replay_free(r->e);
	img_free(&r->im);
	free(r);
}

void
rulec_replay_set_match_handler(rulec_replay *r, rulec_match_fn fn,
			       void *ud)
{
	r->match = fn;
	r->match_ud = ud;
}

void
rulec_replay_set_diag_handler(rulec_replay *r, rulec_replay_diag_fn fn,
			      void *ud)
{
	r->diag = fn;
	r->diag_ud = ud;
}

long
rulec_replay_feed(rulec_replay *r, const char *path)
{
	long n, skips;

	if (r->finished)
		return RULEC_ERR_ARG;
	skips = r->told_skips ? 0 : tell_skips(r);
	n = replay_feed(r->e, path, on_input_error, r);
	if (n == REPLAY_UNREADABLE)
		return RULEC_ERR_IO;
	if (n == REPLAY_NOMEM)
		return RULEC_ERR_NOMEM;
	return n + skips;
}

long
rulec_replay_feed_buffer(rulec_replay *r, const char *name,
			 const char *data, size_t len)
{
	long n, skips;

	if (r->finished)
		return RULEC_ERR_ARG;
	skips = r->told_skips ? 0 : tell_skips(r);
	n = replay_feed_buffer(r->e, name, data, len, on_input_error, r);
	if (n == REPLAY_NOMEM)
		return RULEC_ERR_NOMEM;
	return n + skips;
}

void
rulec_replay_stop(rulec_replay *r)
{
	replay_stop(r->e);
}

int
rulec_replay_finish(rulec_replay *r)
{
	int rc = RULEC_OK;

	if (!r->finished) {
		if (!r->told_skips)
			(void)tell_skips(r);
		rc = replay_finish(r->e, on_input_error, r) < 0 ?
		     RULEC_ERR_NOMEM : RULEC_OK;
		r->finished = true;
		r->t1 = now_seconds();
	}
	return replay_oom(r->e) ? RULEC_ERR_NOMEM : rc;
}

void
rulec_replay_get_stats(const rulec_replay *r, rulec_replay_stats *s)
{
	struct replay_stats st;
	struct rusage ru;

	replay_stats(r->e, &st);
	memset(s, 0, sizeof *s);
	s->rules = r->im.nrules;
	s->events = st.events;
	s->malformed = st.bad_events;
	s->bytes = st.bytes;
	s->results = st.results;
	s->late_events = st.late_events;
	s->no_timestamp = st.no_timestamp;
	s->tried = replay_tried(r->e);
	s->seconds = (r->finished ? r->t1 : now_seconds()) - r->t0;
	s->peak_rss_kb = getrusage(RUSAGE_SELF, &ru) == 0 ?
			 (long long)ru.ru_maxrss : -1;
}

int
rulec_replay_get_rule_stats(const rulec_replay *r, size_t i,
			    rulec_replay_rule_stats *s)
{
	const struct replay_rule_stats *rs;
	const struct img_rule *ir;

	if (i >= r->im.nrules)
		return RULEC_ERR_ARG;
	ir = &r->im.rules[i];
	rs = replay_rule_stats(r->e, (uint32_t)i);
	s->id = pool_cstr(&r->im, ir->id);
	s->name = pool_cstr(&r->im, ir->name);
	s->file = pool_cstr(&r->im, ir->file);
	s->hits = rs->hits;
	s->results = rs->results;
	return RULEC_OK;
}

/* ---- results ---- */

static rulec_value
null_value(void)
{
	rulec_value x;

	memset(&x, 0, sizeof x);
	x.kind = RULEC_VALUE_NULL;
	return x;
}

static rulec_value
value_of(const struct vm_val *v)
{
	rulec_value x = null_value();

	switch (v->k) {
	case VK_BOOL:
		x.kind = RULEC_VALUE_BOOL;
		x.u.b = v->u.b;
		break;
	case VK_LONG:
		x.kind = RULEC_VALUE_INT;
		x.u.i = v->u.i;
		break;
	case VK_DOUBLE:
		x.kind = RULEC_VALUE_FLOAT;
		x.u.f = v->u.d;
		break;
	case VK_STR:
		x.kind = RULEC_VALUE_STRING;
		x.u.str.s = v->u.s.s;
		x.u.str.len = v->u.s.n;
		break;
	case VK_DATE:
		x.kind = RULEC_VALUE_DATE;
		x.u.i = v->u.i;
		break;
	case VK_MULTI:
		x.kind = RULEC_VALUE_LIST;
		x.u.list.elems = v->u.m.v;
		x.u.list.n = v->u.m.n;
		break;
	default:
		break;
	}
	return x;
}

rulec_value
rulec_value_elem(const rulec_value *list, size_t i)
{
	if (list->kind != RULEC_VALUE_LIST || i >= list->u.list.n)
		return null_value();
	return value_of(&((const struct vm_val *)list->u.list.elems)[i]);
}

const char *
rulec_match_rule_id(const rulec_match *m)
{
	return pool_cstr(MATCH(m)->im, MATCH(m)->im->rules[MATCH(m)->rule].id);
}

const char *
rulec_match_rule_name(const rulec_match *m)
{
	return pool_cstr(MATCH(m)->im,
			 MATCH(m)->im->rules[MATCH(m)->rule].name);
}

const char *
rulec_match_rule_file(const rulec_match *m)
{
	return pool_cstr(MATCH(m)->im,
			 MATCH(m)->im->rules[MATCH(m)->rule].file);
}

size_t
rulec_match_rule_index(const rulec_match *m)
{
	return MATCH(m)->rule;
}

size_t
rulec_match_event_count(const rulec_match *m)
{
	return MATCH(m)->nev;
}

int
rulec_match_get_event(const rulec_match *m, size_t i,
		      rulec_match_event *ev)
{
	const struct replay_ev *x;

	if (i >= MATCH(m)->nev)
		return RULEC_ERR_ARG;
	memset(ev, 0, sizeof *ev);
	x = MATCH(m)->ev[i];
	if (!x) {
		ev->missing = 1;
		return RULEC_OK;
	}
	ev->index = x->index;
	ev->has_timestamp = x->ts != REPLAY_NO_TS;
	ev->timestamp = ev->has_timestamp ? x->ts : 0;
	ev->id = value_of(&x->id);
	return RULEC_OK;
}

size_t
rulec_match_key_count(const rulec_match *m)
{
	return MATCH(m)->nkeys;
}

rulec_value
rulec_match_key(const rulec_match *m, size_t i)
{
	return i < MATCH(m)->nkeys ? value_of(&MATCH(m)->keys[i]) :
	       null_value();
}

char *
rulec_match_render(const rulec_match *m, enum rulec_format fmt)
{
	struct strbuf sb = STRBUF_INIT;

	if (fmt != RULEC_FORMAT_JSON)
		return NULL;
	match_json(MATCH(m), &sb);
	return sb_take(&sb);
}
