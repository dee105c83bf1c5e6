#!/bin/sh
# Hostile input and output for `rulec run` and the other commands' outputs
# (docs/run.md, "Limits" and "Output errors"): outputs that cannot be
# written (a full device, a reader that goes away, a full disk under
# compile -o), very long lines from a pipe and from a file, records longer
# than --max-event-size, a JSON array with a missing comma or garbage
# between elements, malformed JSON in fields no rule reads, NUL and
# invalid UTF-8, numbers beyond double and int64, deep nesting, and a
# million-event array streamed in bounded memory.  Each case runs under
# `timeout` and, outside AddressSanitizer builds (which reserve terabytes
# of address space), under `ulimit -v`; where /usr/bin/time is present the
# peak resident memory is checked as well.  Each checks the outcome and
# that every valid record was still processed (results counted).
set -u
: "${RULEC:?}"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

asan=
if ldd "$RULEC" 2>/dev/null | grep -q 'libasan'; then asan=1; fi
if nm "$RULEC" 2>/dev/null | grep -q '__asan_init'; then asan=1; fi
gnutime=
[ -x /usr/bin/time ] && /usr/bin/time -f %M true 2>/dev/null && gnutime=1

# memlimit KB: the address-space limit of the commands run after it (in a
# subshell); nothing under ASan
memlimit() { [ -n "$asan" ] || ulimit -v "$1"; }

# peak FILE MB NAME: the peak resident set written by /usr/bin/time -f %M
# into FILE must stay under MB
peak() {
	[ -n "$gnutime" ] || return 0
	kb=$(tail -n 1 "$1" 2>/dev/null)
	case $kb in ''|*[!0-9]*) bad "$3: no memory figure in $1"; return ;; esac
	if [ "$kb" -le $(($2 * 1024)) ]; then ok; else bad "$3: peak $kb KB > $2 MB"; fi
	echo "$3: peak $((kb / 1024)) MB"
}
timed() {
	if [ -n "$gnutime" ]; then /usr/bin/time -o "$tmp/mem" -f %M "$@"
	else "$@"; fi
}

# expect NAME WANT GOT: an exit status
expect() {
	if [ "$3" -eq "$2" ]; then ok; else bad "$1: exit $3, expected $2"; fi
}
# count NAME WANT FILE: the number of result lines
count() {
	n=$(wc -l <"$3" | tr -d ' ')
	if [ "$n" -eq "$2" ]; then ok; else bad "$1: $n results, expected $2"; fi
}
# has NAME FILE TEXT
has() {
	if grep -q -- "$3" "$2"; then ok; else bad "$1: no '$3' in:"; head -c 2000 "$2"; fi
}
# no_stray NAME FILE: no empty "rulec:" line, no blank line
no_stray() {
	if grep -q -E '^rulec: *$|^$' "$2"; then bad "$1: stray empty line in:"; cat "$2"
	else ok; fi
}

EV='"event":{"category":"process"},"process":{"name":"a"}'
printf 'process where process.name == "a"\n' >"$tmp/r.eql"
"$RULEC" compile -q -o "$tmp/r.rbc" "$tmp/r.eql" || bad "compile r.eql"
printf '{%s}\n' "$EV" >"$tmp/one.ndjson"
# a rule with an error: lint prints a diagnostic
printf 'process where process.name ==\n' >"$tmp/bad.eql"

## --- fault 1: outputs that cannot be written ------------------------------

# full NAME ARGS...: writing to /dev/full fails with one message (strerror)
# and status 2
full() {
	name=$1; shift
	timeout 20 "$@" >/dev/full 2>"$tmp/err"
	expect "full $name" 2 $?
	has "full $name" "$tmp/err" "cannot write standard output: No space left on device"
	n=$(grep -c 'cannot write' "$tmp/err")
	[ "$n" -eq 1 ] && ok || bad "full $name: $n write errors reported"
	no_stray "full $name" "$tmp/err"
}
mkdir "$tmp/t"
printf 'process where process.name == "x.exe"\n' >"$tmp/t/x.eql"
cat >"$tmp/t/x.test.toml" <<'EOF'
events = """
{"event": {"id": "e1", "category": "process"}, "@timestamp": "2024-01-01T00:00:00Z", "process": {"name": "x.exe"}}
"""

