/*
 * test_regex.c - the pattern matcher (src/vm/regex.h): wildcards with and
 * without case folding, every Lucene operator and its less known rules,
 * anchoring, invalid UTF-8 input, unions of hundreds of patterns checked
 * against a reference matcher, random Lucene expressions (with ~ and &)
 * checked against a reference evaluator, pathological patterns in linear
 * time, error messages and offsets, the state caps, a cache small enough to
 * flush, allocation failures, and the linter's use through
 * lit_check_regex().
 *
 * With RX_BENCH=1 in the environment the last test also measures and
 * prints throughput (warm cache); without it it runs a small smoke version.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "base/arena.h"
#include "sema/literal.h"
#include "pattern/regex.h"
#include "pattern/internal.h"      /* rx_fold, rx_unfold */

/* --- helpers ------------------------------------------------------------ */

static struct rx *
comp(const char *pat, enum rx_kind kind, unsigned flags)
{
	struct rx_pattern p = { pat, strlen(pat), kind };
	char err[200];
	size_t ep = 99, eo = 99;
	struct rx *rx = rx_compile(&p, 1, flags, err, sizeof err, &ep, &eo);

	if (!rx)
		fail_msg("pattern \"%s\": %s at %zu", pat, err, eo);
	return rx;
}

/* Does pattern `pat` match s[0..len)? */
static bool
mlen(const char *pat, enum rx_kind kind, unsigned flags, const char *s,
     size_t len)
{
	struct rx *rx = comp(pat, kind, flags);
	bool r = rx_match(rx, s, len);

	rx_free(rx);
	return r;
}

static bool
m(const char *pat, enum rx_kind kind, unsigned flags, const char *s)
{
	return mlen(pat, kind, flags, s, strlen(s));
}

#define W(p, s) m((p), RX_WILDCARD, 0, (s))
#define WI(p, s) m((p), RX_WILDCARD, RX_CI, (s))
#define L(p, s) m((p), RX_LUCENE, 0, (s))
#define LI(p, s) m((p), RX_LUCENE, RX_CI, (s))

/* Expects `pat` to be refused with message `want` at byte `off`; Lucene
 * patterns also through rx_check() and lit_check_regex(). */
