/*
 * schema.h - the field catalogue that EQL field references are typed
 * against (ECS by default, extended or overridden by users' files).
 *
 * Design note.  A schema is an array of entries keyed by dotted names and
 * one hash table over it (base/hash.h: FNV-1a of the name, linear
 * probing, at most three quarters full).  An entry is a field, a path
 * prefix of some field ("process" and "process.parent" for
 * "process.parent.name"), or both, so schema_lookup and
 * schema_is_object_path each cost one probe sequence.  Fields are also
 * kept in a list in order of first definition; the entries of first path
 * segments ("process") chain the fields below them, which is where
 * schema_suggest looks first.  A first-segment entry also keeps the file
 * of the first field below it, which tells the linter which segments are
 * ECS field sets (SCHEMA_ECS_ORIGIN), and a list of those entries serves
 * schema_near_root.  Literal forms (schemas/literal-stars.tsv) are a short
 * list beside the table, scanned in order.
 *
 * Everything (table, entries, names) lives in the arena given to
 * schema_new and goes with it; a grown table or entry array leaves its
 * old array in the arena, at most as much again as the final one.  Field
 * records are never changed after they are made: a later definition of a
 * name gets a new record, so a pointer from an earlier lookup still
 * describes what it did.
 *
 * Schema file format (see also scripts/gen-ecs-schema, which writes
 * schemas/ecs.tsv):
 *
 *	name <TAB> type <TAB> array [<TAB> es_type]
 *
 * one field per line; type is a rulec type name (schema_ftype_name); array
 * is "array" or "-"; the optional es_type is the Elasticsearch mapping type,
 * kept for diagnostics.  Lines starting with '#' are comments; empty lines
 * and lines of blanks are ignored; a CR before the LF is dropped.  A name is
 * a non-empty dot-separated path with no empty segment, no space and no
 * control character.
 *
 * Allowed values.  Some fields have a closed vocabulary: ECS lists every
 * value event.category, event.type, event.kind, event.outcome and a few
 * others may take (schemas/ecs-values.tsv, written by
 * scripts/gen-ecs-values).  A value file has one value per line,
 *
 *	field <TAB> value
 *
 * with the same comment and blank-line rules; the field must already be
 * defined.  The values hang off the name's table entry, so looking them up
 * is one probe, and they stay with the name when a later schema file
 * redefines the field.
 */
#ifndef RC_SCHEMA_H
#define RC_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

/* rulec's field types: enumerator and name in schema files. */
#define RC_FTYPE_LIST(X)              \
	X(FT_UNKNOWN, "unknown")      \
	X(FT_KEYWORD, "keyword")      \
	X(FT_LONG, "long")            \
	X(FT_DOUBLE, "double")        \
	X(FT_IP, "ip")                \
	X(FT_DATE, "date")            \
	X(FT_BOOLEAN, "boolean")      \
	X(FT_OBJECT, "object")        \
	X(FT_GEO_POINT, "geo_point")  \
	X(FT_VERSION, "version")

enum rc_ftype {
#define X(e, name) e,
	RC_FTYPE_LIST(X)
#undef X
	FT_COUNT
};

struct schema_field {
	const char *name;    /* NUL-terminated */
	size_t namelen;
	enum rc_ftype type;
	bool array;          /* normally holds an array of values */
	const char *es_type; /* Elasticsearch type, NULL if not given */
	const char *origin;  /* schema file name */
	uint32_t line;       /* line in that file */
};

struct schema;

/* An empty catalogue in `a`, or NULL when out of memory. */
struct schema *schema_new(struct arena *a);

/* Parses schema text (the format above) named `origin`.  Later definitions
 * of a name replace earlier ones (so a user's file can override ECS).  On a
 * malformed line calls err(ud, line, message), when err is not NULL, and
 * goes on with the next line; the message is only valid during the call.
 * Returns the number of malformed lines, or -1 when out of memory (the
 * lines before the failing one stay loaded). */
int schema_load(struct schema *s, const char *origin, const char *text,
		size_t len,
		void (*err)(void *ud, unsigned line, const char *msg),
		void *ud);

/* The field called name[0..len), or NULL. */
const struct schema_field *schema_lookup(const struct schema *s,
					 const char *name, size_t len);

