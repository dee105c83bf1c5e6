/*
 * interp.c - the reference interpreter (see interp.h).
 *
 * Comparisons follow Elasticsearch: `==` and friends are exact and
 * case-sensitive unless the instruction says ci; a string compared with a
 * number is read as a number (a keyword "1" equals 1, "x" equals nothing);
 * a date field compared with a string reads the string as a date; strings
 * order by their UTF-8 bytes, which is code-point order.  Integer
 * arithmetic is Java's (wrapping, `/` and `%` truncate toward zero);
 * division by zero gives null.  Functions take the first element of a
 * multi-valued argument, except the predicates cidrMatch, startsWith,
 * endsWith and stringContains, which are true when any element passes.
 */
#include "vm/interp.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/text.h"
#include "sema/ir.h"
#include "sema/literal.h"
#include "pattern/regex.h"

/* DFA cache per pattern list at run time. */
#define RT_RX_CACHE ((size_t)1 << 20)

/* ---- scratch memory ---- */

struct sblock {
	struct sblock *next;
	size_t cap, used;
	char data[];
};

struct set {
	uint32_t *slot;         /* value index + 1 per slot, 0 empty */
	uint32_t *fslot;        /* the same, keyed by folded strings */
	uint32_t cap;           /* power of two, 0: no hash (small set) */
	bool has_nonstr;        /* numbers/bools/null: scanned linearly */
};

/* A leaf test: PUSH_FIELD f then one of CMP (with PUSH_CONST or
 * PUSH_NULL before it), IN_SET, MATCH or CIDR.  Identical byte sequences
 * are one leaf (pool entries are interned), whatever rule holds them. */
struct leaf {
	uint8_t len;            /* bytes from the PUSH_FIELD to the end */
	uint8_t op;             /* the testing opcode */
	uint8_t flags;
	bool null;              /* compared with PUSH_NULL */
	uint32_t field, arg;
	uint32_t eq;            /* its equality index + 1, or 0 */
};

/*
 * An equality index: every leaf that tests one field (in one case mode)
 * for equality with string constants (`==`, `in`, `not in` and their ~
 * forms), keyed by those strings.  One hash lookup per value of the field
 * then answers all of them: a leaf is hit when its generation stamp is
 * the event's.  A value that is not a plain string (a number, a version)
 * compares by other rules: then each leaf evaluates itself.
 */
struct eqent {
	const char *s;
	uint32_t n;
	uint32_t head;          /* first link + 1, 0: none */
};

struct eqlink {
	uint32_t leaf;          /* leaf id */
	uint32_t next;          /* next link + 1, 0: end */
};

struct eqidx {
	uint32_t field;
	bool ci;
	struct eqent *tab;
	uint32_t cap;
	uint64_t gen;           /* event it was evaluated for */
	bool fallback;          /* that event's value is not all strings */
	bool ascii;             /* only ASCII values may use it (it holds
	                           case-insensitive wildcard lists) */
};

struct vm_rt {
	const struct image *im;
	uint32_t *leafat;       /* per code byte: leaf id + 1, or 0 */
	struct leaf *leaves;
	uint32_t nleaves;
	struct eqidx *eqs;
	uint32_t neqs;
	struct eqlink *links;
	uint32_t nlinks;
	uint64_t *hitgen;       /* per leaf: hit by its equality index */
	uint64_t gen;           /* event generation, for the memo */
	uint64_t *fgen;         /* per pool entry: typed field value of */
	struct vm_val *fval;    /* the current event, when fgen == gen */
	uint64_t *memogen;      /* per leaf */
	uint8_t *memo;          /* 1 true, 0 false, 2 null */
	struct rx **rx;         /* per pool entry, POOL_PATTERNS only */
	struct set *sets;       /* per pool entry, POOL_SET only */
	struct vm_val *stack;
	size_t stackcap, top;   /* slots; the first free one */
	struct sblock *scratch;
};

static void *
sc_alloc(struct vm_rt *rt, size_t n)
{
	struct sblock *b = rt->scratch;
	void *p;

	n = (n + 7) & ~(size_t)7;
	if (!b || b->cap - b->used < n) {
		size_t cap = n > 65536 ? n : 65536;

		b = malloc(sizeof *b + cap);
		if (!b)
			return NULL;
		b->cap = cap;
		b->used = 0;
		b->next = rt->scratch;
		rt->scratch = b;
	}
	p = b->data + b->used;
	b->used += n;
	return p;
}

void *
vm_scratch_alloc(struct vm_rt *rt, size_t n)
{
	return sc_alloc(rt, n ? n : 1);
}

