/*
 * eql.c - runs the EQL scanner and parser over one text.
 */
#include "front/eql.h"

#include <stdarg.h>
#include <string.h>

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

struct ast *
eql_parse_text(struct eql_parser *p, struct arena *a, struct diag_sink *diags,
	  const struct rc_text *text)
{
	yyscan_t scanner;
	YY_BUFFER_STATE buf;
	int rc;

	memset(p, 0, sizeof *p);
	p->arena = a;
	p->diags = diags;
	p->text = text;
	if (eqlscan_lex_init_extra(p, &scanner) != 0)
		return NULL;
	p->scanner = scanner;
	buf = eqlscan__scan_bytes(text->data, (int)text->len, scanner);
	if (!buf) {
		eqlscan_lex_destroy(scanner);
		return NULL;
	}
	rc = eql_parse(p);
	eqlscan__delete_buffer(buf, scanner);
	eqlscan_lex_destroy(scanner);
	sb_free(&p->buf);
	/* rc 2 is bison's "memory exhausted": the stack limit YYMAXDEPTH,
	 * already reported by eql_error as nesting too deep */
	(void)rc;
	return p->result;
}
