#!/bin/sh
# rulec run end to end: inputs (files, stdin, several files, a byte order
# mark, UTF-16), a malformed
# event (reported with its line, the run goes on, exit 2), rules with
# errors next to good ones (exit 1, the good ones still run), a compiled
# image (-r) and a damaged one (refused, exit 2), --size, --stats, an
# image with Kibana exception lists and one compiled without them.
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
events=$TOP_SRCDIR/rules/elastic-rules.events.ndjson
rules=$TOP_SRCDIR/rules/elastic-rules.ndjson

# the fixture through a file, through stdin, and through an image
"$RULEC" run -q "$rules" -e "$events" >"$tmp/a" 2>/dev/null
[ $? -eq 0 ] && [ "$(wc -l <"$tmp/a")" -eq 2 ] && ok || bad "file input"
"$RULEC" run -q "$rules" -e - <"$events" >"$tmp/b" 2>/dev/null
cmp -s "$tmp/a" "$tmp/b" && ok || bad "stdin input differs"
"$RULEC" compile -q -o "$tmp/r.rbc" "$rules" 2>/dev/null
"$RULEC" run -r "$tmp/r.rbc" "$events" >"$tmp/c" 2>/dev/null
cmp -s "$tmp/a" "$tmp/c" && ok || bad "image run differs from rule files"

# a malformed line in the middle: reported, the rest still replayed
head -n 3 "$events" >"$tmp/m.ndjson"
echo '{"event": {"category": ["process"], broken' >>"$tmp/m.ndjson"
tail -n +4 "$events" >>"$tmp/m.ndjson"
"$RULEC" run -q "$rules" -e "$tmp/m.ndjson" >"$tmp/d" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && ok || bad "malformed event: exit $rc, 2 expected"
grep -q "m.ndjson:4: error: malformed JSON" "$tmp/err" && ok ||
	{ bad "malformed event not located"; cat "$tmp/err"; }
[ "$(wc -l <"$tmp/d")" -eq 2 ] && ok || bad "matches lost after a malformed event"
# n1 comes before the bad line and keeps position 2
grep -q '"id":"n1","index":2' "$tmp/d" && ok || bad "index of n1"

# encodings: a UTF-8 byte order mark is read, from a file and from stdin;
# UTF-16 input is one error that names iconv (exit 2), not one per line
{ printf '\357\273\277'; cat "$events"; } >"$tmp/bom.ndjson"
"$RULEC" run -q "$rules" -e "$tmp/bom.ndjson" >"$tmp/e" 2>/dev/null
cmp -s "$tmp/a" "$tmp/e" && ok || bad "events with a byte order mark differ"
"$RULEC" run -q "$rules" -e - <"$tmp/bom.ndjson" >"$tmp/e" 2>/dev/null
cmp -s "$tmp/a" "$tmp/e" && ok || bad "events with a byte order mark on stdin differ"
printf '\377\376{\000}\000\n\000{\000}\000\n\000' >"$tmp/u16.ndjson"
"$RULEC" run -q "$rules" -e "$tmp/u16.ndjson" >"$tmp/e" 2>"$tmp/err"
rc=$?
if [ $rc -eq 2 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
	grep -q 'u16.ndjson:1: error: the file is UTF-16 text.*iconv -f UTF-16 -t UTF-8' "$tmp/err"; then
	ok
else
	bad "UTF-16 events: exit $rc"; cat "$tmp/err"
fi

# two inputs: positions continue
"$RULEC" run -q "$rules" -e "$events" -e "$events" \
	>"$tmp/e" 2>/dev/null
grep -q '"id":"w1","index":6' "$tmp/e" && ok || bad "positions across inputs"

# a rule with an error next to a good rule: exit 1, the good one runs
printf 'process where process.name == "a\\q"\n' >"$tmp/bad.eql"
"$RULEC" run -q "$tmp/bad.eql" "$rules" -e "$events" \
	>"$tmp/f" 2>"$tmp/err"
rc=$?
[ $rc -eq 1 ] && [ "$(wc -l <"$tmp/f")" -eq 2 ] && ok ||
	bad "rule error: exit $rc, $(wc -l <"$tmp/f") matches"

# a damaged image is refused and never run
size=$(wc -c <"$tmp/r.rbc")
cp "$tmp/r.rbc" "$tmp/x.rbc"
flip "$tmp/x.rbc" $((size / 2))
"$RULEC" run -r "$tmp/x.rbc" "$events" >"$tmp/g" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ ! -s "$tmp/g" ] && grep -q refused "$tmp/err" && ok ||
	bad "damaged image: exit $rc"

# --size 1, --stats
"$RULEC" run -q --size 1 --stats "$rules" -e "$events" \
	>"$tmp/h" 2>"$tmp/err"
[ "$(wc -l <"$tmp/h")" -eq 2 ] && ok || bad "--size is per rule"
grep -q "events (0 malformed)" "$tmp/err" && grep -q "peak memory" "$tmp/err" &&
	ok || bad "--stats"
# numbers beyond any date (found by fuzzing): as a timestamp, an error at
# the event's line (RC9040: outside the years 0000-9999), the event
# skipped and the others run; as a date field, no date
printf 'process where event.created > "2024-01-01T00:00:00Z"\n' >"$tmp/d.eql"
printf '%s\n' '{"@timestamp": 1e300, "event": {"category": "process", "created": -1e300}}' \
	'{"@timestamp": -1e300, "event": {"category": "process", "created": 1e300}}' \
	'{"@timestamp": 5, "event": {"category": "process", "created": "2025-01-01"}}' \
	>"$tmp/huge.ndjson"
