/*
 * test_parser.c - the EQL grammar (grammar/eql.y): tree shapes, spans,
 * the --dump-ast format, and syntax errors with their recovery, notes and
 * suggestions.
 *
 * Structure is compared through the compact s-expression of util.h, e.g.
 * `(event process (or (and (not a) b) c))`.
 */
#include "util.h"

/* Parses q, expects no diagnostic and returns the s-expression. */
static const char *
sx(struct parsed *p, const char *q)
{
	parse_str(p, q);
	assert_no_diags(p);
	assert_int_equal(p->syntax_errors, 0);
	assert_non_null(p->ast);
	return ast_sexpr_str(p);
}

/* The s-expression of the condition of `process where <cond>`. */
static const char *
cond_sx(struct parsed *p, const char *cond)
{
	char q[512];

	snprintf(q, sizeof q, "process where %s", cond);
	sx(p, q);
	return node_sexpr_str(p, ast_cond(p));
}

/* Location of note k of diagnostic i. */
static void
note_loc(const struct parsed *p, int i, int k, unsigned *line,
	 unsigned *col, const char **msg)
{
	const struct diag_note *n;

	assert_true(i < p->ndiags && i < MAX_DIAGS);
	for (n = p->diags[i]->notes; n && k > 0; n = n->next)
		k--;
	assert_non_null(n);
	assert_non_null(n->text);
	assert_int_equal(source_linecol(n->text->src,
					text_to_source(n->text, n->span.start),
					line, col), 0);
	*msg = n->msg;
}

static int
nnotes(const struct parsed *p, int i)
{
	const struct diag_note *n;
	int c = 0;

	assert_true(i < p->ndiags && i < MAX_DIAGS);
	for (n = p->diags[i]->notes; n; n = n->next)
		c++;
	return c;
}

#define assert_note(p, i, k, l, c, text) do {                            \
		unsigned nl_, nc_;                                       \
		const char *nm_;                                         \
		note_loc((p), (i), (k), &nl_, &nc_, &nm_);               \
		assert_int_equal(nl_, (l));                              \
		assert_int_equal(nc_, (c));                              \
		assert_string_equal(nm_, (text));                        \
	} while (0)

/* --- logic ------------------------------------------------------------ */

static void
test_logic_precedence(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(sx(p, "process where not a and b or c"),
			    "(event process (or (and (not a) b) c))");
	assert_string_equal(cond_sx(p, "a or b and c"), "(or a (and b c))");
	assert_string_equal(cond_sx(p, "a and b or c and d"),
			    "(or (and a b) (and c d))");
	assert_string_equal(cond_sx(p, "not x == 1"), "(not (== x 1))");
	assert_string_equal(cond_sx(p, "not not a"), "(not (not a))");
	assert_string_equal(cond_sx(p, "not a or not b"),
			    "(or (not a) (not b))");
	assert_string_equal(cond_sx(p, "not (a or b)"), "(not (or a b))");
	assert_string_equal(cond_sx(p, "not x in (1)"), "(not (in x 1))");
	assert_string_equal(cond_sx(p, "not x : \"a\""), "(not (: x \"a\"))");
}

/* `a or b or c` is one node with three operands, unless the left one was
 * written in parentheses. */
static void
test_flat_and_or(void **state)
{
	struct parsed *p = *state;
	const struct ast *c;

	assert_string_equal(cond_sx(p, "a or b or c"), "(or a b c)");
	c = ast_cond(p);
	assert_int_equal(c->kind, A_OR);
	assert_int_equal(c->nlist, 3);
	assert_int_equal(c->span.start, 14);
	assert_int_equal(c->span.end, 25);

	assert_string_equal(cond_sx(p, "a and b and c and d"),
			    "(and a b c d)");
	assert_int_equal(ast_cond(p)->nlist, 4);

	assert_string_equal(cond_sx(p, "(a or b) or c"), "(or (or a b) c)");
	c = ast_cond(p);
	assert_int_equal(c->nlist, 2);
	assert_int_equal(c->list->kind, A_OR);
	assert_true(c->list->flags & AF_PAREN);
	/* the parenthesised node's span includes the parentheses */
	assert_int_equal(c->list->span.start, 14);
	assert_int_equal(c->list->span.end, 22);

	assert_string_equal(cond_sx(p, "a or (b or c)"), "(or a (or b c))");
	assert_string_equal(cond_sx(p, "a or b and c or d"),
			    "(or a (and b c) d)");
	assert_string_equal(cond_sx(p, "(a and b) and c"),
			    "(and (and a b) c)");
}

