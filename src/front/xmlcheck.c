/*
 * xmlcheck.c - element positions and the structure check of ESET rules
 * (see xmlcheck.h for the design).
 *
 * Contents: a pointer-keyed hash map; the start-tag scanner and the
 * position index; spans; the schema model read from the RELAX NG text;
 * the check that explains libxml2's verdict; xml_validate.
 */
#include "front/xmlcheck.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#define RNG_NS "http://relaxng.org/ns/structure/1.0"
#define XSD_NS "http://www.w3.org/2001/XMLSchema-datatypes"

#define UNBOUNDED UINT_MAX  /* no maximum count */

enum {
	LOOKAHEAD = 256,     /* text tags skipped to resynchronise the index */
	BACK_SEARCH = 65536, /* bytes searched before a node's line */
	MAX_GROUPS = 32,     /* child groups counted per element */
	MAX_DEPTH = 512,     /* recursion guard of the model and the check */
	SHOW_NAME = 64,      /* bytes of a name quoted in a message */
	SHOW_VALUE = 40      /* bytes of a value quoted in a message */
};

/* ---- a map from pointers to 32-bit values ------------------------------- */

struct pmap_slot {
	const void *key; /* NULL: free */
	uint32_t val;
};

struct pmap {
	struct pmap_slot *slots;
	size_t cap, n; /* cap is a power of two, or 0 */
};

/* Fibonacci hashing of the address; cap is a power of two. */
static size_t
phash(const void *p, size_t cap)
{
	uint64_t h = (uint64_t)(uintptr_t)p * UINT64_C(0x9E3779B97F4A7C15);

	return (size_t)(h ^ (h >> 31)) & (cap - 1);
}

/* Room for `want` keys at most half full.  False when out of memory. */
static bool
pmap_init(struct pmap *m, size_t want)
{
	size_t cap = 16;

	while (cap / 2 < want) {
		if (cap > SIZE_MAX / 4 / sizeof *m->slots)
			return false;
		cap *= 2;
	}
	m->slots = calloc(cap, sizeof *m->slots);
	m->cap = m->slots ? cap : 0;
	m->n = 0;
	return m->slots != NULL;
}

static void
pmap_free(struct pmap *m)
{
	free(m->slots);
	m->slots = NULL;
	m->cap = m->n = 0;
}

/* The slot holding key, or the free slot where it would go (linear
 * probing; the map is never full). */
static struct pmap_slot *
pmap_slot(const struct pmap *m, const void *key)
{
	size_t i;

	if (!m->cap)
		return NULL;
	for (i = phash(key, m->cap);; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key || !m->slots[i].key)
			return &m->slots[i];
}

static bool
pmap_get(const struct pmap *m, const void *key, uint32_t *val)
{
	struct pmap_slot *s = pmap_slot(m, key);

	if (!s || !s->key)
		return false;
	*val = s->val;
	return true;
}

/* Inserts or replaces; grows to stay at most half full.  False when out of
 * memory (the map is unchanged). */
static bool
pmap_put(struct pmap *m, const void *key, uint32_t val)
{
	struct pmap_slot *s = pmap_slot(m, key);

	if (s && s->key) {
		s->val = val;
		return true;
	}
	if ((m->n + 1) * 2 > m->cap) {
		struct pmap bigger;
		size_t i;

		if (!pmap_init(&bigger, m->n + 1 > 8 ? (m->n + 1) * 2 : 16))
			return false;
		for (i = 0; i < m->cap; i++)
			if (m->slots[i].key)
				*pmap_slot(&bigger, m->slots[i].key) =
					m->slots[i];
		bigger.n = m->n;
		pmap_free(m);
		*m = bigger;
		s = pmap_slot(m, key);
	}
	s->key = key;
	s->val = val;
	m->n++;
	return true;
}

/* ---- scanning the text -------------------------------------------------- */

static bool
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* A byte that can be part of an element or attribute name as the scanner
 * sees it: anything but blanks, controls and the markup characters.
 * Bytes of multi-byte UTF-8 characters are name bytes. */
static bool
is_name_byte(unsigned char c)
{
	return c > ' ' && c != '/' && c != '>' && c != '<' && c != '=' &&
	       c != '"' && c != '\'' && c != 0x7f;
}

/* Is s[i] a name byte? */
static bool
name_at(const char *s, size_t i)
{
	return is_name_byte((unsigned char)s[i]);
}

static bool
at(const char *s, size_t len, size_t i, const char *lit)
{
	size_t n = strlen(lit);

	return i <= len && len - i >= n && memcmp(s + i, lit, n) == 0;
}

/* Offset of the first `pat` at or after `from`, or len. */
static size_t
find(const char *s, size_t len, size_t from, const char *pat)
{
	size_t n = strlen(pat);

	while (from < len) {
		const char *p = memchr(s + from, pat[0], len - from);

		if (!p)
			break;
		from = (size_t)(p - s);
		if (len - from >= n && memcmp(p, pat, n) == 0)
			return from;
		from++;
	}
	return len;
}

/* Offset after the end of a construct that starts at i with `open` and
 * ends with `close` (a comment, CDATA, a processing instruction). */
static size_t
skip_to(const char *s, size_t len, size_t i, const char *open,
	const char *close)
{
	size_t j = find(s, len, i + strlen(open), close);

	return j < len ? j + strlen(close) : len;
}

/* Offset after a <!...> declaration at i: quoted strings and a bracketed
 * internal subset are passed over. */
static size_t
skip_decl(const char *s, size_t len, size_t i)
{
	unsigned depth = 0;
	char q = 0;

	for (i += 2; i < len; i++) {
		char c = s[i];

		if (q) {
			if (c == q)
				q = 0;
		} else if (c == '"' || c == '\'') {
			q = c;
		} else if (c == '[') {
			depth++;
		} else if (c == ']') {
			if (depth)
				depth--;
		} else if (c == '>' && !depth) {
			return i + 1;
		}
	}
	return len;
}

/* Offset after the '>' of a start tag whose name ends at j; quoted
 * attribute values may hold '>' and '<'. */
static size_t
skip_tag(const char *s, size_t len, size_t j)
{
	char q = 0;

	for (; j < len; j++) {
		if (q) {
			if (s[j] == q)
				q = 0;
		} else if (s[j] == '"' || s[j] == '\'') {
			q = s[j];
		} else if (s[j] == '>') {
			return j + 1;
		}
	}
	return len;
}

struct scanner {
	const char *s;
	size_t len, pos;
};

/* The next start tag at or after sc->pos: the offset and length of its
 * name.  Comments, CDATA sections, processing instructions, declarations
 * and end tags are skipped; sc->pos moves past the tag.  False at the end
 * of the text. */
static bool
next_start_tag(struct scanner *sc, size_t *name, size_t *nlen)
{
	const char *s = sc->s;
	size_t len = sc->len, i = sc->pos, j;

	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);

		if (!lt)
			break;
		i = (size_t)(lt - s);
		if (at(s, len, i, "<!--")) {
			i = skip_to(s, len, i, "<!--", "-->");
		} else if (at(s, len, i, "<![CDATA[")) {
			i = skip_to(s, len, i, "<![CDATA[", "]]>");
		} else if (at(s, len, i, "<!")) {
			i = skip_decl(s, len, i);
		} else if (at(s, len, i, "<?")) {
			i = skip_to(s, len, i, "<?", "?>");
		} else if (at(s, len, i, "</")) {
			lt = memchr(s + i + 2, '>', len - i - 2);
			i = lt ? (size_t)(lt - s) + 1 : len;
		} else if (i + 1 < len && name_at(s, i + 1)) {
			for (j = i + 1; j < len && name_at(s, j); j++)
				;
			*name = i + 1;
			*nlen = j - i - 1;
			sc->pos = skip_tag(s, len, j);
			return true;
		} else {
			i++;
		}
	}
	sc->pos = len;
	return false;
}

