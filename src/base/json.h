/*
 * json.h - strict JSON (RFC 8259) reader that keeps byte offsets.
 *
 * Design note.  Elastic rules come as Kibana rule JSON or NDJSON exports,
 * and the query a diagnostic talks about sits inside a JSON string.  This
 * reader builds a small DOM in an arena; every value remembers its byte span
 * [start, end) in the document, and a string value also keeps a segment map
 * (see source.h) from bytes of the decoded text back to the document bytes
 * they came from.  An error found by the EQL front end in the decoded query
 * therefore lands on the right byte of the file even after escapes such as
 * \n, \" or \u00e9.  json_string_text() wraps a string value as an rc_text
 * ready for a front end.
 *
 * Everything the DOM holds (values, item and member arrays, decoded strings,
 * maps, number texts) lives in the arena; the document may be released once
 * parsing is done, although diagnostics will want it for the source line.
 * Temporary stacks come from the arena's allocator and are freed before
 * returning, on success and on error alike.
 *
 * The grammar is strict: no comments, no trailing commas, no NaN or
 * Infinity, no leading zeros, no single quotes, no raw control characters
 * in strings, strings must be valid UTF-8 (no overlong forms, no encoded
 * surrogates), and \u escapes must pair surrogates correctly.  The only
 * leniency is that a UTF-8 byte order mark at offset 0 of the data is
 * skipped (RFC 8259 section 8.1 allows that).  Limits: nesting depth
 * JSON_MAX_DEPTH, documents below 4 GiB (offsets are 32-bit), and numbers
 * whose magnitude overflows a double are refused.  Duplicate keys are kept
 * in document order; json_get() returns the last one, as most readers do.
 */
#ifndef RC_JSON_H
#define RC_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/source.h"

enum { JSON_MAX_DEPTH = 256 };

/* Value types and their names, kept in step by one list. */
#define JSON_TYPE_LIST(X) \
	X(JSON_NULL, "null") \
	X(JSON_BOOL, "boolean") \
	X(JSON_NUMBER, "number") \
	X(JSON_STRING, "string") \
	X(JSON_ARRAY, "array") \
	X(JSON_OBJECT, "object")

enum json_type {
#define X(e, name) e,
	JSON_TYPE_LIST(X)
#undef X
};

struct json_member;

struct json_value {
	enum json_type type;
	uint32_t start, end;    /* byte span in the document, end exclusive */
	union {
		bool b;
		/* raw: the number's text as written in the document (arena
		 * copy, NUL-terminated); d is always set; is_int and i when
		 * the text has no fraction or exponent and fits in int64 */
		struct {
			double d;
			const char *raw;
			size_t rawlen;
			bool is_int;
			int64_t i;
		} num;
		/* s: decoded UTF-8, NUL-terminated (it may also hold NULs
		 * from \u0000, so use len); map: nmap >= 1 entries, text_off
		 * relative to s, src_off absolute document offsets; the first
		 * entry is {0, start + 1} and one follows every escape */
		struct {
			const char *s;
			size_t len;
			const struct segmap_entry *map;
			size_t nmap;
		} str;
		/* items is NULL when n is 0 */
		struct {
			struct json_value **items;
			size_t n;
		} arr;
		/* members in document order, duplicates included; NULL when
		 * n is 0 */
		struct {
			struct json_member *members;
			size_t n;
		} obj;
	} u;
};

struct json_member {
	const char *key;        /* decoded, NUL-terminated */
	size_t keylen;
	uint32_t key_start;     /* the key's opening quote */
	uint32_t key_end;       /* just past its closing quote */
	struct json_value *value;
};

struct json_error {
	uint32_t offset;        /* absolute offset of the offending byte */
	char message[160];      /* lowercase, no trailing period */
};

/*
 * Parses exactly one JSON value from data[0..len); whitespace may surround
 * it, anything else after it is an error.  Returns NULL and fills *err
 * (which may be NULL) on error, including "out of memory" when the arena or
 * its allocator fails (a->oom is then set).
 */
struct json_value *json_parse(struct arena *a, const char *data, size_t len,
			      struct json_error *err);
/*
 * Same, for the value in data[off..limit), such as one NDJSON line: offsets
 * in the result and in errors stay absolute to `data`, and nothing at or
 * after `limit` is read.
 */
struct json_value *json_parse_range(struct arena *a, const char *data,
				    size_t off, size_t limit,
				    struct json_error *err);

/* Member `key` of an object; with duplicate keys the last one wins.  NULL
 * if absent or if obj is NULL or not an object. */
const struct json_value *json_get(const struct json_value *obj,
				  const char *key);
/* The same with a counted key (which may contain NULs). */
const struct json_value *json_get_n(const struct json_value *obj,
				    const char *key, size_t keylen);

/* "null", "boolean", "number", "string", "array", "object". */
const char *json_type_name(enum json_type t);

/* Makes *t the decoded text of string value v, mapped back into src (whose
 * data must be the document v was parsed from).  A value that is not a
 * string gives an empty text located at v->start. */
void json_string_text(const struct json_value *v, struct rc_source *src,
		      struct rc_text *t);

#endif
