/*
 * interp.h - the reference interpreter: evaluates one verified code block
 * of an image against one subject (an event, or a process of the process
 * table for ancestor conditions) with Elasticsearch's semantics.
 *
 * Design note.  Values are small tagged unions (struct vm_val); strings
 * are borrowed (from the event, the image, or the interpreter's scratch
 * memory, which the caller resets between events).  A field holding an
 * array is one VK_MULTI value; every test (comparison, `in`, pattern,
 * CIDR) is true when any element passes, and its negation (`!=`, `not
 * in`, `not`) is the negation of that, as a Lucene `must_not` is.  Logic
 * is two-valued: a test on a missing (null) value is false, `not` of it is
 * true, and a block matches only when it leaves `true` (see docs/run.md).
 *
 * The interpreter never allocates per instruction, except to compile a
 * pattern list on its first use (see "Pattern lists" below): patterns
 * become one pre-filter and one compiled matcher per pool entry, literal
 * sets become hash sets when the runtime is built (vm_rt_new), CIDR
 * tables stay as they are.  Each
 * instruction's operands were checked by the verifier, so dispatch does
 * no bounds checks besides the stack, whose depth the verifier computed.
 * The runtime's parts, and which file holds each, are described in
 * vm/runtime.h (private to src/vm/).
 */
#ifndef RC_VM_INTERP_H
#define RC_VM_INTERP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"
#include "vm/image.h"

enum vm_kind {
	VK_NULL, VK_BOOL, VK_LONG, VK_DOUBLE, VK_STR,
	VK_DATE,        /* milliseconds since the epoch, in i */
	VK_MULTI        /* the elements of an array field */
};

struct vm_val {
	uint8_t k;      /* enum vm_kind */
	uint8_t ver;    /* VK_STR of a version field: ordered as versions */
	union {
		bool b;
		int64_t i;
		double d;
		struct { const char *s; uint32_t n; } s;
		struct { const struct vm_val *v; uint32_t n; } m;
	} u;
};

/* What evaluation asks of the caller. */
struct vm_host {
	/* The raw value of field pool entry `f` for the current subject
	 * (VK_NULL when absent); element arrays must stay valid until the
	 * scratch memory is reset. */
	void (*field)(void *h, uint32_t f, struct vm_val *out);
	/* Whether an ancestor satisfies ancestor descriptor pool entry `d`
	 * (NULL: never). */
	bool (*ancestor)(void *h, uint32_t d);
	void *h;
	/* The subject is the current event: the results of leaf tests
	 * (a field against a constant, a set, patterns or ranges) may be
	 * remembered until vm_scratch_reset and shared by every rule. */
	bool memo;
};

struct vm_rt;

/* Prepares a loaded image for running (compiles its patterns and sets).
 * NULL with a message on failure. */
struct vm_rt *vm_rt_new(const struct image *im, char *err, size_t errlen);
void vm_rt_free(struct vm_rt *rt);
/* Why a pattern list that code block b (or an ancestor descriptor it
 * names) uses could not be compiled (an automaton past the engine's
 * limits), or NULL when all of them compiled.  The rule owning such a
 * block cannot run; vm_rt_new builds the runtime anyway, with that
 * pattern list matching nothing, so that the other rules run. */
const char *vm_block_refused(const struct vm_rt *rt,
			     const struct img_block *b);
const struct image *vm_rt_image(const struct vm_rt *rt);

/*
 * Pattern lists.  A runtime builds each list's pre-filter (pattern/
 * regex.h, struct rx_filter) when it is built, and its automaton when an
 * input first passes that filter: start-up costs what the rules' text
 * costs to read, and a list no event reaches is never compiled.  Lists
 * whose text cannot prove that they compile (Lucene, invalid UTF-8, very
 * long sets) are compiled when the runtime is built, so vm_block_refused
 * is as complete as before.  A runtime is used by one thread at a time
 * (its memos, scratch and automaton caches change as it runs): threads
 * each use their own runtime of the same image, and each compiles the
 * lists it meets; nothing is shared, so nothing is locked.
 */
struct vm_pattern_stats {
	uint64_t tests;         /* list tests of a string */
	uint64_t filtered;      /* of them, ruled out by the pre-filter */
	uint64_t matched;       /* of them, true */
	uint32_t lists;         /* pattern lists in the image */
	uint32_t eager;         /* compiled when the runtime was built */
	uint32_t compiled;      /* compiled so far (eager ones included) */
};
void vm_pattern_stats(const struct vm_rt *rt, struct vm_pattern_stats *st);
/* Whether compiling a pattern list on first use ran out of memory (its
 * tests then answered false); the caller should report it. */
bool vm_rt_oom(const struct vm_rt *rt);

/* Evaluates block b; *out is its value, valid until vm_scratch_reset. */
void vm_eval(struct vm_rt *rt, const struct img_block *b,
	     const struct vm_host *host, struct vm_val *out);
/* Whether block b leaves true. */
bool vm_test(struct vm_rt *rt, const struct img_block *b,
	     const struct vm_host *host);
/*
 * Guards: the leaf tests that block b needs true, because they head its
 * top-level `and` chain (up to `max`, written to ids).  A caller that
 * finds one false knows the block is false without running it; *resume
 * is where the block's code goes on after them.
 * vm_leaf evaluates leaf `id` (remembered for the event when host->memo).
 */
size_t vm_guards(const struct vm_rt *rt, const struct img_block *b,
		 uint32_t *ids, size_t max, uint32_t *resume);
/* Whether block b leaves true, running it from offset `at`: the `resume`
 * of vm_guards, once every guard is known to hold (at >= the block's
 * length: the guards decide, the block is true). */
bool vm_test_at(struct vm_rt *rt, const struct img_block *b, uint32_t at,
		const struct vm_host *host);
