/*
 * engine.c - the replay engine's core (see engine.h, and private.h for
 * the design): setup from an image, field access, the per-event dispatch
 * by category, candidate selection and guards, the hit heap that forms
 * the reorder window, and the input loop.
 */
#include "replay/engine.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "replay/private.h"
#include "sema/ir.h"

void
replay_opts_init(struct replay_opts *o)
{
	memset(o, 0, sizeof *o);
	o->id_field = "event.id";
	o->category_field = "event.category";
	o->timestamp_field = "@timestamp";
	o->tiebreaker_field = NULL;
	o->size = -1;
	o->max_samples_per_key = 1;
	o->reorder_ms = 10000;
	o->max_event_size = EV_DEFAULT_MAX_RECORD;
	o->max_partials = REPLAY_MAX_PARTIALS;
}

void
replay_stop(struct replay *e)
{
	e->stopped = true;
}

int
rp_path_id(struct replay *e, const char *s, size_t n)
{
	uint32_t h = hash_str(s, n), pos, it;
	struct pathent *pe;

	for (pos = hash_first(&e->pathix, h);
	     (it = hash_next(&e->pathix, h, &pos)) != HASH_NONE;)
		if (e->path.v[it].n == n &&
		    memcmp(e->path.v[it].s, s, n) == 0)
			return (int)it;
	pe = vec_add(&e->path);
	if (!pe)
		goto nomem;
	pe->s = rp_memdup(s, n);
	pe->n = n;
	if (!pe->s || hash_add(&e->pathix, h, (uint32_t)(e->path.n - 1)) < 0) {
		free(pe->s);
		e->path.n--;
		goto nomem;
	}
	return (int)(e->path.n - 1);
nomem:
	e->oom = true;
	return -1;
}

static const char *
pool_str(const struct image *im, uint32_t i, uint32_t *n)
{
	if (i == IMG_NONE) {
		*n = 0;
		return NULL;
	}
	*n = im->pool[i].u.str.len;
	return im->pool[i].u.str.s;
}

/* ---- the category table ---- */

static struct catent *
cat_find(struct replay *e, const char *s, size_t n)
{
	uint32_t h = hash_str(s, n), pos, it;

	for (pos = hash_first(&e->catix, h);
	     (it = hash_next(&e->catix, h, &pos)) != HASH_NONE;)
		if (e->cats.v[it].n == n &&
		    memcmp(e->cats.v[it].s, s, n) == 0)
			return &e->cats.v[it];
	return NULL;
}

/* The entry of category s (in the image), added if new; NULL on oom. */
static struct catent *
cat_add(struct replay *e, const char *s, size_t n)
{
	struct catent *c = cat_find(e, s, n);

	if (c)
		return c;
	c = vec_add(&e->cats);
	if (!c || hash_add(&e->catix, hash_str(s, n),
			   (uint32_t)(e->cats.n - 1)) < 0) {
		if (c)
			e->cats.n--;
		return rp_nomem(e);
	}
	c->s = s;
	c->n = (uint32_t)n;
	return c;
}

/* ---- setup ---- */

/* A key block that only reads an optional field: null keys allowed. */
static bool
key_optional(const struct image *im, const struct img_block *b)
{
	const uint8_t *c = im->code + b->off;
	uint32_t a;

	if (b->len != 6 || c[0] != OPC_PUSH_FIELD)
		return false;
	a = (uint32_t)c[1] | (uint32_t)c[2] << 8 | (uint32_t)c[3] << 16 |
	    (uint32_t)c[4] << 24;
	return im->pool[a].type == POOL_FIELD &&
	       (im->pool[a].u.field.flags & FIELD_OPTIONAL);
}

/* Registers the category dispatch of rule ri; false on oom. */
static bool
rule_dispatch(struct replay *e, struct rule *ru, uint32_t ri)
{
	const struct img_rule *r = ru->r;
	uint32_t i, n;

	if (ru->own_category)
		return vec_push(&e->ownrules, ri) == 0;
	for (i = 0; i < r->nstages; i++) {
		struct plist *pl = &e->any;
		const char *s = pool_str(e->im, r->stages[i].category, &n);
		struct pair *p;

		if (s) {
			struct catent *c = cat_add(e, s, n);

			if (!c)
				return false;
			pl = &c->pl;
		}
		p = vec_add(pl);
		if (!p)
			return false;
		p->rule = ri;
		p->stage = (uint16_t)i;
	}
	return true;
}

/* Fills rule ri's state from the image; false on oom. */
static bool
rule_setup(struct replay *e, struct rule *ru, uint32_t ri)
{
	const struct img_rule *r = &e->im->rules[ri];
	const char *s;
	uint32_t n, i, k, nlog = 0;
	uint16_t nimg = r->nstages;

	ru->r = r;
	ru->index = ri;
	ru->now = NO_TS;
	ru->swept = NO_TS;
	ru->oldest = NO_TS;
	/* A detection rule only ever searches its look-back window, so a
	 * sequence without maxspan cannot span more than that either. */
	ru->maxspan = rp_span(r->maxspan_ms);
	ru->span = ru->maxspan >= 0 ? ru->maxspan : rp_span(r->window_ms);
	s = pool_str(e->im, r->catfield, &n);
	ru->catpath = s ? rp_path_id(e, s, n) : e->p_cat;
	ru->own_category = s != NULL;
	s = pool_str(e->im, r->tsfield, &n);
	ru->tspath = s ? rp_path_id(e, s, n) : e->p_ts;
	/* an override falls back on the run's field, as Kibana's falls
	 * back on @timestamp, unless the rule turns that off */
	ru->ts_strict = s && (r->flags & RULE_TS_NO_FALLBACK);
	ru->tsfall = s && !ru->ts_strict && ru->tspath != e->p_ts ?
		     e->p_ts : -1;
	s = pool_str(e->im, r->tbfield, &n);
	ru->tbpath = s ? rp_path_id(e, s, n) : e->p_tb;
	ru->until = UINT16_MAX;
	if (nimg && (r->stages[nimg - 1].flags & STAGE_UNTIL)) {
		ru->until = (uint16_t)(nimg - 1);
		nimg--;
	}
	ru->refused = r->refused;
	for (i = 0; i < r->nstages && !ru->refused; i++) {
		ru->refused = vm_block_refused(e->rt, &r->stages[i].code);
		for (k = 0; k < r->stages[i].nkeys && !ru->refused; k++)
			ru->refused = vm_block_refused(e->rt,
						       &r->stages[i].keys[k]);
	}
	/* the loader marks a rule past the engine's limits (keys, runs,
	 * stages once runs are expanded) */
	for (i = 0; i < nimg && !ru->refused; i++)
		nlog += r->stages[i].runs ? r->stages[i].runs : 1;
	if (nlog > UINT16_MAX && !ru->refused)
		ru->refused = "too many stages once runs are expanded";
	if (ru->refused) {
		/* left out: no stage, no dispatch (reported by the
		 * driver, replay_rule_refused) */
		nlog = 0;
		nimg = 0;
		ru->stopped = true;
	}
	ru->nlog = (uint16_t)nlog;
	ru->first_log = calloc(r->nstages + 1u, sizeof *ru->first_log);
	ru->log_stage = calloc(ru->nlog + 1u, sizeof *ru->log_stage);
	ru->log_missing = calloc(ru->nlog + 1u, sizeof *ru->log_missing);
	ru->pos = calloc(ru->nlog + 1u, sizeof *ru->pos);
	ru->trailing = calloc(r->nstages + 1u, sizeof *ru->trailing);
	ru->later = calloc(r->nstages + 1u, sizeof *ru->later);
	ru->guards = calloc(r->nstages + 1u, sizeof *ru->guards);
	ru->nguards = calloc(r->nstages + 1u, sizeof *ru->nguards);
	ru->resume = calloc(r->nstages + 1u, sizeof *ru->resume);
	ru->optkeys = calloc(r->nstages + 1u, sizeof *ru->optkeys);
	ru->pipes = calloc(r->npipes + 1u, sizeof *ru->pipes);
	if (!ru->first_log || !ru->log_stage || !ru->log_missing ||
	    !ru->pos || !ru->trailing || !ru->later || !ru->guards ||
	    !ru->nguards || !ru->resume || !ru->optkeys || !ru->pipes ||
	    e->oom)
		return false;
	for (i = 0, k = 0; i < nimg; i++) {
		uint32_t j, runs = r->stages[i].runs ? r->stages[i].runs : 1;

		ru->first_log[i] = (uint16_t)k;
		for (j = 0; j < runs; j++, k++) {
			ru->log_stage[k] = (uint16_t)i;
			ru->log_missing[k] = r->stages[i].flags &
					     STAGE_MISSING;
			if (!ru->log_missing[k])
				ru->pos[ru->npos++] = (uint16_t)k;
			else if (ru->npos == 0)
				ru->has_lead = true;
		}
	}
	if (ru->npos && ru->pos[ru->npos - 1] + 1u < ru->nlog)
		ru->has_trail = true;
	for (i = 0; i < nimg; i++)
		ru->trailing[i] = ru->npos &&
				  ru->first_log[i] > ru->pos[ru->npos - 1];
	/* stages that only act on existing state: every stage of a
	 * sequence after the first (positive or leading missing one), and
	 * until */
	for (i = 0; i < r->nstages && r->kind == Q_SEQUENCE; i++)
		ru->later[i] = i >= nimg || !ru->npos ||
			       ru->first_log[i] > ru->pos[0];
	for (i = 0; i < r->nstages && !ru->refused; i++) {
		ru->nguards[i] = (uint8_t)vm_guards(e->rt, &r->stages[i].code,
						    ru->guards[i], 8,
						    &ru->resume[i]);
		for (k = 0; k < r->stages[i].nkeys; k++)
			if (key_optional(e->im, &r->stages[i].keys[k]))
				ru->optkeys[i] |= (uint64_t)1 << k;
	}
	for (i = 0; i < r->npipes; i++) {
		ru->pipes[i].kind = r->pipes[i].kind;
		ru->pipes[i].n = r->pipes[i].n;
	}
	ru->size_left = e->o.size;
	return ru->refused ? true : rule_dispatch(e, ru, ri);
}

