#!/bin/sh
# rulec convert end to end: usage errors (exit 2), a refused rule (exit 1,
# nothing printed for it), -o DIR with one file per rule (names from the
# rule ids, never outside the folder), -o FILE for one rule, and the
# metadata-carrying forms read back by rulec: every rule of the bundled
# rules and of the Elastic corpus (when ../shared is there) converted to
# kibana and to toml lints without errors and without Kibana schema
# findings (RC7101-RC7103, with -W kibana-required-key).
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
shared="${RULEC_SHARED:-$TOP_SRCDIR/../shared}"
pass=0 fail=0 skip=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
seed_eql=$TOP_SRCDIR/tests/golden/convert/to-toml/meta-two.ndjson

# usage errors
"$RULEC" convert "$seed_eql" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "convert needs --to" "$tmp/err" && ok ||
	bad "missing --to: exit $rc"
"$RULEC" convert --to yaml "$seed_eql" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ ! -s "$tmp/out" ] && ok || bad "bad form: exit $rc"
"$RULEC" convert --to eql >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "at least one PATH" "$tmp/err" && ok ||
	bad "no PATH: exit $rc"
"$RULEC" convert --to eql "$tmp/absent.eql" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok || bad "missing file: exit $rc"

# a refused rule: exit 1, nothing on stdout, the construct named
printf '%s\n' 'process where length(process.name) > 3' >"$tmp/len.eql"
"$RULEC" convert --to xml "$tmp/len.eql" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && [ ! -s "$tmp/out" ] && grep -q "RC8001" "$tmp/err" && ok ||
	bad "refused rule: exit $rc"

# -o DIR: one file per rule, named by rule id
"$RULEC" convert --to toml -o "$tmp/dir" "$seed_eql" >"$tmp/out" \
	2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "-o DIR: exit $rc"
[ ! -s "$tmp/out" ] && ok || bad "-o DIR printed on stdout"
n=$(find "$tmp/dir" -type f | wc -l)
[ "$n" -eq 2 ] && ok || bad "-o DIR: $n files, 2 expected"
for id in 0b6d4c1e-6a3f-4c59-9f0e-8d2b7c1a5e01 \
	  7f2d9c4e-1b3a-4e5f-8a6b-9c0d1e2f3a4b; do
	[ -f "$tmp/dir/$id.toml" ] && ok || bad "-o DIR: no $id.toml"
done
grep -q "2 files written in" "$tmp/err" && ok || bad "-o DIR: no summary"
"$RULEC" lint -q "$tmp/dir" >"$tmp/lint" 2>&1
rc=$?
[ $rc -eq 0 ] && ok || { bad "-o DIR files do not lint: exit $rc"
	head -n 20 "$tmp/lint"; }

# -o FILE for one rule: a file, not a folder; -o into a file for two
# rules cannot make the folder
head -n 1 "$seed_eql" >"$tmp/one.ndjson"
"$RULEC" convert --to toml -o "$tmp/one.toml" "$tmp/one.ndjson" \
	>/dev/null 2>&1
rc=$?
[ $rc -eq 0 ] && [ -f "$tmp/one.toml" ] && ok || bad "-o FILE: exit $rc"
grep -q "^\[metadata\]" "$tmp/one.toml" && ok || bad "-o FILE: no TOML"
"$RULEC" convert --to toml -o "$tmp/one.toml" "$seed_eql" >/dev/null \
	2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && grep -q "cannot make the folder" "$tmp/err" && ok ||
	bad "-o over a file for two rules: exit $rc"

# a hostile rule id stays inside the folder
printf '%s\n' '{"rule_id":"../../escape","name":"n","severity":"low","risk_score":1,"query":"process where true"}' \
	'{"rule_id":"b","name":"m","severity":"low","risk_score":1,"query":"process where true"}' \
	>"$tmp/hostile.ndjson"
mkdir "$tmp/h"
"$RULEC" convert --to kibana -o "$tmp/h/out.ndjson" "$tmp/hostile.ndjson" \
	>/dev/null 2>&1
[ -f "$tmp/h/out.ndjson" ] && [ "$(wc -l <"$tmp/h/out.ndjson")" -eq 2 ] &&
	ok || bad "kibana -o FILE with two rules: one NDJSON file"
"$RULEC" convert --to toml -o "$tmp/h/d" "$tmp/hostile.ndjson" \
	>/dev/null 2>&1
[ -f "$tmp/h/d/escape.toml" ] && [ ! -e "$tmp/escape.toml" ] && ok ||
	bad "hostile rule id: $(ls "$tmp/h/d" 2>&1)"

# the forms read back: lint clean, Kibana's schema clean.  The only
# errors allowed are the duplicate rule ids (RC7007) the sources have
# themselves (conversion does not fix rules), at most as many.
# lintcheck WHAT LINT-OUTPUT EXIT DUPS
lintcheck() {
	errs=$(grep -c ": error: " "$2")
	dups=$(grep -c ": error: .*RC7007" "$2")
	if [ "$errs" -eq "$dups" ] && [ "$dups" -le "$4" ] &&
	   ! grep -q "RC710[123]" "$2"; then
		ok
	else
		bad "$1: lint exit $3, $errs errors ($dups duplicate ids," \
			"$4 in the sources)"
		grep -A3 ": error: \|RC710" "$2" | head -n 20
	fi
}
# lintback NAME FILE...: converts to kibana and toml, lints the results
lintback() {
	name=$1; shift
	"$RULEC" lint -q "$@" >"$tmp/$name.src" 2>&1
	srcdups=$(grep -c ": error: .*RC7007" "$tmp/$name.src")
	"$RULEC" convert -q --to kibana \
		-o "$tmp/$name.ndjson" "$@" 2>"$tmp/$name.cerr"
	"$RULEC" lint -q -W kibana-required-key "$tmp/$name.ndjson" \
		>"$tmp/$name.lint" 2>&1
	lintcheck "$name as kibana" "$tmp/$name.lint" $? "$srcdups"
	"$RULEC" convert -q --to toml \
		-o "$tmp/$name.toml.d" "$@" 2>>"$tmp/$name.cerr"
	if [ -e "$tmp/$name.toml.d" ]; then
		"$RULEC" lint -q -W kibana-required-key "$tmp/$name.toml.d" \
			>"$tmp/$name.tlint" 2>&1
		lintcheck "$name as toml" "$tmp/$name.tlint" $? "$srcdups"
	else
		bad "$name as toml: nothing written"
	fi
}
lintback bundled "$TOP_SRCDIR/rules/elastic-rules.ndjson"
if [ -d "$shared/corpus" ]; then
	lintback corpus "$shared/corpus/elastic-eql-rules.ndjson"
	# the ESET rules (those the EQL printer converts) and the seeds;
	# two ESET rules of one id are two files in the folder
	lintback eset "$shared/corpus/eset-rules" "$shared/corpus/seeds"
	n=$(grep -c "" "$tmp/eset.ndjson")
	m=1     # one rule converted: -o names a file
	[ -d "$tmp/eset.toml.d" ] &&
		m=$(find "$tmp/eset.toml.d" -name "*.toml" | wc -l)
	[ "$n" -eq "$m" ] && ok || bad "eset: $n kibana rules but $m toml files"
else
	skip=$((skip + 1))
fi

echo "convert-cli: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
