/*
 * sequence.c - the per-key state of sequences (see private.h and
 * docs/run.md): the key table, partial sequences, the histories of
 * missing stages, completed sequences waiting for their trailing checks,
 * and the sweep that keeps the state within maxspan.
 *
 * Design note on the cost of the state.  A sweep walks every key, so it
 * runs only when it can free something: when the oldest time the rule
 * holds (`oldest`, a lower bound kept as state is added) is older than
 * the span before the newest time, or when partials have ended since the
 * last sweep (their keys may be empty) and the key table has doubled
 * since; either way sweeps cost amortised O(1) per key added.  The index
 * is rebuilt into a table sized for the keys that remain, with room to
 * grow.  The live partial sequences of a rule are capped (max_partials):
 * when a new one passes the cap, a sweep runs if anything can expire,
 * and if that does not free an eighth of the cap, the oldest partials
 * (by the time, then the position, of their first event) are dropped
 * until it does, reported once per rule; freeing an eighth at a time
 * keeps the cost at O(log n) per partial.
 */
#include "replay/private.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the key table ---- */

static void
partial_free(struct partial *p)
{
	uint16_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		rp_ev_drop(p->ev[i]);
	free(p->ev);
	free(p);
}

/* Takes partial j out of key sk (NULL when there is none). */
static struct partial *
pend_take(struct rule *ru, struct skey *sk, uint16_t j)
{
	struct partial *p = sk->pend[j];

	if (p) {
		sk->pend[j] = NULL;
		ru->npartials--;
	}
	return p;
}

/* Ends partial j of key sk, if any. */
static void
pend_drop(struct rule *ru, struct skey *sk, uint16_t j)
{
	struct partial *p = pend_take(ru, sk, j);

	if (p) {
		partial_free(p);
		ru->ended++;
	}
}

/* Makes p partial j of key sk (the one there ends). */
static void
pend_put(struct rule *ru, struct skey *sk, uint16_t j, struct partial *p)
{
	pend_drop(ru, sk, j);
	sk->pend[j] = p;
	ru->npartials++;
}

/* Lowers the rule's oldest held time to t. */
static void
note_time(struct rule *ru, int64_t t)
{
	if (t != NO_TS && (ru->oldest == NO_TS || t < ru->oldest))
		ru->oldest = t;
}

static void
mhist_clear(struct mhist *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		rp_ev_drop(h->v[i]);
	vec_free(h);
}

bool
rp_mhist_add(struct mhist *h, struct replay_ev *ev)
{
	if (vec_push(h, ev) < 0)
		return false;
	rp_ev_hold(ev);
	return true;
}

/* Drops history entries older than `limit`. */
static void
mhist_trim(struct mhist *h, int64_t limit)
{
	size_t i = 0, j;

	while (i < h->n && h->v[i]->ts != NO_TS && h->v[i]->ts < limit)
		rp_ev_drop(h->v[i++]);
	if (i == 0)
		return;
	for (j = i; j < h->n; j++)
		h->v[j - i] = h->v[j];
	h->n -= i;
}

static void
skey_clear(struct rule *ru, struct skey *s)
{
	uint16_t i;

	for (i = 0; s->pend && i < ru->npos; i++)
		pend_drop(ru, s, i);
	for (i = 0; s->miss && i < ru->nlog; i++)
		mhist_clear(&s->miss[i]);
	for (i = 0; s->bucket && i < ru->r->nstages; i++)
		mhist_clear(&s->bucket[i]);
	free(s->pend);
	free(s->miss);
	free(s->bucket);
	rp_key_free(&s->key);
	memset(s, 0, sizeof *s);
}

