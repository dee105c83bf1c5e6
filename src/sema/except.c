/*
 * except.c - Kibana exception lists (see except.h): reading lists, items
 * and a rule's references, lowering items to IR, and applying them to a
 * copy of a rule's query.
 *
 * Each entry becomes the IR of the query clause Kibana builds for it
 * (build_exception_filter.ts in Kibana's detection engine):
 *
 *   match      match_phrase: the field equals the value (keyword: exact
 *              and case-sensitive; a number or boolean field compares the
 *              value read as a number or boolean)
 *   match_any  a should of match_phrase: the field equals one of them
 *   wildcard   a wildcard query: case-sensitive, `*` any run, `?` one
 *              character, `\` escapes the next character
 *   exists     an exists query: the field has a value
 *   nested     a nested query: every sub-entry on PARENT.FIELD
 *   list       a value list: refused (exports do not carry its values)
 *
 * `excluded` wraps the clause in a must_not.  The interpreter's `not` is
 * two-valued (a missing field makes `f == v` false, so `not` makes it
 * true), which is what must_not does.  A field ending in `.caseless` (the
 * lower-cased multi-field of Elastic Defend's data) reads its parent field
 * and compares without regard to letter case.
 */
#include "sema/except.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/vec.h"
#include "sema/literal.h"

static struct span
vspan(const struct json_value *v)
{
	return span_make(v->start, v->end);
}

/* The first byte of an object: where "it lacks a member" points. */
static struct span
head_span(const struct json_value *obj)
{
	return span_make(obj->start, obj->start + 1);
}

