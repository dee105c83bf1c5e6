/*
 * text.h - small byte-string helpers shared by the catalogue readers, the
 * logic analysis and the interpreter: ASCII case folding, equality with
 * or without it, blank lines.
 *
 * Case folding here is ASCII only, as Lucene's ASCII_CASE_INSENSITIVE;
 * the wildcard matcher (vm/regex.h) has its own Unicode folding.
 */
#ifndef RC_TEXT_H
#define RC_TEXT_H

#include <stdbool.h>
#include <stddef.h>

static inline unsigned char
text_fold(unsigned char c)
{
	return c >= 'A' && c <= 'Z' ? (unsigned char)(c - 'A' + 'a') : c;
}

/* a[0..an) equals b[0..bn), folding ASCII case when ci. */
bool text_eq(const char *a, size_t an, const char *b, size_t bn, bool ci);

/* True for an empty line or one of spaces and tabs only. */
bool text_is_blank(const char *p, size_t n);

#endif
