/*
 * prove.h - the relation a conversion claims between the original and
 * the converted rule's results (prove.c), shared with `rulec test
 * --convert-to` (test.c).
 */
#ifndef RC_DRIVER_PROVE_H
#define RC_DRIVER_PROVE_H

#include <stdbool.h>

#include "rulec.h"

#include "sema/ir.h"

/* The relation that the loss counts of a conversion of q claim: none,
 * equal; only broader (dropped ones count as broader), original within
 * converted; only narrower, the converse; anything else, or any loss in
 * a sequence, a sample or a query with pipes, no claim. */
enum rulec_relation proof_relation(const struct ir_query *q,
				   unsigned broader, unsigned narrower,
				   unsigned unrelated);

/* Whether a result of one side may be missing from the other under rel:
 * only_orig results present only in the original, only_conv only in the
 * converted rule. */
bool proof_holds(enum rulec_relation rel, unsigned long long only_orig,
		 unsigned long long only_conv);

#endif
