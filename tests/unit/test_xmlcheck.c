/*
 * test_xmlcheck.c - element positions and the structure check of ESET
 * rules (front/xmlcheck.h against schemas/eset-rule.rng).
 *
 * Spans: repeated elements on one line (ESET exports rules as one line),
 * start tags over several lines, quotes and entities in values, '>' in a
 * value, markup-like text in comments, CDATA and processing instructions,
 * big line numbers, and elements the index does not know (never outside
 * the text).  Validation: good documents (the design seed, the legacy and
 * sequence forms, an exclusion), then bad ones, each pinned to its exact
 * message, line and column.
 *
 * Every document is copied into a malloc'd buffer of exactly len + 1
 * bytes, so AddressSanitizer catches a scan past the text.  The schema is
 * compiled once by the group setup and reaches each test as its state.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <libxml/parser.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/source.h"
#include "front/xmlcheck.h"

#ifndef RNG_PATH
#define RNG_PATH "schemas/eset-rule.rng"
#endif

enum { MAX_GOT = 32 };

/* One delivered diagnostic, copied during the callback. */
struct got {
	char msg[512];
	char help[512];
	unsigned line, col, end_line, end_col;
};

/* The document of one test, owned by the fixture. */
struct doc {
	struct xml_schema *schema;   /* the group's, not owned */
	char *buf;
	struct rc_source src;
	struct rc_text t;
	xmlDoc *xml;
	struct xml_index *ix;
	struct arena arena;
	struct diag_sink sink;
	struct got got[MAX_GOT];
	int ngot;
};

/* The design seed (ESET rule A0504b), one line as ESET exports it; its
 * spelling is already the documented one. */
static const char seed[] =
	"<?xml version='1.0' encoding='UTF-8'?> <rule> <description>"
	" <name>External Network Connection from rundll32.exe with"
	" Unpopular Parent [A0504b]</name>"
	" <category>Communication</category> <os>Windows</os>"
	" <severity>48</severity>"
	" <mitreattackid>T1218.011</mitreattackid>"
	" <explanation>Rundll32 is a Microsoft Windows system utility"
	" that provides an entry point and minimal framework for"
	" executing dynamic load libraries. The rule monitors network"
	" connections to public range IP addresses from Rundll32 that"
	" was started from an unpopular process.</explanation>"
	" <benignCauses>This usually happens when benign less popular"
	" software prints on the network printer.</benignCauses>"
	" <maliciousCauses>Often used by script malware for downloading"
	" or reporting</maliciousCauses> <recommendedActions>1."
	" Evaluate the parent process, its command line and execution"
	" chain. 2. Evaluate the target IP, check events for creating,"
	" modifying and executing files by the script interpreter. 3."
	" If a suspicious activity is detected, start the incident"
	" response process (for example, disconnect the computer from"
	" the internet, update your antivirus product and scan the"
	" computer for malware, send samples for analysis, block"
	" module, etc.).</recommendedActions> </description>"
	" <definition> <parentprocess> <operator type=\"AND\"> <condition"
	" component=\"LiveGrid\" property=\"Popularity\" condition=\"less\""
	" value=\"1000\"/> <operator type=\"NOT\"> <operator type=\"OR\">"
	" <condition component=\"Module\" property=\"SignatureType\""
	" condition=\"is\" value=\"Trusted\"/> <condition"
	" component=\"Enterprise\" property=\"Safe\" condition=\"is\""
	" value=\"1\"/> </operator> </operator> </operator>"
	" </parentprocess> <process> <operator type=\"OR\"> <condition"
	" component=\"FileItem\" property=\"FileName\" condition=\"is\""
	" value=\"rundll32.exe\"/> <condition component=\"Module\""
	" property=\"OriginalFileName\" condition=\"is\""
	" value=\"RUNDLL32.exe\"/> </operator> </process> <operations>"
	" <operation type=\"TcpIpConnect\"> <operator type=\"OR\">"
	" <operator type=\"NOT\"> <operator type=\"OR\"> <condition"
	" component=\"Network\" property=\"IpAddressV4\" condition=\"is\""
	" value=\"10.0.0.0/8\"/> <condition component=\"Network\""
	" property=\"IpAddressV4\" condition=\"is\" value=\"172.16.0.0/12\"/>"
	" <condition component=\"Network\" property=\"IpAddressV4\""
	" condition=\"is\" value=\"192.168.0.0/16\"/> <condition"
	" component=\"Network\" property=\"IpAddressV4\" condition=\"is\""
	" value=\"127.0.0.0/8\"/> </operator> </operator> <operator"
	" type=\"NOT\"> <operator type=\"OR\"> <condition"
	" component=\"Network\" property=\"IpAddressV6\" condition=\"is\""
	" value=\"fc00::/7\"/> <condition component=\"Network\""
	" property=\"IpAddressV6\" condition=\"is\" value=\"::1/128\"/>"
	" </operator> </operator> </operator> </operation>"
	" </operations> </definition> <maliciousTarget name=\"current\"/>"
	" <actions> <action name=\"TriggerDetection\"/> <action"
	" name=\"StoreEvent\"/> </actions> </rule>"
	;

