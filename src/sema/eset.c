/*
 * eset.c - the ESET Inspect catalogue: hash tables keyed by folded names,
 * the loaders of the four catalogue files, lookups and suggestions (see
 * eset.h).
 */
#include "sema/eset.h"
#include "base/text.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/hash.h"
#include "base/suggest.h"
#include "base/vec.h"

enum { MIN_LIST = 32, MSG_SIZE = 200, SHOW = 40, MAXCOL = 8 };

#define NONE UINT32_MAX

static const char *const type_names[] = {
#define X(e, name) name,
	ESET_TYPE_LIST(X)
#undef X
};

static const char *const object_names[] = {
#define X(e, name) name,
	ESET_OBJECT_LIST(X)
#undef X
};

static const char *const exact_names[] = {
#define X(e, name) name,
	ESET_EXACT_LIST(X)
#undef X
};

static const char *const xform_names[] = {
#define X(e, name, tr, fam) name,
	ESET_XFORM_LIST(X)
#undef X
};

static const struct { enum ir_transform tr; unsigned fam; } xform_ir[] = {
#define X(e, name, tr, fam) { tr, fam },
	ESET_XFORM_LIST(X)
#undef X
};

static const char *const origin_names[] = {
#define X(e, name) name,
	ESET_ORIGIN_LIST(X)
#undef X
};

#define COUNT(v) (sizeof(v) / sizeof((v)[0]))

/* A folded key: "name" or "component<TAB>property". */
struct lkey {
	const char *s;
	size_t n;
};

/* Records of one kind in order of first definition, the key each is
 * stored under, and the table from a key's hash to its record's number
 * (the keys and the table live in the catalogue's arena). */
struct list {
	void **v;
	size_t n, cap;
	VEC(struct lkey) keys;  /* keys.v[i] is the key of v[i] */
	struct hash index;
};

/* A component: its first spelling and its '*' row, if any. */
struct comp {
	const char *name;
	uint32_t star;          /* index in props of the '*' row, or NONE */
};

/* The ECS rows of one property key, gathered whether or not the property
 * has been loaded yet. */
struct mapset {
	struct eset_map *maps;
	size_t n;
};

struct eset_catalog {
	struct arena *a;
	struct list complist;   /* struct comp * */
	struct list proplist;   /* struct eset_prop * */
	struct list maplist;    /* struct mapset * */
	struct list oplist;     /* struct eset_op * */
	struct list actlist;    /* struct eset_action * */
};

/* A column of a catalogue line: p[0..n). */
struct col {
	const char *p;
	size_t n;
};

/* A name to look up: one part, or two joined by a tab (b != NULL). */
struct key {
	const char *a, *b;
	size_t an, bn;
};

static unsigned char
fold(char c)
{
	unsigned char u = (unsigned char)c;

	return u >= 'A' && u <= 'Z' ? (unsigned char)(u - 'A' + 'a') : u;
}

/* ASCII case-insensitive equality of two NUL-terminated strings. */
static bool
same_fold(const char *x, const char *y)
{
	for (; *x && *y; x++, y++)
		if (fold(*x) != fold(*y))
			return false;
	return *x == *y;
}

/* FNV-1a of the folded key, the parts joined by a tab. */
static uint32_t
hash_key(const struct key *k)
{
	uint32_t h = HASH_SEED;
	size_t i;

	for (i = 0; i < k->an; i++)
		h = hash_step(h, fold(k->a[i]));
	if (k->b) {
		h = hash_step(h, '\t');
		for (i = 0; i < k->bn; i++)
			h = hash_step(h, fold(k->b[i]));
	}
	return h;
}

static size_t
key_len(const struct key *k)
{
	return k->an + (k->b ? 1 + k->bn : 0);
}

/* True if the stored (folded) key s[0..n) is k folded.  Names never hold a
 * tab, so the join cannot make two different pairs equal. */
static bool
key_eq(const char *s, size_t n, const struct key *k)
{
	size_t i;

	if (n != key_len(k))
		return false;
	for (i = 0; i < k->an; i++)
		if ((unsigned char)s[i] != fold(k->a[i]))
			return false;
	if (!k->b)
		return true;
	if (s[k->an] != '\t')
		return false;
	s += k->an + 1;
	for (i = 0; i < k->bn; i++)
		if ((unsigned char)s[i] != fold(k->b[i]))
			return false;
	return true;
}

/* The folded key as an arena string. */
static char *
key_dup(struct arena *a, const struct key *k)
{
	size_t n = key_len(k), i;
	char *s = arena_alloc(a, n + 1);

	if (!s)
		return NULL;
	for (i = 0; i < k->an; i++)
		s[i] = (char)fold(k->a[i]);
	if (k->b) {
		s[k->an] = '\t';
		for (i = 0; i < k->bn; i++)
			s[k->an + 1 + i] = (char)fold(k->b[i]);
	}
	s[n] = '\0';
	return s;
}

