/*
 * xmlcheck.c - the structure check of ESET rules: libxml2 decides whether
 * a document is valid against schemas/eset-rule.rng, and each of its
 * errors is explained from the model (xmlmodel.h) with a message of our
 * own (see "the structure check" in xmlcheck.h).
 *
 * Contents: values; building messages; the check; libxml2's reports;
 * xml_validate.
 */
#include "front/xmlmodel.h"

#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/relaxng.h>
#include <libxml/xmlerror.h>

#include "base/hash.h"
#include "base/vec.h"

enum {
	MAX_GROUPS = 32,     /* child groups counted per element */
	SHOW_NAME = 64,      /* bytes of a name quoted in a message */
	SHOW_VALUE = 40      /* bytes of a value quoted in a message */
};

/* ---- values ------------------------------------------------------------- */

/* v equals the collapsed w once v's whitespace is collapsed too. */
static bool
token_eq(const char *v, const char *w)
{
	while (xml_is_space((unsigned char)*v))
		v++;
	while (*v) {
		if (xml_is_space((unsigned char)*v)) {
			while (xml_is_space((unsigned char)*v))
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
	while (xml_is_space((unsigned char)*v))
		v++;
	if (*v == '+' || *v == '-')
		*neg = *v++ == '-';
	for (; *v >= '0' && *v <= '9'; v++) {
		digits = true;
		if (*v != '0')
			*zero = false;
	}
	while (xml_is_space((unsigned char)*v))
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

/* A subtree to explain: around an element libxml2 named. */
struct scope {
	const xmlNode *node;
	uint32_t found;     /* findings below it + 1; 0 before it is checked */
};

/* The state of one xml_validate call. */
struct vstate {
	const struct xml_schema *s;
	const struct xml_index *ix;
	struct diag_sink *sink;
	xmlDoc *doc;
	VEC(struct finding) f;
	struct hash fmap;   /* element -> its finding */
	VEC(struct scope) scopes;
	struct hash smap;   /* element -> its scope */
	VEC(struct rawerr) err;
	char scratch[512];  /* help text being built; record() copies it */
	bool oom;
};

/* The finding at element n, or HASH_NONE. */
static uint32_t
finding_of(const struct vstate *vs, const xmlNode *n)
{
	uint32_t h = xml_node_hash(n), pos, k;

	for (pos = hash_first(&vs->fmap, h);
	     (k = hash_next(&vs->fmap, h, &pos)) != HASH_NONE;)
		if (vs->f.v[k].node == n)
			return k;
	return HASH_NONE;
}

/* The scope of element n, or HASH_NONE. */
static uint32_t
scope_of(const struct vstate *vs, const xmlNode *n)
{
	uint32_t h = xml_node_hash(n), pos, k;

	for (pos = hash_first(&vs->smap, h);
	     (k = hash_next(&vs->smap, h, &pos)) != HASH_NONE;)
		if (vs->scopes.v[k].node == n)
			return k;
	return HASH_NONE;
}

/* Has `node` a finding at least as specific as `rank` already?  Callers
 * ask before they look for a span (a scan of the start tag), so that an
 * element with many bad attributes costs one scan, not one per attribute. */
static bool
recorded(struct vstate *vs, const xmlNode *node, int rank)
{
	uint32_t k = finding_of(vs, node);

	return k != HASH_NONE && vs->f.v[k].rank <= rank;
}

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
	uint32_t k = finding_of(vs, node);
	va_list ap;

	if (k != HASH_NONE) {
		if (vs->f.v[k].rank <= rank)
			return;
		f = &vs->f.v[k];
	} else {
		if (vec_reserve(&vs->f, vs->f.n + 1) < 0 ||
		    hash_add(&vs->fmap, xml_node_hash(node),
			     (uint32_t)vs->f.n) < 0) {
			vs->oom = true;
			return;
		}
		f = &vs->f.v[vs->f.n++];
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

	for (g = 0; g < d->groups.n; g++)
		for (i = 0; i < d->groups.v[g].n; i++)
			if (strcmp(d->groups.v[g].elems[i]->name, name) == 0) {
				*gi = g;
				*cd = d->groups.v[g].elems[i];
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

	for (g = 0; g < d->groups.n; g++)
		total += d->groups.v[g].n;
	if (!total) {
		mb_printf(b, "<%s> %s", ename(nb, sizeof nb, n),
			  d->text ? "holds only text" : "must be empty");
		return;
	}
	mb_printf(b, "<%s> may contain ", ename(nb, sizeof nb, n));
	for (g = 0; g < d->groups.n; g++)
		for (i = 0; i < d->groups.v[g].n; i++, k++)
			mb_printf(b, "%s<%s>", k == 0 ? "" : k + 1 == total
							     ? " or " : ", ",
				  d->groups.v[g].elems[i]->name);
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
		for (i = 0; i < e->attrs.n; i++)
			if (strcmp(e->attrs.v[i].name, attr) == 0)
				break;
		if (i == e->attrs.n)
			continue;
		for (p = s->elems; p; p = p->next)
			for (g = 0; g < p->groups.n; g++)
				for (k = 0; k < p->groups.v[g].n; k++)
					if (p->groups.v[g].elems[k] == e) {
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

		for (i = 0; !a->ns && i < d->attrs.n; i++)
			if (strcmp(d->attrs.v[i].name, an) == 0)
				m = &d->attrs.v[i];
		if (!m) {
			found++;
			if (recorded(vs, n, R_UNKNOWN_ATTR))
				continue;
			b.len = 0;
			elsewhere_help(&b, vs->s, n, an);
			record(vs, n, R_UNKNOWN_ATTR,
			       xml_attr_name_span(vs->ix, n, an),
			       b.len ? buf : NULL,
			       "<%s> does not take the attribute '%s'",
			       ename(nb, sizeof nb, n),
			       shown(ab, sizeof ab, an, SHOW_NAME));
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
	for (i = 0; i < d->attrs.n; i++)
		if (d->attrs.v[i].required &&
		    !xmlHasProp(n, (const xmlChar *)d->attrs.v[i].name))
			missing++;
	if (!missing)
		return found;
	b.len = 0;
	for (i = 0; i < d->attrs.n; i++)
		if (d->attrs.v[i].required &&
		    !xmlHasProp(n, (const xmlChar *)d->attrs.v[i].name)) {
			mb_printf(&b, "%s'%s'", k == 0 ? "" : k + 1 == missing
							      ? " and " : ", ",
				  d->attrs.v[i].name);
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
		if (!xml_is_space(*p))
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
		for (i = 0; only && i < only->groups.n; i++) {
			const struct m_group *h = &only->groups.v[i];

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
		gr = &d->groups.v[g];
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
	for (g = 0; in_scope && g < d->groups.n && g < MAX_GROUPS; g++) {
		const struct m_group *gr = &d->groups.v[g];

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
	uint32_t k = scope_of(vs, n);
	bool root = k != HASH_NONE;
	size_t found = 0;

	if (depth > MAX_DEPTH || vs->oom)
		return 0;
	in_scope |= root;
	if (in_scope)
		found += check_attrs(vs, n, d);
	found += check_children(vs, n, d, in_scope, depth);
	if (root)
		vs->scopes.v[k].found = (uint32_t)(found < UINT32_MAX - 1
						   ? found + 1 : UINT32_MAX);
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
			       d->groups.n && d->groups.v[0].n
			       ? d->groups.v[0].elems[0]->name : "rule",
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
	if (vec_reserve(&vs->err, vs->err.n + 1) < 0) {
		vs->oom = true;
		return;
	}
	r = &vs->err.v[vs->err.n];
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
	vs->err.n++;
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
	for (; n; n = parent_element(n))
		if (finding_of(vs, n) != HASH_NONE)
			return true;
	return false;
}

/* Errors the model explained nothing for get a report from their code. */
static void
explain_rest(struct vstate *vs, const xmlNode *root)
{
	size_t i;

	for (i = 0; i < vs->err.n && !vs->oom; i++) {
		const xmlNode *n = about(&vs->err.v[i]);
		const xmlNode *scope = n ? parent_element(n) ? parent_element(n)
							    : n : root;
		uint32_t k;

		if (!n)
			n = root;
		if (!n || ((k = scope_of(vs, scope)) != HASH_NONE &&
			   vs->scopes.v[k].found > 1) ||
		    covered_above(vs, n))
			continue;
		fallback(vs, &vs->err.v[i], n);
	}
	if (!vs->f.n && root)
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

	for (n = xml_first_element(vs->doc); n && !vs->oom;
	     n = xml_next_element(n)) {
		const struct finding *f;
		struct diag *d;

		if ((k = finding_of(vs, n)) == HASH_NONE)
			continue;
		f = &vs->f.v[k];
		d = diag_new(vs->sink, D_XML_STRUCTURE, t, f->span, "%s",
			     f->msg);
		if (!d) {
			vs->oom = true;
			break;
		}
		if (f->help)
			diag_help(vs->sink, d, "%s", f->help);
		diag_emit(vs->sink, d);
		count++;
	}
	return vs->oom ? -1 : count;
}

/* Makes n a subtree to explain (once); false when out of memory. */
static bool
add_scope(struct vstate *vs, const xmlNode *n)
{
	struct scope s = { n, 0 };

	if (scope_of(vs, n) != HASH_NONE)
		return true;
	if (vec_push(&vs->scopes, s) < 0)
		return false;
	if (hash_add(&vs->smap, xml_node_hash(n),
		     (uint32_t)(vs->scopes.n - 1)) < 0) {
		vs->scopes.n--;
		return false;
	}
	return true;
}

static void
vstate_free(struct vstate *vs)
{
	size_t i;

	for (i = 0; i < vs->err.n; i++) {
		free(vs->err.v[i].s1);
		free(vs->err.v[i].s2);
	}
	vec_free(&vs->err);
	vec_free(&vs->f);
	hash_free(&vs->fmap);
	vec_free(&vs->scopes);
	hash_free(&vs->smap);
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
	if (hash_reserve(&vs.fmap, 16) < 0 ||
	    hash_reserve(&vs.smap, vs.err.n + 1) < 0) {
		vstate_free(&vs);
		return -1;
	}
	for (i = 0; i < vs.err.n; i++) {
		const xmlNode *n = about(&vs.err.v[i]);
		const xmlNode *scope = n && parent_element(n)
				       ? parent_element(n) : root;

		if (scope && !add_scope(&vs, scope))
			vs.oom = true;
	}
	if (!vs.err.n && root && !add_scope(&vs, root))
		vs.oom = true;
	if (!vs.oom)
		check_document(&vs, root);
	if (!vs.oom)
		explain_rest(&vs, root);
	ret = vs.oom ? -1 : emit_all(&vs, t);
	vstate_free(&vs);
	return ret;
}
