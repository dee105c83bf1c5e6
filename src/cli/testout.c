/*
 * testout.c - the reports of `rulec test` (see testout.h).
 */
#include "cli/testout.h"

#include "base/vec.h"

#include <stdlib.h>
#include <string.h>

struct kept {                   /* a record copied for JUnit */
	char *suite, *name, *message, *expected, *got, *why;
	unsigned line;
	enum rulec_test_status status;
	double seconds;
};

struct test_report {
	enum test_format f;
	FILE *out;
	bool color, oom;
	unsigned long n;        /* records so far */
	VEC(struct kept) kept;
};

bool
test_format_parse(const char *s, enum test_format *f)
{
	static const char *const names[] = { "text", "tap", "junit", "json",
					     "sarif" };

	for (int i = 0; i < 5; i++)
		if (strcmp(s, names[i]) == 0) {
			*f = (enum test_format)i;
			return true;
		}
	return false;
}

struct test_report *
test_report_new(enum test_format f, FILE *out, bool color)
{
	struct test_report *r = calloc(1, sizeof *r);

	if (!r)
		return NULL;
	r->f = f;
	r->out = out;
	r->color = color;
	if (f == TF_TAP)
		fputs("TAP version 14\n", out);
	return r;
}

static const char *
status_word(enum rulec_test_status s)
{
	switch (s) {
	case RULEC_TEST_PASS: return "pass";
	case RULEC_TEST_FAIL: return "fail";
	case RULEC_TEST_SKIP: return "skip";
	default: return "error";
	}
}

/* Characters of rule and event text that would act on a terminal: C0
 * controls, DEL, C1 controls (U+0080-U+009F, U+009B being CSI) and the
 * bidirectional formatting characters, which reorder what is shown.
 * Returns the length of such a character at u (its code point in *cp),
 * or 0. */
static unsigned
special(const unsigned char *u, unsigned *cp)
{
	if (u[0] < 0x20 || u[0] == 0x7f) {
		*cp = u[0];
		return 1;
	}
	if (u[0] == 0xC2 && u[1] >= 0x80 && u[1] <= 0x9F) {
		*cp = u[1];
		return 2;
	}
	if (u[0] == 0xE2 && ((u[1] == 0x80 && ((u[2] >= 0x8E && u[2] <= 0x8F) ||
					       (u[2] >= 0xA8 && u[2] <= 0xAE))) ||
			     (u[1] == 0x81 && u[2] >= 0xA6 && u[2] <= 0xA9))) {
		*cp = 0x2000u | (unsigned)(u[1] & 0x3F) << 6 | (u[2] & 0x3Fu);
		return 3;
	}
	return 0;
}

/* s as the body of a JSON string. */
static void
json_str(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp, k;

	fputc('"', f);
	for (; u && *u; u++) {
		if (*u == '"' || *u == '\\')
			fprintf(f, "\\%c", *u);
		else if (*u == '\n')
			fputs("\\n", f);
		else if (*u == '\t')
			fputs("\\t", f);
		else if ((k = special(u, &cp)) > 0) {
			fprintf(f, "\\u%04x", cp);
			u += k - 1;
		} else
			fputc(*u, f);
	}
	fputc('"', f);
}

/* s[0..n) as the text report shows it: characters that would act on
 * the terminal escaped (\n, \x1b, \u009b), tabs kept. */
static void
visible(FILE *f, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s, *end = u + n;
	unsigned cp, k;

	for (; u < end; u++) {
		if (*u == '\t')
			fputc(*u, f);
		else if (*u == '\n')
			fputs("\\n", f);
		else if ((k = special(u, &cp)) > 0) {
			fprintf(f, cp < 0x80 ? "\\x%02x" : "\\u%04x", cp);
			u += k - 1;
		} else
			fputc(*u, f);
	}
}

void
out_visible(FILE *f, const char *s)
{
	if (s)
		visible(f, s, strlen(s));
}

/* s as a TAP description: '\\' and '#' escaped (TAP 14), line breaks and
 * other control characters as blanks, so a name cannot end the line or
 * start a directive. */
static void
tap_str(FILE *f, const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned cp, k;

	for (; u && *u; u++) {
		if (*u == '\\' || *u == '#')
			fputc('\\', f);
		if ((k = special(u, &cp)) > 0) {
			fputc(' ', f);
			u += k - 1;
		} else
			fputc(*u, f);
	}
}

/* s with XML's five special characters escaped; control characters other
 * than tab and newline (which XML 1.0 cannot hold) as '?'. */
