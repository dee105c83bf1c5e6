/*
 * schema.c - field catalogue: hash table, schema file loader, suggestions
 * (see schema.h).
 */
#include "sema/schema.h"
#include "base/text.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "base/hash.h"
#include "base/suggest.h"
#include "base/vec.h"

enum { MIN_FIELDS = 64, MSG_SIZE = 200, SHOW = 40 };

#define NONE UINT32_MAX

/* A name in the table: a field, a path prefix of fields, or both. */
struct entry {
	const char *key;        /* not NUL-terminated for a bare prefix */
	size_t keylen;
	const struct schema_field *field; /* NULL: only a prefix */
	uint32_t index;         /* field's place in schema.fields */
	uint32_t group_head;    /* first-segment entries: fields below, */
	uint32_t group_tail;    /* chained through fslot.group_next */
	const char *origin;     /* first-segment entries: the file of the
	                           first field below (or of the segment) */
	bool prefix;            /* some field lies below this name */
	struct schema_values *values; /* allowed values, NULL: open */
};

/* A literal form of a field's values (schema_load_literal_forms). */
struct form {
	const char *field, *text;
	size_t flen, tlen;
};

struct fslot {
	const struct schema_field *f;
	uint32_t group_next;
};

struct schema {
	struct arena *a;
	struct hash index;          /* name's hash -> its entry (in a) */
	VEC(struct entry *) entries; /* by number (the array in a) */
	VEC(struct entry *) roots;  /* first-segment entries with fields,
	                               in order of first definition */
	struct fslot *fields;   /* in order of first definition */
	size_t nfields, fcap;
	VEC(struct form) forms;     /* literal forms (few: scanned in order) */
};

static const char *const ftype_names[] = {
#define X(e, name) name,
	RC_FTYPE_LIST(X)
#undef X
};

/* The entry for key[0..len) with hash h (hash_str of the key), or
 * NULL. */
static struct entry *
find(const struct schema *s, const char *key, size_t len, uint32_t h)
{
	uint32_t pos, k;

	for (pos = hash_first(&s->index, h);
	     (k = hash_next(&s->index, h, &pos)) != HASH_NONE;) {
		struct entry *e = s->entries.v[k];

		if (e->keylen == len && memcmp(e->key, key, len) == 0)
			return e;
	}
	return NULL;
}

/* Makes room for `need` more entries in the array and the table.  False
 * when out of memory (the schema is then unchanged). */
