#!/bin/sh
# Benchmark: `rulec run` replaying events made by ../shared/tools/gen-events
# through (a) the two seed rules and (b) all 1,081 rules of the Elastic
# corpus, each compiled into an image first, on one core (taskset -c 0).
# Two inputs, about 0.25 GB and 1 GB, show whether memory stays flat as the
# input grows.  Prints MB/s, events/s and peak memory (rulec --stats) for
# each image and input; the best of RUNS runs by time.
#
#   bench/replay.sh [RUNS]          (default 3)
#   RULEC_BENCH_DATA=DIR            where the event files are kept (they are
#                                   made once: default /tmp/rulec-bench)
#   RULEC=PATH                      a rulec binary to measure (default: build
#                                   the tree with scripts/build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
shared=${RULEC_SHARED:-$top/../shared}
gen=$shared/tools/gen-events
data=${RULEC_BENCH_DATA:-/tmp/rulec-bench}
[ -x "$gen" ] || { echo "no $gen" >&2; exit 2; }
if [ -z "${RULEC:-}" ]; then
	"$top/scripts/build" >/dev/null
	RULEC=$top/build/rulec
fi
rulec=$RULEC
mkdir -p "$data"
# gen-events writes about 1,290 bytes per event
for n in 194000 775000; do
	f=$data/events-$n-seed1.ndjson
	[ -s "$f" ] || "$gen" --count "$n" --seed 1 -o "$f"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$rulec" compile -q -o "$tmp/seeds.rbc" "$shared/corpus/seeds" 2>/dev/null ||
	[ -s "$tmp/seeds.rbc" ]
"$rulec" compile -q -o "$tmp/corpus.rbc" \
	"$shared/corpus/elastic-eql-rules.ndjson" 2>/dev/null ||
	[ -s "$tmp/corpus.rbc" ]
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1); one core used"
printf '%-8s %-10s %10s %9s %12s %12s %9s\n' image input bytes results MB/s events/s "peak MB"
for img in seeds corpus; do
	for n in 194000 775000; do
		f=$data/events-$n-seed1.ndjson
		best=
		i=0
		while [ $i -lt "$runs" ]; do
			taskset -c 0 "$rulec" run -r "$tmp/$img.rbc" --stats "$f" \
				>/dev/null 2>"$tmp/stats"
			line=$(grep ' events (' "$tmp/stats")
			mbs=$(echo "$line" | sed -n 's/.*: \([0-9.]*\) MB\/s.*/\1/p')
			if [ -z "$best" ] || awk "BEGIN { exit !($mbs > $best) }"; then
				best=$mbs
				cp "$tmp/stats" "$tmp/best"
			fi
			i=$((i + 1))
		done
		line=$(grep ' events (' "$tmp/best")
		printf '%-8s %-10s %10s %9s %12s %12s %9s\n' "$img" "$n ev" \
			"$(echo "$line" | sed -n 's/.*malformed), \([0-9]*\) bytes.*/\1/p')" \
			"$(echo "$line" | sed -n 's/.* \([0-9]*\) results in.*/\1/p')" \
			"$best" \
			"$(echo "$line" | sed -n 's/.*MB\/s, \([0-9]*\) events\/s.*/\1/p')" \
			"$(sed -n 's/^rulec: peak memory \([0-9.]*\) MB/\1/p' "$tmp/best")"
	done
done