/* ---- fixtures ----------------------------------------------------------- */

static int
group_setup(void **state)
{
	FILE *f = fopen(RNG_PATH, "rb");
	char *buf;
	long n;
	struct xml_schema *s;

	xmlInitParser();
	if (!f)
		return -1;
	if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || !(buf = malloc((size_t)n + 1))) {
		fclose(f);
		return -1;
	}
	if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	s = xml_schema_new(buf, (size_t)n);
	free(buf);
	*state = s;
	return s ? 0 : -1;
}

static int
group_teardown(void **state)
{
	xml_schema_free(*state);
	xmlCleanupParser();
	return 0;
}

static int
doc_setup(void **state)
{
	struct doc *d = calloc(1, sizeof *d);

	if (!d)
		return -1;
	d->schema = *state;
	*state = d;
	return 0;
}

static void
doc_clear(struct doc *d)
{
	xml_index_free(d->ix);
	if (d->xml)
		xmlFreeDoc(d->xml);
	arena_release(&d->arena);
	source_free_lines(&d->src);
	free(d->buf);
	d->ix = NULL;
	d->xml = NULL;
	d->buf = NULL;
	d->ngot = 0;
}

static int
doc_teardown(void **state)
{
	struct doc *d = *state;

	doc_clear(d);
	free(d);
	return 0;
}

static void
on_diag(void *ud, const struct diag *dg)
{
	struct doc *d = ud;
	struct got *g;
	struct diag_loc loc;

	if (d->ngot >= MAX_GOT) {
		d->ngot++;
		return;
	}
	g = &d->got[d->ngot++];
	diag_location(dg, &loc);
	snprintf(g->msg, sizeof g->msg, "%s", dg->msg);
	snprintf(g->help, sizeof g->help, "%s", dg->help ? dg->help : "");
	g->line = loc.line;
	g->col = loc.col;
	g->end_line = loc.end_line;
	g->end_col = loc.end_col;
}

