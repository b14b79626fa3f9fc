/*
 * cmd_demo.c — `capio demo`: the options and help of the main
 * demonstration (eval/demo.h), and `--machine`, the capability machine
 * alone (demo_machine.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cli.h"
#include "apps/demo.h"
#include "eval/demo.h"

#define USAGE "capio demo [--machine] [--ops N] [--pcap FILE] [--quiet]"

int
cmd_demo(int argc, char **argv)
{
	struct cli_args a = { "demo", USAGE, argc, argv, 0 };
	uint64_t ops = 5000;
	const char *pcap = NULL, *full_only = NULL;
	bool machine = false, quiet = false;

	if (cli_wants_help(argc, argv)) {
		printf("usage: %s\n\n"
		    "Boot a machine with two e1000e NICs joined by a wire. An unprivileged\n"
		    "process serves memcached on NIC 0, driving the NIC itself through\n"
		    "CAPIO capabilities (no system calls) with lwIP; a client process on\n"
		    "NIC 1 runs a mixed get/set workload and verifies every reply; before\n"
		    "the workload starts, while the server is up, an attacker process\n"
		    "stores one word outside its doorbell slice and is killed by the\n"
		    "capability hardware. Latencies cover the workload alone.\n\n"
		    "  --machine    only the capability machine: a slice, a load, a trap\n"
		    "               (takes none of the options below)\n"
		    "  --ops N      client operations, 1..10000000 (default 5000)\n"
		    "  --pcap FILE  record the wire between the NICs\n"
		    "  --quiet      no progress line\n\n"
		    "Options take their value as --ops 2000 or --ops=2000.\n"
		    "Exit status: 0 when all of the above holds; 1 when it does not or\n"
		    "the machine cannot start (e.g. FILE cannot be written); 2 for a bad\n"
		    "argument.\n\n"
		    "example: capio demo --ops=2000 --pcap demo.pcap\n", USAGE);
		return 0;
	}
	for (a.i = 1; a.i < argc; a.i++) {
		const char *arg = argv[a.i];

		if (strcmp(arg, "--machine") == 0)
			machine = true;
		else if (strcmp(arg, "--quiet") == 0) {
			quiet = true;
			full_only = arg;
		}
		else if (strcmp(arg, "--ops") == 0) {
			if (!cli_number(&a, 1, 10000000, &ops))
				return EXIT_USAGE;
			full_only = arg;
		} else if (strcmp(arg, "--pcap") == 0) {
			if ((pcap = cli_value(&a)) == NULL)
				return EXIT_USAGE;
			full_only = arg;
		} else
			return cli_unknown(&a);
	}
	if (machine && full_only != NULL)
		return cli_fail(&a, "%s does not apply to --machine", full_only);
	if (machine)
		return demo_machine();
	return demo_full((uint32_t)ops, pcap, cli_is_tty() && !quiet);
}
