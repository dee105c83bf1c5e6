#!/bin/sh
# Good rules must stay silent: every file under tests/golden/lint/good is linted
# with the default settings and must produce no diagnostic at all.  (The
# bad rules are golden cases under tests/golden, each pinned to its text.)
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
pass=0 fail=0
for f in "$TOP_SRCDIR"/tests/golden/lint/good/*; do
	out=$("$RULEC" lint -q --format json "$f" 2>&1)
	code=$?
	if [ $code -eq 0 ] && [ -z "$out" ]; then
		pass=$((pass + 1))
	else
		echo "FAIL $(basename "$f") (exit $code):"
		printf '%s\n' "$out" | head -n 5
		fail=$((fail + 1))
	fi
done
echo "lint-good: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
