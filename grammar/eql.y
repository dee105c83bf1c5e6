/*
 * eql.y - grammar of Elasticsearch EQL.
 *
 * Every action is one AST constructor call; checks that need more than the
 * shape of the input (pipe names, maxspan units, `runs`, field-to-field
 * comparisons, sample clauses) are made by sema on the tree, where the
 * message can be precise.  The grammar therefore accepts some inputs that
 * Elasticsearch's grammar rejects (`=` as a comparison, `by` after `with`,
 * join, lineage) only to report them well.
 *
 * Error recovery: `error` productions at query, stage and parenthesis level
 * let one query report several syntax errors.
 */
%code requires {
#include "base/source.h"
#include "front/ast.h"
struct eql_parser;
#define EQL_LTYPE struct span
#define EQL_LTYPE_IS_DECLARED 1
}

%code {
#include <stdio.h>
#include <string.h>

#include "base/suggest.h"
#include "front/eql.h"

#define A (p->arena)
/* bounds the parser stack, hence the depth of every tree walk after it */
#define YYMAXDEPTH 2000
/* the span from the first to the last symbol of a rule; empty rules sit at
 * the end of the previous symbol */
#define YYLLOC_DEFAULT(Cur, Rhs, N)                                     \
	do {                                                            \
		if (N) {                                                \
			(Cur).start = YYRHSLOC(Rhs, 1).start;           \
			(Cur).end = YYRHSLOC(Rhs, N).end;               \
		} else {                                                \
			(Cur).start = (Cur).end = YYRHSLOC(Rhs, 0).end; \
		}                                                       \
	} while (0)

static int eql_lex(EQL_STYPE *lval, EQL_LTYPE *lloc, struct eql_parser *p);
static void eql_error(EQL_LTYPE *lloc, struct eql_parser *p, const char *msg);

static struct ast *binary_flat(struct eql_parser *p, enum ast_kind k,
			       YYLTYPE sp, struct ast *l, struct ast *r);
static struct ast *name_node(struct eql_parser *p, enum ast_kind k,
			     YYLTYPE sp, const char *s, size_t n);
static struct ast *join_field(struct eql_parser *p, YYLTYPE sp,
			      struct ast *f, const char *s, size_t n);
static void adopt_list(struct ast *dst, const struct ast *src);
static void set_kid(struct ast *n, int i, struct ast *k);
}

%define api.pure full
%define api.prefix {eql_}
%define api.token.prefix {T_}
%define parse.error custom
%define parse.lac full
%locations
%param {struct eql_parser *p}
%expect 0

%union {
	struct ast *node;
	struct { const char *s; size_t n; } str;
	enum ast_op op;
}

%token AND "'and'" ANY "'any'" BY "'by'" FALSE "'false'" IN "'in'"
%token IN_I "'in~'" JOIN "'join'" LIKE "'like'" LIKE_I "'like~'"
%token MAXSPAN "'maxspan'" NOT "'not'" NULL "'null'" OF "'of'" OR "'or'"
%token REGEX "'regex'" REGEX_I "'regex~'" SAMPLE "'sample'"
%token SEQUENCE "'sequence'" TRUE "'true'" UNTIL "'until'"
%token WHERE "'where'" WITH "'with'"
%token EQ "'=='" NE "'!='" LT "'<'" LE "'<='" GT "'>'" GE "'>='"
%token ASSIGN "'='" COLON "':'" PLUS "'+'" MINUS "'-'" STAR "'*'"
%token SLASH "'/'" PERCENT "'%'" LP "'('" RP "')'" LB "'['" RB "']'"
%token MISSING_LB "'!['" COMMA "','" DOT "'.'" PIPE "'|'" QMARK "'?'"
%token <str> IDENT "identifier" TILDE_IDENT "function name~"
%token <node> STRING "string" INTEGER "integer" DECIMAL "number"

%type <node> statement query event_filter category_filter
%type <node> sequence sample join seq_header seq_params timespan
%type <node> terms term subquery keys_opt keys runs_opt until_opt
%type <node> pipes pipe pipe_args expr or_expr and_expr not_expr predicate
%type <node> comparison value term_expr unary primary field field_path
%type <node> call args arg_list literal patterns pattern_list expr_list
%type <node> runs_value
%type <op> cmp_op str_op

%%

statement
	: query pipes            { p->result = $$ = ast_new1(A, A_STATEMENT, @$, OP_NONE, $1);
	                           adopt_list($$, $2); }
	;

