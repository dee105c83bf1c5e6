/*
 * text.c - byte-string helpers (see text.h).
 */
#include "base/text.h"

#include <string.h>

bool
text_eq(const char *a, size_t an, const char *b, size_t bn, bool ci)
{
	size_t i;

	if (an != bn)
		return false;
	if (!ci)
		return memcmp(a, b, an) == 0;
	for (i = 0; i < an; i++)
		if (text_fold((unsigned char)a[i]) !=
		    text_fold((unsigned char)b[i]))
			return false;
	return true;
}

bool
text_is_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i] != ' ' && p[i] != '\t')
			return false;
	return true;
}
