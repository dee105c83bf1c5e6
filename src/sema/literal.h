/*
 * literal.h - validation of the literals whose form matters: IP addresses
 * and CIDR networks, and Lucene regular expressions.
 */
#ifndef RC_LITERAL_H
#define RC_LITERAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Parses "a.b.c.d", an IPv6 address (with at most one "::", and an
 * optional dotted IPv4 tail), either with an optional "/prefix".  Fills
 * addr (network byte order, 4 or 16 bytes used) and *prefix (32 or 128
 * when absent).  Returns 4 or 6, or 0 when malformed. */
unsigned lit_parse_cidr(const char *s, size_t len, uint8_t addr[16],
			unsigned *prefix);

/* Checks a Lucene regular expression (the syntax Elasticsearch uses, with
 * its default optional operators ~ & @ <n-m>).  On error returns false
 * with the byte offset and a message. */
bool lit_check_regex(const char *s, size_t len, size_t *err_off,
		     const char **msg);

#endif
