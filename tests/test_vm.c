/*
 * test_vm.c - the bytecode image (src/vm): hand-built and compiled images
 * round-trip through the writer, the loader and the disassembler; the
 * loader refuses damaged images with a message; and no single-byte change
 * to an image crashes it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rulec.h"
#include "sema/ir.h"
#include "sema/rule.h"
#include "vm/image.h"

static void
set32(uint8_t *p, uint32_t v)
{
	int i;

	for (i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Recomputes the header CRC of a whole image. */
static void
fix_crc(uint8_t *p, size_t len)
{
	if (len >= IMG_HEADER_SIZE)
		set32(p + 20, img_crc32(p + IMG_HEADER_SIZE,
					len - IMG_HEADER_SIZE));
}

/* An image with pool #0 field process.name (array), #1 string "cmd.exe",
 * #2 set ["a", 1], #3 long 7, and one event rule whose only stage is
 * `code`. */
static void
build_with(struct strbuf *out, const uint8_t *code, size_t len)
{
	struct img_builder b;
	struct img_value set[2];
	struct img_stage st;
	struct img_rule r;

	memset(set, 0, sizeof set);
	set[0].kind = IV_STR;
	set[0].u.s.s = "a";
	set[0].u.s.len = 1;
	set[1].kind = IV_LONG;
	set[1].u.i = 1;
	img_builder_init(&b);
	assert_int_equal(img_add_field(&b, "process.name", 12, FIELD_ARRAY, 0,
				       0, 0), 0);
	assert_int_equal(img_add_str(&b, "cmd.exe", 7), 1);
	assert_int_equal(img_add_set(&b, set, 2), 2);
	assert_int_equal(img_add_long(&b, 7), 3);
	memset(&st, 0, sizeof st);
	st.category = img_add_str(&b, "process", 7);
	st.code.off = img_add_code(&b, code, len);
	st.code.len = (uint32_t)len;
	st.runs = 1;
	memset(&r, 0, sizeof r);
	r.catfield = r.tsfield = r.tbfield = IMG_NONE;
	r.repeat = 1;
	r.id = img_add_str(&b, "r1", 2);
	r.name = IMG_NONE;
	r.file = IMG_NONE;
	r.kind = Q_EVENT;
	r.nstages = 1;
	r.maxspan_ms = -1;
	r.stages = &st;
	img_add_rule(&b, &r);
	assert_int_equal(img_write(&b, out), 0);
	img_builder_free(&b);
}

/* process.name == "cmd.exe" (ci) */
static const uint8_t small_code[] = {
	OPC_PUSH_FIELD, 0, 0, 0, 0,
	OPC_PUSH_CONST, 1, 0, 0, 0,
	OPC_CMP_EQ, IMG_CI,
	OPC_RET,
};

static const char small_disasm[] =
	"image version 2: 6 pool entries, 1 rules, 13 bytes of code\n"
	"  #0    field process.name array\n"
	"  #1    string \"cmd.exe\"\n"
	"  #2    set [\"a\", 1]\n"
	"  #3    long 7\n"
	"  #4    string \"process\"\n"
	"  #5    string \"r1\"\n"
	"rule 0: event id \"r1\"\n"
	"  stage 0: category \"process\" code @0+13, depth 2\n"
	"    0000  push_field #0              ; field process.name array\n"
	"    0005  push_const #1              ; string \"cmd.exe\"\n"
	"    0010  cmp_eq ci\n"
	"    0012  ret\n";

/* Loads `img`; returns the loader's result, printing its message. */
static int
try_load(const uint8_t *p, size_t len, char *err, size_t errlen)
{
	struct image im;
	int rc = img_load(p, len, &im, err, errlen);

	if (rc == 0)
		img_free(&im);
	return rc;
}

/* Expects `code` to be refused with a message containing `want`. */
static void
refuse_code(const uint8_t *code, size_t len, const char *want)
{
	struct strbuf sb = STRBUF_INIT;
	char err[256];

	build_with(&sb, code, len);
	assert_int_equal(try_load((const uint8_t *)sb.data, sb.len, err,
				  sizeof err), -1);
	if (!strstr(err, want))
		fail_msg("message \"%s\" lacks \"%s\"", err, want);
	assert_non_null(strstr(err, "rule 0 stage 0"));
	sb_free(&sb);
}

