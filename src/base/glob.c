/*
 * glob.c - glob patterns over paths (see glob.h).
 */
#include "base/glob.h"

#include <stddef.h>

/* Matches the set at p (just after its '[') against c.  Returns the
 * pattern just past the closing ']', or NULL when the set is not closed
 * (then '[' is an ordinary character); *ok says whether c is in it. */
static const char *
match_set(const char *p, char c, bool *ok)
{
	bool neg = false, in = false;
	const char *q = p;

	if (*q == '!' || *q == '^') {
		neg = true;
		q++;
	}
	/* a ']' right after the '[' (or '[!') belongs to the set */
	do {
		char lo = *q, hi;

		if (!lo)
			return NULL;
		if (lo == '\\' && q[1])
			lo = *++q;
		hi = lo;
		if (q[1] == '-' && q[2] && q[2] != ']') {
			hi = q[2];
			q += 2;
			if (hi == '\\' && q[1])
				hi = *++q;
		}
		if ((unsigned char)c >= (unsigned char)lo &&
		    (unsigned char)c <= (unsigned char)hi)
			in = true;
		q++;
	} while (*q != ']');
	*ok = c != '/' && in != neg;
	return q + 1;
}

/* p: the rest of the pattern, whose start is `pat`; s: the rest of the
 * path. */
static bool
match(const char *pat, const char *p, const char *s)
{
	for (;;) {
		switch (*p) {
		case '\0':
			return *s == '\0';
		case '*':
			if (p[1] == '*') {
				const char *q = p + 2;
				bool whole = (p == pat || p[-1] == '/') &&
					     (*q == '/' || *q == '\0');

				if (whole && *q == '/') {
					/* "**" + "/": zero or more segments */
					q++;
					if (match(pat, q, s))
						return true;
					for (; *s; s++)
						if (*s == '/' &&
						    match(pat, q, s + 1))
							return true;
					return false;
				}
				for (;; s++) {
					if (match(pat, q, s))
						return true;
					if (!*s)
						return false;
				}
			}
			p++;
			for (;; s++) {
				if (match(pat, p, s))
					return true;
				if (!*s || *s == '/')
					return false;
			}
		case '?':
			if (!*s || *s == '/')
				return false;
			p++;
			s++;
			break;
		case '[': {
			bool ok = false;
			const char *q = *s ? match_set(p + 1, *s, &ok) : NULL;

			if (q) {
				if (!ok)
					return false;
				p = q;
				s++;
				break;
			}
			if (!*s || *s != '[')
				return false;
			p++;
			s++;
			break;
		}
		case '\\':
			if (p[1])
				p++;
			/* fall through */
		default:
			if (*p != *s)
				return false;
			p++;
			s++;
			break;
		}
	}
}

bool
glob_path_match(const char *pattern, const char *path)
{
	return match(pattern, pattern, path);
}
