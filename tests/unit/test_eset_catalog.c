/*
 * test_eset_catalog.c - the ESET Inspect catalogue (src/sema/eset.c), on
 * the shipped schemas/eset-*.tsv and on small inline catalogues, plus a
 * check that every component, property, operation and action the real
 * rules of the corpus use is known.
 *
 * Usage: test_eset_catalog [SCHEMA_DIR [CORPUS_DIR [SEED_FILE]]]; the
 * defaults are ESET_SCHEMA_DIR, ESET_CORPUS_DIR and ESET_SEED (set by the
 * build; the fallbacks below work from the repository root).  The corpus
 * test is skipped when the corpus folder does not exist.
 */
#ifndef ESET_SCHEMA_DIR
#define ESET_SCHEMA_DIR "schemas"
#endif
#ifndef ESET_CORPUS_DIR
#define ESET_CORPUS_DIR "../shared/corpus/eset-rules"
#endif
#ifndef ESET_SEED
#define ESET_SEED "../shared/corpus/seeds/seed-rundll32-network.xml"
#endif

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "base/arena.h"
#include "sema/eset.h"

enum { NKINDS = 4 };

static const char *const kinds[NKINDS] = {
	"components", "operations", "ecs", "actions"
};

/* The shipped catalogue files, read once by main. */
struct shipped {
	const char *dir;
	const char *corpus;
	const char *seed;
	char *text[NKINDS];
	size_t len[NKINDS];
};

/* Malformed lines reported by eset_catalog_load. */
struct errs {
	unsigned n;
	unsigned line[16];
	char msg[16][200];
};

static void
on_err(void *ud, unsigned line, const char *msg)
{
	struct errs *e = ud;

	assert_true(e->n < 16);
	e->line[e->n] = line;
	snprintf(e->msg[e->n], sizeof e->msg[0], "%s", msg);
	e->n++;
}

/* Prints what went wrong in a shipped file before the test fails. */
static void
on_err_print(void *ud, unsigned line, const char *msg)
{
	fprintf(stderr, "%s:%u: %s\n", (const char *)ud, line, msg);
}

static int
load(struct eset_catalog *c, const char *kind, const char *text,
     struct errs *e)
{
	return eset_catalog_load(c, kind, "inline", text, strlen(text),
				 e ? on_err : NULL, e);
}

/* Each test gets an arena (and the shipped files) from its fixture; the
 * teardown releases the arena even when an assertion fails, so a failing
 * test does not also leak. */
struct fix {
	const struct shipped *sh;
	struct arena a;
};

static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof *f);

	if (!f)
		return -1;
	f->sh = *state;
	arena_init(&f->a, NULL);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fix *f = *state;

	arena_release(&f->a);
	free(f);
	return 0;
}

/* A fresh catalogue with the four shipped files loaded (no bad line). */
static struct eset_catalog *
load_shipped(struct arena *a, const struct shipped *sh)
{
	struct eset_catalog *c = eset_catalog_new(a);
	int i;

	assert_non_null(c);
	for (i = 0; i < NKINDS; i++)
		assert_int_equal(eset_catalog_load(c, kinds[i], kinds[i],
						   sh->text[i], sh->len[i],
						   on_err_print,
						   (void *)kinds[i]), 0);
	return c;
}

static const struct eset_prop *
prop(const struct eset_catalog *c, const char *comp, const char *name)
{
	const struct eset_prop *p = eset_lookup_prop(c, comp, name, NULL);

	if (!p)
		fail_msg("%s.%s not in the catalogue", comp, name);
	return p;
}

static int64_t
constant(const struct eset_prop *p, const char *name)
{
	int64_t v = -1;

	if (!eset_const_lookup(p, name, &v))
		fail_msg("no constant %s in %s.%s", name, p->component,
			 p->property);
	return v;
}

/* The ECS field of p for obj, "-" when the row says none. */
static const char *
ecs_of(const struct eset_prop *p, enum eset_object obj)
{
	const struct eset_map *m = eset_prop_map(p, obj);

	assert_non_null(m);
	return m->ecs ? m->ecs : "-";
}

/* ---- Facts of the shipped catalogue ----------------------------------- */

static void
test_signature_type(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	const struct eset_prop *p;
	int64_t v;

	c = load_shipped(&f->a, f->sh);
	p = prop(c, "Module", "SignatureType");
	assert_int_equal(p->type, ET_ENUM);
	assert_false(p->set);
	assert_string_equal(p->origin, "doc");
	assert_int_equal(p->nconsts, 7);
	assert_string_equal(p->consts[0].name, "Trusted");
	assert_int_equal(constant(p, "Trusted"), 90);
	assert_int_equal(constant(p, "trusted"), 90);
	assert_int_equal(constant(p, "Valid"), 80);
	assert_int_equal(constant(p, "Adhoc"), 75);
	assert_int_equal(constant(p, "None"), 70);
	assert_int_equal(constant(p, "Invalid"), 60);
	assert_int_equal(constant(p, "Unknown"), 50);
	assert_int_equal(constant(p, "Present"), 50);
	assert_false(eset_const_lookup(p, "Trustedd", &v));
	assert_false(eset_const_lookup(p, "90", &v));

	p = prop(c, "ProcessInfo", "IntegrityLevel");
	assert_int_equal(p->type, ET_ENUM);
	assert_int_equal(constant(p, "Protected process"), 20480);
	assert_int_equal(constant(p, "PROTECTED PROCESS"), 20480);
	assert_int_equal(constant(p, "Untrusted"), 0);
	assert_int_equal(constant(p, "System"), 16384);
	assert_false(eset_const_lookup(p, "Protected", NULL));
	assert_false(eset_const_lookup(p, "Protectedprocess", NULL));

	/* symbol-only enums get rulec's own numbers */
	p = prop(c, "Module", "WhiteList");
	assert_int_equal(constant(p, "None"), 0);
	assert_int_equal(constant(p, "Certificate"), 3);
	p = prop(c, "SystemInfo", "SystemType");
	assert_int_equal(constant(p, "Win"), constant(p, "Windows"));
	assert_int_equal(constant(p, "osx"), constant(p, "Apple"));
	assert_true(constant(p, "macos") != constant(p, "Windows"));
	p = prop(c, "SystemInfo", "SystemArchitecture");
	assert_int_equal(constant(p, "amd64"), 64);
	assert_int_equal(constant(p, "x86"), 32);
	/* tables given as Number=Name come out as Name=Number */
	p = prop(c, "Service", "Type");
	assert_int_equal(constant(p, "Win32ServiceOwnProcess"), 16);
	p = prop(c, "UserLogonData", "LogonType");
	assert_int_equal(constant(p, "RemoteInteractive"), 10);
	/* flag set */
	p = prop(c, "OpenProcess", "AccessRight");
	assert_true(p->set);
	assert_int_equal(constant(p, "PROCESS_VM_READ"), 16);
	/* enums documented as plain numbers stay int */
	p = prop(c, "DateTime", "DayOfWeek");
	assert_int_equal(p->type, ET_INT);
	assert_int_equal(p->nconsts, 0);
}

