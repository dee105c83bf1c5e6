/*
 * eql.h - the EQL front end: scanner and parser glue.
 *
 * Design note.  The scanner (grammar/eql.l) and the parser (grammar/eql.y)
 * are pure and reentrant; all their state is one `struct eql_parser`, which
 * they reach through flex's extra data and bison's %param.  The parser only
 * builds AST nodes.  Lexical and syntax errors are reported through the
 * diagnostic sink as they are found; error productions at bracket and query
 * level let one query report all its syntax errors.  flex's allocations go
 * through the arena's allocator (or a room set aside for the ones flex
 * cannot survive failing), so running out of memory is an error result
 * with the arena's oom flag, never flex's exit.
 */
#ifndef RC_EQL_H
#define RC_EQL_H

#include <stdbool.h>

#include "base/arena.h"
#include "base/diag.h"
#include "front/ast.h"

/* Brackets nest at most EQL_MAX_BRACKETS deep; deeper input is an error
 * (it protects every recursive walk of the tree). */
enum { EQL_MAX_BRACKETS = 256 };

struct eql_parser {
	struct arena *arena;
	struct diag_sink *diags;
	const struct rc_text *text;
	struct ast *result;
	unsigned errors;      /* syntax errors reported */
	void *scanner;        /* yyscan_t */
	/* scanner state */
	uint32_t pos;         /* byte offset of the next token */
	unsigned comment_depth;
	uint32_t comment_start;
	bool after_dot;       /* a keyword after '.' is a field name */
	struct strbuf buf;    /* decoding string literals */
	/* open brackets, for "to match this '['" notes */
	struct { char ch; uint32_t off; } open[EQL_MAX_BRACKETS];
	unsigned nopen;
	bool closer_mismatch; /* the last ')' or ']' closed nothing */
	bool too_deep;        /* the nesting error has been reported */
	bool eof_reported;    /* the input ended inside a comment: reported */
	bool utf8_helped;     /* an RC1026 has given the iconv help line */
	/* the last two tokens, for error messages */
	int cur_tok, prev_tok;
	struct span cur_span, prev_span;
	unsigned ntokens;
	unsigned recovered;   /* syntax errors the parser recovered from */
	/* flex's memory and failures (grammar/eql.l, eqlscan_alloc): room
	 * for its setup allocations, claimed before it starts; its fatal
	 * error, if ever, instead of flex's exit */
	struct { unsigned char *base, *next, *end; } room;
	const char *fatal;
};

/* Parses the whole of `text` as one EQL statement.  Returns the AST (NULL
 * when nothing could be built); `p->errors` counts lexical and syntax
 * errors, `p->recovered` the syntax errors after which the parser had to
 * discard input (the tree then has ERROR nodes).  A tree with errors but
 * nothing recovered is complete: the scanner read `&&` as `and`, a
 * single-quoted string as a string, and so on. */
struct ast *eql_parse_text(struct eql_parser *p, struct arena *a,
		      struct diag_sink *diags, const struct rc_text *text);

/* Used by the scanner and the parser. */
void eql_error_at(struct eql_parser *p, enum diag_id id, struct span sp,
		  const char *fmt, ...) __attribute__((format(printf, 4, 5)));
struct diag *eql_diag_at(struct eql_parser *p, enum diag_id id,
			 struct span sp, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* Reports the first byte of s[0..n), which starts at text offset `at`,
 * that is not UTF-8 (RC1026); `what` names the token ("string"). */
void eql_check_utf8(struct eql_parser *p, uint32_t at, const char *s,
		    size_t n, const char *what);

#endif
