/*
 * reader.cc - streaming JSON event reader: a fast walk over a record's
 * bytes, and simdjson On-Demand for whatever that walk cannot vouch for.
 *
 * The fast walk and its JSON grammar are written by hand because simdjson
 * (3.x) has no validating skip: checking every unread value through its
 * On-Demand iterator cost more than the parse, and its passes over every
 * byte (the structural index, then the walk) cost more than one scan that
 * validates, jumps over unread values and decodes the few wanted ones.
 *
 * The only C++ file of rulec.  It uses simdjson's error-code API only and
 * is meant to be compiled with -fno-exceptions -fno-rtti; all our own
 * memory is malloc'd and checked (growing arrays are base/vec.h vectors,
 * the unescaped strings of one event live in a base/arena.h arena emptied
 * for the next), simdjson allocates with nothrow new and reports MEMALLOC.
 * See reader.h for the design.
 */
#include "events/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <new>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include <simdjson.h>

extern "C" {
#include "base/arena.h"
#include "base/encoding.h"
#include "base/strbuf.h"
#include "base/vec.h"
}

using namespace simdjson;

namespace {

enum { MODE_UNKNOWN, MODE_NDJSON, MODE_ARRAY };
/* Array-mode states: what the scanner expects next outside an element. */
enum { A_FIRST, A_ELEM, A_SEP, A_DONE };

/*
 * A node of the path trie: one dot-separated segment of a wanted path
 * (node 0 is the root, the empty path).  Its children are found through
 * a small open-addressing table (at most a quarter full, so that a key
 * no rule reads, the common case, ends its probe at once) of node indices
 * (0: empty slot, as the root is nobody's child) with their seg_hash,
 * compared before the segment is.
 */
struct kid {
	uint32_t node, hash;
};

struct tnode {
	uint32_t off, len;	/* the segment, in names[] */
	int32_t id;		/* slot index if a wanted path ends here */
	uint32_t nkids, tcap;	/* children; table room (a power of 2) */
	kid *kids;
};

/* The hash of a segment: its length and its first and last four bytes
 * (fewer for a shorter one), enough to tell the few dozen keys of an
 * object apart; a collision costs one more probe. */
inline uint32_t
seg_hash(const char *s, size_t n)
{
	uint32_t a, b;
	if (n >= 4) {
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
	} else if (n > 0) {
		a = (unsigned char)s[0] | (uint32_t)(unsigned char)s[n / 2] << 8;
		b = (unsigned char)s[n - 1];
	} else {
		a = b = 0;
	}
	uint32_t h = (uint32_t)n * 0x9E3779B1u ^ a * 0x85EBCA77u ^
	    ((b << 7 | b >> 25) * 0xC2B2AE3Du);
	return h ^ (h >> 16);
}

/* The value of one wanted path in the current event. */
struct slot {
	uint64_t gen;		/* == reader gen when set for this walk */
	ev_value v;
	size_t first, count;	/* element range in elems[] for arrays */
};

} /* namespace */

struct ev_event {
	ev_reader *r;
	uint64_t index;
};

struct ev_reader {
	int fd;
	bool own_fd, eof, dead, oom;
	int mode, astate;

	/* input buffer: [0, end) valid, records start at pos */
	char *buf;
	size_t cap, chunk, pos, end;
	/* ev_open_buffer_chunked: the input in memory, read `chunk` bytes
	 * at a time from mem[memoff..memlen) */
	char *mem;
	size_t memlen, memoff;
	/* the byte after the current record, set to NUL while the record is
	 * parsed and walked (simdjson reads it: a '}' there turned a broken
	 * record's error into "trailing content"), put back by ev_next */
	char *after;
	char after_byte;
	uint64_t base;		/* absolute offset of buf[0] */
	uint64_t line;		/* line number of buf[pos] (1-based) */
	uint64_t nread, nrec;

	/* array mode: end of the current element's scan (for recounts) */
	size_t elem_end;
	int resyncs;		/* resynchronisations after an unterminated
				   element (bounded: each may rescan) */

	/* records longer than this are skipped without being kept */
	size_t max;

	/* current record */
	const char *rec;
	size_t reclen;
	ondemand::parser parser;
	ondemand::document doc;
	ev_event ev;

	/* interest set: the path trie (node 0 the root) */
	VEC(tnode) nodes;
	VEC(char) names;
	VEC(slot) slots;
	uint64_t gen;

	/* per-event scratch */
	VEC(ev_value) elems;
	struct arena strings;	/* unescaped strings */

	/* last error */
	char errbuf[256];
	uint64_t errline, erroff;
};