static void
test_ecs_maps(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	const struct eset_prop *p;
	const struct eset_map *m;

	c = load_shipped(&f->a, f->sh);

	p = prop(c, "Network", "IpAddressV4");
	assert_int_equal(p->type, ET_IPV4);
	m = eset_prop_map(p, EO_NETWORK);
	assert_non_null(m);
	assert_string_equal(m->ecs, "destination.ip");
	assert_non_null(m->transform);
	assert_string_equal(m->transform, "ipv4only");
	assert_int_equal(m->xform, EXF_IPV4ONLY);
	assert_null(eset_prop_map(p, EO_PROCESS));
	p = prop(c, "Network", "IpAddressV6");
	assert_int_equal(p->type, ET_IPV6);
	m = eset_prop_map(p, EO_NETWORK);
	assert_string_equal(m->ecs, "destination.ip");
	assert_string_equal(m->transform, "ipv6only");

	p = prop(c, "FileItem", "FileName");
	assert_string_equal(ecs_of(p, EO_PROCESS), "{p}.name");
	assert_string_equal(ecs_of(p, EO_FILE), "file.name");
	assert_string_equal(ecs_of(p, EO_DLL), "dll.name");
	assert_int_equal(eset_prop_map(p, EO_FILE)->exact, EX_EXACT);
	assert_null(eset_prop_map(p, EO_PROCESS)->transform);
	p = prop(c, "FileItem", "Path");
	m = eset_prop_map(p, EO_PROCESS);
	assert_string_equal(m->ecs, "{p}.executable");
	assert_int_equal(m->xform, EXF_DIRNAME);
	assert_int_equal(m->exact, EX_APPROX);
	p = prop(c, "FileItem", "FileNameWithoutExtension");
	assert_int_equal(eset_prop_map(p, EO_FILE)->xform, EXF_STEM);
	assert_string_equal(ecs_of(prop(c, "ProcessInfo", "CommandLine"),
				   EO_PROCESS), "{p}.command_line");
	assert_string_equal(ecs_of(prop(c, "Module", "OriginalFileName"),
				   EO_PROCESS), "{p}.pe.original_file_name");
	assert_string_equal(ecs_of(prop(c, "Module", "SignerName"),
				   EO_PROCESS),
			    "{p}.code_signature.subject_name");
	assert_string_equal(ecs_of(prop(c, "DnsInfo", "DnsQuery"), EO_DNS),
			    "dns.question.name");
	assert_string_equal(ecs_of(prop(c, "Network", "Url"), EO_NETWORK),
			    "url.full");
	m = eset_prop_map(prop(c, "DateTime", "Hour"), EO_EVENT);
	assert_string_equal(m->ecs, "@timestamp");
	assert_int_equal(m->xform, EXF_HOUR);
	assert_string_equal(ecs_of(prop(c, "SystemInfo", "SystemType"),
				   EO_EVENT), "host.os.type");
	assert_int_equal(eset_prop_map(prop(c, "Network", "Inbound"),
				       EO_NETWORK)->xform, EXF_INBOUND);
	m = eset_prop_map(prop(c, "LiveGrid", "Popularity"), EO_PROCESS);
	assert_int_equal(m->exact, EX_NONE);
	assert_null(m->ecs);
}

