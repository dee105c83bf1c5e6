/*
 * setup.c - the configuration file, the -W options and the baseline on the
 * command line (see setup.h; docs/configuration.md).
 */
#include "cli/setup.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { EXIT_TROUBLE = 2 };

static const char config_name[] = ".rulec.toml";

bool
cli_setup_init(struct cli_setup *cs, int argc)
{
	memset(cs, 0, sizeof *cs);
	cs->deferred = calloc((size_t)argc + 1, sizeof *cs->deferred);
	return cs->deferred != NULL;
}

void
cli_setup_free(struct cli_setup *cs)
{
	free(cs->deferred);
	cs->deferred = NULL;
}

bool
cli_setup_option(struct cli_setup *cs, int opt, const char *arg)
{
	if (opt < 0 || opt >= O__COUNT)
		return false;
	cs->given[opt] = true;
	switch (opt) {
	case O_CONFIG:
		cs->config = arg;
		cs->no_config = false;
		return true;
	case O_NO_CONFIG:
		cs->no_config = true;
		cs->config = NULL;
		return true;
	case O_BASELINE:
		cs->baseline = arg;
		return true;
	case O_WRITE_BASELINE:
		cs->write_baseline = arg;
		return true;
	case O_WARN:
	case O_SCHEMA:
	case O_ESET_CAT:
		cs->deferred[cs->ndeferred].opt = opt;
		cs->deferred[cs->ndeferred++].arg = arg;
		return true;
	default:
		return false;
	}
}

/* The check name, family or -W group closest to `name` (for "did you
 * mean"), or NULL.  groups adds the words only -W knows. */
const char *
cli_suggest_check(const char *name, bool groups)
{
	static const char *const words[] = { "all", "extra", "error" };
	size_t n = rulec_check_count(), k = 0, i;
	const char **c = malloc((2 * n + 3) * sizeof *c);
	const char *best;

	if (!c)
		return NULL;
	for (i = 0; i < n; i++)
		c[k++] = rulec_check_field(i, "name");
	if (groups) {
		for (i = 0; i < n; i++)
			c[k++] = rulec_check_field(i, "family");
		for (i = 0; i < 3; i++)
			c[k++] = words[i];
	}
	best = rulec_suggest(name, c, k);
	free(c);
	return best;
}

/* Ends a message about an unknown word with "; did you mean 'x'?" when
 * there is a close word x; prints nothing otherwise. */
void
cli_print_mean(const char *best)
{
	if (best)
		fprintf(stderr, "; did you mean '%s'?", best);
}

/* Whether check i is in -W group `name`: its family, "all" (every check
 * that is not an error by default) or "extra" (the checks off by
 * default). */
static bool
in_group(size_t i, const char *name)
{
	const char *sev = rulec_check_field(i, "severity");

	if (strcmp(name, "all") == 0)
		return strcmp(sev, "error") != 0;
	if (strcmp(name, "extra") == 0)
		return strcmp(sev, "off") == 0;
	return strcmp(rulec_check_field(i, "family"), name) == 0;
}

/* Check i back at its default severity, a check off by default at
 * warning (what -Wall and -Wextra do to each of theirs). */
static void
enable_default(rulec_ctx *ctx, size_t i)
{
	static const char *const sev[] = { "off", "note", "warning", "error" };
	const char *d = rulec_check_field(i, "severity");
	int k;

	for (k = 3; k > 0 && strcmp(d, sev[k]) != 0; k--)
		;
	rulec_ctx_set_severity(ctx, rulec_check_field(i, "name"),
			       k ? (enum rulec_severity)k
				 : RULEC_SEVERITY_WARNING);
}

/* The checks a name stands for: one check (id or name), every check of
 * a family, or of the group "all" or "extra" (in_group); calls fn on each
 * (`group`: the name was all or extra) and returns how many. */
static size_t
each_check(const char *name, void (*fn)(rulec_ctx *, size_t, int, bool),
	   rulec_ctx *ctx, int arg)
{
	size_t i = rulec_check_find(name), n = 0;
	bool group = !strcmp(name, "all") || !strcmp(name, "extra");

	if (i != (size_t)-1) {
		fn(ctx, i, arg, false);
		return 1;
	}
	for (i = 0; i < rulec_check_count(); i++)
		if (in_group(i, name)) {
			fn(ctx, i, arg, group);
			n++;
		}
	return n;
}

/* -W NAME: on, keeping an error an error and raising notes and disabled
 * checks to warnings; -Wno-NAME: off. */
