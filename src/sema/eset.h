/*
 * eset.h - the ESET Inspect catalogue: components and their properties
 * (types, named constants), operations (which components they offer, what
 * those describe, the ECS event they correspond to), the mapping of
 * properties to ECS fields, and the rule actions.
 *
 * Design note.  The catalogue is read from four kinds of tab-separated file
 * (the shipped ones are schemas/eset-components.tsv, eset-operations.tsv,
 * eset-ecs.tsv and eset-actions.tsv; their headers describe the columns):
 *
 *   components  component property type set constants origin note
 *   operations  operation components object ecs_category ecs_type origin note
 *   ecs         component property object ecs_field exactness transform note
 *   actions     action takes_value sequence_ok origin note
 *
 * Lines starting with '#' are comments; empty lines and lines of blanks are
 * ignored; a CR before the LF is dropped.  Component, property, operation
 * and action names are identifiers ([A-Za-z_][A-Za-z0-9_]*); a property "*"
 * stands for "any property" of a component whose properties are unknown.
 *
 * ESET names are matched without regard to ASCII case, so every table is
 * keyed by the lowercased name (or "component<TAB>property" for properties
 * and ECS rows): one hash table per kind (base/hash.h, FNV-1a over the
 * folded bytes) from a key to the record's number in a list kept in order
 * of first definition, beside the keys.  The lists serve iteration and
 * "did you mean" suggestions.  Lookups hash the caller's string folded on the fly, so they
 * allocate nothing; whether the spelling matched exactly is decided
 * afterwards by comparing with the record's own spelling.
 *
 * A later row with the same key replaces the earlier record in its list
 * slot (that is how a user's catalogue overrides the shipped one); records
 * themselves are never changed, except that a property's maps/nmaps are
 * repointed when ECS rows for it arrive: ECS rows may come before or after
 * the property they describe, and are kept per key until then.  A pointer
 * from an earlier lookup therefore stays valid and describes what it did,
 * apart from its mapping list.  Everything lives in the arena given to
 * eset_catalog_new and goes with it.
 */
#ifndef RC_ESET_H
#define RC_ESET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "sema/ir.h"

/* Property types: enumerator and name in catalogue files. */
#define ESET_TYPE_LIST(X)          \
	X(ET_STRING, "string")     \
	X(ET_PATH, "path")         \
	X(ET_INT, "int")           \
	X(ET_BOOL, "bool")         \
	X(ET_ENUM, "enum")         \
	X(ET_IPV4, "ipv4")         \
	X(ET_IPV6, "ipv6")         \
	X(ET_OTHER, "other")

/* What the components of a condition describe. */
#define ESET_OBJECT_LIST(X)        \
	X(EO_PROCESS, "process")   \
	X(EO_FILE, "file")         \
	X(EO_DLL, "dll")           \
	X(EO_NETWORK, "network")   \
	X(EO_DNS, "dns")           \
	X(EO_EVENT, "event")       \
	X(EO_OTHER, "other")

/* How well an ECS field stands for a property. */
#define ESET_EXACT_LIST(X)         \
	X(EX_EXACT, "exact")       \
	X(EX_APPROX, "approx")     \
	X(EX_NONE, "none")

/* How the ESET value is computed from the ECS field ("-": it is the
 * field's value). */
/* X(enum, name in the file, the IR transform it becomes, the IP family
 * the field is restricted to (0: none)) */
#define ESET_XFORM_LIST(X)                               \
	X(EXF_NONE, "-", TR_NONE, 0)                     \
	X(EXF_DIRNAME, "dirname", TR_DIRNAME, 0)         \
	X(EXF_STEM, "stem", TR_STEM, 0)                  \
	X(EXF_EXT, "ext", TR_EXT, 0)                     \
	X(EXF_IPV4ONLY, "ipv4only", TR_NONE, 4)          \
	X(EXF_IPV6ONLY, "ipv6only", TR_NONE, 6)          \
	X(EXF_DAYOFWEEK, "dayofweek", TR_DAYOFWEEK, 0)   \
	X(EXF_HOUR, "hour", TR_HOUR, 0)                  \
	X(EXF_MINUTE, "minute", TR_MINUTE, 0)            \
	X(EXF_INBOUND, "inbound", TR_INBOUND, 0)

/* Where a row is known from (the origin column). */
#define ESET_ORIGIN_LIST(X)        \
	X(EOR_DOC, "doc")          \
	X(EOR_API, "api")          \
	X(EOR_SEED, "seed")        \
	X(EOR_CORPUS, "corpus")    \
	X(EOR_INFERRED, "inferred") \
	X(EOR_USER, "user")

enum eset_type {
#define X(e, name) e,
	ESET_TYPE_LIST(X)
#undef X
	ET_COUNT
};

enum eset_object {
#define X(e, name) e,
	ESET_OBJECT_LIST(X)
#undef X
	EO_COUNT
};

enum eset_exact {
#define X(e, name) e,
	ESET_EXACT_LIST(X)
#undef X
	EX_COUNT
};

enum eset_xform {
#define X(e, name, tr, fam) e,
	ESET_XFORM_LIST(X)
#undef X
	EXF_COUNT
};

struct eset_const {
	const char *name;       /* may contain a space ("Protected process") */
	int64_t value;
};

