/*
 * xml.h - the secure reader of ESET Inspect XML rule files.
 *
 * Design note.  Rule files are untrusted input.  Before libxml2 sees a
 * byte, the prolog is scanned and any DOCTYPE is refused: without a DOCTYPE
 * there are no entity declarations, so no external entity, external DTD or
 * entity expansion can happen whatever libxml2's defaults are.  libxml2
 * then parses with XML_PARSE_NONET, no entity substitution, no DTD loading,
 * the encoding forced to UTF-8 (xml_decode converts a file in another
 * encoding first, so the DOCTYPE scan reads the real text), and its own
 * depth limit; files over 16 MiB
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

/* Limits of an XML rule file: its size, the depth of its elements, the
 * attributes of one element and the child elements of one element.  The
 * last two keep libxml2's parser (which looks for a repeated attribute
 * among the ones before) and its RELAX NG validator (quadratic in the
 * children of an element) linear; real rules are far below all four. */
enum {
	XML_MAX_SIZE = 16 * 1024 * 1024,
	XML_MAX_DEPTH = 64,
	XML_MAX_ATTRS = 256,
	XML_MAX_CHILDREN = 4096
};

/* Brings a whole XML rule file to UTF-8 before xml_read (the one place
 * that looks at an XML file's encoding): a UTF-8 byte order mark is
 * removed; a UTF-16 or UTF-32 file (byte order mark or NUL pattern), or
 * one whose XML declaration names another encoding (ISO-8859-1,
 * windows-1252, ...), is converted with libxml2's converters and its data
 * replaced, so that lines and character columns stay those of the file
 * and the DOCTYPE scan sees the real text.  An encoding libxml2 cannot
 * convert, or bytes that are not text in it, is one RC9007 (located when
 * it can be) and false: the file is then not parsed. */
bool xml_decode(struct rc_source *s, struct diag_sink *sink);

/* Parses the whole text as one XML document, or reports why it cannot
 * and returns NULL.  The caller frees the document with xmlFreeDoc. */
xmlDoc *xml_read(const struct rc_text *t, struct diag_sink *sink);

/* Canonical spelling, unknown elements removed (see above); returns the
 * number of warnings. */
struct xml_index;
unsigned xml_normalise(xmlDoc *doc, const struct xml_index *index,
		       const struct rc_text *t, struct diag_sink *sink);

#endif
