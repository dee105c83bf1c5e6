/*
 * metadata.c - the metadata family (RC7001-RC7014): required fields,
 * severity and risk ranges, MITRE ATT&CK ids, dates and maturity, ESET
 * targets and actions, and (check_duplicates) rule ids and names used
 * twice in one run.
 *
 * The checks read the rule's metadata record (sema/meta.h), which keeps
 * where each member is written, so a finding about an Elastic rule points
 * at the JSON member (or TOML key) it is about, and its help is written
 * in the rule's own syntax: `"name": "x"` in JSON, `name = "x"` in a
 * detection-rules TOML file, where [metadata] also holds the dates.  An ESET rule's findings point at the
 * element the record has a span of (the name, the severity, the
 * mitreattackid, the target, the actions), else at the <rule> element, or
 * at the start of the file when the rule has no IR.  Bare .eql files have
 * no metadata and are not checked.
 */
#include "check/toolbox.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "base/suggest.h"

/* Elastic's severities with their risk score bands and default scores. */
static const struct band {
	const char *name, *quoted;
	int lo, hi, dflt;
	const char *dflt_text;
} bands[] = {
	{ "low", "\"low\"", 0, 21, 21, "21" },
	{ "medium", "\"medium\"", 22, 47, 47, "47" },
	{ "high", "\"high\"", 48, 73, 73, "73" },
	{ "critical", "\"critical\"", 74, 100, 99, "99" },
};
enum { NBANDS = sizeof bands / sizeof bands[0] };

static const struct band *
band_named(const char *s)
{
	size_t i;

	for (i = 0; s && i < NBANDS; i++)
		if (strcmp(s, bands[i].name) == 0)
			return &bands[i];
	return NULL;
}

static const struct band *
band_of(double risk)
{
	size_t i;

	for (i = 0; i < NBANDS; i++)
		if (risk <= bands[i].hi)
			return &bands[i];
	return &bands[NBANDS - 1];
}

/* Is a member given (present and not null)? */
static bool
given(struct span s)
{
	return s.end > s.start;
}

/* Where to report about an ESET rule's description: its <rule> element
 * when the rule has IR, else the start of the file. */
static struct span
eset_anchor(const struct rc_rule *r)
{
	if (given(r->meta.span))
		return r->meta.span;
	return r->ir ? r->ir->span : span_make(0, 0);
}

/* s is `prefix` followed by exactly `digits` digits, from s[0] to end. */
static bool
digits_after(const char *s, const char *prefix, unsigned digits)
{
	size_t n = strlen(prefix);
	unsigned i;

	if (strncmp(s, prefix, n) != 0)
		return false;
	for (i = 0; i < digits; i++)
		if (!isdigit((unsigned char)s[n + i]))
			return false;
	return s[n + digits] == '\0';
}

static bool
is_tactic(const char *s)
{
	return digits_after(s, "TA", 4);
}

static bool
is_technique(const char *s)
{
	return digits_after(s, "T", 4);
}

static bool
is_subtechnique(const char *s)
{
	return strlen(s) == 9 && s[5] == '.' && isdigit((unsigned char)s[6]) &&
	       isdigit((unsigned char)s[7]) && isdigit((unsigned char)s[8]) &&
	       strncmp(s, "T", 1) == 0 && isdigit((unsigned char)s[1]) &&
	       isdigit((unsigned char)s[2]) && isdigit((unsigned char)s[3]) &&
	       isdigit((unsigned char)s[4]);
}

/* An upper-cased copy of s when that makes it valid, else NULL. */
static const char *
upper_fix(struct check_ctx *cc, const char *s, bool (*ok)(const char *))
{
	char *u = arena_strdup(cc->arena, s);
	size_t i;

	if (!u)
		return NULL;
	for (i = 0; u[i]; i++)
		u[i] = (char)toupper((unsigned char)u[i]);
	return ok(u) ? u : NULL;
}

/* --- Elastic ---------------------------------------------------------- */

/* Appends a member written in the rule's syntax: `"key": value` (JSON)
 * or `key = value` (TOML); the value as written. */