[[test]]
name = "x.exe matches"
match = ["e1"]
EOF
full run "$RULEC" run -q "$tmp/r.eql" -e "$tmp/one.ndjson"
full run-image "$RULEC" run -q -r "$tmp/r.rbc" "$tmp/one.ndjson"
full disasm "$RULEC" disasm "$tmp/r.rbc"
full dump-ir "$RULEC" lint -q --dump-ir "$tmp/r.eql"
full dump-ast "$RULEC" lint -q --dump-ast "$tmp/r.eql"
full lint-json "$RULEC" lint -q --format json "$tmp/bad.eql"
full lint-sarif "$RULEC" lint -q --format sarif "$tmp/bad.eql"
full test-text "$RULEC" test "$tmp/t"
full test-junit "$RULEC" test -f junit "$tmp/t"
full test-sarif "$RULEC" test -f sarif "$tmp/t"
full explain "$RULEC" explain
full help "$RULEC" --help
full run-help "$RULEC" run --help
full version "$RULEC" --version
# a file named by -o, and the diagnostics file
timeout 20 "$RULEC" run -q -o /dev/full "$tmp/r.eql" -e "$tmp/one.ndjson" 2>"$tmp/err"
expect "full -o" 2 $?
has "full -o" "$tmp/err" "cannot write /dev/full: No space left on device"
timeout 20 "$RULEC" lint -q --format json --diagnostics /dev/full "$tmp/bad.eql" 2>"$tmp/err"
expect "full --diagnostics" 2 $?
has "full --diagnostics" "$tmp/err" "cannot write /dev/full: No space left on device"

# A reader that goes away, with SIGPIPE ignored (as some parents leave
# it): rulec stops at once, quietly, with status 141.  The events never
# end (yes), so reading on would hit the timeout.
yes "{$EV}" | (trap '' PIPE; timeout 20 "$RULEC" run -q -r "$tmp/r.rbc" -e - 2>"$tmp/err"; echo $? >"$tmp/rc") | head -n 1 >"$tmp/out"
expect "pipe ignored" 141 "$(cat "$tmp/rc")"
count "pipe ignored" 1 "$tmp/out"
if [ -s "$tmp/err" ]; then bad "pipe ignored: not quiet:"; cat "$tmp/err"; else ok; fi
# ... and with SIGPIPE at its default, the signal ends it
yes "{$EV}" | (timeout 20 "$RULEC" run -q -r "$tmp/r.rbc" -e - 2>"$tmp/err"; echo $? >"$tmp/rc") | head -n 1 >"$tmp/out"
expect "pipe default" 141 "$(cat "$tmp/rc")"
# lint --dump-ir over many files (330 KB of dumps, more than a pipe
# holds) into a closed pipe
mkdir "$tmp/many"
i=0
while [ $i -lt 1000 ]; do
	printf 'process where process.name == "n%d"\n' $i >"$tmp/many/r$i.eql"
	i=$((i + 1))
done
(trap '' PIPE; timeout 20 "$RULEC" lint -q --dump-ir --dump-ast "$tmp/many" 2>"$tmp/err"; echo $? >"$tmp/rc") | head -n 1 >/dev/null
expect "pipe dump-ir" 141 "$(cat "$tmp/rc")"
if [ -s "$tmp/err" ]; then bad "pipe dump-ir: not quiet:"; cat "$tmp/err"; else ok; fi

# compile -o onto a full disk (a file size limit): no image, no temporary
# file left, and an image already there stays whole
"$RULEC" compile -q -o "$tmp/big.rbc" "$tmp/many" || bad "compile many"
cp "$tmp/big.rbc" "$tmp/keep.rbc"
(trap '' XFSZ; ulimit -f 4; exec "$RULEC" compile -q -o "$tmp/new.rbc" "$tmp/many") 2>"$tmp/err"
expect "full disk" 2 $?
has "full disk" "$tmp/err" "cannot write $tmp/new.rbc: File too large"
if ls "$tmp"/new.rbc* >/dev/null 2>&1; then bad "full disk: a file was left:"; ls "$tmp"/new.rbc*; else ok; fi
(trap '' XFSZ; ulimit -f 4; exec "$RULEC" compile -q -o "$tmp/keep.rbc" "$tmp/many") 2>"$tmp/err"
expect "full disk, existing image" 2 $?
cmp -s "$tmp/keep.rbc" "$tmp/big.rbc" && ok || bad "full disk: the existing image was changed"
if ls "$tmp"/keep.rbc.* >/dev/null 2>&1; then bad "full disk: a temporary file was left"; else ok; fi

