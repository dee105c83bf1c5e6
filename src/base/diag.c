/*
 * diag.c - diagnostic registry, construction and rendering (see diag.h).
 */
#include "base/diag.h"

#include "base/encoding.h"
#include "base/suggest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const struct diag_info diag_table[D__COUNT] = {
#define X(e, id, name, fam, sev, sum, doc) \
	{ id, name, sum, doc, FAM_##fam, SEV_##sev },
#include "base/diag.def"
#undef X
};

static const char *const family_names[FAM__COUNT] = {
#define F(e, s) s,
	DIAG_FAMILIES(F)
#undef F
};

const char *
diag_family_name(enum diag_family f)
{
	return f < FAM__COUNT ? family_names[f] : "?";
}

const char *
diag_severity_name(enum diag_severity s)
{
	switch (s) {
	case SEV_ERROR: return "error";
	case SEV_WARNING: return "warning";
	case SEV_NOTE: return "note";
	case SEV_OFF: break;
	}
	return "off";
}

enum diag_id
diag_lookup(const char *key)
{
	unsigned i;

	for (i = 0; i < D__COUNT; i++)
		if (strcasecmp(key, diag_table[i].id) == 0 ||
		    strcasecmp(key, diag_table[i].name) == 0)
			return (enum diag_id)i;
	return D__COUNT;
}

void
diag_sink_init(struct diag_sink *s, struct arena *a)
{
	unsigned i;

	memset(s, 0, sizeof *s);
	s->arena = a;
	for (i = 0; i < D__COUNT; i++)
		s->level[i] = diag_table[i].severity;
}

struct diag *
diag_vnew(struct diag_sink *s, enum diag_id id, const struct rc_text *text,
	  struct span span, const char *fmt, va_list ap)
{
	struct diag *d = ARENA_NEW(s->arena, struct diag);

	if (!d || !(d->msg = arena_vprintf(s->arena, fmt, ap)))
		return NULL;
	d->id = id;
	d->severity = diag_table[id].severity;
	d->text = text;
	d->file = text ? text->src : NULL;
	d->span = span;
	d->rule = s->rule;
	d->notes_tail = &d->notes;
	return d;
}

struct diag *
diag_new(struct diag_sink *s, enum diag_id id, const struct rc_text *text,
	 struct span span, const char *fmt, ...)
{
	va_list ap;
	struct diag *d;

	va_start(ap, fmt);
	d = diag_vnew(s, id, text, span, fmt, ap);
	va_end(ap);
	return d;
}

void
diag_note(struct diag_sink *s, struct diag *d, const struct rc_text *text,
	  struct span span, const char *fmt, ...)
{
	struct diag_note *n;
	va_list ap;

	if (!d || !(n = ARENA_NEW(s->arena, struct diag_note)))
		return;
	va_start(ap, fmt);
	n->msg = arena_vprintf(s->arena, fmt, ap);
	va_end(ap);
	if (!n->msg)
		return;
	n->text = text;
	n->span = span;
	*d->notes_tail = n;
	d->notes_tail = &n->next;
}

void
diag_help(struct diag_sink *s, struct diag *d, const char *fmt, ...)
{
	va_list ap;

	if (!d)
		return;
	va_start(ap, fmt);
	d->help = arena_vprintf(s->arena, fmt, ap);
	va_end(ap);
}

/* Passes a counted diagnostic to the filter, then to the callback; one
 * the filter takes is no longer counted.  Deferred diagnostics meet the
 * filter at diag_flush, once the loader has named their rule (an XML
 * file's early findings are attributed after its rules are read). */
static void
deliver(struct diag_sink *s, struct diag *d)
{
	if (s->filter && s->filter(s->filter_ud, d)) {
		s->count[d->severity]--;
		return;
	}
	if (s->fn)
		s->fn(s->ud, d);
}

void
diag_emit(struct diag_sink *s, struct diag *d)
{
	enum diag_severity sev;

	if (!d)
		return;
	sev = s->level[d->id];
	if (sev == SEV_OFF || (s->suppressed && s->suppressed[d->id]))
		return;
	if (sev == SEV_WARNING &&
	    (s->promote[d->id] > 0 || (s->werror && s->promote[d->id] == 0)))
		sev = SEV_ERROR;
	d->severity = sev;
	s->count[sev]++;
	if (s->defer) {
		if (s->npending == s->cap) {
			size_t cap = s->cap ? s->cap * 2 : 32;
			struct diag **v = realloc(s->pending, cap * sizeof *v);
			if (!v) {
				/* cannot hold it back: deliver it now */
				deliver(s, d);
				return;
			}
			s->pending = v;
			s->cap = cap;
		}
		s->pending[s->npending++] = d;
		return;
	}
	deliver(s, d);
}

