/*
 * disasm.c - readable listings of a loaded (hence verified) image, and the
 * opcode reference page; both take names and meanings from opcodes.def.
 */
#include "vm/image.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "sema/ir.h"


static void
put_str(struct strbuf *out, const struct img_str *s)
{
	sb_putc(out, '"');
	sb_eql_escape(out, s->s, s->len);
	sb_putc(out, '"');
}

static void
put_value(struct strbuf *out, const struct img_value *v)
{
	switch (v->kind) {
	case IV_NULL: sb_puts(out, "null"); break;
	case IV_BOOL: sb_puts(out, v->u.b ? "true" : "false"); break;
	case IV_LONG: sb_printf(out, "%" PRId64, v->u.i); break;
	case IV_DOUBLE: sb_printf(out, "%.17g", v->u.d); break;
	case IV_STR: put_str(out, &v->u.s); break;
	default: sb_printf(out, "?%u", v->kind); break;
	}
}

static void
put_cidr(struct strbuf *out, const struct img_cidr *c)
{
	char buf[64];

	if (!inet_ntop(c->family == 4 ? AF_INET : AF_INET6, c->addr, buf,
		       sizeof buf))
		snprintf(buf, sizeof buf, "?");
	sb_printf(out, "%s/%u", buf, c->prefix);
}

/* One line describing pool entry i (without its index). */
static void
put_entry(struct strbuf *out, const struct image *im, uint32_t i)
{
	const struct img_pool_entry *e = &im->pool[i];
	uint32_t k;

	switch (e->type) {
	case POOL_STR:
		sb_puts(out, "string ");
		put_str(out, &e->u.str);
		break;
	case POOL_FIELD:
		sb_printf(out, "field %s", e->u.field.path.s);
		if (e->u.field.flags & FIELD_ARRAY)
			sb_puts(out, " array");
		if (e->u.field.flags & FIELD_OPTIONAL)
			sb_puts(out, " optional");
		if (e->u.field.transform)
			sb_printf(out, " transform=%s",
				  ir_transform_name(e->u.field.transform));
		if (e->u.field.ipfam)
			sb_printf(out, " ipv%u", e->u.field.ipfam);
		if (e->u.field.vtype != VT_UNKNOWN)
			sb_printf(out, " %s", vtype_name(e->u.field.vtype));
		break;
	case POOL_LONG:
		sb_printf(out, "long %" PRId64, e->u.i);
		break;
	case POOL_DOUBLE:
		sb_printf(out, "double %.17g", e->u.d);
		break;
	case POOL_SET:
		sb_puts(out, "set [");
		for (k = 0; k < e->u.set.n; k++) {
			if (k)
				sb_puts(out, ", ");
			put_value(out, &e->u.set.v[k]);
		}
		sb_putc(out, ']');
		break;
	case POOL_CIDR:
		sb_puts(out, "cidr [");
		for (k = 0; k < e->u.cidr.n; k++) {
			if (k)
				sb_puts(out, ", ");
			put_cidr(out, &e->u.cidr.v[k]);
		}
		sb_putc(out, ']');
		break;
	case POOL_PATTERNS:
		sb_printf(out, "patterns %s%s [",
			  e->u.pat.mode ? "regex" : "wildcard",
			  e->u.pat.ci ? " ci" : "");
		for (k = 0; k < e->u.pat.n; k++) {
			if (k)
				sb_puts(out, ", ");
			put_str(out, &e->u.pat.v[k]);
		}
		sb_putc(out, ']');
		break;
	case POOL_ANCESTOR:
		sb_printf(out, "ancestor distance %u skip %u%s",
			  e->u.anc.distance, e->u.anc.skip,
			  e->u.anc.unique ? " unique" : "");
		break;
	default:
		sb_printf(out, "? type %u", e->type);
		break;
	}
}

static void
put_flags(struct strbuf *out, unsigned f)
{
	if (f & IMG_CI)
		sb_puts(out, " ci");
	if (f & IMG_NEG)
		sb_puts(out, " neg");
}

/* Lists one code block; offsets are relative to the block, and the block
 * is trusted to have been verified (img_load does that). */
static void
dis_block(const struct image *im, const struct img_block *b,
	  struct strbuf *out, const char *indent)
{
	const uint8_t *code = im->code + b->off;
	uint32_t pc = 0;

