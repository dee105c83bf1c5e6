/*
 * limits.h - the limits of the bytecode image and the engine, checked on
 * the IR of a rule so that the linter refuses what `compile` or `run`
 * would refuse.
 *
 * Design note.  The image counts stages in 16 bits, a stage's join keys,
 * the pipes and a call's arguments in small fixed fields; the verifier
 * bounds the stack depth of a block; the matcher bounds the automaton of
 * one pattern list (RX_MAX_NFA_STATES, the union of the list) and the
 * linter bounds the cost of one wildcard pattern (RX_MAX_WILDCARD_COST).
 * Each excess is an error at the construct that exceeds it, and the rule
 * loses its IR (it is neither checked further nor compiled).  The numbers
 * are defined here, below the image, and vm/codegen.c asserts at compile
 * time that the image's own constants agree.  A pattern list is checked
 * by compiling it with the matcher itself, so the answer is the engine's.
 */
#ifndef RC_SEMA_LIMITS_H
#define RC_SEMA_LIMITS_H

#include <stddef.h>

#include "base/diag.h"
#include "sema/ir.h"

enum {
	IR_MAX_STAGES = 65535,  /* stages of a query, `runs` expanded, until
	                           counted */
	IR_MAX_KEYS = 64,       /* join keys of one stage */
	IR_MAX_PIPES = 64,      /* `| head` / `| tail` pipes */
	IR_MAX_ARGS = 255,      /* arguments of one function call */
	IR_MAX_STACK = 1024     /* stack slots of one block */
};

/* Reports every limit q exceeds (RC1030, RC1031) against text t; returns
 * the number of errors found, 0 when the rule fits. */
size_t ir_check_limits(const struct ir_query *q, struct diag_sink *sink,
		       const struct rc_text *t);

#endif
