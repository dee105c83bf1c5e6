/*
 * test_replay.c - the replay interface of include/rulec.h used as a
 * library would: rules compiled from text, a few inline events replayed
 * through them, and the results read as records (rule, events with their
 * positions, timestamps, ids and missing stages, typed join keys); head,
 * tail, --size and max_samples_per_key on records; statistics as data;
 * malformed events and unreadable inputs delivered as diagnostics, with
 * nothing printed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "rulec.h"

/* ---- what the callbacks saw ---- */

enum { MAXREC = 16, MAXEV = 4, MAXKEY = 4 };

struct val {                    /* a rulec_value copied out */
	enum rulec_value_kind kind;
	long long i;
	double f;
	int b;
	char s[32];
	size_t n;               /* a list: its length */
	char first[32];         /* a list: its first element, a string */
};

struct rec {
	size_t rule;
	char id[32], name[32], file[32];        /* "-" for NULL */
	size_t nev;
	rulec_match_event ev[MAXEV];    /* id copied into ids */
	struct val ids[MAXEV];
	size_t nkeys;
	struct val key[MAXKEY];
	char *json;
};

struct seen {
	struct rec rec[MAXREC];
	int n;
	rulec_replay_diag diag[8];      /* file and message copied below */
	char dfile[8][128], dmsg[8][128];
	int ndiag;
};

static void
copy_str(char *dst, size_t cap, const char *s)
{
	snprintf(dst, cap, "%s", s ? s : "-");
}

static struct val
copy_val(rulec_value v)
{
	struct val x;

	memset(&x, 0, sizeof x);
	x.kind = v.kind;
	switch (v.kind) {
	case RULEC_VALUE_BOOL: x.b = v.u.b; break;
	case RULEC_VALUE_INT:
	case RULEC_VALUE_DATE: x.i = v.u.i; break;
	case RULEC_VALUE_FLOAT: x.f = v.u.f; break;
	case RULEC_VALUE_STRING:
		/* NUL-terminated, and len says the same */
		assert_int_equal(strlen(v.u.str.s), v.u.str.len);
		copy_str(x.s, sizeof x.s, v.u.str.s);
		break;
	case RULEC_VALUE_LIST: {
		rulec_value e = rulec_value_elem(&v, 0);

		x.n = v.u.list.n;
		if (e.kind == RULEC_VALUE_STRING)
			copy_str(x.first, sizeof x.first, e.u.str.s);
		assert_int_equal(rulec_value_elem(&v, x.n).kind,
				 RULEC_VALUE_NULL);
		break;
	}
	default:
		break;
	}
	return x;
}

static void
on_match(void *ud, const rulec_match *m)
{
	struct seen *s = ud;
	struct rec *r;
	size_t i;

	assert_true(s->n < MAXREC);
	r = &s->rec[s->n++];
	r->rule = rulec_match_rule_index(m);
	copy_str(r->id, sizeof r->id, rulec_match_rule_id(m));
	copy_str(r->name, sizeof r->name, rulec_match_rule_name(m));
	copy_str(r->file, sizeof r->file, rulec_match_rule_file(m));
	r->nev = rulec_match_event_count(m);
	assert_true(r->nev <= MAXEV);
	for (i = 0; i < r->nev; i++) {
		assert_int_equal(rulec_match_get_event(m, i, &r->ev[i]),
				 RULEC_OK);
		r->ids[i] = copy_val(r->ev[i].id);
	}
	assert_int_equal(rulec_match_get_event(m, r->nev, &r->ev[0]),
			 RULEC_ERR_ARG);
	r->nkeys = rulec_match_key_count(m);
	assert_true(r->nkeys <= MAXKEY);
	for (i = 0; i < r->nkeys; i++)
		r->key[i] = copy_val(rulec_match_key(m, i));
	assert_int_equal(rulec_match_key(m, r->nkeys).kind,
			 RULEC_VALUE_NULL);
	r->json = rulec_match_render(m, RULEC_FORMAT_JSON);
	assert_non_null(r->json);
	assert_null(rulec_match_render(m, RULEC_FORMAT_SARIF));
}

