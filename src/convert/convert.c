/*
 * convert.c - verdicts and the dispatch of conversions (see convert.h).
 */
#include "convert/convert.h"

#include <stdarg.h>
#include <string.h>
#include <strings.h>

static const char *const form_names[CONV__COUNT] = {
#define F(e, s) s,
	CONV_FORMS(F)
#undef F
};

const char *
conv_form_name(enum conv_form f)
{
	return f < CONV__COUNT ? form_names[f] : "?";
}

enum conv_form
conv_form_lookup(const char *name)
{
	int f;

	for (f = 0; f < CONV__COUNT; f++)
		if (strcasecmp(name, form_names[f]) == 0)
			return (enum conv_form)f;
	return CONV__COUNT;
}

const char *
conv_dir_name(enum conv_dir d)
{
	static const char *const names[] = {
		"exact", "broader", "narrower", "unrelated", "refused"
	};

	return d <= CONV_REFUSED ? names[d] : "?";
}

void
conv_init(struct conv *c, const struct rc_rule *r)
{
	c->rule = r;
	c->negs = 0;
	c->os = NULL;
	c->broader = c->narrower = c->unrelated = 0;
	c->refused = c->dropped = 0;
	c->seen = NULL;
	c->notes = (struct strbuf)STRBUF_INIT;
}

void
conv_free(struct conv *c)
{
	sb_free(&c->notes);
}

/* The rule-level direction of an atom's change under `negs` NOTs. */
static enum conv_dir
polarise(enum conv_dir atom, unsigned negs)
{
	if (negs % 2 == 0)
		return atom;
	if (atom == CONV_BROADER)
		return CONV_NARROWER;
	if (atom == CONV_NARROWER)
		return CONV_BROADER;
	return atom;
}

struct conv_seen {
	struct conv_seen *next;
	const struct rc_text *text;
	struct span sp;
	enum conv_dir dir;
	const char *why;
};

/* Whether this loss was reported already; else remembers it. */
static bool
seen_before(struct conv *c, const struct rc_text *text, struct span sp,
	    enum conv_dir dir, const char *why)
{
	struct conv_seen *s;

	for (s = c->seen; s; s = s->next)
		if (s->text == text && s->sp.start == sp.start &&
		    s->sp.end == sp.end && s->dir == dir &&
		    strcmp(s->why, why) == 0)
			return true;
	s = ARENA_NEW(c->arena, struct conv_seen);
	if (s) {
		*s = (struct conv_seen){ c->seen, text, sp, dir, why };
		c->seen = s;
	}
	return false;
}

/* conv_loss with the text that sp is in (the query, or the rule
 * object for metadata). */
static enum conv_dir
vloss(struct conv *c, enum conv_dir atom, const struct rc_text *text,
      struct span sp, const char *fmt, va_list ap)
{
	enum conv_dir dir = polarise(atom, c->negs);
	enum diag_id id;
	struct diag *d;
	const char *why;

	if (dir == CONV_EXACT)
		return dir;
	why = arena_vprintf(c->arena, fmt, ap);
	if (!why)
		why = "(out of memory)";
	if (seen_before(c, text, sp, dir, why))
		return dir == CONV_REFUSED && c->drop ? CONV_BROADER : dir;
	switch (dir) {
	case CONV_BROADER:
		id = D_CONV_BROADER;
		c->broader++;
		break;
	case CONV_NARROWER:
		id = D_CONV_NARROWER;
		c->narrower++;
		break;
	case CONV_UNRELATED:
		id = D_CONV_UNRELATED;
		c->unrelated++;
		break;
	default:
		if (c->drop) {
			id = D_CONV_DROPPED;
			c->dropped++;
			c->broader++;
		} else {
			id = D_CONV_REFUSED;
			c->refused++;
		}
		break;
	}
	if (id == D_CONV_DROPPED)
		sb_printf(&c->notes, "broader: dropped %s\n", why);
	else
		sb_printf(&c->notes, "%s: %s\n", conv_dir_name(dir), why);
	d = diag_new(c->diags, id, text, sp, "%s%s",
		     id == D_CONV_DROPPED ? "broader: dropped " : "", why);
	if (d && id == D_CONV_REFUSED)
		diag_help(c->diags, d, "--drop-unconvertible replaces it by "
			  "%s and converts the rule, broader",
			  conv_drop_constant(c) ? "true" : "false");
	diag_emit(c->diags, d);
	return id == D_CONV_DROPPED ? CONV_BROADER : dir;
}

enum conv_dir
conv_loss(struct conv *c, enum conv_dir atom, struct span sp,
	  const char *fmt, ...)
{
	enum conv_dir dir;
	va_list ap;

	va_start(ap, fmt);
	dir = vloss(c, atom, &c->rule->text, sp, fmt, ap);
	va_end(ap);
	return dir;
}

enum conv_dir
conv_loss_in(struct conv *c, enum conv_dir atom, const struct rc_text *text,
	     struct span sp, const char *fmt, ...)
{
	enum conv_dir dir;
	va_list ap;

	va_start(ap, fmt);
	dir = vloss(c, atom, text, sp, fmt, ap);
	va_end(ap);
	return dir;
}

/* A loss located in the rule object (its metadata), or in the query when
 * the rule has no object. */
