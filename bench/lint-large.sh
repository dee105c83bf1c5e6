#!/bin/sh
# Benchmark: `rulec lint` on rule files of a few megabytes that once took
# minutes (quadratic checks): an ESET rule with 200,000 attributes, an
# ESET OR of 100,000 conditions, 44 ESET ORs of 4,096 conditions (15 MB,
# near the 16 MiB XML limit), an EQL `or` and an `and` of 100,000
# comparisons, an `in`-style `:` list of 100,000 wildcards, one of
# 20,000 wildcards with a `*` at both ends, and a cidrMatch of 100,000
# networks (50,000 findings).  The inputs come from
# bench/gen-large-rules.sh; each is linted once after a warm-up, and the
# wall time, exit status and first diagnostic id are printed.
#
#   bench/lint-large.sh [RULEC]        (default build/rulec)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rulec=${1:-$top/build/rulec}
gen=$top/bench/gen-large-rules.sh
[ -x "$rulec" ] || { echo "no $rulec: run scripts/build first" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1)"
printf '%-16s %8s %10s %5s  %s\n' input count bytes exit "time, first finding"
for spec in eset-attrs:200000:xml eset-or:100000:xml eset-or-groups:44:xml \
	    eql-or:100000:eql eql-and:100000:eql eql-in:100000:eql \
	    eql-in-star:20000:eql eql-cidr:100000:eql; do
	kind=${spec%%:*} rest=${spec#*:}
	n=${rest%%:*} ext=${rest#*:}
	f=$tmp/$kind.$ext
	"$gen" "$kind" "$n" >"$f"
	"$rulec" lint -q "$f" >/dev/null 2>&1 || true
	s=$(date +%s%N)
	code=0
	"$rulec" lint -q -f json "$f" >"$tmp/out" 2>/dev/null || code=$?
	e=$(date +%s%N)
	ms=$(( (e - s) / 1000000 ))
	id=$(sed -n 's/.*"id":"\(RC[0-9]*\)".*/\1/p' "$tmp/out" | head -n 1)
	printf '%-16s %8s %10s %5s  %d.%03d s %s\n' "$kind" "$n" \
		"$(wc -c <"$f")" "$code" $((ms / 1000)) $((ms % 1000)) "${id:--}"
done
