/*
 * test_suggest.c - edit distance and the best-candidate finder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/suggest.h"
#include "rulec.h"

#define DIST(a, b, fold, max) \
	suggest_distance((a), strlen(a), (b), strlen(b), (fold), (max))

/* Reference: the textbook full-matrix OSA distance, no band, no early
 * exit, case-sensitive. */
static unsigned
ref_osa(const char *a, size_t n, const char *b, size_t m)
{
	unsigned *d = malloc((n + 1) * (m + 1) * sizeof *d);
	size_t i, j;
	unsigned r;

	assert_non_null(d);
#define D(i, j) d[(i) * (m + 1) + (j)]
	for (i = 0; i <= n; i++)
		D(i, 0) = (unsigned)i;
	for (j = 0; j <= m; j++)
		D(0, j) = (unsigned)j;
	for (i = 1; i <= n; i++) {
		for (j = 1; j <= m; j++) {
			unsigned c = a[i - 1] == b[j - 1] ? 0 : 1;
			unsigned v = D(i - 1, j) + 1;

			if (D(i, j - 1) + 1 < v)
				v = D(i, j - 1) + 1;
			if (D(i - 1, j - 1) + c < v)
				v = D(i - 1, j - 1) + c;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] &&
			    a[i - 2] == b[j - 1] && D(i - 2, j - 2) + 1 < v)
				v = D(i - 2, j - 2) + 1;
			D(i, j) = v;
		}
	}
	r = D(n, m);
#undef D
	free(d);
	return r;
}

static void
test_distance_basic(void **state)
{
	(void)state;
	assert_int_equal(DIST("", "", false, 10), 0);
	assert_int_equal(DIST("same", "same", false, 10), 0);
	assert_int_equal(DIST("", "abc", false, 10), 3);
	assert_int_equal(DIST("abc", "", false, 10), 3);
	assert_int_equal(DIST("kitten", "sitting", false, 10), 3);
	assert_int_equal(DIST("sitting", "kitten", false, 10), 3);
	assert_int_equal(DIST("flaw", "lawn", false, 10), 2);
	assert_int_equal(DIST("process.name", "proces.name", false, 10), 1);
	assert_int_equal(DIST("a", "b", false, 10), 1);
	/* max larger than any possible distance */
	assert_int_equal(DIST("abc", "xyz", false, UINT32_MAX), 3);
}

static void
test_distance_transposition(void **state)
{
	(void)state;
	assert_int_equal(DIST("name", "nmae", false, 10), 1);
	assert_int_equal(DIST("ab", "ba", false, 10), 1);
	assert_int_equal(DIST("process.nmae", "process.name", false, 10), 1);
	assert_int_equal(DIST("abcd", "badc", false, 10), 2);
	/* OSA, not unrestricted Damerau-Levenshtein: "ca" -> "abc" is 3,
	 * since the transposed pair may not be edited again. */
	assert_int_equal(DIST("ca", "abc", false, 10), 3);
	assert_int_equal(DIST("abc", "ca", false, 10), 3);
	/* not adjacent: two substitutions */
	assert_int_equal(DIST("abc", "cba", false, 10), 2);
}

static void
test_distance_fold(void **state)
{
	(void)state;
	assert_int_equal(DIST("Process.Name", "process.name", true, 10), 0);
	assert_int_equal(DIST("Process.Name", "process.name", false, 10), 2);
	assert_int_equal(DIST("ABC", "abc", false, 10), 3);
	assert_int_equal(DIST("NMAE", "name", true, 10), 1);
	/* only ASCII letters fold: bytes >= 0x80 and punctuation do not */
	assert_int_equal(DIST("\xc3\x89", "\xc3\xa9", true, 10), 1);
	assert_int_equal(DIST("[", "{", true, 10), 1);
	assert_int_equal(DIST("@", "`", true, 10), 1);
}

