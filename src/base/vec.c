/*
 * vec.c - the one growable array (see vec.h).
 */
#include "base/vec.h"

#include "base/arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The room for at least `need` elements: cap doubled (from 8) as often as
 * it takes; 0 when that many bytes cannot be counted. */
static size_t
room(size_t cap, size_t need, size_t size)
{
	size_t n = cap ? cap : 8;

	while (n < need) {
		if (n > SIZE_MAX / 2)
			return 0;
		n *= 2;
	}
	return n > SIZE_MAX / size ? 0 : n;
}

int
vec_grow_(void **p, size_t *cap, size_t need, size_t size)
{
	size_t n = room(*cap, need, size);
	void *q;

	if (!n)
		return -1;
	q = realloc(*p, n * size);
	if (!q)
		return -1;
	*p = q;
	*cap = n;
	return 0;
}

int
vec_grow_in_(struct arena *ar, void **p, size_t n, size_t *cap, size_t need,
	     size_t size)
{
	size_t c = room(*cap, need, size);
	void *q;

	if (!c) {
		ar->oom = true;
		return -1;
	}
	q = arena_alloc(ar, c * size);
	if (!q)
		return -1;
	if (n)
		memcpy(q, *p, n * size);
	*p = q;
	*cap = c;
	return 0;
}

int
vec_grow_with_(const struct rc_allocator *al, void **p, size_t *cap,
	       size_t n, size_t need, size_t size)
{
	size_t c = room(*cap, need, size);
	void *q;

	if (!al)
		return vec_grow_(p, cap, need, size);
	if (!c)
		return -1;
	q = rc_alloc(al, c * size);
	if (!q)
		return -1;
	if (n)
		memcpy(q, *p, n * size);
	if (*p)
		rc_release(al, *p);
	*p = q;
	*cap = c;
	return 0;
}

void
vec_release_with_(const struct rc_allocator *al, void *p)
{
	if (p)
		rc_release(al, p);
}