namespace {

/* Copies n bytes into the event's string arena; the copy lives until the
 * next event. */
const char *
copy_string(ev_reader *r, const char *s, size_t n)
{
	char *d = (char *)arena_alloc(&r->strings, n);
	if (!d) {
		r->oom = true;
		return NULL;
	}
	memcpy(d, s, n);
	return d;
}

void
set_error(ev_reader *r, const char *what, const char *detail)
{
	snprintf(r->errbuf, sizeof r->errbuf, "%s%s", what, detail);
}

/* ---- interest set: the path trie ---- */

/* Whether a[0..n) == b[0..n): short keys without a call to memcmp (two
 * overlapping loads). */
inline bool
same(const char *a, const char *b, size_t n)
{
	if (n >= 4 && n <= 8) {
		uint32_t x0, y0, x1, y1;
		memcpy(&x0, a, 4);
		memcpy(&y0, b, 4);
		memcpy(&x1, a + n - 4, 4);
		memcpy(&y1, b + n - 4, 4);
		return ((x0 ^ y0) | (x1 ^ y1)) == 0;
	}
	if (n > 8 && n <= 16) {
		uint64_t x0, y0, x1, y1;
		memcpy(&x0, a, 8);
		memcpy(&y0, b, 8);
		memcpy(&x1, a + n - 8, 8);
		memcpy(&y1, b + n - 8, 8);
		return ((x0 ^ y0) | (x1 ^ y1)) == 0;
	}
	if (n < 4) {
		for (size_t i = 0; i < n; i++)
			if (a[i] != b[i])
				return false;
		return true;
	}
	return memcmp(a, b, n) == 0;
}

/* The child of node `at` for segment s[0..n), or -1. */
inline __attribute__((always_inline)) int32_t
trie_child(const ev_reader *r, uint32_t at, const char *s, size_t n)
{
	const tnode *t = &r->nodes.v[at];
	if (!t->nkids)
		return -1;
	uint32_t m = t->tcap - 1, h = seg_hash(s, n);
	for (uint32_t i = h & m;; i = (i + 1) & m) {
		uint32_t k = t->kids[i].node;
		if (!k)
			return -1;
		if (t->kids[i].hash != h)
			continue;
		const tnode *c = &r->nodes.v[k];
		if (c->len == n && same(r->names.v + c->off, s, n))
			return (int32_t)k;
	}
}

/*
 * The node reached from `at` by the key k[0..n), which may itself hold
 * dots ("parent.name" inside "process" is "process.parent.name"), or -1.
 */
inline int32_t
trie_key(const ev_reader *r, uint32_t at, const char *k, size_t n)
{
	for (;;) {
		const char *dot = (const char *)memchr(k, '.', n);
		size_t sn = dot ? (size_t)(dot - k) : n;
		int32_t c = trie_child(r, at, k, sn);
		if (c < 0 || !dot)
			return c;
		at = (uint32_t)c;
		k += sn + 1;
		n -= sn + 1;
	}
}

/* Finds or adds the child of `at` for segment s[0..n); -1: out of
 * memory. */
int32_t
trie_add(ev_reader *r, uint32_t at, const char *s, size_t n)
{
	int32_t c = trie_child(r, at, s, n);
	if (c >= 0)
		return c;
	if (r->nodes.n >= UINT32_MAX / 2 ||
	    vec_reserve(&r->names, r->names.n + n + 1) < 0 ||
	    !vec_add(&r->nodes))
		return -1;
	uint32_t k = (uint32_t)(r->nodes.n - 1);
	tnode *t = &r->nodes.v[k];
	t->off = (uint32_t)r->names.n;
	t->len = (uint32_t)n;
	t->id = -1;
	memcpy(r->names.v + r->names.n, s, n);
	r->names.n += n;
	tnode *p = &r->nodes.v[at];
	if ((p->nkids + 1) * 4 > p->tcap) {
		uint32_t ncap = p->tcap ? p->tcap * 2 : 8;
		kid *nt = (kid *)calloc(ncap, sizeof *nt);
		if (!nt) {
			r->nodes.n--;	/* the node is not linked: drop it */
			return -1;
		}
		for (uint32_t i = 0; i < p->tcap; i++) {
			if (!p->kids[i].node)
				continue;
			uint32_t j = p->kids[i].hash & (ncap - 1);
			while (nt[j].node)
				j = (j + 1) & (ncap - 1);
			nt[j] = p->kids[i];
		}
		free(p->kids);
		p->kids = nt;
		p->tcap = ncap;
	}
	uint32_t h = seg_hash(s, n), j = h & (p->tcap - 1);
	while (p->kids[j].node)
		j = (j + 1) & (p->tcap - 1);
	p->kids[j].node = k;
	p->kids[j].hash = h;
	p->nkids++;
	return (int32_t)k;
}

/* The root node, made on first use; false: out of memory. */
bool
trie_root(ev_reader *r)
{
	if (r->nodes.n)
		return true;
	tnode *t = vec_add(&r->nodes);
	if (!t)
		return false;
	t->id = -1;
	return true;
}

/* Adds a wanted path (each of its dot-separated segments a node); returns
 * its slot id or -1. */
int32_t
add_path(ev_reader *r, const char *p, size_t n)
{
	if (!trie_root(r))
		return -1;
	uint32_t at = 0;
	for (;;) {
		const char *dot = (const char *)memchr(p, '.', n);
		size_t sn = dot ? (size_t)(dot - p) : n;
		int32_t c = trie_add(r, at, p, sn);
		if (c < 0)
			return -1;
		at = (uint32_t)c;
		if (!dot)
			break;
		p += sn + 1;
		n -= sn + 1;
	}
	tnode *t = &r->nodes.v[at];
	if (t->id < 0) {
		if (!vec_add(&r->slots))
			return -1;
		t->id = (int32_t)(r->slots.n - 1);
	}
	return t->id;
}

/* ---- the walk ---- */

/* The length of a JSON number token without its trailing blanks, or 0
 * when tok is not one: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)? */
size_t
number_len(std::string_view tok)
{
	const char *s = tok.data();
	size_t n = tok.size(), i = 0;
	while (n > 0 && (s[n - 1] == ' ' || s[n - 1] == '\t' ||
	    s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	if (i < n && s[i] == '-')
		i++;
	if (i < n && s[i] == '0')
		i++;
	else if (i < n && s[i] >= '1' && s[i] <= '9')
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
	else
		return 0;
	if (i < n && s[i] == '.') {
		size_t d = ++i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			i++;
		size_t d = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			i++;
		if (i == d)
			return 0;
	}
	return i == n ? n : 0;
}

/*
 * Numbers simdjson declines: integers beyond 64 bits (BIGINT_ERROR) and
 * doubles out of range (1e400).  If the token is a JSON number it becomes
 * a rounded (possibly infinite) EV_DOUBLE through strtod, which relies on
 * the "C" numeric locale; otherwise NUMBER_ERROR.
 */
error_code
slow_number(ev_reader *r, std::string_view tok, ev_value *out)
{
	const char *s = tok.data();
	size_t n = number_len(tok);
	if (n == 0)
		return NUMBER_ERROR;
	char small[128];
	char *z = small;
	if (n >= sizeof small) {
		z = (char *)copy_string(r, s, n + 1);
		if (!z)
			return MEMALLOC;
	}
	memcpy(z, s, n);
	z[n] = 0;
	out->kind = EV_DOUBLE;
	out->u.d = strtod(z, NULL);
	return SUCCESS;
}

/* Nesting deeper than this inside a record is refused (simdjson's own
 * default depth limit), which also bounds check_value's recursion. */
const int MAX_DEPTH = 1024;

enum { KEY_ESCAPE = 1, KEY_DOT = 2, KEY_CONTROL = 4 };

/*
 * The length of the key at raw (after its opening quote) up to the first
 * '"', and in *flags whether a '\\' (then that quote may be escaped: the
 * key must be unescaped), a '.' or a control character comes before it; SIZE_MAX when there is
 * no quote before end.  One pass (SSE2: 16 bytes at a time; the input's
 * padding allows reading past end).
 */
inline size_t
scan_key(const char *raw, const char *end, unsigned *flags)
{
	const char *p = raw;
	*flags = 0;
#if defined(__SSE2__)
	const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\'),
	    d = _mm_set1_epi8('.'), c = _mm_set1_epi8(0x1f);
	while (p < end) {
		__m128i x = _mm_loadu_si128((const __m128i *)p);
		unsigned mq = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, q));
		unsigned mb = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, b));
		unsigned md = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(x, d));
		unsigned mc = (unsigned)_mm_movemask_epi8(
		    _mm_cmpeq_epi8(_mm_max_epu8(x, c), c));
		if (mq) {
			unsigned before = (mq & -mq) - 1;
			if (mb & before)
				*flags |= KEY_ESCAPE;
			if (md & before)
				*flags |= KEY_DOT;
			if (mc & before)
				*flags |= KEY_CONTROL;
			size_t n = (size_t)(p - raw) + __builtin_ctz(mq);
			return raw + n < end ? n : SIZE_MAX;
		}
		if (mb)
			*flags |= KEY_ESCAPE;
		if (md)
			*flags |= KEY_DOT;
		if (mc)
			*flags |= KEY_CONTROL;
		p += 16;
	}
	return SIZE_MAX;
#else
	for (; p < end; p++) {
		if (*p == '"')
			return (size_t)(p - raw);
		if (*p == '\\')
			*flags |= KEY_ESCAPE;
		else if (*p == '.')
			*flags |= KEY_DOT;
		else if ((unsigned char)*p < 0x20)
			*flags |= KEY_CONTROL;
	}
	return SIZE_MAX;
#endif
}

/*
 * The key of field f as written in the record (*k, *kn), or unescaped
 * when it holds a backslash: which also checks its escapes.  *dotted:
 * whether the key holds a '.'.
 */
error_code
field_key(ev_reader *r, ondemand::field &f, const char **k, size_t *kn,
    bool *dotted)
{
	const char *raw = f.key().raw();
	unsigned flags;
	size_t n = scan_key(raw, r->rec + r->reclen, &flags);
	if (n == SIZE_MAX)
		return STRING_ERROR;
	*k = raw;
	*kn = n;
	*dotted = flags & KEY_DOT;
	if (flags & KEY_ESCAPE) {
		std::string_view uk;
		error_code e;
		if ((e = f.unescaped_key().get(uk)))
			return e;
		*k = uk.data();
		*kn = uk.size();
		*dotted = memchr(*k, '.', *kn) != NULL;
	}
	return SUCCESS;
}

/*
 * Validates a value no rule reads, which On-Demand would otherwise skip
 * unchecked.  The first (SIMD) pass has already checked the structure,
 * UTF-8, string termination and unescaped control characters; what is
 * left is the atoms: literals (true/false/null), the number grammar, and
 * the escapes of strings and keys that hold a backslash.  Cheaper than a
 * second, DOM, parse: nothing is materialised but escaped strings.
 */
error_code
check_value(ev_reader *r, ondemand::value v, int depth)
{
	error_code e;
	ondemand::json_type t;
	if ((e = v.type().get(t)))
		return e;
	switch (t) {
	case ondemand::json_type::object: {
		if (depth >= MAX_DEPTH)
			return DEPTH_ERROR;
		ondemand::object o;
		if ((e = v.get_object().get(o)))
			return e;
		for (auto fr : o) {
			ondemand::field f;
			if ((e = std::move(fr).get(f)))
				return e;
			const char *k;
			size_t kn;
			bool dotted;
			if ((e = field_key(r, f, &k, &kn, &dotted)))
				return e;
			if ((e = check_value(r, f.value(), depth + 1)))
				return e;
		}
		return SUCCESS;
	}
	case ondemand::json_type::array: {
		if (depth >= MAX_DEPTH)
			return DEPTH_ERROR;
		ondemand::array a;
		if ((e = v.get_array().get(a)))
			return e;
		for (auto er : a) {
			ondemand::value el;
			if ((e = er.get(el)))
				return e;
			if ((e = check_value(r, el, depth + 1)))
				return e;
		}
		return SUCCESS;
	}
	case ondemand::json_type::string: {
		std::string_view tok = v.raw_json_token();
		if (!memchr(tok.data(), '\\', tok.size()))
			return SUCCESS;
		std::string_view sv;
		return v.get_string().get(sv);
	}
	case ondemand::json_type::number:
		return number_len(v.raw_json_token()) ? SUCCESS : NUMBER_ERROR;
	case ondemand::json_type::boolean: {
		bool b;
		if (v.get_bool().get(b) == SUCCESS)
			return SUCCESS;
		return v.raw_json_token()[0] == 't' ? T_ATOM_ERROR :
		    F_ATOM_ERROR;
	}
	case ondemand::json_type::null: {
		bool isnull = false;
		if ((e = v.is_null().get(isnull)))
			return e;
		return isnull ? SUCCESS : N_ATOM_ERROR;
	}
	}
	return INCORRECT_TYPE;
}

