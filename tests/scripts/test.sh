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
# --update: a wrong expectation is rewritten from the results, the rest of
# the file (comments included) stays, and the file then passes
cp "$TOP_SRCDIR/rules/eql/brute-force-then-success.eql" \
	"$TOP_SRCDIR/rules/eql/brute-force-then-success.events.ndjson" "$tmp/"
cat >"$tmp/brute-force-then-success.test.toml" <<'TOML'
# kept comment
events = "brute-force-then-success.events.ndjson"

[[test]]
name = "own events"   # kept too
time = "relative"
events = '''
{"@timestamp":"+0s","event":{"id":"a1","category":["authentication"],"outcome":"failure"},"user":{"name":"q"}}
'''
match = ["a1"]
TOML
"$RULEC" test -q --update "$tmp/brute-force-then-success.test.toml" >"$tmp/out" 2>&1
rc1=$?
"$RULEC" test -q "$tmp/brute-force-then-success.test.toml" >"$tmp/out2" 2>&1
rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] &&
	grep -q '^# kept comment$' "$tmp/brute-force-then-success.test.toml" &&
	grep -q '# kept too$' "$tmp/brute-force-then-success.test.toml" &&
	grep -q '^match = \[\]$' "$tmp/brute-force-then-success.test.toml"; then
	pass=$((pass + 1))
else
	echo "FAIL: --update (exit $rc1, then $rc2)"
	cat "$tmp/brute-force-then-success.test.toml" "$tmp/out" "$tmp/out2"
	fail=$((fail + 1))
fi
# a test file with a UTF-8 byte order mark: read (the mark is not a TOML
# error), and --update writes the mark back with the edits in place
cp "$tmp/brute-force-then-success.test.toml" "$tmp/plain.toml"
{ printf '\357\273\277'; sed 's/^match = \[\]$/match = ["a1"]/' "$tmp/plain.toml"; } \
	>"$tmp/brute-force-then-success.test.toml"
"$RULEC" test -q --update "$tmp/brute-force-then-success.test.toml" >"$tmp/out" 2>&1
rc1=$?
"$RULEC" test -q "$tmp/brute-force-then-success.test.toml" >"$tmp/out2" 2>&1
rc2=$?
if [ $rc1 -eq 0 ] && [ $rc2 -eq 0 ] &&
	[ "$(head -c 3 "$tmp/brute-force-then-success.test.toml" | od -An -to1 | tr -d ' ')" = 357273277 ] &&
	tail -c +4 "$tmp/brute-force-then-success.test.toml" | cmp -s - "$tmp/plain.toml"; then
	pass=$((pass + 1))
else
	echo "FAIL: --update of a file with a byte order mark (exit $rc1, then $rc2)"
	od -c "$tmp/brute-force-then-success.test.toml" | head -n 3
	cat "$tmp/out" "$tmp/out2"
	fail=$((fail + 1))
fi
echo "test: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
