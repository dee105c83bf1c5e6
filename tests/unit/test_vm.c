/*
 * test_vm.c - the bytecode image (src/vm): hand-built and compiled images
 * round-trip through the writer, the loader and the disassembler; the
 * loader refuses damaged images with a message; and no single-byte change
 * to an image crashes the loader, the disassembler or the replay engine.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rulec.h"
#include "sema/ir.h"
#include "sema/rule.h"
#include "replay/engine.h"
#include "report/match.h"
#include "vm/image.h"
#include "vm/interp.h"
#include "pattern/regex.h"

#include "image_events.h"

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
 * `code`, with rule flags `flags` and timestamp override `ts` (NULL:
 * none; its string comes last in the pool). */
static void
build_rule(struct strbuf *out, const uint8_t *code, size_t len,
	   uint8_t flags, const char *ts)
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
	r.window_ms = -1;
	r.id = img_add_str(&b, "r1", 2);
	r.name = IMG_NONE;
	r.file = IMG_NONE;
	r.kind = Q_EVENT;
	r.nstages = 1;
	r.maxspan_ms = -1;
	r.stages = &st;
	r.flags = flags;
	if (ts)
		r.tsfield = img_add_str(&b, ts, strlen(ts));
	img_add_rule(&b, &r);
	assert_int_equal(img_write(&b, out), 0);
	img_builder_free(&b);
}

static void
build_with(struct strbuf *out, const uint8_t *code, size_t len)
{
	build_rule(out, code, len, 0, NULL);
}

/* process.name == "cmd.exe" (ci) */
static const uint8_t small_code[] = {
	OPC_PUSH_FIELD, 0, 0, 0, 0,
	OPC_PUSH_CONST, 1, 0, 0, 0,
	OPC_CMP_EQ, IMG_CI,
	OPC_RET,
};

static const char small_disasm[] =
	"image version 4: 6 pool entries, 1 rules, 13 bytes of code\n"
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

/* The rule flags: no fallback with an override loads and shows in the
 * listing; without an override, or an unknown bit, is refused. */
static void
t_rule_flags(void **state)
{
	struct strbuf sb = STRBUF_INIT, dis = STRBUF_INIT;
	struct image im;
	char err[256];

	(void)state;
	build_rule(&sb, small_code, sizeof small_code, RULE_TS_NO_FALLBACK,
		   "event.ingested");
	assert_int_equal(img_load((const uint8_t *)sb.data, sb.len, &im, err,
				  sizeof err), 0);
	assert_int_equal(im.rules[0].flags, RULE_TS_NO_FALLBACK);
	img_disasm(&im, &dis);
	if (!strstr(dis.data, "timestamp-field \"event.ingested\" "
		    "no-timestamp-fallback\n"))
		fail_msg("listing:\n%s", dis.data);
	img_free(&im);
	sb_free(&sb);
	sb_free(&dis);

	build_rule(&sb, small_code, sizeof small_code, RULE_TS_NO_FALLBACK,
		   NULL);
	assert_int_equal(try_load((const uint8_t *)sb.data, sb.len, err,
				  sizeof err), -1);
	assert_string_equal(err, "rule 0: no timestamp fallback, but no "
			    "timestamp override");
	sb_free(&sb);

	build_rule(&sb, small_code, sizeof small_code, 2, "event.ingested");
	assert_int_equal(try_load((const uint8_t *)sb.data, sb.len, err,
				  sizeof err), -1);
	if (!strstr(err, "rule 0: unknown flags 0x2"))
		fail_msg("message \"%s\"", err);
	sb_free(&sb);
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
					     NULL, -1 };

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
	r.window_ms = -1;
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
	r.window_ms = -1;
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

/* ---- running images ---- */



struct runner {
	char path[32];          /* image_events, written once */
	FILE *out;              /* results and diagnostics: /dev/null */
};