/*
 * The fast validation of a value no rule reads, tried before check_value
 * so that On-Demand can then skip the value whole (through its structural
 * index) instead of visiting it token by token.  simdjson's first pass has
 * checked the UTF-8, that strings end and that they hold no raw control
 * character; this checks the rest on the bytes, with a hand-written strict
 * JSON grammar (On-Demand has no validating skip, and walking a value
 * through its iterator costs more than parsing the record): literals, the
 * number grammar, string escapes ("\uD800" to "\uDFFF" are not judged
 * here), ':' and ',' between members and elements, nesting.  It only
 * ever answers "certainly valid" (the end of the value): on NULL the
 * caller checks the value with check_value, which finds the error (or
 * accepts it), so the messages and the records accepted are those of
 * simdjson either way.
 */
const int VALID_DEPTH = 256;

inline const char *
skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\n' || *p == '\r' ||
	    *p == '\t'))
		p++;
	return p;
}

inline bool
is_hex(char c)
{
	return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' &&
	    (c | 0x20) <= 'f');
}

/* The first '"', '\\' or control character (below 0x20, which a string
 * may not hold raw) at or after p (p < end); may be past end.  Reads up
 * to 15 bytes past end, which the input's padding allows. */
inline const char *
find_quote(const char *p, const char *end)
{
#if defined(__SSE2__)
	const __m128i q = _mm_set1_epi8('"'), b = _mm_set1_epi8('\\'),
	    c = _mm_set1_epi8(0x1f);
	for (;;) {
		__m128i x = _mm_loadu_si128((const __m128i *)p);
		__m128i ctl = _mm_cmpeq_epi8(_mm_max_epu8(x, c), c);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_or_si128(
		    _mm_or_si128(_mm_cmpeq_epi8(x, q), _mm_cmpeq_epi8(x, b)),
		    ctl));
		if (m)
			return p + __builtin_ctz(m);
		p += 16;
		if (p >= end)
			return p;
	}
#else
	while (p < end && *p != '"' && *p != '\\' && (unsigned char)*p >= 0x20)
		p++;
	return p;
#endif
}

/* A string's body from p (after its opening quote): the byte after its
 * closing quote, or NULL for a bad escape. */
const char *
valid_string(const char *p, const char *end)
{
	for (;;) {
		if (p >= end)
			return NULL;
		p = find_quote(p, end);
		if (p >= end)
			return NULL;
		if (*p == '"')
			return p + 1;
		if (*p != '\\')	/* a control character */
			return NULL;
		/* an escape */
		if (p + 1 >= end)
			return NULL;
		switch (p[1]) {
		case '"': case '\\': case '/': case 'b': case 'f': case 'n':
		case 'r': case 't':
			p += 2;
			break;
		case 'u':
			if (p + 6 > end || !is_hex(p[2]) || !is_hex(p[3]) ||
			    !is_hex(p[4]) || !is_hex(p[5]))
				return NULL;
			/* surrogates (D800-DFFF) are left to simdjson */
			if ((p[2] | 0x20) == 'd' && p[3] >= '8')
				return NULL;
			p += 6;
			break;
		default:
			return NULL;
		}
	}
}

/* A number from p: the byte after it, or NULL. */
inline const char *
valid_number(const char *p, const char *end)
{
	if (p < end && *p == '-')
		p++;
	if (p < end && *p == '0')
		p++;
	else if (p < end && *p >= '1' && *p <= '9')
		while (p < end && *p >= '0' && *p <= '9')
			p++;
	else
		return NULL;
	if (p < end && *p == '.') {
		const char *d = ++p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return NULL;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < end && (*p == '+' || *p == '-'))
			p++;
		const char *d = p;
		while (p < end && *p >= '0' && *p <= '9')
			p++;
		if (p == d)
			return NULL;
	}
	return p;
}

/*
 * The value at p (within [p, end)) if it is certainly valid JSON with at
 * most `limit` levels of containers open at once: the byte after it, or
 * NULL (see above).  A scalar must be followed by a blank, ',', '}', ']'
 * or the end.
 */
const char *
valid_value(const char *p, const char *end, int limit)
{
	char close[VALID_DEPTH];	/* the closing bracket of each level */
	int d = 0;
	if (limit > VALID_DEPTH)
		limit = VALID_DEPTH;
	goto value;
members:	/* after '{' */
	p = skip_ws(p, end);
	if (p < end && *p == '}') {
		p++;
		goto closed;
	}
key:
	if (p >= end || *p != '"' || !(p = valid_string(p + 1, end)))
		return NULL;
	p = skip_ws(p, end);
	if (p >= end || *p != ':')
		return NULL;
	p++;
value:
	p = skip_ws(p, end);
	if (p >= end)
		return NULL;
	switch (*p) {
	case '{':
		if (d >= limit)
			return NULL;
		close[d++] = '}';
		p++;
		goto members;
	case '[':
		if (d >= limit)
			return NULL;
		close[d++] = ']';
		p = skip_ws(p + 1, end);
		if (p < end && *p == ']') {
			p++;
			goto closed;
		}
		goto value;
	case '"':
		if (!(p = valid_string(p + 1, end)))
			return NULL;
		break;
	case 't':
		if (end - p < 4 || memcmp(p, "true", 4) != 0)
			return NULL;
		p += 4;
		break;
	case 'f':
		if (end - p < 5 || memcmp(p, "false", 5) != 0)
			return NULL;
		p += 5;
		break;
	case 'n':
		if (end - p < 4 || memcmp(p, "null", 4) != 0)
			return NULL;
		p += 4;
		break;
	default:
		if (!(p = valid_number(p, end)))
			return NULL;
		break;
	}
	if (d == 0)
		goto scalar_end;
after:		/* after a member's value or an element */
	p = skip_ws(p, end);
	if (p >= end)
		return NULL;
	if (*p == ',') {
		p = skip_ws(p + 1, end);
		if (close[d - 1] == '}')
			goto key;
		goto value;
	}
	if (*p != close[d - 1])
		return NULL;
	p++;
closed:		/* a container ended before p */
	if (--d > 0)
		goto after;
scalar_end:	/* the value ends before p: what follows must end it */
	if (p < end && *p != ' ' && *p != '\n' && *p != '\r' && *p != '\t' &&
	    *p != ',' && *p != '}' && *p != ']')
		return NULL;
	return p;
}

/*
 * Checks a value no rule reads (at nesting level `depth`, the record
 * being level 1) so that On-Demand may skip it: valid_value, or
 * check_value where that cannot tell.
 */
inline error_code
skip_value(ev_reader *r, ondemand::value v, int depth)
{
	const char *p = v.raw_json_token().data();
	if (valid_value(p, r->rec + r->reclen, MAX_DEPTH - depth))
		return SUCCESS;
	return check_value(r, v, depth);
}

