/*
 * builtins.c - the EQL functions of the interpreter (see runtime.h).
 *
 * Each function is one bi_ routine named by the last column of
 * sema/functions.def, from which the dispatch table below is expanded:
 * adding a function is one line there and its routine here.  Functions
 * take the first element of a multi-valued argument, except the
 * predicates cidrMatch, startsWith, endsWith and stringContains, which are
 * true when any element passes.  A routine starts from a null result
 * (vm_call sets it) and leaves it null when an argument does not fit.
 * Positions count characters (UTF-8 code points), not bytes.
 */
#include "vm/runtime.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sema/ir.h"

/* One call's arguments. */
struct call {
	struct vm_rt *rt;
	const struct vm_val *arg;
	unsigned argc;
	bool ci;                /* the name~() form */
};

/* ---- strings ---- */

/* First occurrence of n in h at or after byte `from`, or -1. */
static int64_t
str_find(const char *h, size_t hn, const char *n, size_t nn, size_t from,
	 bool ci)
{
	size_t i;

	if (from > hn)
		return -1;
	for (i = from; i + nn <= hn; i++)
		if (text_eq(h + i, nn, n, nn, ci))
			return (int64_t)i;
	return -1;
}

/* Last occurrence of n in h at or after byte `from`, or -1. */
static int64_t
str_rfind(const char *h, size_t hn, const char *n, size_t nn, size_t from,
	  bool ci)
{
	size_t i;

	if (nn > hn || from > hn - nn)
		return -1;
	for (i = hn - nn + 1; i-- > from;)
		if (text_eq(h + i, nn, n, nn, ci))
			return (int64_t)i;
	return -1;
}

/* The string form of a scalar (NULL for null). */
static bool
to_string(struct vm_rt *rt, const struct vm_val *v, const char **s,
	  uint32_t *n)
{
	char buf[64];

	v = first(v);
	switch (v->k) {
	case VK_STR:
		*s = v->u.s.s;
		*n = v->u.s.n;
		return true;
	case VK_BOOL:
		*s = v->u.b ? "true" : "false";
		*n = v->u.b ? 4 : 5;
		return true;
	case VK_LONG:
		snprintf(buf, sizeof buf, "%" PRId64, v->u.i);
		break;
	case VK_DOUBLE:
		if (v->u.d == floor(v->u.d) && fabs(v->u.d) < 1e15)
			snprintf(buf, sizeof buf, "%.1f", v->u.d);
		else
			snprintf(buf, sizeof buf, "%.17g", v->u.d);
		break;
	case VK_DATE:
		vm_format_date(v->u.i, buf, sizeof buf);
		break;
	default:
		return false;
	}
	*n = (uint32_t)strlen(buf);
	*s = vm_scratch(rt, buf, *n);
	return *s != NULL;
}

/* Code points in s[0..n) (positions are in characters). */
static size_t
u8_count(const char *s, size_t n)
{
	size_t i, c = 0;

	for (i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xC0) != 0x80;
	return c;
}

/* Byte offset of character `ch` (n when beyond the end). */
static size_t
u8_offset(const char *s, size_t n, size_t ch)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80 && ch-- == 0)
			return i;
	return n;
}

/* Whether string a starts with, ends with or contains t (fn). */
static bool
str_pred(unsigned fn, const struct vm_val *a, const char *t, uint32_t tn,
	 bool ci)
{
	if (a->k != VK_STR)
		return false;
	switch (fn) {
	case FN_STARTSWITH:
		return a->u.s.n >= tn && text_eq(a->u.s.s, tn, t, tn, ci);
	case FN_ENDSWITH:
		return a->u.s.n >= tn && text_eq(a->u.s.s + a->u.s.n - tn, tn,
						t, tn, ci);
	default:
		return str_find(a->u.s.s, a->u.s.n, t, tn, 0, ci) >= 0;
	}
}

/* ---- the functions ---- */

static void
bi_add(const struct call *c, struct vm_val *out)
{
	vm_arith(OPC_ADD, &c->arg[0], &c->arg[1], out);
}

static void
bi_subtract(const struct call *c, struct vm_val *out)
{
	vm_arith(OPC_SUB, &c->arg[0], &c->arg[1], out);
}

static void
bi_multiply(const struct call *c, struct vm_val *out)
{
	vm_arith(OPC_MUL, &c->arg[0], &c->arg[1], out);
}

