/*
 * logic_text.c - the words of the logic family's messages (see logic.h):
 * the rule's own conditions quoted, witnesses (an event that shows a
 * finding) and what a test requires of its field.
 */
#include <stdlib.h>
#include <string.h>

#include "check/logic.h"

void
lg_node_text(struct an *an, struct strbuf *sb, const struct ir_expr *e)
{
	sb_putc(sb, '\'');
	if (!e)
		sb_puts(sb, "(condition)");
	else if (an->eset)
		print_eset_cond(sb, e, 2 * TEXT_MAX);
	else
		print_eql_span(sb, &an->r->text, e->span, TEXT_MAX);
	sb_putc(sb, '\'');
}

/* --- witnesses --------------------------------------------------------- */

/* The class a single-valued field takes under the assignment (the first
 * that fits, present values first), or -1 for missing. */
static int
pick_class(const struct an *an, const struct var *v)
{
	size_t c;

	for (c = 0; c < v->ncls; c++)
		if (!v->cls[c].other && lg_class_fits(an, v, c))
			return (int)c;
	for (c = 0; c < v->ncls; c++)
		if (lg_class_fits(an, v, c))
			return (int)c;
	return -1;
}

/* The elements of an array field under the assignment: a class for each
 * test assigned true.  Returns the count (0: missing). */
static size_t
pick_elements(const struct an *an, const struct var *v, size_t *out)
{
	size_t s, c, n = 0, k;
	bool nonempty = false;

	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		int8_t b = an->val[v->atoms[s]];
		if (t->kind == AK_NULL && b == 0)
			nonempty = true;
		if (t->kind != AK_VAL || b != 1)
			continue;
		for (c = 0; c < v->ncls; c++)
			if (lg_element_fits(an, v, c, (int)s))
				break;
		if (c == v->ncls)
			continue;
		for (k = 0; k < n && out[k] != c; k++)
			;
		if (k == n)
			out[n++] = c;
	}
	if (n == 0 && nonempty)
		for (c = 0; c < v->ncls; c++)
			if (lg_element_fits(an, v, c, -1)) {
				out[n++] = c;
				break;
			}
	return n;
}

/* Assigns every test of a field that a witness mentions, from the
 * classes it takes. */
void
lg_complete_var(struct an *an, const struct var *v)
{
	size_t s, k, ne, *el;
	int c;

	if (!v->array) {
		c = pick_class(an, v);
		for (s = 0; s < v->natoms; s++) {
			const struct atom *t = &an->atoms[v->atoms[s]];
			int8_t *b = &an->val[v->atoms[s]];
			if (*b != UNK)
				continue;
			if (c < 0)
				*b = t->kind == AK_NULL;
			else
				*b = v->tt[(size_t)c * v->natoms + s] == TV_T;
		}
		return;
	}
	el = ARENA_NEWV(an->a, size_t, v->natoms + 1);
	if (!el)
		return;
	ne = pick_elements(an, v, el);
	for (s = 0; s < v->natoms; s++) {
		const struct atom *t = &an->atoms[v->atoms[s]];
		int8_t *b = &an->val[v->atoms[s]];
		if (*b != UNK)
			continue;
		if (t->kind == AK_NULL) {
			*b = ne == 0;
			continue;
		}
		*b = 0;
		for (k = 0; k < ne; k++)
			if (v->tt[el[k] * v->natoms + s] == TV_T)
				*b = 1;
	}
}

bool
lg_var_touched(const struct an *an, const struct var *v)
{
	size_t s;

	for (s = 0; s < v->natoms; s++)
		if (an->val[v->atoms[s]] != UNK)
			return true;
	return false;
}

/* The name of a field as written, for the family of the value shown. */
const char *
lg_var_shown(const struct var *v, int fam)
{
	const char *s = fam == 4 ? v->shown[1] : fam == 6 ? v->shown[2] : NULL;

	if (!s)
		s = v->shown[0];
	if (!s)
		s = v->shown[1] ? v->shown[1] : v->shown[2];
	return s ? s : v->name;
}

