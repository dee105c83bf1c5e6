/*
 * filter.c - pre-filters of a pattern set (see regex.h, struct
 * rx_filter): the byte-length bounds every match has, and the prefix and
 * suffix every match starts and ends with, read off the wildcard patterns'
 * text without building any automaton.
 *
 * Each condition is necessary for a match of the union: the length bounds
 * are the smallest minimum and the largest maximum over the patterns, the
 * prefix and suffix the longest common ones.  Soundness rests on three
 * facts of the matcher (regex.h): a literal character matches exactly its
 * UTF-8 bytes (shortest form: one encoding per code point), or under
 * RX_CI those of every code point of its simple case-folding class
 * (fold.c); `?` matches one unit, 1 to 4 bytes (an invalid byte is a unit
 * of one byte); `*` any number of units.  A case-insensitive affix keeps
 * only ASCII characters, compared ASCII-folded, and is compared only as
 * far as the input's bytes are ASCII: up to there each byte is one unit,
 * and an ASCII unit matches an ASCII character under case folding exactly
 * when their ASCII folds agree (`k` and `s` also match U+212A and U+017F,
 * but those are not ASCII bytes: at the first byte of 0x80 or above the
 * comparison stops and passes).  Lucene patterns get no filter
 * (one of them in a set makes the filter pass everything): their operators
 * would need the syntax tree, and they are rare in rules.
 */
#include <stddef.h>
#include <string.h>

#include "base/text.h"
#include "pattern/internal.h"

