/*
 * meta.h - a rule's metadata carried into the other language.
 *
 * Design note.  The query changes language in to_eql.c and to_eset.c; the
 * metadata (what the rule is called, how severe it is, which ATT&CK
 * techniques it detects, what to do about it) is mapped here, both ways,
 * as docs/convert.md tabulates:
 *   - to Elastic (conv_meta_elastic): the rule object that Kibana imports,
 *     as a JSON DOM (base/json.h) that forms.c prints as NDJSON or as a
 *     detection-rules TOML file.  A rule that was an Elastic rule object
 *     keeps all its members (read again from its document); an ESET rule's
 *     <description> is mapped member by member; a bare query gets
 *     defaults.  Then every key Kibana's import requires is present, the
 *     query is the converted one, and the losses end the `note`.
 *   - to ESET (conv_meta_to_eset): the <description> element.
 * What has no place in the target is a metadata loss: a line of the note
 * ("metadata: ...") and a convert-metadata note (RC8050) where it was
 * written.  Everything is derived from the rule alone (no clock, no
 * path): the same rule always gives the same text.
 */
#ifndef RC_CONVERT_META_H
#define RC_CONVERT_META_H

#include <stdbool.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "convert/convert.h"

/* The Elastic rule object for c's rule with `query` (c->arena).  With
 * `toml`, the [rule] table of a detection-rules file: Kibana's
 * server-side keys (id, created_at, ...) and rule-dump keys (path,
 * maturity) are left out.  The loss lines (c->notes, then the metadata
 * losses found here) end the `note` as a "## Conversion (rulec)"
 * section.  NULL when memory runs out. */
struct json_value *conv_meta_elastic(struct conv *c, const char *query,
				     bool toml);

/* The [metadata] table of a detection-rules file for c's rule: the
 * source's own table when it had one, with creation_date, updated_date
 * and maturity filled in when missing (docs/convert.md: dates from the
 * rule's Kibana created_at/updated_at, else the fixed 1970/01/01, which
 * *placeholder then says; maturity "development").  NULL when memory
 * runs out. */
struct json_value *conv_meta_toml_table(struct conv *c, bool *placeholder);

/* The whole <description>...</description> element of an ESET rule for
 * c's rule (two-space indentation, as a child of <rule>), XML-escaped,
 * the metadata losses as <!-- rulec: metadata: ... --> comments first.
 * The <os> comes from c->os when the query printer set it, else from an
 * "OS: ..." tag.  An ESET rule's own description is written back as it
 * was read. */
void conv_meta_to_eset(struct conv *c, struct strbuf *out);

/* A JSON DOM value built in arena a (NULL when memory runs out). */
struct json_value *conv_json_string(struct arena *a, const char *s);

#endif
