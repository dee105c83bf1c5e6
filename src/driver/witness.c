/*
 * witness.c - events derived from a rule's IR that probe each of its
 * atoms (see witness.h).
 *
 * Design note.  An event is a flat list of (dotted path, JSON value text)
 * pairs, written out as nested objects.  A stage's base event sets
 * event.category from the stage and every field that an equality of the
 * stage's top-level `and` fixes to its literal (of an `or` there, its
 * first alternative's; inside an ancestor
 * condition, process.* is the event's process.parent.*).  Each atom of
 * the stage (a comparison, `in`, a match, a call on a field, wherever it
 * stands under `or` and `not`) then gives overrides of its field: the
 * literal, its case flipped, with a character after and before it, the
 * empty string, the field missing, an array holding a junk value and the
 * literal, a file name with and without its extension; numbers one below
 * and above; for ip fields the network address, the broadcast address and
 * one address outside each end of a CIDR range, and an address of the
 * other family; wildcard patterns are instantiated (`*` empty and not,
 * `?` one character).  Each override on the base is one event.  Sequences
 * and samples are written as groups, one join-key value per group (equal
 * in all stages, or different in the last), with the last stage at
 * maxspan and at maxspan + 1 ms, in reverse order, and with each stage
 * varied by its overrides; groups are spaced farther apart than maxspan.
 * The junk values come from a seeded xorshift generator, so the output
 * depends only on the rule and the seed.  Regex atoms are probed only by
 * absence and junk (a regex is not instantiated).
 */
#include "driver/witness.h"

#include <arpa/inet.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "base/arena.h"
#include "base/vec.h"

#define MAXKV 128               /* fields of one event */
#define MAXDEPTH 16             /* segments of one path */
#define PER_ATOM 8              /* literals probed per atom */

struct kv {
	const char *path;
	const char *json;       /* ABSENT: the field is left out */
};

static const char ABSENT[] = "(absent)";

struct event {
	struct kv v[MAXKV];
	size_t n;
};

struct wgen {
	struct arena a;
	struct strbuf *out;
	uint64_t rng;
	const char *prefix;
	size_t n, limit;
	int64_t t;
	unsigned group;
	bool anc;               /* inside an ancestor condition */
};

/* One atom's override of one field. */
struct ovr {
	const char *path, *json;
};

typedef VEC(struct ovr) ovr_vec;

/* ------------------------------------------------------------- values */

static uint64_t
next_rand(struct wgen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static const char *
junk(struct wgen *g, size_t n)
{
	char *s = arena_alloc(&g->a, n + 1);

	if (!s)
		return "junk";
	for (size_t i = 0; i < n; i++)
		s[i] = (char)('a' + next_rand(g) % 26);
	s[n] = 0;
	return s;
}

static const char *
json_str(struct wgen *g, const char *s, size_t n)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	sb_putc(&sb, '"');
	sb_json_escape(&sb, s, n);
	sb_putc(&sb, '"');
	r = sb.oom ? NULL : arena_strndup(&g->a, sb.data, sb.len);
	sb_free(&sb);
	return r;
}

/* The text of the field holding `s` after the field's transform (an
 * ESET property that is a part of an ECS field); NULL when the
 * transform cannot be inverted. */
static const char *
field_text(struct wgen *g, const struct ir_field *f, const char *s, size_t n)
{
	switch (f->transform) {
	case TR_NONE:
		return arena_strndup(&g->a, s, n);
	case TR_DIRNAME:
		return arena_printf(&g->a, "%.*s\\w.exe", (int)n, s);
	case TR_STEM:
		return arena_printf(&g->a, "C:\\w\\%.*s.exe", (int)n, s);
	case TR_EXT:
		return arena_printf(&g->a, "C:\\w\\w.%.*s", (int)n, s);
	default:
		return NULL;
	}
}

