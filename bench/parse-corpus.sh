#!/bin/sh
# Benchmark: parse, type and lower every query of the Elastic corpus
# (../shared/corpus/elastic-eql-rules.ndjson, 1,081 rules) with `rulec lint`.
# Each run is a whole process: start-up, built-in catalogues, reading the
# file, parsing, lowering.
#
#   bench/parse-corpus.sh [RULEC] [N]     (default build/rulec, 20 runs)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
rulec=${1:-$top/build/rulec}
corpus=${RULEC_SHARED:-$top/../shared}/corpus/elastic-eql-rules.ndjson
[ -x "$rulec" ] || { echo "no $rulec: run scripts/build first" >&2; exit 2; }
[ -f "$corpus" ] || { echo "no $corpus" >&2; exit 2; }
echo "rulec lint over $(grep -c . "$corpus") EQL rules"
time_runs "${2:-20}" "$rulec" lint -q "$corpus"
