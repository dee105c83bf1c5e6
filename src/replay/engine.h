/*
 * engine.h - replays events through every rule of an image: event
 * queries, sequences (join keys, maxspan, until, runs, missing stages),
 * samples, head/tail pipes, and the ESET process table.
 *
 * Design note.  The engine never prints and never exits.  Each result
 * leaves it as a record (struct replay_match) through the match callback,
 * after the rule's head/tail pipes and the run's size limit, which all
 * work on records; a malformed input record and an input that cannot be
 * opened leave it through the error callback of replay_feed.  Rendering
 * a record as text is the business of report/ (report/match.h), writing
 * it that of the caller.  Out of memory is a sticky flag (replay_oom):
 * the engine stops taking events and replay_feed / replay_finish report
 * it; replay_free always releases everything.
 *
 * The files of the engine, with their private header replay/private.h:
 * engine.c (setup, per-event dispatch, the reorder window, rule state),
 * record.c (events and key tuples kept past their event), sequence.c,
 * sample.c, proctab.c (the ESET process table), pipe.c (head, tail and
 * size on results) and threads.c (an input read and evaluated by worker
 * threads, struct replay_opts.threads, with the results of one thread).
 */
#ifndef RC_REPLAY_ENGINE_H
#define RC_REPLAY_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "vm/image.h"
#include "vm/interp.h"

#define REPLAY_NO_TS INT64_MIN  /* an event without a timestamp */

struct replay_opts {
	const char *id_field;           /* default event.id */
	const char *category_field;     /* default event.category */
	const char *timestamp_field;    /* default @timestamp */
	const char *tiebreaker_field;   /* NULL: none */
	int64_t size;                   /* results per rule, -1: all */
	int64_t max_samples_per_key;    /* default 1 */
	int64_t reorder_ms;             /* lateness allowed, default 10 s */
	uint64_t max_event_size;        /* longest record, bytes; default
	                                   16 MiB (events/reader.h) */
	int64_t max_partials;           /* live partial sequences per rule;
	                                   default REPLAY_MAX_PARTIALS, -1:
	                                   no limit */
	unsigned threads;               /* threads that read and evaluate
	                                   events (threads.c); 0 and 1: the
	                                   calling thread alone (default) */
};

#define REPLAY_MAX_PARTIALS 1000000

void replay_opts_init(struct replay_opts *o);

/* An event as results show it: a reference-counted summary kept while a
 * hit, a partial sequence, a sample bucket or a tail needs it. */
struct replay_ev {
	unsigned refs;
	uint64_t index;         /* position in the input (malformed count) */
	int64_t ts;             /* REPLAY_NO_TS when absent */
	struct vm_val tb;       /* tiebreaker (strings owned) */
	struct vm_val id;       /* the id field: VK_NULL when absent;
	                           strings (NUL-terminated) and the elements
	                           of a VK_MULTI owned */
	/* the engine's: the free list the record returns to, and room for
	 * short tb and id strings (tb's first, inl_tb bytes) */
	struct replay_ev **pool, *next;
	uint8_t inl_tb;
	char inl[47];
};

/* A result: valid during the match callback only. */
struct replay_match {
	const struct image *im;
	uint32_t rule;                  /* index in the image */
	struct replay_ev *const *ev;    /* per stage; NULL: a missing stage */
	uint16_t nev;
	const struct vm_val *keys;      /* join keys (strings NUL-terminated);
	                                   none for an event query */
	uint16_t nkeys;
};

typedef void (*replay_match_fn)(void *ud, const struct replay_match *m);

/* What a problem report is about. */
enum replay_problem {
	RP_MALFORMED,           /* a malformed record, skipped */
	RP_UNREADABLE,          /* an input that cannot be opened (line 0) */
	RP_BAD_TIME,            /* an event whose time is outside the years
	                           0000-9999 (vm/interp.h), skipped */
	RP_LATE,                /* `count` events came later than the
	                           reorder window; the location is the
	                           first one's (reported by replay_finish) */
	RP_PARTIALS,            /* rule `rule` reached max_partials: the
	                           location is the event that found the
	                           table full; its oldest partials went */
	RP_RULE_SKIPPED         /* rule `rule` cannot run (an engine
	                           limit); no location; it is left out */
};

/* A problem with the input (or with a rule, once the input runs):
 * a malformed record (line and offset of the record) or an input that
 * cannot be opened (`unreadable`, line 0), and the kinds above. */
struct replay_input_error {
	const char *path;
	uint64_t line, offset;
	const char *msg;
	bool unreadable;
	enum replay_problem kind;
	uint64_t count;         /* RP_LATE: how many */
	uint32_t rule;          /* RP_PARTIALS, RP_RULE_SKIPPED: the rule */
};

typedef void (*replay_error_fn)(void *ud,
				const struct replay_input_error *err);

struct replay_rule_stats {
	uint64_t hits;          /* events that passed a stage condition */
	uint64_t results;       /* results delivered */
};

struct replay_stats {
	uint64_t events, bad_events, bytes, late_events, no_timestamp;
	uint64_t results;
	uint64_t bad_time;      /* events skipped for their time (also in
	                           bad_events) */
	uint64_t dropped_partials;      /* partials max_partials dropped */
};

struct replay;

/* NULL with a message when the image cannot run (out of memory, a
 * pattern that does not compile).  `fn` receives every result. */
struct replay *replay_new(const struct image *im,
			  const struct replay_opts *o, replay_match_fn fn,
			  void *ud, char *err, size_t errlen);
void replay_free(struct replay *e);

#define REPLAY_UNREADABLE (-1)  /* replay_feed: the input cannot be opened */
#define REPLAY_NOMEM (-2)       /* replay_feed: out of memory */

/*
 * Reads every event of `path` ("-": stdin).  Malformed records are passed
 * to `fn` (when not NULL) and skipped.  Returns the number of malformed
 * records, REPLAY_UNREADABLE when the input cannot be opened (also passed
 * to fn) or REPLAY_NOMEM.  Positions continue across inputs.
 */
long replay_feed(struct replay *e, const char *path, replay_error_fn fn,
		 void *ud);
/* The same for NDJSON (or a JSON array) held in memory; `name` names the
 * input in errors. */
long replay_feed_buffer(struct replay *e, const char *name, const char *data,
			size_t len, replay_error_fn fn, void *ud);
/* Ends the input: decides pending results, delivers samples and tails,
 * and reports the late events (RP_LATE) to `fn` when there were any.
 * 0, or -1 when the engine ran out of memory (now or before). */
int replay_finish(struct replay *e, replay_error_fn fn, void *ud);
/* Whether the engine ran out of memory (sticky). */
bool replay_oom(const struct replay *e);
/* Stops reading: the current replay_feed returns after the record it is
 * on, later ones read nothing, replay_finish delivers nothing more.  May
 * be called from a handler. */
void replay_stop(struct replay *e);

/* Why rule i cannot run (an engine limit; the rule is left out of the
 * replay), or NULL when it runs. */
const char *replay_rule_refused(const struct replay *e, uint32_t i);

void replay_stats(const struct replay *e, struct replay_stats *s);
/* How many times a stage was tried on an event: selected by its
 * category and its needed leaves (see private.h), so every stage that
 * matched, and those the selection could not rule out. */
uint64_t replay_tried(const struct replay *e);
const struct replay_rule_stats *replay_rule_stats(const struct replay *e,
						  uint32_t rule);

#endif