/* ---- guard order and the pair lists ---- */

/* A guard with its sort key: cheap tests first (all must hold), then
 * the tests most stages share, so that lists group on them. */
struct gkey {
	uint32_t id, freq;
	bool pattern;
};

static int
guard_cmp(const void *a, const void *b)
{
	const struct gkey *x = a, *y = b;

	if (x->pattern != y->pattern)
		return x->pattern ? 1 : -1;
	if (x->freq != y->freq)
		return x->freq > y->freq ? -1 : 1;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int
pair_cmp(const void *a, const void *b)
{
	const struct pair *x = a, *y = b;

	if (x->g1 != y->g1)
		return x->g1 < y->g1 ? -1 : 1;
	if (x->g2 != y->g2)
		return x->g2 < y->g2 ? -1 : 1;
	if (x->rule != y->rule)
		return x->rule < y->rule ? -1 : 1;
	return (int)x->stage - (int)y->stage;
}

/* Sorts a pair list by its first two guards (the order its stages are
 * tried in). */
static void
plist_sort(struct replay *e, struct plist *pl)
{
	size_t i;

	for (i = 0; i < pl->n; i++) {
		struct rule *ru = &e->rules[pl->v[i].rule];
		uint16_t s = pl->v[i].stage;

		pl->v[i].g1 = ru->nguards[s] > 0 ? ru->guards[s][0] : 0;
		pl->v[i].g2 = ru->nguards[s] > 1 ? ru->guards[s][1] : 0;
	}
	if (pl->n > 1)
		qsort(pl->v, pl->n, sizeof *pl->v, pair_cmp);
}

/* ---- selection ---- */

/*
 * The cost of selecting by leaf id, in tries of a stage: how often the
 * leaf holds (the index's guess; for an equality, its share of the
 * index's strings: `event.type == "start"` is one of a few strings, a
 * process name one of hundreds), plus the index's own work on every
 * event shared by the stages that use it (e->selusers, counted in a
 * first pass over every list, since an event's category list and the
 * `any` list share its lookups); a leaf without index is evaluated on
 * every event and holds who knows how often.  SEL_INDEX_COST was chosen
 * by measurement (callgrind, the first 10,000 gen-events events through
 * the 1,081 corpus rules; instructions of the per-event work against
 * 0.05: 0 +3%, 0.15 +0.4%, 0.5 +1.8%, 1.0 +4%).
 */
#define SEL_INDEX_COST 0.05

static double
sel_cost(void *ud, uint32_t id)
{
	struct replay *e = ud;
	uint32_t x;
	double share;

	if (!(x = vm_leaf_index(e->rt, id, &share)))
		return 1 + SEL_INDEX_COST;
	return share + SEL_INDEX_COST / (e->selusers[x] ? e->selusers[x] : 1);
}

static int
selpos_cmp(const void *a, const void *b)
{
	const struct selpos *x = a, *y = b;

	if (x->x != y->x)
		return x->x < y->x ? -1 : 1;
	if (x->leaf != y->leaf)
		return x->leaf < y->leaf ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

static int
selent_cmp(const void *a, const void *b)
{
	const struct selent *x = a, *y = b;

	if (x->leaf != y->leaf)
		return x->leaf < y->leaf ? -1 : 1;
	if (x->list != y->list)
		return x->list < y->list ? -1 : 1;
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Sorts e->sel and makes its blocks; false on oom. */
static bool
sel_blocks(struct replay *e)
{
	size_t i, j;

	if (e->sel.n > 1)
		qsort(e->sel.v, e->sel.n, sizeof *e->sel.v, selent_cmp);
	for (i = 0; i < e->sel.n; i = j) {
		struct selblk *b = vec_add(&e->selblk);

		if (!b)
			return false;
		for (j = i; j < e->sel.n && e->sel.v[j].leaf ==
		     e->sel.v[i].leaf && e->sel.v[j].list ==
		     e->sel.v[i].list; j++)
			;
		b->leaf = e->sel.v[i].leaf;
		b->list = e->sel.v[i].list;
		b->from = (uint32_t)i;
		b->to = (uint32_t)j;
		if (!e->selhead[b->leaf])
			e->selhead[b->leaf] = (uint32_t)e->selblk.n;
	}
	return true;
}

/* Counts into `users` the stages of list pl that would use each index
 * (by the costs of e->selusers). */
static void
plist_users(struct replay *e, const struct plist *pl, uint32_t *users)
{
	uint32_t ids[VM_MAX_NEEDS], x;
	size_t i, j, k, n;
	double share;

	for (i = 0; i < pl->n; i++) {
		struct rule *ru = &e->rules[pl->v[i].rule];

		n = vm_needs(e->rt, &ru->r->stages[pl->v[i].stage].code,
			     sel_cost, e, ids, VM_MAX_NEEDS);
		for (k = 0; k < n; k++) {
			x = vm_leaf_index(e->rt, ids[k], &share);
			for (j = 0; j < k; j++)
				if (vm_leaf_index(e->rt, ids[j], &share) == x)
					break;
			if (x && j == k)
				users[x]++;
		}
	}
}

/* Builds list pl's selection (the list is sorted); false on oom. */
static bool
plist_select(struct replay *e, struct plist *pl)
{
	VEC(struct selpos) sel = VEC_INIT;
	uint32_t ids[VM_MAX_NEEDS];
	size_t i, k, n;
	double share;

	pl->nw = (pl->n + 63) / 64;
	pl->always = calloc(pl->nw + 1, sizeof *pl->always);
	if (!pl->always)
		return false;
	if (pl->nw > e->maxnw)
		e->maxnw = pl->nw;
	for (i = 0; i < pl->n; i++) {
		struct rule *ru = &e->rules[pl->v[i].rule];

		n = vm_needs(e->rt, &ru->r->stages[pl->v[i].stage].code,
			     sel_cost, e, ids, VM_MAX_NEEDS);
		if (!n)
			pl->always[i / 64] |= (uint64_t)1 << i % 64;
		for (k = 0; k < n; k++) {
			struct selpos *sp = vec_add(&sel);
			struct selent *se;

			if (!sp)
				goto nomem;
			sp->leaf = ids[k];
			sp->pos = (uint32_t)i;
			sp->x = vm_leaf_index(e->rt, ids[k], &share);
			if (!sp->x)
				continue;
			if (vm_index_add(e->rt, ids[k]) < 0 ||
			    !(se = vec_add(&e->sel)))
				goto nomem;
			se->leaf = ids[k];
			se->list = pl->id;
			se->pos = (uint32_t)i;
		}
	}
	pl->sel = sel.v;
	pl->nsel = sel.n;
	if (pl->nsel > 1)
		qsort(pl->sel, pl->nsel, sizeof *pl->sel, selpos_cmp);
	pl->grp = malloc((pl->nsel + 1) * sizeof *pl->grp);
	if (!pl->grp)
		return false;
	for (i = 0; i < pl->nsel; i = k) {
		struct selgrp *g = &pl->grp[pl->ngrp++];

		for (k = i; k < pl->nsel && pl->sel[k].x == pl->sel[i].x &&
		     (pl->sel[i].x || pl->sel[k].leaf == pl->sel[i].leaf); k++)
			;
		g->x = pl->sel[i].x;
		g->leaf = pl->sel[i].leaf;
		g->from = (uint32_t)i;
		g->to = (uint32_t)k;
	}
	return true;
nomem:
	vec_free(&sel);
	return false;
}

static bool select_build(struct replay *e);

/* Orders every stage's guards and finishes the pair lists; false on
 * oom. */
static bool
guards_order(struct replay *e)
{
	uint32_t i, s, k, *freq;
	struct gkey g[8];
	size_t c;

	freq = calloc(vm_leaf_count(e->rt) + 1, sizeof *freq);
	if (!freq)
		return false;
	for (i = 0; i < e->nrules; i++)
		for (s = 0; s < e->rules[i].r->nstages; s++)
			for (k = 0; k < e->rules[i].nguards[s]; k++)
				freq[e->rules[i].guards[s][k]]++;
	for (i = 0; i < e->nrules; i++)
		for (s = 0; s < e->rules[i].r->nstages; s++) {
			uint32_t *ids = e->rules[i].guards[s];
			uint8_t n = e->rules[i].nguards[s];

			for (k = 0; k < n; k++) {
				g[k].id = ids[k];
				g[k].freq = freq[ids[k]];
				g[k].pattern = vm_leaf_is_pattern(e->rt,
								  ids[k]);
			}
			if (n > 1)
				qsort(g, n, sizeof *g, guard_cmp);
			for (k = 0; k < n; k++)
				ids[k] = g[k].id;
		}
	free(freq);
	e->selhead = calloc(vm_leaf_count(e->rt) + 1, sizeof *e->selhead);
	if (!e->selhead)
		return false;
	plist_sort(e, &e->any);
	e->any.id = 0;
	for (c = 0; c < e->cats.n; c++) {
		plist_sort(e, &e->cats.v[c].pl);
		e->cats.v[c].pl.id = (uint32_t)c + 1;
	}
	return select_build(e);
}

/* Builds the selection of every list; false on oom. */
static bool
select_build(struct replay *e)
{
	size_t c, nx = vm_index_count(e->rt) + 1;
	uint32_t *users;

	e->selusers = calloc(nx, sizeof *e->selusers);
	users = calloc(nx, sizeof *users);
	if (!e->selusers || !users)
		goto fail;
	/* a first pass counts the stages that would use each index (the
	 * lookups of an event are shared by its category's list and the
	 * `any` list) */
	plist_users(e, &e->any, users);
	for (c = 0; c < e->cats.n; c++)
		plist_users(e, &e->cats.v[c].pl, users);
	memcpy(e->selusers, users, nx * sizeof *users);
	if (!plist_select(e, &e->any))
		goto fail;
	for (c = 0; c < e->cats.n; c++)
		if (!plist_select(e, &e->cats.v[c].pl))
			goto fail;
	free(users);
	free(e->selusers);
	e->selusers = NULL;
	return sel_blocks(e);
fail:
	free(users);
	return false;
}

static void
plist_unselect(struct plist *pl)
{
	free(pl->always);
	free(pl->sel);
	free(pl->grp);
	pl->always = NULL;
	pl->sel = NULL;
	pl->grp = NULL;
	pl->nw = pl->nsel = pl->ngrp = 0;
}

/*
 * The guessed frequencies can be far off (a pattern list guessed rare
 * holds on half the events; `event.type == "start"` is one string of 12
 * but most process events), so the indexes count what they find on the
 * first SEL_LEARN events and the selection is chosen again with those
 * frequencies.  Which stages are tried changes, not their order, so
 * results do not.  False on oom.
 */
bool
rp_select_again(struct replay *e)
{
	size_t c;

	e->learned = true;
	(void)vm_index_learn(e->rt, false);
	plist_unselect(&e->any);
	for (c = 0; c < e->cats.n; c++)
		plist_unselect(&e->cats.v[c].pl);
	e->sel.n = 0;
	e->selblk.n = 0;
	memset(e->selhead, 0, (vm_leaf_count(e->rt) + 1) *
	       sizeof *e->selhead);
	return select_build(e);
}

/* Registers the field paths of the image and the run; false on oom. */
static bool
paths_setup(struct replay *e)
{
	const struct image *im = e->im;
	const struct replay_opts *o = &e->o;
	uint32_t i;

	e->pool_path = malloc((im->npool + 1) * sizeof(int));
	if (!e->pool_path)
		return false;
	for (i = 0; i < im->npool; i++) {
		const struct img_pool_entry *pe = &im->pool[i];

		e->pool_path[i] = pe->type == POOL_FIELD ?
				  rp_path_id(e, pe->u.field.path.s,
					     pe->u.field.path.len) : -1;
		if (pe->type == POOL_ANCESTOR)
			e->ptable = true;
	}
	e->p_id = rp_path_id(e, o->id_field, strlen(o->id_field));
	e->p_cat = rp_path_id(e, o->category_field,
			      strlen(o->category_field));
	e->p_ts = rp_path_id(e, o->timestamp_field,
			     strlen(o->timestamp_field));
	e->p_tb = o->tiebreaker_field ?
		  rp_path_id(e, o->tiebreaker_field,
			     strlen(o->tiebreaker_field)) : -1;
	for (i = 0; i < im->nrules; i++) {
		uint32_t n;
		const char *f = pool_str(im, im->rules[i].file, &n);

		if (f && n > 4 && memcmp(f + n - 4, ".xml", 4) == 0)
			e->ptable = true;
	}
	return !e->oom;
}

/* The per-path tables of the current event and the watermarks, once
 * every path is known; false on oom. */
static bool
event_setup(struct replay *e)
{
	uint32_t i;
	size_t k;

	/* distinct clocks, for the watermarks; the run's is the first */
	e->clocks = malloc((e->nrules + 1) * sizeof *e->clocks);
	if (!e->clocks)
		return false;
	e->clocks[0].path = e->p_ts;
	e->clocks[0].fall = -1;
	e->nclocks = 1;
	for (i = 0; i < e->nrules; i++) {
		struct rule *ru = &e->rules[i];

		for (k = 0; k < e->nclocks; k++)
			if (e->clocks[k].path == ru->tspath &&
			    e->clocks[k].fall == ru->tsfall)
				break;
		if (k == e->nclocks) {
			e->clocks[k].path = ru->tspath;
			e->clocks[k].fall = ru->tsfall;
			e->nclocks++;
		}
		ru->clock = k;
	}
	e->wm = malloc((e->nclocks + 1) * sizeof *e->wm);
	e->timers = calloc(e->nclocks + 1, sizeof *e->timers);
	if (!e->timers)
		return false;
	if (!e->wm || !rp_worker_init(&e->w0, e, e->rt))
		return false;
	for (k = 0; k < e->nclocks; k++)
		e->wm[k] = NO_TS;
	return true;
}

struct replay *
replay_new(const struct image *im, const struct replay_opts *o,
	   replay_match_fn fn, void *ud, char *err, size_t errlen)
{
	struct replay *e = calloc(1, sizeof *e);
	uint32_t i;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->im = im;
	e->o = *o;
	if (e->o.reorder_ms < 0)
		e->o.reorder_ms = 0;
	e->match = fn;
	e->ud = ud;
	e->exe = -1;
	e->rt = vm_rt_new(im, err, errlen);
	if (!e->rt) {
		free(e);
		return NULL;
	}
	if (!paths_setup(e) || (e->ptable && !rp_proc_setup(e)))
		goto nomem;
	e->rules = calloc(im->nrules + 1, sizeof *e->rules);
	if (!e->rules)
		goto nomem;
	e->nrules = im->nrules;
	for (i = 0; i < im->nrules; i++)
		if (!rule_setup(e, &e->rules[i], i))
			goto nomem;
	if (!guards_order(e) || !event_setup(e) ||
	    vm_index_learn(e->rt, true) < 0)
		goto nomem;
	return e;
nomem:
	replay_free(e);
	snprintf(err, errlen, "out of memory");
	return NULL;
}

/* ---- field access ---- */

static void
from_ev(const struct ev_value *v, struct vm_val *out)
{
	out->ver = 0;
	switch (v->kind) {
	case EV_BOOL: out->k = VK_BOOL; out->u.b = v->u.b; break;
	case EV_INT: out->k = VK_LONG; out->u.i = v->u.i; break;
	case EV_DOUBLE: out->k = VK_DOUBLE; out->u.d = v->u.d; break;
	case EV_STRING:
		out->k = VK_STR;
		out->u.s.s = v->u.s.s;
		out->u.s.n = (uint32_t)v->u.s.len;
		break;
	default: out->k = VK_NULL; break;
	}
}

/* Sets the out-of-memory flag of what w works for: its part of the
 * input, or the engine. */
static void
w_nomem(struct rp_worker *w)
{
	if (w->out)
		w->out->oom = true;
	else
		w->e->oom = true;
}

/* The raw value of path id p in the current event (cached). */
static const struct vm_val *
get_path(struct rp_worker *w, int p)
{
	struct vm_val *c;
	struct ev_value v;
	const struct ev_value *el;
	size_t n, i, m = 0;

	if (p < 0) {
		static const struct vm_val null = { .k = VK_NULL };

		return &null;
	}
	c = &w->cache[p];
	if (w->cgen[p] == w->gen)
		return c;
	w->cgen[p] = w->gen;
	c->k = VK_NULL;
	if (!w->ev || !ev_slot(w->ev, w->slot[p], &v, &el, &n))
		return c;
	if (v.kind != EV_ARRAY) {
		from_ev(&v, c);
		return c;
	}
	if (n == 0)
		return c;
	{
		/* elements live in scratch memory until the next event */
		struct vm_val *arr = vm_scratch_alloc(w->rt, n * sizeof *arr);

		if (!arr) {
			w_nomem(w);
			return c;
		}
		for (i = 0; i < n; i++) {
			from_ev(&el[i], &arr[m]);
			if (arr[m].k != VK_NULL)
				m++;
		}
		if (m == 1) {
			*c = arr[0];
		} else if (m > 1) {
			c->k = VK_MULTI;
			c->u.m.v = arr;
			c->u.m.n = (uint32_t)m;
		}
	}
	return c;
}

/* The process table is only kept with one thread (threads.c): its
 * reads are the engine's own worker's. */
const struct vm_val *
rp_get_path(struct replay *e, int p)
{
	return get_path(&e->w0, p);
}

void
rp_host_field(void *h, uint32_t f, struct vm_val *out)
{
	struct rp_worker *w = h;
	struct replay *e = w->e;
	int sx;

	if (w->subject) {       /* an ancestor: its snapshot */
		sx = e->pool_suffix ? e->pool_suffix[f] : -1;
		if (sx < 0 || e->pool_up[f] != 0)
			out->k = VK_NULL;
		else
			*out = w->subject->v[sx];
		return;
	}
	*out = *get_path(w, e->pool_path[f]);
	if (out->k == VK_NULL && e->ptable && e->pool_suffix &&
	    (sx = e->pool_suffix[f]) >= 0 && e->pool_up[f] > 0) {
		struct proc *p = rp_proc_up(e, e->pool_up[f]);

		if (p)
			*out = p->v[sx];
	}
}

/* The current event's time by path p, parsed once per event: NO_TS
 * when absent or no time, TS_BAD when a time outside the years
 * 0000-9999 (its value kept in w->badtime for the message). */
static int64_t
ts_of(struct rp_worker *w, int p)
{
	const struct vm_val *v;
	int64_t t = NO_TS;
	bool bad = false;

	if (p < 0)
		return NO_TS;
	if (w->tsgen[p] == w->gen)
		return w->tsval[p];
	v = rp_str_of(get_path(w, p));
	if (v->k == VK_LONG) {
		t = v->u.i;
		bad = !vm_time_ok(t);
	} else if (v->k == VK_DOUBLE) {
		/* a number past int64_t is a time, and out of range */
		bad = !vm_double_ms(v->u.d, &t) || !vm_time_ok(t);
	} else if (v->k == VK_STR) {
		if (!vm_parse_date(v->u.s.s, v->u.s.n, &t))
			t = NO_TS;
		else
			bad = !vm_time_ok(t);
	}
	if (bad) {
		if (v->k == VK_DOUBLE)
			snprintf(w->badtime, sizeof w->badtime, "%.17g",
				 v->u.d);
		else
			snprintf(w->badtime, sizeof w->badtime, "%" PRId64,
				 t);
		t = TS_BAD;
	}
	w->tsgen[p] = w->gen;
	w->tsval[p] = t;
	return t;
}

/* The current event's time on a clock: its path, else its fallback. */
static int64_t
clock_ts(struct rp_worker *w, const struct clock *c)
{
	int64_t t = ts_of(w, c->path);

	return t == NO_TS && c->fall >= 0 ? ts_of(w, c->fall) : t;
}

/* Reports a problem of the current record (or, after the input, of the
 * run) to the handler of the input being read. */
static void
report(struct replay *e, enum replay_problem kind, uint32_t rule,
       const char *msg)
{
	struct replay_input_error ie;

	if (!e->fn)
		return;
	memset(&ie, 0, sizeof ie);
	ie.path = e->inname;
	if (e->inname) {
		ie.line = e->loc_line;
		ie.offset = e->loc_off;
	}
	ie.msg = msg;
	ie.kind = kind;
	ie.rule = rule;
	e->fn(e->fnud, &ie);
}

void
rp_report(struct replay *e, enum replay_problem kind, uint32_t rule,
	  const char *msg)
{
	report(e, kind, rule, msg);
}

/* Whether every time the rules read from the current event is absent or
 * inside the years 0000-9999; the first that is not is described in
 * msg (the event is then skipped). */
static bool
times_ok(struct rp_worker *w, char *msg, size_t len)
{
	struct replay *e = w->e;
	size_t i;

	for (i = 0; i < e->nclocks; i++) {
		const struct clock *c = &e->clocks[i];
		int p = c->path;
		int64_t t = ts_of(w, p);

		if (t == NO_TS && c->fall >= 0)
			t = ts_of(w, p = c->fall);
		if (t != TS_BAD)
			continue;
		snprintf(msg, len, "the time in %.80s (%s ms since "
			 "1970) is outside the years 0000 to 9999 that rulec "
			 "reads; the event is skipped", e->path.v[p].s,
			 w->badtime);
		return false;
	}
	return true;
}

/* Counts a late event; the first one's place is kept for the warning. */
static void
note_late(struct replay *e)
{
	if (e->stats.late_events++ == 0 && e->inname) {
		e->late_path = rp_memdup(e->inname, strlen(e->inname));
		if (!e->late_path)
			e->oom = true;
		e->late_line = e->loc_line;
		e->late_off = e->loc_off;
	}
}

/* The summary of the current event as rule ru sees it. */
static struct replay_ev *
make_ev(struct rp_worker *w, struct rule *ru, uint64_t index)
{
	struct replay *e = w->e;
	struct replay_ev *ev;

	ev = rp_ev_new(&e->evfree, index, clock_ts(w, &e->clocks[ru->clock]),
		       rp_str_of(get_path(w, ru->tbpath)),
		       get_path(w, e->p_id));
	return ev ? ev : rp_nomem(e);
}

/* ---- the hit heap: the reorder window ---- */

static int
hit_order(const struct hit *a, const struct hit *b)
{
	int c = rp_ev_order(a->ev, b->ev);

	if (c)
		return c;
	/* one event: later stages first (an event never moves a sequence
	 * twice), until last: a sequence the event completes is a result,
	 * and every partial of the key, also one the event has just
	 * extended, ends */
	return a->prio > b->prio ? -1 : a->prio < b->prio;
}

static bool
heap_push(struct rule *ru, const struct hit *h)
{
	size_t i;

	if (vec_reserve(&ru->heap, ru->heap.n + 1) < 0)
		return false;
	i = ru->heap.n++;
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (hit_order(&ru->heap.v[p], h) <= 0)
			break;
		ru->heap.v[i] = ru->heap.v[p];
		i = p;
	}
	ru->heap.v[i] = *h;
	return true;
}

static void
heap_pop(struct rule *ru, struct hit *out)
{
	struct hit last;
	size_t i = 0;

	*out = ru->heap.v[0];
	last = ru->heap.v[--ru->heap.n];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= ru->heap.n)
			break;
		if (c + 1 < ru->heap.n &&
		    hit_order(&ru->heap.v[c + 1], &ru->heap.v[c]) < 0)
			c++;
		if (hit_order(&last, &ru->heap.v[c]) <= 0)
			break;
		ru->heap.v[i] = ru->heap.v[c];
		i = c;
	}
	if (ru->heap.n)
		ru->heap.v[i] = last;
}

