/*
 * test_lexer.c - the EQL scanner (grammar/eql.l).
 *
 * Most tests drive the scanner directly and compare the token stream,
 * written one token per word: keywords and punctuation by their token name
 * (WHERE, EQ, MISSING_LB), IDENT(name), TILDE(name) for `name~`,
 * STR("decoded") / RAW("text") for strings, INT(n), DEC(%g).  Lexical
 * errors are checked where they surface for a user, through the parser,
 * with their exact line and column.
 */
#include "util.h"

#include "eql-parser.h"
#define YYSTYPE EQL_STYPE
#define YYLTYPE EQL_LTYPE
#include "eql-scanner.h"

enum { MAX_TOKS = 128 };

/* The tokens of the last lex() call. */
static int ntoks;
static int toks[MAX_TOKS];
static struct span spans[MAX_TOKS];
static const struct ast *last_string;   /* node of the last STRING token */

static const char *
tok_name(int t)
{
	switch (t) {
	case T_AND: return "AND";
	case T_ANY: return "ANY";
	case T_BY: return "BY";
	case T_FALSE: return "FALSE";
	case T_IN: return "IN";
	case T_IN_I: return "IN_I";
	case T_JOIN: return "JOIN";
	case T_LIKE: return "LIKE";
	case T_LIKE_I: return "LIKE_I";
	case T_MAXSPAN: return "MAXSPAN";
	case T_NOT: return "NOT";
	case T_NULL: return "NULL";
	case T_OF: return "OF";
	case T_OR: return "OR";
	case T_REGEX: return "REGEX";
	case T_REGEX_I: return "REGEX_I";
	case T_SAMPLE: return "SAMPLE";
	case T_SEQUENCE: return "SEQUENCE";
	case T_TRUE: return "TRUE";
	case T_UNTIL: return "UNTIL";
	case T_WHERE: return "WHERE";
	case T_WITH: return "WITH";
	case T_EQ: return "EQ";
	case T_NE: return "NE";
	case T_LT: return "LT";
	case T_LE: return "LE";
	case T_GT: return "GT";
	case T_GE: return "GE";
	case T_ASSIGN: return "ASSIGN";
	case T_COLON: return "COLON";
	case T_PLUS: return "PLUS";
	case T_MINUS: return "MINUS";
	case T_STAR: return "STAR";
	case T_SLASH: return "SLASH";
	case T_PERCENT: return "PERCENT";
	case T_LP: return "LP";
	case T_RP: return "RP";
	case T_LB: return "LB";
	case T_RB: return "RB";
	case T_MISSING_LB: return "MISSING_LB";
	case T_COMMA: return "COMMA";
	case T_DOT: return "DOT";
	case T_PIPE: return "PIPE";
	case T_QMARK: return "QMARK";
	default: return "?";
	}
}

/* Scans q and returns its tokens as text (see the file comment).
 * Diagnostics are collected in p as for a parse. */
static const char *
lex(struct parsed *p, const char *q)
{
	struct eql_parser *ep = &p->parser;
	struct strbuf sb = STRBUF_INIT;
	yyscan_t sc;
	YY_BUFFER_STATE b;
	EQL_STYPE lval;
	struct span loc;
	int t, guard;

	parsed_init(p, q, strlen(q));
	memset(ep, 0, sizeof *ep);
	ep->arena = &p->a;
	ep->diags = &p->sink;
	ep->text = &p->text;
	assert_int_equal(eqlscan_lex_init_extra(ep, &sc), 0);
	ep->scanner = sc;
	b = eqlscan__scan_bytes(p->text.data, (int)p->text.len, sc);
	assert_non_null(b);
	ntoks = 0;
	last_string = NULL;
	for (guard = 0; guard < 10000; guard++) {
		memset(&lval, 0, sizeof lval);
		t = eqlscan_lex(&lval, &loc, sc);
		if (t == 0)
			break;
		if (ntoks < MAX_TOKS) {
			toks[ntoks] = t;
			spans[ntoks] = loc;
		}
		ntoks++;
		if (sb.len)
			sb_putc(&sb, ' ');
		switch (t) {
		case T_IDENT:
		case T_TILDE_IDENT:
			sb_puts(&sb, t == T_IDENT ? "IDENT(" : "TILDE(");
			if (lval.str.s)
				sb_put(&sb, lval.str.s, lval.str.n);
			sb_putc(&sb, ')');
			break;
		case T_STRING:
			last_string = lval.node;
			if (!lval.node) {
				sb_puts(&sb, "STR(null)");
				break;
			}
			sb_puts(&sb, (lval.node->flags & AF_RAW) ? "RAW(\""
								  : "STR(\"");
			sb_eql_escape(&sb, lval.node->str, lval.node->slen);
			sb_puts(&sb, "\")");
			break;
		case T_INTEGER:
			sb_printf(&sb, "INT(%lld)",
				  lval.node ? (long long)lval.node->ival : -1LL);
			break;
		case T_DECIMAL:
			sb_printf(&sb, "DEC(%g)", lval.node ? lval.node->dval
							    : -1.0);
			break;
		default:
			sb_puts(&sb, tok_name(t));
			break;
		}
	}
	eqlscan__delete_buffer(b, sc);
	eqlscan_lex_destroy(sc);
	sb_free(&ep->buf);
	sb_free(&p->out);
	p->out = sb;
	return out_text(p);
}

