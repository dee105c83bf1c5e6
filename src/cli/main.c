/*
 * main.c - the rulec command line, a thin layer over librulec.
 *
 * Diagnostics go to stderr, results (dumps) to stdout.  Exit status:
 * 0 nothing at error level, 1 errors in the rules (warnings count with
 * -Werror), 2 usage, I/O or internal errors.
 */
#include <errno.h>
#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/testout.h"
#include "rulec.h"

enum { EXIT_FINDINGS = 1, EXIT_TROUBLE = 2 };

struct run {
	enum rulec_format format;
	bool color, quiet, dump_ast, dump_ir;
	unsigned io_errors;
	FILE *sarif;            /* results so far, comma-separated */
	unsigned nsarif;
	const char *output;     /* compile -o */
	const char *image;      /* run -r */
	const char **events;    /* run -e, in order */
	int nevents;
	rulec_replay_opts replay;
	bool stats;             /* run --stats */
	bool render_oom;        /* a result could not be rendered */
	enum test_format tformat; /* test --format */
	const char *junit;      /* test --junit FILE */
	rulec_test_opts topts;
};

static void
usage(FILE *f, int cmd)
{
	int i;

	if (cmd < 0) {
		fprintf(f, "usage: rulec COMMAND [OPTIONS] ARGS...\n\n"
			   "Compiler, linter and interpreter for detection "
			   "rules (Elastic EQL, ESET Inspect XML).\n\n"
			   "Commands:\n");
		for (i = 0; i < C__COUNT; i++)
			fprintf(f, "  %-8s %s%s\n", cli_cmds[i].name,
				cli_cmds[i].summary,
				cli_cmds[i].implemented ? ""
							: " (not yet available)");
		fprintf(f, "\n'rulec COMMAND --help' lists a command's "
			   "options; 'rulec --version' prints the version.\n"
			   "Exit status: 0 no errors, 1 errors in the rules "
			   "(or warnings with -Werror), 2 usage, I/O or "
			   "internal errors.\n");
		return;
	}
	fprintf(f, "usage: rulec %s [OPTIONS] %s\n\n%s\n\nOptions:\n",
		cli_cmds[cmd].name, cli_cmds[cmd].args, cli_cmds[cmd].summary);
	for (i = 0; i < O__COUNT; i++) {
		char head[64];
		const struct cli_opt_info *o = &cli_opts[i];

		if (!(o->cmds & (1u << cmd)))
			continue;
		if (o->shrt)
			snprintf(head, sizeof head, "-%c, --%s%s%s", o->shrt,
				 o->lng, o->arg ? " " : "", o->arg ? o->arg : "");
		else
			snprintf(head, sizeof head, "    --%s%s%s", o->lng,
				 o->arg ? " " : "", o->arg ? o->arg : "");
		fprintf(f, "  %-24s %s\n", head, o->help);
	}
}

static void
on_diag(void *ud, const rulec_diag *d)
{
	struct run *run = ud;
	char *s = rulec_diag_render(d, run->format,
				    run->color ? RULEC_RENDER_COLOR : 0);
	const char *id = rulec_diag_id(d);

	if (strcmp(id, "RC9001") == 0 || strcmp(id, "RC9005") == 0)
		run->io_errors++;
	if (s && run->format == RULEC_FORMAT_SARIF) {
		if (run->sarif) {
			fprintf(run->sarif, "%s%s", run->nsarif ? "," : "", s);
			run->nsarif++;
		}
		free(s);
	} else if (s) {
		fputs(s, stderr);
		free(s);
	} else {
		fprintf(stderr, "rulec: out of memory rendering a "
				"diagnostic\n");
	}
}

