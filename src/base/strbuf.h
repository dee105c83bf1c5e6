/*
 * strbuf.h - growable byte buffer for building output text.
 *
 * A strbuf owns heap memory (not an arena: printed text usually outlives the
 * compilation).  Appends never fail silently: on allocation failure the
 * buffer sets `oom`, keeps what it had and ignores further appends, so a
 * caller checks once at the end.  `data` is always NUL-terminated when
 * non-NULL.
 */
#ifndef RC_STRBUF_H
#define RC_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *data;
	size_t len, cap;
	bool oom;
};

#define STRBUF_INIT { NULL, 0, 0, false }

void sb_free(struct strbuf *sb);
void sb_put(struct strbuf *sb, const char *s, size_t n);
void sb_puts(struct strbuf *sb, const char *s);
void sb_putc(struct strbuf *sb, char c);
void sb_printf(struct strbuf *sb, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Appends n copies of c. */
void sb_fill(struct strbuf *sb, char c, size_t n);
/* Appends s[0..n) as the body of a JSON string (no surrounding quotes). */
void sb_json_escape(struct strbuf *sb, const char *s, size_t n);
/* Appends s[0..n) as the body of an EQL double-quoted string. */
void sb_eql_escape(struct strbuf *sb, const char *s, size_t n);
/* Hands the text over to the caller (malloc'd; NULL on oom) and resets. */
char *sb_take(struct strbuf *sb);

#endif
