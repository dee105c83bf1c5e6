/*
 * toml.h - TOML documents read into the JSON DOM of json.h.
 *
 * Design note.  Elastic's detection-rules keeps rules as TOML files, and
 * rulec's test files are TOML.  Both are read by toml++ (Debian
 * libtomlplusplus-dev) behind the one C++ file toml.cc, and handed to the
 * rest of rulec as the same DOM the JSON reader builds (json.h), so that
 * one loader serves a rule object whether it came as JSON or TOML, and
 * diagnostics keep pointing at bytes of the file the user edits:
 *   - every value has its byte span [start, end) in the document;
 *   - a string keeps a segment map from its decoded bytes back to the
 *     document, across escapes, line-ending backslashes and the newline
 *     that opens a multi-line string, so an error inside a multi-line
 *     `query = '''...'''` lands on its line and column;
 *   - members keep document order and the span of their key.
 * TOML types become JSON ones: tables objects, arrays (and arrays of
 * tables) arrays, integers and floats numbers, booleans booleans, strings
 * strings; dates and times become strings holding the text as written.
 * The DOM lives in the arena; toml++'s own tree is freed before toml_parse
 * returns.  toml++ itself allocates with operator new, which cannot report
 * failure without exceptions: documents are bounded by the callers' file
 * size limit, so that memory stays small.
 */
#ifndef RC_TOML_H
#define RC_TOML_H

#include <stddef.h>

#include "base/arena.h"
#include "base/json.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Parses a whole TOML document.  NULL and *err filled (offset of the
 * offending byte, a message) when it is not valid TOML or memory runs
 * out (a->oom then set). */
struct json_value *toml_parse(struct arena *a, const char *data, size_t len,
			      struct json_error *err);

#ifdef __cplusplus
}
#endif

#endif
