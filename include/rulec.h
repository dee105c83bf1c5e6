/*
 * rulec.h - the public interface of librulec.
 *
 * librulec reads detection rules (Elastic EQL queries and rule files, ESET
 * Inspect XML rules), parses them into a typed intermediate representation
 * and checks them.  All objects are opaque and owned by a context; freeing
 * the context frees everything it made.  The library never prints:
 * diagnostics reach the caller through a callback, and text is returned in
 * heap strings that the caller frees with free().
 *
 * Thread safety: a context may be used by one thread at a time; separate
 * contexts are independent.
 */
#ifndef RULEC_H
#define RULEC_H

#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct rulec_ctx rulec_ctx;
typedef struct rulec_rule rulec_rule;
typedef struct rulec_diag rulec_diag;

enum rulec_status {
	RULEC_OK = 0,
	RULEC_ERR_NOMEM = -1,   /* out of memory; the context stays valid */
	RULEC_ERR_IO = -2,      /* a file could not be read (also reported) */
	RULEC_ERR_ARG = -3      /* a bad argument (unknown check name, ...) */
};

enum rulec_severity {
	RULEC_SEVERITY_OFF = 0,
	RULEC_SEVERITY_NOTE = 1,
	RULEC_SEVERITY_WARNING = 2,
	RULEC_SEVERITY_ERROR = 3
};

enum rulec_format {
	RULEC_FORMAT_TEXT = 0,
	RULEC_FORMAT_JSON = 1,
	RULEC_FORMAT_SARIF = 2   /* one SARIF 2.1.0 result object */
};

/* Rendering flags for rulec_diag_render. */
enum { RULEC_RENDER_COLOR = 1 };

enum rulec_dump { RULEC_DUMP_AST = 0, RULEC_DUMP_IR = 1 };

typedef void (*rulec_diag_fn)(void *ud, const rulec_diag *d);

const char *rulec_version(void);

rulec_ctx *rulec_ctx_new(void);
void rulec_ctx_free(rulec_ctx *ctx);

/* Every diagnostic is passed to fn as soon as it is complete. */
void rulec_ctx_set_diag_handler(rulec_ctx *ctx, rulec_diag_fn fn, void *ud);

/* Sets the severity of one check, named by id ("RC1001") or name
 * ("syntax-error"); RULEC_SEVERITY_OFF disables it. */
int rulec_ctx_set_severity(rulec_ctx *ctx, const char *check,
			   enum rulec_severity sev);
/* Warnings count as errors. */
void rulec_ctx_set_werror(rulec_ctx *ctx, int on);

/* Adds a schema file (fields for EQL typing) after the built-in ECS
 * catalogue; later definitions override earlier ones. */
int rulec_ctx_add_schema_file(rulec_ctx *ctx, const char *path);

/* Adds a catalogue file for ESET Inspect rules after the built-in one;
 * `kind` is "components", "operations", "ecs" or "actions" (the formats
 * of schemas/eset-*.tsv).  Later rows override earlier ones.  Malformed
 * lines are reported as diagnostics.  Returns RULEC_OK, RULEC_ERR_ARG for
 * an unknown kind, RULEC_ERR_IO or RULEC_ERR_NOMEM. */
int rulec_ctx_add_eset_catalog(rulec_ctx *ctx, const char *kind,
			       const char *path);

/* Reads rules from a file or, recursively, a folder: .eql (one query),
 * .json (a rule object or an array of them), .ndjson (one rule object a
 * line).  Parses, types and lowers each rule.  Returns the number of rules
 * read, or a negative rulec_status. */
int rulec_ctx_load_path(rulec_ctx *ctx, const char *path);
/* The same for text in memory; `name` is used in diagnostics and its
 * extension chooses the format. */
int rulec_ctx_load_buffer(rulec_ctx *ctx, const char *name, const char *data,
			  size_t len);

/* Runs the checks that look at all the rules read so far together
 * (duplicate ids and names); call it once after the last load. */
void rulec_ctx_finish(rulec_ctx *ctx);

/* Forgets every rule and file read so far and resets the diagnostic
 * counts, keeping the catalogues, schema files and settings: for reading
 * many independent inputs with one context. */
