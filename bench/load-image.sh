#!/bin/sh
# Benchmark: start-up of a replay, `rulec run -r corpus.rbc /dev/null`:
# loading, verifying and preparing the image of all 1,081 rules of the
# Elastic corpus (../shared/corpus/elastic-eql-rules.ndjson) with no
# event to replay, with a base binary and with the current one.  Each
# binary compiles its own image first.
#
# After one warm-up run of each, the two run in turn, N times each, the
# order swapped on every pair, as bench/lint-corpus.sh does.  Times and
# peak memory come from wait4(2) (user + system CPU, ru_maxrss), wall
# time from a monotonic clock, through python3.  Printed: the machine,
# the median wall and CPU time and the median peak RSS of each binary,
# and the median per-pair ratio current/base.  On a shared machine quote
# the CPU figures; for a repeatable count use
#     valgrind --tool=callgrind build/rulec run -r IMAGE /dev/null
#
#   bench/load-image.sh [BASE] [N]   (BASE a revision, default 3a3232f,
#                                     built under /tmp; N default 15)
#   RULEC_BASE=PATH                  a base binary instead of building BASE
#   RULEC=PATH                       the current binary (build/rulec)
#
# Without ../shared (RULEC_SHARED overrides it) it says so and exits 0.
set -eu
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${RULEC_SHARED:-$top/../shared}
[ -d "$shared" ] && shared=$(cd "$shared" && pwd)
base=${1:-3a3232f}
n=${2:-15}
rulec=${RULEC:-$top/build/rulec}
ndjson=$shared/corpus/elastic-eql-rules.ndjson
if [ ! -f "$ndjson" ]; then
	echo "load-image: skipped: no corpus under $shared"
	exit 0
fi
[ -x "$rulec" ] || { echo "no $rulec: run scripts/build first" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }

tmp=$(mktemp -d /tmp/rulec-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
base_binary load-image "$base"
for b in base current; do
	bin=$baserulec
	[ $b = current ] && bin=$rulec
	"$bin" compile -q -o "$tmp/$b.rbc" "$ndjson" >/dev/null 2>&1 ||
		[ -s "$tmp/$b.rbc" ] ||
		{ echo "load-image: $bin compile failed" >&2; exit 2; }
done

echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: rulec run -r corpus.rbc /dev/null ($(stat -c %s "$tmp/current.rbc") bytes)"
echo "base: $basename; current: $rulec ($(git -C "$top" describe --always --dirty))"
python3 - "$n" "$baserulec" "$rulec" "$tmp" <<'PY'
import os, statistics, sys, time

n = int(sys.argv[1])
binaries = {"base": sys.argv[2], "current": sys.argv[3]}
tmp = sys.argv[4]

def run(k):
    """One whole process: (wall s, cpu s, peak RSS MiB)."""
    binary = binaries[k]
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            os.execv(binary, [binary, "run", "-q", "-r",
                              os.path.join(tmp, k + ".rbc"), "/dev/null"])
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        sys.exit("load-image: %s exited with %d" % (binary, code))
    return wall, ru.ru_utime + ru.ru_stime, ru.ru_maxrss / 1024.0

times = {k: [] for k in binaries}
for k in binaries:
    run(k)                                # warm-up
for i in range(n):
    order = ("base", "current") if i % 2 == 0 else ("current", "base")
    for k in order:
        times[k].append(run(k))

def med(k, c):
    return statistics.median(t[c] for t in times[k])

def ratio(c):
    return statistics.median(cur[c] / max(b[c], 1e-6)
                             for b, cur in zip(times["base"], times["current"]))

print("runs: %d of each, in turn; medians" % n)
for k in binaries:
    print("  %-8s wall %.3f s  cpu %.3f s  (cpu min %.3f, max %.3f)  "
          "peak RSS %.1f MiB" % (k, med(k, 0), med(k, 1),
                                 min(t[1] for t in times[k]),
                                 max(t[1] for t in times[k]), med(k, 2)))
print("ratio current/base (median of pairs): wall %.3f, cpu %.3f, "
      "peak RSS %.3f" % (ratio(0), ratio(1), ratio(2)))
PY
