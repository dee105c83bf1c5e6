#!/bin/sh
# Benchmark: `rulec convert` over the whole corpus on one core (taskset -c 0
# when available), each direction a whole process:
#   EQL -> XML   the 1,081 Elastic rules (../shared/corpus/elastic-eql-rules.ndjson)
#                to ESET XML, one file per rule (-o DIR, --drop-unconvertible
#                so that every rule the printer can carry is written);
#   XML -> EQL   the ESET corpus rules and seeds, plus every XML file the
#                first direction wrote, back to EQL.
# Prints the best and median wall time, seconds and rules per second, and
# the machine.  Goal (docs/convert-proof.md): the whole corpus under 2 s.
#
#   bench/convert.sh [RULEC] [N]     (default build/rulec, 5 runs)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
rulec=${1:-$top/build/rulec}
runs=${2:-5}
shared=${RULEC_SHARED:-$top/../shared}
corpus=$shared/corpus/elastic-eql-rules.ndjson
[ -x "$rulec" ] || { echo "no $rulec: run scripts/build first" >&2; exit 2; }
[ -f "$corpus" ] || { echo "no $corpus" >&2; exit 2; }
pin=""
command -v taskset >/dev/null 2>&1 && taskset -c 0 true 2>/dev/null && pin="taskset -c 0"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# rules/s from the number of rules and the best time in ms (time_runs' output)
rate() {
	awk -v n="$1" '/^runs:/ { ms = $4; printf "seconds: %.3f, %.0f rules/s\n", ms / 1000, (ms > 0 ? n * 1000 / ms : 0) }'
}

n_eql=$(grep -c . "$corpus")
echo "EQL -> XML: $n_eql rules${pin:+ (on one core: $pin)}"
mkdir -p "$tmp/xml"
out=$(time_runs "$runs" $pin "$rulec" convert -q --to xml --drop-unconvertible -o "$tmp/xml" "$corpus")
echo "$out"
echo "$out" | rate "$n_eql"

# the XML side: the ESET corpus, the seeds, and what the first direction wrote
mkdir -p "$tmp/eset"
for f in "$shared"/corpus/eset-rules/*.xml "$shared"/corpus/seeds/*.xml "$tmp"/xml/*.xml; do
	# (an empty file: a rule the XML printer did not carry)
	[ -s "$f" ] && cp "$f" "$tmp/eset/$(printf '%s' "$f" | cksum | cut -d' ' -f1).xml"
done
n_xml=$(find "$tmp/eset" -name '*.xml' | wc -l)
echo "XML -> EQL: $n_xml rules (ESET corpus and seeds, plus $(find "$tmp/xml" -name '*.xml' -size +0 | wc -l) converted from EQL)"
out=$(time_runs "$runs" $pin "$rulec" convert -q --to eql --drop-unconvertible -o "$tmp/out.eql" "$tmp/eset")
echo "$out"
echo "$out" | rate "$n_xml"
