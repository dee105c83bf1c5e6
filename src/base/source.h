/*
 * source.h - rule files in memory, texts inside them, and byte spans.
 *
 * Design note.  Every AST and IR node carries a `struct span`: a half-open
 * byte range [start, end) inside one `rc_text`.  Lines and columns are only
 * computed when a diagnostic is rendered (jq's locfile does the same), from
 * a line table that the source builds on first use.
 *
 * An `rc_text` is what a front end actually scans.  Usually it is the whole
 * file; for a query held in a JSON string it is the decoded string, and a
 * segment map translates offsets in the decoded text back into offsets in
 * the file (escapes such as `\n` or `\u00e9` make the two differ), so a
 * diagnostic about a query points into the JSON file the user edits.
 */
#ifndef RC_SOURCE_H
#define RC_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct span {
	uint32_t start, end;
};

static inline struct span
span_make(uint32_t start, uint32_t end)
{
	struct span s = { start, end };
	return s;
}

static inline struct span
span_join(struct span a, struct span b)
{
	struct span s = { a.start < b.start ? a.start : b.start,
			  a.end > b.end ? a.end : b.end };
	return s;
}

struct rc_source {
	const char *name;   /* path as given by the user */
	const char *data;   /* file contents, NUL-terminated */
	size_t len;
	uint32_t *lines;    /* start offset of each line, built lazily */
	size_t nlines;
	bool bom;           /* a UTF-8 byte order mark was removed from the
			     * front of the file (base/encoding.h) */
};

/* One point where decoded text and file offsets re-synchronise: text byte
 * `text_off` comes from file byte `src_off`, and the bytes after it map one
 * to one until the next entry. */
struct segmap_entry {
	uint32_t text_off;
	uint32_t src_off;
};

struct rc_text {
	struct rc_source *src;
	const char *data;   /* NUL-terminated */
	size_t len;
	const struct segmap_entry *map; /* NULL: text is src->data itself */
	size_t nmap;
	uint32_t base;      /* with map == NULL: file offset of text byte 0 */
};

/* File offset of text offset `off` (clamped inside a multi-byte escape). */
uint32_t text_to_source(const struct rc_text *t, uint32_t off);

/* 1-based line and column (in characters, tabs count one) of a file
 * offset.  Returns -1 when the line table cannot be allocated. */
int source_linecol(struct rc_source *s, uint32_t off, unsigned *line,
		   unsigned *col);
/* Start and length of 1-based line `line` (without the line break). */
void source_line(struct rc_source *s, unsigned line, const char **start,
		 size_t *len);
void source_free_lines(struct rc_source *s);

#endif
