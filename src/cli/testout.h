/*
 * testout.h - the reports of `rulec test`: text, TAP 14, JUnit XML and
 * JSON, written from the test records of the library.
 *
 * Design note.  Text and TAP are written as each test ends; JUnit groups
 * the tests by test file (one <testsuite> per file), so the records are
 * copied and the document written at the end; JSON writes one object per
 * test as it ends and a summary object last.  `out` is stdout or the
 * --output/--junit file.  SARIF appends one result per failed test, each
 * after a comma, to `out`: the result list of a log that main.c writes
 * with the diagnostics (see struct out there).
 */
#ifndef RC_CLI_TESTOUT_H
#define RC_CLI_TESTOUT_H

#include <stdbool.h>
#include <stdio.h>

#include "rulec.h"

enum test_format { TF_TEXT, TF_TAP, TF_JUNIT, TF_JSON, TF_SARIF };

struct test_report;

/* NULL on out of memory.  color: ANSI colours in text. */
struct test_report *test_report_new(enum test_format f, FILE *out,
				    bool color);
void test_report_case(struct test_report *r, const rulec_test_case *c);
/* Writes what is left (JUnit document, TAP plan, summaries); false when
 * memory ran out or the output could not be written. */
bool test_report_end(struct test_report *r, const rulec_test_summary *s);
void test_report_free(struct test_report *r);

/* Writes text of a rule or an event (a name, an id) to a terminal or log:
 * control characters, C1 controls and bidirectional overrides escaped
 * (\x1b, \u009b, \u202e), so that nothing in a rule acts on the terminal.
 * The test reports use it, and main.c for rule names it prints. */
void out_visible(FILE *f, const char *s);

/* "text", "tap", "junit", "json", "sarif": true and *f set, or false. */
bool test_format_parse(const char *s, enum test_format *f);

#endif
