#!/bin/sh
# Benchmark: `rulec run` replaying events made by ../shared/tools/gen-events
# through (a) the two seed rules and (b) all 1,081 rules of the Elastic
# corpus, each compiled into an image first, over two inputs (about 0.25 GB
# and 1 GB: whether memory stays flat as the input grows), with 1 thread
# (taskset -c 0) and 2 threads (taskset -c 0,1; "n/a" when the binary has
# no --threads option).  For each: MB/s and events/s (rulec --stats: the
# replay, image load excluded), peak memory, and the fraction of the
# "ceiling" measured in the same run: bench/ceiling, a one-pass simdjson
# On-Demand reader extracting the fields the image's rules read (the
# "field" entries of `rulec disasm`), on one core.  Then:
#   - the replay time of the 1,081 corpus rules over that of the first 10
#     rules of the corpus file (0.25 GB, one core);
#   - image load: `run -r corpus.rbc` on an empty input, wall time and
#     peak RSS of the whole process;
#   - `rulec lint` of the corpus, whole process wall time.
# Every figure is the best of RUNS; the binaries are run alternately.
# Besides wall time, each figure is also given on CPU time (user+sys of
# the whole process, from /usr/bin/time; the ceiling's own CPU clock):
# on a shared, busy machine the steadier comparison.
#
#   bench/replay.sh [RUNS]          (default 3)
#   RULEC_BENCH_DATA=DIR            where the event files are kept (they are
#                                   made once: default /tmp/rulec-bench)
#   RULEC=PATH                      the rulec binary to measure (default:
#                                   build the tree with scripts/build)
#   RULEC_BASE=PATH                 a second binary (e.g. the one before a
#                                   change): both are measured in the same
#                                   run, alternating, and both tables printed
#   RULEC_BENCH_SIZES="194000 775000"  the inputs, in events
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
shared=${RULEC_SHARED:-$top/../shared}
gen=$shared/tools/gen-events
data=${RULEC_BENCH_DATA:-/tmp/rulec-bench}
sizes=${RULEC_BENCH_SIZES:-194000 775000}
corpus=$shared/corpus/elastic-eql-rules.ndjson
[ -x "$gen" ] || { echo "no $gen" >&2; exit 2; }
"$top/scripts/build" >/dev/null
make -C "$top/build" bench/ceiling >/dev/null
ceiling=$top/build/bench/ceiling
RULEC=${RULEC:-$top/build/rulec}
mkdir -p "$data"
# gen-events writes about 1,290 bytes per event
for n in $sizes; do
	f=$data/events-$n-seed1.ndjson
	[ -s "$f" ] || "$gen" --count "$n" --seed 1 -o "$f"
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/empty.ndjson"
head -n 10 "$corpus" >"$tmp/ten.ndjson"

# the binaries: "new" and, with RULEC_BASE, "base"
bins=new
echo "$RULEC" >"$tmp/new.path"
if [ -n "${RULEC_BASE:-}" ]; then
	bins="base new"
	echo "$RULEC_BASE" >"$tmp/base.path"
fi
for b in $bins; do
	rulec=$(cat "$tmp/$b.path")
	[ -x "$rulec" ] || { echo "no binary $rulec" >&2; exit 2; }
	# compile exits 1 when the rules have warnings: the image is written
	"$rulec" compile -q -o "$tmp/$b-seeds.rbc" "$shared/corpus/seeds" \
		>/dev/null 2>&1 || [ -s "$tmp/$b-seeds.rbc" ]
	"$rulec" compile -q -o "$tmp/$b-corpus.rbc" "$corpus" \
		>/dev/null 2>&1 || [ -s "$tmp/$b-corpus.rbc" ]
	"$rulec" compile -q -o "$tmp/$b-ten.rbc" "$tmp/ten.ndjson" \
		>/dev/null 2>&1 || [ -s "$tmp/$b-ten.rbc" ]
	if "$rulec" run --help 2>&1 | grep -q -- '--threads'; then
		echo yes >"$tmp/$b.threads"
	else
		echo no >"$tmp/$b.threads"
	fi
