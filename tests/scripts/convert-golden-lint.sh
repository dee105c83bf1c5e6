#!/bin/sh
# Every converted rule pinned by the conversion goldens
# (tests/golden/convert/to-{eql,kibana,toml}/*.expected) is read back by
# `rulec lint` in its new language without an error: the stdout part of
# each expected file (after the args line when there is one, before
# "--- stderr") is cut into one rule file per rule (`// rule:` lines of the
# eql form, one NDJSON line of the kibana form, one `[metadata]` table of
# the toml form with the `# rulec:` comment before it) and each file is
# linted alone (golden cases share rule ids, which one lint run would
# report as duplicates).  A bare EQL query is a rule file as it is
# (docs/rule-files.md), the `// rulec:` loss lines being EQL comments.  The
# xml outputs are checked by convert-xml-valid.sh (schema and read back).
# Cases whose conversion was refused print nothing and are counted apart.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
gold="$TOP_SRCDIR/tests/golden/convert"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0 files=0 empty=0

# stdout of a golden file: without the args line, up to "--- stderr"
golden_stdout() {
	sed -n '1{/^# args: /d;}; /^--- stderr$/q; p' "$1"
}

for form in eql kibana toml; do
	for exp in "$gold/to-$form"/*.expected; do
		[ -f "$exp" ] || continue
		name=$(basename "$exp" .expected)
		out="$tmp/$form/$name"
		mkdir -p "$out"
		golden_stdout "$exp" >"$tmp/stdout"
		if ! grep -q '[^[:space:]]' "$tmp/stdout"; then
			empty=$((empty + 1)); continue
		fi
		case $form in
		eql) awk -v d="$out" '
			/^\/\/ rule: / { n++ }
			{ print > (d "/" (n ? n : 1) ".eql") }' "$tmp/stdout";;
		kibana) awk -v d="$out" 'NF { print > (d "/" NR ".ndjson") }' \
			"$tmp/stdout";;
		toml) awk -v d="$out" '
			/^# rulec: / { held = held $0 "\n"; next }
			/^\[metadata\]$/ { n++ }
			{ f = d "/" (n ? n : 1) ".toml"
			  if (held != "") { printf "%s", held > f; held = "" }
			  print > f }' "$tmp/stdout";;
		esac
		for f in "$out"/*; do
			files=$((files + 1))
			"$RULEC" lint "$f" >"$tmp/lint.out" 2>&1
			if ! grep -q '^rulec: 1 rule checked: 0 errors' "$tmp/lint.out"; then
				echo "FAIL convert/to-$form/$name (rule ${f##*/}): the converted rule does not lint without errors"
				grep -v '^ *[0-9]* |\|^ *|' "$tmp/lint.out" | head -n 10
				fail=1
			fi
		done
	done
done
[ "$files" -gt 0 ] || { echo "FAIL: no converted rule found in $gold"; fail=1; }
echo "convert-golden-lint: $files converted rules (eql, kibana, toml) linted; $empty refused cases print none"
exit $fail
