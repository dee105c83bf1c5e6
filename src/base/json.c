/*
 * json.c - strict JSON reader with byte offsets (see json.h).
 *
 * A recursive descent parser over data[pos..limit).  Recursion is bounded by
 * JSON_MAX_DEPTH (two small frames per level), so hostile nesting cannot
 * exhaust the C stack.  The elements and members of all open containers
 * wait on two growable stacks shared by every level; when a container
 * closes, its slice is copied into the arena and popped, so building costs
 * O(n) in total.  A string without escapes is validated in place and copied
 * in one go; a string with escapes is decoded through a scratch buffer while
 * its segment map is collected, one entry after each escape.
 *
 * The first error wins: every function returns failure (NULL or false) as
 * soon as it sees one, and nothing is read past `limit`.
 */
#include "base/json.h"

#include "base/encoding.h"

#include <inttypes.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct parser {
	struct arena *a;
	const unsigned char *data;
	size_t pos, limit;
	struct json_error *err;
	bool failed;
	/* temporaries from the arena's allocator, freed by json_parse_range */
	struct json_value **vals;       /* items of open arrays */
	size_t nvals, capvals;
	struct json_member *mems;       /* members of open objects */
	size_t nmems, capmems;
	char *buf;                      /* decoded string, number copy */
	size_t nbuf, capbuf;
	struct segmap_entry *map;       /* map of the string being decoded */
	size_t nmap, capmap;
};

/* Where a "found ..." description appears, to choose a hint. */
enum ctx { CTX_NONE, CTX_VALUE, CTX_KEY, CTX_NEXT };

static struct json_value *parse_value(struct parser *ps, unsigned depth);