/* The number of the record stored under k (hash h), or NONE. */
static uint32_t
find(const struct list *l, const struct key *k, uint32_t h)
{
	uint32_t pos, idx;

	for (pos = hash_first(&l->index, h);
	     (idx = hash_next(&l->index, h, &pos)) != HASH_NONE;)
		if (key_eq(l->keys.v[idx].s, l->keys.v[idx].n, k))
			return idx;
	return NONE;
}

/* Makes room for one more record in the list. */
static bool
list_reserve(struct arena *a, struct list *l)
{
	size_t cap;
	void **v;

	if (l->n < l->cap)
		return true;
	if (l->cap >= NONE / 2)
		return false;
	cap = l->cap ? l->cap * 2 : MIN_LIST;
	v = ARENA_NEWV(a, void *, cap);
	if (!v)
		return false;
	if (l->n)
		memcpy(v, l->v, l->n * sizeof *v);
	l->v = v;
	l->cap = cap;
	return true;
}

/* Stores rec under k: replaces the record of an existing key in its list
 * slot, or appends it and enters the key.  Returns the record's index, or
 * NONE when out of memory (nothing changed then). */
static uint32_t
put(struct arena *a, struct list *l, const struct key *k, void *rec)
{
	uint32_t h = hash_key(k), idx = find(l, k, h);
	struct lkey key;

	if (idx != NONE) {
		l->v[idx] = rec;
		return idx;
	}
	if (!list_reserve(a, l) || vec_reserve_in(&l->keys, a, l->n + 1) < 0 ||
	    hash_reserve(&l->index, l->n + 1) < 0)
		return NONE;
	key.s = key_dup(a, k);
	key.n = key_len(k);
	if (!key.s)
		return NONE;
	idx = (uint32_t)l->n;
	l->v[l->n++] = rec;
	l->keys.v[l->keys.n++] = key;
	(void)hash_add(&l->index, h, idx);  /* room was reserved */
	return idx;
}

/* The record stored under k, or NULL. */
static void *
get(const struct list *l, const struct key *k)
{
	uint32_t idx = find(l, k, hash_key(k));

	return idx == NONE ? NULL : l->v[idx];
}

static struct key
key1(const char *a, size_t an)
{
	struct key k;

	k.a = a;
	k.an = an;
	k.b = NULL;
	k.bn = 0;
	return k;
}

static struct key
key2(const char *a, size_t an, const char *b, size_t bn)
{
	struct key k;

	k.a = a;
	k.an = an;
	k.b = b;
	k.bn = bn;
	return k;
}

struct eset_catalog *
eset_catalog_new(struct arena *a)
{
	struct eset_catalog *c = ARENA_NEW(a, struct eset_catalog);

	if (!c)
		return NULL;
	c->a = a;
	c->complist.index = (struct hash)HASH_INIT_IN(a);
	c->proplist.index = (struct hash)HASH_INIT_IN(a);
	c->maplist.index = (struct hash)HASH_INIT_IN(a);
	c->oplist.index = (struct hash)HASH_INIT_IN(a);
	c->actlist.index = (struct hash)HASH_INIT_IN(a);
	return c;
}

/* ---- Column checks ---------------------------------------------------- */

static bool
col_is(const struct col *c, const char *s)
{
	size_t n = strlen(s);

	return c->n == n && memcmp(c->p, s, n) == 0;
}

static int
show(const struct col *c)
{
	return c->n > SHOW ? SHOW : (int)c->n;
}

static bool
is_ident(const char *p, size_t n)
{
	size_t i;

	if (n == 0 || n >= UINT32_MAX || !((p[0] >= 'A' && p[0] <= 'Z') ||
	    (p[0] >= 'a' && p[0] <= 'z') || p[0] == '_'))
		return false;
	for (i = 1; i < n; i++) {
		char ch = p[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		      (ch >= '0' && ch <= '9') || ch == '_'))
			return false;
	}
	return true;
}

/* True if p[0..n) has a control character (tab and NUL included) or
 * DEL. */
static bool
has_control(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch < ' ' || ch == 0x7f)
			return true;
	}
	return false;
}

/* The index of the column's text in names[0..count), or -1. */
static int
pick(const struct col *c, const char *const *names, size_t count)
{
	size_t i;

	for (i = 0; i < count; i++)
		if (col_is(c, names[i]))
			return (int)i;
	return -1;
}

