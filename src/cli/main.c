/*
 * main.c - the rulec command line, a thin layer over librulec.
 *
 * Each command has a result on stdout (or -o FILE): lint's diagnostics,
 * run's result lines, test's report; compile writes its image to -o FILE.
 * Diagnostics go to stderr as text; as JSON or SARIF they go to
 * --diagnostics FILE, or to stdout when it carries nothing else
 * (open_outputs says where; docs/linter.md "Output formats").  Summary
 * lines go to stderr.  Exit status: 0 nothing at error level, 1 errors in
 * the rules (warnings count with -Werror), 2 usage, I/O or internal
 * errors, and paths that yield no rule.
 *
 * Every output is checked: each struct out keeps the errno of its first
 * failed write (out_check, called right after the writes, when errno is
 * still the failed write's), the command stops producing as soon as its
 * output has failed, and the end of main reports it: one error with
 * strerror and status 2, or, for a reader that went away (EPIPE, with
 * SIGPIPE ignored; otherwise the signal ends the process), nothing and
 * status 141, as a shell shows a process killed by SIGPIPE.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli/cli.h"
#include "cli/setup.h"
#include "cli/testout.h"
#include "rulec.h"

enum { EXIT_FINDINGS = 1, EXIT_TROUBLE = 2, EXIT_PIPE = 141 };

/*
 * An output stream: stdout, stderr, or a file named by -o or
 * --diagnostics.  A SARIF log is one JSON document, so its results are
 * kept in a temporary file (each after a comma) and the log is written
 * when the command ends (close_outputs).
 */
struct out {
	FILE *f;
	const char *path;       /* the file's name; NULL: stdout or stderr */
	FILE *sarif;            /* SARIF results so far; NULL: not SARIF */
	int err;                /* errno of the first failed write; 0: none */
};

/* Notes o's first write error; true while o has not failed.  Called
 * right after writes, errno is then the failed write's (a write that
 * fails empties the stdio buffer, so later calls do not touch errno). */
static bool
out_check(struct out *o)
{
	if (!o->err && o->f && ferror(o->f))
		o->err = errno ? errno : EIO;
	return o->err == 0;
}

/* Writes what o buffers; true while o has not failed. */
static bool
out_flush(struct out *o)
{
	if (o->f && !o->err && fflush(o->f) != 0)
		o->err = errno ? errno : EIO;
	return out_check(o);
}

static const char *
out_name(const struct out *o)
{
	return o->path ? o->path : o->f == stderr ? "standard error"
						    : "standard output";
}

struct run {
	enum rulec_format format;
	bool color, quiet, dump_ast, dump_ir;
	unsigned io_errors;
	struct out so, se, ro, df;  /* stdout, stderr, -o FILE, --diagnostics */
	struct out *result;     /* what the command prints: &so or &ro */
	struct out *diag;       /* where the diagnostics go */
	const char *diag_path;  /* --diagnostics FILE */
	enum rulec_input input; /* --input-format */
	const char *output;     /* -o: compile's image, or the result file */
	const char *image;      /* run -r */
	const char **events;    /* run -e, in order */
	int nevents;
	rulec_replay_opts replay;
	bool stats;             /* run --stats */
	bool render_oom;        /* a result could not be rendered */
	rulec_replay *rp;       /* the replay under way (to stop it) */
	enum test_format tformat; /* test --format */
	const char *junit;      /* test --junit FILE */
	rulec_test_opts topts;
	int conv_to;            /* convert --to: a rulec_form; -1 none */
	unsigned conv_flags;    /* RULEC_CONVERT_DROP */
	unsigned conv_done, conv_refused, conv_files;
	bool conv_dir;          /* one file per rule in run->output */
	bool conv_many;         /* several rules: headers or files */
	char **conv_names;      /* files written in the folder, so that two
	                           rules of one id do not overwrite */
	size_t conv_nnames;
	struct cli_setup setup; /* configuration, -W, baseline */
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
			   "internal errors, or a path without rules.\n");
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

/* Diagnostics that make the exit status 2: a path that cannot be read,
 * is not a rule file, holds events, or yields no rule. */
static bool
is_trouble(const char *id)
{
	static const char *const ids[] = { "RC9001", "RC9005", "RC9021",
					   "RC9023" };
	size_t i;

	for (i = 0; i < sizeof ids / sizeof *ids; i++)
		if (strcmp(id, ids[i]) == 0)
			return true;
	return false;
}

static void
on_diag(void *ud, const rulec_diag *d)
{
	struct run *run = ud;
	struct out *o = run->diag;
	char *s = rulec_diag_render(d, run->format,
				    run->color && o == &run->se
					    ? RULEC_RENDER_COLOR : 0);

	if (is_trouble(rulec_diag_id(d)))
		run->io_errors++;
	if (!s) {
		fprintf(stderr, "rulec: out of memory rendering a "
				"diagnostic\n");
		return;
	}
	if (o->sarif) {
		if (fprintf(o->sarif, ",%s", s) < 0 && !o->err)
			o->err = errno ? errno : EIO;
	} else {
		fputs(s, o->f);
		out_check(o);
	}
	free(s);
}

/* Whether what the command prints can still be written: false once
 * stdout, the result file or the diagnostics' stream has failed. */
