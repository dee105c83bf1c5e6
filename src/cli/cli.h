/*
 * cli.h - the command and option tables of the rulec program, expanded
 * from options.def; shared by the program and the docs generator.
 */
#ifndef RC_CLI_H
#define RC_CLI_H

#include <stdbool.h>

enum cli_cmd {
#define CMD(e, name, args, sum, impl) e##_IDX,
#define OPT(e, lng, shrt, arg, cmds, help)
#include "cli/options.def"
#undef CMD
#undef OPT
	C__COUNT
};

enum {
#define CMD(e, name, args, sum, impl) e = 1u << e##_IDX,
#define OPT(e, lng, shrt, arg, cmds, help)
#include "cli/options.def"
#undef CMD
#undef OPT
	C_ALL = (1u << C__COUNT) - 1
};

enum cli_opt {
#define CMD(e, name, args, sum, impl)
#define OPT(e, lng, shrt, arg, cmds, help) e,
#include "cli/options.def"
#undef CMD
#undef OPT
	O__COUNT
};

struct cli_cmd_info {
	const char *name, *args, *summary;
	bool implemented;
};

struct cli_opt_info {
	const char *lng;
	int shrt;
	const char *arg;
	unsigned cmds;
	const char *help;
};

static const struct cli_cmd_info cli_cmds[C__COUNT] = {
#define CMD(e, name, args, sum, impl) { name, args, sum, impl },
#define OPT(e, lng, shrt, arg, cmds, help)
#include "cli/options.def"
#undef CMD
#undef OPT
};

static const struct cli_opt_info cli_opts[O__COUNT] = {
#define CMD(e, name, args, sum, impl)
#define OPT(e, lng, shrt, arg, cmds, help) { lng, shrt, arg, cmds, help },
#include "cli/options.def"
#undef CMD
#undef OPT
};

#endif
