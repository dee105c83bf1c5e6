/*
 * test.c - `rulec test`: runs the tests of test files (testfile.h) against
 * their rules and reports one record per test.
 *
 * A test file's rules are loaded into the context (cleared first), checked
 * and compiled into an image in memory; its events are read here first --
 * each line parsed, so that a malformed one is located in the file the
 * user edits, relative times are made absolute and event ids collected --
 * and then replayed through the image with the public replay interface.
 * The file's shared events are replayed once for every test that has none
 * of its own; a test with its own events gets a fresh replay (fresh
 * sequence, sample and process-table state).  Results are compared with
 * the expectations; docs/testing.md states the semantics.
 */
#include "rulec.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>

#include "base/arena.h"
#include "base/encoding.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/hash.h"
#include "base/vec.h"
#include "driver/ctx.h"
#include "driver/prove.h"
#include "driver/test.h"
#include "driver/testrun.h"
#include "vm/interp.h"
#include "driver/testfile.h"
#include "report/sarif.h"

/* The base of relative times: 2024-01-01T00:00:00.000Z. */
#define REL_BASE_MS 1704067200000LL

/* ---------------------------------------------------------------- utils */

static void
got_free(struct got *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->ids[i]);
	free(g->ids);
	free(g->keys);
}

void
scope_free(struct scope *s)
{
	for (size_t i = 0; i < s->ids.n; i++)
		free(s->ids.v[i]);
	vec_free(&s->ids);
	vec_free(&s->id_line);
	hash_free(&s->id_idx);
	hash_free(&s->first_idx);
	hash_free(&s->any_idx);
	vec_free(&s->any_res);
	vec_free(&s->any_pos);
	for (size_t i = 0; i < s->got.n; i++)
		got_free(&s->got.v[i]);
	vec_free(&s->got);
	for (size_t i = 0; i < s->ogot.n; i++)
		got_free(&s->ogot.v[i]);
	vec_free(&s->ogot);
	sb_free(&s->ndjson);
}

static uint32_t
hash_of(const char *s)
{
	return hash_str(s, strlen(s));
}

/* Indexes the scope's event ids (once); false on out of memory. */
static bool
index_ids(struct scope *sc)
{
	if (sc->ids_indexed)
		return true;
	sc->ids_indexed = true;
	for (size_t i = 0; i < sc->ids.n; i++)
		if (hash_add(&sc->id_idx, hash_of(sc->ids.v[i]), (uint32_t)i) < 0)
			return false;
	return true;
}

/* Indexes the scope's results (once, after its replay); false on out of
 * memory. */
static bool
index_got(struct scope *sc)
{
	size_t i, k;

	if (sc->got_indexed)
		return true;
	sc->got_indexed = true;
	for (i = 0; i < sc->got.n; i++) {
		const struct got *g = &sc->got.v[i];
		if (g->n && hash_add(&sc->first_idx, hash_of(g->ids[0]),
				     (uint32_t)i) < 0)
			return false;
		for (k = 0; k < g->n; k++) {
			if (hash_add(&sc->any_idx, hash_of(g->ids[k]),
				     (uint32_t)sc->any_res.n) < 0 ||
			    vec_push(&sc->any_res, (uint32_t)i) < 0 ||
			    vec_push(&sc->any_pos, (uint32_t)k) < 0)
				return false;
		}
	}
	return true;
}

/* Whether some event of the scope carries id (index_ids first). */
static bool
scope_has_id(const struct scope *sc, const char *id)
{
	uint32_t h = hash_of(id), pos = hash_first(&sc->id_idx, h), it;

	while ((it = hash_next(&sc->id_idx, h, &pos)) != HASH_NONE)
		if (strcmp(sc->ids.v[it], id) == 0)
			return true;
	return false;
}

/* Appends v as JSON to sb. */
static void
value_json(struct strbuf *sb, const rulec_value *v)
{
	switch (v->kind) {
	case RULEC_VALUE_NULL:
		sb_puts(sb, "null");
		break;
	case RULEC_VALUE_BOOL:
		sb_puts(sb, v->u.b ? "true" : "false");
		break;
	case RULEC_VALUE_INT:
	case RULEC_VALUE_DATE:
		sb_printf(sb, "%lld", v->u.i);
		break;
	case RULEC_VALUE_FLOAT:
		sb_printf(sb, "%.17g", v->u.f);
		break;
	case RULEC_VALUE_STRING:
		sb_putc(sb, '"');
		sb_json_escape(sb, v->u.str.s, v->u.str.len);
		sb_putc(sb, '"');
		break;
	case RULEC_VALUE_LIST:
		sb_putc(sb, '[');
		for (size_t i = 0; i < v->u.list.n; i++) {
			rulec_value e = rulec_value_elem(v, i);
			if (i)
				sb_putc(sb, ',');
			value_json(sb, &e);
		}
		sb_putc(sb, ']');
		break;
	}
}

/* The event id of a result event as the tests write it: a string as is,
 * anything else as its JSON text. */
static char *
id_text(const rulec_value *v)
{
	struct strbuf sb = STRBUF_INIT;

	if (v->kind == RULEC_VALUE_STRING)
		sb_put(&sb, v->u.str.s, v->u.str.len);
	else
		value_json(&sb, v);
	return sb_take(&sb);
}

/* Appends a result (ids) as a JSON array. */
void
ids_json(struct strbuf *sb, char *const *ids, size_t n)
{
	sb_putc(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_putc(sb, ',');
		sb_putc(sb, '"');
		sb_json_escape(sb, ids[i], strlen(ids[i]));
		sb_putc(sb, '"');
	}
	sb_putc(sb, ']');
}

/* ------------------------------------------------------------- events */

/* Milliseconds of a relative time "+1h1ms", "+0s", "-5m"; false when
 * malformed. */
static bool
rel_time(const char *s, size_t n, long long *ms)
{
	static const struct { const char *u; long long ms; } units[] = {
		{ "ms", 1 }, { "d", 86400000LL }, { "h", 3600000LL },
		{ "m", 60000 }, { "s", 1000 }
	};
	long long sign, total = 0;
	size_t i;

	if (n < 2 || (s[0] != '+' && s[0] != '-'))
		return false;
	sign = s[0] == '-' ? -1 : 1;
	for (i = 1; i < n;) {
		long long v = 0;
		size_t j, u, ul = 0;
		if (s[i] < '0' || s[i] > '9')
			return false;
		for (j = i; j < n && s[j] >= '0' && s[j] <= '9'; j++) {
			if (v > 100000000000LL)
				return false;
			v = v * 10 + (s[j] - '0');
		}
		for (u = 0; u < sizeof units / sizeof *units; u++) {
			ul = strlen(units[u].u);
			if (j + ul <= n && memcmp(s + j, units[u].u, ul) == 0)
				break;
		}
		if (u == sizeof units / sizeof *units)
			return false;
		total += v * units[u].ms;
		if (total > 100LL * 366 * 86400000LL)
			return false;   /* a century is enough for a test */
		i = j + ul;
	}
	*ms = sign * total;
	return true;
}

/* The value at a dotted path of an event object: nested objects, dotted
 * keys, or a mix ("event.id" as {"event":{"id":..}} or {"event.id":..});
 * with duplicate keys the last one. */