/* Parses `text` the way rulec does and indexes it. */
static struct doc *
doc_open(void **state, const char *text)
{
	struct doc *d = *state;
	size_t len = strlen(text);

	doc_clear(d);
	d->buf = malloc(len + 1);
	assert_non_null(d->buf);
	memcpy(d->buf, text, len + 1);
	d->src.name = "test.xml";
	d->src.data = d->buf;
	d->src.len = len;
	d->t.src = &d->src;
	d->t.data = d->buf;
	d->t.len = len;
	d->xml = xmlReadMemory(d->buf, (int)len, "test.xml", "UTF-8",
			       XML_PARSE_NONET | XML_PARSE_BIG_LINES |
			       XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	assert_non_null(d->xml);
	d->ix = xml_index_build(&d->t, d->xml);
	assert_non_null(d->ix);
	arena_init(&d->arena, NULL);
	diag_sink_init(&d->sink, &d->arena);
	d->sink.fn = on_diag;
	d->sink.ud = d;
	return d;
}

/* Validates `text`; returns what xml_validate returns. */
static int
validate(void **state, const char *text)
{
	struct doc *d = doc_open(state, text);
	int n = xml_validate(d->schema, d->xml, d->ix, &d->sink, &d->t);

	assert_int_equal(n, d->ngot);
	return n;
}

/* The i-th diagnostic has this message and starts at line:col. */
static void
expect_diag(const struct doc *d, int i, unsigned line, unsigned col,
	    const char *msg)
{
	assert_true(i < d->ngot);
	if (strcmp(d->got[i].msg, msg) != 0)
		print_error("diagnostic %d: got \"%s\"\n", i, d->got[i].msg);
	assert_string_equal(d->got[i].msg, msg);
	if (d->got[i].line != line || d->got[i].col != col)
		print_error("diagnostic %d at %u:%u, expected %u:%u\n", i,
			    d->got[i].line, d->got[i].col, line, col);
	assert_int_equal(d->got[i].line, line);
	assert_int_equal(d->got[i].col, col);
}

/* Validates `text` and expects exactly one diagnostic. */
static struct doc *
expect_one(void **state, const char *text, unsigned line, unsigned col,
	   const char *msg)
{
	int n = validate(state, text);
	struct doc *d = *state;

	if (n != 1)
		print_error("%d diagnostics, first \"%s\"\n", n,
			    n > 0 ? d->got[0].msg : "");
	assert_int_equal(n, 1);
	expect_diag(d, 0, line, col, msg);
	return d;
}

/* The text under a span. */
static void
assert_span_text(const struct doc *d, struct span sp, const char *want)
{
	size_t n = strlen(want);

	assert_true(sp.start <= sp.end);
	assert_true(sp.end <= d->t.len);
	if (sp.end - sp.start != n || memcmp(d->buf + sp.start, want, n) != 0)
		print_error("span [%u,%u) holds \"%.*s\", expected \"%s\"\n",
			    sp.start, sp.end, (int)(sp.end - sp.start),
			    d->buf + sp.start, want);
	assert_int_equal(sp.end - sp.start, n);
	assert_memory_equal(d->buf + sp.start, want, n);
}

static void
assert_span_at(struct doc *d, struct span sp, unsigned line, unsigned col)
{
	unsigned l, c;

	assert_int_equal(source_linecol(&d->src, sp.start, &l, &c), 0);
	if (l != line || c != col)
		print_error("span at %u:%u, expected %u:%u\n", l, c, line,
			    col);
	assert_int_equal(l, line);
	assert_int_equal(c, col);
}

/* The n-th element called `name` in document order (0-based). */
static xmlNode *
nth(xmlNode *n, const char *name, int *k)
{
	xmlNode *r;

	for (; n; n = n->next) {
		if (n->type != XML_ELEMENT_NODE)
			continue;
		if (strcmp((const char *)n->name, name) == 0 && (*k)-- == 0)
			return n;
		if ((r = nth(n->children, name, k)))
			return r;
	}
	return NULL;
}

static xmlNode *
element(const struct doc *d, const char *name, int i)
{
	xmlNode *n = nth(d->xml->children, name, &i);

	assert_non_null(n);
	return n;
}

/* Offset of the i-th occurrence of `pat` in the text. */
static uint32_t
occurrence(const struct doc *d, const char *pat, int i)
{
	const char *p = d->buf;

	for (;;) {
		p = strstr(p, pat);
		assert_non_null(p);
		if (i-- == 0)
			return (uint32_t)(p - d->buf);
		p++;
	}
}

/* ---- spans -------------------------------------------------------------- */

/* One line, 22 <condition> and 13 <operator> elements: each gets its own
 * occurrence, and its attributes their own values. */
static void
test_span_one_line(void **state)
{
	struct doc *d = doc_open(state, seed);
	int i;

	for (i = 0; i < 11; i++) {
		xmlNode *n = element(d, "condition", i);
		struct span sp = xml_node_span(d->ix, n);
		xmlChar *v = xmlGetProp(n, (const xmlChar *)"value");
		uint32_t at = occurrence(d, "<condition ", i) + 1;

		assert_int_equal(sp.start, at);
		assert_span_text(d, sp, "condition");
		assert_span_at(d, sp, 1, at + 1);
		assert_span_text(d, xml_attr_span(d->ix, n, "value"),
				 (const char *)v);
		xmlFree(v);
	}
	for (i = 0; i < 9; i++) {
		xmlNode *n = element(d, "operator", i);
		uint32_t at = occurrence(d, "<operator ", i) + 1;

		assert_int_equal(xml_node_span(d->ix, n).start, at);
		assert_int_equal(xml_attr_span(d->ix, n, "type").start,
				 at + strlen("operator type=\""));
	}
	assert_span_text(d, xml_node_span(d->ix, element(d, "rule", 0)),
			 "rule");
	assert_span_text(d, xml_attr_span(d->ix, element(d, "operation", 0),
					  "type"), "TcpIpConnect");
}

/* A start tag over several lines: libxml2 gives node->line as the line of
 * the tag's end; the span is the name on the first line. */
static void
test_span_multiline_tag(void **state)
{
	struct doc *d = doc_open(state,
		"<rule>\n"
		"  <x/><condition\n"
		"     component=\"FileItem\"\n"
		"     property='FileName'\n"
		"     condition=\"is\"\n"
		"     value=\"a.exe\"\n"
		"  />\n"
		"  <condition component=\"b\"\n"
		"  /><condition component=\"c\"/>\n"
		"</rule>\n");
	xmlNode *c0 = element(d, "condition", 0);
	xmlNode *c1 = element(d, "condition", 1);
	xmlNode *c2 = element(d, "condition", 2);

	/* the libxml2 convention this module copes with */
	assert_int_equal(c0->line, 7);
	assert_int_equal(c1->line, 9);
	assert_span_at(d, xml_node_span(d->ix, c0), 2, 8);
	assert_span_text(d, xml_node_span(d->ix, c0), "condition");
	assert_span_at(d, xml_attr_span(d->ix, c0, "component"), 3, 17);
	assert_span_text(d, xml_attr_span(d->ix, c0, "component"),
			 "FileItem");
	assert_span_at(d, xml_attr_span(d->ix, c0, "property"), 4, 16);
	assert_span_at(d, xml_attr_span(d->ix, c0, "value"), 6, 13);
	assert_span_at(d, xml_node_span(d->ix, c1), 8, 4);
	assert_span_at(d, xml_node_span(d->ix, c2), 9, 6);
	assert_span_text(d, xml_attr_span(d->ix, c2, "component"), "c");
}

/* Entities stay as written in the span; what follows is not shifted. */
static void
test_span_entity_in_value(void **state)
{
	struct doc *d = doc_open(state,
		"<rule><condition value=\"-ap &quot;MSExchange&quot; &lt;x&gt;\" "
		"property=\"CommandLine\"/><condition value=\"&amp;\"/></rule>");
	xmlNode *c0 = element(d, "condition", 0);
	xmlNode *c1 = element(d, "condition", 1);

	assert_span_text(d, xml_attr_span(d->ix, c0, "value"),
			 "-ap &quot;MSExchange&quot; &lt;x&gt;");
	assert_span_text(d, xml_attr_span(d->ix, c0, "property"),
			 "CommandLine");
	assert_int_equal(xml_node_span(d->ix, c1).start,
			 occurrence(d, "<condition", 1) + 1);
	assert_span_text(d, xml_attr_span(d->ix, c1, "value"), "&amp;");
}

/* Single and double quotes, each holding the other kind. */
static void
test_span_quotes(void **state)
{
	struct doc *d = doc_open(state,
		"<rule><condition a='x\">y' b = \"z'w\" c='' d=\"\"/>"
		"<condition a='2'/></rule>");
	xmlNode *c0 = element(d, "condition", 0);

	assert_span_text(d, xml_attr_span(d->ix, c0, "a"), "x\">y");
	assert_span_text(d, xml_attr_span(d->ix, c0, "b"), "z'w");
	/* empty values: the attribute's name */
	assert_span_text(d, xml_attr_span(d->ix, c0, "c"), "c");
	assert_span_text(d, xml_attr_span(d->ix, c0, "d"), "d");
	assert_span_text(d, xml_attr_name_span(d->ix, c0, "b"), "b");
	/* absent: the element */
	assert_span_text(d, xml_attr_span(d->ix, c0, "e"), "condition");
	assert_span_text(d, xml_attr_span(d->ix, element(d, "condition", 1),
					  "a"), "2");
}

/* '>' inside a value does not end the tag for the scanner. */
static void
test_span_gt_in_value(void **state)
{
	struct doc *d = doc_open(state,
		"<rule><operator type=\"a>b condition> x\"><condition "
		"value=\">/condition> condition\"/></operator>"
		"<condition value='>'/></rule>");
	xmlNode *c0 = element(d, "condition", 0);
	xmlNode *c1 = element(d, "condition", 1);

	assert_int_equal(xml_node_span(d->ix, c0).start,
			 occurrence(d, "<condition value", 0) + 1);
	assert_span_text(d, xml_attr_span(d->ix, c0, "value"),
			 ">/condition> condition");
	assert_int_equal(xml_node_span(d->ix, c1).start,
			 occurrence(d, "<condition value='", 0) + 1);
	assert_span_text(d, xml_attr_span(d->ix, c1, "value"), ">");
}

/* Markup-like text in comments, CDATA sections and processing
 * instructions is not taken for start tags. */
static void
test_span_comments(void **state)
{
	struct doc *d = doc_open(state,
		"<?xml version=\"1.0\"?><!-- <condition a='1'/> -->\n"
		"<rule><?pi <condition?><description><name><![CDATA[<condition "
		"b='2'/>]]></name></description><!--<condition-->"
		"<condition c='3'/><!-- - <condition --></rule>");
	xmlNode *c0 = element(d, "condition", 0);

	assert_int_equal(xml_node_span(d->ix, c0).start,
			 occurrence(d, "<condition c=", 0) + 1);
	assert_span_text(d, xml_attr_span(d->ix, c0, "c"), "3");
	assert_span_at(d, xml_node_span(d->ix, element(d, "rule", 0)), 2, 2);
	assert_span_text(d, xml_node_span(d->ix, element(d, "name", 0)),
			 "name");
}

/* Past line 65535 libxml2's node->line saturates; the index does not
 * care. */
static void
test_span_big_lines(void **state)
{
	enum { LINES = 70000 };
	char *text = malloc(LINES + 64);
	struct doc *d;
	xmlNode *c;

	assert_non_null(text);
	strcpy(text, "<rule>");
	memset(text + 6, '\n', LINES);
	strcpy(text + 6 + LINES, "<x/>  <condition\n a='1'/><x/></rule>");
	d = doc_open(state, text);
	free(text);
	c = element(d, "condition", 0);
	assert_int_equal(c->line, 65535);
	assert_span_at(d, xml_node_span(d->ix, c), LINES + 1, 8);
	assert_span_at(d, xml_attr_span(d->ix, c, "a"), LINES + 2, 5);
}

/* Elements the index does not know are searched for on their line; with
 * nothing right, spans still stay inside the text. */
static void
test_span_fallback(void **state)
{
	struct doc *d = doc_open(state,
		"<rule>\n  <process>\n    <condition a='1'/>\n  </process>\n"
		"</rule>");
	xmlNode *proc = element(d, "process", 0), *made;
	struct xml_index *other;
	struct rc_text small = d->t;
	struct span sp;

	/* made after the index: line 0, so line 1 is searched, then the
	 * whole of line 1 */
	made = xmlNewChild(proc, NULL, (const xmlChar *)"operator", NULL);
	assert_non_null(made);
	sp = xml_node_span(d->ix, made);
	assert_int_equal(sp.start, 0);
	assert_int_equal(sp.end, 6);
	made->line = 3;
	assert_span_text(d, xml_attr_span(d->ix, made, "a"),
			 "    <condition a='1'/>");
	xmlSetProp(made, (const xmlChar *)"x", (const xmlChar *)"1");
	xmlNodeSetName(made, (const xmlChar *)"condition");
	/* now found by name on its line */
	assert_span_text(d, xml_attr_span(d->ix, made, "a"), "1");

	/* an index of another, shorter text: nothing matches past it */
	small.len = 9;
	other = xml_index_build(&small, d->xml);
	assert_non_null(other);
	sp = xml_node_span(other, element(d, "condition", 0));
	assert_true(sp.start <= sp.end && sp.end <= small.len);
	sp = xml_attr_span(other, element(d, "condition", 0), "a");
	assert_true(sp.end <= small.len);
	sp = xml_node_span(other, proc);
	assert_true(sp.end <= small.len);
	xml_index_free(other);

	sp = xml_node_span(NULL, proc);
	assert_int_equal(sp.start, 0);
	assert_int_equal(sp.end, 0);
	sp = xml_node_span(d->ix, NULL);
	assert_int_equal(sp.end, 0);
}

/* Renaming (as xml_normalise does) keeps the written span; a prefix is
 * part of the name. */
static void
test_span_renamed(void **state)
{
	struct doc *d = doc_open(state,
		"<rule><definition><ParentProcess/><p:x xmlns:p='urn:a' "
		"k='v'/></definition></rule>");
	xmlNode *pp = element(d, "ParentProcess", 0);
	xmlNode *px = element(d, "x", 0);

	xmlNodeSetName(pp, (const xmlChar *)"parentprocess");
	assert_span_text(d, xml_node_span(d->ix, pp), "ParentProcess");
	assert_span_text(d, xml_node_span(d->ix, px), "p:x");
	assert_span_text(d, xml_attr_span(d->ix, px, "k"), "v");
}

/* ---- good documents ----------------------------------------------------- */

static void
test_valid_seed(void **state)
{
	assert_int_equal(validate(state, seed), 0);
}

static void
test_valid_forms(void **state)
{
	/* the community template: multi-line, comments, empty holders */
	assert_int_equal(validate(state,
		"<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
		"<rule>\n"
		"  <description>\n"
		"    <name>RULE_NAME [RULE_ID]</name>\n"
		"    <category>Discovery</category><os>Windows</os>\n"
		"    <severity>50</severity><mitreattackid/>\n"
		"  </description>\n"
		"  <!-- <condition/> -->\n"
		"  <definition>\n"
		"    <operations><operation type=\"CreateProcess\"/>"
		"</operations>\n"
		"    <process>\n"
		"      <!-- a comment -->\n"
		"      <condition component=\"FileItem\" property=\"FileName\"\n"
		"                 condition=\"isnotempty\"/>\n"
		"    </process>\n"
		"    <ancestor distance=\" 2 \" unique=\"true\"/>\n"
		"  </definition>\n"
		"  <maliciousTarget name=\"current\"/>\n"
		"  <actions><action name=\"TriggerDetection\"/>"
		"<action name=\"IncreaseParentRiskScore\" value=\"200\"/>"
		"</actions>\n"
		"</rule>\n"), 0);
	/* ESET's built-in rule through the EEI 1.6 API: legacy action */
	assert_int_equal(validate(state,
		"<rule><description><name>X [X9901]</name><guid>3F</guid>"
		"</description><definition><process><condition "
		"component=\"FileItem\" property=\"FileName\" condition=\"is\" "
		"value=\"wscript.exe\"/></process></definition>"
		"<action>MarkAsScript</action></rule>"), 0);
	/* an exclusion: no actions, no maliciousTarget */
	assert_int_equal(validate(state,
		"<rule><definition><process><operator type=\"AND\"><condition "
		"component=\"Module\" property=\"SignatureType\" "
		"condition=\"greaterOrEqual\" value=\"60\"/></operator>"
		"</process></definition><description><name>QEMU - [E0502]"
		"</name><category>Exclusion</category></description></rule>"),
		0);
	/* a sequence rule (the documentation's example) */
	assert_int_equal(validate(state,
		"<rule><description><name>seq</name></description>"
		"<definition><sequence count=\"2\" maxSpan=\"1m\">"
		"<detection><definition><process><condition component=\"Module\" "
		"property=\"FileName\" condition=\"is\" value=\"notepad.exe\"/>"
		"</process><operations><operation type=\"Detection\"><condition "
		"component=\"InspectDetection\" property=\"RuleName\" "
		"condition=\"contains\" value=\"a\"/></operation></operations>"
		"</definition></detection>"
		"<detection><definition><operations><operation "
		"type=\"Detection\"/></operations></definition></detection>"
		"<aggregateOn><property name=\"Computer\"/><property "
		"name=\"Process\"/></aggregateOn></sequence></definition>"
		"<actions><action name=\"ReportIncident\"/></actions></rule>"),
		0);
}

/* A text that is not a schema compiles to nothing, silently. */
static void
test_schema_bad(void **state)
{
	static const char junk[] = "<grammar xmlns=\"urn:nothing\"/>";
	static const char notxml[] = "<<<";
	static const char nostart[] =
		"<grammar xmlns=\"http://relaxng.org/ns/structure/1.0\"/>";

	(void)state;
	assert_null(xml_schema_new(junk, sizeof junk - 1));
	assert_null(xml_schema_new(notxml, sizeof notxml - 1));
	assert_null(xml_schema_new(nostart, sizeof nostart - 1));
	assert_null(xml_schema_new(NULL, 0));
}

/* ---- bad documents: one diagnostic each --------------------------------- */

#define DESC "<description><name>n</name></description>"

static void
test_bad_missing_component(void **state)
{
	expect_one(state,
		"<rule>\n"
		"  " DESC "\n"
		"  <definition>\n"
		"    <process>\n"
		"      <operator type=\"AND\">\n"
		"        <condition component=\"FileItem\" property=\"FileName\" "
		"condition=\"is\" value=\"a\"/>\n"
		"        <condition property=\"FileName\" condition=\"is\" "
		"value=\"b\"/>\n"
		"      </operator>\n"
		"    </process>\n"
		"  </definition>\n"
		"</rule>\n",
		7, 10, "<condition> needs the attribute 'component'");
}

static void
test_bad_empty_operator(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition><process><operator type=\"NOT\">"
		"<!-- nothing --></operator></process></definition></rule>",
		1, 70, "<operator> must contain at least one <condition> or "
		"<operator>");
}

