/*
 * pipe.c - the way out of the engine: a result passes the rule's pipes
 * (head, tail) and the run's size limit as a record, and what is left is
 * handed to the match callback (see private.h).  A tail keeps its last n
 * records, with references to their events and a copy of their key,
 * until the input ends.
 */
#include "replay/private.h"

#include <stdlib.h>

#include "sema/ir.h"

static void
kept_free(struct kept *k)
{
	uint16_t i;

	for (i = 0; i < k->n; i++)
		rp_ev_drop(k->ev[i]);
	free(k->ev);
	rp_key_free(&k->key);
}

/* An owned copy of a result; false when out of memory. */
static bool
kept_make(struct replay *e, struct kept *k, const struct replay_match *m)
{
	uint16_t i;

	k->n = 0;
	k->ev = calloc(m->nev + 1u, sizeof *k->ev);
	if (!k->ev || !rp_key_make(&k->key, m->keys, m->nkeys, &e->keysb)) {
		free(k->ev);
		return false;
	}
	for (i = 0; i < m->nev; i++)
		k->ev[i] = m->ev[i] ? rp_ev_hold(m->ev[i]) : NULL;
	k->n = m->nev;
	return true;
}

static struct replay_match
view(const struct replay *e, const struct rule *ru, const struct kept *k)
{
	struct replay_match m;

	m.im = e->im;
	m.rule = ru->index;
	m.ev = k->ev;
	m.nev = k->n;
	m.keys = k->key.v;
	m.nkeys = k->key.n;
	return m;
}

/* Past the pipes: the size limit, the counts, the callback. */
static void
deliver(struct replay *e, struct rule *ru, const struct replay_match *m)
{
	if (ru->size_left == 0) {
		ru->stopped = ru->r->npipes == 0;
		return;
	}
	if (e->stopped)
		return;         /* replay_stop: nothing more delivered */
	if (ru->size_left > 0)
		ru->size_left--;
	ru->stats.results++;
	e->stats.results++;
	if (e->match)
		e->match(e->ud, m);
}

/* Sends result m through the rule's pipes from pipe i on.  `own` is its
 * owned copy when it comes out of a tail (released here), NULL when m is
 * borrowed (copied if a tail keeps it). */
static void
pipe_on(struct replay *e, struct rule *ru, uint16_t i,
	const struct replay_match *m, struct kept *own)
{
	struct kept k;

	for (; i < ru->r->npipes; i++) {
		struct pipe_state *p = &ru->pipes[i];

		if (p->kind == PIPE_HEAD) {
			if (p->seen >= p->n) {
				if (i == 0)
					ru->stopped = true;
				goto done;
			}
			p->seen++;
			continue;
		}
		/* tail: keep the last n until the end */
		if (p->n == 0)
			goto done;
		if (own) {
			k = *own;
		} else if (!kept_make(e, &k, m)) {
			e->oom = true;
			return;
		}
		if (p->ring.n < (size_t)p->n) {
			if (vec_push(&p->ring, k) < 0) {   /* rhead is 0 */
				kept_free(&k);
				e->oom = true;
			}
		} else {
			kept_free(&p->ring.v[p->rhead]);
			p->ring.v[p->rhead] = k;
			p->rhead = (p->rhead + 1) % (size_t)p->n;
		}
		return;
	}
	deliver(e, ru, m);
done:
	if (own)
		kept_free(own);
}

void
rp_result(struct replay *e, struct rule *ru, struct replay_ev **ev,
	  uint16_t n, const struct key *key)
{
	struct replay_match m;

	if (ru->stopped)
		return;
	m.im = e->im;
	m.rule = ru->index;
	m.ev = ev;
	m.nev = n;
	m.keys = key ? key->v : NULL;
	m.nkeys = key ? key->n : 0;
	pipe_on(e, ru, 0, &m, NULL);
}

void
rp_tails_out(struct replay *e, struct rule *ru)
{
	uint16_t p;

	for (p = 0; p < ru->r->npipes; p++) {
		struct pipe_state *ps = &ru->pipes[p];
		size_t k, n = ps->ring.n;

		if (ps->kind != PIPE_TAIL)
			continue;
		ps->ring.n = 0;
		for (k = 0; k < n; k++) {
			struct kept kp = ps->ring.v[(ps->rhead + k) %
						    (size_t)ps->n];
			struct replay_match m = view(e, ru, &kp);

			pipe_on(e, ru, (uint16_t)(p + 1), &m, &kp);
		}
		ps->rhead = 0;
	}
}

void
rp_pipes_free(struct rule *ru)
{
	uint16_t p;
	size_t k;

	for (p = 0; ru->pipes && p < ru->r->npipes; p++) {
		for (k = 0; k < ru->pipes[p].ring.n; k++)
			kept_free(&ru->pipes[p].ring.v[k]);
		vec_free(&ru->pipes[p].ring);
	}
	free(ru->pipes);
	ru->pipes = NULL;
}
