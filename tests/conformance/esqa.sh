#!/bin/sh
# Conformance of `rulec run` with Elasticsearch's EQL QA spec suite
# (../shared/corpus/es-eql-qa): runs the harness tests/conformance/esqa, built beside
# rulec, over the seven spec files with the known failures of
# tests/conformance/esqa-known-failures.txt.  See docs/conformance.md.
# Skipped (exit 77) when ../shared is absent, and while `rulec run` is still
# marked "not yet available" in rulec's --help.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
shared="${RULEC_SHARED:-$TOP_SRCDIR/../shared}"
qa="$shared/corpus/es-eql-qa"
esqa="${ESQA:-$(dirname "$RULEC")/tests/conformance/esqa}"
if [ ! -f "$qa/test_queries.toml" ]; then
	echo "esqa: skipped (no $qa)"
	exit 77
fi
if "$RULEC" --help 2>&1 | grep -q '^ *run .*(not yet available)'; then
	echo "esqa: skipped (rulec run is not yet available)"
	exit 77
fi
exec "$esqa" --rulec "$RULEC" --qa "$qa" \
	--known-failures "$TOP_SRCDIR/tests/conformance/esqa-known-failures.txt" "$@"
