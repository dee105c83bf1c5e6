/*
 * regex.h - linear-time matching of EQL wildcard patterns and Lucene
 * regular expressions (the run-time side of `:`, `like`, `like~`, `regex`
 * and `regex~`).
 *
 * Design note.  A `struct rx` is one compiled set of patterns: the union of
 * a list such as `process.name : ("a*.exe", "*\\temp\\*", ...)`.  Matching
 * is always of the whole string and never backtracks:
 *
 *   pattern text --parse--> syntax tree --Thompson--> NFA over code-point
 *   ranges --subset construction, lazily, one state per new input--> DFA
 *
 * * Alphabet.  Input is UTF-8.  A byte that does not start a valid
 *   (shortest-form, non-surrogate, <= U+10FFFF) sequence is one unit of its
 *   own, the pseudo code point U+110000, which only `.`, `?`, `*`, `@`,
 *   negated classes (`[^a]`, `\D`, `\S`, `\W`) and complements match.  The
 *   code points used by the patterns are partitioned into equivalence
 *   classes (every range boundary starts a class), so a DFA row has one
 *   entry per class; ASCII bytes map to their class through a 128-entry
 *   table and never get decoded.
 * * The lazy DFA.  DFA states are sets of NFA states, built the first time
 *   an input needs them and cached in the `struct rx`.  Two outcomes end a
 *   match early: the dead state (nothing can match any more) and a
 *   "universal" state (accepting, and containing an NFA state that loops on
 *   every unit with acceptance reachable: a trailing `*`), after which
 *   every continuation matches.  The cache is bounded (RX_CACHE_DEFAULT
 *   bytes, RX_CACHE_STATES states); when full it is flushed and rebuilt on
 *   demand, so every input byte costs O(1) when cached and at most one
 *   state construction (O(NFA size)) otherwise: linear in the input.
 *   rx_match() mutates the cache: one struct rx per thread.
 * * Complement (`~`) and intersection (`&`) need a deterministic operand:
 *   those sub-expressions are determinized eagerly at compile time, capped
 *   at RX_MAX_DFA_STATES states as Lucene caps determinization, and their
 *   trimmed DFA is embedded in the NFA.  Over the cap the pattern is
 *   refused with "regular expression too complex"; so is an NFA over
 *   RX_MAX_NFA_STATES states (large counted repetitions).
 * * Lucene syntax is that of org.apache.lucene.util.automaton.RegExp with
 *   all optional operators (flags ALL, as Elasticsearch uses it), including
 *   its less known rules: `\d \D \s \S \w \W` are the classes [0-9],
 *   [ \t\n\r], [a-zA-Z_0-9] (Lucene 9, the engine of Elasticsearch 8) and
 *   any other letter after `\` is an error; a metacharacter where an operand is expected is a literal
 *   (`*a` matches "*a", `|a` matches "|a", `)` matches ")"); `a|` and `a&`
 *   are errors; `{n,m}` with n > m is the empty language; `<n-m>` swaps its
 *   bounds when n > m and, when n and m are written with the same number of
 *   digits, requires exactly that many (`<01-10>` matches "05" not "5",
 *   `<1-100>` matches "5", "05" and "005").  `^` and `$` are literals.
 * * Case.  RX_CI on Lucene patterns is Lucene's ASCII_CASE_INSENSITIVE:
 *   single characters and quoted strings fold ASCII letters only, ranges
 *   (`[a-c]`) and predefined classes do not fold (Elasticsearch documents
 *   this as a known limitation, and Lucene behaves so).  RX_CI on wildcard
 *   patterns uses Unicode simple case folding (CaseFolding.txt, status C
 *   and S) over Basic Latin, Latin-1 Supplement, Latin Extended-A, Greek
 *   and Coptic, Cyrillic and Cyrillic Supplement, plus the four letter-like
 *   singletons that fold into them (U+1E9E, U+2126, U+212A, U+212B): `Σ`,
 *   `σ` and `ς` match each other, `ſ` matches `s`, `İ` and `ı` match only
 *   themselves.  No locale is consulted.  The table (casefold.def) is
 *   generated from Unicode 15.0's CaseFolding.txt by scripts/gen-casefold.
 * * Fidelity.  The Lucene side was checked against Lucene's own RegExp
 *   (8.7.0, Debian's liblucene8-java) on 250,000 random patterns over
 *   every operator: the same patterns are accepted and the same strings
 *   match, except where that Lucene is older than Elasticsearch 8's
 *   (Lucene 9: working \d classes, other letter escapes refused, which is
 *   what is implemented) and for two Lucene bugs that are not reproduced,
 *   both reachable only with degenerate patterns: under
 *   ASCII_CASE_INSENSITIVE an empty string standing alone (`regex~ ""`,
 *   `regex~ "()"`, `regex~ "a*()"`) matches nothing there, and `X*` of an
 *   empty language (`#*`, `(a&b)*`) matches nothing there instead of "".
 *   Elasticsearch determinizes the whole expression and refuses one over
 *   10,000 states (`(a|b)*a(a|b){20}`); the lazy DFA matches it.  Lucene
 *   10 keeps `~` only behind a deprecated flag (Elasticsearch still sets
 *   it); Lucene 11 drops it.
 *
 * Throughput: see the design note of internal.h, and `RX_BENCH=1
 * build/tests/unit/test_regex` for the figures on the machine at hand.
 */
#ifndef RC_REGEX_H
#define RC_REGEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"

enum rx_kind { RX_WILDCARD, RX_LUCENE };
#define RX_CI 1u   /* case-insensitive */

struct rx_pattern {
	const char *s;
	size_t len;
	enum rx_kind kind;
};

struct rx;  /* one compiled set of patterns */