/* Checks an identifier column; fills msg and returns false if bad. */
static bool
check_ident(const struct col *c, const char *what, bool star, char *msg)
{
	if (star && col_is(c, "*"))
		return true;
	if (is_ident(c->p, c->n))
		return true;
	snprintf(msg, MSG_SIZE, "bad %s name '%.*s' (letters, digits and '_', "
		 "not starting with a digit%s)", what, show(c), c->p,
		 star ? "; or '*'" : "");
	return false;
}

/* The origin column as one of the static origin names, or NULL with msg
 * filled in. */
static const char *
check_origin(const struct col *c, char *msg)
{
	int i = pick(c, origin_names, COUNT(origin_names));

	if (i >= 0)
		return origin_names[i];
	snprintf(msg, MSG_SIZE, "unknown origin '%.*s' (expected doc, api, "
		 "seed, corpus, inferred or user)", show(c), c->p);
	return NULL;
}

static bool
check_note(const struct col *c, char *msg)
{
	if (c->n > 0 && !has_control(c->p, c->n))
		return true;
	snprintf(msg, MSG_SIZE, "note is empty or has a control character "
		 "(write '-' for no note)");
	return false;
}

/* A yes/no column: 1, 0, or -1 with msg filled in. */
static int
yes_no(const struct col *c, const char *what, char *msg)
{
	if (col_is(c, "yes"))
		return 1;
	if (col_is(c, "no"))
		return 0;
	snprintf(msg, MSG_SIZE, "%s must be 'yes' or 'no', not '%.*s'", what,
		 show(c), c->p);
	return -1;
}

static bool
check_ncol(size_t ncol, size_t want, const char *cols, char *msg)
{
	if (ncol == want)
		return true;
	snprintf(msg, MSG_SIZE, "expected %zu tab-separated columns (%s), "
		 "found %zu", want, cols, ncol);
	return false;
}

static char *
dup_col(struct arena *a, const struct col *c)
{
	return arena_strndup(a, c->p, c->n);
}

/* ---- Components ------------------------------------------------------- */

/* Parses a decimal integer p[0..n) with an optional '-' into *v. */
static bool
parse_int64(const char *p, size_t n, int64_t *v)
{
	bool neg = n > 0 && p[0] == '-';
	uint64_t x = 0, lim = neg ? (uint64_t)INT64_MAX + 1 : INT64_MAX;
	size_t i = neg ? 1 : 0;

	if (i == n)
		return false;
	for (; i < n; i++) {
		unsigned d;

		if (p[i] < '0' || p[i] > '9')
			return false;
		d = (unsigned)(p[i] - '0');
		if (x > (lim - d) / 10)
			return false;
		x = x * 10 + d;
	}
	if (neg)
		*v = x == (uint64_t)INT64_MAX + 1 ? INT64_MIN : -(int64_t)x;
	else
		*v = (int64_t)x;
	return true;
}

/* Splits the next comma-separated item off s[*pos..n). */
static struct col
next_item(const struct col *s, size_t *pos)
{
	struct col it;
	const char *q = s->p + *pos;
	const char *comma = memchr(q, ',', s->n - *pos);

	it.p = q;
	it.n = comma ? (size_t)(comma - q) : s->n - *pos;
	*pos += it.n + 1;
	return it;
}

/* Checks one constant "Name=Number": fills name and value, or msg. */
static bool
check_const(const struct col *it, struct col *name, int64_t *value,
	    char *msg)
{
	const char *eq = memchr(it->p, '=', it->n);

	if (!eq) {
		snprintf(msg, MSG_SIZE, "constant '%.*s' is not Name=Number",
			 show(it), it->p);
		return false;
	}
	name->p = it->p;
	name->n = (size_t)(eq - it->p);
	if (name->n == 0 || name->p[0] == ' ' || name->p[name->n - 1] == ' ' ||
	    has_control(name->p, name->n)) {
		snprintf(msg, MSG_SIZE, "bad constant name in '%.*s' (empty, "
			 "blank at an end, or a control character)", show(it),
			 it->p);
		return false;
	}
	if (!parse_int64(eq + 1, it->n - name->n - 1, value)) {
		snprintf(msg, MSG_SIZE, "constant '%.*s': the number is not a "
			 "decimal 64-bit integer", show(it), it->p);
		return false;
	}
	return true;
}

/* Parses the constants column: "-" gives none.  All items are checked
 * before anything is allocated.  Returns 0, 1 (msg filled in) or -1 when
 * out of memory. */