/* Reads one scalar (or marks a container) into *out. */
error_code
read_value(ev_reader *r, ondemand::value &v, ondemand::json_type t,
    ev_value *out)
{
	error_code e;
	switch (t) {
	case ondemand::json_type::object:
		out->kind = EV_OBJECT;
		return SUCCESS;
	case ondemand::json_type::array:
		out->kind = EV_ARRAY;
		return SUCCESS;
	case ondemand::json_type::boolean:
		out->kind = EV_BOOL;
		if (v.get_bool().get(out->u.b) == SUCCESS)
			return SUCCESS;
		return v.raw_json_token()[0] == 't' ? T_ATOM_ERROR :
		    F_ATOM_ERROR;
	case ondemand::json_type::null: {
		bool isnull = false;
		if ((e = v.is_null().get(isnull)))
			return e;
		if (!isnull)
			return N_ATOM_ERROR;
		out->kind = EV_NULL;
		return SUCCESS;
	}
	case ondemand::json_type::number: {
		ondemand::number_type nt;
		if (v.get_number_type().get(nt) == SUCCESS) {
			if (nt == ondemand::number_type::signed_integer &&
			    v.get_int64().get(out->u.i) == SUCCESS) {
				out->kind = EV_INT;
				return SUCCESS;
			}
			if (nt == ondemand::number_type::unsigned_integer) {
				/* simdjson 3.0 also says so for big integers */
				uint64_t u = 0;
				if (v.get_uint64().get(u) == SUCCESS) {
					out->kind = EV_DOUBLE;
					out->u.d = (double)u;
					return SUCCESS;
				}
			}
			if (v.get_double().get(out->u.d) == SUCCESS) {
				out->kind = EV_DOUBLE;
				return SUCCESS;
			}
		}
		return slow_number(r, v.raw_json_token(), out);
	}
	case ondemand::json_type::string: {
		std::string_view tok = v.raw_json_token();
		/* tok is the string with its quotes plus trailing blanks */
		const char *s = tok.data();
		size_t n = tok.size();
		if (!memchr(s, '\\', n)) {
			while (n > 1 && s[n - 1] != '"')
				n--;
			if (n < 2)
				return STRING_ERROR;
			out->kind = EV_STRING;
			out->u.s.s = s + 1;
			out->u.s.len = n - 2;
			return SUCCESS;
		}
		std::string_view sv;
		if ((e = v.get_string().get(sv)))
			return e;
		const char *c = copy_string(r, sv.data(), sv.size());
		if (!c)
			return MEMALLOC;
		out->kind = EV_STRING;
		out->u.s.s = c;
		out->u.s.len = sv.size();
		return SUCCESS;
	}
	}
	return INCORRECT_TYPE;
}

/* Records the value of wanted path `id`; arrays get their elements. */
error_code
record(ev_reader *r, int32_t id, ondemand::value &v, ondemand::json_type t)
{
	slot *s = &r->slots.v[id];
	error_code e;
	s->gen = r->gen;
	s->v.kind = EV_MISSING;
	s->first = r->elems.n;
	s->count = 0;
	if (t != ondemand::json_type::array) {
		if ((e = read_value(r, v, t, &s->v)))
			s->v.kind = EV_MISSING;
		return e;
	}
	ondemand::array arr;
	if ((e = v.get_array().get(arr)))
		return e;
	s->v.kind = EV_ARRAY;
	for (auto er : arr) {
		ondemand::value el;
		ondemand::json_type et;
		if ((e = er.get(el)) || (e = el.type().get(et)))
			return e;
		if (vec_reserve(&r->elems, r->elems.n + 1) < 0)
			return MEMALLOC;
		ev_value *ov = &r->elems.v[r->elems.n];
		if ((e = read_value(r, el, et, ov))) {
			s->v.kind = EV_MISSING;
			return e;
		}
		if ((et == ondemand::json_type::object ||
		    et == ondemand::json_type::array) &&
		    (e = skip_value(r, el, 2))) {
			s->v.kind = EV_MISSING;
			return e;
		}
		r->elems.n++;
		s->count++;
	}
	return SUCCESS;
}

/*
 * Walks an object whose path is trie node `at`, recording wanted paths
 * and descending only into objects some wanted path goes into.  Every
 * other value is left to On-Demand to skip (through the structural
 * index) when the record passed valid_record, and checked with
 * check_value otherwise.
 */
error_code
walk(ev_reader *r, ondemand::object obj, uint32_t at, int depth)
{
	error_code e;
	for (auto fr : obj) {
		ondemand::field f;
		if ((e = std::move(fr).get(f)))
			return e;
		const char *k;
		size_t kn;
		bool dotted;
		if ((e = field_key(r, f, &k, &kn, &dotted)))
			return e;
		int32_t n = dotted ? trie_key(r, at, k, kn) :
		    trie_child(r, at, k, kn);
		ondemand::value v = f.value();
		if (n < 0) {	/* not wanted: checked, and skipped */
			if ((e = skip_value(r, v, depth + 1)))
				return e;
			continue;
		}
		const tnode *tn = &r->nodes.v[n];
		int32_t id = tn->id;
		bool inner = tn->nkids > 0;
		ondemand::json_type t;
		if ((e = v.type().get(t)))
			return e;
		if (id >= 0) {
			if ((e = record(r, id, v, t)))
				return e;
		}
		if (inner && t == ondemand::json_type::object) {
			ondemand::object sub;
			if ((e = v.get_object().get(sub)))
				return e;
			if ((e = walk(r, sub, (uint32_t)n, depth + 1)))
				return e;
		} else if (t == ondemand::json_type::object || id < 0) {
			/* an object no path goes into, or a value that is
			 * only a prefix's: checked (record checked the rest) */
			if ((e = skip_value(r, v, depth + 1)))
				return e;
		}
	}
	return SUCCESS;
}

/*
 * The fast walk: the record's bytes read directly, without simdjson's
 * passes, when they are plain.  UTF-8 is checked by simdjson's
 * validate_utf8, every value no rule reads by valid_value (then jumped
 * over, whole), the objects some wanted path goes into member by member,
 * and wanted values are read when they are simple: strings (escapes
 * other than surrogates unescaped into the arena), integers of at most 18
 * digits (not "-0"), numbers with a fraction or exponent, true, false,
 * null, objects, arrays of those.  Anything else (an escaped key, a
 * surrogate escape, a big integer, any error) makes it give up, and
 * the record is parsed again through On-Demand (slow_record), which then
 * decides, with simdjson's messages: the fast walk never accepts a record
 * On-Demand would refuse, nor reads a value differently.
 */

inline int
hex_val(char c)
{
	return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}

/*
 * A wanted string with escapes from p (after its opening quote), first
 * escape at q: unescaped into the event's arena (*out); the byte after
 * its closing quote, or NULL (a bad escape, a surrogate escape, a control
 * character, out of memory: left to On-Demand).
 */
const char *
fast_escaped(ev_reader *r, const char *p, const char *q, const char *end,
    ev_value *out)
{
	/* the unescaped string is never longer than the escaped one */
	const char *close = valid_string(q, end);
	if (!close)
		return NULL;
	char *d = (char *)arena_alloc(&r->strings, (size_t)(close - p));
	if (!d)
		return NULL;
	char *o = d;
	memcpy(o, p, (size_t)(q - p));
	o += q - p;
	for (;;) {
		/* q is at '\\' or the closing quote (valid_string vouched) */
		if (*q == '"')
			break;
		char c = q[1];
		switch (c) {
		case 'b': *o++ = '\b'; q += 2; break;
		case 'f': *o++ = '\f'; q += 2; break;
		case 'n': *o++ = '\n'; q += 2; break;
		case 'r': *o++ = '\r'; q += 2; break;
		case 't': *o++ = '\t'; q += 2; break;
		case 'u': {
			unsigned u = (unsigned)(hex_val(q[2]) << 12 |
			    hex_val(q[3]) << 8 | hex_val(q[4]) << 4 |
			    hex_val(q[5]));
			if (u < 0x80) {
				*o++ = (char)u;
			} else if (u < 0x800) {
				*o++ = (char)(0xC0 | u >> 6);
				*o++ = (char)(0x80 | (u & 0x3F));
			} else {	/* not a surrogate: valid_string */
				*o++ = (char)(0xE0 | u >> 12);
				*o++ = (char)(0x80 | (u >> 6 & 0x3F));
				*o++ = (char)(0x80 | (u & 0x3F));
			}
			q += 6;
			break;
		}
		default:	/* '"', '\\', '/' */
			*o++ = c;
			q += 2;
			break;
		}
		const char *n = find_quote(q, end);
		memcpy(o, q, (size_t)(n - q));
		o += n - q;
		q = n;
	}
	out->kind = EV_STRING;
	out->u.s.s = d;
	out->u.s.len = (size_t)(o - d);
	return close;
}

