/*
 * private.h - the replay engine's own data structures, shared by its
 * files (see engine.h for the interface).
 *
 * Design note.  Work is split in two phases.
 *
 * 1. Per event (stateless; engine.c).  The reader walks each event once
 *    and keeps only the fields some rule reads (every field path of the
 *    image is registered with it up front).  The event's category
 *    selects, through a hash table, the list of (rule, stage) pairs whose
 *    stage names that category (plus the `any` list, and the rules that
 *    override the category field).  Inside a list, candidate selection
 *    picks the stages to try without visiting the others: each stage is
 *    indexed, when the list is built, by a set of leaf tests one of which
 *    its condition needs true (vm_needs: the leaves of an `or` of
 *    operands, of the cheapest operand of an `and`; none under `not`),
 *    chosen by a guessed cost (how often a leaf holds, plus its index's
 *    work shared by the stages using it), and chosen again once the
 *    indexes have measured, on the first events, how often each leaf
 *    holds (select_again).  Per event each index the list
 *    uses is asked once: an equality index (the field's value looked up
 *    among the strings of its `==`/`in` tests) or a pattern index (which
 *    of the field's selecting pattern lists match the value, remembered
 *    per value across events); the leaves it finds true lead (selhead,
 *    selblk) to their pairs, which are marked in a bit set with the pairs
 *    whose selecting leaf has no index and holds, and the pairs with no
 *    needed leaf known.  Marked pairs run in the list's order, the order
 *    of trying every pair, so results are the same as if all were tried;
 *    each still checks its guards and runs its code.  An event that
 *    passes becomes a *hit*: a small record with the event's position,
 *    timestamp, tiebreaker, id and the join keys the stage computes
 *    (record.c).  Nothing else of the event is kept.
 *
 * 2. Per rule, in event order.  Hits wait in the rule's heap, ordered by
 *    (timestamp, tiebreaker, input position, stage), until the newest
 *    timestamp seen is more than `reorder_ms` ahead of them (or the input
 *    ends), so input that is out of order by less than that window is
 *    processed exactly as if it had been sorted.  Released hits drive the
 *    rule's query: an event query delivers them; a sequence runs the
 *    per-key state machine of docs/run.md (sequence.c: newest partial
 *    wins, maxspan from the first event with equality allowed, until
 *    kills earlier partials of its key, runs expanded into stages,
 *    missing stages checked against a per-key history of their events); a
 *    sample keeps per-key buckets and delivers them, sorted by key, at the
 *    end (sample.c).  Every result then passes the rule's pipes and the
 *    size limit as a record (pipe.c) before the match callback sees it.
 *
 * ESET rules read their process's ancestors: process-start events feed a
 * process table of two bounded generations (proctab.c).
 *
 * Memory is bounded by the fields read per event, the hits inside the
 * reorder window, and the sequence state, which maxspan bounds: partial
 * sequences whose first event is older than maxspan are swept.  Samples
 * and sequences without maxspan keep state for the whole input (the
 * linter warns about the latter).
 *
 * Tables are base/hash.h indexes over base/vec.h vectors: field paths,
 * categories, join keys of a rule, processes.  Out of memory sets the
 * sticky `oom` flag and drops the work at hand; feeding stops at the next
 * event.  Names shared between the files carry the prefix rp_.
 */
#ifndef RC_REPLAY_PRIVATE_H
#define RC_REPLAY_PRIVATE_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "base/arena.h"
#include "base/hash.h"
#include "base/strbuf.h"
#include "base/vec.h"
#include "events/reader.h"
#include "replay/engine.h"
#include "vm/interp.h"

#define NO_TS REPLAY_NO_TS
#define TS_BAD (INT64_MIN + 1)  /* ts_of: a time outside the range */
#define PROC_GEN 8192

/* A key tuple: its JSON array text (its identity) and its values, whose
 * strings live, NUL-terminated, in vbuf. */
struct key {
	char *json;
	size_t len;
	uint32_t hash;          /* of json */
	struct vm_val *v;
	char *vbuf;
	uint16_t n;
};

