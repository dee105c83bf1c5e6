/*
 * rulec.h - the public interface of librulec.
 *
 * librulec reads detection rules (Elastic EQL queries and rule files, ESET
 * Inspect XML rules), parses them into a typed intermediate representation
 * and checks them; it compiles them into bytecode images and replays
 * events through an image.  All objects are opaque.  Rules and
 * diagnostics are owned by a context; freeing the context frees
 * everything it made.  A replay (rulec_replay) stands on its own.  The
 * library never prints: diagnostics and results reach the caller through
 * callbacks, and text is returned in heap strings that the caller frees
 * with free().
 *
 * Thread safety: a context or a replay may be used by one thread at a
 * time; separate ones are independent.
 */
#ifndef RULEC_H
#define RULEC_H

#include <stddef.h>

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
/* Whether the Kibana exception lists of the rules apply (on by default;
 * docs/exceptions.md).  Off, exception lists and items in the inputs are
 * passed over and rules run without their exceptions.  Set it before
 * loading. */
void rulec_ctx_set_exceptions(rulec_ctx *ctx, int on);

/* The warnings of one check (id or name) count as errors (on != 0) or
 * never do, even with rulec_ctx_set_werror (on == 0): -Werror=NAME and
 * -Wno-error=NAME. */
int rulec_ctx_set_check_werror(rulec_ctx *ctx, const char *check, int on);

/*
 * Configuration file (.rulec.toml, docs/configuration.md).  Reads it and
 * applies it to the context: check levels and -Werror settings, schema
 * files, excluded paths of folder walks, suppressions by rule, and the
 * run defaults (rulec_ctx_config_replay_opts).  Call it before the other
 * settings, which then win, and before loading rules.  Problems are
 * diagnostics located in the file (RC9301-RC9303); the valid parts are
 * applied.  A second call replaces the first file.  RULEC_OK,
 * RULEC_ERR_IO (unreadable, reported), RULEC_ERR_ARG (the file has
 * errors) or RULEC_ERR_NOMEM.
 */
int rulec_ctx_load_config(rulec_ctx *ctx, const char *path);

/*
 * Baselines: findings recorded once so that only new ones are reported.
 * rulec_ctx_load_baseline reads a baseline file (RC9305 for a malformed
 * one; its valid entries are used): from then on, the findings it holds
 * are neither delivered nor counted.  rulec_ctx_record_baseline records
 * every finding from then on instead of delivering it (unless a baseline
 * was also read: then only the ones that baseline does not hold are
 * delivered); `path` is where it will be written, which file paths in it
 * are relative to.  Both return RULEC_OK, RULEC_ERR_IO (reported),
 * RULEC_ERR_ARG or RULEC_ERR_NOMEM.  The io family (RC9xxx) is never
 * baselined.
 */
int rulec_ctx_load_baseline(rulec_ctx *ctx, const char *path);
int rulec_ctx_record_baseline(rulec_ctx *ctx, const char *path);
/* The recorded findings as a baseline file's text (malloc'd); NULL when
 * not recording or out of memory. */
char *rulec_ctx_baseline_render(const rulec_ctx *ctx);
/* Findings held back by the read baseline (recorded = 0) or recorded
 * (recorded != 0) so far. */
unsigned rulec_ctx_baseline_count(const rulec_ctx *ctx, int recorded);

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
 * .json (a rule object or an array of them), .ndjson and .jsonl (one rule
 * object a line), .toml (detection-rules), .xml (ESET).  Parses, types and
 * lowers each rule.  Returns the number of rules read, or a negative
 * rulec_status.  A folder walk leaves out test files (NAME.test.toml),
 * events beside rules (NAME.events.ndjson) and files of other
 * extensions.  A file of events (its first JSON object has none of query,
 * language, type, rule_id) is one diagnostic, RC9023 (RC9024 in a
 * folder).  A path that yields no rule, without an error saying why, is
 * error RC9021 naming what it held. */
int rulec_ctx_load_path(rulec_ctx *ctx, const char *path);
/* The same for text in memory; `name` is used in diagnostics and its
 * extension chooses the format. */
int rulec_ctx_load_buffer(rulec_ctx *ctx, const char *name, const char *data,
			  size_t len);

