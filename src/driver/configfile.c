/*
 * configfile.c - reading the configuration file and answering for it (see
 * configfile.h; the keys are in configfile.def, the user's view in
 * docs/configuration.md).
 */
#include "driver/configfile.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/glob.h"
#include "base/suggest.h"
#include "base/toml.h"
#include "base/vec.h"
#include "driver/ctx.h"
#include "driver/path.h"

enum cfg_table {
#define TABLE(e, name, kind, help) e,
#define KEY(e, table, name, type, help)
#include "driver/configfile.def"
#undef TABLE
#undef KEY
	CT__COUNT
};

enum cfg_key {
#define TABLE(e, name, kind, help)
#define KEY(e, table, name, type, help) e,
#include "driver/configfile.def"
#undef TABLE
#undef KEY
	CK__COUNT
};

static const char *const table_names[CT__COUNT] = {
#define TABLE(e, name, kind, help) name,
#define KEY(e, table, name, type, help)
#include "driver/configfile.def"
#undef TABLE
#undef KEY
};

static const struct {
	enum cfg_table table;
	const char *name;
} keys[CK__COUNT] = {
#define TABLE(e, name, kind, help)
#define KEY(e, table, name, type, help) { table, name },
#include "driver/configfile.def"
#undef TABLE
#undef KEY
};

/* A glob of [paths] exclude or of a suppression's path. */
struct pattern {
	const char *glob;       /* without a leading '/' or trailing '/' */
	bool anywhere;          /* no '/': a name at any depth */
	bool dir_only;          /* written with a trailing '/' */
};

/* One string of a suppression's `checks`, with what it stands for. */
struct entry {
	struct span span;
	const char *text;
	bool *ids;              /* D__COUNT flags */
	unsigned hits;
};

struct suppression {
	const char *rule;       /* rule_id or name; NULL: any */
	struct pattern path;    /* glob NULL: any file */
	const char *reason;
	struct span span;       /* the rule (or path) value */
	struct entry *entries;
	size_t nentries;
	bool any[D__COUNT];     /* the union of the entries */
};

struct config {
	struct arena *arena;    /* the context's catalogue arena */
	struct rc_source src;   /* the file; data malloc'd */
	struct rc_text text;
	char *dir;              /* canonical folder of the file */
	char *base;             /* its folder as the path to it says ("" for
				   the current one), for the names of the
				   files it names */
	VEC(struct pattern) exclude;
	VEC(struct suppression) supp;
	bool has_path_supp;
	/* the canonical path of the last file asked about, relative to dir
	 * (NULL: outside it), for path suppressions */
	char *last_name, *last_rel;
	bool last_known;
	/* [run] */
	const char *id_field, *category_field, *timestamp_field,
		*tiebreaker_field;
	long long size, max_samples, reorder, max_event;
	bool has_size, has_max_samples, has_reorder, has_max_event;
};

/* The reader's state. */
struct rd {
	rulec_ctx *ctx;
	struct config *c;
	struct diag_sink *ds;
	const struct rc_text *t;
	unsigned errors;        /* problems with the file reported */
};

static struct span
vspan(const struct json_value *v)
{
	return span_make(v->start, v->end);
}

static struct span
kspan(const struct json_member *m)
{
	return span_make(m->key_start, m->key_end);
}