struct hit {
	struct replay_ev *ev;
	uint16_t stage;         /* image stage index */
	uint16_t prio;          /* same event: higher first; until last */
	struct key key;
};

struct partial {
	struct replay_ev **ev;  /* one per positive stage, filled so far */
	uint16_t n;
	int64_t first_ts;
};

struct mhist {                  /* events of one stage and key (a vector) */
	struct replay_ev **v;
	size_t n, cap;
};

struct skey {                   /* a join key's sequence or sample state */
	struct key key;
	struct partial **pend;  /* per positive stage (sequences) */
	struct mhist *miss;     /* per logical stage (missing ones used) */
	struct mhist *bucket;   /* per filter (samples) */
	uint64_t done;          /* completions, for ESET repeat counts */
	uint32_t waiting;       /* results waiting for a trailing check */
};

struct result {                 /* a completed sequence awaiting checks */
	struct replay_ev **ev;  /* per logical stage, NULL when missing */
	struct key key;
	int64_t deadline;       /* decide once time passes it */
	struct replay_ev *lead; /* latest leading missing event, if any */
	uint16_t nlog;          /* entries of ev */
	bool decided, keep;
};

struct kept {                   /* a result held by a tail pipe */
	struct replay_ev **ev;
	uint16_t n;
	struct key key;
};

struct pipe_state {
	uint8_t kind;
	int64_t n, seen;
	VEC(struct kept) ring;  /* tail: the last n results (grown as they
	                           come, so a huge n costs nothing) */
	size_t rhead;
};

struct rule {
	const struct img_rule *r;
	uint32_t index;
	int catpath, tspath, tbpath;    /* path ids (overrides or global) */
	/* where an event's time comes from when tspath has none: the run's
	 * timestamp path for a rule with a timestamp override (Kibana's
	 * fallback), else -1; ts_strict: the override has no fallback
	 * (timestamp_override_fallback_disabled), so an event without a
	 * time in it is not the rule's */
	int tsfall;
	bool ts_strict;
	size_t clock;                   /* index of (tspath, tsfall) in
	                                   the replay's clocks */
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

	VEC(struct hit) heap;           /* hits in the reorder window */
	bool active;
	size_t apos;                    /* its place in the active list */
	bool due;                       /* in the due list of this event */
	bool armed;                     /* a live timer at `deadline` */
	int64_t deadline;               /* heap top's time + reorder_ms */

	/* key table */
	VEC(struct skey) keys;
	struct hash keyix;              /* key hash -> keys.v index */
	int64_t swept;                  /* `now` at the last sweep */
	int64_t now;                    /* newest released timestamp */
	int64_t span;                   /* maxspan, else the look-back */
	int64_t maxspan;                /* the rule's maxspan, -1: none */
	/* both clamped to VM_TIME_WIDTH + 1 (rp_span): no two times of
	 * the valid range are further apart, so results are the same and
	 * time arithmetic cannot overflow */
	int64_t oldest;                 /* no partial or history entry is
	                                   older (NO_TS: none held) */
	size_t kept_keys;               /* keys after the last sweep */
	uint64_t npartials;             /* live partial sequences */
	uint64_t ended;                 /* partials ended since the last
	                                   sweep (their keys may be empty) */
	bool capped;                    /* max_partials reported */
	const char *refused;            /* why the rule cannot run, or NULL */
	uint64_t cur_index;             /* event of the last released hit */

	/* completed sequences waiting for trailing checks */
	VEC(struct result) res;
	size_t reshead;

	/* per image stage: the leaf tests its condition needs true */
	uint32_t (*guards)[8];
	uint8_t *nguards;
	uint32_t *resume;               /* code offset after the guards */
	uint64_t *optkeys;              /* bit k: key k may be null (?f) */

	struct pipe_state *pipes;
	int64_t size_left;              /* -1: unlimited */
	bool stopped;                   /* head/size reached */
	struct replay_rule_stats stats;
};

/* A stage to try on the events of one category, with its first two
 * guards (the list's order: see plist). */