static void phrase_atom(struct an *an, struct strbuf *sb,
			const struct atom *t, bool pos, bool clause);

/* One class value as text. */
static void
put_class(struct an *an, struct strbuf *sb, const struct var *v,
	  const struct cls *c)
{
	char buf[DOM_IP_BUF];

	switch (v->kind) {
	case DK_IP:
		dom_ip_format(c->k, buf);
		sb_puts(sb, buf);
		break;
	case DK_INT:
		sb_printf(sb, "%lld", (long long)dom_int_of_key(c->k));
		break;
	case DK_REAL:
		sb_printf(sb, "%g", c->d);
		break;
	case DK_BOOL:
		sb_puts(sb, c->b ? "true" : "false");
		break;
	case DK_STR:
		if (c->other)
			sb_puts(sb, "another value");
		else
			print_string(sb, an->r->lang, c->s, c->len);
		break;
	default:
		sb_puts(sb, "a value");
		break;
	}
}

/* "F = v", "F is not set", ... for one field of a witness; sets *conn to
 * "to"/"from" when it is a lone network address. */
static void
witness_var(struct an *an, struct strbuf *sb, const struct var *v,
	    const char **conn, struct strbuf *addr)
{
	size_t s, k, ne, *el;
	int c;
	bool first = true;

	*conn = NULL;
	if (!v->array) {
		c = pick_class(an, v);
		if (c < 0) {
			sb_printf(sb, "%s is not set", lg_var_shown(v, 0));
			return;
		}
		if (v->kind == DK_STR && v->cls[c].other) {
			/* no single text: say what it does and does not do */
			for (s = 0; s < v->natoms; s++) {
				const struct atom *t = &an->atoms[v->atoms[s]];
				int8_t b = an->val[v->atoms[s]];
				if (b == UNK || t->kind != AK_VAL)
					continue;
				if (!first)
					sb_puts(sb, " and ");
				sb_printf(sb, "%s ", lg_var_shown(v, 0));
				phrase_atom(an, sb, t, b == 1, true);
				first = false;
			}
			if (first)
				sb_printf(sb, "%s is set", lg_var_shown(v, 0));
			return;
		}
		if (v->kind == DK_IP) {
			int fam = dom_ip_is_v4(v->cls[c].k) ? 4 : 6;
			sb_printf(sb, "%s = ", lg_var_shown(v, fam));
			put_class(an, sb, v, &v->cls[c]);
			if (strcmp(v->name, "destination.ip") == 0)
				*conn = "to";
			else if (strcmp(v->name, "source.ip") == 0)
				*conn = "from";
			put_class(an, addr, v, &v->cls[c]);
			return;
		}
		sb_printf(sb, "%s = ", lg_var_shown(v, 0));
		put_class(an, sb, v, &v->cls[c]);
		return;
	}
	el = ARENA_NEWV(an->a, size_t, v->natoms + 1);
	if (!el)
		return;
	ne = pick_elements(an, v, el);
	if (ne == 0) {
		sb_printf(sb, "%s is not set", lg_var_shown(v, 0));
		return;
	}
	sb_printf(sb, "%s = [", lg_var_shown(v, 0));
	for (k = 0; k < ne; k++) {
		if (k)
			sb_puts(sb, ", ");
		put_class(an, sb, v, &v->cls[el[k]]);
	}
	sb_putc(sb, ']');
}

/* "an event where ..." (or "a connection to A") for the tests of `scope`
 * that the current assignment sets. */