query
	: event_filter
	| sequence
	| sample
	| join
	| error                  { $$ = ast_new(A, A_ERROR, @$); }
	;

event_filter
	: ANY WHERE expr         { $$ = ast_new1(A, A_EVENT, @$, OP_NONE, $3);
	                           if ($$) $$->flags |= AF_ANY; }
	| category_filter
	;

category_filter
	: IDENT WHERE expr       { $$ = name_node(p, A_EVENT, @$, $1.s, $1.n);
	                           set_kid($$, 0, $3); }
	| STRING WHERE expr      { $$ = $1 ? name_node(p, A_EVENT, @$, $1->str, $1->slen) : NULL;
	                           if ($$) { set_kid($$, 0, $3); $$->flags |= AF_QUOTED; } }
	;

sequence
	: SEQUENCE seq_header terms until_opt
	                         { $$ = $2; if ($$) { $$->kind = A_SEQUENCE; $$->span = @$;
	                           adopt_list($$, $3);
	                           set_kid($$, 2, $4); } }
	;

sample
	: SAMPLE seq_header terms until_opt
	                         { $$ = $2; if ($$) { $$->kind = A_SAMPLE; $$->span = @$;
	                           adopt_list($$, $3);
	                           set_kid($$, 2, $4); } }
	;

join
	: JOIN seq_header terms until_opt
	                         { $$ = $2; if ($$) { $$->kind = A_JOIN; $$->span = @$;
	                           adopt_list($$, $3);
	                           set_kid($$, 2, $4); } }
	;

/* The header node collects `by` (kid[0]) and `with maxspan` (kid[1]); the
 * rule above turns it into the sequence, sample or join node. */
seq_header
	: %empty                 { $$ = ast_new(A, A_SEQUENCE, @$); }
	| keys                   { $$ = ast_new1(A, A_SEQUENCE, @$, OP_NONE, $1); }
	| seq_params             { $$ = ast_new2(A, A_SEQUENCE, @$, OP_NONE, NULL, $1); }
	| keys seq_params        { $$ = ast_new2(A, A_SEQUENCE, @$, OP_NONE, $1, $2); }
	| seq_params keys        { $$ = ast_new2(A, A_SEQUENCE, @$, OP_NONE, $2, $1);
	                           if ($$) $$->flags |= AF_BY_AFTER_WITH; }
	;

seq_params
	: WITH MAXSPAN ASSIGN timespan { $$ = $4; if ($$) $$->span = @$; }
	;

timespan
	: INTEGER                { $$ = ast_new1(A, A_TIMESPAN, @$, OP_NONE, $1); }
	| DECIMAL                { $$ = ast_new1(A, A_TIMESPAN, @$, OP_NONE, $1); }
	| INTEGER IDENT          { $$ = name_node(p, A_TIMESPAN, @$, $2.s, $2.n);
	                           set_kid($$, 0, $1); }
	| DECIMAL IDENT          { $$ = name_node(p, A_TIMESPAN, @$, $2.s, $2.n);
	                           set_kid($$, 0, $1); }
	;

terms
	: term                   { $$ = ast_append(ast_new(A, A_KEYS, @$), $1); }
	| terms term             { $$ = ast_append($1, $2); }
	;

term
	: subquery keys_opt runs_opt
	                         { $$ = ast_new2(A, A_TERM, @$, OP_NONE, $1, $2);
	                           if ($$) { set_kid($$, 2, $3);
	                             if ($1 && ($1->flags & AF_MISSING)) {
	                               $$->flags |= AF_MISSING; $1->flags &= ~(unsigned)AF_MISSING; } } }
	;

subquery
	: LB event_filter RB     { $$ = $2; }
	| MISSING_LB event_filter RB
	                         { $$ = $2; if ($$) $$->flags |= AF_MISSING; }
	| LB error RB            { $$ = ast_new(A, A_ERROR, @$); }
	| MISSING_LB error RB    { $$ = ast_new(A, A_ERROR, @$); }
	;

runs_opt
	: %empty                 { $$ = NULL; }
	| WITH IDENT ASSIGN runs_value
	                         { $$ = name_node(p, A_PARAM, @$, $2.s, $2.n);
	                           set_kid($$, 0, $4); }
	;

/* only a whole number is valid; the others parse to be reported well */
runs_value
	: INTEGER
	| DECIMAL
	| MINUS INTEGER          { $$ = ast_new1(A, A_NEG, @$, OP_SUB, $2); }
	;

