/*
 * events-reader.c - throughput of the event reader (src/events/reader.cc):
 * reads an NDJSON or JSON-array file and extracts from every event the 10
 * fields of ../shared/reference/json-throughput.md (with ev_get), or the
 * fields listed in FIELDS, one dotted path a line (registered with ev_want
 * and read with ev_slot, as the replay engine does; bench/read-events.sh
 * makes such a list from an image).  Prints wall and CPU time: on a busy
 * machine the CPU time (CLOCK_PROCESS_CPUTIME_ID) is the steadier.
 *
 *   bench/events-reader FILE [ROUNDS [FIELDS]]
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/reader.h"

static const char *const fields10[] = {
	"process.name", "process.parent.name", "event.category", "event.type",
	"destination.ip", "process.args_count", "process.entity_id",
	"process.parent.entity_id", "@timestamp", "host.os.type",
};

static double
now(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	char **fields = (char **)fields10;
	size_t nfields = sizeof fields10 / sizeof fields10[0], *len;
	int rounds = argc > 2 ? atoi(argv[2]) : 3, *ids;
	bool slots = false;

	if (argc < 2) {
		fprintf(stderr, "usage: events-reader FILE [ROUNDS [FIELDS]]\n");
		return 2;
	}
	if (argc > 3) {
		FILE *fp = fopen(argv[3], "r");
		char line[4096];

		if (!fp) {
			perror(argv[3]);
			return 2;
		}
		fields = NULL;
		nfields = 0;
		while (fgets(line, sizeof line, fp)) {
			line[strcspn(line, "\r\n")] = 0;
			if (!*line)
				continue;
			fields = realloc(fields, (nfields + 1) * sizeof *fields);
			if (!fields || !(fields[nfields++] = strdup(line)))
				return 2;
		}
		fclose(fp);
		slots = true;
	}
	len = calloc(nfields + 1, sizeof *len);
	ids = calloc(nfields + 1, sizeof *ids);
	if (!len || !ids)
		return 2;
	for (size_t f = 0; f < nfields; f++)
		len[f] = strlen(fields[f]);
	for (int round = 0; round < rounds; round++) {
		const char *err;
		struct ev_reader *r = ev_open(argv[1], &err);
		struct ev_event *ev;
		struct ev_value v;
		const struct ev_value *el;
		size_t nel;
		uint64_t n = 0, bad = 0, found = 0, sum = 0;
		double t0 = now(CLOCK_MONOTONIC);
		double c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		int rc;

		if (!r) {
			fprintf(stderr, "%s: %s\n", argv[1], err);
			return 1;
		}
		if (slots)
			for (size_t f = 0; f < nfields; f++)
				ids[f] = ev_want(r, fields[f], len[f]);
		while ((rc = ev_next(r, &ev)) != 0) {
			if (rc < 0) {
				bad++;
				continue;
			}
			n++;
			for (size_t f = 0; f < nfields; f++) {
				if (slots) {
					if (!ev_slot(ev, ids[f], &v, &el, &nel))
						continue;
				} else if (!ev_get(ev, fields[f], len[f], &v)) {
					continue;
				} else if (v.kind == EV_ARRAY) {
					nel = ev_array_len(ev, fields[f], len[f]);
				}
				found++;
				if (v.kind == EV_STRING)
					sum += v.u.s.len;
				else if (v.kind == EV_ARRAY)
					sum += nel;
			}
		}
		double t = now(CLOCK_MONOTONIC) - t0;
		double c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
		double mb = (double)ev_bytes_read(r) / 1e6;
		printf("%.1f MB, %llu events (%llu bad), %zu paths, %llu fields, "
		    "%.3f s: %.0f MB/s, %.0f k events/s; CPU %.3f s: %.0f MB/s "
		    "[check %llu]\n",
		    mb, (unsigned long long)n, (unsigned long long)bad, nfields,
		    (unsigned long long)found, t, mb / t, (double)n / t / 1e3,
		    c, mb / c, (unsigned long long)sum);
		ev_close(r);
	}
	return 0;
}