static void
refused(const char *pat, enum rx_kind kind, const char *want, size_t off)
{
	struct rx_pattern p = { pat, strlen(pat), kind };
	char err[200];
	size_t ep = 99, eo = 99;
	const char *msg = NULL;
	struct rx *rx = rx_compile(&p, 1, 0, err, sizeof err, &ep, &eo);

	if (rx) {
		rx_free(rx);
		fail_msg("pattern \"%s\" compiled", pat);
	}
	if (strcmp(err, want) || eo != off)
		fail_msg("pattern \"%s\": got \"%s\" at %zu, want \"%s\" at "
			 "%zu", pat, err, eo, want, off);
	assert_int_equal(ep, 0);
	assert_false(rx_check(pat, strlen(pat), kind, 0, &eo, &msg));
	assert_string_equal(msg, want);
	assert_int_equal(eo, off);
	if (kind == RX_LUCENE) {
		eo = 99;
		assert_false(lit_check_regex(pat, strlen(pat), &eo, &msg));
		assert_string_equal(msg, want);
		assert_int_equal(eo, off);
	}
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* A small deterministic generator (xorshift). */
static uint64_t rng_state = 88172645463325252u;

static unsigned
rnd(unsigned n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (unsigned)(rng_state % n);
}

/* Reference wildcard matcher over bytes (ASCII patterns and inputs). */
static bool
glob(const char *p, const char *s)
{
	if (!*p)
		return !*s;
	if (*p == '*')
		return glob(p + 1, s) || (*s && glob(p, s + 1));
	if (!*s)
		return false;
	return (*p == '?' || *p == *s) && glob(p + 1, s + 1);
}

/* --- wildcards ------------------------------------------------------------- */

static void
test_wildcard_basic(void **state)
{
	(void)state;
	assert_true(W("", ""));
	assert_false(W("", "a"));
	assert_true(W("*", ""));
	assert_true(W("*", "anything at all"));
	assert_true(W("**", "x"));
	assert_true(W("abc", "abc"));
	assert_false(W("abc", "abcd"));
	assert_false(W("abc", "ab"));
	assert_true(W("a*b", "ab"));
	assert_true(W("a*b", "axxxb"));
	assert_false(W("a*b", "abx"));
	assert_true(W("*.exe", "cmd.exe"));
	assert_false(W("*.exe", "cmd.EXE"));
	assert_true(W("*a*b*c*", "xxaxxbxxcxx"));
	assert_false(W("*a*b*c*", "xxcxxbxxaxx"));
	/* ? is one unit */
	assert_true(W("?", "a"));
	assert_false(W("?", ""));
	assert_false(W("?", "ab"));
	assert_true(W("a?c", "abc"));
	assert_false(W("a?c", "ac"));
	/* . [ ( + are literals */
	assert_true(W("a.b", "a.b"));
	assert_false(W("a.b", "axb"));
	assert_true(W("[a]+(b)", "[a]+(b)"));
	/* NUL bytes are ordinary characters */
	assert_true(mlen("a*", RX_WILDCARD, 0, "a\0b", 3));
	assert_false(mlen("a?", RX_WILDCARD, 0, "a\0b", 3));
}

static void
test_wildcard_utf8(void **state)
{
	(void)state;
	assert_true(W("?", "\xc3\xa9"));                /* é, 2 bytes */
	assert_false(W("??", "\xc3\xa9"));
	assert_true(W("?", "\xe2\x82\xac"));            /* €, 3 bytes */
	assert_true(W("?", "\xf0\x9f\x98\x80"));        /* 😀, 4 bytes */
	assert_true(W("caf?", "caf\xc3\xa9"));
	assert_true(W("?\xe2\x82\xac?", "a\xe2\x82\xac" "b"));
	assert_true(W("*\xe2\x82\xac", "price in \xe2\x82\xac"));
	assert_false(W("\xc3\xa9", "e"));
}

/* Backslash is a literal: Windows paths work. */
static void
test_wildcard_backslash(void **state)
{
	(void)state;
	assert_true(W("C:\\Windows\\*", "C:\\Windows\\System32\\cmd.exe"));
	assert_false(W("C:\\Windows\\*", "C:/Windows/x"));
	assert_true(W("*\\temp\\*", "C:\\Users\\x\\AppData\\Local\\temp\\a"));
	/* \* is a backslash, then any run */
	assert_true(W("\\*", "\\"));
	assert_true(W("\\*", "\\abc"));
	assert_false(W("\\*", "*"));
	assert_false(W("\\*", "abc"));
	assert_true(W("\\?", "\\x"));
	assert_false(W("\\?", "?"));
	assert_true(W("a\\\\b", "a\\\\b"));
}

static void
test_wildcard_case(void **state)
{
	(void)state;
	assert_true(WI("*.EXE", "cmd.exe"));
	assert_true(WI("cmd.exe", "CMD.EXE"));
	assert_false(W("cmd.exe", "CMD.EXE"));
	/* Latin-1 */
	assert_true(WI("\xc3\xa4", "\xc3\x84"));                /* ä Ä */
	assert_true(WI("\xc3\x84", "\xc3\xa4"));
	assert_false(W("\xc3\xa4", "\xc3\x84"));
	assert_true(WI("\xc3\xbf", "\xc5\xb8"));                /* ÿ Ÿ */
	assert_true(WI("\xc2\xb5", "\xce\xbc"));                /* µ μ */
	assert_true(WI("\xc2\xb5", "\xce\x9c"));                /* µ Μ */
	/* Greek: Σ σ ς are one letter; ά Ά */
	assert_true(WI("\xce\xa3", "\xcf\x83"));
	assert_true(WI("\xcf\x83", "\xce\xa3"));
	assert_true(WI("\xce\xa3", "\xcf\x82"));
	assert_true(WI("\xcf\x82", "\xcf\x83"));
	assert_true(WI("\xce\xac", "\xce\x86"));
	assert_true(WI("\xce\xb8", "\xcf\x91"));                /* θ ϑ */
	/* Latin Extended-A */
	assert_true(WI("\xc5\x81\xc3\xb3" "d\xc5\xba", "\xc5\x82\xc3\x93" "D"
		       "\xc5\xb9"));                            /* Łódź */
	assert_true(WI("s", "\xc5\xbf"));                       /* ſ */
	assert_true(WI("S", "\xc5\xbf"));
	assert_true(WI("k", "\xe2\x84\xaa"));                   /* Kelvin */
	assert_true(WI("\xc3\x9f", "\xe1\xba\x9e"));            /* ß ẞ */
	/* dotted and dotless i fold to themselves only */
	assert_false(WI("i", "\xc4\xb0"));
	assert_false(WI("I", "\xc4\xb1"));
	assert_true(WI("\xc4\xb0", "\xc4\xb0"));
	/* no full folding: ß is not ss */
	assert_false(WI("stra\xc3\x9f" "e", "STRASSE"));
	/* Cyrillic */
	assert_true(WI("\xd0\xbf\xd1\x80\xd0\xb8\xd0\xb2\xd0\xb5\xd1\x82",
		       "\xd0\x9f\xd0\xa0\xd0\x98\xd0\x92\xd0\x95\xd0\xa2"));
	assert_true(WI("\xd1\x91", "\xd0\x81"));                /* ё Ё */
	assert_true(WI("\xd1\xa1", "\xd1\xa0"));                /* ѡ Ѡ */
	assert_true(WI("*\xd0\xb2\xd0\xb8\xd1\x80\xd1\x83\xd1\x81*",
		       "\xd0\x92\xd0\x98\xd0\xa0\xd0\xa3\xd0\xa1.exe"));
	/* ? and * still count units */
	assert_true(WI("?", "\xc3\x84"));
}

/* Invalid bytes are single units that only wildcards, '.', negated
 * classes and complements match. */
static void
test_invalid_utf8(void **state)
{
	(void)state;
	assert_true(W("?", "\xff"));
	assert_true(W("*", "\xff\xfe"));
	assert_true(W("a?b", "a\xff" "b"));
	assert_true(W("??", "\xe2\x82"));               /* truncated: 2 units */
	assert_false(W("?", "\xe2\x82"));
	assert_true(W("???", "\xed\xa0\x80"));          /* surrogate: 3 */
	assert_true(W("??", "\xc0\xaf"));               /* overlong: 2 */
	assert_true(W("????", "\xf4\x90\x80\x80"));     /* > U+10FFFF */
	assert_true(W("?\xe2\x82\xac", "\x80\xe2\x82\xac"));
	/* a literal U+FFFD is not an invalid byte */
	assert_false(W("\xef\xbf\xbd", "\xff"));
	assert_true(W("\xef\xbf\xbd", "\xef\xbf\xbd"));
	assert_true(L(".", "\xff"));
	/* an empty language has no transitions at all (fuzzing found the
	 * universal-state scan reading past a NULL table) */
	assert_false(L("a&b", ""));
	assert_false(L("a&b", "a"));
	assert_false(L("[a-z]+\\.&xe", "a.xe"));
	assert_true(L("[^a]", "\xff"));
	assert_true(L("\\D", "\xff"));
	assert_true(L("\\W\\S", "\xff\xfe"));
	assert_false(L("[\x01-\xf4\x8f\xbf\xbf]", "\xff"));
	assert_true(L("~(a)", "\xff"));
	assert_true(L("@", "\xff"));
	assert_true(L("a.c", "a\xc3\xa9" "c"));
	assert_false(L("a..c", "a\xc3\xa9" "c"));
}

/* --- Lucene ------------------------------------------------------------------ */

static void
test_lucene_operators(void **state)
{
	(void)state;
	assert_true(L("", ""));
	assert_false(L("", "a"));
	assert_true(L("()", ""));
	assert_true(L("a()b", "ab"));
	assert_true(L("abc", "abc"));
	assert_true(L("a|b|c", "b"));
	assert_false(L("a|b|c", "d"));
	assert_true(L("ab|cd", "cd"));
	assert_false(L("ab|cd", "ad"));
	assert_true(L("ab?c", "ac"));
	assert_true(L("ab?c", "abc"));
	assert_false(L("ab?c", "abbc"));
	assert_true(L("ab*c", "ac"));
	assert_true(L("ab*c", "abbbbc"));
	assert_false(L("ab+c", "ac"));
	assert_true(L("ab+c", "abbc"));
	assert_false(L("a{2}", "a"));
	assert_true(L("a{2}", "aa"));
	assert_false(L("a{2}", "aaa"));
	assert_true(L("a{2,}", "aaaaa"));
	assert_false(L("a{2,}", "a"));
	assert_true(L("a{2,3}", "aaa"));
	assert_false(L("a{2,3}", "aaaa"));
	assert_true(L("a{0}b", "b"));
	assert_false(L("a{3,2}", "aa"));        /* n > m: the empty language */
	assert_false(L("a{3,2}", "aaa"));
	assert_true(L("a{3,2}|b", "b"));
	assert_true(L("(ab)+", "ababab"));
	assert_false(L("(ab)+", "aba"));
	assert_true(L("((a|b)c)*", "acbcac"));
	assert_true(L("(a(b(c)?)?)?d", "abd"));
	/* nested repetition */
	assert_true(L("(a{2}){3}", "aaaaaa"));
	assert_false(L("(a{2}){3}", "aaaaa"));
	assert_true(L("((ab){1,2}c){2}", "abcababc"));
	assert_true(L("a**", "aaa"));
	assert_true(L("a*?", ""));
	assert_true(L("(a|b)+?c", "abbac"));
	/* . and classes */
	assert_true(L("a.c", "abc"));
	assert_false(L("a.c", "ac"));
	assert_true(L("[a-c]+", "abcba"));
	assert_false(L("[a-c]+", "abd"));
	assert_true(L("[^a-c]", "d"));
	assert_false(L("[^a-c]", "b"));
	assert_true(L("[a-cx-z0]", "y"));
	assert_true(L("[a-cx-z0]", "0"));
	assert_true(L("[]a]", "]"));            /* a leading ] is a member */
	assert_true(L("[-a]", "-"));
	assert_true(L("[a-z-]", "-"));
	assert_true(L("[a\\]]", "]"));
	assert_true(L("[\\^a]", "^"));
	assert_true(L("[a^]", "^"));
	assert_true(L("[\xc3\xa0-\xc3\xbf]", "\xc3\xa9"));
	assert_true(L("[a-z]+\\.exe", "cmd.exe"));
	/* escapes */
	assert_true(L("a\\.b", "a.b"));
	assert_false(L("a\\.b", "axb"));
	assert_true(L("\\\\", "\\"));
	assert_true(L("\\*", "*"));
	assert_true(L("\\\"", "\""));
	assert_true(L("\\<", "<"));
	assert_true(L("\\@\\#\\~\\&", "@#~&"));
	assert_true(L("C:\\\\Windows\\\\.*\\.exe",
		      "C:\\Windows\\System32\\cmd.exe"));
	/* quoted strings */
	assert_true(L("\"a.b*\"", "a.b*"));
	assert_false(L("\"a.b\"", "axb"));
	assert_true(L("\"\"", ""));
	assert_true(L("x\"\\\"", "x\\"));      /* no escapes inside quotes */
	assert_true(L("\"ab\"+", "abab"));
	/* @ # */
	assert_true(L("@", ""));
	assert_true(L("@", "anything"));
	assert_true(L("a@", "abc"));
	assert_false(L("a@", "bc"));
	assert_false(L("#", ""));
	assert_false(L("#", "a"));
	assert_true(L("a|#", "a"));
	assert_false(L("a#", "a"));
	/* anchored: ^ and $ are literals */
	assert_false(L("ab", "abc"));
	assert_false(L("ab", "xab"));
	assert_true(L("^ab$", "^ab$"));
	assert_false(L("^ab$", "ab"));
}

static void
test_lucene_complement_intersection(void **state)
{
	(void)state;
	assert_true(L("~(abc)", ""));
	assert_true(L("~(abc)", "ab"));
	assert_true(L("~(abc)", "abcd"));
	assert_false(L("~(abc)", "abc"));
	assert_true(L("~(a*)", "b"));
	assert_false(L("~(a*)", "aaa"));
	assert_false(L("~(a*)", ""));
	assert_true(L("a~(b)c", "ac"));
	assert_true(L("a~(b)c", "abbc"));
	assert_false(L("a~(b)c", "abc"));
	assert_true(L("~~a", "a"));
	assert_false(L("~~a", "b"));
	assert_true(L("~a*", "bab"));           /* (~a)*: ~ binds tighter */
	assert_true(L("~#", "x"));
	assert_false(L("~@", ""));
	assert_true(L("a.*&.*b", "ab"));
	assert_true(L("a.*&.*b", "axyzb"));
	assert_false(L("a.*&.*b", "ba"));
	assert_false(L("a.*&.*b", "axyz"));
	/* no two a in a row */
	assert_true(L("(a|b)*&~(.*aa.*)", "ababba"));
	assert_false(L("(a|b)*&~(.*aa.*)", "abaab"));
	/* & binds looser than concatenation, tighter than | */
	assert_true(L("ab&ab|c", "c"));
	assert_true(L("ab&ab|c", "ab"));
	assert_true(L("a&b|b", "b"));
	assert_false(L("a&b", "a"));
	assert_true(L("@&~(.*x.*)", "abc"));
	assert_false(L("@&~(.*x.*)", "axc"));
	/* inside repetitions, embedded each time */
	assert_true(L("(~(a)b){3}", "bbaabcb"));
	assert_true(L("(~(a)b){3}", "bbb"));
	assert_false(L("(~(a)b){3}", "abbb"));
	assert_true(L("(.*&...)*", "abcdef"));
	assert_false(L("(.*&...)*", "abcdefg"));
	/* complement of a union of many */
	assert_true(L("~(a|b|c|d)&.", "e"));
	assert_false(L("~(a|b|c|d)&.", "c"));
	assert_false(L("~(a|b|c|d)&.", "ee"));
}

static void
test_lucene_classes(void **state)
{
	(void)state;
	/* the predefined classes of Lucene >= 8.6 */
	assert_true(L("\\d+", "0123456789"));
	assert_false(L("\\d+", "12a"));
	assert_true(L("\\D", "a"));
	assert_false(L("\\D", "5"));
	assert_true(L("\\s", " "));
	assert_true(L("\\s", "\t"));
	assert_true(L("\\s", "\n"));
	assert_true(L("\\s", "\r"));
	assert_false(L("\\s", "\f"));
	assert_true(L("\\S", "x"));
	assert_false(L("\\S", " "));
	assert_true(L("\\w+", "Ab_9"));
	assert_false(L("\\w", "-"));
	assert_false(L("\\w", "\xc3\xa9"));
	assert_true(L("\\W", "-"));
	assert_true(L("\\W", "\xc3\xa9"));
	assert_true(L("[\\d.]+", "1.2.3"));
	assert_true(L("[\\s,]+", " ,\t"));
	assert_true(L("[^\\d]", "x"));
	assert_false(L("[^\\d]", "4"));
	assert_true(L("[\\d-z]", "-"));        /* no range after a class */
	assert_true(L("[\\\\-a]", "-"));       /* nor after \\ */
	assert_true(L("[a-\\d]", "c"));        /* after '-' a plain escape */
	assert_true(L("net1\\s+\\w{4,15}\\s+.*",
		      "net1 localgroup administrators"));
}

/* What Lucene does where other syntaxes differ. */
static void
test_lucene_quirks(void **state)
{
	(void)state;
	/* a metacharacter where an operand is expected is a literal */
	assert_true(L("*a", "*a"));
	assert_true(L("+", "+"));
	assert_true(L("?", "?"));
	assert_true(L("{a}", "{a}"));
	assert_true(L("|a", "|a"));
	assert_false(L("|a", "a"));
	assert_true(L(")", ")"));
	assert_true(L("a||b", "|b"));
	assert_true(L("a||b", "a"));
	assert_false(L("a||b", "b"));
	assert_true(L("(|a)", "|a"));
	assert_true(L("&a", "&a"));
	assert_true(L("]", "]"));
	assert_true(L("}", "}"));
	assert_true(L("-", "-"));
	assert_true(L(">", ">"));
	/* numeric intervals */
	assert_true(L("<1-100>", "1"));
	assert_true(L("<1-100>", "50"));
	assert_true(L("<1-100>", "100"));
	assert_true(L("<1-100>", "007"));       /* any leading zeros */
	assert_true(L("<1-100>", "0100"));
	assert_false(L("<1-100>", "101"));
	assert_false(L("<1-100>", "0"));
	assert_false(L("<1-100>", ""));
	assert_false(L("<1-100>", "1a"));
	assert_true(L("<01-10>", "01"));
	assert_true(L("<01-10>", "05"));
	assert_true(L("<01-10>", "10"));
	assert_false(L("<01-10>", "5"));        /* same width: fixed */
	assert_false(L("<01-10>", "005"));
	assert_false(L("<01-10>", "11"));
	assert_false(L("<01-10>", "00"));
	assert_true(L("<1-9>", "5"));
	assert_false(L("<1-9>", "05"));
	assert_true(L("<0-5>", "0"));
	assert_false(L("<0-5>", "000"));        /* same width: fixed */
	assert_true(L("<0-10>", "000"));
	assert_true(L("<0-10>", "0010"));
	assert_true(L("<10-1>", "7"));          /* swapped */
	assert_true(L("<5-5>", "5"));
	assert_true(L("<+1-20>", "15"));        /* Integer.parseInt takes '+' */
	assert_true(L("<0-2147483647>", "2147483647"));
	assert_false(L("<0-2147483647>", "2147483648"));
	assert_true(L("<123-4567>", "999"));
	assert_true(L("<123-4567>", "4567"));
	assert_false(L("<123-4567>", "122"));
	assert_false(L("<123-4567>", "4568"));
	assert_true(L("<0090-0100>", "0095"));
	assert_false(L("<0090-0100>", "95"));
	assert_true(L("port<1-1023>|x", "port80"));
	/* an exhaustive check of two intervals */
	{
		char buf[16];
		int i;

		for (i = 0; i < 1200; i++) {
			snprintf(buf, sizeof buf, "%d", i);
			assert_int_equal(L("<17-1033>", buf),
					 i >= 17 && i <= 1033);
			snprintf(buf, sizeof buf, "%04d", i);
			assert_int_equal(L("<0017-1033>", buf),
					 i >= 17 && i <= 1033);
			snprintf(buf, sizeof buf, "0%d", i);
			assert_int_equal(L("<17-1033>", buf),
					 i >= 17 && i <= 1033);
		}
	}
}

static void
test_lucene_case(void **state)
{
	(void)state;
	assert_true(LI("abc", "ABC"));
	assert_true(LI("aBc", "AbC"));
	assert_false(L("abc", "ABC"));
	assert_true(LI("[abc]+", "CAB"));
	assert_true(LI("\"net1\"", "NET1"));
	assert_true(LI(".*net1.*", "C:\\NET1.EXE"));
	assert_false(LI("[^a]", "A"));          /* the class folds first */
	/* ranges and predefined classes do not fold (as in Lucene) */
	assert_false(LI("[a-c]", "B"));
	assert_true(LI("[a-c]", "b"));
	assert_true(LI("[a-cB]", "b"));
	/* ASCII only */
	assert_false(LI("\xc3\xa9", "\xc3\x89"));
	assert_true(LI("~(abc)", "abd"));
	assert_false(LI("~(abc)", "ABC"));
}

/* --- unions ---------------------------------------------------------------- */

static const char *const words[] = {
	"cmd", "powershell", "rundll32", "regsvr32", "mshta", "wscript",
	"cscript", "certutil", "bitsadmin", "schtasks", "net", "net1",
	"whoami", "temp", "appdata", "local", "roaming", "system32",
	"windows", "users", "public", "programdata", "svchost", "explorer",
	"lsass", "winlogon", "taskhost", "update", "chrome", "firefox",
};
#define NWORDS (sizeof words / sizeof *words)

/* A random wildcard pattern built from words, '\', '.', '*' and '?'. */
static void
random_pattern(char *buf, size_t cap)
{
	size_t n = 0, parts = 1 + rnd(4), i;

	buf[0] = '\0';
	for (i = 0; i < parts; i++) {
		const char *w = words[rnd(NWORDS)];
		const char *sep[] = { "*", "\\", "*\\", "\\*\\", "?", ".", "" };
		int k = snprintf(buf + n, cap - n, "%s%s", sep[rnd(7)], w);
		if (k < 0 || (size_t)k >= cap - n)
			break;
		n += (size_t)k;
	}
	if (rnd(3) == 0 && n + 2 < cap) {
		buf[n++] = rnd(2) ? '*' : '?';
		buf[n] = '\0';
	}
}

/* A random path-like string, sometimes containing words. */
static void
random_path(char *buf, size_t cap)
{
	size_t n = 0, parts = 1 + rnd(6), i;

	for (i = 0; i < parts; i++) {
		int k;
		if (rnd(4) == 0)
			k = snprintf(buf + n, cap - n, "%s%c", "\\",
				     "abcdex.?*\\"[rnd(10)]);
		else
			k = snprintf(buf + n, cap - n, "%s%s",
				     rnd(2) ? "\\" : ".", words[rnd(NWORDS)]);
		if (k < 0 || (size_t)k >= cap - n)
			break;
		n += (size_t)k;
	}
	buf[n] = '\0';
}

static void
test_union_many(void **state)
{
	enum { NPAT = 300, NSTR = 3000 };
	static char pats[NPAT][64];
	struct rx_pattern p[NPAT];
	char s[256], err[100];
	struct rx *all, *some;
	struct rx_stats st;
	size_t i, j;
	int hits = 0;

	(void)state;
	for (i = 0; i < NPAT; i++) {
		random_pattern(pats[i], sizeof pats[i]);
		p[i].s = pats[i];
		p[i].len = strlen(pats[i]);
		p[i].kind = RX_WILDCARD;
	}
	all = rx_compile(p, NPAT, 0, err, sizeof err, NULL, NULL);
	assert_non_null(all);
	some = rx_compile(p, 7, 0, err, sizeof err, NULL, NULL);
	assert_non_null(some);
	for (i = 0; i < NSTR; i++) {
		bool want = false, want7 = false;

		if (i % 3 == 0) {
			/* a string made to match one pattern */
			const char *q = pats[rnd(NPAT)];
			size_t n = 0;
			for (; *q && n + 8 < sizeof s; q++) {
				if (*q == '*')
					n += (size_t)snprintf(s + n, sizeof s - n,
							      "%s", rnd(2) ? "x\\y" : "");
				else if (*q == '?')
					s[n++] = 'q';
				else
					s[n++] = *q;
			}
			s[n] = '\0';
		} else {
			random_path(s, sizeof s);
		}
		for (j = 0; j < NPAT && !want; j++)
			want = glob(pats[j], s);
		for (j = 0; j < 7 && !want7; j++)
			want7 = glob(pats[j], s);
		if (rx_match(all, s, strlen(s)) != want)
			fail_msg("union of %d: \"%s\" should %smatch", NPAT, s,
				 want ? "" : "not ");
		assert_int_equal(rx_match(some, s, strlen(s)), want7);
		hits += want;
	}
	assert_true(hits > NSTR / 4);
	rx_get_stats(all, &st);
	assert_true(st.dfa_states > 0);
	rx_free(all);
	rx_free(some);
	/* n == 0: nothing matches */
	all = rx_compile(p, 0, 0, err, sizeof err, NULL, NULL);
	assert_non_null(all);
	assert_false(rx_match(all, "", 0));
	assert_false(rx_match(all, "a", 1));
	rx_free(all);
	/* a union mixing wildcards and regexes, case-folded */
	{
		struct rx_pattern q[3] = {
			{ "*.EXE", 5, RX_WILDCARD },
			{ "[a-z]+\\.dll", 11, RX_LUCENE },
			{ "\\d+", 3, RX_LUCENE },
		};
		all = rx_compile(q, 3, RX_CI, err, sizeof err, NULL, NULL);
		assert_non_null(all);
		assert_true(rx_match(all, "a.exe", 5));
		assert_true(rx_match(all, "ab.DLL", 6));
		assert_false(rx_match(all, "AB.dll", 6));
		assert_true(rx_match(all, "42", 2));
		assert_false(rx_match(all, "4x", 2));
		rx_free(all);
	}
}

/* Random wildcards with a small alphabet against the reference. */
static void
test_wildcard_random(void **state)
{
	int round;

	(void)state;
	for (round = 0; round < 400; round++) {
		char pat[12], s[12];
		size_t n = rnd(8), i, k;
		struct rx *rx;

		for (i = 0; i < n; i++)
			pat[i] = "ab*?\\"[rnd(5)];
		pat[n] = '\0';
		rx = comp(pat, RX_WILDCARD, 0);
		for (k = 0; k < 60; k++) {
			size_t len = rnd(9);
			for (i = 0; i < len; i++)
				s[i] = "ab\\*"[rnd(4)];
			s[len] = '\0';
			if (rx_match(rx, s, len) != glob(pat, s))
				fail_msg("\"%s\" on \"%s\"", pat, s);
		}
		rx_free(rx);
	}
}

/* --- random Lucene expressions against a reference evaluator ------------- */

enum { R_CHAR, R_DOT, R_CLASS, R_NCLASS, R_EMPTY, R_NONE, R_ANY, R_CAT,
       R_ALT, R_STAR, R_PLUS, R_OPT, R_REP, R_AND, R_NOT };

struct rnode {
	int op;
	int a, b;       /* kids */
	int c;          /* R_CHAR, R_CLASS: the letter; R_REP: min */
	int max;
};

struct rtree {
	struct rnode n[64];
	int nn;
	const char *s;  /* the string being evaluated */
	signed char memo[64][9][9];
};

static int
gen(struct rtree *t, int depth)
{
	int x, op;

	if (t->nn >= 60)
		return -1;
	op = depth <= 0 ? (int)rnd(7) : (int)rnd(15);
	x = t->nn++;
	t->n[x].op = op;
	t->n[x].c = 'a' + (int)rnd(2);
	t->n[x].a = t->n[x].b = -1;
	if (op >= R_CAT) {
		t->n[x].a = gen(t, depth - 1);
		if (t->n[x].a < 0) {
			t->n[x].op = R_CHAR;
			return x;
		}
	}
	if (op == R_CAT || op == R_ALT || op == R_AND) {
		t->n[x].b = gen(t, depth - 1);
		if (t->n[x].b < 0)
			t->n[x].op = R_OPT;
	}
	if (op == R_REP) {
		t->n[x].c = (int)rnd(3);
		t->n[x].max = t->n[x].c + (int)rnd(3);
	}
	return x;
}

static void
show(const struct rtree *t, int x, char *buf, size_t cap, size_t *n)
{
	const struct rnode *r = &t->n[x];
	char tmp[16];

#define PUT(str) (*n += (size_t)snprintf(buf + *n, cap - *n, "%s", (str)))
	switch (r->op) {
	case R_CHAR: tmp[0] = (char)r->c; tmp[1] = 0; PUT(tmp); break;
	case R_DOT: PUT("."); break;
	case R_CLASS: PUT(r->c == 'a' ? "[ab]" : "[b]"); break;
	case R_NCLASS: PUT(r->c == 'a' ? "[^a]" : "[^ab]"); break;
	case R_EMPTY: PUT("()"); break;
	case R_NONE: PUT("#"); break;
	case R_ANY: PUT("@"); break;
	case R_CAT: case R_ALT: case R_AND:
		PUT("(");
		show(t, r->a, buf, cap, n);
		PUT(r->op == R_CAT ? "" : r->op == R_ALT ? "|" : "&");
		show(t, r->b, buf, cap, n);
		PUT(")");
		break;
	case R_STAR: case R_PLUS: case R_OPT: case R_REP:
		PUT("(");
		show(t, r->a, buf, cap, n);
		PUT(")");
		if (r->op == R_REP) {
			snprintf(tmp, sizeof tmp, "{%d,%d}", r->c, r->max);
			PUT(tmp);
		} else {
			PUT(r->op == R_STAR ? "*" : r->op == R_PLUS ? "+"
								      : "?");
		}
		break;
	case R_NOT:
		PUT("~(");
		show(t, r->a, buf, cap, n);
		PUT(")");
		break;
	}
#undef PUT
}

static bool ev(struct rtree *t, int x, int i, int j);

/* x repeated between min and max times (max < 0: unbounded) on [i, j). */
static bool
ev_rep(struct rtree *t, int x, int min, int max, int i, int j)
{
	int k;

	if (min <= 0 && i == j)
		return true;
	if (max == 0)
		return false;
	for (k = i + 1; k <= j; k++)
		if (ev(t, x, i, k) &&
		    ev_rep(t, x, min - 1, max < 0 ? -1 : max - 1, k, j))
			return true;
	/* an empty iteration only helps to reach the minimum */
	if (min > 0 && ev(t, x, i, i))
		return ev_rep(t, x, min - 1, max < 0 ? -1 : max - 1, i, j);
	return false;
}

/* Does node x match s[i..j)? */
static bool
ev(struct rtree *t, int x, int i, int j)
{
	const struct rnode *r = &t->n[x];
	signed char *m = &t->memo[x][i][j];
	bool v = false;
	int k;

	if (*m >= 0)
		return *m;
	switch (r->op) {
	case R_CHAR: v = j == i + 1 && t->s[i] == r->c; break;
	case R_DOT: v = j == i + 1; break;
	case R_CLASS:
		v = j == i + 1 && (t->s[i] == 'b' || r->c == 'a');
		break;
	case R_NCLASS:
		v = j == i + 1 && r->c == 'a' && t->s[i] != 'a';
		break;
	case R_EMPTY: v = i == j; break;
	case R_NONE: v = false; break;
	case R_ANY: v = true; break;
	case R_CAT:
		for (k = i; k <= j && !v; k++)
			v = ev(t, r->a, i, k) && ev(t, r->b, k, j);
		break;
	case R_ALT: v = ev(t, r->a, i, j) || ev(t, r->b, i, j); break;
	case R_AND: v = ev(t, r->a, i, j) && ev(t, r->b, i, j); break;
	case R_NOT: v = !ev(t, r->a, i, j); break;
	case R_STAR: v = ev_rep(t, r->a, 0, -1, i, j); break;
	case R_PLUS: v = ev_rep(t, r->a, 1, -1, i, j); break;
	case R_OPT: v = i == j || ev(t, r->a, i, j); break;
	case R_REP: v = ev_rep(t, r->a, r->c, r->max, i, j); break;
	}
	*m = v;
	return v;
}

static void
test_lucene_random(void **state)
{
	int round, checked = 0;

	(void)state;
	for (round = 0; round < 300; round++) {
		static struct rtree t;
		char pat[512];
		size_t n = 0;
		int root, len;
		unsigned bits;
		struct rx *rx;

		t.nn = 0;
		root = gen(&t, 1 + (int)rnd(4));
		show(&t, root, pat, sizeof pat, &n);
		rx = comp(pat, RX_LUCENE, 0);
		for (len = 0; len <= 6; len++)
			for (bits = 0; bits < (1u << len); bits++) {
				char s[8];
				int i;

				for (i = 0; i < len; i++)
					s[i] = bits >> i & 1 ? 'b' : 'a';
				s[len] = '\0';
				t.s = s;
				memset(t.memo, -1, sizeof t.memo);
				if (rx_match(rx, s, (size_t)len) !=
				    ev(&t, root, 0, len))
					fail_msg("/%s/ on \"%s\": want %d", pat,
						 s, ev(&t, root, 0, len));
				checked++;
			}
		rx_free(rx);
	}
	assert_true(checked > 30000);
}

/* --- time and space -------------------------------------------------------- */

static void
test_pathological(void **state)
{
	enum { N = 100000 };
	char *s = malloc(N + 1);
	static const char *const lucene[] = {
		"(a|aa)*b", "(a*)*b", "(a|a)*b", "(a*a*a*a*a*)*b", "(.*a){20}b",
		"(a?){30}(a|b)*b", "((a+)+)+b", ".*.*.*.*.*b",
	};
	double t0, dt;
	size_t i;
	struct rx *rx;

	(void)state;
	assert_non_null(s);
	memset(s, 'a', N);
	s[N] = '\0';
	t0 = now();
	for (i = 0; i < sizeof lucene / sizeof *lucene; i++) {
		rx = comp(lucene[i], RX_LUCENE, 0);
		assert_false(rx_match(rx, s, N));
		s[N - 1] = 'b';
		assert_true(rx_match(rx, s, N));
		s[N - 1] = 'a';
		rx_free(rx);
	}
	rx = comp("*a*a*a*a*a*a*a*a*a*a*b", RX_WILDCARD, 0);
	assert_false(rx_match(rx, s, N));
	rx_free(rx);
	rx = comp("(a|aa)*", RX_LUCENE, 0);
	assert_true(rx_match(rx, s, N));
	rx_free(rx);
	dt = now() - t0;
	/* linear: 10 patterns x 100,000 bytes take milliseconds */
	if (dt > 1.0)
		fail_msg("pathological patterns took %.3f s", dt);
	free(s);
}

/* A cache too small for the work still gives the right answers. */
static void
test_cache_flush(void **state)
{
	enum { NPAT = 60 };
	static char pats[NPAT][64];
	struct rx_pattern p[NPAT];
	struct rx *rx;
	struct rx_stats st;
	char s[256];
	size_t i, j;

	(void)state;
	for (i = 0; i < NPAT; i++) {
		random_pattern(pats[i], sizeof pats[i]);
		p[i].s = pats[i];
		p[i].len = strlen(pats[i]);
		p[i].kind = RX_WILDCARD;
	}
	rx = rx_compile(p, NPAT, 0, NULL, 0, NULL, NULL);
	assert_non_null(rx);
	rx_set_cache_limit(rx, 0);
	for (i = 0; i < 2000; i++) {
		bool want = false;

		random_path(s, sizeof s);
		for (j = 0; j < NPAT && !want; j++)
			want = glob(pats[j], s);
		assert_int_equal(rx_match(rx, s, strlen(s)), want);
	}
	rx_get_stats(rx, &st);
	assert_true(st.flushes > 0);
	assert_true(st.dfa_states <= 8);
	rx_free(rx);
}

/* --- errors ---------------------------------------------------------------- */

static void
test_errors(void **state)
{
	char deep[512];
	size_t i;

	(void)state;
	/* the messages the linter has always printed */
	refused("a(b", RX_LUCENE, "unclosed '(' group", 3);
	refused(".*-e(nc|ncodedcommand .*", RX_LUCENE, "unclosed '(' group",
		24);
	refused("[abc", RX_LUCENE, "unclosed '[' character class", 0);
	refused("x{2,", RX_LUCENE, "malformed repetition {n}, {n,} or {n,m}",
		1);
	refused("a)", RX_LUCENE, "')' without '('", 1);
	refused("(a))", RX_LUCENE, "')' without '('", 3);
	refused("(", RX_LUCENE, "unclosed '(' group", 1);
	refused("(a|", RX_LUCENE, "unclosed '(' group", 3);
	refused("ab\\", RX_LUCENE, "'\\' at the end of the pattern", 2);
	refused("x\"abc", RX_LUCENE, "unclosed '\"' quoted string", 1);
	/* operators with nothing after them */
	refused("a|", RX_LUCENE, "'|' at the end of the pattern", 2);
	refused("a&", RX_LUCENE, "'&' at the end of the pattern", 2);
	refused("~", RX_LUCENE, "'~' at the end of the pattern", 1);
	refused("a~", RX_LUCENE, "'~' at the end of the pattern", 2);
	/* repetitions */
	refused("a{,3}", RX_LUCENE, "malformed repetition {n}, {n,} or {n,m}",
		1);
	refused("a{2", RX_LUCENE, "malformed repetition {n}, {n,} or {n,m}", 1);
	refused("a{2,3", RX_LUCENE, "malformed repetition {n}, {n,} or {n,m}",
		1);
	refused("a{x}", RX_LUCENE, "malformed repetition {n}, {n,} or {n,m}",
		1);
	refused("ab{99999999999}", RX_LUCENE,
		"repetition count over 2147483647", 2);
	/* classes */
	refused("[", RX_LUCENE, "unclosed '[' character class", 0);
	refused("x[]", RX_LUCENE, "unclosed '[' character class", 1);
	refused("[^]", RX_LUCENE, "unclosed '[' character class", 0);
	refused("[a-", RX_LUCENE, "unclosed '[' character class", 0);
	refused("[a\\", RX_LUCENE, "unclosed '[' character class", 0);
	refused("x[z-a]", RX_LUCENE, "character range out of order", 2);
	refused("[a-]", RX_LUCENE, "character range out of order", 1);
	/* escapes of letters other than the classes */
	refused("\\q", RX_LUCENE, "'\\' before a letter must be one of the "
		"classes \\d \\D \\s \\S \\w \\W", 0);
	refused("a\\n", RX_LUCENE, "'\\' before a letter must be one of the "
		"classes \\d \\D \\s \\S \\w \\W", 1);
	refused("[a\\t]", RX_LUCENE, "'\\' before a letter must be one of the "
		"classes \\d \\D \\s \\S \\w \\W", 2);
	/* intervals */
	refused("<1-", RX_LUCENE, "'<' must start a numeric interval <n-m> "
		"(write '\\<' for the character)", 0);
	refused("x<a>", RX_LUCENE, "'<' must start a numeric interval <n-m> "
		"(write '\\<' for the character)", 1);
	refused("<>", RX_LUCENE, "'<' must start a numeric interval <n-m> "
		"(write '\\<' for the character)", 0);
	refused("<1-2-3>", RX_LUCENE, "'<' must start a numeric interval <n-m> "
		"(write '\\<' for the character)", 0);
	refused("<-5>", RX_LUCENE, "'<' must start a numeric interval <n-m> "
		"(write '\\<' for the character)", 0);
	refused("<5->", RX_LUCENE, "'<' must start a numeric interval <n-m> "
		"(write '\\<' for the character)", 0);
	refused("< 1-5>", RX_LUCENE, "'<' must start a numeric interval <n-m> "
		"(write '\\<' for the character)", 0);
	refused("ab<1-99999999999>", RX_LUCENE, "a bound of the numeric "
		"interval is over 2147483647", 2);
	/* UTF-8 */
	refused("a\xff", RX_LUCENE, "the pattern is not valid UTF-8", 1);
	refused("ab\xc3", RX_WILDCARD, "the pattern is not valid UTF-8", 2);
	refused("[\xe2\x82]", RX_LUCENE, "the pattern is not valid UTF-8", 1);
	/* nesting */
	for (i = 0; i < 101; i++)
		deep[i] = '(';
	deep[101] = 'a';
	for (i = 0; i < 101; i++)
		deep[102 + i] = ')';
	deep[203] = '\0';
	refused(deep, RX_LUCENE, "groups nested too deeply", 100);
	deep[0] = 'x';          /* 100 groups are fine */
	deep[202] = '\0';
	assert_true(L(deep, "xa"));
	/* 450 complements: the 400th from the inside is refused */
	memset(deep, '~', 450);
	strcpy(deep + 450, "a");
	refused(deep, RX_LUCENE, "operators nested too deeply", 50);
	/* the index of the bad pattern in a list */
	{
		struct rx_pattern p[3] = {
			{ "a*", 2, RX_WILDCARD },
			{ "b", 1, RX_LUCENE },
			{ "c[", 2, RX_LUCENE },
		};
		char err[100];
		size_t ep = 0, eo = 0;

		assert_null(rx_compile(p, 3, 0, err, sizeof err, &ep, &eo));
		assert_string_equal(err, "unclosed '[' character class");
		assert_int_equal(ep, 2);
		assert_int_equal(eo, 1);
		/* err, errpat and erroff may be left out */
		assert_null(rx_compile(p, 3, 0, NULL, 0, NULL, NULL));
		/* a short buffer is truncated, not overrun */
		assert_null(rx_compile(p, 3, 0, err, 5, NULL, NULL));
		assert_string_equal(err, "uncl");
	}
	/* accepted by Lucene although other syntaxes refuse them */
	assert_true(rx_check("*a", 2, RX_LUCENE, 0, &i, &(const char *){ 0 }));
	assert_true(rx_check("a{3,2}", 6, RX_LUCENE, 0, &i,
			     &(const char *){ 0 }));
}

/* Lucene caps determinization at 10,000 states; ~ and & need it. */
static void
test_state_caps(void **state)
{
	char big[32];

	(void)state;
	/* .*a.{k} needs 2^(k+1) DFA states */
	refused("~(.*a.{20})", RX_LUCENE, "regular expression too complex", 0);
	refused("x(.*a.{20})&b", RX_LUCENE, "regular expression too complex",
		11);
	refused("(a|b)~(.*a.{14})", RX_LUCENE,
		"regular expression too complex", 5);
	/* the product is capped too */
	refused("(.*a.{7})&(.*b.{6})&(.*c.{5})", RX_LUCENE,
		"regular expression too complex", 9);
	/* within the cap */
	assert_false(L("~(.*a.{8})", "abbbbbbbb"));
	assert_true(L("~(.*a.{8})", "abbbbbbb"));
	assert_true(L("~(.*a.{8})", "bbbbbbbbbbbbb"));
	/* the NFA is capped (large counted repetitions) */
	refused("xa{300000}", RX_LUCENE, "regular expression too complex", 2);
	refused("(a{1000}){1000}", RX_LUCENE,
		"regular expression too complex", 9);
	snprintf(big, sizeof big, "a{%d}", 1000);
	assert_true(rx_check(big, strlen(big), RX_LUCENE, 0,
			     &(size_t){ 0 }, &(const char *){ 0 }));
	/* an empty repetition costs nothing however large */
	assert_true(L("(){2000000000}x", "x"));
	assert_true(L("#{0,2000000000}x", "x"));
	/* but what is matched stays linear: a lazy DFA has no cap */
	assert_true(L("(a|b)*a(a|b){20}", "babbbbbbbbbbbbbbbbbbbb"));
	assert_false(L("(a|b)*a(a|b){20}", "bbbbbbbbbbbbbbbbbbbbbb"));
}

/* --- allocation failures --------------------------------------------------- */

struct budget {
	size_t left;            /* allocations still allowed */
	size_t count;           /* attempted */
	long live;              /* allocated and not released */
};

static void *
limited_alloc(void *ud, size_t n)
{
	struct budget *b = ud;
	void *p;

	b->count++;
	if (b->left == 0)
		return NULL;
	if (b->left != SIZE_MAX)
		b->left--;
	p = malloc(n);
	if (p)
		b->live++;
	return p;
}

static void
limited_release(void *ud, void *p)
{
	struct budget *b = ud;

	b->live--;
	free(p);
}

static void
test_out_of_memory(void **state)
{
	static const char *const text[] = {
		"*\\temp\\*.exe", "\xc3\x84*\xce\xa3", "(a|b)*&~(.*aa.*)",
		"<1-100>x[^a-c]\\d{2,3}", "~(abc)|\"q\"@",
	};
	struct rx_pattern p[5];
	static const char *const inputs[] = {
		"c:\\temp\\a.exe", "abab", "abba", "\xc3\xa4x\xcf\x82", "57xd12",
		"qzz", "abc", "zzz",
	};
	struct budget bud;
	struct rc_allocator al = { limited_alloc, limited_release, &bud };
	struct rx *ref, *rx;
	char err[100];
	size_t k, total, i;
	unsigned round;

	(void)state;
	for (i = 0; i < 5; i++) {
		p[i].s = text[i];
		p[i].len = strlen(text[i]);
		p[i].kind = i < 2 ? RX_WILDCARD : RX_LUCENE;
	}
	ref = rx_compile(p, 5, RX_CI, err, sizeof err, NULL, NULL);
	assert_non_null(ref);
	bud.left = SIZE_MAX;
	bud.count = 0;
	bud.live = 0;
	rx = rx_compile_with(p, 5, RX_CI, &al, err, sizeof err, NULL, NULL);
	assert_non_null(rx);
	total = bud.count;
	rx_free(rx);
	assert_int_equal(bud.live, 0);
	assert_true(total > 20);
	for (k = 0; k < total; k++) {
		bud.left = k;
		bud.count = 0;
		rx = rx_compile_with(p, 5, RX_CI, &al, err, sizeof err, NULL,
				     NULL);
		if (rx)
			fail_msg("compiled with %zu of %zu allocations", k,
				 total);
		assert_string_equal(err, "out of memory");
		assert_int_equal(bud.live, 0);
	}
	/* once compiled, a failing allocator only makes the cache flush */
	for (round = 0; round < 2; round++) {
		bud.left = SIZE_MAX;
		rx = rx_compile_with(p, 5, RX_CI, &al, err, sizeof err, NULL,
				     NULL);
		assert_non_null(rx);
		bud.left = 0;
		for (k = 0; k < 50; k++)
			for (i = 0; i < sizeof inputs / sizeof *inputs; i++) {
				char s[64];
				snprintf(s, sizeof s, "%s%s", inputs[i],
					 round ? "\\tmp" : "");
				assert_int_equal(rx_match(rx, s, strlen(s)),
						 rx_match(ref, s, strlen(s)));
			}
		rx_free(rx);
		assert_int_equal(bud.live, 0);
	}
	rx_free(ref);
	/* NULL is harmless */
	rx_free(NULL);
	assert_false(rx_match(NULL, "a", 1));
	{
		struct rx_stats st;
		rx_get_stats(NULL, &st);
		assert_int_equal(st.nfa_states, 0);
	}
}

/* The compiler's scratch arena rolls back the work lists of each `~` and
 * `&` operand: a mark keeps what came before it, and chunks opened after
 * it (a large one is linked behind the head) go back to the allocator. */
static void
test_arena_mark(void **state)
{
	struct budget bud = { SIZE_MAX, 0, 0 };
	struct rc_allocator al = { limited_alloc, limited_release, &bud };
	struct arena a;
	struct arena_mark m, m2;
	char *keep, *p;
	int i;

	(void)state;
	arena_init(&a, &al);
	m = arena_mark(&a);                     /* empty arena */
	assert_non_null(arena_alloc(&a, 100));
	arena_rollback(&a, &m);
	assert_int_equal(bud.live, 0);
	assert_int_equal(a.used, 0);
	keep = arena_strdup(&a, "kept");
	m = arena_mark(&a);
	p = arena_alloc(&a, 64);
	assert_non_null(p);
	assert_non_null(arena_alloc(&a, 1u << 20));     /* behind the head */
	for (i = 0; i < 40; i++)                        /* new chunks */
		assert_non_null(arena_alloc(&a, 4000));
	m2 = arena_mark(&a);
	assert_non_null(arena_alloc(&a, 200000));
	arena_rollback(&a, &m2);
	arena_rollback(&a, &m);
	assert_int_equal(bud.live, 1);
	assert_string_equal(keep, "kept");
	/* the space after the mark is handed out again */
	assert_ptr_equal(arena_alloc(&a, 64), p);
	arena_release(&a);
	assert_int_equal(bud.live, 0);
}

/* --- the linter ------------------------------------------------------------ */

static void
test_lit_check_regex(void **state)
{
	size_t off = 99;
	const char *msg = NULL;

	(void)state;
	assert_true(lit_check_regex("ok.*", 4, &off, &msg));
	assert_true(lit_check_regex("", 0, &off, &msg));
	assert_true(lit_check_regex(".*?net1[ ]+[a-z]{4,15}[ ]+.*?", 29, &off,
				    &msg));
	assert_true(lit_check_regex("[a-z]+\\.exe", 11, &off, &msg));
	assert_true(lit_check_regex("/tmp/\\d+", 8, &off, &msg));
	assert_false(lit_check_regex("a(b", 3, &off, &msg));
	assert_string_equal(msg, "unclosed '(' group");
	assert_int_equal(off, 3);
	assert_false(lit_check_regex("[abc", 4, &off, &msg));
	assert_int_equal(off, 0);
	assert_false(lit_check_regex("x{2,", 4, &off, &msg));
	assert_int_equal(off, 1);
	assert_false(lit_check_regex("~(.*a.{20})", 11, &off, &msg));
	assert_string_equal(msg, "regular expression too complex");
}

/* --- throughput ------------------------------------------------------------ */

/* Matches every string of buf (NUL-separated, total bytes) `passes` times;
 * returns MB/s and the number of matches of the last pass. */
static double
run(struct rx *rx, const char *buf, size_t total, int passes, size_t *hits)
{
	double t0, dt;
	int k;

	t0 = now();
	for (k = 0; k < passes; k++) {
		const char *p = buf, *end = buf + total;
		*hits = 0;
		while (p < end) {
			size_t n = strlen(p);
			*hits += rx_match(rx, p, n);
			p += n + 1;
		}
	}
	dt = now() - t0;
	return dt > 0 ? (double)total * passes / dt / 1e6 : 0;
}

static void
test_throughput(void **state)
{
	bool bench = getenv("RX_BENCH") != NULL;
	size_t nstr = bench ? 200000 : 5000, total = 0, i, hits;
	int passes = bench ? 5 : 1;
	static char pats[300][64];
	struct rx_pattern p[300];
	char *buf;
	struct rx *rx;
	struct rx_stats st;
	double mbs;
	static const char *const dirs[] = {
		"C:\\Windows\\System32\\", "C:\\Users\\alice\\AppData\\Local\\Temp\\",
		"C:\\Program Files\\Common Files\\", "/usr/lib/x86_64-linux-gnu/",
		"C:\\ProgramData\\Microsoft\\Windows\\Start Menu\\",
		"/home/bob/.cache/", "D:\\build\\output\\bin\\Release\\",
	};
	static const char *const exts[] = { ".exe", ".dll", ".ps1", ".tmp",
					    ".so", ".js", ".bat", "" };

	(void)state;
	buf = malloc(nstr * 96);
	assert_non_null(buf);
	for (i = 0; i < nstr; i++) {
		int n = snprintf(buf + total, 96, "%s%s%s%u%s",
				 dirs[rnd(7)], words[rnd(NWORDS)],
				 rnd(2) ? "_" : "", rnd(1000), exts[rnd(8)]);
		total += (size_t)n + 1;
	}
	for (i = 0; i < 300; i++) {
		const char *w = words[rnd(NWORDS)];
		switch (rnd(5)) {
		case 0: snprintf(pats[i], 64, "*\\%s%u.exe", w, rnd(1000)); break;
		case 1: snprintf(pats[i], 64, "%s*.dll", w); break;
		case 2: snprintf(pats[i], 64, "*\\temp\\%s*", w); break;
		case 3: snprintf(pats[i], 64, "c:\\users\\*\\%s%u*", w,
				 rnd(1000)); break;
		default: snprintf(pats[i], 64, "*\\%s\\*.ps1", w); break;
		}
		p[i].s = pats[i];
		p[i].len = strlen(pats[i]);
		p[i].kind = RX_WILDCARD;
	}
	/* 300 wildcard patterns, case-insensitive like ':' */
	rx = rx_compile(p, 300, RX_CI, NULL, 0, NULL, NULL);
	assert_non_null(rx);
	run(rx, buf, total, 1, &hits);          /* warm the cache */
	mbs = run(rx, buf, total, passes, &hits);
	rx_get_stats(rx, &st);
	if (bench)
		printf("300 wildcards: %.0f MB/s (%zu strings, %zu bytes, %zu "
		       "matches; %zu NFA states, %zu classes, %zu DFA "
		       "states, %zu flushes, %zu KiB cache)\n", mbs, nstr,
		       total, hits, st.nfa_states, st.classes, st.dfa_states,
		       st.flushes, st.cache_bytes / 1024);
	assert_true(hits > 0);
	rx_free(rx);
	/* one pattern */
	rx = comp("*\\temp\\*.exe", RX_WILDCARD, RX_CI);
	run(rx, buf, total, 1, &hits);
	mbs = run(rx, buf, total, passes, &hits);
	if (bench)
		printf("one wildcard *\\temp\\*.exe: %.0f MB/s (%zu matches)\n",
		       mbs, hits);
	rx_free(rx);
	rx = comp(".*[a-z]+[0-9]+\\.exe", RX_LUCENE, 0);
	run(rx, buf, total, 1, &hits);
	mbs = run(rx, buf, total, passes, &hits);
	if (bench)
		printf("regex .*[a-z]+[0-9]+\\.exe: %.0f MB/s (%zu matches)\n",
		       mbs, hits);
	rx_free(rx);
	/* one long string: the per-call overhead out of the way */
	{
		size_t n = bench ? 64u << 20 : 1u << 20;
		char *big = malloc(n);
		double t0, dt;

		assert_non_null(big);
		for (i = 0; i < n; i++)
			big[i] = "abcdefghij\\klmnop.qrstuvwxyz"[i % 28];
		rx = comp("*\\temp\\*.exe", RX_WILDCARD, RX_CI);
		t0 = now();
		assert_false(rx_match(rx, big, n));
		dt = now() - t0;
		if (bench)
			printf("one %zu MiB string: %.0f MB/s\n", n >> 20,
			       (double)n / dt / 1e6);
		rx_free(rx);
		free(big);
	}
	free(buf);
}

/* --- pre-filters, rx_compiles, the ASCII short cuts of folding ---------- */

/* The filter of one set (n patterns of one kind, NULL-terminated list). */
static void
filt(const char *const *pats, enum rx_kind kind, unsigned flags,
     struct rx_filter *f)
{
	struct rx_pattern p[16];
	size_t n;

	for (n = 0; pats[n]; n++) {
		p[n].s = pats[n];
		p[n].len = strlen(pats[n]);
		p[n].kind = kind;
	}
	rx_filter_build(p, n, flags, f);
}

/* The filter's verdict on s, checked sound against the matcher: a string
 * the filter rules out must not match. */
static bool
fpass(const char *const *pats, unsigned flags, const char *s, size_t len)
{
	struct rx_pattern p[16];
	struct rx_filter f;
	struct rx *rx;
	size_t n;
	bool pass, match;

	for (n = 0; pats[n]; n++) {
		p[n].s = pats[n];
		p[n].len = strlen(pats[n]);
		p[n].kind = RX_WILDCARD;
	}
	rx_filter_build(p, n, flags, &f);
	rx = rx_compile(p, n, flags, NULL, 0, NULL, NULL);
	assert_non_null(rx);
	pass = rx_filter_pass(&f, s, len);
	match = rx_match(rx, s, len);
	rx_free(rx);
	if (match && !pass)
		fail_msg("filter of \"%s\"... rules out a match: \"%.*s\"",
			 pats[0], (int)len, s);
	return pass;
}

#define FP(flags, s, ...) \
	fpass((const char *const[]){ __VA_ARGS__, NULL }, (flags), (s), \
	      strlen(s))

static void
test_filter_edges(void **state)
{
	struct rx_filter f;

	(void)state;
	/* the empty pattern matches the empty string only */
	filt((const char *const[]){ "", NULL }, RX_WILDCARD, 0, &f);
	assert_int_equal(f.minlen, 0);
	assert_int_equal(f.maxlen, 0);
	assert_true(FP(0, "", ""));
	assert_false(FP(0, "a", ""));
	/* `*` alone: everything passes, no affix */
	filt((const char *const[]){ "*", NULL }, RX_WILDCARD, RX_CI, &f);
	assert_int_equal(f.minlen, 0);
	assert_int_equal(f.maxlen, UINT32_MAX);
	assert_int_equal(f.plen + f.slen, 0);
	assert_true(FP(RX_CI, "", "*"));
	assert_true(FP(RX_CI, "anything at all", "**"));
	/* `?` is one unit: 1 to 4 bytes */
	filt((const char *const[]){ "???", NULL }, RX_WILDCARD, 0, &f);
	assert_int_equal(f.minlen, 3);
	assert_int_equal(f.maxlen, 12);
	assert_false(FP(0, "ab", "???"));
	assert_true(FP(0, "abc", "???"));
	assert_true(FP(0, "\xe2\x82\xac\xe2\x82\xac\xe2\x82\xac", "???"));
	assert_true(FP(0, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80",
		       "???"));
	assert_false(FP(0, "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"
		       "a", "???"));
	assert_true(FP(0, "\xff\xfe\xfd", "???"));      /* invalid bytes */
	/* a list passes what any of its patterns passes */
	filt((const char *const[]){ "ab?", "*xyz", NULL }, RX_WILDCARD, 0,
	     &f);
	assert_int_equal(f.minlen, 3);
	assert_int_equal(f.maxlen, UINT32_MAX);
	assert_int_equal(f.plen + f.slen, 0);
	/* no pattern: nothing passes */
	filt((const char *const[]){ NULL }, RX_WILDCARD, 0, &f);
	assert_false(rx_filter_pass(&f, "", 0));
	assert_false(rx_filter_pass(&f, "a", 1));
	/* Lucene (or a pattern that does not compile): everything passes */
	filt((const char *const[]){ "abc", NULL }, RX_LUCENE, 0, &f);
	assert_true(rx_filter_pass(&f, "", 0));
	assert_true(rx_filter_pass(&f, "zzzz", 4));
	filt((const char *const[]){ "a\xff*", NULL }, RX_WILDCARD, 0, &f);
	assert_true(rx_filter_pass(&f, "", 0));
}

static void
test_filter_affixes(void **state)
{
	struct rx_filter f;

	(void)state;
	/* case-insensitive prefix and suffix, compared folded */
	filt((const char *const[]){ "C:\\Windows\\*.EXE", NULL },
	     RX_WILDCARD, RX_CI, &f);
	assert_int_equal(f.plen, 11);
	assert_memory_equal(f.pre, "c:\\windows\\", 11);
	assert_true(FP(RX_CI, "c:\\WINDOW\xc5\xbf\\x.exe", "C:\\Windows\\*.EXE"));
	assert_int_equal(f.slen, 4);
	assert_true(FP(RX_CI, "c:\\WINDOWS\\x.exe", "C:\\Windows\\*.EXE"));
	assert_false(FP(RX_CI, "d:\\windows\\x.exe", "C:\\Windows\\*.EXE"));
	assert_false(FP(RX_CI, "c:\\windows\\x.dll", "C:\\Windows\\*.EXE"));
	/* case-sensitive: exact bytes */
	assert_false(FP(0, "c:\\windows\\x.exe", "C:\\Windows\\*.EXE"));
	assert_true(FP(0, "C:\\Windows\\x.EXE", "C:\\Windows\\*.EXE"));
	/* the common prefix and suffix of a list */
	filt((const char *const[]){ "abc*.exe", "ABD*.EXE", "ab", NULL },
	     RX_WILDCARD, RX_CI, &f);
	assert_int_equal(f.plen, 2);
	assert_int_equal(f.slen, 0);
	filt((const char *const[]){ "*a.exe", "*b.EXE", NULL }, RX_WILDCARD,
	     RX_CI, &f);
	assert_int_equal(f.slen, 4);
	assert_true(FP(RX_CI, "xB.ExE", "*a.exe", "*b.EXE"));
	/* k and s also fold with U+212A and U+017F: the affix is compared
	 * only as far as the input is ASCII */
	filt((const char *const[]){ "kernel*", NULL }, RX_WILDCARD, RX_CI, &f);
	assert_int_equal(f.plen, 6);
	assert_true(FP(RX_CI, "\xe2\x84\xaa" "ernel32", "kernel*"));
	assert_true(FP(RX_CI, "KERNEL", "kernel*"));
	assert_false(FP(RX_CI, "kernal32", "kernel*"));
	/* a non-ASCII first byte: the filter cannot tell, the DFA does */
	assert_true(FP(RX_CI, "\xe2\x84\xaa" "ernal32", "kernel*"));
	filt((const char *const[]){ "*.ps", NULL }, RX_WILDCARD, RX_CI, &f);
	assert_int_equal(f.slen, 3);
	assert_true(FP(RX_CI, "a.p\xc5\xbf", "*.ps"));  /* U+017F */
	assert_true(FP(RX_CI, "a.PS", "*.ps"));
	assert_false(FP(RX_CI, "a.px", "*.ps"));
	assert_int_equal(f.minlen, 3);
	assert_int_equal(f.maxlen, UINT32_MAX);
	/* they still count as 1 byte at least, 3 (K) or 2 (s) at most */
	filt((const char *const[]){ "ks", NULL }, RX_WILDCARD, RX_CI, &f);
	assert_int_equal(f.minlen, 2);
	assert_int_equal(f.maxlen, 5);
	assert_true(FP(RX_CI, "\xe2\x84\xaa\xc5\xbf", "ks"));
	/* multi-byte case folding: σ, Σ and ς are one class (2 bytes each);
	 * non-ASCII letters are no affix under RX_CI */
	filt((const char *const[]){ "*\xcf\x83", NULL }, RX_WILDCARD, RX_CI,
	     &f);
	assert_int_equal(f.slen, 0);
	assert_int_equal(f.minlen, 2);
	assert_true(FP(RX_CI, "\xce\x91\xce\xa3", "*\xcf\x83"));    /* ΑΣ */
	assert_true(FP(RX_CI, "\xcf\x82", "*\xcf\x83"));            /* ς */
	/* Å (U+212B, 3 bytes) folds to å (2 bytes): the bounds take both */
	filt((const char *const[]){ "\xc3\xa5", NULL }, RX_WILDCARD, RX_CI,
	     &f);
	assert_int_equal(f.minlen, 2);
	assert_int_equal(f.maxlen, 3);
	assert_true(FP(RX_CI, "\xe2\x84\xab", "\xc3\xa5"));
	assert_true(FP(RX_CI, "\xc3\x85", "\xc3\xa5"));
	/* case-sensitive non-ASCII: its bytes are the affix */
	filt((const char *const[]){ "\xc3\xa9t\xc3\xa9*", NULL }, RX_WILDCARD,
	     0, &f);
	assert_int_equal(f.plen, 5);
	assert_false(FP(0, "\xc3\x89t\xc3\xa9", "\xc3\xa9t\xc3\xa9*"));
	assert_true(FP(0, "\xc3\xa9t\xc3\xa9!", "\xc3\xa9t\xc3\xa9*"));
	/* long literals: the affixes keep RX_FILTER_AFFIX bytes */
	filt((const char *const[]){ "0123456789abcdefghij*0123456789abcdefghij",
	     NULL }, RX_WILDCARD, 0, &f);
	assert_int_equal(f.plen, RX_FILTER_AFFIX);
	assert_int_equal(f.slen, RX_FILTER_AFFIX);
	assert_memory_equal(f.suf, "456789abcdefghij", RX_FILTER_AFFIX);
}

/* Random sets over an alphabet full of folding traps: the filter never
 * rules out a string the set matches. */
static void
test_filter_random(void **state)
{
	static const char *const units[] = {
		"a", "K", "k", "s", "S", "\xc5\xbf", "\xe2\x84\xaa", "\xcf\x83",
		"\xce\xa3", "\xcf\x82", "\xc3\xa5", "\xe2\x84\xab", "\xc3\x85",
		".", "*", "?"
	};
	int round;

	(void)state;
	for (round = 0; round < 600; round++) {
		char pbuf[3][32], s[40];
		struct rx_pattern p[3];
		struct rx_filter f;
		struct rx *rx;
		unsigned flags = rnd(2) ? RX_CI : 0;
		size_t np = 1 + rnd(3), i, k, j;

		for (i = 0; i < np; i++) {
			size_t n = rnd(6), len = 0;

			for (k = 0; k < n; k++) {
				const char *u = units[rnd(16)];
				memcpy(pbuf[i] + len, u, strlen(u));
				len += strlen(u);
			}
			p[i].s = pbuf[i];
			p[i].len = len;
			p[i].kind = RX_WILDCARD;
		}
		assert_true(rx_compiles(p, np, flags));
		rx_filter_build(p, np, flags, &f);
		rx = rx_compile(p, np, flags, NULL, 0, NULL, NULL);
		assert_non_null(rx);
		for (k = 0; k < 80; k++) {
			size_t n = rnd(7), len = 0;

			/* mostly strings made from a pattern, to match */
			if (k % 2 == 0) {
				const struct rx_pattern *q = &p[rnd(np)];
				for (j = 0; j < q->len && len < 30; j++) {
					char c = q->s[j];
					if (c == '*' || c == '?') {
						const char *u = units[rnd(13)];
						memcpy(s + len, u, strlen(u));
						len += strlen(u);
					} else {
						s[len++] = c;
					}
				}
			} else {
				for (j = 0; j < n; j++) {
					const char *u = units[rnd(13)];
					memcpy(s + len, u, strlen(u));
					len += strlen(u);
				}
			}
			if (rx_match(rx, s, len) && !rx_filter_pass(&f, s, len))
				fail_msg("round %d: the filter rules out a match "
					 "(\"%.*s\")", round, (int)len, s);
		}
		rx_free(rx);
	}
}

static void
test_compiles(void **state)
{
	struct rx_pattern p[2] = { { "a*b?", 4, RX_WILDCARD },
				   { "\xc3\xa9*", 3, RX_WILDCARD } };
	char *big;

	(void)state;
	assert_true(rx_compiles(p, 2, RX_CI));
	assert_true(rx_compiles(p, 0, 0));
	p[1].s = "\xc3(";          /* invalid UTF-8: only compiling tells */
	assert_false(rx_compiles(p, 2, 0));
	p[1].s = "ab";
	p[1].kind = RX_LUCENE;
	assert_false(rx_compiles(p, 2, 0));
	/* past the bound (RX_MAX_NFA_STATES / 4 bytes): compile to know */
	big = malloc(60000);
	assert_non_null(big);
	memset(big, 'a', 60000);
	p[1].s = big;
	p[1].len = 60000;
	p[1].kind = RX_WILDCARD;
	assert_false(rx_compiles(p, 2, 0));
	/* right at the bound it must compile: 4 states a byte is a true
	 * upper bound (`*` runs cost the most) */
	p[0].len = 0;
	p[1].len = (RX_MAX_NFA_STATES - 2) / 4;
	for (size_t i = 0; i < p[1].len; i += 2)
		big[i] = '*';
	assert_true(rx_compiles(p, 2, RX_CI));
	{
		struct rx *rx = rx_compile(p, 2, RX_CI, NULL, 0, NULL, NULL);
		struct rx_stats st;

		assert_non_null(rx);
		rx_get_stats(rx, &st);
		assert_true(st.nfa_states <= RX_MAX_NFA_STATES);
		rx_free(rx);
	}
	free(big);
}

/* fold.c's ASCII short cuts agree with its table: every code point that
 * folds to an ASCII letter (table scan for the others) is what
 * rx_unfold() lists. */
static void
test_fold_ascii(void **state)
{
	uint32_t f, c, out[RX_FOLD_MAX];
	size_t n, k;

	(void)state;
	for (f = 0; f < 0x80; f++) {
		size_t want = 0;

		n = rx_unfold(f, out, RX_FOLD_MAX);
		for (c = 0; c < 0x3000; c++) {
			if (c == f || rx_fold(c) != f)
				continue;
			want++;
			for (k = 0; k < n && out[k] != c; k++)
				;
			if (k == n)
				fail_msg("U+%04X folds to '%c' but is not listed",
					 c, (int)f);
		}
		assert_int_equal(n, want);
		if (f >= 'A' && f <= 'Z')
			assert_int_equal(rx_fold(f), f + 32);
	}
	assert_int_equal(rx_fold(0x212A), 'k');
	assert_int_equal(rx_fold(0x017F), 's');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wildcard_basic),
		cmocka_unit_test(test_wildcard_utf8),
		cmocka_unit_test(test_wildcard_backslash),
		cmocka_unit_test(test_wildcard_case),
		cmocka_unit_test(test_invalid_utf8),
		cmocka_unit_test(test_lucene_operators),
		cmocka_unit_test(test_lucene_complement_intersection),
		cmocka_unit_test(test_lucene_classes),
		cmocka_unit_test(test_lucene_quirks),
		cmocka_unit_test(test_lucene_case),
		cmocka_unit_test(test_union_many),
		cmocka_unit_test(test_wildcard_random),
		cmocka_unit_test(test_lucene_random),
		cmocka_unit_test(test_pathological),
		cmocka_unit_test(test_cache_flush),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_state_caps),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_arena_mark),
		cmocka_unit_test(test_lit_check_regex),
		cmocka_unit_test(test_filter_edges),
		cmocka_unit_test(test_filter_affixes),
		cmocka_unit_test(test_filter_random),
		cmocka_unit_test(test_compiles),
		cmocka_unit_test(test_fold_ascii),
		cmocka_unit_test(test_throughput),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