void
lg_witness(struct an *an, struct strbuf *sb, const struct lnode *scope)
{
	struct strbuf part = STRBUF_INIT, addr = STRBUF_INIT;
	const char *conn = NULL, *c;
	size_t i, j, nparts = 0, nfree = 0;
	const char **parts;

	parts = ARENA_NEWV(an->a, const char *, scope->natm + 1);
	if (!parts)
		return;
	for (i = 0; i < an->nvars; i++) {
		const struct var *v = &an->vars[i];
		bool in = false;
		for (j = 0; j < v->natoms && !in; j++)
			in = bsearch(&v->atoms[j], scope->atm, scope->natm,
				     sizeof(int), lg_int_order) != NULL;
		if (!in || !lg_var_touched(an, v))
			continue;
		witness_var(an, &part, v, &c, &addr);
		conn = c;
		parts[nparts++] = check_take(an->a, &part);
	}
	for (i = 0; i < scope->natm; i++) {
		const struct atom *t = &an->atoms[scope->atm[i]];
		int8_t b = an->val[scope->atm[i]];
		if (t->kind != AK_FREE || b == UNK)
			continue;
		lg_node_text(an, &part, t->ir);
		sb_printf(&part, " %s", b ? "holds" : "does not hold");
		parts[nparts++] = check_take(an->a, &part);
		nfree++;
	}
	if (nparts == 1 && conn && nfree == 0) {
		sb_printf(sb, "a connection %s %s", conn,
			  addr.data ? addr.data : "");
		sb_free(&addr);
		return;
	}
	sb_free(&addr);
	if (nparts == 0) {
		sb_puts(sb, "any event");
		return;
	}
	sb_puts(sb, "an event where ");
	for (i = 0; i < nparts; i++) {
		if (i)
			sb_puts(sb, i + 1 == nparts ? " and " : ", ");
		sb_puts(sb, parts[i]);
	}
}

/* --- phrases ----------------------------------------------------------- */

/* The order that holds exactly when `op` fails (> for <=, ...). */
static enum ir_op
not_op(enum ir_op op)
{
	switch (op) {
	case IR_OP_LT: return IR_OP_GE;
	case IR_OP_LE: return IR_OP_GT;
	case IR_OP_GT: return IR_OP_LE;
	default: return IR_OP_LT;
	}
}

/* A list of values, the first three of a long one. */
static void
put_list(struct an *an, struct strbuf *sb, const struct atom *t, bool raw)
{
	size_t i, shown = t->nvals > 5 ? 3 : t->nvals;

	sb_putc(sb, '(');
	for (i = 0; i < shown; i++) {
		if (i)
			sb_puts(sb, ", ");
		print_value(sb, an->r->lang, &t->vals[i], raw);
	}
	if (shown < t->nvals)
		sb_printf(sb, ", ... %zu values in all", t->nvals);
	sb_putc(sb, ')');
}

/* What a test requires of its field: "10.0.0.1", "greater than 5",
 * "matching "a*"", "set"; as a clause ("matches "a*"", "is set") when
 * clause is true. */