/* Writes the events file (mkstemp) and opens the sink. */
static void
runner_init(struct runner *rn)
{
	FILE *f;
	int fd;

	snprintf(rn->path, sizeof rn->path, "/tmp/test_vm.XXXXXX");
	fd = mkstemp(rn->path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(image_events_write(f), 0);
	assert_int_equal(fclose(f), 0);
	rn->out = fopen("/dev/null", "w");
	assert_non_null(rn->out);
}

static void
runner_free(struct runner *rn)
{
	unlink(rn->path);
	fclose(rn->out);
}

/* The engine's callbacks: a result as its JSON line, a malformed record
 * as a line of text, on the FILE * passed as ud. */
static void
write_match(void *ud, const struct replay_match *m)
{
	struct strbuf sb = STRBUF_INIT;

	match_json(m, &sb);
	assert_false(sb.oom);
	fwrite(sb.data, 1, sb.len, ud);
	sb_free(&sb);
}

static void
write_error(void *ud, const struct replay_input_error *ie)
{
	fprintf(ud, "%s:%llu: error: %s\n", ie->path,
		(unsigned long long)ie->line, ie->msg);
}

/*
 * Replays the events through `im`, writing to `out`.  The engine may
 * decline an image it cannot run (a pattern that no longer compiles), but
 * only with a message: returns false then.  Otherwise the whole input is
 * read, pending results decided and everything released, and the
 * malformed-record count must not depend on the image.  `st` and
 * `results` (per rule), when not NULL, receive the counts.
 */
static bool
run_image(const struct runner *rn, const struct image *im, FILE *out,
	  struct replay_stats *st, uint64_t *results)
{
	uint32_t i;
	struct replay_opts o;
	struct replay *e;
	char err[256];

	replay_opts_init(&o);
	err[0] = '\0';
	e = replay_new(im, &o, write_match, out, err, sizeof err);
	if (!e) {
		if (!err[0])
			fail_msg("replay_new declined without a message");
		return false;
	}
	assert_int_equal(replay_feed(e, rn->path, write_error, rn->out),
			 IMAGE_BAD_EVENTS);
	assert_int_equal(replay_finish(e, NULL, NULL), 0);
	if (st)
		replay_stats(e, st);
	for (i = 0; results && i < im->nrules; i++)
		results[i] = replay_rule_stats(e, i)->results;
	replay_free(e);
	return true;
}

/*
 * An image compiled from rule text through the public interface, for
 * what the hand-built images lack: a sequence with join keys, maxspan,
 * runs, a missing middle stage, until and a tail pipe; a sample; an event
 * query with a head pipe, a regex, an optional field and a function; a
 * sequence with a leading missing stage and the rule's own category,
 * timestamp and tiebreaker fields and look-back; an ESET rule with
 * parent and ancestor conditions (the process table); an ESET sequence
 * with a repeat count.  Returns the image (malloc'd).
 */
static unsigned char *
build_compiled(size_t *len)
{
	static const char seq[] =
		"sequence by host.id with maxspan=1m\n"
		"  [process where process.name : (\"cmd.exe\", \"power*.exe\")"
		" and process.args like~ \"-enc*\"] by user.name with runs=2\n"
		"  ![file where file.extension == \"tmp\"] by user.name\n"
		"  [network where destination.port in (80, 443) and\n"
		"   cidrMatch(source.ip, \"10.0.0.0/8\", \"fe80::/10\")]"
		" by user.name\n"
		"until [process where event.type == \"end\"] by user.name\n"
		"| tail 3\n";
	static const char sample[] =
		"sample by host.id\n"
		"  [process where process.name regex~ \"[a-z]+\\\\.exe\"]"
		" by process.pid\n"
		"  [network where destination.port > 1000] by process.pid\n";
	static const char head[] =
		"any where process.pid + 1 >= 5 and\n"
		"  not process.title in (\"a\", \"b\", \"c\") and\n"
		"  length(process.name) > 2 and\n"
		"  endsWith~(process.name, \".EXE\") and\n"
		"  ?process.Ext.x == null\n"
		"| head 2\n";
	static const char own[] =
		"{\"rule_id\": \"o-1\", \"name\": \"Own fields\","
		" \"severity\": \"low\", \"risk_score\": 21,"
		" \"from\": \"now-9m\","
		" \"event_category_override\": \"event.kind\","
		" \"timestamp_override\": \"event.created\","
		" \"tiebreaker_field\": \"event.sequence\","
		" \"query\": \"sequence with maxspan=30s"
		" ![process where process.name == \\\"x.exe\\\"]"
		" by process.entity_id"
		" [process where stringContains~(process.command_line,"
		" \\\"ENC\\\")] by process.entity_id"
		" [process where process.pid < 100] by process.entity_id\"}";
	static const char desc[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rule>\n"
		"  <description><name>%s</name><category>Test</category>"
		"<severity>50</severity><os>Windows</os></description>\n"
		"  <definition>\n%s  </definition>\n%s</rule>\n";
	static const char anc[] =
		"    <parentprocess><condition component=\"FileItem\" "
		"property=\"FileName\" condition=\"is\" "
		"value=\"explorer.exe\"/></parentprocess>\n"
		"    <ancestor distance=\"2\" unique=\"true\"><condition "
		"component=\"FileItem\" property=\"FileName\" condition=\"is\" "
		"value=\"userinit.exe\"/></ancestor>\n"
		"    <process><condition component=\"FileItem\" "
		"property=\"FileName\" condition=\"is\" value=\"WINWORD.EXE\"/>"
		"</process>\n"
		"    <operations><operation type=\"CreateProcess\"><condition "
		"component=\"FileItem\" property=\"FileName\" "
		"condition=\"starts\" value=\"cmd\"/></operation>"
		"</operations>\n";
	static const char det[] =
		"      <detection><definition><operations><operation "
		"type=\"Detection\"><condition component=\"InspectDetection\" "
		"property=\"RuleName\" condition=\"contains\" value=\"%s\"/>"
		"</operation></operations></definition></detection>\n";
	static const char *const names[6] = {
		"seq.eql", "sample.eql", "head.eql", "own.json", "anc.xml",
		"rep.xml"
	};
	const char *text[6] = { seq, sample, head, own, NULL, NULL };
	rulec_ctx *ctx = rulec_ctx_new();
	char xa[2048], xr[2048], a[512], b[512], body[1536], err[256];
	unsigned char *img;
	size_t i;
	int n;

	assert_non_null(ctx);
	snprintf(xa, sizeof xa, desc, "Word spawns a shell [T0001]", anc,
		 "  <maliciousTarget name=\"current\"/>\n  <actions><action "
		 "name=\"TriggerDetection\"/></actions>\n");
	snprintf(a, sizeof a, det, "rundll32");
	snprintf(b, sizeof b, det, "regsvr32");
	snprintf(body, sizeof body, "    <sequence count=\"2\" "
		 "maxSpan=\"1m\">\n%s%s      <aggregateOn><property "
		 "name=\"Computer\"/><property name=\"Process\"/>"
		 "</aggregateOn>\n    </sequence>\n", a, b);
	snprintf(xr, sizeof xr, desc, "Two detections [T0006]", body,
		 "  <actions><action name=\"ReportIncident\"/></actions>\n");
	text[4] = xa;
	text[5] = xr;
	for (i = 0; i < 6; i++)
		if (rulec_ctx_load_buffer(ctx, names[i], text[i],
					  strlen(text[i])) != 1)
			fail_msg("%s did not load", names[i]);
	n = rulec_ctx_compile(ctx, &img, len, err, sizeof err);
	if (n != 6)
		fail_msg("compile: %d rules: %s", n, err);
	rulec_ctx_free(ctx);
	return img;
}

/* The compiled image disassembles with everything it is meant to cover,
 * and every rule has a result on image_events. */
static void
t_run_compiled(void **state)
{
	struct runner rn;
	struct strbuf dis = STRBUF_INIT, sb = STRBUF_INIT;
	struct replay_stats st;
	struct image im;
	uint64_t results[6];
	unsigned char *img;
	size_t len;
	char err[256];
	FILE *out;
	uint32_t i;
	int c;

	(void)state;
	runner_init(&rn);
	img = build_compiled(&len);
	if (img_load(img, len, &im, err, sizeof err) != 0)
		fail_msg("load: %s", err);
	img_disasm(&im, &dis);
	assert_has(dis.data, "rule 0: sequence file \"seq.eql\" maxspan "
		   "60000ms | tail 3\n");
	assert_has(dis.data, "stage 0: category \"process\" runs 2");
	assert_has(dis.data, "stage 1: category \"file\" missing");
	assert_has(dis.data, "until 3: category \"process\"");
	assert_has(dis.data, "key 1:");
	assert_has(dis.data, "cidr [10.0.0.0/8, fe80::/10]");
	assert_has(dis.data, "set [80, 443]");
	assert_has(dis.data, "patterns wildcard ci [\"cmd.exe\", "
		   "\"power*.exe\"]");
	assert_has(dis.data, "rule 1: sample");
	assert_has(dis.data, "patterns regex ci");
	assert_has(dis.data, "rule 2: event file \"head.eql\" | head 2\n");
	assert_has(dis.data, "field process.Ext.x optional");
	assert_has(dis.data, "category-field \"event.kind\" timestamp-field "
		   "\"event.created\" tiebreaker-field \"event.sequence\"");
	assert_has(dis.data, "stage 0: category \"process\" missing");
	assert_has(dis.data, "ancestor distance 3 skip 0 unique\n");
	assert_has(dis.data, "file \"rep.xml\" maxspan 60000ms repeat 2");
	sb_free(&dis);

	out = tmpfile();
	assert_non_null(out);
	assert_int_equal(im.nrules, 6);
	assert_true(run_image(&rn, &im, out, &st, results));
	assert_int_equal(st.events, 17);
	assert_int_equal(st.bad_events, IMAGE_BAD_EVENTS);
	assert_int_equal(st.late_events, 1);
	for (i = 0; i < im.nrules; i++)
		if (results[i] == 0)
			fail_msg("rule %u has no result", i);
	rewind(out);
	while ((c = getc(out)) != EOF)
		sb_putc(&sb, (char)c);
	fclose(out);
	/* the sequence: runs, the missing stage, the out-of-order event */
	assert_has(sb.data, "\"events\":[{\"id\":\"e5\",\"index\":4,"
		   "\"timestamp\":\"2024-05-01T10:00:04.000Z\"},"
		   "{\"id\":\"e4\"");
	assert_has(sb.data, "{\"missing\":true");
	sb_free(&sb);
	img_free(&im);
	free(img);
	runner_free(&rn);
}

struct mcount {
	unsigned refused;       /* the loader said why */
	unsigned ran;           /* loaded, disassembled and ran */
	unsigned declined;      /* loaded, but the engine said why not */
};

/* Every single-byte change of `img` (to each of 8 values): refused with a
 * message, or it loads, disassembles and runs on the events (or the
 * engine declines it with a message); never a crash, a leak or a
 * sanitizer report (run under ASan/UBSan).  With `recrc` the CRC is made
 * right after each change, so that the change reaches the sections. */
static void
mutate_all(const struct runner *rn, const uint8_t *img, size_t len,
	   bool recrc, struct mcount *mc)
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
				if (run_image(rn, &im, rn->out, NULL, NULL))
					mc->ran++;
				else
					mc->declined++;
				img_free(&im);
			} else {
				assert_true(err[0] != '\0' &&
					    strcmp(err, "x") != 0);
				mc->refused++;
			}
		}
	}
	free(p);
}