static void
on_diag(void *ud, const rulec_replay_diag *d)
{
	struct seen *s = ud;

	assert_true(s->ndiag < 8);
	s->diag[s->ndiag] = *d;
	copy_str(s->dfile[s->ndiag], sizeof s->dfile[0], d->file);
	copy_str(s->dmsg[s->ndiag], sizeof s->dmsg[0], d->message);
	s->ndiag++;
}

static void
seen_free(struct seen *s)
{
	int i;

	for (i = 0; i < s->n; i++)
		free(s->rec[i].json);
	memset(s, 0, sizeof *s);
}

/* ---- helpers ---- */

/* Compiles rule files given as (name, text) pairs into an image. */
static unsigned char *
compile(size_t *len, size_t nrules, const char *const *names,
	const char *const *texts)
{
	rulec_ctx *ctx = rulec_ctx_new();
	unsigned char *img = NULL;
	char err[256];
	size_t i;

	assert_non_null(ctx);
	for (i = 0; i < nrules; i++)
		if (rulec_ctx_load_buffer(ctx, names[i], texts[i],
					  strlen(texts[i])) != 1)
			fail_msg("%s did not load", names[i]);
	if (rulec_ctx_compile(ctx, &img, len, err, sizeof err) !=
	    (int)nrules)
		fail_msg("compile: %s", err);
	rulec_ctx_free(ctx);
	return img;
}

/* Writes events (' for ") to a temporary file; path is 32 bytes. */
static void
write_events(char *path, const char *text)
{
	FILE *f;
	const char *p;
	int fd;

	snprintf(path, 32, "/tmp/test_replay.XXXXXX");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (p = text; *p; p++)
		fputc(*p == '\'' ? '"' : *p, f);
	assert_int_equal(fclose(f), 0);
}

/*
 * Replays `events` through one rule with the settings `o` (NULL: the
 * defaults), filling *s; stderr is redirected to a file during the
 * replay and must stay empty: the library prints nothing.  Returns what
 * rulec_replay_feed returned; *st receives the statistics.
 */
static long
replay_one(const char *name, const char *rule, const char *events,
	   const rulec_replay_opts *o, struct seen *s,
	   rulec_replay_stats *st)
{
	char path[32], errpath[32] = "/tmp/test_replay.err.XXXXXX";
	unsigned char *img;
	size_t len;
	rulec_replay *r;
	char err[256];
	struct stat sb;
	int saved, fd;
	long n;

	img = compile(&len, 1, &name, &rule);
	write_events(path, events);
	memset(s, 0, sizeof *s);
	fflush(stderr);
	saved = dup(2);
	fd = mkstemp(errpath);
	assert_true(saved >= 0 && fd >= 0);
	assert_true(dup2(fd, 2) >= 0);
	r = rulec_replay_new(img, len, o, err, sizeof err);
	if (!r)
		fail_msg("rulec_replay_new: %s", err);
	free(img);              /* the replay keeps its own copy */
	rulec_replay_set_match_handler(r, on_match, s);
	rulec_replay_set_diag_handler(r, on_diag, s);
	n = rulec_replay_feed(r, path);
	assert_int_equal(rulec_replay_finish(r), RULEC_OK);
	assert_int_equal(rulec_replay_feed(r, path), RULEC_ERR_ARG);
	rulec_replay_get_stats(r, st);
	rulec_replay_free(r);
	fflush(stderr);
	assert_true(dup2(saved, 2) >= 0);
	close(saved);
	assert_int_equal(fstat(fd, &sb), 0);
	close(fd);
	unlink(errpath);
	unlink(path);
	assert_int_equal(sb.st_size, 0);
	return n;
}

/* ---- tests ---- */

static const char three_events[] =
	"{'@timestamp':'2024-05-01T10:00:00.000Z','event':{'id':'e1',"
	"'category':'process'},'host':{'id':'h1'},'process':{'pid':42,"
	"'name':'a.exe','interactive':true}}\n"
	"{'@timestamp':'2024-05-01T10:00:01.000Z','event':{'id':['e2','x'],"
	"'category':'file'},'host':{'id':'h1'},'process':{'pid':42}}\n"
	"{'@timestamp':1714557602000,'event':{'id':3,"
	"'category':'process'},'host':{'id':'h1'},'process':{'pid':42,"
	"'name':'b.exe','interactive':true}}\n";

/* An event query: one record per matching event, no join keys; the
 * fields match the JSON line. */
