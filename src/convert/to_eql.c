/*
 * to_eql.c - the IR printed as an EQL query (see convert.h).
 *
 * Design note.  The printer walks the IR once and writes Elasticsearch
 * EQL that rulec reads back into the same IR (tests/unit/
 * test_printparse_eql.c checks it on every EQL rule of the corpora):
 * parentheses come from precedence, plus one rule the grammar imposes —
 * an `and` (`or`) operand that is itself an `and` (`or`) keeps its
 * parentheses, because the parser keeps them as nesting.  Numbers keep
 * their type (a double always has a '.' or an exponent), strings use EQL
 * escapes, names that are no identifier are backquoted.
 *
 * Nodes that only an ESET rule produces carry their ESET meaning, and
 * each gets its verdict through conv_loss where EQL cannot say the same:
 *   - a case-insensitive `==` (ESET `is`) becomes `==` when the value has
 *     no letters, else `:` when the value has no `*` or `?`, else `in~`
 *     (EQL's `:` has no escape for its wildcards);
 *   - a case-insensitive `!=` becomes `!=` or `not in~`, by the same test;
 *   - a field with no ECS counterpart is refused; an approximate mapping
 *     is printed with its ECS name and reported unrelated (the catalogue's
 *     note says why), and an ESET operation test (event.category and
 *     event.type) broader, except CreateProcess;
 *   - a transformed field (the stem, extension or folder of a path) becomes
 *     an anchored Lucene `regex~` over the whole path with the value's
 *     metacharacters escaped: exact; the time of day and the day of the
 *     week have no EQL form;
 *   - a field that holds only one address family (IpAddressV4/V6) is
 *     tested with cidrMatch(f, "0.0.0.0/0") (or "::/0") where ESET asks
 *     whether it is set;
 *   - `ancestor` at distance 1 reads process.parent.*; deeper lineage is
 *     refused (Elasticsearch EQL has none);
 *   - the category test of the stage's only operation becomes the stage's
 *     event category (`network where ...`).
 * A refused atom prints the widening constant with --drop-unconvertible
 * (conv_drop_constant); without it the rule is refused and its text is
 * never shown.  ESET's reading of a missing property (a condition on it is
 * false, NOT of it true) is already explicit in the IR (`f != null and
 * not ...` for isnot, notstarts, ...), and it is also how rulec reads EQL
 * on a missing field, so no other guard is needed.
 */
#include "convert/convert.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Precedence levels of EQL's grammar, loosest first. */
enum { P_ANY, P_OR, P_AND, P_NOT, P_PRED, P_ADD, P_MUL, P_UNARY, P_PRIM };

struct pr {
	struct conv *c;
	struct strbuf *o;
	bool parent;                    /* inside ancestor distance 1 */
	bool in_op;                     /* inside a judged operation test */
	const struct ir_expr *hoisted;  /* the category test of the stage */
};

static void put_expr(struct pr *p, const struct ir_expr *e, int min);

/* --- names and constants -------------------------------------------------- */

static bool
ident_start(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       ch == '_' || ch == '@';
}

