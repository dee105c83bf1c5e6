/*
 * baseline.c - reading, matching, recording and writing baselines (see
 * baseline.h; the file format is in docs/configuration.md).
 */
#include "driver/baseline.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/vec.h"
#include "driver/ctx.h"
#include "driver/path.h"

enum { BASELINE_VERSION = 1, STALE_LISTED = 5 };

struct entry {
	const char *rule_id, *rule_name, *file;    /* NULL when none */
	const char *check, *name, *message;
	char fp[17];
	unsigned count, left;   /* as written; not yet met */
	struct span span;       /* in the file read */
};

struct baseline {
	struct arena *arena;    /* the context's catalogue arena */
	bool recording;
	struct rc_source src;   /* read: the file (data malloc'd); written:
				   its name only */
	struct rc_text text;
	char *dir;              /* canonical folder of the file */
	VEC(struct entry) e;
	struct hash h;          /* fingerprint -> entry */
	unsigned taken;
	char *last_name, *last_rel; /* the last diagnostic's file */
};

/* 64-bit FNV-1a. */
static uint64_t
fnv(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

/* Hashes s[0..n) with every run of white space as one space and none at
 * the ends, then a NUL as separator. */
static uint64_t
fnv_text(uint64_t h, const char *s, size_t n)
{
	size_t i;
	bool space = false, any = false;

	for (i = 0; i < n; i++) {
		char c = s[i];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
		    c == '\f' || c == '\v') {
			space = any;
			continue;
		}
		if (space)
			h = fnv(h, " ", 1);
		space = false;
		any = true;
		h = fnv(h, &c, 1);
	}
	return fnv(h, "", 1);
}

/* d's file relative to the baseline's folder (the name as given when it
 * cannot be resolved: a buffer that was never a file); cached. */
static const char *
rel_file(struct baseline *b, const struct diag *d)
{
	struct diag_loc loc;
	char *real;

	diag_location(d, &loc);
	if (!loc.file)
		return NULL;
	if (b->last_name && strcmp(b->last_name, loc.file) == 0)
		return b->last_rel;
	free(b->last_name);
	free(b->last_rel);
	b->last_name = strdup(loc.file);
	real = path_real(loc.file);
	b->last_rel = real ? path_relative(b->dir, real) : strdup(loc.file);
	free(real);
	if (!b->last_name || !b->last_rel) {
		free(b->last_name);
		b->last_name = NULL;
		return NULL;
	}
	return b->last_rel;
}

/* The rule part of a fingerprint: "id:", "name:" or "file:" and the
 * value. */
static uint64_t
fnv_rule(uint64_t h, const char *id, const char *name, const char *file)
{
	if (id) {
		h = fnv(h, "id:", 3);
		return fnv_text(h, id, strlen(id));
	}
	if (name) {
		h = fnv(h, "name:", 5);
		return fnv_text(h, name, strlen(name));
	}
	h = fnv(h, "file:", 5);
	return fnv_text(h, file ? file : "", file ? strlen(file) : 0);
}

static void
fingerprint(struct baseline *b, const struct diag *d, char out[17])
{
	const char *id = diag_table[d->id].id;
	uint64_t h = 0xcbf29ce484222325ULL;

	h = fnv_rule(h, d->rule.id, d->rule.name,
		     d->rule.id || d->rule.name ? NULL : rel_file(b, d));
	h = fnv_text(h, id, strlen(id));
	h = fnv_text(h, d->msg, strlen(d->msg));
	if (d->text && d->span.end > d->span.start &&
	    d->span.end <= d->text->len)
		h = fnv_text(h, d->text->data + d->span.start,
			     d->span.end - d->span.start);
	snprintf(out, 17, "%016llx", (unsigned long long)h);
}

static uint32_t
entry_hash(const char *fp, const char *check)
{
	return hash_bytes(hash_str(fp, strlen(fp)), check, strlen(check));
}

/* The entry with this fingerprint and check, or NULL. */
static struct entry *
lookup(struct baseline *b, const char *fp, const char *check)
{
	uint32_t h = entry_hash(fp, check), pos, it;

	for (pos = hash_first(&b->h, h);
	     (it = hash_next(&b->h, h, &pos)) != HASH_NONE;)
		if (strcmp(b->e.v[it].fp, fp) == 0 &&
		    strcmp(b->e.v[it].check, check) == 0)
			return &b->e.v[it];
	return NULL;
}

