/*
 * bench_args.c — the command line of each `capio bench` benchmark: the
 * shared options, usage and help texts; the runs are eval's (bench.h).
 */
#include "apps/bench_args.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "apps/cli.h"
#include "eval/bench.h"

#define USAGE_RTT	"capio bench rtt [--quick] [--json] [--check] [--out DIR] " \
		"[--no-host-syscalls] [--warmup N] [--samples N] [--procs 1|2]"
#define USAGE_THROUGHPUT \
		"capio bench throughput [--quick] [--json] [--check] " \
		"[--out DIR] [--no-host-syscalls] [--frames N]"
#define USAGE_UDP	"capio bench udp [--quick] [--json] [--check] [--out DIR] " \
		"[--no-host-syscalls] [--warmup N] [--samples N] [--csum-offload]"
#define USAGE_MEMCACHED \
		"capio bench memcached [--quick] [--json] [--check] " \
		"[--out DIR] [--no-host-syscalls] [--warmup N] [--samples N]"
#define USAGE_NVME	"capio bench nvme [--quick] [--json] [--check] [--out DIR] " \
		"[--no-host-syscalls] [--warmup N] [--samples N]"
#define USAGE_ACCESS	"capio bench access [--json] [--iterations N]"
#define USAGE_NIC	"capio bench nic [--packets N] [--json]"

void
bench_opts_help(FILE *f, unsigned accept)
{
	fprintf(f,
	    "  --quick            few samples, short trials (CI); targets are not\n"
	    "                     judged\n"
	    "  --json             print one JSON object on one line\n"
	    "  --check            exit 1 when a target is missed or the run is too\n"
	    "                     noisy to judge it (not with --quick)\n"
	    "  --out DIR          where the CSV, JSON and PNG go (default %s)\n"
	    "  --no-host-syscalls the kernel arm's system calls do not pay a\n"
	    "                     real host system call each\n", BENCH_OUT_DEFAULT);
	if (accept & BOPT_SAMPLES)
		fprintf(f,
		    "  --warmup N         warm-up round trips/operations per arm\n"
		    "  --samples N        measured round trips/operations per arm and\n"
		    "                     size, in blocks of at least %d (at most %d\n"
		    "                     blocks; %d needed to judge a ratio)\n",
		    BENCH_BLOCK_MIN, BENCH_MAX_BLOCKS, BENCH_MIN_BLOCKS);
	if (accept & BOPT_PROCS)
		fprintf(f,
		    "  --procs 1|2        one process drives both NICs (1), or\n"
		    "                     one process per NIC (2)\n");
	if (accept & BOPT_FRAMES)
		fprintf(f, "  --frames N         frames per trial\n");
	if (accept & BOPT_OFFLOAD)
		fprintf(f,
		    "  --csum-offload     the capio arm leaves UDP checksums to the\n"
		    "                     NIC, the page arm does not: capio/page is\n"
		    "                     what that saves (docs/benchmarks.md)\n");
	fprintf(f, "\nThe arms run interleaved, block by block; ratios are the "
	    "median of the\nper-block ratios, with their interquartile range. "
	    "Progress goes to stderr.\n");
}