static bool
outputs_ok(struct run *run)
{
	return out_check(&run->so) & out_check(run->result) &
	       out_check(run->diag);
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
			fprintf(stderr, "rulec: no check named '%s'", argv[k]);
			cli_print_mean(cli_suggest_check(argv[k], false));
			fputc('\n', stderr);
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

static unsigned char *read_file(const char *path, size_t *len);
static bool open_file(struct out *o, const char *path);

/* `-` as a rule path: stdin read whole, named <stdin> in diagnostics, in
 * the format of --input-format. */
static int
load_stdin(rulec_ctx *ctx, const struct run *run)
{
	size_t len = 0;
	unsigned char *data = read_file("-", &len);
	int n;

	if (!data)
		return RULEC_ERR_IO;
	n = rulec_ctx_load_buffer_as(ctx, "<stdin>", run->input,
				     (const char *)data, len);
	free(data);
	return n;
}

/* The rule paths: `-` needs --input-format, at most once, and not
 * while the events come from stdin too. */
static bool
check_rule_paths(const struct run *run, int argc, char **argv)
{
	int k, dashes = 0;

	for (k = 0; k < argc; k++)
		dashes += strcmp(argv[k], "-") == 0;
	for (k = 0; k < run->nevents; k++)
		if (dashes && strcmp(run->events[k], "-") == 0) {
			fprintf(stderr, "rulec: stdin cannot hold both the "
					"rules (-) and the events (-e -)\n");
			return false;
		}
	if (dashes > 1) {
		fprintf(stderr, "rulec: - (stdin) can be named once\n");
		return false;
	}
	if (dashes && run->input == RULEC_INPUT_AUTO) {
		fprintf(stderr, "rulec: reading rules from - (stdin) needs "
				"--input-format eql, json, ndjson, toml or "
				"xml\n");
		return false;
	}
	return true;
}

static int
cmd_lint(rulec_ctx *ctx, struct run *run, int argc, char **argv)
{
	int k, rc;
	unsigned nrules = 0, errors, warnings, notes;

	if (argc == 0) {
		fprintf(stderr, "rulec: lint needs at least one PATH\n");
		usage(stderr, C_LINT_IDX);
		return EXIT_TROUBLE;
	}
	if (!check_rule_paths(run, argc, argv))
		return EXIT_TROUBLE;
	for (k = 0; k < argc; k++) {
		size_t before = rulec_ctx_rule_count(ctx);
		int n = strcmp(argv[k], "-") == 0
				? load_stdin(ctx, run)
				: rulec_ctx_load_path_as(ctx, argv[k],
							 run->input);

		if (n == RULEC_ERR_NOMEM) {
			fprintf(stderr, "rulec: out of memory\n");
			return EXIT_TROUBLE;
		}
		if (n == RULEC_ERR_IO && strcmp(argv[k], "-") == 0)
			run->io_errors++;   /* stdin unreadable (reported) */
		if (n > 0)
			nrules += (unsigned)n;
		print_dumps(ctx, before, run);
		if (!outputs_ok(run))
			return EXIT_TROUBLE;    /* reported by main */
	}
	rulec_ctx_finish(ctx);
	rc = cli_setup_after_lint(&run->setup, ctx);
	errors = rulec_ctx_diag_count(ctx, RULEC_SEVERITY_ERROR);
	warnings = rulec_ctx_diag_count(ctx, RULEC_SEVERITY_WARNING);
	notes = rulec_ctx_diag_count(ctx, RULEC_SEVERITY_NOTE);
	if (!run->quiet)
		fprintf(stderr, "rulec: %u rule%s checked: %u error%s, "
				"%u warning%s, %u note%s\n",
			nrules, nrules == 1 ? "" : "s", errors,
			errors == 1 ? "" : "s", warnings,
			warnings == 1 ? "" : "s", notes, notes == 1 ? "" : "s");
	if (!run->quiet)
		cli_setup_summary(&run->setup, ctx);
	if (run->io_errors || rc || run->setup.failed)
		return EXIT_TROUBLE;
	return errors ? EXIT_FINDINGS : 0;
}

/* Writes the image to path in place (a device or a pipe, which cannot
 * be renamed over); false with a message. */
static bool
write_in_place(const char *path, const unsigned char *img, size_t len)
{
	FILE *f = fopen(path, "wb");
	int e = 0;

	if (!f) {
		e = errno;
	} else {
		if (fwrite(img, 1, len, f) != len || fflush(f) != 0)
			e = errno ? errno : EIO;
		if (fclose(f) != 0 && !e)
			e = errno ? errno : EIO;
	}
	if (e)
		fprintf(stderr, "rulec: cannot write %s: %s\n", path,
			strerror(e));
	return e == 0;
}

/*
 * Writes the image to a temporary file beside path, then renames it over
 * path: a failed write (a full disk) never leaves a truncated image, and
 * an image already there stays whole.  The file gets the mode fopen
 * would give it.  A path that names something other than a regular file
 * (/dev/stdout, a FIFO) is written in place.  False with a message.
 */
static bool
write_image(const char *path, const unsigned char *img, size_t len)
{
	size_t n = strlen(path);
	char *tmp;
	const char *what = "cannot write";
	struct stat st;
	mode_t mask;
	FILE *f = NULL;
	int fd, e = 0;

	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode))
		return write_in_place(path, img, len);
	tmp = malloc(n + sizeof ".tmpXXXXXX");
	if (!tmp) {
		fprintf(stderr, "rulec: out of memory\n");
		return false;
	}
	memcpy(tmp, path, n);
	memcpy(tmp + n, ".tmpXXXXXX", sizeof ".tmpXXXXXX");
	fd = mkstemp(tmp);
	if (fd < 0) {
		fprintf(stderr, "rulec: cannot write %s: %s\n", path,
			strerror(errno));
		free(tmp);
		return false;
	}
	mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || !(f = fdopen(fd, "wb"))) {
		e = errno;
		close(fd);
	} else {
		if (fwrite(img, 1, len, f) != len || fflush(f) != 0)
			e = errno ? errno : EIO;
		if (fclose(f) != 0 && !e)
			e = errno ? errno : EIO;
	}
	if (!e && rename(tmp, path) != 0) {
		e = errno;
		what = "cannot rename the image to";
	}
	if (e) {
		unlink(tmp);
		fprintf(stderr, "rulec: %s %s: %s\n", what, path,
			strerror(e));
	}
	free(tmp);
	return e == 0;
}