/* Finds `rulec-disable: NAME, NAME ...` in comments of a rule's text and
 * marks those checks in `off` (D__COUNT entries).  A name that is no check
 * is reported.  Returns whether anything was turned off. */
bool
diag_scan_suppressions(struct diag_sink *s, const struct rc_text *t,
		       bool *off)
{
	static const char key[] = "rulec-disable";
	const char *p = t->data, *end = t->data + t->len;
	bool any = false;

	while ((p = strstr(p, key)) != NULL && p < end) {
		p += sizeof key - 1;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p < end && *p == ':')
			p++;
		for (;;) {
			const char *b;
			char name[64];
			size_t n;
			enum diag_id id;

			while (p < end && (*p == ' ' || *p == '\t' || *p == ','))
				p++;
			b = p;
			while (p < end && (((*p | 0x20) >= 'a' && (*p | 0x20) <= 'z') ||
					   (*p >= '0' && *p <= '9') || *p == '-'))
				p++;
			n = (size_t)(p - b);
			/* the name list ends at the end of the comment */
			if (n == 0 || (n == 2 && memcmp(b, "--", 2) == 0))
				break;
			if (b[n - 1] == '-' && n >= 2 && b[n - 2] == '-')
				n -= 2;         /* "name-->" */
			if (n == 0 || n >= sizeof name)
				break;
			memcpy(name, b, n);
			name[n] = '\0';
			id = diag_lookup(name);
			if (id == D__COUNT) {
				struct diag *d = diag_new(s, D_BAD_SUPPRESSION, t,
					span_make((uint32_t)(b - t->data),
						  (uint32_t)(b - t->data + n)),
					"rulec-disable names '%s', which is no "
					"check", name);
				struct suggest sg;
				unsigned k;

				suggest_init(&sg, name, n, true);
				for (k = 0; k < D__COUNT; k++)
					suggest_add(&sg, diag_table[k].name,
						    strlen(diag_table[k].name));
				if (suggest_best(&sg))
					diag_help(s, d, "did you mean '%s'?",
						  suggest_best(&sg));
				else
					diag_help(s, d, "'rulec explain' lists "
						  "the checks");
				diag_emit(s, d);
			} else {
				off[id] = true;
				any = true;
			}
		}
	}
	return any;
}

void
diag_defer(struct diag_sink *s)
{
	s->defer = true;
}

/* Delivery order: by file name, then position; file-level diagnostics
 * first in their file. */
static int
diag_cmp(const struct diag *a, const struct diag *b)
{
	const char *fa = a->file ? a->file->name : "";
	const char *fb = b->file ? b->file->name : "";
	uint32_t oa = a->text ? text_to_source(a->text, a->span.start) : 0;
	uint32_t ob = b->text ? text_to_source(b->text, b->span.start) : 0;
	int c = strcmp(fa, fb);

	if (c)
		return c;
	return oa < ob ? -1 : oa > ob;
}

void
diag_flush(struct diag_sink *s)
{
	size_t i, j;

	/* insertion sort: stable, and a rule has few diagnostics */
	for (i = 1; i < s->npending; i++) {
		struct diag *d = s->pending[i];
		for (j = i; j > 0 && diag_cmp(s->pending[j - 1], d) > 0; j--)
			s->pending[j] = s->pending[j - 1];
		s->pending[j] = d;
	}
	s->defer = false;
	for (i = 0; i < s->npending; i++)
		deliver(s, s->pending[i]);
	s->npending = 0;
}

void
diag_attribute(struct diag_sink *s, size_t from, const struct rc_text *t,
	       struct span sp, struct diag_rule rule)
{
	uint32_t a = text_to_source(t, sp.start);
	uint32_t b = sp.end > sp.start ? text_to_source(t, sp.end - 1) + 1 : a;
	size_t i;

	for (i = from; i < s->npending; i++) {
		struct diag *d = s->pending[i];
		uint32_t o;

		if (d->rule.id || d->rule.name || !d->text ||
		    d->text->src != t->src)
			continue;
		o = text_to_source(d->text, d->span.start);
		if (o >= a && o < b)
			d->rule = rule;
	}
}

void
diag_sink_free(struct diag_sink *s)
{
	free(s->pending);
	s->pending = NULL;
	s->npending = s->cap = 0;
}