char *
vm_scratch(struct vm_rt *rt, const char *s, size_t n)
{
	char *p = sc_alloc(rt, n + 1);

	if (p) {
		if (n)
			memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

void
vm_scratch_reset(struct vm_rt *rt)
{
	struct sblock *b = rt->scratch, *next;

	rt->gen++;
	if (!b)
		return;
	/* keep the newest block, free the others */
	for (next = b->next; next; next = b->next) {
		b->next = next->next;
		free(next);
	}
	b->used = 0;
}

/* ---- strings ---- */


static int
str_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c < 0 ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

/* First occurrence of n in h at or after byte `from`, or -1. */
static int64_t
str_find(const char *h, size_t hn, const char *n, size_t nn, size_t from,
	 bool ci)
{
	size_t i;

	if (from > hn)
		return -1;
	for (i = from; i + nn <= hn; i++)
		if (text_eq(h + i, nn, n, nn, ci))
			return (int64_t)i;
	return -1;
}

static int64_t
str_rfind(const char *h, size_t hn, const char *n, size_t nn, size_t from,
	  bool ci)
{
	size_t i;

	if (nn > hn || from > hn - nn)
		return -1;
	for (i = hn - nn + 1; i-- > from;)
		if (text_eq(h + i, nn, n, nn, ci))
			return (int64_t)i;
	return -1;
}

static uint32_t
hash_str(const char *s, size_t n, bool ci)
{
	uint32_t h = 2166136261u;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (ci ? text_fold((unsigned char)s[i]) :
			  (unsigned char)s[i])) * 16777619u;
	return h;
}

/* ---- numbers and dates ---- */

/* Reads a whole string as a number (ES's keyword-to-number reading):
 * optional blanks, sign, digits, fraction, exponent. */
static bool
parse_number(const char *s, size_t n, struct vm_val *out)
{
	char buf[64], *end;
	size_t i = 0, j;
	bool frac = false;

	while (i < n && (s[i] == ' ' || s[i] == '\t'))
		i++;
	while (n > i && (s[n - 1] == ' ' || s[n - 1] == '\t'))
		n--;
	if (i >= n || n - i >= sizeof buf)
		return false;
	for (j = i; j < n; j++) {
		char c = s[j];

		if ((c >= '0' && c <= '9') || ((c == '-' || c == '+') &&
		    (j == i || s[j - 1] == 'e' || s[j - 1] == 'E')))
			continue;
		if (c == '.' || c == 'e' || c == 'E') {
			frac = true;
			continue;
		}
		return false;
	}
	memcpy(buf, s + i, n - i);
	buf[n - i] = '\0';
	if (!frac) {
		long long v;

		errno = 0;
		v = strtoll(buf, &end, 10);
		if (*end == '\0' && errno == 0) {
			out->k = VK_LONG;
			out->u.i = v;
			return true;
		}
	}
	out->u.d = strtod(buf, &end);
	if (*end != '\0' || end == buf)
		return false;
	out->k = VK_DOUBLE;
	return true;
}

static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static bool
digits(const char *s, size_t n, size_t at, unsigned count, unsigned *out)
{
	unsigned v = 0, i;

	if (at + count > n)
		return false;
	for (i = 0; i < count; i++) {
		if (s[at + i] < '0' || s[at + i] > '9')
			return false;
		v = v * 10 + (unsigned)(s[at + i] - '0');
	}
	*out = v;
	return true;
}

bool
vm_parse_date(const char *s, size_t n, int64_t *ms)
{
	unsigned y, mo, d, h = 0, mi = 0, sec = 0, frac = 0, oh, om;
	size_t i, k;
	int64_t t;

	if (n == 0)
		return false;
	for (i = (s[0] == '-'); i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			break;
	if (i == n && n <= 19) {        /* epoch milliseconds */
		struct vm_val v;

		if (!parse_number(s, n, &v) || v.k != VK_LONG)
			return false;
		*ms = v.u.i;
		return true;
	}
	if (!digits(s, n, 0, 4, &y) || n < 10 || s[4] != '-' ||
	    !digits(s, n, 5, 2, &mo) || s[7] != '-' ||
	    !digits(s, n, 8, 2, &d) || mo < 1 || mo > 12 || d < 1 || d > 31)
		return false;
	i = 10;
	if (i < n && (s[i] == 'T' || s[i] == ' ')) {
		if (!digits(s, n, i + 1, 2, &h) || i + 3 >= n ||
		    s[i + 3] != ':' || !digits(s, n, i + 4, 2, &mi))
			return false;
		i += 6;
		if (i < n && s[i] == ':') {
			if (!digits(s, n, i + 1, 2, &sec))
				return false;
			i += 3;
			if (i < n && (s[i] == '.' || s[i] == ',')) {
				unsigned scale = 100;

				for (k = i + 1; k < n && s[k] >= '0' &&
				     s[k] <= '9'; k++) {
					frac += (unsigned)(s[k] - '0') * scale;
					scale /= 10;
				}
				if (k == i + 1)
					return false;
				i = k;
			}
		}
		if (h > 23 || mi > 59 || sec > 60)
			return false;
	}
	t = ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60 + sec;
	t = t * 1000 + frac;
	if (i < n && s[i] == 'Z') {
		i++;
	} else if (i < n && (s[i] == '+' || s[i] == '-')) {
		int sign = s[i] == '-' ? -1 : 1;

		if (!digits(s, n, i + 1, 2, &oh))
			return false;
		k = i + 3;
		if (k < n && s[k] == ':')
			k++;
		if (!digits(s, n, k, 2, &om))
			return false;
		t -= sign * (int64_t)(oh * 60 + om) * 60000;
		i = k + 2;
	}
	if (i != n)
		return false;
	*ms = t;
	return true;
}

bool
vm_double_ms(double d, int64_t *ms)
{
	/* the doubles that convert to int64_t without overflow */
	if (!(d > -9.2e18 && d < 9.2e18))
		return false;
	*ms = (int64_t)d;
	return true;
}

void
vm_format_date(int64_t ms, char *buf, size_t len)
{
	int64_t days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	int64_t rem = ms - days * 86400000, z, era, y;
	unsigned doe, yoe, doy, mp, d, m;

	z = days + 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = (int64_t)yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	d = doy - (153 * mp + 2) / 5 + 1;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	snprintf(buf, len, "%04" PRId64 "-%02u-%02uT%02u:%02u:%02u.%03uZ", y,
		 m, d, (unsigned)(rem / 3600000),
		 (unsigned)(rem / 60000 % 60), (unsigned)(rem / 1000 % 60),
		 (unsigned)(rem % 1000));
}

/* ---- values ---- */

static inline bool
truthy(const struct vm_val *v)
{
	return v->k == VK_BOOL && v->u.b;
}

static inline void
set_bool(struct vm_val *v, bool b)
{
	v->k = VK_BOOL;
	v->u.b = b;
}

/* Numeric reading of v (numbers, dates, numeric strings). */
static bool
as_number(const struct vm_val *v, struct vm_val *out)
{
	switch (v->k) {
	case VK_LONG:
	case VK_DATE:
		out->k = VK_LONG;
		out->u.i = v->u.i;
		return true;
	case VK_DOUBLE:
		*out = *v;
		return true;
	case VK_STR:
		return parse_number(v->u.s.s, v->u.s.n, out);
	default:
		return false;
	}
}

static int
num_cmp(const struct vm_val *a, const struct vm_val *b)
{
	if (a->k == VK_LONG && b->k == VK_LONG)
		return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
	{
		double x = a->k == VK_LONG ? (double)a->u.i : a->u.d;
		double y = b->k == VK_LONG ? (double)b->u.i : b->u.d;

		if (x != x || y != y)
			return 2;       /* NaN: unordered */
		return x < y ? -1 : x > y;
	}
}

/* Reads "1.2.3[-pre][+build]" (any number of numeric parts). */
static bool
parse_version(const char *s, size_t n, uint64_t part[4], size_t *np,
	      const char **pre, size_t *npre)
{
	size_t i = 0, k = 0;

	*pre = NULL;
	*npre = 0;
	while (i < n && k < 4) {
		uint64_t v = 0;
		size_t st = i;

		while (i < n && s[i] >= '0' && s[i] <= '9' && i - st < 18)
			v = v * 10 + (uint64_t)(s[i++] - '0');
		if (i == st)
			return false;
		part[k++] = v;
		if (i < n && s[i] == '.') {
			i++;
			continue;
		}
		break;
	}
	*np = k;
	if (i < n && s[i] == '-') {
		size_t e = i + 1;

		while (e < n && s[e] != '+')
			e++;
		*pre = s + i + 1;
		*npre = e - i - 1;
		i = e;
	}
	if (i < n && s[i] == '+')
		i = n;
	return i == n && k > 0;
}

/* Semantic-version order; 2 when either is not a version. */
static int
version_cmp(const struct vm_val *a, const struct vm_val *b)
{
	uint64_t x[4] = { 0 }, y[4] = { 0 };
	size_t nx, ny, px, py, i;
	const char *sx, *sy;

	if (!parse_version(a->u.s.s, a->u.s.n, x, &nx, &sx, &px) ||
	    !parse_version(b->u.s.s, b->u.s.n, y, &ny, &sy, &py))
		return 2;
	for (i = 0; i < 4; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	if (!sx != !sy)                 /* a pre-release comes first */
		return sx ? -1 : 1;
	if (sx)
		return str_cmp(sx, px, sy, py);
	return 0;
}

/*
 * Compares two scalars: -1, 0, 1, or 2 when they do not compare (a
 * string that is no number against a number, a bool against a string).
 */
static int
scalar_cmp(const struct vm_val *a, const struct vm_val *b, bool ci)
{
	struct vm_val x, y;
	int64_t t;

	if (a->k == VK_STR && b->k == VK_STR) {
		if ((a->ver || b->ver) && !ci) {
			int c = version_cmp(a, b);

			if (c != 2)
				return c;
		}
		if (ci)
			return text_eq(a->u.s.s, a->u.s.n, b->u.s.s, b->u.s.n,
				      true) ? 0 : 2;
		return str_cmp(a->u.s.s, a->u.s.n, b->u.s.s, b->u.s.n);
	}
	if (a->k == VK_DATE || b->k == VK_DATE) {
		const struct vm_val *o = a->k == VK_DATE ? b : a;

		if (o->k == VK_STR) {
			if (!vm_parse_date(o->u.s.s, o->u.s.n, &t))
				return 2;
			x.k = y.k = VK_LONG;
			x.u.i = a->k == VK_DATE ? a->u.i : t;
			y.u.i = b->k == VK_DATE ? b->u.i : t;
			return num_cmp(&x, &y);
		}
	}
	if (a->k == VK_BOOL || b->k == VK_BOOL) {
		if (a->k != b->k)
			return 2;
		return a->u.b == b->u.b ? 0 : a->u.b ? 1 : -1;
	}
	if (!as_number(a, &x) || !as_number(b, &y))
		return 2;
	return num_cmp(&x, &y);
}

static bool
cmp_ok(enum opcode op, int c)
{
	if (c == 2)
		return false;
	switch (op) {
	case OPC_CMP_EQ: return c == 0;
	case OPC_CMP_LT: return c < 0;
	case OPC_CMP_LE: return c <= 0;
	case OPC_CMP_GT: return c > 0;
	case OPC_CMP_GE: return c >= 0;
	default: return false;
	}
}

/* l op r with any-element semantics; NE is not(any EQ).  Returns 1
 * true, 0 false, 2 null: an ordering with a null operand is null (so
 * `null == (x > 1)` holds when x is missing); equality with null is
 * true or false. */
static int
compare(enum opcode op, const struct vm_val *l, const struct vm_val *r,
	bool ci)
{
	enum opcode pos = op == OPC_CMP_NE ? OPC_CMP_EQ : op;
	bool any = false;
	uint32_t i, j;

	if (l->k == VK_NULL || r->k == VK_NULL) {
		if (pos != OPC_CMP_EQ)
			return 2;
		/* only equality speaks of null: null == null */
		any = l->k == VK_NULL && r->k == VK_NULL;
	} else if (l->k == VK_MULTI || r->k == VK_MULTI) {
		uint32_t ln = l->k == VK_MULTI ? l->u.m.n : 1;
		uint32_t rn = r->k == VK_MULTI ? r->u.m.n : 1;

		for (i = 0; i < ln && !any; i++) {
			const struct vm_val *a = l->k == VK_MULTI ?
						 &l->u.m.v[i] : l;

			for (j = 0; j < rn && !any; j++) {
				const struct vm_val *b = r->k == VK_MULTI ?
							 &r->u.m.v[j] : r;

				if (a->k != VK_NULL && b->k != VK_NULL)
					any = cmp_ok(pos, scalar_cmp(a, b,
								     ci));
			}
		}
	} else {
		any = cmp_ok(pos, scalar_cmp(l, r, ci));
	}
	return op == OPC_CMP_NE ? !any : any;
}

/* res = whether test(e) holds for v or for any of its elements. */
#define ANY_ELEMENT(res, val, e, test)                                  \
	do {                                                            \
		const struct vm_val *v_ = (val);                        \
		uint32_t i_, n_ = v_->k == VK_MULTI ? v_->u.m.n :       \
				  v_->k == VK_NULL ? 0 : 1;             \
		(res) = false;                                          \
		for (i_ = 0; i_ < n_ && !(res); i_++) {                 \
			const struct vm_val *e = v_->k == VK_MULTI ?    \
						 &v_->u.m.v[i_] : v_;   \
			(res) = (test);                                 \
		}                                                       \
	} while (0)

/* ---- literal sets ---- */

static bool
set_has(const struct vm_rt *rt, uint32_t idx, const struct vm_val *v,
	bool ci)
{
	const struct img_pool_entry *pe = &rt->im->pool[idx];
	const struct set *st = &rt->sets[idx];
	uint32_t i;

	if (v->k == VK_NULL)
		return false;
	if (v->k == VK_STR && st->cap) {
		uint32_t m = st->cap - 1, *tab = ci ? st->fslot : st->slot;

		for (i = hash_str(v->u.s.s, v->u.s.n, ci) & m; tab[i];
		     i = (i + 1) & m) {
			const struct img_value *e = &pe->u.set.v[tab[i] - 1];

			if (text_eq(e->u.s.s, e->u.s.len, v->u.s.s, v->u.s.n,
				   ci))
				return true;
		}
		if (!st->has_nonstr)
			return false;
	}
	for (i = 0; i < pe->u.set.n; i++) {
		const struct img_value *e = &pe->u.set.v[i];
		struct vm_val c;

		switch (e->kind) {
		case IV_NULL: continue;
		case IV_BOOL: c.k = VK_BOOL; c.u.b = e->u.b; break;
		case IV_LONG: c.k = VK_LONG; c.u.i = e->u.i; break;
		case IV_DOUBLE: c.k = VK_DOUBLE; c.u.d = e->u.d; break;
		default:
			if (st->cap && v->k == VK_STR)
				continue;       /* the hash said no */
			c.k = VK_STR;
			c.u.s.s = e->u.s.s;
			c.u.s.n = e->u.s.len;
			break;
		}
		if (scalar_cmp(v, &c, ci) == 0)
			return true;
	}
	return false;
}

static int
set_build(struct set *st, const struct img_pool_entry *pe)
{
	uint32_t i, cap = 16, m;

	for (i = 0; i < pe->u.set.n; i++)
		if (pe->u.set.v[i].kind != IV_STR)
			st->has_nonstr = true;
	if (pe->u.set.n < 8)
		return 0;
	while (cap < pe->u.set.n * 2)
		cap *= 2;
	st->slot = calloc(cap, sizeof *st->slot);
	st->fslot = calloc(cap, sizeof *st->fslot);
	if (!st->slot || !st->fslot)
		return -1;
	st->cap = cap;
	m = cap - 1;
	for (i = 0; i < pe->u.set.n; i++) {
		const struct img_value *e = &pe->u.set.v[i];
		uint32_t j;

		if (e->kind != IV_STR)
			continue;
		for (j = hash_str(e->u.s.s, e->u.s.len, false) & m;
		     st->slot[j]; j = (j + 1) & m)
			;
		st->slot[j] = i + 1;
		for (j = hash_str(e->u.s.s, e->u.s.len, true) & m;
		     st->fslot[j]; j = (j + 1) & m)
			;
		st->fslot[j] = i + 1;
	}
	return 0;
}

/* ---- CIDR ---- */

static bool
in_range(const struct img_cidr *c, unsigned fam, const uint8_t *a)
{
	unsigned bits = c->prefix, i;

	if (c->family != fam)
		return false;
	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a[i] != c->addr[i])
			return false;
	if (bits && ((a[i] ^ c->addr[i]) & (0xFF00u >> bits) & 0xFF))
		return false;
	return true;
}

/* Parses an address; IPv4-mapped IPv6 addresses read as IPv4. */
static unsigned
parse_addr(const struct vm_val *v, uint8_t a[16])
{
	unsigned prefix, fam;
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
					    0xFF, 0xFF };

	if (v->k != VK_STR || memchr(v->u.s.s, '/', v->u.s.n))
		return 0;
	fam = lit_parse_cidr(v->u.s.s, v->u.s.n, a, &prefix);
	if (fam == 6 && memcmp(a, mapped, 12) == 0) {
		memmove(a, a + 12, 4);
		fam = 4;
	}
	return fam;
}

static bool
cidr_has(const struct img_cidr *v, uint32_t n, const struct vm_val *x)
{
	uint8_t a[16];
	unsigned fam = parse_addr(x, a);
	uint32_t i;

	if (!fam)
		return false;
	for (i = 0; i < n; i++)
		if (in_range(&v[i], fam, a))
			return true;
	return false;
}

/* ---- fields ---- */

static bool
is_sep(char c)
{
	return c == '\\' || c == '/';
}

/* Applies an ESET transform to a string. */
static void
transform_str(struct vm_rt *rt, unsigned tr, const struct vm_val *in,
	      struct vm_val *out)
{
	const char *s = in->u.s.s;
	size_t n = in->u.s.n, i, base = 0, dot;
	int64_t t;

	*out = *in;
	for (i = n; i > 0; i--)
		if (is_sep(s[i - 1])) {
			base = i;
			break;
		}
	switch (tr) {
	case TR_DIRNAME:
		out->u.s.n = (uint32_t)(base ? base - 1 : 0);
		return;
	case TR_STEM:
	case TR_EXT:
		for (dot = n; dot > base && s[dot - 1] != '.'; dot--)
			;
		if (dot <= base + 1) {  /* no extension (".x" is a name) */
			if (tr == TR_EXT)
				out->u.s.n = 0;
			else {
				out->u.s.s = s + base;
				out->u.s.n = (uint32_t)(n - base);
			}
			return;
		}
		if (tr == TR_EXT) {
			out->u.s.s = s + dot;
			out->u.s.n = (uint32_t)(n - dot);
		} else {
			out->u.s.s = s + base;
			out->u.s.n = (uint32_t)(dot - 1 - base);
		}
		return;
	case TR_DAYOFWEEK:
	case TR_HOUR:
	case TR_MINUTE:
		if (!vm_parse_date(s, n, &t)) {
			out->k = VK_NULL;
			return;
		}
		out->k = VK_LONG;
		if (tr == TR_HOUR)
			out->u.i = (t / 3600000 % 24 + 24) % 24;
		else if (tr == TR_MINUTE)
			out->u.i = (t / 60000 % 60 + 60) % 60;
		else    /* 1970-01-01 was a Thursday; 0 is Sunday */
			out->u.i = ((t / 86400000 + 4) % 7 + 7) % 7;
		return;
	default:
		(void)rt;
		return;
	}
}

static void
one_field(struct vm_rt *rt, const struct img_pool_entry *pe,
	  const struct vm_val *in, struct vm_val *out)
{
	int64_t t;

	*out = *in;
	if (in->k == VK_NULL)
		return;
	if (pe->u.field.ipfam) {
		uint8_t a[16];

		if (parse_addr(in, a) != pe->u.field.ipfam) {
			out->k = VK_NULL;
			return;
		}
	}
	if (pe->u.field.transform == TR_INBOUND) {
		/* network.direction as ESET's Inbound boolean */
		if (in->k == VK_STR)
			set_bool(out, text_eq(in->u.s.s, in->u.s.n, "inbound",
					     7, true) ||
				 text_eq(in->u.s.s, in->u.s.n, "ingress", 7,
					true));
		return;
	}
	if (pe->u.field.transform != TR_NONE && in->k == VK_STR) {
		transform_str(rt, pe->u.field.transform, in, out);
		return;
	}
	if (pe->u.field.vtype == VT_VERSION && in->k == VK_STR)
		out->ver = 1;
	if (pe->u.field.vtype == VT_DATE) {
		if (in->k == VK_STR && vm_parse_date(in->u.s.s, in->u.s.n,
						     &t)) {
			out->k = VK_DATE;
			out->u.i = t;
		} else if (in->k == VK_LONG) {
			out->k = VK_DATE;
		} else if (in->k == VK_DOUBLE) {
			if (vm_double_ms(in->u.d, &t)) {
				out->k = VK_DATE;
				out->u.i = t;
			} else {
				out->k = VK_NULL;       /* no date */
			}
		}
	}
}

void
vm_field_value(struct vm_rt *rt, uint32_t f, const struct vm_val *raw,
	       struct vm_val *out)
{
	const struct img_pool_entry *pe = &rt->im->pool[f];
	struct vm_val *el;
	uint32_t i, n = 0;

	if (raw->k != VK_MULTI) {
		one_field(rt, pe, raw, out);
		return;
	}
	if (pe->u.field.ipfam == 0 && pe->u.field.transform == TR_NONE &&
	    pe->u.field.vtype != VT_DATE && pe->u.field.vtype != VT_VERSION) {
		*out = *raw;
	} else {
		el = sc_alloc(rt, (raw->u.m.n ? raw->u.m.n : 1) * sizeof *el);
		if (!el) {
			out->k = VK_NULL;
			return;
		}
		for (i = 0; i < raw->u.m.n; i++) {
			one_field(rt, pe, &raw->u.m.v[i], &el[n]);
			if (el[n].k != VK_NULL)
				n++;
		}
		out->k = VK_MULTI;
		out->u.m.v = el;
		out->u.m.n = n;
	}
	if (out->u.m.n == 0)
		out->k = VK_NULL;
	else if (out->u.m.n == 1)
		*out = out->u.m.v[0];
}

/* ---- functions ---- */

static const struct vm_val *
first(const struct vm_val *v)
{
	static const struct vm_val null = { .k = VK_NULL };

	if (v->k == VK_MULTI)
		return v->u.m.n ? &v->u.m.v[0] : &null;
	return v;
}

/* The string form of a scalar (NULL for null). */
static bool
to_string(struct vm_rt *rt, const struct vm_val *v, const char **s,
	  uint32_t *n)
{
	char buf[64];

	v = first(v);
	switch (v->k) {
	case VK_STR:
		*s = v->u.s.s;
		*n = v->u.s.n;
		return true;
	case VK_BOOL:
		*s = v->u.b ? "true" : "false";
		*n = v->u.b ? 4 : 5;
		return true;
	case VK_LONG:
		snprintf(buf, sizeof buf, "%" PRId64, v->u.i);
		break;
	case VK_DOUBLE:
		if (v->u.d == floor(v->u.d) && fabs(v->u.d) < 1e15)
			snprintf(buf, sizeof buf, "%.1f", v->u.d);
		else
			snprintf(buf, sizeof buf, "%.17g", v->u.d);
		break;
	case VK_DATE:
		vm_format_date(v->u.i, buf, sizeof buf);
		break;
	default:
		return false;
	}
	*n = (uint32_t)strlen(buf);
	*s = vm_scratch(rt, buf, *n);
	return *s != NULL;
}

static void
arith(enum opcode op, const struct vm_val *l, const struct vm_val *r,
      struct vm_val *out)
{
	struct vm_val a, b;

	out->k = VK_NULL;
	if (!as_number(first(l), &a) || !as_number(first(r), &b))
		return;
	if (a.k == VK_LONG && b.k == VK_LONG) {
		uint64_t x = (uint64_t)a.u.i, y = (uint64_t)b.u.i;

		out->k = VK_LONG;
		switch (op) {
		case OPC_ADD: out->u.i = (int64_t)(x + y); return;
		case OPC_SUB: out->u.i = (int64_t)(x - y); return;
		case OPC_MUL: out->u.i = (int64_t)(x * y); return;
		case OPC_DIV:
		case OPC_MOD:
			if (b.u.i == 0) {
				out->k = VK_NULL;
			} else if (b.u.i == -1) {       /* INT64_MIN / -1 */
				out->u.i = op == OPC_DIV ? (int64_t)(0 - x) : 0;
			} else {
				out->u.i = op == OPC_DIV ? a.u.i / b.u.i :
					   a.u.i % b.u.i;
			}
			return;
		default:
			out->k = VK_NULL;
			return;
		}
	}
	{
		double x = a.k == VK_LONG ? (double)a.u.i : a.u.d;
		double y = b.k == VK_LONG ? (double)b.u.i : b.u.d;

		out->k = VK_DOUBLE;
		switch (op) {
		case OPC_ADD: out->u.d = x + y; return;
		case OPC_SUB: out->u.d = x - y; return;
		case OPC_MUL: out->u.d = x * y; return;
		case OPC_DIV:
			if (y == 0)
				out->k = VK_NULL;
			else
				out->u.d = x / y;
			return;
		case OPC_MOD:
			if (y == 0)
				out->k = VK_NULL;
			else
				out->u.d = fmod(x, y);
			return;
		default:
			out->k = VK_NULL;
			return;
		}
	}
}

/* Code points before byte offset `off` (positions are in characters). */
static size_t
u8_count(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Byte offset of character `ch` (n when beyond the end). */
static size_t
u8_offset(const char *s, size_t n, size_t ch)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ch-- == 0)
			return i;
	return n;
}

