#!/bin/sh
# Hostile XML: an external entity, an external DTD, an entity bomb, and the
# same hidden behind a BOM, comments and processing instructions.  Each
# must be refused with a located RC1021 error, fast, without reading the
# referenced file.  The references point at a FIFO with no writer, so any
# attempt to read one would block until the timeout fails the test, and at
# a file whose text must never appear in the output.
set -u
: "${RULEC:?}"
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkfifo "$tmp/block.fifo"
echo "SECRET-CONTENT-1f2e" >"$tmp/secret.txt"
ok() { pass=$((pass + 1)); }
bad() { echo "FAIL: $*"; fail=$((fail + 1)); }

# case NAME LINE XML: rulec must exit 1 within 5 s, report RC1021 at LINE:1
# (or where given), and print nothing of the secret file
case_() {
	name=$1 want=$2
	printf '%s' "$3" >"$tmp/$name.xml"
	start=$(date +%s%N)
	timeout 5 "$RULEC" lint --format json "$tmp/$name.xml" >"$tmp/out" 2>"$tmp/err"
	code=$?
	ms=$(( ($(date +%s%N) - start) / 1000000 ))
	if [ $code -eq 124 ]; then bad "$name: timed out (a referenced file was opened)"; return; fi
	[ $code -eq 1 ] && ok || bad "$name: exit $code, expected 1"
	grep -q "\"id\":\"RC1021\".*" "$tmp/out" && ok || { bad "$name: no RC1021"; cat "$tmp/out" "$tmp/err"; }
	grep -q "\"line\":$want," "$tmp/out" && ok || { bad "$name: not located at line $want"; cat "$tmp/out" "$tmp/err"; }
	if grep -q SECRET "$tmp/out" "$tmp/err"; then bad "$name: the secret file was read"; else ok; fi
	[ $ms -lt 1000 ] && ok || bad "$name: took $ms ms"
	echo "$name: refused in $ms ms"
}

case_ external-entity 2 "<?xml version=\"1.0\"?>
<!DOCTYPE rule [ <!ENTITY x SYSTEM \"file://$tmp/block.fifo\"> <!ENTITY y SYSTEM \"$tmp/secret.txt\"> ]>
<rule><description><name>&x;&y;</name></description></rule>"

case_ external-dtd 2 "<?xml version=\"1.0\"?>
<!DOCTYPE rule SYSTEM \"$tmp/block.fifo\">
<rule><description><name>n</name></description></rule>"

case_ parameter-entity 1 "<!DOCTYPE rule [ <!ENTITY % p SYSTEM \"$tmp/block.fifo\"> %p; ]>
<rule><description><name>n</name></description></rule>"

bomb='<?xml version="1.0"?>
<!DOCTYPE rule [
 <!ENTITY a "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa">'
prev=a
for e in b c d e f g h i j k; do
	bomb="$bomb
 <!ENTITY $e \"$(printf "&$prev;%.0s" 1 2 3 4 5 6 7 8 9 10)\">"
	prev=$e
done
bomb="$bomb
]>
<rule><description><name>&k;</name></description></rule>"
case_ entity-bomb 2 "$bomb"

# hidden behind a BOM, a comment and a processing instruction
case_ hidden 4 "$(printf '\357\273\277')<?xml version=\"1.0\"?>
<!-- a comment <!DOCTYPE in a comment is harmless -->
<?pi data?>
<!doctype rule SYSTEM \"$tmp/block.fifo\"><rule/>"

# an undefined entity without a DOCTYPE is a plain XML error, not a read
printf '<rule><description><name>&x;</name></description></rule>' >"$tmp/undef.xml"
timeout 5 "$RULEC" lint --format json "$tmp/undef.xml" >"$tmp/err" 2>&1
code=$?
[ $code -eq 1 ] && grep -q '"id":"RC1020"' "$tmp/err" && ok || { bad "undefined entity: exit $code"; cat "$tmp/err"; }

# UTF-16 and UTF-32 would let a DOCTYPE hide from a byte scan: the file
# is converted to UTF-8 first (xml_decode), so the scan sees the DOCTYPE
# and refuses it, and the referenced file is never opened
hidden16="<?xml version=\"1.0\" encoding=\"UTF-16\"?>
<!DOCTYPE rule SYSTEM \"$tmp/block.fifo\"><rule/>"
command -v iconv >/dev/null || echo "no iconv: the UTF-16 cases are skipped"
command -v iconv >/dev/null && for enc in UTF-16LE UTF-16BE UTF-32LE; do
	{
		case $enc in
		UTF-16LE) printf '\377\376';;
		UTF-16BE) printf '\376\377';;
		esac
		printf '%s' "$hidden16" | iconv -f UTF-8 -t $enc
	} >"$tmp/hidden-$enc.xml"
	timeout 5 "$RULEC" lint --format json "$tmp/hidden-$enc.xml" >"$tmp/out" 2>"$tmp/err"
	code=$?
	if [ $code -eq 1 ] && cat "$tmp/out" "$tmp/err" | grep -q '"line":2,.*"id":"RC1021"' ; then
		ok
	else
		bad "DOCTYPE hidden in $enc: exit $code"; cat "$tmp/err"
	fi
done

# over the size limit: refused before parsing
head -c 17000000 /dev/zero | tr '\0' ' ' >"$tmp/big.xml"
timeout 5 "$RULEC" lint --format json "$tmp/big.xml" >"$tmp/err" 2>&1
code=$?
[ $code -eq 1 ] && grep -q '"id":"RC1022"' "$tmp/err" && ok || { bad "size limit: exit $code"; cat "$tmp/err"; }

# well-formed nesting beyond the limit of 64 levels
deep="<rule><definition><process>$(printf '<operator type="AND">%.0s' $(seq 70))"
deep="$deep<condition component=\"FileItem\" property=\"FileName\" condition=\"is\" value=\"a\"/>"
deep="$deep$(printf '</operator>%.0s' $(seq 70))</process></definition></rule>"
printf '%s' "$deep" >"$tmp/deep.xml"
timeout 5 "$RULEC" lint --format json "$tmp/deep.xml" >"$tmp/err" 2>&1
code=$?
[ $code -eq 1 ] && grep -q '"id":"RC1022"' "$tmp/err" && ok || { bad "depth: exit $code"; cat "$tmp/err"; }

echo "xml-hostile: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