const struct json_value *
get_path(const struct json_value *obj, const char *path)
{
	size_t i, plen = strlen(path);

	if (!obj || obj->type != JSON_OBJECT)
		return NULL;
	for (i = obj->u.obj.n; i-- > 0;) {
		const struct json_member *m = &obj->u.obj.members[i];
		if (m->keylen == plen && memcmp(m->key, path, plen) == 0)
			return m->value;
		if (m->keylen < plen && path[m->keylen] == '.' &&
		    memcmp(m->key, path, m->keylen) == 0) {
			const struct json_value *v =
				get_path(m->value, path + m->keylen + 1);
			if (v)
				return v;
		}
	}
	return NULL;
}

/* Reads NDJSON events data[0..len) into the scope: every non-blank line
 * must be a JSON object; relative times become absolute (when rel); ids
 * are collected.  Errors are located through t, whose decoded text is
 * data. */
static void
read_events(struct run *rn, struct scope *sc, const struct rc_text *t,
	    bool rel, const char *id_field, const char *ts_field)
{
	const char *data = t->data;
	size_t len = t->len, off = 0;
	struct arena a;

	arena_init(&a, NULL);
	while (off < len) {
		const char *nl = memchr(data + off, '\n', len - off);
		size_t end = nl ? (size_t)(nl - data) : len, i;
		struct json_error je;
		const struct json_value *ev, *id, *ts;

		for (i = off; i < end && (data[i] == ' ' || data[i] == '\t' ||
					  data[i] == '\r'); i++)
			;
		if (i == end) {
			off = end + 1;
			continue;
		}
		ev = json_parse_range(&a, data, off, end, &je);
		if (!ev || ev->type != JSON_OBJECT) {
			uint32_t at = ev ? (uint32_t)i : je.offset;
			diag_report(&rn->ctx->sink, D_TEST_BAD_EVENT, t,
				    span_make(at, at + 1), "%s",
				    ev ? "an event must be a JSON object"
				       : je.message);
			rn->errors++;
			sc->ok = false;
			off = end + 1;
			continue;
		}
		id = get_path(ev, id_field);
		if (id && (id->type == JSON_STRING || id->type == JSON_NUMBER)) {
			char *s = strdup(id->type == JSON_STRING ?
					  id->u.str.s : id->u.num.raw);
			if (!s || vec_push(&sc->ids, s) < 0)
				free(s);
			else if (vec_push(&sc->id_line,
					  (uint32_t)sc->ndjson.len) < 0)
				sc->ok = false;
		}
		ts = rel ? get_path(ev, ts_field) : NULL;
		if (ts && ts->type == JSON_STRING) {
			long long ms;
			char buf[80];
			if (rel_time(ts->u.str.s, ts->u.str.len, &ms) &&
			    REL_BASE_MS + ms < 0) {
				diag_report(&rn->ctx->sink, D_TEST_BAD_EVENT,
					    t, span_make(ts->start, ts->end),
					    "the relative time \"%s\" falls before 1970 (relative times count from 2024-01-01T00:00:00Z)",
					    ts->u.str.s);
				rn->errors++;
				sc->ok = false;
				off = end + 1;
				continue;
			}
			if (!rel_time(ts->u.str.s, ts->u.str.len, &ms)) {
				diag_report(&rn->ctx->sink, D_TEST_BAD_EVENT,
					    t, span_make(ts->start, ts->end),
					    "with time = \"relative\", %s is written like \"+0s\", \"+10m\" or \"+1h1ms\" (units d, h, m, s, ms), not \"%s\"",
					    ts_field, ts->u.str.s);
				rn->errors++;
				sc->ok = false;
				off = end + 1;
				continue;
			}
			vm_format_date(REL_BASE_MS + ms, buf, sizeof buf);
			sb_put(&sc->ndjson, data + off, ts->start - off);
			sb_printf(&sc->ndjson, "\"%s\"", buf);
			sb_put(&sc->ndjson, data + ts->end, end - ts->end);
		} else {
			sb_put(&sc->ndjson, data + off, end - off);
		}
		sb_putc(&sc->ndjson, '\n');
		off = end + 1;
	}
	arena_release(&a);
}

/* Reads a file into an rc_source the context owns (freed when it is
 * cleared), so diagnostics can show its lines.  NULL when it cannot be
 * read (errno kept). */
static struct rc_source *
read_source(rulec_ctx *ctx, const char *path)
{
	struct rc_source *s = ARENA_NEW(&ctx->arena, struct rc_source);
	char *data;
	size_t len;

	if (!s || ctx_slurp(path, &data, &len) != RULEC_OK)
		return NULL;
	s->name = arena_strdup(&ctx->arena, path);
	s->data = data;
	s->len = len;
	if (!s->name || vec_push(&ctx->sources, s) < 0) {
		free(data);
		return NULL;
	}
	return s;
}

/* A path written in the test file, resolved against its folder. */
static char *
resolve(struct run *rn, const char *p)
{
	if (p[0] == '/' || !rn->dir[0])
		return arena_strdup(&rn->ctx->arena, p);
	return arena_printf(&rn->ctx->arena, "%s%s", rn->dir, p);
}

/* Fills a scope from events sources (inline text and files). */
static void
load_scope(struct run *rn, struct scope *sc, const struct tf_events *ev,
	   enum tf_time tm)
{
	const char *idf = rn->tf.id_field ? rn->tf.id_field->u.str.s : "event.id";
	const char *tsf = rn->tf.timestamp_field ?
			  rn->tf.timestamp_field->u.str.s : "@timestamp";
	bool rel = (tm != TF_TIME_UNSET ? tm : rn->tf.time) == TF_TIME_RELATIVE;
	size_t i;

	sc->ok = true;
	if (ev->text) {
		struct rc_text *t = ARENA_NEW(&rn->ctx->arena, struct rc_text);
		if (!t) {
			sc->ok = false;
			return;
		}
		json_string_text(ev->text, rn->tf.text.src, t);
		read_events(rn, sc, t, rel, idf, tsf);
	}
	for (i = 0; i < ev->nfiles; i++) {
		const struct json_value *f = ev->files[i];
		char *p = resolve(rn, f->u.str.s);
		struct rc_source *s = p ? read_source(rn->ctx, p) : NULL;
		struct rc_text *t;

		if (!s) {
			diag_report(&rn->ctx->sink, D_TEST_REFERENCE,
				    &rn->tf.text, span_make(f->start, f->end),
				    "cannot read the events file %s: %s", p ? p : f->u.str.s,
				    strerror(errno));
			rn->errors++;
			sc->ok = false;
			continue;
		}
		if (!enc_require_utf8(&rn->ctx->sink, s)) {
			rn->errors++;   /* UTF-16: reported */
			sc->ok = false;
			continue;
		}
		t = ARENA_NEW(&rn->ctx->arena, struct rc_text);
		if (!t) {
			sc->ok = false;
			return;
		}
		t->src = s;
		t->data = s->data;
		t->len = s->len;
		read_events(rn, sc, t, rel, idf, tsf);
	}
}