/* A simple wanted scalar at p into *out: the byte after it, or NULL. */
inline const char *
fast_scalar(ev_reader *r, const char *p, const char *end, ev_value *out)
{
	switch (*p) {
	case '"': {
		const char *q = find_quote(p + 1, end);
		if (q < end && *q == '\\')
			return fast_escaped(r, p + 1, q, end, out);
		if (q >= end || *q != '"')
			return NULL;
		out->kind = EV_STRING;
		out->u.s.s = p + 1;
		out->u.s.len = (size_t)(q - p - 1);
		return q + 1;
	}
	case 't':
		if (end - p < 4 || memcmp(p, "true", 4) != 0)
			return NULL;
		out->kind = EV_BOOL;
		out->u.b = true;
		return p + 4;
	case 'f':
		if (end - p < 5 || memcmp(p, "false", 5) != 0)
			return NULL;
		out->kind = EV_BOOL;
		out->u.b = false;
		return p + 5;
	case 'n':
		if (end - p < 4 || memcmp(p, "null", 4) != 0)
			return NULL;
		out->kind = EV_NULL;
		return p + 4;
	}
	bool neg = *p == '-';
	const char *d = p + neg, *q = d;
	uint64_t v = 0;
	while (q < end && *q >= '0' && *q <= '9')
		v = v * 10 + (uint64_t)(*q++ - '0');
	size_t nd = (size_t)(q - d);
	if (nd == 0 || (*d == '0' && (nd > 1 || neg)))
		return NULL;
	if (q < end && (*q == '.' || *q == 'e' || *q == 'E')) {
		/* a fraction or an exponent: strtod rounds correctly, as
		 * simdjson does (the "C" numeric locale, see slow_number) */
		char z[64];
		q = valid_number(p, end);
		if (!q || q - p >= (ptrdiff_t)sizeof z)
			return NULL;
		memcpy(z, p, (size_t)(q - p));
		z[q - p] = 0;
		out->kind = EV_DOUBLE;
		out->u.d = strtod(z, NULL);
		return q;
	}
	if (nd > 18)
		return NULL;
	out->kind = EV_INT;
	out->u.i = neg ? -(int64_t)v : (int64_t)v;
	return q;
}

/* A wanted array at *pp (its '['), at nesting level `depth`, into slot
 * id; *pp is moved past it.  false: give up. */
bool
fast_array(ev_reader *r, const char **pp, int32_t id, int depth)
{
	const char *p = *pp, *end = r->rec + r->reclen;
	slot *s = &r->slots.v[id];
	s->gen = r->gen;
	s->v.kind = EV_ARRAY;
	s->first = r->elems.n;
	s->count = 0;
	p = skip_ws(p + 1, end);
	if (p < end && *p == ']') {
		*pp = p + 1;
		return true;
	}
	for (;;) {
		if (p >= end || vec_reserve(&r->elems, r->elems.n + 1) < 0)
			return false;
		ev_value *ov = &r->elems.v[r->elems.n];
		if (*p == '{' || *p == '[') {
			ov->kind = *p == '{' ? EV_OBJECT : EV_ARRAY;
			p = valid_value(p, end, MAX_DEPTH - depth - 1);
		} else {
			p = fast_scalar(r, p, end, ov);
		}
		if (!p)
			return false;
		r->elems.n++;
		s->count++;
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == ']') {
			*pp = p + 1;
			return true;
		}
		return false;
	}
}

/* The object at *pp (its '{'), trie node `at`, nesting level `depth`;
 * *pp is moved past it.  false: give up. */
bool
fast_object(ev_reader *r, const char **pp, uint32_t at, int depth)
{
	const char *p = *pp, *end = r->rec + r->reclen;
	p = skip_ws(p + 1, end);
	if (p < end && *p == '}') {
		*pp = p + 1;
		return true;
	}
	for (;;) {
		if (p >= end || *p != '"')
			return false;
		const char *k = p + 1;
		unsigned flags;
		size_t kn = scan_key(k, end, &flags);
		if (kn == SIZE_MAX || (flags & (KEY_ESCAPE | KEY_CONTROL)))
			return false;
		p = skip_ws(k + kn + 1, end);
		if (p >= end || *p != ':')
			return false;
		p = skip_ws(p + 1, end);
		if (p >= end)
			return false;
		int32_t n = flags & KEY_DOT ? trie_key(r, at, k, kn) :
		    trie_child(r, at, k, kn);
		if (n < 0) {
			p = valid_value(p, end, MAX_DEPTH - depth - 1);
		} else {
			int32_t id = r->nodes.v[n].id;
			bool inner = r->nodes.v[n].nkids > 0;
			if (*p == '{') {
				if (id >= 0) {
					slot *s = &r->slots.v[id];
					s->gen = r->gen;
					s->v.kind = EV_OBJECT;
					s->first = r->elems.n;
					s->count = 0;
				}
				if (inner) {
					if (depth + 1 >= MAX_DEPTH ||
					    !fast_object(r, &p, (uint32_t)n,
					    depth + 1))
						return false;
				} else {
					p = valid_value(p, end,
					    MAX_DEPTH - depth - 1);
				}
			} else if (*p == '[' && id >= 0) {
				if (!fast_array(r, &p, id, depth + 1))
					return false;
			} else if (id >= 0) {
				slot *s = &r->slots.v[id];
				s->gen = r->gen;
				s->first = r->elems.n;
				s->count = 0;
				p = fast_scalar(r, p, end, &s->v);
			} else {
				p = valid_value(p, end, MAX_DEPTH - depth - 1);
			}
		}
		if (!p)
			return false;
		p = skip_ws(p, end);
		if (p < end && *p == ',') {
			p = skip_ws(p + 1, end);
			continue;
		}
		if (p < end && *p == '}') {
			*pp = p + 1;
			return true;
		}
		return false;
	}
}

/* The fast walk of the current record; false: give up (see above). */
bool
fast_record(ev_reader *r)
{
	const char *p = r->rec, *end = r->rec + r->reclen;
	if (!validate_utf8(r->rec, r->reclen))
		return false;
	p = skip_ws(p, end);
	if (p >= end || *p != '{' || !trie_root(r) ||
	    !fast_object(r, &p, 0, 1))
		return false;
	return skip_ws(p, end) == end;
}

/* Parses the current record with On-Demand and walks it; SUCCESS or the
 * first error. */
error_code
slow_record(ev_reader *r)
{
	error_code e;
	r->gen++;
	r->elems.n = 0;
	if ((e = r->parser.iterate(padded_string_view(r->rec, r->reclen,
	    r->reclen + SIMDJSON_PADDING)).get(r->doc)))
		return e;
	ondemand::object obj;
	if ((e = r->doc.get_object().get(obj)))
		return e;
	if (!trie_root(r))
		return MEMALLOC;
	if ((e = walk(r, obj, 0, 1)))
		return e;
	const char *loc;
	if (r->doc.current_location().get(loc) != OUT_OF_BOUNDS)
		return TRAILING_CONTENT;
	return SUCCESS;
}

/* Reads the current record: the fast walk, else On-Demand; SUCCESS or
 * the first error. */
error_code
walk_record(ev_reader *r)
{
	r->gen++;
	r->elems.n = 0;
	if (fast_record(r))
		return SUCCESS;
	return slow_record(r);
}

/* Walks the current event again after the interest set grew. */
void
rewalk(ev_reader *r)
{
	(void)walk_record(r);
}

/* ---- input ---- */

/*
 * Makes room and reads more input.  Keeps [keep, end) (the unfinished
 * record) by moving it to the front; grows the buffer only when that
 * record already fills it.  Returns false on a read error or OOM.
 */
bool
refill(ev_reader *r, size_t keep)
{
	if (keep > 0) {
		memmove(r->buf, r->buf + keep, r->end - keep);
		r->base += keep;
		r->end -= keep;
		r->pos -= keep;
	}
	if (r->fd < 0 && !r->mem) {     /* all of the input is there */
		r->eof = true;
		return true;
	}
	if (r->end == r->cap) {
		size_t ncap = r->cap * 2;
		char *nb = (char *)realloc(r->buf, ncap + SIMDJSON_PADDING);
		if (!nb) {
			r->oom = true;
			snprintf(r->errbuf, sizeof r->errbuf, "out of memory");
			return false;
		}
		r->buf = nb;
		r->cap = ncap;
	}
	for (;;) {
		ssize_t n;
		if (r->mem) {
			size_t k = r->cap - r->end;
			if (k > r->chunk)
				k = r->chunk;
			if (k > r->memlen - r->memoff)
				k = r->memlen - r->memoff;
			memcpy(r->buf + r->end, r->mem + r->memoff, k);
			r->memoff += k;
			n = (ssize_t)k;
		} else {
			n = read(r->fd, r->buf + r->end, r->cap - r->end);
		}
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			snprintf(r->errbuf, sizeof r->errbuf, "read error: %s",
			    strerror(errno));
			return false;
		}
		if (n == 0)
			r->eof = true;
		r->end += (size_t)n;
		r->nread += (uint64_t)n;
		memset(r->buf + r->end, 0, SIMDJSON_PADDING);
		return true;
	}
}

