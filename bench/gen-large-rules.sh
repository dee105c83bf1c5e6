#!/bin/sh
# bench/gen-large-rules.sh - writes one large rule file to stdout, for the
# lint benchmark (bench/lint-large.sh) and the hostile-input test
# (tests/scripts/hostile-lint.sh).
#
#   bench/gen-large-rules.sh KIND N
#
# KIND                  the file (N: how many)
#   eset-attrs          an ESET XML rule whose <condition> has N extra attributes
#   eset-or             an ESET XML rule: OR of N conditions
#   eset-or-groups      an ESET XML rule: AND of N ORs of 4,096 conditions each
#   eql-or, eql-and     an EQL query: `or` / `and` of N comparisons
#   eql-in              an EQL query: `: (...)` of N wildcard patterns
#   eql-in-star         the same with patterns that start and end with *
#   eql-stages          a sequence of N stages `[process where true] with runs=100`
#   eql-keys            a sequence by N join keys
#   eql-wild            a wildcard "?*?*...x" of N bytes
#   eql-cidr            cidrMatch of N networks: pairs "10.a.b.0/24", "10.a.b.7"
#                       (each /24 contains the next entry) and a repeat of
#                       "10.0.0.0/24" every 1,000 entries
set -eu
kind=$1 n=$2
eset_head='<?xml version="1.0" encoding="utf-8"?>
<rule>
<description><name>Large rule [L1]</name><category>Discovery</category><os>Windows</os><severity>50</severity></description>
<definition><process>'
eset_tail='</process></definition>
<actions><action name="TriggerDetection" /></actions>
</rule>'
case $kind in
eset-attrs)
	echo "$eset_head"
	awk -v n="$n" 'BEGIN {
		printf "<condition component=\"FileItem\" property=\"FileName\" condition=\"is\" value=\"a.exe\""
		for (i = 0; i < n; i++) printf " a%d=\"1\"", i
		print " />" }'
	echo "$eset_tail" ;;
eset-or)
	echo "$eset_head<operator type=\"OR\">"
	awk -v n="$n" 'BEGIN { for (i = 0; i < n; i++)
		printf "<condition component=\"FileItem\" property=\"FileName\" condition=\"is\" value=\"f%d.exe\" />\n", i }'
	echo "</operator>$eset_tail" ;;
eset-or-groups)
	echo "$eset_head<operator type=\"AND\">"
	awk -v n="$n" 'BEGIN { for (j = 0; j < n; j++) {
		print "<operator type=\"OR\">"
		for (i = 0; i < 4096; i++)
			printf "<condition component=\"FileItem\" property=\"FileName\" condition=\"is\" value=\"f%d.exe\" />\n", i
		print "</operator>" } }'
	echo "</operator>$eset_tail" ;;
eql-or|eql-and)
	awk -v n="$n" -v op="${kind#eql-}" 'BEGIN { printf "process where "
		for (i = 0; i < n; i++)
			printf "%sprocess.name == \"p%d.exe\"\n", (i ? op " " : ""), i }' ;;
eql-in|eql-in-star)
	awk -v n="$n" -v star="${kind#eql-in}" 'BEGIN { printf "process where process.name : ("
		for (i = 0; i < n; i++)
			printf "%s\"%sx%d-*.exe%s\"\n", (i ? ", " : ""), star ? "*" : "", i, star ? "*" : ""
		print ")" }' ;;
eql-stages)
	awk -v n="$n" 'BEGIN { print "sequence with maxspan=1h"
		for (i = 0; i < n; i++) print "  [process where true] with runs=100" }' ;;
eql-keys)
	awk -v n="$n" 'BEGIN { printf "sequence by "
		for (i = 0; i < n; i++) printf "%sprocess.env_vars", (i ? ", " : "")
		print "\n  [process where true]\n  [process where true]" }' ;;
eql-wild)
	awk -v n="$n" 'BEGIN { printf "process where process.command_line : \""
		for (i = 0; i + 2 < n; i += 2) printf "?*"
		print "x\"" }' ;;
eql-cidr)
	awk -v n="$n" 'BEGIN { printf "network where cidrMatch(source.ip"
		for (i = 0; i < n; i++) {
			k = int(i / 2)
			if (i % 1000 == 999) printf ", \"10.0.0.0/24\""
			else if (i % 2 == 0) printf ", \"10.%d.%d.0/24\"", int(k / 256) % 256, k % 256
			else printf ", \"10.%d.%d.7\"", int(k / 256) % 256, k % 256
		}
		print ")" }' ;;
*)
	echo "gen-large-rules.sh: unknown kind $kind" >&2; exit 2 ;;
esac