/* --- values ----------------------------------------------------------- */

static void
test_arithmetic_precedence(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(cond_sx(p, "1 + 2 * 3 - -4 % 5 == x"),
			    "(== (- (+ 1 (* 2 3)) (% (- 4) 5)) x)");
	assert_string_equal(cond_sx(p, "(1 + 2) * 3 == x"),
			    "(== (* (+ 1 2) 3) x)");
	assert_string_equal(cond_sx(p, "a - b - c == 0"),
			    "(== (- (- a b) c) 0)");
	assert_string_equal(cond_sx(p, "a / b * c % d == 0"),
			    "(== (% (* (/ a b) c) d) 0)");
	assert_string_equal(cond_sx(p, "a + 1 < b * 2"),
			    "(< (+ a 1) (* b 2))");
	assert_string_equal(cond_sx(p, "+x == - - 1"),
			    "(== (+ x) (- (- 1)))");
	assert_string_equal(cond_sx(p, "x == 1.5 + .5"),
			    "(== x (+ 1.5 0.5))");
}

static void
test_comparison_operators(void **state)
{
	static const char *const ops[] = { "==", "!=", "<", "<=", ">", ">=",
					   "=" };
	struct parsed *p = *state;
	char q[64], want[64];
	size_t i;

	for (i = 0; i < sizeof ops / sizeof ops[0]; i++) {
		snprintf(q, sizeof q, "a %s 1", ops[i]);
		snprintf(want, sizeof want, "(%s a 1)", ops[i]);
		assert_string_equal(cond_sx(p, q), want);
	}
	assert_string_equal(cond_sx(p, "a == null and b != true and "
				       "c == false"),
			    "(and (== a null) (!= b true) (== c false))");
}

static void
test_in_and_patterns(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(cond_sx(p, "x in (1, \"a\", y)"),
			    "(in x 1 \"a\" y)");
	assert_int_equal(ast_cond(p)->nlist, 3);
	assert_string_equal(cond_sx(p, "x in~ (\"a\")"), "(in~ x \"a\")");
	assert_string_equal(cond_sx(p, "x not in (1, 2)"),
			    "(not-in x 1 2)");
	assert_true(ast_cond(p)->flags & AF_NEGATED);
	assert_int_equal(ast_cond(p)->op, OP_IN);
	assert_string_equal(cond_sx(p, "x not in~ (\"a\")"),
			    "(not-in~ x \"a\")");
	assert_int_equal(ast_cond(p)->op, OP_IN_I);

	assert_string_equal(cond_sx(p, "x : \"a*\""), "(: x \"a*\")");
	assert_false(ast_cond(p)->flags & AF_LIST);
	assert_string_equal(cond_sx(p, "x : (\"a*\", \"b\")"),
			    "(: x [ \"a*\" \"b\" ])");
	assert_true(ast_cond(p)->flags & AF_LIST);
	assert_int_equal(ast_cond(p)->nlist, 2);
	assert_string_equal(cond_sx(p, "x like \"a\""), "(like x \"a\")");
	assert_string_equal(cond_sx(p, "x like~ (\"a\", \"b\")"),
			    "(like~ x [ \"a\" \"b\" ])");
	assert_string_equal(cond_sx(p, "x regex \"a.*\""),
			    "(regex x \"a.*\")");
	assert_string_equal(cond_sx(p, "x regex~ (\"a\")"),
			    "(regex~ x [ \"a\" ])");
	/* the left side may be an expression */
	assert_string_equal(cond_sx(p, "concat(a, b) : \"x\""),
			    "(: (call concat a b) \"x\")");
}

static void
test_fields_and_calls(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(cond_sx(p, "?x == ?y.z"), "(== ?x ?y.z)");
	assert_true(ast_cond(p)->kid[0]->flags & AF_OPTIONAL);
	/* the span of an optional field includes the '?' */
	assert_int_equal(ast_cond(p)->kid[0]->span.start, 14);
	assert_string_equal(cond_sx(p, "?`a b`.c == 1"), "(== ?a b.c 1)");
	assert_string_equal(cond_sx(p, "f()"), "(call f)");
	assert_string_equal(cond_sx(p, "length(concat(a, \"b\", 1)) > 2"),
			    "(> (call length (call concat a \"b\" 1)) 2)");
	assert_string_equal(cond_sx(p, "endsWith~(x, \"a\")"),
			    "(call endsWith~ x \"a\")");
	assert_true(ast_cond(p)->flags & AF_TILDE);
	/* the name is kept as written; lowering resolves it */
	assert_string_equal(cond_sx(p, "ENDSWITH(x, \"a\")"),
			    "(call ENDSWITH x \"a\")");
}

