/*
 * engine.c - the replay engine (see engine.h).
 *
 * Design note.  Work is split in two phases.
 *
 * 1. Per event (stateless).  The reader walks each event once and keeps
 *    only the fields some rule reads (every field path of the image is
 *    registered with it up front).  The event's category selects, through
 *    a hash table, the (rule, stage) pairs whose stage names that
 *    category (plus the `any` stages and the rules that override the
 *    category field); each selected stage's code runs on the event.  An
 *    event that passes becomes a *hit*: a small record with the event's
 *    position, timestamp, tiebreaker, id and the join keys the stage
 *    computes.  Nothing of the event itself is kept.
 *
 * 2. Per rule, in event order.  Hits wait in the rule's heap, ordered by
 *    (timestamp, tiebreaker, input position, stage), until the newest
 *    timestamp seen is more than `reorder_ms` ahead of them (or the input
 *    ends), so input that is out of order by less than that window is
 *    processed exactly as if it had been sorted.  Released hits drive the
 *    rule's query: an event query writes them; a sequence runs the
 *    per-key state machine of docs/run.md (newest partial wins, maxspan
 *    from the first event with equality allowed, until kills earlier
 *    partials of its key, runs expanded into stages, missing stages
 *    checked against a per-key history of their events); a sample keeps
 *    per-key buckets and writes them, sorted by key, at the end.
 *
 * Memory is bounded by the fields read per event, the hits inside the
 * reorder window, and the sequence state, which maxspan bounds: partial
 * sequences whose first event is older than maxspan are swept.  Samples
 * and sequences without maxspan keep state for the whole input (the
 * linter warns about the latter).
 */
#include "replay/engine.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "events/reader.h"
#include "sema/ir.h"
#include "vm/interp.h"

#define NO_TS INT64_MIN
#define SWEEP_EVERY 4096
#define PROC_GEN 8192

/* ---- small vectors and strings ---- */

static void *
xgrow(void *p, size_t *cap, size_t need, size_t size)
{
	size_t n;
	void *q;

	if (need <= *cap)
		return p;
	n = *cap ? *cap * 2 : 8;
	while (n < need)
		n *= 2;
	q = realloc(p, n * size);
	if (!q) {
		fputs("rulec: out of memory\n", stderr);
		exit(2);
	}
	*cap = n;
	return q;
}

static char *
xstrndup(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (!p) {
		fputs("rulec: out of memory\n", stderr);
		exit(2);
	}
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

static uint32_t
hash_bytes(const char *s, size_t n)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 16777619u;
	return h;
}

/* ---- events as kept: a reference-counted summary ---- */

struct evref {
	unsigned refs;
	uint64_t index;
	int64_t ts;             /* NO_TS when absent */
	struct vm_val tb;       /* tiebreaker (strings owned) */
	char *id;               /* the id as JSON text */
};

static struct evref *
ev_hold(struct evref *e)
{
	e->refs++;
	return e;
}

static void
ev_drop(struct evref *e)
{
	if (!e || --e->refs)
		return;
	if (e->tb.k == VK_STR)
		free((char *)e->tb.u.s.s);
	free(e->id);
	free(e);
}

