/*
 * test_convert_meta.c - the metadata of converted rules (convert/meta.c,
 * convert/forms.c): an ESET description as a Kibana object and a TOML
 * file, a Kibana rule as an ESET <description>, file names.  The query is
 * given, so these do not depend on the query printers.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/json.h"
#include "base/toml.h"
#include "convert/convert.h"
#include "convert/meta.h"
#include "driver/ctx.h"

static const char eset_rule[] =
	"<?xml version='1.0' encoding='UTF-8'?>\n"
	"<rule>\n"
	"  <description>\n"
	"    <name>Rundll32 calls out [A0504b]</name>\n"
	"    <category>Communication</category>\n"
	"    <os>Windows</os>\n"
	"    <severity>48</severity>\n"
	"    <mitreattackid>T1218.011, T1999, T1059.999</mitreattackid>\n"
	"    <explanation>Rundll32 &amp; friends.</explanation>\n"
	"    <benignCauses>Printers.</benignCauses>\n"
	"    <maliciousCauses>Downloaders.</maliciousCauses>\n"
	"    <recommendedActions>Check the parent.</recommendedActions>\n"
	"  </description>\n"
	"  <definition>\n"
	"    <process>\n"
	"      <condition component=\"FileItem\" property=\"FileName\" "
	"condition=\"is\" value=\"rundll32.exe\"/>\n"
	"    </process>\n"
	"  </definition>\n"
	"  <maliciousTarget name=\"current\"/>\n"
	"  <actions>\n"
	"    <action name=\"TriggerDetection\"/>\n"
	"    <action name=\"StoreEvent\"/>\n"
	"    <action name=\"KillProcess\"/>\n"
	"  </actions>\n"
	"</rule>\n";

static const char kibana_rule[] =
	"{\"rule_id\":\"0b6d4c1e-6a3f-4c59-9f0e-8d2b7c1a5e01\","
	"\"name\":\"PowerShell <encoded> & more\",\"severity\":\"high\","
	"\"risk_score\":73,\"type\":\"eql\",\"language\":\"eql\","
	"\"description\":\"Encoded commands.\","
	"\"id\":\"server-side\",\"created_at\":\"2024-05-31T12:00:00.000Z\","
	"\"tags\":[\"OS: Windows\"],\"index\":[\"logs-endpoint.events.*\"],"
	"\"false_positives\":[\"Admins\",\"Installers\"],"
	"\"note\":\"## Triage\\n\\nLook.\","
	"\"threat\":[{\"framework\":\"MITRE ATT&CK\",\"tactic\":{\"id\":"
	"\"TA0002\",\"name\":\"Execution\",\"reference\":\"https://attack."
	"mitre.org/tactics/TA0002/\"},\"technique\":[{\"id\":\"T1059\","
	"\"name\":\"Command and Scripting Interpreter\",\"reference\":"
	"\"https://attack.mitre.org/techniques/T1059/\",\"subtechnique\":"
	"[{\"id\":\"T1059.001\",\"name\":\"PowerShell\",\"reference\":"
	"\"https://attack.mitre.org/techniques/T1059/001/\"}]}]}],"
	"\"query\":\"process where process.name == \\\"powershell.exe\\\"\"}";

struct fixture {
	rulec_ctx *ctx;
	struct arena arena;
	struct conv c;
	struct strbuf out;
};

static void
on_diag(void *ud, const rulec_diag *d)
{
	(void)ud;
	(void)d;
}

static struct fixture *
load(const char *name, const char *text)
{
	struct fixture *f = calloc(1, sizeof *f);

	assert_non_null(f);
	f->ctx = rulec_ctx_new();
	assert_non_null(f->ctx);
	rulec_ctx_set_diag_handler(f->ctx, on_diag, NULL);
	rulec_ctx_set_checks(f->ctx, 0);
	rulec_ctx_load_buffer(f->ctx, name, text, strlen(text));
	assert_int_equal(f->ctx->rules.n, 1);
	arena_init(&f->arena, NULL);
	f->c.arena = &f->arena;
	f->c.diags = &f->ctx->sink;
	f->c.eset = f->ctx->eset;
	f->c.schema = f->ctx->schema;
	f->c.drop = false;
	conv_init(&f->c, f->ctx->rules.v[0]);
	f->out = (struct strbuf)STRBUF_INIT;
	return f;
}

static void
unload(struct fixture *f)
{
	sb_free(&f->out);
	conv_free(&f->c);
	arena_release(&f->arena);
	rulec_ctx_free(f->ctx);
	free(f);
}

static const char *
str(const struct json_value *o, const char *key)
{
	const struct json_value *v = json_get(o, key);

	assert_non_null(v);
	assert_int_equal(v->type, JSON_STRING);
	return v->u.str.s;
}

static const struct json_value *
item(const struct json_value *o, const char *key, size_t i)
{
	const struct json_value *v = json_get(o, key);

	assert_non_null(v);
	assert_int_equal(v->type, JSON_ARRAY);
	assert_true(i < v->u.arr.n);
	return v->u.arr.items[i];
}

/* The seed-like ESET rule as a Kibana object: every mapped member. */
static void
eset_to_kibana(void **state)
{
	struct fixture *f = load("r.xml", eset_rule);
	const struct json_value *o, *th, *te;
	struct json_error err;
	const char *note;

	(void)state;
	conv_form_kibana(&f->c, "process where true", &f->out);
	assert_non_null(f->out.data);
	assert_int_equal(f->out.data[f->out.len - 1], '\n');
	assert_null(memchr(f->out.data, '\n', f->out.len - 1));
	o = json_parse(&f->arena, f->out.data, f->out.len, &err);
	assert_non_null(o);
	assert_string_equal(str(o, "name"), "Rundll32 calls out");
	assert_string_equal(str(o, "rule_id"), "A0504b");
	assert_string_equal(str(o, "description"), "Rundll32 & friends.");
	assert_int_equal(json_get(o, "risk_score")->u.num.i, 48);
	assert_string_equal(str(o, "severity"), "high");
	assert_string_equal(str(o, "type"), "eql");
	assert_string_equal(str(o, "language"), "eql");
	assert_string_equal(str(o, "query"), "process where true");
	assert_string_equal(item(o, "index", 0)->u.str.s,
			    "logs-endpoint.events.*");
	assert_string_equal(str(o, "from"), "now-9m");
	assert_string_equal(str(o, "interval"), "5m");
	assert_string_equal(item(o, "false_positives", 0)->u.str.s,
			    "Printers.");
	th = item(o, "threat", 0);
	assert_string_equal(str(th, "framework"), "MITRE ATT&CK");
	assert_string_equal(str(json_get(th, "tactic"), "id"), "TA0005");
	assert_string_equal(str(json_get(th, "tactic"), "reference"),
			    "https://attack.mitre.org/tactics/TA0005/");
	te = item(th, "technique", 0);
	assert_string_equal(str(te, "id"), "T1218");
	assert_string_equal(str(item(te, "subtechnique", 0), "id"),
			    "T1218.011");
	assert_string_equal(str(item(te, "subtechnique", 0), "reference"),
			    "https://attack.mitre.org/techniques/T1218/011/");
	/* T1059 is known, T1059.999 is not: the parent and a reference */
	th = item(o, "threat", 1);
	assert_string_equal(str(json_get(th, "tactic"), "id"), "TA0002");
	te = item(th, "technique", 0);
	assert_string_equal(str(te, "id"), "T1059");
	assert_null(json_get(te, "subtechnique"));
	assert_string_equal(item(o, "references", 0)->u.str.s,
			    "https://attack.mitre.org/techniques/T1999/");
	assert_string_equal(item(o, "references", 1)->u.str.s,
			    "https://attack.mitre.org/techniques/T1059/999/");
	assert_string_equal(item(o, "tags", 0)->u.str.s, "OS: Windows");
	assert_string_equal(item(o, "tags", 1)->u.str.s,
			    "Tactic: Defense Evasion");
	note = str(o, "note");
	assert_non_null(strstr(note, "## Malicious causes\n\nDownloaders."));
	assert_non_null(strstr(note, "## Recommended actions\n\nCheck the "
				     "parent."));
	assert_non_null(strstr(note, "## Conversion (rulec)\n\n- metadata: "
				     "ATT&CK technique T1999 is not in"));
	/* a Kibana alert is a detection with its event: not a loss */
	assert_null(strstr(note, "StoreEvent"));
	assert_non_null(strstr(note, "- metadata: ESET action KillProcess "
				     "has no Kibana counterpart"));
	assert_non_null(strstr(note, "ESET category 'Communication'"));
	unload(f);
}

