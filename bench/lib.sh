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
