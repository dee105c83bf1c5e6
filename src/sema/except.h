/*
 * except.h - Kibana exception lists: reading exception_list and
 * exception_list_item objects, lowering each item to IR, and a rule's
 * references to lists (`exceptions_list`).
 *
 * Design note.  A Kibana export can carry, beside its rules, the
 * exception lists they reference and the lists' items.  Kibana applies a
 * rule's exceptions as a query filter on the search (for an EQL rule the
 * `filter` of the EQL request: a bool must_not of the items), so an event
 * that an item matches is never seen by the query, in any stage of a
 * sequence, `until` and missing-event stages included.  rulec does the
 * same without a new instruction: each item becomes one IR condition that
 * is true on the events it excepts (entries of an item AND'ed, `excluded`
 * entries negated, `os_types` as Kibana's host.os.type /
 * host.os.name.caseless test), and exc_apply ANDs `not (item1 or item2
 * ...)` into every stage condition of a copy of the rule's query just
 * before it is compiled.  The rule's own IR is never changed, so the
 * checks, the IR dump and rulec test's explanations see the query as
 * written.
 *
 * Lists and items live in a set (struct exc_set) that the loader fills
 * from every file it reads; a rule keeps its references (struct exc_ref)
 * and exc_bind finds their items whenever asked, so a list may come in a
 * later file than the rule.  Everything lives in the arena given.  Items
 * with errors keep a NULL condition: the rules that use them do not run
 * (their references say why).  docs/exceptions.md is the user's view.
 */
#ifndef RC_EXCEPT_H
#define RC_EXCEPT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/arena.h"
#include "base/diag.h"
#include "base/json.h"
#include "base/source.h"
#include "base/strbuf.h"
#include "sema/ir.h"
#include "sema/schema.h"

/* An exception_list object. */
struct exc_list {
	const char *list_id, *namespace_type, *name;
	const struct rc_text *doc;
	struct span span;
};

/* An exception_list_item object. */
struct exc_item {
	const char *item_id, *list_id, *namespace_type, *name;
	const struct rc_text *doc;
	struct span span;
	struct ir_expr *cond;   /* true on the events it excepts; NULL when
	                           the item has errors (reported) */
};

/* Every list and item read so far. */
struct exc_set {
	struct { struct exc_list **v; size_t n, cap; } lists;
	struct { struct exc_item **v; size_t n, cap; } items;
};

/* One entry of a rule's `exceptions_list`. */
struct exc_ref {
	const char *list_id, *namespace_type;
	struct span span;       /* the entry object */
};

/* A rule's references and, after exc_bind, the items they bring. */
struct rule_exc {
	const struct rc_text *doc;
	struct exc_ref *refs;
	size_t nrefs;
	const struct exc_item **items;  /* in the order the lists are named,
	                                   then as read */
	size_t nitems;
	bool bad;               /* an item has errors, or a list is missing:
	                           set by exc_bind */
};

struct exc_reader {
	struct arena *arena;
	struct diag_sink *diags;
	const struct schema *schema;
	const struct rc_text *doc;
};

enum exc_kind { EXC_NONE, EXC_LIST, EXC_ITEM };

/* Whether a JSON object of an export is an exception list (list_id and
 * no item_id), an item (list_id and item_id) or neither.  Rules have no
 * list_id. */
enum exc_kind exc_kind_of(const struct json_value *obj);

/* Reads an exception_list object into the set; malformed members are
 * reported (RC9201).  false when out of memory. */
bool exc_read_list(struct exc_reader *rd, struct exc_set *set,
		   const struct json_value *obj);
/* Reads an exception_list_item object into the set, lowering its entries
 * against the schema; problems are located errors (RC9201, a value list
 * entry RC9202) and leave the item without a condition.  false when out
 * of memory. */
bool exc_read_item(struct exc_reader *rd, struct exc_set *set,
		   const struct json_value *obj);
/* Reads a rule object's `exceptions_list` into *re (malformed entries
 * are reported and left out).  false when out of memory. */
bool exc_read_refs(struct exc_reader *rd, struct rule_exc *re,
		   const struct json_value *rule);

/* Gathers the items of the lists that re names, from the set as it is
 * now.  With `diags`, reports each reference that names no list or item
 * of the set (RC9203, a warning: the rule runs without it) and each list
 * whose items have errors (RC9201, and the rule is marked bad).  false
 * when out of memory. */
bool exc_bind(struct rule_exc *re, const struct exc_set *set,
	      struct arena *a, struct diag_sink *diags, const char *rule);

/* A copy of q whose every stage condition (until and missing stages
 * too) is `cond and not (item1 or ...)`, in arena a; q itself when re
 * brings no item; NULL when out of memory. */
struct ir_query *exc_apply(const struct ir_query *q, const struct rule_exc *re,
			   struct arena *a);

/* The exceptions part of the --dump-ir format. */
void exc_dump(const struct rule_exc *re, struct strbuf *sb);

#endif