/* Rule file formats, for input whose name does not tell (stdin). */
enum rulec_input {
	RULEC_INPUT_AUTO = 0,   /* by the name's extension */
	RULEC_INPUT_EQL,
	RULEC_INPUT_JSON,
	RULEC_INPUT_NDJSON,
	RULEC_INPUT_TOML,
	RULEC_INPUT_XML
};

/* rulec_ctx_load_path and rulec_ctx_load_buffer reading a file, or text
 * in memory, as `fmt` whatever its name (a folder is still searched by
 * extension).  RULEC_ERR_ARG for an unknown fmt.  The library does not
 * read stdin: `rulec lint -` reads it and passes the text, named
 * "<stdin>", to rulec_ctx_load_buffer_as. */
int rulec_ctx_load_path_as(rulec_ctx *ctx, const char *path,
			   enum rulec_input fmt);
int rulec_ctx_load_buffer_as(rulec_ctx *ctx, const char *name,
			     enum rulec_input fmt, const char *data,
			     size_t len);

/* Runs the checks that look at all the rules read so far together
 * (duplicate ids and names); call it once after the last load. */
void rulec_ctx_finish(rulec_ctx *ctx);

/* Reports what the configuration and the baseline hold in vain, for the
 * rules read: checks of suppressions that suppressed nothing (RC9304,
 * notes) and baseline entries the run did not meet (RC9306, one note).
 * Call it once, after rulec_ctx_finish. */
void rulec_ctx_report_unused(rulec_ctx *ctx);

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
/* The rule the diagnostic is about, as its file writes them: the rule_id
 * (ESET: the [...] suffix of the name, else the guid) and the name; NULL
 * when the rule has none, or for a bare .eql query or a problem with a
 * whole file. */
const char *rulec_diag_rule_id(const rulec_diag *d);
const char *rulec_diag_rule_name(const rulec_diag *d);
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

/*
 * Conversion: every rule read so far printed in another form
 * (docs/convert.md).  Each rule reaches the handler once, in load order:
 * text is the converted rule (malloc'd by rulec, valid during the call),
 * NULL when the rule was refused (a construct without counterpart) or has
 * errors.  The losses are diagnostics (family "conversion") and comments
 * of the text.  Returns the number of rules refused or with errors, or a
 * negative rulec_status.  Checks are not run (call rulec_ctx_set_checks
 * before loading to leave them out).
 */
enum rulec_form {
	RULEC_FORM_EQL, RULEC_FORM_KIBANA, RULEC_FORM_TOML, RULEC_FORM_XML
};
enum { RULEC_CONVERT_DROP = 1 };     /* --drop-unconvertible */

typedef struct rulec_converted {
	const rulec_rule *rule;          /* the source rule */
	const char *text;                /* NULL: not converted */
	size_t len;
	const char *file_name;           /* a name for one file per rule */
	unsigned broader, narrower, unrelated, dropped, refused;
} rulec_converted;

typedef void (*rulec_convert_fn)(void *ud, const rulec_converted *c);

int rulec_ctx_convert(rulec_ctx *ctx, enum rulec_form to, unsigned flags,
		      rulec_convert_fn fn, void *ud);
/*
 * Proof by replay (docs/convert-proof.md): every rule read so far converted to
 * `to` (flags as for rulec_ctx_convert), the converted text read back,
 * and the same events replayed through the original and the converted
 * rule: the rules' witness events (rulec_rule_witness, of the original
 * and of the converted rule) and, each in a replay of its own, the event
 * files o->events.  The result sets, by event positions, must stand in
 * the relation that the stated losses claim: no loss, the same results;
 * only broader losses, the original's results among the converted
 * rule's; only narrower ones, the converse; mixed or unrelated losses,
 * or an approximate sequence, sample or pipe, no claim (a sequence's
 * results are not monotone in its stages).  Each rule reaches fn once.
 * Returns the number of rules whose relation is violated or whose
 * converted text cannot be read back, or a negative rulec_status.
 */
enum rulec_relation {
	RULEC_REL_EQUAL,        /* the same results */
	RULEC_REL_SUBSET,       /* the original's results among the converted
	                           rule's (broader) */
	RULEC_REL_SUPERSET,     /* the converted rule's among the original's
	                           (narrower) */
	RULEC_REL_NONE          /* no claim */
};