void rulec_ctx_clear(rulec_ctx *ctx);

size_t rulec_ctx_rule_count(const rulec_ctx *ctx);
const rulec_rule *rulec_ctx_rule(const rulec_ctx *ctx, size_t i);
/* Number of diagnostics delivered so far at a severity. */
unsigned rulec_ctx_diag_count(const rulec_ctx *ctx, enum rulec_severity sev);

const char *rulec_rule_file(const rulec_rule *r);
const char *rulec_rule_name(const rulec_rule *r);   /* NULL for .eql files */
const char *rulec_rule_id(const rulec_rule *r);     /* NULL if none */
/* Readable AST or IR dump (malloc'd; NULL if the rule did not parse far
 * enough or on out of memory). */
char *rulec_rule_dump(const rulec_rule *r, enum rulec_dump what);

/* A diagnostic, valid during the callback. */
const char *rulec_diag_id(const rulec_diag *d);       /* "RC1001" */
const char *rulec_diag_name(const rulec_diag *d);     /* "syntax-error" */
const char *rulec_diag_family(const rulec_diag *d);   /* "syntax" */
enum rulec_severity rulec_diag_severity(const rulec_diag *d);
const char *rulec_diag_message(const rulec_diag *d);
const char *rulec_diag_file(const rulec_diag *d);     /* NULL if none */
unsigned rulec_diag_line(const rulec_diag *d);        /* 0 if none */
unsigned rulec_diag_column(const rulec_diag *d);
/* The diagnostic as text (with source line and caret) or as one JSON
 * line; malloc'd, NULL on out of memory. */
char *rulec_diag_render(const rulec_diag *d, enum rulec_format fmt,
			unsigned flags);

/* Compiles every rule read so far that has no errors into one bytecode
 * image (malloc'd in *out, *len bytes).  Returns the number of rules in
 * it, or a negative rulec_status with a message in err. */
int rulec_ctx_compile(rulec_ctx *ctx, unsigned char **out, size_t *len,
		      char *err, size_t errlen);
/* Loads and verifies an image and returns its readable form (malloc'd),
 * or NULL with the verifier's message in err. */
char *rulec_image_disasm(const unsigned char *data, size_t len, char *err,
			 size_t errlen);

/* Replay settings (see `rulec run --help`); rulec_replay_opts_init sets
 * the defaults. */
typedef struct rulec_replay_opts {
	const char *id_field;           /* event.id */
	const char *category_field;     /* event.category */
	const char *timestamp_field;    /* @timestamp */
	const char *tiebreaker_field;   /* NULL: none */
	long long size;                 /* results per rule; -1: all */
	long long max_samples_per_key;  /* 1 */
	long long reorder_ms;           /* 10000 */
	int stats;                      /* per-rule counts on diag */
} rulec_replay_opts;

void rulec_replay_opts_init(rulec_replay_opts *o);
/* Loads (and verifies) an image and replays the event files `inputs`
 * ("-": stdin) through it, writing one JSON line per result to `out`
 * and malformed events and statistics to `diag`.  Returns 0, 1 when some
 * events were malformed, or a negative rulec_status with a message in
 * err (a refused image, an input that cannot be opened). */
int rulec_replay(const unsigned char *img, size_t len,
		 const rulec_replay_opts *o, const char *const *inputs,
		 size_t ninputs, FILE *out, FILE *diag, char *err,
		 size_t errlen);

/* A SARIF 2.1.0 log is rulec_sarif_head(), the results rendered with
 * RULEC_FORMAT_SARIF separated by commas, then rulec_sarif_tail().  The
 * head lists every check as a rule (malloc'd). */
char *rulec_sarif_head(void);
const char *rulec_sarif_tail(void);

/* The registry of checks, for `rulec explain` and generated docs. */
size_t rulec_check_count(void);
/* Fields of check i: "id", "name", "family", "severity", "summary",
 * "explanation"; NULL for an unknown field or index. */
const char *rulec_check_field(size_t i, const char *field);
/* Index of a check by id or name, or (size_t)-1. */
size_t rulec_check_find(const char *key);

#ifdef __cplusplus
}
#endif

#endif
