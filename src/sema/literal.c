/*
 * literal.c - IP/CIDR and Lucene regex literals (see literal.h).
 */
#include "sema/literal.h"

#include <string.h>

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if ((c | 0x20) >= 'a' && (c | 0x20) <= 'f')
		return (c | 0x20) - 'a' + 10;
	return -1;
}

/* Four decimal octets into out[0..4); false if malformed. */
static bool
parse_v4(const char *s, size_t len, uint8_t *out)
{
	size_t i = 0;
	int part;

	for (part = 0; part < 4; part++) {
		unsigned v = 0, digits = 0;

		while (i < len && s[i] >= '0' && s[i] <= '9' && digits < 4) {
			v = v * 10 + (unsigned)(s[i++] - '0');
			digits++;
		}
		if (!digits || v > 255 || (digits > 1 && s[i - digits] == '0'))
			return false;
		out[part] = (uint8_t)v;
		if (part < 3 && (i >= len || s[i++] != '.'))
			return false;
	}
	return i == len;
}

/* An IPv6 address into out[0..16); false if malformed. */
static bool
parse_v6(const char *s, size_t len, uint8_t *out)
{
	uint16_t head[8], tail[8];
	size_t i = 0, nh = 0, nt = 0, k;
	bool dbl = false;

	if (len >= 2 && s[0] == ':' && s[1] == ':') {
		dbl = true;
		i = 2;
	} else if (len && s[0] == ':') {
		return false;
	}
	while (i < len) {
		size_t start = i;
		unsigned v = 0;
		uint16_t *g = dbl ? tail : head;
		size_t *ng = dbl ? &nt : &nh;

		/* a dotted IPv4 tail (the last group) takes 32 bits */
		if (!memchr(s + i, ':', len - i) && memchr(s + i, '.', len - i)) {
			uint8_t v4[4];
			if (!parse_v4(s + i, len - i, v4) || *ng + 2 > 8)
				return false;
			g[(*ng)++] = (uint16_t)(v4[0] << 8 | v4[1]);
			g[(*ng)++] = (uint16_t)(v4[2] << 8 | v4[3]);
			i = len;
			break;
		}
		while (i < len && hexval(s[i]) >= 0 && i - start < 4)
			v = v * 16 + (unsigned)hexval(s[i++]);
		if (i == start || *ng >= 8)
			return false;
		g[(*ng)++] = (uint16_t)v;
		if (i == len)
			break;
		if (s[i] != ':')
			return false;
		i++;
		if (i < len && s[i] == ':') {
			if (dbl)
				return false;
			dbl = true;
			i++;
		} else if (i == len) {
			return false;   /* trailing single ':' */
		}
	}
	if (dbl ? nh + nt > 7 : nh != 8)
		return false;
	memset(out, 0, 16);
	for (k = 0; k < nh; k++) {
		out[2 * k] = (uint8_t)(head[k] >> 8);
		out[2 * k + 1] = (uint8_t)head[k];
	}
	for (k = 0; k < nt; k++) {
		size_t at = 8 - nt + k;
		out[2 * at] = (uint8_t)(tail[k] >> 8);
		out[2 * at + 1] = (uint8_t)tail[k];
	}
	return true;
}

unsigned
lit_parse_cidr(const char *s, size_t len, uint8_t addr[16], unsigned *prefix)
{
	const char *slash = memchr(s, '/', len);
	size_t alen = slash ? (size_t)(slash - s) : len;
	unsigned fam, maxp, p = 0;
	size_t i;

	if (memchr(s, ':', alen)) {
		if (!parse_v6(s, alen, addr))
			return 0;
		fam = 6;
		maxp = 128;
	} else {
		if (!parse_v4(s, alen, addr))
			return 0;
		fam = 4;
		maxp = 32;
	}
	if (!slash) {
		*prefix = maxp;
		return fam;
	}
	if (alen + 1 >= len || len - alen - 1 > 3)
		return 0;
	for (i = alen + 1; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return 0;
		p = p * 10 + (unsigned)(s[i] - '0');
	}
	if (p > maxp)
		return 0;
	*prefix = p;
	return fam;
}

/* Lucene regex: alternation of concatenations of repeated atoms. */
struct rx {
	const char *s;
	size_t len, pos, err;
	const char *msg;
	unsigned depth;
};

static bool rx_alt(struct rx *r);

static bool
rx_fail(struct rx *r, const char *msg)
{
	if (!r->msg) {
		r->msg = msg;
		r->err = r->pos;
	}
	return false;
}