/* The replay's result handler: keeps each result as ids and keys. */
void
on_match(void *ud, const rulec_match *m)
{
	struct scope *sc = ud;
	struct got g = { rulec_match_rule_index(m), NULL, 0, NULL, false, 0 };
	struct strbuf sb = STRBUF_INIT;
	size_t i, n = rulec_match_event_count(m);

	g.ids = calloc(n ? n : 1, sizeof *g.ids);
	for (i = 0; g.ids && i < n; i++) {
		rulec_match_event ev;
		if (rulec_match_get_event(m, i, &ev) != RULEC_OK)
			break;
		g.ids[i] = ev.missing ? strdup("-") : id_text(&ev.id);
		if (!g.ids[i])
			break;
		g.n++;
	}
	sb_putc(&sb, '[');
	for (i = 0; i < rulec_match_key_count(m); i++) {
		rulec_value k = rulec_match_key(m, i);
		if (i)
			sb_putc(&sb, ',');
		value_json(&sb, &k);
	}
	sb_putc(&sb, ']');
	g.keys = sb_take(&sb);
	if (!g.ids || g.n != n || !g.keys || vec_push(&sc->got, g) < 0) {
		got_free(&g);
		sc->ok = false;
	}
}

/* Where the first error of a replay goes (an event whose time is out of
 * range, a rule the engine leaves out), for the test's report. */
struct problem_buf {
	char *err;
	size_t errlen;
};

static void
on_problem(void *ud, const rulec_replay_diag *d)
{
	struct problem_buf *pb = ud;

	if (d->problem == RULEC_EVENTS_LATE ||
	    d->problem == RULEC_MAX_PARTIALS || !pb->errlen || pb->err[0])
		return;
	if (d->line)
		snprintf(pb->err, pb->errlen, "event %llu of the test: %s%s%s%s",
			 d->line, d->message, d->id ? " [" : "",
			 d->id ? d->id : "", d->id ? "]" : "");
	else
		snprintf(pb->err, pb->errlen, "%s%s%s%s", d->message,
			 d->id ? " [" : "", d->id ? d->id : "",
			 d->id ? "]" : "");
}

/* Replays ndjson through the image img with the file's options, the
 * results into out->got.  Returns 0, or -1 with err set when the image
 * cannot be replayed or the replay fails. */
int
replay_events(struct run *rn, const unsigned char *img, size_t imglen,
	      const struct strbuf *ndjson, struct scope *out, char *err,
	      size_t errlen)
{
	rulec_replay_opts o;
	rulec_replay *r;
	struct problem_buf pb;
	int rc = 0;

	rulec_replay_opts_init(&o);
	if (rn->tf.id_field)
		o.id_field = rn->tf.id_field->u.str.s;
	if (rn->tf.timestamp_field)
		o.timestamp_field = rn->tf.timestamp_field->u.str.s;
	if (rn->tf.category_field)
		o.category_field = rn->tf.category_field->u.str.s;
	if (rn->tf.tiebreaker_field)
		o.tiebreaker_field = rn->tf.tiebreaker_field->u.str.s;
	if (rn->tf.reorder_ms >= -1)
		o.reorder_ms = rn->tf.reorder_ms;
	r = rulec_replay_new(img, imglen, &o, err, errlen);
	if (!r)
		return -1;
	rulec_replay_set_match_handler(r, on_match, out);
	pb.err = err;
	pb.errlen = errlen;
	if (errlen)
		err[0] = '\0';
	rulec_replay_set_diag_handler(r, on_problem, &pb);
	if (rulec_replay_feed_buffer(r, rn->path, ndjson->data ? ndjson->data : "",
				     ndjson->len) != 0 ||
	    rulec_replay_finish(r) != RULEC_OK)
		rc = -1;
	rulec_replay_free(r);
	return rc;
}

/* --convert-to: replays the scope's events through the original rules
 * too, the results into sc->ogot. */
static int
replay_original(struct run *rn, struct scope *sc, char *err, size_t errlen)
{
	struct scope tmp;
	int rc;

	memset(&tmp, 0, sizeof tmp);
	tmp.ok = true;
	rc = replay_events(rn, rn->oimg, rn->oimglen, &sc->ndjson, &tmp, err,
			   errlen);
	sc->ogot.v = tmp.got.v;
	sc->ogot.n = tmp.got.n;
	sc->ogot.cap = tmp.got.cap;
	if (!tmp.ok)
		sc->ok = false;
	return rc;
}

/* Replays the scope's events through the rules' image. */
static void
replay_scope(struct run *rn, struct scope *sc)
{
	char err[256] = "";

	sc->replayed = true;
	if (replay_events(rn, rn->img, rn->imglen, &sc->ndjson, sc, err,
			  sizeof err) == 0 &&
	    (!rn->convert || replay_original(rn, sc, err, sizeof err) == 0))
		return;
	sc->ok = false;
	if (err[0]) {
		diag_report(&rn->ctx->sink, D_TEST_REFERENCE, &rn->tf.text,
			    span_make(0, 0), "the rules cannot be replayed: %s",
			    err);
		rn->errors++;
	}
}

/* ---------------------------------------------------------- evaluation */

/* Whether result g is of a rule the test speaks of. */
bool
rule_selected(const struct run *rn, const struct tf_test *t, size_t rule)
{
	const char *sel;

	if (!t->rule)
		return true;
	sel = t->rule->u.str.s;
	return rule < rn->nrules &&
	       ((rn->rule_ids[rule] && strcmp(rn->rule_ids[rule], sel) == 0) ||
		(rn->rule_names[rule] && strcmp(rn->rule_names[rule], sel) == 0));
}

bool
same_ids(const struct got *g, const struct tf_result *x)
{
	if (g->n != x->n)
		return false;
	for (size_t i = 0; i < x->n; i++)
		if (strcmp(g->ids[i], x->ids[i]) != 0)
			return false;
	return true;
}

bool
has_id(const struct got *g, const char *id)
{
	for (size_t i = 0; i < g->n; i++)
		if (strcmp(g->ids[i], id) == 0)
			return true;
	return false;
}

/* The expected join keys of result i as JSON, as the records render
 * them. */
static void
expected_keys(const struct json_value *jk, struct strbuf *sb)
{
	sb_putc(sb, '[');
	for (size_t i = 0; jk->type == JSON_ARRAY && i < jk->u.arr.n; i++) {
		const struct json_value *v = jk->u.arr.items[i];
		if (i)
			sb_putc(sb, ',');
		if (v->type == JSON_STRING) {
			sb_putc(sb, '"');
			sb_json_escape(sb, v->u.str.s, v->u.str.len);
			sb_putc(sb, '"');
		} else if (v->type == JSON_NUMBER) {
			sb_puts(sb, v->u.num.raw);
		} else if (v->type == JSON_BOOL) {
			sb_puts(sb, v->u.b ? "true" : "false");
		} else {
			sb_puts(sb, "null");
		}
	}
	sb_putc(sb, ']');
}

/* Checks that every event id a test names is carried by an event of its
 * scope; reports the others (located at the id's result). */
static bool
check_refs(struct run *rn, struct scope *sc, const struct tf_result *xs,
	   size_t n)
{
	bool ok = index_ids(sc);

	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < xs[i].n; j++) {
			if (strcmp(xs[i].ids[j], "-") == 0)
				continue;
			if (scope_has_id(sc, xs[i].ids[j]))
				continue;
			diag_report(&rn->ctx->sink, D_TEST_REFERENCE,
				    &rn->tf.text, xs[i].span,
				    "no event of this test carries the id \"%s\"",
				    xs[i].ids[j]);
			rn->errors++;
			ok = false;
		}
	return ok;
}

/* Appends the results of the test's scope as JSON. */
static void
got_json(struct run *rn, const struct tf_test *t, const struct scope *sc,
	 struct strbuf *sb)
{
	size_t i, shown = 0;