static int
add_entry(struct baseline *b, const struct entry *e)
{
	if (vec_push(&b->e, *e) < 0 ||
	    hash_add(&b->h, entry_hash(e->fp, e->check),
		     (uint32_t)(b->e.n - 1)) < 0) {
		b->arena->oom = true;
		return -1;
	}
	return 0;
}

static const char *
keep(struct baseline *b, const char *s)
{
	return s ? arena_strdup(b->arena, s) : NULL;
}

/* Records d (a new entry, or one more of an entry). */
static void
record(struct baseline *b, const struct diag *d, const char *fp)
{
	const char *check = diag_table[d->id].id;
	struct entry *e = lookup(b, fp, check), ne;

	if (e) {
		e->count++;
		return;
	}
	memset(&ne, 0, sizeof ne);
	memcpy(ne.fp, fp, sizeof ne.fp);
	ne.check = check;
	ne.name = diag_table[d->id].name;
	ne.rule_id = keep(b, d->rule.id);
	ne.rule_name = keep(b, d->rule.name);
	ne.file = keep(b, rel_file(b, d));
	ne.message = keep(b, d->msg);
	ne.count = 1;
	add_entry(b, &ne);
}

bool
baseline_takes(struct baseline *b, const struct diag *d)
{
	char fp[17];
	struct entry *e;

	if (!b || diag_table[d->id].family == FAM_IO)
		return false;
	fingerprint(b, d, fp);
	if (b->recording) {
		record(b, d, fp);
		b->taken++;
		return true;
	}
	e = lookup(b, fp, diag_table[d->id].id);
	if (!e || !e->left)
		return false;
	e->left--;
	b->taken++;
	return true;
}

unsigned
baseline_taken(const struct baseline *b)
{
	return b ? b->taken : 0;
}

const struct rc_source *
baseline_source(const struct baseline *b)
{
	return &b->src;
}

void
baseline_free(struct baseline *b)
{
	if (!b)
		return;
	if (!b->recording)
		free((char *)b->src.data);
	source_free_lines(&b->src);
	free(b->dir);
	free(b->last_name);
	free(b->last_rel);
	vec_free(&b->e);
	hash_free(&b->h);
	free(b);
}

static struct baseline *
baseline_new(rulec_ctx *ctx, const char *path, bool recording)
{
	struct baseline *b = calloc(1, sizeof *b);

	if (!b)
		return NULL;
	b->arena = &ctx->cat_arena;
	b->recording = recording;
	b->src.name = arena_strdup(b->arena, path);
	b->src.data = "";
	b->text.src = &b->src;
	b->text.data = b->src.data;
	b->dir = path_real_dir(path);
	if (!b->src.name || !b->dir) {
		free(b->dir);
		free(b);
		return NULL;
	}
	return b;
}

/* --- reading ------------------------------------------------------------ */

struct rd {
	struct baseline *b;
	struct diag_sink *ds;
	unsigned errors;
};