static void
bi_divide(const struct call *c, struct vm_val *out)
{
	vm_arith(OPC_DIV, &c->arg[0], &c->arg[1], out);
}

static void
bi_modulo(const struct call *c, struct vm_val *out)
{
	vm_arith(OPC_MOD, &c->arg[0], &c->arg[1], out);
}

/* startsWith, endsWith, stringContains (fn): any element passes. */
static void
str_test(const struct call *c, unsigned fn, struct vm_val *out)
{
	const char *t;
	uint32_t tn;
	bool r;

	if (!to_string(c->rt, &c->arg[1], &t, &tn) || c->arg[0].k == VK_NULL)
		return;
	ANY_ELEMENT(r, &c->arg[0], e, str_pred(fn, e, t, tn, c->ci));
	set_bool(out, r);
}

static void
bi_startswith(const struct call *c, struct vm_val *out)
{
	str_test(c, FN_STARTSWITH, out);
}

static void
bi_endswith(const struct call *c, struct vm_val *out)
{
	str_test(c, FN_ENDSWITH, out);
}

static void
bi_stringcontains(const struct call *c, struct vm_val *out)
{
	str_test(c, FN_STRINGCONTAINS, out);
}

/* cidrMatch(ip, network...): any element in any network; null when a
 * network is malformed before one matched. */
static void
bi_cidrmatch(const struct call *c, struct vm_val *out)
{
	const struct vm_val *arg = c->arg;
	unsigned k;

	if (arg[0].k == VK_NULL)
		return;
	for (k = 1; k < c->argc; k++) {
		struct img_cidr net;
		bool r;

		if (arg[k].k != VK_STR ||
		    !img_parse_cidr(arg[k].u.s.s, arg[k].u.s.n, &net))
			return;
		ANY_ELEMENT(r, &arg[0], e, vm_cidr_has(&net, 1, e));
		if (r) {
			set_bool(out, true);
			return;
		}
	}
	set_bool(out, false);
}

/* concat(a...): the string forms joined; null when one is null. */
static void
bi_concat(const struct call *c, struct vm_val *out)
{
	struct strbuf sb = STRBUF_INIT;
	const char *s;
	uint32_t sn;
	unsigned k;

	for (k = 0; k < c->argc; k++) {
		if (!to_string(c->rt, &c->arg[k], &s, &sn)) {
			sb_free(&sb);
			return;
		}
		sb_put(&sb, s, sn);
	}
	if (!sb.oom) {
		out->u.s.s = vm_scratch(c->rt, sb.data ? sb.data : "", sb.len);
		out->u.s.n = (uint32_t)sb.len;
		if (out->u.s.s)
			out->k = VK_STR;
	}
	sb_free(&sb);
}

/* length(s): characters of the string form. */
static void
bi_length(const struct call *c, struct vm_val *out)
{
	const char *s;
	uint32_t sn;

	if (!to_string(c->rt, &c->arg[0], &s, &sn))
		return;
	out->k = VK_LONG;
	out->u.i = (int64_t)u8_count(s, sn);
}

static void
bi_string(const struct call *c, struct vm_val *out)
{
	const char *s;
	uint32_t sn;

	if (!to_string(c->rt, &c->arg[0], &s, &sn))
		return;
	out->k = VK_STR;
	out->u.s.s = s;
	out->u.s.n = sn;
}

/* number(s[, base]): decimal as vm_parse_number reads it, "0x..." or
 * another base as an integer. */
static void
bi_number(const struct call *c, struct vm_val *out)
{
	const struct vm_val *v = first(&c->arg[0]);
	const char *s;
	uint32_t sn;
	int base = 10;
	char nb[80], *e;

	if (v->k == VK_LONG || v->k == VK_DOUBLE) {
		*out = *v;
		return;
	}
	if (v->k != VK_STR)
		return;
	if (c->argc > 1 && first(&c->arg[1])->k == VK_LONG)
		base = (int)first(&c->arg[1])->u.i;
	s = v->u.s.s;
	sn = v->u.s.n;
	while (sn && (*s == ' ' || *s == '\t')) {
		s++;
		sn--;
	}
	while (sn && (s[sn - 1] == ' ' || s[sn - 1] == '\t'))
		sn--;
	if (sn == 0 || sn >= sizeof nb)
		return;
	memcpy(nb, s, sn);
	nb[sn] = '\0';
	if (base == 10 && !(sn > 2 && nb[0] == '0' &&
			    (nb[1] == 'x' || nb[1] == 'X'))) {
		vm_parse_number(nb, sn, out);
		return;
	}
	if (base < 2 || base > 36)
		return;
	errno = 0;
	out->u.i = strtoll(nb, &e, base == 10 ? 16 : base);
	out->k = *e || errno ? VK_NULL : VK_LONG;
}

