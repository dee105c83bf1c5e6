/*
 * image.h - the bytecode image: opcodes, the file format, its writer and
 * loader (image.c), the verifier the loader always runs (verify.c), the
 * disassembler (disasm.c) and the code generator (codegen.c).
 *
 * Design note.  An image is a byte string with fixed little-endian widths
 * and no pointers:
 *
 *   header (32 bytes)  magic "RULECBC\0", u16 format version, u16 flags
 *                      (0), u32 section count, u32 total size, u32 CRC-32
 *                      of every byte after the header, u32 header size
 *                      (32), u32 reserved (0)
 *   section table      count x { u32 type, u32 offset, u32 length }
 *   sections           POOL, RULES and CODE, each exactly once, inside the
 *                      file, after the table, not overlapping
 *
 * POOL is u32 count then entries, each a type byte and its payload (see
 * enum img_pool_type).  RULES is u32 count then rules: u32 id, name, file
 * (pool strings or IMG_NONE), u8 kind, u8 flags (RULE_TS_NO_FALLBACK),
 * u16 stage count, i64 maxspan in ms (-1: none), i64 look-back window in
 * ms (-1: none), u32 category, timestamp and tiebreaker field
 * overrides (pool strings or IMG_NONE), u32 repeat, u16 pipe count and
 * the pipes (u8 kind, i64 count), then the stages: u32 category (string or
 * IMG_NONE), u32 code offset, u32 code length, u8 flags (missing, until),
 * u32 runs, u16 key count, and one code block (u32 offset, u32 length) per
 * key.  CODE is the instructions; a block is a range of it ending in RET.
 *
 * Loading copies everything it keeps into the image's own arena, so the
 * input can be released afterwards; the in-memory image has pointers, the
 * file never does.  Every code block is verified before img_load returns.
 */
#ifndef RC_VM_IMAGE_H
#define RC_VM_IMAGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/arena.h"
#include "base/strbuf.h"

#define IMG_MAGIC "RULECBC"     /* plus its NUL: 8 bytes */
#define IMG_VERSION 4
#define IMG_HEADER_SIZE 32
#define IMG_SECTION_SIZE 12
#define IMG_MAX_SECTIONS 16
#define IMG_MAX_DEPTH 1024      /* deepest stack the verifier accepts */
#define IMG_NONE 0xFFFFFFFFu    /* "no pool entry" in rule fields */
#define IMG_MAX_RUNS 100        /* `with runs=N`: Elasticsearch's limit */
#define IMG_MAX_KEYS 64         /* join keys of a stage */

enum img_fmt { FMT_NONE, FMT_U8, FMT_U32, FMT_IDXF, FMT_CALL, FMT_I32 };
enum img_flow { FLOW_NEXT, FLOW_JUMP, FLOW_BRANCH, FLOW_END };

enum opcode {
#define X(e, name, fmt, pops, pushes, flow, doc) e,
#include "vm/opcodes.def"
#undef X
	OPC__COUNT
};

struct opcode_info {
	const char *name;
	enum img_fmt fmt;
	int pops, pushes;       /* pops -1: the CALL argc */
	enum img_flow flow;
	const char *doc;
};
extern const struct opcode_info opcode_table[OPC__COUNT];
/* Operand bytes of each format. */
unsigned img_fmt_size(enum img_fmt f);
const char *img_fmt_name(enum img_fmt f);

/* The little-endian u32 at p (operands, header and section fields). */
static inline uint32_t
img_rd32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

/* Operand flag bits. */
#define IMG_CI  1u      /* case-insensitive */
#define IMG_NEG 2u      /* IN_SET: not in */

/* Dispatch: a plain switch; an interpreter writes
 *   vmdispatch(op) { vmcase(OPC_ADD) ...; vmbreak; ... }
 * a computed-goto build would redefine these three from the same
 * opcodes.def. */
#define vmdispatch(o) switch (o)
#define vmcase(l) case l:
#define vmbreak break

enum img_section { SEC_POOL = 1, SEC_RULES = 2, SEC_CODE = 3 };

