/*
 * fuzz_events.c - differential libFuzzer target for the event reader
 * (events/reader.h) alone.  The input is
 *
 *   byte 0   the read size of the second reader: 1 + byte % 64 bytes
 *   byte 1   the longest record: the default (16 MiB) when < 128, else
 *            byte - 120 bytes (8 to 135), so the too-long path is reached
 *   rest     the events (NDJSON or one JSON array)
 *
 * and the same events are read twice: from one buffer holding all of them
 * (ev_open_buffer) and in reads of a few bytes (ev_open_buffer_chunked,
 * the refill paths a file or pipe takes: compaction, growth, scans that
 * resume).  Both must agree record by record: the same result (event,
 * error, end), for an event the same index and the same values of every
 * field the target asks for (a fixed set of paths through ev_get,
 * ev_array_len/ev_array_at and ev_want/ev_slot, some first asked for in
 * the middle of the input so that the reader walks an event again), for
 * an error the same message, line and offset.  For NDJSON in UTF-8 the
 * input's lines are also counted here: each non-blank line (or line
 * longer than the maximum) gives exactly one result -- an event whose
 * index is its position, or an error at its line and offset -- and no
 * other line gives one.  Any difference aborts.  Nothing is printed.
 *
 * Build: configure CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz_events -dict=$(srcdir)/tests/fuzz/events.dict \
 *       $(srcdir)/tests/fuzz/events-corpus
 * (or scripts/fuzz fuzz_events).  The seeds were written by hand; each
 * starts with the two option bytes.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/encoding.h"
#include "events/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Paths read from every event (a prefix of another path, nested and
 * dotted spellings, array fields, the engine's usual fields). */
static const char *const paths[] = {
	"a", "a.b", "a.b.c", "b", "x.y", "arr", "event.id", "@timestamp",
	"process.name", "process.args", "process.parent.name", "k",
	"event.category", "",
};
#define NPATHS (sizeof paths / sizeof paths[0])
/* Paths asked for only from the third event on (a walk again). */
static const char *const late[] = { "c", "a.c", "process.pid", "a.b.d" };
#define NLATE (sizeof late / sizeof late[0])
/* Paths registered before the first event and read by slot id. */
static const char *const wanted[] = { "event.id", "user.name", "a.b" };
#define NWANTED (sizeof wanted / sizeof wanted[0])

static void
check(bool ok)
{
	if (!ok)
		abort();
}

static bool
same_value(const struct ev_value *a, const struct ev_value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case EV_BOOL:
		return a->u.b == b->u.b;
	case EV_INT:
		return a->u.i == b->u.i;
	case EV_DOUBLE:
		return memcmp(&a->u.d, &b->u.d, sizeof a->u.d) == 0;
	case EV_STRING:
		return a->u.s.len == b->u.s.len &&
		       (a->u.s.len == 0 ||
			memcmp(a->u.s.s, b->u.s.s, a->u.s.len) == 0);
	default:
		return true;
	}
}

/* The values of one path in both events agree. */
static void
same_path(struct ev_event *x, struct ev_event *y, const char *p)
{
	struct ev_value a, b;
	size_t n = strlen(p), na, i;

	check(ev_get(x, p, n, &a) == ev_get(y, p, n, &b));
	check(same_value(&a, &b));
	na = ev_array_len(x, p, n);
	check(na == ev_array_len(y, p, n));
	check(na == 0 || a.kind == EV_ARRAY);
	for (i = 0; i < na; i++) {
		check(ev_array_at(x, p, n, i, &a));
		check(ev_array_at(y, p, n, i, &b));
		check(same_value(&a, &b));
	}
	check(!ev_array_at(x, p, n, na, &a) && a.kind == EV_MISSING);
}

static void
same_slot(struct ev_event *x, struct ev_event *y, int id)
{
	struct ev_value a, b;
	const struct ev_value *ea, *eb;
	size_t na, nb, i;

	check(ev_slot(x, id, &a, &ea, &na) == ev_slot(y, id, &b, &eb, &nb));
	check(same_value(&a, &b));
	if (a.kind != EV_ARRAY)
		return;
	check(na == nb);
	for (i = 0; i < na; i++)
		check(same_value(&ea[i], &eb[i]));
}