static void
bad(struct rd *r, const struct json_value *v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
bad(struct rd *r, const struct json_value *v, const char *fmt, ...)
{
	va_list ap;
	struct diag *d;

	va_start(ap, fmt);
	d = diag_vnew(r->ds, D_BAD_BASELINE, &r->b->text,
		      span_make(v->start, v->end), fmt, ap);
	va_end(ap);
	diag_help(r->ds, d, "write the baseline again with --write-baseline "
		  "FILE");
	diag_emit(r->ds, d);
	r->errors++;
}

/* An optional string member; false (reported) when of another type. */
static bool
opt_string(struct rd *r, const struct json_value *o, const char *key,
	   const char **out)
{
	const struct json_value *v = json_get(o, key);

	*out = NULL;
	if (!v || v->type == JSON_NULL)
		return true;
	if (v->type != JSON_STRING) {
		bad(r, v, "'%s' must be a string", key);
		return false;
	}
	*out = v->u.str.s;
	return true;
}

static void
read_entry(struct rd *r, const struct json_value *o)
{
	struct entry e;
	const struct json_value *fp, *count;
	struct entry *old;

	memset(&e, 0, sizeof e);
	if (o->type != JSON_OBJECT) {
		bad(r, o, "a finding is an object, not %s",
		    json_type_name(o->type));
		return;
	}
	if (!opt_string(r, o, "rule_id", &e.rule_id) ||
	    !opt_string(r, o, "rule_name", &e.rule_name) ||
	    !opt_string(r, o, "file", &e.file) ||
	    !opt_string(r, o, "check", &e.check) ||
	    !opt_string(r, o, "name", &e.name) ||
	    !opt_string(r, o, "message", &e.message))
		return;
	fp = json_get(o, "fingerprint");
	if (!e.check || diag_lookup(e.check) == D__COUNT) {
		bad(r, o, "a finding needs 'check', the id of a check");
		return;
	}
	e.check = diag_table[diag_lookup(e.check)].id;
	if (!fp || fp->type != JSON_STRING || fp->u.str.len != 16 ||
	    strspn(fp->u.str.s, "0123456789abcdef") != 16) {
		bad(r, fp ? fp : o, "a finding needs 'fingerprint', 16 "
		    "lowercase hexadecimal digits");
		return;
	}
	memcpy(e.fp, fp->u.str.s, 17);
	count = json_get(o, "count");
	e.count = 1;
	if (count) {
		if (count->type != JSON_NUMBER || !count->u.num.is_int ||
		    count->u.num.i < 1 || count->u.num.i > 1000000) {
			bad(r, count, "'count' must be a whole number from 1");
			return;
		}
		e.count = (unsigned)count->u.num.i;
	}
	e.left = e.count;
	e.span = span_make(fp->start, fp->end);
	/* the same finding twice: the counts add up */
	if ((old = lookup(r->b, e.fp, e.check)) != NULL) {
		old->count += e.count;
		old->left += e.count;
		return;
	}
	add_entry(r->b, &e);
}

int
rulec_ctx_load_baseline(rulec_ctx *ctx, const char *path)
{
	struct baseline *b;
	struct rd r;
	struct json_error err;
	const struct json_value *root, *ver, *list;
	char *data = NULL;
	size_t len = 0, i;
	int rc = ctx_slurp(path, &data, &len);

	if (rc == RULEC_ERR_IO) {
		struct rc_source *s = ARENA_NEW(&ctx->cat_arena,
						struct rc_source);
		struct diag *d;

		if (!s || !(s->name = arena_strdup(&ctx->cat_arena, path)))
			return RULEC_ERR_NOMEM;
		d = diag_new(&ctx->sink, D_IO_ERROR, NULL, span_make(0, 0),
			     "cannot read the baseline: %s", strerror(errno));
		if (d)
			d->file = s;
		diag_emit(&ctx->sink, d);
		return RULEC_ERR_IO;
	}
	if (rc != RULEC_OK)
		return rc;
	b = baseline_new(ctx, path, false);
	if (!b) {
		free(data);
		return RULEC_ERR_NOMEM;
	}
	b->src.data = data;
	b->src.len = len;
	b->text.data = data;
	b->text.len = len;
	baseline_free(ctx->baseline);
	ctx->baseline = b;
	memset(&r, 0, sizeof r);
	r.b = b;
	r.ds = &ctx->sink;
	root = json_parse(b->arena, data, len, &err);
	if (!root) {
		struct json_value at;

		if (b->arena->oom)
			return RULEC_ERR_NOMEM;
		memset(&at, 0, sizeof at);
		at.start = err.offset;
		at.end = err.offset < len ? err.offset + 1 : err.offset;
		bad(&r, &at, "malformed JSON: %s", err.message);
		return RULEC_ERR_ARG;
	}
	ver = json_get(root, "version");
	list = json_get(root, "findings");
	if (root->type != JSON_OBJECT || !ver || ver->type != JSON_NUMBER ||
	    !ver->u.num.is_int || ver->u.num.i != BASELINE_VERSION ||
	    !list || list->type != JSON_ARRAY) {
		bad(&r, root, "not a rulec baseline of version %d: an object "
		    "with \"version\": %d and a list \"findings\"",
		    BASELINE_VERSION, BASELINE_VERSION);
		return RULEC_ERR_ARG;
	}
	for (i = 0; i < list->u.arr.n; i++)
		read_entry(&r, list->u.arr.items[i]);
	if (b->arena->oom)
		return RULEC_ERR_NOMEM;
	return r.errors ? RULEC_ERR_ARG : RULEC_OK;
}

int
rulec_ctx_record_baseline(rulec_ctx *ctx, const char *path)
{
	struct baseline *b;

	errno = 0;
	b = baseline_new(ctx, path, true);
	if (!b && errno != ENOMEM) {
		struct rc_source *s = ARENA_NEW(&ctx->cat_arena,
						struct rc_source);
		struct diag *d;

		if (!s || !(s->name = arena_strdup(&ctx->cat_arena, path)))
			return RULEC_ERR_NOMEM;
		d = diag_new(&ctx->sink, D_IO_ERROR, NULL, span_make(0, 0),
			     "cannot write the baseline there: %s",
			     strerror(errno ? errno : ENOENT));
		if (d)
			d->file = s;
		diag_emit(&ctx->sink, d);
		return RULEC_ERR_IO;
	}
	if (!b)
		return RULEC_ERR_NOMEM;
	baseline_free(ctx->recording);
	ctx->recording = b;
	return RULEC_OK;
}

/* --- stale entries -------------------------------------------------------- */

/* The rule key of the fingerprint, as a string ("id:...", "name:...",
 * "file:..."), malloc'd. */
static char *
rule_key(const char *id, const char *name, const char *file)
{
	const char *kind = id ? "id:" : name ? "name:" : "file:";
	const char *v = id ? id : name ? name : file ? file : "";
	char *k = malloc(strlen(kind) + strlen(v) + 1);

	if (k) {
		strcpy(k, kind);
		strcat(k, v);
	}
	return k;
}

struct keyset {
	VEC(char *) v;
	struct hash h;
};

static bool
keyset_has(const struct keyset *ks, const char *k)
{
	uint32_t h = hash_str(k, strlen(k)), pos, it;

	for (pos = hash_first(&ks->h, h);
	     (it = hash_next(&ks->h, h, &pos)) != HASH_NONE;)
		if (strcmp(ks->v.v[it], k) == 0)
			return true;
	return false;
}

/* Takes k (malloc'd). */
static void
keyset_add(struct keyset *ks, char *k)
{
	if (!k)
		return;
	if (keyset_has(ks, k) || vec_push(&ks->v, k) < 0) {
		free(k);
		return;
	}
	if (hash_add(&ks->h, hash_str(k, strlen(k)),
		     (uint32_t)(ks->v.n - 1)) < 0)
		ks->v.n--, free(k);
}

static char *
rel_of(const struct baseline *b, const char *name)
{
	char *real = path_real(name), *rel;

	rel = real ? path_relative(b->dir, real) : strdup(name);
	free(real);
	return rel;
}

void
baseline_report_stale(struct baseline *b, struct diag_sink *s,
		      struct rc_rule *const *rules, size_t n,
		      const struct source_list *sources)
{
	struct keyset ks = { VEC_INIT, HASH_INIT };
	size_t i, stale = 0, listed = 0;
	struct diag *d = NULL;

	if (!b || b->recording)
		return;
	for (i = 0; i < n; i++) {
		const struct rc_rule *r = rules[i];
		char *rel = NULL;

		if (!r->meta.id && !r->meta.name)
			rel = rel_of(b, r->src->name);
		keyset_add(&ks, rule_key(r->meta.id, r->meta.name, rel));
		free(rel);
	}
	for (i = 0; i < sources->n; i++) {
		char *rel = rel_of(b, sources->v[i]->name);
		if (rel)
			keyset_add(&ks, rule_key(NULL, NULL, rel));
		free(rel);
	}
	for (i = 0; i < b->e.n; i++) {
		const struct entry *e = &b->e.v[i];
		char *k;
		bool in;

		if (!e->left)
			continue;
		k = rule_key(e->rule_id, e->rule_name, e->file);
		in = k && keyset_has(&ks, k);
		free(k);
		if (in)
			stale++;
	}
	for (i = 0; i < b->e.n && stale; i++) {
		const struct entry *e = &b->e.v[i];
		char *k = rule_key(e->rule_id, e->rule_name, e->file);
		bool in = k && keyset_has(&ks, k);

		free(k);
		if (!e->left || !in)
			continue;
		if (!d)
			d = diag_new(s, D_STALE_BASELINE, &b->text, e->span,
				     "%zu finding%s of the baseline no longer "
				     "occur%s", stale, stale == 1 ? "" : "s",
				     stale == 1 ? "s" : "");
		if (listed++ < STALE_LISTED)
			diag_note(s, d, NULL, span_make(0, 0),
				  "%s%s%s in %s%s%s%s: %s", e->check,
				  e->name ? " " : "", e->name ? e->name : "",
				  e->rule_name || e->rule_id ? "rule '" : "",
				  e->rule_name ? e->rule_name
				  : e->rule_id ? e->rule_id
				  : e->file ? e->file : "?",
				  e->rule_name || e->rule_id ? "'" : "",
				  e->left < e->count ? " (not all)" : "",
				  e->message ? e->message : "");
	}
	if (d) {
		if (listed > STALE_LISTED)
			diag_note(s, d, NULL, span_make(0, 0), "and %zu more",
				  listed - STALE_LISTED);
		diag_help(s, d, "write the baseline again with "
			  "--write-baseline %s, so that they cannot come back "
			  "unnoticed", b->src.name);
		diag_emit(s, d);
	}
	for (i = 0; i < ks.v.n; i++)
		free(ks.v.v[i]);
	vec_free(&ks.v);
	hash_free(&ks.h);
}

/* --- writing -------------------------------------------------------------- */

static int
str_cmp(const char *a, const char *b)
{
	return strcmp(a ? a : "", b ? b : "");
}

static int
entry_cmp(const void *pa, const void *pb)
{
	const struct entry *a = *(const struct entry *const *)pa;
	const struct entry *b = *(const struct entry *const *)pb;
	int c;

	if ((c = str_cmp(a->file, b->file)) != 0 ||
	    (c = str_cmp(a->rule_id, b->rule_id)) != 0 ||
	    (c = str_cmp(a->rule_name, b->rule_name)) != 0 ||
	    (c = strcmp(a->check, b->check)) != 0)
		return c;
	return strcmp(a->fp, b->fp);
}

static void
put_str(struct strbuf *sb, const char *key, const char *v, bool comma)
{
	sb_printf(sb, "\"%s\": ", key);
	if (v) {
		sb_putc(sb, '"');
		sb_json_escape(sb, v, strlen(v));
		sb_putc(sb, '"');
	} else {
		sb_puts(sb, "null");
	}
	if (comma)
		sb_puts(sb, ", ");
}

char *
baseline_render(const struct baseline *b)
{
	struct strbuf sb = STRBUF_INIT;
	const struct entry **order;
	size_t i;

	order = malloc((b->e.n ? b->e.n : 1) * sizeof *order);
	if (!order)
		return NULL;
	for (i = 0; i < b->e.n; i++)
		order[i] = &b->e.v[i];
	qsort(order, b->e.n, sizeof *order, entry_cmp);
	sb_printf(&sb, "{\n  \"version\": %d,\n  \"findings\": [",
		  BASELINE_VERSION);
	for (i = 0; i < b->e.n; i++) {
		const struct entry *e = order[i];

		sb_puts(&sb, i ? ",\n    {" : "\n    {");
		put_str(&sb, "file", e->file, true);
		put_str(&sb, "rule_id", e->rule_id, true);
		put_str(&sb, "rule_name", e->rule_name, true);
		put_str(&sb, "check", e->check, true);
		put_str(&sb, "name", e->name, true);
		put_str(&sb, "fingerprint", e->fp, true);
		sb_printf(&sb, "\"count\": %u, ", e->count);
		put_str(&sb, "message", e->message, false);
		sb_putc(&sb, '}');
	}
	sb_puts(&sb, b->e.n ? "\n  ]\n}\n" : "]\n}\n");
	free(order);
	return sb_take(&sb);
}

char *
rulec_ctx_baseline_render(const rulec_ctx *ctx)
{
	return ctx->recording ? baseline_render(ctx->recording) : NULL;
}

unsigned
rulec_ctx_baseline_count(const rulec_ctx *ctx, int recorded)
{
	return baseline_taken(recorded ? ctx->recording : ctx->baseline);
}
