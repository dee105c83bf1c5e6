/*
 * test_base.c - the one hash table (base/hash.h) and the one growable
 * array (base/vec.h), with malloc and inside an arena; arena_reset; glob
 * patterns over paths (base/glob.h).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/glob.h"
#include "base/hash.h"
#include "base/vec.h"

/* ---- helpers ---------------------------------------------------------- */

/* Keys of the hash tests: decimal strings, kept in a vector the way a
 * table's owner keeps its items. */
struct item {
	char key[16];
	size_t len;
	int value;
};

typedef VEC(struct item) item_vec;

static void
set_key(struct item *it, unsigned i)
{
	int n = snprintf(it->key, sizeof it->key, "k%u", i);

	assert_true(n > 0);
	it->len = (size_t)n;
}

/* The walk of hash.h's design note: the item whose key is key[0..n), or
 * HASH_NONE.  `hv` is the hash to probe with (tests force collisions). */
static uint32_t
find_item(const struct hash *t, const item_vec *items, uint32_t hv,
	  const char *key, size_t n)
{
	uint32_t pos, it;

	for (pos = hash_first(t, hv); (it = hash_next(t, hv, &pos)) !=
	     HASH_NONE;) {
		assert_true(it < items->n);
		if (items->v[it].len == n && memcmp(items->v[it].key, key, n) == 0)
			return it;
	}
	return HASH_NONE;
}

/* Adds key number i with value v (the key must be absent); hv as above. */
static uint32_t
add_item(struct hash *t, item_vec *items, uint32_t hv, unsigned i, int v)
{
	struct item *it = vec_add(items);
	uint32_t num = (uint32_t)(items->n - 1);

	assert_non_null(it);
	set_key(it, i);
	it->value = v;
	assert_int_equal(hash_add(t, hv, num), 0);
	return num;
}

static uint32_t
hv_of(unsigned i)
{
	char k[16];
	int n = snprintf(k, sizeof k, "k%u", i);

	return hash_str(k, (size_t)n);
}

/* An allocator that counts its calls and the blocks it holds, and fails
 * once its budget of allocations is spent. */
struct budget {
	size_t left;    /* SIZE_MAX: no limit */
	size_t allocs, live;
};

static void *
budget_alloc(void *ud, size_t n)
{
	struct budget *b = ud;

	b->allocs++;
	if (!b->left)
		return NULL;
	if (b->left != SIZE_MAX)
		b->left--;
	b->live++;
	return malloc(n);
}

static void
budget_release(void *ud, void *p)
{
	struct budget *b = ud;

	b->live--;
	free(p);
}

/* ---- hash.h ----------------------------------------------------------- */

/* FNV-1a 32 reference values, and the step/bytes/str forms agree. */
static void
test_hash_fnv(void **state)
{
	(void)state;
	assert_int_equal(hash_str("", 0), 0x811c9dc5u);
	assert_int_equal(hash_str("a", 1), 0xe40c292cu);
	assert_int_equal(hash_str("foobar", 6), 0xbf9cf968u);
	assert_int_equal(hash_bytes(hash_str("foo", 3), "bar", 3),
			 hash_str("foobar", 6));
	assert_int_equal(hash_step(hash_step(HASH_SEED, 'f'), 'o'),
			 hash_str("fo", 2));
	/* the length counts, not a NUL */
	assert_int_not_equal(hash_str("ab", 2), hash_str("ab\0", 3));
	assert_int_not_equal(hash_u64(1), hash_u64(2));
	assert_int_not_equal(hash_u64(0x100000000ULL), hash_u64(0));
}

/* Added keys are found with their own item number; absent ones are not,
 * including on an empty table that has no slots yet. */
static void
test_hash_add_lookup(void **state)
{
	struct hash t = HASH_INIT;
	item_vec items = VEC_INIT;
	unsigned i;

	(void)state;
	assert_int_equal(find_item(&t, &items, hv_of(1), "k1", 2), HASH_NONE);
	for (i = 0; i < 10; i++)
		add_item(&t, &items, hv_of(i), i, (int)i * 7);
	assert_int_equal(t.used, 10);
	for (i = 0; i < 10; i++) {
		struct item probe;
		uint32_t it;

		set_key(&probe, i);
		it = find_item(&t, &items, hv_of(i), probe.key, probe.len);
		assert_int_equal(it, i);
		assert_int_equal(items.v[it].value, (int)i * 7);
	}
	for (i = 10; i < 20; i++) {
		struct item probe;

		set_key(&probe, i);
		assert_int_equal(find_item(&t, &items, hv_of(i), probe.key,
					   probe.len), HASH_NONE);
	}
	/* HASH_NONE is not an item number */
	assert_int_equal(hash_add(&t, 5, HASH_NONE), -1);
	assert_int_equal(t.used, 10);
	hash_free(&t);
	assert_null(t.slot);
	assert_int_equal(t.used, 0);
	vec_free(&items);
}

