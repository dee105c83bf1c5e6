#!/bin/sh
# Replays each fixture of fixtures/ through `rulec run` and compares the
# matches with the fixture's expected.ndjson.  A fixture is a folder with
#   rule            the rule file: a path from the top of the tree, or
#                   {shared}/... for a rule read from ../shared
#   events.ndjson   the events
#   expected.ndjson what `rulec run` must print (paths written {dir} and
#                   {shared})
#   args            optional: more `rulec run` options, one line
# Fixtures whose rule is in ../shared are skipped when it is absent.
# UPDATE_GOLDEN=1 rewrites expected.ndjson from the current output.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
shared="${RULEC_SHARED:-$TOP_SRCDIR/../shared}"
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for fx in "$TOP_SRCDIR"/fixtures/*/; do
	fx=${fx%/}
	name=${fx##*/}
	rule=$(cat "$fx/rule")
	case $rule in
	"{shared}"/*)
		rule="$shared/${rule#\{shared\}/}"
		if [ ! -e "$rule" ]; then
			skip=$((skip + 1))
			continue
		fi ;;
	*) rule="$TOP_SRCDIR/$rule" ;;
	esac
	args=
	[ -f "$fx/args" ] && args=$(cat "$fx/args")
	# shellcheck disable=SC2086
	"$RULEC" run -q $args "$rule" -e "$fx/events.ndjson" \
		>"$tmp/out" 2>"$tmp/err"
	rc=$?
	sed -e "s|$shared|{shared}|g" -e "s|$TOP_SRCDIR|{dir}|g" \
		"$tmp/out" >"$tmp/got"
	if [ "${UPDATE_GOLDEN:-0}" = 1 ]; then
		cp "$tmp/got" "$fx/expected.ndjson"
	fi
	if [ $rc -ne 0 ]; then
		echo "FAIL: $name: rulec run exited $rc"
		cat "$tmp/err"
		fail=$((fail + 1))
	elif ! diff -u "$fx/expected.ndjson" "$tmp/got"; then
		echo "FAIL: $name: matches differ"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
done
echo "replay: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
