/*
 * testrun.h - what the test runner's files share (test.c runs test files;
 * testwhy.c explains missing results): one replay's results, the events of
 * a scope with their indexes, and the run of one test file.
 *
 * Design note.  A scope is the events one replay reads (a file's shared
 * events, or one test's own) together with what came of them: `ids` and
 * `id_line` locate each event by its id in `ndjson`, `got` holds the
 * results as event ids, and the hash indexes (built once) answer "which
 * results start with / hold this id" without a scan, so files of thousands
 * of tests stay linear.  Everything a test file's run allocates outside
 * the context's arena is freed when the file is done.
 */
#ifndef RC_DRIVER_TESTRUN_H
#define RC_DRIVER_TESTRUN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rulec.h"

#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/vec.h"
#include "driver/testfile.h"

/* update: bytes [start, end) of the test file become text (in the
 * context's arena); seq keeps the order of edits at one place. */
struct edit {
	uint32_t start, end;
	const char *text;
	size_t seq;
};

/* One result of a replay. */
struct got {
	size_t rule;            /* index in the image */
	char **ids;             /* event ids in stage order, "-" missing */
	size_t n;
	char *keys;             /* join keys as a JSON array */
	bool claimed;
	size_t used;            /* serial of the test whose match took it */
};

/* The events of one scope, ready to replay. */
struct scope {
	struct strbuf ndjson;   /* the events, relative times made absolute */
	VEC(char *) ids;        /* every event id seen (for references) */
	VEC(uint32_t) id_line;  /* where each id's event starts in ndjson */
	VEC(struct got) got;    /* the results */
	VEC(struct got) ogot;   /* --convert-to: the original rules' */
	bool ok;                /* read without error */
	bool replayed;
	/* indexes, built on first use, so that a file of thousands of tests
	 * on shared events costs no scan of every event or result per test:
	 * ids by value; results by their first event; (result, position)
	 * pairs by the event id there */
	bool ids_indexed, got_indexed;
	struct hash id_idx, first_idx, any_idx;
	VEC(uint32_t) any_res;  /* any_idx items: result numbers */
	VEC(uint32_t) any_pos;  /* and the position of the id in it */
};

struct run {
	rulec_ctx *ctx;
	const rulec_test_opts *o;
	rulec_test_fn fn;
	void *ud;
	struct tf_file tf;
	const char *path;       /* the test file */
	char *dir;              /* its folder, with a trailing '/' or "" */
	unsigned char *img;
	size_t imglen;
	size_t nrules;
	const char **rule_ids, **rule_names;
	int errors;             /* test-file and rule errors */
	rulec_test_summary *sum;
	const char *rule_file;    /* the rules tested */
	size_t serial;            /* of the test being judged */
	VEC(struct edit) edits;   /* update: what replaces which bytes */
	/* --convert-to: img holds the converted rules, oimg the original
	 * ones; rel the relation each rule's conversion claims; refused
	 * names a rule that was not converted */
	bool convert;
	unsigned char *oimg;
	size_t oimglen;
	enum rulec_relation *rel;
	const char *refused;
};

void scope_free(struct scope *s);
/* Appends ids[0..n) as a JSON array. */
void ids_json(struct strbuf *sb, char *const *ids, size_t n);
/* The value at a dotted path of an event object, or NULL. */
const struct json_value *get_path(const struct json_value *obj,
				  const char *path);
/* The replay's result handler: keeps each result in the scope `ud`. */
void on_match(void *ud, const rulec_match *m);
/* Replays ndjson through the image img with the file's options, the
 * results into out->got (test.c).  0, or -1 with err set when the image
 * cannot be replayed, or the replay failed. */
int replay_events(struct run *rn, const unsigned char *img, size_t imglen,
		  const struct strbuf *ndjson, struct scope *out, char *err,
		  size_t errlen);
/* Whether results of rule number `rule` count for test t. */
bool rule_selected(const struct run *rn, const struct tf_test *t,
		   size_t rule);
bool same_ids(const struct got *g, const struct tf_result *x);
bool has_id(const struct got *g, const char *id);

/* Says why expected result x of test t did not come (testwhy.c), one
 * line each, into why. */
void explain_missing(struct run *rn, const struct tf_test *t,
		     const struct scope *sc, const struct tf_result *x,
		     struct strbuf *why);

#endif
