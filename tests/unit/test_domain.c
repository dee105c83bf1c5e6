/*
 * test_domain.c - the value domains of the logic checks (src/check/
 * domain.h): range sets, IP parsing and printing, integer keys, number
 * intervals with open and closed ends, ASCII case, wildcard matching and
 * pattern coverage.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "check/domain.h"

/* --- helpers ------------------------------------------------------------ */

static struct arena A;

static int
setup(void **state)
{
	(void)state;
	arena_init(&A, NULL);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	arena_release(&A);
	return 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)

static struct rng
ip(const char *s)
{
	struct rng r;

	assert_true(dom_ip_parse(s, strlen(s), &r) != 0);
	return r;
}

static struct u128
ip1(const char *s)
{
	struct rng r = ip(s);

	assert_int_equal(u128_cmp(r.lo, r.hi), 0);
	return r.lo;
}

static const char *
fmt(struct u128 a)
{
	static char buf[DOM_IP_BUF];

	dom_ip_format(a, buf);
	return buf;
}

static const char *
fmt_range(struct rng r)
{
	static char buf[2 * DOM_IP_BUF + 2];

	dom_ip_format_range(r, buf);
	return buf;
}

static struct rset
set_of(const char *const *nets, size_t n)
{
	struct rng v[16];
	struct rset s;
	size_t i;

	assert_true(n <= 16);
	for (i = 0; i < n; i++)
		v[i] = ip(nets[i]);
	assert_true(rset_make(&A, v, n, &s));
	return s;
}

static struct rng
irng(int64_t lo, int64_t hi)
{
	struct rng r = { dom_int_key(lo), dom_int_key(hi) };
	return r;
}

static void
assert_range(struct rng r, int64_t lo, int64_t hi)
{
	assert_int_equal(dom_int_of_key(r.lo), lo);
	assert_int_equal(dom_int_of_key(r.hi), hi);
}

static struct glob
wc(const char *s, bool ci)
{
	struct glob g;

	assert_true(glob_wildcard(&A, s, strlen(s), ci, &g));
	return g;
}

static bool
match(const char *pat, bool ci, const char *text)
{
	struct glob g = wc(pat, ci);

	return glob_match(&g, text, strlen(text));
}

static bool
covers(const char *p, bool pci, const char *q, bool qci)
{
	struct glob gp = wc(p, pci), gq = wc(q, qci);

	return glob_covers(&A, &gp, &gq);
}

/* --- 128-bit integers and range sets ------------------------------------ */

static void
test_u128(void **state)
{
	struct u128 max = u128_make(UINT64_MAX, UINT64_MAX);
	struct u128 x = u128_make(0, UINT64_MAX);

	(void)state;
	assert_true(u128_is_zero(u128_add1(max)));
	assert_true(u128_is_max(u128_sub1(u128_make(0, 0))));
	x = u128_add1(x);
	assert_int_equal(x.hi, 1);
	assert_int_equal(x.lo, 0);
	x = u128_sub1(x);
	assert_int_equal(x.hi, 0);
	assert_true(x.lo == UINT64_MAX);
	assert_true(u128_cmp(u128_make(1, 0), u128_make(0, UINT64_MAX)) > 0);
	assert_true(u128_cmp(u128_make(0, 5), u128_make(0, 5)) == 0);
}

static void
test_rset_make_merges(void **state)
{
	struct rng v[4] = { irng(10, 20), irng(0, 5), irng(6, 8), irng(15, 30) };
	struct rset s;

	(void)state;
	assert_true(rset_make(&A, v, 4, &s));
	/* 0..5 and 6..8 touch; 10..20 and 15..30 overlap */
	assert_int_equal(s.n, 2);
	assert_range(s.v[0], 0, 8);
	assert_range(s.v[1], 10, 30);
	assert_true(rset_has(s, dom_int_key(8)));
	assert_false(rset_has(s, dom_int_key(9)));
	assert_true(rset_has(s, dom_int_key(30)));
	assert_false(rset_has(s, dom_int_key(31)));
	assert_false(rset_has(s, dom_int_key(-1)));
	/* an inverted range is empty */
	v[0] = irng(5, 4);
	assert_true(rset_make(&A, v, 1, &s));
	assert_int_equal(s.n, 0);
}