/* --- queries ---------------------------------------------------------- */

static void
test_event_queries(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(sx(p, "any where true"), "(event any true)");
	assert_true(p->ast->kid[0]->flags & AF_ANY);
	assert_string_equal(sx(p, "\"my-cat\" where true"),
			    "(event \"my-cat\" true)");
	assert_true(p->ast->kid[0]->flags & AF_QUOTED);
	assert_string_equal(p->ast->kid[0]->str, "my-cat");
	assert_string_equal(sx(p, "\"\"\"my cat\"\"\" where true"),
			    "(event \"my cat\" true)");
	/* a misspelt category is just another category */
	assert_string_equal(sx(p, "proces where true"),
			    "(event proces true)");
	assert_string_equal(sx(p, "`my cat` where true"),
			    "(event my cat true)");
}

static void
test_sequence(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(
		sx(p, "sequence by host.id, user.name with maxspan=5m\n"
		      "  [process where true] by process.pid with runs=2\n"
		      "  ![file where false]\n"
		      "  [network where true] by x\n"
		      "until [process where true] by y"),
		"(sequence (by host.id user.name) (maxspan 5 m) "
		"(stage (event process true) (by process.pid) (with runs 2)) "
		"(!stage (event file false)) "
		"(stage (event network true) (by x)) "
		"(until (stage (event process true) (by y))))");
	assert_int_equal(p->ast->kid[0]->kind, A_SEQUENCE);
	assert_int_equal(p->ast->kid[0]->nlist, 3);

	assert_string_equal(sx(p, "sequence [a where true] [b where true]"),
			    "(sequence (stage (event a true)) "
			    "(stage (event b true)))");
	/* shapes sema rejects still parse, so that it can say why */
	assert_string_equal(
		sx(p, "sequence with maxspan=2m by x [a where true] "
		      "[b where true]"),
		"(sequence by-after-with (by x) (maxspan 2 m) "
		"(stage (event a true)) (stage (event b true)))");
	assert_string_equal(
		sx(p, "sequence with maxspan=0.5s [a where true]"),
		"(sequence (maxspan 0.5 s) (stage (event a true)))");
	assert_string_equal(
		sx(p, "sequence with maxspan=5 [a where true]"),
		"(sequence (maxspan 5) (stage (event a true)))");
	assert_string_equal(
		sx(p, "sequence [a where true] with foo=2"),
		"(sequence (stage (event a true) (with foo 2)))");
	assert_string_equal(
		sx(p, "sequence by a, b [x where true] by c, d"),
		"(sequence (by a b) (stage (event x true) (by c d)))");
}

static void
test_sample_and_join(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(
		sx(p, "sample by x [a where true] [b where true] by y"),
		"(sample (by x) (stage (event a true)) "
		"(stage (event b true) (by y)))");
	assert_int_equal(p->ast->kid[0]->kind, A_SAMPLE);
	assert_string_equal(
		sx(p, "join by x [a where true] [b where true] "
		      "until [c where true]"),
		"(join (by x) (stage (event a true)) (stage (event b true)) "
		"(until (stage (event c true))))");
	assert_string_equal(
		sx(p, "process where descendant of [process where x == 1]"),
		"(event process (descendant-of (event process (== x 1))))");
}

static void
test_pipes(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(sx(p, "process where true | head 5 | tail 2"),
			    "(statement (event process true) (pipe head 5) "
			    "(pipe tail 2))");
	assert_int_equal(p->ast->nlist, 2);
	/* pipe names and arguments are checked by sema */
	assert_string_equal(sx(p, "process where true | unique a, b | head"),
			    "(statement (event process true) "
			    "(pipe unique a b) (pipe head))");
	assert_string_equal(
		sx(p, "sequence [a where true] [b where true] | tail 1"),
		"(statement (sequence (stage (event a true)) "
		"(stage (event b true))) (pipe tail 1))");
}