static void
bad(struct rd *r, struct span sp, const char *help, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* A D_CONFIG_BAD_VALUE error at sp, with an optional help line. */
static void
bad(struct rd *r, struct span sp, const char *help, const char *fmt, ...)
{
	va_list ap;
	struct diag *d;

	va_start(ap, fmt);
	d = diag_vnew(r->ds, D_CONFIG_BAD_VALUE, r->t, sp, fmt, ap);
	va_end(ap);
	if (help)
		diag_help(r->ds, d, "%s", help);
	diag_emit(r->ds, d);
	r->errors++;
}

static const char *
type_phrase(const struct json_value *v)
{
	switch (v->type) {
	case JSON_OBJECT: return "a table";
	case JSON_ARRAY: return "a list";
	case JSON_NUMBER: return "a number";
	case JSON_BOOL: return "a boolean";
	case JSON_NULL: return "nothing";
	default: return "a string";
	}
}

static bool
want(struct rd *r, const struct json_member *m, enum json_type t,
     const char *what)
{
	if (m->value->type == t)
		return true;
	bad(r, vspan(m->value), NULL, "'%s' must be %s, not %s", m->key, what,
	    type_phrase(m->value));
	return false;
}

/* Adds the check names and the family names to a suggestion. */
static void
suggest_checks(struct suggest *sg)
{
	unsigned i;

	for (i = 0; i < D__COUNT; i++)
		suggest_add(sg, diag_table[i].name,
			    strlen(diag_table[i].name));
	for (i = 0; i < FAM__COUNT; i++)
		suggest_add(sg, diag_family_name((enum diag_family)i),
			    strlen(diag_family_name((enum diag_family)i)));
}

/* Reports a key that table `tb` (CT__COUNT: the top level) lacks, with the
 * closest known one; in [checks] the known keys are the checks. */
static void
unknown_key(struct rd *r, const struct json_member *m, int tb)
{
	struct suggest sg;
	struct diag *d;
	unsigned i;

	suggest_init(&sg, m->key, m->keylen, true);
	if (tb == CT__COUNT) {
		for (i = 0; i < CT__COUNT; i++)
			suggest_add(&sg, table_names[i],
				    strlen(table_names[i]));
	} else {
		for (i = 0; i < CK__COUNT; i++)
			if ((int)keys[i].table == tb &&
			    strcmp(keys[i].name, "*") != 0)
				suggest_add(&sg, keys[i].name,
					    strlen(keys[i].name));
		if (tb == CT_CHECKS)
			suggest_checks(&sg);
	}
	if (tb == CT__COUNT)
		d = diag_new(r->ds, D_CONFIG_UNKNOWN_KEY, r->t, kspan(m),
			     "unknown table or key '%s'", m->key);
	else if (tb == CT_CHECKS)
		d = diag_new(r->ds, D_CONFIG_UNKNOWN_KEY, r->t, kspan(m),
			     "'%s' is no check, family or key of [checks]",
			     m->key);
	else
		d = diag_new(r->ds, D_CONFIG_UNKNOWN_KEY, r->t, kspan(m),
			     "unknown key '%s' in [%s%s%s]", m->key,
			     tb == CT_SUPPRESS ? "[" : "", table_names[tb],
			     tb == CT_SUPPRESS ? "]" : "");
	if (suggest_best(&sg))
		diag_help(r->ds, d, "did you mean '%s'?", suggest_best(&sg));
	else if (tb == CT_CHECKS)
		diag_help(r->ds, d, "'rulec explain' lists the checks");
	diag_emit(r->ds, d);
	r->errors++;
}

/* The key of table tb called name, or CK__COUNT. */
static enum cfg_key
find_key(int tb, const char *name)
{
	unsigned i;

	for (i = 0; i < CK__COUNT; i++)
		if ((int)keys[i].table == tb && strcmp(keys[i].name, name) == 0)
			return (enum cfg_key)i;
	return CK__COUNT;
}

/* The checks a name stands for (a check's id or name, or a family), into
 * ids[D__COUNT]; false if it is none. */
static bool
checks_named(const char *name, bool *ids)
{
	enum diag_id id = diag_lookup(name);
	bool any = false;
	unsigned i;

	if (id != D__COUNT) {
		ids[id] = true;
		return true;
	}
	for (i = 0; i < D__COUNT; i++)
		if (strcasecmp(diag_family_name(diag_table[i].family),
			       name) == 0) {
			ids[i] = true;
			any = true;
		}
	return any;
}

/* A string naming checks, reported with a suggestion when it names none;
 * the ids are set in ids. */
static bool
check_value(struct rd *r, const struct json_value *v, bool *ids)
{
	struct suggest sg;
	struct diag *d;

	if (v->type != JSON_STRING) {
		bad(r, vspan(v), NULL, "a check is named by a string, not %s",
		    type_phrase(v));
		return false;
	}
	if (checks_named(v->u.str.s, ids))
		return true;
	suggest_init(&sg, v->u.str.s, v->u.str.len, true);
	suggest_checks(&sg);
	d = diag_new(r->ds, D_CONFIG_UNKNOWN_KEY, r->t, vspan(v),
		     "'%s' is no check or family", v->u.str.s);
	if (suggest_best(&sg))
		diag_help(r->ds, d, "did you mean '%s'?", suggest_best(&sg));
	else
		diag_help(r->ds, d, "'rulec explain' lists the checks");
	diag_emit(r->ds, d);
	r->errors++;
	return false;
}

static bool
level_of(const char *s, enum diag_severity *sev)
{
	static const struct { const char *name; enum diag_severity sev; }
	levels[] = { { "error", SEV_ERROR }, { "warning", SEV_WARNING },
		     { "note", SEV_NOTE }, { "off", SEV_OFF } };
	unsigned i;

	for (i = 0; i < 4; i++)
		if (strcasecmp(s, levels[i].name) == 0) {
			*sev = levels[i].sev;
			return true;
		}
	return false;
}

/* A level that is none of the four, with the closest one. */
static void
bad_level(struct rd *r, const struct json_member *m)
{
	static const char *const names[] = { "error", "warning", "note",
					     "off" };
	struct suggest sg;
	char help[64];
	unsigned i;

	snprintf(help, sizeof help, "write \"error\", \"warning\", \"note\" "
		 "or \"off\"");
	if (m->value->type == JSON_STRING) {
		suggest_init(&sg, m->value->u.str.s, m->value->u.str.len, true);
		for (i = 0; i < 4; i++)
			suggest_add(&sg, names[i], strlen(names[i]));
		if (suggest_best(&sg))
			snprintf(help, sizeof help, "did you mean \"%s\"?",
				 suggest_best(&sg));
	}
	bad(r, vspan(m->value), help, "the level of '%s' must be error, "
	    "warning, note or off", m->key);
}

/* [checks]: families first, then single checks, so that the more precise
 * setting wins whatever the order of the file; then werror. */
static void
read_checks(struct rd *r, const struct json_value *tbl)
{
	struct diag_sink *s = &r->ctx->sink;
	size_t i;
	int pass;
	bool ids[D__COUNT];

	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < tbl->u.obj.n; i++) {
			const struct json_member *m = &tbl->u.obj.members[i];
			enum diag_severity sev;
			bool family;
			unsigned k;

			if (strcmp(m->key, "werror") == 0)
				continue;
			family = diag_lookup(m->key) == D__COUNT;
			if (family != (pass == 0))
				continue;
			memset(ids, 0, sizeof ids);
			if (!checks_named(m->key, ids)) {
				unknown_key(r, m, CT_CHECKS);
				continue;
			}
			if (m->value->type != JSON_STRING ||
			    !level_of(m->value->u.str.s, &sev)) {
				bad_level(r, m);
				continue;
			}
			for (k = 0; k < D__COUNT; k++)
				if (ids[k])
					s->level[k] = sev;
		}
	for (i = 0; i < tbl->u.obj.n; i++) {
		const struct json_member *m = &tbl->u.obj.members[i];
		const struct json_value *v = m->value;
		size_t j;
		unsigned k;

		if (strcmp(m->key, "werror") != 0)
			continue;
		if (v->type == JSON_BOOL) {
			s->werror = v->u.b;
			continue;
		}
		if (v->type != JSON_ARRAY) {
			bad(r, vspan(v), NULL, "'werror' must be true, false "
			    "or a list of checks, not %s", type_phrase(v));
			continue;
		}
		for (j = 0; j < v->u.arr.n; j++) {
			memset(ids, 0, sizeof ids);
			if (check_value(r, v->u.arr.items[j], ids))
				for (k = 0; k < D__COUNT; k++)
					if (ids[k])
						s->promote[k] = 1;
		}
	}
}

