/*
 * suggest.c - edit distance and "did you mean" candidates (see suggest.h).
 */
#include "base/suggest.h"

#include <limits.h>
#include <stdint.h>
#include <stdlib.h>

/* Row length (entries) that the stack buffer holds; longer rows use the
 * heap.  Identifiers and field names are far shorter. */
enum { STACK_ROW = 128 };

static unsigned char
fold_ascii(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

static bool
same(const char *a, size_t i, const char *b, size_t j, bool fold)
{
	unsigned char x = (unsigned char)a[i], y = (unsigned char)b[j];

	if (fold) {
		x = fold_ascii(x);
		y = fold_ascii(y);
	}
	return x == y;
}

static unsigned
min3(unsigned x, unsigned y, unsigned z)
{
	unsigned m = x < y ? x : y;

	return m < z ? m : z;
}

/* The dynamic programme proper.  d[i][j] is the distance between a[0..i)
 * and b[0..j); three rows are kept (the transposition looks two rows up).
 * Only cells with |i - j| <= m are computed: the others are at least
 * |i - j| > m and read as the sentinel m + 1, which is also the cap for
 * every stored value (so nothing overflows).  Cells right of a row's band
 * were never written since bands move right; the one cell left of it may
 * hold a value from three rows ago and is reset before use. */
static unsigned
osa(const char *a, size_t alen, const char *b, size_t blen, bool fold,
    unsigned m, unsigned *buf)
{
	unsigned *r2 = buf, *r1 = buf + blen + 1, *r0 = buf + 2 * (blen + 1);
	unsigned big = m + 1;
	size_t i, j;

	for (j = 0; j <= blen; j++) {
		r1[j] = j <= m ? (unsigned)j : big;
		r2[j] = big;
		r0[j] = big;
	}
	for (i = 1; i <= alen; i++) {
		size_t lo = i > m ? i - m : 1;
		size_t hi = i + m < blen ? i + m : blen;
		unsigned rowmin = big, *t;

		if (lo > 1)
			r0[lo - 1] = big;
		else
			r0[0] = i <= m ? (unsigned)i : big;
		if (lo == 1 && r0[0] < rowmin)
			rowmin = r0[0];
		for (j = lo; j <= hi; j++) {
			unsigned cost = same(a, i - 1, b, j - 1, fold) ? 0 : 1;
			unsigned v = min3(r1[j] + 1, r0[j - 1] + 1,
					  r1[j - 1] + cost);

			if (i > 1 && j > 1 && same(a, i - 1, b, j - 2, fold) &&
			    same(a, i - 2, b, j - 1, fold) && r2[j - 2] + 1 < v)
				v = r2[j - 2] + 1;
			if (v > big)
				v = big;
			r0[j] = v;
			if (v < rowmin)
				rowmin = v;
		}
		if (rowmin > m)
			return big;
		t = r2;
		r2 = r1;
		r1 = r0;
		r0 = t;
	}
	return r1[blen];
}

unsigned
suggest_distance(const char *a, size_t alen, const char *b, size_t blen,
		 bool fold, unsigned max)
{
	unsigned stack[3 * (STACK_ROW + 1)], *buf = stack, d;
	size_t longer, diff;
	unsigned m = max;

	/* OSA distance is symmetric: let b be the shorter, so rows are short. */
	if (blen > alen) {
		const char *t = a;
		size_t tl = alen;

		a = b;
		alen = blen;
		b = t;
		blen = tl;
	}
	longer = alen;
	diff = alen - blen;
	/* The distance never exceeds the longer length; bounding m by it
	 * (and by UINT_MAX - 2) keeps m + 2, the largest sum formed, in range. */
	if (longer < m)
		m = (unsigned)longer;
	if (m > UINT_MAX - 2)
		m = UINT_MAX - 2;
	if (diff > m)
		return m + 1;
	if (blen == 0)
		return (unsigned)alen;
	if (blen > STACK_ROW) {
		if (blen + 1 > SIZE_MAX / (3 * sizeof *buf))
			return UINT_MAX;
		buf = malloc(3 * (blen + 1) * sizeof *buf);
		if (!buf)
			return UINT_MAX;
	}
	d = osa(a, alen, b, blen, fold, m, buf);
	if (buf != stack)
		free(buf);
	return d;
}

unsigned
suggest_threshold(size_t wlen)
{
	size_t t = wlen / 3;

	return t < 1 ? 1 : t > 3 ? 3 : (unsigned)t;
}

void
suggest_init(struct suggest *sg, const char *word, size_t wlen, bool fold)
{
	sg->word = word;
	sg->wlen = wlen;
	sg->fold = fold;
	sg->best = NULL;
	sg->best_dist = suggest_threshold(wlen) + 1;
}

/* Only a candidate strictly closer than the best so far can win, so the
 * distance is asked with max = best_dist - 1, which lets far-off candidates
 * stop after a row or two (or at once on the length difference). */
void
suggest_add(struct suggest *sg, const char *cand, size_t clen)
{
	unsigned limit, d;
	size_t diff;

	if (sg->best_dist == 0)
		return;
	limit = sg->best_dist - 1;
	diff = clen > sg->wlen ? clen - sg->wlen : sg->wlen - clen;
	if (diff > limit)
		return;
	d = suggest_distance(sg->word, sg->wlen, cand, clen, sg->fold, limit);
	if (d <= limit) {
		sg->best = cand;
		sg->best_dist = d;
	}
}

const char *
suggest_best(const struct suggest *sg)
{
	return sg->best;
}
