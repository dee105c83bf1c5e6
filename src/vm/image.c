/*
 * image.c - the opcode tables, the image writer and the loader (the
 * verifier it runs is in verify.c).
 *
 * The loader trusts nothing: every read goes through a cursor that checks
 * the bytes left, every count is bounded by the bytes that could hold it
 * before anything is allocated, and every code block is verified before
 * the image is handed out.
 */
#include "vm/image.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/hash.h"
#include "base/vec.h"
#include "sema/ir.h"
#include "sema/literal.h"

const struct opcode_info opcode_table[OPC__COUNT] = {
#define X(e, name, fmt, pops, pushes, flow, doc) \
	[e] = { name, FMT_##fmt, pops, pushes, FLOW_##flow, doc },
#include "vm/opcodes.def"
#undef X
};

unsigned
img_fmt_size(enum img_fmt f)
{
	switch (f) {
	case FMT_NONE: return 0;
	case FMT_U8: return 1;
	case FMT_U32: return 4;
	case FMT_IDXF: return 5;
	case FMT_CALL: return 3;
	case FMT_I32: return 4;
	}
	return 0;
}

const char *
img_fmt_name(enum img_fmt f)
{
	switch (f) {
	case FMT_NONE: return "none";
	case FMT_U8: return "u8 flags";
	case FMT_U32: return "u32 pool index";
	case FMT_IDXF: return "u32 pool index, u8 flags";
	case FMT_CALL: return "u8 function, u8 argc, u8 flags";
	case FMT_I32: return "i32 jump offset";
	}
	return "?";
}

/* ---- little-endian helpers ---- */

static void
put_u8(struct strbuf *sb, unsigned v)
{
	sb_putc(sb, (char)(v & 0xff));
}

static void
put_u16(struct strbuf *sb, unsigned v)
{
	char b[2] = { (char)(v & 0xff), (char)((v >> 8) & 0xff) };
	sb_put(sb, b, 2);
}

static void
put_u32(struct strbuf *sb, uint32_t v)
{
	char b[4];
	int i;

	for (i = 0; i < 4; i++)
		b[i] = (char)((v >> (8 * i)) & 0xff);
	sb_put(sb, b, 4);
}

static void
put_u64(struct strbuf *sb, uint64_t v)
{
	put_u32(sb, (uint32_t)v);
	put_u32(sb, (uint32_t)(v >> 32));
}

static void
put_bytes(struct strbuf *sb, const char *s, size_t n)
{
	put_u32(sb, (uint32_t)n);
	if (n)
		sb_put(sb, s, n);
}

static uint16_t
get_u16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static void
set_u32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* ---- CRC-32 ---- */

bool
img_parse_cidr(const char *s, size_t len, struct img_cidr *out)
{
	unsigned prefix = 0;

	memset(out, 0, sizeof *out);
	out->family = (uint8_t)lit_parse_cidr(s, len, out->addr, &prefix);
	out->prefix = (uint8_t)prefix;
	return out->family != 0;
}

/* Slicing by four (four bytes per step through four tables, t[k][b] the
 * CRC of byte b followed by k zero bytes): the loader checks the CRC of
 * the whole image at every start-up, and a byte at a time was a third of
 * its time.  Written here rather than taken from zlib so that the image
 * code needs no library; the tables are built per call (4 KiB, a few
 * thousand operations), which keeps the function free of global state. */
uint32_t
img_crc32(const uint8_t *p, size_t n)
{
	uint32_t t[4][256], c;
	unsigned i, k;

	for (i = 0; i < 256; i++) {
		c = i;
		for (k = 0; k < 8; k++)
			c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
		t[0][i] = c;
	}
	for (i = 0; i < 256; i++)
		for (k = 1; k < 4; k++)
			t[k][i] = t[0][t[k - 1][i] & 0xff] ^ (t[k - 1][i] >> 8);
	c = 0xFFFFFFFFu;
	for (; n >= 4; n -= 4, p += 4) {
		c ^= (uint32_t)p[0] | (uint32_t)p[1] << 8 |
		     (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
		c = t[3][c & 0xff] ^ t[2][(c >> 8) & 0xff] ^
		    t[1][(c >> 16) & 0xff] ^ t[0][c >> 24];
	}
	while (n--)
		c = t[0][(c ^ *p++) & 0xff] ^ (c >> 8);
	return c ^ 0xFFFFFFFFu;
}

/* ---- the writer ---- */

void
img_builder_init(struct img_builder *b)
{
	memset(b, 0, sizeof *b);
}

void
img_builder_free(struct img_builder *b)
{
	sb_free(&b->pool);
	sb_free(&b->rules);
	sb_free(&b->code);
	vec_free(&b->eoff);
	if (b->intern)
		hash_free(b->intern);
	free(b->intern);
	memset(b, 0, sizeof *b);
}

/* Starts a pool entry of type t: remembers where it begins. */
static void
pool_begin(struct img_builder *b, enum img_pool_type t)
{
	b->eoff.n = b->npool;
	if (vec_push(&b->eoff, b->pool.len) < 0)
		b->oom = true;
	put_u8(&b->pool, t);
}

/* Ends the entry begun by pool_begin: returns the index of an identical
 * earlier entry (dropping the new bytes) or of the new one. */
static uint32_t
pool_end(struct img_builder *b)
{
	size_t lo, n;
	uint32_t h, pos, i;

	if (b->oom || b->pool.oom) {
		b->oom = true;
		return 0;
	}
	if (!b->intern && !(b->intern = calloc(1, sizeof *b->intern))) {
		b->oom = true;
		return 0;
	}
	lo = b->eoff.v[b->npool];
	n = b->pool.len - lo;
	h = hash_bytes(HASH_SEED, b->pool.data + lo, n);
	for (pos = hash_first(b->intern, h);
	     (i = hash_next(b->intern, h, &pos)) != HASH_NONE;) {
		/* entry i ends where the next one (or the new one) begins */
		size_t elo = b->eoff.v[i], en = b->eoff.v[i + 1] - elo;

		if (en == n && memcmp(b->pool.data + elo, b->pool.data + lo,
				      n) == 0) {
			b->pool.len = lo;
			b->pool.data[lo] = '\0';
			return i;
		}
	}
	if (hash_add(b->intern, h, b->npool) < 0) {
		b->oom = true;
		return 0;
	}
	return b->npool++;
}

uint32_t
img_add_str(struct img_builder *b, const char *s, size_t len)
{
	pool_begin(b, POOL_STR);

	put_bytes(&b->pool, s, len);
	return pool_end(b);
}

uint32_t
img_add_field(struct img_builder *b, const char *path, size_t len,
	      unsigned flags, unsigned transform, unsigned ipfam,
	      unsigned vtype)
{
	pool_begin(b, POOL_FIELD);

	put_u8(&b->pool, flags);
	put_u8(&b->pool, transform);
	put_u8(&b->pool, ipfam);
	put_u8(&b->pool, vtype);
	put_bytes(&b->pool, path, len);
	return pool_end(b);
}

uint32_t
img_add_long(struct img_builder *b, int64_t v)
{
	pool_begin(b, POOL_LONG);

	put_u64(&b->pool, (uint64_t)v);
	return pool_end(b);
}

uint32_t
img_add_double(struct img_builder *b, double v)
{
	pool_begin(b, POOL_DOUBLE);
	uint64_t bits;

	memcpy(&bits, &v, sizeof bits);
	put_u64(&b->pool, bits);
	return pool_end(b);
}

uint32_t
img_add_set(struct img_builder *b, const struct img_value *v, size_t n)
{
	pool_begin(b, POOL_SET);
	uint64_t bits;
	size_t k;

	put_u32(&b->pool, (uint32_t)n);
	for (k = 0; k < n; k++) {
		put_u8(&b->pool, v[k].kind);
		switch (v[k].kind) {
		case IV_BOOL: put_u8(&b->pool, v[k].u.b); break;
		case IV_LONG: put_u64(&b->pool, (uint64_t)v[k].u.i); break;
		case IV_DOUBLE:
			memcpy(&bits, &v[k].u.d, sizeof bits);
			put_u64(&b->pool, bits);
			break;
		case IV_STR:
			put_bytes(&b->pool, v[k].u.s.s, v[k].u.s.len);
			break;
		default: break;
		}
	}
	return pool_end(b);
}

uint32_t
img_add_cidr(struct img_builder *b, const struct img_cidr *v, size_t n)
{
	pool_begin(b, POOL_CIDR);
	size_t k;

	put_u32(&b->pool, (uint32_t)n);
	for (k = 0; k < n; k++) {
		put_u8(&b->pool, v[k].family);
		put_u8(&b->pool, v[k].prefix);
		sb_put(&b->pool, (const char *)v[k].addr, 16);
	}
	return pool_end(b);
}

uint32_t
img_add_patterns(struct img_builder *b, unsigned mode, bool ci,
		 const struct img_str *v, size_t n)
{
	pool_begin(b, POOL_PATTERNS);
	size_t k;

	put_u8(&b->pool, mode);
	put_u8(&b->pool, ci);
	put_u32(&b->pool, (uint32_t)n);
	for (k = 0; k < n; k++)
		put_bytes(&b->pool, v[k].s, v[k].len);
	return pool_end(b);
}

uint32_t
img_add_ancestor(struct img_builder *b, uint32_t distance, uint32_t skip,
		 bool unique, struct img_block code)
{
	pool_begin(b, POOL_ANCESTOR);

	put_u32(&b->pool, distance);
	put_u32(&b->pool, skip);
	put_u8(&b->pool, unique);
	put_u32(&b->pool, code.off);
	put_u32(&b->pool, code.len);
	return pool_end(b);
}

uint32_t
img_add_code(struct img_builder *b, const void *code, size_t len)
{
	uint32_t off = (uint32_t)b->code.len;

	if (len)
		sb_put(&b->code, code, len);
	return off;
}

void
img_add_rule(struct img_builder *b, const struct img_rule *r)
{
	struct strbuf *sb = &b->rules;
	unsigned s, k;

	put_u32(sb, r->id);
	put_u32(sb, r->name);
	put_u32(sb, r->file);
	put_u8(sb, r->kind);
	put_u8(sb, r->flags);
	put_u16(sb, r->nstages);
	put_u64(sb, (uint64_t)r->maxspan_ms);
	put_u64(sb, (uint64_t)r->window_ms);
	put_u32(sb, r->catfield);
	put_u32(sb, r->tsfield);
	put_u32(sb, r->tbfield);
	put_u32(sb, r->repeat);
	put_u16(sb, r->npipes);
	for (s = 0; s < r->npipes; s++) {
		put_u8(sb, r->pipes[s].kind);
		put_u64(sb, (uint64_t)r->pipes[s].n);
	}
	for (s = 0; s < r->nstages; s++) {
		const struct img_stage *st = &r->stages[s];

		put_u32(sb, st->category);
		put_u32(sb, st->code.off);
		put_u32(sb, st->code.len);
		put_u8(sb, st->flags);
		put_u32(sb, st->runs);
		put_u16(sb, st->nkeys);
		for (k = 0; k < st->nkeys; k++) {
			put_u32(sb, st->keys[k].off);
			put_u32(sb, st->keys[k].len);
		}
	}
	b->nrules++;
}

int
img_write(struct img_builder *b, struct strbuf *out)
{
	const struct strbuf *body[3] = { &b->pool, &b->rules, &b->code };
	const uint32_t counts[3] = { b->npool, b->nrules, 0 };
	const unsigned types[3] = { SEC_POOL, SEC_RULES, SEC_CODE };
	size_t start = out->len, off, total;
	unsigned i;

	off = IMG_HEADER_SIZE + 3 * IMG_SECTION_SIZE;
	total = off;
	for (i = 0; i < 3; i++)
		total += body[i]->len + (i < 2 ? 4 : 0);
	if (b->oom || b->pool.oom || b->rules.oom || b->code.oom ||
	    total > UINT32_MAX)
		return -1;
	sb_put(out, IMG_MAGIC, sizeof IMG_MAGIC);
	put_u16(out, IMG_VERSION);
	put_u16(out, 0);
	put_u32(out, 3);
	put_u32(out, (uint32_t)total);
	put_u32(out, 0);                        /* CRC, patched below */
	put_u32(out, IMG_HEADER_SIZE);
	put_u32(out, 0);
	for (i = 0; i < 3; i++) {
		size_t len = body[i]->len + (i < 2 ? 4 : 0);

		put_u32(out, types[i]);
		put_u32(out, (uint32_t)off);
		put_u32(out, (uint32_t)len);
		off += len;
	}
	for (i = 0; i < 3; i++) {
		if (i < 2)
			put_u32(out, counts[i]);
		if (body[i]->len)
			sb_put(out, body[i]->data, body[i]->len);
	}
	if (out->oom)
		return -1;
	set_u32((uint8_t *)out->data + start + 20,
		img_crc32((const uint8_t *)out->data + start + IMG_HEADER_SIZE,
			  total - IMG_HEADER_SIZE));
	return 0;
}

size_t
img_emit(struct strbuf *code, enum opcode op, uint32_t a, uint32_t c,
	 uint32_t d)
{
	size_t at = code->len;

	put_u8(code, op);
	switch (opcode_table[op].fmt) {
	case FMT_NONE: break;
	case FMT_U8: put_u8(code, a); break;
	case FMT_U32: case FMT_I32: put_u32(code, a); break;
	case FMT_IDXF: put_u32(code, a); put_u8(code, c); break;
	case FMT_CALL: put_u8(code, a); put_u8(code, c); put_u8(code, d);
		break;
	}
	return at;
}

void
img_patch_jump(struct strbuf *code, size_t at, size_t target)
{
	int64_t rel = (int64_t)target - (int64_t)(at + 5);

	if (code->oom || at + 5 > code->len)
		return;
	set_u32((uint8_t *)code->data + at + 1, (uint32_t)(int32_t)rel);
}

/* ---- the loader ---- */

struct cur {
	const uint8_t *p;
	size_t left;
	bool bad;
};

static const uint8_t *
take(struct cur *c, size_t n)
{
	const uint8_t *p = c->p;

	if (c->bad || n > c->left) {
		c->bad = true;
		return NULL;
	}
	c->p += n;
	c->left -= n;
	return p;
}

static uint8_t
rd_u8(struct cur *c)
{
	const uint8_t *p = take(c, 1);
	return p ? p[0] : 0;
}

static uint16_t
rd_u16(struct cur *c)
{
	const uint8_t *p = take(c, 2);
	return p ? get_u16(p) : 0;
}

static uint32_t
rd_u32(struct cur *c)
{
	const uint8_t *p = take(c, 4);
	return p ? img_rd32(p) : 0;
}

static uint64_t
rd_u64(struct cur *c)
{
	uint64_t lo = rd_u32(c);
	return lo | (uint64_t)rd_u32(c) << 32;
}

/* A length-prefixed byte string, copied into the arena. */
static bool
rd_str(struct cur *c, struct arena *a, struct img_str *s)
{
	uint32_t n = rd_u32(c);
	const uint8_t *p = take(c, n);

	if (!p)
		return false;
	s->s = arena_strndup(a, (const char *)p, n);
	s->len = n;
	return s->s != NULL;
}

/* Room for n elements of `size` bytes in the arena, refused when the
 * input could not possibly hold n elements of at least `min` bytes. */
static void *
alloc_n(struct cur *c, struct arena *a, uint32_t n, size_t size, size_t min)
{
	if (n > c->left / min) {
		c->bad = true;
		return NULL;
	}
	return n ? arena_alloc(a, (size_t)n * size) : arena_alloc(a, 1);
}

struct ld {
	struct image *im;
	char *err;
	size_t errlen;
	bool oom;
};

static int
fail(struct ld *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int
fail(struct ld *l, const char *fmt, ...)
{
	va_list ap;

	if (l->errlen) {
		va_start(ap, fmt);
		vsnprintf(l->err, l->errlen, fmt, ap);
		va_end(ap);
	}
	return -1;
}

/* Reads entry `i` of the pool at cursor c. */
static int
load_entry(struct ld *l, struct cur *c, uint32_t i)
{
	struct arena *a = &l->im->arena;
	struct img_pool_entry *e = &l->im->pool[i];
	uint32_t n, k;

	e->type = rd_u8(c);
	switch (e->type) {
	case POOL_STR:
		rd_str(c, a, &e->u.str);
		break;
	case POOL_FIELD:
		e->u.field.flags = rd_u8(c);
		e->u.field.transform = rd_u8(c);
		e->u.field.ipfam = rd_u8(c);
		e->u.field.vtype = rd_u8(c);
		rd_str(c, a, &e->u.field.path);
		if (c->bad)
			break;
		if (e->u.field.flags & ~3u)
			return fail(l, "pool entry %u: unknown field flags 0x%x",
				    i, e->u.field.flags);
		if (e->u.field.transform >= TR__COUNT)
			return fail(l, "pool entry %u: unknown field transform"
				    " %u", i, e->u.field.transform);
		if (e->u.field.ipfam != 0 && e->u.field.ipfam != 4 &&
		    e->u.field.ipfam != 6)
			return fail(l, "pool entry %u: bad address family %u",
				    i, e->u.field.ipfam);
		if (e->u.field.path.len == 0)
			return fail(l, "pool entry %u: empty field path", i);
		if (e->u.field.vtype >= VT__COUNT)
			return fail(l, "pool entry %u: unknown value type %u",
				    i, e->u.field.vtype);
		break;
	case POOL_LONG:
		e->u.i = (int64_t)rd_u64(c);
		break;
	case POOL_DOUBLE: {
		uint64_t bits = rd_u64(c);
		memcpy(&e->u.d, &bits, sizeof bits);
		break;
	}
	case POOL_SET:
		n = rd_u32(c);
		e->u.set.v = alloc_n(c, a, n, sizeof *e->u.set.v, 1);
		e->u.set.n = n;
		for (k = 0; k < n && !c->bad && e->u.set.v; k++) {
			struct img_value *v = &e->u.set.v[k];
			uint64_t bits;

			v->kind = rd_u8(c);
			switch (v->kind) {
			case IV_NULL: break;
			case IV_BOOL:
				v->u.b = rd_u8(c) != 0;
				break;
			case IV_LONG: v->u.i = (int64_t)rd_u64(c); break;
			case IV_DOUBLE:
				bits = rd_u64(c);
				memcpy(&v->u.d, &bits, sizeof bits);
				break;
			case IV_STR: rd_str(c, a, &v->u.s); break;
			default:
				if (!c->bad)
					return fail(l, "pool entry %u: set "
						    "element %u has unknown "
						    "kind %u", i, k, v->kind);
			}
		}
		break;
	case POOL_CIDR:
		n = rd_u32(c);
		e->u.cidr.v = alloc_n(c, a, n, sizeof *e->u.cidr.v, 18);
		e->u.cidr.n = n;
		for (k = 0; k < n && !c->bad && e->u.cidr.v; k++) {
			struct img_cidr *r = &e->u.cidr.v[k];
			const uint8_t *p;

			r->family = rd_u8(c);
			r->prefix = rd_u8(c);
			p = take(c, 16);
			if (!p)
				break;
			memcpy(r->addr, p, 16);
			if (r->family != 4 && r->family != 6)
				return fail(l, "pool entry %u: range %u has "
					    "address family %u", i, k,
					    r->family);
			if (r->prefix > (r->family == 4 ? 32 : 128))
				return fail(l, "pool entry %u: range %u has "
					    "prefix /%u", i, k, r->prefix);
		}
		break;
	case POOL_PATTERNS:
		e->u.pat.mode = rd_u8(c);
		e->u.pat.ci = rd_u8(c);
		n = rd_u32(c);
		if (!c->bad && (e->u.pat.mode > 1 || e->u.pat.ci > 1))
			return fail(l, "pool entry %u: bad pattern mode %u or "
				    "case flag %u", i, e->u.pat.mode,
				    e->u.pat.ci);
		e->u.pat.v = alloc_n(c, a, n, sizeof *e->u.pat.v, 4);
		e->u.pat.n = n;
		for (k = 0; k < n && !c->bad && e->u.pat.v; k++)
			rd_str(c, a, &e->u.pat.v[k]);
		break;
	case POOL_ANCESTOR:
		e->u.anc.distance = rd_u32(c);
		e->u.anc.skip = rd_u32(c);
		e->u.anc.unique = rd_u8(c);
		e->u.anc.code.off = rd_u32(c);
		e->u.anc.code.len = rd_u32(c);
		if (!c->bad && e->u.anc.unique > 1)
			return fail(l, "pool entry %u: bad unique flag %u", i,
				    e->u.anc.unique);
		break;
	default:
		if (c->bad)
			break;
		return fail(l, "pool entry %u: unknown type %u", i, e->type);
	}
	if (a->oom)
		return fail(l, "out of memory");
	if (c->bad)
		return fail(l, "pool entry %u: truncated", i);
	return 0;
}

static int
load_pool(struct ld *l, const uint8_t *p, uint32_t len, uint32_t off)
{
	struct cur c = { p, len, false };
	uint32_t n = rd_u32(&c), i;

	if (c.bad)
		return fail(l, "pool section at %u: no entry count", off);
	l->im->pool = alloc_n(&c, &l->im->arena, n, sizeof *l->im->pool, 2);
	if (c.bad)
		return fail(l, "pool section at %u: %u entries cannot fit in "
			    "%u bytes", off, n, len);
	if (!l->im->pool)
		return fail(l, "out of memory");
	l->im->npool = n;
	for (i = 0; i < n; i++) {
		if (load_entry(l, &c, i) < 0) {
			size_t m = l->errlen ? strlen(l->err) : 0;
			if (l->errlen > m + 1)
				snprintf(l->err + m, l->errlen - m,
					 " (pool section, byte %zu)",
					 (size_t)(c.p - p));
			return -1;
		}
	}
	if (c.left)
		return fail(l, "pool section: %zu bytes after the last entry",
			    c.left);
	return 0;
}

/* A rule's refusal, in the image's arena (NULL and l->oom when out of
 * memory). */
static const char *
limit(struct ld *l, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static const char *
limit(struct ld *l, const char *fmt, ...)
{
	char buf[160];
	va_list ap;
	char *s;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	s = arena_alloc(&l->im->arena, strlen(buf) + 1);
	if (!s) {
		l->oom = true;
		return NULL;
	}
	memcpy(s, buf, strlen(buf) + 1);
	return s;
}

static int
load_rules(struct ld *l, const uint8_t *p, uint32_t len)
{
	struct arena *a = &l->im->arena;
	struct cur c = { p, len, false };
	uint32_t n = rd_u32(&c), r, s, k;
	uint64_t nlog;

	l->im->rules = alloc_n(&c, a, n, sizeof *l->im->rules, 24);
	if (c.bad)
		return fail(l, "rule section: bad rule count %u", n);
	if (!l->im->rules)
		return fail(l, "out of memory");
	l->im->nrules = n;
	for (r = 0; r < n; r++) {
		struct img_rule *ru = &l->im->rules[r];

		ru->id = rd_u32(&c);
		ru->name = rd_u32(&c);
		ru->file = rd_u32(&c);
		ru->kind = rd_u8(&c);
		ru->flags = rd_u8(&c);
		if ((ru->flags & ~RULE_FLAGS_ALL) && !c.bad)
			return fail(l, "rule %u: unknown flags 0x%x", r,
				    ru->flags);
		ru->nstages = rd_u16(&c);
		ru->maxspan_ms = (int64_t)rd_u64(&c);
		ru->window_ms = (int64_t)rd_u64(&c);
		ru->catfield = rd_u32(&c);
		ru->tsfield = rd_u32(&c);
		ru->tbfield = rd_u32(&c);
		ru->repeat = rd_u32(&c);
		ru->npipes = rd_u16(&c);
		if (c.bad)
			return fail(l, "rule %u: truncated", r);
		if (ru->maxspan_ms < -1 || ru->window_ms < -1)
			return fail(l, "rule %u: negative maxspan or window",
				    r);
		if (ru->repeat == 0)
			return fail(l, "rule %u: repeat count 0", r);
		ru->pipes = alloc_n(&c, a, ru->npipes, sizeof *ru->pipes, 9);
		if (c.bad)
			return fail(l, "rule %u: %u pipes cannot fit", r,
				    ru->npipes);
		if (!ru->pipes)
			return fail(l, "out of memory");
		for (s = 0; s < ru->npipes; s++) {
			ru->pipes[s].kind = rd_u8(&c);
			ru->pipes[s].n = (int64_t)rd_u64(&c);
			if (c.bad)
				return fail(l, "rule %u: truncated", r);
			if (ru->pipes[s].kind > PIPE_TAIL ||
			    ru->pipes[s].n < 0)
				return fail(l, "rule %u pipe %u: bad kind or "
					    "count", r, s);
		}
		if (ru->kind > Q_SAMPLE)
			return fail(l, "rule %u: unknown kind %u", r, ru->kind);
		if (ru->nstages == 0)
			return fail(l, "rule %u: no stage", r);
		nlog = 0;
		ru->stages = alloc_n(&c, a, ru->nstages, sizeof *ru->stages,
				     19);
		if (c.bad)
			return fail(l, "rule %u: %u stages cannot fit", r,
				    ru->nstages);
		if (!ru->stages)
			return fail(l, "out of memory");
		for (s = 0; s < ru->nstages; s++) {
			struct img_stage *st = &ru->stages[s];

			st->category = rd_u32(&c);
			st->code.off = rd_u32(&c);
			st->code.len = rd_u32(&c);
			st->flags = rd_u8(&c);
			st->runs = rd_u32(&c);
			st->nkeys = rd_u16(&c);
			if (c.bad)
				return fail(l, "rule %u stage %u: truncated",
					    r, s);
			if (st->flags & ~3u)
				return fail(l, "rule %u stage %u: unknown "
					    "flags 0x%x", r, s, st->flags);
			if (st->runs == 0)
				return fail(l, "rule %u stage %u: runs 0", r,
					    s);
			/* limits of the engine, not damage: the rule is
			 * kept and marked, and the replay leaves it out */
			if (st->nkeys > IMG_MAX_KEYS && !ru->refused)
				ru->refused = limit(l, "stage %u has %u join "
						    "keys, more than the %u the "
						    "engine handles", s + 1,
						    st->nkeys, IMG_MAX_KEYS);
			if (st->runs > IMG_MAX_RUNS && !ru->refused)
				ru->refused = limit(l, "stage %u repeats %u "
						    "times (runs), more than "
						    "%u", s + 1, st->runs,
						    IMG_MAX_RUNS);
			nlog += st->runs;
			if (nlog > UINT16_MAX && !ru->refused)
				ru->refused = limit(l, "more than %u stages "
						    "once runs are expanded",
						    UINT16_MAX);
			if (l->oom)
				return fail(l, "out of memory");
			st->keys = alloc_n(&c, a, st->nkeys, sizeof *st->keys,
					   8);
			if (c.bad)
				return fail(l, "rule %u stage %u: %u keys "
					    "cannot fit", r, s, st->nkeys);
			if (!st->keys)
				return fail(l, "out of memory");
			for (k = 0; k < st->nkeys; k++) {
				st->keys[k].off = rd_u32(&c);
				st->keys[k].len = rd_u32(&c);
			}
			if (c.bad)
				return fail(l, "rule %u stage %u: truncated",
					    r, s);
		}
	}
	if (c.left)
		return fail(l, "rule section: %zu bytes after the last rule",
			    c.left);
	return 0;
}


static const char *
section_name(uint32_t t)
{
	switch (t) {
	case SEC_POOL: return "pool";
	case SEC_RULES: return "rules";
	case SEC_CODE: return "code";
	}
	return "?";
}

static int
load(struct ld *l, const uint8_t *data, size_t len)
{
	struct image *im = l->im;
	uint32_t nsec, total, crc, off[4] = { 0 }, slen[4] = { 0 };
	uint32_t i, j, tabend;
	bool seen[4] = { false };

	if (len < IMG_HEADER_SIZE)
		return fail(l, "header: %zu bytes, need %d", len,
			    IMG_HEADER_SIZE);
	if (memcmp(data, IMG_MAGIC, sizeof IMG_MAGIC) != 0)
		return fail(l, "header: bad magic (not a rulec image)");
	im->version = get_u16(data + 8);
	im->flags = get_u16(data + 10);
	if (im->version != IMG_VERSION)
		return fail(l, "header: format version %u, this rulec reads "
			    "version %u", im->version, IMG_VERSION);
	if (im->flags != 0)
		return fail(l, "header: unknown flags 0x%x", im->flags);
	nsec = img_rd32(data + 12);
	total = img_rd32(data + 16);
	crc = img_rd32(data + 20);
	if (img_rd32(data + 24) != IMG_HEADER_SIZE || img_rd32(data + 28) != 0)
		return fail(l, "header: bad header size or reserved word");
	if (total != len)
		return fail(l, "header: image says %u bytes, got %zu", total,
			    len);
	if (nsec == 0 || nsec > IMG_MAX_SECTIONS)
		return fail(l, "header: %u sections", nsec);
	tabend = IMG_HEADER_SIZE + nsec * IMG_SECTION_SIZE;
	if (tabend > len)
		return fail(l, "section table: runs past the end of the image");
	if (img_crc32(data + IMG_HEADER_SIZE, len - IMG_HEADER_SIZE) != crc)
		return fail(l, "header: CRC-32 mismatch (damaged image)");
	for (i = 0; i < nsec; i++) {
		const uint8_t *e = data + IMG_HEADER_SIZE + i * IMG_SECTION_SIZE;
		uint32_t t = img_rd32(e), o = img_rd32(e + 4), n = img_rd32(e + 8);

		if (t < SEC_POOL || t > SEC_CODE)
			return fail(l, "section %u: unknown type %u", i, t);
		if (seen[t])
			return fail(l, "section %u: second %s section", i,
				    section_name(t));
		if (o < tabend || o > len || n > len - o)
			return fail(l, "section %u (%s): %u+%u outside the "
				    "image (%u..%zu)", i, section_name(t), o,
				    n, tabend, len);
		seen[t] = true;
		off[t] = o;
		slen[t] = n;
	}
	for (i = SEC_POOL; i <= SEC_CODE; i++) {
		if (!seen[i])
			return fail(l, "no %s section", section_name(i));
		for (j = i + 1; j <= SEC_CODE; j++)
			if (off[i] < off[j] + slen[j] &&
			    off[j] < off[i] + slen[i])
				return fail(l, "sections %s and %s overlap",
					    section_name(i), section_name(j));
	}
	im->codelen = slen[SEC_CODE];
	{
		uint8_t *code = arena_alloc(&im->arena, im->codelen + 1);
		if (!code)
			return fail(l, "out of memory");
		memcpy(code, data + off[SEC_CODE], im->codelen);
		im->code = code;
	}
	if (load_pool(l, data + off[SEC_POOL], slen[SEC_POOL],
		      off[SEC_POOL]) < 0)
		return -1;
	if (load_rules(l, data + off[SEC_RULES], slen[SEC_RULES]) < 0)
		return -1;
	return img_verify_image(l->im, l->err, l->errlen);
}

int
img_load(const uint8_t *data, size_t len, struct image *out, char *err,
	 size_t errlen)
{
	struct ld l = { out, err, errlen, false };

	memset(out, 0, sizeof *out);
	arena_init(&out->arena, NULL);
	if (errlen)
		err[0] = '\0';
	if (load(&l, data, len) < 0) {
		/* out of memory anywhere (the verifier's too) is that, not
		 * a fault of the image */
		if (errlen && strstr(err, "out of memory"))
			snprintf(err, errlen, "out of memory");
		img_free(out);
		return -1;
	}
	return 0;
}

void
img_free(struct image *im)
{
	arena_release(&im->arena);
	memset(im, 0, sizeof *im);
}
