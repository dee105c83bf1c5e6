#!/bin/sh
# Benchmark: how the replay's cost grows with the number of rules (the
# candidate selection of docs/run.md).  Replays the 0.25 GB gen-events file
# (seed 1) through the first 10 rules of the Elastic corpus and through all
# 1,081, on one core (taskset -c 0, --threads 1), with this tree's rulec and, when given,
# another binary (OTHER, e.g. the build before a change), alternating the
# two so that both see the same machine load; prints the user CPU seconds
# of each run (the machine is shared: wall time is noisy, CPU time much
# less) and the 1,081 : 10 ratio of the medians.  With CALLGRIND=1 it also
# counts the instructions of the per-event work (feed_reader) over the
# first 20,000 events with valgrind, which repeats exactly.
#
#   bench/select.sh [RUNS]          (default 3)
#   OTHER=PATH                      a second rulec binary to compare
#   RULEC=PATH                      the binary to measure (default: build
#                                   the tree with scripts/build)
#   RULEC_BENCH_DATA=DIR            where bench/replay.sh keeps the events
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
shared=${RULEC_SHARED:-$top/../shared}
data=${RULEC_BENCH_DATA:-/tmp/rulec-bench}
events=$data/events-194000-seed1.ndjson
corpus=$shared/corpus/elastic-eql-rules.ndjson
[ -s "$events" ] || { echo "no $events (run bench/replay.sh once)" >&2; exit 2; }
if [ -z "${RULEC:-}" ]; then
	"$top/scripts/build" >/dev/null
	RULEC=$top/build/rulec
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
head -n 10 "$corpus" >"$tmp/ten.ndjson"
"$RULEC" compile -q -o "$tmp/all.rbc" "$corpus" 2>/dev/null
"$RULEC" compile -q -o "$tmp/ten.rbc" "$tmp/ten.ndjson" 2>/dev/null
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"

# `--threads 1` for a binary that has the option (its default is one
# thread per core, and the run is pinned to one core)
one() {
	if "$1" run --help 2>&1 | grep -q -- '--threads'; then
		echo "--threads 1"
	fi
}

# user CPU seconds of one replay
cpu() {
	/usr/bin/time -f %U -o "$tmp/t" taskset -c 0 "$1" run $(one "$1") \
		-r "$2" "$events" >/dev/null 2>&1
	cat "$tmp/t"
}

median() {
	sort -n | sed -n "$(( (runs + 1) / 2 ))p"
}

bins="$RULEC"
[ -n "${OTHER:-}" ] && bins="$bins $OTHER"
for i in $(seq "$runs"); do
	for b in $bins; do
		for img in all ten; do
			echo "$b $img $(cpu "$b" "$tmp/$img.rbc")"
		done
	done
done >"$tmp/runs"
for b in $bins; do
	all=$(awk -v b="$b" '$1 == b && $2 == "all" { print $3 }' "$tmp/runs" | median)
	ten=$(awk -v b="$b" '$1 == b && $2 == "ten" { print $3 }' "$tmp/runs" | median)
	echo "$b: 1,081 rules $all s, 10 rules $ten s (user, median of $runs)," \
	     "ratio $(echo "$all $ten" | awk '{ printf "%.2f", $1 / $2 }')"
done
if [ "${CALLGRIND:-0}" = 1 ]; then
	head -n 20000 "$events" >"$tmp/ev.ndjson"
	for b in $bins; do
		for img in all ten; do
			valgrind --tool=callgrind --callgrind-out-file="$tmp/cg" \
				"$b" run $(one "$b") -r "$tmp/$img.rbc" \
				"$tmp/ev.ndjson" \
				>/dev/null 2>&1
			n=$(callgrind_annotate --inclusive=yes "$tmp/cg" 2>/dev/null |
			    awk '/engine.c:feed_reader / { print $1; exit }')
			echo "$b $img: feed_reader $n instructions (20,000 events)"
		done
	done
fi
