#!/bin/sh
# Hostile rule files for lint and compile: files of a few megabytes that
# once took minutes (quadratic checks), and rules over a limit of the
# image or the engine, which lint must refuse with a located error
# instead of letting `run` refuse them.  Each case runs under a generous
# timeout (the sanitizer build runs it too) and checks the exit status and
# the diagnostic id; the inputs come from bench/gen-large-rules.sh, whose
# timings are in docs/linter.md.
set -u
: "${RULEC:?}"
top=${TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
gen=$top/bench/gen-large-rules.sh
limit=${HOSTILE_TIMEOUT:-60}
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# lint_case NAME FILE EXIT [ID [LINE]]: lint FILE must end within the
# timeout with status EXIT, report ID (when given) at LINE (when given),
# and report no other error
lint_case() {
	name=$1 file=$2 want=$3 id=${4:-} line=${5:-}
	start=$(date +%s%N)
	timeout "$limit" "$RULEC" lint -f json "$file" >"$tmp/out" 2>"$tmp/err"
	code=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ $code -eq 124 ]; then bad "$name: timed out after $limit s"; return; fi
	[ $code -eq "$want" ] && ok || { bad "$name: exit $code, expected $want"; head -c 2000 "$tmp/out" "$tmp/err"; }
	if [ -n "$id" ]; then
		grep -q "\"id\":\"$id\"" "$tmp/out" && ok || { bad "$name: no $id"; head -c 2000 "$tmp/out"; }
	fi
	if [ -n "$line" ]; then
		grep "\"id\":\"$id\"" "$tmp/out" | grep -q "\"line\":$line," && ok ||
			bad "$name: $id not at line $line"
	fi
	others=$(grep '"severity":"error"' "$tmp/out" | grep -v "\"id\":\"${id:-none}\"" | head -n 3)
	[ -z "$others" ] && ok || bad "$name: other errors: $others"
	echo "$name: exit $code in $ms ms"
}

g() { "$gen" "$1" "$2" >"$tmp/$3"; }

# fault 5: size, linted in seconds
g eset-attrs 200000 attrs.xml
lint_case eset-200000-attributes "$tmp/attrs.xml" 1 RC1022 5
g eset-attrs 250 attrs250.xml
lint_case eset-250-attributes "$tmp/attrs250.xml" 1 RC1023 5
g eset-or 100000 or.xml
lint_case eset-or-100000 "$tmp/or.xml" 1 RC1022 4
g eset-or 4096 or4096.xml
lint_case eset-or-4096 "$tmp/or4096.xml" 0
g eset-or-groups 8 groups.xml
lint_case eset-8-ors-of-4096 "$tmp/groups.xml" 0
g eql-or 100000 or.eql
lint_case eql-or-100000 "$tmp/or.eql" 0 RC4006
g eql-and 100000 and.eql
lint_case eql-and-100000 "$tmp/and.eql" 0 RC4006
g eql-in-star 20000 star.eql
lint_case eql-list-20000-star-patterns "$tmp/star.eql" 1 RC1030
# a cidrMatch of 100,000 networks with 50,000 findings (once minutes: the
# pairwise duplicate and containment scans, the repeat test of each
# finding against the ones before, the column of each on one long line)
g eql-cidr 100000 cidr.eql
lint_case eql-cidrmatch-100000 "$tmp/cidr.eql" 0 RC4005 1
n4005=$(grep -c '"id":"RC4005"' "$tmp/out")
n4004=$(grep -c '"id":"RC4004"' "$tmp/out")
[ "$n4005" -eq 49900 ] && [ "$n4004" -eq 100 ] && ok ||
	bad "eql-cidrmatch-100000: $n4005 RC4005 and $n4004 RC4004, expected 49900 and 100"

# fault 6: the engine's limits, located
g eql-in 100000 in.eql
lint_case eql-list-100000-patterns "$tmp/in.eql" 1 RC1030
g eql-in 1000 in1000.eql
lint_case eql-list-1000-patterns "$tmp/in1000.eql" 0
awk 'BEGIN { printf "process where process.name : \"?"
	for (i = 0; i < 1048576; i++) printf "a"
	print "\"" }' >"$tmp/mb.eql"
lint_case eql-1mb-wildcard "$tmp/mb.eql" 1 RC1030 1
g eql-keys 65 keys65.eql
lint_case eql-65-join-keys "$tmp/keys65.eql" 1 RC1030 1
g eql-keys 64 keys64.eql
lint_case eql-64-join-keys "$tmp/keys64.eql" 0
g eql-stages 656 stages.eql
lint_case eql-65600-stages-after-runs "$tmp/stages.eql" 1 RC1030 1
g eql-stages 655 stages655.eql
lint_case eql-65500-stages-after-runs "$tmp/stages655.eql" 0
awk 'BEGIN { printf "process where concat("
	for (i = 0; i < 300; i++) printf "%s\"a\"", (i ? ", " : "")
	print ") == \"x\"" }' >"$tmp/args.eql"
lint_case eql-call-300-arguments "$tmp/args.eql" 1 RC1030 1

# compile refuses what lint refuses and writes no image
timeout "$limit" "$RULEC" compile -q -o "$tmp/s.rbc" "$tmp/stages.eql" >/dev/null 2>&1
code=$?
[ $code -eq 1 ] && ok || bad "compile of 65,600 stages: exit $code, expected 1"
[ ! -e "$tmp/s.rbc" ] && ok || bad "compile of 65,600 stages wrote an image"
timeout "$limit" "$RULEC" compile -q -o "$tmp/k.rbc" "$tmp/keys64.eql" >/dev/null 2>&1 &&
	[ -s "$tmp/k.rbc" ] && ok || bad "compile of 64 join keys failed"

# fault 7: the wildcard cost
g eql-wild 40000 wild.eql
lint_case eql-40kb-wildcard "$tmp/wild.eql" 1 RC1031 1
g eql-wild 362 wild362.eql
lint_case eql-wildcard-cost-64800 "$tmp/wild362.eql" 0
g eql-wild 366 wild366.eql
lint_case eql-wildcard-cost-66248 "$tmp/wild366.eql" 1 RC1031 1

echo "hostile-lint: $pass passed, $fail failed"
[ $fail -eq 0 ]
