/*
 * capio.c — the `capio` command: one executable, one subcommand per job.
 */
#include <stdio.h>
#include <string.h>

#include "apps/cli.h"

/* The build may pass both; a build from a tarball knows no commit. */
#ifndef CAPIO_VERSION
#define CAPIO_VERSION "0.3.0"
#endif
#ifndef CAPIO_COMMIT
#define CAPIO_COMMIT "unknown"
#endif

static const struct cli_cmd commands[] = {
	{ "demo",  "memcached through CAPIO, a checked client, a trapped attacker;\n"
	  "           --nvme: tenants sharing an NVMe controller", cmd_demo },
	{ "run",   "serve memcached, UDP echo, or NBD on NVMe, from a CAPIO process", cmd_run },
	{ "cap",   "decode, bound and inspect Morello capabilities", cmd_cap },
	{ "bench", "benchmarks: rtt, throughput, udp, memcached, nvme, access, nic",
	    cmd_bench },
	{ "inspect", "device manifests and what page mappings expose", cmd_inspect },
	{ "qtest", "answer QEMU qtest commands for a q35 machine (e1000e, NVMe)", cmd_qtest },
	{ "attack", "run the attack catalogue under the page and capio arms;\n"
	  "           --nvme: NVMe tenants' attacks, with queue isolation too", cmd_attack },
};
#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: capio COMMAND [ARGS...]\n"
	    "       capio help [COMMAND]\n"
	    "       capio --version\n\n"
	    "CAPIO: safe kernel bypass of commodity devices using hardware\n"
	    "capabilities, on a simulated Arm Morello machine.\n\ncommands:\n");
	for (size_t i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n`capio help COMMAND` (or `capio COMMAND --help`) describes one\n"
	    "command. Options take their value as `--opt value` or `--opt=value`.\n"
	    "A malformed argument prints one error line and the usage, exit 2.\n\n"
	    "examples:\n"
	    "  capio --version          the release and the commit it was built from\n"
	    "  capio help run           the same as capio run --help\n"
	    "  capio demo --ops=2000    the main job, 2000 operations\n"
	    "  capio demo --nvme        four tenants on one NVMe controller\n");
}

static const struct cli_cmd *
lookup(const char *name)
{
	for (size_t i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i].name) == 0)
			return &commands[i];
	return NULL;
}

int
main(int argc, char **argv)
{
	const struct cli_cmd *c;
	char **av;
	int rc;

	if (argc < 2) {
		fprintf(stderr, "capio: missing command\n");
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0 ||
	    (strcmp(argv[1], "help") == 0 &&
	    (argc == 2 || strcmp(argv[2], "help") == 0))) {
		usage(stdout);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		if (argc > 2)
			return cli_usage_error("capio --version",
			    "--version takes no arguments");
		printf("capio %s (commit %s)\n", CAPIO_VERSION, CAPIO_COMMIT);
		return 0;
	}
	if (strcmp(argv[1], "help") == 0) {
		/* `capio help CMD` is `capio CMD --help`. */
		char *hv[] = { argv[2], (char *)"--help", NULL };

		if (argc > 3)
			return cli_usage_error("capio help [COMMAND]",
			    "help takes one topic");
		if ((c = lookup(argv[2])) == NULL)
			return cli_usage_error("capio help [COMMAND]", "no help "
			    "topic '%s' (topics: the commands, see capio help)",
			    argv[2]);
		return c->run(2, hv);
	}
	if ((c = lookup(argv[1])) == NULL) {
		fprintf(stderr, "capio: unknown command '%s'\n", argv[1]);
		usage(stderr);
		return EXIT_USAGE;
	}
	/* Every subcommand then parses one form: "--opt" "value". */
	if ((av = cli_split_equals(&argc, argv)) == NULL) {
		fprintf(stderr, "capio: out of memory\n");
		return 1;
	}
	rc = c->run(argc - 1, av + 1);
	cli_split_free(av);
	return rc;
}
