#!/bin/sh
# rulec run --threads N: the output (results, their order, problem
# reports with their places, the exit status) is the same for 1, 2 and 4
# threads.  A generated input of ~4 MB (several parts of 1 MiB for the
# workers) holds sequences with maxspan, until and join keys, samples,
# head and tail pipes, events out of order and late ones, malformed
# lines, times out of range, blank lines, a line over --max-event-size
# and a line longer than a part; it is read from a file, from stdin,
# after a byte order mark, cut inside a line, after another input, with
# --size, --max-partials 1 and a zero reorder window, and with output that cannot be
# written (the replay stops in the middle); the ESET process table rules
# and a JSON array (read by one thread) give the same output too;
# --threads is checked.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

mkdir "$tmp/rules"
cat >"$tmp/rules/seq.eql" <<'EOF'
sequence by user.name with maxspan=30s
  [process where process.name == "a.exe"]
  [process where process.name == "b.exe"]
  [network where destination.port == 443]
EOF
cat >"$tmp/rules/until.eql" <<'EOF'
sequence by host.id
  [process where process.name == "a.exe"] by user.name
  [process where process.name == "c.exe"] by user.name
until [process where process.name == "z.exe"] by user.name
EOF
cat >"$tmp/rules/sample.eql" <<'EOF'
sample by host.id
  [process where process.name == "a.exe"] by user.name
  [network where true] by user.name
EOF
cat >"$tmp/rules/head.eql" <<'EOF'
process where process.name : "b*" | head 7
EOF
cat >"$tmp/rules/tail.eql" <<'EOF'
network where destination.port < 100 | tail 5
EOF
cat >"$tmp/rules/event.eql" <<'EOF'
any where process.name : ("*.exe", "c*") and user.name != "u3"
EOF
cat >"$tmp/rules/missing.eql" <<'EOF'
sequence by user.name with maxspan=20s
  [process where process.name == "a.exe"]
  ![process where process.name == "c.exe"]
  [network where true]
EOF
"$RULEC" compile -q -o "$tmp/r.rbc" "$tmp/rules" 2>"$tmp/cerr" ||
	{ cat "$tmp/cerr"; bad "the test rules do not compile"; }

# ~4 MB: 30000 events over 8 users and 4 hosts, a second apart with one
# in 50 four seconds back (reordered inside the window) and one in 997
# an hour back (late); every 1009th line malformed, every 2003rd with a
# time past 9999, every 101st blank; one line of 300 KB (over the
# --max-event-size below) and one of 2 MB (longer than a part).
awk 'BEGIN {
	split("a.exe b.exe c.exe z.exe bash b c.exe", names, " ");
	big = "0123456789abcdef";
	while (length(big) < 2100000)
		big = big big;
	pad = substr(big, 1, 90);
	for (i = 1; i <= 30000; i++) {
		t = 1700000000000 + i * 1000;
		if (i % 50 == 0) t -= 4000;
		if (i % 997 == 0) t -= 3600000;
		u = "u" (int(i / 5) % 4); h = "h" (int(i / 7) % 3);
		if (i % 1009 == 0) { print "{\"event\": broken " i; continue }
		if (i % 101 == 0) print "";
		if (i % 2003 == 0) t = 253402300800000 + i;
		ts = sprintf("%.0f", t);
		if (i % 3 == 0)
			print "{\"@timestamp\":" ts ",\"event\":{\"id\":\"n" i "\",\"category\":[\"network\"]},\"user\":{\"name\":\"" u "\"},\"host\":{\"id\":\"" h "\"},\"destination\":{\"port\":" (i % 7 == 0 ? 443 : i % 200) "}}";
		else
			print "{\"@timestamp\":" ts ",\"event\":{\"id\":\"p" i "\",\"category\":[\"process\"],\"type\":[\"start\"]},\"user\":{\"name\":\"" u "\"},\"host\":{\"id\":\"" h "\"},\"process\":{\"name\":\"" names[i % 8 + 1] "\",\"pad\":\"" substr(pad, 1, i % 90) "\"}}";
		if (i == 12345 || i == 23456)
			print "{\"@timestamp\":" ts ",\"event\":{\"id\":\"big" i "\",\"category\":[\"process\"]},\"process\":{\"name\":\"a.exe\"},\"user\":{\"name\":\"u1\"},\"x\":\"" substr(big, 1, i == 12345 ? 300000 : 2100000) "\"}";
	}
}' >"$tmp/ev.ndjson"

