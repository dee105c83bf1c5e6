/*
 * sample.c - sample queries: released hits fill per-key buckets, one per
 * filter, and the samples are made from them at the end of the input
 * (see private.h and docs/run.md).
 */
#include "replay/private.h"

#include <stdlib.h>
#include <string.h>

/* Keeps enough candidates to fill max_samples_per_key samples with
 * distinct events per sample. */
void
rp_sample_hit(struct replay *e, struct rule *ru, const struct hit *h)
{
	struct skey *sk = rp_skey_get(e, ru, &h->key, true);

	if (sk && (int64_t)sk->bucket[h->stage].n <
		  e->o.max_samples_per_key + ru->r->nstages &&
	    !rp_mhist_add(&sk->bucket[h->stage], h->ev))
		e->oom = true;
}

/* Keys in ascending order of their values (then of their text, for
 * values that order as equal, such as 2^53 and 2^53 + 1). */
static int
key_cmp(const void *a, const void *b)
{
	const struct skey *x = *(const struct skey *const *)a;
	const struct skey *y = *(const struct skey *const *)b;
	uint16_t i;
	int c;

	for (i = 0; i < x->key.n && i < y->key.n; i++) {
		c = vm_val_order(&x->key.v[i], &y->key.v[i]);
		if (c)
			return c;
	}
	if (x->key.n != y->key.n)
		return (int)x->key.n - (int)y->key.n;
	c = memcmp(x->key.json, y->key.json,
		   x->key.len < y->key.len ? x->key.len : y->key.len);
	if (c)
		return c;
	return x->key.len < y->key.len ? -1 : x->key.len > y->key.len;
}

/*
 * Delivers the samples of one rule, keys in ascending order.  Sample i of
 * a key takes, for each filter, its i-th event (or its last when it has
 * fewer), so a filter with one event repeats it across samples; within a
 * sample the events are distinct (an event is never two filters of one
 * sample), the next unused candidate of the filter replacing a repeat.
 * A key yields as many samples as its fullest filter allows, at most
 * max_samples_per_key.
 */
void
rp_samples_out(struct replay *e, struct rule *ru)
{
	struct skey **v = calloc(ru->keys.n + 1, sizeof *v);
	uint16_t ns = ru->r->nstages;
	struct replay_ev **ev = calloc(ns + 1u, sizeof *ev);
	size_t n = 0, i;

	if (!v || !ev) {
		free(v);
		free(ev);
		e->oom = true;
		return;
	}
	for (i = 0; i < ru->keys.n; i++)
		v[n++] = &ru->keys.v[i];
	qsort(v, n, sizeof *v, key_cmp);
	for (i = 0; i < n; i++) {
		size_t most = 0, j, s, t, u;
		bool empty = false;

		for (s = 0; s < ns; s++) {
			if (v[i]->bucket[s].n == 0)
				empty = true;
			if (v[i]->bucket[s].n > most)
				most = v[i]->bucket[s].n;
		}
		if (empty)
			continue;
		if ((int64_t)most > e->o.max_samples_per_key)
			most = (size_t)e->o.max_samples_per_key;
		for (j = 0; j < most; j++) {
			bool ok = true;

			for (s = 0; s < ns && ok; s++) {
				const struct mhist *b = &v[i]->bucket[s];
				size_t at = j < b->n ? j : b->n - 1;

				ev[s] = NULL;
				for (t = 0; t < b->n && !ev[s]; t++) {
					struct replay_ev *c =
						b->v[(at + t) % b->n];

					for (u = 0; u < s &&
					     ev[u]->index != c->index; u++)
						;
					if (u == s)
						ev[s] = c;
				}
				ok = ev[s] != NULL;
			}
			if (ok)
				rp_result(e, ru, ev, ns, &v[i]->key);
		}
	}
	free(ev);
	free(v);
}
