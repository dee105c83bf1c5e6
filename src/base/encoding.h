/*
 * encoding.h - which encoding a file's bytes are in, and UTF-8 checks.
 *
 * Design note.  rulec reads UTF-8.  Before any parser sees a file, its
 * first bytes are classified in one place (enc_sniff):
 *
 *   - a UTF-8 byte order mark is removed from the data, so every format
 *     accepts it and columns on line 1 count from the first character
 *     after it; `rc_source.bom` remembers it for the one writer of input
 *     files (`rulec test --update`);
 *   - a UTF-16 or UTF-32 file, known by its byte order mark or, without
 *     one, by the NUL bytes that ASCII text has in those encodings, is one
 *     error (RC9007) whose help line is the iconv command that converts it,
 *     and the file is not parsed;
 *   - anything else is read as UTF-8; the parsers report invalid bytes
 *     where they are.
 *
 * XML rule files are the exception: XML names its encoding, so
 * front/xml.c converts a UTF-16 file or one whose declaration names
 * another encoding to UTF-8 (with libxml2's converters) before parsing.
 */
#ifndef RC_ENCODING_H
#define RC_ENCODING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct diag_sink;
struct rc_source;
struct strbuf;

enum enc { ENC_UTF8, ENC_UTF16LE, ENC_UTF16BE, ENC_UTF32LE, ENC_UTF32BE };

struct enc_guess {
	enum enc enc;
	unsigned bom;   /* length of the byte order mark at the start, or 0 */
};

/* Classifies data[0..len) by a byte order mark or, without one, by the
 * pattern of NUL bytes in its first 64 bytes. */
struct enc_guess enc_sniff(const char *data, size_t len);

/* "UTF-8", "UTF-16LE", "UTF-16BE", "UTF-32LE", "UTF-32BE". */
const char *enc_name(enum enc e);

/* The name iconv reads the file's encoding by: "UTF-16" when a byte order
 * mark tells the order (iconv then drops the mark), else "UTF-16LE" ... */
const char *enc_iconv_name(struct enc_guess g);

/* The message for a file in `g` (not UTF-8): "the file is UTF-16 text
 * (...); rulec reads UTF-8"; and the command that converts a file,
 * "iconv -f FROM -t UTF-8 PATH > PATH.utf8 && mv PATH.utf8 PATH", with
 * the paths quoted for the shell where they need it. */
void enc_describe(struct strbuf *msg, struct enc_guess g);
void enc_fix(struct strbuf *help, const char *from, const char *path);

/* Decodes one UTF-8 character of s[0..n) (n > 0) following Unicode's table
 * of well-formed sequences (no overlong forms, no surrogates, nothing
 * above U+10FFFF).  Returns its length, 0 if s ends inside a sequence
 * that was well-formed so far, or -1 if it is ill-formed. */
int utf8_decode(const unsigned char *s, size_t n, uint32_t *cp);

/* Length of the character at s[0..n) (n > 0) as columns count it: a
 * well-formed UTF-8 sequence, or else one byte (each byte that is not
 * UTF-8 is a column of its own, as editors show it).  Inline for ASCII:
 * columns are counted over whole lines. */
size_t utf8_char_len_slow(const char *s, size_t n);

static inline size_t
utf8_char_len(const char *s, size_t n)
{
	return (unsigned char)s[0] < 0x80 ? 1 : utf8_char_len_slow(s, n);
}

/* Offset of the first byte of s[0..n) where no well-formed UTF-8
 * character starts, or n when all of it is UTF-8. */
size_t utf8_check(const char *s, size_t n);

/* Applies the classification to a file read into `s`: removes a UTF-8
 * byte order mark (setting s->bom), or reports a UTF-16/UTF-32 file as
 * one RC9007 and returns false (the file is then not to be parsed). */
bool enc_require_utf8(struct diag_sink *ds, struct rc_source *s);

#endif
