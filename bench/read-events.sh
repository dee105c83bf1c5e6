#!/bin/sh
# Benchmark: the JSON event reader alone (src/events/reader.cc) over events
# made by ../shared/tools/gen-events, extracting the ten fields of
# ../shared/reference/json-throughput.md.  Prints MB/s and events/s.
#
#   bench/read-events.sh [COUNT] [RUNS]     (default 400000 events, 5 runs)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-400000}
runs=${2:-5}
gen=${RULEC_SHARED:-$top/../shared}/tools/gen-events
[ -x "$gen" ] || { echo "no $gen" >&2; exit 2; }
"$top/scripts/build" >/dev/null
make -C "$top/build" bench/events-reader >/dev/null
data=$(mktemp)
trap 'rm -f "$data"' EXIT
"$gen" --count "$count" --seed 1 >"$data"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
"$top/build/bench/events-reader" "$data" "$runs"