static void
phrase_atom(struct an *an, struct strbuf *sb, const struct atom *t,
	    bool pos, bool clause)
{
	bool raw = an->vars[t->var].kind == DK_IP;
	const char *verb = NULL;

	switch (t->form) {
	case AF_NULL:
		sb_puts(sb, clause ? "is " : "");
		sb_puts(sb, pos ? "not set" : "set");
		return;
	case AF_PRESENT:
		sb_puts(sb, clause ? "is " : "");
		sb_puts(sb, pos ? "set" : "not set");
		return;
	case AF_EQ:
		sb_puts(sb, clause ? (pos ? "= " : "is other than ")
				   : (pos ? "" : "other than "));
		print_value(sb, an->r->lang, &t->vals[0], raw);
		return;
	case AF_IN:
	case AF_CIDR:
		if (t->nvals == 1 && t->form == AF_IN) {
			sb_puts(sb, clause ? (pos ? "= " : "is other than ")
					   : (pos ? "" : "other than "));
			print_value(sb, an->r->lang, &t->vals[0], raw);
			return;
		}
		if (clause)
			sb_puts(sb, "is ");
		if (t->nvals == 1) {
			sb_puts(sb, pos ? "in " : "outside ");
			print_value(sb, an->r->lang, &t->vals[0], raw);
			return;
		}
		sb_puts(sb, t->form == AF_CIDR ? (pos ? "in one of "
						      : "in none of ")
					       : (pos ? "one of " : "none of "));
		put_list(an, sb, t, raw);
		return;
	case AF_CMP:
		if (clause)
			sb_puts(sb, "is ");
		switch (pos ? t->op : not_op(t->op)) {
		case IR_OP_LT: sb_puts(sb, "less than "); break;
		case IR_OP_LE: sb_puts(sb, "at most "); break;
		case IR_OP_GT: sb_puts(sb, "greater than "); break;
		default: sb_puts(sb, "at least "); break;
		}
		print_value(sb, an->r->lang, &t->vals[0], raw);
		return;
	case AF_MATCH: verb = clause ? "matches" : "matching"; break;
	case AF_REGEX:
		verb = clause ? "matches the regular expression"
			      : "matching the regular expression";
		break;
	case AF_STARTS: verb = clause ? "starts with" : "starting with"; break;
	case AF_ENDS: verb = clause ? "ends with" : "ending with"; break;
	case AF_CONTAINS: verb = clause ? "contains" : "containing"; break;
	default:
		sb_puts(sb, pos ? (clause ? "passes the test" : "passing the test")
				: (clause ? "fails the test" : "failing the test"));
		return;
	}
	if (!pos)
		sb_puts(sb, clause ? "does not " : "not ");
	if (!pos && clause) {
		/* "does not match", "does not start with" */
		static const struct { enum aform f; const char *s; } base[] = {
			{ AF_MATCH, "match" }, { AF_STARTS, "start with" },
			{ AF_ENDS, "end with" }, { AF_CONTAINS, "contain" },
			{ AF_REGEX, "match the regular expression" },
		};
		size_t i;
		for (i = 0; i < sizeof base / sizeof base[0]; i++)
			if (base[i].f == t->form)
				verb = base[i].s;
	}
	sb_printf(sb, "%s ", verb);
	if (t->nvals == 1) {
		print_value(sb, an->r->lang, &t->vals[0], false);
	} else {
		sb_puts(sb, pos ? "one of " : "any of ");
		put_list(an, sb, t, false);
	}
}

/* The field of a node whose tests are all on one field (and view), or
 * -1. */
int
lg_single_var(const struct an *an, const struct lnode *n, unsigned *view)
{
	size_t i;
	int v = -1;

	*view = 0;
	for (i = 0; i < n->natm; i++) {
		const struct atom *t = &an->atoms[n->atm[i]];
		if (t->var < 0 || (v >= 0 && t->var != v))
			return -1;
		if (i > 0 && t->view != *view)
			*view = 0;      /* mixed views */
		else
			*view = t->view;
		v = t->var;
	}
	return v;
}

/* Is n (taken positively when pos) just "the field is set"? */
static bool
is_presence(const struct an *an, const struct lnode *n, bool pos)
{
	const struct atom *t;

	if (n->kind == L_NOT)
		return is_presence(an, n->kid[0], !pos);
	if (n->kind != L_ATOM)
		return false;
	t = &an->atoms[n->atom];
	return (t->form == AF_NULL && !pos) || (t->form == AF_PRESENT && pos);
}

/* What a one-field node requires, e.g. "10.0.0.1 or 10.0.0.2"; false if
 * the node is too complex to say. */
bool
lg_phrase_node(struct an *an, struct strbuf *sb, const struct lnode *n,
	    bool pos)
{
	size_t i;

	if (sb->len > 3 * TEXT_MAX)
		return false;
	switch (n->kind) {
	case L_ATOM:
		if (an->atoms[n->atom].kind == AK_FREE)
			return false;
		phrase_atom(an, sb, &an->atoms[n->atom], pos, false);
		return true;
	case L_NOT:
		return lg_phrase_node(an, sb, n->kid[0], !pos);
	case L_AND:
	case L_OR: {
		bool sep = false;
		for (i = 0; i < n->n; i++) {
			/* "set and other than "a"" says no more than "other
			 * than "a"" (ESET's isnot and its kind) */
			if (n->n > 1 && (n->kind == L_AND) == pos &&
			    is_presence(an, n->kid[i], pos))
				continue;
			if (sep)
				sb_puts(sb, (n->kind == L_OR) == pos ? " or "
								     : " and ");
			if (!lg_phrase_node(an, sb, n->kid[i], pos))
				return false;
			sep = true;
		}
		return sep;
	}
	default:
		return false;
	}
}

