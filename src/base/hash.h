/*
 * hash.h - the one hash table: an open-addressing index from 32-bit hash
 * values to item numbers.
 *
 * Design note.  The table does not own keys or values.  Items live in the
 * owner's own array (usually a vec.h vector); the table maps a key's hash
 * to the item's number, and the owner compares keys itself while it walks
 * the probe sequence.  One table type thus serves every key shape (strings,
 * case-folded strings, pairs of strings, typed event values) without
 * callbacks, and growing it never needs the keys again: each slot keeps the
 * full hash beside the item number.  Linear probing over a power-of-two
 * capacity, at most 3/4 full.  Items are never removed one by one; a table
 * is cleared (hash_clear) or released whole.
 *
 * Lookup:
 *     uint32_t h = hash_str(key, n), pos, it;
 *     for (pos = hash_first(t, h); (it = hash_next(t, h, &pos)) != HASH_NONE;)
 *             if (same_key(&items[it], key, n)) return it;
 *     return hash_add(t, h, new_item_number) ... ;
 *
 * Memory: slots come from malloc and hash_free releases them; or from the
 * allocator `al` (base/arena.h) when the owner sets one before the first
 * add (for memory budgets and allocation-failure tests); or, for a table
 * that lives and dies with an arena (HASH_INIT_IN), from that arena: a
 * grown table then leaves its old slots there (at most as much again as
 * the final ones) and hash_free only forgets them.
 *
 * Out of memory: hash_add returns -1 and leaves the table as it was.
 */
#ifndef RC_HASH_H
#define RC_HASH_H

#include <stddef.h>
#include <stdint.h>

struct arena;

#define HASH_NONE UINT32_MAX

struct hash_slot {
	uint32_t hv;    /* the item's full hash */
	uint32_t item;  /* item number, HASH_NONE when the slot is free */
};

struct rc_allocator;

struct hash {
	struct hash_slot *slot;
	uint32_t mask;  /* capacity - 1; capacity 0 before the first add */
	uint32_t used;
	const struct rc_allocator *al;  /* NULL: malloc/free */
	struct arena *arena;    /* slots live in this arena; NULL: see al */
};

#define HASH_INIT { NULL, 0, 0, NULL, NULL }
#define HASH_INIT_IN(a) { NULL, 0, 0, NULL, (a) }

/* FNV-1a, 32 bits, over n bytes, continuing from h (start with
 * HASH_SEED). */
#define HASH_SEED 2166136261u
static inline uint32_t
hash_step(uint32_t h, unsigned char c)
{
	return (h ^ c) * 16777619u;
}

static inline uint32_t
hash_bytes(uint32_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	for (size_t i = 0; i < n; i++)
		h = hash_step(h, s[i]);
	return h;
}

static inline uint32_t
hash_str(const char *s, size_t n)
{
	return hash_bytes(HASH_SEED, s, n);
}

/* Mixes a 64-bit integer into a 32-bit hash (for numbers and ids). */
static inline uint32_t
hash_u64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return (uint32_t)x;
}

/* The probe sequence of hash value h starts at hash_first; hash_next
 * returns the next item whose stored hash equals h, or HASH_NONE at the
 * first free slot. */
static inline uint32_t
hash_first(const struct hash *t, uint32_t h)
{
	return h & t->mask;
}

static inline uint32_t
hash_next(const struct hash *t, uint32_t h, uint32_t *pos)
{
	if (!t->slot)
		return HASH_NONE;
	for (;;) {
		const struct hash_slot *s = &t->slot[*pos];
		*pos = (*pos + 1) & t->mask;
		if (s->item == HASH_NONE)
			return HASH_NONE;
		if (s->hv == h)
			return s->item;
	}
}

/* The capacity (slots) hash_reserve(t, n) gives an empty table: a power
 * of two, at least 16, at most 3/4 full with n items (for owners that
 * budget their memory). */
static inline uint32_t
hash_capacity(size_t n)
{
	uint32_t want = 16;

	while ((size_t)want * 3 < n * 4)
		want *= 2;
	return want;
}

/* Presizes the table for n items; 0 or -1 (out of memory). */
int hash_reserve(struct hash *t, size_t n);
/* Adds item with hash h (the caller has checked it is not there); grows
 * the table as needed.  0, or -1 on out of memory or more than 2^31
 * items. */
int hash_add(struct hash *t, uint32_t h, uint32_t item);
/* Forgets every item, keeping the memory. */
void hash_clear(struct hash *t);
void hash_free(struct hash *t);

#endif