enum rulec_proof_status {
	RULEC_PROOF_HOLDS,      /* the relation held on every event */
	RULEC_PROOF_NO_CLAIM,   /* RULEC_REL_NONE: replayed, not judged */
	RULEC_PROOF_VIOLATED,   /* the relation failed: message says where */
	RULEC_PROOF_REFUSED,    /* not converted (or the rule has errors) */
	RULEC_PROOF_UNREADABLE  /* the converted text does not read back or
	                           compile: message says why */
};

typedef struct rulec_proof {
	const rulec_rule *rule;
	enum rulec_proof_status status;
	enum rulec_relation relation;
	unsigned broader, narrower, unrelated, dropped, refused;
	const char *converted;          /* the converted text, or NULL */
	unsigned long long witnesses;   /* witness events of the rule */
	unsigned long long orig_results, conv_results;
	unsigned long long only_orig, only_conv; /* results of one side */
	const char *message;            /* NULL when it held */
} rulec_proof;

typedef struct rulec_proof_opts {
	unsigned long long seed;        /* of the witness events */
	const char *const *events;      /* event files, each replayed alone */
	size_t nevents;
	size_t witness_limit;           /* per rule and side; 0: 600 */
} rulec_proof_opts;

typedef void (*rulec_proof_fn)(void *ud, const rulec_proof *p);

int rulec_ctx_prove_convert(rulec_ctx *ctx, enum rulec_form to,
			    unsigned flags, const rulec_proof_opts *o,
			    rulec_proof_fn fn, void *ud);
/* The same check of a translation made elsewhere (by hand, by another
 * tool): rule i of `conv` is taken as rule i of ctx converted with the
 * relation `claim` (refused entries: none; the rules must be as many,
 * else RULEC_ERR_ARG).  rulec_ctx_prove_convert's return and records. */
int rulec_ctx_prove_against(rulec_ctx *ctx, rulec_ctx *conv,
			    enum rulec_relation claim,
			    const rulec_proof_opts *o, rulec_proof_fn fn,
			    void *ud);
const char *rulec_relation_name(enum rulec_relation r);
const char *rulec_proof_status_name(enum rulec_proof_status s);

/* The witness events of a rule (NDJSON, malloc'd; NULL when the rule has
 * errors or on out of memory): events that probe each atom of its
 * conditions around its literals (driver/witness.h says which), the
 * same for the same seed. */
char *rulec_rule_witness(const rulec_rule *r, unsigned long long seed);

/* Whether loading runs the checks (on by default); off, only the errors
 * that reading and lowering find are reported. */
void rulec_ctx_set_checks(rulec_ctx *ctx, int on);

/*
 * Replay: events through the rules of a compiled image.
 *
 *     rulec_replay *r = rulec_replay_new(img, len, &opts, err, sizeof err);
 *     rulec_replay_set_match_handler(r, on_match, ud);
 *     rulec_replay_set_diag_handler(r, on_event_problem, ud);
 *     for each input: rulec_replay_feed(r, path);
 *     rulec_replay_finish(r);          (samples, tails, pending results)
 *     rulec_replay_get_stats(r, &st);
 *     rulec_replay_free(r);
 *
 * Each result reaches the match handler as a record (rulec_match) after
 * the rule's head/tail pipes, --size and max_samples_per_key have been
 * applied to records; rulec_match_render turns one into text.  Problems
 * with the input (a malformed record, an input that cannot be opened)
 * reach the diagnostic handler.  Handlers must not call back into the
 * replay, but for rulec_replay_stop.
 */
typedef struct rulec_replay rulec_replay;
typedef struct rulec_match rulec_match;

/* Replay settings (see `rulec run --help`); rulec_replay_opts_init sets
 * the defaults. */
