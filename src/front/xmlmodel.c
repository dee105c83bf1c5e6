/*
 * xmlmodel.c - reads schemas/eset-rule.rng into the model that explains
 * structure errors (see xmlmodel.h), and compiles it with libxml2.
 */
#include "front/xmlmodel.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#define RNG_NS "http://relaxng.org/ns/structure/1.0"
#define XSD_NS "http://www.w3.org/2001/XMLSchema-datatypes"

/* The model being read from the schema document. */
struct mbuild {
	struct arena *a;
	VEC(const xmlNode *) defs; /* the <define>s */
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
	while (xml_is_space((unsigned char)*s))
		s++;
	while (*s) {
		if (xml_is_space((unsigned char)*s)) {
			while (xml_is_space((unsigned char)*s))
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
			if (vec_push(&b->defs, c) < 0) {
				b->oom = true;
				return;
			}
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

	for (i = 0; i < b->defs.n; i++) {
		xmlChar *v = xmlGetNoNsProp(b->defs.v[i],
					    (const xmlChar *)"name");
		bool same = v && name && strcmp((const char *)v, name) == 0;

		xmlFree(v);
		if (same) {
			if (found)
				return NULL;
			found = b->defs.v[i];
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

/* Appends a group of child elements to owner. */
static void
add_group(struct mbuild *b, struct m_elem *owner, struct m_elem **elems,
	  size_t n, unsigned min, unsigned max, int branch)
{
	struct m_group *g;
	struct m_elem **copy;

	if (vec_reserve_in(&owner->groups, b->a, owner->groups.n + 1) < 0 ||
	    !(copy = ARENA_NEWV(b->a, struct m_elem *, n))) {
		b->oom = true;
		return;
	}
	g = &owner->groups.v[owner->groups.n];
	g->elems = copy;
	memcpy(g->elems, elems, n * sizeof *elems);
	g->n = n;
	g->min = min;
	g->max = max;
	g->branch = branch;
	g->shared = false;
	owner->groups.n++;
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
	for (i = 0; i < owner->attrs.n; i++) {
		if (strcmp(owner->attrs.v[i].name, name) == 0) {
			/* declared twice (in alternatives): anything goes */
			owner->attrs.v[i].kind = AK_ANY;
			owner->attrs.v[i].required &= required;
			return;
		}
	}
	if (!(m = vec_add_in(&owner->attrs, b->a))) {
		b->oom = true;
		return;
	}
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

	for (g = 0; g < e->groups.n; g++)
		for (h = g + 1; h < e->groups.n; h++)
			for (i = 0; i < e->groups.v[g].n; i++)
				for (j = 0; j < e->groups.v[h].n; j++)
					if (strcmp(e->groups.v[g].elems[i]->name,
						   e->groups.v[h].elems[j]->name)
					    == 0)
						e->groups.v[g].shared =
							e->groups.v[h].shared =
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
	vec_free(&b.defs);
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
