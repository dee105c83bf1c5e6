/*
 * meta.c - the metadata record of a rule (see meta.h): reading it from an
 * Elastic rule object, and its part of the --dump-ir format.
 */
#include "sema/meta.h"

#include <stdio.h>
#include <string.h>

struct reader {
	struct arena *arena;
	struct diag_sink *diags;
	const struct rc_text *doc;
	const struct json_value *obj;
};

static struct span
value_span(const struct json_value *v)
{
	return span_make(v->start, v->end);
}

static void
wrong_type(struct reader *rd, const struct json_value *v, const char *key,
	   const char *want)
{
	diag_report(rd->diags, D_BAD_RULE_OBJECT, rd->doc, value_span(v),
		    "'%s' must be %s, not %s", key, want,
		    json_type_name(v->type));
}

/* A string member of obj, or NULL; *sp is the member's span when it is
 * present and not null.  With `report`, another type is an error. */
static const char *
string_member(struct reader *rd, const struct json_value *obj,
	      const char *key, struct span *sp, bool report)
{
	const struct json_value *v = json_get(obj, key);

	if (!v || v->type == JSON_NULL)
		return NULL;
	*sp = value_span(v);
	if (v->type == JSON_STRING)
		return v->u.str.s;
	if (report)
		wrong_type(rd, v, key, "a string");
	return NULL;
}

/* A string of a list from a JSON value (NULL when it is none). */
static struct rule_str
list_item(const struct json_value *v)
{
	struct rule_str s;

	s.s = v && v->type == JSON_STRING ? v->u.str.s : NULL;
	s.span = v ? value_span(v) : span_make(0, 0);
	return s;
}

/* The `id` (or other key) of an object in a list, as a list string. */
static struct rule_str
item_member(const struct json_value *obj, const char *key)
{
	const struct json_value *v = json_get(obj, key);

	return v && v->type == JSON_STRING ? list_item(v) : list_item(NULL);
}

/* The strings of an array member; with `report`, a member that is no
 * array and items that are no strings are errors (and are left out). */
static struct rule_str *
string_list(struct reader *rd, const char *key, size_t *n, struct span *sp,
	    bool report)
{
	const struct json_value *v = json_get(rd->obj, key);
	struct rule_str *list;
	size_t i;

	*n = 0;
	if (!v || v->type == JSON_NULL)
		return NULL;
	*sp = value_span(v);
	if (v->type != JSON_ARRAY) {
		if (report)
			wrong_type(rd, v, key, "an array of strings");
		return NULL;
	}
	list = ARENA_NEWV(rd->arena, struct rule_str,
			  v->u.arr.n ? v->u.arr.n : 1);
	for (i = 0; list && i < v->u.arr.n; i++) {
		const struct json_value *e = v->u.arr.items[i];
		char item[64];

		if (e->type == JSON_STRING) {
			list[(*n)++] = list_item(e);
		} else if (report) {
			snprintf(item, sizeof item, "%s[]", key);
			wrong_type(rd, e, item, "a string");
		}
	}
	return list;
}

/* The techniques of one threat entry and their subtechniques. */
static void
read_techniques(struct reader *rd, const struct json_value *tech,
		struct rule_threat *t)
{
	size_t j, k;

	if (!tech || tech->type != JSON_ARRAY || !tech->u.arr.n)
		return;
	t->techniques = ARENA_NEWV(rd->arena, struct rule_technique,
				   tech->u.arr.n);
	if (!t->techniques)
		return;
	for (j = 0; j < tech->u.arr.n; j++) {
		const struct json_value *te = tech->u.arr.items[j];
		const struct json_value *sub = json_get(te, "subtechnique");
		struct rule_technique *x = &t->techniques[t->ntechniques++];

		memset(x, 0, sizeof *x);
		x->id = item_member(te, "id");
		x->name = item_member(te, "name");
		if (!sub || sub->type != JSON_ARRAY || !sub->u.arr.n)
			continue;
		x->subs = ARENA_NEWV(rd->arena, struct rule_str, sub->u.arr.n);
		for (k = 0; x->subs && k < sub->u.arr.n; k++)
			x->subs[x->nsubs++] = item_member(sub->u.arr.items[k],
							  "id");
	}
}

/* `threat`: [{tactic: {id, name}, technique: [{id, name, subtechnique:
 * [{id}]}]}], one entry per object of the array. */
