/*
 * cmd_demo.c — `capio demo`: the options and help of the main
 * demonstration (eval/demo.h), `--nvme`, tenants sharing an NVMe
 * controller (eval/demo_nvme.c), and `--machine`, the capability machine
 * alone (demo_machine.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/cli.h"
#include "apps/demo.h"
#include "eval/demo.h"

#define USAGE "capio demo [--machine | --nvme [--tenants N] " \
	"[--nvme-queue-isolation]] [--ops N] [--pcap FILE] [--quiet]"
#define NVME_OPS_MAX	100000

int
cmd_demo(int argc, char **argv)
{
	struct cli_args a = { "demo", USAGE, argc, argv, 0 };
	uint64_t ops = 0, tenants = 4;
	const char *pcap = NULL, *full_only = NULL, *nvme_only = NULL;
	const char *nic_only = NULL;
	bool machine = false, quiet = false, nvme = false, iso = false;

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
		    "--nvme: N tenant processes (default 4) share one NVMe controller\n"
		    "(8 I/O queue pairs, a namespace of 1 MiB each), each through its own\n"
		    "queue pair: its SQ tail and CQ head doorbells as 4-byte slices, its\n"
		    "rings and buffers. They write 4 KiB blocks and read each back,\n"
		    "concurrently, with no system call. The last tenant is hostile:\n"
		    "halfway through it reads its neighbour's namespace through its own\n"
		    "queue (NVMe allows it; queue isolation refuses it), then stores to\n"
		    "its neighbour's SQ tail doorbell, 8 bytes above its own on the same\n"
		    "page, and is killed by the capability check; the others finish.\n"
		    "  --tenants N  2..%d tenant processes (default 4)\n"
		    "  --ops N      writes per tenant, each read back, 1..%d (default\n"
		    "               1000; the hostile tenant does half)\n"
		    "  --nvme-queue-isolation  the controller's queue isolation, a model\n"
		    "               extension beyond NVMe 1.4 (docs/nvme.md): DMA tagged\n"
		    "               by queue into per-queue IOMMU windows, each queue bound\n"
		    "               to its namespace by the kernel\n\n"
		    "Options take their value as --ops 2000 or --ops=2000.\n"
		    "Exit status: 0 when all of the above holds; 1 when it does not or\n"
		    "the machine cannot start (e.g. FILE cannot be written); 2 for a bad\n"
		    "argument.\n\n"
		    "examples:\n"
		    "  capio demo --ops=2000 --pcap demo.pcap\n"
		    "  capio demo --nvme\n"
		    "  capio demo --nvme --tenants 8 --ops 500 --nvme-queue-isolation\n",
		    USAGE, DEMO_NVME_MAX_TENANTS, NVME_OPS_MAX);
		return 0;
	}
	for (a.i = 1; a.i < argc; a.i++) {
		const char *arg = argv[a.i];

		if (strcmp(arg, "--machine") == 0)
			machine = true;
		else if (strcmp(arg, "--nvme") == 0)
			nvme = true;
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
			full_only = nic_only = arg;
		} else if (strcmp(arg, "--tenants") == 0) {
			if (!cli_number(&a, 2, DEMO_NVME_MAX_TENANTS, &tenants))
				return EXIT_USAGE;
			full_only = nvme_only = arg;
		} else if (strcmp(arg, "--nvme-queue-isolation") == 0) {
			iso = true;
			full_only = nvme_only = arg;
		} else
			return cli_unknown(&a);
	}
	if (machine && nvme)
		return cli_fail(&a, "--machine and --nvme are two demos: one at "
		    "a time");
	if (machine && full_only != NULL)
		return cli_fail(&a, "%s does not apply to --machine", full_only);
	if (machine)
		return demo_machine();
	if (!nvme && nvme_only != NULL)
		return cli_fail(&a, "%s needs --nvme", nvme_only);
	if (nvme && nic_only != NULL)
		return cli_fail(&a, "%s does not apply to --nvme", nic_only);
	if (nvme) {
		struct demo_nvme_opts o = { .tenants = (unsigned)tenants,
		    .ops = ops != 0 ? (uint32_t)ops : 1000, .isolation = iso,
		    .progress = cli_is_tty() && !quiet };

		if (ops > NVME_OPS_MAX)
			return cli_fail(&a, "--ops must be 1..%d with --nvme, not "
			    "'%llu'", NVME_OPS_MAX, (unsigned long long)ops);
		return demo_nvme(&o);
	}
	return demo_full(ops != 0 ? (uint32_t)ops : 5000, pcap,
	    cli_is_tty() && !quiet);
}