/* -W NAME, -Wno-NAME, -Werror, -Wno-error */
static bool
apply_warning(rulec_ctx *ctx, const char *arg)
{
	bool off = strncmp(arg, "no-", 3) == 0;
	const char *name = off ? arg + 3 : arg;

	if (strcmp(name, "error") == 0) {
		rulec_ctx_set_werror(ctx, !off);
		return true;
	}
	if (rulec_check_find(name) == (size_t)-1) {
		/* a family name applies to each of its checks */
		size_t i, n = 0;
		for (i = 0; i < rulec_check_count(); i++) {
			const char *cn = rulec_check_field(i, "name");
			if (strcmp(rulec_check_field(i, "family"), name) != 0)
				continue;
			if (off)
				rulec_ctx_set_severity(ctx, cn,
						       RULEC_SEVERITY_OFF);
			else
				apply_warning(ctx, cn);
			n++;
		}
		if (n)
			return true;
		fprintf(stderr, "rulec: unknown check '%s' (see 'rulec "
				"explain')\n", name);
		return false;
	}
	if (off)
		return rulec_ctx_set_severity(ctx, name, RULEC_SEVERITY_OFF) == 0;
	/* enabling keeps an error an error and raises notes and
	 * disabled checks to warnings */
	{
		size_t i = rulec_check_find(name);
		const char *sev = rulec_check_field(i, "severity");
		return rulec_ctx_set_severity(ctx, name,
					      strcmp(sev, "error") == 0
						      ? RULEC_SEVERITY_ERROR
						      : RULEC_SEVERITY_WARNING) == 0;
	}
}

static void
explain_one(size_t i)
{
	printf("%s %s (%s, %s by default)\n\n%s.\n\n%s\n",
	       rulec_check_field(i, "id"), rulec_check_field(i, "name"),
	       rulec_check_field(i, "family"), rulec_check_field(i, "severity"),
	       rulec_check_field(i, "summary"),
	       rulec_check_field(i, "explanation"));
}

static int
cmd_explain(int argc, char **argv)
{
	size_t i, n = rulec_check_count();
	int k, rc = 0;

	if (argc == 0) {
		for (i = 0; i < n; i++)
			printf("%s  %-22s %-11s %-7s %s\n",
			       rulec_check_field(i, "id"),
			       rulec_check_field(i, "name"),
			       rulec_check_field(i, "family"),
			       rulec_check_field(i, "severity"),
			       rulec_check_field(i, "summary"));
		return 0;
	}
	for (k = 0; k < argc; k++) {
		i = rulec_check_find(argv[k]);
		if (i == (size_t)-1) {
			fprintf(stderr, "rulec: no check named '%s'\n",
				argv[k]);
			rc = EXIT_TROUBLE;
			continue;
		}
		if (k > 0)
			putchar('\n');
		explain_one(i);
	}
	return rc;
}

static void
print_dumps(rulec_ctx *ctx, size_t from, const struct run *run)
{
	size_t i, n = rulec_ctx_rule_count(ctx);

	for (i = from; i < n; i++) {
		const rulec_rule *r = rulec_ctx_rule(ctx, i);
		const char *name = rulec_rule_name(r);
		int w;

		for (w = 0; w < 2; w++) {
			char *s;
			if ((w == 0 && !run->dump_ast) ||
			    (w == 1 && !run->dump_ir))
				continue;
			s = rulec_rule_dump(r, w == 0 ? RULEC_DUMP_AST
						      : RULEC_DUMP_IR);
			printf("== ");
			out_visible(stdout, rulec_rule_file(r));
			if (name) {
				printf(" [");
				out_visible(stdout, name);
				printf("]");
			}
			printf(" %s\n", w == 0 ? "ast" : "ir");
			fputs(s ? s : "(not available: the rule has errors)\n",
			      stdout);
			free(s);
		}
	}
}