/* A glob as written: a trailing '/' means folders only, a leading '/'
 * anchors it (as any '/' does). */
static bool
make_pattern(struct rd *r, const struct json_value *v, struct pattern *p)
{
	size_t n;
	const char *s;
	char *g;

	if (v->type != JSON_STRING || !v->u.str.len) {
		bad(r, vspan(v), NULL, "a glob pattern is a non-empty string, "
		    "not %s", v->type == JSON_STRING ? "an empty one"
						     : type_phrase(v));
		return false;
	}
	s = v->u.str.s;
	n = v->u.str.len;
	p->dir_only = n > 1 && s[n - 1] == '/';
	if (p->dir_only)
		n--;
	p->anywhere = !memchr(s, '/', n);
	if (*s == '/' && n > 1) {
		s++;
		n--;
	}
	g = arena_strndup(r->c->arena, s, n);
	p->glob = g;
	return g != NULL;
}

static bool
pattern_match(const struct pattern *p, const char *rel, bool is_dir)
{
	const char *name = strrchr(rel, '/');

	if (p->dir_only && !is_dir)
		return false;
	return glob_path_match(p->glob, p->anywhere && name ? name + 1 : rel);
}

static void
read_paths(struct rd *r, const struct json_value *tbl)
{
	size_t i, j;

	for (i = 0; i < tbl->u.obj.n; i++) {
		const struct json_member *m = &tbl->u.obj.members[i];

		if (find_key(CT_PATHS, m->key) != CK_EXCLUDE) {
			unknown_key(r, m, CT_PATHS);
			continue;
		}
		if (!want(r, m, JSON_ARRAY, "a list of glob patterns"))
			continue;
		for (j = 0; j < m->value->u.arr.n; j++) {
			struct pattern p;
			if (make_pattern(r, m->value->u.arr.items[j], &p) &&
			    vec_push(&r->c->exclude, p) < 0)
				r->c->arena->oom = true;
		}
	}
}

