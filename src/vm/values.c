/*
 * values.c - typed event values (see runtime.h): numbers and dates,
 * comparisons, arithmetic, CIDR ranges, field transforms, and values as
 * join keys.
 *
 * Comparisons follow Elasticsearch: `==` and friends are exact and
 * case-sensitive unless the instruction says ci; a string compared with a
 * number is read as a number (a keyword "1" equals 1, "x" equals nothing);
 * a date field compared with a string reads the string as a date; strings
 * order by their UTF-8 bytes, which is code-point order.  Integer
 * arithmetic is Java's (wrapping, `/` and `%` truncate toward zero);
 * division by zero gives null.
 */
#include "vm/runtime.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sema/ir.h"
#include "sema/literal.h"

/* ---- strings ---- */


static int
str_cmp(const char *a, size_t an, const char *b, size_t bn)
{
	int c = memcmp(a, b, an < bn ? an : bn);

	if (c)
		return c < 0 ? -1 : 1;
	return an < bn ? -1 : an > bn;
}

/* ---- numbers and dates ---- */

/* Reads a whole string as a number (ES's keyword-to-number reading):
 * optional blanks, sign, digits, fraction, exponent. */
bool
vm_parse_number(const char *s, size_t n, struct vm_val *out)
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

		if (!vm_parse_number(s, n, &v) || v.k != VK_LONG)
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
	int64_t days, rem, z, era, y;
	unsigned doe, yoe, doy, mp, d, m;

	if (!vm_time_ok(ms)) {
		/* no calendar date rulec reads: the number as it came */
		snprintf(buf, len, "%" PRId64, ms);
		return;
	}
	days = ms >= 0 ? ms / 86400000 : -((-ms + 86399999) / 86400000);
	rem = ms - days * 86400000;
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

/* ---- comparisons and arithmetic ---- */

/* Numeric reading of v (numbers, dates, numeric strings). */
bool
vm_as_number(const struct vm_val *v, struct vm_val *out)
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
		return vm_parse_number(v->u.s.s, v->u.s.n, out);
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
int
vm_scalar_cmp(const struct vm_val *a, const struct vm_val *b, bool ci)
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
	if (!vm_as_number(a, &x) || !vm_as_number(b, &y))
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
int
vm_compare(enum opcode op, const struct vm_val *l, const struct vm_val *r,
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
					any = cmp_ok(pos,
						     vm_scalar_cmp(a, b, ci));
			}
		}
	} else {
		any = cmp_ok(pos, vm_scalar_cmp(l, r, ci));
	}
	return op == OPC_CMP_NE ? !any : any;
}

/* l op r for ADD..MOD: Java's wrapping long arithmetic when both are
 * integers, doubles otherwise; null on division by zero. */
void
vm_arith(enum opcode op, const struct vm_val *l, const struct vm_val *r,
	 struct vm_val *out)
{
	struct vm_val a, b;

	out->k = VK_NULL;
	if (!vm_as_number(first(l), &a) || !vm_as_number(first(r), &b))
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

bool
vm_cidr_has(const struct img_cidr *v, uint32_t n, const struct vm_val *x)
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
		el = vm_scratch_alloc(rt, (raw->u.m.n ? raw->u.m.n : 1) *
					  sizeof *el);
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
