/*
 * reader.h - streaming JSON event reader (NDJSON or one JSON array of
 * objects), backed by a byte-level fast walk and simdjson On-Demand behind
 * a C interface.
 *
 * Design note
 * -----------
 * Input.  The input (a file, or "-" for stdin) is read with read(2) into one
 * buffer of `chunk` bytes (4 MiB by default) plus simdjson's padding.  The
 * buffer is compacted (the unfinished record moved to the front) when no
 * complete record is left, and it grows (doubling) only when a single record
 * does not fit.  A record longer than the maximum (ev_set_max_record, 16
 * MiB by default) is not kept: once the unfinished record passes the
 * maximum its bytes are dropped at each refill (only the array scanner's
 * state survives) and it is reported as too long when its end is found.
 * A record's length is its raw span: an NDJSON line without its newline,
 * an array element up to the ',' or ']' after it, blanks included (a
 * read may have dropped them before the end was found).
 * Memory is therefore bounded by max(chunk, 2 x maximum) plus per-record
 * parser state, whatever the input.  Every scan resumes where the previous
 * one stopped, so a record costs time linear in its length however small
 * the reads (a pipe gives 64 KiB at a time).
 *
 * Format.  The first non-blank byte (after an optional UTF-8 BOM) decides:
 * '[' means one JSON array of events, anything else means NDJSON.
 *  - NDJSON: records are split with memchr('\n'); blank lines and a trailing
 *    '\r' are ignored.  A malformed line is reported (-1 from ev_next) with
 *    its line number and byte offset and the next ev_next() goes on with the
 *    following line.
 *  - Array: elements are delimited by a small bracket/string scanner, so the
 *    array is streamed and may be pretty-printed over many lines; line
 *    numbers are kept by counting the newlines consumed.  An element that is
 *    well delimited but does not parse (or is not an object) is reported and
 *    skipped: the reader resynchronises at the next element.  Errors in the
 *    array's own syntax are reported (-1, not counted as a record) and the
 *    reader resynchronises: a missing ',' before a '{' is reported and the
 *    element read; other bytes between elements are skipped up to the next
 *    '{', ',' or ']' (the message says how many); ",," and ",]" are
 *    reported and passed over.  An element that runs to the end of the
 *    input (a string or bracket not closed) is reported as a record and
 *    the reader resumes at the next "}, {" after its start (at most 64
 *    times per input: each may rescan the rest); when it is longer than
 *    the maximum, the input ends there instead (reported once), whether
 *    or not its bytes were dropped already, so the outcome does not
 *    depend on the sizes of the reads.  End of input inside the
 *    array otherwise, and content after the closing ']', end the input
 *    (reported once; every later ev_next() returns 0).
 *
 * Parsing and validation.  Every record is validated in full, whatever
 * is read from it.  A record is first read by a fast walk over its bytes
 * (reader.cc: fast_record): UTF-8 checked by simdjson's validate_utf8,
 * every value no rule reads checked by a strict JSON grammar (literals,
 * numbers, escapes, raw control characters, ':' and ',', nesting; strings
 * scanned 16 bytes at a time) and jumped over whole, objects a wanted path
 * goes into walked member by member, wanted values decoded.  The fast walk
 * only ever vouches for a record: whatever it cannot (an error, an escaped
 * key, a surrogate escape, -0, an integer of 19 digits or more) sends the
 * record through simdjson On-Demand, whose first (SIMD) pass and walk
 * check it again and give simdjson's verdict and message (there too the
 * values no rule reads go through the byte grammar first, On-Demand's own
 * token-by-token check only where that cannot tell).  The top-level value
 * must be an object with nothing after it, and nesting deeper than 1024
 * levels is refused.  So whether a record is malformed never depends on
 * which fields the rules read, nor on which path read it.
 *
 * Field lookup.  The reader keeps an "interest set": every dotted path ever
 * passed to ev_want/ev_get/ev_array_len/ev_array_at, as a trie of its
 * dot-separated segments (each node's children in a small hash table).
 * Each event is walked once, at ev_next() time: a key is looked up among
 * the children of the node of the object holding it (a key holding dots
 * walks one node per segment), objects are entered only when some wanted
 * path goes into them, and every other value is skipped.  The values of
 * wanted paths go into a per-event slot table indexed by path id, so
 * ev_slot is one slot read and ev_get a trie walk of the path plus one.
 * Nested objects, dotted keys and any mix match the same path ("a.b" is
 * the segments a, b however it is spelt).  When a path not yet in the set
 * is asked for, it is added and the current event is walked again (once
 * per distinct path over the whole run).  Keys are unescaped before
 * matching (an escaped '.' is a dot).  A path never crosses an array.
 * Duplicates: the last occurrence in document order wins (also between a
 * nested and a dotted spelling of the same path).
 *
 * Values.  Strings without escapes point into the input buffer; escaped
 * strings are unescaped into a per-event arena; both stay valid until the
 * next ev_next().  Integers that fit int64 are EV_INT; integers in
 * (INT64_MAX, UINT64_MAX] and larger integers are EV_DOUBLE (rounded), as are
 * numbers with a fraction or exponent.  An array value is EV_ARRAY; its
 * elements are read with ev_array_at (nested arrays/objects inside it show
 * as EV_ARRAY/EV_OBJECT with no content).  An object value is EV_OBJECT.
 *
 * ev_index counts every non-blank record, malformed ones included, so it is
 * the 0-based position of the record in the input.
 */
