# bench/lib.sh - shared timing for the benchmark scripts (sourced).
#
# time_runs N CMD...: runs CMD N times after one warm-up run (which must
# succeed or exit 1, i.e. findings are fine), prints the best and median
# wall time in milliseconds with the machine.
time_runs() {
	n=$1; shift
	"$@" >/dev/null 2>&1 || [ $? -eq 1 ] || { echo "command failed: $*" >&2; exit 2; }
	times=$(for i in $(seq "$n"); do
		s=$(date +%s%N)
		"$@" >/dev/null 2>&1 || true   # findings (exit 1) are fine
		e=$(date +%s%N)
		echo $(( (e - s) / 1000 ))
	done | sort -n)
	best=$(echo "$times" | head -n 1)
	median=$(echo "$times" | sed -n "$(( (n + 1) / 2 ))p")
	echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
	printf 'runs: %s, best %d.%03d ms, median %d.%03d ms\n' "$n" \
		$((best / 1000)) $((best % 1000)) $((median / 1000)) $((median % 1000))
}

# base_binary NAME REV: the binary to measure against, in $baserulec (and
# its label in $basename): $RULEC_BASE when set, else REV built from `git
# archive` under $tmp/src (the caller's temporary folder); NAME prefixes
# the error messages.  Needs $top and $tmp.
base_binary() {
	if [ -n "${RULEC_BASE:-}" ]; then
		baserulec=$RULEC_BASE
		basename=$RULEC_BASE
		return
	fi
	rev=$(git -C "$top" rev-parse --verify -q "$2^{commit}") ||
		{ echo "$1: no revision $2" >&2; exit 2; }
	echo "building $(git -C "$top" log -1 --format='%h %s' "$rev" | cut -c1-72) in $tmp"
	mkdir "$tmp/src"
	git -C "$top" archive "$rev" | tar -x -C "$tmp/src"
	# (set -e does not hold inside a list tested by ||: chain the steps)
	(
		cd "$tmp/src" && autoreconf -fi && mkdir build && cd build &&
			../configure && make -j2
	) >"$tmp/build.log" 2>&1 || {
		tail -n 20 "$tmp/build.log" >&2
		echo "$1: building $2 failed" >&2
		exit 2
	}
	baserulec=$tmp/src/build/rulec
	basename=$(git -C "$top" log -1 --format=%h "$rev")
}
