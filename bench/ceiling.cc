/*
 * ceiling.cc - the "ceiling" of bench/replay.sh: the fastest plain
 * one-pass reading of the events a replay must do, to which the replay's
 * throughput is compared.  It reads an NDJSON file in 4 MiB chunks (as
 * src/events/reader.cc does), parses every line with simdjson On-Demand
 * and extracts the fields named in FIELDS (one dotted path a line: the
 * fields the rules of an image read, see bench/replay.sh), descending
 * only into objects on the way to a wanted path and letting On-Demand
 * skip everything else.  String values are located (not copied), numbers
 * and booleans decoded, arrays of wanted paths walked element by element.
 * It does not validate the values it skips (rulec's reader does, so a
 * malformed record never depends on the rules), does not unescape keys
 * and reads no JSON arrays: it is an upper bound, not a replacement.
 *
 *   bench/ceiling FIELDS EVENTS [ROUNDS]
 *
 * Prints, per round: bytes, events, fields found, seconds, MB/s and
 * events/s, and the CPU time with the MB/s it gives.  A bench program built on demand (make bench/ceiling).
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <string>
#include <string_view>
#include <vector>

#include <simdjson.h>

using namespace simdjson;

namespace {

/* A node of the path trie: its children by key; `want` when a wanted
 * path ends here.  A handful of nodes: a linear search is the fastest. */
struct node {
	std::vector<std::pair<std::string, int>> kids;
	bool want = false;
};

std::vector<node> trie(1);

void
add_path(std::string_view p)
{
	int at = 0;
	while (!p.empty()) {
		size_t dot = p.find('.');
		std::string_view k = p.substr(0, dot);
		int next = -1;
		for (auto &kv : trie[at].kids)
			if (kv.first == k)
				next = kv.second;
		if (next < 0) {
			next = (int)trie.size();
			trie[at].kids.emplace_back(std::string(k), next);
			trie.emplace_back();
		}
		at = next;
		p = dot == std::string_view::npos ? std::string_view() :
		    p.substr(dot + 1);
	}
	trie[at].want = true;
}

/* The child of node `at` reached by a key, which may itself be dotted. */
int
child(int at, std::string_view k)
{
	while (at >= 0) {
		size_t dot = k.find('.');
		std::string_view seg = k.substr(0, dot);
		int next = -1;
		for (auto &kv : trie[at].kids)
			if (kv.first == seg) {
				next = kv.second;
				break;
			}
		at = next;
		if (dot == std::string_view::npos)
			break;
		k = k.substr(dot + 1);
	}
	return at;
}

uint64_t found, check;

void
take_scalar(ondemand::value v)
{
	ondemand::json_type t;
	if (v.type().get(t))
		return;
	switch (t) {
	case ondemand::json_type::string: {
		std::string_view tok = v.raw_json_token();
		check += tok.size();
		break;
	}
	case ondemand::json_type::number: {
		double d;
		int64_t i;
		if (v.get_int64().get(i) == SUCCESS)
			check += (uint64_t)i;
		else if (v.get_double().get(d) == SUCCESS)
			check += (uint64_t)d;
		break;
	}
	case ondemand::json_type::boolean: {
		bool b;
		if (v.get_bool().get(b) == SUCCESS)
			check += b;
		break;
	}
	default:
		break;
	}
	found++;
}

void
walk(ondemand::object obj, int at)
{
	for (auto fr : obj) {
		ondemand::field f;
		if (std::move(fr).get(f))
			return;
		/* the key as written (up to its closing quote, which the
		 * first pass guarantees), unescaped only if it must be */
		const char *raw = f.key().raw();
		std::string_view k(raw, strchr(raw, '"') - raw);
		if (k.find('\\') != std::string_view::npos &&
		    f.unescaped_key().get(k))
			return;
		int n = child(at, k);
		if (n < 0)
			continue;
		ondemand::value v = f.value();
		ondemand::json_type t;
		if (v.type().get(t))
			return;
		if (t == ondemand::json_type::object) {
			if (!trie[n].kids.empty()) {
				ondemand::object sub;
				if (v.get_object().get(sub) == SUCCESS)
					walk(sub, n);
			}
		} else if (t == ondemand::json_type::array) {
			if (!trie[n].want)
				continue;
			ondemand::array a;
			if (v.get_array().get(a))
				return;
			for (auto er : a) {
				ondemand::value el;
				if (er.get(el))
					return;
				take_scalar(el);
			}
		} else if (trie[n].want) {
			take_scalar(v);
		}
	}
}

