/*
 * parse.c - pattern text to syntax trees: the Lucene RegExp parser, the
 * wildcard parser, code-point sets with their case folding, and numeric
 * intervals <n-m> (see internal.h for the trees and regex.h for the
 * syntax).
 */
#include "pattern/internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_GROUPS 100          /* nested parentheses */
#define MAX_HEIGHT 400          /* syntax tree height */
#define MAX_DIGITS 100          /* width of a zero-padded <n-m> */
#define JAVA_INT_MAX 2147483647u

static const char bad_utf8[] = "the pattern is not valid UTF-8";
static const char bad_escape[] = "'\\' before a letter must be one of the "
				  "classes \\d \\D \\s \\S \\w \\W";
static const char bad_interval[] = "'<' must start a numeric interval "
				   "<n-m> (write '\\<' for the character)";
static const char bad_repeat[] = "malformed repetition {n}, {n,} or {n,m}";
static const char unclosed_class[] = "unclosed '[' character class";
static const char unclosed_group[] = "unclosed '(' group";

/* --- syntax trees -------------------------------------------------------- */

static uint32_t
mknode(struct build *b, enum op op, size_t off)
{
	struct node *n;

	if (!RX_RESERVE(b, &b->nd, b->nd.n + 1))
		return NIL;
	n = &b->nd.v[b->nd.n];
	memset(n, 0, sizeof *n);
	n->op = (uint8_t)op;
	n->off = (uint32_t)off;
	n->height = 1;
	return (uint32_t)b->nd.n++;
}

/* Gives node x a height one above `kidh`, refusing trees too deep for the
 * recursive stages. */
static uint32_t
grew(struct build *b, uint32_t x, unsigned kidh)
{
	if (kidh + 1 > MAX_HEIGHT)
		return rx_fail(b, b->nd.v[x].off,
			       "operators nested too deeply");
	b->nd.v[x].height = (uint16_t)(kidh + 1);
	return x;
}

/* A NOT or REP node over kid (NIL passes through).  A repetition whose
 * minimum exceeds its maximum is the empty language, as in Lucene. */
static uint32_t
unary(struct build *b, enum op op, uint32_t kid, size_t off, uint32_t min,
      uint32_t max)
{
	uint32_t x;

	if (kid == NIL)
		return NIL;
	if (op == A_REP && min > max)
		return mknode(b, A_NONE, off);
	/* ""{n,m} is "", #{0,m} is "" and #{n,m} is #: no copies needed */
	if (op == A_REP && b->nd.v[kid].op == A_EPS)
		return kid;
	if (op == A_REP && b->nd.v[kid].op == A_NONE)
		return min ? kid : mknode(b, A_EPS, off);
	x = mknode(b, op, off);
	if (x == NIL)
		return NIL;
	b->nd.v[x].a = kid;
	b->nd.v[x].min = min;
	b->nd.v[x].max = max;
	return grew(b, x, b->nd.v[kid].height);
}

static bool
push(struct build *b, uint32_t x)
{
	if (!RX_RESERVE(b, &b->stk, b->stk.n + 1))
		return false;
	b->stk.v[b->stk.n++] = x;
	return true;
}

/* The node for the kids pushed since `base` (popped): the kid itself when
 * there is one, else an `op` list of them. */
static uint32_t
list(struct build *b, enum op op, size_t off, size_t base)
{
	size_t n = b->stk.n - base, i;
	unsigned h = 0;
	uint32_t x = NIL;

	if (n == 0) {
		x = mknode(b, A_EPS, off);
	} else if (n == 1) {
		x = b->stk.v[base];
	} else {
		if (!RX_RESERVE(b, &b->kid, b->kid.n + n))
			goto out;
		x = mknode(b, op, off);
		if (x == NIL)
			goto out;
		memcpy(b->kid.v + b->kid.n, b->stk.v + base,
		       n * sizeof *b->kid.v);
		b->nd.v[x].a = (uint32_t)b->kid.n;
		b->nd.v[x].n = (uint32_t)n;
		b->kid.n += n;
		for (i = 0; i < n; i++)
			if (b->nd.v[b->stk.v[base + i]].height > h)
				h = b->nd.v[b->stk.v[base + i]].height;
		x = grew(b, x, h);
	}
out:
	b->stk.n = base;
	return x;
}