static void
put_kv(struct strbuf *sb, const struct rule_meta *m, const char *key,
       const char *value)
{
	if (m->toml)
		sb_printf(sb, "%s = %s", key, value);
	else
		sb_printf(sb, "\"%s\": %s", key, value);
}

static void
elastic_required(struct check_ctx *cc, const struct rc_rule *r,
		 const struct rc_text *t)
{
	static const char *const keys[] = { "rule_id", "name", "severity",
					    "risk_score" };
	const struct rule_meta *m = &r->meta;
	const struct span at[] = { m->id_span, m->name_span, m->severity_span,
				   m->risk_span };
	bool hunt = m->type && strcmp(m->type, "hunt") == 0;
	const struct band *b = band_named(m->severity);
	struct strbuf miss = STRBUF_INIT, add = STRBUF_INIT;
	size_t i, j, n = 0, nkeys = hunt ? 2 : 4, which[4];
	struct diag *d;

	for (i = 0; i < nkeys; i++)
		if (!given(at[i]))
			which[n++] = i;
	for (j = 0; j < n; j++) {
		i = which[j];
		if (j)
			sb_puts(&miss, j + 1 == n ? " or " : ", ");
		sb_printf(&miss, "'%s'", keys[i]);
		if (j)
			sb_puts(&add, ", ");
		if (i == 0)
			put_kv(&add, m, "rule_id", "\"<a new UUID>\"");
		else if (i == 1)
			put_kv(&add, m, "name", "\"<what the rule detects>\"");
		else if (i == 2)
			put_kv(&add, m, "severity",
			       m->has_risk_score && m->risk_score >= 0 &&
				       m->risk_score <= 100
			       ? band_of(m->risk_score)->quoted
			       : "\"medium\"");
		else
			put_kv(&add, m, "risk_score",
			       b ? b->dflt_text : "47");
	}
	if (n) {
		d = diag_new(cc->diags, D_MISSING_META, t,
			     span_make(m->span.start, m->span.start + 1),
			     "the rule has no %s", miss.data ? miss.data : "");
		diag_help(cc->diags, d, "add %s", add.data ? add.data : "");
		diag_emit(cc->diags, d);
	}
	sb_free(&miss);
	sb_free(&add);
}

static void
elastic_severity(struct check_ctx *cc, const struct rc_rule *r,
		 const struct rc_text *t)
{
	const struct rule_meta *m = &r->meta;
	const struct band *b = NULL, *rb;
	struct diag *d;
	size_t i;

	if (m->severity) {
		b = band_named(m->severity);
		if (!b) {
			struct suggest sg;

			suggest_init(&sg, m->severity, strlen(m->severity),
				     true);
			for (i = 0; i < NBANDS; i++)
				suggest_add(&sg, bands[i].name,
					    strlen(bands[i].name));
			d = diag_new(cc->diags, D_BAD_SEVERITY, t,
				     m->severity_span, "unknown severity '%s'",
				     m->severity);
			if (suggest_best(&sg))
				diag_help(cc->diags, d, "write \"%s\"",
					  suggest_best(&sg));
			else
				diag_help(cc->diags, d, "use \"low\", "
					  "\"medium\", \"high\" or "
					  "\"critical\"");
			diag_emit(cc->diags, d);
		}
	}
	if (!m->has_risk_score)
		return;
	if (m->risk_score < 0 || m->risk_score > 100) {
		d = diag_new(cc->diags, D_BAD_RISK, t, m->risk_span,
			     "risk_score %s is outside 0..100", m->risk_text);
		if (b)
			diag_help(cc->diags, d, "use a number from %d to %d "
				  "(Elastic uses %d for %s)", b->lo, b->hi,
				  b->dflt, b->name);
		else
			diag_help(cc->diags, d, "use a number from 0 to 100");
		diag_emit(cc->diags, d);
		return;
	}
	if (!b)
		return;
	rb = band_of(m->risk_score);
	if (rb == b)
		return;
	d = diag_new(cc->diags, D_SEVERITY_RISK, t, m->risk_span,
		     "risk_score %s is in the %s band (%d-%d), but the "
		     "severity is %s", m->risk_text, rb->name, rb->lo, rb->hi,
		     b->name);
	diag_note(cc->diags, d, t, m->severity_span, "%s is %d-%d", b->name,
		  b->lo, b->hi);
	diag_help(cc->diags, d, "set risk_score to %d (Elastic's score for "
		  "%s), or the severity to \"%s\"", b->dflt, b->name, rb->name);
	diag_emit(cc->diags, d);
}