/* The JSON of string s in field f (NULL when it cannot be written). */
static const char *
str_json(struct wgen *g, const struct ir_field *f, const char *s, size_t n)
{
	const char *t = field_text(g, f, s, n);

	return t ? json_str(g, t, strlen(t)) : NULL;
}

static const char *
flip_case(struct wgen *g, const char *s, size_t n)
{
	char *r = arena_strndup(&g->a, s, n);

	for (size_t i = 0; r && i < n; i++) {
		char c = r[i];
		if (c >= 'a' && c <= 'z')
			r[i] = (char)(c - 32);
		else if (c >= 'A' && c <= 'Z')
			r[i] = (char)(c + 32);
	}
	return r;
}

/* A wildcard pattern made a string: `*` becomes star, `?` one char. */
static const char *
instantiate(struct wgen *g, const char *p, size_t n, const char *star,
	    char one)
{
	struct strbuf sb = STRBUF_INIT;
	const char *r;

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '*')
			sb_puts(&sb, star);
		else if (p[i] == '?')
			sb_putc(&sb, one);
		else
			sb_putc(&sb, p[i]);
	}
	r = arena_strndup(&g->a, sb.data ? sb.data : "", sb.len);
	sb_free(&sb);
	return r;
}

static void
add(struct wgen *g, ovr_vec *ov, const char *path, const char *json)
{
	struct ovr o = { path, json };

	(void)g;
	if (path && json)       /* NULL: the value cannot be written */
		vec_push(ov, o);
}

/* The overrides that probe string s in field f at path. */
static void
string_probes(struct wgen *g, const struct ir_field *f, const char *path,
	      const char *s, size_t n, ovr_vec *ov)
{
	const char *slash, *dot, *t;

	add(g, ov, path, str_json(g, f, s, n));
	t = flip_case(g, s, n);
	if (t && strcmp(t, s) != 0)
		add(g, ov, path, str_json(g, f, t, n));
	t = arena_printf(&g->a, "%.*sx", (int)n, s);
	if (t)
		add(g, ov, path, str_json(g, f, t, n + 1));
	t = arena_printf(&g->a, "x%.*s", (int)n, s);
	if (t)
		add(g, ov, path, str_json(g, f, t, n + 1));
	add(g, ov, path, str_json(g, f, "", 0));
	add(g, ov, path, ABSENT);
	t = str_json(g, f, s, n);
	if (t)
		add(g, ov, path, arena_printf(&g->a, "[%s,%s]",
					      json_str(g, junk(g, 6), 6), t));
	/* a file name with and without its extension */
	slash = s;
	for (size_t i = 0; i < n; i++)
		if (s[i] == '\\' || s[i] == '/')
			slash = s + i + 1;
	dot = memchr(slash, '.', n - (size_t)(slash - s));
	if (dot && dot > slash)
		add(g, ov, path, str_json(g, f, s, (size_t)(dot - s)));
	else if (n) {
		t = arena_printf(&g->a, "%.*s.exe", (int)n, s);
		if (t)
			add(g, ov, path, str_json(g, f, t, n + 4));
	}
}

/* 128-bit big-endian address plus d (-1 or +1), in place. */
static void
addr_step(unsigned char *a, size_t n, int d)
{
	for (size_t i = n; i-- > 0;) {
		int v = a[i] + d;
		a[i] = (unsigned char)(v & 0xff);
		if (v >= 0 && v <= 0xff)
			break;
	}
}

static void
ip_add(struct wgen *g, ovr_vec *ov, const char *path, int fam,
       const unsigned char *a)
{
	char buf[INET6_ADDRSTRLEN];

	if (inet_ntop(fam, a, buf, sizeof buf))
		add(g, ov, path, json_str(g, buf, strlen(buf)));
}

/* The overrides that probe an address or CIDR range s of an ip field;
 * the first is inside the range. */
