/*
 * to_eset.c - the IR printed as an ESET Inspect <rule> document (see
 * convert.h; the verdicts are listed in docs/convert.md).
 *
 * Design note.  ESET's definition is a few holders joined by AND: the
 * process that acts (<process>), its parent (<parentprocess>), an
 * ancestor, and the operations (OR), each holding one expression.  An
 * event stage of the IR is taken apart along that shape:
 *   1. its condition is split into conjuncts (top-level AND; for a rule
 *      written in ESET one level only, which is what the lowering built,
 *      so that printing it back gives the same IR);
 *   2. the conjuncts testing event.category / event.type (and rulec's
 *      eset.operation) choose the operation, together with the stage's
 *      category: for an ESET rule by the catalogue (the same ECS pair),
 *      for EQL by the table `op_rows` below, which knows that ESET raises
 *      TcpIpConnect for outbound connections only and so on;
 *   3. every other conjunct goes to the holder its fields name:
 *      process.* to <process> (to the CreateProcess operation, whose
 *      components describe the child), process.parent.* to
 *      <parentprocess> (to <process> for CreateProcess), other fields to
 *      the operation; a conjunct naming two holders cannot be written
 *      (ESET joins holders by AND) and is refused;
 *   4. each conjunct is printed into a small tree of ESET expressions
 *      (struct xn), where each atom gets its verdict through conv_loss;
 *      dropped atoms become constants, folded away before printing.
 * Fields map back through the catalogue's ECS rows (schemas/eset-ecs.tsv)
 * for the holder's kind of object; a field read from an ESET rule keeps
 * its Component.Property (src_name) and is printed as it was.  EQL's
 * `!=`, `not in` and `not` become ESET's NOT operator, which is true on an
 * event without the property just as rulec's EQL reading is; ESET's own
 * `isnot` (false there) is only printed for its lowering's shape
 * AND(f != null, NOT(...)).  The EQL parent/child sequence (a process
 * start joined by process.entity_id to a start joined by
 * process.parent.entity_id) becomes one CreateProcess definition.
 * Nothing here reports except through conv_loss.
 */
#include "convert/convert.h"
#include "convert/meta.h"

#include <ctype.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>
#include <strings.h>

/* --- ESET expressions --------------------------------------------------- */

enum xk { X_TRUE, X_FALSE, X_COND, X_AND, X_OR, X_NOT };

struct xn {
	enum xk k;
	const char *comp, *prop, *rel, *value;  /* X_COND; value may be NULL */
	struct xn **v;                          /* AND, OR; NOT: v[0] */
	size_t n;
};

static struct xn xtrue = { X_TRUE, NULL, NULL, NULL, NULL, NULL, 0 };
static struct xn xfalse = { X_FALSE, NULL, NULL, NULL, NULL, NULL, 0 };

static struct xn *
xconst(bool b)
{
	return b ? &xtrue : &xfalse;
}

static struct xn *
xcond(struct conv *c, const char *comp, const char *prop, const char *rel,
      const char *value)
{
	struct xn *x = ARENA_NEW(c->arena, struct xn);

	if (!x)
		return &xtrue;
	x->k = X_COND;
	x->comp = comp;
	x->prop = prop;
	x->rel = rel;
	x->value = value;
	return x;
}

static struct xn *
xnot(struct conv *c, struct xn *a)
{
	struct xn *x;

	if (a->k == X_TRUE || a->k == X_FALSE)
		return xconst(a->k == X_FALSE);
	x = ARENA_NEW(c->arena, struct xn);
	if (!x || !(x->v = ARENA_NEWV(c->arena, struct xn *, 1)))
		return &xtrue;
	x->k = X_NOT;
	x->v[0] = a;
	x->n = 1;
	return x;
}

/* AND or OR of n expressions with the constants folded: the neutral one
 * drops out, the absorbing one wins; one left is returned itself. */
static struct xn *
xlist(struct conv *c, enum xk k, struct xn **v, size_t n)
{
	enum xk unit = k == X_AND ? X_TRUE : X_FALSE;
	struct xn *x;
	size_t i, m = 0;

	for (i = 0; i < n; i++) {
		if (v[i]->k == unit)
			continue;
		if (v[i]->k == X_TRUE || v[i]->k == X_FALSE)
			return v[i];
		v[m++] = v[i];
	}
	if (m == 0)
		return xconst(unit == X_TRUE);
	if (m == 1)
		return v[0];
	x = ARENA_NEW(c->arena, struct xn);
	if (!x || !(x->v = ARENA_NEWV(c->arena, struct xn *, m)))
		return &xtrue;
	x->k = k;
	memcpy(x->v, v, m * sizeof *v);
	x->n = m;
	return x;
}

/* Text for an attribute value or element content.  XML 1.0 cannot carry
 * other control characters at all. */
static void
put_xml_text(struct strbuf *sb, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		switch (ch) {
		case '&': sb_puts(sb, "&amp;"); break;
		case '<': sb_puts(sb, "&lt;"); break;
		case '>': sb_puts(sb, "&gt;"); break;
		case '"': sb_puts(sb, "&quot;"); break;
		case '\t': sb_puts(sb, "&#9;"); break;
		case '\n': sb_puts(sb, "&#10;"); break;
		case '\r': sb_puts(sb, "&#13;"); break;
		default: sb_putc(sb, (char)ch); break;
		}
	}
}

static void
put_xml(struct strbuf *sb, const char *s)
{
	put_xml_text(sb, s, strlen(s));
}

static bool
xml_safe(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r')
			return false;
	}
	return true;
}

static void
indent(struct strbuf *sb, unsigned depth)
{
	sb_fill(sb, ' ', depth * 2);
}

/* Prints x (no constants left in it: the holders fold them first). */
static void
xprint(struct strbuf *sb, const struct xn *x, unsigned depth)
{
	size_t i;

	indent(sb, depth);
	if (x->k == X_COND) {
		sb_puts(sb, "<condition component=\"");
		put_xml(sb, x->comp);
		sb_puts(sb, "\" property=\"");
		put_xml(sb, x->prop);
		sb_printf(sb, "\" condition=\"%s\"", x->rel);
		if (x->value) {
			sb_puts(sb, " value=\"");
			put_xml(sb, x->value);
			sb_putc(sb, '"');
		}
		sb_puts(sb, "/>\n");
		return;
	}
	sb_printf(sb, "<operator type=\"%s\">\n", x->k == X_AND ? "AND"
			  : x->k == X_OR ? "OR" : "NOT");
	for (i = 0; i < x->n; i++)
		xprint(sb, x->v[i], depth + 1);
	indent(sb, depth);
	sb_puts(sb, "</operator>\n");
}

/* An expression that no event satisfies, for a holder whose condition
 * folded to false (only a rule written `where false` gets there). */
static struct xn *
xnever(struct conv *c)
{
	struct xn *v[2];

	v[0] = xcond(c, "DateTime", "Hour", "isset", NULL);
	v[1] = xcond(c, "DateTime", "Hour", "isnotset", NULL);
	return xlist(c, X_AND, v, 2);
}

/* A holder element: nothing for a holder that is always true. */
static void
put_holder(struct conv *c, struct strbuf *sb, const char *open,
	   const char *close, struct xn *x, unsigned depth, bool keep_empty)
{
	if (x && x->k == X_FALSE)
		x = xnever(c);
	if (!x || x->k == X_TRUE) {
		if (keep_empty) {
			indent(sb, depth);
			sb_printf(sb, "%.*s/>\n", (int)strlen(open) - 1, open);
		}
		return;
	}
	indent(sb, depth);
	sb_puts(sb, open);
	sb_putc(sb, '\n');
	xprint(sb, x, depth + 1);
	indent(sb, depth);
	sb_puts(sb, close);
	sb_putc(sb, '\n');
}

/* --- the context of a walk ---------------------------------------------- */

/* Where conditions are being printed. */
struct tctx {
	struct conv *c;
	bool eset_src;                  /* the rule was written in ESET */
	enum eset_object obj;           /* what the holder's components describe */
	const struct eset_op *op;       /* the operation (NULL: a process holder) */
};

static const char *
field_label(const struct ir_expr *f)
{
	return f->u.f.src_name ? f->u.f.src_name : f->u.f.name;
}

static bool
has_prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

/* A refused construct: reported, and the constant that replaces it. */
static struct xn *
refuse(struct tctx *t, struct span sp, const char *what)
{
	conv_loss(t->c, CONV_REFUSED, sp, "%s", what);
	return xconst(conv_drop_constant(t->c));
}

/* --- fields -------------------------------------------------------------- */

/* The ESET property a field is printed as. */
struct pref {
	const char *comp, *prop;
	const struct eset_prop *p;
	const struct eset_map *m;       /* NULL for a field read from ESET */
};

static bool
map_matches(const struct eset_map *m, enum eset_object obj, const char *rel,
	    const char *abs, unsigned fam)
{
	if (!m->ecs || m->exact == EX_NONE || m->object != obj)
		return false;
	if (m->tr != TR_NONE || (m->ipfam && m->ipfam != fam))
		return false;
	if (has_prefix(m->ecs, "{p}."))
		return rel && strcmp(m->ecs + 4, rel) == 0;
	return !rel && strcmp(m->ecs, abs) == 0;
}

/* Network's Source/Destination addresses describe firewall detections
 * (the Detection operation); a connection's remote peer is IpAddressV4/6. */
static bool
firewall_only(const struct eset_prop *p, const struct eset_op *op)
{
	return strcmp(p->component, "Network") == 0 &&
	       (has_prefix(p->property, "Source") ||
		has_prefix(p->property, "Destination")) &&
	       !(op && strcmp(op->name, "Detection") == 0);
}

/* The property that holds field f for the holder of t (fam: the address
 * family of the value, 0 when not an address).  Exact rows first. */
static bool
map_field(struct tctx *t, const struct ir_expr *f, unsigned fam,
	  struct pref *r)
{
	const struct eset_catalog *cat = t->c->eset;
	const char *name = f->u.f.name, *rel = NULL, *dot;
	size_t i, j, pass;