static void
test_operations(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	const struct eset_op *op;

	c = load_shipped(&f->a, f->sh);

	op = eset_lookup_op(c, "CreateProcess", NULL);
	assert_non_null(op);
	assert_true(eset_op_offers(op, "Module"));
	assert_true(eset_op_offers(op, "FileItem"));
	assert_true(eset_op_offers(op, "module"));
	assert_true(eset_op_offers(op, "DateTime"));
	assert_true(eset_op_offers(op, "EnterpriseInspector"));
	assert_true(eset_op_offers(op, "SystemInfo"));
	assert_false(eset_op_offers(op, "Network"));
	assert_int_equal(op->object, EO_PROCESS);
	assert_string_equal(op->ecs_category, "process");
	assert_string_equal(op->ecs_type, "start");
	assert_string_equal(op->origin, "doc");

	op = eset_lookup_op(c, "TcpIpConnect", NULL);
	assert_non_null(op);
	assert_true(eset_op_offers(op, "Network"));
	assert_false(eset_op_offers(op, "FileItem"));
	assert_int_equal(op->object, EO_NETWORK);
	assert_string_equal(op->ecs_category, "network");
	assert_string_equal(op->ecs_type, "start");

	op = eset_lookup_op(c, "LoadDLL", NULL);
	assert_int_equal(op->object, EO_DLL);
	assert_string_equal(op->ecs_category, "library");
	op = eset_lookup_op(c, "DnsRequest", NULL);
	assert_int_equal(op->object, EO_DNS);
	assert_true(eset_op_offers(op, "DnsInfo"));
	op = eset_lookup_op(c, "WriteFile", NULL);
	assert_int_equal(op->object, EO_FILE);
	assert_string_equal(op->origin, "doc");
	op = eset_lookup_op(c, "RenameFile", NULL);
	assert_true(eset_op_offers(op, "DestFileItem"));
	assert_string_equal(op->origin, "corpus");
	op = eset_lookup_op(c, "ModuleDrop", NULL);
	assert_true(eset_op_offers(op, "Module"));
	assert_true(eset_op_offers(op, "Enterprise"));
	op = eset_lookup_op(c, "WmiQuery", NULL);
	assert_null(op->ecs_category);
	assert_null(op->ecs_type);
	/* the target of OpenProcess/CodeInjection is no process.* of ECS */
	op = eset_lookup_op(c, "OpenProcess", NULL);
	assert_int_equal(op->object, EO_OTHER);
	assert_true(eset_op_offers(op, "OpenProcess"));
	assert_null(eset_lookup_op(c, "CreateProc", NULL));
	assert_int_equal(eset_op_count(c), 31);
	/* only CreateProcess describes a process that ECS puts in process.*
	 * (with the acting process in process.parent.*) */
	{
		size_t i, n = 0;

		for (i = 0; i < eset_op_count(c); i++)
			n += eset_op_at(c, i)->object == EO_PROCESS;
		assert_int_equal(n, 1);
	}
}

static void
test_actions(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	const struct eset_action *act;
	size_t i, seq = 0;

	c = load_shipped(&f->a, f->sh);
	act = eset_lookup_action(c, "IncreaseParentRiskScore", NULL);
	assert_non_null(act);
	assert_true(act->takes_value);
	assert_false(act->sequence_ok);
	assert_string_equal(act->origin, "corpus");
	act = eset_lookup_action(c, "ReportIncident", NULL);
	assert_true(act->sequence_ok);
	assert_false(act->takes_value);
	act = eset_lookup_action(c, "TriggerDetection", NULL);
	assert_false(act->sequence_ok);
	assert_non_null(eset_lookup_action(c, "StoreEvent", NULL));
	assert_non_null(eset_lookup_action(c, "MarkAsScript", NULL));
	assert_int_equal(eset_action_count(c), 23);
	for (i = 0; i < eset_action_count(c); i++)
		seq += eset_action_at(c, i)->sequence_ok;
	assert_int_equal(seq, 1);
	assert_null(eset_action_at(c, i));
}

static void
test_case(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	const struct eset_prop *p;
	bool ex = true;

	c = load_shipped(&f->a, f->sh);
	assert_true(eset_has_component(c, "FileItem", &ex));
	assert_true(ex);
	assert_true(eset_has_component(c, "fileitem", &ex));
	assert_false(ex);
	assert_true(eset_has_component(c, "FileItem", NULL));
	assert_false(eset_has_component(c, "FileItems", &ex));
	assert_false(eset_has_component(c, "", &ex));

	p = eset_lookup_prop(c, "FileItem", "FileName", &ex);
	assert_non_null(p);
	assert_true(ex);
	assert_string_equal(p->property, "FileName");
	p = eset_lookup_prop(c, "FILEITEM", "filename", &ex);
	assert_non_null(p);
	assert_false(ex);
	assert_string_equal(p->component, "FileItem");
	p = eset_lookup_prop(c, "FileItem", "Filename", &ex);
	assert_non_null(p);
	assert_false(ex);
	p = eset_lookup_prop(c, "Scripts", "script", &ex);
	assert_non_null(p);
	assert_true(ex);
	assert_null(eset_lookup_prop(c, "FileItem", "FileName ", NULL));
	assert_null(eset_lookup_prop(c, "FileItem", "", NULL));

	assert_non_null(eset_lookup_op(c, "createprocess", &ex));
	assert_false(ex);
	assert_non_null(eset_lookup_op(c, "CreateProcess", &ex));
	assert_true(ex);
	assert_non_null(eset_lookup_action(c, "triggerDetection", &ex));
	assert_false(ex);
	assert_non_null(eset_lookup_action(c, "TriggerDetection", &ex));
	assert_true(ex);
}

static void
test_wildcard(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	const struct eset_prop *p;
	bool ex = false;

	c = load_shipped(&f->a, f->sh);
	p = eset_lookup_prop(c, "EnterpriseInspector", "AnyThing", &ex);
	assert_non_null(p);
	assert_true(p->wildcard);
	assert_true(ex);
	assert_int_equal(p->type, ET_OTHER);
	assert_string_equal(p->origin, "doc");
	assert_string_equal(p->property, "*");
	assert_non_null(eset_prop_map(p, EO_EVENT));
	p = eset_lookup_prop(c, "enterpriseinspector", "x", &ex);
	assert_non_null(p);
	assert_false(ex);
	assert_non_null(eset_lookup_prop(c, "ServiceProcessInfo", "Pid", NULL));
	assert_non_null(eset_lookup_prop(c, "Endpoint", "ThreatName", NULL));
	/* a component with a property list has no wildcard */
	assert_null(eset_lookup_prop(c, "FileItem", "Sha1", NULL));
	assert_null(eset_lookup_prop(c, "Nothing", "Sha1", NULL));
	/* the '*' row is no suggestion */
	assert_null(eset_suggest_prop(c, "EnterpriseInspector", "*x"));
}

