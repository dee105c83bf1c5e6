/*
 * verify.c - the verifier of code blocks (see image.h), which the loader
 * runs on every block before it hands an image out.
 *
 * It proves what the interpreter relies on without checking: every opcode
 * and operand is valid (pool indices in range and of the right type,
 * known flags, function arities), jumps only go forward to the start of
 * an instruction of the same block, the stack never underflows and has
 * one depth at every join, no instruction is unreachable, and a block
 * ends with RET leaving exactly one value.
 */
#include "vm/image.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "sema/ir.h"

/* Writes the message into err (errlen bytes); returns -1. */
static int
vfail(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
vfail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Which pool entry types an opcode's index operand accepts. */
static bool
pool_type_ok(enum opcode op, unsigned t)
{
	switch (op) {
	case OPC_PUSH_FIELD: return t == POOL_FIELD;
	case OPC_PUSH_CONST:
		return t == POOL_STR || t == POOL_LONG || t == POOL_DOUBLE;
	case OPC_IN_SET: return t == POOL_SET;
	case OPC_MATCH: return t == POOL_PATTERNS;
	case OPC_CIDR: return t == POOL_CIDR;
	case OPC_ANCESTOR: return t == POOL_ANCESTOR;
	default: return false;
	}
}

static const char *const pool_type_names[POOL__END] = {
	[POOL_STR] = "string", [POOL_FIELD] = "field", [POOL_LONG] = "long",
	[POOL_DOUBLE] = "double", [POOL_SET] = "set", [POOL_CIDR] = "cidr",
	[POOL_PATTERNS] = "patterns", [POOL_ANCESTOR] = "ancestor",
};

/*
 * Verifies one block.  Pass 1 decodes every instruction from the start,
 * marking where instructions begin and checking opcodes and operands.
 * Pass 2 walks them in order with the stack depth: because jumps only go
 * forward, every predecessor of an instruction is seen before it, so one
 * pass settles the depth at every join (which must agree), and an
 * instruction no predecessor reaches is refused as dead code.
 */
int
img_verify_block(const struct image *im, const uint8_t *code, uint32_t len,
		 uint32_t anc_limit, uint16_t *maxdepth, char *err,
		 size_t errlen)
{
	struct arena a;
	int32_t *depth;
	uint8_t *start;
	uint32_t pc, next;
	int max = 0, rc = -1;

	if (len == 0)
		return vfail(err, errlen, "empty code block");
	arena_init(&a, NULL);
	depth = ARENA_NEWV(&a, int32_t, (size_t)len + 1);
	start = ARENA_NEWV(&a, uint8_t, (size_t)len + 1);
	if (!depth || !start) {
		vfail(err, errlen, "out of memory");
		goto done;
	}
	for (pc = 0; pc <= len; pc++)
		depth[pc] = -1;
	for (pc = 0; pc < len; pc = next) {
		unsigned op = code[pc];
		const struct opcode_info *oi;
		uint32_t idx;

		if (op >= OPC__COUNT) {
			vfail(err, errlen, "offset %u: opcode %u out of range",
			      pc, op);
			goto done;
		}
		oi = &opcode_table[op];
		if (img_fmt_size(oi->fmt) > len - pc - 1) {
			vfail(err, errlen, "offset %u: %s: operand runs past "
			      "the end of the block", pc, oi->name);
			goto done;
		}
		start[pc] = 1;
		next = pc + 1 + img_fmt_size(oi->fmt);
		switch (oi->fmt) {
		case FMT_U8:
			if (code[pc + 1] & ~IMG_CI) {
				vfail(err, errlen, "offset %u: %s: unknown "
				      "flags 0x%x", pc, oi->name, code[pc + 1]);
				goto done;
			}
			break;
		case FMT_U32: case FMT_IDXF:
			idx = img_rd32(code + pc + 1);
			if (idx >= im->npool) {
				vfail(err, errlen, "offset %u: %s: pool index "
				      "%u out of range (pool has %u entries)",
				      pc, oi->name, idx, im->npool);
				goto done;
			}
			if (!pool_type_ok(op, im->pool[idx].type)) {
				vfail(err, errlen, "offset %u: %s: pool entry "
				      "%u is a %s", pc, oi->name, idx,
				      pool_type_names[im->pool[idx].type]);
				goto done;
			}
			if (op == OPC_ANCESTOR && idx >= anc_limit) {
				vfail(err, errlen, "offset %u: ancestor: "
				      "descriptor %u may not be used here (only "
				      "those before %u)", pc, idx, anc_limit);
				goto done;
			}
			if (oi->fmt == FMT_IDXF &&
			    (code[pc + 5] & ~(IMG_CI | IMG_NEG))) {
				vfail(err, errlen, "offset %u: %s: unknown "
				      "flags 0x%x", pc, oi->name, code[pc + 5]);
				goto done;
			}
			break;
		case FMT_CALL: {
			unsigned fn = code[pc + 1], argc = code[pc + 2];

			if (fn >= FN__COUNT) {
				vfail(err, errlen, "offset %u: call: unknown "
				      "function %u", pc, fn);
				goto done;
			}
			if ((int)argc < fn_table[fn].min ||
			    (fn_table[fn].max >= 0 &&
			     (int)argc > fn_table[fn].max)) {
				vfail(err, errlen, "offset %u: call: %s does "
				      "not take %u arguments", pc,
				      fn_table[fn].name, argc);
				goto done;
			}
			if (code[pc + 3] & ~IMG_CI) {
				vfail(err, errlen, "offset %u: call: unknown "
				      "flags 0x%x", pc, code[pc + 3]);
				goto done;
			}
			break;
		}
		default:
			break;
		}
	}
	start[len] = 1;
	depth[0] = 0;
	for (pc = 0; pc < len; pc = next) {
		const struct opcode_info *oi = &opcode_table[code[pc]];
		int d = depth[pc], pops, after;
		int64_t target = -1;

		next = pc + 1 + img_fmt_size(oi->fmt);
		if (d < 0) {
			vfail(err, errlen, "offset %u: %s: unreachable "
			      "instruction", pc, oi->name);
			goto done;
		}
		pops = oi->pops < 0 ? code[pc + 2] : oi->pops;
		if (d < pops) {
			vfail(err, errlen, "offset %u: %s: stack underflow "
			      "(needs %d, has %d)", pc, oi->name, pops, d);
			goto done;
		}
		after = d - pops + oi->pushes;
		if (after > max)
			max = after;
		if (max > IMG_MAX_DEPTH) {
			vfail(err, errlen, "offset %u: stack deeper than %d",
			      pc, IMG_MAX_DEPTH);
			goto done;
		}
		if (oi->fmt == FMT_I32) {
			int32_t rel = (int32_t)img_rd32(code + pc + 1);

			target = (int64_t)next + rel;
			if (rel < 0 || target >= (int64_t)len ||
			    !start[target]) {
				vfail(err, errlen, "offset %u: %s: target %lld "
				      "is not a later instruction of the "
				      "block", pc, oi->name, (long long)target);
				goto done;
			}
		}
#define JOIN(at, dep) do {                                                   \
		if (depth[at] >= 0 && depth[at] != (dep)) {                  \
			vfail(err, errlen, "offset %u: stack depth %d here "  \
			      "but %d from offset %u", (unsigned)(at),        \
			      (int)depth[at], (int)(dep), pc);                \
			goto done;                                            \
		}                                                             \
		depth[at] = (dep);                                            \
	} while (0)
		switch (oi->flow) {
		case FLOW_NEXT:
			JOIN(next, after);
			break;
		case FLOW_JUMP:
			JOIN(target, d);
			break;
		case FLOW_BRANCH:
			JOIN(target, d);
			JOIN(next, after);
			break;
		case FLOW_END:
			if (d != 1) {
				vfail(err, errlen, "offset %u: ret with %d "
				      "values on the stack", pc, d);
				goto done;
			}
			break;
		}
#undef JOIN
	}
	if (depth[len] >= 0) {
		vfail(err, errlen, "offset %u: execution runs off the end of "
		      "the block", len);
		goto done;
	}
	*maxdepth = (uint16_t)max;
	rc = 0;
done:
	arena_release(&a);
	return rc;
}

