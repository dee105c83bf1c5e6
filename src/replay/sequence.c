/*
 * sequence.c - the per-key state of sequences (see private.h and
 * docs/run.md): the key table, partial sequences, the histories of
 * missing stages, completed sequences waiting for their trailing checks,
 * and the sweep that keeps the state within maxspan.
 */
#include "replay/private.h"

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
		partial_free(s->pend[i]);
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
	if (!rp_key_make(&s->key, k->v, k->n))
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

/* Removes keys with nothing pending whose history is past maxspan: the
 * vector is compacted in place and the index rebuilt (it never grows
 * then, so the rebuild cannot fail). */
static void
sweep(struct rule *ru)
{
	size_t j, kept = 0;
	int64_t limit;

	if (ru->span < 0 || ru->now == NO_TS || !ru->keys.n)
		return;
	limit = ru->now - ru->span;
	hash_clear(&ru->keyix);
	for (j = 0; j < ru->keys.n; j++) {
		struct skey *s = &ru->keys.v[j];
		bool live = false;
		uint16_t k;

		for (k = 0; k < ru->npos; k++) {
			if (s->pend[k] && s->pend[k]->first_ts != NO_TS &&
			    s->pend[k]->first_ts < limit) {
				partial_free(s->pend[k]);
				s->pend[k] = NULL;
			}
			live |= s->pend[k] != NULL;
		}
		for (k = 0; k < ru->nlog; k++) {
			mhist_trim(&s->miss[k], limit);
			live |= s->miss[k].n > 0;
		}
		if (!live && (ru->r->repeat < 2 ||
			      s->done % ru->r->repeat == 0)) {
			skey_clear(ru, s);
			continue;
		}
		if (kept != j)
			ru->keys.v[kept] = *s;
		(void)hash_add(&ru->keyix, ru->keys.v[kept].key.hash,
			       (uint32_t)kept);
		kept++;
	}
	ru->keys.n = kept;
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
	    p->ev[p->n - 1]->ts - lead->ts <= ru->r->maxspan_ms)
		goto drop;
	sk->done++;
	if (ru->r->repeat > 1 && sk->done % ru->r->repeat != 0)
		goto drop;
	r = vec_add(&ru->res);
	if (!r || !rp_key_make(&r->key, sk->key.v, sk->key.n)) {
		if (r)
			ru->res.n--;
		e->oom = true;
		goto drop;
	}
	r->ev = ev;
	r->nlog = ru->nlog;
	r->lead = lead ? rp_ev_hold(lead) : NULL;
	r->deadline = ru->has_trail ? p->ev[0]->ts + ru->r->maxspan_ms :
		      NO_TS;
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
			    t->ts - r->lead->ts <= ru->r->maxspan_ms)
				r->keep = false;
		} else if (t->ts - first->ts <= ru->r->maxspan_ms) {
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
		partial_free(sk->pend[0]);
		sk->pend[0] = p;
		return;
	}
	p = sk->pend[j - 1];
	if (!p || p->ev[p->n - 1]->index == ev->index)
		return;         /* nothing to extend, or the same event */
	sk->pend[j - 1] = NULL;
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
	partial_free(sk->pend[j]);
	sk->pend[j] = p;
}

/* An until event ends every partial sequence of its key. */
static void
seq_until(struct rule *ru, struct skey *sk)
{
	uint16_t j;

	for (j = 0; j < ru->npos; j++) {
		partial_free(sk->pend[j]);
		sk->pend[j] = NULL;
	}
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
	/* sweep once per span of time (at least a second) or when the key
	 * table grows large, so state follows the keys active in the span */
	if (ru->keys.n > 64 && ru->span >= 0 && ru->now != NO_TS &&
	    (ru->swept == NO_TS ||
	     ru->now - ru->swept > (ru->span > 1000 ? ru->span : 1000) ||
	     (++ru->since_sweep >= SWEEP_EVERY &&
	      ru->keys.n > 2 * SWEEP_EVERY))) {
		ru->since_sweep = 0;
		ru->swept = ru->now;
		sweep(ru);
	}
}