double
now(clockid_t c)
{
	struct timespec ts;
	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

} /* namespace */

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: ceiling FIELDS EVENTS [ROUNDS]\n");
		return 2;
	}
	FILE *ff = fopen(argv[1], "r");
	if (!ff) {
		perror(argv[1]);
		return 2;
	}
	char line[4096];
	size_t npaths = 0;
	while (fgets(line, sizeof line, ff)) {
		size_t n = strcspn(line, "\r\n");
		if (n) {
			add_path(std::string_view(line, n));
			npaths++;
		}
	}
	fclose(ff);
	int rounds = argc > 3 ? atoi(argv[3]) : 1;
	const size_t chunk = (size_t)4 << 20;
	size_t cap = chunk;
	char *buf = (char *)malloc(cap + SIMDJSON_PADDING);
	ondemand::parser parser;
	for (int round = 0; round < rounds; round++) {
		int fd = open(argv[2], O_RDONLY);
		if (fd < 0 || !buf) {
			perror(argv[2]);
			return 2;
		}
		uint64_t bytes = 0, events = 0, bad = 0;
		size_t pos = 0, end = 0;
		bool eof = false;
		found = check = 0;
		double t0 = now(CLOCK_MONOTONIC);
		double c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		for (;;) {
			char *nl = (char *)memchr(buf + pos, '\n', end - pos);
			if (!nl && !eof) {
				/* compact, grow when one line fills the buffer */
				memmove(buf, buf + pos, end - pos);
				end -= pos;
				pos = 0;
				if (end == cap) {
					cap *= 2;
					buf = (char *)realloc(buf,
					    cap + SIMDJSON_PADDING);
					if (!buf)
						return 2;
				}
				ssize_t got = read(fd, buf + end, cap - end);
				if (got < 0) {
					perror(argv[2]);
					return 2;
				}
				if (got == 0)
					eof = true;
				end += (size_t)got;
				bytes += (uint64_t)got;
				continue;
			}
			size_t e = nl ? (size_t)(nl - buf) : end;
			if (e == pos && !nl)
				break;
			size_t len = e - pos;
			if (len > 0) {
				/* the record's padding is the bytes after it,
				 * which simdjson does not need to be zero */
				ondemand::document doc;
				ondemand::object obj;
				if (parser.iterate(padded_string_view(buf + pos,
				    len, cap + SIMDJSON_PADDING - pos)).get(doc) ||
				    doc.get_object().get(obj))
					bad++;
				else
					walk(obj, 0);
				events++;
			}
			pos = nl ? e + 1 : end;
		}
		double t = now(CLOCK_MONOTONIC) - t0;
		double c = now(CLOCK_PROCESS_CPUTIME_ID) - c0;
		close(fd);
		printf("ceiling (simdjson %s): %zu paths, %llu bytes, %llu events (%llu bad), "
		    "%llu fields, %.3f s: %.1f MB/s, %.0f events/s; "
		    "CPU %.3f s: %.1f CPU MB/s [check %llu]\n",
		    get_active_implementation()->name().c_str(), npaths, (unsigned long long)bytes,
		    (unsigned long long)events, (unsigned long long)bad,
		    (unsigned long long)found, t, (double)bytes / 1e6 / t,
		    (double)events / t, c, (double)bytes / 1e6 / c,
		    (unsigned long long)check);
	}
	free(buf);
	return 0;
}