/* Limits (see the design note). */
#define RX_MAX_DFA_STATES 10000         /* determinizing ~ and & operands */
#define RX_MAX_NFA_STATES 200000        /* the whole pattern set */
#define RX_CACHE_DEFAULT (2u << 20)     /* lazy DFA cache, bytes */
#define RX_CACHE_STATES 8192            /* lazy DFA cache, states */

/* Compiles the union of n patterns (any of them matching = match).  NULL
 * on error with a message in err (and *errpat = index of the bad pattern,
 * *erroff = byte offset in it), or on out of memory ("out of memory").
 * err, errpat and erroff may be NULL.  n == 0 compiles a set that matches
 * nothing. */
struct rx *rx_compile(const struct rx_pattern *p, size_t n, unsigned flags,
		      char *err, size_t errlen, size_t *errpat,
		      size_t *erroff);

/* The same through an allocator (NULL: malloc/free).  The struct rx keeps
 * using it while its cache grows; it must outlive the struct rx. */
struct rx *rx_compile_with(const struct rx_pattern *p, size_t n,
			   unsigned flags, const struct rc_allocator *al,
			   char *err, size_t errlen, size_t *errpat,
			   size_t *erroff);

/* Whole-string match (anchored at both ends) of s[0..len) against any
 * pattern.  Input is UTF-8; invalid bytes are treated as single code
 * points U+FFFD-like units that only '.'/'*'/'?'/negated classes match.
 * Never fails: when the cache cannot grow it is flushed.  rx may be
 * NULL (no match). */
bool rx_match(struct rx *rx, const char *s, size_t len);

void rx_free(struct rx *rx);

/* Whether rx_compile() of the set can fail only for want of memory,
 * decided from the text alone, in time linear in it: wildcard patterns of
 * valid UTF-8 whose total length keeps the automaton within
 * RX_MAX_NFA_STATES (at most 4 NFA states and 10 transitions per byte, 2
 * more states in all: see regex.c).  false: only compiling tells
 * (Lucene patterns, invalid text, very long sets).  A caller may then
 * defer the compilation to the first match without deferring an error. */
bool rx_compiles(const struct rx_pattern *p, size_t n, unsigned flags);

/* Checks one pattern exactly as rx_compile() would (syntax, and the size
 * limits of its automaton) without keeping anything.  On error returns
 * false with the byte offset and a static message. */
bool rx_check(const char *s, size_t len, enum rx_kind kind, unsigned flags,
	      size_t *erroff, const char **msg);

/* The cost of a wildcard pattern: its runs of `*` times its length from
 * the first `*` on (0 without a `*`).  After the first `*` every position
 * of the pattern can be live at once, so one state of the lazy DFA holds
 * up to that many NFA states, and each `*` multiplies the states the DFA
 * may need (`?*?*?*...x` needs one per `*`).  Beyond
 * RX_MAX_WILDCARD_COST the working set no longer fits the DFA cache
 * (1 MiB per list at run time, RX_CACHE_DEFAULT elsewhere), states are
 * rebuilt at every byte and each byte costs time proportional to the
 * pattern (measured: cost 262,000 still matches 6 MB in 1 s, cost
 * 524,000 takes 40 s per MB; the limit keeps a margin of 4); the
 * linter refuses such a pattern (RC1031) so that matching stays linear in
 * the input with a small constant. */
#define RX_MAX_WILDCARD_COST 65536
size_t rx_wildcard_cost(const char *s, size_t len);

/*
 * Pre-filters (filter.c): conditions every string a pattern set matches
 * meets, read off the patterns' text alone, to rule an input out before
 * any automaton runs (or is even compiled): its length in bytes within
 * minlen..maxlen, and its first plen and last slen bytes equal to pre and
 * to the end of suf (when ci: ASCII-folded, and only as far as the input's
 * bytes are ASCII, since `k` and `s` also match U+212A and U+017F).  Built for wildcard patterns
 * only; a set with a Lucene pattern, or one that does not compile, gets a
 * filter that passes everything.  A set of no pattern gets one that
 * passes nothing.  rx_filter_pass() false implies rx_match() false; true
 * says nothing.
 */
#define RX_FILTER_AFFIX 16
struct rx_filter {
	uint32_t minlen, maxlen;        /* maxlen UINT32_MAX: unbounded */
	uint8_t plen, slen;
	bool ci;
	char pre[RX_FILTER_AFFIX];      /* the prefix, pre[0..plen) */
	char suf[RX_FILTER_AFFIX];      /* the suffix, its last slen bytes */
};
void rx_filter_build(const struct rx_pattern *p, size_t n, unsigned flags,
		     struct rx_filter *f);
/* The affix tests alone (len >= both affixes). */
bool rx_filter_affix(const struct rx_filter *f, const char *s, size_t len);

static inline bool
rx_filter_pass(const struct rx_filter *f, const char *s, size_t len)
{
	if (len < f->minlen || len > f->maxlen)
		return false;
	return (f->plen | f->slen) == 0 || rx_filter_affix(f, s, len);
}

/* Sizes, for tests and benchmarks. */
struct rx_stats {
	size_t nfa_states;      /* states of the NFA */
	size_t classes;         /* code-point equivalence classes */
	size_t dfa_states;      /* DFA states now in the cache */
	size_t flushes;         /* times the cache was emptied */
	size_t cache_bytes;     /* memory the cache holds */
};
void rx_get_stats(const struct rx *rx, struct rx_stats *st);

/* Bounds the DFA cache to about `bytes` (never below what two states
 * need); the default is RX_CACHE_DEFAULT. */
void rx_set_cache_limit(struct rx *rx, size_t bytes);

#endif