done
# the fields the rules read, for the ceiling (and the run's own fields)
for img in seeds corpus; do
	{
		"$RULEC" disasm "$tmp/new-$img.rbc" |
			sed -n 's/^ *#[0-9]* *field \([^ ]*\) .*/\1/p'
		printf '%s\n' @timestamp event.category event.id
	} | sort -u >"$tmp/$img.fields"
done

now_us() { echo $(( $(date +%s%N) / 1000 )); }
# best VAR VALUE: keeps the smallest (for times) in file $tmp/VAR
keep_min() {
	if [ ! -s "$tmp/$1" ] || awk "BEGIN { exit !($2 < $(cat "$tmp/$1")) }"; then
		echo "$2" >"$tmp/$1"
	fi
}
# run_replay BIN IMG N THREADS: one replay; keeps the best (least time)
# stats of BIN/IMG/N/THREADS
run_replay() {
	b=$1 img=$2 n=$3 t=$4
	rulec=$(cat "$tmp/$b.path")
	f=$data/events-$n-seed1.ndjson
	key=$b-$img-$n-$t
	if [ "$t" = 1 ]; then
		cpus=0
		topt=
		[ "$(cat "$tmp/$b.threads")" = yes ] && topt="--threads 1"
	else
		[ "$(cat "$tmp/$b.threads")" = yes ] || return 0
		cpus=0,1
		topt="--threads $t"
	fi
	# shellcheck disable=SC2086
	/usr/bin/time -f '%U %S' -o "$tmp/cpu" taskset -c "$cpus" "$rulec" run \
		-r "$tmp/$b-$img.rbc" $topt --stats "$f" >/dev/null 2>"$tmp/stats" ||
		true
	keep_min "$key.cpu" "$(awk '{ print $1 + $2 }' "$tmp/cpu")"
	line=$(grep ' events (' "$tmp/stats") ||
		{ echo "$rulec run failed:" >&2; cat "$tmp/stats" >&2; exit 2; }
	secs=$(echo "$line" | sed -n 's/.* results in \([0-9.]*\) s.*/\1/p')
	if [ ! -s "$tmp/$key.secs" ] ||
	    awk "BEGIN { exit !($secs < $(cat "$tmp/$key.secs")) }"; then
		echo "$secs" >"$tmp/$key.secs"
		cp "$tmp/stats" "$tmp/$key.stats"
	fi
}

i=0
while [ $i -lt "$runs" ]; do
	for img in seeds corpus; do
		for n in $sizes; do
			f=$data/events-$n-seed1.ndjson
			taskset -c 0 "$ceiling" "$tmp/$img.fields" "$f" 1 \
				>"$tmp/ceil"
			mbs=$(sed -n 's/.*: \([0-9.]*\) MB\/s.*/\1/p' "$tmp/ceil")
			if [ ! -s "$tmp/ceil-$img-$n" ] ||
			    awk "BEGIN { exit !($mbs > $(cat "$tmp/ceil-$img-$n")) }"; then
				echo "$mbs" >"$tmp/ceil-$img-$n"
			fi
			mbs=$(sed -n 's/.*: \([0-9.]*\) CPU MB\/s.*/\1/p' "$tmp/ceil")
			if [ ! -s "$tmp/ceilc-$img-$n" ] ||
			    awk "BEGIN { exit !($mbs > $(cat "$tmp/ceilc-$img-$n")) }"; then
				echo "$mbs" >"$tmp/ceilc-$img-$n"
			fi
			for t in 1 2; do
				for b in $bins; do
					run_replay "$b" "$img" "$n" "$t"
				done
			done
		done
	done
	n=$(echo "$sizes" | awk '{ print $1 }')
	for b in $bins; do
		run_replay "$b" ten "$n" 1
		rulec=$(cat "$tmp/$b.path")
		# image load: whole process on an empty input
		s=$(now_us)
		/usr/bin/time -f '%M %U %S' -o "$tmp/rss" "$rulec" run \
			-r "$tmp/$b-corpus.rbc" "$tmp/empty.ndjson" >/dev/null 2>&1 || true
		e=$(now_us)
		keep_min "$b-load-us" $((e - s))
		keep_min "$b-load-kb" "$(tail -n 1 "$tmp/rss" | awk '{ print $1 }')"
		keep_min "$b-load-cpu" "$(tail -n 1 "$tmp/rss" | awk '{ print $2 + $3 }')"
		# lint: whole process (exit 1: findings)
		s=$(now_us)
		/usr/bin/time -f '%U %S' -o "$tmp/cpu" "$rulec" lint -q "$corpus" \
			>/dev/null 2>&1 || true
		e=$(now_us)
		keep_min "$b-lint-us" $((e - s))
		keep_min "$b-lint-cpu" "$(tail -n 1 "$tmp/cpu" | awk '{ print $1 + $2 }')"
	done
	i=$((i + 1))