/* True when name[0..len) is an object in ECS terms: a field of type
 * object, or a proper prefix path of some field ("process.parent" for
 * "process.parent.name") that is not itself defined as a field of another
 * type.  The exception is what keeps "process.command_line" a keyword
 * although the multi-field "process.command_line.text" lies below it. */
bool schema_is_object_path(const struct schema *s, const char *name,
			   size_t len);

/* The origin (schema_load's name) of the first field defined under the
 * first path segment of name[0..len) ("process" for "process.nmae"), or of
 * that segment as a field ("message"); NULL when no field has that first
 * segment.  A later definition of a field elsewhere does not change it. */
const char *schema_root_origin(const struct schema *s, const char *name,
			       size_t len);

/* For a first path segment of name[0..len) that no field has: the origin
 * (as above) of a first segment that some field has one edit away (ASCII
 * case-insensitive; the segment defined first), or NULL.  NULL too when
 * the segment is known.  One edit only: segments are short words, and two
 * edits already reach other words ("processor" for "process"). */
const char *schema_near_root(const struct schema *s, const char *name,
			     size_t len);

/* True when a proper prefix of name[0..len) is a field of type object
 * below which its own schema file defines no field: an open map such as
 * ECS `labels` or `container.labels`, whose keys are the data's own (a
 * field another file adds below it, as Elastic's data adds
 * `labels.is_ioc_transform_source`, does not close it). */
bool schema_in_open_object(const struct schema *s, const char *name,
			   size_t len);

/* Literal forms (schemas/literal-stars.tsv): field values in which the
 * data holds `*` or `?` itself, such as Windows share names `\\*\ADMIN$`.
 * The text has one form per line, `field <TAB> form <TAB> why`; in a form
 * `*` and `?` stand for themselves, `{}` for any non-empty text without
 * `*` or `?`, other bytes match ignoring ASCII case.  Comment and blank
 * lines as in schema files.  Malformed lines are reported through err (as
 * schema_load) and skipped.  Returns the number of malformed lines, or -1
 * when out of memory. */
int schema_load_literal_forms(struct schema *s, const char *origin,
			      const char *text, size_t len,
			      void (*err)(void *ud, unsigned line,
					  const char *msg),
			      void *ud);

/* True when value[0..vlen) has a literal form of the field called
 * name[0..len). */
bool schema_literal_form(const struct schema *s, const char *name,
			 size_t len, const char *value, size_t vlen);

/* The origin name of the built-in ECS catalogue (schemas/ecs.tsv). */
#define SCHEMA_ECS_ORIGIN "ecs.tsv"

/* Number of distinct field names. */
size_t schema_count(const struct schema *s);

/* The closest known field name to name[0..len) (ASCII case-insensitive,
 * within suggest_threshold edits), or NULL.  Fields under the same first
 * path segment are tried first, then all fields; ties go to the field
 * defined first. */
const char *schema_suggest(const struct schema *s, const char *name,
			   size_t len);

/* One allowed value (NUL-terminated) and the list of a field's values, in
 * the order of the value file. */
struct schema_value {
	const char *s;
	size_t len;
};

struct schema_values {
	struct schema_value *v;
	size_t n, cap;
};

/* Parses a value file (the format above) named `origin`, adding each value
 * to its field's list (a value already listed is skipped).  Malformed
 * lines and lines naming a field that no schema defines go to err as in
 * schema_load.  Returns the number of such lines, or -1 when out of
 * memory. */
int schema_load_values(struct schema *s, const char *origin, const char *text,
		       size_t len,
		       void (*err)(void *ud, unsigned line, const char *msg),
		       void *ud);

/* The allowed values of the field called name[0..len), or NULL when its
 * vocabulary is open (no value file lists it). */
const struct schema_values *schema_values(const struct schema *s,
					  const char *name, size_t len);

/* "keyword", "long", ...; "unknown" for FT_UNKNOWN and bad values. */
const char *schema_ftype_name(enum rc_ftype t);
/* The type called name[0..len), FT_UNKNOWN for unknown names. */
enum rc_ftype schema_ftype_parse(const char *name, size_t len);

#endif