/* Items with equal hashes are all walked, each once (in no promised
 * order); the caller's key comparison tells them apart. */
static void
test_hash_collisions(void **state)
{
	struct hash t = HASH_INIT;
	item_vec items = VEC_INIT;
	uint32_t pos, it, seen = 0;
	const uint32_t other = 42u | 0x100000u; /* same slot, other hash */
	bool met[41] = { false };
	unsigned i;

	(void)state;
	for (i = 0; i < 40; i++)
		add_item(&t, &items, 42, i, (int)i);
	add_item(&t, &items, other, 1000, 1000);
	for (pos = hash_first(&t, 42); (it = hash_next(&t, 42, &pos)) !=
	     HASH_NONE;) {
		assert_true(it < 40);
		assert_false(met[it]);
		met[it] = true;
		seen++;
	}
	assert_int_equal(seen, 40);
	for (i = 0; i < 40; i++) {
		struct item probe;

		set_key(&probe, i);
		assert_int_equal(find_item(&t, &items, 42, probe.key,
					   probe.len), i);
	}
	assert_int_equal(find_item(&t, &items, other, "k1000", 5), 40);
	assert_int_equal(find_item(&t, &items, 42, "k1000", 5), HASH_NONE);
	assert_int_equal(find_item(&t, &items, 43, "k1", 2), HASH_NONE);
	hash_free(&t);
	vec_free(&items);
}

/* Growing through many rehashes keeps every item findable, and the table
 * stays at most three quarters full. */
static void
test_hash_growth(void **state)
{
	enum { N = 100000 };
	struct hash t = HASH_INIT;
	item_vec items = VEC_INIT;
	unsigned i;

	(void)state;
	for (i = 0; i < N; i++) {
		add_item(&t, &items, hv_of(i), i, (int)i);
		assert_true((uint64_t)t.used * 4 <= (uint64_t)(t.mask + 1) * 3);
	}
	assert_int_equal(t.used, N);
	assert_true(t.mask + 1 >= N);
	assert_int_equal((t.mask + 1) & t.mask, 0);  /* a power of two */
	for (i = 0; i < N; i++) {
		struct item probe;

		set_key(&probe, i);
		assert_int_equal(find_item(&t, &items, hv_of(i), probe.key,
					   probe.len), i);
	}
	assert_int_equal(find_item(&t, &items, hv_of(N), "k100000", 7),
			 HASH_NONE);
	hash_free(&t);
	vec_free(&items);
}

/* Clearing forgets every item but keeps the slots; the table can be
 * filled again. */
static void
test_hash_clear(void **state)
{
	struct hash t = HASH_INIT;
	item_vec items = VEC_INIT;
	struct hash_slot *slots;
	uint32_t mask;
	unsigned i;

	(void)state;
	hash_clear(&t);                 /* harmless before the first add */
	for (i = 0; i < 100; i++)
		add_item(&t, &items, hv_of(i), i, 0);
	slots = t.slot;
	mask = t.mask;
	hash_clear(&t);
	assert_int_equal(t.used, 0);
	assert_ptr_equal(t.slot, slots);
	assert_int_equal(t.mask, mask);
	for (i = 0; i < 100; i++)
		assert_int_equal(find_item(&t, &items, hv_of(i),
					   items.v[i].key, items.v[i].len),
				 HASH_NONE);
	/* refill with the same items under new numbers */
	items.n = 0;
	for (i = 0; i < 50; i++)
		add_item(&t, &items, hv_of(i + 100), i + 100, 0);
	for (i = 0; i < 50; i++)
		assert_int_equal(find_item(&t, &items, hv_of(i + 100),
					   items.v[i].key, items.v[i].len), i);
	assert_int_equal(find_item(&t, &items, hv_of(0), "k0", 2), HASH_NONE);
	hash_free(&t);
	vec_free(&items);
}

/* After hash_reserve(n), n adds never move the slots; reserving less
 * than there is room for changes nothing. */
