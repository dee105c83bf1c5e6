/*
 * eset_lower.c - ESET Inspect XML rule to IR (see eset_lower.h).
 */
#include "sema/eset_lower.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/suggest.h"
#include "base/vec.h"
#include "front/xmlcheck.h"
#include "sema/literal.h"

/* The sixteen relations of the `condition` attribute. */
#define ESET_RELATIONS(R) \
	R(REL_IS, "is") R(REL_ISNOT, "isnot") R(REL_ISSET, "isset") \
	R(REL_ISNOTSET, "isnotset") R(REL_ISEMPTY, "isempty") \
	R(REL_ISNOTEMPTY, "isnotempty") R(REL_STARTS, "starts") \
	R(REL_NOTSTARTS, "notstarts") R(REL_CONTAINS, "contains") \
	R(REL_NOTCONTAINS, "notcontains") R(REL_ENDS, "ends") \
	R(REL_NOTENDS, "notends") R(REL_LESS, "less") \
	R(REL_LESSOREQUAL, "lessOrEqual") R(REL_GREATER, "greater") \
	R(REL_GREATEROREQUAL, "greaterOrEqual")

enum relation {
#define R(e, s) e,
	ESET_RELATIONS(R)
#undef R
	REL__COUNT
};

static const char *const relation_names[REL__COUNT] = {
#define R(e, s) s,
	ESET_RELATIONS(R)
#undef R
};

/* Where the conditions of a holder are evaluated. */
struct scope {
	enum eset_object object;   /* what the components describe */
	const char *prefix;        /* process objects: process, process.parent */
	const struct eset_op *op;  /* the operation, for offered components */
	const char *op_name;
};

/* --- helpers ------------------------------------------------------------- */

