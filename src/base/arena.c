/*
 * arena.c - region allocator (see arena.h).
 */
#include "base/arena.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CHUNK_SIZE = 64 * 1024, ALIGN = sizeof(max_align_t) };

struct arena_chunk {
	struct arena_chunk *next;
	size_t size; /* usable bytes after the header */
	size_t pos;  /* first free byte */
	size_t serial; /* the arena's count of chunks when it was opened */
	max_align_t data[];
};

void *
rc_alloc(const struct rc_allocator *al, size_t n)
{
	return al ? al->alloc(al->ud, n) : malloc(n);
}

void
rc_release(const struct rc_allocator *al, void *p)
{
	if (al)
		al->release(al->ud, p);
	else
		free(p);
}

void
arena_init(struct arena *a, const struct rc_allocator *al)
{
	a->head = NULL;
	a->al = al;
	a->used = 0;
	a->chunk_size = CHUNK_SIZE;
	a->oom = false;
	a->chunks = 0;
}

void
arena_release(struct arena *a)
{
	struct arena_chunk *c = a->head;

	while (c) {
		struct arena_chunk *next = c->next;
		rc_release(a->al, c);
		c = next;
	}
	a->head = NULL;
	a->used = 0;
	a->chunks = 0;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk *c = a->head, *next;

	if (c) {
		for (next = c->next; next; next = c->next) {
			c->next = next->next;
			rc_release(a->al, next);
		}
		c->pos = 0;
	}
	a->used = 0;
	a->oom = false;
}

/* Opens a chunk of at least n usable bytes behind the head (so that a large
 * one-off request does not waste the rest of the current chunk). */
static struct arena_chunk *
new_chunk(struct arena *a, size_t n)
{
	size_t size = n > a->chunk_size ? n : a->chunk_size;
	struct arena_chunk *c;

	if (size > SIZE_MAX - sizeof *c)
		return NULL;
	c = rc_alloc(a->al, sizeof *c + size);
	if (!c)
		return NULL;
	c->size = size;
	c->pos = 0;
	c->serial = a->chunks++;
	if (a->head && size > a->chunk_size) {
		c->next = a->head->next;
		a->head->next = c;
	} else {
		c->next = a->head;
		a->head = c;
	}
	return c;
}

struct arena_mark
arena_mark(const struct arena *a)
{
	struct arena_mark m;

	m.head = a->head;
	m.pos = a->head ? a->head->pos : 0;
	m.used = a->used;
	m.chunks = a->chunks;
	return m;
}

/* Chunks are only ever added (at the head, or right behind it), so once
 * the chunks opened after the mark are unlinked the head is the mark's
 * again. */
void
arena_rollback(struct arena *a, const struct arena_mark *m)
{
	struct arena_chunk **pc = &a->head;

	while (*pc) {
		struct arena_chunk *c = *pc;

		if (c->serial >= m->chunks) {
			*pc = c->next;
			rc_release(a->al, c);
		} else {
			pc = &c->next;
		}
	}
	if (a->head)
		a->head->pos = m->pos;
	a->used = m->used;
}

void *
arena_alloc(struct arena *a, size_t n)
{
	struct arena_chunk *c = a->head;
	void *p;

	if (n == 0)
		n = 1;
	if (n > SIZE_MAX - ALIGN) {
		a->oom = true;
		return NULL;
	}
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (!c || c->size - c->pos < n) {
		c = new_chunk(a, n);
		if (!c) {
			a->oom = true;
			return NULL;
		}
	}
	p = (char *)c->data + c->pos;
	c->pos += n;
	a->used += n;
	memset(p, 0, n);
	return p;
}

char *
arena_strndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);

	if (!p)
		return NULL;
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
arena_strdup(struct arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *
arena_vprintf(struct arena *a, const char *fmt, va_list ap)
{
	va_list aq;
	int n;
	char *p;

	va_copy(aq, ap);
	n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return NULL;
	p = arena_alloc(a, (size_t)n + 1);
	if (p)
		vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}
