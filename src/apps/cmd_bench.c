/*
 * cmd_bench.c — `capio bench SUB`: dispatch to one benchmark.
 */
#include <stdio.h>
#include <string.h>

#include "apps/bench.h"
#include "apps/cli.h"

#define USAGE	"capio bench {access} [ARGS...]"

static const struct cli_cmd benches[] = {
	{ "access", "ns per checked load/store, RAM and MMIO", bench_access },
	/* nic: bench_nic (src/apps/bench_nic.c), wired by the lead. */
};
#define NBENCHES (sizeof(benches) / sizeof(benches[0]))

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s\n\nbenchmarks:\n", USAGE);
	for (size_t i = 0; i < NBENCHES; i++)
		fprintf(f, "  %-8s %s\n", benches[i].name, benches[i].summary);
	fprintf(f, "\n`capio bench SUB --help` describes one.\n");
}

int
cmd_bench(int argc, char **argv)
{
	if (argc < 2)
		return cli_usage_error(USAGE, "bench: missing benchmark name");
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < NBENCHES; i++)
		if (strcmp(argv[1], benches[i].name) == 0)
			return benches[i].run(argc - 1, argv + 1);
	return cli_usage_error(USAGE, "bench: unknown benchmark '%s'", argv[1]);
}