/* The TOML form reads back as TOML with the same members; a query with
 * ''' in it takes the basic multi-line form. */
static void
eset_to_toml(void **state)
{
	struct fixture *f = load("r.xml", eset_rule);
	const struct json_value *doc, *rule, *md, *th;
	const char *q = "process where process.name == \"a'''b\" and\n"
			"  process.args : \"\\\\x\"";
	struct json_error err;

	(void)state;
	conv_form_toml(&f->c, q, &f->out);
	assert_non_null(f->out.data);
	assert_non_null(strstr(f->out.data, "# rulec: the source rule has "
					    "no dates"));
	doc = toml_parse(&f->arena, f->out.data, f->out.len, &err);
	if (!doc)
		fail_msg("not TOML: %s\n%s", err.message, f->out.data);
	md = json_get(doc, "metadata");
	assert_string_equal(str(md, "creation_date"), "1970/01/01");
	assert_string_equal(str(md, "updated_date"), "1970/01/01");
	assert_string_equal(str(md, "maturity"), "development");
	rule = json_get(doc, "rule");
	assert_string_equal(str(rule, "query"), q);
	assert_string_equal(str(rule, "rule_id"), "A0504b");
	th = item(rule, "threat", 0);
	assert_string_equal(str(item(th, "technique", 0), "id"), "T1218");
	assert_non_null(strstr(f->out.data, "\n[[rule.threat]]\n"));
	assert_non_null(strstr(f->out.data, "\n[rule.threat.tactic]\n"));
	assert_non_null(strstr(f->out.data,
			       "\n[[rule.threat.technique.subtechnique]]\n"));
	sb_free(&f->out);
	/* an ordinary query is a literal string, written as it is */
	conv_form_toml(&f->c, "process where a : \"C:\\\\x\"", &f->out);
	assert_non_null(strstr(f->out.data, "query = '''\nprocess where a : "
					    "\"C:\\\\x\"\n'''\n"));
	unload(f);
}

