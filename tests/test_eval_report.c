/*
 * test_eval_report.c — the benchmarks' statistics and output shapes
 * (eval/bench_report.h): medians, per-round ratios and their spread,
 * the Williams order of the arms, the noise verdict, latency summaries
 * and the JSON and CDF text the benchmarks write.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "eval/bench.h"
#include "eval/bench_report.h"

/* What F wrote, as a string (the caller frees it). */
static char *
written(void (*fn)(FILE *f, void *arg), void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (f == NULL)
		return NULL;
	fn(f, arg);
	fclose(f);
	return buf;
}

static bool
near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void
test_median(void)
{
	double odd[] = { 5, 1, 3 }, even[] = { 4, 1, 3, 2 };
	uint64_t u[] = { 9, 7, 8, 10 }, none[1];

	CHECK(near(bench_median(odd, 3), 3));
	CHECK(near(bench_median(even, 4), 2.5));
	CHECK(near(bench_median(odd, 0), 0));
	CHECK(near(bench_median_u64(u, 4), 8.5));
	CHECK(isnan(bench_median_u64(none, 0)));
}

static void
test_spread(void)
{
	/* Ratios 1..9 per round, and two rounds the ratio must ignore. */
	double num[11], den[11];
	struct bench_spread s;
	char buf[64];

	for (int i = 0; i < 9; i++) {
		num[i] = 2.0 * (i + 1);
		den[i] = 2.0;
	}
	num[9] = NAN;
	den[9] = 1;
	num[10] = 1;
	den[10] = 0;
	bench_spread_ratio(num, den, 11, &s);
	CHECK_EQ(s.n, 9);
	CHECK(near(s.med, 5));
	CHECK(near(s.p25, 3));
	CHECK(near(s.p75, 7));
	bench_spread_str(&s, buf, sizeof buf);
	CHECK(strncmp(buf, "5.0", 3) == 0 && strstr(buf, "3.0") != NULL &&
	    strstr(buf, "7.0") != NULL);
	/* The ratio is per round: a round's arms pair up, not the sorted
	 * figures. */
	double a[] = { 1, 10 }, b[] = { 10, 1 };
	bench_spread_ratio(a, b, 2, &s);
	CHECK_EQ(s.n, 2);
	CHECK(near(s.p25, 0.1 + 0.25 * (10 - 0.1)));
	bench_spread_ratio(a, b, 0, &s);
	CHECK_EQ(s.n, 0);
	CHECK(isnan(s.med));
}

/* Over every n rounds (2n when n is odd) each arm runs once per position
 * and directly follows every other arm equally often. */
static void
test_williams(void)
{
	for (int n = 2; n <= 5; n++) {
		int rounds = n % 2 ? 2 * n : n;
		int follows[5][5] = { { 0 } }, at[5][5] = { { 0 } };

		for (int r = 0; r < rounds; r++) {
			int seen = 0;

			for (int p = 0; p < n; p++) {
				int arm = bench_round_arm(r, n, p);

				CHECK(arm >= 0 && arm < n);
				seen |= 1 << arm;
				at[arm][p]++;
				if (p > 0)
					follows[bench_round_arm(r, n, p - 1)][arm]++;
			}
			CHECK_EQ(seen, (1 << n) - 1);
		}
		for (int i = 0; i < n; i++)
			for (int j = 0; j < n; j++) {
				CHECK_EQ(at[i][j], rounds / n);
				if (i != j)
					CHECK_EQ(follows[i][j], follows[0][1]);
				else
					CHECK_EQ(follows[i][j], 0);
			}
	}
	CHECK_EQ(bench_round_arm(7, 1, 0), 0);
}

static void
test_blocks(void)
{
	CHECK_EQ(bench_nblocks(0), 1);
	CHECK_EQ(bench_nblocks(BENCH_BLOCK_MIN * 12), 12);
	CHECK_EQ(bench_nblocks(UINT64_C(1) << 40), BENCH_MAX_BLOCKS);
	/* Blocks tile the samples: no gap, no overlap. */
	for (uint64_t n = 1; n < 2000; n += 97) {
		int nb = bench_nblocks(n);

		CHECK_EQ(bench_block_start(n, nb, 0), 0);
		CHECK_EQ(bench_block_start(n, nb, nb), n);
		for (int b = 0; b < nb; b++)
			CHECK(bench_block_start(n, nb, b) <=
			    bench_block_start(n, nb, b + 1));
	}
	CHECK_EQ(bench_pick(0, true, 5, 50), 5);
	CHECK_EQ(bench_pick(0, false, 5, 50), 50);
	CHECK_EQ(bench_pick(7, true, 5, 50), 7);
	CHECK_EQ(bench_pick(UINT64_MAX, false, 5, 50), 0);
}

/* A spread of n blocks around med, p25..p75. */
static struct bench_spread
spread(double med, double p25, double p75, int n)
{
	struct bench_spread s = { med, p25, p75, n };

	return s;
}