static bool
str_pred(unsigned fn, const struct vm_val *a, const char *t, uint32_t tn,
	 bool ci)
{
	if (a->k != VK_STR)
		return false;
	switch (fn) {
	case FN_STARTSWITH:
		return a->u.s.n >= tn && text_eq(a->u.s.s, tn, t, tn, ci);
	case FN_ENDSWITH:
		return a->u.s.n >= tn && text_eq(a->u.s.s + a->u.s.n - tn, tn,
						t, tn, ci);
	default:
		return str_find(a->u.s.s, a->u.s.n, t, tn, 0, ci) >= 0;
	}
}

static void
call(struct vm_rt *rt, unsigned fn, struct vm_val *arg, unsigned argc,
     bool ci, struct vm_val *out)
{
	const char *s, *t, *u;
	uint32_t sn, tn, un, k;
	int64_t at, end, len;
	char *buf;

	out->k = VK_NULL;
	out->ver = 0;
	switch (fn) {
	case FN_ADD: arith(OPC_ADD, &arg[0], &arg[1], out); return;
	case FN_SUBTRACT: arith(OPC_SUB, &arg[0], &arg[1], out); return;
	case FN_MULTIPLY: arith(OPC_MUL, &arg[0], &arg[1], out); return;
	case FN_DIVIDE: arith(OPC_DIV, &arg[0], &arg[1], out); return;
	case FN_MODULO: arith(OPC_MOD, &arg[0], &arg[1], out); return;
	case FN_STARTSWITH:
	case FN_ENDSWITH:
	case FN_STRINGCONTAINS:
		if (!to_string(rt, &arg[1], &t, &tn) || arg[0].k == VK_NULL)
			return;
		{
			bool r;

			ANY_ELEMENT(r, &arg[0], e, str_pred(fn, e, t, tn, ci));
			set_bool(out, r);
		}
		return;
	case FN_CIDRMATCH:
		if (arg[0].k == VK_NULL)
			return;
		for (k = 1; k < argc; k++) {
			struct img_cidr c;
			bool r;

			if (arg[k].k != VK_STR ||
			    !img_parse_cidr(arg[k].u.s.s, arg[k].u.s.n, &c))
				return;
			ANY_ELEMENT(r, &arg[0], e, cidr_has(&c, 1, e));
			if (r) {
				set_bool(out, true);
				return;
			}
		}
		set_bool(out, false);
		return;
	case FN_CONCAT: {
		struct strbuf sb = STRBUF_INIT;

		for (k = 0; k < argc; k++) {
			if (!to_string(rt, &arg[k], &s, &sn)) {
				sb_free(&sb);
				return;
			}
			sb_put(&sb, s, sn);
		}
		if (!sb.oom) {
			out->u.s.s = vm_scratch(rt, sb.data ? sb.data : "",
						sb.len);
			out->u.s.n = (uint32_t)sb.len;
			if (out->u.s.s)
				out->k = VK_STR;
		}
		sb_free(&sb);
		return;
	}
	case FN_LENGTH:
		if (!to_string(rt, &arg[0], &s, &sn))
			return;
		out->k = VK_LONG;
		out->u.i = (int64_t)u8_count(s, sn);
		return;
	case FN_STRING:
		if (!to_string(rt, &arg[0], &s, &sn))
			return;
		out->k = VK_STR;
		out->u.s.s = s;
		out->u.s.n = sn;
		return;
	case FN_NUMBER: {
		const struct vm_val *v = first(&arg[0]);
		int base = 10;
		char nb[80], *e;

		if (v->k == VK_LONG || v->k == VK_DOUBLE) {
			*out = *v;
			return;
		}
		if (v->k != VK_STR)
			return;
		if (argc > 1 && first(&arg[1])->k == VK_LONG)
			base = (int)first(&arg[1])->u.i;
		s = v->u.s.s;
		sn = v->u.s.n;
		while (sn && (*s == ' ' || *s == '\t')) {
			s++;
			sn--;
		}
		while (sn && (s[sn - 1] == ' ' || s[sn - 1] == '\t'))
			sn--;
		if (sn == 0 || sn >= sizeof nb)
			return;
		memcpy(nb, s, sn);
		nb[sn] = '\0';
		if (base == 10 && !(sn > 2 && nb[0] == '0' &&
				    (nb[1] == 'x' || nb[1] == 'X'))) {
			parse_number(nb, sn, out);
			return;
		}
		if (base < 2 || base > 36)
			return;
		errno = 0;
		out->u.i = strtoll(nb, &e, base == 10 ? 16 : base);
		out->k = *e || errno ? VK_NULL : VK_LONG;
		return;
	}
	case FN_INDEXOF:
		if (!to_string(rt, &arg[0], &s, &sn) ||
		    !to_string(rt, &arg[1], &t, &tn))
			return;
		at = 0;
		if (argc > 2 && first(&arg[2])->k == VK_LONG)
			at = first(&arg[2])->u.i;
		if (at < 0)
			at = 0;
		len = (int64_t)u8_count(s, sn);
		if (at > len)
			return;
		at = str_find(s, sn, t, tn, u8_offset(s, sn, (size_t)at),
			      ci);
		if (at < 0)
			return;
		out->k = VK_LONG;
		out->u.i = (int64_t)u8_count(s, (size_t)at);
		return;
	case FN_BETWEEN: {
		bool greedy = argc > 3 && truthy(first(&arg[3]));

		if (!to_string(rt, &arg[0], &s, &sn) ||
		    !to_string(rt, &arg[1], &t, &tn) ||
		    !to_string(rt, &arg[2], &u, &un))
			return;
		out->k = VK_STR;
		out->u.s.s = "";
		out->u.s.n = 0;
		at = str_find(s, sn, t, tn, 0, ci);
		if (at < 0)
			return;
		at += tn;
		end = greedy ? str_rfind(s, sn, u, un, (size_t)at, ci) :
		      str_find(s, sn, u, un, (size_t)at, ci);
		if (end < 0)
			return;
		out->u.s.s = s + at;
		out->u.s.n = (uint32_t)(end - at);
		return;
	}
	case FN_SUBSTRING:
		if (!to_string(rt, &arg[0], &s, &sn))
			return;
		len = (int64_t)u8_count(s, sn);
		at = first(&arg[1])->k == VK_LONG ? first(&arg[1])->u.i : 0;
		end = argc > 2 && first(&arg[2])->k == VK_LONG ?
		      first(&arg[2])->u.i : len;
		if (at < 0)
			at = at + len < 0 ? 0 : at + len;
		if (end < 0)
			end = end + len < 0 ? 0 : end + len;
		if (at > len)
			at = len;
		if (end > len)
			end = len;
		out->k = VK_STR;
		if (end <= at) {
			out->u.s.s = "";
			out->u.s.n = 0;
			return;
		}
		{
			size_t b0 = u8_offset(s, sn, (size_t)at);
			size_t b1 = u8_offset(s, sn, (size_t)end);

			buf = (char *)s + b0;
			out->u.s.s = buf;
			out->u.s.n = (uint32_t)(b1 - b0);
		}
		return;
	default:
		/* python-eql functions: refused by the ES front end */
		return;
	}
}