/* Every property has a mapping row, and the rows are consistent. */
static void
test_every_prop_mapped(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	size_t i, j, nwild = 0;

	c = load_shipped(&f->a, f->sh);
	assert_true(eset_prop_count(c) >= 66);
	for (i = 0; i < eset_prop_count(c); i++) {
		const struct eset_prop *p = eset_prop_at(c, i);

		if (p->nmaps == 0)
			fail_msg("%s.%s has no ECS mapping row", p->component,
				 p->property);
		nwild += p->wildcard;
		for (j = 0; j < p->nmaps; j++) {
			const struct eset_map *m = &p->maps[j];

			assert_true((m->exact == EX_NONE) == (m->ecs == NULL));
			if (m->ecs)
				assert_true((strncmp(m->ecs, "{p}.", 4) == 0) ==
					    (m->object == EO_PROCESS));
			assert_true((m->transform == NULL) ==
				    (m->xform == EXF_NONE));
			assert_ptr_equal(eset_prop_map(p, m->object), m);
		}
	}
	assert_int_equal(nwild, 7);
	assert_null(eset_prop_at(c, i));
}

/* Every component an operation names is a known component, spelled alike,
 * and every component is offered by some operation or is usable in the
 * process sections. */
static void
test_op_components_known(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	size_t i, j, k;

	c = load_shipped(&f->a, f->sh);
	for (i = 0; i < eset_op_count(c); i++) {
		const struct eset_op *op = eset_op_at(c, i);
		bool ex = false;

		assert_true(op->ncomponents >= 3);
		for (j = 0; j < op->ncomponents; j++) {
			if (!eset_has_component(c, op->components[j], &ex))
				fail_msg("%s names unknown component %s",
					 op->name, op->components[j]);
			assert_true(ex);
		}
		assert_true(eset_op_offers(op, "DateTime"));
		assert_true(eset_op_offers(op, "EnterpriseInspector"));
		assert_true(eset_op_offers(op, "SystemInfo"));
	}
	for (k = 0; k < eset_component_count(c); k++) {
		const char *name = eset_component_at(c, k);
		bool used = false;

		for (i = 0; i < eset_op_count(c) && !used; i++)
			used = eset_op_offers(eset_op_at(c, i), name);
		if (!used)
			fail_msg("component %s is offered by no operation",
				 name);
	}
	assert_null(eset_component_at(c, k));
}

static void
test_suggest(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	const char *s;

	c = load_shipped(&f->a, f->sh);
	s = eset_suggest_component(c, "FileItm");
	assert_non_null(s);
	assert_string_equal(s, "FileItem");
	s = eset_suggest_component(c, "processinfo");
	assert_string_equal(s, "ProcessInfo");
	s = eset_suggest_prop(c, "FileItem", "FileNam");
	assert_non_null(s);
	assert_string_equal(s, "FileName");
	s = eset_suggest_prop(c, "fileitem", "FullPth");
	assert_string_equal(s, "FullPath");
	/* only the component's own properties are candidates */
	assert_null(eset_suggest_prop(c, "FileItem", "CommandLine"));
	assert_null(eset_suggest_prop(c, "FileItm", "FileNam"));
	s = eset_suggest_op(c, "TcpIpConect");
	assert_non_null(s);
	assert_string_equal(s, "TcpIpConnect");
	s = eset_suggest_op(c, "CreateProces");
	assert_string_equal(s, "CreateProcess");
	s = eset_suggest_action(c, "TrigerDetection");
	assert_string_equal(s, "TriggerDetection");
	s = eset_suggest_const(prop(c, "Module", "SignatureType"), "Trustd");
	assert_non_null(s);
	assert_string_equal(s, "Trusted");
	s = eset_suggest_const(prop(c, "ProcessInfo", "IntegrityLevel"),
			       "Protected proces");
	assert_string_equal(s, "Protected process");
	assert_null(eset_suggest_component(c, "Zzzzzzzz"));
	assert_null(eset_suggest_op(c, "Qqqqqq"));
	assert_null(eset_suggest_const(prop(c, "Network", "Port"), "x"));
}

/* ---- Loader behaviour ------------------------------------------------- */