struct pair {
	uint32_t rule;
	uint16_t stage;
	uint32_t g1, g2;        /* leaf ids, 0: none */
};

/* How a pair of a list is selected: by leaf `leaf` (one of a set of
 * leaves its stage needs one of) holding.  x: the index (equality or
 * pattern) that finds the leaf true, or 0 (the leaf is evaluated). */
struct selpos {
	uint32_t x, leaf, pos;
};

/* A run of a list's selpos entries with one index (x > 0), or one leaf
 * without index (x == 0): sel[from..to). */
struct selgrp {
	uint32_t x, leaf, from, to;
};

/* Pair `pos` of list `list` is selected by leaf `leaf` through the
 * leaf's index; e->sel holds them sorted, and a block is the run of one
 * leaf and list, sel[from..to). */
struct selent {
	uint32_t leaf, list, pos;
};

struct selblk {
	uint32_t leaf, list, from, to;
};

/* The stages to try on the events of one category.  The pairs are
 * sorted by their first two guards, then rule and stage, and an event's
 * candidates are tried in that order (the order in which one rule's
 * stages see one event can matter to a sequence).  `always`: the pairs
 * tried on every event (no leaf known to select them); `sel`: the
 * others, by index (0 first, then ascending) and leaf, in runs `grp`;
 * an event's candidates are marked in its worker's bit set (rp_worker
 * `cand`).  The lists are read-only while events are evaluated; only
 * select_again, in one-thread evaluation, rebuilds them. */
struct plist {
	struct pair *v;
	size_t n, cap;
	uint32_t id;                    /* its number in e->lists */
	size_t nw;                      /* words of each bit set */
	uint64_t *always;
	struct selpos *sel;
	size_t nsel;
	struct selgrp *grp;
	size_t ngrp;
};

struct catent {
	const char *s;          /* in the image */
	uint32_t n;
	struct plist pl;
};

struct pathent {
	char *s;
	size_t n;
};

/* The process table: what process-start events said about each process
 * (its parent and the process.* fields ancestor conditions read). */
struct proc {
	char *id, *parent;      /* parent NULL when unknown */
	uint32_t idlen, parentlen;
	struct vm_val *v;       /* per snapshot suffix; owned strings */
};

struct procgen {
	VEC(struct proc) p;
	struct hash ix;         /* id hash -> p.v index */
};

struct psuffix {                /* "name" for process.name, ... */
	char *s;
	size_t n;
	int path;               /* path id of process.<s> */
};

struct timer {                  /* rule `rule` is due once the
	                           watermark passes `at` */
	int64_t at;
	uint32_t rule;
};

struct timers {
	VEC(struct timer) h;
};

/*
 * The evaluation of events: the current event, its field values and
 * times (read once per event), the interpreter's runtime (per-event
 * memos, scratch memory, the lazy pattern caches).  Only the worker that
 * owns it touches it, so each thread has its own: the engine's (w0) for
 * reading in the calling thread, and one per worker thread (threads.c).
 * With `out` NULL a stage that holds goes to its rule at once (one
 * thread); else it is written to `out`, and the ordered thread applies
 * it in input order (rp_apply_part).
 */
struct rp_worker {
	struct replay *e;
	struct vm_rt *rt;
	struct ev_event *ev;
	int *slot;                      /* path id -> reader slot */
	uint64_t gen;
	uint64_t *cgen;                 /* per path: cache generation */
	uint64_t *tsgen;                /* per path: tsval's generation */
	int64_t *tsval;                 /* per path: the value as a time */
	struct vm_val *cache;           /* per path: raw value */
	struct proc *subject;           /* ancestor evaluation: a process */
	char badtime[32];               /* the last out-of-range time read */
	int64_t *times;                 /* per clock: the event's time */
	struct rp_out *out;
	uint64_t *cand;                 /* a list's candidates for the
	                                   event: a bit per pair (e->maxnw
	                                   words) */
	uint64_t tried;                 /* stages it tried (replay_tried) */
};