typedef struct rulec_replay_opts {
	const char *id_field;           /* event.id */
	const char *category_field;     /* event.category */
	const char *timestamp_field;    /* @timestamp; also where a rule's
	                                   timestamp_override falls back
	                                   (docs/run.md, Timestamps) */
	const char *tiebreaker_field;   /* NULL: none */
	long long size;                 /* results per rule; -1: all */
	long long max_samples_per_key;  /* 1 */
	long long reorder_ms;           /* 10000 */
	long long max_event_size;       /* 16 MiB: a longer record is
	                                   reported and skipped (its bytes
	                                   are not kept) */
	long long max_partials;         /* 1000000 live partial sequences
	                                   per rule; -1: no limit */
	int threads;                    /* 1: events are read in the
	                                   calling thread; N > 1: by N
	                                   worker threads, with the same
	                                   results in the same order
	                                   (docs/run.md, Threads); 0: one
	                                   per core of the machine */
} rulec_replay_opts;

void rulec_replay_opts_init(rulec_replay_opts *o);
/* Sets the members of *o that the configuration's [run] table gives. */
void rulec_ctx_config_replay_opts(const rulec_ctx *ctx,
				  rulec_replay_opts *o);

/* A value of an event field or a join key.  A string is NUL-terminated
 * (len excludes the NUL; it may contain NUL bytes).  A list (a
 * multi-valued id field) is read element by element with
 * rulec_value_elem.  Strings and lists live as long as the record they
 * come from. */
enum rulec_value_kind {
	RULEC_VALUE_NULL = 0,
	RULEC_VALUE_BOOL,       /* u.b */
	RULEC_VALUE_INT,        /* u.i */
	RULEC_VALUE_FLOAT,      /* u.f */
	RULEC_VALUE_STRING,     /* u.str */
	RULEC_VALUE_DATE,       /* u.i: milliseconds since the epoch, UTC */
	RULEC_VALUE_LIST        /* u.list */
};

typedef struct rulec_value {
	enum rulec_value_kind kind;
	union {
		int b;
		long long i;
		double f;
		struct { const char *s; size_t len; } str;
		struct { const void *elems; size_t n; } list;
	} u;
} rulec_value;

/* Element i of a list (a null value when out of range or not a list). */
rulec_value rulec_value_elem(const rulec_value *list, size_t i);

/* A problem with the input or a rule, valid during the callback.  The
 * errors (MALFORMED, BAD_TIME, RULE_SKIPPED) count in the return value of
 * rulec_replay_feed; the warnings do not. */
enum rulec_replay_problem {
	RULEC_EVENTS_MALFORMED = 1,     /* a record skipped; the run goes on */
	RULEC_EVENTS_UNREADABLE = 2,    /* the input could not be opened */
	RULEC_EVENTS_BAD_TIME = 3,      /* an event whose time is outside
	                                   the years 0000-9999: skipped
	                                   (RC9040) */
	RULEC_EVENTS_LATE = 4,          /* warning, from rulec_replay_finish:
	                                   `count` events came later than the
	                                   reorder window; file, line and
	                                   offset are the first one's
	                                   (RC9041) */
	RULEC_MAX_PARTIALS = 5,         /* warning: rule `rule` reached
	                                   max_partials at this event; its
	                                   oldest partials are dropped
	                                   (RC9042) */
	RULEC_RULE_SKIPPED = 6          /* rule `rule` cannot run (an engine
	                                   limit) and is left out; file and
	                                   line are the rule's (RC9043);
	                                   reported by the first
	                                   rulec_replay_feed */
};

typedef struct rulec_replay_diag {
	enum rulec_replay_problem problem;
	const char *file;               /* the input as given ("-": stdin) */
	unsigned long long line;        /* 1-based line of the record (0 for
	                                   an unreadable input) */
	unsigned long long offset;      /* byte offset where it starts */
	const char *message;            /* "malformed JSON", strerror text */
	const char *id;                 /* the registry id, "RC9040"; NULL
	                                   for MALFORMED and UNREADABLE */
	unsigned long long count;       /* RULEC_EVENTS_LATE: how many */
	long long rule;                 /* index in the image of the rule
	                                   concerned, -1: none */
	const char *rule_id, *rule_name, *rule_file;    /* of that rule;
	                                   NULL if none */
} rulec_replay_diag;

typedef void (*rulec_match_fn)(void *ud, const rulec_match *m);
typedef void (*rulec_replay_diag_fn)(void *ud, const rulec_replay_diag *d);

