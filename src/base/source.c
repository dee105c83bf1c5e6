/*
 * source.c - line tables and text-to-file offset translation.
 */
#include "base/source.h"

#include "base/encoding.h"

#include <stdlib.h>

uint32_t
text_to_source(const struct rc_text *t, uint32_t off)
{
	size_t lo = 0, hi;
	uint32_t src;

	if (!t->map)
		return t->base + off;
	if (t->nmap == 0)
		return 0;
	/* last entry with text_off <= off */
	hi = t->nmap;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->map[mid].text_off <= off)
			lo = mid;
		else
			hi = mid;
	}
	src = t->map[lo].src_off + (off - t->map[lo].text_off);
	if (lo + 1 < t->nmap && src >= t->map[lo + 1].src_off)
		src = t->map[lo + 1].src_off - 1;
	return src;
}

/*
 * Columns count characters from the start of the line, so a column costs
 * the length of the line before it.  On a long line (a rule file of one
 * line holding a list of 100,000 values) every diagnostic would pay that
 * again: the walk keeps checkpoints instead, one per CKPT bytes of the
 * file, each the first character boundary the walk of its line met at or
 * after the block start and that character's column.  They sit after the
 * line table in its allocation (nlines + 2 * nckpt words, col 0: not yet
 * met), so a column costs at most about CKPT bytes of walking.
 */
#define CKPT 4096

static size_t
nckpt(const struct rc_source *s)
{
	return s->len / CKPT + 1;
}

static int
build_lines(struct rc_source *s)
{
	size_t n = 1, i, k = 0;

	for (i = 0; i < s->len; i++)
		if (s->data[i] == '\n')
			n++;
	s->lines = calloc(n + 2 * nckpt(s), sizeof *s->lines);
	if (!s->lines)
		return -1;
	s->lines[k++] = 0;
	for (i = 0; i < s->len; i++)
		if (s->data[i] == '\n')
			s->lines[k++] = (uint32_t)(i + 1);
	s->nlines = n;
	return 0;
}

int
source_linecol(struct rc_source *s, uint32_t off, unsigned *line,
	       unsigned *col)
{
	size_t lo = 0, hi;
	unsigned c = 1;
	uint32_t i, b;

	if (!s->lines && build_lines(s) < 0)
		return -1;
	if (off > s->len)
		off = (uint32_t)s->len;
	hi = s->nlines;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->lines[mid] <= off)
			lo = mid;
		else
			hi = mid;
	}
	/* count characters: UTF-8 sequences, and each byte that is not
	 * UTF-8 (base/encoding.h); from the nearest checkpoint of this line
	 * at or before off */
	i = s->lines[lo];
	b = i / CKPT;
	if (off - i > CKPT) {
		uint32_t *ck = s->lines + s->nlines;
		size_t k = off / CKPT;

		for (;; k--) {
			if (ck[2 * k + 1] && ck[2 * k] >= i &&
			    ck[2 * k] <= off) {
				i = ck[2 * k];
				c = ck[2 * k + 1];
				break;
			}
			if (k == 0 || k * CKPT <= s->lines[lo])
				break;
		}
		b = i / CKPT;
	}
	while (i < off) {
		i += (uint32_t)utf8_char_len(s->data + i, s->len - i);
		c++;
		if (i / CKPT != b && i < s->len) {
			uint32_t *ck = s->lines + s->nlines;

			b = i / CKPT;
			if (!ck[2 * b + 1]) {
				ck[2 * b] = i;
				ck[2 * b + 1] = c;
			}
		}
	}
	*line = (unsigned)lo + 1;
	*col = c;
	return 0;
}

void
source_line(struct rc_source *s, unsigned line, const char **start,
	    size_t *len)
{
	uint32_t b, e;

	*start = "";
	*len = 0;
	if ((!s->lines && build_lines(s) < 0) || line == 0 ||
	    line > s->nlines)
		return;
	b = s->lines[line - 1];
	e = line < s->nlines ? s->lines[line] - 1 : (uint32_t)s->len;
	if (e > b && s->data[e - 1] == '\r')
		e--;
	*start = s->data + b;
	*len = e - b;
}

void
source_free_lines(struct rc_source *s)
{
	free(s->lines);
	s->lines = NULL;
	s->nlines = 0;
}
