/*
 * strbuf.c - growable byte buffer (see strbuf.h).
 */
#include "base/strbuf.h"

#include "base/encoding.h"


#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
sb_free(struct strbuf *sb)
{
	free(sb->data);
	sb->data = NULL;
	sb->len = sb->cap = 0;
	sb->oom = false;
}

/* Makes room for n more bytes plus the terminator. */
static bool
reserve(struct strbuf *sb, size_t n)
{
	size_t cap;
	char *p;

	if (sb->oom)
		return false;
	if (n < sb->cap - sb->len && sb->data)
		return true;
	if (n > SIZE_MAX / 2 - sb->len) {
		sb->oom = true;
		return false;
	}
	cap = sb->cap ? sb->cap : 64;
	while (cap - sb->len <= n)
		cap *= 2;
	p = realloc(sb->data, cap);
	if (!p) {
		sb->oom = true;
		return false;
	}
	sb->data = p;
	sb->cap = cap;
	return true;
}

void
sb_put(struct strbuf *sb, const char *s, size_t n)
{
	if (!reserve(sb, n))
		return;
	if (n)
		memcpy(sb->data + sb->len, s, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
sb_puts(struct strbuf *sb, const char *s)
{
	sb_put(sb, s, strlen(s));
}

void
sb_putc(struct strbuf *sb, char c)
{
	sb_put(sb, &c, 1);
}

void
sb_fill(struct strbuf *sb, char c, size_t n)
{
	if (!reserve(sb, n))
		return;
	memset(sb->data + sb->len, c, n);
	sb->len += n;
	sb->data[sb->len] = '\0';
}

void
sb_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || !reserve(sb, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(sb->data + sb->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb->len += (size_t)n;
}

/* C1 controls (U+0080-U+009F: U+009B is a terminal's CSI) and the
 * bidirectional formatting characters, which reorder what a terminal
 * shows, are escaped too, so that no output acts on the terminal it is
 * read on.  Returns the length of that character at s[0..n), or 0. */
static int
invisible_at(const unsigned char *s, size_t n, uint32_t *cp)
{
	int k = utf8_decode(s, n, cp);

	if (k < 2)
		return 0;
	if ((*cp >= 0x80 && *cp <= 0x9f) || *cp == 0x200e || *cp == 0x200f ||
	    (*cp >= 0x2028 && *cp <= 0x202e) ||
	    (*cp >= 0x2066 && *cp <= 0x2069))
		return k;
	return 0;
}

/* The escapes JSON and EQL strings share; they differ only in how other
 * control characters are written (\u00XX against \u{XX}).  A byte that
 * is not UTF-8 (only a rule with RC1026 errors has one) becomes U+FFFD:
 * the text must be Unicode, and a raw 0x9B is CSI to an 8-bit terminal. */
static void
escape(struct strbuf *sb, const char *s, size_t n, bool json)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i;
	uint32_t cp;
	int k;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x80 && (k = invisible_at(u + i, n - i, &cp)) > 0) {
			sb_printf(sb, json ? "\\u%04x" : "\\u{%x}",
				  (unsigned)cp);
			i += (size_t)k - 1;
			continue;
		}
		if (c >= 0x80) {
			k = utf8_decode(u + i, n - i, &cp);
			if (k <= 0) {
				sb_puts(sb, json ? "\\ufffd" : "\\u{fffd}");
			} else {
				sb_put(sb, s + i, (size_t)k);
				i += (size_t)k - 1;
			}
			continue;
		}
		switch (c) {
		case '"': sb_puts(sb, "\\\""); break;
		case '\\': sb_puts(sb, "\\\\"); break;
		case '\n': sb_puts(sb, "\\n"); break;
		case '\r': sb_puts(sb, "\\r"); break;
		case '\t': sb_puts(sb, "\\t"); break;
		case '\b': sb_puts(sb, "\\b"); break;
		case '\f': sb_puts(sb, "\\f"); break;
		default:
			if ((c < 0x20 || c == 0x7f) && json)
				sb_printf(sb, "\\u%04x", c);
			else if (c < 0x20 || c == 0x7f)
				sb_printf(sb, "\\u{%02x}", c);
			else
				sb_putc(sb, (char)c);
		}
	}
}

void
sb_json_escape(struct strbuf *sb, const char *s, size_t n)
{
	escape(sb, s, n, true);
}

void
sb_eql_escape(struct strbuf *sb, const char *s, size_t n)
{
	escape(sb, s, n, false);
}

char *
sb_take(struct strbuf *sb)
{
	char *p = sb->oom ? NULL : sb->data;

	if (sb->oom)
		free(sb->data);
	else if (!p)
		p = calloc(1, 1);
	sb->data = NULL;
	sb->len = sb->cap = 0;
	sb->oom = false;
	return p;
}