static int
parse_consts(struct arena *a, const struct col *s, struct eset_const **out,
	     size_t *nout, char *msg)
{
	struct eset_const *v;
	struct col it, name;
	size_t n = 1, pos, i, j;
	int64_t value;

	*out = NULL;
	*nout = 0;
	if (col_is(s, "-"))
		return 0;
	for (i = 0; i < s->n; i++)
		if (s->p[i] == ',')
			n++;
	for (pos = 0, i = 0; i < n; i++) {
		it = next_item(s, &pos);
		if (!check_const(&it, &name, &value, msg))
			return 1;
	}
	v = ARENA_NEWV(a, struct eset_const, n);
	if (!v)
		return -1;
	for (pos = 0, i = 0; i < n; i++) {
		it = next_item(s, &pos);
		check_const(&it, &name, &v[i].value, msg);
		v[i].name = arena_strndup(a, name.p, name.n);
		if (!v[i].name)
			return -1;
		for (j = 0; j < i; j++) {
			if (same_fold(v[j].name, v[i].name)) {
				snprintf(msg, MSG_SIZE, "constant '%s' given "
					 "twice", v[i].name);
				return 1;
			}
		}
	}
	*out = v;
	*nout = n;
	return 0;
}

/* Enters property p (its names checked and copied): in the property
 * table, its component in the component table, and with the ECS rows
 * already loaded for it.  False when out of memory. */
static bool
add_prop(struct eset_catalog *c, struct eset_prop *p)
{
	struct key kc = key1(p->component, strlen(p->component));
	struct key kp = key2(kc.a, kc.an, p->property, strlen(p->property));
	struct comp *cm = get(&c->complist, &kc);
	const struct mapset *ms;
	uint32_t idx;

	if (!cm) {
		cm = ARENA_NEW(c->a, struct comp);
		if (!cm)
			return false;
		cm->name = p->component;
		cm->star = NONE;
		if (put(c->a, &c->complist, &kc, cm) == NONE)
			return false;
	}
	ms = get(&c->maplist, &kp);
	if (ms) {
		p->maps = ms->maps;
		p->nmaps = ms->n;
	}
	idx = put(c->a, &c->proplist, &kp, p);
	if (idx == NONE)
		return false;
	if (p->wildcard)
		cm->star = idx;
	return true;
}

/* component property type set constants origin note */
static int
load_component(struct eset_catalog *c, const char *src, unsigned line,
	       const struct col *k, size_t ncol, char *msg)
{
	struct eset_prop *p;
	struct eset_const *consts;
	const char *origin;
	size_t nconsts;
	int type, r;

	if (!check_ncol(ncol, 7, "component, property, type, set, constants, "
			"origin, note", msg) ||
	    !check_ident(&k[0], "component", false, msg) ||
	    !check_ident(&k[1], "property", true, msg))
		return 1;
	type = pick(&k[2], type_names, COUNT(type_names));
	if (type < 0) {
		snprintf(msg, MSG_SIZE, "unknown type '%.*s' (expected string, "
			 "path, int, bool, enum, ipv4, ipv6 or other)",
			 show(&k[2]), k[2].p);
		return 1;
	}
	if (!col_is(&k[3], "set") && !col_is(&k[3], "-")) {
		snprintf(msg, MSG_SIZE, "set column must be 'set' or '-', not "
			 "'%.*s'", show(&k[3]), k[3].p);
		return 1;
	}
	origin = check_origin(&k[5], msg);
	if (!origin || !check_note(&k[6], msg))
		return 1;
	r = parse_consts(c->a, &k[4], &consts, &nconsts, msg);
	if (r)
		return r;
	if ((type == ET_ENUM) != (nconsts > 0)) {
		snprintf(msg, MSG_SIZE, "%s", type == ET_ENUM ?
			 "an enum needs constants (Name=Number,...)" :
			 "only an enum has constants");
		return 1;
	}
	if (col_is(&k[1], "*") && type != ET_OTHER) {
		snprintf(msg, MSG_SIZE, "a '*' row must have type other");
		return 1;
	}

	p = ARENA_NEW(c->a, struct eset_prop);
	if (!p)
		return -1;
	p->component = dup_col(c->a, &k[0]);
	p->property = dup_col(c->a, &k[1]);
	p->note = dup_col(c->a, &k[6]);
	if (!p->component || !p->property || !p->note)
		return -1;
	p->type = (enum eset_type)type;
	p->set = col_is(&k[3], "set");
	p->consts = consts;
	p->nconsts = nconsts;
	p->origin = origin;
	p->wildcard = col_is(&k[1], "*");
	p->source = src;
	p->line = line;
	return add_prop(c, p) ? 0 : -1;
}

/* ---- ECS mapping ------------------------------------------------------ */

/* Why the ECS field column is bad for the object, or NULL: "-", or a
 * dotted name without blanks or empty segments; process objects write
 * "{p}." first, other objects may not use "{p}". */