/* The byte lengths of c's UTF-8 encoding. */
static uint32_t
utf8_len(uint32_t c)
{
	return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/* The code points a literal c matches under ci (c first), their number. */
static size_t
variants(uint32_t c, bool ci, uint32_t *v)
{
	size_t n = 1;

	v[0] = c;
	if (ci) {
		uint32_t f = rx_fold(c), u[RX_FOLD_MAX];
		size_t k = rx_unfold(f, u, RX_FOLD_MAX), i;

		if (f != c)
			v[n++] = f;
		for (i = 0; i < k; i++)
			if (u[i] != c && u[i] != f)
				v[n++] = u[i];
	}
	return n;
}

/* Whether a literal c can stand in an affix: under ci only an ASCII
 * character (rx_filter_affix() compares ASCII input bytes only). */
static bool
affix_ok(uint32_t c, bool ci)
{
	return !ci || c < 0x80;
}

/* The filter of one wildcard pattern; false when its text is not valid
 * UTF-8 (it does not compile: no filter). */
static bool
one(const unsigned char *s, size_t len, bool ci, struct rx_filter *f)
{
	uint64_t min = 0, max = 0;
	bool star = false, open = true;    /* open: still in the prefix */
	size_t i = 0, n, tail = 0;         /* tail: bytes of the suffix */
	uint32_t c, v[RX_FOLD_MAX + 2];

	memset(f, 0, sizeof *f);
	while (i < len) {
		if (s[i] == '*' || s[i] == '?') {
			if (s[i] == '*') {
				star = true;
			} else {
				min += 1;
				max += 4;
			}
			open = false;
			tail = 0;
			i++;
			continue;
		}
		if (s[i] < 0x80) {
			c = s[i];
			n = 1;
		} else if ((c = rx_utf8_unit(s + i, len - i, &n)) == INV) {
			return false;
		}
		if (ci && c < 0x80) {
			/* short cut of the general case below: an ASCII
			 * character's variants are ASCII but for k (U+212A,
			 * 3 bytes) and s (U+017F, 2 bytes), as fold.c says */
			min += 1;
			max += (c | 0x20) == 'k' ? 3 : (c | 0x20) == 's' ? 2 : 1;
		} else if (ci) {
			size_t k = variants(c, true, v), j;
			uint32_t lo = 4, hi = 1;

			for (j = 0; j < k; j++) {
				uint32_t l = utf8_len(v[j]);
				if (l < lo)
					lo = l;
				if (l > hi)
					hi = l;
			}
			min += lo;
			max += hi;
		} else {
			min += n;
			max += n;
		}
		if (affix_ok(c, ci)) {
			if (open && f->plen + n <= RX_FILTER_AFFIX) {
				size_t k;

				for (k = 0; k < n; k++)
					f->pre[f->plen++] = (char)s[i + k];
			} else {
				open = false;
			}
			tail += n;
		} else {
			open = false;
			tail = 0;
		}
		i += n;
	}
	/* the suffix: the last `tail` bytes, at most RX_FILTER_AFFIX of
	 * them (cut at a character boundary is not needed: bytes of a
	 * necessary suffix are a necessary suffix) */
	if (tail > RX_FILTER_AFFIX)
		tail = RX_FILTER_AFFIX;
	memcpy(f->suf + RX_FILTER_AFFIX - tail, s + len - tail, tail);
	f->slen = (uint8_t)tail;
	if (ci) {
		for (i = 0; i < f->plen; i++)
			f->pre[i] = (char)text_fold((unsigned char)f->pre[i]);
		for (i = RX_FILTER_AFFIX - tail; i < RX_FILTER_AFFIX; i++)
			f->suf[i] = (char)text_fold((unsigned char)f->suf[i]);
	}
	f->minlen = min > UINT32_MAX ? UINT32_MAX : (uint32_t)min;
	f->maxlen = star || max > UINT32_MAX ? UINT32_MAX : (uint32_t)max;
	return true;
}

void
rx_filter_build(const struct rx_pattern *p, size_t n, unsigned flags,
		struct rx_filter *out)
{
	struct rx_filter f;
	bool ci = (flags & RX_CI) != 0;
	size_t i, k;

	memset(out, 0, sizeof *out);
	out->ci = ci;
	out->minlen = UINT32_MAX;       /* no pattern: nothing matches */
	for (i = 0; i < n; i++) {
		if (p[i].kind != RX_WILDCARD || (p[i].len && !p[i].s) ||
		    !one((const unsigned char *)p[i].s, p[i].len, ci, &f)) {
			memset(out, 0, sizeof *out);
			out->maxlen = UINT32_MAX;       /* passes everything */
			return;
		}
		if (i == 0) {
			out->plen = f.plen;
			out->slen = f.slen;
			memcpy(out->pre, f.pre, sizeof f.pre);
			memcpy(out->suf, f.suf, sizeof f.suf);
		}
		for (k = 0; k < out->plen && k < f.plen &&
		     out->pre[k] == f.pre[k]; k++)
			;
		out->plen = (uint8_t)k;
		for (k = 0; k < out->slen && k < f.slen &&
		     out->suf[RX_FILTER_AFFIX - 1 - k] ==
		     f.suf[RX_FILTER_AFFIX - 1 - k]; k++)
			;
		out->slen = (uint8_t)k;
		if (f.minlen < out->minlen)
			out->minlen = f.minlen;
		if (f.maxlen > out->maxlen)
			out->maxlen = f.maxlen;
	}
}

bool
rx_filter_affix(const struct rx_filter *f, const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	const char *suf = f->suf + RX_FILTER_AFFIX - f->slen;
	size_t i;

	if (!f->ci)
		return memcmp(s, f->pre, f->plen) == 0 &&
		       memcmp(s + len - f->slen, suf, f->slen) == 0;
	/* as far as the input is ASCII (see the top of the file) */
	for (i = 0; i < f->plen && u[i] < 0x80; i++)
		if ((char)text_fold(u[i]) != f->pre[i])
			return false;
	u += len;
	for (i = 1; i <= f->slen && u[-(ptrdiff_t)i] < 0x80; i++)
		if ((char)text_fold(u[-(ptrdiff_t)i]) != suf[f->slen - i])
			return false;
	return true;
}