static void
ip_probes(struct wgen *g, const char *path, const char *s, size_t n,
	  ovr_vec *ov)
{
	unsigned char net[16], last[16], x[16];
	char buf[64];
	const char *sl = memchr(s, '/', n);
	size_t len = sl ? (size_t)(sl - s) : n, alen;
	int fam, bits;

	if (len >= sizeof buf)
		return;
	memcpy(buf, s, len);
	buf[len] = 0;
	fam = strchr(buf, ':') ? AF_INET6 : AF_INET;
	alen = fam == AF_INET ? 4 : 16;
	if (inet_pton(fam, buf, net) != 1)
		return;
	bits = sl ? atoi(sl + 1) : (int)alen * 8;
	if (bits < 0 || bits > (int)alen * 8)
		return;
	for (size_t i = 0; i < alen; i++) {
		int keep = bits - (int)i * 8;
		unsigned char m = keep >= 8 ? 0xff : keep <= 0 ? 0 :
				  (unsigned char)(0xff << (8 - keep));
		net[i] &= m;
		last[i] = (unsigned char)(net[i] | (unsigned char)~m);
	}
	ip_add(g, ov, path, fam, net);
	ip_add(g, ov, path, fam, last);
	memcpy(x, net, alen);
	addr_step(x, alen, -1);
	ip_add(g, ov, path, fam, x);
	memcpy(x, last, alen);
	addr_step(x, alen, +1);
	ip_add(g, ov, path, fam, x);
	/* the other family */
	if (fam == AF_INET) {
		snprintf(buf, sizeof buf, "::ffff:%u.%u.%u.%u", net[0], net[1],
			 net[2], net[3]);
		add(g, ov, path, json_str(g, buf, strlen(buf)));
		add(g, ov, path, "\"::1\"");
	} else {
		add(g, ov, path, "\"127.0.0.1\"");
	}
	add(g, ov, path, "\"\"");
	add(g, ov, path, ABSENT);
}

static void
number_probes(struct wgen *g, const char *path, const struct ir_value *v,
	      ovr_vec *ov)
{
	if (v->type == VT_LONG) {
		int64_t i = v->u.i;
		add(g, ov, path, arena_printf(&g->a, "%lld", (long long)i));
		if (i > INT64_MIN)
			add(g, ov, path, arena_printf(&g->a, "%lld",
						      (long long)i - 1));
		if (i < INT64_MAX)
			add(g, ov, path, arena_printf(&g->a, "%lld",
						      (long long)i + 1));
	} else {
		double d = v->u.d;
		add(g, ov, path, arena_printf(&g->a, "%.17g", d));
		add(g, ov, path, arena_printf(&g->a, "%.17g", d - 1));
		add(g, ov, path, arena_printf(&g->a, "%.17g", d + 1));
	}
	add(g, ov, path, ABSENT);
}

/* ------------------------------------------------------------- atoms */

static const char *
field_path(struct wgen *g, const struct ir_field *f)
{
	if (g->anc && strncmp(f->name, "process.", 8) == 0)
		return arena_printf(&g->a, "process.parent.%s", f->name + 8);
	return f->name;
}

static const struct ir_field *
field_of(const struct ir_expr *e)
{
	return e && e->kind == IR_FIELD ? &e->u.f : NULL;
}

/* The overrides probing value v of field f. */
static void
value_probes(struct wgen *g, const struct ir_expr *fe, const struct ir_value *v,
	     bool wildcard, bool regex, ovr_vec *ov)
{
	const struct ir_field *f = &fe->u.f;
	const char *path = field_path(g, f), *s;
	size_t n;

	if (!path)
		return;
	switch (v->type) {
	case VT_LONG:
	case VT_DOUBLE:
		number_probes(g, path, v, ov);
		return;
	case VT_BOOL:
		add(g, ov, path, "true");
		add(g, ov, path, "false");
		return;
	case VT_STRING:
		break;
	default:
		add(g, ov, path, "\"x\"");
		add(g, ov, path, ABSENT);
		return;
	}
	s = v->u.s.s;
	n = v->u.s.len;
	if (regex) {
		add(g, ov, path, json_str(g, junk(g, 5), 5));
		add(g, ov, path, ABSENT);
		return;
	}
	if (fe->type == VT_IP && !wildcard) {
		ip_probes(g, path, s, n, ov);
		return;
	}
	if (wildcard) {
		const char *a = instantiate(g, s, n, "", 'a');
		const char *b = instantiate(g, s, n, junk(g, 3), 'Z');
		if (a)
			string_probes(g, f, path, a, strlen(a), ov);
		if (b)
			add(g, ov, path, str_json(g, f, b, strlen(b)));
		add(g, ov, path, str_json(g, f, s, n));
		return;
	}
	string_probes(g, f, path, s, n, ov);
}

