/*
 * sarif.c - SARIF 2.1.0 rendering (see sarif.h).
 */
#include "report/sarif.h"

#include <string.h>

static void
str(struct strbuf *sb, const char *s)
{
	sb_putc(sb, '"');
	sb_json_escape(sb, s, strlen(s));
	sb_putc(sb, '"');
}

/* A relative or absolute path as a URI reference: unreserved characters
 * and '/' stay, the rest is percent-encoded. */
static void
uri(struct strbuf *sb, const char *path)
{
	const unsigned char *p = (const unsigned char *)path;

	sb_putc(sb, '"');
	for (; *p; p++) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr("-._~/", *p))
			sb_putc(sb, (char)*p);
		else
			sb_printf(sb, "%%%02X", *p);
	}
	sb_putc(sb, '"');
}

static const char *
level(enum diag_severity s)
{
	switch (s) {
	case SEV_ERROR: return "error";
	case SEV_WARNING: return "warning";
	case SEV_NOTE: return "note";
	default: return "none";
	}
}

void
sarif_head(struct strbuf *sb, const char *version)
{
	unsigned i;

	sb_puts(sb, "{\"$schema\":\"https://json.schemastore.org/"
		    "sarif-2.1.0.json\",\"version\":\"2.1.0\",\"runs\":[{"
		    "\"tool\":{\"driver\":{\"name\":\"rulec\",\"version\":");
	str(sb, version);
	sb_puts(sb, ",\"rules\":[");
	for (i = 0; i < D__COUNT; i++) {
		const struct diag_info *d = &diag_table[i];

		if (i)
			sb_putc(sb, ',');
		sb_puts(sb, "{\"id\":");
		str(sb, d->id);
		sb_puts(sb, ",\"name\":");
		str(sb, d->name);
		sb_puts(sb, ",\"shortDescription\":{\"text\":");
		str(sb, d->summary);
		sb_puts(sb, "},\"fullDescription\":{\"text\":");
		str(sb, d->doc);
		sb_puts(sb, "},\"help\":{\"text\":");
		str(sb, d->doc);
		sb_printf(sb, "},\"defaultConfiguration\":{\"level\":\"%s\","
			  "\"enabled\":%s},\"properties\":{\"tags\":[",
			  level(d->severity),
			  d->severity == SEV_OFF ? "false" : "true");
		str(sb, diag_family_name(d->family));
		sb_puts(sb, "]}}");
	}
	sb_puts(sb, "]}},\"columnKind\":\"unicodeCodePoints\",\"results\":[");
}

/* The "physicalLocation" member of a location object. */
static void
physical(struct strbuf *sb, const struct diag_loc *loc)
{
	sb_puts(sb, "\"physicalLocation\":{\"artifactLocation\":{\"uri\":");
	uri(sb, loc->file ? loc->file : "");
	sb_putc(sb, '}');
	if (loc->line)
		sb_printf(sb, ",\"region\":{\"startLine\":%u,\"startColumn\":%u,"
			  "\"endLine\":%u,\"endColumn\":%u}", loc->line,
			  loc->col, loc->end_line,
			  loc->end_col > loc->col || loc->end_line > loc->line
				  ? loc->end_col : loc->col + 1);
}

/* The "logicalLocations" member of a location object: the rule the
 * result is about.  A rule is a top-level logical location, so its
 * fullyQualifiedName equals its name (SARIF 3.33.5): the rule's name, or
 * its id when it has none; the id, the machine-readable name, is the
 * decoratedName.  The kind is what the rule is in its file: a JSON (or
 * TOML) object, or an XML element. */
static void
logical(struct strbuf *sb, const struct diag_rule *r)
{
	const char *name = r->name ? r->name : r->id;

	sb_puts(sb, ",\"logicalLocations\":[{\"name\":");
	str(sb, name);
	sb_puts(sb, ",\"fullyQualifiedName\":");
	str(sb, name);
	if (r->id) {
		sb_puts(sb, ",\"decoratedName\":");
		str(sb, r->id);
	}
	sb_printf(sb, ",\"kind\":\"%s\"}]", r->xml ? "element" : "object");
}

void
sarif_result(const struct diag *d, struct strbuf *sb)
{
	const struct diag_info *info = &diag_table[d->id];
	const struct diag_note *n;
	struct diag_loc loc;
	unsigned k = 0;

	diag_location(d, &loc);
	sb_puts(sb, "{\"ruleId\":");
	str(sb, info->id);
	sb_printf(sb, ",\"ruleIndex\":%u,\"level\":\"%s\",\"message\":"
		  "{\"text\":", (unsigned)d->id, level(d->severity));
	if (d->help) {
		struct strbuf m = STRBUF_INIT;
		sb_printf(&m, "%s (help: %s)", d->msg, d->help);
		str(sb, m.data ? m.data : d->msg);
		sb_free(&m);
	} else {
		str(sb, d->msg);
	}
	sb_puts(sb, "},\"locations\":[");
	if (loc.file) {
		sb_putc(sb, '{');
		physical(sb, &loc);
		sb_putc(sb, '}');
		if (d->rule.id || d->rule.name)
			logical(sb, &d->rule);
		sb_putc(sb, '}');
	}
	sb_puts(sb, "],\"relatedLocations\":[");
	for (n = d->notes; n; n = n->next) {
		struct diag_loc nl;

		memset(&nl, 0, sizeof nl);
		if (!n->text)
			continue;
		diag_note_location(n, &nl);
		sb_printf(sb, "%s{\"id\":%u,", k ? "," : "", k);
		k++;
		physical(sb, &nl);
		sb_puts(sb, "},\"message\":{\"text\":");
		str(sb, n->msg);
		sb_puts(sb, "}}");
	}
	sb_puts(sb, "]}");
}

void
sarif_tail(struct strbuf *sb)
{
	sb_puts(sb, "]}]}\n");     /* rulec_sarif_tail() says the same */
}

void
sarif_test_result(struct strbuf *sb, const char *file, unsigned line,
		  unsigned col, const char *text)
{
	struct diag_loc loc;

	memset(&loc, 0, sizeof loc);
	loc.file = file;
	loc.line = loc.end_line = line;
	loc.col = loc.end_col = col ? col : 1;
	sb_puts(sb, "{\"ruleId\":");
	str(sb, diag_table[D_TEST_FAILED].id);
	sb_printf(sb, ",\"ruleIndex\":%u,\"level\":\"error\",\"message\":"
		  "{\"text\":", (unsigned)D_TEST_FAILED);
	str(sb, text);
	sb_puts(sb, "},\"locations\":[{");
	physical(sb, &loc);
	sb_puts(sb, "}}]}");
}