static void
test_distance_early_exit(void **state)
{
	(void)state;
	/* beyond max: max + 1 */
	assert_int_equal(DIST("abcdefgh", "zyxwvuts", false, 2), 3);
	assert_int_equal(DIST("abcdefgh", "zyxwvuts", false, 0), 1);
	assert_int_equal(DIST("abcdefgh", "zyxwvuts", false, 8), 8);
	/* length difference alone decides */
	assert_int_equal(DIST("a", "abcdefghij", false, 3), 4);
	assert_int_equal(DIST("a", "abcdefghij", false, 9), 9);
	/* exactly max is still exact */
	assert_int_equal(DIST("kitten", "sitting", false, 3), 3);
	assert_int_equal(DIST("kitten", "sitting", false, 2), 3);
	assert_true(DIST("kitten", "sitting", false, 1) > 1);
	assert_int_equal(DIST("same", "same", false, 0), 0);
	/* a transposition that only pays off two rows later, at max 1 */
	assert_int_equal(DIST("abxy", "baxy", false, 1), 1);
}

/* Random strings over a small alphabet (so that matches and
 * transpositions are frequent), every max from 0 to past the distance:
 * the result must equal the reference when it is <= max, else exceed
 * max. */
static void
test_distance_random(void **state)
{
	unsigned seed = 12345;
	int iter;

	(void)state;
	for (iter = 0; iter < 4000; iter++) {
		char a[24], b[24];
		size_t n, m, i;
		unsigned ref, max;

		seed = seed * 1103515245u + 12345u;
		n = (seed >> 16) % 12;
		seed = seed * 1103515245u + 12345u;
		m = (seed >> 16) % 12;
		for (i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			a[i] = (char)('a' + (seed >> 16) % 3);
		}
		for (i = 0; i < m; i++) {
			seed = seed * 1103515245u + 12345u;
			b[i] = (char)('a' + (seed >> 16) % 3);
		}
		ref = ref_osa(a, n, b, m);
		for (max = 0; max <= ref + 2; max++) {
			unsigned d = suggest_distance(a, n, b, m, false, max);

			if (ref <= max)
				assert_int_equal(d, ref);
			else
				assert_true(d > max);
		}
		assert_int_equal(suggest_distance(a, n, b, m, false, UINT32_MAX),
				 ref);
	}
}

/* Rows longer than the stack buffer take the heap path. */
static void
test_distance_long(void **state)
{
	char a[301], b[301];
	size_t i;

	(void)state;
	for (i = 0; i < 300; i++)
		a[i] = b[i] = (char)('a' + i % 26);
	a[300] = b[300] = '\0';
	assert_int_equal(DIST(a, b, false, 5), 0);
	b[10] = '#';
	b[200] = a[201];
	b[201] = a[200];
	assert_int_equal(DIST(a, b, false, 5), 2);
	assert_int_equal(DIST(a, b, false, 300), 2);
	assert_int_equal(DIST(a, b, false, 1), 2);
	assert_int_equal(suggest_distance(a, 300, b, 150, false, 400), 151);
	assert_int_equal(suggest_distance(a, 300, b, 150, false, 20), 21);
}

static void
test_threshold(void **state)
{
	static const unsigned want[] = { 1, 1, 1, 1, 1, 1, 2, 2, 2, 3, 3,
					  3, 3, 3 };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof want / sizeof want[0]; i++)
		assert_int_equal(suggest_threshold(i), want[i]);
	assert_int_equal(suggest_threshold(1000), 3);
}

static const char *
best_of(const char *word, bool fold, const char *const *cands)
{
	struct suggest sg;

	suggest_init(&sg, word, strlen(word), fold);
	for (; *cands; cands++)
		suggest_add(&sg, *cands, strlen(*cands));
	return suggest_best(&sg);
}

