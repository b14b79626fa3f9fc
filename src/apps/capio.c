/*
 * capio.c — the `capio` command: one executable, one subcommand per job.
 */
#include <stdio.h>
#include <string.h>

#include "apps/cli.h"

static const struct cli_cmd commands[] = {
	{ "demo",  "memcached through CAPIO, a checked client, a trapped attacker", cmd_demo },
	{ "run",   "serve memcached or UDP echo from a CAPIO process", cmd_run },
	{ "cap",   "decode, bound and inspect Morello capabilities", cmd_cap },
	{ "bench", "benchmarks: rtt, throughput, udp, memcached, access, nic", cmd_bench },
	{ "inspect", "device manifests and what page mappings expose", cmd_inspect },
	{ "qtest", "answer QEMU qtest commands for an e1000e machine", cmd_qtest },
	{ "attack", "run the attack catalogue under the page and capio arms", cmd_attack },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: capio COMMAND [ARGS...]\n\n"
	    "CAPIO: safe kernel bypass of commodity devices using hardware\n"
	    "capabilities, on a simulated Arm Morello machine.\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n`capio COMMAND --help` describes one command.\n");
}

int
main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "capio: missing command\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	fprintf(stderr, "capio: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
