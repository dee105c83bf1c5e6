/*
 * fuzz_image.c - libFuzzer target for the bytecode image loader and the
 * replay engine: the input is an image file.  Loading runs the verifier; a
 * refused image must come with a message; an accepted one must
 * disassemble and then run on a fixed events file (the engine may decline
 * an image it cannot run, such as one whose pattern no longer compiles,
 * but only with a message).  Nothing may crash, leak or trip a sanitizer:
 * the interpreter trusts only what the verifier proved, so every other
 * value of an image that loads (pool contents, rule fields, pipes, runs,
 * keys) must be safe to run.
 *
 * Build: configure CC=clang CXX=clang++ --enable-fuzzing; run:
 *   tests/fuzz/fuzz_image $(srcdir)/tests/fuzz/image-corpus
 * The seeds are images from `rulec compile` (run from the top of the tree,
 * again whenever the image format changes):
 *   rulec compile -q -o tests/fuzz/image-corpus/bundled.rbc rules
 *   rulec compile -q -o tests/fuzz/image-corpus/good.rbc tests/lint/good
 *   rulec compile -q -o tests/fuzz/image-corpus/run.rbc \
 *       tests/fuzz/image-rules
 *   rulec compile -q -o tests/fuzz/image-corpus/event.rbc \
 *       tests/lint/good/g01-simple.eql
 * (the last: one event rule with a category, so no stage for any event).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rulec.h"
#include "vm/engine.h"
#include "vm/image.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerInitialize(int *argc, char ***argv);

/*
 * The events every accepted image runs on (' stands for "): the fields of
 * the seed rules as strings, arrays, numbers, nulls and absent fields;
 * timestamps in order, out of order inside the reorder window and later
 * than it, absent, epoch numbers and not dates; a chain of process starts
 * for the ESET process table; one malformed line.  The same as
 * tests/test_vm.c's run_events.
 */
static const char events[] =
	"{'@timestamp':'2024-05-01T10:00:00.000Z','event':{'id':'e1'"
	",'category':['process'],'type':['start'],'kind':'process'"
	",'sequence':1,'created':'2024-05-01T10:00:00Z'},'host':"
	"{'id':'h1'},'user':{'name':'u1'},'process':{'entity_id':'P0'"
	",'pid':4,'name':'userinit.exe','command_line':'userinit enc'}}\n"
	"{'@timestamp':'2024-05-01T10:00:01.000Z','event':{'id':'e2'"
	",'category':['process'],'type':['start'],'kind':'process'"
	",'sequence':2,'created':1714557601000},'host':{'id':'h1'}"
	",'user':{'name':'u1'},'process':{'entity_id':'P1','pid':8"
	",'name':'explorer.exe','parent':{'entity_id':'P0'"
	",'name':'userinit.exe'}}}\n"
	"{'@timestamp':'2024-05-01T10:00:02.000Z','event':{'id':'e3'"
	",'category':['process'],'type':['start']},'host':{'id':'h1'}"
	",'user':{'name':'u1'},'process':{'entity_id':'P2','pid':12"
	",'name':'WINWORD.EXE','title':'b','parent':{'entity_id':'P1'"
	",'name':'explorer.exe'}}}\n"
	"{'@timestamp':'2024-05-01T10:00:05.000Z','event':{'id':'e4'"
	",'category':['process'],'type':['start']},'host':{'id':'h1'}"
	",'user':{'name':'u1'},'process':{'entity_id':'C1','pid':42"
	",'name':'cmd.exe','args':['/c','-ENC abc']"
	",'command_line':'cmd /c -enc abc'"
	",'parent':{'entity_id':'P2','name':'WINWORD.EXE'}}}\n"
	"{'@timestamp':'2024-05-01T10:00:04.000Z','event':{'id':'e5'"
	",'category':'process','type':'start'},'host':{'id':'h1'}"
	",'user':{'name':'u1'},'process':{'entity_id':'C2','pid':43.0"
	",'name':'powershell.exe','args':'-EncodedCommand x'"
	",'parent':{'entity_id':'P2'}}}\n"
	"{'@timestamp':'2024-05-01T10:00:10.000Z','event':{'id':'e6'"
	",'category':['file']},'host':{'id':'h1'},'user':{'name':'u2'}"
	",'file':{'extension':'tmp'}}\n"
	"{'@timestamp':'2024-05-01T10:00:20.000Z','event':{'id':'e7'"
	",'category':['network']},'host':{'id':'h1'},'user':"
	"{'name':'u1'},'destination':{'port':443},'source':"
	"{'ip':'10.1.2.3'},'process':{'pid':42}}\n"
	"{'@timestamp':'2024-05-01T10:00:21.000Z','event':{'id':'e8'"
	",'category':['network']},'host':{'id':'h1'},'user':"
	"{'name':['u1','u2']},'destination':{'port':'8443'}"
	",'source':{'ip':['fe80::1','8.8.8.8']},'process':{'pid':42}}\n"
	"{'event':{'id':'e9','category':['process']},'host':"
	"{'id':'h1'},'process':{'pid':-1,'name':['a.exe','CMD.EXE']"
	",'Ext':{'x':null}}}\n"
	"{'@timestamp':1714557630000,'event':{'id':'e10'"
	",'category':['process'],'type':['end']},'host':{'id':'h1'}"
	",'user':{'name':'u1'}"
	",'process':{'entity_id':'C1','pid':42,'name':'cmd.exe'}}\n"
	"{'@timestamp':'2024-05-01T09:00:00.000Z','event':{'id':'e11'"
	",'category':['intrusion_detection'],'type':['info']}"
	",'host':{'id':'h1'},'rule':{'name':'rundll32 late'}"
	",'process':{'entity_id':'P2'}}\n"
	"{'@timestamp':'2024-05-01T10:00:40.000Z','event':{'id':'e12'"
	",'category':['intrusion_detection'],'type':['info']}"
	",'host':{'id':'h1'},'rule':{'name':'Rundll32 one'}"
	",'process':{'entity_id':'P2'}}\n"
	"{'@timestamp':'2024-05-01T10:00:41.000Z','event':{'id':'e13'"
	",'category':['intrusion_detection'],'type':['info']}"
	",'host':{'id':'h1'},'rule':{'name':'regsvr32 one'}"
	",'process':{'entity_id':'P2'}}\n"
	"{'@timestamp':'2024-05-01T10:00:42.000Z','event':{'id':'e14'"
	",'category':['intrusion_detection'],'type':['info']}"
	",'host':{'id':'h1'},'rule':{'name':'rundll32 two'}"
	",'process':{'entity_id':'P2'}}\n"
	"{'@timestamp':'2024-05-01T10:00:43.000Z','event':{'id':'e15'"
	",'category':['intrusion_detection'],'type':['info']}"
	",'host':{'id':'h1'},'rule':{'name':'REGSVR32 two'}"
	",'process':{'entity_id':'P2'}}\n"
	"{'@timestamp':'2024-05-01T10:00:50.000Z'"
	",'event':{'category':'network'},'destination':{'port':null}"
	",'process':{'name':[],'pid':1e300}}\n"
	"{'@timestamp': '2024-05-01T10:00:51Z', 'event': \n"
	"{'@timestamp':'not a date','event':{'id':'e18'"
	",'category':['process'],'kind':'process'"
	",'created':'2024-05-01T10:00:06Z'},'host':{'id':'h1'}"
	",'process':{'entity_id':'P0','pid':42,'command_line':'x ENC'}}\n";