struct skey *
rp_skey_get(struct replay *e, struct rule *ru, const struct key *k,
	    bool add)
{
	uint32_t pos, it;
	struct skey *s;

	for (pos = hash_first(&ru->keyix, k->hash);
	     (it = hash_next(&ru->keyix, k->hash, &pos)) != HASH_NONE;) {
		s = &ru->keys.v[it];
		if (s->key.len == k->len &&
		    memcmp(s->key.json, k->json, k->len) == 0)
			return s;
	}
	if (!add)
		return NULL;
	if (vec_reserve(&ru->keys, ru->keys.n + 1) < 0)
		return rp_nomem(e);
	s = &ru->keys.v[ru->keys.n];
	memset(s, 0, sizeof *s);
	if (!rp_key_copy(&s->key, k))
		return rp_nomem(e);
	s->pend = calloc(ru->npos + 1u, sizeof(struct partial *));
	s->miss = calloc(ru->nlog + 1u, sizeof(struct mhist));
	s->bucket = calloc(ru->r->nstages + 1u, sizeof(struct mhist));
	if (!s->pend || !s->miss || !s->bucket ||
	    hash_add(&ru->keyix, k->hash, (uint32_t)ru->keys.n) < 0) {
		skey_clear(ru, s);
		return rp_nomem(e);
	}
	ru->keys.n++;
	return s;
}

void
rp_keys_free(struct rule *ru)
{
	size_t k;

	for (k = 0; k < ru->keys.n; k++)
		skey_clear(ru, &ru->keys.v[k]);
	vec_free(&ru->keys);
	hash_free(&ru->keyix);
}

/* Whether some partial or history entry of the rule is older than the
 * span allows (a sweep would free it). */
static bool
can_expire(const struct rule *ru)
{
	return ru->span >= 0 && ru->now != NO_TS && ru->oldest != NO_TS &&
	       ru->oldest < ru->now - ru->span;
}

/* Rebuilds the key index for the keys.n keys, in a table sized for them
 * with room to grow; when that table cannot be had, in the old one,
 * which holds at least as many and so needs no memory. */
static void
reindex(struct rule *ru)
{
	struct hash nh = HASH_INIT;
	size_t j;

	if (hash_reserve(&nh, 2 * ru->keys.n + 16) == 0) {
		hash_free(&ru->keyix);
		ru->keyix = nh;
	} else {
		hash_clear(&ru->keyix);
	}
	for (j = 0; j < ru->keys.n; j++)
		(void)hash_add(&ru->keyix, ru->keys.v[j].key.hash, (uint32_t)j);
}

/* Removes partials and history entries past the span (none without
 * one) and then keys with nothing left, compacting the vector in place;
 * recomputes the oldest held time. */
static void
sweep(struct rule *ru)
{
	size_t j, kept = 0;
	int64_t limit = NO_TS;

	if (ru->span >= 0 && ru->now != NO_TS)
		limit = ru->now - ru->span;
	ru->oldest = NO_TS;
	for (j = 0; j < ru->keys.n; j++) {
		struct skey *s = &ru->keys.v[j];
		bool live = false;
		uint16_t k;

		for (k = 0; k < ru->npos; k++) {
			if (s->pend[k] && s->pend[k]->first_ts != NO_TS &&
			    s->pend[k]->first_ts < limit)
				pend_drop(ru, s, k);
			if (s->pend[k]) {
				live = true;
				note_time(ru, s->pend[k]->first_ts);
			}
		}
		for (k = 0; k < ru->nlog; k++) {
			if (limit != NO_TS)
				mhist_trim(&s->miss[k], limit);
			if (s->miss[k].n > 0) {
				live = true;
				note_time(ru, s->miss[k].v[0]->ts);
			}
		}
		if (!live && (ru->r->repeat < 2 ||
			      s->done % ru->r->repeat == 0) && !s->waiting) {
			skey_clear(ru, s);
			continue;
		}
		if (kept != j)
			ru->keys.v[kept] = *s;
		kept++;
	}
	ru->keys.n = kept;
	ru->kept_keys = kept;
	ru->ended = 0;
	reindex(ru);
}

/* Sweeps when it can free something (see the design note). */
static void
maybe_sweep(struct rule *ru)
{
	bool expire = can_expire(ru);

	if (ru->keys.n <= 64 || (!expire && !ru->ended))
		return;
	if (ru->keys.n >= 2 * ru->kept_keys ||
	    (expire && (ru->swept == NO_TS ||
			ru->now - ru->swept > (ru->span > 1000 ? ru->span :
					       1000)))) {
		ru->swept = ru->now;
		sweep(ru);
	}
}

/* Partials by age: the time, then the position, of their first event. */
struct age {
	int64_t ts;
	uint64_t index;
};