static void
bad(struct exc_reader *rd, struct span sp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
bad(struct exc_reader *rd, struct span sp, const char *fmt, ...)
{
	struct diag *d;
	va_list ap;

	va_start(ap, fmt);
	d = diag_vnew(rd->diags, D_BAD_EXCEPTION, rd->doc, sp, fmt, ap);
	va_end(ap);
	diag_emit(rd->diags, d);
}

/* A string member: NULL when absent (an error when `what` names the
 * object that needs it) or of another type (always an error). */
static const char *
string_member(struct exc_reader *rd, const struct json_value *obj,
	      const char *key, const char *what, bool *ok)
{
	const struct json_value *v = json_get(obj, key);

	if (v && v->type == JSON_STRING && v->u.str.len > 0)
		return v->u.str.s;
	if (v && v->type == JSON_STRING)
		bad(rd, vspan(v), "'%s' must not be empty", key);
	else if (v && !(v->type == JSON_NULL && !what))
		bad(rd, vspan(v), "'%s' must be a string, not %s", key,
		    json_type_name(v->type));
	else if (what)
		bad(rd, head_span(obj), "%s has no '%s'", what, key);
	else
		return NULL;
	*ok = false;
	return NULL;
}

/* namespace_type: "single" (the default) or "agnostic". */
static const char *
namespace_member(struct exc_reader *rd, const struct json_value *obj,
		 bool *ok)
{
	const char *ns = string_member(rd, obj, "namespace_type", NULL, ok);

	if (!ns)
		return "single";
	if (strcmp(ns, "single") != 0 && strcmp(ns, "agnostic") != 0) {
		bad(rd, vspan(json_get(obj, "namespace_type")),
		    "'namespace_type' is single or agnostic, not '%s'", ns);
		*ok = false;
	}
	return ns;
}

enum exc_kind
exc_kind_of(const struct json_value *obj)
{
	if (!obj || obj->type != JSON_OBJECT || !json_get(obj, "list_id") ||
	    json_get(obj, "query") || json_get(obj, "rule_id"))
		return EXC_NONE;
	return json_get(obj, "item_id") ? EXC_ITEM : EXC_LIST;
}

bool
exc_read_list(struct exc_reader *rd, struct exc_set *set,
	      const struct json_value *obj)
{
	struct exc_list *l = ARENA_NEW(rd->arena, struct exc_list);
	bool ok = true;

	if (!l)
		return false;
	l->list_id = string_member(rd, obj, "list_id", "an exception list",
				   &ok);
	l->namespace_type = namespace_member(rd, obj, &ok);
	l->name = string_member(rd, obj, "name", NULL, &ok);
	l->doc = rd->doc;
	l->span = vspan(obj);
	if (!l->list_id)
		return true;    /* reported; nothing can refer to it */
	return vec_push_in(&set->lists, rd->arena, l) == 0;
}

/* ---------------------------------------------------------- lowering */

static struct ir_expr *
node(struct exc_reader *rd, enum ir_kind k, enum vtype t, struct span sp)
{
	return ir_new(rd->arena, k, t, sp);
}

/* The field node of `name` (a .caseless multi-field reads its parent;
 * *ci says so). */
static struct ir_expr *
field_node(struct exc_reader *rd, const char *name, struct span sp,
	   bool *ci)
{
	static const char suffix[] = ".caseless";
	size_t n = strlen(name), k = sizeof suffix - 1;
	const struct schema_field *def;
	struct ir_expr *e;
	char *real;

	*ci = n > k && strcmp(name + n - k, suffix) == 0;
	if (*ci) {
		n -= k;
		if (!(real = arena_alloc(rd->arena, n + 1)))
			return NULL;
		memcpy(real, name, n);
		real[n] = '\0';
	} else {
		real = (char *)name;
	}
	if (!(e = node(rd, IR_FIELD, VT_UNKNOWN, sp)))
		return NULL;
	def = rd->schema ? schema_lookup(rd->schema, real, n) : NULL;
	if (def)
		e->type = vtype_of_field(def->type);
	else if (rd->schema && schema_is_object_path(rd->schema, real, n))
		e->type = VT_OBJECT;
	e->u.f.name = real;
	e->u.f.src_name = name;
	e->u.f.def = def;
	e->u.f.array = def && def->array;
	return e;
}

/* Reads a whole string as a number: a long when it has no fraction or
 * exponent and fits, else a double.  false when it is no number. */
static bool
read_number(const char *s, struct ir_value *out)
{
	char *end;

	errno = 0;
	if (!strpbrk(s, ".eEnN")) {
		long long i = strtoll(s, &end, 10);
		if (end != s && !*end && !errno) {
			out->type = VT_LONG;
			out->u.i = (int64_t)i;
			return true;
		}
	}
	errno = 0;
	out->u.d = strtod(s, &end);
	if (end == s || *end || errno || !isfinite(out->u.d))
		return false;
	out->type = VT_DOUBLE;
	return true;
}

/* The constant that string value v (of entry key `key`) is for field f,
 * as Elasticsearch reads a term for the field's type; false (reported)
 * when it cannot be. */
static bool
typed_value(struct exc_reader *rd, const struct ir_expr *f,
	    const struct json_value *v, const char *key, struct ir_value *out)
{
	uint8_t addr[16];
	unsigned prefix;

	memset(out, 0, sizeof *out);
	out->span = vspan(v);
	if (v->type != JSON_STRING) {
		bad(rd, vspan(v), "'%s' must be a string, not %s", key,
		    json_type_name(v->type));
		return false;
	}
	if (v->u.str.len == 0) {
		bad(rd, vspan(v), "'%s' must not be empty", key);
		return false;
	}
	out->type = VT_STRING;
	out->u.s.s = v->u.str.s;
	out->u.s.len = v->u.str.len;
	switch (f->type) {
	case VT_LONG:
	case VT_DOUBLE:
		if (read_number(v->u.str.s, out))
			return true;
		bad(rd, vspan(v), "'%s' is a %s field; \"%s\" is not a "
		    "number", f->u.f.src_name, vtype_name(f->type),
		    v->u.str.s);
		return false;
	case VT_BOOL:
		if (strcmp(v->u.str.s, "true") == 0 ||
		    strcmp(v->u.str.s, "false") == 0) {
			out->type = VT_BOOL;
			out->u.b = v->u.str.s[0] == 't';
			return true;
		}
		bad(rd, vspan(v), "'%s' is a boolean field; the value is "
		    "\"true\" or \"false\", not \"%s\"", f->u.f.src_name,
		    v->u.str.s);
		return false;
	case VT_IP:
		if (lit_parse_cidr(v->u.str.s, v->u.str.len, addr, &prefix))
			return true;
		bad(rd, vspan(v), "'%s' is an IP field; \"%s\" is not an "
		    "address or CIDR network", f->u.f.src_name, v->u.str.s);
		return false;
	default:
		return true;
	}
}

/* An Elasticsearch wildcard pattern as an IR pattern: rulec's wildcards
 * have no escape, so a pattern whose `\` escapes a `*` or `?` becomes
 * the equivalent Lucene regular expression; other escapes just drop the
 * backslash. */
static bool
wildcard_pattern(struct exc_reader *rd, const char *s, size_t n,
		 struct ir_value *out, enum ir_match_mode *mode)
{
	static const char meta[] = ".?+*|{}[]()\"\\#@&<>~";
	struct strbuf sb = STRBUF_INIT;
	bool literal_meta = false;
	size_t i;
	char *copy;

	for (i = 0; i + 1 < n; i++)
		if (s[i] == '\\') {
			literal_meta |= s[i + 1] == '*' || s[i + 1] == '?';
			i++;
		}
	*mode = literal_meta ? MATCH_REGEX : MATCH_WILDCARD;
	for (i = 0; i < n; i++) {
		char c = s[i];
		bool escaped = c == '\\' && i + 1 < n;

		if (escaped)
			c = s[++i];
		if (!literal_meta) {
			sb_putc(&sb, c);
		} else if (!escaped && c == '*') {
			sb_puts(&sb, ".*");
		} else if (!escaped && c == '?') {
			sb_putc(&sb, '.');
		} else {
			if (strchr(meta, c))
				sb_putc(&sb, '\\');
			sb_putc(&sb, c);
		}
	}
	if (sb.oom) {
		sb_free(&sb);
		rd->arena->oom = true;
		return false;
	}
	copy = arena_alloc(rd->arena, sb.len + 1);
	if (copy) {
		memcpy(copy, sb.data ? sb.data : "", sb.len);
		copy[sb.len] = '\0';
	}
	out->type = VT_STRING;
	out->u.s.s = copy;
	out->u.s.len = sb.len;
	sb_free(&sb);
	return copy != NULL;
}

/* An IP field equals an address or lies in a network: Elasticsearch's
 * term on an ip field, which is cidrMatch(field, values...). */
static struct ir_expr *
ip_test(struct exc_reader *rd, struct ir_expr *f, const struct ir_value *v,
	size_t n, struct span sp)
{
	struct ir_expr *x = node(rd, IR_CALL, VT_BOOL, sp);
	size_t i;

	if (!x || !(x->u.call.args = ARENA_NEWV(rd->arena, struct ir_expr *,
						 n + 1)))
		return NULL;
	x->u.call.fn = FN_CIDRMATCH;
	x->u.call.args[x->u.call.n++] = f;
	for (i = 0; i < n; i++) {
		struct ir_expr *c = node(rd, IR_CONST, VT_STRING, v[i].span);
		if (!c)
			return NULL;
		c->u.c = v[i];
		x->u.call.args[x->u.call.n++] = c;
	}
	return x;
}

static const char *const entry_types =
	"match, match_any, exists, wildcard, nested or list";

/* The operator of an entry: true for excluded. */
static bool
excluded(struct exc_reader *rd, const struct json_value *e, bool *ok)
{
	const char *op = string_member(rd, e, "operator", "the entry", ok);

	if (!op)
		return false;
	if (strcmp(op, "excluded") == 0)
		return true;
	if (strcmp(op, "included") != 0) {
		bad(rd, vspan(json_get(e, "operator")), "'operator' is "
		    "included or excluded, not '%s'", op);
		*ok = false;
	}
	return false;
}

static struct ir_expr *entry(struct exc_reader *rd,
			     const struct json_value *e, const char *parent,
			     bool *ok);

/* `nested`: every sub-entry (match, match_any or exists) on
 * PARENT.FIELD, AND'ed. */
static struct ir_expr *
nested(struct exc_reader *rd, const struct json_value *e, const char *field,
       bool *ok)
{
	const struct json_value *subs = json_get(e, "entries");
	struct ir_expr *and;
	size_t i;

	if (!subs || subs->type != JSON_ARRAY || subs->u.arr.n == 0) {
		if (subs && subs->type != JSON_ARRAY)
			bad(rd, vspan(subs), "'entries' must be an array, "
			    "not %s", json_type_name(subs->type));
		else
			bad(rd, subs ? vspan(subs) : head_span(e),
			    "a nested entry needs a non-empty 'entries' "
			    "array");
		*ok = false;
		return NULL;
	}
	and = node(rd, IR_AND, VT_BOOL, vspan(e));
	if (!and || !(and->u.list.v = ARENA_NEWV(rd->arena, struct ir_expr *,
						  subs->u.arr.n)))
		return NULL;
	for (i = 0; i < subs->u.arr.n; i++) {
		const struct json_value *s = subs->u.arr.items[i];
		const struct json_value *t = json_get(s, "type");
		struct ir_expr *x;

		if (s->type == JSON_OBJECT && t && t->type == JSON_STRING &&
		    strcmp(t->u.str.s, "match") != 0 &&
		    strcmp(t->u.str.s, "match_any") != 0 &&
		    strcmp(t->u.str.s, "exists") != 0) {
			bad(rd, vspan(t), "an entry inside a nested entry is "
			    "match, match_any or exists, not '%s'",
			    t->u.str.s);
			*ok = false;
			continue;
		}
		x = entry(rd, s, field, ok);
		if (x)
			and->u.list.v[and->u.list.n++] = x;
	}
	return and;
}

/* One entry: the condition that is true on the events it matches, or
 * NULL (errors reported, *ok cleared; or out of memory). */
static struct ir_expr *
entry(struct exc_reader *rd, const struct json_value *e, const char *parent,
      bool *ok)
{
	const char *type, *name;
	const struct json_value *v, *fv;
	struct ir_expr *f, *x = NULL, *c;
	bool ci = false, neg;

	if (e->type != JSON_OBJECT) {
		bad(rd, vspan(e), "an entry must be an object, not %s",
		    json_type_name(e->type));
		*ok = false;
		return NULL;
	}
	type = string_member(rd, e, "type", "the entry", ok);
	name = string_member(rd, e, "field", "the entry", ok);
	if (!type || !name)
		return NULL;
	fv = json_get(e, "field");
	if (parent)
		name = arena_printf(rd->arena, "%s.%s", parent, name);
	if (!name)
		return NULL;
	if (strcmp(type, "nested") == 0) {
		if (parent) {
			bad(rd, vspan(json_get(e, "type")), "a nested entry "
			    "cannot hold another nested entry");
			*ok = false;
			return NULL;
		}
		return nested(rd, e, name, ok);
	}
	neg = excluded(rd, e, ok);
	if (strcmp(type, "list") == 0) {
		const struct json_value *l = json_get(e, "list");
		const char *id = l ? json_get(l, "id") &&
			json_get(l, "id")->type == JSON_STRING ?
			json_get(l, "id")->u.str.s : NULL : NULL;
		struct diag *d = diag_new(rd->diags, D_VALUE_LIST_EXCEPTION,
					  rd->doc, vspan(e),
					  "entry of type 'list' compares '%s' "
					  "with the value list '%s', which "
					  "exports do not carry: rulec cannot "
					  "apply this item", name,
					  id ? id : "?");
		diag_help(rd->diags, d, "write the values into a match_any "
			  "entry, or run with --no-exceptions");
		diag_emit(rd->diags, d);
		*ok = false;
		return NULL;
	}
	f = field_node(rd, name, vspan(fv), &ci);
	if (!f)
		return NULL;
	v = json_get(e, "value");
	if (strcmp(type, "exists") == 0) {
		if (!(c = node(rd, IR_CONST, VT_NULL, vspan(e))))
			return NULL;
		c->u.c.type = VT_NULL;
		c->u.c.span = vspan(e);
		if (!(x = node(rd, IR_CMP, VT_BOOL, vspan(e))))
			return NULL;
		/* exists: f != null; excluded: f == null */
		x->u.cmp.op = neg ? IR_OP_EQ : IR_OP_NE;
		x->u.cmp.l = f;
		x->u.cmp.r = c;
		return x;
	}
	if (strcmp(type, "match") != 0 && strcmp(type, "match_any") != 0 &&
	    strcmp(type, "wildcard") != 0) {
		bad(rd, vspan(json_get(e, "type")), "unknown entry type '%s' "
		    "(%s)", type, entry_types);
		*ok = false;
		return NULL;
	}
	if (!v) {
		bad(rd, head_span(e), "a %s entry needs a 'value'", type);
		*ok = false;
		return NULL;
	}
	if (strcmp(type, "match") == 0) {
		if (!(c = node(rd, IR_CONST, VT_UNKNOWN, vspan(v))))
			return NULL;
		if (!typed_value(rd, f, v, "value", &c->u.c)) {
			*ok = false;
			return NULL;
		}
		c->type = c->u.c.type;
		if (f->type == VT_IP) {
			if (!(x = ip_test(rd, f, &c->u.c, 1, vspan(e))))
				return NULL;
		} else {
			if (!(x = node(rd, IR_CMP, VT_BOOL, vspan(e))))
				return NULL;
			x->u.cmp.op = IR_OP_EQ;
			x->u.cmp.ci = ci;
			x->u.cmp.l = f;
			x->u.cmp.r = c;
		}
	} else if (strcmp(type, "match_any") == 0) {
		size_t i;

		if (v->type != JSON_ARRAY || v->u.arr.n == 0) {
			bad(rd, vspan(v), "a match_any entry's 'value' is a "
			    "non-empty array of strings");
			*ok = false;
			return NULL;
		}
		if (!(x = node(rd, IR_IN, VT_BOOL, vspan(e))) ||
		    !(x->u.in.v = ARENA_NEWV(rd->arena, struct ir_value,
					     v->u.arr.n)))
			return NULL;
		x->u.in.l = f;
		x->u.in.ci = ci;
		x->u.in.neg = neg;
		for (i = 0; i < v->u.arr.n; i++)
			if (!typed_value(rd, f, v->u.arr.items[i], "value[]",
					 &x->u.in.v[x->u.in.n++]))
				*ok = false;
		if (f->type != VT_IP || !*ok)
			return x;       /* `not in` is the negation already */
		if (!(x = ip_test(rd, f, x->u.in.v, x->u.in.n, vspan(e))))
			return NULL;
	} else {
		if (v->type != JSON_STRING || v->u.str.len == 0) {
			bad(rd, vspan(v), "a wildcard entry's 'value' is a "
			    "non-empty string");
			*ok = false;
			return NULL;
		}
		if (f->type != VT_STRING && f->type != VT_UNKNOWN) {
			bad(rd, vspan(fv), "a wildcard entry matches keyword "
			    "fields; '%s' is a %s field", name,
			    vtype_name(f->type));
			*ok = false;
			return NULL;
		}
		if (!(x = node(rd, IR_MATCH, VT_BOOL, vspan(e))) ||
		    !(x->u.match.v = ARENA_NEW(rd->arena, struct ir_value)))
			return NULL;
		x->u.match.l = f;
		x->u.match.n = 1;
		x->u.match.ci = ci;
		x->u.match.v[0].span = vspan(v);
		if (!wildcard_pattern(rd, v->u.str.s, v->u.str.len,
				      &x->u.match.v[0], &x->u.match.mode))
			return NULL;
	}
	if (neg) {
		struct ir_expr *n = node(rd, IR_NOT, VT_BOOL, vspan(e));
		if (!n)
			return NULL;
		n->u.sub = x;
		x = n;
	}
	return x;
}

/* os_types: Kibana ORs host.os.type == OS and host.os.name.caseless ==
 * OS over the listed systems and ANDs that with the entries. */
static struct ir_expr *
os_condition(struct exc_reader *rd, const struct json_value *os, bool *ok)
{
	static const char *const fields[2] = { "host.os.type",
					       "host.os.name.caseless" };
	struct ir_expr *or = node(rd, IR_OR, VT_BOOL, vspan(os));
	size_t i, k;

	if (!or || !(or->u.list.v = ARENA_NEWV(rd->arena, struct ir_expr *,
						2)))
		return NULL;
	for (k = 0; k < 2; k++) {
		bool ci;
		struct ir_expr *in = node(rd, IR_IN, VT_BOOL, vspan(os));
		if (!in || !(in->u.in.v = ARENA_NEWV(rd->arena,
						     struct ir_value,
						     os->u.arr.n)))
			return NULL;
		in->u.in.l = field_node(rd, fields[k], vspan(os), &ci);
		if (!in->u.in.l)
			return NULL;
		in->u.in.ci = ci;
		for (i = 0; i < os->u.arr.n; i++)
			if (!typed_value(rd, in->u.in.l, os->u.arr.items[i],
					 "os_types[]", &in->u.in.v[in->u.in.n++]))
				*ok = false;
		or->u.list.v[or->u.list.n++] = in;
		if (!*ok)
			break;
	}
	return or;
}

bool
exc_read_item(struct exc_reader *rd, struct exc_set *set,
	      const struct json_value *obj)
{
	struct exc_item *it = ARENA_NEW(rd->arena, struct exc_item);
	const struct json_value *ents, *os;
	struct ir_expr *and;
	bool ok = true;
	size_t i, n;

	if (!it)
		return false;
	it->item_id = string_member(rd, obj, "item_id",
				    "an exception item", &ok);
	it->list_id = string_member(rd, obj, "list_id",
				    "an exception item", &ok);
	it->namespace_type = namespace_member(rd, obj, &ok);
	it->name = string_member(rd, obj, "name", NULL, &ok);
	it->doc = rd->doc;
	it->span = vspan(obj);
	ents = json_get(obj, "entries");
	os = json_get(obj, "os_types");
	if (!ents || ents->type != JSON_ARRAY || ents->u.arr.n == 0) {
		if (ents && ents->type != JSON_ARRAY)
			bad(rd, vspan(ents), "'entries' must be an array, "
			    "not %s", json_type_name(ents->type));
		else
			bad(rd, ents ? vspan(ents) : head_span(obj),
			    "an exception item needs a non-empty 'entries' "
			    "array");
		ok = false;
		n = 0;
	} else {
		n = ents->u.arr.n;
	}
	if (os && os->type != JSON_ARRAY && os->type != JSON_NULL) {
		bad(rd, vspan(os), "'os_types' must be an array, not %s",
		    json_type_name(os->type));
		ok = false;
	}
	and = node(rd, IR_AND, VT_BOOL, vspan(obj));
	if (!and || !(and->u.list.v = ARENA_NEWV(rd->arena, struct ir_expr *,
						  n + 1)))
		return false;
	if (os && os->type == JSON_ARRAY && os->u.arr.n > 0) {
		struct ir_expr *x = os_condition(rd, os, &ok);
		if (!x)
			return !rd->arena->oom;
		and->u.list.v[and->u.list.n++] = x;
	}
	for (i = 0; i < n; i++) {
		struct ir_expr *x = entry(rd, ents->u.arr.items[i], NULL, &ok);
		if (x)
			and->u.list.v[and->u.list.n++] = x;
		else if (rd->arena->oom)
			return false;
	}
	if (ok)
		it->cond = and->u.list.n == 1 ? and->u.list.v[0] : and;
	if (!it->list_id)
		return true;    /* reported; it belongs to no list */
	return vec_push_in(&set->items, rd->arena, it) == 0;
}

bool
exc_read_refs(struct exc_reader *rd, struct rule_exc *re,
	      const struct json_value *rule)
{
	const struct json_value *v = json_get(rule, "exceptions_list");
	size_t i;

	re->doc = rd->doc;
	re->nrefs = 0;
	if (!v || v->type == JSON_NULL)
		return true;
	if (v->type != JSON_ARRAY) {
		bad(rd, vspan(v), "'exceptions_list' must be an array, not %s",
		    json_type_name(v->type));
		return true;
	}
	if (v->u.arr.n == 0)
		return true;
	re->refs = ARENA_NEWV(rd->arena, struct exc_ref, v->u.arr.n);
	if (!re->refs)
		return false;
	for (i = 0; i < v->u.arr.n; i++) {
		const struct json_value *e = v->u.arr.items[i];
		struct exc_ref *r = &re->refs[re->nrefs];
		bool ok = true;

		if (e->type != JSON_OBJECT) {
			bad(rd, vspan(e), "an entry of 'exceptions_list' must "
			    "be an object, not %s", json_type_name(e->type));
			continue;
		}
		r->list_id = string_member(rd, e, "list_id",
					   "the exceptions_list entry", &ok);
		r->namespace_type = namespace_member(rd, e, &ok);
		r->span = vspan(e);
		if (ok && r->list_id)
			re->nrefs++;
	}
	return true;
}

/* ---------------------------------------------------------- binding */

static bool
same_list(const char *id, const char *ns, const char *id2, const char *ns2)
{
	return id && id2 && strcmp(id, id2) == 0 && strcmp(ns, ns2) == 0;
}

bool
exc_bind(struct rule_exc *re, const struct exc_set *set, struct arena *a,
	 struct diag_sink *diags, const char *rule)
{
	size_t i, j, k, room = 0;

	re->nitems = 0;
	re->bad = false;
	if (re->nrefs == 0)
		return true;
	for (i = 0; i < set->items.n; i++)
		for (j = 0; j < re->nrefs; j++)
			if (same_list(set->items.v[i]->list_id,
				      set->items.v[i]->namespace_type,
				      re->refs[j].list_id,
				      re->refs[j].namespace_type))
				room++;
	re->items = ARENA_NEWV(a, const struct exc_item *, room ? room : 1);
	if (!re->items)
		return false;
	for (j = 0; j < re->nrefs; j++) {
		const struct exc_ref *r = &re->refs[j];
		const struct exc_item *broken = NULL;
		bool found = false, twice = false;

		for (k = 0; k < j && !twice; k++)
			twice = same_list(r->list_id, r->namespace_type,
					  re->refs[k].list_id,
					  re->refs[k].namespace_type);
		if (twice)
			continue;
		for (i = 0; i < set->lists.n && !found; i++)
			found = same_list(r->list_id, r->namespace_type,
					  set->lists.v[i]->list_id,
					  set->lists.v[i]->namespace_type);
		for (i = 0; i < set->items.n; i++) {
			const struct exc_item *it = set->items.v[i];
			if (!same_list(r->list_id, r->namespace_type,
				       it->list_id, it->namespace_type))
				continue;
			found = true;
			if (!it->cond && !broken)
				broken = it;
			re->items[re->nitems++] = it;
		}
		if (broken)
			re->bad = true;
		if (!diags)
			continue;
		if (!found) {
			struct diag *d = diag_new(diags,
						  D_UNKNOWN_EXCEPTION_LIST,
						  re->doc, r->span,
						  "exception list '%s' (%s) "
						  "is in none of the inputs: "
						  "rule '%s' runs without it",
						  r->list_id,
						  r->namespace_type,
						  rule ? rule : "(unnamed)");
			diag_help(diags, d, "name the file that holds the "
				  "list too, or export the rule with its "
				  "exception lists");
			diag_emit(diags, d);
		} else if (broken) {
			struct diag *d = diag_new(diags, D_BAD_EXCEPTION,
						  re->doc, r->span,
						  "exception list '%s' holds "
						  "an item with errors: rule "
						  "'%s' is not run",
						  r->list_id,
						  rule ? rule : "(unnamed)");
			diag_note(diags, d, broken->doc, broken->span,
				  "the item '%s'", broken->item_id ?
				  broken->item_id : "(no item_id)");
			diag_help(diags, d, "fix the item, or run without "
				  "exceptions (--no-exceptions)");
			diag_emit(diags, d);
		}
	}
	return true;
}

/* ---------------------------------------------------------- applying */

/* `cond and keep` (keep alone when there is no cond). */
static struct ir_expr *
and_keep(struct arena *a, struct ir_expr *cond, struct ir_expr *keep)
{
	struct ir_expr *e;

	if (!cond)
		return keep;
	e = ir_new(a, IR_AND, VT_BOOL, cond->span);
	if (!e || !(e->u.list.v = ARENA_NEWV(a, struct ir_expr *, 2)))
		return NULL;
	e->u.list.v[0] = cond;
	e->u.list.v[1] = keep;
	e->u.list.n = 2;
	return e;
}

struct ir_query *
exc_apply(const struct ir_query *q, const struct rule_exc *re,
	  struct arena *a)
{
	struct ir_query *nq;
	struct ir_expr *any, *keep;
	size_t i, n = 0;

	if (!re)
		return (struct ir_query *)q;
	for (i = 0; i < re->nitems; i++)
		n += re->items[i]->cond != NULL;
	if (n == 0)
		return (struct ir_query *)q;
	any = ir_new(a, IR_OR, VT_BOOL, q->span);
	keep = ir_new(a, IR_NOT, VT_BOOL, q->span);
	nq = ARENA_NEW(a, struct ir_query);
	if (!any || !keep || !nq ||
	    !(any->u.list.v = ARENA_NEWV(a, struct ir_expr *, n)))
		return NULL;
	for (i = 0; i < re->nitems; i++)
		if (re->items[i]->cond)
			any->u.list.v[any->u.list.n++] = re->items[i]->cond;
	keep->u.sub = any->u.list.n == 1 ? any->u.list.v[0] : any;
	*nq = *q;
	nq->stages = ARENA_NEWV(a, struct ir_stage, q->nstages ? q->nstages : 1);
	if (!nq->stages)
		return NULL;
	for (i = 0; i < q->nstages; i++) {
		nq->stages[i] = q->stages[i];
		if (!(nq->stages[i].cond = and_keep(a, q->stages[i].cond,
						     keep)))
			return NULL;
	}
	if (q->until) {
		if (!(nq->until = ARENA_NEW(a, struct ir_stage)))
			return NULL;
		*nq->until = *q->until;
		if (!(nq->until->cond = and_keep(a, q->until->cond, keep)))
			return NULL;
	}
	return nq;
}

void
exc_dump(const struct rule_exc *re, struct strbuf *sb)
{
	size_t i, j;

	if (!re || re->nrefs == 0)
		return;
	sb_puts(sb, "exceptions\n");
	for (j = 0; j < re->nrefs; j++) {
		const struct exc_ref *r = &re->refs[j];
		size_t n = 0;

		sb_printf(sb, "  list %s (%s)\n", r->list_id,
			  r->namespace_type);
		for (i = 0; i < re->nitems; i++) {
			const struct exc_item *it = re->items[i];
			if (!same_list(r->list_id, r->namespace_type,
				       it->list_id, it->namespace_type))
				continue;
			n++;
			sb_printf(sb, "    item %s%s\n", it->item_id ?
				  it->item_id : "(no item_id)",
				  it->cond ? "" : " (has errors)");
			if (it->cond)
				ir_dump_expr(it->cond, it->doc, sb, 3);
		}
		if (n == 0)
			sb_puts(sb, "    (no item read)\n");
	}
}
