#!/bin/sh
# Proof by replay (docs/convert-proof.md): the witness events, the
# differential check and `rulec test --convert-to`.
#   - hand-written pairs of rules (tests/scripts/prove/) taken as
#     translations of each other with a claimed relation: a broadened or
#     narrowed translation must hold under its true claim and be reported
#     violated under the false ones, each found by a witness event (case,
#     prefix, CIDR edge, number edge, maxspan + 1 ms, join keys);
#   - the witness events are deterministic and probe what they promise;
#   - every bundled rule converted to eql, kibana and toml is proved (the
#     conversions that are refused today are counted, not proved);
#   - `rulec test --convert-to` passes the bundled rules' tests, and fails
#     a test whose converted rule breaks the claimed relation (RC9108).
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
convcheck=${CONVCHECK:-$(dirname "$RULEC")/tests/conformance/convcheck}
dir=$TOP_SRCDIR/tests/scripts/prove
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# against ORIG TRANSLATION CLAIM EXPECT [TEXT]: EXPECT holds|violated; TEXT
# must appear in the output (the witness event that shows the violation)
against() {
	"$convcheck" --against "$dir/$2" --claim "$3" "$dir/$1" >"$tmp/out" 2>&1
	rc=$?
	want=0
	[ "$4" = violated ] && want=1
	if [ $rc -ne $want ] || ! grep -q "^$4 " "$tmp/out"; then
		bad "$1 as $2 ($3): expected $4, exit $want; got exit $rc:"
		cat "$tmp/out"
	elif [ $# -ge 5 ] && ! grep -qF -- "$5" "$tmp/out"; then
		bad "$1 as $2 ($3): the report does not show $5:"
		cat "$tmp/out"
	else ok; fi
}
# case: == against : (case-insensitive, broader)
against name-eq.eql name-ci.eql equal violated '"name":"CMD.EXE"'
against name-eq.eql name-ci.eql subset holds
against name-eq.eql name-ci.eql superset violated
against name-eq.eql name-eq.eql equal holds
# an added condition (narrower)
against name-eq.eql name-pid.eql superset holds
against name-eq.eql name-pid.eql subset violated
# CIDR edges: /9 misses the upper half of /8, its broadcast first
against cidr8.eql cidr9.eql equal violated '"ip":"10.255.255.255"'
against cidr8.eql cidr9.eql superset holds
# number edges
against pid-gt.eql pid-ge.eql equal violated '"pid":5'
against pid-gt.eql pid-ge.eql subset holds
# a wildcard instantiated: cmd* against cmd
against star.eql nostar.eql equal violated '"name":"cmdx"'
# sequences: maxspan + 1 ms, and join keys that differ
against seq5.eql seq6.eql equal violated '"host":{"id":"k6"}'
against seq5.eql seq5.eql equal holds
against seq5.eql seq5-nokey.eql equal violated '"host":{"id":"k2"}'

# witness events: deterministic, one JSON object a line, probing edges
"$convcheck" --witness --seed 7 "$dir/cidr8.eql" "$dir/seq5.eql" >"$tmp/w1"
"$convcheck" --witness --seed 7 "$dir/cidr8.eql" "$dir/seq5.eql" >"$tmp/w2"
if cmp -s "$tmp/w1" "$tmp/w2" && [ -s "$tmp/w1" ]; then ok; else bad "witness events differ between two runs with one seed"; fi
for want in '"ip":"10.0.0.0"' '"ip":"10.255.255.255"' '"ip":"9.255.255.255"' \
	'"ip":"11.0.0.0"' '"ip":"::ffff:10.0.0.0"' '"category":"network"' \
	'"@timestamp":"2024-01-01T00:00:17.132Z"' '"name":"A.EXE"' '"name":"a.exex"' \
	'"name":"xa.exe"' '"name":"a"'; do
	grep -qF -- "$want" "$tmp/w1" && ok || bad "no witness event with $want"
done
if grep -v '^{.*}$' "$tmp/w1" | grep -q .; then bad "a witness line is not one object"; else ok; fi
# timestamps never go back (within one rule's events)
"$convcheck" --witness "$dir/seq5.eql" |
	sed 's/.*"@timestamp":"\([^"]*\)".*/\1/' >"$tmp/ts"
if sort -c "$tmp/ts" 2>/dev/null; then ok; else bad "witness timestamps are not increasing"; fi
# ESET: the base event carries the stage's category and the fields of
# its equalities
if [ -f "$TOP_SRCDIR/rules/eset/rundll32-public-connection.xml" ]; then
	"$convcheck" --witness "$TOP_SRCDIR/rules/eset/rundll32-public-connection.xml" >"$tmp/w3"
	grep -q '"category":"network"' "$tmp/w3" && grep -q 'rundll32' "$tmp/w3" && ok ||
		bad "ESET witness events lack the category or the process name"
fi

# the bundled rules, converted: no claim broken, nothing unreadable
for to in eql kibana toml; do
	"$convcheck" --quiet --to "$to" "$TOP_SRCDIR/rules" >"$tmp/out" 2>&1
	rc=$?
	held=$(sed -n 's/^convcheck: proofs: \([0-9]*\) hold.*/\1/p' "$tmp/out")
	if [ $rc -ne 0 ] || [ "${held:-0}" -lt 5 ]; then
		bad "bundled rules to $to: exit $rc, ${held:-no} proofs held:"
		cat "$tmp/out"
	else ok; fi
done

# rulec test --convert-to
"$RULEC" test -q --convert-to eql "$TOP_SRCDIR/rules" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -ne 0 ] || grep -q 'FAIL\|ERROR' "$tmp/out"; then
	bad "rulec test --convert-to eql rules/ exited $rc:"; cat "$tmp/out" "$tmp/err"
else ok; fi
"$RULEC" test -f json --convert-to eql "$dir/override.test.toml" >"$tmp/out" 2>"$tmp/err"
rc=$?
if [ $rc -eq 1 ] && grep -q '"status":"fail"' "$tmp/out" &&
   grep -q 'RC9108' "$tmp/err" && grep -q 'cat-only' "$tmp/out"; then ok
elif grep -q '"status":"skip"' "$tmp/out" && grep -q 'RC80' "$tmp/err"; then
	ok      # the EQL form now states the lost category override
else
	bad "override.test.toml with --convert-to eql: exit $rc:"; cat "$tmp/out" "$tmp/err"
fi
"$RULEC" test "$dir/override.test.toml" >"$tmp/out" 2>&1 && ok ||
	{ bad "override.test.toml fails without --convert-to:"; cat "$tmp/out"; }
"$RULEC" test --convert-to eql --update "$dir/override.test.toml" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--convert-to with --update is not a usage error"
"$RULEC" test --convert-to yaml "$dir/override.test.toml" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--convert-to yaml is not a usage error"

echo "prove: $pass passed, $fail failed"
[ $fail -eq 0 ]