/* Comparisons chain in the grammar; lowering rejects them (RC1014). */
static void
test_chained_comparison_parses(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(cond_sx(p, "1 < x < 3"), "(< (< 1 x) 3)");
	assert_string_equal(cond_sx(p, "a == b == c"), "(== (== a b) c)");
}

/* --- the dump format --------------------------------------------------- */

static void
test_ast_dump(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process where x == 1");
	assert_string_equal(ast_dump_str(p),
			    "statement @1:1-21\n"
			    "  event process @1:1-21\n"
			    "    compare == @1:15-21\n"
			    "      field x @1:15-16\n"
			    "      integer 1 @1:20-21\n");

	parse_str(p, "sequence by a [x where true] [y where false] "
		  "until [z where true]");
	assert_string_equal(ast_dump_str(p),
			    "statement @1:1-66\n"
			    "  sequence @1:1-66\n"
			    "    by @1:10-14\n"
			    "      field a @1:13-14\n"
			    "    stage @1:15-29\n"
			    "      event x @1:16-28\n"
			    "        bool true @1:24-28\n"
			    "    stage @1:30-45\n"
			    "      event y @1:31-44\n"
			    "        bool false @1:39-44\n"
			    "    until: stage @1:46-66\n"
			    "      event z @1:53-65\n"
			    "        bool true @1:61-65\n");

	/* spans over two lines */
	parse_str(p, "process where x ==\n  1 and y");
	assert_string_equal(ast_dump_str(p),
			    "statement @1:1-2:10\n"
			    "  event process @1:1-2:10\n"
			    "    and @1:15-2:10\n"
			    "      compare == @1:15-2:4\n"
			    "        field x @1:15-16\n"
			    "        integer 1 @2:3-4\n"
			    "      field y @2:9-10\n");

	parse_str(p, "any where x in~ (\"a\\n\") and not ?y : (\"b\")");
	assert_string_equal(ast_dump_str(p),
			    "statement @1:1-43\n"
			    "  event any @1:1-43\n"
			    "    and @1:11-43\n"
			    "      in in~ @1:11-24\n"
			    "        field x @1:11-12\n"
			    "        string \"a\\n\" @1:18-23\n"
			    "      not @1:29-43\n"
			    "        match : list @1:33-43\n"
			    "          field ?y @1:33-35\n"
			    "          string \"b\" @1:39-42\n");
}

static void
test_ast_dump_quoted_category(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "\"my-cat\" where true");
	assert_string_equal(ast_dump_str(p),
			    "statement @1:1-20\n"
			    "  event \"my-cat\" @1:1-20\n"
			    "    bool true @1:16-20\n");
}

/* --- syntax errors ----------------------------------------------------- */

static void
test_two_broken_stages(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "sequence [process where x ==] [file where and] "
		  "[net where true]");
	assert_ndiags(p, 2);
	assert_diag(p, 0, "RC1001", 1, 29);
	assert_diag_msg(p, 0, "unexpected ']'");
	assert_diag(p, 1, "RC1001", 1, 43);
	assert_diag_msg(p, 1, "unexpected 'and'");
	assert_int_equal(p->syntax_errors, 2);
	/* both stages are kept as errors, the third one is intact */
	assert_string_equal(ast_sexpr_str(p),
			    "(sequence (stage error) (stage error) "
			    "(stage (event net true)))");
}

static void
test_recovery_in_parentheses(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process where (x ==) and (y ==)");
	assert_ndiags(p, 2);
	assert_diag(p, 0, "RC1001", 1, 20);
	assert_diag(p, 1, "RC1001", 1, 31);
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (and error error))");

	/* a stage without 'where' does not spoil the next one */
	parse_str(p, "sequence [process true] [file where true]");
	assert_one_diag(p, "RC1001", 1, 19);
	assert_diag_msg(p, 0, "unexpected 'true', expected 'where'");
	assert_string_equal(ast_sexpr_str(p),
			    "(sequence (stage error) "
			    "(stage (event file true)))");
}

