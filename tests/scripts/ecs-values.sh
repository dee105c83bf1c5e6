#!/bin/sh
# The committed table of ECS allowed values, schemas/ecs-values.tsv, must
# be what scripts/gen-ecs-values makes of the ECS enumerations in
# ../shared/reference (skipped, exit 77, when they are absent), and the
# ECS category and type of every ESET operation (schemas/eset-operations.tsv)
# must be allowed values, or the lowered ESET rules would be reported by
# RC2014 unknown-field-value.
set -u
: "${TOP_SRCDIR:?}"
shared="${RULEC_SHARED:-$TOP_SRCDIR/../shared}"
src=$shared/reference/ecs-allowed-values.tsv
table=$TOP_SRCDIR/schemas/ecs-values.tsv
gen=$TOP_SRCDIR/scripts/gen-ecs-values
tmp=$(mktemp)
trap 'rm -f "$tmp" "$tmp.in"' EXIT
pass=0 fail=0 skip=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else echo "FAIL: $2"; fail=$((fail + 1)); fi; }

if [ -r "$src" ]; then
	"$gen" "$src" - >"$tmp"
	check $? "scripts/gen-ecs-values $src failed"
	cmp -s "$tmp" "$table"
	check $? "schemas/ecs-values.tsv differs from what scripts/gen-ecs-values makes of $src (rerun the script)"
else
	echo "ecs-values: no $src: generator comparison skipped"
	skip=1
fi

# the generator refuses a file of the wrong shape and an unknown kind
printf 'event.type\tstart\n' >"$tmp.in"
"$gen" "$tmp.in" - >/dev/null 2>&1
[ $? -ne 0 ]; check $? "gen-ecs-values must refuse rows of 2 columns"
printf 'event.type\tstart\tclosed\t-\t9.0\n' >"$tmp.in"
"$gen" "$tmp.in" - >/dev/null 2>&1
[ $? -ne 0 ]; check $? "gen-ecs-values must refuse an unknown kind"
# and keeps only allowed rows
printf 'event.type\tstart\tallowed\t-\t9.0\nhost.os.type\tlinux\texpected\t-\t9.0\n' >"$tmp.in"
"$gen" "$tmp.in" - 2>/dev/null | grep -v '^#' >"$tmp"
printf 'event.type\tstart\n' | cmp -s - "$tmp"
check $? "gen-ecs-values must keep exactly the allowed rows"

# every ECS category and type of an ESET operation is an allowed value
bad=$(awk -F '\t' '
	FNR == NR { if ($0 !~ /^#/) ok[$1 "\t" $2] = 1; next }
	$0 ~ /^#/ || $0 == "" { next }
	$4 != "-" && !(("event.category\t" $4) in ok) { print $1 ": category " $4 }
	$5 != "-" { n = split($5, t, ","); for (i = 1; i <= n; i++)
		if (!(("event.type\t" t[i]) in ok)) print $1 ": type " t[i] }
' "$table" "$TOP_SRCDIR/schemas/eset-operations.tsv")
[ -z "$bad" ]
check $? "ESET operations with ECS values outside schemas/ecs-values.tsv: $bad"

echo "ecs-values: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
