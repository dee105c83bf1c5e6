/*
 * testfile.h - the test files of `rulec test` (NAME.test.toml), read into
 * records.
 *
 * Design note.  A test file is TOML (read by base/toml.cc into the JSON
 * DOM, so every value keeps its byte span).  tf_read checks its shape --
 * known keys with did-you-mean, types, ranges, contradictions -- and fills a
 * `struct tf_file`; every problem is a located diagnostic (RC91xx) and the
 * reader goes on, so one run reports all of a file's errors.  Paths stay as
 * written (the runner resolves them against the test file's folder);
 * events are not read here.  Everything lives in the caller's arena.
 * docs/testing.md is the reference of the format.
 */
#ifndef RC_TESTFILE_H
#define RC_TESTFILE_H

#include <stdbool.h>

#include "base/diag.h"
#include "base/json.h"
#include "base/source.h"

/* One expected result: its events' ids in stage order ("-" for a missing
 * stage), and where it was written. */
struct tf_result {
	const char **ids;
	size_t n;
	struct span span;
	bool bare;              /* written as one id, not a list: in
	                           no_match, any result holding it */
};

/* Where a scope's events come from: NDJSON text in the test file and/or
 * NDJSON files. */
struct tf_events {
	const struct json_value *text;  /* inline NDJSON (a string), or NULL */
	const struct json_value **files; /* string values naming files */
	size_t nfiles;
};

enum tf_unexpected { TF_UNEXPECTED_FAIL, TF_UNEXPECTED_WARN,
		     TF_UNEXPECTED_IGNORE };

enum tf_time { TF_TIME_UNSET, TF_TIME_ABSOLUTE, TF_TIME_RELATIVE };

struct tf_test {
	const char *name;
	struct span span;                /* the test's `name` value */
	const struct json_value *rule;   /* selector in an export, or NULL */
	struct tf_events events;         /* own events (none: the file's) */
	bool own_events;
	enum tf_time time;
	struct tf_result *match, *no_match;
	size_t nmatch, nno_match;
	bool has_match, has_no_match;    /* written, even as [] */
	const struct json_value *match_v, *no_match_v; /* their values */
	const struct json_value *join_keys; /* array of arrays, or NULL */
	int expect;                      /* -1 unset, 0 false, 1 true */
	long long count, at_least, at_most; /* -1 unset */
	const char *skip;                /* reason, or NULL */
};

struct tf_file {
	struct rc_text text;             /* the whole file */
	const struct json_value *rule;   /* `rule` (a string), or NULL */
	struct tf_events events;
	enum tf_unexpected unexpected;
	enum tf_time time;
	const struct json_value *id_field, *timestamp_field, *category_field,
		*tiebreaker_field;       /* strings, or NULL */
	long long reorder_ms;            /* -2 unset, -1 "all" */
	struct tf_test *tests;
	size_t ntests;
};

/* Reads the test file held in src.  Returns 0, or -1 when it has errors
 * (reported to ds; what could be read is still in *tf) or memory ran out. */
int tf_read(struct arena *a, struct diag_sink *ds, struct rc_source *src,
	    struct tf_file *tf);

#endif