static bool
ident_char(char ch)
{
	return (ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
	       (ch >= '0' && ch <= '9') || ch == '_';
}

/* The keywords of the scanner (grammar/eql.l): a name that is one must
 * be backquoted where a keyword is read (not after a dot). */
static bool
keyword(const char *s, size_t n)
{
	static const char *const kw[] = {
		"and", "any", "by", "false", "in", "join", "like", "maxspan",
		"not", "null", "of", "or", "regex", "sample", "sequence",
		"true", "until", "where", "with",
	};
	size_t i;

	for (i = 0; i < sizeof kw / sizeof kw[0]; i++)
		if (strlen(kw[i]) == n && memcmp(kw[i], s, n) == 0)
			return true;
	return false;
}

/* Whether `s` reads as a dotted name: identifiers joined by dots, the
 * first no keyword. */
static bool
plain_name(const char *s)
{
	const char *seg = s;
	size_t i;

	for (;;) {
		const char *dot = strchr(seg, '.');
		size_t n = dot ? (size_t)(dot - seg) : strlen(seg);

		if (n == 0 || !ident_start(seg[0]))
			return false;
		for (i = 1; i < n; i++)
			if (!ident_char(seg[i]))
				return false;
		if (seg == s && keyword(seg, n))
			return false;
		if (!dot)
			return true;
		seg = dot + 1;
	}
}

static void
put_name(struct strbuf *o, const char *s)
{
	if (plain_name(s)) {
		sb_puts(o, s);
		return;
	}
	sb_putc(o, '`');
	for (; *s; s++) {
		if (*s == '`')
			sb_putc(o, '`');
		sb_putc(o, *s);
	}
	sb_putc(o, '`');
}

/* The ECS name of a field as this printer writes it. */
static const char *
field_name(const struct pr *p, const struct ir_expr *f)
{
	const char *n = f->u.f.name;

	if (p->parent && strncmp(n, "process.", 8) == 0 &&
	    strncmp(n, "process.parent.", 15) != 0)
		return arena_printf(p->c->arena, "process.parent.%s", n + 8);
	return n;
}

static void
put_field(struct pr *p, const struct ir_expr *f)
{
	const char *n = field_name(p, f);

	if (f->u.f.optional)
		sb_putc(p->o, '?');
	put_name(p->o, n ? n : f->u.f.name);
}

static void
put_string(struct strbuf *o, const char *s, size_t n)
{
	sb_putc(o, '"');
	sb_eql_escape(o, s, n);
	sb_putc(o, '"');
}

static void
put_const(struct strbuf *o, const struct ir_value *v)
{
	char buf[40];

	switch (v->type) {
	case VT_STRING:
		put_string(o, v->u.s.s, v->u.s.len);
		break;
	case VT_LONG:
		sb_printf(o, "%" PRId64, v->u.i);
		break;
	case VT_DOUBLE:
		/* enough digits to read back the same double, and a '.' so
		 * that it is read as one */
		snprintf(buf, sizeof buf, "%.17g", v->u.d);
		sb_puts(o, buf);
		if (!strpbrk(buf, ".eEni"))
			sb_puts(o, ".0");
		break;
	case VT_BOOL:
		sb_puts(o, v->u.b ? "true" : "false");
		break;
	default:
		sb_puts(o, "null");
		break;
	}
}

static void
put_values(struct strbuf *o, const struct ir_value *v, size_t n, bool paren)
{
	size_t i;

	if (paren)
		sb_putc(o, '(');
	for (i = 0; i < n; i++) {
		if (i)
			sb_puts(o, ", ");
		put_const(o, &v[i]);
	}
	if (paren)
		sb_putc(o, ')');
}

/* --- precedence ------------------------------------------------------------ */

static int
prec(const struct ir_expr *e)
{
	switch (e->kind) {
	case IR_OR: return P_OR;
	case IR_AND: return P_AND;
	case IR_NOT: return P_NOT;
	case IR_CMP: case IR_IN: case IR_MATCH: return P_PRED;
	case IR_ARITH:
		return e->u.arith.op == IR_OP_ADD || e->u.arith.op == IR_OP_SUB
			       ? P_ADD : P_MUL;
	case IR_NEG: return P_UNARY;
	case IR_CONST:
		if ((e->u.c.type == VT_LONG && e->u.c.u.i < 0) ||
		    (e->u.c.type == VT_DOUBLE && signbit(e->u.c.u.d)))
			return P_UNARY;
		return P_PRIM;
	default: return P_PRIM;
	}
}

/* --- ESET atoms ------------------------------------------------------------- */

static bool
is_op_field(const struct ir_expr *f)
{
	return f && f->kind == IR_FIELD && f->u.f.src_name &&
	       strcmp(f->u.f.src_name, "operation type") == 0;
}

/* A part of an ESET operation test: event.category / event.type == "x",
 * event.type in (...), eset.operation == "X". */
static bool
is_op_atom(const struct ir_expr *e)
{
	return e && ((e->kind == IR_CMP && is_op_field(e->u.cmp.l)) ||
		     (e->kind == IR_IN && is_op_field(e->u.in.l)));
}

/* An operation test: one part, or the AND of its parts. */
static bool
is_op_test(const struct ir_expr *e)
{
	size_t i;

	if (is_op_atom(e))
		return true;
	if (!e || e->kind != IR_AND || e->u.list.n == 0)
		return false;
	for (i = 0; i < e->u.list.n; i++)
		if (!is_op_atom(e->u.list.v[i]))
			return false;
	return true;
}

/* The operation's name, read from the rule's text under the node's span
 * (the <operation type="..."> element, whose name the span covers). */
static const char *
op_name(struct pr *p, const struct ir_expr *e)
{
	const struct rc_text *t = &p->c->rule->text;
	size_t end, i;
	const char *gt;

	/* the span names the element: read its start tag */
	if (e->span.start >= t->len)
		return NULL;
	gt = memchr(t->data + e->span.start, '>', t->len - e->span.start);
	end = gt ? (size_t)(gt - t->data) : t->len;

	for (i = e->span.start; i + 6 < end; i++)
		if (memcmp(t->data + i, "type=", 5) == 0 &&
		    (t->data[i + 5] == '"' || t->data[i + 5] == '\'')) {
			char q = t->data[i + 5];
			const char *s = t->data + i + 6;
			const char *z = memchr(s, q, end - i - 6);
			if (z)
				return arena_strndup(p->c->arena, s,
						     (size_t)(z - s));
		}
	return NULL;
}

/* The verdict of an operation test (once for all its parts). */
static void
op_verdict(struct pr *p, const struct ir_expr *e)
{
	const char *name = op_name(p, e);
	const struct eset_op *op = name && p->c->eset
		? eset_lookup_op(p->c->eset, name, NULL) : NULL;
	const struct ir_expr *first = e->kind == IR_AND ? e->u.list.v[0] : e;
	const struct ir_expr *f = first->kind == IR_CMP ? first->u.cmp.l
							: first->u.in.l;

	if (!name)
		name = "?";
	if (f->u.f.map == MAP_NONE) {
		conv_loss(p->c, CONV_REFUSED, e->span, "operation %s: ECS has "
			  "no event category for it (rulec reads it as "
			  "eset.operation, which Elasticsearch data lacks)",
			  name);
		return;
	}
	if (strcmp(name, "CreateProcess") == 0)
		return;         /* ECS process start events are the same */
	{
		const char *d = op && op->note ? op->note : "";
		const char *semi = strchr(d, ';');
		int dn = semi ? (int)(semi - d) : (int)strlen(d);
		conv_loss(p->c, CONV_BROADER, e->span, "operation %s became "
			  "its ECS event category and type, a class that also "
			  "holds events ESET does not report as %s%s%.*s%s",
			  name, name, dn ? " (ESET: " : "", dn, d,
			  dn ? ")" : "");
	}
}

/* The catalogue's note on the mapping of field f, or "". */
static const char *
map_note(struct pr *p, const struct ir_expr *f)
{
	const char *src = f->u.f.src_name, *dot;
	const struct eset_prop *prop;
	char comp[64];
	int o;

	if (!p->c->eset || !src || !(dot = strchr(src, '.')) ||
	    (size_t)(dot - src) >= sizeof comp)
		return "";
	memcpy(comp, src, (size_t)(dot - src));
	comp[dot - src] = '\0';
	prop = eset_lookup_prop(p->c->eset, comp, dot + 1, NULL);
	if (!prop)
		return "";
	for (o = 0; o < EO_COUNT; o++) {
		const struct eset_map *m = eset_prop_map(prop,
							 (enum eset_object)o);
		const char *ph;
		size_t pre;

		if (!m || !m->ecs || !m->note)
			continue;
		ph = strstr(m->ecs, "{p}");
		pre = ph ? (size_t)(ph - m->ecs) : strlen(m->ecs);
		if (strncmp(f->u.f.name, m->ecs, pre) != 0)
			continue;
		if (ph ? strlen(f->u.f.name) >= strlen(ph + 3) &&
			 strcmp(f->u.f.name + strlen(f->u.f.name) -
				strlen(ph + 3), ph + 3) == 0
		       : strcmp(f->u.f.name, m->ecs) == 0)
			return m->note;
	}
	return "";
}

/* The fields an atom reads (at most `max`). */
static size_t
atom_fields(const struct ir_expr *e, const struct ir_expr **v, size_t n,
	    size_t max)
{
	size_t i;

	if (!e || n >= max)
		return n;
	switch (e->kind) {
	case IR_FIELD:
		v[n++] = e;
		break;
	case IR_CMP:
		n = atom_fields(e->u.cmp.l, v, n, max);
		n = atom_fields(e->u.cmp.r, v, n, max);
		break;
	case IR_IN:
		n = atom_fields(e->u.in.l, v, n, max);
		break;
	case IR_MATCH:
		n = atom_fields(e->u.match.l, v, n, max);
		break;
	case IR_CALL:
		for (i = 0; i < e->u.call.n; i++)
			n = atom_fields(e->u.call.args[i], v, n, max);
		break;
	case IR_ARITH:
		n = atom_fields(e->u.arith.l, v, n, max);
		n = atom_fields(e->u.arith.r, v, n, max);
		break;
	case IR_NEG:
		n = atom_fields(e->u.sub, v, n, max);
		break;
	default:
		break;
	}
	return n;
}

/* The widening constant for a refused atom (or false when the rule is
 * refused: the text is then never shown). */
static void
put_refused(struct pr *p)
{
	sb_puts(p->o, p->c->drop && conv_drop_constant(p->c) ? "true"
							     : "false");
}

static bool
has_case(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch >= 0x80 || (ch >= 'a' && ch <= 'z') ||
		    (ch >= 'A' && ch <= 'Z'))
			return true;
	}
	return false;
}

