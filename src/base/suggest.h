/*
 * suggest.h - "did you mean" support: edit distance and a best-candidate
 * finder.
 *
 * Design note.  The distance is the optimal string alignment distance
 * (Levenshtein plus transposition of two adjacent characters, each
 * substring edited at most once), which counts the common typo "nmae" for
 * "name" as one edit.  It is computed row by row over the shorter string,
 * only inside the diagonal band |i - j| <= max, and stops as soon as a whole
 * row exceeds max: row minima never decrease, so the distance is then known
 * to be larger than max.  Callers that only want close matches therefore pay
 * little for far-off candidates.
 *
 * `struct suggest` scans candidates one at a time and keeps the first
 * closest one.  A candidate counts only if it is within the threshold for
 * the word: one edit per three characters, at least 1 and at most 3.
 * Candidates are not copied: the finder keeps the pointer it was given.
 */
#ifndef RC_SUGGEST_H
#define RC_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

/* Optimal string alignment distance between a[0..alen) and b[0..blen),
 * ASCII case-insensitive when `fold` is set.  Returns a value > max as soon
 * as the distance is known to exceed max (max + 1 in that case), otherwise
 * the exact distance.  Lengths are assumed to be below UINT_MAX.  Strings
 * whose working rows do not fit on the stack need a heap buffer; should
 * malloc fail the result is UINT_MAX ("not close"). */
unsigned suggest_distance(const char *a, size_t alen, const char *b,
			  size_t blen, bool fold, unsigned max);

/* Largest distance suggest_add accepts for a word of wlen bytes. */
unsigned suggest_threshold(size_t wlen);

struct suggest {
	const char *word;   /* the unknown word */
	size_t wlen;
	bool fold;          /* compare ASCII case-insensitively */
	const char *best;   /* closest candidate so far, or NULL */
	unsigned best_dist; /* its distance; threshold + 1 while best is NULL */
};

void suggest_init(struct suggest *sg, const char *word, size_t wlen,
		  bool fold);
/* Considers cand[0..clen); it becomes the best only if strictly closer than
 * the current best (so ties keep the earlier candidate). */
void suggest_add(struct suggest *sg, const char *cand, size_t clen);
/* The best candidate as passed to suggest_add, or NULL if none was within
 * the threshold. */
const char *suggest_best(const struct suggest *sg);

#endif
