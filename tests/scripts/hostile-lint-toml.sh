#!/bin/sh
# Malformed TOML rule files: each gets a located "malformed TOML" error
# and exit status 1, never an abort.  The fixed cases hit the parser's
# corners (table headers, keys, strings, arrays, inline tables; `[==`
# once tripped an internal assertion of toml++); then a real rule file
# cut at every length, and with each byte replaced by a bracket.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# lint_one FILE WHAT: exit 1 or 0 (a cut file can still be a valid TOML
# document that is no rule: then RC9021/RC7001 and 1 as well), never a
# signal, and a malformed file is reported as such
lint_one() {
	timeout 20 "$RULEC" lint -q "$1" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -ge 124 ]; then
		bad "$2: exit $rc"
		head -n 5 "$tmp/out"
		return
	fi
	ok
}

n=0
for t in '[==' '[[' '[ [a]]' 'a.=1' '[a.]' '[."' '["a' "a='''" '=1' \
	 '[a]]' 'a=[1,' 'a={b=' '[rule' '[rule]]' 'a=1 b=2' '[[rule]' \
	 'a="\u{110000}"' 'a=1979-05-27T07:32:00Z99' 'a=0x' 'a=+inf_'; do
	n=$((n + 1))
	printf '%s\n' "$t" >"$tmp/case$n.toml"
	timeout 20 "$RULEC" lint -q "$tmp/case$n.toml" >"$tmp/out" 2>&1
	rc=$?
	if [ "$rc" -eq 1 ] && grep -q "malformed TOML" "$tmp/out" &&
	   grep -q "case$n.toml:[0-9]*:[0-9]*: error" "$tmp/out"; then ok; else
		bad "'$t': exit $rc"
		head -n 5 "$tmp/out"
	fi
done

rule="$TOP_SRCDIR/rules/toml/certutil-download.toml"
size=$(wc -c <"$rule")
i=0
while [ "$i" -lt "$size" ]; do
	head -c "$i" "$rule" >"$tmp/cut.toml"
	lint_one "$tmp/cut.toml" "cut at $i"
	i=$((i + 7))
done
i=0
while [ "$i" -lt "$size" ]; do
	{ head -c "$i" "$rule"; printf '['; tail -c +"$((i + 2))" "$rule"; } \
		>"$tmp/flip.toml"
	lint_one "$tmp/flip.toml" "'[' at $i"
	i=$((i + 5))
done
echo "hostile-lint-toml: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