/* "capio bench NAME: MESSAGE" and the usage line; exit status 2. */
static int
opt_error(const char *usage, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
opt_error(const char *usage, const char *name, const char *fmt, ...)
{
	va_list ap;

	if (strcmp(name, "all") == 0)
		fputs("capio bench: ", stderr);
	else
		fprintf(stderr, "capio bench %s: ", name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nusage: %s\n", usage);
	return EXIT_USAGE;
}

/* The shared options: which take a value, and which BOPT_ allows them. */
static const struct {
	const char *name;
	bool value;
	unsigned need;		/* 0: every benchmark */
	uint64_t lo, hi;	/* numbers */
	const char *who;	/* the benchmarks that take it */
} known[] = {
	{ "--quick", false, 0, 0, 0, NULL },
	{ "--json", false, 0, 0, 0, NULL },
	{ "--check", false, 0, 0, 0, NULL },
	{ "--no-host-syscalls", false, 0, 0, 0, NULL },
	{ "--out", true, 0, 0, 0, NULL },
	{ "--warmup", true, BOPT_SAMPLES, 0, 1000000,
	    "rtt, udp, memcached and nvme" },
	{ "--samples", true, BOPT_SAMPLES, 1, 1000000,
	    "rtt, udp, memcached and nvme" },
	{ "--procs", true, BOPT_PROCS, 1, 2, "rtt" },
	{ "--frames", true, BOPT_FRAMES, 1000, 10000000, "throughput" },
	{ "--csum-offload", false, BOPT_OFFLOAD, 0, 0, "udp" },
};
#define NKNOWN	(sizeof(known) / sizeof(known[0]))

int
bench_opts_parse(struct bench_opts *o, int argc, char **argv, unsigned accept,
    const char *usage, const char *help)
{
	const char *name = argv[0];

	memset(o, 0, sizeof *o);
	o->host_syscalls = true;
	o->out = BENCH_OUT_DEFAULT;
	o->procs = 1;
	o->progress = isatty(STDERR_FILENO) == 1;
	o->phases = !o->progress;
	if (cli_wants_help(argc, argv)) {
		printf("usage: %s\n\n%s\noptions:\n", usage, help);
		bench_opts_help(stdout, accept);
		return 0;
	}
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq = NULL, *val = NULL;
		size_t alen = strlen(a);
		uint64_t v;
		size_t k;

		/* --opt=value, should it come unsplit. */
		if (strncmp(a, "--", 2) == 0 && (eq = strchr(a, '=')) != NULL)
			alen = (size_t)(eq - a);
		for (k = 0; k < NKNOWN; k++)
			if (strlen(known[k].name) == alen &&
			    strncmp(a, known[k].name, alen) == 0)
				break;
		if (k == NKNOWN)
			return opt_error(usage, name, "unknown argument '%s'", a);
		if (known[k].need != 0 && !(accept & known[k].need))
			return opt_error(usage, name, "%s is an option of %s only",
			    known[k].name, known[k].who);
		if (!known[k].value) {
			if (eq != NULL)
				return opt_error(usage, name, "%s takes no value",
				    known[k].name);
		} else if (eq != NULL)
			val = eq + 1;
		else if (i + 1 < argc && strncmp(argv[i + 1], "--", 2) != 0)
			val = argv[++i];
		if (known[k].value && (val == NULL || val[0] == '\0'))
			return opt_error(usage, name, "%s needs a value",
			    known[k].name);
		if (known[k].value && strcmp(known[k].name, "--out") != 0 &&
		    (!cli_parse_u64(val, &v) || v < known[k].lo ||
		    v > known[k].hi))
			return opt_error(usage, name, "%s must be %llu..%llu, not "
			    "'%s'", known[k].name, (unsigned long long)known[k].lo,
			    (unsigned long long)known[k].hi, val);
		switch (k) {
		case 0:
			o->quick = true;
			break;
		case 1:
			o->json = true;
			break;
		case 2:
			o->check = true;
			break;
		case 3:
			o->host_syscalls = false;
			break;
		case 4:
			o->out = val;
			break;
		case 5:
			/* 0 means the default elsewhere; keep an explicit 0. */
			o->warmup = v == 0 ? UINT64_MAX : v;
			break;
		case 6:
			o->samples = v;
			break;
		case 7:
			o->procs = (int)v;
			break;
		case 8:
			o->frames = v;
			break;
		case 9:
			o->csum_offload = true;
			break;
		}
	}
	/* A quick run is too short to judge anything (bench_judge). */
	if (o->check && o->quick)
		return opt_error(usage, name, "--check needs a full run: a "
		    "--quick run judges no target");
	return -1;
}

int
bench_main(int argc, char **argv, unsigned accept, const char *usage,
    const char *help, bench_run_fn *run)
{
	struct bench_opts o;
	char *json;
	int rc;

	if ((rc = bench_opts_parse(&o, argc, argv, accept, usage, help)) >= 0)
		return rc;
	if (run(&o, &json) != 0)
		return 1;
	if (o.json)
		printf("%s\n", json);
	free(json);
	return bench_check_status(&o);
}

int
bench_rtt(int argc, char **argv)
{
	return bench_main(argc, argv, BOPT_SAMPLES | BOPT_PROCS, USAGE_RTT,
	    "Round-trip time through each arm (kernel, page, capio, raw): transmit\n"
	    "on NIC 0 of a pair wire, reflect on NIC 1, receive on NIC 0; frames of\n"
	    "64, 1028 and 1518 bytes. Per arm: min, mean, p50, p99, p99.9, max and\n"
	    "per round trip the system calls, MMIO transactions, capability checks\n"
	    "and bytes copied. The arms run interleaved: rounds of one block per\n"
	    "arm; the ratios capio/kernel, capio/page and capio/raw are taken per\n"
	    "round and reported as their median and interquartile range, with\n"
	    "met, MISSED, or noisy when the blocks cannot support a verdict.\n"
	    "CAPIO_BENCH_KERNEL_TARGET=X replaces the capio/kernel bounds (for\n"
	    "testing --check). Writes rtt.csv, rtt.json, rtt.png under --out.\n",
	    bench_rtt_run);
}

int
bench_throughput(int argc, char **argv)
{
	return bench_main(argc, argv, BOPT_FRAMES, USAGE_THROUGHPUT,
	    "Highest rate each arm (kernel, page, capio, raw) carries from NIC 0\n"
	    "to NIC 1 of a pair wire with zero loss, on one core: trials of N\n"
	    "frames offered at a rate on the host clock, binary search on the\n"
	    "rate (RFC 2544 style); frames of 64 and 1518 bytes. Loss is counted\n"
	    "on the receiving side, RX ring overruns (MPC) included. The arms'\n"
	    "searches run interleaved, a trial of each in turn; a run with more\n"
	    "than 25% void trials (the host preempted the benchmark) is too\n"
	    "noisy to judge. Writes\n"
	    "throughput.csv, throughput.json, throughput.png under --out.\n",
	    bench_throughput_run);
}

int
bench_udp(int argc, char **argv)
{
	return bench_main(argc, argv, BOPT_SAMPLES | BOPT_OFFLOAD, USAGE_UDP,
	    "UDP round trips through lwIP: an echo server process on NIC 0, a\n"
	    "client process on NIC 1, each with its own lwIP, both through the\n"
	    "kernel path, page-granular bypass, or CAPIO; frames of 64 and 1518\n"
	    "bytes. The arms run interleaved, block by block; the ratios are\n"
	    "per round, reported as median and interquartile range (noisy when\n"
	    "the median is not known to +-5%). Writes udp.csv, udp.json,\n"
	    "udp.png under --out.\n",
	    bench_udp_run);
}

int
bench_memcached(int argc, char **argv)
{
	return bench_main(argc, argv, BOPT_SAMPLES, USAGE_MEMCACHED,
	    "memcached GET and SET latency and operations per second: the server\n"
	    "process on NIC 0, the workload client on NIC 1 (one connection, one\n"
	    "request in flight; 100 keys, 90% GET, values of 64 and 1024 bytes),\n"
	    "through the kernel path, page-granular bypass or CAPIO. The arms run\n"
	    "interleaved, block by block; the ratios are per round, reported as\n"
	    "median and interquartile range (noisy when the median is not known\n"
	    "to +-5%). Writes\n"
	    "memcached.csv, memcached.json, memcached.png under --out.\n",
	    bench_memcached_run);
}

int
bench_nvme(int argc, char **argv)
{
	return bench_main(argc, argv, BOPT_SAMPLES, USAGE_NVME,
	    "4 KiB random reads and writes on an NVMe controller's namespace (16\n"
	    "MiB of RAM) through each arm: kernel (SYS_BLK_READ/WRITE per I/O,\n"
	    "SYS_BLK_SUBMIT per batch of 32, the kernel driving the queue pair),\n"
	    "page and capio (the user-level driver, whole pages or byte-exact\n"
	    "doorbell slices), raw (host pointers, no checks). Latency at queue\n"
	    "depth 1 (min, p25, p50, p75, p99, max per arm) and I/Os per second\n"
	    "at queue depth 32, with the system calls, MMIO transactions,\n"
	    "capability checks and bytes copied per I/O; then four tenants, each\n"
	    "on its own queue pair of one controller (capio), against one tenant\n"
	    "alone. The arms run interleaved, block by block; ratios are per\n"
	    "round (capio/kernel, capio/page, capio/raw; 4 tenants / 1), reported\n"
	    "as median and interquartile range, with met, MISSED or noisy for the\n"
	    "targets: QD1 latency capio/kernel <= 0.50, capio/page 0.95-1.05,\n"
	    "capio/raw <= 1.25; 4 tenants >= 3x the IOPS of 1. --samples N: QD1\n"
	    "I/Os per arm and workload (default 20000; QD32 runs 4N). Writes\n"
	    "nvme.csv, nvme.json, nvme.png under --out.\n\n"
	    "example: capio bench nvme --quick --out /tmp/nvme\n",
	    bench_nvme_run);
}

static void
access_help(FILE *f)
{
	fprintf(f, "usage: %s\n\n"
	    "Time 4-byte loads and stores through capabilities (ld32/st32 in\n"
	    "an execution context) to RAM and to a device register, next to\n"
	    "plain host-pointer accesses. Prints the median over batches of\n"
	    "ns per access.\n\n"
	    "  --json          one JSON object on one line\n"
	    "  --iterations N  accesses per figure (default 2000000)\n", USAGE_ACCESS);
}

/* A benchmark whose options are --json and one count: access, nic. */
struct count_cmd {
	const char *name;	/* "access" */
	const char *usage;
	const char *opt;	/* "--iterations" */
	uint64_t lo, hi;
};

static const struct count_cmd access_cmd = { "access", USAGE_ACCESS,
	"--iterations", 1, 10000000000ull };
static const struct count_cmd nic_cmd = { "nic", USAGE_NIC, "--packets",
	BENCH_NIC_BURST, 1000000000 };

/* Parse argv[1..] for c into *n and *json: -1 to run, else the exit
 * status of a usage error. */
static int
count_parse(const struct count_cmd *c, int argc, char **argv, uint64_t *n,
    bool *json)
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			*json = true;
		else if (strcmp(argv[i], c->opt) == 0) {
			if (i + 1 == argc || strncmp(argv[i + 1], "--", 2) == 0)
				return opt_error(c->usage, c->name, "%s needs a value",
				    c->opt);
			if (!cli_parse_u64(argv[++i], n) || *n < c->lo ||
			    *n > c->hi)
				return opt_error(c->usage, c->name, "%s must be "
				    "%llu..%llu, not '%s'", c->opt,
				    (unsigned long long)c->lo,
				    (unsigned long long)c->hi, argv[i]);
		} else
			return opt_error(c->usage, c->name,
			    "unknown argument '%s'", argv[i]);
	}
	return -1;
}

int
bench_access(int argc, char **argv)
{
	uint64_t iters = 2000000;
	bool json = false;
	int rc;

	if (cli_wants_help(argc, argv)) {
		access_help(stdout);
		return 0;
	}
	if ((rc = count_parse(&access_cmd, argc, argv, &iters, &json)) >= 0)
		return rc;
	return bench_access_run(iters, json);
}

int
bench_nic(int argc, char **argv)
{
	uint64_t packets = 2000000;
	bool json = false;
	int rc;

	if (cli_wants_help(argc, argv)) {
		printf("usage: %s\n\n"
		    "Packets per second through two e1000e NICs on a pair wire, driven by\n"
		    "a minimal polling driver holding capabilities to both whole BARs and\n"
		    "their rings (bursts of 32; frames of 64 and 1518 bytes on the wire,\n"
		    "FCS included). --json prints one line with mpps_64 and mpps_1518.\n\n"
		    "example: capio bench nic --packets 1000000 --json\n", USAGE_NIC);
		return 0;
	}
	if ((rc = count_parse(&nic_cmd, argc, argv, &packets, &json)) >= 0)
		return rc;
	return bench_nic_run(packets, json);
}
