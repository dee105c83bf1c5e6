/*
 * fuzz_testfile.c - libFuzzer target for the test-file reader of
 * `rulec test` (driver/testfile.c): the input is a NAME.test.toml file,
 * read by tf_read as `rulec test` reads it.  Every problem must be a
 * located diagnostic (each rendered as text and JSON); what was read is
 * then walked in full -- every test's name, expected results and their
 * ids, join keys, the events' inline text (wrapped as a front end would
 * read it) and file names -- so a dangling or inconsistent record trips
 * AddressSanitizer.  No crash, leak or sanitizer report; nothing printed.
 *
 * Build: configure CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz_testfile -dict=$(srcdir)/tests/fuzz/toml.dict \
 *       $(srcdir)/tests/fuzz/testfile-corpus
 * (or scripts/fuzz fuzz_testfile).  The seeds were written by hand.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/json.h"
#include "base/source.h"
#include "base/strbuf.h"
#include "driver/testfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
check(int ok)
{
	if (!ok)
		abort();
}

static void
render(void *ud, const struct diag *d)
{
	struct strbuf sb = STRBUF_INIT;

	(void)ud;
	diag_render_text(d, &sb, 0);
	check(sb.oom || sb.len > 0);
	sb_free(&sb);
	diag_render_json(d, &sb);
	check(sb.oom || sb.len > 0);
	sb_free(&sb);
}

/* Touches every byte of a string value, and wraps it as a text. */
static size_t
touch_str(const struct json_value *v, struct rc_source *src)
{
	struct rc_text t;
	size_t i, h = 0;

	if (!v)
		return 0;
	check(v->type == JSON_STRING);
	for (i = 0; i < v->u.str.len; i++)
		h += (unsigned char)v->u.str.s[i];
	json_string_text(v, src, &t);
	check(t.len == v->u.str.len);
	check(text_to_source(&t, (uint32_t)t.len) <= src->len);
	return h;
}

static size_t
touch_events(const struct tf_events *e, struct rc_source *src)
{
	size_t i, h = touch_str(e->text, src);

	for (i = 0; i < e->nfiles; i++)
		h += touch_str(e->files[i], src);
	return h;
}

static size_t
touch_results(const struct tf_result *r, size_t n, const struct rc_text *t)
{
	size_t i, k, h = 0;

	for (i = 0; i < n; i++) {
		check(r[i].span.start <= r[i].span.end &&
		      r[i].span.end <= t->len);
		for (k = 0; k < r[i].n; k++) {
			check(r[i].ids[k] != NULL);
			h += strlen(r[i].ids[k]);
		}
	}
	return h;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena a;
	struct diag_sink ds;
	struct rc_source src;
	struct tf_file tf;
	char *text;
	size_t i, h = 0;

	if (size > UINT32_MAX / 2 || !(text = malloc(size + 1)))
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&src, 0, sizeof src);
	src.name = "fuzz.test.toml";
	src.data = text;
	src.len = size;
	memset(&tf, 0, sizeof tf);
	arena_init(&a, NULL);
	diag_sink_init(&ds, &a);
	ds.fn = render;
	if (tf_read(&a, &ds, &src, &tf) == 0)
		check(ds.count[SEV_ERROR] == 0);
	h += touch_events(&tf.events, &src);
	h += touch_str(tf.rule, &src);
	h += touch_str(tf.id_field, &src) + touch_str(tf.timestamp_field, &src);
	h += touch_str(tf.category_field, &src);
	h += touch_str(tf.tiebreaker_field, &src);
	for (i = 0; i < tf.ntests; i++) {
		const struct tf_test *t = &tf.tests[i];

		check(t->name != NULL);
		h += strlen(t->name);
		if (t->own_events)
			h += touch_events(&t->events, &src);
		h += touch_results(t->match, t->nmatch, &tf.text);
		h += touch_results(t->no_match, t->nno_match, &tf.text);
		if (t->join_keys)
			check(t->join_keys->type == JSON_ARRAY);
		if (t->skip)
			h += strlen(t->skip);
		check(t->count >= -1 && t->at_least >= -1 && t->at_most >= -1);
	}
	(void)h;
	diag_sink_free(&ds);
	source_free_lines(&src);
	arena_release(&a);
	free(text);
	return 0;
}
