/*
 * xmlcheck.h - where XML elements are in the rule text, and the structure
 * check of ESET Inspect rules against schemas/eset-rule.rng.
 *
 * Three files implement it: xmlpos.c the positions (the start-tag scanner,
 * the index, spans), xmlmodel.c the schema and the model read from it
 * (xmlmodel.h, private), xmlcheck.c the check and its messages.
 *
 * Design note: positions.  libxml2 gives every element a line number only,
 * and not even the line of its name: libxml2 2.9 stores in node->line the
 * line where the start tag *ends* (its '>' or '/>'), and clamps it at
 * 65535.  A one-line rule file (ESET exports them) puts dozens of
 * <condition> tags on that line.  So positions come from an index built
 * once per document: one pass over the text, in step with a pre-order walk
 * of the tree, pairs the n-th start tag of the text with the n-th element
 * of the tree.  The scanner skips comments, CDATA sections, processing
 * instructions, declarations and end tags, and reads attribute values
 * between their quotes, so a '<' or '>' inside any of them is not taken
 * for markup.  Building is linear in the size of the text, looking up an
 * element is a hash probe: exact and linear overall.
 *
 * Build the index right after parsing, before xml_normalise renames or
 * removes elements: renamed elements keep their entry (the name was
 * matched when the index was built), removed ones are never asked for.
 * The index is a hash table (base/hash.h) from the element's address to
 * its entry; the entry also remembers node->line, so that a node libxml2
 * allocates later at the address of a freed one is not mistaken for it.
 * An element the index does not know (made after the build, or a tree
 * that is not the parse of this text) is searched for on its line
 * instead: the first '<name' on node->line, else the last one before that
 * line (node->line may be the tag's last line), else the whole line.  No
 * function here reads outside the text, whatever the tree and the text
 * hold.
 *
 * Design note: the structure check.  libxml2 validates the document
 * against the RELAX NG schema and decides whether it is valid.  Its
 * reports cannot be shown as they are: besides the wording, libxml2
 * validates <optional>, <zeroOrMore>, <choice> and <interleave> members
 * speculatively and throws away what went wrong inside them, so a missing
 * attribute three levels down comes out as "Extra element process in
 * interleave" on <definition>.  xml_schema_new therefore also reads the
 * schema into a small model (per element: its attributes with their
 * types, and its child elements in groups with minimum and maximum
 * counts), and xml_validate uses each libxml2 error (code, names, node) to
 * choose the subtree to explain, then explains it from the model with a
 * message of its own, at the offending element or attribute value.  An
 * error the model cannot explain keeps a message chosen from its libxml2
 * code.  At most one diagnostic is kept per element, the most specific
 * (findings and the subtrees to explain are tables keyed by element, as
 * the index is).  The model is never stricter than the schema (what it
 * does not understand it does not check), so every message names a real
 * violation.
 */
#ifndef RC_XMLCHECK_H
#define RC_XMLCHECK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libxml/tree.h>

#include "base/diag.h"
#include "base/hash.h"
#include "base/source.h"

/* Start-tag positions of the elements of one document (see above). */
struct xml_index;

/* Builds the index of `doc`, which must be the parse of the whole of `t`
 * (map NULL, base 0).  The index refers to `t`, which must outlive it.
 * NULL when out of memory. */
struct xml_index *xml_index_build(const struct rc_text *t, xmlDoc *doc);
void xml_index_free(struct xml_index *ix);

/* Span of the element's name (with its prefix, as written) in its start
 * tag, after the '<'; the whole line if it cannot be found; (0,0) when ix
 * or node is NULL. */
struct span xml_node_span(const struct xml_index *ix, const xmlNode *node);

/* Span of the value of attribute `attr` (inside the quotes, as written,
 * entities undecoded) on the element's start tag; the attribute name's
 * span if the value is empty; the element's span if the attribute is
 * absent. */
struct span xml_attr_span(const struct xml_index *ix, const xmlNode *node,
			  const char *attr);

/* Span of the attribute's name on the start tag; the element's span if
 * the attribute is absent. */
struct span xml_attr_name_span(const struct xml_index *ix,
			       const xmlNode *node, const char *attr);

/* The elements of a document in document order (pre-order): the first,
 * and the one after n; NULL after the last. */
const xmlNode *xml_first_element(const xmlDoc *doc);
const xmlNode *xml_next_element(const xmlNode *n);

/* XML's white space: space, tab, CR, LF. */
static inline bool
xml_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* The hash of an element's address, for tables keyed by element. */
static inline uint32_t
xml_node_hash(const xmlNode *n)
{
	return hash_u64((uint64_t)(uintptr_t)n);
}

/* A compiled RELAX NG schema, with the model used to explain errors. */
struct xml_schema;

/* Compiles the schema from its text (rulec embeds schemas/eset-rule.rng).
 * Prints nothing.  NULL when the text is not a valid schema or out of
 * memory. */
struct xml_schema *xml_schema_new(const char *rng, size_t len);
void xml_schema_free(struct xml_schema *s);

/* Validates `doc` (after xml_normalise) and reports every violation as one
 * D_XML_STRUCTURE diagnostic at the offending element or attribute value,
 * in document order, at most one per element.  `ix` is the document's
 * index and `t` its text.  Prints nothing (libxml2's per-context
 * structured error handler collects its reports).  Returns the number of
 * diagnostics made, 0 when the document is valid, or -1 when out of
 * memory. */
int xml_validate(struct xml_schema *s, xmlDoc *doc,
		 const struct xml_index *ix, struct diag_sink *sink,
		 const struct rc_text *t);

#endif
