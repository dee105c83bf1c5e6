/*
 * xml.h - the secure reader of ESET Inspect XML rule files.
 *
 * Design note.  Rule files are untrusted input.  Before libxml2 sees a
 * byte, the prolog is scanned and any DOCTYPE is refused: without a DOCTYPE
 * there are no entity declarations, so no external entity, external DTD or
 * entity expansion can happen whatever libxml2's defaults are.  libxml2
 * then parses with XML_PARSE_NONET, no entity substitution, no DTD loading,
 * the encoding forced to UTF-8, and its own depth limit; files over 16 MiB
 * are refused.  Errors never go to libxml2's global handlers: a per-parse
 * handler keeps the first one, which becomes a located diagnostic.
 *
 * After parsing, xml_normalise brings the tree to the documented spelling
 * (element names whose case differs, lowercase operator types) and removes
 * unknown elements, each with a warning, so that the structure schema
 * (schemas/eset-rule.rng) can be strict.
 */
#ifndef RC_XML_H
#define RC_XML_H

#include <libxml/tree.h>

#include "base/diag.h"

enum { XML_MAX_SIZE = 16 * 1024 * 1024, XML_MAX_DEPTH = 64 };

/* Parses the whole text as one XML document, or reports why it cannot
 * and returns NULL.  The caller frees the document with xmlFreeDoc. */
xmlDoc *xml_read(const struct rc_text *t, struct diag_sink *sink);

/* Canonical spelling, unknown elements removed (see above); returns the
 * number of warnings. */
struct xml_index;
unsigned xml_normalise(xmlDoc *doc, const struct xml_index *index,
		       const struct rc_text *t, struct diag_sink *sink);

#endif
