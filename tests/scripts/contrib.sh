#!/bin/sh
# The CI recipes of contrib/ and the pre-commit hook definitions of
# .pre-commit-hooks.yaml, run as written: each `run: rulec ...` line of
# contrib/github-actions.yml, each hook of .pre-commit-hooks.yaml (the
# files its `files`/`exclude` patterns select, as pre-commit would pass
# them) and the git hook contrib/pre-commit, on a copy of rules/ (must
# pass) and on the same with a broken rule added (must fail).
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin" "$tmp/repo"
ln -s "$RULEC" "$tmp/bin/rulec"
PATH="$tmp/bin:$PATH"
export PATH
cp -R "$TOP_SRCDIR/rules" "$tmp/repo/"

ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# expect STATUS what command...: runs in the repository copy
expect() {
	want=$1 what=$2
	shift 2
	(cd "$tmp/repo" && "$@") >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" -eq "$want" ]; then ok; else
		bad "$what: exit $rc, expected $want"
		head -n 20 "$tmp/out" "$tmp/err"
	fi
}

# --- contrib/github-actions.yml: the single-line `run: rulec` steps
gha_steps() {
	sed -n 's/^ *run: \(rulec .*\)$/\1/p' "$TOP_SRCDIR/contrib/github-actions.yml"
}
[ "$(gha_steps | wc -l)" -ge 2 ] && ok || bad "github-actions.yml: no rulec steps found"
check_outputs() {
	if [ -f "$tmp/repo/rulec.sarif" ]; then
		grep -q '"version": *"2.1.0"' "$tmp/repo/rulec.sarif" && ok ||
			bad "github-actions.yml: rulec.sarif is no SARIF 2.1.0 log"
	else bad "github-actions.yml: no rulec.sarif written"; fi
	if [ -f "$tmp/repo/rulec-junit.xml" ]; then
		grep -q '<testsuites' "$tmp/repo/rulec-junit.xml" && ok ||
			bad "github-actions.yml: rulec-junit.xml is no JUnit report"
	else bad "github-actions.yml: no rulec-junit.xml written"; fi
}
gha_steps >"$tmp/steps"
while IFS= read -r step; do
	expect 0 "github-actions.yml step '$step'" sh -c "$step"
done <"$tmp/steps"
check_outputs
rm -f "$tmp/repo/rulec.sarif" "$tmp/repo/rulec-junit.xml"

# --- .pre-commit-hooks.yaml: id, entry, args, files, exclude,
# pass_filenames of each hook
hooks="$TOP_SRCDIR/.pre-commit-hooks.yaml"
awk '
function flush() { if (id != "") print id "\037" entry "\037" args "\037" files "\037" excl "\037" pf }
/^- id:/ { flush(); id = $3; entry = args = files = excl = ""; pf = "true"; next }
/^  entry:/ { sub(/^  entry: */, ""); entry = $0 }
/^  args:/ { sub(/^  args: *\[/, ""); sub(/\].*$/, ""); gsub(/, */, " "); args = $0 }
/^  files:/ { sub(/^  files: *\047/, ""); sub(/\047.*$/, ""); files = $0 }
/^  exclude:/ { sub(/^  exclude: *\047/, ""); sub(/\047.*$/, ""); excl = $0 }
/^  pass_filenames:/ { pf = $2 }
END { flush() }' "$hooks" >"$tmp/hooks"
[ "$(wc -l <"$tmp/hooks")" -ge 2 ] && ok || bad ".pre-commit-hooks.yaml: fewer than two hooks read"
run_hooks() {
	want=$1
	while IFS="$(printf '\037')" read -r id entry args files excl pf; do
		(cd "$tmp/repo" && find . -type f | sed 's|^\./||' | sort |
			grep -E "$files" | { if [ -n "$excl" ]; then grep -Ev "$excl"; else cat; fi; }) \
			>"$tmp/files"
		cp "$tmp/files" "$tmp/files.$id"
		[ -s "$tmp/files" ] || { bad "hook $id: selects no file"; continue; }
		if [ "$pf" = false ]; then
			# shellcheck disable=SC2086
			expect "$want" "hook $id" $entry $args
		else
			# shellcheck disable=SC2086
			expect "$want" "hook $id" $entry $args $(cat "$tmp/files")
		fi
	done <"$tmp/hooks"
}
run_hooks 0
# the test and event files are left out by the lint hook's patterns
grep -Eq '\.test\.toml|\.events\.' "$tmp/files.rulec-lint" &&
	bad "the lint hook passes test or event files" || ok

# --- contrib/pre-commit, the git hook, on staged files
if command -v git >/dev/null 2>&1; then
	(cd "$tmp/repo" && git init -q . && git add rules) >/dev/null 2>&1
	expect 0 "contrib/pre-commit on the staged rules" \
		env RULEC="$RULEC" sh "$TOP_SRCDIR/contrib/pre-commit"
fi

# --- a broken rule makes the lint steps and hooks fail
printf 'process where (\n' >"$tmp/repo/rules/broken.eql"
rm -f "$tmp/repo/rulec.sarif"
expect 1 "github-actions.yml lint step with a broken rule" \
	sh -c "$(grep '^rulec lint' "$tmp/steps")"
grep -q '"RC1001"' "$tmp/repo/rulec.sarif" 2>/dev/null && ok ||
	bad "the SARIF log does not hold the broken rule's syntax error"
grep '^rulec-lint' "$tmp/hooks" >"$tmp/hooks.lint"
mv "$tmp/hooks.lint" "$tmp/hooks"
run_hooks 1
if command -v git >/dev/null 2>&1; then
	(cd "$tmp/repo" && git add rules/broken.eql) >/dev/null 2>&1
	expect 1 "contrib/pre-commit with a broken rule staged" \
		env RULEC="$RULEC" sh "$TOP_SRCDIR/contrib/pre-commit"
fi

echo "contrib: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