static const char *
bad_field(const struct col *f, enum eset_object obj)
{
	const char *p = f->p;
	size_t n = f->n, i;
	bool rel = n >= 4 && memcmp(p, "{p}.", 4) == 0;

	if (obj == EO_PROCESS && !rel)
		return "a field for process objects must start with '{p}.'";
	if (rel) {
		if (obj != EO_PROCESS)
			return "'{p}' is only for process objects";
		p += 4;
		n -= 4;
	}
	if (n == 0 || p[0] == '.' || p[n - 1] == '.')
		return "empty field name or segment";
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)p[i];

		if (ch <= ' ' || ch == 0x7f || ch == '{' || ch == '}')
			return "field name has a blank, a control character or "
			       "a brace";
		if (ch == '.' && p[i - 1] == '.')
			return "field name has an empty segment ('..')";
	}
	return NULL;
}

/* Adds or replaces the mapping for m->object under the key; the new list
 * is a fresh copy so that earlier pointers still see the old one, and the
 * property of that key, if loaded, is repointed. */
static bool
add_map(struct eset_catalog *c, const struct key *k, const struct eset_map *m)
{
	struct mapset *ms = get(&c->maplist, k);
	struct eset_prop *p;
	struct eset_map *v;
	size_t i, n;

	if (!ms) {
		ms = ARENA_NEW(c->a, struct mapset);
		if (!ms || put(c->a, &c->maplist, k, ms) == NONE)
			return false;
	}
	for (i = 0; i < ms->n && ms->maps[i].object != m->object; i++)
		;
	n = i < ms->n ? ms->n : ms->n + 1;
	v = ARENA_NEWV(c->a, struct eset_map, n);
	if (!v)
		return false;
	if (ms->n)
		memcpy(v, ms->maps, ms->n * sizeof *v);
	v[i] = *m;
	ms->maps = v;
	ms->n = n;
	p = get(&c->proplist, k);
	if (p) {
		p->maps = v;
		p->nmaps = n;
	}
	return true;
}

/* component property object ecs_field exactness transform note */
static int
load_ecs(struct eset_catalog *c, const char *src, unsigned line,
	 const struct col *k, size_t ncol, char *msg)
{
	struct eset_map m;
	struct key key;
	const char *why;
	int obj, ex, xf;
	bool none;

	(void)src;
	(void)line;
	if (!check_ncol(ncol, 7, "component, property, object, ecs_field, "
			"exactness, transform, note", msg) ||
	    !check_ident(&k[0], "component", false, msg) ||
	    !check_ident(&k[1], "property", true, msg))
		return 1;
	obj = pick(&k[2], object_names, COUNT(object_names));
	if (obj < 0) {
		snprintf(msg, MSG_SIZE, "unknown object '%.*s' (expected "
			 "process, file, dll, network, dns, event or other)",
			 show(&k[2]), k[2].p);
		return 1;
	}
	ex = pick(&k[4], exact_names, COUNT(exact_names));
	if (ex < 0) {
		snprintf(msg, MSG_SIZE, "unknown exactness '%.*s' (expected "
			 "exact, approx or none)", show(&k[4]), k[4].p);
		return 1;
	}
	none = col_is(&k[3], "-");
	if (none != (ex == EX_NONE)) {
		snprintf(msg, MSG_SIZE, "%s", none ?
			 "no ECS field ('-') needs exactness none" :
			 "exactness none needs ECS field '-'");
		return 1;
	}
	why = none ? NULL : bad_field(&k[3], (enum eset_object)obj);
	if (why) {
		snprintf(msg, MSG_SIZE, "bad ECS field '%.*s': %s", show(&k[3]),
			 k[3].p, why);
		return 1;
	}
	xf = pick(&k[5], xform_names, COUNT(xform_names));
	if (xf < 0) {
		snprintf(msg, MSG_SIZE, "unknown transform '%.*s' (expected -, "
			 "dirname, stem, ext, ipv4only, ipv6only, dayofweek, "
			 "hour, minute or inbound)", show(&k[5]), k[5].p);
		return 1;
	}
	if (!check_note(&k[6], msg))
		return 1;

	m.object = (enum eset_object)obj;
	m.exact = (enum eset_exact)ex;
	m.xform = (enum eset_xform)xf;
	m.transform = xf == EXF_NONE ? NULL : xform_names[xf];
	m.tr = xform_ir[xf].tr;
	m.ipfam = xform_ir[xf].fam;
	m.ecs = none ? NULL : dup_col(c->a, &k[3]);
	m.note = dup_col(c->a, &k[6]);
	if ((!none && !m.ecs) || !m.note)
		return -1;
	key = key2(k[0].p, k[0].n, k[1].p, k[1].n);
	return add_map(c, &key, &m) ? 0 : -1;
}

/* ---- Operations ------------------------------------------------------- */

