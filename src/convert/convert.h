/*
 * convert.h - a rule printed in another form, every loss stated with the
 * direction in which it errs.
 *
 * Design note.  Conversion starts from the typed IR, where both languages
 * already meet (ESET properties carry their ECS names, every string
 * comparison says whether it is case-insensitive), and prints it in the
 * target language.  Each atom (a comparison, a match, a call, a holder,
 * the category of a stage, the keys and maxspan of a sequence) gets a
 * verdict:
 *   - exact: the printed atom matches the same events (nothing reported);
 *   - broader, narrower or unrelated: the printed atom matches a superset,
 *     a subset, or neither; reported with what changed;
 *   - refused: the target has no counterpart.
 * An atom's verdict is stated for the atom itself; conv_loss turns it into
 * the rule's direction with the atom's polarity (the number of NOTs that
 * enclose it: under an odd number, broader and narrower swap).  A refused
 * atom stops the rule unless `drop` (--drop-unconvertible) is set: then it
 * is replaced by the constant that can only widen the rule (true in
 * positive polarity, false in negative) and reported as broader.
 * Every loss is a diagnostic located in the source rule and one comment
 * line of the output (conv->notes), so the converted text says what it
 * lost without the diagnostics beside it.  Conversion never fixes a rule:
 * an always-true condition stays always true.
 *
 * The files: convert.c (this interface, the verdicts, dispatch),
 * to_eql.c (IR to an EQL query), to_eset.c (IR to an ESET <rule>),
 * forms.c (the metadata-carrying forms: Kibana rule objects, TOML files).
 */
#ifndef RC_CONVERT_H
#define RC_CONVERT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/strbuf.h"
#include "sema/eset.h"
#include "sema/ir.h"
#include "sema/rule.h"
#include "sema/schema.h"

/* The output forms of `rulec convert --to`. */
#define CONV_FORMS(F) \
	F(CONV_EQL, "eql") F(CONV_KIBANA, "kibana") F(CONV_TOML, "toml") \
	F(CONV_XML, "xml")

enum conv_form {
#define F(e, s) e,
	CONV_FORMS(F)
#undef F
	CONV__COUNT
};

const char *conv_form_name(enum conv_form f);
/* CONV__COUNT when name is no form. */
enum conv_form conv_form_lookup(const char *name);

/* A verdict, of an atom or of the rule. */
enum conv_dir {
	CONV_EXACT, CONV_BROADER, CONV_NARROWER, CONV_UNRELATED,
	CONV_REFUSED
};

const char *conv_dir_name(enum conv_dir d);

struct conv {
	/* set by the caller */
	struct arena *arena;            /* the output's scratch memory */
	struct diag_sink *diags;
	const struct rc_rule *rule;
	const struct eset_catalog *eset;
	const struct schema *schema;
	bool drop;                      /* --drop-unconvertible */
	/* while converting */
	const char *os;                 /* ESET <os> ("Windows") that the
	                                   query printer took from a
	                                   host.os.type test (meta.c) */
	unsigned negs;                  /* NOTs enclosing the current atom */
	/* the counts of losses by rule-level direction (refused: atoms that
	 * stop the rule; dropped: refused atoms replaced by a constant) */
	unsigned broader, narrower, unrelated, refused, dropped;
	/* one line per loss, "broader: ..." (no comment marker: each form
	 * writes them as its comments or note field) */
	struct strbuf notes;
	/* the losses reported so far (an atom that the converter meets
	 * twice, such as an ESET holder copied for each operation, is
	 * reported once) */
	struct conv_seen *seen;
};

/* Prepares c for r (the caller sets arena, diags, eset, schema, drop). */
void conv_init(struct conv *c, const struct rc_rule *r);
void conv_free(struct conv *c);

/* Records that the atom at sp (in the rule's text) changed as `atom`
 * says, for the reason fmt gives ("`==` is case-sensitive, ESET `is` is
 * not").  Reports the diagnostic of the rule-level direction, adds the
 * comment line, counts it, and returns the rule-level direction.  For
 * CONV_REFUSED with c->drop, the caller prints the widening constant
 * (conv_drop_constant) and the loss counts as broader ("broader: dropped
 * ..."); without drop the rule is refused. */
enum conv_dir conv_loss(struct conv *c, enum conv_dir atom, struct span sp,
			const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* conv_loss at sp of another text than the query (the rule object). */
enum conv_dir conv_loss_in(struct conv *c, enum conv_dir atom,
			   const struct rc_text *text, struct span sp,
			   const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/* The constant that replaces a dropped atom in the current polarity:
 * true when it is not negated, false under a NOT. */
static inline bool
conv_drop_constant(const struct conv *c)
{
	return c->negs % 2 == 0;
}

/* Whether the rule can be printed: nothing refused, or every refused
 * atom dropped. */
static inline bool
conv_ok(const struct conv *c)
{
	return c->refused == 0;
}

/* The rule's query as EQL text (no comments) into out: for a rule
 * written in EQL, the query as written; else printed from the IR
 * (to_eql.c). */
void conv_query_to_eql(struct conv *c, struct strbuf *out);
/* The query q printed from the IR as EQL, whatever the rule's language
 * (the print-parse test reads it back and compares the IR). */
void conv_ir_to_eql(struct conv *c, const struct ir_query *q,
		    struct strbuf *out);

/* The rule as an ESET Inspect <rule> document (XML declaration, the loss
 * comments, description from the metadata, definition). */
void conv_rule_to_eset(struct conv *c, struct strbuf *out);

/* The metadata-carrying forms around an EQL query (forms.c): one Kibana
 * rule object on one line (NDJSON), or a detection-rules TOML file; the
 * losses go into the note. */
void conv_form_kibana(struct conv *c, const char *query, struct strbuf *out);
void conv_form_toml(struct conv *c, const char *query, struct strbuf *out);

/* The rule in form `to`, with its losses as comments or a note field.
 * Returns false (out unchanged) when the rule is refused. */
bool conv_rule(struct conv *c, enum conv_form to, struct strbuf *out);

/* The loss comments, one `<!-- rulec: ... -->` line each (for to_eset.c;
 * a comment cannot hold "--": such text is written as "- -"). */
void conv_put_xml_notes(const struct conv *c, struct strbuf *out);

/* A file name for the rule in form `to`, for -o DIR (arena). */
const char *conv_file_name(struct conv *c, enum conv_form to);

#endif
