/*
 * xmlmodel.h - the model of schemas/eset-rule.rng that the structure check
 * explains libxml2's verdict with; private to xmlmodel.c, which reads it
 * from the schema, and xmlcheck.c, which checks documents against it.
 *
 * Design note.  Per element of the schema: its attributes (each with
 * whether it is required and what values it takes: a datatype, a list of
 * values, or anything) and its child elements in groups with a minimum
 * and a maximum count, each group possibly one branch of a choice.  The
 * model follows <element>, <attribute>, <optional>, <zeroOrMore>,
 * <oneOrMore>, <group>, <interleave>, <mixed>, <choice>, <ref> into the
 * grammar's <define>s, <text>, <data>, <value> and <list>; what it does
 * not follow marks the element's attributes or content as open, and open
 * parts are not checked, so the model is never stricter than the schema.
 * Elements reached again through a recursive <ref> share one model.
 * Everything lives in the schema's arena: the arrays grow there
 * (vec_push_in) and go with it.
 */
#ifndef RC_XMLMODEL_H
#define RC_XMLMODEL_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include <libxml/relaxng.h>

#include "base/arena.h"
#include "base/vec.h"
#include "front/xmlcheck.h"

#define UNBOUNDED UINT_MAX  /* no maximum count */

enum { MAX_DEPTH = 512 };   /* recursion guard of the model and the check */

enum attr_kind { AK_ANY, AK_TYPE, AK_VALUES };

/* An attribute an element may carry. */
struct m_attr {
	const char *name;
	bool required;
	enum attr_kind kind;
	const char *type;     /* AK_TYPE: an XML Schema datatype */
	const char **values;  /* AK_VALUES: collapsed unless exact */
	size_t nvalues;
	bool exact;           /* values compared as written (type string) */
};

struct m_elem;

/* Child elements counted together: between min and max of them in all.
 * `branch` >= 0: the group belongs to that alternative of a choice, and
 * children of two alternatives may not be mixed.  `shared`: one of its
 * names is also in another group, so the counts are not checked. */
struct m_group {
	struct m_elem **elems;
	size_t n;
	unsigned min, max;
	int branch;
	bool shared;
};

/* One <element> of the schema: its attributes and child groups.  `open`
 * parts use schema constructs the model does not follow; they are not
 * checked. */
struct m_elem {
	const char *name;     /* local name; "" any name; NULL the document */
	const xmlNode *def;   /* the schema's <element>, while building */
	VEC(struct m_attr) attrs;
	VEC(struct m_group) groups;
	int nbranches;
	bool text, open_attrs, open_content;
	struct m_elem *next;  /* every element of the model */
};

struct xml_schema {
	xmlRelaxNGPtr rng;
	struct arena arena;   /* the model */
	struct m_elem *doc;   /* what may be the root element */
	struct m_elem *elems; /* every element of the model */
};

#endif