static void
read_threats(struct reader *rd, struct rule_meta *m)
{
	const struct json_value *v = json_get(rd->obj, "threat");
	size_t i;

	if (!v || v->type == JSON_NULL)
		return;
	m->threat_span = value_span(v);
	if (v->type != JSON_ARRAY) {
		wrong_type(rd, v, "threat", "an array");
		return;
	}
	for (i = 0; i < v->u.arr.n; i++)
		if (v->u.arr.items[i]->type != JSON_OBJECT)
			wrong_type(rd, v->u.arr.items[i], "threat[]",
				   "an object");
	m->threats = ARENA_NEWV(rd->arena, struct rule_threat,
				v->u.arr.n ? v->u.arr.n : 1);
	for (i = 0; m->threats && i < v->u.arr.n; i++) {
		const struct json_value *e = v->u.arr.items[i];
		const struct json_value *tac = json_get(e, "tactic");
		struct rule_threat *t;

		if (e->type != JSON_OBJECT)
			continue;
		t = &m->threats[m->nthreats++];
		memset(t, 0, sizeof *t);
		t->tactic_id = item_member(tac, "id");
		t->tactic_name = item_member(tac, "name");
		read_techniques(rd, json_get(e, "technique"), t);
	}
}

/* The look-back window of a detection rule: "from" is Kibana date math
 * ("now-9m"; "now-6m" when absent).  A hunt is run by the user over any
 * range and has none, nor has date math of another form. */
static void
read_lookback(struct rule_meta *m)
{
	const char *s;
	int64_t n = 0, unit;

	if (m->type && strcmp(m->type, "hunt") == 0)
		return;
	if (m->from_span.end <= m->from_span.start) {
		m->has_lookback = true;
		m->lookback_ms = 6 * 60000;
		m->lookback_text = "now-6m";
		return;
	}
	if (!m->from || strncmp(m->from, "now-", 4) != 0)
		return;
	for (s = m->from + 4; *s >= '0' && *s <= '9' && n < 100000000; s++)
		n = n * 10 + (*s - '0');
	if (s == m->from + 4 || s[0] == '\0' || s[1] != '\0')
		return;
	switch (*s) {
	case 's': unit = 1000; break;
	case 'm': unit = 60000; break;
	case 'h': unit = 3600000; break;
	case 'd': unit = 86400000; break;
	default: return;
	}
	m->has_lookback = true;
	m->lookback_ms = n * unit;
	m->lookback_text = m->from;
}

void
rule_meta_read_json(struct rule_meta *m, struct arena *a,
		    struct diag_sink *diags, const struct rc_text *doc,
		    const struct json_value *obj)
{
	struct reader rd = { a, diags, doc, obj };
	const struct json_value *v;

	m->object = true;
	m->doc = *doc;
	m->span = value_span(obj);
	/* the members a wrong type of which is an error, in this order */
	m->id = string_member(&rd, obj, "rule_id", &m->id_span, true);
	m->name = string_member(&rd, obj, "name", &m->name_span, true);
	m->severity = string_member(&rd, obj, "severity", &m->severity_span,
				    true);
	m->category_field = string_member(&rd, obj, "event_category_override",
					  &m->category_field_span, true);
	m->timestamp_field = string_member(&rd, obj, "timestamp_override",
					   &m->timestamp_field_span, true);
	m->tiebreaker_field = string_member(&rd, obj, "tiebreaker_field",
					    &m->tiebreaker_field_span, true);
	if ((v = json_get(obj, "timestamp_override_fallback_disabled")) &&
	    v->type != JSON_NULL) {
		m->ts_no_fallback_span = value_span(v);
		if (v->type == JSON_BOOL)
			m->ts_no_fallback = v->u.b;
		else
			wrong_type(&rd, v, "timestamp_override_fallback_disabled",
				   "a boolean");
	}
	if ((v = json_get(obj, "risk_score")) && v->type != JSON_NULL) {
		m->risk_span = value_span(v);
		if (v->type == JSON_NUMBER) {
			m->risk_score = v->u.num.d;
			m->risk_text = v->u.num.raw;
			m->has_risk_score = true;
		} else {
			wrong_type(&rd, v, "risk_score", "a number");
		}
	}
	m->index = string_list(&rd, "index", &m->nindex, &m->index_span,
			       true);
	read_threats(&rd, m);
	/* the others (the loader has judged "type" and "language") */
	m->type = string_member(&rd, obj, "type", &m->type_span, false);
	m->language = string_member(&rd, obj, "language", &m->language_span,
				    false);
	m->from = string_member(&rd, obj, "from", &m->from_span, false);
	m->interval = string_member(&rd, obj, "interval", &m->interval_span,
				    false);
	m->tags = string_list(&rd, "tags", &m->ntags, &m->tags_span, false);
	m->created = string_member(&rd, obj, "created_at", &m->created_span,
				   false);
	m->updated = string_member(&rd, obj, "updated_at", &m->updated_span,
				   false);
	m->maturity = string_member(&rd, obj, "maturity", &m->maturity_span,
				    false);
	read_lookback(m);
}

/* `integration`: one package name or a list of them (read quietly, as
 * "tags" is). */
static void
read_integrations(struct reader *rd, struct rule_meta *m)
{
	const struct json_value *v = json_get(rd->obj, "integration");

	if (v && v->type == JSON_STRING) {
		m->integration_span = value_span(v);
		m->integrations = ARENA_NEW(rd->arena, struct rule_str);
		if (m->integrations) {
			m->integrations[0] = list_item(v);
			m->nintegrations = 1;
		}
		return;
	}
	m->integrations = string_list(rd, "integration", &m->nintegrations,
				      &m->integration_span, false);
}

