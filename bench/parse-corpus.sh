#!/bin/sh
# Benchmark: parse, type and lower every query of the Elastic corpus
# (../shared/corpus/elastic-eql-rules.ndjson, 1,081 rules) with `rulec lint`.
# Reports the best and the median wall time of N runs (default 20); each run
# is a whole process: start-up, built-in schema load, reading the file,
# parsing, lowering.
#
#   bench/parse-corpus.sh [RULEC] [N]
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rulec=${1:-$top/build/rulec}
n=${2:-20}
corpus=${RULEC_SHARED:-$top/../shared}/corpus/elastic-eql-rules.ndjson
[ -x "$rulec" ] || { echo "no $rulec: run scripts/build first" >&2; exit 2; }
[ -f "$corpus" ] || { echo "no $corpus" >&2; exit 2; }
rules=$(grep -c . "$corpus")
"$rulec" lint -q "$corpus"   # warm the page cache; must succeed
times=$(for i in $(seq "$n"); do
	s=$(date +%s%N)
	"$rulec" lint -q "$corpus"
	e=$(date +%s%N)
	echo $(( (e - s) / 1000 ))
done | sort -n)
best=$(echo "$times" | head -n 1)
median=$(echo "$times" | sed -n "$(( (n + 1) / 2 ))p")
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
echo "rulec lint over $rules rules, $n runs: best $((best / 1000)).$(printf %03d $((best % 1000))) ms, median $((median / 1000)).$(printf %03d $((median % 1000))) ms"
