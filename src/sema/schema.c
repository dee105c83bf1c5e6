/*
 * schema.c - field catalogue: hash table, schema file loader, suggestions
 * (see schema.h).
 */
#include "sema/schema.h"
#include "base/text.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/suggest.h"

enum { MIN_CAP = 64, MIN_FIELDS = 64, MSG_SIZE = 200, SHOW = 40 };

#define NONE UINT32_MAX
#define FNV_OFFSET 2166136261u
#define FNV_PRIME 16777619u

/* A name in the table: a field, a path prefix of fields, or both. */
struct entry {
	const char *key;        /* not NUL-terminated for a bare prefix */
	size_t keylen;
	const struct schema_field *field; /* NULL: only a prefix */
	uint32_t index;         /* field's place in schema.fields */
	uint32_t group_head;    /* first-segment entries: fields below, */
	uint32_t group_tail;    /* chained through fslot.group_next */
	bool prefix;            /* some field lies below this name */
};

/* The hash is kept beside the pointer so that most probes that miss are
 * decided without touching the entry. */
struct slot {
	uint32_t hash;
	struct entry *e;
};

struct fslot {
	const struct schema_field *f;
	uint32_t group_next;
};

struct schema {
	struct arena *a;
	struct slot *tab;       /* cap slots, cap a power of two */
	size_t cap, used;       /* used <= 3/4 cap */
	struct fslot *fields;   /* in order of first definition */
	size_t nfields, fcap;
};

static const char *const ftype_names[] = {
#define X(e, name) name,
	RC_FTYPE_LIST(X)
#undef X
};

static uint32_t
fnv_step(uint32_t h, char c)
{
	return (h ^ (unsigned char)c) * FNV_PRIME;
}

static uint32_t
hash_name(const char *p, size_t n)
{
	uint32_t h = FNV_OFFSET;
	size_t i;

	for (i = 0; i < n; i++)
		h = fnv_step(h, p[i]);
	return h;
}

/* The entry for key[0..len) with hash h, or NULL.  Terminates because the
 * table always has empty slots (load at most 3/4). */
static struct entry *
find(const struct schema *s, const char *key, size_t len, uint32_t h)
{
	size_t mask = s->cap - 1, i = h & mask;

	for (;;) {
		const struct slot *sl = &s->tab[i];

		if (!sl->e)
			return NULL;
		if (sl->hash == h && sl->e->keylen == len &&
		    memcmp(sl->e->key, key, len) == 0)
			return sl->e;
		i = (i + 1) & mask;
	}
}

/* Puts e in the first free slot of its probe sequence (e is known to be
 * absent and a free slot to exist). */
static void
place(struct slot *tab, size_t cap, uint32_t h, struct entry *e)
{
	size_t mask = cap - 1, i = h & mask;

	while (tab[i].e)
		i = (i + 1) & mask;
	tab[i].hash = h;
	tab[i].e = e;
}

/* Makes room for `need` more entries, doubling the table as often as it
 * takes to stay at most three quarters full.  False when out of memory
 * (the table is then unchanged). */
static bool
reserve(struct schema *s, size_t need)
{
	size_t cap = s->cap, i;
	struct slot *tab;

	if (need > SIZE_MAX / 8 - s->used)
		return false;
	while ((s->used + need) * 4 > cap * 3) {
		if (cap > SIZE_MAX / (2 * sizeof *tab))
			return false;
		cap *= 2;
	}
	if (cap == s->cap)
		return true;
	tab = ARENA_NEWV(s->a, struct slot, cap);
	if (!tab)
		return false;
	for (i = 0; i < s->cap; i++)
		if (s->tab[i].e)
			place(tab, cap, s->tab[i].hash, s->tab[i].e);
	s->tab = tab;
	s->cap = cap;
	return true;
}

/* Makes room for one more field in the list. */
static bool
reserve_field(struct schema *s)
{
	struct fslot *f;
	size_t cap;

	if (s->nfields < s->fcap)
		return true;
	if (s->fcap >= NONE / 2)
		return false;
	cap = s->fcap * 2;
	f = ARENA_NEWV(s->a, struct fslot, cap);
	if (!f)
		return false;
	memcpy(f, s->fields, s->nfields * sizeof *f);
	s->fields = f;
	s->fcap = cap;
	return true;
}

static struct entry *
add_entry(struct schema *s, struct entry *e, const char *key, size_t len,
	  uint32_t h)
{
	e->key = key;
	e->keylen = len;
	e->field = NULL;
	e->index = NONE;
	e->group_head = e->group_tail = NONE;
	e->prefix = false;
	place(s->tab, s->cap, h, e);
	s->used++;
	return e;
}

