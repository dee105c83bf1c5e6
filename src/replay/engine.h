/*
 * engine.h - replays events through every rule of an image: event
 * queries, sequences (join keys, maxspan, until, runs, missing stages),
 * samples, head/tail pipes, and the ESET process table.  Matches are
 * written as JSON lines.  See engine.c for the design.
 */
#ifndef RC_VM_ENGINE_H
#define RC_VM_ENGINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "vm/image.h"

struct vm_run_opts {
	const char *id_field;           /* default event.id */
	const char *category_field;     /* default event.category */
	const char *timestamp_field;    /* default @timestamp */
	const char *tiebreaker_field;   /* NULL: none */
	int64_t size;                   /* results per rule, -1: all */
	int64_t max_samples_per_key;    /* default 1 */
	int64_t reorder_ms;             /* lateness allowed, default 10 s */
};

void vm_run_opts_init(struct vm_run_opts *o);

struct vm_rule_stats {
	uint64_t hits;          /* events that passed a stage condition */
	uint64_t results;       /* results written */
};

struct vm_engine_stats {
	uint64_t events, bad_events, bytes, late_events, no_timestamp;
	uint64_t results;
};

struct vm_engine;

/* NULL with a message when the image cannot run (out of memory, a
 * pattern that does not compile). */
struct vm_engine *vm_engine_new(const struct image *im,
				const struct vm_run_opts *o, FILE *out,
				char *err, size_t errlen);
void vm_engine_free(struct vm_engine *e);

/*
 * Reads every event of `path` ("-": stdin).  Malformed records are
 * reported on `diag` as "path:line: error: ..." and skipped.  Returns the
 * number of malformed records, or -1 when the input cannot be opened (the
 * message is written to diag).  Positions continue across inputs.
 */
long vm_engine_feed(struct vm_engine *e, const char *path, FILE *diag);
/* Ends the input: decides pending results, writes samples and tails. */
void vm_engine_finish(struct vm_engine *e);

void vm_engine_stats(const struct vm_engine *e, struct vm_engine_stats *s);
const struct vm_rule_stats *vm_engine_rule_stats(const struct vm_engine *e,
						 uint32_t rule);

#endif