static void
bad_mitre(struct check_ctx *cc, const struct rc_text *t, struct span sp,
	  const char *kind, const char *id, bool (*ok)(const char *),
	  const char *example, bool toml)
{
	const char *fix = upper_fix(cc, id, ok);
	struct diag *d;

	d = diag_new(cc->diags, D_BAD_MITRE, t, sp, "'%s' is not a MITRE "
		     "ATT&CK %s id", id, kind);
	if (fix)
		diag_help(cc->diags, d, "write '%s'", fix);
	else if (ok == is_technique && is_subtechnique(id))
		diag_help(cc->diags, d, "'%s' is a subtechnique: put it under "
			  "%s of technique '%.5s'", id, toml ?
			  "[[rule.threat.technique.subtechnique]]" :
			  "\"subtechnique\"", id);
	else
		diag_help(cc->diags, d, "%s ids look like %s", kind, example);
	diag_emit(cc->diags, d);
}

/* The Enterprise ATT&CK tactics: ids and names are stable facts. */
static const struct { const char *id, *name; } tactics[] = {
	{ "TA0043", "Reconnaissance" }, { "TA0042", "Resource Development" },
	{ "TA0001", "Initial Access" }, { "TA0002", "Execution" },
	{ "TA0003", "Persistence" }, { "TA0004", "Privilege Escalation" },
	{ "TA0005", "Defense Evasion" }, { "TA0006", "Credential Access" },
	{ "TA0007", "Discovery" }, { "TA0008", "Lateral Movement" },
	{ "TA0009", "Collection" }, { "TA0011", "Command and Control" },
	{ "TA0010", "Exfiltration" }, { "TA0040", "Impact" },
};

/* A well-formed tactic id must be one of the tactics, and the name given
 * with it must be that tactic's name. */
static void
tactic_agreement(struct check_ctx *cc, const struct rc_text *t,
		 const struct rule_str *id, const struct rule_str *name,
		 bool toml)
{
	size_t i;
	struct diag *d;

	for (i = 0; i < sizeof tactics / sizeof *tactics; i++)
		if (strcmp(id->s, tactics[i].id) == 0)
			break;
	if (i == sizeof tactics / sizeof *tactics) {
		d = diag_new(cc->diags, D_MITRE_AGREEMENT, t, id->span,
			     "'%s' is not an Enterprise ATT&CK tactic", id->s);
		diag_help(cc->diags, d, "tactic ids run TA0001-TA0011, "
			  "TA0040, TA0042 and TA0043");
		diag_emit(cc->diags, d);
		return;
	}
	if (name->s && strcmp(name->s, tactics[i].name) != 0) {
		d = diag_new(cc->diags, D_MITRE_AGREEMENT, t, name->span,
			     "tactic %s is '%s', not '%s'", tactics[i].id,
			     tactics[i].name, name->s);
		diag_note(cc->diags, d, t, id->span, "the tactic's id");
		diag_help(cc->diags, d, toml ? "write name = \"%s\" (or the "
			  "id of '%s')" : "write \"name\": \"%s\" (or the id "
			  "of '%s')", tactics[i].name, name->s);
		diag_emit(cc->diags, d);
	}
}

/* The subtechniques of technique te: well-formed, and under their own
 * technique (when te's id is well-formed, tok). */