inline bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A fatal error: report once, then end of input.  msg NULL: errbuf is set. */
int
fatal(ev_reader *r, const char *msg)
{
	if (msg)
		snprintf(r->errbuf, sizeof r->errbuf, "%s", msg);
	r->errline = r->line;
	r->erroff = r->base + r->pos;
	r->dead = true;
	return -1;
}

/* ev_next's other results: a record refused before parsing (it counts as
 * a record), and an error in the array's own syntax (it does not). */
enum { REFUSED = -2, SYNTAX = -3 };

/* Sets the error of a record refused before parsing. */
int
refuse(ev_reader *r, uint64_t line, uint64_t off, const char *fmt,
    unsigned long long a, unsigned long long b)
{
	snprintf(r->errbuf, sizeof r->errbuf, fmt, a, b);
	r->errline = line;
	r->erroff = off;
	return REFUSED;
}

/* The message of a record longer than r->max (its length, the limit). */
const char TOO_LONG[] = "event of %llu bytes is longer than the maximum "
    "event size (%llu bytes; --max-event-size): skipped";

uint64_t
count_nl(const char *p, const char *end)
{
	uint64_t n = 0;
	while ((p = (const char *)memchr(p, '\n', (size_t)(end - p)))) {
		n++;
		p++;
	}
	return n;
}

/*
 * Skips the rest of an NDJSON line already longer than r->max, keeping
 * none of it, up to and including its newline.  Returns REFUSED.
 */
int
skip_long_line(ev_reader *r)
{
	uint64_t line = r->line, off = r->base + r->pos, len = 0;
	for (;;) {
		char *nl = (char *)memchr(r->buf + r->pos, '\n',
		    r->end - r->pos);
		if (nl) {
			len += (uint64_t)(nl - (r->buf + r->pos));
			r->pos = (size_t)(nl - r->buf) + 1;
			break;
		}
		len += r->end - r->pos;
		r->pos = r->end;
		if (r->eof)
			break;
		if (!refill(r, r->pos))
			return fatal(r, NULL);
	}
	r->line++;
	return refuse(r, line, off, TOO_LONG, len, r->max);
}

/*
 * Finds the next NDJSON record: sets rec/reclen and the error location.
 * Returns 1, 0 at end of input, REFUSED for a line longer than r->max
 * (skipped), -1 on a read error.  The scan for the newline resumes where
 * the previous one stopped, so a long line costs linear time whatever
 * the size of the reads.
 */
int
next_line(ev_reader *r)
{
	size_t from = r->pos;	/* memchr resumes here after a refill */
	for (;;) {
		char *nl = (char *)memchr(r->buf + from, '\n', r->end - from);
		size_t stop;
		if (nl) {
			stop = (size_t)(nl - r->buf);
		} else if (r->eof) {
			if (r->pos == r->end)
				return 0;
			stop = r->end;
		} else {
			if (r->end - r->pos > r->max)
				return skip_long_line(r);
			size_t done = r->end - r->pos;
			if (!refill(r, r->pos))
				return fatal(r, NULL);
			from = r->pos + done;
			continue;
		}
		size_t a = r->pos, b = stop;
		uint64_t line = r->line++;
		r->pos = stop < r->end ? stop + 1 : stop;
		from = r->pos;
		if (b - a > r->max)
			return refuse(r, line, r->base + a, TOO_LONG, b - a,
			    r->max);
		while (a < b && blank(r->buf[a]))
			a++;
		while (b > a && blank(r->buf[b - 1]))
			b--;
		if (a == b)
			continue;
		r->rec = r->buf + a;
		r->reclen = b - a;
		r->errline = line;
		r->erroff = r->base + a;
		return 1;
	}
}

/* An error of the array's syntax at the current position. */
int
syntax(ev_reader *r, const char *msg)
{
	snprintf(r->errbuf, sizeof r->errbuf, "%s", msg);
	r->errline = r->line;
	r->erroff = r->base + r->pos;
	return SYNTAX;
}

/*
 * Skips bytes that cannot be between two elements (the current one
 * first) up to the next '{' (the next element), ',' or ']', counting
 * lines; the error names what was found and how much was skipped.
 */
int
skip_garbage(ev_reader *r, const char *what)
{
	uint64_t line = r->line, off = r->base + r->pos, n = 0;
	char c = r->buf[r->pos];
	for (;;) {
		while (r->pos < r->end) {
			char ch = r->buf[r->pos];
			if (n > 0 && (ch == '{' || ch == ',' || ch == ']'))
				goto found;
			if (ch == '\n')
				r->line++;
			r->pos++;
			n++;
		}
		if (r->eof) {
			r->errline = line;
			r->erroff = off;
			snprintf(r->errbuf, sizeof r->errbuf, "%s in JSON "
			    "array: the rest of the input (%llu bytes) holds "
			    "no further element", what, (unsigned long long)n);
			r->dead = true;
			return SYNTAX;
		}
		if (!refill(r, r->pos))
			return fatal(r, NULL);
	}
found:
	if (r->buf[r->pos] == ',') {
		r->pos++;
		r->astate = A_ELEM;
	} else if (r->buf[r->pos] == ']') {
		r->pos++;
		r->astate = A_DONE;
	} else {
		r->astate = A_ELEM;
	}
	snprintf(r->errbuf, sizeof r->errbuf, "%s (found '%c') in JSON "
	    "array: skipped %llu byte%s holding no event, resuming at line "
	    "%llu", what,
	    (unsigned char)c >= 0x20 && (unsigned char)c < 0x7f ? c : '?',
	    (unsigned long long)n, n == 1 ? "" : "s",
	    (unsigned long long)r->line);
	r->errline = line;
	r->erroff = off;
	return SYNTAX;
}

/* At most this many resynchronisations after an unterminated element
 * per input (each rescans up to the end of the input). */
const int MAX_RESYNCS = 64;

/*
 * An element from `start` runs to the end of the input: a string or a
 * bracket is not closed.  The bytes up to the end are all in the buffer;
 * resynchronise at the next "}, {" (an element boundary as it would look
 * outside a string) after start, or give up at the end.
 */
int
unterminated(ev_reader *r, size_t start, uint64_t line)
{
	size_t p = start + 1;
	while (r->resyncs < MAX_RESYNCS && p < r->end) {
		char *q = (char *)memchr(r->buf + p, '}', r->end - p);
		if (!q)
			break;
		size_t j = (size_t)(q - r->buf) + 1;
		while (j < r->end && blank(r->buf[j]))
			j++;
		if (j < r->end && r->buf[j] == ',') {
			j++;
			while (j < r->end && blank(r->buf[j]))
				j++;
			if (j < r->end && r->buf[j] == '{') {
				uint64_t nl = count_nl(r->buf + start,
				    r->buf + j);
				r->resyncs++;
				snprintf(r->errbuf, sizeof r->errbuf,
				    "unterminated element in JSON array (a "
				    "string or bracket is not closed): the "
				    "element (%llu bytes) skipped, resuming "
				    "at line %llu",
				    (unsigned long long)(j - start),
				    (unsigned long long)(line + nl));
				r->errline = line;
				r->erroff = r->base + start;
				r->line = line + nl;
				r->pos = j;
				r->astate = A_ELEM;
				return REFUSED;
			}
		}
		p = (size_t)(q - r->buf) + 1;
	}
	r->pos = start;
	r->line = line;
	return fatal(r, "unterminated JSON array");
}

/*
 * Finds the next array element.  Returns 1 with rec set, 0 at the end,
 * REFUSED for an element longer than r->max (skipped, only its scanner
 * state kept) or an unterminated one, SYNTAX for an error between
 * elements (reported, then resynchronised), -1 (fatal) when nothing can
 * follow.
 */