static void
test_malformed(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	struct errs e;
	const struct eset_prop *p;

	c = eset_catalog_new(&f->a);
	assert_non_null(c);

	memset(&e, 0, sizeof e);
	assert_int_equal(load(c, "components",
		"# comment\n"
		"A\tB\tstring\t-\t-\tdoc\tok\n"                 /* 2 good */
		"A\tC\tstring\t-\t-\tdoc\n"                     /* 3 columns */
		"A\tD\tstrin\t-\t-\tdoc\tx\n"                   /* 4 type */
		"\n"
		"A\tE\tenum\t-\tX=1,Y\tdoc\tx\n"                /* 6 const */
		"A\tF\tint\t-\tX=1\tdoc\tx\n"                   /* 7 consts */
		"A\tG\tenum\t-\t-\tdoc\tx\n"                    /* 8 none */
		"A\tH\tenum\t-\tX=1,x=2\tdoc\tx\n"              /* 9 dup */
		"A\t*\tstring\t-\t-\tdoc\tx\n"                  /* 10 '*' */
		"A B\tI\tstring\t-\t-\tdoc\tx\n"                /* 11 name */
		"A\tJ\tstring\tsets\t-\tdoc\tx\n"               /* 12 set */
		"A\tK\tstring\t-\t-\tblog\tx\n"                 /* 13 origin */
		"A\tL\tenum\t-\tX=99999999999999999999\tdoc\tx\n" /* 14 */
		"A\tM\tstring\t-\t-\tdoc\t\n"                   /* 15 note */
		"A\tN\tenum\t-\tLong name=-5, Two=2\tdoc\tx\r\n" /* 16 */
		"A\tO\tenum\t-\tLong name=-5,Two=2\tdoc\tx\r\n", /* 17 good */
		&e), 13);
	assert_int_equal(e.n, 13);
	assert_int_equal(e.line[0], 3);
	assert_non_null(strstr(e.msg[0], "expected 7"));
	assert_int_equal(e.line[1], 4);
	assert_non_null(strstr(e.msg[1], "unknown type 'strin'"));
	assert_int_equal(e.line[2], 6);
	assert_int_equal(e.line[3], 7);
	assert_non_null(strstr(e.msg[3], "only an enum"));
	assert_int_equal(e.line[4], 8);
	assert_int_equal(e.line[5], 9);
	assert_non_null(strstr(e.msg[5], "twice"));
	assert_int_equal(e.line[6], 10);
	assert_int_equal(e.line[7], 11);
	assert_int_equal(e.line[8], 12);
	assert_int_equal(e.line[9], 13);
	assert_non_null(strstr(e.msg[9], "origin 'blog'"));
	assert_int_equal(e.line[10], 14);
	assert_int_equal(e.line[11], 15);
	assert_int_equal(e.line[12], 16);
	assert_int_equal(eset_prop_count(c), 2);
	p = eset_lookup_prop(c, "a", "b", NULL);
	assert_non_null(p);
	assert_string_equal(p->source, "inline");
	assert_int_equal(p->line, 2);
	p = eset_lookup_prop(c, "A", "O", NULL);
	assert_non_null(p);
	assert_int_equal(constant(p, "long name"), -5);
	assert_string_equal(p->note, "x");

	/* the last line lacks its line end: still read */
	memset(&e, 0, sizeof e);
	assert_int_equal(load(c, "components",
			      "A\tP\tstring\t-\t-\tdoc\tx\n"
			      "A\tQ\tbogus\t-\t-\tdoc\tx", &e), 1);
	assert_int_equal(e.line[0], 2);

	memset(&e, 0, sizeof e);
	assert_int_equal(load(c, "operations",
		"Op1\tA,B\tprocess\tprocess\tstart\tdoc\t-\n"   /* 1 good */
		"Op2\tA,,B\tprocess\tprocess\tstart\tdoc\t-\n"  /* 2 list */
		"Op3\tA,a\tprocess\tprocess\tstart\tdoc\t-\n"   /* 3 dup */
		"Op4\tA\tthing\tprocess\tstart\tdoc\t-\n"       /* 4 object */
		"Op5\tA\tfile\tfile\t-\tdoc\t-\n"               /* 5 half */
		"Op6\tA\tfile\tFile\tstart\tdoc\t-\n"           /* 6 case */
		"Op7\tA\tfile\tfile\tcreation,\tdoc\t-\n"       /* 7 list */
		"Op8\tA\tfile\tfile\tcreation,change\tdoc\t-\t\n" /* 8 cols */
		"Op9\tA\tfile\t-\t-\tdoc\t-\n",                 /* 9 good */
		&e), 7);
	assert_int_equal(e.line[0], 2);
	assert_int_equal(e.line[1], 3);
	assert_int_equal(e.line[2], 4);
	assert_int_equal(e.line[3], 5);
	assert_int_equal(e.line[4], 6);
	assert_int_equal(e.line[5], 7);
	assert_int_equal(e.line[6], 8);
	assert_non_null(strstr(e.msg[6], "found 8"));
	assert_int_equal(eset_op_count(c), 2);

	memset(&e, 0, sizeof e);
	assert_int_equal(load(c, "ecs",
		"A\tB\tprocess\t{p}.name\texact\t-\tok\n"       /* 1 good */
		"A\tB\tprocess\tprocess.name\texact\t-\tx\n"    /* 2 no {p} */
		"A\tB\tfile\t{p}.name\texact\t-\tx\n"           /* 3 {p} */
		"A\tB\tfile\t-\texact\t-\tx\n"                  /* 4 none */
		"A\tB\tfile\tfile.name\tnone\t-\tx\n"           /* 5 none */
		"A\tB\tfile\tfile..name\texact\t-\tx\n"         /* 6 .. */
		"A\tB\tfile\tfile.name\texactly\t-\tx\n"        /* 7 exact */
		"A\tB\tfile\tfile.name\texact\tbasename\tx\n"   /* 8 xform */
		"A\tB\tfile\tfile.name\texact\tstem\tx\n",      /* 9 good */
		&e), 7);
	assert_int_equal(e.line[0], 2);
	assert_int_equal(e.line[6], 8);
	p = eset_lookup_prop(c, "A", "B", NULL);
	assert_int_equal(p->nmaps, 2);
	assert_string_equal(ecs_of(p, EO_PROCESS), "{p}.name");
	assert_int_equal(eset_prop_map(p, EO_FILE)->xform, EXF_STEM);

	memset(&e, 0, sizeof e);
	assert_int_equal(load(c, "actions",
		"Act1\tno\tno\tdoc\tx\n"
		"Act2\tmaybe\tno\tdoc\tx\n"
		"Act3\tno\tYes\tdoc\tx\n"
		"Act4\tno\tno\tdoc\n"
		"Act5\tyes\tyes\tuser\tx\n", &e), 3);
	assert_int_equal(e.line[0], 2);
	assert_int_equal(e.line[1], 3);
	assert_int_equal(e.line[2], 4);
	assert_int_equal(eset_action_count(c), 2);

	memset(&e, 0, sizeof e);
	assert_int_equal(load(c, "rules", "x\n", &e), 1);
	assert_int_equal(e.n, 1);
	assert_int_equal(e.line[0], 0);
	assert_non_null(strstr(e.msg[0], "unknown catalogue kind"));
	/* without a callback the count is still returned */
	assert_int_equal(load(c, "actions", "bad\n", NULL), 1);
}

/* A user's catalogue loaded after the shipped one replaces rows with the
 * same key; earlier pointers keep describing the old rows. */