static void atoms(struct wgen *g, const struct ir_expr *e, ovr_vec *ov);

static void
call_probes(struct wgen *g, const struct ir_expr *e, ovr_vec *ov)
{
	const struct ir_expr *fe = e->u.call.n ? e->u.call.args[0] : NULL;
	size_t i;

	if (!field_of(fe)) {
		for (i = 0; i < e->u.call.n; i++)
			atoms(g, e->u.call.args[i], ov);
		return;
	}
	for (i = 1; i < e->u.call.n && i <= PER_ATOM; i++) {
		const struct ir_expr *a = e->u.call.args[i];
		if (a->kind != IR_CONST || a->u.c.type != VT_STRING)
			continue;
		if (e->u.call.fn == FN_CIDRMATCH)
			ip_probes(g, field_path(g, &fe->u.f), a->u.c.u.s.s,
				  a->u.c.u.s.len, ov);
		else
			value_probes(g, fe, &a->u.c, false, false, ov);
	}
}

/* The overrides of every atom under e. */
static void
atoms(struct wgen *g, const struct ir_expr *e, ovr_vec *ov)
{
	size_t i;
	bool anc;

	if (!e)
		return;
	switch (e->kind) {
	case IR_AND:
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			atoms(g, e->u.list.v[i], ov);
		break;
	case IR_NOT:
		atoms(g, e->u.sub, ov);
		break;
	case IR_ANCESTOR:
		anc = g->anc;
		g->anc = true;
		atoms(g, e->u.anc.sub, ov);
		g->anc = anc;
		break;
	case IR_CMP:
		if (field_of(e->u.cmp.l) && e->u.cmp.r->kind == IR_CONST)
			value_probes(g, e->u.cmp.l, &e->u.cmp.r->u.c, false,
				     false, ov);
		else if (field_of(e->u.cmp.r) && e->u.cmp.l->kind == IR_CONST)
			value_probes(g, e->u.cmp.r, &e->u.cmp.l->u.c, false,
				     false, ov);
		else if (e->u.cmp.l->kind == IR_CALL)
			call_probes(g, e->u.cmp.l, ov);
		break;
	case IR_IN:
		if (field_of(e->u.in.l))
			for (i = 0; i < e->u.in.n && i < PER_ATOM; i++)
				value_probes(g, e->u.in.l, &e->u.in.v[i], false,
					     false, ov);
		break;
	case IR_MATCH:
		if (field_of(e->u.match.l))
			for (i = 0; i < e->u.match.n && i < PER_ATOM; i++)
				value_probes(g, e->u.match.l, &e->u.match.v[i],
					     e->u.match.mode == MATCH_WILDCARD,
					     e->u.match.mode == MATCH_REGEX, ov);
		break;
	case IR_CALL:
		call_probes(g, e, ov);
		break;
	default:
		break;
	}
}

/* ------------------------------------------------------------- events */

static void
ev_set(struct event *ev, const char *path, const char *json)
{
	for (size_t i = 0; i < ev->n; i++)
		if (strcmp(ev->v[i].path, path) == 0) {
			ev->v[i].json = json;
			return;
		}
	if (ev->n < MAXKV) {
		ev->v[ev->n].path = path;
		ev->v[ev->n].json = json;
		ev->n++;
	}
}