static void
t_event_records(void **state)
{
	struct seen s;
	rulec_replay_stats st;
	const struct rec *r;

	(void)state;
	assert_int_equal(replay_one("ev.eql", "process where true",
				    three_events, NULL, &s, &st), 0);
	assert_int_equal(s.n, 2);
	r = &s.rec[0];
	assert_string_equal(r->file, "ev.eql");
	assert_string_equal(r->id, "-");
	assert_string_equal(r->name, "-");
	assert_int_equal(r->rule, 0);
	assert_int_equal(r->nev, 1);
	assert_int_equal(r->nkeys, 0);
	assert_false(r->ev[0].missing);
	assert_int_equal(r->ev[0].index, 0);
	assert_true(r->ev[0].has_timestamp);
	assert_int_equal(r->ev[0].timestamp, 1714557600000LL);
	assert_int_equal(r->ids[0].kind, RULEC_VALUE_STRING);
	assert_string_equal(r->ids[0].s, "e1");
	assert_string_equal(r->json,
			    "{\"rule\":{\"id\":null,\"name\":null,\"file\":"
			    "\"ev.eql\"},\"events\":[{\"id\":\"e1\",\"index\":0,"
			    "\"timestamp\":\"2024-05-01T10:00:00.000Z\"}],"
			    "\"join_keys\":[]}\n");
	r = &s.rec[1];
	assert_int_equal(r->ev[0].index, 2);
	assert_int_equal(r->ev[0].timestamp, 1714557602000LL);
	assert_int_equal(r->ids[0].kind, RULEC_VALUE_INT);
	assert_int_equal(r->ids[0].i, 3);
	assert_int_equal(st.rules, 1);
	assert_int_equal(st.events, 3);
	assert_int_equal(st.malformed, 0);
	assert_int_equal(st.results, 2);
	assert_true(st.bytes > 0);
	seen_free(&s);
}

/* A sequence: typed join keys (string, number, boolean), a missing
 * stage, and a multi-valued id as a list. */
static void
t_sequence_records(void **state)
{
	static const char rule[] =
		"sequence by host.id, process.pid with maxspan=1m\n"
		"  [process where process.name == \"a.exe\"]"
		" by process.interactive\n"
		"  ![network where true] by process.interactive\n"
		"  [process where process.name == \"b.exe\"]"
		" by process.interactive\n";
	static const char ids[] =
		"{'@timestamp':'2024-05-01T10:00:00.000Z','event':{'id':"
		"['e1','x'],'category':'process'},'host':{'id':'h1'},"
		"'process':{'pid':42,'name':'a.exe','interactive':true}}\n"
		"{'@timestamp':'2024-05-01T10:00:02.000Z','event':{'id':'e2',"
		"'category':'process'},'host':{'id':'h1'},'process':{'pid':42,"
		"'name':'b.exe','interactive':true}}\n";
	struct seen s;
	rulec_replay_stats st;
	const struct rec *r;

	(void)state;
	assert_int_equal(replay_one("seq.eql", rule, ids, NULL, &s, &st), 0);
	assert_int_equal(s.n, 1);
	r = &s.rec[0];
	assert_int_equal(r->nev, 3);
	assert_false(r->ev[0].missing);
	assert_true(r->ev[1].missing);
	assert_int_equal(r->ids[1].kind, RULEC_VALUE_NULL);
	assert_false(r->ev[2].missing);
	assert_int_equal(r->ev[2].index, 1);
	assert_int_equal(r->ids[0].kind, RULEC_VALUE_LIST);
	assert_int_equal(r->ids[0].n, 2);
	assert_string_equal(r->ids[0].first, "e1");
	assert_int_equal(r->nkeys, 3);
	assert_int_equal(r->key[0].kind, RULEC_VALUE_STRING);
	assert_string_equal(r->key[0].s, "h1");
	assert_int_equal(r->key[1].kind, RULEC_VALUE_INT);
	assert_int_equal(r->key[1].i, 42);
	assert_int_equal(r->key[2].kind, RULEC_VALUE_BOOL);
	assert_true(r->key[2].b);
	assert_non_null(strstr(r->json, "{\"missing\":true,\"id\":null,"
			       "\"index\":null,\"timestamp\":null}"));
	assert_non_null(strstr(r->json, "{\"id\":[\"e1\",\"x\"],\"index\":0,"));
	assert_non_null(strstr(r->json, "\"join_keys\":[\"h1\",42,true]}"));
	seen_free(&s);
}