static const struct json_value *
nonempty_string(struct rd *r, const struct json_member *m)
{
	if (!want(r, m, JSON_STRING, "a string"))
		return NULL;
	if (!m->value->u.str.len) {
		bad(r, vspan(m->value), NULL, "'%s' is empty", m->key);
		return NULL;
	}
	return m->value;
}

/* One [[suppress]] table; kept only when complete. */
static void
read_suppression(struct rd *r, const struct json_value *tbl)
{
	struct suppression sp;
	const struct json_value *rule = NULL, *path = NULL, *checks = NULL,
		*reason = NULL;
	bool ok = true;
	size_t i;

	memset(&sp, 0, sizeof sp);
	if (tbl->type != JSON_OBJECT) {
		bad(r, vspan(tbl), NULL, "a suppression is a table, not %s",
		    type_phrase(tbl));
		return;
	}
	for (i = 0; i < tbl->u.obj.n; i++) {
		const struct json_member *m = &tbl->u.obj.members[i];

		switch (find_key(CT_SUPPRESS, m->key)) {
		case CK_RULE:
			ok &= (rule = nonempty_string(r, m)) != NULL;
			break;
		case CK_PATH:
			ok &= make_pattern(r, m->value, &sp.path);
			path = m->value;
			break;
		case CK_CHECKS:
			checks = m->value;
			break;
		case CK_REASON:
			ok &= (reason = nonempty_string(r, m)) != NULL;
			break;
		default:
			unknown_key(r, m, CT_SUPPRESS);
			ok = false;
			break;
		}
	}
	if (!rule && !path && ok) {
		bad(r, span_make(tbl->start, tbl->start), "add rule = \"<rule_id "
		    "or name>\" (or path = \"<glob>\")",
		    "this suppression names no rule: it needs 'rule' or 'path'");
		ok = false;
	}
	if (!reason && ok) {
		bad(r, span_make(tbl->start, tbl->start), "add reason = \"...\": "
		    "why the finding is accepted",
		    "this suppression gives no reason");
		ok = false;
	}
	if (!checks) {
		if (ok)
			bad(r, span_make(tbl->start, tbl->start),
			    "add checks = [\"<check id, name or family>\"]",
			    "this suppression names no checks");
		return;
	}
	if (checks->type != JSON_ARRAY || !checks->u.arr.n) {
		bad(r, vspan(checks), NULL, "'checks' must be a non-empty list "
		    "of checks, not %s", checks->type == JSON_ARRAY
		    ? "an empty one" : type_phrase(checks));
		return;
	}
	sp.entries = ARENA_NEWV(r->c->arena, struct entry, checks->u.arr.n);
	if (!sp.entries)
		return;
	for (i = 0; i < checks->u.arr.n; i++) {
		const struct json_value *v = checks->u.arr.items[i];
		struct entry *e = &sp.entries[sp.nentries];
		unsigned k;

		e->ids = ARENA_NEWV(r->c->arena, bool, D__COUNT);
		if (!e->ids)
			return;
		if (!check_value(r, v, e->ids)) {
			ok = false;
			continue;
		}
		e->span = vspan(v);
		e->text = v->u.str.s;
		for (k = 0; k < D__COUNT; k++)
			sp.any[k] |= e->ids[k];
		sp.nentries++;
	}
	if (!ok)
		return;
	sp.rule = rule ? rule->u.str.s : NULL;
	sp.reason = reason->u.str.s;
	sp.span = vspan(rule ? rule : path);
	r->c->has_path_supp |= path != NULL;
	if (vec_push(&r->c->supp, sp) < 0)
		r->c->arena->oom = true;
}

