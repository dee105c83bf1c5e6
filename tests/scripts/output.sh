#!/bin/sh
# Where rulec's output goes (docs/linter.md, "Output formats"): the same
# diagnostics in JSON and SARIF from lint, compile, run and test, on stdout
# only when stdout carries nothing else, in -o/--diagnostics files
# otherwise, never mixed with the summary lines; the contrib/README.md
# recipe as written; the contrib/pre-commit hook with fixtures staged; an
# empty folder (which git cannot hold, so it is not a golden case).
# JSON documents are also parsed when jq or python3 is present.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
golden="$TOP_SRCDIR/tests/golden"
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
check() { if [ "$1" -eq 0 ]; then ok; else bad "$2"; fi; }

# valid_json FILE [lines]: one JSON document, or one per line
valid_json() {
	if command -v jq >/dev/null 2>&1; then
		jq -e . "$1" >/dev/null 2>&1
	elif command -v python3 >/dev/null 2>&1; then
		if [ "${2:-}" = lines ]; then
			python3 -c 'import json,sys
for l in open(sys.argv[1]): json.loads(l)' "$1" 2>/dev/null
		else
			python3 -c 'import json,sys; json.load(open(sys.argv[1]))' \
				"$1" 2>/dev/null
		fi
	else
		return 77
	fi
}
json_ok() {
	valid_json "$@"
	case $? in
	0) ok ;;
	77) skip=$((skip + 1)) ;;
	*) bad "$1 is not valid JSON" ;;
	esac
}
# results FILE: the number of results of a SARIF log (the rules of its
# head have "id", results "ruleId")
results() { grep -o '"ruleId":' "$1" | wc -l | tr -d ' '; }
# count ID FILE: the results of one check in a SARIF log
count() { grep -o "\"ruleId\":\"$1\"" "$2" | wc -l | tr -d ' '; }

# A rules folder with one rule of each kind of finding, a rule test, and
# events beside the rules.
mkdir -p "$tmp/repo/rules"
cp "$golden/rules.ndjson" "$tmp/repo/rules/"
cp "$TOP_SRCDIR/rules/eql/encoded-powershell.eql" \
	"$TOP_SRCDIR/rules/eql/encoded-powershell.test.toml" \
	"$TOP_SRCDIR/rules/eql/encoded-powershell.events.ndjson" \
	"$tmp/repo/rules/"
events="$TOP_SRCDIR/rules/eql/encoded-powershell.events.ndjson"

# 1. contrib/README.md's recipe, run as written
(cd "$tmp/repo" && "$RULEC" lint --format json rules/ > diagnostics.ndjson \
	2>stderr.txt)
rc=$?
check $((rc != 1)) "the README recipe exits $rc, not 1 (errors)"
n=$(wc -l <"$tmp/repo/diagnostics.ndjson" | tr -d ' ')
check $((n != 8)) "the README recipe wrote $n diagnostics, not 8"
grep -qv '^{"file":' "$tmp/repo/diagnostics.ndjson"
check $((! $?)) "the README recipe's file holds something else than diagnostics"
grep -q '^rulec: 4 rules checked' "$tmp/repo/stderr.txt"
check $? "the summary line is not on stderr"
json_ok "$tmp/repo/diagnostics.ndjson" lines

# 2. lint: SARIF on stdout with the same diagnostics, the summary apart
"$RULEC" lint -f sarif "$tmp/repo/rules" >"$tmp/lint.sarif" 2>"$tmp/err"
check $(($(results "$tmp/lint.sarif") != 8)) "lint -f sarif: not 8 results"
grep -q 'rules checked' "$tmp/lint.sarif"
check $((! $?)) "lint -f sarif: the summary is in the log"
json_ok "$tmp/lint.sarif"

# 3. lint -o FILE: the diagnostics in any format, stdout left empty
for f in text json sarif; do
	"$RULEC" lint -f $f -o "$tmp/lint.$f" "$tmp/repo/rules" >"$tmp/out" \
		2>"$tmp/err"
	check $(($? != 1)) "lint -f $f -o: exit status"
	check $(($(wc -c <"$tmp/out") != 0)) "lint -f $f -o: stdout not empty"
	grep -q 'RC1003' "$tmp/lint.$f"
	check $? "lint -f $f -o: no diagnostics in the file"
	grep -q 'RC1003' "$tmp/err"
	check $((! $?)) "lint -f $f -o: diagnostics on stderr too"
done

# 4. compile: SARIF and JSON diagnostics on stdout (they used to be lost),
# or in --diagnostics FILE
"$RULEC" compile -f sarif -o "$tmp/x.rbc" "$tmp/repo/rules" >"$tmp/c.sarif" \
	2>/dev/null
check $(($(results "$tmp/c.sarif") != 8)) "compile -f sarif: not 8 results"
json_ok "$tmp/c.sarif"
"$RULEC" compile -f json --diagnostics "$tmp/c.ndjson" -o "$tmp/x.rbc" \
	"$tmp/repo/rules" >"$tmp/out" 2>/dev/null
check $(($(wc -l <"$tmp/c.ndjson") != 8 || $(wc -c <"$tmp/out") != 0)) \
	"compile --diagnostics: not 8 lines in the file, or stdout not empty"

