/*
 * util.h - helpers shared by the front-end and lowering tests (in the
 * manner of YARA's tests/util.h): compile a query string, collect the
 * diagnostics it produces, and assert on them and on dumps of the result.
 *
 * Every test gets a `struct parsed` from the cmocka fixture (PTEST): the
 * teardown releases it even when an assertion fails, so a failing test
 * does not also leak.  parse_str()/lower_str() may be called several times
 * in one test; each call starts afresh.
 *
 * The query text is copied into a malloc'd buffer of exactly len + 1
 * bytes, so AddressSanitizer catches a scanner that reads past the text.
 */
#ifndef RC_TEST_UTIL_H
#define RC_TEST_UTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/source.h"
#include "base/strbuf.h"
#include "front/ast.h"
#include "front/eql.h"
#include "sema/ir.h"
#include "sema/lower.h"
#include "sema/schema.h"

#define UTIL_FN static __attribute__((unused))

/* The small schema the lowering tests type against. */
#define TEST_SCHEMA                                 \
	"process.name\tkeyword\t-\n"                \
	"event.type\tkeyword\tarray\n"              \
	"process.pid\tlong\t-\n"                    \
	"source.ip\tip\t-\n"                        \
	"process.parent.name\tkeyword\t-\n"         \
	"process.args\tkeyword\tarray\n"            \
	"host.id\tkeyword\t-\n"                     \
	"user.name\tkeyword\t-\n"                   \
	"event.duration\tdouble\t-\n"               \
	"process.interactive\tboolean\t-\n"

enum { MAX_DIAGS = 64 };

struct parsed {
	struct arena a;
	struct diag_sink sink;
	struct rc_source src;
	struct rc_text text;
	char *buf;                   /* the query, malloc'd, len + 1 bytes */
	struct eql_parser parser;
	struct schema *schema;
	struct ast *ast;
	struct ir_query *ir;
	unsigned syntax_errors;      /* parser.errors */
	unsigned lower_errors;       /* lower_ctx.errors */
	bool lowered;                /* lower_eql ran */
	const struct diag *diags[MAX_DIAGS];
	int ndiags;                  /* all delivered, even past MAX_DIAGS */
	struct strbuf out;           /* the last dump or rendering */
	bool live;
};

/* --- life cycle ------------------------------------------------------- */

UTIL_FN void
parsed_free(struct parsed *p)
{
	if (p->live) {
		source_free_lines(&p->src);
		arena_release(&p->a);
		free(p->buf);
	}
	sb_free(&p->out);
	memset(p, 0, sizeof *p);
}

UTIL_FN void
collect_diag(void *ud, const struct diag *d)
{
	struct parsed *p = ud;

	if (p->ndiags < MAX_DIAGS)
		p->diags[p->ndiags] = d;
	p->ndiags++;
}

/* Fresh state for the query q[0..len). */
UTIL_FN void
parsed_init(struct parsed *p, const char *q, size_t len)
{
	parsed_free(p);
	arena_init(&p->a, NULL);
	diag_sink_init(&p->sink, &p->a);
	p->sink.fn = collect_diag;
	p->sink.ud = p;
	p->buf = malloc(len + 1);
	assert_non_null(p->buf);
	if (len)
		memcpy(p->buf, q, len);
	p->buf[len] = '\0';
	p->src.name = "q.eql";
	p->src.data = p->buf;
	p->src.len = len;
	p->text.src = &p->src;
	p->text.data = p->buf;
	p->text.len = len;
	p->live = true;
}

UTIL_FN int
parsed_setup(void **state)
{
	struct parsed *p = calloc(1, sizeof *p);

	if (!p)
		return -1;
	*state = p;
	return 0;
}

UTIL_FN int
parsed_teardown(void **state)
{
	struct parsed *p = *state;

	if (p) {
		parsed_free(p);
		free(p);
	}
	*state = NULL;
	return 0;
}

/* A test that receives a `struct parsed *` as its state. */
#define PTEST(fn) cmocka_unit_test_setup_teardown(fn, parsed_setup, \
						  parsed_teardown)