/* What a worker thread found in a part of the input, record by record. */
enum { RK_EVENT, RK_MALFORMED, RK_BAD_TIME };

struct rp_rec {
	uint8_t kind;
	uint64_t index;                 /* in the part */
	uint64_t line, off;             /* in the input */
	const char *msg;                /* RK_MALFORMED, RK_BAD_TIME */
	const int64_t *times;           /* RK_EVENT: per clock */
	size_t cand0, ncand;            /* RK_EVENT: its stages that held */
};

struct rp_cand {                        /* a stage whose condition held */
	uint32_t rule;
	uint16_t stage;
	int64_t ts;                     /* the event's time for the rule */
	struct vm_val tb, id;           /* what make_ev keeps of the event */
	struct vm_val *keys;            /* its join key values */
};

struct rp_out {
	VEC(struct rp_rec) recs;
	VEC(struct rp_cand) cands;
	struct arena ar;                /* strings, times, key values */
	bool oom;
};

struct replay {
	const struct image *im;
	struct vm_rt *rt;
	struct replay_opts o;
	replay_match_fn match;
	void *ud;
	bool oom;
	bool stopped;           /* replay_stop: read and deliver no more */
	struct replay_ev *evfree;       /* free list of event summaries */
	struct strbuf keysb;            /* rp_key_make's text buffer */

	/* field paths */
	VEC(struct pathent) path;
	struct hash pathix;
	int *pool_path;                 /* pool entry -> path id or -1 */
	int p_id, p_cat, p_ts, p_tb;
	/* the distinct ways rules read an event's time: a timestamp path
	 * and its fallback path (or -1); clock 0 is the run's own */
	struct clock { int path, fall; } *clocks;
	size_t nclocks;
	int64_t *wm;                    /* per clock: newest timestamp */

	/* evaluation in the calling thread (threads.c has one per worker
	 * thread); the location of the record being taken, for reports */
	struct rp_worker w0;
	uint64_t loc_line, loc_off;
	struct rp_pool *pool;           /* worker threads (threads.c), or
	                                   NULL */

	struct rule *rules;
	uint32_t nrules;
	VEC(struct rule *) active;      /* rules with hits or results held */
	/* release: the rules to visit after this event (hits pushed, or a
	 * timer passed), and per clock a min-heap of timers (the time the
	 * watermark must pass to release a rule's earliest hit) */
	VEC(struct rule *) due;
	struct timers *timers;

	VEC(struct catent) cats;
	struct hash catix;              /* category hash -> cats.v index */
	struct plist any;
	/* selection through indexes: per leaf, its first block + 1 in
	 * selblk (0: none) */
	uint32_t *selhead;
	VEC(struct selent) sel;
	VEC(struct selblk) selblk;
	/* while lists are built: per index, the stages that would use it */
	uint32_t *selusers;
	bool learned;                   /* chosen again (select_again) */
	size_t maxnw;                   /* words of the longest list's bit
	                                   set (rp_worker.cand) */
	VEC(uint32_t) ownrules;         /* rules with their own category */

	/* process table */
	bool ptable;
	int p_pid, p_ppid, p_type;
	int exe;                        /* suffix "executable", or -1 */
	VEC(struct psuffix) psuffix;
	int *pool_suffix;               /* pool entry -> suffix or -1 */
	int *pool_up;                   /* pool entry -> parent levels */
	struct procgen procs;           /* the current generation */
	struct procgen oldprocs;        /* the one before */

	uint64_t next_index;
	struct replay_stats stats;

	/* problem reports while an input is read */
	replay_error_fn fn;
	void *fnud;
	const char *inname;             /* the input being read */
	/* the first late event, for the warning at the end */
	char *late_path;
	uint64_t late_line, late_off;
};

/* ---- record.c: events and key tuples kept past their event ---- */

static inline struct replay_ev *
rp_ev_hold(struct replay_ev *e)
{
	e->refs++;
	return e;
}

void rp_ev_free(struct replay_ev *e);
/* A summary from the free list `pool` (malloc when empty) with copies of
 * tb and id (a VK_MULTI tiebreaker is kept as none); NULL on oom. */