static void
set_on(rulec_ctx *ctx, size_t i, int on, bool group)
{
	const char *name = rulec_check_field(i, "name");

	if (on && group)
		enable_default(ctx, i);
	else if (!on)
		rulec_ctx_set_severity(ctx, name, RULEC_SEVERITY_OFF);
	else
		rulec_ctx_set_severity(ctx, name,
				       strcmp(rulec_check_field(i, "severity"),
					      "error") == 0
					       ? RULEC_SEVERITY_ERROR
					       : RULEC_SEVERITY_WARNING);
}

/* -Werror=NAME: on (as -W NAME) and its warnings errors; -Wno-error=NAME:
 * its warnings stay warnings under -Werror. */
static void
set_werror(rulec_ctx *ctx, size_t i, int on, bool group)
{
	if (on)
		set_on(ctx, i, 1, group);
	rulec_ctx_set_check_werror(ctx, rulec_check_field(i, "name"), on);
}

/* -W NAME, -Wno-NAME, -Werror, -Wno-error, -Werror=NAME,
 * -Wno-error=NAME */
static bool
apply_warning(rulec_ctx *ctx, const char *arg)
{
	bool off = strncmp(arg, "no-", 3) == 0;
	const char *name = off ? arg + 3 : arg;
	size_t n;

	if (strcmp(name, "error") == 0) {
		rulec_ctx_set_werror(ctx, !off);
		return true;
	}
	if (strncmp(name, "error=", 6) == 0)
		n = each_check(name + 6, set_werror, ctx, !off);
	else
		n = each_check(name, set_on, ctx, !off);
	if (n)
		return true;
	if (strncmp(name, "error=", 6) == 0)
		name += 6;
	fprintf(stderr, "rulec: unknown check '%s'", name);
	cli_print_mean(cli_suggest_check(name, true));
	fprintf(stderr, " (see 'rulec explain')\n");
	return false;
}

static bool
apply_eset_catalog(rulec_ctx *ctx, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char kind[32];
	int r;

	if (!eq || (size_t)(eq - arg) >= sizeof kind) {
		fprintf(stderr, "rulec: --eset-catalog takes KIND=FILE\n");
		return false;
	}
	memcpy(kind, arg, (size_t)(eq - arg));
	kind[eq - arg] = '\0';
	r = rulec_ctx_add_eset_catalog(ctx, kind, eq + 1);
	if (r == RULEC_ERR_ARG)
		fprintf(stderr, "rulec: unknown catalogue kind '%s' "
				"(components, operations, ecs or actions)\n",
			kind);
	else if (r != RULEC_OK)
		fprintf(stderr, "rulec: cannot read catalogue file '%s'\n",
			eq + 1);
	return r == RULEC_OK;
}

/* .rulec.toml in the current folder or the nearest folder above it, as a
 * path relative to the current folder (malloc'd); the search stops at
 * the top of a git working tree (a folder holding .git) and at the root.
 * NULL when there is none. */
static char *
find_config(void)
{
	char *dir = getcwd(NULL, 0), *path = NULL;
	size_t up = 0;
	struct stat st;

	while (dir) {
		size_t n = strlen(dir), i;
		char *slash;
		char *cand = malloc(n + sizeof config_name + 8);

		if (!cand)
			break;
		snprintf(cand, n + sizeof config_name + 8, "%s/%s",
			 strcmp(dir, "/") ? dir : "", config_name);
		if (stat(cand, &st) == 0 && S_ISREG(st.st_mode)) {
			free(cand);
			path = malloc(up * 3 + sizeof config_name);
			if (path) {
				path[0] = '\0';
				for (i = 0; i < up; i++)
					strcat(path, "../");
				strcat(path, config_name);
			}
			break;
		}
		snprintf(cand, n + sizeof config_name + 8, "%s/.git",
			 strcmp(dir, "/") ? dir : "");
		if (stat(cand, &st) == 0 || strcmp(dir, "/") == 0) {
			free(cand);
			break;
		}
		free(cand);
		slash = strrchr(dir, '/');
		if (!slash)
			break;
		if (slash == dir)
			slash[1] = '\0';
		else
			*slash = '\0';
		up++;
	}
	free(dir);
	return path;
}