static void
test_hash_reserve(void **state)
{
	struct hash t = HASH_INIT;
	item_vec items = VEC_INIT;
	struct hash_slot *slots;
	unsigned i;

	(void)state;
	assert_int_equal(hash_reserve(&t, 1000), 0);
	assert_true((uint64_t)(t.mask + 1) * 3 >= 1000 * 4);
	slots = t.slot;
	assert_non_null(slots);
	for (i = 0; i < 1000; i++)
		add_item(&t, &items, hv_of(i), i, 0);
	assert_ptr_equal(t.slot, slots);
	assert_int_equal(hash_reserve(&t, 10), 0);
	assert_ptr_equal(t.slot, slots);
	for (i = 0; i < 1000; i++)
		assert_int_equal(find_item(&t, &items, hv_of(i),
					   items.v[i].key, items.v[i].len), i);
	/* more than 2^30 items is refused */
	assert_int_equal(hash_reserve(&t, (size_t)1 << 31), -1);
	assert_ptr_equal(t.slot, slots);
	hash_free(&t);
	vec_free(&items);
}

/* A table in an arena grows there; hash_free only forgets the slots (a
 * free() of arena memory would be caught by the sanitizers). */
static void
test_hash_in_arena(void **state)
{
	struct arena a;
	struct hash t;
	item_vec items = VEC_INIT;
	size_t before;
	unsigned i;

	(void)state;
	arena_init(&a, NULL);
	t = (struct hash)HASH_INIT_IN(&a);
	before = a.used;
	for (i = 0; i < 5000; i++)
		add_item(&t, &items, hv_of(i), i, 0);
	assert_true(a.used - before >= (size_t)(t.mask + 1) *
		    sizeof(struct hash_slot));
	for (i = 0; i < 5000; i++)
		assert_int_equal(find_item(&t, &items, hv_of(i),
					   items.v[i].key, items.v[i].len), i);
	hash_free(&t);
	assert_null(t.slot);
	assert_ptr_equal(t.arena, &a);
	add_item(&t, &items, hv_of(9999), 9999, 0);  /* usable again */
	assert_int_equal(t.used, 1);
	arena_release(&a);
	vec_free(&items);
}

/* Out of memory while growing: -1, the arena's flag set, and the table
 * exactly as it was. */
static void
test_hash_oom(void **state)
{
	struct budget b = { 0, 0, 0 };
	struct rc_allocator al = { budget_alloc, budget_release, &b };
	struct arena a;
	struct hash t;
	item_vec items = VEC_INIT;
	uint32_t used;
	unsigned i;

	(void)state;
	arena_init(&a, &al);
	a.chunk_size = 64;  /* every table needs a chunk of its own */
	b.left = 1;
	t = (struct hash)HASH_INIT_IN(&a);
	for (i = 0;; i++) {
		struct item *it = vec_add(&items);

		assert_non_null(it);
		set_key(it, i);
		if (hash_add(&t, hv_of(i), (uint32_t)i) < 0)
			break;
	}
	items.n--;
	used = t.used;
	assert_int_equal(used, i);
	assert_true(used > 0);
	assert_true(a.oom);
	for (i = 0; i < used; i++)
		assert_int_equal(find_item(&t, &items, hv_of(i),
					   items.v[i].key, items.v[i].len), i);
	assert_int_equal(find_item(&t, &items, hv_of(used), "x", 1),
			 HASH_NONE);
	arena_release(&a);
	vec_free(&items);
}

/* ---- vec.h ------------------------------------------------------------ */

/* Pushes keep order; the room doubles from 8 and always holds n. */
static void
test_vec_push_growth(void **state)
{
	VEC(int) v = VEC_INIT;
	size_t i, grows = 0, cap = 0;

	(void)state;
	for (i = 0; i < 10000; i++) {
		assert_int_equal(vec_push(&v, (int)i * 3), 0);
		assert_int_equal(v.n, i + 1);
		assert_true(v.cap >= v.n);
		if (v.cap != cap) {
			assert_true(cap == 0 ? v.cap == 8 : v.cap == cap * 2);
			cap = v.cap;
			grows++;
		}
	}
	assert_int_equal(grows, 12);  /* 8, 16, ..., 16384 */
	for (i = 0; i < 10000; i++)
		assert_int_equal(v.v[i], (int)i * 3);
	vec_free(&v);
	assert_null(v.v);
	assert_int_equal(v.n, 0);
	assert_int_equal(v.cap, 0);
	/* a freed vector is empty and usable */
	assert_int_equal(vec_push(&v, 7), 0);
	assert_int_equal(v.v[0], 7);
	vec_free(&v);
}