static void
test_verdicts(void)
{
	struct bench_opts full = { 0 }, quick = { .quick = true };
	struct bench_verdicts v;
	struct bench_spread s;

	bench_verdicts_init(&v, "test");
	s = spread(0.95, 0.94, 0.96, 40);
	CHECK_EQ(bench_judge(&v, &full, "ok", &s, 0.9, 1.0), BENCH_MET);
	CHECK_EQ(bench_judge(&v, &quick, "quick", &s, 0.9, 1.0),
	    BENCH_UNJUDGED);
	CHECK_EQ(v.missed, 0);
	CHECK_EQ(v.nlines, 0);
	/* Clearly outside: missed. */
	s = spread(1.5, 1.49, 1.51, 40);
	CHECK_EQ(bench_judge(&v, &full, "high", &s, 0.9, 1.0), BENCH_MISSED);
	CHECK_EQ(v.missed, 1);
	/* Too few blocks, too wide, or a median whose interval straddles
	 * the bound: noisy, a line each. */
	s = spread(0.95, 0.94, 0.96, BENCH_MIN_BLOCKS - 1);
	CHECK_EQ(bench_judge(&v, &full, "few", &s, 0.9, 1.0), BENCH_NOISY);
	s = spread(0.95, 0.5, 1.5, 40);
	CHECK_EQ(bench_judge(&v, &full, "wide", &s, 0.9, 1.0), BENCH_NOISY);
	s = spread(1.0, 0.97, 1.03, 16);
	CHECK_EQ(bench_judge(&v, &full, "edge", &s, -INFINITY, 1.0),
	    BENCH_NOISY);
	CHECK_EQ(v.nlines, 3);
	CHECK(strstr(v.line[0], "few") != NULL);
	CHECK(strstr(v.line[1], "IQR") != NULL);
	CHECK(strstr(v.line[2], "straddles") != NULL);
	CHECK(bench_target_met(1, -INFINITY, INFINITY));
	CHECK(!bench_target_met(1.01, 0.5, 1));
	CHECK(strcmp(bench_verdict_word(BENCH_MISSED), "MISSED") == 0);
}

static void
lat_json(FILE *f, void *arg)
{
	bench_lat_json(f, arg);
}

static void
lat_cdf(FILE *f, void *arg)
{
	const uint64_t *v = arg;

	bench_lat_cdf(f, v, 100, 10);
}

static void
spread_json(FILE *f, void *arg)
{
	fputc('{', f);
	bench_spread_json(f, "r", arg);
	fputc('}', f);
}

static void
target_json(FILE *f, void *arg)
{
	bench_target_json(f, "capio/page", arg, 0.9, INFINITY, BENCH_MET);
}

static void
verdicts_json(FILE *f, void *arg)
{
	fputc('{', f);
	bench_verdicts_json(f, arg);
	fputc('}', f);
}

static void
json_str(FILE *f, void *arg)
{
	bench_json_str(f, arg);
	fputc(' ', f);
	bench_json_num(f, NAN);
}

static void
test_output(void)
{
	uint64_t ns[100];
	struct bench_lat lat;
	struct bench_spread s = { 1.25, 1.0, 1.5, 12 };
	struct bench_verdicts v;
	struct bench_opts o = { .host_syscalls = true };
	char *t, *buf;
	size_t len;
	FILE *f;
	int lines = 0;

	for (int i = 0; i < 100; i++)
		ns[i] = (uint64_t)(100 - i) * 10;	/* 1000 .. 10 */
	bench_lat_summarize(ns, 100, &lat);
	CHECK_EQ(lat.n, 100);
	CHECK(near(lat.min, 10) && near(lat.max, 1000));
	CHECK(near(lat.mean, 505));
	CHECK(lat.p50 >= 500 && lat.p50 <= 510);
	CHECK(lat.p99 >= 990 && lat.p99 <= 1000);
	CHECK(ns[0] == 10 && ns[99] == 1000);	/* sorted in place */

	t = written(lat_json, &lat);
	CHECK(t != NULL && strncmp(t, "\"n\":100,\"min_ns\":", 17) == 0 &&
	    strstr(t, "\"p99_ns\":") != NULL &&
	    strstr(t, "\"max_ns\":1000") != NULL);
	free(t);
	/* CDF: "ns fraction" lines, at most `points`, ending at 1. */
	t = written(lat_cdf, ns);
	for (char *p = t; p != NULL && *p != '\0'; p++)
		lines += *p == '\n';
	CHECK(lines >= 2 && lines <= 11);
	CHECK(t != NULL && strstr(t, "1000 1") != NULL);
	free(t);

	t = written(spread_json, &s);
	CHECK(t != NULL && strcmp(t, "{\"r\":{\"median\":1.2500,\"p25\":1,"
	    "\"p75\":1.5000,\"blocks\":12}}") == 0);
	free(t);
	t = written(target_json, &s);
	CHECK(t != NULL && strstr(t, "\"target\":\"capio/page\"") != NULL &&
	    strstr(t, "\"max\":null") != NULL &&
	    strstr(t, "\"met\":true") != NULL);
	free(t);
	bench_verdicts_init(&v, "t");
	bench_verdicts_noise(&v, "a \"quoted\" line");
	t = written(verdicts_json, &v);
	CHECK(t != NULL && strstr(t, "\"noisy\":") != NULL &&
	    strstr(t, "\\\"quoted\\\"") != NULL);
	free(t);
	t = written(json_str, (void *)"tab\there");
	CHECK(t != NULL && strcmp(t, "\"tab\\u0009here\" null") == 0);
	free(t);

	/* The document: the fields every run carries, one line. */
	f = bench_doc_begin("unit", &o, &buf, &len);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	fputs("\"x\":1", f);
	CHECK_EQ(bench_doc_end(f), 0);
	CHECK(strncmp(buf, "{\"bench\":\"unit\",\"machine\":{", 27) == 0);
	CHECK(strstr(buf, "\"commit\":") != NULL &&
	    strstr(buf, "\"date\":") != NULL &&
	    strstr(buf, "\"options\":{\"quick\":false,"
	    "\"host_syscalls\":true,\"csum_offload\":false}") != NULL);
	CHECK(len > 0 && buf[len - 1] == '}' && strchr(buf, '\n') == NULL);
	free(buf);
}

int
main(void)
{
	test_median();
	test_spread();
	test_williams();
	test_blocks();
	test_verdicts();
	test_output();
	return check_done("eval_report");
}
