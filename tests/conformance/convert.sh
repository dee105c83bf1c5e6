#!/bin/sh
# Conversion of a sample of the corpus (../shared), each converted rule
# proved by replay: scripts/convert-corpus --sample 60 --events 2000
# (the whole corpus with 50,000 events: scripts/convert-corpus).  Every
# claimed relation must hold and every converted rule must read back.
# A printer that is not written yet (its conversions say so) leaves its
# cases out, each counted as skipped.  Skipped (exit 77) without ../shared.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
shared="${RULEC_SHARED:-$TOP_SRCDIR/../shared}"
if [ ! -f "$shared/corpus/elastic-eql-rules.ndjson" ]; then
	echo "convert: 0 passed, 0 failed, 1 skipped (no $shared/corpus)"
	exit 77
fi
CONVCHECK=${CONVCHECK:-$(dirname "$RULEC")/tests/conformance/convcheck}
export CONVCHECK RULEC_SHARED="$shared"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
skip=0
written() {     # written FORM FILE: the printer of FORM is not a placeholder
	! "$RULEC" convert --to "$1" "$2" 2>&1 >/dev/null | grep -q 'not written yet'
}
cases="elastic:eql"
seed_eql=$shared/corpus/seeds/seed-rundll32-child.eql
seed_xml=$shared/corpus/seeds/seed-rundll32-network.xml
if written eql "$seed_xml"; then cases="$cases eset:eql"; else skip=$((skip + 1)); fi
if written xml "$seed_eql"; then cases="$cases elastic:xml eset:xml"; else skip=$((skip + 2)); fi
sh "$TOP_SRCDIR/scripts/convert-corpus" --sample 60 --events 2000 --limit 200 \
	--cases "$cases" >"$tmp/out" 2>&1
rc=$?
cat "$tmp/out"
n=$(grep -c '^[a-z]* *[a-z]* *\(no\|yes\) ' "$tmp/out")
if [ $rc -eq 0 ]; then
	echo "convert: $n passed, 0 failed, $skip skipped"
	exit 0
fi
echo "convert: 0 passed, $n failed, $skip skipped (scripts/convert-corpus exited $rc)"
exit 1
