#!/bin/sh
# Benchmark: `rulec test` on one generated test file of N tests (default
# 10,000), half with their own inline events (each replayed alone, fresh
# state) and half on the file's shared events, for a sequence rule.  Runs
# on one core (taskset -c 0) and prints the best wall time of RUNS runs and
# the peak resident memory (getrusage of the child, via /usr/bin/time when
# present, else the shell's `times`).
#
#   bench/test-many.sh [N] [RUNS]     (defaults 10000 and 3)
#   RULEC=PATH                        a rulec binary (default: build with
#                                     scripts/build)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-10000}
runs=${2:-3}
if [ -z "${RULEC:-}" ]; then
	"$top/scripts/build" >/dev/null
	RULEC=$top/build/rulec
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cat >"$tmp/r.eql" <<'EQL'
sequence by user.name with maxspan=1m
  [authentication where event.outcome == "failure"]
  [authentication where event.outcome == "success"]
EQL
# shared events: one failure/success pair per shared test
awk -v n="$n" 'BEGIN {
	for (i = 0; i < n / 2; i++) {
		printf "{\"@timestamp\":%d,\"event\":{\"id\":\"f%d\",\"category\":[\"authentication\"],\"outcome\":\"failure\"},\"user\":{\"name\":\"u%d\"}}\n", i * 1000, i, i
		printf "{\"@timestamp\":%d,\"event\":{\"id\":\"s%d\",\"category\":[\"authentication\"],\"outcome\":\"success\"},\"user\":{\"name\":\"u%d\"}}\n", i * 1000 + 500, i, i
	}
}' >"$tmp/r.events.ndjson"
awk -v n="$n" -v q="'''" 'BEGIN {
	print "events = \"r.events.ndjson\""
	for (i = 0; i < n / 2; i++)
		printf "\n[[test]]\nname = \"shared %d\"\nmatch = [[\"f%d\", \"s%d\"]]\n", i, i, i
	for (i = 0; i < n - n / 2; i++) {
		printf "\n[[test]]\nname = \"own %d\"\ntime = \"relative\"\n", i
		printf "events = %s\n", q
		printf "{\"@timestamp\":\"+0s\",\"event\":{\"id\":\"a%d\",\"category\":[\"authentication\"],\"outcome\":\"failure\"},\"user\":{\"name\":\"x\"}}\n", i
		printf "{\"@timestamp\":\"+%ds\",\"event\":{\"id\":\"b%d\",\"category\":[\"authentication\"],\"outcome\":\"success\"},\"user\":{\"name\":\"x\"}}\n", (i % 2) ? 61 : 30, i
		printf "%s\n", q
		if (i % 2)
			printf "no_match = [\"b%d\"]\n", i
		else
			printf "match = [[\"a%d\", \"b%d\"]]\n", i, i
	}
}' >"$tmp/r.test.toml"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1); one core used"
echo "test file: $n tests, $(wc -c <"$tmp/r.test.toml") bytes; shared events: $(wc -l <"$tmp/r.events.ndjson") lines"
best=
i=0
while [ $i -lt "$runs" ]; do
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %M' -o "$tmp/time" taskset -c 0 \
			"$RULEC" test -q "$tmp/r.test.toml" >"$tmp/out" 2>&1 || {
			cat "$tmp/out"; exit 2; }
		secs=$(cut -d' ' -f1 "$tmp/time")
		kb=$(cut -d' ' -f2 "$tmp/time")
	else
		s=$(date +%s%N)
		taskset -c 0 "$RULEC" test -q "$tmp/r.test.toml" >"$tmp/out" 2>&1 || {
			cat "$tmp/out"; exit 2; }
		e=$(date +%s%N)
		secs=$(awk -v a="$s" -v b="$e" 'BEGIN { printf "%.2f", (b - a) / 1e9 }')
		kb=?
	fi
	if [ -z "$best" ] || awk "BEGIN { exit !($secs < $best) }"; then
		best=$secs
		bestkb=$kb
	fi
	i=$((i + 1))
done
grep -c . "$tmp/out" >/dev/null || true
echo "rulec test: best of $runs runs: $best s wall, peak RSS $bestkb KB"