/* --- code-point sets (the scratch set b->set) ---------------------------- */

static bool
set_add(struct build *b, uint32_t lo, uint32_t hi)
{
	if (!RX_RESERVE(b, &b->set, b->set.n + 1))
		return false;
	b->set.v[b->set.n].lo = lo;
	b->set.v[b->set.n].hi = hi;
	b->set.n++;
	return true;
}

static int
cmp_range(const void *x, const void *y)
{
	const struct range *a = x, *b = y;

	return (a->lo > b->lo) - (a->lo < b->lo);
}

/* Sorts and merges the scratch set. */
static void
set_norm(struct build *b)
{
	size_t i, j = 0;

	if (!b->set.n)
		return;
	qsort(b->set.v, b->set.n, sizeof *b->set.v, cmp_range);
	for (i = 1; i < b->set.n; i++) {
		if (b->set.v[i].lo <= b->set.v[j].hi + 1) {
			if (b->set.v[i].hi > b->set.v[j].hi)
				b->set.v[j].hi = b->set.v[i].hi;
		} else {
			b->set.v[++j] = b->set.v[i];
		}
	}
	b->set.n = j + 1;
}

/* Replaces the (normalised) scratch set by its complement in [0, INV]. */
static bool
set_negate(struct build *b)
{
	size_t n = b->set.n, k = n, i;
	uint32_t next = 0;

	if (!RX_RESERVE(b, &b->set, 2 * n + 1))
		return false;
	for (i = 0; i < n; i++) {
		if (b->set.v[i].lo > next) {
			b->set.v[k].lo = next;
			b->set.v[k].hi = b->set.v[i].lo - 1;
			k++;
		}
		next = b->set.v[i].hi + 1;
	}
	if (next <= INV) {
		b->set.v[k].lo = next;
		b->set.v[k].hi = INV;
		k++;
	}
	memmove(b->set.v, b->set.v + n, (k - n) * sizeof *b->set.v);
	b->set.n = k - n;
	return true;
}

enum { F_NONE, F_ASCII, F_UNICODE };    /* case folding of a character */

/* Adds c to the scratch set with the characters it matches under `mode`:
 * F_ASCII adds the other case of an ASCII letter (Lucene's
 * ASCII_CASE_INSENSITIVE), F_UNICODE every code point with the same simple
 * case folding. */
static bool
set_char(struct build *b, uint32_t c, int mode)
{
	uint32_t f;
	uint32_t v[RX_FOLD_MAX];
	size_t n, i;

	if (mode == F_ASCII && (c | 0x20) >= 'a' && (c | 0x20) <= 'z')
		return set_add(b, c, c) && set_add(b, c ^ 0x20, c ^ 0x20);
	if (mode != F_UNICODE)
		return set_add(b, c, c);
	f = rx_fold(c);
	if (!set_add(b, f, f))
		return false;
	n = rx_unfold(f, v, RX_FOLD_MAX);
	for (i = 0; i < n; i++)
		if (!set_add(b, v[i], v[i]))
			return false;
	return true;
}

/* A SET node holding the scratch set. */
static uint32_t
set_node(struct build *b, size_t off)
{
	uint32_t x;

	if (!RX_RESERVE(b, &b->rng, b->rng.n + b->set.n))
		return NIL;
	x = mknode(b, A_SET, off);
	if (x == NIL)
		return NIL;
	b->nd.v[x].a = (uint32_t)b->rng.n;
	b->nd.v[x].n = (uint32_t)b->set.n;
	memcpy(b->rng.v + b->rng.n, b->set.v, b->set.n * sizeof *b->set.v);
	b->rng.n += b->set.n;
	return x;
}

static uint32_t
char_node(struct build *b, uint32_t c, int mode, size_t off)
{
	b->set.n = 0;
	if (!set_char(b, c, mode))
		return NIL;
	set_norm(b);
	return set_node(b, off);
}

