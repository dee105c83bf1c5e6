#!/bin/sh
# Benchmark: `rulec lint` of the Elastic corpus in its two forms, the NDJSON
# file (../shared/corpus/elastic-eql-rules.ndjson, 1,081 rules) and one TOML
# file per rule in the layout of the detection-rules repository, made from
# the NDJSON by the small converter below into a temporary folder (the
# rule's `path` gives the file's place; [metadata] gets the rule's maturity
# and fixed dates; the query is a '''...''' literal string when it can be,
# as in the repository).  Each run is a whole process.  The two commands
# run in turn (NDJSON, TOML, NDJSON, ...) after one warm-up each; the
# script prints the median wall and CPU (user + system) time of each form
# and the median of the per-pair ratios TOML/NDJSON, then the diagnostics
# of both forms counted by id, which must agree.
#
#   bench/toml-vs-ndjson.sh [RULEC] [N]     (default build/rulec, 11 runs)
#   KEEP=DIR                                convert into DIR and keep it
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
rulec=${1:-$top/build/rulec}
n=${2:-11}
corpus=${RULEC_SHARED:-$top/../shared}/corpus/elastic-eql-rules.ndjson
[ -x "$rulec" ] || { echo "no $rulec: run scripts/build first" >&2; exit 2; }
[ -f "$corpus" ] || { echo "no $corpus" >&2; exit 2; }
command -v python3 >/dev/null || { echo "python3 is needed" >&2; exit 2; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
out=${KEEP:-$tmp/toml}
mkdir -p "$out"

# NDJSON rule objects -> detection-rules TOML files
python3 - "$corpus" "$out" <<'PY'
import json, os, re, sys

corpus, out = sys.argv[1], sys.argv[2]
BARE = re.compile(r'^[A-Za-z0-9_-]+$')
SKIP = {"path", "deprecated", "building_block", "maturity", "query"}

def key(k):
    return k if BARE.match(k) else json.dumps(k)

def value(v):
    # JSON strings are TOML basic strings (json.dumps never writes \/)
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float, str)):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, list):
        return "[" + ", ".join(value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(key(k) + " = " + value(x)
                               for k, x in v.items()) + "}"
    raise ValueError(repr(v))

def query(q):
    literal_ok = "'''" not in q and not re.search(r"[\x00-\x08\x0b-\x1f\x7f]", q) \
        and not q.endswith("'")
    if literal_ok:
        return "'''\n" + q + "'''"
    return json.dumps(q, ensure_ascii=False)

n = 0
with open(corpus, encoding="utf-8") as f:
    for line in f:
        if not line.strip():
            continue
        r = json.loads(line)
        path = os.path.join(out, r.get("path") or (r["rule_id"] + ".toml"))
        os.makedirs(os.path.dirname(path), exist_ok=True)
        lines = ["[metadata]", 'creation_date = "2020/01/01"']
        if r.get("maturity"):
            lines.append("maturity = " + value(r["maturity"]))
        if r.get("maturity") == "deprecated":
            lines.append('deprecation_date = "2024/01/01"')
        lines += ['updated_date = "2024/01/01"', "", "[rule]"]
        for k in sorted(r):
            if k not in SKIP:
                lines.append(key(k) + " = " + value(r[k]))
        lines += ["", "query = " + query(r["query"]), ""]
        with open(path, "w", encoding="utf-8") as g:
            g.write("\n".join(lines))
        n += 1
print("converted %d rules into %s" % (n, out))
PY

echo "machine: $(nproc) cores, $(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -n 1), load $(cut -d' ' -f1-3 /proc/loadavg)"
# one run of a form: "wall cpu" in milliseconds, cpu = user + sys of the
# process (from /usr/bin/time; without it, cpu is the wall time);
# findings (exit 1) are fine
run() {
	if [ -x /usr/bin/time ]; then
		/usr/bin/time -f '%e %U %S' -o "$tmp/t" "$rulec" lint -q "$1" \
			>/dev/null 2>&1 || [ $? -eq 1 ] ||
			{ echo "rulec lint $1 failed" >&2; exit 2; }
		awk '{ printf "%d %d\n", $1 * 1000, ($2 + $3) * 1000 }' "$tmp/t"
	else
		s=$(date +%s%N)
		"$rulec" lint -q "$1" >/dev/null 2>&1 || [ $? -eq 1 ] ||
			{ echo "rulec lint $1 failed" >&2; exit 2; }
		e=$(date +%s%N)
		echo "$(( (e - s) / 1000000 )) $(( (e - s) / 1000000 ))"
	fi
}
run "$corpus" >/dev/null
run "$out" >/dev/null
: >"$tmp/a"; : >"$tmp/b"
for i in $(seq "$n"); do
	run "$corpus" >>"$tmp/a"
	run "$out" >>"$tmp/b"
done
# median COLUMN FILE; ratio COLUMN: median of the per-pair ratios b/a
median() { cut -d' ' -f"$1" "$2" | sort -n | sed -n "$(( (n + 1) / 2 ))p"; }
ratio() {
	paste -d' ' "$tmp/a" "$tmp/b" |
		awk -v c="$1" '{ a = $c; b = $(c + 2); if (a < 1) a = 1;
			printf "%.3f\n", b / a }' | sort -n |
		sed -n "$(( (n + 1) / 2 ))p"
}
echo "runs: $n of each, in turn; milliseconds, medians"
printf '  %-7s wall %6s  cpu %6s\n' ndjson "$(median 1 "$tmp/a")" "$(median 2 "$tmp/a")"
printf '  %-7s wall %6s  cpu %6s\n' toml "$(median 1 "$tmp/b")" "$(median 2 "$tmp/b")"
echo "ratio toml/ndjson (median of pairs): wall $(ratio 1), cpu $(ratio 2)"
echo "(on a shared machine the cpu ratio is the one to quote)"

# the same findings in both forms: per rule (NDJSON line <-> TOML file by
# the rule's path), the same ids and messages
"$rulec" lint -q --format json "$corpus" 2>"$tmp/dj" >/dev/null || true
"$rulec" lint -q --format json "$out" 2>"$tmp/dt" >/dev/null || true
python3 - "$corpus" "$out" "$tmp/dj" "$tmp/dt" <<'PY'
import collections, json, os, sys

corpus, out, dj, dt = sys.argv[1:]
paths = {}
with open(corpus, encoding="utf-8") as f:
    for i, line in enumerate(f, 1):
        if line.strip():
            r = json.loads(line)
            paths[i] = r.get("path") or (r["rule_id"] + ".toml")

def load(fn, key):
    per = collections.defaultdict(collections.Counter)
    with open(fn, encoding="utf-8") as f:
        for line in f:
            d = json.loads(line)
            per[key(d)][(d["id"], d["message"])] += 1
    return per

nd = load(dj, lambda d: paths.get(d["line"], "?"))
tm = load(dt, lambda d: os.path.relpath(d["file"], out))
ids = collections.Counter()
for per in (nd,):
    for c in per.values():
        for (i, _), k in c.items():
            ids[i] += k
print("diagnostics of the NDJSON form: %s" %
      ", ".join("%s %d" % kv for kv in sorted(ids.items())))
bad = [p for p in set(nd) | set(tm) if nd.get(p) != tm.get(p)]
print("rules with findings: %d (ndjson), %d (toml); with different "
      "findings: %d" % (len(nd), len(tm), len(bad)))
for p in sorted(bad)[:10]:
    print("  %s: ndjson %s, toml %s" % (p, dict(nd.get(p, {})),
                                        dict(tm.get(p, {}))))
sys.exit(1 if bad else 0)
PY