static void
t_small_roundtrip(void **state)
{
	struct strbuf sb = STRBUF_INIT, dis = STRBUF_INIT;
	struct image im;
	char err[256];

	(void)state;
	build_with(&sb, small_code, sizeof small_code);
	assert_int_equal(img_load((const uint8_t *)sb.data, sb.len, &im, err,
				  sizeof err), 0);
	assert_int_equal(im.npool, 6);
	assert_int_equal(im.nrules, 1);
	assert_int_equal(im.rules[0].stages[0].code.maxdepth, 2);
	img_disasm(&im, &dis);
	assert_string_equal(dis.data, small_disasm);
	img_free(&im);
	sb_free(&sb);
	sb_free(&dis);
}

static void
t_opcode_table(void **state)
{
	struct strbuf doc = STRBUF_INIT;
	unsigned i;

	(void)state;
	assert_string_equal(opcode_table[OPC_JUMP_IF_FALSE_KEEP].name,
			    "jump_if_false_keep");
	assert_int_equal(img_fmt_size(opcode_table[OPC_IN_SET].fmt), 5);
	for (i = 0; i < OPC__COUNT; i++)
		assert_non_null(opcode_table[i].name);
	img_opcode_doc(&doc);
	assert_non_null(strstr(doc.data, "| `ancestor` | u32 pool index |"));
	assert_non_null(strstr(doc.data, "| `call` | u8 function, u8 argc, "
			       "u8 flags | argc | 1 |"));
	sb_free(&doc);
	/* the standard check value of CRC-32 */
	assert_int_equal(img_crc32((const uint8_t *)"123456789", 9),
			 0xCBF43926u);
}

/* ---- compiled from real rules ---- */

/* Loads `text` as file `name`, compiles every rule into one image,
 * reloads it and returns the disassembly (malloc'd). */
static char *
compile_text(const char *name, const char *text, unsigned want_rules)
{
	rulec_ctx *ctx = rulec_ctx_new();
	struct img_builder b;
	struct strbuf sb = STRBUF_INIT, dis = STRBUF_INIT;
	struct image im;
	char err[256];
	size_t i, n;

	assert_non_null(ctx);
	assert_int_equal(rulec_ctx_load_buffer(ctx, name, text, strlen(text)),
			 (int)want_rules);
	n = rulec_ctx_rule_count(ctx);
	assert_int_equal(n, want_rules);
	img_builder_init(&b);
	for (i = 0; i < n; i++) {
		const struct rc_rule *r =
			(const struct rc_rule *)rulec_ctx_rule(ctx, i);

		assert_non_null(r->ir);
		struct vm_rule_info info = { r->meta.id, r->meta.name,
					     r->src ? name : NULL, NULL, NULL,
					     NULL };

		if (vm_compile_query(&b, r->ir, &info, err,
				     sizeof err) != (int)i)
			fail_msg("compile: %s", err);
	}
	assert_int_equal(img_write(&b, &sb), 0);
	img_builder_free(&b);
	if (img_load((const uint8_t *)sb.data, sb.len, &im, err,
		     sizeof err) != 0)
		fail_msg("load: %s", err);
	assert_int_equal(im.nrules, n);
	img_disasm(&im, &dis);
	img_free(&im);
	sb_free(&sb);
	rulec_ctx_free(ctx);
	return sb_take(&dis);
}

#define assert_has(text, s) do {                                          \
		if (!strstr((text), (s)))                                 \
			fail_msg("missing \"%s\" in:\n%s", (s), (text));  \
	} while (0)

static void
t_codegen_event(void **state)
{
	char *d;

	(void)state;
	d = compile_text("q.eql",
			 "process where process.name : \"cmd.exe\" and "
			 "(process.pid > 4 or process.pid + 1 == 10) and "
			 "not process.name in (\"a.exe\", \"B.exe\") and "
			 "process.name like~ (\"*.ps1\", \"x?\") and "
			 "process.name regex \"[a-z]+\\\\.exe\" and "
			 "cidrMatch(source.ip, \"10.0.0.0/8\", \"::1\") and "
			 "startsWith~(process.name, \"c\") and "
			 "endsWith(process.name, \"e\") and "
			 "stringContains(process.name, \"m\") and "
			 "length(process.name) >= 2 and -process.pid < 0",
			 1);
	assert_has(d, "rule 0: event");
	assert_has(d, "category \"process\"");
	assert_has(d, "jump_if_false_keep");
	assert_has(d, "jump_if_true_keep");
	assert_has(d, "0005  match #2                   ; patterns wildcard "
		   "ci [\"cmd.exe\"]\n");
	assert_has(d, "  #1    field process.name keyword\n  #2 ");
	assert_has(d, "cmp_gt");
	assert_has(d, "add");
	assert_has(d, "neg");
	assert_has(d, "in_set");
	assert_has(d, "patterns wildcard ci [\"*.ps1\", \"x?\"]");
	assert_has(d, "patterns regex");
	assert_has(d, "cidr [10.0.0.0/8, ::1/128]");
	assert_has(d, "call startsWith/2 ci");
	assert_has(d, "call endsWith/2");
	assert_has(d, "call stringContains/2");
	assert_has(d, "call length/1");
	assert_has(d, "field process.name");
	assert_has(d, "long 4");
	free(d);
}