static const char five_events[] =
	"{'@timestamp':1000,'event':{'id':'e0','category':'process'}}\n"
	"{'@timestamp':2000,'event':{'id':'e1','category':'process'}}\n"
	"{'@timestamp':3000,'event':{'id':'e2','category':'process'}}\n"
	"{'@timestamp':4000,'event':{'id':'e3','category':'process'}}\n"
	"{'@timestamp':5000,'event':{'id':'e4','category':'process'}}\n";

/* head, tail and --size select records; a tail's records keep their
 * events' fields until the end of the input. */
static void
t_head_tail_size(void **state)
{
	struct seen s;
	rulec_replay_stats st;
	rulec_replay_opts o;

	(void)state;
	assert_int_equal(replay_one("h.eql", "process where true | head 2",
				    five_events, NULL, &s, &st), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rec[0].ev[0].index, 0);
	assert_int_equal(s.rec[1].ev[0].index, 1);
	seen_free(&s);

	assert_int_equal(replay_one("t.eql", "process where true | tail 2",
				    five_events, NULL, &s, &st), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rec[0].ev[0].index, 3);
	assert_string_equal(s.rec[0].ids[0].s, "e3");
	assert_int_equal(s.rec[0].ev[0].timestamp, 4000);
	assert_int_equal(s.rec[1].ev[0].index, 4);
	assert_int_equal(st.results, 2);
	seen_free(&s);

	rulec_replay_opts_init(&o);
	o.size = 3;
	assert_int_equal(replay_one("t.eql", "process where true | tail 4",
				    five_events, &o, &s, &st), 0);
	assert_int_equal(s.n, 3);
	assert_int_equal(s.rec[0].ev[0].index, 1);
	assert_int_equal(s.rec[2].ev[0].index, 3);
	seen_free(&s);
}

/* max_samples_per_key bounds the samples of each key, sorted by key. */
static void
t_samples(void **state)
{
	static const char ev[] =
		"{'event':{'id':'a1','category':'process'},'host':{'id':'b'}}\n"
		"{'event':{'id':'a2','category':'process'},'host':{'id':'a'}}\n"
		"{'event':{'id':'n1','category':'network'},'host':{'id':'a'}}\n"
		"{'event':{'id':'a3','category':'process'},'host':{'id':'a'}}\n"
		"{'event':{'id':'n2','category':'network'},'host':{'id':'b'}}\n"
		"{'event':{'id':'n3','category':'network'},'host':{'id':'a'}}\n";
	struct seen s;
	rulec_replay_stats st;
	rulec_replay_opts o;

	(void)state;
	rulec_replay_opts_init(&o);
	o.max_samples_per_key = 2;
	assert_int_equal(replay_one("s.eql", "sample by host.id "
				    "[process where true] [network where true]",
				    ev, &o, &s, &st), 0);
	assert_int_equal(s.n, 3);
	assert_string_equal(s.rec[0].key[0].s, "a");
	assert_string_equal(s.rec[1].key[0].s, "a");
	assert_string_equal(s.rec[2].key[0].s, "b");
	assert_string_equal(s.rec[0].ids[0].s, "a2");
	assert_string_equal(s.rec[0].ids[1].s, "n1");
	assert_string_equal(s.rec[1].ids[0].s, "a3");
	assert_string_equal(s.rec[1].ids[1].s, "n3");
	assert_false(s.rec[0].ev[0].has_timestamp);
	seen_free(&s);
}

/* A malformed record comes back as a diagnostic with its file and line;
 * the run goes on, and nothing is printed. */