until_opt
	: %empty                 { $$ = NULL; }
	| UNTIL term             { $$ = $2; if ($$) $$->span = @$; }
	;

keys_opt
	: %empty                 { $$ = NULL; }
	| keys
	;

keys
	: BY expr                { $$ = ast_append(ast_new(A, A_KEYS, @$), $2); }
	| keys COMMA expr        { $$ = ast_append($1, $3); }
	;

pipes
	: %empty                 { $$ = ast_new(A, A_KEYS, @$); }
	| pipes pipe             { $$ = ast_append($1, $2); }
	;

pipe
	: PIPE IDENT pipe_args   { $$ = name_node(p, A_PIPE, @$, $2.s, $2.n);
	                           adopt_list($$, $3); }
	;

pipe_args
	: %empty                 { $$ = NULL; }
	| expr_list
	;

expr_list
	: expr                   { $$ = ast_append(ast_new(A, A_KEYS, @$), $1); }
	| expr_list COMMA expr   { $$ = ast_append($1, $3); }
	;

expr
	: or_expr
	;

or_expr
	: and_expr
	| or_expr OR and_expr    { $$ = binary_flat(p, A_OR, @$, $1, $3); }
	;

and_expr
	: not_expr
	| and_expr AND not_expr  { $$ = binary_flat(p, A_AND, @$, $1, $3); }
	;

not_expr
	: NOT not_expr           { $$ = ast_new1(A, A_NOT, @$, OP_NONE, $2); }
	| predicate
	;

predicate
	: comparison
	| value IN LP expr_list RP
	                         { $$ = ast_new1(A, A_IN, @$, OP_IN, $1);
	                           adopt_list($$, $4); }
	| value IN_I LP expr_list RP
	                         { $$ = ast_new1(A, A_IN, @$, OP_IN_I, $1);
	                           adopt_list($$, $4); }
	| value NOT IN LP expr_list RP
	                         { $$ = ast_new1(A, A_IN, @$, OP_IN, $1);
	                           adopt_list($$, $5); if ($$) $$->flags |= AF_NEGATED; }
	| value NOT IN_I LP expr_list RP
	                         { $$ = ast_new1(A, A_IN, @$, OP_IN_I, $1);
	                           adopt_list($$, $5); if ($$) $$->flags |= AF_NEGATED; }
	| value str_op patterns  { $$ = ast_new1(A, A_MATCH, @$, $2, $1);
	                           adopt_list($$, $3); if ($$ && $3) $$->flags |= $3->flags & AF_LIST; }
	| IDENT OF subquery      { $$ = name_node(p, A_LINEAGE, @$, $1.s, $1.n);
	                           set_kid($$, 0, $3); }
	;

/* Chained comparisons parse (left-nested) so that sema can say why they
 * are wrong. */
comparison
	: value
	| comparison cmp_op value
	                         { $$ = ast_new2(A, A_CMP, @$, $2, $1, $3); }
	;

cmp_op
	: EQ { $$ = OP_EQ; } | NE { $$ = OP_NE; } | LT { $$ = OP_LT; }
	| LE { $$ = OP_LE; } | GT { $$ = OP_GT; } | GE { $$ = OP_GE; }
	| ASSIGN { $$ = OP_ASSIGN; }
	;

str_op
	: COLON { $$ = OP_COLON; } | LIKE { $$ = OP_LIKE; }
	| LIKE_I { $$ = OP_LIKE_I; } | REGEX { $$ = OP_REGEX; }
	| REGEX_I { $$ = OP_REGEX_I; }
	;

patterns
	: literal                { $$ = ast_append(ast_new(A, A_KEYS, @$), $1); }
	| LP pattern_list RP     { $$ = $2; if ($$) $$->flags |= AF_LIST; }
	;

pattern_list
	: literal                { $$ = ast_append(ast_new(A, A_KEYS, @$), $1); }
	| pattern_list COMMA literal
	                         { $$ = ast_append($1, $3); }
	;

value
	: term_expr
	| value PLUS term_expr   { $$ = ast_new2(A, A_ARITH, @$, OP_ADD, $1, $3); }
	| value MINUS term_expr  { $$ = ast_new2(A, A_ARITH, @$, OP_SUB, $1, $3); }
	;

