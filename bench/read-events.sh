#!/bin/sh
# Benchmark: the JSON event reader alone (src/events/reader.cc) over events
# made by ../shared/tools/gen-events, extracting (a) the ten fields of
# ../shared/reference/json-throughput.md and (b) the fields the 1,081
# rules of the Elastic corpus read (the "field" entries of `rulec disasm`
# of its image), on one core (taskset -c 0).  Prints MB/s and events/s, on
# wall and on CPU time (the steadier on a busy machine).
#
#   bench/read-events.sh [COUNT] [RUNS]     (default 400000 events, 5 runs)
#   RULEC_BASE_READER=PATH   a second bench/events-reader (e.g. built from
#                            the reader before a change): both are run
#                            alternately, each run of each printed
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-400000}
runs=${2:-5}
shared=${RULEC_SHARED:-$top/../shared}
gen=$shared/tools/gen-events
[ -x "$gen" ] || { echo "no $gen" >&2; exit 2; }
"$top/scripts/build" >/dev/null
make -C "$top/build" bench/events-reader >/dev/null
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
data=$tmp/events.ndjson
"$gen" --count "$count" --seed 1 >"$data"
"$top/build/rulec" compile -q -o "$tmp/corpus.rbc" \
	"$shared/corpus/elastic-eql-rules.ndjson" >/dev/null 2>&1 ||
	[ -s "$tmp/corpus.rbc" ]
"$top/build/rulec" disasm "$tmp/corpus.rbc" |
	sed -n 's/^ *#[0-9]* *field \([^ ]*\) .*/\1/p' | sort -u >"$tmp/corpus.fields"
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1); load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
readers="new=$top/build/bench/events-reader"
[ -n "${RULEC_BASE_READER:-}" ] && readers="base=$RULEC_BASE_READER $readers"
i=0
while [ $i -lt "$runs" ]; do
	for r in $readers; do
		name=${r%%=*}
		bin=${r#*=}
		printf '%-4s 10 fields:  ' "$name"
		taskset -c 0 "$bin" "$data" 1
		printf '%-4s %s fields: ' "$name" "$(wc -l <"$tmp/corpus.fields")"
		taskset -c 0 "$bin" "$data" 1 "$tmp/corpus.fields"
	done
	i=$((i + 1))
done