/* Whether t is more than `window` ms before `now` (no overflow). */
static bool
behind(int64_t t, int64_t now, int64_t window)
{
	return t < now && (uint64_t)now - (uint64_t)t > (uint64_t)window;
}

/* A hit leaves the window: the rule's query takes it. */
static void
process_hit(struct replay *e, struct rule *ru, struct hit *h)
{
	struct skey *sk;

	if (ru->res.n && h->ev->index != ru->cur_index)
		rp_res_decide(e, ru, false);
	ru->cur_index = h->ev->index;
	if (h->ev->ts != NO_TS && (ru->now == NO_TS || h->ev->ts > ru->now))
		ru->now = h->ev->ts;
	switch (ru->r->kind) {
	case Q_EVENT:
		if (ru->r->repeat > 1) {
			sk = rp_skey_get(e, ru, &h->key, true);
			if (!sk || ++sk->done % ru->r->repeat != 0)
				return;
		}
		rp_result(e, ru, &h->ev, 1, NULL);
		return;
	case Q_SAMPLE:
		rp_sample_hit(e, ru, h);
		return;
	default:
		rp_seq_hit(e, ru, h);
		return;
	}
}

/* Releases the hits the watermark allows (all of them at the end). */
static void
release(struct replay *e, struct rule *ru, bool eof)
{
	int64_t wm = e->wm[ru->clock];
	struct hit h;

	/* hits without a timestamp sort first and leave at once */
	while (ru->heap.n) {
		const struct replay_ev *top = ru->heap.v[0].ev;

		if (!eof && top->ts != NO_TS &&
		    (wm == NO_TS || !behind(top->ts, wm, e->o.reorder_ms)))
			break;
		heap_pop(ru, &h);
		ru->stats.hits++;
		process_hit(e, ru, &h);
		rp_ev_drop(h.ev);
		rp_key_free(&h.key);
	}
	if (ru->res.n)
		rp_res_decide(e, ru, eof);
}

