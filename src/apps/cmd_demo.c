/*
 * cmd_demo.c — `capio demo`: for now the capability machine alone (the
 * memcached demonstration joins when its server lands).
 */
#include <stdio.h>
#include <string.h>

#include "apps/cli.h"
#include "apps/demo.h"

#define USAGE "capio demo [--machine]"

int
cmd_demo(int argc, char **argv)
{
	if (cli_wants_help(argc, argv)) {
		printf("usage: %s\n\nBoot the simulated machine and show a capability "
		    "slice at work:\na load through it, and an out-of-bounds store "
		    "that traps.\n", USAGE);
		return 0;
	}
	for (int i = 1; i < argc; i++)
		if (strcmp(argv[i], "--machine") != 0)
			return cli_usage_error(USAGE, "demo: unknown argument '%s'", argv[i]);
	return demo_machine();
}