	while (pc < b->len && code[pc] < OPC__COUNT) {
		const struct opcode_info *oi = &opcode_table[code[pc]];
		size_t mark;
		uint32_t idx = 0;
		bool ref = false;

		sb_puts(out, indent);
		mark = out->len;
		sb_printf(out, "%04u  %s", pc, oi->name);
		switch (oi->fmt) {
		case FMT_NONE: break;
		case FMT_U8: put_flags(out, code[pc + 1]); break;
		case FMT_U32:
		case FMT_IDXF:
			idx = img_rd32(code + pc + 1);
			ref = idx < im->npool;
			sb_printf(out, " #%u", idx);
			if (oi->fmt == FMT_IDXF)
				put_flags(out, code[pc + 5]);
			break;
		case FMT_CALL:
			sb_printf(out, " %s/%u",
				  code[pc + 1] < FN__COUNT ?
				  fn_table[code[pc + 1]].name : "?",
				  code[pc + 2]);
			put_flags(out, code[pc + 3]);
			break;
		case FMT_I32:
			sb_printf(out, " -> %04" PRId64,
				  (int64_t)pc + 5 +
				  (int32_t)img_rd32(code + pc + 1));
			break;
		}
		if (ref) {
			if (out->len - mark < 32)
				sb_fill(out, ' ', 32 - (out->len - mark));
			sb_puts(out, " ; ");
			put_entry(out, im, idx);
		}
		sb_putc(out, '\n');
		pc += 1 + img_fmt_size(oi->fmt);
	}
}

static void
put_name(struct strbuf *out, const struct image *im, const char *what,
	 uint32_t i)
{
	if (i == IMG_NONE || i >= im->npool || im->pool[i].type != POOL_STR)
		return;
	sb_printf(out, " %s ", what);
	put_str(out, &im->pool[i].u.str);
}

void
img_disasm(const struct image *im, struct strbuf *out)
{
	uint32_t i, s, k;

	sb_printf(out, "image version %u: %u pool entries, %u rules, %u bytes "
		  "of code\n", im->version, im->npool, im->nrules, im->codelen);
	for (i = 0; i < im->npool; i++) {
		sb_printf(out, "  #%-4u ", i);
		put_entry(out, im, i);
		sb_putc(out, '\n');
		if (im->pool[i].type == POOL_ANCESTOR) {
			sb_printf(out, "        code @%u+%u, depth %u\n",
				  im->pool[i].u.anc.code.off,
				  im->pool[i].u.anc.code.len,
				  im->pool[i].u.anc.code.maxdepth);
			dis_block(im, &im->pool[i].u.anc.code, out,
				  "          ");
		}
	}
	for (i = 0; i < im->nrules; i++) {
		const struct img_rule *r = &im->rules[i];

		sb_printf(out, "rule %u: %s", i,
			  ir_qkind_name((enum ir_qkind)r->kind));
		put_name(out, im, "id", r->id);
		put_name(out, im, "name", r->name);
		put_name(out, im, "file", r->file);
		if (r->maxspan_ms >= 0)
			sb_printf(out, " maxspan %" PRId64 "ms", r->maxspan_ms);
		if (r->window_ms >= 0)
			sb_printf(out, " window %" PRId64 "ms", r->window_ms);
		put_name(out, im, "category-field", r->catfield);
		put_name(out, im, "timestamp-field", r->tsfield);
		if (r->flags & RULE_TS_NO_FALLBACK)
			sb_puts(out, " no-timestamp-fallback");
		put_name(out, im, "tiebreaker-field", r->tbfield);
		if (r->repeat > 1)
			sb_printf(out, " repeat %u", r->repeat);
		for (s = 0; s < r->npipes; s++)
			sb_printf(out, " | %s %" PRId64,
				  r->pipes[s].kind == PIPE_HEAD ? "head" :
				  "tail", r->pipes[s].n);
		sb_putc(out, '\n');
		if (r->refused)
			sb_printf(out, "  cannot run: %s\n", r->refused);
		for (s = 0; s < r->nstages; s++) {
			const struct img_stage *st = &r->stages[s];

			sb_printf(out, "  %s %u:",
				  st->flags & STAGE_UNTIL ? "until" : "stage",
				  s);
			put_name(out, im, "category", st->category);
			if (st->runs > 1)
				sb_printf(out, " runs %u", st->runs);
			if (st->flags & STAGE_MISSING)
				sb_puts(out, " missing");
			sb_printf(out, " code @%u+%u, depth %u\n", st->code.off,
				  st->code.len, st->code.maxdepth);
			dis_block(im, &st->code, out, "    ");
			for (k = 0; k < st->nkeys; k++) {
				sb_printf(out, "    key %u: code @%u+%u, depth "
					  "%u\n", k, st->keys[k].off,
					  st->keys[k].len,
					  st->keys[k].maxdepth);
				dis_block(im, &st->keys[k], out, "      ");
			}
		}
	}
}

void
img_opcode_doc(struct strbuf *out)
{
	unsigned i;

	sb_puts(out, "## Opcodes\n\n"
		"| code | name | operands | pops | pushes | meaning |\n"
		"|---:|---|---|---:|---:|---|\n");
	for (i = 0; i < OPC__COUNT; i++) {
		const struct opcode_info *oi = &opcode_table[i];

		sb_printf(out, "| %u | `%s` | %s | ", i, oi->name,
			  img_fmt_name(oi->fmt));
		if (oi->pops < 0)
			sb_puts(out, "argc");
		else
			sb_printf(out, "%d", oi->pops);
		sb_printf(out, " | %d | %s |\n", oi->pushes, oi->doc);
	}
}