static void
test_bad_condition_in_definition(void **state)
{
	struct doc *d = expect_one(state,
		"<rule>" DESC "\n<definition>\n  <condition component=\"a\" "
		"property=\"b\" condition=\"is\" value=\"c\"/>\n</definition>"
		"</rule>",
		3, 4, "<condition> is not allowed inside <definition>");

	assert_string_equal(d->got[0].help,
			    "<definition> may contain <ancestor>, "
			    "<parentprocess>, <process>, <operations> or "
			    "<sequence>");
}

static void
test_bad_operation_without_type(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition><operations>\n"
		"  <operation type=\"CreateProcess\"/>\n"
		"  <operation>\n"
		"    <condition component=\"a\" property=\"b\" condition=\"is\" "
		"value=\"c\"/>\n"
		"  </operation>\n"
		"</operations></definition></rule>",
		3, 4, "<operation> needs the attribute 'type'");
}

static void
test_bad_unknown_in_description(void **state)
{
	struct doc *d = expect_one(state,
		"<rule><description><name>n</name>\n <foo/></description>"
		"<definition/></rule>",
		2, 3, "<foo> is not allowed inside <description>");

	assert_string_equal(d->got[0].help,
			    "<description> may contain <name>, <category>, "
			    "<severity>, <os>, <mitreattackid>, <explanation>, "
			    "<maliciousCauses>, <benignCauses>, "
			    "<recommendedActions> or <guid>");
}