	sb_putc(sb, '[');
	for (i = 0; i < sc->got.n; i++) {
		const struct got *g = &sc->got.v[i];
		if (!rule_selected(rn, t, g->rule))
			continue;
		if (shown++)
			sb_putc(sb, ',');
		ids_json(sb, g->ids, g->n);
	}
	sb_putc(sb, ']');
}

/* ------------------------------------------------------------- update */

/* Records that bytes [start, end) of the test file become text. */
static void
edit(struct run *rn, uint32_t start, uint32_t end, const char *text)
{
	struct edit e = { start, end, arena_strdup(&rn->ctx->arena, text),
			  rn->edits.n };

	if (!e.text || vec_push(&rn->edits, e) < 0)
		rn->ctx->arena.oom = true;
}

/* The results of a list of got entries as a TOML array: ids alone for
 * one-event results, lists for sequences. */
static void
toml_results(struct strbuf *sb, char **const *ids, const size_t *ns,
	     size_t n)
{
	sb_putc(sb, '[');
	for (size_t i = 0; i < n; i++) {
		if (i)
			sb_puts(sb, ", ");
		if (ns[i] == 1) {
			sb_putc(sb, '"');
			sb_json_escape(sb, ids[i][0], strlen(ids[i][0]));
			sb_putc(sb, '"');
		} else {
			ids_json(sb, ids[i], ns[i]);
		}
	}
	sb_putc(sb, ']');
}

/* update: match becomes the results that came (for a test with its own
 * events, every result of its rule; for one on the file's events, the
 * entries it had that still came), no_match loses the entries that now
 * came.  Only the two values are rewritten, or match added after the
 * name line. */
static void
update_test(struct run *rn, const struct tf_test *t, struct scope *sc,
	    size_t me)
{
	VEC(char **) ids = VEC_INIT;
	VEC(size_t) ns = VEC_INIT;
	struct strbuf sb = STRBUF_INIT;
	size_t i, j;

	for (j = 0; j < sc->got.n; j++) {
		struct got *g = &sc->got.v[j];
		if (!rule_selected(rn, t, g->rule))
			continue;
		if (!t->own_events && g->used != me)
			continue;
		if (vec_push(&ids, g->ids) < 0 || vec_push(&ns, g->n) < 0)
			goto out;
		g->claimed = true;
	}
	toml_results(&sb, ids.v, ns.v, ids.n);
	if (t->match_v) {
		edit(rn, t->match_v->start, t->match_v->end, sb.data);
	} else if (ids.n) {
		const char *d = rn->tf.text.data;
		uint32_t at = t->span.end;
		struct strbuf line = STRBUF_INIT;
		while (at < rn->tf.text.len && d[at] != '\n')
			at++;
		sb_printf(&line, "\nmatch = %s", sb.data);
		edit(rn, at, at, line.data);
		sb_free(&line);
	}
	if (t->no_match_v) {
		VEC(char **) keep = VEC_INIT;
		VEC(size_t) kn = VEC_INIT;
		for (i = 0; i < t->nno_match; i++) {
			const struct tf_result *x = &t->no_match[i];
			bool came = false;
			for (j = 0; j < sc->got.n && !came; j++) {
				const struct got *g = &sc->got.v[j];
				came = rule_selected(rn, t, g->rule) &&
				       (x->bare ? has_id(g, x->ids[0])
						: same_ids(g, x));
			}
			if (!came && (vec_push(&keep, (char **)x->ids) < 0 ||
				      vec_push(&kn, x->n) < 0))
				break;
		}
		sb.len = 0;
		toml_results(&sb, keep.v, kn.v, keep.n);
		edit(rn, t->no_match_v->start, t->no_match_v->end, sb.data);
		vec_free(&keep);
		vec_free(&kn);
	}
out:
	vec_free(&ids);
	vec_free(&ns);
	sb_free(&sb);
}

/* File order; edits at one place in the order they were made. */
static int
cmp_edit(const void *a, const void *b)
{
	const struct edit *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* Applies the recorded edits (last first) and replaces the test file
 * through a temporary file and a rename, so a failed write leaves it as
 * it was.  Returns false (reported) on failure. */
static bool
write_updates(struct run *rn)
{
	struct strbuf out = STRBUF_INIT;
	char *tmp = NULL;
	size_t i, at = 0;
	int fd;
	bool ok = false;

	qsort(rn->edits.v, rn->edits.n, sizeof *rn->edits.v, cmp_edit);
	if (rn->tf.text.src->bom)
		sb_puts(&out, "\xEF\xBB\xBF");   /* removed when read */
	for (i = 0; i < rn->edits.n; i++) {
		const struct edit *e = &rn->edits.v[i];
		sb_put(&out, rn->tf.text.data + at, e->start - at);
		sb_puts(&out, e->text);
		at = e->end;
	}
	sb_put(&out, rn->tf.text.data + at, rn->tf.text.len - at);
	tmp = arena_printf(&rn->ctx->arena, "%s.rulec-update", rn->path);
	if (!out.oom && tmp &&
	    (fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)) >= 0) {
		size_t done = 0;
		while (done < out.len) {
			ssize_t w = write(fd, out.data + done, out.len - done);
			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			done += (size_t)w;
		}
		ok = close(fd) == 0 && done == out.len &&
		     rename(tmp, rn->path) == 0;
	}
	if (!ok) {
		diag_report(&rn->ctx->sink, D_IO_ERROR, NULL, span_make(0, 0),
			    "cannot update %s: %s", rn->path, strerror(errno));
		if (tmp)
			remove(tmp);
	}
	sb_free(&out);
	return ok;
}

struct verdict {
	struct strbuf msg, expected, why;
	bool failed;
};

