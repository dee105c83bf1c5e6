#!/bin/sh
# Every ESET document `rulec convert --to xml` writes is valid: EQL rules
# (the ../shared Elastic corpus and seeds when present, rules/ always)
# converted with --drop-unconvertible must all convert, each output must
# validate against schemas/eset-rule.rng (xmllint --relaxng, from
# libxml2-utils, which scripts/setup installs) and be read back by
# `rulec lint` without an error.  Without --drop-unconvertible the counts
# of converted and refused rules are printed (refusals are not failures).
# The same holds for every document the conversion goldens pin
# (tests/golden/convert/to-xml/*.expected: the stdout part, after the args
# line when there is one, before "--- stderr"), each linted alone since
# golden cases share rule ids; refused cases print no document.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
shared="${RULEC_SHARED:-$TOP_SRCDIR/../shared}"
rng="$TOP_SRCDIR/schemas/eset-rule.rng"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

set -- "$TOP_SRCDIR"/rules/eql "$TOP_SRCDIR"/rules/elastic-rules.ndjson \
	"$TOP_SRCDIR"/rules/toml
if [ -d "$shared/corpus" ]; then
	set -- "$@" "$shared/corpus/elastic-eql-rules.ndjson" "$shared/corpus/seeds"
else
	echo "SKIP the ../shared corpus: no $shared"
fi

mkdir "$tmp/drop" "$tmp/keep"
"$RULEC" convert --to xml -o "$tmp/keep" "$@" >/dev/null 2>"$tmp/keep.err"
kept=$(sed -n 's/^rulec: \([0-9]*\) rules\{0,1\} converted to xml, \([0-9]*\) not.*/\1 \2/p' "$tmp/keep.err")
echo "without --drop-unconvertible: converted/refused: ${kept:-?}"
if ! "$RULEC" convert --to xml --drop-unconvertible -o "$tmp/drop" "$@" \
	>/dev/null 2>"$tmp/drop.err"; then
	echo "FAIL: a rule was refused with --drop-unconvertible"
	grep -m 5 'RC8001' "$tmp/drop.err"
	fail=1
fi
n=$(ls "$tmp/drop" | wc -l)
[ "$n" -gt 0 ] || { echo "FAIL: no output"; fail=1; }

if command -v xmllint >/dev/null 2>&1; then
	bad=$(xmllint --noout --relaxng "$rng" "$tmp"/drop/*.xml 2>&1 | grep -c 'fails to validate')
	if [ "$bad" -ne 0 ]; then
		echo "FAIL: $bad of $n documents do not validate against eset-rule.rng"
		xmllint --noout --relaxng "$rng" "$tmp"/drop/*.xml 2>&1 | grep -v ' validates$' | head -n 10
		fail=1
	fi
else
	echo "SKIP xmllint: not installed (libxml2-utils); rulec's own reading validates too"
fi

"$RULEC" lint "$tmp/drop" >"$tmp/lint.out" 2>&1
summary=$(grep '^rulec: .* rules\{0,1\} checked' "$tmp/lint.out")
case "$summary" in
*" $n rule"*" checked: 0 errors"*) ;;
*)
	echo "FAIL: reading the documents back: ${summary:-no summary}"
	grep -m 10 'error' "$tmp/lint.out"
	fail=1;;
esac
echo "convert-xml-valid: $n documents (--drop-unconvertible) validated and read back${summary:+; $summary}"

# the documents of the conversion goldens
mkdir "$tmp/gold"
for exp in "$TOP_SRCDIR"/tests/golden/convert/to-xml/*.expected; do
	[ -f "$exp" ] || continue
	name=$(basename "$exp" .expected)
	sed -n '1{/^# args: /d;}; /^--- stderr$/q; p' "$exp" |
		awk -v d="$tmp/gold" -v c="$name" '
			/^<\?xml / { k++ }
			k { print > (d "/" c "-" k ".xml") }'
done
g=$(ls "$tmp/gold" | wc -l)
[ "$g" -gt 0 ] || { echo "FAIL: no document in the to-xml goldens"; fail=1; }
if command -v xmllint >/dev/null 2>&1 && [ "$g" -gt 0 ]; then
	bad=$(xmllint --noout --relaxng "$rng" "$tmp"/gold/*.xml 2>&1 | grep -c 'fails to validate')
	if [ "$bad" -ne 0 ]; then
		echo "FAIL: $bad of $g golden documents do not validate against eset-rule.rng"
		xmllint --noout --relaxng "$rng" "$tmp"/gold/*.xml 2>&1 | grep -v ' validates$' | head -n 10
		fail=1
	fi
fi
for f in "$tmp"/gold/*.xml; do
	[ -f "$f" ] || continue
	"$RULEC" lint "$f" >"$tmp/lint.out" 2>&1
	if ! grep -q '^rulec: 1 rule checked: 0 errors' "$tmp/lint.out"; then
		echo "FAIL golden ${f##*/}: the converted rule does not lint without errors"
		grep -v '^ *[0-9]* |\|^ *|' "$tmp/lint.out" | head -n 10
		fail=1
	fi
done
echo "convert-xml-valid: $g documents of tests/golden/convert/to-xml validated and read back"
exit $fail