/* Checks and copies the comma-separated component list. */
static int
parse_components(struct arena *a, const struct col *s, const char ***out,
		 size_t *nout, char *msg)
{
	const char **v;
	struct col it;
	size_t n = 1, pos, i, j;

	for (i = 0; i < s->n; i++)
		if (s->p[i] == ',')
			n++;
	for (pos = 0, i = 0; i < n; i++) {
		it = next_item(s, &pos);
		if (!is_ident(it.p, it.n)) {
			snprintf(msg, MSG_SIZE, "bad component name '%.*s' in "
				 "the component list", show(&it), it.p);
			return 1;
		}
	}
	v = ARENA_NEWV(a, const char *, n);
	if (!v)
		return -1;
	for (pos = 0, i = 0; i < n; i++) {
		it = next_item(s, &pos);
		v[i] = arena_strndup(a, it.p, it.n);
		if (!v[i])
			return -1;
		for (j = 0; j < i; j++) {
			if (same_fold(v[j], v[i])) {
				snprintf(msg, MSG_SIZE, "component '%s' listed "
					 "twice", v[i]);
				return 1;
			}
		}
	}
	*out = v;
	*nout = n;
	return 0;
}

/* True for "-" or lowercase words ([a-z_]+), comma-separated when list. */
static bool
ecs_words(const struct col *c, bool list)
{
	size_t i;
	bool start = true;

	if (col_is(c, "-"))
		return true;
	for (i = 0; i < c->n; i++) {
		char ch = c->p[i];

		if ((ch >= 'a' && ch <= 'z') || ch == '_') {
			start = false;
		} else if (ch == ',' && list && !start) {
			start = true;
		} else {
			return false;
		}
	}
	return !start;
}

/* operation components object ecs_category ecs_type origin note */
static int
load_operation(struct eset_catalog *c, const char *src, unsigned line,
	       const struct col *k, size_t ncol, char *msg)
{
	struct eset_op *op;
	struct key key;
	const char **comps;
	const char *origin;
	size_t ncomps;
	int obj, r;
	bool nocat;

	if (!check_ncol(ncol, 7, "operation, components, object, "
			"ecs_category, ecs_type, origin, note", msg) ||
	    !check_ident(&k[0], "operation", false, msg))
		return 1;
	obj = pick(&k[2], object_names, COUNT(object_names));
	if (obj < 0) {
		snprintf(msg, MSG_SIZE, "unknown object '%.*s' (expected "
			 "process, file, dll, network, dns, event or other)",
			 show(&k[2]), k[2].p);
		return 1;
	}
	if (!ecs_words(&k[3], false) || !ecs_words(&k[4], true)) {
		snprintf(msg, MSG_SIZE, "ECS category and type must be '-' or "
			 "lowercase words (the type a comma-separated list)");
		return 1;
	}
	nocat = col_is(&k[3], "-");
	if (nocat != col_is(&k[4], "-")) {
		snprintf(msg, MSG_SIZE, "ECS category and type must both be "
			 "given or both be '-'");
		return 1;
	}
	origin = check_origin(&k[5], msg);
	if (!origin || !check_note(&k[6], msg))
		return 1;
	r = parse_components(c->a, &k[1], &comps, &ncomps, msg);
	if (r)
		return r;

	op = ARENA_NEW(c->a, struct eset_op);
	if (!op)
		return -1;
	op->name = dup_col(c->a, &k[0]);
	op->note = dup_col(c->a, &k[6]);
	op->ecs_category = nocat ? NULL : dup_col(c->a, &k[3]);
	op->ecs_type = nocat ? NULL : dup_col(c->a, &k[4]);
	if (!op->name || !op->note || (!nocat && (!op->ecs_category ||
					          !op->ecs_type)))
		return -1;
	op->components = comps;
	op->ncomponents = ncomps;
	op->object = (enum eset_object)obj;
	op->origin = origin;
	op->source = src;
	op->line = line;
	key = key1(k[0].p, k[0].n);
	return put(c->a, &c->oplist, &key, op) == NONE ? -1 : 0;
}

/* ---- Actions ---------------------------------------------------------- */

/* action takes_value sequence_ok origin note */
static int
load_action(struct eset_catalog *c, const char *src, unsigned line,
	    const struct col *k, size_t ncol, char *msg)
{
	struct eset_action *act;
	struct key key;
	const char *origin;
	int val, seq;

	if (!check_ncol(ncol, 5, "action, takes_value, sequence_ok, origin, "
			"note", msg) ||
	    !check_ident(&k[0], "action", false, msg))
		return 1;
	val = yes_no(&k[1], "takes_value", msg);
	seq = val < 0 ? -1 : yes_no(&k[2], "sequence_ok", msg);
	if (seq < 0)
		return 1;
	origin = check_origin(&k[3], msg);
	if (!origin || !check_note(&k[4], msg))
		return 1;

	act = ARENA_NEW(c->a, struct eset_action);
	if (!act)
		return -1;
	act->name = dup_col(c->a, &k[0]);
	act->note = dup_col(c->a, &k[4]);
	if (!act->name || !act->note)
		return -1;
	act->takes_value = val;
	act->sequence_ok = seq;
	act->origin = origin;
	act->source = src;
	act->line = line;
	key = key1(k[0].p, k[0].n);
	return put(c->a, &c->actlist, &key, act) == NONE ? -1 : 0;
}