/* Mutates one image with and without the CRC made right; prints the
 * counts of the second pass. */
static void
mutate_image(const struct runner *rn, const char *what, const uint8_t *img,
	     size_t len)
{
	struct mcount a = { 0, 0, 0 }, b = { 0, 0, 0 };

	mutate_all(rn, img, len, false, &a);
	assert_true(a.refused > 0);
	mutate_all(rn, img, len, true, &b);
	print_message("%s (%zu bytes): CRC as is: %u refused, %u ran, %u "
		      "declined; CRC fixed: %u refused, %u ran, %u declined\n",
		      what, len, a.refused, a.ran, a.declined, b.refused,
		      b.ran, b.declined);
	assert_true(b.ran > 0);
	assert_true(b.refused > 0);
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
	struct runner rn;
	struct strbuf sb = STRBUF_INIT;
	unsigned char *img;
	size_t len;
	char err[256];

	(void)state;
	runner_init(&rn);
	/* process.name and (process.name in~ ("a", 1)) != 7 */
	build_with(&sb, code, sizeof code);
	assert_int_equal(try_load((const uint8_t *)sb.data, sb.len, err,
				  sizeof err), 0);
	mutate_image(&rn, "small image", (const uint8_t *)sb.data, sb.len);
	sb_free(&sb);
	/* every kind of pool entry */
	build_rich(&sb);
	mutate_image(&rn, "rich image", (const uint8_t *)sb.data, sb.len);
	sb_free(&sb);
	/* compiled rules: sequences, a sample, pipes, ESET */
	img = build_compiled(&len);
	mutate_image(&rn, "compiled image", img, len);
	free(img);
	runner_free(&rn);
}