term_expr
	: unary
	| term_expr STAR unary   { $$ = ast_new2(A, A_ARITH, @$, OP_MUL, $1, $3); }
	| term_expr SLASH unary  { $$ = ast_new2(A, A_ARITH, @$, OP_DIV, $1, $3); }
	| term_expr PERCENT unary
	                         { $$ = ast_new2(A, A_ARITH, @$, OP_MOD, $1, $3); }
	;

unary
	: MINUS unary            { $$ = ast_new1(A, A_NEG, @$, OP_SUB, $2); }
	| PLUS unary             { $$ = ast_new1(A, A_NEG, @$, OP_ADD, $2); }
	| primary
	;

primary
	: literal
	| field
	| call
	| LP expr RP             { $$ = $2; if ($$) { $$->flags |= AF_PAREN; $$->span = @$; } }
	| LP error RP            { $$ = ast_new(A, A_ERROR, @$); }
	;

literal
	: STRING
	| INTEGER
	| DECIMAL
	| TRUE                   { $$ = ast_new(A, A_BOOL, @$); if ($$) $$->ival = 1; }
	| FALSE                  { $$ = ast_new(A, A_BOOL, @$); }
	| NULL                   { $$ = ast_new(A, A_NULL, @$); }
	;

field
	: field_path
	| QMARK field_path       { $$ = $2; if ($$) { $$->flags |= AF_OPTIONAL; $$->span = @$; } }
	;

field_path
	: IDENT                  { $$ = name_node(p, A_FIELD, @$, $1.s, $1.n); }
	| field_path DOT IDENT   { $$ = join_field(p, @$, $1, $3.s, $3.n); }
	;

call
	: IDENT LP args RP       { $$ = name_node(p, A_CALL, @$, $1.s, $1.n);
	                           adopt_list($$, $3); }
	| TILDE_IDENT LP args RP { $$ = name_node(p, A_CALL, @$, $1.s, $1.n);
	                           adopt_list($$, $3); if ($$) $$->flags |= AF_TILDE; }
	;

args
	: %empty                 { $$ = NULL; }
	| arg_list
	;

arg_list
	: expr                   { $$ = ast_append(ast_new(A, A_KEYS, @$), $1); }
	| arg_list COMMA expr    { $$ = ast_append($1, $3); }
	;

%%

static struct ast *
name_node(struct eql_parser *p, enum ast_kind k, YYLTYPE sp, const char *s,
	  size_t n)
{
	struct ast *a = ast_new(p->arena, k, sp);

	if (a && s) {
		a->str = s;
		a->slen = n;
	}
	return a;
}

/* Moves the children collected in a temporary list node (stages, keys,
 * arguments) to their real parent.  Either may be NULL after an allocation
 * failure. */
static void
adopt_list(struct ast *dst, const struct ast *src)
{
	if (!dst || !src)
		return;
	dst->list = src->list;
	dst->tail = src->tail;
	dst->nlist = src->nlist;
	if (src->depth >= dst->depth)
		dst->depth = src->depth + 1;
}

/* n->kid[i] = k, keeping n's depth. */
static void
set_kid(struct ast *n, int i, struct ast *k)
{
	if (!n)
		return;
	n->kid[i] = k;
	if (k && k->depth >= n->depth)
		n->depth = k->depth + 1;
}

/* `a.b` + `c`: one FIELD node with the dotted name. */
static struct ast *
join_field(struct eql_parser *p, YYLTYPE sp, struct ast *f, const char *s,
	   size_t n)
{
	size_t need;

	if (!f || !f->str || !s)
		return f;
	/* the name grows in place, doubling its buffer (capacity in ival):
	 * a long a.b.c... costs linear memory, not quadratic */
	need = f->slen + 1 + n + 1;
	if (need > (size_t)f->ival) {
		size_t cap = need * 2;
		char *name = arena_alloc(p->arena, cap);
		if (!name)
			return NULL;
		memcpy(name, f->str, f->slen);
		f->str = name;
		f->ival = (int64_t)cap;
	}
	((char *)f->str)[f->slen] = '.';
	memcpy((char *)f->str + f->slen + 1, s, n);
	f->slen += 1 + n;
	((char *)f->str)[f->slen] = '\0';
	f->span = sp;
	return f;
}

/* `a or b or c` becomes one OR node with three children (no deep left
 * spine), unless the left side was written in parentheses. */
static struct ast *
binary_flat(struct eql_parser *p, enum ast_kind k, YYLTYPE sp, struct ast *l,
	    struct ast *r)
{
	struct ast *n;

