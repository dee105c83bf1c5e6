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
#include "sema/rule.h"
#include "sema/eset.h"
#include "sema/schema.h"

struct xml_schema;
struct check_ctx;
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
};

/* Loads a file or a folder (recursively).  `named` says the user named
 * this path, so an unknown extension is an error rather than ignored.
 * Returns the number of rules added, or -1 when the path cannot be read
 * (reported). */
int load_path(struct loader *ld, const char *path, bool named);
/* Loads a document held in memory (copied); the name's extension chooses
 * the format. */
int load_buffer(struct loader *ld, const char *name, const char *data,
		size_t len);
/* Whether a folder walk reads the file as rules: a rule extension, and
 * not a test file (NAME.test.toml) or events beside rules
 * (NAME.events.ndjson, .events.json, .events.jsonl). */
bool load_is_rule_file(const char *name);
/* Frees what the sources own (file data, line tables). */
void source_list_free(struct source_list *sl);

#endif