static void
t_malformed_diag(void **state)
{
	static const char ev[] =
		"{'@timestamp':1000,'event':{'id':'e0','category':'process'}}\n"
		"{'event': broken\n"
		"{'@timestamp':2000,'event':{'id':'e2','category':'process'}}\n";
	struct seen s;
	rulec_replay_stats st;

	(void)state;
	assert_int_equal(replay_one("m.eql", "process where true", ev, NULL,
				    &s, &st), 1);
	assert_int_equal(s.ndiag, 1);
	assert_int_equal(s.diag[0].problem, RULEC_EVENTS_MALFORMED);
	assert_non_null(strstr(s.dfile[0], "/tmp/test_replay."));
	assert_int_equal(s.diag[0].line, 2);
	assert_true(s.diag[0].offset > 0);
	assert_true(strlen(s.dmsg[0]) > 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rec[1].ev[0].index, 2);      /* it counts */
	assert_int_equal(st.malformed, 1);
	assert_int_equal(st.events, 2);
	seen_free(&s);
}

/* An input that cannot be opened: RULEC_ERR_IO and a diagnostic; the
 * replay stays usable.  A damaged image is refused with a message.
 * Statistics per rule. */
static void
t_unreadable_and_stats(void **state)
{
	static const char *const names[2] = { "one.eql", "two.eql" };
	static const char *const texts[2] = {
		"process where event.id == \"e1\"", "network where true"
	};
	unsigned char *img;
	size_t len;
	rulec_replay *r;
	rulec_replay_stats st;
	rulec_replay_rule_stats rs;
	struct seen s;
	char path[32], err[256];

	(void)state;
	memset(&s, 0, sizeof s);
	img = compile(&len, 2, names, texts);
	err[0] = '\0';
	assert_null(rulec_replay_new(img, len / 2, NULL, err, sizeof err));
	assert_true(err[0] != '\0');
	r = rulec_replay_new(img, len, NULL, err, sizeof err);
	assert_non_null(r);
	free(img);
	rulec_replay_set_match_handler(r, on_match, &s);
	rulec_replay_set_diag_handler(r, on_diag, &s);
	assert_int_equal(rulec_replay_feed(r, "/nonexistent/events.ndjson"),
			 RULEC_ERR_IO);
	assert_int_equal(s.ndiag, 1);
	assert_int_equal(s.diag[0].problem, RULEC_EVENTS_UNREADABLE);
	assert_string_equal(s.dfile[0], "/nonexistent/events.ndjson");
	write_events(path, three_events);
	assert_int_equal(rulec_replay_feed(r, path), 0);
	assert_int_equal(rulec_replay_feed(r, path), 0);
	unlink(path);
	assert_int_equal(rulec_replay_finish(r), RULEC_OK);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.rec[1].ev[0].index, 3);      /* positions go on */
	rulec_replay_get_stats(r, &st);
	assert_int_equal(st.rules, 2);
	assert_int_equal(st.events, 6);
	assert_int_equal(st.results, 2);
	assert_true(st.seconds >= 0);
	assert_int_equal(rulec_replay_get_rule_stats(r, 0, &rs), RULEC_OK);
	assert_string_equal(rs.file, "one.eql");
	assert_null(rs.id);
	assert_int_equal(rs.hits, 2);
	assert_int_equal(rs.results, 2);
	assert_int_equal(rulec_replay_get_rule_stats(r, 1, &rs), RULEC_OK);
	assert_string_equal(rs.file, "two.eql");
	assert_int_equal(rs.hits, 0);
	assert_int_equal(rs.results, 0);
	assert_int_equal(rulec_replay_get_rule_stats(r, 2, &rs),
			 RULEC_ERR_ARG);
	rulec_replay_free(r);
	seen_free(&s);
}

/* The match handler stops the replay at the first result. */
struct stopper {
	rulec_replay *r;
	int n;
};

static void
stop_at_first(void *ud, const rulec_match *m)
{
	struct stopper *st = ud;

	(void)m;
	st->n++;
	rulec_replay_stop(st->r);
}

/* rulec_replay_stop from a handler: the feed returns after the current
 * record, later feeds read nothing, finish delivers nothing more.  A
 * record longer than max_event_size is reported and skipped; errors of
 * an array's syntax are not records, so positions in the next input go
 * on from the records counted. */