#define assert_span(i, s, e) do {                                        \
		assert_true((i) < ntoks);                                \
		assert_int_equal(spans[i].start, (s));                   \
		assert_int_equal(spans[i].end, (e));                     \
	} while (0)

/* The decoded value of the only STRING token of q. */
static void
assert_string_value(struct parsed *p, const char *q, const char *want,
		    size_t wantlen)
{
	lex(p, q);
	assert_int_equal(ntoks, 1);
	assert_int_equal(toks[0], T_STRING);
	assert_non_null(last_string);
	assert_int_equal(last_string->slen, wantlen);
	assert_memory_equal(last_string->str, want, wantlen);
	assert_no_diags(p);
}

/* --- keywords --------------------------------------------------------- */

static const struct {
	const char *word;
	int tok;
} keywords[] = {
	{ "and", T_AND }, { "any", T_ANY }, { "by", T_BY },
	{ "false", T_FALSE }, { "in", T_IN }, { "in~", T_IN_I },
	{ "join", T_JOIN }, { "like", T_LIKE }, { "like~", T_LIKE_I },
	{ "maxspan", T_MAXSPAN }, { "not", T_NOT }, { "null", T_NULL },
	{ "of", T_OF }, { "or", T_OR }, { "regex", T_REGEX },
	{ "regex~", T_REGEX_I }, { "sample", T_SAMPLE },
	{ "sequence", T_SEQUENCE }, { "true", T_TRUE }, { "until", T_UNTIL },
	{ "where", T_WHERE }, { "with", T_WITH },
};
#define NKEYWORDS (sizeof keywords / sizeof keywords[0])

static void
test_keywords_lowercase(void **state)
{
	struct parsed *p = *state;
	size_t i;

	for (i = 0; i < NKEYWORDS; i++) {
		lex(p, keywords[i].word);
		assert_int_equal(ntoks, 1);
		if (toks[0] != keywords[i].tok)
			fail_msg("'%s' scanned as %s", keywords[i].word,
				 tok_name(toks[0]));
		assert_span(0, 0, strlen(keywords[i].word));
		assert_no_diags(p);
	}
}

/* Keywords are lowercase only: any other spelling is a name. */
static void
test_keywords_other_case_are_names(void **state)
{
	struct parsed *p = *state;
	char upper[32], cap[32], want[64];
	size_t i, j, n;

	for (i = 0; i < NKEYWORDS; i++) {
		bool tilde;

		n = strlen(keywords[i].word);
		tilde = keywords[i].word[n - 1] == '~';
		for (j = 0; j <= n; j++) {
			char c = keywords[i].word[j];
			upper[j] = (c >= 'a' && c <= 'z') ? (char)(c - 32) : c;
			cap[j] = c;
		}
		cap[0] = upper[0];
		snprintf(want, sizeof want, "%s(%.*s)",
			 tilde ? "TILDE" : "IDENT", (int)(n - tilde), upper);
		assert_string_equal(lex(p, upper), want);
		assert_no_diags(p);
		snprintf(want, sizeof want, "%s(%.*s)",
			 tilde ? "TILDE" : "IDENT", (int)(n - tilde), cap);
		assert_string_equal(lex(p, cap), want);
		assert_no_diags(p);
	}
	/* `fork` was a keyword of older grammars only */
	assert_string_equal(lex(p, "fork"), "IDENT(fork)");
}

