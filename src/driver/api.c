/*
 * rulec.c - the public interface (include/rulec.h) over the internal
 * modules.  The context owns one arena for everything a run builds, the
 * diagnostic sink, the schema and the loaded rules.  The replay functions
 * are in replay.c.
 */
#include "rulec.h"

#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/diag.h"
#include "base/suggest.h"
#include "report/sarif.h"
#include "driver/baseline.h"
#include "driver/configfile.h"
#include "driver/ctx.h"
#include "driver/load.h"
#include "sema/rule.h"
#include "sema/eset.h"
#include "sema/schema.h"
#include "sema/ruleschema.h"
#include "front/xmlcheck.h"
#include "check/check.h"
#include "vm/image.h"

/* The built-in catalogues, generated from schemas/. */
extern const char rc_ecs_schema[], rc_elastic_schema[], rc_ecs_values[],
	rc_literal_stars[];
extern const size_t rc_ecs_schema_len, rc_elastic_schema_len,
	rc_ecs_values_len, rc_literal_stars_len;
extern const char rc_eset_components[], rc_eset_operations[], rc_eset_ecs[],
	rc_eset_actions[];
extern const size_t rc_eset_components_len, rc_eset_operations_len,
	rc_eset_ecs_len, rc_eset_actions_len;


const char *
rulec_version(void)
{
	return PACKAGE_VERSION;
}

static void
forward(void *ud, const struct diag *d)
{
	rulec_ctx *ctx = ud;

	if (ctx->fn)
		ctx->fn(ctx->ud, (const rulec_diag *)d);
}

/* The context's diagnostic filter: the configuration's suppressions, then
 * the baseline being written (which takes every finding, unless a read
 * baseline decides which are reported), then the read baseline. */
static bool
filter(void *ud, const struct diag *d)
{
	rulec_ctx *ctx = ud;

	if (ctx->config && config_suppresses(ctx->config, d))
		return true;
	if (ctx->recording && baseline_takes(ctx->recording, d) &&
	    !ctx->baseline)
		return true;
	return ctx->baseline && baseline_takes(ctx->baseline, d);
}

/* Reports a malformed line of a schema file. */
struct schema_err {
	rulec_ctx *ctx;
	const char *origin;
};

static void
schema_line_error(void *ud, unsigned line, const char *msg)
{
	struct schema_err *se = ud;
	struct rc_source *s = ARENA_NEW(&se->ctx->arena, struct rc_source);
	struct diag *d;

	if (!s)
		return;
	s->name = arena_printf(&se->ctx->arena, "%s:%u", se->origin, line);
	d = diag_new(&se->ctx->sink, D_BAD_SCHEMA_FILE, NULL, span_make(0, 0),
		     "%s", msg);
	if (d)
		d->file = s;
	diag_emit(&se->ctx->sink, d);
}

rulec_ctx *
rulec_ctx_new(void)
{
	rulec_ctx *ctx = calloc(1, sizeof *ctx);
	struct schema_err se;

	if (!ctx)
		return NULL;
	arena_init(&ctx->cat_arena, NULL);
	arena_init(&ctx->arena, NULL);
	diag_sink_init(&ctx->sink, &ctx->arena);
	ctx->sink.fn = forward;
	ctx->sink.ud = ctx;
	ctx->sink.filter = filter;
	ctx->sink.filter_ud = ctx;
	ctx->schema = schema_new(&ctx->cat_arena);
	se.ctx = ctx;
	se.origin = "<built-in ecs.tsv>";
	if (!ctx->schema ||
	    schema_load(ctx->schema, SCHEMA_ECS_ORIGIN, rc_ecs_schema,
			rc_ecs_schema_len, schema_line_error, &se) != 0 ||
	    schema_load(ctx->schema, "elastic.tsv", rc_elastic_schema,
			rc_elastic_schema_len, schema_line_error, &se) != 0 ||
	    schema_load_values(ctx->schema, "ecs-values.tsv", rc_ecs_values,
			       rc_ecs_values_len, schema_line_error,
			       &se) != 0 ||
	    schema_load_literal_forms(ctx->schema, "literal-stars.tsv",
				      rc_literal_stars, rc_literal_stars_len,
				      schema_line_error, &se) != 0) {
		rulec_ctx_free(ctx);
		return NULL;
	}
	ctx->eset = eset_catalog_new(&ctx->cat_arena);
	if (!ctx->eset ||
	    eset_catalog_load(ctx->eset, "components", "eset-components.tsv",
			      rc_eset_components, rc_eset_components_len,
			      schema_line_error, &se) != 0 ||
	    eset_catalog_load(ctx->eset, "operations", "eset-operations.tsv",
			      rc_eset_operations, rc_eset_operations_len,
			      schema_line_error, &se) != 0 ||
	    eset_catalog_load(ctx->eset, "ecs", "eset-ecs.tsv", rc_eset_ecs,
			      rc_eset_ecs_len, schema_line_error, &se) != 0 ||
	    eset_catalog_load(ctx->eset, "actions", "eset-actions.tsv",
			      rc_eset_actions, rc_eset_actions_len,
			      schema_line_error, &se) != 0) {
		rulec_ctx_free(ctx);
		return NULL;
	}
	return ctx;
}