/* compile: lint, and when no rule has an error, write the image. */
static int
cmd_compile(rulec_ctx *ctx, struct run *run, int argc, char **argv)
{
	unsigned char *img = NULL;
	size_t len = 0;
	char err[256] = "";
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
	if (!write_image(run->output, img, len)) {
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

/* Reads a whole file, or stdin for "-" (malloc'd); NULL with a message
 * on failure. */
static unsigned char *
read_file(const char *path, size_t *len)
{
	unsigned char *buf = NULL, *nb;
	size_t n = 0, cap = 0, got;
	bool in = strcmp(path, "-") == 0;
	FILE *f = in ? stdin : fopen(path, "rb");

	if (!f) {
		fprintf(stderr, "rulec: cannot read %s: %s\n", path,
			strerror(errno));
		return NULL;
	}
	do {
		if (cap - n < 65536) {
			nb = realloc(buf, cap = cap * 2 + 65536);
			if (!nb) {
				free(buf);
				if (!in)
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
		fprintf(stderr, "rulec: cannot read %s: %s\n",
			in ? "<stdin>" : path, strerror(errno));
		free(buf);
		if (!in)
			fclose(f);
		return NULL;
	}
	if (!in)
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
	char err[256] = "";
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

/* A result of `run`: one JSON line on stdout (or -o FILE). */
static void
on_match(void *ud, const rulec_match *m)
{
	struct run *run = ud;
	char *s = rulec_match_render(m, RULEC_FORMAT_JSON);

	if (!s) {
		run->render_oom = true;
		rulec_replay_stop(run->rp);
		return;
	}
	if (!run->result->err)
		fputs(s, run->result->f);
	free(s);
	if (!out_check(run->result))
		rulec_replay_stop(run->rp);     /* nowhere to put results */
}

/* The rule a run-time problem is about: its file and rule id or name. */
static void
print_rule(const rulec_replay_diag *d)
{
	const char *who = d->rule_id ? d->rule_id : d->rule_name;

	fprintf(stderr, "rule %lld", d->rule);
	if (who) {
		fputs(" '", stderr);
		out_visible(stderr, who);
		fputc('\'', stderr);
	}
	if (d->rule_file) {
		fputs(" of ", stderr);
		out_visible(stderr, d->rule_file);
	}
}

/* A problem of the events (a malformed or mistimed event, skipped; an
 * input that cannot be opened; late events) or of a rule at run time. */
static void
on_event_diag(void *ud, const rulec_replay_diag *d)
{
	struct run *run = ud;

	switch (d->problem) {
	case RULEC_EVENTS_UNREADABLE:
		fprintf(stderr, "rulec: cannot read %s: %s\n", d->file,
			d->message);
		return;
	case RULEC_EVENTS_LATE:
		fprintf(stderr, "%s:%llu: warning: %s (byte %llu); widen the "
			"window with --reorder-window MS or sort the input "
			"with --reorder-window all [RC9041 late-events]\n",
			d->file ? d->file : "-", d->line, d->message,
			d->offset);
		return;
	case RULEC_MAX_PARTIALS:
		/* at an event, or (the input read) at the end */
		if (d->file)
			fprintf(stderr, "%s:%llu: warning: ", d->file,
				d->line);
		else
			fputs("rulec: warning: ", stderr);
		print_rule(d);
		fprintf(stderr, ": %s", d->message);
		if (d->file)
			fprintf(stderr, " (byte %llu)", d->offset);
		fputs("; raise the cap with --max-partials N [RC9042 "
		      "max-partials]\n", stderr);
		return;
	case RULEC_RULE_SKIPPED:
		fprintf(stderr, "%s: error: ", d->file ? d->file :
			run->image ? run->image : "-");
		print_rule(d);
		fprintf(stderr, " cannot run and is left out: %s "
			"[RC9043 rule-not-runnable]\n", d->message);
		return;
	case RULEC_EVENTS_BAD_TIME:
		fprintf(stderr, "%s:%llu: error: %s (byte %llu) [RC9040 "
			"event-time-range]\n", d->file, d->line, d->message,
			d->offset);
		return;
	default:
		fprintf(stderr, "%s:%llu: error: %s (byte %llu)\n", d->file,
			d->line, d->message, d->offset);
		return;
	}
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
	fprintf(stderr, "rulec: %llu stages tried (%.1f per event)\n",
		st.tried, st.events ? (double)st.tried / (double)st.events
				    : 0.0);
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
 * malformed or an input could not be read (both reported through
 * on_event_diag), or a negative rulec_status with a message in err.
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
	run->rp = rp;
	rulec_replay_set_match_handler(rp, on_match, run);
	rulec_replay_set_diag_handler(rp, on_event_diag, run);
	for (k = 0; k < nin && status != RULEC_ERR_NOMEM && outputs_ok(run);
	     k++) {
		long bad = rulec_replay_feed(rp, in[k]);

		if (bad == RULEC_ERR_IO) {
			if (status == 0)
				status = 1;
		} else if (bad == RULEC_ERR_NOMEM) {
			status = RULEC_ERR_NOMEM;
		} else if (bad > 0 && status == 0) {
			status = 1;
		}
	}
	if (rulec_replay_finish(rp) != RULEC_OK || run->render_oom)
		status = RULEC_ERR_NOMEM;
	out_flush(run->result);
	if (run->stats)
		print_stats(rp);
	rulec_replay_free(rp);
	run->rp = NULL;
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
	char err[512] = "";
	int n, rc = 0, k, nin = 0;
	unsigned errs;

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
		errs = rulec_ctx_diag_count(ctx, RULEC_SEVERITY_ERROR);
		n = rulec_ctx_compile(ctx, &img, &len, err, sizeof err);
		/* a rule past a limit of the engine is reported and left
		 * out (RC9043): a rule error like the others */
		if (n >= 0 && rulec_ctx_diag_count(ctx, RULEC_SEVERITY_ERROR) >
			      errs && rc == 0)
			rc = EXIT_FINDINGS;
		if (n < 0) {
			fprintf(stderr, "rulec: cannot compile: %s\n", err);
			free(in);
			return EXIT_TROUBLE;
		}
		if (n == 0) {
			fprintf(stderr, "rulec: no rule to run: %s\n", rc ?
				"every rule has errors" : "the paths hold none");
			free(in);
			free(img);
			return rc ? rc : EXIT_TROUBLE;
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
		if (!err[0])
			snprintf(err, sizeof err, "the replay could not "
				 "start (no reason given)");
		if (strcmp(err, "out of memory") == 0)
			fprintf(stderr, "rulec: out of memory\n");
		else if (run->image)
			fprintf(stderr, "rulec: %s: refused: %s\n", run->image,
				err);
		else
			fprintf(stderr, "rulec: %s\n", err);
		return EXIT_TROUBLE;
	}
	if (n > 0)
		return EXIT_TROUBLE;    /* bad or unreadable events, reported */
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
	if (run->topts.convert && run->topts.update) {
		fprintf(stderr, "rulec: --convert-to and --update cannot be combined (the tests are rewritten from the original rules only)\n");
		return EXIT_TROUBLE;
	}
	memset(&sum, 0, sizeof sum);
	if (run->junit && !(jf = fopen(run->junit, "w"))) {
		fprintf(stderr, "rulec: cannot write %s: %s\n", run->junit,
			strerror(errno));
		return EXIT_TROUBLE;
	}
	t.main = test_report_new(run->tformat,
				 run->tformat == TF_SARIF ? run->result->sarif
							  : run->result->f,
				 run->tformat == TF_TEXT && run->color &&
				 run->result == &run->so && isatty(1));
	if (jf)
		t.junit = test_report_new(TF_JUNIT, jf, false);
	if (!t.main || (jf && !t.junit)) {
		fprintf(stderr, "rulec: out of memory\n");
		rc = EXIT_TROUBLE;
		goto done;
	}
	for (k = 0; k < argc; k++) {
		if (rulec_test_path(ctx, argv[k], &run->topts, on_test, &t,
				    &sum) == RULEC_ERR_NOMEM) {
			fprintf(stderr, "rulec: out of memory\n");
			rc = EXIT_TROUBLE;
			goto done;
		}
		if (!outputs_ok(run)) {
			rc = EXIT_TROUBLE;      /* reported by main */
			goto done;
		}
	}
	ok = test_report_end(t.main, &sum);
	if (t.junit)
		ok = test_report_end(t.junit, &sum) && ok;
	if (!ok) {
		/* a write error is reported by main, with its cause */
		if (outputs_ok(run) && !(jf && ferror(jf)))
			fprintf(stderr, "rulec: out of memory writing the "
					"test report\n");
		rc = EXIT_TROUBLE;
		goto done;
	}
	if (!run->quiet) {
		FILE *f = run->tformat == TF_TEXT ? run->result->f : stderr;
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
	if (jf) {
		struct out jo = { jf, run->junit, NULL, 0 };

		out_flush(&jo);
		if (fclose(jf) != 0 && !jo.err)
			jo.err = errno ? errno : EIO;
		if (jo.err) {
			fprintf(stderr, "rulec: cannot write %s: %s\n",
				run->junit, strerror(jo.err));
			rc = EXIT_TROUBLE;
		}
	}
	return rc;
}

/* --- convert ------------------------------------------------------------ */

static const char *const form_names[] = { "eql", "kibana", "toml", "xml" };

/* Writes one converted rule into run->output/NAME; false on a write
 * error (reported). */
/* *path (n bytes for OUT/NAME) becomes OUT/NAME, or OUT/STEM-K.EXT for
 * the first K from 2 that no file written before in this run has. */
static bool
unique_name(struct run *run, const char *name, char **path, size_t n)
{
	const char *dot = strrchr(name, '.');
	int stem = dot ? (int)(dot - name) : (int)strlen(name);
	char **names;
	size_t i;
	unsigned k;

	for (k = 1;; k++) {
		char *p = realloc(*path, n + 12);

		if (!p) {
			fprintf(stderr, "rulec: out of memory\n");
			return false;
		}
		*path = p;
		if (k == 1)
			snprintf(p, n + 12, "%s/%s", run->output, name);
		else
			snprintf(p, n + 12, "%s/%.*s-%u%s", run->output, stem,
				 name, k, dot ? dot : "");
		for (i = 0; i < run->conv_nnames; i++)
			if (strcmp(run->conv_names[i], p) == 0)
				break;
		if (i == run->conv_nnames)
			break;
	}
	names = realloc(run->conv_names, (run->conv_nnames + 1) *
			sizeof *names);
	if (!names || !(names[run->conv_nnames] = strdup(*path))) {
		if (names)
			run->conv_names = names;
		fprintf(stderr, "rulec: out of memory\n");
		return false;
	}
	run->conv_names = names;
	run->conv_nnames++;
	return true;
}

static bool
write_rule_file(struct run *run, const rulec_converted *c)
{
	size_t n = strlen(run->output) + strlen(c->file_name) + 2;
	char *path = malloc(n);
	FILE *f;
	bool ok;

	if (!path) {
		fprintf(stderr, "rulec: out of memory\n");
		return false;
	}
	if (!unique_name(run, c->file_name, &path, n))
		return false;
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "rulec: cannot write %s: %s\n", path,
			strerror(errno));
		free(path);
		return false;
	}
	ok = fwrite(c->text, 1, c->len, f) == c->len;
	ok = !ferror(f) && ok;
	if ((fclose(f) != 0) | !ok) {
		fprintf(stderr, "rulec: error writing %s: %s\n", path,
			strerror(errno));
		free(path);
		return false;
	}
	free(path);
	run->conv_files++;
	return true;
}

static void
on_converted(void *ud, const rulec_converted *c)
{
	struct run *run = ud;
	FILE *f = run->result->f;

	if (!c->text) {
		run->conv_refused++;
		return;
	}
	run->conv_done++;
	if (run->conv_dir) {
		if (!write_rule_file(run, c))
			run->io_errors++;
		return;
	}
	if (run->conv_many && run->conv_to == RULEC_FORM_EQL) {
		const char *name = rulec_rule_name(c->rule);
		const char *id = rulec_rule_id(c->rule);

		fprintf(f, "%s// rule: %s", run->conv_done > 1 ? "\n" : "",
			name ? name : rulec_rule_file(c->rule));
		if (id)
			fprintf(f, " (%s)", id);
		fputc('\n', f);
	}
	fwrite(c->text, 1, c->len, f);
}

/* Whether path names a folder, creating it when `create`. */
static bool
is_folder(const char *path, bool create)
{
	struct stat st;

	if (stat(path, &st) == 0)
		return S_ISDIR(st.st_mode);
	return create && mkdir(path, 0777) == 0;
}

static int
cmd_convert(rulec_ctx *ctx, struct run *run, int argc, char **argv)
{
	int k, n;
	unsigned errors;

	if (run->conv_to < 0) {
		fprintf(stderr, "rulec: convert needs --to eql, kibana, toml "
				"or xml\n");
		usage(stderr, C_CONVERT_IDX);
		return EXIT_TROUBLE;
	}
	if (argc == 0) {
		fprintf(stderr, "rulec: convert needs at least one PATH\n");
		usage(stderr, C_CONVERT_IDX);
		return EXIT_TROUBLE;
	}
	if (!check_rule_paths(run, argc, argv))
		return EXIT_TROUBLE;
	rulec_ctx_set_checks(ctx, 0);
	for (k = 0; k < argc; k++) {
		n = strcmp(argv[k], "-") == 0
			? load_stdin(ctx, run)
			: rulec_ctx_load_path_as(ctx, argv[k], run->input);
		if (n == RULEC_ERR_NOMEM) {
			fprintf(stderr, "rulec: out of memory\n");
			return EXIT_TROUBLE;
		}
		if (n == RULEC_ERR_IO && strcmp(argv[k], "-") == 0)
			run->io_errors++;
	}
	run->conv_many = rulec_ctx_rule_count(ctx) > 1;
	if (run->output && (run->conv_to == RULEC_FORM_TOML ||
			    run->conv_to == RULEC_FORM_XML)) {
		run->conv_dir = run->conv_many || is_folder(run->output, false);
		if (run->conv_dir && !is_folder(run->output, true)) {
			fprintf(stderr, "rulec: cannot make the folder %s: "
					"%s\n", run->output, strerror(errno));
			return EXIT_TROUBLE;
		}
		if (!run->conv_dir && !open_file(&run->ro, run->output))
			return EXIT_TROUBLE;
		if (!run->conv_dir)
			run->result = &run->ro;
	}
	n = rulec_ctx_convert(ctx, (enum rulec_form)run->conv_to,
			      run->conv_flags, on_converted, run);
	for (k = 0; k < (int)run->conv_nnames; k++)
		free(run->conv_names[k]);
	free(run->conv_names);
	run->conv_names = NULL;
	if (n == RULEC_ERR_NOMEM) {
		fprintf(stderr, "rulec: out of memory\n");
		return EXIT_TROUBLE;
	}
	errors = rulec_ctx_diag_count(ctx, RULEC_SEVERITY_ERROR);
	if (!run->quiet) {
		unsigned w = rulec_ctx_diag_count(ctx, RULEC_SEVERITY_WARNING);

		fprintf(stderr, "rulec: %u rule%s converted to %s, %u not "
				"converted; %u warning%s\n", run->conv_done,
			run->conv_done == 1 ? "" : "s",
			form_names[run->conv_to], run->conv_refused, w,
			w == 1 ? "" : "s");
		if (run->conv_dir)
			fprintf(stderr, "rulec: %u file%s written in %s\n",
				run->conv_files,
				run->conv_files == 1 ? "" : "s", run->output);
	}
	if (run->io_errors || run->setup.failed)
		return EXIT_TROUBLE;
	return errors || run->conv_refused ? EXIT_FINDINGS : 0;
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

/* A positive size in bytes with an optional K, M or G suffix (binary
 * multiples); false (with a message) otherwise. */
static bool
size_arg(const char *opt, const char *s, long long *out)
{
	char *end;
	long long v, mul = 1;

	errno = 0;
	v = strtoll(s, &end, 10);
	if (*end && !end[1]) {
		mul = *end == 'K' || *end == 'k' ? 1LL << 10
		    : *end == 'M' || *end == 'm' ? 1LL << 20
		    : *end == 'G' || *end == 'g' ? 1LL << 30 : 0;
		if (mul)
			end++;
	}
	if (errno || *end || end == s || v <= 0 || !mul ||
	    v > LLONG_MAX / mul) {
		fprintf(stderr, "rulec: --%s takes a positive number of bytes "
				"(K, M and G suffixes allowed), not '%s'\n", opt,
			s);
		return false;
	}
	*out = v * mul;
	return true;
}

/* An unknown command: with a close one, one line that names it;
 * otherwise the message and the list of commands. */
static int
unknown_command(const char *word)
{
	const char *names[C__COUNT];
	const char *best;
	int i;

	for (i = 0; i < C__COUNT; i++)
		names[i] = cli_cmds[i].name;
	best = rulec_suggest(word, names, C__COUNT);
	fprintf(stderr, "rulec: unknown command '%s'", word);
	if (best) {
		fprintf(stderr, "; did you mean '%s'? (see 'rulec --help')\n",
			best);
	} else {
		fprintf(stderr, "\n\n");
		usage(stderr, -1);
	}
	return EXIT_TROUBLE;
}

/* An unknown or ambiguous long option, `text` as written (--NAME or
 * --NAME=VALUE), with the closest option of the command. */
static void
bad_long_option(int cmd, const char *text)
{
	const char *names[O__COUNT];
	const char *best;
	size_t n = 0, len;
	int i;

	text = text && strncmp(text, "--", 2) == 0 ? text + 2 : "";
	len = strcspn(text, "=");
	for (i = 0; i < O__COUNT; i++)
		if ((cli_opts[i].cmds & (1u << cmd)) && len &&
		    strncmp(cli_opts[i].lng, text, len) == 0)
			names[n++] = cli_opts[i].lng;
	if (n > 1) {
		fprintf(stderr, "rulec: option '--%.*s' is ambiguous:",
			(int)len, text);
		for (i = 0; i < (int)n; i++)
			fprintf(stderr, "%s --%s", i ? "," : "", names[i]);
		fputc('\n', stderr);
		return;
	}
	for (i = 0, n = 0; i < O__COUNT; i++)
		if (cli_opts[i].cmds & (1u << cmd))
			names[n++] = cli_opts[i].lng;
	fprintf(stderr, "rulec: unknown option '--%.*s' for 'rulec %s'",
		(int)len, text, cli_cmds[cmd].name);
	/* the suggester wants a string: the name without its value */
	{
		char word[64];

		snprintf(word, sizeof word, "%.*s", (int)len, text);
		best = rulec_suggest(word, names, n);
	}
	if (best)
		fprintf(stderr, "; did you mean '--%s'?", best);
	fprintf(stderr, " (see 'rulec %s --help')\n", cli_cmds[cmd].name);
}

/* What getopt_long refused (it prints nothing: opterr is 0), in rulec's
 * words, on one line: c is '?' or ':' (a missing argument), optopt the
 * short option or the long option's value (0: an unknown long option),
 * `text` the word on the command line. */
static void
bad_option(int cmd, int c, const char *text)
{
	if (optopt >= 256 && optopt - 256 < O__COUNT) {
		const struct cli_opt_info *o = &cli_opts[optopt - 256];
		if (c == ':')
			fprintf(stderr, "rulec: --%s needs %s", o->lng,
				o->arg);
		else
			fprintf(stderr, "rulec: --%s takes no argument",
				o->lng);
	} else if (optopt > 0) {
		const char *arg = "an argument";
		int i;

		for (i = 0; i < O__COUNT; i++)
			if (cli_opts[i].shrt == optopt && cli_opts[i].arg &&
			    (cli_opts[i].cmds & (1u << cmd)))
				arg = cli_opts[i].arg;
		if (c == ':')
			fprintf(stderr, "rulec: -%c needs %s", optopt, arg);
		else
			fprintf(stderr, "rulec: unknown option -%c for "
				"'rulec %s'", optopt, cli_cmds[cmd].name);
	} else {
		bad_long_option(cmd, text);
		return;
	}
	fprintf(stderr, " (see 'rulec %s --help')\n", cli_cmds[cmd].name);
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

/* --input-format NAME */
static bool
input_format(const char *name, enum rulec_input *in)
{
	static const char *const names[] = { "eql", "json", "ndjson", "toml",
					     "xml" };
	static const enum rulec_input fmts[] = {
		RULEC_INPUT_EQL, RULEC_INPUT_JSON, RULEC_INPUT_NDJSON,
		RULEC_INPUT_TOML, RULEC_INPUT_XML
	};
	size_t i;

	for (i = 0; i < sizeof names / sizeof *names; i++)
		if (strcmp(name, names[i]) == 0) {
			*in = fmts[i];
			return true;
		}
	fprintf(stderr, "rulec: --input-format is eql, json, ndjson, toml or "
			"xml, not '%s'\n", name);
	return false;
}

/* Opens a file named by -o or --diagnostics. */
static bool
open_file(struct out *o, const char *path)
{
	o->path = path;
	o->f = fopen(path, "w");
	if (!o->f) {
		fprintf(stderr, "rulec: cannot write %s: %s\n", path,
			strerror(errno));
		return false;
	}
	return true;
}

/*
 * Decides where the result and the diagnostics go (docs/linter.md,
 * "Output formats"):
 *   - the result: -o FILE, else stdout (compile's -o is its image);
 *   - the diagnostics: --diagnostics FILE; for lint the result stream
 *     when they are JSON or SARIF or -o names a file; text on stderr;
 *     `test -f sarif` puts them in its report's log; JSON or SARIF on
 *     stdout when it carries nothing else (compile, or a result sent to
 *     -o); then JSON on stderr, while a SARIF log, which must stay whole,
 *     needs a file.
 * Opens the files and the SARIF collections; false with a message.
 */
static bool
open_outputs(struct run *run, int cmd)
{
	bool machine = run->format != RULEC_FORMAT_TEXT;
	/* compile's -o is its image; convert's a folder or decided later */
	bool to_file = run->output && cmd != C_COMPILE_IDX &&
		       !(cmd == C_CONVERT_IDX &&
			 (run->conv_to == RULEC_FORM_TOML ||
			  run->conv_to == RULEC_FORM_XML));

	if (cmd == C_LINT_IDX && run->output && run->diag_path) {
		fprintf(stderr, "rulec: lint writes its diagnostics to -o FILE "
				"or --diagnostics FILE: give one\n");
		return false;
	}
	if (to_file && !open_file(&run->ro, run->output))
		return false;
	run->result = to_file ? &run->ro : &run->so;
	if (run->diag_path) {
		if (!open_file(&run->df, run->diag_path))
			return false;
		run->diag = &run->df;
	} else if (cmd == C_LINT_IDX) {
		run->diag = machine || to_file ? run->result : &run->se;
	} else if (cmd == C_TEST_IDX && run->format == RULEC_FORMAT_SARIF) {
		run->diag = run->result;
	} else if (!machine) {
		run->diag = &run->se;
	} else if (cmd == C_COMPILE_IDX || to_file) {
		run->diag = &run->so;
	} else if (run->format == RULEC_FORMAT_JSON) {
		run->diag = &run->se;
	} else {
		fprintf(stderr, "rulec: %s --format sarif: stdout carries the "
				"%s; write the log to --diagnostics FILE (or "
				"the %s to -o FILE)\n", cli_cmds[cmd].name,
			cmd == C_RUN_IDX ? "results" : "output",
			cmd == C_RUN_IDX ? "results" : "output");
		return false;
	}
	if ((run->format == RULEC_FORMAT_SARIF &&
	     !(run->diag->sarif = tmpfile())) ||
	    (cmd == C_TEST_IDX && run->tformat == TF_SARIF &&
	     !run->result->sarif && !(run->result->sarif = tmpfile()))) {
		fprintf(stderr, "rulec: cannot create a temporary file: %s\n",
			strerror(errno));
		return false;
	}
	return true;
}

/* Writes the SARIF log of o (head, the results kept, tail) to o->f;
 * false (with a message) when out of memory or the results kept cannot
 * be read back; a failed write is left in o->err. */
static bool
write_sarif(struct out *o)
{
	char *head = rulec_sarif_head();
	char buf[8192];
	size_t n;
	bool ok = head != NULL;

	if (!head)
		fprintf(stderr, "rulec: out of memory\n");
	else
		fputs(head, o->f);
	free(head);
	if (fflush(o->sarif) != 0 && !o->err)
		o->err = errno ? errno : EIO;
	rewind(o->sarif);
	/* the results were each written after a comma: drop the first */
	if (ok && fgetc(o->sarif) != ',')
		rewind(o->sarif);
	while (ok && out_check(o) &&
	       (n = fread(buf, 1, sizeof buf, o->sarif)) > 0)
		fwrite(buf, 1, n, o->f);
	if (ok)
		fputs(rulec_sarif_tail(), o->f);
	out_check(o);
	if (ok && ferror(o->sarif)) {
		fprintf(stderr, "rulec: cannot read back the SARIF results: "
				"%s\n", strerror(errno));
		ok = false;
	}
	fclose(o->sarif);
	o->sarif = NULL;
	return ok;
}

/*
 * Ends the outputs: SARIF logs written, everything flushed, files
 * closed.  Returns the exit status: rc, EXIT_TROUBLE after one message
 * per output that could not be written (with its cause), or EXIT_PIPE,
 * quietly, when the reader of an output went away.
 */
static int
close_outputs(struct run *run, int rc)
{
	struct out *outs[] = { &run->so, &run->ro, &run->df, &run->se };
	bool pipe = false;
	size_t i;

	for (i = 0; i < sizeof outs / sizeof *outs; i++) {
		struct out *o = outs[i];

		if (o->sarif && !write_sarif(o))
			rc = EXIT_TROUBLE;
		if (!o->f)
			continue;
		out_flush(o);
		if (o->path) {
			if (fclose(o->f) != 0 && !o->err)
				o->err = errno ? errno : EIO;
			o->f = NULL;
		}
		if (o->err == EPIPE) {
			pipe = true;
		} else if (o->err) {
			fprintf(stderr, "rulec: cannot write %s: %s\n",
				out_name(o), strerror(o->err));
			rc = EXIT_TROUBLE;
		}
	}
	return pipe ? EXIT_PIPE : rc;
}

int
main(int argc, char **argv)
{
	struct option longopts[O__COUNT + 1];
	char shortopts[2 * O__COUNT + 2] = ":";  /* ':' for a missing argument */
	struct run run = { .format = RULEC_FORMAT_TEXT, .conv_to = -1 };
	const char *color = "auto";
	rulec_ctx *ctx;
	int cmd = -1, i, c, rc, ns = 1;

	run.so.f = stdout;
	run.se.f = stderr;
	run.result = &run.so;
	run.diag = &run.se;

	if (argc < 2) {
		usage(stderr, -1);
		return EXIT_TROUBLE;
	}
	if (strcmp(argv[1], "--version") == 0 || strcmp(argv[1], "-V") == 0) {
		printf("rulec %s\n", rulec_version());
		return close_outputs(&run, 0);
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout, -1);
		return close_outputs(&run, 0);
	}
	for (i = 0; i < C__COUNT; i++)
		if (strcmp(argv[1], cli_cmds[i].name) == 0)
			cmd = i;
	if (cmd < 0)
		return unknown_command(argv[1]);
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
	opterr = 0;     /* bad_option says what is wrong, as rulec */

	ctx = rulec_ctx_new();
	if (!ctx) {
		fprintf(stderr, "rulec: out of memory\n");
		return EXIT_TROUBLE;
	}
	rulec_ctx_set_diag_handler(ctx, on_diag, &run);
	rulec_replay_opts_init(&run.replay);
	run.replay.threads = 0;         /* --threads: one per core */
	run.events = calloc((size_t)argc + 1, sizeof *run.events);
	if (!run.events || !cli_setup_init(&run.setup, argc)) {
		fprintf(stderr, "rulec: out of memory\n");
		rulec_ctx_free(ctx);
		free(run.events);
		cli_setup_free(&run.setup);
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
		if (cli_setup_option(&run.setup, opt, optarg))
			continue;       /* applied after the configuration */
		switch (opt) {
		case O_HELP:
			usage(stdout, cmd);
			rulec_ctx_free(ctx);
			free(run.events);
			cli_setup_free(&run.setup);
			return close_outputs(&run, 0);
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
		case O_OUTPUT:
		case O_RESULT:
			run.output = optarg;
			break;
		case O_NO_EXC:
			rulec_ctx_set_exceptions(ctx, 0);
			break;
		case O_DIAGS:
			run.diag_path = optarg;
			break;
		case O_INPUT_FMT:
			if (!input_format(optarg, &run.input))
				rc = EXIT_TROUBLE;
			break;
		case O_VERBOSE:
			rulec_ctx_set_severity(ctx, "skipped-files",
					       RULEC_SEVERITY_NOTE);
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
		case O_MAX_EVENT:
			if (!size_arg("max-event-size", optarg,
				      &run.replay.max_event_size))
				rc = EXIT_TROUBLE;
			break;
		case O_MAX_PARTIALS:
			if (strcmp(optarg, "none") == 0)
				run.replay.max_partials = -1;
			else if (!int_arg("max-partials", optarg,
					  &run.replay.max_partials) ||
				 run.replay.max_partials == 0) {
				if (run.replay.max_partials == 0)
					fprintf(stderr, "rulec: --max-partials "
						"takes a positive integer or "
						"none\n");
				rc = EXIT_TROUBLE;
			}
			break;
		case O_THREADS: {
			long long n = 1;

			if (!int_arg("threads", optarg, &n) || n < 1 ||
			    n > 64) {
				if (n < 1 || n > 64)
					fprintf(stderr, "rulec: --threads "
						"takes 1 to 64\n");
				rc = EXIT_TROUBLE;
			} else {
				run.replay.threads = (int)n;
			}
			break;
		}
		case O_STATS:
			run.stats = true;
			break;
		case O_TFORMAT:
			if (!test_format_parse(optarg, &run.tformat)) {
				fprintf(stderr, "rulec: --format is text, tap, "
						"junit, json or sarif, not "
						"'%s'\n", optarg);
				rc = EXIT_TROUBLE;
			}
			/* the diagnostics follow the report's format */
			run.format = run.tformat == TF_JSON ? RULEC_FORMAT_JSON
				   : run.tformat == TF_SARIF ? RULEC_FORMAT_SARIF
							     : RULEC_FORMAT_TEXT;
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
		case O_CONVERT_TO:
			for (i = 0; i < 4; i++)
				if (strcmp(optarg, form_names[i]) == 0)
					break;
			if (i == 4) {
				fprintf(stderr, "rulec: --convert-to is eql, kibana, "
						"toml or xml, not '%s'\n",
					optarg);
				rc = EXIT_TROUBLE;
			} else {
				run.topts.convert = 1;
				run.topts.convert_to = (enum rulec_form)i;
			}
			break;
		case O_TO:
			for (i = 0; i < 4; i++)
				if (strcmp(optarg, form_names[i]) == 0)
					run.conv_to = i;
			if (run.conv_to < 0) {
				fprintf(stderr, "rulec: --to is eql, kibana, "
						"toml or xml, not '%s'\n",
					optarg);
				rc = EXIT_TROUBLE;
			}
			break;
		case O_DROP:
			run.conv_flags |= RULEC_CONVERT_DROP;
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
			bad_option(cmd, c, argv[optind - 1]);
			rc = EXIT_TROUBLE;
			break;
		}
		if (rc)
			break;
	}
	if (rc == 0 && !open_outputs(&run, cmd))
		rc = EXIT_TROUBLE;
	if (rc == 0)
		rc = cli_setup_apply(&run.setup, ctx, cmd, &run.replay);
	if (rc == 0) {
		run.color = want_color(color) && run.format == RULEC_FORMAT_TEXT;
		switch (cmd) {
		case C_LINT_IDX:
			rc = cmd_lint(ctx, &run, argc - optind, argv + optind);
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
		case C_CONVERT_IDX:
			rc = cmd_convert(ctx, &run, argc - optind, argv + optind);
			break;
		default:        /* every command has its case */
			rc = EXIT_TROUBLE;
			break;
		}
	}
	if (run.setup.failed && rc < EXIT_TROUBLE)
		rc = EXIT_TROUBLE;      /* the configuration or baseline */
	rc = close_outputs(&run, rc);
	rulec_ctx_free(ctx);
	free(run.events);
	cli_setup_free(&run.setup);
	return rc;
}
