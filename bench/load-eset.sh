#!/bin/sh
# Benchmark: read, check and lower every ESET Inspect XML rule of the corpus
# (../shared/corpus/eset-rules/*.xml and the seed rule) with `rulec lint`.
# Each run is a whole process, so the figure includes start-up.
#
#   bench/load-eset.sh [RULEC] [N]        (default build/rulec, 20 runs)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"
rulec=${1:-$top/build/rulec}
runs=${2:-20}
corpus=${RULEC_SHARED:-$top/../shared}/corpus
[ -x "$rulec" ] || { echo "no $rulec: run scripts/build first" >&2; exit 2; }
[ -d "$corpus/eset-rules" ] || { echo "no $corpus/eset-rules" >&2; exit 2; }
set -- "$rulec" lint -q "$corpus"/eset-rules/*.xml "$corpus/seeds/seed-rundll32-network.xml"
echo "rulec lint over $(($# - 3)) XML rule files"
time_runs "$runs" "$@"
