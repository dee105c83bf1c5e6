#!/bin/sh
# Benchmark: `rulec lint -q` of the whole corpus (the Elastic rules,
# ../shared/corpus/elastic-eql-rules.ndjson, and the ESET rules,
# ../shared/corpus/eset-rules) with a binary built from a base revision
# and with the current one, to hold a change to "no slower than 1.2x".
#
# The base revision (default a90edf1, the tree before the linter-precision
# work: allowed values, fields on integration indices, Kibana's schema,
# encodings, literal stars) is built in a temporary folder under /tmp:
# `git archive` of the revision, then autoreconf, configure and make,
# quietly, with the same default flags as scripts/build (which the current
# binary is expected to come from). git archive rather than `git worktree
# add`: the repository's list of worktrees is left alone, even when the
# script is killed.
#
# Each run is a whole process. After one warm-up run of each binary the two
# run in turn, N times each, the order swapped on every pair (base, current;
# current, base; ...) so that neither always runs on a warmer cache. Times
# come from wait4(2) (user and system CPU in microseconds) and a monotonic
# clock, through python3. Printed: the machine (cores, CPU model, load),
# the command, the median wall and CPU (user + system) time of each binary,
# and the median of the per-pair ratios current/base; on a shared machine
# the CPU ratio is the one to quote.
#
#   bench/lint-corpus.sh [BASE] [N]      (default a90edf1, 9 runs of each)
#   RULEC=PATH                           the current binary (build/rulec)
#   RULEC_BASE=PATH                      a base binary instead of building
#                                        BASE
#
# Without ../shared (RULEC_SHARED overrides it) it says so and exits 0.
set -eu
. "$(dirname "$0")/lib.sh"
top=$(cd "$(dirname "$0")/.." && pwd)
shared=${RULEC_SHARED:-$top/../shared}
[ -d "$shared" ] && shared=$(cd "$shared" && pwd)
base=${1:-a90edf1}
n=${2:-9}
rulec=${RULEC:-$top/build/rulec}
ndjson=$shared/corpus/elastic-eql-rules.ndjson
eset=$shared/corpus/eset-rules
if [ ! -f "$ndjson" ] || [ ! -d "$eset" ]; then
	echo "lint-corpus: skipped: no corpus under $shared"
	exit 0
fi
[ -x "$rulec" ] || { echo "no $rulec: run scripts/build first" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }
tmp=$(mktemp -d /tmp/rulec-bench.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
base_binary lint-corpus "$base"

echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "command: rulec lint -q $ndjson $eset"
echo "base: $basename; current: $rulec ($(git -C "$top" describe --always --dirty))"
python3 - "$n" "$baserulec" "$rulec" "$ndjson" "$eset" <<'PY'
import os, statistics, sys, time

n = int(sys.argv[1])
binaries = {"base": sys.argv[2], "current": sys.argv[3]}
files = sys.argv[4:]

def run(binary):
    """One whole-process run: (wall, cpu) in seconds; findings (exit 1) are fine."""
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:
        fd = os.open(os.devnull, os.O_WRONLY)
        os.dup2(fd, 1)
        os.dup2(fd, 2)
        try:
            os.execv(binary, [binary, "lint", "-q"] + files)
        finally:
            os._exit(127)
    _, status, ru = os.wait4(pid, 0)
    wall = time.monotonic() - start
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):
        sys.exit("lint-corpus: %s exited with %d" % (binary, code))
    return wall, ru.ru_utime + ru.ru_stime

times = {k: [] for k in binaries}
for k in binaries:
    run(binaries[k])                      # warm-up
for i in range(n):
    order = ("base", "current") if i % 2 == 0 else ("current", "base")
    for k in order:
        times[k].append(run(binaries[k]))

def med(k, c):
    return statistics.median(t[c] for t in times[k])

def ratio(c):
    return statistics.median(cur[c] / max(b[c], 1e-6)
                             for b, cur in zip(times["base"], times["current"]))

print("runs: %d of each, in turn; seconds, medians" % n)
for k in binaries:
    print("  %-8s wall %.3f  cpu %.3f  (cpu min %.3f, max %.3f)" % (
        k, med(k, 0), med(k, 1), min(t[1] for t in times[k]),
        max(t[1] for t in times[k])))
print("ratio current/base (median of pairs): wall %.3f, cpu %.3f" %
      (ratio(0), ratio(1)))
PY