	memset(r, 0, sizeof *r);
	if (t->eset_src && f->u.f.map != MAP_SAME && f->u.f.src_name &&
	    (dot = strchr(f->u.f.src_name, '.')) != NULL) {
		r->comp = arena_strndup(t->c->arena, f->u.f.src_name,
					(size_t)(dot - f->u.f.src_name));
		r->prop = dot + 1;
		r->p = cat ? eset_lookup_prop(cat, r->comp, r->prop, NULL)
			   : NULL;
		return r->comp != NULL;
	}
	if (!cat || !name)
		return false;
	if (has_prefix(name, "process.parent."))
		rel = name + strlen("process.parent.");
	else if (has_prefix(name, "process."))
		rel = name + strlen("process.");
	for (pass = 0; pass < 2; pass++)
		for (i = 0; i < eset_prop_count(cat); i++) {
			const struct eset_prop *p = eset_prop_at(cat, i);
			for (j = 0; j < p->nmaps; j++) {
				const struct eset_map *m = &p->maps[j];
				bool ok;
				if ((m->exact == EX_EXACT) != (pass == 0))
					continue;
				if (m->object == EO_EVENT)
					ok = map_matches(m, EO_EVENT, NULL,
							 name, fam);
				else
					ok = map_matches(m, t->obj,
						t->obj == EO_PROCESS ? rel
								     : NULL,
						name, fam);
				if (!ok || (t->op && t->obj != EO_PROCESS &&
					    !eset_op_offers(t->op,
							    p->component)))
					continue;
				if (t->op && t->obj == EO_PROCESS &&
				    !eset_op_offers(t->op, p->component))
					continue;
				if (firewall_only(p, t->op))
					continue;
				r->comp = p->component;
				r->prop = p->property;
				r->p = p;
				r->m = m;
				return true;
			}
		}
	return false;
}

static const char *
object_words(enum eset_object o)
{
	switch (o) {
	case EO_PROCESS: return "a process";
	case EO_FILE: return "a file";
	case EO_DLL: return "a loaded library";
	case EO_NETWORK: return "a connection";
	case EO_DNS: return "a DNS query";
	default: return "this operation";
	}
}

/* --- atoms --------------------------------------------------------------- */

/* Whether case can matter to a comparison with s: it has a letter (or a
 * byte of a non-ASCII character, which may have case too). */
static bool
has_case(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (isalpha((unsigned char)s[i]) || (unsigned char)s[i] >= 0x80)
			return true;
	return false;
}

static bool
is_path_prop(const struct pref *r)
{
	return r->prop && (strcmp(r->prop, "FullPath") == 0 ||
			   strcmp(r->prop, "Path") == 0);
}

/* The verdict of an approximate ECS row for this relation, with its
 * reason; the rows whose difference rulec can name get their own. */
static enum conv_dir
approx_dir(struct tctx *t, const struct pref *r, const char *rel,
	   const struct ir_expr *f, const char **why)
{
	bool positive_text = strcmp(rel, "is") == 0 ||
			     strcmp(rel, "starts") == 0;

	*why = r->m->note;
	if (is_path_prop(r)) {
		*why = "ESET may hold the path with a placeholder such as "
		       "%SYSTEM% where ECS spells it out";
		return positive_text ? CONV_NARROWER : CONV_EXACT;
	}
	if (strcmp(r->comp, "Network") == 0 && t->op &&
	    (strcmp(t->op->name, "TcpIpConnect") == 0 ||
	     strcmp(t->op->name, "HttpRequest") == 0) &&
	    (has_prefix(r->prop, "IpAddressV") ||
	     strcmp(r->prop, "Port") == 0))
		return CONV_EXACT;      /* outbound: the remote peer */
	if (strcmp(r->prop, "Extension") == 0) {
		*why = "ESET shows an NTFS alternate data stream as part of "
		       "the extension";
		return strcmp(rel, "isset") == 0 ||
		       strcmp(rel, "isnotset") == 0 ? CONV_EXACT
						    : CONV_NARROWER;
	}
	if (strcmp(r->comp, "SystemInfo") == 0 &&
	    strcmp(r->prop, "SystemType") == 0) {
		/* eset_lower.c reads the property back as a field of its
		 * own: only <os> stands for host.os.type */
		*why = "ESET names the system where ECS has host.os.type; "
		       "read back, the property is a field of its own (only "
		       "<os> stands for host.os.type)";
		return CONV_UNRELATED;
	}
	if (r->p && r->p->type == ET_ENUM && vtype_numeric(f->type))
		return CONV_EXACT;      /* ESET reads the constant's name */
	if (r->p && r->p->type == ET_ENUM) {
		/* as eset_lower.c reads it back: the property's numbers are
		 * not the field's names, so it becomes a field of its own */
		*why = "ESET holds numbers where the ECS field holds names; "
		       "read back, the property is a field of its own";
	}
	return CONV_UNRELATED;
}

/* The value of an atom as ESET text (arena), or NULL after refusing. */
static const char *
value_text(struct tctx *t, const struct ir_value *v, const struct pref *r,
	   struct span sp, const char *label)
{
	struct conv *c = t->c;
	enum eset_type ty = r->p ? r->p->type : ET_OTHER;

	if (t->eset_src)        /* as it was written */
		ty = ET_OTHER;
	switch (v->type) {
	case VT_STRING:
		if (!xml_safe(v->u.s.s, v->u.s.len)) {
			refuse(t, sp, arena_printf(c->arena, "a value of `%s` "
				"holds a control character, which XML cannot "
				"carry", label));
			return NULL;
		}
		if (ty == ET_INT || ty == ET_BOOL) {
			refuse(t, sp, arena_printf(c->arena, "`%s` compares "
				"text, but %s.%s holds %s", label, r->comp,
				r->prop, eset_type_name(ty)));
			return NULL;
		}
		if (ty == ET_ENUM) {
			int64_t x;
			const char *s = arena_strndup(c->arena, v->u.s.s,
						      v->u.s.len);
			if (s && strcmp(r->comp, "SystemInfo") == 0 &&
			    strcmp(r->prop, "SystemType") == 0) {
				if (strcasecmp(s, "windows") == 0)
					return "Windows";
				if (strcasecmp(s, "macos") == 0)
					return "macos";
			}
			if (!s || !eset_const_lookup(r->p, s, &x)) {
				refuse(t, sp, arena_printf(c->arena, "\"%s\" "
					"of `%s` is not a value of %s.%s",
					s ? s : "", label, r->comp, r->prop));
				return NULL;
			}
			return s;
		}
		return arena_strndup(c->arena, v->u.s.s, v->u.s.len);
	case VT_LONG:
		if (ty == ET_BOOL && (v->u.i == 0 || v->u.i == 1))
			return v->u.i ? "true" : "false";
		if (ty == ET_STRING || ty == ET_PATH || ty == ET_BOOL ||
		    ty == ET_IPV4 || ty == ET_IPV6)
			break;
		return arena_printf(c->arena, "%" PRId64, v->u.i);
	case VT_DOUBLE:
		if ((ty == ET_INT || ty == ET_ENUM) && v->u.d == floor(v->u.d)
		    && fabs(v->u.d) < 9e15)
			return arena_printf(c->arena, "%.0f", v->u.d);
		break;
	case VT_BOOL:
		if (ty != ET_BOOL && ty != ET_OTHER)
			break;
		return v->u.b ? "true" : "false";
	default:
		break;
	}
	refuse(t, sp, arena_printf(c->arena, "`%s` compares a %s value, but "
		"%s.%s holds %s", label, vtype_name(v->type), r->comp,
		r->prop, eset_type_name(ty)));
	return NULL;
}

/* Whether ESET's relation applies to the property's type. */
static bool
rel_fits(const char *rel, const struct eset_prop *p)
{
	bool text = p->type == ET_STRING || p->type == ET_PATH;
	bool num = p->type == ET_INT || p->type == ET_ENUM;

	if (p->type == ET_OTHER)
		return true;
	if (strcmp(rel, "starts") == 0 || strcmp(rel, "ends") == 0)
		return text;
	if (strcmp(rel, "contains") == 0)
		return text || p->set;
	if (strcmp(rel, "less") == 0 || strcmp(rel, "lessOrEqual") == 0 ||
	    strcmp(rel, "greater") == 0 || strcmp(rel, "greaterOrEqual") == 0)
		return num;
	return true;
}

/* process.args and process.parent.args, whose elements are the words of
 * the command line: a test of one of them becomes CommandLine contains
 * (broader). */
static bool
args_field(struct tctx *t, const struct ir_expr *f, const char *rel,
	   const struct ir_value *v, struct pref *r)
{
	const struct eset_prop *p;

	if (t->eset_src || !v || v->type != VT_STRING || v->u.s.len == 0 ||
	    (strcmp(rel, "is") != 0 && strcmp(rel, "starts") != 0 &&
	     strcmp(rel, "ends") != 0 && strcmp(rel, "contains") != 0) ||
	    t->obj != EO_PROCESS ||
	    (strcmp(f->u.f.name, "process.args") != 0 &&
	     strcmp(f->u.f.name, "process.parent.args") != 0))
		return false;
	p = eset_lookup_prop(t->c->eset, "ProcessInfo", "CommandLine", NULL);
	if (!p || (t->op && !eset_op_offers(t->op, "ProcessInfo")))
		return false;
	memset(r, 0, sizeof *r);
	r->comp = p->component;
	r->prop = p->property;
	r->p = p;
	return true;
}

/* One condition: field f, relation rel, value v (NULL for isset &co).
 * cs: the original was case-sensitive (ESET never is).  The field's
 * mapping and the case get their verdicts here. */
