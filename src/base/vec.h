/*
 * vec.h - the one growable array.
 *
 * Design note.  A vector is any struct with three members `v` (the
 * elements), `n` (how many) and `cap` (room), declared with VEC(T) or
 * written out; the macros below work on a pointer to it.  Growth doubles
 * the room (at least 8), so n pushes cost O(n).  Elements move when the
 * array grows: keep indices, not pointers, across a push.  Memory comes from
 * malloc; vec_free releases it.  Out of memory: vec_push and vec_reserve
 * return -1 and leave the vector as it was, so callers report it (usually
 * through a sticky flag) instead of aborting.
 *
 *     VEC(struct item) items = VEC_INIT;
 *     if (vec_push(&items, it) < 0) goto nomem;
 *     for (size_t i = 0; i < items.n; i++) use(&items.v[i]);
 *     vec_free(&items);
 *
 * A vector that lives and dies with an arena (a catalogue, a schema model)
 * grows inside it instead: vec_reserve_in / vec_push_in / vec_add_in take
 * the arena, leave the old array there (so the room used is at most twice
 * the final one) and set the arena's oom flag on failure.  Such a vector is
 * never passed to vec_free or to the malloc forms.  A vector whose memory
 * must come from a caller's allocator (base/arena.h's rc_allocator, for
 * allocation-failure tests) uses vec_reserve_with / vec_push_with /
 * vec_free_with.
 */
#ifndef RC_VEC_H
#define RC_VEC_H

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

struct arena;

#define VEC(T) struct { T *v; size_t n, cap; }
#define VEC_INIT { NULL, 0, 0 }

/* Makes room for at least `need` elements of `size` bytes in *p (whose
 * room is *cap); 0 or -1. */
int vec_grow_(void **p, size_t *cap, size_t need, size_t size);

#define vec_reserve(a, need) \
	((need) <= (a)->cap ? 0 : \
	 vec_grow_((void **)&(a)->v, &(a)->cap, (need), sizeof *(a)->v))
/* Appends x; 0 or -1. */
#define vec_push(a, x) \
	(vec_reserve((a), (a)->n + 1) < 0 ? -1 : ((a)->v[(a)->n++] = (x), 0))
/* Appends one zeroed element and returns a pointer to it, or NULL. */
#define vec_add(a) \
	(vec_reserve((a), (a)->n + 1) < 0 ? NULL : \
	 (memset(&(a)->v[(a)->n], 0, sizeof *(a)->v), &(a)->v[(a)->n++]))
#define vec_free(a) \
	do { free((a)->v); (a)->v = NULL; (a)->n = (a)->cap = 0; } while (0)

/* The same growth in arena ar; the first n elements are copied. */
int vec_grow_in_(struct arena *ar, void **p, size_t n, size_t *cap,
		 size_t need, size_t size);

#define vec_reserve_in(a, ar, need) \
	((need) <= (a)->cap ? 0 : \
	 vec_grow_in_((ar), (void **)&(a)->v, (a)->n, &(a)->cap, (need), \
		      sizeof *(a)->v))
#define vec_push_in(a, ar, x) \
	(vec_reserve_in((a), (ar), (a)->n + 1) < 0 ? -1 : \
	 ((a)->v[(a)->n++] = (x), 0))
#define vec_add_in(a, ar) \
	(vec_reserve_in((a), (ar), (a)->n + 1) < 0 ? NULL : \
	 (memset(&(a)->v[(a)->n], 0, sizeof *(a)->v), &(a)->v[(a)->n++]))

/* The same through an allocator (base/arena.h; NULL: malloc and free), for
 * memory that must come from a caller's allocator: growing allocates the
 * new room, copies the n elements in use and releases the old block. */
struct rc_allocator;
int vec_grow_with_(const struct rc_allocator *al, void **p, size_t *cap,
		   size_t n, size_t need, size_t size);
void vec_release_with_(const struct rc_allocator *al, void *p);

#define vec_reserve_with(al, a, need) \
	((need) <= (a)->cap ? 0 : \
	 vec_grow_with_((al), (void **)&(a)->v, &(a)->cap, (a)->n, (need), \
			sizeof *(a)->v))
#define vec_push_with(al, a, x) \
	(vec_reserve_with((al), (a), (a)->n + 1) < 0 ? -1 : \
	 ((a)->v[(a)->n++] = (x), 0))
#define vec_free_with(al, a) \
	do { vec_release_with_((al), (a)->v); (a)->v = NULL; \
	     (a)->n = (a)->cap = 0; } while (0)

#endif