/* vec_add appends a zeroed element and returns it. */
static void
test_vec_add(void **state)
{
	struct rec { int a; char s[24]; double d; };
	VEC(struct rec) v = VEC_INIT;
	struct rec *r;
	size_t i;

	(void)state;
	for (i = 0; i < 100; i++) {
		r = vec_add(&v);
		assert_non_null(r);
		assert_ptr_equal(r, &v.v[i]);
		assert_int_equal(r->a, 0);
		assert_int_equal(r->s[0], 0);
		assert_int_equal(r->s[23], 0);
		r->a = (int)i;
		memset(r->s, 'x', sizeof r->s);
	}
	assert_int_equal(v.n, 100);
	for (i = 0; i < 100; i++)
		assert_int_equal(v.v[i].a, (int)i);
	vec_free(&v);
}

/* Reserving makes room without changing n; pushes within the room keep
 * the array where it is; impossible sizes fail and change nothing. */
static void
test_vec_reserve(void **state)
{
	VEC(long) v = VEC_INIT;
	long *p;
	size_t i;

	(void)state;
	assert_int_equal(vec_reserve(&v, 0), 0);
	assert_null(v.v);
	assert_int_equal(vec_reserve(&v, 1000), 0);
	assert_int_equal(v.n, 0);
	assert_int_equal(v.cap, 1024);
	p = v.v;
	for (i = 0; i < 1000; i++)
		assert_int_equal(vec_push(&v, (long)i), 0);
	assert_ptr_equal(v.v, p);
	assert_int_equal(vec_reserve(&v, 10), 0);
	assert_int_equal(v.cap, 1024);
	assert_int_equal(vec_reserve(&v, SIZE_MAX / 2), -1);
	assert_ptr_equal(v.v, p);
	assert_int_equal(v.n, 1000);
	assert_int_equal(v.cap, 1024);
	assert_int_equal(v.v[999], 999);
	vec_free(&v);
}

/* In an arena: the elements are copied on growth, the old array stays,
 * and running out of memory leaves the vector as it was with the arena's
 * flag set. */
static void
test_vec_in_arena(void **state)
{
	struct budget b = { SIZE_MAX, 0, 0 };
	struct rc_allocator al = { budget_alloc, budget_release, &b };
	struct arena a;
	VEC(unsigned) v = VEC_INIT;
	unsigned *old;
	size_t i, n, cap;

	(void)state;
	arena_init(&a, &al);
	a.chunk_size = 64;
	for (i = 0; i < 500; i++)
		assert_int_equal(vec_push_in(&v, &a, (unsigned)i * 5), 0);
	for (i = 0; i < 500; i++)
		assert_int_equal(v.v[i], (unsigned)i * 5);
	assert_int_equal(v.cap, 512);
	old = v.v;
	assert_non_null(vec_add_in(&v, &a));
	assert_int_equal(v.n, 501);
	assert_int_equal(v.cap, 512);
	assert_int_equal(v.v[500], 0);
	assert_ptr_equal(v.v, old);
	assert_false(a.oom);
	/* no memory left: the push past the room fails cleanly */
	b.left = 0;
	n = v.n;
	cap = v.cap;
	while (v.n < v.cap)
		assert_int_equal(vec_push_in(&v, &a, 1u), 0);
	assert_false(a.oom);
	assert_int_equal(vec_push_in(&v, &a, 2u), -1);
	assert_null(vec_add_in(&v, &a));
	assert_true(a.oom);
	assert_ptr_equal(v.v, old);
	assert_int_equal(v.cap, cap);
	assert_int_equal(v.n, cap);
	assert_true(n < cap);
	assert_int_equal(v.v[499], 499 * 5);
	arena_release(&a);
}

/* ---- arena.h: arena_reset ---------------------------------------------- */

/* Reset keeps one chunk and frees the others; what fits in that chunk
 * needs no new allocation; the arena works on as before. */
static void
test_arena_reset(void **state)
{
	struct budget c = { SIZE_MAX, 0, 0 };
	struct rc_allocator al = { budget_alloc, budget_release, &c };
	struct arena a;
	size_t i, before;
	char *p;

	(void)state;
	arena_init(&a, &al);
	arena_reset(&a);                /* harmless when empty */
	assert_int_equal(c.allocs, 0);
	a.chunk_size = 256;
	for (i = 0; i < 40; i++)
		assert_non_null(arena_alloc(&a, 100));
	assert_non_null(arena_alloc(&a, 5000));  /* a chunk of its own */
	assert_true(c.live > 10);
	arena_reset(&a);
	assert_int_equal(c.live, 1);
	assert_int_equal(a.used, 0);
	before = c.allocs;
	p = arena_alloc(&a, 200);
	assert_non_null(p);
	memset(p, 'x', 200);
	assert_int_equal(c.allocs, before);     /* the kept chunk */
	p = arena_alloc(&a, 200);               /* does not fit: a new one */
	assert_non_null(p);
	assert_int_equal(p[0], 0);              /* zeroed, as ever */
	assert_int_equal(c.allocs, before + 1);
	assert_false(a.oom);
	arena_release(&a);
	assert_int_equal(c.live, 0);
}