static struct xn *
atom(struct tctx *t, struct span sp, const struct ir_expr *f,
     const char *rel, const struct ir_value *v, bool cs)
{
	struct conv *c = t->c;
	const char *label, *val = NULL, *why;
	unsigned fam = 0;
	struct pref r;
	enum conv_dir d;

	if (f && f->kind == IR_CALL)
		return refuse(t, sp, arena_printf(c->arena, "`%s()` has no "
			"ESET form", fn_table[f->u.call.fn].name));
	if (f && (f->kind == IR_ARITH || f->kind == IR_NEG))
		return refuse(t, sp, "arithmetic has no ESET form");
	if (!f || f->kind != IR_FIELD)
		return refuse(t, sp, "a comparison of a computed value has no "
			      "ESET form");
	label = field_label(f);
	if (v && v->type == VT_STRING && f->type == VT_IP) {
		const char *s = arena_strndup(c->arena, v->u.s.s, v->u.s.len);
		fam = s && strchr(s, ':') ? 6 : 4;
	}
	if (!map_field(t, f, fam, &r) && args_field(t, f, rel, v, &r)) {
		conv_loss(c, CONV_UNRELATED, sp, "`%s` (one argument) became "
			  "ProcessInfo.CommandLine contains: another field, "
			  "where the text may stand anywhere (broader where "
			  "an event records both; an event may record the "
			  "arguments without the command line)", label);
		rel = "contains";
	} else if (!r.comp)
		return refuse(t, sp, arena_printf(c->arena, "`%s` has no ESET "
			"property%s%s", label, t->obj != EO_PROCESS
			? " in " : " for ", t->obj != EO_PROCESS && t->op
			? t->op->name : object_words(t->obj)));
	if (r.p && !t->eset_src && !rel_fits(rel, r.p))
		return refuse(t, sp, arena_printf(c->arena, "ESET's `%s` does "
			"not apply to %s.%s (%s), which holds `%s`", rel,
			r.comp, r.prop, eset_type_name(r.p->type), label));
	if (v && !(val = value_text(t, v, &r, sp, label)))
		return xconst(conv_drop_constant(c));
	if (r.m && r.m->exact == EX_APPROX) {
		d = approx_dir(t, &r, rel, f, &why);
		if (d != CONV_EXACT)
			conv_loss(c, d, sp, "`%s` became %s.%s: %s", label,
				  r.comp, r.prop, why ? why : "approximate");
	}
	if (cs && v && v->type == VT_STRING && r.p &&
	    (r.p->type == ET_STRING || r.p->type == ET_PATH) &&
	    has_case(v->u.s.s, v->u.s.len))
		conv_loss(c, CONV_BROADER, sp, "the test of `%s` is "
			  "case-sensitive, ESET's `%s` is not", label, rel);
	return xcond(c, r.comp, r.prop, rel, val);
}

/* `NOT(atom)`, the atom's verdict taken under the NOT. */
static struct xn *
neg_atom(struct tctx *t, struct span sp, const struct ir_expr *f,
	 const char *rel, const struct ir_value *v, bool cs)
{
	struct xn *x;

	t->c->negs++;
	x = atom(t, sp, f, rel, v, cs);
	t->c->negs--;
	return xnot(t->c, x);
}

static const struct ir_value *
const_of(const struct ir_expr *e)
{
	return e && e->kind == IR_CONST ? &e->u.c : NULL;
}

static struct xn *
cmp_x(struct tctx *t, const struct ir_expr *e)
{
	static const char *const rels[] = {
		"is", "isnot", "less", "lessOrEqual", "greater",
		"greaterOrEqual"
	};
	static const enum ir_op flip[] = {
		IR_OP_EQ, IR_OP_NE, IR_OP_GT, IR_OP_GE, IR_OP_LT, IR_OP_LE
	};
	const struct ir_expr *f = e->u.cmp.l, *k = e->u.cmp.r;
	enum ir_op op = e->u.cmp.op;
	const struct ir_value *v;
	bool cs = !e->u.cmp.ci;

	if (f && f->kind == IR_CONST) {
		f = e->u.cmp.r;
		k = e->u.cmp.l;
		op = flip[op];
	}
	v = const_of(k);
	if (!v)
		return refuse(t, e->span, "a comparison of two fields or of a "
			      "computed value has no ESET form");
	if (v->type == VT_NULL) {
		if (op == IR_OP_EQ)
			return atom(t, e->span, f, "isnotset", NULL, false);
		if (op == IR_OP_NE)
			return atom(t, e->span, f, "isset", NULL, false);
		return xconst(false);   /* an ordering with null never holds */
	}
	if (op == IR_OP_NE)     /* true without the field, as ESET's NOT */
		return neg_atom(t, e->span, f, "is", v, cs);
	return atom(t, e->span, f, rels[op], v, cs);
}

static struct xn *
in_x(struct tctx *t, const struct ir_expr *e)
{
	struct xn **v = ARENA_NEWV(t->c->arena, struct xn *,
				   e->u.in.n ? e->u.in.n : 1);
	struct xn *x;
	size_t i;

	if (!v)
		return &xtrue;
	if (e->u.in.neg)
		t->c->negs++;
	for (i = 0; i < e->u.in.n; i++)
		v[i] = atom(t, e->u.in.v[i].span, e->u.in.l, "is",
			    &e->u.in.v[i], !e->u.in.ci);
	x = xlist(t->c, X_OR, v, e->u.in.n);
	if (e->u.in.neg) {
		t->c->negs--;
		x = xnot(t->c, x);
	}
	return x;
}

static struct ir_value
str_value(const char *s, size_t n, struct span sp)
{
	struct ir_value v;

	memset(&v, 0, sizeof v);
	v.type = VT_STRING;
	v.span = sp;
	v.u.s.s = s;
	v.u.s.len = n;
	return v;
}

/* One wildcard pattern: `v`, `v*`, `*v`, `*v*` exactly; other patterns
 * as starts/contains/ends of their literal pieces (broader: the order
 * and the lengths of the gaps are lost); only wildcards: isset. */
static struct xn *
pattern_x(struct tctx *t, const struct ir_expr *e, const struct ir_value *pv)
{
	const char *s = pv->u.s.s;
	size_t n = pv->u.s.len, i, start, npieces = 0, nwild = 0;
	bool lead, trail, cs = !e->u.match.ci;
	struct xn *v[64];
	struct ir_value lit;

	for (i = 0; i < n; i++)
		nwild += s[i] == '*' || s[i] == '?';
	if (nwild == n)
		return atom(t, pv->span, e->u.match.l, "isset", NULL, false);
	lead = s[0] == '*';
	trail = s[n - 1] == '*';
	if (nwild == (size_t)lead + (size_t)(trail && n > 1)) {
		lit = str_value(s + lead, n - lead - (trail && n > 1),
				pv->span);
		return atom(t, pv->span, e->u.match.l, lead && trail
			    ? "contains" : lead ? "ends" : trail ? "starts"
			    : "is", &lit, cs);
	}
	for (i = 0, start = 0; i <= n && npieces < 64; i++) {
		if (i < n && s[i] != '*' && s[i] != '?')
			continue;
		if (i > start) {
			const char *rel = start == 0 ? "starts"
					  : i == n ? "ends" : "contains";
			lit = str_value(s + start, i - start, pv->span);
			v[npieces++] = atom(t, pv->span, e->u.match.l, rel,
					    &lit, cs);
		}
		start = i + 1;
	}
	conv_loss(t->c, CONV_BROADER, pv->span, "the pattern \"%.*s\" became "
		  "tests of its literal parts (ESET has no wildcards)",
		  (int)n, s);
	return xlist(t->c, X_AND, v, npieces);
}

/* A Lucene regex that is a literal with optional `.*` at either end:
 * the relation and the literal (arena); false for anything else. */
static bool
regex_reduce(struct conv *c, const char *s, size_t n, const char **rel,
	     char **lit, size_t *litn)
{
	bool lead = n >= 2 && s[0] == '.' && s[1] == '*';
	bool trail = n >= (size_t)(2 + 2 * lead) && s[n - 2] == '.' && s[n - 1] == '*'
		     && !(n >= 3 && s[n - 3] == '\\');
	size_t i, m = 0;
	char *out = arena_alloc(c->arena, n + 1);

	if (!out)
		return false;
	for (i = lead ? 2 : 0; i < n - (trail ? 2 : 0); i++) {
		char ch = s[i];
		if (ch == '\\') {
			if (++i >= n - (trail ? 2 : 0) ||
			    isalnum((unsigned char)s[i]))
				return false;
			out[m++] = s[i];
			continue;
		}
		if (strchr(".?+*|{}[]()\"\\#@&<>~", ch))
			return false;
		out[m++] = ch;
	}
	if (m == 0)
		return false;
	*rel = lead && trail ? "contains" : lead ? "ends" : trail ? "starts"
							     : "is";
	*lit = out;
	*litn = m;
	return true;
}

static struct xn *
match_x(struct tctx *t, const struct ir_expr *e)
{
	struct xn **v = ARENA_NEWV(t->c->arena, struct xn *,
				   e->u.match.n ? e->u.match.n : 1);
	size_t i;

	if (!v)
		return &xtrue;
	for (i = 0; i < e->u.match.n; i++) {
		const struct ir_value *pv = &e->u.match.v[i];
		const char *rel;
		char *lit;
		size_t litn;
		struct ir_value lv;

		if (pv->type != VT_STRING || pv->u.s.len == 0) {
			v[i] = pv->type == VT_STRING
				       ? atom(t, pv->span, e->u.match.l, "is",
					      pv, false)
				       : refuse(t, pv->span, "a pattern that is "
						"not a string");
			continue;
		}
		if (e->u.match.mode == MATCH_WILDCARD) {
			v[i] = pattern_x(t, e, pv);
			continue;
		}
		if (!regex_reduce(t->c, pv->u.s.s, pv->u.s.len, &rel, &lit,
				  &litn)) {
			v[i] = refuse(t, pv->span, arena_printf(t->c->arena,
				"the regular expression \"%.*s\" has no ESET "
				"form (ESET has is, starts, ends and contains)",
				(int)pv->u.s.len, pv->u.s.s));
			continue;
		}
		lv = str_value(lit, litn, pv->span);
		v[i] = atom(t, pv->span, e->u.match.l, rel, &lv,
			    !e->u.match.ci);
	}
	return xlist(t->c, X_OR, v, e->u.match.n);
}

