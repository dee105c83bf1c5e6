#!/bin/sh
# Print-parse of ESET rules: every ESET rule of ../shared (corpus and
# seeds), rules/eset and the golden ESET cases that lower without errors is
# printed back as ESET XML (`rulec convert --to xml`, which reads the IR's
# Component.Property names back) and read again; the `query` part of
# `rulec lint --dump-ir` must be the same for both, and the conversion
# must be exact (no loss comment).  The ../shared corpus is skipped when
# absent; the in-tree rules are always checked.
set -u
: "${RULEC:?}" "${TOP_SRCDIR:?}"
shared="${RULEC_SHARED:-$TOP_SRCDIR/../shared}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0 skipped=0

query() {       # the query parts of a dump, one line per rule, sorted
	"$RULEC" lint --dump-ir "$1" 2>/dev/null | awk '
		/^== / { if (q != "") print q; q = ""; inq = 0; next }
		/^query / { inq = 1 }
		inq { q = q $0 "\\n" }
		END { if (q != "") print q }' | sort
}

check() {
	f=$1
	query "$f" >"$tmp/a"
	if [ ! -s "$tmp/a" ]; then      # a golden case with errors: no IR
		skipped=$((skipped + 1)); return
	fi
	rm -rf "$tmp/out" && mkdir "$tmp/out"
	if ! "$RULEC" convert --to xml -o "$tmp/out" "$f" >/dev/null 2>"$tmp/err"; then
		echo "FAIL $f: not converted"; head -n 8 "$tmp/err"
		fail=$((fail + 1)); return
	fi
	if grep -q '<!-- rulec:' "$tmp"/out/*.xml; then
		echo "FAIL $f: ESET to ESET is not exact"; grep '<!-- rulec:' "$tmp"/out/*.xml
		fail=$((fail + 1)); return
	fi
	for x in "$tmp"/out/*.xml; do query "$x"; done | sort >"$tmp/b"
	if [ "$(wc -l <"$tmp/b")" -lt "$(wc -l <"$tmp/a")" ]; then
		# -o names each file after the rule's id: rules sharing an id
		# overwrite each other (a known gap of -o)
		echo "SKIP $f: rules share an id"
		skipped=$((skipped + 1)); return
	fi
	if ! cmp -s "$tmp/a" "$tmp/b"; then
		echo "FAIL $f: the IR changed"
		diff "$tmp/a" "$tmp/b" | sed 's/\\n/\n/g' | head -n 40
		fail=$((fail + 1)); return
	fi
	pass=$((pass + 1))
}

if [ -d "$shared/corpus" ]; then
	for f in "$shared"/corpus/eset-rules/*.xml "$shared"/corpus/seeds/*.xml; do
		[ -f "$f" ] && check "$f"
	done
else
	echo "SKIP the ../shared corpus: no $shared"
fi
for f in "$TOP_SRCDIR"/rules/eset/*.xml "$TOP_SRCDIR"/tests/golden/*.xml \
	"$TOP_SRCDIR"/tests/golden/convert/to-xml/*.xml; do
	[ -f "$f" ] && check "$f"
done
echo "convert-printparse-eset: $pass same IR, $fail failed, $skipped without IR (skipped)"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