static void
t_codegen_sequence(void **state)
{
	char *d;

	(void)state;
	d = compile_text("s.eql",
			 "sequence by host.id with maxspan=5m "
			 "[process where process.name == \"a\"] by user.name "
			 "[network where true] by user.name "
			 "until [process where false]",
			 1);
	assert_has(d, "rule 0: sequence file \"s.eql\" maxspan 300000ms");
	assert_has(d, "stage 0: category \"process\"");
	assert_has(d, "stage 1: category \"network\"");
	assert_has(d, "until 2: category \"process\"");
	assert_has(d, "key 0:");
	assert_has(d, "key 1:");
	assert_has(d, "field host.id");
	assert_has(d, "field user.name");
	free(d);
}

static void
t_codegen_json(void **state)
{
	char *d;

	(void)state;
	d = compile_text("r.json",
			 "{\"rule_id\": \"0f1e2d3c-aaaa-bbbb-cccc-000000000001\","
			 " \"name\": \"Test rule\", \"type\": \"eql\","
			 " \"language\": \"eql\", \"risk_score\": 21,"
			 " \"severity\": \"low\", \"description\": \"d\","
			 " \"query\": \"process where process.pid == 4\"}",
			 1);
	assert_has(d, "id \"0f1e2d3c-aaaa-bbbb-cccc-000000000001\"");
	assert_has(d, "name \"Test rule\"");
	free(d);
}

static void
t_codegen_eset_ancestor(void **state)
{
	char buf[4096], *d;

	(void)state;
	snprintf(buf, sizeof buf,
		 "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
		 "<rule>\n"
		 "  <description><name>Test [T1]</name><category>Test"
		 "</category><os>Windows</os><severity>50</severity>"
		 "<explanation>e</explanation><benignCauses>b</benignCauses>"
		 "<maliciousCauses>m</maliciousCauses><recommendedActions>r"
		 "</recommendedActions><mitreattackid>T1059</mitreattackid>"
		 "</description>\n"
		 "  <definition>\n"
		 "    <ancestor><operator type=\"AND\">\n"
		 "      <condition component=\"FileItem\" property=\"FileName\" "
		 "condition=\"is\" value=\"a.exe\"/>\n"
		 "    </operator></ancestor>\n"
		 "  </definition>\n"
		 "  <maliciousTarget name=\"current\"/>\n"
		 "  <actions><action name=\"TriggerDetection\"/></actions>\n"
		 "</rule>\n");
	d = compile_text("t.xml", buf, 1);
	assert_has(d, "ancestor distance");
	assert_has(d, "ancestor #");
	assert_has(d, "name \"Test [T1]\"");
	free(d);
}

/* An image using every pool entry type: ranges, patterns, a set of every
 * value kind, a double, an ancestor descriptor with its own block, CALL
 * and every jump; two rules, one a sequence with keys and until. */
