/*
 * eql.c - runs the EQL scanner and parser over one text.
 */
#include "front/eql.h"

#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include "base/encoding.h"
#include "eql-parser.h"
#define YYSTYPE EQL_STYPE
#define YYLTYPE EQL_LTYPE
#include "eql-scanner.h"

/* Builds a diagnostic of the scanner or parser; lexical and syntax errors
 * are counted, so that a rule with any of them gets no IR. */
static struct diag *
vdiag(struct eql_parser *p, enum diag_id id, struct span sp,
      const char *fmt, va_list ap) __attribute__((format(printf, 4, 0)));

static struct diag *
vdiag(struct eql_parser *p, enum diag_id id, struct span sp,
      const char *fmt, va_list ap)
{
	if (diag_table[id].family == FAM_SYNTAX)
		p->errors++;
	return diag_vnew(p->diags, id, p->text, sp, fmt, ap);
}

struct diag *
eql_diag_at(struct eql_parser *p, enum diag_id id, struct span sp,
	    const char *fmt, ...)
{
	va_list ap;
	struct diag *d;

	va_start(ap, fmt);
	d = vdiag(p, id, sp, fmt, ap);
	va_end(ap);
	return d;
}

void
eql_error_at(struct eql_parser *p, enum diag_id id, struct span sp,
	     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	diag_emit(p->diags, vdiag(p, id, sp, fmt, ap));
	va_end(ap);
}

void
eql_check_utf8(struct eql_parser *p, uint32_t at, const char *s, size_t n,
	       const char *what)
{
	size_t bad = utf8_check(s, n);
	struct strbuf fix = STRBUF_INIT;
	struct diag *d;

	if (bad == n)
		return;
	at += (uint32_t)bad;
	d = eql_diag_at(p, D_INVALID_UTF8, span_make(at, at + 1),
			"byte 0x%02X in this %s is not UTF-8 (the file may be "
			"Windows-1252 or Latin-1 text)", (unsigned char)s[bad],
			what);
	if (!p->text->map && !p->utf8_helped) {
		/* the query is the file: it can be converted whole */
		p->utf8_helped = true;
		enc_fix(&fix, "WINDOWS-1252", p->text->src->name);
		diag_help(p->diags, d, "save the file as UTF-8: %s",
			  fix.data ? fix.data : "");
		sb_free(&fix);
	}
	diag_emit(p->diags, d);
}

/* Scans and parses a copy of the text that ends in the two NULs flex
 * wants, so that flex reads it in place (one buffer, never refilled).
 * flex's allocations come from the arena's allocator or from `room`, the
 * room for the two that setting up the buffer makes, which flex could not
 * survive failing (see eqlscan_alloc in grammar/eql.l).  Out of memory
 * before the scan sets the arena's flag and returns NULL. */
struct ast *
eql_parse_text(struct eql_parser *p, struct arena *a, struct diag_sink *diags,
	  const struct rc_text *text)
{
	union {
		struct yy_buffer_state state;
		max_align_t align;
	} room[2];
	yyscan_t scanner;
	YY_BUFFER_STATE buf;
	char *copy;
	int rc;

	memset(p, 0, sizeof *p);
	p->arena = a;
	p->diags = diags;
	p->text = text;
	if (eqlscan_lex_init_extra(p, &scanner) != 0) {
		a->oom = true;
		return NULL;
	}
	p->scanner = scanner;
	copy = rc_alloc(a->al, text->len + 2);
	if (!copy) {
		eqlscan_lex_destroy(scanner);
		a->oom = true;
		return NULL;
	}
	if (text->len)
		memcpy(copy, text->data, text->len);
	copy[text->len] = copy[text->len + 1] = '\0';
	p->room.base = p->room.next = (unsigned char *)room;
	p->room.end = p->room.base + sizeof room;
	buf = eqlscan__scan_buffer(copy, text->len + 2, scanner);
	rc = eql_parse(p);
	eqlscan__delete_buffer(buf, scanner);
	eqlscan_lex_destroy(scanner);
	rc_release(a->al, copy);
	sb_free(&p->buf);
	/* rc 2 is bison's "memory exhausted": the stack limit YYMAXDEPTH,
	 * already reported by eql_error as nesting too deep */
	(void)rc;
	if (p->fatal) {
		eql_error_at(p, D_SYNTAX_ERROR,
			     span_make(0, (uint32_t)text->len),
			     "the EQL scanner failed: %s", p->fatal);
		return NULL;
	}
	return p->result;
}
