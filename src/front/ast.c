/*
 * ast.c - syntax tree constructors and the readable dump.
 */
#include "front/ast.h"

#include <inttypes.h>
#include <string.h>

static const char *const kind_names[A__COUNT] = {
#define X(e, name, slots) name,
#include "front/ast.def"
#undef X
};

static const char *const op_names[OP__COUNT] = {
#define O(e, s) s,
	AST_OPS(O)
#undef O
};

const char *
ast_kind_name(enum ast_kind k)
{
	return k < A__COUNT ? kind_names[k] : "?";
}

const char *
ast_op_name(enum ast_op op)
{
	return op < OP__COUNT ? op_names[op] : "?";
}

struct ast *
ast_new(struct arena *a, enum ast_kind k, struct span sp)
{
	struct ast *n = ARENA_NEW(a, struct ast);

	if (n) {
		n->kind = k;
		n->span = sp;
		n->depth = 1;
	}
	return n;
}

struct ast *
ast_new1(struct arena *a, enum ast_kind k, struct span sp, enum ast_op op,
	 struct ast *k0)
{
	struct ast *n = ast_new(a, k, sp);

	if (n) {
		n->op = op;
		n->kid[0] = k0;
		if (k0 && k0->depth >= n->depth)
			n->depth = k0->depth + 1;
	}
	return n;
}

struct ast *
ast_new2(struct arena *a, enum ast_kind k, struct span sp, enum ast_op op,
	 struct ast *k0, struct ast *k1)
{
	struct ast *n = ast_new1(a, k, sp, op, k0);

	if (n) {
		n->kid[1] = k1;
		if (k1 && k1->depth >= n->depth)
			n->depth = k1->depth + 1;
	}
	return n;
}

struct ast *
ast_str(struct arena *a, enum ast_kind k, struct span sp, const char *s,
	size_t len)
{
	struct ast *n = ast_new(a, k, sp);

	if (n) {
		n->str = arena_strndup(a, s, len);
		n->slen = len;
		if (!n->str)
			return NULL;
	}
	return n;
}

struct ast *
ast_append(struct ast *parent, struct ast *child)
{
	if (!parent || !child)
		return parent;
	if (parent->tail)
		parent->tail->next = child;
	else
		parent->list = child;
	parent->tail = child;
	parent->nlist++;
	if (child->depth >= parent->depth)
		parent->depth = child->depth + 1;
	parent->span = span_join(parent->span, child->span);
	return parent;
}

static void
dump_span(struct strbuf *sb, const struct rc_text *t, struct span sp)
{
	unsigned l1, c1, l2, c2;
	uint32_t a = text_to_source(t, sp.start);
	uint32_t b = sp.end > sp.start ? text_to_source(t, sp.end - 1) + 1 : a;

	if (source_linecol(t->src, a, &l1, &c1) < 0 ||
	    source_linecol(t->src, b, &l2, &c2) < 0) {
		sb_puts(sb, " @?");
		return;
	}
	if (l1 == l2)
		sb_printf(sb, " @%u:%u-%u", l1, c1, c2);
	else
		sb_printf(sb, " @%u:%u-%u:%u", l1, c1, l2, c2);
}

static void
dump_str(struct strbuf *sb, const char *s, size_t n)
{
	sb_putc(sb, '"');
	sb_eql_escape(sb, s, n);
	sb_putc(sb, '"');
}

/* One node per line, children indented by two spaces; the labels of the
 * fixed slots ("by", "until", ...) make sequences readable. */
static void
dump(const struct ast *n, const struct rc_text *t, struct strbuf *sb,
     unsigned depth, const char *label)
{
	const struct ast *c;
	unsigned i;

	sb_fill(sb, ' ', depth * 2);
	if (label)
		sb_printf(sb, "%s: ", label);
	if (!n) {
		sb_puts(sb, "(null)\n");
		return;
	}
	sb_puts(sb, kind_names[n->kind]);
	if (n->op != OP_NONE)
		sb_printf(sb, " %s", op_names[n->op]);
	switch (n->kind) {
	case A_EVENT:
		if (n->flags & AF_ANY)
			sb_puts(sb, " any");
		else if (n->flags & AF_QUOTED) {
			sb_putc(sb, ' ');
			dump_str(sb, n->str, n->slen);
		}
		else
			sb_printf(sb, " %s", n->str);
		break;
	case A_FIELD:
		sb_printf(sb, " %s%s", (n->flags & AF_OPTIONAL) ? "?" : "",
			  n->str);
		break;
	case A_CALL:
		sb_printf(sb, " %s%s", n->str, (n->flags & AF_TILDE) ? "~" : "");
		break;
	case A_STRING:
		sb_putc(sb, ' ');
		dump_str(sb, n->str, n->slen);
		if (n->flags & AF_RAW)
			sb_puts(sb, " raw");
		break;
	case A_INTEGER:
	case A_BOOL:
		if (n->kind == A_BOOL)
			sb_puts(sb, n->ival ? " true" : " false");
		else
			sb_printf(sb, " %" PRId64, n->ival);
		break;
	case A_DECIMAL:
		sb_printf(sb, " %.17g", n->dval);
		break;
	case A_TIMESPAN:
		if (n->str)
			sb_printf(sb, " unit=%s", n->str);
		break;
	case A_PARAM:
	case A_PIPE:
	case A_LINEAGE:
		sb_printf(sb, " %s", n->str);
		break;
	default:
		break;
	}
	if (n->flags & AF_MISSING)
		sb_puts(sb, " missing");
	if (n->flags & AF_NEGATED)
		sb_puts(sb, " negated");
	if (n->flags & AF_LIST)
		sb_puts(sb, " list");
	if (n->flags & AF_BY_AFTER_WITH)
		sb_puts(sb, " by-after-with");
	dump_span(sb, t, n->span);
	sb_putc(sb, '\n');
	if (n->kind == A_SEQUENCE || n->kind == A_SAMPLE || n->kind == A_JOIN) {
		/* header, stages, then until */
		for (i = 0; i < 2; i++)
			if (n->kid[i])
				dump(n->kid[i], t, sb, depth + 1, NULL);
		for (c = n->list; c; c = c->next)
			dump(c, t, sb, depth + 1, NULL);
		if (n->kid[2])
			dump(n->kid[2], t, sb, depth + 1, "until");
		return;
	}
	for (i = 0; i < 3; i++)
		if (n->kid[i])
			dump(n->kid[i], t, sb, depth + 1, NULL);
	for (c = n->list; c; c = c->next)
		dump(c, t, sb, depth + 1, NULL);
}

void
ast_dump(const struct ast *n, const struct rc_text *t, struct strbuf *sb)
{
	dump(n, t, sb, 0, NULL);
}