static void
test_bad_distance_zero(void **state)
{
	struct doc *d = expect_one(state,
		"<rule>" DESC "<definition><ancestor distance=\"0\">"
		"<condition component=\"a\" property=\"b\" condition=\"is\" "
		"value=\"c\"/></ancestor></definition></rule>",
		1, 80, "attribute 'distance' of <ancestor> must be a positive "
		"integer, not '0'");

	assert_int_equal(d->got[0].end_col, 81);
}

static void
test_bad_distance_text(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition>\n<ancestor unique='1' distance='x'/>"
		"</definition></rule>",
		2, 32, "attribute 'distance' of <ancestor> must be a positive "
		"integer, not 'x'");
}

static void
test_bad_unique(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition><ancestor unique=\"maybe\"/>"
		"</definition></rule>",
		1, 78, "attribute 'unique' of <ancestor> must be true, false, "
		"1 or 0, not 'maybe'");
}

static void
test_bad_no_description(void **state)
{
	expect_one(state,
		"<?xml version=\"1.0\"?>\n<rule>\n  <definition/>\n</rule>",
		2, 2, "<rule> needs a <description> with a <name>");
}

static void
test_bad_no_name(void **state)
{
	expect_one(state,
		"<rule>\n  <description><category>c</category><os>Windows</os>"
		"</description>\n  <definition/>\n</rule>",
		2, 4, "<description> needs a <name>");
}