static void
test_rset_ops(void **state)
{
	struct rng a[2] = { irng(0, 10), irng(20, 30) }, b[1] = { irng(5, 25) };
	struct rset x, y, u, i, c, e = { NULL, 0 };

	(void)state;
	assert_true(rset_make(&A, a, 2, &x));
	assert_true(rset_make(&A, b, 1, &y));
	assert_true(rset_union(&A, x, y, &u));
	assert_int_equal(u.n, 1);
	assert_range(u.v[0], 0, 30);
	assert_true(rset_inter(&A, x, y, &i));
	assert_int_equal(i.n, 2);
	assert_range(i.v[0], 5, 10);
	assert_range(i.v[1], 20, 25);
	assert_true(rset_complement(&A, x, irng(-100, 100), &c));
	assert_int_equal(c.n, 3);
	assert_range(c.v[0], -100, -1);
	assert_range(c.v[1], 11, 19);
	assert_range(c.v[2], 31, 100);
	/* complement at the very ends of the universe */
	assert_true(rset_complement(&A, e, dom_int_all(), &c));
	assert_int_equal(c.n, 1);
	assert_range(c.v[0], INT64_MIN, INT64_MAX);
	assert_true(rset_complement(&A, c, dom_int_all(), &c));
	assert_int_equal(c.n, 0);
	assert_true(rset_subset(i, x));
	assert_true(rset_subset(i, y));
	assert_false(rset_subset(x, y));
	assert_true(rset_subset(e, x));
	assert_true(rset_equal(u, u));
	assert_false(rset_equal(x, y));
	assert_true(rset_inter(&A, x, e, &i));
	assert_int_equal(i.n, 0);
}

/* --- IP addresses --------------------------------------------------------- */

static void
test_ip_parse_v4(void **state)
{
	struct rng r;

	(void)state;
	assert_int_equal(dom_ip_parse("10.0.0.0/8", 10, &r), 4);
	assert_string_equal(fmt(r.lo), "10.0.0.0");
	assert_string_equal(fmt(r.hi), "10.255.255.255");
	r = ip("192.168.1.7");
	assert_string_equal(fmt(r.lo), "192.168.1.7");
	assert_int_equal(u128_cmp(r.lo, r.hi), 0);
	/* /32 is one address, /0 all of IPv4 and nothing else */
	r = ip("255.255.255.255/32");
	assert_int_equal(u128_cmp(r.lo, r.hi), 0);
	r = ip("0.0.0.0/0");
	assert_int_equal(u128_cmp(r.lo, dom_ip_v4_space().lo), 0);
	assert_int_equal(u128_cmp(r.hi, dom_ip_v4_space().hi), 0);
	/* host bits set: the network it belongs to */
	r = ip("10.1.2.3/8");
	assert_string_equal(fmt_range(r), "10.0.0.0/8");
	assert_true(dom_ip_is_v4(ip1("1.2.3.4")));
	assert_int_equal(dom_ip_parse("256.0.0.1", 9, &r), 0);
	assert_int_equal(dom_ip_parse("1.2.3", 5, &r), 0);
	assert_int_equal(dom_ip_parse("1.2.3.4.5", 9, &r), 0);
	assert_int_equal(dom_ip_parse("1..2.3", 6, &r), 0);
	assert_int_equal(dom_ip_parse("10.0.0.0/33", 11, &r), 0);
	assert_int_equal(dom_ip_parse("10.0.0.0/", 9, &r), 0);
	assert_int_equal(dom_ip_parse("10.0.0.0/8x", 11, &r), 0);
	assert_int_equal(dom_ip_parse("/8", 2, &r), 0);
	assert_int_equal(dom_ip_parse("", 0, &r), 0);
	assert_int_equal(dom_ip_parse("1.2.3.4 ", 8, &r), 0);
}