enum img_pool_type {
	POOL_STR = 1,   /* u32 len, bytes */
	POOL_FIELD,     /* u8 flags (1 array, 2 optional), u8 transform,
	                   u8 ipfam, u8 value type (enum vtype: date, ip
	                   and numbers change comparisons), u32 len, bytes:
	                   a dotted ECS path */
	POOL_LONG,      /* i64 */
	POOL_DOUBLE,    /* IEEE-754 bits as u64 */
	POOL_SET,       /* u32 n, n values (u8 kind, payload) */
	POOL_CIDR,      /* u32 n, n x (u8 family 4/6, u8 prefix, 16 bytes) */
	POOL_PATTERNS,  /* u8 mode (0 wildcard, 1 regex), u8 ci, u32 n,
	                   n x (u32 len, bytes) */
	POOL_ANCESTOR,  /* u32 distance, u32 skip, u8 unique, u32 code
	                   offset, u32 code length */
	POOL__END
};

/* Value kinds inside a literal set. */
enum img_vkind { IV_NULL, IV_BOOL, IV_LONG, IV_DOUBLE, IV_STR };

struct img_str {
	const char *s;
	uint32_t len;
};

struct img_value {
	uint8_t kind;           /* enum img_vkind */
	union {
		bool b;
		int64_t i;
		double d;
		struct img_str s;
	} u;
};

struct img_cidr {
	uint8_t family;         /* 4 or 6 */
	uint8_t prefix;         /* <= 32 or <= 128 */
	uint8_t addr[16];       /* network order; IPv4 uses the first 4 */
};

struct img_block {
	uint32_t off, len;      /* inside the code section */
	uint16_t maxdepth;      /* set by the verifier */
};

#define FIELD_ARRAY 1u
#define FIELD_OPTIONAL 2u

struct img_pool_entry {
	uint8_t type;           /* enum img_pool_type */
	union {
		struct img_str str;
		struct {
			struct img_str path;
			uint8_t flags, transform, ipfam, vtype;
		} field;
		int64_t i;
		double d;
		struct { struct img_value *v; uint32_t n; } set;
		struct { struct img_cidr *v; uint32_t n; } cidr;
		struct {
			uint8_t mode, ci;
			struct img_str *v;
			uint32_t n;
		} pat;
		struct {
			uint32_t distance, skip;
			uint8_t unique;
			struct img_block code;
		} anc;
	} u;
};

#define STAGE_MISSING 1u
#define STAGE_UNTIL 2u

struct img_stage {
	uint32_t category;      /* pool string or IMG_NONE */
	struct img_block code;
	uint8_t flags;
	uint32_t runs;
	uint16_t nkeys;
	struct img_block *keys;
};

struct img_pipe {
	uint8_t kind;                   /* enum ir_pipe_kind */
	int64_t n;
};

/* Rule flags.  RULE_TS_NO_FALLBACK: the rule's timestamp override has no
 * fallback (Kibana's timestamp_override_fallback_disabled): an event
 * without a time in the override field is not the rule's.  Without it,
 * such an event takes its time from the run's timestamp field.  Only
 * valid with a timestamp override. */
#define RULE_TS_NO_FALLBACK 1u
#define RULE_FLAGS_ALL RULE_TS_NO_FALLBACK

struct img_rule {
	uint32_t id, name, file;        /* pool strings or IMG_NONE */
	uint8_t kind;                   /* enum ir_qkind */
	uint8_t flags;                  /* RULE_* */
	uint16_t nstages;               /* the until stage counts, last */
	int64_t maxspan_ms;
	int64_t window_ms;              /* the rule's look-back, -1: none */
	/* The rule's own event_category_override, timestamp_override and
	 * tiebreaker_field (pool strings or IMG_NONE: the run's). */
	uint32_t catfield, tsfield, tbfield;
	uint32_t repeat;                /* ESET: matches needed (1: once) */
	uint16_t npipes;
	struct img_pipe *pipes;
	struct img_stage *stages;
	/* Loaded only: why the engine cannot run the rule (more join keys,
	 * runs or expanded stages than it handles), or NULL.  The image
	 * still loads; the replay leaves such a rule out. */
	const char *refused;
};

struct image {
	struct arena arena;
	uint16_t version, flags;
	struct img_pool_entry *pool;
	uint32_t npool;
	struct img_rule *rules;
	uint32_t nrules;
	const uint8_t *code;
	uint32_t codelen;
};

/* The writer: pool entries, code and rules are serialised as they are
 * added; `oom` is sticky.  Pool entries are interned: adding an entry
 * whose bytes equal an earlier one's returns the earlier index (a hash.h
 * table of entry indices keyed by the serialised bytes, made on first
 * use: this header does not include base/hash.h, whose names some
 * includers still define for themselves). */