static void
xml_str(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;
		switch (c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&apos;", f); break;
		default:
			fputc(c < 0x20 && c != '\n' && c != '\t' ? '?' : c, f);
		}
	}
}

/* The lines of s, each indented by `ind`. */
static void
indented(FILE *f, const char *s, const char *ind)
{
	while (s && *s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);
		fputs(ind, f);
		visible(f, s, n);
		fputc('\n', f);
		s += n + (nl != NULL);
	}
}

static char *
dup(struct test_report *r, const char *s)
{
	char *d;

	if (!s)
		return NULL;
	d = strdup(s);
	if (!d)
		r->oom = true;
	return d;
}

void
test_report_case(struct test_report *r, const rulec_test_case *c)
{
	FILE *f = r->out;

	r->n++;
	switch (r->f) {
	case TF_TEXT:
		if (c->status == RULEC_TEST_PASS || c->status == RULEC_TEST_SKIP)
			break;
		fprintf(f, "%s:%u:%u: %s%s%s ", c->suite, c->line, c->column,
			r->color ? "\033[1;31m" : "",
			c->status == RULEC_TEST_FAIL ? "FAIL" : "ERROR",
			r->color ? "\033[0m" : "");
		json_str(f, c->name);   /* quoted, control characters escaped */
		fputs(": ", f);
		if (c->message)
			visible(f, c->message, strlen(c->message));
		fputc('\n', f);
		if (c->why)
			indented(f, c->why, "  ");
		break;
	case TF_TAP:
		fprintf(f, "%s %lu - ", c->status == RULEC_TEST_PASS ||
			c->status == RULEC_TEST_SKIP ? "ok" : "not ok", r->n);
		tap_str(f, c->suite);
		fputs(": ", f);
		tap_str(f, c->name);
		if (c->status == RULEC_TEST_SKIP) {
			fputs(" # SKIP ", f);
			tap_str(f, c->message);
		}
		fputc('\n', f);
		if (c->status == RULEC_TEST_FAIL || c->status == RULEC_TEST_ERROR) {
			fputs("  ---\n  message: ", f);
			json_str(f, c->message);
			fprintf(f, "\n  severity: %s\n", status_word(c->status));
			fprintf(f, "  at:\n    file: ");
			json_str(f, c->suite);
			fprintf(f, "\n    line: %u\n", c->line);
			if (c->expected)
				fprintf(f, "  expected: %s\n", c->expected);
			if (c->got)
				fprintf(f, "  got: %s\n", c->got);
			if (c->why) {
				fputs("  why: |\n", f);
				indented(f, c->why, "    ");
			}
			fputs("  ...\n", f);
		}
		break;
	case TF_JSON:
		fputs("{\"suite\":", f);
		json_str(f, c->suite);
		fputs(",\"rule_file\":", f);
		if (c->rule_file)
			json_str(f, c->rule_file);
		else
			fputs("null", f);
		fputs(",\"name\":", f);
		json_str(f, c->name);
		fprintf(f, ",\"line\":%u,\"column\":%u,\"status\":\"%s\"",
			c->line, c->column, status_word(c->status));
		fputs(",\"message\":", f);
		if (c->message)
			json_str(f, c->message);
		else
			fputs("null", f);
		fprintf(f, ",\"expected\":%s,\"got\":%s,\"why\":",
			c->expected ? c->expected : "null",
			c->got ? c->got : "null");
		if (c->why)
			json_str(f, c->why);
		else
			fputs("null", f);
		fprintf(f, ",\"seconds\":%.6f}\n", c->seconds);
		break;
	case TF_JUNIT: {
		struct kept *k = vec_add(&r->kept);
		if (!k) {
			r->oom = true;
			return;
		}
		k->suite = dup(r, c->suite);
		k->name = dup(r, c->name);
		k->message = dup(r, c->message);
		k->expected = dup(r, c->expected);
		k->got = dup(r, c->got);
		k->why = dup(r, c->why);
		k->line = c->line;
		k->status = c->status;
		k->seconds = c->seconds;
		break;
	}
	case TF_SARIF: {
		/* failures only: errors are reported as diagnostics */
		char *res;
		if (c->status != RULEC_TEST_FAIL)
			break;
		if (!(res = rulec_test_case_render(c, RULEC_FORMAT_SARIF))) {
			r->oom = true;
			return;
		}
		fprintf(f, ",%s", res);
		free(res);
		break;
	}
	}
}