static void
meta_loss(struct conv *c, enum conv_dir atom, struct span sp,
	  const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void
meta_loss(struct conv *c, enum conv_dir atom, struct span sp,
	  const char *fmt, ...)
{
	const struct rule_meta *m = &c->rule->meta;
	va_list ap;

	va_start(ap, fmt);
	if (m->doc.data)
		vloss(c, atom, &m->doc, sp, fmt, ap);
	else
		vloss(c, atom, &c->rule->text, c->rule->ir->span, fmt, ap);
	va_end(ap);
}

static void
exc_loss(struct conv *c, const struct rc_text *doc, struct span sp,
	 size_t n)
{
	conv_loss_in(c, CONV_BROADER, doc, sp, "the rule's Kibana exception "
		     "list%s (%zu) %s not carried: the events they except "
		     "match", n == 1 ? "" : "s", n, n == 1 ? "is" : "are");
}

/*
 * What a rule object says about how its query is run, lost in a form that
 * is the query alone (eql) or an ESET rule (xml): the field its event
 * categories are read from, the field that orders its sequences, the
 * look-back window that bounds a sequence without maxspan, its Kibana
 * exception lists.  The Kibana and TOML forms carry them.
 */
static void
context_losses(struct conv *c, enum conv_form to)
{
	const struct rule_meta *m = &c->rule->meta;
	const struct ir_query *q = c->rule->ir;
	const char *form = to == CONV_EQL ? "the bare query" : "an ESET rule";
	bool timed = q->kind != Q_EVENT;

	c->negs = 0;
	if (m->category_field && strcmp(m->category_field, "event.category"))
		meta_loss(c, CONV_UNRELATED, m->category_field_span,
			  "the rule reads event categories from `%s` "
			  "(event_category_override); %s reads them from "
			  "event.category", m->category_field, form);
	if (timed && m->timestamp_field &&
	    strcmp(m->timestamp_field, "@timestamp"))
		meta_loss(c, CONV_UNRELATED, m->timestamp_field_span,
			  "the rule orders and spans its events by `%s` "
			  "(timestamp_override); %s by @timestamp",
			  m->timestamp_field, form);
	if (timed && m->tiebreaker_field)
		meta_loss(c, CONV_UNRELATED, m->tiebreaker_field_span,
			  "the rule orders events of equal time by `%s` "
			  "(tiebreaker_field); %s by their order of arrival",
			  m->tiebreaker_field, form);
	if (q->kind == Q_SEQUENCE && q->maxspan_ms < 0 && m->has_lookback)
		meta_loss(c, CONV_BROADER, m->from_span,
			  "the sequence has no maxspan: Kibana bounds it by "
			  "the rule's look-back window (%s), which %s does "
			  "not carry", m->lookback_text ? m->lookback_text
							: "now-6m", form);
	if (c->rule->exc.nrefs && c->rule->exc.doc)
		exc_loss(c, c->rule->exc.doc, c->rule->exc.refs[0].span,
			 c->rule->exc.nrefs);
}

/* Each line of the notes as a comment: prefix, the line, suffix. */
static void
put_notes(const struct conv *c, struct strbuf *out, const char *prefix,
	  const char *suffix)
{
	const char *p = c->notes.data, *end;

	if (!p)         /* no notes: the buffer was never allocated */
		return;
	end = p + c->notes.len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

		sb_puts(out, prefix);
		sb_put(out, p, n);
		sb_puts(out, suffix);
		p += n + (nl != NULL);
	}
}

bool
conv_rule(struct conv *c, enum conv_form to, struct strbuf *out)
{
	struct strbuf body = STRBUF_INIT;

	/* first, so that the body's comments (XML) hold them too */
	if (c->rule->lang == LANG_EQL && (to == CONV_EQL || to == CONV_XML))
		context_losses(c, to);
	if (to == CONV_XML)
		conv_rule_to_eset(c, &body);
	else
		conv_query_to_eql(c, &body);
	if (!conv_ok(c)) {
		sb_free(&body);
		return false;
	}
	switch (to) {
	case CONV_EQL:
		put_notes(c, out, "// rulec: ", "\n");
		sb_put(out, body.data, body.len);
		sb_putc(out, '\n');
		break;
	case CONV_XML:          /* the comments follow the declaration */
		sb_put(out, body.data, body.len);
		break;
	case CONV_KIBANA:
		conv_form_kibana(c, body.data ? body.data : "", out);
		break;
	case CONV_TOML:
		conv_form_toml(c, body.data ? body.data : "", out);
		break;
	default:
		break;
	}
	sb_free(&body);
	return true;
}

/* Writes the loss comments of an XML document (to_eset.c calls it after
 * the declaration). */
void
conv_put_xml_notes(const struct conv *c, struct strbuf *out)
{
	struct strbuf raw = STRBUF_INIT;
	size_t i;

	put_notes(c, &raw, "", "\n");
	for (i = 0; i < raw.len; i++) {
		if (i == 0 || raw.data[i - 1] == '\n')
			sb_puts(out, "<!-- rulec: ");
		if (raw.data[i] == '\n') {
			sb_puts(out, " -->\n");
			continue;
		}
		sb_putc(out, raw.data[i]);
		if (raw.data[i] == '-' && i + 1 < raw.len && raw.data[i + 1] == '-')
			sb_putc(out, ' ');      /* "--" cannot be in a comment */
	}
	sb_free(&raw);
}
