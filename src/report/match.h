/*
 * match.h - replay results (struct replay_match records) as text.  Each
 * output format of `rulec run` is one function here, so that another
 * (SARIF, JUnit, TAP) sits beside the JSON lines.
 */
#ifndef RC_REPORT_MATCH_H
#define RC_REPORT_MATCH_H

#include "base/strbuf.h"
#include "replay/engine.h"

/*
 * Appends one JSON line (docs/run.md):
 *   {"rule":{"id":..,"name":..,"file":..},"events":[..],"join_keys":[..]}
 * each event {"id":..,"index":N,"timestamp":"ISO"|null}, a missing stage
 * {"missing":true,"id":null,"index":null,"timestamp":null}.
 */
void match_json(const struct replay_match *m, struct strbuf *sb);

#endif