static void
build_rich(struct strbuf *out)
{
	struct img_builder b;
	struct strbuf code = STRBUF_INIT;
	struct img_value set[5];
	struct img_cidr rng[2];
	struct img_str pats[2] = { { "*.exe", 5 }, { "a?c", 3 } };
	struct img_block anc, keys[1];
	struct img_stage st[3];
	struct img_rule r;
	uint32_t f, fip, ianc, ipat, iset, icidr, idbl;
	size_t j1, j2;

	memset(set, 0, sizeof set);
	set[0].kind = IV_NULL;
	set[1].kind = IV_BOOL;
	set[1].u.b = true;
	set[2].kind = IV_LONG;
	set[2].u.i = -5;
	set[3].kind = IV_DOUBLE;
	set[3].u.d = 2.5;
	set[4].kind = IV_STR;
	set[4].u.s.s = "x";
	set[4].u.s.len = 1;
	memset(rng, 0, sizeof rng);
	rng[0].family = 4;
	rng[0].prefix = 8;
	rng[0].addr[0] = 10;
	rng[1].family = 6;
	rng[1].prefix = 128;
	rng[1].addr[15] = 1;
	img_builder_init(&b);
	f = img_add_field(&b, "process.name", 12, FIELD_OPTIONAL, 0, 0, 0);
	fip = img_add_field(&b, "source.ip", 9, 0, 0, 4, 0);
	iset = img_add_set(&b, set, 5);
	icidr = img_add_cidr(&b, rng, 2);
	ipat = img_add_patterns(&b, 0, true, pats, 2);
	idbl = img_add_double(&b, 1.5);
	/* the ancestor's block: process.name matches */
	img_emit(&code, OPC_PUSH_FIELD, f, 0, 0);
	img_emit(&code, OPC_MATCH, ipat, 0, 0);
	img_emit(&code, OPC_RET, 0, 0, 0);
	anc.off = img_add_code(&b, code.data, code.len);
	anc.len = (uint32_t)code.len;
	code.len = 0;
	ianc = img_add_ancestor(&b, 1, 0, false, anc);
	/* (name in set or ancestor) and cidr(ip) and not is_null(1.5 * 2) */
	img_emit(&code, OPC_PUSH_FIELD, f, 0, 0);
	img_emit(&code, OPC_IN_SET, iset, IMG_CI | IMG_NEG, 0);
	j1 = img_emit(&code, OPC_JUMP_IF_TRUE_KEEP, 0, 0, 0);
	img_emit(&code, OPC_ANCESTOR, ianc, 0, 0);
	img_patch_jump(&code, j1, code.len);
	j2 = img_emit(&code, OPC_JUMP_IF_FALSE_KEEP, 0, 0, 0);
	img_emit(&code, OPC_PUSH_FIELD, fip, 0, 0);
	img_emit(&code, OPC_CIDR, icidr, 0, 0);
	img_emit(&code, OPC_PUSH_CONST, idbl, 0, 0);
	img_emit(&code, OPC_PUSH_CONST, img_add_long(&b, 2), 0, 0);
	img_emit(&code, OPC_MUL, 0, 0, 0);
	img_emit(&code, OPC_IS_NULL, 0, 0, 0);
	img_emit(&code, OPC_NOT, 0, 0, 0);
	img_emit(&code, OPC_CMP_EQ, 0, 0, 0);
	img_patch_jump(&code, j2, code.len);
	img_emit(&code, OPC_RET, 0, 0, 0);
	memset(st, 0, sizeof st);
	st[0].category = IMG_NONE;
	st[0].code.off = img_add_code(&b, code.data, code.len);
	st[0].code.len = (uint32_t)code.len;
	st[0].runs = 1;
	sb_free(&code);
	img_emit(&code, OPC_PUSH_FIELD, f, 0, 0);
	img_emit(&code, OPC_RET, 0, 0, 0);
	keys[0].off = img_add_code(&b, code.data, code.len);
	keys[0].len = (uint32_t)code.len;
	sb_free(&code);
	img_emit(&code, OPC_PUSH_FIELD, f, 0, 0);
	img_emit(&code, OPC_PUSH_CONST, img_add_str(&b, "p", 1), 0, 0);
	img_emit(&code, OPC_CALL, FN_STARTSWITH, 2, IMG_CI);
	img_emit(&code, OPC_RET, 0, 0, 0);
	st[1].category = img_add_str(&b, "process", 7);
	st[1].code.off = img_add_code(&b, code.data, code.len);
	st[1].code.len = (uint32_t)code.len;
	st[1].runs = 2;
	st[1].nkeys = 1;
	st[1].keys = keys;
	st[2] = st[1];
	st[2].flags = STAGE_UNTIL | STAGE_MISSING;
	sb_free(&code);
	memset(&r, 0, sizeof r);
	r.catfield = r.tsfield = r.tbfield = IMG_NONE;
	r.repeat = 1;
	r.id = img_add_str(&b, "r1", 2);
	r.name = img_add_str(&b, "one", 3);
	r.file = IMG_NONE;
	r.kind = Q_EVENT;
	r.nstages = 1;
	r.maxspan_ms = -1;
	r.stages = st;
	img_add_rule(&b, &r);
	r.id = IMG_NONE;
	r.kind = Q_SEQUENCE;
	r.nstages = 2;
	r.maxspan_ms = 60000;
	r.stages = st + 1;
	img_add_rule(&b, &r);
	assert_int_equal(img_write(&b, out), 0);
	img_builder_free(&b);
}