/* Enters field f (its name already checked and copied): the entry for its
 * name and one for every proper prefix ending before a dot.  The hashes
 * of the prefixes fall out of hashing the name once.  All memory is
 * claimed before anything is linked, so on failure (false) the schema is
 * as it was. */
static bool
insert(struct schema *s, struct schema_field *f)
{
	const char *name = f->name;
	size_t len = f->namelen, need = 0, i, k = 0;
	struct entry *full, *group = NULL, *fresh = NULL;
	uint32_t h = FNV_OFFSET;

	for (i = 0; i < len; i++) {
		if (name[i] == '.' && !find(s, name, i, h))
			need++;
		h = fnv_step(h, name[i]);
	}
	full = find(s, name, len, h);
	if (!full)
		need++;
	if (!reserve(s, need))
		return false;
	if ((!full || !full->field) && !reserve_field(s))
		return false;
	if (need) {
		fresh = ARENA_NEWV(s->a, struct entry, need);
		if (!fresh)
			return false;
	}

	h = FNV_OFFSET;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			struct entry *e = find(s, name, i, h);

			if (!e)
				e = add_entry(s, &fresh[k++], name, i, h);
			e->prefix = true;
			if (!group)
				group = e;
		}
		h = fnv_step(h, name[i]);
	}
	if (!full)
		full = add_entry(s, &fresh[k++], name, len, h);
	if (!group)
		group = full;
	if (full->field) {
		s->fields[full->index].f = f;
	} else {
		uint32_t idx = (uint32_t)s->nfields++;

		full->index = idx;
		s->fields[idx].f = f;
		s->fields[idx].group_next = NONE;
		if (group->group_tail == NONE)
			group->group_head = idx;
		else
			s->fields[group->group_tail].group_next = idx;
		group->group_tail = idx;
	}
	full->field = f;
	return true;
}

struct schema *
schema_new(struct arena *a)
{
	struct schema *s = ARENA_NEW(a, struct schema);

	if (!s)
		return NULL;
	s->a = a;
	s->tab = ARENA_NEWV(a, struct slot, MIN_CAP);
	s->fields = ARENA_NEWV(a, struct fslot, MIN_FIELDS);
	if (!s->tab || !s->fields)
		return NULL;
	s->cap = MIN_CAP;
	s->fcap = MIN_FIELDS;
	return s;
}

/* A column of a schema line: p[0..n). */
struct col {
	const char *p;
	size_t n;
};

/* True if p[0..n) has a byte that may not appear in a name or type: a
 * space, a control character (NUL and tab included) or DEL. */
static bool
has_blank(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)p[i];

		if (c <= ' ' || c == 0x7f)
			return true;
	}
	return false;
}

/* Why p[0..n) is not a valid field name, or NULL if it is. */
static const char *
bad_name(const char *p, size_t n)
{
	size_t i;

	if (n == 0)
		return "empty field name";
	if (has_blank(p, n))
		return "field name contains a space or control character";
	if (p[0] == '.' || p[n - 1] == '.')
		return "field name starts or ends with '.'";
	for (i = 1; i < n; i++)
		if (p[i] == '.' && p[i - 1] == '.')
			return "field name has an empty path segment ('..')";
	if (n >= UINT32_MAX)
		return "field name too long";
	return NULL;
}

static bool
col_is(const struct col *c, const char *s)
{
	size_t n = strlen(s);

	return c->n == n && memcmp(c->p, s, n) == 0;
}

/* Parses one data line p[0..n) (no line end) into a field and enters it.
 * Returns 0, 1 with msg filled in for a malformed line, or -1 when out of
 * memory. */