static void
read_schema(struct rd *r, const struct json_value *tbl)
{
	size_t i, j;

	for (i = 0; i < tbl->u.obj.n; i++) {
		const struct json_member *m = &tbl->u.obj.members[i];

		if (find_key(CT_SCHEMA, m->key) != CK_FILES) {
			unknown_key(r, m, CT_SCHEMA);
			continue;
		}
		if (!want(r, m, JSON_ARRAY, "a list of file names"))
			continue;
		for (j = 0; j < m->value->u.arr.n; j++) {
			const struct json_value *v = m->value->u.arr.items[j];
			char *file;
			int rc;

			if (v->type != JSON_STRING || !v->u.str.len) {
				bad(r, vspan(v), NULL, "a schema file is named "
				    "by a non-empty string");
				continue;
			}
			file = path_join(r->c->base, v->u.str.s);
			if (!file) {
				r->c->arena->oom = true;
				return;
			}
			errno = 0;
			rc = rulec_ctx_add_schema_file(r->ctx, file);
			if (rc == RULEC_ERR_IO)
				bad(r, vspan(v), NULL, "cannot read schema file "
				    "'%s': %s", file, strerror(errno ? errno
								     : EIO));
			else if (rc != RULEC_OK)
				r->c->arena->oom = true;
			free(file);
		}
	}
}

/* A non-negative integer of [run]; false after an error. */
static bool
count_value(struct rd *r, const struct json_member *m, long long *out)
{
	const struct json_value *v = m->value;

	if (v->type != JSON_NUMBER || !v->u.num.is_int || v->u.num.i < 0) {
		bad(r, vspan(v), NULL, "'%s' must be a whole number of at "
		    "least 0", m->key);
		return false;
	}
	*out = v->u.num.i;
	return true;
}