static uint32_t
range_node(struct build *b, uint32_t lo, uint32_t hi, size_t off)
{
	b->set.n = 0;
	if (!set_add(b, lo, hi))
		return NIL;
	return set_node(b, off);
}

/* Adds Lucene's predefined class \c (c one of d D s S w W): [0-9],
 * [ \t\n\r], [a-zA-Z_0-9], and for the capitals their complements (which
 * include the invalid-byte unit, as negated classes do). */
static bool
set_predef(struct build *b, unsigned char c)
{
	static const struct range d[] = { { '0', '9' } };
	static const struct range s[] = { { '\t', '\n' }, { '\r', '\r' },
					  { ' ', ' ' } };
	static const struct range w[] = { { '0', '9' }, { 'A', 'Z' },
					  { '_', '_' }, { 'a', 'z' } };
	const struct range *r = w;
	size_t n = 4, i;
	uint32_t next = 0;

	if ((c | 0x20) == 'd') {
		r = d;
		n = 1;
	} else if ((c | 0x20) == 's') {
		r = s;
		n = 3;
	}
	if (c & 0x20) {
		for (i = 0; i < n; i++)
			if (!set_add(b, r[i].lo, r[i].hi))
				return false;
		return true;
	}
	for (i = 0; i < n; i++) {
		if (r[i].lo > next && !set_add(b, next, r[i].lo - 1))
			return false;
		next = r[i].hi + 1;
	}
	return set_add(b, next, INV);
}

static bool
is_predef(unsigned char c)
{
	switch (c) {
	case 'd': case 'D': case 's': case 'S': case 'w': case 'W':
		return true;
	default:
		return false;
	}
}

static bool
is_letter(unsigned char c)
{
	return (c | 0x20) >= 'a' && (c | 0x20) <= 'z';
}

/* --- numeric intervals <n-m> --------------------------------------------- */

/* [0-9]{n}. */
static uint32_t
any_digits(struct build *b, size_t n, size_t off)
{
	if (!n)
		return mknode(b, A_EPS, off);
	return unary(b, A_REP, range_node(b, '0', '9', off), off,
		     (uint32_t)n, (uint32_t)n);
}

static uint32_t
cat2(struct build *b, uint32_t x, uint32_t y, size_t off)
{
	size_t base = b->stk.n;

	if (x == NIL || y == NIL || !push(b, x) || !push(b, y)) {
		b->stk.n = base;
		return NIL;
	}
	return list(b, A_CAT, off, base);
}

static bool
all_of(const char *s, size_t n, char c)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] != c)
			return false;
	return true;
}

/* The n-digit strings (leading zeros kept) from x to y, x <= y, as a tree
 * of depth O(n): the common first digit, or else the strings from x up to
 * x0 followed by nines, the whole decades between, and y0 followed by zeros
 * up to y. */
static uint32_t
digits_between(struct build *b, const char *x, const char *y, size_t n,
	       const char *nines, const char *zeros, size_t off)
{
	size_t base = b->stk.n;
	unsigned lo = (unsigned char)x[0], hi = (unsigned char)y[0];
	uint32_t k;

	if (!n)
		return mknode(b, A_EPS, off);
	if (lo == hi)
		return cat2(b, range_node(b, lo, lo, off),
			    digits_between(b, x + 1, y + 1, n - 1, nines,
					   zeros, off), off);
	if (!all_of(x + 1, n - 1, '0')) {
		k = cat2(b, range_node(b, lo, lo, off),
			 digits_between(b, x + 1, nines, n - 1, nines, zeros,
					off), off);
		if (k == NIL || !push(b, k))
			goto fail;
		lo++;
	}
	if (!all_of(y + 1, n - 1, '9')) {
		k = cat2(b, range_node(b, hi, hi, off),
			 digits_between(b, zeros, y + 1, n - 1, nines, zeros,
					off), off);
		if (k == NIL || !push(b, k))
			goto fail;
		hi--;
	}
	if (lo <= hi) {
		k = cat2(b, range_node(b, lo, hi, off),
			 any_digits(b, n - 1, off), off);
		if (k == NIL || !push(b, k))
			goto fail;
	}
	return list(b, A_ALT, off, base);
fail:
	b->stk.n = base;
	return NIL;
}