/* Event order: timestamp, tiebreaker, input position. */
static int
ev_order(const struct evref *a, const struct evref *b)
{
	int c;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	c = vm_val_order(&a->tb, &b->tb);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* ---- join keys ---- */

/* A key tuple: its JSON array text (also its identity) and values. */
struct key {
	char *json;
	size_t len;
	uint32_t hash;
	struct vm_val *v;       /* strings point into vbuf */
	char *vbuf;
	uint16_t n;
};

static void
key_free(struct key *k)
{
	free(k->json);
	free(k->v);
	free(k->vbuf);
}

static void
key_make(struct key *k, const struct vm_val *v, uint16_t n)
{
	struct strbuf sb = STRBUF_INIT;
	size_t strs = 0, at = 0;
	uint16_t i;

	sb_putc(&sb, '[');
	for (i = 0; i < n; i++) {
		if (i)
			sb_putc(&sb, ',');
		vm_val_json(&v[i], &sb);
		if (v[i].k == VK_STR)
			strs += v[i].u.s.n;
	}
	sb_putc(&sb, ']');
	if (sb.oom) {
		fputs("rulec: out of memory\n", stderr);
		exit(2);
	}
	k->len = sb.len;
	k->json = sb_take(&sb);
	k->hash = hash_bytes(k->json, k->len);
	k->n = n;
	k->v = malloc((n ? n : 1) * sizeof *k->v);
	k->vbuf = malloc(strs + 1);
	if (!k->v || !k->vbuf) {
		fputs("rulec: out of memory\n", stderr);
		exit(2);
	}
	for (i = 0; i < n; i++) {
		k->v[i] = v[i];
		if (v[i].k == VK_STR) {
			memcpy(k->vbuf + at, v[i].u.s.s, v[i].u.s.n);
			k->v[i].u.s.s = k->vbuf + at;
			at += v[i].u.s.n;
		}
	}
}

/* ---- per-rule state ---- */

struct hit {
	struct evref *ev;
	uint16_t stage;         /* image stage index */
	uint16_t prio;          /* same event: higher first; until last */
	struct key key;
};

struct partial {
	struct evref **ev;      /* one per positive stage, filled so far */
	uint16_t n;
	int64_t first_ts;
};

struct mhist {                  /* events of one missing stage, one key */
	struct evref **ev;
	size_t n, cap;
};

struct skey {                   /* a join key's sequence or sample state */
	struct key key;
	struct partial **pend;  /* per positive stage (sequences) */
	struct mhist *miss;     /* per logical stage (missing ones used) */
	struct mhist *bucket;   /* per filter (samples) */
	uint64_t done;          /* completions, for ESET repeat counts */
	uint32_t waiting;       /* results waiting for a trailing check */
	bool used;
};

struct result {                 /* a completed sequence awaiting checks */
	struct evref **ev;      /* per logical stage, NULL when missing */
	struct key key;
	int64_t deadline;       /* decide once time passes it */
	struct evref *lead;     /* latest leading missing event, if any */
	uint16_t nlog;          /* entries of ev */
	bool decided, keep;
};

struct pipe_state {
	uint8_t kind;
	int64_t n, seen;
	char **ring;            /* tail: the last n lines (grown as they
	                           come, so a huge n costs nothing) */
	size_t rn, rhead, rcap;
};

struct rule {
	const struct img_rule *r;
	uint32_t index;
	int catpath, tspath, tbpath;    /* path ids (overrides or global) */
	bool own_category;

	/* logical stages (runs expanded, until excluded) */
	uint16_t nlog, npos, until;     /* until: image stage or UINT16_MAX */
	uint16_t *log_stage;            /* logical -> image stage */
	bool *log_missing;
	uint16_t *pos;                  /* positive index -> logical */
	uint16_t *first_log;            /* image stage -> first logical */
	bool *later;                    /* image stage: needs existing state */
	bool *trailing;                 /* image stage: a trailing missing
	                                   stage, only of use while a
	                                   result waits */
	bool has_lead, has_trail;

	/* hit heap */
	struct hit *heap;
	size_t nheap, heapcap;
	bool active;

	/* key table */
	struct skey *keys;
	size_t nkeys, keycap;
	uint64_t since_sweep;
	int64_t swept;                  /* `now` at the last sweep */
	int64_t now;                    /* newest released timestamp */
	int64_t span;                   /* maxspan, else the look-back */
	uint64_t cur_index;             /* event of the last released hit */

	/* completed sequences waiting for trailing checks */
	struct result *res;
	size_t nres, rescap, reshead;

	/* per image stage: the leaf tests its condition needs true */
	uint32_t (*guards)[8];
	uint8_t *nguards;
	uint32_t *resume;               /* code offset after the guards */
	uint64_t *optkeys;              /* bit k: key k may be null (?f) */

	struct pipe_state *pipes;
	int64_t size_left;              /* -1: unlimited */
	bool stopped;                   /* head/size reached */
	struct vm_rule_stats stats;
};

/* A stage to try on the events of one category, with its first two
 * guards; a list is sorted so that stages sharing guards are adjacent,
 * and skip1/skip2 give, for each entry, the end of its run of equal
 * first guards / equal first two guards: one false guard passes over
 * the whole run. */
struct pair {
	uint32_t rule;
	uint16_t stage;
	uint32_t g1, g2;        /* leaf ids, 0: none */
};

struct plist {
	struct pair *v;
	size_t n, cap;
	uint32_t *skip1, *skip2;
};

struct catent {
	const char *s;
	uint32_t n;
	struct plist pl;
};

/* The process table: what process-start events said about each process
 * (its parent and the process.* fields ancestor conditions read). */
struct proc {
	char *id, *parent;
	struct vm_val *v;       /* per snapshot suffix; owned strings */
	bool used;
};

struct vm_engine {
	const struct image *im;
	struct vm_rt *rt;
	struct vm_run_opts o;
	FILE *out;

	/* field paths */
	char **path;
	size_t npath, pathcap;
	int *pool_path;                 /* pool entry -> path id or -1 */
	int p_id, p_cat, p_ts, p_tb;
	int *tspaths;                   /* distinct timestamp paths */
	size_t ntspaths;
	int64_t *wm;                    /* per path id: newest timestamp */

	/* current event */
	struct ev_event *ev;
	int *slot;                      /* path id -> reader slot */
	uint64_t gen;
	uint64_t *cgen;                 /* per path: cache generation */
	uint64_t *tsgen;                /* per path: tsval's generation */
	int64_t *tsval;                 /* per path: the value as a time */
	struct vm_val *cache;           /* per path: raw value */
	struct proc *subject;           /* ancestor evaluation: a process */

	struct rule *rules;
	uint32_t nrules;
	struct rule **active;
	size_t nactive, activecap;

	struct catent *cat;
	size_t catcap;
	struct plist any;
	uint32_t *ownrules;
	size_t nown, owncap;

	/* process table */
	bool ptable;
	int p_pid, p_ppid, p_type;
	char **psuffix;                 /* "name" for process.name, ... */
	size_t npsuffix, psuffixcap;
	int *pool_suffix;               /* pool entry -> suffix or -1 */
	int *pool_up;                   /* pool entry -> parent levels */
	int *psuffix_path;              /* suffix -> path id of process.X */
	struct proc *procs;             /* the current generation */
	size_t nprocs, proccap;
	struct proc *oldprocs;          /* the one before */
	size_t oldcap;

	uint64_t next_index;
	struct vm_engine_stats stats;
	struct strbuf line;
};

void
vm_run_opts_init(struct vm_run_opts *o)
{
	memset(o, 0, sizeof *o);
	o->id_field = "event.id";
	o->category_field = "event.category";
	o->timestamp_field = "@timestamp";
	o->tiebreaker_field = NULL;
	o->size = -1;
	o->max_samples_per_key = 1;
	o->reorder_ms = 10000;
}

static int
path_id(struct vm_engine *e, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < e->npath; i++)
		if (strlen(e->path[i]) == n && memcmp(e->path[i], s, n) == 0)
			return (int)i;
	e->path = xgrow(e->path, &e->pathcap, e->npath + 1, sizeof *e->path);
	e->path[e->npath] = xstrndup(s, n);
	return (int)e->npath++;
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
cat_find(struct vm_engine *e, const char *s, size_t n, bool add)
{
	uint32_t m, i;

	if (!e->catcap) {
		if (!add)
			return NULL;
		e->catcap = 64;
		e->cat = calloc(e->catcap, sizeof *e->cat);
		if (!e->cat)
			exit(2);
	}
	m = (uint32_t)e->catcap - 1;
	for (i = hash_bytes(s, n) & m; e->cat[i].s; i = (i + 1) & m)
		if (e->cat[i].n == n && memcmp(e->cat[i].s, s, n) == 0)
			return &e->cat[i];
	if (!add)
		return NULL;
	/* the table holds at most a few hundred categories: keep it at
	 * most half full by rebuilding */
	{
		size_t used = 0, j;

		for (j = 0; j < e->catcap; j++)
			used += e->cat[j].s != NULL;
		if ((used + 1) * 2 > e->catcap) {
			struct catent *old = e->cat;
			size_t oldcap = e->catcap;

			e->catcap *= 2;
			e->cat = calloc(e->catcap, sizeof *e->cat);
			if (!e->cat)
				exit(2);
			m = (uint32_t)e->catcap - 1;
			for (j = 0; j < oldcap; j++) {
				if (!old[j].s)
					continue;
				for (i = hash_bytes(old[j].s, old[j].n) & m;
				     e->cat[i].s; i = (i + 1) & m)
					;
				e->cat[i] = old[j];
			}
			free(old);
			for (i = hash_bytes(s, n) & m; e->cat[i].s;
			     i = (i + 1) & m)
				;
		}
	}
	e->cat[i].s = s;
	e->cat[i].n = (uint32_t)n;
	return &e->cat[i];
}

static void
pairs_add(uint32_t **v, size_t *n, size_t *cap, uint32_t x)
{
	*v = xgrow(*v, cap, *n + 1, sizeof **v);
	(*v)[(*n)++] = x;
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

static void
rule_setup(struct vm_engine *e, struct rule *ru, uint32_t ri)
{
	const struct img_rule *r = &e->im->rules[ri];
	const char *s;
	uint32_t n, i, k;
	uint16_t nimg = r->nstages;

	ru->r = r;
	ru->index = ri;
	ru->now = NO_TS;
	ru->swept = NO_TS;
	/* A detection rule only ever searches its look-back window, so a
	 * sequence without maxspan cannot span more than that either. */
	ru->span = r->maxspan_ms >= 0 ? r->maxspan_ms : r->window_ms;
	s = pool_str(e->im, r->catfield, &n);
	ru->catpath = s ? path_id(e, s, n) : e->p_cat;
	ru->own_category = s != NULL;
	s = pool_str(e->im, r->tsfield, &n);
	ru->tspath = s ? path_id(e, s, n) : e->p_ts;
	s = pool_str(e->im, r->tbfield, &n);
	ru->tbpath = s ? path_id(e, s, n) : e->p_tb;
	ru->until = UINT16_MAX;
	if (nimg && (r->stages[nimg - 1].flags & STAGE_UNTIL)) {
		ru->until = (uint16_t)(nimg - 1);
		nimg--;
	}
	ru->first_log = calloc(r->nstages + 1u, sizeof *ru->first_log);
	{
		/* the loader bounds the stages once runs are expanded */
		uint32_t nlog = 0;

		for (i = 0; i < nimg; i++)
			nlog += r->stages[i].runs ? r->stages[i].runs : 1;
		if (nlog > UINT16_MAX) {
			/* the loader refuses this; kept as a guard */
			nlog = 0;
			nimg = 0;
			ru->stopped = true;
		}
		ru->nlog = (uint16_t)nlog;
	}
	ru->log_stage = calloc(ru->nlog + 1u, sizeof *ru->log_stage);
	ru->log_missing = calloc(ru->nlog + 1u, sizeof *ru->log_missing);
	ru->pos = calloc(ru->nlog + 1u, sizeof *ru->pos);
	if (!ru->first_log || !ru->log_stage || !ru->log_missing || !ru->pos)
		exit(2);
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
	ru->trailing = calloc(r->nstages + 1u, sizeof *ru->trailing);
	if (!ru->trailing)
		exit(2);
	for (i = 0; i < nimg; i++)
		ru->trailing[i] = ru->npos &&
				  ru->first_log[i] > ru->pos[ru->npos - 1];
	/* stages that only act on existing state: every stage of a
	 * sequence after the first (positive or leading missing one), and
	 * until */
	ru->later = calloc(r->nstages + 1u, sizeof *ru->later);
	if (!ru->later)
		exit(2);
	for (i = 0; i < r->nstages && r->kind == Q_SEQUENCE; i++)
		ru->later[i] = i >= nimg || !ru->npos ||
			       ru->first_log[i] > ru->pos[0];
	ru->guards = calloc(r->nstages + 1u, sizeof *ru->guards);
	ru->nguards = calloc(r->nstages + 1u, sizeof *ru->nguards);
	ru->resume = calloc(r->nstages + 1u, sizeof *ru->resume);
	if (!ru->guards || !ru->nguards || !ru->resume)
		exit(2);
	ru->optkeys = calloc(r->nstages + 1u, sizeof *ru->optkeys);
	if (!ru->optkeys)
		exit(2);
	for (i = 0; i < r->nstages; i++) {
		ru->nguards[i] = (uint8_t)vm_guards(e->rt, &r->stages[i].code,
						    ru->guards[i], 8,
						    &ru->resume[i]);
		for (k = 0; k < r->stages[i].nkeys; k++)
			if (key_optional(e->im, &r->stages[i].keys[k]))
				ru->optkeys[i] |= (uint64_t)1 << k;
	}
	ru->pipes = calloc(r->npipes + 1u, sizeof *ru->pipes);
	if (!ru->pipes)
		exit(2);
	for (i = 0; i < r->npipes; i++) {
		ru->pipes[i].kind = r->pipes[i].kind;
		ru->pipes[i].n = r->pipes[i].n;
	}
	ru->size_left = e->o.size;
	/* category dispatch */
	if (ru->own_category) {
		pairs_add(&e->ownrules, &e->nown, &e->owncap, ri);
		return;
	}
	for (i = 0; i < r->nstages; i++) {
		struct plist *pl = &e->any;

		s = pool_str(e->im, r->stages[i].category, &n);
		if (s)
			pl = &cat_find(e, s, n, true)->pl;
		pl->v = xgrow(pl->v, &pl->cap, pl->n + 1, sizeof *pl->v);
		pl->v[pl->n].rule = ri;
		pl->v[pl->n].stage = (uint16_t)i;
		pl->v[pl->n].g1 = pl->v[pl->n].g2 = 0;
		pl->n++;
	}
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

static void
plist_finish(struct vm_engine *e, struct plist *pl)
{
	size_t i, j;

	for (i = 0; i < pl->n; i++) {
		struct rule *ru = &e->rules[pl->v[i].rule];
		uint16_t s = pl->v[i].stage;

		pl->v[i].g1 = ru->nguards[s] > 0 ? ru->guards[s][0] : 0;
		pl->v[i].g2 = ru->nguards[s] > 1 ? ru->guards[s][1] : 0;
	}
	if (pl->n > 1)
		qsort(pl->v, pl->n, sizeof *pl->v, pair_cmp);
	pl->skip1 = malloc((pl->n + 1) * sizeof *pl->skip1);
	pl->skip2 = malloc((pl->n + 1) * sizeof *pl->skip2);
	if (!pl->skip1 || !pl->skip2)
		exit(2);
	for (i = pl->n; i-- > 0;) {
		j = i + 1;
		pl->skip1[i] = (uint32_t)(j < pl->n && pl->v[j].g1 ==
					  pl->v[i].g1 ? pl->skip1[j] : j);
		pl->skip2[i] = (uint32_t)(j < pl->n && pl->v[j].g1 ==
					  pl->v[i].g1 && pl->v[j].g2 ==
					  pl->v[i].g2 ? pl->skip2[j] : j);
	}
}

static void
guards_order(struct vm_engine *e)
{
	uint32_t i, s, k, *freq;
	struct gkey g[8];
	size_t c;

	freq = calloc(vm_leaf_count(e->rt) + 1, sizeof *freq);
	if (!freq)
		exit(2);
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
	plist_finish(e, &e->any);
	for (c = 0; c < e->catcap; c++)
		if (e->cat[c].s)
			plist_finish(e, &e->cat[c].pl);
}

/* Snapshot suffix of a process.* field path and its parent levels. */
static void
proc_paths(struct vm_engine *e)
{
	uint32_t i;

	e->pool_suffix = malloc((e->im->npool + 1) * sizeof(int));
	e->pool_up = calloc(e->im->npool + 1, sizeof(int));
	if (!e->pool_suffix || !e->pool_up)
		exit(2);
	for (i = 0; i < e->im->npool; i++) {
		const struct img_pool_entry *pe = &e->im->pool[i];
		const char *p;
		size_t n, j;
		int up = 0;

		e->pool_suffix[i] = -1;
		if (pe->type != POOL_FIELD)
			continue;
		p = pe->u.field.path.s;
		n = pe->u.field.path.len;
		if (n < 9 || memcmp(p, "process.", 8) != 0)
			continue;
		p += 8;
		n -= 8;
		while (n > 7 && memcmp(p, "parent.", 7) == 0) {
			p += 7;
			n -= 7;
			up++;
		}
		for (j = 0; j < e->npsuffix; j++)
			if (strlen(e->psuffix[j]) == n &&
			    memcmp(e->psuffix[j], p, n) == 0)
				break;
		if (j == e->npsuffix) {
			struct strbuf sb = STRBUF_INIT;

			e->psuffix = xgrow(e->psuffix, &e->psuffixcap, j + 1,
					   sizeof *e->psuffix);
			e->psuffix[j] = xstrndup(p, n);
			e->npsuffix++;
			sb_printf(&sb, "process.%s", e->psuffix[j]);
			e->psuffix_path = realloc(e->psuffix_path,
						  e->npsuffix * sizeof(int));
			if (!e->psuffix_path || sb.oom)
				exit(2);
			e->psuffix_path[j] = path_id(e, sb.data, sb.len);
			sb_free(&sb);
		}
		e->pool_suffix[i] = (int)j;
		e->pool_up[i] = up;
	}
	e->p_pid = path_id(e, "process.entity_id", 17);
	e->p_ppid = path_id(e, "process.parent.entity_id", 24);
	e->p_type = path_id(e, "event.type", 10);
}

struct vm_engine *
vm_engine_new(const struct image *im, const struct vm_run_opts *o,
	      FILE *out, char *err, size_t errlen)
{
	struct vm_engine *e = calloc(1, sizeof *e);
	uint32_t i;
	size_t k;

	if (!e) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	e->im = im;
	e->o = *o;
	e->out = out;
	e->rt = vm_rt_new(im, err, errlen);
	if (!e->rt) {
		free(e);
		return NULL;
	}
	e->pool_path = malloc((im->npool + 1) * sizeof(int));
	if (!e->pool_path)
		exit(2);
	for (i = 0; i < im->npool; i++) {
		const struct img_pool_entry *pe = &im->pool[i];

		e->pool_path[i] = pe->type == POOL_FIELD ?
				  path_id(e, pe->u.field.path.s,
					  pe->u.field.path.len) : -1;
		if (pe->type == POOL_ANCESTOR)
			e->ptable = true;
	}
	e->p_id = path_id(e, o->id_field, strlen(o->id_field));
	e->p_cat = path_id(e, o->category_field, strlen(o->category_field));
	e->p_ts = path_id(e, o->timestamp_field, strlen(o->timestamp_field));
	e->p_tb = o->tiebreaker_field ?
		  path_id(e, o->tiebreaker_field,
			  strlen(o->tiebreaker_field)) : -1;
	for (i = 0; i < im->nrules; i++) {
		uint32_t n;
		const char *f = pool_str(im, im->rules[i].file, &n);

		if (f && n > 4 && memcmp(f + n - 4, ".xml", 4) == 0)
			e->ptable = true;
	}
	if (e->ptable)
		proc_paths(e);
	e->nrules = im->nrules;
	e->rules = calloc(im->nrules + 1, sizeof *e->rules);
	if (!e->rules)
		exit(2);
	for (i = 0; i < im->nrules; i++)
		rule_setup(e, &e->rules[i], i);
	guards_order(e);
	/* distinct timestamp paths, for the watermarks */
	e->tspaths = malloc((im->nrules + 1) * sizeof(int));
	if (!e->tspaths)
		exit(2);
	e->tspaths[e->ntspaths++] = e->p_ts;
	for (i = 0; i < im->nrules; i++) {
		for (k = 0; k < e->ntspaths; k++)
			if (e->tspaths[k] == e->rules[i].tspath)
				break;
		if (k == e->ntspaths)
			e->tspaths[e->ntspaths++] = e->rules[i].tspath;
	}
	e->wm = malloc(e->npath * sizeof *e->wm);
	e->cgen = calloc(e->npath, sizeof *e->cgen);
	e->tsgen = calloc(e->npath, sizeof *e->tsgen);
	e->tsval = calloc(e->npath, sizeof *e->tsval);
	e->cache = calloc(e->npath, sizeof *e->cache);
	e->slot = malloc(e->npath * sizeof *e->slot);
	if (!e->wm || !e->cgen || !e->cache || !e->slot || !e->tsgen ||
	    !e->tsval)
		exit(2);
	for (k = 0; k < e->npath; k++)
		e->wm[k] = NO_TS;
	return e;
}

/* ---- field access ---- */

static void
from_ev(struct vm_engine *e, const struct ev_value *v, struct vm_val *out)
{
	(void)e;
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

/* The raw value of path id p in the current event (cached). */
static const struct vm_val *
get_path(struct vm_engine *e, int p)
{
	struct vm_val *c;
	struct ev_value v;
	const struct ev_value *el;
	size_t n, i, m = 0;

	if (p < 0) {
		static const struct vm_val null = { .k = VK_NULL };

		return &null;
	}
	c = &e->cache[p];
	if (e->cgen[p] == e->gen)
		return c;
	e->cgen[p] = e->gen;
	c->k = VK_NULL;
	if (!e->ev || !ev_slot(e->ev, e->slot[p], &v, &el, &n))
		return c;
	if (v.kind != EV_ARRAY) {
		from_ev(e, &v, c);
		return c;
	}
	if (n == 0)
		return c;
	{
		/* elements live in scratch memory until the next event */
		struct vm_val *arr = vm_scratch_alloc(e->rt, n * sizeof *arr);

		if (!arr)
			return c;
		for (i = 0; i < n; i++) {
			from_ev(e, &el[i], &arr[m]);
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

static struct proc *proc_find(struct vm_engine *e, const char *id,
			      size_t n);

static const struct vm_val *
str_of(const struct vm_val *v)
{
	return v->k == VK_MULTI ? &v->u.m.v[0] : v;
}

/* The process `up` levels above the current event's process. */
static struct proc *
proc_up(struct vm_engine *e, int up)
{
	const struct vm_val *id = str_of(get_path(e, e->p_pid));
	struct proc *p;

	if (id->k != VK_STR)
		return NULL;
	p = proc_find(e, id->u.s.s, id->u.s.n);
	if (!p) {       /* the event's own parent id, if it has one */
		id = str_of(get_path(e, e->p_ppid));
		if (up < 1 || id->k != VK_STR)
			return NULL;
		p = proc_find(e, id->u.s.s, id->u.s.n);
		up--;
	}
	while (p && up-- > 0)
		p = p->parent ? proc_find(e, p->parent, strlen(p->parent)) :
		    NULL;
	return p;
}

static void
host_field(void *h, uint32_t f, struct vm_val *out)
{
	struct vm_engine *e = h;
	int sx;

	if (e->subject) {       /* an ancestor: its snapshot */
		sx = e->pool_suffix ? e->pool_suffix[f] : -1;
		if (sx < 0 || e->pool_up[f] != 0)
			out->k = VK_NULL;
		else
			*out = e->subject->v[sx];
		return;
	}
	*out = *get_path(e, e->pool_path[f]);
	if (out->k == VK_NULL && e->ptable && e->pool_suffix &&
	    (sx = e->pool_suffix[f]) >= 0 && e->pool_up[f] > 0) {
		struct proc *p = proc_up(e, e->pool_up[f]);

		if (p)
			*out = p->v[sx];
	}
}

static bool
host_ancestor(void *h, uint32_t d)
{
	struct vm_engine *e = h;
	const struct img_pool_entry *pe = &e->im->pool[d];
	struct proc *saved = e->subject, *p;
	const char *prev = NULL;
	unsigned level = 0;
	bool r = false;
	int exe = -1;
	size_t j;

	if (saved)
		return false;   /* ancestors of ancestors: not asked */
	for (j = 0; j < e->npsuffix; j++)
		if (strcmp(e->psuffix[j], "executable") == 0)
			exe = (int)j;
	for (p = proc_up(e, 1); p && level < 1024;
	     p = p->parent ? proc_find(e, p->parent, strlen(p->parent)) :
		 NULL) {
		const struct vm_val *x = exe >= 0 ? &p->v[exe] : NULL;

		if (pe->u.anc.unique && x && x->k == VK_STR && prev &&
		    strcmp(prev, x->u.s.s) == 0)
			continue;       /* same executable: same level */
		prev = x && x->k == VK_STR ? x->u.s.s : NULL;
		level++;
		if (pe->u.anc.distance ? level != pe->u.anc.distance :
		    level <= pe->u.anc.skip)
			continue;
		e->subject = p;
		r = vm_test(e->rt, &pe->u.anc.code, &(struct vm_host){
				    host_field, host_ancestor, e, false });
		e->subject = saved;
		if (r || pe->u.anc.distance)
			break;
	}
	return r;
}

/* ---- the process table ---- */

static struct proc *
proc_in(struct proc *tab, size_t cap, const char *id, size_t n)
{
	size_t m, i;

	if (!cap)
		return NULL;
	m = cap - 1;
	for (i = hash_bytes(id, n) & m; tab[i].used; i = (i + 1) & m)
		if (tab[i].id && strlen(tab[i].id) == n &&
		    memcmp(tab[i].id, id, n) == 0)
			return &tab[i];
	return NULL;
}

/* The table has two generations of at most PROC_GEN processes: when the
 * current one is full, the older one is dropped, so memory stays bounded
 * and the last PROC_GEN to 2 x PROC_GEN process starts are remembered. */
static struct proc *
proc_find(struct vm_engine *e, const char *id, size_t n)
{
	struct proc *p = proc_in(e->procs, e->proccap, id, n);

	return p ? p : proc_in(e->oldprocs, e->oldcap, id, n);
}

static void
proc_free(struct vm_engine *e, struct proc *p)
{
	size_t j;

	for (j = 0; j < e->npsuffix; j++)
		if (p->v[j].k == VK_STR)
			free((char *)p->v[j].u.s.s);
	free(p->v);
	free(p->id);
	free(p->parent);
	p->v = NULL;
	p->id = p->parent = NULL;
}

/* Whether v (or one of its elements) is exactly the string s[0..n). */
static bool
has_str(const struct vm_val *v, const char *s, uint32_t n)
{
	uint32_t i, m = v->k == VK_MULTI ? v->u.m.n : 1;

	for (i = 0; i < m; i++) {
		const struct vm_val *x = v->k == VK_MULTI ? &v->u.m.v[i] : v;

		if (x->k == VK_STR && x->u.s.n == n &&
		    memcmp(x->u.s.s, s, n) == 0)
			return true;
	}
	return false;
}

/* Records a process-start event (category process, type start). */
static void
proc_note(struct vm_engine *e)
{
	const struct vm_val *id, *pid;
	struct proc *p;
	size_t m, i, j;

	if (!has_str(get_path(e, e->p_cat), "process", 7) ||
	    !has_str(get_path(e, e->p_type), "start", 5))
		return;
	id = str_of(get_path(e, e->p_pid));
	if (id->k != VK_STR)
		return;
	if (e->nprocs >= PROC_GEN) {
		for (j = 0; j < e->oldcap; j++)
			if (e->oldprocs[j].used)
				proc_free(e, &e->oldprocs[j]);
		free(e->oldprocs);
		e->oldprocs = e->procs;
		e->oldcap = e->proccap;
		e->procs = NULL;
		e->proccap = e->nprocs = 0;
	}
	if ((e->nprocs + 1) * 2 > e->proccap) {
		struct proc *old = e->procs;
		size_t oldcap = e->proccap;

		e->proccap = e->proccap ? e->proccap * 2 : 1024;
		e->procs = calloc(e->proccap, sizeof *e->procs);
		if (!e->procs)
			exit(2);
		m = e->proccap - 1;
		for (j = 0; j < oldcap; j++) {
			if (!old[j].used || !old[j].id)
				continue;
			for (i = hash_bytes(old[j].id, strlen(old[j].id)) & m;
			     e->procs[i].used; i = (i + 1) & m)
				;
			e->procs[i] = old[j];
		}
		free(old);
	}
	p = proc_in(e->procs, e->proccap, id->u.s.s, id->u.s.n);
	if (p) {
		proc_free(e, p);
	} else {
		m = e->proccap - 1;
		for (i = hash_bytes(id->u.s.s, id->u.s.n) & m;
		     e->procs[i].used; i = (i + 1) & m)
			;
		p = &e->procs[i];
		p->used = true;
		e->nprocs++;
	}
	p->id = xstrndup(id->u.s.s, id->u.s.n);
	pid = str_of(get_path(e, e->p_ppid));
	p->parent = pid->k == VK_STR ? xstrndup(pid->u.s.s, pid->u.s.n) :
		    NULL;
	p->v = calloc(e->npsuffix + 1, sizeof *p->v);
	if (!p->v)
		exit(2);
	for (j = 0; j < e->npsuffix; j++) {
		const struct vm_val *v = str_of(get_path(e,
							 e->psuffix_path[j]));

		p->v[j] = *v;
		if (v->k == VK_STR)
			p->v[j].u.s.s = xstrndup(v->u.s.s, v->u.s.n);
		else if (v->k == VK_MULTI)
			p->v[j].k = VK_NULL;
	}
}

/* ---- timestamps ---- */

/* The current event's time by path p, parsed once per event. */
static int64_t
ts_of(struct vm_engine *e, int p)
{
	const struct vm_val *v;
	int64_t t = NO_TS;

	if (p < 0)
		return NO_TS;
	if (e->tsgen[p] == e->gen)
		return e->tsval[p];
	v = str_of(get_path(e, p));
	if (v->k == VK_LONG)
		t = v->u.i;
	else if (v->k == VK_DOUBLE && !vm_double_ms(v->u.d, &t))
		t = NO_TS;
	else if (v->k == VK_STR && !vm_parse_date(v->u.s.s, v->u.s.n, &t))
		t = NO_TS;
	e->tsgen[p] = e->gen;
	e->tsval[p] = t;
	return t;
}

/* ---- output ---- */

static void
put_event(struct strbuf *sb, const struct evref *ev)
{
	char buf[40];

	if (!ev) {
		sb_puts(sb, "{\"missing\":true,\"id\":null,\"index\":null,"
			"\"timestamp\":null}");
		return;
	}
	sb_printf(sb, "{\"id\":%s,\"index\":%" PRIu64 ",\"timestamp\":",
		  ev->id ? ev->id : "null", ev->index);
	if (ev->ts == NO_TS) {
		sb_puts(sb, "null}");
	} else {
		vm_format_date(ev->ts, buf, sizeof buf);
		sb_printf(sb, "\"%s\"}", buf);
	}
}

static void
put_str_or_null(struct strbuf *sb, const struct image *im, uint32_t i)
{
	uint32_t n;
	const char *s = pool_str(im, i, &n);

	if (!s) {
		sb_puts(sb, "null");
		return;
	}
	sb_putc(sb, '"');
	sb_json_escape(sb, s, n);
	sb_putc(sb, '"');
}

static void
emit_line(struct vm_engine *e, struct rule *ru, const char *line,
	  size_t len)
{
	(void)ru;
	fwrite(line, 1, len, e->out);
	e->stats.results++;
}

/* Sends a line through the rule's pipes from pipe i on. */
static void
pipe_line(struct vm_engine *e, struct rule *ru, uint16_t i, char *line)
{
	for (; i < ru->r->npipes; i++) {
		struct pipe_state *p = &ru->pipes[i];

		if (p->kind == PIPE_HEAD) {
			if (p->seen >= p->n) {
				free(line);
				if (i == 0)
					ru->stopped = true;
				return;
			}
			p->seen++;
			continue;
		}
		/* tail: keep the last n until the end */
		if (p->n == 0) {
			free(line);
			return;
		}
		if (p->rn < (size_t)p->n) {
			p->ring = xgrow(p->ring, &p->rcap, p->rn + 1,
					sizeof *p->ring);
			p->ring[p->rn++] = line;        /* rhead is 0 */
		} else {
			free(p->ring[p->rhead]);
			p->ring[p->rhead] = line;
			p->rhead = (p->rhead + 1) % (size_t)p->n;
		}
		return;
	}
	if (ru->size_left == 0) {
		free(line);
		ru->stopped = ru->r->npipes == 0;
		return;
	}
	if (ru->size_left > 0)
		ru->size_left--;
	ru->stats.results++;
	emit_line(e, ru, line, strlen(line));
	free(line);
}

static void
result(struct vm_engine *e, struct rule *ru, struct evref **ev, size_t n,
       const struct key *key)
{
	struct strbuf *sb = &e->line;
	size_t i;

	if (ru->stopped)
		return;
	sb->len = 0;
	sb_puts(sb, "{\"rule\":{\"id\":");
	put_str_or_null(sb, e->im, ru->r->id);
	sb_puts(sb, ",\"name\":");
	put_str_or_null(sb, e->im, ru->r->name);
	sb_puts(sb, ",\"file\":");
	put_str_or_null(sb, e->im, ru->r->file);
	sb_puts(sb, "},\"events\":[");
	for (i = 0; i < n; i++) {
		if (i)
			sb_putc(sb, ',');
		put_event(sb, ev[i]);
	}
	sb_puts(sb, "],\"join_keys\":");
	sb_puts(sb, key && key->json ? key->json : "[]");
	sb_puts(sb, "}\n");
	if (sb->oom) {
		fputs("rulec: out of memory\n", stderr);
		exit(2);
	}
	pipe_line(e, ru, 0, xstrndup(sb->data, sb->len));
}

/* ---- the key table ---- */

static struct skey *
skey_get(struct rule *ru, const struct key *k, bool add)
{
	size_t m, i;

	if (!ru->keycap) {
		if (!add)
			return NULL;
		ru->keycap = 16;
		ru->keys = calloc(ru->keycap, sizeof *ru->keys);
		if (!ru->keys)
			exit(2);
	}
	m = ru->keycap - 1;
	for (i = k->hash & m; ru->keys[i].used; i = (i + 1) & m)
		if (ru->keys[i].key.len == k->len &&
		    memcmp(ru->keys[i].key.json, k->json, k->len) == 0)
			return &ru->keys[i];
	if (!add)
		return NULL;
	if ((ru->nkeys + 1) * 2 > ru->keycap) {
		struct skey *old = ru->keys;
		size_t oldcap = ru->keycap, j;

		ru->keycap *= 2;
		ru->keys = calloc(ru->keycap, sizeof *ru->keys);
		if (!ru->keys)
			exit(2);
		m = ru->keycap - 1;
		for (j = 0; j < oldcap; j++) {
			if (!old[j].used)
				continue;
			for (i = old[j].key.hash & m; ru->keys[i].used;
			     i = (i + 1) & m)
				;
			ru->keys[i] = old[j];
		}
		free(old);
		for (i = k->hash & m; ru->keys[i].used; i = (i + 1) & m)
			;
	}
	ru->keys[i].used = true;
	key_make(&ru->keys[i].key, k->v, k->n);
	ru->keys[i].pend = calloc(ru->npos + 1u, sizeof(struct partial *));
	ru->keys[i].miss = calloc(ru->nlog + 1u, sizeof(struct mhist));
	ru->keys[i].bucket = calloc(ru->r->nstages + 1u, sizeof(struct mhist));
	if (!ru->keys[i].pend || !ru->keys[i].miss || !ru->keys[i].bucket)
		exit(2);
	ru->nkeys++;
	return &ru->keys[i];
}

static void
partial_free(struct partial *p)
{
	uint16_t i;

	if (!p)
		return;
	for (i = 0; i < p->n; i++)
		ev_drop(p->ev[i]);
	free(p->ev);
	free(p);
}

static void
mhist_clear(struct mhist *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		ev_drop(h->ev[i]);
	free(h->ev);
	memset(h, 0, sizeof *h);
}

static void
mhist_add(struct mhist *h, struct evref *ev)
{
	h->ev = xgrow(h->ev, &h->cap, h->n + 1, sizeof *h->ev);
	h->ev[h->n++] = ev_hold(ev);
}

/* Drops history entries older than `limit`. */
static void
mhist_trim(struct mhist *h, int64_t limit)
{
	size_t i = 0, j;

	while (i < h->n && h->ev[i]->ts != NO_TS && h->ev[i]->ts < limit)
		ev_drop(h->ev[i++]);
	if (i == 0)
		return;
	for (j = i; j < h->n; j++)
		h->ev[j - i] = h->ev[j];
	h->n -= i;
}

static void
skey_clear(struct rule *ru, struct skey *s)
{
	uint16_t i;

	for (i = 0; i < ru->npos; i++)
		partial_free(s->pend[i]);
	for (i = 0; i < ru->nlog; i++)
		mhist_clear(&s->miss[i]);
	for (i = 0; i < ru->r->nstages; i++)
		mhist_clear(&s->bucket[i]);
	free(s->pend);
	free(s->miss);
	free(s->bucket);
	key_free(&s->key);
	memset(s, 0, sizeof *s);
}

/* Removes keys with nothing pending whose history is past maxspan. */
static void
sweep(struct rule *ru)
{
	struct skey *old = ru->keys;
	size_t oldcap = ru->keycap, j, i, m;
	int64_t limit;

	if (ru->span < 0 || ru->now == NO_TS || !oldcap)
		return;
	limit = ru->now - ru->span;
	ru->keys = calloc(oldcap, sizeof *ru->keys);
	if (!ru->keys)
		exit(2);
	ru->nkeys = 0;
	m = oldcap - 1;
	for (j = 0; j < oldcap; j++) {
		struct skey *s = &old[j];
		bool live = false;
		uint16_t k;

		if (!s->used)
			continue;
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
		for (i = s->key.hash & m; ru->keys[i].used; i = (i + 1) & m)
			;
		ru->keys[i] = *s;
		ru->nkeys++;
	}
	free(old);
}

/* ---- sequences ---- */

/* Checks the missing stages that can be decided now; queues the rest. */
static void
complete(struct rule *ru, struct skey *sk, struct partial *p)
{
	struct evref **ev = calloc(ru->nlog + 1u, sizeof *ev);
	struct evref *lead = NULL;
	uint16_t l, j = 0;
	struct result *r;

	if (!ev)
		exit(2);
	for (l = 0; l < ru->nlog; l++) {
		if (!ru->log_missing[l]) {
			ev[l] = ev_hold(p->ev[j++]);
			continue;
		}
		if (j > 0 && j < ru->npos) {
			/* middle: no event of the stage strictly between
			 * the positive events around it */
			const struct mhist *h = &sk->miss[l];
			int64_t a = p->ev[j - 1]->ts, b = p->ev[j]->ts;
			size_t i;

			for (i = 0; i < h->n; i++)
				if (h->ev[i]->ts > a && h->ev[i]->ts < b)
					goto drop;
		} else if (j == 0) {
			/* leading: the latest such event before the first */
			const struct mhist *h = &sk->miss[l];
			size_t i;

			for (i = h->n; i-- > 0;)
				if (ev_order(h->ev[i], p->ev[0]) < 0) {
					if (!lead ||
					    ev_order(h->ev[i], lead) > 0)
						lead = h->ev[i];
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
	ru->res = xgrow(ru->res, &ru->rescap, ru->nres + 1, sizeof *ru->res);
	r = &ru->res[ru->nres++];
	memset(r, 0, sizeof *r);
	r->ev = ev;
	r->nlog = ru->nlog;
	key_make(&r->key, sk->key.v, sk->key.n);
	r->lead = lead ? ev_hold(lead) : NULL;
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
		ev_drop(ev[l]);
	free(ev);
}

/* The trailing check: T, the earliest event of a trailing missing stage
 * after the last positive event, is searched in the key's history. */
static void
decide_one(struct rule *ru, struct result *r)
{
	struct skey *sk = skey_get(ru, &r->key, false);
	struct evref *first = NULL, *last = NULL, *t = NULL;
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
				if (ev_order(h->ev[i], last) > 0) {
					if (!t || ev_order(h->ev[i], t) < 0)
						t = h->ev[i];
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
	const struct evref *lx = NULL, *ly = NULL;
	uint16_t l, n = x->nlog;
	int c;

	for (l = 0; l < n; l++) {
		if (x->ev[l])
			lx = x->ev[l];
		if (y->ev[l])
			ly = y->ev[l];
	}
	if (lx && ly && (c = ev_order(lx, ly)))
		return c;
	for (l = 0; l < n; l++)
		if (x->ev[l] && y->ev[l] && (c = ev_order(x->ev[l], y->ev[l])))
			return c;
	for (l = 0; l < x->key.n && l < y->key.n; l++)
		if ((c = vm_val_order(&x->key.v[l], &y->key.v[l])))
			return c;
	return 0;
}

/* Writes the decided results at the head of the queue. */
static void
res_decide(struct vm_engine *e, struct rule *ru, bool eof)
{
	if (ru->nres - ru->reshead > 1) {
		qsort(ru->res + ru->reshead, ru->nres - ru->reshead,
		      sizeof *ru->res, res_cmp);
	}
	while (ru->reshead < ru->nres) {
		struct result *r = &ru->res[ru->reshead];
		uint16_t l;

		if (!r->decided) {
			if (!eof && (ru->now == NO_TS || r->deadline == NO_TS ||
				     ru->now <= r->deadline))
				return;
			decide_one(ru, r);
		}
		if (r->keep)
			result(e, ru, r->ev, ru->nlog, &r->key);
		for (l = 0; l < ru->nlog; l++)
			ev_drop(r->ev[l]);
		free(r->ev);
		ev_drop(r->lead);
		key_free(&r->key);
		ru->reshead++;
	}
	ru->nres = ru->reshead = 0;
}

static void
seq_stage(struct rule *ru, struct skey *sk, uint16_t l, struct evref *ev)
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
		mhist_add(&sk->miss[l], ev);
		if (span >= 0 && ev->ts != NO_TS)
			mhist_trim(&sk->miss[l], ev->ts - 2 * span - 1);
		return;
	}
	for (j = 0; ru->pos[j] != l; j++)
		;
	if (j == 0) {
		p = calloc(1, sizeof *p);
		if (!p || !(p->ev = calloc(ru->npos, sizeof *p->ev)))
			exit(2);
		p->ev[0] = ev_hold(ev);
		p->n = 1;
		p->first_ts = ev->ts;
		if (ru->npos == 1) {
			complete(ru, sk, p);
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
	p->ev[p->n++] = ev_hold(ev);
	if (j == ru->npos - 1) {
		complete(ru, sk, p);
		partial_free(p);
		return;
	}
	partial_free(sk->pend[j]);
	sk->pend[j] = p;
}

static void
seq_until(struct rule *ru, struct skey *sk)
{
	uint16_t j;

	for (j = 0; j < ru->npos; j++) {
		struct partial *p = sk->pend[j];

		if (p) {
			partial_free(p);
			sk->pend[j] = NULL;
		}
	}
}

/* ---- released hits ---- */

static void
process_hit(struct vm_engine *e, struct rule *ru, struct hit *h)
{
	struct skey *sk;
	uint16_t l, first, runs;

	if (ru->nres && h->ev->index != ru->cur_index)
		res_decide(e, ru, false);
	ru->cur_index = h->ev->index;
	if (h->ev->ts != NO_TS && (ru->now == NO_TS || h->ev->ts > ru->now))
		ru->now = h->ev->ts;
	switch (ru->r->kind) {
	case Q_EVENT:
		if (ru->r->repeat > 1) {
			sk = skey_get(ru, &h->key, true);
			if (++sk->done % ru->r->repeat != 0)
				return;
		}
		result(e, ru, &h->ev, 1, NULL);
		return;
	case Q_SAMPLE:
		/* enough candidates to fill max_samples_per_key samples
		 * with distinct events per sample */
		sk = skey_get(ru, &h->key, true);
		if ((int64_t)sk->bucket[h->stage].n <
		    e->o.max_samples_per_key + ru->r->nstages)
			mhist_add(&sk->bucket[h->stage], h->ev);
		return;
	default:
		break;
	}
	if (h->stage == ru->until) {
		sk = skey_get(ru, &h->key, false);
		if (sk)
			seq_until(ru, sk);
		return;
	}
	/* only the first stage (or a leading missing one) starts state
	 * for a key; a later stage can only extend what exists */
	first = ru->first_log[h->stage];
	sk = skey_get(ru, &h->key, ru->npos && first <= ru->pos[0]);
	if (!sk)
		return;
	runs = ru->r->stages[h->stage].runs ? (uint16_t)
	       ru->r->stages[h->stage].runs : 1;
	for (l = (uint16_t)(first + runs); l-- > first;)
		seq_stage(ru, sk, l, h->ev);
	/* sweep once per span of time (at least a second) or when the key
	 * table grows large, so state follows the keys active in the span */
	if (ru->nkeys > 64 && ru->span >= 0 && ru->now != NO_TS &&
	    (ru->swept == NO_TS ||
	     ru->now - ru->swept > (ru->span > 1000 ? ru->span : 1000) ||
	     (++ru->since_sweep >= SWEEP_EVERY &&
	      ru->nkeys > 2 * SWEEP_EVERY))) {
		ru->since_sweep = 0;
		ru->swept = ru->now;
		sweep(ru);
	}
}

/* ---- the hit heap ---- */

static int
hit_order(const struct hit *a, const struct hit *b)
{
	int c = ev_order(a->ev, b->ev);

	if (c)
		return c;
	/* one event: later stages first (an event never moves a sequence
	 * twice), until last: a sequence the event completes is a result,
	 * and every partial of the key, also one the event has just
	 * extended, ends */
	return a->prio > b->prio ? -1 : a->prio < b->prio;
}

static void
heap_push(struct rule *ru, struct hit *h)
{
	size_t i;

	ru->heap = xgrow(ru->heap, &ru->heapcap, ru->nheap + 1,
			 sizeof *ru->heap);
	i = ru->nheap++;
	while (i > 0) {
		size_t p = (i - 1) / 2;

		if (hit_order(&ru->heap[p], h) <= 0)
			break;
		ru->heap[i] = ru->heap[p];
		i = p;
	}
	ru->heap[i] = *h;
}

static void
heap_pop(struct rule *ru, struct hit *out)
{
	struct hit last;
	size_t i = 0;

	*out = ru->heap[0];
	last = ru->heap[--ru->nheap];
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= ru->nheap)
			break;
		if (c + 1 < ru->nheap &&
		    hit_order(&ru->heap[c + 1], &ru->heap[c]) < 0)
			c++;
		if (hit_order(&last, &ru->heap[c]) <= 0)
			break;
		ru->heap[i] = ru->heap[c];
		i = c;
	}
	if (ru->nheap)
		ru->heap[i] = last;
}

/* Whether t is more than `window` ms before `now` (no overflow). */
static bool
behind(int64_t t, int64_t now, int64_t window)
{
	return t < now && (uint64_t)now - (uint64_t)t > (uint64_t)window;
}

static void
release(struct vm_engine *e, struct rule *ru, bool eof)
{
	int64_t wm = e->wm[ru->tspath];
	struct hit h;

	/* hits without a timestamp sort first and leave at once */
	while (ru->nheap) {
		const struct evref *top = ru->heap[0].ev;

		if (!eof && top->ts != NO_TS &&
		    (wm == NO_TS || !behind(top->ts, wm, e->o.reorder_ms)))
			break;
		heap_pop(ru, &h);
		ru->stats.hits++;
		process_hit(e, ru, &h);
		ev_drop(h.ev);
		key_free(&h.key);
	}
	if (ru->nres)
		res_decide(e, ru, eof);
}

/* ---- per event ---- */

static struct evref *
make_ev(struct vm_engine *e, struct rule *ru, uint64_t index)
{
	struct evref *ev = calloc(1, sizeof *ev);
	const struct vm_val *v;
	struct strbuf sb = STRBUF_INIT;

	if (!ev)
		exit(2);
	ev->refs = 1;
	ev->index = index;
	ev->ts = ts_of(e, ru->tspath);
	v = str_of(get_path(e, ru->tbpath));
	ev->tb = *v;
	if (v->k == VK_STR)
		ev->tb.u.s.s = xstrndup(v->u.s.s, v->u.s.n);
	else if (v->k == VK_MULTI)
		ev->tb.k = VK_NULL;
	v = get_path(e, e->p_id);
	if (v->k != VK_NULL) {
		vm_val_json(v, &sb);
		if (sb.oom)
			exit(2);
		ev->id = sb_take(&sb);
	}
	return ev;
}

/* Expands multi-valued keys: calls add() for every combination. */
static void
expand_keys(struct vm_engine *e, struct rule *ru, uint16_t stage,
	    struct vm_val *vals, const bool *opt, uint16_t n, uint16_t at,
	    struct vm_val *cur, struct evref *ev)
{
	const struct vm_val *v;
	uint32_t i, cnt;
	struct hit h;

	if (at == n) {
		h.ev = ev_hold(ev);
		h.stage = stage;
		h.prio = stage == ru->until ? 0 : (uint16_t)(stage + 1);
		key_make(&h.key, cur, n);
		heap_push(ru, &h);
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

/* Tries stage s of rule ru on the current event; its first `checked`
 * guards are already known to hold. */
static void
try_stage(struct vm_engine *e, struct rule *ru, uint16_t s,
	  struct evref **ev, uint64_t index, unsigned checked)
{
	const struct img_stage *st = &ru->r->stages[s];
	const struct vm_host host = { host_field, host_ancestor, e, true };
	struct vm_val vals[IMG_MAX_KEYS], cur[IMG_MAX_KEYS];
	bool opt[IMG_MAX_KEYS];
	uint16_t k, n = st->nkeys;     /* the loader bounds it */

	if (ru->stopped)
		return;
	/* a trailing missing stage only matters after a result: none is
	 * waiting, and no hit is pending that could make one */
	if (ru->trailing[s] && ru->nheap == 0 && ru->nres == 0)
		return;
	/* a later stage with no key state and no pending hit: nothing it
	 * could extend or end */
	if (ru->later[s] && ru->nkeys == 0 && ru->nheap == 0)
		return;
	for (k = (uint16_t)checked; k < ru->nguards[s]; k++)
		if (!vm_leaf(e->rt, ru->guards[s][k], &host))
			return;
	if (!vm_test_at(e->rt, &st->code, ru->resume[s], &host))
		return;
	if (!*ev)
		*ev = make_ev(e, ru, index);
	if ((*ev)->ts == NO_TS)
		e->stats.no_timestamp++;
	for (k = 0; k < n; k++) {
		vm_eval(e->rt, &st->keys[k], &host, &vals[k]);
		opt[k] = ru->optkeys[s] >> k & 1;
	}
	if (!ru->active) {
		ru->active = true;
		e->active = xgrow(e->active, &e->activecap, e->nactive + 1,
				  sizeof *e->active);
		e->active[e->nactive++] = ru;
	}
	expand_keys(e, ru, s, vals, opt, n, 0, cur, *ev);
}

/* Runs the stages of the pairs list on the current event. */
/* Runs the stages of a pair list on the current event; a false guard
 * passes over every pair that shares it. */
static void
try_pairs(struct vm_engine *e, const struct plist *pl, uint64_t index)
{
	const struct vm_host host = { host_field, host_ancestor, e, true };
	size_t i = 0;

	while (i < pl->n) {
		const struct pair *p = &pl->v[i];
		struct rule *ru = &e->rules[p->rule];
		struct evref *ev = NULL;
		size_t j;

		if (p->g1 && !vm_leaf(e->rt, p->g1, &host)) {
			i = pl->skip1[i];
			continue;
		}
		if (p->g2 && !vm_leaf(e->rt, p->g2, &host)) {
			i = pl->skip2[i];
			continue;
		}
		/* consecutive pairs of one rule share the event record */
		for (j = i; j < pl->n && pl->v[j].rule == p->rule &&
		     pl->v[j].g1 == p->g1 && pl->v[j].g2 == p->g2; j++)
			try_stage(e, ru, pl->v[j].stage, &ev, index,
				  (p->g1 != 0) + (p->g2 != 0));
		i = j;
		ev_drop(ev);
	}
}

static void
dispatch_category(struct vm_engine *e, const struct vm_val *c,
		  uint64_t index)
{
	uint32_t i, n = c->k == VK_MULTI ? c->u.m.n : c->k == VK_STR;

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
		ce = cat_find(e, x->u.s.s, x->u.s.n, false);
		if (ce)
			try_pairs(e, &ce->pl, index);
	}
}

static void
one_event(struct vm_engine *e, uint64_t index)
{
	size_t i;

	e->gen++;
	vm_scratch_reset(e->rt);
	if (e->ptable)
		proc_note(e);
	for (i = 0; i < e->ntspaths; i++) {
		int p = e->tspaths[i];
		int64_t t = ts_of(e, p);

		if (t != NO_TS && e->wm[p] != NO_TS && p == e->p_ts &&
		    behind(t, e->wm[p], e->o.reorder_ms))
			e->stats.late_events++;
		if (t != NO_TS && (e->wm[p] == NO_TS || t > e->wm[p]))
			e->wm[p] = t;
	}
	dispatch_category(e, get_path(e, e->p_cat), index);
	if (e->any.n)
		try_pairs(e, &e->any, index);
	for (i = 0; i < e->nown; i++) {
		struct rule *ru = &e->rules[e->ownrules[i]];
		const struct vm_val *c = get_path(e, ru->catpath);
		struct evref *ev = NULL;
		uint16_t s;

		for (s = 0; s < ru->r->nstages; s++) {
			uint32_t n;
			const char *cs = pool_str(e->im,
						  ru->r->stages[s].category,
						  &n);

			if (!cs || has_str(c, cs, n))
				try_stage(e, ru, s, &ev, index, 0);
		}
		ev_drop(ev);
	}
	/* release what the watermark allows */
	for (i = 0; i < e->nactive;) {
		struct rule *ru = e->active[i];

		release(e, ru, false);
		if (ru->nheap == 0 && ru->nres == 0) {
			ru->active = false;
			e->active[i] = e->active[--e->nactive];
		} else {
			i++;
		}
	}
}

long
vm_engine_feed(struct vm_engine *e, const char *path, FILE *diag)
{
	const char *err = NULL;
	struct ev_reader *r = ev_open(path, &err);
	struct ev_event *ev;
	uint64_t base = e->next_index;
	long bad = 0;
	size_t i;
	int rc;

	if (!r) {
		fprintf(diag, "rulec: %s: %s\n", path, err);
		return -1;
	}
	for (i = 0; i < e->npath; i++)
		e->slot[i] = ev_want(r, e->path[i], strlen(e->path[i]));
	while ((rc = ev_next(r, &ev)) != 0) {
		uint64_t line, off;

		if (rc < 0) {
			const char *msg = ev_error(r, &line, &off);

			fprintf(diag, "%s:%" PRIu64 ": error: %s (byte %"
				PRIu64 ")\n", path, line, msg, off);
			bad++;
			e->stats.bad_events++;
			continue;
		}
		e->ev = ev;
		one_event(e, base + ev_index(ev));
		e->stats.events++;
	}
	e->ev = NULL;
	e->stats.bytes += ev_bytes_read(r);
	/* positions continue in the next input */
	e->next_index = e->stats.events + e->stats.bad_events;
	ev_close(r);
	return bad;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct skey *x = *(const struct skey *const *)a;
	const struct skey *y = *(const struct skey *const *)b;
	uint16_t i;

	for (i = 0; i < x->key.n && i < y->key.n; i++) {
		int c = vm_val_order(&x->key.v[i], &y->key.v[i]);

		if (c)
			return c;
	}
	return (int)x->key.n - (int)y->key.n;
}

/*
 * Writes the samples of one rule, keys in ascending order.  Sample i of a
 * key takes, for each filter, its i-th event (or its last when it has
 * fewer), so a filter with one event repeats it across samples; within a
 * sample the events are distinct (an event is never two filters of one
 * sample), the next unused candidate of the filter replacing a repeat.
 * A key yields as many samples as its fullest filter allows, at most
 * max_samples_per_key.
 */
static void
samples_out(struct vm_engine *e, struct rule *ru)
{
	struct skey **v = calloc(ru->nkeys + 1, sizeof *v);
	uint16_t ns = ru->r->nstages;
	struct evref **ev = calloc(ns + 1u, sizeof *ev);
	size_t n = 0, i;

	if (!v || !ev)
		exit(2);
	for (i = 0; i < ru->keycap; i++)
		if (ru->keys[i].used)
			v[n++] = &ru->keys[i];
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
					struct evref *c = b->ev[(at + t) % b->n];

					for (u = 0; u < s &&
					     ev[u]->index != c->index; u++)
						;
					if (u == s)
						ev[s] = c;
				}
				ok = ev[s] != NULL;
			}
			if (ok)
				result(e, ru, ev, ns, &v[i]->key);
		}
	}
	free(ev);
	free(v);
}

void
vm_engine_finish(struct vm_engine *e)
{
	uint32_t i;
	uint16_t p;

	for (i = 0; i < e->nrules; i++) {
		struct rule *ru = &e->rules[i];

		release(e, ru, true);
		res_decide(e, ru, true);
		if (ru->r->kind == Q_SAMPLE)
			samples_out(e, ru);
		/* tails, first to last pipe */
		for (p = 0; p < ru->r->npipes; p++) {
			struct pipe_state *ps = &ru->pipes[p];
			size_t k, n = ps->rn;

			if (ps->kind != PIPE_TAIL)
				continue;
			ps->rn = 0;
			for (k = 0; k < n; k++)
				pipe_line(e, ru, (uint16_t)(p + 1),
					  ps->ring[(ps->rhead + k) %
						   (size_t)ps->n]);
		}
	}
	e->nactive = 0;
	fflush(e->out);
}

void
vm_engine_stats(const struct vm_engine *e, struct vm_engine_stats *s)
{
	*s = e->stats;
}

const struct vm_rule_stats *
vm_engine_rule_stats(const struct vm_engine *e, uint32_t rule)
{
	return rule < e->nrules ? &e->rules[rule].stats : NULL;
}

void
vm_engine_free(struct vm_engine *e)
{
	uint32_t i;
	size_t k;

	if (!e)
		return;
	for (i = 0; i < e->nrules; i++) {
		struct rule *ru = &e->rules[i];
		struct hit h;

		while (ru->nheap) {
			heap_pop(ru, &h);
			ev_drop(h.ev);
			key_free(&h.key);
		}
		free(ru->heap);
		for (k = 0; k < ru->keycap; k++)
			if (ru->keys[k].used)
				skey_clear(ru, &ru->keys[k]);
		free(ru->keys);
		free(ru->res);
		for (k = 0; k < ru->r->npipes; k++) {
			size_t j;

			for (j = 0; j < ru->pipes[k].rn; j++)
				free(ru->pipes[k].ring[(ru->pipes[k].rhead +
							j) %
						       (size_t)
						       ru->pipes[k].n]);
			free(ru->pipes[k].ring);
		}
		free(ru->pipes);
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
	free(e->rules);
	for (k = 0; k < e->catcap; k++) {
		free(e->cat[k].pl.v);
		free(e->cat[k].pl.skip1);
		free(e->cat[k].pl.skip2);
	}
	free(e->cat);
	free(e->any.v);
	free(e->any.skip1);
	free(e->any.skip2);
	free(e->ownrules);
	free(e->active);
	for (k = 0; k < e->proccap; k++)
		if (e->procs[k].used)
			proc_free(e, &e->procs[k]);
	free(e->procs);
	for (k = 0; k < e->oldcap; k++)
		if (e->oldprocs[k].used)
			proc_free(e, &e->oldprocs[k]);
	free(e->oldprocs);
	for (k = 0; k < e->npsuffix; k++)
		free(e->psuffix[k]);
	free(e->psuffix);
	free(e->psuffix_path);
	free(e->pool_suffix);
	free(e->pool_up);
	for (k = 0; k < e->npath; k++)
		free(e->path[k]);
	free(e->path);
	free(e->pool_path);
	free(e->tspaths);
	free(e->wm);
	free(e->cgen);
	free(e->tsgen);
	free(e->tsval);
	free(e->cache);
	free(e->slot);
	sb_free(&e->line);
	vm_rt_free(e->rt);
	free(e);
}