/* s as a Lucene regular expression that matches it literally: every
 * ASCII character that is no letter or digit is escaped (the parser
 * rejects an escaped letter). */
static void
rx_literal(struct strbuf *o, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];
		if (ch < 0x80 && !ident_char((char)ch))
			sb_putc(o, '\\');
		sb_putc(o, (char)ch);
	}
}

static bool
has_byte(const char *s, size_t n, const char *set)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strchr(set, s[i]))
			return true;
	return false;
}

/* A dot after the value's first character (the stem then needs an
 * extension after it). */
static bool
inner_dot(const char *s, size_t n)
{
	return n > 1 && memchr(s + 1, '.', n - 1) != NULL;
}

#define RX_DIRS "([^\\\\/]*[\\\\/])*"   /* any folders, as regex text */
#define RX_BASE "[^\\\\/]*"

/* The anchored regex over the whole path for `transform(path) rel v`
 * (rel: 'e' equals, 's' starts, 'c' contains, 'n' ends); false with a
 * reason when EQL has no exact form. */
static bool
transform_regex(struct strbuf *rx, enum ir_transform tr, char rel,
		const char *v, size_t n, const char **why)
{
	switch (tr) {
	case TR_STEM:
		if (rel != 'e') {
			*why = "only `is` on a name without its extension has "
			       "an exact EQL form";
			return false;
		}
		if (has_byte(v, n, "\\/")) {
			*why = "a name without extension holds no folder "
			       "separator";
			return false;
		}
		sb_puts(rx, RX_DIRS);
		if (n == 0)
			return true;    /* the path ends with a separator */
		rx_literal(rx, v, n);
		/* the stem ends at the last dot of the name */
		sb_puts(rx, inner_dot(v, n) ? "\\.[^.\\\\/]*"
					    : "(\\.[^.\\\\/]*)?");
		return true;
	case TR_EXT:
		if (rel != 'e') {
			*why = "only `is` on an extension has an exact EQL form";
			return false;
		}
		if (has_byte(v, n, ".\\/")) {
			*why = "an extension holds no dot or separator";
			return false;
		}
		sb_puts(rx, RX_DIRS);
		if (n == 0) {
			/* no dot after the name's first character, or a
			 * name ending in a dot */
			sb_puts(rx, "([^\\\\/][^.\\\\/]*|[^\\\\/]*\\.)?");
			return true;
		}
		sb_puts(rx, "[^\\\\/]+\\.");
		rx_literal(rx, v, n);
		return true;
	case TR_DIRNAME:
		if (n == 0) {
			if (rel != 'e') {
				*why = "an empty value";
				return false;
			}
			sb_puts(rx, "[\\\\/]?" RX_BASE);
			return true;
		}
		if (rel == 'c' || rel == 'n')
			sb_puts(rx, ".*");
		rx_literal(rx, v, n);
		/* the folder is what precedes the last separator */
		sb_puts(rx, rel == 'e' || rel == 'n' ? "[\\\\/]" RX_BASE
						     : ".*[\\\\/]" RX_BASE);
		return true;
	default:
		*why = "Elasticsearch EQL has no function that reads the day "
		       "of the week, hour or minute of a timestamp";
		return false;
	}
}