"$RULEC" run -q "$tmp/d.eql" -e "$tmp/huge.ndjson" >"$tmp/i" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/i")" -eq 1 ] &&
	grep -q '"index":2,"timestamp":"1970-01-01T00:00:00.005Z"' "$tmp/i" &&
	grep -q 'huge.ndjson:1: error: the time in @timestamp .*RC9040' "$tmp/err" &&
	grep -q 'huge.ndjson:2: error: the time in @timestamp .*RC9040' "$tmp/err" &&
	[ "$(wc -l <"$tmp/err")" -eq 2 ] && ok ||
	{ bad "huge numbers: exit $rc"; cat "$tmp/i" "$tmp/err"; }
# the same numbers in a date field only: no date, no error
printf '%s\n' '{"@timestamp": 1, "event": {"category": "process", "created": -1e300}}' \
	'{"@timestamp": 2, "event": {"category": "process", "created": 1e300}}' \
	'{"@timestamp": 5, "event": {"category": "process", "created": "2025-01-01"}}' \
	>"$tmp/huge2.ndjson"
"$RULEC" run -q "$tmp/d.eql" -e "$tmp/huge2.ndjson" >"$tmp/i" 2>"$tmp/err"
rc=$?
[ $rc -eq 0 ] && [ "$(wc -l <"$tmp/i")" -eq 1 ] && [ ! -s "$tmp/err" ] &&
	grep -q '"index":2,"timestamp":"1970-01-01T00:00:00.005Z"' "$tmp/i" && ok ||
	{ bad "huge dates: exit $rc"; cat "$tmp/i" "$tmp/err"; }
# a field tested by several literal wildcard lists shares an equality
# index; a value with non-ASCII letters still folds case as wildcards do
# (U+212A KELVIN SIGN is a K), and numbers still compare as numbers
printf 'process where process.name : "k.exe"\n' >"$tmp/k1.eql"
printf 'process where process.name : ("x.exe", "y.exe")\n' >"$tmp/k2.eql"
printf 'process where process.name == "k.exe"\n' >"$tmp/k3.eql"
printf '%s\n' '{"event": {"id": "e1", "category": "process"}, "process": {"name": "\u212a.EXE"}}' \
	'{"event": {"id": "e2", "category": "process"}, "process": {"name": "K.EXE"}}' \
	'{"event": {"id": "e3", "category": "process"}, "process": {"name": ["y.exe", "k.exe"]}}' \
	>"$tmp/k.ndjson"
"$RULEC" run -q "$tmp/k1.eql" "$tmp/k2.eql" "$tmp/k3.eql" -e "$tmp/k.ndjson" \
	>"$tmp/j" 2>"$tmp/err"
got=$(sed -n 's/.*"file":"[^"]*\/\(k[0-9]\).eql".*"id":"\(e[0-9]\)".*/\1:\2/p' "$tmp/j" | sort | tr '\n' ' ')
[ "$got" = "k1:e1 k1:e2 k1:e3 k2:e3 k3:e3 " ] && ok ||
	{ bad "equality index: got '$got'"; cat "$tmp/err"; }
# missing events input, unknown input file
"$RULEC" run -q "$rules" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "no events must be a usage error"
"$RULEC" run -q "$rules" -e "$tmp/none.ndjson" >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "a missing events file must exit 2"
# an input that cannot be opened is reported; the others are still read
"$RULEC" run -r "$tmp/r.rbc" "$tmp/none.ndjson" "$events" \
	>"$tmp/l" 2>"$tmp/err"
rc=$?
[ $rc -eq 2 ] && [ "$(wc -l <"$tmp/l")" -eq 2 ] &&
	[ "$(cat "$tmp/err")" = "rulec: cannot read $tmp/none.ndjson: No such file or directory" ] &&
	ok || { bad "unreadable input: exit $rc, not one line"; cat "$tmp/err"; }
# an image compiled from an export with exception lists carries them;
# compiled with --no-exceptions it does not
exc=$TOP_SRCDIR/tests/golden/exceptions
"$RULEC" run -q "$exc/sequence.ndjson" -e "$exc/sequence.events.ndjson" \
	>"$tmp/x1" 2>/dev/null
"$RULEC" compile -q -o "$tmp/x.rbc" "$exc/sequence.ndjson" 2>/dev/null
"$RULEC" run -r "$tmp/x.rbc" "$exc/sequence.events.ndjson" >"$tmp/x2" \
	2>/dev/null
[ "$(wc -l <"$tmp/x1")" -eq 2 ] && cmp -s "$tmp/x1" "$tmp/x2" && ok ||
	bad "an image does not apply the exceptions as rule files do"
"$RULEC" compile -q --no-exceptions -o "$tmp/y.rbc" "$exc/sequence.ndjson" \
	2>/dev/null
"$RULEC" run -r "$tmp/y.rbc" "$exc/sequence.events.ndjson" >"$tmp/y" \
	2>/dev/null
[ "$(wc -l <"$tmp/y")" -eq 1 ] && grep -q '"s5"' "$tmp/y" && ok ||
	bad "compile --no-exceptions still applies them"
echo "run: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
