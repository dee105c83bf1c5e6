/*
 * fuzz_image.c - libFuzzer target for the bytecode image loader and the
 * replay engine: the input is an image file.  Loading runs the verifier; a
 * refused image must come with a message; an accepted one must
 * disassemble and then run on a fixed events file (the engine may decline
 * an image it cannot run, such as one whose pattern no longer compiles,
 * but only with a message).  Nothing may crash, leak or trip a sanitizer:
 * the interpreter trusts only what the verifier proved, so every other
 * value of an image that loads (pool contents, rule fields, pipes, runs,
 * keys) must be safe to run.
 *
 * Build: configure CC=clang CXX=clang++ --enable-fuzzing; run:
 *   tests/fuzz/fuzz_image $(srcdir)/tests/fuzz/image-corpus
 * The seeds are images from `rulec compile` (run from the top of the tree,
 * again whenever the image format changes):
 *   rulec compile -q -o tests/fuzz/image-corpus/bundled.rbc rules
 *   rulec compile -q -o tests/fuzz/image-corpus/good.rbc tests/golden/lint/good
 *   rulec compile -q -o tests/fuzz/image-corpus/run.rbc \
 *       tests/fuzz/image-rules
 *   rulec compile -q -o tests/fuzz/image-corpus/event.rbc \
 *       tests/golden/lint/good/g01-simple.eql
 * (the last: one event rule with a category, so no stage for any event).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rulec.h"
#include "replay/engine.h"
#include "report/match.h"
#include "vm/image.h"

#include "../unit/image_events.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Accepted images run on tests/image_events.h, written to a file once. */
static char events_path[4096];

static void
cleanup(void)
{
	unlink(events_path);
}

/* Writes the events file once, under $TMPDIR. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	int fd;

	(void)argc;
	(void)argv;
	snprintf(events_path, sizeof events_path, "%s/fuzz_image.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(events_path);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		perror("fuzz_image: events file");
		abort();
	}
	if (image_events_write(f) != 0 || fclose(f) != 0) {
		perror("fuzz_image: events file");
		abort();
	}
	atexit(cleanup);
	return 0;
}

/* The engine's callbacks: every result is rendered, then dropped. */
static void
render(void *ud, const struct replay_match *m)
{
	struct strbuf sb = STRBUF_INIT;

	(void)ud;
	match_json(m, &sb);
	sb_free(&sb);
}

/* Runs an accepted image on the events: declined only with a message,
 * and the one malformed line is the only one whatever the image. */
static void
run(const struct image *im)
{
	struct replay_opts o;
	struct replay *e;
	char err[256];

	replay_opts_init(&o);
	err[0] = '\0';
	e = replay_new(im, &o, render, NULL, err, sizeof err);
	if (!e) {
		if (!err[0])
			abort();
		return;
	}
	if (replay_feed(e, events_path, NULL, NULL) != IMAGE_BAD_EVENTS)
		abort();
	replay_finish(e, NULL, NULL);
	replay_free(e);
}

/* Loads one buffer: a refusal must say why; an accepted image must
 * disassemble and run. */
static void
one(const uint8_t *data, size_t size)
{
	struct strbuf dis = STRBUF_INIT;
	struct image im;
	char err[256];

	err[0] = '\0';
	if (img_load(data, size, &im, err, sizeof err) != 0) {
		if (!err[0])
			abort();
		return;
	}
	img_disasm(&im, &dis);
	if (dis.oom)
		abort();
	sb_free(&dis);
	run(&im);
	img_free(&im);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint32_t crc;

	one(data, size);
	/* the same bytes with the header's CRC made right (offset 20, little
	 * endian), so that mutations reach the section checks, the verifier
	 * and the engine instead of stopping at the checksum */
	if (size < IMG_HEADER_SIZE || !(copy = malloc(size)))
		return 0;
	memcpy(copy, data, size);
	crc = img_crc32(copy + IMG_HEADER_SIZE, size - IMG_HEADER_SIZE);
	copy[20] = (uint8_t)crc;
	copy[21] = (uint8_t)(crc >> 8);
	copy[22] = (uint8_t)(crc >> 16);
	copy[23] = (uint8_t)(crc >> 24);
	/* unchanged when the CRC was right already: loaded above */
	if (memcmp(copy + 20, data + 20, 4) != 0)
		one(copy, size);
	free(copy);
	return 0;
}