static void
read_run(struct rd *r, const struct json_value *tbl)
{
	struct config *c = r->c;
	size_t i;

	for (i = 0; i < tbl->u.obj.n; i++) {
		const struct json_member *m = &tbl->u.obj.members[i];
		enum cfg_key k = find_key(CT_RUN, m->key);
		const struct json_value *v;

		switch (k) {
		case CK_ID_FIELD:
		case CK_CAT_FIELD:
		case CK_TS_FIELD:
		case CK_TB_FIELD:
			if (!(v = nonempty_string(r, m)))
				break;
			*(k == CK_ID_FIELD ? &c->id_field
			  : k == CK_CAT_FIELD ? &c->category_field
			  : k == CK_TS_FIELD ? &c->timestamp_field
			  : &c->tiebreaker_field) = v->u.str.s;
			break;
		case CK_SIZE:
			c->has_size = count_value(r, m, &c->size);
			break;
		case CK_MAX_SAMPLES:
			c->has_max_samples = count_value(r, m,
							 &c->max_samples);
			break;
		case CK_MAX_EVENT:
			c->has_max_event = count_value(r, m, &c->max_event);
			break;
		case CK_REORDER:
			if (m->value->type == JSON_STRING &&
			    strcmp(m->value->u.str.s, "all") == 0) {
				c->reorder = -1;
				c->has_reorder = true;
			} else if (m->value->type == JSON_STRING) {
				bad(r, vspan(m->value), NULL, "'%s' must be a "
				    "whole number of milliseconds or \"all\"",
				    m->key);
			} else {
				c->has_reorder = count_value(r, m,
							     &c->reorder);
			}
			break;
		default:
			unknown_key(r, m, CT_RUN);
			break;
		}
	}
}

/* The top level: each table in its reader. */
static void
read_file(struct rd *r, const struct json_value *root)
{
	size_t i, j;

	for (i = 0; i < root->u.obj.n; i++) {
		const struct json_member *m = &root->u.obj.members[i];
		const struct json_value *v = m->value;
		int tb;

		for (tb = 0; tb < CT__COUNT; tb++)
			if (strcmp(m->key, table_names[tb]) == 0)
				break;
		if (tb == CT__COUNT) {
			unknown_key(r, m, CT__COUNT);
			continue;
		}
		if (tb == CT_SUPPRESS) {
			if (v->type == JSON_OBJECT) {
				bad(r, vspan(v), "write [[suppress]] (two "
				    "brackets) before each suppression",
				    "'suppress' must be an array of tables");
				continue;
			}
			if (!want(r, m, JSON_ARRAY, "an array of tables"))
				continue;
			for (j = 0; j < v->u.arr.n; j++)
				read_suppression(r, v->u.arr.items[j]);
			continue;
		}
		if (!want(r, m, JSON_OBJECT, "a table"))
			continue;
		switch (tb) {
		case CT_CHECKS:
			read_checks(r, v);
			break;
		case CT_PATHS:
			read_paths(r, v);
			break;
		case CT_SCHEMA:
			read_schema(r, v);
			break;
		default:
			read_run(r, v);
			break;
		}
	}
}

void
config_free(struct config *c)
{
	if (!c)
		return;
	free((char *)c->src.data);
	source_free_lines(&c->src);
	free(c->dir);
	free(c->base);
	free(c->last_name);
	free(c->last_rel);
	vec_free(&c->exclude);
	vec_free(&c->supp);
	free(c);
}

/* A diagnostic about the whole file (it cannot be read). */
static void
file_problem(rulec_ctx *ctx, const char *path, const char *msg)
{
	struct rc_source *s = ARENA_NEW(&ctx->cat_arena, struct rc_source);
	struct diag *d;

	if (!s || !(s->name = arena_strdup(&ctx->cat_arena, path)))
		return;
	d = diag_new(&ctx->sink, D_IO_ERROR, NULL, span_make(0, 0),
		     "cannot read the configuration file: %s", msg);
	if (d)
		d->file = s;
	diag_emit(&ctx->sink, d);
}