int
cli_setup_apply(struct cli_setup *cs, rulec_ctx *ctx, int cmd,
		rulec_replay_opts *replay)
{
	rulec_replay_opts cfg;
	char *found = NULL;
	int k, r;

	if (cmd != C_LINT_IDX && cmd != C_COMPILE_IDX && cmd != C_RUN_IDX &&
	    cmd != C_TEST_IDX)
		return 0;
	if (!cs->no_config && !cs->config)
		found = find_config();
	if (cs->config || found) {
		r = rulec_ctx_load_config(ctx, cs->config ? cs->config : found);
		if (r == RULEC_ERR_NOMEM) {
			fprintf(stderr, "rulec: out of memory\n");
			free(found);
			return EXIT_TROUBLE;
		}
		cs->failed |= r != RULEC_OK;
	}
	free(found);
	for (k = 0; k < cs->ndeferred; k++) {
		const char *arg = cs->deferred[k].arg;
		bool ok = true;

		switch (cs->deferred[k].opt) {
		case O_WARN:
			ok = apply_warning(ctx, arg);
			break;
		case O_SCHEMA:
			if (rulec_ctx_add_schema_file(ctx, arg) != RULEC_OK) {
				fprintf(stderr, "rulec: cannot read schema "
						"file '%s'\n", arg);
				ok = false;
			}
			break;
		default:
			ok = apply_eset_catalog(ctx, arg);
			break;
		}
		if (!ok)
			return EXIT_TROUBLE;
	}
	/* the configuration's run defaults, under the command line's */
	rulec_replay_opts_init(&cfg);
	rulec_ctx_config_replay_opts(ctx, &cfg);
	if (!cs->given[O_ID_FIELD])
		replay->id_field = cfg.id_field;
	if (!cs->given[O_CAT_FIELD])
		replay->category_field = cfg.category_field;
	if (!cs->given[O_TS_FIELD])
		replay->timestamp_field = cfg.timestamp_field;
	if (!cs->given[O_TB_FIELD])
		replay->tiebreaker_field = cfg.tiebreaker_field;
	if (!cs->given[O_SIZE])
		replay->size = cfg.size;
	if (!cs->given[O_MAX_SAMPLES])
		replay->max_samples_per_key = cfg.max_samples_per_key;
	if (!cs->given[O_REORDER])
		replay->reorder_ms = cfg.reorder_ms;
	if (!cs->given[O_MAX_EVENT])
		replay->max_event_size = cfg.max_event_size;
	if (cs->baseline) {
		r = rulec_ctx_load_baseline(ctx, cs->baseline);
		if (r == RULEC_ERR_NOMEM) {
			fprintf(stderr, "rulec: out of memory\n");
			return EXIT_TROUBLE;
		}
		cs->failed |= r != RULEC_OK;
	}
	if (cs->write_baseline) {
		r = rulec_ctx_record_baseline(ctx, cs->write_baseline);
		if (r != RULEC_OK) {
			if (r == RULEC_ERR_NOMEM)
				fprintf(stderr, "rulec: out of memory\n");
			return EXIT_TROUBLE;
		}
	}
	return 0;
}

int
cli_setup_after_lint(struct cli_setup *cs, rulec_ctx *ctx)
{
	char *text;
	FILE *f;
	int rc = 0;

	rulec_ctx_report_unused(ctx);
	if (!cs->write_baseline)
		return 0;
	text = rulec_ctx_baseline_render(ctx);
	if (!text) {
		fprintf(stderr, "rulec: out of memory\n");
		return EXIT_TROUBLE;
	}
	f = fopen(cs->write_baseline, "w");
	if (!f || fputs(text, f) == EOF) {
		fprintf(stderr, "rulec: cannot write %s: %s\n",
			cs->write_baseline, strerror(errno));
		rc = EXIT_TROUBLE;
	}
	if (f && fclose(f) != 0 && rc == 0) {
		fprintf(stderr, "rulec: cannot write %s: %s\n",
			cs->write_baseline, strerror(errno));
		rc = EXIT_TROUBLE;
	}
	free(text);
	return rc;
}

void
cli_setup_summary(const struct cli_setup *cs, const rulec_ctx *ctx)
{
	unsigned n;

	if (cs->baseline) {
		n = rulec_ctx_baseline_count(ctx, 0);
		fprintf(stderr, "rulec: %u known finding%s not reported "
				"(baseline %s)\n", n, n == 1 ? "" : "s",
			cs->baseline);
	}
	if (cs->write_baseline) {
		n = rulec_ctx_baseline_count(ctx, 1);
		fprintf(stderr, "rulec: %u finding%s written to the baseline "
				"%s\n", n, n == 1 ? "" : "s",
			cs->write_baseline);
	}
}
