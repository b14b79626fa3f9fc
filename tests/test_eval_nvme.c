/*
 * test_eval_nvme.c — what `capio bench nvme` reports (bench_nvme.h),
 * fed figures made up for it: the JSON document's keys and shape, the
 * per-round ratios worked out from the block figures, the verdicts (met
 * and MISSED on a full run, not judged after --quick, noisy with too few
 * blocks), nvme.csv's rows and fields, the plot's files. No timing.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "check.h"
#include "eval/bench_nvme.h"

/* Latency per arm, QD1 read and write (ns); capio/kernel is 0.4 for
 * reads (met) and 0.6 for writes (MISSED). */
static const double base_read[BENCH_NARMS] = { 2000, 800, 800, 700 };
static const double base_write[BENCH_NARMS] = { 2000, 1200, 1200, 1100 };

static void
make(struct bench_nvme_figures *f, int nb)
{
	memset(f, 0, sizeof *f);
	f->warmup = 10;
	f->samples = (uint64_t)nb * 100;
	f->nb = nb;
	f->batches = 8;
	f->ntenants[0] = 1;
	f->ntenants[1] = BNV_TENANTS;
	CHECK_EQ(bench_nvme_figures_alloc(f), 0);
	for (int a = 0; a < BENCH_NARMS; a++)
		for (int w = 0; w < BNV_NWORK; w++) {
			double base = w == BNV_READ1 ? base_read[a] :
			    base_write[a];

			if (bench_nvme_qd1(w)) {
				for (uint64_t i = 0; i < f->samples; i++)
					f->lat[a][w][i] = (uint64_t)base + i % 7;
				for (int b = 0; b < nb; b++)
					f->med[a][w][b] = base + b % 2;
			} else
				for (int b = 0; b < nb; b++)
					f->iops[a][w][b] = (a == BARM_CAPIO ? 1e6 :
					    9e5) + b % 3;
			f->ios[a][w] = f->samples;
			f->cost[a][w].syscalls = a == BARM_KERNEL ? f->samples : 0;
			f->cost[a][w].mmio = 2 * f->samples;
			f->cost[a][w].checks = a == BARM_RAW ? 0 : 6 * f->samples;
			f->cost[a][w].copy_bytes = BNV_IO_BYTES * f->samples;
		}
	for (int c = 0; c < 2; c++)
		for (int b = 0; b < nb; b++) {
			/* Block 0 gives no figure (the warm-up ran in it). */
			f->tiops[c][b] = b == 0 ? NAN : 1e6 + b % 2;
			f->tcpu[c][b] = b == 0 ? NAN : 1.2e6 + b % 2;
		}
}

/* Braces and brackets balance outside strings; one line. */
static bool
balanced(const char *s)
{
	int depth = 0;
	bool str = false;

	for (; *s != '\0'; s++) {
		if (str) {
			if (*s == '\\' && s[1] != '\0')
				s++;
			else if (*s == '"')
				str = false;
			continue;
		}
		if (*s == '"')
			str = true;
		else if (*s == '{' || *s == '[')
			depth++;
		else if (*s == '}' || *s == ']')
			depth--;
		else if (*s == '\n')
			return false;
		if (depth < 0)
			return false;
	}
	return depth == 0 && !str;
}

static bool
has(const char *doc, const char *s)
{
	bool ok = doc != NULL && strstr(doc, s) != NULL;

	if (!ok)
		fprintf(stderr, "missing: %s\n", s);
	return ok;
}

/* Fields of every line of PATH equal the header's; the number of lines. */
static int
csv_lines(const char *path, int *fields)
{
	FILE *f = fopen(path, "r");
	char line[2048];
	int n = 0;

	*fields = -1;
	if (f == NULL)
		return -1;
	while (fgets(line, sizeof line, f) != NULL) {
		int k = 1;

		for (char *p = line; *p; p++)
			k += *p == ',';
		if (*fields < 0)
			*fields = k;
		else if (k != *fields)
			*fields = -2;
		n++;
	}
	fclose(f);
	return n;
}

static bool
exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	return access(path, R_OK) == 0;
}