static void
test_uppercase_and_is_syntax_error(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(lex(p, "process where a AND b"),
			    "IDENT(process) WHERE IDENT(a) IDENT(AND) IDENT(b)");
	parse_str(p, "process where a AND b");
	assert_one_diag(p, "RC1001", 1, 17);
	assert_diag_msg(p, 0, "unexpected identifier 'AND'");
	assert_int_equal(p->syntax_errors, 1);
	parse_str(p, "PROCESS where true");
	assert_no_diags(p);
	assert_string_equal(ast_sexpr_str(p), "(event PROCESS true)");
}

/* A keyword right after '.' is a segment of a field name. */
static void
test_keyword_after_dot(void **state)
{
	struct parsed *p = *state;
	char q[64], want[128];
	size_t i;

	assert_string_equal(lex(p, "event.sequence"),
			    "IDENT(event) DOT IDENT(sequence)");
	for (i = 0; i < NKEYWORDS; i++) {
		size_t n = strlen(keywords[i].word);
		bool tilde = keywords[i].word[n - 1] == '~';

		snprintf(q, sizeof q, "x.%s", keywords[i].word);
		snprintf(want, sizeof want, "IDENT(x) DOT %s(%.*s)",
			 tilde ? "TILDE" : "IDENT", (int)(n - tilde),
			 keywords[i].word);
		assert_string_equal(lex(p, q), want);
		assert_no_diags(p);
	}
	/* only the one segment after the dot */
	assert_string_equal(lex(p, "a.b where"),
			    "IDENT(a) DOT IDENT(b) WHERE");
	assert_string_equal(lex(p, "x.in in"), "IDENT(x) DOT IDENT(in) IN");

	parse_str(p, "process where event.sequence > 1 and a.where.by == 2");
	assert_no_diags(p);
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (and (> event.sequence 1) "
			    "(== a.where.by 2)))");
}

/* --- names ------------------------------------------------------------ */

static void
test_identifiers(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(lex(p, "@timestamp _x a1_b9 @a __"),
			    "IDENT(@timestamp) IDENT(_x) IDENT(a1_b9) "
			    "IDENT(@a) IDENT(__)");
	assert_no_diags(p);
	assert_span(0, 0, 10);
	assert_span(1, 11, 13);
	/* '@' only starts a name */
	assert_string_equal(lex(p, "a@b"), "IDENT(a) IDENT(@b)");
	assert_string_equal(lex(p, "1abc"), "INT(1) IDENT(abc)");
	assert_string_equal(lex(p, "a-b"), "IDENT(a) MINUS IDENT(b)");
	parse_str(p, "process where @timestamp > 0 and _a.@b == 1");
	assert_no_diags(p);
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (and (> @timestamp 0) "
			    "(== _a.@b 1)))");
}

