/*
 * meta.c - metadata both ways between ESET and Elastic rules (see meta.h;
 * the tables are in docs/convert.md).
 *
 * The Elastic side is built as a JSON DOM (base/json.h) so that one
 * printer per form (forms.c) serves every origin: a rule object read
 * again from its document, an ESET description mapped here, or the
 * defaults of a bare query.  Values are built in the conversion's arena;
 * objects grow by copying their member array (rule objects have a few
 * dozen members, built once).
 */
#include "convert/meta.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "base/toml.h"

/* --- ATT&CK ------------------------------------------------------------- */

struct tactic { const char *id, *name; };
struct technique { const char *id, *name, *tactic; };

static const struct tactic tactics[] = {
#define TACTIC(id, name) { id, name },
#define TECH(id, name, tactic)
#include "convert/attack.def"
#undef TACTIC
#undef TECH
};

static const struct technique techniques[] = {
#define TACTIC(id, name)
#define TECH(id, name, tactic) { id, name, tactic },
#include "convert/attack.def"
#undef TACTIC
#undef TECH
};

static const struct tactic *
tactic_by_id(const char *id)
{
	size_t i;

	for (i = 0; id && i < sizeof tactics / sizeof *tactics; i++)
		if (strcmp(tactics[i].id, id) == 0)
			return &tactics[i];
	return NULL;
}

static const struct tactic *
tactic_by_name(const char *name)
{
	size_t i;

	for (i = 0; name && i < sizeof tactics / sizeof *tactics; i++)
		if (strcasecmp(tactics[i].name, name) == 0)
			return &tactics[i];
	return NULL;
}

static const struct technique *
technique_by_id(const char *id, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof techniques / sizeof *techniques; i++)
		if (strlen(techniques[i].id) == len &&
		    strncmp(techniques[i].id, id, len) == 0)
			return &techniques[i];
	return NULL;
}

/* Whether s is "T" and 4 digits, optionally "." and 3 digits; *parent is
 * then the length of the technique part. */
