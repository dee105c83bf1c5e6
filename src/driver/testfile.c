/*
 * testfile.c - reading and checking test files (see testfile.h).
 */
#include "driver/testfile.h"

#include <string.h>

#include "base/encoding.h"
#include "base/hash.h"
#include "base/suggest.h"
#include "base/toml.h"

static const char *const file_keys[] = {
	"rule", "events", "unexpected", "time", "id_field",
	"timestamp_field", "category_field", "tiebreaker_field",
	"reorder_window", "test", NULL
};

static const char *const test_keys[] = {
	"name", "description", "rule", "events", "time", "match",
	"no_match", "join_keys", "expect", "count", "at_least", "at_most",
	"skip", NULL
};

struct rd {
	struct arena *a;
	struct diag_sink *ds;
	struct tf_file *tf;
	const struct rc_text *t;
	int errors;
};

static struct span
vspan(const struct json_value *v)
{
	return span_make(v->start, v->end);
}

static void
err(struct rd *r, enum diag_id id, struct span sp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
err(struct rd *r, enum diag_id id, struct span sp, const char *fmt, ...)
{
	va_list ap;
	struct diag *d;

	va_start(ap, fmt);
	d = diag_vnew(r->ds, id, r->t, sp, fmt, ap);
	va_end(ap);
	diag_emit(r->ds, d);
	r->errors++;
}

/* Reports a key that `keys` lacks, with the closest known key. */
static void
unknown_key(struct rd *r, const struct json_member *m,
	    const char *const *keys, const char *where)
{
	struct suggest sg;
	struct diag *d;
	size_t i;

	suggest_init(&sg, m->key, m->keylen, true);
	for (i = 0; keys[i]; i++)
		suggest_add(&sg, keys[i], strlen(keys[i]));
	d = diag_new(r->ds, D_TEST_UNKNOWN_KEY, r->t,
		     span_make(m->key_start, m->key_end),
		     "unknown key '%s' in %s", m->key, where);
	if (suggest_best(&sg))
		diag_help(r->ds, d, "did you mean '%s'?", suggest_best(&sg));
	diag_emit(r->ds, d);
	r->errors++;
}

static bool
want_type(struct rd *r, const struct json_member *m, enum json_type t,
	  const char *what)
{
	if (m->value->type == t)
		return true;
	err(r, D_TEST_BAD_VALUE, vspan(m->value), "'%s' must be %s, not %s %s",
	    m->key, what, m->value->type == JSON_ARRAY ||
	    m->value->type == JSON_OBJECT ? "an" : "a",
	    m->value->type == JSON_OBJECT ? "table" :
	    json_type_name(m->value->type));
	return false;
}

/* A non-negative integer, or -1 after an error. */
static long long
count_value(struct rd *r, const struct json_member *m)
{
	const struct json_value *v = m->value;

	if (!want_type(r, m, JSON_NUMBER, "a whole number"))
		return -1;
	if (!v->u.num.is_int || v->u.num.i < 0) {
		err(r, D_TEST_BAD_VALUE, vspan(v),
		    "'%s' must be a whole number of at least 0, not %s",
		    m->key, v->u.num.raw);
		return -1;
	}
	return v->u.num.i;
}

/* `events`: inline NDJSON (a string holding a '{'), one file, or a list of
 * files. */
static void
events_value(struct rd *r, const struct json_member *m, struct tf_events *ev)
{
	const struct json_value *v = m->value;
	size_t i;

	if (v->type == JSON_STRING) {
		if (memchr(v->u.str.s, '{', v->u.str.len) ||
		    memchr(v->u.str.s, '\n', v->u.str.len)) {
			ev->text = v;
			return;
		}
		if (!v->u.str.len) {
			err(r, D_TEST_BAD_VALUE, vspan(v),
			    "'events' is empty: name an NDJSON file or write the events");
			return;
		}
		ev->files = ARENA_NEWV(r->a, const struct json_value *, 1);
		if (ev->files) {
			ev->files[0] = v;
			ev->nfiles = 1;
		}
		return;
	}
	if (v->type != JSON_ARRAY) {
		want_type(r, m, JSON_STRING,
			  "NDJSON text, a file name or a list of file names");
		return;
	}
	ev->files = ARENA_NEWV(r->a, const struct json_value *, v->u.arr.n);
	if (!ev->files)
		return;
	for (i = 0; i < v->u.arr.n; i++) {
		const struct json_value *f = v->u.arr.items[i];
		if (f->type != JSON_STRING || !f->u.str.len ||
		    memchr(f->u.str.s, '{', f->u.str.len)) {
			err(r, D_TEST_BAD_VALUE, vspan(f),
			    "a list of 'events' holds file names; write inline events as one string");
			continue;
		}
		ev->files[ev->nfiles++] = f;
	}
}

static enum tf_time
time_value(struct rd *r, const struct json_member *m)
{
	if (!want_type(r, m, JSON_STRING, "\"relative\" or \"absolute\""))
		return TF_TIME_UNSET;
	if (strcmp(m->value->u.str.s, "relative") == 0)
		return TF_TIME_RELATIVE;
	if (strcmp(m->value->u.str.s, "absolute") == 0)
		return TF_TIME_ABSOLUTE;
	err(r, D_TEST_BAD_VALUE, vspan(m->value),
	    "'time' is \"relative\" or \"absolute\", not \"%s\"",
	    m->value->u.str.s);
	return TF_TIME_UNSET;
}

/* `match` / `no_match`: a list of event ids (one result each) or of lists
 * of event ids (one result per list, events in stage order). */
static struct tf_result *
results_value(struct rd *r, const struct json_member *m, size_t *n)
{
	const struct json_value *v = m->value;
	struct tf_result *res;
	size_t i, j;

	*n = 0;
	if (!want_type(r, m, JSON_ARRAY,
		       "a list of event ids or of lists of event ids"))
		return NULL;
	if (!v->u.arr.n)
		return NULL;
	res = ARENA_NEWV(r->a, struct tf_result, v->u.arr.n);
	if (!res)
		return NULL;
	for (i = 0; i < v->u.arr.n; i++) {
		const struct json_value *e = v->u.arr.items[i];
		struct tf_result *x = &res[*n];
		x->span = vspan(e);
		if (e->type == JSON_STRING) {
			if (!e->u.str.len || strcmp(e->u.str.s, "-") == 0) {
				err(r, D_TEST_BAD_VALUE, vspan(e),
				    "an event id must not be empty or \"-\" alone");
				continue;
			}
			x->ids = ARENA_NEWV(r->a, const char *, 1);
			if (!x->ids)
				return NULL;
			x->ids[0] = e->u.str.s;
			x->n = 1;
			x->bare = true;
			(*n)++;
			continue;
		}
		if (e->type != JSON_ARRAY || !e->u.arr.n) {
			err(r, D_TEST_BAD_VALUE, vspan(e),
			    "each entry of '%s' is an event id or a non-empty list of event ids",
			    m->key);
			continue;
		}
		x->ids = ARENA_NEWV(r->a, const char *, e->u.arr.n);
		if (!x->ids)
			return NULL;
		for (j = 0; j < e->u.arr.n; j++) {
			const struct json_value *id = e->u.arr.items[j];
			if (id->type != JSON_STRING || !id->u.str.len) {
				err(r, D_TEST_BAD_VALUE, vspan(id),
				    "an event id is a non-empty string (\"-\" for a missing stage)");
				x->n = 0;
				break;
			}
			x->ids[x->n++] = id->u.str.s;
		}
		if (x->n)
			(*n)++;
	}
	return res;
}

static void
read_test(struct rd *r, const struct json_value *tv, struct tf_test *t,
	  size_t index)
{
	size_t i;
	const struct json_member *name = NULL;

	memset(t, 0, sizeof *t);
	t->expect = -1;
	t->count = t->at_least = t->at_most = -1;
	t->span = vspan(tv);
	for (i = 0; i < tv->u.obj.n; i++) {
		const struct json_member *m = &tv->u.obj.members[i];
		const struct json_value *v = m->value;
		const char *k = m->key;

		if (strcmp(k, "name") == 0) {
			if (want_type(r, m, JSON_STRING, "a string"))
				name = m;
		} else if (strcmp(k, "description") == 0) {
			want_type(r, m, JSON_STRING, "a string");
		} else if (strcmp(k, "rule") == 0) {
			if (want_type(r, m, JSON_STRING,
				      "a rule id or name"))
				t->rule = v;
		} else if (strcmp(k, "events") == 0) {
			events_value(r, m, &t->events);
			t->own_events = t->events.text || t->events.nfiles;
		} else if (strcmp(k, "time") == 0) {
			t->time = time_value(r, m);
		} else if (strcmp(k, "match") == 0) {
			t->has_match = true;
			t->match_v = v;
			t->match = results_value(r, m, &t->nmatch);
		} else if (strcmp(k, "no_match") == 0) {
			t->has_no_match = true;
			t->no_match_v = v;
			t->no_match = results_value(r, m, &t->nno_match);
		} else if (strcmp(k, "join_keys") == 0) {
			if (want_type(r, m, JSON_ARRAY,
				      "a list of lists of key values"))
				t->join_keys = v;
		} else if (strcmp(k, "expect") == 0) {
			if (want_type(r, m, JSON_BOOL, "true or false"))
				t->expect = v->u.b;
		} else if (strcmp(k, "count") == 0) {
			t->count = count_value(r, m);
		} else if (strcmp(k, "at_least") == 0) {
			t->at_least = count_value(r, m);
		} else if (strcmp(k, "at_most") == 0) {
			t->at_most = count_value(r, m);
		} else if (strcmp(k, "skip") == 0) {
			if (v->type == JSON_BOOL)
				t->skip = v->u.b ? "skipped" : NULL;
			else if (want_type(r, m, JSON_STRING,
					   "true or a reason"))
				t->skip = v->u.str.s;
		} else {
			unknown_key(r, m, test_keys, "a [[test]]");
		}
	}
	if (!name) {
		err(r, D_TEST_MISSING, span_make(tv->start, tv->start),
		    "test %zu has no 'name'", index + 1);
		t->name = arena_printf(r->a, "test %zu", index + 1);
	} else if (!name->value->u.str.len) {
		err(r, D_TEST_MISSING, vspan(name->value), "a test's name must not be empty");
		t->name = arena_printf(r->a, "test %zu", index + 1);
	} else {
		t->name = name->value->u.str.s;
		t->span = vspan(name->value);
	}
	if (t->join_keys) {
		const struct json_value *jk = t->join_keys;
		for (i = 0; i < jk->u.arr.n; i++)
			if (jk->u.arr.items[i]->type != JSON_ARRAY)
				err(r, D_TEST_BAD_VALUE, vspan(jk->u.arr.items[i]),
				    "each entry of 'join_keys' is a list of key values, one list per expected result");
		if (jk->u.arr.n != t->nmatch)
			err(r, D_TEST_BAD_VALUE, vspan(jk),
			    "'join_keys' has %zu entr%s but 'match' has %zu result%s: one list of keys per expected result",
			    jk->u.arr.n, jk->u.arr.n == 1 ? "y" : "ies",
			    t->nmatch, t->nmatch == 1 ? "" : "s");
	}
	if (t->at_least >= 0 && t->at_most >= 0 && t->at_least > t->at_most)
		err(r, D_TEST_BAD_VALUE, t->span,
		    "at_least (%lld) is above at_most (%lld): no result count can pass",
		    t->at_least, t->at_most);
	if (t->count >= 0 && ((t->at_least >= 0 && t->count < t->at_least) ||
			      (t->at_most >= 0 && t->count > t->at_most)))
		err(r, D_TEST_BAD_VALUE, t->span,
		    "count (%lld) contradicts at_least/at_most", t->count);
	if (t->count >= 0 && t->has_match && t->nmatch > (size_t)t->count)
		err(r, D_TEST_BAD_VALUE, t->span,
		    "count (%lld) is below the %zu results that 'match' requires",
		    t->count, t->nmatch);
	if (t->expect == 1 && t->nno_match)
		err(r, D_TEST_BAD_VALUE, t->span,
		    "expect = true says every event matches, but 'no_match' lists some");
	if (t->expect >= 0 && !t->own_events)
		err(r, D_TEST_BAD_VALUE, t->span,
		    "'expect' speaks of the test's own events: give the test 'events'");
	if (t->expect < 0 && t->count < 0 && t->at_least < 0 &&
	    t->at_most < 0 && !t->has_match && !t->has_no_match && !t->skip)
		err(r, D_TEST_MISSING, t->span,
		    "test \"%s\" expects nothing: add match, no_match, expect, count, at_least or at_most",
		    t->name);
}

int
tf_read(struct arena *a, struct diag_sink *ds, struct rc_source *src,
	struct tf_file *tf)
{
	struct rd r = { a, ds, tf, &tf->text, 0 };
	struct json_error je;
	const struct json_value *doc, *tests = NULL;
	struct hash names = HASH_INIT;
	size_t i;
	bool bad_encoding;

	memset(tf, 0, sizeof *tf);
	/* a UTF-8 byte order mark goes (rulec test --update puts it back);
	 * UTF-16 is one error (base/encoding.h) */
	bad_encoding = !enc_require_utf8(ds, src);
	tf->text.src = src;
	tf->text.data = src->data;
	tf->text.len = src->len;
	tf->reorder_ms = -2;
	if (bad_encoding)
		return -1;
	doc = toml_parse(a, src->data, src->len, &je);
	if (!doc) {
		err(&r, D_TEST_SYNTAX, span_make(je.offset, je.offset),
		    "%s", je.message);
		return -1;
	}
	for (i = 0; i < doc->u.obj.n; i++) {
		const struct json_member *m = &doc->u.obj.members[i];
		const struct json_value *v = m->value;
		const char *k = m->key;

		if (strcmp(k, "rule") == 0) {
			if (want_type(&r, m, JSON_STRING, "a rule file name"))
				tf->rule = v;
		} else if (strcmp(k, "events") == 0) {
			events_value(&r, m, &tf->events);
		} else if (strcmp(k, "unexpected") == 0) {
			if (!want_type(&r, m, JSON_STRING,
				       "\"fail\", \"warn\" or \"ignore\""))
				continue;
			if (strcmp(v->u.str.s, "fail") == 0)
				tf->unexpected = TF_UNEXPECTED_FAIL;
			else if (strcmp(v->u.str.s, "warn") == 0)
				tf->unexpected = TF_UNEXPECTED_WARN;
			else if (strcmp(v->u.str.s, "ignore") == 0)
				tf->unexpected = TF_UNEXPECTED_IGNORE;
			else
				err(&r, D_TEST_BAD_VALUE, vspan(v),
				    "'unexpected' is \"fail\", \"warn\" or \"ignore\", not \"%s\"",
				    v->u.str.s);
		} else if (strcmp(k, "time") == 0) {
			tf->time = time_value(&r, m);
		} else if (strcmp(k, "id_field") == 0 ||
			   strcmp(k, "timestamp_field") == 0 ||
			   strcmp(k, "category_field") == 0 ||
			   strcmp(k, "tiebreaker_field") == 0) {
			if (!want_type(&r, m, JSON_STRING, "a field name"))
				continue;
			if (!v->u.str.len) {
				err(&r, D_TEST_BAD_VALUE, vspan(v),
				    "'%s' must name a field", k);
				continue;
			}
			*(k[0] == 'i' ? &tf->id_field : k[1] == 'i' ?
			  &tf->timestamp_field : k[1] == 'a' ?
			  &tf->category_field : &tf->tiebreaker_field) = v;
		} else if (strcmp(k, "reorder_window") == 0) {
			if (v->type == JSON_STRING &&
			    strcmp(v->u.str.s, "all") == 0)
				tf->reorder_ms = -1;
			else if (v->type == JSON_NUMBER && v->u.num.is_int &&
				 v->u.num.i >= 0)
				tf->reorder_ms = v->u.num.i;
			else
				err(&r, D_TEST_BAD_VALUE, vspan(v),
				    "'reorder_window' is a number of milliseconds (at least 0) or \"all\"");
		} else if (strcmp(k, "test") == 0) {
			if (v->type != JSON_ARRAY) {
				err(&r, D_TEST_BAD_VALUE, vspan(v),
				    "'test' is an array of tables: write each test under [[test]]");
				continue;
			}
			tests = v;
		} else {
			unknown_key(&r, m, file_keys, "a test file");
		}
	}
	if (!tests || !tests->u.arr.n) {
		err(&r, D_TEST_MISSING, span_make(0, 0),
		    "the file has no test: add a [[test]] table");
		return -1;
	}
	tf->tests = ARENA_NEWV(a, struct tf_test, tests->u.arr.n);
	if (!tf->tests)
		return -1;
	for (i = 0; i < tests->u.arr.n; i++) {
		const struct json_value *tv = tests->u.arr.items[i];
		if (tv->type != JSON_OBJECT) {
			err(&r, D_TEST_BAD_VALUE, vspan(tv),
			    "each entry of 'test' is a table");
			continue;
		}
		read_test(&r, tv, &tf->tests[tf->ntests], i);
		{
			/* names are unique: one hash lookup per test */
			const struct tf_test *t = &tf->tests[tf->ntests];
			uint32_t h = hash_str(t->name, strlen(t->name)), pos, it;
			bool dup = false;
			for (pos = hash_first(&names, h);
			     (it = hash_next(&names, h, &pos)) != HASH_NONE;)
				if (strcmp(tf->tests[it].name, t->name) == 0) {
					struct diag *d = diag_new(ds, D_TEST_BAD_VALUE,
						&tf->text, t->span,
						"two tests are named \"%s\"",
						t->name);
					diag_note(ds, d, &tf->text,
						  tf->tests[it].span,
						  "the first is here");
					diag_emit(ds, d);
					r.errors++;
					dup = true;
					break;
				}
			if (!dup && hash_add(&names, h, (uint32_t)tf->ntests) < 0)
				a->oom = true;
		}
		if (!tf->tests[tf->ntests].own_events && !tf->events.text &&
		    !tf->events.nfiles)
			err(&r, D_TEST_MISSING, tf->tests[tf->ntests].span,
			    "test \"%s\" has no events: give it 'events' or set 'events' for the file",
			    tf->tests[tf->ntests].name);
		tf->ntests++;
	}
	hash_free(&names);
	return r.errors || a->oom ? -1 : 0;
}