static void
t_stop_and_limits(void **state)
{
	static const char *const name = "r.eql";
	static const char *const text = "process where true";
	static const char arr[] =
	    "[{'event':{'category':'process'},'p':'" "0123456789" "'}"
	    " {'event':{'category':'process'}},,"
	    "{'event':{'category':'process'}}]";
	rulec_replay_opts o;
	unsigned char *img;
	size_t len;
	struct stopper st = { NULL, 0 };
	struct seen s;
	char path[32], err[256];
	rulec_replay *r;

	(void)state;
	img = compile(&len, 1, &name, &text);
	write_events(path, three_events);
	r = rulec_replay_new(img, len, NULL, err, sizeof err);
	assert_non_null(r);
	st.r = r;
	rulec_replay_set_match_handler(r, stop_at_first, &st);
	assert_int_equal(rulec_replay_feed(r, path), 0);
	assert_int_equal(rulec_replay_feed(r, path), 0);
	assert_int_equal(rulec_replay_finish(r), RULEC_OK);
	assert_int_equal(st.n, 1);
	rulec_replay_free(r);
	unlink(path);

	rulec_replay_opts_init(&o);
	assert_int_equal(o.max_event_size, 16 << 20);
	o.max_event_size = 40;
	o.reorder_ms = 0;
	memset(&s, 0, sizeof s);
	write_events(path, arr);
	r = rulec_replay_new(img, len, &o, err, sizeof err);
	assert_non_null(r);
	rulec_replay_set_match_handler(r, on_match, &s);
	rulec_replay_set_diag_handler(r, on_diag, &s);
	/* the long element, the missing comma, the ",," */
	assert_int_equal(rulec_replay_feed(r, path), 3);
	assert_int_equal(rulec_replay_feed(r, path), 3);
	assert_int_equal(rulec_replay_finish(r), RULEC_OK);
	assert_int_equal(s.ndiag, 6);
	assert_non_null(strstr(s.dmsg[0], "maximum event size (40 bytes"));
	assert_non_null(strstr(s.dmsg[1], "missing ','"));
	assert_int_equal(s.n, 4);
	assert_int_equal(s.rec[0].ev[0].index, 1);
	assert_int_equal(s.rec[1].ev[0].index, 2);
	assert_int_equal(s.rec[2].ev[0].index, 4);      /* 3 records each */
	assert_int_equal(s.rec[3].ev[0].index, 5);
	rulec_replay_free(r);
	unlink(path);
	free(img);
	seen_free(&s);
}

/* ---- hostile times, late events, the partial cap (issue 15) ---- */

/* Times outside the years 0000-9999 are an error at their line, the
 * event is skipped and the others run: two events 292 million years
 * apart never make a maxspan=1h sequence; the bounds themselves are
 * times, and print as such. */
static void
t_time_range(void **state)
{
	static const char rule[] =
		"sequence by host.id with maxspan=1h\n"
		"  [process where process.name == \"a\"]\n"
		"  [process where process.name == \"b\"]\n";
	static const char ev[] =
		"{'@timestamp':-9223372036854775000,'event':{'id':'x1',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'a'}}\n"
		"{'@timestamp':9223372036854775000,'event':{'id':'x2',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'b'}}\n"
		"{'@timestamp':'0000-01-01T00:30:00+01:00','event':{'id':'x3',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'a'}}\n"
		"{'@timestamp':253402300800000,'event':{'id':'x4',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'b'}}\n"
		"{'@timestamp':-62167219200000,'event':{'id':'lo',"
		"'category':'process'},'host':{'id':'l'},'process':{'name':'a'}}\n"
		"{'@timestamp':'0000-01-01T00:59:59.999Z','event':{'id':'lo2',"
		"'category':'process'},'host':{'id':'l'},'process':{'name':'b'}}\n"
		"{'@timestamp':'9999-12-31T23:00:00Z','event':{'id':'hi',"
		"'category':'process'},'host':{'id':'u'},'process':{'name':'a'}}\n"
		"{'@timestamp':253402300799999,'event':{'id':'hi2',"
		"'category':'process'},'host':{'id':'u'},'process':{'name':'b'}}\n";
	struct seen s;
	rulec_replay_stats st;
	int i;

	(void)state;
	assert_int_equal(replay_one("range.eql", rule, ev, NULL, &s, &st), 4);
	assert_int_equal(s.ndiag, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(s.diag[i].problem, RULEC_EVENTS_BAD_TIME);
		assert_int_equal(s.diag[i].line, (unsigned long long)i + 1);
		assert_string_equal(s.diag[i].id, "RC9040");
		assert_non_null(strstr(s.dmsg[i], "@timestamp"));
	}
	assert_true(s.diag[1].offset > s.diag[0].offset);
	assert_int_equal(st.malformed, 4);
	assert_int_equal(st.events, 4);
	assert_int_equal(s.n, 2);
	assert_string_equal(s.rec[0].ids[0].s, "lo");
	assert_int_equal(s.rec[0].ev[0].timestamp, -62167219200000LL);
	assert_non_null(strstr(s.rec[0].json,
			       "\"timestamp\":\"0000-01-01T00:00:00.000Z\""));
	assert_non_null(strstr(s.rec[0].json,
			       "\"timestamp\":\"0000-01-01T00:59:59.999Z\""));
	assert_string_equal(s.rec[1].ids[1].s, "hi2");
	assert_non_null(strstr(s.rec[1].json,
			       "\"timestamp\":\"9999-12-31T23:59:59.999Z\""));
	assert_null(strstr(s.rec[1].json, "292278994"));
	seen_free(&s);
}