static void
test_unclosed_bracket_note(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "sequence [process where true] [file where true");
	assert_ndiags(p, 1);
	assert_string_equal(diag_id_of(p->diags[0]), "RC1001");
	assert_diag_msg(p, 0, "unexpected end of query");
	assert_int_equal(nnotes(p, 0), 1);
	assert_note(p, 0, 0, 1, 31, "unclosed '[' opened here");

	parse_str(p, "process where (a or b");
	assert_ndiags(p, 1);
	assert_int_equal(nnotes(p, 0), 1);
	assert_note(p, 0, 0, 1, 15, "unclosed '(' opened here");

	/* the innermost open bracket */
	parse_str(p, "sequence [process where (a or b");
	assert_ndiags(p, 1);
	assert_note(p, 0, 0, 1, 25, "unclosed '(' opened here");

	/* on another line */
	parse_str(p, "sequence\n  [process where true]\n  [file where true");
	assert_ndiags(p, 1);
	assert_note(p, 0, 0, 3, 3, "unclosed '[' opened here");
}

static void
test_mismatched_closer_note(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "sequence [process where x == 1)");
	assert_one_diag(p, "RC1001", 1, 31);
	assert_diag_msg(p, 0, "unexpected ')'");
	assert_int_equal(nnotes(p, 0), 1);
	assert_note(p, 0, 0, 1, 10, "unclosed '[' opened here");

	parse_str(p, "sequence [process where (a or b]");
	assert_one_diag(p, "RC1001", 1, 32);
	assert_note(p, 0, 0, 1, 25, "unclosed '(' opened here");

	/* a stray closer with nothing open: no note */
	parse_str(p, "process where x == 1 )");
	assert_one_diag(p, "RC1001", 1, 22);
	assert_int_equal(nnotes(p, 0), 0);

	/* brackets that were closed are not blamed */
	parse_str(p, "process where (a) b");
	assert_one_diag(p, "RC1001", 1, 19);
	assert_int_equal(nnotes(p, 0), 0);
}

static void
test_end_of_query_location(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process where");
	assert_one_diag(p, "RC1001", 1, 14);
	assert_diag_msg(p, 0, "unexpected end of query");
	parse_str(p, "process where x == 1 and");
	assert_one_diag(p, "RC1001", 1, 25);
}

static void
test_keyword_suggestion(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process were true");
	assert_one_diag(p, "RC1001", 1, 9);
	assert_diag_end(p, 0, 1, 13);
	assert_diag_msg(p, 0, "unexpected identifier 'were', expected 'where'");
	assert_diag_help(p, 0, "did you mean 'where'?");

	parse_str(p, "process wher true");
	assert_one_diag(p, "RC1001", 1, 9);
	assert_diag_help(p, 0, "did you mean 'where'?");

	parse_str(p, "sequence [a where true] [b where true] unti "
		  "[c where true]");
	assert_one_diag(p, "RC1001", 1, 40);
	assert_diag_help(p, 0, "did you mean 'until'?");

	/* a misspelt 'sequence' or 'sample' is read as a category */
	parse_str(p, "sequense by x [a where true] [b where true]");
	assert_one_diag(p, "RC1001", 1, 10);
	assert_diag_help(p, 0, "did you mean 'sequence'?");
	parse_str(p, "smaple by x [a where true]");
	assert_one_diag(p, "RC1001", 1, 8);
	assert_diag_help(p, 0, "did you mean 'sample'?");

	/* nothing close: no help */
	parse_str(p, "process x == 1");
	assert_one_diag(p, "RC1001", 1, 9);
	assert_diag_msg(p, 0, "unexpected identifier 'x', expected 'where'");
	assert_diag_no_help(p, 0);
}

static void
test_keyword_suggestion_uppercase(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process where a AND b");
	assert_one_diag(p, "RC1001", 1, 17);
	assert_diag_help(p, 0, "did you mean 'and'?");
	parse_str(p, "process WHERE true");
	assert_one_diag(p, "RC1001", 1, 9);
	assert_diag_help(p, 0, "did you mean 'where'?");
}

/* At the start of a query a category name (or 'any', 'sequence', ...)
 * is expected, not an expression. */
static void
test_query_start_expected_tokens(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "where true");
	assert_one_diag(p, "RC1001", 1, 1);
	assert_null(strstr(p->diags[0]->msg, "an expression"));
	assert_diag_msg(p, 0, "identifier");
}