/* --- compiling -------------------------------------------------------- */

UTIL_FN struct ast *
parse_strn(struct parsed *p, const char *q, size_t len)
{
	parsed_init(p, q, len);
	p->ast = eql_parse_text(&p->parser, &p->a, &p->sink, &p->text);
	p->syntax_errors = p->parser.errors;
	return p->ast;
}

UTIL_FN struct ast *
parse_str(struct parsed *p, const char *q)
{
	return parse_strn(p, q, strlen(q));
}

/* Parses, and when the tree is complete (the parser did not have to
 * recover from a syntax error; lexical errors such as '&&' leave a
 * complete tree) lowers it against TEST_SCHEMA, as the loader does.
 * Returns what lower_eql returned. */
UTIL_FN struct ir_query *
lower_str(struct parsed *p, const char *q)
{
	struct lower_ctx lc;

	parse_str(p, q);
	if (!p->ast || p->parser.recovered || p->a.oom)
		return NULL;
	p->schema = schema_new(&p->a);
	assert_non_null(p->schema);
	assert_int_equal(schema_load(p->schema, "test", TEST_SCHEMA,
				     strlen(TEST_SCHEMA), NULL, NULL), 0);
	memset(&lc, 0, sizeof lc);
	lc.arena = &p->a;
	lc.diags = &p->sink;
	lc.schema = p->schema;
	lc.text = &p->text;
	p->ir = lower_eql(&lc, p->ast);
	p->lower_errors = lc.errors;
	p->lowered = true;
	return p->ir;
}

/* --- dumps ------------------------------------------------------------ */

UTIL_FN const char *
out_text(struct parsed *p)
{
	return p->out.data ? p->out.data : "";
}

/* The --dump-ast text of the last parse. */
UTIL_FN const char *
ast_dump_str(struct parsed *p)
{
	sb_free(&p->out);
	if (p->ast)
		ast_dump(p->ast, &p->text, &p->out);
	return out_text(p);
}

/* The --dump-ir text of the last lowering. */
UTIL_FN const char *
ir_dump_str(struct parsed *p)
{
	sb_free(&p->out);
	if (p->ir)
		ir_dump(p->ir, &p->text, &p->out);
	return out_text(p);
}

UTIL_FN void sexpr(struct strbuf *sb, const struct ast *n);

UTIL_FN void
sexpr_list(struct strbuf *sb, const struct ast *first)
{
	const struct ast *c;

	for (c = first; c; c = c->next) {
		sb_putc(sb, ' ');
		sexpr(sb, c);
	}
}

UTIL_FN void
sexpr_str(struct strbuf *sb, const char *s, size_t n)
{
	sb_putc(sb, '"');
	sb_eql_escape(sb, s, n);
	sb_putc(sb, '"');
}

/*
 * A compact, span-free rendering of a syntax tree, for checking structure:
 *   (event process (or (and (not a) b) c))
 *   (sequence (by x) (maxspan 5 m) (stage (event a true) (by y)
 *             (with runs 2)) (!stage ...) (until (stage ...)))
 * Operators print as written ((== a 1), (in~ x "a"), (not-in x 1),
 * (: x ["a" "b"]) for a list); unary signs as (- x) and (+ x); calls as
 * (call name~ args); raw strings with an r prefix; decimals always with a
 * dot or exponent; parentheses leave no trace.
 */
