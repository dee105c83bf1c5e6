/*
 * schema.c - the schema family: fields that no loaded schema knows.
 *
 * EQL fields resolve against ECS (schemas/ecs.tsv), the non-ECS fields of
 * Elastic's own validation (schemas/elastic.tsv: Elastic Defend, per-index
 * non-ECS fields, beats, Endgame) and --schema files.  A rule whose index
 * patterns all reach data these describe (or that names no index) gets
 * every field checked.  A rule that also reaches other data (most
 * logs-<integration> indices: their package schemas are not shipped) gets
 * only the fields under ECS field sets checked: integrations add their own
 * fields under their own namespace and keep ECS names for ECS fields, so
 * `event.datset` is a typo on any index while `okta.x` cannot be verified.
 * An ECS field set is a first path segment whose first field came from
 * ecs.tsv; an unknown segment one edit from one (`sourc.ip`) counts when
 * the whole name is close to a field of that set.
 *
 * Never reported: optional fields (?f: the author said the field may be
 * absent); Elastic Defend's own extensions (a `.Ext.` segment, or a
 * capitalised root such as Effective_process or Persistence), which the
 * shipped data describes only in part; keys below an open object such as
 * `labels`.  ESET rules name components and properties, which the loader
 * has already checked.
 *
 * The fields of Kibana exception items (sema/except.h) are checked the
 * same way, once the items are bound to their rules (a run family): an
 * item is checked once, when some rule whose indices are covered uses
 * it, and each of its unknown fields is reported at the entry's field.
 */
#include <string.h>

#include "base/vec.h"
#include "check/toolbox.h"

/* Index patterns whose fields the shipped schemas describe. */
static const char *const covered[] = {
	"logs-endpoint.", "winlogbeat-", "auditbeat-", "filebeat-",
	"packetbeat-", "endgame-", "logs-windows.", "logs-system.",
	".alerts-security.",
};

static bool
index_covered(const char *ix)
{
	size_t i;

	for (i = 0; i < sizeof covered / sizeof *covered; i++)
		if (strncmp(ix, covered[i], strlen(covered[i])) == 0)
			return true;
	return false;
}

/* Elastic Defend extension fields, which the shipped data cannot verify. */
static bool
defend_extension(const char *name)
{
	return strstr(name, ".Ext.") || strncmp(name, "Ext.", 4) == 0 ||
	       (name[0] >= 'A' && name[0] <= 'Z');
}

/* Is the field under an ECS field set ("process.", "event.", ...), or a
 * misspelling of one ("sourc.ip"): a first path segment that ECS defines,
 * or an unknown one close to an ECS segment when the whole name is close
 * to a field of that segment.  A name without a dot is under no set. */
static bool
under_ecs_set(const struct schema *s, const char *name)
{
	size_t len = strlen(name);
	const char *o, *sugg;

	if (!strchr(name, '.'))
		return false;
	o = schema_root_origin(s, name, len);
	if (o)
		return strcmp(o, SCHEMA_ECS_ORIGIN) == 0;
	o = schema_near_root(s, name, len);
	if (!o || strcmp(o, SCHEMA_ECS_ORIGIN) != 0)
		return false;
	sugg = schema_suggest(s, name, len);
	return sugg && (o = schema_root_origin(s, sugg, strlen(sugg))) &&
	       strcmp(o, SCHEMA_ECS_ORIGIN) == 0;
}

struct unknown_walk {
	struct check_ctx *cc;
	const struct rc_rule *r;
	const struct exc_item *item;        /* NULL: the rule's query */
	bool ecs_only;              /* only fields under ECS field sets */
	const char *seen[64];       /* report each field once per rule */
	size_t nseen;
};

