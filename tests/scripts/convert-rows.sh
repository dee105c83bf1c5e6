#!/bin/sh
# Coverage of docs/convert.md by the conversion goldens:
# tests/golden/convert/ROWS maps each row of the construct and metadata
# tables of docs/convert.md ("ESET to Elastic", "Elastic to ESET", "ESET
# to EQL", "EQL to ESET", "The run context of an Elastic rule") to the
# golden cases that show its verdict, one line per row:
#     SECTION: LABEL<TAB>to-FORM/CASE.expected ...
# Checked here: every case a line names exists (and is a conversion golden:
# golden.sh runs every to-*/*.expected), every line names at least one
# case, and each section has as many lines as its table in
# docs/convert.md has rows, so a row added to the docs without a case (or
# a table row removed) fails.
set -u
: "${TOP_SRCDIR:?}"
gold="$TOP_SRCDIR/tests/golden/convert"
rows="$gold/ROWS"
doc="$TOP_SRCDIR/docs/convert.md"
fail=0

[ -f "$rows" ] || { echo "FAIL: no $rows"; exit 1; }
tab=$(printf '\t')
n=0
while IFS= read -r line; do
	n=$((n + 1))
	case "$line" in
	*"$tab"*) ;;
	*) echo "FAIL ROWS:$n: no tab between the row label and its cases"; fail=1; continue;;
	esac
	cases=${line#*"$tab"}
	[ -n "$cases" ] || { echo "FAIL ROWS:$n: no case for '${line%%"$tab"*}'"; fail=1; }
	for c in $cases; do
		case "$c" in
		to-eql/*.expected|to-kibana/*.expected|to-toml/*.expected|to-xml/*.expected) ;;
		*) echo "FAIL ROWS:$n: '$c' is not a to-FORM/CASE.expected path"; fail=1; continue;;
		esac
		[ -f "$gold/$c" ] || { echo "FAIL ROWS:$n: no case $c"; fail=1; }
	done
done <"$rows"

# rows of each table in the docs (data lines of the first table after the
# section's heading) against the lines of ROWS with that section
for pair in "eset-to-elastic:### ESET to Elastic" "elastic-to-eset:### Elastic to ESET" \
	"eset-to-eql:### ESET to EQL" "eql-to-eset:### EQL to ESET" \
	"run-context:### The run context of an Elastic rule"; do
	sec=${pair%%:*}
	head=${pair#*:}
	want=$(awk -v h="$head" '
		index($0, h) == 1 { in_sec = 1; next }
		in_sec && /^#/ { exit }
		in_sec && /^\|/ { t = 1; n++; next }
		in_sec && t { exit }
		END { print n - 2 }' "$doc")
	got=$(grep -c "^$sec: " "$rows")
	if [ "$want" -le 0 ]; then
		echo "FAIL: no table under '$head' in docs/convert.md"; fail=1
	elif [ "$got" -ne "$want" ]; then
		echo "FAIL: '$head' has $want rows in docs/convert.md, ROWS lists $got for $sec"
		fail=1
	fi
done
echo "convert-rows: $n rows of docs/convert.md mapped to golden cases"
exit $fail