UTIL_FN void
sexpr(struct strbuf *sb, const struct ast *n)
{
	char num[64];

	if (!n) {
		sb_puts(sb, "nil");
		return;
	}
	switch (n->kind) {
	case A_STATEMENT:
		if (!n->list) {
			sexpr(sb, n->kid[0]);
			return;
		}
		sb_puts(sb, "(statement ");
		sexpr(sb, n->kid[0]);
		sexpr_list(sb, n->list);
		sb_putc(sb, ')');
		return;
	case A_EVENT:
		sb_puts(sb, "(event ");
		if (n->flags & AF_ANY)
			sb_puts(sb, "any");
		else if (n->flags & AF_QUOTED)
			sexpr_str(sb, n->str, n->slen);
		else
			sb_puts(sb, n->str);
		sb_putc(sb, ' ');
		sexpr(sb, n->kid[0]);
		sb_putc(sb, ')');
		return;
	case A_SEQUENCE:
	case A_SAMPLE:
	case A_JOIN:
		sb_printf(sb, "(%s", ast_kind_name(n->kind));
		if (n->flags & AF_BY_AFTER_WITH)
			sb_puts(sb, " by-after-with");
		if (n->kid[0]) {
			sb_putc(sb, ' ');
			sexpr(sb, n->kid[0]);
		}
		if (n->kid[1]) {
			sb_putc(sb, ' ');
			sexpr(sb, n->kid[1]);
		}
		sexpr_list(sb, n->list);
		if (n->kid[2]) {
			sb_puts(sb, " (until ");
			sexpr(sb, n->kid[2]);
			sb_putc(sb, ')');
		}
		sb_putc(sb, ')');
		return;
	case A_TERM:
		sb_puts(sb, (n->flags & AF_MISSING) ? "(!stage " : "(stage ");
		sexpr(sb, n->kid[0]);
		if (n->kid[1]) {
			sb_putc(sb, ' ');
			sexpr(sb, n->kid[1]);
		}
		if (n->kid[2]) {
			sb_putc(sb, ' ');
			sexpr(sb, n->kid[2]);
		}
		sb_putc(sb, ')');
		return;
	case A_KEYS:
		sb_puts(sb, "(by");
		sexpr_list(sb, n->list);
		sb_putc(sb, ')');
		return;
	case A_TIMESPAN:
		sb_puts(sb, "(maxspan ");
		sexpr(sb, n->kid[0]);
		if (n->str)
			sb_printf(sb, " %s", n->str);
		sb_putc(sb, ')');
		return;
	case A_PARAM:
		sb_printf(sb, "(with %s ", n->str);
		sexpr(sb, n->kid[0]);
		sb_putc(sb, ')');
		return;
	case A_PIPE:
		sb_printf(sb, "(pipe %s", n->str);
		sexpr_list(sb, n->list);
		sb_putc(sb, ')');
		return;
	case A_OR:
	case A_AND:
		sb_puts(sb, n->kind == A_OR ? "(or" : "(and");
		sexpr_list(sb, n->list);
		sb_putc(sb, ')');
		return;
	case A_NOT:
		sb_puts(sb, "(not ");
		sexpr(sb, n->kid[0]);
		sb_putc(sb, ')');
		return;
	case A_CMP:
	case A_ARITH:
		sb_printf(sb, "(%s ", ast_op_name(n->op));
		sexpr(sb, n->kid[0]);
		sb_putc(sb, ' ');
		sexpr(sb, n->kid[1]);
		sb_putc(sb, ')');
		return;
	case A_NEG:
		sb_printf(sb, "(%s ", ast_op_name(n->op));
		sexpr(sb, n->kid[0]);
		sb_putc(sb, ')');
		return;
	case A_IN:
		sb_printf(sb, "(%s%s ", (n->flags & AF_NEGATED) ? "not-" : "",
			  ast_op_name(n->op));
		sexpr(sb, n->kid[0]);
		sexpr_list(sb, n->list);
		sb_putc(sb, ')');
		return;
	case A_MATCH:
		sb_printf(sb, "(%s ", ast_op_name(n->op));
		sexpr(sb, n->kid[0]);
		if (n->flags & AF_LIST) {
			sb_puts(sb, " [");
			sexpr_list(sb, n->list);
			sb_puts(sb, " ]");
		} else {
			sexpr_list(sb, n->list);
		}
		sb_putc(sb, ')');
		return;
	case A_FIELD:
		if (n->flags & AF_OPTIONAL)
			sb_putc(sb, '?');
		sb_put(sb, n->str, n->slen);
		return;
	case A_CALL:
		sb_printf(sb, "(call %s%s", n->str,
			  (n->flags & AF_TILDE) ? "~" : "");
		sexpr_list(sb, n->list);
		sb_putc(sb, ')');
		return;
	case A_LINEAGE:
		sb_printf(sb, "(%s-of ", n->str);
		sexpr(sb, n->kid[0]);
		sb_putc(sb, ')');
		return;
	case A_STRING:
		if (n->flags & AF_RAW)
			sb_putc(sb, 'r');
		sexpr_str(sb, n->str, n->slen);
		return;
	case A_INTEGER:
		sb_printf(sb, "%lld", (long long)n->ival);
		return;
	case A_DECIMAL:
		snprintf(num, sizeof num, "%g", n->dval);
		sb_puts(sb, num);
		if (!strpbrk(num, ".eEni"))
			sb_puts(sb, ".0");
		return;
	case A_BOOL:
		sb_puts(sb, n->ival ? "true" : "false");
		return;
	case A_NULL:
		sb_puts(sb, "null");
		return;
	case A_ERROR:
		sb_puts(sb, "error");
		return;
	default:
		sb_printf(sb, "<%s>", ast_kind_name(n->kind));
		return;
	}
}