static int
age_cmp(const void *a, const void *b)
{
	const struct age *x = a, *y = b;

	if (x->ts != y->ts)
		return x->ts < y->ts ? -1 : 1;
	return x->index < y->index ? -1 : x->index > y->index;
}

/* The rule holds more partials than max_partials: frees what expired,
 * and when that does not free an eighth of the cap, drops the oldest
 * until it is free. */
static void
cap_partials(struct replay *e, struct rule *ru)
{
	uint64_t cap = (uint64_t)e->o.max_partials, want, n = 0;
	struct age *v, cut;
	size_t j;
	uint16_t k;

	want = cap - cap / 8;           /* keep at most this many */
	if (can_expire(ru)) {
		ru->swept = ru->now;
		sweep(ru);
		/* enough room now (not just one place: each call must free
		 * an eighth, or a steady trickle of expiries would sweep the
		 * whole table for every new partial) */
		if (ru->npartials <= want)
			return;
	}
	if (!ru->capped) {
		char msg[200];

		ru->capped = true;
		snprintf(msg, sizeof msg, "the rule holds %" PRIu64 " partial "
			 "sequences, the most allowed (max_partials); from "
			 "here on its oldest partials are dropped", cap);
		rp_report(e, RP_PARTIALS, ru->index, msg);
	}
	v = malloc((size_t)ru->npartials * sizeof *v + 1);
	if (!v) {
		e->oom = true;
		return;
	}
	for (j = 0; j < ru->keys.n; j++)
		for (k = 0; k < ru->npos; k++) {
			const struct partial *p = ru->keys.v[j].pend[k];

			if (p && n < ru->npartials) {
				v[n].ts = p->first_ts;
				v[n++].index = p->ev[0]->index;
			}
		}
	qsort(v, (size_t)n, sizeof *v, age_cmp);
	if (n <= want) {
		free(v);
		return;
	}
	/* the youngest `want` stay: those not older than cut */
	if (want > 0) {
		cut = v[n - want];
	} else {
		cut.ts = INT64_MAX;
		cut.index = UINT64_MAX;
	}
	free(v);
	for (j = 0; j < ru->keys.n; j++)
		for (k = 0; k < ru->npos; k++) {
			struct skey *sk = &ru->keys.v[j];
			struct age a;

			if (!sk->pend[k])
				continue;
			a.ts = sk->pend[k]->first_ts;
			a.index = sk->pend[k]->ev[0]->index;
			if (age_cmp(&a, &cut) < 0) {
				pend_drop(ru, sk, k);
				e->stats.dropped_partials++;
			}
		}
	/* their keys may be empty now */
	ru->swept = ru->now;
	sweep(ru);
}

/* ---- completed sequences ---- */

/* Checks the missing stages that can be decided now; queues the rest. */
static void
complete(struct replay *e, struct rule *ru, struct skey *sk,
	 struct partial *p)
{
	struct replay_ev **ev = calloc(ru->nlog + 1u, sizeof *ev);
	struct replay_ev *lead = NULL;
	uint16_t l, j = 0;
	struct result *r;