static void
subtechniques(struct check_ctx *cc, const struct rc_text *t,
	      const struct rule_technique *te, bool tok)
{
	const struct rule_str *tid = &te->id;
	struct diag *d;
	size_t k;

	for (k = 0; k < te->nsubs; k++) {
		const struct rule_str *sid = &te->subs[k];

		if (!sid->s)
			continue;
		if (!is_subtechnique(sid->s)) {
			bad_mitre(cc, t, sid->span, "subtechnique", sid->s,
				  is_subtechnique, "T1059.001", false);
			continue;
		}
		if (!tok || strncmp(sid->s, tid->s, 5) == 0)
			continue;
		d = diag_new(cc->diags, D_MITRE_AGREEMENT, t, sid->span,
			     "subtechnique '%s' does not belong to technique "
			     "'%s'", sid->s, tid->s);
		diag_note(cc->diags, d, t, tid->span, "the technique");
		diag_help(cc->diags, d, "list '%s' under technique '%.5s', or "
			  "correct the id", sid->s, sid->s);
		diag_emit(cc->diags, d);
	}
}

/* threat: [{tactic: {id}, technique: [{id, subtechnique: [{id}]}]}] */
static void
elastic_mitre(struct check_ctx *cc, const struct rc_rule *r,
	      const struct rc_text *t)
{
	size_t i, j;

	for (i = 0; i < r->meta.nthreats; i++) {
		const struct rule_threat *th = &r->meta.threats[i];
		const struct rule_str *ta = &th->tactic_id;

		if (ta->s && !is_tactic(ta->s))
			bad_mitre(cc, t, ta->span, "tactic", ta->s, is_tactic,
				  "TA0002", false);
		else if (ta->s)
			tactic_agreement(cc, t, ta, &th->tactic_name,
					 r->meta.toml);
		for (j = 0; j < th->ntechniques; j++) {
			const struct rule_technique *te = &th->techniques[j];
			const struct rule_str *tid = &te->id;
			bool tok = tid->s && is_technique(tid->s);

			if (tid->s && !tok)
				bad_mitre(cc, t, tid->span, "technique",
					  tid->s, is_technique, "T1059",
					  r->meta.toml);
			subtechniques(cc, t, te, tok);
		}
	}
}

/* --- Elastic: dates and maturity --------------------------------------- */

/* A day number of y-mo-d (proleptic Gregorian, counted from an epoch of
 * no importance: only differences are used), or false when that is no
 * calendar date. */
static bool
civil_days(int64_t y, int mo, int d, int64_t *days)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
				     30, 31 };
	static const int before[] = { 0, 31, 59, 90, 120, 151, 181, 212, 243,
				      273, 304, 334 };
	bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;

	if (y < 1 || mo < 1 || mo > 12 || d < 1 ||
	    d > mdays[mo - 1] + (mo == 2 && leap))
		return false;
	/* whole years, their leap days, whole months, days */
	*days = 365 * (y - 1) + (y - 1) / 4 - (y - 1) / 100 + (y - 1) / 400 +
		before[mo - 1] + (mo > 2 && leap) + d - 1;
	return true;
}

