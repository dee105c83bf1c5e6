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

enum conv_dir
conv_loss(struct conv *c, enum conv_dir atom, struct span sp,
	  const char *fmt, ...)
{
	enum conv_dir dir = polarise(atom, c->negs);
	enum diag_id id;
	struct diag *d;
	va_list ap;
	const char *why;

	if (dir == CONV_EXACT)
		return dir;
	va_start(ap, fmt);
	why = arena_vprintf(c->arena, fmt, ap);
	va_end(ap);
	if (!why)
		why = "(out of memory)";
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
	d = diag_new(c->diags, id, &c->rule->text, sp, "%s%s",
		     id == D_CONV_DROPPED ? "broader: dropped " : "", why);
	if (d && id == D_CONV_REFUSED)
		diag_help(c->diags, d, "--drop-unconvertible replaces it by "
			  "%s and converts the rule, broader",
			  conv_drop_constant(c) ? "true" : "false");
	diag_emit(c->diags, d);
	return id == D_CONV_DROPPED ? CONV_BROADER : dir;
}

/* Each line of the notes as a comment: prefix, the line, suffix. */
static void
put_notes(const struct conv *c, struct strbuf *out, const char *prefix,
	  const char *suffix)
{
	const char *p = c->notes.data, *end = p + c->notes.len;

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