static void
test_override(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	struct errs e;
	const struct eset_prop *old, *p;
	const struct eset_map *oldmap;
	const struct eset_op *oldop, *op;
	size_t nprops, nops;

	c = load_shipped(&f->a, f->sh);
	nprops = eset_prop_count(c);
	nops = eset_op_count(c);
	old = prop(c, "FileItem", "FileName");
	oldmap = eset_prop_map(old, EO_PROCESS);
	oldop = eset_lookup_op(c, "CreateProcess", NULL);

	memset(&e, 0, sizeof e);
	assert_int_equal(load(c, "components",
		"fileitem\tFileName\tpath\t-\t-\tuser\tmine\n"
		"Endpoint\tThreatName\tstring\t-\t-\tuser\tnew\n"
		"Registry\tKeyPath\tpath\t-\t-\tuser\tnew component\n", &e), 0);
	p = prop(c, "FileItem", "FileName");
	assert_ptr_not_equal(p, old);
	assert_int_equal(p->type, ET_PATH);
	assert_string_equal(p->origin, "user");
	assert_int_equal(old->type, ET_STRING);
	/* the mapping rows stay with the key */
	assert_string_equal(ecs_of(p, EO_PROCESS), "{p}.name");
	/* the component keeps its first spelling */
	{
		bool ex = false;

		assert_true(eset_has_component(c, "FileItem", &ex));
		assert_true(ex);
		assert_non_null(eset_lookup_prop(c, "FileItem", "FileName",
						 &ex));
		assert_false(ex);
	}
	p = prop(c, "Endpoint", "ThreatName");
	assert_false(p->wildcard);
	assert_true(prop(c, "Endpoint", "Other")->wildcard);
	assert_true(eset_has_component(c, "Registry", NULL));
	assert_int_equal(eset_prop_count(c), nprops + 2);

	assert_int_equal(load(c, "ecs",
		"FileItem\tFileName\tprocess\t{p}.title\tapprox\t-\tmine\n",
		&e), 0);
	p = prop(c, "FileItem", "FileName");
	assert_string_equal(ecs_of(p, EO_PROCESS), "{p}.title");
	assert_string_equal(ecs_of(p, EO_FILE), "file.name");
	assert_string_equal(oldmap->ecs, "{p}.name");

	assert_int_equal(load(c, "operations",
		"createprocess\tFileItem,DateTime\tprocess\tprocess\tstart\t"
		"user\tmine\n"
		"RegSetValue\tRegistry,DateTime\tother\tregistry\tchange\t"
		"user\tnew\n", &e), 0);
	op = eset_lookup_op(c, "CreateProcess", NULL);
	assert_false(eset_op_offers(op, "Module"));
	assert_true(eset_op_offers(oldop, "Module"));
	assert_int_equal(eset_op_count(c), nops + 1);
	assert_int_equal(e.n, 0);

	assert_int_equal(load(c, "actions",
		"ReportIncident\tno\tno\tuser\tnot in sequences\n", &e), 0);
	assert_false(eset_lookup_action(c, "ReportIncident", NULL)
		     ->sequence_ok);
}

/* ECS rows that arrive before their property are attached when it does. */
static void
test_ecs_first(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	const struct eset_prop *p;

	c = eset_catalog_new(&f->a);
	assert_int_equal(load(c, "ecs",
		"X\tY\tfile\tfile.path\tapprox\tdirname\tn\n"
		"X\tY\tdll\tdll.path\tapprox\tdirname\tn\n"
		"X\tY\tfile\tfile.directory\tapprox\t-\tn\n", NULL), 0);
	assert_int_equal(eset_prop_count(c), 0);
	assert_false(eset_has_component(c, "X", NULL));
	assert_int_equal(load(c, "components",
		"X\tY\tpath\t-\t-\tinferred\tn\n", NULL), 0);
	p = prop(c, "X", "Y");
	assert_int_equal(p->nmaps, 2);
	assert_string_equal(ecs_of(p, EO_FILE), "file.directory");
	assert_string_equal(ecs_of(p, EO_DLL), "dll.path");
	assert_null(eset_prop_map(p, EO_PROCESS));
}

/* Many rows: the tables grow and every row stays reachable. */
static void
test_growth(void **state)
{
	struct fix *f = *state;
	struct eset_catalog *c;
	char *text, *q;
	size_t cap = 3000 * 48;
	unsigned i;

	c = eset_catalog_new(&f->a);
	text = malloc(cap);
	assert_non_null(text);
	q = text;
	for (i = 0; i < 3000; i++)
		q += snprintf(q, cap - (size_t)(q - text),
			      "C%u\tP%u\tint\t-\t-\tuser\t-\n", i % 50, i);
	assert_int_equal(eset_catalog_load(c, "components", "big", text,
					   (size_t)(q - text), NULL, NULL), 0);
	free(text);
	assert_int_equal(eset_prop_count(c), 3000);
	assert_int_equal(eset_component_count(c), 50);
	for (i = 0; i < 3000; i++) {
		char cn[16], pn[16];
		const struct eset_prop *p;

		snprintf(cn, sizeof cn, "c%u", i % 50);
		snprintf(pn, sizeof pn, "p%u", i);
		p = eset_lookup_prop(c, cn, pn, NULL);
		assert_non_null(p);
		assert_int_equal(p->line, i + 1);
	}
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(eset_type_name(ET_STRING), "string");
	assert_string_equal(eset_type_name(ET_IPV6), "ipv6");
	assert_string_equal(eset_type_name(ET_OTHER), "other");
	assert_string_equal(eset_type_name(ET_COUNT), "?");
	assert_string_equal(eset_object_name(EO_PROCESS), "process");
	assert_string_equal(eset_object_name(EO_DNS), "dns");
	assert_string_equal(eset_object_name(EO_COUNT), "?");
	assert_string_equal(eset_exact_name(EX_APPROX), "approx");
	assert_string_equal(eset_xform_name(EXF_NONE), "-");
	assert_string_equal(eset_xform_name(EXF_INBOUND), "inbound");
}

