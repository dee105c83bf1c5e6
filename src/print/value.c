/*
 * value.c - constants and field names as the rule writes them (see
 * print.h).
 */
#include "print/print.h"

void
print_string(struct strbuf *sb, enum rule_lang lang, const char *s,
	     size_t len)
{
	sb_putc(sb, '"');
	if (lang == LANG_ESET_XML)
		sb_put(sb, s, len);
	else
		sb_eql_escape(sb, s, len);
	sb_putc(sb, '"');
}

void
print_value(struct strbuf *sb, enum rule_lang lang, const struct ir_value *v,
	    bool raw)
{
	switch (v->type) {
	case VT_STRING:
		if (raw)
			sb_put(sb, v->u.s.s, v->u.s.len);
		else
			print_string(sb, lang, v->u.s.s, v->u.s.len);
		break;
	case VT_LONG:
		sb_printf(sb, "%lld", (long long)v->u.i);
		break;
	case VT_DOUBLE:
		sb_printf(sb, "%g", v->u.d);
		break;
	case VT_BOOL:
		sb_puts(sb, v->u.b ? "true" : "false");
		break;
	default:
		sb_puts(sb, "null");
		break;
	}
}

const char *
print_field_name(const struct ir_expr *e)
{
	if (!e || e->kind != IR_FIELD)
		return "?";
	return e->u.f.src_name ? e->u.f.src_name : e->u.f.name;
}
