/*
 * bench.h — `capio bench SUB`: the benchmarks, and the timing helpers
 * they share (monotonic clock, median of batches).
 */
#ifndef CAPIO_APPS_BENCH_H
#define CAPIO_APPS_BENCH_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

/* `capio bench access`: ns per checked load/store (bench_access.c). */
int bench_access(int argc, char **argv);
/* `capio bench nic`: the NIC arms (bench_nic.c). */
int bench_nic(int argc, char **argv);

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