/* Lucene's makeDecimalInterval: with digits > 0 the numbers min..max
 * written with exactly that many digits; with digits == 0 written in
 * decimal after any number of zeros. */
static uint32_t
interval(struct build *b, uint32_t min, uint32_t max, size_t digits,
	 size_t off)
{
	char nines[MAX_DIGITS + 1], zeros[MAX_DIGITS + 1];
	char x[MAX_DIGITS + 16], y[MAX_DIGITS + 16];
	size_t base = b->stk.n, lw, hw, w;
	uint32_t k, pw;

	if (digits > MAX_DIGITS)
		return rx_fail(b, off, RX_TOO_COMPLEX);
	memset(nines, '9', sizeof nines);
	memset(zeros, '0', sizeof zeros);
	if (digits) {
		snprintf(x, sizeof x, "%0*u", (int)digits, (unsigned)min);
		snprintf(y, sizeof y, "%0*u", (int)digits, (unsigned)max);
		return digits_between(b, x, y, digits, nines, zeros, off);
	}
	lw = (size_t)snprintf(x, sizeof x, "%u", (unsigned)min);
	hw = (size_t)snprintf(y, sizeof y, "%u", (unsigned)max);
	for (w = lw; w <= hw; w++) {
		char a[16], z[16];
		/* pw = 10^(w-1) */
		for (pw = 1, k = 1; k < w; k++)
			pw *= 10;
		snprintf(a, sizeof a, "%u", (unsigned)(w == lw ? min : pw));
		if (w == hw)
			snprintf(z, sizeof z, "%u", (unsigned)max);
		else
			memset(z, '9', w);
		k = digits_between(b, a, z, w, nines, zeros, off);
		if (k == NIL || !push(b, k)) {
			b->stk.n = base;
			return NIL;
		}
	}
	k = list(b, A_ALT, off, base);
	return cat2(b, unary(b, A_REP, range_node(b, '0', '0', off), off, 0,
			     INF), k, off);
}

/* --- the Lucene parser --------------------------------------------------- */

struct parser {
	struct build *b;
	const unsigned char *s;
	size_t len, pos;
	unsigned depth;         /* open groups */
	int fold;               /* F_ASCII under RX_CI, else F_NONE */
};

static bool
at(const struct parser *p, char c)
{
	return p->pos < p->len && p->s[p->pos] == (unsigned char)c;
}

static bool
eat(struct parser *p, char c)
{
	if (!at(p, c))
		return false;
	p->pos++;
	return true;
}

/* The code point at the cursor, which moves past it. */
static uint32_t
read_cp(struct parser *p)
{
	size_t n;
	uint32_t c = rx_utf8_unit(p->s + p->pos, p->len - p->pos, &n);

	if (c == INV)
		return rx_fail(p->b, p->pos, bad_utf8);
	p->pos += n;
	return c;
}

static uint32_t parse_union(struct parser *p);

/* The message for a pattern that ends where an operand must follow:
 * inside a group, or after '|', '&' or '~'. */
static const char *
end_message(const struct parser *p)
{
	if (p->depth)
		return unclosed_group;
	switch (p->s[p->len - 1]) {
	case '|': return "'|' at the end of the pattern";
	case '&': return "'&' at the end of the pattern";
	default: return "'~' at the end of the pattern";
	}
}

/* "..." : the characters up to the next quote, no escapes. */
static uint32_t
parse_quoted(struct parser *p)
{
	struct build *b = p->b;
	size_t open = p->pos, base = b->stk.n, end;
	const unsigned char *q = memchr(p->s + open + 1, '"',
					p->len - open - 1);

	if (!q)
		return rx_fail(b, open, "unclosed '\"' quoted string");
	end = (size_t)(q - p->s);
	p->pos = open + 1;
	while (p->pos < end) {
		size_t at0 = p->pos;
		uint32_t c = read_cp(p), x;

		x = c == NIL ? NIL : char_node(b, c, p->fold, at0);
		if (x == NIL || !push(b, x)) {
			b->stk.n = base;
			return NIL;
		}
	}
	p->pos = end + 1;
	return list(b, A_CAT, open, base);
}