static void push_const(const struct img_pool_entry *pe, struct vm_val *v);

/* ---- leaf tests ---- */

static inline uint32_t
rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Length of the leaf test starting at c (a PUSH_FIELD), or 0. */
static unsigned
leaf_len(const uint8_t *c, size_t left, struct leaf *lf)
{
	memset(lf, 0, sizeof *lf);
	if (left < 10 || c[0] != OPC_PUSH_FIELD)
		return 0;
	lf->field = rd32(c + 1);
	switch (c[5]) {
	case OPC_PUSH_CONST:
	case OPC_PUSH_NULL: {
		unsigned at = c[5] == OPC_PUSH_CONST ? 10 : 6;

		if (left < at + 2 || c[at] < OPC_CMP_EQ || c[at] > OPC_CMP_GE)
			return 0;
		lf->null = c[5] == OPC_PUSH_NULL;
		lf->arg = lf->null ? 0 : rd32(c + 6);
		lf->op = c[at];
		lf->flags = c[at + 1];
		return lf->len = (uint8_t)(at + 2);
	}
	case OPC_IN_SET:
		if (left < 11)
			return 0;
		lf->op = OPC_IN_SET;
		lf->arg = rd32(c + 6);
		lf->flags = c[10];
		return lf->len = 11;
	case OPC_MATCH:
	case OPC_CIDR:
		lf->op = c[5];
		lf->arg = rd32(c + 6);
		return lf->len = 10;
	default:
		return 0;
	}
}