static void
test_backquoted_names(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(lex(p, "`a b`"), "IDENT(a b)");
	assert_span(0, 0, 5);
	/* a doubled backquote stands for one */
	assert_string_equal(lex(p, "`a``b`"), "IDENT(a`b)");
	assert_span(0, 0, 6);
	assert_string_equal(lex(p, "````"), "IDENT(`)");
	assert_string_equal(lex(p, "`where`"), "IDENT(where)");
	assert_string_equal(lex(p, "`é-1`"), "IDENT(é-1)");
	assert_string_equal(lex(p, "`@timestamp`.`x-y`"),
			    "IDENT(@timestamp) DOT IDENT(x-y)");
	assert_no_diags(p);

	parse_str(p, "process where `a b`.c == 1 and `x``y` == 2");
	assert_no_diags(p);
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (and (== a b.c 1) (== x`y 2)))");

	/* an empty name is an error (and still a name) */
	assert_string_equal(lex(p, "``"), "IDENT()");
	assert_one_diag(p, "RC1001", 1, 1);
	assert_diag_msg(p, 0, "empty backquoted name");
}

static void
test_unterminated_backquoted_name(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process where `abc == 1");
	assert_one_diag(p, "RC1018", 1, 15);
	assert_diag_end(p, 0, 1, 24);
	/* the name ends at the line break */
	assert_string_equal(lex(p, "`ab\n== 1"), "IDENT(ab) EQ INT(1)");
	assert_one_diag(p, "RC1018", 1, 1);
}

/* --- strings ---------------------------------------------------------- */

static void
test_string_escapes(void **state)
{
	struct parsed *p = *state;

	assert_string_value(p, "\"\\b\\t\\n\\f\\r\\\"\\'\\\\\"",
			    "\b\t\n\f\r\"'\\", 8);
	assert_string_value(p, "\"plain\"", "plain", 5);
	assert_string_value(p, "\"\"", "", 0);
	assert_string_value(p, "\"a\\u{41}b\"", "aAb", 3);
	assert_string_value(p, "\"\\u{e9}\"", "\xC3\xA9", 2);
	assert_string_value(p, "\"\\u{20AC}\"", "\xE2\x82\xAC", 3);
	assert_string_value(p, "\"\\u{1F600}\"", "\xF0\x9F\x98\x80", 4);
	assert_string_value(p, "\"\\u{1f600}\"", "\xF0\x9F\x98\x80", 4);
	assert_string_value(p, "\"\\u{10FFFF}\"", "\xF4\x8F\xBF\xBF", 4);
	/* 2 to 8 digits, zero-padded */
	assert_string_value(p, "\"\\u{0041}\"", "A", 1);
	assert_string_value(p, "\"\\u{00000041}\"", "A", 1);
	/* U+0000 is a scalar value; the length keeps it, and RC1032 says
	 * that no event can hold it (at the escape, columns 3 to 9) */
	lex(p, "\"a\\u{00}b\"");
	assert_int_equal(ntoks, 1);
	assert_non_null(last_string);
	assert_int_equal(last_string->slen, 3);
	assert_memory_equal(last_string->str, "a\0b", 3);
	assert_one_diag(p, "RC1032", 1, 3);
	/* UTF-8 text passes through */
	assert_string_value(p, "\"é€\"", "é€", 5);
}

/* Each bad escape is one RC1003 at the backslash; the string is still
 * a string and the query still parses. */
static void
test_bad_escapes(void **state)
{
	static const struct {
		const char *q;
		unsigned col, end;
	} cases[] = {
		/* the string opens at column 20 */
		{ "process where x == \"a\\qb\"", 22, 24 },
		{ "process where x == \"\\u{1}\"", 21, 26 },
		{ "process where x == \"\\u{110000}\"", 21, 31 },
		{ "process where x == \"\\u{D800}\"", 21, 29 },
		{ "process where x == \"\\u{DFFF}\"", 21, 29 },
		{ "process where x == \"\\u41\"", 21, 23 },
		{ "process where x == \"\\u{000000041}\"", 21, 0 },
		{ "process where x == \"ab\\u{}\"", 23, 0 },
		{ "process where x == \"\\u{41\"", 21, 0 },
		{ "process where x == \"\\u{4G}\"", 21, 0 },
		{ "process where x == \"\\t\\q\"", 23, 25 },
		/* columns count characters, not bytes */
		{ "process where x == \"é\\q\"", 22, 24 },
	};
	struct parsed *p = *state;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		parse_str(p, cases[i].q);
		assert_non_null(p->ast);
		assert_one_diag(p, "RC1003", 1, cases[i].col);
		if (cases[i].end)
			assert_diag_end(p, 0, 1, cases[i].end);
		assert_int_equal(ast_cond(p)->kind, A_CMP);
		assert_int_equal(ast_cond(p)->kid[1]->kind, A_STRING);
	}
}

static void
test_bad_escape_details(void **state)
{
	struct parsed *p = *state;

	/* the text after a bad escape is still decoded */
	parse_str(p, "process where x == \"a\\qb\\t\"");
	assert_one_diag(p, "RC1003", 1, 22);
	assert_diag_msg(p, 0, "'\\q'");
	assert_diag_help(p, 0, "'\\\\q'");
	assert_diag_help(p, 0, "raw string");
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (== x \"a\\\\qb\\t\"))");

	/* two bad escapes, two diagnostics */
	parse_str(p, "process where x == \"\\q\\z\"");
	assert_ndiags(p, 2);
	assert_diag(p, 0, "RC1003", 1, 21);
	assert_diag(p, 1, "RC1003", 1, 23);

	/* on a later line */
	parse_str(p, "process where\n  x == \"\\q\"");
	assert_one_diag(p, "RC1003", 2, 9);
}

static void
test_raw_strings(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(lex(p, "\"\"\"a\"\"\""), "RAW(\"a\")");
	assert_span(0, 0, 7);
	/* no escape processing at all */
	assert_string_equal(lex(p, "\"\"\"C:\\Windows\\q\\u{41}\"\"\""),
			    "RAW(\"C:\\\\Windows\\\\q\\\\u{41}\")");
	assert_no_diags(p);
	assert_string_equal(lex(p, "\"\"\"a\"b\"\"\""), "RAW(\"a\\\"b\")");
	assert_string_equal(lex(p, "\"\"\"a\"\"b\"\"\""),
			    "RAW(\"a\\\"\\\"b\")");
	assert_string_equal(lex(p, "\"\"\"\"\"\""), "RAW(\"\")");
	/* one or two quotes after the closing """ belong to the text */
	assert_string_equal(lex(p, "\"\"\"a\"\"\"\""), "RAW(\"a\\\"\")");
	assert_span(0, 0, 8);
	assert_string_equal(lex(p, "\"\"\"a\"\"\"\"\""),
			    "RAW(\"a\\\"\\\"\")");
	assert_string_equal(lex(p, "\"\"\"a\"\"\" == \"\"\"b\"\"\""),
			    "RAW(\"a\") EQ RAW(\"b\")");
	assert_no_diags(p);

	parse_str(p, "process where x == \"\"\"a\"\"\"\"");
	assert_no_diags(p);
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (== x r\"a\\\"\"))");
}

static void
test_unterminated_strings(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process where x == \"abc");
	assert_one_diag(p, "RC1002", 1, 20);
	assert_diag_msg(p, 0, "not closed");
	assert_string_equal(ast_sexpr_str(p), "(event process (== x \"abc\"))");

	parse_str(p, "process where x == \"\"\"abc");
	assert_one_diag(p, "RC1002", 1, 20);
	assert_diag_msg(p, 0, "raw string");
	assert_string_equal(ast_sexpr_str(p), "(event process (== x \"abc\"))");

	/* a string ends at the line break; the next line goes on */
	parse_str(p, "process where x == \"ab\n  or y == 1");
	assert_one_diag(p, "RC1002", 1, 20);
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (or (== x \"ab\") (== y 1)))");
}

static void
test_single_quoted_strings(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process where x == 'abc'");
	assert_one_diag(p, "RC1004", 1, 20);
	assert_diag_end(p, 0, 1, 25);
	assert_diag_help(p, 0, "write \"...\"");
	assert_string_equal(ast_sexpr_str(p), "(event process (== x \"abc\"))");
	assert_int_equal(p->syntax_errors, 1);

	/* escapes are decoded as in "..." */
	assert_string_equal(lex(p, "'a\\'b'"), "STR(\"a'b\")");
	assert_one_diag(p, "RC1004", 1, 1);

	/* ?"..." is python's raw string: no escapes */
	parse_str(p, "process where x == ?\"a\\q\"");
	assert_one_diag(p, "RC1004", 1, 20);
	assert_diag_help(p, 0, "\"\"\"...\"\"\"");
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (== x \"a\\\\q\"))");

	assert_string_equal(lex(p, "?'x'"), "STR(\"x\")");
	assert_one_diag(p, "RC1004", 1, 1);

	/* unclosed: still one diagnostic */
	assert_string_equal(lex(p, "'abc"), "STR(\"abc\")");
	assert_one_diag(p, "RC1004", 1, 1);
}

/* --- numbers ---------------------------------------------------------- */

static void
test_integers(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(lex(p, "0 42 007 9223372036854775807"),
			    "INT(0) INT(42) INT(7) INT(9223372036854775807)");
	assert_no_diags(p);
	/* no signed literals: -1 is unary minus */
	assert_string_equal(lex(p, "-1"), "MINUS INT(1)");

	parse_str(p, "process where x == 9223372036854775808");
	assert_one_diag(p, "RC1007", 1, 20);
	assert_diag_end(p, 0, 1, 39);
	assert_diag_msg(p, 0, "does not fit in 64 bits");

	parse_str(p, "process where x == 99999999999999999999");
	assert_one_diag(p, "RC1007", 1, 20);
}

static void
test_decimals(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(lex(p, "1.5 .5 1e3 1. 1.5E-2 2e+2 0.0"),
			    "DEC(1.5) DEC(0.5) DEC(1000) DEC(1) DEC(0.015) "
			    "DEC(200) DEC(0)");
	assert_no_diags(p);
	assert_span(1, 4, 6);
	assert_span(3, 11, 13);
	/* an exponent makes a decimal */
	lex(p, "1e3");
	assert_int_equal(toks[0], T_DECIMAL);

	parse_str(p, "process where x == 1e999");
	assert_one_diag(p, "RC1007", 1, 20);
	assert_diag_msg(p, 0, "out of range");
}

/* --- comments and whitespace ------------------------------------------ */

static void
test_comments(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(lex(p, "a // c == d\nb"), "IDENT(a) IDENT(b)");
	assert_span(1, 12, 13);
	assert_string_equal(lex(p, "a // to the end"), "IDENT(a)");
	assert_string_equal(lex(p, "a /* x */ b"), "IDENT(a) IDENT(b)");
	/* block comments nest */
	assert_string_equal(lex(p, "a /* x /* y */ z */ b"),
			    "IDENT(a) IDENT(b)");
	assert_string_equal(lex(p, "a /* x */ */ b"),
			    "IDENT(a) STAR SLASH IDENT(b)");
	assert_string_equal(lex(p, "/*/ x */ a"), "IDENT(a)");
	assert_string_equal(lex(p, "a/**/b"), "IDENT(a) IDENT(b)");
	assert_string_equal(lex(p, "a /* one\ntwo */ b\t\r\n\fc"),
			    "IDENT(a) IDENT(b) IDENT(c)");
	assert_no_diags(p);
	/* a comment inside a string is text */
	assert_string_equal(lex(p, "\"a /* b */ // c\""),
			    "STR(\"a /* b */ // c\")");

	parse_str(p, "process where // why\n  x == 1 /* /* nested */ */");
	assert_no_diags(p);
	assert_string_equal(ast_sexpr_str(p), "(event process (== x 1))");
}

static void
test_unterminated_comment(void **state)
{
	struct parsed *p = *state;

	parse_str(p, "process where x == 1 /* a");
	assert_one_diag(p, "RC1006", 1, 22);
	assert_diag_end(p, 0, 1, 24);
	assert_diag_msg(p, 0, "1 '*/' missing");
	assert_string_equal(ast_sexpr_str(p), "(event process (== x 1))");

	/* the inner comment is closed, the outer one is not */
	parse_str(p, "process where x == 1 /* a /* b */");
	assert_one_diag(p, "RC1006", 1, 22);
	assert_diag_msg(p, 0, "1 '*/' missing");

	parse_str(p, "process where x == 1\n/* /* b");
	assert_one_diag(p, "RC1006", 2, 1);
	assert_diag_msg(p, 0, "2 '*/' missing");
}

/* --- operators -------------------------------------------------------- */

static void
test_punctuation(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(lex(p, "== != <= >= < > = : + - * / % , . | ? "
				   "( ) [ ] !["),
			    "EQ NE LE GE LT GT ASSIGN COLON PLUS MINUS STAR "
			    "SLASH PERCENT COMMA DOT PIPE QMARK LP RP LB RB "
			    "MISSING_LB");
	assert_no_diags(p);
	assert_string_equal(lex(p, "a<=b"), "IDENT(a) LE IDENT(b)");
	assert_string_equal(lex(p, "a==-1"), "IDENT(a) EQ MINUS INT(1)");
	assert_string_equal(lex(p, "?x.y"), "QMARK IDENT(x) DOT IDENT(y)");
	assert_string_equal(lex(p, "![a"), "MISSING_LB IDENT(a)");
	assert_no_diags(p);
}

static void
test_foreign_operators(void **state)
{
	struct parsed *p = *state;

	/* reported, and read as the EQL operator */
	assert_string_equal(lex(p, "a && b || !c"),
			    "IDENT(a) AND IDENT(b) OR NOT IDENT(c)");
	assert_ndiags(p, 3);
	assert_diag(p, 0, "RC1008", 1, 3);
	assert_diag_end(p, 0, 1, 5);
	assert_diag_help(p, 0, "write 'and'");
	assert_diag(p, 1, "RC1008", 1, 8);
	assert_diag_help(p, 1, "write 'or'");
	assert_diag(p, 2, "RC1008", 1, 11);
	assert_diag_end(p, 2, 1, 12);
	assert_diag_help(p, 2, "'not'");

	parse_str(p, "process where a && b || !c");
	assert_ndiags(p, 3);
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (or (and a b) (not c)))");
}