struct replay_ev *rp_ev_new(struct replay_ev **pool, uint64_t index,
			    int64_t ts, const struct vm_val *tb,
			    const struct vm_val *id);
/* Frees the records of a free list. */
void rp_ev_pool_free(struct replay_ev **pool);

static inline void
rp_ev_drop(struct replay_ev *e)
{
	if (e && --e->refs == 0)
		rp_ev_free(e);
}

/* ---- time arithmetic ----
 *
 * Every time the engine holds is NO_TS or inside VM_TIME_MIN ..
 * VM_TIME_MAX (an event with another time is refused before dispatch),
 * and spans are clamped by rp_span, so a difference of two times or a
 * time plus or minus a few spans cannot overflow. */

/* A span (maxspan, look-back) as the engine keeps it: -1 for none, at
 * most VM_TIME_WIDTH + 1 (which no two valid times exceed). */
static inline int64_t
rp_span(int64_t ms)
{
	return ms < 0 ? -1 : ms > VM_TIME_WIDTH ? VM_TIME_WIDTH + 1 : ms;
}

/* Whether time b is at most `span` after a: false when either time is
 * unknown or there is no span (nothing is within an unknown distance). */
static inline bool
rp_within(int64_t a, int64_t b, int64_t span)
{
	return a != NO_TS && b != NO_TS && span >= 0 && b - a <= span;
}

/* Event order: timestamp, tiebreaker, input position. */
static inline int
rp_ev_order(const struct replay_ev *a, const struct replay_ev *b)
{
	int c;

	if (a->ts != b->ts)
		return a->ts < b->ts ? -1 : 1;
	c = vm_val_order(&a->tb, &b->tb);
	if (c)
		return c;
	return a->index < b->index ? -1 : a->index > b->index;
}

/* Copies v[0..n) into k (one malloc; tmp is a reusable buffer for its
 * text); false (k empty) when out of memory. */
bool rp_key_make(struct key *k, const struct vm_val *v, uint16_t n,
		 struct strbuf *tmp);
/* A copy of a key made by rp_key_make (one malloc); false on oom. */
bool rp_key_copy(struct key *dst, const struct key *src);
void rp_key_free(struct key *k);
/* A copy of v that owns its strings and elements; false on oom (dst
 * then VK_NULL). */
bool rp_val_dup(struct vm_val *dst, const struct vm_val *v);
void rp_val_free(struct vm_val *v);
/* Whether v (or one of its elements) is exactly the string s[0..n). */
bool rp_has_str(const struct vm_val *v, const char *s, uint32_t n);
/* s[0..n) copied and NUL-terminated (NULL on oom). */
char *rp_memdup(const char *s, size_t n);

static inline const struct vm_val *
rp_str_of(const struct vm_val *v)
{
	return v->k == VK_MULTI ? &v->u.m.v[0] : v;
}

/* Sets the out-of-memory flag; returns NULL for the caller's return. */
static inline void *
rp_nomem(struct replay *e)
{
	e->oom = true;
	return NULL;
}

/* ---- engine.c: field paths and the current event ---- */

/* The id of a field path (registered on first use); -1 on oom. */
int rp_path_id(struct replay *e, const char *s, size_t n);
/* The raw value of path id p in the current event (read once per
 * event; VK_NULL for p < 0). */
const struct vm_val *rp_get_path(struct replay *e, int p);
/* vm_host.field: a field of the current event, or of the ancestor under
 * evaluation (e->subject). */
void rp_host_field(void *h, uint32_t f, struct vm_val *out);
/* Reports a problem at the current record to the handler of the input
 * being read (nothing when there is none). */
void rp_report(struct replay *e, enum replay_problem kind, uint32_t rule,
	       const char *msg);

/* ---- engine.c: workers, and applying what they found ---- */

/* w's tables for engine e with runtime rt; false on oom (then
 * rp_worker_free). */
