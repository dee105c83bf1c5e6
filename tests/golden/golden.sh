#!/bin/sh
# Golden tests: each NAME.expected in tests/golden and tests/golden/lint/bad pins
# the exact output of one rulec command.  Its first line gives the
# arguments:
#     # args: lint --dump-ir {dir}/NAME.eql
# where {dir} is the file's folder and {shared} the ../shared folder beside the
# repository (cases that need {shared} are skipped when it is absent).
# Arguments may end with "< FILE": the command then reads FILE on stdin
# (otherwise stdin is /dev/null).
# The rest of the file is the expected stdout, then "--- stderr", the
# expected stderr, then "--- exit N".  Paths in the output are written back
# as {dir} and {shared}, so the files do not depend on where the tree is.
#
# UPDATE_GOLDEN=1 rewrites the .expected files from the current output
# (after a deliberate change; review the diff before committing).
set -u
: "${RULEC:?RULEC must name the rulec binary}"
: "${TOP_SRCDIR:?}"
shared="${RULEC_SHARED:-$TOP_SRCDIR/../shared}"
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

for exp in "$TOP_SRCDIR"/tests/golden/*.expected "$TOP_SRCDIR"/tests/golden/lint/bad/*.expected \
	"$TOP_SRCDIR"/tests/golden/test/*.expected \
	"$TOP_SRCDIR"/tests/golden/exceptions/*.expected \
	"$TOP_SRCDIR"/tests/golden/config/*.expected \
	"$TOP_SRCDIR"/tests/golden/convert/to-*/*.expected; do
	[ -f "$exp" ] || continue
	dir=$(dirname "$exp")
	name=$(basename "$exp" .expected)
	args=$(head -n 1 "$exp" | sed -n 's/^# args: //p')
	case "$dir" in */convert/to-*)
		# a conversion case without its args line: the loop below
		[ -z "$args" ] && continue;;
	esac
	if [ -z "$args" ]; then
		echo "FAIL $name: first line must be '# args: ...'"
		fail=$((fail + 1)); continue
	fi
	case "$args" in *"{shared}"*)
		if [ ! -d "$shared/corpus" ]; then
			echo "SKIP $name: no $shared"
			skip=$((skip + 1)); continue
		fi;;
	esac
	real=$(printf '%s' "$args" | sed "s|{dir}|$dir|g; s|{shared}|$shared|g")
	input=/dev/null
	case "$real" in *" < "*)
		input=${real##* < }
		real=${real% < *};;
	esac
	# shellcheck disable=SC2086
	"$RULEC" $real <"$input" >"$tmp/out" 2>"$tmp/err"
	code=$?
	{
		head -n 1 "$exp"
		cat "$tmp/out"
		echo "--- stderr"
		cat "$tmp/err"
		echo "--- exit $code"
	} | sed "s|$dir|{dir}|g; s|$shared|{shared}|g" >"$tmp/got"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/got" "$exp"
	fi
	if cmp -s "$tmp/got" "$exp"; then
		pass=$((pass + 1))
	else
		echo "FAIL $name:"
		diff -u "$exp" "$tmp/got" | head -n 40
		fail=$((fail + 1))
	fi
done
# Conversion cases: tests/golden/convert/to-FORM/CASE.EXT (any rule file)
# runs `rulec convert --to FORM [ARGS] CASE.EXT` in its folder, ARGS the
# words of CASE.args when present, and compares stdout, stderr and the exit
# status with CASE.expected (the same layout as above, without the args
# line).  A CASE.expected that starts with an args line is a case of the
# loop above instead (and so is every input it names).
for input in "$TOP_SRCDIR"/tests/golden/convert/to-*/*; do
	[ -f "$input" ] || continue
	case "$input" in *.expected|*.args) continue;; esac
	dir=$(dirname "$input")
	form=${dir##*/to-}
	file=$(basename "$input")
	name=${file%.*}
	exp="$dir/$name.expected"
	head -n 1 "$exp" 2>/dev/null | grep -q '^# args: ' && continue
	grep -l -s -F "{dir}/$file" "$dir"/*.expected >/dev/null && continue
	extra=
	[ -f "$dir/$name.args" ] && extra=$(cat "$dir/$name.args")
	# shellcheck disable=SC2086
	(cd "$dir" && "$RULEC" convert --to "$form" $extra "$file") \
		</dev/null >"$tmp/out" 2>"$tmp/err"
	code=$?
	{
		cat "$tmp/out"
		echo "--- stderr"
		cat "$tmp/err"
		echo "--- exit $code"
	} >"$tmp/got"
	if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
		cp "$tmp/got" "$exp"
	fi
	if [ -f "$exp" ] && cmp -s "$tmp/got" "$exp"; then
		pass=$((pass + 1))
	else
		echo "FAIL convert/to-$form/$name:"
		[ -f "$exp" ] || echo "  no $exp"
		[ -f "$exp" ] && diff -u "$exp" "$tmp/got" | head -n 40
		fail=$((fail + 1))
	fi
done
echo "golden: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
