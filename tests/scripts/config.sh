#!/bin/sh
# The configuration file and baselines where the golden cases cannot go:
# finding .rulec.toml from the current folder upward (and stopping at the
# top of a git working tree), paths relative to the configuration's and
# the baseline's folder whatever the current folder, a baseline written,
# edited around and read again, and the SARIF log's logical locations.
# Everything happens in a temporary tree, so the project's own tree never
# holds a .rulec.toml.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
check() {
	if [ "$1" = 0 ]; then pass=$((pass + 1)); else echo "FAIL: $2"; fail=$((fail + 1)); fi
}

# --- the search upward ------------------------------------------------------
mkdir -p "$tmp/outer/repo/.git" "$tmp/outer/repo/rules/sub" "$tmp/outer/plain/deep"
printf 'process where process.nmae == "a.exe"\n' >"$tmp/outer/repo/rules/sub/r.eql"
cp "$tmp/outer/repo/rules/sub/r.eql" "$tmp/outer/plain/deep/r.eql"
# above the working tree: never read from inside it
printf '[checks]\nunknown-feild = "off"\n' >"$tmp/outer/.rulec.toml"
printf '[checks]\nunknown-field = "error"\n' >"$tmp/outer/repo/.rulec.toml"

out=$(cd "$tmp/outer/repo/rules/sub" && "$RULEC" lint r.eql 2>&1)
code=$?
[ $code -eq 1 ] && printf '%s\n' "$out" | grep -q "r.eql:1:15: error: unknown field"
check $? "the .rulec.toml two folders up is not applied (exit $code): $out"
printf '%s\n' "$out" | grep -q "unknown-feild"
[ $? -ne 0 ]; check $? "the search went past the top of the working tree"

out=$(cd "$tmp/outer/repo/rules/sub" && "$RULEC" lint --no-config r.eql 2>&1)
code=$?
[ $code -eq 0 ] && printf '%s\n' "$out" | grep -q "warning: unknown field"
check $? "--no-config still reads .rulec.toml (exit $code)"

# outside a working tree the search goes on up: the outer file is read, and
# its problems are located by a path relative to the current folder
out=$(cd "$tmp/outer/plain/deep" && "$RULEC" lint r.eql 2>&1)
code=$?
[ $code -eq 2 ] && printf '%s\n' "$out" | grep -q "^\.\./\.\./\.rulec\.toml:2:1: error: 'unknown-feild' is no check"
check $? "the file above is not found, or its path is not relative (exit $code): $out"

# --config wins over the search
printf '[checks]\nschema = "off"\n' >"$tmp/quiet.toml"
out=$(cd "$tmp/outer/repo/rules/sub" && "$RULEC" lint --config "$tmp/quiet.toml" r.eql 2>&1)
[ $? -eq 0 ] && ! printf '%s\n' "$out" | grep -q "unknown field"
check $? "--config does not replace the file found: $out"

# --- paths relative to the configuration's folder -----------------------------
mkdir -p "$tmp/cfg/rules/old" "$tmp/cfg/schemas" "$tmp/elsewhere"
printf 'process where acme.tenant == "x"\n' >"$tmp/cfg/rules/t.eql"
printf 'process where process.nmae == "x"\n' >"$tmp/cfg/rules/old/o.eql"
printf 'acme.tenant\tkeyword\t-\n' >"$tmp/cfg/schemas/acme.tsv"
cat >"$tmp/cfg/.rulec.toml" <<'EOF'
[paths]
exclude = ["rules/old/"]
[schema]
files = ["schemas/acme.tsv"]
EOF
out=$(cd "$tmp/elsewhere" && "$RULEC" lint --config ../cfg/.rulec.toml ../cfg/rules 2>&1)
code=$?
[ $code -eq 0 ] && printf '%s\n' "$out" | grep -q "^rulec: 1 rule checked: 0 errors, 0 warnings"
check $? "globs and schema files are not relative to the configuration (exit $code): $out"
out=$(cd "$tmp/cfg" && "$RULEC" lint rules/old/o.eql 2>&1)
printf '%s\n' "$out" | grep -q "warning: unknown field"
check $? "an excluded file named on the command line is not read: $out"

# --- a baseline written, then read after edits --------------------------------
mkdir -p "$tmp/bl/rules" "$tmp/bl/ci"
cat >"$tmp/bl/rules/export.ndjson" <<'EOF'
{"rule_id": "r-1", "name": "One", "severity": "low", "risk_score": 21, "query": "process where process.nmae == \"a\""}
{"rule_id": "r-2", "name": "Two", "severity": "low", "risk_score": 21, "query": "file where file.nmae == \"b\""}
EOF
printf 'process where process.parent.nmae == "c"\n' >"$tmp/bl/rules/bare.eql"
(cd "$tmp/bl" && "$RULEC" lint -q --no-config --write-baseline ci/baseline.json rules) >"$tmp/out" 2>&1
code=$?
[ $code -eq 0 ] && [ ! -s "$tmp/out" ]
check $? "--write-baseline reports findings or fails (exit $code): $(cat "$tmp/out")"
grep -q '"file": "../rules/bare.eql"' "$tmp/bl/ci/baseline.json" &&
	grep -q '"rule_id": "r-1", "rule_name": "One", "check": "RC2012"' "$tmp/bl/ci/baseline.json"
