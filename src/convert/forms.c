/*
 * forms.c - the metadata-carrying forms: Kibana rule objects and
 * detection-rules TOML files (see convert.h).
 *
 * (Being written: today the query alone, in a minimal object.)
 */
#include "convert/convert.h"

#include <string.h>

void
conv_form_kibana(struct conv *c, const char *query, struct strbuf *out)
{
	(void)c;
	sb_puts(out, "{\"language\":\"eql\",\"type\":\"eql\",\"query\":\"");
	sb_json_escape(out, query, strlen(query));
	sb_puts(out, "\"}\n");
}

void
conv_form_toml(struct conv *c, const char *query, struct strbuf *out)
{
	(void)c;
	sb_puts(out, "[rule]\nlanguage = \"eql\"\ntype = \"eql\"\nquery = '''\n");
	sb_puts(out, query);
	sb_puts(out, "\n'''\n");
}

const char *
conv_file_name(struct conv *c, enum conv_form to)
{
	const char *id = c->rule->meta.id;

	return arena_printf(c->arena, "%s.%s", id ? id : "rule",
			    to == CONV_XML ? "xml" : to == CONV_TOML ? "toml"
				: to == CONV_KIBANA ? "ndjson" : "eql");
}
