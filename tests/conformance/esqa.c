/*
 * esqa.c - conformance harness: runs Elasticsearch's EQL QA spec suite
 * (../shared/corpus/es-eql-qa, see its README.md) through `rulec run` and
 * compares every result with the spec's expectation.
 *
 * Design note.  The harness is a plain program, not a cmocka test: it drives
 * the built rulec binary the way a user would (fork and exec, no shell), so
 * that it checks the command line, the output format and the exit status as
 * well as the interpreter.  It is organised in five parts, in file order:
 *
 *   1. a reader for the subset of TOML the seven spec files use: tables and
 *      arrays of tables, bare, quoted and dotted keys, the four string forms
 *      (with escapes, line-ending backslashes and quotes next to the closing
 *      delimiter), integers, floats, booleans and arrays over several lines
 *      with comments and trailing commas; plus one extension the data needs,
 *      a bare `null` (test_extra.toml writes it in join_keys).  Errors carry
 *      the file and line.  Inline tables and dates are refused with a
 *      message: no spec uses them.  Only [[queries]] tables become queries;
 *      their keys name, query, expected_event_ids, join_keys, size and
 *      max_samples_per_key are checked, other keys (note, description, tags)
 *      are read and ignored;
 *   2. the request settings of each spec file (which data, which id,
 *      category and tiebreaker fields), as Elasticsearch's runner classes
 *      send them, and the translation of the index mappings into rulec
 *      schema files (one per data set, written to a temporary directory with
 *      the data file that needs its // comment lines removed);
 *   3. running rulec for one query, with its stdout and stderr sent to files
 *      in the temporary directory (so that neither pipe can fill up) and a
 *      time limit set with alarm() before exec;
 *   4. reading rulec's JSON lines and comparing them as the upstream runner
 *      does: event ids in response order (a missing-event placeholder is
 *      -1, ids may be numbers or numeric strings), any one of several lists
 *      when the spec gives a list of lists, and join keys as strings
 *      (null -> "null") only when the spec gives a non-empty join_keys;
 *   5. the known-failures file and the verdict.
 *
 * Memory: the specs and everything read with them live in one arena for the
 * whole run; each query's output is parsed into an arena of its own that is
 * released after the comparison.  Out of memory ends the program (exit 2):
 * this is a test driver, not library code.
 *
 * The temporary directory holds a fixed list of files, known before the
 * first query runs, so that the signal handler can remove them with unlink
 * and rmdir (both async-signal-safe).  That list and the pid of the running
 * child are the only file-scope variables; a signal handler cannot be given
 * a context any other way.
 *
 * Exit status: 0 when every failing query is listed in the known-failures
 * file, every listed query still fails, test_queries.toml and
 * additional_test_queries.toml pass completely and at least 95% of all
 * queries pass; 1 otherwise; 2 for usage, I/O and spec parse errors; 77 when
 * the QA data is absent (automake's "skipped").
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/arena.h"
#include "base/json.h"
#include "base/strbuf.h"

enum {
	EXIT_FAIL = 1,
	EXIT_USAGE = 2,
	EXIT_SKIP = 77,
	TOML_MAX_DEPTH = 32,    /* nesting of arrays */
	PASS_PERCENT = 95,      /* required share of passing queries */
	DEFAULT_SIZE = 50,      /* the runner's `size` when a spec has none */
	DEFAULT_TIMEOUT = 60,   /* seconds per rulec run */
	MAX_DATA = 3,           /* data files per data set */
	MAX_ARGS = 40,          /* rulec's argument vector */
	MAX_TMP = 16,           /* files in the temporary directory */
	SHOW_STDERR = 20        /* stderr lines shown with -v */
};

/* ------------------------------------------------------------------------
 * Small helpers
 * ------------------------------------------------------------------------ */

static _Noreturn void
die_oom(void)
{
	fputs("esqa: out of memory\n", stderr);
	exit(EXIT_USAGE);
}

static void *
xalloc(struct arena *a, size_t n)
{
	void *p = arena_alloc(a, n ? n : 1);

	if (!p)
		die_oom();
	return p;
}

static char *
xstrndup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_strndup(a, s, n);

	if (!p)
		die_oom();
	return p;
}

static char *
xstrdup(struct arena *a, const char *s)
{
	return xstrndup(a, s, strlen(s));
}

static char *xprintf(struct arena *a, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static char *
xprintf(struct arena *a, const char *fmt, ...)
{
	va_list ap;
	char *p;

	va_start(ap, fmt);
	p = arena_vprintf(a, fmt, ap);
	va_end(ap);
	if (!p)
		die_oom();
	return p;
}

/* Grows an arena array of `size`-byte elements so that it holds at least
 * n + 1 of them; the old block stays in the arena (at most as much again as
 * the final one). */
static void *
grow(struct arena *a, void *old, size_t n, size_t *cap, size_t size)
{
	void *p;
	size_t ncap;

	if (n < *cap)
		return old;
	ncap = *cap ? *cap * 2 : 8;
	p = xalloc(a, ncap * size);
	if (n)
		memcpy(p, old, n * size);
	*cap = ncap;
	return p;
}

/* Takes the text of a strbuf into the arena and empties the strbuf. */
static char *
sb_to_arena(struct arena *a, struct strbuf *sb, size_t *len)
{
	char *p;

	if (sb->oom)
		die_oom();
	p = xstrndup(a, sb->data ? sb->data : "", sb->len);
	if (len)
		*len = sb->len;
	sb_free(sb);
	return p;
}

/* Reads a whole file into malloc'd memory with a NUL after the last byte.
 * Returns NULL with errno set on failure. */
static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	struct strbuf sb = STRBUF_INIT;
	char buf[65536];
	size_t n;
	int err;

	if (!f)
		return NULL;
	while ((n = fread(buf, 1, sizeof buf, f)) > 0)
		sb_put(&sb, buf, n);
	err = ferror(f) ? EIO : 0;
	fclose(f);
	if (err || sb.oom) {
		sb_free(&sb);
		errno = err ? err : ENOMEM;
		return NULL;
	}
	if (!sb.data)
		sb_put(&sb, "", 0);
	*len = sb.len;
	if (!sb.data) {
		errno = ENOMEM;
		return NULL;
	}
	return sb_take(&sb);
}

/* Writes len bytes to a new file at path.  Returns false with errno set. */
static bool
write_file(const char *path, const char *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(data, 1, len, f) == len;
	ok = (fclose(f) == 0) && ok;
	return ok;
}

/* ------------------------------------------------------------------------
 * 1. TOML subset
 * ------------------------------------------------------------------------ */

enum tkind { TV_STRING, TV_INT, TV_FLOAT, TV_BOOL, TV_NULL, TV_ARRAY };

static const char *const tkind_name[] = {
	"string", "integer", "float", "boolean", "null", "array"
};

struct tval {
	enum tkind kind;
	unsigned line;          /* where the value starts */
	const char *s;          /* TV_STRING: decoded, NUL-terminated */
	size_t len;
	int64_t i;              /* TV_INT */
	double d;               /* TV_FLOAT */
	bool b;                 /* TV_BOOL */
	struct tval *items;     /* TV_ARRAY: n values, NULL when empty */
	size_t n;
};

struct tparse {
	struct arena *a;
	const char *file;       /* for messages */
	const char *p, *end;
	unsigned line;
	bool failed;
	char err[512];          /* "file:line: message" */
};

