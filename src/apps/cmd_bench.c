/*
 * cmd_bench.c — `capio bench [SUB]`: dispatch to one benchmark, or run
 * them all (`capio bench`, `capio bench all`).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apps/bench_args.h"
#include "apps/cli.h"
#include "eval/bench.h"
#include "eval/bench_report.h"

#define USAGE	"capio bench [all|rtt|throughput|udp|memcached|nvme|access|nic] " \
		"[ARGS...]"

static const struct cli_cmd benches[] = {
	{ "rtt", "round-trip time per arm, 64/1028/1518-byte frames",
	    bench_rtt },
	{ "throughput", "zero-loss packets per second per arm (RFC 2544 search)",
	    bench_throughput },
	{ "udp", "UDP echo round trips through lwIP, kernel vs capio",
	    bench_udp },
	{ "memcached", "memcached GET/SET latency and ops/s, kernel vs capio",
	    bench_memcached },
	{ "nvme", "4 KiB random I/O latency (QD1) and IOPS (QD32) per arm, "
	    "tenants", bench_nvme },
	{ "access", "ns per checked load/store, RAM and MMIO", bench_access },
	{ "nic", "packets per second through the NIC models, full-BAR driver",
	    bench_nic },
};
#define NBENCHES (sizeof(benches) / sizeof(benches[0]))

/* What `all` runs, in order: the benchmarks that write files. */
static int (*const all_runs[])(const struct bench_opts *, char **) = {
	bench_rtt_run, bench_throughput_run, bench_udp_run, bench_memcached_run,
	bench_nvme_run,
};
static const char *const all_names[] = { "rtt", "throughput", "udp",
	"memcached", "nvme" };
#define NALL (sizeof(all_runs) / sizeof(all_runs[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s\n\nbenchmarks:\n", USAGE);
	fprintf(f, "  %-10s %s\n", "all", "rtt, throughput, udp, memcached "
	    "and nvme (the default)");
	for (size_t i = 0; i < NBENCHES; i++)
		fprintf(f, "  %-10s %s\n", benches[i].name, benches[i].summary);
	fprintf(f, "\noptions of all (and of each file-writing benchmark):\n");
	bench_opts_help(f, 0);
	fprintf(f, "\nThe arms: kernel (a system call per frame or block "
	    "request), page (user-level\ndriver, whole 4 KiB pages), capio "
	    "(user-level driver, byte-exact slices), raw\n(host pointers, no "
	    "checks: the simulator's floor; benchmark only).\nrtt, udp, "
	    "memcached and nvme measure the arms interleaved, in rounds of one\n"
	    "block each, and report each ratio "
	    "as the median of its per-round ratios with\nthe interquartile "
	    "range (p25-p75); throughput interleaves the arms'\nsearches trial "
	    "by trial. A target is met or MISSED only when the run\nsupports "
	    "it, else noisy (one line says why; \"noisy\" in the JSON). With\n"
	    "--check the exit status is 1 when a target is missed or noisy.\n"
	    "Progress goes to stderr. `capio bench SUB --help` describes one.\n");
}

/* Every benchmark in turn; --json prints {"rtt":{…},"throughput":{…},…}
 * on one line. */
static int
bench_all(int argc, char **argv)
{
	struct bench_opts o;
	char *docs[NALL] = { 0 };
	char *av[argc + 1];
	int rc;

	if (cli_wants_help(argc, argv)) {
		usage(stdout);
		return 0;
	}
	/* Errors name the benchmark: "bench all: ...". */
	memcpy(av, argv, sizeof av);
	av[0] = (char *)"all";
	if ((rc = bench_opts_parse(&o, argc, av, 0, USAGE, "")) >= 0)
		return rc;
	rc = 0;
	for (size_t i = 0; i < NALL; i++) {
		if (!o.json && i > 0)
			printf("\n");
		if (all_runs[i](&o, &docs[i]) != 0) {
			fprintf(stderr, "capio: bench: %s failed\n", all_names[i]);
			rc = 1;
		}
	}
	if (o.json) {
		printf("{");
		for (size_t i = 0, n = 0; i < NALL; i++)
			if (docs[i] != NULL)
				printf("%s\"%s\":%s", n++ ? "," : "", all_names[i],
				    docs[i]);
		printf("}\n");
	}
	for (size_t i = 0; i < NALL; i++)
		free(docs[i]);
	return rc != 0 ? rc : bench_check_status(&o);
}

int
cmd_bench(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (strcmp(argv[1], "-h") == 0 ||
		    strcmp(argv[1], "--help") == 0)) {
			usage(stdout);
			return 0;
		}
		return bench_all(argc, argv);
	}
	if (strcmp(argv[1], "all") == 0)
		return bench_all(argc - 1, argv + 1);
	for (size_t i = 0; i < NBENCHES; i++)
		if (strcmp(argv[1], benches[i].name) == 0)
			return benches[i].run(argc - 1, argv + 1);
	fprintf(stderr, "capio bench: unknown benchmark '%s'\nusage: %s\n",
	    argv[1], USAGE);
	return EXIT_USAGE;
}