/* Java's Integer.parseInt of s[0..n) where Lucene can call it: an
 * optional '+' and decimal digits.  0, or -1 when malformed, -2 when over
 * 2^31 - 1. */
static int
java_int(const unsigned char *s, size_t n, uint32_t *v)
{
	size_t i = n && s[0] == '+';
	uint64_t x = 0;
	bool big = false;

	if (i == n)
		return -1;
	for (; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		x = x * 10 + (s[i] - '0');
		if (x > JAVA_INT_MAX) {
			big = true;
			x = 0;
		}
	}
	if (big)
		return -2;
	*v = (uint32_t)x;
	return 0;
}

/* <n-m>: exactly one '-' between two numbers; bounds swapped when n > m;
 * numbers written with the same width fix the width. */
static uint32_t
parse_interval(struct parser *p)
{
	struct build *b = p->b;
	size_t open = p->pos, close, dash = 0, ndash = 0, i, wlo, whi;
	const unsigned char *q = memchr(p->s + open + 1, '>',
					p->len - open - 1);
	uint32_t lo = 0, hi = 0, t;
	int r1, r2;

	if (!q)
		return rx_fail(b, open, bad_interval);
	close = (size_t)(q - p->s);
	for (i = open + 1; i < close; i++)
		if (p->s[i] == '-') {
			ndash++;
			dash = i;
		}
	if (ndash != 1)
		return rx_fail(b, open, bad_interval);
	wlo = dash - open - 1;
	whi = close - dash - 1;
	r1 = java_int(p->s + open + 1, wlo, &lo);
	r2 = java_int(p->s + dash + 1, whi, &hi);
	if (r1 == -1 || r2 == -1)
		return rx_fail(b, open, bad_interval);
	if (r1 || r2)
		return rx_fail(b, open, "a bound of the numeric interval is "
			    "over 2147483647");
	if (lo > hi) {
		t = lo;
		lo = hi;
		hi = t;
	}
	p->pos = close + 1;
	return interval(b, lo, hi, wlo == whi ? wlo : 0, open);
}

/* simpleexp: . # @ "..." ( ) (unionexp) <n-m> \class \char char. */
static uint32_t
parse_simple(struct parser *p)
{
	struct build *b = p->b;
	size_t at0 = p->pos;
	uint32_t x;
	unsigned char c;

	if (p->pos >= p->len)
		return rx_fail(b, p->pos, end_message(p));
	switch (p->s[p->pos]) {
	case '.':
		p->pos++;
		return range_node(b, 0, INV, at0);
	case '#':
		p->pos++;
		return mknode(b, A_NONE, at0);
	case '@':
		p->pos++;
		return unary(b, A_REP, range_node(b, 0, INV, at0), at0, 0,
			     INF);
	case '"':
		return parse_quoted(p);
	case '(':
		if (p->depth >= MAX_GROUPS)
			return rx_fail(b, at0, "groups nested too deeply");
		p->pos++;
		if (eat(p, ')'))
			return mknode(b, A_EPS, at0);
		p->depth++;
		x = parse_union(p);
		if (x == NIL)
			return NIL;
		if (!eat(p, ')'))
			return rx_fail(b, p->pos, unclosed_group);
		p->depth--;
		return x;
	case '<':
		return parse_interval(p);
	case '\\':
		if (p->pos + 1 >= p->len)
			return rx_fail(b, at0,
				       "'\\' at the end of the pattern");
		c = p->s[p->pos + 1];
		if (is_predef(c)) {
			p->pos += 2;
			b->set.n = 0;
			if (!set_predef(b, c))
				return NIL;
			set_norm(b);
			return set_node(b, at0);
		}
		if (is_letter(c))
			return rx_fail(b, at0, bad_escape);
		p->pos++;
		break;
	default:
		break;
	}
	x = read_cp(p);
	return x == NIL ? NIL : char_node(b, x, p->fold, at0);
}