/* ---- the timers: which rules to release ---- */

/* The time the watermark must pass for a hit at t to leave the window
 * (saturated: behind() never holds past INT64_MAX). */
static int64_t
deadline_of(int64_t t, int64_t window)
{
	/* window >= 0 (replay_new) */
	return t >= 0 && window > INT64_MAX - t ? INT64_MAX : t + window;
}

static bool
timer_push(struct timers *t, int64_t at, uint32_t rule)
{
	size_t i;

	if (vec_reserve(&t->h, t->h.n + 1) < 0)
		return false;
	i = t->h.n++;
	while (i > 0 && t->h.v[(i - 1) / 2].at > at) {
		t->h.v[i] = t->h.v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	t->h.v[i].at = at;
	t->h.v[i].rule = rule;
	return true;
}

static struct timer
timer_pop(struct timers *t)
{
	struct timer top = t->h.v[0], last = t->h.v[--t->h.n];
	size_t i = 0;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= t->h.n)
			break;
		if (c + 1 < t->h.n && t->h.v[c + 1].at < t->h.v[c].at)
			c++;
		if (last.at <= t->h.v[c].at)
			break;
		t->h.v[i] = t->h.v[c];
		i = c;
	}
	if (t->h.n)
		t->h.v[i] = last;
	return top;
}

