/*
 * hash.c - the one hash table (see hash.h).
 */
#include "base/hash.h"

#include "base/arena.h"

#include <stdlib.h>
#include <string.h>

/* Rebuilds the table with capacity cap (a power of two). */
static int
rehash(struct hash *t, uint32_t cap)
{
	size_t size = (size_t)cap * sizeof(struct hash_slot);
	struct hash_slot *s = t->arena ? arena_alloc(t->arena, size)
				       : rc_alloc(t->al, size);
	struct hash_slot *old = t->slot;
	uint32_t i, oldcap = t->slot ? t->mask + 1 : 0;

	if (!s)
		return -1;
	memset(s, 0xff, size);
	for (i = 0; i < oldcap; i++) {
		uint32_t pos;
		if (old[i].item == HASH_NONE)
			continue;
		for (pos = old[i].hv & (cap - 1); s[pos].item != HASH_NONE;
		     pos = (pos + 1) & (cap - 1))
			;
		s[pos] = old[i];
	}
	if (old && !t->arena)
		rc_release(t->al, old);
	t->slot = s;
	t->mask = cap - 1;
	return 0;
}

int
hash_reserve(struct hash *t, size_t n)
{
	uint32_t cap = t->slot ? t->mask + 1 : 0, want;

	if (n > (UINT32_C(1) << 30))
		return -1;
	want = hash_capacity(n);
	return want > cap ? rehash(t, want) : 0;
}

int
hash_add(struct hash *t, uint32_t h, uint32_t item)
{
	uint32_t pos;

	if (item == HASH_NONE)
		return -1;
	if (!t->slot || (uint64_t)(t->used + 1) * 4 > (uint64_t)(t->mask + 1) * 3)
		if (hash_reserve(t, (size_t)t->used + 1 > 8 ?
				    ((size_t)t->used + 1) * 2 : 16) < 0)
			return -1;
	for (pos = h & t->mask; t->slot[pos].item != HASH_NONE;
	     pos = (pos + 1) & t->mask)
		;
	t->slot[pos].hv = h;
	t->slot[pos].item = item;
	t->used++;
	return 0;
}

void
hash_clear(struct hash *t)
{
	if (t->slot)
		memset(t->slot, 0xff, ((size_t)t->mask + 1) * sizeof *t->slot);
	t->used = 0;
}

void
hash_free(struct hash *t)
{
	if (t->slot && !t->arena)
		rc_release(t->al, t->slot);
	t->slot = NULL;
	t->mask = 0;
	t->used = 0;
}