int
rulec_ctx_load_config(rulec_ctx *ctx, const char *path)
{
	struct config *c;
	struct rd r;
	struct json_error err;
	const struct json_value *root;
	char *data = NULL, *nd;
	size_t len = 0;
	const char *slash = strrchr(path, '/');
	int rc;

	rc = ctx_slurp(path, &data, &len);
	if (rc == RULEC_ERR_IO) {
		file_problem(ctx, path, strerror(errno));
		return RULEC_ERR_IO;
	}
	if (rc != RULEC_OK)
		return rc;
	nd = realloc(data, len + 1);
	c = calloc(1, sizeof *c);
	if (!nd || !c) {
		free(nd ? nd : data);
		free(c);
		return RULEC_ERR_NOMEM;
	}
	nd[len] = '\0';
	c->arena = &ctx->cat_arena;
	c->src.data = nd;
	c->src.len = len;
	c->src.name = arena_strdup(c->arena, path);
	c->text.src = &c->src;
	c->text.data = nd;
	c->text.len = len;
	c->dir = path_real_dir(path);
	c->base = strndup(path, slash ? (size_t)(slash - path + 1) : 0);
	if (!c->src.name || !c->dir || !c->base) {
		rc = c->dir || !c->src.name ? RULEC_ERR_NOMEM : RULEC_ERR_IO;
		if (!c->dir)
			file_problem(ctx, path, strerror(errno));
		config_free(c);
		return rc;
	}
	/* a second file replaces the first */
	config_free(ctx->config);
	ctx->config = c;
	memset(&r, 0, sizeof r);
	r.ctx = ctx;
	r.c = c;
	r.ds = &ctx->sink;
	r.t = &c->text;
	root = toml_parse(c->arena, nd, len, &err);
	if (!root) {
		if (c->arena->oom)
			return RULEC_ERR_NOMEM;
		diag_report(&ctx->sink, D_CONFIG_SYNTAX, &c->text,
			    span_make(err.offset, err.offset < len
					      ? err.offset + 1 : err.offset),
			    "malformed TOML: %s", err.message);
		r.errors++;
	} else {
		/* in file order, whatever order the tables are read in */
		diag_defer(&ctx->sink);
		read_file(&r, root);
		diag_flush(&ctx->sink);
	}
	if (c->arena->oom)
		return RULEC_ERR_NOMEM;
	return r.errors ? RULEC_ERR_ARG : RULEC_OK;
}

void
rulec_ctx_config_replay_opts(const rulec_ctx *ctx, rulec_replay_opts *o)
{
	const struct config *c = ctx->config;

	if (!c)
		return;
	if (c->id_field)
		o->id_field = c->id_field;
	if (c->category_field)
		o->category_field = c->category_field;
	if (c->timestamp_field)
		o->timestamp_field = c->timestamp_field;
	if (c->tiebreaker_field)
		o->tiebreaker_field = c->tiebreaker_field;
	if (c->has_size)
		o->size = c->size;
	if (c->has_max_samples)
		o->max_samples_per_key = c->max_samples;
	if (c->has_reorder)
		o->reorder_ms = c->reorder < 0 ? INT64_MAX : c->reorder;
	if (c->has_max_event && c->max_event > 0)
		o->max_event_size = c->max_event;
}

const struct rc_source *
config_source(const struct config *c)
{
	return &c->src;
}

bool
config_excluded(const struct config *c, const char *dir, const char *name,
		bool is_dir)
{
	const char *below;
	char *rel;
	size_t i;
	bool hit = false;

	if (!c || !c->exclude.n || !(below = path_below(c->dir, dir)))
		return false;
	rel = path_join(below, name);
	if (!rel)
		return false;
	for (i = 0; i < c->exclude.n && !hit; i++)
		hit = pattern_match(&c->exclude.v[i], rel, is_dir);
	free(rel);
	return hit;
}