## --- faults 3 and 4: long lines and the maximum event size ---------------

# a 64 MB line, then a valid event, from a pipe and from a file: both
# events read (the limit raised for it) in linear time
line64() {
	printf '{%s,"pad":"' "$EV"
	head -c 67108864 /dev/zero | tr '\0' x
	printf '"}\n{%s}\n' "$EV"
}
line64 >"$tmp/long.ndjson"
(memlimit 1500000; timed timeout 10 "$RULEC" run -q --max-event-size 80M -r "$tmp/r.rbc" -e - <"$tmp/long.ndjson" >"$tmp/out" 2>"$tmp/err")
expect "64 MB line, file on stdin" 0 $?
count "64 MB line, file on stdin" 2 "$tmp/out"
(memlimit 1500000; cat "$tmp/long.ndjson" | timeout 10 "$RULEC" run -q --max-event-size 80M -r "$tmp/r.rbc" -e - >"$tmp/out" 2>"$tmp/err")
expect "64 MB line, pipe" 0 $?
count "64 MB line, pipe" 2 "$tmp/out"
(memlimit 1500000; timeout 10 "$RULEC" run -q --max-event-size 80M -r "$tmp/r.rbc" "$tmp/long.ndjson" >"$tmp/out" 2>"$tmp/err")
expect "64 MB line, file" 0 $?
count "64 MB line, file" 2 "$tmp/out"
# the same with the default maximum: refused, located, the next read
(memlimit 300000; timeout 10 "$RULEC" run -q -r "$tmp/r.rbc" "$tmp/long.ndjson" >"$tmp/out" 2>"$tmp/err")
expect "64 MB line, default maximum" 2 $?
count "64 MB line, default maximum" 1 "$tmp/out"
has "64 MB line, default maximum" "$tmp/err" "long.ndjson:1: error: event of 67108928 bytes is longer than the maximum event size (16777216 bytes"
rm -f "$tmp/long.ndjson"

# a 300 MB line from a pipe: bounded memory, reported, the next line read;
# by one thread and by two (each worker holds its own reader buffer and
# runtime, and the ring of 1 MiB parts: ~17 MB more, whatever the line)
for t in 1 2; do
	{ printf '{"pad":"'; head -c 300000000 /dev/zero | tr '\0' x; printf '"}\n{%s}\n' "$EV"; } |
		(memlimit 300000; timed timeout 30 "$RULEC" run -q --threads $t -r "$tmp/r.rbc" -e - >"$tmp/out" 2>"$tmp/err")
	expect "300 MB line, $t thread(s)" 2 $?
	count "300 MB line, $t thread(s)" 1 "$tmp/out"
	has "300 MB line, $t thread(s)" "$tmp/err" "^-:1: error: event of 300000010 bytes is longer than the maximum"
	peak "$tmp/mem" $((80 + 20 * t)) "300 MB line, $t thread(s)"
done
# the same as an array element, with a small maximum
{ printf '[{%s},\n{"pad":"' "$EV"; head -c 50000000 /dev/zero | tr '\0' x; printf '",\n"q":"\\"}"},\n{%s}]\n' "$EV"; } |
	(memlimit 300000; timeout 30 "$RULEC" run -q --max-event-size 1M -r "$tmp/r.rbc" -e - >"$tmp/out" 2>"$tmp/err")
expect "50 MB element" 2 $?
count "50 MB element" 2 "$tmp/out"
has "50 MB element" "$tmp/err" "^-:2: error: event of 50000021 bytes is longer than the maximum event size (1048576 bytes"
# a stream without any newline
head -c 200000000 /dev/zero | tr '\0' x |
	(memlimit 300000; timed timeout 30 "$RULEC" run -q -r "$tmp/r.rbc" -e - >"$tmp/out" 2>"$tmp/err")