/* A character inside a class, escaped or not; the pattern ending here
 * leaves the class open. */
static uint32_t
class_char(struct parser *p, size_t open)
{
	eat(p, '\\');
	if (p->pos >= p->len)
		return rx_fail(p->b, open, unclosed_class);
	return read_cp(p);
}

/* charclass: \class, \\, c or c-c (as Lucene: no range after \\ or a
 * class; after '-' a plain escape), added to the scratch set. */
static bool
class_item(struct parser *p, size_t open)
{
	struct build *b = p->b;
	size_t at0 = p->pos;
	uint32_t lo, hi;

	if (at(p, '\\') && p->pos + 1 < p->len) {
		unsigned char c = p->s[p->pos + 1];
		if (is_predef(c)) {
			p->pos += 2;
			return set_predef(b, c);
		}
		if (c == '\\') {
			p->pos += 2;
			return set_add(b, '\\', '\\');
		}
		if (is_letter(c)) {
			rx_fail(b, at0, bad_escape);
			return false;
		}
	}
	lo = class_char(p, open);
	if (lo == NIL)
		return false;
	if (!eat(p, '-'))
		return set_char(b, lo, p->fold);
	hi = class_char(p, open);
	if (hi == NIL)
		return false;
	if (lo > hi) {
		rx_fail(b, at0, "character range out of order");
		return false;
	}
	return set_add(b, lo, hi);      /* ranges never fold, as in Lucene */
}

/* charclassexp: [classes] or [^classes] (a leading ']' is a member), or
 * simpleexp. */
static uint32_t
parse_class(struct parser *p)
{
	struct build *b = p->b;
	size_t open = p->pos;
	bool neg;

	if (!eat(p, '['))
		return parse_simple(p);
	neg = eat(p, '^');
	b->set.n = 0;
	do {
		if (!class_item(p, open))
			return NIL;
	} while (p->pos < p->len && !at(p, ']'));
	if (!eat(p, ']'))
		return rx_fail(b, open, unclosed_class);
	set_norm(b);
	if (neg && !set_negate(b))
		return NIL;
	return set_node(b, open);
}

/* complexp: ~complexp or charclassexp. */
static uint32_t
parse_compl(struct parser *p)
{
	size_t start = p->pos, k;
	uint32_t x;

	while (eat(p, '~'))
		;
	k = p->pos - start;
	x = parse_class(p);
	while (x != NIL && k-- > 0)
		x = unary(p->b, A_NOT, x, start + k, 0, 0);
	return x;
}

/* {n}, {n,} or {n,m} at the cursor. */
static bool
parse_counts(struct parser *p, uint32_t *min, uint32_t *max)
{
	struct build *b = p->b;
	size_t open = p->pos++, i;
	uint32_t *v[2] = { min, max };
	int k;

	for (k = 0; k < 2; k++) {
		uint64_t x = 0;
		bool big = false;

		for (i = p->pos; i < p->len && p->s[i] >= '0' &&
		     p->s[i] <= '9'; i++) {
			x = x * 10 + (p->s[i] - '0');
			if (x > JAVA_INT_MAX) {
				big = true;
				x = 0;
			}
		}
		if (i == p->pos) {
			if (k == 0) {
				rx_fail(b, open, bad_repeat);
				return false;
			}
			*max = INF;     /* {n,} */
		} else if (big) {
			rx_fail(b, open, "repetition count over 2147483647");
			return false;
		} else {
			*v[k] = (uint32_t)x;
		}
		p->pos = i;
		if (k == 0 && !eat(p, ',')) {
			*max = *min;
			break;
		}
	}
	if (!eat(p, '}')) {
		rx_fail(b, open, bad_repeat);
		return false;
	}
	return true;
}

/* repeatexp: complexp followed by any number of ? * + {..}. */
static uint32_t
parse_repeat(struct parser *p)
{
	uint32_t x = parse_compl(p), min, max;

	while (x != NIL && p->pos < p->len) {
		size_t at0 = p->pos;

		switch (p->s[p->pos]) {
		case '?': min = 0; max = 1; p->pos++; break;
		case '*': min = 0; max = INF; p->pos++; break;
		case '+': min = 1; max = INF; p->pos++; break;
		case '{':
			if (!parse_counts(p, &min, &max))
				return NIL;
			break;
		default:
			return x;
		}
		x = unary(p->b, A_REP, x, at0, min, max);
	}
	return x;
}