/* ---- rules past the engine's limits (issue 15) ---- */

static void
count_match(void *ud, const struct replay_match *m)
{
	assert_int_equal(m->rule, 2);
	(*(int *)ud)++;
}

/*
 * An image whose rule 0 matches a pattern list too large for the
 * automaton and whose rule 1 has 65 join keys still loads; the replay
 * leaves those two out, says why, and runs rule 2.
 */
static void
t_rules_past_limits(void **state)
{
	static const uint8_t key_code[] = {
		OPC_PUSH_FIELD, 0, 0, 0, 0, OPC_RET
	};
	static const char ev[] =
		"{\"event\":{\"category\":\"process\"},"
		"\"process\":{\"name\":\"CMD.exe\"}}\n";
	struct img_builder b;
	struct strbuf sb = STRBUF_INIT, code = STRBUF_INIT;
	struct img_str *pats;
	struct img_stage st[3];
	struct img_block keys[65];
	struct img_rule r[3];
	struct image im;
	struct replay_opts o;
	struct replay *e;
	char err[256], *buf;
	uint32_t pp, i;
	int n = 0;

	(void)state;
	img_builder_init(&b);
	assert_int_equal(img_add_field(&b, "process.name", 12, 0, 0, 0, 0),
			 0);
	assert_int_equal(img_add_str(&b, "cmd.exe", 7), 1);
	/* 3,000 distinct wildcards of 100 characters: past the NFA cap */
	pats = calloc(3000, sizeof *pats);
	buf = malloc(3000 * 101);
	assert_true(pats && buf);
	for (i = 0; i < 3000; i++) {
		char *p = buf + (size_t)i * 101;
		int k;

		memset(p, 'a' + (int)(i % 26), 100);
		k = snprintf(p, 12, "%u*", i);
		p[k] = 'z';
		pats[i].s = p;
		pats[i].len = 100;
	}
	pp = img_add_patterns(&b, 0, false, pats, 3000);
	memset(st, 0, sizeof st);
	memset(r, 0, sizeof r);
	img_emit(&code, OPC_PUSH_FIELD, 0, 0, 0);
	img_emit(&code, OPC_MATCH, pp, 0, 0);
	img_emit(&code, OPC_RET, 0, 0, 0);
	st[0].code.off = img_add_code(&b, code.data, code.len);
	st[0].code.len = (uint32_t)code.len;
	st[1].code.off = img_add_code(&b, small_code, sizeof small_code);
	st[1].code.len = sizeof small_code;
	st[1].nkeys = 65;
	st[1].keys = keys;
	for (i = 0; i < 65; i++) {
		keys[i].off = img_add_code(&b, key_code, sizeof key_code);
		keys[i].len = sizeof key_code;
	}
	st[2].code = st[1].code;
	for (i = 0; i < 3; i++) {
		st[i].category = img_add_str(&b, "process", 7);
		st[i].runs = 1;
		r[i].catfield = r[i].tsfield = r[i].tbfield = IMG_NONE;
		r[i].repeat = 1;
		r[i].window_ms = r[i].maxspan_ms = -1;
		r[i].id = r[i].name = IMG_NONE;
		r[i].file = img_add_str(&b, "x.eql", 5);
		r[i].kind = i == 1 ? Q_SEQUENCE : Q_EVENT;
		r[i].nstages = 1;
		r[i].stages = &st[i];
		img_add_rule(&b, &r[i]);
	}
	assert_int_equal(img_write(&b, &sb), 0);
	assert_int_equal(img_load((const uint8_t *)sb.data, sb.len, &im, err,
				  sizeof err), 0);
	assert_null(im.rules[0].refused);       /* known at run time */
	assert_non_null(im.rules[1].refused);
	assert_has(im.rules[1].refused, "65 join keys");
	replay_opts_init(&o);
	e = replay_new(&im, &o, count_match, &n, err, sizeof err);
	if (!e)
		fail_msg("replay_new: %s", err);
	assert_non_null(replay_rule_refused(e, 0));
	assert_has(replay_rule_refused(e, 0), "pattern");
	assert_has(replay_rule_refused(e, 1), "65 join keys");
	assert_null(replay_rule_refused(e, 2));
	assert_int_equal(replay_feed_buffer(e, "ev", ev, sizeof ev - 1, NULL,
					    NULL), 0);
	assert_int_equal(replay_finish(e, NULL, NULL), 0);
	assert_int_equal(n, 1);
	replay_free(e);
	img_free(&im);
	img_builder_free(&b);
	sb_free(&sb);
	sb_free(&code);
	free(pats);
	free(buf);
}