/* An atom on a transformed field: the regex form, or refused. */
static void
put_transform(struct pr *p, const struct ir_expr *e, const struct ir_expr *f,
	      char rel, const struct ir_value *v, bool ci, bool neg)
{
	struct strbuf rx = STRBUF_INIT;
	const char *why = "this relation";

	if (f->u.f.transform == TR_INBOUND) {
		if (rel != 'e' || v->type != VT_BOOL) {
			conv_loss(p->c, CONV_REFUSED, e->span, "%s: only `is` "
				  "has an EQL form", f->u.f.src_name);
			put_refused(p);
			return;
		}
		if (neg == v->u.b)
			sb_puts(p->o, "(");
		if (neg == v->u.b) {
			put_field(p, f);
			sb_puts(p->o, " != null and not ");
		}
		put_field(p, f);
		sb_puts(p->o, " in~ (\"inbound\", \"ingress\")");
		if (neg == v->u.b)
			sb_puts(p->o, ")");
		return;
	}
	if (v->type != VT_STRING ||
	    !transform_regex(&rx, f->u.f.transform, rel, v->u.s.s,
			     v->u.s.len, &why)) {
		conv_loss(p->c, CONV_REFUSED, e->span, "%s (%s of %s): %s",
			  f->u.f.src_name, ir_transform_name(f->u.f.transform),
			  f->u.f.name, why);
		put_refused(p);
		sb_free(&rx);
		return;
	}
	if (neg)
		sb_puts(p->o, "not ");
	put_field(p, f);
	sb_puts(p->o, ci ? " regex~ " : " regex ");
	put_string(p->o, rx.data ? rx.data : "", rx.len);
	sb_free(&rx);
}

/* Whether an atom must be printed its ESET way; the fields it reads are
 * judged first (no counterpart: refused; approximate: unrelated). Returns
 * true when the atom was printed (or refused) here. */
