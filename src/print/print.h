/*
 * print.h - conditions and values printed back in the rule's own language.
 *
 * Design note.  Messages quote the rule as its author wrote it, and a
 * converter will print conditions in the other language; both go through
 * here.  Two sources of text, because the two languages differ in what the
 * IR keeps of them:
 *   - EQL is printed from the source, under a node's span (print_eql_span):
 *     a small re-lexer drops comments, collapses blanks and shortens, and
 *     copies every token as written.  The IR cannot give that text back: it
 *     has no parentheses, comments or layout, no literal spellings (escapes,
 *     raw strings, 1.0 against 1), no operator spellings (`:` and `like~`,
 *     `=`, `in~` lower to the same node), no function-name case, and it
 *     normalises operand order and `not`.
 *   - ESET is printed from the IR (print_eset_cond): the XML is verbose
 *     and spread over elements, while the IR's shapes map back onto ESET's
 *     relations (is, isnot, starts, ..., isset) and a field keeps the
 *     Component.Property it was written with (src_name).
 * Values (print_value) are quoted the language's way: EQL strings with
 * EQL escapes, ESET strings as written.  Printers only append to a strbuf;
 * they allocate nothing else and report nothing.
 */
#ifndef RC_PRINT_H
#define RC_PRINT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/source.h"
#include "base/strbuf.h"
#include "sema/ir.h"
#include "sema/rule.h"

/* A string literal of the language: "..." with EQL escapes, or ESET's
 * "..." as written. */
void print_string(struct strbuf *sb, enum rule_lang lang, const char *s,
		  size_t len);

/* A constant: a string literal (bare with raw, e.g. an IP address), a
 * number, true/false, or null. */
void print_value(struct strbuf *sb, enum rule_lang lang,
		 const struct ir_value *v, bool raw);

/* The name a field node was written with ("?" when e is no field). */
const char *print_field_name(const struct ir_expr *e);

/* The EQL source under sp in t, comments dropped, blanks collapsed; after
 * max characters the token that does not fit is cut (on a character
 * boundary) and "..." ends the text. */
void print_eql_span(struct strbuf *sb, const struct rc_text *t,
		    struct span sp, size_t max);

/* An ESET condition in the documentation's words ("Process.Name is
 * \"a\"", "AND(..., ...)"); once sb holds more than limit bytes, what is
 * left of it is "...". */
void print_eset_cond(struct strbuf *sb, const struct ir_expr *e,
		     size_t limit);

#endif