static void
test_ip_parse_v6(void **state)
{
	struct rng r;

	(void)state;
	assert_int_equal(dom_ip_parse("fc00::/7", 8, &r), 6);
	assert_string_equal(fmt(r.lo), "fc00::");
	assert_string_equal(fmt(r.hi), "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
	assert_true(u128_is_zero(ip1("::")));
	assert_string_equal(fmt(ip1("::1")), "::1");
	assert_string_equal(fmt(ip1("::1/128")), "::1");
	r = ip("::/0");
	assert_true(u128_is_zero(r.lo));
	assert_true(u128_is_max(r.hi));
	assert_string_equal(fmt(ip1("1:2:3:4:5:6:7:8")), "1:2:3:4:5:6:7:8");
	assert_string_equal(fmt(ip1("2001:DB8:0:0:0:0:0:1")), "2001:db8::1");
	assert_string_equal(fmt(ip1("1::")), "1::");
	/* the IPv4-mapped forms are the IPv4 addresses */
	assert_int_equal(dom_ip_parse("::ffff:10.0.0.1", 15, &r), 6);
	assert_int_equal(u128_cmp(r.lo, ip1("10.0.0.1")), 0);
	assert_int_equal(u128_cmp(ip1("::ffff:a00:1"), ip1("10.0.0.1")), 0);
	r = ip("::ffff:10.0.0.0/104");
	assert_string_equal(fmt_range(r), "10.0.0.0/8");
	/* ...but an IPv4-compatible address is an IPv6 one */
	assert_false(dom_ip_is_v4(ip1("::10.0.0.1")));
	assert_int_equal(dom_ip_parse("1::2::3", 7, &r), 0);
	assert_int_equal(dom_ip_parse(":1", 2, &r), 0);
	assert_int_equal(dom_ip_parse("1:", 2, &r), 0);
	assert_int_equal(dom_ip_parse(":::", 3, &r), 0);
	assert_int_equal(dom_ip_parse("12345::", 7, &r), 0);
	assert_int_equal(dom_ip_parse("g::1", 4, &r), 0);
	assert_int_equal(dom_ip_parse("1:2:3:4:5:6:7:8:9", 17, &r), 0);
	assert_int_equal(dom_ip_parse("1:2:3:4::5:6:7:8", 16, &r), 0);
	assert_int_equal(dom_ip_parse("1:2:3:4:5:6:7", 13, &r), 0);
	assert_int_equal(dom_ip_parse("fe80::1%eth0", 12, &r), 0);
	assert_int_equal(dom_ip_parse("::/129", 6, &r), 0);
	assert_int_equal(dom_ip_parse("::ffff:1.2.3", 12, &r), 0);
}

static void
test_ip_format(void **state)
{
	(void)state;
	/* RFC 5952: the longest run of zero groups, the first on a tie, and
	 * never a single group */
	assert_string_equal(fmt(ip1("1:0:0:2:0:0:0:3")), "1:0:0:2::3");
	assert_string_equal(fmt(ip1("1:0:0:2:0:0:3:4")), "1::2:0:0:3:4");
	assert_string_equal(fmt(ip1("1:0:2:3:4:5:6:7")), "1:0:2:3:4:5:6:7");
	assert_string_equal(fmt(ip1("fe80::")), "fe80::");
	assert_string_equal(fmt(ip1("0.0.0.0")), "0.0.0.0");
	assert_string_equal(fmt_range(ip("fc00::/7")), "fc00::/7");
	assert_string_equal(fmt_range(ip("0.0.0.0/0")), "0.0.0.0/0");
	assert_string_equal(fmt_range(ip("::/0")), "::/0");
	assert_string_equal(fmt_range(ip("10.0.0.1")), "10.0.0.1");
	{
		struct rng r = { ip1("10.0.0.1"), ip1("10.0.0.5") };
		assert_string_equal(fmt_range(r), "10.0.0.1-10.0.0.5");
	}
}

/* IPv4 and (the rest of) IPv6 are disjoint, as ESET's two address
 * properties need. */
static void
test_ip_families(void **state)
{
	static const char *const v4[] = { "10.0.0.0/8", "172.16.0.0/12",
					   "192.168.0.0/16", "127.0.0.0/8" };
	static const char *const v6[] = { "fc00::/7", "::1/128" };
	struct rset a = set_of(v4, 4), b = set_of(v6, 2), i, c;
	struct rng sp = dom_ip_v4_space();
	struct rset space = { &sp, 1 };

	(void)state;
	assert_int_equal(a.n, 4);
	assert_true(rset_inter(&A, a, b, &i));
	assert_int_equal(i.n, 0);
	assert_true(rset_subset(a, space));
	assert_true(rset_inter(&A, b, space, &i));
	assert_int_equal(i.n, 0);
	/* the complement of the IPv4 space holds every IPv6 network above */
	assert_true(rset_complement(&A, space, dom_ip_all(), &c));
	assert_int_equal(c.n, 2);
	assert_true(rset_subset(b, c));
	assert_true(rset_has(a, ip1("172.31.255.255")));
	assert_false(rset_has(a, ip1("172.32.0.0")));
}

/* --- integers and reals ------------------------------------------------------ */

static void
test_int_keys(void **state)
{
	(void)state;
	assert_true(u128_cmp(dom_int_key(-1), dom_int_key(0)) < 0);
	assert_true(u128_cmp(dom_int_key(0), dom_int_key(1)) < 0);
	assert_true(u128_cmp(dom_int_key(INT64_MIN), dom_int_key(INT64_MAX)) < 0);
	assert_true(u128_is_zero(dom_int_key(INT64_MIN)));
	assert_int_equal(dom_int_of_key(dom_int_key(-42)), -42);
	assert_int_equal(dom_int_of_key(dom_int_key(INT64_MAX)), INT64_MAX);
	assert_int_equal(dom_int_of_key(dom_int_all().hi), INT64_MAX);
}

static void
test_nset_cmp(void **state)
{
	struct nset s;

	(void)state;
	assert_true(nset_cmp(&A, DOM_LT, 5, &s));
	assert_true(nset_has(s, 4.999));
	assert_false(nset_has(s, 5));
	assert_true(nset_has(s, -HUGE_VAL) == false);  /* infinite ends open */
	assert_true(nset_cmp(&A, DOM_LE, 5, &s));
	assert_true(nset_has(s, 5));
	assert_false(nset_has(s, 5.0001));
	assert_true(nset_cmp(&A, DOM_GT, 5, &s));
	assert_false(nset_has(s, 5));
	assert_true(nset_has(s, 1e300));
	assert_true(nset_cmp(&A, DOM_GE, 5, &s));
	assert_true(nset_has(s, 5));
	assert_true(nset_cmp(&A, DOM_EQ, 5, &s));
	assert_int_equal(s.n, 1);
	assert_true(nset_has(s, 5));
	assert_false(nset_has(s, 5.5));
	assert_true(nset_cmp(&A, DOM_NE, 5, &s));
	assert_int_equal(s.n, 2);
	assert_false(nset_has(s, 5));
	assert_true(nset_has(s, 6));
	assert_true(nset_has(s, -6));
	assert_true(nset_cmp(&A, DOM_EQ, (double)NAN, &s));
	assert_int_equal(s.n, 0);
}

static void
test_nset_ops(void **state)
{
	struct nset lt, gt, u, i, c, x, y;
	struct niv a = { 1, 3, true, false }, b = { 3, 4, false, true };
	struct niv p = { 1, 2, false, true }, q = { 2, 3, false, false };
	struct niv o1 = { 1, 2, true, true }, o2 = { 2, 3, true, true };
	struct niv two[2];

	(void)state;
	/* x < 5 or x > 5 is x != 5 */
	assert_true(nset_cmp(&A, DOM_LT, 5, &lt));
	assert_true(nset_cmp(&A, DOM_GT, 5, &gt));
	assert_true(nset_union(&A, lt, gt, &u));
	assert_int_equal(u.n, 2);
	assert_false(nset_has(u, 5));
	/* x > 5 and x < 3 is empty */
	assert_true(nset_cmp(&A, DOM_LT, 3, &lt));
	assert_true(nset_inter(&A, lt, gt, &i));
	assert_int_equal(i.n, 0);
	/* (1,3] and [3,4) meet in exactly 3 */
	assert_true(nset_make(&A, &a, 1, &x));
	assert_true(nset_make(&A, &b, 1, &y));
	assert_true(nset_inter(&A, x, y, &i));
	assert_int_equal(i.n, 1);
	assert_true(i.v[0].lo == 3 && i.v[0].hi == 3);
	assert_false(i.v[0].lo_open || i.v[0].hi_open);
	/* (1,3) and [3,4) do not */
	a.hi_open = true;
	assert_true(nset_make(&A, &a, 1, &x));
	assert_true(nset_inter(&A, x, y, &i));
	assert_int_equal(i.n, 0);
	/* [1,2) and [2,3] touch: one interval [1,3] */
	two[0] = p;
	two[1] = q;
	assert_true(nset_make(&A, two, 2, &u));
	assert_int_equal(u.n, 1);
	assert_true(nset_has(u, 2));
	/* (1,2) and (2,3) leave 2 out */
	two[0] = o1;
	two[1] = o2;
	assert_true(nset_make(&A, two, 2, &u));
	assert_int_equal(u.n, 2);
	assert_false(nset_has(u, 2));
	/* the complement of [1,2]: (-inf,1) and (2,inf) */
	q.lo = 1;
	q.hi = 2;
	assert_true(nset_make(&A, &q, 1, &x));
	assert_true(nset_complement(&A, x, &c));
	assert_int_equal(c.n, 2);
	assert_true(c.v[0].hi == 1 && c.v[0].hi_open);
	assert_true(c.v[1].lo == 2 && c.v[1].lo_open);
	assert_false(nset_has(c, 1));
	assert_true(nset_has(c, 0.5));
	/* the complement of everything is nothing and back */
	assert_true(nset_cmp(&A, DOM_NE, (double)NAN, &x));
	assert_true(nset_complement(&A, x, &c));
	assert_int_equal(c.n, 0);
	assert_true(nset_complement(&A, c, &x));
	assert_int_equal(x.n, 1);
	assert_true(nset_has(x, 0));
}

/* --- text -------------------------------------------------------------------- */

static void
test_str_eq(void **state)
{
	(void)state;
	assert_true(text_eq("CMD.exe", 7, "cmd.EXE", 7, true));
	assert_false(text_eq("CMD.exe", 7, "cmd.EXE", 7, false));
	assert_false(text_eq("a", 1, "ab", 2, true));
	/* only ASCII folds */
	assert_false(text_eq("\xc3\x89", 2, "\xc3\xa9", 2, true));
}

static void
test_glob_match(void **state)
{
	(void)state;
	assert_true(match("*", false, ""));
	assert_true(match("*", false, "anything"));
	assert_true(match("a*c", false, "abc"));
	assert_true(match("a*c", false, "ac"));
	assert_false(match("a*c", false, "ab"));
	assert_true(match("*a*b*", false, "xxaxxbxx"));
	assert_false(match("*a*b*", false, "xxbxxaxx"));
	assert_true(match("a?c", false, "abc"));
	assert_false(match("a?c", false, "ac"));
	assert_false(match("?", false, ""));
	/* `?` is one character, also a multi-byte one */
	assert_true(match("caf?", false, "caf\xc3\xa9"));
	assert_false(match("caf??", false, "caf\xc3\xa9"));
	assert_true(match("*.exe", true, "CMD.EXE"));
	assert_false(match("*.exe", false, "CMD.EXE"));
	assert_true(match("A*", true, "abc"));
	assert_false(match("A*", false, "abc"));
	/* a backslash is an ordinary character */
	assert_true(match("C:\\Windows\\*", true, "c:\\windows\\system32"));
	assert_false(match("C:\\*", false, "C:*"));
	assert_true(match("ab**", false, "ab"));
	assert_false(match("abc", false, "ab"));
	assert_false(match("ab", false, "abc"));
	/* `*` and `?` around multi-byte characters */
	assert_true(match("*?x", false, "\xc3\xa9x"));
	assert_true(match("*?x", false, "a\xc3\xa9x"));
	assert_false(match("*?x", false, "x"));
	assert_true(match("a*?\xc3\xa9", false, "a\xc3\xa9\xc3\xa9"));
	assert_false(match("a*?\xc3\xa9", false, "a\xc3\xa9"));
	assert_false(match("*?\xa9", false, "\xc3\xa9"));
}

static void
test_glob_affix(void **state)
{
	struct glob g;
	char buf[32];

	(void)state;
	assert_true(glob_affix(&A, "cmd", 3, true, false, true, &g));
	glob_text(&g, buf, sizeof buf);
	assert_string_equal(buf, "cmd*");
	assert_true(glob_match(&g, "CMD.EXE", 7));
	assert_true(glob_affix(&A, "a*b", 3, false, true, true, &g));
	glob_text(&g, buf, sizeof buf);
	assert_string_equal(buf, "*a*b*");
	/* the `*` in an affix is a literal character */
	assert_true(glob_match(&g, "xa*bx", 5));
	assert_false(glob_match(&g, "xaYbx", 5));
	assert_true(glob_affix(&A, "", 0, false, true, true, &g));
	assert_int_equal(g.n, 1);
	assert_true(glob_match(&g, "", 0));
	assert_true(glob_affix(&A, "x", 1, false, false, false, &g));
	assert_true(glob_is_literal(&g));
	assert_true(glob_affix(&A, ".exe", 4, false, true, false, &g));
	assert_false(glob_is_literal(&g));
	assert_true(glob_match(&g, "a.exe", 5));
	assert_false(glob_match(&g, "a.exe.bak", 9));
	/* glob_text truncates to its buffer */
	assert_int_equal(glob_text(&g, buf, 3), 5);
	assert_string_equal(buf, "*.");
}

static void
test_glob_covers(void **state)
{
	(void)state;
	assert_true(covers("*.exe", true, "cmd.exe", true));
	assert_true(covers("*", false, "*.exe", false));
	assert_true(covers("*", false, "", false));
	assert_true(covers("a*", false, "ab*", false));
	assert_false(covers("ab*", false, "a*", false));
	assert_true(covers("*abc*", false, "*xabcx*", false));
	assert_false(covers("*abc*", false, "*ab*c*", false));
	assert_false(covers("*.exe", false, "*.exe.bak", false));
	assert_true(covers("a?c", false, "abc", false));
	assert_false(covers("a?c", false, "a*c", false));
	assert_true(covers("a*c", false, "a?c", false));
	/* wildcard runs are rearranged: ?* and *? are the same language */
	assert_true(covers("?*", false, "*?", false));
	assert_true(covers("*?", false, "?*", false));
	assert_false(covers("??*", false, "?*", false));
	/* case: a case-insensitive pattern covers every spelling ... */
	assert_true(covers("*.EXE", true, "cmd.exe", false));
	/* ... a case-sensitive one does not cover a case-insensitive one */
	assert_false(covers("*.exe", false, "cmd.exe", true));
	assert_true(covers("*.exe", false, "cmd.exe", false));
	assert_false(covers("*.exe", false, "CMD.EXE", false));
	assert_true(covers("*1", false, "x1", true));   /* no letter */
	/* a `?` cannot stand for part of a multi-byte character: no claim */
	assert_false(covers("caf?", false, "caf\xc3\xa9", false));
	assert_true(covers("caf*", false, "caf\xc3\xa9", false));
	/* equal patterns cover each other */
	assert_true(covers("a*b", true, "A*B", true));
	/* long patterns use the scratch arena */
	{
		char p[200], q[200];
		memset(q, 'x', sizeof q);
		q[0] = '*';
		q[199] = '\0';
		p[0] = '*';
		p[1] = 'x';
		p[2] = '*';
		p[3] = '\0';
		assert_true(covers(p, false, q, false));
		assert_false(covers(q, false, p, false));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_u128),
		T(test_rset_make_merges),
		T(test_rset_ops),
		T(test_ip_parse_v4),
		T(test_ip_parse_v6),
		T(test_ip_format),
		T(test_ip_families),
		T(test_int_keys),
		T(test_nset_cmp),
		T(test_nset_ops),
		T(test_str_eq),
		T(test_glob_match),
		T(test_glob_affix),
		T(test_glob_covers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
