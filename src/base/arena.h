/*
 * arena.h - region allocator, one per lifetime.
 *
 * Design note.  Everything a compilation builds (tokens' text, AST nodes, IR,
 * diagnostics) lives in an arena that is released with one call.  An arena is
 * a singly linked list of chunks; allocation bumps a pointer inside the newest
 * chunk and opens a new chunk when it is full.  Requests larger than a chunk
 * get a chunk of their own.  Memory is never returned piecemeal.
 *
 * An arena that serves one short lifetime after another (the interpreter's
 * per-event scratch memory) is emptied with arena_reset, which keeps its
 * newest chunk so that steady use allocates nothing.
 *
 * Out of memory is sticky: a failed allocation returns NULL and sets
 * `oom`, which callers test at stage boundaries (the way SQLite's
 * mallocFailed flag works) instead of aborting inside the library.  The
 * allocation hook lets tests inject failures.
 *
 * Scratch work inside a longer lifetime takes a mark and rolls back to it:
 * what was allocated since is dropped (chunks opened since go back to the
 * allocator), what was there before stays.  Each chunk carries the serial
 * number of its opening, so the rollback knows which chunks are new even
 * though a large one-off chunk is linked behind the head.
 */
#ifndef RC_ARENA_H
#define RC_ARENA_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Underlying allocator: malloc/free by default, replaceable for tests. */
struct rc_allocator {
	void *(*alloc)(void *ud, size_t n);
	void (*release)(void *ud, void *p);
	void *ud;
};

struct arena_chunk;

struct arena {
	struct arena_chunk *head;       /* newest chunk */
	const struct rc_allocator *al;  /* NULL: malloc/free */
	size_t used;                    /* bytes handed out, for statistics */
	size_t chunk_size;              /* bytes per chunk; tests make it tiny
	                                   so that failures can be injected at
	                                   nearly every allocation */
	bool oom;                       /* sticky: some allocation failed */
	size_t chunks;                  /* chunks opened so far (serials) */
};

/* A point to roll an arena back to (arena_mark/arena_rollback). */
struct arena_mark {
	struct arena_chunk *head;
	size_t pos, used, chunks;
};

void arena_init(struct arena *a, const struct rc_allocator *al);
void arena_release(struct arena *a);
/* Forgets everything allocated (earlier pointers become invalid) but
 * keeps the newest chunk for reuse and releases the others; clears oom.
 * The arena stays initialised (for scratch that lives one round, such as
 * one event). */
void arena_reset(struct arena *a);

/* The arena's present fill, and the release of everything allocated
 * after it (marks nest: roll back the newest first).  The sticky oom flag
 * is kept. */
struct arena_mark arena_mark(const struct arena *a);
void arena_rollback(struct arena *a, const struct arena_mark *m);

/* Zeroed memory aligned for any object, or NULL (and a->oom set). */
void *arena_alloc(struct arena *a, size_t n);
/* Copy of s[0..n) with a terminating NUL. */
char *arena_strndup(struct arena *a, const char *s, size_t n);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena. */
char *arena_printf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
char *arena_vprintf(struct arena *a, const char *fmt, va_list ap)
	__attribute__((format(printf, 2, 0)));

/* Raw allocation through an allocator (NULL means malloc/free). */
void *rc_alloc(const struct rc_allocator *al, size_t n);
void rc_release(const struct rc_allocator *al, void *p);

#define ARENA_NEW(a, type) ((type *)arena_alloc((a), sizeof(type)))
#define ARENA_NEWV(a, type, n) ((type *)arena_alloc((a), sizeof(type) * (n)))

#endif
