/*
 * xml.c - secure reading and normalisation of XML rule files (see xml.h).
 */
#include "front/xml.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libxml/encoding.h>
#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "base/encoding.h"
#include "front/xmlcheck.h"

/* The first error libxml2 reports for one parse. */
struct first_error {
	bool have;
	int code, line, col, int1;
	char msg[200];
	char str1[64], str2[64];
};

/* libxml2's per-context structured error handler: keeps the first error
 * at error level or above; nothing is printed. */
static void
on_error(void *ud, xmlError *e)
{
	xmlParserCtxt *ctxt = ud;
	struct first_error *fe = ctxt ? ctxt->_private : NULL;
	size_t n;

	if (!fe || fe->have || e->level < XML_ERR_ERROR)
		return;
	fe->have = true;
	fe->code = e->code;
	fe->line = e->line;
	fe->col = e->int2;
	fe->int1 = e->int1;
	snprintf(fe->msg, sizeof fe->msg, "%s", e->message ? e->message : "");
	snprintf(fe->str1, sizeof fe->str1, "%s", e->str1 ? e->str1 : "");
	snprintf(fe->str2, sizeof fe->str2, "%s", e->str2 ? e->str2 : "");
	n = strlen(fe->msg);
	while (n > 0 && (fe->msg[n - 1] == '\n' || fe->msg[n - 1] == ' '))
		fe->msg[--n] = '\0';
}

/* File offset of a 1-based line and column (columns in characters). */
static uint32_t
offset_of(const struct rc_text *t, int line, int col)
{
	const char *start;
	size_t len, i;
	int c = 1;

	if (line < 1)
		return 0;
	source_line(t->src, (unsigned)line, &start, &len);
	if (start < t->data || start > t->data + t->len)
		return (uint32_t)t->len;   /* past the last line */
	for (i = 0; i < len && c < col; c++)
		i += utf8_char_len(start + i, len - i);
	return (uint32_t)(start - t->data + i);
}

/* First occurrence of needle[0..m) in s[0..n), or NULL. */
static const char *
find(const char *s, size_t n, const char *needle, size_t m)
{
	size_t i;

	for (i = 0; i + m <= n; i++)
		if (memcmp(s + i, needle, m) == 0)
			return s + i;
	return NULL;
}

/* The prolog may hold a BOM, the XML declaration, processing
 * instructions, comments and blanks.  Returns the offset of a DOCTYPE in
 * it, or -1 when the root element (or anything else) comes first. */