expect "no newline" 2 $?
has "no newline" "$tmp/err" "event of 200000000 bytes"
peak "$tmp/mem" 100 "no newline"
# bad values of the option
"$RULEC" run -q --max-event-size 0 -r "$tmp/r.rbc" "$tmp/one.ndjson" 2>"$tmp/err"
expect "--max-event-size 0" 2 $?
has "--max-event-size 0" "$tmp/err" "takes a positive number of bytes"

## --- fault 9: a JSON array with syntax errors ------------------------------

# 1000 events; a missing comma after the 500th, garbage after the 700th,
# an element whose string is not closed as the 900th
awk -v ev="{$EV}" 'BEGIN {
	print "["
	for (i = 1; i <= 1000; i++) {
		if (i == 900) { print "{\"a\":\"open},"; }
		sep = (i == 1000) ? "" : (i == 500) ? "" : ","
		if (i == 700) sep = " x 12 \"s\","
		print ev sep
	}
	print "]"
}' >"$tmp/arr.json"
(memlimit 400000; timeout 20 "$RULEC" run -q -r "$tmp/r.rbc" "$tmp/arr.json" >"$tmp/out" 2>"$tmp/err")
expect "array errors" 2 $?
count "array errors" 1000 "$tmp/out"
has "array errors" "$tmp/err" "arr.json:502: error: missing ',' between elements of the JSON array (the element here is read, no event skipped)"
has "array errors" "$tmp/err" "arr.json:701: error: expected ',' or '\]' (found 'x') in JSON array: skipped 8 bytes holding no event, resuming at line 701"
has "array errors" "$tmp/err" "arr.json:901: error: unterminated element in JSON array (a string or bracket is not closed): the element (13 bytes) skipped, resuming at line 902"
n=$(wc -l <"$tmp/err")
[ "$n" -eq 3 ] && ok || { bad "array errors: $n messages, expected 3"; cat "$tmp/err"; }

## --- fault 11: malformed JSON in fields no rule reads ----------------------

cat >"$tmp/unread.ndjson" <<EOF
{$EV,"x":tru}
{$EV,"x":{"y":[1,nul]}}
{$EV,"x":"bad \\q escape"}
{$EV,"x":01}
{$EV,"x":-}
{$EV,"x":[1,2,{"z":fals}]}
{$EV}
EOF
(memlimit 400000; timeout 20 "$RULEC" run -q -r "$tmp/r.rbc" "$tmp/unread.ndjson" >"$tmp/out" 2>"$tmp/err")
expect "unread malformed" 2 $?
count "unread malformed" 1 "$tmp/out"
n=$(grep -c 'error: malformed JSON' "$tmp/err")
[ "$n" -eq 6 ] && ok || { bad "unread malformed: $n errors, expected 6"; cat "$tmp/err"; }
has "unread malformed" "$tmp/err" "unread.ndjson:1: error: malformed JSON: Problem while parsing an atom starting with the letter 't'"

## --- fault 13: run's messages ----------------------------------------------

for args in "run $tmp/r.eql" "run $tmp/r.eql -e $tmp/nonexistent" \
	"run $tmp/r.eql -e $tmp" "run -r $tmp/nonexistent.rbc x" \
	"run -r $tmp/r.eql $tmp/one.ndjson" "run $tmp/nonexistent.eql -e -"; do
	# shellcheck disable=SC2086
	timeout 20 "$RULEC" $args </dev/null >/dev/null 2>"$tmp/err"
	expect "messages of '$args'" 2 $?
	no_stray "messages of '$args'" "$tmp/err"
done

## --- inputs that already pass: every valid record still processed --------