static bool
put_eset_atom(struct pr *p, const struct ir_expr *e)
{
	const struct ir_expr *fv[8], *f = NULL;
	size_t nf = atom_fields(e, fv, 0, 8), i;
	const struct ir_expr *l = NULL, *r = NULL;

	for (i = 0; i < nf; i++) {
		if (fv[i]->u.f.map == MAP_NONE && is_op_field(fv[i])) {
			put_refused(p);         /* op_verdict said why */
			return true;
		}
		if (fv[i]->u.f.map == MAP_NONE) {
			conv_loss(p->c, CONV_REFUSED, e->span, "%s has no ECS "
				  "counterpart (no Elasticsearch field holds "
				  "it)", fv[i]->u.f.src_name);
			put_refused(p);
			return true;
		}
		if (fv[i]->u.f.map != MAP_SAME && !f)
			f = fv[i];
	}
	if (!f)
		return false;
	/* ESET evaluates a parent's properties on the process table too */
	for (i = 0; i < nf; i++) {
		const char *n = fv[i]->u.f.name;
		bool up = strncmp(n, "process.parent.", 15) == 0 ||
			  (p->parent && strncmp(n, "process.", 8) == 0);
		if (up && !is_op_field(fv[i])) {
			conv_loss(p->c, CONV_NARROWER, e->span, "%s of the "
				  "parent became %s%s: where an event does "
				  "not carry it, ESET answers from its process "
				  "table (the parent's start event), EQL "
				  "finds no value", fv[i]->u.f.src_name,
				  p->parent ? "process.parent." : "",
				  p->parent ? n + 8 : n);
			break;
		}
	}
	for (i = 0; i < nf; i++) {
		const char *note;
		if (fv[i]->u.f.map != MAP_APPROX || is_op_field(fv[i]))
			continue;
		note = map_note(p, fv[i]);
		conv_loss(p->c, CONV_UNRELATED, e->span, "%s became %s, which "
			  "ECS data does not fill the same way%s%s",
			  fv[i]->u.f.src_name, fv[i]->u.f.name,
			  *note ? ": " : "", note);
	}
	if (e->kind == IR_CMP) {
		l = e->u.cmp.l;
		r = e->u.cmp.r;
	} else if (e->kind == IR_CALL && e->u.call.n == 2) {
		l = e->u.call.args[0];
		r = e->u.call.args[1];
	}
	if (!l || l->kind != IR_FIELD || !r || r->kind != IR_CONST)
		return false;
	if (l->u.f.transform != TR_NONE && r->u.c.type != VT_NULL) {
		char rel = 'e';
		bool neg = false, ci = e->kind == IR_CALL ? e->u.call.ci
							    : e->u.cmp.ci;
		if (e->kind == IR_CALL)
			rel = e->u.call.fn == FN_STARTSWITH ? 's'
			      : e->u.call.fn == FN_ENDSWITH ? 'n'
			      : e->u.call.fn == FN_STRINGCONTAINS ? 'c' : '?';
		else if (e->u.cmp.op == IR_OP_NE)
			neg = true;
		else if (e->u.cmp.op != IR_OP_EQ)
			rel = '?';
		if (rel == '?') {
			conv_loss(p->c, CONV_REFUSED, e->span, "%s (%s of %s): "
				  "no EQL form for this relation",
				  l->u.f.src_name,
				  ir_transform_name(l->u.f.transform),
				  l->u.f.name);
			put_refused(p);
			return true;
		}
		put_transform(p, e, l, rel, &r->u.c, ci, neg);
		return true;
	}
	if (l->u.f.ipfam && !(e->kind == IR_CALL &&
			      e->u.call.fn == FN_CIDRMATCH)) {
		const char *all = l->u.f.ipfam == 4 ? "0.0.0.0/0" : "::/0";
		if (e->kind != IR_CMP || r->u.c.type != VT_NULL ||
		    (e->u.cmp.op != IR_OP_EQ && e->u.cmp.op != IR_OP_NE)) {
			conv_loss(p->c, CONV_REFUSED, e->span, "%s holds only "
				  "IPv%u addresses: EQL has no exact form of "
				  "this test", l->u.f.src_name, l->u.f.ipfam);
			put_refused(p);
			return true;
		}
		/* set: an address of the family */
		if (e->u.cmp.op == IR_OP_EQ)
			sb_puts(p->o, "not ");
		sb_puts(p->o, "cidrMatch(");
		put_field(p, l);
		sb_printf(p->o, ", \"%s\")", all);
		return true;
	}
	return false;
}