static uint32_t
hash_leaf(const uint8_t *c, unsigned n)
{
	return hash_str((const char *)c, n, false);
}

/* Walks a verified block and numbers its leaf tests. */
static int
leaf_scan(struct vm_rt *rt, const struct img_block *b, uint32_t **tab,
	  uint32_t *cap)
{
	const uint8_t *code = rt->im->code + b->off;
	uint32_t pc = 0;

	while (pc < b->len) {
		const struct opcode_info *oi = &opcode_table[code[pc]];
		struct leaf lf;
		unsigned n = leaf_len(code + pc, b->len - pc, &lf);

		if (n) {
			uint32_t m = *cap - 1, i, h = hash_leaf(code + pc, n);

			for (i = h & m; (*tab)[i]; i = (i + 1) & m) {
				const struct leaf *o = &rt->leaves[(*tab)[i] - 1];

				if (o->len == n && o->op == lf.op &&
				    o->field == lf.field && o->arg == lf.arg &&
				    o->flags == lf.flags && o->null == lf.null)
					break;
			}
			if (!(*tab)[i]) {
				if (rt->nleaves + 1 > *cap / 2)
					return -1;      /* sized up front */
				rt->leaves[rt->nleaves++] = lf;
				(*tab)[i] = rt->nleaves;
			}
			rt->leafat[b->off + pc] = (*tab)[i];
		}
		pc += 1 + img_fmt_size(oi->fmt);
	}
	return 0;
}

/* An equality leaf with its sort key: field, then case mode. */
struct eqkey {
	uint32_t field, id;
	bool ci;
};

/* A wildcard list without `*` or `?` (and, under ci, ASCII only) is a
 * list of equalities: `process.name : "cmd.exe"`. */
static bool
literal_patterns(const struct img_pool_entry *a)
{
	uint32_t i, j;

	if (a->u.pat.mode != 0)
		return false;
	for (i = 0; i < a->u.pat.n; i++)
		for (j = 0; j < a->u.pat.v[i].len; j++) {
			unsigned char c = (unsigned char)a->u.pat.v[i].s[j];

			if (c == '*' || c == '?' || (a->u.pat.ci && c >= 0x80))
				return false;
		}
	return true;
}

/* Whether leaf lf can join an equality index; *ci its case mode. */
static bool
eq_leaf(const struct vm_rt *rt, const struct leaf *lf, bool *ci)
{
	const struct img_pool_entry *f = &rt->im->pool[lf->field];
	const struct img_pool_entry *a = &rt->im->pool[lf->arg];
	uint32_t i;

	if (f->u.field.vtype == VT_DATE || f->u.field.vtype == VT_VERSION)
		return false;
	*ci = lf->flags & IMG_CI;
	if (lf->op == OPC_CMP_EQ)
		return !lf->null && a->type == POOL_STR;
	if (lf->op == OPC_MATCH) {
		*ci = a->u.pat.ci;
		return literal_patterns(a);
	}
	if (lf->op != OPC_IN_SET)
		return false;
	for (i = 0; i < a->u.set.n; i++)
		if (a->u.set.v[i].kind != IV_STR)
			return false;
	return true;
}

/* The strings an equality leaf compares with. */
static uint32_t
eq_nkeys(const struct vm_rt *rt, const struct leaf *lf)
{
	const struct img_pool_entry *a = &rt->im->pool[lf->arg];

	return lf->op == OPC_CMP_EQ ? 1 : lf->op == OPC_MATCH ? a->u.pat.n :
	       a->u.set.n;
}

static void
eq_key(const struct vm_rt *rt, const struct leaf *lf, uint32_t q,
       const char **s, uint32_t *n)
{
	const struct img_pool_entry *a = &rt->im->pool[lf->arg];

	if (lf->op == OPC_CMP_EQ) {
		*s = a->u.str.s;
		*n = a->u.str.len;
	} else if (lf->op == OPC_MATCH) {
		*s = a->u.pat.v[q].s;
		*n = a->u.pat.v[q].len;
	} else {
		*s = a->u.set.v[q].u.s.s;
		*n = a->u.set.v[q].u.s.len;
	}
}

