/*
 * testfind.c - which test files `rulec test` runs: a folder's NAME.test.toml
 * files in sorted order, a test file, or the test file of a rule file; and
 * the rule files that have none (--require-tests).
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "rulec.h"

#include "base/vec.h"
#include "driver/ctx.h"
#include "driver/load.h"
#include "driver/test.h"

static bool
ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef VEC(char *) pathvec;

/* Collects the files under path (sorted, recursively, folders expanded in
 * place) into *files; -1 when path cannot be opened or memory ran out. */
static int
collect(const char *path, pathvec *files)
{
	DIR *d = opendir(path);
	struct dirent *e;
	size_t first = files->n, i;
	int rc = 0;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		struct stat st;
		char *p;
		if (e->d_name[0] == '.')
			continue;
		p = malloc(strlen(path) + strlen(e->d_name) + 2);
		if (!p) {
			rc = -1;
			break;
		}
		sprintf(p, "%s%s%s", path, ends_with(path, "/") ? "" : "/",
			e->d_name);
		if (stat(p, &st) != 0 || (!S_ISDIR(st.st_mode) &&
					   !S_ISREG(st.st_mode))) {
			free(p);
			continue;
		}
		if (vec_push(files, p) < 0) {
			free(p);
			rc = -1;
			break;
		}
	}
	closedir(d);
	if (files->n > first)
		qsort(files->v + first, files->n - first, sizeof *files->v,
		      cmp_str);
	for (i = first; rc == 0 && i < files->n; i++) {
		struct stat st;
		if (files->v[i] && stat(files->v[i], &st) == 0 &&
		    S_ISDIR(st.st_mode)) {
			char *dir = files->v[i];
			files->v[i] = NULL;
			/* a subfolder that cannot be read is left out */
			collect(dir, files);
			free(dir);
		}
	}
	return rc;
}

/* --require-tests: a rule file without a test file is an error, reported
 * as a diagnostic and as a failed record (so that reports show it). */
static void
untested(rulec_ctx *ctx, const char *rule, const char *test,
	 rulec_test_fn fn, void *ud, rulec_test_summary *sum)
{
	rulec_test_case c;

	rulec_ctx_clear(ctx);
	diag_report(&ctx->sink, D_TEST_MISSING, NULL, span_make(0, 0),
		    "%s has no test file (%s)", rule, test);
	memset(&c, 0, sizeof c);
	c.suite = test;
	c.rule_file = rule;
	c.name = "policy: --require-tests";
	c.line = c.column = 1;
	c.status = RULEC_TEST_FAIL;
	c.message = "the rule file has no test file";
	sum->failed++;
	sum->errors++;
	if (fn)
		fn(ud, &c);
}

/* The test file of a rule file: NAME.test.toml beside NAME.ext. */
static char *
test_file_of(const char *rule)
{
	const char *dot = strrchr(rule, '.'), *slash = strrchr(rule, '/');
	size_t n = dot && (!slash || dot > slash) ? (size_t)(dot - rule)
						    : strlen(rule);
	char *p = malloc(n + sizeof ".test.toml");

	if (p) {
		memcpy(p, rule, n);
		strcpy(p + n, ".test.toml");
	}
	return p;
}

/* A path that is neither a test file nor a rule file, or a folder that
 * holds neither: error no-rules (RC9021), naming what a folder held per
 * extension. */
static void
nothing_to_test(rulec_ctx *ctx, const char *path, const pathvec *files)
{
	struct file_tally t;
	struct strbuf sb = STRBUF_INIT;
	struct rc_source *src;
	struct diag *d;
	size_t i;

	memset(&t, 0, sizeof t);
	for (i = 0; files && i < files->n; i++)
		if (files->v[i])
			file_tally_add(&t, files->v[i], false);
	if (!files)
		sb_puts(&sb, "neither a test file (NAME.test.toml) nor a rule "
			     "file");
	else
		sb_puts(&sb, "no test file (NAME.test.toml) and no rule file "
			     "in this folder: ");
	if (files && t.left_out.files)
		file_tally_describe(&t, false, &sb);
	else if (files)
		sb_puts(&sb, "it holds no file");
	rulec_ctx_clear(ctx);
	src = ARENA_NEW(&ctx->arena, struct rc_source);
	if (src && !sb.oom && !t.oom) {
		src->name = arena_strdup(&ctx->arena, path);
		d = diag_new(&ctx->sink, D_NO_RULES, NULL, span_make(0, 0), "%s",
			     sb.data);
		if (d)
			d->file = src;
		diag_emit(&ctx->sink, d);
	}
	sb_free(&sb);
	file_tally_free(&t);
}

static bool
exists(const char *p)
{
	struct stat st;
	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int
rulec_test_path(rulec_ctx *ctx, const char *path, const rulec_test_opts *o,
		rulec_test_fn fn, void *ud, rulec_test_summary *sum)
{
	struct stat st;
	pathvec files = VEC_INIT;
	size_t i, found = 0;
	int rc = RULEC_OK;

	if (stat(path, &st) != 0) {
		rulec_ctx_clear(ctx);
		diag_report(&ctx->sink, D_IO_ERROR, NULL, span_make(0, 0),
			    "cannot read %s: %s", path, strerror(errno));
		sum->errors++;
		return RULEC_ERR_IO;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (ends_with(path, ".test.toml"))
			return test_file(ctx, path, o, fn, ud, sum);
		if (!load_is_rule_file(path)) {
			nothing_to_test(ctx, path, NULL);
			return RULEC_OK;
		}
		char *t = test_file_of(path);
		if (t && exists(t)) {
			/* the test file's own rule is used */
			rc = test_file(ctx, t, o, fn, ud, sum);
		} else if (o && o->require_tests) {
			untested(ctx, path, t ? t : "NAME.test.toml", fn, ud,
				 sum);
		} else {
			sum->untested++;
		}
		free(t);
		return rc;
	}
	if (collect(path, &files) != 0) {
		for (i = 0; i < files.n; i++)
			free(files.v[i]);
		vec_free(&files);
		rulec_ctx_clear(ctx);
		diag_report(&ctx->sink, D_IO_ERROR, NULL, span_make(0, 0),
			    "cannot read %s: %s", path, strerror(errno));
		sum->errors++;
		return RULEC_ERR_IO;
	}
	for (i = 0; i < files.n; i++) {
		const char *f = files.v[i];
		if (!f)
			continue;
		if (ends_with(f, ".test.toml") || load_is_rule_file(f))
			found++;
		if (ends_with(f, ".test.toml")) {
			if ((rc = test_file(ctx, f, o, fn, ud, sum)) ==
			    RULEC_ERR_NOMEM)
				break;
		} else if (load_is_rule_file(f)) {
			char *t = test_file_of(f);
			if (t && !exists(t)) {
				if (o && o->require_tests)
					untested(ctx, f, t, fn, ud, sum);
				else
					sum->untested++;
			}
			free(t);
		}
	}
	if (!found && rc != RULEC_ERR_NOMEM)
		nothing_to_test(ctx, path, &files);
	for (i = 0; i < files.n; i++)
		free(files.v[i]);
	vec_free(&files);
	return rc == RULEC_ERR_NOMEM ? rc : RULEC_OK;
}
