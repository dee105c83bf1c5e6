#!/bin/sh
# Benchmark: whether rulec run's memory stays flat as the input grows, for
# the rules whose state the input size does not bound otherwise: the
# Elastic corpus without samples and without sequences lacking maxspan
# (those keep state for the whole input, docs/run.md).  Replays the same
# image over the 0.25 GB and 1 GB files of ../shared/tools/gen-events
# --seed 1 (made once, as bench/replay.sh does) with 1 and 2 threads and
# prints the peak resident memory of each run (GNU time's %M).
#
#   bench/replay-memory.sh
#   RULEC_BENCH_DATA=DIR   where the event files are kept (/tmp/rulec-bench)
#   RULEC=PATH             the rulec binary (default: build with scripts/build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${RULEC_SHARED:-$top/../shared}
gen=$shared/tools/gen-events
data=${RULEC_BENCH_DATA:-/tmp/rulec-bench}
[ -x "$gen" ] || { echo "no $gen" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "needs GNU time (/usr/bin/time)" >&2; exit 2; }
if [ -z "${RULEC:-}" ]; then
	"$top/scripts/build" >/dev/null
	RULEC=$top/build/rulec
fi
mkdir -p "$data"
for n in 194000 775000; do
	f=$data/events-$n-seed1.ndjson
	[ -s "$f" ] || "$gen" --count "$n" --seed 1 -o "$f"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# one rule per line: leave out samples and sequences without maxspan
python3 - "$shared/corpus/elastic-eql-rules.ndjson" >"$tmp/rules.ndjson" <<'EOF'
import json, re, sys
for line in open(sys.argv[1]):
    q = json.loads(line)["query"]
    if re.match(r"\s*sample\b", q):
        continue
    if re.match(r"\s*sequence\b", q) and "maxspan" not in q:
        continue
    sys.stdout.write(line)
EOF
"$RULEC" compile -q -o "$tmp/rules.rbc" "$tmp/rules.ndjson" 2>/dev/null ||
	[ -s "$tmp/rules.rbc" ]
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
echo "rules: $(wc -l <"$tmp/rules.ndjson") of the corpus (no samples, no sequences without maxspan)"
printf '%-8s %-10s %12s %10s\n' threads input "peak MB" results
for t in 1 2; do
	for n in 194000 775000; do
		/usr/bin/time -f '%M' -o "$tmp/rss" "$RULEC" run --threads "$t" \
			-r "$tmp/rules.rbc" "$data/events-$n-seed1.ndjson" \
			>"$tmp/out" 2>/dev/null || true
		printf '%-8s %-10s %12.1f %10s\n' "$t" "$n ev" \
			"$(awk '{ print $1 / 1024 }' "$tmp/rss")" "$(wc -l <"$tmp/out")"
	done
done