static void
test_bad_characters(void **state)
{
	static const struct {
		const char *q;
		unsigned col;
		const char *msg;
	} cases[] = {
		{ "process where x == $1", 20, "'$'" },
		{ "process where x == #1", 20, "'#'" },
		{ "process where x == ;1", 20, "';'" },
		{ "process where x == ~1", 20, "'~'" },
		{ "process where x == \x01" "1", 20, "U+0001" },
		{ "process where é x == 1", 15, "non-ASCII" },
		/* one diagnostic for a run of non-ASCII bytes */
		{ "process where x == 1 \xE2\x82\xAC\xC3\xA9", 22,
		  "non-ASCII" },
		/* columns count characters */
		{ "process where x == \"é\" $", 24, "'$'" },
	};
	struct parsed *p = *state;
	size_t i;

	for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		parse_str(p, cases[i].q);
		assert_one_diag(p, "RC1005", 1, cases[i].col);
		assert_diag_msg(p, 0, cases[i].msg);
		/* the character is skipped: the rest parses */
		assert_non_null(p->ast);
		assert_int_equal(ast_cond(p)->kind, A_CMP);
	}
	assert_string_equal(lex(p, "a $ b"), "IDENT(a) IDENT(b)");
	assert_one_diag(p, "RC1005", 1, 3);
	assert_diag_end(p, 0, 1, 4);
	/* inside strings and names non-ASCII is fine */
	parse_str(p, "process where `é` == \"é\"");
	assert_no_diags(p);
}