static struct diag *
vdiag(struct eset_lower *el, enum diag_id id, struct span sp,
      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static struct diag *
vdiag(struct eset_lower *el, enum diag_id id, struct span sp,
      const char *fmt, va_list ap)
{
	/* the holders are lowered once per operation: report them once */
	if (el->quiet)
		return NULL;
	if (diag_table[id].severity == SEV_ERROR)
		el->errors++;
	return diag_vnew(el->diags, id, el->text, sp, fmt, ap);
}

/* A diagnostic with an optional help line, emitted at once. */
static void
report(struct eset_lower *el, enum diag_id id, struct span sp,
       const char *help, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

static void
report(struct eset_lower *el, enum diag_id id, struct span sp,
       const char *help, const char *fmt, ...)
{
	va_list ap;
	struct diag *d;

	va_start(ap, fmt);
	d = vdiag(el, id, sp, fmt, ap);
	va_end(ap);
	if (help)
		diag_help(el->diags, d, "%s", help);
	diag_emit(el->diags, d);
}

static struct span
node_span(struct eset_lower *el, const xmlNode *n)
{
	return xml_node_span(el->index, n);
}

static struct span
attr_span(struct eset_lower *el, const xmlNode *n, const char *attr)
{
	return xml_attr_span(el->index, n, attr);
}

/* An attribute's value copied into the arena, or NULL if absent. */
static const char *
attr(struct eset_lower *el, const xmlNode *n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	char *s;

	if (!v)
		return NULL;
	s = arena_strdup(el->arena, (const char *)v);
	xmlFree(v);
	return s;
}

/* The text of an element with surrounding blanks removed, or NULL when it
 * is empty. */
static const char *
text_of(struct eset_lower *el, const xmlNode *n)
{
	xmlChar *v = xmlNodeGetContent(n);
	const char *s, *e;
	char *r = NULL;

	if (!v)
		return NULL;
	for (s = (const char *)v; *s && isspace((unsigned char)*s); s++)
		;
	for (e = s + strlen(s); e > s && isspace((unsigned char)e[-1]); e--)
		;
	if (e > s)
		r = arena_strndup(el->arena, s, (size_t)(e - s));
	xmlFree(v);
	return r;
}

static bool
named(const xmlNode *n, const char *name)
{
	return n->type == XML_ELEMENT_NODE &&
	       strcmp((const char *)n->name, name) == 0;
}


static struct ir_expr *
new_const(struct eset_lower *el, const struct ir_value *v)
{
	struct ir_expr *e = ir_new(el->arena, IR_CONST, v->type, v->span);

	if (e)
		e->u.c = *v;
	return e;
}

static struct ir_expr *
new_str(struct eset_lower *el, const char *s, struct span sp)
{
	struct ir_value v;

	memset(&v, 0, sizeof v);
	v.type = VT_STRING;
	v.span = sp;
	v.u.s.s = s;
	v.u.s.len = strlen(s);
	return new_const(el, &v);
}

static struct ir_expr *
new_null(struct eset_lower *el, struct span sp)
{
	struct ir_value v;

	memset(&v, 0, sizeof v);
	v.type = VT_NULL;
	v.span = sp;
	return new_const(el, &v);
}

static struct ir_expr *
new_cmp(struct eset_lower *el, enum ir_op op, bool ci, struct ir_expr *l,
	struct ir_expr *r, struct span sp)
{
	struct ir_expr *e = ir_new(el->arena, IR_CMP, VT_BOOL, sp);

	if (e) {
		e->u.cmp.op = op;
		e->u.cmp.ci = ci;
		e->u.cmp.l = l;
		e->u.cmp.r = r;
	}
	return e;
}

static struct ir_expr *
new_not(struct eset_lower *el, struct ir_expr *sub, struct span sp)
{
	struct ir_expr *e = ir_new(el->arena, IR_NOT, VT_BOOL, sp);

	if (e)
		e->u.sub = sub;
	return e;
}

/* AND or OR of n expressions (NULL entries are dropped; one left is
 * returned itself). */
static struct ir_expr *
new_logic(struct eset_lower *el, enum ir_kind k, struct ir_expr **v,
	  size_t n, struct span sp)
{
	struct ir_expr *e;
	size_t i, m = 0;

	for (i = 0; i < n; i++)
		if (v[i])
			v[m++] = v[i];
	if (m == 1)
		return v[0];
	e = ir_new(el->arena, k, VT_BOOL, sp);
	if (!e)
		return NULL;
	e->u.list.v = ARENA_NEWV(el->arena, struct ir_expr *, m ? m : 1);
	if (!e->u.list.v)
		return NULL;
	memcpy(e->u.list.v, v, m * sizeof *v);
	e->u.list.n = m;
	return e;
}

static struct ir_expr *
and2(struct eset_lower *el, struct ir_expr *a, struct ir_expr *b,
     struct span sp)
{
	struct ir_expr *v[2] = { a, b };

	return new_logic(el, IR_AND, v, 2, sp);
}

static struct ir_expr *
new_call(struct eset_lower *el, enum fn_id fn, bool ci, struct ir_expr *a,
	 struct ir_expr *b, struct span sp)
{
	struct ir_expr *e = ir_new(el->arena, IR_CALL, fn_table[fn].result, sp);

	if (!e)
		return NULL;
	e->u.call.fn = fn;
	e->u.call.ci = ci;
	e->u.call.n = 2;
	e->u.call.args = ARENA_NEWV(el->arena, struct ir_expr *, 2);
	if (!e->u.call.args)
		return NULL;
	e->u.call.args[0] = a;
	e->u.call.args[1] = b;
	return e;
}

/* --- values --------------------------------------------------------------- */

static bool
parse_int(const char *s, int64_t *v)
{
	char *end;
	long long x;

	while (isspace((unsigned char)*s))
		s++;
	if (!*s)
		return false;
	errno = 0;
	x = strtoll(s, &end, 10);
	while (isspace((unsigned char)*end))
		end++;
	if (errno || *end)
		return false;
	*v = x;
	return true;
}

/* An IPv4 or IPv6 address with an optional /prefix, normalised to
 * "address/prefix"; returns the family (4 or 6) or 0 if malformed. */
static unsigned
parse_cidr(struct eset_lower *el, const char *s, const char **norm)
{
	uint8_t addr[16];
	unsigned prefix, fam = lit_parse_cidr(s, strlen(s), addr, &prefix);
	const char *slash = strchr(s, '/');

	if (!fam)
		return 0;
	*norm = arena_printf(el->arena, "%.*s/%u",
			     (int)(slash ? (size_t)(slash - s) : strlen(s)), s,
			     prefix);
	return *norm ? fam : 0;
}

/* --- conditions ----------------------------------------------------------- */

/* The value type of an ESET property type. */
static enum vtype
vtype_of_eset(enum eset_type t)
{
	switch (t) {
	case ET_STRING:
	case ET_PATH: return VT_STRING;
	case ET_INT:
	case ET_ENUM: return VT_LONG;
	case ET_BOOL: return VT_BOOL;
	case ET_IPV4:
	case ET_IPV6: return VT_IP;
	default: return VT_UNKNOWN;
	}
}

/* Whether an ECS field can hold the values of an ESET property: a mapping
 * whose value domains differ (SignatureType's numbers against
 * code_signature.trusted's booleans) cannot be compared with the rule's
 * value, so such a field keeps rulec's own name. */
static bool
domains_agree(const struct eset_prop *p, const struct schema_field *def,
	      enum ir_transform tr)
{
	enum vtype ecs;

	if (!p || !def || tr != TR_NONE)
		return true;
	ecs = vtype_of_field(def->type);
	return ecs == VT_UNKNOWN || ecs == vtype_of_eset(p->type) ||
	       (vtype_numeric(ecs) && vtype_of_eset(p->type) == VT_LONG);
}

/* The field a condition reads, mapped to its ECS name for this scope. */
static struct ir_expr *
field_for(struct eset_lower *el, const struct scope *sc, const char *comp,
	  const char *prop, const struct eset_prop *p, struct span sp)
{
	const struct eset_map *m = p ? eset_prop_map(p, sc->object) : NULL;
	struct ir_expr *e = ir_new(el->arena, IR_FIELD, VT_UNKNOWN, sp);
	const char *name = NULL;
	const struct schema_field *def = NULL;

	if (!e)
		return NULL;
	if (m && m->exact != EX_NONE && m->ecs) {
		const char *ph = strstr(m->ecs, "{p}");
		if (ph)
			name = arena_printf(el->arena, "%.*s%s%s",
					    (int)(ph - m->ecs), m->ecs,
					    sc->prefix, ph + 3);
		else
			name = m->ecs;
		if (!name)
			return NULL;
		e->u.f.map = m->exact == EX_EXACT ? MAP_EXACT : MAP_APPROX;
		e->u.f.transform = m->tr;
		e->u.f.ipfam = m->ipfam;
		def = el->schema ? schema_lookup(el->schema, name,
						 strlen(name)) : NULL;
		if (!domains_agree(p, def, e->u.f.transform)) {
			name = NULL;
			def = NULL;
			e->u.f.transform = TR_NONE;
			e->u.f.ipfam = 0;
		}
	}
	if (!name) {
		/* no usable ECS counterpart: a rulec name under the object */
		name = sc->object == EO_PROCESS
			       ? arena_printf(el->arena, "%s.eset.%s.%s",
					      sc->prefix, comp, prop)
			       : arena_printf(el->arena, "eset.%s.%s", comp,
					      prop);
		e->u.f.map = MAP_NONE;
	}
	if (!name)
		return NULL;
	e->u.f.name = name;
	e->u.f.src_name = arena_printf(el->arena, "%s.%s", comp, prop);
	e->u.f.def = def;
	e->u.f.array = def && def->array;
	/* the comparison is about the ESET property's values */
	e->type = p ? vtype_of_eset(p->type) : VT_UNKNOWN;
	return e;
}

static enum relation
lookup_relation(struct eset_lower *el, const xmlNode *n, const char *rel)
{
	unsigned i;
	struct suggest sg;

	for (i = 0; i < REL__COUNT; i++)
		if (strcmp(rel, relation_names[i]) == 0)
			return (enum relation)i;
	for (i = 0; i < REL__COUNT; i++)
		if (strcasecmp(rel, relation_names[i]) == 0) {
			char help[48];
			snprintf(help, sizeof help, "write '%s'",
				 relation_names[i]);
			report(el, D_ELEMENT_CASE, attr_span(el, n, "condition"),
			       help, "relation '%s' is spelled '%s' in ESET's "
			       "documentation", rel, relation_names[i]);
			return (enum relation)i;
		}
	suggest_init(&sg, rel, strlen(rel), true);
	for (i = 0; i < REL__COUNT; i++)
		suggest_add(&sg, relation_names[i], strlen(relation_names[i]));
	{
		char help[64];
		snprintf(help, sizeof help, "did you mean '%s'?",
			 suggest_best(&sg) ? suggest_best(&sg) : "");
		report(el, D_UNKNOWN_RELATION, attr_span(el, n, "condition"),
		       suggest_best(&sg) ? help : NULL,
		       "unknown relation '%s'", rel);
	}
	return REL__COUNT;
}

/* The typed constant for `value` given the property's type, or false
 * after reporting why it does not fit. */
static bool
typed_value(struct eset_lower *el, const xmlNode *n,
	    const struct eset_prop *p, enum relation rel, const char *value,
	    struct ir_value *v)
{
	struct span sp = attr_span(el, n, "value");
	enum eset_type ty = p ? p->type : ET_STRING;
	bool numeric_rel = rel >= REL_LESS;

	memset(v, 0, sizeof *v);
	v->span = sp;
	if (ty == ET_ENUM || ty == ET_INT || numeric_rel) {
		int64_t x;
		if (parse_int(value, &x) ||
		    (p && ty == ET_ENUM && eset_const_lookup(p, value, &x))) {
			v->type = VT_LONG;
			v->u.i = x;
			return true;
		}
		if (ty == ET_ENUM && !numeric_rel) {
			const char *s = p ? eset_suggest_const(p, value) : NULL;
			char help[96];
			snprintf(help, sizeof help, "did you mean '%s'?",
				 s ? s : "");
			report(el, D_BAD_VALUE, sp, s ? help : NULL,
			       "'%s' is not a constant of %s.%s",
			       value, p->component, p->property);
			return false;
		}
		if (numeric_rel || ty == ET_INT) {
			report(el, D_BAD_VALUE, sp, NULL,
			       "'%s' compares numbers, but '%s' is not a "
			       "number", numeric_rel ? relation_names[rel]
						      : "this property",
			       value);
			return false;
		}
	}
	if (ty == ET_BOOL) {
		v->type = VT_BOOL;
		if (strcmp(value, "1") == 0 || strcasecmp(value, "true") == 0)
			v->u.b = true;
		else if (strcmp(value, "0") == 0 ||
			 strcasecmp(value, "false") == 0)
			v->u.b = false;
		else {
			report(el, D_BAD_VALUE, sp, "write 1 or 0 (true or "
			       "false)", "'%s' is not a boolean", value);
			return false;
		}
		return true;
	}
	v->type = VT_STRING;
	v->u.s.s = value;
	v->u.s.len = strlen(value);
	return true;
}

/* ESET's relation-by-type matrix as far as it is known (reference 5.3):
 * text relations need text (or a set of flags, where contains means
 * membership), emptiness needs text or a set, order needs numbers. */
static bool
relation_fits(enum relation rel, const struct eset_prop *p)
{
	bool text = p->type == ET_STRING || p->type == ET_PATH;
	bool num = p->type == ET_INT || p->type == ET_ENUM;

	if (p->type == ET_OTHER)
		return true;
	switch (rel) {
	case REL_STARTS: case REL_NOTSTARTS: case REL_ENDS: case REL_NOTENDS:
		return text;
	case REL_CONTAINS: case REL_NOTCONTAINS:
		return text || p->set;
	case REL_ISEMPTY: case REL_ISNOTEMPTY:
		return text || p->set;
	case REL_LESS: case REL_LESSOREQUAL: case REL_GREATER:
	case REL_GREATEROREQUAL:
		return num;
	default:
		return true;
	}
}

/* The IR of one <condition>. */
static struct ir_expr *
lower_condition(struct eset_lower *el, const xmlNode *n,
		const struct scope *sc)
{
	const char *comp = attr(el, n, "component");
	const char *prop = attr(el, n, "property");
	const char *rel_s = attr(el, n, "condition");
	const char *value = attr(el, n, "value");
	struct span sp = node_span(el, n);
	const struct eset_prop *p = NULL;
	enum relation rel;
	struct ir_expr *f, *e = NULL, *c;
	struct ir_value v;
	bool exact = true;

	if (!comp || !prop || !rel_s)
		return NULL;    /* the schema has reported it */
	rel = lookup_relation(el, n, rel_s);
	if (rel == REL__COUNT)
		return NULL;
	if (!eset_has_component(el->cat, comp, &exact)) {
		const char *s = eset_suggest_component(el->cat, comp);
		char help[96];
		snprintf(help, sizeof help, "did you mean '%s'?", s ? s : "");
		report(el, D_UNKNOWN_COMPONENT, attr_span(el, n, "component"),
		       s ? help : NULL, "unknown component '%s'", comp);
	} else if (!(p = eset_lookup_prop(el->cat, comp, prop, &exact))) {
		const char *s = eset_suggest_prop(el->cat, comp, prop);
		char help[96];
		snprintf(help, sizeof help, "did you mean '%s'?", s ? s : "");
		report(el, D_UNKNOWN_PROPERTY, attr_span(el, n, "property"),
		       s ? help : NULL, "component '%s' has no property '%s'",
		       comp, prop);
	} else if (!exact) {
		report(el, D_ELEMENT_CASE, attr_span(el, n, "property"), NULL,
		       "'%s.%s' is spelled '%s.%s' in the catalogue", comp,
		       prop, p->component, p->property);
	}
	if (p) {
		comp = p->component;
		prop = p->property;
	}
	if (sc->op && eset_has_component(el->cat, comp, NULL) &&
	    !eset_op_offers(sc->op, comp))
		report(el, D_COMPONENT_NOT_OFFERED,
		       attr_span(el, n, "component"), NULL,
		       "operation '%s' does not offer component '%s'",
		       sc->op->name, comp);
	if (p && !relation_fits(rel, p))
		report(el, D_RELATION_TYPE, attr_span(el, n, "condition"), NULL,
		       "relation '%s' does not apply to %s.%s, a%s %s property",
		       relation_names[rel], comp, prop,
		       p->type == ET_INT || p->type == ET_ENUM ||
		       p->type == ET_IPV4 || p->type == ET_IPV6 ? "n" : "",
		       eset_type_name(p->type));
	if (!value && rel != REL_ISSET && rel != REL_ISNOTSET &&
	    rel != REL_ISEMPTY && rel != REL_ISNOTEMPTY) {
		report(el, D_BAD_VALUE, sp, NULL, "relation '%s' needs a "
		       "'value' attribute", relation_names[rel]);
		return NULL;
	}
	f = field_for(el, sc, comp, prop, p, attr_span(el, n, "property"));
	if (!f)
		return NULL;
	switch (rel) {
	case REL_ISSET:
		return new_cmp(el, IR_OP_NE, false, f, new_null(el, sp), sp);
	case REL_ISNOTSET:
		return new_cmp(el, IR_OP_EQ, false, f, new_null(el, sp), sp);
	case REL_ISEMPTY:
		return new_cmp(el, IR_OP_EQ, true, f, new_str(el, "", sp), sp);
	case REL_ISNOTEMPTY:
		return and2(el, new_cmp(el, IR_OP_NE, false, f,
					new_null(el, sp), sp),
			    new_cmp(el, IR_OP_NE, true, f, new_str(el, "", sp),
				    sp), sp);
	default:
		break;
	}
	if (p && (p->type == ET_IPV4 || p->type == ET_IPV6) &&
	    (rel == REL_IS || rel == REL_ISNOT)) {
		const char *norm = NULL;
		unsigned fam = parse_cidr(el, value, &norm);
		unsigned want = p->type == ET_IPV4 ? 4 : 6;

		if (!fam) {
			report(el, D_BAD_VALUE, attr_span(el, n, "value"),
			       NULL, "'%s' is not an IPv%u address or network",
			       value, want);
			return NULL;
		}
		if (fam != want) {
			report(el, D_BAD_VALUE, attr_span(el, n, "value"),
			       NULL, "'%s' is an IPv%u value, but %s.%s holds "
			       "IPv%u addresses", value, fam, comp, prop, want);
			return NULL;
		}
		e = new_call(el, FN_CIDRMATCH, false, f,
			     new_str(el, norm, attr_span(el, n, "value")), sp);
	} else {
		if (!typed_value(el, n, p, rel, value, &v))
			return NULL;
		c = new_const(el, &v);
		switch (rel) {
		case REL_IS:
		case REL_ISNOT:
			e = new_cmp(el, IR_OP_EQ, v.type == VT_STRING, f, c,
				    sp);
			break;
		case REL_STARTS:
		case REL_NOTSTARTS:
			e = new_call(el, FN_STARTSWITH, true, f, c, sp);
			break;
		case REL_CONTAINS:
		case REL_NOTCONTAINS:
			e = new_call(el, FN_STRINGCONTAINS, true, f, c, sp);
			break;
		case REL_ENDS:
		case REL_NOTENDS:
			e = new_call(el, FN_ENDSWITH, true, f, c, sp);
			break;
		case REL_LESS:
			return new_cmp(el, IR_OP_LT, false, f, c, sp);
		case REL_LESSOREQUAL:
			return new_cmp(el, IR_OP_LE, false, f, c, sp);
		case REL_GREATER:
			return new_cmp(el, IR_OP_GT, false, f, c, sp);
		case REL_GREATEROREQUAL:
			return new_cmp(el, IR_OP_GE, false, f, c, sp);
		default:
			return NULL;
		}
	}
	switch (rel) {
	case REL_ISNOT:
	case REL_NOTSTARTS:
	case REL_NOTCONTAINS:
	case REL_NOTENDS:
		/* false on a missing property, like every condition */
		return and2(el, new_cmp(el, IR_OP_NE, false, f,
					new_null(el, sp), sp),
			    new_not(el, e, sp), sp);
	default:
		return e;
	}
}

static struct ir_expr *lower_expr(struct eset_lower *el, const xmlNode *n,
				  const struct scope *sc);

/* The expressions among a node's children, combined with `k` (AND for a
 * holder with several, the operator's own kind otherwise). */
static struct ir_expr *
lower_children(struct eset_lower *el, const xmlNode *n,
	       const struct scope *sc, enum ir_kind k)
{
	VEC(struct ir_expr *) vv = VEC_INIT;
	struct ir_expr *e;
	const xmlNode *c;

	for (c = n->children; c; c = c->next) {
		if (c->type != XML_ELEMENT_NODE)
			continue;
		e = lower_expr(el, c, sc);
		if (vec_push(&vv, e) < 0) {
			el->arena->oom = true;
			vec_free(&vv);
			return NULL;
		}
	}
	e = vv.n ? new_logic(el, k, vv.v, vv.n, node_span(el, n)) : NULL;
	vec_free(&vv);
	return e;
}

static struct ir_expr *
lower_expr(struct eset_lower *el, const xmlNode *n, const struct scope *sc)
{
	const char *ty;

	if (named(n, "condition"))
		return lower_condition(el, n, sc);
	if (!named(n, "operator"))
		return NULL;
	ty = attr(el, n, "type");
	if (!ty)
		return NULL;
	if (strcmp(ty, "AND") == 0)
		return lower_children(el, n, sc, IR_AND);
	if (strcmp(ty, "OR") == 0)
		return lower_children(el, n, sc, IR_OR);
	if (strcmp(ty, "NOT") == 0)
		/* NOT of several children: none of them holds */
		return new_not(el, lower_children(el, n, sc, IR_OR),
			       node_span(el, n));
	report(el, D_XML_STRUCTURE, attr_span(el, n, "type"), NULL,
	       "operator type must be AND, OR or NOT, not '%s'", ty);
	return NULL;
}

/* --- the definition ------------------------------------------------------- */

struct holders {
	const xmlNode *process, *parent, *ancestor, *operations, *sequence;
};

static void
find_holders(const xmlNode *def, struct holders *h)
{
	const xmlNode *c;

	memset(h, 0, sizeof *h);
	for (c = def ? def->children : NULL; c; c = c->next) {
		if (named(c, "process"))
			h->process = c;
		else if (named(c, "parentprocess"))
			h->parent = c;
		else if (named(c, "ancestor"))
			h->ancestor = c;
		else if (named(c, "operations"))
			h->operations = c;
		else if (named(c, "sequence"))
			h->sequence = c;
	}
}

static struct ir_expr *
new_ancestor(struct eset_lower *el, unsigned distance, unsigned skip,
	     bool unique, struct ir_expr *sub, struct span sp)
{
	struct ir_expr *e;

	if (!sub)
		return NULL;
	e = ir_new(el->arena, IR_ANCESTOR, VT_BOOL, sp);
	if (e) {
		e->u.anc.distance = distance;
		e->u.anc.skip = skip;
		e->u.anc.unique = unique;
		e->u.anc.sub = sub;
	}
	return e;
}

/* `f in ("a", "b", ...)` for a comma-separated list of values. */
static struct ir_expr *
new_in_list(struct eset_lower *el, struct ir_expr *f, const char *list,
	    struct span sp)
{
	struct ir_expr *e = ir_new(el->arena, IR_IN, VT_BOOL, sp);
	const char *p;
	size_t n = 1, k = 0;

	if (!e)
		return NULL;
	for (p = list; *p; p++)
		n += *p == ',';
	e->u.in.l = f;
	e->u.in.v = ARENA_NEWV(el->arena, struct ir_value, n);
	if (!e->u.in.v)
		return NULL;
	for (p = list; k < n; k++) {
		const char *c = strchr(p, ',');
		size_t len = c ? (size_t)(c - p) : strlen(p);

		e->u.in.v[k].type = VT_STRING;
		e->u.in.v[k].span = sp;
		e->u.in.v[k].u.s.s = arena_strndup(el->arena, p, len);
		e->u.in.v[k].u.s.len = len;
		p = c ? c + 1 : p + len;
	}
	e->u.in.n = n;
	return e;
}

/* The test that an event is of operation `name`: ECS category and type
 * where the operation has them, else rulec's eset.operation field. */
static struct ir_expr *
operation_test(struct eset_lower *el, const struct eset_op *op,
	       const char *name, struct span sp)
{
	struct ir_expr *v[2] = { NULL, NULL };
	struct ir_expr *f;
	size_t i;
	static const struct { const char *field; int which; } parts[] = {
		{ "event.category", 0 }, { "event.type", 1 },
	};

	if (!op || !op->ecs_category || strcmp(op->ecs_category, "-") == 0) {
		f = ir_new(el->arena, IR_FIELD, VT_STRING, sp);
		if (!f)
			return NULL;
		f->u.f.name = "eset.operation";
		f->u.f.src_name = "operation type";
		f->u.f.map = MAP_NONE;
		return new_cmp(el, IR_OP_EQ, false, f,
			       new_str(el, op ? op->name : name, sp), sp);
	}
	for (i = 0; i < 2; i++) {
		const char *val = parts[i].which ? op->ecs_type
						 : op->ecs_category;
		if (!val || strcmp(val, "-") == 0)
			continue;
		f = ir_new(el->arena, IR_FIELD, VT_STRING, sp);
		if (!f)
			return NULL;
		f->u.f.name = parts[i].field;
		f->u.f.src_name = "operation type";
		f->u.f.map = MAP_APPROX;
		f->u.f.def = el->schema ? schema_lookup(el->schema,
			parts[i].field, strlen(parts[i].field)) : NULL;
		f->u.f.array = f->u.f.def && f->u.f.def->array;
		v[i] = strchr(val, ',') ? new_in_list(el, f, val, sp)
				       : new_cmp(el, IR_OP_EQ, false, f,
						 new_str(el, val, sp), sp);
	}
	return new_logic(el, IR_AND, v, 2, sp);
}

static bool
parse_bool_attr(const char *s, bool *b)
{
	if (!s)
		return false;
	if (strcmp(s, "1") == 0 || strcasecmp(s, "true") == 0)
		*b = true;
	else if (strcmp(s, "0") == 0 || strcasecmp(s, "false") == 0)
		*b = false;
	else
		return false;
	return true;
}

/* The condition of one body: the holders and one operation (`opn` may be
 * NULL: any event of the process). */
static struct ir_expr *
lower_body(struct eset_lower *el, const struct holders *h, const xmlNode *opn,
	   bool repeat)
{
	const char *opname = opn ? attr(el, opn, "type") : NULL;
	const struct eset_op *op = NULL;
	bool create = false, exact = true;
	struct scope actor, parent, anc, obj;
	struct ir_expr *v[5] = { NULL, NULL, NULL, NULL, NULL };
	struct span sp = opn ? node_span(el, opn)
			     : h->process ? node_span(el, h->process)
					  : span_make(0, 0);

	if (opname) {
		op = eset_lookup_op(el->cat, opname, &exact);
		if (!op) {
			const char *s = eset_suggest_op(el->cat, opname);
			char help[96];
			snprintf(help, sizeof help, "did you mean '%s'?",
				 s ? s : "");
			report(el, D_UNKNOWN_OPERATION,
			       attr_span(el, opn, "type"), s ? help : NULL,
			       "unknown operation type '%s'", opname);
		} else if (!exact) {
			report(el, D_ELEMENT_CASE, attr_span(el, opn, "type"),
			       NULL, "operation '%s' is spelled '%s' in ESET's "
			       "documentation", opname, op->name);
		}
		create = op && op->object == EO_PROCESS;
	}
	/* CreateProcess events describe the child: the rule's process is
	 * the event's parent, and everything above it moves up a level */
	actor = (struct scope){ EO_PROCESS, create ? "process.parent" : "process",
				NULL, NULL };
	parent = (struct scope){ EO_PROCESS, create ? "process" : "process.parent",
				 NULL, NULL };
	anc = (struct scope){ EO_PROCESS, "process", NULL, NULL };
	obj = (struct scope){ op ? op->object : EO_OTHER, "process", op,
			      opname };
	el->quiet = repeat;
	if (h->process)
		v[0] = lower_children(el, h->process, &actor, IR_AND);
	if (h->parent) {
		struct ir_expr *pe = lower_children(el, h->parent,
						    create ? &anc : &parent,
						    IR_AND);
		v[1] = create ? new_ancestor(el, 2, 0, false, pe,
					     node_span(el, h->parent))
			      : pe;
	}
	if (h->ancestor) {
		const char *ds = attr(el, h->ancestor, "distance");
		const char *us = attr(el, h->ancestor, "unique");
		int64_t d = 0;
		bool unique = false;
		struct ir_expr *ae = lower_children(el, h->ancestor, &anc,
						    IR_AND);

		if (ds && (!parse_int(ds, &d) || d < 1 || d > 1000)) {
			report(el, D_BAD_VALUE,
			       attr_span(el, h->ancestor, "distance"), NULL,
			       "ancestor distance must be a positive integer, "
			       "not '%s'", ds);
			d = 0;
		}
		if (us && !parse_bool_attr(us, &unique))
			report(el, D_BAD_VALUE,
			       attr_span(el, h->ancestor, "unique"), NULL,
			       "ancestor unique must be true or false, not "
			       "'%s'", us);
		v[2] = d ? new_ancestor(el, (unsigned)d + (create ? 1 : 0), 0,
					unique, ae, node_span(el, h->ancestor))
			 : new_ancestor(el, 0, create ? 1 : 0, unique, ae,
					node_span(el, h->ancestor));
	}
	el->quiet = false;
	if (opn) {
		v[3] = operation_test(el, op, opname ? opname : "?", sp);
		v[4] = lower_children(el, opn, &obj, IR_AND);
	}
	return new_logic(el, IR_AND, v, 5, sp);
}

/* A definition without a sequence: the OR over its operations. */
static struct ir_expr *
lower_definition(struct eset_lower *el, const struct holders *h)
{
	VEC(struct ir_expr *) vv = VEC_INIT;
	struct ir_expr *e;
	const xmlNode *c;
	struct ir_value t;

	for (c = h->operations ? h->operations->children : NULL; c;
	     c = c->next) {
		if (!named(c, "operation"))
			continue;
		/* the holders repeat in every body: their diagnostics come
		 * from the first; an operation's own part is reported by
		 * lower_body outside the quiet stretch */
		e = lower_body(el, h, c, vv.n > 0);
		if (vec_push(&vv, e) < 0)
			goto nomem;
	}
	if (vv.n == 0) {
		e = lower_body(el, h, NULL, false);
		if (vec_push(&vv, e) < 0)
			goto nomem;
	}
	e = new_logic(el, IR_OR, vv.v, vv.n, h->operations
		      ? node_span(el, h->operations) : span_make(0, 0));
	vec_free(&vv);
	if (e)
		return e;
	/* no condition at all: every event */
	memset(&t, 0, sizeof t);
	t.type = VT_BOOL;
	t.u.b = true;
	return new_const(el, &t);
nomem:
	el->arena->oom = true;
	vec_free(&vv);
	return NULL;
}

/* "1m", "30s", "2h", "1d", "500ms" in milliseconds; -1 if malformed. */
static int64_t
parse_span(const char *s)
{
	char *end;
	long long n;

	errno = 0;
	n = strtoll(s, &end, 10);
	if (errno || end == s || n <= 0)
		return -1;
	if (strcmp(end, "ms") == 0)
		return n;
	if (strcmp(end, "s") == 0 || *end == '\0')
		return n * 1000;
	if (strcmp(end, "m") == 0)
		return n * 60000;
	if (strcmp(end, "h") == 0)
		return n * 3600000;
	if (strcmp(end, "d") == 0)
		return n * 86400000;
	return -1;
}

/* A keyed field for aggregateOn. */
static struct ir_expr *
aggregate_key(struct eset_lower *el, const xmlNode *n)
{
	static const struct { const char *name, *ecs; } keys[] = {
		{ "Computer", "host.id" },
		{ "Process", "process.entity_id" },
		{ "ParentProcess", "process.parent.entity_id" },
	};
	const char *name = attr(el, n, "name");
	struct ir_expr *f;
	size_t i;

	for (i = 0; name && i < 3; i++)
		if (strcasecmp(name, keys[i].name) == 0) {
			f = ir_new(el->arena, IR_FIELD, VT_STRING,
				     attr_span(el, n, "name"));
			if (!f)
				return NULL;
			f->u.f.name = keys[i].ecs;
			f->u.f.src_name = keys[i].name;
			f->u.f.map = MAP_APPROX;
			f->u.f.def = el->schema ? schema_lookup(el->schema,
				keys[i].ecs, strlen(keys[i].ecs)) : NULL;
			return f;
		}
	report(el, D_BAD_VALUE, attr_span(el, n, "name"), "aggregateOn takes "
	       "Computer, Process or ParentProcess", "unknown aggregateOn "
	       "property '%s'", name ? name : "");
	return NULL;
}

static bool
lower_sequence(struct eset_lower *el, const xmlNode *seq, struct ir_query *q)
{
	const char *count = attr(el, seq, "count");
	const char *span = attr(el, seq, "maxSpan");
	const xmlNode *c, *agg = NULL;
	struct ir_expr *keys[8];
	size_t nkeys = 0, nst = 0, i;
	int64_t cnt;

	q->kind = Q_SEQUENCE;
	q->repeat = 1;
	if (count) {
		if (!parse_int(count, &cnt) || cnt < 1 || cnt > 1000000)
			report(el, D_BAD_VALUE, attr_span(el, seq, "count"),
			       NULL, "sequence count must be a positive "
			       "integer, not '%s'", count);
		else
			q->repeat = (unsigned)cnt;
	}
	if (span) {
		q->maxspan_ms = parse_span(span);
		q->maxspan_span = attr_span(el, seq, "maxSpan");
		if (q->maxspan_ms < 0)
			report(el, D_BAD_VALUE, q->maxspan_span, "write a "
			       "number and a unit: 500ms, 30s, 1m, 2h, 1d",
			       "'%s' is not a duration", span);
	}
	for (c = seq->children; c; c = c->next) {
		if (named(c, "detection"))
			nst++;
		else if (named(c, "aggregateOn"))
			agg = c;
	}
	for (c = agg ? agg->children : NULL; c && nkeys < 8; c = c->next)
		if (named(c, "property"))
			keys[nkeys++] = aggregate_key(el, c);
	q->stages = ARENA_NEWV(el->arena, struct ir_stage, nst ? nst : 1);
	if (!q->stages)
		return false;
	for (c = seq->children, i = 0; c; c = c->next) {
		const xmlNode *d;
		struct holders h;
		struct ir_stage *st;

		if (!named(c, "detection"))
			continue;
		st = &q->stages[i++];
		for (d = c->children; d && !named(d, "definition"); d = d->next)
			;
		find_holders(d, &h);
		st->span = node_span(el, c);
		st->runs = 1;
		st->cond = lower_definition(el, &h);
		st->nkeys = st->nshared = nkeys;
		if (nkeys) {
			st->keys = ARENA_NEWV(el->arena, struct ir_expr *,
					      nkeys);
			if (!st->keys)
				return false;
			memcpy(st->keys, keys, nkeys * sizeof *keys);
		}
	}
	q->nstages = i;
	return true;
}

/* --- metadata ------------------------------------------------------------- */

/* An ESET rule's id: the bracketed suffix of its name ("Title [A0504b]"),
 * else its guid; NULL if neither. */
static const char *
rule_id_of(struct arena *a, const char *name, const char *guid)
{
	if (name) {
		const char *e = name + strlen(name);
		const char *b = e > name && e[-1] == ']' ? strrchr(name, '[')
							 : NULL;
		if (b && e - b > 2)
			return arena_strndup(a, b + 1, (size_t)(e - b - 2));
	}
	return guid;
}

static void
read_description(struct eset_lower *el, const xmlNode *desc,
		 struct rule_meta *m)
{
	const xmlNode *c;

	for (c = desc->children; c; c = c->next) {
		const char *s;

		if (c->type != XML_ELEMENT_NODE)
			continue;
		s = text_of(el, c);
		if (named(c, "name")) {
			m->name = s;
			m->name_span = node_span(el, c);
		}
		else if (named(c, "category"))
			m->category = s;
		else if (named(c, "os"))
			m->os = s;
		else if (named(c, "guid"))
			m->guid = s;
		else if (named(c, "explanation"))
			m->explanation = s;
		else if (named(c, "maliciousCauses"))
			m->malicious_causes = s;
		else if (named(c, "benignCauses"))
			m->benign_causes = s;
		else if (named(c, "recommendedActions"))
			m->recommended_actions = s;
		else if (named(c, "severity") && s) {
			int64_t v;
			m->severity = s;
			m->severity_span = node_span(el, c);
			if (parse_int(s, &v)) {
				m->risk_score = (double)v;
				m->has_risk_score = true;
			} else {
				report(el, D_BAD_VALUE, node_span(el, c), NULL,
				       "severity must be a whole number, not "
				       "'%s'", s);
			}
		} else if (named(c, "mitreattackid") && s) {
			/* comma-separated technique ids */
			const char *p = s;
			m->mitre_span = node_span(el, c);
			size_t n = 1, k = 0;
			for (; *p; p++)
				n += *p == ',';
			m->mitre = ARENA_NEWV(el->arena, const char *, n);
			for (p = s; m->mitre && *p;) {
				const char *e = strchr(p, ',');
				size_t len = e ? (size_t)(e - p) : strlen(p);
				while (len && isspace((unsigned char)*p))
					p++, len--;
				while (len && isspace((unsigned char)p[len - 1]))
					len--;
				if (len)
					m->mitre[k++] = arena_strndup(el->arena,
								      p, len);
				if (!e)
					break;
				p = e + 1;
			}
			m->nmitre = k;
		}
	}
	m->id = rule_id_of(el->arena, m->name, m->guid);
	m->exclusion = m->category && strcasecmp(m->category, "Exclusion") == 0;
}

static void
add_action(struct eset_lower *el, struct rule_meta *m, const xmlNode *n,
	   const char *name, bool legacy, size_t cap)
{
	const struct eset_action *a;
	bool exact = true;
	struct rule_action *ra;
	struct span sp = legacy ? node_span(el, n) : attr_span(el, n, "name");

	if (!name || m->nactions >= cap)
		return;
	ra = &m->actions[m->nactions++];
	ra->name = name;
	ra->value = attr(el, n, "value");
	ra->span = sp;
	ra->legacy = legacy;
	if (legacy) {
		char *help = arena_printf(el->arena, "write <actions><action "
					  "name=\"%s\"/></actions>", name);
		report(el, D_LEGACY_ACTION, sp, help, "legacy action form "
		       "<action>%s</action>", name);
	}
	a = eset_lookup_action(el->cat, name, &exact);
	if (!a) {
		const char *s = eset_suggest_action(el->cat, name);
		char help[96];
		snprintf(help, sizeof help, "did you mean '%s'?", s ? s : "");
		report(el, D_UNKNOWN_ACTION, sp, s ? help : NULL,
		       "unknown action '%s'", name);
	} else if (!exact) {
		report(el, D_ELEMENT_CASE, sp, NULL, "action '%s' is spelled "
		       "'%s' in ESET's documentation", name, a->name);
	}
}

static void
read_actions(struct eset_lower *el, const xmlNode *root, struct rule_meta *m)
{
	const xmlNode *c, *a;
	size_t cap = 0;

	for (c = root->children; c; c = c->next) {
		if (named(c, "action"))
			cap++;
		else if (named(c, "actions"))
			for (a = c->children; a; a = a->next)
				cap += named(a, "action");
	}
	if (!cap)
		return;
	m->actions = ARENA_NEWV(el->arena, struct rule_action, cap);
	if (!m->actions)
		return;
	for (c = root->children; c; c = c->next) {
		if (named(c, "action"))
			add_action(el, m, c, text_of(el, c), true, cap);
		else if (named(c, "actions"))
			for (a = c->children; a; a = a->next)
				if (named(a, "action"))
					add_action(el, m, a,
						   attr(el, a, "name"), false,
						   cap);
	}
}

void
eset_rule_ident(struct arena *a, xmlDoc *doc, const char **id,
		const char **name)
{
	const xmlNode *root = xmlDocGetRootElement(doc), *c, *d;
	struct eset_lower el;
	const char *guid = NULL;

	memset(&el, 0, sizeof el);
	el.arena = a;
	*id = *name = NULL;
	if (!root || !named(root, "rule"))
		return;
	for (c = root->children; c; c = c->next)
		if (named(c, "description"))
			for (d = c->children; d; d = d->next) {
				if (named(d, "name"))
					*name = text_of(&el, d);
				else if (named(d, "guid"))
					guid = text_of(&el, d);
			}
	*id = rule_id_of(a, *name, guid);
}

void
eset_lower_rule(struct eset_lower *el, xmlDoc *doc, struct rc_rule *r)
{
	const xmlNode *root = xmlDocGetRootElement(doc), *c, *def = NULL;
	struct holders h;
	struct ir_query *q;
	unsigned before = el->errors;

	if (!root || !named(root, "rule"))
		return;
	r->meta.doc = *el->text;
	r->meta.span = node_span(el, root);
	for (c = root->children; c; c = c->next) {
		if (named(c, "description"))
			read_description(el, c, &r->meta);
		else if (named(c, "definition"))
			def = c;
		else if (named(c, "maliciousTarget")) {
			r->meta.malicious_target = attr(el, c, "name");
			r->meta.target_span = attr_span(el, c, "name");
		}
	}
	read_actions(el, root, &r->meta);
	q = ARENA_NEW(el->arena, struct ir_query);
	if (!q)
		return;
	q->maxspan_ms = -1;
	q->repeat = 1;
	q->span = node_span(el, root);
	find_holders(def, &h);
	if (h.sequence) {
		if (!lower_sequence(el, h.sequence, q))
			return;
	} else {
		q->kind = Q_EVENT;
		q->nstages = 1;
		q->stages = ARENA_NEW(el->arena, struct ir_stage);
		if (!q->stages)
			return;
		q->stages->runs = 1;
		q->stages->span = def ? node_span(el, def) : q->span;
		q->stages->cond = lower_definition(el, &h);
	}
	if (el->errors == before && !el->arena->oom)
		r->ir = q;
}
