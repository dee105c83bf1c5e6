#!/bin/sh
# Golden tests of the `rulec test` reports that carry wall-clock times:
# JUnit XML (time="0.000") and JSON ("seconds":0.000123).  Those times vary
# from run to run, so golden.sh cannot pin these reports byte for byte.
# Each NAME.timed in this folder has the format of golden.sh's .expected
# files (first line "# args: ...", {dir} for this folder, then stdout,
# "--- stderr", stderr, "--- exit N"); before the comparison every JUnit
# time="..." becomes time="T" and every JSON "seconds":... becomes
# "seconds":S, in the output and in the files alike.
#
# UPDATE_GOLDEN=1 rewrites the .timed files from the current output
# (review the diff before committing).
set -u
: "${RULEC:?RULEC must name the rulec binary}"
: "${TOP_SRCDIR:?}"
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
untime='s/ time="[0-9][0-9.]*"/ time="T"/g; s/"seconds":[0-9][0-9.]*/"seconds":S/g'

for exp in "$TOP_SRCDIR"/tests/golden/test/*.timed; do
	[ -f "$exp" ] || continue
	dir=$(dirname "$exp")
	name=$(basename "$exp" .timed)
	args=$(head -n 1 "$exp" | sed -n 's/^# args: //p')
	if [ -z "$args" ]; then
		echo "FAIL $name: first line must be '# args: ...'"
		fail=$((fail + 1)); continue
	fi
	real=$(printf '%s' "$args" | sed "s|{dir}|$dir|g")
	# shellcheck disable=SC2086
	"$RULEC" $real >"$tmp/out" 2>"$tmp/err"
	code=$?
	{
		head -n 1 "$exp"
		cat "$tmp/out"
		echo "--- stderr"
		cat "$tmp/err"
		echo "--- exit $code"
	} | sed "s|$dir|{dir}|g; $untime" >"$tmp/got"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/got" "$exp"
	fi
	sed "$untime" "$exp" >"$tmp/want"
	if cmp -s "$tmp/got" "$tmp/want"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name:"
		diff -u "$tmp/want" "$tmp/got" | head -n 40
		fail=$((fail + 1))
	fi
done
echo "timed: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