static void
t_rich_roundtrip(void **state)
{
	struct strbuf sb = STRBUF_INIT, dis = STRBUF_INIT;
	struct image im;
	char err[256];

	(void)state;
	build_rich(&sb);
	if (img_load((const uint8_t *)sb.data, sb.len, &im, err,
		     sizeof err) != 0)
		fail_msg("load: %s", err);
	img_disasm(&im, &dis);
	assert_has(dis.data, "set [null, true, -5, 2.5, \"x\"]");
	assert_has(dis.data, "cidr [10.0.0.0/8, ::1/128]");
	assert_has(dis.data, "patterns wildcard ci [\"*.exe\", \"a?c\"]");
	assert_has(dis.data, "field source.ip ipv4");
	assert_has(dis.data, "field process.name optional");
	assert_has(dis.data, "ancestor distance 1 skip 0\n");
	assert_has(dis.data, "in_set #2 ci neg");
	assert_has(dis.data, "call startsWith/2 ci");
	assert_has(dis.data, "until 1: category \"process\" runs 2 missing");
	assert_has(dis.data, "rule 1: sequence name \"one\" maxspan 60000ms");
	assert_int_equal(im.rules[0].stages[0].code.maxdepth, 3);
	img_free(&im);
	sb_free(&dis);
	sb_free(&sb);
}

/* An ancestor block may not name its own descriptor (no cycles). */
static void
t_refuse_ancestor_cycle(void **state)
{
	struct img_builder b;
	struct strbuf sb = STRBUF_INIT, code = STRBUF_INIT;
	struct img_block blk;
	struct img_stage st;
	struct img_rule r;
	char err[256];

	(void)state;
	img_builder_init(&b);
	img_emit(&code, OPC_ANCESTOR, 0, 0, 0);     /* itself */
	img_emit(&code, OPC_RET, 0, 0, 0);
	blk.off = img_add_code(&b, code.data, code.len);
	blk.len = (uint32_t)code.len;
	blk.maxdepth = 0;
	assert_int_equal(img_add_ancestor(&b, 0, 0, true, blk), 0);
	memset(&st, 0, sizeof st);
	st.category = IMG_NONE;
	st.code = blk;
	st.runs = 1;
	memset(&r, 0, sizeof r);
	r.catfield = r.tsfield = r.tbfield = IMG_NONE;
	r.repeat = 1;
	r.id = r.name = r.file = IMG_NONE;
	r.nstages = 1;
	r.maxspan_ms = -1;
	r.stages = &st;
	img_add_rule(&b, &r);
	assert_int_equal(img_write(&b, &sb), 0);
	assert_int_equal(try_load((const uint8_t *)sb.data, sb.len, err,
				  sizeof err), -1);
	assert_has(err, "pool entry 0 (ancestor): code at 0: offset 0: "
		   "ancestor: descriptor 0 may not be used here");
	img_builder_free(&b);
	sb_free(&sb);
	sb_free(&code);
}

/* ---- refusals ---- */