/* Allocation failure injection: the n-th allocation and all after it
 * fail.  Every n gives a clean -1 (or NULL), never a crash or a leak; from
 * some n on everything loads. */
struct failer {
	unsigned left;
	unsigned live;
};

static void *
fail_alloc(void *ud, size_t n)
{
	struct failer *f = ud;
	void *p;

	if (f->left == 0)
		return NULL;
	f->left--;
	p = malloc(n);
	if (p)
		f->live++;
	return p;
}

static void
fail_release(void *ud, void *p)
{
	struct failer *f = ud;

	f->live--;
	free(p);
}

static void
test_oom(void **state)
{
	const struct fix *fx = *state;
	const struct shipped *sh = fx->sh;
	struct failer fl;
	struct rc_allocator al = { fail_alloc, fail_release, &fl };
	unsigned n;
	bool done = false;

	for (n = 0; n < 5000 && !done; n++) {
		struct arena a;
		struct eset_catalog *c;
		int i, r = 0;

		fl.left = n;
		fl.live = 0;
		arena_init(&a, &al);
		a.chunk_size = 512;
		c = eset_catalog_new(&a);
		if (!c) {
			assert_true(a.oom);
		} else {
			for (i = 0; i < NKINDS && r == 0; i++)
				r = eset_catalog_load(c, kinds[i], kinds[i],
						      sh->text[i], sh->len[i],
						      NULL, NULL);
			if (r < 0) {
				assert_int_equal(r, -1);
				assert_true(a.oom);
				/* what was loaded is still usable */
				(void)eset_lookup_prop(c, "FileItem",
						       "FileName", NULL);
				(void)eset_suggest_op(c, "CreateProces");
			} else {
				assert_int_equal(r, 0);
				assert_non_null(eset_lookup_op(c, "LoadDLL",
							       NULL));
				done = true;
			}
		}
		arena_release(&a);
		assert_int_equal(fl.live, 0);
	}
	assert_true(done);
	assert_true(n > 10);
}

/* ---- The corpus: every name a real rule uses is known ----------------- */

/* What a scan found: counts, and the first unknown name. */
struct scan {
	const struct eset_catalog *c;
	const char *file;
	unsigned conditions, operations, actions;
	char bad[300];
};

/* Records the first problem: "file: what a[.b]". */
static void
note_bad(struct scan *s, const char *what, const char *a, const char *b)
{
	if (s->bad[0])
		return;
	snprintf(s->bad, sizeof s->bad, "%s: %s %s%s%s", s->file, what, a,
		 b ? "." : "", b ? b : "");
}

static bool
is_space(char ch)
{
	return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r';
}

/* The value of attribute `name` in the tag text t[0..n) (between the tag
 * name and '>'), copied into buf (cut to fit); false if absent. */
static bool
attr(const char *t, size_t n, const char *name, char *buf, size_t size)
{
	size_t len = strlen(name), i = 0;

	while (i < n) {
		size_t ns, ne, vs, m;
		char q;

		while (i < n && is_space(t[i]))
			i++;
		ns = i;
		while (i < n && !is_space(t[i]) && t[i] != '=' && t[i] != '/')
			i++;
		ne = i;
		while (i < n && is_space(t[i]))
			i++;
		if (i >= n || t[i] != '=') {
			if (i == ns)
				i++;
			continue;
		}
		i++;
		while (i < n && is_space(t[i]))
			i++;
		if (i >= n || (t[i] != '"' && t[i] != '\''))
			return false;
		q = t[i++];
		vs = i;
		while (i < n && t[i] != q)
			i++;
		if (ne - ns == len && memcmp(t + ns, name, len) == 0) {
			m = i - vs < size - 1 ? i - vs : size - 1;
			memcpy(buf, t + vs, m);
			buf[m] = '\0';
			return true;
		}
		i++;
	}
	return false;
}

/* The '>' that ends the tag opened at lt, outside quoted attribute
 * values, or NULL. */
static const char *
tag_end(const char *lt, const char *end)
{
	char q = 0;

	for (; lt < end; lt++) {
		if (q) {
			if (*lt == q)
				q = 0;
		} else if (*lt == '"' || *lt == '\'') {
			q = *lt;
		} else if (*lt == '>') {
			return lt;
		}
	}
	return NULL;
}

/* True if the tag at p (after '<') is `name` followed by a delimiter. */
static bool
tag_is(const char *p, const char *end, const char *name)
{
	size_t n = strlen(name), i;

	if ((size_t)(end - p) <= n)
		return false;
	for (i = 0; i < n; i++)
		if ((p[i] | 0x20) != name[i])
			return false;
	return p[n] == ' ' || p[n] == '\t' || p[n] == '\n' || p[n] == '\r' ||
	       p[n] == '/' || p[n] == '>';
}

/* Scans one rule text by plain string search: comments are skipped;
 * <condition> gives component and property, <operation> its type (and the
 * conditions inside it must use components it offers), <action> its name
 * attribute or, in the legacy form, its text. */
