/*
 * literal.c - IP/CIDR and Lucene regex literals (see literal.h).  Regex
 * literals are checked by the matcher's own parser (vm/regex.h).
 */
#include "sema/literal.h"

#include <string.h>

#include "pattern/regex.h"

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

/* One Lucene parser in the program: the matcher's (vm/regex.c), which
 * also applies the automaton's size limits. */
bool
lit_check_regex(const char *s, size_t len, size_t *err_off, const char **msg)
{
	return rx_check(s, len, RX_LUCENE, 0, err_off, msg);
}