/* The NDJSON lines that give a result: for each, its line number, where
 * a too-long error points (the line's start) and where any other error
 * points (its first non-blank byte). */
struct line {
	uint64_t no, start, text;
	bool too_long;
};

static bool
blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Counts the lines as docs/run.md and reader.h describe NDJSON; returns
 * false for an array (the first non-blank byte is '['). */
static bool
ndjson_lines(const char *s, size_t len, size_t max, struct line *out,
	     size_t *nout)
{
	size_t p = 0, a, b, t;
	uint64_t no = 1;

	*nout = 0;
	for (;;) {              /* leading blanks and a BOM at offset 0 */
		while (p < len && blank(s[p]))
			no += s[p++] == '\n';
		if (p == 0 && len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0) {
			p = 3;
			continue;
		}
		break;
	}
	if (p < len && s[p] == '[')
		return false;
	while (p < len) {
		const char *nl = memchr(s + p, '\n', len - p);

		a = p;
		b = nl ? (size_t)(nl - s) : len;
		p = nl ? b + 1 : len;
		for (t = a; t < b && blank(s[t]); t++)
			;
		if (b - a > max || t < b) {
			out[*nout].no = no;
			out[*nout].start = a;
			out[*nout].text = t;
			out[*nout].too_long = b - a > max;
			(*nout)++;
		}
		no++;
	}
	return true;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ev_reader *x, *y;
	struct ev_event *ex, *ey;
	const char *err = NULL, *s;
	struct line *lines = NULL;
	size_t chunk, max, len, nlines = 0, k, i;
	uint64_t results = 0;
	bool lined = false, fatal = false;
	int rx, ry, ids[NWANTED];

	if (size < 2)
		return 0;
	chunk = 1 + data[0] % 64;
	max = data[1] < 128 ? 0 : (size_t)data[1] - 120;
	s = (const char *)data + 2;
	len = size - 2;
	x = ev_open_buffer(s, len, &err);
	y = ev_open_buffer_chunked(s, len, chunk, &err);
	if (!x || !y) {
		ev_close(x);
		ev_close(y);
		return 0;
	}
	ev_set_max_record(x, max);
	ev_set_max_record(y, max);
	for (k = 0; k < NWANTED; k++) {
		ids[k] = ev_want(x, wanted[k], strlen(wanted[k]));
		check(ids[k] == ev_want(y, wanted[k], strlen(wanted[k])));
	}
	if (enc_sniff(s, len).enc != ENC_UTF8) {
		fatal = true;   /* one error, then the end */
	} else {
		lines = malloc((len + 1) * sizeof *lines);
		if (!lines)
			goto out;
		lined = ndjson_lines(s, len, max ? max : EV_DEFAULT_MAX_RECORD,
				     lines, &nlines);
	}
	for (k = 0;; k++) {
		uint64_t lx, ly, ox, oy;
		const char *mx, *my;

		rx = ev_next(x, &ex);
		ry = ev_next(y, &ey);
		check(rx == ry);
		if (rx == 0)
			break;
		check(!fatal || k == 0);
		if (rx > 0) {
			check(ev_index(ex) == ev_index(ey));
			check(!lined || ev_index(ex) == results);
			for (i = 0; i < NPATHS; i++)
				same_path(ex, ey, paths[i]);
			for (i = 0; k >= 2 && i < NLATE; i++)
				same_path(ex, ey, late[i]);
			for (i = 0; i < NWANTED; i++)
				same_slot(ex, ey, ids[i]);
		} else {
			mx = ev_error(x, &lx, &ox);
			my = ev_error(y, &ly, &oy);
			check(mx && my && *mx && strcmp(mx, my) == 0);
			check(lx == ly && ox == oy);
			if (lined && results < nlines) {
				const struct line *l = &lines[results];

				check(lx == l->no);
				check(ox == (l->too_long ? l->start : l->text));
			}
		}
		results++;
		check(!lined || results <= nlines);
	}
	check(!lined || results == nlines);
	check(ev_records(x) == ev_records(y));
	check(fatal || !lined || ev_records(x) == nlines);
	check(ev_bytes_read(x) == len && ev_bytes_read(y) <= len);
out:
	free(lines);
	ev_close(x);
	ev_close(y);
	return 0;
}
