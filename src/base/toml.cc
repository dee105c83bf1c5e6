/*
 * toml.cc - TOML documents read by toml++ into the JSON DOM (see toml.h).
 *
 * toml++ parses and validates; this file only converts its tree.  Two things
 * toml++ does not give are computed here from the document bytes: byte
 * offsets (toml++ reports line and column, the column counted in code
 * points) and, for strings, the map from decoded bytes back to document
 * bytes (a short walk of the string's source beside its decoded value).
 */
#define TOML_HEADER_ONLY 1
#define TOML_EXCEPTIONS 0
#define TOML_ENABLE_FORMATTERS 0
/* toml++ 3.3's internal assertions are debug checks, off in its release
 * builds; one of them (parse_key, on `[==`) is stricter than the code it
 * guards, which reports the bad key as a parse error.  Built with them on,
 * a malformed file would abort rulec, so they are off here as in a
 * release build of the library (tests/scripts/hostile-lint-toml.sh). */
#define TOML_ASSERT(expr) static_cast<void>(0)
#include <toml++/toml.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string_view>
#include <vector>

extern "C" {
#include "base/encoding.h"
#include "base/toml.h"
}

namespace {

struct conv {
	struct arena *a;
	const char *data;
	size_t len;
	std::vector<uint32_t> lines; /* start offset of each line */
	std::vector<bool> ascii;     /* per line: no byte above 0x7F */
	std::vector<struct segmap_entry> map; /* scratch of string() */

	conv(struct arena *ar, const char *d, size_t n) : a(ar), data(d), len(n)
	{
		bool plain = true;

		lines.push_back(0);
		for (size_t i = 0; i < n; i++) {
			if ((unsigned char)d[i] >= 0x80)
				plain = false;
			if (d[i] == '\n') {
				ascii.push_back(plain);
				lines.push_back((uint32_t)(i + 1));
				plain = true;
			}
		}
		ascii.push_back(plain);
	}

	/* Byte offset of a 1-based line and code-point column: on a line
	 * of ASCII bytes the column itself, else counted in code points. */
	uint32_t offset(const toml::source_position &p) const
	{
		if (!p.line || p.line > lines.size())
			return (uint32_t)len;
		size_t off = lines[p.line - 1];
		if (ascii[p.line - 1])
			return (uint32_t)std::min(off + (p.column ? p.column - 1 : 0),
						  len);
		for (toml::source_index c = 1; c < p.column && off < len; c++) {
			off++;
			while (off < len && ((unsigned char)data[off] & 0xC0) == 0x80)
				off++;
		}
		return (uint32_t)off;
	}

