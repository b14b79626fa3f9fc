/*
 * bench.h — the benchmarks behind `capio bench SUB`, and the timing
 * helpers they share (monotonic clock, median of batches).
 *
 * The arm-comparing benchmarks (rtt, throughput, udp, memcached, nvme)
 * write their figures under --out (CSV, JSON, PNG) and share their
 * options and output helpers (bench_report.h) and the four ways to drive
 * a NIC (bench_port.h) or an NVMe unit (bench_nvme_port.h). Each also
 * has a _run form that returns its JSON document, so that `capio bench
 * all` can gather them.
 */
#ifndef CAPIO_EVAL_BENCH_H
#define CAPIO_EVAL_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

struct bench_opts;

/*
 * `capio bench access`: ns per checked load/store, ITERS accesses per
 * figure (bench_access.c). Prints them (one JSON line after JSON); the
 * exit status.
 */
int bench_access_run(uint64_t iters, bool json);

/* Frames per burst of `capio bench nic`: the least --packets. */
#define BENCH_NIC_BURST	32u
/*
 * `capio bench nic`: PACKETS frames of 64 and of 1518 bytes through the
 * NIC models (bench_nic.c). Prints the rates; 1 when a frame was lost.
 */
int bench_nic_run(uint64_t packets, bool json);

/*
 * Run one benchmark with parsed options: write its files, print its
 * summary (unless o->json), and return 0 with its JSON document (one
 * line, no newline, malloc'd) in *json; 1 with a message on stderr.
 */
int bench_rtt_run(const struct bench_opts *o, char **json);
int bench_throughput_run(const struct bench_opts *o, char **json);
int bench_udp_run(const struct bench_opts *o, char **json);
int bench_memcached_run(const struct bench_opts *o, char **json);
int bench_nvme_run(const struct bench_opts *o, char **json);

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