/* The first override of an atom is the value that satisfies it. */
static void
base_atom(struct wgen *g, const struct ir_expr *e, struct event *ev)
{
	ovr_vec ov = VEC_INIT;

	atoms(g, e, &ov);
	if (ov.n && ov.v[0].json != ABSENT)
		ev_set(ev, ov.v[0].path, ov.v[0].json);
	vec_free(&ov);
}

/* The equalities of the top-level `and` of cond into ev. */
static void
base_of(struct wgen *g, const struct ir_expr *e, struct event *ev)
{
	bool anc;

	if (!e)
		return;
	switch (e->kind) {
	case IR_AND:
		for (size_t i = 0; i < e->u.list.n; i++)
			base_of(g, e->u.list.v[i], ev);
		break;
	case IR_OR:             /* its first alternative */
		if (e->u.list.n)
			base_of(g, e->u.list.v[0], ev);
		break;
	case IR_ANCESTOR:
		anc = g->anc;
		g->anc = true;
		base_of(g, e->u.anc.sub, ev);
		g->anc = anc;
		break;
	case IR_CMP:
		if (e->u.cmp.op == IR_OP_EQ)
			base_atom(g, e, ev);
		break;
	case IR_IN:
		if (!e->u.in.neg)
			base_atom(g, e, ev);
		break;
	case IR_MATCH:
		if (e->u.match.mode == MATCH_WILDCARD)
			base_atom(g, e, ev);
		break;
	case IR_CALL:
		if (e->u.call.fn == FN_STARTSWITH || e->u.call.fn == FN_ENDSWITH ||
		    e->u.call.fn == FN_STRINGCONTAINS ||
		    e->u.call.fn == FN_CIDRMATCH)
			base_atom(g, e, ev);
		break;
	default:
		break;
	}
}

/* Paths compare segment by segment: '.' sorts before every character,
 * so a path comes right before the paths below it. */
static int
cmp_kv(const void *a, const void *b)
{
	const unsigned char *p = (const unsigned char *)((const struct kv *)a)->path;
	const unsigned char *q = (const unsigned char *)((const struct kv *)b)->path;

	for (; *p && *p == *q; p++, q++)
		;
	return (*p == '.' ? 1 : *p) - (*q == '.' ? 1 : *q);
}

static bool
is_below(const char *top, const char *path)
{
	size_t n = strlen(top);

	return strncmp(top, path, n) == 0 && path[n] == '.';
}

static void
put_key(struct strbuf *sb, const char *s, size_t n)
{
	sb_putc(sb, '"');
	sb_json_escape(sb, s, n);
	sb_puts(sb, "\":");
}

/* Writes ev (sorted here) as one nested JSON object and a newline. */
static void
write_event(struct strbuf *sb, struct event *ev)
{
	const char *open[MAXDEPTH];
	size_t openlen[MAXDEPTH], depth = 0, i;
	bool first[MAXDEPTH + 1];

	if (ev->n)
		qsort(ev->v, ev->n, sizeof *ev->v, cmp_kv);
	sb_putc(sb, '{');
	first[0] = true;
	for (i = 0; i < ev->n; i++) {
		const char *seg[MAXDEPTH], *p = ev->v[i].path;
		size_t len[MAXDEPTH], nseg = 0, k = 0;

		if (ev->v[i].json == ABSENT ||
		    (i + 1 < ev->n && is_below(p, ev->v[i + 1].path)))
			continue;       /* absent, or a scalar above objects */
		while (nseg < MAXDEPTH) {
			const char *dot = strchr(p, '.');
			seg[nseg] = p;
			len[nseg] = dot ? (size_t)(dot - p) : strlen(p);
			nseg++;
			if (!dot)
				break;
			p = dot + 1;
		}
		if (nseg == MAXDEPTH)
			continue;
		while (k < depth && k + 1 < nseg && len[k] == openlen[k] &&
		       memcmp(seg[k], open[k], len[k]) == 0)
			k++;
		for (; depth > k; depth--)
			sb_putc(sb, '}');
		for (; depth + 1 < nseg; depth++) {
			if (!first[depth])
				sb_putc(sb, ',');
			first[depth] = false;
			put_key(sb, seg[depth], len[depth]);
			sb_putc(sb, '{');
			open[depth] = seg[depth];
			openlen[depth] = len[depth];
			first[depth + 1] = true;
		}
		if (!first[depth])
			sb_putc(sb, ',');
		first[depth] = false;
		put_key(sb, seg[nseg - 1], len[nseg - 1]);
		sb_puts(sb, ev->v[i].json);
	}
	for (; depth > 0; depth--)
		sb_putc(sb, '}');
	sb_puts(sb, "}\n");
}