/* ---- glob ------------------------------------------------------------- */

static void
test_glob_segments(void **state)
{
	(void)state;
	assert_true(glob_path_match("a.eql", "a.eql"));
	assert_false(glob_path_match("a.eql", "b/a.eql"));
	assert_true(glob_path_match("*.eql", "x.draft.eql"));
	assert_false(glob_path_match("*.eql", "d/x.eql"));       /* '*' stays in */
	assert_false(glob_path_match("*.eql", "x.eql.bak"));     /* whole path */
	assert_true(glob_path_match("r/*/x.eql", "r/win/x.eql"));
	assert_false(glob_path_match("r/*/x.eql", "r/a/b/x.eql"));
	assert_true(glob_path_match("?.eql", "a.eql"));
	assert_false(glob_path_match("?.eql", "ab.eql"));
	assert_false(glob_path_match("a?b", "a/b"));
	assert_true(glob_path_match("", ""));
	assert_false(glob_path_match("", "a"));
	assert_true(glob_path_match("*", ""));
}

static void
test_glob_double_star(void **state)
{
	(void)state;
	/* as a segment: zero or more segments */
	assert_true(glob_path_match("**/*.eql", "a.eql"));
	assert_true(glob_path_match("**/*.eql", "a/b/c.eql"));
	assert_true(glob_path_match("rules/**/x.eql", "rules/x.eql"));
	assert_true(glob_path_match("rules/**/x.eql", "rules/a/b/x.eql"));
	assert_false(glob_path_match("rules/**/x.eql", "rulesx.eql"));
	assert_true(glob_path_match("rules/_old/**", "rules/_old/a/b.eql"));
	assert_true(glob_path_match("rules/_old/**", "rules/_old/"));
	assert_false(glob_path_match("rules/_old/**", "rules/_older/a.eql"));
	assert_true(glob_path_match("**", "a/b/c"));
	/* inside a segment: any run, '/' included */
	assert_true(glob_path_match("a**z", "a/b/z"));
	assert_true(glob_path_match("**/*.draft.eql", "x/y/z.draft.eql"));
	assert_false(glob_path_match("**/*.draft.eql", "x/y/z.eql"));
}

static void
test_glob_sets_and_escapes(void **state)
{
	(void)state;
	assert_true(glob_path_match("[abc].eql", "b.eql"));
	assert_false(glob_path_match("[abc].eql", "d.eql"));
	assert_true(glob_path_match("[a-c]x", "cx"));
	assert_false(glob_path_match("[!a-c]x", "cx"));
	assert_true(glob_path_match("[^a-c]x", "dx"));
	assert_true(glob_path_match("[]]", "]"));
	assert_false(glob_path_match("a[/]b", "a/b"));          /* never '/' */
	assert_true(glob_path_match("a[b", "a[b"));             /* unclosed */
	assert_false(glob_path_match("a[b", "ab"));
	assert_true(glob_path_match("\\*.eql", "*.eql"));
	assert_false(glob_path_match("\\*.eql", "x.eql"));
	assert_true(glob_path_match("[\\]]", "]"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hash_fnv),
		cmocka_unit_test(test_hash_add_lookup),
		cmocka_unit_test(test_hash_collisions),
		cmocka_unit_test(test_hash_growth),
		cmocka_unit_test(test_hash_clear),
		cmocka_unit_test(test_hash_reserve),
		cmocka_unit_test(test_hash_in_arena),
		cmocka_unit_test(test_hash_oom),
		cmocka_unit_test(test_vec_push_growth),
		cmocka_unit_test(test_vec_add),
		cmocka_unit_test(test_vec_reserve),
		cmocka_unit_test(test_vec_in_arena),
		cmocka_unit_test(test_arena_reset),
		cmocka_unit_test(test_glob_segments),
		cmocka_unit_test(test_glob_double_star),
		cmocka_unit_test(test_glob_sets_and_escapes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
