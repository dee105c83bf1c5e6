/*
 * image_events.h - the events tests/test_vm.c and tests/fuzz/fuzz_image.c
 * run every image that loads on, written with ' for " (image_events_write
 * turns them into JSON).  They give the fields the test images read as
 * strings, arrays (of strings, of addresses, empty), longs, doubles, a
 * string where a number is expected, nulls and absent fields; timestamps
 * in order, one out of order inside the reorder window (e5), one later
 * than it (e11), one absent (e9), one epoch number (e10), one not a date
 * (e18); process starts for the process table (P0 <- P1 <- P2 <- C1, the
 * ancestor chain of the ESET rule); and one malformed line.
 */
#ifndef RC_TESTS_IMAGE_EVENTS_H
#define RC_TESTS_IMAGE_EVENTS_H

#include <stdio.h>

static const char image_events[] =
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

/* Malformed records in image_events: the truncated line. */
#define IMAGE_BAD_EVENTS 1

/* Writes image_events to f as JSON; the result of fclose-worthy ferror. */
static inline int
image_events_write(FILE *f)
{
	size_t i;

	for (i = 0; image_events[i]; i++)
		putc(image_events[i] == '\'' ? '"' : image_events[i], f);
	return ferror(f) ? -1 : 0;
}

#endif