static int
eq_cmp(const void *x, const void *y)
{
	const struct eqkey *a = x, *b = y;

	if (a->field != b->field)
		return a->field < b->field ? -1 : 1;
	if (a->ci != b->ci)
		return a->ci ? 1 : -1;
	return a->id < b->id ? -1 : a->id > b->id;
}

static int
eq_add(struct vm_rt *rt, struct eqidx *x, const char *s, uint32_t n,
       uint32_t leaf)
{
	uint32_t m = x->cap - 1, i;

	for (i = hash_str(s, n, x->ci) & m; x->tab[i].s; i = (i + 1) & m)
		if (text_eq(x->tab[i].s, x->tab[i].n, s, n, x->ci))
			break;
	if (!x->tab[i].s) {
		x->tab[i].s = s;
		x->tab[i].n = n;
	}
	rt->links[rt->nlinks].leaf = leaf;
	rt->links[rt->nlinks].next = x->tab[i].head;
	x->tab[i].head = ++rt->nlinks;
	return 0;
}

/* Builds the equality indexes (fields with two or more such leaves). */
static int
eqs_build(struct vm_rt *rt)
{
	uint32_t i, j, k, n = 0, keys = 0, *ids;
	struct eqkey *ek;
	bool ci;

	ids = calloc(rt->nleaves + 1, sizeof *ids);
	rt->eqs = calloc(rt->nleaves + 1, sizeof *rt->eqs);
	rt->hitgen = calloc(rt->nleaves + 1, sizeof *rt->hitgen);
	if (!ids || !rt->eqs || !rt->hitgen) {
		free(ids);
		return -1;
	}
	for (i = 0; i < rt->nleaves; i++)
		if (eq_leaf(rt, &rt->leaves[i], &ci)) {
			ids[n++] = i;
			keys += eq_nkeys(rt, &rt->leaves[i]);
		}
	rt->links = calloc(keys + 1, sizeof *rt->links);
	if (!rt->links) {
		free(ids);
		return -1;
	}
	ek = calloc(n + 1, sizeof *ek);
	if (!ek) {
		free(ids);
		return -1;
	}
	for (i = 0; i < n; i++) {
		ek[i].id = ids[i];
		ek[i].field = rt->leaves[ids[i]].field;
		eq_leaf(rt, &rt->leaves[ids[i]], &ek[i].ci);
	}
	if (n > 1)
		qsort(ek, n, sizeof *ek, eq_cmp);
	for (i = 0; i < n; i = j) {
		const struct leaf *a = &rt->leaves[ek[i].id];
		struct eqidx *x;
		uint32_t nk = 0;

		for (j = i; j < n; j++) {
			if (ek[j].field != ek[i].field || ek[j].ci != ek[i].ci)
				break;
			nk += eq_nkeys(rt, &rt->leaves[ek[j].id]);
		}
		if (j - i < 2)
			continue;
		x = &rt->eqs[rt->neqs];
		x->field = a->field;
		x->ci = ek[i].ci;
		for (x->cap = 16; x->cap < nk * 2; x->cap *= 2)
			;
		x->tab = calloc(x->cap, sizeof *x->tab);
		if (!x->tab) {
			free(ids);
			free(ek);
			return -1;
		}
		rt->neqs++;
		for (k = i; k < j; k++) {
			struct leaf *b = &rt->leaves[ek[k].id];
			uint32_t q, nq = eq_nkeys(rt, b), sn;
			const char *ss;

			b->eq = rt->neqs;
			/* wildcard ci folds Unicode: ASCII values only */
			if (b->op == OPC_MATCH && x->ci)
				x->ascii = true;
			for (q = 0; q < nq; q++) {
				eq_key(rt, b, q, &ss, &sn);
				eq_add(rt, x, ss, sn, ek[k].id + 1);
			}
		}
	}
	free(ids);
	free(ek);
	return 0;
}

static void get_field(struct vm_rt *rt, uint32_t f,
		      const struct vm_host *host, struct vm_val *out);

/* Looks the field's value up in index x, stamping the leaves it hits. */
static void
eq_eval(struct vm_rt *rt, struct eqidx *x, const struct vm_host *host)
{
	struct vm_val v;
	uint32_t i, n, m = x->cap - 1, h;

	x->gen = rt->gen;
	x->fallback = false;
	get_field(rt, x->field, host, &v);
	n = v.k == VK_MULTI ? v.u.m.n : v.k == VK_NULL ? 0 : 1;
	for (i = 0; i < n; i++) {
		const struct vm_val *e = v.k == VK_MULTI ? &v.u.m.v[i] : &v;

		if (e->k != VK_STR || e->ver) {
			x->fallback = true;
			return;
		}
		if (x->ascii) {
			uint32_t b;

			for (b = 0; b < e->u.s.n; b++)
				if ((unsigned char)e->u.s.s[b] >= 0x80) {
					x->fallback = true;
					return;
				}
		}
	}
	for (i = 0; i < n; i++) {
		const struct vm_val *e = v.k == VK_MULTI ? &v.u.m.v[i] : &v;

		for (h = hash_str(e->u.s.s, e->u.s.n, x->ci) & m; x->tab[h].s;
		     h = (h + 1) & m) {
			uint32_t l;

			if (!text_eq(x->tab[h].s, x->tab[h].n, e->u.s.s,
				    e->u.s.n, x->ci))
				continue;
			for (l = x->tab[h].head; l; l = rt->links[l - 1].next)
				rt->hitgen[rt->links[l - 1].leaf - 1] = rt->gen;
			break;
		}
	}
}

static int
leaves_build(struct vm_rt *rt)
{
	const struct image *im = rt->im;
	uint32_t cap = 64, *tab, i, j, k;
	int rc = 0;

	while (cap < im->codelen / 4 + 64)
		cap *= 2;
	rt->leafat = calloc(im->codelen + 1, sizeof *rt->leafat);
	rt->leaves = calloc(cap / 2 + 1, sizeof *rt->leaves);
	tab = calloc(cap, sizeof *tab);
	if (!rt->leafat || !rt->leaves || !tab) {
		free(tab);
		return -1;
	}
	for (i = 0; i < im->npool && rc == 0; i++)
		if (im->pool[i].type == POOL_ANCESTOR)
			rc = leaf_scan(rt, &im->pool[i].u.anc.code, &tab, &cap);
	for (i = 0; i < im->nrules && rc == 0; i++)
		for (j = 0; j < im->rules[i].nstages && rc == 0; j++) {
			const struct img_stage *st = &im->rules[i].stages[j];

			rc = leaf_scan(rt, &st->code, &tab, &cap);
			for (k = 0; k < st->nkeys && rc == 0; k++)
				rc = leaf_scan(rt, &st->keys[k], &tab, &cap);
		}
	free(tab);
	rt->memogen = calloc(rt->nleaves + 1, sizeof *rt->memogen);
	rt->memo = calloc(rt->nleaves + 1, sizeof *rt->memo);
	rt->fgen = calloc(im->npool + 1, sizeof *rt->fgen);
	rt->fval = calloc(im->npool + 1, sizeof *rt->fval);
	if (rc < 0 || !rt->memogen || !rt->memo || !rt->fgen || !rt->fval)
		return -1;
	rt->gen = 1;
	if (eqs_build(rt) < 0)
		return -1;
	return 0;
}

/* The typed value of field f for the subject; for the current event it
 * is read once and shared by every rule. */
static void
get_field(struct vm_rt *rt, uint32_t f, const struct vm_host *host,
	  struct vm_val *out)
{
	struct vm_val raw;

	if (host->memo && rt->fgen[f] == rt->gen) {
		*out = rt->fval[f];
		return;
	}
	host->field(host->h, f, &raw);
	vm_field_value(rt, f, &raw, out);
	if (host->memo) {
		rt->fval[f] = *out;
		rt->fgen[f] = rt->gen;
	}
}

/* 1 true, 0 false, 2 null. */
static int
leaf_eval(struct vm_rt *rt, const struct leaf *lf, const struct vm_host *host)
{
	const struct image *im = rt->im;
	const struct img_pool_entry *pe;
	struct vm_val v, c;
	bool r;

	get_field(rt, lf->field, host, &v);
	switch (lf->op) {
	case OPC_IN_SET:
		ANY_ELEMENT(r, &v, e, set_has(rt, lf->arg, e,
					      lf->flags & IMG_CI));
		return lf->flags & IMG_NEG ? !r : r;
	case OPC_MATCH:
		ANY_ELEMENT(r, &v, e, e->k == VK_STR &&
			    rx_match(rt->rx[lf->arg], e->u.s.s, e->u.s.n));
		return r;
	case OPC_CIDR:
		pe = &im->pool[lf->arg];
		ANY_ELEMENT(r, &v, e, cidr_has(pe->u.cidr.v, pe->u.cidr.n, e));
		return r;
	default:
		if (lf->null)
			c.k = VK_NULL;
		else
			push_const(&im->pool[lf->arg], &c);
		return compare((enum opcode)lf->op, &v, &c,
			       lf->flags & IMG_CI);
	}
}