static void
test_tilde_tokens(void **state)
{
	struct parsed *p = *state;

	assert_string_equal(lex(p, "in~ like~ regex~"), "IN_I LIKE_I REGEX_I");
	assert_span(0, 0, 3);
	assert_span(2, 10, 16);
	assert_string_equal(lex(p, "endsWith~(x)"),
			    "TILDE(endsWith) LP IDENT(x) RP");
	assert_span(0, 0, 9);
	assert_string_equal(lex(p, "IN~ Like~ foo~"),
			    "TILDE(IN) TILDE(Like) TILDE(foo)");
	assert_no_diags(p);
	/* the tilde must touch the word */
	assert_string_equal(lex(p, "in ~"), "IN");
	assert_one_diag(p, "RC1005", 1, 4);

	parse_str(p, "process where x in~ (\"a\") and x like~ \"b\" and "
		  "x regex~ \"c\" and endsWith~(x, \"d\")");
	assert_no_diags(p);
	assert_string_equal(ast_sexpr_str(p),
			    "(event process (and (in~ x \"a\") (like~ x \"b\") "
			    "(regex~ x \"c\") (call endsWith~ x \"d\")))");
}

static void
test_token_spans(void **state)
{
	struct parsed *p = *state;

	lex(p, "process where x == \"a\\tb\"\n  and y");
	assert_int_equal(ntoks, 7);
	assert_span(0, 0, 7);
	assert_span(1, 8, 13);
	assert_span(2, 14, 15);
	assert_span(3, 16, 18);
	assert_span(4, 19, 25);
	assert_span(5, 28, 31);
	assert_span(6, 32, 33);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		PTEST(test_keywords_lowercase),
		PTEST(test_keywords_other_case_are_names),
		PTEST(test_uppercase_and_is_syntax_error),
		PTEST(test_keyword_after_dot),
		PTEST(test_identifiers),
		PTEST(test_backquoted_names),
		PTEST(test_unterminated_backquoted_name),
		PTEST(test_string_escapes),
		PTEST(test_bad_escapes),
		PTEST(test_bad_escape_details),
		PTEST(test_raw_strings),
		PTEST(test_unterminated_strings),
		PTEST(test_single_quoted_strings),
		PTEST(test_integers),
		PTEST(test_decimals),
		PTEST(test_comments),
		PTEST(test_unterminated_comment),
		PTEST(test_punctuation),
		PTEST(test_foreign_operators),
		PTEST(test_bad_characters),
		PTEST(test_tilde_tokens),
		PTEST(test_token_spans),
	};

	return cmocka_run_group_tests_name("lexer", tests, NULL, NULL);
}