static void
test_bad_two_process(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition>\n  <process/>\n  <operations>"
		"<operation type=\"a\"/></operations>\n  <process/>\n"
		"</definition></rule>",
		4, 4, "<definition> may contain only one <process>");
}

static void
test_bad_text_in_condition(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition><parentprocess>\n"
		"  <condition component=\"a\" property=\"b\" condition=\"is\">"
		"cmd.exe</condition>\n</parentprocess></definition></rule>",
		2, 4, "text is not allowed inside <condition>");
}

static void
test_bad_action_without_name(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition/>\n<actions>\n  <action "
		"name=\"TriggerDetection\"/>\n  <action value=\"1\"/>\n"
		"</actions></rule>",
		4, 4, "<action> needs the attribute 'name'");
}

static void
test_bad_sequence_without_detection(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition>\n  <sequence count=\"2\">"
		"<aggregateOn><property name=\"Computer\"/></aggregateOn>"
		"</sequence>\n</definition></rule>",
		2, 4, "<sequence> must contain at least one <detection>");
}

static void
test_bad_property_without_name(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition><sequence><detection><definition>"
		"<operations><operation type=\"Detection\"/></operations>"
		"</definition></detection>\n<aggregateOn>\n  <property "
		"name=\"Computer\"/>\n  <property/>\n</aggregateOn></sequence>"
		"</definition></rule>",
		4, 4, "<property> needs the attribute 'name'");
}