static struct xn *
call_x(struct tctx *t, const struct ir_expr *e)
{
	const struct ir_expr *f = e->u.call.n ? e->u.call.args[0] : NULL;
	const struct ir_value *v = e->u.call.n > 1
					   ? const_of(e->u.call.args[1]) : NULL;
	const char *rel = NULL;
	struct xn **xs;
	size_t i;

	switch (e->u.call.fn) {
	case FN_STARTSWITH: rel = "starts"; break;
	case FN_ENDSWITH: rel = "ends"; break;
	case FN_STRINGCONTAINS: rel = "contains"; break;
	case FN_CIDRMATCH:
		xs = ARENA_NEWV(t->c->arena, struct xn *, e->u.call.n);
		if (!xs)
			return &xtrue;
		for (i = 1; i < e->u.call.n; i++) {
			v = const_of(e->u.call.args[i]);
			xs[i - 1] = v && v->type == VT_STRING
				? atom(t, e->u.call.args[i]->span, f, "is", v,
				       false)
				: refuse(t, e->u.call.args[i]->span,
					 "a cidrMatch range that is not a "
					 "literal");
		}
		return xlist(t->c, X_OR, xs, e->u.call.n - 1);
	default:
		return refuse(t, e->span, arena_printf(t->c->arena, "`%s()` "
			"has no ESET form", fn_table[e->u.call.fn].name));
	}
	if (!v)
		return refuse(t, e->span, arena_printf(t->c->arena, "`%s()` "
			"with a computed argument has no ESET form",
			fn_table[e->u.call.fn].name));
	return atom(t, e->span, f, rel, v, !e->u.call.ci);
}

/* The relation of an ESET-shaped test negated: isnot, notstarts... */
static const char *
negated_rel(const struct ir_expr *e)
{
	if (e->kind == IR_CMP && e->u.cmp.op == IR_OP_EQ &&
	    !(const_of(e->u.cmp.r) && const_of(e->u.cmp.r)->type == VT_NULL))
		return "isnot";
	if (e->kind != IR_CALL || e->u.call.n != 2)
		return NULL;
	switch (e->u.call.fn) {
	case FN_CIDRMATCH: return "isnot";
	case FN_STARTSWITH: return "notstarts";
	case FN_ENDSWITH: return "notends";
	case FN_STRINGCONTAINS: return "notcontains";
	default: return NULL;
	}
}

static const struct ir_expr *
tested_field(const struct ir_expr *e)
{
	if (e->kind == IR_CMP)
		return e->u.cmp.l;
	if (e->kind == IR_CALL && e->u.call.n)
		return e->u.call.args[0];
	return NULL;
}

static bool
same_field(const struct ir_expr *a, const struct ir_expr *b)
{
	return a && b && a->kind == IR_FIELD && b->kind == IR_FIELD &&
	       strcmp(a->u.f.name, b->u.f.name) == 0;
}

/* AND(f != null, NOT(test of f)) and AND(f != null, f != ""): ESET's
 * isnot & co. and isnotempty (which need the property); NULL if e is
 * not of that shape. */
static struct xn *
required_x(struct tctx *t, const struct ir_expr *e)
{
	const struct ir_expr *a, *b, *f;
	const struct ir_value *v;
	const char *rel;

	if (e->kind != IR_AND || e->u.list.n != 2)
		return NULL;
	a = e->u.list.v[0];
	b = e->u.list.v[1];
	if (!a || !b || a->kind != IR_CMP || a->u.cmp.op != IR_OP_NE ||
	    !(v = const_of(a->u.cmp.r)) || v->type != VT_NULL)
		return NULL;
	f = a->u.cmp.l;
	if (b->kind == IR_CMP && b->u.cmp.op == IR_OP_NE &&
	    same_field(f, b->u.cmp.l) && (v = const_of(b->u.cmp.r)) &&
	    v->type == VT_STRING && v->u.s.len == 0)
		return atom(t, e->span, f, "isnotempty", NULL, false);
	if (b->kind != IR_NOT || !b->u.sub || !(rel = negated_rel(b->u.sub)) ||
	    !same_field(f, tested_field(b->u.sub)))
		return NULL;
	b = b->u.sub;
	v = b->kind == IR_CMP ? const_of(b->u.cmp.r)
			      : const_of(b->u.call.args[1]);
	if (!v)
		return NULL;
	/* the verdicts of the test are taken under its NOT */
	{
		struct xn *x;
		bool cs = b->kind == IR_CMP ? !b->u.cmp.ci : !b->u.call.ci;
		t->c->negs++;
		x = atom(t, b->span, f, rel, v, cs);
		t->c->negs--;
		return x;
	}
}

static struct xn *expr_x(struct tctx *t, const struct ir_expr *e);

static struct xn *
list_x(struct tctx *t, const struct ir_expr *e)
{
	struct xn **v = ARENA_NEWV(t->c->arena, struct xn *,
				   e->u.list.n ? e->u.list.n : 1);
	struct xn *x;
	size_t i;

	if (e->kind == IR_AND && (x = required_x(t, e)) != NULL)
		return x;
	if (!v)
		return &xtrue;
	for (i = 0; i < e->u.list.n; i++)
		v[i] = expr_x(t, e->u.list.v[i]);
	return xlist(t->c, e->kind == IR_AND ? X_AND : X_OR, v, e->u.list.n);
}

static struct xn *
expr_x(struct tctx *t, const struct ir_expr *e)
{
	struct xn *x;

	if (!e)
		return &xtrue;
	switch (e->kind) {
	case IR_CONST:
		if (e->u.c.type == VT_BOOL)
			return xconst(e->u.c.u.b);
		return refuse(t, e->span, "a constant condition that is not "
			      "true or false");
	case IR_AND:
	case IR_OR:
		return list_x(t, e);
	case IR_NOT:
		t->c->negs++;
		x = expr_x(t, e->u.sub);
		t->c->negs--;
		return xnot(t->c, x);
	case IR_CMP:
		return cmp_x(t, e);
	case IR_IN:
		return in_x(t, e);
	case IR_MATCH:
		return match_x(t, e);
	case IR_CALL:
		return call_x(t, e);
	case IR_FIELD:
		if (e->type == VT_BOOL) {
			struct ir_value tv;
			memset(&tv, 0, sizeof tv);
			tv.type = VT_BOOL;
			tv.u.b = true;
			return atom(t, e->span, e, "is", &tv, false);
		}
		return refuse(t, e->span, "a field used as a condition");
	case IR_ARITH:
	case IR_NEG:
		return refuse(t, e->span, "arithmetic has no ESET form");
	case IR_ANCESTOR:
		return refuse(t, e->span, "an ancestor test inside an operator "
			      "has no ESET form");
	}
	return refuse(t, e->span, "this expression has no ESET form");
}

/* --- conjuncts and holders ----------------------------------------------- */

/* What the fields of a conjunct name. */
enum {
	L_SELF = 1,             /* process.* */
	L_PARENT = 2,           /* process.parent.* */
	L_OBJECT = 4,           /* the operation's object */
	L_EVENT = 8,            /* the event (time, host): any holder */
	L_ANC = 16              /* an ancestor test */
};

static bool
event_field(const struct conv *c, const struct ir_expr *f)
{
	const struct eset_catalog *cat = c->eset;
	size_t i, j;

	if (f->u.f.map != MAP_SAME && f->u.f.src_name &&
	    (has_prefix(f->u.f.src_name, "DateTime.") ||
	     has_prefix(f->u.f.src_name, "SystemInfo.") ||
	     has_prefix(f->u.f.src_name, "EnterpriseInspector.")))
		return true;
	for (i = 0; cat && i < eset_prop_count(cat); i++) {
		const struct eset_prop *p = eset_prop_at(cat, i);
		for (j = 0; j < p->nmaps; j++)
			if (p->maps[j].object == EO_EVENT && p->maps[j].ecs &&
			    strcmp(p->maps[j].ecs, f->u.f.name) == 0)
				return true;
	}
	return false;
}

static unsigned
levels(const struct conv *c, const struct ir_expr *e)
{
	unsigned m = 0;
	size_t i;

	if (!e)
		return 0;
	switch (e->kind) {
	case IR_FIELD:
		if (has_prefix(e->u.f.name, "process.parent."))
			return L_PARENT;
		if (has_prefix(e->u.f.name, "process."))
			return L_SELF;
		return event_field(c, e) ? L_EVENT : L_OBJECT;
	case IR_AND:
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			m |= levels(c, e->u.list.v[i]);
		return m;
	case IR_NOT:
	case IR_NEG:
		return levels(c, e->u.sub);
	case IR_CMP:
		return levels(c, e->u.cmp.l) | levels(c, e->u.cmp.r);
	case IR_ARITH:
		return levels(c, e->u.arith.l) | levels(c, e->u.arith.r);
	case IR_IN:
		return levels(c, e->u.in.l);
	case IR_MATCH:
		return levels(c, e->u.match.l);
	case IR_CALL:
		for (i = 0; i < e->u.call.n; i++)
			m |= levels(c, e->u.call.args[i]);
		return m;
	case IR_ANCESTOR:
		return L_ANC;
	default:
		return 0;
	}
}

#define MAX_CONJ 256
#define MAX_OPS 8

struct conjs {
	const struct ir_expr *v[MAX_CONJ];
	size_t n;
	bool overflow;
};

static void
flatten(const struct ir_expr *e, bool deep, bool top, struct conjs *cj)
{
	size_t i;

	if (e && e->kind == IR_AND && (deep || top)) {
		for (i = 0; i < e->u.list.n; i++)
			flatten(e->u.list.v[i], deep, false, cj);
		return;
	}
	if (!e)
		return;
	if (cj->n < MAX_CONJ)
		cj->v[cj->n++] = e;
	else
		cj->overflow = true;
}