bool rp_worker_init(struct rp_worker *w, struct replay *e, struct vm_rt *rt);
void rp_worker_free(struct rp_worker *w);
/* Registers the engine's field paths with reader r for w; false on oom. */
bool rp_worker_reader(struct rp_worker *w, struct ev_reader *r);
/* Evaluates w's current event (w->ev), `index` its position: with w->out
 * NULL its hits go to the rules, else what the ordered thread needs is
 * written to w->out.  False (nothing done, the reason in msg) when a
 * time it holds is out of range. */
bool rp_eval(struct rp_worker *w, uint64_t index, char *msg, size_t len);
/* Takes the records a worker wrote, in order, as one thread would have
 * taken them (reports, watermarks, hits, releases); `base` is the
 * position of the part's first record; stops at replay_stop or oom. */
void rp_apply_part(struct replay *e, const struct rp_out *o, uint64_t base,
		   long *bad);
/* A malformed record at e->loc_line/loc_off: reported and counted. */
void rp_malformed(struct replay *e, const char *msg, long *bad);

/* Replays every record of an open reader in this thread (replay_feed's
 * result); `name` names the input in errors.  Closes the reader. */
long rp_feed_reader(struct replay *e, struct ev_reader *r, const char *name,
		    replay_error_fn fn, void *ud);

/* ---- threads.c: the input read by worker threads ---- */

/* replay_feed with e->o.threads worker threads (or in this thread when
 * the input is not for threads: see threads.c). */
long rp_feed_threads(struct replay *e, const char *path, replay_error_fn fn,
		     void *ud);
void rp_pool_free(struct replay *e);
/* The stages the worker threads tried (replay_tried); 0 without. */
uint64_t rp_pool_tried(const struct replay *e);

/* The selection chosen again with the frequencies the runtime's indexes
 * counted (after SEL_LEARN events; with worker threads, on a sample: the
 * events of the worker that uses e->rt), while no worker reads the
 * lists.  Which stages are tried changes, not their order, so results
 * do not.  False on oom. */
#define SEL_LEARN 4096
bool rp_select_again(struct replay *e);

/* ---- proctab.c: the process table ---- */

/* Maps process.* field paths to snapshot suffixes; false on oom. */
bool rp_proc_setup(struct replay *e);
/* Records the current event when it is a process start. */
void rp_proc_note(struct replay *e);
/* The process `up` levels above the current event's process. */
struct proc *rp_proc_up(struct replay *e, int up);
/* vm_host.ancestor: whether an ancestor satisfies descriptor d. */
bool rp_host_ancestor(void *h, uint32_t d);
void rp_proc_free_all(struct replay *e);

/* ---- sequence.c: join keys and sequences ---- */

/* The state of key k in rule ru, added when `add`; NULL if absent (or
 * out of memory). */
struct skey *rp_skey_get(struct replay *e, struct rule *ru,
			 const struct key *k, bool add);
bool rp_mhist_add(struct mhist *h, struct replay_ev *ev);
/* A released hit of a sequence rule. */
void rp_seq_hit(struct replay *e, struct rule *ru, const struct hit *h);
/* Delivers the decided results at the head of the rule's queue (all of
 * them at the end of the input). */
void rp_res_decide(struct replay *e, struct rule *ru, bool eof);
void rp_keys_free(struct rule *ru);

/* ---- sample.c ---- */

void rp_sample_hit(struct replay *e, struct rule *ru, const struct hit *h);
/* Delivers the samples of a rule at the end of the input. */
void rp_samples_out(struct replay *e, struct rule *ru);

/* ---- pipe.c: results through head, tail and size ---- */

/* A result of rule ru: events ev[0..n) (NULL: a missing stage) and the
 * join key (NULL for an event query); borrowed, copied when a tail keeps
 * it. */
void rp_result(struct replay *e, struct rule *ru, struct replay_ev **ev,
	       uint16_t n, const struct key *key);
/* End of input: delivers what the tails kept, first to last pipe. */
void rp_tails_out(struct replay *e, struct rule *ru);
void rp_pipes_free(struct rule *ru);

#endif
