/*
 * events-reader.c - throughput of the event reader (src/events/reader.cc):
 * reads an NDJSON or JSON-array file and extracts the 10 fields of
 * docs/../shared/reference/json-throughput.md from every event.
 *
 *   bench/events-reader FILE [ROUNDS]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "events/reader.h"

static const char *const fields[] = {
	"process.name", "process.parent.name", "event.category", "event.type",
	"destination.ip", "process.args_count", "process.entity_id",
	"process.parent.entity_id", "@timestamp", "host.os.type",
};
#define NFIELDS (sizeof fields / sizeof fields[0])

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	size_t len[NFIELDS];
	int rounds = argc > 2 ? atoi(argv[2]) : 3;

	if (argc < 2) {
		fprintf(stderr, "usage: events-reader FILE [ROUNDS]\n");
		return 2;
	}
	for (size_t f = 0; f < NFIELDS; f++)
		len[f] = strlen(fields[f]);
	for (int round = 0; round < rounds; round++) {
		const char *err;
		struct ev_reader *r = ev_open(argv[1], &err);
		struct ev_event *ev;
		struct ev_value v;
		uint64_t n = 0, bad = 0, found = 0, sum = 0;
		double t0 = now();
		int rc;

		if (!r) {
			fprintf(stderr, "%s: %s\n", argv[1], err);
			return 1;
		}
		while ((rc = ev_next(r, &ev)) != 0) {
			if (rc < 0) {
				bad++;
				continue;
			}
			n++;
			for (size_t f = 0; f < NFIELDS; f++) {
				if (!ev_get(ev, fields[f], len[f], &v))
					continue;
				found++;
				if (v.kind == EV_STRING)
					sum += v.u.s.len;
				else if (v.kind == EV_ARRAY)
					sum += ev_array_len(ev, fields[f], len[f]);
			}
		}
		double t = now() - t0;
		double mb = (double)ev_bytes_read(r) / 1e6;
		printf("%.1f MB, %llu events (%llu bad), %llu fields, "
		    "%.3f s: %.0f MB/s, %.0f k events/s [check %llu]\n",
		    mb, (unsigned long long)n, (unsigned long long)bad,
		    (unsigned long long)found, t, mb / t, (double)n / t / 1e3,
		    (unsigned long long)sum);
		ev_close(r);
	}
	return 0;
}