static void
t_refuse_header(void **state)
{
	struct strbuf sb = STRBUF_INIT;
	uint8_t *p;
	char err[256];
	size_t len, i;

	(void)state;
	build_with(&sb, small_code, sizeof small_code);
	len = sb.len;
	p = malloc(len);
	assert_non_null(p);

	memcpy(p, sb.data, len);
	p[0] = 'X';
	assert_int_equal(try_load(p, len, err, sizeof err), -1);
	assert_non_null(strstr(err, "bad magic"));

	memcpy(p, sb.data, len);
	p[8] = 1;
	assert_int_equal(try_load(p, len, err, sizeof err), -1);
	assert_non_null(strstr(err, "format version 1"));

	memcpy(p, sb.data, len);
	p[len - 1] ^= 0x40;
	assert_int_equal(try_load(p, len, err, sizeof err), -1);
	assert_non_null(strstr(err, "CRC-32"));

	/* a section pointing past the end (CRC fixed) */
	memcpy(p, sb.data, len);
	set32(p + IMG_HEADER_SIZE + 2 * IMG_SECTION_SIZE + 8, 1000);
	fix_crc(p, len);
	assert_int_equal(try_load(p, len, err, sizeof err), -1);
	assert_non_null(strstr(err, "section 2 (code)"));
	assert_non_null(strstr(err, "outside the image"));

	/* two sections overlapping */
	memcpy(p, sb.data, len);
	memcpy(p + IMG_HEADER_SIZE + 2 * IMG_SECTION_SIZE + 4,
	       p + IMG_HEADER_SIZE + 1 * IMG_SECTION_SIZE + 4, 4);
	fix_crc(p, len);
	assert_int_equal(try_load(p, len, err, sizeof err), -1);
	assert_non_null(strstr(err, "overlap"));

	/* every truncation, each into an exact-size buffer for ASan */
	for (i = 0; i < len; i++) {
		uint8_t *q = malloc(i ? i : 1);

		assert_non_null(q);
		memcpy(q, sb.data, i);
		assert_int_equal(try_load(q, i, err, sizeof err), -1);
		assert_true(err[0] != '\0');
		free(q);
	}
	free(p);
	sb_free(&sb);
}

static void
t_refuse_code(void **state)
{
	static const uint8_t bad_op[] = { OPC_PUSH_TRUE, 200, OPC_RET };
	static const uint8_t bad_idx[] = { OPC_PUSH_FIELD, 9, 0, 0, 0,
					   OPC_RET };
	static const uint8_t bad_type[] = { OPC_PUSH_FIELD, 1, 0, 0, 0,
					    OPC_RET };
	static const uint8_t bad_set[] = { OPC_PUSH_FIELD, 0, 0, 0, 0,
					   OPC_IN_SET, 3, 0, 0, 0, 0,
					   OPC_RET };
	static const uint8_t mid_jump[] = { OPC_PUSH_TRUE,
					    OPC_JUMP, 1, 0, 0, 0,
					    OPC_PUSH_FIELD, 0, 0, 0, 0,
					    OPC_CMP_EQ, 0, OPC_RET };
	static const uint8_t back_jump[] = { OPC_PUSH_TRUE,
					     OPC_JUMP, 0xfa, 0xff, 0xff, 0xff,
					     OPC_RET };
	static const uint8_t underflow[] = { OPC_NOT, OPC_RET };
	static const uint8_t join[] = { OPC_PUSH_TRUE,
					OPC_JUMP_IF_TRUE_KEEP, 2, 0, 0, 0,
					OPC_PUSH_TRUE, OPC_PUSH_TRUE,
					OPC_RET };
	static const uint8_t two_left[] = { OPC_PUSH_TRUE, OPC_PUSH_TRUE,
					    OPC_RET };
	static const uint8_t off_end[] = { OPC_PUSH_TRUE };
	static const uint8_t short_op[] = { OPC_PUSH_FIELD, 0, 0 };
	static const uint8_t bad_call[] = { OPC_PUSH_TRUE,
					    OPC_CALL, FN_LENGTH, 2, 0,
					    OPC_RET };
	static const uint8_t bad_flags[] = { OPC_PUSH_TRUE, OPC_PUSH_TRUE,
					     OPC_CMP_EQ, 4, OPC_RET };
	static const uint8_t dead[] = { OPC_PUSH_TRUE, OPC_RET,
					OPC_PUSH_TRUE, OPC_RET };

	(void)state;
	refuse_code(bad_op, sizeof bad_op, "offset 1: opcode 200 out of "
		    "range");
	refuse_code(bad_idx, sizeof bad_idx, "offset 0: push_field: pool "
		    "index 9 out of range");
	refuse_code(bad_type, sizeof bad_type, "pool entry 1 is a string");
	refuse_code(bad_set, sizeof bad_set, "in_set: pool entry 3 is a long");
	refuse_code(mid_jump, sizeof mid_jump, "offset 1: jump: target 7 is "
		    "not a later instruction");
	refuse_code(back_jump, sizeof back_jump, "target 0 is not a later");
	refuse_code(underflow, sizeof underflow, "offset 0: not: stack "
		    "underflow");
	refuse_code(join, sizeof join, "offset 8: stack depth 1 here but 2 "
		    "from offset 7");
	refuse_code(two_left, sizeof two_left, "ret with 2 values");
	refuse_code(off_end, sizeof off_end, "runs off the end");
	refuse_code(short_op, sizeof short_op, "operand runs past the end");
	refuse_code(bad_call, sizeof bad_call, "length does not take 2 "
		    "arguments");
	refuse_code(bad_flags, sizeof bad_flags, "unknown flags 0x4");
	refuse_code(dead, sizeof dead, "offset 2: push_true: unreachable");
	refuse_code(NULL, 0, "empty code block");
}

