/*
 * load.h - finding rule files and reading their formats into rules.
 *
 * Design note.  The loader turns paths into `struct rc_rule`s: it walks
 * folders (sorted, so output is stable), picks the format by extension,
 * splits JSON and NDJSON documents into rule objects, reads their metadata
 * and hands each query to the EQL front end and the lowering pass.  Every
 * problem is a located diagnostic and the loader goes on with the next
 * rule, line or file.
 */
#ifndef RC_LOAD_H
#define RC_LOAD_H

#include "base/diag.h"
#include "base/strbuf.h"
#include "sema/rule.h"
#include "sema/eset.h"
#include "sema/schema.h"

struct xml_schema;
struct check_ctx;
struct config;
struct rule_schema;

struct rule_list {
	struct rc_rule **v;
	size_t n, cap;
	bool oom;
};

struct source_list {
	struct rc_source **v;
	size_t n, cap;
};

/* Rule file formats; FK_UNKNOWN: no known extension. */
enum file_kind { FK_UNKNOWN, FK_EQL, FK_JSON, FK_NDJSON, FK_XML, FK_TOML };

/*
 * What a folder walk found, by extension: the rule files it read and the
 * files it left out (other extensions, test files, events beside rules).
 * The messages of checks no-rules (RC9021) and skipped-files (RC9022), and
 * of `rulec test` for a folder without tests, are written from it.
 */
struct file_tally_entry {
	char ext[24];           /* ".txt", ".test.toml"; "" for none */
	unsigned n;
};

struct file_tally_list {
	struct file_tally_entry *v;
	size_t n, cap;
	unsigned files;
};

struct file_tally {
	struct file_tally_list read, left_out;
	unsigned events;        /* files of events recognised by content */
	bool oom;
};

/* Counts the file `name` as read (a rule file) or left out. */
void file_tally_add(struct file_tally *t, const char *name, bool read);
/* "3 files (.txt 2, .md 1)" for the read or left-out files (most
 * frequent extension first). */
void file_tally_describe(struct file_tally *t, bool read, struct strbuf *sb);
void file_tally_free(struct file_tally *t);

struct loader {
	struct arena *arena;
	struct diag_sink *diags;
	const struct schema *schema;
	struct rule_list *rules;     /* rules are appended here */
	struct source_list *sources; /* every file read; owned by the caller */
	const struct eset_catalog *eset;
	/* the compiled structure schema of XML rules, made on first use and
	 * owned by the caller (xml_schema_free) */
	struct xml_schema **rng;
	/* Kibana's rule schema (sema/ruleschema.h), read on first use and
	 * owned by the caller (rule_schema_free) */
	struct rule_schema **kibana;
	struct check_ctx *checks;    /* run on every rule; NULL: none */
	/* Kibana exception lists and items read so far (in `arena`); NULL:
	 * exceptions are off, and such objects are passed over unread */
	struct exc_set *exc;
	const struct config *config; /* its excluded paths are not walked;
					NULL: none */
	/* the format of paths named on the command line and of buffers;
	 * FK_UNKNOWN: by extension (folder walks always go by extension) */
	enum file_kind kind;
	/* a named path that yields no rule is error no-rules (RC9021),
	 * unless an error already explains it */
	bool report_empty;
	/* the state of one load_path or load_buffer call */
	struct file_tally *tally;    /* of the folder walk; NULL: none */
	unsigned foreign;            /* rules in other languages, skipped */
	unsigned exc_objects;        /* exception lists and items read */
	bool events;                 /* the file read last holds events */
};

/* Loads a file or a folder (recursively).  `named` says the user named
 * this path, so an unknown extension is an error rather than ignored.
 * Returns the number of rules added, or -1 when the path cannot be read
 * (reported).  A file whose first JSON object is not a rule but an event
 * is reported once (RC9023 named, RC9024 in a folder walk) and not read
 * further. */
int load_path(struct loader *ld, const char *path, bool named);
/* Loads a document held in memory (copied); ld->kind or else the name's
 * extension chooses the format. */
int load_buffer(struct loader *ld, const char *name, const char *data,
		size_t len);
/* Whether a folder walk reads the file as rules: a rule extension, and
 * not a test file (NAME.test.toml) or events beside rules
 * (NAME.events.ndjson, .events.json, .events.jsonl). */
bool load_is_rule_file(const char *name);
/* Frees what the sources own (file data, line tables). */
void source_list_free(struct source_list *sl);

#endif