/* The value the host hands the interpreter for every field. */
static const char *host_value;

static void
host_field(void *h, uint32_t f, struct vm_val *out)
{
	(void)h;
	(void)f;
	out->k = VK_STR;
	out->ver = 0;
	out->u.s.s = host_value;
	out->u.s.n = (uint32_t)strlen(host_value);
}

/* Pattern lists are compiled on first use, behind their pre-filters:
 * the answers are those of the lists compiled up front; lists whose text
 * cannot show that they compile are compiled when the runtime is built,
 * so one that does not compile is refused then, before any event. */
static void
t_lazy_patterns(void **state)
{
	static const struct { uint8_t mode, ci, n; const char *p[3]; } l[] = {
		{ 0, 1, 2, { "*\\cmd.exe", "powershell*" } },
		{ 0, 0, 2, { "ab?", "*xyz" } },
		{ 1, 0, 1, { "[a-c]+z" } },
		{ 0, 0, 1, { "a\xff*" } },      /* invalid UTF-8 */
		{ 1, 0, 1, { "a(b" } },         /* unclosed group */
		{ 0, 1, 1, { "\xcf\x83*" } },   /* σ, folding with Σ and ς */
	};
	static const char *const inputs[] = {
		"", "c:\\windows\\CMD.EXE", "cmd.exe", "PowerShell.exe", "abc",
		"ab", "abxyz", "xyz", "aabz", "z", "a\xff", "\xce\xa3x",
		"\xcf\x82", "powershell", "\\cmd.exe", "abcz",
	};
	enum { NL = sizeof l / sizeof *l, NI = sizeof inputs / sizeof *inputs };
	struct img_builder b;
	struct strbuf sb = STRBUF_INIT, code[NL];
	struct img_stage st[NL];
	struct img_rule r[NL];
	struct img_str v[3];
	struct rx *eager[NL];
	struct vm_pattern_stats ps;
	struct vm_host host = { host_field, NULL, NULL, false };
	struct image im;
	struct vm_rt *rt;
	struct replay_opts o;
	struct replay *e;
	char err[256];
	uint32_t pl[NL];
	size_t i, k;
	int n = 0;

	(void)state;
	img_builder_init(&b);
	assert_int_equal(img_add_field(&b, "process.name", 12, 0, 0, 0, 0),
			 0);
	memset(st, 0, sizeof st);
	memset(r, 0, sizeof r);
	for (i = 0; i < NL; i++) {
		struct rx_pattern p[3];

		for (k = 0; k < l[i].n; k++) {
			v[k].s = l[i].p[k];
			v[k].len = (uint32_t)strlen(l[i].p[k]);
			p[k].s = v[k].s;
			p[k].len = v[k].len;
			p[k].kind = l[i].mode ? RX_LUCENE : RX_WILDCARD;
		}
		pl[i] = img_add_patterns(&b, l[i].mode, l[i].ci, v, l[i].n);
		eager[i] = rx_compile(p, l[i].n, l[i].ci ? RX_CI : 0, NULL, 0,
				      NULL, NULL);
		memset(&code[i], 0, sizeof code[i]);
		img_emit(&code[i], OPC_PUSH_FIELD, 0, 0, 0);
		img_emit(&code[i], OPC_MATCH, pl[i], 0, 0);
		img_emit(&code[i], OPC_RET, 0, 0, 0);
		st[i].code.off = img_add_code(&b, code[i].data, code[i].len);
		st[i].code.len = (uint32_t)code[i].len;
		st[i].category = img_add_str(&b, "process", 7);
		st[i].runs = 1;
		r[i].catfield = r[i].tsfield = r[i].tbfield = IMG_NONE;
		r[i].repeat = 1;
		r[i].window_ms = r[i].maxspan_ms = -1;
		r[i].id = r[i].name = IMG_NONE;
		r[i].file = img_add_str(&b, "x.eql", 5);
		r[i].kind = Q_EVENT;
		r[i].nstages = 1;
		r[i].stages = &st[i];
		img_add_rule(&b, &r[i]);
	}
	assert_null(eager[3]);
	assert_null(eager[4]);
	assert_int_equal(img_write(&b, &sb), 0);
	assert_int_equal(img_load((const uint8_t *)sb.data, sb.len, &im, err,
				  sizeof err), 0);
	rt = vm_rt_new(&im, err, sizeof err);
	if (!rt)
		fail_msg("vm_rt_new: %s", err);
	vm_pattern_stats(rt, &ps);
	assert_int_equal(ps.lists, NL);
	assert_int_equal(ps.eager, 3);          /* the two regexes, the \xff */
	assert_int_equal(ps.compiled, 1);       /* only [a-c]+z compiles */
	for (i = 0; i < NL; i++) {
		const char *why = vm_block_refused(rt, &im.rules[i].stages[0].code);
		if (i == 3 || i == 4) {
			assert_non_null(why);
			assert_has(why, "pattern 1 of a list of 1");
		} else {
			assert_null(why);
		}
	}
	/* the same answers as the lists compiled up front */
	for (k = 0; k < NI; k++)
		for (i = 0; i < NL; i++) {
			const char *s = inputs[k];
			bool want = eager[i] && rx_match(eager[i], s, strlen(s));

			host_value = s;
			if (vm_test(rt, &im.rules[i].stages[0].code, &host) !=
			    want)
				fail_msg("list %zu on \"%s\": want %d", i, s,
					 (int)want);
			vm_scratch_reset(rt);
		}
	vm_pattern_stats(rt, &ps);
	assert_int_equal(ps.tests, NI * NL);
	assert_true(ps.filtered > 0);
	assert_int_equal(ps.compiled, 4);       /* the good lists, once each */
	assert_false(vm_rt_oom(rt));
	vm_rt_free(rt);
	/* the replay leaves the rules with a bad list out, from the start */
	replay_opts_init(&o);
	e = replay_new(&im, &o, count_match, &n, err, sizeof err);
	if (!e)
		fail_msg("replay_new: %s", err);
	for (i = 0; i < NL; i++)
		if (i == 3 || i == 4)
			assert_non_null(replay_rule_refused(e, (uint32_t)i));
		else
			assert_null(replay_rule_refused(e, (uint32_t)i));
	replay_free(e);
	for (i = 0; i < NL; i++) {
		rx_free(eager[i]);
		sb_free(&code[i]);
	}
	img_free(&im);
	img_builder_free(&b);
	sb_free(&sb);
}

