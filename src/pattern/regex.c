/*
 * regex.c - wildcard and Lucene pattern matching (see regex.h): compiling
 * a pattern set and checking one pattern.  The stages live in parse.c,
 * fold.c, nfa.c, xdfa.c and dfa.c; internal.h has the design note of the
 * implementation.
 */
#include "pattern/regex.h"

#include <stdio.h>
#include <string.h>

#include "pattern/internal.h"

static const char no_memory[] = "out of memory";

void *
rx_alloc(const struct rc_allocator *al, bool *oom, size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size) {
		*oom = true;
		return NULL;
	}
	p = rc_alloc(al, n && size ? n * size : 1);
	if (!p)
		*oom = true;
	return p;
}

/* Releases p unless it is NULL (an allocator may count every call). */
void
rx_release(const struct rc_allocator *al, void *p)
{
	if (p)
		rc_release(al, p);
}

uint32_t
rx_fail(struct build *b, size_t off, const char *msg)
{
	if (!b->msg) {
		b->msg = msg;
		b->err = off;
		b->errpat = b->pat;
	}
	return NIL;
}

static void
build_init(struct build *b, const struct rc_allocator *al)
{
	memset(b, 0, sizeof *b);
	b->al = al;
	arena_init(&b->scratch, al);
}

/* Releases what a compilation built (the explicit DFAs are in the
 * arena). */
static void
build_free(struct build *b)
{
	arena_release(&b->scratch);
	vec_free_with(b->al, &b->dfas);
	vec_free_with(b->al, &b->nd);
	vec_free_with(b->al, &b->rng);
	vec_free_with(b->al, &b->kid);
	vec_free_with(b->al, &b->stk);
	vec_free_with(b->al, &b->set);
	vec_free_with(b->al, &b->trie);
}

/* Out of memory wins over any other error: it may have caused it. */
static void
report(const struct build *b, char *err, size_t errlen, size_t *errpat,
       size_t *erroff)
{
	bool oom = b->scratch.oom || !b->msg;
	const char *msg = oom ? no_memory : b->msg;

	if (err && errlen)
		snprintf(err, errlen, "%s", msg);
	if (errpat)
		*errpat = oom ? b->pat : b->errpat;
	if (erroff)
		*erroff = oom ? 0 : b->err;
}

struct rx *
rx_compile_with(const struct rx_pattern *p, size_t n, unsigned flags,
		const struct rc_allocator *al, char *err, size_t errlen,
		size_t *errpat, size_t *erroff)
{
	struct build b;
	struct rx *rx;
	uint32_t start = 0, fin = 0, c;

	build_init(&b, al);
	rx = rx_alloc(al, &b.scratch.oom, 1, sizeof *rx);
	if (!rx)
		goto fail;
	memset(rx, 0, sizeof *rx);
	rx->al = al;
	if (!rx_nfa_build(&b, p, n, flags, &rx->f, &start, &fin))
		goto fail;
	if (!rx_classes(al, &rx->f, &rx->lo, &rx->k)) {
		b.scratch.oom = true;
		goto fail;
	}
	for (c = 0; c < 128; c++)
		rx->acls[c] = 4 * rx_class_of(rx->lo, rx->k, c);
	rx->univ = rx_alloc(al, &b.scratch.oom, rx->f.st.n, 1);
	if (!rx->univ ||
	    !rx_dfa_init(&rx->d, al, &rx->f, rx->k, fin, start, true,
			 RX_CACHE_STATES, RX_CACHE_DEFAULT)) {
		b.scratch.oom = true;
		goto fail;
	}
	rx_find_universal(rx);
	rx->d.univ = rx->univ;
	build_free(&b);
	return rx;
fail:
	report(&b, err, errlen, errpat, erroff);
	rx_free(rx);
	build_free(&b);
	return NULL;
}

struct rx *
rx_compile(const struct rx_pattern *p, size_t n, unsigned flags, char *err,
	   size_t errlen, size_t *errpat, size_t *erroff)
{
	return rx_compile_with(p, n, flags, NULL, err, errlen, errpat,
			       erroff);
}

void
rx_free(struct rx *rx)
{
	const struct rc_allocator *al;

	if (!rx)
		return;
	al = rx->al;
	rx_dfa_free(&rx->d);
	rx_nfa_free(al, &rx->f);
	rx_release(al, rx->lo);
	rx_release(al, rx->univ);
	rx_release(al, rx);
}

bool
rx_check(const char *s, size_t len, enum rx_kind kind, unsigned flags,
	 size_t *erroff, const char **msg)
{
	struct rx_pattern p;
	struct build b;
	struct nfa f;
	uint32_t start, fin;
	bool ok;

	p.s = s;
	p.len = len;
	p.kind = kind;
	build_init(&b, NULL);
	memset(&f, 0, sizeof f);
	ok = rx_nfa_build(&b, &p, 1, flags, &f, &start, &fin);
	if (!ok) {
		*msg = b.scratch.oom || !b.msg ? no_memory : b.msg;
		*erroff = b.scratch.oom || !b.msg ? 0 : b.err;
	}
	rx_nfa_free(NULL, &f);
	build_free(&b);
	return ok;
}

/*
 * The bound behind rx_compiles().  A wildcard pattern is a list of tokens
 * (a character, `?`, a run of `*`), each at least one byte, which become
 * at most one trie node each (nfa.c).  Per trie node the NFA gets at most
 * 2 states for its label (a set; or `*`: a loop state and a set), 1 that
 * joins it to its next sibling and 1 dead end; plus the final state and
 * the root's dead end.  A set has at most 2 + RX_FOLD_MAX ranges (a
 * character, its folding and the code points folding to it).  So B bytes
 * make at most 4B + 2 states and 10B transitions; parsing a wildcard
 * fails only on invalid UTF-8 (or its height, fixed at 3).
 */
#define PRECHECK_BYTES (((size_t)RX_MAX_NFA_STATES - 2) / 4)

bool
rx_compiles(const struct rx_pattern *p, size_t n, unsigned flags)
{
	size_t i, j, k, total = 0;

	(void)flags;
	for (i = 0; i < n; i++) {
		const unsigned char *s = (const unsigned char *)p[i].s;

		if (p[i].kind != RX_WILDCARD || (p[i].len && !s))
			return false;
		total += p[i].len;
		if (total > PRECHECK_BYTES)
			return false;
		for (j = 0; j < p[i].len; j += k)
			if (s[j] < 0x80)
				k = 1;
			else if (rx_utf8_unit(s + j, p[i].len - j, &k) == INV)
				return false;
	}
	return true;
}

size_t
rx_wildcard_cost(const char *s, size_t len)
{
	size_t i, runs = 0, first = len;

	for (i = 0; i < len; i++)
		if (s[i] == '*' && (i == 0 || s[i - 1] != '*')) {
			if (!runs)
				first = i;
			runs++;
		}
	return runs ? runs * (len - first) : 0;
}