/* Records the first error; later ones are consequences and are dropped. */
static void fail(struct parser *ps, size_t at, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
fail(struct parser *ps, size_t at, const char *fmt, ...)
{
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	ps->err->offset = at > UINT32_MAX ? UINT32_MAX : (uint32_t)at;
	va_start(ap, fmt);
	vsnprintf(ps->err->message, sizeof ps->err->message, fmt, ap);
	va_end(ap);
}

/* Reports an allocation failure, sticky on the arena as for any other. */
static bool
oom(struct parser *ps)
{
	ps->a->oom = true;
	fail(ps, ps->pos, "out of memory");
	return false;
}

static bool
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static bool
is_word(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    is_digit(c) || c == '_';
}

static int
hexval(int c)
{
	if (is_digit(c))
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* The byte at `at`, or -1 at the end of the range. */
static int
peek(const struct parser *ps, size_t at)
{
	return at < ps->limit ? ps->data[at] : -1;
}

static void
skip_ws(struct parser *ps)
{
	while (ps->pos < ps->limit) {
		unsigned char c = ps->data[ps->pos];

		if (c != ' ' && c != '\t' && c != '\n' && c != '\r')
			break;
		ps->pos++;
	}
}

/* Encodes a scalar value (not a surrogate, at most U+10FFFF) as UTF-8. */
static int
utf8_encode(uint32_t cp, unsigned char *out)
{
	if (cp < 0x80) {
		out[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (unsigned char)(0xC0 | cp >> 6);
		out[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (unsigned char)(0xE0 | cp >> 12);
		out[1] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
		out[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	out[0] = (unsigned char)(0xF0 | cp >> 18);
	out[1] = (unsigned char)(0x80 | (cp >> 12 & 0x3F));
	out[2] = (unsigned char)(0x80 | (cp >> 6 & 0x3F));
	out[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

/* Describes what is at `at` for a "found ..." message: end of input, a
 * word ('NaN'), a printable character, a code point, or a stray byte. */
static void
describe(const struct parser *ps, size_t at, char *out, size_t size)
{
	const unsigned char *d = ps->data;
	uint32_t cp;
	size_t e;
	int n;

	if (at >= ps->limit) {
		snprintf(out, size, "end of input");
	} else if (is_word(d[at])) {
		for (e = at; e < ps->limit && is_word(d[e]) && e - at < 24; e++)
			;
		snprintf(out, size, "'%.*s%s'", (int)(e - at),
			 (const char *)d + at,
			 e < ps->limit && is_word(d[e]) ? "..." : "");
	} else if (d[at] == '\'') {
		snprintf(out, size, "\"'\"");
	} else if (d[at] >= 0x20 && d[at] < 0x7F) {
		snprintf(out, size, "'%c'", d[at]);
	} else if (d[at] < 0x80) {
		snprintf(out, size, "U+%04X", d[at]);
	} else if ((n = utf8_decode(d + at, ps->limit - at, &cp)) > 0) {
		snprintf(out, size, "'%.*s' (U+%04" PRIX32 ")", n,
			 (const char *)d + at, cp);
	} else {
		snprintf(out, size, "byte 0x%02X", d[at]);
	}
}

/* Case-insensitive comparison of the word at `at` with lowercase `w`. */
static bool
word_is(const struct parser *ps, size_t at, const char *w)
{
	size_t n = strlen(w), i;

	if (ps->limit - at < n ||
	    (at + n < ps->limit && is_word(ps->data[at + n])))
		return false;
	for (i = 0; i < n; i++)
		if ((ps->data[at + i] | 0x20) != w[i])
			return false;
	return true;
}

/* A hint for a common mistake at `at`, or "". */
static const char *
hint(const struct parser *ps, size_t at, enum ctx ctx)
{
	const unsigned char *d = ps->data;
	int c = peek(ps, at);

	if (c < 0)
		return "";
	if (c == '\'' && (ctx == CTX_VALUE || ctx == CTX_KEY))
		return " (JSON strings use double quotes)";
	if (c == '/' || c == '#')
		return " (JSON does not allow comments)";
	if (c == 0xE2 && ps->limit - at >= 3 && d[at + 1] == 0x80 &&
	    d[at + 2] >= 0x98 && d[at + 2] <= 0x9D)
		return " (a typographic quote; JSON strings use '\"')";
	if (ctx == CTX_VALUE) {
		if (word_is(ps, at, "true") || word_is(ps, at, "false") ||
		    word_is(ps, at, "null") || word_is(ps, at, "none"))
			return " (JSON literals are lowercase: true, false, "
			    "null)";
		if (word_is(ps, at, "nan") || word_is(ps, at, "infinity") ||
		    word_is(ps, at, "inf"))
			return " (JSON has no NaN or Infinity)";
		if (c == '+')
			return " (a number cannot start with '+')";
		if (c == '.')
			return " (a number needs a digit before '.')";
	}
	if (ctx == CTX_KEY && is_word(c))
		return " (object keys must be double-quoted strings)";
	if (ctx == CTX_NEXT && (c == '"' || c == '{' || c == '[' ||
	    c == '-' || is_word(c)))
		return " (missing ',')";
	return "";
}

/* Fails with "expected <what>, found <description><hint>" at `at`. */
static void *
expected(struct parser *ps, size_t at, const char *what, enum ctx ctx)
{
	char found[64];

	describe(ps, at, found, sizeof found);
	fail(ps, at, "expected %s, found %s%s", what, found, hint(ps, at, ctx));
	return NULL;
}

/* Returns an array of at least `need` elements of `size` bytes holding the
 * `used` elements of `old`, which is released; NULL (old kept) on failure.
 * Capacities double, so pushing n elements costs O(n). */
static void *
grow(struct parser *ps, void *old, size_t used, size_t *cap, size_t need,
     size_t size)
{
	size_t ncap = *cap ? *cap : 16;
	void *p;

	while (ncap < need) {
		if (ncap > SIZE_MAX / 2)
			return NULL;
		ncap *= 2;
	}
	if (ncap > SIZE_MAX / size)
		return NULL;
	p = rc_alloc(ps->a->al, ncap * size);
	if (!p)
		return NULL;
	if (used)
		memcpy(p, old, used * size);
	if (old)
		rc_release(ps->a->al, old);
	*cap = ncap;
	return p;
}

/* Pushes onto the temporary stacks, growing them as needed. */
static bool
push_val(struct parser *ps, struct json_value *v)
{
	if (ps->nvals == ps->capvals) {
		void *p = grow(ps, ps->vals, ps->nvals, &ps->capvals,
			       ps->nvals + 1, sizeof *ps->vals);
		if (!p)
			return oom(ps);
		ps->vals = p;
	}
	ps->vals[ps->nvals++] = v;
	return true;
}

static bool
push_mem(struct parser *ps, const struct json_member *m)
{
	if (ps->nmems == ps->capmems) {
		void *p = grow(ps, ps->mems, ps->nmems, &ps->capmems,
			       ps->nmems + 1, sizeof *ps->mems);
		if (!p)
			return oom(ps);
		ps->mems = p;
	}
	ps->mems[ps->nmems++] = *m;
	return true;
}

static bool
push_map(struct parser *ps, size_t text_off, size_t src_off)
{
	if (ps->nmap == ps->capmap) {
		void *p = grow(ps, ps->map, ps->nmap, &ps->capmap,
			       ps->nmap + 1, sizeof *ps->map);
		if (!p)
			return oom(ps);
		ps->map = p;
	}
	ps->map[ps->nmap].text_off = (uint32_t)text_off;
	ps->map[ps->nmap].src_off = (uint32_t)src_off;
	ps->nmap++;
	return true;
}

/* Appends s[0..n) to the scratch buffer. */
static bool
append(struct parser *ps, const void *s, size_t n)
{
	if (n > ps->capbuf - ps->nbuf) {
		void *p;

		if (n > SIZE_MAX - ps->nbuf)
			return oom(ps);
		p = grow(ps, ps->buf, ps->nbuf, &ps->capbuf, ps->nbuf + n, 1);
		if (!p)
			return oom(ps);
		ps->buf = p;
	}
	if (n)
		memcpy(ps->buf + ps->nbuf, s, n);
	ps->nbuf += n;
	return true;
}

/* A zeroed value of `type` starting at `start`, from the arena. */
static struct json_value *
new_value(struct parser *ps, enum json_type type, size_t start)
{
	struct json_value *v = ARENA_NEW(ps->a, struct json_value);

	if (!v) {
		oom(ps);
		return NULL;
	}
	v->type = type;
	v->start = v->end = (uint32_t)start;
	return v;
}

static bool
unterminated(struct parser *ps, size_t quote)
{
	fail(ps, quote, "unterminated string");
	return false;
}

/* Reads the 4 hex digits of a \u escape at `at` into *cp.  A string that
 * ends among them is unterminated (its quote at `quote`). */
static bool
hex4(struct parser *ps, size_t quote, size_t at, uint32_t *cp)
{
	uint32_t v = 0;
	size_t i;
	int h;

	for (i = 0; i < 4; i++) {
		if (at + i >= ps->limit)
			return unterminated(ps, quote);
		h = hexval(ps->data[at + i]);
		if (h < 0 && ps->data[at + i] >= 0x20 &&
		    ps->data[at + i] < 0x7F) {
			fail(ps, at + i, "expected 4 hex digits after '\\u', "
			     "found '%c'", ps->data[at + i]);
			return false;
		}
		if (h < 0) {
			expected(ps, at + i, "4 hex digits after '\\u'",
				 CTX_NONE);
			return false;
		}
		v = v << 4 | (uint32_t)h;
	}
	*cp = v;
	return true;
}

static bool
lone_surrogate(struct parser *ps, size_t esc)
{
	fail(ps, esc, "lone surrogate '%.6s' in string",
	     (const char *)ps->data + esc);
	return false;
}

/* Decodes the escape whose backslash is at *pos, in the string opened at
 * `quote`: appends its UTF-8 to the scratch buffer and moves *pos past it.
 * A high surrogate must be followed at once by an escaped low surrogate. */
static bool
escape(struct parser *ps, size_t quote, size_t *pos)
{
	const unsigned char *d = ps->data;
	size_t e = *pos;
	unsigned char out[4];
	uint32_t cp, lo;
	char what[64];

	if (e + 1 >= ps->limit)
		return unterminated(ps, quote);
	switch (d[e + 1]) {
	case '"': out[0] = '"'; break;
	case '\\': out[0] = '\\'; break;
	case '/': out[0] = '/'; break;
	case 'b': out[0] = '\b'; break;
	case 'f': out[0] = '\f'; break;
	case 'n': out[0] = '\n'; break;
	case 'r': out[0] = '\r'; break;
	case 't': out[0] = '\t'; break;
	case 'u':
		if (!hex4(ps, quote, e + 2, &cp))
			return false;
		*pos = e + 6;
		if (cp >= 0xDC00 && cp <= 0xDFFF)
			return lone_surrogate(ps, e);
		if (cp >= 0xD800 && cp <= 0xDBFF) {
			if (peek(ps, e + 6) == '\\' && peek(ps, e + 7) == 'u') {
				if (!hex4(ps, quote, e + 8, &lo))
					return false;
				if (lo < 0xDC00 || lo > 0xDFFF)
					return lone_surrogate(ps, e);
				cp = 0x10000 + ((cp - 0xD800) << 10) +
				    (lo - 0xDC00);
				*pos = e + 12;
			} else if (e + 6 >= ps->limit ||
			    (d[e + 6] == '\\' && e + 7 >= ps->limit)) {
				return unterminated(ps, quote);
			} else {
				return lone_surrogate(ps, e);
			}
		}
		return append(ps, out, (size_t)utf8_encode(cp, out));
	default:
		if (d[e + 1] >= 0x20 && d[e + 1] < 0x7F) {
			fail(ps, e, "invalid escape '\\%c' in string",
			     d[e + 1]);
		} else {
			describe(ps, e + 1, what, sizeof what);
			fail(ps, e, "invalid escape in string: '\\' followed "
			     "by %s", what);
		}
		return false;
	}
	*pos = e + 2;
	return append(ps, out, 1);
}

/*
 * Parses the string whose opening quote is at ps->pos into *s and *len
 * (arena copies), and with `want_map` also its segment map.  Bytes are
 * copied lazily: `copied` marks how far the document has been moved into
 * the scratch buffer, which is only touched once an escape shows up.
 */
static bool
parse_string(struct parser *ps, const char **s, size_t *len,
	     const struct segmap_entry **map, size_t *nmap, bool want_map)
{
	const unsigned char *d = ps->data;
	size_t quote = ps->pos, pos = quote + 1, copied = pos;
	size_t limit = ps->limit, nesc = 0;
	struct segmap_entry *m;
	uint32_t cp;
	char *p;
	int n;

	ps->nbuf = 0;
	ps->nmap = 0;
	if (want_map && !push_map(ps, 0, pos))
		return false;
	for (;;) {
		while (pos < limit && d[pos] >= 0x20 && d[pos] < 0x80 &&
		       d[pos] != '"' && d[pos] != '\\')
			pos++;
		if (pos >= limit)
			return unterminated(ps, quote);
		if (d[pos] == '"')
			break;
		if (d[pos] == '\\') {
			if (!append(ps, d + copied, pos - copied) ||
			    !escape(ps, quote, &pos))
				return false;
			copied = pos;
			nesc++;
			if (want_map && !push_map(ps, ps->nbuf, pos))
				return false;
		} else if (d[pos] < 0x20) {
			fail(ps, pos, "control character U+%04X in string",
			     d[pos]);
			return false;
		} else {
			n = utf8_decode(d + pos, limit - pos, &cp);
			if (n == 0)
				return unterminated(ps, quote);
			if (n < 0) {
				fail(ps, pos, "invalid UTF-8 in string");
				return false;
			}
			pos += (size_t)n;
		}
	}
	if (nesc == 0) {
		*len = pos - quote - 1;
		p = arena_strndup(ps->a, (const char *)d + quote + 1, *len);
	} else {
		if (!append(ps, d + copied, pos - copied))
			return false;
		*len = ps->nbuf;
		p = arena_strndup(ps->a, ps->buf, ps->nbuf);
	}
	if (!p)
		return oom(ps);
	*s = p;
	if (want_map) {
		m = ARENA_NEWV(ps->a, struct segmap_entry, ps->nmap);
		if (!m)
			return oom(ps);
		memcpy(m, ps->map, ps->nmap * sizeof *m);
		*map = m;
		*nmap = ps->nmap;
	}
	ps->pos = pos + 1;
	return true;
}

/* A string value with its segment map; its span covers both quotes. */
static struct json_value *
string_value(struct parser *ps)
{
	struct json_value *v = new_value(ps, JSON_STRING, ps->pos);

	if (!v || !parse_string(ps, &v->u.str.s, &v->u.str.len,
				&v->u.str.map, &v->u.str.nmap, true))
		return NULL;
	v->end = (uint32_t)ps->pos;
	return v;
}

/* strtod of a JSON number text, which always uses '.', whatever the
 * current locale's decimal point is. */
static bool
to_double(struct parser *ps, const char *raw, size_t len, double *out)
{
	const char *dp = localeconv()->decimal_point;
	const char *dot = memchr(raw, '.', len);

	if (!dot || !dp || (dp[0] == '.' && dp[1] == '\0')) {
		*out = strtod(raw, NULL);
		return true;
	}
	ps->nbuf = 0;
	if (!append(ps, raw, (size_t)(dot - raw)) ||
	    !append(ps, dp, strlen(dp)) ||
	    !append(ps, dot + 1, len - (size_t)(dot - raw) - 1) ||
	    !append(ps, "", 1))
		return false;
	*out = strtod(ps->buf, NULL);
	return true;
}

/* Sets *out to the integer text s[0..len) (an optional '-', then digits)
 * if it fits in int64_t. */
static bool
to_int64(const char *s, size_t len, int64_t *out)
{
	bool neg = s[0] == '-';
	uint64_t m = 0, max = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	size_t i;

	for (i = neg; i < len; i++) {
		unsigned dg = (unsigned)(s[i] - '0');

		if (m > (max - dg) / 10)
			return false;
		m = m * 10 + dg;
	}
	if (!neg)
		*out = (int64_t)m;
	else if (m == (uint64_t)INT64_MAX + 1)
		*out = INT64_MIN;
	else
		*out = -(int64_t)m;
	return true;
}

/* Parses a number following RFC 8259's grammar exactly:
 * -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
static struct json_value *
parse_number(struct parser *ps)
{
	const unsigned char *d = ps->data;
	size_t start = ps->pos, pos = start;
	bool integral = true;
	struct json_value *v;
	char *raw;

	if (d[pos] == '-')
		pos++;
	if (!is_digit(peek(ps, pos)))
		return expected(ps, pos, "a digit after '-'", CTX_VALUE);
	if (d[pos] == '0') {
		pos++;
		if (is_digit(peek(ps, pos))) {
			fail(ps, pos, "leading zeros are not allowed in "
			     "numbers");
			return NULL;
		}
	}
	while (is_digit(peek(ps, pos)))
		pos++;
	if (peek(ps, pos) == '.') {
		integral = false;
		pos++;
		if (!is_digit(peek(ps, pos)))
			return expected(ps, pos, "a digit after '.' in number",
					CTX_NONE);
		while (is_digit(peek(ps, pos)))
			pos++;
	}
	if (peek(ps, pos) == 'e' || peek(ps, pos) == 'E') {
		integral = false;
		pos++;
		if (peek(ps, pos) == '+' || peek(ps, pos) == '-')
			pos++;
		if (!is_digit(peek(ps, pos)))
			return expected(ps, pos, "a digit in the exponent of "
					"number", CTX_NONE);
		while (is_digit(peek(ps, pos)))
			pos++;
	}
	ps->pos = pos;
	if (!(v = new_value(ps, JSON_NUMBER, start)))
		return NULL;
	v->end = (uint32_t)pos;
	raw = arena_strndup(ps->a, (const char *)d + start, pos - start);
	if (!raw) {
		oom(ps);
		return NULL;
	}
	v->u.num.raw = raw;
	v->u.num.rawlen = pos - start;
	if (!to_double(ps, raw, pos - start, &v->u.num.d))
		return NULL;
	if (isinf(v->u.num.d)) {
		fail(ps, start, "number out of range");
		return NULL;
	}
	if (integral)
		v->u.num.is_int = to_int64(raw, pos - start, &v->u.num.i);
	return v;
}

/* Parses true, false or null; any other word is an error, and a prefix of
 * one cut off by the end of input gets its own message. */
static struct json_value *
parse_word(struct parser *ps)
{
	static const char *const lits[] = { "true", "false", "null" };
	const char *w = (const char *)ps->data + ps->pos;
	size_t start = ps->pos, e = start, n, i;
	struct json_value *v;

	while (is_word(peek(ps, e)))
		e++;
	n = e - start;
	for (i = 0; i < 3; i++) {
		if (n == strlen(lits[i]) && memcmp(w, lits[i], n) == 0)
			break;
		if (e == ps->limit && n < strlen(lits[i]) &&
		    memcmp(w, lits[i], n) == 0) {
			fail(ps, start, "unexpected end of input in '%.*s' "
			     "(expected '%s')", (int)n, w, lits[i]);
			return NULL;
		}
	}
	if (i == 3)
		return expected(ps, start, "a value", CTX_VALUE);
	if (!(v = new_value(ps, i == 2 ? JSON_NULL : JSON_BOOL, start)))
		return NULL;
	v->u.b = i == 0;
	ps->pos = e;
	v->end = (uint32_t)e;
	return v;
}

/* Parses an array whose '[' is at ps->pos, enclosed in `depth` others. */
static struct json_value *
parse_array(struct parser *ps, unsigned depth)
{
	size_t start = ps->pos, base = ps->nvals, n;
	struct json_value *v, *item;

	if (depth >= JSON_MAX_DEPTH) {
		fail(ps, start, "nesting deeper than %d levels",
		     JSON_MAX_DEPTH);
		return NULL;
	}
	ps->pos++;
	skip_ws(ps);
	if (peek(ps, ps->pos) == ']') {
		ps->pos++;
	} else {
		for (;;) {
			if (!(item = parse_value(ps, depth + 1)) ||
			    !push_val(ps, item))
				return NULL;
			skip_ws(ps);
			if (peek(ps, ps->pos) == ']') {
				ps->pos++;
				break;
			}
			if (peek(ps, ps->pos) != ',')
				return expected(ps, ps->pos, "',' or ']' after "
						"array element", CTX_NEXT);
			ps->pos++;
			skip_ws(ps);
			if (peek(ps, ps->pos) == ']') {
				fail(ps, ps->pos, "expected a value after ',', "
				     "found ']' (trailing commas are not "
				     "allowed)");
				return NULL;
			}
		}
	}
	if (!(v = new_value(ps, JSON_ARRAY, start)))
		return NULL;
	v->end = (uint32_t)ps->pos;
	n = ps->nvals - base;
	if (n) {
		v->u.arr.items = ARENA_NEWV(ps->a, struct json_value *, n);
		if (!v->u.arr.items) {
			oom(ps);
			return NULL;
		}
		memcpy(v->u.arr.items, ps->vals + base, n * sizeof *ps->vals);
	}
	v->u.arr.n = n;
	ps->nvals = base;
	return v;
}

/* Parses an object whose '{' is at ps->pos, enclosed in `depth` others. */
static struct json_value *
parse_object(struct parser *ps, unsigned depth)
{
	size_t start = ps->pos, base = ps->nmems, n;
	struct json_member m;
	struct json_value *v;
	bool first = true;

	if (depth >= JSON_MAX_DEPTH) {
		fail(ps, start, "nesting deeper than %d levels",
		     JSON_MAX_DEPTH);
		return NULL;
	}
	ps->pos++;
	skip_ws(ps);
	if (peek(ps, ps->pos) == '}') {
		ps->pos++;
	} else {
		for (;;) {
			if (peek(ps, ps->pos) != '"') {
				if (!first && peek(ps, ps->pos) == '}') {
					fail(ps, ps->pos, "expected a string "
					     "key after ',', found '}' "
					     "(trailing commas are not "
					     "allowed)");
					return NULL;
				}
				return expected(ps, ps->pos, first ?
						"a string key or '}'" :
						"a string key after ','",
						CTX_KEY);
			}
			m.key_start = (uint32_t)ps->pos;
			if (!parse_string(ps, &m.key, &m.keylen, NULL, NULL,
					  false))
				return NULL;
			m.key_end = (uint32_t)ps->pos;
			skip_ws(ps);
			if (peek(ps, ps->pos) != ':')
				return expected(ps, ps->pos, "':' after object "
						"key", CTX_NONE);
			ps->pos++;
			if (!(m.value = parse_value(ps, depth + 1)) ||
			    !push_mem(ps, &m))
				return NULL;
			skip_ws(ps);
			if (peek(ps, ps->pos) == '}') {
				ps->pos++;
				break;
			}
			if (peek(ps, ps->pos) != ',')
				return expected(ps, ps->pos, "',' or '}' after "
						"object member", CTX_NEXT);
			ps->pos++;
			skip_ws(ps);
			first = false;
		}
	}
	if (!(v = new_value(ps, JSON_OBJECT, start)))
		return NULL;
	v->end = (uint32_t)ps->pos;
	n = ps->nmems - base;
	if (n) {
		v->u.obj.members = ARENA_NEWV(ps->a, struct json_member, n);
		if (!v->u.obj.members) {
			oom(ps);
			return NULL;
		}
		memcpy(v->u.obj.members, ps->mems + base, n * sizeof *ps->mems);
	}
	v->u.obj.n = n;
	ps->nmems = base;
	return v;
}

/* Parses the value at ps->pos (after whitespace), enclosed in `depth`
 * containers. */
static struct json_value *
parse_value(struct parser *ps, unsigned depth)
{
	int c;

	skip_ws(ps);
	c = peek(ps, ps->pos);
	switch (c) {
	case '{':
		return parse_object(ps, depth);
	case '[':
		return parse_array(ps, depth);
	case '"':
		return string_value(ps);
	case '-':
		return parse_number(ps);
	default:
		if (is_digit(c))
			return parse_number(ps);
		if (is_word(c))
			return parse_word(ps);
		return expected(ps, ps->pos, "a value", CTX_VALUE);
	}
}

/* Runs the parser over one range, then checks that only whitespace follows
 * the value.  The temporary stacks are released on every path. */
struct json_value *
json_parse_range(struct arena *a, const char *data, size_t off, size_t limit,
		 struct json_error *err)
{
	struct json_error dummy;
	struct json_value *v = NULL;
	struct parser ps;

	memset(&ps, 0, sizeof ps);
	ps.a = a;
	ps.data = (const unsigned char *)data;
	ps.err = err ? err : &dummy;
	ps.err->offset = 0;
	ps.err->message[0] = '\0';
	if (limit > UINT32_MAX) {
		fail(&ps, 0, "document too large (4 GiB or more)");
		return NULL;
	}
	if (off > limit) {
		fail(&ps, limit, "invalid range: start after end");
		return NULL;
	}
	ps.pos = off;
	ps.limit = limit;
	if (off == 0 && limit >= 3 && ps.data[0] == 0xEF &&
	    ps.data[1] == 0xBB && ps.data[2] == 0xBF)
		ps.pos = 3;
	v = parse_value(&ps, 0);
	if (v) {
		skip_ws(&ps);
		if (ps.pos < ps.limit)
			v = expected(&ps, ps.pos, "end of input after the JSON "
				     "value", CTX_NONE);
	}
	if (ps.vals)
		rc_release(a->al, ps.vals);
	if (ps.mems)
		rc_release(a->al, ps.mems);
	if (ps.buf)
		rc_release(a->al, ps.buf);
	if (ps.map)
		rc_release(a->al, ps.map);
	return ps.failed ? NULL : v;
}

struct json_value *
json_parse(struct arena *a, const char *data, size_t len,
	   struct json_error *err)
{
	return json_parse_range(a, data, 0, len, err);
}

/* Scans backwards, so that the last of duplicate keys wins. */
const struct json_value *
json_get_n(const struct json_value *obj, const char *key, size_t keylen)
{
	size_t i;

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (i = obj->u.obj.n; i > 0; i--) {
		const struct json_member *m = &obj->u.obj.members[i - 1];

		if (m->keylen == keylen && memcmp(m->key, key, keylen) == 0)
			return m->value;
	}
	return NULL;
}

const struct json_value *
json_get(const struct json_value *obj, const char *key)
{
	return json_get_n(obj, key, strlen(key));
}

const char *
json_type_name(enum json_type t)
{
	switch (t) {
#define X(e, name) case e: return name;
	JSON_TYPE_LIST(X)
#undef X
	}
	return "unknown";
}

void
json_string_text(const struct json_value *v, struct rc_source *src,
		 struct rc_text *t)
{
	t->src = src;
	if (v->type == JSON_STRING) {
		t->data = v->u.str.s;
		t->len = v->u.str.len;
		t->map = v->u.str.map;
		t->nmap = v->u.str.nmap;
		t->base = v->start + 1;
	} else {
		t->data = "";
		t->len = 0;
		t->map = NULL;
		t->nmap = 0;
		t->base = v->start;
	}
}
