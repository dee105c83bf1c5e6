#!/bin/sh
# The committed docs/rulec.1 and docs/diagnostics.md must be what the .def
# tables say (regenerate with `make docs`), every check must have an
# explanation page, --help must list every option of options.def, and
# docs/configuration.md must describe every key of configfile.def.
set -u
: "${GENDOCS:?}" "${RULEC:?}" "${TOP_SRCDIR:?}"
pass=0 fail=0
check() { if [ "$1" = 0 ]; then pass=$((pass + 1)); else echo "FAIL: $2"; fail=$((fail + 1)); fi; }

"$GENDOCS" man | cmp -s - "$TOP_SRCDIR/docs/rulec.1"
check $? "docs/rulec.1 is out of date: run 'make docs'"
"$GENDOCS" diagnostics | cmp -s - "$TOP_SRCDIR/docs/diagnostics.md"
check $? "docs/diagnostics.md is out of date: run 'make docs'"
"$GENDOCS" bytecode | cmp -s - "$TOP_SRCDIR/docs/bytecode.md"
check $? "docs/bytecode.md is out of date: run 'make docs'"

# every check explains itself
for id in $("$RULEC" explain | awk '{print $1}'); do
	out=$("$RULEC" explain "$id")
	[ "$(printf '%s\n' "$out" | wc -l)" -ge 4 ]
	check $? "rulec explain $id prints no page"
done
"$RULEC" explain no-such-check >/dev/null 2>&1
[ $? -eq 2 ]; check $? "explain of an unknown check must exit 2"

# every option of options.def appears in the help of a command
for opt in $(sed -n 's/^OPT([A-Z_]*, *"\([a-z-]*\)".*/\1/p' "$TOP_SRCDIR/src/cli/options.def"); do
	# in the --help of some command (each option belongs to its commands)
	{ "$RULEC" lint --help; "$RULEC" compile --help; "$RULEC" run --help; "$RULEC" test --help; "$RULEC" convert --help; } | grep -q -- "--$opt"
	check $? "--$opt missing from the commands' --help"
	grep -q -- "\\\\-\\\\-$opt" "$TOP_SRCDIR/docs/rulec.1"
	check $? "--$opt missing from the man page"
done
# every table and key of the configuration file is described in
# docs/configuration.md (the man page expands from configfile.def)
def="$TOP_SRCDIR/src/driver/configfile.def"
for t in $(sed -n 's/^TABLE([A-Z_]*, *"\([a-z_]*\)".*/\1/p' "$def"); do
	grep -q -e "^### \`\[$t\]\`" -e "^### \`\[\[$t\]\]\`" "$TOP_SRCDIR/docs/configuration.md"
	check $? "table [$t] has no section in docs/configuration.md"
	grep -q "^\.SS \[*$t\]" "$TOP_SRCDIR/docs/rulec.1"
	check $? "table [$t] missing from the man page"
done
for k in $(sed -n 's/^KEY([A-Z_]*, *[A-Z_]*, *"\([a-z_]*\)".*/\1/p' "$def"); do
	grep -q "\`$k\`" "$TOP_SRCDIR/docs/configuration.md"
	check $? "key '$k' not described in docs/configuration.md"
	grep -q "^\.B $k\$" "$TOP_SRCDIR/docs/rulec.1"
	check $? "key '$k' missing from the man page"
done
"$RULEC" --version | grep -q '^rulec [0-9]'
check $? "--version"
echo "docs: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