void
rulec_ctx_free(rulec_ctx *ctx)
{
	if (!ctx)
		return;
	source_list_free(&ctx->sources);
	xml_schema_free(ctx->rng);
	config_free(ctx->config);
	baseline_free(ctx->baseline);
	baseline_free(ctx->recording);
	rule_schema_free(ctx->kibana);
	diag_sink_free(&ctx->sink);
	free(ctx->rules.v);
	arena_release(&ctx->arena);
	arena_release(&ctx->cat_arena);
	free(ctx);
}

void
rulec_ctx_clear(rulec_ctx *ctx)
{
	unsigned i;

	source_list_free(&ctx->sources);
	ctx->rules.n = 0;
	ctx->rules.oom = false;
	memset(&ctx->exc, 0, sizeof ctx->exc);
	arena_release(&ctx->arena);
	arena_init(&ctx->arena, NULL);
	for (i = 0; i <= SEV_ERROR; i++)
		ctx->sink.count[i] = 0;
}

void
rulec_ctx_set_diag_handler(rulec_ctx *ctx, rulec_diag_fn fn, void *ud)
{
	ctx->fn = fn;
	ctx->ud = ud;
}

int
rulec_ctx_set_severity(rulec_ctx *ctx, const char *check,
		       enum rulec_severity sev)
{
	enum diag_id id = diag_lookup(check);

	if (id == D__COUNT || sev > RULEC_SEVERITY_ERROR)
		return RULEC_ERR_ARG;
	ctx->sink.level[id] = (enum diag_severity)sev;
	return RULEC_OK;
}

void
rulec_ctx_set_werror(rulec_ctx *ctx, int on)
{
	ctx->sink.werror = on != 0;
}

void
rulec_ctx_set_exceptions(rulec_ctx *ctx, int on)
{
	ctx->no_exceptions = !on;
}

void
rulec_ctx_set_checks(rulec_ctx *ctx, int on)
{
	ctx->no_checks = !on;
}