/* Times print as ISO dates inside the years 0000-9999 and as their
 * number outside, never as a wrapped calendar date. */
static void
t_format_date_range(void **state)
{
	char buf[40];

	(void)state;
	vm_format_date(VM_TIME_MIN, buf, sizeof buf);
	assert_string_equal(buf, "0000-01-01T00:00:00.000Z");
	vm_format_date(VM_TIME_MAX, buf, sizeof buf);
	assert_string_equal(buf, "9999-12-31T23:59:59.999Z");
	vm_format_date(-1, buf, sizeof buf);
	assert_string_equal(buf, "1969-12-31T23:59:59.999Z");
	vm_format_date(INT64_MAX, buf, sizeof buf);
	assert_string_equal(buf, "9223372036854775807");
	vm_format_date(INT64_MIN, buf, sizeof buf);
	assert_string_equal(buf, "-9223372036854775808");
	vm_format_date(VM_TIME_MAX + 1, buf, sizeof buf);
	assert_string_equal(buf, "253402300800000");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(t_opcode_table),
		cmocka_unit_test(t_small_roundtrip),
		cmocka_unit_test(t_rule_flags),
		cmocka_unit_test(t_codegen_event),
		cmocka_unit_test(t_codegen_sequence),
		cmocka_unit_test(t_codegen_json),
		cmocka_unit_test(t_codegen_eset_ancestor),
		cmocka_unit_test(t_rich_roundtrip),
		cmocka_unit_test(t_refuse_ancestor_cycle),
		cmocka_unit_test(t_rules_past_limits),
		cmocka_unit_test(t_lazy_patterns),
		cmocka_unit_test(t_format_date_range),
		cmocka_unit_test(t_refuse_header),
		cmocka_unit_test(t_refuse_code),
		cmocka_unit_test(t_run_compiled),
		cmocka_unit_test(t_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