/* ASCII case-insensitive equality of n bytes. */
static bool
same_ci(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char x = (unsigned char)a[i], y = (unsigned char)b[i];

		if (x >= 'A' && x <= 'Z')
			x = (unsigned char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (unsigned char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/* Does the text name p[0..n) spell the element's qualified name?  Case is
 * ignored, so that an element renamed to its documented case still
 * matches what was written. */
static bool
qname_is(const char *p, size_t n, const xmlNode *node)
{
	const char *name = (const char *)node->name;
	const char *prefix = node->ns && node->ns->prefix
			     ? (const char *)node->ns->prefix : NULL;
	size_t ln = name ? strlen(name) : 0, lp = prefix ? strlen(prefix) : 0;

	if (!name)
		return false;
	if (prefix) {
		if (n != lp + 1 + ln || !same_ci(p, prefix, lp) || p[lp] != ':')
			return false;
		p += lp + 1;
	} else if (n != ln) {
		return false;
	}
	return same_ci(p, name, ln);
}

/* ---- the index ---------------------------------------------------------- */

struct xml_entry {
	uint32_t off, len;   /* the name in the start tag */
	unsigned short line; /* node->line when indexed */
};

struct xml_index {
	const char *s;            /* the text */
	size_t len;
	struct pmap map;          /* element -> entry */
	struct xml_entry *entries;
	size_t nentries;
	uint32_t *lines;          /* offset of the start of each line */
	size_t nlines;
};

/* The node after n in document order (pre-order); only elements are
 * entered.  NULL after the last node of the document. */
static const xmlNode *
next_node(const xmlNode *n)
{
	if (n->type == XML_ELEMENT_NODE && n->children)
		return n->children;
	while (n && n->type != XML_DOCUMENT_NODE) {
		if (n->next)
			return n->next;
		n = n->parent;
	}
	return NULL;
}

/* The first element at or after n in document order, or NULL. */
static const xmlNode *
element_from(const xmlNode *n)
{
	while (n && n->type != XML_ELEMENT_NODE)
		n = next_node(n);
	return n;
}

static const xmlNode *
first_element(const xmlDoc *doc)
{
	return doc ? element_from(doc->children) : NULL;
}

static const xmlNode *
next_element(const xmlNode *n)
{
	return element_from(next_node(n));
}

/* Pairs elements with start tags, in document order.  A tag whose name
 * does not match is skipped (at most LOOKAHEAD of them per element); an
 * element without a match is left out and the scan resumes where it was,
 * so one stray element does not shift the others. */
static bool
index_elements(struct xml_index *ix, const xmlDoc *doc)
{
	struct scanner sc = { ix->s, ix->len, 0 };
	const xmlNode *n;

	for (n = first_element(doc); n; n = next_element(n)) {
		size_t save = sc.pos, off, len;
		unsigned tries;
		bool matched = false;

		for (tries = 0; tries <= LOOKAHEAD &&
		     next_start_tag(&sc, &off, &len); tries++) {
			if (qname_is(ix->s + off, len, n)) {
				struct xml_entry *e =
					&ix->entries[ix->nentries];

				e->off = (uint32_t)off;
				e->len = (uint32_t)len;
				e->line = n->line;
				if (!pmap_put(&ix->map, n,
					      (uint32_t)ix->nentries))
					return false;
				ix->nentries++;
				matched = true;
				break;
			}
		}
		if (!matched)
			sc.pos = save;
	}
	return true;
}

struct xml_index *
xml_index_build(const struct rc_text *t, xmlDoc *doc)
{
	struct xml_index *ix = calloc(1, sizeof *ix);
	const xmlNode *n;
	size_t count = 0, i, k;

	if (!ix)
		return NULL;
	ix->s = t && t->data ? t->data : "";
	ix->len = t && t->data ? t->len : 0;
	if (ix->len > UINT32_MAX - 1)
		ix->len = UINT32_MAX - 1;
	for (n = first_element(doc); n; n = next_element(n))
		count++;
	for (i = 0, ix->nlines = 1; i < ix->len; i++)
		ix->nlines += ix->s[i] == '\n';
	ix->entries = malloc((count ? count : 1) * sizeof *ix->entries);
	ix->lines = malloc(ix->nlines * sizeof *ix->lines);
	if (!ix->entries || !ix->lines || !pmap_init(&ix->map, count))
		goto fail;
	ix->lines[0] = 0;
	for (i = 0, k = 1; i < ix->len; i++)
		if (ix->s[i] == '\n')
			ix->lines[k++] = (uint32_t)(i + 1);
	if (!index_elements(ix, doc))
		goto fail;
	return ix;
fail:
	xml_index_free(ix);
	return NULL;
}

void
xml_index_free(struct xml_index *ix)
{
	if (!ix)
		return;
	pmap_free(&ix->map);
	free(ix->entries);
	free(ix->lines);
	free(ix);
}

/* ---- spans -------------------------------------------------------------- */

/* Bounds of 1-based line l (clamped to the text), without its line
 * break. */
static void
line_bounds(const struct xml_index *ix, long l, size_t *b, size_t *e)
{
	if (l < 1)
		l = 1;
	if ((size_t)l > ix->nlines)
		l = (long)ix->nlines;
	*b = ix->lines[l - 1];
	*e = (size_t)l < ix->nlines ? ix->lines[l] - 1 : ix->len;
	if (*e > *b && ix->s[*e - 1] == '\r')
		(*e)--;
}

/* Looks for '<' and the element's name, followed by a byte that cannot
 * continue the name, with the '<' in [from, to): the first such place, or
 * the last when `last`. */
static bool
search_tag(const struct xml_index *ix, const xmlNode *node, size_t from,
	   size_t to, bool last, size_t *off, size_t *len)
{
	bool found = false;
	size_t i, j;

	for (i = from; i < to && i < ix->len; i++) {
		if (ix->s[i] != '<')
			continue;
		for (j = i + 1; j < ix->len && name_at(ix->s, j); j++)
			;
		if (j > i + 1 && qname_is(ix->s + i + 1, j - i - 1, node)) {
			*off = i + 1;
			*len = j - i - 1;
			found = true;
			if (!last)
				break;
		}
	}
	return found;
}

/* The element's name in its start tag: from the index, else searched for
 * near node->line (the first on that line, else the last before it).
 * Returns false, with the whole line, when neither finds it. */
static bool
locate(const struct xml_index *ix, const xmlNode *node, size_t *off,
       size_t *len)
{
	uint32_t k;
	long line;
	size_t b, e;

	if (pmap_get(&ix->map, node, &k) && ix->entries[k].line == node->line) {
		*off = ix->entries[k].off;
		*len = ix->entries[k].len;
		return true;
	}
	line = node->type == XML_ELEMENT_NODE ? xmlGetLineNo(node)
					      : (long)node->line;
	line_bounds(ix, line, &b, &e);
	if (node->type == XML_ELEMENT_NODE &&
	    (search_tag(ix, node, b, e, false, off, len) ||
	     search_tag(ix, node, b > BACK_SEARCH ? b - BACK_SEARCH : 0, b,
			true, off, len)))
		return true;
	*off = b;
	*len = e - b;
	return false;
}

struct span
xml_node_span(const struct xml_index *ix, const xmlNode *node)
{
	size_t off, len;

	if (!ix || !node)
		return span_make(0, 0);
	locate(ix, node, &off, &len);
	return span_make((uint32_t)off, (uint32_t)(off + len));
}

/* Finds attribute `attr` on the start tag whose name is at [off, off +
 * len): the spans of its name and of its value (inside the quotes). */
static bool
find_attr(const struct xml_index *ix, size_t off, size_t len,
	  const char *attr, struct span *name, struct span *value)
{
	const char *s = ix->s;
	size_t n = ix->len, j = off + len, a, alen, vs, ve;
	size_t want = strlen(attr);

	for (;;) {
		while (j < n && is_space((unsigned char)s[j]))
			j++;
		if (j >= n || s[j] == '>' || s[j] == '/' || s[j] == '<')
			return false;
		for (a = j; j < n && name_at(s, j); j++)
			;
		alen = j - a;
		if (!alen)
			return false;
		while (j < n && is_space((unsigned char)s[j]))
			j++;
		vs = ve = j;
		if (j < n && s[j] == '=') {
			j++;
			while (j < n && is_space((unsigned char)s[j]))
				j++;
			if (j < n && (s[j] == '"' || s[j] == '\'')) {
				char q = s[j++];

				for (vs = j; j < n && s[j] != q; j++)
					;
				ve = j;
				if (j < n)
					j++;
			} else {
				for (vs = j; j < n && name_at(s, j); j++)
					;
				ve = j;
			}
		}
		if (alen == want && memcmp(s + a, attr, want) == 0) {
			*name = span_make((uint32_t)a, (uint32_t)(a + alen));
			*value = span_make((uint32_t)vs, (uint32_t)ve);
			return true;
		}
	}
}

/* Shared by the two attribute span functions. */
static struct span
attr_span(const struct xml_index *ix, const xmlNode *node, const char *attr,
	  bool want_name)
{
	size_t off, len;
	struct span name, value;

	if (!ix || !node)
		return span_make(0, 0);
	if (!locate(ix, node, &off, &len) || !attr ||
	    !find_attr(ix, off, len, attr, &name, &value))
		return span_make((uint32_t)off, (uint32_t)(off + len));
	if (want_name || value.end == value.start)
		return name;
	return value;
}

struct span
xml_attr_span(const struct xml_index *ix, const xmlNode *node,
	      const char *attr)
{
	return attr_span(ix, node, attr, false);
}

struct span
xml_attr_name_span(const struct xml_index *ix, const xmlNode *node,
		   const char *attr)
{
	return attr_span(ix, node, attr, true);
}

/* ---- the schema model --------------------------------------------------- */

enum attr_kind { AK_ANY, AK_TYPE, AK_VALUES };

/* An attribute an element may carry. */
struct m_attr {
	const char *name;
	bool required;
	enum attr_kind kind;
	const char *type;     /* AK_TYPE: an XML Schema datatype */
	const char **values;  /* AK_VALUES: collapsed unless exact */
	size_t nvalues;
	bool exact;           /* values compared as written (type string) */
};

struct m_elem;

/* Child elements counted together: between min and max of them in all.
 * `branch` >= 0: the group belongs to that alternative of a choice, and
 * children of two alternatives may not be mixed.  `shared`: one of its
 * names is also in another group, so the counts are not checked. */
struct m_group {
	struct m_elem **elems;
	size_t n;
	unsigned min, max;
	int branch;
	bool shared;
};

/* One <element> of the schema: its attributes and child groups.  `open`
 * parts use schema constructs the model does not follow; they are not
 * checked. */
struct m_elem {
	const char *name;     /* local name; "" any name; NULL the document */
	const xmlNode *def;   /* the schema's <element>, while building */
	struct m_attr *attrs;
	size_t nattrs, cattrs;
	struct m_group *groups;
	size_t ngroups, cgroups;
	int nbranches;
	bool text, open_attrs, open_content;
	struct m_elem *next;  /* every element of the model */
};

struct xml_schema {
	xmlRelaxNGPtr rng;
	struct arena arena;   /* the model */
	struct m_elem *doc;   /* what may be the root element */
	struct m_elem *elems; /* every element of the model */
};

/* The model being read from the schema document. */
struct mbuild {
	struct arena *a;
	const xmlNode **defs; /* the <define>s */
	size_t ndefs, cdefs;
	struct m_elem *elems;
	bool oom;
};

static bool
is_rng(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && n->ns && n->ns->href &&
	       strcmp((const char *)n->ns->href, RNG_NS) == 0 &&
	       (!name || strcmp((const char *)n->name, name) == 0);
}

/* Whitespace-collapsed copy of s in the arena (XML Schema "collapse"). */
static char *
collapsed(struct mbuild *b, const char *s)
{
	char *out = arena_alloc(b->a, strlen(s) + 1), *o = out;

	if (!out) {
		b->oom = true;
		return NULL;
	}
	while (is_space((unsigned char)*s))
		s++;
	while (*s) {
		if (is_space((unsigned char)*s)) {
			while (is_space((unsigned char)*s))
				s++;
			if (*s)
				*o++ = ' ';
		} else {
			*o++ = *s++;
		}
	}
	*o = '\0';
	return out;
}

/* An attribute of a schema element, collapsed, in the arena; NULL if
 * absent. */
static const char *
rng_attr(struct mbuild *b, const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetNoNsProp(n, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = collapsed(b, (const char *)v);
	xmlFree(v);
	return s;
}

/* Is the datatype library in force at n (the nearest datatypeLibrary
 * attribute) XML Schema's? */
static bool
xsd_library(const xmlNode *n)
{
	for (; n && n->type == XML_ELEMENT_NODE; n = n->parent) {
		xmlChar *v = xmlGetNoNsProp(n,
					    (const xmlChar *)"datatypeLibrary");

		if (v) {
			bool xsd = strcmp((const char *)v, XSD_NS) == 0;

			xmlFree(v);
			return xsd;
		}
	}
	return false;
}

/* Gathers the grammar's <define>s, also those inside <div>s. */
static void
collect_defines(struct mbuild *b, const xmlNode *n)
{
	const xmlNode *c;

	for (c = n->children; c; c = c->next) {
		if (is_rng(c, "div")) {
			collect_defines(b, c);
		} else if (is_rng(c, "define")) {
			if (b->ndefs == b->cdefs) {
				size_t cap = b->cdefs ? b->cdefs * 2 : 16;
				const xmlNode **v = realloc(b->defs,
							    cap * sizeof *v);

				if (!v) {
					b->oom = true;
					return;
				}
				b->defs = v;
				b->cdefs = cap;
			}
			b->defs[b->ndefs++] = c;
		}
	}
}

/* The one <define> named `name`; NULL if there is none or several (a
 * combined definition, which the model does not follow). */
static const xmlNode *
find_define(struct mbuild *b, const char *name)
{
	const xmlNode *found = NULL;
	size_t i;

	for (i = 0; i < b->ndefs; i++) {
		xmlChar *v = xmlGetNoNsProp(b->defs[i],
					    (const xmlChar *)"name");
		bool same = v && name && strcmp((const char *)v, name) == 0;

		xmlFree(v);
		if (same) {
			if (found)
				return NULL;
			found = b->defs[i];
		}
	}
	return found;
}

static void walk(struct mbuild *b, struct m_elem *owner, const xmlNode *pat,
		 unsigned min, unsigned max, int branch, unsigned depth);

static void
walk_children(struct mbuild *b, struct m_elem *owner, const xmlNode *pat,
	      unsigned min, unsigned max, int branch, unsigned depth)
{
	const xmlNode *c;

	for (c = pat->children; c; c = c->next)
		walk(b, owner, c, min, max, branch, depth);
}

/* The model of a schema <element>, made once (elements reached again
 * through a recursive <ref> share it). */
static struct m_elem *
elem_decl(struct mbuild *b, const xmlNode *def, unsigned depth)
{
	struct m_elem *e;
	const char *name, *colon;

	for (e = b->elems; e; e = e->next)
		if (e->def == def)
			return e;
	if (!(e = ARENA_NEW(b->a, struct m_elem))) {
		b->oom = true;
		return NULL;
	}
	e->def = def;
	e->next = b->elems;
	b->elems = e;
	name = rng_attr(b, def, "name");
	if (!name) {
		/* a name class: any element; nothing is checked inside */
		e->name = "";
		e->open_attrs = e->open_content = true;
		return e;
	}
	colon = strchr(name, ':');
	e->name = colon ? colon + 1 : name;
	walk_children(b, e, def, 1, 1, -1, depth + 1);
	return e;
}

/* Collects the elements of a choice whose every alternative is an element
 * (directly or through <ref>s and nested choices).  False when some
 * alternative is anything else. */
static bool
simple_choice(struct mbuild *b, const xmlNode *pat, struct m_elem **out,
	      size_t *n, size_t cap, unsigned depth)
{
	const xmlNode *c, *only = NULL;

	if (depth > MAX_DEPTH)
		return false;
	if (is_rng(pat, "element")) {
		if (*n == cap)
			return false;
		out[(*n)++] = elem_decl(b, pat, depth);
		return out[*n - 1] != NULL;
	}
	if (is_rng(pat, "ref")) {
		xmlChar *v = xmlGetNoNsProp(pat, (const xmlChar *)"name");
		const xmlNode *d = find_define(b, v ? (const char *)v : NULL);

		xmlFree(v);
		if (!d)
			return false;
		for (c = d->children; c; c = c->next) {
			if (c->type != XML_ELEMENT_NODE)
				continue;
			if (only || !is_rng(c, NULL))
				return false;
			only = c;
		}
		return only && simple_choice(b, only, out, n, cap, depth + 1);
	}
	if (!is_rng(pat, "choice"))
		return false;
	for (c = pat->children; c; c = c->next)
		if (c->type == XML_ELEMENT_NODE &&
		    (!is_rng(c, NULL) ||
		     !simple_choice(b, c, out, n, cap, depth + 1)))
			return false;
	return true;
}

/* Appends a group of child elements to owner (arrays grow in the
 * arena). */
static void
add_group(struct mbuild *b, struct m_elem *owner, struct m_elem **elems,
	  size_t n, unsigned min, unsigned max, int branch)
{
	struct m_group *g;

	if (owner->ngroups == owner->cgroups) {
		size_t cap = owner->cgroups ? owner->cgroups * 2 : 4;
		struct m_group *v = ARENA_NEWV(b->a, struct m_group, cap);

		if (!v) {
			b->oom = true;
			return;
		}
		if (owner->ngroups)
			memcpy(v, owner->groups, owner->ngroups * sizeof *v);
		owner->groups = v;
		owner->cgroups = cap;
	}
	g = &owner->groups[owner->ngroups];
	if (!(g->elems = ARENA_NEWV(b->a, struct m_elem *, n))) {
		b->oom = true;
		return;
	}
	memcpy(g->elems, elems, n * sizeof *elems);
	g->n = n;
	g->min = min;
	g->max = max;
	g->branch = branch;
	g->shared = false;
	owner->ngroups++;
}

/* Reads what values an attribute takes: a datatype, a list of values, or
 * anything. */
static void
attr_type(struct mbuild *b, struct m_attr *m, const xmlNode *pat)
{
	const xmlNode *c, *v, *only = NULL;
	size_t n = 0;

	for (c = pat->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (only)
			return;             /* several patterns: anything */
		only = c;
	}
	if (!only || is_rng(only, "text"))
		return;
	if (is_rng(only, "data")) {
		if (xsd_library(only) && (m->type = rng_attr(b, only, "type")))
			m->kind = AK_TYPE;
		return;
	}
	if (is_rng(only, "value")) {
		v = only;
		only = NULL;
	} else if (is_rng(only, "choice")) {
		v = NULL;
	} else {
		return;
	}
	/* <value>s: token unless typed string; other types are not modelled */
	for (c = v ? v : only->children; c; c = v ? NULL : c->next) {
		const char *ty;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!is_rng(c, "value"))
			return;
		ty = rng_attr(b, c, "type");
		if (ty && strcmp(ty, "token") != 0 && strcmp(ty, "string") != 0)
			return;
		if (ty && strcmp(ty, "string") == 0)
			m->exact = true;
		n++;
	}
	if (!n || !(m->values = ARENA_NEWV(b->a, const char *, n))) {
		b->oom |= n != 0;
		return;
	}
	for (c = v ? v : only->children; c; c = v ? NULL : c->next) {
		xmlChar *text;

		if (!is_rng(c, "value"))
			continue;
		text = xmlNodeGetContent(c);
		if (!text) {
			b->oom = true;
			return;
		}
		if (m->exact)
			m->values[m->nvalues] =
				arena_strdup(b->a, (const char *)text);
		else
			m->values[m->nvalues] =
				collapsed(b, (const char *)text);
		xmlFree(text);
		if (!m->values[m->nvalues++]) {
			b->oom = true;
			return;
		}
	}
	m->kind = AK_VALUES;
}

/* Declares an attribute of owner; one declared twice (in alternatives)
 * is no longer checked for its values. */
static void
add_attr(struct mbuild *b, struct m_elem *owner, const xmlNode *pat,
	 bool required)
{
	const char *name = rng_attr(b, pat, "name");
	struct m_attr *m;
	size_t i;

	if (!name || strchr(name, ':')) {
		owner->open_attrs = true;  /* a name class or a namespace */
		return;
	}
	for (i = 0; i < owner->nattrs; i++) {
		if (strcmp(owner->attrs[i].name, name) == 0) {
			/* declared twice (in alternatives): anything goes */
			owner->attrs[i].kind = AK_ANY;
			owner->attrs[i].required &= required;
			return;
		}
	}
	if (owner->nattrs == owner->cattrs) {
		size_t cap = owner->cattrs ? owner->cattrs * 2 : 4;
		struct m_attr *v = ARENA_NEWV(b->a, struct m_attr, cap);

		if (!v) {
			b->oom = true;
			return;
		}
		if (owner->nattrs)
			memcpy(v, owner->attrs, owner->nattrs * sizeof *v);
		owner->attrs = v;
		owner->cattrs = cap;
	}
	m = &owner->attrs[owner->nattrs++];
	memset(m, 0, sizeof *m);
	m->name = name;
	m->required = required;
	attr_type(b, m, pat);
}

/* Adds what pattern `pat` allows inside `owner`, each child element
 * occurring between min and max times.  A <choice> whose alternatives are
 * all elements becomes one group; a choice of larger alternatives (a
 * sequence rule's definition) gives each alternative a branch number when
 * it occurs at most once. */
static void
walk(struct mbuild *b, struct m_elem *owner, const xmlNode *pat,
     unsigned min, unsigned max, int branch, unsigned depth)
{
	const char *k;

	if (pat->type != XML_ELEMENT_NODE)
		return;
	if (!is_rng(pat, NULL))
		return;                       /* annotations */
	if (depth > MAX_DEPTH || b->oom) {
		owner->open_attrs = owner->open_content = true;
		return;
	}
	k = (const char *)pat->name;
	if (strcmp(k, "element") == 0) {
		struct m_elem *e = elem_decl(b, pat, depth);

		if (e && !e->name[0])
			owner->open_content = true;  /* any element may come */
		else if (e)
			add_group(b, owner, &e, 1, min, max, branch);
	} else if (strcmp(k, "attribute") == 0) {
		add_attr(b, owner, pat, min > 0);
	} else if (strcmp(k, "optional") == 0) {
		walk_children(b, owner, pat, 0, max, branch, depth + 1);
	} else if (strcmp(k, "zeroOrMore") == 0) {
		walk_children(b, owner, pat, 0, UNBOUNDED, branch, depth + 1);
	} else if (strcmp(k, "oneOrMore") == 0) {
		walk_children(b, owner, pat, min, UNBOUNDED, branch, depth + 1);
	} else if (strcmp(k, "group") == 0 || strcmp(k, "interleave") == 0) {
		walk_children(b, owner, pat, min, max, branch, depth + 1);
	} else if (strcmp(k, "mixed") == 0) {
		owner->text = true;
		walk_children(b, owner, pat, min, max, branch, depth + 1);
	} else if (strcmp(k, "choice") == 0) {
		struct m_elem *v[32];
		size_t n = 0;
		const xmlNode *c;
		bool apart = max == 1 && branch < 0;

		if (simple_choice(b, pat, v, &n, sizeof v / sizeof *v, depth)) {
			size_t i;

			for (i = 0; i < n; i++)
				if (!v[i]->name[0])
					owner->open_content = true;
			add_group(b, owner, v, n, min, max, branch);
			return;
		}
		for (c = pat->children; c; c = c->next)
			if (is_rng(c, NULL))
				walk(b, owner, c, 0, max,
				     apart ? owner->nbranches++ : branch,
				     depth + 1);
	} else if (strcmp(k, "ref") == 0) {
		xmlChar *v = xmlGetNoNsProp(pat, (const xmlChar *)"name");
		const xmlNode *d = find_define(b, v ? (const char *)v : NULL);

		xmlFree(v);
		if (d)
			walk_children(b, owner, d, min, max, branch, depth + 1);
		else
			owner->open_attrs = owner->open_content = true;
	} else if (strcmp(k, "text") == 0 || strcmp(k, "data") == 0 ||
		   strcmp(k, "value") == 0 || strcmp(k, "list") == 0) {
		owner->text = true;
	} else if (strcmp(k, "empty") == 0 || strcmp(k, "notAllowed") == 0) {
		/* nothing more allowed; notAllowed is left to libxml2 */
	} else {
		/* parentRef, externalRef, grammar, ...: not followed */
		owner->open_attrs = owner->open_content = true;
	}
}

/* Marks groups that share an element name with another group of the same
 * element: their counts say nothing on their own. */
static void
mark_shared(struct m_elem *e)
{
	size_t g, h, i, j;

	for (g = 0; g < e->ngroups; g++)
		for (h = g + 1; h < e->ngroups; h++)
			for (i = 0; i < e->groups[g].n; i++)
				for (j = 0; j < e->groups[h].n; j++)
					if (strcmp(e->groups[g].elems[i]->name,
						   e->groups[h].elems[j]->name)
					    == 0)
						e->groups[g].shared =
							e->groups[h].shared =
								true;
}

/* Silences libxml2 while the schema compiles. */
static void
quiet(void *ud, xmlErrorPtr e)
{
	(void)ud;
	(void)e;
}

/* Reads the model from the schema document: the grammar's defines, then
 * everything reachable from <start>. */
static bool
build_model(struct xml_schema *s, const xmlDoc *rdoc)
{
	struct mbuild b;
	const xmlNode *root = xmlDocGetRootElement(rdoc), *c;
	struct m_elem *e;

	memset(&b, 0, sizeof b);
	b.a = &s->arena;
	if (!(s->doc = ARENA_NEW(b.a, struct m_elem)))
		return false;
	if (is_rng(root, "grammar")) {
		collect_defines(&b, root);
		for (c = root->children; c; c = c->next)
			if (is_rng(c, "start"))
				walk_children(&b, s->doc, c, 1, 1, -1, 0);
	} else {
		walk(&b, s->doc, root, 1, 1, -1, 0);
	}
	free(b.defs);
	s->elems = b.elems;
	for (e = b.elems; e; e = e->next)
		mark_shared(e);
	mark_shared(s->doc);
	return !b.oom;
}

struct xml_schema *
xml_schema_new(const char *rng, size_t len)
{
	struct xml_schema *s;
	xmlDoc *rdoc;
	xmlRelaxNGParserCtxtPtr pc;

	if (!rng || len > INT_MAX)
		return NULL;
	rdoc = xmlReadMemory(rng, (int)len, "eset-rule.rng", NULL,
			     XML_PARSE_NONET | XML_PARSE_NOERROR |
			     XML_PARSE_NOWARNING);
	if (!rdoc)
		return NULL;
	if (!(s = calloc(1, sizeof *s))) {
		xmlFreeDoc(rdoc);
		return NULL;
	}
	arena_init(&s->arena, NULL);
	pc = xmlRelaxNGNewDocParserCtxt(rdoc);
	if (pc) {
		xmlRelaxNGSetParserStructuredErrors(pc, quiet, NULL);
		s->rng = xmlRelaxNGParse(pc);
		xmlRelaxNGFreeParserCtxt(pc);
	}
	if (!s->rng || !build_model(s, rdoc)) {
		xmlFreeDoc(rdoc);
		xml_schema_free(s);
		return NULL;
	}
	xmlFreeDoc(rdoc);
	return s;
}

void
xml_schema_free(struct xml_schema *s)
{
	if (!s)
		return;
	if (s->rng)
		xmlRelaxNGFree(s->rng);
	arena_release(&s->arena);
	free(s);
}

/* ---- values ------------------------------------------------------------- */

/* v equals the collapsed w once v's whitespace is collapsed too. */
static bool
token_eq(const char *v, const char *w)
{
	while (is_space((unsigned char)*v))
		v++;
	while (*v) {
		if (is_space((unsigned char)*v)) {
			while (is_space((unsigned char)*v))
				v++;
			if (!*v)
				break;
			if (*w++ != ' ')
				return false;
			continue;
		}
		if (*v++ != *w++)
			return false;
	}
	return *w == '\0';
}

/* The lexical forms of the integer types: optional blanks, an optional
 * sign, digits.  *zero tells whether the value is 0, *neg whether it is
 * below 0. */
static bool
integer_form(const char *v, bool *zero, bool *neg)
{
	bool digits = false;

	*zero = true;
	*neg = false;
	while (is_space((unsigned char)*v))
		v++;
	if (*v == '+' || *v == '-')
		*neg = *v++ == '-';
	for (; *v >= '0' && *v <= '9'; v++) {
		digits = true;
		if (*v != '0')
			*zero = false;
	}
	while (is_space((unsigned char)*v))
		v++;
	if (*zero)
		*neg = false;
	return digits && !*v;
}

/* Checks a value against the datatypes the model knows; the others are
 * left to libxml2. */
static bool
type_ok(const char *type, const char *v)
{
	bool zero, neg;

	if (strcmp(type, "positiveInteger") == 0)
		return integer_form(v, &zero, &neg) && !zero && !neg;
	if (strcmp(type, "nonNegativeInteger") == 0)
		return integer_form(v, &zero, &neg) && !neg;
	if (strcmp(type, "integer") == 0)
		return integer_form(v, &zero, &neg);
	if (strcmp(type, "boolean") == 0)
		return token_eq(v, "true") || token_eq(v, "false") ||
		       token_eq(v, "1") || token_eq(v, "0");
	return true;
}

/* Does v fit the attribute's type or list of values? */
static bool
value_ok(const struct m_attr *m, const char *v)
{
	size_t i;

	switch (m->kind) {
	case AK_TYPE:
		return type_ok(m->type, v);
	case AK_VALUES:
		for (i = 0; i < m->nvalues; i++)
			if (m->exact ? strcmp(v, m->values[i]) == 0
				     : token_eq(v, m->values[i]))
				return true;
		return false;
	case AK_ANY:
		break;
	}
	return true;
}

/* ---- building messages -------------------------------------------------- */

/* A bounded string builder over a caller's buffer. */
struct msgbuf {
	char *p;
	size_t size, len;
};

static void
mb_printf(struct msgbuf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void
mb_printf(struct msgbuf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->len + 1 >= b->size)
		return;
	va_start(ap, fmt);
	n = vsnprintf(b->p + b->len, b->size - b->len, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n < b->size - b->len ? (size_t)n
						       : b->size - b->len - 1;
}

/* s for quoting in a message: at most max bytes, cut at a character
 * boundary, "..." when cut. */
static const char *
shown(char *buf, size_t size, const char *s, size_t max)
{
	size_t n = strlen(s);

	if (max + 4 > size)
		max = size - 4;
	if (n <= max)
		return s;
	while (max > 0 && ((unsigned char)s[max] & 0xC0) == 0x80)
		max--;
	memcpy(buf, s, max);
	memcpy(buf + max, "...", 4);
	return buf;
}

/* "a" or "an" before an element name. */
static const char *
article(const char *name)
{
	return name && strchr("aeiouAEIOU", name[0]) && name[0] ? "an" : "a";
}

/* "<a>", "<a> or <b>", "<a>, <b> or <c>" */
static void
mb_names(struct msgbuf *b, const struct m_group *g)
{
	size_t i;

	for (i = 0; i < g->n; i++)
		mb_printf(b, "%s<%s>", i == 0 ? "" : i + 1 == g->n ? " or "
								   : ", ",
			  g->elems[i]->name);
}

/* What an attribute must hold: "a positive integer", "AND, OR or NOT". */
static void
mb_expected(struct msgbuf *b, const struct m_attr *m)
{
	static const struct {
		const char *type, *text;
	} types[] = {
		{ "positiveInteger", "a positive integer" },
		{ "nonNegativeInteger", "a non-negative integer" },
		{ "integer", "an integer" },
		{ "boolean", "true, false, 1 or 0" },
	};
	size_t i;

	if (m->kind == AK_VALUES) {
		for (i = 0; i < m->nvalues; i++)
			mb_printf(b, "%s%s", i == 0 ? "" : i + 1 == m->nvalues
							  ? " or " : ", ",
				  m->values[i]);
		return;
	}
	for (i = 0; i < sizeof types / sizeof *types; i++)
		if (strcmp(m->type, types[i].type) == 0) {
			mb_printf(b, "%s", types[i].text);
			return;
		}
	mb_printf(b, "a valid %s", m->type);
}

/* ---- the check ---------------------------------------------------------- */

/* Kinds of finding, most specific first: an element keeps the one that
 * comes first here.  Reports chosen from libxml2 codes come after. */
enum rank {
	R_NOT_ALLOWED, R_TOO_MANY, R_EXCLUSIVE, R_MISSING_ATTR, R_BAD_VALUE,
	R_UNKNOWN_ATTR, R_TEXT, R_MISSING_CHILD, R_FALLBACK
};

struct finding {
	const xmlNode *node;
	int rank;
	struct span span;
	const char *msg, *help;
};

/* One error reported by libxml2, copied during the callback. */
struct rawerr {
	int code;
	const xmlNode *node;
	char *s1, *s2;
};

/* The state of one xml_validate call. */
struct vstate {
	const struct xml_schema *s;
	const struct xml_index *ix;
	struct diag_sink *sink;
	xmlDoc *doc;
	struct finding *f;
	size_t nf, cf;
	struct pmap fmap;   /* element -> its finding */
	struct pmap scopes; /* element to explain -> findings below it + 1 */
	struct rawerr *err;
	size_t nerr, cerr;
	char scratch[512];  /* help text being built; record() copies it */
	bool oom;
};

/* Records a finding at `node` unless it already has one at least as
 * specific.  The message is formatted into the sink's arena. */
static void
record(struct vstate *vs, const xmlNode *node, int rank, struct span sp,
       const char *help, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));

static void
record(struct vstate *vs, const xmlNode *node, int rank, struct span sp,
       const char *help, const char *fmt, ...)
{
	struct finding *f;
	uint32_t k;
	va_list ap;

	if (pmap_get(&vs->fmap, node, &k)) {
		if (vs->f[k].rank <= rank)
			return;
		f = &vs->f[k];
	} else {
		if (vs->nf == vs->cf) {
			size_t cap = vs->cf ? vs->cf * 2 : 16;
			struct finding *v = realloc(vs->f, cap * sizeof *v);

			if (!v) {
				vs->oom = true;
				return;
			}
			vs->f = v;
			vs->cf = cap;
		}
		if (!pmap_put(&vs->fmap, node, (uint32_t)vs->nf)) {
			vs->oom = true;
			return;
		}
		f = &vs->f[vs->nf++];
	}
	f->node = node;
	f->rank = rank;
	f->span = sp;
	va_start(ap, fmt);
	f->msg = arena_vprintf(vs->sink->arena, fmt, ap);
	va_end(ap);
	f->help = help ? arena_strdup(vs->sink->arena, help) : NULL;
	if (!f->msg || (help && !f->help))
		vs->oom = true;
}

/* The name an element is written with in messages. */
static const char *
ename(char *buf, size_t size, const xmlNode *n)
{
	return shown(buf, size, n && n->name ? (const char *)n->name : "?",
		     SHOW_NAME);
}

/* The group and model of a child element named `name`. */
static bool
child_decl(const struct m_elem *d, const char *name, size_t *gi,
	   const struct m_elem **cd)
{
	size_t g, i;

	for (g = 0; g < d->ngroups; g++)
		for (i = 0; i < d->groups[g].n; i++)
			if (strcmp(d->groups[g].elems[i]->name, name) == 0) {
				*gi = g;
				*cd = d->groups[g].elems[i];
				return true;
			}
	return false;
}

/* "<process> may contain <condition> or <operator>" for a misplaced
 * child. */
static void
allowed_help(struct msgbuf *b, const xmlNode *n, const struct m_elem *d)
{
	char nb[SHOW_NAME + 4];
	size_t g, i, k = 0, total = 0;

	for (g = 0; g < d->ngroups; g++)
		total += d->groups[g].n;
	if (!total) {
		mb_printf(b, "<%s> %s", ename(nb, sizeof nb, n),
			  d->text ? "holds only text" : "must be empty");
		return;
	}
	mb_printf(b, "<%s> may contain ", ename(nb, sizeof nb, n));
	for (g = 0; g < d->ngroups; g++)
		for (i = 0; i < d->groups[g].n; i++, k++)
			mb_printf(b, "%s<%s>", k == 0 ? "" : k + 1 == total
							     ? " or " : ", ",
				  d->groups[g].elems[i]->name);
}

/* When an element of the same name elsewhere in the schema takes the
 * attribute: "<action name=...> goes inside <actions>". */
static void
elsewhere_help(struct msgbuf *b, const struct xml_schema *s,
	       const xmlNode *n, const char *attr)
{
	const struct m_elem *e, *p;
	size_t i, g, k;

	for (e = s->elems; e; e = e->next) {
		if (strcmp(e->name, (const char *)n->name) != 0)
			continue;
		for (i = 0; i < e->nattrs; i++)
			if (strcmp(e->attrs[i].name, attr) == 0)
				break;
		if (i == e->nattrs)
			continue;
		for (p = s->elems; p; p = p->next)
			for (g = 0; g < p->ngroups; g++)
				for (k = 0; k < p->groups[g].n; k++)
					if (p->groups[g].elems[k] == e) {
						mb_printf(b, "<%s %s=...> goes "
							  "inside <%s>",
							  e->name, attr,
							  p->name);
						return;
					}
	}
}

/* Attributes: unknown ones, values of the wrong form, missing required
 * ones (all named in one message).  Returns the number of findings. */
static size_t
check_attrs(struct vstate *vs, const xmlNode *n, const struct m_elem *d)
{
	char nb[SHOW_NAME + 4], ab[SHOW_NAME + 4], vb[SHOW_VALUE + 4];
	char buf[512];
	struct msgbuf b = { buf, sizeof buf, 0 };
	const xmlAttr *a;
	size_t i, missing = 0, k = 0, found = 0;

	if (d->open_attrs)
		return 0;
	for (a = n->properties; a; a = a->next) {
		const struct m_attr *m = NULL;
		const char *an = (const char *)a->name;
		xmlChar *v;

		for (i = 0; !a->ns && i < d->nattrs; i++)
			if (strcmp(d->attrs[i].name, an) == 0)
				m = &d->attrs[i];
		if (!m) {
			b.len = 0;
			elsewhere_help(&b, vs->s, n, an);
			record(vs, n, R_UNKNOWN_ATTR,
			       xml_attr_name_span(vs->ix, n, an),
			       b.len ? buf : NULL,
			       "<%s> does not take the attribute '%s'",
			       ename(nb, sizeof nb, n),
			       shown(ab, sizeof ab, an, SHOW_NAME));
			found++;
			continue;
		}
		if (m->kind == AK_ANY)
			continue;
		v = a->children ? xmlNodeListGetString(vs->doc, a->children, 1)
				: NULL;
		if (a->children && !v) {
			vs->oom = true;
			return found;
		}
		if (!value_ok(m, v ? (const char *)v : "")) {
			b.len = 0;
			mb_expected(&b, m);
			record(vs, n, R_BAD_VALUE, xml_attr_span(vs->ix, n, an),
			       NULL,
			       "attribute '%s' of <%s> must be %s, not '%s'",
			       m->name, ename(nb, sizeof nb, n), buf,
			       shown(vb, sizeof vb, v ? (const char *)v : "",
				     SHOW_VALUE));
			found++;
		}
		xmlFree(v);
	}
	for (i = 0; i < d->nattrs; i++)
		if (d->attrs[i].required &&
		    !xmlHasProp(n, (const xmlChar *)d->attrs[i].name))
			missing++;
	if (!missing)
		return found;
	b.len = 0;
	for (i = 0; i < d->nattrs; i++)
		if (d->attrs[i].required &&
		    !xmlHasProp(n, (const xmlChar *)d->attrs[i].name)) {
			mb_printf(&b, "%s'%s'", k == 0 ? "" : k + 1 == missing
							      ? " and " : ", ",
				  d->attrs[i].name);
			k++;
		}
	record(vs, n, R_MISSING_ATTR, xml_node_span(vs->ix, n), NULL,
	       "<%s> needs the attribute%s %s", ename(nb, sizeof nb, n),
	       missing > 1 ? "s" : "", buf);
	return found + 1;
}

/* Text other than blanks. */
static bool
has_text(const xmlNode *c)
{
	const xmlChar *p;

	if (c->type == XML_ENTITY_REF_NODE)
		return true;
	if (c->type != XML_TEXT_NODE && c->type != XML_CDATA_SECTION_NODE)
		return false;
	for (p = c->content; p && *p; p++)
		if (!is_space(*p))
			return true;
	return false;
}

/* A missing child: "<rule> needs a <description> with a <name>",
 * "<operator> must contain at least one <condition> or <operator>". */
static void
missing_child(struct vstate *vs, const xmlNode *n, const struct m_group *g)
{
	char nb[SHOW_NAME + 4], buf[512];
	struct msgbuf b = { buf, sizeof buf, 0 };
	const struct m_elem *only = g->n == 1 ? g->elems[0] : NULL;
	size_t i;

	if (g->max > 1) {
		mb_printf(&b, "<%s> must contain at least one ",
			  ename(nb, sizeof nb, n));
		mb_names(&b, g);
	} else {
		mb_printf(&b, "<%s> needs %s ", ename(nb, sizeof nb, n),
			  article(g->elems[0]->name));
		mb_names(&b, g);
		/* name what the missing element itself needs first */
		for (i = 0; only && i < only->ngroups; i++) {
			const struct m_group *h = &only->groups[i];

			if (h->min > 0 && h->n == 1 && h->max == 1) {
				mb_printf(&b, " with %s <%s>",
					  article(h->elems[0]->name),
					  h->elems[0]->name);
				break;
			}
		}
	}
	record(vs, n, R_MISSING_CHILD, xml_node_span(vs->ix, n), NULL, "%s",
	       buf);
}

static size_t check_elem(struct vstate *vs, const xmlNode *n,
			 const struct m_elem *d, bool in_scope,
			 unsigned depth);

/* Children: text where none is allowed, elements that are not allowed,
 * too many of a group, alternatives mixed, groups below their minimum;
 * then each allowed child in turn.  Returns the findings made below n. */
static size_t
check_children(struct vstate *vs, const xmlNode *n, const struct m_elem *d,
	       bool in_scope, unsigned depth)
{
	char nb[SHOW_NAME + 4], cb[SHOW_NAME + 4], ob[SHOW_NAME + 4];
	char *help = vs->scratch;
	struct msgbuf hb = { help, sizeof vs->scratch, 0 };
	unsigned counts[MAX_GROUPS] = { 0 };
	const xmlNode *c, *first = NULL;
	int branch = -1;
	bool text = false;
	size_t found = 0, g;

	if (d->open_content)
		return 0;
	for (c = n->children; c; c = c->next) {
		const struct m_elem *cd;
		const struct m_group *gr;

		if (!d->text && !text && has_text(c)) {
			text = true;
			if (in_scope) {
				record(vs, n, R_TEXT, xml_node_span(vs->ix, n),
				       NULL, "text is not allowed inside <%s>",
				       ename(nb, sizeof nb, n));
				found++;
			}
		}
		if (c->type != XML_ELEMENT_NODE)
			continue;
		if (!child_decl(d, (const char *)c->name, &g, &cd)) {
			if (in_scope) {
				hb.len = 0;
				allowed_help(&hb, n, d);
				record(vs, c, R_NOT_ALLOWED,
				       xml_node_span(vs->ix, c), help,
				       "<%s> is not allowed inside <%s>",
				       ename(cb, sizeof cb, c),
				       ename(nb, sizeof nb, n));
				found++;
			}
			continue;
		}
		gr = &d->groups[g];
		if (g < MAX_GROUPS && counts[g] < UINT_MAX)
			counts[g]++;
		if (in_scope && !gr->shared && g < MAX_GROUPS &&
		    counts[g] > gr->max) {
			bool expr = false;
			size_t i;

			hb.len = 0;
			mb_names(&hb, gr);
			for (i = 0; i < gr->n; i++)
				expr |= strcmp(gr->elems[i]->name, "operator")
					== 0;
			record(vs, c, R_TOO_MANY, xml_node_span(vs->ix, c),
			       expr && gr->n > 1
			       ? "combine them in one <operator type=\"AND\"> "
				 "or <operator type=\"OR\">" : NULL,
			       "<%s> may contain only one %s",
			       ename(nb, sizeof nb, n), help);
			found++;
		}
		if (!gr->shared && gr->branch >= 0) {
			if (branch < 0) {
				branch = gr->branch;
				first = c;
			} else if (branch != gr->branch && in_scope) {
				record(vs, c, R_EXCLUSIVE,
				       xml_node_span(vs->ix, c), NULL,
				       "<%s> cannot be used together with <%s> "
				       "inside <%s>", ename(cb, sizeof cb, c),
				       ename(ob, sizeof ob, first),
				       ename(nb, sizeof nb, n));
				found++;
			}
		}
		found += check_elem(vs, c, cd, in_scope, depth + 1);
	}
	for (g = 0; in_scope && g < d->ngroups && g < MAX_GROUPS; g++) {
		const struct m_group *gr = &d->groups[g];

		if (!gr->shared && counts[g] < gr->min &&
		    (gr->branch < 0 || branch < 0 || gr->branch == branch)) {
			missing_child(vs, n, gr);
			found++;
		}
	}
	return found;
}

/* Checks element n against its model d, recording findings where n is in
 * a subtree libxml2 pointed at.  Returns the findings made at or below n,
 * and remembers that number when n is such a subtree. */
static size_t
check_elem(struct vstate *vs, const xmlNode *n, const struct m_elem *d,
	   bool in_scope, unsigned depth)
{
	uint32_t k;
	bool root = pmap_get(&vs->scopes, n, &k);
	size_t found = 0;

	if (depth > MAX_DEPTH || vs->oom)
		return 0;
	in_scope |= root;
	if (in_scope)
		found += check_attrs(vs, n, d);
	found += check_children(vs, n, d, in_scope, depth);
	if (root && !pmap_put(&vs->scopes, n,
			      (uint32_t)(found < UINT32_MAX - 1 ? found + 1
							       : UINT32_MAX)))
		vs->oom = true;
	return found;
}

/* The document: its root must be one the schema starts with. */
static void
check_document(struct vstate *vs, const xmlNode *root)
{
	char nb[SHOW_NAME + 4];
	const struct m_elem *d = vs->s->doc, *cd;
	size_t g;

	if (!root)
		return;
	if (!child_decl(d, (const char *)root->name, &g, &cd)) {
		record(vs, root, R_NOT_ALLOWED,
			       xml_node_span(vs->ix, root), NULL,
			       "the root element must be <%s>, not <%s>",
			       d->ngroups && d->groups[0].n
			       ? d->groups[0].elems[0]->name : "rule",
			       ename(nb, sizeof nb, root));
		return;
	}
	check_elem(vs, root, cd, false, 0);
}

/* ---- libxml2's reports -------------------------------------------------- */

/* libxml2's structured error handler for one validation: copies what the
 * error says; nothing is printed. */
static void
on_rng_error(void *ud, xmlErrorPtr e)
{
	struct vstate *vs = ud;
	struct rawerr *r;

	if (!e || vs->oom)
		return;
	if (e->domain == XML_FROM_MEMORY ||
	    (e->level == XML_ERR_FATAL && e->code == XML_ERR_NO_MEMORY) ||
	    (e->domain == XML_FROM_RELAXNGV &&
	     e->code == XML_RELAXNG_ERR_MEMORY)) {
		vs->oom = true;
		return;
	}
	if (vs->nerr == vs->cerr) {
		size_t cap = vs->cerr ? vs->cerr * 2 : 16;
		struct rawerr *v = realloc(vs->err, cap * sizeof *v);

		if (!v) {
			vs->oom = true;
			return;
		}
		vs->err = v;
		vs->cerr = cap;
	}
	r = &vs->err[vs->nerr];
	r->code = e->code;
	r->node = e->node;
	r->s1 = e->str1 ? strdup(e->str1) : NULL;
	r->s2 = e->str2 ? strdup(e->str2) : NULL;
	if ((e->str1 && !r->s1) || (e->str2 && !r->s2)) {
		free(r->s1);
		free(r->s2);
		vs->oom = true;
		return;
	}
	vs->nerr++;
}

static bool
named(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && name &&
	       strcmp((const char *)n->name, name) == 0;
}

static const xmlNode *
parent_element(const xmlNode *n)
{
	return n && n->parent && n->parent->type == XML_ELEMENT_NODE
	       ? n->parent : NULL;
}

/* The element a libxml2 error is about.  libxml2 reports the child it was
 * looking at when there was one, so an error that names its element is
 * moved to the parent of that name. */
static const xmlNode *
about(const struct rawerr *r)
{
	const xmlNode *n = r->node;
	const char *self = NULL;

	if (n && n->type != XML_ELEMENT_NODE)
		n = parent_element(n);
	switch (r->code) {
	case XML_RELAXNG_ERR_ATTRVALID:
	case XML_RELAXNG_ERR_CONTENTVALID:
	case XML_RELAXNG_ERR_TEXTWRONG:
		self = r->s1;
		break;
	case XML_RELAXNG_ERR_INVALIDATTR:
		self = r->s2;
		break;
	case XML_RELAXNG_ERR_EXTRACONTENT:
		/* about the extra child, named by s2 */
		if (n && !named(n, r->s2) && named(parent_element(n), r->s2))
			n = parent_element(n);
		return n;
	default:
		return n;
	}
	if (n && !named(n, self) && named(parent_element(n), self))
		n = parent_element(n);
	return n;
}

/* A report from a libxml2 code, for an error the model did not explain:
 * the catalogue of last resort, most specific first. */
static void
fallback(struct vstate *vs, const struct rawerr *r, const xmlNode *n)
{
	char nb[SHOW_NAME + 4], pb[SHOW_NAME + 4];
	char b1[SHOW_NAME + 4], b2[SHOW_VALUE + 4];
	const char *self = ename(nb, sizeof nb, n);
	const xmlNode *up = parent_element(n) ? parent_element(n) : n;
	const char *parent = ename(pb, sizeof pb, up);
	const char *s1 = shown(b1, sizeof b1, r->s1 ? r->s1 : "?", SHOW_NAME);
	const char *s2 = shown(b2, sizeof b2, r->s2 ? r->s2 : "?", SHOW_VALUE);
	struct span sp = xml_node_span(vs->ix, n);

	switch (r->code) {
	case XML_RELAXNG_ERR_NOELEM:
		if (r->s1 && *r->s1)
			record(vs, n, R_FALLBACK, sp, NULL,
			       "<%s> needs %s <%s>", self, article(s1), s1);
		else
			record(vs, n, R_FALLBACK + 12, sp, NULL,
			       "<%s> lacks a child element it needs", self);
		break;
	case XML_RELAXNG_ERR_ELEMWRONG:
		record(vs, n, R_FALLBACK + 1, sp, NULL,
		       "<%s> is not allowed inside <%s>", self, parent);
		break;
	case XML_RELAXNG_ERR_ELEMNAME:
		record(vs, n, R_FALLBACK + 2, sp, NULL,
		       "<%s> is not allowed here: <%s> expects <%s>", self,
		       parent, s1);
		break;
	case XML_RELAXNG_ERR_EXTRACONTENT:
		record(vs, n, R_FALLBACK + 3, sp, NULL,
		       "<%s> is not allowed here inside <%s>", self, parent);
		break;
	case XML_RELAXNG_ERR_TEXTWRONG:
	case XML_RELAXNG_ERR_EXTRADATA:
		record(vs, n, R_FALLBACK + 4, sp, NULL,
		       "text is not allowed inside <%s>", self);
		break;
	case XML_RELAXNG_ERR_DATATYPE:
		record(vs, n, R_FALLBACK + 5, sp, NULL,
		       "a value on <%s> is not a valid %s: '%s'", self, s1,
		       s2);
		break;
	case XML_RELAXNG_ERR_INVALIDATTR:
		record(vs, n, R_FALLBACK + 6,
		       xml_attr_span(vs->ix, n, r->s1), NULL,
		       "attribute '%s' of <%s> is unknown or has an invalid "
		       "value", s1, self);
		break;
	case XML_RELAXNG_ERR_ATTRVALID:
		record(vs, n, R_FALLBACK + 7, sp, NULL,
		       "<%s> has a missing or invalid attribute", self);
		break;
	case XML_RELAXNG_ERR_ELEMNONS:
	case XML_RELAXNG_ERR_ELEMWRONGNS:
	case XML_RELAXNG_ERR_ELEMEXTRANS:
		record(vs, n, R_FALLBACK + 8, sp, NULL,
		       "<%s> is in an XML namespace; ESET rules use none",
		       self);
		break;
	case XML_RELAXNG_ERR_ATTRNONS:
	case XML_RELAXNG_ERR_ATTRWRONGNS:
	case XML_RELAXNG_ERR_ATTREXTRANS:
		record(vs, n, R_FALLBACK + 8, sp, NULL,
		       "an attribute of <%s> is in an XML namespace; ESET "
		       "rules use none", self);
		break;
	case XML_RELAXNG_ERR_ELEMNOTEMPTY:
		record(vs, n, R_FALLBACK + 9, sp, NULL, "<%s> must be empty",
		       self);
		break;
	case XML_RELAXNG_ERR_VALUE:
	case XML_RELAXNG_ERR_TYPEVAL:
	case XML_RELAXNG_ERR_TYPECMP:
	case XML_RELAXNG_ERR_DATAELEM:
	case XML_RELAXNG_ERR_VALELEM:
	case XML_RELAXNG_ERR_LIST:
	case XML_RELAXNG_ERR_LISTELEM:
	case XML_RELAXNG_ERR_LISTEXTRA:
	case XML_RELAXNG_ERR_LISTEMPTY:
	case XML_RELAXNG_ERR_LACKDATA:
		record(vs, n, R_FALLBACK + 10, sp, NULL,
		       "<%s> holds a value that does not have the expected "
		       "form", self);
		break;
	case XML_RELAXNG_ERR_INTEREXTRA:
		record(vs, n, R_FALLBACK + 11, sp, NULL,
		       "<%s> is repeated or not allowed here", s1);
		break;
	default:
		record(vs, n, R_FALLBACK + 13, sp, NULL,
		       "<%s> does not follow the structure of ESET rules",
		       self);
		break;
	}
}

/* Is there a finding at n or above it? */
static bool
covered_above(const struct vstate *vs, const xmlNode *n)
{
	uint32_t k;

	for (; n; n = parent_element(n))
		if (pmap_get(&vs->fmap, n, &k))
			return true;
	return false;
}

/* Errors the model explained nothing for get a report from their code. */
static void
explain_rest(struct vstate *vs, const xmlNode *root)
{
	size_t i;

	for (i = 0; i < vs->nerr && !vs->oom; i++) {
		const xmlNode *n = about(&vs->err[i]);
		const xmlNode *scope = n ? parent_element(n) ? parent_element(n)
							    : n : root;
		uint32_t k;

		if (!n)
			n = root;
		if (!n || (pmap_get(&vs->scopes, scope, &k) && k > 1) ||
		    covered_above(vs, n))
			continue;
		fallback(vs, &vs->err[i], n);
	}
	if (!vs->nf && root)
		record(vs, root, R_FALLBACK + 13, xml_node_span(vs->ix, root),
		       NULL, "<%s> does not follow the structure of ESET rules",
		       (const char *)root->name);
}

/* Hands the findings to the sink in document order.  Returns how many. */
static int
emit_all(struct vstate *vs, const struct rc_text *t)
{
	const xmlNode *n;
	int count = 0;
	uint32_t k;

	for (n = first_element(vs->doc); n && !vs->oom; n = next_element(n)) {
		struct diag *d;

		if (!pmap_get(&vs->fmap, n, &k))
			continue;
		d = diag_new(vs->sink, D_XML_STRUCTURE, t, vs->f[k].span, "%s",
			     vs->f[k].msg);
		if (!d) {
			vs->oom = true;
			break;
		}
		if (vs->f[k].help)
			diag_help(vs->sink, d, "%s", vs->f[k].help);
		diag_emit(vs->sink, d);
		count++;
	}
	return vs->oom ? -1 : count;
}

static void
vstate_free(struct vstate *vs)
{
	size_t i;

	for (i = 0; i < vs->nerr; i++) {
		free(vs->err[i].s1);
		free(vs->err[i].s2);
	}
	free(vs->err);
	free(vs->f);
	pmap_free(&vs->fmap);
	pmap_free(&vs->scopes);
}

int
xml_validate(struct xml_schema *s, xmlDoc *doc, const struct xml_index *ix,
	     struct diag_sink *sink, const struct rc_text *t)
{
	struct vstate vs;
	xmlRelaxNGValidCtxtPtr vc;
	const xmlNode *root;
	int ret;
	size_t i;

	if (!s || !doc)
		return -1;
	memset(&vs, 0, sizeof vs);
	vs.s = s;
	vs.ix = ix;
	vs.sink = sink;
	vs.doc = doc;
	if (!(vc = xmlRelaxNGNewValidCtxt(s->rng)))
		return -1;
	xmlRelaxNGSetValidStructuredErrors(vc, on_rng_error, &vs);
	ret = xmlRelaxNGValidateDoc(vc, doc);
	xmlRelaxNGFreeValidCtxt(vc);
	if (vs.oom || ret < 0) {
		vstate_free(&vs);
		return -1;
	}
	if (ret == 0) {
		vstate_free(&vs);
		return 0;
	}
	/* the subtrees to explain: around each element libxml2 named */
	root = xmlDocGetRootElement(doc);
	if (!pmap_init(&vs.fmap, 16) || !pmap_init(&vs.scopes, vs.nerr + 1)) {
		vstate_free(&vs);
		return -1;
	}
	for (i = 0; i < vs.nerr; i++) {
		const xmlNode *n = about(&vs.err[i]);
		const xmlNode *scope = n && parent_element(n)
				       ? parent_element(n) : root;

		if (scope && !pmap_put(&vs.scopes, scope, 0))
			vs.oom = true;
	}
	if (!vs.nerr && root && !pmap_put(&vs.scopes, root, 0))
		vs.oom = true;
	if (!vs.oom)
		check_document(&vs, root);
	if (!vs.oom)
		explain_rest(&vs, root);
	ret = vs.oom ? -1 : emit_all(&vs, t);
	vstate_free(&vs);
	return ret;
}
