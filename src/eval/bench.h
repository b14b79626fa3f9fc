/*
 * bench.h — `capio bench SUB`: the benchmarks, and the timing helpers
 * they share (monotonic clock, median of batches).
 *
 * The issue-#7 benchmarks (rtt, throughput, udp, memcached) write their
 * figures under --out (CSV, JSON, PNG) and share their options and
 * output helpers (bench_report.h) and the four ways to drive a NIC
 * (bench_port.h). Each also has a _run form that returns its JSON
 * document, so that `capio bench all` can gather them.
 */
#ifndef CAPIO_EVAL_BENCH_H
#define CAPIO_EVAL_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

struct bench_opts;

/* `capio bench access`: ns per checked load/store (bench_access.c). */
int bench_access(int argc, char **argv);
/* `capio bench nic`: the NIC arms (bench_nic.c). */
int bench_nic(int argc, char **argv);

/* `capio bench rtt|throughput|udp|memcached [OPTIONS]`. */
int bench_rtt(int argc, char **argv);
int bench_throughput(int argc, char **argv);
int bench_udp(int argc, char **argv);
int bench_memcached(int argc, char **argv);

/*
 * Run one benchmark with parsed options: write its files, print its
 * summary (unless o->json), and return 0 with its JSON document (one
 * line, no newline, malloc'd) in *json; 1 with a message on stderr.
 */
int bench_rtt_run(const struct bench_opts *o, char **json);
int bench_throughput_run(const struct bench_opts *o, char **json);
int bench_udp_run(const struct bench_opts *o, char **json);
int bench_memcached_run(const struct bench_opts *o, char **json);

static inline uint64_t
bench_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static inline int
bench_cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of v[0..n) (sorts v). */
static inline double
bench_median(double *v, size_t n)
{
	if (n == 0)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#endif
