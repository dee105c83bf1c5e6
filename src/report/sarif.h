/*
 * sarif.h - diagnostics as a SARIF 2.1.0 log (for code-scanning
 * dashboards).  The log is written in three parts so that results can be
 * streamed: the head (tool, every check of the registry as a reporting
 * descriptor, columns counted in Unicode code points like the text
 * output), one result object per diagnostic, and the tail.
 */
#ifndef RC_SARIF_H
#define RC_SARIF_H

#include "base/diag.h"

void sarif_head(struct strbuf *sb, const char *version);
/* One result object (no separator). */
void sarif_result(const struct diag *d, struct strbuf *sb);
void sarif_tail(struct strbuf *sb);
/* One result object of check test-failed (RC9107) for a failed rule test
 * (`rulec test --format sarif`): located at line:col of the test file
 * (line 0: the file alone), `text` its message. */
void sarif_test_result(struct strbuf *sb, const char *file, unsigned line,
		       unsigned col, const char *text);

#endif
