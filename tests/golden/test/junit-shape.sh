#!/bin/sh
# The JUnit XML report of `rulec test --junit FILE` must be well-formed XML
# of the common JUnit shape, testsuites > testsuite > testcase >
# (failure | error | skipped), as tests/golden/test/junit.xsd describes it,
# and its counts must add up (XSD cannot say that; XPath does).  Checked on
# the deliberately wrong expectations of wrong-expect.test.toml (failures, a
# pass, a skip), then on a run over several test files, some with errors
# (<error>: a broken event, a selector naming no rule, a file that is not
# TOML).  Broken documents must be rejected, so that the check
# can fail (JUNIT_SHAPE_DEBUG=1 shows why xmllint rejects each).  Needs
# xmllint (Debian package libxml2-utils).
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
dir="$TOP_SRCDIR/tests/golden/test"
xsd="$dir/junit.xsd"
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

if ! command -v xmllint >/dev/null 2>&1; then
	bad "xmllint not found (Debian package libxml2-utils)"
	echo "junit-shape: $pass passed, $fail failed, $skip skipped"
	exit 1
fi

# xp FILE EXPR: the value of an XPath expression (a number or a string)
xp() { xmllint --xpath "$2" "$1" 2>/dev/null; }

# valid NAME FILE: well-formed, and valid against the schema
valid() {
	if xmllint --noout "$2" 2>"$tmp/xerr"; then ok; else
		bad "$1: not well-formed XML"; cat "$tmp/xerr"; return; fi
	if xmllint --noout --schema "$xsd" "$2" >/dev/null 2>"$tmp/xerr"; then ok
	else bad "$1: not of the JUnit shape of junit.xsd"; cat "$tmp/xerr"; fi
}