/* The definition being built. */
enum holder { H_PROCESS, H_PARENT, H_ANCESTOR, H_OP, H__N };

/* The expressions gathered for one holder, joined by AND at the end. */
struct xacc {
	struct xn **v;
	size_t n, cap;
};

struct def {
	struct xacc acc[H__N], opacc[MAX_OPS];
	struct xn *h[H__N];
	unsigned anc_distance;          /* 0: any level */
	bool anc_unique, has_anc;
	const struct eset_op *ops[MAX_OPS];
	struct xn *opx[MAX_OPS];
	size_t nops;
	const char *os;                 /* <os> of the description */
};

/* --- operations ------------------------------------------------------------ */

static bool
op_field(const struct ir_expr *f)
{
	return f && f->kind == IR_FIELD &&
	       (strcmp(f->u.f.name, "event.category") == 0 ||
		strcmp(f->u.f.name, "event.type") == 0 ||
		strcmp(f->u.f.name, "eset.operation") == 0);
}

/* The values an operation test allows: event.category, event.type and
 * eset.operation compared for equality (==, in, or `:` without
 * wildcards); false for other conjuncts. */
struct optest {
	const char *cat, *types[8], *name;
	size_t ntypes;
	bool bad;                       /* a shape of no operation test */
	bool cats;                      /* several categories allowed */
	bool ci;                        /* compared ignoring case */
};

static void
add_optest_value(struct optest *o, const struct ir_expr *f,
		 const struct ir_value *v, struct arena *a)
{
	const char *s;

	if (v->type != VT_STRING || !(s = arena_strndup(a, v->u.s.s,
							 v->u.s.len))) {
		o->bad = true;
		return;
	}
	if (strcmp(f->u.f.name, "event.category") == 0) {
		if (o->cat && strcmp(o->cat, s) != 0)
			o->cats = true;
		o->cat = s;
	} else if (strcmp(f->u.f.name, "eset.operation") == 0)
		o->name = s;
	else if (o->ntypes < 8)
		o->types[o->ntypes++] = s;
}

static bool
read_optest(const struct ir_expr *e, struct optest *o, struct arena *a)
{
	size_t i;

	switch (e->kind) {
	case IR_AND:
		for (i = 0; i < e->u.list.n; i++)
			if (!read_optest(e->u.list.v[i], o, a))
				return false;
		return true;
	case IR_CMP:
		if (e->u.cmp.op != IR_OP_EQ || !op_field(e->u.cmp.l) ||
		    !const_of(e->u.cmp.r))
			return false;
		o->ci |= e->u.cmp.ci;
		add_optest_value(o, e->u.cmp.l, const_of(e->u.cmp.r), a);
		return true;
	case IR_IN:
		if (e->u.in.neg || !op_field(e->u.in.l) ||
		    strcmp(e->u.in.l->u.f.name, "event.type") != 0)
			return false;
		o->ci |= e->u.in.ci;
		for (i = 0; i < e->u.in.n; i++)
			add_optest_value(o, e->u.in.l, &e->u.in.v[i], a);
		return true;
	case IR_MATCH:
		if (e->u.match.mode != MATCH_WILDCARD ||
		    !op_field(e->u.match.l))
			return false;
		o->ci |= e->u.match.ci;
		for (i = 0; i < e->u.match.n; i++) {
			const struct ir_value *v = &e->u.match.v[i];
			if (v->type != VT_STRING ||
			    memchr(v->u.s.s, '*', v->u.s.len) ||
			    memchr(v->u.s.s, '?', v->u.s.len))
				return false;
			add_optest_value(o, e->u.match.l, v, a);
		}
		return true;
	default:
		return false;
	}
}

/* Whether an operation's ECS type list is exactly the set types. */
static bool
types_equal(const char *list, const char *const *types, size_t n)
{
	size_t i, count = 0;
	const char *p = list;

	if (!list || strcmp(list, "-") == 0)
		return n == 0;
	for (;;) {
		const char *e = strchr(p, ',');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		bool found = false;
		for (i = 0; i < n; i++)
			if (strlen(types[i]) == len &&
			    strncmp(types[i], p, len) == 0)
				found = true;
		if (!found)
			return false;
		count++;
		if (!e)
			break;
		p = e + 1;
	}
	return count == n;
}

/* The components an operation must offer for the conjuncts (ESET
 * source: the Component of each field of the operation holder). */
static bool
offers_all(const struct eset_op *op, const struct ir_expr *e)
{
	size_t i;
	const char *dot;

	if (!e)
		return true;
	switch (e->kind) {
	case IR_FIELD:
		if (e->u.f.map == MAP_SAME || !e->u.f.src_name ||
		    !(dot = strchr(e->u.f.src_name, '.')))
			return true;
		{
			char comp[64];
			size_t n = (size_t)(dot - e->u.f.src_name);
			if (n >= sizeof comp)
				return false;
			memcpy(comp, e->u.f.src_name, n);
			comp[n] = '\0';
			return eset_op_offers(op, comp);
		}
	case IR_AND:
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			if (!offers_all(op, e->u.list.v[i]))
				return false;
		return true;
	case IR_NOT:
		return offers_all(op, e->u.sub);
	case IR_CMP:
		return offers_all(op, e->u.cmp.l) && offers_all(op, e->u.cmp.r);
	case IR_IN:
		return offers_all(op, e->u.in.l);
	case IR_MATCH:
		return offers_all(op, e->u.match.l);
	case IR_CALL:
		for (i = 0; i < e->u.call.n; i++)
			if (!offers_all(op, e->u.call.args[i]))
				return false;
		return true;
	default:
		return true;
	}
}

/* An ESET rule's operation from its ECS test: the catalogue's operations
 * with that category and type list that offer every component used;
 * the one offering fewest components (the plainest) wins. */
static const struct eset_op *
op_from_catalogue(const struct conv *c, const struct optest *o,
		  const struct conjs *cj, size_t at)
{
	const struct eset_op *best = NULL;
	size_t i, k;

	if (o->name)
		return eset_lookup_op(c->eset, o->name, NULL);
	for (i = 0; o->cat && i < eset_op_count(c->eset); i++) {
		const struct eset_op *op = eset_op_at(c->eset, i);
		bool ok = op->ecs_category &&
			  strcmp(op->ecs_category, o->cat) == 0 &&
			  types_equal(op->ecs_type, o->types, o->ntypes);
		for (k = at + 1; ok && k < cj->n; k++)
			ok = offers_all(op, cj->v[k]);
		if (ok && (!best || op->ncomponents < best->ncomponents))
			best = op;
	}
	return best;
}

/* EQL event categories and types as ESET operations.  type NULL: the
 * stage has no event.type test.  "network/dns" and "network/http": a
 * network stage testing dns.* or url.* fields. */
static const struct op_row {
	const char *cat, *type, *ops;
	enum conv_dir dir;
	const char *why;
} op_rows[] = {
	{ "process", "start", "CreateProcess", CONV_EXACT, NULL },
	{ "process", "process_started", "CreateProcess", CONV_NARROWER,
	  "ESET's CreateProcess is an event of type \"start\" "
	  "(schemas/eset-operations.tsv); events typed \"process_started\" "
	  "(older Elastic Endpoint data) are not" },
	{ "process", NULL, "CreateProcess", CONV_NARROWER,
	  "`process where` without an event.type test also matches process "
	  "ends; ESET's CreateProcess is raised for starts only" },
	{ "network", "start", "TcpIpConnect", CONV_NARROWER,
	  "`network where` became TcpIpConnect, which ESET raises for "
	  "outbound TCP connections only" },
	{ "network", "connection", "TcpIpConnect", CONV_NARROWER,
	  "`network where` became TcpIpConnect, which ESET raises for "
	  "outbound TCP connections only" },
	{ "network", NULL, "TcpIpConnect", CONV_NARROWER,
	  "`network where` became TcpIpConnect, which ESET raises for "
	  "outbound TCP connections only" },
	{ "network/dns", NULL, "DnsRequest", CONV_NARROWER,
	  "the stage tests no event.type; ESET's DnsRequest is an event of "
	  "one type (schemas/eset-operations.tsv), which the original does "
	  "not require" },
	{ "network/http", NULL, "HttpRequest", CONV_NARROWER,
	  "ESET's HttpRequest covers HTTP requests the host makes only" },
	{ "dns", NULL, "DnsRequest", CONV_NARROWER,
	  "the stage tests no event.type; ESET's DnsRequest is an event of "
	  "one type (schemas/eset-operations.tsv), which the original does "
	  "not require" },
	{ "file", "creation", "WriteFile", CONV_BROADER,
	  "ESET's WriteFile is also raised for changes of existing files" },
	{ "file", "change", "WriteFile,RenameFile", CONV_BROADER,
	  "ESET's WriteFile is also raised when a file is created" },
	{ "file", "deletion", "DeleteFile", CONV_EXACT, NULL },
	{ "file", "access", "ReadFile", CONV_NARROWER,
	  "ESET raises ReadFile for monitored files only" },
	{ "file", NULL, "WriteFile,RenameFile,DeleteFile", CONV_NARROWER,
	  "file events other than writes, renames and deletions (reads, "
	  "...) have no ESET operation" },
	{ "library", NULL, "LoadDLL", CONV_NARROWER,
	  "the stage tests no event.type; ESET's LoadDLL is an event of "
	  "one type (schemas/eset-operations.tsv), which the original does "
	  "not require" },
	{ "library", "start", "LoadDLL", CONV_EXACT, NULL },
	{ "driver", NULL, "LoadDriver", CONV_NARROWER,
	  "the stage tests no event.type; ESET's LoadDriver is an event of "
	  "one type (schemas/eset-operations.tsv), which the original does "
	  "not require" },
	{ "driver", "start", "LoadDriver", CONV_EXACT, NULL },
	{ "authentication", "start", "UserLogin", CONV_EXACT, NULL },
	{ "authentication", "end", "UserLogout", CONV_EXACT, NULL },
	{ "authentication", NULL, "UserLogin,UserLogout", CONV_NARROWER,
	  "authentication events other than logons and logoffs (failed "
	  "attempts, ...) have no ESET operation" },
	{ "iam", "creation", "UserCreate", CONV_NARROWER,
	  "ESET reports the creation of user accounts, not of groups" },
	{ "iam", "deletion", "UserRemove", CONV_NARROWER,
	  "ESET reports the removal of user accounts, not of groups" },
	{ "iam", "change", "UserActivate,UserDisable,UserAddToGroup,"
	  "UserRemoveFromGroup", CONV_NARROWER,
	  "ESET reports enabling and disabling accounts and group "
	  "membership changes only" },
	{ "configuration", "creation", "ServiceInstalled", CONV_NARROWER,
	  "ESET's ServiceInstalled covers installed services only" },
};

