#!/bin/sh
# Hostile input to the replay engine through `rulec run`, each case under a
# time limit (and, outside sanitizer builds, a memory limit): event times
# at and beyond the range rulec reads (no match across 292 million years,
# a located error per bad event, the others still run, no year past 9999
# printed), a missing-stage result whose leading event has no time, late
# events (one warning with the count and the first one's line), a key that
# every event makes new (--max-partials: one warning, bounded memory), and
# a rule past an engine limit next to a good one (the good one runs).
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }
# a sanitizer build reserves terabytes of address space: no ulimit -v there
san=0
if command -v ldd >/dev/null 2>&1 && ldd "$RULEC" 2>/dev/null | grep -q asan
then
	san=1
fi
# lim SECONDS MB COMMAND...: the command under a time and memory limit
lim() {
	t=$1 m=$2
	shift 2
	if [ "$san" = 1 ]; then
		timeout "$t" "$@"
	else
		(ulimit -v $((m * 1024)); exec timeout "$t" "$@")
	fi
}

# ---- times outside the years 0000-9999 -------------------------------
cat >"$tmp/span.eql" <<'EOF'
sequence by host.id with maxspan=1h
  [process where process.name == "a"]
  [process where process.name == "b"]
EOF
cat >"$tmp/range.ndjson" <<'EOF'
{"@timestamp":-9223372036854775000,"event":{"id":"x1","category":"process"},"host":{"id":"h"},"process":{"name":"a"}}
{"@timestamp":9223372036854775000,"event":{"id":"x2","category":"process"},"host":{"id":"h"},"process":{"name":"b"}}
{"@timestamp":-9223372036854775808,"event":{"id":"x3","category":"process"},"host":{"id":"g"},"process":{"name":"a"}}
{"@timestamp":9223372036854775807,"event":{"id":"x4","category":"process"},"host":{"id":"g"},"process":{"name":"b"}}
{"@timestamp":9.2e18,"event":{"id":"x5","category":"process"},"host":{"id":"g"},"process":{"name":"b"}}
{"@timestamp":"2024-05-01T10:00:00Z","event":{"id":"ok1","category":"process"},"host":{"id":"k"},"process":{"name":"a"}}
{"@timestamp":"2024-05-01T10:59:59.999Z","event":{"id":"ok2","category":"process"},"host":{"id":"k"},"process":{"name":"b"}}
{"@timestamp":253402300799999,"event":{"id":"max","category":"process"},"host":{"id":"m"},"process":{"name":"a"}}
EOF
lim 20 512 "$RULEC" run -q "$tmp/span.eql" -e "$tmp/range.ndjson" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok || bad "bad times: exit $rc, 2 expected"
[ "$(grep -c 'RC9040' "$tmp/err")" -eq 5 ] && ok ||
	{ bad "bad times: 5 RC9040 errors expected"; cat "$tmp/err"; }
for l in 1 2 3 4 5; do
	grep -q "range.ndjson:$l: error: the time in @timestamp" "$tmp/err" &&
		ok || bad "bad time on line $l not located"
done
# the 292-million-year pairs never match; the good pair does
[ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q '"id":"ok2"' "$tmp/out" && ok ||
	{ bad "bad times: one result (ok1, ok2) expected"; cat "$tmp/out"; }
grep -q '292278994\|"x[1-5]"' "$tmp/out" && bad "a bad time reached the results" || ok

# a leading missing stage whose event has no time drops nothing
cat >"$tmp/lead.eql" <<'EOF'
sequence by host.id with maxspan=1h
  ![process where process.name == "x"]
  [process where process.name == "a"]
  [process where process.name == "b"]
EOF
cat >"$tmp/lead.ndjson" <<'EOF'
{"event":{"id":"x0","category":"process"},"host":{"id":"h"},"process":{"name":"x"}}
{"@timestamp":"2024-01-01T00:00:00Z","event":{"id":"a","category":"process"},"host":{"id":"h"},"process":{"name":"a"}}
{"@timestamp":"2024-01-01T00:01:00Z","event":{"id":"b","category":"process"},"host":{"id":"h"},"process":{"name":"b"}}
EOF
lim 20 512 "$RULEC" run -q "$tmp/lead.eql" -e "$tmp/lead.ndjson" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 1 ] &&
	grep -q '"missing":true' "$tmp/out" && ok ||
	{ bad "missing stage with an untimed leading event: exit $rc"; cat "$tmp/out" "$tmp/err"; }

# ---- late events --------------------------------------------------------
cat >"$tmp/ev.eql" <<'EOF'
process where true
EOF
cat >"$tmp/late.ndjson" <<'EOF'
{"@timestamp":100000,"event":{"id":"e0","category":"process"}}
{"@timestamp":200000,"event":{"id":"e1","category":"process"}}
{"@timestamp":150000,"event":{"id":"l1","category":"process"}}
{"@timestamp":300000,"event":{"id":"e2","category":"process"}}
{"@timestamp":100001,"event":{"id":"l2","category":"process"}}
EOF
lim 20 512 "$RULEC" run -q "$tmp/ev.eql" -e "$tmp/late.ndjson" \
	>"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || bad "late events: exit $rc, 0 expected"
[ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	grep -q 'late.ndjson:3: warning: 2 events came later than the reorder window (10000 ms).*--reorder-window.*\[RC9041 late-events\]' "$tmp/err" &&
	ok || { bad "late events: one located warning expected"; cat "$tmp/err"; }
"$RULEC" run -q --reorder-window all "$tmp/ev.eql" -e "$tmp/late.ndjson" \
	>"$tmp/out" 2>"$tmp/err"
[ ! -s "$tmp/err" ] && sed -n 2p "$tmp/out" | grep -q '"id":"l2"' && ok ||
	{ bad "--reorder-window all: sorted, no warning"; cat "$tmp/err"; }

# ---- a join key every event makes new -----------------------------------
cat >"$tmp/part.eql" <<'EOF'
sequence by event.id with maxspan=1d
  [process where true]
  [network where true]
EOF
# (%.0f: mawk's %d stops at 2^31)
awk 'BEGIN { for (i = 0; i < 60000; i++)
	printf "{\"@timestamp\":%.0f,\"event\":{\"id\":\"k%d\",\"category\":\"process\"}}\n", 1700000000000 + i, i
	printf "{\"@timestamp\":%.0f,\"event\":{\"id\":\"k59999\",\"category\":\"network\"}}\n", 1700000000000 + 60000
	printf "{\"@timestamp\":%.0f,\"event\":{\"id\":\"k0\",\"category\":\"network\"}}\n", 1700000000000 + 60001
}' >"$tmp/part.ndjson"
lim 60 400 "$RULEC" run -q --stats --max-partials 1000 "$tmp/part.eql" \
	-e "$tmp/part.ndjson" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && ok || { bad "max-partials: exit $rc"; cat "$tmp/err"; }
[ "$(grep -c 'RC9042' "$tmp/err")" -eq 1 ] &&
	grep -q "part.ndjson:[0-9]*: warning: rule 0 of .*part.eql: the rule holds 1000 partial" "$tmp/err" &&
	ok || { bad "max-partials: one warning expected"; cat "$tmp/err"; }
# the newest partial completes, the oldest was dropped
[ "$(wc -l <"$tmp/out")" -eq 1 ] && grep -q '"id":"k59999"' "$tmp/out" && ok ||
	{ bad "max-partials: only k59999 expected"; cat "$tmp/out"; }
if [ "$san" = 0 ]; then
	mb=$(sed -n 's/^rulec: peak memory \([0-9]*\).*/\1/p' "$tmp/err")
	[ -n "$mb" ] && [ "$mb" -lt 60 ] && ok ||
		bad "max-partials: peak memory ${mb:-?} MB, under 60 expected"
fi
# without the cap: both complete, no warning
lim 60 800 "$RULEC" run -q --max-partials none "$tmp/part.eql" \
	-e "$tmp/part.ndjson" >"$tmp/out" 2>"$tmp/err"
[ "$(wc -l <"$tmp/out")" -eq 2 ] && ! grep -q RC9042 "$tmp/err" && ok ||
	{ bad "--max-partials none"; cat "$tmp/err"; }
"$RULEC" run -q --max-partials 0 "$tmp/part.eql" -e "$tmp/part.ndjson" \
	>/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--max-partials 0 must be refused"

# out of memory (address space limited, so not under a sanitizer): either
# the whole answer, or one clear message and exit 2; never a crash
if [ "$san" = 0 ]; then
	for mb in 60 80 100 140; do
		(ulimit -v $((mb * 1024)); exec timeout 60 "$RULEC" run -q \
			--max-partials none "$tmp/part.eql" -e "$tmp/part.ndjson") \
			>"$tmp/out" 2>"$tmp/err"
		rc=$?
		if [ $rc -eq 0 ] && [ "$(wc -l <"$tmp/out")" -eq 2 ]; then
			ok
		elif [ $rc -eq 2 ] && [ "$(tail -n 1 "$tmp/err")" = "rulec: out of memory" ] &&
			[ "$(grep -c 'out of memory' "$tmp/err")" -eq 1 ]; then
			ok
		elif [ $rc -eq 127 ]; then
			ok      # the limit is below what loading the program needs
		else
			bad "under $mb MB: exit $rc"; tail -n 3 "$tmp/err"
		fi
	done
fi

# ---- a rule past an engine limit next to a good one ----------------------
# 65 join keys (the engine takes 64): reported with its file (by the
# linter or as RC9043), and the good rule's result still comes
keys=$(awk 'BEGIN { for (i = 0; i < 65; i++) printf "%sf%d", i ? ", " : "", i }')
printf 'sequence by %s\n  [process where true]\n  [process where true]\n' \
	"$keys" >"$tmp/keys.eql"
lim 30 512 "$RULEC" run -q "$tmp/keys.eql" "$tmp/ev.eql" \
	-e "$tmp/lead.ndjson" >"$tmp/out" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && ok || { bad "rule past a limit: exit $rc, 1 expected"; cat "$tmp/err"; }
grep -q "keys.eql:1:[0-9]*: error: " "$tmp/err" && ok ||
	{ bad "rule past a limit: not located"; cat "$tmp/err"; }
[ "$(wc -l <"$tmp/out")" -eq 3 ] && ok ||
	{ bad "rule past a limit: the good rule's 3 results expected"; cat "$tmp/out"; }

echo "hostile-engine: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