done

field() { sed -n "$2" "$tmp/$1.stats" 2>/dev/null; }
row() { printf '%-7s %-7s %-3s %7s %7s %8s %7s %7s %6s %7s %7s %6s\n' "$@"; }
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1); load average $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "runs: $runs (best of each), binaries alternating; ceiling: bench/ceiling, one core; 1 thread: taskset -c 0, 2 threads: taskset -c 0,1"
echo "MB/s, events/s: rulec --stats (wall time of the replay); cpuMB/s: bytes over the whole process's user+sys time (on a busy machine the steadier figure; with 2 threads, the CPU of both)"
for b in $bins; do
	echo
	echo "== $b: $(cat "$tmp/$b.path")"
	row image events thr results "MB/s" "events/s" "peakMB" "ceilMB/s" "ofceil" "cpuMB/s" "ceilcpu" "ofceil"
	for img in seeds corpus; do
		for n in $sizes; do
			c=$(cat "$tmp/ceil-$img-$n")
			cc=$(cat "$tmp/ceilc-$img-$n")
			for t in 1 2; do
				k=$b-$img-$n-$t
				if [ ! -s "$tmp/$k.stats" ]; then
					row "$img" "$n" "$t" n/a n/a n/a n/a "$c" n/a n/a "$cc" n/a
					continue
				fi
				mbs=$(field "$k" 's/.*: \([0-9.]*\) MB\/s.*/\1/p')
				bytes=$(field "$k" 's/.*malformed), \([0-9]*\) bytes.*/\1/p')
				cpu=$(cat "$tmp/$k.cpu")
				cmbs=$(awk "BEGIN { printf \"%.1f\", $bytes / 1e6 / $cpu }")
				row "$img" "$n" "$t" \
					"$(field "$k" 's/.* \([0-9]*\) results in.*/\1/p')" \
					"$mbs" \
					"$(field "$k" 's/.*MB\/s, \([0-9]*\) events\/s.*/\1/p')" \
					"$(field "$k" 's/^rulec: peak memory \([0-9.]*\) MB/\1/p')" \
					"$c" "$(awk "BEGIN { printf \"%.3f\", $mbs / $c }")" \
					"$cmbs" "$cc" "$(awk "BEGIN { printf \"%.3f\", $cmbs / $cc }")"
			done
		done
	done
	n=$(echo "$sizes" | awk '{ print $1 }')
	tc=$(cat "$tmp/$b-corpus-$n-1.secs")
	tt=$(cat "$tmp/$b-ten-$n-1.secs")
	cc=$(cat "$tmp/$b-corpus-$n-1.cpu")
	ct=$(cat "$tmp/$b-ten-$n-1.cpu")
	echo "replay, 1,081 rules / 10 rules ($n events, one core): wall $tc s / $tt s = $(awk "BEGIN { printf \"%.2f\", $tc / $tt }")x; process CPU $cc s / $ct s = $(awk "BEGIN { printf \"%.2f\", $cc / $ct }")x"
	echo "image load (run -r corpus.rbc, empty input): $(awk "BEGIN { printf \"%.3f\", $(cat "$tmp/$b-load-us") / 1e6 }") s wall, $(cat "$tmp/$b-load-cpu") s CPU, peak RSS $(awk "BEGIN { printf \"%.1f\", $(cat "$tmp/$b-load-kb") / 1024 }") MB"
	echo "lint of the corpus, whole process: $(awk "BEGIN { printf \"%.3f\", $(cat "$tmp/$b-lint-us") / 1e6 }") s wall, $(cat "$tmp/$b-lint-cpu") s CPU"
done