static void
fail(struct verdict *v, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
fail(struct verdict *v, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (v->failed)
		sb_puts(&v->msg, "; ");
	sb_puts(&v->msg, buf);
	v->failed = true;
}

/* Runs the expectations of test t on its scope's results; claims the
 * results it accounts for. */
static void
judge(struct run *rn, const struct tf_test *t, struct scope *sc,
      struct verdict *v, size_t me)
{
	size_t i, j, nres = 0;
	bool all = t->expect >= 0 || t->count >= 0 || t->at_least >= 0 ||
		   t->at_most >= 0;

	if (!index_got(sc))
		sc->ok = false;
	if (!t->rule)
		nres = sc->got.n;
	else
		for (i = 0; i < sc->got.n; i++)
			nres += rule_selected(rn, t, sc->got.v[i].rule);
	/* match: each expected result must have come */
	sb_putc(&v->expected, '[');
	for (i = 0; i < t->nmatch; i++) {
		const struct tf_result *x = &t->match[i];
		struct strbuf keys = STRBUF_INIT;
		bool found = false, keys_differ = false;

		uint32_t h = hash_of(x->ids[0]), pos, it;

		if (t->join_keys && i < t->join_keys->u.arr.n)
			expected_keys(t->join_keys->u.arr.items[i], &keys);
		for (pos = hash_first(&sc->first_idx, h);
		     (it = hash_next(&sc->first_idx, h, &pos)) != HASH_NONE;) {
			struct got *g = &sc->got.v[it];
			if (!rule_selected(rn, t, g->rule) || !same_ids(g, x) ||
			    g->used == me)
				continue;
			if (keys.len && strcmp(keys.data, g->keys) != 0) {
				keys_differ = true;
				continue;
			}
			g->claimed = true;
			g->used = me;
			found = true;
			break;
		}
		if (!found) {
			if (v->expected.len > 1)
				sb_putc(&v->expected, ',');
			ids_json(&v->expected, (char *const *)x->ids, x->n);
			if (keys_differ)
				sb_printf(&v->why, "the result came with other join keys than %s\n",
					  keys.data);
			else
				explain_missing(rn, t, sc, x, &v->why);
			v->failed = true;
		}
		sb_free(&keys);
	}
	sb_putc(&v->expected, ']');
	if (v->failed)
		sb_printf(&v->msg, "expected %s", v->expected.data);
	/* no_match: none of these may appear */
	for (i = 0; i < t->nno_match; i++) {
		const struct tf_result *x = &t->no_match[i];
		const struct hash *ix = x->bare ? &sc->any_idx : &sc->first_idx;
		uint32_t h = hash_of(x->ids[0]), pos, it;
		for (pos = hash_first(ix, h);
		     (it = hash_next(ix, h, &pos)) != HASH_NONE;) {
			struct strbuf r = STRBUF_INIT;
			const struct got *g = &sc->got.v[x->bare ?
							 sc->any_res.v[it] : it];
			if (!rule_selected(rn, t, g->rule) ||
			    !(x->bare ? has_id(g, x->ids[0]) : same_ids(g, x)))
				continue;
			ids_json(&r, g->ids, g->n);
			fail(v, "result %s must not appear", r.data);
			sb_free(&r);
			break;
		}
	}
	/* expect: every / no event of the test's own events matches */
	if (t->expect == 0 && nres)
		fail(v, "expected no result, got %zu", nres);
	if (t->expect == 1) {
		for (i = 0; i < sc->ids.n; i++) {
			for (j = 0; j < sc->got.n; j++)
				if (rule_selected(rn, t, sc->got.v[j].rule) &&
				    has_id(&sc->got.v[j], sc->ids.v[i]))
					break;
			if (j == sc->got.n) {
				fail(v, "event \"%s\" is in no result, but expect = true",
				     sc->ids.v[i]);
				break;
			}
		}
	}
	if (t->count >= 0 && nres != (size_t)t->count)
		fail(v, "expected %lld result%s, got %zu", t->count,
		     t->count == 1 ? "" : "s", nres);
	if (t->at_least >= 0 && nres < (size_t)t->at_least)
		fail(v, "expected at least %lld result%s, got %zu", t->at_least,
		     t->at_least == 1 ? "" : "s", nres);
	if (t->at_most >= 0 && nres > (size_t)t->at_most)
		fail(v, "expected at most %lld result%s, got %zu", t->at_most,
		     t->at_most == 1 ? "" : "s", nres);
	/* the test's own events: a closed world of their own */
	if (all)
		for (j = 0; j < sc->got.n; j++)
			if (rule_selected(rn, t, sc->got.v[j].rule))
				sc->got.v[j].claimed = true;
	if (t->own_events && rn->tf.unexpected != TF_UNEXPECTED_IGNORE) {
		struct strbuf u = STRBUF_INIT;
		size_t nu = 0;
		for (j = 0; j < sc->got.n; j++) {
			const struct got *g = &sc->got.v[j];
			if (g->claimed || !rule_selected(rn, t, g->rule))
				continue;
			if (nu++)
				sb_putc(&u, ',');
			ids_json(&u, g->ids, g->n);
		}
		if (nu && rn->tf.unexpected == TF_UNEXPECTED_FAIL)
			fail(v, "unexpected result%s [%s] (no expectation of the test claims %s)",
			     nu == 1 ? "" : "s", u.data, nu == 1 ? "it" : "them");
		else if (nu) {
			sb_printf(&v->why, "warning: unexpected result%s [%s]\n",
				  nu == 1 ? "" : "s", u.data);
			rn->sum->warnings++;
		}
		sb_free(&u);
	}
}

/* ------------------------------------------------------------- driving */

static void
emit_named(struct run *rn, const struct tf_test *t, const char *name,
	   enum rulec_test_status st, const char *message,
	   const char *expected, const char *got, const char *why,
	   double secs)
{
	rulec_test_case c;
	struct diag_loc loc;
	struct diag d;

	memset(&d, 0, sizeof d);
	d.text = &rn->tf.text;
	d.span = t ? t->span : span_make(0, 0);
	diag_location(&d, &loc);
	memset(&c, 0, sizeof c);
	c.suite = rn->path;
	c.rule_file = rn->rule_file;
	c.name = t ? t->name : name;
	c.line = loc.line ? loc.line : 1;
	c.column = loc.line ? loc.col : 1;
	c.status = st;
	c.message = message;
	c.expected = expected;
	c.got = got;
	c.why = why && *why ? why : NULL;
	c.seconds = secs;
	switch (st) {
	case RULEC_TEST_PASS: rn->sum->passed++; break;
	case RULEC_TEST_SKIP: rn->sum->skipped++; break;
	default: rn->sum->failed++; break;
	}
	if (rn->fn)
		rn->fn(rn->ud, &c);
}

static void
emit(struct run *rn, const struct tf_test *t, enum rulec_test_status st,
     const char *message, const char *expected, const char *got,
     const char *why, double secs)
{
	emit_named(rn, t, "unexpected results", st, message, expected, got,
		   why, secs);
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The rule file of a test file: `rule`, else NAME.{eql,xml,toml,json,
 * ndjson} beside NAME.test.toml. */
static char *
find_rule(struct run *rn)
{
	static const char *const ext[] = { ".eql", ".xml", ".toml", ".json",
					   ".ndjson", ".jsonl" };
	size_t n = strlen(rn->path) - strlen(".test.toml"), i;

	if (rn->tf.rule)
		return resolve(rn, rn->tf.rule->u.str.s);
	for (i = 0; i < sizeof ext / sizeof *ext; i++) {
		char *p = arena_printf(&rn->ctx->arena, "%.*s%s", (int)n,
				       rn->path, ext[i]);
		FILE *f = p ? fopen(p, "rb") : NULL;
		if (f) {
			fclose(f);
			return p;
		}
	}
	return NULL;
}

/* ------------------------------------------------------ --convert-to */

struct conv_load {
	struct run *rn;
	rulec_ctx *cv;
	size_t i;
	struct strbuf err;      /* the first error reading back */
	bool bad;
};

static const char *
form_name(enum rulec_form f)
{
	static const char *const name[] = { "eql", "kibana", "toml", "xml" };
	return (unsigned)f <= RULEC_FORM_XML ? name[f] : "?";
}

static void
on_cv_diag(void *ud, const rulec_diag *d)
{
	struct conv_load *cl = ud;

	if (rulec_diag_severity(d) == RULEC_SEVERITY_ERROR && !cl->err.len)
		sb_printf(&cl->err, "%u:%u: %s [%s]", rulec_diag_line(d),
			  rulec_diag_column(d), rulec_diag_message(d),
			  rulec_diag_id(d));
}

static const char *
rule_label(const struct run *rn, size_t i)
{
	if (i < rn->nrules && rn->rule_names[i])
		return rn->rule_names[i];
	if (i < rn->nrules && rn->rule_ids[i])
		return rn->rule_ids[i];
	return rn->rule_file;
}

static void
unreadable(struct run *rn, const char *what, const char *why)
{
	diag_report(&rn->ctx->sink, D_TEST_CONVERT_UNREADABLE, &rn->tf.text,
		    span_make(0, 0), "%s converted to %s does not read back: %s",
		    what, form_name(rn->o->convert_to), why);
	rn->errors++;
}

static void
on_converted(void *ud, const rulec_converted *c)
{
	static const enum rulec_input input[] = {
		RULEC_INPUT_EQL, RULEC_INPUT_NDJSON, RULEC_INPUT_TOML,
		RULEC_INPUT_XML
	};
	struct conv_load *cl = ud;
	struct run *rn = cl->rn;
	const struct rc_rule *r = (const struct rc_rule *)c->rule;
	size_t i = cl->i++, before = rulec_ctx_rule_count(cl->cv);
	int n;

	if (i < rn->nrules)
		rn->rel[i] = proof_relation(r->ir, c->broader, c->narrower,
					    c->unrelated);
	if (!c->text) {
		if (!rn->refused)
			rn->refused = rule_label(rn, i);
		return;
	}
	cl->err.len = 0;
	n = rulec_ctx_load_buffer_as(cl->cv, c->file_name ? c->file_name
					     : "converted",
				     input[rn->o->convert_to], c->text, c->len);
	if (n != 1 || rulec_ctx_rule_count(cl->cv) != before + 1 ||
	    cl->err.len) {
		if (!cl->bad)
			unreadable(rn, rule_label(rn, i),
				   cl->err.len ? cl->err.data
					       : "it does not hold one rule");
		cl->bad = true;
	}
}

/* Converts the rules of the file and compiles the converted ones into
 * rn->img, the originals kept in rn->oimg; false (reported) when the
 * converted rules cannot be run.  A refused rule is not an error: its
 * tests are skipped. */
static bool
convert_rules(struct run *rn)
{
	struct conv_load cl;
	unsigned char *img = NULL;
	size_t len = 0;
	char err[256];
	int n;

	memset(&cl, 0, sizeof cl);
	cl.rn = rn;
	rn->convert = true;
	rn->rel = calloc(rn->nrules + 1, sizeof *rn->rel);
	cl.cv = rulec_ctx_new();
	if (!rn->rel || !cl.cv) {
		rulec_ctx_free(cl.cv);
		return false;
	}
	rulec_ctx_set_checks(cl.cv, 0);
	rulec_ctx_set_exceptions(cl.cv, !rn->ctx->no_exceptions);
	rulec_ctx_set_diag_handler(cl.cv, on_cv_diag, &cl);
	rulec_ctx_convert(rn->ctx, rn->o->convert_to, 0, on_converted, &cl);
	if (!cl.bad && !rn->refused) {
		n = rulec_ctx_compile(cl.cv, &img, &len, err, sizeof err);
		if (n < 0 || (size_t)n != rn->nrules) {
			unreadable(rn, rn->rule_file, n < 0 ? err
				   : "not every converted rule compiles");
			cl.bad = true;
			free(img);
		} else {
			rn->oimg = rn->img;
			rn->oimglen = rn->imglen;
			rn->img = img;
			rn->imglen = len;
		}
	}
	sb_free(&cl.err);
	rulec_ctx_free(cl.cv);
	return !cl.bad;
}

/* A result as one comparable string: its rule and event ids. */
static char *
got_key(const struct got *g)
{
	struct strbuf sb = STRBUF_INIT;

	sb_printf(&sb, "%zu", g->rule);
	for (size_t i = 0; i < g->n; i++) {
		sb_putc(&sb, '\x1f');
		sb_puts(&sb, g->ids[i]);
	}
	return sb_take(&sb);
}

struct keyed {
	char *key;
	const struct got *g;
};

static int
cmp_keyed(const void *a, const void *b)
{
	return strcmp(((const struct keyed *)a)->key,
		      ((const struct keyed *)b)->key);
}

/* The results of v that count for t, keyed and sorted (NULL keys on
 * out of memory are left out). */
static struct keyed *
keyed_results(struct run *rn, const struct tf_test *t, const struct got *v,
	      size_t n, size_t *out)
{
	struct keyed *k = calloc(n ? n : 1, sizeof *k);
	size_t m = 0;

	for (size_t i = 0; k && i < n; i++) {
		if (t && t->rule && !rule_selected(rn, t, v[i].rule))
			continue;
		k[m].key = got_key(&v[i]);
		k[m].g = &v[i];
		m += k[m].key != NULL;
	}
	if (k)
		qsort(k, m, sizeof *k, cmp_keyed);
	*out = m;
	return k;
}

/* Whether a result of one side only breaks the relation its rule's
 * conversion claims: one of the original only breaks `equal` and
 * `subset`, one of the converted rule only `equal` and `superset`. */
static bool
breaks(const struct run *rn, const struct got *g, bool orig_only)
{
	enum rulec_relation r = g->rule < rn->nrules ? rn->rel[g->rule]
						     : RULEC_REL_NONE;

	return r == RULEC_REL_EQUAL ||
	       r == (orig_only ? RULEC_REL_SUBSET : RULEC_REL_SUPERSET);
}

/* --convert-to: compares the results of t's rules on the scope's events,
 * original (ogot) against converted (got).  Returns the number of
 * results that break the claimed relation, the first described in bad;
 * *stated counts the differences the losses allow. */
static size_t
convert_diff(struct run *rn, const struct tf_test *t, const struct scope *sc,
	     struct strbuf *bad, size_t *stated)
{
	size_t na, nb, i = 0, j = 0, nbad = 0;
	struct keyed *a = keyed_results(rn, t, sc->ogot.v, sc->ogot.n, &na);
	struct keyed *b = keyed_results(rn, t, sc->got.v, sc->got.n, &nb);

	*stated = 0;
	while (a && b && (i < na || j < nb)) {
		int c = i == na ? 1 : j == nb ? -1 : strcmp(a[i].key, b[j].key);
		const struct got *g = c < 0 ? a[i].g : b[j].g;
		if (c == 0) {
			i++;
			j++;
			continue;
		}
		if (!breaks(rn, g, c < 0)) {
			(*stated)++;
		} else if (!nbad++) {
			sb_printf(bad, "the %s form of %s claims %s results, but ",
				  form_name(rn->o->convert_to),
				  rule_label(rn, g->rule),
				  rulec_relation_name(rn->rel[g->rule]));
			ids_json(bad, g->ids, g->n);
			sb_printf(bad, " is a result of the %s rule only",
				  c < 0 ? "original" : "converted");
		}
		if (c < 0)
			i++;
		else
			j++;
	}
	for (i = 0; a && i < na; i++)
		free(a[i].key);
	for (j = 0; b && j < nb; j++)
		free(b[j].key);
	free(a);
	free(b);
	return nbad;
}

/* Whether result g of the converted rules is also one of the original
 * rules (in ogot). */
static bool
in_original(const struct scope *sc, const struct got *g)
{
	for (size_t i = 0; i < sc->ogot.n; i++) {
		const struct got *o = &sc->ogot.v[i];
		size_t k;
		if (o->rule != g->rule || o->n != g->n)
			continue;
		for (k = 0; k < g->n && strcmp(o->ids[k], g->ids[k]) == 0; k++)
			;
		if (k == g->n)
			return true;
	}
	return false;
}

/* Loads and compiles the rules of the file; false (reported) when they
 * cannot be run. */
static bool
prepare_rules(struct run *rn)
{
	unsigned before = rn->ctx->sink.count[SEV_ERROR];
	char err[256];
	int n;

	rn->rule_file = find_rule(rn);
	if (rn->rule_file && rn->tf.rule) {
		struct stat st;
		if (stat(rn->rule_file, &st) != 0) {
			const struct json_value *r = rn->tf.rule;
			diag_report(&rn->ctx->sink, D_TEST_REFERENCE,
				    &rn->tf.text, span_make(r->start, r->end),
				    "cannot read the rule file %s: %s",
				    rn->rule_file, strerror(errno));
			rn->errors++;
			rn->rule_file = NULL;
			return false;
		}
	}
	if (!rn->rule_file) {
		diag_report(&rn->ctx->sink, D_TEST_REFERENCE, &rn->tf.text,
			    span_make(0, 0),
			    "no rule file beside this test file (%.*s.eql, .xml, .toml, .json or .ndjson): name it with rule = \"...\"",
			    (int)(strlen(rn->path) - strlen(".test.toml")), rn->path);
		rn->errors++;
		return false;
	}
	n = ctx_load_path(rn->ctx, rn->rule_file, RULEC_INPUT_AUTO, false);
	rulec_ctx_finish(rn->ctx);
	if (n == 0) {
		const struct json_value *r = rn->tf.rule;
		diag_report(&rn->ctx->sink, D_TEST_REFERENCE, &rn->tf.text,
			    r ? span_make(r->start, r->end) : span_make(0, 0),
			    "%s holds no rule", rn->rule_file);
	}
	if (n <= 0 || rn->ctx->sink.count[SEV_ERROR] > before) {
		rn->errors++;
		return false;
	}
	n = rulec_ctx_compile(rn->ctx, &rn->img, &rn->imglen, err, sizeof err);
	if (n < 0) {
		diag_report(&rn->ctx->sink, D_TEST_REFERENCE, &rn->tf.text,
			    span_make(0, 0), "%s cannot be compiled: %s",
			    rn->rule_file, err);
		rn->errors++;
		return false;
	}
	rn->nrules = rulec_ctx_rule_count(rn->ctx);
	rn->rule_ids = calloc(rn->nrules + 1, sizeof *rn->rule_ids);
	rn->rule_names = calloc(rn->nrules + 1, sizeof *rn->rule_names);
	if (!rn->rule_ids || !rn->rule_names)
		return false;
	for (size_t i = 0; i < rn->nrules; i++) {
		rn->rule_ids[i] = rulec_rule_id(rulec_ctx_rule(rn->ctx, i));
		rn->rule_names[i] = rulec_rule_name(rulec_ctx_rule(rn->ctx, i));
	}
	return !rn->o || !rn->o->convert || convert_rules(rn);
}

/* Checks that each rule selector names a rule of the file. */
static bool
check_selector(struct run *rn, const struct tf_test *t)
{
	for (size_t i = 0; t->rule && i < rn->nrules; i++)
		if (rule_selected(rn, t, i))
			return true;
	if (!t->rule)
		return true;
	diag_report(&rn->ctx->sink, D_TEST_REFERENCE, &rn->tf.text,
		    span_make(t->rule->start, t->rule->end),
		    "no rule of %s has the id or name \"%s\"", rn->rule_file,
		    t->rule->u.str.s);
	rn->errors++;
	return false;
}

/* --convert-to: the verdict of test t on the converted rules, given the
 * original rules' results.  A result that breaks the claimed relation
 * fails the test (RC9108); a failure that only the stated losses explain
 * skips it.  Returns whether the verdict changed (message in msg,
 * v->failed set for a failure, cleared for a skip). */
static bool
convert_verdict(struct run *rn, const struct tf_test *t, struct scope *sc,
		struct verdict *v, struct strbuf *msg)
{
	struct strbuf bad = STRBUF_INIT;
	size_t stated, nbad = convert_diff(rn, t, sc, &bad, &stated);

	if (nbad) {
		diag_report(&rn->ctx->sink, D_TEST_CONVERT_RELATION,
			    &rn->tf.text, t->span, "%s", bad.data);
		msg->len = 0;
		sb_printf(msg, "the converted rule breaks the relation its conversion claims: %s",
			  bad.data);
		if (nbad > 1)
			sb_printf(msg, " (and %zu more)", nbad - 1);
		v->failed = true;
	} else if (v->failed && stated) {
		msg->len = 0;
		sb_printf(msg, "fails only by the stated losses of the conversion (%zu result%s differ%s)",
			  stated, stated == 1 ? "" : "s", stated == 1 ? "s" : "");
		v->failed = false;
	} else {
		sb_free(&bad);
		return false;
	}
	sb_free(&bad);
	return true;
}

static void
run_test(struct run *rn, const struct tf_test *t, struct scope *shared)
{
	double t0 = now();
	struct scope own, *sc = shared;
	struct verdict v = { STRBUF_INIT, STRBUF_INIT, STRBUF_INIT, false };
	struct strbuf got = STRBUF_INIT, msg = STRBUF_INIT;
	int errors = rn->errors;

	if (t->skip) {
		emit(rn, t, RULEC_TEST_SKIP, t->skip, NULL, NULL, NULL, 0);
		return;
	}
	if (rn->refused) {
		sb_printf(&msg, "%s is not converted to %s (refused: the diagnostics say why)",
			  rn->refused, form_name(rn->o->convert_to));
		emit(rn, t, RULEC_TEST_SKIP, msg.data, NULL, NULL, NULL, 0);
		sb_free(&msg);
		return;
	}
	memset(&own, 0, sizeof own);
	if (t->own_events) {
		sc = &own;
		load_scope(rn, sc, &t->events, t->time);
	} else if (!shared->replayed && shared->ok) {
		replay_scope(rn, shared);
	}
	/* events that could not be read (reported) carry no ids to check */
	if (sc->ok) {
		check_refs(rn, sc, t->match, t->nmatch);
		check_refs(rn, sc, t->no_match, t->nno_match);
	}
	check_selector(rn, t);
	if (rn->errors > errors || !sc->ok) {
		emit(rn, t, RULEC_TEST_ERROR,
		     "the test or its events have errors (reported above)",
		     NULL, NULL, NULL, now() - t0);
		scope_free(&own);
		return;
	}
	if (sc == &own)
		replay_scope(rn, sc);
	judge(rn, t, sc, &v, ++rn->serial);
	if (rn->o && rn->o->update)
		update_test(rn, t, sc, rn->serial);
	if (v.failed)
		got_json(rn, t, sc, &got);
	if (v.expected.len > 2) {
		sb_printf(&msg, "expected %s, got %s", v.expected.data, got.data);
		if (v.msg.len > v.expected.len + 9)
			sb_printf(&msg, "; %s", v.msg.data + v.expected.len + 11);
	} else if (v.msg.len) {
		sb_puts(&msg, v.msg.data);
	}
	if (rn->convert && convert_verdict(rn, t, sc, &v, &msg)) {
		if (v.failed && !got.len)
			got_json(rn, t, sc, &got);
		/* the explanations of missing results speak of the original
		 * rules: left out */
		emit(rn, t, v.failed ? RULEC_TEST_FAIL : RULEC_TEST_SKIP,
		     msg.data, NULL, v.failed ? got.data : NULL, NULL,
		     now() - t0);
	} else {
		emit(rn, t, v.failed ? RULEC_TEST_FAIL : RULEC_TEST_PASS,
		     v.failed ? msg.data : NULL,
		     v.failed && v.expected.len > 2 ? v.expected.data : NULL,
		     v.failed ? got.data : NULL, v.why.data, now() - t0);
	}
	sb_free(&v.msg);
	sb_free(&v.expected);
	sb_free(&v.why);
	sb_free(&got);
	sb_free(&msg);
	scope_free(&own);
}

/* Runs one test file. */
static void
run_file(struct run *rn)
{
	struct rc_source *src;
	struct scope shared;
	size_t i, nneg = 0;

	memset(&shared, 0, sizeof shared);
	src = read_source(rn->ctx, rn->path);
	if (!src) {
		struct diag *d = diag_new(&rn->ctx->sink, D_IO_ERROR, NULL,
					  span_make(0, 0), "cannot read %s: %s",
					  rn->path, strerror(errno));
		diag_emit(&rn->ctx->sink, d);
		rn->sum->errors++;
		return;
	}
	rn->sum->files++;
	if (tf_read(&rn->ctx->arena, &rn->ctx->sink, src, &rn->tf) < 0)
		rn->errors++;
	if (!rn->tf.ntests) {
		emit_named(rn, NULL, "test file", RULEC_TEST_ERROR,
			   "the test file has errors (reported above)", NULL,
			   NULL, NULL, 0);
		rn->sum->errors++;
		return;
	}
	/* a test file with errors runs none of its tests: each is an error,
	 * so a report never shows them passing */
	if (rn->errors || !prepare_rules(rn)) {
		for (i = 0; i < rn->tf.ntests; i++)
			emit(rn, &rn->tf.tests[i], RULEC_TEST_ERROR,
			     "the test file or its rule has errors (reported above)",
			     NULL, NULL, NULL, 0);
		rn->sum->errors++;
		return;
	}
	if (rn->tf.events.text || rn->tf.events.nfiles)
		load_scope(rn, &shared, &rn->tf.events, TF_TIME_UNSET);
	for (i = 0; i < rn->tf.ntests; i++) {
		const struct tf_test *t = &rn->tf.tests[i];
		run_test(rn, t, &shared);
		nneg += t->nno_match || t->expect == 0 || t->count == 0 ||
			t->at_most == 0;
	}
	/* the closed world of the shared events */
	if (shared.replayed && shared.ok &&
	    rn->tf.unexpected != TF_UNEXPECTED_IGNORE) {
		struct strbuf u = STRBUF_INIT, m = STRBUF_INIT;
		size_t nu = 0;
		for (i = 0; i < shared.got.n; i++) {
			const struct got *g = &shared.got.v[i];
			/* --convert-to: a result the stated losses allow */
			if (g->claimed || (rn->convert && !breaks(rn, g, false) &&
					   !in_original(&shared, g)))
				continue;
			if (nu++)
				sb_putc(&u, ',');
			ids_json(&u, g->ids, g->n);
		}
		if (nu && rn->o && rn->o->update) {
			/* a new test claims them */
			struct strbuf add = STRBUF_INIT;
			sb_puts(&add, "\n[[test]]\nname = \"results added by rulec test --update\"\nmatch = [");
			for (i = 0, nu = 0; i < shared.got.n; i++) {
				const struct got *g = &shared.got.v[i];
				if (g->claimed)
					continue;
				if (nu++)
					sb_puts(&add, ", ");
				ids_json(&add, g->ids, g->n);
			}
			sb_puts(&add, "]\n");
			if (rn->tf.text.len && rn->tf.text.data[rn->tf.text.len - 1] != '\n') {
				struct strbuf nl = STRBUF_INIT;
				sb_putc(&nl, '\n');
				sb_puts(&nl, add.data);
				sb_free(&add);
				add = nl;
			}
			edit(rn, (uint32_t)rn->tf.text.len,
			     (uint32_t)rn->tf.text.len, add.data);
			sb_free(&add);
		} else if (nu) {
			sb_printf(&m, "%zu result%s of the file's events that no test claims: [%s]",
				  nu, nu == 1 ? "" : "s", u.data);
			if (rn->tf.unexpected == TF_UNEXPECTED_FAIL)
			{
				struct strbuf g = STRBUF_INIT;
				sb_printf(&g, "[%s]", u.data);
				emit(rn, NULL, RULEC_TEST_FAIL, m.data, NULL,
				     g.data, NULL, 0);
				sb_free(&g);
			}
			else
				rn->sum->warnings++;
		}
		sb_free(&u);
		sb_free(&m);
	}
	if (rn->o && rn->o->min_tests > 0 &&
	    rn->tf.ntests < (size_t)rn->o->min_tests) {
		diag_report(&rn->ctx->sink, D_TEST_MISSING, &rn->tf.text,
			    span_make(0, 0), "%zu test%s, but --min-tests asks for %ld",
			    rn->tf.ntests, rn->tf.ntests == 1 ? "" : "s",
			    rn->o->min_tests);
		emit_named(rn, NULL, "policy: --min-tests", RULEC_TEST_FAIL,
			   "fewer tests than --min-tests asks for", NULL, NULL,
			   NULL, 0);
		rn->sum->errors++;
	}
	if (rn->o && rn->o->require_negative && !nneg) {
		diag_report(&rn->ctx->sink, D_TEST_MISSING, &rn->tf.text,
			    span_make(0, 0),
			    "no negative test (no_match, expect = false, count = 0 or at_most = 0), but --require-negative asks for one");
		emit_named(rn, NULL, "policy: --require-negative",
			   RULEC_TEST_FAIL, "no negative test", NULL, NULL,
			   NULL, 0);
		rn->sum->errors++;
	}
	if (rn->errors)
		rn->sum->errors++;
	if (rn->edits.n && !rn->errors && write_updates(rn))
		rn->sum->updated++;
	scope_free(&shared);
}

int
test_file(rulec_ctx *ctx, const char *path, const rulec_test_opts *o,
	  rulec_test_fn fn, void *ud, rulec_test_summary *sum)
{
	struct run rn;
	const char *slash = strrchr(path, '/');

	memset(&rn, 0, sizeof rn);
	rulec_ctx_clear(ctx);
	rn.ctx = ctx;
	rn.o = o;
	rn.fn = fn;
	rn.ud = ud;
	rn.path = path;
	rn.sum = sum;
	rn.dir = slash ? arena_strndup(&ctx->arena, path, (size_t)(slash - path) + 1)
		       : (char *)"";
	if (!rn.dir)
		return RULEC_ERR_NOMEM;
	run_file(&rn);
	vec_free(&rn.edits);
	free(rn.img);
	free(rn.oimg);
	free(rn.rel);
	free(rn.rule_ids);
	free(rn.rule_names);
	return ctx->arena.oom ? RULEC_ERR_NOMEM : RULEC_OK;
}


/* A test record that did not pass as one SARIF result of check
 * test-failed (RC9107), at the test's name; NULL for a pass or skip. */
char *
rulec_test_case_render(const rulec_test_case *c, enum rulec_format fmt)
{
	struct strbuf text = STRBUF_INIT, sb = STRBUF_INIT;

	if (fmt != RULEC_FORMAT_SARIF || c->status == RULEC_TEST_PASS ||
	    c->status == RULEC_TEST_SKIP)
		return NULL;
	sb_printf(&text, "\"%s\": %s", c->name ? c->name : "",
		  c->message ? c->message : "failed");
	if (c->rule_file)
		sb_printf(&text, " (rule file %s)", c->rule_file);
	if (text.oom) {
		sb_free(&text);
		return NULL;
	}
	sarif_test_result(&sb, c->suite ? c->suite : "", c->line, c->column,
			  text.data);
	sb_free(&text);
	return sb_take(&sb);
}