/* The compact form of the last parse. */
UTIL_FN const char *
ast_sexpr_str(struct parsed *p)
{
	sb_free(&p->out);
	sexpr(&p->out, p->ast);
	return out_text(p);
}

/* The compact form of a subtree. */
UTIL_FN const char *
node_sexpr_str(struct parsed *p, const struct ast *n)
{
	sb_free(&p->out);
	sexpr(&p->out, n);
	return out_text(p);
}

/* The condition of the single filter of an event query's AST. */
UTIL_FN const struct ast *
ast_cond(const struct parsed *p)
{
	assert_non_null(p->ast);
	assert_non_null(p->ast->kid[0]);
	assert_int_equal(p->ast->kid[0]->kind, A_EVENT);
	return p->ast->kid[0]->kid[0];
}

/* The condition of the first stage of the IR. */
UTIL_FN const struct ir_expr *
ir_cond(const struct parsed *p)
{
	assert_non_null(p->ir);
	assert_true(p->ir->nstages >= 1);
	assert_non_null(p->ir->stages[0].cond);
	return p->ir->stages[0].cond;
}

/* --- diagnostics ------------------------------------------------------ */

UTIL_FN const char *
diag_id_of(const struct diag *d)
{
	return diag_table[d->id].id;
}

/* The text rendering of diagnostic i. */
UTIL_FN const char *
render_diag(struct parsed *p, int i, unsigned flags)
{
	assert_true(i >= 0 && i < p->ndiags && i < MAX_DIAGS);
	sb_free(&p->out);
	diag_render_text(p->diags[i], &p->out, flags);
	return out_text(p);
}

/* Prints every collected diagnostic; used when an assertion about them
 * fails, so the log shows what was reported instead. */
UTIL_FN void
print_diags(const struct parsed *p)
{
	int i;

	print_error("%d diagnostic(s) for: %s\n", p->ndiags,
		    p->buf ? p->buf : "(none)");
	for (i = 0; i < p->ndiags && i < MAX_DIAGS; i++) {
		struct strbuf sb = STRBUF_INIT;

		diag_render_text(p->diags[i], &sb, 0);
		print_error("%s", sb.data ? sb.data : "");
		sb_free(&sb);
	}
}

UTIL_FN bool
diag_matches(const struct diag *d, const char *id, unsigned line,
	     unsigned col)
{
	struct diag_loc loc;

	diag_location(d, &loc);
	return strcmp(diag_id_of(d), id) == 0 && loc.line == line &&
	       loc.col == col;
}

UTIL_FN void
check_diag(const struct parsed *p, int i, const char *id, unsigned line,
	   unsigned col, const char *file, int fline)
{
	if (i >= p->ndiags || i >= MAX_DIAGS ||
	    !diag_matches(p->diags[i], id, line, col)) {
		print_error("expected diagnostic #%d to be %s at %u:%u\n", i,
			    id, line, col);
		print_diags(p);
		_fail(file, fline);
	}
}