/* A case-insensitive `==` or `!=` with a string (ESET `is`, isempty). */
static bool
put_ci_cmp(struct pr *p, const struct ir_expr *e, int min)
{
	const struct ir_expr *l = e->u.cmp.l, *r = e->u.cmp.r;
	const struct ir_value *v;
	bool ne = e->u.cmp.op == IR_OP_NE;

	if (!e->u.cmp.ci || (e->u.cmp.op != IR_OP_EQ && !ne))
		return false;
	if (r->kind != IR_CONST && l->kind == IR_CONST) {
		const struct ir_expr *t = l;
		l = r;
		r = t;
	}
	if (r->kind != IR_CONST || r->u.c.type != VT_STRING)
		return false;
	v = &r->u.c;
	if (min > P_PRED)
		sb_putc(p->o, '(');
	if (!has_case(v->u.s.s, v->u.s.len)) {
		put_expr(p, l, P_ADD);
		sb_puts(p->o, ne ? " != " : " == ");
	} else if (!ne && !has_byte(v->u.s.s, v->u.s.len, "*?")) {
		put_expr(p, l, P_ADD);
		sb_puts(p->o, " : ");
	} else {
		put_expr(p, l, P_ADD);
		sb_puts(p->o, ne ? " not in~ (" : " in~ (");
		put_const(p->o, v);
		sb_puts(p->o, ")");
		if (min > P_PRED)
			sb_putc(p->o, ')');
		return true;
	}
	put_const(p->o, v);
	if (min > P_PRED)
		sb_putc(p->o, ')');
	return true;
}

/* --- expressions ------------------------------------------------------------ */

static void
put_list(struct pr *p, const struct ir_expr *e, int min)
{
	const char *op = e->kind == IR_AND ? " and " : " or ";
	int own = e->kind == IR_AND ? P_AND : P_OR;
	size_t i, live = 0, k = 0;

	for (i = 0; i < e->u.list.n; i++)
		live += e->u.list.v[i] != p->hoisted;
	if (live == 0) {
		sb_puts(p->o, e->kind == IR_AND ? "true" : "false");
		return;
	}
	if (live == 1) {
		for (i = 0; i < e->u.list.n; i++)
			if (e->u.list.v[i] != p->hoisted)
				put_expr(p, e->u.list.v[i], min);
		return;
	}
	if (min > own)
		sb_putc(p->o, '(');
	for (i = 0; i < e->u.list.n; i++) {
		const struct ir_expr *k2 = e->u.list.v[i];
		if (k2 == p->hoisted)
			continue;
		if (k++)
			sb_puts(p->o, op);
		/* a nested and/or keeps its parentheses */
		put_expr(p, k2, own + 1);
	}
	if (min > own)
		sb_putc(p->o, ')');
}

static void
put_ancestor(struct pr *p, const struct ir_expr *e, int min)
{
	if (e->u.anc.distance != 1 || e->u.anc.unique || p->parent) {
		const char *what = e->u.anc.distance == 0
			? "an ancestor at any level"
			: e->u.anc.unique ? "a unique ancestor (runs of one "
					    "executable counted as one level)"
			: arena_printf(p->c->arena, "the ancestor %u levels "
				       "up", e->u.anc.distance +
				       (p->parent ? 1u : 0u));
		conv_loss(p->c, CONV_REFUSED, e->span, "%s: Elasticsearch EQL "
			  "has no process lineage beyond the parent "
			  "(process.parent.*)", what ? what : "an ancestor");
		put_refused(p);
		return;
	}
	p->parent = true;
	put_expr(p, e->u.anc.sub, min);
	p->parent = false;
}

static void
put_call(struct pr *p, const struct ir_expr *e)
{
	size_t i;

	sb_puts(p->o, fn_table[e->u.call.fn].name);
	if (e->u.call.ci)
		sb_putc(p->o, '~');
	sb_putc(p->o, '(');
	for (i = 0; i < e->u.call.n; i++) {
		if (i)
			sb_puts(p->o, ", ");
		put_expr(p, e->u.call.args[i], P_ANY);
	}
	sb_putc(p->o, ')');
}

static void
put_atom(struct pr *p, const struct ir_expr *e, int min)
{
	int own = prec(e);
	bool paren = own < min;

	if (paren)
		sb_putc(p->o, '(');
	switch (e->kind) {
	case IR_CMP:
		/* a comparison on the left would chain */
		put_expr(p, e->u.cmp.l, P_ADD);
		sb_printf(p->o, " %s ", ir_op_name(e->u.cmp.op));
		put_expr(p, e->u.cmp.r, P_ADD);
		break;
	case IR_IN:
		put_expr(p, e->u.in.l, P_ADD);
		sb_puts(p->o, e->u.in.neg ? " not in" : " in");
		sb_puts(p->o, e->u.in.ci ? "~ " : " ");
		put_values(p->o, e->u.in.v, e->u.in.n, true);
		break;
	case IR_MATCH:
		put_expr(p, e->u.match.l, P_ADD);
		if (e->u.match.mode == MATCH_REGEX)
			sb_puts(p->o, e->u.match.ci ? " regex~ " : " regex ");
		else
			sb_puts(p->o, e->u.match.ci ? " : " : " like ");
		put_values(p->o, e->u.match.v, e->u.match.n,
			   e->u.match.n != 1);
		break;
	case IR_ARITH: {
		int l = own, r = own + 1;
		put_expr(p, e->u.arith.l, l);
		sb_printf(p->o, " %s ", ir_op_name(e->u.arith.op));
		put_expr(p, e->u.arith.r, r);
		break;
	}
	case IR_NEG:
		sb_putc(p->o, '-');
		if (e->u.sub && prec(e->u.sub) == P_UNARY)
			sb_putc(p->o, ' ');
		put_expr(p, e->u.sub, P_UNARY);
		break;
	case IR_CALL:
		put_call(p, e);
		break;
	case IR_FIELD:
		put_field(p, e);
		break;
	case IR_CONST:
		put_const(p->o, &e->u.c);
		break;
	default:
		break;
	}
	if (paren)
		sb_putc(p->o, ')');
}

