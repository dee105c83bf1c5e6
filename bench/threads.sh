#!/bin/sh
# Benchmark: `rulec run` with one thread against two (--threads 1 and 2),
# and optionally a base binary (one thread, no --threads option), on all
# 1,081 Elastic corpus rules over gen-events data (seed 1, 0.25 GB by
# default).  The runs alternate (base, 1, 2, base, 1, 2, ...) so that a
# noisy machine hurts each alike; prints per setting the best wall time,
# its MB/s, the user CPU time and peak memory, the speed-up of 2 threads
# over 1 measured in the same rounds, and checks that every output is
# byte for byte the one-thread output (cmp, not sorted).
#
#   bench/threads.sh [RUNS] [EVENTS]    (default 3, events-194000-seed1)
#   RULEC=PATH          the rulec to measure (default: scripts/build)
#   RULEC_BASE=PATH     also measure this binary (one thread)
#   RULEC_BENCH_DATA    where the event files are (default /tmp/rulec-bench)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
data=${RULEC_BENCH_DATA:-/tmp/rulec-bench}
ev=${2:-$data/events-194000-seed1.ndjson}
shared=${RULEC_SHARED:-$top/../shared}
[ -s "$ev" ] || { echo "no $ev (bench/replay.sh makes it)" >&2; exit 2; }
if [ -z "${RULEC:-}" ]; then
	"$top/scripts/build" >/dev/null
	RULEC=$top/build/rulec
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$RULEC" compile -q -o "$tmp/corpus.rbc" \
	"$shared/corpus/elastic-eql-rules.ndjson" 2>/dev/null ||
	[ -s "$tmp/corpus.rbc" ]
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "input: $ev ($(wc -c <"$ev") bytes), $runs rounds"
sets="t1 t2"
[ -n "${RULEC_BASE:-}" ] && sets="base $sets"
# one NAME: runs setting NAME once; appends "wall user peakMB MB/s" to
# $tmp/NAME.times and keeps its output in $tmp/NAME.out
one() {
	case $1 in
	base) set -- "$1" "$RULEC_BASE" run ;;
	t1) set -- "$1" "$RULEC" run --threads 1 ;;
	t2) set -- "$1" "$RULEC" run --threads 2 ;;
	esac
	name=$1
	shift
	/usr/bin/time -f '%e %U' -o "$tmp/time" "$@" -r "$tmp/corpus.rbc" \
		--stats "$ev" >"$tmp/$name.out" 2>"$tmp/stats"
	mbs=$(sed -n 's/.*: \([0-9.]*\) MB\/s.*/\1/p' "$tmp/stats")
	peak=$(sed -n 's/^rulec: peak memory \([0-9.]*\) MB/\1/p' "$tmp/stats")
	echo "$(cat "$tmp/time") $peak $mbs" >>"$tmp/$name.times"
}
i=0
while [ $i -lt "$runs" ]; do
	for s in $sets; do
		one $s
	done
	i=$((i + 1))
done
for s in $sets; do
	if [ "$s" != t1 ]; then
		cmp -s "$tmp/t1.out" "$tmp/$s.out" ||
			{ echo "FAIL: the output of $s differs from --threads 1"; exit 1; }
	fi
done
echo "outputs identical to --threads 1 (cmp): $sets"
printf '%-6s %9s %9s %9s %9s\n' setting "best s" "MB/s" "user s" "peak MB"
for s in $sets; do
	sort -n "$tmp/$s.times" | head -n 1 |
		awk -v s="$s" '{ printf "%-6s %9.2f %9s %9.2f %9s\n", s, $1, $4, $2, $3 }'
done
# the speed-up, round by round (wall time of t1 / wall time of t2)
paste "$tmp/t1.times" "$tmp/t2.times" |
	awk '{ r = $1 / $5; s = s " " sprintf("%.2f", r); t += r }
	     END { printf "t1/t2 wall time per round:%s (mean %.2f)\n", s, t / NR }'