/* One ECS correspondence of a property, for one kind of object. */
struct eset_map {
	enum eset_object object;
	const char *ecs;        /* NULL for exactness none; "{p}." prefix for
	                           process objects */
	enum eset_exact exact;
	const char *transform;  /* NULL when none, else the xform name */
	enum eset_xform xform;
	enum ir_transform tr;   /* what xform means in the IR */
	unsigned ipfam;         /* 4 or 6 for ipv4only/ipv6only, else 0 */
	const char *note;
};

struct eset_prop {
	const char *component, *property;   /* as spelled in the row */
	enum eset_type type;
	bool set;               /* set-valued (strings, addresses, flags) */
	const struct eset_const *consts;    /* in file order */
	size_t nconsts;
	const char *origin;     /* "doc", "api", ... (ESET_ORIGIN_LIST) */
	const char *note;
	const struct eset_map *maps;        /* at most one per object */
	size_t nmaps;
	bool wildcard;          /* a '*' row: any property of the component */
	const char *source;     /* catalogue name given to eset_catalog_load */
	unsigned line;          /* line in that catalogue */
};

struct eset_op {
	const char *name;
	const char **components;
	size_t ncomponents;
	enum eset_object object;            /* what the components describe */
	const char *ecs_category, *ecs_type; /* NULL when ECS has none; the
	                                        type may be a comma list */
	const char *origin;
	const char *note;
	const char *source;
	unsigned line;
};

struct eset_action {
	const char *name;
	bool takes_value, sequence_ok;
	const char *origin;
	const char *note;
	const char *source;
	unsigned line;
};

struct eset_catalog;

/* An empty catalogue in `a`, or NULL when out of memory. */
struct eset_catalog *eset_catalog_new(struct arena *a);

/* Parses catalogue text of the given kind ("components", "operations",
 * "ecs" or "actions"; see the design note) named `origin` (a file name,
 * kept in the records as `source`).  Later rows replace earlier ones with
 * the same key.  On a malformed line calls err(ud, line, message), when err
 * is not NULL, and goes on with the next line; the message is only valid
 * during the call.  An unknown kind is reported as line 0 and counts as one
 * bad line.  Returns the number of malformed lines, or -1 when out of
 * memory (the lines before the failing one stay loaded). */
int eset_catalog_load(struct eset_catalog *c, const char *kind,
		      const char *origin, const char *text, size_t len,
		      void (*err)(void *ud, unsigned line, const char *msg),
		      void *ud);

/* Lookups ignore ASCII case; *exact_case (may be NULL) tells whether the
 * spelling is the catalogue's exactly.  Names are NUL-terminated. */
bool eset_has_component(const struct eset_catalog *c, const char *comp,
			bool *exact_case);
/* The property, or for a component with a '*' row and no row of its own
 * for prop, that wildcard record (exact_case then judges the component
 * only).  NULL when unknown. */
const struct eset_prop *eset_lookup_prop(const struct eset_catalog *c,
					 const char *comp, const char *prop,
					 bool *exact_case);
const struct eset_op *eset_lookup_op(const struct eset_catalog *c,
				     const char *name, bool *exact_case);
const struct eset_action *eset_lookup_action(const struct eset_catalog *c,
					     const char *name,
					     bool *exact_case);

/* True when the operation lists the component (ASCII case ignored). */
bool eset_op_offers(const struct eset_op *op, const char *component);
/* The property's mapping for that kind of object, or NULL. */
const struct eset_map *eset_prop_map(const struct eset_prop *p,
				     enum eset_object obj);
/* The value of the named constant (ASCII case ignored); false if the
 * property has no constant of that name. */
bool eset_const_lookup(const struct eset_prop *p, const char *name,
		       int64_t *value);

/* "Did you mean": the closest known name (ASCII case-insensitive, within
 * suggest_threshold edits), spelled as in the catalogue, or NULL.  Ties go
 * to the name defined first.  eset_suggest_prop looks among the properties
 * of comp only (NULL if comp is unknown). */
const char *eset_suggest_component(const struct eset_catalog *c,
				   const char *name);
const char *eset_suggest_prop(const struct eset_catalog *c, const char *comp,
			      const char *prop);
const char *eset_suggest_op(const struct eset_catalog *c, const char *name);
const char *eset_suggest_action(const struct eset_catalog *c,
				const char *name);
const char *eset_suggest_const(const struct eset_prop *p, const char *name);

/* Iteration in order of first definition (i < count). */
size_t eset_component_count(const struct eset_catalog *c);
const char *eset_component_at(const struct eset_catalog *c, size_t i);
size_t eset_prop_count(const struct eset_catalog *c);
const struct eset_prop *eset_prop_at(const struct eset_catalog *c, size_t i);
size_t eset_op_count(const struct eset_catalog *c);
const struct eset_op *eset_op_at(const struct eset_catalog *c, size_t i);
size_t eset_action_count(const struct eset_catalog *c);
const struct eset_action *eset_action_at(const struct eset_catalog *c,
					 size_t i);

/* Names of the enumerators as in catalogue files; "?" for bad values. */
const char *eset_type_name(enum eset_type t);
const char *eset_object_name(enum eset_object o);
const char *eset_exact_name(enum eset_exact x);
const char *eset_xform_name(enum eset_xform x);

#endif