/* Verifies block b of the code section, `what` naming it in messages. */
static int
verify_at(const struct image *im, struct img_block *b, uint32_t anc_limit,
	  const char *what, char *err, size_t errlen)
{
	char msg[200];

	if (b->off > im->codelen || b->len > im->codelen - b->off)
		return vfail(err, errlen, "%s: code block %u+%u outside the "
			     "code section (%u bytes)", what, b->off, b->len,
			     im->codelen);
	if (img_verify_block(im, im->code + b->off, b->len, anc_limit,
			     &b->maxdepth, msg, sizeof msg) < 0)
		return vfail(err, errlen, "%s: code at %u: %s", what, b->off,
			     msg);
	return 0;
}

/* Whether i names a pool string (or is IMG_NONE, when none_ok). */
static bool
str_ok(const struct image *im, uint32_t i, bool none_ok)
{
	if (i == IMG_NONE)
		return none_ok;
	return i < im->npool && im->pool[i].type == POOL_STR;
}

int
img_verify_image(struct image *im, char *err, size_t errlen)
{
	char what[96];
	uint32_t i, s, k;

	for (i = 0; i < im->npool; i++) {
		if (im->pool[i].type != POOL_ANCESTOR)
			continue;
		snprintf(what, sizeof what, "pool entry %u (ancestor)", i);
		if (verify_at(im, &im->pool[i].u.anc.code, i, what, err,
			      errlen) < 0)
			return -1;
	}
	for (i = 0; i < im->nrules; i++) {
		struct img_rule *r = &im->rules[i];

		if (!str_ok(im, r->id, true) || !str_ok(im, r->name, true) ||
		    !str_ok(im, r->file, true))
			return vfail(err, errlen, "rule %u: id, name or file is "
				     "not a pool string", i);
		if (!str_ok(im, r->catfield, true) ||
		    !str_ok(im, r->tsfield, true) ||
		    !str_ok(im, r->tbfield, true))
			return vfail(err, errlen, "rule %u: a field override is "
				     "not a pool string", i);
		if ((r->flags & RULE_TS_NO_FALLBACK) && r->tsfield == IMG_NONE)
			return vfail(err, errlen, "rule %u: no timestamp "
				     "fallback, but no timestamp override", i);
		for (s = 0; s < r->nstages; s++) {
			struct img_stage *st = &r->stages[s];

			if (!str_ok(im, st->category, true))
				return vfail(err, errlen, "rule %u stage %u: "
					     "category is not a pool string",
					     i, s);
			snprintf(what, sizeof what, "rule %u stage %u", i, s);
			if (verify_at(im, &st->code, im->npool, what, err,
				      errlen) < 0)
				return -1;
			for (k = 0; k < st->nkeys; k++) {
				snprintf(what, sizeof what,
					 "rule %u stage %u key %u", i, s, k);
				if (verify_at(im, &st->keys[k], im->npool,
					      what, err, errlen) < 0)
					return -1;
			}
		}
	}
	return 0;
}