size_t
vm_guards(const struct vm_rt *rt, const struct img_block *b, uint32_t *ids,
	  size_t max, uint32_t *resume)
{
	const uint8_t *code = rt->im->code + b->off;
	uint32_t pc = 0, id;
	size_t n = 0;

	while (n < max && pc < b->len && (id = rt->leafat[b->off + pc])) {
		uint32_t next = pc + rt->leaves[id - 1].len;

		if (next + 5 <= b->len &&
		    code[next] == OPC_JUMP_IF_FALSE_KEEP &&
		    next + 5 + (int32_t)rd32(code + next + 1) == b->len - 1) {
			ids[n++] = id;          /* false: the whole block is */
			pc = next + 5;
		} else {
			if (next == b->len - 1) {
				ids[n++] = id;  /* the leaf is the block */
				pc = b->len;
			}
			break;
		}
	}
	*resume = pc;
	return n;
}

static int
leaf(struct vm_rt *rt, uint32_t id, const struct vm_host *host)
{
	int r;

	const struct leaf *lf = &rt->leaves[id - 1];

	if (!host->memo)
		return leaf_eval(rt, lf, host);
	if (rt->memogen[id - 1] == rt->gen)
		return rt->memo[id - 1];
	if (lf->eq) {
		struct eqidx *x = &rt->eqs[lf->eq - 1];

		if (x->gen != rt->gen)
			eq_eval(rt, x, host);
		if (!x->fallback) {
			r = rt->hitgen[id - 1] == rt->gen;
			if (lf->op == OPC_IN_SET && (lf->flags & IMG_NEG))
				r = !r;
			goto done;
		}
	}
	r = leaf_eval(rt, lf, host);
done:
	rt->memo[id - 1] = (uint8_t)r;
	rt->memogen[id - 1] = rt->gen;
	return r;
}

uint32_t
vm_leaf_count(const struct vm_rt *rt)
{
	return rt->nleaves;
}

bool
vm_leaf_is_pattern(const struct vm_rt *rt, uint32_t id)
{
	return rt->leaves[id - 1].op == OPC_MATCH;
}

bool
vm_leaf(struct vm_rt *rt, uint32_t id, const struct vm_host *host)
{
	return leaf(rt, id, host) == 1;
}

/* ---- the runtime ---- */

struct vm_rt *
vm_rt_new(const struct image *im, char *err, size_t errlen)
{
	struct vm_rt *rt = calloc(1, sizeof *rt);
	uint32_t i, j, depth = 0;
	size_t anc = 0;
	size_t errpat, erroff;

	if (!rt)
		goto oom;
	rt->im = im;
	rt->rx = calloc(im->npool ? im->npool : 1, sizeof *rt->rx);
	rt->sets = calloc(im->npool ? im->npool : 1, sizeof *rt->sets);
	if (!rt->rx || !rt->sets)
		goto oom;
	for (i = 0; i < im->npool; i++) {
		const struct img_pool_entry *pe = &im->pool[i];

		if (pe->type == POOL_SET && set_build(&rt->sets[i], pe) < 0)
			goto oom;
		if (pe->type == POOL_PATTERNS) {
			struct rx_pattern *p = calloc(pe->u.pat.n ?
						      pe->u.pat.n : 1,
						      sizeof *p);

			if (!p)
				goto oom;
			for (j = 0; j < pe->u.pat.n; j++) {
				p[j].s = pe->u.pat.v[j].s;
				p[j].len = pe->u.pat.v[j].len;
				p[j].kind = pe->u.pat.mode ? RX_LUCENE :
					    RX_WILDCARD;
			}
			rt->rx[i] = rx_compile(p, pe->u.pat.n,
					       pe->u.pat.ci ? RX_CI : 0, err,
					       errlen, &errpat, &erroff);
			free(p);
			/* hundreds of pattern lists: each DFA cache stays
			 * small (it is flushed and rebuilt when full) */
			if (rt->rx[i])
				rx_set_cache_limit(rt->rx[i], RT_RX_CACHE);
			if (!rt->rx[i]) {
				char msg[256];

				snprintf(msg, sizeof msg, "%s", err);
				snprintf(err, errlen, "pool entry %u, pattern "
					 "%zu: %s", i, errpat, msg);
				vm_rt_free(rt);
				return NULL;
			}
		}
		if (pe->type == POOL_ANCESTOR)
			anc += (size_t)pe->u.anc.code.maxdepth + 1;
	}
	for (i = 0; i < im->nrules; i++) {
		const struct img_rule *r = &im->rules[i];

		for (j = 0; j < r->nstages; j++) {
			const struct img_stage *st = &r->stages[j];
			uint16_t k;

			if (st->code.maxdepth > depth)
				depth = st->code.maxdepth;
			for (k = 0; k < st->nkeys; k++)
				if (st->keys[k].maxdepth > depth)
					depth = st->keys[k].maxdepth;
		}
	}
	if (leaves_build(rt) < 0)
		goto oom;
	/* An ancestor block runs above the frame of the block that asked
	 * for it; a chain of them names each descriptor at most once (the
	 * verifier only lets a descriptor refer to earlier ones), so the
	 * deepest rule block plus every ancestor block bounds the stack. */
	rt->stackcap = (size_t)depth + 1 + anc;
	rt->stack = calloc(rt->stackcap, sizeof *rt->stack);
	if (!rt->stack)
		goto oom;
	return rt;
oom:
	snprintf(err, errlen, "out of memory");
	vm_rt_free(rt);
	return NULL;
}

void
vm_rt_free(struct vm_rt *rt)
{
	uint32_t i;
	struct sblock *b, *next;

	if (!rt)
		return;
	for (i = 0; rt->im && i < rt->im->npool; i++) {
		if (rt->rx)
			rx_free(rt->rx[i]);
		if (rt->sets) {
			free(rt->sets[i].slot);
			free(rt->sets[i].fslot);
		}
	}
	for (b = rt->scratch; b; b = next) {
		next = b->next;
		free(b);
	}
	free(rt->rx);
	free(rt->sets);
	free(rt->stack);
	free(rt->leafat);
	free(rt->leaves);
	free(rt->memogen);
	free(rt->memo);
	free(rt->fgen);
	free(rt->fval);
	for (i = 0; rt->eqs && i < rt->neqs; i++)
		free(rt->eqs[i].tab);
	free(rt->eqs);
	free(rt->links);
	free(rt->hitgen);
	free(rt);
}

const struct image *
vm_rt_image(const struct vm_rt *rt)
{
	return rt->im;
}


static void
push_const(const struct img_pool_entry *pe, struct vm_val *v)
{
	v->ver = 0;
	switch (pe->type) {
	case POOL_STR:
		v->k = VK_STR;
		v->u.s.s = pe->u.str.s;
		v->u.s.n = pe->u.str.len;
		break;
	case POOL_LONG:
		v->k = VK_LONG;
		v->u.i = pe->u.i;
		break;
	case POOL_DOUBLE:
		v->k = VK_DOUBLE;
		v->u.d = pe->u.d;
		break;
	default:
		v->k = VK_NULL;
		break;
	}
}

/*
 * Runs one block with its stack starting at `base`.  The verifier has
 * proved every operand index, jump target and the stack depth, so the
 * loop only decodes.
 */