/* Loads (and verifies) an image and prepares it for replay; the image
 * bytes may be released afterwards.  NULL with a message in err (a
 * refused image, a pattern that does not compile, out of memory). */
rulec_replay *rulec_replay_new(const unsigned char *img, size_t len,
			       const rulec_replay_opts *o, char *err,
			       size_t errlen);
void rulec_replay_free(rulec_replay *r);

void rulec_replay_set_match_handler(rulec_replay *r, rulec_match_fn fn,
				    void *ud);
void rulec_replay_set_diag_handler(rulec_replay *r, rulec_replay_diag_fn fn,
				   void *ud);

/* Reads the events of one input ("-": stdin): NDJSON or one JSON array
 * of objects.  Positions continue across inputs.  Returns the number of
 * malformed records (each passed to the diagnostic handler), or
 * RULEC_ERR_IO when the input cannot be opened (also passed to it),
 * RULEC_ERR_NOMEM (the replay is then unusable but still to be freed),
 * RULEC_ERR_ARG after rulec_replay_finish. */
long rulec_replay_feed(rulec_replay *r, const char *path);
/* The same for events held in memory (NDJSON or one JSON array);
 * `name` names the input in diagnostics. */
long rulec_replay_feed_buffer(rulec_replay *r, const char *name,
			      const char *data, size_t len);
/* Ends the input: decides pending sequences, delivers samples and what
 * tails kept.  RULEC_OK or RULEC_ERR_NOMEM. */
int rulec_replay_finish(rulec_replay *r);
/* Stops the replay early (say, when the results can no longer be
 * written): the feed under way returns after the current record, later
 * feeds read nothing and rulec_replay_finish delivers nothing more.  May
 * be called from a handler (the one call a handler may make). */
void rulec_replay_stop(rulec_replay *r);

/* Counts of the run so far (what `rulec run --stats` prints). */
typedef struct rulec_replay_stats {
	size_t rules;                   /* in the image */
	unsigned long long events;      /* well-formed records read */
	unsigned long long malformed;   /* records skipped */
	unsigned long long bytes;       /* input bytes read */
	unsigned long long results;     /* records delivered */
	unsigned long long late_events; /* later than the reorder window */
	unsigned long long no_timestamp; /* hits on events without a time */
	double seconds;                 /* since rulec_replay_new returned,
	                                   until rulec_replay_finish did */
	long long peak_rss_kb;          /* the process's peak resident set
	                                   (getrusage); -1: unknown */
	unsigned long long tried;       /* stages tried on events: those
	                                   the candidate selection could not
	                                   rule out (docs/run.md) */
} rulec_replay_stats;

typedef struct rulec_replay_rule_stats {
	const char *id, *name, *file;   /* of the rule; NULL if none; valid
	                                   while the replay lives */
	unsigned long long hits;        /* events that passed a stage */
	unsigned long long results;     /* records delivered */
} rulec_replay_rule_stats;

void rulec_replay_get_stats(const rulec_replay *r, rulec_replay_stats *s);
/* Rule i of the image (i < stats.rules): RULEC_OK or RULEC_ERR_ARG. */
int rulec_replay_get_rule_stats(const rulec_replay *r, size_t i,
				rulec_replay_rule_stats *s);

/* A result, valid during the match callback. */
const char *rulec_match_rule_id(const rulec_match *m);     /* NULL if none */
const char *rulec_match_rule_name(const rulec_match *m);   /* NULL if none */
const char *rulec_match_rule_file(const rulec_match *m);   /* NULL if none */
size_t rulec_match_rule_index(const rulec_match *m);      /* in the image */

/* The events of a result, in stage order (a sample: in filter order). */
typedef struct rulec_match_event {
	int missing;                    /* a missing-event stage (![...]):
	                                   the fields below are unset */
	unsigned long long index;       /* 0-based position in the input */
	int has_timestamp;
	long long timestamp;            /* milliseconds since the epoch */
	rulec_value id;                 /* the id field (null if absent) */
} rulec_match_event;

size_t rulec_match_event_count(const rulec_match *m);
/* Fills *ev with event i: RULEC_OK or RULEC_ERR_ARG (out of range). */
int rulec_match_get_event(const rulec_match *m, size_t i,
			  rulec_match_event *ev);