/* The JUnit document: <testsuites>, one <testsuite> per test file (the
 * records of one file arrive together), one <testcase> per test. */
static void
junit(struct test_report *r, const rulec_test_summary *s)
{
	FILE *f = r->out;
	size_t i, j;
	unsigned long tf = 0, te = 0;
	double total = 0;

	(void)s;
	for (i = 0; i < r->kept.n; i++) {
		total += r->kept.v[i].seconds;
		tf += r->kept.v[i].status == RULEC_TEST_FAIL;
		te += r->kept.v[i].status == RULEC_TEST_ERROR;
	}
	fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		   "<testsuites name=\"rulec test\" tests=\"%lu\" "
		   "failures=\"%lu\" errors=\"%lu\" skipped=\"%lu\" "
		   "time=\"%.3f\">\n",
		(unsigned long)r->kept.n, tf, te, s->skipped, total);
	for (i = 0; i < r->kept.n; i = j) {
		unsigned long nf = 0, ne = 0, ns = 0;
		double t = 0;
		for (j = i; j < r->kept.n && strcmp(r->kept.v[j].suite,
						   r->kept.v[i].suite) == 0; j++) {
			nf += r->kept.v[j].status == RULEC_TEST_FAIL;
			ne += r->kept.v[j].status == RULEC_TEST_ERROR;
			ns += r->kept.v[j].status == RULEC_TEST_SKIP;
			t += r->kept.v[j].seconds;
		}
		fputs("  <testsuite name=\"", f);
		xml_str(f, r->kept.v[i].suite);
		fprintf(f, "\" tests=\"%lu\" failures=\"%lu\" errors=\"%lu\" "
			   "skipped=\"%lu\" time=\"%.3f\">\n",
			(unsigned long)(j - i), nf, ne, ns, t);
		for (size_t k = i; k < j; k++) {
			const struct kept *c = &r->kept.v[k];
			fputs("    <testcase name=\"", f);
			xml_str(f, c->name);
			fputs("\" classname=\"", f);
			xml_str(f, c->suite);
			fputs("\" file=\"", f);
			xml_str(f, c->suite);
			fprintf(f, "\" line=\"%u\" time=\"%.3f\"", c->line,
				c->seconds);
			if (c->status == RULEC_TEST_PASS) {
				fputs("/>\n", f);
				continue;
			}
			fputs(">\n", f);
			if (c->status == RULEC_TEST_SKIP) {
				fputs("      <skipped message=\"", f);
				xml_str(f, c->message);
				fputs("\"/>\n", f);
			} else {
				fprintf(f, "      <%s message=\"",
					c->status == RULEC_TEST_FAIL ? "failure"
								     : "error");
				xml_str(f, c->message);
				fprintf(f, "\" type=\"%s\">",
					c->status == RULEC_TEST_FAIL ? "failure"
								     : "error");
				if (c->expected) {
					fputs("expected: ", f);
					xml_str(f, c->expected);
					fputc('\n', f);
				}
				if (c->got) {
					fputs("got: ", f);
					xml_str(f, c->got);
					fputc('\n', f);
				}
				xml_str(f, c->why);
				fprintf(f, "</%s>\n",
					c->status == RULEC_TEST_FAIL ? "failure"
								     : "error");
			}
			fputs("    </testcase>\n", f);
		}
		fputs("  </testsuite>\n", f);
	}
	fputs("</testsuites>\n", f);
}

bool
test_report_end(struct test_report *r, const rulec_test_summary *s)
{
	switch (r->f) {
	case TF_TAP:
		fprintf(r->out, "1..%lu\n", r->n);
		break;
	case TF_JUNIT:
		junit(r, s);
		break;
	case TF_JSON:
		fprintf(r->out, "{\"summary\":{\"files\":%lu,\"passed\":%lu,"
				"\"failed\":%lu,\"skipped\":%lu,\"errors\":%lu,"
				"\"warnings\":%lu,\"untested\":%lu}}\n",
			s->files, s->passed, s->failed, s->skipped, s->errors,
			s->warnings, s->untested);
		break;
	case TF_TEXT:
	case TF_SARIF:
		break;
	}
	return !r->oom && fflush(r->out) == 0 && !ferror(r->out);
}

void
test_report_free(struct test_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->kept.n; i++) {
		struct kept *k = &r->kept.v[i];
		free(k->suite);
		free(k->name);
		free(k->message);
		free(k->expected);
		free(k->got);
		free(k->why);
	}
	vec_free(&r->kept);
	free(r);
}