# 5. run: results on stdout or -o FILE, diagnostics in a file or on the
# stdout that -o freed
"$RULEC" run -f sarif --diagnostics "$tmp/r.sarif" "$tmp/repo/rules" \
	-e "$events" >"$tmp/m.ndjson" 2>/dev/null
grep -qv '^{"rule":' "$tmp/m.ndjson"
check $((! $?)) "run --diagnostics: stdout holds more than results"
check $(($(wc -l <"$tmp/m.ndjson") == 0)) "run --diagnostics: no result"
check $(($(results "$tmp/r.sarif") != 8)) "run --diagnostics: not 8 results"
json_ok "$tmp/r.sarif"
"$RULEC" run -f sarif -o "$tmp/m2.ndjson" "$tmp/repo/rules" -e "$events" \
	>"$tmp/r2.sarif" 2>/dev/null
cmp -s "$tmp/m.ndjson" "$tmp/m2.ndjson"
check $? "run -o FILE: other results than on stdout"
cmp -s "$tmp/r.sarif" "$tmp/r2.sarif"
check $? "run -o FILE: another SARIF log on stdout"
"$RULEC" run -f sarif "$tmp/repo/rules" -e "$events" >/dev/null 2>&1
check $(($? != 2)) "run -f sarif without a file for the log must exit 2"

# 6. test: SARIF with a result per failed test and the diagnostics; JSON
# report on stdout, JSON diagnostics on stderr
tg="$golden/test"
"$RULEC" test -q -f sarif "$tg/wrong-expect.test.toml" "$tg/bad-syntax.test.toml" \
	>"$tmp/t.sarif" 2>"$tmp/err"
check $(($? != 1)) "test -f sarif: exit status"
check $(($(count RC9107 "$tmp/t.sarif") != 3)) "test -f sarif: not 3 failed tests"
check $(($(count RC9101 "$tmp/t.sarif") != 1)) "test -f sarif: the test file's error is missing"
check $(($(wc -c <"$tmp/err") != 0)) "test -q -f sarif: stderr not empty"
json_ok "$tmp/t.sarif"
"$RULEC" test -q -f sarif --diagnostics "$tmp/td.sarif" -o "$tmp/tr.sarif" \
	"$tg/wrong-expect.test.toml" "$tg/bad-syntax.test.toml" >"$tmp/out" 2>&1
check $(($(count RC9107 "$tmp/tr.sarif") != 3 || $(count RC9101 "$tmp/tr.sarif") != 0)) \
	"test -o: the report's log must hold the 3 failures only"
check $(($(count RC9101 "$tmp/td.sarif") != 1 || $(count RC9107 "$tmp/td.sarif") != 0)) \
	"test --diagnostics: the log must hold the diagnostic only"
check $(($(wc -c <"$tmp/out") != 0)) "test -o --diagnostics: output left on stdout or stderr"
"$RULEC" test -q -f json "$tg/bad-syntax.test.toml" >"$tmp/out" 2>"$tmp/err"
grep -q '"suite":' "$tmp/out" && grep -q '^{"file":.*"RC9101"' "$tmp/err"
check $? "test -f json: report on stdout, diagnostics as JSON on stderr"
json_ok "$tmp/err" lines

# 7. an empty folder yields no rule and no test: exit 2, RC9021
mkdir "$tmp/empty"
"$RULEC" lint "$tmp/empty" >"$tmp/out" 2>&1
rc=$?
grep -q 'RC9021' "$tmp/out"
check $((rc != 2 || $? != 0)) "lint of an empty folder: exit $rc"
"$RULEC" test "$tmp/empty" >"$tmp/out" 2>&1
rc=$?
grep -q 'RC9021' "$tmp/out"
check $((rc != 2 || $? != 0)) "test of an empty folder: exit $rc"

# 8. the pre-commit hook: fixtures and tests do not block a commit, an
# error in a rule does
if command -v git >/dev/null 2>&1; then
	hook="$TOP_SRCDIR/contrib/pre-commit"
	g="$tmp/git"
	mkdir -p "$g/rules" "$g/fixtures"
	(cd "$g" && git init -q .) || bad "git init"
	cp "$TOP_SRCDIR/rules/eql/encoded-powershell.eql" \
		"$TOP_SRCDIR/rules/eql/encoded-powershell.test.toml" \
		"$TOP_SRCDIR/rules/eql/encoded-powershell.events.ndjson" "$g/rules/"
	cp "$events" "$g/fixtures/powershell.ndjson"
	(cd "$g" && git add fixtures && RULEC="$RULEC" sh "$hook") \
		>"$tmp/out" 2>&1
	check $? "pre-commit: fixtures alone are blocked"
	(cd "$g" && git add rules && RULEC="$RULEC" sh "$hook") \
		>"$tmp/out" 2>&1
	check $? "pre-commit: a rule with its test and fixtures is blocked"
	printf 'process where process.name = "x"\n' >"$g/rules/bad.eql"
	(cd "$g" && git add rules && RULEC="$RULEC" sh "$hook") \
		>"$tmp/out" 2>&1
	check $(($? == 0)) "pre-commit: a rule with an error is let through"
else
	skip=$((skip + 1))
fi

echo "output: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