/* Arms rule ru's timer for its earliest held hit (which has a time:
 * hits without one leave at once). */
static void
arm(struct replay *e, struct rule *ru)
{
	int64_t d;

	if (!ru->heap.n)
		return;
	d = deadline_of(ru->heap.v[0].ev->ts, e->o.reorder_ms);
	if (ru->armed && ru->deadline == d)
		return;
	if (!timer_push(&e->timers[ru->clock], d, ru->index)) {
		e->oom = true;
		return;
	}
	ru->armed = true;
	ru->deadline = d;
}

static int
apos_cmp(const void *a, const void *b)
{
	const struct rule *x = *(struct rule *const *)a;
	const struct rule *y = *(struct rule *const *)b;

	return x->apos < y->apos ? -1 : x->apos > y->apos;
}

/*
 * Releases what the watermarks allow.  Visiting every active rule after
 * every event, as the definition goes (each in the order of the active
 * list, a rule that is left with nothing removed by moving the last one
 * into its place), costs a call per rule per event; a rule that got no
 * hit in this event and whose timer the watermark did not pass would
 * release nothing and stay (its results wait for hits to move its
 * clock).  So only the due rules are visited, in the same order: by
 * place in the list, and a due rule moved into the place just emptied is
 * visited next, as the loop over the list would.  Results leave in the
 * order of the full loop.
 */
static void
release_due(struct replay *e)
{
	size_t c, k;

	for (c = 0; c < e->nclocks; c++) {
		struct timers *t = &e->timers[c];

		while (t->h.n && t->h.v[0].at < e->wm[c]) {
			struct timer tm = timer_pop(t);
			struct rule *ru = &e->rules[tm.rule];

			if (!ru->armed || ru->deadline != tm.at)
				continue;       /* a stale timer */
			ru->armed = false;
			if (!ru->due) {
				if (vec_push(&e->due, ru) < 0) {
					e->oom = true;
					return;
				}
				ru->due = true;
			}
		}
	}
	if (e->due.n > 1)
		qsort(e->due.v, e->due.n, sizeof *e->due.v, apos_cmp);
	for (k = 0; k < e->due.n; k++) {
		struct rule *ru = e->due.v[k];
		size_t i = ru->apos;

		while (ru->due) {
			ru->due = false;
			release(e, ru, false);
			if (ru->heap.n || ru->res.n) {
				arm(e, ru);
				break;
			}
			ru->active = false;
			ru->armed = false;
			ru = e->active.v[--e->active.n];
			if (i == e->active.n)
				break;
			e->active.v[i] = ru;
			ru->apos = i;
		}
	}
	e->due.n = 0;
}

/* ---- per event ---- */

/* Expands multi-valued keys: pushes a hit for every combination. */
static void
expand_keys(struct replay *e, struct rule *ru, uint16_t stage,
	    struct vm_val *vals, const bool *opt, uint16_t n, uint16_t at,
	    struct vm_val *cur, struct replay_ev *ev)
{
	const struct vm_val *v;
	uint32_t i, cnt;
	struct hit h;