int
next_elem(ev_reader *r)
{
	for (;;) {
		/* skip blanks between elements */
		while (r->pos < r->end && blank(r->buf[r->pos])) {
			if (r->buf[r->pos] == '\n')
				r->line++;
			r->pos++;
		}
		if (r->pos == r->end) {
			if (r->eof) {
				if (r->astate == A_DONE)
					return 0;
				return fatal(r, "unterminated JSON array");
			}
			if (!refill(r, r->pos))
				return fatal(r, NULL);
			continue;
		}
		char c = r->buf[r->pos];
		switch (r->astate) {
		case A_DONE:
			return fatal(r, "content after the JSON array (not read)");
		case A_SEP:
			if (c == ',') {
				r->pos++;
				r->astate = A_ELEM;
				continue;
			}
			if (c == ']') {
				r->pos++;
				r->astate = A_DONE;
				continue;
			}
			if (c == '{') {
				r->astate = A_ELEM;
				return syntax(r, "missing ',' between "
				    "elements of the JSON array (the element "
				    "here is read, no event skipped)");
			}
			return skip_garbage(r, "expected ',' or ']'");
		case A_FIRST:
			if (c == ']') {
				r->pos++;
				r->astate = A_DONE;
				continue;
			}
			break;
		case A_ELEM:
			if (c == ',') {
				int rc = syntax(r, "missing element in JSON "
				    "array (',' after ',' or '['; no event "
				    "skipped)");
				r->pos++;
				return rc;
			}
			if (c == ']') {
				int rc = syntax(r, "trailing ',' before ']' "
				    "in JSON array");
				r->pos++;
				r->astate = A_DONE;
				return rc;
			}
			break;
		}
		/*
		 * Scan one element, resuming after refills.  Newlines are
		 * counted outside strings only: strings are skipped with
		 * memchr, and a raw newline inside one makes the element
		 * invalid, in which case ev_next recounts (elem_end).  An
		 * element longer than r->max is skipped: from then on its
		 * bytes are dropped at each refill (`skip`), keeping only
		 * the scanner's state, its newline count and whether an
		 * odd run of backslashes ends what was dropped (`carry`).
		 */
		size_t start = r->pos, i = start;
		uint64_t line = r->line, sline = line, off = r->base + start;
		uint64_t dropped = 0, dropped_nl = 0;
		int depth = 0;
		bool in_str = false, skip = false, carry = false;
		for (;;) {
			bool done = false;
			while (i < r->end) {
				if (in_str) {
					char *q = (char *)memchr(r->buf + i, '"',
					    r->end - i);
					if (!q) {
						i = r->end;
						break;
					}
					size_t k = (size_t)(q - r->buf), bs = 0;
					while (k - bs > start &&
					    r->buf[k - bs - 1] == '\\')
						bs++;
					if (k - bs == start && carry)
						bs++;
					i = k + 1;
					if (bs % 2 == 0)
						in_str = false;
					continue;
				}
				char ch = r->buf[i];
				if (ch == '\n') {
					sline++;
				} else if (ch == '"') {
					in_str = true;
				} else if (ch == '{' || ch == '[') {
					depth++;
				} else if (ch == '}' || ch == ']') {
					if (depth == 0) {
						done = true;
						break;
					}
					if (--depth == 0) {
						i++;
						done = true;
						break;
					}
				} else if (ch == ',' && depth == 0) {
					done = true;
					break;
				}
				i++;
			}
			if (done)
				break;
			if (r->eof) {
				/* too long to resynchronise in: the same
				 * whether or not a refill dropped its bytes
				 * already (however the input was read) */
				if (skip || i - start > r->max) {
					r->pos = i;
					r->dead = true;
					return refuse(r, line, off, "unterminated "
					    "JSON array: an element of more than "
					    "%llu bytes (the maximum event size "
					    "is %llu) runs to the end of the "
					    "input", dropped + (i - start),
					    r->max);
				}
				return unterminated(r, start, line);
			}
			if (!skip && i - start > r->max)
				skip = true;
			if (skip) {
				/* drop [start, i): keep the state only */
				if (in_str) {
					size_t k = i, bs = 0;
					while (k - bs > start &&
					    r->buf[k - bs - 1] == '\\')
						bs++;
					if (k - bs == start && carry)
						bs++;
					carry = bs % 2 == 1;
				} else {
					carry = false;
				}
				dropped += i - start;
				dropped_nl += count_nl(r->buf + start,
				    r->buf + i);
				r->pos = i;
				if (!refill(r, i))
					return fatal(r, NULL);
				start = i = r->pos;
				continue;
			}
			size_t off2 = i - start;
			if (!refill(r, start))
				return fatal(r, NULL);
			start = r->pos;
			i = start + off2;
		}
		/* [start, i) is the element (or its end); trim blanks */
		size_t b = i;
		while (b > start && blank(r->buf[b - 1]))
			b--;
		r->pos = r->elem_end = i;
		r->astate = A_SEP;
		/* the length with the blanks before the ',' or ']' (as an
		 * NDJSON line's): a read may have dropped them already */
		if (skip || i - start > r->max) {
			r->line = line + dropped_nl +
			    count_nl(r->buf + start, r->buf + i);
			return refuse(r, line, off, TOO_LONG,
			    dropped + (i - start), r->max);
		}
		r->rec = r->buf + start;
		r->reclen = b - start;
		r->errline = line;
		r->erroff = off;
		r->line = sline;
		return 1;
	}
}

/* A UTF-16 or UTF-32 input (base/encoding.h) is one error, not an error
 * per line: it is told by its first 64 bytes. */
int
check_encoding(ev_reader *r)
{
	while (r->end < 64 && !r->eof)
		if (!refill(r, 0))
			return fatal(r, NULL);
	struct enc_guess g = enc_sniff(r->buf, r->end);
	if (g.enc == ENC_UTF8)
		return 1;
	struct strbuf msg = STRBUF_INIT;
	enc_describe(&msg, g);
	sb_printf(&msg, " (convert it: iconv -f %s -t UTF-8 FILE > FILE.utf8)",
		  enc_iconv_name(g));
	int rc = fatal(r, msg.oom ? "the input is not UTF-8" : msg.data);
	sb_free(&msg);
	return rc;
}

/* Decides the format from the first non-blank byte (after checking the
 * encoding). */
int
detect(ev_reader *r)
{
	if (r->base == 0 && r->pos == 0 && check_encoding(r) < 0)
		return -1;
	for (;;) {
		while (r->pos < r->end && blank(r->buf[r->pos])) {
			if (r->buf[r->pos] == '\n')
				r->line++;
			r->pos++;
		}
		if (r->pos + 3 <= r->end && r->base + r->pos == 0 &&
		    memcmp(r->buf, "\xEF\xBB\xBF", 3) == 0) {
			r->pos += 3;
			continue;
		}
		if (r->pos < r->end || r->eof)
			break;
		if (!refill(r, r->pos))
			return fatal(r, NULL);
	}
	if (r->pos < r->end && r->buf[r->pos] == '[') {
		r->mode = MODE_ARRAY;
		r->astate = A_FIRST;
		r->pos++;
	} else {
		r->mode = MODE_NDJSON;
	}
	return 1;
}

/* Slot for a path in the current event, walking again if it is new. */
slot *
find_slot(ev_event *ev, const char *path, size_t n)
{
	ev_reader *r = ev->r;
	int32_t node = r->nodes.n ? trie_key(r, 0, path, n) : -1;
	int32_t id;
	if (node >= 0 && r->nodes.v[node].id >= 0) {
		id = r->nodes.v[node].id;
	} else {
		id = add_path(r, path, n);
		if (id < 0) {
			r->oom = true;
			return NULL;
		}
		rewalk(r);
	}
	slot *s = &r->slots.v[id];
	return s->gen == r->gen ? s : NULL;
}

} /* namespace */

extern "C" {

struct ev_reader *
ev_open_chunked(const char *path, size_t chunk, const char **err)
{
	int fd;
	bool own;
	if (strcmp(path, "-") == 0) {
		fd = 0;
		own = false;
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			*err = strerror(errno);
			return NULL;
		}
		struct stat st;
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			close(fd);
			*err = strerror(EISDIR);
			return NULL;
		}
		own = true;
	}
	if (chunk < 16)
		chunk = 16;
	ev_reader *r = new (std::nothrow) ev_reader();
	char *buf = (char *)malloc(chunk + SIMDJSON_PADDING);
	if (!r || !buf) {
		delete r;
		free(buf);
		if (own)
			close(fd);
		*err = "out of memory";
		return NULL;
	}
	r->fd = fd;
	r->own_fd = own;
	r->buf = buf;
	r->cap = r->chunk = chunk;
	r->max = EV_DEFAULT_MAX_RECORD;
	r->line = 1;
	r->ev.r = r;
	arena_init(&r->strings, NULL);
	/* only the padding after the (empty) data: zeroing the whole
	 * chunk would touch 4 MiB that a small input never uses */
	memset(buf, 0, SIMDJSON_PADDING);
	return r;
}

