#!/bin/sh
# The layering test: every #include "dir/file" in src/ must name a header of
# the including file's own folder or of a lower layer, as listed in
# tests/scripts/layers.txt.  Prints each include that runs back up (or
# sideways between folders of one rank) and fails if there is one.
#   LAYERS_SRC=DIR   check another tree (the test of this test uses it)
set -u
: "${TOP_SRCDIR:?}"
src=${LAYERS_SRC:-$TOP_SRCDIR/src}
layers=$TOP_SRCDIR/tests/scripts/layers.txt
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
# folder -> rank
awk '!/^#/ && NF { r++; for (i = 1; i <= NF; i++) print $i, r }' "$layers" >"$tmp"
bad=0 files=0 incs=0
for f in $(cd "$src" && find . -name '*.[ch]' -o -name '*.cc' -o -name '*.def' | sed 's|^\./||' | sort); do
	files=$((files + 1))
	from=${f%%/*}
	[ "$from" = "$f" ] && from=.
	out=$(grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' "$src/$f" |
		sed 's/:.*include[[:space:]]*"\([^"]*\)".*/ \1/' |
		awk -v from="$from" -v file="$f" -v map="$tmp" '
		BEGIN { while ((getline l < map) > 0) { split(l, a, " "); rank[a[1]] = a[2] } }
		{
			line = $1; inc = $2; n++
			if (index(inc, "/") == 0) next   # generated or system-like: config.h, eql-parser.h
			to = substr(inc, 1, index(inc, "/") - 1)
			if (!(from in rank)) { printf "%s:%s: folder %s is not in layers.txt\n", file, line, from; bad++; next }
			if (!(to in rank)) { printf "%s:%s: includes %s: folder %s is not in layers.txt\n", file, line, inc, to; bad++; next }
			if (to == from) next
			if (rank[to] > rank[from]) { printf "%s:%s: %s (layer %s) includes %s of the higher layer %s\n", file, line, from, rank[from], inc, to; bad++ }
			else if (rank[to] == rank[from]) { printf "%s:%s: %s includes %s of %s, a folder of the same rank\n", file, line, from, inc, to; bad++ }
		}
		END { print "#", n + 0, bad + 0 }')
	n=$(printf '%s\n' "$out" | sed -n 's/^# \([0-9]*\) .*/\1/p')
	b=$(printf '%s\n' "$out" | sed -n 's/^# [0-9]* \([0-9]*\)/\1/p')
	incs=$((incs + n))
	printf '%s\n' "$out" | grep -v '^# '
	bad=$((bad + b))
done
echo "layers: $files files, $incs includes checked, $bad upward"
pass=0 fail=0
[ "$bad" -eq 0 ] && pass=$((pass + 1)) || fail=$((fail + 1))
# The test of the test: the same check on a copy of the tree with one
# upward include added must fail and name it.
if [ -z "${LAYERS_SRC:-}" ]; then
	copy=$(mktemp -d)
	cp -r "$src/." "$copy/"
	printf '#include "driver/load.h"\n' >>"$copy/base/arena.c"
	if LAYERS_SRC=$copy sh "$0" 2>&1 | grep -q '^base/arena.c:[0-9]*: base (layer 1) includes driver/load.h of the higher layer driver$'; then
		pass=$((pass + 1))
	else
		echo "FAIL: an added upward include was not reported"
		fail=$((fail + 1))
	fi
	rm -rf "$copy"
fi
# The library never exits and never prints: only src/cli/ may call exit()
# or write to stdout, stderr or a FILE (other than through snprintf-like
# calls into memory).
if [ -z "${LAYERS_SRC:-}" ]; then
	found=$(cd "$src" && grep -rnE '(^|[^a-z_])(exit|_Exit|abort) *\(|(^|[^a-z_])(printf|fprintf|vfprintf|fputs|puts|putchar|fputc|putc|fwrite|perror) *\(|std(out|err)' \
		--include='*.c' --include='*.cc' --include='*.h' . |
		grep -v '^\./cli/' | grep -v '^[^:]*:[0-9]*: *\*\|^[^:]*:[0-9]*: */[*/]')
	if [ -n "$found" ]; then
		echo "FAIL: exit or output outside src/cli/:"
		echo "$found"
		fail=$((fail + 1))
	else
		pass=$((pass + 1))
	fi
fi
echo "layers: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
