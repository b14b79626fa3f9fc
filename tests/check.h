/* check.h — the tiny assertion kit every unit test uses. */
#ifndef CAPIO_TESTS_CHECK_H
#define CAPIO_TESTS_CHECK_H
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>

extern int check_failures;
extern int check_count;

/* Record one failed expectation; the test goes on and exits non-zero. */
void check_fail(const char *file, int line, const char *what);
/* A check that cannot run here: said on stdout; the suite then exits 77
 * (skipped) unless something failed. */
void check_skip(const char *why);
/* Summary line and exit status for main(). */
int check_done(const char *suite);

#define CHECK(cond) do { check_count++; if (!(cond)) \
	check_fail(__FILE__, __LINE__, #cond); } while (0)
#define CHECK_EQ(a, b) do { uint64_t a_ = (uint64_t)(a), b_ = (uint64_t)(b); \
	check_count++; if (a_ != b_) { char m_[256]; snprintf(m_, sizeof m_, \
	"%s == %s (0x%" PRIx64 " != 0x%" PRIx64 ")", #a, #b, a_, b_); \
	check_fail(__FILE__, __LINE__, m_); } } while (0)

/* Deterministic 64-bit PRNG (splitmix64) for property tests. */
uint64_t check_rand(void);
void check_seed(uint64_t seed);

#endif