void
diag_report(struct diag_sink *s, enum diag_id id, const struct rc_text *text,
	    struct span span, const char *fmt, ...)
{
	va_list ap;
	struct diag *d;

	va_start(ap, fmt);
	d = diag_vnew(s, id, text, span, fmt, ap);
	va_end(ap);
	diag_emit(s, d);
}

/* Line and column of both ends of a span (end exclusive, as in SARIF). */
static void
span_location(const struct rc_text *t, struct span sp, struct diag_loc *loc)
{
	uint32_t a = text_to_source(t, sp.start);
	uint32_t b = sp.end > sp.start ? text_to_source(t, sp.end - 1) + 1 : a;

	loc->file = t->src->name;
	if (source_linecol(t->src, a, &loc->line, &loc->col) < 0 ||
	    source_linecol(t->src, b, &loc->end_line, &loc->end_col) < 0) {
		loc->line = loc->col = loc->end_line = loc->end_col = 0;
	}
}

void
diag_location(const struct diag *d, struct diag_loc *loc)
{
	memset(loc, 0, sizeof *loc);
	if (d->text)
		span_location(d->text, d->span, loc);
	else if (d->file)
		loc->file = d->file->name;
}

/* Byte offset of character `chr` (1-based) in line[0..len); characters
 * as the columns count them (utf8_char_len). */
static size_t
char_offset(const char *line, size_t len, unsigned chr)
{
	size_t i = 0;
	unsigned c = 1;

	for (; i < len && c < chr; c++)
		i += utf8_char_len(line + i, len - i);
	return i < len ? i : len;
}

static unsigned
char_count(const char *line, size_t len)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < len; n++)
		i += utf8_char_len(line + i, len - i);
	return n;
}

enum { SNIPPET_WIDTH = 110, SNIPPET_LEAD = 40 };

void
diag_note_location(const struct diag_note *n, struct diag_loc *loc)
{
	memset(loc, 0, sizeof *loc);
	if (n->text)
		span_location(n->text, n->span, loc);
}

/* ---- text that reaches a terminal --------------------------------------
 *
 * Rule text is shown on terminals and in CI logs: a control character or
 * escape sequence in it (ESC [31m colours the log) is never echoed raw.
 * Text is taken one character at a time as the columns count them (a UTF-8
 * sequence, or a byte that is not UTF-8); a character is shown escaped when it is a C0 or C1 control, DEL, a
 * bidirectional formatting character (which reorders what the terminal
 * shows) or not UTF-8 at all:  \x1b  \u009b  \u202e  \xe9.  A tab stays a
 * tab in source lines. */