static void
put_time(struct wgen *g, struct event *ev, int64_t ms)
{
	time_t s = (time_t)(ms / 1000);
	struct tm tm;
	char buf[64];

	if (ms < 0)
		ms = 0;
	gmtime_r(&s, &tm);
	snprintf(buf, sizeof buf, "\"%04d-%02d-%02dT%02d:%02d:%02d.%03dZ\"",
		 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		 tm.tm_min, tm.tm_sec, (int)(ms % 1000) & 1023);
	ev_set(ev, "@timestamp", arena_strdup(&g->a, buf));
}

/* Writes ev at time ms; false when the limit is reached. */
static bool
emit(struct wgen *g, const struct event *base, int64_t ms)
{
	struct event ev;

	if (g->n >= g->limit)
		return false;
	ev = *base;
	put_time(g, &ev, ms);
	ev_set(&ev, "event.id", arena_printf(&g->a, "\"w%s-%zu\"", g->prefix,
					     g->n));
	write_event(g->out, &ev);
	g->n++;
	return true;
}

static void
stage_base(struct wgen *g, const struct ir_stage *s, struct event *ev)
{
	ev->n = 0;
	if (s->category)
		ev_set(ev, "event.category",
		       json_str(g, s->category, strlen(s->category)));
	g->anc = false;
	base_of(g, s->cond, ev);
}

/* ---------------------------------------------------------- the query */

static void
event_query(struct wgen *g, const struct ir_stage *s)
{
	struct event base, ev;
	ovr_vec ov = VEC_INIT;

	stage_base(g, s, &base);
	emit(g, &base, g->t++);
	g->anc = false;
	atoms(g, s->cond, &ov);
	for (size_t i = 0; i < ov.n; i++) {
		ev = base;
		ev_set(&ev, ov.v[i].path, ov.v[i].json);
		if (!emit(g, &ev, g->t++))
			break;
	}
	vec_free(&ov);
}

/* The join keys of stage s set to the group's value. */
static void
set_keys(struct wgen *g, const struct ir_stage *s, struct event *ev,
	 bool other)
{
	for (size_t k = 0; k < s->nkeys; k++) {
		const struct ir_field *f = field_of(s->keys[k]);
		unsigned v = g->group * 2 + other;
		if (!f)
			continue;
		if (vtype_numeric(s->keys[k]->type))
			ev_set(ev, f->name, arena_printf(&g->a, "%u", 1000 + v));
		else if (s->keys[k]->type == VT_IP)
			ev_set(ev, f->name, arena_printf(&g->a, "\"10.%u.%u.%u\"",
							 (v >> 16) & 255,
							 (v >> 8) & 255, v & 255));
		else
			ev_set(ev, f->name, arena_printf(&g->a, "\"k%u\"", v));
	}
}

enum { G_PLAIN, G_OTHER_KEY, G_AT_SPAN, G_PAST_SPAN, G_REVERSED, G_UNTIL };

/* One group of a sequence or sample: stage `vs` replaced by var (when
 * var is not NULL). */
