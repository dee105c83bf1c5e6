/*
 * witness.h - events that probe each atom of a rule (witness.c), for the
 * differential check of conversions (diffcheck.c).
 *
 * Design note.  A conversion is proved by replaying the same events
 * through the original and the converted rule; random events rarely reach
 * the edges where a printer errs (case, a prefix, a missing field, the
 * last address of a range), so the events are also derived from the rule
 * itself: each stage gets a base event that satisfies the equalities of
 * its top-level `and` (and of the first alternative of each `or` there),
 * and each atom is then varied alone around its literal.  Sequences are
 * probed as a whole (join keys equal and different, at maxspan and one
 * millisecond past it, stages reversed).
 * The output is NDJSON; the same rule and seed give the same bytes.
 */
#ifndef RC_DRIVER_WITNESS_H
#define RC_DRIVER_WITNESS_H

#include <stdint.h>

#include "base/strbuf.h"
#include "sema/ir.h"

/* Appends the witness events of q to out, one JSON object a line, with
 * @timestamp increasing from *t_ms (milliseconds since the epoch; on
 * return, past the last event and past any maxspan of q) and event.id
 * "w<id_prefix>-<n>".  At most `limit` events (0: the default, 600).
 * Returns the number of events written. */
size_t witness_events(const struct ir_query *q, uint64_t seed,
		      const char *id_prefix, int64_t *t_ms, size_t limit,
		      struct strbuf *out);

#endif