	if (at == n) {
		h.stage = stage;
		h.prio = stage == ru->until ? 0 : (uint16_t)(stage + 1);
		if (!rp_key_make(&h.key, cur, n, &e->keysb)) {
			e->oom = true;
			return;
		}
		h.ev = rp_ev_hold(ev);
		if (!heap_push(ru, &h)) {
			rp_ev_drop(h.ev);
			rp_key_free(&h.key);
			e->oom = true;
		}
		return;
	}
	v = &vals[at];
	if (v->k == VK_NULL) {
		if (!opt[at])
			return;         /* a null key drops the event */
		cur[at] = *v;
		expand_keys(e, ru, stage, vals, opt, n, at + 1, cur, ev);
		return;
	}
	cnt = v->k == VK_MULTI ? v->u.m.n : 1;
	for (i = 0; i < cnt; i++) {
		const struct vm_val *x = v->k == VK_MULTI ? &v->u.m.v[i] : v;
		uint32_t j;

		if (x->k == VK_NULL)
			continue;
		for (j = 0; j < i; j++)         /* duplicates collapse */
			if (vm_val_same(&v->u.m.v[j], x))
				break;
		if (j < i)
			continue;
		cur[at] = *x;
		expand_keys(e, ru, stage, vals, opt, n, at + 1, cur, ev);
	}
}

/* Whether stage s of rule ru can still matter, by the rule's state:
 * read by the thread that keeps the state, before the stage is tried
 * (one thread) or before what a worker found is applied. */
static bool
stage_live(const struct rule *ru, uint16_t s)
{
	if (ru->stopped)
		return false;
	/* a trailing missing stage only matters after a result: none is
	 * waiting, and no hit is pending that could make one */
	if (ru->trailing[s] && ru->heap.n == 0 && ru->res.n == 0)
		return false;
	/* a later stage with no key state and no pending hit: nothing it
	 * could extend or end */
	if (ru->later[s] && ru->keys.n == 0 && ru->heap.n == 0)
		return false;
	return true;
}

/* Stage s of rule ru held on event ev with join key values vals: its
 * hits go to the rule's heap, and the rule is visited after the event. */
static void
hit_apply(struct replay *e, struct rule *ru, uint16_t s,
	  struct replay_ev *ev, struct vm_val *vals)
{
	struct vm_val cur[IMG_MAX_KEYS];
	bool opt[IMG_MAX_KEYS];
	uint16_t k, n = ru->r->stages[s].nkeys; /* the loader bounds it */

	if (ev->ts == NO_TS)
		e->stats.no_timestamp++;
	for (k = 0; k < n; k++)
		opt[k] = ru->optkeys[s] >> k & 1;
	if (!ru->active) {
		if (vec_push(&e->active, ru) < 0) {
			e->oom = true;
			return;
		}
		ru->active = true;
		ru->apos = e->active.n - 1;
	}
	if (!ru->due) {
		if (vec_push(&e->due, ru) < 0) {
			e->oom = true;
			return;
		}
		ru->due = true;
	}
	expand_keys(e, ru, s, vals, opt, n, 0, cur, ev);
}

/* A copy of v (its strings and elements) in o's arena. */
static void
out_val(struct rp_out *o, struct vm_val *dst, const struct vm_val *v)
{
	*dst = *v;
	if (v->k == VK_STR) {
		dst->u.s.s = arena_strndup(&o->ar, v->u.s.s, v->u.s.n);
		if (!dst->u.s.s) {
			dst->k = VK_NULL;
			o->oom = true;
		}
	} else if (v->k == VK_MULTI) {
		struct vm_val *el = arena_alloc(&o->ar, (v->u.m.n + 1u) *
						sizeof *el);
		uint32_t i;

		if (!el) {
			dst->k = VK_NULL;
			o->oom = true;
			return;
		}
		for (i = 0; i < v->u.m.n; i++) {
			if (v->u.m.v[i].k == VK_MULTI)
				el[i].k = VK_NULL;      /* not made by fields */
			else
				out_val(o, &el[i], &v->u.m.v[i]);
		}
		dst->u.m.v = el;
	}
}

/* Writes what the ordered thread needs of stage s of rule ru, which
 * held on w's current event: the event's summary and the join keys. */
static void
out_cand(struct rp_worker *w, struct rule *ru, uint16_t s,
	 const struct vm_host *host)
{
	struct replay *e = w->e;
	struct rp_out *o = w->out;
	const struct img_stage *st = &ru->r->stages[s];
	struct rp_cand *c = vec_add(&o->cands);
	const struct vm_val *v;
	struct vm_val kv;
	uint16_t k;

	if (!c) {
		o->oom = true;
		return;
	}
	c->rule = ru->index;
	c->stage = s;
	c->ts = clock_ts(w, &e->clocks[ru->clock]);
	v = rp_str_of(get_path(w, ru->tbpath));
	if (v->k == VK_MULTI)
		c->tb.k = VK_NULL;
	else
		out_val(o, &c->tb, v);
	out_val(o, &c->id, get_path(w, e->p_id));
	c->keys = arena_alloc(&o->ar, (st->nkeys + 1u) * sizeof *c->keys);
	if (!c->keys) {
		o->oom = true;
		o->cands.n--;
		return;
	}
	for (k = 0; k < st->nkeys; k++) {
		vm_eval(w->rt, &st->keys[k], host, &kv);
		out_val(o, &c->keys[k], &kv);
	}
}

/* Tries stage s of rule ru on the current event; its first `checked`
 * guards are already known to hold. */
static void
try_stage(struct rp_worker *w, struct rule *ru, uint16_t s,
	  struct replay_ev **ev, uint64_t index, unsigned checked)
{
	struct replay *e = w->e;
	const struct img_stage *st = &ru->r->stages[s];
	const struct vm_host host = { rp_host_field, rp_host_ancestor, w,
				      true };
	struct vm_val vals[IMG_MAX_KEYS];
	uint16_t k, n = st->nkeys;     /* the loader bounds it */

	/* a worker thread does not see the rules' state: the ordered
	 * thread asks stage_live before it applies what was found */
	if (!w->out && !stage_live(ru, s))
		return;
	/* without a fallback, the rule's search never finds an event that
	 * lacks a time in its override field */
	if (ru->ts_strict && ts_of(w, ru->tspath) == NO_TS)
		return;
	for (k = (uint16_t)checked; k < ru->nguards[s]; k++)
		if (!vm_leaf(w->rt, ru->guards[s][k], &host))
			return;
	if (!vm_test_at(w->rt, &st->code, ru->resume[s], &host))
		return;
	if (w->out) {
		out_cand(w, ru, s, &host);
		return;
	}
	if (!*ev && !(*ev = make_ev(w, ru, index)))
		return;
	for (k = 0; k < n; k++)
		vm_eval(w->rt, &st->keys[k], &host, &vals[k]);
	hit_apply(e, ru, s, *ev, vals);
}

/* Marks the pairs of list pl whose selecting leaf holds on the current
 * event: the leaves without an index are evaluated (once per leaf), an
 * index is looked up once and only the leaves it finds true are
 * followed to their pairs. */
static void
select_pairs(struct rp_worker *w, const struct plist *pl,
	     const struct vm_host *host)
{
	struct replay *e = w->e;
	const struct selgrp *g, *gend = pl->grp + pl->ngrp;
	uint64_t *cand = w->cand;

	memcpy(cand, pl->always, pl->nw * sizeof *cand);
	for (g = pl->grp; g < gend; g++) {
		const struct selpos *sp;
		const uint32_t *ids;
		size_t n, i;

		if (!g->x || !vm_index_hits(w->rt, g->x, host, &ids, &n)) {
			/* leaves evaluated (also those of an index that
			 * cannot answer this value) */
			for (sp = pl->sel + g->from; sp < pl->sel + g->to; sp++)
				if (vm_leaf(w->rt, sp->leaf, host))
					cand[sp->pos / 64] |=
						(uint64_t)1 << sp->pos % 64;
			continue;
		}
		for (i = 0; i < n; i++) {
			const struct selblk *b;
			uint32_t l = e->selhead[ids[i]], j;

			if (!l)
				continue;
			for (b = &e->selblk.v[l - 1];
			     b < e->selblk.v + e->selblk.n &&
			     b->leaf == ids[i]; b++) {
				if (b->list != pl->id)
					continue;
				for (j = b->from; j < b->to; j++)
					cand[e->sel.v[j].pos / 64] |=
						(uint64_t)1 <<
						e->sel.v[j].pos % 64;
				break;
			}
		}
	}
}