/* The join key values of a sequence or sample (none for an event
 * query); a null value when i is out of range. */
size_t rulec_match_key_count(const rulec_match *m);
rulec_value rulec_match_key(const rulec_match *m, size_t i);
/* The result as text: RULEC_FORMAT_JSON gives the line `rulec run`
 * prints (docs/run.md), newline included.  Malloc'd; NULL on out of
 * memory or for a format that results do not have (yet). */
char *rulec_match_render(const rulec_match *m, enum rulec_format fmt);

/*
 * Rule unit tests (`rulec test`, docs/testing.md): test files
 * NAME.test.toml beside the rule files they test.  Each test's outcome
 * reaches fn as a record; problems with test files and rules reach the
 * context's diagnostic handler (checks RC9101-RC9106 and the rules' own).
 * The context is cleared before each test file.
 */
enum rulec_test_status {
	RULEC_TEST_PASS = 0,
	RULEC_TEST_FAIL = 1,
	RULEC_TEST_SKIP = 2,
	RULEC_TEST_ERROR = 3    /* the test could not run: its file, events
	                           or rule have errors (reported) */
};

/* One test's outcome, valid during the callback. */
typedef struct rulec_test_case {
	const char *suite;      /* the test file */
	const char *rule_file;  /* the rule file it tests; NULL if none */
	const char *name;       /* the test's name ("unexpected results" for
	                           the file's own closed-world check) */
	unsigned line, column;  /* of the name in the test file */
	enum rulec_test_status status;
	const char *message;    /* one line; NULL when passed */
	const char *expected;   /* JSON: the expected results that did not
	                           come; NULL if none */
	const char *got;        /* JSON: the results of the test's events for
	                           its rule; NULL when passed */
	const char *why;        /* explanation lines, or NULL */
	double seconds;
} rulec_test_case;

typedef struct rulec_test_opts {
	int require_tests;      /* a rule file without a test file is an error */
	long min_tests;         /* tests each test file must have (0: any) */
	int require_negative;   /* each test file needs a negative test */
	int update;             /* rewrite match/no_match from the results
	                           (docs/testing.md says what is kept) */
	int convert;            /* rerun the tests against the rules
	                           converted to convert_to and check the
	                           relation the conversion claims */
	enum rulec_form convert_to;
} rulec_test_opts;

typedef struct rulec_test_summary {
	unsigned long files;    /* test files read */
	unsigned long passed, failed, skipped; /* failed includes errors */
	unsigned long errors;   /* files with errors (test file, rule,
	                           policy) */
	unsigned long warnings; /* unexpected results let through by
	                           unexpected = "warn" */
	unsigned long untested; /* rule files without a test file */
	unsigned long updated;  /* test files rewritten by update */
} rulec_test_summary;

typedef void (*rulec_test_fn)(void *ud, const rulec_test_case *c);

/* Runs the test files under path (a folder, searched recursively and in
 * sorted order; a test file; or a rule file, whose NAME.test.toml is
 * run), adding to *sum.  RULEC_OK, RULEC_ERR_IO (path unreadable,
 * reported) or RULEC_ERR_NOMEM. */
int rulec_test_path(rulec_ctx *ctx, const char *path,
		    const rulec_test_opts *o, rulec_test_fn fn, void *ud,
		    rulec_test_summary *sum);

/* A test record that did not pass (a failure or an error) as text:
 * RULEC_FORMAT_SARIF gives one SARIF result object of check test-failed
 * (RC9107) located at the test's name, for a log of rulec_sarif_head().
 * Malloc'd; NULL for a record that passed or was skipped, for another
 * format, or on out of memory. */
char *rulec_test_case_render(const rulec_test_case *c,
			     enum rulec_format fmt);

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

/* "Did you mean": the candidate closest to word, ASCII case ignored and
 * within one edit per three characters of word (at least one, at most
 * three); ties go to the earlier candidate.  Returns one of cands (NULL
 * entries are skipped), or NULL when none is close enough. */
const char *rulec_suggest(const char *word, const char *const *cands,
			  size_t n);

#ifdef __cplusplus
}
#endif

#endif
