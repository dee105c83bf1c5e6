/*
 * xmlpos.c - where the elements of an XML rule are in its text: the
 * start-tag scanner, the position index and the spans of elements and
 * attributes (see "positions" in xmlcheck.h).
 */
#include "front/xmlcheck.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum {
	LOOKAHEAD = 256,     /* text tags skipped to resynchronise the index */
	BACK_SEARCH = 65536  /* bytes searched before a node's line */
};

/* ---- scanning the text -------------------------------------------------- */

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
	const xmlNode *node;
	uint32_t off, len;   /* the name in the start tag */
	unsigned short line; /* node->line when indexed */
};

struct xml_index {
	const char *s;            /* the text */
	size_t len;
	struct hash map;          /* element's address -> its entry */
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

const xmlNode *
xml_first_element(const xmlDoc *doc)
{
	return doc ? element_from(doc->children) : NULL;
}

const xmlNode *
xml_next_element(const xmlNode *n)
{
	return element_from(next_node(n));
}

/* The entry of element n, or NULL. */
static const struct xml_entry *
entry_of(const struct xml_index *ix, const xmlNode *n)
{
	uint32_t h = xml_node_hash(n), pos, k;

	for (pos = hash_first(&ix->map, h);
	     (k = hash_next(&ix->map, h, &pos)) != HASH_NONE;)
		if (ix->entries[k].node == n)
			return &ix->entries[k];
	return NULL;
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

	for (n = xml_first_element(doc); n; n = xml_next_element(n)) {
		size_t save = sc.pos, off, len;
		unsigned tries;
		bool matched = false;

		for (tries = 0; tries <= LOOKAHEAD &&
		     next_start_tag(&sc, &off, &len); tries++) {
			if (qname_is(ix->s + off, len, n)) {
				struct xml_entry *e =
					&ix->entries[ix->nentries];

				e->node = n;
				e->off = (uint32_t)off;
				e->len = (uint32_t)len;
				e->line = n->line;
				if (hash_add(&ix->map, xml_node_hash(n),
					     (uint32_t)ix->nentries) < 0)
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
	for (n = xml_first_element(doc); n; n = xml_next_element(n))
		count++;
	for (i = 0, ix->nlines = 1; i < ix->len; i++)
		ix->nlines += ix->s[i] == '\n';
	ix->entries = malloc((count ? count : 1) * sizeof *ix->entries);
	ix->lines = malloc(ix->nlines * sizeof *ix->lines);
	if (!ix->entries || !ix->lines || hash_reserve(&ix->map, count) < 0)
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
	hash_free(&ix->map);
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
	const struct xml_entry *en = entry_of(ix, node);
	long line;
	size_t b, e;

	if (en && en->line == node->line) {
		*off = en->off;
		*len = en->len;
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
		while (j < n && xml_is_space((unsigned char)s[j]))
			j++;
		if (j >= n || s[j] == '>' || s[j] == '/' || s[j] == '<')
			return false;
		for (a = j; j < n && name_at(s, j); j++)
			;
		alen = j - a;
		if (!alen)
			return false;
		while (j < n && xml_is_space((unsigned char)s[j]))
			j++;
		vs = ve = j;
		if (j < n && s[j] == '=') {
			j++;
			while (j < n && xml_is_space((unsigned char)s[j]))
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