	if (!ev) {
		e->oom = true;
		return;
	}
	for (l = 0; l < ru->nlog; l++) {
		if (!ru->log_missing[l]) {
			ev[l] = rp_ev_hold(p->ev[j++]);
			continue;
		}
		if (j > 0 && j < ru->npos) {
			/* middle: no event of the stage strictly between
			 * the positive events around it */
			const struct mhist *h = &sk->miss[l];
			int64_t a = p->ev[j - 1]->ts, b = p->ev[j]->ts;
			size_t i;

			for (i = 0; i < h->n; i++)
				if (h->v[i]->ts > a && h->v[i]->ts < b)
					goto drop;
		} else if (j == 0) {
			/* leading: the latest such event before the first */
			const struct mhist *h = &sk->miss[l];
			size_t i;

			for (i = h->n; i-- > 0;)
				if (rp_ev_order(h->v[i], p->ev[0]) < 0) {
					if (!lead ||
					    rp_ev_order(h->v[i], lead) > 0)
						lead = h->v[i];
					break;
				}
		}
	}
	if (ru->has_lead && !ru->has_trail && lead &&
	    rp_within(lead->ts, p->ev[p->n - 1]->ts, ru->maxspan))
		goto drop;
	sk->done++;
	if (ru->r->repeat > 1 && sk->done % ru->r->repeat != 0)
		goto drop;
	r = vec_add(&ru->res);
	if (!r || !rp_key_copy(&r->key, &sk->key)) {
		if (r)
			ru->res.n--;
		e->oom = true;
		goto drop;
	}
	r->ev = ev;
	r->nlog = ru->nlog;
	r->lead = lead ? rp_ev_hold(lead) : NULL;
	/* decided once time passes maxspan after the first event; at once
	 * when that cannot be known (no maxspan, a first event without a
	 * time), since nothing is then within maxspan of it */
	r->deadline = NO_TS;
	if (ru->has_trail)
		r->deadline = p->ev[0]->ts == NO_TS || ru->maxspan < 0 ?
			      NO_TS + 1 : p->ev[0]->ts + ru->maxspan;
	if (ru->has_trail)
		sk->waiting++;
	else {
		r->decided = true;
		r->keep = true;
	}
	return;
drop:
	for (l = 0; l < ru->nlog; l++)
		rp_ev_drop(ev[l]);
	free(ev);
}

/* The trailing check: T, the earliest event of a trailing missing stage
 * after the last positive event, is searched in the key's history. */
static void
decide_one(struct replay *e, struct rule *ru, struct result *r)
{
	struct skey *sk = rp_skey_get(e, ru, &r->key, false);
	struct replay_ev *first = NULL, *last = NULL, *t = NULL;
	uint16_t l;
	size_t i;

	for (l = 0; l < ru->nlog; l++)
		if (r->ev[l]) {
			if (!first)
				first = r->ev[l];
			last = r->ev[l];
		}
	if (sk && last) {
		for (l = (uint16_t)(ru->pos[ru->npos - 1] + 1); l < ru->nlog;
		     l++) {
			const struct mhist *h = &sk->miss[l];

			for (i = 0; i < h->n; i++)
				if (rp_ev_order(h->v[i], last) > 0) {
					if (!t || rp_ev_order(h->v[i], t) < 0)
						t = h->v[i];
					break;
				}
		}
	}
	r->keep = true;
	if (sk && sk->waiting)
		sk->waiting--;
	if (t && first) {
		if (ru->has_lead) {
			if (r->lead &&
			    rp_within(r->lead->ts, t->ts, ru->maxspan))
				r->keep = false;
		} else if (rp_within(first->ts, t->ts, ru->maxspan)) {
			r->keep = false;
		}
	}
	r->decided = true;
}

/* Results completed by one event come out in the order of their events
 * (the last first, then from the first on), then of their keys. */
static int
res_cmp(const void *a, const void *b)
{
	const struct result *x = a, *y = b;
	const struct replay_ev *lx = NULL, *ly = NULL;
	uint16_t l, n = x->nlog;
	int c;

	for (l = 0; l < n; l++) {
		if (x->ev[l])
			lx = x->ev[l];
		if (y->ev[l])
			ly = y->ev[l];
	}
	if (lx && ly && (c = rp_ev_order(lx, ly)))
		return c;
	for (l = 0; l < n; l++)
		if (x->ev[l] && y->ev[l] &&
		    (c = rp_ev_order(x->ev[l], y->ev[l])))
			return c;
	for (l = 0; l < x->key.n && l < y->key.n; l++)
		if ((c = vm_val_order(&x->key.v[l], &y->key.v[l])))
			return c;
	return 0;
}

void
rp_res_decide(struct replay *e, struct rule *ru, bool eof)
{
	if (ru->res.n - ru->reshead > 1)
		qsort(ru->res.v + ru->reshead, ru->res.n - ru->reshead,
		      sizeof *ru->res.v, res_cmp);
	while (ru->reshead < ru->res.n) {
		struct result *r = &ru->res.v[ru->reshead];
		uint16_t l;

		if (!r->decided) {
			if (!eof && (ru->now == NO_TS || r->deadline == NO_TS ||
				     ru->now <= r->deadline))
				return;
			decide_one(e, ru, r);
		}
		if (r->keep)
			rp_result(e, ru, r->ev, ru->nlog, &r->key);
		for (l = 0; l < ru->nlog; l++)
			rp_ev_drop(r->ev[l]);
		free(r->ev);
		rp_ev_drop(r->lead);
		rp_key_free(&r->key);
		ru->reshead++;
	}
	ru->res.n = ru->reshead = 0;
}