static bool
reserve(struct schema *s, size_t need)
{
	size_t n = s->entries.n;

	if (need > SIZE_MAX / 8 - n)
		return false;
	return vec_reserve_in(&s->entries, s->a, n + need) == 0 &&
	       hash_reserve(&s->index, n + need) == 0;
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

/* Enters e as key[0..len) with hash h; room was reserved, so neither the
 * array nor the table grows (and nothing can fail). */
static struct entry *
add_entry(struct schema *s, struct entry *e, const char *key, size_t len,
	  uint32_t h)
{
	(void)hash_add(&s->index, h, (uint32_t)s->entries.n);
	s->entries.v[s->entries.n++] = e;
	e->key = key;
	e->keylen = len;
	e->field = NULL;
	e->index = NONE;
	e->group_head = e->group_tail = NONE;
	e->origin = NULL;
	e->prefix = false;
	e->values = NULL;
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
	uint32_t h = HASH_SEED;

	for (i = 0; i < len; i++) {
		if (name[i] == '.' && !find(s, name, i, h))
			need++;
		h = hash_step(h, (unsigned char)name[i]);
	}
	full = find(s, name, len, h);
	if (!full)
		need++;
	if (!reserve(s, need))
		return false;
	if ((!full || !full->field) && !reserve_field(s))
		return false;
	if (vec_reserve_in(&s->roots, s->a, s->roots.n + 1) != 0)
		return false;
	if (need) {
		fresh = ARENA_NEWV(s->a, struct entry, need);
		if (!fresh)
			return false;
	}

	h = HASH_SEED;
	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			struct entry *e = find(s, name, i, h);

			if (!e)
				e = add_entry(s, &fresh[k++], name, i, h);
			e->prefix = true;
			if (!group)
				group = e;
		}
		h = hash_step(h, (unsigned char)name[i]);
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
		if (group->group_tail == NONE) {
			group->group_head = idx;
			group->origin = f->origin;
			s->roots.v[s->roots.n++] = group;
		}
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
	s->index = (struct hash)HASH_INIT_IN(a);
	s->fields = ARENA_NEWV(a, struct fslot, MIN_FIELDS);
	if (!s->fields)
		return NULL;
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

/* A parser of one data line p[0..n) (no line end): 0, 1 with msg filled
 * in for a malformed line, or -1 when out of memory. */
typedef int (*line_fn)(struct schema *s, const char *origin, unsigned line,
		       const char *p, size_t n, char *msg);

/* Reads the text line by line, skipping comments and blank lines, and
 * hands each data line to fn.  Returns the number of malformed lines, or
 * -1 when out of memory. */
static int
load_lines(struct schema *s, const char *origin, const char *text, size_t len,
	   line_fn fn, void (*err)(void *ud, unsigned line, const char *msg),
	   void *ud)
{
	char msg[MSG_SIZE];
	const char *org;
	size_t pos = 0;
	unsigned line = 0;
	int bad = 0;

	org = arena_strdup(s->a, origin ? origin : "<schema>");
	if (!org)
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
		if (p[0] == '#' || text_is_blank(p, n))
			continue;
		r = fn(s, org, line, p, n, msg);
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

/* The table is first grown for one entry per line, which saves most
 * rehashing; path prefixes add the rest. */
int
schema_load(struct schema *s, const char *origin, const char *text,
	    size_t len, void (*err)(void *ud, unsigned line, const char *msg),
	    void *ud)
{
	size_t pos, lines = 1;

	for (pos = 0; pos < len; pos++)
		if (text[pos] == '\n')
			lines++;
	if (hash_reserve(&s->index, s->entries.n + lines) < 0)
		return -1;
	return load_lines(s, origin, text, len, load_line, err, ud);
}

/* Parses one line of a value file, field <TAB> value, and adds the value
 * to the field's list. */
static int
load_value_line(struct schema *s, const char *origin, unsigned line,
		const char *p, size_t n, char *msg)
{
	const char *tab = memchr(p, '\t', n);
	const char *why;
	struct schema_value v;
	struct entry *e;
	size_t flen, i;

	(void)origin;
	(void)line;
	if (!tab || memchr(tab + 1, '\t', n - (size_t)(tab - p) - 1)) {
		snprintf(msg, MSG_SIZE, "expected 2 tab-separated columns "
			 "(field, value)");
		return 1;
	}
	flen = (size_t)(tab - p);
	v.len = n - flen - 1;
	why = bad_name(p, flen);
	if (why) {
		snprintf(msg, MSG_SIZE, "%s", why);
		return 1;
	}
	if (v.len == 0) {
		snprintf(msg, MSG_SIZE, "empty value for '%.*s'",
			 flen > SHOW ? SHOW : (int)flen, p);
		return 1;
	}
	e = find(s, p, flen, hash_str(p, flen));
	if (!e || !e->field) {
		snprintf(msg, MSG_SIZE, "allowed values for '%.*s', which no "
			 "schema defines", flen > SHOW ? SHOW : (int)flen, p);
		return 1;
	}
	if (!e->values) {
		e->values = ARENA_NEW(s->a, struct schema_values);
		if (!e->values)
			return -1;
	}
	for (i = 0; i < e->values->n; i++)
		if (e->values->v[i].len == v.len &&
		    memcmp(e->values->v[i].s, tab + 1, v.len) == 0)
			return 0;
	v.s = arena_strndup(s->a, tab + 1, v.len);
	if (!v.s)
		return -1;
	return vec_push_in(e->values, s->a, v) < 0 ? -1 : 0;
}

int
schema_load_values(struct schema *s, const char *origin, const char *text,
		   size_t len,
		   void (*err)(void *ud, unsigned line, const char *msg),
		   void *ud)
{
	return load_lines(s, origin, text, len, load_value_line, err, ud);
}

const struct schema_values *
schema_values(const struct schema *s, const char *name, size_t len)
{
	const struct entry *e;

	if (len == 0)
		return NULL;
	e = find(s, name, len, hash_str(name, len));
	return e ? e->values : NULL;
}

/* Parses one line of literal forms: field, form, why. */
static int
load_form(struct schema *s, const char *origin, unsigned line, const char *p,
	  size_t n, char *msg)
{
	const char *tab = memchr(p, '\t', n), *tab2, *why, *f;
	size_t i, flen;
	bool star = false;
	struct form *fm;

	(void)origin;
	(void)line;
	tab2 = tab ? memchr(tab + 1, '\t', (size_t)(p + n - tab - 1)) : NULL;
	if (!tab || !tab2 || memchr(tab2 + 1, '\t', (size_t)(p + n - tab2 - 1))) {
		snprintf(msg, MSG_SIZE, "expected 3 tab-separated columns "
			 "(field, form, why)");
		return 1;
	}
	if ((why = bad_name(p, (size_t)(tab - p)))) {
		snprintf(msg, MSG_SIZE, "%s", why);
		return 1;
	}
	f = tab + 1;
	flen = (size_t)(tab2 - f);
	for (i = 0; i < flen; i++) {
		if (f[i] == '*' || f[i] == '?')
			star = true;
		if (f[i] == '{' && (i + 1 == flen || f[++i] != '}')) {
			snprintf(msg, MSG_SIZE, "'{' in a form must start "
				 "'{}' (any text without * or ?)");
			return 1;
		}
	}
	if (!star) {
		snprintf(msg, MSG_SIZE, "the form '%.*s' has no literal * or ?",
			 flen > SHOW ? SHOW : (int)flen, f);
		return 1;
	}
	fm = vec_add_in(&s->forms, s->a);
	if (!fm || !(fm->field = arena_strndup(s->a, p, (size_t)(tab - p))) ||
	    !(fm->text = arena_strndup(s->a, f, flen)))
		return -1;
	fm->flen = (size_t)(tab - p);
	fm->tlen = flen;
	return 0;
}

int
schema_load_literal_forms(struct schema *s, const char *origin,
			  const char *text, size_t len,
			  void (*err)(void *ud, unsigned line, const char *msg),
			  void *ud)
{
	return load_lines(s, origin, text, len, load_form, err, ud);
}

/* Does v[0..vn) have form t[0..tn)?  Forms are short and have few holes,
 * so plain backtracking does. */
static bool
form_match(const char *t, size_t tn, const char *v, size_t vn)
{
	size_t k;

	if (tn == 0)
		return vn == 0;
	if (tn >= 2 && t[0] == '{' && t[1] == '}') {
		for (k = 1; k <= vn && v[k - 1] != '*' && v[k - 1] != '?'; k++)
			if (form_match(t + 2, tn - 2, v + k, vn - k))
				return true;
		return false;
	}
	return vn && text_fold((unsigned char)t[0]) ==
			     text_fold((unsigned char)v[0]) &&
	       form_match(t + 1, tn - 1, v + 1, vn - 1);
}

bool
schema_literal_form(const struct schema *s, const char *name, size_t len,
		    const char *value, size_t vlen)
{
	size_t i;

	for (i = 0; i < s->forms.n; i++) {
		const struct form *fm = &s->forms.v[i];

		if (fm->flen == len && memcmp(fm->field, name, len) == 0 &&
		    form_match(fm->text, fm->tlen, value, vlen))
			return true;
	}
	return false;
}

const struct schema_field *
schema_lookup(const struct schema *s, const char *name, size_t len)
{
	const struct entry *e;

	if (len == 0)
		return NULL;
	e = find(s, name, len, hash_str(name, len));
	return e ? e->field : NULL;
}

bool
schema_is_object_path(const struct schema *s, const char *name, size_t len)
{
	const struct entry *e;

	if (len == 0)
		return false;
	e = find(s, name, len, hash_str(name, len));
	if (!e)
		return false;
	if (e->field)
		return e->field->type == FT_OBJECT;
	return e->prefix;
}

/* The length of the first path segment of name[0..len). */
static size_t
first_segment(const char *name, size_t len)
{
	const char *dot = memchr(name, '.', len);

	return dot ? (size_t)(dot - name) : len;
}

const char *
schema_root_origin(const struct schema *s, const char *name, size_t len)
{
	size_t seg = first_segment(name, len);
	const struct entry *e;

	if (seg == 0)
		return NULL;
	e = find(s, name, seg, hash_str(name, seg));
	return e ? e->origin : NULL;
}

const char *
schema_near_root(const struct schema *s, const char *name, size_t len)
{
	size_t seg = first_segment(name, len), i;
	unsigned max = 1, best = UINT_MAX, d;
	const char *origin = NULL;

	if (seg == 0)
		return NULL;
	for (i = 0; i < s->roots.n; i++) {
		const struct entry *e = s->roots.v[i];

		d = suggest_distance(name, seg, e->key, e->keylen, true, max);
		if (d == 0)
			return NULL;
		if (d <= max && d < best) {
			best = d;
			origin = e->origin;
		}
	}
	return origin;
}

/* Does a field defined in `origin` lie below name[0..len)?  Walks the
 * fields under the name's first segment. */
static bool
defined_below(const struct schema *s, const char *name, size_t len,
	      const char *origin)
{
	size_t seg = first_segment(name, len);
	const struct entry *g = find(s, name, seg, hash_str(name, seg));
	uint32_t k;

	for (k = g ? g->group_head : NONE; k != NONE;
	     k = s->fields[k].group_next) {
		const struct schema_field *f = s->fields[k].f;

		if (f->namelen > len && f->name[len] == '.' &&
		    memcmp(f->name, name, len) == 0 &&
		    strcmp(f->origin, origin) == 0)
			return true;
	}
	return false;
}

bool
schema_in_open_object(const struct schema *s, const char *name, size_t len)
{
	uint32_t h = HASH_SEED;
	size_t i;

	for (i = 0; i < len; i++) {
		if (name[i] == '.') {
			const struct entry *e = find(s, name, i, h);

			if (!e)
				return false;
			if (e->field && e->field->type == FT_OBJECT &&
			    (!e->prefix ||
			     !defined_below(s, name, i, e->field->origin)))
				return true;
		}
		h = hash_step(h, (unsigned char)name[i]);
	}
	return false;
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
	g = seg ? find(s, name, seg, hash_str(name, seg)) : NULL;
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