UTIL_FN void
check_one_diag(const struct parsed *p, const char *id, unsigned line,
	       unsigned col, const char *file, int fline)
{
	if (p->ndiags != 1) {
		print_error("expected exactly one diagnostic (%s at %u:%u)\n",
			    id, line, col);
		print_diags(p);
		_fail(file, fline);
	}
	check_diag(p, 0, id, line, col, file, fline);
}

UTIL_FN void
check_has_diag(const struct parsed *p, const char *id, unsigned line,
	       unsigned col, const char *file, int fline)
{
	int i;

	for (i = 0; i < p->ndiags && i < MAX_DIAGS; i++)
		if (diag_matches(p->diags[i], id, line, col))
			return;
	print_error("expected a diagnostic %s at %u:%u\n", id, line, col);
	print_diags(p);
	_fail(file, fline);
}

UTIL_FN void
check_no_diags(const struct parsed *p, const char *file, int fline)
{
	if (p->ndiags != 0) {
		print_error("expected no diagnostics\n");
		print_diags(p);
		_fail(file, fline);
	}
}

UTIL_FN void
check_ndiags(const struct parsed *p, int n, const char *file, int fline)
{
	if (p->ndiags != n) {
		print_error("expected %d diagnostic(s)\n", n);
		print_diags(p);
		_fail(file, fline);
	}
}

/* Number of collected diagnostics with this id. */
UTIL_FN int
count_diags(const struct parsed *p, const char *id)
{
	int i, n = 0;

	for (i = 0; i < p->ndiags && i < MAX_DIAGS; i++)
		if (strcmp(diag_id_of(p->diags[i]), id) == 0)
			n++;
	return n;
}

/* The end of diagnostic i's span (exclusive), as line:col. */
UTIL_FN void
check_diag_end(const struct parsed *p, int i, unsigned line, unsigned col,
	       const char *file, int fline)
{
	struct diag_loc loc;

	if (i >= p->ndiags || i >= MAX_DIAGS) {
		print_diags(p);
		_fail(file, fline);
		return;
	}
	diag_location(p->diags[i], &loc);
	_assert_int_equal(loc.end_line, line, file, fline);
	_assert_int_equal(loc.end_col, col, file, fline);
}

UTIL_FN void
check_str_contains(const char *s, const char *sub, const char *file,
		   int fline)
{
	if (!s || !strstr(s, sub)) {
		print_error("\"%s\" does not contain \"%s\"\n",
			    s ? s : "(null)", sub);
		_fail(file, fline);
	}
}

/* Exactly one diagnostic, with this id at line:col. */
#define assert_one_diag(p, id, line, col) \
	check_one_diag((p), (id), (line), (col), __FILE__, __LINE__)
/* Diagnostic number i is id at line:col. */
#define assert_diag(p, i, id, line, col) \
	check_diag((p), (i), (id), (line), (col), __FILE__, __LINE__)
/* Some diagnostic is id at line:col. */
#define assert_has_diag(p, id, line, col) \
	check_has_diag((p), (id), (line), (col), __FILE__, __LINE__)
#define assert_no_diags(p) check_no_diags((p), __FILE__, __LINE__)
#define assert_ndiags(p, n) check_ndiags((p), (n), __FILE__, __LINE__)
#define assert_diag_end(p, i, line, col) \
	check_diag_end((p), (i), (line), (col), __FILE__, __LINE__)
#define assert_contains(s, sub) \
	check_str_contains((s), (sub), __FILE__, __LINE__)
/* The message / the help line of diagnostic i contains this text. */
#define assert_diag_msg(p, i, sub) do {                                  \
		assert_true((i) < (p)->ndiags && (i) < MAX_DIAGS);       \
		assert_contains((p)->diags[i]->msg, (sub));              \
	} while (0)
#define assert_diag_help(p, i, sub) do {                                 \
		assert_true((i) < (p)->ndiags && (i) < MAX_DIAGS);       \
		assert_contains((p)->diags[i]->help, (sub));             \
	} while (0)
/* Diagnostic i has no help line. */
#define assert_diag_no_help(p, i) do {                                   \
		assert_true((i) < (p)->ndiags && (i) < MAX_DIAGS);       \
		assert_null((p)->diags[i]->help);                        \
	} while (0)

#endif