# runs rulec with $1 threads on the rest of the arguments (stdin from
# the file $stdin); output in $tmp/out.$1, diagnostics in $tmp/err.$1,
# status in $tmp/rc.$1
stdin=/dev/null
runt() {
	n=$1
	shift
	"$RULEC" run --threads "$n" "$@" <"$stdin" >"$tmp/out.$n" \
		2>"$tmp/err.$n"
	echo $? >"$tmp/rc.$n"
}
# same NAME ARGS...: the outputs of 1, 2 and 4 threads are identical
same() {
	what=$1
	shift
	runt 1 "$@"
	for n in 2 4; do
		runt $n "$@"
		if cmp -s "$tmp/out.1" "$tmp/out.$n" &&
		   cmp -s "$tmp/err.1" "$tmp/err.$n" &&
		   cmp -s "$tmp/rc.1" "$tmp/rc.$n"; then
			ok
		else
			bad "$what: --threads $n differs from --threads 1"
			diff "$tmp/out.1" "$tmp/out.$n" | head -5
			diff "$tmp/err.1" "$tmp/err.$n" | head -5
		fi
	done
}

same "file" -q -r "$tmp/r.rbc" --max-event-size 256K "$tmp/ev.ndjson"
# the run must have found what the test is about
out=$tmp/out.1 err=$tmp/err.1
[ "$(cat "$tmp/rc.1")" -eq 2 ] && ok || bad "exit $(cat "$tmp/rc.1"), 2 expected"
for r in seq until sample head tail event missing; do
	grep -q "\"$r\"\\|/$r.eql" "$out" && ok || bad "no result of $r.eql"
done
[ "$(grep -c "malformed JSON" "$err")" -ge 25 ] && ok ||
	bad "malformed lines not reported"
grep -q "outside the years 0000 to 9999" "$err" && ok ||
	bad "out-of-range times not reported"
grep -q "event of 300[0-9]* bytes is longer than the maximum" "$err" &&
	ok || bad "the long line is not reported"
grep -q "later than the reorder window" "$err" && ok ||
	bad "late events not reported"
[ "$(wc -l <"$out")" -gt 1000 ] && ok || bad "too few results"

# --stats counts (not the timings) are the same too
for n in 1 2; do
	"$RULEC" run -q --threads $n --stats -r "$tmp/r.rbc" "$tmp/ev.ndjson" \
		2>&1 >/dev/null | sed 's/ in [0-9.]* s:.*//' |
		grep -v "peak memory" >"$tmp/st.$n"
done
cmp -s "$tmp/st.1" "$tmp/st.2" && ok || bad "--stats counts differ"

# stdin, and a byte order mark before the first line
stdin=$tmp/ev.ndjson
same "stdin" -q -r "$tmp/r.rbc" -
stdin=/dev/null
# stdin from a pipe (short reads)
for n in 1 2; do
	cat "$tmp/ev.ndjson" | "$RULEC" run -q --threads $n -r "$tmp/r.rbc" - \
		>"$tmp/pipe.$n" 2>&1