#ifndef RULEC_EVENTS_READER_H
#define RULEC_EVENTS_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

struct ev_reader;	/* opaque */
struct ev_event;	/* one event, valid until the next ev_next() */

enum ev_kind {
	EV_MISSING, EV_NULL, EV_BOOL, EV_INT, EV_DOUBLE, EV_STRING,
	EV_ARRAY, EV_OBJECT
};

struct ev_value {
	enum ev_kind kind;
	union {
		bool b;
		int64_t i;
		double d;
		struct {
			const char *s;
			size_t len;
		} s;
	} u;
};

#define EV_DEFAULT_CHUNK ((size_t)4 << 20)
#define EV_DEFAULT_MAX_RECORD ((size_t)16 << 20)

/*
 * Opens a file path, or "-" for stdin.  On failure returns NULL and sets
 * *err to a static-storage message (strerror text or "out of memory").
 */
struct ev_reader *ev_open(const char *path, const char **err);
/* Reads events from data[0..len) (copied) instead of a file. */
struct ev_reader *ev_open_buffer(const char *data, size_t len,
				 const char **err);
/* Same with an explicit read chunk size (tests use a tiny one). */
struct ev_reader *ev_open_chunked(const char *path, size_t chunk,
    const char **err);
/* data[0..len) (copied) read as a file or pipe would give it, at most
 * `chunk` bytes per read (>= 1) into a buffer of max(chunk, 16) bytes
 * that grows as above: the refill paths of a file, in memory (the
 * differential fuzz target compares it with ev_open_buffer). */
struct ev_reader *ev_open_buffer_chunked(const char *data, size_t len,
    size_t chunk, const char **err);
void ev_close(struct ev_reader *r);
/* Reads fd (closed by ev_close when `own`) whose first n bytes, pre,
 * were already read from it: the input is pre followed by the rest of
 * fd. */
struct ev_reader *ev_open_fd(int fd, bool own, const char *pre, size_t n,
    const char **err);
/* Before the first ev_next: the input is NDJSON (no format detection,
 * encoding check or byte order mark) and is a part of a larger input
 * whose first byte is at `offset`, on line `line`: records and errors
 * are located in the larger input.  For line-aligned parts read in
 * parallel. */
void ev_set_origin(struct ev_reader *r, uint64_t line, uint64_t offset);


/*
 * Next event: 1 = an event in *ev, 0 = end of input, -1 = this record is
 * malformed (or a read error): ev_error() gives a message, the 1-based line
 * and 0-based byte offset where the record starts; call ev_next() again.
 */
int ev_next(struct ev_reader *r, struct ev_event **ev);
const char *ev_error(const struct ev_reader *r, uint64_t *line,
    uint64_t *offset);
uint64_t ev_index(const struct ev_event *ev);

/*
 * Field lookup by dotted path ("process.parent.name").  Returns false and
 * kind EV_MISSING when the path is absent (or the reader is out of memory).
 */
bool ev_get(struct ev_event *ev, const char *path, size_t pathlen,
    struct ev_value *out);
/* Number of elements of an array field (0 if missing or not an array). */
size_t ev_array_len(struct ev_event *ev, const char *path, size_t pathlen);
bool ev_array_at(struct ev_event *ev, const char *path, size_t pathlen,
    size_t i, struct ev_value *out);

/*
 * Path ids: ev_want registers a path with the interest set before (or
 * between) events and returns its slot id (-1: out of memory); the same
 * path always gets the same id, and ids are given in registration order.
 * ev_slot reads the current event's value of a slot: false when absent;
 * for an array, *elems and *nelems give its elements.
 */
int ev_want(struct ev_reader *r, const char *path, size_t pathlen);
bool ev_slot(struct ev_event *ev, int id, struct ev_value *out,
    const struct ev_value **elems, size_t *nelems);

/* The longest record kept, in bytes (0: the default); a longer one is
 * reported as malformed (its bytes are dropped as they are read) and the
 * reader resumes after it. */
void ev_set_max_record(struct ev_reader *r, size_t max);

/* Records met so far (events and malformed records; not the errors of an
 * array's own syntax): the position the next input's records continue
 * from. */
uint64_t ev_records(const struct ev_reader *r);

/* Bytes read from the input so far. */
uint64_t ev_bytes_read(const struct ev_reader *r);
/* Current capacity of the input buffer (for the memory-bound test). */
size_t ev_buffer_size(const struct ev_reader *r);

#ifdef __cplusplus
}
#endif

#endif /* RULEC_EVENTS_READER_H */