/* A string member of [metadata], when present: replaces *s and *sp. */
static void
meta_member(struct reader *rd, const char *key, const char **s,
	    struct span *sp)
{
	if (!json_get(rd->obj, key))
		return;
	*sp = span_make(0, 0);
	*s = string_member(rd, rd->obj, key, sp, true);
}

void
rule_meta_read_toml(struct rule_meta *m, struct arena *a,
		    struct diag_sink *diags, const struct rc_text *doc,
		    const struct json_value *file)
{
	const struct json_value *md = json_get(file, "metadata");
	struct reader rd = { a, diags, doc, md };

	m->toml = true;
	if (!md)
		return;
	if (md->type != JSON_OBJECT) {
		wrong_type(&rd, md, "metadata", "a table");
		return;
	}
	m->has_metadata = true;
	m->metadata_span = value_span(md);
	/* [metadata] is the place of these in a TOML file; what it has
	 * wins over members of the same meaning in [rule] */
	meta_member(&rd, "creation_date", &m->created, &m->created_span);
	meta_member(&rd, "updated_date", &m->updated, &m->updated_span);
	meta_member(&rd, "deprecation_date", &m->deprecated,
		    &m->deprecated_span);
	meta_member(&rd, "maturity", &m->maturity, &m->maturity_span);
	meta_member(&rd, "min_stack_version", &m->min_stack,
		    &m->min_stack_span);
	read_integrations(&rd, m);
}

/* --- the --dump-ir format ------------------------------------------------ */

static void
meta_str(struct strbuf *sb, const char *key, const char *val)
{
	if (!val)
		return;
	sb_printf(sb, "  %s \"", key);
	sb_eql_escape(sb, val, strlen(val));
	sb_puts(sb, "\"\n");
}

static void
threat_line(struct strbuf *sb, const struct rule_threat *t,
	    const struct rule_technique *te, const struct rule_str *sub)
{
	sb_printf(sb, "  threat %s %s %s\n",
		  t->tactic_id.s ? t->tactic_id.s : "-",
		  te && te->id.s ? te->id.s : "-",
		  sub && sub->s ? sub->s : "-");
}

/* One line per (tactic, technique, subtechnique). */
static void
dump_threats(const struct rule_meta *m, struct strbuf *sb)
{
	size_t i, j, k;

	for (i = 0; i < m->nthreats; i++) {
		const struct rule_threat *t = &m->threats[i];

		if (!t->ntechniques)
			threat_line(sb, t, NULL, NULL);
		for (j = 0; j < t->ntechniques; j++) {
			const struct rule_technique *te = &t->techniques[j];

			if (!te->nsubs)
				threat_line(sb, t, te, NULL);
			for (k = 0; k < te->nsubs; k++)
				threat_line(sb, t, te, &te->subs[k]);
		}
	}
}

void
rule_meta_dump(const struct rule_meta *m, struct strbuf *sb)
{
	size_t i;

	sb_puts(sb, "rule\n");
	meta_str(sb, "id", m->id);
	meta_str(sb, "name", m->name);
	meta_str(sb, "severity", m->severity);
	if (m->has_risk_score)
		sb_printf(sb, "  risk_score %g\n", m->risk_score);
	meta_str(sb, "category", m->category);
	meta_str(sb, "os", m->os);
	if (m->exclusion)
		sb_puts(sb, "  exclusion\n");
	for (i = 0; i < m->nmitre; i++)
		meta_str(sb, "mitre", m->mitre[i]);
	dump_threats(m, sb);
	for (i = 0; i < m->nindex; i++)
		meta_str(sb, "index", m->index[i].s);
	meta_str(sb, "category_field", m->category_field);
	meta_str(sb, "timestamp_field", m->timestamp_field);
	if (m->ts_no_fallback)
		sb_puts(sb, "  timestamp_fallback off\n");
	meta_str(sb, "tiebreaker_field", m->tiebreaker_field);
	meta_str(sb, "created", m->created);
	meta_str(sb, "updated", m->updated);
	meta_str(sb, "deprecated", m->deprecated);
	meta_str(sb, "maturity", m->maturity);
	meta_str(sb, "min_stack_version", m->min_stack);
	for (i = 0; i < m->nintegrations; i++)
		meta_str(sb, "integration", m->integrations[i].s);
	meta_str(sb, "malicious_target", m->malicious_target);
	for (i = 0; i < m->nactions; i++) {
		sb_printf(sb, "  action %s%s", m->actions[i].name,
			  m->actions[i].legacy ? " legacy" : "");
		if (m->actions[i].value)
			sb_printf(sb, " value=%s", m->actions[i].value);
		sb_putc(sb, '\n');
	}
}