bool vm_leaf(struct vm_rt *rt, uint32_t id, const struct vm_host *host);
/* Number of leaf tests (ids are 1..count); whether leaf `id` runs a
 * pattern matcher (the costly kind). */
uint32_t vm_leaf_count(const struct vm_rt *rt);
bool vm_leaf_is_pattern(const struct vm_rt *rt, uint32_t id);
/*
 * Needed leaves: a set of leaf tests of block b one of which holds
 * whenever the block leaves true, up to `max` (at most VM_MAX_NEEDS)
 * written to ids, or 0 when none is known.  An `and` needs what one of
 * its operands needs (the one whose leaves cost least by `cost`, summed),
 * an `or` what each of its operands needs, a leaf itself; other forms
 * (`not`, functions, comparisons of values) need nothing known.  A
 * caller that finds every leaf of the set false knows the block is false
 * without running it.
 */
#define VM_MAX_NEEDS 32
size_t vm_needs(const struct vm_rt *rt, const struct img_block *b,
		double (*cost)(void *ud, uint32_t id), void *ud,
		uint32_t *ids, size_t max);
/*
 * Selection by indexes (for a caller that wants the blocks a leaf
 * guards only when the leaf holds).  An index answers, for the current
 * event's value of one field, which of its leaves hold: an equality
 * index (strings compared for equality: one lookup), or a pattern index
 * (the field's pattern lists that were added by vm_index_add: each
 * value's answer is computed once and remembered across events).
 * vm_leaf_index: the index (1..vm_index_count) that can answer leaf
 * `id`, or 0 when none can (no index, or a `not in` leaf, which holds
 * for the values the index does not hold); *share is a guess at how
 * often the leaf holds (for an equality, its part of the index's
 * distinct strings).  vm_index_add: makes a pattern index answer leaf
 * `id` (before the first event; -1 when out of memory).  vm_index_hits:
 * the leaves index x finds true for the current event (done once per
 * event and shared with vm_leaf; ids valid until vm_scratch_reset,
 * possibly repeated); false when the index cannot answer this value
 * (not all strings), and each leaf must be evaluated by vm_leaf
 * instead.  Needs host->memo.  vm_index_learn: while on, counts how often
 * the indexes find each leaf true; from then on vm_leaf_index's share
 * for a leaf of an index that answered VM_LEARN_MIN events or more is
 * that measured frequency (-1 when out of memory).
 */
#define VM_LEARN_MIN 256
int vm_index_learn(struct vm_rt *rt, bool on);
uint32_t vm_index_count(const struct vm_rt *rt);
uint32_t vm_leaf_index(const struct vm_rt *rt, uint32_t id, double *share);
int vm_index_add(struct vm_rt *rt, uint32_t id);
/* Makes the pattern indexes of dst (a runtime of the same image) answer
 * the leaves src's answer, in src's order (a runtime per thread selects
 * like the one the selection was built with); -1 when out of memory. */
int vm_index_copy(struct vm_rt *dst, const struct vm_rt *src);
bool vm_index_hits(struct vm_rt *rt, uint32_t x, const struct vm_host *host,
		   const uint32_t **ids, size_t *n);

/* Call between events: releases the strings made by functions and
 * forgets the remembered leaf tests. */
void vm_scratch_reset(struct vm_rt *rt);
/* Copies n bytes into scratch memory (NULL when out of memory). */
char *vm_scratch(struct vm_rt *rt, const char *s, size_t n);
/* n bytes of scratch memory, aligned for any value (NULL: no memory). */
void *vm_scratch_alloc(struct vm_rt *rt, size_t n);

/* A field's value as the image types it: applies the field's
 * transform and address family and turns date fields into VK_DATE. */
void vm_field_value(struct vm_rt *rt, uint32_t f, const struct vm_val *raw,
		    struct vm_val *out);

/* Dates: ISO-8601 ("2020-01-02T03:04:05.678Z", offsets, date only) or
 * epoch milliseconds written as digits.  true on success. */
bool vm_parse_date(const char *s, size_t n, int64_t *ms);
/* A number read as epoch milliseconds: false when out of range (NaN,
 * infinite, beyond int64_t). */
bool vm_double_ms(double d, int64_t *ms);
/*
 * The times rulec works with: years 0000 to 9999 of the proleptic
 * Gregorian calendar, UTC, the years of Elasticsearch's default date
 * format (strict_date_optional_time, four-digit years), in epoch
 * milliseconds.  Any difference of two such times, and any sum of one
 * with a span of at most VM_TIME_WIDTH + 1, fits in an int64_t with room
 * to spare (both are below 2^49), which is what keeps the replay's time
 * arithmetic free of overflow.
 */
#define VM_TIME_MIN (-62167219200000LL)   /* 0000-01-01T00:00:00.000Z */
#define VM_TIME_MAX 253402300799999LL     /* 9999-12-31T23:59:59.999Z */
#define VM_TIME_WIDTH (VM_TIME_MAX - VM_TIME_MIN)

static inline bool
vm_time_ok(int64_t ms)
{
	return ms >= VM_TIME_MIN && ms <= VM_TIME_MAX;
}

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" into buf (at least 32 bytes); a value
 * outside VM_TIME_MIN..VM_TIME_MAX as its decimal milliseconds. */
void vm_format_date(int64_t ms, char *buf, size_t len);
/* The value as JSON (VK_MULTI as an array, VK_DATE as an ISO string). */
void vm_val_json(const struct vm_val *v, struct strbuf *sb);
/* Equality as join keys compare: same kind and same value, exact. */
bool vm_val_same(const struct vm_val *a, const struct vm_val *b);
/* Total order for sorting keys: null first, then by kind, then value. */
int vm_val_order(const struct vm_val *a, const struct vm_val *b);

#endif