static bool
rx_class(struct rx *r)
{
	size_t start = r->pos++;        /* '[' */

	if (r->pos < r->len && r->s[r->pos] == '^')
		r->pos++;
	if (r->pos < r->len && r->s[r->pos] == ']')
		r->pos++;               /* a leading ']' is literal */
	while (r->pos < r->len && r->s[r->pos] != ']') {
		if (r->s[r->pos] == '\\')
			r->pos++;
		r->pos++;
	}
	if (r->pos >= r->len) {
		r->pos = start;
		return rx_fail(r, "unclosed '[' character class");
	}
	r->pos++;
	return true;
}

static bool
rx_atom(struct rx *r)
{
	char c = r->s[r->pos];

	switch (c) {
	case '(':
		if (++r->depth > 100)
			return rx_fail(r, "groups nested too deeply");
		r->pos++;
		if (r->pos < r->len && r->s[r->pos] == ')') {
			r->pos++;       /* () matches the empty string */
		} else {
			if (!rx_alt(r))
				return false;
			if (r->pos >= r->len || r->s[r->pos] != ')')
				return rx_fail(r, "unclosed '(' group");
			r->pos++;
		}
		r->depth--;
		return true;
	case ')':
		return rx_fail(r, "')' without '('");
	case '[':
		return rx_class(r);
	case '\\':
		if (r->pos + 1 >= r->len)
			return rx_fail(r, "'\\' at the end of the pattern");
		r->pos += 2;
		return true;
	case '"': {
		const char *q = memchr(r->s + r->pos + 1, '"',
				       r->len - r->pos - 1);
		if (!q)
			return rx_fail(r, "unclosed '\"' quoted string");
		r->pos = (size_t)(q - r->s) + 1;
		return true;
	}
	case '<': {
		/* numeric interval <n-m> */
		size_t i = r->pos + 1;
		while (i < r->len && r->s[i] >= '0' && r->s[i] <= '9')
			i++;
		if (i < r->len && r->s[i] == '-') {
			i++;
			while (i < r->len && r->s[i] >= '0' && r->s[i] <= '9')
				i++;
			if (i < r->len && r->s[i] == '>') {
				r->pos = i + 1;
				return true;
			}
		}
		return rx_fail(r, "'<' must start a numeric interval <n-m> "
			       "(write '\\<' for the character)");
	}
	case '*': case '+': case '?': case '{':
		return rx_fail(r, "a repetition operator with nothing to "
			       "repeat");
	default:
		r->pos++;
		return true;
	}
}

static bool
rx_repeat(struct rx *r)
{
	while (r->pos < r->len && r->s[r->pos] == '~')
		r->pos++;               /* complement */
	if (r->pos >= r->len || r->s[r->pos] == '|' || r->s[r->pos] == ')' ||
	    r->s[r->pos] == '&')
		return true;            /* empty */
	if (!rx_atom(r))
		return false;
	while (r->pos < r->len) {
		char c = r->s[r->pos];
		if (c == '*' || c == '+' || c == '?') {
			r->pos++;
		} else if (c == '{') {
			size_t i = r->pos + 1, d1 = 0, d2 = 0;
			while (i < r->len && r->s[i] >= '0' && r->s[i] <= '9')
				i++, d1++;
			if (i < r->len && r->s[i] == ',') {
				i++;
				while (i < r->len && r->s[i] >= '0' &&
				       r->s[i] <= '9')
					i++, d2++;
			}
			if (!d1 || i >= r->len || r->s[i] != '}')
				return rx_fail(r, "malformed repetition "
					       "{n}, {n,} or {n,m}");
			r->pos = i + 1;
		} else {
			break;
		}
	}
	return true;
}

static bool
rx_concat(struct rx *r)
{
	while (r->pos < r->len && r->s[r->pos] != '|' && r->s[r->pos] != ')')
		if (!rx_repeat(r))
			return false;
		else if (r->pos < r->len && r->s[r->pos] == '&')
			r->pos++;       /* intersection */
	return true;
}

static bool
rx_alt(struct rx *r)
{
	if (!rx_concat(r))
		return false;
	while (r->pos < r->len && r->s[r->pos] == '|') {
		r->pos++;
		if (!rx_concat(r))
			return false;
	}
	return true;
}

bool
lit_check_regex(const char *s, size_t len, size_t *err_off, const char **msg)
{
	struct rx r = { s, len, 0, 0, NULL, 0 };

	if (rx_alt(&r) && r.pos < r.len)
		rx_fail(&r, "')' without '('");
	if (r.msg) {
		*err_off = r.err;
		*msg = r.msg;
		return false;
	}
	return true;
}