/* The number of n digits at s, or -1. */
static int64_t
num(const char *s, int n)
{
	int64_t v = 0;
	int i;

	for (i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	return v;
}

/* s has the shape YYYY<sep>MM<sep>DD and nothing else (its date need
 * not exist). */
static bool
date_shape(const char *s, char sep)
{
	return strlen(s) == 10 && num(s, 4) >= 0 && s[4] == sep &&
	       num(s + 5, 2) >= 0 && s[7] == sep && num(s + 8, 2) >= 0;
}

/* A YYYY<sep>MM<sep>DD date of the calendar, in seconds. */
static bool
plain_date(const char *s, char sep, int64_t *secs)
{
	int64_t days;

	if (!date_shape(s, sep) ||
	    !civil_days(num(s, 4), (int)num(s + 5, 2), (int)num(s + 8, 2),
			&days))
		return false;
	*secs = days * 86400;
	return true;
}

/* An ISO 8601 date-time as Kibana writes created_at:
 * YYYY-MM-DDTHH:MM:SS, an optional fraction, then Z or +HH:MM / -HH:MM;
 * in seconds (UTC, on civil_days' scale). */
static bool
iso_date_time(const char *s, int64_t *secs)
{
	char day[11];
	int64_t h, mi, sec, t, oh, om;
	size_t i;

	if (strlen(s) < 20 || (s[10] != 'T' && s[10] != 't'))
		return false;
	memcpy(day, s, 10);
	day[10] = '\0';
	h = num(s + 11, 2);
	mi = num(s + 14, 2);
	sec = num(s + 17, 2);
	if (!plain_date(day, '-', &t) || s[13] != ':' || s[16] != ':' ||
	    h < 0 || h > 23 || mi < 0 || mi > 59 || sec < 0 || sec > 60)
		return false;
	t += h * 3600 + mi * 60 + sec;
	i = 19;
	if (s[i] == '.') {
		for (i++; isdigit((unsigned char)s[i]); i++)
			;
		if (i == 20)
			return false;
	}
	if ((s[i] == 'Z' || s[i] == 'z') && s[i + 1] == '\0') {
		*secs = t;
		return true;
	}
	if ((s[i] != '+' && s[i] != '-') || strlen(s + i) != 6 ||
	    s[i + 3] != ':' || (oh = num(s + i + 1, 2)) < 0 || oh > 23 ||
	    (om = num(s + i + 4, 2)) < 0 || om > 59)
		return false;
	*secs = t - (s[i] == '+' ? 1 : -1) * (oh * 3600 + om * 60);
	return true;
}

/* One date of the rule: its key as written, value and span. */
struct rdate {
	const char *key, *s;
	struct span span;
	bool ok;
	int64_t secs;
};

/* Reads a date in the rule's form, reporting RC7012 when it is not one. */
static void
read_date(struct check_ctx *cc, const struct rc_text *t,
	  const struct rule_meta *m, struct rdate *x)
{
	int64_t secs;
	struct diag *d;
	char fix[11];

	x->ok = false;
	if (!x->s)
		return;
	if (m->toml ? plain_date(x->s, '/', &x->secs) :
		      iso_date_time(x->s, &x->secs)) {
		x->ok = true;
		return;
	}
	if (m->toml && (date_shape(x->s, '/') || date_shape(x->s, '-')) &&
	    !plain_date(x->s, x->s[4], &secs)) {
		d = diag_new(cc->diags, D_BAD_DATE, t, x->span,
			     "%s '%s' is not a calendar date", x->key, x->s);
		diag_help(cc->diags, d, "correct the month or the day");
	} else if (m->toml) {
		d = diag_new(cc->diags, D_BAD_DATE, t, x->span,
			     "%s '%s' is not written YYYY/MM/DD", x->key,
			     x->s);
		if (date_shape(x->s, '-')) {
			memcpy(fix, x->s, 10);
			fix[4] = fix[7] = '/';
			fix[10] = '\0';
			diag_help(cc->diags, d, "write %s = \"%s\"", x->key,
				  fix);
		} else {
			diag_help(cc->diags, d, "write year, month and day "
				  "as detection-rules does, e.g. %s = "
				  "\"2024/05/31\"", x->key);
		}
	} else {
		d = diag_new(cc->diags, D_BAD_DATE, t, x->span,
			     "%s '%s' is not an ISO 8601 date and time",
			     x->key, x->s);
		diag_help(cc->diags, d, "write e.g. \"%s\": "
			  "\"2024-05-31T12:00:00.000Z\"", x->key);
	}
	diag_emit(cc->diags, d);
}

/* `later` must not come before `created`. */
static void
date_order(struct check_ctx *cc, const struct rc_text *t,
	   const struct rdate *created, const struct rdate *later)
{
	struct diag *d;

	if (!created->ok || !later->ok || later->secs >= created->secs)
		return;
	d = diag_new(cc->diags, D_DATE_ORDER, t, later->span,
		     "%s %s is before %s %s", later->key, later->s,
		     created->key, created->s);
	diag_note(cc->diags, d, t, created->span, "the rule was created here");
	diag_help(cc->diags, d, "correct whichever of the two dates is wrong");
	diag_emit(cc->diags, d);
}

static const char *const maturities[] = { "development", "experimental",
					  "beta", "production",
					  "deprecated" };

static void
bad_maturity(struct check_ctx *cc, const struct rc_text *t,
	     const struct rule_meta *m)
{
	struct suggest sg;
	struct diag *d;
	size_t i, n = sizeof maturities / sizeof *maturities;

	for (i = 0; i < n; i++)
		if (strcmp(m->maturity, maturities[i]) == 0)
			return;
	suggest_init(&sg, m->maturity, strlen(m->maturity), true);
	for (i = 0; i < n; i++)
		suggest_add(&sg, maturities[i], strlen(maturities[i]));
	d = diag_new(cc->diags, D_BAD_MATURITY, t, m->maturity_span,
		     "unknown maturity '%s'", m->maturity);
	if (suggest_best(&sg))
		diag_help(cc->diags, d, "write \"%s\"", suggest_best(&sg));
	else
		diag_help(cc->diags, d, "use \"development\", "
			  "\"experimental\", \"beta\", \"production\" or "
			  "\"deprecated\"");
	diag_emit(cc->diags, d);
}

/* What detection-rules requires of [metadata]: the table, its creation
 * and update dates, and a deprecation date on a deprecated rule. */
static void
toml_required(struct check_ctx *cc, const struct rc_text *t,
	      const struct rule_meta *m)
{
	struct span at = span_make(m->metadata_span.start,
				   m->metadata_span.start + 1);
	struct diag *d;

	if (!m->has_metadata) {
		d = diag_new(cc->diags, D_MISSING_META, t, span_make(0, 0),
			     "the rule file has no [metadata] table");
		diag_help(cc->diags, d, "add [metadata] with creation_date = "
			  "\"YYYY/MM/DD\", updated_date = \"YYYY/MM/DD\" "
			  "and maturity = \"production\"");
		diag_emit(cc->diags, d);
		return;
	}
	if (!given(m->created_span) || !given(m->updated_span)) {
		bool both = !given(m->created_span) && !given(m->updated_span);
		const char *k = !given(m->created_span) ? "creation_date" :
				"updated_date";

		d = diag_new(cc->diags, D_MISSING_META, t, at,
			     "[metadata] has no %s", both ?
			     "'creation_date' or 'updated_date'" :
			     !given(m->created_span) ? "'creation_date'" :
			     "'updated_date'");
		if (both)
			diag_help(cc->diags, d, "add creation_date = "
				  "\"YYYY/MM/DD\" and updated_date = "
				  "\"YYYY/MM/DD\"");
		else
			diag_help(cc->diags, d, "add %s = \"YYYY/MM/DD\"", k);
		diag_emit(cc->diags, d);
	}
	if (m->maturity && strcmp(m->maturity, "deprecated") == 0 &&
	    !given(m->deprecated_span)) {
		d = diag_new(cc->diags, D_MISSING_META, t, m->maturity_span,
			     "a deprecated rule has no 'deprecation_date'");
		diag_help(cc->diags, d, "add deprecation_date = "
			  "\"YYYY/MM/DD\" to [metadata]");
		diag_emit(cc->diags, d);
	}
}

/* The rule's dates and maturity: Kibana's created_at/updated_at, or a
 * TOML file's [metadata]. */
static void
elastic_life(struct check_ctx *cc, const struct rc_rule *r,
	     const struct rc_text *t)
{
	const struct rule_meta *m = &r->meta;
	struct rdate created = { m->toml ? "creation_date" : "created_at",
				 m->created, m->created_span, false, 0 };
	struct rdate updated = { m->toml ? "updated_date" : "updated_at",
				 m->updated, m->updated_span, false, 0 };
	struct rdate gone = { "deprecation_date", m->deprecated,
			      m->deprecated_span, false, 0 };

	if (m->toml)
		toml_required(cc, t, m);
	read_date(cc, t, m, &created);
	read_date(cc, t, m, &updated);
	read_date(cc, t, m, &gone);
	date_order(cc, t, &created, &updated);
	date_order(cc, t, &created, &gone);
	if (m->maturity)
		bad_maturity(cc, t, m);
}

/* --- ESET ------------------------------------------------------------- */

static void
eset_meta(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct rule_meta *m = &r->meta;
	const struct rc_text *t = &r->text;
	struct span at = eset_anchor(r);
	struct diag *d;
	size_t i;

	/* The structure check already requires <name> (and without IR we
	 * cannot tell whether the description was read at all), so what is
	 * left to find is a name that is empty. */
	if (!m->name && r->ir) {
		d = diag_new(cc->diags, D_MISSING_META, t,
			     m->name_span.end ? m->name_span : at,
			     "the rule's <name> is empty");
		diag_help(cc->diags, d, "write what the rule detects and its "
			  "id, e.g. <name>Encoded PowerShell "
			  "[A0001]</name>");
		diag_emit(cc->diags, d);
	}
	if (m->has_risk_score && (m->risk_score < 1 || m->risk_score > 100)) {
		d = diag_new(cc->diags, D_BAD_SEVERITY, t,
			     m->severity_span.end ? m->severity_span : at,
			     "severity %s is outside 1..100", m->severity);
		diag_help(cc->diags, d, "write <severity>%d</severity>",
			  m->risk_score < 1 ? 1 : 100);
		diag_emit(cc->diags, d);
	}
	for (i = 0; i < m->nmitre; i++) {
		const char *id = m->mitre[i], *fix;

		if (!id || is_technique(id) || is_subtechnique(id))
			continue;
		d = diag_new(cc->diags, D_BAD_MITRE, t,
			     m->mitre_span.end ? m->mitre_span : at, "'%s' in "
			     "<mitreattackid> is not a MITRE ATT&CK technique "
			     "id", id);
		if ((fix = upper_fix(cc, id, is_technique)) != NULL ||
		    (fix = upper_fix(cc, id, is_subtechnique)) != NULL)
			diag_help(cc->diags, d, "write '%s'", fix);
		else if (upper_fix(cc, id, is_tactic))
			diag_help(cc->diags, d, "<mitreattackid> lists "
				  "techniques: remove the tactic '%s'", id);
		else
			diag_help(cc->diags, d, "list technique ids such as "
				  "T1059 or T1059.001, separated by commas");
		diag_emit(cc->diags, d);
	}
	if (m->malicious_target && strcmp(m->malicious_target, "current") &&
	    strcmp(m->malicious_target, "module")) {
		d = diag_new(cc->diags, D_MALICIOUS_TARGET, t,
			     m->target_span.end ? m->target_span : at,
			     "unknown maliciousTarget '%s'",
			     m->malicious_target);
		if (strcasecmp(m->malicious_target, "current") == 0 ||
		    strcasecmp(m->malicious_target, "module") == 0)
			diag_help(cc->diags, d, "write name=\"%s\"",
				  tolower((unsigned char)
					  m->malicious_target[0]) == 'c'
				  ? "current" : "module");
		else
			diag_help(cc->diags, d, "use name=\"current\" (the "
				  "process) or name=\"module\"");
		diag_emit(cc->diags, d);
	}
	for (i = 0; i < m->nactions; i++) {
		const struct rule_action *a = &m->actions[i];

		if (r->ir && r->ir->kind == Q_SEQUENCE &&
		    strcasecmp(a->name, "ReportIncident") != 0) {
			d = diag_new(cc->diags, D_SEQUENCE_ACTION, t, a->span,
				     "a sequence rule cannot use action '%s'",
				     a->name);
			diag_help(cc->diags, d, "remove it; sequence rules "
				  "may only use <action name=\""
				  "ReportIncident\"/>");
			diag_emit(cc->diags, d);
		}
		if (m->has_risk_score && m->risk_score <= 22 &&
		    strcasecmp(a->name, "TriggerDetection") == 0) {
			d = diag_new(cc->diags, D_TELEMETRY_TRIGGER, t, a->span,
				     "TriggerDetection on a rule of severity "
				     "%s, which ESET treats as telemetry",
				     m->severity);
			diag_help(cc->diags, d, "raise the severity to 23 or "
				  "more, or remove TriggerDetection");
			diag_emit(cc->diags, d);
		}
	}
}

void
check_metadata(struct check_ctx *cc, const struct rc_rule *r)
{
	const struct rc_text *t = &r->meta.doc;

	if (r->lang == LANG_ESET_XML) {
		eset_meta(cc, r);
		return;
	}
	if (!r->meta.object)
		return;         /* a bare .eql file */
	elastic_required(cc, r, t);
	elastic_severity(cc, r, t);
	elastic_mitre(cc, r, t);
	elastic_life(cc, r, t);
}

/* --- duplicates across the run ---------------------------------------- */

struct key {
	const char *s;
	size_t len;
	size_t idx;     /* position in the run */
};

static int
key_cmp(const void *pa, const void *pb)
{
	const struct key *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int c = memcmp(a->s, b->s, n);

	if (c)
		return c;
	if (a->len != b->len)
		return a->len < b->len ? -1 : 1;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

/* Where a rule's id or name is written: the JSON member, or the <rule>
 * element of an ESET rule. */
static struct span
meta_span(const struct rc_rule *r, bool name)
{
	const struct rule_meta *m = &r->meta;
	struct span s = name ? m->name_span : m->id_span;

	if (m->object)
		return given(s) ? s : span_make(m->span.start,
						 m->span.start + 1);
	/* ESET ids come from the name */
	if (r->meta.name_span.end > r->meta.name_span.start)
		return r->meta.name_span;
	return eset_anchor(r);
}

static bool
same_key(const char *a, const char *b)
{
	return a && b && strcmp(a, b) == 0;
}

/* The rule's name without surrounding blanks. */
static void
trimmed(const char *s, const char **out, size_t *len)
{
	size_t n = strlen(s);

	while (n && isspace((unsigned char)*s))
		s++, n--;
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	*out = s;
	*len = n;
}

static void
report_dups(struct check_ctx *cc, struct rc_rule *const *rules, size_t n,
	    bool names)
{
	struct key *k = calloc(n ? n : 1, sizeof *k);
	size_t i, m = 0, first;

	if (!k) {
		cc->arena->oom = true;
		return;
	}
	for (i = 0; i < n; i++) {
		const char *s = names ? rules[i]->meta.name : rules[i]->meta.id;
		if (!s || (!rules[i]->meta.object && rules[i]->lang == LANG_EQL))
			continue;
		k[m].idx = i;
		if (names)
			trimmed(s, &k[m].s, &k[m].len);
		else {
			k[m].s = s;
			k[m].len = strlen(s);
		}
		if (k[m].len)
			m++;
	}
	qsort(k, m, sizeof *k, key_cmp);
	for (first = 0, i = 1; i <= m; i++) {
		const struct rc_rule *a, *b;
		struct diag *d;

		if (i < m && k[i].len == k[first].len &&
		    memcmp(k[i].s, k[first].s, k[i].len) == 0) {
			a = rules[k[first].idx];
			b = rules[k[i].idx];
			/* ESET ids come from the name: one finding */
			if (names && same_key(a->meta.id, b->meta.id))
				continue;
			cc->diags->rule = rule_diag_ident(b);
			d = diag_new(cc->diags,
				     names ? D_DUPLICATE_NAME : D_DUPLICATE_ID,
				     &b->meta.doc, meta_span(b, names),
				     "rule %s '%.*s' is already used by "
				     "another rule", names ? "name" : "id",
				     (int)k[i].len, k[i].s);
			diag_note(cc->diags, d, &a->meta.doc,
				  meta_span(a, names), "first used here");
			if (!names && same_key(a->meta.name, b->meta.name))
				diag_note(cc->diags, d, NULL, span_make(0, 0),
					  "the two rules also have the same "
					  "name: is one a copy of the "
					  "other?");
			diag_help(cc->diags, d, names
				  ? "give each rule a name that tells its "
				    "alerts apart"
				  : b->lang == LANG_ESET_XML
				  ? "give this rule its own id in the "
				    "[...] suffix of its name"
				  : "give this rule a new rule_id (a fresh "
				    "UUID)");
			diag_emit(cc->diags, d);
			memset(&cc->diags->rule, 0, sizeof cc->diags->rule);
			continue;
		}
		first = i;
	}
	free(k);
}

void
check_duplicates(struct check_ctx *cc, struct rc_rule *const *rules,
		 size_t n)
{
	report_dups(cc, rules, n, false);
	report_dups(cc, rules, n, true);
}