static void
test_suggest_best(void **state)
{
	const char *const names[] = { "process.pid", "process.name",
				      "process.parent.name", NULL };
	const char *const none[] = { NULL };
	const char *const far[] = { "xyz", "qqq", NULL };
	const char *const tie[] = { "bat", "cot", "cut", NULL };
	const char *const closer[] = { "bat", "cat", "hat", NULL };
	const char *const upper[] = { "name", NULL };
	struct suggest sg;

	(void)state;
	/* the very pointer passed in comes back */
	assert_ptr_equal(best_of("process.nmae", false, names), names[1]);
	assert_ptr_equal(best_of("proces.name", false, names), names[1]);
	assert_null(best_of("anything", false, none));
	assert_null(best_of("abc", false, far));
	/* ties keep the first; a strictly closer one replaces it */
	assert_ptr_equal(best_of("cat", false, tie), tie[0]);
	assert_ptr_equal(best_of("cat", false, closer), closer[1]);
	/* folding is the finder's setting */
	assert_null(best_of("NAME", false, upper));
	assert_ptr_equal(best_of("NAME", true, upper), upper[0]);

	suggest_init(&sg, "abc", 3, false);
	assert_null(suggest_best(&sg));
	assert_int_equal(sg.best_dist, 2);
	suggest_add(&sg, "abd", 3);
	assert_string_equal(suggest_best(&sg), "abd");
	assert_int_equal(sg.best_dist, 1);
}

/* The threshold depends on the word's length: 1 up to 5 characters, 2 for
 * 6 to 8, 3 from 9 on. */
static void
test_suggest_threshold(void **state)
{
	const char *const two[] = { "prcess", NULL };      /* 2 from "process" */
	const char *const three[] = { "prc", NULL };       /* 4 from "process" */
	const char *const nine3[] = { "abcxyzghi", NULL }; /* 3 from "abcdefghi" */
	const char *const nine4[] = { "abcxyzwhi", NULL }; /* 4 */
	const char *const five2[] = { "abxyz", NULL };     /* 3 from "abcde" */
	const char *const five1[] = { "abcdz", NULL };     /* 1 */
	const char *const long4[] = { "process.parent.executable.xxxx", NULL };

	(void)state;
	assert_non_null(best_of("process", false, two));
	assert_null(best_of("process", false, three));
	assert_non_null(best_of("abcdefghi", false, nine3));
	assert_null(best_of("abcdefghi", false, nine4));
	assert_null(best_of("abcde", false, five2));
	assert_non_null(best_of("abcde", false, five1));
	/* at most 3 even for a long word: 4 edits are too many */
	assert_null(best_of("process.parent.executable.yyyy", false, long4));
	/* at least 1 for a one-letter word */
	{
		const char *const one[] = { "b", NULL };

		assert_non_null(best_of("a", false, one));
	}
}

/* The public finder: case ignored, ties to the earlier candidate, NULL
 * entries skipped, nothing past the threshold. */
static void
test_public(void **state)
{
	static const char *const cmds[] = { "lint", "compile", NULL, "run",
					    "test", "disasm", "explain" };
	static const char *const ties[] = { "abcd", "abce" };

	(void)state;
	assert_string_equal(rulec_suggest("lnt", cmds, 7), "lint");
	assert_string_equal(rulec_suggest("EXPLIAN", cmds, 7), "explain");
	assert_ptr_equal(rulec_suggest("rn", cmds, 7), cmds[3]);
	assert_null(rulec_suggest("frobnicate", cmds, 7));
	assert_null(rulec_suggest("lnt", cmds, 0));
	assert_null(rulec_suggest(NULL, cmds, 7));
	assert_ptr_equal(rulec_suggest("abcf", ties, 2), ties[0]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_distance_basic),
		cmocka_unit_test(test_distance_transposition),
		cmocka_unit_test(test_distance_fold),
		cmocka_unit_test(test_distance_early_exit),
		cmocka_unit_test(test_distance_random),
		cmocka_unit_test(test_distance_long),
		cmocka_unit_test(test_threshold),
		cmocka_unit_test(test_suggest_best),
		cmocka_unit_test(test_suggest_threshold),
		cmocka_unit_test(test_public),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
