#!/bin/sh
# rulec compile and rulec disasm end to end: the bundled rules and the good
# lint suite compile into an image that loads (the verifier runs) and
# disassembles; a damaged image is refused with exit 2; rules with errors
# produce no image (exit 1).
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# flip FILE OFFSET: inverts every bit of one byte (so it always changes)
flip() {
	b=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((255 - b)))" |
		dd of="$1" bs=1 seek="$2" conv=notrunc 2>/dev/null
}

"$RULEC" compile -q -o "$tmp/a.rbc" "$TOP_SRCDIR/rules" "$TOP_SRCDIR/tests/golden/lint/good" 2>"$tmp/err"
[ $? -eq 0 ] && [ -s "$tmp/a.rbc" ] && ok || { bad "compile"; cat "$tmp/err"; }
"$RULEC" disasm "$tmp/a.rbc" >"$tmp/dis" 2>"$tmp/err"
[ $? -eq 0 ] && ok || { bad "disasm"; cat "$tmp/err"; }
n=$(sed -n 's/^image version [0-9]*: [0-9]* pool entries, \([0-9]*\) rules.*/\1/p' "$tmp/dis")
[ "$n" = 50 ] && ok || bad "disasm lists $n rules, 50 expected (9 bundled + 41 good)"
# damage: flip one byte in the middle, and truncate
size=$(wc -c <"$tmp/a.rbc")
cp "$tmp/a.rbc" "$tmp/b.rbc"
flip "$tmp/b.rbc" $((size / 2))
"$RULEC" disasm "$tmp/b.rbc" >/dev/null 2>"$tmp/err"
[ $? -eq 2 ] && grep -q "refused" "$tmp/err" && ok || { bad "damaged image not refused"; cat "$tmp/err"; }
head -c $((size - 1)) "$tmp/a.rbc" >"$tmp/c.rbc"
"$RULEC" disasm "$tmp/c.rbc" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "truncated image not refused"
# errors: no image
"$RULEC" compile -q -o "$tmp/d.rbc" "$TOP_SRCDIR/tests/golden/recovery.eql" 2>/dev/null
[ $? -eq 1 ] && [ ! -e "$tmp/d.rbc" ] && ok || bad "an image was written for rules with errors"
"$RULEC" compile "$TOP_SRCDIR/rules" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "compile without -o must be a usage error"
echo "compile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
