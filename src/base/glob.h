/*
 * glob.h - matching '/'-separated paths against glob patterns, for the
 * configuration file's excluded paths and path suppressions.
 *
 * Design note.  The patterns are the ones gitignore, ruff and ESLint
 * users already write:
 *   *       any run of characters within one path segment (no '/')
 *   ?       one character other than '/'
 *   [abc]   one character of a set; ranges a-z; [!...] or [^...] negates;
 *           never '/'; an unclosed '[' is an ordinary character
 *   **      as a whole segment ("**" + "/" at the start or after a '/')
 *           any number of segments, none included; anywhere else any run
 *           of characters, '/' included
 *   \c      the character c itself
 * Everything else matches itself, case-sensitively.  The match is of the
 * whole path.  Matching backtracks over '*' and '**'; patterns and paths
 * are short (a configuration file's), so the cost stays small.
 */
#ifndef RC_GLOB_H
#define RC_GLOB_H

#include <stdbool.h>

/* Whether the whole of `path` matches `pattern`. */
bool glob_path_match(const char *pattern, const char *path);

#endif