static void perr_at(struct tparse *t, unsigned line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Records the first error only: later ones follow from it. */
static void
perr_at(struct tparse *t, unsigned line, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (t->failed)
		return;
	t->failed = true;
	n = snprintf(t->err, sizeof t->err, "%s:%u: ", t->file, line);
	if (n < 0 || (size_t)n >= sizeof t->err)
		return;
	va_start(ap, fmt);
	vsnprintf(t->err + n, sizeof t->err - (size_t)n, fmt, ap);
	va_end(ap);
}

#define perr(t, ...) perr_at((t), (t)->line, __VA_ARGS__)

static bool
at(const struct tparse *t, const char *s)
{
	size_t n = strlen(s);

	return (size_t)(t->end - t->p) >= n && memcmp(t->p, s, n) == 0;
}

/* Shows the byte at p in a message: printable as is, others in hex. */
static const char *
show_byte(const char *p, const char *end, char buf[8])
{
	unsigned char c;

	if (p >= end)
		return "end of file";
	c = (unsigned char)*p;
	if (c == '\n' || (c == '\r' && p + 1 < end && p[1] == '\n'))
		return "end of line";
	if (c > 0x20 && c < 0x7f)
		snprintf(buf, 8, "'%c'", c);
	else
		snprintf(buf, 8, "0x%02x", c);
	return buf;
}

static void
skip_ws(struct tparse *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* Consumes a line end ("\n" or "\r\n") if one is next. */
static bool
eat_newline(struct tparse *t)
{
	if (at(t, "\n"))
		t->p++;
	else if (at(t, "\r\n"))
		t->p += 2;
	else
		return false;
	t->line++;
	return true;
}

static void
skip_comment(struct tparse *t)
{
	if (t->p < t->end && *t->p == '#')
		while (t->p < t->end && *t->p != '\n' && !at(t, "\r\n"))
			t->p++;
}

/* Skips blanks, comments and line ends: between statements and between the
 * items of an array. */
static void
skip_space(struct tparse *t)
{
	for (;;) {
		skip_ws(t);
		skip_comment(t);
		if (!eat_newline(t))
			return;
	}
}

/* A statement must be followed by blanks, an optional comment and the end
 * of the line or file. */
static bool
expect_eol(struct tparse *t)
{
	char b[8];

	skip_ws(t);
	skip_comment(t);
	if (t->p >= t->end || eat_newline(t))
		return true;
	perr(t, "expected the end of the line, found %s",
	     show_byte(t->p, t->end, b));
	return false;
}

/* Control characters other than tab are not allowed in TOML strings. */
static bool
bad_ctl(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

static void
put_utf8(struct strbuf *sb, uint32_t cp)
{
	char b[4];

	if (cp < 0x80) {
		b[0] = (char)cp;
		sb_put(sb, b, 1);
	} else if (cp < 0x800) {
		b[0] = (char)(0xc0 | (cp >> 6));
		b[1] = (char)(0x80 | (cp & 0x3f));
		sb_put(sb, b, 2);
	} else if (cp < 0x10000) {
		b[0] = (char)(0xe0 | (cp >> 12));
		b[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[2] = (char)(0x80 | (cp & 0x3f));
		sb_put(sb, b, 3);
	} else {
		b[0] = (char)(0xf0 | (cp >> 18));
		b[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		b[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		b[3] = (char)(0x80 | (cp & 0x3f));
		sb_put(sb, b, 4);
	}
}

/* One escape sequence of a basic string; t->p is just past the
 * backslash. */
static bool
parse_escape(struct tparse *t, struct strbuf *sb)
{
	uint32_t cp = 0;
	int ndig, k;
	char c, b[8];

	if (t->p >= t->end || *t->p == '\n' || *t->p == '\r') {
		perr(t, "backslash at the end of a single-line string");
		return false;
	}
	c = *t->p++;
	switch (c) {
	case 'b': sb_putc(sb, '\b'); return true;
	case 't': sb_putc(sb, '\t'); return true;
	case 'n': sb_putc(sb, '\n'); return true;
	case 'f': sb_putc(sb, '\f'); return true;
	case 'r': sb_putc(sb, '\r'); return true;
	case 'e': sb_putc(sb, '\x1b'); return true;
	case '"': sb_putc(sb, '"'); return true;
	case '\\': sb_putc(sb, '\\'); return true;
	case 'u': ndig = 4; break;
	case 'U': ndig = 8; break;
	default:
		if ((unsigned char)c > 0x20 && (unsigned char)c < 0x7f)
			perr(t, "invalid escape '\\%c' in a string", c);
		else
			perr(t, "invalid escape: backslash before %s",
			     show_byte(t->p - 1, t->end, b));
		return false;
	}
	for (k = 0; k < ndig; k++) {
		int d;

		if (t->p >= t->end) {
			d = -1;
		} else {
			char h = *t->p;

			d = h >= '0' && h <= '9' ? h - '0'
			  : h >= 'a' && h <= 'f' ? h - 'a' + 10
			  : h >= 'A' && h <= 'F' ? h - 'A' + 10 : -1;
		}
		if (d < 0) {
			perr(t, "\\%c escape needs %d hexadecimal digits", c,
			     ndig);
			return false;
		}
		cp = cp * 16 + (uint32_t)d;
		t->p++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) {
		perr(t, "\\%c escape U+%04X is not a Unicode scalar value", c,
		     (unsigned)cp);
		return false;
	}
	put_utf8(sb, cp);
	return true;
}

/* A single-line string: basic ("...", with escapes) when q is '"',
 * literal ('...') when q is '\''.  t->p is on the opening quote. */
static bool
parse_string_line(struct tparse *t, struct strbuf *sb, char q)
{
	unsigned line = t->line;

	t->p++;
	for (;;) {
		unsigned char c;

		if (t->p >= t->end || *t->p == '\n' || at(t, "\r\n")) {
			perr_at(t, line, "unterminated string");
			return false;
		}
		c = (unsigned char)*t->p;
		if (c == (unsigned char)q) {
			t->p++;
			return true;
		}
		if (c == '\\' && q == '"') {
			t->p++;
			if (!parse_escape(t, sb))
				return false;
			continue;
		}
		if (bad_ctl(c)) {
			perr(t, "control character 0x%02x in a string", c);
			return false;
		}
		sb_putc(sb, (char)c);
		t->p++;
	}
}

/* A multi-line string: """...""" (basic) or '''...''' (literal).  A line
 * end right after the opening delimiter is dropped; one or two quotes may
 * stand just before the closing delimiter; in a basic one a backslash at
 * the end of a line removes it and all blanks and line ends after it.
 * CRLF is read as LF. */
static bool
parse_string_multi(struct tparse *t, struct strbuf *sb, char q)
{
	unsigned line = t->line;

	t->p += 3;
	eat_newline(t);
	for (;;) {
		unsigned char c;

		if (t->p >= t->end) {
			perr_at(t, line, "unterminated multi-line string");
			return false;
		}
		c = (unsigned char)*t->p;
		if (c == (unsigned char)q) {
			size_t k = 0;

			while (t->p + k < t->end && t->p[k] == q)
				k++;
			if (k >= 3) {
				if (k > 5) {
					perr(t, "too many quotes before the "
					     "end of a multi-line string");
					return false;
				}
				sb_fill(sb, q, k - 3);
				t->p += k;
				return true;
			}
			sb_fill(sb, q, k);
			t->p += k;
			continue;
		}
		if (c == '\\' && q == '"') {
			const char *r = t->p + 1;

			while (r < t->end && (*r == ' ' || *r == '\t'))
				r++;
			if (r < t->end && (*r == '\n' || *r == '\r')) {
				/* line-ending backslash */
				t->p = r;
				while (t->p < t->end &&
				       (*t->p == ' ' || *t->p == '\t' ||
					eat_newline(t)))
					if (*t->p == ' ' || *t->p == '\t')
						t->p++;
				continue;
			}
			t->p++;
			if (!parse_escape(t, sb))
				return false;
			continue;
		}
		if (eat_newline(t)) {
			sb_putc(sb, '\n');
			continue;
		}
		if (bad_ctl(c)) {
			perr(t, "control character 0x%02x in a string", c);
			return false;
		}
		sb_putc(sb, (char)c);
		t->p++;
	}
}

static bool
is_bare(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '_' || c == '-';
}

/* A key: segments (bare or quoted) joined by dots, blanks allowed around
 * the dots.  Returns the segments joined with '.' in the arena. */
static const char *
parse_key(struct tparse *t)
{
	struct strbuf sb = STRBUF_INIT;
	char b[8];

	for (;;) {
		skip_ws(t);
		if (at(t, "\"\"\"") || at(t, "'''")) {
			perr(t, "a key cannot be a multi-line string");
			goto fail;
		} else if (at(t, "\"") || at(t, "'")) {
			if (!parse_string_line(t, &sb, *t->p))
				goto fail;
		} else if (t->p < t->end && is_bare(*t->p)) {
			while (t->p < t->end && is_bare(*t->p))
				sb_putc(&sb, *t->p++);
		} else {
			perr(t, "expected a key, found %s",
			     show_byte(t->p, t->end, b));
			goto fail;
		}
		skip_ws(t);
		if (!at(t, "."))
			break;
		t->p++;
		sb_putc(&sb, '.');
	}
	return sb_to_arena(t->a, &sb, NULL);
fail:
	sb_free(&sb);
	return NULL;
}

/* End of a run of digits of the given base in which each '_' stands
 * between two digits; NULL if there is no digit or an '_' is misplaced. */
static const char *
scan_digits(const char *q, const char *e, int base)
{
	const char *start = q;

	for (; q < e; q++) {
		char c = *q;
		bool dig = base == 16 ? ((c >= '0' && c <= '9') ||
					 (c >= 'a' && c <= 'f') ||
					 (c >= 'A' && c <= 'F'))
				      : (c >= '0' && c < '0' + base);

		if (dig)
			continue;
		if (c == '_' && q > start && q + 1 < e && q[-1] != '_')
			continue;
		break;
	}
	if (q == start || q[-1] == '_')
		return NULL;
	return q;
}

/* Copies tok[0..n) without underscores into buf (size bufsz). */
static bool
strip_underscores(const char *tok, size_t n, char *buf, size_t bufsz)
{
	size_t i, k = 0;

	for (i = 0; i < n; i++) {
		if (tok[i] == '_')
			continue;
		if (k + 1 >= bufsz)
			return false;
		buf[k++] = tok[i];
	}
	buf[k] = '\0';
	return true;
}

/* A bare value: true, false, null (extension), inf, nan, an integer
 * (decimal, 0x, 0o, 0b) or a float.  Fills v. */
static bool
parse_bare(struct tparse *t, struct tval *v)
{
	const char *tok = t->p, *q, *e, *digits;
	char buf[80];
	size_t n;
	int base = 10;
	bool is_float = false;

	while (t->p < t->end && (is_bare(*t->p) || *t->p == '+' ||
				 *t->p == '.' || *t->p == ':'))
		t->p++;
	n = (size_t)(t->p - tok);
	e = t->p;
#define IS(s) (n == sizeof(s) - 1 && memcmp(tok, s, n) == 0)
	if (n == 0) {
		char b[8];

		perr(t, "expected a value, found %s",
		     show_byte(t->p, t->end, b));
		return false;
	}
	if (IS("true") || IS("false")) {
		v->kind = TV_BOOL;
		v->b = tok[0] == 't';
		return true;
	}
	if (IS("null")) {
		v->kind = TV_NULL;
		return true;
	}
	if (IS("inf") || IS("+inf") || IS("-inf") || IS("nan") ||
	    IS("+nan") || IS("-nan")) {
		v->kind = TV_FLOAT;
		v->d = strtod(tok, NULL);
		return true;
	}
#undef IS
	q = tok;
	if (q < e && (*q == '+' || *q == '-'))
		q++;
	if (q == tok && e - q > 2 && q[0] == '0' &&
	    (q[1] == 'x' || q[1] == 'o' || q[1] == 'b')) {
		base = q[1] == 'x' ? 16 : q[1] == 'o' ? 8 : 2;
		q += 2;
	}
	digits = q;
	q = scan_digits(q, e, base);
	if (q && base == 10 && *digits == '0' && q - digits > 1)
		q = NULL;               /* leading zero */
	if (q && base == 10 && q < e && *q == '.') {
		is_float = true;
		q = scan_digits(q + 1, e, 10);
	}
	if (q && base == 10 && q < e && (*q == 'e' || *q == 'E')) {
		is_float = true;
		q++;
		if (q < e && (*q == '+' || *q == '-'))
			q++;
		q = scan_digits(q, e, 10);
	}
	if (!q || q != e || !strip_underscores(digits, (size_t)(e - digits),
					       buf + 1, sizeof buf - 1)) {
		perr(t, "invalid value '%.*s' (strings need quotes; dates "
		     "and inline tables are not supported)",
		     n > 40 ? 40 : (int)n, tok);
		return false;
	}
	buf[0] = digits > tok && tok[0] == '-' ? '-' : '+';
	errno = 0;
	if (is_float) {
		v->kind = TV_FLOAT;
		v->d = strtod(buf, NULL);
	} else {
		v->kind = TV_INT;
		v->i = strtoll(buf, NULL, base);
		if (errno == ERANGE) {
			perr(t, "integer '%.*s' out of range",
			     n > 40 ? 40 : (int)n, tok);
			return false;
		}
	}
	return true;
}

static bool parse_value(struct tparse *t, struct tval *v, unsigned depth);

/* An array; t->p is on the '['.  Items may span lines, with comments and
 * a trailing comma. */
static bool
parse_array(struct tparse *t, struct tval *v, unsigned depth)
{
	struct tval *items = NULL;
	size_t n = 0, cap = 0;
	unsigned line = t->line;
	char b[8];

	if (depth >= TOML_MAX_DEPTH) {
		perr(t, "arrays nested more than %d deep", TOML_MAX_DEPTH);
		return false;
	}
	t->p++;
	for (;;) {
		skip_space(t);
		if (t->p >= t->end) {
			perr_at(t, line, "unterminated array");
			return false;
		}
		if (at(t, "]"))
			break;
		items = grow(t->a, items, n, &cap, sizeof *items);
		if (!parse_value(t, &items[n], depth + 1))
			return false;
		n++;
		skip_space(t);
		if (at(t, ",")) {
			t->p++;
			continue;
		}
		if (at(t, "]"))
			break;
		if (t->p >= t->end) {
			perr_at(t, line, "unterminated array");
			return false;
		}
		perr(t, "expected ',' or ']' in an array, found %s",
		     show_byte(t->p, t->end, b));
		return false;
	}
	t->p++;
	v->kind = TV_ARRAY;
	v->items = items;
	v->n = n;
	return true;
}

static bool
parse_value(struct tparse *t, struct tval *v, unsigned depth)
{
	memset(v, 0, sizeof *v);
	v->line = t->line;
	if (at(t, "\"\"\"") || at(t, "'''") || at(t, "\"") || at(t, "'")) {
		struct strbuf sb = STRBUF_INIT;
		char q = *t->p;
		bool ok = at(t, "\"\"\"") || at(t, "'''")
			? parse_string_multi(t, &sb, q)
			: parse_string_line(t, &sb, q);

		if (!ok) {
			sb_free(&sb);
			return false;
		}
		v->kind = TV_STRING;
		v->s = sb_to_arena(t->a, &sb, &v->len);
		return true;
	}
	if (at(t, "["))
		return parse_array(t, v, depth);
	if (at(t, "{")) {
		perr(t, "inline tables are not supported by this reader");
		return false;
	}
	return parse_bare(t, v);
}

/* One key/value pair of the table being read. */
struct kv {
	const char *key;
	unsigned line;
	struct tval v;
};

struct table {
	bool is_query;          /* a [[queries]] table */
	unsigned line;          /* its header's line (0 for the root) */
	struct kv *kv;
	size_t n, cap;
};

static const struct kv *
table_get(const struct table *tb, const char *key)
{
	size_t i;

	for (i = 0; i < tb->n; i++)
		if (strcmp(tb->kv[i].key, key) == 0)
			return &tb->kv[i];
	return NULL;
}

/* ------------------------------------------------------------------------
 * Spec files: queries
 * ------------------------------------------------------------------------ */

struct query {
	const char *name;
	const char *text;
	unsigned line;                  /* line of its [[queries]] header */
	/* expected_event_ids: nalt alternatives (1 unless the spec gives a
	 * list of lists), alternative k has nids[k] ids */
	size_t nalt;
	const int64_t **alt;
	const size_t *nids;
	/* join_keys as the strings they are compared as; checked only when
	 * njk > 0 */
	const char **jk;
	size_t njk;
	int64_t size;                   /* -1 when the spec gives none */
	int64_t max_samples;            /* -1 when the spec gives none */
	const char *known;              /* reason, when listed as failing */
};

struct spec {
	const char *file;               /* base name, e.g. test_queries.toml */
	struct query *q;
	size_t n, cap;
};

/* The string a join key is compared as (the runner's rule). */
static const char *
tval_key_text(struct arena *a, const struct tval *v)
{
	switch (v->kind) {
	case TV_STRING: return v->s;
	case TV_NULL: return "null";
	case TV_BOOL: return v->b ? "true" : "false";
	case TV_INT: return xprintf(a, "%lld", (long long)v->i);
	case TV_FLOAT: return xprintf(a, "%.17g", v->d);
	case TV_ARRAY: break;
	}
	return NULL;
}

/* The ids of one alternative: an array of integers. */
static bool
int_list(struct tparse *t, const struct tval *arr, const int64_t **ids,
	 size_t *n)
{
	int64_t *out = xalloc(t->a, arr->n * sizeof *out);
	size_t i;

	for (i = 0; i < arr->n; i++) {
		if (arr->items[i].kind != TV_INT) {
			perr_at(t, arr->items[i].line, "expected_event_ids: "
				"expected an integer, found %s",
				tkind_name[arr->items[i].kind]);
			return false;
		}
		out[i] = arr->items[i].i;
	}
	*ids = out;
	*n = arr->n;
	return true;
}

/* Checks a [[queries]] table and turns it into a query. */
static bool
make_query(struct tparse *t, const struct table *tb, struct query *q)
{
	const struct kv *name = table_get(tb, "name");
	const struct kv *text = table_get(tb, "query");
	const struct kv *exp = table_get(tb, "expected_event_ids");
	const struct kv *jk = table_get(tb, "join_keys");
	const struct kv *size = table_get(tb, "size");
	const struct kv *msk = table_get(tb, "max_samples_per_key");
	static const char *const need[] = {
		"name", "query", "expected_event_ids"
	};
	size_t i;

	memset(q, 0, sizeof *q);
	q->line = tb->line;
	q->size = q->max_samples = -1;
	for (i = 0; i < sizeof need / sizeof need[0]; i++)
		if (!table_get(tb, need[i])) {
			perr_at(t, tb->line, "[[queries]] without '%s'",
				need[i]);
			return false;
		}
	if (name->v.kind != TV_STRING || name->v.len == 0) {
		perr_at(t, name->line, "'name' must be a non-empty string");
		return false;
	}
	if (text->v.kind != TV_STRING) {
		perr_at(t, text->line, "'query' must be a string");
		return false;
	}
	q->name = name->v.s;
	q->text = text->v.s;
	if (exp->v.kind != TV_ARRAY) {
		perr_at(t, exp->line, "'expected_event_ids' must be an array");
		return false;
	}
	if (exp->v.n > 0 && exp->v.items[0].kind == TV_ARRAY) {
		/* any one of several lists */
		const int64_t **alt = xalloc(t->a, exp->v.n * sizeof *alt);
		size_t *nids = xalloc(t->a, exp->v.n * sizeof *nids);

		for (i = 0; i < exp->v.n; i++) {
			if (exp->v.items[i].kind != TV_ARRAY) {
				perr_at(t, exp->v.items[i].line,
					"expected_event_ids mixes lists and "
					"ids");
				return false;
			}
			if (!int_list(t, &exp->v.items[i], &alt[i], &nids[i]))
				return false;
		}
		q->alt = alt;
		q->nids = nids;
		q->nalt = exp->v.n;
	} else {
		const int64_t **alt = xalloc(t->a, sizeof *alt);
		size_t *nids = xalloc(t->a, sizeof *nids);

		if (!int_list(t, &exp->v, &alt[0], &nids[0]))
			return false;
		q->alt = alt;
		q->nids = nids;
		q->nalt = 1;
	}
	if (jk) {
		const char **keys;

		if (jk->v.kind != TV_ARRAY) {
			perr_at(t, jk->line, "'join_keys' must be an array");
			return false;
		}
		keys = xalloc(t->a, jk->v.n * sizeof *keys);
		for (i = 0; i < jk->v.n; i++) {
			keys[i] = tval_key_text(t->a, &jk->v.items[i]);
			if (!keys[i]) {
				perr_at(t, jk->v.items[i].line, "join_keys: "
					"expected a string or null, found an "
					"array");
				return false;
			}
		}
		q->jk = keys;
		q->njk = jk->v.n;
	}
	if (size) {
		if (size->v.kind != TV_INT || size->v.i < 0) {
			perr_at(t, size->line, "'size' must be an integer "
				">= 0");
			return false;
		}
		q->size = size->v.i;
	}
	if (msk) {
		if (msk->v.kind != TV_INT || msk->v.i < 1) {
			perr_at(t, msk->line, "'max_samples_per_key' must be "
				"an integer >= 1");
			return false;
		}
		q->max_samples = msk->v.i;
	}
	return true;
}

/* Ends the table being read: a [[queries]] table becomes a query. */
static bool
finish_table(struct tparse *t, struct table *tb, struct spec *sp)
{
	bool ok = true;

	if (tb->is_query) {
		sp->q = grow(t->a, sp->q, sp->n, &sp->cap, sizeof *sp->q);
		ok = make_query(t, tb, &sp->q[sp->n]);
		if (ok)
			sp->n++;
	}
	tb->n = 0;
	tb->is_query = false;
	return ok;
}

/* Reads one spec file's text.  Returns false with t->err filled in. */
static bool
spec_parse(struct tparse *t, struct spec *sp)
{
	struct table tb = { false, 0, NULL, 0, 0 };
	size_t i, j;

	for (;;) {
		skip_space(t);
		if (t->p >= t->end)
			break;
		if (at(t, "[")) {
			unsigned line = t->line;
			bool aot = at(t, "[[");
			const char *key;

			if (!finish_table(t, &tb, sp))
				return false;
			t->p += aot ? 2 : 1;
			key = parse_key(t);
			if (!key)
				return false;
			if (!at(t, aot ? "]]" : "]")) {
				perr(t, "expected '%s' after the table name",
				     aot ? "]]" : "]");
				return false;
			}
			t->p += aot ? 2 : 1;
			tb.is_query = aot && strcmp(key, "queries") == 0;
			tb.line = line;
		} else {
			unsigned line = t->line;
			const char *key = parse_key(t);
			const struct kv *dup;
			char b[8];

			if (!key)
				return false;
			if (!at(t, "=")) {
				perr(t, "expected '=' after key '%s', found "
				     "%s", key, show_byte(t->p, t->end, b));
				return false;
			}
			t->p++;
			skip_ws(t);
			dup = table_get(&tb, key);
			if (dup) {
				perr(t, "duplicate key '%s' (first given at "
				     "line %u)", key, dup->line);
				return false;
			}
			tb.kv = grow(t->a, tb.kv, tb.n, &tb.cap, sizeof *tb.kv);
			tb.kv[tb.n].key = key;
			tb.kv[tb.n].line = line;
			if (!parse_value(t, &tb.kv[tb.n].v, 0))
				return false;
			tb.n++;
		}
		if (!expect_eol(t))
			return false;
	}
	if (!finish_table(t, &tb, sp))
		return false;
	for (i = 0; i < sp->n; i++)
		for (j = 0; j < i; j++)
			if (strcmp(sp->q[i].name, sp->q[j].name) == 0) {
				perr_at(t, sp->q[i].line, "query name '%s' "
					"already used at line %u",
					sp->q[i].name, sp->q[j].line);
				return false;
			}
	return true;
}

/* ------------------------------------------------------------------------
 * 2. Data sets and request settings
 * ------------------------------------------------------------------------ */

/* One Elasticsearch index (or several searched together) and the settings
 * its runner class sends; see README.md sections 2 and 3 of the data. */
struct dataset {
	const char *name;               /* for file names and messages */
	const char *mapping[MAX_DATA];  /* relative to the QA folder */
	const char *data[MAX_DATA];
	bool strip_slash_comments;      /* data has // lines */
	const char *id_field;
	const char *category_field;
	const char *tiebreaker_field;   /* NULL: none */
};

enum { DS_ENDGAME, DS_EXTRA, DS_MISSING, DS_SAMPLE, DS_SAMPLE_MULTI,
       DS_COUNT };

static const struct dataset datasets[DS_COUNT] = {
	[DS_ENDGAME] = { "endgame-140", { "data/endgame-140.mapping" },
		{ "data/endgame-140.ndjson" }, false,
		"serial_event_id", "event_type", "serial_event_id" },
	[DS_EXTRA] = { "extra", { "data/extra.mapping" },
		{ "data/extra.data" }, false,
		"sequence", "event_type", "sequence" },
	[DS_MISSING] = { "missing-events", { "data/missing-events.mapping" },
		{ "data/missing-events.data" }, true,
		"sequence", "event_type", "sequence" },
	[DS_SAMPLE] = { "sample", { "data/sample1.mapping",
		"data/sample2.mapping", "data/sample3.mapping" },
		{ "data/sample1.data", "data/sample2.data",
		  "data/sample3.data" }, false,
		"id", "event_type", NULL },
	[DS_SAMPLE_MULTI] = { "sample-multi", { "data/sample-multi.mapping" },
		{ "data/sample-multi.data" }, false,
		"id", "event_type", NULL },
};

/* The seven spec files, with the number of active queries each holds
 * (a different count means the reader or the data changed). */
static const struct suite {
	const char *file;
	int ds;
	size_t count;
	bool must_pass;                 /* 100% required */
} suites[] = {
	{ "test_queries.toml", DS_ENDGAME, 133, true },
	{ "additional_test_queries.toml", DS_ENDGAME, 61, true },
	{ "test_queries_date.toml", DS_ENDGAME, 4, false },
	{ "test_extra.toml", DS_EXTRA, 40, false },
	{ "test_missing_events.toml", DS_MISSING, 26, false },
	{ "test_sample.toml", DS_SAMPLE, 25, false },
	{ "test_sample_multi.toml", DS_SAMPLE_MULTI, 9, false },
};
enum { NSUITES = sizeof suites / sizeof suites[0] };

/* Where a data set's files are at run time. */
struct ds_files {
	const char *schema;             /* generated TSV */
	const char *data[MAX_DATA];     /* NULL-terminated */
	const char *aliases;            /* "a -> b, ..." for messages */
};

/* A field found in a mapping. */
struct mfield {
	const char *name;
	const char *type;               /* rulec type, NULL if none fits */
	const char *es_type;            /* for the fourth column */
	const char *alias;              /* alias target, or NULL */
	const char *origin;             /* mapping file */
};

struct mlist {
	struct mfield *f;
	size_t n, cap;
	struct strbuf notes;            /* comment lines for the TSV */
};

static const char RANDOM_KEYWORD[] = "[runtime_random_keyword_type]";

/* rulec's type for an Elasticsearch field type, or NULL. */
static const char *
map_es_type(const char *es)
{
	static const char *const table[][2] = {
		{ "keyword", "keyword" }, { "wildcard", "keyword" },
		{ "text", "keyword" }, { "constant_keyword", "keyword" },
		{ "match_only_text", "keyword" },
		{ "[runtime_random_keyword_type]", "keyword" },
		{ "long", "long" }, { "integer", "long" }, { "short", "long" },
		{ "byte", "long" }, { "unsigned_long", "long" },
		{ "double", "double" }, { "float", "double" },
		{ "half_float", "double" }, { "scaled_float", "double" },
		{ "date", "date" }, { "date_nanos", "date" },
		{ "ip", "ip" }, { "boolean", "boolean" },
		{ "version", "version" }, { "object", "object" },
		{ "nested", "object" }, { "flattened", "object" },
		{ "geo_point", "geo_point" },
	};
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (strcmp(es, table[i][0]) == 0)
			return table[i][1];
	return NULL;
}

/* Adds a field; a second definition of a name (several indices searched
 * together) keeps the first and notes a disagreement. */
static void
mlist_add(struct arena *a, struct mlist *ml, const struct mfield *f)
{
	size_t i;

	for (i = 0; i < ml->n; i++) {
		const struct mfield *g = &ml->f[i];

		if (strcmp(g->name, f->name) != 0)
			continue;
		if ((g->alias || f->alias)
		    ? !(g->alias && f->alias && strcmp(g->alias, f->alias) == 0)
		    : !(g->type && f->type && strcmp(g->type, f->type) == 0))
			sb_printf(&ml->notes, "# conflict: %s is %s in %s but "
				  "%s in %s; the first is used\n", f->name,
				  g->alias ? "an alias" : g->es_type, g->origin,
				  f->alias ? "an alias" : f->es_type,
				  f->origin);
		return;
	}
	ml->f = grow(a, ml->f, ml->n, &ml->cap, sizeof *ml->f);
	ml->f[ml->n++] = *f;
}

static const char *
json_str(const struct json_value *v)
{
	return v && v->type == JSON_STRING ? v->u.str.s : NULL;
}

/* Walks the "properties" object of a mapping, adding prefix-dotted names.
 * Returns NULL or an error message. */
static const char *
walk_props(struct arena *a, struct mlist *ml, const struct json_value *props,
	   const char *prefix, const char *origin)
{
	size_t i, j;

	if (!props || props->type != JSON_OBJECT)
		return "'properties' is not an object";
	for (i = 0; i < props->u.obj.n; i++) {
		const struct json_member *m = &props->u.obj.members[i];
		const struct json_value *v = m->value;
		const struct json_value *sub, *fields;
		const char *es, *full, *err;
		struct mfield f;

		if (v->type != JSON_OBJECT)
			return xprintf(a, "field '%s%s' is not an object",
				       prefix, m->key);
		full = xprintf(a, "%s%s", prefix, m->key);
		sub = json_get(v, "properties");
		if (sub) {
			err = walk_props(a, ml, sub,
					 xprintf(a, "%s.", full), origin);
			if (err)
				return err;
		}
		es = json_str(json_get(v, "type"));
		if (!es) {
			if (!sub)
				return xprintf(a, "field '%s' has neither "
					       "'type' nor 'properties'", full);
			continue;       /* an object: its fields were added */
		}
		/* what the schema format cannot say goes into comments */
		if (json_str(json_get(v, "format")))
			sb_printf(&ml->notes, "# %s: date format '%s' in %s\n",
				  full, json_str(json_get(v, "format")),
				  origin);
		if (json_get(v, "null_value"))
			sb_printf(&ml->notes, "# %s: null_value %s in %s (a "
				  "JSON null is indexed as this value)\n",
				  full, json_str(json_get(v, "null_value"))
				  ? json_str(json_get(v, "null_value"))
				  : "(not a string)", origin);
		memset(&f, 0, sizeof f);
		f.name = full;
		f.origin = origin;
		if (strcmp(es, "alias") == 0) {
			f.alias = json_str(json_get(v, "path"));
			f.es_type = "alias";
			if (!f.alias)
				return xprintf(a, "alias '%s' has no 'path'",
					       full);
		} else {
			if (sub && (strcmp(es, "object") == 0 ||
				    strcmp(es, "nested") == 0))
				continue;
			f.type = map_es_type(es);
			f.es_type = strcmp(es, RANDOM_KEYWORD) == 0
				? "keyword" : es;
		}
		mlist_add(a, ml, &f);
		/* multi-fields such as hostname.keyword */
		fields = json_get(v, "fields");
		if (!fields || fields->type != JSON_OBJECT)
			continue;
		for (j = 0; j < fields->u.obj.n; j++) {
			const struct json_member *fm =
				&fields->u.obj.members[j];
			const char *fes = json_str(json_get(fm->value,
							    "type"));
			struct mfield g;

			if (!fes)
				continue;
			memset(&g, 0, sizeof g);
			g.name = xprintf(a, "%s.%s", full,
					 strcmp(fm->key, RANDOM_KEYWORD) == 0
					 ? "keyword" : fm->key);
			g.type = map_es_type(fes);
			g.es_type = strcmp(fes, RANDOM_KEYWORD) == 0
				? "keyword" : fes;
			g.origin = origin;
			mlist_add(a, ml, &g);
		}
	}
	return NULL;
}

/* Reads a mapping file (dropping '#' comment lines) into ml.  Returns NULL
 * or an error message. */
static const char *
read_mapping(struct arena *a, struct mlist *ml, const char *path,
	     const char *origin)
{
	struct json_error jerr;
	const struct json_value *root;
	const char *err;
	char *text;
	size_t len, i;

	text = slurp(path, &len);
	if (!text)
		return xprintf(a, "%s: %s", path, strerror(errno));
	/* blank out comment lines, keeping offsets */
	for (i = 0; i < len;) {
		size_t k = i;

		while (k < len && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (k < len && text[k] == '#')
			while (k < len && text[k] != '\n')
				text[k++] = ' ';
		while (k < len && text[k] != '\n')
			k++;
		i = k + 1;
	}
	root = json_parse(a, text, len, &jerr);
	free(text);
	if (!root)
		return xprintf(a, "%s: byte %u: %s", path,
			       (unsigned)jerr.offset, jerr.message);
	err = walk_props(a, ml, json_get(root, "properties"), "", origin);
	return err ? xprintf(a, "%s: %s", path, err) : NULL;
}

static const struct mfield *
mlist_find(const struct mlist *ml, const char *name)
{
	size_t i;

	for (i = 0; i < ml->n; i++)
		if (strcmp(ml->f[i].name, name) == 0)
			return &ml->f[i];
	return NULL;
}

/* Writes the schema TSV of a data set (format of src/sema/schema.h):
 * concrete fields, then each alias under its own name with its target's
 * type, preceded by a comment naming the target.  Returns NULL or an error
 * message. */
static const char *
write_schema(struct arena *a, const struct dataset *ds, const char *qa,
	     const char *path, struct ds_files *out)
{
	struct mlist ml = { NULL, 0, 0, STRBUF_INIT };
	struct strbuf sb = STRBUF_INIT, al = STRBUF_INIT;
	const char *err;
	size_t i;

	for (i = 0; i < MAX_DATA && ds->mapping[i]; i++) {
		err = read_mapping(a, &ml, xprintf(a, "%s/%s", qa,
						   ds->mapping[i]),
				   ds->mapping[i]);
		if (err) {
			sb_free(&ml.notes);
			return err;
		}
	}
	sb_printf(&sb, "# rulec schema for the es-eql-qa index '%s', written "
		  "by tests/esqa from", ds->name);
	for (i = 0; i < MAX_DATA && ds->mapping[i]; i++)
		sb_printf(&sb, " %s", ds->mapping[i]);
	sb_puts(&sb, ".\n# Aliases cannot be expressed in this format: "
		"each is listed as a field of its target's type, after a "
		"comment naming the target.\n");
	if (ml.notes.len)
		sb_put(&sb, ml.notes.data, ml.notes.len);
	sb_free(&ml.notes);
	for (i = 0; i < ml.n; i++) {
		const struct mfield *f = &ml.f[i];

		if (f->alias)
			continue;
		if (!f->type) {
			sb_printf(&sb, "# %s: Elasticsearch type %s has no "
				  "rulec type; left out\n", f->name,
				  f->es_type);
			continue;
		}
		sb_printf(&sb, "%s\t%s\t-\t%s\n", f->name, f->type,
			  f->es_type);
	}
	for (i = 0; i < ml.n; i++) {
		const struct mfield *f = &ml.f[i], *g;

		if (!f->alias)
			continue;
		g = mlist_find(&ml, f->alias);
		if (!g || g->alias || !g->type) {
			sb_printf(&sb, "# alias %s -> %s: the target is not a "
				  "mapped field; left out\n", f->name,
				  f->alias);
			continue;
		}
		sb_printf(&sb, "# alias %s -> %s\n%s\t%s\t-\talias\n",
			  f->name, f->alias, f->name, g->type);
		sb_printf(&al, "%s%s -> %s", al.len ? ", " : "", f->name,
			  f->alias);
	}
	if (sb.oom || al.oom)
		die_oom();
	if (!write_file(path, sb.data, sb.len)) {
		err = xprintf(a, "%s: %s", path, strerror(errno));
		sb_free(&sb);
		sb_free(&al);
		return err;
	}
	sb_free(&sb);
	out->schema = path;
	out->aliases = al.len ? sb_to_arena(a, &al, NULL) : "none";
	sb_free(&al);
	return NULL;
}

/* Copies a data file without the lines whose first non-blank characters
 * are "//" (missing-events.data: Elasticsearch's parser accepts them, a
 * strict one does not).  Returns NULL or an error message. */
static const char *
strip_slash_comments(struct arena *a, const char *src, const char *dst)
{
	struct strbuf sb = STRBUF_INIT;
	const char *err = NULL;
	char *text;
	size_t len, i;

	text = slurp(src, &len);
	if (!text)
		return xprintf(a, "%s: %s", src, strerror(errno));
	for (i = 0; i < len;) {
		const char *nl = memchr(text + i, '\n', len - i);
		size_t e = nl ? (size_t)(nl - text) + 1 : len, k = i;

		while (k < e && (text[k] == ' ' || text[k] == '\t'))
			k++;
		if (!(k + 1 < e && text[k] == '/' && text[k + 1] == '/'))
			sb_put(&sb, text + i, e - i);
		i = e;
	}
	free(text);
	if (sb.oom)
		die_oom();
	if (!write_file(dst, sb.data ? sb.data : "", sb.len))
		err = xprintf(a, "%s: %s", dst, strerror(errno));
	sb_free(&sb);
	return err;
}

/* ------------------------------------------------------------------------
 * Temporary directory and signals
 * ------------------------------------------------------------------------ */

struct tmp {
	char *dir;                      /* NULL until made */
	const char *files[MAX_TMP];     /* that may exist in it */
	size_t n;
	bool keep;                      /* --keep */
};

/* For the signal handler only (see the design note). */
static const struct tmp *cleanup_tmp;
static volatile sig_atomic_t child_pid;

/* Removes the temporary files and folder: async-signal-safe. */
static void
tmp_remove(const struct tmp *t)
{
	size_t i;

	if (!t || !t->dir || t->keep)
		return;
	for (i = 0; i < t->n; i++)
		unlink(t->files[i]);
	rmdir(t->dir);
}

static void
on_signal(int sig)
{
	if (child_pid > 0)
		kill((pid_t)child_pid, SIGKILL);
	tmp_remove(cleanup_tmp);
	/* SA_RESETHAND restored the default action; the signal is blocked
	 * while we run and is delivered again on return */
	raise(sig);
}

static const char *
tmp_file(struct arena *a, struct tmp *t, const char *name)
{
	const char *p = xprintf(a, "%s/%s", t->dir, name);

	if (t->n == MAX_TMP) {
		fputs("esqa: internal error: too many temporary files\n",
		      stderr);
		exit(EXIT_USAGE);
	}
	t->files[t->n++] = p;
	return p;
}

/* ------------------------------------------------------------------------
 * 3. Running rulec
 * ------------------------------------------------------------------------ */

struct run {
	char *argv[MAX_ARGS];
	size_t argc;
	int status;                     /* from waitpid */
	char *out, *err;                /* malloc'd, NUL-terminated */
	size_t outlen, errlen;
};

static void
add_arg(struct arena *a, struct run *r, const char *s)
{
	if (r->argc + 1 >= MAX_ARGS) {
		fputs("esqa: internal error: too many arguments\n", stderr);
		exit(EXIT_USAGE);
	}
	r->argv[r->argc++] = xstrdup(a, s);
	r->argv[r->argc] = NULL;
}

/* The command line as a shell would need it (for -v and --only). */
static char *
show_command(struct arena *a, const struct run *r)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < r->argc; i++) {
		const char *s = r->argv[i];

		if (i)
			sb_putc(&sb, ' ');
		if (*s && strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmn"
				 "opqrstuvwxyz0123456789@%+=:,./_-") ==
		    strlen(s)) {
			sb_puts(&sb, s);
			continue;
		}
		sb_putc(&sb, '\'');
		for (; *s; s++)
			if (*s == '\'')
				sb_puts(&sb, "'\\''");
			else
				sb_putc(&sb, *s);
		sb_putc(&sb, '\'');
	}
	return sb_to_arena(a, &sb, NULL);
}

/* Runs r->argv with stdin from /dev/null and stdout and stderr into the
 * given files, within `timeout` seconds (alarm() survives exec, and
 * SIGALRM's default action ends the process).  Fills r->status, r->out and
 * r->err.  Returns NULL or an error message (the harness cannot go on). */
static const char *
run_rulec(struct arena *a, struct run *r, const char *out_path,
	  const char *err_path, unsigned timeout)
{
	int in, out, err;
	pid_t pid;

	in = open("/dev/null", O_RDONLY);
	out = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	err = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (in < 0 || out < 0 || err < 0) {
		const char *msg = xprintf(a, "cannot open %s: %s",
					  in < 0 ? "/dev/null" : out < 0
					  ? out_path : err_path,
					  strerror(errno));

		if (in >= 0)
			close(in);
		if (out >= 0)
			close(out);
		if (err >= 0)
			close(err);
		return msg;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(in);
		close(out);
		close(err);
		return xprintf(a, "fork: %s", strerror(errno));
	}
	if (pid == 0) {
		static const char msg[] = "esqa: cannot execute rulec\n";

		if (dup2(in, 0) < 0 || dup2(out, 1) < 0 || dup2(err, 2) < 0)
			_exit(127);
		close(in);
		close(out);
		close(err);
		signal(SIGALRM, SIG_DFL);
		alarm(timeout);
		execv(r->argv[0], r->argv);
		if (write(2, msg, sizeof msg - 1) < 0)
			_exit(127);
		_exit(127);
	}
	child_pid = (sig_atomic_t)pid;
	close(in);
	close(out);
	close(err);
	while (waitpid(pid, &r->status, 0) < 0)
		if (errno != EINTR) {
			child_pid = 0;
			return xprintf(a, "waitpid: %s", strerror(errno));
		}
	child_pid = 0;
	r->out = slurp(out_path, &r->outlen);
	r->err = slurp(err_path, &r->errlen);
	if (!r->out || !r->err)
		return xprintf(a, "cannot read rulec's output: %s",
			       strerror(errno));
	return NULL;
}

/* ------------------------------------------------------------------------
 * 4. Results and comparison
 * ------------------------------------------------------------------------ */

/* One event id of rulec's output. */
struct eid {
	bool ok;                        /* a number (or numeric string) */
	int64_t v;                      /* -1 for a missing-event placeholder */
	const char *raw;                /* the JSON text when !ok */
};

struct got {
	struct eid *ids;
	size_t nids, capids;
	const char **keys;
	size_t nkeys, capkeys;
};

/* The JSON text of v in the document. */
static const char *
raw_text(struct arena *a, const char *doc, const struct json_value *v)
{
	return xstrndup(a, doc + v->start, v->end - v->start);
}

/* True when d is an integer that an int64_t holds exactly. */
static bool
integral(double d, int64_t *out)
{
	if (!(d >= -9007199254740992.0 && d <= 9007199254740992.0))
		return false;
	if ((double)(int64_t)d != d)
		return false;
	*out = (int64_t)d;
	return true;
}

/* An event's id: a JSON number or a string holding a decimal integer. */
static struct eid
event_id(struct arena *a, const char *doc, const struct json_value *v)
{
	struct eid id = { false, 0, "null" };

	if (!v)
		return id;
	if (v->type == JSON_NUMBER) {
		if (v->u.num.is_int) {
			id.ok = true;
			id.v = v->u.num.i;
		} else {
			id.ok = integral(v->u.num.d, &id.v);
		}
	} else if (v->type == JSON_STRING && v->u.str.len > 0 &&
		   v->u.str.len < 24) {
		char *end;

		errno = 0;
		id.v = strtoll(v->u.str.s, &end, 10);
		id.ok = errno == 0 && *end == '\0' &&
			strspn(v->u.str.s, "-0123456789") == v->u.str.len;
	}
	if (!id.ok)
		id.raw = raw_text(a, doc, v);
	return id;
}

/* A join key as the runner turns it into a string: null -> "null",
 * integral numbers without a fraction, booleans and strings as they are. */
static const char *
key_text(struct arena *a, const char *doc, const struct json_value *v)
{
	int64_t i;

	switch (v->type) {
	case JSON_NULL:
		return "null";
	case JSON_BOOL:
		return v->u.b ? "true" : "false";
	case JSON_STRING:
		return v->u.str.s;
	case JSON_NUMBER:
		if (v->u.num.is_int)
			return xprintf(a, "%lld", (long long)v->u.num.i);
		if (integral(v->u.num.d, &i))
			return xprintf(a, "%lld", (long long)i);
		return raw_text(a, doc, v);
	case JSON_ARRAY:
	case JSON_OBJECT:
		break;
	}
	return raw_text(a, doc, v);
}

/* Reads rulec's stdout: one JSON object per non-blank line, each with an
 * "events" array and a "join_keys" array.  Returns NULL or a message
 * saying what is wrong with the output. */
static const char *
read_results(struct arena *a, const char *doc, size_t len, struct got *g)
{
	size_t off = 0;
	unsigned line = 0;

	while (off < len) {
		const char *nl = memchr(doc + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - doc) : len, k;
		const struct json_value *v, *events, *keys;
		struct json_error jerr;

		line++;
		if (strspn(doc + off, " \t\r") >= end - off) {
			off = end + 1;
			continue;
		}
		v = json_parse_range(a, doc, off, end, &jerr);
		if (!v)
			return xprintf(a, "output line %u is not JSON: %s",
				       line, jerr.message);
		if (v->type != JSON_OBJECT)
			return xprintf(a, "output line %u is not an object",
				       line);
		events = json_get(v, "events");
		keys = json_get(v, "join_keys");
		if (!events || events->type != JSON_ARRAY)
			return xprintf(a, "output line %u has no \"events\" "
				       "array", line);
		if (!keys || keys->type != JSON_ARRAY)
			return xprintf(a, "output line %u has no "
				       "\"join_keys\" array", line);
		for (k = 0; k < events->u.arr.n; k++) {
			const struct json_value *e = events->u.arr.items[k];
			const struct json_value *miss;

			if (e->type != JSON_OBJECT)
				return xprintf(a, "output line %u: event %zu "
					       "is not an object", line, k);
			g->ids = grow(a, g->ids, g->nids, &g->capids,
				      sizeof *g->ids);
			miss = json_get(e, "missing");
			if (miss && miss->type == JSON_BOOL && miss->u.b) {
				g->ids[g->nids].ok = true;
				g->ids[g->nids].v = -1;
				g->ids[g->nids].raw = NULL;
			} else {
				g->ids[g->nids] = event_id(a, doc,
							   json_get(e, "id"));
			}
			g->nids++;
		}
		for (k = 0; k < keys->u.arr.n; k++) {
			g->keys = grow(a, g->keys, g->nkeys, &g->capkeys,
				       sizeof *g->keys);
			g->keys[g->nkeys++] = key_text(a, doc,
						       keys->u.arr.items[k]);
		}
		off = end + 1;
	}
	return NULL;
}

static void
show_ids(struct strbuf *sb, const int64_t *ids, size_t n)
{
	size_t i;

	sb_putc(sb, '[');
	for (i = 0; i < n; i++)
		sb_printf(sb, "%s%lld", i ? ", " : "", (long long)ids[i]);
	sb_putc(sb, ']');
}

static void
show_got_ids(struct strbuf *sb, const struct got *g)
{
	size_t i;

	sb_putc(sb, '[');
	for (i = 0; i < g->nids; i++) {
		sb_puts(sb, i ? ", " : "");
		if (g->ids[i].ok)
			sb_printf(sb, "%lld", (long long)g->ids[i].v);
		else
			sb_puts(sb, g->ids[i].raw);
	}
	sb_putc(sb, ']');
}

static void
show_keys(struct strbuf *sb, const char *const *keys, size_t n)
{
	size_t i;

	sb_putc(sb, '[');
	for (i = 0; i < n; i++) {
		sb_puts(sb, i ? ", \"" : "\"");
		sb_json_escape(sb, keys[i], strlen(keys[i]));
		sb_putc(sb, '"');
	}
	sb_putc(sb, ']');
}

static bool
ids_equal(const struct got *g, const int64_t *ids, size_t n)
{
	size_t i;

	if (g->nids != n)
		return false;
	for (i = 0; i < n; i++)
		if (!g->ids[i].ok || g->ids[i].v != ids[i])
			return false;
	return true;
}

/* Compares the output with the spec.  Returns NULL when it matches, else
 * the reason in the arena. */
static const char *
compare(struct arena *a, const struct query *q, const struct got *g)
{
	struct strbuf sb = STRBUF_INIT;
	size_t i;

	for (i = 0; i < q->nalt; i++)
		if (ids_equal(g, q->alt[i], q->nids[i]))
			break;
	if (i == q->nalt) {
		sb_puts(&sb, "ids: expected ");
		for (i = 0; i < q->nalt; i++) {
			if (i)
				sb_puts(&sb, " or ");
			show_ids(&sb, q->alt[i], q->nids[i]);
		}
		sb_puts(&sb, " got ");
		show_got_ids(&sb, g);
		return sb_to_arena(a, &sb, NULL);
	}
	if (q->njk == 0)
		return NULL;
	if (g->nkeys == q->njk) {
		for (i = 0; i < q->njk; i++)
			if (strcmp(g->keys[i], q->jk[i]) != 0)
				break;
		if (i == q->njk)
			return NULL;
	}
	sb_puts(&sb, "join_keys: expected ");
	show_keys(&sb, q->jk, q->njk);
	sb_puts(&sb, " got ");
	show_keys(&sb, g->keys, g->nkeys);
	return sb_to_arena(a, &sb, NULL);
}

/* The line of rulec's stderr that says why it failed, at most 200 bytes:
 * the first one that reports an error (linter warnings may come before
 * it), else the first non-blank one. */
static const char *
first_line(struct arena *a, const char *s)
{
	const char *p, *line = NULL;
	size_t n;

	for (p = s; *p; p += strcspn(p, "\n"), p += *p == '\n') {
		const char *eol = p + strcspn(p, "\r\n");
		const char *e = strstr(p, "error");

		if (e && e < eol) {
			line = p;
			break;
		}
	}
	if (!line)
		line = s + strspn(s, " \t\r\n");
	n = strcspn(line, "\r\n");
	if (n == 0)
		return "(no message)";
	return xstrndup(a, line, n > 200 ? 200 : n);
}

/* Why a run failed before its output could be compared, or NULL. */
static const char *
exit_reason(struct arena *a, const struct run *r, unsigned timeout)
{
	if (WIFSIGNALED(r->status)) {
		int sig = WTERMSIG(r->status);

		if (sig == SIGALRM)
			return xprintf(a, "rulec timed out after %u s",
				       timeout);
		return xprintf(a, "rulec killed by signal %d: %s", sig,
			       first_line(a, r->err));
	}
	if (!WIFEXITED(r->status))
		return "rulec stopped abnormally";
	if (WEXITSTATUS(r->status) != 0)
		return xprintf(a, "rulec exit %d: %s", WEXITSTATUS(r->status),
			       first_line(a, r->err));
	return NULL;
}

/* ------------------------------------------------------------------------
 * 5. Known failures and the run
 * ------------------------------------------------------------------------ */

struct known {
	const char *file, *name, *reason;
	unsigned line;
	bool matched;
};

struct known_list {
	struct known *k;
	size_t n, cap;
};

/* Reads `file<TAB>name<TAB>reason` lines ('#' comments, blank lines).
 * Returns NULL or an error message. */
static const char *
read_known(struct arena *a, const char *path, struct known_list *kl)
{
	char *text;
	size_t len, off = 0;
	unsigned line = 0;

	text = slurp(path, &len);
	if (!text)
		return xprintf(a, "%s: %s", path, strerror(errno));
	while (off < len) {
		const char *s = text + off, *t1, *t2;
		const char *nl = memchr(s, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s) : len - off, i;
		struct known *k;

		off += n + 1;
		line++;
		if (n && s[n - 1] == '\r')
			n--;
		if (strspn(s, " \t") >= n || s[strspn(s, " \t")] == '#')
			continue;
		t1 = memchr(s, '\t', n);
		t2 = t1 ? memchr(t1 + 1, '\t', n - (size_t)(t1 + 1 - s))
			: NULL;
		if (!t1 || !t2 || t1 == s || t2 == t1 + 1 ||
		    t2 + 1 == s + n) {
			const char *msg = xprintf(a, "%s:%u: expected "
						  "file<TAB>name<TAB>reason",
						  path, line);
			free(text);
			return msg;
		}
		kl->k = grow(a, kl->k, kl->n, &kl->cap, sizeof *kl->k);
		k = &kl->k[kl->n];
		k->file = xstrndup(a, s, (size_t)(t1 - s));
		k->name = xstrndup(a, t1 + 1, (size_t)(t2 - t1 - 1));
		k->reason = xstrndup(a, t2 + 1, (size_t)(s + n - t2 - 1));
		k->line = line;
		k->matched = false;
		for (i = 0; i < kl->n; i++)
			if (strcmp(kl->k[i].file, k->file) == 0 &&
			    strcmp(kl->k[i].name, k->name) == 0) {
				const char *msg = xprintf(a, "%s:%u: %s %s is "
					"already listed at line %u", path,
					line, k->file, k->name,
					kl->k[i].line);
				free(text);
				return msg;
			}
		kl->n++;
	}
	free(text);
	return NULL;
}

struct opts {
	const char *rulec;
	const char *qa;
	const char *known;
	const char *only;
	unsigned timeout;
	bool verbose, list, dump, keep;
};

static void
usage(FILE *f)
{
	fputs("usage: esqa --rulec PATH [--qa DIR] [--known-failures FILE]\n"
	      "            [--only NAME] [--timeout SECONDS] [--keep] [-v]\n"
	      "       esqa --list|--dump [--qa DIR]\n\n"
	      "Runs Elasticsearch's EQL QA spec suite (DIR, default\n"
	      "../shared/corpus/es-eql-qa) through 'rulec run' and compares\n"
	      "the results.  See docs/conformance.md.\n\n"
	      "  --rulec PATH           the rulec binary to run\n"
	      "  --qa DIR               the es-eql-qa folder\n"
	      "  --known-failures FILE  file<TAB>name<TAB>reason lines\n"
	      "  --only NAME            run the queries called NAME; show the\n"
	      "                         command line, the query and rulec's "
	      "output\n"
	      "  --timeout SECONDS      per run of rulec (default 60)\n"
	      "  --keep                 keep the temporary folder\n"
	      "  --list                 only list the queries read, with "
	      "counts\n"
	      "  --dump                 only print the queries read, one JSON "
	      "object per line\n"
	      "  -v                     show the settings, and the command "
	      "line and\n"
	      "                         stderr of each failing query\n"
	      "Exit status: 0 conformant (see the documentation), 1 not, 2 "
	      "usage or\nI/O error, 77 no QA data.\n", f);
}

static int
parse_opts(int argc, char **argv, struct opts *o)
{
	int i;

	memset(o, 0, sizeof *o);
	o->qa = "../shared/corpus/es-eql-qa";
	o->timeout = DEFAULT_TIMEOUT;
	for (i = 1; i < argc; i++) {
		const char *s = argv[i];
		const char **dst = NULL;

		if (strcmp(s, "--rulec") == 0)
			dst = &o->rulec;
		else if (strcmp(s, "--qa") == 0)
			dst = &o->qa;
		else if (strcmp(s, "--known-failures") == 0)
			dst = &o->known;
		else if (strcmp(s, "--only") == 0)
			dst = &o->only;
		else if (strcmp(s, "--timeout") == 0) {
			char *end;
			long t;

			if (i + 1 >= argc)
				goto missing;
			t = strtol(argv[++i], &end, 10);
			if (*end || t < 1 || t > 86400) {
				fprintf(stderr, "esqa: bad --timeout '%s'\n",
					argv[i]);
				return EXIT_USAGE;
			}
			o->timeout = (unsigned)t;
			continue;
		} else if (strcmp(s, "-v") == 0 || strcmp(s, "--verbose") == 0) {
			o->verbose = true;
			continue;
		} else if (strcmp(s, "--list") == 0) {
			o->list = true;
			continue;
		} else if (strcmp(s, "--dump") == 0) {
			o->dump = true;
			continue;
		} else if (strcmp(s, "--keep") == 0) {
			o->keep = true;
			continue;
		} else if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			usage(stdout);
			exit(0);
		} else {
			fprintf(stderr, "esqa: unknown option '%s'\n", s);
			usage(stderr);
			return EXIT_USAGE;
		}
		if (i + 1 >= argc)
			goto missing;
		*dst = argv[++i];
	}
	if (!o->rulec && !o->list && !o->dump) {
		fputs("esqa: --rulec PATH is required\n", stderr);
		usage(stderr);
		return EXIT_USAGE;
	}
	return 0;
missing:
	fprintf(stderr, "esqa: option '%s' needs an argument\n", argv[i]);
	return EXIT_USAGE;
}

/* Reads the seven spec files.  Returns 0, or an exit status after printing
 * the error. */
static int
read_specs(struct arena *a, const char *qa, struct spec *specs)
{
	size_t s;

	for (s = 0; s < NSUITES; s++) {
		const char *path = xprintf(a, "%s/%s", qa, suites[s].file);
		struct tparse t;
		char *text;
		size_t len;

		text = slurp(path, &len);
		if (!text) {
			fprintf(stderr, "esqa: %s: %s\n", path,
				strerror(errno));
			return EXIT_USAGE;
		}
		memset(&t, 0, sizeof t);
		t.a = a;
		t.file = path;
		t.p = text;
		t.end = text + len;
		t.line = 1;
		memset(&specs[s], 0, sizeof specs[s]);
		specs[s].file = suites[s].file;
		if (!spec_parse(&t, &specs[s])) {
			fprintf(stderr, "esqa: %s\n", t.err);
			free(text);
			return EXIT_USAGE;
		}
		free(text);
	}
	return 0;
}

/* Prints every query as one JSON object (--dump). */
static void
dump_specs(const struct spec *specs)
{
	struct strbuf sb = STRBUF_INIT;
	size_t s, i, k, j;

	for (s = 0; s < NSUITES; s++)
		for (i = 0; i < specs[s].n; i++) {
			const struct query *q = &specs[s].q[i];

			sb_puts(&sb, "{\"file\":\"");
			sb_json_escape(&sb, specs[s].file,
				       strlen(specs[s].file));
			sb_puts(&sb, "\",\"name\":\"");
			sb_json_escape(&sb, q->name, strlen(q->name));
			sb_puts(&sb, "\",\"query\":\"");
			sb_json_escape(&sb, q->text, strlen(q->text));
			sb_puts(&sb, "\",\"expected_event_ids\":");
			if (q->nalt > 1)
				sb_putc(&sb, '[');
			for (k = 0; k < q->nalt; k++) {
				sb_puts(&sb, k ? "," : "");
				sb_putc(&sb, '[');
				for (j = 0; j < q->nids[k]; j++)
					sb_printf(&sb, "%s%lld", j ? "," : "",
						  (long long)q->alt[k][j]);
				sb_putc(&sb, ']');
			}
			if (q->nalt > 1)
				sb_putc(&sb, ']');
			sb_puts(&sb, ",\"join_keys\":[");
			for (k = 0; k < q->njk; k++) {
				sb_puts(&sb, k ? ",\"" : "\"");
				sb_json_escape(&sb, q->jk[k], strlen(q->jk[k]));
				sb_putc(&sb, '"');
			}
			sb_printf(&sb, "],\"size\":%lld,\"max_samples_per_key"
				  "\":%lld,\"line\":%u}\n", (long long)q->size,
				  (long long)q->max_samples, q->line);
			if (sb.oom)
				die_oom();
			fwrite(sb.data, 1, sb.len, stdout);
			sb.len = 0;
		}
	sb_free(&sb);
}

/* Builds the argument vector of one query's run. */
static void
build_argv(struct arena *a, struct run *r, const struct opts *o,
	   const struct dataset *ds, const struct ds_files *df,
	   const struct query *q, const char *rulefile)
{
	char num[32];
	size_t i;

	add_arg(a, r, o->rulec);
	add_arg(a, r, "run");
	add_arg(a, r, "--id-field");
	add_arg(a, r, ds->id_field);
	add_arg(a, r, "--category-field");
	add_arg(a, r, ds->category_field);
	add_arg(a, r, "--timestamp-field");
	add_arg(a, r, "@timestamp");
	if (ds->tiebreaker_field) {
		add_arg(a, r, "--tiebreaker-field");
		add_arg(a, r, ds->tiebreaker_field);
	}
	/* Elasticsearch sorts the whole index; the data sets are small
	 * and not in time order (missing-events goes back 52 years) */
	add_arg(a, r, "--reorder-window");
	add_arg(a, r, "all");
	add_arg(a, r, "--size");
	snprintf(num, sizeof num, "%lld",
		 (long long)(q->size >= 0 ? q->size : DEFAULT_SIZE));
	add_arg(a, r, num);
	if (q->max_samples >= 0) {
		add_arg(a, r, "--max-samples-per-key");
		snprintf(num, sizeof num, "%lld", (long long)q->max_samples);
		add_arg(a, r, num);
	}
	add_arg(a, r, "--schema");
	add_arg(a, r, df->schema);
	add_arg(a, r, rulefile);
	for (i = 0; i < MAX_DATA && df->data[i]; i++) {
		add_arg(a, r, "-e");
		add_arg(a, r, df->data[i]);
	}
}

/* Prints up to `max` lines of text, indented. */
static void
print_indented(const char *s, size_t len, size_t max)
{
	size_t off = 0, lines = 0;

	while (off < len) {
		const char *nl = memchr(s + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - s - off) : len - off;

		if (max && lines == max) {
			printf("    ...\n");
			return;
		}
		printf("    %.*s\n", (int)n, s + off);
		lines++;
		off += n + 1;
	}
}

struct tally {
	size_t pass, total;
};

/* Runs one query and prints its verdict line.  Returns true when it
 * passed; *fatal is set when the harness cannot go on. */
static bool
run_query(const struct opts *o, const char *rulefile, const char *out_path,
	  const char *err_path, const struct suite *su,
	  const struct ds_files *df, const struct query *q, bool *fatal)
{
	struct arena a;
	struct run r;
	struct got g;
	struct strbuf sb = STRBUF_INIT;
	const char *why, *err;
	bool passed;
	size_t len = strlen(q->text);

	arena_init(&a, NULL);
	memset(&r, 0, sizeof r);
	memset(&g, 0, sizeof g);
	/* the query file, ending with a line end */
	sb_put(&sb, q->text, len);
	if (!len || q->text[len - 1] != '\n')
		sb_putc(&sb, '\n');
	if (sb.oom)
		die_oom();
	if (!write_file(rulefile, sb.data, sb.len)) {
		fprintf(stderr, "esqa: %s: %s\n", rulefile, strerror(errno));
		sb_free(&sb);
		arena_release(&a);
		*fatal = true;
		return false;
	}
	sb_free(&sb);
	build_argv(&a, &r, o, &datasets[su->ds], df, q, rulefile);
	err = run_rulec(&a, &r, out_path, err_path, o->timeout);
	if (err) {
		fprintf(stderr, "esqa: %s\n", err);
		free(r.out);
		free(r.err);
		arena_release(&a);
		*fatal = true;
		return false;
	}
	if (o->only) {
		printf("== %s %s (line %u)\nquery:\n", su->file, q->name,
		       q->line);
		print_indented(q->text, len, 0);
		printf("command: %s\nexit status: ", show_command(&a, &r));
		if (WIFEXITED(r.status))
			printf("%d\n", WEXITSTATUS(r.status));
		else
			printf("signal %d\n", WIFSIGNALED(r.status)
			       ? WTERMSIG(r.status) : -1);
		printf("stdout (%zu bytes):\n", r.outlen);
		print_indented(r.out, r.outlen, 0);
		printf("stderr (%zu bytes):\n", r.errlen);
		print_indented(r.err, r.errlen, 0);
	}
	why = exit_reason(&a, &r, o->timeout);
	if (!why)
		why = read_results(&a, r.out, r.outlen, &g);
	if (!why)
		why = compare(&a, q, &g);
	passed = why == NULL;
	if (passed && q->known)
		printf("XPASS %s %s: stale entry in the known-failures file "
		       "(listed as: %s)\n", su->file, q->name, q->known);
	else if (passed)
		printf("PASS %s %s\n", su->file, q->name);
	else if (q->known)
		printf("XFAIL %s %s: %s\n", su->file, q->name, why);
	else
		printf("FAIL %s %s: %s\n", su->file, q->name, why);
	if (!passed && o->verbose && !o->only) {
		printf("  command: %s\n", show_command(&a, &r));
		if (r.errlen) {
			printf("  stderr:\n");
			print_indented(r.err, r.errlen, SHOW_STDERR);
		}
	}
	free(r.out);
	free(r.err);
	arena_release(&a);
	return passed;
}

/* Makes the temporary folder and the per-data-set files.  Returns NULL or
 * an error message. */
static const char *
prepare(struct arena *a, const struct opts *o, struct tmp *tmp,
	struct ds_files *df)
{
	const char *base = getenv("TMPDIR");
	size_t d, i;

	if (!base || !*base)
		base = "/tmp";
	tmp->dir = xprintf(a, "%s/esqa.XXXXXX", base);
	if (!mkdtemp(tmp->dir)) {
		const char *msg = xprintf(a, "mkdtemp %s: %s", tmp->dir,
					  strerror(errno));

		tmp->dir = NULL;
		return msg;
	}
	for (d = 0; d < DS_COUNT; d++) {
		const struct dataset *ds = &datasets[d];
		const char *err;

		err = write_schema(a, ds, o->qa,
				   tmp_file(a, tmp, xprintf(a, "%s.schema.tsv",
							    ds->name)),
				   &df[d]);
		if (err)
			return err;
		for (i = 0; i < MAX_DATA && ds->data[i]; i++) {
			const char *src = xprintf(a, "%s/%s", o->qa,
						  ds->data[i]);

			if (ds->strip_slash_comments) {
				const char *dst = tmp_file(a, tmp, xprintf(a,
					"%s.json", ds->name));

				err = strip_slash_comments(a, src, dst);
				if (err)
					return err;
				src = dst;
			}
			df[d].data[i] = src;
		}
	}
	return NULL;
}

int
main(int argc, char **argv)
{
	struct arena a;
	struct opts o;
	struct spec specs[NSUITES];
	struct ds_files df[DS_COUNT];
	struct known_list kl = { NULL, 0, 0 };
	struct tmp tmp;
	struct tally per[NSUITES], all = { 0, 0 };
	struct sigaction sa;
	const char *rulefile, *out_path, *err_path, *err;
	size_t s, i, nq = 0, unexpected = 0, xfail = 0, stale = 0;
	bool fatal = false, bad_count = false, ok;
	int rc;

	rc = parse_opts(argc, argv, &o);
	if (rc)
		return rc;
	arena_init(&a, NULL);
	memset(&tmp, 0, sizeof tmp);
	memset(df, 0, sizeof df);
	memset(per, 0, sizeof per);
	if (access(xprintf(&a, "%s/%s", o.qa, suites[0].file), R_OK) != 0) {
		printf("esqa: skipped: no QA data in %s\n", o.qa);
		arena_release(&a);
		return EXIT_SKIP;
	}
	rc = read_specs(&a, o.qa, specs);
	if (rc) {
		arena_release(&a);
		return rc;
	}
	for (s = 0; s < NSUITES; s++) {
		nq += specs[s].n;
		if (specs[s].n != suites[s].count) {
			fprintf(stderr, "esqa: %s: %zu queries read, %zu "
				"expected\n", suites[s].file, specs[s].n,
				suites[s].count);
			bad_count = true;
		}
	}
	if (o.dump) {
		dump_specs(specs);
		arena_release(&a);
		return bad_count ? EXIT_FAIL : 0;
	}
	if (o.list) {
		for (s = 0; s < NSUITES; s++)
			for (i = 0; i < specs[s].n; i++)
				printf("%s\t%s\t%u\n", specs[s].file,
				       specs[s].q[i].name, specs[s].q[i].line);
		for (s = 0; s < NSUITES; s++)
			printf("%s: %zu queries\n", specs[s].file,
			       specs[s].n);
		printf("total: %zu queries\n", nq);
		arena_release(&a);
		return bad_count ? EXIT_FAIL : 0;
	}

	if (o.only) {
		bool found = false;

		for (s = 0; s < NSUITES; s++)
			for (i = 0; i < specs[s].n; i++)
				found = found ||
					strcmp(specs[s].q[i].name, o.only) == 0;
		if (!found) {
			fprintf(stderr, "esqa: no query named '%s'\n", o.only);
			arena_release(&a);
			return EXIT_USAGE;
		}
	}

	/* known failures */
	if (o.known) {
		err = read_known(&a, o.known, &kl);
		if (err) {
			fprintf(stderr, "esqa: %s\n", err);
			arena_release(&a);
			return EXIT_USAGE;
		}
		for (i = 0; i < kl.n; i++)
			for (s = 0; s < NSUITES; s++)
				if (strcmp(kl.k[i].file, specs[s].file) == 0) {
					size_t j;

					for (j = 0; j < specs[s].n; j++)
						if (strcmp(specs[s].q[j].name,
							   kl.k[i].name) == 0) {
							specs[s].q[j].known =
								kl.k[i].reason;
							kl.k[i].matched = true;
						}
				}
	}
	if (access(o.rulec, X_OK) != 0) {
		fprintf(stderr, "esqa: %s: %s\n", o.rulec, strerror(errno));
		arena_release(&a);
		return EXIT_USAGE;
	}

	/* temporary files; signals remove them */
	err = prepare(&a, &o, &tmp, df);
	rulefile = tmp.dir ? tmp_file(&a, &tmp, "query.eql") : NULL;
	out_path = tmp.dir ? tmp_file(&a, &tmp, "stdout") : NULL;
	err_path = tmp.dir ? tmp_file(&a, &tmp, "stderr") : NULL;
	tmp.keep = o.keep;
	cleanup_tmp = &tmp;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_signal;
	sa.sa_flags = SA_RESETHAND;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	sigaction(SIGPIPE, &sa, NULL);  /* e.g. output piped into head */
	if (err) {
		fprintf(stderr, "esqa: %s\n", err);
		tmp_remove(&tmp);
		arena_release(&a);
		return EXIT_USAGE;
	}
	if (o.verbose || o.only) {
		printf("rulec: %s\nQA data: %s\ntemporary folder: %s%s\n",
		       o.rulec, o.qa, tmp.dir,
		       o.keep ? " (kept)" : " (removed at exit)");
		for (s = 0; s < DS_COUNT; s++)
			printf("%s: schema %s; aliases: %s\n",
			       datasets[s].name, df[s].schema,
			       df[s].aliases);
	}

	for (s = 0; s < NSUITES && !fatal; s++) {
		for (i = 0; i < specs[s].n && !fatal; i++) {
			const struct query *q = &specs[s].q[i];
			bool passed;

			if (o.only && strcmp(o.only, q->name) != 0)
				continue;
			passed = run_query(&o, rulefile, out_path,
					   err_path, &suites[s],
					   &df[suites[s].ds], q, &fatal);
			if (fatal)
				break;
			per[s].total++;
			per[s].pass += passed;
			if (passed && q->known)
				stale++;
			else if (!passed && q->known)
				xfail++;
			else if (!passed)
				unexpected++;
		}
	}
	tmp_remove(&tmp);
	if (fatal) {
		arena_release(&a);
		return EXIT_USAGE;
	}
	for (s = 0; s < NSUITES; s++) {
		all.pass += per[s].pass;
		all.total += per[s].total;
	}
	if (o.only) {
		arena_release(&a);
		return all.pass == all.total ? 0 : EXIT_FAIL;
	}

	/* summary and verdict */
	ok = !bad_count && unexpected == 0 && stale == 0;
	printf("\n");
	for (s = 0; s < NSUITES; s++) {
		printf("%s: %zu/%zu passed\n", suites[s].file, per[s].pass,
		       per[s].total);
		if (suites[s].must_pass && per[s].pass != per[s].total) {
			printf("esqa: %s must pass completely\n",
			       suites[s].file);
			ok = false;
		}
	}
	for (i = 0; i < kl.n; i++)
		if (!kl.k[i].matched) {
			printf("esqa: %s:%u: unknown entry %s %s\n", o.known,
			       kl.k[i].line, kl.k[i].file, kl.k[i].name);
			ok = false;
		}
	printf("total: %zu/%zu passed (%.1f%%; %d%% required)\n", all.pass,
	       all.total, all.total ? 100.0 * (double)all.pass /
	       (double)all.total : 0.0, PASS_PERCENT);
	printf("unexpected failures: %zu, known failures: %zu, stale "
	       "known-failure entries: %zu\n", unexpected, xfail, stale);
	if (all.pass * 100 < all.total * PASS_PERCENT)
		ok = false;
	printf("esqa: %s\n", ok ? "conformant" : "NOT conformant");
	arena_release(&a);
	return ok ? 0 : EXIT_FAIL;
}