	if (l && l->kind == k && !(l->flags & AF_PAREN)) {
		ast_append(l, r);
		l->span = sp;
		return l;
	}
	n = ast_new(p->arena, k, sp);
	ast_append(n, l);
	ast_append(n, r);
	if (n)
		n->span = sp;
	return n;
}

int eqlscan_lex(EQL_STYPE *lval, EQL_LTYPE *lloc, void *scanner);

/* Remembers the last two tokens, for the messages of syntax errors. */
static int
eql_lex(EQL_STYPE *lval, EQL_LTYPE *lloc, struct eql_parser *p)
{
	int tok = eqlscan_lex(lval, lloc, p->scanner);

	/* the end of the query sits right after its last token */
	if (tok == T_YYEOF)
		*lloc = span_make(p->cur_span.end, p->cur_span.end);
	p->prev_tok = p->cur_tok;
	p->prev_span = p->cur_span;
	p->cur_tok = tok;
	p->cur_span = *lloc;
	p->ntokens++;
	return tok;
}

/* Only reached when the parser stack is exhausted (YYMAXDEPTH), i.e. by
 * absurdly deep nesting such as thousands of 'not's. */
static void
eql_error(EQL_LTYPE *lloc, struct eql_parser *p, const char *msg)
{
	(void)msg;
	eql_error_at(p, D_SYNTAX_ERROR, *lloc, "the query is nested too "
		     "deeply to parse");
}

/* The closest keyword among the expected tokens to an identifier the user
 * wrote, for "did you mean". */
static bool
keyword_suggestion(const yypcontext_t *ctx, const char *word, size_t n,
		   char *out, size_t outsz)
{
	yysymbol_kind_t exp[YYNTOKENS];
	int i, k = yypcontext_expected_tokens(ctx, exp, YYNTOKENS);
	struct suggest sg;
	const char *best;
	size_t j;

	suggest_init(&sg, word, n, true);
	for (i = 0; i < k; i++) {
		const char *name = yysymbol_name(exp[i]);
		size_t len = strlen(name);
		/* keyword names are quoted: 'where' */
		if (len > 2 && name[0] == '\'' && name[1] >= 'a' &&
		    name[1] <= 'z')
			suggest_add(&sg, name + 1, len - 2);
	}
	best = suggest_best(&sg);
	if (!best)
		return false;
	/* best points into a quoted symbol name: copy up to the quote */
	for (j = 0; best[j] && best[j] != '\'' && j + 1 < outsz; j++)
		out[j] = best[j];
	out[j] = '\0';
	return true;
}

/* Literal tokens; a message says "a literal" instead of listing them. */
static bool
is_literal(yysymbol_kind_t k)
{
	switch (k) {
	case YYSYMBOL_STRING: case YYSYMBOL_INTEGER: case YYSYMBOL_DECIMAL:
	case YYSYMBOL_TRUE: case YYSYMBOL_FALSE: case YYSYMBOL_NULL:
		return true;
	default:
		return false;
	}
}

/* Tokens that can start an expression but are not literals. */
static bool
starts_expression(yysymbol_kind_t k)
{
	switch (k) {
	case YYSYMBOL_IDENT: case YYSYMBOL_TILDE_IDENT: case YYSYMBOL_LP:
	case YYSYMBOL_MINUS: case YYSYMBOL_PLUS: case YYSYMBOL_NOT:
	case YYSYMBOL_QMARK:
		return true;
	default:
		return is_literal(k);
	}
}

/* Syntax errors: "unexpected X, expected A, B or C" (tokens that start an
 * expression summarised as "an expression"), a "did you mean" when an
 * identifier is close to an expected keyword or the query starts with a
 * misspelled 'sequence' or 'sample', and a note at the innermost open
 * bracket when its closer would fit here or the input ends. */