/* A huge maxspan (or look-back) is clamped, not overflowed: events at
 * both ends of the range are within it. */
static void
t_time_huge_span(void **state)
{
	static const char rule[] =
		"sequence by host.id with maxspan=106751991167d\n"
		"  [process where process.name == \"a\"]\n"
		"  [process where process.name == \"b\"]\n"
		"  ![process where process.name == \"z\"]\n";
	static const char ev[] =
		"{'@timestamp':'0000-01-01T00:00:00Z','event':{'id':'a',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'a'}}\n"
		"{'@timestamp':'9999-12-31T23:59:59.999Z','event':{'id':'b',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'b'}}\n";
	struct seen s;
	rulec_replay_stats st;

	(void)state;
	assert_int_equal(replay_one("huge.eql", rule, ev, NULL, &s, &st), 0);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.rec[0].ids[0].s, "a");
	assert_string_equal(s.rec[0].ids[1].s, "b");
	assert_true(s.rec[0].ev[2].missing);
	seen_free(&s);
}

/* A leading missing stage whose event has no time cannot be within
 * maxspan of anything: the result stands (it used to be dropped through
 * an overflow of "last - INT64_MIN"). */
static void
t_missing_lead_without_time(void **state)
{
	static const char rule[] =
		"sequence by host.id with maxspan=1h\n"
		"  ![process where process.name == \"x\"]\n"
		"  [process where process.name == \"a\"]\n"
		"  [process where process.name == \"b\"]\n";
	static const char ev[] =
		"{'event':{'id':'x0','category':'process'},'host':{'id':'h'},"
		"'process':{'name':'x'}}\n"
		"{'@timestamp':'2024-01-01T00:00:00Z','event':{'id':'a',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'a'}}\n"
		"{'@timestamp':'2024-01-01T00:01:00Z','event':{'id':'b',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'b'}}\n"
		/* a timed one before the first of the next does drop it */
		"{'@timestamp':'2024-01-01T00:02:00Z','event':{'id':'x1',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'x'}}\n"
		"{'@timestamp':'2024-01-01T00:03:00Z','event':{'id':'a2',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'a'}}\n"
		"{'@timestamp':'2024-01-01T00:04:00Z','event':{'id':'b2',"
		"'category':'process'},'host':{'id':'h'},'process':{'name':'b'}}\n";
	struct seen s;
	rulec_replay_stats st;

	(void)state;
	assert_int_equal(replay_one("lead.eql", rule, ev, NULL, &s, &st), 0);
	assert_int_equal(s.ndiag, 0);
	assert_int_equal(s.n, 1);
	assert_true(s.rec[0].ev[0].missing);
	assert_string_equal(s.rec[0].ids[1].s, "a");
	assert_string_equal(s.rec[0].ids[2].s, "b");
	seen_free(&s);
}

static const char late_events[] =
	"{'@timestamp':100000,'event':{'id':'e0','category':'process'}}\n"
	"{'@timestamp':200000,'event':{'id':'e1','category':'process'}}\n"
	"{'@timestamp':195000,'event':{'id':'ok','category':'process'}}\n"
	"{'@timestamp':150000,'event':{'id':'l1','category':'process'}}\n"
	"{'@timestamp':300000,'event':{'id':'e2','category':'process'}}\n"
	"{'@timestamp':100001,'event':{'id':'l2','category':'process'}}\n";