static void
test_full(const char *dir)
{
	struct bench_opts o = { .json = true, .host_syscalls = true, .out = dir };
	struct bench_nvme_figures f;
	char path[512], *doc = NULL;
	int fields;

	make(&f, 20);
	CHECK_EQ(bench_nvme_report(&o, &f, &doc), 0);
	CHECK(doc != NULL && balanced(doc));
	CHECK(has(doc, "{\"bench\":\"nvme\",\"machine\":{"));
	CHECK(has(doc, "\"io_bytes\":4096,\"namespace_bytes\":16777216,"
	    "\"queue_depth\":32,\"warmup\":10,\"samples\":2000,\"blocks\":20,"
	    "\"qd32_ios_per_block\":256,"));
	CHECK(has(doc, "\"arms\":[\"kernel\",\"page\",\"capio\",\"raw\"]"));
	CHECK(has(doc, "\"workloads\":[\"randread_qd1\",\"randwrite_qd1\","
	    "\"randread_qd32\",\"randwrite_qd32\"]"));
	/* QD1: the distribution, its quartiles and the costs per I/O. */
	CHECK(has(doc, "\"results\":{\"kernel\":{\"randread_qd1\":{\"ios\":2000,"
	    "\"n\":2000,\"min_ns\":2000,"));
	CHECK(has(doc, "\"p25_ns\":2001,\"p75_ns\":2005,\"syscalls_per_io\":1,"
	    "\"mmio_per_io\":2,\"checks_per_io\":6,\"bytes_copied_per_io\":4096}"));
	/* QD32: IOPS, median and quartiles of the blocks. */
	CHECK(has(doc, "\"capio\":{\"randread_qd1\":"));
	CHECK(has(doc, "\"randread_qd32\":{\"ios\":2000,\"iops\":1000001,"
	    "\"iops_p25\":1000000,\"iops_p75\":1000002,\"syscalls_per_io\":0,"));
	/* The ratios, per round: capio over each arm. */
	CHECK(has(doc, "\"ratios\":{\"randread_qd1\":{\"capio_kernel\":"
	    "{\"median\":0.4"));
	CHECK(has(doc, "\"capio_page\":{\"median\":1,\"p25\":1,\"p75\":1,"
	    "\"blocks\":20}"));
	CHECK(has(doc, "\"randwrite_qd1\":{\"capio_kernel\":{\"median\":0.6"));
	CHECK(has(doc, "\"randread_qd32\":{\"capio_kernel\":{\"median\":1.111"));
	/* The tenants: block 0 left out. */
	CHECK(has(doc, "\"tenants\":{\"workload\":\"randread_qd32\",\"one\":"
	    "{\"tenants\":1,\"iops\":"));
	CHECK(has(doc, "\"four\":{\"tenants\":4,"));
	CHECK(has(doc, "\"cpu_iops\":120000"));
	CHECK(has(doc, "\"four_one\":{\"median\":1,"));
	CHECK(has(doc, "\"blocks\":19},\"cpu_four_one\":{"));
	/* Targets: read met, write missed, tenants missed. */
	CHECK(has(doc, "{\"target\":\"capio/kernel median latency, "
	    "randread_qd1\",\"value\":0.4"));
	CHECK(has(doc, "\"min\":null,\"max\":0.5000,\"verdict\":\"met\","
	    "\"met\":true}"));
	CHECK(has(doc, "{\"target\":\"capio/kernel median latency, "
	    "randwrite_qd1\",\"value\":0.6"));
	CHECK(has(doc, "\"verdict\":\"MISSED\",\"met\":false}"));
	CHECK(has(doc, "{\"target\":\"capio/page median latency, randread_qd1\""));
	CHECK(has(doc, "{\"target\":\"capio/raw median latency, randwrite_qd1\""));
	CHECK(has(doc, "{\"target\":\"4 tenants' IOPS over 1 tenant's, "
	    "randread_qd32\",\"value\":1,"));
	CHECK(has(doc, "\"min\":3,\"max\":null,\"verdict\":\"MISSED\""));
	CHECK(has(doc, "\"noisy\":false,\"noise\":[],\"targets_missed\":2}"));
	/* The files: a row per arm and workload, two for the tenants. */
	snprintf(path, sizeof path, "%s/nvme.csv", dir);
	CHECK_EQ(csv_lines(path, &fields), 1 + BENCH_NARMS * BNV_NWORK + 2);
	CHECK_EQ(fields, 24);
	CHECK(exists(dir, "nvme.json"));
	CHECK(exists(dir, "nvme.dat"));
	CHECK(exists(dir, "nvme.gp"));
	free(doc);
	bench_nvme_figures_free(&f);
}

static void
test_quick_and_noisy(const char *dir)
{
	struct bench_opts quick = { .quick = true, .json = true, .out = dir };
	struct bench_opts full = { .json = true, .out = dir };
	struct bench_nvme_figures f;
	char *doc = NULL;

	/* --quick judges nothing. */
	make(&f, 20);
	CHECK_EQ(bench_nvme_report(&quick, &f, &doc), 0);
	CHECK(has(doc, "\"options\":{\"quick\":true,"));
	CHECK(has(doc, "\"verdict\":\"not judged\",\"met\":null}"));
	CHECK(doc != NULL && strstr(doc, "\"MISSED\"") == NULL &&
	    strstr(doc, "\"verdict\":\"met\"") == NULL);
	CHECK(has(doc, "\"targets_missed\":0}"));
	free(doc);
	bench_nvme_figures_free(&f);
	/* Five rounds are too few to judge anything: noisy, said why. */
	make(&f, 5);
	CHECK_EQ(bench_nvme_report(&full, &f, &doc), 0);
	CHECK(has(doc, "\"noisy\":true,\"noise\":[\"nvme: too noisy to judge "
	    "capio/kernel randread_qd1 latency: 5 valid blocks"));
	CHECK(has(doc, "\"verdict\":\"noisy\",\"met\":null}"));
	free(doc);
	bench_nvme_figures_free(&f);
}

int
main(void)
{
	char dir[] = "/tmp/capio-test-nvme.XXXXXX";
	char cmd[600];

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	/* The plot needs gnuplot only for the PNG, which is not checked. */
	test_full(dir);
	test_quick_and_noisy(dir);
	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", dir);
	return check_done("eval_nvme");
}