static bool
shown_escaped(uint32_t cp)
{
	return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
	       cp == 0x200e || cp == 0x200f || cp == 0x2028 ||
	       cp == 0x2029 || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

/* Writes the character s[0..n) (one utf8_char_len) as it is shown, to sb
 * unless sb is NULL, and returns its width in columns (a character
 * shown as itself counts one, as in the column numbers). */
static unsigned
put_char(struct strbuf *sb, const char *s, size_t n, bool keep_tab)
{
	const unsigned char *u = (const unsigned char *)s;
	char esc[16];
	uint32_t cp;
	size_t i;
	unsigned w = 0;

	if (n == 1 && u[0] >= 0x20 && u[0] < 0x7f) {
		if (sb)
			sb_putc(sb, s[0]);
		return 1;
	}
	if (utf8_decode(u, n, &cp) == (int)n) {
		if ((cp == '\t' && keep_tab) || !shown_escaped(cp)) {
			if (sb)
				sb_put(sb, s, n);
			return 1;
		}
		if (cp == '\n' || cp == '\t')
			snprintf(esc, sizeof esc, "\\%c", cp == '\n' ? 'n' : 't');
		else if (cp < 0x80)
			snprintf(esc, sizeof esc, "\\x%02x", (unsigned)cp);
		else
			snprintf(esc, sizeof esc, "\\u%04x", (unsigned)cp);
		if (sb)
			sb_puts(sb, esc);
		return (unsigned)strlen(esc);
	}
	for (i = 0; i < n; i++, w += 4)
		if (sb)
			sb_printf(sb, "\\x%02x", u[i]);
	return w;
}

/* s[0..n) as shown (see above); tabs kept. */
static void
put_shown(struct strbuf *sb, const char *s, size_t n)
{
	size_t i, k;

	for (i = 0; i < n; i += k) {
		k = utf8_char_len(s + i, n - i);
		put_char(sb, s + i, k, true);
	}
}

/* A message on one line: a newline or tab (a rule name may hold one) is
 * shown as \n or \t, other characters as put_char shows them. */
static void
put_visible(struct strbuf *sb, const char *s)
{
	size_t n = strlen(s), i, k;

	for (i = 0; i < n; i += k) {
		k = utf8_char_len(s + i, n - i);
		put_char(sb, s + i, k, false);
	}
}

/* The source line of a located span with a caret under it:
 *     3 | process where x == 1
 *       |               ^~~~~~
 * A line longer than SNIPPET_WIDTH characters is shown as a window around
 * the span, with "..." where it was cut.  A character shown escaped is
 * wider than one column: the caret line pads and underlines it by its
 * width, so the caret stays under the character it means. */
static void
render_snippet(struct strbuf *sb, const struct rc_text *t,
	       const struct diag_loc *loc, unsigned flags)
{
	const char *line;
	size_t len, i, k, b, e;
	unsigned c, width, first = 1, n, col = loc->col, end_col, w;
	char num[16];
	bool color = flags & DIAG_RENDER_COLOR, cut_left, cut_right;

	source_line(t->src, loc->line, &line, &len);
	n = char_count(line, len);
	end_col = loc->end_line == loc->line ? loc->end_col : n + 1;
	if (n > SNIPPET_WIDTH && col > SNIPPET_LEAD)
		first = col - SNIPPET_LEAD;
	if (n > SNIPPET_WIDTH && first + SNIPPET_WIDTH > n + 1)
		first = n + 1 > SNIPPET_WIDTH ? n + 1 - SNIPPET_WIDTH : 1;
	if (first > col)
		first = col;
	b = char_offset(line, len, first);
	e = n > SNIPPET_WIDTH ? char_offset(line, len, first + SNIPPET_WIDTH)
			      : len;
	cut_left = b > 0;
	cut_right = e < len;
	width = (unsigned)snprintf(num, sizeof num, "%u", loc->line);
	sb_printf(sb, " %s | %s", num, cut_left ? "..." : "");
	put_shown(sb, line + b, e - b);
	sb_printf(sb, "%s\n", cut_right ? "..." : "");
	sb_fill(sb, ' ', width + 2);
	sb_puts(sb, cut_left ? "|    " : "| ");
	/* pad to the column: tabs stay tabs so the caret lines up */
	for (i = b, c = first; i < e && c < col; i += k, c++) {
		k = utf8_char_len(line + i, e - i);
		if (line[i] == '\t')
			sb_putc(sb, '\t');
		else
			sb_fill(sb, ' ', put_char(NULL, line + i, k, true));
	}
	if (color)
		sb_puts(sb, "\033[1;32m");
	sb_putc(sb, '^');
	/* tildes for the rest of the span on this line: the first
	 * character's width after the caret, then each further one's */
	for (w = 1; i < e && c < end_col && c < first + SNIPPET_WIDTH;
	     i += k, c++, w = 0) {
		k = utf8_char_len(line + i, e - i);
		sb_fill(sb, '~', put_char(NULL, line + i, k, true) - w);
	}
	if (color)
		sb_puts(sb, "\033[0m");
	sb_putc(sb, '\n');
}

static void
render_head(struct strbuf *sb, const struct diag_loc *loc,
	    const char *sevname, const char *sevcolor, const char *msg,
	    unsigned flags)
{
	bool color = flags & DIAG_RENDER_COLOR;

	if (color)
		sb_puts(sb, "\033[1m");
	if (loc->file) {
		put_visible(sb, loc->file);
		if (loc->line)
			sb_printf(sb, ":%u:%u", loc->line, loc->col);
		sb_puts(sb, ": ");
	}
	if (color)
		sb_printf(sb, "%s%s:\033[0m\033[1m ", sevcolor, sevname);
	else
		sb_printf(sb, "%s: ", sevname);
	put_visible(sb, msg);
	if (color)
		sb_puts(sb, "\033[0m");
}

/* The rule line of a diagnostic: "in rule 'NAME' (ID)", or with the one
 * of the two the rule has; false when it has neither.  Printed as a note
 * after the source line, where the eye looks for context; the location
 * line stays as compilers write it. */
static bool
rule_phrase(const struct diag_rule *r, struct strbuf *sb)
{
	const char *id = r->id;

	if (!id && !r->name)
		return false;
	/* an ESET name "Title [A0504b]" already shows its id */
	if (id && r->name) {
		size_t n = strlen(r->name), k = strlen(id);
		if (n >= k + 2 && r->name[n - 1] == ']' &&
		    r->name[n - k - 2] == '[' &&
		    memcmp(r->name + n - k - 1, id, k) == 0)
			id = NULL;
	}
	sb_puts(sb, "in rule ");
	if (r->name)
		sb_printf(sb, "'%s'%s", r->name, id ? " (" : "");
	if (id)
		sb_printf(sb, "%s%s", id, r->name ? ")" : "");
	return true;
}

void
diag_render_text(const struct diag *d, struct strbuf *sb, unsigned flags)
{
	const struct diag_info *info = &diag_table[d->id];
	struct diag_loc loc;
	const struct diag_note *n;
	static const char *const colors[] = { "", "\033[1;36m", "\033[1;35m",
					      "\033[1;31m" };

	diag_location(d, &loc);
	render_head(sb, &loc, diag_severity_name(d->severity),
		    colors[d->severity], d->msg, flags);
	sb_printf(sb, " [%s %s]\n", info->id, info->name);
	if (d->text && loc.line)
		render_snippet(sb, d->text, &loc, flags);
	{
		struct strbuf rs = STRBUF_INIT;
		struct diag_loc none;

		memset(&none, 0, sizeof none);
		if (rule_phrase(&d->rule, &rs) && rs.data) {
			render_head(sb, &none, "note", colors[SEV_NOTE],
				    rs.data, flags);
			sb_putc(sb, '\n');
		}
		sb_free(&rs);
	}
	for (n = d->notes; n; n = n->next) {
		struct diag_loc nl;

		memset(&nl, 0, sizeof nl);
		if (n->text)
			span_location(n->text, n->span, &nl);
		render_head(sb, &nl, "note", colors[SEV_NOTE], n->msg, flags);
		sb_putc(sb, '\n');
		if (n->text && nl.line)
			render_snippet(sb, n->text, &nl, flags);
	}
	if (d->help) {
		sb_printf(sb, "%shelp:%s ",
			  (flags & DIAG_RENDER_COLOR) ? "\033[1;32m" : "",
			  (flags & DIAG_RENDER_COLOR) ? "\033[0m" : "");
		put_visible(sb, d->help);
		sb_putc(sb, '\n');
	}
}

static void
json_str(struct strbuf *sb, const char *key, const char *val)
{
	sb_printf(sb, "\"%s\":", key);
	if (!val) {
		sb_puts(sb, "null");
		return;
	}
	sb_putc(sb, '"');
	sb_json_escape(sb, val, strlen(val));
	sb_putc(sb, '"');
}

static void
json_loc(struct strbuf *sb, const struct diag_loc *loc)
{
	json_str(sb, "file", loc->file);
	if (loc->line)
		sb_printf(sb, ",\"line\":%u,\"column\":%u,\"end_line\":%u,"
			  "\"end_column\":%u", loc->line, loc->col,
			  loc->end_line, loc->end_col);
	else
		sb_puts(sb, ",\"line\":null,\"column\":null,"
			"\"end_line\":null,\"end_column\":null");
}

void
diag_render_json(const struct diag *d, struct strbuf *sb)
{
	const struct diag_info *info = &diag_table[d->id];
	struct diag_loc loc;
	const struct diag_note *n;

	diag_location(d, &loc);
	sb_putc(sb, '{');
	json_loc(sb, &loc);
	sb_putc(sb, ',');
	json_str(sb, "severity", diag_severity_name(d->severity));
	sb_putc(sb, ',');
	json_str(sb, "id", info->id);
	sb_putc(sb, ',');
	json_str(sb, "name", info->name);
	sb_putc(sb, ',');
	json_str(sb, "family", diag_family_name(info->family));
	sb_putc(sb, ',');
	json_str(sb, "rule_id", d->rule.id);
	sb_putc(sb, ',');
	json_str(sb, "rule_name", d->rule.name);
	sb_putc(sb, ',');
	json_str(sb, "message", d->msg);
	sb_puts(sb, ",\"notes\":[");
	for (n = d->notes; n; n = n->next) {
		struct diag_loc nl;

		memset(&nl, 0, sizeof nl);
		if (n->text)
			span_location(n->text, n->span, &nl);
		sb_putc(sb, '{');
		json_loc(sb, &nl);
		sb_putc(sb, ',');
		json_str(sb, "message", n->msg);
		sb_putc(sb, '}');
		if (n->next)
			sb_putc(sb, ',');
	}
	sb_puts(sb, "],");
	json_str(sb, "help", d->help);
	sb_puts(sb, "}\n");
}