static long
find_doctype(const char *s, size_t len)
{
	size_t i = 0;

	if (len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	while (i < len) {
		const char *end;

		if (strchr(" \t\r\n", s[i])) {
			i++;
		} else if (len - i >= 2 && memcmp(s + i, "<?", 2) == 0) {
			end = find(s + i + 2, len - i - 2, "?>", 2);
			if (!end)
				return -1;
			i = (size_t)(end - s) + 2;
		} else if (len - i >= 4 && memcmp(s + i, "<!--", 4) == 0) {
			end = find(s + i + 4, len - i - 4, "-->", 3);
			if (!end)
				return -1;
			i = (size_t)(end - s) + 3;
		} else if (len - i >= 9 && strncasecmp(s + i, "<!DOCTYPE", 9) == 0) {
			return (long)i;
		} else {
			return -1;
		}
	}
	return -1;
}

/* ---- element limits ------------------------------------------------------ */

/* A start tag or the element it opens, as the limit scan sees it. */
struct open_tag {
	size_t at;              /* offset of its '<' */
	size_t children;        /* child elements seen so far */
};

/* The byte after the first `pat` at or after i, or len. */
static size_t
skip_past(const char *s, size_t len, size_t i, const char *pat, size_t m)
{
	const char *e = find(s + i, len - i, pat, m);

	return e ? (size_t)(e - s) + m : len;
}

/* The end of the element name after the '<' at `at`. */
static size_t
name_end(const char *s, size_t len, size_t at)
{
	size_t e;

	for (e = at + 1; e < len && !strchr(" \t\r\n/>", s[e]); e++)
		;
	return e;
}

static void
too_many_attrs(const struct rc_text *t, struct diag_sink *sink, size_t at)
{
	size_t e = name_end(t->data, t->len, at);

	diag_report(sink, D_XML_LIMIT, t, span_make((uint32_t)at, (uint32_t)e),
		    "<%.*s> has more than %d attributes (the limit of one "
		    "element)", (int)(e - at - 1 > 64 ? 64 : e - at - 1),
		    t->data + at + 1, XML_MAX_ATTRS);
}

/* Scans the text for an element with more than XML_MAX_ATTRS attributes
 * or more than XML_MAX_CHILDREN child elements, before libxml2 sees it:
 * libxml2 2.9 looks for a repeated attribute among all the earlier ones
 * of its element, and its RELAX NG validator takes time quadratic in the
 * children of one element, so either would turn a 2 MB file into minutes.
 * One linear pass: comments, CDATA sections, processing instructions and
 * declarations are skipped, attribute values are read between their
 * quotes, end tags close the innermost open element (deeper than
 * XML_MAX_DEPTH the scan stops counting children; the depth limit is
 * reported later).  A malformed text may be miscounted; libxml2 then
 * reports it anyway.  Reports the first excess and returns false. */
static bool
within_limits(const struct rc_text *t, struct diag_sink *sink)
{
	const char *s = t->data;
	size_t len = t->len, i = 0, depth = 0;
	struct open_tag stack[XML_MAX_DEPTH + 1];

	while (i < len) {
		const char *lt = memchr(s + i, '<', len - i);
		size_t at, attrs = 0, nl;
		char q = 0;

		if (!lt)
			break;
		at = (size_t)(lt - s);
		if (len - at >= 4 && memcmp(s + at, "<!--", 4) == 0) {
			i = skip_past(s, len, at + 4, "-->", 3);
			continue;
		}
		if (len - at >= 9 && memcmp(s + at, "<![CDATA[", 9) == 0) {
			i = skip_past(s, len, at + 9, "]]>", 3);
			continue;
		}
		if (len - at >= 2 && s[at + 1] == '?') {
			i = skip_past(s, len, at + 2, "?>", 2);
			continue;
		}
		if (len - at >= 2 && (s[at + 1] == '!' || s[at + 1] == '/')) {
			if (s[at + 1] == '/' && depth)
				depth--;
			i = skip_past(s, len, at + 2, ">", 1);
			continue;
		}
		/* a start tag: its parent gains a child */
		if (depth && depth <= XML_MAX_DEPTH &&
		    ++stack[depth - 1].children > XML_MAX_CHILDREN) {
			size_t p = stack[depth - 1].at + 1;

			nl = name_end(s, len, p - 1);
			diag_report(sink, D_XML_LIMIT, t,
				    span_make((uint32_t)stack[depth - 1].at,
					      (uint32_t)nl),
				    "<%.*s> holds more than %d child elements "
				    "(the limit of one element)",
				    (int)(nl - p > 64 ? 64 : nl - p), s + p,
				    XML_MAX_CHILDREN);
			return false;
		}
		for (i = at + 1; i < len; i++) {
			if (q) {
				if (s[i] == q)
					q = 0;
			} else if (s[i] == '"' || s[i] == '\'') {
				q = s[i];
			} else if (s[i] == '=') {
				if (++attrs > XML_MAX_ATTRS) {
					too_many_attrs(t, sink, at);
					return false;
				}
			} else if (s[i] == '>' || s[i] == '<') {
				break;
			}
		}
		if (i < len && s[i] == '>' && s[i - 1] != '/') {
			if (depth < XML_MAX_DEPTH + 1) {
				stack[depth].at = at;
				stack[depth].children = 0;
			}
			depth++;
		}
		if (i < len && s[i] == '>')
			i++;
	}
	return true;
}

/* ---- encodings ---------------------------------------------------------- */

static bool
is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The span of the encoding name in an XML declaration at the start of
 * s[0..len) (ASCII-compatible text); false when there is none. */
static bool
declared_encoding(const char *s, size_t len, struct span *name)
{
	const char *end;
	size_t i, j, k, n;
	char q;

	if (len < 6 || memcmp(s, "<?xml", 5) != 0 || !is_blank(s[5]))
		return false;
	end = find(s, len, "?>", 2);
	n = end ? (size_t)(end - s) : 0;
	for (i = 6; i + 8 <= n; i++) {
		if (memcmp(s + i, "encoding", 8) != 0 || !is_blank(s[i - 1]))
			continue;
		for (j = i + 8; j < n && is_blank(s[j]); j++)
			;
		if (j >= n || s[j] != '=')
			continue;
		for (j++; j < n && is_blank(s[j]); j++)
			;
		if (j >= n || (s[j] != '"' && s[j] != '\''))
			return false;
		q = s[j++];
		for (k = j; k < n && s[k] != q; k++)
			;
		if (k >= n || k == j)
			return false;
		*name = span_make((uint32_t)j, (uint32_t)k);
		return true;
	}
	return false;
}

/* Encoding names that need no conversion, and those of UTF-16 and
 * UTF-32, which an ASCII-compatible file cannot be in (libxml2 reads such
 * a mislabelled file as UTF-8 too). */
static bool
needs_no_conversion(const char *name)
{
	static const char *const same[] = { "UTF-8", "UTF8", "US-ASCII",
					    "ASCII" };
	size_t i;

	for (i = 0; i < sizeof same / sizeof *same; i++)
		if (strcasecmp(name, same[i]) == 0)
			return true;
	return strncasecmp(name, "UTF-16", 6) == 0 ||
	       strncasecmp(name, "UTF16", 5) == 0 ||
	       strncasecmp(name, "UTF-32", 6) == 0 ||
	       strncasecmp(name, "UCS-", 4) == 0;
}

/* Conversion errors are dropped: their position is known from the input
 * left over (see transcode). */
static void
drop_error(void *ud, xmlError *e)
{
	(void)ud;
	(void)e;
}

/* A text over the whole source, for a located diagnostic. */
static const struct rc_text *
whole_text(struct diag_sink *sink, struct rc_source *s)
{
	struct rc_text *t = ARENA_NEW(sink->arena, struct rc_text);

	if (t) {
		t->src = s;
		t->data = s->data;
		t->len = s->len;
	}
	return t;
}

/* An encoding libxml2 has no converter for (nor iconv, which it uses). */
static void
unknown_encoding(struct diag_sink *sink, struct rc_source *s,
		 const char *from, bool declared, struct span at)
{
	struct strbuf fix = STRBUF_INIT;
	const struct rc_text *t = whole_text(sink, s);
	struct diag *d;

	if (!t)
		return;
	if (declared)
		d = diag_new(sink, D_ENCODING, t, at, "the XML declaration "
			     "names the encoding '%s', which rulec cannot "
			     "convert to UTF-8", from);
	else
		d = diag_new(sink, D_ENCODING, t, at, "the file is %s text, "
			     "which rulec cannot convert to UTF-8", from);
	enc_fix(&fix, declared ? "ENCODING" : from, s->name);
	if (declared)
		diag_help(sink, d, "save the file as UTF-8 and declare "
			  "encoding=\"UTF-8\": %s, with ENCODING the file's "
			  "real encoding (iconv -l lists the names)",
			  fix.data ? fix.data : "");
	else
		diag_help(sink, d, "convert it to UTF-8: %s",
			  fix.data ? fix.data : "");
	diag_emit(sink, d);
	sb_free(&fix);
}

/* Runs libxml2's converter from `from` over in[0..n): *out gets the UTF-8
 * of the longest prefix it converts (malloc'd, *outlen bytes), *left the
 * number of bytes after that prefix.  Returns 0, -1 when libxml2 has no
 * converter for `from`, -2 when memory ran out.  libxml2 reports
 * conversion errors to its global handlers, which would print them: here
 * they go to drop_error. */
static int
transcode(const char *from, const char *in, size_t n, char **out,
	  size_t *outlen, size_t *left)
{
	xmlStructuredErrorFunc old_fn = xmlStructuredError;
	void *old_ctx = xmlStructuredErrorContext;
	xmlCharEncodingHandler *h;
	xmlBuffer *ib = NULL, *ob = NULL;
	int rc = -2, r;

	*out = NULL;
	xmlSetStructuredErrorFunc(NULL, drop_error);
	if (!(h = xmlFindCharEncodingHandler(from))) {
		rc = -1;
		goto done;
	}
	ib = xmlBufferCreateSize(n + 1);
	ob = xmlBufferCreateSize(2 * n + 16);
	if (!ib || !ob || xmlBufferAdd(ib, (const xmlChar *)in, (int)n) != 0)
		goto done;
	/* each call converts as much as the output buffer holds */
	do
		r = xmlCharEncInFunc(h, ob, ib);
	while (r > 0 && xmlBufferLength(ib) > 0);
	*left = (size_t)xmlBufferLength(ib);
	*outlen = (size_t)xmlBufferLength(ob);
	if ((*out = malloc(*outlen + 1)) != NULL) {
		memcpy(*out, xmlBufferContent(ob), *outlen);
		rc = 0;
	}
done:
	if (h)
		xmlCharEncCloseFunc(h);
	xmlBufferFree(ib);
	xmlBufferFree(ob);
	xmlSetStructuredErrorFunc(old_ctx, old_fn);
	return rc;
}

/* Converts s->data[skip..) from `from` to UTF-8 and puts the result in
 * place of the data.  On bytes that are not text in `from`, the data
 * becomes the converted text before them followed by the rest as it was,
 * so that the error points at the right line and column; returns false
 * (reported). */
static bool
convert(struct rc_source *s, struct diag_sink *sink, const char *from,
	size_t skip, bool declared, struct span decl)
{
	const struct rc_text *t;
	struct diag *d;
	char *out, *data;
	size_t done = 0, left = 0, at;
	unsigned char bad;
	int rc = transcode(from, s->data + skip, s->len - skip, &out, &done,
			   &left);

	if (rc == -1)
		unknown_encoding(sink, s, from, declared, decl);
	if (rc < 0) {
		sink->arena->oom |= rc == -2;
		return false;
	}
	/* libxml2's UTF-16 decoder passes a lone surrogate through */
	at = left ? done : utf8_check(out, done);
	bad = left ? (unsigned char)s->data[s->len - left] : 0;
	data = malloc(done + left + 1);
	if (!data) {
		free(out);
		sink->arena->oom = true;
		return false;
	}
	memcpy(data, out, done);
	memcpy(data + done, s->data + s->len - left, left);
	data[done + left] = '\0';
	free(out);
	free((char *)s->data);
	source_free_lines(s);
	s->data = data;
	s->len = done + left;
	if (at == s->len)
		return true;
	if ((t = whole_text(sink, s)) == NULL)
		return false;
	if (left)
		d = diag_new(sink, D_ENCODING, t, span_make((uint32_t)at,
							  (uint32_t)at + 1),
			     "byte 0x%02X is not %s text%s", bad, from,
			     declared ? ", the encoding the XML declaration "
					"names" : "");
	else
		d = diag_new(sink, D_ENCODING, t, span_make((uint32_t)at,
							  (uint32_t)at + 1),
			     "the text here is not valid %s (a lone "
			     "surrogate?)", from);
	diag_help(sink, d, "%s", declared ? "name the file's real encoding "
		  "in the XML declaration, or save the file as UTF-8"
		  : "save the file as UTF-8");
	diag_emit(sink, d);
	return false;
}

bool
xml_decode(struct rc_source *s, struct diag_sink *sink)
{
	struct enc_guess g = enc_sniff(s->data, s->len);
	struct span decl;
	char name[64];

	if (s->len > XML_MAX_SIZE)
		return true;    /* xml_read refuses it */
	if (g.enc != ENC_UTF8)
		return convert(s, sink, enc_name(g.enc), g.bom, false,
			       span_make(0, 0));
	/* a UTF-8 byte order mark decides over a declaration */
	if (g.bom)
		return enc_require_utf8(sink, s);
	if (!declared_encoding(s->data, s->len, &decl))
		return true;
	snprintf(name, sizeof name, "%.*s", (int)(decl.end - decl.start),
		 s->data + decl.start);
	if (needs_no_conversion(name))
		return true;
	return convert(s, sink, name, 0, true, decl);
}

/* A C0 control character, which XML 1.0 forbids (tab, line feed and
 * carriage return aside). */
static bool
is_xml_control(unsigned char c)
{
	return c < 0x20 && c != '\t' && c != '\n' && c != '\r';
}

/* The start of a character reference (&#27; or &#x1b;) that ends just
 * before at, else at. */
static uint32_t
char_ref_before(const struct rc_text *t, uint32_t at)
{
	uint32_t b;

	if (at < 4 || at > t->len || t->data[at - 1] != ';')
		return at;
	for (b = at - 1; b > 0 && at - b < 12; b--)
		if (t->data[b - 1] == '&')
			return t->data[b] == '#' ? b - 1 : at;
	return at;
}

/* Messages of our own for the well-formedness errors people make; the
 * rest keep libxml2's wording. */
static const char *
known_message(int code)
{
	switch (code) {
	case XML_ERR_DOCUMENT_EMPTY: return "the file is empty";
	case XML_ERR_DOCUMENT_END:
		return "text or markup after the end of the <rule> element";
	case XML_ERR_UNDECLARED_ENTITY:
	case XML_WAR_UNDECLARED_ENTITY:
		return "unknown entity (only &lt; &gt; &amp; &quot; &apos; and "
		       "character references exist without a DOCTYPE)";
	case XML_ERR_ATTRIBUTE_REDEFINED:
		return "an attribute is given twice on this element";
	case XML_ERR_NAME_REQUIRED:
	case XML_ERR_ENTITYREF_SEMICOL_MISSING:
		return "'&' starts an entity reference: write &amp; for an "
		       "ampersand";
	case XML_ERR_LT_IN_ATTRIBUTE:
		return "'<' inside an attribute value: write &lt;";
	case XML_ERR_INVALID_CHAR:
	case XML_ERR_INVALID_ENCODING:
		return "invalid character: rule files must be UTF-8 text";
	default:
		return NULL;
	}
}

xmlDoc *
xml_read(const struct rc_text *t, struct diag_sink *sink)
{
	xmlParserCtxt *ctxt;
	xmlDoc *doc;
	struct first_error fe;
	long dt;
	/* the declaration's encoding is ignored: xml_decode has converted
	 * the text to UTF-8 already */
	const int options = XML_PARSE_NONET | XML_PARSE_BIG_LINES |
			    XML_PARSE_NOERROR | XML_PARSE_NOWARNING |
			    XML_PARSE_IGNORE_ENC;

	if (t->len > XML_MAX_SIZE) {
		diag_report(sink, D_XML_LIMIT, t, span_make(0, 0),
			    "XML rule files may be at most %d MiB",
			    XML_MAX_SIZE / (1024 * 1024));
		return NULL;
	}
	if (t->len >= 2 && ((unsigned char)t->data[0] == 0xFE ||
			    (unsigned char)t->data[0] == 0xFF ||
			    t->data[0] == '\0' || t->data[1] == '\0')) {
		diag_report(sink, D_BAD_XML, t, span_make(0, 1),
			    "the file looks like UTF-16 text; rule files must "
			    "be UTF-8");
		return NULL;
	}
	if ((dt = find_doctype(t->data, t->len)) >= 0) {
		struct diag *d = diag_new(sink, D_XML_DOCTYPE, t,
					  span_make((uint32_t)dt,
						    (uint32_t)dt + 9),
					  "DOCTYPE declarations are refused: "
					  "rule files never need one, and they "
					  "can define entities and load "
					  "external files");
		diag_help(sink, d, "remove the <!DOCTYPE ...> declaration");
		diag_emit(sink, d);
		return NULL;
	}
	if (!within_limits(t, sink))
		return NULL;
	ctxt = xmlNewParserCtxt();
	if (!ctxt) {
		sink->arena->oom = true;
		return NULL;
	}
	memset(&fe, 0, sizeof fe);
	ctxt->_private = &fe;
	ctxt->sax->serror = on_error;
	ctxt->userData = ctxt;
	doc = xmlCtxtReadMemory(ctxt, t->data, (int)t->len, t->src->name,
				"UTF-8", options);
	if (doc && (doc->intSubset || doc->extSubset)) {
		/* unreachable after find_doctype; kept as a second guard */
		xmlFreeDoc(doc);
		doc = NULL;
		fe.have = true;
		fe.line = 1;
		fe.col = 1;
		snprintf(fe.msg, sizeof fe.msg, "DOCTYPE");
	}
	if (!doc || !ctxt->wellFormed) {
		uint32_t at = fe.have ? offset_of(t, fe.line, fe.col)
				      : (uint32_t)t->len;
		const char *own = known_message(fe.code);
		uint32_t ref;

		if (doc)
			xmlFreeDoc(doc);
		doc = NULL;
		if (fe.code == XML_ERR_TAG_NAME_MISMATCH && fe.str1[0]) {
			/* the parser stops after the closing tag: point at
			 * the tag itself */
			uint32_t b = at;
			while (b > 1 && t->data[b - 1] != '\n' &&
			       !(t->data[b - 1] == '/' && t->data[b - 2] == '<'))
				b--;
			if (b > 1 && t->data[b - 1] == '/')
				b -= 2;
			else
				b = at;
			diag_report(sink, D_BAD_XML, t,
				    span_make(b, at > b ? at : b + 1),
				    "malformed XML: closing tag </%s> does not "
				    "match <%s> opened on line %d", fe.str2,
				    fe.str1, fe.int1);
		} else if (fe.code == XML_ERR_INVALID_CHAR && at < t->len &&
			   is_xml_control((unsigned char)t->data[at])) {
			/* valid UTF-8, but not an XML character */
			struct diag *d = diag_new(sink, D_BAD_XML, t,
				span_make(at, at + 1), "malformed XML: control "
				"character U+%04X: XML allows none but tab, "
				"line feed and carriage return, not even as a "
				"character reference",
				(unsigned)(unsigned char)t->data[at]);
			diag_help(sink, d, "remove it");
			diag_emit(sink, d);
		} else if (fe.code == XML_ERR_INVALID_CHAR &&
			   (ref = char_ref_before(t, at)) < at) {
			struct diag *d = diag_new(sink, D_BAD_XML, t,
				span_make(ref, at), "malformed XML: %.*s names "
				"a character that XML does not allow (control "
				"characters but tab, line feed and carriage "
				"return, surrogates, U+FFFE, U+FFFF)",
				(int)(at - ref),
				t->data + ref);
			diag_help(sink, d, "remove it");
			diag_emit(sink, d);
		} else {
			struct diag *d = diag_new(sink, D_BAD_XML, t,
				span_make(at, at < t->len ? at + 1 : at),
				"malformed XML: %s", own ? own : fe.have &&
				fe.msg[0] ? fe.msg : "the parser gave up");
			/* a byte that is not UTF-8: the file is in another
			 * encoding that its declaration does not name */
			if ((fe.code == XML_ERR_INVALID_CHAR ||
			     fe.code == XML_ERR_INVALID_ENCODING) &&
			    at < t->len && (unsigned char)t->data[at] >= 0x80)
				diag_help(sink, d, "name the file's encoding "
					  "in its XML declaration (<?xml "
					  "version=\"1.0\" encoding=\"windows-"
					  "1252\"?>, for example), or save it "
					  "as UTF-8");
			diag_emit(sink, d);
		}
	}
	xmlFreeParserCtxt(ctxt);
	return doc;
}

/* Element names of the language in their documented spelling. */
static const char *const element_names[] = {
	"rule", "definition", "ancestor", "parentprocess", "process",
	"operations", "operation", "operator", "condition", "description",
	"name", "category", "severity", "os", "mitreattackid", "explanation",
	"maliciousCauses", "benignCauses", "recommendedActions", "guid",
	"maliciousTarget", "actions", "action", "sequence", "detection",
	"aggregateOn", "property",
};

struct norm {
	const struct xml_index *index;
	const struct rc_text *t;
	struct diag_sink *sink;
	unsigned warnings;
	bool too_deep;
};

static void
normalise(struct norm *nm, xmlNode *node, unsigned depth)
{
	xmlNode *c, *next;

	if (depth > XML_MAX_DEPTH) {
		if (!nm->too_deep)
			diag_report(nm->sink, D_XML_LIMIT, nm->t,
				    xml_node_span(nm->index, node),
				    "elements nested deeper than %d levels",
				    XML_MAX_DEPTH);
		nm->too_deep = true;
		return;
	}
	for (c = node->children; c; c = next) {
		const char *canon = NULL;
		size_t i;

		next = c->next;
		if (c->type != XML_ELEMENT_NODE)
			continue;
		for (i = 0; i < sizeof element_names / sizeof *element_names;
		     i++)
			if (strcasecmp((const char *)c->name,
				       element_names[i]) == 0)
				canon = element_names[i];
		if (!canon) {
			diag_report(nm->sink, D_UNKNOWN_ELEMENT, nm->t,
				    xml_node_span(nm->index, c),
				    "unknown element <%s> in <%s>; it is "
				    "ignored", (const char *)c->name,
				    (const char *)node->name);
			nm->warnings++;
			xmlUnlinkNode(c);
			xmlFreeNode(c);
			continue;
		}
		if (strcmp(canon, (const char *)c->name) != 0) {
			struct diag *d = diag_new(nm->sink, D_ELEMENT_CASE,
				nm->t, xml_node_span(nm->index, c),
				"<%s> is spelled <%s> in ESET's documentation",
				(const char *)c->name, canon);
			diag_help(nm->sink, d, "write <%s>", canon);
			diag_emit(nm->sink, d);
			nm->warnings++;
			xmlNodeSetName(c, (const xmlChar *)canon);
		}
		if (strcmp(canon, "operator") == 0) {
			xmlChar *ty = xmlGetProp(c, (const xmlChar *)"type");
			static const char *const ops[] = { "AND", "OR", "NOT" };

			for (i = 0; ty && i < 3; i++)
				if (strcasecmp((const char *)ty, ops[i]) == 0)
					xmlSetProp(c, (const xmlChar *)"type",
						   (const xmlChar *)ops[i]);
			xmlFree(ty);
		}
		normalise(nm, c, depth + 1);
	}
}

unsigned
xml_normalise(xmlDoc *doc, const struct xml_index *index,
	      const struct rc_text *t, struct diag_sink *sink)
{
	struct norm nm = { index, t, sink, 0, false };
	xmlNode *root = xmlDocGetRootElement(doc);

	if (!root)
		return 0;
	if (strcasecmp((const char *)root->name, "rule") == 0 &&
	    strcmp((const char *)root->name, "rule") != 0) {
		diag_report(sink, D_ELEMENT_CASE, t, xml_node_span(index, root),
			    "<%s> is spelled <rule> in ESET's documentation",
			    (const char *)root->name);
		xmlNodeSetName(root, (const xmlChar *)"rule");
		nm.warnings++;
	}
	normalise(&nm, root, 1);
	return nm.warnings;
}