static bool
attack_id(const char *s, size_t *parent)
{
	size_t i;

	if (s[0] != 'T')
		return false;
	for (i = 1; i < 5; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	*parent = 5;
	if (s[5] == '\0')
		return true;
	if (s[5] != '.')
		return false;
	for (i = 6; i < 9; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return s[9] == '\0';
}

/* --- the JSON DOM ------------------------------------------------------- */

static struct json_value *
jnew(struct arena *a, enum json_type t)
{
	struct json_value *v = ARENA_NEW(a, struct json_value);

	if (v) {
		memset(v, 0, sizeof *v);
		v->type = t;
	}
	return v;
}

struct json_value *
conv_json_string(struct arena *a, const char *s)
{
	struct json_value *v = jnew(a, JSON_STRING);

	if (v && s) {
		v->u.str.s = arena_strdup(a, s);
		v->u.str.len = strlen(s);
		if (!v->u.str.s)
			return NULL;
	}
	return v;
}

static struct json_value *
jint(struct arena *a, int64_t i)
{
	struct json_value *v = jnew(a, JSON_NUMBER);

	if (v) {
		v->u.num.d = (double)i;
		v->u.num.is_int = true;
		v->u.num.i = i;
		v->u.num.raw = arena_printf(a, "%" PRId64, i);
		v->u.num.rawlen = v->u.num.raw ? strlen(v->u.num.raw) : 0;
	}
	return v;
}

/* Appends item to array arr (no-op when either is NULL). */
static void
jpush(struct arena *a, struct json_value *arr, struct json_value *item)
{
	struct json_value **items;

	if (!arr || !item)
		return;
	items = ARENA_NEWV(a, struct json_value *, arr->u.arr.n + 1);
	if (!items)
		return;
	if (arr->u.arr.n)
		memcpy(items, arr->u.arr.items, arr->u.arr.n * sizeof *items);
	items[arr->u.arr.n++] = item;
	arr->u.arr.items = items;
}

static struct json_member *
jfind(struct json_value *obj, const char *key)
{
	size_t i;

	for (i = obj ? obj->u.obj.n : 0; i-- > 0;)
		if (strcmp(obj->u.obj.members[i].key, key) == 0)
			return &obj->u.obj.members[i];
	return NULL;
}

/* Sets member key of obj to v: in place when present, else appended. */
static void
jset(struct arena *a, struct json_value *obj, const char *key,
     struct json_value *v)
{
	struct json_member *m, *ms;

	if (!obj || !v)
		return;
	if ((m = jfind(obj, key)) != NULL) {
		m->value = v;
		return;
	}
	ms = ARENA_NEWV(a, struct json_member, obj->u.obj.n + 1);
	if (!ms)
		return;
	if (obj->u.obj.n)
		memcpy(ms, obj->u.obj.members, obj->u.obj.n * sizeof *ms);
	m = &ms[obj->u.obj.n++];
	memset(m, 0, sizeof *m);
	m->key = key;
	m->keylen = strlen(key);
	m->value = v;
	obj->u.obj.members = ms;
}

static void
jdel(struct json_value *obj, const char *key)
{
	size_t i, j;

	if (!obj)
		return;
	for (i = j = 0; i < obj->u.obj.n; i++)
		if (strcmp(obj->u.obj.members[i].key, key) != 0)
			obj->u.obj.members[j++] = obj->u.obj.members[i];
	obj->u.obj.n = j;
}

/* Whether member key is present and not null. */
static bool
jhas(struct json_value *obj, const char *key)
{
	struct json_member *m = jfind(obj, key);

	return m && m->value->type != JSON_NULL;
}

static const char *
jstr_of(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? v->u.str.s : NULL;
}

/* A shallow copy of object src (members shared). */
static struct json_value *
jcopy(struct arena *a, const struct json_value *src)
{
	struct json_value *v = jnew(a, JSON_OBJECT);
	size_t i;

	for (i = 0; v && src && src->type == JSON_OBJECT &&
		    i < src->u.obj.n; i++)
		jset(a, v, src->u.obj.members[i].key,
		     src->u.obj.members[i].value);
	return v;
}

/* --- the source ----------------------------------------------------------- */

struct mctx {
	struct conv *c;
	struct arena *a;
	const struct rule_meta *m;
	const struct json_value *obj;   /* the Elastic rule object, or NULL */
	const struct json_value *file;  /* a TOML file: the whole document */
	struct strbuf lines;            /* metadata loss lines */
};

/* The rule object as written: a JSON rule object read again from its
 * document, or the [rule] table of a TOML file. */
static void
read_source(struct mctx *mc)
{
	const struct rule_meta *m = mc->m;
	struct json_error err;

	mc->obj = mc->file = NULL;
	if (!m->doc.data || mc->c->rule->lang != LANG_EQL)
		return;
	if (m->toml) {
		mc->file = toml_parse(mc->a, m->doc.data, m->doc.len, &err);
		mc->obj = json_get(mc->file, "rule");
	} else if (m->object && m->span.end > m->span.start) {
		mc->obj = json_parse_range(mc->a, m->doc.data, m->span.start,
					   m->span.end, &err);
	}
	if (mc->obj && mc->obj->type != JSON_OBJECT)
		mc->obj = NULL;
}

static void
mctx_init(struct mctx *mc, struct conv *c)
{
	mc->c = c;
	mc->a = c->arena;
	mc->m = &c->rule->meta;
	mc->lines = (struct strbuf)STRBUF_INIT;
	read_source(mc);
}

/* A metadata loss: a note diagnostic at sp (in the metadata's document)
 * and a line of the converted rule's note. */
static void
meta_loss(struct mctx *mc, struct span sp, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
meta_loss(struct mctx *mc, struct span sp, const char *fmt, ...)
{
	const struct rc_text *t = mc->m->doc.data ? &mc->m->doc
						  : &mc->c->rule->text;
	va_list ap;
	const char *why;

	va_start(ap, fmt);
	why = arena_vprintf(mc->a, fmt, ap);
	va_end(ap);
	if (!why)
		return;
	sb_printf(&mc->lines, "metadata: %s\n", why);
	diag_report(mc->c->diags, D_CONV_METADATA, t, sp, "%s", why);
}

/* --- a rule id when the source has none ------------------------------------ */

/* 64-bit FNV-1a from basis h. */
static uint64_t
fnv64(uint64_t h, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		h ^= (unsigned char)s[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

/* A lower-case UUID (RFC 9562 version 8: its bits are ours) derived from
 * the file's base name and the query: the same rule gets the same id on
 * every run and machine. */
static const char *
derived_id(struct mctx *mc)
{
	const struct rc_rule *r = mc->c->rule;
	const char *name = r->src && r->src->name ? r->src->name : "";
	const char *base = strrchr(name, '/');
	uint64_t h1 = 0xcbf29ce484222325ULL, h2 = 0x84222325cbf29ce4ULL;

	base = base ? base + 1 : name;
	h1 = fnv64(h1, base, strlen(base));
	h1 = fnv64(h1, r->text.data ? r->text.data : "", r->text.len);
	h2 = fnv64(h2, r->text.data ? r->text.data : "", r->text.len);
	h2 = fnv64(h2, base, strlen(base));
	return arena_printf(mc->a, "%08" PRIx32 "-%04" PRIx32 "-8%03" PRIx32
			    "-%04" PRIx32 "-%012" PRIx64,
			    (uint32_t)(h1 >> 32), (uint32_t)(h1 >> 16) & 0xffff,
			    (uint32_t)h1 & 0xfff,
			    0x8000 | ((uint32_t)(h2 >> 48) & 0x3fff),
			    (uint64_t)(h2 & 0xffffffffffffULL));
}

/* The file's base name without extension (a bare query's name). */
static const char *
file_stem(struct mctx *mc)
{
	const struct rc_rule *r = mc->c->rule;
	const char *name = r->src && r->src->name ? r->src->name : "rule";
	const char *base = strrchr(name, '/'), *dot;

	base = base ? base + 1 : name;
	if (!*base || strcmp(base, "-") == 0)
		return "rule";
	dot = strrchr(base, '.');
	return dot && dot > base ? arena_strndup(mc->a, base,
						 (size_t)(dot - base))
				 : base;
}

/* --- severity ------------------------------------------------------------- */

/* Elastic's bands (detection-rules and Kibana): low 0-21, medium 22-47,
 * high 48-73, critical 74-100. */
static const char *
severity_of(double risk)
{
	return risk <= 21 ? "low" : risk <= 47 ? "medium" :
	       risk <= 73 ? "high" : "critical";
}

/* The default risk score of a severity name (21, 47, 73, 99), or -1. */
static int
risk_of(const char *sev)
{
	if (!sev)
		return -1;
	if (strcasecmp(sev, "low") == 0)
		return 21;
	if (strcasecmp(sev, "medium") == 0)
		return 47;
	if (strcasecmp(sev, "high") == 0)
		return 73;
	if (strcasecmp(sev, "critical") == 0)
		return 99;
	return -1;
}

/* --- ESET to Elastic ------------------------------------------------------- */

/* The threat entry of tactic ta in arr, made when missing. */
static struct json_value *
threat_of(struct mctx *mc, struct json_value *arr, const struct tactic *ta)
{
	struct json_value *e, *tac;
	size_t i;

	for (i = 0; i < arr->u.arr.n; i++) {
		const char *id;

		tac = (struct json_value *)json_get(arr->u.arr.items[i],
						    "tactic");
		id = jstr_of(tac, "id");
		if (id && strcmp(id, ta->id) == 0)
			return arr->u.arr.items[i];
	}
	e = jnew(mc->a, JSON_OBJECT);
	tac = jnew(mc->a, JSON_OBJECT);
	jset(mc->a, e, "framework", conv_json_string(mc->a, "MITRE ATT&CK"));
	jset(mc->a, tac, "id", conv_json_string(mc->a, ta->id));
	jset(mc->a, tac, "name", conv_json_string(mc->a, ta->name));
	jset(mc->a, tac, "reference", conv_json_string(mc->a,
		arena_printf(mc->a, "https://attack.mitre.org/tactics/%s/",
			     ta->id)));
	jset(mc->a, e, "tactic", tac);
	jset(mc->a, e, "technique", jnew(mc->a, JSON_ARRAY));
	jpush(mc->a, arr, e);
	return e;
}

/* The technique object of te under threat entry e, made when missing. */
static struct json_value *
technique_of(struct mctx *mc, struct json_value *e,
	     const struct technique *te)
{
	struct json_member *tm = jfind(e, "technique");
	struct json_value *list, *t;
	size_t i;

	if (!tm)
		return NULL;
	list = tm->value;

	for (i = 0; i < list->u.arr.n; i++) {
		const char *id = jstr_of(list->u.arr.items[i], "id");

		if (id && strcmp(id, te->id) == 0)
			return list->u.arr.items[i];
	}
	t = jnew(mc->a, JSON_OBJECT);
	jset(mc->a, t, "id", conv_json_string(mc->a, te->id));
	jset(mc->a, t, "name", conv_json_string(mc->a, te->name));
	jset(mc->a, t, "reference", conv_json_string(mc->a,
		arena_printf(mc->a, "https://attack.mitre.org/techniques/%s/",
			     te->id)));
	jpush(mc->a, list, t);
	return t;
}

/* `threat` from <mitreattackid>: each technique under its tactic, a
 * subtechnique under its parent.  Unknown ids and subtechniques go to
 * `references`, reported. */
static void
eset_threat(struct mctx *mc, struct json_value *o, struct json_value *refs)
{
	const struct rule_meta *m = mc->m;
	struct json_value *arr = jnew(mc->a, JSON_ARRAY);
	size_t i, plen;

	if (!arr)
		return;
	for (i = 0; i < m->nmitre; i++) {
		const char *id = m->mitre[i];
		const struct technique *parent, *sub = NULL;
		struct json_value *e, *t, *subs, *so;

		if (!attack_id(id, &plen)) {
			meta_loss(mc, m->mitre_span, "'%s' in <mitreattackid> "
				  "is no ATT&CK technique id: left out", id);
			continue;
		}
		parent = technique_by_id(id, plen);
		if (!parent) {
			meta_loss(mc, m->mitre_span, "ATT&CK technique %.*s "
				  "is not in rulec's table (no tactic known): "
				  "kept as a reference", (int)plen, id);
			jpush(mc->a, refs, conv_json_string(mc->a,
				arena_printf(mc->a, "https://attack.mitre.org/"
					     "techniques/%.*s/%s%s", (int)plen,
					     id, id[plen] ? id + plen + 1 : "",
					     id[plen] ? "/" : "")));
			continue;
		}
		if (id[plen]) {
			sub = technique_by_id(id, strlen(id));
			if (!sub) {
				meta_loss(mc, m->mitre_span, "ATT&CK "
					  "subtechnique %s is not in rulec's "
					  "table: kept as technique %s and a "
					  "reference", id, parent->id);
				jpush(mc->a, refs, conv_json_string(mc->a,
					arena_printf(mc->a, "https://attack."
						     "mitre.org/techniques/"
						     "%s/%s/", parent->id,
						     id + plen + 1)));
			}
		}
		e = threat_of(mc, arr, tactic_by_id(parent->tactic));
		if (!e)
			continue;
		t = technique_of(mc, e, parent);
		if (!sub || !t)
			continue;
		if (!jfind(t, "subtechnique"))
			jset(mc->a, t, "subtechnique", jnew(mc->a, JSON_ARRAY));
		if (!jfind(t, "subtechnique"))
			continue;
		subs = jfind(t, "subtechnique")->value;
		so = jnew(mc->a, JSON_OBJECT);
		jset(mc->a, so, "id", conv_json_string(mc->a, sub->id));
		jset(mc->a, so, "name", conv_json_string(mc->a, sub->name));
		jset(mc->a, so, "reference", conv_json_string(mc->a,
			arena_printf(mc->a, "https://attack.mitre.org/"
				     "techniques/%s/%s/", parent->id,
				     sub->id + plen + 1)));
		jpush(mc->a, subs, so);
	}
	if (arr->u.arr.n)
		jset(mc->a, o, "threat", arr);
}

/* The ESET name without its " [id]" suffix. */
static const char *
eset_title(struct mctx *mc)
{
	const char *name = mc->m->name, *id = mc->m->id;
	size_t n, k;

	if (!name)
		return NULL;
	n = strlen(name);
	k = id ? strlen(id) : 0;
	if (id && n >= k + 2 && name[n - 1] == ']' && name[n - k - 2] == '[' &&
	    strncmp(name + n - k - 1, id, k) == 0) {
		n -= k + 2;
		while (n && isspace((unsigned char)name[n - 1]))
			n--;
		if (n)
			return arena_strndup(mc->a, name, n);
	}
	return name;
}

/* "OS: Windows" as detection-rules writes the tag. */
static const char *
os_tag(struct mctx *mc, const char *os)
{
	if (strcasecmp(os, "windows") == 0)
		return "OS: Windows";
	if (strcasecmp(os, "linux") == 0)
		return "OS: Linux";
	if (strcasecmp(os, "macos") == 0 || strcasecmp(os, "mac") == 0 ||
	    strcasecmp(os, "osx") == 0)
		return "OS: macOS";
	return arena_printf(mc->a, "OS: %s", os);
}

/* Appends "## title\n\ntext" to a markdown note. */
static void
note_section(struct strbuf *note, const char *title, const char *text)
{
	if (!text || !*text)
		return;
	if (note->len)
		sb_puts(note, "\n\n");
	sb_printf(note, "## %s\n\n%s", title, text);
}

/* The Elastic rule object of an ESET rule (docs/convert.md). */
static struct json_value *
from_eset(struct mctx *mc, struct strbuf *note)
{
	const struct rule_meta *m = mc->m;
	struct arena *a = mc->a;
	struct json_value *o = jnew(a, JSON_OBJECT);
	struct json_value *tags = jnew(a, JSON_ARRAY);
	struct json_value *refs = jnew(a, JSON_ARRAY);
	const char *title = eset_title(mc);
	size_t i;

	if (!o || !tags || !refs)
		return NULL;
	if (title)
		jset(a, o, "name", conv_json_string(a, title));
	if (m->id)
		jset(a, o, "rule_id", conv_json_string(a, m->id));
	if (m->explanation && *m->explanation)
		jset(a, o, "description", conv_json_string(a, m->explanation));
	if (m->has_risk_score) {
		double r = m->risk_score < 0 ? 0 : m->risk_score > 100 ? 100
			   : m->risk_score;

		jset(a, o, "risk_score", jint(a, (int64_t)r));
		jset(a, o, "severity", conv_json_string(a, severity_of(r)));
	}
	jset(a, o, "type", conv_json_string(a, "eql"));
	jset(a, o, "language", conv_json_string(a, "eql"));
	/* the ECS names of schemas/eset-ecs.tsv are Elastic Defend's */
	{
		struct json_value *idx = jnew(a, JSON_ARRAY);

		jpush(a, idx, conv_json_string(a, "logs-endpoint.events.*"));
		jset(a, o, "index", idx);
	}
	jset(a, o, "from", conv_json_string(a, "now-9m"));
	jset(a, o, "interval", conv_json_string(a, "5m"));
	if (m->benign_causes && *m->benign_causes) {
		struct json_value *fp = jnew(a, JSON_ARRAY);

		jpush(a, fp, conv_json_string(a, m->benign_causes));
		jset(a, o, "false_positives", fp);
	}
	note_section(note, "Malicious causes", m->malicious_causes);
	note_section(note, "Recommended actions", m->recommended_actions);
	eset_threat(mc, o, refs);
	if (m->os && *m->os)
		jpush(a, tags, conv_json_string(a, os_tag(mc, m->os)));
	{
		const struct json_value *th = json_get(o, "threat");

		for (i = 0; th && i < th->u.arr.n; i++) {
			const struct json_value *tac =
				json_get(th->u.arr.items[i], "tactic");

			jpush(a, tags, conv_json_string(a, arena_printf(a,
				"Tactic: %s", jstr_of(tac, "name"))));
		}
	}
	if (tags->u.arr.n)
		jset(a, o, "tags", tags);
	if (refs->u.arr.n)
		jset(a, o, "references", refs);
	if (m->category && *m->category && !m->exclusion)
		meta_loss(mc, m->span, "ESET category '%s' has no Kibana "
			  "counterpart", m->category);
	if (m->exclusion)
		meta_loss(mc, m->span, "the rule is an ESET exclusion "
			  "(category Exclusion): Kibana rules cannot exclude; "
			  "converted as a detection rule");
	/* a Kibana alert is a detection, with its source event stored */
	for (i = 0; i < m->nactions; i++)
		if (strcmp(m->actions[i].name, "TriggerDetection") != 0 &&
		    strcmp(m->actions[i].name, "StoreEvent") != 0)
			meta_loss(mc, m->actions[i].span, "ESET action %s has "
				  "no Kibana counterpart", m->actions[i].name);
	if (m->malicious_target && strcmp(m->malicious_target, "current"))
		meta_loss(mc, m->target_span, "<maliciousTarget name=\"%s\"> "
			  "has no Kibana counterpart", m->malicious_target);
	return o;
}

/* --- Elastic to Elastic ----------------------------------------------------- */

/* Kibana's server-side keys, and what rule dumps add: not part of a
 * detection-rules [rule] table. */
static const char *const server_keys[] = {
	"id", "created_at", "created_by", "updated_at", "updated_by",
	"immutable", "execution_summary", "rule_source", "revision",
	"outcome", "alias_purpose", "alias_target_id", "namespace",
	"output_index", "path", "maturity", "deprecated", "building_block",
};

/* --- the object ------------------------------------------------------------- */

/* The required keys Kibana's import wants, with their defaults when the
 * source lacks them (docs/convert.md). */
static void
fill_required(struct mctx *mc, struct json_value *o)
{
	struct arena *a = mc->a;
	const struct json_value *rs;
	const char *sev;

	if (!jhas(o, "name"))
		jset(a, o, "name", conv_json_string(a, mc->m->name
			? mc->m->name : file_stem(mc)));
	if (!jhas(o, "rule_id"))
		jset(a, o, "rule_id", conv_json_string(a, derived_id(mc)));
	if (!jhas(o, "description"))
		jset(a, o, "description", conv_json_string(a,
			jstr_of(o, "name")));
	rs = json_get(o, "risk_score");
	sev = jstr_of(o, "severity");
	if (!rs || rs->type == JSON_NULL) {
		int r = risk_of(sev);

		jset(a, o, "risk_score", jint(a, r < 0 ? 47 : r));
		rs = json_get(o, "risk_score");
	}
	if (!sev && rs->type == JSON_NUMBER)
		jset(a, o, "severity", conv_json_string(a,
			severity_of(rs->u.num.d)));
	if (!jhas(o, "type"))
		jset(a, o, "type", conv_json_string(a, "eql"));
	if (!jhas(o, "language"))
		jset(a, o, "language", conv_json_string(a, "eql"));
}

/* The loss lines as the markdown section that ends the note. */
static void
conversion_section(struct mctx *mc, struct strbuf *note)
{
	struct strbuf all = STRBUF_INIT;
	const char *p, *end;

	sb_put(&all, mc->c->notes.data, mc->c->notes.len);
	sb_put(&all, mc->lines.data, mc->lines.len);
	if (!all.len) {
		sb_free(&all);
		return;
	}
	if (note->len)
		sb_puts(note, "\n\n");
	sb_puts(note, "## Conversion (rulec)\n\n");
	for (p = all.data, end = p + all.len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		sb_puts(note, "- ");
		sb_put(note, p, n);
		sb_putc(note, '\n');
		p += n + (nl != NULL);
	}
	note->len--;            /* the last newline */
	note->data[note->len] = '\0';
	sb_free(&all);
}

struct json_value *
conv_meta_elastic(struct conv *c, const char *query, bool toml)
{
	struct mctx mc;
	struct json_value *o;
	struct strbuf note = STRBUF_INIT;
	size_t i;

	mctx_init(&mc, c);
	if (c->rule->lang == LANG_ESET_XML) {
		o = from_eset(&mc, &note);
	} else {
		const char *n;

		o = mc.obj ? jcopy(mc.a, mc.obj) : jnew(mc.a, JSON_OBJECT);
		if ((n = jstr_of(mc.obj, "note")) != NULL)
			sb_puts(&note, n);
	}
	if (!o) {
		sb_free(&note);
		sb_free(&mc.lines);
		return NULL;
	}
	if (toml)
		for (i = 0; i < sizeof server_keys / sizeof *server_keys; i++)
			jdel(o, server_keys[i]);
	fill_required(&mc, o);
	{       /* without the newline that ends a query file */
		size_t n = strlen(query);

		while (n && (query[n - 1] == '\n' || query[n - 1] == '\r'))
			n--;
		query = arena_strndup(mc.a, query, n);
	}
	jset(mc.a, o, "query", conv_json_string(mc.a, query ? query : ""));
	conversion_section(&mc, &note);
	if (note.len)
		jset(mc.a, o, "note", conv_json_string(mc.a, note.data));
	sb_free(&note);
	sb_free(&mc.lines);
	return o;
}

/* A Kibana date-time "2020-08-19T14:03:01.000Z" as "2020/08/19". */
static const char *
plain_date(struct arena *a, const char *iso)
{
	size_t i;

	if (!iso || strlen(iso) < 10)
		return NULL;
	for (i = 0; i < 10; i++)
		if (i == 4 || i == 7 ? iso[i] != '-'
				     : !isdigit((unsigned char)iso[i]))
			return NULL;
	return arena_printf(a, "%.4s/%.2s/%.2s", iso, iso + 5, iso + 8);
}

struct json_value *
conv_meta_toml_table(struct conv *c, bool *placeholder)
{
	struct mctx mc;
	struct json_value *md;
	const struct rule_meta *m;
	const char *created, *updated, *mat;

	mctx_init(&mc, c);
	m = mc.m;
	md = jcopy(mc.a, json_get(mc.file, "metadata"));
	*placeholder = false;
	created = m->toml ? m->created : plain_date(mc.a, m->created);
	updated = m->toml ? m->updated : plain_date(mc.a, m->updated);
	if (!created && updated)
		created = updated;
	if (!updated && created)
		updated = created;
	if (!created) {
		created = updated = "1970/01/01";
		*placeholder = true;
	}
	if (!jhas(md, "creation_date"))
		jset(mc.a, md, "creation_date", conv_json_string(mc.a,
								 created));
	if (!jhas(md, "updated_date"))
		jset(mc.a, md, "updated_date", conv_json_string(mc.a, updated));
	mat = m->maturity ? m->maturity : "development";
	if (!jhas(md, "maturity"))
		jset(mc.a, md, "maturity", conv_json_string(mc.a, mat));
	/* detection-rules wants a date on a deprecated rule */
	if (strcmp(mat, "deprecated") == 0 && !jhas(md, "deprecation_date"))
		jset(mc.a, md, "deprecation_date", conv_json_string(mc.a,
			m->deprecated ? m->deprecated : updated));
	sb_free(&mc.lines);
	return md;
}

/* --- Elastic to ESET ---------------------------------------------------- */

static void
xml_text(struct strbuf *out, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '&': sb_puts(out, "&amp;"); break;
		case '<': sb_puts(out, "&lt;"); break;
		case '>': sb_puts(out, "&gt;"); break;
		default: sb_putc(out, *s); break;
		}
	}
}

static void
xml_elem(struct strbuf *out, const char *name, const char *text)
{
	if (!text)
		return;
	sb_printf(out, "    <%s>", name);
	xml_text(out, text);
	sb_printf(out, "</%s>\n", name);
}

/* The part of a markdown note under "## title", up to the next "## "
 * heading (NULL when absent). */
static const char *
note_part(struct arena *a, const char *note, const char *title)
{
	const char *p = note, *s, *e;
	size_t tl = strlen(title);

	for (; *p; p++) {
		if ((p != note && p[-1] != '\n') || strncmp(p, "## ", 3) != 0 ||
		    strncmp(p + 3, title, tl) ||
		    (p[3 + tl] != '\n' && p[3 + tl] != '\0'))
			continue;
		s = p + 3 + tl;
		while (*s == '\n')
			s++;
		for (e = s; *e; e++)
			if ((e == s || e[-1] == '\n') && strncmp(e, "## ", 3) == 0)
				break;
		while (e > s && (e[-1] == '\n' || e[-1] == ' '))
			e--;
		return arena_strndup(a, s, (size_t)(e - s));
	}
	return NULL;
}

/* The note without the sections rulec writes: what the user wrote. */
static const char *
note_rest(struct arena *a, const char *note)
{
	static const char *const ours[] = {
		"Malicious causes", "Recommended actions",
		"Conversion (rulec)"
	};
	struct strbuf sb = STRBUF_INIT;
	const char *p = note, *r;
	bool skip = false;
	size_t i;

	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t n = nl ? (size_t)(nl - p + 1) : strlen(p);

		if (strncmp(p, "## ", 3) == 0) {
			skip = false;
			for (i = 0; i < sizeof ours / sizeof *ours; i++)
				if (strncmp(p + 3, ours[i], strlen(ours[i]))
				    == 0)
					skip = true;
		}
		if (!skip)
			sb_put(&sb, p, n);
		p += n;
	}
	while (sb.len && (sb.data[sb.len - 1] == '\n' ||
			  sb.data[sb.len - 1] == ' '))
		sb.len--;
	r = sb.len ? arena_strndup(a, sb.data, sb.len) : NULL;
	sb_free(&sb);
	return r;
}

/* "Windows" from an "OS: Windows" tag of the rule object. */
static const char *
os_of_tags(const struct json_value *o)
{
	const struct json_value *t = json_get(o, "tags");
	size_t i;

	for (i = 0; t && t->type == JSON_ARRAY && i < t->u.arr.n; i++) {
		const struct json_value *v = t->u.arr.items[i];

		if (v->type == JSON_STRING &&
		    strncmp(v->u.str.s, "OS: ", 4) == 0)
			return v->u.str.s + 4;
	}
	return NULL;
}

/* The technique ids of `threat` (subtechniques instead of their parent),
 * comma-separated; the first tactic's name in *tactic. */
static const char *
mitre_ids(struct mctx *mc, const char **tactic)
{
	const struct rule_meta *m = mc->m;
	struct strbuf sb = STRBUF_INIT;
	const char *r;
	size_t i, j, k;

	*tactic = NULL;
	for (i = 0; i < m->nthreats; i++) {
		const struct rule_threat *t = &m->threats[i];

		if (!*tactic && t->tactic_name.s)
			*tactic = t->tactic_name.s;
		for (j = 0; j < t->ntechniques; j++) {
			const struct rule_technique *te = &t->techniques[j];

			if (!te->nsubs && te->id.s)
				sb_printf(&sb, "%s%s", sb.len ? "," : "",
					  te->id.s);
			for (k = 0; k < te->nsubs; k++)
				if (te->subs[k].s)
					sb_printf(&sb, "%s%s", sb.len ? "," : "",
						  te->subs[k].s);
		}
	}
	r = sb.len ? arena_strndup(mc->a, sb.data, sb.len) : NULL;
	sb_free(&sb);
	return r;
}

/* The list items of a string array member, one per line. */
static const char *
joined(struct arena *a, const struct json_value *o, const char *key)
{
	const struct json_value *v = json_get(o, key);
	struct strbuf sb = STRBUF_INIT;
	const char *r;
	size_t i;

	for (i = 0; v && v->type == JSON_ARRAY && i < v->u.arr.n; i++)
		if (v->u.arr.items[i]->type == JSON_STRING)
			sb_printf(&sb, "%s%s", sb.len ? "\n" : "",
				  v->u.arr.items[i]->u.str.s);
	r = sb.len ? arena_strndup(a, sb.data, sb.len) : NULL;
	sb_free(&sb);
	return r;
}

/* The metadata losses as comments, one per line (a comment cannot hold
 * "--": written "- -"). */
static void
xml_notes(struct mctx *mc, struct strbuf *out)
{
	const char *p = mc->lines.data, *end;

	if (!p)         /* no losses: the buffer was never allocated */
		return;
	end = p + mc->lines.len;
	for (; p < end; p++) {
		if (p == mc->lines.data || p[-1] == '\n')
			sb_puts(out, "    <!-- rulec: ");
		if (*p == '\n') {
			sb_puts(out, " -->\n");
			continue;
		}
		sb_putc(out, *p);
		if (*p == '-' && p + 1 < end && p[1] == '-')
			sb_putc(out, ' ');
	}
}

/* The <description> of an ESET rule read as ESET: as it was. */
static void
eset_to_eset(struct mctx *mc, struct strbuf *out)
{
	const struct rule_meta *m = mc->m;
	size_t i;

	sb_puts(out, "  <description>\n");
	xml_elem(out, "name", m->name);
	xml_elem(out, "category", m->category);
	xml_elem(out, "os", mc->c->os ? mc->c->os : m->os);
	xml_elem(out, "guid", m->guid);
	xml_elem(out, "severity", m->severity);
	if (m->nmitre) {
		sb_puts(out, "    <mitreattackid>");
		for (i = 0; i < m->nmitre; i++) {
			if (i)
				sb_putc(out, ',');
			xml_text(out, m->mitre[i]);
		}
		sb_puts(out, "</mitreattackid>\n");
	}
	xml_elem(out, "explanation", m->explanation);
	xml_elem(out, "benignCauses", m->benign_causes);
	xml_elem(out, "maliciousCauses", m->malicious_causes);
	xml_elem(out, "recommendedActions", m->recommended_actions);
	sb_puts(out, "  </description>\n");
}

/* What an ESET description cannot hold, reported once each. */
static void
elastic_losses(struct mctx *mc)
{
	static const char *const keys[] = {
		"references", "exceptions_list", "actions",
		"alert_suppression", "setup", "investigation_fields",
		"event_category_override", "timestamp_override",
		"tiebreaker_field", "building_block_type",
	};
	size_t i;

	for (i = 0; mc->obj && i < sizeof keys / sizeof *keys; i++) {
		const struct json_value *v = json_get(mc->obj, keys[i]);

		if (v && v->type != JSON_NULL)
			meta_loss(mc, span_make(v->start, v->end), "Kibana's "
				  "'%s' has no ESET counterpart", keys[i]);
	}
}

void
conv_meta_to_eset(struct conv *c, struct strbuf *out)
{
	struct mctx mc;
	const struct rule_meta *m;
	const struct json_value *o;
	const char *name, *id, *title, *tactic, *note, *sev = NULL, *os;
	double risk = -1;

	mctx_init(&mc, c);
	m = mc.m;
	if (c->rule->lang == LANG_ESET_XML) {
		eset_to_eset(&mc, out);
		sb_free(&mc.lines);
		return;
	}
	o = mc.obj;
	title = m->name ? m->name : file_stem(&mc);
	id = m->id ? m->id : derived_id(&mc);
	/* the ESET id is the bracketed suffix of the name (once) */
	name = arena_printf(mc.a, "[%s]", id);
	if (name && (strlen(title) < strlen(name) ||
		     strcmp(title + strlen(title) - strlen(name), name)))
		name = arena_printf(mc.a, "%s %s", title, name);
	else
		name = title;
	if (m->has_risk_score)
		risk = m->risk_score;
	else if (risk_of(m->severity) >= 0)
		risk = risk_of(m->severity);
	if (risk >= 0)
		sev = arena_printf(mc.a, "%d", risk < 1 ? 1 : risk > 100 ? 100
				   : (int)(risk + 0.5));
	os = c->os ? c->os : os_of_tags(o);
	note = jstr_of(o, "note");
	elastic_losses(&mc);
	sb_puts(out, "  <description>\n");
	xml_notes(&mc, out);
	xml_elem(out, "name", name);
	{
		const char *ids = mitre_ids(&mc, &tactic);
		const struct tactic *ta = tactic_by_name(tactic);

		xml_elem(out, "category", ta ? ta->name : tactic);
		xml_elem(out, "os", os);
		xml_elem(out, "severity", sev);
		xml_elem(out, "mitreattackid", ids);
	}
	xml_elem(out, "explanation", jstr_of(o, "description"));
	xml_elem(out, "benignCauses", joined(mc.a, o, "false_positives"));
	if (note) {
		const char *mal = note_part(mc.a, note, "Malicious causes");
		const char *rec = note_part(mc.a, note, "Recommended actions");
		const char *rest = note_rest(mc.a, note);

		xml_elem(out, "maliciousCauses", mal);
		if (rec && rest)
			rec = arena_printf(mc.a, "%s\n\n%s", rec, rest);
		xml_elem(out, "recommendedActions", rec ? rec : rest);
	}
	sb_puts(out, "  </description>\n");
	sb_free(&mc.lines);
}