static void
test_bad_operator_type(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition><process><operator type=\"XOR\">"
		"<condition component=\"a\" property=\"b\" condition=\"is\"/>"
		"</operator></process></definition></rule>",
		1, 85, "attribute 'type' of <operator> must be AND, OR or NOT, "
		"not 'XOR'");
}

static void
test_bad_two_expressions(void **state)
{
	struct doc *d = expect_one(state,
		"<rule>" DESC "<definition><process>\n"
		"  <condition component=\"a\" property=\"b\" condition=\"is\" "
		"value=\"1\"/>\n"
		"  <operator type=\"OR\"><condition component=\"a\" "
		"property=\"b\" condition=\"is\" value=\"2\"/></operator>\n"
		"</process></definition></rule>",
		3, 4, "<process> may contain only one <condition> or "
		"<operator>");

	assert_string_equal(d->got[0].help,
			    "combine them in one <operator type=\"AND\"> or "
			    "<operator type=\"OR\">");
}

static void
test_bad_sequence_with_process(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition><process/>\n<sequence><detection>"
		"<definition><operations><operation type=\"Detection\"/>"
		"</operations></definition></detection></sequence>"
		"</definition></rule>",
		2, 2, "<sequence> cannot be used together with <process> "
		"inside <definition>");
}

static void
test_bad_root(void **state)
{
	expect_one(state, "<rules>" DESC "</rules>", 1, 2,
		   "the root element must be <rule>, not <rules>");
}

static void
test_bad_unknown_attribute(void **state)
{
	struct doc *d = expect_one(state,
		"<rule>" DESC "<definition/>\n<action name=\"StoreEvent\"/>"
		"</rule>",
		2, 9, "<action> does not take the attribute 'name'");

	assert_string_equal(d->got[0].help,
			    "<action name=...> goes inside <actions>");
}

static void
test_bad_all_attributes(void **state)
{
	expect_one(state,
		"<rule>" DESC "<definition><process><condition value=\"v\"/>"
		"</process></definition></rule>",
		1, 70, "<condition> needs the attributes 'component', "
		"'property' and 'condition'");
}

static void
test_bad_no_definition(void **state)
{
	expect_one(state, "<rule>" DESC "<maliciousTarget name=\"current\"/>"
		   "</rule>", 1, 2, "<rule> needs a <definition>");
}

/* Several independent errors: all of them, in document order, one per
 * element; libxml2's own cascade (it stops inside an interleave) does not
 * show. */