/* Every single-byte change: refused with a message, or loads and then
 * disassembles; never a crash (run under ASan/UBSan). */
static void
mutate_all(const uint8_t *img, size_t len, bool recrc, unsigned *loaded,
	   unsigned *refused)
{
	static const uint8_t vals[] = { 0x00, 0x01, 0x02, 0x7f, 0x80, 0xfe,
					0xff };
	uint8_t *p = malloc(len);
	char err[256];
	size_t i, v;

	assert_non_null(p);
	for (i = 0; i < len; i++) {
		for (v = 0; v < sizeof vals + 1; v++) {
			struct image im;
			uint8_t nv = v < sizeof vals ? vals[v] :
				     (uint8_t)(img[i] ^ 0x01);

			if (nv == img[i])
				continue;
			memcpy(p, img, len);
			p[i] = nv;
			if (recrc && i >= 24)
				fix_crc(p, len);
			err[0] = 'x';
			err[1] = '\0';
			if (img_load(p, len, &im, err, sizeof err) == 0) {
				struct strbuf dis = STRBUF_INIT;

				img_disasm(&im, &dis);
				assert_false(dis.oom);
				sb_free(&dis);
				img_free(&im);
				(*loaded)++;
			} else {
				assert_true(err[0] != '\0' &&
					    strcmp(err, "x") != 0);
				(*refused)++;
			}
		}
	}
	free(p);
}

static void
t_mutations(void **state)
{
	static const uint8_t code[] = {
		OPC_PUSH_FIELD, 0, 0, 0, 0,
		OPC_JUMP_IF_FALSE_KEEP, 18, 0, 0, 0,
		OPC_PUSH_FIELD, 0, 0, 0, 0,
		OPC_IN_SET, 2, 0, 0, 0, IMG_CI,
		OPC_PUSH_CONST, 3, 0, 0, 0,
		OPC_CMP_NE, 0,
		OPC_RET,
	};
	struct strbuf sb = STRBUF_INIT;
	unsigned loaded = 0, refused = 0;
	char err[256];

	(void)state;
	build_with(&sb, code, sizeof code);
	/* process.name and (process.name in~ ("a", 1)) != 7 */
	assert_int_equal(try_load((const uint8_t *)sb.data, sb.len, err,
				  sizeof err), 0);
	mutate_all((const uint8_t *)sb.data, sb.len, false, &loaded,
		   &refused);
	assert_true(refused > 0);
	loaded = refused = 0;
	mutate_all((const uint8_t *)sb.data, sb.len, true, &loaded, &refused);
	print_message("mutations with CRC fixed: %u loaded, %u refused\n",
		      loaded, refused);
	assert_true(loaded > 0);
	assert_true(refused > 0);
	sb_free(&sb);

	/* the same for an image with every kind of entry */
	build_rich(&sb);
	loaded = refused = 0;
	mutate_all((const uint8_t *)sb.data, sb.len, false, &loaded,
		   &refused);
	assert_true(refused > 0);
	loaded = refused = 0;
	mutate_all((const uint8_t *)sb.data, sb.len, true, &loaded, &refused);
	print_message("rich image (%zu bytes), CRC fixed: %u loaded, %u "
		      "refused\n", sb.len, loaded, refused);
	assert_true(loaded > 0);
	sb_free(&sb);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_opcode_table),
		cmocka_unit_test(t_small_roundtrip),
		cmocka_unit_test(t_codegen_event),
		cmocka_unit_test(t_codegen_sequence),
		cmocka_unit_test(t_codegen_json),
		cmocka_unit_test(t_codegen_eset_ancestor),
		cmocka_unit_test(t_rich_roundtrip),
		cmocka_unit_test(t_refuse_ancestor_cycle),
		cmocka_unit_test(t_refuse_header),
		cmocka_unit_test(t_refuse_code),
		cmocka_unit_test(t_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