static char events_path[4096];
static FILE *sink;              /* results and diagnostics: /dev/null */

static void
cleanup(void)
{
	unlink(events_path);
}

/* Writes the events file once, under $TMPDIR. */
int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *dir = getenv("TMPDIR");
	FILE *f;
	size_t i;
	int fd;

	(void)argc;
	(void)argv;
	snprintf(events_path, sizeof events_path, "%s/fuzz_image.XXXXXX",
		 dir && *dir ? dir : "/tmp");
	fd = mkstemp(events_path);
	if (fd < 0 || !(f = fdopen(fd, "w"))) {
		perror("fuzz_image: events file");
		abort();
	}
	for (i = 0; events[i]; i++)
		putc(events[i] == '\'' ? '"' : events[i], f);
	if (fclose(f) != 0 || !(sink = fopen("/dev/null", "w"))) {
		perror("fuzz_image: events file");
		abort();
	}
	atexit(cleanup);
	return 0;
}

/* Runs an accepted image on the events: declined only with a message,
 * and the one malformed line is the only one whatever the image. */
static void
run(const struct image *im)
{
	struct vm_run_opts o;
	struct vm_engine *e;
	char err[256];

	vm_run_opts_init(&o);
	err[0] = '\0';
	e = vm_engine_new(im, &o, sink, err, sizeof err);
	if (!e) {
		if (!err[0])
			abort();
		return;
	}
	if (vm_engine_feed(e, events_path, sink) != 1)
		abort();
	vm_engine_finish(e);
	vm_engine_free(e);
}

/* Loads one buffer: a refusal must say why; an accepted image must
 * disassemble and run. */
static void
one(const uint8_t *data, size_t size)
{
	struct strbuf dis = STRBUF_INIT;
	struct image im;
	char err[256];

	err[0] = '\0';
	if (img_load(data, size, &im, err, sizeof err) != 0) {
		if (!err[0])
			abort();
		return;
	}
	img_disasm(&im, &dis);
	if (dis.oom)
		abort();
	sb_free(&dis);
	run(&im);
	img_free(&im);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t *copy;
	uint32_t crc;

	one(data, size);
	/* the same bytes with the header's CRC made right (offset 20, little
	 * endian), so that mutations reach the section checks, the verifier
	 * and the engine instead of stopping at the checksum */
	if (size < IMG_HEADER_SIZE || !(copy = malloc(size)))
		return 0;
	memcpy(copy, data, size);
	crc = img_crc32(copy + IMG_HEADER_SIZE, size - IMG_HEADER_SIZE);
	copy[20] = (uint8_t)crc;
	copy[21] = (uint8_t)(crc >> 8);
	copy[22] = (uint8_t)(crc >> 16);
	copy[23] = (uint8_t)(crc >> 24);
	/* unchanged when the CRC was right already: loaded above */
	if (memcmp(copy + 20, data + 20, 4) != 0)
		one(copy, size);
	free(copy);
	return 0;
}