/* ---- The loader ------------------------------------------------------- */

typedef int load_fn(struct eset_catalog *c, const char *src, unsigned line,
		    const struct col *k, size_t ncol, char *msg);

/* Splits p[0..n) at tabs into at most MAXCOL columns; returns the number
 * of columns the line has (which may be more). */
static size_t
split(const char *p, size_t n, struct col *k)
{
	const char *q = p, *end = p + n;
	size_t ncol = 0;

	for (;;) {
		const char *tab = memchr(q, '\t', (size_t)(end - q));
		const char *stop = tab ? tab : end;

		if (ncol < MAXCOL) {
			k[ncol].p = q;
			k[ncol].n = (size_t)(stop - q);
		}
		ncol++;
		if (!tab)
			return ncol;
		q = tab + 1;
	}
}

/* Reads the text line by line and hands each data line, split into
 * columns, to the loader of the kind.  Columns beyond MAXCOL are counted
 * but not kept: every kind has fewer, so such a line is rejected. */
int
eset_catalog_load(struct eset_catalog *c, const char *kind,
		  const char *origin, const char *text, size_t len,
		  void (*err)(void *ud, unsigned line, const char *msg),
		  void *ud)
{
	char msg[MSG_SIZE];
	struct col k[MAXCOL];
	load_fn *fn;
	const char *src;
	size_t pos = 0;
	unsigned line = 0;
	int bad = 0;

	if (strcmp(kind, "components") == 0) {
		fn = load_component;
	} else if (strcmp(kind, "operations") == 0) {
		fn = load_operation;
	} else if (strcmp(kind, "ecs") == 0) {
		fn = load_ecs;
	} else if (strcmp(kind, "actions") == 0) {
		fn = load_action;
	} else {
		if (err) {
			snprintf(msg, MSG_SIZE, "unknown catalogue kind '%.*s' "
				 "(expected components, operations, ecs or "
				 "actions)", SHOW, kind);
			err(ud, 0, msg);
		}
		return 1;
	}
	src = arena_strdup(c->a, origin ? origin : "<eset catalogue>");
	if (!src)
		return -1;
	while (pos < len) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		int r;

		pos += n + (nl ? 1 : 0);
		line++;
		if (n && p[n - 1] == '\r')
			n--;
		if ((n && p[0] == '#') || text_is_blank(p, n))
			continue;
		r = fn(c, src, line, k, split(p, n, k), msg);
		if (r < 0)
			return -1;
		if (r > 0) {
			if (bad < INT_MAX)
				bad++;
			if (err)
				err(ud, line, msg);
		}
	}
	return bad;
}

/* ---- Lookups ---------------------------------------------------------- */

bool
eset_has_component(const struct eset_catalog *c, const char *comp,
		   bool *exact_case)
{
	struct key k = key1(comp, strlen(comp));
	const struct comp *cm = get(&c->complist, &k);

	if (!cm)
		return false;
	if (exact_case)
		*exact_case = strcmp(cm->name, comp) == 0;
	return true;
}

/* A property row of its own wins over the component's '*' row. */
const struct eset_prop *
eset_lookup_prop(const struct eset_catalog *c, const char *comp,
		 const char *prop, bool *exact_case)
{
	size_t cn = strlen(comp);
	struct key kp = key2(comp, cn, prop, strlen(prop));
	struct key kc = key1(comp, cn);
	const struct eset_prop *p = get(&c->proplist, &kp);
	const struct comp *cm;

	if (p) {
		if (exact_case)
			*exact_case = strcmp(p->component, comp) == 0 &&
				      strcmp(p->property, prop) == 0;
		return p;
	}
	cm = get(&c->complist, &kc);
	if (!cm || cm->star == NONE)
		return NULL;
	p = c->proplist.v[cm->star];
	if (exact_case)
		*exact_case = strcmp(p->component, comp) == 0;
	return p;
}

const struct eset_op *
eset_lookup_op(const struct eset_catalog *c, const char *name,
	       bool *exact_case)
{
	struct key k = key1(name, strlen(name));
	const struct eset_op *op = get(&c->oplist, &k);

	if (op && exact_case)
		*exact_case = strcmp(op->name, name) == 0;
	return op;
}