struct ev_reader *
ev_open_buffer(const char *data, size_t len, const char **err)
{
	size_t cap = len < 16 ? 16 : len;
	ev_reader *r = new (std::nothrow) ev_reader();
	char *buf = (char *)malloc(cap + SIMDJSON_PADDING);

	if (!r || !buf) {
		delete r;
		free(buf);
		*err = "out of memory";
		return NULL;
	}
	memcpy(buf, data, len);
	memset(buf + len, 0, cap - len + SIMDJSON_PADDING);
	r->fd = -1;
	r->own_fd = false;
	r->buf = buf;
	r->cap = r->chunk = cap;
	r->max = EV_DEFAULT_MAX_RECORD;
	r->end = len;
	r->nread = len;
	r->eof = true;
	r->line = 1;
	r->ev.r = r;
	arena_init(&r->strings, NULL);
	return r;
}

struct ev_reader *
ev_open_fd(int fd, bool own, const char *pre, size_t n, const char **err)
{
	size_t chunk = n > EV_DEFAULT_CHUNK ? n : EV_DEFAULT_CHUNK;
	ev_reader *r = new (std::nothrow) ev_reader();
	char *buf = (char *)malloc(chunk + SIMDJSON_PADDING);

	if (!r || !buf) {
		delete r;
		free(buf);
		if (own)
			close(fd);
		*err = "out of memory";
		return NULL;
	}
	memcpy(buf, pre, n);
	memset(buf + n, 0, SIMDJSON_PADDING);   /* the padding after the data */
	r->fd = fd;
	r->own_fd = own;
	r->buf = buf;
	r->cap = r->chunk = chunk;
	r->max = EV_DEFAULT_MAX_RECORD;
	r->end = n;
	r->nread = n;
	r->line = 1;
	r->ev.r = r;
	arena_init(&r->strings, NULL);
	return r;
}

void
ev_set_origin(struct ev_reader *r, uint64_t line, uint64_t offset)
{
	r->mode = MODE_NDJSON;
	r->line = line;
	r->base = offset;
}

struct ev_reader *
ev_open_buffer_chunked(const char *data, size_t len, size_t chunk,
    const char **err)
{
	if (chunk < 1)
		chunk = 1;
	size_t cap = chunk < 16 ? 16 : chunk;
	ev_reader *r = new (std::nothrow) ev_reader();
	char *buf = (char *)malloc(cap + SIMDJSON_PADDING);
	char *mem = (char *)malloc(len ? len : 1);
	if (!r || !buf || !mem) {
		delete r;
		free(buf);
		free(mem);
		*err = "out of memory";
		return NULL;
	}
	if (len)
		memcpy(mem, data, len);
	r->fd = -1;
	r->own_fd = false;
	r->mem = mem;
	r->memlen = len;
	r->buf = buf;
	r->cap = cap;
	r->chunk = chunk;
	r->max = EV_DEFAULT_MAX_RECORD;
	r->line = 1;
	r->ev.r = r;
	arena_init(&r->strings, NULL);
	memset(buf, 0, cap + SIMDJSON_PADDING);
	return r;
}

struct ev_reader *
ev_open(const char *path, const char **err)
{
	return ev_open_chunked(path, EV_DEFAULT_CHUNK, err);
}

void
ev_close(struct ev_reader *r)
{
	if (!r)
		return;
	if (r->own_fd)
		close(r->fd);
	arena_release(&r->strings);
	free(r->mem);
	free(r->buf);
	for (size_t i = 0; i < r->nodes.n; i++)
		free(r->nodes.v[i].kids);
	vec_free(&r->nodes);
	vec_free(&r->names);
	vec_free(&r->slots);
	vec_free(&r->elems);
	delete r;
}

int
ev_next(struct ev_reader *r, struct ev_event **ev)
{
	*ev = NULL;
	if (r->after) {
		*r->after = r->after_byte;
		r->after = NULL;
	}
	if (r->dead)
		return 0;
	if (r->oom)
		return fatal(r, "out of memory");
	if (r->mode == MODE_UNKNOWN && detect(r) < 0)
		return -1;
	arena_reset(&r->strings);
	int rc = r->mode == MODE_ARRAY ? next_elem(r) : next_line(r);
	if (rc == REFUSED) {
		r->nrec++;
		return -1;
	}
	if (rc == SYNTAX)
		return -1;
	if (rc <= 0)
		return rc;
	r->ev.index = r->nrec++;
	/* what follows the record must not change how it parses: the
	 * next bytes of the input, or the buffer's padding at its end */
	r->after = (char *)r->rec + r->reclen;
	r->after_byte = *r->after;
	*r->after = '\0';
	error_code e = walk_record(r);
	if (e == SUCCESS) {
		*ev = &r->ev;
		return 1;
	}
	*r->after = r->after_byte;	/* no walk again: the newline count
					   below reads it */
	r->after = NULL;
	if (r->mode == MODE_ARRAY) {
		/* count the newlines the scanner skipped inside strings */
		const char *p = r->rec, *end = r->buf + r->elem_end;
		uint64_t nl = 0;
		while ((p = (const char *)memchr(p, '\n', end - p))) {
			nl++;
			p++;
		}
		r->line = r->errline + nl;
	}
	if (e == INCORRECT_TYPE && r->reclen && r->rec[0] != '{')
		set_error(r, "event is not a JSON object", "");
	else
		set_error(r, "malformed JSON: ", error_message(e));
	if (e == MEMALLOC)
		r->oom = true;
	return -1;
}

const char *
ev_error(const struct ev_reader *r, uint64_t *line, uint64_t *offset)
{
	if (line)
		*line = r->errline;
	if (offset)
		*offset = r->erroff;
	return r->errbuf;
}

uint64_t
ev_index(const struct ev_event *ev)
{
	return ev->index;
}

bool
ev_get(struct ev_event *ev, const char *path, size_t pathlen,
    struct ev_value *out)
{
	slot *s = find_slot(ev, path, pathlen);
	if (!s || s->v.kind == EV_MISSING) {
		out->kind = EV_MISSING;
		return false;
	}
	*out = s->v;
	return true;
}

size_t
ev_array_len(struct ev_event *ev, const char *path, size_t pathlen)
{
	slot *s = find_slot(ev, path, pathlen);
	return s && s->v.kind == EV_ARRAY ? s->count : 0;
}

bool
ev_array_at(struct ev_event *ev, const char *path, size_t pathlen,
    size_t i, struct ev_value *out)
{
	slot *s = find_slot(ev, path, pathlen);
	if (!s || s->v.kind != EV_ARRAY || i >= s->count) {
		out->kind = EV_MISSING;
		return false;
	}
	*out = ev->r->elems.v[s->first + i];
	return true;
}

int
ev_want(struct ev_reader *r, const char *path, size_t pathlen)
{
	int32_t id = add_path(r, path, pathlen);
	if (id < 0)
		r->oom = true;
	return id;
}

bool
ev_slot(struct ev_event *ev, int id, struct ev_value *out,
    const struct ev_value **elems, size_t *nelems)
{
	ev_reader *r = ev->r;
	if (id < 0 || (size_t)id >= r->slots.n || r->slots.v[id].gen != r->gen ||
	    r->slots.v[id].v.kind == EV_MISSING) {
		out->kind = EV_MISSING;
		return false;
	}
	const slot *s = &r->slots.v[id];
	*out = s->v;
	if (s->v.kind == EV_ARRAY) {
		*elems = r->elems.v + s->first;
		*nelems = s->count;
	} else {
		*elems = NULL;
		*nelems = 0;
	}
	return true;
}

void
ev_set_max_record(struct ev_reader *r, size_t max)
{
	r->max = max ? max : EV_DEFAULT_MAX_RECORD;
}

uint64_t
ev_records(const struct ev_reader *r)
{
	return r->nrec;
}

uint64_t
ev_bytes_read(const struct ev_reader *r)
{
	return r->nread;
}

size_t
ev_buffer_size(const struct ev_reader *r)
{
	return r->cap;
}

} /* extern "C" */