static bool
group(struct wgen *g, const struct ir_query *q, struct event *bases,
      size_t vs, const struct ovr *var, int how)
{
	size_t ns = q->nstages, i, r;
	int64_t t0 = g->t, span = q->maxspan_ms, at[64], end = t0;
	bool ok = true;

	if (ns > 64)
		ns = 64;
	for (i = 0; i < ns; i++)
		at[i] = t0 + (int64_t)i * 2;
	if (how == G_REVERSED)
		for (i = 0; i < ns; i++)
			at[i] = t0 + (int64_t)(ns - 1 - i) * 2;
	if ((how == G_AT_SPAN || how == G_PAST_SPAN) && span >= (int64_t)ns * 2)
		at[ns - 1] = t0 + span + (how == G_PAST_SPAN);
	/* written in time order */
	for (r = 0; r < ns && ok; r++) {
		size_t s = how == G_REVERSED ? ns - 1 - r : r;
		struct event ev;
		if (q->stages[s].missing)
			continue;
		ev = bases[s];
		set_keys(g, &q->stages[s], &ev,
			 how == G_OTHER_KEY && s == ns - 1);
		if (var && s == vs)
			ev_set(&ev, var->path, var->json);
		for (unsigned k = 0; k < (q->stages[s].runs ? q->stages[s].runs : 1); k++)
			ok = ok && emit(g, &ev, at[s] + k);
		if (how == G_UNTIL && r == 0 && q->until && ok) {
			struct event u;
			stage_base(g, q->until, &u);
			set_keys(g, q->until, &u, false);
			ok = emit(g, &u, at[s] + 1);
		}
		if (at[s] + 64 > end)
			end = at[s] + 64;
	}
	g->t = end + (span > 0 ? span : 0) + 1000;
	g->group++;
	return ok;
}

static void
multi_stage(struct wgen *g, const struct ir_query *q)
{
	size_t ns = q->nstages < 64 ? q->nstages : 64, s, i;
	struct event *bases = calloc(ns ? ns : 1, sizeof *bases);
	int how;

	if (!bases)
		return;
	for (s = 0; s < ns; s++)
		stage_base(g, &q->stages[s], &bases[s]);
	for (how = G_PLAIN; how <= G_UNTIL; how++) {
		if ((how == G_AT_SPAN || how == G_PAST_SPAN) && q->maxspan_ms < 0)
			continue;
		if (how == G_UNTIL && !q->until)
			continue;
		if (!group(g, q, bases, 0, NULL, how))
			goto done;
	}
	for (s = 0; s < ns; s++) {
		ovr_vec ov = VEC_INIT;
		bool full = false;
		g->anc = false;
		atoms(g, q->stages[s].cond, &ov);
		for (i = 0; i < ov.n && !full; i++)
			full = !group(g, q, bases, s, &ov.v[i], G_PLAIN);
		vec_free(&ov);
		if (full)
			break;
	}
done:
	free(bases);
}

size_t
witness_events(const struct ir_query *q, uint64_t seed, const char *id_prefix,
	       int64_t *t_ms, size_t limit, struct strbuf *out)
{
	struct wgen g;

	memset(&g, 0, sizeof g);
	arena_init(&g.a, NULL);
	g.out = out;
	g.rng = seed * 0x9e3779b97f4a7c15ull + 0x2545f4914f6cdd1dull;
	if (!g.rng)
		g.rng = 1;
	g.prefix = id_prefix ? id_prefix : "";
	g.limit = limit ? limit : 600;
	g.t = *t_ms;
	if (q->kind == Q_EVENT && q->nstages == 1)
		event_query(&g, &q->stages[0]);
	else if (q->nstages)
		multi_stage(&g, q);
	*t_ms = g.t + (q->maxspan_ms > 0 ? q->maxspan_ms : 0) + 1000;
	arena_release(&g.a);
	return g.n;
}