static void
put_expr(struct pr *p, const struct ir_expr *e, int min)
{
	if (!e) {
		sb_puts(p->o, "false");
		return;
	}
	if (e == p->hoisted) {          /* the whole condition */
		sb_puts(p->o, "true");
		return;
	}
	switch (e->kind) {
	case IR_AND:
		if (is_op_test(e) && !p->in_op) {
			op_verdict(p, e);
			p->in_op = true;
			put_list(p, e, min);
			p->in_op = false;
			return;
		}
		/* fall through */
	case IR_OR:
		put_list(p, e, min);
		return;
	case IR_NOT:
		if (min > P_NOT)
			sb_putc(p->o, '(');
		sb_puts(p->o, "not ");
		p->c->negs++;
		put_expr(p, e->u.sub, P_NOT);
		p->c->negs--;
		if (min > P_NOT)
			sb_putc(p->o, ')');
		return;
	case IR_ANCESTOR:
		put_ancestor(p, e, min);
		return;
	case IR_CMP:
	case IR_IN:
	case IR_MATCH:
	case IR_CALL:
		if (e->type == VT_BOOL || e->kind != IR_CALL) {
			struct strbuf *o = p->o;
			struct strbuf tmp = STRBUF_INIT;
			bool special;

			if (is_op_atom(e) && !p->in_op)
				op_verdict(p, e);
			/* ESET atoms print into tmp: parenthesised when
			 * they became more than one predicate */
			p->o = &tmp;
			special = put_eset_atom(p, e) ||
				  (e->kind == IR_CMP && put_ci_cmp(p, e, min));
			p->o = o;
			if (special) {
				bool wrap = min > P_AND &&
					    (strstr(tmp.data ? tmp.data : "",
						    " and ") != NULL ||
					     strncmp(tmp.data ? tmp.data : "",
						     "not ", 4) == 0) &&
					    tmp.data[0] != '(';
				if (wrap)
					sb_putc(o, '(');
				sb_put(o, tmp.data ? tmp.data : "", tmp.len);
				if (wrap)
					sb_putc(o, ')');
				sb_free(&tmp);
				return;
			}
			sb_free(&tmp);
		}
		put_atom(p, e, min);
		return;
	default:
		put_atom(p, e, min);
		return;
	}
}

/* --- queries ---------------------------------------------------------------- */

/* Whether e is event.category == "x" of an operation test. */
static bool
is_category_test(const struct ir_expr *e)
{
	return is_op_atom(e) && e->kind == IR_CMP &&
	       e->u.cmp.op == IR_OP_EQ && e->u.cmp.l->u.f.map == MAP_APPROX &&
	       strcmp(e->u.cmp.l->u.f.name, "event.category") == 0 &&
	       e->u.cmp.r->kind == IR_CONST &&
	       e->u.cmp.r->u.c.type == VT_STRING;
}

/* The category test in an operation test (the AND of its parts). */
static const struct ir_expr *
category_in(const struct ir_expr *t)
{
	size_t j;

	for (j = 0; j < t->u.list.n; j++)
		if (is_category_test(t->u.list.v[j]))
			return t->u.list.v[j];
	return NULL;
}

/* The category test to move into the stage's category: event.category ==
 * "x" as the condition or one operand of its top-level AND (directly or
 * inside the operation test).  *lone: the test stands alone (its verdict
 * is then the caller's to give: it is printed nowhere). */
static const struct ir_expr *
hoistable(const struct ir_expr *cond, bool *lone)
{
	const struct ir_expr *c, *h;
	size_t i;

	if (!cond)
		return NULL;
	if (is_category_test(cond)) {
		*lone = true;
		return cond;
	}
	if (cond->kind != IR_AND)
		return NULL;
	if (is_op_test(cond))
		return category_in(cond);
	for (i = 0; i < cond->u.list.n; i++) {
		c = cond->u.list.v[i];
		if (c->kind == IR_AND && is_op_test(c) &&
		    (h = category_in(c)) != NULL)
			return h;
		if (is_category_test(c)) {
			*lone = true;
			return c;
		}
	}
	return NULL;
}

