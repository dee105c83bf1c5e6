/*
 * test.h - the test runner's entry for one test file (test.c), used by the
 * search for test files (testfind.c), which implements rulec_test_path.
 */
#ifndef RC_DRIVER_TEST_H
#define RC_DRIVER_TEST_H

#include "rulec.h"

/* Runs the test file at path (the context is cleared first), adding to
 * *sum: RULEC_OK or RULEC_ERR_NOMEM. */
int test_file(rulec_ctx *ctx, const char *path, const rulec_test_opts *o,
	      rulec_test_fn fn, void *ud, rulec_test_summary *sum);

#endif