/* A Kibana rule: carried over to Kibana with its own members, to TOML
 * without the server-side ones, and to an ESET <description>. */
static void
kibana_forms(void **state)
{
	struct fixture *f = load("r.ndjson", kibana_rule);
	const struct json_value *o, *doc;
	struct json_error err;
	const char *s;

	(void)state;
	conv_form_kibana(&f->c, "process where true", &f->out);
	o = json_parse(&f->arena, f->out.data, f->out.len, &err);
	assert_non_null(o);
	assert_string_equal(str(o, "id"), "server-side");
	assert_string_equal(str(o, "note"), "## Triage\n\nLook.");
	assert_string_equal(str(o, "query"), "process where true");
	sb_free(&f->out);
	conv_form_toml(&f->c, "process where true", &f->out);
	doc = toml_parse(&f->arena, f->out.data, f->out.len, &err);
	assert_non_null(doc);
	assert_null(json_get(json_get(doc, "rule"), "id"));
	assert_null(json_get(json_get(doc, "rule"), "created_at"));
	assert_string_equal(str(json_get(doc, "metadata"), "creation_date"),
			    "2024/05/31");
	assert_null(strstr(f->out.data, "# rulec: the source rule has no"));
	sb_free(&f->out);
	conv_meta_to_eset(&f->c, &f->out);
	s = f->out.data;
	assert_non_null(s);
	assert_non_null(strstr(s, "  <description>\n    <name>PowerShell "
				  "&lt;encoded&gt; &amp; more [0b6d4c1e-6a3f-"
				  "4c59-9f0e-8d2b7c1a5e01]</name>\n"));
	assert_non_null(strstr(s, "<category>Execution</category>"));
	assert_non_null(strstr(s, "<os>Windows</os>"));
	assert_non_null(strstr(s, "<severity>73</severity>"));
	assert_non_null(strstr(s, "<mitreattackid>T1059.001</mitreattackid>"));
	assert_non_null(strstr(s, "<explanation>Encoded commands."
				  "</explanation>"));
	assert_non_null(strstr(s, "<benignCauses>Admins\nInstallers"
				  "</benignCauses>"));
	assert_non_null(strstr(s, "<recommendedActions>## Triage\n\nLook."
				  "</recommendedActions>"));
	assert_non_null(strstr(s, "  </description>\n"));
	unload(f);
}

/* A bare query: a derived id that stays the same, the file's name. */
static void
bare_query(void **state)
{
	struct fixture *f = load("dir/My Rule.eql", "process where true");
	const struct json_value *o;
	struct json_error err;
	char first[64];
	size_t i;

	(void)state;
	conv_form_kibana(&f->c, "process where true", &f->out);
	o = json_parse(&f->arena, f->out.data, f->out.len, &err);
	assert_non_null(o);
	assert_string_equal(str(o, "name"), "My Rule");
	assert_string_equal(str(o, "description"), "My Rule");
	assert_int_equal(json_get(o, "risk_score")->u.num.i, 47);
	assert_string_equal(str(o, "severity"), "medium");
	assert_null(json_get(o, "index"));
	assert_int_equal(strlen(str(o, "rule_id")), 36);
	for (i = 0; i < 36; i++) {
		char ch = str(o, "rule_id")[i];

		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert_int_equal(ch, '-');
		else
			assert_true((ch >= '0' && ch <= '9') ||
				    (ch >= 'a' && ch <= 'f'));
	}
	snprintf(first, sizeof first, "%s", str(o, "rule_id"));
	sb_free(&f->out);
	conv_form_kibana(&f->c, "process where true", &f->out);
	o = json_parse(&f->arena, f->out.data, f->out.len, &err);
	assert_string_equal(str(o, "rule_id"), first);
	assert_string_equal(conv_file_name(&f->c, CONV_TOML), "My_Rule.toml");
	unload(f);
}

/* File names never leave the folder. */
static void
file_names(void **state)
{
	static const char rule[] =
		"{\"rule_id\":\"../../etc/pass wd\",\"name\":\"x\","
		"\"severity\":\"low\",\"risk_score\":1,"
		"\"query\":\"process where true\"}";
	struct fixture *f = load("r.json", rule);

	(void)state;
	assert_string_equal(conv_file_name(&f->c, CONV_XML),
			    "etc_pass_wd.xml");
	assert_string_equal(conv_file_name(&f->c, CONV_KIBANA),
			    "etc_pass_wd.ndjson");
	unload(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(eset_to_kibana),
		cmocka_unit_test(eset_to_toml),
		cmocka_unit_test(kibana_forms),
		cmocka_unit_test(bare_query),
		cmocka_unit_test(file_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