static const struct op_row *
find_row(const char *cat, const char *type)
{
	size_t i;

	for (i = 0; i < sizeof op_rows / sizeof op_rows[0]; i++)
		if (strcmp(op_rows[i].cat, cat) == 0 &&
		    (type ? op_rows[i].type && strcmp(op_rows[i].type, type)
						       == 0
			  : !op_rows[i].type))
			return &op_rows[i];
	return NULL;
}

static bool
uses_prefix(const struct ir_expr *e, const char *prefix)
{
	size_t i;

	if (!e)
		return false;
	switch (e->kind) {
	case IR_FIELD:
		return has_prefix(e->u.f.name, prefix);
	case IR_AND:
	case IR_OR:
		for (i = 0; i < e->u.list.n; i++)
			if (uses_prefix(e->u.list.v[i], prefix))
				return true;
		return false;
	case IR_NOT:
		return uses_prefix(e->u.sub, prefix);
	case IR_CMP:
		return uses_prefix(e->u.cmp.l, prefix) ||
		       uses_prefix(e->u.cmp.r, prefix);
	case IR_IN:
		return uses_prefix(e->u.in.l, prefix);
	case IR_MATCH:
		return uses_prefix(e->u.match.l, prefix);
	case IR_CALL:
		for (i = 0; i < e->u.call.n; i++)
			if (uses_prefix(e->u.call.args[i], prefix))
				return true;
		return false;
	default:
		return false;
	}
}

static void
add_ops(struct conv *c, struct def *d, const char *list)
{
	const char *p = list;

	for (;;) {
		const char *e = strchr(p, ',');
		char *name = arena_strndup(c->arena, p, e ? (size_t)(e - p)
							  : strlen(p));
		const struct eset_op *op = name && c->eset
			? eset_lookup_op(c->eset, name, NULL) : NULL;
		size_t i;
		bool dup = false;

		for (i = 0; i < d->nops; i++)
			dup |= d->ops[i] == op;
		if (op && !dup && d->nops < MAX_OPS)
			d->ops[d->nops++] = op;
		if (!e)
			break;
		p = e + 1;
	}
}

/* The operations of an EQL stage (category `cat`, NULL for `any`) from
 * the table, each verdict reported at `sp`. */
static void
ops_from_table(struct conv *c, struct def *d, const char *cat,
	       const struct optest *o, const struct ir_expr *cond,
	       struct span sp, struct span test_sp)
{
	static const struct optest none;
	const struct op_row *row;
	size_t i, known = 0;

	if (o->cats) {
		conv_loss(c, CONV_REFUSED, test_sp, "a test of several event "
			  "categories (rulec converts a stage of one "
			  "category)");
		if (!c->drop)
			return;
		o = &none;      /* the test dropped: any event */
	}
	if (o->cat && cat && strcmp(o->cat, cat) != 0) {
		conv_loss(c, CONV_REFUSED, test_sp, "event.category \"%s\" in "
			  "a `%s where` stage", o->cat, cat);
		return;
	}
	if (!cat)
		cat = o->cat;
	if (!cat) {
		conv_loss(c, CONV_UNRELATED, sp, "`any where` became a "
			  "definition without operations (any event of the "
			  "process); for a process start ECS describes the "
			  "started process, ESET the one acting");
		return;
	}
	if (strcmp(cat, "network") == 0 && uses_prefix(cond, "dns."))
		cat = "network/dns";
	else if (strcmp(cat, "network") == 0 && uses_prefix(cond, "url."))
		cat = "network/http";
	for (i = 0; i < o->ntypes; i++) {
		row = find_row(cat, o->types[i]);
		if (!row)
			continue;
		known++;
		add_ops(c, d, row->ops);
		if (row->dir != CONV_EXACT)
			conv_loss(c, row->dir, sp, "%s", row->why);
	}
	for (i = 0; known && i < o->ntypes; i++)
		if (!find_row(cat, o->types[i]))
			conv_loss(c, CONV_NARROWER, test_sp, "ESET has no "
				  "operation for `%s` events of type \"%s\", "
				  "which the original also matches", cat,
				  o->types[i]);
	if (o->ntypes && !known) {
		conv_loss(c, CONV_REFUSED, test_sp, "ESET has no operation for "
			  "`%s` events of type \"%s\"", cat, o->types[0]);
		if (!c->drop)
			return;
	}
	if (known)
		return;
	row = find_row(cat, NULL);
	if (!row) {
		conv_loss(c, CONV_REFUSED, sp, "ESET Inspect has no operation "
			  "for `%s` events", cat);
		return;
	}
	add_ops(c, d, row->ops);
	if (row->dir != CONV_EXACT)
		conv_loss(c, row->dir, sp, "%s", row->why);
}

static void
acc_push(struct conv *c, struct xacc *a, struct xn *x)
{
	if (a->n == a->cap) {
		size_t cap = a->cap ? 2 * a->cap : 8;
		struct xn **v = ARENA_NEWV(c->arena, struct xn *, cap);
		if (!v)
			return;
		if (a->n)
			memcpy(v, a->v, a->n * sizeof *v);
		a->v = v;
		a->cap = cap;
	}
	a->v[a->n++] = x;
}

static struct xn *
acc_and(struct conv *c, const struct xacc *a)
{
	struct xn **v;

	if (!a->n)
		return NULL;
	v = ARENA_NEWV(c->arena, struct xn *, a->n);
	if (!v)
		return &xtrue;
	memcpy(v, a->v, a->n * sizeof *v);
	return xlist(c, X_AND, v, a->n);
}

/* The holders' expressions from what was gathered. */
static void
finish(struct conv *c, struct def *d)
{
	size_t i;

	for (i = 0; i < H__N; i++)
		d->h[i] = acc_and(c, &d->acc[i]);
	for (i = 0; i < d->nops; i++)
		d->opx[i] = acc_and(c, &d->opacc[i]);
}

static bool
is_create(const struct def *d)
{
	return d->nops && d->ops[0]->object == EO_PROCESS;
}

/* --- one event stage --------------------------------------------------------- */

/* host.os.type == "windows" (or `:` without wildcards) as <os>. */
static const char *
os_of(const struct ir_expr *e)
{
	const struct ir_value *v = NULL;
	const struct ir_expr *f = NULL;
	static const char *const names[][2] = {
		{ "windows", "Windows" }, { "linux", "Linux" },
		{ "macos", "macOS" },
	};
	size_t i;

	if (e->kind == IR_CMP && e->u.cmp.op == IR_OP_EQ) {
		f = e->u.cmp.l;
		v = const_of(e->u.cmp.r);
	} else if (e->kind == IR_MATCH && e->u.match.mode == MATCH_WILDCARD &&
		   e->u.match.n == 1) {
		f = e->u.match.l;
		v = &e->u.match.v[0];
		if (v->type == VT_STRING && (memchr(v->u.s.s, '*', v->u.s.len)
					     || memchr(v->u.s.s, '?',
						       v->u.s.len)))
			return NULL;
	}
	if (!f || f->kind != IR_FIELD || !v || v->type != VT_STRING ||
	    f->u.f.map != MAP_SAME || strcmp(f->u.f.name, "host.os.type"))
		return NULL;
	for (i = 0; i < 3; i++)
		if (strlen(names[i][0]) == v->u.s.len &&
		    strncmp(names[i][0], v->u.s.s, v->u.s.len) == 0)
			return names[i][1];
	return NULL;
}

/* <os> says on which systems ESET runs the rule; it is not a test of
 * the event, so events of other systems (as a replay feeds them) match. */
static void
os_loss(struct conv *c, const struct ir_expr *e)
{
	conv_loss(c, CONV_BROADER, e->span, "`host.os.type` became <os>: "
		  "ESET runs the rule on that system's agents, but tests no "
		  "property of the event, so events of other systems match "
		  "wherever they are read together");
}

/* Adds conjunct e to holder h, printed for that holder. */
static void
add_to(struct conv *c, struct def *d, enum holder h, const struct ir_expr *e,
       bool eset_src)
{
	struct tctx t = { c, eset_src, EO_PROCESS, NULL };
	struct xn *x;
	size_t i;

	if (h == H_OP) {
		if (!d->nops) {
			refuse(&t, e->span, "a condition on the event's object "
			       "with no ESET operation to hold it");
			return;
		}
		t.op = d->ops[0];
		t.obj = d->ops[0]->object;
		x = expr_x(&t, e);
		for (i = 0; i < d->nops; i++)
			acc_push(c, &d->opacc[i], x);
		return;
	}
	if (is_create(d))
		t.op = d->ops[0];       /* its process components */
	else if (d->nops && d->ops[0]->object != EO_PROCESS)
		t.op = NULL;
	acc_push(c, &d->acc[h], expr_x(&t, e));
}