/* Runs the stages of list pl that the selection finds on the current
 * event, in the list's order. */
static void
try_list(struct rp_worker *w, const struct plist *pl, uint64_t index)
{
	struct replay *e = w->e;
	const struct vm_host host = { rp_host_field, rp_host_ancestor, w,
				      true };
	struct replay_ev *ev = NULL;
	uint32_t rule = UINT32_MAX;
	uint64_t tried = 0;
	size_t k;

	select_pairs(w, pl, &host);
	for (k = 0; k < pl->nw; k++) {
		uint64_t b = w->cand[k];

		while (b) {
			size_t i = k * 64 + (size_t)__builtin_ctzll(b);
			const struct pair *p = &pl->v[i];

			b &= b - 1;
			/* consecutive pairs of one rule share the event
			 * record */
			if (p->rule != rule) {
				rp_ev_drop(ev);
				ev = NULL;
				rule = p->rule;
			}
			tried++;
			try_stage(w, &e->rules[p->rule], p->stage, &ev, index,
				  0);
		}
	}
	w->tried += tried;
	rp_ev_drop(ev);
}

static void
dispatch_category(struct rp_worker *w, const struct vm_val *c,
		  uint64_t index)
{
	struct replay *e = w->e;
	uint32_t i, n = c->k == VK_MULTI ? c->u.m.n : c->k == VK_STR;

	/* one thread only: the lists change (see select_again) */
	if (!w->out && !e->learned && e->stats.events >= SEL_LEARN &&
	    !rp_select_again(e)) {
		e->oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		const struct vm_val *x = c->k == VK_MULTI ? &c->u.m.v[i] : c;
		struct catent *ce;
		uint32_t j;

		if (x->k != VK_STR)
			continue;
		for (j = 0; j < i; j++) {
			const struct vm_val *y = &c->u.m.v[j];

			if (y->k == VK_STR && y->u.s.n == x->u.s.n &&
			    memcmp(y->u.s.s, x->u.s.s, x->u.s.n) == 0)
				break;
		}
		if (j < i)
			continue;       /* a repeated category */
		ce = cat_find(e, x->u.s.s, x->u.s.n);
		if (ce)
			try_list(w, &ce->pl, index);
	}
}

/* The watermarks after an event at times t (per clock); a late event is
 * counted (on the run's clock). */
static void
advance(struct replay *e, const int64_t *t)
{
	size_t i;

	for (i = 0; i < e->nclocks; i++) {
		if (t[i] != NO_TS && e->wm[i] != NO_TS && i == 0 &&
		    behind(t[i], e->wm[i], e->o.reorder_ms))
			note_late(e);
		if (t[i] != NO_TS && (e->wm[i] == NO_TS || t[i] > e->wm[i]))
			e->wm[i] = t[i];
	}
}

bool
rp_eval(struct rp_worker *w, uint64_t index, char *msg, size_t len)
{
	struct replay *e = w->e;
	struct rp_rec *rec = NULL;
	size_t i;

	w->gen++;
	vm_scratch_reset(w->rt);
	if (!times_ok(w, msg, len))
		return false;
	for (i = 0; i < e->nclocks; i++)
		w->times[i] = clock_ts(w, &e->clocks[i]);
	if (w->out) {
		int64_t *t = arena_alloc(&w->out->ar, (e->nclocks + 1) *
					 sizeof *t);

		rec = vec_add(&w->out->recs);
		if (!rec || !t) {
			w->out->oom = true;
			return true;
		}
		memcpy(t, w->times, e->nclocks * sizeof *t);
		rec->kind = RK_EVENT;
		rec->index = index;
		rec->msg = NULL;
		rec->times = t;
		rec->cand0 = w->out->cands.n;
	} else {
		if (e->ptable)
			rp_proc_note(e);
		advance(e, w->times);
	}
	dispatch_category(w, get_path(w, e->p_cat), index);
	if (e->any.n)
		try_list(w, &e->any, index);
	for (i = 0; i < e->ownrules.n; i++) {
		struct rule *ru = &e->rules[e->ownrules.v[i]];
		const struct vm_val *c = get_path(w, ru->catpath);
		struct replay_ev *ev = NULL;
		uint16_t s;

		for (s = 0; s < ru->r->nstages; s++) {
			uint32_t n;
			const char *cs = pool_str(e->im,
						  ru->r->stages[s].category,
						  &n);

			if (!cs || rp_has_str(c, cs, n))
				try_stage(w, ru, s, &ev, index, 0);
		}
		rp_ev_drop(ev);
	}
	if (rec) {
		/* the vector may have moved */
		rec = &w->out->recs.v[w->out->recs.n - 1];
		rec->ncand = w->out->cands.n - rec->cand0;
	}
	return true;
}

/* A record the reader refused, or one whose time is out of range. */
static void
bad_record(struct replay *e, enum replay_problem kind, const char *msg,
	   long *bad)
{
	if (kind == RP_MALFORMED) {
		struct replay_input_error ie = { e->inname, e->loc_line,
						 e->loc_off, msg, false,
						 RP_MALFORMED, 0, 0 };

		if (e->fn)
			e->fn(e->fnud, &ie);
	} else {
		report(e, kind, 0, msg);
		e->stats.bad_time++;
	}
	(*bad)++;
	e->stats.bad_events++;
}

void
rp_malformed(struct replay *e, const char *msg, long *bad)
{
	bad_record(e, RP_MALFORMED, msg, bad);
}

void
rp_apply_part(struct replay *e, const struct rp_out *o, uint64_t base,
	      long *bad)
{
	size_t i, j;

	for (i = 0; i < o->recs.n && !e->oom && !e->stopped; i++) {
		const struct rp_rec *r = &o->recs.v[i];
		struct replay_ev *ev = NULL;
		uint32_t evrule = UINT32_MAX;

		e->loc_line = r->line;
		e->loc_off = r->off;
		if (r->kind != RK_EVENT) {
			bad_record(e, r->kind == RK_MALFORMED ? RP_MALFORMED :
				   RP_BAD_TIME, r->msg, bad);
			continue;
		}
		advance(e, r->times);
		for (j = r->cand0; j < r->cand0 + r->ncand; j++) {
			const struct rp_cand *c = &o->cands.v[j];
			struct rule *ru = &e->rules[c->rule];

			if (!stage_live(ru, c->stage))
				continue;
			if (!ev || evrule != c->rule) {
				rp_ev_drop(ev);
				ev = rp_ev_new(&e->evfree, base + r->index,
					       c->ts, &c->tb, &c->id);
				evrule = c->rule;
				if (!ev) {
					e->oom = true;
					break;
				}
			}
			hit_apply(e, ru, c->stage, ev, c->keys);
		}
		rp_ev_drop(ev);
		release_due(e);
		e->stats.events++;
	}
}

long
rp_feed_reader(struct replay *e, struct ev_reader *r, const char *name,
	    replay_error_fn fn, void *ud)
{
	struct rp_worker *w = &e->w0;
	struct ev_event *ev;
	uint64_t base = e->next_index;
	long bad = 0;
	char msg[320];
	int rc;

	e->inname = name;
	e->fn = fn;
	e->fnud = ud;
	if (!rp_worker_reader(w, r))
		e->oom = true;
	while (!e->oom && !e->stopped && (rc = ev_next(r, &ev)) != 0) {
		(void)ev_error(r, &e->loc_line, &e->loc_off);
		if (rc < 0) {
			bad_record(e, RP_MALFORMED, ev_error(r, NULL, NULL),
				   &bad);
			continue;
		}
		w->ev = ev;
		if (!rp_eval(w, base + ev_index(ev), msg, sizeof msg)) {
			bad_record(e, RP_BAD_TIME, msg, &bad);
			continue;
		}
		release_due(e);
		e->stats.events++;
	}
	w->ev = NULL;
	e->fn = NULL;
	e->stats.bytes += ev_bytes_read(r);
	/* positions continue in the next input (errors of an array's own
	 * syntax are not records) */
	e->next_index = base + ev_records(r);
	ev_close(r);
	return e->oom ? REPLAY_NOMEM : bad;
}