# counts_add_up FILE: tests/failures/errors/skipped of <testsuites> and of
# each <testsuite> are the numbers of their testcases, failures, errors and
# skips; the suites' tests add up to the whole's.  Prints what differs.
counts_add_up() {
	rc=0
	for a in tests:testcase failures:failure errors:error skipped:skipped; do
		attr=${a%%:*} el=${a#*:}
		want=$(xp "$1" "string(/testsuites/@$attr)")
		if [ "$el" = testcase ]; then
			got=$(xp "$1" "count(/testsuites/testsuite/testcase)")
		else
			got=$(xp "$1" "count(/testsuites/testsuite/testcase/$el)")
		fi
		if [ "$want" != "$got" ]; then
			echo "  testsuites $attr=\"$want\" but $got <$el>"
			rc=1
		fi
	done
	n=$(xp "$1" "count(/testsuites/testsuite)")
	i=1
	while [ "$i" -le "$n" ]; do
		s="/testsuites/testsuite[$i]"
		for a in tests:testcase failures:failure errors:error skipped:skipped; do
			attr=${a%%:*} el=${a#*:}
			want=$(xp "$1" "string($s/@$attr)")
			if [ "$el" = testcase ]; then
				got=$(xp "$1" "count($s/testcase)")
			else
				got=$(xp "$1" "count($s/testcase/$el)")
			fi
			if [ "$want" != "$got" ]; then
				echo "  testsuite $i $attr=\"$want\" but $got <$el>"
				rc=1
			fi
		done
		i=$((i + 1))
	done
	sum=$(xp "$1" "sum(/testsuites/testsuite/@tests)")
	all=$(xp "$1" "string(/testsuites/@tests)")
	if [ "$sum" != "$all" ]; then
		echo "  the testsuites' tests add up to $sum, not $all"
		rc=1
	fi
	return $rc
}

# --- the wrong expectations: 5 tests, 3 failures, 1 skip, 1 pass ---------
"$RULEC" test -q --junit "$tmp/wrong.xml" "$dir/wrong-expect.test.toml" \
	>"$tmp/out" 2>"$tmp/err"
code=$?
[ "$code" -eq 1 ] && ok || bad "wrong-expect: exit $code, expected 1"
grep -q 'FAIL "wrong: y.exe does not match"' "$tmp/out" && ok ||
	bad "wrong-expect: --junit changed the text report on stdout"
if [ -s "$tmp/wrong.xml" ]; then
	ok
	valid wrong-expect "$tmp/wrong.xml"
	if counts_add_up "$tmp/wrong.xml" >"$tmp/why"; then ok; else
		bad "wrong-expect: counts do not add up"; cat "$tmp/why"; fi
	got=$(xp "$tmp/wrong.xml" 'concat(count(//testsuite), " ", count(//testcase), " ", count(//failure), " ", count(//error), " ", count(//skipped))')
	[ "$got" = "1 5 3 0 1" ] && ok ||
		bad "wrong-expect: suites, cases, failures, errors, skips are $got, not 1 5 3 0 1"
	got=$(xp "$tmp/wrong.xml" 'string(//testcase[@name="wrong: two results, not three"]/failure/@message)')
	[ "$got" = "expected 3 results, got 2" ] && ok ||
		bad "wrong-expect: the failure message of the count test is '$got'"
	got=$(xp "$tmp/wrong.xml" 'string(//testcase[@name="not written yet"]/skipped/@message)')
	[ "$got" = 'waiting for a <z.exe> & "quoted" event' ] && ok ||
		bad "wrong-expect: the skip message is '$got' (escaping?)"
	got=$(xp "$tmp/wrong.xml" 'string(//testcase[@name="wrong: e3 is x.exe, so it matches"]/@line)')
	[ "$got" = 18 ] && ok || bad "wrong-expect: the no_match test is at line '$got', not 18"
else
	bad "wrong-expect: --junit wrote no file"
fi
# the --junit file is the report of -f junit
"$RULEC" test -q -f junit "$dir/wrong-expect.test.toml" >"$tmp/stdout.xml" 2>/dev/null
untime='s/ time="[0-9][0-9.]*"/ time="T"/g'
sed "$untime" "$tmp/wrong.xml" >"$tmp/a"
sed "$untime" "$tmp/stdout.xml" >"$tmp/b"
if cmp -s "$tmp/a" "$tmp/b"; then ok; else
	bad "the --junit file differs from the report of -f junit"
	diff -u "$tmp/a" "$tmp/b" | head -n 20
fi

# --- several files: failures, a skip, errors (a broken event, a selector
# naming no rule, a test file that is not TOML beside a good one) ----------
"$RULEC" test -q --junit "$tmp/many.xml" "$dir/wrong-expect.test.toml" \
	"$dir/bad-inline-not-json.test.toml" "$dir/bad-selector.test.toml" \
	"$dir/mixed" >/dev/null 2>&1
code=$?
[ "$code" -eq 1 ] && ok || bad "several files: exit $code, expected 1"
if [ -s "$tmp/many.xml" ]; then
	ok
	valid "several files" "$tmp/many.xml"
	if counts_add_up "$tmp/many.xml" >"$tmp/why"; then ok; else
		bad "several files: counts do not add up"; cat "$tmp/why"; fi
	got=$(xp "$tmp/many.xml" 'concat(count(//testsuite), " ", count(//testcase), " ", count(//failure), " ", count(//error), " ", count(//skipped))')
	[ "$got" = "5 12 3 3 1" ] && ok ||
		bad "several files: suites, cases, failures, errors, skips are $got, not 5 12 3 3 1"
else
	bad "several files: --junit wrote no file"
fi

# --- the check can fail: broken documents are rejected --------------------
head='<?xml version="1.0" encoding="UTF-8"?>'
ts='name="s" tests="1" failures="0" errors="0" skipped="0" time="0.000"'
tc='name="t" classname="s" file="s" line="1" time="0.000"'
# reject NAME XML: the schema must refuse the document
reject() {
	[ -n "${JUNIT_SHAPE_DEBUG:-}" ] && { printf "%s\n%s\n" "$head" "$2" | xmllint --noout --schema "$xsd" - 2>&1 | head -n 2; }
	printf '%s\n%s\n' "$head" "$2" >"$tmp/$1.xml"
	if xmllint --noout --schema "$xsd" "$tmp/$1.xml" >/dev/null 2>&1; then
		bad "junit.xsd accepts a broken document: $1"
	else
		ok
	fi
}
# the control: the smallest good document is accepted
printf '%s\n%s\n' "$head" "<testsuites $ts><testsuite $ts><testcase $tc/></testsuite></testsuites>" >"$tmp/good.xml"
xmllint --noout --schema "$xsd" "$tmp/good.xml" >/dev/null 2>&1 && ok ||
	bad "junit.xsd rejects the smallest good document"
reject testcase-outside-testsuite "<testsuites $ts><testcase $tc/></testsuites>"
reject testsuite-as-root "<testsuite $ts><testcase $tc/></testsuite>"
reject failure-without-message "<testsuites $ts><testsuite $ts><testcase $tc><failure type=\"failure\">x</failure></testcase></testsuite></testsuites>"
reject failure-and-skipped "<testsuites $ts><testsuite $ts><testcase $tc><failure message=\"m\" type=\"failure\"/><skipped message=\"m\"/></testcase></testsuite></testsuites>"
reject testcase-without-line "<testsuites $ts><testsuite $ts><testcase name=\"t\" classname=\"s\" file=\"s\" time=\"0.000\"/></testsuite></testsuites>"
reject tests-not-a-number "<testsuites $ts><testsuite name=\"s\" tests=\"one\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0.000\"/></testsuites>"
reject unknown-element "<testsuites $ts><testsuite $ts><testcase $tc><flaky/></testcase></testsuite></testsuites>"
# not well-formed: an unescaped '<' in an attribute
printf '%s\n%s\n' "$head" "<testsuites $ts><testsuite name=\"a<b\" tests=\"0\" failures=\"0\" errors=\"0\" skipped=\"0\" time=\"0\"/></testsuites>" >"$tmp/malformed.xml"
if xmllint --noout "$tmp/malformed.xml" >/dev/null 2>&1; then
	bad "xmllint accepts XML that is not well-formed"
else
	ok
fi
# counts that do not add up are caught
printf '%s\n%s\n' "$head" "<testsuites name=\"r\" tests=\"2\" failures=\"1\" errors=\"0\" skipped=\"0\" time=\"0\"><testsuite $ts><testcase $tc/></testsuite></testsuites>" >"$tmp/counts.xml"
if counts_add_up "$tmp/counts.xml" >/dev/null; then
	bad "counts that do not add up pass the count check"
else
	ok
fi

echo "junit-shape: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