/* An ESET rule's ancestor test, placed in <parentprocess> or <ancestor>. */
static void
add_ancestor(struct conv *c, struct def *d, const struct ir_expr *e)
{
	unsigned dist = e->u.anc.distance, skip = e->u.anc.skip;
	bool create = is_create(d);
	struct tctx t = { c, true, EO_PROCESS, NULL };
	struct xn *x;

	if (create && dist == 2 && !e->u.anc.unique && !d->acc[H_PARENT].n) {
		acc_push(c, &d->acc[H_PARENT], expr_x(&t, e->u.anc.sub));
		return;
	}
	if (d->has_anc || (create && dist == 1) || skip != (create && !dist)) {
		refuse(&t, e->span, "a second ancestor test, or one ESET's "
		       "<ancestor> cannot state");
		return;
	}
	x = expr_x(&t, e->u.anc.sub);
	d->has_anc = true;
	d->anc_distance = dist ? dist - create : 0;
	d->anc_unique = e->u.anc.unique;
	acc_push(c, &d->acc[H_ANCESTOR], x);
}

/* Where a conjunct goes, or H__N when its fields name two holders. */
static enum holder
holder_of(unsigned lv, bool create, bool after_op, bool has_op)
{
	unsigned places = 0;
	enum holder h = H__N;

	if (lv & L_SELF) {
		h = create ? H_OP : H_PROCESS;
		places |= 1u << h;
	}
	if (lv & L_PARENT) {
		h = create ? H_PROCESS : H_PARENT;
		places |= 1u << h;
	}
	if (lv & L_OBJECT) {
		h = H_OP;
		places |= 1u << h;
	}
	if (places == 0)
		return after_op && has_op ? H_OP : H_PROCESS;
	return (places & (places - 1)) ? H__N : h;
}

/* The conjuncts of one body placed into d (the operation chosen). */
static void
place(struct conv *c, struct def *d, const struct conjs *cj,
      const bool *skip, size_t optest_at, bool eset_src, bool create_ctx)
{
	size_t i;

	for (i = 0; i < cj->n; i++) {
		const struct ir_expr *e = cj->v[i];
		unsigned lv;
		enum holder h;
		const char *os;

		if (skip[i])
			continue;
		if (!eset_src && (os = os_of(e)) != NULL &&
		    (!d->os || strcmp(d->os, os) == 0)) {
			d->os = os;
			os_loss(c, e);
			continue;
		}
		lv = levels(c, e);
		if (lv & L_ANC) {
			if (e->kind == IR_ANCESTOR && lv == L_ANC)
				add_ancestor(c, d, e);
			else
				conv_loss(c, CONV_REFUSED, e->span, "an "
					  "ancestor test mixed with other "
					  "conditions");
			continue;
		}
		h = holder_of(lv, create_ctx, i > optest_at, d->nops > 0);
		if (h == H__N) {
			conv_loss(c, CONV_REFUSED, e->span, "a condition on "
				  "both the process and its parent or the "
				  "operation's object (ESET's holders are "
				  "joined by AND)");
			continue;
		}
		add_to(c, d, h, e, eset_src);
	}
}

/* Splits a body into conjuncts and finds its operation test. */
static void
split_body(struct conv *c, const struct ir_expr *cond, bool eset_src,
	   struct conjs *cj, bool *skip, struct optest *o, size_t *optest_at,
	   struct span *test_sp)
{
	size_t i;

	cj->n = 0;
	cj->overflow = false;
	flatten(cond, !eset_src, true, cj);
	memset(o, 0, sizeof *o);
	*optest_at = (size_t)-1;
	for (i = 0; i < cj->n; i++) {
		struct optest one;
		size_t k;

		memset(&one, 0, sizeof one);
		skip[i] = levels(c, cj->v[i]) != 0 &&
			  read_optest(cj->v[i], &one, c->arena) && !one.bad;
		if (!skip[i])
			continue;
		if (*optest_at == (size_t)-1) {
			*optest_at = i;
			*test_sp = cj->v[i]->span;
		}
		if (one.cat && o->cat && strcmp(one.cat, o->cat) != 0)
			o->cats = true;
		if (one.cat)
			o->cat = one.cat;
		o->cats |= one.cats;
		o->ci |= one.ci;
		if (one.name)
			o->name = one.name;
		for (k = 0; k < one.ntypes && o->ntypes < 8; k++)
			o->types[o->ntypes++] = one.types[k];
	}
	if (*optest_at == (size_t)-1)
		*optest_at = 0;
}

/* One body of a stage (the operations chosen, the conjuncts placed). */
static void
body(struct conv *c, struct def *d, const struct ir_stage *st,
     const struct ir_expr *cond, bool eset_src)
{
	struct conjs *cj = ARENA_NEW(c->arena, struct conjs);
	bool *skip = ARENA_NEWV(c->arena, bool, MAX_CONJ);
	struct optest o;
	size_t at;
	struct span test_sp = st->span;

	if (!cj || !skip)
		return;
	split_body(c, cond, eset_src, cj, skip, &o, &at, &test_sp);
	if (cj->overflow)
		conv_loss(c, CONV_REFUSED, cond->span, "more than %d "
			  "conditions joined by `and`", MAX_CONJ);
	if (eset_src) {
		const struct eset_op *op = NULL;
		if ((o.cat || o.name) &&
		    !(op = op_from_catalogue(c, &o, cj, at)))
			conv_loss(c, CONV_REFUSED, test_sp, "no ESET operation "
				  "has this ECS category and type");
		if (op)
			d->ops[d->nops++] = op;
	} else {
		ops_from_table(c, d, st->category, &o, cond, st->span,
			       test_sp);
	}
	if (o.ci && d->nops)
		conv_loss(c, CONV_NARROWER, test_sp, "the event's category "
			  "and type are compared ignoring case; ESET's "
			  "operation is one exact type (ECS values are lower "
			  "case)");
	place(c, d, cj, skip, at, eset_src, is_create(d));
	finish(c, d);
}

/* --- printing a definition ------------------------------------------------ */

static void
put_ops(struct conv *c, struct strbuf *sb, const struct def *d,
	unsigned depth)
{
	size_t i;

	indent(sb, depth);
	sb_puts(sb, "<operations>\n");
	for (i = 0; i < d->nops; i++) {
		char *open = arena_printf(c->arena, "<operation type=\"%s\">",
					  d->ops[i]->name);
		if (!open)
			return;
		put_holder(c, sb, open, "</operation>", d->opx[i], depth + 1,
			   true);
	}
	indent(sb, depth);
	sb_puts(sb, "</operations>\n");
}

static void
put_def_holders(struct conv *c, struct strbuf *sb, const struct def *d,
		unsigned depth, bool seq)
{
	put_holder(c, sb, "<process>", "</process>", d->h[H_PROCESS], depth,
		   false);
	if (!seq) {
		put_holder(c, sb, "<parentprocess>", "</parentprocess>",
			   d->h[H_PARENT], depth, false);
		if (d->has_anc) {
			char *open = arena_printf(c->arena, "<ancestor%s%s%s%s>",
				d->anc_distance ? " distance=\"" : "",
				d->anc_distance ? arena_printf(c->arena, "%u",
					d->anc_distance) : "",
				d->anc_distance ? "\"" : "",
				d->anc_unique ? " unique=\"true\"" : "");
			if (open)
				put_holder(c, sb, open, "</ancestor>",
					   d->h[H_ANCESTOR], depth, true);
		}
	}
	if (d->nops)
		put_ops(c, sb, d, depth);
}

/* The holders of d as text, for comparing the bodies of an ESET rule. */
static char *
holders_text(struct conv *c, const struct def *d)
{
	struct strbuf sb = STRBUF_INIT;
	struct def h = *d;
	char *s;

	h.nops = 0;
	put_def_holders(c, &sb, &h, 0, false);
	s = arena_strndup(c->arena, sb.data ? sb.data : "", sb.len);
	sb_free(&sb);
	return s;
}

/* Whether every disjunct of an ESET rule's OR is a body with its own
 * operation test. */
static bool
split_or(struct conv *c, const struct ir_expr *cond)
{
	size_t i, k;

	if (!cond || cond->kind != IR_OR)
		return false;
	for (i = 0; i < cond->u.list.n; i++) {
		struct conjs cj;
		bool found = false;

		cj.n = 0;
		cj.overflow = false;
		flatten(cond->u.list.v[i], false, true, &cj);
		for (k = 0; k < cj.n && !found; k++) {
			struct optest o;
			memset(&o, 0, sizeof o);
			found = levels(c, cj.v[k]) != 0 &&
				read_optest(cj.v[k], &o, c->arena) && !o.bad;
		}
		if (!found)
			return false;
	}
	return true;
}

/* The definition of one event stage into d. */
static void
stage_def(struct conv *c, struct def *d, const struct ir_stage *st,
	  bool eset_src)
{
	size_t i, k;
	char *first = NULL;

	if (!eset_src || !split_or(c, st->cond)) {
		body(c, d, st, st->cond, eset_src);
		return;
	}
	for (i = 0; i < st->cond->u.list.n; i++) {
		struct def b;
		char *text;

		memset(&b, 0, sizeof b);
		body(c, &b, st, st->cond->u.list.v[i], true);
		text = holders_text(c, &b);
		if (i == 0) {
			*d = b;
			first = text;
			continue;
		}
		if (!first || !text || strcmp(first, text) != 0 ||
		    b.nops != 1) {
			conv_loss(c, CONV_REFUSED, st->cond->u.list.v[i]->span,
				  "operations whose process conditions differ "
				  "(ESET shares the holders between them)");
			continue;
		}
		for (k = 0; k < b.nops && d->nops < MAX_OPS; k++) {
			d->ops[d->nops] = b.ops[k];
			d->opx[d->nops++] = b.opx[k];
		}
	}
}

/* --- sequences -------------------------------------------------------------- */

static const char *
key_name(const struct ir_expr *k)
{
	if (!k || k->kind != IR_FIELD)
		return NULL;
	if (strcmp(k->u.f.name, "host.id") == 0)
		return "Computer";
	if (strcmp(k->u.f.name, "process.entity_id") == 0)
		return "Process";
	if (strcmp(k->u.f.name, "process.parent.entity_id") == 0)
		return "ParentProcess";
	return NULL;
}

static bool
key_is(const struct ir_expr *k, const char *name)
{
	return k && k->kind == IR_FIELD && strcmp(k->u.f.name, name) == 0;
}