struct hash;
struct img_builder {
	struct strbuf pool, rules, code;
	uint32_t npool, nrules;
	struct { size_t *v; size_t n, cap; } eoff;  /* a vec.h vector: where
	                           each entry starts in pool (and the entry
	                           being added) */
	struct hash *intern;    /* entry indices by their bytes */
	bool oom;
};

void img_builder_init(struct img_builder *b);
void img_builder_free(struct img_builder *b);
/* Each returns the new entry's pool index. */
uint32_t img_add_str(struct img_builder *b, const char *s, size_t len);
uint32_t img_add_field(struct img_builder *b, const char *path, size_t len,
		       unsigned flags, unsigned transform, unsigned ipfam,
		       unsigned vtype);
uint32_t img_add_long(struct img_builder *b, int64_t v);
uint32_t img_add_double(struct img_builder *b, double v);
uint32_t img_add_set(struct img_builder *b, const struct img_value *v,
		     size_t n);
uint32_t img_add_cidr(struct img_builder *b, const struct img_cidr *v,
		      size_t n);
uint32_t img_add_patterns(struct img_builder *b, unsigned mode, bool ci,
			  const struct img_str *v, size_t n);
uint32_t img_add_ancestor(struct img_builder *b, uint32_t distance,
			  uint32_t skip, bool unique, struct img_block code);
/* Appends finished code; returns its offset in the code section. */
uint32_t img_add_code(struct img_builder *b, const void *code, size_t len);
/* Adds a rule whose blocks are already in the code section. */
void img_add_rule(struct img_builder *b, const struct img_rule *r);
/* Serialises the whole image to `out`.  Returns 0, or -1 when out of
 * memory. */
int img_write(struct img_builder *b, struct strbuf *out);

/* Appends one instruction to `code`: `a` is the first operand (flags,
 * pool index, function id or jump offset), `c` the second (IDXF flags,
 * CALL argc) and `d` the third (CALL flags).  Returns its offset. */
size_t img_emit(struct strbuf *code, enum opcode op, uint32_t a,
		uint32_t c, uint32_t d);
/* Points the jump instruction at `at` to `target` (offsets in `code`). */
void img_patch_jump(struct strbuf *code, size_t at, size_t target);

/* Parses an address or CIDR network (sema/literal.h's syntax) into a
 * range; false when malformed. */
bool img_parse_cidr(const char *s, size_t len, struct img_cidr *out);

/* CRC-32 (IEEE 802.3, reflected, as zlib's). */
uint32_t img_crc32(const uint8_t *p, size_t n);

/* Loads and verifies an image.  0 on success; otherwise -1 and a message
 * naming the section, rule and offset in err.  `out` is released on
 * failure and must be released with img_free on success. */
int img_load(const uint8_t *data, size_t len, struct image *out, char *err,
	     size_t errlen);
void img_free(struct image *im);

/* Verifies one code block of `len` bytes; sets *maxdepth.  ANCESTOR
 * may only name descriptors below `anc_limit` (the block of descriptor i
 * passes i, rule blocks the pool size), so ancestor blocks cannot refer
 * to themselves, directly or not.  Returns 0 or -1 with a message
 * (offsets relative to the block). */
int img_verify_block(const struct image *im, const uint8_t *code,
		     uint32_t len, uint32_t anc_limit, uint16_t *maxdepth,
		     char *err, size_t errlen);

/* Verifies every code block of a loaded image (ancestor descriptors, then
 * each rule's stages and join keys; setting their maxdepth) and the pool
 * strings rules name.  0, or -1 with a message naming the block. */
int img_verify_image(struct image *im, char *err, size_t errlen);

/* Readable listing of the pool and of every rule's code. */
void img_disasm(const struct image *im, struct strbuf *out);
/* The opcode reference (docs/bytecode.md), from opcodes.def. */
void img_opcode_doc(struct strbuf *out);

struct ir_query;
/* What a rule carries besides its query; every member may be NULL. */
struct vm_rule_info {
	const char *id, *name, *file;
	const char *catfield, *tsfield, *tbfield;       /* overrides */
	int64_t window_ms;      /* the rule's look-back ("from"), -1: none */
	bool ts_no_fallback;    /* timestamp_override_fallback_disabled */
};
/* Compiles every stage (and the until stage, and the join keys) of `q`
 * and adds the rule.  Returns the rule's index, or -1 with a message. */
int vm_compile_query(struct img_builder *b, const struct ir_query *q,
		     const struct vm_rule_info *info, char *err,
		     size_t errlen);

#endif