/* concatexp: repeatexps up to the end, ')', '|' or '&' (at least one,
 * even at one of those: Lucene reads it as a literal). */
static uint32_t
parse_concat(struct parser *p)
{
	struct build *b = p->b;
	size_t base = b->stk.n, off = p->pos;

	for (;;) {
		uint32_t x = parse_repeat(p);

		if (x == NIL || !push(b, x)) {
			b->stk.n = base;
			return NIL;
		}
		if (p->pos >= p->len || at(p, ')') || at(p, '|') || at(p, '&'))
			break;
	}
	return list(b, A_CAT, off, base);
}

/* interexp: concatexp ('&' concatexp)*. */
static uint32_t
parse_inter(struct parser *p)
{
	struct build *b = p->b;
	size_t base = b->stk.n, off = 0;

	for (;;) {
		uint32_t x = parse_concat(p);

		if (x == NIL || !push(b, x)) {
			b->stk.n = base;
			return NIL;
		}
		if (!at(p, '&'))
			break;
		if (!off)
			off = p->pos;
		p->pos++;
	}
	return list(b, A_AND, off, base);
}

/* unionexp: interexp ('|' interexp)*. */
static uint32_t
parse_union(struct parser *p)
{
	struct build *b = p->b;
	size_t base = b->stk.n, off = p->pos;

	for (;;) {
		uint32_t x = parse_inter(p);

		if (x == NIL || !push(b, x)) {
			b->stk.n = base;
			return NIL;
		}
		if (!eat(p, '|'))
			break;
	}
	return list(b, A_ALT, off, base);
}

static uint32_t
parse_lucene(struct build *b, const unsigned char *s, size_t len, bool ci)
{
	struct parser p;
	uint32_t x;

	if (!len)
		return mknode(b, A_EPS, 0);
	memset(&p, 0, sizeof p);
	p.b = b;
	p.s = s;
	p.len = len;
	p.fold = ci ? F_ASCII : F_NONE;
	x = parse_union(&p);
	if (x != NIL && p.pos < len)
		return rx_fail(b, p.pos, "')' without '('");
	return x;
}

/* A wildcard pattern: '*' any run, '?' one unit, the rest literal (no
 * escape character). */
static uint32_t
parse_wildcard(struct build *b, const unsigned char *s, size_t len, bool ci)
{
	size_t base = b->stk.n, i = 0, n;
	uint32_t x, c;

	while (i < len) {
		size_t at0 = i;

		if (s[i] == '*') {
			while (i < len && s[i] == '*')
				i++;
			x = unary(b, A_REP, range_node(b, 0, INV, at0), at0, 0,
				  INF);
		} else if (s[i] == '?') {
			i++;
			x = range_node(b, 0, INV, at0);
		} else {
			c = rx_utf8_unit(s + i, len - i, &n);
			if (c == INV) {
				x = rx_fail(b, i, bad_utf8);
			} else {
				i += n;
				x = char_node(b, c, ci ? F_UNICODE : F_NONE,
					      at0);
			}
		}
		if (x == NIL || !push(b, x)) {
			b->stk.n = base;
			return NIL;
		}
	}
	return list(b, A_CAT, 0, base);
}

/* The syntax tree of one pattern of either kind. */
uint32_t
rx_parse(struct build *b, const struct rx_pattern *rp, unsigned flags)
{
	const unsigned char *s = (const unsigned char *)rp->s;
	bool ci = (flags & RX_CI) != 0;

	if (rp->len && !rp->s)
		return rx_fail(b, 0, "no pattern text");
	if (rp->len > UINT32_MAX / 2)
		return rx_fail(b, 0, "the pattern is too long");
	if (rp->kind == RX_LUCENE)
		return parse_lucene(b, s, rp->len, ci);
	return parse_wildcard(b, s, rp->len, ci);
}