int
ctx_slurp(const char *path, char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, got;
	int rc;

	if (!f)
		return RULEC_ERR_IO;
	do {
		if (cap - n < 4096) {
			char *nb = realloc(buf, cap = cap ? cap * 2 : 65536);
			if (!nb) {
				free(buf);
				fclose(f);
				return RULEC_ERR_NOMEM;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	rc = ferror(f) ? RULEC_ERR_IO : RULEC_OK;
	fclose(f);
	if (rc != RULEC_OK) {
		free(buf);
		return rc;
	}
	*data = buf;
	*len = n;
	return RULEC_OK;
}

int
rulec_ctx_add_schema_file(rulec_ctx *ctx, const char *path)
{
	struct schema_err se = { ctx, path };
	char *buf = NULL;
	size_t n = 0;
	int rc = ctx_slurp(path, &buf, &n);

	if (rc == RULEC_OK &&
	    schema_load(ctx->schema, arena_strdup(&ctx->cat_arena, path), buf, n,
			schema_line_error, &se) < 0)
		rc = RULEC_ERR_NOMEM;
	free(buf);
	return rc;
}

int
rulec_ctx_add_eset_catalog(rulec_ctx *ctx, const char *kind,
			   const char *path)
{
	static const char *const kinds[] = { "components", "operations",
					     "ecs", "actions" };
	struct schema_err se = { ctx, path };
	char *buf = NULL;
	size_t n = 0, i;
	int rc;

	for (i = 0; i < 4 && strcmp(kind, kinds[i]) != 0; i++)
		;
	if (i == 4)
		return RULEC_ERR_ARG;
	rc = ctx_slurp(path, &buf, &n);
	if (rc != RULEC_OK)
		return rc;
	if (eset_catalog_load(ctx->eset, kind,
			      arena_strdup(&ctx->cat_arena, path), buf, n,
			      schema_line_error, &se) < 0)
		rc = RULEC_ERR_NOMEM;
	free(buf);
	return rc;
}

static struct loader
make_loader(rulec_ctx *ctx)
{
	struct loader ld;

	memset(&ld, 0, sizeof ld);
	ld.arena = &ctx->arena;
	ld.diags = &ctx->sink;
	ld.schema = ctx->schema;
	ld.rules = &ctx->rules;
	ld.sources = &ctx->sources;
	ld.eset = ctx->eset;
	ld.rng = &ctx->rng;
	ld.kibana = &ctx->kibana;
	ctx->checks.arena = &ctx->arena;
	ctx->checks.diags = &ctx->sink;
	ctx->checks.schema = ctx->schema;
	ctx->checks.eset = ctx->eset;
	ld.checks = ctx->no_checks ? NULL : &ctx->checks;
	ld.exc = ctx->no_exceptions ? NULL : &ctx->exc;
	ld.config = ctx->config;
	ld.kind = FK_UNKNOWN;
	ld.report_empty = true;
	return ld;
}

/* Finds the exception items of every rule from the lists read so far;
 * with `report`, says which references find nothing and marks the rules
 * whose lists hold broken items as not to be run. */
static void
bind_exceptions(rulec_ctx *ctx, bool report)
{
	size_t i;

	if (ctx->no_exceptions)
		return;
	for (i = 0; i < ctx->rules.n; i++) {
		struct rc_rule *r = ctx->rules.v[i];

		if (!exc_bind(&r->exc, &ctx->exc, &ctx->arena,
			      report ? &ctx->sink : NULL, r->meta.name)) {
			ctx->arena.oom = true;
			return;
		}
		if (report && r->exc.bad && r->ir) {
			r->ir = NULL;   /* reported by exc_bind */
			r->errors++;
		}
	}
}

/* The loader's kind for a public input format. */
static enum file_kind
input_kind(enum rulec_input fmt)
{
	switch (fmt) {
	case RULEC_INPUT_EQL: return FK_EQL;
	case RULEC_INPUT_JSON: return FK_JSON;
	case RULEC_INPUT_NDJSON: return FK_NDJSON;
	case RULEC_INPUT_TOML: return FK_TOML;
	case RULEC_INPUT_XML: return FK_XML;
	default: return FK_UNKNOWN;
	}
}

int
ctx_load_path(rulec_ctx *ctx, const char *path, enum rulec_input fmt,
	      bool report_empty)
{
	struct loader ld = make_loader(ctx);
	int n;

	ld.kind = input_kind(fmt);
	ld.report_empty = report_empty;
	n = load_path(&ld, path, true);
	bind_exceptions(ctx, false);
	if (ctx->arena.oom || ctx->rules.oom)
		return RULEC_ERR_NOMEM;
	return n < 0 ? RULEC_ERR_IO : n;
}

int
rulec_ctx_load_path(rulec_ctx *ctx, const char *path)
{
	return ctx_load_path(ctx, path, RULEC_INPUT_AUTO, true);
}

int
rulec_ctx_load_path_as(rulec_ctx *ctx, const char *path,
		       enum rulec_input fmt)
{
	if ((unsigned)fmt > RULEC_INPUT_XML)
		return RULEC_ERR_ARG;
	return ctx_load_path(ctx, path, fmt, true);
}

int
rulec_ctx_load_buffer_as(rulec_ctx *ctx, const char *name,
			 enum rulec_input fmt, const char *data, size_t len)
{
	struct loader ld = make_loader(ctx);
	int n;

	if ((unsigned)fmt > RULEC_INPUT_XML)
		return RULEC_ERR_ARG;
	ld.kind = input_kind(fmt);
	n = load_buffer(&ld, name, data, len);
	bind_exceptions(ctx, false);
	if (ctx->arena.oom || ctx->rules.oom)
		return RULEC_ERR_NOMEM;
	return n < 0 ? RULEC_ERR_ARG : n;
}

int
rulec_ctx_load_buffer(rulec_ctx *ctx, const char *name, const char *data,
		      size_t len)
{
	return rulec_ctx_load_buffer_as(ctx, name, RULEC_INPUT_AUTO, data,
					len);
}

void
rulec_ctx_finish(rulec_ctx *ctx)
{
	ctx->checks.arena = &ctx->arena;
	ctx->checks.diags = &ctx->sink;
	ctx->checks.schema = ctx->schema;
	ctx->checks.eset = ctx->eset;
	diag_defer(&ctx->sink);
	bind_exceptions(ctx, true);
	check_run(&ctx->checks, ctx->rules.v, ctx->rules.n);
	diag_flush(&ctx->sink);
}

void
rulec_ctx_report_unused(rulec_ctx *ctx)
{
	config_report_unused(ctx->config, &ctx->sink, ctx->rules.v,
			     ctx->rules.n);
	baseline_report_stale(ctx->baseline, &ctx->sink, ctx->rules.v,
			      ctx->rules.n, &ctx->sources);
}

int
rulec_ctx_set_check_werror(rulec_ctx *ctx, const char *check, int on)
{
	enum diag_id id = diag_lookup(check);

	if (id == D__COUNT)
		return RULEC_ERR_ARG;
	ctx->sink.promote[id] = on ? 1 : -1;
	return RULEC_OK;
}

size_t
rulec_ctx_rule_count(const rulec_ctx *ctx)
{
	return ctx->rules.n;
}

const rulec_rule *
rulec_ctx_rule(const rulec_ctx *ctx, size_t i)
{
	return i < ctx->rules.n ? (const rulec_rule *)ctx->rules.v[i] : NULL;
}

unsigned
rulec_ctx_diag_count(const rulec_ctx *ctx, enum rulec_severity sev)
{
	return sev >= RULEC_SEVERITY_NOTE && sev <= RULEC_SEVERITY_ERROR
		       ? ctx->sink.count[sev] : 0;
}

#define RULE(r) ((const struct rc_rule *)(r))

const char *
rulec_rule_file(const rulec_rule *r)
{
	return RULE(r)->src->name;
}

const char *
rulec_rule_name(const rulec_rule *r)
{
	return RULE(r)->meta.name;
}

const char *
rulec_rule_id(const rulec_rule *r)
{
	return RULE(r)->meta.id;
}

char *
rulec_rule_dump(const rulec_rule *r, enum rulec_dump what)
{
	struct strbuf sb = STRBUF_INIT;
	const struct rc_rule *rr = RULE(r);

	if (what == RULEC_DUMP_AST) {
		if (!rr->ast)
			return NULL;
		ast_dump(rr->ast, &rr->text, &sb);
	} else {
		if (!rr->ir)
			return NULL;
		rule_meta_dump(&rr->meta, &sb);
		ir_dump(rr->ir, &rr->text, &sb);
		exc_dump(&rr->exc, &sb);
	}
	return sb_take(&sb);
}

#define DIAG(d) ((const struct diag *)(d))

const char *
rulec_diag_id(const rulec_diag *d)
{
	return diag_table[DIAG(d)->id].id;
}

const char *
rulec_diag_name(const rulec_diag *d)
{
	return diag_table[DIAG(d)->id].name;
}

const char *
rulec_diag_family(const rulec_diag *d)
{
	return diag_family_name(diag_table[DIAG(d)->id].family);
}

const char *
rulec_diag_rule_id(const rulec_diag *d)
{
	return DIAG(d)->rule.id;
}

const char *
rulec_diag_rule_name(const rulec_diag *d)
{
	return DIAG(d)->rule.name;
}

enum rulec_severity
rulec_diag_severity(const rulec_diag *d)
{
	return (enum rulec_severity)DIAG(d)->severity;
}

const char *
rulec_diag_message(const rulec_diag *d)
{
	return DIAG(d)->msg;
}

const char *
rulec_diag_file(const rulec_diag *d)
{
	struct diag_loc loc;

	diag_location(DIAG(d), &loc);
	return loc.file;
}

unsigned
rulec_diag_line(const rulec_diag *d)
{
	struct diag_loc loc;

	diag_location(DIAG(d), &loc);
	return loc.line;
}

unsigned
rulec_diag_column(const rulec_diag *d)
{
	struct diag_loc loc;

	diag_location(DIAG(d), &loc);
	return loc.col;
}

char *
rulec_diag_render(const rulec_diag *d, enum rulec_format fmt,
		  unsigned flags)
{
	struct strbuf sb = STRBUF_INIT;

	if (fmt == RULEC_FORMAT_JSON)
		diag_render_json(DIAG(d), &sb);
	else if (fmt == RULEC_FORMAT_SARIF)
		sarif_result(DIAG(d), &sb);
	else
		diag_render_text(DIAG(d), &sb, (flags & RULEC_RENDER_COLOR)
						       ? DIAG_RENDER_COLOR : 0);
	return sb_take(&sb);
}

int
rulec_ctx_compile(rulec_ctx *ctx, unsigned char **out, size_t *len,
		  char *err, size_t errlen)
{
	struct img_builder b;
	struct strbuf sb = STRBUF_INIT;
	struct arena scratch;
	size_t i;
	int n = 0;

	img_builder_init(&b);
	arena_init(&scratch, NULL);
	for (i = 0; i < ctx->rules.n; i++) {
		const struct rc_rule *r = ctx->rules.v[i];
		const struct ir_query *q;

		if (!r->ir)
			continue;       /* a rule with errors is not compiled */
		/* its exceptions, as Kibana's filter on every event */
		q = ctx->no_exceptions ? r->ir
				       : exc_apply(r->ir, &r->exc, &scratch);
		if (!q) {
			img_builder_free(&b);
			arena_release(&scratch);
			snprintf(err, errlen, "out of memory");
			return RULEC_ERR_NOMEM;
		}
		struct vm_rule_info info = {
			r->meta.id, r->meta.name, r->src->name,
			r->meta.category_field, r->meta.timestamp_field,
			r->meta.tiebreaker_field,
			r->meta.has_lookback ? r->meta.lookback_ms : -1,
			r->meta.ts_no_fallback
		};

		if (vm_compile_query(&b, q, &info, err, errlen) < 0) {
			if (b.oom || strcmp(err, "out of memory") == 0) {
				img_builder_free(&b);
				arena_release(&scratch);
				return RULEC_ERR_NOMEM;
			}
			/* a rule past a limit of the engine: reported at
			 * its query and left out; the others run */
			ctx->sink.rule = rule_diag_ident(r);
			diag_report(&ctx->sink, D_RULE_NOT_RUNNABLE, &r->text,
				    span_make(0, (uint32_t)r->text.len),
				    "the rule cannot run and is left out: %s",
				    err);
			memset(&ctx->sink.rule, 0, sizeof ctx->sink.rule);
			continue;
		}
		n++;
	}
	arena_release(&scratch);
	if (img_write(&b, &sb) != 0 || sb.oom) {
		img_builder_free(&b);
		sb_free(&sb);
		snprintf(err, errlen, "out of memory");
		return RULEC_ERR_NOMEM;
	}
	img_builder_free(&b);
	*len = sb.len;
	*out = (unsigned char *)sb_take(&sb);
	if (!*out) {
		snprintf(err, errlen, "out of memory");
		return RULEC_ERR_NOMEM;
	}
	return n;
}

char *
rulec_image_disasm(const unsigned char *data, size_t len, char *err,
		   size_t errlen)
{
	struct image im;
	struct strbuf sb = STRBUF_INIT;

	if (img_load(data, len, &im, err, errlen) != 0)
		return NULL;
	img_disasm(&im, &sb);
	img_free(&im);
	return sb_take(&sb);
}

char *
rulec_sarif_head(void)
{
	struct strbuf sb = STRBUF_INIT;

	sarif_head(&sb, PACKAGE_VERSION);
	return sb_take(&sb);
}

const char *
rulec_sarif_tail(void)
{
	return "]}]}\n";
}

size_t
rulec_check_count(void)
{
	return D__COUNT;
}

const char *
rulec_check_field(size_t i, const char *field)
{
	const struct diag_info *info;

	if (i >= D__COUNT || !field)
		return NULL;
	info = &diag_table[i];
	if (strcmp(field, "id") == 0)
		return info->id;
	if (strcmp(field, "name") == 0)
		return info->name;
	if (strcmp(field, "family") == 0)
		return diag_family_name(info->family);
	if (strcmp(field, "severity") == 0)
		return diag_severity_name(info->severity);
	if (strcmp(field, "summary") == 0)
		return info->summary;
	if (strcmp(field, "explanation") == 0)
		return info->doc;
	return NULL;
}

size_t
rulec_check_find(const char *key)
{
	enum diag_id id = diag_lookup(key);

	return id == D__COUNT ? (size_t)-1 : (size_t)id;
}

const char *
rulec_suggest(const char *word, const char *const *cands, size_t n)
{
	struct suggest sg;
	size_t i;

	if (!word || !cands)
		return NULL;
	suggest_init(&sg, word, strlen(word), true);
	for (i = 0; i < n; i++)
		if (cands[i])
			suggest_add(&sg, cands[i], strlen(cands[i]));
	return suggest_best(&sg);
}