static void
put_maxspan(struct strbuf *sb, int64_t ms)
{
	static const struct { int64_t n; const char *u; } units[] = {
		{ 86400000, "d" }, { 3600000, "h" }, { 60000, "m" },
		{ 1000, "s" }, { 1, "ms" },
	};
	size_t i;

	for (i = 0; i < 5; i++)
		if (ms % units[i].n == 0) {
			sb_printf(sb, " maxSpan=\"%" PRId64 "%s\"",
				  ms / units[i].n, units[i].u);
			return;
		}
}

/* The EQL parent/child pattern: [start of P] by process.entity_id, then
 * [start of C] by process.parent.entity_id, other keys host.id only. */
static bool
parent_child(const struct conv *c, const struct ir_query *q)
{
	const struct ir_stage *a = q->stages, *b = q->stages + 1;
	size_t i, n;

	if (c->rule->lang != LANG_EQL || q->nstages != 2 || q->until ||
	    a->missing || b->missing || a->runs != 1 || b->runs != 1 ||
	    a->nkeys != b->nkeys || a->nkeys == 0 || !a->category ||
	    !b->category || strcmp(a->category, "process") != 0 ||
	    strcmp(b->category, "process") != 0)
		return false;
	n = a->nkeys;
	for (i = 0; i + 1 < n; i++)
		if (!key_is(a->keys[i], "host.id") ||
		    !key_is(b->keys[i], "host.id"))
			return false;
	return key_is(a->keys[n - 1], "process.entity_id") &&
	       key_is(b->keys[n - 1], "process.parent.entity_id");
}

static void
pc_def(struct conv *c, struct def *d, const struct ir_query *q)
{
	const struct ir_stage *a = q->stages, *b = q->stages + 1;
	struct conjs *cj = ARENA_NEW(c->arena, struct conjs);
	bool *skip = ARENA_NEWV(c->arena, bool, MAX_CONJ);
	struct optest o;
	size_t at, i;
	struct span sp;

	if (!cj || !skip)
		return;
	/* the child's start: the operation, its parent in <process> */
	body(c, d, b, b->cond, false);
	if (!is_create(d)) {
		conv_loss(c, CONV_REFUSED, b->span, "the child stage of a "
			  "parent/child sequence must be a process start");
		return;
	}
	conv_loss(c, CONV_BROADER, a->span, "the parent's start event is not "
		  "required: ESET tests the parent's properties when it "
		  "creates the child");
	if (q->maxspan_ms >= 0)
		conv_loss(c, CONV_BROADER, q->maxspan_span, "maxspan dropped: "
			  "ESET does not limit the time between the parent's "
			  "start and the child's");
	/* the parent's own start: its process.* and process.parent.* move
	 * to <process> and <parentprocess> */
	split_body(c, a->cond, false, cj, skip, &o, &at, &sp);
	for (i = 0; i < cj->n; i++) {
		const struct ir_expr *e = cj->v[i];
		unsigned lv;
		const char *os;

		if (skip[i])
			continue;
		if ((os = os_of(e)) != NULL && (!d->os ||
						strcmp(d->os, os) == 0)) {
			d->os = os;
			os_loss(c, e);
			continue;
		}
		lv = levels(c, e);
		if (lv == L_SELF || lv == (L_SELF | L_EVENT))
			add_to(c, d, H_PROCESS, e, false);
		else if (lv == L_PARENT || lv == (L_PARENT | L_EVENT))
			add_to(c, d, H_PARENT, e, false);
		else
			conv_loss(c, CONV_REFUSED, e->span, "a condition of the "
				  "parent's start event that is not about the "
				  "parent or its own parent");
	}
	finish(c, d);
}

/* One detection of a sequence rule; false when it has no operation
 * (refused: ESET's detections need one).  *create: it is CreateProcess. */
static bool
put_detection(struct conv *c, struct strbuf *sb, const struct ir_stage *st,
	      bool eset_src, const char **os, bool *create)
{
	struct def d;

	memset(&d, 0, sizeof d);
	stage_def(c, &d, st, eset_src);
	if (d.os)
		*os = d.os;
	if (d.h[H_PARENT] || d.has_anc)
		conv_loss(c, CONV_REFUSED, st->span, "a sequence detection has "
			  "no <parentprocess> or <ancestor>");
	if (!d.nops) {
		conv_loss(c, CONV_REFUSED, st->span, "an ESET sequence "
			  "detection needs an operation");
		return false;
	}
	*create |= is_create(&d);
	sb_puts(sb, "      <detection>\n        <definition>\n");
	put_def_holders(c, sb, &d, 5, true);
	sb_puts(sb, "        </definition>\n      </detection>\n");
	return true;
}

/* The join keys: each stage's must be those of the first, and map to
 * aggregateOn properties.  Returns how many of the first stage's do. */
static size_t
check_keys(struct conv *c, const struct ir_query *q, const char **names)
{
	const struct ir_stage *st0 = q->stages;
	size_t i, k, n = 0;

	for (k = 0; k < st0->nkeys; k++) {
		const char *name = key_name(st0->keys[k]);
		if (!name)
			conv_loss(c, CONV_REFUSED, st0->keys[k]->span, "join key "
				  "`%s` has no ESET aggregateOn property",
				  field_label(st0->keys[k]));
		else if (n < 8)
			names[n++] = name;
	}
	for (i = 1; i < q->nstages; i++) {
		const struct ir_stage *st = &q->stages[i];
		bool same = st->nkeys == st0->nkeys;
		for (k = 0; same && k < st->nkeys; k++)
			same = strcmp(st->keys[k]->u.f.name,
				      st0->keys[k]->u.f.name) == 0;
		if (!same)
			conv_loss(c, CONV_REFUSED, st->span, "join keys that "
				  "differ between stages have no ESET form");
	}
	return n;
}

static void
seq_def(struct conv *c, struct strbuf *sb, const struct ir_query *q,
	bool eset_src, const char **os)
{
	const char *names[8];
	struct strbuf det = STRBUF_INIT;
	size_t i, k, nkeys, ndet = 0;
	unsigned r;
	bool create = false;

	if (q->until)
		conv_loss(c, CONV_REFUSED, q->until->span, "`until` has no ESET "
			  "form");
	for (i = 0; i < q->nstages; i++)
		if (q->stages[i].missing)
			conv_loss(c, CONV_REFUSED, q->stages[i].span, "a "
				  "missing-event stage has no ESET form");
	nkeys = check_keys(c, q, names);
	for (i = 0; i < q->nstages; i++)
		for (r = 0; r < q->stages[i].runs; r++)
			ndet += put_detection(c, &det, &q->stages[i], eset_src,
					      os, &create);
	if (ndet == 0) {        /* every stage dropped: any event */
		sb_free(&det);
		return;
	}
	sb_puts(sb, "    <sequence");
	if (q->repeat > 1)
		sb_printf(sb, " count=\"%u\"", q->repeat);
	if (q->maxspan_ms > 0)
		put_maxspan(sb, q->maxspan_ms);
	sb_puts(sb, ">\n");
	sb_put(sb, det.data, det.len);
	sb_free(&det);
	if (nkeys) {
		sb_puts(sb, "      <aggregateOn>\n");
		for (k = 0; k < nkeys; k++)
			sb_printf(sb, "        <property name=\"%s\"/>\n",
				  names[k]);
		sb_puts(sb, "      </aggregateOn>\n");
	}
	for (k = 0; !eset_src && create && k < q->stages->nkeys; k++) {
		const struct ir_expr *key = q->stages->keys[k];
		if (key_name(key) && !key_is(key, "host.id"))
			conv_loss(c, CONV_UNRELATED, key->span, "join key `%s` "
				  "became aggregateOn %s: for a process start "
				  "ECS names the started process, ESET "
				  "presumably the one acting",
				  field_label(key), key_name(key));
	}
	sb_puts(sb, "    </sequence>\n");
}

/* --- the document -------------------------------------------------------------- */

/* The <description>, from the metadata (meta.c), with the <os> that the
 * query's host.os.type gave when the metadata has none. */
static void
put_description(struct conv *c, struct strbuf *out, const char *os)
{
	c->os = os;
	conv_meta_to_eset(c, out);
}

void
conv_rule_to_eset(struct conv *c, struct strbuf *out)
{
	const struct ir_query *q = c->rule->ir;
	bool eset_src = c->rule->lang == LANG_ESET_XML;
	struct strbuf def = STRBUF_INIT;
	const char *os = NULL;
	size_t i;

	if (!q || !c->eset) {
		conv_loss(c, CONV_REFUSED, span_make(0, 0), "the rule has no IR "
			  "or rulec has no ESET catalogue");
		return;
	}
	for (i = 0; i < q->npipes; i++)
		conv_loss(c, CONV_REFUSED, q->pipes[i].span, "the `%s` pipe has "
			  "no ESET form", q->pipes[i].kind == PIPE_HEAD ? "head"
								     : "tail");
	sb_puts(&def, "  <definition>\n");
	if (q->kind == Q_SAMPLE) {
		conv_loss(c, CONV_REFUSED, q->span, "`sample` has no ESET form");
	} else if (q->kind == Q_EVENT || (q->kind == Q_SEQUENCE &&
					  parent_child(c, q))) {
		struct def d;
		memset(&d, 0, sizeof d);
		if (q->kind == Q_EVENT)
			stage_def(c, &d, q->stages, eset_src);
		else
			pc_def(c, &d, q);
		os = d.os;
		put_def_holders(c, &def, &d, 2, false);
	} else {
		seq_def(c, &def, q, eset_src, &os);
	}
	sb_puts(&def, "  </definition>\n");
	if (conv_ok(c)) {
		sb_puts(out, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
		conv_put_xml_notes(c, out);
		sb_puts(out, "<rule>\n");
		put_description(c, out, os);
		sb_put(out, def.data, def.len);
		sb_puts(out, "</rule>\n");
	}
	sb_free(&def);
}