/* indexOf(s, t[, from]): t's first character position at or after
 * `from`, or null. */
static void
bi_indexof(const struct call *c, struct vm_val *out)
{
	const struct vm_val *arg = c->arg;
	const char *s, *t;
	uint32_t sn, tn;
	int64_t at, len;

	if (!to_string(c->rt, &arg[0], &s, &sn) ||
	    !to_string(c->rt, &arg[1], &t, &tn))
		return;
	at = 0;
	if (c->argc > 2 && first(&arg[2])->k == VK_LONG)
		at = first(&arg[2])->u.i;
	if (at < 0)
		at = 0;
	len = (int64_t)u8_count(s, sn);
	if (at > len)
		return;
	at = str_find(s, sn, t, tn, u8_offset(s, sn, (size_t)at), c->ci);
	if (at < 0)
		return;
	out->k = VK_LONG;
	out->u.i = (int64_t)u8_count(s, (size_t)at);
}

/* between(s, left, right[, greedy]): "" when a delimiter is missing. */
static void
bi_between(const struct call *c, struct vm_val *out)
{
	const struct vm_val *arg = c->arg;
	bool greedy = c->argc > 3 && truthy(first(&arg[3]));
	const char *s, *t, *u;
	uint32_t sn, tn, un;
	int64_t at, end;

	if (!to_string(c->rt, &arg[0], &s, &sn) ||
	    !to_string(c->rt, &arg[1], &t, &tn) ||
	    !to_string(c->rt, &arg[2], &u, &un))
		return;
	out->k = VK_STR;
	out->u.s.s = "";
	out->u.s.n = 0;
	at = str_find(s, sn, t, tn, 0, c->ci);
	if (at < 0)
		return;
	at += tn;
	end = greedy ? str_rfind(s, sn, u, un, (size_t)at, c->ci) :
	      str_find(s, sn, u, un, (size_t)at, c->ci);
	if (end < 0)
		return;
	out->u.s.s = s + at;
	out->u.s.n = (uint32_t)(end - at);
}

/* substring(s, start[, end]): negative positions count from the end. */
static void
bi_substring(const struct call *c, struct vm_val *out)
{
	const struct vm_val *arg = c->arg;
	const char *s;
	uint32_t sn;
	int64_t at, end, len;
	size_t b0, b1;

	if (!to_string(c->rt, &arg[0], &s, &sn))
		return;
	len = (int64_t)u8_count(s, sn);
	at = first(&arg[1])->k == VK_LONG ? first(&arg[1])->u.i : 0;
	end = c->argc > 2 && first(&arg[2])->k == VK_LONG ?
	      first(&arg[2])->u.i : len;
	if (at < 0)
		at = at + len < 0 ? 0 : at + len;
	if (end < 0)
		end = end + len < 0 ? 0 : end + len;
	if (at > len)
		at = len;
	if (end > len)
		end = len;
	out->k = VK_STR;
	if (end <= at) {
		out->u.s.s = "";
		out->u.s.n = 0;
		return;
	}
	b0 = u8_offset(s, sn, (size_t)at);
	b1 = u8_offset(s, sn, (size_t)end);
	out->u.s.s = s + b0;
	out->u.s.n = (uint32_t)(b1 - b0);
}

/* python-eql functions: the ES front end refuses them; null. */
static void
bi_refused(const struct call *c, struct vm_val *out)
{
	(void)c;
	(void)out;
}

/* ---- dispatch ---- */

static void (*const builtins[FN__COUNT])(const struct call *,
					 struct vm_val *) = {
#define X(e, name, min, max, tilde, res, args, es, impl) [e] = impl,
#include "sema/functions.def"
#undef X
};

void
vm_call(struct vm_rt *rt, unsigned fn, const struct vm_val *arg,
	unsigned argc, bool ci, struct vm_val *out)
{
	const struct call c = { rt, arg, argc, ci };

	out->k = VK_NULL;
	out->ver = 0;
	builtins[fn](&c, out);
}