static void
run(struct vm_rt *rt, const struct img_block *b, uint32_t at,
    const struct vm_host *host, struct vm_val *base, struct vm_val *out)
{
	const struct image *im = rt->im;
	const uint8_t *code = im->code + b->off, *pc = code + at;
	struct vm_val *sp = base;       /* next free slot */
	uint32_t a;
	bool r;
	int t;

	for (;;) {
		enum opcode op = (enum opcode)*pc++;

		vmdispatch(op) {
		vmcase(OPC_NOP)
			vmbreak;
		vmcase(OPC_PUSH_NULL)
			(sp++)->k = VK_NULL;
			vmbreak;
		vmcase(OPC_PUSH_TRUE)
			set_bool(sp++, true);
			vmbreak;
		vmcase(OPC_PUSH_FALSE)
			set_bool(sp++, false);
			vmbreak;
		vmcase(OPC_PUSH_FIELD)
			if ((a = rt->leafat[pc - 1 - im->code])) {
				t = leaf(rt, a, host);
				if (t == 2)
					(sp++)->k = VK_NULL;
				else
					set_bool(sp++, t);
				pc += rt->leaves[a - 1].len - 1;
				vmbreak;
			}
			a = rd32(pc);
			pc += 4;
			get_field(rt, a, host, sp++);
			vmbreak;
		vmcase(OPC_PUSH_CONST)
			a = rd32(pc);
			pc += 4;
			push_const(&im->pool[a], sp++);
			vmbreak;
		vmcase(OPC_POP)
			sp--;
			vmbreak;
		vmcase(OPC_CMP_EQ)
		vmcase(OPC_CMP_NE)
		vmcase(OPC_CMP_LT)
		vmcase(OPC_CMP_LE)
		vmcase(OPC_CMP_GT)
		vmcase(OPC_CMP_GE)
			t = compare(op, &sp[-2], &sp[-1], *pc & IMG_CI);
			pc++;
			sp--;
			if (t == 2)
				sp[-1].k = VK_NULL;
			else
				set_bool(&sp[-1], t);
			vmbreak;
		vmcase(OPC_IN_SET) {
			bool ci = pc[4] & IMG_CI, neg = pc[4] & IMG_NEG;

			a = rd32(pc);
			pc += 5;
			ANY_ELEMENT(r, &sp[-1], e, set_has(rt, a, e, ci));
			set_bool(&sp[-1], neg ? !r : r);
			vmbreak;
		}
		vmcase(OPC_MATCH) {
			struct rx *x;

			a = rd32(pc);
			pc += 4;
			x = rt->rx[a];
			ANY_ELEMENT(r, &sp[-1], e, e->k == VK_STR &&
				    rx_match(x, e->u.s.s, e->u.s.n));
			set_bool(&sp[-1], r);
			vmbreak;
		}
		vmcase(OPC_CIDR) {
			const struct img_pool_entry *pe;

			a = rd32(pc);
			pc += 4;
			pe = &im->pool[a];
			if (sp[-1].k == VK_NULL)
				vmbreak;        /* cidrMatch(null, ...) = null */
			ANY_ELEMENT(r, &sp[-1], e,
				    cidr_has(pe->u.cidr.v, pe->u.cidr.n, e));
			set_bool(&sp[-1], r);
			vmbreak;
		}
		vmcase(OPC_CALL) {
			unsigned fn = pc[0], argc = pc[1];
			bool ci = pc[2] & IMG_CI;
			struct vm_val res;

			pc += 3;
			call(rt, fn, sp - argc, argc, ci, &res);
			sp -= argc;
			*sp++ = res;
			vmbreak;
		}
		vmcase(OPC_NOT)
			set_bool(&sp[-1], !truthy(&sp[-1]));
			vmbreak;
		vmcase(OPC_IS_NULL)
			set_bool(&sp[-1], sp[-1].k == VK_NULL);
			vmbreak;
		vmcase(OPC_ADD)
		vmcase(OPC_SUB)
		vmcase(OPC_MUL)
		vmcase(OPC_DIV)
		vmcase(OPC_MOD) {
			struct vm_val res;

			arith(op, &sp[-2], &sp[-1], &res);
			sp--;
			sp[-1] = res;
			vmbreak;
		}
		vmcase(OPC_NEG) {
			struct vm_val n;

			if (!as_number(first(&sp[-1]), &n))
				sp[-1].k = VK_NULL;
			else if (n.k == VK_LONG)
				sp[-1].u.i = (int64_t)(0 - (uint64_t)n.u.i),
				sp[-1].k = VK_LONG;
			else
				sp[-1].u.d = -n.u.d, sp[-1].k = VK_DOUBLE;
			vmbreak;
		}
		vmcase(OPC_JUMP)
			pc += 4 + (int32_t)rd32(pc);
			vmbreak;
		vmcase(OPC_JUMP_IF_FALSE_KEEP)
			if (!truthy(&sp[-1])) {
				set_bool(&sp[-1], false);
				pc += 4 + (int32_t)rd32(pc);
			} else {
				sp--;
				pc += 4;
			}
			vmbreak;
		vmcase(OPC_JUMP_IF_TRUE_KEEP)
			if (truthy(&sp[-1])) {
				pc += 4 + (int32_t)rd32(pc);
			} else {
				sp--;
				pc += 4;
			}
			vmbreak;
		vmcase(OPC_ANCESTOR)
			a = rd32(pc);
			pc += 4;
			set_bool(sp++, host->ancestor &&
				 host->ancestor(host->h, a));
			vmbreak;
		vmcase(OPC_RET)
			*out = sp[-1];
			return;
		default:
			out->k = VK_NULL;       /* unreachable after verify */
			return;
		}
	}
}

/* Runs block b from offset `at` in a frame above the frames in use (an
 * ancestor block runs while a rule block waits for it). */
static void
frame(struct vm_rt *rt, const struct img_block *b, uint32_t at,
      const struct vm_host *host, struct vm_val *out)
{
	size_t base = rt->top;

	if (base + (size_t)b->maxdepth + 1 > rt->stackcap) {
		out->k = VK_NULL;       /* not reachable for verified code */
		return;
	}
	rt->top = base + b->maxdepth + 1;
	run(rt, b, at, host, rt->stack + base, out);
	rt->top = base;
}

void
vm_eval(struct vm_rt *rt, const struct img_block *b,
	const struct vm_host *host, struct vm_val *out)
{
	frame(rt, b, 0, host, out);
}

bool
vm_test_at(struct vm_rt *rt, const struct img_block *b, uint32_t at,
	   const struct vm_host *host)
{
	struct vm_val v;

	if (at >= b->len)
		return true;
	frame(rt, b, at, host, &v);
	return truthy(&v);
}

bool
vm_test(struct vm_rt *rt, const struct img_block *b,
	const struct vm_host *host)
{
	return vm_test_at(rt, b, 0, host);
}

/* ---- values as keys ---- */

void
vm_val_json(const struct vm_val *v, struct strbuf *sb)
{
	char buf[64];
	uint32_t i;

	switch (v->k) {
	case VK_NULL: sb_puts(sb, "null"); return;
	case VK_BOOL: sb_puts(sb, v->u.b ? "true" : "false"); return;
	case VK_LONG: sb_printf(sb, "%" PRId64, v->u.i); return;
	case VK_DOUBLE:
		if (isfinite(v->u.d))
			sb_printf(sb, "%.17g", v->u.d);
		else
			sb_puts(sb, "null");
		return;
	case VK_STR:
		sb_putc(sb, '"');
		sb_json_escape(sb, v->u.s.s, v->u.s.n);
		sb_putc(sb, '"');
		return;
	case VK_DATE:
		vm_format_date(v->u.i, buf, sizeof buf);
		sb_printf(sb, "\"%s\"", buf);
		return;
	case VK_MULTI:
		sb_putc(sb, '[');
		for (i = 0; i < v->u.m.n; i++) {
			if (i)
				sb_putc(sb, ',');
			vm_val_json(&v->u.m.v[i], sb);
		}
		sb_putc(sb, ']');
		return;
	}
}

bool
vm_val_same(const struct vm_val *a, const struct vm_val *b)
{
	if (a->k != b->k)
		return false;
	switch (a->k) {
	case VK_NULL: return true;
	case VK_BOOL: return a->u.b == b->u.b;
	case VK_LONG:
	case VK_DATE: return a->u.i == b->u.i;
	case VK_DOUBLE: return a->u.d == b->u.d;
	case VK_STR:
		return text_eq(a->u.s.s, a->u.s.n, b->u.s.s, b->u.s.n, false);
	default: return false;
	}
}

int
vm_val_order(const struct vm_val *a, const struct vm_val *b)
{
	if (a->k != b->k) {
		struct vm_val x, y;

		if ((a->k == VK_LONG || a->k == VK_DOUBLE) &&
		    (b->k == VK_LONG || b->k == VK_DOUBLE)) {
			x = *a;
			y = *b;
			return num_cmp(&x, &y);
		}
		return a->k < b->k ? -1 : 1;
	}
	switch (a->k) {
	case VK_NULL: return 0;
	case VK_BOOL: return (int)a->u.b - (int)b->u.b;
	case VK_LONG:
	case VK_DATE: return a->u.i < b->u.i ? -1 : a->u.i > b->u.i;
	case VK_DOUBLE: return a->u.d < b->u.d ? -1 : a->u.d > b->u.d;
	case VK_STR:
		return str_cmp(a->u.s.s, a->u.s.n, b->u.s.s, b->u.s.n);
	default: return 0;
	}
}