static int
yyreport_syntax_error(const yypcontext_t *ctx, struct eql_parser *p)
{
	yysymbol_kind_t exp[YYNTOKENS], shown[YYNTOKENS];
	yysymbol_kind_t tok = yypcontext_token(ctx);
	const YYLTYPE *loc = yypcontext_location(ctx);
	int n = yypcontext_expected_tokens(ctx, exp, YYNTOKENS), i, ns = 0;
	int top;
	bool expr = false, lit = false, name = false, closer = false;
	struct strbuf sb = STRBUF_INIT;
	struct diag *d;
	char sugg[32];
	bool has_sugg = false;
	char what[64];

	if (tok == YYSYMBOL_YYEOF && p->eof_reported) {
		/* the scanner said why the query ends here */
		p->recovered++;
		return 0;
	}
	if (tok == YYSYMBOL_YYEOF)
		snprintf(what, sizeof what, "end of query");
	else if (tok == YYSYMBOL_IDENT || tok == YYSYMBOL_TILDE_IDENT) {
		size_t len = loc->end - loc->start;
		snprintf(what, sizeof what, "identifier '%.*s'",
			 (int)(len > 40 ? 40 : len),
			 p->text->data + loc->start);
	} else
		snprintf(what, sizeof what, "%s", yysymbol_name(tok));
	/* the innermost bracket open before this token (an unexpected '['
	 * has already been pushed by the scanner) */
	top = (int)p->nopen - 1;
	if (top >= 0 && p->open[top].off == loc->start)
		top--;
	/* an expression can start here when a name, a literal and a sign
	 * can (at the start of a query a name or string is a category);
	 * literals without names are the patterns of ':', 'like' and
	 * 'regex', which must be strings */
	for (i = 0; i < n; i++) {
		if (exp[i] == YYSYMBOL_IDENT)
			name = true;
		if (exp[i] == YYSYMBOL_STRING)
			lit = true;
		if (exp[i] == YYSYMBOL_MINUS)
			expr = true;
	}
	expr = expr && name && lit;
	lit = lit && !name;
	for (i = 0; i < n; i++) {
		if (!(expr ? starts_expression(exp[i])
			   : lit && is_literal(exp[i])))
			shown[ns++] = exp[i];
		if (top >= 0 &&
		    ((exp[i] == YYSYMBOL_RB && p->open[top].ch == '[') ||
		     (exp[i] == YYSYMBOL_RP && p->open[top].ch == '(')))
			closer = true;
	}
	sb_printf(&sb, "unexpected %s", what);
	if (n > 0 && ns <= 6) {
		/* "A", "A or B", "A, B or C" with "an expression" first */
		bool group = expr || lit;
		int total = ns + (group ? 1 : 0);
		for (i = 0; i < total; i++) {
			sb_puts(&sb, i == 0 ? ", expected "
				     : i == total - 1 ? " or " : ", ");
			if (group && i == 0)
				sb_puts(&sb, expr ? "an expression"
						  : "a string literal");
			else
				sb_puts(&sb, yysymbol_name(shown[i - (group ? 1 : 0)]));
		}
	}
	if (tok == YYSYMBOL_IDENT)
		has_sugg = keyword_suggestion(ctx, p->text->data + loc->start,
					      loc->end - loc->start, sugg,
					      sizeof sugg);
	d = eql_diag_at(p, D_SYNTAX_ERROR, *loc, "%s",
			sb.data ? sb.data : "syntax error");
	sb_free(&sb);
	p->recovered++;
	if (has_sugg) {
		diag_help(p->diags, d, "did you mean '%s'?", sugg);
	} else if (tok == YYSYMBOL_LB && p->prev_tok == T_IDENT &&
		   p->prev_span.end == loc->start) {
		diag_help(p->diags, d, "Elasticsearch EQL has no array "
			  "indexes; a condition on an array field holds when "
			  "any element satisfies it");
	} else if (p->ntokens == 2 && p->prev_tok == T_IDENT) {
		/* `sequense by ...`: the first word was read as a category */
		static const char *const heads[] = { "sequence", "sample" };
		const char *w = p->text->data + p->prev_span.start;
		size_t wl = p->prev_span.end - p->prev_span.start;
		struct suggest sg;
		unsigned k;

		suggest_init(&sg, w, wl, false);
		for (k = 0; k < 2; k++)
			suggest_add(&sg, heads[k], strlen(heads[k]));
		if (suggest_best(&sg))
			diag_help(p->diags, d, "did you mean '%s'? ('%.*s' "
				  "is read as an event category)",
				  suggest_best(&sg), (int)wl, w);
	}
	if (top >= 0 && (tok == YYSYMBOL_YYEOF || closer ||
			 ((tok == YYSYMBOL_RP || tok == YYSYMBOL_RB) &&
			  p->closer_mismatch)))
		diag_note(p->diags, d, p->text,
			  span_make(p->open[top].off, p->open[top].off + 1),
			  "unclosed '%c' opened here", p->open[top].ch);
	diag_emit(p->diags, d);
	return 0;
}