static void
test_missing_where(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process true");
	assert_one_diag(p, "RC1001", 1, 9);
	assert_diag_msg(p, 0, "unexpected 'true', expected 'where'");
	assert_string_equal(ast_sexpr_str(p), "error");

	parse_str(p, "where true");
	assert_one_diag(p, "RC1001", 1, 1);
	assert_diag_msg(p, 0, "unexpected 'where', expected ");
	assert_diag_msg(p, 0, "'any'");
	assert_diag_msg(p, 0, "'sequence'");
	assert_diag_msg(p, 0, "'sample'");

	parse_str(p, "");
	assert_one_diag(p, "RC1001", 1, 1);
	assert_diag_msg(p, 0, "unexpected end of query");

	parse_str(p, "process where x == 1 y");
	assert_one_diag(p, "RC1001", 1, 22);
	assert_diag_msg(p, 0, "unexpected identifier 'y'");
}

/* --- nesting ----------------------------------------------------------- */

static char *
nested(const char *prefix, const char *open, const char *inner,
       const char *close, size_t depth)
{
	size_t lp = strlen(prefix), lo = strlen(open), li = strlen(inner),
	       lc = strlen(close), i;
	char *q = malloc(lp + depth * (lo + lc) + li + 1), *w;

	assert_non_null(q);
	w = q;
	memcpy(w, prefix, lp);
	w += lp;
	for (i = 0; i < depth; i++, w += lo)
		memcpy(w, open, lo);
	memcpy(w, inner, li);
	w += li;
	for (i = 0; i < depth; i++, w += lc)
		memcpy(w, close, lc);
	*w = '\0';
	return q;
}

static void
test_nesting_100_parses(void **state)
{
	struct parsed *p = *state;
	char *q = nested("process where ", "(", "x == 1", ")", 100);

	parse_str(p, q);
	free(q);
	assert_no_diags(p);
	assert_string_equal(ast_sexpr_str(p), "(event process (== x 1))");

	q = nested("process where ", "not (", "x == 1", ")", 100);
	parse_str(p, q);
	free(q);
	assert_no_diags(p);
	assert_int_equal(ast_cond(p)->kind, A_NOT);

	q = nested("process where x == ", "-", "1", "", 100);
	parse_str(p, q);
	free(q);
	assert_no_diags(p);
}

/* Absurd nesting is rejected with a syntax error, not a crash. */
static void
test_nesting_20000_fails_cleanly(void **state)
{
	struct parsed *p = *state;
	char *q = nested("process where ", "(", "x", ")", 20000);

	parse_str(p, q);
	free(q);
	assert_true(p->ndiags >= 1);
	assert_string_equal(diag_id_of(p->diags[0]), "RC1001");
	assert_true(p->syntax_errors >= 1);
}

static void
test_nesting_5000_fails(void **state)
{
	struct parsed *p = *state;
	char *q;

	q = nested("process where ", "(", "x", ")", 5000);
	parse_str(p, q);
	free(q);
	assert_true(p->ndiags >= 1);
	assert_string_equal(diag_id_of(p->diags[0]), "RC1001");
	assert_true(p->syntax_errors >= 1);
	assert_false(p->a.oom);
}

static void
test_deep_nesting_is_not_oom(void **state)
{
	struct parsed *p = *state;
	char *q;

	q = nested("process where ", "(", "x", ")", 20000);
	parse_str(p, q);
	free(q);
	assert_true(p->syntax_errors >= 1);
	assert_false(p->a.oom);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PTEST(test_logic_precedence),
		PTEST(test_flat_and_or),
		PTEST(test_arithmetic_precedence),
		PTEST(test_comparison_operators),
		PTEST(test_in_and_patterns),
		PTEST(test_fields_and_calls),
		PTEST(test_event_queries),
		PTEST(test_sequence),
		PTEST(test_sample_and_join),
		PTEST(test_pipes),
		PTEST(test_chained_comparison_parses),
		PTEST(test_ast_dump),
		PTEST(test_ast_dump_quoted_category),
		PTEST(test_two_broken_stages),
		PTEST(test_recovery_in_parentheses),
		PTEST(test_unclosed_bracket_note),
		PTEST(test_mismatched_closer_note),
		PTEST(test_end_of_query_location),
		PTEST(test_keyword_suggestion),
		PTEST(test_keyword_suggestion_uppercase),
		PTEST(test_missing_where),
		PTEST(test_query_start_expected_tokens),
		PTEST(test_nesting_100_parses),
		PTEST(test_nesting_20000_fails_cleanly),
		PTEST(test_nesting_5000_fails),
		PTEST(test_deep_nesting_is_not_oom),
	};

	return cmocka_run_group_tests_name("parser", tests, NULL, NULL);
}