	struct json_value *value(const toml::node &n);
	struct json_value *string(const toml::node &n, std::string_view s);
	struct json_value *raw_string(uint32_t start, uint32_t end);
	struct json_value *table(const toml::table &t, uint32_t start);
};

struct json_value *
newval(struct arena *a, enum json_type t, uint32_t start, uint32_t end)
{
	struct json_value *v = ARENA_NEW(a, struct json_value);
	if (v) {
		v->type = t;
		v->start = start;
		v->end = end < start ? start : end;
	}
	return v;
}

/* Number of bytes of the UTF-8 form of code point c. */
unsigned
utf8_len(unsigned long c)
{
	return c < 0x80 ? 1 : c < 0x800 ? 2 : c < 0x10000 ? 3 : 4;
}

/* Length of a TOML line ending at data[i] (\n or \r\n), or 0. */
size_t
eol(const char *d, size_t i, size_t n)
{
	if (i < n && d[i] == '\n')
		return 1;
	if (i + 1 < n && d[i] == '\r' && d[i + 1] == '\n')
		return 2;
	return 0;
}

/* A string value: its span from the opening quote and a segment map built
 * by walking the source beside the decoded bytes s.  Where the walk cannot
 * follow (it should not happen), the rest maps to the last known point. */
struct json_value *
conv::string(const toml::node &n, std::string_view s)
{
	uint32_t start = offset(n.source().begin);
	size_t i = start, q = 1, k = 0;
	bool literal, multi;

	map.clear();            /* the scratch keeps its room between strings */

	if (i >= len || (data[i] != '"' && data[i] != '\''))
		return raw_string(start, offset(n.source().end));
	literal = data[i] == '\'';
	multi = i + 2 < len && data[i + 1] == data[i] && data[i + 2] == data[i];
	if (multi) {
		q = 3;
		i += 3;
		i += eol(data, i, len);     /* a newline right after the quotes */
	} else {
		i += 1;
	}
	map.push_back({ 0, (uint32_t)i });
	while (k < s.size() && i < len) {
		size_t e;
		if (data[i] == s[k] && (literal || data[i] != '\\')) {
			i++, k++;
			continue;
		}
		if (multi && (e = eol(data, i, len)) == 2 && s[k] == '\n') {
			i += 2, k++;            /* \r\n read as \n */
			map.push_back({ (uint32_t)k, (uint32_t)i });
			continue;
		}
		if (literal || data[i] != '\\')
			break;
		if (multi) {                  /* line-ending backslash */
			size_t j = i + 1;
			while (j < len && (data[j] == ' ' || data[j] == '\t'))
				j++;
			if (eol(data, j, len)) {
				while (j < len && (data[j] == ' ' || data[j] == '\t' ||
						   data[j] == '\n' || data[j] == '\r'))
					j++;
				i = j;
				map.push_back({ (uint32_t)k, (uint32_t)i });
				continue;
			}
		}
		if (i + 1 >= len)
			break;
		switch (data[i + 1]) {
		case 'u':
		case 'U': {
			size_t nd = data[i + 1] == 'u' ? 4 : 8;
			unsigned long c = 0;
			for (size_t j = 0; j < nd && i + 2 + j < len; j++) {
				char h = data[i + 2 + j];
				c = c * 16 + (unsigned long)(h <= '9' ? h - '0' :
					       (h | 0x20) - 'a' + 10);
			}
			k += utf8_len(c);
			i += 2 + nd;
			break;
		}
		default:
			k += 1;
			i += 2;
		}
		map.push_back({ (uint32_t)k, (uint32_t)i });
	}
	/* past the value and its closing quotes (TOML allows up to two more
	 * quote characters inside the closing run of a multi-line string) */
	size_t end = i + q;
	if (multi)
		while (end < len && data[end] == data[start])
			end++;
	struct json_value *v = newval(a, JSON_STRING, start,
				      (uint32_t)std::min(end, len));
	if (!v)
		return nullptr;
	char *t = (char *)arena_alloc(a, s.size() + 1);
	struct segmap_entry *m = ARENA_NEWV(a, struct segmap_entry, map.size());
	if (!t || !m)
		return nullptr;
	memcpy(t, s.data(), s.size());
	t[s.size()] = '\0';
	std::copy(map.begin(), map.end(), m);
	v->u.str.s = t;
	v->u.str.len = s.size();
	v->u.str.map = m;
	v->u.str.nmap = map.size();
	return v;
}

/* A date or time: a string holding the document text [start, end). */
struct json_value *
conv::raw_string(uint32_t start, uint32_t end)
{
	if (end > len)
		end = (uint32_t)len;
	if (end < start)
		end = start;
	/* toml++ may end the region after trailing blanks */
	while (end > start && (data[end - 1] == ' ' || data[end - 1] == '\t' ||
			       data[end - 1] == '\n' || data[end - 1] == '\r'))
		end--;
	struct json_value *v = newval(a, JSON_STRING, start, end);
	struct segmap_entry *m = ARENA_NEW(a, struct segmap_entry);
	char *t = arena_strndup(a, data + start, end - start);
	if (!v || !m || !t)
		return nullptr;
	m->text_off = 0;
	m->src_off = start;
	v->u.str.s = t;
	v->u.str.len = end - start;
	v->u.str.map = m;
	v->u.str.nmap = 1;
	return v;
}

struct json_value *
conv::table(const toml::table &t, uint32_t start)
{
	struct json_value *v = newval(a, JSON_OBJECT, start, start);
	if (!v)
		return nullptr;
	/* toml++ keeps keys sorted; members go back to document order */
	std::vector<std::pair<uint32_t, const toml::key *>> keys;
	for (auto &&kv : t)
		keys.push_back({ offset(kv.first.source().begin), &kv.first });
	std::stable_sort(keys.begin(), keys.end(),
			 [](auto &x, auto &y) { return x.first < y.first; });
	if (keys.empty())
		return v;
	auto *mem = ARENA_NEWV(a, struct json_member, keys.size());
	if (!mem)
		return nullptr;
	for (size_t i = 0; i < keys.size(); i++) {
		const toml::key &k = *keys[i].second;
		struct json_member *m = &mem[i];
		m->key = arena_strndup(a, k.str().data(), k.str().size());
		m->keylen = k.str().size();
		m->key_start = keys[i].first;
		m->key_end = offset(k.source().end);
		if (m->key_end < m->key_start)
			m->key_end = m->key_start + (uint32_t)m->keylen;
		m->value = value(*t.get(k.str()));
		if (!m->key || !m->value)
			return nullptr;
		if (m->value->end > v->end)
			v->end = m->value->end;
	}
	v->u.obj.members = mem;
	v->u.obj.n = keys.size();
	return v;
}

struct json_value *
conv::value(const toml::node &n)
{
	uint32_t start = offset(n.source().begin), end = offset(n.source().end);
	struct json_value *v = nullptr;
	char buf[64];

	switch (n.type()) {
	case toml::node_type::table:
		return table(*n.as_table(), start);
	case toml::node_type::array: {
		const toml::array &arr = *n.as_array();
		if (!(v = newval(a, JSON_ARRAY, start, end)))
			return nullptr;
		if (arr.empty())
			return v;
		v->u.arr.items = ARENA_NEWV(a, struct json_value *, arr.size());
		if (!v->u.arr.items)
			return nullptr;
		for (size_t i = 0; i < arr.size(); i++) {
			if (!(v->u.arr.items[i] = value(arr[i])))
				return nullptr;
			if (v->u.arr.items[i]->end > v->end)
				v->end = v->u.arr.items[i]->end;
		}
		v->u.arr.n = arr.size();
		return v;
	}
	case toml::node_type::string:
		return string(n, n.as_string()->get());
	case toml::node_type::integer:
		if (!(v = newval(a, JSON_NUMBER, start, end)))
			return nullptr;
		v->u.num.is_int = true;
		v->u.num.i = n.as_integer()->get();
		v->u.num.d = (double)v->u.num.i;
		snprintf(buf, sizeof buf, "%lld", (long long)v->u.num.i);
		break;
	case toml::node_type::floating_point:
		if (!(v = newval(a, JSON_NUMBER, start, end)))
			return nullptr;
		v->u.num.d = n.as_floating_point()->get();
		snprintf(buf, sizeof buf, "%.17g", v->u.num.d);
		break;
	case toml::node_type::boolean:
		if (!(v = newval(a, JSON_BOOL, start, end)))
			return nullptr;
		v->u.b = n.as_boolean()->get();
		return v;
	default: /* date, time, date_time */
		return raw_string(start, end);
	}
	v->u.num.raw = arena_strdup(a, buf);
	v->u.num.rawlen = strlen(buf);
	return v->u.num.raw ? v : nullptr;
}

void
set_error(struct json_error *err, uint32_t off, std::string_view msg)
{
	if (!err)
		return;
	size_t n = std::min(msg.size(), sizeof err->message - 1);
	err->offset = off;
	memcpy(err->message, msg.data(), n);
	while (n > 0 && (err->message[n - 1] == '.' || err->message[n - 1] == ' '))
		n--;
	err->message[n] = '\0';
	if (n > 0 && err->message[0] >= 'A' && err->message[0] <= 'Z' &&
	    !(n > 1 && err->message[1] >= 'A' && err->message[1] <= 'Z'))
		err->message[0] = (char)(err->message[0] - 'A' + 'a');
}

} // namespace

extern "C" struct json_value *
toml_parse(struct arena *a, const char *data, size_t len,
	   struct json_error *err)
{
	conv c(a, data, len);
	toml::parse_result r = toml::parse(std::string_view(data, len));

	if (!r) {
		uint32_t at = c.offset(r.error().source().begin);
		size_t bad = utf8_check(data, len);
		char msg[96];

		/* toml++ stops on invalid UTF-8 a character early and names
		 * no byte: point at the byte (on the line of its error) */
		if (bad < len && bad >= at &&
		    !memchr(data + at, '\n', bad - at)) {
			snprintf(msg, sizeof msg, "byte 0x%02X is not UTF-8 "
				 "(the file may be Windows-1252 or Latin-1 "
				 "text)", (unsigned char)data[bad]);
			set_error(err, (uint32_t)bad, msg);
		} else {
			set_error(err, at, r.error().description());
		}
		return nullptr;
	}
	struct json_value *v = c.table(r.table(), 0);
	if (!v) {
		a->oom = true;
		set_error(err, 0, "out of memory");
		return nullptr;
	}
	v->start = 0;
	v->end = (uint32_t)len;
	return v;
}