static void
scan_text(struct scan *s, const char *text, size_t len)
{
	const char *p = text, *end = text + len;
	const struct eset_op *cur = NULL;
	char comp[128], prop[128], name[128];
	bool ex;

	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		const char *gt;
		size_t n;

		if (!lt)
			break;
		if ((size_t)(end - lt) >= 4 && memcmp(lt, "<!--", 4) == 0) {
			const char *close = NULL, *q;

			for (q = lt + 4; q + 3 <= end; q++)
				if (memcmp(q, "-->", 3) == 0) {
					close = q;
					break;
				}
			p = close ? close + 3 : end;
			continue;
		}
		gt = tag_end(lt, end);
		if (!gt)
			break;
		n = (size_t)(gt - lt);
		p = gt + 1;
		if (tag_is(lt + 1, gt, "condition")) {
			s->conditions++;
			if (!attr(lt + 10, n - 10, "component", comp,
				  sizeof comp) ||
			    !attr(lt + 10, n - 10, "property", prop,
				  sizeof prop)) {
				note_bad(s, "condition without component or "
					 "property", "", NULL);
				continue;
			}
			if (!eset_lookup_prop(s->c, comp, prop, &ex) || !ex)
				note_bad(s, "unknown property", comp, prop);
			if (cur && !eset_op_offers(cur, comp))
				note_bad(s, "component not offered by "
					 "the operation: operation.component",
					 cur->name, comp);
		} else if (tag_is(lt + 1, gt, "operation")) {
			s->operations++;
			if (!attr(lt + 10, n - 10, "type", name, sizeof name)) {
				note_bad(s, "operation without type", "", NULL);
				continue;
			}
			cur = eset_lookup_op(s->c, name, &ex);
			if (!cur || !ex)
				note_bad(s, "unknown operation", name, NULL);
			if (gt[-1] == '/')
				cur = NULL;
		} else if (tag_is(lt + 1, gt, "/operation")) {
			cur = NULL;
		} else if (tag_is(lt + 1, gt, "action")) {
			s->actions++;
			if (!attr(lt + 7, n - 7, "name", name, sizeof name)) {
				/* legacy <action>Name</action> */
				const char *q = gt + 1, *e2;
				size_t m;

				e2 = memchr(q, '<', (size_t)(end - q));
				if (!e2 || gt[-1] == '/') {
					note_bad(s, "action without name", "",
						 NULL);
					continue;
				}
				while (q < e2 && (*q == ' ' || *q == '\n'))
					q++;
				m = (size_t)(e2 - q);
				while (m && (q[m - 1] == ' ' || q[m - 1] == '\n'))
					m--;
				if (m >= sizeof name)
					m = sizeof name - 1;
				memcpy(name, q, m);
				name[m] = '\0';
			}
			if (!eset_lookup_action(s->c, name, &ex) || !ex)
				note_bad(s, "unknown action", name, NULL);
		}
	}
}

static char *read_file(const char *path, size_t *len);

/* Scans the file; false (and s->bad filled in) if it is unreadable or
 * uses an unknown name. */
static bool
scan_file(struct scan *s, const char *path)
{
	size_t len;
	char *text = read_file(path, &len);

	s->file = path;
	if (!text) {
		note_bad(s, "cannot read the file", "", NULL);
		return false;
	}
	scan_text(s, text, len);
	free(text);
	return s->bad[0] == '\0';
}

static void
test_corpus(void **state)
{
	struct fix *f = *state;
	const struct shipped *sh = f->sh;
	struct scan s;
	DIR *d = opendir(sh->corpus);
	struct dirent *de;
	unsigned files = 0;
	FILE *fp;

	if (!d) {
		skip();
		return;
	}
	memset(&s, 0, sizeof s);
	s.c = load_shipped(&f->a, sh);
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);
		char path[4096];

		if (n < 4 || strcmp(de->d_name + n - 4, ".xml") != 0)
			continue;
		snprintf(path, sizeof path, "%s/%s", sh->corpus, de->d_name);
		if (!scan_file(&s, path))
			break;
		files++;
	}
	closedir(d);
	if (s.bad[0])
		fail_msg("%s", s.bad);
	fp = fopen(sh->seed, "rb");
	if (fp) {
		fclose(fp);
		if (!scan_file(&s, sh->seed))
			fail_msg("%s", s.bad);
		files++;
	}
	/* the scan saw the rules, not nothing */
	assert_true(files >= 2);
	assert_true(s.conditions >= files);
	assert_true(s.operations > 0);
	assert_true(s.actions > 0);
}

/* ---- Main ------------------------------------------------------------- */

static char *
read_file(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!fp)
		return NULL;
	for (;;) {
		size_t got;

		if (n == cap) {
			char *nb;

			cap = cap ? cap * 2 : 65536;
			nb = realloc(buf, cap);
			if (!nb) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = nb;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		free(buf);
		fclose(fp);
		return NULL;
	}
	fclose(fp);
	*len = n;
	return buf;
}

int
main(int argc, char **argv)
{
	struct shipped sh;
	int i, rc = 1;

	memset(&sh, 0, sizeof sh);
	sh.dir = argc > 1 ? argv[1] : ESET_SCHEMA_DIR;
	sh.corpus = argc > 2 ? argv[2] : ESET_CORPUS_DIR;
	sh.seed = argc > 3 ? argv[3] : ESET_SEED;
	for (i = 0; i < NKINDS; i++) {
		char path[4096];

		snprintf(path, sizeof path, "%s/eset-%s.tsv", sh.dir,
			 kinds[i]);
		sh.text[i] = read_file(path, &sh.len[i]);
		if (!sh.text[i]) {
			fprintf(stderr, "test_eset_catalog: cannot read %s\n",
				path);
			goto out;
		}
	}
	{
#define FIX(t) cmocka_unit_test_prestate_setup_teardown(t, setup, \
							teardown, &sh)
		const struct CMUnitTest tests[] = {
			FIX(test_signature_type),
			FIX(test_ecs_maps),
			FIX(test_operations),
			FIX(test_actions),
			FIX(test_case),
			FIX(test_wildcard),
			FIX(test_every_prop_mapped),
			FIX(test_op_components_known),
			FIX(test_suggest),
			FIX(test_malformed),
			FIX(test_override),
			FIX(test_ecs_first),
			FIX(test_growth),
			cmocka_unit_test(test_names),
			FIX(test_oom),
			FIX(test_corpus),
		};

#undef FIX
		rc = cmocka_run_group_tests(tests, NULL, NULL);
	}
out:
	for (i = 0; i < NKINDS; i++)
		free(sh.text[i]);
	return rc;
}