/* The file of d relative to the configuration's folder (cached for the
 * last file asked about); NULL when it lies outside. */
static const char *
rel_file(struct config *c, const struct diag *d)
{
	struct diag_loc loc;
	char *real;
	const char *below;

	diag_location(d, &loc);
	if (!loc.file)
		return NULL;
	if (c->last_known && strcmp(c->last_name, loc.file) == 0)
		return c->last_rel;
	free(c->last_name);
	free(c->last_rel);
	c->last_rel = NULL;
	c->last_known = (c->last_name = strdup(loc.file)) != NULL;
	real = path_real(loc.file);
	below = real ? path_below(c->dir, real) : NULL;
	if (below)
		c->last_rel = strdup(below);
	free(real);
	return c->last_rel;
}

static bool
rule_matches(const struct suppression *sp, const char *id, const char *name)
{
	return (id && strcasecmp(sp->rule, id) == 0) ||
	       (name && strcmp(sp->rule, name) == 0);
}

bool
config_suppresses(struct config *c, const struct diag *d)
{
	size_t i, k;

	if (!c || !c->supp.n || (d->file && d->file == &c->src))
		return false;
	for (i = 0; i < c->supp.n; i++) {
		struct suppression *sp = &c->supp.v[i];
		const char *rel;
		bool took = false;

		if (!sp->any[d->id])
			continue;
		if (sp->rule && !rule_matches(sp, d->rule.id, d->rule.name))
			continue;
		if (sp->path.glob && (!(rel = rel_file(c, d)) ||
				      !pattern_match(&sp->path, rel, false)))
			continue;
		for (k = 0; k < sp->nentries; k++)
			if (sp->entries[k].ids[d->id]) {
				sp->entries[k].hits++;
				took = true;
			}
		if (took)
			return true;
	}
	return false;
}

/* Whether the suppression names rule r (by id or name, and by file). */
static bool
names_rule(struct config *c, const struct suppression *sp,
	   const struct rc_rule *r)
{
	if (sp->rule && !rule_matches(sp, r->meta.id, r->meta.name))
		return false;
	if (sp->path.glob) {
		char *real = path_real(r->src->name);
		const char *below = real ? path_below(c->dir, real) : NULL;
		bool hit = below && pattern_match(&sp->path, below, false);

		free(real);
		return hit;
	}
	return true;
}

void
config_report_unused(struct config *c, struct diag_sink *s,
		     struct rc_rule *const *rules, size_t n)
{
	size_t i, j, k;

	if (!c)
		return;
	for (i = 0; i < c->supp.n; i++) {
		const struct suppression *sp = &c->supp.v[i];
		const struct rc_rule *seen = NULL;

		for (j = 0; j < n && !seen; j++)
			if (names_rule(c, sp, rules[j]))
				seen = rules[j];
		if (!seen)
			continue;
		for (k = 0; k < sp->nentries; k++) {
			const struct entry *e = &sp->entries[k];
			struct diag *d;
			bool on = false;
			unsigned id;

			/* a check turned off suppresses nothing, rightly */
			for (id = 0; id < D__COUNT && !on; id++)
				on = e->ids[id] && s->level[id] != SEV_OFF;
			if (e->hits || !on)
				continue;
			d = diag_new(s, D_UNUSED_SUPPRESSION, &c->text, e->span,
				     "'%s' is suppressed for %s '%s', which "
				     "reports nothing of it", e->text,
				     sp->rule ? "rule" : "files", sp->rule
				     ? sp->rule : sp->path.glob);
			diag_note(s, d, NULL, span_make(0, 0),
				  "the reason given: %s", sp->reason);
			diag_help(s, d, "remove it from the suppression, so "
				  "that it cannot hide a later finding");
			diag_emit(s, d);
		}
	}
}