static int
load_line(struct schema *s, const char *origin, unsigned line, const char *p,
	  size_t n, char *msg)
{
	struct col c[4];
	struct schema_field *f;
	const char *why, *q = p, *end = p + n;
	size_t ncol = 0;
	enum rc_ftype t;

	for (;;) {
		const char *tab = memchr(q, '\t', (size_t)(end - q));
		const char *stop = tab ? tab : end;

		if (ncol < 4) {
			c[ncol].p = q;
			c[ncol].n = (size_t)(stop - q);
		}
		ncol++;
		if (!tab)
			break;
		q = tab + 1;
	}
	if (ncol < 3 || ncol > 4) {
		snprintf(msg, MSG_SIZE, "expected 3 or 4 tab-separated columns "
			 "(name, type, array[, es_type]), found %zu", ncol);
		return 1;
	}
	why = bad_name(c[0].p, c[0].n);
	if (why) {
		snprintf(msg, MSG_SIZE, "%s", why);
		return 1;
	}
	t = schema_ftype_parse(c[1].p, c[1].n);
	if (t == FT_UNKNOWN) {
		snprintf(msg, MSG_SIZE, "unknown type '%.*s' for '%.*s' "
			 "(expected keyword, long, double, ip, date, boolean, "
			 "object or geo_point)", c[1].n > SHOW ? SHOW : (int)c[1].n,
			 c[1].p, c[0].n > SHOW ? SHOW : (int)c[0].n, c[0].p);
		return 1;
	}
	if (!col_is(&c[2], "array") && !col_is(&c[2], "-")) {
		snprintf(msg, MSG_SIZE, "array column must be 'array' or '-', "
			 "not '%.*s'", c[2].n > SHOW ? SHOW : (int)c[2].n,
			 c[2].p);
		return 1;
	}
	if (ncol == 4 && (c[3].n == 0 || has_blank(c[3].p, c[3].n))) {
		snprintf(msg, MSG_SIZE, "es_type column is empty or contains a "
			 "space or control character");
		return 1;
	}

	f = ARENA_NEW(s->a, struct schema_field);
	if (!f)
		return -1;
	f->name = arena_strndup(s->a, c[0].p, c[0].n);
	f->es_type = ncol == 4 ? arena_strndup(s->a, c[3].p, c[3].n) : NULL;
	if (!f->name || (ncol == 4 && !f->es_type))
		return -1;
	f->namelen = c[0].n;
	f->type = t;
	f->array = col_is(&c[2], "array");
	f->origin = origin;
	f->line = line;
	return insert(s, f) ? 0 : -1;
}

/* Reads the text line by line.  The table is first grown for one entry per
 * line, which saves most rehashing; path prefixes add the rest. */
int
schema_load(struct schema *s, const char *origin, const char *text,
	    size_t len, void (*err)(void *ud, unsigned line, const char *msg),
	    void *ud)
{
	char msg[MSG_SIZE];
	const char *org;
	size_t pos = 0, lines = 1;
	unsigned line = 0;
	int bad = 0;

	org = arena_strdup(s->a, origin ? origin : "<schema>");
	if (!org)
		return -1;
	for (pos = 0; pos < len; pos++)
		if (text[pos] == '\n')
			lines++;
	if (!reserve(s, lines))
		return -1;
	pos = 0;
	while (pos < len) {
		const char *p = text + pos;
		const char *nl = memchr(p, '\n', len - pos);
		size_t n = nl ? (size_t)(nl - p) : len - pos;
		int r;

		pos += n + (nl ? 1 : 0);
		line++;
		if (n && p[n - 1] == '\r')
			n--;
		if (p[0] == '#' || text_is_blank(p, n))
			continue;
		r = load_line(s, org, line, p, n, msg);
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

const struct schema_field *
schema_lookup(const struct schema *s, const char *name, size_t len)
{
	const struct entry *e;

	if (len == 0)
		return NULL;
	e = find(s, name, len, hash_name(name, len));
	return e ? e->field : NULL;
}

bool
schema_is_object_path(const struct schema *s, const char *name, size_t len)
{
	const struct entry *e;

	if (len == 0)
		return false;
	e = find(s, name, len, hash_name(name, len));
	if (!e)
		return false;
	if (e->field)
		return e->field->type == FT_OBJECT;
	return e->prefix;
}

size_t
schema_count(const struct schema *s)
{
	return s->nfields;
}

/* Tries the fields under the first path segment of the name (through the
 * segment entry's chain), then, if none is close enough, every field.  Both
 * walks go in order of definition, so ties keep the first-defined field. */
const char *
schema_suggest(const struct schema *s, const char *name, size_t len)
{
	struct suggest sg;
	const struct entry *g;
	size_t seg, i;
	uint32_t k;

	if (len == 0)
		return NULL;
	suggest_init(&sg, name, len, true);
	for (seg = 0; seg < len && name[seg] != '.'; seg++)
		;
	g = seg ? find(s, name, seg, hash_name(name, seg)) : NULL;
	if (g) {
		for (k = g->group_head; k != NONE; k = s->fields[k].group_next)
			suggest_add(&sg, s->fields[k].f->name,
				    s->fields[k].f->namelen);
		if (suggest_best(&sg))
			return suggest_best(&sg);
	}
	for (i = 0; i < s->nfields; i++)
		suggest_add(&sg, s->fields[i].f->name, s->fields[i].f->namelen);
	return suggest_best(&sg);
}

const char *
schema_ftype_name(enum rc_ftype t)
{
	if ((unsigned)t >= FT_COUNT)
		return ftype_names[FT_UNKNOWN];
	return ftype_names[t];
}

enum rc_ftype
schema_ftype_parse(const char *name, size_t len)
{
	unsigned t;

	for (t = FT_UNKNOWN + 1; t < FT_COUNT; t++) {
		const char *n = ftype_names[t];

		if (strlen(n) == len && memcmp(n, name, len) == 0)
			return (enum rc_ftype)t;
	}
	return FT_UNKNOWN;
}
