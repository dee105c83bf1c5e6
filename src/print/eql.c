/*
 * eql.c - EQL conditions printed from their source text (see print.h for
 * why the source and not the IR).
 */
#include "print/print.h"

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* The end of the string token that starts at d[i] (a "..." string with
 * escapes or a """...""" raw string), at most end.  Strings are copied as
 * they are: a `//` in "http://..." is no comment. */
static size_t
string_end(const char *d, size_t i, size_t end)
{
	if (i + 2 < end && d[i + 1] == '"' && d[i + 2] == '"') {
		/* a raw string, up to the next """ */
		for (i += 3; i < end && !(d[i] == '"' && i + 2 < end &&
					  d[i + 1] == '"' && d[i + 2] == '"');
		     i++)
			;
		return i + 3 < end ? i + 3 : end;
	}
	for (i++; i < end && d[i] != '"'; i++)
		if (d[i] == '\\')
			i++;
	return i + 1 < end ? i + 1 : end;
}

/* The end of the comment that starts at d[i], or i when none does
 * (block comments nest, as in Elasticsearch). */
static size_t
comment_end(const char *d, size_t i, size_t end)
{
	unsigned depth = 1;

	if (d[i] != '/' || i + 1 >= end)
		return i;
	if (d[i + 1] == '/') {
		while (i < end && d[i] != '\n')
			i++;
		return i;
	}
	if (d[i + 1] != '*')
		return i;
	for (i += 2; i < end && depth; i++) {
		if (d[i] == '/' && i + 1 < end && d[i + 1] == '*')
			depth++, i++;
		else if (d[i] == '*' && i + 1 < end && d[i + 1] == '/')
			depth--, i++;
	}
	return i;
}

void
print_eql_span(struct strbuf *sb, const struct rc_text *t, struct span sp,
	       size_t max)
{
	const char *d = t->data;
	size_t i = sp.start, end = sp.end < t->len ? sp.end : t->len, n = 0;
	bool gap = false;

	while (i < end) {
		size_t from = i, skip;

		if (blank(d[i])) {
			gap = n > 0;
			i++;
			continue;
		}
		if ((skip = comment_end(d, i, end)) != i) {
			gap = n > 0;
			i = skip;
			continue;
		}
		i = d[i] == '"' ? string_end(d, i, end) : i + 1;
		if (n + (i - from) > max) {
			/* as much of this token as fits, on a character
			 * boundary */
			size_t k = n < max ? max - n : 0;
			while (k > 0 &&
			       ((unsigned char)d[from + k] & 0xc0) == 0x80)
				k--;
			if (gap)
				sb_putc(sb, ' ');
			sb_put(sb, d + from, k);
			sb_puts(sb, "...");
			return;
		}
		if (gap)
			sb_putc(sb, ' '), n++;
		gap = false;
		sb_put(sb, d + from, i - from);
		n += i - from;
	}
}
