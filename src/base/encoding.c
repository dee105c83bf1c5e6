/*
 * encoding.c - the classification of a file's bytes, and UTF-8 decoding
 * (see encoding.h).
 */
#include "base/encoding.h"

#include <string.h>

#include "base/diag.h"

enum { SNIFF_BYTES = 64 };

struct enc_guess
enc_sniff(const char *data, size_t len)
{
	const unsigned char *d = (const unsigned char *)data;
	struct enc_guess g = { ENC_UTF8, 0 };
	size_t n = len < SNIFF_BYTES ? len : SNIFF_BYTES, i, pairs;
	size_t zeros[2] = { 0, 0 };

	if (len >= 3 && d[0] == 0xEF && d[1] == 0xBB && d[2] == 0xBF) {
		g.bom = 3;
		return g;
	}
	/* UTF-32LE's mark begins with UTF-16LE's: test it first */
	if (len >= 4 && d[0] == 0xFF && d[1] == 0xFE && !d[2] && !d[3]) {
		g.enc = ENC_UTF32LE;
		g.bom = 4;
	} else if (len >= 4 && !d[0] && !d[1] && d[2] == 0xFE && d[3] == 0xFF) {
		g.enc = ENC_UTF32BE;
		g.bom = 4;
	} else if (len >= 2 && d[0] == 0xFF && d[1] == 0xFE) {
		g.enc = ENC_UTF16LE;
		g.bom = 2;
	} else if (len >= 2 && d[0] == 0xFE && d[1] == 0xFF) {
		g.enc = ENC_UTF16BE;
		g.bom = 2;
	}
	if (g.bom)
		return g;
	/* without a mark: an ASCII character is 'c' 0 0 0 or 0 0 0 'c' in
	 * UTF-32, 'c' 0 or 0 'c' in UTF-16; rule text is mostly ASCII, so at
	 * least half of the characters sampled show the pattern */
	if (n >= 4 && d[0] && !d[1] && !d[2] && !d[3]) {
		g.enc = ENC_UTF32LE;
		return g;
	}
	if (n >= 4 && !d[0] && !d[1] && !d[2] && d[3]) {
		g.enc = ENC_UTF32BE;
		return g;
	}
	n &= ~(size_t)1;
	pairs = n / 2;
	for (i = 0; i < n; i++)
		if (!d[i])
			zeros[i & 1]++;
	if (n >= 2 && d[0] && !d[1] && zeros[1] * 2 >= pairs)
		g.enc = ENC_UTF16LE;
	else if (n >= 2 && !d[0] && d[1] && zeros[0] * 2 >= pairs)
		g.enc = ENC_UTF16BE;
	return g;
}

const char *
enc_name(enum enc e)
{
	switch (e) {
	case ENC_UTF16LE: return "UTF-16LE";
	case ENC_UTF16BE: return "UTF-16BE";
	case ENC_UTF32LE: return "UTF-32LE";
	case ENC_UTF32BE: return "UTF-32BE";
	case ENC_UTF8: break;
	}
	return "UTF-8";
}

static bool
is_utf32(enum enc e)
{
	return e == ENC_UTF32LE || e == ENC_UTF32BE;
}

static bool
is_le(enum enc e)
{
	return e == ENC_UTF16LE || e == ENC_UTF32LE;
}

const char *
enc_iconv_name(struct enc_guess g)
{
	if (g.bom && g.enc != ENC_UTF8)
		return is_utf32(g.enc) ? "UTF-32" : "UTF-16";
	return enc_name(g.enc);
}

void
enc_describe(struct strbuf *msg, struct enc_guess g)
{
	const char *family = is_utf32(g.enc) ? "UTF-32" : "UTF-16";
	const char *order = is_le(g.enc) ? "little-endian" : "big-endian";

	if (g.bom)
		sb_printf(msg, "the file is %s text (%s, with a byte order "
			  "mark); rulec reads UTF-8", family, order);
	else
		sb_printf(msg, "the file looks like %s text (%s: %s "
			  "beside each ASCII character); rulec reads UTF-8",
			  family, order, is_utf32(g.enc) ? "three NUL bytes"
							 : "a NUL byte");
}

/* A path as one shell word: single-quoted unless it is plain. */
static void
put_shell_word(struct strbuf *sb, const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			    "0123456789_./+,:@%=-", *p))
			break;
	if (!*p && *s) {
		sb_puts(sb, s);
		return;
	}
	sb_putc(sb, '\'');
	for (p = s; *p; p++) {
		if (*p == '\'')
			sb_puts(sb, "'\\''");
		else
			sb_putc(sb, *p);
	}
	sb_putc(sb, '\'');
}

void
enc_fix(struct strbuf *help, const char *from, const char *path)
{
	struct strbuf tmp = STRBUF_INIT;

	sb_printf(&tmp, "%s.utf8", path);
	sb_printf(help, "iconv -f %s -t UTF-8 ", from);
	put_shell_word(help, path);
	sb_puts(help, " > ");
	put_shell_word(help, tmp.data ? tmp.data : "");
	sb_puts(help, " && mv ");
	put_shell_word(help, tmp.data ? tmp.data : "");
	sb_putc(help, ' ');
	put_shell_word(help, path);
	if (tmp.oom)
		help->oom = true;
	sb_free(&tmp);
}

int
utf8_decode(const unsigned char *s, size_t n, uint32_t *cp)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xBF;
	uint32_t v;
	int len, i;

	if (c < 0x80) {
		*cp = c;
		return 1;
	}
	if (c < 0xC2)
		return -1;
	if (c < 0xE0) {
		len = 2;
		v = c & 0x1F;
	} else if (c < 0xF0) {
		len = 3;
		v = c & 0x0F;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c < 0xF5) {
		len = 4;
		v = c & 0x07;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return -1;
	for (i = 1; i < len; i++) {
		if ((size_t)i >= n)
			return 0;
		if (s[i] < lo || s[i] > hi)
			return -1;
		v = v << 6 | (s[i] & 0x3F);
		lo = 0x80;
		hi = 0xBF;
	}
	*cp = v;
	return len;
}

size_t
utf8_char_len_slow(const char *s, size_t n)
{
	uint32_t cp;
	int k = utf8_decode((const unsigned char *)s, n, &cp);

	return k > 0 ? (size_t)k : 1;
}

size_t
utf8_check(const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	uint32_t cp;
	int k;

	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_decode(u + i, n - i, &cp)) <= 0)
			return i;
		i += (size_t)k;
	}
	return n;
}

bool
enc_require_utf8(struct diag_sink *ds, struct rc_source *s)
{
	struct enc_guess g = enc_sniff(s->data, s->len);
	struct strbuf msg = STRBUF_INIT, help = STRBUF_INIT;
	struct diag *d;

	if (g.enc == ENC_UTF8) {
		if (g.bom) {
			char *data = (char *)s->data;

			/* the source owns its malloc'd data */
			memmove(data, data + g.bom, s->len - g.bom);
			s->len -= g.bom;
			data[s->len] = '\0';
			s->bom = true;
		}
		return true;
	}
	enc_describe(&msg, g);
	sb_puts(&help, "convert it to UTF-8: ");
	enc_fix(&help, enc_iconv_name(g), s->name);
	if (msg.oom || help.oom) {
		ds->arena->oom = true;
	} else {
		d = diag_new(ds, D_ENCODING, NULL, span_make(0, 0), "%s",
			     msg.data);
		if (d)
			d->file = s;
		diag_help(ds, d, "%s", help.data);
		diag_emit(ds, d);
	}
	sb_free(&msg);
	sb_free(&help);
	return false;
}