const struct eset_action *
eset_lookup_action(const struct eset_catalog *c, const char *name,
		   bool *exact_case)
{
	struct key k = key1(name, strlen(name));
	const struct eset_action *act = get(&c->actlist, &k);

	if (act && exact_case)
		*exact_case = strcmp(act->name, name) == 0;
	return act;
}

bool
eset_op_offers(const struct eset_op *op, const char *component)
{
	size_t i;

	for (i = 0; i < op->ncomponents; i++)
		if (same_fold(op->components[i], component))
			return true;
	return false;
}

const struct eset_map *
eset_prop_map(const struct eset_prop *p, enum eset_object obj)
{
	size_t i;

	for (i = 0; i < p->nmaps; i++)
		if (p->maps[i].object == obj)
			return &p->maps[i];
	return NULL;
}

bool
eset_const_lookup(const struct eset_prop *p, const char *name,
		  int64_t *value)
{
	size_t i;

	for (i = 0; i < p->nconsts; i++) {
		if (same_fold(p->consts[i].name, name)) {
			if (value)
				*value = p->consts[i].value;
			return true;
		}
	}
	return false;
}

/* ---- Suggestions ------------------------------------------------------ */

/* The closest name in a list whose entries all begin with their name (a
 * struct's first member: a pointer to the struct is one to its name). */
static const char *
suggest_in(const struct list *l, const char *name)
{
	struct suggest sg;
	size_t i;

	suggest_init(&sg, name, strlen(name), true);
	for (i = 0; i < l->n; i++) {
		const char *cand = *(const char *const *)l->v[i];
		suggest_add(&sg, cand, strlen(cand));
	}
	return suggest_best(&sg);
}

const char *
eset_suggest_component(const struct eset_catalog *c, const char *name)
{
	return suggest_in(&c->complist, name);
}

/* Only the properties of comp are candidates; its '*' row is not. */
const char *
eset_suggest_prop(const struct eset_catalog *c, const char *comp,
		  const char *prop)
{
	struct suggest sg;
	size_t i;

	if (!eset_has_component(c, comp, NULL))
		return NULL;
	suggest_init(&sg, prop, strlen(prop), true);
	for (i = 0; i < c->proplist.n; i++) {
		const struct eset_prop *p = c->proplist.v[i];

		if (!p->wildcard && same_fold(p->component, comp))
			suggest_add(&sg, p->property, strlen(p->property));
	}
	return suggest_best(&sg);
}

const char *
eset_suggest_op(const struct eset_catalog *c, const char *name)
{
	return suggest_in(&c->oplist, name);
}

const char *
eset_suggest_action(const struct eset_catalog *c, const char *name)
{
	return suggest_in(&c->actlist, name);
}

const char *
eset_suggest_const(const struct eset_prop *p, const char *name)
{
	struct suggest sg;
	size_t i;

	suggest_init(&sg, name, strlen(name), true);
	for (i = 0; i < p->nconsts; i++)
		suggest_add(&sg, p->consts[i].name, strlen(p->consts[i].name));
	return suggest_best(&sg);
}

/* ---- Iteration and names ---------------------------------------------- */

size_t
eset_component_count(const struct eset_catalog *c)
{
	return c->complist.n;
}

const char *
eset_component_at(const struct eset_catalog *c, size_t i)
{
	const struct comp *cm;

	if (i >= c->complist.n)
		return NULL;
	cm = c->complist.v[i];
	return cm->name;
}

size_t
eset_prop_count(const struct eset_catalog *c)
{
	return c->proplist.n;
}

const struct eset_prop *
eset_prop_at(const struct eset_catalog *c, size_t i)
{
	return i < c->proplist.n ? c->proplist.v[i] : NULL;
}

size_t
eset_op_count(const struct eset_catalog *c)
{
	return c->oplist.n;
}

const struct eset_op *
eset_op_at(const struct eset_catalog *c, size_t i)
{
	return i < c->oplist.n ? c->oplist.v[i] : NULL;
}

size_t
eset_action_count(const struct eset_catalog *c)
{
	return c->actlist.n;
}

const struct eset_action *
eset_action_at(const struct eset_catalog *c, size_t i)
{
	return i < c->actlist.n ? c->actlist.v[i] : NULL;
}

const char *
eset_type_name(enum eset_type t)
{
	return (unsigned)t < ET_COUNT ? type_names[t] : "?";
}

const char *
eset_object_name(enum eset_object o)
{
	return (unsigned)o < EO_COUNT ? object_names[o] : "?";
}

const char *
eset_exact_name(enum eset_exact x)
{
	return (unsigned)x < EX_COUNT ? exact_names[x] : "?";
}

const char *
eset_xform_name(enum eset_xform x)
{
	return (unsigned)x < EXF_COUNT ? xform_names[x] : "?";
}