/* Late events: one warning at the end with their count and the first
 * one's line; none when the window covers them. */
static void
t_late_warning(void **state)
{
	struct seen s;
	rulec_replay_stats st;
	rulec_replay_opts o;

	(void)state;
	assert_int_equal(replay_one("late.eql", "process where true",
				    late_events, NULL, &s, &st), 0);
	assert_int_equal(s.ndiag, 1);
	assert_int_equal(s.diag[0].problem, RULEC_EVENTS_LATE);
	assert_string_equal(s.diag[0].id, "RC9041");
	assert_int_equal(s.diag[0].count, 2);
	assert_int_equal(s.diag[0].line, 4);
	assert_true(s.diag[0].offset > 0);
	assert_non_null(strstr(s.dfile[0], "/tmp/test_replay."));
	assert_non_null(strstr(s.dmsg[0], "10000 ms"));
	assert_int_equal(st.late_events, 2);
	assert_int_equal(s.n, 6);
	seen_free(&s);

	rulec_replay_opts_init(&o);
	o.reorder_ms = 200000;
	assert_int_equal(replay_one("late.eql", "process where true",
				    late_events, &o, &s, &st), 0);
	assert_int_equal(s.ndiag, 0);
	assert_int_equal(st.late_events, 0);
	assert_string_equal(s.rec[0].ids[0].s, "e0");
	assert_string_equal(s.rec[1].ids[0].s, "l2");
	seen_free(&s);
}

/* The cap on live partial sequences: reached once (one warning, at the
 * event that found the table full, naming the rule); the oldest
 * partials go, so a sequence whose first event was among them does not
 * complete, and a recent one still does. */
static void
t_max_partials(void **state)
{
	static const char rule[] =
		"sequence by event.id with maxspan=1d\n"
		"  [process where true]\n"
		"  [network where true]\n";
	char ev[4096];
	size_t n = 0;
	int i;
	struct seen s;
	rulec_replay_stats st;
	rulec_replay_opts o;

	(void)state;
	for (i = 0; i < 20; i++)
		n += (size_t)snprintf(ev + n, sizeof ev - n,
				      "{'@timestamp':%d,'event':{'id':'k%d',"
				      "'category':'process'}}\n",
				      1000 + i, i);
	n += (size_t)snprintf(ev + n, sizeof ev - n,
			      "{'@timestamp':5000,'event':{'id':'k0',"
			      "'category':'network'}}\n"
			      "{'@timestamp':5001,'event':{'id':'k19',"
			      "'category':'network'}}\n");
	assert_true(n < sizeof ev);
	rulec_replay_opts_init(&o);
	o.max_partials = 8;
	o.reorder_ms = 0;
	assert_int_equal(replay_one("cap.eql", rule, ev, &o, &s, &st), 0);
	assert_int_equal(s.ndiag, 1);
	assert_int_equal(s.diag[0].problem, RULEC_MAX_PARTIALS);
	assert_string_equal(s.diag[0].id, "RC9042");
	assert_int_equal(s.diag[0].rule, 0);
	/* the ninth partial is made when its hit leaves the reorder
	 * window (of 0 ms): as the next event is read */
	assert_int_equal(s.diag[0].line, 10);
	assert_int_equal(s.n, 1);
	assert_string_equal(s.rec[0].ids[0].s, "k19");
	seen_free(&s);

	/* without the cap both complete, with no warning */
	o.max_partials = -1;
	assert_int_equal(replay_one("cap.eql", rule, ev, &o, &s, &st), 0);
	assert_int_equal(s.ndiag, 0);
	assert_int_equal(s.n, 2);
	seen_free(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_stop_and_limits),
		cmocka_unit_test(t_event_records),
		cmocka_unit_test(t_sequence_records),
		cmocka_unit_test(t_head_tail_size),
		cmocka_unit_test(t_samples),
		cmocka_unit_test(t_malformed_diag),
		cmocka_unit_test(t_unreadable_and_stats),
		cmocka_unit_test(t_time_range),
		cmocka_unit_test(t_time_huge_span),
		cmocka_unit_test(t_missing_lead_without_time),
		cmocka_unit_test(t_late_warning),
		cmocka_unit_test(t_max_partials),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