static void
test_bad_several(void **state)
{
	struct doc *d;

	assert_int_equal(validate(state,
		"<rule>\n"
		"  <description><name>n</name><name>m</name></description>\n"
		"  <definition>\n"
		"    <process><operator type=\"AND\"><condition property=\"p\" "
		"condition=\"is\"/></operator></process>\n"
		"    <operations><operation type=\"X\"><operator type=\"or\">"
		"<condition component=\"c\" property=\"p\" condition=\"is\"/>"
		"</operator></operation></operations>\n"
		"  </definition>\n"
		"  <actions><action/><action name=\"x\" extra=\"2\"/></actions>\n"
		"  <maliciousTarget/>\n"
		"</rule>\n"), 6);
	d = *state;
	expect_diag(d, 0, 2, 31, "<description> may contain only one <name>");
	expect_diag(d, 1, 4, 36, "<condition> needs the attribute 'component'");
	expect_diag(d, 2, 5, 53, "attribute 'type' of <operator> must be AND, "
		    "OR or NOT, not 'or'");
	expect_diag(d, 3, 7, 13, "<action> needs the attribute 'name'");
	expect_diag(d, 4, 7, 38, "<action> does not take the attribute "
		    "'extra'");
	expect_diag(d, 5, 8, 4, "<maliciousTarget> needs the attribute "
		    "'name'");
}

/* The seed with one condition broken near the end of its one line: the
 * column is that condition's own. */
static void
test_bad_in_seed(void **state)
{
	static const char from[] = "<condition component=\"Network\" "
				   "property=\"IpAddressV6\" condition=\"is\" "
				   "value=\"::1/128\"/>";
	static const char to[] = "<condition property=\"IpAddressV6\" "
				 "condition=\"is\" value=\"::1/128\"/>";
	char *text = malloc(sizeof seed);
	const char *p = strstr(seed, from);
	size_t at;

	assert_non_null(text);
	assert_non_null(p);
	at = (size_t)(p - seed);
	memcpy(text, seed, at);
	strcpy(text + at, to);
	strcat(text, p + strlen(from));
	expect_one(state, text, 1, (unsigned)at + 2,
		   "<condition> needs the attribute 'component'");
	free(text);
}

/* libxml2 reports a namespace the model does not look at: the message
 * chosen from libxml2's error code. */
static void
test_bad_namespace(void **state)
{
	expect_one(state, "<rule xmlns=\"urn:x\">" DESC "<definition/></rule>",
		   1, 2, "<rule> is in an XML namespace; ESET rules use none");
}

/* Fails every allocation after the first `left`. */
struct failing {
	int left;
};

static void *
fail_alloc(void *ud, size_t n)
{
	struct failing *f = ud;

	return f->left-- > 0 ? malloc(n) : NULL;
}

static void
fail_release(void *ud, void *p)
{
	(void)ud;
	free(p);
}

/* Out of memory in the sink's arena at every possible point: -1 and
 * nothing leaked; with enough memory, the full result. */
static void
test_oom(void **state)
{
	struct doc *d = doc_open(state,
		"<rule><description/><definition><process><condition/>"
		"</process><ancestor distance=\"x\"/></definition>"
		"<actions><action/></actions></rule>");
	int k, r = -1;

	for (k = 0; k < 1000 && r < 0; k++) {
		struct failing f = { k };
		struct rc_allocator al = { fail_alloc, fail_release, &f };
		struct arena a;
		struct diag_sink sink;

		arena_init(&a, &al);
		a.chunk_size = 64;
		diag_sink_init(&sink, &a);
		r = xml_validate(d->schema, d->xml, d->ix, &sink, &d->t);
		arena_release(&a);
		assert_true(r == -1 || r == 4);
	}
	assert_int_equal(r, 4);
	assert_true(k > 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(f) cmocka_unit_test_setup_teardown(f, doc_setup, doc_teardown)
		T(test_span_one_line),
		T(test_span_multiline_tag),
		T(test_span_entity_in_value),
		T(test_span_quotes),
		T(test_span_gt_in_value),
		T(test_span_comments),
		T(test_span_big_lines),
		T(test_span_fallback),
		T(test_span_renamed),
		T(test_valid_seed),
		T(test_valid_forms),
		T(test_schema_bad),
		T(test_bad_missing_component),
		T(test_bad_empty_operator),
		T(test_bad_condition_in_definition),
		T(test_bad_operation_without_type),
		T(test_bad_unknown_in_description),
		T(test_bad_distance_zero),
		T(test_bad_distance_text),
		T(test_bad_unique),
		T(test_bad_no_description),
		T(test_bad_no_name),
		T(test_bad_two_process),
		T(test_bad_text_in_condition),
		T(test_bad_action_without_name),
		T(test_bad_sequence_without_detection),
		T(test_bad_property_without_name),
		T(test_bad_operator_type),
		T(test_bad_two_expressions),
		T(test_bad_sequence_with_process),
		T(test_bad_root),
		T(test_bad_unknown_attribute),
		T(test_bad_all_attributes),
		T(test_bad_no_definition),
		T(test_bad_several),
		T(test_bad_in_seed),
		T(test_bad_namespace),
		T(test_oom),
#undef T
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