/* ---- the state machine ---- */

/* Logical stage l of key sk takes event ev. */
static void
seq_stage(struct replay *e, struct rule *ru, struct skey *sk, uint16_t l,
	  struct replay_ev *ev)
{
	uint16_t j;
	struct partial *p;
	int64_t span = ru->span;

	if (ru->npos == 0)
		return;         /* only missing stages: nothing can match */
	if (ru->log_missing[l]) {
		/* keep only what a check can still ask for: events of a
		 * trailing stage while a result of the key waits, of a middle
		 * stage while a partial is pending, of a leading stage always
		 * (trimmed to the span) */
		if (l > ru->pos[ru->npos - 1] && !sk->waiting)
			return;
		if (l > ru->pos[0] && l < ru->pos[ru->npos - 1]) {
			for (j = 0; j < ru->npos && !sk->pend[j]; j++)
				;
			if (j == ru->npos)
				return;
		}
		if (!rp_mhist_add(&sk->miss[l], ev)) {
			e->oom = true;
			return;
		}
		note_time(ru, ev->ts);
		if (span >= 0 && ev->ts != NO_TS)
			mhist_trim(&sk->miss[l], ev->ts - 2 * span - 1);
		return;
	}
	for (j = 0; ru->pos[j] != l; j++)
		;
	if (j == 0) {
		p = calloc(1, sizeof *p);
		if (!p || !(p->ev = calloc(ru->npos, sizeof *p->ev))) {
			free(p);
			e->oom = true;
			return;
		}
		p->ev[0] = rp_ev_hold(ev);
		p->n = 1;
		p->first_ts = ev->ts;
		if (ru->npos == 1) {
			complete(e, ru, sk, p);
			partial_free(p);
			return;
		}
		pend_put(ru, sk, 0, p);
		note_time(ru, ev->ts);
		return;
	}
	p = sk->pend[j - 1];
	if (!p || p->ev[p->n - 1]->index == ev->index)
		return;         /* nothing to extend, or the same event */
	p = pend_take(ru, sk, (uint16_t)(j - 1));
	ru->ended++;
	if (span >= 0 && ev->ts != NO_TS && p->first_ts != NO_TS &&
	    ev->ts - p->first_ts > span) {
		partial_free(p);
		return;
	}
	p->ev[p->n++] = rp_ev_hold(ev);
	if (j == ru->npos - 1) {
		complete(e, ru, sk, p);
		partial_free(p);
		return;
	}
	pend_put(ru, sk, j, p);
}

/* An until event ends every partial sequence of its key. */
static void
seq_until(struct rule *ru, struct skey *sk)
{
	uint16_t j;

	for (j = 0; j < ru->npos; j++)
		pend_drop(ru, sk, j);
}

void
rp_seq_hit(struct replay *e, struct rule *ru, const struct hit *h)
{
	struct skey *sk;
	uint16_t l, first, runs;

	if (h->stage == ru->until) {
		sk = rp_skey_get(e, ru, &h->key, false);
		if (sk)
			seq_until(ru, sk);
		return;
	}
	/* only the first stage (or a leading missing one) starts state
	 * for a key; a later stage can only extend what exists */
	first = ru->first_log[h->stage];
	sk = rp_skey_get(e, ru, &h->key, ru->npos && first <= ru->pos[0]);
	if (!sk)
		return;
	runs = ru->r->stages[h->stage].runs ? (uint16_t)
	       ru->r->stages[h->stage].runs : 1;
	for (l = (uint16_t)(first + runs); l-- > first;)
		seq_stage(e, ru, sk, l, h->ev);
	/* both may move keys: sk is not used after them */
	if (e->o.max_partials >= 0 &&
	    ru->npartials > (uint64_t)e->o.max_partials)
		cap_partials(e, ru);
	else
		maybe_sweep(ru);
}