static int
cmd_lint(rulec_ctx *ctx, struct run *run, int argc, char **argv)
{
	int k;
	unsigned nrules = 0, errors, warnings, notes;

	if (argc == 0) {
		fprintf(stderr, "rulec: lint needs at least one PATH\n");
		usage(stderr, C_LINT_IDX);
		return EXIT_TROUBLE;
	}
	for (k = 0; k < argc; k++) {
		size_t before = rulec_ctx_rule_count(ctx);
		int n = rulec_ctx_load_path(ctx, argv[k]);

		if (n == RULEC_ERR_NOMEM) {
			fprintf(stderr, "rulec: out of memory\n");
			return EXIT_TROUBLE;
		}
		if (n > 0)
			nrules += (unsigned)n;
		print_dumps(ctx, before, run);
	}
	rulec_ctx_finish(ctx);
	errors = rulec_ctx_diag_count(ctx, RULEC_SEVERITY_ERROR);
	warnings = rulec_ctx_diag_count(ctx, RULEC_SEVERITY_WARNING);
	notes = rulec_ctx_diag_count(ctx, RULEC_SEVERITY_NOTE);
	if (!run->quiet)
		fprintf(stderr, "rulec: %u rule%s checked: %u error%s, "
				"%u warning%s, %u note%s\n",
			nrules, nrules == 1 ? "" : "s", errors,
			errors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s", notes, notes == 1 ? "" : "s");
	if (run->io_errors)
		return EXIT_TROUBLE;
	return errors ? EXIT_FINDINGS : 0;
}

/* The SARIF log: head, the collected results, tail, on stdout. */
static void
print_sarif(struct run *run)
{
	char *head = rulec_sarif_head();
	char buf[8192];
	size_t n;

	if (!head) {
		fprintf(stderr, "rulec: out of memory\n");
		return;
	}
	fputs(head, stdout);
	free(head);
	rewind(run->sarif);
	while ((n = fread(buf, 1, sizeof buf, run->sarif)) > 0)
		fwrite(buf, 1, n, stdout);
	fputs(rulec_sarif_tail(), stdout);
}

/* compile: lint, and when no rule has an error, write the image. */
static int
cmd_compile(rulec_ctx *ctx, struct run *run, int argc, char **argv)
{
	unsigned char *img = NULL;
	size_t len = 0;
	char err[256];
	FILE *f;
	int rc, n;

	if (!run->output) {
		fprintf(stderr, "rulec: compile needs -o FILE\n");
		usage(stderr, C_COMPILE_IDX);
		return EXIT_TROUBLE;
	}
	rc = cmd_lint(ctx, run, argc, argv);
	if (rc != 0) {
		fprintf(stderr, "rulec: no image written: the rules have "
				"errors\n");
		return rc;
	}
	n = rulec_ctx_compile(ctx, &img, &len, err, sizeof err);
	if (n < 0) {
		fprintf(stderr, "rulec: cannot compile: %s\n", err);
		return EXIT_TROUBLE;
	}
	f = fopen(run->output, "wb");
	if (!f || fwrite(img, 1, len, f) != len || fclose(f) != 0) {
		fprintf(stderr, "rulec: cannot write %s\n", run->output);
		free(img);
		return EXIT_TROUBLE;
	}
	free(img);
	if (!run->quiet)
		fprintf(stderr, "rulec: %d rule%s compiled into %s (%zu "
				"bytes)\n", n, n == 1 ? "" : "s", run->output,
			len);
	return 0;
}

/* Reads a whole file (malloc'd); NULL with a message on failure. */
static unsigned char *
read_file(const char *path, size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t n = 0, cap = 0, got;
	FILE *f = fopen(path, "rb");

	if (!f) {
		perror(path);
		return NULL;
	}
	do {
		if (cap - n < 65536) {
			nb = realloc(buf, cap = cap * 2 + 65536);
			if (!nb) {
				free(buf);
				fclose(f);
				fprintf(stderr, "rulec: out of memory\n");
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	if (ferror(f)) {
		perror(path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = n;
	return buf;
}

/* disasm: load (which verifies) and print an image. */
static int
cmd_disasm(int argc, char **argv)
{
	unsigned char *buf;
	size_t n = 0;
	char err[256];
	char *text;

	if (argc != 1) {
		fprintf(stderr, "rulec: disasm takes one IMAGE file\n");
		return EXIT_TROUBLE;
	}
	buf = read_file(argv[0], &n);
	if (!buf)
		return EXIT_TROUBLE;
	text = rulec_image_disasm(buf, n, err, sizeof err);
	free(buf);
	if (!text) {
		fprintf(stderr, "rulec: %s: refused: %s\n", argv[0], err);
		return EXIT_TROUBLE;
	}
	fputs(text, stdout);
	free(text);
	return 0;
}

/* A result of `run`: one JSON line on stdout. */
static void
on_match(void *ud, const rulec_match *m)
{
	struct run *run = ud;
	char *s = rulec_match_render(m, RULEC_FORMAT_JSON);

	if (!s) {
		run->render_oom = true;
		return;
	}
	fputs(s, stdout);
	free(s);
}

/* A malformed event (skipped) or an input that cannot be opened. */
static void
on_event_diag(void *ud, const rulec_replay_diag *d)
{
	(void)ud;
	if (d->problem == RULEC_EVENTS_UNREADABLE)
		fprintf(stderr, "rulec: %s: %s\n", d->file, d->message);
	else
		fprintf(stderr, "%s:%llu: error: %s (byte %llu)\n", d->file,
			d->line, d->message, d->offset);
}

/* run --stats: every rule's hits and results, then the totals and the
 * throughput, on stderr. */
static void
print_stats(const rulec_replay *rp)
{
	rulec_replay_stats st;
	rulec_replay_rule_stats rs;
	double secs;
	size_t i;

	rulec_replay_get_stats(rp, &st);
	for (i = 0; i < st.rules; i++) {
		const char *id;

		if (rulec_replay_get_rule_stats(rp, i, &rs) != RULEC_OK ||
		    (!rs.hits && !rs.results))
			continue;
		id = rs.id ? rs.id : rs.file;
		fprintf(stderr, "rulec: rule %zu", i);
		if (id) {
			fputc(' ', stderr);
			out_visible(stderr, id);
		}
		fprintf(stderr, ": %llu hits, %llu results\n", rs.hits,
			rs.results);
	}
	secs = st.seconds > 0 ? st.seconds : 1e-9;
	fprintf(stderr, "rulec: %zu rules, %llu events (%llu malformed), %llu "
		"bytes, %llu results in %.3f s: %.1f MB/s, %.0f events/s\n",
		st.rules, st.events, st.malformed, st.bytes, st.results, secs,
		(double)st.bytes / 1e6 / secs, (double)st.events / secs);
	if (st.peak_rss_kb >= 0)
		fprintf(stderr, "rulec: peak memory %.1f MB\n",
			(double)st.peak_rss_kb / 1024.0);
	if (st.late_events)
		fprintf(stderr, "rulec: %llu events arrived later than the "
			"reorder window and were taken in arrival order\n",
			st.late_events);
}

/*
 * Replays the inputs through an image, results on stdout; an input that
 * cannot be read does not stop the others.  0, 1 when some events were
 * malformed, or a negative rulec_status with a message in err.
 */
static int
replay(struct run *run, const unsigned char *img, size_t len,
       const char **in, int nin, char *err, size_t errlen)
{
	rulec_replay *rp = rulec_replay_new(img, len, &run->replay, err,
					    errlen);
	int k, status = 0;

	if (!rp)
		return RULEC_ERR_ARG;
	rulec_replay_set_match_handler(rp, on_match, run);
	rulec_replay_set_diag_handler(rp, on_event_diag, run);
	for (k = 0; k < nin && status != RULEC_ERR_NOMEM; k++) {
		long bad = rulec_replay_feed(rp, in[k]);

		if (bad == RULEC_ERR_IO) {
			snprintf(err, errlen, "cannot read %s", in[k]);
			status = RULEC_ERR_IO;
		} else if (bad == RULEC_ERR_NOMEM) {
			status = RULEC_ERR_NOMEM;
		} else if (bad > 0 && status == 0) {
			status = 1;
		}
	}
	if (rulec_replay_finish(rp) != RULEC_OK || run->render_oom)
		status = RULEC_ERR_NOMEM;
	fflush(stdout);
	if (run->stats)
		print_stats(rp);
	rulec_replay_free(rp);
	return status;
}

/*
 * run: with -r, replay the events through a compiled image; otherwise
 * lint the rule files, compile every rule without errors in memory and
 * replay through those (the exit status then also reports rule errors).
 */
static int
cmd_run(rulec_ctx *ctx, struct run *run, int argc, char **argv)
{
	unsigned char *img = NULL;
	size_t len = 0;
	const char **in;
	char err[512];
	int n, rc = 0, k, nin = 0;

	in = calloc((size_t)argc + (size_t)run->nevents + 1, sizeof *in);
	if (!in) {
		fprintf(stderr, "rulec: out of memory\n");
		return EXIT_TROUBLE;
	}
	for (k = 0; k < run->nevents; k++)
		in[nin++] = run->events[k];
	if (run->image) {
		for (k = 0; k < argc; k++)
			in[nin++] = argv[k];
		img = read_file(run->image, &len);
		if (!img) {
			free(in);
			return EXIT_TROUBLE;
		}
	} else {
		if (argc == 0) {
			fprintf(stderr, "rulec: run needs rule files or -r "
					"IMAGE\n");
			usage(stderr, C_RUN_IDX);
			free(in);
			return EXIT_TROUBLE;
		}
		rc = cmd_lint(ctx, run, argc, argv);
		if (rc == EXIT_TROUBLE) {
			free(in);
			return rc;
		}
		n = rulec_ctx_compile(ctx, &img, &len, err, sizeof err);
		if (n < 0) {
			fprintf(stderr, "rulec: cannot compile: %s\n", err);
			free(in);
			return EXIT_TROUBLE;
		}
		if (rc && !run->quiet)
			fprintf(stderr, "rulec: running the %d rule%s without "
					"errors\n", n, n == 1 ? "" : "s");
	}
	if (nin == 0) {
		fprintf(stderr, "rulec: run needs events: -e FILE (- for "
				"stdin)\n");
		free(in);
		free(img);
		return EXIT_TROUBLE;
	}
	n = replay(run, img, len, in, nin, err, sizeof err);
	free(img);
	free(in);
	if (n == RULEC_ERR_NOMEM) {
		fprintf(stderr, "rulec: out of memory\n");
		return EXIT_TROUBLE;
	}
	if (n < 0) {
		fprintf(stderr, "rulec: %s%s\n", run->image ? run->image : "",
			run->image ? ": refused: " : "");
		fprintf(stderr, "rulec: %s\n", err);
		return EXIT_TROUBLE;
	}
	if (n > 0)
		return EXIT_TROUBLE;    /* malformed events were reported */
	return rc;
}

/* A non-negative integer option; false (with a message) otherwise. */
/* The reports of one `rulec test` run: stdout, and the --junit file. */
struct test_out {
	struct test_report *main, *junit;
};

static void
on_test(void *ud, const rulec_test_case *c)
{
	struct test_out *t = ud;

	test_report_case(t->main, c);
	if (t->junit)
		test_report_case(t->junit, c);
}

static int
cmd_test(rulec_ctx *ctx, struct run *run, int argc, char **argv)
{
	struct test_out t = { NULL, NULL };
	rulec_test_summary sum;
	FILE *jf = NULL;
	bool ok = true;
	int k, rc = 0;

	if (argc == 0) {
		fprintf(stderr, "rulec: test needs at least one PATH\n");
		usage(stderr, C_TEST_IDX);
		return EXIT_TROUBLE;
	}
	memset(&sum, 0, sizeof sum);
	if (run->junit && !(jf = fopen(run->junit, "w"))) {
		fprintf(stderr, "rulec: cannot write %s: %s\n", run->junit,
			strerror(errno));
		return EXIT_TROUBLE;
	}
	t.main = test_report_new(run->tformat, stdout,
				 run->tformat == TF_TEXT && run->color &&
				 isatty(1));
	if (jf)
		t.junit = test_report_new(TF_JUNIT, jf, false);
	if (!t.main || (jf && !t.junit)) {
		fprintf(stderr, "rulec: out of memory\n");
		rc = EXIT_TROUBLE;
		goto done;
	}
	for (k = 0; k < argc; k++)
		if (rulec_test_path(ctx, argv[k], &run->topts, on_test, &t,
				    &sum) == RULEC_ERR_NOMEM) {
			fprintf(stderr, "rulec: out of memory\n");
			rc = EXIT_TROUBLE;
			goto done;
		}
	ok = test_report_end(t.main, &sum);
	if (t.junit)
		ok = test_report_end(t.junit, &sum) && ok;
	if (!ok) {
		fprintf(stderr, "rulec: error writing the test report\n");
		rc = EXIT_TROUBLE;
		goto done;
	}
	if (!sum.files && !sum.untested && !sum.failed && !run->io_errors) {
		fprintf(stderr, "rulec: no test file (NAME.test.toml) under %s%s\n",
			argv[0], argc > 1 ? " ..." : "");
		rc = EXIT_TROUBLE;
		goto done;
	}
	if (!run->quiet) {
		FILE *f = run->tformat == TF_TEXT ? stdout : stderr;
		if (sum.untested)
			fprintf(f, "rulec: %lu rule file%s without a test file\n",
				sum.untested, sum.untested == 1 ? "" : "s");
		if (sum.updated)
			fprintf(f, "rulec: updated %lu test file%s\n",
				sum.updated, sum.updated == 1 ? "" : "s");
		if (sum.warnings)
			fprintf(f, "rulec: %lu test file%s with unexpected results (unexpected = \"warn\")\n",
				sum.warnings, sum.warnings == 1 ? "" : "s");
		fprintf(f, "test: %lu passed, %lu failed, %lu skipped\n",
			sum.passed, sum.failed, sum.skipped);
	}
	if (run->io_errors)
		rc = EXIT_TROUBLE;
	else if (sum.errors || (sum.failed && !run->topts.update))
		rc = EXIT_FINDINGS;
done:
	test_report_free(t.main);
	test_report_free(t.junit);
	if (jf && fclose(jf) != 0) {
		fprintf(stderr, "rulec: error writing %s\n", run->junit);
		rc = EXIT_TROUBLE;
	}
	return rc;
}

static bool
int_arg(const char *opt, const char *s, long long *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || end == s || v < 0) {
		fprintf(stderr, "rulec: --%s takes a non-negative integer, "
				"not '%s'\n", opt, s);
		return false;
	}
	*out = v;
	return true;
}

static bool
want_color(const char *when)
{
	if (strcmp(when, "always") == 0)
		return true;
	if (strcmp(when, "never") == 0)
		return false;
	return isatty(STDERR_FILENO) && !getenv("NO_COLOR") &&
	       !(getenv("TERM") && strcmp(getenv("TERM"), "dumb") == 0);
}

int
main(int argc, char **argv)
{
	struct option longopts[O__COUNT + 1];
	char shortopts[2 * O__COUNT + 2];
	struct run run = { .format = RULEC_FORMAT_TEXT };
	const char *color = "auto";
	rulec_ctx *ctx;
	int cmd = -1, i, c, rc, ns = 0;

	if (argc < 2) {
		usage(stderr, -1);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("rulec %s\n", rulec_version());
		return 0;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout, -1);
		return 0;
	}
	for (i = 0; i < C__COUNT; i++)
		if (strcmp(argv[1], cli_cmds[i].name) == 0)
			cmd = i;
	if (cmd < 0) {
		fprintf(stderr, "rulec: unknown command '%s'\n\n", argv[1]);
		usage(stderr, -1);
		return EXIT_TROUBLE;
	}
	/* the option tables, from options.def, for this command */
	for (i = 0, c = 0; i < O__COUNT; i++) {
		if (!(cli_opts[i].cmds & (1u << cmd)))
			continue;
		longopts[c].name = cli_opts[i].lng;
		longopts[c].has_arg = cli_opts[i].arg ? required_argument
						      : no_argument;
		longopts[c].flag = NULL;
		longopts[c].val = 256 + i;
		c++;
		if (cli_opts[i].shrt) {
			shortopts[ns++] = (char)cli_opts[i].shrt;
			if (cli_opts[i].arg)
				shortopts[ns++] = ':';
		}
	}
	memset(&longopts[c], 0, sizeof longopts[c]);
	shortopts[ns] = '\0';

	ctx = rulec_ctx_new();
	if (!ctx) {
		fprintf(stderr, "rulec: out of memory\n");
		return EXIT_TROUBLE;
	}
	rulec_ctx_set_diag_handler(ctx, on_diag, &run);
	rulec_replay_opts_init(&run.replay);
	run.events = calloc((size_t)argc + 1, sizeof *run.events);
	if (!run.events) {
		fprintf(stderr, "rulec: out of memory\n");
		rulec_ctx_free(ctx);
		return EXIT_TROUBLE;
	}
	rc = 0;
	optind = 2;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		int opt = c - 256;

		if (c < 256) {
			for (opt = 0; opt < O__COUNT; opt++)
				if (cli_opts[opt].shrt == c &&
				    (cli_opts[opt].cmds & (1u << cmd)))
					break;
		}
		switch (opt) {
		case O_HELP:
			usage(stdout, cmd);
			rulec_ctx_free(ctx);
			free(run.events);
			return 0;
		case O_FORMAT:
			if (strcmp(optarg, "json") == 0)
				run.format = RULEC_FORMAT_JSON;
			else if (strcmp(optarg, "text") == 0)
				run.format = RULEC_FORMAT_TEXT;
			else if (strcmp(optarg, "sarif") == 0)
				run.format = RULEC_FORMAT_SARIF;
			else {
				fprintf(stderr, "rulec: unknown format '%s' "
						"(text, json or sarif)\n", optarg);
				rc = EXIT_TROUBLE;
			}
			break;
		case O_COLOR:
			if (strcmp(optarg, "auto") && strcmp(optarg, "always") &&
			    strcmp(optarg, "never")) {
				fprintf(stderr, "rulec: --color takes auto, "
						"always or never\n");
				rc = EXIT_TROUBLE;
			}
			color = optarg;
			break;
		case O_WARN:
			if (!apply_warning(ctx, optarg))
				rc = EXIT_TROUBLE;
			break;
		case O_SCHEMA:
			if (rulec_ctx_add_schema_file(ctx, optarg) != 0) {
				fprintf(stderr, "rulec: cannot read schema "
						"file '%s'\n", optarg);
				rc = EXIT_TROUBLE;
			}
			break;
		case O_ESET_CAT: {
			char *eq = strchr(optarg, '=');
			int r;
			if (!eq) {
				fprintf(stderr, "rulec: --eset-catalog takes "
						"KIND=FILE\n");
				rc = EXIT_TROUBLE;
				break;
			}
			*eq = '\0';
			r = rulec_ctx_add_eset_catalog(ctx, optarg, eq + 1);
			if (r == RULEC_ERR_ARG)
				fprintf(stderr, "rulec: unknown catalogue kind "
						"'%s' (components, operations, "
						"ecs or actions)\n", optarg);
			else if (r != RULEC_OK)
				fprintf(stderr, "rulec: cannot read catalogue "
						"file '%s'\n", eq + 1);
			if (r != RULEC_OK)
				rc = EXIT_TROUBLE;
			break;
		}
		case O_OUTPUT:
			run.output = optarg;
			break;
		case O_DUMP_AST:
			run.dump_ast = true;
			break;
		case O_DUMP_IR:
			run.dump_ir = true;
			break;
		case O_QUIET:
			run.quiet = true;
			break;
		case O_IMAGE:
			run.image = optarg;
			break;
		case O_EVENTS:
			run.events[run.nevents++] = optarg;
			break;
		case O_ID_FIELD:
			run.replay.id_field = optarg;
			break;
		case O_CAT_FIELD:
			run.replay.category_field = optarg;
			break;
		case O_TS_FIELD:
			run.replay.timestamp_field = optarg;
			break;
		case O_TB_FIELD:
			run.replay.tiebreaker_field = optarg;
			break;
		case O_SIZE:
			if (!int_arg("size", optarg, &run.replay.size))
				rc = EXIT_TROUBLE;
			break;
		case O_MAX_SAMPLES:
			if (!int_arg("max-samples-per-key", optarg,
				     &run.replay.max_samples_per_key))
				rc = EXIT_TROUBLE;
			break;
		case O_REORDER:
			if (strcmp(optarg, "all") == 0)
				run.replay.reorder_ms = INT64_MAX;
			else if (!int_arg("reorder-window", optarg,
					  &run.replay.reorder_ms))
				rc = EXIT_TROUBLE;
			break;
		case O_STATS:
			run.stats = true;
			break;
		case O_TFORMAT:
			if (!test_format_parse(optarg, &run.tformat)) {
				fprintf(stderr, "rulec: --format is text, tap, "
						"junit or json, not '%s'\n",
					optarg);
				rc = EXIT_TROUBLE;
			}
			break;
		case O_JUNIT:
			run.junit = optarg;
			break;
		case O_REQ_TESTS:
			run.topts.require_tests = 1;
			break;
		case O_REQ_NEG:
			run.topts.require_negative = 1;
			break;
		case O_UPDATE:
			run.topts.update = 1;
			break;
		case O_MIN_TESTS: {
			long long n;
			if (!int_arg("min-tests", optarg, &n))
				rc = EXIT_TROUBLE;
			else
				run.topts.min_tests = (long)n;
			break;
		}
		default:
			usage(stderr, cmd);
			rc = EXIT_TROUBLE;
			break;
		}
		if (rc)
			break;
	}
	if (rc == 0) {
		run.color = want_color(color) && run.format == RULEC_FORMAT_TEXT;
		switch (cmd) {
		case C_LINT_IDX:
			if (run.format == RULEC_FORMAT_SARIF &&
			    !(run.sarif = tmpfile())) {
				fprintf(stderr, "rulec: cannot create a "
						"temporary file\n");
				rc = EXIT_TROUBLE;
				break;
			}
			rc = cmd_lint(ctx, &run, argc - optind, argv + optind);
			if (run.sarif) {
				print_sarif(&run);
				fclose(run.sarif);
			}
			break;
		case C_EXPLAIN_IDX:
			rc = cmd_explain(argc - optind, argv + optind);
			break;
		case C_COMPILE_IDX:
			rc = cmd_compile(ctx, &run, argc - optind, argv + optind);
			break;
		case C_DISASM_IDX:
			rc = cmd_disasm(argc - optind, argv + optind);
			break;
		case C_RUN_IDX:
			rc = cmd_run(ctx, &run, argc - optind, argv + optind);
			break;
		case C_TEST_IDX:
			rc = cmd_test(ctx, &run, argc - optind, argv + optind);
			break;
		default:
			fprintf(stderr, "rulec: '%s' is not available in this "
					"version yet\n", cli_cmds[cmd].name);
			rc = EXIT_TROUBLE;
			break;
		}
	}
	if (fflush(stdout) != 0) {
		fprintf(stderr, "rulec: error writing output\n");
		rc = EXIT_TROUBLE;
	}
	rulec_ctx_free(ctx);
	free(run.events);
	return rc;
}