# NUL (raw and escaped) and invalid UTF-8
{
	printf '{%s,"x":"a\000b"}\n' "$EV"
	printf '{%s,"x":"a\\u0000b"}\n' "$EV"
	printf '{%s,"x":"\377\376"}\n' "$EV"
	printf '{%s,"x":"\300\200"}\n' "$EV"
	printf '{%s,"process":{"name":"a\355\240\200"}}\n' "$EV"
	printf '\000\000\000\n'
	printf '{%s}\n' "$EV"
} >"$tmp/nul.ndjson"
(memlimit 400000; timeout 20 "$RULEC" run -q -r "$tmp/r.rbc" "$tmp/nul.ndjson" >"$tmp/out" 2>"$tmp/err")
expect "NUL and UTF-8" 2 $?
count "NUL and UTF-8" 2 "$tmp/out"
n=$(grep -c 'error:' "$tmp/err")
[ "$n" -eq 5 ] && ok || { bad "NUL and UTF-8: $n errors, expected 5"; cat "$tmp/err"; }

# numbers beyond double and int64, in fields read and not read
cat >"$tmp/num.ndjson" <<EOF
{$EV,"x":1e400,"y":-1e400,"z":123456789012345678901234567890}
{$EV,"@timestamp":99999999999999999999999}
{$EV,"@timestamp":1e400}
{$EV,"@timestamp":-9223372036854775809}
{$EV,"process":{"name":"a","pid":18446744073709551616}}
EOF
(memlimit 400000; timeout 20 "$RULEC" run -q -r "$tmp/r.rbc" "$tmp/num.ndjson" >"$tmp/out" 2>"$tmp/err")
# valid JSON all; the three timestamps beyond the years 0000-9999 are
# each error RC9040 (docs/run.md), the other two events run
count "big numbers" 2 "$tmp/out"
if grep -q 'malformed' "$tmp/err"; then bad "big numbers: refused:"; cat "$tmp/err"; else ok; fi
n=$(grep -c 'RC9040' "$tmp/err")
[ "$n" -eq 3 ] && ok || { bad "big numbers: $n time errors, expected 3"; cat "$tmp/err"; }

# deep nesting: 100,000 levels in an unread field is refused quickly, 500
# levels are fine; the events around them are read
deep() {
	awk -v n="$1" -v ev="$EV" 'BEGIN {
		s = ""; for (i = 0; i < n; i++) s = s "["
		t = ""; for (i = 0; i < n; i++) t = t "]"
		printf "{%s,\"x\":%s%s}\n", ev, s, t
	}'
}
{ deep 100000; deep 500; printf '{%s}\n' "$EV"; deep 100000 | tr '[]' '{}' | head -c 300000; echo; printf '{%s}\n' "$EV"; } >"$tmp/deep.ndjson"
(memlimit 400000; timeout 20 "$RULEC" run -q -r "$tmp/r.rbc" "$tmp/deep.ndjson" >"$tmp/out" 2>"$tmp/err")
expect "deep nesting" 2 $?
count "deep nesting" 3 "$tmp/out"
n=$(grep -c 'error:' "$tmp/err")
[ "$n" -eq 2 ] && ok || { bad "deep nesting: $n errors, expected 2"; cat "$tmp/err"; }
# the same in an array
{ echo '['; deep 100000 | sed 's/$/,/'; printf '{%s}]\n' "$EV"; } >"$tmp/deep.json"
(memlimit 400000; timeout 20 "$RULEC" run -q -r "$tmp/r.rbc" "$tmp/deep.json" >"$tmp/out" 2>"$tmp/err")
expect "deep nesting, array" 2 $?
count "deep nesting, array" 1 "$tmp/out"

# a million-event array streamed from a pipe in bounded memory; one event
# in 1000 matches, the others are read all the same (--stats counts them)
awk -v ev="$EV" 'BEGIN {
	print "["
	for (i = 0; i < 1000000; i++)
		printf "{\"event\":{\"category\":\"process\",\"id\":\"e%d\"},\"process\":{\"name\":\"%s\"},\"@timestamp\":%d}%s\n", i, i % 1000 ? "b" : "a", i, i < 999999 ? "," : ""
	print "]"
}' | (memlimit 400000; timed timeout 120 "$RULEC" run -q --stats -r "$tmp/r.rbc" -e - >"$tmp/out" 2>"$tmp/err")
expect "million-event array" 0 $?
count "million-event array" 1000 "$tmp/out"
has "million-event array" "$tmp/err" "1000000 events (0 malformed)"
peak "$tmp/mem" 100 "million-event array"

echo "hostile-io: $pass passed, $fail failed"
[ $fail -eq 0 ]