done
cmp -s "$tmp/pipe.1" "$tmp/pipe.2" && ok || bad "stdin from a pipe differs"
printf '\357\273\277' >"$tmp/bom.ndjson"
cat "$tmp/ev.ndjson" >>"$tmp/bom.ndjson"
same "byte order mark" -q -r "$tmp/r.rbc" "$tmp/bom.ndjson"
# two inputs: positions continue across them
head -n 7000 "$tmp/ev.ndjson" >"$tmp/a.ndjson"
same "two inputs" -q -r "$tmp/r.rbc" "$tmp/a.ndjson" "$tmp/ev.ndjson"
# the global --size, and a tiny reorder window (many late events)
same "size" -q -r "$tmp/r.rbc" --size 3 "$tmp/ev.ndjson"
same "reorder" -q -r "$tmp/r.rbc" --reorder-window 0 "$tmp/ev.ndjson"
# a partial sequence table too small: RC9042 at the event that found it
# full
same "partials" -q -r "$tmp/r.rbc" --max-partials 1 "$tmp/ev.ndjson"
grep -q "RC9042" "$tmp/err.1" && ok || bad "partials: no RC9042"
# the input ends inside a line, without a newline
head -c 1500000 "$tmp/ev.ndjson" >"$tmp/cut.ndjson"
same "cut" -q -r "$tmp/r.rbc" "$tmp/cut.ndjson"
# output that cannot be written stops the replay (replay_stop) in the
# middle of the input
if [ -w /dev/full ]; then
	same "stop" -q -r "$tmp/r.rbc" -o /dev/full "$tmp/ev.ndjson"
	grep -q "cannot write" "$tmp/err.1" && ok || bad "stop: no report"
fi
# a JSON array (one thread reads it)
{ echo '['; head -n 2000 "$tmp/ev.ndjson" | grep '^{"@' | sed '$!s/$/,/'; echo ']'; } \
	>"$tmp/arr.json"
same "array" -q -r "$tmp/r.rbc" "$tmp/arr.json"
grep -q . "$tmp/out.1" && ok || bad "the array gave no result"
# the ESET rules, which keep the process table (one thread evaluates)
for x in "$TOP_SRCDIR"/rules/eset/*.xml; do
	same "eset $(basename "$x")" -q "$x" -e "${x%.xml}.events.ndjson"
	grep -q . "$tmp/out.1" && ok || bad "eset $(basename "$x"): no result"
done
# the Elastic seed rules and their events
same "seeds" -q "$TOP_SRCDIR/rules/elastic-rules.ndjson" \
	-e "$TOP_SRCDIR/rules/elastic-rules.events.ndjson"
# an input that cannot be read: the same report
same "unreadable" -q -r "$tmp/r.rbc" "$tmp/none.ndjson"
grep -q "none.ndjson" "$tmp/err.1" && ok || bad "unreadable: no report"

# the corpus over generated events (when ../shared is there): the same
# output, and the workers' runs choose the selection again after the
# first events as one thread does (stages tried per event within 15%:
# without it two threads tried half as many again)
shared=$TOP_SRCDIR/../shared
if [ -x "$shared/tools/gen-events" ] &&
   [ -f "$shared/corpus/elastic-eql-rules.ndjson" ]; then
	"$shared/tools/gen-events" --count 20000 --seed 3 -o "$tmp/gen.ndjson"
	"$RULEC" compile -q -o "$tmp/corpus.rbc" \
		"$shared/corpus/elastic-eql-rules.ndjson" 2>/dev/null
	for t in 1 2; do
		"$RULEC" run --threads $t --stats -q -r "$tmp/corpus.rbc" \
			"$tmp/gen.ndjson" >"$tmp/c.$t" 2>"$tmp/cs.$t"
	done
	cmp -s "$tmp/c.1" "$tmp/c.2" && grep -q . "$tmp/c.1" && ok ||
		bad "corpus: --threads 2 differs from --threads 1"
	t1=$(sed -n 's/.*stages tried (\([0-9.]*\) per event).*/\1/p' "$tmp/cs.1")
	t2=$(sed -n 's/.*stages tried (\([0-9.]*\) per event).*/\1/p' "$tmp/cs.2")
	if [ -n "$t1" ] && [ -n "$t2" ] &&
	   awk "BEGIN { exit !($t2 <= $t1 * 1.15) }"; then
		ok
	else
		bad "corpus: stages tried per event, 1 thread $t1, 2 threads $t2"
	fi
fi

# --threads takes 1 to 64
for v in 0 65 x; do
	"$RULEC" run --threads $v -r "$tmp/r.rbc" "$tmp/a.ndjson" \
		>/dev/null 2>"$tmp/e"
	[ $? -ne 0 ] && grep -q "threads" "$tmp/e" && ok ||
		bad "--threads $v accepted"
done

echo "run-threads: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
