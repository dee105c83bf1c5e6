#!/bin/sh
# The rule unit tests of the bundled rules (rules/) and of the two seed
# rules (tests/seeds/, whose rules are read from ../shared and are skipped
# when it is absent), run with `rulec test`: every test must pass.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
shared="${RULEC_SHARED:-$TOP_SRCDIR/../shared}"
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
run() {
	"$RULEC" test -q -f json "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	p=$(grep -c '"status":"pass"' "$tmp/out")
	f=$(grep -c '"status":"fail"\|"status":"error"' "$tmp/out")
	pass=$((pass + p))
	fail=$((fail + f))
	if [ $rc -ne 0 ] || [ "$f" -ne 0 ] || [ "$p" -eq 0 ]; then
		echo "FAIL: rulec test $* exited $rc ($p passed, $f failed)"
		cat "$tmp/out" "$tmp/err"
		[ "$f" -eq 0 ] && fail=$((fail + 1))
	fi
}
run --require-tests "$TOP_SRCDIR/rules"
if [ -d "$shared/corpus/seeds" ]; then
	run "$TOP_SRCDIR/tests/seeds"
else
	skip=$((skip + 1))
fi
echo "test: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