static void
put_category(struct strbuf *o, const char *cat, size_t n)
{
	size_t i;
	bool plain = n > 0 && ident_start(cat[0]) && !keyword(cat, n);

	for (i = 1; plain && i < n; i++)
		plain = ident_char(cat[i]);
	if (plain)
		sb_put(o, cat, n);
	else
		put_string(o, cat, n);
}

static void
put_filter(struct pr *p, const struct ir_stage *st)
{
	const struct ir_expr *h = NULL;
	bool lone = false;

	if (!st->category)
		h = hoistable(st->cond, &lone);
	if (h && lone)
		op_verdict(p, h);       /* it is printed nowhere else */
	if (h) {
		const struct ir_value *v = &h->u.cmp.r->u.c;
		put_category(p->o, v->u.s.s, v->u.s.len);
	} else if (st->category) {
		put_category(p->o, st->category, strlen(st->category));
	} else {
		sb_puts(p->o, "any");
	}
	sb_puts(p->o, " where ");
	p->hoisted = h;
	put_expr(p, st->cond, P_ANY);
	p->hoisted = NULL;
}

static void
put_keys(struct pr *p, struct ir_expr *const *k, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		sb_puts(p->o, i ? ", " : " by ");
		put_expr(p, k[i], P_ANY);
	}
}

static void
put_stage(struct pr *p, const struct ir_stage *st)
{
	sb_puts(p->o, "\n  ");
	sb_puts(p->o, st->missing ? "![" : "[");
	put_filter(p, st);
	sb_putc(p->o, ']');
	put_keys(p, st->keys + st->nshared, st->nkeys - st->nshared);
	if (st->runs != 1)
		sb_printf(p->o, " with runs=%u", st->runs);
}

static void
put_maxspan(struct strbuf *o, int64_t ms)
{
	static const struct { const char *unit; int64_t ms; } units[] = {
		{ "d", 86400000 }, { "h", 3600000 }, { "m", 60000 },
		{ "s", 1000 },
	};
	size_t i;

	for (i = 0; i < sizeof units / sizeof units[0]; i++)
		if (ms % units[i].ms == 0) {
			sb_printf(o, "%" PRId64 "%s", ms / units[i].ms,
				  units[i].unit);
			return;
		}
	sb_printf(o, "%" PRId64 "ms", ms);
}

static void
put_sequence(struct pr *p, const struct ir_query *q)
{
	size_t i;

	sb_puts(p->o, q->kind == Q_SAMPLE ? "sample" : "sequence");
	if (q->repeat > 1)
		conv_loss(p->c, CONV_REFUSED, q->span, "a sequence counted %u "
			  "times: EQL repeats single stages (with runs), not "
			  "a whole sequence", q->repeat);
	if (q->nstages > 0)
		put_keys(p, q->stages[0].keys, q->stages[0].nshared);
	if (q->maxspan_ms >= 0) {
		sb_puts(p->o, " with maxspan=");
		put_maxspan(p->o, q->maxspan_ms);
	}
	for (i = 0; i < q->nstages; i++)
		put_stage(p, &q->stages[i]);
	if (q->until) {
		sb_puts(p->o, "\nuntil [");
		put_filter(p, q->until);
		sb_putc(p->o, ']');
		put_keys(p, q->until->keys + q->until->nshared,
			 q->until->nkeys - q->until->nshared);
	}
}

void
conv_ir_to_eql(struct conv *c, const struct ir_query *q, struct strbuf *out)
{
	struct pr p = { c, out, false, false, NULL };
	size_t i;

	/* a sequence of one stage (an ESET sequence left with one
	 * detection) matches each event of that stage: EQL writes it as
	 * an event query, a one-stage sequence being no EQL */
	if (q->nstages == 1 && (q->kind == Q_EVENT ||
	    (q->kind == Q_SEQUENCE && q->repeat <= 1 && !q->until &&
	     q->stages[0].runs <= 1 && !q->stages[0].missing)))
		put_filter(&p, &q->stages[0]);
	else
		put_sequence(&p, q);
	for (i = 0; i < q->npipes; i++)
		sb_printf(out, "\n| %s %" PRId64,
			  q->pipes[i].kind == PIPE_HEAD ? "head" : "tail",
			  q->pipes[i].n);
}

void
conv_query_to_eql(struct conv *c, struct strbuf *out)
{
	const struct rc_rule *r = c->rule;

	if (r->lang == LANG_EQL) {
		sb_put(out, r->text.data, r->text.len);
		return;
	}
	conv_ir_to_eql(c, r->ir, out);
}
