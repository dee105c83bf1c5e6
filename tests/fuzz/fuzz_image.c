/*
 * fuzz_image.c - libFuzzer target for the bytecode image loader: the input
 * is an image file.  Loading runs the verifier; a refused image must come
 * with a message, an accepted one must disassemble; nothing may crash,
 * leak or trip a sanitizer.
 *
 * Build: configure CC=clang --enable-fuzzing; run:
 *   tests/fuzz/fuzz_image $(srcdir)/tests/fuzz/image-corpus
 * (seed it with images from `rulec compile`).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <string.h>

#include "rulec.h"
#include "vm/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Loads one buffer: a refusal must say why. */
static void
one(const uint8_t *data, size_t size)
{
	char err[256];
	char *text;

	err[0] = '\0';
	text = rulec_image_disasm(data, size, err, sizeof err);
	if (!text && !err[0])
		abort();
	free(text);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint32_t crc;

	one(data, size);
	/* the same bytes with the header's CRC made right (offset 20, little
	 * endian), so that mutations reach the section checks and the
	 * verifier instead of stopping at the checksum */
	if (size < IMG_HEADER_SIZE || !(copy = malloc(size)))
		return 0;
	memcpy(copy, data, size);
	crc = img_crc32(copy + IMG_HEADER_SIZE, size - IMG_HEADER_SIZE);
	copy[20] = (uint8_t)crc;
	copy[21] = (uint8_t)(crc >> 8);
	copy[22] = (uint8_t)(crc >> 16);
	copy[23] = (uint8_t)(crc >> 24);
	one(copy, size);
	free(copy);
	return 0;
}
