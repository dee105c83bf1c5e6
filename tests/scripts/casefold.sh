#!/bin/sh
# The committed case-fold table src/pattern/casefold.def must be what
# scripts/gen-casefold makes of Unicode's CaseFolding.txt (Debian package
# unicode-data, installed by scripts/setup).  Skipped (exit 77) when the
# file is missing.  A newer CaseFolding.txt that changes nothing in the
# table but its version line is reported and not counted as a failure;
# any change of the table itself fails: it would change what
# case-insensitive wildcards match.
#   CASEFOLDING=FILE   another CaseFolding.txt
set -u
: "${TOP_SRCDIR:?}"
src=${CASEFOLDING:-/usr/share/unicode/CaseFolding.txt}
def=$TOP_SRCDIR/src/pattern/casefold.def
if [ ! -r "$src" ]; then
	echo "casefold: $src missing (apt-get install unicode-data): skipped"
	exit 77
fi
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
pass=0 fail=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else echo "FAIL: $2"; fail=$((fail + 1)); fi; }

"$TOP_SRCDIR/scripts/gen-casefold" "$src" - >"$tmp"
check $? "scripts/gen-casefold $src failed"
if ! cmp -s "$tmp" "$def"; then
	# the same table from another Unicode version: say so, pass
	if diff "$tmp" "$def" | grep '^[<>]' | grep -v 'Source: CaseFolding-' |
		grep -q .; then
		check 1 "src/pattern/casefold.def differs from what scripts/gen-casefold makes of $src:"
		diff -u "$def" "$tmp" | head -n 40
	else
		echo "note: $src is another Unicode version; the table is the same"
		check 0 ""
	fi
else
	check 0 ""
fi

# the generator refuses what is no CaseFolding.txt
printf 'hello\n' >"$tmp.in"
"$TOP_SRCDIR/scripts/gen-casefold" "$tmp.in" - >/dev/null 2>&1
[ $? -ne 0 ]; check $? "gen-casefold must refuse a file that is no CaseFolding.txt"
rm -f "$tmp.in"

echo "casefold: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