bool
rp_worker_reader(struct rp_worker *w, struct ev_reader *r)
{
	struct replay *e = w->e;
	size_t i;

	for (i = 0; i < e->path.n; i++) {
		/* the name up to a NUL byte, as the reader takes it */
		w->slot[i] = ev_want(r, e->path.v[i].s,
				     strlen(e->path.v[i].s));
		if (w->slot[i] < 0)
			return false;
	}
	ev_set_max_record(r, (size_t)e->o.max_event_size);
	return true;
}

bool
rp_worker_init(struct rp_worker *w, struct replay *e, struct vm_rt *rt)
{
	size_t np = e->path.n;

	memset(w, 0, sizeof *w);
	w->e = e;
	w->rt = rt;
	w->cgen = calloc(np + 1, sizeof *w->cgen);
	w->tsgen = calloc(np + 1, sizeof *w->tsgen);
	w->tsval = calloc(np + 1, sizeof *w->tsval);
	w->cache = calloc(np + 1, sizeof *w->cache);
	w->slot = malloc((np + 1) * sizeof *w->slot);
	w->times = malloc((e->nclocks + 1) * sizeof *w->times);
	w->cand = malloc((e->maxnw + 1) * sizeof *w->cand);
	return w->cgen && w->tsgen && w->tsval && w->cache && w->slot &&
	       w->times && w->cand;
}

void
rp_worker_free(struct rp_worker *w)
{
	free(w->cgen);
	free(w->tsgen);
	free(w->tsval);
	free(w->cache);
	free(w->slot);
	free(w->times);
	free(w->cand);
}

long
replay_feed(struct replay *e, const char *path, replay_error_fn fn,
	    void *ud)
{
	const char *err = NULL;
	struct ev_reader *r;

	if (e->oom)
		return REPLAY_NOMEM;
	if (e->stopped)
		return 0;
	/* the process table is read in event order: one thread */
	if (e->o.threads > 1 && !e->ptable)
		return rp_feed_threads(e, path, fn, ud);
	r = ev_open(path, &err);
	if (!r) {
		struct replay_input_error ie = { path, 0, 0, err, true,
						 RP_UNREADABLE, 0, 0 };

		if (fn)
			fn(ud, &ie);
		return REPLAY_UNREADABLE;
	}
	return rp_feed_reader(e, r, path, fn, ud);
}

long
replay_feed_buffer(struct replay *e, const char *name, const char *data,
		   size_t len, replay_error_fn fn, void *ud)
{
	const char *err = NULL;
	struct ev_reader *r;

	if (e->oom)
		return REPLAY_NOMEM;
	if (e->stopped)
		return 0;
	r = ev_open_buffer(data, len, &err);
	if (!r) {
		e->oom = true;
		return REPLAY_NOMEM;
	}
	return rp_feed_reader(e, r, name, fn, ud);
}

int
replay_finish(struct replay *e, replay_error_fn fn, void *ud)
{
	uint32_t i;

	e->fn = fn;
	e->fnud = ud;
	e->inname = NULL;
	for (i = 0; i < e->nrules && !e->oom && !e->stopped; i++) {
		struct rule *ru = &e->rules[i];

		release(e, ru, true);
		rp_res_decide(e, ru, true);
		if (ru->r->kind == Q_SAMPLE)
			rp_samples_out(e, ru);
		rp_tails_out(e, ru);
	}
	for (i = 0; i < e->nrules; i++) {
		e->rules[i].active = false;
		e->rules[i].due = false;
		e->rules[i].armed = false;
	}
	e->active.n = 0;
	e->due.n = 0;
	for (i = 0; e->timers && i < e->nclocks; i++)
		e->timers[i].h.n = 0;
	if (e->stats.late_events && fn && !e->oom) {
		struct replay_input_error ie;
		char msg[200];

		memset(&ie, 0, sizeof ie);
		ie.path = e->late_path;
		ie.line = e->late_line;
		ie.offset = e->late_off;
		ie.kind = RP_LATE;
		ie.count = e->stats.late_events;
		snprintf(msg, sizeof msg, "%" PRIu64 " event%s came later than "
			 "the reorder window (%" PRId64 " ms) and %s taken in "
			 "arrival order, which can change results; the first "
			 "is here", e->stats.late_events,
			 e->stats.late_events == 1 ? "" : "s",
			 e->o.reorder_ms, e->stats.late_events == 1 ? "was" :
			 "were");
		ie.msg = msg;
		fn(ud, &ie);
	}
	e->fn = NULL;
	return e->oom ? -1 : 0;
}

const char *
replay_rule_refused(const struct replay *e, uint32_t i)
{
	return i < e->nrules ? e->rules[i].refused : NULL;
}

bool
replay_oom(const struct replay *e)
{
	return e->oom;
}

void
replay_stats(const struct replay *e, struct replay_stats *s)
{
	*s = e->stats;
}

uint64_t
replay_tried(const struct replay *e)
{
	return e->w0.tried + rp_pool_tried(e);
}

const struct replay_rule_stats *
replay_rule_stats(const struct replay *e, uint32_t rule)
{
	return rule < e->nrules ? &e->rules[rule].stats : NULL;
}

/* Releases a rule's state; a rule whose setup failed half way too. */
static void
rule_free(struct rule *ru)
{
	size_t k;

	for (k = 0; k < ru->heap.n; k++) {
		rp_ev_drop(ru->heap.v[k].ev);
		rp_key_free(&ru->heap.v[k].key);
	}
	vec_free(&ru->heap);
	rp_keys_free(ru);
	for (k = ru->reshead; k < ru->res.n; k++) {
		struct result *r = &ru->res.v[k];
		uint16_t l;

		for (l = 0; l < r->nlog; l++)
			rp_ev_drop(r->ev[l]);
		free(r->ev);
		rp_ev_drop(r->lead);
		rp_key_free(&r->key);
	}
	vec_free(&ru->res);
	rp_pipes_free(ru);
	free(ru->guards);
	free(ru->nguards);
	free(ru->resume);
	free(ru->optkeys);
	free(ru->trailing);
	free(ru->later);
	free(ru->first_log);
	free(ru->log_stage);
	free(ru->log_missing);
	free(ru->pos);
}

static void
plist_free(struct plist *pl)
{
	free(pl->v);
	free(pl->always);
	free(pl->sel);
	free(pl->grp);
}

void
replay_free(struct replay *e)
{
	uint32_t i;
	size_t k;

	if (!e)
		return;
	rp_pool_free(e);
	for (i = 0; i < e->nrules; i++)
		if (e->rules[i].r)
			rule_free(&e->rules[i]);
	free(e->rules);
	for (k = 0; k < e->cats.n; k++)
		plist_free(&e->cats.v[k].pl);
	vec_free(&e->cats);
	hash_free(&e->catix);
	plist_free(&e->any);
	free(e->selhead);
	free(e->selusers);
	vec_free(&e->sel);
	vec_free(&e->selblk);
	vec_free(&e->ownrules);
	vec_free(&e->active);
	vec_free(&e->due);
	for (k = 0; e->timers && k < e->nclocks; k++)
		vec_free(&e->timers[k].h);
	free(e->timers);
	rp_proc_free_all(e);
	for (k = 0; k < e->path.n; k++)
		free(e->path.v[k].s);
	vec_free(&e->path);
	hash_free(&e->pathix);
	free(e->pool_path);
	free(e->clocks);
	free(e->wm);
	rp_worker_free(&e->w0);
	free(e->late_path);
	rp_ev_pool_free(&e->evfree);
	sb_free(&e->keysb);
	vm_rt_free(e->rt);
	free(e);
}
