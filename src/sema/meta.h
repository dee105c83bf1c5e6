/*
 * meta.h - a rule's metadata record: every member of the rule's metadata
 * that the checks and the compiler use, each with where it is written.
 *
 * Design note.  The record is filled once, when the rule is loaded:
 * rule_meta_read_json reads an Elastic rule object (Kibana's rule JSON,
 * or the [rule] table of a detection-rules TOML file), rule_meta_read_toml
 * the [metadata] table of such a file, eset_lower_rule the <description>,
 * <maliciousTarget> and actions of an ESET rule.  Nothing later reads the JSON document or the XML again: the
 * metadata checks report at the spans kept here, and compilation takes the
 * look-back window from here.  Spans are byte spans in `doc`, the whole
 * file (for a JSON rule not the query, which is a string inside it); an
 * empty span means the member is absent or null.  A member of the wrong
 * type has its span but no value (reported for the members rulec has
 * always required a type of; "type", "from", "tags" and the like are read
 * quietly).  Strings live in the loader's arena.  A bare .eql file has an
 * empty record.
 */
#ifndef RC_META_H
#define RC_META_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/json.h"
#include "base/source.h"
#include "base/strbuf.h"

/* One string of a list, with its span. */
struct rule_str {
	const char *s;          /* NULL: not a string */
	struct span span;
};

/* A technique of a threat entry, with its subtechniques. */
struct rule_technique {
	struct rule_str id, name;
	struct rule_str *subs;  /* subtechnique ids */
	size_t nsubs;
};

/* One entry of `threat`: a tactic and the techniques listed under it. */
struct rule_threat {
	struct rule_str tactic_id, tactic_name;
	struct rule_technique *techniques;
	size_t ntechniques;
};

/* An ESET action. */
struct rule_action {
	const char *name;
	const char *value;      /* NULL if none */
	struct span span;
	bool legacy;            /* <action>Name</action> */
};

struct rule_meta {
	bool object;            /* read from a JSON rule object */
	struct rc_text doc;     /* the text the spans are in */
	struct span span;       /* the rule object, or the <rule> element */
	/* what the rule is: JSON rule_id (ESET: the [...] suffix of the name,
	 * else the guid), name, severity as written (ESET: 1..100) */
	const char *id, *name, *severity;
	struct span id_span, name_span, severity_span;
	double risk_score;      /* ESET: the severity */
	bool has_risk_score;
	const char *risk_text;  /* the number as written */
	struct span risk_span;
	const char *type, *language;    /* "eql", "hunt", ... */
	struct span type_span, language_span;
	/* when it runs: "from" (Kibana date math, "now-9m") and "interval";
	 * the look-back window derived from them, when the rule has one (a
	 * detection rule whose "from" is absent or "now-N<s|m|h|d>") */
	const char *from, *interval;
	struct span from_span, interval_span;
	bool has_lookback;
	int64_t lookback_ms;
	const char *lookback_text;      /* "now-9m" ("now-6m" by default) */
	/* where and how it searches */
	struct rule_str *index;
	size_t nindex;
	struct span index_span;
	const char *category_field;     /* event_category_override */
	const char *timestamp_field;    /* timestamp_override */
	const char *tiebreaker_field;
	struct span category_field_span, timestamp_field_span,
		tiebreaker_field_span;
	/* timestamp_override_fallback_disabled: an event without the
	 * override field does not take the run's timestamp field instead */
	bool ts_no_fallback;
	struct span ts_no_fallback_span;
	/* how it is filed */
	struct rule_str *tags;
	size_t ntags;
	struct span tags_span;
	/* its life, dates as written: Kibana's created_at and updated_at
	 * (ISO 8601), or in a TOML file [metadata] creation_date,
	 * updated_date and deprecation_date (detection-rules' YYYY/MM/DD);
	 * maturity ("production", "deprecated", ...: [metadata], or a
	 * "maturity" member of a rule object) */
	const char *created, *updated, *deprecated, *maturity;
	struct span created_span, updated_span, deprecated_span,
		maturity_span;
	/* a TOML rule file: its [metadata] table (has_metadata: present, at
	 * metadata_span), the Elastic stack version and integration
	 * packages the rule needs */
	bool toml, has_metadata;
	struct span metadata_span;
	const char *min_stack;
	struct span min_stack_span;
	struct rule_str *integrations;
	size_t nintegrations;
	struct span integration_span;
	struct rule_threat *threats;
	size_t nthreats;
	struct span threat_span;
	/* ESET description and rule parts */
	const char *category, *os, *guid, *explanation, *malicious_causes,
		*benign_causes, *recommended_actions;
	const char **mitre;     /* technique ids of mitreattackid */
	size_t nmitre;
	struct span mitre_span;
	struct rule_action *actions;
	size_t nactions;
	const char *malicious_target;
	struct span target_span;
	bool exclusion;         /* category Exclusion */
};

/* Fills m from an Elastic rule object (obj, in doc), reporting members of
 * the wrong type (RC9003) as it goes; strings stay in the JSON values,
 * lists go to arena a. */
void rule_meta_read_json(struct rule_meta *m, struct arena *a,
			 struct diag_sink *diags, const struct rc_text *doc,
			 const struct json_value *obj);

/* Fills the members of m that a detection-rules TOML file keeps outside
 * its [rule] table: `file` is the whole document, whose "metadata" table
 * gives creation_date, updated_date, deprecation_date, maturity,
 * min_stack_version and integration.  Dates and versions must be strings
 * (RC9003 otherwise; a TOML date written without quotes arrives as a
 * string holding its text); other keys are not read. */
void rule_meta_read_toml(struct rule_meta *m, struct arena *a,
			 struct diag_sink *diags, const struct rc_text *doc,
			 const struct json_value *file);

/* The metadata part of the --dump-ir format. */
void rule_meta_dump(const struct rule_meta *m, struct strbuf *sb);

#endif