check $? "the baseline lacks an entry, or its paths are not relative to its folder: $(cat "$tmp/bl/ci/baseline.json")"
[ "$(grep -c '"fingerprint"' "$tmp/bl/ci/baseline.json")" -eq 3 ]
check $? "the baseline does not hold 3 findings"

# read from another folder: nothing new, -Werror passes
out=$(cd "$tmp/bl/ci" && "$RULEC" lint --no-config --baseline baseline.json -Werror ../rules 2>&1)
code=$?
[ $code -eq 0 ] && printf '%s\n' "$out" | grep -q "^rulec: 3 known findings not reported (baseline baseline.json)"
check $? "the baselined run is not clean (exit $code): $out"

# edits elsewhere: a rule added on top, r-1 moved to another file and
# reformatted, bare.eql with a line above; r-2 gains a second finding
cat >"$tmp/bl/rules/export.ndjson" <<'EOF'
{"rule_id": "r-0", "name": "Zero", "severity": "low", "risk_score": 21, "query": "process where process.pid == 1"}
{"rule_id": "r-2", "name": "Two", "severity": "low", "risk_score": 21, "query": "file where file.nmae == \"b\" and file.pathh == \"c\""}
EOF
printf '[{"rule_id": "r-1",\n  "name": "One", "severity": "low", "risk_score": 21,\n  "query": "process where\\n   process.nmae   ==  \\"a\\""}]\n' >"$tmp/bl/rules/moved.json"
printf '// moved down a line\nprocess where process.parent.nmae == "c"\n' >"$tmp/bl/rules/bare.eql"
out=$(cd "$tmp/bl" && "$RULEC" lint --no-config --baseline ci/baseline.json -Werror rules 2>&1)
code=$?
[ $code -eq 1 ] && [ "$(printf '%s\n' "$out" | grep -c 'error: unknown field')" -eq 1 ] &&
	printf '%s\n' "$out" | grep -q "error: unknown field 'file.pathh'"
check $? "only the new finding must be reported (exit $code): $out"

# a fixed finding: one note, and a rewrite clears it
sed -i 's/file.nmae/file.name/' "$tmp/bl/rules/export.ndjson"
out=$(cd "$tmp/bl" && "$RULEC" lint --no-config --baseline ci/baseline.json rules 2>&1)
printf '%s\n' "$out" | grep -q "note: 1 finding of the baseline no longer occurs \[RC9306 stale-baseline\]" &&
	printf '%s\n' "$out" | grep -q "^note: RC2012 unknown-field in rule 'Two': unknown field 'file.nmae'"
check $? "a fixed finding is not reported as stale: $out"
# update the baseline while reading the old one: the new finding shows
out=$(cd "$tmp/bl" && "$RULEC" lint --no-config --baseline ci/baseline.json --write-baseline ci/baseline.json rules 2>&1)
code=$?
[ $code -eq 0 ] && printf '%s\n' "$out" | grep -q "warning: unknown field 'file.pathh'" &&
	printf '%s\n' "$out" | grep -q "^rulec: 3 findings written to the baseline ci/baseline.json"
check $? "--baseline with --write-baseline (exit $code): $out"
out=$(cd "$tmp/bl" && "$RULEC" lint --no-config --baseline ci/baseline.json -Werror rules 2>&1)
[ $? -eq 0 ] && ! printf '%s\n' "$out" | grep -q "RC9306"
check $? "the rewritten baseline is not clean: $out"

# a baseline where the folder does not exist
out=$("$RULEC" lint --no-config --write-baseline "$tmp/no/such/b.json" "$tmp/bl/rules" 2>&1)
[ $? -eq 2 ] && printf '%s\n' "$out" | grep -q "cannot write the baseline there"
check $? "an unwritable baseline is not an error: $out"

# --- the SARIF log names the rules ------------------------------------------
out=$("$RULEC" lint --no-config --format sarif "$tmp/bl/rules/moved.json" "$tmp/cfg/rules/t.eql" 2>/dev/null |
	sed 's/.*"results":\[//')
printf '%s\n' "$out" | grep -q '"logicalLocations":\[{"name":"One","fullyQualifiedName":"One","decoratedName":"r-1","kind":"object"}\]'
check $? "SARIF result without its rule's logical location: $out"
[ "$(printf '%s\n' "$out" | grep -o '"logicalLocations"' | wc -l)" -eq 1 ]
check $? "a bare query got a logical location: $out"

# --- the rule unit tests read the configuration too ---------------------------
mkdir -p "$tmp/t/.git"
printf 'process where process.nmae == "a.exe"\n' >"$tmp/t/r.eql"
printf 'events = """\n{"event": {"id": "e1", "category": "process"}, "process": {"name": "x"}}\n"""\n[[test]]\nname = "n"\nno_match = ["e1"]\n' >"$tmp/t/r.test.toml"
printf '[checks]\nunknown-field = "error"\n' >"$tmp/t/.rulec.toml"
out=$(cd "$tmp/t" && "$RULEC" test r.eql 2>&1)
printf '%s\n' "$out" | grep -q "error: unknown field 'process.nmae'"
check $? "rulec test does not apply .rulec.toml: $out"

echo "config: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