static void
visit(void *ud, const struct ir_expr *e)
{
	struct unknown_walk *w = ud;
	const struct ir_field *f;
	const char *sugg;
	struct diag *d;
	size_t i;

	if (e->kind != IR_FIELD)
		return;
	f = &e->u.f;
	if (f->def || f->optional || f->map != MAP_SAME ||
	    defend_extension(f->name) ||
	    schema_is_object_path(w->cc->schema, f->name, strlen(f->name)) ||
	    schema_in_open_object(w->cc->schema, f->name, strlen(f->name)) ||
	    (w->ecs_only && !under_ecs_set(w->cc->schema, f->name)))
		return;
	for (i = 0; i < w->nseen; i++)
		if (strcmp(w->seen[i], f->name) == 0)
			return;
	if (w->nseen < 64)
		w->seen[w->nseen++] = f->name;
	if (w->item)
		d = diag_new(w->cc->diags, D_UNKNOWN_FIELD, w->item->doc,
			     e->span, "unknown field '%s' in exception item "
			     "'%s'", f->name, w->item->item_id ?
			     w->item->item_id : "?");
	else
		d = diag_new(w->cc->diags, D_UNKNOWN_FIELD, &w->r->text,
			     e->span, "unknown field '%s'", f->name);
	sugg = schema_suggest(w->cc->schema, f->name, strlen(f->name));
	if (w->item && sugg)
		diag_help(w->cc->diags, d, "did you mean '%s'? (an entry on a "
			  "field that no event carries never matches)", sugg);
	else if (w->item)
		diag_help(w->cc->diags, d, "an entry on a field that no event "
			  "carries never matches; add the field with --schema "
			  "if your events have it");
	else if (sugg)
		diag_help(w->cc->diags, d, "did you mean '%s'? (or write "
			  "'?%s' if the field may be absent)", sugg, f->name);
	else
		diag_help(w->cc->diags, d, "write '?%s' if the field may be "
			  "absent from every index, or add it with --schema",
			  f->name);
	diag_emit(w->cc->diags, d);
}

static void
walk_stage(struct unknown_walk *w, const struct ir_stage *st)
{
	size_t i;

	check_walk(st->cond, visit, w);
	for (i = 0; i < st->nkeys; i++)
		check_walk(st->keys[i], visit, w);
}

/* Whether the shipped schemas describe every index the rule searches. */
static bool
rule_covered(const struct rc_rule *r)
{
	size_t i;

	for (i = 0; i < r->meta.nindex; i++)
		if (!index_covered(r->meta.index[i].s))
			return false;
	return true;
}

void
check_schema(struct check_ctx *cc, const struct rc_rule *r)
{
	struct unknown_walk w;
	size_t i;

	if (r->lang != LANG_EQL || !cc->schema)
		return;
	memset(&w, 0, sizeof w);
	w.cc = cc;
	w.r = r;
	w.ecs_only = !rule_covered(r);
	for (i = 0; i < r->ir->nstages; i++)
		walk_stage(&w, &r->ir->stages[i]);
	if (r->ir->until)
		walk_stage(&w, r->ir->until);
}

void
check_schema_exceptions(struct check_ctx *cc, struct rc_rule *const *rules,
			size_t n)
{
	VEC(const struct exc_item *) done = VEC_INIT;
	struct unknown_walk w;
	size_t i, j, k;

	if (!cc->schema)
		return;
	for (i = 0; i < n; i++) {
		const struct rc_rule *r = rules[i];

		if (r->lang != LANG_EQL || !r->ir || !rule_covered(r))
			continue;
		for (j = 0; j < r->exc.nitems; j++) {
			const struct exc_item *it = r->exc.items[j];

			for (k = 0; k < done.n && done.v[k] != it; k++)
				;
			if (k < done.n || !it->cond)
				continue;
			if (vec_push(&done, it) < 0)
				break;
			memset(&w, 0, sizeof w);
			w.cc = cc;
			w.r = r;
			w.item = it;
			check_walk(it->cond, visit, &w);
		}
	}
	vec_free(&done);
}
